//! [`TokenSigner`]: mints RS256 tokens in the service's claim shape (SPEC §5), for dev mode and
//! tests. Production tokens come from the identity provider; the service only verifies them.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

use super::{AuthSetupError, RSA_MODULUS_BYTES};

/// What a minted token says. Serialized as
/// `{"userId", "supreme", "campaigns": {<id>: {"actions": [...]}}, "iat", "exp", "iss"?, "aud"?}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenClaims {
    /// The user's id (`userId`).
    pub user_id: String,
    /// Global admin (`supreme`).
    pub supreme: bool,
    /// Campaign id to its granted actions (`read`, `write`, `admin`).
    pub campaigns: BTreeMap<String, Vec<String>>,
    /// Lifetime: `exp` is now plus this (whole seconds).
    pub expires_in: Duration,
    /// `iss`, when set.
    pub issuer: Option<String>,
    /// `aud`, when set.
    pub audience: Option<String>,
}

impl TokenClaims {
    /// A supreme user's claims, without issuer or audience.
    pub fn supreme(user_id: impl Into<String>, expires_in: Duration) -> Self {
        Self {
            user_id: user_id.into(),
            supreme: true,
            campaigns: BTreeMap::new(),
            expires_in,
            issuer: None,
            audience: None,
        }
    }
}

/// The claims as they go on the wire.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireClaims<'a> {
    user_id: &'a str,
    supreme: bool,
    campaigns: BTreeMap<&'a str, WireGrant<'a>>,
    iat: u64,
    exp: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    iss: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aud: Option<&'a str>,
}

#[derive(Serialize)]
struct WireGrant<'a> {
    actions: &'a [String],
}

/// Signs tokens with an RSA private key (RS256), optionally naming the key in the header's
/// `kid` ([`TokenSigner::with_key_id`]) for services that verify against a JSON Web Key Set.
#[derive(Clone)]
pub struct TokenSigner {
    key: EncodingKey,
    kid: Option<String>,
}

impl TokenSigner {
    /// A signer from an RSA private key in PEM form (`PRIVATE KEY`, i.e. PKCS#8, or
    /// `RSA PRIVATE KEY`, i.e. PKCS#1) of 2048 to 8192 bits.
    ///
    /// # Errors
    /// [`AuthSetupError::InvalidPrivateKey`] when `pem` is not such a key.
    pub fn from_rsa_private_pem(pem: &[u8]) -> Result<Self, AuthSetupError> {
        let invalid = AuthSetupError::InvalidPrivateKey;
        let block = pem::parse(pem).map_err(|e| invalid(format!("not a PEM document ({e})")))?;
        let pair = match block.tag() {
            "PRIVATE KEY" => aws_lc_rs::rsa::KeyPair::from_pkcs8(block.contents()),
            "RSA PRIVATE KEY" => aws_lc_rs::rsa::KeyPair::from_der(block.contents()),
            tag if tag.contains("PUBLIC KEY") => {
                return Err(invalid(
                    "this is a public key; signing needs the private key".to_owned(),
                ));
            }
            tag => {
                return Err(invalid(format!(
                    "expected a PRIVATE KEY or RSA PRIVATE KEY block, found {tag}"
                )));
            }
        }
        .map_err(|e| invalid(format!("not an RSA private key ({e})")))?;
        if !RSA_MODULUS_BYTES.contains(&pair.public_modulus_len()) {
            return Err(invalid(format!(
                "a {}-bit key; RS256 needs 2048 to 8192 bits",
                pair.public_modulus_len() * 8
            )));
        }
        let key = EncodingKey::from_rsa_pem(pem).map_err(|e| invalid(e.to_string()))?;
        Ok(Self { key, kid: None })
    }

    /// The same signer, writing `kid` into the header of every token it signs (the id of the
    /// key in the verifier's JSON Web Key Set).
    #[must_use]
    pub fn with_key_id(self, kid: impl Into<String>) -> Self {
        Self {
            kid: Some(kid.into()),
            ..self
        }
    }

    /// The `kid` this signer writes, if any.
    pub fn key_id(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// A signed RS256 token carrying `claims`, issued now and expiring `claims.expires_in`
    /// later.
    ///
    /// # Errors
    /// [`AuthSetupError::Signing`] when signing fails.
    pub fn sign(&self, claims: &TokenClaims) -> Result<String, AuthSetupError> {
        let now = jsonwebtoken::get_current_timestamp();
        let wire = WireClaims {
            user_id: &claims.user_id,
            supreme: claims.supreme,
            campaigns: claims
                .campaigns
                .iter()
                .map(|(id, actions)| (id.as_str(), WireGrant { actions }))
                .collect(),
            iat: now,
            exp: now.saturating_add(claims.expires_in.as_secs()),
            iss: claims.issuer.as_deref(),
            aud: claims.audience.as_deref(),
        };
        let header = Header {
            kid: self.kid.clone(),
            ..Header::new(Algorithm::RS256)
        };
        jsonwebtoken::encode(&header, &wire, &self.key)
            .map_err(|e| AuthSetupError::Signing(e.to_string()))
    }
}

impl fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSigner")
            .field("algorithm", &Algorithm::RS256)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use campaign_domain::permission::{Action, Actor};
    use campaign_domain::values::CampaignId;
    use serde_json::Value;

