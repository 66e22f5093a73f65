//! Reminder bookkeeping (supreme only): `/markets/upcoming`, `/markets/notifyDate`,
//! `/markets/notifiable`, `/markets/notified`, on the manual clock (start 2030-01-01T00:00Z).

use campaign_domain::chrono::TimeDelta;
use campaign_domain::messages::{DataPipelineMessage, Operation, OutboundMessage};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, complete, data_of, detail_fields, error_of, market_doc};

/// A campaign without presale window, with automated reminders on or off; returns its id.
async fn campaign(app: &TestApp, reminders: bool) -> String {
    let mut doc = complete("Reminders");
    doc["options"] = json!({"automatedReminders": reminders});
    app.create_campaign(&doc).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Creates a market with this presale time (or none); returns its id.
async fn market(app: &TestApp, campaign: &str, name: &str, presale: Option<&str>) -> String {
    let mut doc = market_doc(name, &[]);
    doc["event"]["presaleDateTime"] = presale.map_or(Value::Null, |p| json!(p));
    app.create_market(campaign, &doc).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn ids(markets: &Value) -> Vec<String> {
    markets["markets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect()
}

struct World {
    app: TestApp,
    /// Presale 01:59 today: too soon.
    too_soon: String,
    /// Presale 02:00 today: the first upcoming.
    first: String,
    /// Presale 03:00 tomorrow (now + 27 h): the last upcoming.
    last: String,
    /// Presale 03:00:01 tomorrow: too late.
    too_late: String,
    /// No presale time.
    no_presale: String,
    /// Presale 10:00 today, in a campaign without automated reminders.
    not_reminded: String,
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    let on = campaign(&app, true).await;
    let off = campaign(&app, false).await;
    let too_soon = market(&app, &on, "A", Some("2030-01-01T01:59:59Z")).await;
    let first = market(&app, &on, "B", Some("2030-01-01T02:00:00Z")).await;
    let last = market(&app, &on, "C", Some("2030-01-02T03:00:00Z")).await;
    let too_late = market(&app, &on, "D", Some("2030-01-02T03:00:01Z")).await;
    let no_presale = market(&app, &on, "E", None).await;
    let not_reminded = market(&app, &off, "F", Some("2030-01-01T10:00:00Z")).await;
    World {
        app,
        too_soon,
        first,
        last,
        too_late,
        no_presale,
        not_reminded,
    }
}

#[tokio::test]
async fn upcoming_markets_start_their_presale_in_two_to_twenty_seven_hours() {
    let w = world().await;
    let app = &w.app;
    let token = app.supreme_token();
    let upcoming = data_of(app.get("/markets/upcoming", &token).await, StatusCode::OK).await;
    assert_eq!(ids(&upcoming), [w.first.clone(), w.last.clone()]);
    assert!(!ids(&upcoming).contains(&w.too_soon));
    assert!(!ids(&upcoming).contains(&w.too_late));
    assert!(!ids(&upcoming).contains(&w.not_reminded));
    assert!(!ids(&upcoming).contains(&w.no_presale));
    // Later, the window has moved on.
    app.clock.advance(TimeDelta::hours(1));
    let upcoming = data_of(app.get("/markets/upcoming", &token).await, StatusCode::OK).await;
    assert_eq!(ids(&upcoming), [w.last.clone(), w.too_late.clone()]);
    w.app.shut_down().await;
}

#[tokio::test]
async fn reminders_are_scheduled_all_or_nothing_and_become_notifiable_when_due() {
    let w = world().await;
    let app = &w.app;
    let token = app.supreme_token();
    app.wait_for_delivery().await;
    let mark = app.outbound_mark();
    let notifiable = data_of(app.get("/markets/notifiable", &token).await, StatusCode::OK).await;
    assert_eq!(notifiable, json!({"markets": []}));

    let scheduled = data_of(
        app.post(
            "/markets/notifyDate",
            &token,
            &json!({"marketIds": [w.first, w.last, w.first], "notificationDate": "2030-01-01T01:00:00Z"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&scheduled), [w.first.clone(), w.last.clone()]);
    for m in scheduled["markets"].as_array().unwrap() {
        assert_eq!(
            m["notification"],
            json!({"date": "2030-01-01T01:00:00.000Z"})
        );
        assert_eq!(m["version"], 2);
    }
    // Not due yet.
    let notifiable = data_of(app.get("/markets/notifiable", &token).await, StatusCode::OK).await;
    assert_eq!(ids(&notifiable), Vec::<String>::new());
    app.clock.advance(TimeDelta::hours(1));
    let notifiable = data_of(app.get("/markets/notifiable", &token).await, StatusCode::OK).await;
    assert_eq!(ids(&notifiable), [w.first.clone(), w.last.clone()]);

    let notified = data_of(
        app.post(
            "/markets/notified",
            &token,
            &json!({"marketIds": [w.first]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        notified["markets"][0]["notification"],
        json!({"date": "2030-01-01T01:00:00.000Z", "notified": "2030-01-01T01:00:00.000Z"})
    );
    let notifiable = data_of(app.get("/markets/notifiable", &token).await, StatusCode::OK).await;
    assert_eq!(ids(&notifiable), std::slice::from_ref(&w.last));

    // Scheduling again clears `notified`.
    let again = data_of(
        app.post(
            "/markets/notifyDate",
            &token,
            &json!({"marketIds": [w.first], "notificationDate": "2030-01-01T01:30:00Z"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        again["markets"][0]["notification"],
        json!({"date": "2030-01-01T01:30:00.000Z"})
    );
    // Each reminder change is a market change (SPEC §8): the whole market to the data
    // pipeline and the campaign's stream record, per market and change; the presale time did
    // not change, so nothing for the refresh selections.
    app.wait_for_delivery().await;
    let out = app.outbound_since(&mark);
    let changed: Vec<(String, Value)> = out
        .data_pipeline
        .iter()
        .map(|m| {
            let OutboundMessage::DataPipeline(DataPipelineMessage::Market { operation, market }) =
                m
            else {
                panic!("a market message: {m:?}");
            };
            assert_eq!(*operation, Operation::Update);
            (market.id.to_string(), json!(market.notification))
        })
        .collect();
    assert_eq!(
        changed,
        [
            (w.first.clone(), json!({"date": "2030-01-01T01:00:00.000Z"})),
            (w.last.clone(), json!({"date": "2030-01-01T01:00:00.000Z"})),
            (
                w.first.clone(),
                json!({"date": "2030-01-01T01:00:00.000Z", "notified": "2030-01-01T01:00:00.000Z"})
            ),
            (w.first.clone(), json!({"date": "2030-01-01T01:30:00.000Z"})),
        ]
    );
    assert_eq!(out.stream.len(), 4, "{out:?}");
    assert!(out.refresh_selections.is_empty(), "{out:?}");
    w.app.shut_down().await;
}

#[tokio::test]
async fn a_reminder_date_must_lie_between_now_and_each_presale() {
    let w = world().await;
    let app = &w.app;
    let token = app.supreme_token();
    let missing = "65a1b2c3d4e5f60718293a4b";
    // After the first market's presale (02:00), fine for the last one: refused as a whole.
    let e = error_of(
        app.post(
            "/markets/notifyDate",
            &token,
            &json!({"marketIds": [w.last, w.first, missing, w.no_presale], "notificationDate": "2030-01-01T02:30:00Z"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    assert_eq!(
        detail_fields(&e),
        ["marketIds[1]", "marketIds[2]", "marketIds[3]"]
    );
    let messages: Vec<&str> = e["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(
        messages[0].contains(&w.first) && messages[0].contains("after"),
        "{messages:?}"
    );
    assert!(messages[1].contains(missing), "{messages:?}");
    assert!(messages[2].contains("presale"), "{messages:?}");
    // In the past.
    let e = error_of(
        app.post(
            "/markets/notifyDate",
            &token,
            &json!({"marketIds": [w.last], "notificationDate": "2029-12-31T23:59:59Z"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    assert_eq!(detail_fields(&e), ["marketIds[0]"]);
    // Nothing was written.
    let last = data_of(app.get("/markets/notifiable", &token).await, StatusCode::OK).await;
    assert_eq!(last, json!({"markets": []}));
    let stored = app
        .ports
        .markets
        .find_by_ids(&[campaign_domain::values::MarketId::parse(&w.last).unwrap()])
        .await
        .unwrap();
    assert_eq!(stored[0].notification, Default::default());
    assert_eq!(stored[0].version, 1);
    // Malformed bodies.
    for (body, fields) in [
        (json!({}), vec!["marketIds", "notificationDate"]),
        (
            json!({"marketIds": [], "notificationDate": "soon"}),
            vec!["marketIds", "notificationDate"],
        ),
        (
            json!({"marketIds": ["x"], "notificationDate": "2030-01-01T01:00:00Z"}),
            vec!["marketIds[0]"],
        ),
        (json!([1]), vec!["body"]),
    ] {
        let e = error_of(
            app.post("/markets/notifyDate", &token, &body).await,
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
        )
        .await;
        assert_eq!(detail_fields(&e), fields, "{body}");
    }
    w.app.shut_down().await;
}

#[tokio::test]
async fn marking_notified_needs_existing_markets() {
    let w = world().await;
    let app = &w.app;
    let token = app.supreme_token();
    let missing = "65a1b2c3d4e5f60718293a4b";
    let e = error_of(
        app.post(
            "/markets/notified",
            &token,
            &json!({"marketIds": [w.first, missing]}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    assert_eq!(detail_fields(&e), ["marketIds[1]"]);
    for body in [
        json!({}),
        json!({"marketIds": "x"}),
        json!({"marketIds": []}),
    ] {
        let e = error_of(
            app.post("/markets/notified", &token, &body).await,
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
        )
        .await;
        assert_eq!(detail_fields(&e), ["marketIds"], "{body}");
    }
    let marked = data_of(
        app.post(
            "/markets/notified",
            &token,
            &json!({"marketIds": [w.first]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        marked["markets"][0]["notification"]["notified"],
        "2030-01-01T00:00:00.000Z"
    );
    w.app.shut_down().await;
}

#[tokio::test]
async fn reminder_routes_are_for_supreme_users_only() {
    let w = world().await;
    let app = &w.app;
    let campaign = app
        .ports
        .markets
        .find_by_ids(&[campaign_domain::values::MarketId::parse(&w.first).unwrap()])
        .await
        .unwrap()[0]
        .campaign_id
        .to_string();
    let admin = app.user_token("manager", &[(&campaign, &["admin"])]);
    let body = json!({"marketIds": [w.first], "notificationDate": "2030-01-01T01:00:00Z"});
    for (method, path) in [
        (Method::GET, "/markets/upcoming"),
        (Method::POST, "/markets/notifyDate"),
        (Method::GET, "/markets/notifiable"),
        (Method::POST, "/markets/notified"),
    ] {
        let with_body = (method == Method::POST).then_some(&body);
        error_of(
            app.request(method.clone(), path, Some(&admin), with_body)
                .await,
            StatusCode::FORBIDDEN,
            "SUPREME_USER_REQUIRED",
        )
        .await;
        error_of(
            app.request(method.clone(), path, None, with_body).await,
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
        )
        .await;
        let wrong = if method == Method::GET {
            Method::POST
        } else {
            Method::GET
        };
        error_of(
            app.request(wrong, path, Some(&app.supreme_token()), None)
                .await,
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
        )
        .await;
    }
    // Nothing changed.
    let stored = app
        .ports
        .markets
        .find_by_ids(&[campaign_domain::values::MarketId::parse(&w.first).unwrap()])
        .await
        .unwrap();
    assert_eq!(stored[0].version, 1);
    w.app.shut_down().await;
}
