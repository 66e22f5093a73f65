//! Shared fixtures of the domain's integration tests: a complete, valid campaign document, the
//! campaign it parses into, a market, and proptest strategies for campaign documents, campaigns
//! at any point of their lifecycle, and arbitrary JSON.

#![allow(
    dead_code,
    reason = "every test crate compiles this module and uses a different subset of it"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use campaign_domain::Campaign;
use campaign_domain::campaign::CampaignInput;
use campaign_domain::market::Market;
use campaign_domain::status::Status;
use campaign_domain::values::{CampaignId, FaqId, MarketId};
use chrono::{DateTime, Duration, SecondsFormat, TimeZone as _, Utc};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// The instant every scenario test runs at.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

/// An instant `days` days from [`now`] (negative: in the past).
pub fn days(days: i64) -> DateTime<Utc> {
    now() + Duration::days(days)
}

/// The wire form of an instant (RFC 3339 UTC with milliseconds).
pub fn wire(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub const CAMPAIGN_ID: &str = "65a1b2c3d4e5f60718293a4b";
pub const OTHER_CAMPAIGN_ID: &str = "65a1b2c3d4e5f60718293a4c";
pub const CONTACT_ID: &str = "75a1b2c3d4e5f60718293a4b";
pub const MARKET_ID: &str = "85a1b2c3d4e5f60718293a4b";
pub const PROMOTER_ID: &str = "95a1b2c3d4e5f60718293a4b";
pub const FAQ_1: &str = "0b6f1c1e-2f4e-4c1a-9a57-3f2a1d9e8c01";
pub const FAQ_2: &str = "0b6f1c1e-2f4e-4c1a-9a57-3f2a1d9e8c02";
pub const FAQ_3: &str = "0b6f1c1e-2f4e-4c1a-9a57-3f2a1d9e8c03";
pub const SITE: &str = "springtour.example.com";
pub const PREVIEW: &str = "preview-springtour.example.com";
pub const ARTIST: &str = "K8vZ917Gku7";
pub const PASSWORD: &str = "s3cret-Pa55word";

pub fn campaign_id() -> CampaignId {
    CampaignId::parse(CAMPAIGN_ID).unwrap()
}

pub fn market_id() -> MarketId {
    MarketId::parse(MARKET_ID).unwrap()
}

pub fn faq(id: &str) -> FaqId {
    FaqId::parse(id).unwrap()
}

/// The smallest document a DRAFT needs: name, artist id and site domain.
pub fn minimal_draft_json() -> Value {
    json!({
        "name": "Spring Tour Presale",
        "artist": {"id": ARTIST},
        "domain": {"site": SITE}
    })
}

/// A complete campaign document that passes full validation: every field of SPEC §7.1 the
/// client may send, two locales (en-US default, fr-CA), FAQs placed on every page state and
/// present in both locales, open/close and presale window in the future of [`now`].
pub fn full_campaign_json() -> Value {
    json!({
        "type": "registration",
        "status": "DRAFT",
        "name": "Spring Tour Presale",
        "identifier": "spring-tour",
        "artist": {
            "id": ARTIST,
            "name": "The Band",
            "discovery_id": "K8vZ917Gku7",
            "image_url": "https://img.example.com/band.jpg",
            "adpUrl": "https://www.example.com/the-band",
            "fanclubName": "Band Fans"
        },
        "domain": {"site": SITE, "preview": PREVIEW},
        "tour": {"name": "Spring Tour 2026"},
        "options": {"useGenericBranding": false, "showAccessCode": true, "automatedReminders": true},
        "referenceTimezone": "America/New_York",
        "date": {
            "open": "2026-04-01T16:00:00.000Z",
            "close": "2026-04-15T16:00:00.000Z",
            "presaleWindowStart": "2026-04-20T14:00:00.000Z",
            "presaleWindowEnd": "2026-04-25T14:00:00.000Z",
            "sendReminderEmails": ["2026-04-19T14:00:00.000Z"]
        },
        "style": {
            "theme": {"primary": "#1a2b3c", "mix70": "#445566", "mix40": "#778899", "mix20": "#aabbcc"},
            "border": {"primary": "#000000"},
            "pageBackground": {"primary": "#ffffff"},
            "text": {"primary": "#111111", "secondary": "rgb(10, 20, 30)"}
        },
        "image": {
            "main": {"url": "https://img.example.com/main.jpg"},
            "mobile": {"url": "https://img.example.com/mobile.jpg"},
            "secondary": {"url": "https://img.example.com/secondary.jpg"}
        },
        "share": {
            "x": "https://x.com/theband",
            "instagram": "https://instagram.com/theband",
            "facebook": "https://facebook.com/theband",
            "youtube": "https://youtube.com/theband",
            "tiktok": "https://tiktok.com/@theband",
            "artist": {"url": "https://theband.example.com"}
        },
        "content": {
            "en-US": {
                "faqs": {
                    FAQ_1: {"question": "How do I register?", "answer": "Fill in the form."},
                    FAQ_2: {"question": "When is the presale?", "answer": "In April."}
                },
                "terms": "English terms",
                "landing": {"headline": "Sign up now"},
                "confirmation": {"headline": "You are registered"},
                "email": {"subject": "You're in", "template": "presale-confirmation", "from": "The Band <noreply@example.com>"}
            },
            "fr-CA": {
                "faqs": {
                    FAQ_1: {"question": "Comment m'inscrire ?", "answer": "Remplissez le formulaire."},
                    FAQ_2: {"question": "Quand est la prévente ?", "answer": "En avril."}
                },
                "terms": "Conditions en français",
                "landing": {"headline": "Inscrivez-vous"},
                "confirmation": {"headline": "Vous êtes inscrit"},
                "email": {"subject": "C'est fait", "template": "presale-confirmation-fr", "from": "The Band <noreply@example.com>"}
            }
        },
        "faqs": {
            "landing": {"open": [FAQ_1, FAQ_2], "closed": [FAQ_2]},
            "confirmation": {"open": [FAQ_1], "closed": [], "activePresale": [FAQ_2]}
        },
        "preferences": [{
            "id": "marketing_opt_in",
            "type": "checkbox",
            "is_optional": true,
            "additional": {"initial_value": false},
            "label": {"en-US": "Send me news", "fr-CA": "Envoyez-moi des nouvelles"}
        }],
        "locales": [{"id": "en-US", "is_default": true}, {"id": "fr-CA", "is_default": false}],
        "contacts": [CONTACT_ID],
        "eventIds": ["vvG1IZ4bqBkm0Q", "1A005C5E9E4F4A2B"],
        "categoryId": "cat-123",
        "linkedCampaignIds": [OTHER_CAMPAIGN_ID],
        "password": PASSWORD,
        "trackers": [{"type": "ga", "id": "G-12345"}],
        "schema": {"version": 2}
    })
}

/// Parses a create body at [`now`] under [`campaign_id`], panicking with the errors if invalid.
pub fn parse_new(body: &Value) -> CampaignInput {
    CampaignInput::parse_new(body, campaign_id(), now())
        .unwrap_or_else(|e| panic!("fixture should parse: {e}"))
}

/// The complete fixture campaign, as a DRAFT.
pub fn full_campaign() -> Campaign {
    parse_new(&full_campaign_json()).campaign
}

/// The complete fixture campaign in `status` (set directly, as a store would hold it).
pub fn full_campaign_in(status: Status) -> Campaign {
    let mut c = full_campaign();
    c.status = status;
    c
}

/// The field paths of a validation result, in order.
pub fn fields(errors: &campaign_domain::ValidationErrors) -> Vec<String> {
    errors.fields().iter().map(|e| e.field.clone()).collect()
}

/// Sets `value` at a dotted `path` of `doc`, creating objects on the way.
pub fn set_path(doc: &mut Value, path: &str, value: Value) {
    let mut node = doc;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        if !node.is_object() {
            *node = Value::Object(Map::new());
        }
        let obj = node.as_object_mut().unwrap();
        if i + 1 == parts.len() {
            obj.insert((*part).to_owned(), value);
            return;
        }
        node = obj
            .entry((*part).to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

/// Removes the field at a dotted `path` of `doc`, if there.
pub fn remove_path(doc: &mut Value, path: &str) {
    let mut node = doc;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        let Some(obj) = node.as_object_mut() else {
            return;
        };
        if i + 1 == parts.len() {
            obj.remove(*part);
            return;
        }
        match obj.get_mut(*part) {
            Some(next) => node = next,
            None => return,
        }
    }
}

/// A valid market document with a presale time inside the fixture campaign's presale window.
pub fn market_json() -> Value {
    json!({
        "name": "New York",
        "city": "New York",
        "state": "NY",
        "timezone": "America/New_York",
        "point": {"type": "Point", "coordinates": [-73.98, 40.75]},
        "population": 8_000_000,
        "event": {
            "ids": ["vvG1IZ4bqBkm0Q", "G5vYZ9x1abc"],
            "name": "The Band at MSG",
            "date": "2026-05-01T23:00:00.000Z",
            "presaleDateTime": "2026-04-22T14:00:00.000Z",
            "ticketer": "ticketmaster",
            "category_ids": ["cat-1"],
            "venue": {"id": "KovZpZA7AAEA", "name": "Madison Square Garden"},
            "sharedCode": "SPRING"
        },
        "promoterIds": [PROMOTER_ID]
    })
}

/// The fixture market of the fixture campaign.
pub fn market() -> Market {
    Market::parse_new(&market_json(), market_id(), campaign_id(), now())
        .unwrap_or_else(|e| panic!("market fixture should parse: {e}"))
}

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

/// An instant within two years around [`now`], with any sub-second precision (down to the
/// nanosecond), as a client might send it.
pub fn arb_instant() -> impl Strategy<Value = DateTime<Utc>> {
    (-730i64 * 86_400..730 * 86_400, 0u32..1_000_000_000).prop_map(|(secs, nanos)| {
        now() + Duration::seconds(secs) + Duration::nanoseconds(nanos.into())
    })
}

/// An instant in the full RFC 3339 form with all its digits.
pub fn rfc3339_full(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

pub fn arb_status() -> impl Strategy<Value = Status> {
    prop::sample::select(Status::ALL.to_vec())
}

/// A DNS name of two to four labels.
pub fn arb_domain() -> impl Strategy<Value = String> {
    (prop::collection::vec("[a-z0-9]{1,8}", 1..3), "[a-z]{2,5}")
        .prop_map(|(labels, tld)| format!("{}.{tld}", labels.join(".")))
}

/// Paths of the full document whose removal leaves a parsable (possibly incomplete) campaign.
pub const REMOVABLE: [&str; 22] = [
    "type",
    "status",
    "identifier",
    "tour",
    "tour.name",
    "options",
    "referenceTimezone",
    "date",
    "style.theme.primary",
    "style.text",
    "image.main",
    "share",
    "content.fr-CA",
    "content.en-US.faqs",
    "faqs",
    "preferences",
    "locales",
    "contacts",
    "linkedCampaignIds",
    "password",
    "trackers",
    "schema",
];

/// A valid create body: the full document with random names, domains, dates (with any
/// sub-second precision), switches and event ids, and a random subset of optional parts removed
/// (so the campaign may be incomplete).
pub fn arb_campaign_doc() -> impl Strategy<Value = Value> {
    let identity = (
        "[A-Za-z][A-Za-z0-9 ]{0,30}",
        "[A-Za-z0-9]{1,20}",
        arb_domain(),
        any::<bool>(),
        prop::sample::select(vec!["registration", "fanlist"]),
        any::<[bool; 3]>(),
    );
    let dates = (
        prop::option::of(arb_instant()),
        prop::option::of(arb_instant()),
        prop::option::of(arb_instant()),
        prop::option::of(arb_instant()),
        prop::collection::vec(arb_instant(), 0..3),
    );
    let rest = (
        prop::sample::subsequence(REMOVABLE.to_vec(), 0..=6),
        prop::collection::vec("[A-Za-z0-9._-]{1,12}", 0..4),
        prop::option::of("[ -~]{1,40}"),
    );
    (identity, dates, rest).prop_map(
        |(
            (name, artist, site, with_preview, kind, options),
            (open, close, start, end, reminders),
            (removed, event_ids, password),
        )| {
            let mut doc = full_campaign_json();
            set_path(&mut doc, "name", json!(name));
            set_path(&mut doc, "artist.id", json!(artist));
            set_path(&mut doc, "type", json!(kind));
            set_path(&mut doc, "domain.site", json!(site));
            if with_preview {
                set_path(&mut doc, "domain.preview", json!(format!("preview.{site}")));
            } else {
                remove_path(&mut doc, "domain.preview");
            }
            set_path(&mut doc, "options.useGenericBranding", json!(options[0]));
            set_path(&mut doc, "options.showAccessCode", json!(options[1]));
            set_path(&mut doc, "options.automatedReminders", json!(options[2]));
            let date = |d: Option<DateTime<Utc>>| d.map_or(Value::Null, |d| json!(rfc3339_full(d)));
            set_path(&mut doc, "date.open", date(open));
            set_path(&mut doc, "date.close", date(close));
            set_path(&mut doc, "date.presaleWindowStart", date(start));
            set_path(&mut doc, "date.presaleWindowEnd", date(end));
            let reminders: Vec<String> = reminders.into_iter().map(rfc3339_full).collect();
            set_path(&mut doc, "date.sendReminderEmails", json!(reminders));
            set_path(&mut doc, "eventIds", json!(event_ids));
            set_path(&mut doc, "password", json!(password));
            for path in removed {
                remove_path(&mut doc, path);
            }
            doc
        },
    )
}

/// A campaign parsed from [`arb_campaign_doc`] at a random `now` (with any precision).
pub fn arb_parsed_campaign() -> impl Strategy<Value = Campaign> {
    (arb_campaign_doc(), arb_instant()).prop_map(|(doc, at)| {
        CampaignInput::parse_new(&doc, campaign_id(), at)
            .unwrap_or_else(|e| panic!("generated document should parse: {e}\n{doc:#}"))
            .campaign
    })
}

/// A stored campaign at any point of its lifecycle, relative to [`now`]: any status, complete or
/// not, with `date.open`, `date.close` and `date.closed` anywhere from 60 days before to 60
/// days after now (or unset), and the domains a campaign in that status can hold.
pub fn arb_lifecycle_campaign() -> impl Strategy<Value = Campaign> {
    let offset = || prop::option::of(-60i64 * 24 * 60..60 * 24 * 60);
    (
        arb_parsed_campaign(),
        arb_status(),
        offset(),
        offset(),
        offset(),
    )
        .prop_map(|(mut c, status, open, close, closed)| {
            let at = |m: Option<i64>| m.map(|m| now() + Duration::minutes(m));
            c.status = status;
            c.date.open = at(open);
            c.date.close = at(close);
            c.date.closed = if status == Status::Closed {
                Some(at(closed).unwrap_or_else(now))
            } else {
                None
            };
            if status == Status::Inactive {
                c.domain.site = None;
                c.domain.preview = None;
                c.date.inactivated = Some(days(-1));
            }
            c
        })
}

/// Keys the parsers know, so arbitrary documents hit real fields with random values.
pub const REAL_KEYS: [&str; 74] = [
    "id",
    "type",
    "status",
    "name",
    "identifier",
    "artist",
    "discovery_id",
    "image_url",
    "adpUrl",
    "fanclubName",
    "domain",
    "site",
    "preview",
    "tour",
    "options",
    "useGenericBranding",
    "showAccessCode",
    "automatedReminders",
    "referenceTimezone",
    "date",
    "created",
    "updated",
    "open",
    "opened",
    "close",
    "closed",
    "inactivated",
    "presaleWindowStart",
    "presaleWindowEnd",
    "sendReminderEmails",
    "style",
    "theme",
    "primary",
    "secondary",
    "border",
    "pageBackground",
    "text",
    "image",
    "main",
    "mobile",
    "url",
    "share",
    "content",
    "faqs",
    "question",
    "answer",
    "terms",
    "landing",
    "confirmation",
    "activePresale",
    "email",
    "preferences",
    "is_optional",
    "additional",
    "initial_value",
    "label",
    "locales",
    "is_default",
    "contacts",
    "eventIds",
    "categoryId",
    "linkedCampaignIds",
    "password",
    "trackers",
    "schema",
    "version",
    "statusHistory",
    // markets, promoters, contacts
    "city",
    "state",
    "timezone",
    "point",
    "coordinates",
    "event",
    "privacyUrls",
];

/// Strings that are valid values of some field, and near misses.
const INTERESTING_STRINGS: [&str; 24] = [
    "",
    " ",
    "en",
    "en-US",
    "fr_ca",
    "xx-YY-ZZ",
    "#fff",
    "rgb(1,2,3)",
    "https://example.com/a",
    "ftp://example.com",
    "fans.example.com",
    "localhost",
    FAQ_1,
    CAMPAIGN_ID,
    "2026-04-01T16:00:00Z",
    "2026-04-01T16:00:00.123456789+02:00",
    "not a date",
    "America/New_York",
    "DRAFT",
    "OPEN",
    "INACTIVE",
    "Point",
    "a@b.com",
    "registration",
];

fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(REAL_KEYS.to_vec()).prop_map(str::to_owned),
        1 => prop::sample::select(INTERESTING_STRINGS.to_vec()).prop_map(str::to_owned),
        1 => "\\PC{0,12}",
    ]
}

fn arb_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop::sample::select(INTERESTING_STRINGS.to_vec()).prop_map(|s| json!(s)),
        "\\PC{0,40}".prop_map(Value::String),
    ]
}

