//! Ticketing events (supreme only): `POST /events/{eventId}` records a status, `GET /events`
//! lists the ids of events markets reference, by status and date.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, data_of, detail_fields, error_of, market_doc, presale_campaign};

/// A campaign with market "NYC" (ev-1, ev-2 on 2030-03-10) and "LA" (ev-3 on 2030-04-10);
/// returns (campaign id, LA's id).
async fn seed(app: &TestApp) -> (String, String) {
    let c = app.create_campaign(&presale_campaign("Events")).await;
    let id = c["id"].as_str().unwrap().to_owned();
    app.create_market(&id, &market_doc("NYC", &["ev-1", "ev-2"]))
        .await;
    let mut la = market_doc("LA", &["ev-3"]);
    la["event"]["date"] = json!("2030-04-10T20:00:00Z");
    let la = app.create_market(&id, &la).await;
    (id, la["id"].as_str().unwrap().to_owned())
}

async fn set(app: &TestApp, event: &str, status: &str) -> Value {
    data_of(
        app.post(
            &format!("/events/{event}"),
            &app.supreme_token(),
            &json!({"status": status}),
        )
        .await,
        StatusCode::OK,
    )
    .await
}

async fn ids(app: &TestApp, query: &str) -> Value {
    data_of(
        app.get(&format!("/events?{query}"), &app.supreme_token())
            .await,
        StatusCode::OK,
    )
    .await["eventIds"]
        .clone()
}

#[tokio::test]
async fn events_are_listed_by_status_and_date() {
    let app = TestApp::spawn().await;
    let (campaign, la) = seed(&app).await;
    assert_eq!(
        set(&app, "ev-1", "cancelled").await,
        json!({"id": "ev-1", "status": "cancelled", "date": "2030-03-10T20:00:00.000Z"})
    );
    set(&app, "ev-2", "onsale").await;
    set(&app, "ev-3", "Cancelled").await;
    // Reported for an event no market lists: recorded, never listed.
    assert_eq!(
        set(&app, "ev-404", "cancelled").await,
        json!({"id": "ev-404", "status": "cancelled"})
    );

    assert_eq!(
        ids(&app, "status=cancelled&until=2030-03-31T00:00:00Z").await,
        json!(["ev-1"])
    );
    assert_eq!(
        ids(&app, "status=cancelled&until=2030-12-31T00:00:00Z").await,
        json!(["ev-1", "ev-3"])
    );
    assert_eq!(
        ids(&app, "status=cancelled&until=2030-03-10T20:00:00Z").await,
        json!(["ev-1"]),
        "until is inclusive"
    );
    assert_eq!(
        ids(&app, "status=onsale&until=2030-12-31T00:00:00Z").await,
        json!(["ev-2"])
    );
    assert_eq!(
        ids(&app, "status=postponed&until=2030-12-31T00:00:00Z").await,
        json!([])
    );
    // Without `until`: events dated up to now (the clock starts on 2030-01-01).
    assert_eq!(ids(&app, "status=cancelled").await, json!([]));
    app.clock.set("2030-05-01T00:00:00Z".parse().unwrap());
    assert_eq!(ids(&app, "status=cancelled").await, json!(["ev-1", "ev-3"]));
    // An event whose market is gone is no longer listed.
    let res = app
        .delete(
            &format!("/campaigns/{campaign}/markets/{la}"),
            &app.supreme_token(),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(ids(&app, "status=cancelled").await, json!(["ev-1"]));
    // A status changes.
    set(&app, "ev-1", "rescheduled").await;
    assert_eq!(ids(&app, "status=cancelled").await, json!([]));
    assert_eq!(ids(&app, "status=rescheduled").await, json!(["ev-1"]));
    app.shut_down().await;
}

#[tokio::test]
async fn event_queries_and_reports_are_validated() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    for (query, fields) in [
        ("", vec!["status"]),
        ("status=gone", vec!["status"]),
        ("status=onsale&until=tomorrow", vec!["until"]),
        ("until=tomorrow", vec!["status", "until"]),
    ] {
        let e = error_of(
            app.get(&format!("/events?{query}"), &token).await,
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
        )
        .await;
        assert_eq!(detail_fields(&e), fields, "{query}");
    }
    for body in [json!({}), json!({"status": "gone"}), json!({"status": 3})] {
        let e = error_of(
            app.post("/events/ev-1", &token, &body).await,
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
        )
        .await;
        assert_eq!(detail_fields(&e), ["status"], "{body}");
    }
    let e = error_of(
        app.post(
            &format!("/events/{}", "x".repeat(65)),
            &token,
            &json!({"status": "onsale"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    assert_eq!(detail_fields(&e), ["eventId"]);
    let res = app
        .client
        .post(app.url("/events/ev-1"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"status\"")
        .send()
        .await
        .unwrap();
    error_of(res, StatusCode::BAD_REQUEST, "MALFORMED_JSON").await;
    error_of(
        app.request(Method::GET, "/events/ev-1", Some(&token), None)
            .await,
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
    )
    .await;
    app.shut_down().await;
}

#[tokio::test]
async fn event_routes_are_for_supreme_users_only() {
    let app = TestApp::spawn().await;
    let (campaign, _) = seed(&app).await;
    let manager = app.user_token("m", &[(&campaign, &["admin"])]);
    error_of(
        app.get("/events?status=cancelled", &manager).await,
        StatusCode::FORBIDDEN,
        "SUPREME_USER_REQUIRED",
    )
    .await;
    error_of(
        app.post("/events/ev-1", &manager, &json!({"status": "cancelled"}))
            .await,
        StatusCode::FORBIDDEN,
        "SUPREME_USER_REQUIRED",
    )
    .await;
    error_of(
        app.request(Method::GET, "/events?status=cancelled", None, None)
            .await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
    )
    .await;
    let event = app
        .ports
        .events
        .find(&campaign_domain::values::EventId::parse("ev-1").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(event.status, None, "the refused report changed nothing");
    app.shut_down().await;
}
