//! Post-update operations (SPEC §8) as the recording publishers receive them: exactly the
//! messages each kind of change owes, with the request's correlation id and unique event ids;
//! nothing for refused writes; and nothing lost while a destination is down.

use std::collections::HashSet;

use campaign_domain::chrono::Duration;
use campaign_domain::messages::OutboundEvent;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, complete, draft, json_of};
use crate::support::{
    expect_data, expect_error, id_of, update, update_with, wait_until_pending, with,
};

/// An event as JSON: `{eventId, correlation?, occurredAt, destination, payload}`.
fn as_json(event: &OutboundEvent) -> Value {
    serde_json::to_value(event).unwrap()
}

fn payloads(events: &[OutboundEvent]) -> Vec<Value> {
    events
        .iter()
        .map(|e| as_json(e)["payload"].clone())
        .collect()
}

/// What every publisher holds, as counts: stream, pipeline, selections, CDN, artist files.
fn counts(app: &TestApp) -> [usize; 5] {
    [
        app.stream.sent().len(),
        app.data_pipeline.sent().len(),
        app.refresh_selections.sent().len(),
        app.cdn.sent().len(),
        app.artist_extension.sent().len(),
    ]
}

/// Creates `body` with correlation id `correlation`; returns `data`.
async fn create_correlated(app: &TestApp, body: &Value, correlation: &str) -> Value {
    let res = app
        .client
        .post(app.url("/campaigns"))
        .bearer_auth(app.supreme_token())
        .header("x-correlation-id", correlation)
        .json(body)
        .send()
        .await
        .unwrap();
    expect_data(res, StatusCode::CREATED).await
}

#[tokio::test]
async fn a_create_sends_one_message_to_each_destination_but_refresh_selections() {
    let app = TestApp::spawn().await;
    let body = with(complete("Announced"), json!({"eventIds": ["E2", "E1"]}));
    let created = create_correlated(&app, &body, "create-42").await;
    let id = id_of(&created);
    let site = created["domain"]["site"].as_str().unwrap().to_owned();
    let preview = created["domain"]["preview"].as_str().unwrap().to_owned();
    app.wait_for_delivery().await;

    let stream = app.stream.sent();
    assert_eq!(stream.len(), 1);
    assert_eq!(
        as_json(&stream[0])["payload"],
        json!({"campaignId": id, "status": "DRAFT", "domain": created["domain"], "date": created["date"],
               "eventIds": ["E1", "E2"]})
    );
    let pipeline = app.data_pipeline.sent();
    assert_eq!(pipeline.len(), 1);
    let message = as_json(&pipeline[0])["payload"].clone();
    assert_eq!(message["entity"], "campaign");
    assert_eq!(message["operation"], "create");
    assert_eq!(message["campaign"]["id"], id.as_str());
    assert_eq!(message["campaign"]["status"], "DRAFT");
    assert_eq!(message["campaign"]["version"], 1);
    assert_eq!(message["campaign"]["artistId"], "K8vZ917G7x0");
    assert_eq!(message["campaign"]["tourName"], "World Tour");
    assert!(app.refresh_selections.sent().is_empty());
    assert_eq!(app.cdn.sent(), [vec![id.clone(), site, preview]]);
    let files = app.artist_extension.sent();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].artist_id.as_str(), "K8vZ917G7x0");
    let in_file: Vec<&str> = files[0].campaigns.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(in_file, [id.as_str()]);

    let all: Vec<Value> = stream.iter().chain(&pipeline).map(as_json).collect();
    for event in &all {
        assert_eq!(event["correlation"], "create-42", "{event}");
        assert_eq!(event["occurredAt"], "2030-01-01T00:00:00.000Z");
    }
    let ids: HashSet<&str> = all.iter().map(|e| e["eventId"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), all.len(), "unique event ids");
    app.shut_down().await;
}

