//! [`TokenVerifier`]: checks an RS256 token against the configured public key and returns its
//! claims, or `UNAUTHENTICATED` with a short reason.
//!
//! The rules (SPEC §5): the algorithm is pinned to RS256, whatever the token's header says;
//! `exp` is required, must be a number, and is checked with [`LEEWAY_SECS`] of leeway; `nbf` is
//! checked when present; a configured issuer or audience is a required claim that must match,
//! and is ignored when not configured; the claims must have the service's shape (a token without
//! `userId` is malformed). The reason given to the client names the rule that failed, never the
//! token or the key.
//!
//! A successful verification is remembered for [`VERIFIED_TTL_SECS`] under the exact token text
//! (bounded to [`VERIFIED_CAPACITY`] tokens): clients send the same token with every request,
//! and the RSA signature check is the most expensive step of a read. A remembered token is still
//! refused once its `exp` (plus leeway) has passed.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use campaign_domain::DomainError;
use campaign_domain::permission::Claims;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};

use super::{AuthSetupError, LEEWAY_SECS, RSA_MODULUS_BYTES};

/// Verifies bearer tokens. Cheap to clone (the key and rules are shared), `Send + Sync`.
#[derive(Clone)]
pub struct TokenVerifier {
    inner: Arc<Inner>,
}

struct Inner {
    key: DecodingKey,
    validation: Validation,
    issuer: Option<String>,
    audience: Option<String>,
    verified: Mutex<HashMap<Box<str>, Verified>>,
}

/// How many verified tokens are remembered at most.
pub const VERIFIED_CAPACITY: usize = 4096;
/// How long a verification is remembered before the signature is checked again.
pub const VERIFIED_TTL_SECS: u64 = 60;

/// A token that passed every rule.
struct Verified {
    claims: Claims,
    /// The token's `exp`.
    expires: u64,
    /// When the signature was checked.
    checked: u64,
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
        Ok(Self::with_key(decoding_key(pem)?, issuer, audience))
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

    /// A verifier for an already validated key.
    pub(super) fn with_key(
        key: DecodingKey,
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
                validation,
                issuer,
                audience,
                verified: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The claims of `token` when it passes every rule.
    ///
    /// # Errors
    /// [`DomainError::Unauthenticated`] with a short client-safe reason for any failure.
    pub fn verify(&self, token: &str) -> Result<Claims, DomainError> {
        let now = jsonwebtoken::get_current_timestamp();
        if let Some(claims) = self.remembered(token, now) {
            return Ok(claims);
        }
        let data =
            jsonwebtoken::decode::<ClaimsWithExp>(token, &self.inner.key, &self.inner.validation)
                .map_err(|error| DomainError::Unauthenticated(reason(error.kind())))?;
        let Some(expires) = data.claims.exp.as_u64() else {
            // Validation accepted the token, so `exp` is a number; a float is simply not remembered.
            return Ok(data.claims.claims);
        };
        let verified = Verified {
            claims: data.claims.claims.clone(),
            expires,
            checked: now,
        };
        let mut remembered = self
            .inner
            .verified
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if remembered.len() >= VERIFIED_CAPACITY {
            // Bounded memory: start over rather than track recency.
            remembered.clear();
        }
        remembered.insert(token.into(), verified);
        Ok(data.claims.claims)
    }

    /// The claims of a token verified less than [`VERIFIED_TTL_SECS`] ago that has not expired.
    fn remembered(&self, token: &str, now: u64) -> Option<Claims> {
        let remembered = self
            .inner
            .verified
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let v = remembered.get(token)?;
        let fresh = now < v.checked.saturating_add(VERIFIED_TTL_SECS)
            && now <= v.expires.saturating_add(LEEWAY_SECS);
        fresh.then(|| v.claims.clone())
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

impl fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenVerifier")
            .field("algorithm", &Algorithm::RS256)
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

    #[track_caller]
    fn assert_refused(verifier: &TokenVerifier, token: &str, expected_reason: &str) {
        match verifier.verify(token) {
            Err(DomainError::Unauthenticated(reason)) => {
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
        assert_eq!(verifier.inner.verified.lock().unwrap().len(), 1);

        // A remembered token whose `exp` has passed is not served from memory: the full check
        // runs again and refuses it.
        let lapsed = sign(&with(base_claims(), "exp", json!(now() - 120)));
        verifier.inner.verified.lock().unwrap().insert(
            lapsed.as_str().into(),
            Verified {
                claims: first.clone(),
                expires: u64::try_from(now() - 120).unwrap(),
                checked: get_current_timestamp(),
            },
        );
        assert_refused(&verifier, &lapsed, "the token has expired");

        // An entry older than the memory's lifetime is checked again too.
        let forged = "not.a.token";
        verifier.inner.verified.lock().unwrap().insert(
            forged.into(),
            Verified {
                claims: first,
                expires: u64::MAX / 2,
                checked: get_current_timestamp() - VERIFIED_TTL_SECS,
            },
        );
        assert_refused(&verifier, forged, "the token is malformed");
    }

    #[test]
    fn a_refused_token_is_not_remembered() {
        let verifier = plain();
        let _ = verifier.verify(&sign_with(&OTHER, &base_claims()));
        assert!(verifier.inner.verified.lock().unwrap().is_empty());
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
                Err(DomainError::Unauthenticated(_))
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
}
