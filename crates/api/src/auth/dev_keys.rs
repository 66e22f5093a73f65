//! [`DevKeys`]: an ephemeral RSA 2048 key pair for dev mode and tests.
//!
//! Dev mode (`CAMPAIGN_DEV_MODE=true`) starts without a configured public key: it generates one
//! of these, verifies tokens with its public half, prints a supreme token, and writes the private
//! PEM to a file so `cargo xtask token --key <file>` can mint more for the running instance.
//! Generation uses aws-lc (the same backend `jsonwebtoken` verifies with) and takes milliseconds.

use std::fmt;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};

use super::{AuthSetupError, TokenSigner, TokenVerifier, verifier};

/// A freshly generated key pair, with a signer and verifiers over it.
pub struct DevKeys {
    signer: TokenSigner,
    public_key: DecodingKey,
    /// The public key as a JWK, without `kid`.
    public_jwk: Jwk,
    private_pem: String,
    public_pem: String,
}

impl DevKeys {
    /// Generates a new RSA 2048 key pair.
    ///
    /// # Errors
    /// [`AuthSetupError::KeyGeneration`] when the crypto backend cannot generate or export it.
    pub fn generate() -> Result<Self, AuthSetupError> {
        let failed = |what: &str, e: aws_lc_rs::error::Unspecified| {
            AuthSetupError::KeyGeneration(format!("{what}: {e}"))
        };
        let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|e| failed("generate", e))?;
        let private_der = pair
            .as_der()
            .map_err(|e| failed("export the private key", e))?;
        let public_der = pair
            .public_key()
            .as_der()
            .map_err(|e| failed("export the public key", e))?;
        let private_pem = encode_pem("PRIVATE KEY", private_der.as_ref());
        let public_pem = encode_pem("PUBLIC KEY", public_der.as_ref());
        // Round-trip through the same checks a configured key gets.
        let signer = TokenSigner::from_rsa_private_pem(private_pem.as_bytes())?;
        let public_key = verifier::decoding_key(public_pem.as_bytes())?;
        let public_jwk = Jwk::from_decoding_key(&public_key, Some(Algorithm::RS256))
            .map_err(|e| AuthSetupError::KeyGeneration(format!("export the public JWK: {e}")))?;
        Ok(Self {
            signer,
            public_key,
            public_jwk,
            private_pem,
            public_pem,
        })
    }

    /// A verifier over the public half, with the given issuer and audience rules (see
    /// [`TokenVerifier::from_rsa_public_pem`]).
    /// It remembers up to [`DEFAULT_CACHE_CAPACITY`] verified tokens.
    ///
    /// [`DEFAULT_CACHE_CAPACITY`]: super::DEFAULT_CACHE_CAPACITY
    pub fn verifier(&self, issuer: Option<String>, audience: Option<String>) -> TokenVerifier {
        self.verifier_with_cache(issuer, audience, super::DEFAULT_CACHE_CAPACITY)
    }

    /// [`DevKeys::verifier`] remembering up to `cache_capacity` verified tokens (0: none), as
    /// `CAMPAIGN_JWT_CACHE_CAPACITY` says.
    pub fn verifier_with_cache(
        &self,
        issuer: Option<String>,
        audience: Option<String>,
        cache_capacity: u64,
    ) -> TokenVerifier {
        TokenVerifier::with_key(self.public_key.clone(), cache_capacity, issuer, audience)
    }

    /// A signer with the private half.
    pub fn signer(&self) -> &TokenSigner {
        &self.signer
    }

    /// The public half as a JSON Web Key for RS256 signatures (`kty: RSA`, `use: sig`,
    /// `alg: RS256`) with this `kid`: what a `CAMPAIGN_JWT_JWKS_FILE` or `_URL` set holds.
    pub fn jwk(&self, kid: &str) -> Jwk {
        let mut jwk = self.public_jwk.clone();
        jwk.common.key_id = Some(kid.to_owned());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        jwk
    }

    /// The private key, PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). A secret: write it only to
    /// a file readable by the developer.
    pub fn private_pem(&self) -> String {
        self.private_pem.clone()
    }

    /// The public key, SPKI PEM (`-----BEGIN PUBLIC KEY-----`), the form
    /// `CAMPAIGN_JWT_PUBLIC_KEY_FILE` takes.
    pub fn public_pem(&self) -> String {
        self.public_pem.clone()
    }
}

impl fmt::Debug for DevKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DevKeys")
            .field("public_pem", &self.public_pem)
            .finish_non_exhaustive()
    }
}

/// PEM with Unix line endings (the `pem` crate defaults to CRLF).
fn encode_pem(tag: &str, der: &[u8]) -> String {
    let config = pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF);
    pem::encode_config(&pem::Pem::new(tag, der), config)
}

#[cfg(test)]
mod tests {
    use super::super::test_keys::{OTHER, TRUSTED};
    use super::*;

    #[test]
    fn the_pems_have_the_standard_forms() {
        let private = TRUSTED.private_pem();
        let public = TRUSTED.public_pem();
        assert!(private.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert!(private.trim_end().ends_with("-----END PRIVATE KEY-----"));
        assert!(public.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        assert!(!private.contains('\r') && !public.contains('\r'));
        assert_ne!(TRUSTED.public_pem(), OTHER.public_pem());
    }

    #[test]
    fn the_pems_rebuild_a_working_signer_and_verifier() {
        let signer = TokenSigner::from_rsa_private_pem(TRUSTED.private_pem().as_bytes()).unwrap();
        let verifier =
            TokenVerifier::from_rsa_public_pem(TRUSTED.public_pem().as_bytes(), None, None)
                .unwrap();
        let claims = super::super::TokenClaims::supreme("dev", std::time::Duration::from_secs(60));
        let token = signer.sign(&claims).unwrap();
        assert_eq!(verifier.verify(&token).unwrap().user_id, "dev");
        assert!(OTHER.verifier(None, None).verify(&token).is_err());
    }

    #[test]
    fn the_jwk_is_the_public_key_for_rs256_signatures() {
        let jwk = serde_json::to_value(TRUSTED.jwk("k1")).unwrap();
        assert_eq!(jwk["kty"], "RSA");
        assert_eq!(jwk["kid"], "k1");
        assert_eq!(jwk["use"], "sig");
        assert_eq!(jwk["alg"], "RS256");
        assert_eq!(jwk["e"], "AQAB");
        assert!(jwk.get("d").is_none(), "no private part");
        let key = DecodingKey::from_jwk(&TRUSTED.jwk("k1")).unwrap();
        let token = TRUSTED
            .signer()
            .sign(&super::super::TokenClaims::supreme(
                "dev",
                std::time::Duration::from_secs(60),
            ))
            .unwrap();
        let mut validation = jsonwebtoken::Validation::new(Algorithm::RS256);
        validation.required_spec_claims.clear();
        assert!(jsonwebtoken::decode::<serde_json::Value>(&token, &key, &validation).is_ok());
        assert_ne!(TRUSTED.jwk("k1"), OTHER.jwk("k1"));
    }

    #[test]
    fn debug_output_hides_the_private_key() {
        let printed = format!("{:?}", *TRUSTED);
        assert!(printed.contains("BEGIN PUBLIC KEY") && !printed.contains("PRIVATE"));
    }
}
