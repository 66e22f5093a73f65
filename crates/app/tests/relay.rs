//! The outbox relay against memory adapters: delivery per destination, retries with backoff,
//! giving up, per-campaign order, and the artist file rebuilt at delivery.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod common;

use std::sync::Arc;
use std::time::Duration;

use campaign_adapter_memory::{
    ManualClock, MemoryCache, RecordingArtistStore, RecordingCdn, RecordingQueue, RecordingStream,
};
use campaign_app::campaigns::CampaignService;
use campaign_app::relay::{OutboxRelay, RelaySettings};
use campaign_app::{PasswordHasher, Ports, Publishers, RequestContext, Settings};
use campaign_domain::chrono::{TimeDelta, TimeZone, Utc};
use campaign_domain::messages::OutboundMessage;
use campaign_domain::permission::Actor;
use campaign_domain::serde_json::json;
use campaign_ports::{Clock as _, OutboxState};

struct World {
    clock: Arc<ManualClock>,
    ports: Ports,
    stream: Arc<RecordingStream>,
    pipeline: Arc<RecordingQueue>,
    cdn: Arc<RecordingCdn>,
    artist: Arc<RecordingArtistStore>,
    campaigns: CampaignService,
    relay: OutboxRelay,
}

fn world(settings: RelaySettings) -> World {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap(),
    ));
    let ports = common::memory_ports(
        clock.clone(),
        Arc::new(MemoryCache::new(clock.clone())),
        None,
    );
    let (stream, pipeline, cdn, artist) = (
        Arc::new(RecordingStream::default()),
        Arc::new(RecordingQueue::default()),
        Arc::new(RecordingCdn::default()),
        Arc::new(RecordingArtistStore::default()),
    );
    let publishers = Publishers {
        stream: stream.clone(),
        data_pipeline: pipeline.clone(),
        refresh_selections: Arc::new(RecordingQueue::default()),
        cdn: cdn.clone(),
        artist_extension: artist.clone(),
    };
    let campaigns = CampaignService::new(
        ports.clone(),
        &Settings::default(),
        PasswordHasher::new(1024, 1),
    );
    let relay = OutboxRelay::new(ports.clone(), publishers, settings, campaigns.clone());
    World {
        clock,
        ports,
        stream,
        pipeline,
        cdn,
        artist,
        campaigns,
        relay,
    }
}

fn admin() -> RequestContext {
    RequestContext::new(Actor::supreme("admin"), "corr-1")
}

async fn create(w: &World, name: &str, site: &str) -> campaign_domain::Campaign {
    let body = json!({"name": name, "artist": {"id": "artist-1"}, "domain": {"site": site}});
    w.campaigns.create(&admin(), &body).await.unwrap()
}

#[tokio::test]
async fn a_create_is_delivered_to_every_destination_once() {
    let w = world(RelaySettings::default());
    let c = create(&w, "A", "a.example.test").await;
    let report = w.relay.deliver_once().await.unwrap();
    assert_eq!((report.delivered, report.retried, report.failed), (4, 0, 0));
    assert_eq!(w.ports.outbox.stats().await.unwrap().pending, 0);
    let stream = w.stream.sent();
    assert_eq!(stream.len(), 1);
    assert_eq!(stream[0].correlation.as_deref(), Some("corr-1"));
    assert!(
        matches!(&stream[0].message, OutboundMessage::CampaignStream(r) if r.campaign_id == c.id)
    );
    assert_eq!(w.pipeline.sent().len(), 1);
    assert_eq!(
        w.cdn.sent(),
        vec![vec![c.id.to_string(), "a.example.test".to_owned()]]
    );
    let files = w.artist.sent();
    assert_eq!(files.len(), 1);
    assert_eq!(
        files[0].campaigns.iter().map(|c| &c.id).collect::<Vec<_>>(),
        [&c.id]
    );
    // Nothing is sent twice.
    assert_eq!(w.relay.deliver_once().await.unwrap().delivered, 0);
    assert_eq!(w.stream.sent().len(), 1);
}

