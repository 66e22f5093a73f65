//! The documents' stored shape (field names, BSON types) and their round trips through BSON,
//! without a server; `tests/documents.rs` checks the same against one.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use std::cell::Cell;
use std::collections::BTreeSet;

use bson::spec::BinarySubtype;
use bson::{Bson, Document, doc};
use campaign_domain::Campaign;
use campaign_domain::campaign::PasswordHash;
use campaign_domain::contact::Contact;
use campaign_domain::market::Market;
use campaign_domain::promoter::Promoter;
use campaign_domain::serde_json::json;
use campaign_domain::status::{ChangedBy, Status, StatusChange};
use campaign_domain::values::TimeZone;
use campaign_ports::testing::fixtures as fx;
use campaign_ports::{
    IdempotencyClaim, IdempotencyKey, OutboxRecord, OutboxState, StoreError, StoredResponse,
};

use super::campaign::CampaignDocument;
use super::contact::ContactDocument;
use super::idempotency::{IdempotencyDocument, ResponseDocument};
use super::market::MarketDocument;
use super::outbox::{OutboxEntry, OutboxRecordDocument, read_entry};
use super::promoter::PromoterDocument;
use super::{encode, encode_value, read};
use serde::Serialize;

fn is_date(value: Option<&Bson>) -> bool {
    matches!(value, Some(Bson::DateTime(_)))
}

/// A campaign with every kind of field set: dates, history, password, free-form content.
fn full_campaign() -> Campaign {
    let mut campaign = fx::campaign_from(&fx::complete_campaign_json(
        "Shape",
        &fx::domain("shape"),
        json!({
            "domain": {"preview": fx::domain("preview")},
            "content": {"en-US": {"landing": {
                "n": 3, "f": 1.5, "nested": {"list": [1, "x", null]}
            }}},
            "eventIds": ["E1"],
            "categoryId": "cat-1",
        }),
    ));
    campaign.date.open = Some(fx::at_hours(5));
    campaign.date.presale_window_start = Some(fx::at_hours(7));
    campaign.date.send_reminder_emails = vec![fx::at_hours(8), fx::at_hours(9)];
    campaign.status_history.push(StatusChange {
        status: Status::Preview,
        date: fx::at_hours(1),
        by: ChangedBy::User("user-1".to_owned()),
    });
    campaign.password = Some(PasswordHash::from_hash(
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
    ));
    campaign.version = 4;
    campaign
}

#[test]
fn a_campaign_is_stored_with_an_object_id_bson_dates_its_password_hash_and_adapter_fields() {
    let campaign = full_campaign();
    let stored = encode(&CampaignDocument::from(&campaign), "campaign").unwrap();

    assert_eq!(
        stored.get_object_id("_id").unwrap().to_hex(),
        campaign.id.as_str()
    );
    assert!(!stored.contains_key("id") && !stored.contains_key("password"));
    assert_eq!(stored.get("version"), Some(&Bson::Int64(4)));
    assert_eq!(stored.get("_statusRank"), Some(&Bson::Int32(0)));
    assert_eq!(stored.get_str("status").unwrap(), "DRAFT");
    assert_eq!(stored.get_str("type").unwrap(), "registration");
    assert_eq!(
        stored.get_str("passwordHash").unwrap(),
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"
    );
    let hosts: Vec<&str> = stored
        .get_array("_hosts")
        .unwrap()
        .iter()
        .filter_map(Bson::as_str)
        .collect();
    let site = campaign.domain.site.as_ref().unwrap().as_str();
    let preview = campaign.domain.preview.as_ref().unwrap().as_str();
    assert_eq!(hosts, [site, preview]);
    assert_eq!(
        stored
            .get_document("domain")
            .unwrap()
            .get_str("site")
            .unwrap(),
        site
    );

    let dates = stored.get_document("date").unwrap();
    for field in ["created", "updated", "open", "presaleWindowStart"] {
        assert!(is_date(dates.get(field)), "date.{field}: {dates}");
    }
    assert!(!dates.contains_key("close"), "absent, never null: {dates}");
    let reminders = dates.get_array("sendReminderEmails").unwrap();
    assert!(reminders.len() == 2 && reminders.iter().all(|d| is_date(Some(d))));
    let history = stored.get_array("statusHistory").unwrap();
    let change = history[0].as_document().unwrap();
    assert!(is_date(change.get("date")));
    assert_eq!(change.get_str("by").unwrap(), "user-1");
    // Free-form content keeps its JSON types: integers as 64-bit integers, the rest as is.
    let landing = stored
        .get_document("content")
        .and_then(|c| c.get_document("en-US"))
        .and_then(|l| l.get_document("landing"))
        .unwrap();
    assert_eq!(landing.get("n"), Some(&Bson::Int64(3)));
    assert_eq!(landing.get("f"), Some(&Bson::Double(1.5)));

    let back: Campaign = read::<CampaignDocument, _>(stored, "campaign").unwrap();
    assert_eq!(back, campaign);
    assert_eq!(back.password, campaign.password);
}

