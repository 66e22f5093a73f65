//! Hashing of campaign access passwords (Argon2id, PHC strings). Only hashes are stored and
//! cached; a plain password never leaves the request that carried it.

use argon2::password_hash::{
    PasswordHash as Phc, PasswordHasher as _, PasswordVerifier as _, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use campaign_domain::DomainError;
use campaign_domain::campaign::PasswordHash;
use campaign_domain::uuid::Uuid;

/// Hashes and verifies campaign passwords.
#[derive(Debug, Clone)]
pub struct PasswordHasher {
    params: Params,
}

impl Default for PasswordHasher {
    /// OWASP's Argon2id baseline: 19 MiB, 2 passes, 1 lane.
    fn default() -> Self {
        Self::new(19 * 1024, 2)
    }
}

impl PasswordHasher {
    /// A hasher with `memory_kib` of memory and `passes` iterations (lower only in tests).
    pub fn new(memory_kib: u32, passes: u32) -> Self {
        let params = Params::new(memory_kib, passes, 1, None).unwrap_or_default();
        Self { params }
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// Hashes a new password with a random salt.
    pub fn hash(&self, password: &str) -> Result<PasswordHash, DomainError> {
        // 16 random bytes from the system generator (through UUID v4), the size Argon2 wants.
        let salt = SaltString::encode_b64(Uuid::new_v4().as_bytes())
            .map_err(|e| DomainError::Internal(format!("password salt: {e}")))?;
        self.argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| PasswordHash::from_hash(h.to_string()))
            .map_err(|e| DomainError::Internal(format!("password hashing failed: {e}")))
    }

    /// Whether `password` matches `hash` (a malformed stored hash never matches).
    pub fn verify(&self, password: &str, hash: &PasswordHash) -> bool {
        Phc::new(hash.as_str()).is_ok_and(|phc| {
            self.argon2()
                .verify_password(password.as_bytes(), &phc)
                .is_ok()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_the_right_password() {
        let hasher = PasswordHasher::new(1024, 1);
        let hash = hasher.hash("s3cret").unwrap();
        assert!(hash.as_str().starts_with("$argon2id$"));
        assert!(!hash.as_str().contains("s3cret"));
        assert!(hasher.verify("s3cret", &hash));
        assert!(!hasher.verify("S3cret", &hash));
        assert!(!hasher.verify("s3cret", &PasswordHash::from_hash("garbage")));
        assert_ne!(hasher.hash("s3cret").unwrap(), hash, "salted");
    }
}
