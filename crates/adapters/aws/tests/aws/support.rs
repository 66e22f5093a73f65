//! What the stub and moto tests share: an `SdkConfig` with static test credentials and quick
//! retries, events of every queue's kind, and where the test moto server is.

use std::path::PathBuf;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_sdk_kinesis::config::Credentials;
use campaign_adapter_aws::{AwsSettings, SdkConfig};
use campaign_domain::Campaign;
use campaign_domain::messages::{
    CampaignSummary, DataPipelineMessage, Operation, OutboundEvent, OutboundMessage,
    RefreshSelectionsMessage, stream_record,
};
use campaign_domain::uuid::Uuid;
use campaign_ports::IntegrationError;
use campaign_ports::testing::fixtures;

/// The moto server the tests use (`http://127.0.0.1:<port>`).
pub const ENDPOINT_VARIABLE: &str = "CAMPAIGN_TEST_AWS_ENDPOINT_URL";

/// The region every test client uses.
pub const REGION: &str = "us-east-1";

/// Static credentials, set on the loader (never through the process environment).
pub fn credentials() -> Credentials {
    Credentials::new("test", "test", None, None, "campaign-tests")
}

/// The adapter's own settings for `endpoint`, with static credentials and two attempts 10 ms
/// apart (so a stub sees the SDK's retry without slowing the suite).
pub async fn config(endpoint: &str) -> SdkConfig {
    settings(endpoint)
        .loader()
        .credentials_provider(credentials())
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(2)
                .with_initial_backoff(Duration::from_millis(10)),
        )
        .load()
        .await
}

/// Settings for `endpoint` in [`REGION`].
pub fn settings(endpoint: &str) -> AwsSettings {
    AwsSettings {
        endpoint_url: Some(endpoint.to_owned()),
        region: Some(REGION.to_owned()),
    }
}

/// A URL nothing listens on.
pub fn closed_port_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}")
}

/// A fresh campaign.
pub fn campaign(name: &str) -> Campaign {
    fixtures::campaign(name)
}

fn event(message: OutboundMessage, correlation: Option<&str>) -> OutboundEvent {
    OutboundEvent {
        event_id: Uuid::new_v4(),
        correlation: correlation.map(str::to_owned),
        occurred_at: fixtures::t0(),
        message,
    }
}

/// A campaign data stream record of `campaign`.
pub fn stream_event(campaign: &Campaign) -> OutboundEvent {
    event(
        OutboundMessage::CampaignStream(stream_record(campaign, Vec::new())),
        Some("corr-stream"),
    )
}

/// A data pipeline message about `campaign`, with or without a correlation id.
pub fn pipeline_event(campaign: &Campaign, correlation: Option<&str>) -> OutboundEvent {
    event(
        OutboundMessage::DataPipeline(DataPipelineMessage::Campaign {
            operation: Operation::Update,
            campaign: CampaignSummary::of(campaign),
        }),
        correlation,
    )
}

/// A refresh-selections message for a market of `campaign`.
pub fn selections_event(campaign: &Campaign) -> OutboundEvent {
    event(
        OutboundMessage::RefreshSelections(RefreshSelectionsMessage {
            campaign_id: campaign.id.clone(),
            market_id: fixtures::market_id(),
            presale_date_time: fixtures::at_hours(48),
        }),
        Some("corr-selections"),
    )
}

/// Checks the error is transient and its message names `needle`.
#[track_caller]
pub fn assert_transient(error: &IntegrationError, needle: &str) {
    assert!(error.is_transient(), "{error:?}");
    let text = error.to_string();
    assert!(text.contains(needle), "{text:?} lacks {needle:?}");
}

/// Checks the error is permanent and its message names `needle`.
#[track_caller]
pub fn assert_permanent(error: &IntegrationError, needle: &str) {
    assert!(matches!(error, IntegrationError::Permanent(_)), "{error:?}");
    let text = error.to_string();
    assert!(text.contains(needle), "{text:?} lacks {needle:?}");
}

/// `<workspace>/target/services/test.env`, written by `cargo xtask services up`.
fn env_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../target/services/test.env")
}

/// The moto server's URL: [`ENDPOINT_VARIABLE`] from the environment, else from
/// `target/services/test.env`; panics with how to start one when neither has it (like the Redis
/// tests: an AWS test never passes without its server).
pub fn moto_endpoint() -> String {
    if let Ok(value) = std::env::var(ENDPOINT_VARIABLE)
        && !value.is_empty()
    {
        return value;
    }
    if let Ok(file) = std::fs::read_to_string(env_file()) {
        for line in file.lines() {
            if let Some((key, value)) = line.split_once('=')
                && key.trim() == ENDPOINT_VARIABLE
                && !value.trim().is_empty()
            {
                return value.trim().to_owned();
            }
        }
    }
    panic!(
        "{ENDPOINT_VARIABLE} is not set: the Kinesis and SQS tests need a moto server. Run the \
         whole suite with `cargo xtask ci`, or start the local services with `cargo xtask \
         services up` (stop them with `cargo xtask services down`) before `cargo test`; or run \
         `moto_server -H 127.0.0.1 -p 5000` yourself and set \
         {ENDPOINT_VARIABLE}=http://127.0.0.1:5000."
    )
}
