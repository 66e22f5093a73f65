//! [`TokenVerifier`]: checks an RS256 token against the configured public keys and returns its
//! claims, or `UNAUTHENTICATED` with a short reason.
//!
//! The rules (SPEC §5): the algorithm is pinned to RS256, whatever the token's header says;
//! `exp` is required, must be a number, and is checked with [`LEEWAY_SECS`] of leeway; `nbf` is
//! checked when present; a configured issuer or audience is a required claim that must match,
//! and is ignored when not configured; the claims must have the service's shape (a token without
//! `userId` is malformed). The reason given to the client names the rule that failed, never the
//! token or the key.
//!
//! The keys (ADR 0016): the PEM key of `CAMPAIGN_JWT_PUBLIC_KEY_FILE`, and the JSON Web Key
//! Sets of `CAMPAIGN_JWT_JWKS_FILE` and `CAMPAIGN_JWT_JWKS_URL`, any of them alone or together.
//! - Without a key set, every token is checked with the PEM key (its `kid`, if any, is ignored).
//! - With key sets, a token's `kid` chooses the key. A `kid` no set holds makes the sets be read
//!   again — at most once per [`KeySetOptions::refetch_floor`], one read shared by every request
//!   that asks meanwhile — and the token waits for that read ([`TokenVerifier::begin`]). A `kid`
//!   still unknown after it is checked with the PEM key when one is configured (so adding a key
//!   set never refuses a token the PEM key alone accepted), else refused. A token without `kid`
//!   is checked with the PEM key, or refused when there is none.
//! - Every set is also read again each [`KeySetOptions::refresh_interval`]; a failed read keeps
//!   the last good set and is logged.
//!
//! A successful verification is remembered for [`VERIFIED_TTL_SECS`] (the verified-token cache):
//! clients send the same token with every request, and the RSA signature check is the most
//! expensive step of a read. The cache is a bounded concurrent cache ([`moka`]) of
//! `CAMPAIGN_JWT_CACHE_CAPACITY` tokens ([`DEFAULT_CACHE_CAPACITY`]; 0 turns it off), keyed by the
//! SHA-256 of the token text, so thousands of users cost what one does and no bearer token is
//! kept in memory. Each entry expires after [`VERIFIED_TTL_SECS`] or when the token's `exp` (plus
//! leeway) passes, whichever comes first, and a remembered token is checked against both again on
//! every hit; everything remembered is forgotten when a reload removes or replaces a key of a
//! set. Neither a hit nor reading the current keys takes a lock (a cache read, an [`ArcSwap`]
//! load).
//!
//! [`ArcSwap`]: arc_swap::ArcSwap

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use campaign_domain::permission::Claims;
use futures::FutureExt as _;
use futures::future::{BoxFuture, Shared};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use moka::Expiry;
use moka::sync::Cache;

use super::key_set::{KeySetOptions, KeySetSource, Reloaded};
use super::{AuthSetupError, LEEWAY_SECS, RSA_MODULUS_BYTES};
use crate::error::ApiError;

/// Verifies bearer tokens. Cheap to clone (the keys and rules are shared), `Send + Sync`.
#[derive(Clone)]
pub struct TokenVerifier {
    inner: Arc<Inner>,
}

struct Inner {
    /// The PEM key (`CAMPAIGN_JWT_PUBLIC_KEY_FILE`, or dev mode's key).
    key: Option<DecodingKey>,
    /// The JSON Web Key Sets, file first.
    sets: Vec<KeySetSource>,
    options: KeySetOptions,
    refetch: Mutex<Refetch>,
    validation: Validation,
    issuer: Option<String>,
    audience: Option<String>,
    /// The verified-token cache; `None` when its capacity is 0.
    verified: Option<Cache<TokenDigest, Arc<Verified>>>,
    /// Moves on each time a reload loses a key, so a verification that read the old keys does
    /// not stay remembered after the cache was emptied ([`TokenVerifier::decode`]).
    generation: AtomicU64,
}

/// The reload of the key sets that unknown `kid`s cause.
#[derive(Default)]
struct Refetch {
    /// When the last one started.
    last: Option<Instant>,
    /// The last one, shared by every request waiting for it.
    running: Option<Shared<BoxFuture<'static, ()>>>,
}

/// How many verified tokens are remembered at most when `CAMPAIGN_JWT_CACHE_CAPACITY` is unset.
pub const DEFAULT_CACHE_CAPACITY: u64 = 10_000;
/// How long a verification is remembered before the signature is checked again.
pub const VERIFIED_TTL_SECS: u64 = 60;

/// The SHA-256 of a token's text: what the cache is keyed by. Collisions are impractical to
/// find, and the cache holds no bearer token.
type TokenDigest = [u8; 32];

fn token_digest(token: &str) -> TokenDigest {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
    let mut key = [0; 32];
    // A SHA-256 digest is 32 bytes by definition.
    key.copy_from_slice(digest.as_ref());
    key
}

/// A token that passed every rule.
struct Verified {
    claims: Claims,
    /// The token's `exp`.
    expires: u64,
    /// When the signature was checked.
    checked: u64,
    /// How long the cache keeps it: [`VERIFIED_TTL_SECS`], capped by the time left until `exp`
    /// plus leeway has passed ([`lifetime`]).
    lifetime: Duration,
}

impl Verified {
    /// Whether a hit at `now` may be served: checked less than [`VERIFIED_TTL_SECS`] ago and
    /// `exp` not passed by more than the leeway (the rule the full check applies).
    fn fresh(&self, now: u64) -> bool {
        now < self.checked.saturating_add(VERIFIED_TTL_SECS)
            && now <= self.expires.saturating_add(LEEWAY_SECS)
    }
}

/// How long a token with this `exp` may be remembered from `now` (time since the Unix epoch):
/// [`VERIFIED_TTL_SECS`] at most, and no longer than until the second after `exp` plus leeway
/// begins (the full check refuses it from then on). Zero for a token already past it.
fn lifetime(expires: u64, now: Duration) -> Duration {
    let refused_from = Duration::from_secs(expires.saturating_add(LEEWAY_SECS).saturating_add(1));
    refused_from
        .saturating_sub(now)
        .min(Duration::from_secs(VERIFIED_TTL_SECS))
}

/// Per-entry expiry of the cache: each entry lives its own [`Verified::lifetime`], counted from
/// when it was (re)inserted; reads do not extend it.
struct VerifiedExpiry;

impl Expiry<TokenDigest, Arc<Verified>> for VerifiedExpiry {
    fn expire_after_create(
        &self,
        _key: &TokenDigest,
        value: &Arc<Verified>,
        _created_at: Instant,
    ) -> Option<Duration> {
        Some(value.lifetime)
    }

    fn expire_after_update(
        &self,
        _key: &TokenDigest,
        value: &Arc<Verified>,
        _updated_at: Instant,
        _duration_until_expiry: Option<Duration>,
    ) -> Option<Duration> {
        Some(value.lifetime)
    }
}

