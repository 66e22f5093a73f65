//! How many commands (round trips to the server) each write and each relay round sends,
//! counted by the driver's command monitoring on the test server (ADR 0013, "Round trips of a
//! write"). A change that adds a round trip to one of these paths fails here; one that removes
//! one updates the expected list and the ADR's table.

use campaign_adapter_mongo::testing::{self, CommandLog};
use campaign_domain::chrono::TimeDelta;
use campaign_ports::testing::fixtures as fx;
use campaign_ports::{CampaignRepository, MarketRepository, Outbox, StoreError};

/// Asserts the commands sent since the last check, by name and in order.
#[track_caller]
fn sent(log: &CommandLog, expected: &[&str]) {
    assert_eq!(log.take(), expected, "commands sent");
}

#[tokio::test]
async fn a_campaign_insert_is_one_command() {
    let (store, log) = testing::counted_store().await;
    let campaign = fx::campaign("Counted");
    let event = fx::event(campaign.id.as_str());

    CampaignRepository::insert(&store, &campaign, std::slice::from_ref(&event))
        .await
        .unwrap();
    sent(&log, &["insert"]);
}

#[tokio::test]
async fn a_campaign_update_is_one_conditional_update() {
    let (store, log) = testing::counted_store().await;
    let campaign = fx::campaign("Counted");
    let stored = CampaignRepository::insert(&store, &campaign, &[])
        .await
        .unwrap();
    log.take();

    // With events, a field removed (the category) and the hosts kept: still one command.
    let mut changed = stored.clone();
    changed.name = "Counted again".to_owned();
    changed.category_id = None;
    let event = fx::event(campaign.id.as_str());
    let updated = CampaignRepository::update(&store, &changed, 1, std::slice::from_ref(&event))
        .await
        .unwrap();
    assert_eq!(updated.version, 2);
    sent(&log, &["update"]);

    // Refused: the update matches nothing, one read reports the version stored.
    let stale = CampaignRepository::update(&store, &changed, 1, &[]).await;
    assert!(
        matches!(
            stale,
            Err(StoreError::VersionConflict {
                expected: 1,
                current: 2
            })
        ),
        "{stale:?}"
    );
    sent(&log, &["update", "find"]);

    // Gone: the same two, and the read says so.
    let missing = fx::campaign("Missing");
    let gone = CampaignRepository::update(&store, &missing, 1, &[]).await;
    assert!(matches!(gone, Err(StoreError::NotFound)), "{gone:?}");
    sent(&log, &["update", "find"]);
}

#[tokio::test]
async fn a_campaign_update_with_contacts_checks_the_version_before_touching_contacts() {
    let (store, log) = testing::counted_store().await;
    let mut campaign = fx::campaign("Counted");
    let contact = fx::contact("Ann", "ann@example.test", &[]);
    campaign.contacts = vec![contact.id.clone()];
    let stored = CampaignRepository::insert(&store, &campaign, &[])
        .await
        .unwrap();
    log.take();

    // The version check (a projected read), the contacts as they were (for compensation), one
    // upsert per contact, the conditional campaign update.
    let updated = CampaignRepository::update_with_contacts(
        &store,
        &stored,
        1,
        std::slice::from_ref(&contact),
        &[],
    )
    .await
    .unwrap();
    assert_eq!(updated.version, 2);
    sent(&log, &["find", "find", "update", "update"]);

    // A stale version is refused before any contact is read or written.
    let stale = CampaignRepository::update_with_contacts(
        &store,
        &stored,
        1,
        std::slice::from_ref(&contact),
        &[],
    )
    .await;
    assert!(
        matches!(stale, Err(StoreError::VersionConflict { .. })),
        "{stale:?}"
    );
    sent(&log, &["find"]);
}