#[test]
fn a_campaign_without_password_or_hosts_stores_neither_field() {
    let mut campaign = fx::campaign("Bare");
    campaign.domain.site = None;
    let stored = encode(&CampaignDocument::from(&campaign), "campaign").unwrap();
    assert!(!stored.contains_key("passwordHash"), "{stored}");
    assert!(!stored.contains_key("_hosts"), "{stored}");
    assert!(!stored.get_document("domain").unwrap().contains_key("site"));
    let back: Campaign = read::<CampaignDocument, _>(stored, "campaign").unwrap();
    assert_eq!(back.password, None);
    assert_eq!(back, campaign);
}

#[test]
fn a_market_is_stored_with_its_campaign_as_text_bson_dates_and_its_event_keys() {
    let campaign_id = fx::campaign_id();
    let mut market = fx::market(&campaign_id, "Austin", &["E2", "E1"], Some(fx::at_hours(6)));
    market.notification.date = Some(fx::at_hours(3));
    market.population = Some(950_000);
    market.version = 2;
    let stored = encode(&MarketDocument::from(&market), "market").unwrap();

    assert_eq!(
        stored.get_object_id("_id").unwrap().to_hex(),
        market.id.as_str()
    );
    assert_eq!(stored.get_str("campaign_id").unwrap(), campaign_id.as_str());
    assert_eq!(stored.get("version"), Some(&Bson::Int64(2)));
    assert_eq!(stored.get("population"), Some(&Bson::Int64(950_000)));
    let event = stored.get_document("event").unwrap();
    assert!(is_date(event.get("presaleDateTime")) && is_date(event.get("date")));
    assert!(is_date(
        stored.get_document("notification").unwrap().get("date")
    ));
    assert!(
        !stored
            .get_document("notification")
            .unwrap()
            .contains_key("notified")
    );
    assert!(is_date(stored.get_document("date").unwrap().get("created")));
    let keys: Vec<&str> = stored
        .get_array("_eventKeys")
        .unwrap()
        .iter()
        .filter_map(Bson::as_str)
        .collect();
    assert_eq!(
        keys,
        [format!("{campaign_id}|E1"), format!("{campaign_id}|E2")]
    );
    let point = stored.get_document("point").unwrap();
    assert_eq!(point.get_str("type").unwrap(), "Point");

    let back: Market = read::<MarketDocument, _>(stored, "market").unwrap();
    assert_eq!(back, market);

    let without_events = fx::market(&campaign_id, "Boston", &[], None);
    let stored = encode(&MarketDocument::from(&without_events), "market").unwrap();
    assert!(
        !stored.contains_key("_eventKeys"),
        "never an empty array: {stored}"
    );
}

#[test]
fn promoters_and_contacts_round_trip_with_object_ids() {
    let mut promoter = fx::promoter("Live Nation");
    promoter.version = 3;
    let stored = encode(&PromoterDocument::from(&promoter), "promoter").unwrap();
    assert!(matches!(stored.get("_id"), Some(Bson::ObjectId(_))));
    assert!(is_date(stored.get_document("date").unwrap().get("updated")));
    assert_eq!(stored.get("version"), Some(&Bson::Int64(3)));
    let back: Promoter = read::<PromoterDocument, _>(stored, "promoter").unwrap();
    assert_eq!(back, promoter);

    let contact = fx::contact("Ana", "ana@example.test", &["tour", "press"]);
    let stored = encode(&ContactDocument::from(&contact), "contact").unwrap();
    assert!(matches!(stored.get("_id"), Some(Bson::ObjectId(_))));
    assert_eq!(stored.get_str("email").unwrap(), "ana@example.test");
    let back: Contact = read::<ContactDocument, _>(stored, "contact").unwrap();
    assert_eq!(back, contact);
}

