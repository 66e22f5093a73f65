//! Typed configuration, read once from the environment in `main` and passed down — never a
//! global. Each variable is documented on the field it fills; the names are part of the
//! contract (SPEC §3). A bad value stops start-up with an error naming the variable.

use std::env::VarError;
use std::net::SocketAddr;
use std::num::{NonZeroU32, NonZeroUsize};
use std::path::PathBuf;
use std::time::Duration;

use campaign_adapter_aws::AwsSettings;
use campaign_adapter_http::{
    BaseUrl, DiscoverySettings, FastlySettings, GitLabSettings, HttpSettings, RetryPolicy, Secret,
};
use campaign_adapter_mongo::MongoSettings;
use campaign_adapter_redis::{RedisSettings, RedisUrl};
use campaign_ports::RateLimit;

/// Where the service listens when `CAMPAIGN_LISTEN` is unset.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// The service's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `CAMPAIGN_LISTEN`: the `ip:port` to bind (`127.0.0.1:8080` by default; port 0 picks a free
    /// port). Host names are not accepted, so binding never depends on name resolution.
    pub listen: SocketAddr,
    /// `CAMPAIGN_STORE`: where campaigns live.
    pub store: StoreConfig,
    /// Token verification.
    pub auth: AuthConfig,
    /// `CAMPAIGN_REFRESH_INTERVAL_SECS`: period of the built-in status refresh (default 60 s);
    /// `0` disables it (`None`).
    pub refresh_interval: Option<Duration>,
    /// `CAMPAIGN_SEARCH_CACHE_TTL_SECS`: how long Discovery searches stay cached (default 300 s).
    pub search_cache_ttl: Duration,
    /// `CAMPAIGN_RATE_LIMIT_PASSWORD_PER_MIN`: wrong campaign passwords allowed per campaign and
    /// caller per minute (default 10); `0` turns the limit off (`None`).
    pub password_rate_limit: Option<RateLimit>,
    /// `CAMPAIGN_RATE_LIMIT_SEARCH_PER_MIN`: `/artists` and `/venues` calls allowed per caller
    /// per minute (default 120); `0` turns the limit off (`None`).
    pub search_rate_limit: Option<RateLimit>,
    /// Logs and traces.
    pub telemetry: TelemetryConfig,
    /// `CAMPAIGN_REDIS_URL`, `CAMPAIGN_REDIS_REPLICA_URLS`: the Redis cache and job lock;
    /// `None` (unset) keeps the in-process cache and lock.
    pub redis: Option<RedisSettings>,
    /// The outbound HTTP integrations that are configured.
    pub integrations: IntegrationsConfig,
    /// `CAMPAIGN_CORS_ALLOWED_ORIGINS`: comma-separated origins (`https://admin.example.com`)
    /// browsers may call the API from; empty (unset) sends no CORS headers at all.
    pub cors_allowed_origins: Vec<String>,
    /// `CAMPAIGN_WORKERS`: HTTP worker threads, 1 to [`MAX_WORKERS`]; by default the CPUs the
    /// process may use ([`available_cpus`], cgroup quota respected). The async runtime's worker
    /// threads and the number of concurrent Argon2 hashes follow it.
    pub workers: NonZeroUsize,
    /// `CAMPAIGN_SHUTDOWN_DELAY_SECS`: after SIGTERM, how long the service keeps serving with
    /// readiness already failing, so load balancers stop sending before the listener closes
    /// (default 0: stop at once; behind Kubernetes the chart's preStop sleep plays that part).
    pub shutdown_delay: Duration,
    /// `CAMPAIGN_OUTBOX_LEASE_SECS`: how long a replica's relay holds the outbox events it
    /// claimed (default 60 s, 2 s at least); the events a killed replica held are delivered by
    /// the others once it ends.
    pub outbox_lease: Duration,
}

/// The outbound HTTP integrations (SPEC §3). Each is configured by all of its variables or
/// none: a partial set stops start-up naming the first missing variable.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntegrationsConfig {
    /// `CAMPAIGN_DISCOVERY_URL` + `CAMPAIGN_DISCOVERY_API_KEY`; `None`: searches answer 503.
    pub discovery: Option<DiscoverySettings>,
    /// `CAMPAIGN_FASTLY_URL` + `CAMPAIGN_FASTLY_TOKEN` + `CAMPAIGN_FASTLY_SERVICE_ID`; `None`:
    /// purges are logged only.
    pub fastly: Option<FastlySettings>,
    /// `CAMPAIGN_GITLAB_URL` + `CAMPAIGN_GITLAB_TOKEN` + `CAMPAIGN_GITLAB_PROJECT` (and
    /// optionally `CAMPAIGN_GITLAB_BRANCH`, default `main`); `None`: artist files are logged
    /// only.
    pub gitlab: Option<GitLabSettings>,
    /// Kinesis and SQS (see [`AwsConfig`]); `None` when none of their variables is set.
    pub aws: Option<AwsConfig>,
}

/// The AWS publishers (SPEC §3, §8). Each destination is configured on its own; an unset one
/// is logged only. Credentials and the region come from the SDK's default chain
/// (`AWS_REGION`, `AWS_ACCESS_KEY_ID`, web identity, instance roles, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsConfig {
    /// `CAMPAIGN_AWS_ENDPOINT_URL`: one endpoint override for Kinesis and SQS (emulators).
    pub settings: AwsSettings,
    /// `CAMPAIGN_KINESIS_STREAM`: the campaign data stream (name or ARN).
    pub kinesis_stream: Option<String>,
    /// `CAMPAIGN_SQS_DATA_PIPELINE_QUEUE_URL`.
    pub data_pipeline_queue: Option<String>,
    /// `CAMPAIGN_SQS_REFRESH_SELECTIONS_QUEUE_URL`.
    pub refresh_selections_queue: Option<String>,
}

/// Logs and trace export (SPEC §10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelemetryConfig {
    /// `RUST_LOG`: the log filter (`info` when unset).
    pub log_filter: Option<String>,
    /// Whether spans are exported over OTLP: `OTEL_EXPORTER_OTLP_ENDPOINT` (or
    /// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, and neither `OTEL_SDK_DISABLED=true` nor
    /// `OTEL_TRACES_EXPORTER=none` says otherwise. The exporter reads the other standard
    /// `OTEL_EXPORTER_OTLP_*` variables (protocol, headers, timeout, compression) itself.
    pub otlp_export: bool,
    /// `OTEL_SERVICE_NAME`: `service.name` of the spans (`campaign-service` by default).
    pub service_name: String,
}

/// Where campaigns and their related records are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreConfig {
    /// `memory` (the embedded default): in-process, forgotten on restart.
    Memory,
    /// `mongodb`: `CAMPAIGN_MONGODB_URI` (required) and `CAMPAIGN_MONGODB_DATABASE` (default
    /// `campaigns`), with the adapter's default pool and timeouts (options in the URI win).
    MongoDb(MongoSettings),
}

/// The database used when `CAMPAIGN_MONGODB_DATABASE` is unset.
pub const DEFAULT_MONGODB_DATABASE: &str = "campaigns";

