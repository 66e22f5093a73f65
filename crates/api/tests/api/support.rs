//! Shared builders and assertions of the campaign test modules: fixture variants, error
//! envelope checks, campaign life-cycle shortcuts, and hand-made tokens.
#![allow(
    dead_code,
    reason = "each test module uses a different part of the support code"
)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, complete, json_of};

/// `base` with `patch` merged in the JSON merge patch way (objects merge, `null` removes,
/// anything else replaces).
pub fn with(mut base: Value, patch: Value) -> Value {
    merge(&mut base, &patch);
    base
}

fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

/// Checks an error answer: its status, its `type`, a message and a correlation id, and that the
/// envelope holds exactly `{"error": {...}}`.
#[track_caller]
pub fn check_error(status: StatusCode, body: &Value, expected: StatusCode, kind: &str) {
    assert_eq!(status, expected, "unexpected answer: {body}");
    assert_eq!(body["error"]["type"], kind, "{body}");
    let object = body.as_object().expect("an object");
    assert_eq!(object.len(), 1, "only `error` at the top: {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert!(body["error"]["correlation"].is_string(), "{body}");
}

/// [`check_error`] on a response; returns the body.
pub async fn expect_error(res: Response, expected: StatusCode, kind: &str) -> Value {
    let header = res
        .headers()
        .get("x-correlation-id")
        .map(|v| v.to_str().expect("ascii").to_owned());
    let (status, body) = json_of(res).await;
    check_error(status, &body, expected, kind);
    assert_eq!(
        body["error"]["correlation"].as_str(),
        header.as_deref(),
        "the body and the header carry the same correlation id"
    );
    body
}

/// Reads a success answer with `expected` status; returns `data`.
pub async fn expect_data(res: Response, expected: StatusCode) -> Value {
    let (status, body) = json_of(res).await;
    assert_eq!(status, expected, "unexpected answer: {body}");
    body["data"].clone()
}

/// The keys of a JSON object, sorted (whatever order the JSON map keeps).
pub fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value
        .as_object()
        .expect("an object")
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

/// `details[].field` of an error body, in order.
pub fn fields(body: &Value) -> Vec<String> {
    body["error"]["details"]
        .as_array()
        .map(|d| {
            d.iter()
                .map(|e| e["field"].as_str().expect("field is a string").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// [`fields`], sorted.
pub fn sorted_fields(body: &Value) -> Vec<String> {
    let mut f = fields(body);
    f.sort();
    f
}

/// `POST /campaigns/{id}` as a supreme user.
pub async fn update(app: &TestApp, id: &str, patch: &Value) -> Response {
    app.post(&format!("/campaigns/{id}"), &app.supreme_token(), patch)
        .await
}

/// `POST /campaigns/{id}` as a supreme user with extra headers.
pub async fn update_with(
    app: &TestApp,
    id: &str,
    patch: &Value,
    headers: &[(&str, &str)],
) -> Response {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.insert(
            HeaderName::from_bytes(name.as_bytes()).expect("header name"),
            HeaderValue::from_str(value).expect("header value"),
        );
    }
    app.client
        .post(app.url(&format!("/campaigns/{id}")))
        .bearer_auth(app.supreme_token())
        .headers(map)
        .json(patch)
        .send()
        .await
        .expect("request sent")
}

/// `GET /campaigns/{id}` as a supreme user; panics unless 200. Returns `data`.
pub async fn fetch(app: &TestApp, id: &str) -> Value {
    expect_data(
        app.get(&format!("/campaigns/{id}"), &app.supreme_token())
            .await,
        StatusCode::OK,
    )
    .await
}

/// A campaign created complete and moved to OPEN by hand. Returns `data`.
pub async fn open_campaign(app: &TestApp, body: &Value) -> Value {
    let created = app.create_campaign(body).await;
    let id = created["id"].as_str().expect("id");
    expect_data(
        update(app, id, &json!({"status": "OPEN"})).await,
        StatusCode::OK,
    )
    .await
}

/// A complete campaign named `name`, OPEN. Returns `data`.
pub async fn open_complete(app: &TestApp, name: &str) -> Value {
    open_campaign(app, &complete(name)).await
}

/// `POST /campaigns/refresh` as a supreme user; returns `data`.
pub async fn refresh(app: &TestApp) -> Value {
    expect_data(
        app.request(
            Method::POST,
            "/campaigns/refresh",
            Some(&app.supreme_token()),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await
}

/// The id of a campaign `data`.
pub fn id_of(campaign: &Value) -> String {
    campaign["id"].as_str().expect("id").to_owned()
}

/// Waits (at most 5 s) until exactly `n` outbox events are pending: the relay has taken its
/// turn at everything else.
pub async fn wait_until_pending(app: &TestApp, n: u64) {
    for _ in 0..500 {
        let stats = app.ports.outbox.stats().await.expect("outbox stats");
        if stats.pending == n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the outbox never held exactly {n} pending events");
}

/// The statuses of a campaign's `statusHistory`, oldest first, with who made each change.
pub fn history(campaign: &Value) -> Vec<(String, String)> {
    campaign["statusHistory"]
        .as_array()
        .expect("statusHistory")
        .iter()
        .map(|h| {
            (
                h["status"].as_str().expect("status").to_owned(),
                h["by"].as_str().expect("by").to_owned(),
            )
        })
        .collect()
}

/// Seconds since the Unix epoch, by the real clock (tokens use it, not the service's clock).
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
}

/// Base64url without padding, as JWTs use it.
pub fn b64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b0 = u32::from(chunk[0]);
        let b1 = u32::from(chunk.get(1).copied().unwrap_or(0));
        let b2 = u32::from(chunk.get(2).copied().unwrap_or(0));
        let n = (b0 << 16) | (b1 << 8) | b2;
        for i in 0..=chunk.len() {
            let index = (n >> (18 - 6 * i)) & 63;
            out.push(char::from(ALPHABET[index as usize]));
        }
    }
    out
}

/// `base64url(header).base64url(claims).signature`, by hand.
pub fn hand_made_token(header: &Value, claims: &Value, signature: &str) -> String {
    format!(
        "{}.{}.{signature}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    )
}

/// Supreme claims expiring `exp`.
pub fn supreme_claims(exp: u64) -> Value {
    json!({"userId": "admin-by-hand", "supreme": true, "campaigns": {}, "exp": exp})
}
