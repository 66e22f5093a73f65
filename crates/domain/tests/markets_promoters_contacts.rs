//! Markets (SPEC §7.7), promoters and contacts (SPEC §7.8).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod common;

use std::collections::BTreeSet;

use campaign_domain::contact::{Contact, ContactInput};
use campaign_domain::market::{MARKET_READ_ONLY_FIELDS, Market, Notification};
use campaign_domain::promoter::Promoter;
use campaign_domain::values::{ContactId, EmailAddress, EventId, PromoterId};
use chrono::Duration;
use common::*;
use serde_json::{Value, json};

fn field_set(errors: &campaign_domain::ValidationErrors) -> BTreeSet<String> {
    fields(errors).into_iter().collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn market_err(doc: Value) -> campaign_domain::ValidationErrors {
    Market::parse_new(&doc, market_id(), campaign_id(), now()).unwrap_err()
}

fn market_with(path: &str, value: Value) -> Market {
    let mut doc = market_json();
    set_path(&mut doc, path, value);
    Market::parse_new(&doc, market_id(), campaign_id(), now()).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Markets
// ---------------------------------------------------------------------------------------------

#[test]
fn a_full_market_parses() {
    let m = market();
    assert_eq!(m.id, market_id());
    assert_eq!(m.campaign_id, campaign_id());
    assert_eq!(
        (m.name.as_str(), m.city.as_str(), m.state.as_str()),
        ("New York", "New York", "NY")
    );
    assert_eq!(m.timezone.as_str(), "America/New_York");
    let p = m.point.unwrap();
    assert_eq!((p.longitude.value(), p.latitude.value()), (-73.98, 40.75));
    assert_eq!(m.population, Some(8_000_000));
    assert_eq!(m.event.ids.len(), 2);
    assert_eq!(
        m.event.presale_date_time,
        Some(days(52) + Duration::hours(2))
    );
    assert_eq!(m.event.venue.name.as_deref(), Some("Madison Square Garden"));
    assert_eq!(m.event.shared_code.as_deref(), Some("SPRING"));
    assert_eq!(m.promoter_ids, [PromoterId::parse(PROMOTER_ID).unwrap()]);
    assert_eq!(m.version, 0);
    assert_eq!((m.date.created, m.date.updated), (now(), now()));
    assert_eq!(m.notification, Notification::default());
    let wire_doc = serde_json::to_value(&m).unwrap();
    assert_eq!(wire_doc["campaign_id"], json!(CAMPAIGN_ID));
    assert_eq!(
        wire_doc["event"]["presaleDateTime"],
        json!("2026-04-22T14:00:00.000Z")
    );
    assert_eq!(wire_doc["event"]["category_ids"], json!(["cat-1"]));
    assert_eq!(wire_doc["promoterIds"], json!([PROMOTER_ID]));
    assert_eq!(
        wire_doc["point"],
        json!({"type": "Point", "coordinates": [-73.98, 40.75]})
    );
}

#[test]
fn required_market_fields_are_reported_together() {
    assert_eq!(
        field_set(&market_err(json!({}))),
        set(&["name", "city", "state", "timezone"])
    );
    let e = market_err(json!({"name": " ", "city": 3, "state": "NY", "timezone": "Mars/Base"}));
    assert_eq!(field_set(&e), set(&["name", "city", "timezone"]));
    assert_eq!(fields(&market_err(json!([]))), ["body"]);
}

#[test]
fn bad_coordinates_are_reported_at_point() {
    for coordinates in [
        json!([200.0, 10.0]),
        json!([10.0, -91.0]),
        json!([1.0]),
        json!([1.0, 2.0, 3.0]),
    ] {
        let mut doc = market_json();
        set_path(&mut doc, "point.coordinates", coordinates.clone());
        assert_eq!(fields(&market_err(doc)), ["point"], "{coordinates}");
    }
    let mut doc = market_json();
    set_path(&mut doc, "point.type", json!("Polygon"));
    assert_eq!(fields(&market_err(doc)), ["point"]);
    let mut doc = market_json();
    remove_path(&mut doc, "point.coordinates");
    assert_eq!(fields(&market_err(doc)), ["point.coordinates"]);
    let mut doc = market_json();
    set_path(&mut doc, "point.coordinates", json!(["east", 2.0]));
    assert!(market_err(doc).contains("point.coordinates[0]"));
    // Absent or null: no point.
    assert_eq!(market_with("point", Value::Null).point, None);
}

#[test]
fn other_market_fields_are_checked_with_their_paths() {
    let mut doc = market_json();
    set_path(&mut doc, "event.ids", json!(["ok", "not ok"]));
    set_path(&mut doc, "event.presaleDateTime", json!("soon"));
    set_path(&mut doc, "event.category_ids", json!([1]));
    set_path(&mut doc, "promoterIds", json!(["nope"]));
    set_path(&mut doc, "population", json!(-5));
    assert_eq!(
        field_set(&market_err(doc)),
        set(&[
            "event.ids[1]",
            "event.presaleDateTime",
            "event.category_ids[0]",
            "promoterIds[0]",
            "population",
        ])
    );
}

#[test]
fn event_ids_of_a_market_are_unique() {
    let m = market_with("event.ids", json!(["A", "B", "A", "A", "C", "B"]));
    assert_eq!(
        m.event.ids,
        ["A", "B", "C"].map(|s| EventId::parse(s).unwrap())
    );
}

#[test]
fn presale_outside_the_campaign_window_is_an_invalid_market() {
    let c = full_campaign();
    let start = c.date.presale_window_start.unwrap();
    let end = c.date.presale_window_end.unwrap();
    for outside in [
        start - Duration::milliseconds(1),
        end + Duration::minutes(1),
    ] {
        let m = market_with("event.presaleDateTime", json!(wire(outside)));
        let err = m.check_against(&c).unwrap_err();
        assert_eq!(err.error_type(), "INVALID_MARKET");
        assert_eq!(fields(err.details().unwrap()), ["event.presaleDateTime"]);
    }
    for inside in [start, start + Duration::days(1), end] {
        let m = market_with("event.presaleDateTime", json!(wire(inside)));
        assert_eq!(m.check_against(&c), Ok(()));
    }
    // No presale time, or no window: nothing to check.
    assert!(
        market_with("event.presaleDateTime", Value::Null)
            .check_against(&c)
            .is_ok()
    );
    let mut no_window = c.clone();
    no_window.date.presale_window_start = None;
    no_window.date.presale_window_end = None;
    let early = market_with("event.presaleDateTime", json!(wire(days(-400))));
    assert!(early.check_against(&no_window).is_ok());
}

#[test]
fn a_half_open_presale_window_still_bounds_the_presale() {
    let c = full_campaign();
    let start = c.date.presale_window_start.unwrap();
    let mut from_only = c.clone();
    from_only.date.presale_window_end = None;
    let before = market_with(
        "event.presaleDateTime",
        json!(wire(start - Duration::hours(1))),
    );
    assert_eq!(
        before.check_against(&from_only).unwrap_err().error_type(),
        "INVALID_MARKET"
    );
    let long_after = market_with(
        "event.presaleDateTime",
        json!(wire(start + Duration::days(300))),
    );
    assert!(long_after.check_against(&from_only).is_ok());
    let mut until_only = c.clone();
    until_only.date.presale_window_start = None;
    assert!(before.check_against(&until_only).is_ok());
    assert_eq!(
        long_after
            .check_against(&until_only)
            .unwrap_err()
            .error_type(),
        "INVALID_MARKET"
    );
}

#[test]
fn market_updates_merge_and_ignore_read_only_fields() {
    let mut m = market();
    m.version = 4;
    m.notification.date = Some(days(50));
    let later = now() + Duration::hours(2);
    let updated = m
        .parse_update(
            &json!({
                "id": "ffffffffffffffffffffffff",
                "campaign_id": OTHER_CAMPAIGN_ID,
                "version": 99,
                "date": {"created": "2020-01-01T00:00:00Z"},
                "notification": {"notified": "2020-01-01T00:00:00Z"},
                "city": "Brooklyn",
                "event": {"venue": {"name": "Barclays Center"}, "ids": ["Z9"]},
                "point": null
            }),
            later,
        )
        .unwrap();
    assert_eq!(updated.id, m.id);
    assert_eq!(updated.campaign_id, m.campaign_id);
    assert_eq!(updated.version, 4);
    assert_eq!(updated.notification, m.notification);
    assert_eq!(updated.date.created, now());
    assert_eq!(updated.date.updated, later);
    assert_eq!(updated.city, "Brooklyn");
    assert_eq!(updated.name, m.name);
    assert_eq!(updated.event.venue.name.as_deref(), Some("Barclays Center"));
    assert_eq!(
        updated.event.venue.id, m.event.venue.id,
        "nested objects merge"
    );
    assert_eq!(
        updated.event.ids,
        [EventId::parse("Z9").unwrap()],
        "arrays replace"
    );
    assert_eq!(updated.event.presale_date_time, m.event.presale_date_time);
    assert_eq!(updated.point, None, "null removes");
    assert_eq!(
        MARKET_READ_ONLY_FIELDS,
        ["id", "campaign_id", "version", "date", "notification"]
    );
    let e = m
        .parse_update(&json!({"timezone": null, "state": ""}), later)
        .unwrap_err();
    assert_eq!(field_set(&e), set(&["timezone", "state"]));
    assert_eq!(
        fields(&m.parse_update(&json!(5), later).unwrap_err()),
        ["body"]
    );
}

#[test]
fn read_only_market_fields_are_ignored_on_create() {
    let mut doc = market_json();
    set_path(&mut doc, "id", json!("nope"));
    set_path(&mut doc, "version", json!(9));
    set_path(
        &mut doc,
        "notification",
        json!({"notified": "2020-01-01T00:00:00Z"}),
    );
    set_path(&mut doc, "date", json!({"created": "yesterday"}));
    assert_eq!(
        Market::parse_new(&doc, market_id(), campaign_id(), now()).unwrap(),
        market()
    );
}

// ---------------------------------------------------------------------------------------------
// Promoters
// ---------------------------------------------------------------------------------------------

fn promoter_id() -> PromoterId {
    PromoterId::parse(PROMOTER_ID).unwrap()
}

fn promoter_json() -> Value {
    json!({
        "name": "Live Nation",
        "privacyUrls": [
            {"locale": "en-US", "url": "https://example.com/privacy", "is_default": true},
            {"locale": "fr-CA", "url": "https://example.com/fr/privacy"}
        ]
    })
}

#[test]
fn a_promoter_parses_with_exactly_one_default_privacy_url() {
    let p = Promoter::parse_new(&promoter_json(), promoter_id(), now()).unwrap();
    assert_eq!(p.name, "Live Nation");
    assert_eq!(p.privacy_urls.len(), 2);
    assert!(p.privacy_urls[0].is_default && !p.privacy_urls[1].is_default);
    assert_eq!(p.privacy_urls[1].locale.as_str(), "fr-CA");
    assert_eq!(
        (p.version, p.date.created, p.date.updated),
        (0, now(), now())
    );
    let back: Promoter = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
    assert_eq!(back, p);
}

#[test]
fn a_promoter_needs_exactly_one_default() {
    for (urls, found) in [
        (json!([]), "found 0"),
        (json!([{"locale": "en", "url": "https://a.com"}]), "found 0"),
        (
            json!([{"locale": "en", "url": "https://a.com", "is_default": true},
                   {"locale": "fr", "url": "https://b.com", "is_default": true}]),
            "found 2",
        ),
    ] {
        let e = Promoter::parse_new(
            &json!({"name": "P", "privacyUrls": urls}),
            promoter_id(),
            now(),
        )
        .unwrap_err();
        assert_eq!(fields(&e), ["privacyUrls"]);
        assert!(e.fields()[0].message.contains(found), "{e}");
    }
}

#[test]
fn every_bad_promoter_field_is_reported() {
    let e = Promoter::parse_new(
        &json!({
            "name": "",
            "privacyUrls": [
                {"locale": "english", "url": "https://a.com", "is_default": true},
                {"locale": "fr", "url": "ftp://b.com", "is_default": "yes"},
                {"url": "https://c.com"}
            ]
        }),
        promoter_id(),
        now(),
    )
    .unwrap_err();
    assert_eq!(
        field_set(&e),
        set(&[
            "name",
            "privacyUrls[0].locale",
            "privacyUrls[1].url",
            "privacyUrls[1].is_default",
            "privacyUrls[2].locale",
            "privacyUrls",
        ])
    );
    assert_eq!(
        field_set(&Promoter::parse_new(&json!({}), promoter_id(), now()).unwrap_err()),
        set(&["name", "privacyUrls"])
    );
    assert_eq!(
        fields(&Promoter::parse_new(&json!("x"), promoter_id(), now()).unwrap_err()),
        ["body"]
    );
}

#[test]
fn promoter_updates_merge_and_keep_service_fields() {
    let mut p = Promoter::parse_new(&promoter_json(), promoter_id(), now()).unwrap();
    p.version = 3;
    let later = now() + Duration::days(1);
    let u = p
        .parse_update(
            &json!({"name": "LN", "id": "ffffffffffffffffffffffff", "version": 0}),
            later,
        )
        .unwrap();
    assert_eq!((u.name.as_str(), u.version, &u.id), ("LN", 3, &p.id));
    assert_eq!((u.date.created, u.date.updated), (now(), later));
    assert_eq!(u.privacy_urls, p.privacy_urls);
    let e = p
        .parse_update(&json!({"privacyUrls": null}), later)
        .unwrap_err();
    assert_eq!(fields(&e), ["privacyUrls"]);
}

// ---------------------------------------------------------------------------------------------
// Contacts
// ---------------------------------------------------------------------------------------------

#[test]
fn a_contact_list_parses_with_normalised_keywords() {
    let list = ContactInput::parse_list(&json!([
        {"name": "Ana Smith", "email": "Ana@Example.COM", "role": "manager", "keywords": [" label ", "Tour", "label"]},
        {"id": CONTACT_ID, "name": "Bo", "email": "bo@example.com"}
    ]))
    .unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].id, None);
    assert_eq!(list[0].email.as_str(), "Ana@example.com");
    assert_eq!(list[0].role.as_deref(), Some("manager"));
    assert_eq!(list[0].keywords, ["Tour", "label"]);
    assert_eq!(list[1].id, Some(ContactId::parse(CONTACT_ID).unwrap()));
    assert!(list[1].keywords.is_empty());
    let contact = list[1]
        .clone()
        .into_contact(ContactId::parse(CONTACT_ID).unwrap());
    assert_eq!(contact.name, "Bo");
    assert_eq!(ContactInput::parse_list(&json!([])).unwrap(), []);
}