/// How tokens are verified (SPEC §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthConfig {
    /// `CAMPAIGN_JWT_PUBLIC_KEY_FILE`: PEM file of the RSA public key that verifies RS256 tokens
    /// (those without `kid`, and those whose `kid` no key set holds, when key sets are
    /// configured too). This or a key set is required outside dev mode.
    pub public_key_file: Option<PathBuf>,
    /// `CAMPAIGN_JWT_JWKS_FILE`: a JSON Web Key Set file of RSA keys chosen by the token's `kid`,
    /// read at start-up and again every five minutes (mounted secrets rotate in place).
    pub jwks_file: Option<PathBuf>,
    /// `CAMPAIGN_JWT_JWKS_URL`: an http(s) URL answering a JSON Web Key Set, fetched at start-up,
    /// every five minutes, and when a token names an unknown `kid` (at most every 30 s).
    pub jwks_url: Option<String>,
    /// `CAMPAIGN_JWT_ISSUER`: when set, tokens must carry this `iss`.
    pub issuer: Option<String>,
    /// `CAMPAIGN_JWT_AUDIENCE`: when set, tokens must carry this `aud`.
    pub audience: Option<String>,
    /// `CAMPAIGN_DEV_MODE`: `true` allows starting without a key: an ephemeral key pair is made
    /// and a supreme token printed.
    pub dev_mode: bool,
    /// `CAMPAIGN_JWT_CACHE_CAPACITY`: how many verified tokens are remembered at most, 0 to
    /// [`MAX_JWT_CACHE_CAPACITY`] (default [`DEFAULT_CACHE_CAPACITY`]); `0` turns the cache off
    /// and every request checks the signature.
    ///
    /// [`DEFAULT_CACHE_CAPACITY`]: crate::auth::DEFAULT_CACHE_CAPACITY
    pub cache_capacity: u64,
}

/// A variable that is set but unusable.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {reason}")]
pub struct ConfigError {
    /// The environment variable at fault.
    pub variable: &'static str,
    /// What is wrong with it, for a person to fix.
    pub reason: String,
}

impl Config {
    /// Reads the configuration from the process environment.
    ///
    /// # Errors
    /// [`ConfigError`] naming the first variable that is set to an unusable value.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name))
    }

    /// Reads the configuration through `lookup`, which answers one variable at a time (tests pass
    /// a map here instead of changing the process environment).
    ///
    /// # Errors
    /// [`ConfigError`] naming the first variable that is set to an unusable value.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Result<String, VarError>,
    ) -> Result<Self, ConfigError> {
        let listen = read(&lookup, "CAMPAIGN_LISTEN")?.unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
        let listen: SocketAddr = listen.parse().map_err(|_| ConfigError {
            variable: "CAMPAIGN_LISTEN",
            reason: format!("`{listen}` is not an ip:port address such as {DEFAULT_LISTEN}"),
        })?;
        let store = match read(&lookup, "CAMPAIGN_STORE")?.as_deref() {
            None | Some("memory") => {
                for variable in ["CAMPAIGN_MONGODB_URI", "CAMPAIGN_MONGODB_DATABASE"] {
                    if read(&lookup, variable)?.is_some_and(|v| !v.is_empty()) {
                        return Err(ConfigError {
                            variable,
                            reason: "is set but CAMPAIGN_STORE is `memory` (the default); set \
                                     CAMPAIGN_STORE=mongodb to use MongoDB, or unset it"
                                .to_owned(),
                        });
                    }
                }
                StoreConfig::Memory
            }
            Some("mongodb") => StoreConfig::MongoDb(mongodb(&lookup)?),
            Some(other) => {
                return Err(ConfigError {
                    variable: "CAMPAIGN_STORE",
                    reason: format!("unknown store `{other}`; expected `memory` or `mongodb`"),
                });
            }
        };
        let telemetry = telemetry(&lookup)?;
        let redis = redis(&lookup)?;
        let integrations = integrations(&lookup)?;
        let dev_mode = match read(&lookup, "CAMPAIGN_DEV_MODE")?
            .as_deref()
            .map(str::trim)
        {
            None | Some("") | Some("false") | Some("0") => false,
            Some("true") | Some("1") => true,
            Some(other) => {
                return Err(ConfigError {
                    variable: "CAMPAIGN_DEV_MODE",
                    reason: format!("`{other}` is not true or false"),
                });
            }
        };
        let public_key_file = read(&lookup, "CAMPAIGN_JWT_PUBLIC_KEY_FILE")?
            .filter(|v| !v.is_empty())
            .map(PathBuf::from);
        let jwks_file = set(&lookup, "CAMPAIGN_JWT_JWKS_FILE")?.map(PathBuf::from);
        let jwks_url = jwks_url(&lookup)?;
        if dev_mode && !listen.ip().is_loopback() {
            return Err(ConfigError {
                variable: "CAMPAIGN_DEV_MODE",
                reason: format!(
                    "dev mode prints a supreme token and trusts an ephemeral key, so it only \
                     listens on a loopback address; CAMPAIGN_LISTEN is {listen}"
                ),
            });
        }
        if public_key_file.is_none() && jwks_file.is_none() && jwks_url.is_none() && !dev_mode {
            return Err(ConfigError {
                variable: "CAMPAIGN_JWT_PUBLIC_KEY_FILE",
                reason: "is required outside dev mode, unless CAMPAIGN_JWT_JWKS_FILE or \
                         CAMPAIGN_JWT_JWKS_URL is set (or set CAMPAIGN_DEV_MODE=true for a \
                         local run)"
                    .to_owned(),
            });
        }
        let auth = AuthConfig {
            public_key_file,
            jwks_file,
            jwks_url,
            issuer: read(&lookup, "CAMPAIGN_JWT_ISSUER")?.filter(|v| !v.is_empty()),
            audience: read(&lookup, "CAMPAIGN_JWT_AUDIENCE")?.filter(|v| !v.is_empty()),
            dev_mode,
            cache_capacity: jwt_cache_capacity(&lookup)?,
        };
        let refresh_interval = match seconds(&lookup, "CAMPAIGN_REFRESH_INTERVAL_SECS", 60)? {
            0 => None,
            s => Some(Duration::from_secs(s)),
        };
        let search_cache_ttl =
            Duration::from_secs(seconds(&lookup, "CAMPAIGN_SEARCH_CACHE_TTL_SECS", 300)?);
        let password_rate_limit = per_minute(&lookup, "CAMPAIGN_RATE_LIMIT_PASSWORD_PER_MIN", 10)?;
        let search_rate_limit = per_minute(&lookup, "CAMPAIGN_RATE_LIMIT_SEARCH_PER_MIN", 120)?;
        let cors_allowed_origins = cors_origins(&lookup)?;
        let workers = workers(&lookup)?;
        let shutdown_delay =
            Duration::from_secs(seconds(&lookup, "CAMPAIGN_SHUTDOWN_DELAY_SECS", 0)?);
        let outbox_lease = match seconds(&lookup, "CAMPAIGN_OUTBOX_LEASE_SECS", 60)? {
            lease @ 2.. => Duration::from_secs(lease),
            _ => {
                return Err(ConfigError {
                    variable: "CAMPAIGN_OUTBOX_LEASE_SECS",
                    reason: "must be at least 2 seconds (a round sends for half the lease)"
                        .to_owned(),
                });
            }
        };
        Ok(Self {
            listen,
            store,
            auth,
            refresh_interval,
            search_cache_ttl,
            password_rate_limit,
            search_rate_limit,
            telemetry,
            redis,
            integrations,
            cors_allowed_origins,
            workers,
            shutdown_delay,
            outbox_lease,
        })
    }
}

