//! campaign-service's HTTP side and composition root (SPEC §2): configuration, routes, and the
//! server lifecycle.
//!
//! [`build`] binds the server and reports the address it got, so tests start it on port 0;
//! [`serve_until`] runs it until a shutdown future completes, then finishes in-flight requests;
//! [`run`] is what the binary does: build, announce, serve until SIGINT or SIGTERM.

pub mod config;
mod envelope;
mod routes;
mod shutdown;

use std::future::Future;
use std::io;
use std::net::SocketAddr;

use actix_web::dev::Server;
use actix_web::middleware::Compress;
use actix_web::{App, HttpServer};

use crate::config::Config;

/// Why the service could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
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
}

/// Binds the HTTP server to `config.listen` and returns it, not yet polled, with the address it
/// actually bound (the real port when the configured one is 0).
///
/// Actix's own signal handling is off: the caller decides when to stop (see [`serve_until`]).
///
/// # Errors
/// [`RunError::Bind`] when the address cannot be bound.
pub async fn build(config: &Config) -> Result<(Server, SocketAddr), RunError> {
    let address = config.listen;
    let bind_error = |source| RunError::Bind { address, source };
    let server = HttpServer::new(|| {
        App::new()
            .wrap(Compress::default())
            .configure(routes::configure)
    })
    .disable_signals()
    .bind(address)
    .map_err(bind_error)?;
    let bound = server
        .addrs()
        .into_iter()
        .next()
        .ok_or_else(|| bind_error(io::Error::other("no socket was bound")))?;
    Ok((server.run(), bound))
}

/// Serves until `shutdown` completes, then stops gracefully: no new connections, in-flight
/// requests finish (within actix's shutdown timeout).
///
/// # Errors
/// The server's own I/O error, if it fails while running.
pub async fn serve_until(
    server: Server,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let handle = server.handle();
    let stopper = tokio::spawn(async move {
        shutdown.await;
        handle.stop(true).await;
    });
    let result = server.await;
    stopper.abort();
    result
}

/// What the binary does: bind, print the address, serve until SIGINT or SIGTERM.
///
/// # Errors
/// [`RunError`] when the signal handlers cannot be installed, the address cannot be bound, or
/// the server fails.
pub async fn run(config: Config) -> Result<(), RunError> {
    let signals = shutdown::Signals::install().map_err(RunError::Signals)?;
    let (server, address) = build(&config).await?;
    announce(address);
    serve_until(server, signals.received())
        .await
        .map_err(RunError::Serve)
}

#[expect(
    clippy::print_stdout,
    reason = "the start-up banner is for the person who started the binary"
)]
fn announce(address: SocketAddr) {
    println!("campaign-service listening on http://{address} (try GET /heartbeat)");
}
