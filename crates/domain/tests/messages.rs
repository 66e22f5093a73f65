//! The messages a change owes (SPEC §8): which ones, and their JSON shape.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod common;

use campaign_domain::Campaign;
use campaign_domain::market::Market;
use campaign_domain::messages::{
    ArtistExtensionSync, CdnPurge, DataPipelineMessage, Operation, OutboundEvent, OutboundMessage,
    RefreshSelectionsMessage, campaign_change_messages, covered_event_ids, market_change_messages,
};
use campaign_domain::status::{ChangedBy, Status, StatusTransition};
use campaign_domain::values::{ArtistId, ContactId, EventId, MarketId};
use chrono::Duration;
use common::*;
use serde_json::{Value, json};
use uuid::Uuid;

fn destinations(messages: &[OutboundMessage]) -> Vec<&'static str> {
    messages.iter().map(OutboundMessage::destination).collect()
}

fn ids(raw: &[&str]) -> Vec<EventId> {
    raw.iter().map(|s| EventId::parse(s).unwrap()).collect()
}

fn purge_keys(messages: &[OutboundMessage]) -> Vec<String> {
    messages
        .iter()
        .find_map(|m| match m {
            OutboundMessage::CdnPurge(CdnPurge { surrogate_keys }) => Some(surrogate_keys.clone()),
            _ => None,
        })
        .unwrap()
}

fn synced_artists(messages: &[OutboundMessage]) -> Vec<String> {
    messages
        .iter()
        .filter_map(|m| match m {
            OutboundMessage::ArtistExtension(ArtistExtensionSync { artist_id }) => {
                Some(artist_id.to_string())
            }
            _ => None,
        })
        .collect()
}

fn updated(c: &Campaign, f: impl FnOnce(&mut Campaign)) -> Campaign {
    let mut after = c.clone();
    after.version += 1;
    after.date.updated = now() + Duration::minutes(5);
    f(&mut after);
    after
}

#[test]
fn a_create_owes_stream_pipeline_purge_and_artist_sync() {
    let c = full_campaign();
    let msgs = campaign_change_messages(None, &c, ids(&["E2", "E1"]));
    assert_eq!(
        destinations(&msgs),
        [
            "campaignStream",
            "dataPipeline",
            "cdnPurge",
            "artistExtension"
        ]
    );
    match &msgs[0] {
        OutboundMessage::CampaignStream(r) => {
            assert_eq!(r.campaign_id, c.id);
            assert_eq!(r.status, Status::Draft);
            assert_eq!(r.domain, c.domain);
            assert_eq!(r.date, c.date);
            assert_eq!(r.event_ids, ids(&["E2", "E1"]));
        }
        other => panic!("expected a stream record, got {other:?}"),
    }
    match &msgs[1] {
        OutboundMessage::DataPipeline(DataPipelineMessage::Campaign {
            operation,
            campaign,
        }) => {
            assert_eq!(*operation, Operation::Create);
            assert_eq!(campaign.id, c.id);
            assert_eq!(campaign.artist_id, c.artist.id);
            assert_eq!(campaign.tour_name.as_deref(), Some("Spring Tour 2026"));
            assert_eq!(campaign.version, c.version);
        }
        other => panic!("expected a pipeline message, got {other:?}"),
    }
    assert_eq!(purge_keys(&msgs), [CAMPAIGN_ID, SITE, PREVIEW]);
    assert_eq!(synced_artists(&msgs), [ARTIST]);
}

#[test]
fn an_update_that_changes_nothing_public_owes_only_stream_and_pipeline() {
    let before = full_campaign();
    let after = updated(&before, |c| {
        c.contacts
            .push(ContactId::parse(CONTACT_ID.replace('7', "8").as_str()).unwrap());
        c.options.automated_reminders = !c.options.automated_reminders;
        c.linked_campaign_ids.clear();
    });
    let msgs = campaign_change_messages(Some(&before), &after, vec![]);
    assert_eq!(destinations(&msgs), ["campaignStream", "dataPipeline"]);
    match &msgs[1] {
        OutboundMessage::DataPipeline(DataPipelineMessage::Campaign {
            operation,
            campaign,
        }) => {
            assert_eq!(*operation, Operation::Update);
            assert_eq!(campaign.version, before.version + 1);
        }
        other => panic!("expected a pipeline message, got {other:?}"),
    }
}

#[test]
fn an_update_of_public_content_purges_the_cdn_without_artist_sync() {
    let before = full_campaign();
    let after = updated(&before, |c| c.name = "Renamed".into());
    let msgs = campaign_change_messages(Some(&before), &after, vec![]);
    assert_eq!(
        destinations(&msgs),
        ["campaignStream", "dataPipeline", "cdnPurge"]
    );
}

