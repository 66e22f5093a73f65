//! `SqsQueue` against stubs of SQS's AWS JSON 1.0 protocol (what the SDK speaks since SQS left
//! the query protocol): `POST /` with `X-Amz-Target: AmazonSQS.SendMessageBatch`, answers in the
//! service's documented shapes.
//!
//! `MD5OfMessageBody`: the Rust SDK does not check it (unlike the Java and Python SDKs), so the
//! stub answers a well-formed but fixed digest, and one test pins that behaviour: should an SDK
//! upgrade start checking, it fails and ADR 0012 needs another look.

use std::collections::HashSet;

use campaign_adapter_aws::SqsQueue;
use campaign_domain::messages::OutboundEvent;
use campaign_domain::serde_json::{self, Value, json};
use campaign_ports::MessageQueue;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockBuilder, MockServer, Request, Respond, ResponseTemplate};

use crate::support::{
    assert_permanent, assert_transient, campaign, closed_port_url, config, pipeline_event,
    selections_event,
};

const QUEUE_PATH: &str = "/123456789012/campaign-data-pipeline";
const JSON_10: &str = "application/x-amz-json-1.0";
/// A digest of some other body: the SDK does not compare it.
const SOME_MD5: &str = "fafb00f5732ab283681e124bf8747ed1";

/// How the stub refuses one entry.
#[derive(Clone)]
struct Refusal {
    code: &'static str,
    message: &'static str,
    sender_fault: bool,
}

/// Answers `SendMessageBatch` like SQS: `Successful` for every entry except those whose event id
/// (the `eventId` attribute) is refused.
struct SendMessageBatch {
    refused: Vec<(String, Refusal)>,
}

impl Respond for SendMessageBatch {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        let mut successful = Vec::new();
        let mut failed = Vec::new();
        for (i, entry) in body["Entries"].as_array().unwrap().iter().enumerate() {
            let event_id = entry["MessageAttributes"]["eventId"]["StringValue"]
                .as_str()
                .unwrap();
            match self.refused.iter().find(|(id, _)| id == event_id) {
                Some((_, refusal)) => failed.push(json!({
                    "Id": entry["Id"],
                    "SenderFault": refusal.sender_fault,
                    "Code": refusal.code,
                    "Message": refusal.message
                })),
                None => successful.push(json!({
                    "Id": entry["Id"],
                    "MessageId": format!("5fea7756-0ea4-451a-a703-a558b933{i:04}"),
                    "MD5OfMessageBody": SOME_MD5,
                    "MD5OfMessageAttributes": SOME_MD5
                })),
            }
        }
        ResponseTemplate::new(200).set_body_raw(
            serde_json::to_vec(&json!({"Successful": successful, "Failed": failed})).unwrap(),
            JSON_10,
        )
    }
}

fn send_message_batch() -> MockBuilder {
    Mock::given(method("POST"))
        .and(path("/"))
        .and(header("x-amz-target", "AmazonSQS.SendMessageBatch"))
}

fn accepting() -> SendMessageBatch {
    SendMessageBatch {
        refused: Vec::new(),
    }
}

