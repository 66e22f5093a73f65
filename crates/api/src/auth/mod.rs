//! Authentication (SPEC §5): RS256 bearer tokens in, an [`Actor`] out.
//!
//! - [`TokenVerifier`] checks a token against the configured RSA public keys: the PEM key of
//!   `CAMPAIGN_JWT_PUBLIC_KEY_FILE` and the JSON Web Key Sets of `CAMPAIGN_JWT_JWKS_FILE` and
//!   `CAMPAIGN_JWT_JWKS_URL`, whose keys are chosen by the token's `kid` and re-read in the
//!   background ([`KeySetOptions`], ADR 0016). The algorithm is pinned to RS256 (a header saying `none`, `HS256` or anything else is refused, which also
//!   closes the HMAC-with-the-public-key confusion attack), `exp` is required and checked with
//!   [`LEEWAY_SECS`] of leeway, `nbf` is honoured when present, and `iss`/`aud` are required and
//!   matched when configured. Every failure is `UNAUTHENTICATED` with a short reason that never
//!   repeats the token.
//! - [`Authenticated`] is the actix-web extractor handlers take: it reads
//!   `Authorization: Bearer <token>`, verifies it with the [`TokenVerifier`] registered as
//!   `web::Data<TokenVerifier>`, and yields the caller as an [`Actor`].
//! - [`TokenSigner`] and [`DevKeys`] mint tokens: dev mode starts with an ephemeral key pair
//!   (and writes its private PEM so `cargo xtask token --key <file>` can mint more), and tests
//!   sign their own tokens.
//!
//! [`Actor`]: campaign_domain::permission::Actor

mod dev_keys;
mod extractor;
mod key_set;
mod signer;
mod verifier;

use std::path::PathBuf;

pub use dev_keys::DevKeys;
pub use extractor::Authenticated;
pub(crate) use extractor::authenticate;
pub use key_set::{
    DEFAULT_FETCH_TIMEOUT, DEFAULT_REFETCH_FLOOR, DEFAULT_REFRESH_INTERVAL, KeySetOptions,
};
pub use signer::{TokenClaims, TokenSigner};
pub use verifier::{
    DEFAULT_CACHE_CAPACITY, KeySourceError, KeySources, TokenVerifier, Verification,
};

/// Clock skew tolerated on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECS: u64 = 30;

/// Why keys or a signer could not be set up, or a token could not be signed. These are
/// start-up and tooling errors; a bad token presented by a client is a
/// `ApiError::Unauthenticated` instead.
#[derive(Debug, thiserror::Error)]
pub enum AuthSetupError {
    /// A key file could not be read.
    #[error("cannot read the key file {}: {source}", path.display())]
    UnreadableKey {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The PEM is not a usable RSA public key.
    #[error("invalid RSA public key: {0}")]
    InvalidPublicKey(String),
    /// The PEM is not a usable RSA private key.
    #[error("invalid RSA private key: {0}")]
    InvalidPrivateKey(String),
    /// No key pair could be generated.
    #[error("cannot generate an RSA key pair: {0}")]
    KeyGeneration(String),
    /// A token could not be signed.
    #[error("cannot sign the token: {0}")]
    Signing(String),
    /// A JSON Web Key Set is malformed or holds no usable RSA signature key.
    #[error("invalid JSON Web Key Set: {0}")]
    InvalidKeySet(String),
    /// A JSON Web Key Set could not be fetched from its URL.
    #[error("cannot fetch the JSON Web Key Set from {url}: {reason}")]
    KeySetFetch {
        /// The configured URL.
        url: String,
        /// What went wrong (connection, status, size).
        reason: String,
    },
    /// No key source is configured at all.
    #[error("no public key or JSON Web Key Set is configured")]
    NoKey,
}

/// Smallest and largest accepted RSA modulus, in bytes (2048 and 8192 bits): the RS256 verifier
/// refuses every signature of a key outside this range, so such a key is refused up front.
const RSA_MODULUS_BYTES: std::ops::RangeInclusive<usize> = 256..=1024;

/// Keys generated once per test binary, shared by the tests of every auth file.
#[cfg(test)]
mod test_keys {
    use std::sync::LazyLock;

    use super::DevKeys;

    /// The key pair the tests trust.
    pub(super) static TRUSTED: LazyLock<DevKeys> =
        LazyLock::new(|| DevKeys::generate().expect("generate the trusted test key pair"));

    /// Another key pair, whose signatures the trusted verifier must refuse.
    pub(super) static OTHER: LazyLock<DevKeys> =
        LazyLock::new(|| DevKeys::generate().expect("generate the other test key pair"));
}
