//! The `campaign-service` binary: read the configuration, then serve until SIGINT or SIGTERM.
//! Everything else lives in the library so tests can drive it.

use std::process::ExitCode;

use campaign_api::config::Config;

#[tokio::main]
async fn main() -> ExitCode {
    let outcome = match Config::from_env() {
        Ok(config) => campaign_api::run(config)
            .await
            .map_err(|err| err.to_string()),
        Err(err) => Err(format!("configuration: {err}")),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("campaign-service: {message}");
            ExitCode::FAILURE
        }
    }
}
