//! A campaign's lifecycle (SPEC §7.2) on the wire: the status and kind enums, a status history
//! entry, and the answers of `GET /campaigns/status?domain=` (`{id, status}`) and
//! `GET /campaigns/{id}/status` (`{id, status, statusHistory}`).

use std::borrow::Cow;

use campaign_domain::campaign::CampaignType as DomainCampaignType;
use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::status::{self as domain, ChangedBy, Status};
use campaign_domain::values::CampaignId;
use campaign_domain::wire_time;
use serde::{Deserialize, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::values;

/// `CampaignStatus`: the lifecycle status of a campaign (the domain's [`Status`], listed from
/// `Status::ALL`).
#[derive(Debug, Clone, Copy)]
pub struct CampaignStatus;

impl PartialSchema for CampaignStatus {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(Status::ALL.map(Status::as_str)))
            .description(Some(
                "Lifecycle status: DRAFT ⇄ PREVIEW → OPEN ⇄ CLOSED → INACTIVE (DRAFT may also go \
                 straight to OPEN). The service reads it in any ASCII case.",
            ))
            .examples(["OPEN"])
            .into()
    }
}

impl ToSchema for CampaignStatus {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("CampaignStatus")
    }
}

/// A status in any ASCII case.
macro_rules! any_case_status {
    () => {
        concat!(
            "([dD][rR][aA][fF][tT]|[pP][rR][eE][vV][iI][eE][wW]|[oO][pP][eE][nN]",
            "|[cC][lL][oO][sS][eE][dD]|[iI][nN][aA][cC][tT][iI][vV][eE])"
        )
    };
}

/// `?status=` of `GET /campaigns/list`: statuses in any case, separated by commas, white space
/// around each and empty entries ignored. (The route states it inline, as a query parameter's
/// schema is not collected into the components; a test there holds it to this one.)
pub const STATUS_LIST: &str = concat!(
    "^\\s*(",
    any_case_status!(),
    "\\s*)?(,\\s*(",
    any_case_status!(),
    "\\s*)?)*$"
);

/// The statuses a create may ask for: it starts as DRAFT and may move on to PREVIEW at once.
pub const CREATE_STATUSES: [Status; 2] = [Status::Draft, Status::Preview];

/// `NewCampaignStatus`: the status a create asks for ([`CREATE_STATUSES`]).
#[derive(Debug, Clone, Copy)]
pub struct NewCampaignStatus;

impl PartialSchema for NewCampaignStatus {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(CREATE_STATUSES.map(Status::as_str)))
            .description(Some(
                "A new campaign is a DRAFT; PREVIEW moves it on at once, which needs the whole \
                 campaign (tour.name, identifier, the style's primary colours, image.main.url, \
                 locales with exactly one default, content only for those locales, every placed \
                 FAQ in every locale's content). Any other status is INVALID_STATUS_TRANSITION. \
                 The service reads it in any ASCII case.",
            ))
            .examples(["DRAFT"])
            .into()
    }
}

impl ToSchema for NewCampaignStatus {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("NewCampaignStatus")
    }
}

/// Every kind of campaign, in the order the document lists them.
pub const CAMPAIGN_TYPES: [DomainCampaignType; 2] = [
    DomainCampaignType::Registration,
    DomainCampaignType::Fanlist,
];

/// `CampaignType`: the kind of campaign.
#[derive(Debug, Clone, Copy)]
pub struct CampaignType;

impl PartialSchema for CampaignType {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(CAMPAIGN_TYPES.map(DomainCampaignType::as_str)))
            .description(Some(
                "Kind of campaign: `registration` (fans register for a presale code; the \
                 default) or `fanlist` (fans join a list).",
            ))
            .examples(["registration"])
            .into()
    }
}

impl ToSchema for CampaignType {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("CampaignType")
    }
}

/// One entry of a campaign's `statusHistory`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({"status": "OPEN", "date": "2030-01-10T09:00:00.000Z", "by": "system"})))]
pub struct StatusChange<'a> {
    /// The status entered.
    #[schema(value_type = CampaignStatus)]
    pub status: Status,
    /// When.
    #[serde(with = "wire_time")]
    #[schema(value_type = String, format = DateTime)]
    pub date: DateTime<Utc>,
    /// Who: the user id of the token that asked for it, or `system` (the refresh job).
    #[schema(value_type = String, min_length = 1)]
    pub by: Cow<'a, ChangedBy>,
}

/// `data` of `GET /campaigns/status?domain=`: the campaign a domain serves, and its status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({"id": "65a1b2c3d4e5f60718293a4b", "status": "OPEN"})))]
pub struct CampaignIdStatus<'a> {
    /// The campaign.
    #[schema(value_type = values::ObjectId)]
    pub id: Cow<'a, CampaignId>,
    /// Its status.
    #[schema(value_type = CampaignStatus)]
    pub status: Status,
}