#[test]
fn contact_errors_carry_the_item_index() {
    let e = ContactInput::parse_list(&json!([
        {"name": "Ok", "email": "ok@example.com"},
        {"name": "Bad", "email": "not-an-email"},
        {"id": "123", "email": "x@example.com", "keywords": ["", 5]},
        "nope"
    ]))
    .unwrap_err();
    assert_eq!(
        field_set(&e),
        set(&[
            "[1].email",
            "[2].id",
            "[2].name",
            "[2].keywords[0]",
            "[2].keywords[1]",
            "[3]",
            "[3].name",
            "[3].email",
        ])
    );
    assert_eq!(
        fields(&ContactInput::parse_list(&json!({"name": "x"})).unwrap_err()),
        ["body"]
    );
    let many: Vec<Value> = (0..101)
        .map(|i| json!({"name": format!("c{i}"), "email": format!("c{i}@example.com")}))
        .collect();
    assert_eq!(
        fields(&ContactInput::parse_list(&Value::Array(many)).unwrap_err()),
        ["body"]
    );
}

#[test]
fn contact_matches_name_email_or_keyword_case_insensitively() {
    let c = Contact {
        id: ContactId::parse(CONTACT_ID).unwrap(),
        name: "Ana Smith".into(),
        email: EmailAddress::parse("Ana.Smith@Label.com").unwrap(),
        role: Some("manager".into()),
        keywords: vec!["Europe Tour".into()],
    };
    for needle in [
        "ana",
        "smith",
        "ana.smith@",
        "label.com",
        "europe",
        "tour",
        "",
    ] {
        assert!(c.matches(needle), "{needle}");
    }
    for needle in ["bob", "manager", "asia", "smith ana"] {
        assert!(!c.matches(needle), "{needle}");
    }
}
