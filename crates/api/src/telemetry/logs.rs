//! Log output of the binary: `tracing` events to stderr, filtered by `RUST_LOG` (default
//! `info`). Tests install nothing, so they stay quiet.

use tracing_subscriber::EnvFilter;

/// Installs the process's log subscriber; a second call does nothing.
pub(crate) fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
