//! campaign-service's HTTP side and composition root (SPEC §2): configuration, wiring of
//! adapters into use cases, the actix-web pipeline and routes, background jobs, and the server
//! lifecycle.
//!
//! [`start`] binds the server on the given address with the given [`Components`] and starts the
//! background jobs, reporting the address it got (tests use port 0 and memory components);
//! [`Running::serve_until`] serves until a shutdown future completes, then finishes in-flight
//! requests and drains the outbox; [`run`] is what the binary does.

pub mod auth;
pub mod config;
mod dev;
pub mod error;
mod http;
mod jobs;
mod openapi;
mod publishers;
mod rate_limits;
mod routes;
mod shutdown;
mod state;
pub mod telemetry;
pub mod wiring;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use actix_web::dev::Server;
use actix_web::middleware::{Compress, Condition, from_fn};
use actix_web::{App, HttpServer, web};
use campaign_app::campaigns::CampaignService;
use campaign_app::contacts::ContactService;
use campaign_app::deliveries::DeliveryService;
use campaign_app::events::EventService;
use campaign_app::markets::MarketService;
use campaign_app::promoters::PromoterService;
use campaign_app::queries::CampaignQueryService;
use campaign_app::relay::OutboxRelay;
use campaign_app::search::SearchService;

pub use crate::dev::{DevSession, dev_key_path};
pub use crate::wiring::{
    AssembleError, Components, HttpOptions, JobSettings, logging_publishers, memory_ports,
    mongo_ports,
};

use crate::config::Config;
use crate::jobs::Jobs;
use crate::state::AppState;

/// Seconds in-flight requests get to finish at shutdown.
const SHUTDOWN_TIMEOUT_SECS: u64 = 20;

