//! Hashing of campaign access passwords (Argon2id, PHC strings). Only hashes are stored and
//! cached; a plain password never leaves the request that carried it.
//!
//! Argon2 is deliberately slow (tens of milliseconds, 19 MiB each): it never runs on the async
//! worker threads. Each hash or verification runs in `tokio::task::spawn_blocking`, and at most
//! [`PasswordHasher::concurrency`] of them at once (by default the CPUs the process may use):
//! a burst of attempts waits for a permit instead of filling the blocking pool, so the workers
//! and the rest of the blocking pool stay free. The permit travels with the blocking task, so a
//! client that hangs up while its hash runs cannot let another one start early.

use std::num::NonZeroUsize;
use std::sync::Arc;

use argon2::password_hash::{
    PasswordHash as Phc, PasswordHasher as _, PasswordVerifier as _, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use campaign_domain::DomainError;
use campaign_domain::campaign::{Password, PasswordHash};
use campaign_domain::uuid::Uuid;
use tokio::sync::Semaphore;

/// Hashes and verifies campaign passwords off the async workers, a bounded number at a time.
#[derive(Debug, Clone)]
pub struct PasswordHasher {
    params: Params,
    permits: Arc<Semaphore>,
    concurrency: usize,
}

impl Default for PasswordHasher {
    /// OWASP's Argon2id baseline: 19 MiB, 2 passes, 1 lane.
    fn default() -> Self {
        Self::new(19 * 1024, 2)
    }
}

/// The CPUs this process may use (cgroup quotas respected), at least 1.
fn available_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

impl PasswordHasher {
    /// A hasher with `memory_kib` of memory and `passes` iterations (lower only in tests),
    /// running as many hashes at once as the process has CPUs.
    pub fn new(memory_kib: u32, passes: u32) -> Self {
        let params = Params::new(memory_kib, passes, 1, None).unwrap_or_default();
        Self::with_params(params, available_cpus())
    }

    /// The same hasher running at most `concurrency` (at least 1) hashes at once.
    #[must_use]
    pub fn with_concurrency(self, concurrency: usize) -> Self {
        Self::with_params(self.params, concurrency)
    }

    fn with_params(params: Params, concurrency: usize) -> Self {
        let concurrency = concurrency.max(1);
        Self {
            params,
            permits: Arc::new(Semaphore::new(concurrency)),
            concurrency,
        }
    }

    /// How many hashes or verifications may run at once.
    pub fn concurrency(&self) -> usize {
        self.concurrency
    }

    fn argon2(params: Params) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }

    /// Runs `work` on the blocking pool once a permit is free. Must be called within a Tokio
    /// runtime.
    async fn off_the_workers<T, F>(&self, what: &str, work: F) -> Result<T, DomainError>
    where
        T: Send + 'static,
        F: FnOnce(Argon2<'static>) -> T + Send + 'static,
    {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| DomainError::Internal(format!("password {what}: {e}")))?;
        let argon2 = Self::argon2(self.params.clone());
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work(argon2)
        })
        .await
        .map_err(|e| DomainError::Internal(format!("password {what} task failed: {e}")))
    }

    /// Hashes a new password with a random salt.
    ///
    /// Errors: `Internal` when hashing fails or its task dies.
    pub async fn hash(&self, password: &Password) -> Result<PasswordHash, DomainError> {
        // 16 random bytes from the system generator (through UUID v4), the size Argon2 wants.
        let salt = SaltString::encode_b64(Uuid::new_v4().as_bytes())
            .map_err(|e| DomainError::Internal(format!("password salt: {e}")))?;
        let password = password.clone();
        self.off_the_workers("hashing", move |argon2| {
            argon2
                .hash_password(password.expose().as_bytes(), &salt)
                .map(|h| PasswordHash::from_hash(h.to_string()))
                .map_err(|e| DomainError::Internal(format!("password hashing failed: {e}")))
        })
        .await?
    }

    /// Whether `password` matches `hash` (a malformed stored hash never matches).
    ///
    /// Errors: `Internal` when the verification task dies.
    pub async fn verify(
        &self,
        password: &Password,
        hash: &PasswordHash,
    ) -> Result<bool, DomainError> {
        let (password, hash) = (password.clone(), hash.clone());
        self.off_the_workers("verification", move |argon2| {
            Phc::new(hash.as_str()).is_ok_and(|phc| {
                argon2
                    .verify_password(password.expose().as_bytes(), &phc)
                    .is_ok()
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn hashes_verify_only_the_right_password() {
        let hasher = PasswordHasher::new(1024, 1);
        let secret = Password::new("s3cret");
        let hash = hasher.hash(&secret).await.unwrap();
        assert!(hash.as_str().starts_with("$argon2id$"));
        assert!(!hash.as_str().contains("s3cret"));
        assert!(hasher.verify(&secret, &hash).await.unwrap());
        assert!(!hasher.verify(&"S3cret".into(), &hash).await.unwrap());
        assert!(
            !hasher
                .verify(&secret, &PasswordHash::from_hash("garbage"))
                .await
                .unwrap()
        );
        assert_ne!(hasher.hash(&secret).await.unwrap(), hash, "salted");
    }

    #[test]
    fn concurrency_defaults_to_the_cpus_and_is_at_least_one() {
        let hasher = PasswordHasher::new(1024, 1);
        assert_eq!(hasher.concurrency(), available_cpus());
        assert_eq!(hasher.clone().with_concurrency(0).concurrency(), 1);
        assert_eq!(hasher.with_concurrency(3).concurrency(), 3);
    }

    /// A single-threaded runtime stays responsive while hashes run (they are not on its only
    /// worker), and no more than `concurrency` of them run at once.
    #[tokio::test(flavor = "current_thread")]
    async fn hashing_runs_off_the_worker_and_is_bounded() {
        let hasher = PasswordHasher::new(1024, 1).with_concurrency(2);
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..6)
            .map(|_| {
                let (running, peak) = (running.clone(), peak.clone());
                hasher.off_the_workers("test", move |_| {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(30));
                    running.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        let ticker = async {
            // Ticks while the blocking work runs: the worker thread is free.
            let mut ticks = 0;
            while running.load(Ordering::SeqCst) == 0 {
                tokio::task::yield_now().await;
            }
            while running.load(Ordering::SeqCst) > 0 {
                ticks += 1;
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            ticks
        };
        let (results, ticks) = tokio::join!(futures::future::join_all(tasks), ticker);
        assert!(results.iter().all(Result::is_ok));
        assert!(ticks > 1, "the runtime kept running while hashing");
        assert_eq!(peak.load(Ordering::SeqCst), 2, "at most two at once");
    }
}
