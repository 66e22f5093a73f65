//! The `idempotency_keys` document: `{_id: <IdempotencyKey::storage_id>, userId, key, method,
//! path, fingerprint, state: "running" | "completed", claim, expiresAt, startedAt, response?:
//! {status, body (binary), location?, etag?}, completedAt?}`, instants as BSON dates.
//! `expiresAt` is the end of the lease while running and the end of the retention once
//! completed (a TTL index watches it).

use bson::Binary;
use bson::serde_helpers::{
    chrono_datetime_as_bson_datetime as bson_date,
    chrono_datetime_as_bson_datetime_optional as bson_date_option,
};
use bson::spec::BinarySubtype;
use campaign_domain::chrono::{DateTime, Utc};
use campaign_ports::{IdempotencyClaim, IdempotencyKey, StoredResponse};
use serde::{Deserialize, Serialize};

use super::InvalidDocument;

/// The field the TTL index watches.
pub(crate) const EXPIRES_FIELD: &str = "expiresAt";

/// Whether a request still runs under the key or its answer is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum IdempotencyState {
    /// A request holds the key (until `expiresAt`).
    Running,
    /// The answer is kept for replays (until `expiresAt`).
    Completed,
}

impl IdempotencyState {
    /// The stored name, for filters and updates.
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Completed => "completed",
        }
    }
}

/// A stored idempotency record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IdempotencyDocument {
    /// `IdempotencyKey::storage_id`.
    #[serde(rename = "_id")]
    pub(crate) id: String,
    user_id: String,
    key: String,
    method: String,
    path: String,
    /// The request body's fingerprint.
    pub(crate) fingerprint: String,
    /// Running or completed.
    pub(crate) state: IdempotencyState,
    /// Who holds the key (the request that began it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) claim: Option<String>,
    /// End of the lease (running) or of the retention (completed).
    #[serde(with = "bson_date")]
    pub(crate) expires_at: DateTime<Utc>,
    #[serde(with = "bson_date")]
    started_at: DateTime<Utc>,
    /// The answer, once completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) response: Option<ResponseDocument>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "bson_date_option"
    )]
    completed_at: Option<DateTime<Utc>>,
}

/// A kept answer: status, body (BSON binary), `Location` and `ETag`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ResponseDocument {
    status: i32,
    body: Binary,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    etag: Option<String>,
}

impl IdempotencyDocument {
    /// The running record `claim` holds under `key` from `now` until `expires_at`.
    pub(crate) fn running(
        key: &IdempotencyKey,
        fingerprint: &str,
        claim: &IdempotencyClaim,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Self {
        Self {
            id: key.storage_id(),
            user_id: key.user_id.clone(),
            key: key.key.clone(),
            method: key.method.clone(),
            path: key.path.clone(),
            fingerprint: fingerprint.to_owned(),
            state: IdempotencyState::Running,
            claim: Some(claim.0.clone()),
            expires_at,
            started_at: now,
            response: None,
            completed_at: None,
        }
    }
}

impl From<&StoredResponse> for ResponseDocument {
    fn from(response: &StoredResponse) -> Self {
        Self {
            status: i32::from(response.status),
            body: Binary {
                subtype: BinarySubtype::Generic,
                bytes: response.body.clone(),
            },
            location: response.location.clone(),
            etag: response.etag.clone(),
        }
    }
}

impl TryFrom<ResponseDocument> for StoredResponse {
    type Error = InvalidDocument;

    fn try_from(doc: ResponseDocument) -> Result<Self, Self::Error> {
        Ok(Self {
            status: u16::try_from(doc.status)
                .map_err(|e| InvalidDocument::field("response.status", e))?,
            body: doc.body.bytes,
            location: doc.location,
            etag: doc.etag,
        })
    }
}
