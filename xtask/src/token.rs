//! `cargo xtask token`: mints an RS256 token in the service's claim shape (SPEC §5) and prints
//! only the token, so `TOKEN=$(cargo xtask token --supreme)` works.
//!
//! The key is the RSA private key PEM from `--key`, else from the file named by
//! `CAMPAIGN_DEV_KEY_FILE`, else the file a service started with `CAMPAIGN_DEV_MODE=true`
//! writes: `campaign-service-dev-key.pem` in the system temporary directory. Signing is a few
//! lines of `jsonwebtoken` here, so xtask stays independent of the service crates.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

/// The variable naming the key file, when `--key` is not given.
const KEY_FILE_VAR: &str = "CAMPAIGN_DEV_KEY_FILE";

/// The file name of the dev key a dev-mode service writes in the temporary directory.
const DEV_KEY_FILE_NAME: &str = "campaign-service-dev-key.pem";

/// The actions a campaign grant may name.
const ACTIONS: [&str; 3] = ["read", "write", "admin"];

/// Options of `cargo xtask token`.
#[derive(Debug, clap::Args)]
pub struct TokenArgs {
    /// Make the token supreme: every campaign, every action, the admin-only endpoints.
    #[arg(long)]
    supreme: bool,
    /// The token's `userId`.
    #[arg(long, value_name = "ID", default_value = "dev-user")]
    user: String,
    /// Grant actions on one campaign: a 24-hex id, a colon, actions among read,write,admin
    /// (e.g. `--campaign 0123456789abcdef01234567:read,write`). Repeatable.
    #[arg(long = "campaign", value_name = "ID:ACTIONS", value_parser = parse_grant)]
    campaigns: Vec<Grant>,
    /// Lifetime of the token in seconds.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 3600,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    exp: u64,
    /// RSA private key PEM file [default: $CAMPAIGN_DEV_KEY_FILE, else the dev-mode service's
    /// key in the temporary directory].
    #[arg(long, value_name = "PEM_FILE")]
    key: Option<PathBuf>,
    /// The `iss` claim (match the service's CAMPAIGN_JWT_ISSUER).
    #[arg(long, value_name = "ISSUER")]
    issuer: Option<String>,
    /// The `aud` claim (match the service's CAMPAIGN_JWT_AUDIENCE).
    #[arg(long, value_name = "AUDIENCE")]
    audience: Option<String>,
    /// The header's `kid`: the id of the key in the service's JSON Web Key Set
    /// (CAMPAIGN_JWT_JWKS_FILE or CAMPAIGN_JWT_JWKS_URL).
    #[arg(long, value_name = "KID")]
    kid: Option<String>,
}

/// One `--campaign` value: a campaign id (lower case) and its actions.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Grant {
    campaign: String,
    actions: Vec<String>,
}

/// Mints the token and prints it alone on stdout.
pub fn run(args: &TokenArgs) -> anyhow::Result<()> {
    let path = key_path(
        args.key.as_deref(),
        std::env::var_os(KEY_FILE_VAR),
        &default_key_path(),
    )?;
    let pem = std::fs::read(&path)
        .with_context(|| format!("cannot read the key file {}", path.display()))?;
    let token = mint(&pem, args, jsonwebtoken::get_current_timestamp())
        .with_context(|| format!("cannot sign with the key in {}", path.display()))?;
    println!("{token}");
    Ok(())
}

/// A one-hour supreme token signed with the private key `pem`, for other xtask commands.
pub fn supreme_token(pem: &[u8], user: &str) -> anyhow::Result<String> {
    let args = TokenArgs {
        supreme: true,
        user: user.to_owned(),
        campaigns: Vec::new(),
        exp: 3600,
        key: None,
        issuer: None,
        audience: None,
        kid: None,
    };
    mint(pem, &args, jsonwebtoken::get_current_timestamp())
}

