//! JSON Web Key Sets (ADR 0016): the RSA keys of `CAMPAIGN_JWT_JWKS_FILE` or
//! `CAMPAIGN_JWT_JWKS_URL`, chosen by a token's `kid`.
//!
//! A [`KeySetSource`] holds the last good set of one variable behind an [`ArcSwap`]: the
//! verifier reads it per request without a lock, and a reload swaps a new set in atomically, so
//! a key present in both the old and the new set is never missing, not even for one request.
//!
//! A set is parsed with `jsonwebtoken`'s own [`JwkSet`]. Only RSA keys meant for RS256
//! signatures are kept: a key of another type (EC, oct, OKP), a key marked for encryption
//! (`use: enc`, or `key_ops` without `verify`), a key for another algorithm (`alg` other than
//! RS256), a key without `kid` (keys are chosen by `kid`), a duplicate `kid`, or an RSA key
//! outside 2048-8192 bits is ignored and logged — once per distinct set, not per reload. A set
//! with no usable key at all is an error: at start-up it stops the service; on a reload the last
//! good set stays.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use aws_lc_rs::encoding::AsDer as _;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::{
    AlgorithmParameters, Jwk, JwkSet, KeyAlgorithm, KeyOperations, PublicKeyUse,
};

use super::{AuthSetupError, RSA_MODULUS_BYTES};

/// How often a key set is read again when nothing asks for it earlier.
pub const DEFAULT_REFRESH_INTERVAL: Duration = Duration::from_secs(300);
/// Shortest time between two reloads caused by tokens whose `kid` no set holds.
pub const DEFAULT_REFETCH_FLOOR: Duration = Duration::from_secs(30);
/// Longest wait for the JWKS URL to answer (connection included).
pub const DEFAULT_FETCH_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest key set document accepted, in bytes (a set of a few keys is a few kilobytes).
const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

/// How key sets are kept fresh. The defaults suit production; tests shorten them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySetOptions {
    /// Period of the background reload of every key set ([`DEFAULT_REFRESH_INTERVAL`]).
    pub refresh_interval: Duration,
    /// Minimum time between two reloads caused by unknown `kid`s ([`DEFAULT_REFETCH_FLOOR`]):
    /// tokens with made-up `kid`s cannot make the service fetch once per request.
    pub refetch_floor: Duration,
    /// Timeout of one fetch of the JWKS URL ([`DEFAULT_FETCH_TIMEOUT`]).
    pub fetch_timeout: Duration,
}

impl Default for KeySetOptions {
    fn default() -> Self {
        Self {
            refresh_interval: DEFAULT_REFRESH_INTERVAL,
            refetch_floor: DEFAULT_REFETCH_FLOOR,
            fetch_timeout: DEFAULT_FETCH_TIMEOUT,
        }
    }
}

/// The usable keys of one set, by `kid`, and the document they came from.
#[derive(Debug)]
pub(super) struct Keys {
    by_kid: HashMap<String, Usable>,
    document: JwkSet,
}

/// A usable key and the JWK it came from.
#[derive(Debug)]
struct Usable {
    jwk: Jwk,
    key: DecodingKey,
}

impl Keys {
    /// The key with this `kid`.
    pub(super) fn get(&self, kid: &str) -> Option<&DecodingKey> {
        self.by_kid.get(kid).map(|usable| &usable.key)
    }

    /// Whether some key of `self` is missing from `next`, or is another key there (a `kid`
    /// reused for new material).
    fn loses_keys_in(&self, next: &Keys) -> bool {
        self.by_kid.iter().any(|(kid, usable)| {
            next.by_kid
                .get(kid)
                .is_none_or(|other| other.jwk != usable.jwk)
        })
    }
}

/// Where one set is read from.
enum Origin {
    File(PathBuf),
    Url {
        url: String,
        client: reqwest::Client,
    },
}

/// One configured key set: its origin and its last good keys.
pub(super) struct KeySetSource {
    /// The variable that configured it, named in every error and log line.
    variable: &'static str,
    origin: Origin,
    current: ArcSwap<Keys>,
}

/// What a reload did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reloaded {
    /// The document is the same as before.
    Unchanged,
    /// A new set is in place; every key of the old one is still there.
    Grown,
    /// A new set is in place and some key of the old one is gone.
    LostKeys,
}

impl KeySetSource {
    /// The set of `CAMPAIGN_JWT_JWKS_FILE`, read now.
    ///
    /// # Errors
    /// [`AuthSetupError::UnreadableKey`] or [`AuthSetupError::InvalidKeySet`].
    pub(super) async fn file(path: PathBuf) -> Result<Self, AuthSetupError> {
        Self::load_first("CAMPAIGN_JWT_JWKS_FILE", Origin::File(path)).await
    }