#[tokio::test]
async fn a_destination_that_is_down_is_retried_with_backoff_and_others_are_not_held_up() {
    let settings = RelaySettings {
        base_backoff: Duration::from_secs(10),
        ..RelaySettings::default()
    };
    let w = world(settings);
    w.cdn.set_down(true);
    create(&w, "A", "a.example.test").await;
    let report = w.relay.deliver_once().await.unwrap();
    assert_eq!((report.delivered, report.retried), (3, 1));
    assert!(w.cdn.sent().is_empty());
    assert_eq!(w.ports.outbox.stats().await.unwrap().pending, 1);

    // Back up, but the retry is not due yet: nothing is claimed.
    w.cdn.set_down(false);
    assert_eq!(w.relay.deliver_once().await.unwrap().delivered, 0);
    // The first retry waits between half and all of the base backoff.
    w.clock.advance(TimeDelta::seconds(10));
    assert_eq!(w.relay.deliver_once().await.unwrap().delivered, 1);
    assert_eq!(w.cdn.sent().len(), 1);
    assert_eq!(
        w.stream.sent().len(),
        1,
        "the stream record was not sent again"
    );
}

#[tokio::test]
async fn an_event_is_given_up_after_the_last_attempt_and_listed_as_failed() {
    let settings = RelaySettings {
        max_attempts: 3,
        base_backoff: Duration::from_secs(1),
        ..RelaySettings::default()
    };
    let w = world(settings);
    w.stream.set_down(true);
    create(&w, "A", "a.example.test").await;
    for _ in 0..3 {
        w.relay.deliver_once().await.unwrap();
        w.clock.advance(TimeDelta::minutes(10));
    }
    let stats = w.ports.outbox.stats().await.unwrap();
    assert_eq!((stats.pending, stats.failed), (0, 1));
    let failed = w.ports.outbox.failed(Default::default()).await.unwrap();
    assert_eq!(failed.items[0].state, OutboxState::Failed);
    assert_eq!(failed.items[0].attempts, 3);
    assert!(
        failed.items[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("simulated outage")
    );
}

#[tokio::test]
async fn stream_records_of_one_campaign_keep_their_order_across_a_retry() {
    let w = world(RelaySettings {
        base_backoff: Duration::from_secs(10),
        ..RelaySettings::default()
    });
    let c = create(&w, "A", "a.example.test").await;
    w.stream.set_down(true);
    w.relay.deliver_once().await.unwrap();
    w.stream.set_down(false);
    w.clock.advance(TimeDelta::seconds(1));
    // A second change while the first record waits for its retry.
    w.campaigns
        .update(&admin(), &c.id, &json!({"name": "A2"}), None)
        .await
        .unwrap();
    w.relay.deliver_once().await.unwrap();
    assert_eq!(
        w.pipeline.sent().len(),
        2,
        "other destinations are not held up"
    );
    assert!(
        w.stream.sent().is_empty(),
        "the newer record waits for the older one"
    );
    w.clock.advance(TimeDelta::minutes(10));
    w.relay.deliver_once().await.unwrap();
    w.relay.deliver_once().await.unwrap();
    let updated: Vec<i64> = w
        .stream
        .sent()
        .iter()
        .map(|e| match &e.message {
            OutboundMessage::CampaignStream(r) => r.date.updated.timestamp_millis(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(updated.len(), 2);
    let names: Vec<_> = w
        .pipeline
        .sent()
        .iter()
        .map(|e| e.message.ordering_key())
        .collect();
    assert_eq!(names, [c.id.to_string(), c.id.to_string()]);
    assert!(updated[0] < updated[1], "the older record went first");
}

#[test]
fn backoff_doubles_up_to_the_cap_with_jitter() {
    let w = world(RelaySettings {
        base_backoff: Duration::from_secs(1),
        max_backoff: Duration::from_secs(60),
        ..RelaySettings::default()
    });
    let id = campaign_domain::uuid::Uuid::from_bytes([0xff; 16]);
    let low = campaign_domain::uuid::Uuid::from_bytes([0; 16]);
    assert_eq!(w.relay.backoff(low, 1), Duration::from_millis(500));
    assert_eq!(w.relay.backoff(low, 3), Duration::from_secs(2));
    assert!(
        w.relay.backoff(id, 3) > Duration::from_secs(3)
            && w.relay.backoff(id, 3) < Duration::from_secs(4)
    );
    assert_eq!(
        w.relay.backoff(low, 30),
        Duration::from_secs(30),
        "capped at max, then jittered"
    );
}

#[tokio::test]
async fn a_round_out_of_time_sends_nothing_more_and_leaves_the_rest_leased() {
    // No time to send at all: half of a zero lease is already over when the round starts.
    let w = world(RelaySettings {
        lease: Duration::ZERO,
        ..RelaySettings::default()
    });
    create(&w, "Late", "late.example.test").await;
    let report = w.relay.deliver_once().await.unwrap();
    assert_eq!((report.delivered, report.retried, report.failed), (0, 0, 0));
    assert!(w.stream.sent().is_empty() && w.cdn.sent().is_empty());
    let stats = w.ports.outbox.stats().await.unwrap();
    assert_eq!(
        (stats.pending, stats.failed),
        (4, 0),
        "nothing lost, nothing counted"
    );
    let again = w
        .ports
        .outbox
        .claim(w.clock.now(), w.clock.now(), 10)
        .await
        .unwrap();
    assert!(
        again.iter().all(|r| r.attempts == 0),
        "unsent events were not counted as attempts"
    );
}

/// The destination of every event the outbox holds pending (claimed with a lease that ends at
/// once, so the relay can still claim them).
async fn pending_destinations(w: &World) -> Vec<&'static str> {
    let now = w.clock.now();
    w.ports
        .outbox
        .claim(now, now, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.event.message.destination())
        .collect()
}

#[tokio::test]
async fn the_linked_campaign_cascade_is_recorded_with_the_write_and_applied_by_the_relay() {
    let w = world(RelaySettings::default());
    let linked = create(&w, "Linked", "linked.example.test").await;
    let source = create(&w, "Source", "source.example.test").await;
    while w.relay.deliver_once().await.unwrap().delivered > 0 {}
    let patch = json!({"linkedCampaignIds": [linked.id], "tour": {"name": "Shared"}});
    w.campaigns
        .update(&admin(), &source.id, &patch, None)
        .await
        .unwrap();
    // Recorded with the source's own messages; nothing applied yet (a crash here loses
    // nothing: the event is in the store).
    assert!(pending_destinations(&w).await.contains(&"linkedCampaigns"));
    let read = |id| {
        let campaigns = w.campaigns.clone();
        async move {
            campaigns
                .get(
                    &admin(),
                    &id,
                    &campaign_domain::campaign::LocaleSelection::All,
                )
                .await
                .unwrap()
        }
    };
    assert_eq!(read(linked.id.clone()).await.tour.name, None);
    // A second change of the source before delivery: the linked campaign takes the latest.
    let patch = json!({"tour": {"name": "Shared again"}});
    w.campaigns
        .update(&admin(), &source.id, &patch, None)
        .await
        .unwrap();
    w.clock.advance(TimeDelta::minutes(2));
    while w.relay.deliver_once().await.unwrap().delivered > 0 {}
    let after = read(linked.id.clone()).await;
    assert_eq!(after.tour.name.as_deref(), Some("Shared again"));
    // Both deliveries ran; the second found the linked campaign in step: one write only.
    assert_eq!(after.version, linked.version + 1);
    assert_eq!(w.ports.outbox.stats().await.unwrap().pending, 0);
    // The linked campaign's own change sent its own stream record.
    assert!(w.stream.sent().iter().any(|e| matches!(
        &e.message,
        OutboundMessage::CampaignStream(r) if r.campaign_id == linked.id
    )));
}
