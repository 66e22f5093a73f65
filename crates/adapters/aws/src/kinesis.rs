//! The campaign data stream on Kinesis: one `PutRecords` record per event, the JSON of the
//! `OutboundEvent` as data and its ordering key (the campaign id) as partition key, so the
//! records of one campaign land on one shard in order.

use async_trait::async_trait;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_kinesis::Client;
use aws_sdk_kinesis::primitives::Blob;
use aws_sdk_kinesis::types::{PutRecordsRequestEntry, PutRecordsResultEntry};
use campaign_domain::messages::OutboundEvent;
use campaign_domain::uuid::Uuid;
use campaign_ports::{BatchOutcome, CampaignDataStream, IntegrationError};
use tracing::Instrument as _;

use crate::batch::{Collector, chunks};
use crate::error::classify;

/// The campaign data stream (`CAMPAIGN_KINESIS_STREAM`). Cheap to clone: the SDK client is
/// shared behind an `Arc`.
#[derive(Debug, Clone)]
pub struct KinesisStream {
    client: Client,
    stream: Stream,
}

/// How the stream is named in requests.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Stream {
    Name(String),
    Arn(String),
}

/// One encoded record.
struct Record {
    event_id: Uuid,
    data: Vec<u8>,
    partition_key: String,
}

impl KinesisStream {
    /// Most records in one `PutRecords` call (the service's limit).
    pub const MAX_RECORDS_PER_CALL: usize = 500;
    /// Most bytes of data and partition keys in one `PutRecords` call (the service's limit).
    pub const MAX_REQUEST_BYTES: usize = 5 * 1024 * 1024;
    /// Longest partition key, in characters (the service's limit).
    pub const MAX_PARTITION_KEY_CHARS: usize = 256;

    /// The stream `stream` (a name, or a stream ARN when it starts with `arn:`) with a client
    /// built from `config` (the behaviour version is set to the latest when `config` lacks one).
    pub fn new(config: &SdkConfig, stream: impl Into<String>) -> Self {
        let mut builder = aws_sdk_kinesis::config::Builder::from(config);
        if config.behavior_version().is_none() {
            builder.set_behavior_version(Some(BehaviorVersion::latest()));
        }
        let stream = stream.into();
        let stream = if stream.starts_with("arn:") {
            Stream::Arn(stream)
        } else {
            Stream::Name(stream)
        };
        Self {
            client: Client::from_conf(builder.build()),
            stream,
        }
    }

    /// The stream's name or ARN, as configured.
    pub fn stream(&self) -> &str {
        match &self.stream {
            Stream::Name(s) | Stream::Arn(s) => s,
        }
    }

    /// The partition key of `event`: its ordering key (the campaign id), or its event id when
    /// the ordering key is empty, cut to [`Self::MAX_PARTITION_KEY_CHARS`].
    pub fn partition_key(event: &OutboundEvent) -> String {
        let key = event.message.ordering_key();
        if key.is_empty() {
            return event.event_id.simple().to_string();
        }
        match key.char_indices().nth(Self::MAX_PARTITION_KEY_CHARS) {
            Some((cut, _)) => key[..cut].to_owned(),
            None => key,
        }
    }

    /// Sends one request; `Err` when it failed as a whole.
    async fn put_chunk(
        &self,
        chunk: Vec<Record>,
        collector: &mut Collector,
    ) -> Result<(), (Vec<Uuid>, IntegrationError)> {
        let ids: Vec<Uuid> = chunk.iter().map(|r| r.event_id).collect();
        let what = format!("Kinesis PutRecords on stream {}", self.stream());
        let entries: Result<Vec<PutRecordsRequestEntry>, _> = chunk
            .into_iter()
            .map(|r| {
                PutRecordsRequestEntry::builder()
                    .data(Blob::new(r.data))
                    .partition_key(r.partition_key)
                    .build()
            })
            .collect();
        let entries = match entries {
            Ok(entries) => entries,
            Err(e) => {
                let error = IntegrationError::Permanent(format!("{what}: request not built: {e}"));
                return Err((ids, error));
            }
        };
        let request = self.client.put_records().set_records(Some(entries));
        let request = match &self.stream {
            Stream::Name(name) => request.stream_name(name),
            Stream::Arn(arn) => request.stream_arn(arn),
        };
        let span = tracing::info_span!(
            "kinesis.putRecords",
            stream = self.stream(),
            records = ids.len(),
            failed = tracing::field::Empty,
        );
        match request.send().instrument(span.clone()).await {
            Ok(output) => {
                let failed = failed_records(&ids, output.records());
                span.record("failed", failed.len());
                collector.sent(failed);
                Ok(())
            }
            Err(e) => Err((ids, classify(&what, &e))),
        }
    }
}