/// The verified-token cache of `capacity` tokens; `None` for 0.
fn verified_cache(capacity: u64) -> Option<Cache<TokenDigest, Arc<Verified>>> {
    (capacity > 0).then(|| {
        Cache::builder()
            .max_capacity(capacity)
            .expire_after(VerifiedExpiry)
            .build()
    })
}

/// The claims plus the `exp` the remembered verification needs. `exp` is read as any value so
/// that the library's own checks (present, a number) give their precise reasons.
#[derive(serde::Deserialize)]
struct ClaimsWithExp {
    #[serde(flatten)]
    claims: Claims,
    #[serde(default)]
    exp: serde_json::Value,
}

/// Where a verifier's keys come from: any of the three, alone or together (see the module
/// documentation for which key checks which token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySources {
    /// `CAMPAIGN_JWT_PUBLIC_KEY_FILE`: an RSA public key PEM.
    pub public_key_file: Option<PathBuf>,
    /// `CAMPAIGN_JWT_JWKS_FILE`: a JSON Web Key Set file.
    pub jwks_file: Option<PathBuf>,
    /// `CAMPAIGN_JWT_JWKS_URL`: an http(s) URL answering a JSON Web Key Set.
    pub jwks_url: Option<String>,
    /// How the key sets are kept fresh.
    pub options: KeySetOptions,
    /// `CAMPAIGN_JWT_CACHE_CAPACITY`: how many verified tokens are remembered at most
    /// ([`DEFAULT_CACHE_CAPACITY`]); 0 turns the cache off.
    pub cache_capacity: u64,
}

impl Default for KeySources {
    fn default() -> Self {
        Self {
            public_key_file: None,
            jwks_file: None,
            jwks_url: None,
            options: KeySetOptions::default(),
            cache_capacity: DEFAULT_CACHE_CAPACITY,
        }
    }
}

/// A key source that cannot be used at start-up, with the variable that configured it.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {source}")]
pub struct KeySourceError {
    /// The variable at fault.
    pub variable: &'static str,
    /// What is wrong with its key or set.
    pub source: AuthSetupError,
}

/// A verification that either finished at once or waits for the key sets to be read again
/// (a token whose `kid` no set holds yet: [`TokenVerifier::begin`]).
pub enum Verification {
    /// The answer, without waiting: the common case.
    Done(Result<Claims, ApiError>),
    /// The answer once the key sets have been read again.
    Pending(BoxFuture<'static, Result<Claims, ApiError>>),
}

impl fmt::Debug for Verification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Done(result) => f.debug_tuple("Done").field(result).finish(),
            Self::Pending(_) => f.write_str("Pending"),
        }
    }
}

/// What checking a token with the keys at hand gave.
enum Attempt {
    Done(Result<Claims, ApiError>),
    /// The token names a `kid` no key set holds.
    UnknownKid,
}

impl TokenVerifier {
    /// A verifier for tokens signed by the private half of `pem`, an RSA public key in PEM form
    /// (`PUBLIC KEY`, i.e. SPKI, or `RSA PUBLIC KEY`, i.e. PKCS#1) of 2048 to 8192 bits.
    ///
    /// When `issuer` (`audience`) is given, tokens must carry an `iss` (`aud`) claim equal to it;
    /// when it is not, the claim is not checked.
    ///
    /// # Errors
    /// [`AuthSetupError::InvalidPublicKey`] when `pem` is not such a key (a private key
    /// included: the service is configured with the public half only).
    pub fn from_rsa_public_pem(
        pem: &[u8],
        issuer: Option<String>,
        audience: Option<String>,
    ) -> Result<Self, AuthSetupError> {
        Ok(Self::with_key(
            decoding_key(pem)?,
            DEFAULT_CACHE_CAPACITY,
            issuer,
            audience,
        ))
    }

