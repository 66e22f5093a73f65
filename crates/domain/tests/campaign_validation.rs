//! Campaign parsing (`CampaignInput::parse_new` / `parse_update`) and full validation
//! (`completeness_errors`, `check_complete`, `check_business_rules`, `check_for_status`,
//! `check_manual_transition`, `transition_to`), against SPEC §4, §7.1 and §7.2.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod common;

use std::collections::BTreeSet;

use campaign_domain::DomainError;
use campaign_domain::campaign::{
    CampaignInput, CampaignType, PasswordChange, PasswordHash, READ_ONLY_FIELDS,
};
use campaign_domain::status::{ChangedBy, Status, StatusChange, TransitionKind};
use campaign_domain::values::{
    ArtistId, CampaignId, ContactId, CssColor, DomainName, EventId, HttpUrl, Locale,
};
use chrono::Duration;
use common::*;
use serde_json::json;

fn field_set(errors: &campaign_domain::ValidationErrors) -> BTreeSet<String> {
    fields(errors).into_iter().collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn parse_err(body: serde_json::Value) -> campaign_domain::ValidationErrors {
    CampaignInput::parse_new(&body, campaign_id(), now()).unwrap_err()
}

fn update(existing: &campaign_domain::Campaign, patch: serde_json::Value) -> CampaignInput {
    CampaignInput::parse_update(existing, &patch, now() + Duration::hours(1))
        .unwrap_or_else(|e| panic!("patch should apply: {e}"))
}

fn locale(s: &str) -> Locale {
    Locale::parse(s).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Parsing a create
// ---------------------------------------------------------------------------------------------

#[test]
fn minimal_draft_parses_with_service_owned_defaults() {
    let input = parse_new(&minimal_draft_json());
    let c = &input.campaign;
    assert_eq!(c.id, campaign_id());
    assert_eq!(c.status, Status::Draft);
    assert_eq!(c.kind, CampaignType::Registration);
    assert_eq!(c.name, "Spring Tour Presale");
    assert_eq!(c.artist.id, ArtistId::parse(ARTIST).unwrap());
    assert_eq!(c.domain.site, Some(DomainName::parse(SITE).unwrap()));
    assert_eq!(c.domain.preview, None);
    assert_eq!(c.version, 0);
    assert!(c.status_history.is_empty());
    assert_eq!((c.date.created, c.date.updated), (now(), now()));
    assert_eq!(c.date.open, None);
    assert!(c.locales.is_empty() && c.content.is_empty());
    assert_eq!(input.requested_status, None);
    assert_eq!(input.password, PasswordChange::Keep);
    // A DRAFT may be stored incomplete, but it is not complete.
    assert!(c.check_for_status(Status::Draft).is_ok());
    assert!(!c.completeness_errors().is_empty());
}

#[test]
fn full_document_parses_every_field() {
    let input = parse_new(&full_campaign_json());
    let c = &input.campaign;
    assert_eq!(c.identifier.as_deref(), Some("spring-tour"));
    assert_eq!(c.artist.name.as_deref(), Some("The Band"));
    assert_eq!(
        c.artist.image_url,
        Some(HttpUrl::parse("https://img.example.com/band.jpg").unwrap())
    );
    assert_eq!(c.artist.fanclub_name.as_deref(), Some("Band Fans"));
    assert_eq!(c.domain.preview, Some(DomainName::parse(PREVIEW).unwrap()));
    assert_eq!(c.tour.name.as_deref(), Some("Spring Tour 2026"));
    assert!(c.options.show_access_code && c.options.automated_reminders);
    assert!(!c.options.use_generic_branding);
    assert_eq!(
        c.reference_timezone.as_ref().map(|t| t.as_str()),
        Some("America/New_York")
    );
    assert_eq!(c.date.open, Some(days(31) + Duration::hours(4)));
    assert_eq!(c.date.send_reminder_emails.len(), 1);
    assert_eq!(
        c.style.text.secondary,
        Some(CssColor::parse("rgb(10, 20, 30)").unwrap())
    );
    assert!(c.image.main.url.is_some() && c.share.artist.url.is_some());
    assert_eq!(
        c.content.keys().cloned().collect::<Vec<_>>(),
        [locale("en-US"), locale("fr-CA")]
    );
    let fr = &c.content[&locale("fr-CA")];
    assert_eq!(fr.faqs[&faq(FAQ_1)].answer, "Remplissez le formulaire.");
    assert_eq!(fr.landing["headline"], json!("Inscrivez-vous"));
    assert_eq!(
        fr.email.template.as_deref(),
        Some("presale-confirmation-fr")
    );
    assert_eq!(c.faqs.landing.open, [faq(FAQ_1), faq(FAQ_2)]);
    assert_eq!(c.faqs.confirmation.active_presale, [faq(FAQ_2)]);
    assert_eq!(
        c.preferences[0].label[&locale("fr-CA")],
        "Envoyez-moi des nouvelles"
    );
    assert_eq!(
        c.preferences[0].additional.initial_value,
        Some(json!(false))
    );
    assert_eq!(c.default_locale(), Some(&locale("en-US")));
    assert_eq!(c.contacts, [ContactId::parse(CONTACT_ID).unwrap()]);
    assert_eq!(c.event_ids.len(), 2);
    assert_eq!(c.category_id.as_ref().map(|x| x.as_str()), Some("cat-123"));
    assert_eq!(
        c.linked_campaign_ids,
        [CampaignId::parse(OTHER_CAMPAIGN_ID).unwrap()]
    );
    assert_eq!(c.trackers[0].kind, "ga");
    assert_eq!(c.schema.version, Some(2));
    assert_eq!(input.password, PasswordChange::Set(PASSWORD.into()));
    // The hash is the application's business: parsing never stores the plain text.
    assert_eq!(c.password, None);
    assert!(
        c.completeness_errors().is_empty(),
        "{}",
        c.completeness_errors()
    );
    assert!(c.check_for_status(Status::Preview).is_ok());
}

#[test]
fn every_failing_field_is_reported_with_its_exact_path() {
    let mut doc = full_campaign_json();
    set_path(&mut doc, "type", json!("concert"));
    set_path(&mut doc, "status", json!("ACTIVE"));
    set_path(&mut doc, "domain.site", json!("not a domain"));
    set_path(
        &mut doc,
        "locales",
        json!([{"id": "en-US", "is_default": true}, {"id": "english"}]),
    );
    set_path(&mut doc, "style.theme.primary", json!("red"));
    set_path(&mut doc, "image.main.url", json!("/relative.jpg"));
    set_path(
        &mut doc,
        "artist.image_url",
        json!("ftp://img.example.com/a.jpg"),
    );
    set_path(&mut doc, "date.open", json!("tomorrow"));
    set_path(
        &mut doc,
        "date.sendReminderEmails",
        json!(["2026-04-19T14:00:00Z", 5]),
    );
    set_path(&mut doc, "content.english", json!({"terms": "x"}));
    set_path(&mut doc, "content.en-USA", json!({"terms": "x"}));
    set_path(
        &mut doc,
        "content.en-US.faqs.nope",
        json!({"question": "q", "answer": "a"}),
    );
    set_path(
        &mut doc,
        "content.fr-CA.faqs",
        json!({FAQ_1: {"question": "q"}}),
    );
    set_path(&mut doc, "faqs.landing.open", json!(["not-a-uuid", FAQ_1]));
    set_path(&mut doc, "referenceTimezone", json!("Mars/Olympus"));
    set_path(&mut doc, "eventIds", json!(["ok-1", "has space"]));
    set_path(&mut doc, "contacts", json!(["123"]));
    set_path(&mut doc, "options.showAccessCode", json!("yes"));
    set_path(&mut doc, "preferences", json!([{"id": "p1"}]));
    set_path(&mut doc, "trackers", json!([{"type": "ga"}]));
    set_path(&mut doc, "share.x", json!("x.com/theband"));
    set_path(&mut doc, "schema.version", json!(-1));
    set_path(&mut doc, "linkedCampaignIds", json!([CAMPAIGN_ID]));
    set_path(&mut doc, "password", json!(""));

    let errors = parse_err(doc);
    assert_eq!(
        field_set(&errors),
        set(&[
            "type",
            "status",
            "domain.site",
            "locales[1].id",
            "style.theme.primary",
            "image.main.url",
            "artist.image_url",
            "date.open",
            "date.sendReminderEmails[1]",
            "content.english",
            "content.en-USA",
            "content.en-US.faqs.nope",
            &format!("content.fr-CA.faqs.{FAQ_1}.answer"),
            "faqs.landing.open[0]",
            "referenceTimezone",
            "eventIds[1]",
            "contacts[0]",
            "options.showAccessCode",
            "preferences[0].type",
            "trackers[0].id",
            "share.x",
            "schema.version",
            "linkedCampaignIds",
            "password",
        ])
    );
    // Each field is reported once, and every message is meant for a client.
    assert_eq!(errors.len(), field_set(&errors).len());
    assert!(errors.fields().iter().all(|e| !e.message.is_empty()));
}

#[test]
fn type_mismatches_are_reported_per_field() {
    let errors = parse_err(json!({
        "name": 5,
        "artist": {"id": 7},
        "domain": {"site": true},
        "identifier": [],
        "tour": "Spring",
        "options": {"useGenericBranding": "no"},
        "locales": {},
        "eventIds": "E1",
        "date": {"open": 12},
        "content": []
    }));
    assert_eq!(
        field_set(&errors),
        set(&[
            "name",
            "artist.id",
            "domain.site",
            "identifier",
            "tour",
            "options.useGenericBranding",
            "locales",
            "eventIds",
            "date.open",
            "content",
        ])
    );
    let message = |f: &str| {
        errors
            .fields()
            .iter()
            .find(|e| e.field == f)
            .map(|e| e.message.clone())
            .unwrap()
    };
    assert_eq!(message("name"), "must be a string");
    assert_eq!(message("tour"), "must be an object");
    assert_eq!(message("locales"), "must be an array");
    assert_eq!(
        message("options.useGenericBranding"),
        "must be true or false"
    );
}

#[test]
fn an_empty_document_reports_every_required_field() {
    assert_eq!(
        field_set(&parse_err(json!({}))),
        set(&["name", "artist.id", "domain.site"])
    );
    let blank =
        parse_err(json!({"name": "   ", "artist": {"id": ARTIST}, "domain": {"site": SITE}}));
    assert_eq!(fields(&blank), ["name"]);
}

#[test]
fn a_body_that_is_not_an_object_is_refused() {
    for body in [json!([]), json!("campaign"), json!(null), json!(1)] {
        assert_eq!(fields(&parse_err(body.clone())), ["body"]);
        let existing = full_campaign();
        let e = CampaignInput::parse_update(&existing, &body, now()).unwrap_err();
        assert_eq!(fields(&e), ["body"]);
    }
}

#[test]
fn read_only_fields_sent_on_create_are_ignored() {
    let mut doc = full_campaign_json();
    set_path(&mut doc, "id", json!(OTHER_CAMPAIGN_ID));
    set_path(&mut doc, "version", json!(99));
    set_path(
        &mut doc,
        "statusHistory",
        json!([{"status": "OPEN", "date": "2020-01-01T00:00:00.000Z", "by": "mallory"}]),
    );
    for f in ["created", "updated", "opened", "closed", "inactivated"] {
        set_path(
            &mut doc,
            &format!("date.{f}"),
            json!("2020-01-01T00:00:00.000Z"),
        );
    }
    let c = parse_new(&doc).campaign;
    assert_eq!(c, full_campaign());
    assert_eq!(c.id, campaign_id());
    assert_eq!(c.version, 0);
    assert!(c.status_history.is_empty());
    assert_eq!((c.date.created, c.date.updated), (now(), now()));
    assert_eq!(
        (c.date.opened, c.date.closed, c.date.inactivated),
        (None, None, None)
    );
    // Even malformed values of read-only fields are ignored, not reported.
    let mut doc = minimal_draft_json();
    set_path(&mut doc, "id", json!(5));
    set_path(&mut doc, "date.created", json!("yesterday"));
    set_path(&mut doc, "statusHistory", json!("x"));
    assert!(CampaignInput::parse_new(&doc, campaign_id(), now()).is_ok());
    assert_eq!(
        READ_ONLY_FIELDS,
        [
            "id",
            "version",
            "statusHistory",
            "date.created",
            "date.updated",
            "date.opened",
            "date.closed",
            "date.inactivated"
        ]
    );
}

#[test]
fn read_only_fields_sent_on_update_keep_their_stored_values() {
    let mut existing = full_campaign_in(Status::Closed);
    existing.version = 7;
    existing.date.opened = Some(days(-10));
    existing.date.closed = Some(days(-2));
    existing.status_history = vec![StatusChange {
        status: Status::Closed,
        date: days(-2),
        by: ChangedBy::System,
    }];
    let input = update(
        &existing,
        json!({
            "id": OTHER_CAMPAIGN_ID,
            "version": 1,
            "statusHistory": [],
            "date": {"created": "2020-01-01T00:00:00Z", "updated": "2020-01-01T00:00:00Z",
                     "opened": null, "closed": "2020-01-01T00:00:00Z", "inactivated": "2020-01-01T00:00:00Z"},
            "name": "Renamed"
        }),
    );
    let c = input.campaign;
    assert_eq!(c.name, "Renamed");
    assert_eq!(c.id, existing.id);
    assert_eq!(c.version, 7);
    assert_eq!(c.status_history, existing.status_history);
    assert_eq!(c.date.created, existing.date.created);
    assert_eq!(c.date.updated, now() + Duration::hours(1));
    assert_eq!(c.date.opened, Some(days(-10)));
    assert_eq!(c.date.closed, Some(days(-2)));
    assert_eq!(c.date.inactivated, None);
    assert_eq!(c.status, Status::Closed);
}

#[test]
fn requested_status_is_captured_only_when_it_differs_from_the_current_one() {
    let mut doc = minimal_draft_json();
    for (sent, expected) in [
        (json!("PREVIEW"), Some(Status::Preview)),
        (json!("open"), Some(Status::Open)),
        (json!("DRAFT"), None),
        (json!("draft"), None),
        (json!(null), None),
    ] {
        set_path(&mut doc, "status", sent.clone());
        let input = parse_new(&doc);
        assert_eq!(input.requested_status, expected, "status {sent}");
        // The status itself only changes through a transition.
        assert_eq!(input.campaign.status, Status::Draft);
    }
    let open = full_campaign_in(Status::Open);
    assert_eq!(
        update(&open, json!({"status": "OPEN"})).requested_status,
        None
    );
    assert_eq!(update(&open, json!({})).requested_status, None);
    let to_closed = update(&open, json!({"status": "CLOSED"}));
    assert_eq!(to_closed.requested_status, Some(Status::Closed));
    assert_eq!(to_closed.campaign.status, Status::Open);
}

#[test]
fn password_string_sets_null_clears_and_absence_keeps() {
    let mut doc = minimal_draft_json();
    assert_eq!(parse_new(&doc).password, PasswordChange::Keep);
    set_path(&mut doc, "password", json!("hunter2"));
    assert_eq!(
        parse_new(&doc).password,
        PasswordChange::Set("hunter2".into())
    );
    set_path(&mut doc, "password", json!(null));
    assert_eq!(parse_new(&doc).password, PasswordChange::Clear);

    let mut existing = full_campaign();
    existing.password = Some(PasswordHash::from_hash("$argon2id$stored"));
    let keep = update(&existing, json!({"name": "x"}));
    assert_eq!(keep.password, PasswordChange::Keep);
    assert_eq!(keep.campaign.password, existing.password);
    assert_eq!(
        update(&existing, json!({"password": "new-one"})).password,
        PasswordChange::Set("new-one".into())
    );
    assert_eq!(
        update(&existing, json!({"password": null})).password,
        PasswordChange::Clear
    );

    for bad in [json!(""), json!(5), json!("x".repeat(129)), json!({"p": 1})] {
        let mut doc = minimal_draft_json();
        set_path(&mut doc, "password", bad);
        assert_eq!(fields(&parse_err(doc)), ["password"]);
    }
    set_path(&mut doc, "password", json!("é".repeat(128)));
    assert!(matches!(parse_new(&doc).password, PasswordChange::Set(_)));
}

#[test]
fn the_password_never_appears_in_serialized_or_debug_output() {
    let input = parse_new(&full_campaign_json());
    let mut c = input.campaign.clone();
    c.password = Some(PasswordHash::from_hash("$argon2id$secret-hash"));
    let stored = serde_json::to_string(&c).unwrap();
    let public = serde_json::to_string(&c.public_view()).unwrap();
    let debug = format!("{input:?} {c:?}");
    for text in [&stored, &public, &debug] {
        assert!(!text.contains(PASSWORD), "plain password leaked: {text}");
        assert!(!text.contains("secret-hash"), "hash leaked: {text}");
    }
    assert!(!stored.contains("\"password\""));
    assert!(!public.contains("\"password\""));
    // A stored document never brings a password back in.
    let back: campaign_domain::Campaign = serde_json::from_str(&stored).unwrap();
    assert_eq!(back.password, None);
}

// ---------------------------------------------------------------------------------------------
// Updates are merge patches
// ---------------------------------------------------------------------------------------------

#[test]
fn update_null_removes_a_field() {
    let existing = full_campaign();
    let c = update(
        &existing,
        json!({
            "identifier": null,
            "tour": {"name": null},
            "share": {"x": null},
            "domain": {"preview": null},
            "date": {"open": null},
            "content": {"fr-CA": null},
            "categoryId": null
        }),
    )
    .campaign;
    assert_eq!(c.identifier, None);
    assert_eq!(c.tour.name, None);
    assert_eq!(c.share.x, None);
    assert!(c.share.instagram.is_some());
    assert_eq!(c.domain.preview, None);
    assert_eq!(c.domain.site, existing.domain.site);
    assert_eq!(c.date.open, None);
    assert_eq!(c.date.close, existing.date.close);
    assert!(!c.content.contains_key(&locale("fr-CA")));
    assert!(c.content.contains_key(&locale("en-US")));
    assert_eq!(c.category_id, None);
}

#[test]
fn update_merges_nested_objects() {
    let existing = full_campaign();
    let c = update(
        &existing,
        json!({
            "style": {"theme": {"primary": "#ABCDEF"}},
            "artist": {"name": "The New Band"},
            "content": {"en-US": {"terms": "New terms"}}
        }),
    )
    .campaign;
    assert_eq!(
        c.style.theme.primary,
        Some(CssColor::parse("#abcdef").unwrap())
    );
    assert_eq!(c.style.theme.mix70, existing.style.theme.mix70);
    assert_eq!(c.style.border, existing.style.border);
    assert_eq!(c.artist.name.as_deref(), Some("The New Band"));
    assert_eq!(c.artist.id, existing.artist.id);
    assert_eq!(c.artist.image_url, existing.artist.image_url);
    let en = &c.content[&locale("en-US")];
    assert_eq!(en.terms.as_deref(), Some("New terms"));
    assert_eq!(en.faqs, existing.content[&locale("en-US")].faqs);
    assert_eq!(c.date.created, existing.date.created);
    assert_eq!(c.date.updated, now() + Duration::hours(1));
}

#[test]
fn update_replaces_arrays() {
    let existing = full_campaign();
    let c = update(
        &existing,
        json!({
            "eventIds": ["X1"],
            "locales": [{"id": "en-US", "is_default": true}],
            "faqs": {"landing": {"open": [FAQ_2]}}
        }),
    )
    .campaign;
    assert_eq!(c.event_ids, [EventId::parse("X1").unwrap()]);
    assert_eq!(c.locales.len(), 1);
    assert_eq!(c.faqs.landing.open, [faq(FAQ_2)]);
    // Siblings of the replaced array are kept (the object merged).
    assert_eq!(c.faqs.landing.closed, existing.faqs.landing.closed);
    // fr-CA content is now orphaned: parsing accepts it, full validation reports it.
    assert_eq!(fields(&c.completeness_errors()), ["content.fr-CA"]);
    let emptied = update(&existing, json!({"eventIds": []})).campaign;
    assert!(emptied.event_ids.is_empty());
}

#[test]
fn an_invalid_patch_reports_its_fields_and_keeps_nothing() {
    let existing = full_campaign();
    let e = CampaignInput::parse_update(
        &existing,
        &json!({"domain": {"site": "bad domain"}, "artist": {"id": null}, "style": {"text": {"primary": "blue"}}}),
        now(),
    )
    .unwrap_err();
    assert_eq!(
        field_set(&e),
        set(&["domain.site", "artist.id", "style.text.primary"])
    );
}

#[test]
fn domain_site_is_required_except_for_inactive() {
    let mut doc = minimal_draft_json();
    remove_path(&mut doc, "domain");
    let e = parse_err(doc);
    assert_eq!(fields(&e), ["domain.site"]);
    assert_eq!(e.fields()[0].message, "is required");

    for status in [Status::Draft, Status::Preview, Status::Open, Status::Closed] {
        let existing = full_campaign_in(status);
        let e = CampaignInput::parse_update(&existing, &json!({"domain": {"site": null}}), now())
            .unwrap_err();
        assert_eq!(fields(&e), ["domain.site"], "{status}");
    }

    let mut inactive = full_campaign_in(Status::Inactive);
    inactive.domain.site = None;
    inactive.domain.preview = None;
    let c = update(&inactive, json!({"name": "Archived tour"})).campaign;
    assert_eq!(c.name, "Archived tour");
    assert_eq!(c.domain.site, None);
    assert!(update(&inactive, json!({})).campaign.domain.site.is_none());
}

#[test]
fn an_inactive_campaign_cannot_be_given_a_domain_again() {
    let mut inactive = full_campaign_in(Status::Inactive);
    inactive.domain.site = None;
    inactive.domain.preview = None;
    let e = CampaignInput::parse_update(&inactive, &json!({"domain": {"site": SITE}}), now())
        .unwrap_err();
    assert_eq!(fields(&e), ["domain.site"]);
    let e = CampaignInput::parse_update(&inactive, &json!({"domain": {"preview": PREVIEW}}), now())
        .unwrap_err();
    assert_eq!(fields(&e), ["domain.preview"]);
}

#[test]
fn domain_names_are_normalised_and_preview_must_differ_from_site() {
    let mut doc = minimal_draft_json();
    set_path(&mut doc, "domain.site", json!("SpringTour.Example.com."));
    assert_eq!(parse_new(&doc).campaign.domain.site.unwrap().as_str(), SITE);
    set_path(&mut doc, "domain.preview", json!(SITE.to_uppercase()));
    assert_eq!(fields(&parse_err(doc)), ["domain.preview"]);
}

#[test]
fn locales_need_exactly_one_default_when_present() {
    let with = |locales: serde_json::Value| {
        let mut doc = minimal_draft_json();
        set_path(&mut doc, "locales", locales);
        CampaignInput::parse_new(&doc, campaign_id(), now())
    };
    assert!(with(json!([])).is_ok());
    assert!(with(json!([{"id": "en", "is_default": true}, {"id": "fr"}])).is_ok());
    for (locales, found) in [
        (
            json!([{"id": "en"}, {"id": "fr", "is_default": false}]),
            "found 0",
        ),
        (
            json!([{"id": "en", "is_default": true}, {"id": "fr", "is_default": true}]),
            "found 2",
        ),
    ] {
        let e = with(locales).unwrap_err();
        assert_eq!(fields(&e), ["locales"]);
        assert!(e.fields()[0].message.contains(found), "{e}");
    }
}

#[test]
fn duplicate_locales_are_reported_at_their_own_index() {
    let mut doc = minimal_draft_json();
    set_path(
        &mut doc,
        "locales",
        json!([{"id": "en-US", "is_default": true}, {"id": "fr-CA"}, {"id": "en-us"}]),
    );
    assert_eq!(fields(&parse_err(doc.clone())), ["locales[2].id"]);
    // An invalid entry before the duplicate must not shift the reported index.
    set_path(
        &mut doc,
        "locales",
        json!([{"id": "english"}, {"id": "en", "is_default": true}, {"id": "EN"}]),
    );
    assert_eq!(
        field_set(&parse_err(doc)),
        set(&["locales[0].id", "locales[2].id"])
    );
}

#[test]
fn two_spellings_of_one_locale_or_faq_id_are_reported_not_merged() {
    let mut doc = minimal_draft_json();
    set_path(&mut doc, "content.en-US.terms", json!("first"));
    set_path(&mut doc, "content.en-us.terms", json!("second"));
    set_path(
        &mut doc,
        &format!("content.fr.faqs.{FAQ_1}"),
        json!({"question": "q", "answer": "a"}),
    );
    set_path(
        &mut doc,
        &format!("content.fr.faqs.{}", FAQ_1.to_uppercase()),
        json!({"question": "Q", "answer": "A"}),
    );
    set_path(
        &mut doc,
        "preferences",
        json!([{"id": "p", "type": "checkbox", "label": {"fr_CA": "un", "fr-CA": "deux"}}]),
    );
    let e = parse_err(doc);
    assert_eq!(e.len(), 3, "{e}");
    // Which spelling counts as the second depends on key order; the path names it exactly.
    let fields = fields(&e);
    assert!(
        fields
            .iter()
            .any(|f| f == "content.en-US" || f == "content.en-us"),
        "{e}"
    );
    assert!(
        fields
            .iter()
            .any(|f| f.starts_with("content.fr.faqs.") && f[16..].eq_ignore_ascii_case(FAQ_1))
    );
    assert!(
        fields
            .iter()
            .any(|f| f == "preferences[0].label.fr_CA" || f == "preferences[0].label.fr-CA")
    );
    assert!(e.fields().iter().all(|f| f.message.contains("same")));
}

#[test]
fn id_lists_drop_duplicates_and_refuse_a_link_to_itself() {
    let mut doc = minimal_draft_json();
    set_path(&mut doc, "eventIds", json!(["E1", "E2", "E1", "E2", "E3"]));
    set_path(
        &mut doc,
        "contacts",
        json!([CONTACT_ID, CONTACT_ID.to_uppercase()]),
    );
    let c = parse_new(&doc).campaign;
    assert_eq!(
        c.event_ids.iter().map(|e| e.as_str()).collect::<Vec<_>>(),
        ["E1", "E2", "E3"]
    );
    assert_eq!(c.contacts.len(), 1);
    set_path(
        &mut doc,
        "linkedCampaignIds",
        json!([OTHER_CAMPAIGN_ID, CAMPAIGN_ID]),
    );
    assert_eq!(fields(&parse_err(doc.clone())), ["linkedCampaignIds"]);
    // SPEC §4.1: at most 100 entries; exactly 100 is fine.
    set_path(&mut doc, "linkedCampaignIds", json!([]));
    let hundred: Vec<String> = (0..100).map(|i| format!("E{i}")).collect();
    set_path(&mut doc, "eventIds", json!(hundred));
    let parsed = CampaignInput::parse_new(&doc, campaign_id(), now()).unwrap();
    assert_eq!(parsed.campaign.event_ids.len(), 100);
    let too_many: Vec<String> = (0..101).map(|i| format!("E{i}")).collect();
    set_path(&mut doc, "eventIds", json!(too_many));
    assert_eq!(fields(&parse_err(doc)), ["eventIds"]);
}

#[test]
fn preference_ids_are_unique() {
    let mut doc = minimal_draft_json();
    set_path(
        &mut doc,
        "preferences",
        json!([{"id": "a", "type": "checkbox"}, {"id": "a", "type": "checkbox", "label": {"english": "x", "en": 5}}]),
    );
    assert_eq!(
        field_set(&parse_err(doc)),
        set(&[
            "preferences[1].id",
            "preferences[1].label.english",
            "preferences[1].label.en"
        ])
    );
}

#[test]
fn text_lengths_are_bounded() {
    let mut doc = minimal_draft_json();
    set_path(&mut doc, "name", json!("n".repeat(201)));
    set_path(&mut doc, "identifier", json!("i".repeat(201)));
    set_path(&mut doc, "content.en.terms", json!("t".repeat(100_001)));
    assert_eq!(
        field_set(&parse_err(doc.clone())),
        set(&["name", "identifier", "content.en.terms"])
    );
    set_path(&mut doc, "name", json!("ñ".repeat(200)));
    set_path(&mut doc, "identifier", json!("i".repeat(200)));
    set_path(&mut doc, "content.en.terms", json!("t".repeat(100_000)));
    assert!(CampaignInput::parse_new(&doc, campaign_id(), now()).is_ok());
}

#[test]
fn dates_are_read_in_any_offset_and_kept_in_utc() {
    let mut doc = minimal_draft_json();
    set_path(&mut doc, "date.open", json!("2026-04-01T18:00:00+02:00"));
    assert_eq!(
        parse_new(&doc).campaign.date.open,
        Some(days(31) + Duration::hours(4))
    );
}

#[test]
fn client_dates_are_kept_at_the_wire_precision_of_milliseconds() {
    let mut doc = minimal_draft_json();
    set_path(
        &mut doc,
        "date.open",
        json!("2026-04-01T16:00:00.123456789Z"),
    );
    let c = CampaignInput::parse_new(
        &doc,
        campaign_id(),
        now() + Duration::nanoseconds(987_654_321),
    )
    .unwrap()
    .campaign;
    assert_eq!(
        c.date.open,
        Some(days(31) + Duration::hours(4) + Duration::milliseconds(123))
    );
    assert_eq!(c.date.created, now() + Duration::milliseconds(987));
    assert_eq!(c.date.created, c.date.updated);
}

// ---------------------------------------------------------------------------------------------
// Full validation
// ---------------------------------------------------------------------------------------------

#[test]
fn completeness_lists_every_missing_field_of_a_minimal_draft() {
    let c = parse_new(&minimal_draft_json()).campaign;
    assert_eq!(
        fields(&c.completeness_errors()),
        [
            "tour.name",
            "identifier",
            "style.theme.primary",
            "style.border.primary",
            "style.pageBackground.primary",
            "style.text.primary",
            "image.main.url",
            "locales",
        ]
    );
    let err = c.check_complete().unwrap_err();
    assert_eq!(err.error_type(), "VALIDATION_ERROR");
    assert_eq!(err.details().unwrap().len(), 8);
}

#[test]
fn completeness_of_the_full_campaign_is_empty() {
    let c = full_campaign();
    assert!(c.completeness_errors().is_empty());
    assert_eq!(c.check_complete(), Ok(()));
}

#[test]
fn blank_identifier_or_tour_name_counts_as_missing() {
    let mut c = full_campaign();
    c.identifier = Some("  ".into());
    c.tour.name = Some(String::new());
    assert_eq!(
        fields(&c.completeness_errors()),
        ["tour.name", "identifier"]
    );
}

#[test]
fn locales_need_exactly_one_default_outside_draft() {
    let mut c = full_campaign();
    for l in &mut c.locales {
        l.is_default = false;
    }
    assert_eq!(fields(&c.completeness_errors()), ["locales"]);
    for l in &mut c.locales {
        l.is_default = true;
    }
    assert_eq!(fields(&c.completeness_errors()), ["locales"]);
}

#[test]
fn placed_faq_ids_must_exist_in_every_locale() {
    let mut c = full_campaign();
    c.content
        .get_mut(&locale("fr-CA"))
        .unwrap()
        .faqs
        .remove(&faq(FAQ_2));
    let e = c.completeness_errors();
    assert_eq!(
        fields(&e),
        [
            "faqs.landing.open[1]",
            "faqs.landing.closed[0]",
            "faqs.confirmation.activePresale[0]",
        ]
    );
    assert!(
        e.fields()
            .iter()
            .all(|f| f.message.contains("content.fr-CA.faqs") && f.message.contains(FAQ_2))
    );

    // An id in no locale at all is reported once per locale.
    let mut c = full_campaign();
    c.faqs.confirmation.closed.push(faq(FAQ_3));
    let e = c.completeness_errors();
    assert_eq!(
        fields(&e),
        ["faqs.confirmation.closed[0]", "faqs.confirmation.closed[0]"]
    );
    assert!(e.fields()[0].message.contains("content.en-US.faqs"));
    assert!(e.fields()[1].message.contains("content.fr-CA.faqs"));

    // A locale without any content misses every placed FAQ.
    let mut c = full_campaign();
    c.content.remove(&locale("fr-CA"));
    assert_eq!(c.completeness_errors().len(), 5);
}

#[test]
fn content_of_a_locale_the_campaign_does_not_have_is_reported() {
    let mut c = full_campaign();
    let en = c.content[&locale("en-US")].clone();
    c.content.insert(locale("de-DE"), en);
    assert_eq!(fields(&c.completeness_errors()), ["content.de-DE"]);
}

#[test]
fn close_must_be_after_open() {
    let mut c = full_campaign();
    for close in [
        c.date.open.unwrap(),
        c.date.open.unwrap() - Duration::minutes(1),
    ] {
        c.date.close = Some(close);
        let err = c.check_business_rules().unwrap_err();
        assert_eq!(err.error_type(), "INVALID_CAMPAIGN");
        assert_eq!(fields(err.details().unwrap()), ["date.close"]);
    }
    c.date.close = Some(c.date.open.unwrap() + Duration::milliseconds(1));
    assert!(c.check_business_rules().is_ok());
    c.date.open = None;
    c.date.close = Some(days(-100));
    assert!(c.check_business_rules().is_ok(), "close alone is fine");
}

#[test]
fn presale_window_end_must_be_after_start() {
    let mut c = full_campaign();
    c.date.presale_window_end = c.date.presale_window_start;
    let err = c.check_business_rules().unwrap_err();
    assert_eq!(err.error_type(), "INVALID_CAMPAIGN");
    assert_eq!(fields(err.details().unwrap()), ["date.presaleWindowEnd"]);
    // Both rules failing are both reported.
    c.date.close = Some(c.date.open.unwrap() - Duration::days(1));
    let err = c.check_business_rules().unwrap_err();
    assert_eq!(
        fields(err.details().unwrap()),
        ["date.close", "date.presaleWindowEnd"]
    );
    c.date.presale_window_start = None;
    c.date.close = None;
    assert!(c.check_business_rules().is_ok());
}

#[test]
fn check_for_status_applies_completeness_outside_draft_and_business_rules_always() {
    let mut draft = parse_new(&minimal_draft_json()).campaign;
    assert!(draft.check_for_status(Status::Draft).is_ok());
    for status in [
        Status::Preview,
        Status::Open,
        Status::Closed,
        Status::Inactive,
    ] {
        assert_eq!(
            draft.check_for_status(status).unwrap_err().error_type(),
            "VALIDATION_ERROR",
            "{status}"
        );
    }
    draft.date.open = Some(days(2));
    draft.date.close = Some(days(1));
    assert_eq!(
        draft
            .check_for_status(Status::Draft)
            .unwrap_err()
            .error_type(),
        "INVALID_CAMPAIGN"
    );
    let mut full = full_campaign();
    assert!(full.check_for_status(Status::Open).is_ok());
    full.date.close = full.date.open;
    assert_eq!(
        full.check_for_status(Status::Open)
            .unwrap_err()
            .error_type(),
        "INVALID_CAMPAIGN"
    );
}

// ---------------------------------------------------------------------------------------------
// Manual transitions (SPEC §7.2)
// ---------------------------------------------------------------------------------------------

#[test]
fn manual_transitions_are_exactly_those_of_the_spec() {
    use Status::*;
    let allowed = [
        (Draft, Preview),
        (Preview, Draft),
        (Draft, Open),
        (Preview, Open),
        (Open, Closed),
        (Closed, Open),
    ];
    for from in Status::ALL {
        for to in Status::ALL {
            let c = full_campaign_in(from);
            let result = c.check_manual_transition(to);
            if allowed.contains(&(from, to)) {
                assert_eq!(result, Ok(()), "{from} -> {to} should be allowed");
            } else {
                assert_eq!(
                    result,
                    Err(DomainError::InvalidStatusTransition { from, to }),
                    "{from} -> {to} should be refused"
                );
            }
        }
    }
}

#[test]
fn reopening_needs_the_domain_to_be_still_held() {
    let mut closed = full_campaign_in(Status::Closed);
    assert!(closed.check_manual_transition(Status::Open).is_ok());
    closed.domain.site = None;
    let err = closed.check_manual_transition(Status::Open).unwrap_err();
    assert_eq!(err.error_type(), "INVALID_STATUS_TRANSITION");
    assert_eq!(
        err,
        DomainError::InvalidStatusTransition {
            from: Status::Closed,
            to: Status::Open
        }
    );
}

#[test]
fn leaving_draft_needs_a_complete_campaign() {
    let draft = parse_new(&minimal_draft_json()).campaign;
    for to in [Status::Preview, Status::Open] {
        let err = draft.check_manual_transition(to).unwrap_err();
        assert_eq!(err.error_type(), "VALIDATION_ERROR", "{to}");
        assert!(err.details().unwrap().contains("image.main.url"));
    }
    // Going back to DRAFT never needs completeness.
    let mut preview = draft.clone();
    preview.status = Status::Preview;
    assert!(preview.check_manual_transition(Status::Draft).is_ok());
}

#[test]
fn nothing_leaves_inactive_by_hand() {
    let mut c = full_campaign_in(Status::Inactive);
    c.domain.site = None;
    for to in Status::ALL {
        assert_eq!(
            c.check_manual_transition(to).unwrap_err().error_type(),
            "INVALID_STATUS_TRANSITION"
        );
    }
}

#[test]
fn transition_to_checks_the_edges_of_its_kind() {
    let at = now();
    let closed = full_campaign_in(Status::Closed);
    let t = closed
        .transition_to(
            Status::Inactive,
            TransitionKind::Automatic,
            ChangedBy::System,
            at,
        )
        .unwrap();
    assert_eq!(
        (t.from, t.to, t.at, t.by),
        (Status::Closed, Status::Inactive, at, ChangedBy::System)
    );
    assert!(
        closed
            .transition_to(
                Status::Inactive,
                TransitionKind::Manual,
                ChangedBy::User("u".into()),
                at
            )
            .is_err()
    );
    let by = ChangedBy::User("user-1".into());
    let t = closed
        .transition_to(Status::Open, TransitionKind::Manual, by.clone(), at)
        .unwrap();
    assert_eq!(t.by, by);
    assert_eq!(
        closed.transition_to(
            Status::Open,
            TransitionKind::Automatic,
            ChangedBy::System,
            at
        ),
        Err(DomainError::InvalidStatusTransition {
            from: Status::Closed,
            to: Status::Open
        })
    );
    let draft = full_campaign();
    assert!(
        draft
            .transition_to(
                Status::Preview,
                TransitionKind::Automatic,
                ChangedBy::System,
                at
            )
            .is_err()
    );
}
