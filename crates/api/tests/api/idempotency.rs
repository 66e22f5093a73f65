//! `Idempotency-Key` on POST (SPEC §4.1): a retry replays the first answer and changes nothing;
//! another body is refused; keys are per caller and per path; malformed keys are refused; error
//! answers are replayed too; a request still running is answered 409; answers expire after 24 h.

use std::time::Duration;

use campaign_api::auth::TokenClaims;
use campaign_domain::chrono::TimeDelta;
use campaign_domain::uuid::Uuid;
use campaign_ports::{Begin, Clock as _, IdempotencyClaim, IdempotencyKey};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{KEYS, TestApp, detail_fields, draft, json_of};
use crate::support::{check_error, expect_data, expect_error, id_of};

const HEADER: &str = "idempotency-key";
const REPLAYED: &str = "idempotency-replayed";

/// A POST with a JSON body, a token and (optionally) an `Idempotency-Key`.
async fn post(app: &TestApp, path: &str, token: &str, key: Option<&str>, body: &Value) -> Response {
    let mut req = app
        .client
        .request(Method::POST, app.url(path))
        .bearer_auth(token)
        .json(body);
    if let Some(key) = key {
        req = req.header(HEADER, key);
    }
    req.send().await.expect("request sent")
}

/// Status, the headers a replay repeats, and the raw body.
struct Answer {
    status: StatusCode,
    location: Option<String>,
    etag: Option<String>,
    replayed: Option<String>,
    correlation: Option<String>,
    body: String,
}

