//! `KinesisStream` against stubs of Kinesis' AWS JSON 1.1 protocol: `POST /` with
//! `X-Amz-Target: Kinesis_20131202.PutRecords`, answers in the service's documented shapes.

use std::collections::HashSet;
use std::time::Duration;

use aws_config::timeout::TimeoutConfig;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use campaign_adapter_aws::KinesisStream;
use campaign_domain::messages::OutboundEvent;
use campaign_domain::serde_json::{self, Value, json};
use campaign_ports::CampaignDataStream;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockBuilder, MockServer, Request, Respond, ResponseTemplate};

use crate::support::{
    assert_permanent, assert_transient, campaign, closed_port_url, config, credentials, settings,
    stream_event,
};

const STREAM: &str = "campaign-data";
const JSON_11: &str = "application/x-amz-json-1.1";

/// Answers `PutRecords` like Kinesis: one result per record, in order; records whose partition
/// key is in `throttled` fail with `ProvisionedThroughputExceededException`.
struct PutRecords {
    throttled: HashSet<String>,
}

impl Respond for PutRecords {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        let mut failed = 0;
        let records: Vec<Value> = body["Records"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(i, record)| {
                let key = record["PartitionKey"].as_str().unwrap();
                if self.throttled.contains(key) {
                    failed += 1;
                    json!({
                        "ErrorCode": "ProvisionedThroughputExceededException",
                        "ErrorMessage": format!("Rate exceeded for shard shardId-000000000000 in stream {STREAM} under account 123456789012.")
                    })
                } else {
                    json!({
                        "SequenceNumber": format!("4963108972305437287914806153694836480000000000000000{i:04}"),
                        "ShardId": "shardId-000000000000"
                    })
                }
            })
            .collect();
        ResponseTemplate::new(200)
            .insert_header("content-type", JSON_11)
            .set_body_raw(
                serde_json::to_vec(&json!({"FailedRecordCount": failed, "Records": records}))
                    .unwrap(),
                JSON_11,
            )
    }
}

fn put_records() -> MockBuilder {
    Mock::given(method("POST"))
        .and(path("/"))
        .and(header("x-amz-target", "Kinesis_20131202.PutRecords"))
}

fn accepting() -> PutRecords {
    PutRecords {
        throttled: HashSet::new(),
    }
}

/// A Kinesis error answer.
fn error(status: u16, kind: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(
        serde_json::to_vec(&json!({"__type": kind, "message": message})).unwrap(),
        JSON_11,
    )
}

async fn stream(server: &MockServer) -> KinesisStream {
    KinesisStream::new(&config(&server.uri()).await, STREAM)
}

/// The request bodies the stub received.
async fn bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

/// A record's data, decoded back into the event.
fn decoded(record: &Value) -> OutboundEvent {
    let data = STANDARD.decode(record["Data"].as_str().unwrap()).unwrap();
    serde_json::from_slice(&data).unwrap()
}