#[test]
fn a_domain_change_purges_the_old_and_new_domains() {
    let before = full_campaign();
    let after = updated(&before, |c| {
        c.domain.site = Some("newsite.example.com".parse().unwrap());
    });
    let msgs = campaign_change_messages(Some(&before), &after, vec![]);
    assert_eq!(
        purge_keys(&msgs),
        [CAMPAIGN_ID, "newsite.example.com", PREVIEW, SITE]
    );
}

#[test]
fn a_status_change_purges_and_syncs_the_artist() {
    let before = full_campaign_in(Status::Preview);
    let mut after = before.clone();
    after
        .apply_transition(&StatusTransition {
            from: Status::Preview,
            to: Status::Open,
            at: now(),
            by: ChangedBy::System,
        })
        .unwrap();
    let msgs = campaign_change_messages(Some(&before), &after, vec![]);
    assert_eq!(
        destinations(&msgs),
        [
            "campaignStream",
            "dataPipeline",
            "cdnPurge",
            "artistExtension"
        ]
    );
    // The preview domain is gone from the campaign but its cache still has to be purged.
    assert_eq!(purge_keys(&msgs), [CAMPAIGN_ID, SITE, PREVIEW]);
    assert_eq!(synced_artists(&msgs), [ARTIST]);
    match &msgs[0] {
        OutboundMessage::CampaignStream(r) => assert_eq!(r.status, Status::Open),
        other => panic!("expected a stream record, got {other:?}"),
    }
}

#[test]
fn an_artist_change_syncs_both_artists() {
    let before = full_campaign();
    let after = updated(&before, |c| {
        c.artist.id = ArtistId::parse("NEWARTIST1").unwrap()
    });
    let msgs = campaign_change_messages(Some(&before), &after, vec![]);
    assert_eq!(
        destinations(&msgs),
        [
            "campaignStream",
            "dataPipeline",
            "cdnPurge",
            "artistExtension",
            "artistExtension"
        ]
    );
    let mut artists = synced_artists(&msgs);
    artists.sort();
    assert_eq!(artists, [ARTIST, "NEWARTIST1"]);
    // With a status change as well, each artist is still synced exactly once.
    let after = updated(&before, |c| {
        c.artist.id = ArtistId::parse("NEWARTIST1").unwrap();
        c.status = Status::Preview;
    });
    let mut artists = synced_artists(&campaign_change_messages(Some(&before), &after, vec![]));
    artists.sort();
    assert_eq!(artists, [ARTIST, "NEWARTIST1"]);
}

fn market_with_presale(presale: Option<chrono::DateTime<chrono::Utc>>) -> Market {
    let mut m = market();
    m.event.presale_date_time = presale;
    m
}

#[test]
fn market_create_with_presale_refreshes_selections() {
    let c = full_campaign();
    let m = market();
    let msgs = market_change_messages(Operation::Create, None, &m, &c, ids(&["E1"]));
    assert_eq!(
        destinations(&msgs),
        ["dataPipeline", "campaignStream", "refreshSelections"]
    );
    match &msgs[0] {
        OutboundMessage::DataPipeline(DataPipelineMessage::Market { operation, market }) => {
            assert_eq!(*operation, Operation::Create);
            assert_eq!(**market, m);
        }
        other => panic!("expected a market pipeline message, got {other:?}"),
    }
    match &msgs[1] {
        OutboundMessage::CampaignStream(r) => assert_eq!(r.event_ids, ids(&["E1"])),
        other => panic!("expected a stream record, got {other:?}"),
    }
    assert_eq!(
        msgs[2],
        OutboundMessage::RefreshSelections(RefreshSelectionsMessage {
            campaign_id: campaign_id(),
            market_id: market_id(),
            presale_date_time: m.event.presale_date_time.unwrap(),
        })
    );
    // Created without a presale time: nothing to refresh.
    let bare = market_with_presale(None);
    let msgs = market_change_messages(Operation::Create, None, &bare, &c, vec![]);
    assert_eq!(destinations(&msgs), ["dataPipeline", "campaignStream"]);
}