    /// [`TokenVerifier::from_rsa_public_pem`] with the PEM read from `path`.
    ///
    /// # Errors
    /// [`AuthSetupError::UnreadableKey`] when the file cannot be read, else as
    /// [`TokenVerifier::from_rsa_public_pem`].
    pub fn from_rsa_public_pem_file(
        path: &Path,
        issuer: Option<String>,
        audience: Option<String>,
    ) -> Result<Self, AuthSetupError> {
        let pem = std::fs::read(path).map_err(|source| AuthSetupError::UnreadableKey {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_rsa_public_pem(&pem, issuer, audience)
    }

    /// A verifier over every key `sources` configures: the PEM key file and the key sets are
    /// read (the URL fetched) now, and the sets are then read again in the background every
    /// [`KeySetOptions::refresh_interval`] for as long as the verifier (or a clone) lives.
    ///
    /// Must run inside the Tokio runtime when a key set is configured.
    ///
    /// # Errors
    /// [`KeySourceError`] naming the variable whose key or set cannot be used: an unreadable
    /// file, an unreachable URL, a malformed set or one without a usable RSA key. No source
    /// at all is [`AuthSetupError::NoKey`], named `CAMPAIGN_JWT_PUBLIC_KEY_FILE`.
    pub async fn from_sources(
        sources: &KeySources,
        issuer: Option<String>,
        audience: Option<String>,
    ) -> Result<Self, KeySourceError> {
        let named = |variable| move |source| KeySourceError { variable, source };
        let key = match &sources.public_key_file {
            Some(path) => {
                let pem = std::fs::read(path).map_err(|source| KeySourceError {
                    variable: "CAMPAIGN_JWT_PUBLIC_KEY_FILE",
                    source: AuthSetupError::UnreadableKey {
                        path: path.clone(),
                        source,
                    },
                })?;
                Some(decoding_key(&pem).map_err(named("CAMPAIGN_JWT_PUBLIC_KEY_FILE"))?)
            }
            None => None,
        };
        let mut sets = Vec::new();
        if let Some(path) = &sources.jwks_file {
            let set = KeySetSource::file(path.clone())
                .await
                .map_err(named("CAMPAIGN_JWT_JWKS_FILE"))?;
            sets.push(set);
        }
        if let Some(url) = &sources.jwks_url {
            let set = KeySetSource::url(url, sources.options.fetch_timeout)
                .await
                .map_err(named("CAMPAIGN_JWT_JWKS_URL"))?;
            sets.push(set);
        }
        if key.is_none() && sets.is_empty() {
            return Err(KeySourceError {
                variable: "CAMPAIGN_JWT_PUBLIC_KEY_FILE",
                source: AuthSetupError::NoKey,
            });
        }
        let verifier = Self::assemble(
            key,
            sets,
            sources.options,
            sources.cache_capacity,
            issuer,
            audience,
        );
        if !verifier.inner.sets.is_empty() {
            verifier.spawn_refresh();
        }
        Ok(verifier)
    }

    /// A verifier for an already validated key, remembering up to `cache_capacity` verified
    /// tokens (0: none).
    pub(super) fn with_key(
        key: DecodingKey,
        cache_capacity: u64,
        issuer: Option<String>,
        audience: Option<String>,
    ) -> Self {
        Self::assemble(
            Some(key),
            Vec::new(),
            KeySetOptions::default(),
            cache_capacity,
            issuer,
            audience,
        )
    }

    fn assemble(
        key: Option<DecodingKey>,
        sets: Vec<KeySetSource>,
        options: KeySetOptions,
        cache_capacity: u64,
        issuer: Option<String>,
        audience: Option<String>,
    ) -> Self {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.leeway = LEEWAY_SECS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        let mut required = vec!["exp"];
        if let Some(issuer) = &issuer {
            validation.set_issuer(&[issuer]);
            required.push("iss");
        }
        match &audience {
            Some(audience) => {
                validation.set_audience(&[audience]);
                required.push("aud");
            }
            // Not configured: not checked (the library would otherwise refuse any `aud`).
            None => validation.validate_aud = false,
        }
        // `set_issuer`/`set_audience` alone only check the claim when it is present.
        validation.set_required_spec_claims(&required);
        Self {
            inner: Arc::new(Inner {
                key,
                sets,
                options,
                refetch: Mutex::new(Refetch::default()),
                validation,
                issuer,
                audience,
                verified: verified_cache(cache_capacity),
                generation: AtomicU64::new(0),
            }),
        }
    }

    /// The claims of `token` when it passes every rule, without waiting: a token whose `kid`
    /// no key set holds starts a reload of the sets in the background (see
    /// [`TokenVerifier::begin`]) and is judged by the keys at hand. Handlers use
    /// [`TokenVerifier::begin`] through the `Authenticated` extractor instead.
    ///
    /// # Errors
    /// [`ApiError::Unauthenticated`] with a short client-safe reason for any failure.
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        match self.begin(token) {
            Verification::Done(result) => result,
            // The reload goes on without this caller.
            Verification::Pending(_) => self.fallback(token, jsonwebtoken::get_current_timestamp()),
        }
    }

    /// Starts verifying `token`: [`Verification::Done`] with the answer, or, for a token whose
    /// `kid` no key set holds while a reload is allowed (the floor has passed, or one is
    /// running), [`Verification::Pending`] answering once the sets have been read again.
    pub fn begin(&self, token: &str) -> Verification {
        let now = jsonwebtoken::get_current_timestamp();
        match self.attempt(token, now) {
            Attempt::Done(result) => Verification::Done(result),
            Attempt::UnknownKid => match self.refetch() {
                Some(reload) => {
                    let verifier = self.clone();
                    let token = token.to_owned();
                    Verification::Pending(
                        async move {
                            reload.await;
                            verifier.after_reload(&token)
                        }
                        .boxed(),
                    )
                }
                // A reload may have ended between the attempt and now: look once more.
                None => Verification::Done(self.after_reload(token)),
            },
        }
    }

    /// [`TokenVerifier::begin`], waiting for the reload when there is one.
    ///
    /// # Errors
    /// As [`TokenVerifier::verify`].
    pub async fn verify_fresh(&self, token: &str) -> Result<Claims, ApiError> {
        match self.begin(token) {
            Verification::Done(result) => result,
            Verification::Pending(answer) => answer.await,
        }
    }

    /// Checks `token` with the keys at hand.
    fn attempt(&self, token: &str, now: u64) -> Attempt {
        if let Some(claims) = self.remembered(token, now) {
            return Attempt::Done(Ok(claims));
        }
        let inner = &*self.inner;
        // Read before the keys: see `decode`.
        let generation = inner.generation.load(Ordering::SeqCst);
        if inner.sets.is_empty() {
            return Attempt::Done(self.with_pem_key(
                token,
                now,
                generation,
                "no key is configured",
            ));
        }
        let header = match jsonwebtoken::decode_header(token) {
            Ok(header) => header,
            Err(error) => return Attempt::Done(Err(refused(reason(error.kind())))),
        };
        if header.alg != Algorithm::RS256 {
            return Attempt::Done(Err(refused(reason(&ErrorKind::InvalidAlgorithm))));
        }
        let Some(kid) = header.kid else {
            return Attempt::Done(self.with_pem_key(
                token,
                now,
                generation,
                "the token has no key id (kid)",
            ));
        };
        for set in &inner.sets {
            let keys = set.keys();
            if let Some(key) = keys.get(&kid) {
                return Attempt::Done(self.decode(token, key, now, generation));
            }
        }
        Attempt::UnknownKid
    }

    /// The answer once the sets have been read again (or could not be).
    fn after_reload(&self, token: &str) -> Result<Claims, ApiError> {
        let now = jsonwebtoken::get_current_timestamp();
        match self.attempt(token, now) {
            Attempt::Done(result) => result,
            Attempt::UnknownKid => self.fallback(token, now),
        }
    }

    /// A token whose `kid` no set holds: the PEM key's to judge, if there is one.
    fn fallback(&self, token: &str, now: u64) -> Result<Claims, ApiError> {
        // The PEM key never changes, so any generation will do.
        let generation = self.inner.generation.load(Ordering::SeqCst);
        self.with_pem_key(
            token,
            now,
            generation,
            "the token key id (kid) is not known",
        )
    }

    fn with_pem_key(
        &self,
        token: &str,
        now: u64,
        generation: u64,
        without: &str,
    ) -> Result<Claims, ApiError> {
        match &self.inner.key {
            Some(key) => self.decode(token, key, now, generation),
            None => Err(refused(without.to_owned())),
        }
    }

    /// Checks `token` with `key` and every rule, and remembers it when it passes.
    ///
    /// `generation` is the verifier's generation read before `key` was chosen. A reload that
    /// loses a key swaps the set in, moves the generation on, then empties the cache; a token
    /// checked with a key of the old set and remembered after that emptying sees the generation
    /// moved and forgets itself, so no token of a removed key outlives the reload.
    fn decode(
        &self,
        token: &str,
        key: &DecodingKey,
        now: u64,
        generation: u64,
    ) -> Result<Claims, ApiError> {
        let data = jsonwebtoken::decode::<ClaimsWithExp>(token, key, &self.inner.validation)
            .map_err(|error| refused(reason(error.kind())))?;
        let Some(expires) = data.claims.exp.as_u64() else {
            // Validation accepted the token, so `exp` is a number; a float is simply not remembered.
            return Ok(data.claims.claims);
        };
        let Some(cache) = &self.inner.verified else {
            return Ok(data.claims.claims);
        };
        let since_epoch = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        let lifetime = lifetime(expires, since_epoch);
        if lifetime.is_zero() {
            return Ok(data.claims.claims);
        }
        let digest = token_digest(token);
        cache.insert(
            digest,
            Arc::new(Verified {
                claims: data.claims.claims.clone(),
                expires,
                checked: now,
                lifetime,
            }),
        );
        if self.inner.generation.load(Ordering::SeqCst) != generation {
            cache.invalidate(&digest);
        }
        Ok(data.claims.claims)
    }

    /// The reload of the key sets an unknown `kid` may cause: the running one, else a new one
    /// when the floor has passed since the last, else `None` (also outside a Tokio runtime).
    fn refetch(&self) -> Option<Shared<BoxFuture<'static, ()>>> {
        let inner = &self.inner;
        let mut state = inner.refetch.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(running) = &state.running
            && running.peek().is_none()
        {
            return Some(running.clone());
        }
        if state
            .last
            .is_some_and(|last| last.elapsed() < inner.options.refetch_floor)
        {
            return None;
        }
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        state.last = Some(Instant::now());
        // Its own task: the reload finishes even when the request that started it goes away.
        let verifier = Arc::downgrade(inner);
        let task = runtime.spawn(async move {
            if let Some(inner) = verifier.upgrade() {
                reload(&inner, "a token with an unknown kid").await;
            }
        });
        let running = async move {
            // A panicked reload changed nothing: the waiters look at the keys at hand.
            let _ = task.await;
        }
        .boxed()
        .shared();
        state.running = Some(running.clone());
        Some(running)
    }