#[tokio::test]
async fn an_update_that_changes_nothing_public_sends_no_cdn_purge_and_no_artist_file() {
    let app = TestApp::spawn().await;
    let other = id_of(&app.create_campaign(&draft("Other")).await);
    let id = id_of(&app.create_campaign(&complete("Quiet")).await);
    app.wait_for_delivery().await;
    let before = counts(&app);
    for patch in [
        json!({"options": {"automatedReminders": true}}),
        json!({"linkedCampaignIds": [other]}),
        json!({"contacts": ["0123456789abcdef01234567"]}),
        json!({"date": {"sendReminderEmails": ["2030-01-05T00:00:00Z"]}}),
        json!({"schema": {"version": 4}}),
    ] {
        expect_data(update(&app, &id, &patch).await, StatusCode::OK).await;
    }
    app.wait_for_delivery().await;
    let after = counts(&app);
    assert_eq!(
        after,
        [before[0] + 5, before[1] + 5, 0, before[3], before[4]],
        "{before:?} -> {after:?}"
    );
    let operations: Vec<Value> = payloads(&app.data_pipeline.sent()[before[1]..])
        .iter()
        .map(|p| json!([p["operation"], p["campaign"]["version"]]))
        .collect();
    assert_eq!(
        operations,
        [
            json!(["update", 2]),
            json!(["update", 3]),
            json!(["update", 4]),
            json!(["update", 5]),
            json!(["update", 6])
        ]
    );
    app.shut_down().await;
}

#[tokio::test]
async fn a_change_the_public_sees_purges_the_campaign_and_its_domains() {
    let app = TestApp::spawn().await;
    let created = app.create_campaign(&complete("Visible")).await;
    let id = id_of(&created);
    let site = created["domain"]["site"].as_str().unwrap().to_owned();
    let preview = created["domain"]["preview"].as_str().unwrap().to_owned();
    app.wait_for_delivery().await;
    expect_data(
        update(&app, &id, &json!({"name": "Visible renamed"})).await,
        StatusCode::OK,
    )
    .await;
    app.wait_for_delivery().await;
    assert_eq!(app.cdn.sent().len(), 2);
    assert_eq!(
        app.cdn.sent()[1],
        [id.clone(), site.clone(), preview.clone()]
    );
    assert_eq!(
        app.artist_extension.sent().len(),
        1,
        "no status change, no artist file"
    );
    // A new site: both the new and the old domain are purged.
    let moved = crate::helpers::domain("moved");
    expect_data(
        update(&app, &id, &json!({"domain": {"site": moved}})).await,
        StatusCode::OK,
    )
    .await;
    app.wait_for_delivery().await;
    assert_eq!(app.cdn.sent()[2], [id.clone(), moved, preview, site]);
    app.shut_down().await;
}

#[tokio::test]
async fn setting_or_removing_a_password_purges_the_cdn() {
    let app = TestApp::spawn().await;
    let created = app.create_campaign(&complete("Locked later")).await;
    let id = id_of(&created);
    let opened = expect_data(
        update(&app, &id, &json!({"status": "OPEN"})).await,
        StatusCode::OK,
    )
    .await;
    app.wait_for_delivery().await;
    let purges = app.cdn.sent().len();
    expect_data(
        update(&app, &id, &json!({"password": "s3cret"})).await,
        StatusCode::OK,
    )
    .await;
    app.wait_for_delivery().await;
    assert_eq!(
        app.cdn.sent().len(),
        purges + 1,
        "pages cached without the password must not keep being served"
    );
    assert_eq!(
        app.cdn.sent()[purges],
        [
            id.clone(),
            opened["domain"]["site"].as_str().unwrap().to_owned()
        ]
    );
    expect_data(
        update(&app, &id, &json!({"password": null})).await,
        StatusCode::OK,
    )
    .await;
    app.wait_for_delivery().await;
    assert_eq!(app.cdn.sent().len(), purges + 2);
    app.shut_down().await;
}