#[test]
fn market_update_refreshes_selections_only_when_the_presale_time_changes() {
    let c = full_campaign();
    let before = market();
    let mut same = before.clone();
    same.name = "Manhattan".into();
    let msgs = market_change_messages(Operation::Update, Some(&before), &same, &c, vec![]);
    assert_eq!(destinations(&msgs), ["dataPipeline", "campaignStream"]);

    let moved = market_with_presale(Some(days(53)));
    let msgs = market_change_messages(Operation::Update, Some(&before), &moved, &c, vec![]);
    assert_eq!(
        destinations(&msgs),
        ["dataPipeline", "campaignStream", "refreshSelections"]
    );
    match &msgs[2] {
        OutboundMessage::RefreshSelections(r) => assert_eq!(r.presale_date_time, days(53)),
        other => panic!("expected refresh-selections, got {other:?}"),
    }
    // Set for the first time on update: refresh.
    let unset = market_with_presale(None);
    let msgs = market_change_messages(Operation::Update, Some(&unset), &before, &c, vec![]);
    assert_eq!(destinations(&msgs).last(), Some(&"refreshSelections"));
    // Removed: nothing to select.
    let msgs = market_change_messages(Operation::Update, Some(&before), &unset, &c, vec![]);
    assert_eq!(destinations(&msgs), ["dataPipeline", "campaignStream"]);
}

#[test]
fn market_delete_never_refreshes_selections() {
    let c = full_campaign();
    let m = market();
    for before in [None, Some(&m)] {
        let msgs = market_change_messages(Operation::Delete, before, &m, &c, vec![]);
        assert_eq!(destinations(&msgs), ["dataPipeline", "campaignStream"]);
        match &msgs[0] {
            OutboundMessage::DataPipeline(DataPipelineMessage::Market { operation, .. }) => {
                assert_eq!(*operation, Operation::Delete);
            }
            other => panic!("expected a market pipeline message, got {other:?}"),
        }
    }
}

#[test]
fn covered_event_ids_are_deduplicated_and_sorted() {
    let mut c = full_campaign();
    c.event_ids = ids(&["E3", "E1"]);
    let mut m1 = market();
    m1.event.ids = ids(&["E2", "E1"]);
    let mut m2 = market();
    m2.id = MarketId::from_bytes([7; 12]);
    m2.event.ids = ids(&["E3", "E0", "E2"]);
    assert_eq!(
        covered_event_ids(&c, [&m1, &m2]),
        ids(&["E0", "E1", "E2", "E3"])
    );
    assert_eq!(covered_event_ids(&c, []), ids(&["E1", "E3"]));
    c.event_ids.clear();
    assert!(covered_event_ids(&c, []).is_empty());
}

#[test]
fn outbound_events_have_the_documented_json_shape() {
    let event_id = Uuid::parse_str("5f0c6c1a-9d3e-4b8e-8f3c-2a1b0c9d8e7f").unwrap();
    let event = OutboundEvent {
        event_id,
        correlation: Some("req-1".into()),
        occurred_at: now() + Duration::milliseconds(7),
        message: OutboundMessage::CdnPurge(CdnPurge {
            surrogate_keys: vec![CAMPAIGN_ID.into(), SITE.into()],
        }),
    };
    let v = serde_json::to_value(&event).unwrap();
    assert_eq!(
        v,
        json!({
            "eventId": "5f0c6c1a-9d3e-4b8e-8f3c-2a1b0c9d8e7f",
            "correlation": "req-1",
            "occurredAt": "2026-03-01T12:00:00.007Z",
            "destination": "cdnPurge",
            "payload": {"surrogateKeys": [CAMPAIGN_ID, SITE]}
        })
    );
    let back: OutboundEvent = serde_json::from_value(v).unwrap();
    assert_eq!(back, event);

    // Without a correlation the key is left out.
    let plain = OutboundEvent {
        correlation: None,
        ..event
    };
    assert!(
        serde_json::to_value(&plain)
            .unwrap()
            .get("correlation")
            .is_none()
    );
}

#[test]
fn every_message_kind_round_trips_inside_an_event() {
    let c = full_campaign();
    let m = market();
    let mut messages = campaign_change_messages(None, &c, ids(&["E1"]));
    messages.extend(market_change_messages(
        Operation::Create,
        None,
        &m,
        &c,
        ids(&["E1"]),
    ));
    assert_eq!(messages.len(), 7);
    for (i, message) in messages.into_iter().enumerate() {
        let event = OutboundEvent {
            event_id: Uuid::from_u128(i as u128 + 1),
            correlation: None,
            occurred_at: now(),
            message,
        };
        let v = serde_json::to_value(&event).unwrap();
        assert_eq!(v["destination"], json!(event.message.destination()));
        assert_eq!(v["occurredAt"], json!("2026-03-01T12:00:00.000Z"));
        assert!(v.get("payload").is_some_and(Value::is_object));
        let back: OutboundEvent = serde_json::from_value(v).unwrap();
        assert_eq!(back, event);
    }
}

