//! The composition root: the one place that chooses adapters and plugs them into the use cases.
//! `main` assembles [`Components`] from the configuration; tests assemble them from memory
//! adapters, a manual clock and recording publishers, and run the very same server.

use std::sync::Arc;
use std::time::Duration;

use campaign_adapter_aws::{KinesisStream, SqsQueue};
use campaign_adapter_http::{
    CurrentSpan, FastlyPurger, GitLabArtistStore, HttpDiscovery, TraceContext,
};
use campaign_adapter_memory::{
    MemoryCache, MemoryIdempotency, MemoryLock, MemoryRateLimiter, MemoryStore, ObjectIdGenerator,
    SystemClock,
};
use campaign_adapter_mongo::{MongoSettings, MongoStore};
use campaign_adapter_redis::RedisCache;
use campaign_app::relay::RelaySettings;
use campaign_app::{PasswordHasher, Ports, Publishers, Settings};
use campaign_ports::{
    CampaignRepository, Clock, ContactRepository, EventRepository, IdempotencyStore,
    MarketRepository, Outbox, PromoterRepository,
};

use crate::auth::{DevKeys, KeySetOptions, KeySources, TokenVerifier};
use crate::config::{AwsConfig, Config, StoreConfig};
use crate::dev::DevSession;
use crate::publishers::LoggingPublisher;
use crate::rate_limits::FailoverRateLimiter;

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
    /// The HTTP layer's own options.
    pub http: HttpOptions,
}

/// Options of the HTTP layer itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpOptions {
    /// Origins a browser may call the API from (`CAMPAIGN_CORS_ALLOWED_ORIGINS`); empty: no
    /// CORS headers.
    pub cors_allowed_origins: Vec<String>,
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
    /// After the stop signal, how long the server keeps serving while readiness already fails
    /// (`CAMPAIGN_SHUTDOWN_DELAY_SECS`), so load balancers stop sending before it closes.
    pub shutdown_delay: Duration,
}