#[tokio::test]
async fn a_status_change_rewrites_the_artist_file_from_the_current_state() {
    let app = TestApp::spawn().await;
    let sibling = id_of(&app.create_campaign(&complete("Sibling")).await);
    let id = id_of(&app.create_campaign(&complete("Moving")).await);
    app.wait_for_delivery().await;
    expect_data(
        update(&app, &id, &json!({"status": "PREVIEW"})).await,
        StatusCode::OK,
    )
    .await;
    app.wait_for_delivery().await;
    let files = app.artist_extension.sent();
    assert_eq!(files.len(), 3);
    let last = &files[2];
    assert_eq!(last.artist_id.as_str(), "K8vZ917G7x0");
    let mut listed: Vec<(String, String)> = last
        .campaigns
        .iter()
        .map(|c| (c.id.as_str().to_owned(), c.status.as_str().to_owned()))
        .collect();
    listed.sort();
    let mut expected = vec![
        (sibling, "DRAFT".to_owned()),
        (id.clone(), "PREVIEW".to_owned()),
    ];
    expected.sort();
    assert_eq!(listed, expected);
    let stream = payloads(&app.stream.sent());
    assert_eq!(stream.last().unwrap()["status"], "PREVIEW");
    app.shut_down().await;
}

#[tokio::test]
async fn an_artist_change_rewrites_the_files_of_both_artists() {
    let app = TestApp::spawn().await;
    let id = id_of(&app.create_campaign(&draft("Switch")).await);
    app.wait_for_delivery().await;
    expect_data(
        update(&app, &id, &json!({"artist": {"id": "NEWARTIST1"}})).await,
        StatusCode::OK,
    )
    .await;
    app.wait_for_delivery().await;
    let files = app.artist_extension.sent();
    let mut artists: Vec<(String, usize)> = files[1..]
        .iter()
        .map(|f| (f.artist_id.as_str().to_owned(), f.campaigns.len()))
        .collect();
    artists.sort();
    assert_eq!(
        artists,
        [("K8vZ917G7x0".to_owned(), 0), ("NEWARTIST1".to_owned(), 1)]
    );
    app.shut_down().await;
}