impl Answer {
    async fn of(res: Response) -> Self {
        let header = |name: &str| {
            res.headers()
                .get(name)
                .map(|v| v.to_str().expect("ascii").to_owned())
        };
        let (location, etag, replayed, correlation) = (
            header("location"),
            header("etag"),
            header(REPLAYED),
            header("x-correlation-id"),
        );
        Self {
            status: res.status(),
            location,
            etag,
            replayed,
            correlation,
            body: res.text().await.expect("body"),
        }
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

fn unique_key() -> String {
    format!("key-{}", Uuid::new_v4().simple())
}

fn supreme(user: &str) -> String {
    KEYS.signer()
        .sign(&TokenClaims::supreme(user, Duration::from_secs(3600)))
        .expect("token signed")
}

/// How many campaigns `GET /campaigns/list?q=` finds.
async fn count_named(app: &TestApp, name: &str) -> u64 {
    let data = expect_data(
        app.get(&format!("/campaigns/list?q={name}"), &app.supreme_token())
            .await,
        StatusCode::OK,
    )
    .await;
    data["pagination"]["total"].as_u64().expect("a total")
}

fn promoter_doc(name: &str) -> Value {
    json!({
        "name": name,
        "privacyUrls": [{"locale": "en-US", "url": "https://promo.example.test/privacy", "is_default": true}]
    })
}

#[tokio::test]
async fn a_retried_create_runs_once_and_replays_the_first_answer() {
    let app = TestApp::spawn().await;
    let (token, key) = (app.supreme_token(), unique_key());
    let body = draft("Idempotent create");
    let first = Answer::of(post(&app, "/campaigns", &token, Some(&key), &body).await).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(first.replayed, None, "the first answer is no replay");
    let id = id_of(&first.json()["data"]);
    assert_eq!(first.location, Some(format!("/campaigns/{id}")));
    assert_eq!(first.etag.as_deref(), Some("\"1\""));

    app.clock.advance(TimeDelta::minutes(5));
    let retry = Answer::of(post(&app, "/campaigns", &token, Some(&key), &body).await).await;
    assert_eq!(retry.status, StatusCode::CREATED);
    assert_eq!(retry.replayed.as_deref(), Some("true"));
    assert_eq!(retry.body, first.body, "the very same body");
    assert_eq!(retry.location, first.location);
    assert_eq!(retry.etag, first.etag);
    assert!(retry.correlation.is_some(), "a replay is still a request");
    assert_ne!(
        retry.correlation, first.correlation,
        "the replay has its own correlation id in the header"
    );
    assert_eq!(
        retry.json()["meta"]["correlation"].as_str(),
        first.correlation.as_deref(),
        "the replayed body is the original's"
    );
    assert_eq!(count_named(&app, "Idempotent create").await, 1);
}

#[tokio::test]
async fn the_same_key_with_another_body_is_refused() {
    let app = TestApp::spawn().await;
    let (token, key) = (app.supreme_token(), unique_key());
    let res = post(&app, "/campaigns", &token, Some(&key), &draft("Reused key")).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = post(
        &app,
        "/campaigns",
        &token,
        Some(&key),
        &draft("Another body"),
    )
    .await;
    expect_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "IDEMPOTENCY_KEY_REUSED",
    )
    .await;
    assert_eq!(count_named(&app, "Another body").await, 0);
    assert_eq!(count_named(&app, "Reused key").await, 1);
}

#[tokio::test]
async fn keys_belong_to_their_caller() {
    let app = TestApp::spawn().await;
    let key = unique_key();
    let res = post(
        &app,
        "/campaigns",
        &supreme("admin-1"),
        Some(&key),
        &draft("Mine"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let theirs = Answer::of(
        post(
            &app,
            "/campaigns",
            &supreme("admin-2"),
            Some(&key),
            &draft("Theirs"),
        )
        .await,
    )
    .await;
    assert_eq!(theirs.status, StatusCode::CREATED, "{}", theirs.body);
    assert_eq!(theirs.replayed, None);
    assert_eq!(count_named(&app, "Theirs").await, 1);
}

#[tokio::test]
async fn keys_belong_to_their_path() {
    let app = TestApp::spawn().await;
    let (token, key) = (app.supreme_token(), unique_key());
    let res = post(&app, "/campaigns", &token, Some(&key), &draft("Path one")).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let promoter = Answer::of(
        post(
            &app,
            "/promoters",
            &token,
            Some(&key),
            &promoter_doc("Path two"),
        )
        .await,
    )
    .await;
    assert_eq!(promoter.status, StatusCode::CREATED, "{}", promoter.body);
    assert_eq!(promoter.replayed, None);
    assert_eq!(promoter.json()["data"]["name"], "Path two");
}

#[tokio::test]
async fn malformed_keys_are_a_validation_error() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    for key in ["k".repeat(256), "with space".to_owned()] {
        let res = post(&app, "/campaigns", &token, Some(&key), &draft("Bad key")).await;
        let body = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
        assert_eq!(
            detail_fields(&body["error"]),
            ["Idempotency-Key"],
            "{key:?}"
        );
    }
    assert_eq!(count_named(&app, "Bad key").await, 0, "nothing ran");
    let longest = "k".repeat(255);
    let res = post(
        &app,
        "/campaigns",
        &token,
        Some(&longest),
        &draft("Long key"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED, "255 characters are fine");
}

#[tokio::test]
async fn a_retried_update_increments_the_version_once() {
    let app = TestApp::spawn().await;
    let (token, key) = (app.supreme_token(), unique_key());
    let id = id_of(&app.create_campaign(&draft("Update once")).await);
    let path = format!("/campaigns/{id}");
    let patch = json!({"tour": {"name": "Retried"}});
    let first = Answer::of(post(&app, &path, &token, Some(&key), &patch).await).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.json()["data"]["version"], 2);
    let retry = Answer::of(post(&app, &path, &token, Some(&key), &patch).await).await;
    assert_eq!(retry.status, StatusCode::OK);
    assert_eq!(retry.replayed.as_deref(), Some("true"));
    assert_eq!(retry.body, first.body);
    assert_eq!(retry.etag.as_deref(), Some("\"2\""));
    let stored = expect_data(app.get(&path, &token).await, StatusCode::OK).await;
    assert_eq!(stored["version"], 2, "no second increment");
}

#[tokio::test]
async fn a_client_error_is_replayed_too() {
    let app = TestApp::spawn().await;
    let (token, key) = (app.supreme_token(), unique_key());
    let taken = app.create_campaign(&draft("Holder")).await;
    let body = json!({"name": "Latecomer", "artist": {"id": "K8vZ917G7x0", "name": "The Band"},
                      "domain": {"site": taken["domain"]["site"]}});
    let first = Answer::of(post(&app, "/campaigns", &token, Some(&key), &body).await).await;
    let (status, envelope) = (first.status, first.json());
    check_error(
        status,
        &envelope,
        StatusCode::BAD_REQUEST,
        "DOMAIN_NAME_CONFLICT",
    );
    assert_eq!(
        envelope["error"]["correlation"].as_str(),
        first.correlation.as_deref()
    );

    // The domain is free now; the retry still gets the first answer.
    let res = post(
        &app,
        &format!("/campaigns/{}", id_of(&taken)),
        &token,
        None,
        &json!({"domain": {"site": crate::helpers::domain("moved")}}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let retry = Answer::of(post(&app, "/campaigns", &token, Some(&key), &body).await).await;
    assert_eq!(retry.status, StatusCode::BAD_REQUEST);
    assert_eq!(retry.replayed.as_deref(), Some("true"));
    assert_eq!(
        retry.body, first.body,
        "the same envelope, type and details"
    );
    assert_eq!(count_named(&app, "Latecomer").await, 0);
}

#[tokio::test]
async fn a_request_still_running_is_answered_409() {
    let app = TestApp::spawn().await;
    let (token, key) = (app.supreme_token(), unique_key());
    let body = draft("Still running");
    let raw = serde_json::to_vec(&body).expect("json");
    // Another replica (or a slow request) holds the key for this very body.
    let record = IdempotencyKey {
        user_id: "admin-1".to_owned(),
        key: key.clone(),
        method: "POST".to_owned(),
        path: "/campaigns".to_owned(),
    };
    let fingerprint: String = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &raw)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let claim = IdempotencyClaim("elsewhere".to_owned());
    let begun = app
        .ports
        .idempotency
        .begin(
            &record,
            &fingerprint,
            &claim,
            app.clock.now(),
            Duration::from_secs(60),
        )
        .await
        .expect("begin");
    assert_eq!(begun, Begin::Started);

    let send = || {
        app.client
            .post(app.url("/campaigns"))
            .bearer_auth(&token)
            .header(HEADER, &key)
            .header("content-type", "application/json")
            .body(raw.clone())
            .send()
    };
    let res = send().await.expect("sent");
    expect_error(res, StatusCode::CONFLICT, "IDEMPOTENCY_KEY_IN_PROGRESS").await;
    assert_eq!(count_named(&app, "Still running").await, 0, "nothing ran");

    // The holder gives up (a 5xx, say): the retry runs.
    assert!(
        app.ports
            .idempotency
            .release(&record, &claim)
            .await
            .unwrap()
    );
    let res = send().await.expect("sent");
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(count_named(&app, "Still running").await, 1);
}

#[tokio::test]
async fn an_abandoned_claim_is_taken_over_when_its_lease_ends() {
    let app = TestApp::spawn().await;
    let (token, key) = (app.supreme_token(), unique_key());
    let body = draft("Abandoned");
    let raw = serde_json::to_vec(&body).expect("json");
    let record = IdempotencyKey {
        user_id: "admin-1".to_owned(),
        key: key.clone(),
        method: "POST".to_owned(),
        path: "/campaigns".to_owned(),
    };
    let fingerprint: String = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &raw)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let crashed = IdempotencyClaim("crashed-replica".to_owned());
    app.ports
        .idempotency
        .begin(
            &record,
            &fingerprint,
            &crashed,
            app.clock.now(),
            Duration::from_secs(60),
        )
        .await
        .expect("begin");
    app.clock.advance(TimeDelta::seconds(61));
    let res = post(&app, "/campaigns", &token, Some(&key), &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(count_named(&app, "Abandoned").await, 1);
}

#[tokio::test]
async fn answers_are_kept_for_24_hours() {
    let app = TestApp::spawn().await;
    let (token, key) = (app.supreme_token(), unique_key());
    let body = draft("Kept a day");
    let res = post(&app, "/campaigns", &token, Some(&key), &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    app.clock
        .advance(TimeDelta::hours(24) - TimeDelta::seconds(1));
    let res = post(&app, "/campaigns", &token, Some(&key), &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()[REPLAYED], "true");
    app.clock.advance(TimeDelta::seconds(1));
    // The answer is gone: the request runs again, and finds its domain taken by the first run.
    let res = post(&app, "/campaigns", &token, Some(&key), &body).await;
    assert!(res.headers().get(REPLAYED).is_none());
    expect_error(res, StatusCode::BAD_REQUEST, "DOMAIN_NAME_CONFLICT").await;
}

#[tokio::test]
async fn without_a_valid_token_the_key_changes_nothing() {
    let app = TestApp::spawn().await;
    for key in [unique_key(), "bad key".to_owned()] {
        let res = app
            .client
            .post(app.url("/campaigns"))
            .header(HEADER, &key)
            .json(&draft("Anonymous"))
            .send()
            .await
            .expect("sent");
        expect_error(res, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED").await;
    }
}

#[tokio::test]
async fn requests_without_a_key_are_not_deduplicated() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    let body = promoter_doc("Twice");
    for _ in 0..2 {
        let (status, json) = json_of(post(&app, "/promoters", &token, None, &body).await).await;
        assert_eq!(status, StatusCode::CREATED, "{json}");
    }
}

#[tokio::test]
async fn replays_and_refusals_carry_the_cors_headers() {
    let origin = "https://admin.example.test";
    let app = TestApp::spawn_with(crate::helpers::Options {
        cors_allowed_origins: vec![origin.to_owned()],
        ..crate::helpers::Options::default()
    })
    .await;
    let (token, key) = (app.supreme_token(), unique_key());
    let send = |body: Value| {
        app.client
            .post(app.url("/campaigns"))
            .bearer_auth(&token)
            .header("Origin", origin)
            .header(HEADER, &key)
            .json(&body)
            .send()
    };
    let body = draft("Cors replay");
    let first = send(body.clone()).await.expect("sent");
    assert_eq!(first.status(), StatusCode::CREATED);
    let replay = send(body).await.expect("sent");
    assert_eq!(replay.headers()[REPLAYED], "true");
    assert_eq!(replay.headers()["access-control-allow-origin"], origin);
    let refused = send(draft("Cors other body")).await.expect("sent");
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.headers()["access-control-allow-origin"], origin);
    app.shut_down().await;
}
