//! Properties of the parsers: they never panic on arbitrary JSON and always explain a refusal
//! (e), and a parsed campaign survives a serde round trip and an empty update unchanged (f).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod common;

use campaign_domain::Campaign;
use campaign_domain::campaign::{CampaignInput, PasswordChange, merge_patch};
use campaign_domain::contact::ContactInput;
use campaign_domain::market::Market;
use campaign_domain::promoter::Promoter;
use campaign_domain::status::Status;
use campaign_domain::values::PromoterId;
use chrono::Duration;
use common::*;
use proptest::prelude::*;
use serde_json::{Value, json};

fn promoter() -> Promoter {
    Promoter::parse_new(
        &json!({"name": "Live Nation", "privacyUrls": [{"locale": "en-US", "url": "https://example.com/privacy", "is_default": true}]}),
        PromoterId::parse(PROMOTER_ID).unwrap(),
        now(),
    )
    .unwrap()
}

/// Feeds `doc` to every parser of the crate; each must return, and a refusal must name at
/// least one field.
fn parse_everything(doc: &Value) -> Result<(), TestCaseError> {
    let existing = full_campaign();
    match CampaignInput::parse_new(doc, campaign_id(), now()) {
        Ok(input) => {
            prop_assert_eq!(&input.campaign.id, &campaign_id());
            prop_assert_eq!(input.campaign.status, Status::Draft);
            prop_assert_eq!(input.campaign.version, 0);
            prop_assert!(input.campaign.status_history.is_empty());
            prop_assert_eq!(input.requested_status == Some(Status::Draft), false);
        }
        Err(e) => prop_assert!(!e.is_empty()),
    }
    match CampaignInput::parse_update(&existing, doc, now()) {
        Ok(input) => {
            prop_assert_eq!(&input.campaign.id, &existing.id);
            prop_assert_eq!(input.campaign.status, existing.status);
            prop_assert_eq!(input.campaign.date.created, existing.date.created);
        }
        Err(e) => prop_assert!(!e.is_empty()),
    }
    match Market::parse_new(doc, market_id(), campaign_id(), now()) {
        Ok(m) => prop_assert_eq!(&m.id, &market_id()),
        Err(e) => prop_assert!(!e.is_empty()),
    }
    match market().parse_update(doc, now()) {
        Ok(m) => prop_assert_eq!(&m.campaign_id, &campaign_id()),
        Err(e) => prop_assert!(!e.is_empty()),
    }
    match Promoter::parse_new(doc, PromoterId::parse(PROMOTER_ID).unwrap(), now()) {
        Ok(p) => prop_assert_eq!(p.privacy_urls.iter().filter(|u| u.is_default).count(), 1),
        Err(e) => prop_assert!(!e.is_empty()),
    }
    match promoter().parse_update(doc, now()) {
        Ok(p) => prop_assert_eq!(p.privacy_urls.iter().filter(|u| u.is_default).count(), 1),
        Err(e) => prop_assert!(!e.is_empty()),
    }
    match ContactInput::parse_list(doc) {
        Ok(list) => prop_assert!(doc.as_array().is_some_and(|a| a.len() == list.len())),
        Err(e) => prop_assert!(!e.is_empty()),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// (e) Validation never panics on arbitrary JSON.
    #[test]
    fn parsers_never_panic_on_arbitrary_json(doc in arb_json()) {
        parse_everything(&doc)?;
    }

    /// (e) Nor on objects of real keys with random values...
    #[test]
    fn parsers_never_panic_on_objects_of_real_keys(
        doc in prop::collection::btree_map(prop::sample::select(REAL_KEYS.to_vec()), arb_json(), 0..12),
    ) {
        let doc = Value::Object(doc.into_iter().map(|(k, v)| (k.to_owned(), v)).collect());
        parse_everything(&doc)?;
    }

    /// (e) ... nor on a complete campaign with random parts replaced ...
    #[test]
    fn parsers_never_panic_on_mutated_campaigns(doc in arb_mutated_campaign_doc()) {
        parse_everything(&doc)?;
    }

    /// (e) ... nor on lists of arbitrary contacts, or market-shaped documents.
    #[test]
    fn parsers_never_panic_on_lists_and_market_shapes(
        items in prop::collection::vec(arb_json(), 0..5),
        mutations in prop::collection::vec(
            (prop::sample::select(vec!["name", "timezone", "point", "point.coordinates", "event",
                "event.ids", "event.presaleDateTime", "event.venue", "promoterIds", "population"]),
             arb_json()),
            1..4),
    ) {
        parse_everything(&Value::Array(items))?;
        let mut doc = market_json();
        for (path, value) in mutations {
            set_path(&mut doc, path, value);
        }
        parse_everything(&doc)?;
    }

    /// (f) A parsed campaign serialised with serde_json and deserialised back is equal.
    #[test]
    fn parsed_campaigns_round_trip_through_serde(c in arb_parsed_campaign()) {
        let text = serde_json::to_string(&c).unwrap();
        let back: Campaign = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&back, &c);
        let value = serde_json::to_value(&c).unwrap();
        let back: Campaign = serde_json::from_value(value).unwrap();
        prop_assert_eq!(back, c);
    }

    /// (f) Re-parsing a campaign's stored form with an empty patch gives the same campaign,
    /// except `date.updated`.
    #[test]
    fn an_empty_update_changes_nothing_but_updated(
        c in arb_lifecycle_campaign(),
        later_ms in 0i64..10_000_000_000,
    ) {
        let later = now() + Duration::milliseconds(later_ms);
        let input = CampaignInput::parse_update(&c, &json!({}), later)
            .unwrap_or_else(|e| panic!("stored campaign should re-parse: {e}"));
        prop_assert_eq!(input.requested_status, None);
        prop_assert_eq!(input.password, PasswordChange::Keep);
        prop_assert_eq!(input.campaign.date.updated, later);
        let mut expected = c.clone();
        expected.date.updated = later;
        prop_assert_eq!(input.campaign, expected);
    }

    /// A create body that is the stored form of a campaign parses to that campaign, apart from
    /// what the service owns.
    #[test]
    fn a_stored_document_sent_back_as_a_create_parses_to_the_same_content(c in arb_parsed_campaign()) {
        let doc = serde_json::to_value(&c).unwrap();
        let again = CampaignInput::parse_new(&doc, c.id.clone(), c.date.created).unwrap();
        let mut expected = c.clone();
        expected.date.updated = c.date.created;
        prop_assert_eq!(again.campaign, expected);
        prop_assert_eq!(again.requested_status, None);
    }

    /// Markets round-trip too, and an empty market patch changes only `date.updated`.
    #[test]
    fn markets_round_trip(lon in -180.0f64..=180.0, lat in -90.0f64..=90.0, presale in prop::option::of(arb_instant())) {
        let mut doc = market_json();
        set_path(&mut doc, "point.coordinates", json!([lon, lat]));
        set_path(&mut doc, "event.presaleDateTime", presale.map_or(Value::Null, |p| json!(rfc3339_full(p))));
        let m = Market::parse_new(&doc, market_id(), campaign_id(), now()).unwrap();
        let back: Market = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        prop_assert_eq!(&back, &m);
        let later = now() + Duration::hours(1);
        let updated = m.parse_update(&json!({}), later).unwrap();
        let mut expected = m.clone();
        expected.date.updated = later;
        prop_assert_eq!(updated, expected);
    }

    /// RFC 7396: applying a patch twice is the same as applying it once.
    #[test]
    fn merge_patch_is_idempotent(target in arb_json(), patch in arb_json()) {
        let mut once = target.clone();
        merge_patch(&mut once, &patch);
        let mut twice = once.clone();
        merge_patch(&mut twice, &patch);
        prop_assert_eq!(once, twice);
    }
}
