//! A queue on SQS (the data pipeline or the refresh-selections queue): one `SendMessageBatch`
//! entry per event, the JSON of the `OutboundEvent` as body, the event id (simple hex form) as
//! entry id, and the message attributes `eventId` and, when there is one, `correlationId`, so
//! consumers can de-duplicate and trace without parsing the body. A FIFO queue (URL ending in
//! `.fifo`) also gets the ordering key as message group and the event id as de-duplication id.

use std::collections::HashSet;

use async_trait::async_trait;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::{MessageAttributeValue, SendMessageBatchRequestEntry};
use campaign_domain::messages::OutboundEvent;
use campaign_domain::uuid::Uuid;
use campaign_ports::{BatchOutcome, IntegrationError, MessageQueue};
use tracing::Instrument as _;

use crate::batch::{Collector, chunks};
use crate::error::classify;

/// A queue, by its URL. Cheap to clone: the SDK client is shared behind an `Arc`.
#[derive(Debug, Clone)]
pub struct SqsQueue {
    client: Client,
    queue_url: String,
    fifo: bool,
}

/// One encoded message.
struct Message {
    event_id: Uuid,
    body: String,
    correlation: Option<String>,
    group: String,
}

impl Message {
    /// Its size as SQS counts it: body plus attribute names, types and values.
    fn size(&self) -> usize {
        let attribute = |name: &str, value: &str| name.len() + "String".len() + value.len();
        self.body.len()
            + attribute(SqsQueue::EVENT_ID_ATTRIBUTE, &"0".repeat(36))
            + self
                .correlation
                .as_deref()
                .map_or(0, |c| attribute(SqsQueue::CORRELATION_ID_ATTRIBUTE, c))
    }
}

impl SqsQueue {
    /// Most entries in one `SendMessageBatch` call (the service's limit).
    pub const MAX_MESSAGES_PER_CALL: usize = 10;
    /// Most bytes of all messages of one call: 256 KiB, the long-standing limit, which every
    /// queue accepts whatever its `MaximumMessageSize`.
    pub const MAX_BATCH_BYTES: usize = 256 * 1024;
    /// The message attribute that carries the event id.
    pub const EVENT_ID_ATTRIBUTE: &'static str = "eventId";
    /// The message attribute that carries the correlation id, when the event has one.
    pub const CORRELATION_ID_ATTRIBUTE: &'static str = "correlationId";

    /// The queue at `queue_url` with a client built from `config` (the behaviour version is set
    /// to the latest when `config` lacks one).
    pub fn new(config: &SdkConfig, queue_url: impl Into<String>) -> Self {
        let mut builder = aws_sdk_sqs::config::Builder::from(config);
        if config.behavior_version().is_none() {
            builder.set_behavior_version(Some(BehaviorVersion::latest()));
        }
        let queue_url = queue_url.into();
        Self {
            client: Client::from_conf(builder.build()),
            fifo: queue_url.ends_with(".fifo"),
            queue_url,
        }
    }

    /// The queue's URL.
    pub fn queue_url(&self) -> &str {
        &self.queue_url
    }

    /// The batch entry id of an event: its id in simple hex form (32 of the allowed 80
    /// characters of `[A-Za-z0-9_-]`).
    pub fn entry_id(event_id: Uuid) -> String {
        event_id.simple().to_string()
    }

    fn entry(&self, message: Message) -> Result<SendMessageBatchRequestEntry, String> {
        let text = |value: String| {
            MessageAttributeValue::builder()
                .data_type("String")
                .string_value(value)
                .build()
                .map_err(|e| e.to_string())
        };
        let mut entry = SendMessageBatchRequestEntry::builder()
            .id(Self::entry_id(message.event_id))
            .message_body(message.body)
            .message_attributes(
                Self::EVENT_ID_ATTRIBUTE,
                text(message.event_id.to_string())?,
            );
        if let Some(correlation) = message.correlation {
            entry = entry.message_attributes(Self::CORRELATION_ID_ATTRIBUTE, text(correlation)?);
        }
        if self.fifo {
            entry = entry
                .message_group_id(message.group)
                .message_deduplication_id(Self::entry_id(message.event_id));
        }
        entry.build().map_err(|e| e.to_string())
    }

    /// Sends one request; `Err` when it failed as a whole.
    async fn send_chunk(
        &self,
        chunk: Vec<Message>,
        collector: &mut Collector,
    ) -> Result<(), (Vec<Uuid>, IntegrationError)> {
        let ids: Vec<Uuid> = chunk.iter().map(|m| m.event_id).collect();
        let what = format!("SQS SendMessageBatch to {}", self.queue_url);
        let entries: Result<Vec<_>, String> = chunk.into_iter().map(|m| self.entry(m)).collect();
        let entries = match entries {
            Ok(entries) => entries,
            Err(e) => {
                let error = IntegrationError::Permanent(format!("{what}: request not built: {e}"));
                return Err((ids, error));
            }
        };
        let span = tracing::info_span!(
            "sqs.sendMessageBatch",
            queue = self.queue_url.as_str(),
            messages = ids.len(),
            failed = tracing::field::Empty,
        );
        let sent = self
            .client
            .send_message_batch()
            .queue_url(&self.queue_url)
            .set_entries(Some(entries))
            .send()
            .instrument(span.clone())
            .await;
        match sent {
            Ok(output) => {
                let failed = failed_messages(&ids, &output);
                span.record("failed", failed.len());
                collector.sent(failed);
                Ok(())
            }
            Err(e) => Err((ids, classify(&what, &e))),
        }
    }
}

