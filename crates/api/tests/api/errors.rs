//! HTTP conventions of SPEC §4 on the campaign endpoints: the success and error envelopes, the
//! correlation id, body limits and content types, malformed JSON, malformed ids and query
//! values, routing of the literal paths next to `/campaigns/{id}`, and compression.

use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::uuid::Uuid;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, draft, json_of};
use crate::support::{expect_data, expect_error, fields, id_of, keys};

/// Sends `POST path` with a chunked JSON body of about `size` bytes over a raw connection and
/// returns the status line of the answer.
async fn chunked_post(app: &TestApp, path: &str, token: &str, size: usize) -> String {
    let address = app.address;
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    tokio::task::spawn_blocking(move || {
        use std::io::{Read as _, Write as _};
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream.write_all(head.as_bytes()).unwrap();
        let mut chunks = vec![b"{\"name\": \"".to_vec()];
        chunks.extend(std::iter::repeat_n(
            vec![b'x'; 64 * 1024],
            size / (64 * 1024) + 1,
        ));
        chunks.push(b"\"}".to_vec());
        for chunk in chunks {
            // The server may answer and close before reading everything: stop writing then.
            let frame = [
                format!("{:x}\r\n", chunk.len()).into_bytes(),
                chunk,
                b"\r\n".to_vec(),
            ]
            .concat();
            if stream.write_all(&frame).is_err() {
                break;
            }
        }
        let _ = stream.write_all(b"0\r\n\r\n");
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer)
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned()
    })
    .await
    .unwrap()
}

fn assert_recent_utc(ts: &str) {
    assert!(ts.ends_with('Z'), "UTC with a Z: {ts}");
    let parsed = DateTime::parse_from_rfc3339(ts)
        .unwrap()
        .with_timezone(&Utc);
    let skew = (Utc::now() - parsed).num_seconds().abs();
    assert!(skew < 60, "the timestamp is the time of the answer: {ts}");
}

#[tokio::test]
async fn a_success_has_exactly_data_and_meta_with_correlation_and_timestamp() {
    let app = TestApp::spawn().await;
    let res = app.get("/campaigns/list", &app.supreme_token()).await;
    assert_eq!(res.headers()["content-type"], "application/json");
    let header = res.headers()["x-correlation-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let (status, body) = json_of(res).await;
    assert_eq!(status, StatusCode::OK);
    let top = keys(&body);
    assert_eq!(top, ["data", "meta"]);
    let meta = keys(&body["meta"]);
    assert_eq!(meta, ["correlation", "timestamp"]);
    assert_eq!(body["meta"]["correlation"], header.as_str());
    assert_recent_utc(body["meta"]["timestamp"].as_str().unwrap());
    assert_eq!(
        body["data"],
        json!({"campaigns": [], "pagination": {"page": 0, "pageSize": 10, "total": 0}})
    );
    app.shut_down().await;
}

#[tokio::test]
async fn an_error_has_exactly_type_message_correlation_and_details_only_when_useful() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    let (status, body) =
        json_of(app.get("/campaigns/0123456789abcdef01234567", &token).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let found = keys(&body["error"]);
    assert_eq!(found, ["correlation", "message", "type"], "{body}");
    assert_eq!(body["error"]["type"], "CAMPAIGN_NOT_FOUND");

    let res = app.post("/campaigns", &token, &json!({})).await;
    let body = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    let found = keys(&body["error"]);
    assert_eq!(
        found,
        ["correlation", "details", "message", "type"],
        "{body}"
    );
    for detail in body["error"]["details"].as_array().unwrap() {
        let found = keys(detail);
        assert_eq!(found, ["field", "message"], "{detail}");
    }
    app.shut_down().await;
}

#[tokio::test]
async fn a_valid_correlation_id_is_echoed_in_header_meta_and_error() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    let id = "abc-123_X.y";
    let res = app
        .client
        .get(app.url("/campaigns/list"))
        .bearer_auth(&token)
        .header("x-correlation-id", id)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-correlation-id"], id);
    let (_, body) = json_of(res).await;
    assert_eq!(body["meta"]["correlation"], id);

    let longest = "a".repeat(128);
    let res = app
        .client
        .get(app.url("/campaigns/0123456789abcdef01234567"))
        .bearer_auth(&token)
        .header("x-correlation-id", &longest)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-correlation-id"], longest.as_str());
    let body = expect_error(res, StatusCode::NOT_FOUND, "CAMPAIGN_NOT_FOUND").await;
    assert_eq!(body["error"]["correlation"], longest.as_str());

    // A 401 (refused before any handler) carries it too.
    let res = app
        .client
        .get(app.url("/campaigns/list"))
        .header("x-correlation-id", id)
        .send()
        .await
        .unwrap();
    let body = expect_error(res, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED").await;
    assert_eq!(body["error"]["correlation"], id);
    app.shut_down().await;
}

#[tokio::test]
async fn a_missing_or_unacceptable_correlation_id_is_replaced_by_a_new_uuid_v4() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    let too_long = "a".repeat(129);
    let mut seen = Vec::new();
    for sent in [
        None,
        Some(""),
        Some("has space"),
        Some("semi;colon"),
        Some("sl/ash"),
        Some(too_long.as_str()),
    ] {
        let mut req = app
            .client
            .get(app.url("/campaigns/list"))
            .bearer_auth(&token);
        if let Some(value) = sent {
            req = req.header("x-correlation-id", value);
        }
        let res = req.send().await.unwrap();
        let header = res.headers()["x-correlation-id"]
            .to_str()
            .unwrap()
            .to_owned();
        let (_, body) = json_of(res).await;
        assert_eq!(body["meta"]["correlation"], header.as_str());
        assert_ne!(Some(header.as_str()), sent, "{sent:?} must not be used");
        let uuid = Uuid::parse_str(&header).unwrap();
        assert_eq!(uuid.get_version_num(), 4, "{header}");
        seen.push(header);
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 6, "a new id per request");
    app.shut_down().await;
}