/// `read` of `stored` as a campaign, expecting `StoreError::Internal`; its message.
fn campaign_read_error(stored: Document) -> String {
    match read::<CampaignDocument, Campaign>(stored, "campaign") {
        Err(error @ StoreError::Internal { .. }) => error.to_string(),
        other => panic!("expected StoreError::Internal, got {other:?}"),
    }
}

#[test]
fn a_document_that_does_not_decode_is_an_internal_error_naming_the_record() {
    let good = encode(&CampaignDocument::from(&fx::campaign("Good")), "campaign").unwrap();
    let id = good.get_object_id("_id").unwrap();

    let mut unknown_status = good.clone();
    unknown_status.insert("status", "ARCHIVED");
    let message = campaign_read_error(unknown_status);
    assert!(
        message.contains("decode campaign") && message.contains(&id.to_hex()),
        "{message}"
    );
    assert!(message.contains("ARCHIVED"), "{message}");

    let mut date_as_text = good.clone();
    date_as_text.insert(
        "date",
        doc! {"created": "2026-01-01T00:00:00.000Z", "updated": "x"},
    );
    campaign_read_error(date_as_text);

    let mut negative_version = good.clone();
    negative_version.insert("version", -1_i64);
    assert!(campaign_read_error(negative_version).contains("version"));

    let mut no_name = good;
    no_name.remove("name");
    campaign_read_error(no_name);
}

#[test]
fn a_record_bson_cannot_hold_is_an_internal_error_on_encode() {
    let mut market = fx::market(&fx::campaign_id(), "Huge", &[], None);
    market.population = Some(u64::MAX);
    assert!(matches!(
        encode(&MarketDocument::from(&market), "market"),
        Err(StoreError::Internal { .. })
    ));
}

#[test]
fn outbox_entries_keep_the_event_wire_shape_and_records_date_it() {
    let event = fx::event("65a1b2c3d4e5f60718293a4b");
    let entry = encode_value(&OutboxEntry(event.clone()), "outbox entry").unwrap();
    let fields = entry.as_document().unwrap();
    let id = event.event_id.hyphenated().to_string();
    assert_eq!(fields.get_str("eventId").unwrap(), id);
    assert_eq!(
        fields.get_str("occurredAt").unwrap(),
        "2026-01-01T00:00:00.000Z"
    );
    assert_eq!(fields.get_str("destination").unwrap(), "cdnPurge");
    assert_eq!(read_entry(entry.clone()).unwrap(), event);

    let record = OutboxRecordDocument::pending(id.clone(), 7, entry.clone(), &event);
    let stored = encode(&record, "outbox record").unwrap();
    assert_eq!(stored.get_str("_id").unwrap(), id);
    assert_eq!(stored.get("seq"), Some(&Bson::Int64(7)));
    assert_eq!(stored.get("attempts"), Some(&Bson::Int32(0)));
    assert_eq!(stored.get_str("state").unwrap(), "pending");
    assert_eq!(
        stored.get_str("orderingKey").unwrap(),
        "65a1b2c3d4e5f60718293a4b"
    );
    assert!(is_date(stored.get("occurredAt")) && is_date(stored.get("nextAttemptAt")));
    assert!(!stored.contains_key("leaseUntil") && !stored.contains_key("lastError"));
    let back: OutboxRecord = read::<OutboxRecordDocument, _>(stored, "outbox record").unwrap();
    assert_eq!(
        (back.event, back.state, back.attempts, back.next_attempt_at),
        (event.clone(), OutboxState::Pending, 0, event.occurred_at)
    );

    let unreadable =
        OutboxRecordDocument::unreadable(id, 8, Bson::String("junk".to_owned()), "bad".to_owned());
    let stored = encode(&unreadable, "outbox record").unwrap();
    assert_eq!(stored.get_str("state").unwrap(), "unreadable");
    assert!(!stored.contains_key("occurredAt"));
    assert!(matches!(
        read::<OutboxRecordDocument, OutboxRecord>(stored, "outbox record"),
        Err(StoreError::Internal { .. })
    ));
}

