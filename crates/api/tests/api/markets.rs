//! Markets of a campaign through HTTP (SPEC §6 "Markets", §7.7, §8): create, read, list (also as
//! GeoJSON), update with `If-Match`, delete; every rule with its error type; permissions; and
//! the exact messages each change sends.

use std::sync::Arc;

use campaign_adapter_memory::MemoryDiscovery;
use campaign_domain::chrono::{DateTime, TimeDelta, TimeZone, Utc};
use campaign_domain::market::Market;
use campaign_domain::messages::{
    DataPipelineMessage, Operation, OutboundMessage, RefreshSelectionsMessage,
};
use campaign_domain::search::VenueSummary;
use campaign_domain::values::EventId;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{
    Options, TestApp, data_of, detail_fields, error_of, json_of, market_doc, presale_campaign,
    start_time,
};

/// A campaign with a presale window; returns its id.
async fn campaign(app: &TestApp) -> String {
    let c = app.create_campaign(&presale_campaign("Spring Tour")).await;
    c["id"].as_str().unwrap().to_owned()
}

fn event_ids(ids: &[&str]) -> Vec<EventId> {
    ids.iter().map(|id| EventId::parse(id).unwrap()).collect()
}

/// The stream record's event ids of one recorded message.
fn stream_ids(message: &OutboundMessage) -> Vec<EventId> {
    match message {
        OutboundMessage::CampaignStream(r) => r.event_ids.clone(),
        other => panic!("not a stream record: {other:?}"),
    }
}

/// The operation and market of one recorded data-pipeline message.
fn pipeline_market(message: &OutboundMessage) -> (Operation, Market) {
    match message {
        OutboundMessage::DataPipeline(DataPipelineMessage::Market { operation, market }) => {
            (*operation, (**market).clone())
        }
        other => panic!("not a market data-pipeline message: {other:?}"),
    }
}

fn as_market(data: &Value) -> Market {
    serde_json::from_value(data.clone()).expect("a market document")
}

#[tokio::test]
async fn a_created_market_answers_201_with_location_etag_and_the_stored_document() {
    let app = TestApp::spawn().await;
    let id = campaign(&app).await;
    let mut body = market_doc("New York", &["ev-1", "ev-2"]);
    // Read-only fields a client sends are ignored.
    body["id"] = json!("65a1b2c3d4e5f60718293a4b");
    body["version"] = json!(42);
    body["notification"] = json!({"date": "2030-01-05T00:00:00Z"});
    let res = app
        .post(
            &format!("/campaigns/{id}/markets"),
            &app.supreme_token(),
            &body,
        )
        .await;
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let market = data_of(res, StatusCode::CREATED).await;
    let market_id = market["id"].as_str().unwrap();
    assert_ne!(market_id, "65a1b2c3d4e5f60718293a4b");
    assert_eq!(location, format!("/campaigns/{id}/markets/{market_id}"));
    assert_eq!(etag, "\"1\"");
    assert_eq!(market["version"], 1);
    assert_eq!(market["campaign_id"], id.as_str());
    assert_eq!(market["name"], "New York");
    assert_eq!(market["event"]["ids"], json!(["ev-1", "ev-2"]));
    assert_eq!(
        market["event"]["presaleDateTime"],
        "2030-02-10T15:00:00.000Z"
    );
    assert_eq!(market["point"]["coordinates"], json!([-73.98, 40.75]));
    assert_eq!(market["notification"], json!({}));
    assert_eq!(market["date"]["created"], "2030-01-01T00:00:00.000Z");

    let res = app.get(&location, &app.supreme_token()).await;
    assert_eq!(res.headers()["etag"], "\"1\"");
    assert_eq!(data_of(res, StatusCode::OK).await, market);
    app.shut_down().await;
}