#[tokio::test]
async fn a_body_over_one_mib_is_413_payload_too_large() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    let id = id_of(&app.create_campaign(&draft("Big")).await);
    let mut body = draft("Too big");
    body["tour"] = json!({"name": "x".repeat(1024 * 1024)});
    for path in ["/campaigns".to_owned(), format!("/campaigns/{id}")] {
        let res = app.post(&path, &token, &body).await;
        expect_error(res, StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE").await;
    }
    // Also when the size is not announced up front (a chunked body).
    let status_line = chunked_post(&app, "/campaigns", &token, 1024 * 1024 + 16).await;
    assert!(status_line.starts_with("HTTP/1.1 413"), "{status_line}");
    assert_eq!(crate::support::fetch(&app, &id).await["version"], 1);
    app.shut_down().await;
}

#[tokio::test]
async fn a_wrong_or_missing_content_type_is_415() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    let id = id_of(&app.create_campaign(&draft("Typed")).await);
    let raw = draft("Typed").to_string();
    for path in [
        "/campaigns".to_owned(),
        format!("/campaigns/{id}"),
        format!("/campaigns/{id}/terms"),
    ] {
        for content_type in [
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            None,
        ] {
            let mut req = app
                .client
                .post(app.url(&path))
                .bearer_auth(&token)
                .body(raw.clone());
            if let Some(ct) = content_type {
                req = req.header("content-type", ct);
            }
            let res = req.send().await.unwrap();
            expect_error(
                res,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UNSUPPORTED_MEDIA_TYPE",
            )
            .await;
        }
    }
    // A JSON merge patch may say so.
    let res = app
        .client
        .post(app.url(&format!("/campaigns/{id}")))
        .bearer_auth(&token)
        .header("content-type", "application/merge-patch+json")
        .body(json!({"name": "Merge patch"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(
        expect_data(res, StatusCode::OK).await["name"],
        "Merge patch"
    );
    // JSON with a charset parameter is still JSON.
    let res = app
        .client
        .post(app.url(&format!("/campaigns/{id}")))
        .bearer_auth(&token)
        .header("content-type", "application/json; charset=utf-8")
        .body(json!({"name": "Charset"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(expect_data(res, StatusCode::OK).await["name"], "Charset");
    app.shut_down().await;
}

#[tokio::test]
async fn an_unparsable_body_is_400_malformed_json() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    let id = id_of(&app.create_campaign(&draft("Parsed")).await);
    for path in [
        "/campaigns".to_owned(),
        format!("/campaigns/{id}"),
        format!("/campaigns/{id}/faqs"),
        format!("/campaigns/{id}/terms"),
        format!("/campaigns/{id}/contacts"),
    ] {
        for raw in ["{", "{\"name\": }", "not json", "", "{\"a\":1} trailing"] {
            let res = app
                .client
                .post(app.url(&path))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(raw)
                .send()
                .await
                .unwrap();
            let body = expect_error(res, StatusCode::BAD_REQUEST, "MALFORMED_JSON").await;
            assert!(body["error"].get("details").is_none(), "{body}");
        }
    }
    app.shut_down().await;
}

#[tokio::test]
async fn json_that_is_not_an_object_is_a_validation_error_on_body() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    let id = id_of(&app.create_campaign(&draft("Shapes")).await);
    for body in [json!([]), json!("text"), json!(1), json!(null)] {
        for path in ["/campaigns".to_owned(), format!("/campaigns/{id}")] {
            let res = app.post(&path, &token, &body).await;
            let answer = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
            assert_eq!(fields(&answer), ["body"], "{path} {body}");
        }
    }
    app.shut_down().await;
}

#[tokio::test]
async fn a_malformed_campaign_id_is_400_validation_error_on_id() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    for bad in [
        "123",
        "0123456789abcdef0123456",
        "0123456789abcdef012345678",
        "0123456789abcdef0123456g",
        "zzzzzzzzzzzzzzzzzzzzzzzz",
        "%20%20",
    ] {
        for (method, suffix, body) in [
            (Method::GET, "", None),
            (Method::POST, "", Some(json!({"name": "x"}))),
            (Method::GET, "/status", None),
            (Method::GET, "/faqs", None),
            (Method::POST, "/faqs", Some(json!({}))),
            (Method::GET, "/terms", None),
            (Method::POST, "/terms", Some(json!({"terms": "t"}))),
            (Method::GET, "/contacts", None),
            (Method::POST, "/contacts", Some(json!([]))),
        ] {
            let path = format!("/campaigns/{bad}{suffix}");
            let res = app
                .request(method.clone(), &path, Some(&token), body.as_ref())
                .await;
            let answer = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
            assert_eq!(fields(&answer), ["id"], "{method} {path}");
        }
    }
    // Upper-case hex is a well-formed id (of no campaign here).
    let res = app.get("/campaigns/0123456789ABCDEF01234567", &token).await;
    expect_error(res, StatusCode::NOT_FOUND, "CAMPAIGN_NOT_FOUND").await;
    app.shut_down().await;
}

#[tokio::test]
async fn an_upper_case_id_reads_the_same_campaign() {
    let app = TestApp::spawn().await;
    let id = id_of(&app.create_campaign(&draft("Cased")).await);
    let data = expect_data(
        app.get(
            &format!("/campaigns/{}", id.to_uppercase()),
            &app.supreme_token(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(data["id"], id.as_str());
    app.shut_down().await;
}

#[tokio::test]
async fn malformed_query_values_are_400_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    let id = id_of(&app.create_campaign(&draft("Queried")).await);
    let cases: Vec<(String, &str)> = vec![
        (
            format!("/campaigns/{id}?showAllLocales=yes"),
            "showAllLocales",
        ),
        (format!("/campaigns/{id}?locale=english"), "locale"),
        (format!("/campaigns/{id}/faqs?locale=e"), "locale"),
        (format!("/campaigns/{id}/terms?locale=en-USA"), "locale"),
        ("/campaigns?domain=not_a_domain".to_owned(), "domain"),
        ("/campaigns?domain=".to_owned(), "domain"),
        ("/campaigns".to_owned(), "domain"),
        (
            "/campaigns?domain=a.example.test&showAllLocales=maybe".to_owned(),
            "showAllLocales",
        ),
        ("/campaigns/status".to_owned(), "domain"),
        (
            "/campaigns/status?domain=http://x.example.test/".to_owned(),
            "domain",
        ),
    ];
    for (path, field) in cases {
        let res = app.get(&path, &token).await;
        let body = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
        assert_eq!(fields(&body), [field], "{path}");
    }
    app.shut_down().await;
}

#[tokio::test]
async fn a_malformed_if_match_is_400_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let id = id_of(&app.create_campaign(&draft("Matched")).await);
    for bad in ["\"abc\"", "-1", "v1", "\"1", "1.0"] {
        let res =
            crate::support::update_with(&app, &id, &json!({"name": "x"}), &[("if-match", bad)])
                .await;
        let body = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
        assert_eq!(fields(&body), ["If-Match"], "{bad}");
    }
    assert_eq!(crate::support::fetch(&app, &id).await["version"], 1);
    app.shut_down().await;
}

#[tokio::test]
async fn literal_paths_are_not_taken_for_ids_and_wrong_methods_are_405() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    let id = id_of(&app.create_campaign(&draft("Routed")).await);
    for (method, path) in [
        (Method::POST, "/campaigns/list".to_owned()),
        (Method::POST, "/campaigns/status".to_owned()),
        (Method::GET, "/campaigns/refresh".to_owned()),
        (Method::DELETE, format!("/campaigns/{id}")),
        (Method::PUT, format!("/campaigns/{id}")),
        (Method::PATCH, format!("/campaigns/{id}")),
        (Method::POST, format!("/campaigns/{id}/status")),
        (Method::DELETE, format!("/campaigns/{id}/faqs")),
        (Method::PUT, format!("/campaigns/{id}/terms")),
        (Method::DELETE, format!("/campaigns/{id}/contacts")),
    ] {
        let res = app
            .request(method.clone(), &path, Some(&token), Some(&json!({})))
            .await;
        expect_error(res, StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED").await;
    }
    for path in [
        format!("/campaigns/{id}/nothing"),
        format!("/campaigns/{id}/faqs/1"),
    ] {
        let res = app.get(&path, &token).await;
        expect_error(res, StatusCode::NOT_FOUND, "NOT_FOUND").await;
    }
    assert_eq!(crate::support::fetch(&app, &id).await["version"], 1);
    app.shut_down().await;
}

#[tokio::test]
async fn responses_are_compressed_when_the_client_accepts_it() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    for _ in 0..5 {
        app.create_campaign(&draft("Compressible")).await;
    }
    for encoding in ["gzip", "br"] {
        let res = app
            .client
            .get(app.url("/campaigns/list"))
            .bearer_auth(&token)
            .header("accept-encoding", encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-encoding"], encoding);
    }
    let plain = app.get("/campaigns/list", &token).await;
    assert!(plain.headers().get("content-encoding").is_none());
    let body: Value = plain.json().await.unwrap();
    assert_eq!(body["data"]["pagination"]["total"], 5);
    app.shut_down().await;
}