/// Why the service could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The configuration's components could not be assembled.
    #[error(transparent)]
    Assemble(#[from] AssembleError),
    /// The listen address could not be bound (in use, not local, no permission).
    #[error("cannot listen on {address} (CAMPAIGN_LISTEN): {source}")]
    Bind {
        /// The configured address.
        address: SocketAddr,
        /// What the operating system said.
        source: io::Error,
    },
    /// The SIGINT/SIGTERM handlers could not be installed.
    #[error("cannot install the SIGINT/SIGTERM handlers: {0}")]
    Signals(#[source] io::Error),
    /// The server failed while running.
    #[error("the HTTP server failed: {0}")]
    Serve(#[source] io::Error),
    /// Logs or trace export could not be set up.
    #[error(transparent)]
    Telemetry(#[from] telemetry::TelemetryError),
}

/// A started service: the server (not yet awaited) and its background jobs.
pub struct Running {
    server: Server,
    address: SocketAddr,
    jobs: Jobs,
    draining: Arc<AtomicBool>,
    shutdown_delay: std::time::Duration,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

/// Binds the server to `listen` (port 0 picks a free port) on `components`, and starts the
/// background jobs, with as many HTTP workers as the process may use CPUs
/// ([`config::available_cpus`]). See [`start_with_workers`].
///
/// # Errors
/// [`RunError::Bind`] when the address cannot be bound.
pub async fn start(listen: SocketAddr, components: Components) -> Result<Running, RunError> {
    start_with_workers(listen, components, config::available_cpus()).await
}

/// Binds the server to `listen` (port 0 picks a free port) on `components` with `workers` HTTP
/// worker threads (`CAMPAIGN_WORKERS`), and starts the background jobs. Every port and
/// publisher is wrapped once in the instrumenting decorator (spans and dependency metrics,
/// SPEC §10). Actix's own signal handling is off: the caller decides when to stop.
///
/// # Errors
/// [`RunError::Bind`] when the address cannot be bound.
pub async fn start_with_workers(
    listen: SocketAddr,
    components: Components,
    workers: NonZeroUsize,
) -> Result<Running, RunError> {
    telemetry::metrics::handle();
    let components = components.instrumented();
    let campaigns = CampaignService::new(
        components.ports.clone(),
        &components.settings,
        components.hasher.clone(),
    );
    let relay = OutboxRelay::new(
        components.ports.clone(),
        components.publishers.clone(),
        components.jobs.relay.clone(),
        campaigns.clone(),
    );
    let ports = &components.ports;
    let draining = Arc::new(AtomicBool::new(false));
    let state = web::Data::new(AppState {
        campaigns: campaigns.clone(),
        queries: CampaignQueryService::new(ports.clone()),
        markets: MarketService::new(ports.clone()),
        promoters: PromoterService::new(ports.clone(), &components.settings),
        contacts: ContactService::new(ports.clone()),
        events: EventService::new(ports.clone()),
        search: SearchService::new(ports.clone(), &components.settings),
        deliveries: DeliveryService::new(ports.clone()),
        ports: ports.clone(),
        draining: draining.clone(),
    });
    let verifier = web::Data::new(components.verifier.clone());
    let cors_origins = components.http.cors_allowed_origins.clone();
    let bind_error = |source| RunError::Bind {
        address: listen,
        source,
    };
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(verifier.clone())
            .app_data(http::extract::json_config())
            .app_data(http::extract::payload_config())
            .app_data(http::extract::query_config())
            .app_data(http::extract::path_config())
            // Inside CORS and the pipeline: replays and refusals get CORS headers and the
            // pipeline's correlation id, envelope, metrics and access log.
            .wrap(from_fn(http::idempotency::idempotency))
            .wrap(Condition::new(
                !cors_origins.is_empty(),
                http::cors::cors(&cors_origins),
            ))
            .wrap(from_fn(http::pipeline::pipeline))
            .wrap(Compress::default())
            .configure(routes::configure)
            .default_service(web::to(routes::not_found))
    })
    .workers(workers.get())
    .disable_signals()
    .shutdown_timeout(SHUTDOWN_TIMEOUT_SECS)
    .bind(listen)
    .map_err(bind_error)?;
    let address = server
        .addrs()
        .into_iter()
        .next()
        .ok_or_else(|| bind_error(io::Error::other("no socket was bound")))?;
    let jobs = Jobs::start(&components.ports, campaigns, relay, &components.jobs);
    Ok(Running {
        server: server.run(),
        address,
        jobs,
        draining,
        shutdown_delay: components.jobs.shutdown_delay,
    })
}

impl Running {
    /// The address the server is bound to.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Serves until `shutdown` completes, then stops gracefully: readiness fails at once, the
    /// server keeps serving for the shutdown delay ([`JobSettings::shutdown_delay`]), then takes
    /// no new connections, in-flight requests finish, background jobs stop and the outbox relay
    /// delivers what it still can.
    ///
    /// # Errors
    /// The server's own I/O error, if it fails while running.
    pub async fn serve_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> io::Result<()> {
        let handle = self.server.handle();
        let (draining, delay) = (self.draining.clone(), self.shutdown_delay);
        let stopper = tokio::spawn(async move {
            shutdown.await;
            // Readiness fails from now on; the listener stays open for the delay, so a load
            // balancer that polls readiness stops sending before connections are refused.
            draining.store(true, Ordering::Relaxed);
            if !delay.is_zero() {
                tracing::info!(
                    delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                    "not ready any more; serving for the shutdown delay before closing"
                );
                tokio::time::sleep(delay).await;
            }
            handle.stop(true).await;
        });
        let result = self.server.await;
        stopper.abort();
        self.jobs.shutdown().await;
        result
    }
}

/// What the binary does: assemble from `config`, bind, announce, serve until SIGINT or SIGTERM.
///
/// # Errors
/// [`RunError`] when telemetry cannot be set up (a bad `RUST_LOG` or OTLP exporter), the
/// components cannot be assembled, the signal handlers cannot be installed, the address cannot
/// be bound, or the server fails. Buffered spans are flushed before it returns.
pub async fn run(config: Config) -> Result<(), RunError> {
    if !config.auth.dev_mode {
        telemetry::log_panics_as_json();
    }
    let telemetry = telemetry::init(telemetry::TelemetrySettings {
        log_filter: config.telemetry.log_filter.clone(),
        sink: telemetry::LogSink::Stderr,
        traces: if config.telemetry.otlp_export {
            telemetry::TraceExport::OtlpFromEnv
        } else {
            telemetry::TraceExport::Off
        },
        service_name: config.telemetry.service_name.clone(),
    })?;
    let served = serve(&config).await;
    telemetry.shutdown().await;
    served
}

async fn serve(config: &Config) -> Result<(), RunError> {
    let signals = shutdown::Signals::install().map_err(RunError::Signals)?;
    let (mut components, dev) = Components::from_config(config).await?;
    // As many Argon2 hashes at once as there are workers: each takes a CPU for tens of
    // milliseconds, so more would only queue on the same CPUs.
    components.hasher = components.hasher.with_concurrency(config.workers.get());
    let running = start_with_workers(config.listen, components, config.workers).await?;
    tracing::info!(
        workers = config.workers.get(),
        "HTTP workers, async runtime threads and concurrent password hashes sized by CAMPAIGN_WORKERS"
    );
    announce(running.address(), dev.as_ref(), &config.auth);
    running
        .serve_until(signals.received())
        .await
        .map_err(RunError::Serve)?;
    tracing::info!("campaign-service stopped");
    Ok(())
}

/// Says where the service listens and how to get a token, on standard output (what scripts and
/// test harnesses read to find a service started on port 0). In dev mode a person is at the
/// keyboard: a plain banner with the dev token. Otherwise every line the process writes is a
/// Logstash JSON object (SPEC §10), so the banner is two log events, written whatever
/// `RUST_LOG` filters (they are how the process is found). The message keeps
/// `http://<address> ` so a reader of the line finds the address either way; `data.address`
/// has it alone.
fn announce(address: SocketAddr, dev: Option<&DevSession>, auth: &config::AuthConfig) {
    match dev {
        Some(session) => print_dev_banner(address, session),
        None => {
            let mut listening = serde_json::Map::new();
            listening.insert(
                "address".to_owned(),
                serde_json::Value::from(address.to_string()),
            );
            print_lines(&[
                telemetry::standalone_line(
                    tracing::Level::INFO,
                    module_path!(),
                    &format!("campaign-service listening on http://{address} (try GET /heartbeat)"),
                    listening,
                ),
                telemetry::standalone_line(
                    tracing::Level::INFO,
                    module_path!(),
                    &format!(
                        "tokens: RS256, verified with {}; mint one with \
                         `cargo xtask token --key <private.pem> --supreme{}`",
                        key_sources(auth),
                        // A key set finds its key by the token's `kid`.
                        if auth.public_key_file.is_some() {
                            ""
                        } else {
                            " --kid <kid>"
                        }
                    ),
                    serde_json::Map::new(),
                ),
            ]);
        }
    }
}

/// The variables whose keys verify tokens, as the start-up line names them.
fn key_sources(auth: &config::AuthConfig) -> String {
    let sources: Vec<&str> = [
        (
            auth.public_key_file.is_some(),
            "CAMPAIGN_JWT_PUBLIC_KEY_FILE",
        ),
        (auth.jwks_file.is_some(), "CAMPAIGN_JWT_JWKS_FILE"),
        (auth.jwks_url.is_some(), "CAMPAIGN_JWT_JWKS_URL"),
    ]
    .into_iter()
    .filter_map(|(set, name)| set.then_some(name))
    .collect();
    if sources.is_empty() {
        "no key (set CAMPAIGN_JWT_PUBLIC_KEY_FILE, CAMPAIGN_JWT_JWKS_FILE or CAMPAIGN_JWT_JWKS_URL)"
            .to_owned()
    } else {
        sources.join(" and ")
    }
}

#[expect(
    clippy::print_stdout,
    reason = "the start-up banner goes to stdout, where whoever started the binary reads it"
)]
fn print_lines(lines: &[String]) {
    for line in lines {
        println!("{line}");
    }
}

#[expect(
    clippy::print_stdout,
    reason = "dev mode's banner is for the person who started the binary"
)]
fn print_dev_banner(address: SocketAddr, session: &DevSession) {
    println!("campaign-service listening on http://{address} (try GET /heartbeat)");
    println!("{}", session.banner(address));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_start_up_line_names_the_key_sources_configured() {
        let mut auth = config::AuthConfig {
            public_key_file: None,
            jwks_file: None,
            jwks_url: Some("https://idp/jwks".to_owned()),
            issuer: None,
            audience: None,
            dev_mode: false,
            cache_capacity: 0,
        };
        assert_eq!(key_sources(&auth), "CAMPAIGN_JWT_JWKS_URL");
        auth.public_key_file = Some("/k.pem".into());
        assert_eq!(
            key_sources(&auth),
            "CAMPAIGN_JWT_PUBLIC_KEY_FILE and CAMPAIGN_JWT_JWKS_URL"
        );
        auth.public_key_file = None;
        auth.jwks_url = None;
        assert!(key_sources(&auth).starts_with("no key"));
    }
}
