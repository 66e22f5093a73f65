//! `GET /outbox/failed` and `POST /outbox/failed/requeue` (supreme only): an event given up on
//! after every attempt is listed with why, and requeued it is delivered once the destination
//! is back.

use campaign_domain::chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, complete, data_of, error_of};
use crate::support::id_of;

/// Moves the clock past each retry until one event is given up on.
async fn until_one_failed(app: &TestApp) {
    for _ in 0..400 {
        if app.ports.outbox.stats().await.unwrap().failed == 1 {
            return;
        }
        app.clock.advance(Duration::minutes(10));
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    panic!("no event was given up on");
}

#[tokio::test]
async fn an_event_given_up_on_is_listed_and_delivered_once_requeued() {
    let app = TestApp::spawn().await;
    let supreme = app.supreme_token();
    app.stream.set_down(true);
    let id = id_of(&app.create_campaign(&complete("Given up")).await);
    until_one_failed(&app).await;

    let listed = data_of(app.get("/outbox/failed", &supreme).await, StatusCode::OK).await;
    assert_eq!(
        listed["backlog"],
        json!({"pending": 0, "failed": 1}),
        "{listed}"
    );
    assert_eq!(listed["pagination"]["total"], 1);
    let failed = &listed["events"][0];
    assert_eq!(failed["destination"], "campaignStream", "{failed}");
    assert_eq!(failed["orderingKey"], id.as_str());
    assert_eq!(failed["attempts"], 12, "the relay's default attempts");
    assert!(
        failed["lastError"].as_str().is_some_and(|e| !e.is_empty()),
        "{failed}"
    );
    assert_eq!(failed["event"]["payload"]["campaignId"], id.as_str());
    assert_eq!(failed["event"]["eventId"], failed["eventId"]);
    let event_id = failed["eventId"].as_str().unwrap().to_owned();

    // Only supreme users see or requeue them; bodies are checked.
    let user = app.user_token("u-1", &[(id.as_str(), &["read", "write"])]);
    error_of(
        app.get("/outbox/failed", &user).await,
        StatusCode::FORBIDDEN,
        "SUPREME_USER_REQUIRED",
    )
    .await;
    error_of(
        app.post(
            "/outbox/failed/requeue",
            &user,
            &json!({"eventIds": [event_id]}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "SUPREME_USER_REQUIRED",
    )
    .await;
    error_of(
        app.post(
            "/outbox/failed/requeue",
            &supreme,
            &json!({"eventIds": ["not-a-uuid"]}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    error_of(
        app.get("/outbox/failed?pageSize=0", &supreme).await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;

    // The stream is back: requeued, the record goes out.
    app.stream.set_down(false);
    let requeued = data_of(
        app.post(
            "/outbox/failed/requeue",
            &supreme,
            &json!({"eventIds": [event_id, "6f9619ff-8b86-d011-b42d-00cf4fc964ff"]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(requeued, json!({"requeued": 1}), "unknown ids are ignored");
    app.wait_for_delivery().await;
    let delivered: Vec<String> = app
        .delivered_stream()
        .iter()
        .map(|e| e.event_id.to_string())
        .collect();
    assert_eq!(delivered, [event_id]);
    let listed = data_of(app.get("/outbox/failed", &supreme).await, StatusCode::OK).await;
    assert_eq!(listed["backlog"], json!({"pending": 0, "failed": 0}));
    assert_eq!(listed["events"], json!([]));
    app.shut_down().await;
}