/// The refused records of a `PutRecords` answer: the entries with an error code, matched to
/// the request by position (the service answers in request order), and any record the answer
/// does not cover.
fn failed_records(ids: &[Uuid], results: &[PutRecordsResultEntry]) -> Vec<(Uuid, String)> {
    let mut failed = Vec::new();
    for (index, id) in ids.iter().enumerate() {
        match results.get(index) {
            Some(result) => {
                if let Some(code) = result.error_code() {
                    let reason = match result.error_message() {
                        Some(message) => format!("{code}: {message}"),
                        None => code.to_owned(),
                    };
                    failed.push((*id, reason));
                }
            }
            None => failed.push((*id, "no result for this record in the answer".to_owned())),
        }
    }
    failed
}

#[async_trait]
impl CampaignDataStream for KinesisStream {
    async fn put_records(
        &self,
        events: &[OutboundEvent],
    ) -> Result<BatchOutcome, IntegrationError> {
        let mut collector = Collector::default();
        let mut records = Vec::with_capacity(events.len());
        for event in events {
            match campaign_domain::serde_json::to_vec(event) {
                Ok(data) => records.push(Record {
                    event_id: event.event_id,
                    data,
                    partition_key: Self::partition_key(event),
                }),
                Err(e) => collector.refused(event.event_id, format!("cannot encode: {e}")),
            }
        }
        let mut chunks = chunks(
            records,
            Self::MAX_RECORDS_PER_CALL,
            Self::MAX_REQUEST_BYTES,
            |r| r.data.len() + r.partition_key.len(),
        )
        .into_iter();
        for chunk in chunks.by_ref() {
            if let Err((ids, error)) = self.put_chunk(chunk, &mut collector).await
                && !collector.request_failed(ids, error)
            {
                break;
            }
        }
        for chunk in chunks {
            collector.skipped(chunk.iter().map(|r| r.event_id));
        }
        collector.finish()
    }
}

#[cfg(test)]
mod tests {
    use campaign_domain::chrono::Utc;
    use campaign_domain::messages::{CdnPurge, OutboundMessage};

    use super::*;

    fn purge(key: &str) -> OutboundEvent {
        OutboundEvent {
            event_id: Uuid::new_v4(),
            correlation: None,
            occurred_at: Utc::now(),
            message: OutboundMessage::CdnPurge(CdnPurge {
                surrogate_keys: if key.is_empty() {
                    vec![]
                } else {
                    vec![key.to_owned()]
                },
            }),
        }
    }

    #[test]
    fn the_partition_key_is_the_ordering_key() {
        let event = purge("0123456789abcdef01234567");
        assert_eq!(
            KinesisStream::partition_key(&event),
            "0123456789abcdef01234567"
        );
    }

    #[test]
    fn an_empty_ordering_key_falls_back_to_the_event_id() {
        let event = purge("");
        assert_eq!(
            KinesisStream::partition_key(&event),
            event.event_id.simple().to_string()
        );
    }

    #[test]
    fn a_long_key_is_cut_on_a_character_boundary() {
        let key = "é".repeat(300);
        let cut = KinesisStream::partition_key(&purge(&key));
        assert_eq!(cut.chars().count(), KinesisStream::MAX_PARTITION_KEY_CHARS);
    }

    #[test]
    fn records_missing_from_the_answer_count_as_failed() {
        let ids = [Uuid::new_v4(), Uuid::new_v4()];
        let ok = PutRecordsResultEntry::builder()
            .sequence_number("1")
            .shard_id("shardId-000000000000")
            .build();
        let failed = failed_records(&ids, &[ok]);
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].0, ids[1]);
    }
}