/// `CAMPAIGN_JWT_JWKS_URL`: an absolute http(s) URL with a host (it is fetched at start-up,
/// which reports an unreachable one).
fn jwks_url(
    lookup: &impl Fn(&str) -> Result<String, VarError>,
) -> Result<Option<String>, ConfigError> {
    const VARIABLE: &str = "CAMPAIGN_JWT_JWKS_URL";
    let Some(url) = set(lookup, VARIABLE)? else {
        return Ok(None);
    };
    let bad = |why: &str| ConfigError {
        variable: VARIABLE,
        reason: format!(
            "`{url}` {why}; expected a URL such as https://idp.example.com/.well-known/jwks.json"
        ),
    };
    let parsed = reqwest::Url::parse(&url).map_err(|e| bad(&format!("is not a URL ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad("is not an http(s) URL"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(bad("has no host"));
    }
    Ok(Some(url))
}

/// `CAMPAIGN_CORS_ALLOWED_ORIGINS`: each entry an origin — `http` or `https`, a host, an
/// optional port, nothing else (no path, no wildcard: a wildcard would let any site read what
/// an admin's browser may).
fn cors_origins(
    lookup: &impl Fn(&str) -> Result<String, VarError>,
) -> Result<Vec<String>, ConfigError> {
    const VARIABLE: &str = "CAMPAIGN_CORS_ALLOWED_ORIGINS";
    let Some(raw) = read(lookup, VARIABLE)? else {
        return Ok(Vec::new());
    };
    let mut origins = Vec::new();
    for entry in raw.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let rest = entry
            .strip_prefix("https://")
            .or_else(|| entry.strip_prefix("http://"));
        let valid = rest.is_some_and(|host| {
            !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        });
        if !valid {
            return Err(ConfigError {
                variable: VARIABLE,
                reason: format!(
                    "`{entry}` is not an origin such as https://admin.example.com (scheme, host \
                     and optional port; no path, no wildcard)"
                ),
            });
        }
        origins.push(entry.to_owned());
    }
    Ok(origins)
}

/// `CAMPAIGN_REDIS_URL` (the primary) and `CAMPAIGN_REDIS_REPLICA_URLS` (comma-separated
/// replicas, which need a primary).
fn redis(
    lookup: &impl Fn(&str) -> Result<String, VarError>,
) -> Result<Option<RedisSettings>, ConfigError> {
    let primary = set(lookup, "CAMPAIGN_REDIS_URL")?;
    let replicas = set(lookup, "CAMPAIGN_REDIS_REPLICA_URLS")?;
    let Some(primary) = primary else {
        return match replicas {
            Some(_) => Err(ConfigError {
                variable: "CAMPAIGN_REDIS_REPLICA_URLS",
                reason: "read replicas need CAMPAIGN_REDIS_URL (the primary) too".to_owned(),
            }),
            None => Ok(None),
        };
    };
    let parse = |variable, raw: &str| {
        RedisUrl::parse(raw).map_err(|e| ConfigError {
            variable,
            reason: e.to_string(),
        })
    };
    let primary = parse("CAMPAIGN_REDIS_URL", &primary)?;
    let replicas = replicas
        .iter()
        .flat_map(|list| list.split(','))
        .map(str::trim)
        .filter(|url| !url.is_empty())
        .map(|url| parse("CAMPAIGN_REDIS_REPLICA_URLS", url))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(RedisSettings::new(primary).with_replicas(replicas)))
}

/// The Discovery, Fastly and GitLab variables.
fn integrations(
    lookup: &impl Fn(&str) -> Result<String, VarError>,
) -> Result<IntegrationsConfig, ConfigError> {
    // Searches run inside a client's request: shorter tries, one retry.
    let discovery_http = HttpSettings {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(3),
        retry: RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(500),
        },
    };
    // Purges and artist files are delivered by the outbox relay, which retries on its own too.
    let relay_http = HttpSettings {
        request_timeout: Duration::from_secs(10),
        ..HttpSettings::default()
    };
    let discovery = all_or_none(
        lookup,
        ["CAMPAIGN_DISCOVERY_URL", "CAMPAIGN_DISCOVERY_API_KEY"],
        &[],
    )?
    .map(|[url, key]| -> Result<_, ConfigError> {
        Ok(DiscoverySettings {
            base_url: base_url("CAMPAIGN_DISCOVERY_URL", &url)?,
            api_key: Secret::new(key),
            http: discovery_http,
        })
    })
    .transpose()?;
    let fastly = all_or_none(
        lookup,
        [
            "CAMPAIGN_FASTLY_URL",
            "CAMPAIGN_FASTLY_TOKEN",
            "CAMPAIGN_FASTLY_SERVICE_ID",
        ],
        &[],
    )?
    .map(|[url, token, service_id]| -> Result<_, ConfigError> {
        Ok(FastlySettings {
            base_url: base_url("CAMPAIGN_FASTLY_URL", &url)?,
            token: Secret::new(token),
            service_id,
            http: relay_http,
        })
    })
    .transpose()?;
    let gitlab = all_or_none(
        lookup,
        [
            "CAMPAIGN_GITLAB_URL",
            "CAMPAIGN_GITLAB_TOKEN",
            "CAMPAIGN_GITLAB_PROJECT",
        ],
        &["CAMPAIGN_GITLAB_BRANCH"],
    )?
    .map(|[url, token, project]| -> Result<_, ConfigError> {
        Ok(GitLabSettings {
            base_url: base_url("CAMPAIGN_GITLAB_URL", &url)?,
            token: Secret::new(token),
            project,
            branch: set(lookup, "CAMPAIGN_GITLAB_BRANCH")?.unwrap_or_else(|| "main".to_owned()),
            http: relay_http,
        })
    })
    .transpose()?;
    Ok(IntegrationsConfig {
        discovery,
        fastly,
        gitlab,
        aws: aws(lookup)?,
    })
}

/// The AWS variables: `None` when no destination is set. The endpoint override must be an
/// http(s) URL, a stream a Kinesis name (1-128 of `[A-Za-z0-9_.-]`) or ARN, a queue an https
/// (or, for emulators, http) URL.
fn aws(
    lookup: &impl Fn(&str) -> Result<String, VarError>,
) -> Result<Option<AwsConfig>, ConfigError> {
    let endpoint_url = set(lookup, "CAMPAIGN_AWS_ENDPOINT_URL")?;
    if let Some(url) = &endpoint_url
        && !is_http_url(url)
    {
        return Err(ConfigError {
            variable: "CAMPAIGN_AWS_ENDPOINT_URL",
            reason: format!("`{url}` is not an http(s) URL"),
        });
    }
    let kinesis_stream = set(lookup, "CAMPAIGN_KINESIS_STREAM")?;
    if let Some(stream) = &kinesis_stream {
        let name_ok = stream.len() <= 128
            && stream
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        if !(name_ok || stream.starts_with("arn:aws")) {
            return Err(ConfigError {
                variable: "CAMPAIGN_KINESIS_STREAM",
                reason: format!("`{stream}` is not a Kinesis stream name or ARN"),
            });
        }
    }
    let mut queues = [None, None];
    for (slot, variable) in queues.iter_mut().zip([
        "CAMPAIGN_SQS_DATA_PIPELINE_QUEUE_URL",
        "CAMPAIGN_SQS_REFRESH_SELECTIONS_QUEUE_URL",
    ]) {
        if let Some(url) = set(lookup, variable)? {
            if !is_http_url(&url) {
                return Err(ConfigError {
                    variable,
                    reason: format!(
                        "`{url}` is not a queue URL such as https://sqs.eu-west-1.amazonaws.com/123456789012/name"
                    ),
                });
            }
            *slot = Some(url);
        }
    }
    let [data_pipeline_queue, refresh_selections_queue] = queues;
    if kinesis_stream.is_none()
        && data_pipeline_queue.is_none()
        && refresh_selections_queue.is_none()
    {
        if endpoint_url.is_some() {
            return Err(ConfigError {
                variable: "CAMPAIGN_AWS_ENDPOINT_URL",
                reason: "is set but no Kinesis stream or SQS queue is (CAMPAIGN_KINESIS_STREAM, \
                         CAMPAIGN_SQS_*): set one, or unset it"
                    .to_owned(),
            });
        }
        return Ok(None);
    }
    Ok(Some(AwsConfig {
        settings: AwsSettings {
            endpoint_url,
            region: None,
        },
        kinesis_stream,
        data_pipeline_queue,
        refresh_selections_queue,
    }))
}

