//! `POST /campaigns/{id}/markets/clones`: copying another campaign's markets.

use campaign_domain::chrono::TimeDelta;
use campaign_domain::market::Market;
use campaign_domain::messages::{DataPipelineMessage, Operation, OutboundMessage};
use campaign_domain::values::EventId;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, data_of, detail_fields, error_of, market_doc, presale_campaign};

async fn campaign(app: &TestApp, name: &str) -> String {
    let c = app.create_campaign(&presale_campaign(name)).await;
    c["id"].as_str().unwrap().to_owned()
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn markets_of(app: &TestApp, id: &str) -> Value {
    data_of(
        app.get(&format!("/campaigns/{id}/markets"), &app.supreme_token())
            .await,
        StatusCode::OK,
    )
    .await["markets"]
        .clone()
}

#[tokio::test]
async fn a_clone_copies_new_names_skips_taken_ones_and_drops_used_event_ids() {
    let app = TestApp::spawn().await;
    let source = campaign(&app, "Source").await;
    let target = campaign(&app, "Target").await;
    for (name, ev) in [("Austin", "ev-1"), ("Boston", "ev-2"), ("Chicago", "ev-3")] {
        app.create_market(&source, &market_doc(name, &[ev])).await;
    }
    app.create_market(&target, &market_doc("Boston", &["ev-9"]))
        .await;
    app.create_market(&target, &market_doc("Denver", &["ev-1"]))
        .await;
    let source_before = markets_of(&app, &source).await;
    app.wait_for_delivery().await;
    let mark = app.outbound_mark();
    app.clock.advance(TimeDelta::hours(1));

    let outcome = data_of(
        app.post(
            &format!("/campaigns/{target}/markets/clones"),
            &app.supreme_token(),
            &json!({"fromCampaignId": source}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(names(&outcome["cloned"]), ["Austin", "Chicago"]);
    let austin = &outcome["cloned"][0];
    assert_eq!(austin["campaign_id"], target.as_str());
    assert_ne!(austin["id"], source_before[0]["id"]);
    assert_eq!(austin["version"], 1);
    assert_eq!(
        austin["event"]["ids"],
        json!([]),
        "ev-1 belongs to Denver in the target"
    );
    assert_eq!(austin["date"]["created"], "2030-01-01T01:00:00.000Z");
    assert_eq!(austin["city"], source_before[0]["city"]);
    assert_eq!(outcome["cloned"][1]["event"]["ids"], json!(["ev-3"]));
    assert_eq!(
        outcome["skipped"],
        json!([{
            "id": source_before[1]["id"],
            "name": "Boston",
            "reason": "MARKET_NAME_EXISTS",
            "message": outcome["skipped"][0]["message"],
        }])
    );
    assert!(
        outcome["skipped"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Boston")
    );
    assert_eq!(
        names(&markets_of(&app, &target).await),
        ["Austin", "Boston", "Chicago", "Denver"]
    );
    assert_eq!(
        markets_of(&app, &source).await,
        source_before,
        "source unchanged"
    );

    // Each copy is a create with its own messages, the event ids growing with each.
    app.wait_for_delivery().await;
    let out = app.outbound_since(&mark);
    let created: Vec<Market> = out
        .data_pipeline
        .iter()
        .map(|m| match m {
            OutboundMessage::DataPipeline(DataPipelineMessage::Market {
                operation: Operation::Create,
                market,
            }) => (**market).clone(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    let cloned: Vec<Market> = serde_json::from_value(outcome["cloned"].clone()).unwrap();
    assert_eq!(created, cloned);
    let streamed: Vec<Vec<String>> = out
        .stream
        .iter()
        .map(|m| match m {
            OutboundMessage::CampaignStream(r) => {
                r.event_ids.iter().map(EventId::to_string).collect()
            }
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        streamed,
        [
            vec!["ev-1", "ev-9", "own-1"],
            vec!["ev-1", "ev-3", "ev-9", "own-1"]
        ]
    );
    assert_eq!(out.refresh_selections.len(), 2);

    // Cloning again copies nothing more.
    let again = data_of(
        app.post(
            &format!("/campaigns/{target}/markets/clones"),
            &app.supreme_token(),
            &json!({"fromCampaignId": source}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(again["cloned"], json!([]));
    assert_eq!(again["skipped"].as_array().unwrap().len(), 3);
    app.shut_down().await;
}

#[tokio::test]
async fn a_copy_whose_presale_lies_outside_the_target_window_is_skipped() {
    let app = TestApp::spawn().await;
    let source = campaign(&app, "Source").await;
    let mut later = presale_campaign("Later");
    later["date"] = json!({
        "presaleWindowStart": "2030-04-01T00:00:00Z",
        "presaleWindowEnd": "2030-05-01T00:00:00Z"
    });
    let target = app.create_campaign(&later).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.create_market(&source, &market_doc("Austin", &["ev-1"]))
        .await;
    let outcome = data_of(
        app.post(
            &format!("/campaigns/{target}/markets/clones"),
            &app.supreme_token(),
            &json!({"fromCampaignId": source}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(outcome["cloned"], json!([]));
    assert_eq!(outcome["skipped"][0]["reason"], "INVALID_MARKET");
    assert_eq!(outcome["skipped"][0]["name"], "Austin");
    app.shut_down().await;
}

#[tokio::test]
async fn a_clone_needs_write_on_the_target_and_read_on_the_source() {
    let app = TestApp::spawn().await;
    let source = campaign(&app, "Source").await;
    let target = campaign(&app, "Target").await;
    app.create_market(&source, &market_doc("Austin", &["ev-1"]))
        .await;
    let path = format!("/campaigns/{target}/markets/clones");
    let body = json!({"fromCampaignId": source});
    let missing = "65a1b2c3d4e5f60718293a4b";

    let no_source = app.user_token("u1", &[(&target, &["write"])]);
    let e = error_of(
        app.post(&path, &no_source, &body).await,
        StatusCode::FORBIDDEN,
        "UNAUTHORIZED",
    )
    .await;
    assert!(e["message"].as_str().unwrap().contains("read"), "{e}");
    // The same answer for a source that does not exist.
    error_of(
        app.post(&path, &no_source, &json!({"fromCampaignId": missing}))
            .await,
        StatusCode::FORBIDDEN,
        "UNAUTHORIZED",
    )
    .await;
    let read_only = app.user_token("u2", &[(&target, &["read"]), (&source, &["read"])]);
    let e = error_of(
        app.post(&path, &read_only, &body).await,
        StatusCode::FORBIDDEN,
        "UNAUTHORIZED",
    )
    .await;
    assert!(e["message"].as_str().unwrap().contains("write"), "{e}");
    let allowed = app.user_token("u3", &[(&target, &["write"]), (&source, &["read"])]);
    let outcome = data_of(app.post(&path, &allowed, &body).await, StatusCode::OK).await;
    assert_eq!(names(&outcome["cloned"]), ["Austin"]);
    app.shut_down().await;
}

#[tokio::test]
async fn a_clone_names_an_existing_other_campaign() {
    let app = TestApp::spawn().await;
    let target = campaign(&app, "Target").await;
    let token = app.supreme_token();
    let path = format!("/campaigns/{target}/markets/clones");
    let missing = "65a1b2c3d4e5f60718293a4b";
    // A source that does not exist is a bad value of the body, not a missing resource of the
    // path: 400 naming the field, not 404 (which would read as the target missing).
    for body in [
        json!({}),
        json!({"fromCampaignId": "nope"}),
        json!({"fromCampaignId": target}),
        json!({"fromCampaignId": missing}),
    ] {
        let e = error_of(
            app.post(&path, &token, &body).await,
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
        )
        .await;
        assert_eq!(detail_fields(&e), ["fromCampaignId"], "{body}");
    }
    error_of(
        app.post(
            &format!("/campaigns/{missing}/markets/clones"),
            &token,
            &json!({"fromCampaignId": target}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "CAMPAIGN_NOT_FOUND",
    )
    .await;
    error_of(
        app.post(
            "/campaigns/nope/markets/clones",
            &token,
            &json!({"fromCampaignId": target}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    app.shut_down().await;
}
