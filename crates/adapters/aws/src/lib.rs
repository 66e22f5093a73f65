//! The campaign data stream and the queues of campaign-service on AWS (SPEC §8), through the
//! official SDK: [`KinesisStream`] (`CampaignDataStream`, Kinesis `PutRecords`) and [`SqsQueue`]
//! (`MessageQueue`, SQS `SendMessageBatch`), both built from one [`SdkConfig`] that
//! [`AwsSettings::load`] makes once (default credential chain, `BehaviorVersion::latest()`, an
//! endpoint override for emulators, short timeouts).
//!
//! Each event becomes one record or message whose body is the JSON of the `OutboundEvent` (with
//! its `eventId`, for consumers to de-duplicate). Slices larger than one request allows are split;
//! entries the service refused one by one come back in `BatchOutcome::failed` for the relay to
//! retry; a call that failed as a whole is an `IntegrationError`, `Transient` or `Permanent` (see
//! `error`). docs/decisions/0012-aws-publishers.md explains the choices.
//!
//! Architecture invariant: this crate depends on `campaign-domain` and `campaign-ports` only
//! among the workspace crates; the one AWS type other crates see is [`SdkConfig`], re-exported
//! here so the composition root needs no SDK dependency of its own.

mod batch;
mod error;
mod kinesis;
mod settings;
mod sqs;
#[cfg(feature = "testing")]
pub mod testing;

pub use aws_config::SdkConfig;

pub use crate::kinesis::KinesisStream;
pub use crate::settings::AwsSettings;
pub use crate::sqs::SqsQueue;