async fn queue(server: &MockServer, name: &str) -> SqsQueue {
    let url = format!("{}/123456789012/{name}", server.uri());
    SqsQueue::new(&config(&server.uri()).await, url)
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

#[tokio::test]
async fn messages_carry_the_event_json_and_ids_and_only_refused_ones_fail() {
    let server = MockServer::start().await;
    let c = campaign("pipeline");
    let events = [
        pipeline_event(&c, Some("corr-1")),
        pipeline_event(&c, None),
        pipeline_event(&c, Some("corr-3")),
    ];
    send_message_batch()
        .respond_with(SendMessageBatch {
            refused: vec![
                (
                    events[1].event_id.to_string(),
                    Refusal {
                        code: "InternalError",
                        message: "We encountered an internal error. Please try again.",
                        sender_fault: false,
                    },
                ),
                (
                    events[2].event_id.to_string(),
                    Refusal {
                        code: "InvalidParameterValue",
                        message: "One or more parameters are invalid.",
                        sender_fault: true,
                    },
                ),
            ],
        })
        .expect(1)
        .mount(&server)
        .await;

    let queue = queue(&server, "campaign-data-pipeline").await;
    let outcome = queue.send_batch(&events).await.unwrap();

    assert_eq!(outcome.failed.len(), 2, "{outcome:?}");
    assert_eq!(outcome.failed[0].0, events[1].event_id);
    assert_eq!(
        outcome.failed[0].1,
        "InternalError: We encountered an internal error. Please try again."
    );
    assert_eq!(outcome.failed[1].0, events[2].event_id);
    assert!(
        outcome.failed[1].1.starts_with(
            "InvalidParameterValue: One or more parameters are invalid. (sender fault"
        ),
        "{outcome:?}"
    );

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].headers["content-type"], JSON_10);
    let body: Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(
        body["QueueUrl"],
        format!("{}{QUEUE_PATH}", server.uri()).as_str()
    );
    let entries = body["Entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    for (entry, event) in entries.iter().zip(&events) {
        let id = entry["Id"].as_str().unwrap();
        assert_eq!(id, event.event_id.simple().to_string());
        assert!(id.len() <= 80);
        let decoded: OutboundEvent =
            serde_json::from_str(entry["MessageBody"].as_str().unwrap()).unwrap();
        assert_eq!(&decoded, event);
        let attributes = &entry["MessageAttributes"];
        assert_eq!(
            attributes["eventId"],
            json!({"DataType": "String", "StringValue": event.event_id.to_string()})
        );
        match &event.correlation {
            Some(c) => assert_eq!(
                attributes["correlationId"],
                json!({"DataType": "String", "StringValue": c})
            ),
            None => assert!(attributes.get("correlationId").is_none(), "{attributes}"),
        }
        assert!(entry.get("MessageGroupId").is_none(), "standard queue");
    }
    let first: Value = serde_json::from_str(entries[0]["MessageBody"].as_str().unwrap()).unwrap();
    assert_eq!(first["eventId"], events[0].event_id.to_string());
    assert_eq!(first["correlation"], "corr-1");
    assert_eq!(first["destination"], "dataPipeline");
}