impl Default for JobSettings {
    fn default() -> Self {
        Self {
            refresh_interval: Some(Duration::from_secs(60)),
            relay_idle: Duration::from_millis(200),
            relay: RelaySettings::default(),
            drain_timeout: Duration::from_secs(10),
            shutdown_delay: Duration::ZERO,
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
    /// The store could not be reached or set up (`CAMPAIGN_MONGODB_URI`).
    #[error("{0}")]
    Store(String),
    /// The dev key file could not be written.
    #[error("dev mode: {0}")]
    DevKeyFile(std::io::Error),
    /// A Redis or HTTP client could not be built from its variables.
    #[error("{variable}: {reason}")]
    Integration {
        /// The variable whose client failed.
        variable: &'static str,
        /// What went wrong.
        reason: String,
    },
}

/// Ports on MongoDB: every repository, the outbox and the idempotency records on one
/// connected store (indexes created), the in-process cache, lock and rate limiter (replaced by
/// Redis when configured).
///
/// # Errors
/// [`AssembleError::Store`] when the URI is unusable or no server answers in time.
pub async fn mongo_ports(
    settings: &MongoSettings,
    clock: Arc<dyn Clock>,
) -> Result<Ports, AssembleError> {
    let store = Arc::new(
        MongoStore::connect(settings)
            .await
            .map_err(|e| AssembleError::Store(e.to_string()))?,
    );
    tracing::info!(database = store.database_name(), "records on MongoDB");
    Ok(ports_on(store.clone(), store, clock))
}

/// Memory-backed ports: the embedded default, and the base of the test harness.
pub fn memory_ports(clock: Arc<dyn Clock>) -> Ports {
    ports_on(
        Arc::new(MemoryStore::new()),
        Arc::new(MemoryIdempotency::new()),
        clock,
    )
}

/// Every repository and the outbox on `store`, the idempotency records on `idempotency`, the
/// in-process cache, lock and rate limiter, no Discovery.
fn ports_on<S>(
    store: Arc<S>,
    idempotency: Arc<dyn IdempotencyStore>,
    clock: Arc<dyn Clock>,
) -> Ports
where
    S: CampaignRepository
        + MarketRepository
        + PromoterRepository
        + ContactRepository
        + EventRepository
        + Outbox,
{
    Ports {
        campaigns: store.clone(),
        markets: store.clone(),
        promoters: store.clone(),
        contacts: store.clone(),
        events: store.clone(),
        outbox: store,
        cache: Arc::new(MemoryCache::new(clock.clone())),
        lock: Arc::new(MemoryLock::new(clock.clone())),
        idempotency,
        rate_limiter: Arc::new(MemoryRateLimiter::new(clock.clone())),
        discovery: None,
        clock,
        ids: Arc::new(ObjectIdGenerator::new()),
    }
}

/// Puts `redis` into `ports` as the cache, the job lock and the shared rate limiter, with the
/// in-process limiter `ports` had behind it (it decides while Redis is down: ADR 0014).
pub fn plug_redis(ports: &mut Ports, redis: Arc<RedisCache>) {
    ports.cache = redis.clone();
    ports.lock = redis.clone();
    ports.rate_limiter = Arc::new(FailoverRateLimiter::new(redis, ports.rate_limiter.clone()));
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
    /// The same components with every port and publisher wrapped in the instrumenting
    /// decorator (a span and a duration per call, SPEC §10). [`crate::start`] applies it once,
    /// so the adapters, the binary and the tests all run instrumented.
    #[must_use]
    pub(crate) fn instrumented(self) -> Self {
        Self {
            ports: crate::telemetry::instrumented::instrument_ports(self.ports),
            publishers: crate::telemetry::instrumented::instrument_publishers(self.publishers),
            ..self
        }
    }

    /// Assembles the components `config` describes. In dev mode without a key file, an
    /// ephemeral key pair is made and returned as a [`DevSession`] (its private key written to
    /// a file so more tokens can be minted).
    ///
    /// Must run inside the Tokio runtime: the Redis connections, when configured, start in
    /// the background; with `CAMPAIGN_STORE=mongodb` the store is connected (and its indexes
    /// created) before this returns, so an unreachable server stops start-up.
    ///
    /// # Errors
    /// [`AssembleError`] naming the variable whose key cannot be used or whose client cannot
    /// be built.
    pub async fn from_config(config: &Config) -> Result<(Self, Option<DevSession>), AssembleError> {
        let (issuer, audience) = (config.auth.issuer.clone(), config.auth.audience.clone());
        let auth = &config.auth;
        let sources = KeySources {
            public_key_file: auth.public_key_file.clone(),
            jwks_file: auth.jwks_file.clone(),
            jwks_url: auth.jwks_url.clone(),
            options: KeySetOptions::default(),
            cache_capacity: auth.cache_capacity,
        };
        let configured = sources.public_key_file.is_some()
            || sources.jwks_file.is_some()
            || sources.jwks_url.is_some();
        // Any configured key or key set (read, the URL fetched, now); else dev mode's own pair.
        let (verifier, dev) = if configured {
            let verifier = TokenVerifier::from_sources(&sources, issuer, audience)
                .await
                .map_err(|e| AssembleError::Auth {
                    variable: e.variable,
                    source: e.source,
                })?;
            (verifier, None)
        } else {
            let keys = DevKeys::generate().map_err(|source| AssembleError::Auth {
                variable: "CAMPAIGN_DEV_MODE",
                source,
            })?;
            let verifier =
                keys.verifier_with_cache(issuer.clone(), audience.clone(), auth.cache_capacity);
            let session =
                DevSession::start(keys, issuer, audience).map_err(AssembleError::DevKeyFile)?;
            (verifier, Some(session))
        };
        let mut ports = match &config.store {
            StoreConfig::Memory => memory_ports(Arc::new(SystemClock)),
            StoreConfig::MongoDb(settings) => mongo_ports(settings, Arc::new(SystemClock)).await?,
        };
        let publishers = plug_integrations(config, &mut ports).await?;
        for (variable, limit) in [
            (
                "CAMPAIGN_RATE_LIMIT_PASSWORD_PER_MIN",
                config.password_rate_limit,
            ),
            (
                "CAMPAIGN_RATE_LIMIT_SEARCH_PER_MIN",
                config.search_rate_limit,
            ),
        ] {
            if limit.is_none() {
                tracing::warn!(variable, "rate limit turned off (0)");
            }
        }
        let components = Self {
            ports,
            publishers,
            verifier,
            settings: Settings {
                search_cache_ttl: config.search_cache_ttl,
                password_rate_limit: config.password_rate_limit,
                search_rate_limit: config.search_rate_limit,
                // Records are cached only in a cache every replica shares (Redis): an in-process
                // cache would serve another replica's writes late on a shared store, and on the
                // memory store would only add copies (ADR 0018).
                cache_records: config.redis.is_some(),
                ..Settings::default()
            },
            hasher: PasswordHasher::default(),
            jobs: JobSettings {
                refresh_interval: config.refresh_interval,
                relay: RelaySettings {
                    lease: config.outbox_lease,
                    ..RelaySettings::default()
                },
                shutdown_delay: config.shutdown_delay,
                ..JobSettings::default()
            },
            http: HttpOptions {
                cors_allowed_origins: config.cors_allowed_origins.clone(),
            },
        };
        Ok((components, dev))
    }
}

/// Puts the configured Redis cache, lock and rate limiter (the in-process limiter behind it)
/// and the Discovery client into `ports`, and returns
/// the publishers: Fastly, GitLab, Kinesis and SQS where configured, logging stand-ins for the rest. Must run
/// inside the Tokio runtime (the Redis connections start in the background; a Redis that is
/// down at start-up is not an error — the cache fails open until it answers).
async fn plug_integrations(
    config: &Config,
    ports: &mut Ports,
) -> Result<Publishers, AssembleError> {
    if let Some(redis) = &config.redis {
        let cache = Arc::new(
            RedisCache::connect(redis).map_err(|e| integration("CAMPAIGN_REDIS_URL", &e))?,
        );
        tracing::info!(
            primary = %redis.primary,
            replicas = redis.replicas.len(),
            "cache and refresh lock on Redis"
        );
        plug_redis(ports, cache);
    }
    let trace: Arc<dyn TraceContext> = Arc::new(OutboundTrace);
    let integrations = &config.integrations;
    if let Some(discovery) = &integrations.discovery {
        let client = HttpDiscovery::new(discovery, trace.clone())
            .map_err(|e| integration("CAMPAIGN_DISCOVERY_URL", &e))?;
        ports.discovery = Some(Arc::new(client));
    }
    let mut publishers = logging_publishers();
    if let Some(fastly) = &integrations.fastly {
        let purger = FastlyPurger::new(fastly, trace.clone())
            .map_err(|e| integration("CAMPAIGN_FASTLY_URL", &e))?;
        publishers.cdn = Arc::new(purger);
    }
    if let Some(gitlab) = &integrations.gitlab {
        let store = GitLabArtistStore::new(gitlab, trace)
            .map_err(|e| integration("CAMPAIGN_GITLAB_URL", &e))?;
        publishers.artist_extension = Arc::new(store);
    }
    if let Some(aws) = &integrations.aws {
        plug_aws(aws, &mut publishers).await;
    }
    Ok(publishers)
}

/// Puts the configured Kinesis stream and SQS queues into `publishers`, all on one SDK config
/// (credentials and region from the default chain; nothing is contacted here: a destination
/// that is down or misconfigured shows as relay retries and `outbox_backlog`).
async fn plug_aws(aws: &AwsConfig, publishers: &mut Publishers) {
    let sdk = aws.settings.load().await;
    if let Some(stream) = &aws.kinesis_stream {
        tracing::info!(stream = %stream, "campaign data stream on Kinesis");
        publishers.stream = Arc::new(KinesisStream::new(&sdk, stream.clone()));
    }
    if let Some(queue) = &aws.data_pipeline_queue {
        tracing::info!(queue = %queue, "data pipeline queue on SQS");
        publishers.data_pipeline = Arc::new(SqsQueue::new(&sdk, queue.clone()));
    }
    if let Some(queue) = &aws.refresh_selections_queue {
        tracing::info!(queue = %queue, "refresh-selections queue on SQS");
        publishers.refresh_selections = Arc::new(SqsQueue::new(&sdk, queue.clone()));
    }
}

fn integration(variable: &'static str, error: &dyn std::fmt::Display) -> AssembleError {
    AssembleError::Integration {
        variable,
        reason: error.to_string(),
    }
}

/// The `traceparent` of outbound HTTP calls: the current OpenTelemetry context when there is
/// one (a request continuing its caller's trace, or any span while trace export is on), else
/// the adapter's default ([`CurrentSpan`]: a new trace id with the current span as parent).
#[derive(Debug, Clone, Copy)]
struct OutboundTrace;

impl TraceContext for OutboundTrace {
    fn traceparent(&self) -> Option<String> {
        use opentelemetry::propagation::TextMapPropagator as _;
        use opentelemetry::trace::TraceContextExt as _;
        use tracing_opentelemetry::OpenTelemetrySpanExt as _;

        let context = tracing::Span::current().context();
        if !context.span().span_context().is_valid() {
            return CurrentSpan.traceparent();
        }
        let mut headers = std::collections::HashMap::new();
        opentelemetry_sdk::propagation::TraceContextPropagator::new()
            .inject_context(&context, &mut headers);
        headers.remove("traceparent")
    }
}

#[cfg(test)]
mod tests {
    use opentelemetry::trace::{TraceContextExt as _, TracerProvider as _};
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;
    use tracing_subscriber::layer::SubscriberExt as _;

    use super::*;

    #[test]
    fn outbound_calls_continue_the_current_trace() {
        let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
        let layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("test"));
        let subscriber = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(subscriber, || {
            assert_eq!(OutboundTrace.traceparent(), None, "no span, no header");
            let span = tracing::info_span!("request");
            let _entered = span.enter();
            let header = OutboundTrace.traceparent().unwrap();
            let context = span.context();
            let trace_id = context.span().span_context().trace_id();
            assert!(campaign_adapter_http::is_traceparent(&header), "{header}");
            assert!(header.contains(&format!("-{trace_id}-")), "{header}");
        });
    }

    #[test]
    fn without_trace_export_the_adapter_default_applies() {
        tracing::subscriber::with_default(tracing_subscriber::registry(), || {
            let span = tracing::info_span!("request");
            let _entered = span.enter();
            let header = OutboundTrace.traceparent().unwrap();
            assert!(campaign_adapter_http::is_traceparent(&header), "{header}");
        });
    }
}