/// The refused messages of a `SendMessageBatch` answer: its `Failed` entries (a sender fault is
/// still reported, with a note: the relay retries it and gives it up after its attempts), and
/// any message the answer lists neither as successful nor as failed.
fn failed_messages(
    ids: &[Uuid],
    output: &aws_sdk_sqs::operation::send_message_batch::SendMessageBatchOutput,
) -> Vec<(Uuid, String)> {
    let mut failed = Vec::new();
    for id in ids {
        let entry_id = SqsQueue::entry_id(*id);
        if let Some(error) = output.failed().iter().find(|f| f.id() == entry_id) {
            let mut reason = error.code().to_owned();
            if let Some(message) = error.message() {
                reason.push_str(": ");
                reason.push_str(message);
            }
            if error.sender_fault() {
                reason.push_str(
                    " (sender fault: SQS refused this message itself; sending it unchanged will \
                     fail again)",
                );
            }
            failed.push((*id, reason));
        } else if !output.successful().iter().any(|s| s.id() == entry_id) {
            failed.push((*id, "no result for this message in the answer".to_owned()));
        }
    }
    failed
}

#[async_trait]
impl MessageQueue for SqsQueue {
    async fn send_batch(&self, events: &[OutboundEvent]) -> Result<BatchOutcome, IntegrationError> {
        let mut collector = Collector::default();
        let mut messages = Vec::with_capacity(events.len());
        // Entry ids must be distinct within a request; an event listed twice is sent once (the
        // outcome, keyed by event id, covers both).
        let mut seen = HashSet::with_capacity(events.len());
        for event in events {
            if !seen.insert(event.event_id) {
                continue;
            }
            match campaign_domain::serde_json::to_string(event) {
                Ok(body) => {
                    let group = event.message.ordering_key();
                    messages.push(Message {
                        event_id: event.event_id,
                        body,
                        correlation: event.correlation.clone().filter(|c| !c.is_empty()),
                        group: if group.is_empty() {
                            Self::entry_id(event.event_id)
                        } else {
                            group
                        },
                    });
                }
                Err(e) => collector.refused(event.event_id, format!("cannot encode: {e}")),
            }
        }
        let mut chunks = chunks(
            messages,
            Self::MAX_MESSAGES_PER_CALL,
            Self::MAX_BATCH_BYTES,
            Message::size,
        )
        .into_iter();
        for chunk in chunks.by_ref() {
            if let Err((ids, error)) = self.send_chunk(chunk, &mut collector).await
                && !collector.request_failed(ids, error)
            {
                break;
            }
        }
        for chunk in chunks {
            collector.skipped(chunk.iter().map(|m| m.event_id));
        }
        collector.finish()
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_sqs::operation::send_message_batch::SendMessageBatchOutput;
    use aws_sdk_sqs::types::{BatchResultErrorEntry, SendMessageBatchResultEntry};

    use super::*;

    fn ok(id: Uuid) -> SendMessageBatchResultEntry {
        SendMessageBatchResultEntry::builder()
            .id(SqsQueue::entry_id(id))
            .message_id("m")
            .md5_of_message_body("d41d8cd98f00b204e9800998ecf8427e")
            .build()
            .unwrap()
    }

    fn refused(id: Uuid, sender_fault: bool) -> BatchResultErrorEntry {
        BatchResultErrorEntry::builder()
            .id(SqsQueue::entry_id(id))
            .sender_fault(sender_fault)
            .code("InvalidParameterValue")
            .message("bad")
            .build()
            .unwrap()
    }

    #[test]
    fn entry_ids_are_short_and_plain() {
        let id = SqsQueue::entry_id(Uuid::new_v4());
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()));
    }

    #[test]
    fn failed_unlisted_and_sender_fault_entries_are_reported() {
        let (a, b, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let output = SendMessageBatchOutput::builder()
            .successful(ok(a))
            .failed(refused(b, true))
            .build()
            .unwrap();
        let failed = failed_messages(&[a, b, c], &output);
        assert_eq!(failed.len(), 2);
        assert_eq!(failed[0].0, b);
        assert!(
            failed[0]
                .1
                .starts_with("InvalidParameterValue: bad (sender fault")
        );
        assert_eq!(failed[1].0, c);
    }
}
