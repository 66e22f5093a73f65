//! The stored documents on the test server: what the adapter writes is the documented shape
//! (read back raw through the driver), and a document that does not decode — written here
//! directly through the driver, as a hand edit or another version could leave it — reads as
//! `StoreError::Internal`, while a server that does not answer stays `Unavailable`.

use std::time::Duration;

use campaign_adapter_mongo::{MongoSettings, MongoStore, testing};
use campaign_domain::campaign::PasswordHash;
use campaign_domain::event::EventStatus;
use campaign_domain::paging::PageRequest;
use campaign_domain::permission::ReadScope;
use campaign_domain::values::{CategoryId, DomainName, EventId, TimeZone};
use campaign_ports::testing::fixtures as fx;
use campaign_ports::{
    CampaignQuery, CampaignRepository, ContactRepository, EventRepository, IdempotencyClaim,
    IdempotencyKey, IdempotencyStore, MarketRepository, PromoterRepository, StoreError,
};
use mongodb::bson::oid::ObjectId;
use mongodb::bson::{Bson, Document, doc};
use mongodb::{Collection, Database};

/// A fresh store, and its database through a driver client of the test's own.
async fn store_and_database() -> (MongoStore, Database) {
    let store = testing::fresh_store().await;
    let client = mongodb::Client::with_uri_str(testing::uri())
        .await
        .unwrap_or_else(|e| panic!("the test MongoDB URI does not parse: {e}"));
    let database = client.database(store.database_name());
    (store, database)
}

fn collection(db: &Database, name: &str) -> Collection<Document> {
    db.collection(name)
}