/// One-hour supreme tokens for the users `user_prefix-0` to `user_prefix-(count - 1)`, signed
/// with the private key `pem` (parsed once, the signing spread over the available cores): the
/// distinct users of `cargo xtask bench`'s many-users scenario.
pub fn supreme_tokens(pem: &[u8], user_prefix: &str, count: usize) -> anyhow::Result<Vec<String>> {
    let key = encoding_key(pem)?;
    let now = jsonwebtoken::get_current_timestamp();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = count.div_ceil(threads).max(1);
    let indices: Vec<usize> = (0..count).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = indices
            .chunks(chunk)
            .map(|part| {
                let key = &key;
                scope.spawn(move || {
                    part.iter()
                        .map(|i| {
                            let args = TokenArgs {
                                supreme: true,
                                user: format!("{user_prefix}-{i}"),
                                campaigns: Vec::new(),
                                exp: 3600,
                                key: None,
                                issuer: None,
                                audience: None,
                                kid: None,
                            };
                            sign(key, &args, now)
                        })
                        .collect::<anyhow::Result<Vec<_>>>()
                })
            })
            .collect();
        let mut tokens = Vec::with_capacity(count);
        for worker in workers {
            match worker.join() {
                Ok(part) => tokens.extend(part?),
                Err(_) => bail!("a token-signing thread panicked"),
            }
        }
        Ok(tokens)
    })
}

/// Where a dev-mode service writes its private key.
pub fn default_key_path() -> PathBuf {
    std::env::temp_dir().join(DEV_KEY_FILE_NAME)
}

/// The key file to use: `--key`, else the variable's file, else the dev-mode default; an
/// error saying how to get a key when the chosen file does not exist.
fn key_path(
    explicit: Option<&Path>,
    from_env: Option<OsString>,
    default: &Path,
) -> anyhow::Result<PathBuf> {
    if let Some(path) = explicit {
        if !path.is_file() {
            bail!("--key {}: no such file", path.display());
        }
        return Ok(path.to_path_buf());
    }
    if let Some(path) = from_env.filter(|p| !p.is_empty()).map(PathBuf::from) {
        if !path.is_file() {
            bail!(
                "{KEY_FILE_VAR}={}: no such file; start the service with CAMPAIGN_DEV_MODE=true \
                 or pass --key <PEM_FILE>",
                path.display()
            );
        }
        return Ok(path);
    }
    if !default.is_file() {
        bail!(
            "no dev key at {}: start the service with CAMPAIGN_DEV_MODE=true (it writes its key \
             there) or pass --key <PEM_FILE> (an RSA private key PEM)",
            default.display()
        );
    }
    Ok(default.to_path_buf())
}

/// A signed token for `args`, issued at `now` (seconds since the epoch).
fn mint(pem: &[u8], args: &TokenArgs, now: u64) -> anyhow::Result<String> {
    sign(&encoding_key(pem)?, args, now)
}

/// The RSA private key of the PEM `pem`, with a clear error for anything else.
fn encoding_key(pem: &[u8]) -> anyhow::Result<EncodingKey> {
    let block = pem::parse(pem).context("the key file is not PEM")?;
    if !block.tag().ends_with("PRIVATE KEY") {
        bail!(
            "the key file holds a {} block; an RSA private key (PRIVATE KEY or RSA PRIVATE KEY) \
             is needed",
            block.tag()
        );
    }
    EncodingKey::from_rsa_pem(pem).context("the key file is not an RSA private key")
}

/// A token for `args` signed with `key`, issued at `now`.
fn sign(key: &EncodingKey, args: &TokenArgs, now: u64) -> anyhow::Result<String> {
    let claims = claims(args, now);
    let header = Header {
        kid: args.kid.clone(),
        ..Header::new(Algorithm::RS256)
    };
    jsonwebtoken::encode(&header, &claims, key)
        .context("signing failed (is it an RSA key of 2048 to 8192 bits?)")
}