/// Whether `raw` looks like an absolute http(s) URL with a host.
fn is_http_url(raw: &str) -> bool {
    ["http://", "https://"].iter().any(|scheme| {
        raw.strip_prefix(scheme).is_some_and(|rest| {
            !rest.is_empty() && !rest.starts_with('/') && !rest.contains(char::is_whitespace)
        })
    })
}

/// The values of a group of variables that go together: `None` when none of `required` and
/// `optional` is set, the required values when all are, an error naming the first missing
/// required variable otherwise.
fn all_or_none<const N: usize>(
    lookup: &impl Fn(&str) -> Result<String, VarError>,
    required: [&'static str; N],
    optional: &[&'static str],
) -> Result<Option<[String; N]>, ConfigError> {
    let mut values = Vec::with_capacity(N);
    for variable in required {
        values.push(set(lookup, variable)?);
    }
    let mut given = required
        .iter()
        .zip(&values)
        .filter(|(_, value)| value.is_some())
        .map(|(variable, _)| *variable);
    let first_given = match given.next() {
        Some(variable) => variable,
        None => match optional
            .iter()
            .copied()
            .find(|v| set(lookup, v).ok().flatten().is_some())
        {
            Some(variable) => variable,
            None => return Ok(None),
        },
    };
    let mut complete = Vec::with_capacity(N);
    for (variable, value) in required.iter().zip(values) {
        match value {
            Some(value) => complete.push(value),
            None => {
                return Err(ConfigError {
                    variable,
                    reason: format!(
                        "is required when {first_given} is set (set all of {} or none)",
                        required.join(", ")
                    ),
                });
            }
        }
    }
    // `complete` has exactly one value per required variable, so the conversion holds.
    Ok(complete.try_into().ok())
}

/// A base URL variable's value, checked.
fn base_url(variable: &'static str, raw: &str) -> Result<BaseUrl, ConfigError> {
    BaseUrl::parse(raw).map_err(|e| ConfigError {
        variable,
        reason: e.to_string(),
    })
}

/// A variable's value, `None` when unset or empty.
fn set(
    lookup: &impl Fn(&str) -> Result<String, VarError>,
    variable: &'static str,
) -> Result<Option<String>, ConfigError> {
    Ok(read(lookup, variable)?
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty()))
}

/// The telemetry variables. An endpoint must be an http(s) URL (gRPC endpoints are too).
fn telemetry(
    lookup: &impl Fn(&str) -> Result<String, VarError>,
) -> Result<TelemetryConfig, ConfigError> {
    let mut endpoint_set = false;
    for variable in [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    ] {
        if let Some(url) = read(lookup, variable)?.filter(|v| !v.trim().is_empty()) {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(ConfigError {
                    variable,
                    reason: format!(
                        "`{url}` is not an http(s) URL such as http://otel-collector:4318"
                    ),
                });
            }
            endpoint_set = true;
        }
    }
    let disabled = read(lookup, "OTEL_SDK_DISABLED")?
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
        || read(lookup, "OTEL_TRACES_EXPORTER")?
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("none"));
    Ok(TelemetryConfig {
        log_filter: read(lookup, "RUST_LOG")?.filter(|v| !v.trim().is_empty()),
        otlp_export: endpoint_set && !disabled,
        service_name: read(lookup, "OTEL_SERVICE_NAME")?
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| crate::telemetry::DEFAULT_SERVICE_NAME.to_owned()),
    })
}

/// The most verified tokens `CAMPAIGN_JWT_CACHE_CAPACITY` may ask to remember (an entry is a
/// few hundred bytes: about the claims of the token).
pub const MAX_JWT_CACHE_CAPACITY: u64 = 1_000_000;

/// `CAMPAIGN_JWT_CACHE_CAPACITY`: a whole number from 0 to [`MAX_JWT_CACHE_CAPACITY`],
/// [`DEFAULT_CACHE_CAPACITY`](crate::auth::DEFAULT_CACHE_CAPACITY) when unset.
fn jwt_cache_capacity(
    lookup: &impl Fn(&str) -> Result<String, VarError>,
) -> Result<u64, ConfigError> {
    const VARIABLE: &str = "CAMPAIGN_JWT_CACHE_CAPACITY";
    match set(lookup, VARIABLE)? {
        None => Ok(crate::auth::DEFAULT_CACHE_CAPACITY),
        Some(raw) => raw
            .parse::<u64>()
            .ok()
            .filter(|n| *n <= MAX_JWT_CACHE_CAPACITY)
            .ok_or_else(|| ConfigError {
                variable: VARIABLE,
                reason: format!(
                    "`{raw}` is not a number of verified tokens to remember (0 to \
                     {MAX_JWT_CACHE_CAPACITY}; 0 turns the cache off)"
                ),
            }),
    }
}

/// The most events per minute a rate limit variable accepts.
const MAX_PER_MINUTE: u32 = 1_000_000;

/// A rate limit in events per minute (SPEC §4.1): a whole number from 0 to
/// [`MAX_PER_MINUTE`], `default` when unset; `0` turns the limit off (`None`).
fn per_minute(
    lookup: &impl Fn(&str) -> Result<String, VarError>,
    variable: &'static str,
    default: u32,
) -> Result<Option<RateLimit>, ConfigError> {
    let per_minute = match set(lookup, variable)? {
        None => default,
        Some(raw) => raw
            .parse::<u32>()
            .ok()
            .filter(|n| *n <= MAX_PER_MINUTE)
            .ok_or_else(|| ConfigError {
                variable,
                reason: format!(
                    "`{raw}` is not a whole number of events per minute (0 to {MAX_PER_MINUTE}; \
                     0 turns the limit off)"
                ),
            })?,
    };
    Ok(NonZeroU32::new(per_minute).map(RateLimit::per_minute))
}

/// The most HTTP worker threads `CAMPAIGN_WORKERS` may ask for.
pub const MAX_WORKERS: usize = 1024;

