//! Test support (feature `testing`): SDK configurations with static test credentials, the
//! shared moto server (`CAMPAIGN_TEST_AWS_ENDPOINT_URL`), streams and queues made and read back
//! with the plain SDK clients, and private moto servers a test stops and starts (outages).
//!
//! `cargo xtask ci` (or `cargo xtask services up`) starts moto on 127.0.0.1 and hands it to the
//! tests through environment variables, also written to `target/services/test.env`. When they
//! are missing the tests fail with a message saying how to start it: an AWS test never passes
//! without moto.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "test support: a failed expectation is a failed test"
)]

use std::process::Command;
use std::time::{Duration, Instant};

use aws_config::retry::RetryConfig;
use aws_sdk_kinesis::config::Credentials;
use aws_sdk_kinesis::types::{ShardIteratorType, StreamStatus};
use campaign_domain::serde_json::{self, Value};
use campaign_domain::uuid::Uuid;
use campaign_ports::testing::services::PrivateServer;

use crate::{AwsSettings, SdkConfig};

/// The shared moto server's URL.
pub const ENDPOINT_VARIABLE: &str = "CAMPAIGN_TEST_AWS_ENDPOINT_URL";
/// The `moto_server` program, for private servers.
pub const SERVER_VARIABLE: &str = "CAMPAIGN_TEST_MOTO_SERVER";
/// The region every test client uses.
pub const REGION: &str = "us-east-1";

/// The value of a test variable; panics with how to start moto when it is missing.
pub fn variable(name: &str) -> String {
    campaign_ports::testing::services::required_test_variable(name, "an AWS test")
}

/// The shared moto server's URL.
pub fn endpoint() -> String {
    variable(ENDPOINT_VARIABLE)
}

/// Static test credentials (set on the loader, never in the process environment).
pub fn credentials() -> Credentials {
    Credentials::new("test", "test", None, None, "campaign-tests")
}

/// The adapter's own configuration for `endpoint` in [`REGION`], with static credentials and
/// two SDK attempts 10 ms apart (so outages show quickly).
pub async fn sdk_config(endpoint: &str) -> SdkConfig {
    AwsSettings {
        endpoint_url: Some(endpoint.to_owned()),
        region: Some(REGION.to_owned()),
    }
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

/// `prefix-<uuid>`: a stream or queue name no other test uses.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", Uuid::new_v4().simple())
}

/// Creates a one-shard stream and waits until it is active.
pub async fn create_stream(config: &SdkConfig, name: &str) {
    let client = aws_sdk_kinesis::Client::new(config);
    client
        .create_stream()
        .stream_name(name)
        .shard_count(1)
        .send()
        .await
        .expect("CreateStream");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let summary = client
            .describe_stream_summary()
            .stream_name(name)
            .send()
            .await
            .expect("DescribeStreamSummary");
        let status = summary
            .stream_description_summary()
            .map(|s| s.stream_status().clone());
        if status == Some(StreamStatus::Active) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "stream {name} not active: {status:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Every record of the stream's only shard so far, from the start: `(partition key, JSON)`.
pub async fn read_stream(config: &SdkConfig, name: &str) -> Vec<(String, Value)> {
    let client = aws_sdk_kinesis::Client::new(config);
    let shards = client
        .list_shards()
        .stream_name(name)
        .send()
        .await
        .expect("ListShards");
    let shard = shards.shards()[0].shard_id().to_owned();
    let mut iterator = client
        .get_shard_iterator()
        .stream_name(name)
        .shard_id(shard)
        .shard_iterator_type(ShardIteratorType::TrimHorizon)
        .send()
        .await
        .expect("GetShardIterator")
        .shard_iterator()
        .map(str::to_owned);
    let mut out = Vec::new();
    while let Some(it) = iterator.take() {
        let page = client
            .get_records()
            .shard_iterator(it)
            .send()
            .await
            .expect("GetRecords");
        for record in page.records() {
            let data: Value =
                serde_json::from_slice(record.data().as_ref()).expect("a record holds JSON");
            out.push((record.partition_key().unwrap_or_default().to_owned(), data));
        }
        // An empty page means the shard has nothing more right now.
        if page.records().is_empty() {
            break;
        }
        iterator = page.next_shard_iterator().map(str::to_owned);
    }
    out
}

/// Creates a standard queue and returns its URL.
pub async fn create_queue(config: &SdkConfig, name: &str) -> String {
    aws_sdk_sqs::Client::new(config)
        .create_queue()
        .queue_name(name)
        .send()
        .await
        .expect("CreateQueue")
        .queue_url()
        .expect("a queue URL")
        .to_owned()
}

/// Receives (and deletes) the messages waiting in the queue: their JSON bodies.
pub async fn drain_queue(config: &SdkConfig, url: &str) -> Vec<Value> {
    let client = aws_sdk_sqs::Client::new(config);
    let mut out = Vec::new();
    loop {
        let page = client
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .wait_time_seconds(0)
            .send()
            .await
            .expect("ReceiveMessage");
        if page.messages().is_empty() {
            return out;
        }
        for message in page.messages() {
            let body = message.body().expect("a message body");
            out.push(serde_json::from_str(body).expect("a message holds JSON"));
            if let Some(handle) = message.receipt_handle() {
                client
                    .delete_message()
                    .queue_url(url)
                    .receipt_handle(handle)
                    .send()
                    .await
                    .expect("DeleteMessage");
            }
        }
    }
}

/// A moto server of a test's own, which the test stops and starts again on the same port to
/// play an outage (a restarted moto is empty). Killed when dropped.
#[derive(Debug)]
pub struct PrivateMoto(PrivateServer);

impl PrivateMoto {
    /// Starts one on a free port and waits until it accepts connections.
    pub fn start() -> Self {
        let program = variable(SERVER_VARIABLE);
        Self(PrivateServer::start(move |port| {
            let mut command = Command::new(&program);
            command
                .args(["-H", "127.0.0.1", "-p"])
                .arg(port.to_string());
            command
        }))
    }

    /// Its URL.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.0.port())
    }

    /// Stops it (everything it held is gone).
    pub fn stop(&mut self) {
        self.0.stop();
    }

    /// Starts it again on the same port, empty, and waits until it accepts connections.
    pub fn restart(&mut self) {
        self.0.restart();
    }
}