    /// Reads the key sets again every refresh interval while the verifier lives.
    fn spawn_refresh(&self) {
        let period = self.inner.options.refresh_interval;
        let verifier = Arc::downgrade(&self.inner);
        tokio::spawn(async move {
            let start = tokio::time::Instant::now() + period;
            let mut ticks = tokio::time::interval_at(start, period);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let Some(inner) = verifier.upgrade() else {
                    return;
                };
                reload(&inner, "periodic").await;
            }
        });
    }

    /// The claims of a token verified less than [`VERIFIED_TTL_SECS`] ago that has not expired.
    /// The cache expires entries on its own (monotonic) clock; the rule is checked again here on
    /// the wall clock the full check uses, so a hit never outlives what the full check allows.
    fn remembered(&self, token: &str, now: u64) -> Option<Claims> {
        let verified = self.inner.verified.as_ref()?.get(&token_digest(token))?;
        verified.fresh(now).then(|| verified.claims.clone())
    }

    /// The issuer tokens must carry, if configured.
    pub fn issuer(&self) -> Option<&str> {
        self.inner.issuer.as_deref()
    }

    /// The audience tokens must carry, if configured.
    pub fn audience(&self) -> Option<&str> {
        self.inner.audience.as_deref()
    }
}

/// Reads every key set again; a set that lost a key makes the verifier forget the tokens it
/// remembered (they may have been signed by that key). A failure keeps the last good set.
async fn reload(inner: &Inner, cause: &'static str) {
    for set in &inner.sets {
        match set.reload().await {
            Ok(Reloaded::LostKeys) => {
                // The new set is in place already; the order matters (see `decode`).
                inner.generation.fetch_add(1, Ordering::SeqCst);
                if let Some(cache) = &inner.verified {
                    cache.invalidate_all();
                }
            }
            Ok(Reloaded::Unchanged | Reloaded::Grown) => {}
            Err(error) => tracing::warn!(
                variable = set.variable(),
                cause,
                %error,
                "cannot read the JSON Web Key Set again; keeping the last good one"
            ),
        }
    }
}

fn refused(reason: String) -> ApiError {
    ApiError::Unauthenticated(reason)
}

impl fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sets: Vec<&str> = self.inner.sets.iter().map(KeySetSource::variable).collect();
        f.debug_struct("TokenVerifier")
            .field("algorithm", &Algorithm::RS256)
            .field("public_key", &self.inner.key.is_some())
            .field("key_sets", &sets)
            .field("issuer", &self.inner.issuer)
            .field("audience", &self.inner.audience)
            .finish_non_exhaustive()
    }
}

/// The client-facing reason for a refused token. Claim names come from the verifier's own
/// fixed set, never from the token.
fn reason(kind: &ErrorKind) -> String {
    match kind {
        ErrorKind::ExpiredSignature => "the token has expired".to_owned(),
        ErrorKind::ImmatureSignature => "the token is not valid yet".to_owned(),
        ErrorKind::InvalidSignature => "the token signature is not valid".to_owned(),
        ErrorKind::InvalidAlgorithm => "the token must be signed with RS256".to_owned(),
        ErrorKind::InvalidIssuer => "the token issuer is not accepted".to_owned(),
        ErrorKind::InvalidAudience => "the token audience is not accepted".to_owned(),
        ErrorKind::MissingRequiredClaim(claim) => format!("the token has no valid {claim} claim"),
        ErrorKind::InvalidClaimFormat(claim) => format!("the token {claim} claim is malformed"),
        _ => "the token is malformed".to_owned(),
    }
}