/// `data` of `GET /campaigns/{id}/status`: the status and every change, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(examples(json!({
    "id": "65a1b2c3d4e5f60718293a4b",
    "status": "OPEN",
    "statusHistory": [
        {"status": "DRAFT", "date": "2030-01-01T12:00:00.000Z", "by": "user-1"},
        {"status": "OPEN", "date": "2030-01-10T09:00:00.000Z", "by": "system"}
    ]
})))]
pub struct CampaignStatusHistory<'a> {
    /// The campaign.
    #[schema(value_type = values::ObjectId)]
    pub id: Cow<'a, CampaignId>,
    /// Its status.
    #[schema(value_type = CampaignStatus)]
    pub status: Status,
    /// Every change, oldest first.
    pub status_history: Vec<StatusChange<'a>>,
}

impl<'a> From<&'a domain::StatusChange> for StatusChange<'a> {
    fn from(change: &'a domain::StatusChange) -> Self {
        Self {
            status: change.status,
            date: change.date,
            by: Cow::Borrowed(&change.by),
        }
    }
}

impl From<StatusChange<'_>> for domain::StatusChange {
    fn from(change: StatusChange<'_>) -> Self {
        Self {
            status: change.status,
            date: change.date,
            by: change.by.into_owned(),
        }
    }
}

/// A status history as answered.
pub fn history(changes: &[domain::StatusChange]) -> Vec<StatusChange<'_>> {
    changes.iter().map(StatusChange::from).collect()
}

#[cfg(test)]
mod tests {
    use campaign_domain::chrono::TimeZone as _;
    use campaign_domain::serde_json::{self, json};

    use super::*;

    #[test]
    fn the_enums_are_the_domains() {
        let listed = |schema: RefOr<Schema>| serde_json::to_value(schema).unwrap()["enum"].clone();
        let statuses: Vec<_> = Status::ALL
            .iter()
            .map(|s| serde_json::to_value(s).unwrap())
            .collect();
        assert_eq!(listed(CampaignStatus::schema()), json!(statuses));
        assert_eq!(
            listed(NewCampaignStatus::schema()),
            json!(["DRAFT", "PREVIEW"])
        );
        for kind in CAMPAIGN_TYPES {
            // A new kind fails to compile here until it is listed.
            match kind {
                DomainCampaignType::Registration | DomainCampaignType::Fanlist => {}
            }
            assert_eq!(DomainCampaignType::parse(kind.as_str()), Ok(kind));
        }
        assert_eq!(
            listed(CampaignType::schema()),
            json!(["registration", "fanlist"])
        );
    }

    #[test]
    fn the_status_list_pattern_is_how_the_list_reads_it() {
        let pattern = regex::Regex::new(STATUS_LIST).unwrap();
        // As `GET /campaigns/list` reads it: split on commas, trim, skip empty parts.
        let read = |raw: &str| {
            raw.split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .all(|p| p.parse::<Status>().is_ok())
        };
        for (raw, valid) in [
            ("OPEN", true),
            ("open", true),
            ("Draft, PREVIEW ,closed", true),
            ("INACTIVE,", true),
            (",,OPEN", true),
            ("", true),
            (" ", true),
            ("OPEN CLOSED", false),
            ("OPENED", false),
            ("OPEN;CLOSED", false),
            ("ARCHIVED", false),
        ] {
            assert_eq!(pattern.is_match(raw), valid, "pattern on {raw:?}");
            assert_eq!(read(raw), valid, "reader on {raw:?}");
        }
    }

    #[test]
    fn a_history_entry_is_the_domains_and_reads_back() {
        let change = domain::StatusChange {
            status: Status::Open,
            date: Utc.with_ymd_and_hms(2030, 1, 10, 9, 0, 0).unwrap(),
            by: ChangedBy::System,
        };
        let answer = StatusChange::from(&change);
        assert_eq!(
            serde_json::to_value(&answer).unwrap(),
            serde_json::to_value(&change).unwrap()
        );
        let wire = serde_json::to_string(&answer).unwrap();
        let read: StatusChange<'_> = serde_json::from_str(&wire).unwrap();
        assert_eq!(domain::StatusChange::from(read), change);
        let example = serde_json::to_value(StatusChange::schema()).unwrap()["examples"][0].clone();
        let read: domain::StatusChange = serde_json::from_value(example.clone()).unwrap();
        assert_eq!(serde_json::to_value(read).unwrap(), example);
    }
}
