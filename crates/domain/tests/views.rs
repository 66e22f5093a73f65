//! Read views of a campaign (SPEC §5, §7.5): locale selection, the resolved FAQ layout and the
//! public view the fan site gets.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod common;

use campaign_domain::Campaign;
use campaign_domain::campaign::{Faq, LocaleSelection, LocaleSetting, PasswordHash};
use campaign_domain::status::{ChangedBy, Status, StatusChange};
use campaign_domain::values::{CampaignId, DomainName, Locale};
use common::*;
use serde_json::{Value, json};

fn locale(s: &str) -> Locale {
    Locale::parse(s).unwrap()
}

fn content_locales(c: &Campaign) -> Vec<String> {
    c.content.keys().map(|l| l.to_string()).collect()
}

/// The fixture with a third, English locale (en-GB) and content for it.
fn with_en_gb() -> Campaign {
    let mut c = full_campaign();
    c.locales.push(LocaleSetting {
        id: locale("en-GB"),
        is_default: false,
    });
    let mut gb = c.content[&locale("en-US")].clone();
    gb.terms = Some("British terms".into());
    c.content.insert(locale("en-GB"), gb);
    c
}

#[test]
fn localized_returns_the_requested_locale_only() {
    let c = full_campaign();
    let fr = c.localized(&LocaleSelection::One(Some(locale("fr-CA"))));
    assert_eq!(content_locales(&fr), ["fr-CA"]);
    assert_eq!(
        fr.content[&locale("fr-CA")].terms.as_deref(),
        Some("Conditions en français")
    );
    // Everything but content is untouched.
    let mut expected = c.clone();
    expected.content.retain(|l, _| l.as_str() == "fr-CA");
    assert_eq!(fr, expected);
}

#[test]
fn localized_falls_back_to_the_default_locale_when_the_requested_one_is_missing() {
    let c = full_campaign();
    for requested in [Some(locale("de-DE")), None] {
        let out = c.localized(&LocaleSelection::One(requested.clone()));
        assert_eq!(content_locales(&out), ["en-US"], "{requested:?}");
    }
    // The default locale is whichever is flagged, not the first one.
    let mut c = full_campaign();
    for l in &mut c.locales {
        l.is_default = l.id.as_str() == "fr-CA";
    }
    let out = c.localized(&LocaleSelection::One(Some(locale("de-DE"))));
    assert_eq!(content_locales(&out), ["fr-CA"]);
}

#[test]
fn localized_prefers_a_locale_of_the_same_language() {
    let c = full_campaign();
    // fr-FR is missing, fr-CA shares the language.
    assert_eq!(
        content_locales(&c.localized(&LocaleSelection::One(Some(locale("fr-FR"))))),
        ["fr-CA"]
    );
    // A bare language finds its regional content, and the reverse.
    assert_eq!(
        content_locales(&c.localized(&LocaleSelection::One(Some(locale("fr"))))),
        ["fr-CA"]
    );
    let mut bare = full_campaign();
    let fr = bare.content.remove(&locale("fr-CA")).unwrap();
    bare.content.insert(locale("fr"), fr);
    assert_eq!(
        content_locales(&bare.localized(&LocaleSelection::One(Some(locale("fr-CA"))))),
        ["fr"]
    );
    // With several candidates of the language, the default locale wins.
    let c = with_en_gb();
    assert_eq!(
        c.resolve_locale(Some(&locale("en-AU"))),
        Some(&locale("en-US"))
    );
    assert_eq!(
        c.resolve_locale(Some(&locale("en-GB"))),
        Some(&locale("en-GB"))
    );
}

#[test]
fn localized_all_keeps_every_locale() {
    let c = with_en_gb();
    let all = c.localized(&LocaleSelection::All);
    assert_eq!(all, c);
    assert_eq!(content_locales(&all), ["en-GB", "en-US", "fr-CA"]);
}

#[test]
fn a_campaign_without_locales_keeps_its_content() {
    let mut c = parse_new(&minimal_draft_json()).campaign;
    c.content.insert(locale("es"), Default::default());
    let out = c.localized(&LocaleSelection::One(Some(locale("de"))));
    assert_eq!(content_locales(&out), ["es"]);
}

#[test]
fn localized_yields_no_content_when_nothing_matches_and_the_default_has_none() {
    let mut c = full_campaign();
    c.content.remove(&locale("en-US"));
    let out = c.localized(&LocaleSelection::One(Some(locale("de-DE"))));
    assert!(out.content.is_empty());
    assert_eq!(c.resolve_locale(None), None);
}

#[test]
fn faq_layout_resolves_ids_for_the_locale() {
    let c = full_campaign();
    let layout = c.faq_layout(Some(&locale("fr-CA")));
    let ids = |entries: &[campaign_domain::campaign::FaqEntry]| {
        entries.iter().map(|e| e.id.to_string()).collect::<Vec<_>>()
    };
    assert_eq!(ids(&layout.landing.open), [FAQ_1, FAQ_2]);
    assert_eq!(ids(&layout.landing.closed), [FAQ_2]);
    assert_eq!(ids(&layout.confirmation.open), [FAQ_1]);
    assert!(layout.confirmation.closed.is_empty());
    assert_eq!(ids(&layout.confirmation.active_presale), [FAQ_2]);
    assert_eq!(layout.landing.open[0].question, "Comment m'inscrire ?");
    assert_eq!(layout.landing.open[0].answer, "Remplissez le formulaire.");
    let json = serde_json::to_value(&layout).unwrap();
    assert_eq!(
        json["confirmation"]["activePresale"][0],
        json!({"id": FAQ_2, "question": "Quand est la prévente ?", "answer": "En avril."})
    );
    assert_eq!(json["landing"].as_object().unwrap().len(), 2);
}