#[test]
fn idempotency_records_store_dates_and_the_answer_as_binary() {
    let key = IdempotencyKey {
        user_id: "user-1".to_owned(),
        key: "k-1".to_owned(),
        method: "POST".to_owned(),
        path: "/campaigns".to_owned(),
    };
    let claim = IdempotencyClaim("claim-1".to_owned());
    let running = IdempotencyDocument::running(&key, "fp", &claim, fx::t0(), fx::at_hours(1));
    let stored = encode(&running, "idempotency record").unwrap();
    assert_eq!(stored.get_str("_id").unwrap(), key.storage_id());
    assert_eq!(stored.get_str("userId").unwrap(), "user-1");
    assert_eq!(stored.get_str("state").unwrap(), "running");
    assert!(is_date(stored.get("expiresAt")) && is_date(stored.get("startedAt")));
    assert!(!stored.contains_key("response"));
    let back: IdempotencyDocument = bson::from_document(stored).unwrap();
    assert_eq!(back, running);

    let response = StoredResponse {
        status: 201,
        body: b"{\"data\":{}}".to_vec(),
        location: Some("/campaigns/1".to_owned()),
        etag: None,
    };
    let stored = encode_value(&ResponseDocument::from(&response), "response").unwrap();
    let fields = stored.as_document().unwrap();
    assert_eq!(fields.get("status"), Some(&Bson::Int32(201)));
    assert!(matches!(
        fields.get("body"),
        Some(Bson::Binary(b)) if b.subtype == BinarySubtype::Generic && b.bytes == response.body
    ));
    assert!(!fields.contains_key("etag"));
    let back: ResponseDocument = bson::from_bson(stored).unwrap();
    assert_eq!(StoredResponse::try_from(back).unwrap(), response);
}

/// The serialised names of the top-level fields of document type `D`, as its derived
/// `Deserialize` declares them (`deserialize_struct`'s field list): every field it can write.
fn declared_fields<D: serde::de::DeserializeOwned>() -> BTreeSet<String> {
    use serde::de::{Error as _, Visitor};

    /// A deserializer that only records the field list a struct asks for.
    struct FieldList(Cell<&'static [&'static str]>);

    impl<'de> serde::Deserializer<'de> for &FieldList {
        type Error = serde::de::value::Error;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(Self::Error::custom("only a struct's field list is read"))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            self.0.set(fields);
            Err(Self::Error::custom("field list recorded"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }

    let list = FieldList(Cell::new(&[]));
    assert!(D::deserialize(&list).is_err());
    list.0.get().iter().map(|f| (*f).to_owned()).collect()
}

/// The top-level keys a document of type `D` may leave out, derived from `full` (a stored
/// document with every field written, checked against the type's declared fields): `full`
/// minus the keys written by the emptiest document that reads back, the one left when every
/// key that may be missing on read (a `default`) is removed from `full`.
fn optional_top_level_keys<D>(full: &Document) -> BTreeSet<String>
where
    D: Serialize + serde::de::DeserializeOwned,
{
    let written: BTreeSet<String> = full.keys().cloned().collect();
    assert_eq!(
        written,
        declared_fields::<D>(),
        "the fully populated fixture must write every field of the document type"
    );
    let mut emptiest = full.clone();
    for key in &written {
        let mut without = emptiest.clone();
        without.remove(key);
        if bson::from_document::<D>(without.clone()).is_ok() {
            emptiest = without;
        }
    }
    let empty: D = bson::from_document(emptiest).unwrap();
    let always: BTreeSet<String> = bson::to_document(&empty).unwrap().keys().cloned().collect();
    written.difference(&always).cloned().collect()
}

fn listed(fields: &[&str]) -> BTreeSet<String> {
    fields.iter().map(|f| (*f).to_owned()).collect()
}

#[test]
fn the_optional_fields_a_campaign_update_unsets_are_exactly_those_the_document_may_omit() {
    let mut campaign = full_campaign();
    campaign.identifier = Some("shape-1".to_owned());
    campaign.reference_timezone = Some(TimeZone::parse("Europe/Berlin").unwrap());
    let full = encode(&CampaignDocument::from(&campaign), "campaign").unwrap();
    assert_eq!(
        optional_top_level_keys::<CampaignDocument>(&full),
        listed(super::campaign::OPTIONAL_FIELDS)
    );
}

#[test]
fn the_optional_fields_a_market_update_unsets_are_exactly_those_the_document_may_omit() {
    let mut market = fx::market(&fx::campaign_id(), "Austin", &["E1"], Some(fx::at_hours(6)));
    market.population = Some(950_000);
    let full = encode(&MarketDocument::from(&market), "market").unwrap();
    assert_eq!(
        optional_top_level_keys::<MarketDocument>(&full),
        listed(super::market::OPTIONAL_FIELDS)
    );
}