#[tokio::test]
async fn refused_writes_send_nothing() {
    let app = TestApp::spawn().await;
    let holder = app.create_campaign(&draft("Holder")).await;
    let id = id_of(&app.create_campaign(&draft("Refused")).await);
    app.wait_for_delivery().await;
    let before = counts(&app);
    let manager = app.user_token("viewer", &[(&id, &["read"])]);
    expect_error(
        update(&app, &id, &json!({"status": "CLOSED"})).await,
        StatusCode::BAD_REQUEST,
        "INVALID_STATUS_TRANSITION",
    )
    .await;
    expect_error(
        update(&app, &id, &json!({"name": ""})).await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    expect_error(
        update(
            &app,
            &id,
            &json!({"domain": {"site": holder["domain"]["site"]}}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "DOMAIN_NAME_CONFLICT",
    )
    .await;
    expect_error(
        update_with(&app, &id, &json!({"name": "x"}), &[("if-match", "\"7\"")]).await,
        StatusCode::CONFLICT,
        "VERSION_CONFLICT",
    )
    .await;
    expect_error(
        app.post(&format!("/campaigns/{id}"), &manager, &json!({"name": "x"}))
            .await,
        StatusCode::FORBIDDEN,
        "UNAUTHORIZED",
    )
    .await;
    expect_error(
        app.post(
            "/campaigns",
            &app.supreme_token(),
            &with(draft("Dup"), json!({"domain": holder["domain"]})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "DOMAIN_NAME_CONFLICT",
    )
    .await;
    assert_eq!(
        app.ports.outbox.stats().await.unwrap().pending,
        0,
        "nothing recorded"
    );
    app.wait_for_delivery().await;
    assert_eq!(counts(&app), before);
    app.shut_down().await;
}

#[tokio::test]
async fn with_the_cdn_down_the_api_answers_and_the_purge_arrives_after_recovery() {
    let app = TestApp::spawn().await;
    let id = id_of(&app.create_campaign(&complete("Resilient")).await);
    app.wait_for_delivery().await;
    app.cdn.set_down(true);
    let res = update(&app, &id, &json!({"name": "Resilient renamed"})).await;
    assert_eq!(
        expect_data(res, StatusCode::OK).await["name"],
        "Resilient renamed"
    );
    // The stream and pipeline messages go out; the purge waits for its retry.
    wait_until_pending(&app, 1).await;
    assert_eq!(app.stream.sent().len(), 2);
    assert_eq!(app.data_pipeline.sent().len(), 2);
    assert_eq!(
        app.cdn.sent().len(),
        1,
        "nothing reached the CDN while it was down"
    );
    app.cdn.set_down(false);
    // Past the longest backoff.
    app.clock.advance(Duration::minutes(10));
    app.wait_for_delivery().await;
    let purges = app.cdn.sent();
    assert_eq!(purges.len(), 2);
    assert_eq!(purges[1][0], id);
    app.shut_down().await;
}

#[tokio::test]
async fn with_the_stream_down_records_arrive_in_order_after_recovery() {
    let app = TestApp::spawn().await;
    app.stream.set_down(true);
    let id = id_of(&app.create_campaign(&complete("Ordered")).await);
    expect_data(
        update(&app, &id, &json!({"status": "PREVIEW"})).await,
        StatusCode::OK,
    )
    .await;
    expect_data(
        update(&app, &id, &json!({"status": "OPEN"})).await,
        StatusCode::OK,
    )
    .await;
    // Everything but the three stream records is delivered meanwhile.
    wait_until_pending(&app, 3).await;
    assert!(app.stream.sent().is_empty());
    app.stream.set_down(false);
    app.clock.advance(Duration::minutes(10));
    app.wait_for_delivery().await;
    let statuses: Vec<Value> = payloads(&app.stream.sent())
        .iter()
        .map(|p| p["status"].clone())
        .collect();
    assert_eq!(statuses, [json!("DRAFT"), json!("PREVIEW"), json!("OPEN")]);
    app.shut_down().await;
}

#[tokio::test]
async fn refresh_transitions_send_the_messages_of_a_change_with_the_refresh_correlation() {
    let app = TestApp::spawn().await;
    let body = with(
        complete("Timed"),
        json!({"date": {"open": "2030-01-01T01:00:00Z", "close": "2030-01-01T02:00:00Z"}}),
    );
    let id = id_of(&app.create_campaign(&body).await);
    app.wait_for_delivery().await;
    let before = counts(&app);
    app.clock.advance(Duration::hours(3));
    let res = app
        .client
        .post(app.url("/campaigns/refresh"))
        .bearer_auth(app.supreme_token())
        .header("x-correlation-id", "refresh-7")
        .send()
        .await
        .unwrap();
    let (status, summary) = json_of(res).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        summary["data"],
        json!({"opened": 1, "closed": 1, "inactivated": 0, "skipped": 0})
    );
    app.wait_for_delivery().await;
    assert_eq!(
        counts(&app),
        [
            before[0] + 1,
            before[1] + 1,
            0,
            before[3] + 1,
            before[4] + 1
        ]
    );
    let record = as_json(app.stream.sent().last().unwrap());
    assert_eq!(record["correlation"], "refresh-7");
    assert_eq!(record["payload"]["status"], "CLOSED");
    assert_eq!(record["occurredAt"], "2030-01-01T03:00:00.000Z");
    assert_eq!(app.cdn.sent().last().unwrap()[0], id);
    app.shut_down().await;
}

#[tokio::test]
async fn a_linked_campaign_changed_by_cascade_sends_its_own_messages() {
    let app = TestApp::spawn().await;
    let linked = id_of(&app.create_campaign(&complete("Linked")).await);
    let source = id_of(
        &app.create_campaign(&with(
            complete("Source"),
            json!({"linkedCampaignIds": [linked]}),
        ))
        .await,
    );
    app.wait_for_delivery().await;
    let before = counts(&app);
    expect_data(
        update(&app, &source, &json!({"tour": {"name": "Shared Tour"}})).await,
        StatusCode::OK,
    )
    .await;
    app.wait_for_delivery().await;
    let after = counts(&app);
    assert_eq!(after[0], before[0] + 2, "a stream record for each campaign");
    assert_eq!(after[1], before[1] + 2);
    let ids: HashSet<String> = payloads(&app.stream.sent()[before[0]..])
        .iter()
        .map(|p| p["campaignId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, HashSet::from([source.clone(), linked.clone()]));
    app.shut_down().await;
}
