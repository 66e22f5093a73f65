//! The process signals that stop the service: SIGINT (Ctrl-C) and SIGTERM (container stop).
//! Both are installed before the server starts, so a failure stops start-up instead of leaving
//! a service that cannot be stopped gracefully.

use std::io;

use tokio::signal::unix::{Signal, SignalKind, signal};

/// Installed SIGINT and SIGTERM handlers.
#[derive(Debug)]
pub(crate) struct Signals {
    interrupt: Signal,
    terminate: Signal,
}

impl Signals {
    /// Installs both handlers.
    pub(crate) fn install() -> io::Result<Self> {
        Ok(Self {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    /// Completes at the first SIGINT or SIGTERM, saying which in a log event (a Logstash JSON
    /// line like every other, SPEC §10).
    pub(crate) async fn received(mut self) {
        let name = tokio::select! {
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.terminate.recv() => "SIGTERM",
        };
        tracing::info!(
            signal = name,
            "{name} received, finishing in-flight requests"
        );
    }
}