/// The CPUs this process may use, at least 1: the default of `CAMPAIGN_WORKERS`.
///
/// On Linux, `std::thread::available_parallelism` takes the smaller of the scheduler affinity
/// mask (`sched_getaffinity`, so cpusets and `taskset` count) and the cgroup CPU quota —
/// `cpu.max` under cgroup v2, `cpu.cfs_quota_us / cpu.cfs_period_us` under v1 — rounded down
/// and at least 1 (std's documentation, "Platform-specific behavior"; the quota code came with
/// rust-lang/rust#92697). So a container limited to 2 CPUs on a 64-core node gets 2, not 64.
/// It may over-count only where the cgroup files cannot be read (a sandbox); the Helm chart
/// sets `CAMPAIGN_WORKERS` explicitly from the CPU request anyway.
pub fn available_cpus() -> NonZeroUsize {
    std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN)
}

/// `CAMPAIGN_WORKERS`: a whole number from 1 to [`MAX_WORKERS`]; [`available_cpus`] (capped at
/// [`MAX_WORKERS`]) when unset.
fn workers(
    lookup: &impl Fn(&str) -> Result<String, VarError>,
) -> Result<NonZeroUsize, ConfigError> {
    const VARIABLE: &str = "CAMPAIGN_WORKERS";
    match set(lookup, VARIABLE)? {
        None => {
            Ok(available_cpus().min(NonZeroUsize::new(MAX_WORKERS).unwrap_or(NonZeroUsize::MIN)))
        }
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|n| *n <= MAX_WORKERS)
            .and_then(NonZeroUsize::new)
            .ok_or_else(|| ConfigError {
                variable: VARIABLE,
                reason: format!(
                    "`{raw}` is not a number of HTTP worker threads (1 to {MAX_WORKERS}; unset: \
                     the CPUs the process may use)"
                ),
            }),
    }
}

/// A whole number of seconds, `default` when unset.
fn seconds(
    lookup: &impl Fn(&str) -> Result<String, VarError>,
    variable: &'static str,
    default: u64,
) -> Result<u64, ConfigError> {
    match read(lookup, variable)? {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|s| *s <= 31_536_000)
            .ok_or_else(|| ConfigError {
                variable,
                reason: format!("`{raw}` is not a whole number of seconds (0 to 31536000)"),
            }),
    }
}

/// One variable's value: `None` when unset, an error when it is not valid Unicode.
/// `CAMPAIGN_MONGODB_URI` (required, `mongodb://` or `mongodb+srv://`) and
/// `CAMPAIGN_MONGODB_DATABASE` (MongoDB's naming rules; default `campaigns`). The URI is
/// checked fully when the client is built at start-up.
fn mongodb(
    lookup: &impl Fn(&str) -> Result<String, VarError>,
) -> Result<MongoSettings, ConfigError> {
    let uri = read(lookup, "CAMPAIGN_MONGODB_URI")?
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ConfigError {
            variable: "CAMPAIGN_MONGODB_URI",
            reason: "is required when CAMPAIGN_STORE=mongodb (e.g. mongodb://127.0.0.1:27017)"
                .to_owned(),
        })?;
    if !(uri.starts_with("mongodb://") || uri.starts_with("mongodb+srv://")) {
        return Err(ConfigError {
            variable: "CAMPAIGN_MONGODB_URI",
            reason: "must start with mongodb:// or mongodb+srv://".to_owned(),
        });
    }
    let database = read(lookup, "CAMPAIGN_MONGODB_DATABASE")?
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| DEFAULT_MONGODB_DATABASE.to_owned());
    if !MongoSettings::valid_database_name(&database) {
        return Err(ConfigError {
            variable: "CAMPAIGN_MONGODB_DATABASE",
            reason: format!(
                "`{database}` is not a MongoDB database name (1-63 bytes, none of /\\. \"$)"
            ),
        });
    }
    Ok(MongoSettings::new(uri, database))
}