    /// The set of `CAMPAIGN_JWT_JWKS_URL` (http or https), fetched now.
    ///
    /// # Errors
    /// [`AuthSetupError::KeySetFetch`] when the URL is unusable or does not answer with a
    /// set, [`AuthSetupError::InvalidKeySet`] when the set holds no usable key.
    pub(super) async fn url(url: &str, timeout: Duration) -> Result<Self, AuthSetupError> {
        let fetch_error = |reason: String| AuthSetupError::KeySetFetch {
            url: url.to_owned(),
            reason,
        };
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(fetch_error("not an http(s) URL".to_owned()));
        }
        let client = reqwest::Client::builder()
            .connect_timeout(timeout)
            .timeout(timeout)
            .build()
            .map_err(|e| fetch_error(e.to_string()))?;
        let origin = Origin::Url {
            url: url.to_owned(),
            client,
        };
        Self::load_first("CAMPAIGN_JWT_JWKS_URL", origin).await
    }

    async fn load_first(variable: &'static str, origin: Origin) -> Result<Self, AuthSetupError> {
        let document = read(&origin).await?;
        let keys = parse(variable, &document)?;
        tracing::info!(
            variable,
            keys = keys.by_kid.len(),
            "JSON Web Key Set loaded"
        );
        Ok(Self {
            variable,
            origin,
            current: ArcSwap::from_pointee(keys),
        })
    }

    /// The variable that configured this set.
    pub(super) fn variable(&self) -> &'static str {
        self.variable
    }

    /// The current keys, without a lock.
    pub(super) fn keys(&self) -> arc_swap::Guard<Arc<Keys>> {
        self.current.load()
    }

    /// Reads the set again and swaps it in when it changed and holds a usable key.
    ///
    /// # Errors
    /// Why the set could not be read or used; the last good set stays in place.
    pub(super) async fn reload(&self) -> Result<Reloaded, AuthSetupError> {
        let bytes = read(&self.origin).await?;
        let document = document(&bytes)?;
        let previous = self.current.load_full();
        if document == previous.document {
            return Ok(Reloaded::Unchanged);
        }
        let next = usable(self.variable, document)?;
        let lost = previous.loses_keys_in(&next);
        tracing::info!(
            variable = self.variable,
            keys = next.by_kid.len(),
            "JSON Web Key Set changed"
        );
        self.current.store(Arc::new(next));
        Ok(if lost {
            Reloaded::LostKeys
        } else {
            Reloaded::Grown
        })
    }
}

/// The bytes of the set, from its file or its URL.
async fn read(origin: &Origin) -> Result<Vec<u8>, AuthSetupError> {
    match origin {
        Origin::File(path) => {
            let path = path.clone();
            let read = tokio::task::spawn_blocking({
                let path = path.clone();
                move || std::fs::read(path)
            })
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e)));
            read.map_err(|source| AuthSetupError::UnreadableKey { path, source })
        }
        Origin::Url { url, client } => {
            fetch(url, client)
                .await
                .map_err(|reason| AuthSetupError::KeySetFetch {
                    url: url.clone(),
                    reason,
                })
        }
    }
}

