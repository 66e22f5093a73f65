//! Builders of valid records for the contract suite, made through the domain's own parsers so
//! that what the suite stores is what the service would store.

use std::sync::atomic::{AtomicU32, Ordering};

use campaign_domain::Campaign;
use campaign_domain::campaign::CampaignInput;
use campaign_domain::chrono::{DateTime, Duration, TimeZone, Utc};
use campaign_domain::contact::{Contact, ContactInput};
use campaign_domain::market::Market;
use campaign_domain::messages::{CdnPurge, OutboundEvent, OutboundMessage};
use campaign_domain::promoter::Promoter;
use campaign_domain::serde_json::{Value, json};
use campaign_domain::uuid::Uuid;
use campaign_domain::values::{CampaignId, ContactId, MarketId, PromoterId};

static COUNTER: AtomicU32 = AtomicU32::new(1);

fn next_bytes(tag: u8) -> [u8; 12] {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed).to_be_bytes();
    // A random middle keeps ids unique across test processes sharing one database server.
    let r = Uuid::new_v4().into_bytes();
    [
        tag, r[0], r[1], r[2], r[3], r[4], r[5], r[6], n[0], n[1], n[2], n[3],
    ]
}

/// A fresh campaign id.
pub fn campaign_id() -> CampaignId {
    CampaignId::from_bytes(next_bytes(0xc0))
}

/// A fresh market id.
pub fn market_id() -> MarketId {
    MarketId::from_bytes(next_bytes(0xa0))
}

/// A fresh promoter id.
pub fn promoter_id() -> PromoterId {
    PromoterId::from_bytes(next_bytes(0xb0))
}

/// A fresh contact id.
pub fn contact_id() -> ContactId {
    ContactId::from_bytes(next_bytes(0xd0))
}

/// The instant the suite's scenarios start at: 2026-01-01T00:00:00Z.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("a valid fixed date")
}

/// `t0` plus some hours.
pub fn at_hours(hours: i64) -> DateTime<Utc> {
    t0() + Duration::hours(hours)
}

/// A unique domain under `example.test` whose first label starts with `label`.
pub fn domain(label: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let r = Uuid::new_v4().simple().to_string();
    format!("{label}-{n}-{}.example.test", &r[..8])
}

/// A complete campaign document (valid outside DRAFT) for `site`, merged with `extra`.
pub fn complete_campaign_json(name: &str, site: &str, extra: Value) -> Value {
    let faq = "6f9619ff-8b86-d011-b42d-00cf4fc964ff";
    let mut doc = json!({
        "name": name,
        "identifier": "tour-2026",
        "type": "registration",
        "artist": {"id": "K8vZ917G7x0", "name": "The Band"},
        "domain": {"site": site},
        "tour": {"name": "World Tour"},
        "style": {
            "theme": {"primary": "#112233"},
            "border": {"primary": "#000000"},
            "pageBackground": {"primary": "#ffffff"},
            "text": {"primary": "#101010"}
        },
        "image": {"main": {"url": "https://img.example.test/main.png"}},
        "locales": [{"id": "en-US", "is_default": true}],
        "content": {"en-US": {"faqs": {faq: {"question": "When?", "answer": "Soon."}}, "terms": "Be nice."}},
        "faqs": {"landing": {"open": [faq]}}
    });
    campaign_domain::campaign::merge_patch(&mut doc, &extra);
    doc
}

/// A campaign parsed from `doc`, created at `t0`, with status DRAFT.
pub fn campaign_from(doc: &Value) -> Campaign {
    CampaignInput::parse_new(doc, campaign_id(), t0())
        .expect("fixture campaign is valid")
        .campaign
}

/// A complete DRAFT campaign named `name` on a fresh domain.
pub fn campaign(name: &str) -> Campaign {
    campaign_from(&complete_campaign_json(name, &domain("c"), json!({})))
}

/// A market of `campaign_id` with a name, event ids and an optional presale time.
pub fn market(
    campaign_id: &CampaignId,
    name: &str,
    event_ids: &[&str],
    presale: Option<DateTime<Utc>>,
) -> Market {
    let doc = json!({
        "name": name,
        "city": "Austin",
        "state": "TX",
        "timezone": "America/Chicago",
        "point": {"type": "Point", "coordinates": [-97.74, 30.27]},
        "event": {
            "ids": event_ids,
            "presaleDateTime": presale.map(|p| p.to_rfc3339()),
            "date": at_hours(24 * 60).to_rfc3339()
        }
    });
    Market::parse_new(&doc, market_id(), campaign_id.clone(), t0())
        .expect("fixture market is valid")
}

/// A promoter with one default privacy URL.
pub fn promoter(name: &str) -> Promoter {
    let doc = json!({
        "name": name,
        "privacyUrls": [{"locale": "en-US", "url": "https://promoter.example.test/privacy", "is_default": true}]
    });
    Promoter::parse_new(&doc, promoter_id(), t0()).expect("fixture promoter is valid")
}

/// A contact.
pub fn contact(name: &str, email: &str, keywords: &[&str]) -> Contact {
    let doc = json!([{"name": name, "email": email, "role": "manager", "keywords": keywords}]);
    let input = ContactInput::parse_list(&doc)
        .expect("fixture contact is valid")
        .remove(0);
    input.into_contact(contact_id())
}

/// An outbound event (a CDN purge) ordered under `key`.
pub fn event(key: &str) -> OutboundEvent {
    OutboundEvent {
        event_id: Uuid::new_v4(),
        correlation: Some("contract-test".to_owned()),
        occurred_at: t0(),
        message: OutboundMessage::CdnPurge(CdnPurge {
            surrogate_keys: vec![key.to_owned()],
        }),
    }
}