/// The claims of SPEC §5, grants of the same campaign merged.
fn claims(args: &TokenArgs, now: u64) -> Value {
    let mut campaigns: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for grant in &args.campaigns {
        let actions = campaigns.entry(&grant.campaign).or_default();
        for action in &grant.actions {
            if !actions.contains(&action.as_str()) {
                actions.push(action);
            }
        }
    }
    let campaigns: BTreeMap<&str, Value> = campaigns
        .into_iter()
        .map(|(id, actions)| (id, json!({ "actions": actions })))
        .collect();
    let mut claims = json!({
        "userId": args.user,
        "supreme": args.supreme,
        "campaigns": campaigns,
        "iat": now,
        "exp": now.saturating_add(args.exp),
    });
    if let Some(issuer) = &args.issuer {
        claims["iss"] = json!(issuer);
    }
    if let Some(audience) = &args.audience {
        claims["aud"] = json!(audience);
    }
    claims
}

/// Parses `ID:read,write`.
fn parse_grant(raw: &str) -> Result<Grant, String> {
    let (id, actions) = raw.split_once(':').ok_or_else(|| {
        format!("`{raw}`: expected ID:ACTIONS, e.g. 0123456789abcdef01234567:read,write")
    })?;
    if id.len() != 24 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "`{id}`: a campaign id is 24 hexadecimal characters"
        ));
    }
    let actions: Vec<String> = actions
        .split(',')
        .map(str::trim)
        .map(|action| {
            if ACTIONS.contains(&action) {
                Ok(action.to_owned())
            } else {
                Err(format!(
                    "`{action}`: unknown action; use read, write or admin"
                ))
            }
        })
        .collect::<Result<_, _>>()?;
    Ok(Grant {
        campaign: id.to_ascii_lowercase(),
        actions,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::rsa::{KeyPair, KeySize};
    use aws_lc_rs::signature::KeyPair as _;
    use clap::Parser;
    use jsonwebtoken::{DecodingKey, Validation};

    use super::*;

    /// A PKCS#8 private key PEM and the SPKI public key PEM of one generated pair.
    static KEYS: LazyLock<(String, String)> = LazyLock::new(|| {
        let pair = KeyPair::generate(KeySize::Rsa2048).unwrap();
        let private = pem::Pem::new("PRIVATE KEY", pair.as_der().unwrap().as_ref());
        let public = pem::Pem::new("PUBLIC KEY", pair.public_key().as_der().unwrap().as_ref());
        (pem::encode(&private), pem::encode(&public))
    });

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: TokenArgs,
    }

    fn parse(argv: &[&str]) -> Result<TokenArgs, clap::Error> {
        Cli::try_parse_from(std::iter::once("token").chain(argv.iter().copied())).map(|c| c.args)
    }

    fn verify(token: &str, validation: &Validation) -> Value {
        let key = DecodingKey::from_rsa_pem(KEYS.1.as_bytes()).unwrap();
        jsonwebtoken::decode::<Value>(token, &key, validation)
            .unwrap()
            .claims
    }

    #[test]
    fn a_minted_token_verifies_with_the_public_key() {
        let args = parse(&[
            "--user",
            "alice",
            "--campaign",
            "0123456789ABCDEF01234567:read,write",
            "--campaign",
            "0123456789abcdef01234567:admin,read",
            "--campaign",
            "aaaaaaaaaaaaaaaaaaaaaaaa:read",
            "--exp",
            "120",
        ])
        .unwrap();
        let now = jsonwebtoken::get_current_timestamp();
        let token = mint(KEYS.0.as_bytes(), &args, now).unwrap();
        let claims = verify(&token, &Validation::new(Algorithm::RS256));
        assert_eq!(
            claims,
            json!({
                "userId": "alice",
                "supreme": false,
                "campaigns": {
                    "0123456789abcdef01234567": {"actions": ["read", "write", "admin"]},
                    "aaaaaaaaaaaaaaaaaaaaaaaa": {"actions": ["read"]}
                },
                "iat": now,
                "exp": now + 120
            })
        );
    }

    #[test]
    fn a_kid_goes_into_the_header() {
        let now = jsonwebtoken::get_current_timestamp();
        let with_kid = parse(&["--supreme", "--kid", "key-2026"]).unwrap();
        let token = mint(KEYS.0.as_bytes(), &with_kid, now).unwrap();
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.kid.as_deref(), Some("key-2026"));
        assert_eq!(header.alg, Algorithm::RS256);
        let without = parse(&["--supreme"]).unwrap();
        let token = mint(KEYS.0.as_bytes(), &without, now).unwrap();
        assert_eq!(jsonwebtoken::decode_header(&token).unwrap().kid, None);
    }

    #[test]
    fn supreme_issuer_audience_and_defaults() {
        let args = parse(&["--supreme", "--issuer", "iss-x", "--audience", "aud-y"]).unwrap();
        let now = jsonwebtoken::get_current_timestamp();
        let token = mint(KEYS.0.as_bytes(), &args, now).unwrap();
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&["iss-x"]);
        validation.set_audience(&["aud-y"]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        let claims = verify(&token, &validation);
        assert_eq!(claims["supreme"], true);
        assert_eq!(claims["userId"], "dev-user");
        assert_eq!(claims["exp"], now + 3600);
        assert_eq!(claims["campaigns"], json!({}));
    }

    #[test]
    fn bad_campaign_values_are_refused_with_a_clear_message() {
        for (value, expected) in [
            ("0123456789abcdef01234567", "expected ID:ACTIONS"),
            ("12345:read", "24 hexadecimal characters"),
            ("0123456789abcdef0123456g:read", "24 hexadecimal characters"),
            ("0123456789abcdef01234567:read,delete", "unknown action"),
            ("0123456789abcdef01234567:", "unknown action"),
        ] {
            let error = parse(&["--campaign", value]).unwrap_err().to_string();
            assert!(error.contains(expected), "{value}: {error}");
        }
        assert!(parse(&["--exp", "0"]).is_err());
    }

    #[test]
    fn supreme_tokens_are_distinct_users_in_order() {
        let tokens = supreme_tokens(KEYS.0.as_bytes(), "bench-user", 5).unwrap();
        assert_eq!(tokens.len(), 5);
        for (i, token) in tokens.iter().enumerate() {
            let claims = verify(token, &Validation::new(Algorithm::RS256));
            assert_eq!(claims["userId"], format!("bench-user-{i}"));
            assert_eq!(claims["supreme"], true);
        }
        assert!(
            supreme_tokens(KEYS.0.as_bytes(), "u", 0)
                .unwrap()
                .is_empty()
        );
        assert!(supreme_tokens(KEYS.1.as_bytes(), "u", 2).is_err());
    }

    #[test]
    fn a_public_key_or_garbage_cannot_sign() {
        let args = parse(&[]).unwrap();
        let error = mint(KEYS.1.as_bytes(), &args, 0).unwrap_err().to_string();
        assert!(error.contains("RSA private key"), "{error}");
        assert!(mint(b"garbage", &args, 0).is_err());
    }

    #[test]
    fn the_key_comes_from_the_flag_then_the_variable_then_the_default() {
        let dir = std::env::temp_dir().join(format!("xtask-token-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let flag = dir.join("flag.pem");
        let var = dir.join("var.pem");
        let default = dir.join("default.pem");
        let missing = dir.join("missing.pem");
        for file in [&flag, &var, &default] {
            std::fs::write(file, "x").unwrap();
        }
        let env = Some(var.clone().into_os_string());
        assert_eq!(key_path(Some(&flag), env.clone(), &default).unwrap(), flag);
        assert_eq!(key_path(None, env, &default).unwrap(), var);
        assert_eq!(key_path(None, None, &default).unwrap(), default);
        assert_eq!(
            key_path(None, Some(OsString::new()), &default).unwrap(),
            default
        );

        let error = key_path(None, None, &missing).unwrap_err().to_string();
        assert!(
            error.contains("CAMPAIGN_DEV_MODE=true") && error.contains("--key"),
            "{error}"
        );
        let error = key_path(None, Some(missing.clone().into_os_string()), &default)
            .unwrap_err()
            .to_string();
        assert!(error.contains(KEY_FILE_VAR), "{error}");
        assert!(key_path(Some(&missing), None, &default).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