fn read(
    lookup: &impl Fn(&str) -> Result<String, VarError>,
    variable: &'static str,
) -> Result<Option<String>, ConfigError> {
    match lookup(variable) {
        Ok(value) => Ok(Some(value)),
        Err(VarError::NotPresent) => Ok(None),
        Err(VarError::NotUnicode(_)) => Err(ConfigError {
            variable,
            reason: "the value is not valid Unicode".to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config_from(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned().ok_or(VarError::NotPresent))
    }

    const DEV: (&str, &str) = ("CAMPAIGN_DEV_MODE", "true");

    #[test]
    fn defaults_give_the_embedded_default_in_dev_mode() {
        let config = config_from(&[DEV]).unwrap();
        assert_eq!(config.listen, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(config.store, StoreConfig::Memory);
        assert!(config.auth.dev_mode);
        assert_eq!(config.auth.public_key_file, None);
        assert_eq!(config.refresh_interval, Some(Duration::from_secs(60)));
        assert_eq!(config.search_cache_ttl, Duration::from_secs(300));
    }

    #[test]
    fn workers_default_to_the_cpus_the_process_may_use() {
        let config = config_from(&[DEV]).unwrap();
        assert_eq!(config.workers, available_cpus());
        let config = config_from(&[DEV, ("CAMPAIGN_WORKERS", " 3 ")]).unwrap();
        assert_eq!(config.workers.get(), 3);
        let config = config_from(&[DEV, ("CAMPAIGN_WORKERS", "1024")]).unwrap();
        assert_eq!(config.workers.get(), MAX_WORKERS);
    }

    #[test]
    fn a_bad_worker_count_stops_start_up_naming_the_variable() {
        for bad in ["0", "1025", "-1", "two", "1.5", "99999999999999999999999"] {
            let error = config_from(&[DEV, ("CAMPAIGN_WORKERS", bad)]).unwrap_err();
            assert_eq!(error.variable, "CAMPAIGN_WORKERS", "{bad}");
            assert!(error.to_string().contains(bad), "{error}");
        }
    }

    #[test]
    fn listen_takes_the_variable() {
        let config = config_from(&[DEV, ("CAMPAIGN_LISTEN", "127.0.0.2:9000")]).unwrap();
        assert_eq!(config.listen, "127.0.0.2:9000".parse().unwrap());
    }

    #[test]
    fn a_bad_listen_address_is_rejected_naming_the_variable() {
        for bad in [
            "localhost",
            "127.0.0.1",
            "127.0.0.1:http",
            "",
            "127.0.0.1:70000",
        ] {
            let err = config_from(&[DEV, ("CAMPAIGN_LISTEN", bad)]).unwrap_err();
            assert_eq!(err.variable, "CAMPAIGN_LISTEN");
            let message = err.to_string();
            assert!(message.starts_with("CAMPAIGN_LISTEN: "), "{message}");
            assert!(message.contains(&format!("`{bad}`")), "{message}");
        }
    }

    #[test]
    fn a_key_is_required_outside_dev_mode() {
        let err = config_from(&[]).unwrap_err();
        assert_eq!(err.variable, "CAMPAIGN_JWT_PUBLIC_KEY_FILE");
        let config = config_from(&[
            ("CAMPAIGN_JWT_PUBLIC_KEY_FILE", "/etc/keys/pub.pem"),
            ("CAMPAIGN_JWT_ISSUER", "iss"),
        ])
        .unwrap();
        assert_eq!(
            config.auth.public_key_file,
            Some(PathBuf::from("/etc/keys/pub.pem"))
        );
        assert_eq!(config.auth.issuer.as_deref(), Some("iss"));
        assert!(!config.auth.dev_mode);
    }

    #[test]
    fn a_key_set_may_replace_or_join_the_public_key() {
        let config =
            config_from(&[("CAMPAIGN_JWT_JWKS_URL", " https://idp.example.test/jwks ")]).unwrap();
        assert_eq!(
            config.auth.jwks_url.as_deref(),
            Some("https://idp.example.test/jwks")
        );
        assert_eq!(config.auth.public_key_file, None);
        let config = config_from(&[("CAMPAIGN_JWT_JWKS_FILE", "/etc/keys/jwks.json")]).unwrap();
        assert_eq!(
            config.auth.jwks_file,
            Some(PathBuf::from("/etc/keys/jwks.json"))
        );
        let config = config_from(&[
            ("CAMPAIGN_JWT_PUBLIC_KEY_FILE", "/etc/keys/pub.pem"),
            ("CAMPAIGN_JWT_JWKS_FILE", "/etc/keys/jwks.json"),
            ("CAMPAIGN_JWT_JWKS_URL", "http://idp:8080/jwks"),
        ])
        .unwrap();
        assert!(config.auth.public_key_file.is_some() && config.auth.jwks_file.is_some());
        assert_eq!(
            config.auth.jwks_url.as_deref(),
            Some("http://idp:8080/jwks")
        );
        // Empty values count as unset.
        let err = config_from(&[
            ("CAMPAIGN_JWT_JWKS_URL", ""),
            ("CAMPAIGN_JWT_JWKS_FILE", " "),
        ])
        .unwrap_err();
        assert_eq!(err.variable, "CAMPAIGN_JWT_PUBLIC_KEY_FILE");
        assert!(
            err.reason.contains("CAMPAIGN_JWT_JWKS_URL"),
            "{}",
            err.reason
        );
    }

    #[test]
    fn a_bad_jwks_url_is_rejected_naming_the_variable() {
        for bad in [
            "idp.example.test/jwks",
            "ftp://idp.example.test/jwks",
            "https://",
            "file:///etc/jwks.json",
        ] {
            let err = config_from(&[("CAMPAIGN_JWT_JWKS_URL", bad)]).unwrap_err();
            assert_eq!(err.variable, "CAMPAIGN_JWT_JWKS_URL", "{bad}");
            assert!(err.reason.contains(bad), "{}", err.reason);
        }
    }

    #[test]
    fn bad_values_name_their_variable() {
        let cases = [
            ("CAMPAIGN_STORE", "postgres"),
            ("CAMPAIGN_DEV_MODE", "yes please"),
            ("CAMPAIGN_REFRESH_INTERVAL_SECS", "-1"),
            ("CAMPAIGN_REFRESH_INTERVAL_SECS", "soon"),
            ("CAMPAIGN_SEARCH_CACHE_TTL_SECS", "1.5"),
            ("CAMPAIGN_AWS_ENDPOINT_URL", "localhost:4566"),
        ];
        for (variable, value) in cases {
            let dev = if variable == "CAMPAIGN_DEV_MODE" {
                ("CAMPAIGN_JWT_PUBLIC_KEY_FILE", "k.pem")
            } else {
                DEV
            };
            let err = config_from(&[dev, (variable, value)]).unwrap_err();
            assert_eq!(err.variable, variable, "{value}");
        }
    }

    #[test]
    fn aws_destinations_are_configured_one_by_one_and_checked() {
        let config = config_from(&[DEV]).unwrap();
        assert_eq!(config.integrations.aws, None);
        let config = config_from(&[
            DEV,
            ("CAMPAIGN_KINESIS_STREAM", "campaign-data"),
            ("CAMPAIGN_AWS_ENDPOINT_URL", "http://127.0.0.1:5000"),
        ])
        .unwrap();
        let aws = config.integrations.aws.expect("kinesis configured");
        assert_eq!(aws.kinesis_stream.as_deref(), Some("campaign-data"));
        assert_eq!(aws.data_pipeline_queue, None);
        assert_eq!(
            aws.settings.endpoint_url.as_deref(),
            Some("http://127.0.0.1:5000")
        );
        let config = config_from(&[
            DEV,
            (
                "CAMPAIGN_SQS_REFRESH_SELECTIONS_QUEUE_URL",
                "https://sqs.eu-west-1.amazonaws.com/123456789012/refresh",
            ),
        ])
        .unwrap();
        let aws = config.integrations.aws.expect("one queue configured");
        assert_eq!(aws.kinesis_stream, None);
        assert!(aws.refresh_selections_queue.is_some());
        let err = config_from(&[DEV, ("CAMPAIGN_AWS_ENDPOINT_URL", "http://127.0.0.1:5000")])
            .unwrap_err();
        assert_eq!(
            err.variable, "CAMPAIGN_AWS_ENDPOINT_URL",
            "an endpoint alone does nothing"
        );
        for (variable, value) in [
            ("CAMPAIGN_KINESIS_STREAM", "bad name!"),
            ("CAMPAIGN_SQS_DATA_PIPELINE_QUEUE_URL", "queue-name"),
            ("CAMPAIGN_SQS_REFRESH_SELECTIONS_QUEUE_URL", "ftp://x/y"),
        ] {
            let err = config_from(&[DEV, (variable, value)]).unwrap_err();
            assert_eq!(err.variable, variable, "{value}");
        }
    }

    #[test]
    fn the_mongodb_store_needs_a_uri_and_takes_a_database() {
        let err = config_from(&[DEV, ("CAMPAIGN_STORE", "mongodb")]).unwrap_err();
        assert_eq!(err.variable, "CAMPAIGN_MONGODB_URI");
        assert!(err.reason.contains("required"), "{}", err.reason);
        let err = config_from(&[
            DEV,
            ("CAMPAIGN_STORE", "mongodb"),
            ("CAMPAIGN_MONGODB_URI", "http://db:27017"),
        ])
        .unwrap_err();
        assert_eq!(err.variable, "CAMPAIGN_MONGODB_URI");
        let err = config_from(&[
            DEV,
            ("CAMPAIGN_STORE", "mongodb"),
            ("CAMPAIGN_MONGODB_URI", "mongodb://db:27017"),
            ("CAMPAIGN_MONGODB_DATABASE", "bad.name"),
        ])
        .unwrap_err();
        assert_eq!(err.variable, "CAMPAIGN_MONGODB_DATABASE");

        let config = config_from(&[
            DEV,
            ("CAMPAIGN_STORE", "mongodb"),
            ("CAMPAIGN_MONGODB_URI", "mongodb://app:pw@db:27017"),
        ])
        .unwrap();
        let StoreConfig::MongoDb(settings) = &config.store else {
            panic!("expected the MongoDB store, got {:?}", config.store);
        };
        assert_eq!(
            (settings.uri.as_str(), settings.database.as_str()),
            ("mongodb://app:pw@db:27017", "campaigns")
        );
        assert!(
            !format!("{config:?}").contains("pw@"),
            "the password never prints"
        );
        let config = config_from(&[
            DEV,
            ("CAMPAIGN_STORE", "mongodb"),
            ("CAMPAIGN_MONGODB_URI", "mongodb+srv://cluster.example"),
            ("CAMPAIGN_MONGODB_DATABASE", "presales"),
        ])
        .unwrap();
        assert!(matches!(&config.store, StoreConfig::MongoDb(s) if s.database == "presales"));
    }

    #[test]
    fn mongodb_variables_without_the_mongodb_store_stop_start_up() {
        for variable in ["CAMPAIGN_MONGODB_URI", "CAMPAIGN_MONGODB_DATABASE"] {
            let err = config_from(&[DEV, (variable, "mongodb://db:27017")]).unwrap_err();
            assert_eq!(err.variable, variable);
            assert!(err.reason.contains("CAMPAIGN_STORE"), "{}", err.reason);
        }
    }

    #[test]
    fn an_otlp_endpoint_turns_trace_export_on() {
        let config = config_from(&[DEV]).unwrap();
        assert!(!config.telemetry.otlp_export);
        assert_eq!(config.telemetry.service_name, "campaign-service");
        assert_eq!(config.telemetry.log_filter, None);
        let config = config_from(&[
            DEV,
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"),
            ("OTEL_SERVICE_NAME", "campaigns-eu"),
            ("RUST_LOG", "warn,access=info"),
        ])
        .unwrap();
        assert!(config.telemetry.otlp_export);
        assert_eq!(config.telemetry.service_name, "campaigns-eu");
        assert_eq!(
            config.telemetry.log_filter.as_deref(),
            Some("warn,access=info")
        );
        let off = config_from(&[
            DEV,
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"),
            ("OTEL_SDK_DISABLED", "true"),
        ])
        .unwrap();
        assert!(!off.telemetry.otlp_export);
        let err =
            config_from(&[DEV, ("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317")]).unwrap_err();
        assert_eq!(err.variable, "OTEL_EXPORTER_OTLP_ENDPOINT");
    }

    #[test]
    fn redis_takes_a_primary_and_replicas() {
        assert_eq!(config_from(&[DEV]).unwrap().redis, None);
        let config = config_from(&[
            DEV,
            ("CAMPAIGN_REDIS_URL", "redis://:pw@cache.internal:6379/0"),
            (
                "CAMPAIGN_REDIS_REPLICA_URLS",
                "redis://replica-1.internal, redis://replica-2.internal:6380,",
            ),
        ])
        .unwrap();
        let redis = config.redis.unwrap();
        assert_eq!(
            redis.primary.to_string(),
            "redis://***@cache.internal:6379/0"
        );
        let replicas: Vec<String> = redis.replicas.iter().map(ToString::to_string).collect();
        assert_eq!(
            replicas,
            [
                "redis://replica-1.internal",
                "redis://replica-2.internal:6380"
            ]
        );
        let only_primary = config_from(&[DEV, ("CAMPAIGN_REDIS_URL", "rediss://cache:6380")])
            .unwrap()
            .redis
            .unwrap();
        assert!(only_primary.replicas.is_empty());
    }

    #[test]
    fn bad_or_partial_redis_settings_name_their_variable() {
        let err =
            config_from(&[DEV, ("CAMPAIGN_REDIS_REPLICA_URLS", "redis://replica")]).unwrap_err();
        assert_eq!(err.variable, "CAMPAIGN_REDIS_REPLICA_URLS");
        assert!(err.reason.contains("CAMPAIGN_REDIS_URL"), "{err}");
        let err =
            config_from(&[DEV, ("CAMPAIGN_REDIS_URL", "http://:s3cret@cache:6379")]).unwrap_err();
        assert_eq!(err.variable, "CAMPAIGN_REDIS_URL");
        assert!(!err.to_string().contains("s3cret"), "{err}");
        let err = config_from(&[
            DEV,
            ("CAMPAIGN_REDIS_URL", "redis://cache"),
            ("CAMPAIGN_REDIS_REPLICA_URLS", "redis://replica,cache:6379"),
        ])
        .unwrap_err();
        assert_eq!(err.variable, "CAMPAIGN_REDIS_REPLICA_URLS");
    }

    #[test]
    fn integrations_take_all_their_variables() {
        let config = config_from(&[
            DEV,
            ("CAMPAIGN_DISCOVERY_URL", "https://app.ticketmaster.com"),
            ("CAMPAIGN_DISCOVERY_API_KEY", "disc-key"),
            ("CAMPAIGN_FASTLY_URL", "https://api.fastly.com"),
            ("CAMPAIGN_FASTLY_TOKEN", "fastly-token"),
            ("CAMPAIGN_FASTLY_SERVICE_ID", "SU1Z0isxPaozGVKXdv0eY"),
            ("CAMPAIGN_GITLAB_URL", "https://gitlab.example.com"),
            ("CAMPAIGN_GITLAB_TOKEN", "glpat-token"),
            ("CAMPAIGN_GITLAB_PROJECT", "group/campaign-config"),
        ])
        .unwrap();
        let i = &config.integrations;
        let discovery = i.discovery.as_ref().unwrap();
        assert_eq!(
            discovery.base_url.to_string(),
            "https://app.ticketmaster.com/"
        );
        assert_eq!(discovery.api_key, Secret::new("disc-key"));
        let fastly = i.fastly.as_ref().unwrap();
        assert_eq!(fastly.service_id, "SU1Z0isxPaozGVKXdv0eY");
        let gitlab = i.gitlab.as_ref().unwrap();
        assert_eq!(gitlab.project, "group/campaign-config");
        assert_eq!(gitlab.branch, "main");
        // Secrets never reach a log line through the configuration's `Debug`.
        let printed = format!("{config:?}");
        for secret in ["disc-key", "fastly-token", "glpat-token"] {
            assert!(!printed.contains(secret), "{secret} printed");
        }
        let none = config_from(&[DEV]).unwrap();
        assert_eq!(none.integrations, IntegrationsConfig::default());
        let branch = config_from(&[
            DEV,
            ("CAMPAIGN_GITLAB_URL", "https://gitlab.example.com"),
            ("CAMPAIGN_GITLAB_TOKEN", "t"),
            ("CAMPAIGN_GITLAB_PROJECT", "42"),
            ("CAMPAIGN_GITLAB_BRANCH", "config"),
        ])
        .unwrap();
        assert_eq!(branch.integrations.gitlab.unwrap().branch, "config");
    }

    #[test]
    fn a_partial_integration_stops_start_up_naming_what_is_missing() {
        let cases: [(&[(&str, &str)], &str); 7] = [
            (
                &[("CAMPAIGN_DISCOVERY_URL", "https://app.ticketmaster.com")],
                "CAMPAIGN_DISCOVERY_API_KEY",
            ),
            (
                &[("CAMPAIGN_DISCOVERY_API_KEY", "k")],
                "CAMPAIGN_DISCOVERY_URL",
            ),
            (
                &[
                    ("CAMPAIGN_FASTLY_URL", "https://api.fastly.com"),
                    ("CAMPAIGN_FASTLY_TOKEN", "t"),
                ],
                "CAMPAIGN_FASTLY_SERVICE_ID",
            ),
            (
                &[("CAMPAIGN_FASTLY_SERVICE_ID", "svc")],
                "CAMPAIGN_FASTLY_URL",
            ),
            (
                &[
                    ("CAMPAIGN_GITLAB_URL", "https://gitlab.example.com"),
                    ("CAMPAIGN_GITLAB_PROJECT", "g/p"),
                ],
                "CAMPAIGN_GITLAB_TOKEN",
            ),
            (&[("CAMPAIGN_GITLAB_BRANCH", "main")], "CAMPAIGN_GITLAB_URL"),
            (
                &[("CAMPAIGN_GITLAB_TOKEN", "secret-token")],
                "CAMPAIGN_GITLAB_URL",
            ),
        ];
        for (vars, missing) in cases {
            let mut all = vec![DEV];
            all.extend_from_slice(vars);
            let err = config_from(&all).unwrap_err();
            assert_eq!(err.variable, missing, "{vars:?}");
            assert!(err.reason.contains("is required when"), "{err}");
            assert!(!err.to_string().contains("secret-token"), "{err}");
        }
    }

    #[test]
    fn bad_integration_urls_name_their_variable() {
        let cases = [
            (
                [
                    ("CAMPAIGN_DISCOVERY_URL", "app.ticketmaster.com"),
                    ("CAMPAIGN_DISCOVERY_API_KEY", "k"),
                    ("CAMPAIGN_LISTEN", "127.0.0.1:8080"),
                ],
                "CAMPAIGN_DISCOVERY_URL",
            ),
            (
                [
                    ("CAMPAIGN_FASTLY_URL", "https://api.fastly.com/?x=1"),
                    ("CAMPAIGN_FASTLY_TOKEN", "t"),
                    ("CAMPAIGN_FASTLY_SERVICE_ID", "s"),
                ],
                "CAMPAIGN_FASTLY_URL",
            ),
            (
                [
                    ("CAMPAIGN_GITLAB_URL", "ftp://gitlab.example.com"),
                    ("CAMPAIGN_GITLAB_TOKEN", "t"),
                    ("CAMPAIGN_GITLAB_PROJECT", "p"),
                ],
                "CAMPAIGN_GITLAB_URL",
            ),
        ];
        for (vars, variable) in cases {
            let mut all = vec![DEV];
            all.extend_from_slice(&vars);
            assert_eq!(config_from(&all).unwrap_err().variable, variable);
        }
    }

    #[test]
    fn dev_mode_listens_only_on_loopback() {
        let err = config_from(&[DEV, ("CAMPAIGN_LISTEN", "0.0.0.0:8080")]).unwrap_err();
        assert_eq!(err.variable, "CAMPAIGN_DEV_MODE");
        assert!(err.reason.contains("0.0.0.0:8080"), "{err}");
        assert!(config_from(&[DEV, ("CAMPAIGN_LISTEN", "[::1]:8080")]).is_ok());
        let key = [
            ("CAMPAIGN_DEV_MODE", "false"),
            ("CAMPAIGN_JWT_PUBLIC_KEY_FILE", "/k.pem"),
            ("CAMPAIGN_LISTEN", "0.0.0.0:8080"),
        ];
        assert!(config_from(&key).is_ok());
    }

    #[test]
    fn cors_origins_are_a_checked_list() {
        assert!(config_from(&[DEV]).unwrap().cors_allowed_origins.is_empty());
        let config = config_from(&[
            DEV,
            (
                "CAMPAIGN_CORS_ALLOWED_ORIGINS",
                " https://admin.example.com, http://localhost:3000 ,",
            ),
        ])
        .unwrap();
        assert_eq!(
            config.cors_allowed_origins,
            ["https://admin.example.com", "http://localhost:3000"]
        );
        for bad in [
            "*",
            "admin.example.com",
            "https://a.example.com/path",
            "ftp://x",
        ] {
            let err = config_from(&[DEV, ("CAMPAIGN_CORS_ALLOWED_ORIGINS", bad)]).unwrap_err();
            assert_eq!(err.variable, "CAMPAIGN_CORS_ALLOWED_ORIGINS", "{bad}");
        }
    }

    #[test]
    fn rate_limits_default_to_10_and_120_a_minute_and_0_turns_them_off() {
        let per_minute = |n| Some(RateLimit::per_minute(NonZeroU32::new(n).unwrap()));
        let config = config_from(&[DEV]).unwrap();
        assert_eq!(config.password_rate_limit, per_minute(10));
        assert_eq!(config.search_rate_limit, per_minute(120));
        let config = config_from(&[
            DEV,
            ("CAMPAIGN_RATE_LIMIT_PASSWORD_PER_MIN", " 3 "),
            ("CAMPAIGN_RATE_LIMIT_SEARCH_PER_MIN", "0"),
        ])
        .unwrap();
        assert_eq!(config.password_rate_limit, per_minute(3));
        assert_eq!(config.search_rate_limit, None);
        assert_eq!(
            config_from(&[DEV, ("CAMPAIGN_RATE_LIMIT_PASSWORD_PER_MIN", "1000000")])
                .unwrap()
                .password_rate_limit,
            per_minute(1_000_000)
        );
    }

    #[test]
    fn bad_rate_limits_name_their_variable() {
        for variable in [
            "CAMPAIGN_RATE_LIMIT_PASSWORD_PER_MIN",
            "CAMPAIGN_RATE_LIMIT_SEARCH_PER_MIN",
        ] {
            for bad in ["-1", "ten", "1.5", "1000001", "99999999999"] {
                let err = config_from(&[DEV, (variable, bad)]).unwrap_err();
                assert_eq!(err.variable, variable, "{bad}");
                assert!(
                    err.to_string().starts_with(&format!("{variable}: ")),
                    "{err}"
                );
                assert!(err.reason.contains(&format!("`{bad}`")), "{err}");
            }
        }
    }

    #[test]
    fn the_shutdown_delay_and_the_outbox_lease_are_read_and_bounded() {
        let config = config_from(&[DEV]).unwrap();
        assert_eq!(
            (config.shutdown_delay, config.outbox_lease),
            (Duration::ZERO, Duration::from_secs(60))
        );
        let config = config_from(&[
            DEV,
            ("CAMPAIGN_SHUTDOWN_DELAY_SECS", "5"),
            ("CAMPAIGN_OUTBOX_LEASE_SECS", "3"),
        ])
        .unwrap();
        assert_eq!(
            (config.shutdown_delay, config.outbox_lease),
            (Duration::from_secs(5), Duration::from_secs(3))
        );
        for (variable, value) in [
            ("CAMPAIGN_OUTBOX_LEASE_SECS", "1"),
            ("CAMPAIGN_OUTBOX_LEASE_SECS", "soon"),
            ("CAMPAIGN_SHUTDOWN_DELAY_SECS", "-1"),
        ] {
            let err = config_from(&[DEV, (variable, value)]).unwrap_err();
            assert_eq!(err.variable, variable, "{value}");
        }
    }

    #[test]
    fn the_jwt_cache_capacity_is_read_and_bounded() {
        let config = config_from(&[DEV]).unwrap();
        assert_eq!(
            config.auth.cache_capacity,
            crate::auth::DEFAULT_CACHE_CAPACITY
        );
        for (raw, expected) in [("0", 0), (" 5000 ", 5000), ("1000000", 1_000_000)] {
            let config = config_from(&[DEV, ("CAMPAIGN_JWT_CACHE_CAPACITY", raw)]).unwrap();
            assert_eq!(config.auth.cache_capacity, expected, "{raw}");
        }
        for bad in ["-1", "many", "1.5", "1000001", "99999999999999999999999"] {
            let err = config_from(&[DEV, ("CAMPAIGN_JWT_CACHE_CAPACITY", bad)]).unwrap_err();
            assert_eq!(err.variable, "CAMPAIGN_JWT_CACHE_CAPACITY", "{bad}");
            assert!(
                err.to_string().starts_with("CAMPAIGN_JWT_CACHE_CAPACITY: "),
                "{err}"
            );
            assert!(err.reason.contains(&format!("`{bad}`")), "{err}");
        }
    }

    #[test]
    fn a_zero_refresh_interval_disables_the_job() {
        let config = config_from(&[DEV, ("CAMPAIGN_REFRESH_INTERVAL_SECS", "0")]).unwrap();
        assert_eq!(config.refresh_interval, None);
    }
}