#[tokio::test]
async fn a_create_sends_the_market_the_full_event_ids_and_the_presale_time() {
    let app = TestApp::spawn().await;
    let id = campaign(&app).await;
    app.create_market(&id, &market_doc("Boston", &["ev-9"]))
        .await;
    app.wait_for_delivery().await;
    let mark = app.outbound_mark();
    let market = app
        .create_market(&id, &market_doc("New York", &["ev-2", "ev-1", "ev-2"]))
        .await;
    app.wait_for_delivery().await;
    let out = app.outbound_since(&mark);
    let stored = as_market(&market);
    assert_eq!(out.data_pipeline.len(), 1, "{:?}", out.data_pipeline);
    assert_eq!(
        pipeline_market(&out.data_pipeline[0]),
        (Operation::Create, stored.clone())
    );
    assert_eq!(out.stream.len(), 1);
    assert_eq!(
        stream_ids(&out.stream[0]),
        event_ids(&["ev-1", "ev-2", "ev-9", "own-1"]),
        "own event ids and every market's, de-duplicated and sorted"
    );
    let OutboundMessage::CampaignStream(record) = &out.stream[0] else {
        unreachable!()
    };
    assert_eq!(record.campaign_id.as_str(), id);
    assert_eq!(
        out.refresh_selections,
        [OutboundMessage::RefreshSelections(
            RefreshSelectionsMessage {
                campaign_id: stored.campaign_id.clone(),
                market_id: stored.id.clone(),
                presale_date_time: Utc.with_ymd_and_hms(2030, 2, 10, 15, 0, 0).unwrap(),
            }
        )]
    );
    assert!(out.cdn.is_empty(), "a market change purges nothing");
    assert_eq!(out.artist_extension, 0);
    app.shut_down().await;
}

#[tokio::test]
async fn a_market_without_presale_time_sends_no_refresh_selections_message() {
    let app = TestApp::spawn().await;
    let id = campaign(&app).await;
    app.wait_for_delivery().await;
    let mark = app.outbound_mark();
    let mut body = market_doc("Boston", &[]);
    body["event"]["presaleDateTime"] = Value::Null;
    app.create_market(&id, &body).await;
    app.wait_for_delivery().await;
    let out = app.outbound_since(&mark);
    assert_eq!(out.data_pipeline.len(), 1);
    assert_eq!(stream_ids(&out.stream[0]), event_ids(&["own-1"]));
    assert!(out.refresh_selections.is_empty());
    app.shut_down().await;
}

