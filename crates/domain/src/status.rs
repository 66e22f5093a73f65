//! The campaign status state machine (SPEC §7.2) and its history entries.
//!
//! ```text
//! DRAFT ⇄ PREVIEW → OPEN ⇄ CLOSED → INACTIVE
//!   └──────────────→ OPEN
//! ```
//! Manual changes (through an update) and automatic ones (the refresh job, §7.3) allow different
//! edges; nothing ever leaves INACTIVE.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::reader::wire_time;
use crate::values::InvalidValue;

/// Lifecycle status of a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    /// Being prepared; only the basics are required.
    Draft,
    /// Complete and visible through the preview domain.
    Preview,
    /// Registration is open.
    Open,
    /// Registration has closed; the site still answers.
    Closed,
    /// Archived 30 days after closing; holds no domain. Final.
    Inactive,
}

impl Status {
    /// Every status, in lifecycle order.
    pub const ALL: [Status; 5] = [
        Self::Draft,
        Self::Preview,
        Self::Open,
        Self::Closed,
        Self::Inactive,
    ];

    /// The wire name (`DRAFT`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "DRAFT",
            Self::Preview => "PREVIEW",
            Self::Open => "OPEN",
            Self::Closed => "CLOSED",
            Self::Inactive => "INACTIVE",
        }
    }

    /// Whether a campaign in this status must pass full validation (everything but DRAFT).
    pub fn requires_full_campaign(self) -> bool {
        self != Self::Draft
    }

    /// Whether a user may move a campaign from `self` to `to` through an update.
    /// Reopening (CLOSED → OPEN) additionally needs the domain to be still held, which the caller
    /// checks with the campaign in hand (see `Campaign::check_manual_transition`).
    pub fn allows_manual(self, to: Status) -> bool {
        use Status::*;
        matches!(
            (self, to),
            (Draft, Preview)
                | (Preview, Draft)
                | (Draft | Preview, Open)
                | (Open, Closed)
                | (Closed, Open)
        )
    }

    /// Whether the refresh job may move a campaign from `self` to `to`.
    pub fn allows_automatic(self, to: Status) -> bool {
        use Status::*;
        matches!(
            (self, to),
            (Draft | Preview, Open) | (Open, Closed) | (Closed, Inactive)
        )
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = InvalidValue;

    /// Parses the wire name, case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                InvalidValue::new("status must be one of DRAFT, PREVIEW, OPEN, CLOSED, INACTIVE")
            })
    }
}

/// Who made a change: a user (by the token's `userId`) or the service itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ChangedBy {
    /// A user, by id.
    User(String),
    /// The refresh job or another automatic process.
    System,
}

impl ChangedBy {
    /// The wire form: the user id, or `system`.
    pub fn as_str(&self) -> &str {
        match self {
            Self::User(id) => id,
            Self::System => "system",
        }
    }
}

impl Serialize for ChangedBy {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ChangedBy {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Ok(if raw == "system" {
            Self::System
        } else {
            Self::User(raw)
        })
    }
}

/// One entry of a campaign's `statusHistory`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    /// The status entered.
    pub status: Status,
    /// When (RFC 3339 UTC with milliseconds on the wire, like every other date).
    #[serde(with = "wire_time")]
    pub date: DateTime<Utc>,
    /// Who did it.
    pub by: ChangedBy,
}

/// Whether a transition was asked for by a user or made by the refresh job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransitionKind {
    /// Requested through an update.
    Manual,
    /// Made by the refresh job.
    Automatic,
}

/// A status change to apply to a campaign: the edge, when, and by whom. Applying it is
/// `Campaign::apply_transition`; stores use `from` as the condition of their conditional write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusTransition {
    /// The status the campaign must still have.
    pub from: Status,
    /// The status it gets.
    pub to: Status,
    /// When the change happens.
    pub at: DateTime<Utc>,
    /// Who makes it.
    pub by: ChangedBy,
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    #[test]
    fn manual_edges_are_exactly_those_of_the_spec() {
        let allowed: Vec<(Status, Status)> = Status::ALL
            .into_iter()
            .flat_map(|a| Status::ALL.into_iter().map(move |b| (a, b)))
            .filter(|(a, b)| a.allows_manual(*b))
            .collect();
        assert_eq!(
            allowed,
            [
                (Draft, Preview),
                (Draft, Open),
                (Preview, Draft),
                (Preview, Open),
                (Open, Closed),
                (Closed, Open)
            ]
        );
    }

    #[test]
    fn automatic_edges_are_exactly_those_of_the_refresh() {
        let allowed: Vec<(Status, Status)> = Status::ALL
            .into_iter()
            .flat_map(|a| Status::ALL.into_iter().map(move |b| (a, b)))
            .filter(|(a, b)| a.allows_automatic(*b))
            .collect();
        assert_eq!(
            allowed,
            [
                (Draft, Open),
                (Preview, Open),
                (Open, Closed),
                (Closed, Inactive)
            ]
        );
    }

    #[test]
    fn nothing_leaves_inactive() {
        for to in Status::ALL {
            assert!(!Inactive.allows_manual(to));
            assert!(!Inactive.allows_automatic(to));
        }
    }

    #[test]
    fn wire_names_round_trip() {
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>().unwrap(), s);
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        assert_eq!("open".parse::<Status>().unwrap(), Open);
        assert!("ACTIVE".parse::<Status>().is_err());
    }

    #[test]
    fn changed_by_serialises_as_plain_string() {
        assert_eq!(
            serde_json::to_string(&ChangedBy::System).unwrap(),
            "\"system\""
        );
        let u: ChangedBy = serde_json::from_str("\"user-1\"").unwrap();
        assert_eq!(u, ChangedBy::User("user-1".into()));
    }
}