/// Parses and checks an RSA public key PEM, refusing anything the RS256 verifier could never
/// use, so a bad key stops start-up instead of refusing every token later.
pub(super) fn decoding_key(pem: &[u8]) -> Result<DecodingKey, AuthSetupError> {
    let invalid = AuthSetupError::InvalidPublicKey;
    let block = pem::parse(pem).map_err(|e| invalid(format!("not a PEM document ({e})")))?;
    match block.tag() {
        "PUBLIC KEY" | "RSA PUBLIC KEY" => {}
        tag if tag.contains("PRIVATE KEY") => {
            return Err(invalid(
                "this is a private key; the service needs the public key only".to_owned(),
            ));
        }
        tag => {
            return Err(invalid(format!(
                "expected a PUBLIC KEY or RSA PUBLIC KEY block, found {tag}"
            )));
        }
    }
    // Accepts SPKI and PKCS#1 alike, and checks the key itself.
    let key = aws_lc_rs::rsa::PublicKey::from_der(block.contents())
        .map_err(|e| invalid(format!("not an RSA public key ({e})")))?;
    if !RSA_MODULUS_BYTES.contains(&key.modulus_len()) {
        return Err(invalid(format!(
            "a {}-bit key; RS256 needs 2048 to 8192 bits",
            key.modulus_len() * 8
        )));
    }
    // PKCS#1 `RSAPublicKey` DER, as normalised by aws-lc.
    Ok(DecodingKey::from_rsa_der(key.as_ref()))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use campaign_domain::permission::CampaignGrant;
    use jsonwebtoken::{EncodingKey, Header, get_current_timestamp};
    use serde_json::{Value, json};

    use super::super::test_keys::{OTHER, TRUSTED};
    use super::*;

    const CAMPAIGN: &str = "0123456789abcdef01234567";

    fn now() -> i64 {
        i64::try_from(get_current_timestamp()).unwrap()
    }

    fn sign_with(keys: &super::super::DevKeys, claims: &Value) -> String {
        let key = EncodingKey::from_rsa_pem(keys.private_pem().as_bytes()).unwrap();
        jsonwebtoken::encode(&Header::new(Algorithm::RS256), claims, &key).unwrap()
    }

    fn sign(claims: &Value) -> String {
        sign_with(&TRUSTED, claims)
    }

    fn base_claims() -> Value {
        json!({
            "userId": "user-123",
            "supreme": false,
            "exp": now() + 600,
            "campaigns": {CAMPAIGN: {"actions": ["read", "write"]}}
        })
    }

    fn with(mut claims: Value, key: &str, value: Value) -> Value {
        claims[key] = value;
        claims
    }

    fn without(mut claims: Value, key: &str) -> Value {
        claims.as_object_mut().unwrap().remove(key);
        claims
    }

    fn plain() -> TokenVerifier {
        TRUSTED.verifier(None, None)
    }

    fn configured() -> TokenVerifier {
        TRUSTED.verifier(Some("issuer-x".into()), Some("audience-y".into()))
    }

    fn cache(verifier: &TokenVerifier) -> &Cache<TokenDigest, Arc<Verified>> {
        verifier.inner.verified.as_ref().unwrap()
    }

    /// How many tokens the cache holds, once its pending evictions have run.
    fn remembered_count(verifier: &TokenVerifier) -> u64 {
        let cache = cache(verifier);
        cache.run_pending_tasks();
        cache.entry_count()
    }

    fn is_remembered(verifier: &TokenVerifier, token: &str) -> bool {
        cache(verifier).contains_key(&token_digest(token))
    }

    /// Puts an entry in the cache as `decode` would, whatever its content.
    fn remember(verifier: &TokenVerifier, token: &str, verified: Verified) {
        cache(verifier).insert(token_digest(token), Arc::new(verified));
    }

    #[track_caller]
    fn assert_refused(verifier: &TokenVerifier, token: &str, expected_reason: &str) {
        match verifier.verify(token) {
            Err(ApiError::Unauthenticated(reason)) => {
                assert_eq!(reason, expected_reason);
                assert!(token.is_empty() || !reason.contains(token));
            }
            other => panic!("expected UNAUTHENTICATED ({expected_reason}), got {other:?}"),
        }
    }

    #[test]
    fn a_valid_rs256_token_yields_its_claims() {
        let claims = plain().verify(&sign(&base_claims())).unwrap();
        let expected = Claims {
            user_id: "user-123".into(),
            supreme: false,
            campaigns: BTreeMap::from([(
                CAMPAIGN.to_owned(),
                CampaignGrant {
                    actions: vec!["read".into(), "write".into()],
                },
            )]),
        };
        assert_eq!(claims, expected);
    }

    #[test]
    fn a_verifier_built_from_the_public_pem_accepts_the_token() {
        let verifier =
            TokenVerifier::from_rsa_public_pem(TRUSTED.public_pem().as_bytes(), None, None)
                .unwrap();
        let claims = verifier.verify(&sign(&base_claims())).unwrap();
        assert_eq!(claims.user_id, "user-123");
    }

    #[test]
    fn a_pkcs1_public_key_pem_is_accepted_too() {
        let spki = pem::parse(TRUSTED.public_pem()).unwrap();
        let key = aws_lc_rs::rsa::PublicKey::from_der(spki.contents()).unwrap();
        let pkcs1 = pem::encode(&pem::Pem::new("RSA PUBLIC KEY", key.as_ref()));
        let verifier = TokenVerifier::from_rsa_public_pem(pkcs1.as_bytes(), None, None).unwrap();
        assert!(verifier.verify(&sign(&base_claims())).is_ok());
    }

    #[test]
    fn an_expired_token_is_refused_beyond_the_leeway_only() {
        let lapsed = with(base_claims(), "exp", json!(now() - 120));
        assert_refused(&plain(), &sign(&lapsed), "the token has expired");
        let within_leeway = with(base_claims(), "exp", json!(now() - 10));
        assert!(plain().verify(&sign(&within_leeway)).is_ok());
    }

    #[test]
    fn a_verified_token_is_remembered_until_it_expires() {
        let verifier = plain();
        let token = sign(&base_claims());
        let first = verifier.verify(&token).unwrap();
        assert_eq!(verifier.verify(&token).unwrap(), first);
        assert_eq!(remembered_count(&verifier), 1);
        assert!(is_remembered(&verifier, &token));

        // A remembered token whose `exp` has passed is not served from memory: the full check
        // runs again and refuses it (whatever lifetime the cache gave the entry).
        let lapsed = sign(&with(base_claims(), "exp", json!(now() - 120)));
        remember(
            &verifier,
            &lapsed,
            Verified {
                claims: first.clone(),
                expires: u64::try_from(now() - 120).unwrap(),
                checked: get_current_timestamp(),
                lifetime: Duration::from_secs(VERIFIED_TTL_SECS),
            },
        );
        assert_refused(&verifier, &lapsed, "the token has expired");

        // An entry older than the verified TTL is checked again too.
        let forged = "not.a.token";
        remember(
            &verifier,
            forged,
            Verified {
                claims: first,
                expires: u64::MAX / 2,
                checked: get_current_timestamp() - VERIFIED_TTL_SECS,
                lifetime: Duration::from_secs(VERIFIED_TTL_SECS),
            },
        );
        assert_refused(&verifier, forged, "the token is malformed");
    }

    #[test]
    fn a_refused_token_is_not_remembered() {
        let verifier = plain();
        let _ = verifier.verify(&sign_with(&OTHER, &base_claims()));
        assert_eq!(remembered_count(&verifier), 0);
    }

    #[test]
    fn the_cache_stays_within_its_capacity_under_many_distinct_tokens() {
        const CAPACITY: u64 = 16;
        let verifier = TRUSTED.verifier_with_cache(None, None, CAPACITY);
        let key = EncodingKey::from_rsa_pem(TRUSTED.private_pem().as_bytes()).unwrap();
        let tokens: Vec<String> = (0..200)
            .map(|i| {
                let claims = with(base_claims(), "userId", json!(format!("user-{i}")));
                jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &key).unwrap()
            })
            .collect();
        for round in 0..2 {
            for (i, token) in tokens.iter().enumerate() {
                let claims = verifier.verify(token).unwrap();
                assert_eq!(claims.user_id, format!("user-{i}"), "round {round}");
            }
            let held = remembered_count(&verifier);
            assert!(held <= CAPACITY, "{held} tokens held, capacity {CAPACITY}");
            assert!(held > 0, "nothing remembered");
        }
        // Tokens the cache let go of are verified in full again, and still pass.
        assert!(tokens.iter().all(|token| verifier.verify(token).is_ok()));
    }

    #[test]
    fn the_lifetime_of_an_entry_is_capped_by_exp() {
        let now_secs = get_current_timestamp();
        let now = Duration::from_secs(now_secs) + Duration::from_millis(400);
        let ttl = Duration::from_secs(VERIFIED_TTL_SECS);
        // Far from `exp`: the verified TTL.
        assert_eq!(lifetime(now_secs + 600, now), ttl);
        // `exp` plus leeway within the TTL: up to the second after it begins, no longer.
        assert_eq!(
            lifetime(now_secs + 10, now),
            Duration::from_secs(10 + LEEWAY_SECS + 1) - Duration::from_millis(400)
        );
        assert_eq!(
            lifetime(now_secs - LEEWAY_SECS, now),
            Duration::from_millis(600)
        );
        // Past `exp` plus leeway: not remembered at all.
        assert_eq!(lifetime(now_secs - LEEWAY_SECS - 1, now), Duration::ZERO);
        assert_eq!(lifetime(0, now), Duration::ZERO);
        assert_eq!(lifetime(u64::MAX, now), ttl);
    }

    #[test]
    fn a_remembered_token_leaves_the_cache_when_its_exp_passes() {
        let verifier = plain();
        // Accepted within the leeway, for 2 to 3 more seconds.
        let token = sign(&with(base_claims(), "exp", json!(now() - 28)));
        assert!(verifier.verify(&token).is_ok());
        let entry = cache(&verifier).get(&token_digest(&token)).unwrap();
        assert!(
            entry.lifetime <= Duration::from_secs(3),
            "lifetime {:?} is not capped by exp",
            entry.lifetime
        );
        std::thread::sleep(entry.lifetime + Duration::from_millis(100));
        assert!(
            !is_remembered(&verifier, &token),
            "the cache kept it past exp"
        );
        assert_refused(&verifier, &token, "the token has expired");
        assert_eq!(remembered_count(&verifier), 0);
    }

    #[test]
    fn a_capacity_of_zero_remembers_nothing() {
        let verifier = TRUSTED.verifier_with_cache(None, None, 0);
        assert!(verifier.inner.verified.is_none());
        let token = sign(&base_claims());
        let first = verifier.verify(&token).unwrap();
        assert_eq!(verifier.verify(&token).unwrap(), first);
        assert_refused(
            &verifier,
            &sign_with(&OTHER, &base_claims()),
            "the token signature is not valid",
        );
        let lapsed = sign(&with(base_claims(), "exp", json!(now() - 120)));
        assert_refused(&verifier, &lapsed, "the token has expired");
    }

    #[test]
    fn a_verification_that_read_keys_before_a_lost_key_is_not_remembered() {
        let verifier = plain();
        let token = sign(&base_claims());
        // A reload lost a key between the choice of the key and the end of the check.
        let before = verifier.inner.generation.fetch_add(1, Ordering::SeqCst);
        let key = verifier.inner.key.as_ref().unwrap();
        assert!(
            verifier
                .decode(&token, key, get_current_timestamp(), before)
                .is_ok()
        );
        assert!(!is_remembered(&verifier, &token));
        // The next verification reads the current generation and is remembered.
        assert!(verifier.verify(&token).is_ok());
        assert!(is_remembered(&verifier, &token));
    }

    #[test]
    fn a_token_not_valid_yet_is_refused() {
        let future = with(base_claims(), "nbf", json!(now() + 300));
        assert_refused(&plain(), &sign(&future), "the token is not valid yet");
        let past = with(base_claims(), "nbf", json!(now() - 300));
        assert!(plain().verify(&sign(&past)).is_ok());
    }

    #[test]
    fn a_token_without_exp_is_refused() {
        let token = sign(&without(base_claims(), "exp"));
        assert_refused(&plain(), &token, "the token has no valid exp claim");
    }

    #[test]
    fn mistyped_time_claims_are_refused() {
        // CVE-2026-25537: a string `exp` (or `nbf`) must not skip its check.
        let token = sign(&with(base_claims(), "exp", json!("2000000000")));
        assert_refused(&plain(), &token, "the token has no valid exp claim");
        let token = sign(&with(base_claims(), "nbf", json!("0")));
        assert_refused(&plain(), &token, "the token nbf claim is malformed");
    }

    #[test]
    fn a_token_without_user_id_is_malformed() {
        let token = sign(&without(base_claims(), "userId"));
        assert_refused(&plain(), &token, "the token is malformed");
    }

    #[test]
    fn an_unsigned_alg_none_token_is_refused() {
        let valid = sign(&base_claims());
        let payload = valid.split('.').nth(1).unwrap();
        // base64url of {"alg":"none","typ":"JWT"}
        let header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0";
        for token in [
            format!("{header}.{payload}."),
            format!("{header}.{payload}"),
        ] {
            assert!(matches!(
                plain().verify(&token),
                Err(ApiError::Unauthenticated(_))
            ));
        }
    }

    #[test]
    fn an_hs256_token_keyed_with_the_public_pem_is_refused() {
        // The key-confusion attack: HMAC with the (public) verification key as the secret.
        let secret = EncodingKey::from_secret(TRUSTED.public_pem().as_bytes());
        let token =
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &base_claims(), &secret).unwrap();
        assert_refused(&plain(), &token, "the token must be signed with RS256");
    }

    #[test]
    fn other_rs_family_algorithms_are_refused() {
        let key = EncodingKey::from_rsa_pem(TRUSTED.private_pem().as_bytes()).unwrap();
        for alg in [Algorithm::RS512, Algorithm::PS256] {
            let token = jsonwebtoken::encode(&Header::new(alg), &base_claims(), &key).unwrap();
            assert_refused(&plain(), &token, "the token must be signed with RS256");
        }
    }

    #[test]
    fn a_token_signed_by_another_key_is_refused() {
        let token = sign_with(&OTHER, &base_claims());
        assert_refused(&plain(), &token, "the token signature is not valid");
    }

    #[test]
    fn a_tampered_payload_is_refused() {
        let genuine = sign(&base_claims());
        let forged = sign_with(&OTHER, &with(base_claims(), "supreme", json!(true)));
        let mut parts: Vec<&str> = genuine.split('.').collect();
        parts[1] = forged.split('.').nth(1).unwrap();
        assert_refused(
            &plain(),
            &parts.join("."),
            "the token signature is not valid",
        );
    }

    #[test]
    fn garbage_is_refused() {
        for token in ["", "garbage", "a.b.c", "....", "Bearer x"] {
            assert_refused(&plain(), token, "the token is malformed");
        }
    }

    #[test]
    fn a_configured_issuer_and_audience_are_required_and_matched() {
        let good = with(
            with(base_claims(), "iss", json!("issuer-x")),
            "aud",
            json!("audience-y"),
        );
        assert!(configured().verify(&sign(&good)).is_ok());
        assert_refused(
            &configured(),
            &sign(&without(good.clone(), "iss")),
            "the token has no valid iss claim",
        );
        assert_refused(
            &configured(),
            &sign(&without(good.clone(), "aud")),
            "the token has no valid aud claim",
        );
        assert_refused(
            &configured(),
            &sign(&with(good.clone(), "iss", json!("someone-else"))),
            "the token issuer is not accepted",
        );
        assert_refused(
            &configured(),
            &sign(&with(good.clone(), "aud", json!("another-service"))),
            "the token audience is not accepted",
        );
        let listed = with(good, "aud", json!(["another-service", "audience-y"]));
        assert!(configured().verify(&sign(&listed)).is_ok());
    }

    #[test]
    fn issuer_and_audience_are_ignored_when_not_configured() {
        assert!(plain().verify(&sign(&base_claims())).is_ok());
        let any = with(
            with(base_claims(), "iss", json!("anyone")),
            "aud",
            json!("anything"),
        );
        assert!(plain().verify(&sign(&any)).is_ok());
    }

    #[test]
    fn only_an_rsa_public_key_pem_is_accepted() {
        let refused = |pem: &[u8]| {
            matches!(
                TokenVerifier::from_rsa_public_pem(pem, None, None),
                Err(AuthSetupError::InvalidPublicKey(_))
            )
        };
        assert!(refused(b"not a pem"));
        assert!(refused(TRUSTED.private_pem().as_bytes()));
        assert!(refused(
            pem::encode(&pem::Pem::new("PUBLIC KEY", b"junk".to_vec())).as_bytes()
        ));
        assert!(refused(
            pem::encode(&pem::Pem::new("CERTIFICATE", b"junk".to_vec())).as_bytes()
        ));
    }

    #[test]
    fn an_unreadable_key_file_names_the_file() {
        let path = std::env::temp_dir().join("campaign-service-no-such-key.pem");
        let error = TokenVerifier::from_rsa_public_pem_file(&path, None, None).unwrap_err();
        assert!(matches!(error, AuthSetupError::UnreadableKey { .. }));
        assert!(
            error
                .to_string()
                .contains("campaign-service-no-such-key.pem")
        );
    }

    #[test]
    fn the_verifier_is_shareable_and_prints_no_key() {
        fn shareable<T: Send + Sync + Clone + 'static>() {}
        shareable::<TokenVerifier>();
        let printed = format!("{:?}", configured());
        assert!(printed.contains("issuer-x") && !printed.contains("BEGIN"));
        assert_eq!(configured().issuer(), Some("issuer-x"));
        assert_eq!(configured().audience(), Some("audience-y"));
    }

    /// Key sets (ADR 0016), on a JWKS file the tests rewrite.
    mod key_sets {
        use std::path::PathBuf;
        use std::time::Duration;

        use super::super::super::key_set::KeySetOptions;
        use super::*;

        /// A JWKS file removed when the test ends.
        struct JwksFile(PathBuf);

        impl JwksFile {
            fn new(keys: &[(&super::super::super::DevKeys, &str)]) -> Self {
                let file = Self(std::env::temp_dir().join(format!(
                    "campaign-service-verifier-{}.json",
                    uuid::Uuid::new_v4()
                )));
                file.write(keys);
                file
            }

            fn write(&self, keys: &[(&super::super::super::DevKeys, &str)]) {
                let keys: Vec<Value> = keys
                    .iter()
                    .map(|(keys, kid)| serde_json::to_value(keys.jwk(kid)).unwrap())
                    .collect();
                std::fs::write(&self.0, json!({ "keys": keys }).to_string()).unwrap();
            }
        }

        impl Drop for JwksFile {
            fn drop(&mut self) {
                let _ = std::fs::remove_file(&self.0);
            }
        }

        /// No periodic reload within a test unless asked; unknown kids reload at once.
        fn options(floor: Duration) -> KeySetOptions {
            KeySetOptions {
                refresh_interval: Duration::from_secs(3600),
                refetch_floor: floor,
                ..KeySetOptions::default()
            }
        }

        async fn over(file: &JwksFile, pem: bool, options: KeySetOptions) -> TokenVerifier {
            let pem_file = pem.then(|| {
                let path = file.0.with_extension("pem");
                std::fs::write(&path, TRUSTED.public_pem()).unwrap();
                path
            });
            let sources = KeySources {
                public_key_file: pem_file.clone(),
                jwks_file: Some(file.0.clone()),
                jwks_url: None,
                options,
                cache_capacity: DEFAULT_CACHE_CAPACITY,
            };
            let verifier = TokenVerifier::from_sources(&sources, None, None)
                .await
                .unwrap();
            if let Some(path) = pem_file {
                std::fs::remove_file(path).unwrap();
            }
            verifier
        }

        fn signed(keys: &super::super::super::DevKeys, kid: Option<&str>) -> String {
            let header = Header {
                kid: kid.map(str::to_owned),
                ..Header::new(Algorithm::RS256)
            };
            let key = EncodingKey::from_rsa_pem(keys.private_pem().as_bytes()).unwrap();
            jsonwebtoken::encode(&header, &base_claims(), &key).unwrap()
        }

        #[tokio::test]
        async fn the_kid_chooses_the_key_of_the_set() {
            let file = JwksFile::new(&[(&TRUSTED, "t"), (&OTHER, "o")]);
            let verifier = over(&file, false, options(Duration::from_secs(3600))).await;
            assert!(verifier.verify(&signed(&TRUSTED, Some("t"))).is_ok());
            assert!(verifier.verify(&signed(&OTHER, Some("o"))).is_ok());
            // The right kid on the wrong key is a bad signature.
            assert_refused(
                &verifier,
                &signed(&OTHER, Some("t")),
                "the token signature is not valid",
            );
            assert_refused(
                &verifier,
                &signed(&TRUSTED, None),
                "the token has no key id (kid)",
            );
            assert_refused(
                &verifier,
                &signed(&TRUSTED, Some("nobody")),
                "the token key id (kid) is not known",
            );
            let printed = format!("{verifier:?}");
            assert!(printed.contains("CAMPAIGN_JWT_JWKS_FILE"), "{printed}");
        }

        #[tokio::test]
        async fn rs256_stays_pinned_with_a_kid() {
            let file = JwksFile::new(&[(&TRUSTED, "t")]);
            let verifier = over(&file, false, options(Duration::from_secs(3600))).await;
            let key = EncodingKey::from_rsa_pem(TRUSTED.private_pem().as_bytes()).unwrap();
            for alg in [Algorithm::RS512, Algorithm::PS256] {
                let header = Header {
                    kid: Some("t".to_owned()),
                    ..Header::new(alg)
                };
                let token = jsonwebtoken::encode(&header, &base_claims(), &key).unwrap();
                assert_refused(&verifier, &token, "the token must be signed with RS256");
            }
            let secret = EncodingKey::from_secret(b"t");
            let header = Header {
                kid: Some("t".to_owned()),
                ..Header::new(Algorithm::HS256)
            };
            let token = jsonwebtoken::encode(&header, &base_claims(), &secret).unwrap();
            assert_refused(&verifier, &token, "the token must be signed with RS256");
            let lapsed = with(base_claims(), "exp", json!(now() - 120));
            let header = Header {
                kid: Some("t".to_owned()),
                ..Header::new(Algorithm::RS256)
            };
            let token = jsonwebtoken::encode(&header, &lapsed, &key).unwrap();
            assert_refused(&verifier, &token, "the token has expired");
            assert_refused(&verifier, "garbage", "the token is malformed");
        }

        #[tokio::test]
        async fn the_pem_key_checks_tokens_without_kid_and_with_an_unknown_one() {
            let file = JwksFile::new(&[(&OTHER, "o")]);
            let verifier = over(&file, true, options(Duration::from_secs(3600))).await;
            assert!(verifier.verify(&signed(&TRUSTED, None)).is_ok());
            assert!(verifier.verify(&signed(&TRUSTED, Some("legacy"))).is_ok());
            assert!(verifier.verify(&signed(&OTHER, Some("o"))).is_ok());
            assert_refused(
                &verifier,
                &signed(&OTHER, None),
                "the token signature is not valid",
            );
            // Without key sets the kid is ignored, as before key sets existed.
            assert!(plain().verify(&signed(&TRUSTED, Some("anything"))).is_ok());
        }

        #[tokio::test]
        async fn an_unknown_kid_reloads_the_set_once_per_floor() {
            let file = JwksFile::new(&[(&TRUSTED, "t")]);
            let floor = Duration::from_millis(1500);
            let verifier = over(&file, false, options(floor)).await;
            file.write(&[(&TRUSTED, "t"), (&OTHER, "o")]);
            let o = signed(&OTHER, Some("o"));
            assert!(
                verifier.verify_fresh(&o).await.is_ok(),
                "reloaded for the unknown kid"
            );

            // Within the floor a newer key is not looked for.
            file.write(&[(&TRUSTED, "t"), (&OTHER, "o"), (&OTHER, "o2")]);
            let o2 = signed(&OTHER, Some("o2"));
            assert!(matches!(verifier.begin(&o2), Verification::Done(Err(_))));
            assert_refused(&verifier, &o2, "the token key id (kid) is not known");
            tokio::time::sleep(floor).await;
            assert!(matches!(verifier.begin(&o2), Verification::Pending(_)));
            assert!(verifier.verify_fresh(&o2).await.is_ok());
        }

        #[tokio::test]
        async fn concurrent_unknown_kids_wait_for_one_reload() {
            let file = JwksFile::new(&[(&TRUSTED, "t")]);
            let verifier = over(&file, false, options(Duration::from_secs(3600))).await;
            file.write(&[(&TRUSTED, "t"), (&OTHER, "o")]);
            let tokens: Vec<String> = (0..8)
                .map(|i| {
                    let claims = with(base_claims(), "userId", json!(format!("user-{i}")));
                    let header = Header {
                        kid: Some("o".to_owned()),
                        ..Header::new(Algorithm::RS256)
                    };
                    let key = EncodingKey::from_rsa_pem(OTHER.private_pem().as_bytes()).unwrap();
                    jsonwebtoken::encode(&header, &claims, &key).unwrap()
                })
                .collect();
            // All start before the reload runs (one thread): all wait for the same one.
            let pending: Vec<_> = tokens
                .iter()
                .map(|token| match verifier.begin(token) {
                    Verification::Pending(answer) => answer,
                    Verification::Done(result) => panic!("expected to wait, got {result:?}"),
                })
                .collect();
            for answer in futures::future::join_all(pending).await {
                assert!(answer.is_ok());
            }
        }

        #[tokio::test]
        async fn the_non_waiting_check_starts_the_reload_in_the_background() {
            let file = JwksFile::new(&[(&TRUSTED, "t")]);
            let verifier = over(&file, false, options(Duration::from_secs(3600))).await;
            file.write(&[(&TRUSTED, "t"), (&OTHER, "o")]);
            let o = signed(&OTHER, Some("o"));
            assert_refused(&verifier, &o, "the token key id (kid) is not known");
            for _ in 0..100 {
                if verifier.verify(&o).is_ok() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            panic!("the background reload never made the new key usable");
        }

        #[tokio::test]
        async fn the_set_is_reloaded_periodically_and_a_lost_key_forgets_its_tokens() {
            let file = JwksFile::new(&[(&TRUSTED, "t"), (&OTHER, "o")]);
            let verifier = over(
                &file,
                false,
                KeySetOptions {
                    refresh_interval: Duration::from_millis(50),
                    ..options(Duration::from_secs(3600))
                },
            )
            .await;
            let t = signed(&TRUSTED, Some("t"));
            assert!(verifier.verify(&t).is_ok());
            assert!(is_remembered(&verifier, &t));
            file.write(&[(&OTHER, "o")]);
            tokio::time::sleep(Duration::from_millis(300)).await;
            assert!(!is_remembered(&verifier, &t));
            assert_refused(&verifier, &t, "the token key id (kid) is not known");
            // A broken set keeps the last good one.
            std::fs::write(&file.0, b"{\"keys\": []}").unwrap();
            tokio::time::sleep(Duration::from_millis(300)).await;
            assert!(verifier.verify(&signed(&OTHER, Some("o"))).is_ok());
        }

        #[tokio::test]
        async fn a_replaced_or_removed_key_forgets_every_remembered_token() {
            let file = JwksFile::new(&[(&TRUSTED, "t"), (&OTHER, "o")]);
            let verifier = over(&file, false, options(Duration::from_secs(3600))).await;
            let t = signed(&TRUSTED, Some("t"));
            let o = signed(&OTHER, Some("o"));
            assert!(verifier.verify(&t).is_ok() && verifier.verify(&o).is_ok());
            assert!(is_remembered(&verifier, &t) && is_remembered(&verifier, &o));

            // A new set that only adds a key keeps what was remembered.
            file.write(&[(&TRUSTED, "t"), (&OTHER, "o"), (&OTHER, "o2")]);
            reload(&verifier.inner, "test").await;
            assert!(is_remembered(&verifier, &t) && is_remembered(&verifier, &o));

            // `t` now names another key: every remembered token goes, `o`'s too.
            file.write(&[(&OTHER, "t"), (&OTHER, "o")]);
            reload(&verifier.inner, "test").await;
            assert!(!is_remembered(&verifier, &t) && !is_remembered(&verifier, &o));
            assert_eq!(remembered_count(&verifier), 0);
            assert_refused(&verifier, &t, "the token signature is not valid");
            assert!(verifier.verify(&o).is_ok());
            assert!(is_remembered(&verifier, &o));

            // `o` removed.
            file.write(&[(&OTHER, "t")]);
            reload(&verifier.inner, "test").await;
            assert!(!is_remembered(&verifier, &o));
            assert_refused(&verifier, &o, "the token key id (kid) is not known");
        }

        #[tokio::test]
        async fn unusable_sources_name_their_variable() {
            let missing = std::env::temp_dir().join("campaign-service-no-such-jwks.json");
            let error = TokenVerifier::from_sources(
                &KeySources {
                    jwks_file: Some(missing),
                    ..KeySources::default()
                },
                None,
                None,
            )
            .await
            .unwrap_err();
            assert_eq!(error.variable, "CAMPAIGN_JWT_JWKS_FILE");
            assert!(matches!(error.source, AuthSetupError::UnreadableKey { .. }));

            let file = JwksFile::new(&[(&TRUSTED, "t")]);
            let bad_pem = file.0.with_extension("bad.pem");
            std::fs::write(&bad_pem, TRUSTED.private_pem()).unwrap();
            let error = TokenVerifier::from_sources(
                &KeySources {
                    public_key_file: Some(bad_pem.clone()),
                    jwks_file: Some(file.0.clone()),
                    ..KeySources::default()
                },
                None,
                None,
            )
            .await
            .unwrap_err();
            std::fs::remove_file(bad_pem).unwrap();
            assert_eq!(error.variable, "CAMPAIGN_JWT_PUBLIC_KEY_FILE");
            assert!(
                error
                    .to_string()
                    .starts_with("CAMPAIGN_JWT_PUBLIC_KEY_FILE: invalid RSA public key")
            );

            let error = TokenVerifier::from_sources(&KeySources::default(), None, None)
                .await
                .unwrap_err();
            assert!(matches!(error.source, AuthSetupError::NoKey));
        }
    }
}