/// GET `url`, a 2xx answer of at most [`MAX_DOCUMENT_BYTES`].
async fn fetch(url: &str, client: &reqwest::Client) -> Result<Vec<u8>, String> {
    let mut response = client
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| error_chain(&e))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("the server answered {status}"));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| error_chain(&e))? {
        if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
            return Err(format!(
                "the answer is larger than {MAX_DOCUMENT_BYTES} bytes"
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// An error and its causes on one line (reqwest's own message omits the cause, e.g.
/// "connection refused").
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// The usable keys of a set document.
///
/// # Errors
/// [`AuthSetupError::InvalidKeySet`] when it is not a JWK Set or holds no usable key.
pub(super) fn parse(variable: &'static str, bytes: &[u8]) -> Result<Keys, AuthSetupError> {
    usable(variable, document(bytes)?)
}

fn document(bytes: &[u8]) -> Result<JwkSet, AuthSetupError> {
    serde_json::from_slice(bytes).map_err(|e| {
        AuthSetupError::InvalidKeySet(format!(
            "not a JSON Web Key Set (an object with a `keys` array): {e}"
        ))
    })
}

/// Keeps the usable keys of `document`, logging every other one.
fn usable(variable: &'static str, document: JwkSet) -> Result<Keys, AuthSetupError> {
    let mut by_kid = HashMap::new();
    let mut ignored = Vec::new();
    for jwk in &document.keys {
        let kid = jwk.common.key_id.as_deref().unwrap_or("");
        match usable_key(jwk) {
            Ok(_) if by_kid.contains_key(kid) => {
                ignored.push(format!("`{kid}`: a duplicate kid"));
            }
            Ok(key) => {
                let usable = Usable {
                    jwk: jwk.clone(),
                    key,
                };
                by_kid.insert(kid.to_owned(), usable);
            }
            Err(reason) => {
                tracing::warn!(variable, kid, reason = %reason, "ignoring a key of the JSON Web Key Set");
                ignored.push(format!("`{kid}`: {reason}"));
            }
        }
    }
    if by_kid.is_empty() {
        let detail = if ignored.is_empty() {
            "the set is empty".to_owned()
        } else {
            format!("ignored {}", ignored.join("; "))
        };
        return Err(AuthSetupError::InvalidKeySet(format!(
            "no usable RSA signature key with a kid ({detail})"
        )));
    }
    Ok(Keys { by_kid, document })
}

/// The key of an RS256 signature JWK with a `kid`, or why it is not one.
fn usable_key(jwk: &Jwk) -> Result<DecodingKey, String> {
    let common = &jwk.common;
    let AlgorithmParameters::RSA(rsa) = &jwk.algorithm else {
        return Err("not an RSA key".to_owned());
    };
    match &common.public_key_use {
        None | Some(PublicKeyUse::Signature) => {}
        Some(_) => return Err("not a signature key (`use` is not `sig`)".to_owned()),
    }
    if let Some(operations) = &common.key_operations
        && !operations.contains(&KeyOperations::Verify)
    {
        return Err("not a verification key (`key_ops` lacks `verify`)".to_owned());
    }
    match common.key_algorithm {
        None | Some(KeyAlgorithm::RS256) => {}
        Some(other) => {
            return Err(format!(
                "a key for {other}; the service verifies RS256 only"
            ));
        }
    }
    if common.key_id.as_deref().is_none_or(str::is_empty) {
        return Err("no kid (keys are chosen by the token's kid)".to_owned());
    }
    // Checked like a configured PEM key: the components must form an RSA key of 2048 to 8192
    // bits, in the minimal encoding RFC 7518 §6.3.1 asks for (the verifier refuses others).
    let component = |name: &str, value: &str| {
        let bytes = URL_SAFE_NO_PAD
            .decode(value)
            .map_err(|e| format!("`{name}` is not base64url ({e})"))?;
        if bytes.first().is_none_or(|first| *first == 0) {
            return Err(format!("`{name}` is empty or has leading zeros"));
        }
        Ok(bytes)
    };
    let (n, e) = (component("n", &rsa.n)?, component("e", &rsa.e)?);
    let spki = aws_lc_rs::rsa::PublicKeyComponents { n: &n, e: &e }
        .as_der()
        .map_err(|_| "not a valid RSA public key".to_owned())?;
    let key = aws_lc_rs::rsa::PublicKey::from_der(spki.as_ref())
        .map_err(|e| format!("not a valid RSA public key ({e})"))?;
    if !RSA_MODULUS_BYTES.contains(&key.modulus_len()) {
        return Err(format!(
            "a {}-bit key; RS256 needs 2048 to 8192 bits",
            key.modulus_len() * 8
        ));
    }
    DecodingKey::from_jwk(jwk).map_err(|e| format!("not a usable RSA key ({e})"))
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::super::test_keys::{OTHER, TRUSTED};
    use super::*;

    fn set(keys: &[Value]) -> Vec<u8> {
        serde_json::to_vec(&json!({ "keys": keys })).unwrap()
    }

    fn jwk(keys: &super::super::DevKeys, kid: &str) -> Value {
        serde_json::to_value(keys.jwk(kid)).unwrap()
    }

    #[test]
    fn rsa_signature_keys_are_kept_by_kid() {
        let keys = parse(
            "CAMPAIGN_JWT_JWKS_FILE",
            &set(&[jwk(&TRUSTED, "a"), jwk(&OTHER, "b")]),
        )
        .unwrap();
        assert!(keys.get("a").is_some() && keys.get("b").is_some());
        assert!(keys.get("c").is_none());
    }

    #[test]
    fn unusable_keys_are_ignored_but_the_others_kept() {
        let with = |mut key: Value, field: &str, value: Value| {
            key[field] = value;
            key
        };
        let mut no_kid = jwk(&OTHER, "x");
        no_kid.as_object_mut().unwrap().remove("kid");
        let ignored = [
            json!({"kty": "EC", "crv": "P-256", "kid": "ec", "x": "AA", "y": "AA"}),
            json!({"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"}),
            with(jwk(&OTHER, "enc"), "use", json!("enc")),
            with(jwk(&OTHER, "ops"), "key_ops", json!(["encrypt"])),
            with(jwk(&OTHER, "ps"), "alg", json!("PS256")),
            with(jwk(&OTHER, "rs512"), "alg", json!("RS512")),
            with(jwk(&OTHER, "bad-n"), "n", json!("!!")),
            with(jwk(&OTHER, "short"), "n", json!("AQAB")),
            with(jwk(&OTHER, "zero"), "n", json!("AAAB")),
            no_kid,
            // A duplicate kid keeps the first key.
            jwk(&OTHER, "good"),
        ];
        let mut all = vec![jwk(&TRUSTED, "good")];
        all.extend(ignored);
        let keys = parse("CAMPAIGN_JWT_JWKS_FILE", &set(&all)).unwrap();
        assert_eq!(keys.by_kid.len(), 1);
        let trusted = TRUSTED.jwk("good");
        let kept = keys.get("good").unwrap();
        assert_eq!(
            format!("{kept:?}"),
            format!("{:?}", DecodingKey::from_jwk(&trusted).unwrap())
        );
    }

    #[test]
    fn a_set_without_a_usable_key_is_refused_saying_why() {
        for (document, expected) in [
            (set(&[]), "the set is empty"),
            (
                set(&[json!({"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"})]),
                "`hmac`: not an RSA key",
            ),
            (b"{\"keys\": 5}".to_vec(), "not a JSON Web Key Set"),
            (b"<html>".to_vec(), "not a JSON Web Key Set"),
        ] {
            let error = parse("CAMPAIGN_JWT_JWKS_FILE", &document).unwrap_err();
            assert!(matches!(error, AuthSetupError::InvalidKeySet(_)));
            assert!(error.to_string().contains(expected), "{error}");
        }
    }

    #[test]
    fn a_key_explicitly_for_rs256_signatures_is_kept() {
        let mut key = jwk(&TRUSTED, "a");
        key["alg"] = json!("RS256");
        key["use"] = json!("sig");
        key["key_ops"] = json!(["verify"]);
        let keys = parse("CAMPAIGN_JWT_JWKS_URL", &set(&[key])).unwrap();
        assert!(keys.get("a").is_some());
    }

    #[test]
    fn losing_a_key_is_told_apart_from_gaining_one() {
        let a = parse("V", &set(&[jwk(&TRUSTED, "a")])).unwrap();
        let ab = parse("V", &set(&[jwk(&TRUSTED, "a"), jwk(&OTHER, "b")])).unwrap();
        let b = parse("V", &set(&[jwk(&OTHER, "b")])).unwrap();
        assert!(!a.loses_keys_in(&ab));
        assert!(ab.loses_keys_in(&b));
        // The same kid on another key is a lost key too.
        let a_reused = parse("V", &set(&[jwk(&OTHER, "a"), jwk(&OTHER, "b")])).unwrap();
        assert!(ab.loses_keys_in(&a_reused));
        assert!(!ab.loses_keys_in(&ab));
    }

    #[tokio::test]
    async fn a_file_set_is_reloaded_only_when_it_changed() {
        let path = std::env::temp_dir().join(format!(
            "campaign-service-jwks-{}.json",
            uuid::Uuid::new_v4()
        ));
        std::fs::write(&path, set(&[jwk(&TRUSTED, "a")])).unwrap();
        let source = KeySetSource::file(path.clone()).await.unwrap();
        assert_eq!(source.variable(), "CAMPAIGN_JWT_JWKS_FILE");
        assert_eq!(source.reload().await.unwrap(), Reloaded::Unchanged);
        std::fs::write(&path, set(&[jwk(&TRUSTED, "a"), jwk(&OTHER, "b")])).unwrap();
        assert_eq!(source.reload().await.unwrap(), Reloaded::Grown);
        assert!(source.keys().get("b").is_some());
        std::fs::write(&path, set(&[jwk(&OTHER, "b")])).unwrap();
        assert_eq!(source.reload().await.unwrap(), Reloaded::LostKeys);
        assert!(source.keys().get("a").is_none());
        // A broken file keeps the last good set.
        std::fs::write(&path, b"{}").unwrap();
        assert!(source.reload().await.is_err());
        assert!(source.keys().get("b").is_some());
        std::fs::remove_file(&path).unwrap();
        assert!(matches!(
            source.reload().await,
            Err(AuthSetupError::UnreadableKey { .. })
        ));
        assert!(source.keys().get("b").is_some());
    }

    #[tokio::test]
    async fn a_url_must_be_http_and_answer_a_set() {
        let error = KeySetSource::url("ftp://keys.example.test/jwks.json", DEFAULT_FETCH_TIMEOUT)
            .await
            .err()
            .unwrap();
        assert!(error.to_string().contains("not an http(s) URL"), "{error}");
        // Nothing listens on port 1.
        let error = KeySetSource::url("http://127.0.0.1:1/jwks.json", Duration::from_secs(2))
            .await
            .err()
            .unwrap();
        assert!(matches!(error, AuthSetupError::KeySetFetch { .. }));
        assert!(
            error.to_string().contains("127.0.0.1:1/jwks.json"),
            "{error}"
        );
    }
}