#[test]
fn payload_shapes_use_wire_names() {
    let c = full_campaign();
    let m = market();
    let msgs = campaign_change_messages(None, &c, ids(&["E1"]));
    let stream = serde_json::to_value(&msgs[0]).unwrap();
    assert_eq!(stream["destination"], json!("campaignStream"));
    assert_eq!(stream["payload"]["campaignId"], json!(CAMPAIGN_ID));
    assert_eq!(stream["payload"]["status"], json!("DRAFT"));
    assert_eq!(stream["payload"]["eventIds"], json!(["E1"]));
    assert_eq!(stream["payload"]["domain"]["site"], json!(SITE));
    assert_eq!(stream["payload"]["date"]["created"], json!(wire(now())));
    let pipeline = serde_json::to_value(&msgs[1]).unwrap();
    assert_eq!(pipeline["payload"]["entity"], json!("campaign"));
    assert_eq!(pipeline["payload"]["operation"], json!("create"));
    assert_eq!(pipeline["payload"]["campaign"]["artistId"], json!(ARTIST));
    assert_eq!(
        pipeline["payload"]["campaign"]["artistName"],
        json!("The Band")
    );
    let artist = serde_json::to_value(&msgs[3]).unwrap();
    assert_eq!(
        artist,
        json!({"destination": "artistExtension", "payload": {"artistId": ARTIST}})
    );

    let msgs = market_change_messages(Operation::Update, None, &m, &c, vec![]);
    let market_msg = serde_json::to_value(&msgs[0]).unwrap();
    assert_eq!(market_msg["payload"]["entity"], json!("market"));
    assert_eq!(market_msg["payload"]["operation"], json!("update"));
    assert_eq!(
        market_msg["payload"]["market"]["campaign_id"],
        json!(CAMPAIGN_ID)
    );
    let refresh = serde_json::to_value(&msgs[2]).unwrap();
    assert_eq!(
        refresh,
        json!({"destination": "refreshSelections", "payload": {
            "campaignId": CAMPAIGN_ID, "marketId": MARKET_ID,
            "presaleDateTime": "2026-04-22T14:00:00.000Z"}})
    );
}

#[test]
fn ordering_keys_group_messages_by_campaign() {
    let c = full_campaign();
    let m = market();
    let mut msgs = campaign_change_messages(None, &c, vec![]);
    msgs.extend(market_change_messages(
        Operation::Create,
        None,
        &m,
        &c,
        vec![],
    ));
    let keys: Vec<String> = msgs.iter().map(OutboundMessage::ordering_key).collect();
    assert_eq!(
        keys,
        [
            CAMPAIGN_ID,
            CAMPAIGN_ID,
            CAMPAIGN_ID,
            ARTIST,
            CAMPAIGN_ID,
            CAMPAIGN_ID,
            CAMPAIGN_ID
        ]
    );
}

#[test]
fn a_change_of_shared_fields_owes_linked_campaigns_only_those_the_author_may_write() {
    use campaign_domain::messages::{LinkedCampaignsSync, linked_campaigns_message};
    use campaign_domain::values::CampaignId;

    let mine = CampaignId::from_bytes([7; 12]);
    let theirs = CampaignId::from_bytes([8; 12]);
    let mut before = full_campaign();
    before.linked_campaign_ids = vec![mine.clone(), theirs.clone(), before.id.clone()];
    let mut renamed = before.clone();
    renamed.name = "Another name".to_owned();
    assert_eq!(
        linked_campaigns_message(&before, &renamed, |_| true),
        None,
        "nothing shared changed"
    );
    let mut after = before.clone();
    after.tour.name = Some("Encore".to_owned());
    assert_eq!(
        linked_campaigns_message(&before, &after, |id| *id == mine || *id == before.id),
        Some(OutboundMessage::LinkedCampaigns(LinkedCampaignsSync {
            source_id: before.id.clone(),
            linked_ids: vec![mine.clone()],
        })),
        "only writable ones, never the campaign itself"
    );
    assert_eq!(linked_campaigns_message(&before, &after, |_| false), None);

    let linked = full_campaign();
    let taken = linked.taking_shared_fields(&after, days(1)).unwrap();
    assert_eq!(taken.tour.name.as_deref(), Some("Encore"));
    assert_eq!(
        (taken.name.as_str(), taken.date.updated),
        (linked.name.as_str(), days(1))
    );
    assert_eq!(
        taken.taking_shared_fields(&after, days(2)),
        None,
        "already in step"
    );
}