/// Asserts that `result` is `StoreError::Internal`, not `Unavailable`.
#[track_caller]
fn assert_internal<T: std::fmt::Debug>(result: Result<T, StoreError>) {
    match result {
        Err(StoreError::Internal { context, source }) => {
            assert!(context.starts_with("decode"), "{context}: {source}");
        }
        other => panic!("expected StoreError::Internal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_campaign_is_stored_with_bson_dates_its_password_hash_and_pending_events() {
    let (store, db) = store_and_database().await;
    let mut campaign = fx::campaign("Stored");
    campaign.password = Some(PasswordHash::from_hash(
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aA",
    ));
    campaign.date.open = Some(fx::at_hours(3));
    let event = fx::event(campaign.id.as_str());
    let stored = CampaignRepository::insert(&store, &campaign, std::slice::from_ref(&event))
        .await
        .unwrap();

    let raw = collection(&db, "campaigns")
        .find_one(doc! {})
        .await
        .unwrap()
        .expect("the campaign is stored");
    assert_eq!(
        raw.get("_id"),
        Some(&Bson::ObjectId(
            ObjectId::parse_str(campaign.id.as_str()).unwrap()
        ))
    );
    assert_eq!(raw.get("version"), Some(&Bson::Int64(1)));
    assert_eq!(
        raw.get_str("passwordHash").unwrap(),
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aA"
    );
    let dates = raw.get_document("date").unwrap();
    assert!(matches!(dates.get("created"), Some(Bson::DateTime(_))));
    assert!(matches!(dates.get("open"), Some(Bson::DateTime(_))));
    assert!(raw.get("_statusRank").is_some() && raw.get("_hosts").is_some());
    let outbox = raw.get_array("_outbox").unwrap();
    assert_eq!(
        outbox[0].as_document().unwrap().get_str("eventId").unwrap(),
        event.event_id.hyphenated().to_string()
    );

    let read = CampaignRepository::find_by_id(&store, &campaign.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read, stored);
    assert_eq!(read.password, campaign.password);
}

#[tokio::test]
async fn an_update_unsets_the_optional_fields_the_record_no_longer_has_and_keeps_pending_events() {
    let (store, db) = store_and_database().await;
    let campaigns = collection(&db, "campaigns");
    let mut campaign = fx::campaign("Unset");
    campaign.identifier = Some("unset-1".to_owned());
    campaign.reference_timezone = Some(TimeZone::parse("Europe/Berlin").unwrap());
    campaign.category_id = Some(CategoryId::parse("cat-1").unwrap());
    campaign.password = Some(PasswordHash::from_hash(
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aA",
    ));
    let first = fx::event(campaign.id.as_str());
    let stored = CampaignRepository::insert(&store, &campaign, std::slice::from_ref(&first))
        .await
        .unwrap();
    let id = doc! {"_id": ObjectId::parse_str(campaign.id.as_str()).unwrap()};
    let raw = campaigns.find_one(id.clone()).await.unwrap().unwrap();
    let optional = [
        "identifier",
        "referenceTimezone",
        "categoryId",
        "passwordHash",
        "_hosts",
    ];
    for field in optional {
        assert!(raw.contains_key(field), "{field} written: {raw}");
    }

    // Everything optional removed (the site too, so no hosts): one update, and none of it stays.
    let mut bare = stored.clone();
    bare.identifier = None;
    bare.reference_timezone = None;
    bare.category_id = None;
    bare.password = None;
    bare.domain.site = None;
    let second = fx::event(campaign.id.as_str());
    let updated = CampaignRepository::update(&store, &bare, 1, std::slice::from_ref(&second))
        .await
        .unwrap();
    let raw = campaigns.find_one(id).await.unwrap().unwrap();
    for field in optional {
        assert!(!raw.contains_key(field), "{field} unset: {raw}");
    }
    assert!(!raw.get_document("domain").unwrap().contains_key("site"));
    let pending: Vec<&str> = raw
        .get_array("_outbox")
        .unwrap()
        .iter()
        .filter_map(|e| e.as_document()?.get_str("eventId").ok())
        .collect();
    let expected = [first.event_id.to_string(), second.event_id.to_string()];
    assert_eq!(pending, expected, "the unswept event is kept");
    let back = CampaignRepository::find_by_id(&store, &campaign.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back, updated);
    assert_eq!(back.version, 2);
    // The site is free again.
    assert_eq!(
        CampaignRepository::find_by_domain(&store, campaign.domain.site.as_ref().unwrap())
            .await
            .unwrap(),
        None
    );

    // A market's optional fields the same way.
    let markets = collection(&db, "markets");
    let mut market = fx::market(&campaign.id, "Austin", &["E1"], None);
    market.population = Some(950_000);
    let stored = MarketRepository::insert(&store, &market, &[])
        .await
        .unwrap();
    let mut bare = stored.clone();
    bare.point = None;
    bare.population = None;
    bare.event.ids.clear();
    MarketRepository::update(&store, &bare, 1, &[])
        .await
        .unwrap();
    let raw = markets
        .find_one(doc! {"_id": ObjectId::parse_str(market.id.as_str()).unwrap()})
        .await
        .unwrap()
        .unwrap();
    for field in ["point", "population", "_eventKeys"] {
        assert!(!raw.contains_key(field), "{field} unset: {raw}");
    }
    let back = MarketRepository::find(&store, &campaign.id, &market.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((back.point, back.population, back.version), (None, None, 2));
}

#[tokio::test]
async fn an_undecodable_campaign_reads_as_an_internal_error() {
    let (store, db) = store_and_database().await;
    let good = fx::campaign("Good");
    CampaignRepository::insert(&store, &good, &[])
        .await
        .unwrap();
    let site = DomainName::parse("broken.example.test").unwrap();
    let id = ObjectId::new();
    // Another version's status, and a date as text.
    collection(&db, "campaigns")
        .insert_one(doc! {
            "_id": id,
            "type": "registration",
            "status": "ARCHIVED",
            "name": "Broken",
            "artist": {"id": "K8vZ917G7x0"},
            "domain": {"site": site.as_str()},
            "date": {"created": "2026-01-01T00:00:00.000Z", "updated": "2026-01-01T00:00:00.000Z"},
            "version": 1_i64,
        })
        .await
        .unwrap();
    let broken = campaign_domain::values::CampaignId::parse(&id.to_hex()).unwrap();

    assert_internal(CampaignRepository::find_by_id(&store, &broken).await);
    assert_internal(CampaignRepository::find_by_ids(&store, &[good.id.clone(), broken]).await);
    assert_internal(store.find_by_domain(&site).await);
    assert_internal(CampaignRepository::list(&store, &CampaignQuery::all(ReadScope::All)).await);
    // The good one still reads.
    assert!(
        CampaignRepository::find_by_id(&store, &good.id)
            .await
            .unwrap()
            .is_some()
    );

    testing::make_campaign_undecodable(&store, &good.id).await;
    assert_internal(CampaignRepository::find_by_id(&store, &good.id).await);
}

#[tokio::test]
async fn undecodable_markets_promoters_contacts_and_events_read_as_internal_errors() {
    let (store, db) = store_and_database().await;
    let campaign = fx::campaign_id();
    let market = fx::market(&campaign, "Austin", &["E1"], None);
    MarketRepository::insert(&store, &market, &[])
        .await
        .unwrap();
    collection(&db, "markets")
        .update_one(
            doc! {"_id": ObjectId::parse_str(market.id.as_str()).unwrap()},
            doc! {"$unset": {"date": ""}},
        )
        .await
        .unwrap();
    assert_internal(MarketRepository::find(&store, &campaign, &market.id).await);
    assert_internal(store.list_by_campaign(&campaign).await);
    assert_internal(MarketRepository::delete(&store, &campaign, &market.id, None, &[]).await);
    assert!(
        collection(&db, "markets")
            .find_one(doc! {})
            .await
            .unwrap()
            .is_some(),
        "an undecodable market is refused, not deleted"
    );

    let promoter = fx::promoter("Promoter");
    PromoterRepository::insert(&store, &promoter).await.unwrap();
    collection(&db, "promoters")
        .update_one(doc! {}, doc! {"$set": {"version": "one"}})
        .await
        .unwrap();
    assert_internal(PromoterRepository::find_by_id(&store, &promoter.id).await);
    assert_internal(PromoterRepository::list(&store, PageRequest::default()).await);

    let contact = fx::contact("Ana", "ana@example.test", &[]);
    store.upsert(std::slice::from_ref(&contact)).await.unwrap();
    collection(&db, "contacts")
        .update_one(doc! {}, doc! {"$set": {"email": "not an e-mail"}})
        .await
        .unwrap();
    assert_internal(ContactRepository::find_by_ids(&store, &[contact.id]).await);

    let event = EventId::parse("E1").unwrap();
    store.set_status(&event, EventStatus::Onsale).await.unwrap();
    collection(&db, "events")
        .update_one(doc! {"_id": "E1"}, doc! {"$set": {"date": "tomorrow"}})
        .await
        .unwrap();
    assert_internal(EventRepository::find(&store, &event).await);
}

#[tokio::test]
async fn an_undecodable_idempotency_record_is_an_internal_error() {
    let (store, db) = store_and_database().await;
    let key = IdempotencyKey {
        user_id: "user-1".to_owned(),
        key: "key-1".to_owned(),
        method: "POST".to_owned(),
        path: "/campaigns".to_owned(),
    };
    collection(&db, "idempotency_keys")
        .insert_one(doc! {"_id": key.storage_id(), "state": "paused"})
        .await
        .unwrap();
    let claim = IdempotencyClaim("claim-1".to_owned());
    let begun = store
        .begin(&key, "fp", &claim, fx::t0(), Duration::from_secs(30))
        .await;
    match begun {
        Err(StoreError::Internal { context, .. }) => {
            assert!(context.contains("idempotency record"), "{context}");
        }
        other => panic!("expected StoreError::Internal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_server_that_does_not_answer_is_still_unavailable() {
    // Nothing listens on a port the OS just handed out and took back.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let settings = MongoSettings::new(
        format!("mongodb://127.0.0.1:{port}/?serverSelectionTimeoutMS=300"),
        testing::unique_database(),
    );
    let store = MongoStore::client(&settings).await.unwrap();
    assert!(matches!(
        CampaignRepository::find_by_id(&store, &fx::campaign_id()).await,
        Err(StoreError::Unavailable(_))
    ));
}