#[tokio::test]
async fn records_carry_the_event_json_under_the_campaign_key_and_only_refused_ones_fail() {
    let server = MockServer::start().await;
    let (a, b, c) = (campaign("a"), campaign("b"), campaign("c"));
    put_records()
        .respond_with(PutRecords {
            throttled: HashSet::from([b.id.to_string()]),
        })
        .expect(1)
        .mount(&server)
        .await;
    let events = [stream_event(&a), stream_event(&b), stream_event(&c)];

    let outcome = stream(&server).await.put_records(&events).await.unwrap();

    assert_eq!(outcome.failed.len(), 1, "{outcome:?}");
    assert_eq!(outcome.failed[0].0, events[1].event_id);
    assert_eq!(
        outcome.failed[0].1,
        format!(
            "ProvisionedThroughputExceededException: Rate exceeded for shard \
             shardId-000000000000 in stream {STREAM} under account 123456789012."
        )
    );
    let requests = server.received_requests().await.unwrap();
    let request = &requests[0];
    assert_eq!(request.headers["content-type"], JSON_11);
    let authorization = request.headers["authorization"].to_str().unwrap();
    assert!(
        authorization.starts_with("AWS4-HMAC-SHA256 Credential=test/"),
        "signed with the static test credentials: {authorization}"
    );
    let body: Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(body["StreamName"], STREAM);
    let records = body["Records"].as_array().unwrap();
    let keys: Vec<&str> = records
        .iter()
        .map(|r| r["PartitionKey"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [a.id.as_str(), b.id.as_str(), c.id.as_str()],
        "partition key = campaign id, in order"
    );
    for (record, event) in records.iter().zip(&events) {
        assert_eq!(&decoded(record), event);
    }
    let json: Value = serde_json::from_slice(
        &STANDARD
            .decode(records[0]["Data"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(json["eventId"], events[0].event_id.to_string());
    assert_eq!(json["correlation"], "corr-stream");
    assert_eq!(json["destination"], "campaignStream");
}

#[tokio::test]
async fn more_than_500_events_are_split_into_calls_of_500() {
    let server = MockServer::start().await;
    put_records()
        .respond_with(accepting())
        .expect(3)
        .mount(&server)
        .await;
    let c = campaign("many");
    let events: Vec<OutboundEvent> = (0..1001).map(|_| stream_event(&c)).collect();

    let outcome = stream(&server).await.put_records(&events).await.unwrap();

    assert!(outcome.failed.is_empty(), "{outcome:?}");
    let sizes: Vec<usize> = bodies(&server)
        .await
        .iter()
        .map(|b| b["Records"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [500, 500, 1]);
    let last = &bodies(&server).await[2]["Records"][0];
    assert_eq!(decoded(last).event_id, events[1000].event_id);
}

#[tokio::test]
async fn no_events_no_call() {
    let server = MockServer::start().await;
    put_records()
        .respond_with(accepting())
        .expect(0)
        .mount(&server)
        .await;
    let outcome = stream(&server).await.put_records(&[]).await.unwrap();
    assert!(outcome.failed.is_empty());
}

#[tokio::test]
async fn a_stream_arn_is_sent_as_the_stream_arn() {
    let server = MockServer::start().await;
    put_records()
        .respond_with(accepting())
        .expect(1)
        .mount(&server)
        .await;
    let arn = format!("arn:aws:kinesis:us-east-1:123456789012:stream/{STREAM}");
    let stream = KinesisStream::new(&config(&server.uri()).await, arn.clone());
    assert_eq!(stream.stream(), arn);
    stream
        .put_records(&[stream_event(&campaign("arn"))])
        .await
        .unwrap();
    let body = &bodies(&server).await[0];
    assert_eq!(body["StreamARN"], arn.as_str());
    assert!(body.get("StreamName").is_none(), "{body}");
}

#[tokio::test]
async fn a_500_is_retried_by_the_sdk_then_transient() {
    let server = MockServer::start().await;
    put_records()
        .respond_with(error(
            500,
            "InternalFailure",
            "We encountered an internal error.",
        ))
        .expect(2)
        .mount(&server)
        .await;
    let error = stream(&server)
        .await
        .put_records(&[stream_event(&campaign("down"))])
        .await
        .unwrap_err();
    assert_transient(&error, "InternalFailure");
    assert_transient(&error, "HTTP 500");
    assert_transient(&error, STREAM);
}

#[tokio::test]
async fn a_throttled_call_is_transient() {
    let server = MockServer::start().await;
    put_records()
        .respond_with(error(
            400,
            "LimitExceededException",
            "Rate exceeded for stream campaign-data under account 123456789012.",
        ))
        .mount(&server)
        .await;
    let error = stream(&server)
        .await
        .put_records(&[stream_event(&campaign("throttled"))])
        .await
        .unwrap_err();
    assert_transient(&error, "LimitExceededException: Rate exceeded");
}

#[tokio::test]
async fn a_missing_stream_is_permanent_and_not_retried() {
    let server = MockServer::start().await;
    put_records()
        .respond_with(error(
            400,
            "ResourceNotFoundException",
            "Stream campaign-data under account 123456789012 not found.",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let error = stream(&server)
        .await
        .put_records(&[stream_event(&campaign("gone"))])
        .await
        .unwrap_err();
    assert_permanent(&error, "ResourceNotFoundException: Stream campaign-data");
    assert_permanent(&error, "HTTP 400");
}

#[tokio::test]
async fn access_denied_is_permanent() {
    let server = MockServer::start().await;
    put_records()
        .respond_with(error(
            400,
            "AccessDeniedException",
            "User: arn:aws:iam::123456789012:user/relay is not authorized to perform: kinesis:PutRecords",
        ))
        .mount(&server)
        .await;
    let error = stream(&server)
        .await
        .put_records(&[stream_event(&campaign("denied"))])
        .await
        .unwrap_err();
    assert_permanent(&error, "AccessDeniedException");
}

#[tokio::test]
async fn connection_refused_is_transient() {
    let config = config(&closed_port_url()).await;
    let error = KinesisStream::new(&config, STREAM)
        .put_records(&[stream_event(&campaign("refused"))])
        .await
        .unwrap_err();
    assert_transient(&error, "request not delivered");
}

#[tokio::test]
async fn a_slow_answer_times_out_transiently() {
    let server = MockServer::start().await;
    put_records()
        .respond_with(accepting_after(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let config = settings(&server.uri())
        .loader()
        .credentials_provider(credentials())
        .timeout_config(
            TimeoutConfig::builder()
                .operation_attempt_timeout(Duration::from_millis(200))
                .operation_timeout(Duration::from_millis(500))
                .build(),
        )
        .load()
        .await;
    let started = std::time::Instant::now();
    let error = KinesisStream::new(&config, STREAM)
        .put_records(&[stream_event(&campaign("slow"))])
        .await
        .unwrap_err();
    assert_transient(&error, "timed out");
    assert!(started.elapsed() < Duration::from_secs(2));
}

/// [`accepting`], answering only after `delay`.
fn accepting_after(delay: Duration) -> impl Respond {
    struct Slow(Duration);
    impl Respond for Slow {
        fn respond(&self, request: &Request) -> ResponseTemplate {
            accepting().respond(request).set_delay(self.0)
        }
    }
    Slow(delay)
}

#[tokio::test]
async fn a_call_that_fails_after_an_accepted_one_reports_its_records_as_failed() {
    let server = MockServer::start().await;
    put_records()
        .respond_with(accepting())
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    put_records()
        .respond_with(error(503, "ServiceUnavailable", "Service Unavailable"))
        .with_priority(2)
        .mount(&server)
        .await;
    let c = campaign("half");
    let events: Vec<OutboundEvent> = (0..501).map(|_| stream_event(&c)).collect();

    let outcome = stream(&server).await.put_records(&events).await.unwrap();

    assert_eq!(outcome.failed.len(), 1, "{outcome:?}");
    assert_eq!(outcome.failed[0].0, events[500].event_id);
    assert!(
        outcome.failed[0].1.contains("ServiceUnavailable"),
        "{outcome:?}"
    );
}
