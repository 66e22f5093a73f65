//! The composition root: the one place that chooses adapters and plugs them into the use cases.
//! `main` assembles [`Components`] from the configuration; tests assemble them from memory
//! adapters, a manual clock and recording publishers, and run the very same server.

use std::sync::Arc;
use std::time::Duration;

use campaign_adapter_memory::{
    MemoryCache, MemoryLock, MemoryStore, ObjectIdGenerator, SystemClock,
};
use campaign_app::relay::RelaySettings;
use campaign_app::{PasswordHasher, Ports, Publishers, Settings};
use campaign_ports::Clock;

use crate::auth::{DevKeys, TokenVerifier};
use crate::config::{Config, StoreConfig};
use crate::dev::DevSession;
use crate::publishers::LoggingPublisher;

/// Everything the server runs on.
#[derive(Clone)]
pub struct Components {
    /// The ports of the use cases.
    pub ports: Ports,
    /// Where the relay delivers.
    pub publishers: Publishers,
    /// Verifies bearer tokens.
    pub verifier: TokenVerifier,
    /// Use-case tunables.
    pub settings: Settings,
    /// Password hashing.
    pub hasher: PasswordHasher,
    /// Background jobs.
    pub jobs: JobSettings,
}

impl std::fmt::Debug for Components {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Components")
            .field("jobs", &self.jobs)
            .finish_non_exhaustive()
    }
}

/// Background jobs and their periods.
#[derive(Debug, Clone)]
pub struct JobSettings {
    /// Period of the status refresh; `None` disables it.
    pub refresh_interval: Option<Duration>,
    /// Pause of the relay when the outbox is empty.
    pub relay_idle: Duration,
    /// The relay's tunables.
    pub relay: RelaySettings,
    /// Longest wait for the relay to drain at shutdown.
    pub drain_timeout: Duration,
}

impl Default for JobSettings {
    fn default() -> Self {
        Self {
            refresh_interval: Some(Duration::from_secs(60)),
            relay_idle: Duration::from_millis(200),
            relay: RelaySettings::default(),
            drain_timeout: Duration::from_secs(10),
        }
    }
}

/// Why the components could not be assembled.
#[derive(Debug, thiserror::Error)]
pub enum AssembleError {
    /// Keys could not be loaded or made.
    #[error("{variable}: {source}")]
    Auth {
        /// The variable at fault.
        variable: &'static str,
        /// What went wrong.
        source: crate::auth::AuthSetupError,
    },
    /// The dev key file could not be written.
    #[error("dev mode: {0}")]
    DevKeyFile(std::io::Error),
}

/// Memory-backed ports: the embedded default, and the base of the test harness.
pub fn memory_ports(clock: Arc<dyn Clock>) -> Ports {
    let store = Arc::new(MemoryStore::new());
    Ports {
        campaigns: store.clone(),
        markets: store.clone(),
        promoters: store.clone(),
        contacts: store.clone(),
        events: store.clone(),
        outbox: store,
        cache: Arc::new(MemoryCache::new(clock.clone())),
        lock: Arc::new(MemoryLock::new(clock.clone())),
        discovery: None,
        clock,
        ids: Arc::new(ObjectIdGenerator::new()),
    }
}

/// Publishers that log what they would send, for integrations that are not configured.
pub fn logging_publishers() -> Publishers {
    Publishers {
        stream: Arc::new(LoggingPublisher {
            destination: "kinesis",
        }),
        data_pipeline: Arc::new(LoggingPublisher {
            destination: "sqs.dataPipeline",
        }),
        refresh_selections: Arc::new(LoggingPublisher {
            destination: "sqs.refreshSelections",
        }),
        cdn: Arc::new(LoggingPublisher {
            destination: "fastly",
        }),
        artist_extension: Arc::new(LoggingPublisher {
            destination: "gitlab",
        }),
    }
}

impl Components {
    /// Assembles the components `config` describes. In dev mode without a key file, an
    /// ephemeral key pair is made and returned as a [`DevSession`] (its private key written to
    /// a file so more tokens can be minted).
    ///
    /// # Errors
    /// [`AssembleError`] naming the variable whose key cannot be used.
    pub fn from_config(config: &Config) -> Result<(Self, Option<DevSession>), AssembleError> {
        let (issuer, audience) = (config.auth.issuer.clone(), config.auth.audience.clone());
        let (verifier, dev) = match &config.auth.public_key_file {
            Some(path) => {
                let verifier = TokenVerifier::from_rsa_public_pem_file(path, issuer, audience)
                    .map_err(|source| AssembleError::Auth {
                        variable: "CAMPAIGN_JWT_PUBLIC_KEY_FILE",
                        source,
                    })?;
                (verifier, None)
            }
            None => {
                let keys = DevKeys::generate().map_err(|source| AssembleError::Auth {
                    variable: "CAMPAIGN_DEV_MODE",
                    source,
                })?;
                let verifier = keys.verifier(issuer.clone(), audience.clone());
                let session =
                    DevSession::start(keys, issuer, audience).map_err(AssembleError::DevKeyFile)?;
                (verifier, Some(session))
            }
        };
        let ports = match config.store {
            StoreConfig::Memory => memory_ports(Arc::new(SystemClock)),
        };
        let components = Self {
            ports,
            publishers: logging_publishers(),
            verifier,
            settings: Settings {
                search_cache_ttl: config.search_cache_ttl,
                // The memory store is itself in process: its reads need no cache (ADR 0007).
                cache_campaigns: config.store != StoreConfig::Memory,
                ..Settings::default()
            },
            hasher: PasswordHasher::default(),
            jobs: JobSettings {
                refresh_interval: config.refresh_interval,
                ..JobSettings::default()
            },
        };
        Ok((components, dev))
    }
}