    use super::super::test_keys::TRUSTED;
    use super::*;

    const CAMPAIGN: &str = "0123456789abcdef01234567";

    fn claims() -> TokenClaims {
        TokenClaims {
            user_id: "user-7".into(),
            supreme: false,
            campaigns: BTreeMap::from([(CAMPAIGN.to_owned(), vec!["write".to_owned()])]),
            expires_in: Duration::from_secs(900),
            issuer: Some("issuer-x".into()),
            audience: Some("audience-y".into()),
        }
    }

    #[test]
    fn a_signed_token_verifies_and_grants_what_it_says() {
        let token = TRUSTED.signer().sign(&claims()).unwrap();
        let verifier = TRUSTED.verifier(Some("issuer-x".into()), Some("audience-y".into()));
        let actor = Actor::from_claims(&verifier.verify(&token).unwrap());
        let campaign = CampaignId::parse(CAMPAIGN).unwrap();
        assert_eq!(actor.user_id(), "user-7");
        assert!(!actor.is_supreme());
        assert!(actor.can(Action::Write, &campaign) && !actor.can(Action::Admin, &campaign));
    }

    #[test]
    fn the_token_has_the_wire_shape_and_lifetime() {
        let token = TRUSTED.signer().sign(&claims()).unwrap();
        let payload: Value = jsonwebtoken::dangerous::insecure_decode(&token)
            .map(|data| data.claims)
            .unwrap();
        let iat = payload["iat"].as_u64().unwrap();
        assert_eq!(payload["exp"].as_u64().unwrap(), iat + 900);
        assert!(iat.abs_diff(jsonwebtoken::get_current_timestamp()) <= 5);
        assert_eq!(payload["userId"], "user-7");
        assert_eq!(payload["supreme"], false);
        assert_eq!(
            payload["campaigns"][CAMPAIGN]["actions"],
            serde_json::json!(["write"])
        );
        assert_eq!(payload["iss"], "issuer-x");
        assert_eq!(payload["aud"], "audience-y");
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.alg, Algorithm::RS256);
        assert_eq!(header.kid, None);
    }

    #[test]
    fn a_signer_with_a_key_id_writes_it_into_the_header() {
        let signer = TRUSTED.signer().clone().with_key_id("key-2026");
        assert_eq!(signer.key_id(), Some("key-2026"));
        let token = signer.sign(&claims()).unwrap();
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.kid.as_deref(), Some("key-2026"));
        assert_eq!(header.alg, Algorithm::RS256);
        let verifier = TRUSTED.verifier(Some("issuer-x".into()), Some("audience-y".into()));
        assert_eq!(verifier.verify(&token).unwrap().user_id, "user-7");
        assert_eq!(TRUSTED.signer().key_id(), None, "the original is unchanged");
    }

    #[test]
    fn a_supreme_token_without_issuer_or_audience_carries_neither() {
        let token = TRUSTED
            .signer()
            .sign(&TokenClaims::supreme("root", Duration::from_secs(60)))
            .unwrap();
        let payload: Value = jsonwebtoken::dangerous::insecure_decode(&token)
            .map(|data| data.claims)
            .unwrap();
        assert!(payload.get("iss").is_none() && payload.get("aud").is_none());
        let claims = TRUSTED.verifier(None, None).verify(&token).unwrap();
        assert!(claims.supreme && claims.user_id == "root");
    }

    #[test]
    fn only_an_rsa_private_key_pem_is_accepted() {
        let refused = |pem: &[u8]| {
            matches!(
                TokenSigner::from_rsa_private_pem(pem),
                Err(AuthSetupError::InvalidPrivateKey(_))
            )
        };
        assert!(refused(b"not a pem"));
        assert!(refused(TRUSTED.public_pem().as_bytes()));
        assert!(refused(
            pem::encode(&pem::Pem::new("PRIVATE KEY", b"junk".to_vec())).as_bytes()
        ));
        assert!(TokenSigner::from_rsa_private_pem(TRUSTED.private_pem().as_bytes()).is_ok());
    }

    #[test]
    fn the_signer_prints_no_key() {
        assert!(!format!("{:?}", TRUSTED.signer()).contains("BEGIN"));
    }
}
