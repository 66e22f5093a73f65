//! Dev mode: an ephemeral key pair, a supreme token for the person at the keyboard, and the
//! private key written to a file so `cargo xtask token` can mint more for this instance.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::auth::{DevKeys, TokenClaims};

/// How long the printed dev token lasts.
const DEV_TOKEN_LIFETIME: Duration = Duration::from_secs(12 * 3600);

/// A running dev session: where its key is and the token to print.
#[derive(Debug)]
pub struct DevSession {
    key_file: PathBuf,
    token: Option<String>,
}

/// Where dev mode writes its private key (what `cargo xtask token` reads by default).
pub fn dev_key_path() -> PathBuf {
    std::env::temp_dir().join("campaign-service-dev-key.pem")
}

impl DevSession {
    /// Writes the private key (owner-only permissions) and mints a supreme token.
    pub(crate) fn start(
        keys: DevKeys,
        issuer: Option<String>,
        audience: Option<String>,
    ) -> std::io::Result<Self> {
        let key_file = dev_key_path();
        write_private(&key_file, keys.private_pem().as_bytes())?;
        let claims = TokenClaims {
            issuer,
            audience,
            ..TokenClaims::supreme("dev-admin", DEV_TOKEN_LIFETIME)
        };
        let token = keys.signer().sign(&claims).ok();
        Ok(Self { key_file, token })
    }

    /// The banner printed at start-up: how to call the service.
    pub fn banner(&self, address: SocketAddr) -> String {
        let token = self.token.as_deref().unwrap_or("<could not sign a token>");
        format!(
            "dev mode: ephemeral RS256 key pair; private key written to {key}\n\
             supreme token (12 h): {token}\n\
             try:  curl -s -H \"Authorization: Bearer $TOKEN\" http://{address}/campaigns/list\n\
             more tokens: cargo xtask token --supreme   (or --user ID --campaign ID:read,write)",
            key = self.key_file.display(),
        )
    }
}

fn write_private(path: &PathBuf, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let _ = std::fs::remove_file(path);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)
}
