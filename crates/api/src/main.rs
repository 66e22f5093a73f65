//! The `campaign-service` binary: read the configuration, build the async runtime it sizes
//! (`CAMPAIGN_WORKERS`), then serve until SIGINT or SIGTERM. Everything else lives in the
//! library so tests can drive it.
//!
//! Outside dev mode every line the process writes is a Logstash JSON object (SPEC §10), the
//! error that stops it included; in dev mode that error is a plain sentence for the person at
//! the keyboard.

use std::process::ExitCode;

use campaign_api::config::Config;
use campaign_api::telemetry;
use serde_json::{Map, Value};

fn main() -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            let mut data = Map::new();
            data.insert("variable".to_owned(), Value::from(err.variable));
            return fail(dev_mode_requested(), &format!("configuration: {err}"), data);
        }
    };
    let dev_mode = config.auth.dev_mode;
    // The runtime runs the accept loop's driver, the background jobs (relay, refresh) and the
    // cache and store clients' connection tasks; actix gives each HTTP worker a runtime of its
    // own. Sized like the HTTP workers: both follow the CPUs the process is given.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.workers.get())
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            return fail(
                dev_mode,
                &format!("cannot start the async runtime: {err}"),
                Map::new(),
            );
        }
    };
    match runtime.block_on(campaign_api::run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(dev_mode, &err.to_string(), Map::new()),
    }
}

/// Whether the environment asks for dev mode, read on its own for a configuration that could
/// not be read as a whole: only then is the error written as plain text.
fn dev_mode_requested() -> bool {
    std::env::var("CAMPAIGN_DEV_MODE").is_ok_and(|v| matches!(v.trim(), "true" | "1"))
}

/// Reports why the process stops, on stderr: a Logstash line outside dev mode, a sentence in it.
fn fail(dev_mode: bool, message: &str, data: Map<String, Value>) -> ExitCode {
    if dev_mode {
        eprintln!("campaign-service: {message}");
    } else {
        let line = telemetry::standalone_line(
            tracing::Level::ERROR,
            module_path!(),
            &format!("campaign-service stopped: {message}"),
            data,
        );
        eprintln!("{line}");
    }
    ExitCode::FAILURE
}