#[tokio::test]
async fn a_market_insert_and_update_are_one_command_each() {
    let (store, log) = testing::counted_store().await;
    let campaign = fx::campaign("Counted");
    let market = fx::market(&campaign.id, "Austin", &["E1"], None);
    let event = fx::event(campaign.id.as_str());

    let stored = MarketRepository::insert(&store, &market, std::slice::from_ref(&event))
        .await
        .unwrap();
    sent(&log, &["insert"]);

    // Event ids and the point removed: `_eventKeys` and `point` go, still one command.
    let mut changed = stored.clone();
    changed.event.ids.clear();
    changed.point = None;
    let updated = MarketRepository::update(&store, &changed, 1, std::slice::from_ref(&event))
        .await
        .unwrap();
    assert_eq!(updated.version, 2);
    sent(&log, &["update"]);

    let stale = MarketRepository::update(&store, &changed, 1, &[]).await;
    assert!(
        matches!(
            stale,
            Err(StoreError::VersionConflict {
                expected: 1,
                current: 2
            })
        ),
        "{stale:?}"
    );
    sent(&log, &["update", "find"]);

    // A delete reads first: the deleted market is answered, and one that does not decode is
    // refused rather than half deleted.
    MarketRepository::delete(&store, &campaign.id, &market.id, Some(2), &[])
        .await
        .unwrap();
    sent(&log, &["find", "delete"]);
}

#[tokio::test]
async fn an_idle_relay_round_sweeps_and_counts() {
    let (store, log) = testing::counted_store().await;
    let now = fx::t0();

    let claimed = store.claim(now, now + TimeDelta::seconds(60), 10).await;
    assert!(claimed.unwrap().is_empty());
    // Sweep: pending entries in campaigns, then markets; then the pending outbox events.
    sent(&log, &["find", "find", "find"]);

    let stats = store.stats().await.unwrap();
    assert_eq!((stats.pending, stats.failed), (0, 0));
    // Sweep and count; a zero is checked by a second sweep and count (the port's promise:
    // nothing recorded before the call is undelivered, follow-up events included).
    sent(
        &log,
        &["find", "find", "aggregate", "find", "find", "aggregate"],
    );
}

#[tokio::test]
async fn a_relay_round_with_one_pending_campaign_event() {
    let (store, log) = testing::counted_store().await;
    let now = fx::t0();
    let campaign = fx::campaign("Counted");
    let event = fx::event(campaign.id.as_str());
    CampaignRepository::insert(&store, &campaign, std::slice::from_ref(&event))
        .await
        .unwrap();
    log.take();

    let claimed = store
        .claim(now, now + TimeDelta::seconds(60), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    sent(
        &log,
        &[
            // Sweep of campaigns: the document, the sequence numbers, the outbox records, the
            // pull from the document.
            "find",
            "findAndModify",
            "insert",
            "update",
            // Sweep of markets.
            "find",
            // The pending events, then one lease per claimed event.
            "find",
            "findAndModify",
        ],
    );

    store.complete(&[event.event_id]).await.unwrap();
    sent(&log, &["update"]);
}

#[tokio::test]
async fn a_sweep_moves_many_documents_in_a_few_commands() {
    let (store, log) = testing::counted_store().await;
    let now = fx::t0();
    let mut events = Vec::new();
    for name in ["One", "Two", "Three"] {
        let campaign = fx::campaign(name);
        let event = fx::event(campaign.id.as_str());
        CampaignRepository::insert(&store, &campaign, std::slice::from_ref(&event))
            .await
            .unwrap();
        events.push(event);
    }
    // A market deleted with an event: a tombstone, removed once its event is moved.
    let owner = fx::campaign("Owner");
    let market = fx::market(&owner.id, "Austin", &[], None);
    MarketRepository::insert(&store, &market, &[])
        .await
        .unwrap();
    let farewell = fx::event(owner.id.as_str());
    MarketRepository::delete(
        &store,
        &owner.id,
        &market.id,
        None,
        std::slice::from_ref(&farewell),
    )
    .await
    .unwrap();
    events.push(farewell);
    log.take();

    let stats = store.stats().await.unwrap();
    assert_eq!((stats.pending, stats.failed), (4, 0));
    sent(
        &log,
        &[
            // Each collection: its documents with pending entries, one sequence reservation,
            // one insert of all their records, one pull from all of them.
            "find",
            "findAndModify",
            "insert",
            "update",
            "find",
            "findAndModify",
            "insert",
            "update",
            // The drained tombstone goes.
            "delete",
            // Pending and failed, counted together.
            "aggregate",
        ],
    );

    let claimed = store
        .claim(now, now + TimeDelta::seconds(60), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 4);
    // Nothing left to sweep; the pending events, one lease each.
    sent(
        &log,
        &[
            "find",
            "find",
            "find",
            "findAndModify",
            "findAndModify",
            "findAndModify",
            "findAndModify",
        ],
    );
}