/// Any JSON value, with objects keyed mostly by the parsers' real keys.
pub fn arb_json() -> impl Strategy<Value = Value> {
    arb_leaf().prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(arb_key(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Dotted paths of the full document to overwrite with random values.
const MUTABLE_PATHS: [&str; 30] = [
    "name",
    "type",
    "status",
    "artist",
    "artist.id",
    "artist.image_url",
    "domain",
    "domain.site",
    "date",
    "date.open",
    "date.sendReminderEmails",
    "style.theme",
    "style.theme.primary",
    "image.main.url",
    "share.artist",
    "content",
    "content.en-US",
    "content.en-US.faqs",
    "faqs.landing.open",
    "faqs.confirmation",
    "preferences",
    "locales",
    "locales.0",
    "contacts",
    "eventIds",
    "linkedCampaignIds",
    "password",
    "trackers",
    "schema.version",
    "options.showAccessCode",
];

/// The full campaign document with some fields replaced by arbitrary JSON.
pub fn arb_mutated_campaign_doc() -> impl Strategy<Value = Value> {
    prop::collection::vec(
        (prop::sample::select(MUTABLE_PATHS.to_vec()), arb_json()),
        1..6,
    )
    .prop_map(|mutations| {
        let mut doc = full_campaign_json();
        for (path, value) in mutations {
            set_path(&mut doc, path, value);
        }
        doc
    })
}