#[test]
fn faq_layout_falls_back_to_the_default_locale_per_entry() {
    let mut c = full_campaign();
    c.content
        .get_mut(&locale("fr-CA"))
        .unwrap()
        .faqs
        .remove(&faq(FAQ_2));
    let layout = c.faq_layout(Some(&locale("fr-CA")));
    assert_eq!(layout.landing.open[0].question, "Comment m'inscrire ?");
    assert_eq!(layout.landing.open[1].question, "When is the presale?");
    // An unknown locale, or none, reads the default locale.
    for l in [Some(locale("de-DE")), None] {
        let layout = c.faq_layout(l.as_ref());
        assert_eq!(layout.landing.open[0].question, "How do I register?");
    }
}

#[test]
fn faq_layout_drops_unknown_ids() {
    let mut c = full_campaign();
    c.faqs.landing.open.insert(0, faq(FAQ_3));
    c.faqs.confirmation.closed.push(faq(FAQ_3));
    // Known only in fr-CA: found there, dropped for en-US (the default has no fallback).
    c.content.get_mut(&locale("fr-CA")).unwrap().faqs.insert(
        faq(FAQ_3),
        Faq {
            question: "Q3".into(),
            answer: "A3".into(),
        },
    );
    let en = c.faq_layout(Some(&locale("en-US")));
    assert_eq!(en.landing.open.len(), 2);
    assert!(en.confirmation.closed.is_empty());
    assert_eq!(en.landing.open[0].id, faq(FAQ_1));
    let fr = c.faq_layout(Some(&locale("fr-CA")));
    assert_eq!(fr.landing.open.len(), 3);
    assert_eq!(fr.landing.open[0].question, "Q3");
}

#[test]
fn the_public_view_leaves_out_everything_internal() {
    let mut c = full_campaign_in(Status::Open);
    c.password = Some(PasswordHash::from_hash("$argon2id$hash"));
    c.version = 12;
    c.linked_campaign_ids = vec![CampaignId::parse(OTHER_CAMPAIGN_ID).unwrap()];
    c.status_history.push(StatusChange {
        status: Status::Open,
        date: now(),
        by: ChangedBy::User("user-1".into()),
    });
    c.date.opened = Some(now());
    let public = serde_json::to_value(c.public_view()).unwrap();
    let obj = public.as_object().unwrap();
    for hidden in [
        "contacts",
        "password",
        "statusHistory",
        "linkedCampaignIds",
        "version",
        "schema",
    ] {
        assert!(!obj.contains_key(hidden), "{hidden} must not be public");
    }
    assert_eq!(
        public["options"],
        json!({"useGenericBranding": false, "showAccessCode": true})
    );
    let text = public.to_string();
    for leak in [
        "automatedReminders",
        "$argon2id",
        "user-1",
        OTHER_CAMPAIGN_ID,
        CONTACT_ID,
    ] {
        assert!(!text.contains(leak), "{leak} leaked into {text}");
    }
    // What the fan site needs is there, in wire form.
    assert_eq!(public["id"], json!(CAMPAIGN_ID));
    assert_eq!(public["status"], json!("OPEN"));
    assert_eq!(public["type"], json!("registration"));
    assert_eq!(public["domain"]["site"], json!(SITE));
    assert_eq!(public["date"]["opened"], json!(wire(now())));
    assert_eq!(public["date"]["open"], json!("2026-04-01T16:00:00.000Z"));
    assert!(public["date"].get("created").is_none());
    assert!(public["date"].get("updated").is_none());
    assert_eq!(public["referenceTimezone"], json!("America/New_York"));
    assert_eq!(public["eventIds"].as_array().unwrap().len(), 2);
    assert_eq!(
        public["content"]["fr-CA"]["terms"],
        json!("Conditions en français")
    );
    assert_eq!(
        public["faqs"]["confirmation"]["activePresale"],
        json!([FAQ_2])
    );
    assert_eq!(
        public["style"]["pageBackground"]["primary"],
        json!("#ffffff")
    );
    assert_eq!(public["trackers"], json!([{"type": "ga", "id": "G-12345"}]));
}

#[test]
fn a_localized_public_view_holds_one_locale() {
    let c = full_campaign().localized(&LocaleSelection::One(Some(locale("fr-CA"))));
    let public = serde_json::to_value(c.public_view()).unwrap();
    assert_eq!(
        public["content"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["fr-CA"]
    );
}

#[test]
fn a_campaign_answers_to_its_site_and_to_its_preview_domain_only_in_preview() {
    let site = DomainName::parse(SITE).unwrap();
    let preview = DomainName::parse(PREVIEW).unwrap();
    let c = full_campaign_in(Status::Preview);
    assert!(c.answers_to(&site) && c.answers_to(&preview));
    let c = full_campaign_in(Status::Open);
    assert!(c.answers_to(&site) && !c.answers_to(&preview));
    assert!(!c.answers_to(&DomainName::parse("other.example.com").unwrap()));
    assert_eq!(c.surrogate_keys(), [CAMPAIGN_ID, SITE, PREVIEW]);
    let v: Value = serde_json::to_value(c.public_view()).unwrap();
    assert!(v.get("password").is_none());
}