#[tokio::test]
async fn an_update_merges_bumps_the_version_and_sends_refresh_selections_only_for_a_new_presale() {
    let app = TestApp::spawn().await;
    let id = campaign(&app).await;
    let market = app.create_market(&id, &market_doc("NYC", &["ev-1"])).await;
    let path = format!("/campaigns/{id}/markets/{}", market["id"].as_str().unwrap());
    app.wait_for_delivery().await;

    // A change that keeps the presale time: data pipeline and stream only.
    let mark = app.outbound_mark();
    let res = app
        .post(
            &path,
            &app.supreme_token(),
            &json!({"city": "Manhattan", "event": {"ids": ["ev-1", "ev-3"]}}),
        )
        .await;
    assert_eq!(res.headers()["etag"], "\"2\"");
    let updated = data_of(res, StatusCode::OK).await;
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["city"], "Manhattan");
    assert_eq!(updated["name"], "NYC", "untouched fields stay");
    assert_eq!(updated["event"]["venue"]["name"], "Madison Square Garden");
    assert_eq!(updated["date"]["created"], market["date"]["created"]);
    app.wait_for_delivery().await;
    let out = app.outbound_since(&mark);
    assert_eq!(
        out.data_pipeline
            .iter()
            .map(pipeline_market)
            .collect::<Vec<_>>(),
        [(Operation::Update, as_market(&updated))]
    );
    assert_eq!(out.stream.len(), 1);
    assert_eq!(
        stream_ids(&out.stream[0]),
        event_ids(&["ev-1", "ev-3", "own-1"])
    );
    assert!(out.refresh_selections.is_empty());

    // A new presale time: refresh-selections too.
    app.clock.advance(TimeDelta::seconds(60));
    let mark = app.outbound_mark();
    let updated = data_of(
        app.post(
            &path,
            &app.supreme_token(),
            &json!({"event": {"presaleDateTime": "2030-02-20T10:00:00Z"}}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(updated["date"]["updated"], "2030-01-01T00:01:00.000Z");
    app.wait_for_delivery().await;
    let out = app.outbound_since(&mark);
    assert_eq!(out.data_pipeline.len(), 1);
    assert_eq!(out.stream.len(), 1);
    assert_eq!(
        out.refresh_selections,
        [OutboundMessage::RefreshSelections(
            RefreshSelectionsMessage {
                campaign_id: as_market(&updated).campaign_id,
                market_id: as_market(&updated).id,
                presale_date_time: Utc.with_ymd_and_hms(2030, 2, 20, 10, 0, 0).unwrap(),
            }
        )]
    );
    app.shut_down().await;
}

#[tokio::test]
async fn a_delete_answers_204_without_body_and_sends_the_removed_market() {
    let app = TestApp::spawn().await;
    let id = campaign(&app).await;
    app.create_market(&id, &market_doc("Boston", &["ev-9"]))
        .await;
    let market = app.create_market(&id, &market_doc("NYC", &["ev-1"])).await;
    let path = format!("/campaigns/{id}/markets/{}", market["id"].as_str().unwrap());
    app.wait_for_delivery().await;
    let mark = app.outbound_mark();
    let res = app.delete(&path, &app.supreme_token()).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(res.headers().get("x-correlation-id").is_some());
    assert!(res.bytes().await.unwrap().is_empty(), "204 has no body");
    app.wait_for_delivery().await;
    let out = app.outbound_since(&mark);
    assert_eq!(
        out.data_pipeline
            .iter()
            .map(pipeline_market)
            .collect::<Vec<_>>(),
        [(Operation::Delete, as_market(&market))]
    );
    assert_eq!(stream_ids(&out.stream[0]), event_ids(&["ev-9", "own-1"]));
    assert!(out.refresh_selections.is_empty());

    error_of(
        app.get(&path, &app.supreme_token()).await,
        StatusCode::NOT_FOUND,
        "MARKET_NOT_FOUND",
    )
    .await;
    error_of(
        app.delete(&path, &app.supreme_token()).await,
        StatusCode::NOT_FOUND,
        "MARKET_NOT_FOUND",
    )
    .await;
    app.shut_down().await;
}

#[tokio::test]
async fn the_list_is_by_name_and_can_be_geojson() {
    let app = TestApp::spawn().await;
    let id = campaign(&app).await;
    let mut no_point = market_doc("Albany", &[]);
    no_point.as_object_mut().unwrap().remove("point");
    app.create_market(&id, &market_doc("Zurich", &["ev-1"]))
        .await;
    app.create_market(&id, &no_point).await;
    let token = app.supreme_token();
    let list = data_of(
        app.get(&format!("/campaigns/{id}/markets"), &token).await,
        StatusCode::OK,
    )
    .await;
    let names: Vec<&str> = list["markets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Albany", "Zurich"]);

    let geo = data_of(
        app.get(&format!("/campaigns/{id}/markets?useGeoJson=true"), &token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(geo["type"], "FeatureCollection");
    let features = geo["features"].as_array().unwrap();
    assert_eq!(features.len(), 2);
    assert_eq!(features[0]["type"], "Feature");
    assert!(features[0]["geometry"].is_null());
    assert_eq!(features[0]["properties"]["name"], "Albany");
    assert_eq!(
        features[1]["geometry"],
        json!({"type": "Point", "coordinates": [-73.98, 40.75]})
    );
    let mut zurich = list["markets"][1].clone();
    zurich.as_object_mut().unwrap().remove("point");
    assert_eq!(features[1]["properties"], zurich);

    let plain = data_of(
        app.get(&format!("/campaigns/{id}/markets?useGeoJson=false"), &token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(plain, list);
    let e = error_of(
        app.get(&format!("/campaigns/{id}/markets?useGeoJson=maybe"), &token)
            .await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    assert_eq!(detail_fields(&e), ["useGeoJson"]);
    app.shut_down().await;
}

#[tokio::test]
async fn a_market_needs_its_fields_and_valid_values() {
    let app = TestApp::spawn().await;
    let id = campaign(&app).await;
    app.wait_for_delivery().await;
    let mark = app.outbound_mark();
    let path = format!("/campaigns/{id}/markets");
    let token = app.supreme_token();
    let e = error_of(
        app.post(
            &path,
            &token,
            &json!({"point": {"type": "Point", "coordinates": [200, 10]}}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    let fields = detail_fields(&e);
    for f in ["name", "city", "state", "timezone", "point"] {
        assert!(fields.contains(&f.to_owned()), "{f} in {fields:?}");
    }
    let mut bad = market_doc("X", &["not an id"]);
    bad["timezone"] = json!("Mars/Olympus");
    bad["event"]["presaleDateTime"] = json!("tomorrow");
    let e = error_of(
        app.post(&path, &token, &bad).await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    assert_eq!(
        detail_fields(&e),
        ["timezone", "event.ids[0]", "event.presaleDateTime"]
    );
    error_of(
        app.post(&path, &token, &json!(["not", "an", "object"]))
            .await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    let res = app
        .client
        .post(app.url(&path))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    error_of(res, StatusCode::BAD_REQUEST, "MALFORMED_JSON").await;
    let res = app
        .client
        .post(app.url(&path))
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    error_of(
        res,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "UNSUPPORTED_MEDIA_TYPE",
    )
    .await;
    let huge = json!({"name": "x".repeat(1024 * 1024 + 10)});
    error_of(
        app.post(&path, &token, &huge).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "PAYLOAD_TOO_LARGE",
    )
    .await;
    app.wait_for_delivery().await;
    let out = app.outbound_since(&mark);
    assert!(
        out.stream.is_empty() && out.data_pipeline.is_empty() && out.refresh_selections.is_empty(),
        "a refused write sends nothing: {out:?}"
    );
    let list = data_of(app.get(&path, &token).await, StatusCode::OK).await;
    assert_eq!(list["markets"], json!([]));
    app.shut_down().await;
}

#[tokio::test]
async fn names_are_unique_within_a_campaign_only() {
    let app = TestApp::spawn().await;
    let id = campaign(&app).await;
    let other = campaign(&app).await;
    let token = app.supreme_token();
    app.create_market(&id, &market_doc("NYC", &["ev-1"])).await;
    let boston = app
        .create_market(&id, &market_doc("Boston", &["ev-2"]))
        .await;
    let e = error_of(
        app.post(
            &format!("/campaigns/{id}/markets"),
            &token,
            &market_doc("NYC", &["ev-3"]),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "MARKET_NAME_EXISTS",
    )
    .await;
    assert!(e["message"].as_str().unwrap().contains("NYC"), "{e}");
    // Renaming onto a taken name is refused too.
    error_of(
        app.post(
            &format!("/campaigns/{id}/markets/{}", boston["id"].as_str().unwrap()),
            &token,
            &json!({"name": "NYC"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "MARKET_NAME_EXISTS",
    )
    .await;
    // Another campaign may use the name (and the event id).
    app.create_market(&other, &market_doc("NYC", &["ev-1"]))
        .await;
    app.shut_down().await;
}

#[tokio::test]
async fn concurrent_creates_of_one_name_make_one_market() {
    let app = Arc::new(TestApp::spawn().await);
    let id = campaign(&app).await;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let app = app.clone();
        let id = id.clone();
        tasks.push(tokio::spawn(async move {
            let token = app.supreme_token();
            let res = app
                .post(
                    &format!("/campaigns/{id}/markets"),
                    &token,
                    &market_doc("Race", &[&format!("ev-{i}")]),
                )
                .await;
            json_of(res).await
        }));
    }
    let mut created = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        if status == StatusCode::CREATED {
            created += 1;
        } else {
            assert_eq!(status, StatusCode::BAD_REQUEST);
            assert_eq!(body["error"]["type"], "MARKET_NAME_EXISTS");
        }
    }
    assert_eq!(created, 1);
    let list = data_of(
        app.get(&format!("/campaigns/{id}/markets"), &app.supreme_token())
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["markets"].as_array().unwrap().len(), 1);
    if let Ok(app) = Arc::try_unwrap(app) {
        app.shut_down().await;
    }
}

#[tokio::test]
async fn an_event_id_belongs_to_one_market_of_a_campaign() {
    let app = TestApp::spawn().await;
    let id = campaign(&app).await;
    let token = app.supreme_token();
    app.create_market(&id, &market_doc("NYC", &["ev-1", "ev-2"]))
        .await;
    let boston = app
        .create_market(&id, &market_doc("Boston", &["ev-3"]))
        .await;
    let e = error_of(
        app.post(
            &format!("/campaigns/{id}/markets"),
            &token,
            &market_doc("LA", &["ev-4", "ev-2"]),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "DUPLICATE_EVENT_ID",
    )
    .await;
    assert!(e["message"].as_str().unwrap().contains("ev-2"), "{e}");
    error_of(
        app.post(
            &format!("/campaigns/{id}/markets/{}", boston["id"].as_str().unwrap()),
            &token,
            &json!({"event": {"ids": ["ev-3", "ev-1"]}}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "DUPLICATE_EVENT_ID",
    )
    .await;
    // A market keeps its own ids on update.
    data_of(
        app.post(
            &format!("/campaigns/{id}/markets/{}", boston["id"].as_str().unwrap()),
            &token,
            &json!({"event": {"ids": ["ev-3", "ev-5"]}}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    app.shut_down().await;
}

#[tokio::test]
async fn the_presale_time_must_lie_in_the_campaign_presale_window() {
    let app = TestApp::spawn().await;
    let id = campaign(&app).await;
    let token = app.supreme_token();
    let path = format!("/campaigns/{id}/markets");
    for outside in ["2030-01-31T23:59:59Z", "2030-03-01T00:00:01Z"] {
        let mut body = market_doc("NYC", &["ev-1"]);
        body["event"]["presaleDateTime"] = json!(outside);
        let e = error_of(
            app.post(&path, &token, &body).await,
            StatusCode::BAD_REQUEST,
            "INVALID_MARKET",
        )
        .await;
        assert_eq!(detail_fields(&e), ["event.presaleDateTime"]);
    }
    let mut edge = market_doc("NYC", &["ev-1"]);
    edge["event"]["presaleDateTime"] = json!("2030-02-01T00:00:00Z");
    let market = app.create_market(&id, &edge).await;
    error_of(
        app.post(
            &format!("{path}/{}", market["id"].as_str().unwrap()),
            &token,
            &json!({"event": {"presaleDateTime": "2031-01-01T00:00:00Z"}}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "INVALID_MARKET",
    )
    .await;
    // Without a window on the campaign, any presale time goes.
    let free = app
        .create_campaign(&crate::helpers::complete("No window"))
        .await;
    let mut body = market_doc("NYC", &["ev-1"]);
    body["event"]["presaleDateTime"] = json!("2035-01-01T00:00:00Z");
    app.create_market(free["id"].as_str().unwrap(), &body).await;
    app.shut_down().await;
}

#[tokio::test]
async fn promoter_ids_must_name_existing_promoters() {
    let app = TestApp::spawn().await;
    let id = campaign(&app).await;
    let token = app.supreme_token();
    let promoter = data_of(
        app.post(
            "/promoters",
            &token,
            &json!({"name": "Live Nation", "privacyUrls": [{"locale": "en-US", "url": "https://ln.example.test/privacy", "is_default": true}]}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let known = promoter["id"].as_str().unwrap();
    let unknown = "65a1b2c3d4e5f60718293a4b";
    let mut body = market_doc("NYC", &["ev-1"]);
    body["promoterIds"] = json!([known, unknown]);
    let e = error_of(
        app.post(&format!("/campaigns/{id}/markets"), &token, &body)
            .await,
        StatusCode::BAD_REQUEST,
        "INVALID_MARKET",
    )
    .await;
    assert_eq!(detail_fields(&e), ["promoterIds[1]"]);
    body["promoterIds"] = json!([known]);
    let market = app.create_market(&id, &body).await;
    assert_eq!(market["promoterIds"], json!([known]));
    let e = error_of(
        app.post(
            &format!("/campaigns/{id}/markets/{}", market["id"].as_str().unwrap()),
            &token,
            &json!({"promoterIds": [known, unknown]}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "INVALID_MARKET",
    )
    .await;
    assert_eq!(detail_fields(&e), ["promoterIds[1]"]);
    app.shut_down().await;
}

/// The venue `market_doc` names.
fn garden() -> VenueSummary {
    VenueSummary {
        id: "KovZpZA7AAEA".to_owned(),
        name: "Madison Square Garden".to_owned(),
        city: Some("New York".to_owned()),
        state: Some("NY".to_owned()),
        country: Some("US".to_owned()),
    }
}

fn catalogue() -> Arc<MemoryDiscovery> {
    Arc::new(MemoryDiscovery::new(
        Vec::new(),
        vec![garden()],
        event_ids(&["ev-1", "ev-2"]),
    ))
}

#[tokio::test]
async fn with_discovery_configured_event_and_venue_ids_must_exist_there() {
    let app = TestApp::spawn_with(Options {
        discovery: Some(catalogue()),
        ..Options::default()
    })
    .await;
    let id = campaign(&app).await;
    let token = app.supreme_token();
    let path = format!("/campaigns/{id}/markets");
    let mut body = market_doc("NYC", &["ev-1", "ev-404"]);
    body["event"]["venue"]["id"] = json!("nowhere");
    let e = error_of(
        app.post(&path, &token, &body).await,
        StatusCode::BAD_REQUEST,
        "INVALID_MARKET",
    )
    .await;
    assert_eq!(detail_fields(&e), ["event.ids[1]", "event.venue.id"]);
    let market = app.create_market(&id, &market_doc("NYC", &["ev-1"])).await;
    let e = error_of(
        app.post(
            &format!("{path}/{}", market["id"].as_str().unwrap()),
            &token,
            &json!({"event": {"ids": ["ev-1", "ev-3"]}}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "INVALID_MARKET",
    )
    .await;
    assert_eq!(detail_fields(&e), ["event.ids[1]"]);
    app.shut_down().await;
}

#[tokio::test]
async fn discovery_checks_each_new_event_id_once_a_few_at_a_time() {
    let ids: Vec<String> = (0..40).map(|i| format!("bulk-{i}")).collect();
    let known: Vec<&str> = ids.iter().map(String::as_str).collect();
    let discovery = Arc::new(MemoryDiscovery::new(
        Vec::new(),
        vec![garden()],
        event_ids(&known),
    ));
    let app = TestApp::spawn_with(Options {
        discovery: Some(discovery.clone()),
        ..Options::default()
    })
    .await;
    let id = campaign(&app).await;
    // Listed twice, checked once.
    let mut listed = known.clone();
    listed.extend(&known[..10]);
    let market = app.create_market(&id, &market_doc("Bulk", &listed)).await;
    assert_eq!(discovery.event_lookups(), 40);
    let peak = discovery.peak_concurrent_lookups();
    assert!((2..=4).contains(&peak), "lookups at once: {peak}");
    // An update checks only the ids that are new.
    let res = app
        .post(
            &format!("/campaigns/{id}/markets/{}", market["id"].as_str().unwrap()),
            &app.supreme_token(),
            &json!({"event": {"ids": known[..39]}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(discovery.event_lookups(), 40, "no id was new");
    app.shut_down().await;
}

#[tokio::test]
async fn without_discovery_event_and_venue_ids_are_not_checked() {
    let app = TestApp::spawn().await;
    let id = campaign(&app).await;
    let mut body = market_doc("NYC", &["anything-goes"]);
    body["event"]["venue"]["id"] = json!("any-venue");
    app.create_market(&id, &body).await;
    app.shut_down().await;
}

#[tokio::test]
async fn market_writes_need_write_and_reads_need_read_on_the_campaign() {
    let app = TestApp::spawn().await;
    let id = campaign(&app).await;
    let other = campaign(&app).await;
    let market = app.create_market(&id, &market_doc("NYC", &["ev-1"])).await;
    let market_path = format!("/campaigns/{id}/markets/{}", market["id"].as_str().unwrap());
    let list_path = format!("/campaigns/{id}/markets");
    let reader = app.user_token("reader", &[(&id, &["read"])]);
    let writer = app.user_token("writer", &[(&id, &["write"])]);
    let admin = app.user_token("admin", &[(&id, &["admin"])]);
    let stranger = app.user_token("stranger", &[(&other, &["admin"])]);

    // Reads: read (or more) on the campaign.
    for token in [&reader, &writer, &admin] {
        data_of(app.get(&list_path, token).await, StatusCode::OK).await;
        data_of(app.get(&market_path, token).await, StatusCode::OK).await;
    }
    // Writes: a reader is refused, before anything is looked up.
    let e = error_of(
        app.post(&list_path, &reader, &market_doc("LA", &[])).await,
        StatusCode::FORBIDDEN,
        "UNAUTHORIZED",
    )
    .await;
    assert!(e["message"].as_str().unwrap().contains("write"), "{e}");
    error_of(
        app.post(&market_path, &reader, &json!({"city": "x"})).await,
        StatusCode::FORBIDDEN,
        "UNAUTHORIZED",
    )
    .await;
    error_of(
        app.delete(&market_path, &reader).await,
        StatusCode::FORBIDDEN,
        "UNAUTHORIZED",
    )
    .await;
    // A writer (and an admin) may change markets.
    let la = data_of(
        app.post(&list_path, &writer, &market_doc("LA", &[])).await,
        StatusCode::CREATED,
    )
    .await;
    data_of(
        app.post(&market_path, &admin, &json!({"city": "Manhattan"}))
            .await,
        StatusCode::OK,
    )
    .await;
    let la_path = format!("{list_path}/{}", la["id"].as_str().unwrap());
    assert_eq!(
        app.delete(&la_path, &writer).await.status(),
        StatusCode::NO_CONTENT
    );
    // Without a grant: the same 403 whether the campaign exists or not.
    let missing = "65a1b2c3d4e5f60718293a4b";
    for path in [
        list_path.clone(),
        market_path.clone(),
        format!("/campaigns/{missing}/markets"),
        format!("/campaigns/{missing}/markets/{missing}"),
    ] {
        let e = error_of(
            app.get(&path, &stranger).await,
            StatusCode::FORBIDDEN,
            "UNAUTHORIZED",
        )
        .await;
        assert!(e["message"].as_str().unwrap().contains("read"), "{e}");
    }
    for path in [list_path.clone(), format!("/campaigns/{missing}/markets")] {
        error_of(
            app.post(&path, &stranger, &market_doc("X", &[])).await,
            StatusCode::FORBIDDEN,
            "UNAUTHORIZED",
        )
        .await;
    }
    // No token at all.
    let res = app.request(Method::GET, &list_path, None, None).await;
    error_of(res, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED").await;
    app.shut_down().await;
}

#[tokio::test]
async fn unknown_campaigns_and_markets_are_404_and_malformed_ids_400() {
    let app = TestApp::spawn().await;
    let id = campaign(&app).await;
    let other = campaign(&app).await;
    let token = app.supreme_token();
    let market = app.create_market(&other, &market_doc("NYC", &[])).await;
    let foreign = market["id"].as_str().unwrap();
    let missing = "65a1b2c3d4e5f60718293a4b";
    error_of(
        app.get(&format!("/campaigns/{missing}/markets"), &token)
            .await,
        StatusCode::NOT_FOUND,
        "CAMPAIGN_NOT_FOUND",
    )
    .await;
    error_of(
        app.post(
            &format!("/campaigns/{missing}/markets"),
            &token,
            &market_doc("X", &[]),
        )
        .await,
        StatusCode::NOT_FOUND,
        "CAMPAIGN_NOT_FOUND",
    )
    .await;
    error_of(
        app.get(&format!("/campaigns/{missing}/markets/{foreign}"), &token)
            .await,
        StatusCode::NOT_FOUND,
        "CAMPAIGN_NOT_FOUND",
    )
    .await;
    // A market of another campaign is not found under this one.
    let here = format!("/campaigns/{id}/markets/{foreign}");
    error_of(
        app.get(&here, &token).await,
        StatusCode::NOT_FOUND,
        "MARKET_NOT_FOUND",
    )
    .await;
    error_of(
        app.post(&here, &token, &json!({"city": "x"})).await,
        StatusCode::NOT_FOUND,
        "MARKET_NOT_FOUND",
    )
    .await;
    error_of(
        app.delete(&here, &token).await,
        StatusCode::NOT_FOUND,
        "MARKET_NOT_FOUND",
    )
    .await;
    // Malformed ids.
    let e = error_of(
        app.get("/campaigns/nope/markets", &token).await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    assert_eq!(detail_fields(&e), ["id"]);
    let e = error_of(
        app.get(&format!("/campaigns/{id}/markets/nope"), &token)
            .await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    assert_eq!(detail_fields(&e), ["marketId"]);
    error_of(
        app.delete(&format!("/campaigns/{id}/markets/nope"), &token)
            .await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    // Wrong methods.
    for (method, path) in [
        (Method::PUT, format!("/campaigns/{id}/markets/{foreign}")),
        (Method::DELETE, format!("/campaigns/{id}/markets")),
        (Method::GET, format!("/campaigns/{id}/markets/clones")),
    ] {
        error_of(
            app.request(method, &path, Some(&token), None).await,
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
        )
        .await;
    }
    app.shut_down().await;
}

#[tokio::test]
async fn if_match_makes_updates_and_deletes_conditional() {
    let app = TestApp::spawn().await;
    let id = campaign(&app).await;
    let market = app.create_market(&id, &market_doc("NYC", &[])).await;
    let path = format!("/campaigns/{id}/markets/{}", market["id"].as_str().unwrap());
    let token = app.supreme_token();
    let send = |method: Method, if_match: &str, body: Option<Value>| {
        let mut req = app
            .client
            .request(method, app.url(&path))
            .bearer_auth(&token)
            .header("if-match", if_match);
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send()
    };
    let ok = send(Method::POST, "\"1\"", Some(json!({"city": "A"})))
        .await
        .unwrap();
    assert_eq!(data_of(ok, StatusCode::OK).await["version"], 2);
    let stale = send(Method::POST, "\"1\"", Some(json!({"city": "B"})))
        .await
        .unwrap();
    let e = error_of(stale, StatusCode::CONFLICT, "VERSION_CONFLICT").await;
    assert!(e["message"].as_str().unwrap().contains('2'), "{e}");
    let bare = send(Method::POST, "2", Some(json!({"city": "C"})))
        .await
        .unwrap();
    assert_eq!(data_of(bare, StatusCode::OK).await["city"], "C");
    let bad = send(Method::POST, "\"abc\"", Some(json!({"city": "D"})))
        .await
        .unwrap();
    error_of(bad, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    let stale = send(Method::DELETE, "\"2\"", None).await.unwrap();
    error_of(stale, StatusCode::CONFLICT, "VERSION_CONFLICT").await;
    let current = data_of(app.get(&path, &token).await, StatusCode::OK).await;
    assert_eq!(current["city"], "C");
    let ok = send(Method::DELETE, "\"3\"", None).await.unwrap();
    assert_eq!(ok.status(), StatusCode::NO_CONTENT);
    app.shut_down().await;
}

#[tokio::test]
async fn market_writes_record_the_dates_of_their_events() {
    let app = TestApp::spawn().await;
    let id = campaign(&app).await;
    let market = app.create_market(&id, &market_doc("NYC", &["ev-1"])).await;
    let date = |s: &str| Some(s.parse::<DateTime<Utc>>().unwrap());
    let ev1 = EventId::parse("ev-1").unwrap();
    let event = app.ports.events.find(&ev1).await.unwrap().unwrap();
    assert_eq!(event.date, date("2030-03-10T20:00:00Z"));
    data_of(
        app.post(
            &format!("/campaigns/{id}/markets/{}", market["id"].as_str().unwrap()),
            &app.supreme_token(),
            &json!({"event": {"ids": ["ev-1", "ev-2"], "date": "2030-03-11T20:00:00Z"}}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    for ev in ["ev-1", "ev-2"] {
        let event = app
            .ports
            .events
            .find(&EventId::parse(ev).unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(event.date, date("2030-03-11T20:00:00Z"), "{ev}");
    }
    assert!(start_time() < date("2030-03-11T20:00:00Z").unwrap());
    app.shut_down().await;
}