#[tokio::test]
async fn more_than_10_events_are_split_into_calls_of_10() {
    let server = MockServer::start().await;
    send_message_batch()
        .respond_with(accepting())
        .expect(3)
        .mount(&server)
        .await;
    let c = campaign("many");
    let events: Vec<OutboundEvent> = (0..25).map(|_| selections_event(&c)).collect();

    let outcome = queue(&server, "refresh-selections")
        .await
        .send_batch(&events)
        .await
        .unwrap();

    assert!(outcome.failed.is_empty(), "{outcome:?}");
    let bodies = bodies(&server).await;
    let ids: Vec<Vec<String>> = bodies
        .iter()
        .map(|b| {
            b["Entries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["Id"].as_str().unwrap().to_owned())
                .collect()
        })
        .collect();
    assert_eq!(ids.iter().map(Vec::len).collect::<Vec<_>>(), [10, 10, 5]);
    let sent: Vec<String> = ids.into_iter().flatten().collect();
    let expected: Vec<String> = events
        .iter()
        .map(|e| e.event_id.simple().to_string())
        .collect();
    assert_eq!(sent, expected, "every event once, in order");
}

#[tokio::test]
async fn an_event_listed_twice_is_sent_once() {
    let server = MockServer::start().await;
    send_message_batch()
        .respond_with(accepting())
        .expect(1)
        .mount(&server)
        .await;
    let event = pipeline_event(&campaign("twice"), None);
    let outcome = queue(&server, "q")
        .await
        .send_batch(&[event.clone(), event])
        .await
        .unwrap();
    assert!(outcome.failed.is_empty());
    assert_eq!(
        bodies(&server).await[0]["Entries"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_fifo_queue_gets_the_campaign_as_group_and_the_event_as_deduplication_id() {
    let server = MockServer::start().await;
    send_message_batch()
        .respond_with(accepting())
        .expect(1)
        .mount(&server)
        .await;
    let c = campaign("fifo");
    let event = selections_event(&c);
    queue(&server, "refresh-selections.fifo")
        .await
        .send_batch(std::slice::from_ref(&event))
        .await
        .unwrap();
    let entry = &bodies(&server).await[0]["Entries"][0];
    assert_eq!(entry["MessageGroupId"], c.id.as_str());
    assert_eq!(
        entry["MessageDeduplicationId"],
        event.event_id.simple().to_string()
    );
}

#[tokio::test]
async fn the_sdk_does_not_check_md5_of_message_body() {
    // The stub's digest belongs to another body; the send still succeeds (see the module doc).
    let server = MockServer::start().await;
    send_message_batch()
        .respond_with(accepting())
        .mount(&server)
        .await;
    let outcome = queue(&server, "q")
        .await
        .send_batch(&[pipeline_event(&campaign("md5"), None)])
        .await
        .unwrap();
    assert!(outcome.failed.is_empty(), "{outcome:?}");
}

/// An SQS JSON error answer, with the query-compatible code header SQS adds.
fn error(status: u16, kind: &str, query_code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("x-amzn-query-error", query_code)
        .set_body_raw(
            serde_json::to_vec(&json!({"__type": kind, "message": message})).unwrap(),
            JSON_10,
        )
}

#[tokio::test]
async fn a_missing_queue_is_permanent_and_not_retried() {
    let server = MockServer::start().await;
    send_message_batch()
        .respond_with(error(
            400,
            "com.amazonaws.sqs#QueueDoesNotExist",
            "AWS.SimpleQueueService.NonExistentQueue;Sender",
            "The specified queue does not exist.",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let error = queue(&server, "gone")
        .await
        .send_batch(&[pipeline_event(&campaign("gone"), None)])
        .await
        .unwrap_err();
    assert_permanent(&error, "The specified queue does not exist.");
    assert_permanent(&error, "/123456789012/gone");
    assert_permanent(&error, "HTTP 400");
}

#[tokio::test]
async fn access_denied_is_permanent() {
    let server = MockServer::start().await;
    send_message_batch()
        .respond_with(error(
            403,
            "com.amazon.coral.service#AccessDeniedException",
            "AccessDenied;Sender",
            "User: arn:aws:iam::123456789012:user/relay is not authorized to perform: sqs:sendmessage",
        ))
        .mount(&server)
        .await;
    let error = queue(&server, "q")
        .await
        .send_batch(&[pipeline_event(&campaign("denied"), None)])
        .await
        .unwrap_err();
    assert_permanent(&error, "not authorized");
}

#[tokio::test]
async fn a_throttled_call_is_transient() {
    let server = MockServer::start().await;
    send_message_batch()
        .respond_with(error(
            400,
            "com.amazonaws.sqs#RequestThrottled",
            "RequestThrottled;Sender",
            "Request is throttled.",
        ))
        .mount(&server)
        .await;
    let error = queue(&server, "q")
        .await
        .send_batch(&[pipeline_event(&campaign("throttled"), None)])
        .await
        .unwrap_err();
    assert_transient(&error, "Request is throttled.");
}

#[tokio::test]
async fn a_500_is_retried_by_the_sdk_then_transient() {
    let server = MockServer::start().await;
    send_message_batch()
        .respond_with(error(
            500,
            "com.amazonaws.sqs#InternalError",
            "InternalError;Receiver",
            "We encountered an internal error. Please try again.",
        ))
        .expect(2)
        .mount(&server)
        .await;
    let error = queue(&server, "q")
        .await
        .send_batch(&[pipeline_event(&campaign("down"), None)])
        .await
        .unwrap_err();
    assert_transient(&error, "HTTP 500");
}

#[tokio::test]
async fn connection_refused_is_transient() {
    let endpoint = closed_port_url();
    let queue = SqsQueue::new(
        &config(&endpoint).await,
        format!("{endpoint}/123456789012/q"),
    );
    let error = queue
        .send_batch(&[pipeline_event(&campaign("refused"), None)])
        .await
        .unwrap_err();
    assert_transient(&error, "request not delivered");
}

#[tokio::test]
async fn answers_for_unknown_ids_are_ignored_and_missing_ones_fail() {
    let server = MockServer::start().await;
    send_message_batch()
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            serde_json::to_vec(&json!({
                "Successful": [{"Id": "someone-else", "MessageId": "m", "MD5OfMessageBody": SOME_MD5}],
                "Failed": []
            }))
            .unwrap(),
            JSON_10,
        ))
        .mount(&server)
        .await;
    let event = pipeline_event(&campaign("lost"), None);
    let outcome = queue(&server, "q")
        .await
        .send_batch(std::slice::from_ref(&event))
        .await
        .unwrap();
    let ids: HashSet<_> = outcome.failed.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, HashSet::from([event.event_id]));
}
