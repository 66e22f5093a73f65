//! Ticketing events referenced by markets, with the status the ticketing side reported
//! (`GET /events`, `POST /events/{eventId}`).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::ValidationErrors;
use crate::reader::{ObjectReader, wire_time};
use crate::values::{EventId, InvalidValue};

/// Status of a ticketing event, as the Discovery API names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventStatus {
    /// Tickets on sale.
    Onsale,
    /// Sale ended.
    Offsale,
    /// Cancelled.
    Cancelled,
    /// Postponed to an unknown date.
    Postponed,
    /// Moved to a new date.
    Rescheduled,
}

impl EventStatus {
    /// Every status.
    pub const ALL: [EventStatus; 5] = [
        Self::Onsale,
        Self::Offsale,
        Self::Cancelled,
        Self::Postponed,
        Self::Rescheduled,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Onsale => "onsale",
            Self::Offsale => "offsale",
            Self::Cancelled => "cancelled",
            Self::Postponed => "postponed",
            Self::Rescheduled => "rescheduled",
        }
    }
}

impl fmt::Display for EventStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventStatus {
    type Err = InvalidValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                InvalidValue::new(
                    "status must be one of onsale, offsale, cancelled, postponed, rescheduled",
                )
            })
    }
}

impl EventStatus {
    /// Parses the body of `POST /events/{eventId}`: `{status}`.
    pub fn parse_body(body: &serde_json::Value) -> Result<EventStatus, ValidationErrors> {
        if !body.is_object() {
            return Err(ValidationErrors::single("body", "must be a JSON object"));
        }
        let mut e = ValidationErrors::new();
        let root = ObjectReader::new(Some(body), "", &mut e);
        match root.required("status", &mut e, str::parse::<EventStatus>) {
            Some(status) => e.into_result(status),
            None => Err(e),
        }
    }
}

/// What the service knows of one ticketing event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Event id.
    pub id: EventId,
    /// Last reported status, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<EventStatus>,
    /// When the event takes place (from the markets that reference it).
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub date: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn statuses_parse_from_a_body_in_any_case() {
        assert_eq!(
            EventStatus::parse_body(&json!({"status": "Cancelled"})).unwrap(),
            EventStatus::Cancelled
        );
        for bad in [
            json!({}),
            json!({"status": "gone"}),
            json!({"status": 1}),
            json!([]),
        ] {
            assert!(EventStatus::parse_body(&bad).is_err(), "{bad}");
        }
        for s in EventStatus::ALL {
            assert_eq!(s.as_str().parse::<EventStatus>().unwrap(), s);
        }
    }
}
