//! Authentication and permissions (SPEC §5) through HTTP: every campaign endpoint needs a
//! valid RS256 token; bad tokens of every kind get 401; managers get 403 `UNAUTHORIZED` for
//! campaigns they hold no grant on, with the same answer whether the campaign exists or not;
//! supreme-only endpoints refuse managers.

use std::time::Duration;

use campaign_api::auth::{DevKeys, TokenClaims};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{KEYS, Options, TestApp, complete, draft, json_of};
use crate::support::{
    expect_data, expect_error, fetch, hand_made_token, id_of, supreme_claims, unix_now,
};

/// An id no campaign has.
const MISSING: &str = "0123456789abcdef01234567";

const FAQ: &str = "6f9619ff-8b86-d011-b42d-00cf4fc964ff";

/// Every campaign endpoint, with a body that is valid for it, for campaign `id`.
fn endpoints(id: &str) -> Vec<(Method, String, Option<Value>)> {
    let faqs = json!({FAQ: {"question": "Q", "answer": "A"}});
    vec![
        (
            Method::GET,
            "/campaigns?domain=fans.example.test".to_owned(),
            None,
        ),
        (
            Method::GET,
            "/campaigns/status?domain=fans.example.test".to_owned(),
            None,
        ),
        (Method::POST, "/campaigns".to_owned(), Some(draft("x"))),
        (Method::GET, "/campaigns/list".to_owned(), None),
        (Method::POST, "/campaigns/refresh".to_owned(), None),
        (Method::GET, format!("/campaigns/{id}"), None),
        (
            Method::POST,
            format!("/campaigns/{id}"),
            Some(json!({"name": "renamed"})),
        ),
        (Method::GET, format!("/campaigns/{id}/status"), None),
        (Method::GET, format!("/campaigns/{id}/faqs"), None),
        (Method::POST, format!("/campaigns/{id}/faqs"), Some(faqs)),
        (Method::GET, format!("/campaigns/{id}/terms"), None),
        (
            Method::POST,
            format!("/campaigns/{id}/terms"),
            Some(json!({"terms": "T"})),
        ),
        (Method::GET, format!("/campaigns/{id}/contacts"), None),
        (
            Method::POST,
            format!("/campaigns/{id}/contacts"),
            Some(json!([])),
        ),
    ]
}

/// The per-campaign endpoints (the ones a grant decides).
fn campaign_endpoints(id: &str) -> Vec<(Method, String, Option<Value>)> {
    endpoints(id)
        .into_iter()
        .filter(|(_, path, _)| path.contains(id))
        .collect()
}

async fn call(
    app: &TestApp,
    token: Option<&str>,
    endpoint: &(Method, String, Option<Value>),
) -> (StatusCode, Value) {
    let (method, path, body) = endpoint;
    json_of(
        app.request(method.clone(), path, token, body.as_ref())
            .await,
    )
    .await
}

async fn assert_refused(app: &TestApp, token: &str, why: &str) {
    let res = app.get("/campaigns/list", token).await;
    let body = expect_error(res, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED").await;
    let message = body["error"]["message"].as_str().unwrap();
    assert!(!message.contains(token), "{why}: the token is never echoed");
    assert!(body["error"].get("details").is_none(), "{why}: {body}");
}

fn rs256(claims: &Value) -> String {
    let key = EncodingKey::from_rsa_pem(KEYS.private_pem().as_bytes()).unwrap();
    jsonwebtoken::encode(&Header::new(Algorithm::RS256), claims, &key).unwrap()
}

#[tokio::test]
async fn every_campaign_endpoint_answers_401_without_a_token() {
    let app = TestApp::spawn().await;
    let existing = id_of(&app.create_campaign(&draft("Guarded")).await);
    for id in [existing.as_str(), MISSING] {
        for endpoint in endpoints(id) {
            let (status, body) = call(&app, None, &endpoint).await;
            assert_eq!(
                (status, body["error"]["type"].as_str()),
                (StatusCode::UNAUTHORIZED, Some("UNAUTHENTICATED")),
                "{} {}: {body}",
                endpoint.0,
                endpoint.1
            );
        }
    }
    // Nothing was written by the refused requests.
    assert_eq!(fetch(&app, &existing).await["version"], 1);
    app.shut_down().await;
}

#[tokio::test]
async fn a_hand_made_rs256_token_is_accepted_so_the_refusals_below_are_about_the_defect() {
    let app = TestApp::spawn().await;
    let token = rs256(&supreme_claims(unix_now() + 600));
    let data = expect_data(app.get("/campaigns/list", &token).await, StatusCode::OK).await;
    assert_eq!(data["pagination"]["total"], 0);
    app.shut_down().await;
}

#[tokio::test]
async fn garbage_and_non_bearer_authorization_is_401() {
    let app = TestApp::spawn().await;
    for garbage in [
        "garbage",
        "a.b.c",
        "eyJhbGciOiJSUzI1NiJ9.e30.",
        "not base64!.x.y",
    ] {
        assert_refused(&app, garbage, garbage).await;
    }
    for header in [
        format!("Basic {}", app.supreme_token()),
        app.supreme_token(),
        "Bearer".to_owned(),
    ] {
        let res = app
            .client
            .get(app.url("/campaigns/list"))
            .header("authorization", header)
            .send()
            .await
            .unwrap();
        expect_error(res, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED").await;
    }
    app.shut_down().await;
}

#[tokio::test]
async fn an_expired_token_is_401_even_when_properly_signed() {
    let app = TestApp::spawn().await;
    // Well past the verifier's 30 s leeway.
    let token = rs256(&supreme_claims(unix_now() - 3600));
    assert_refused(&app, &token, "expired").await;
    app.shut_down().await;
}

#[tokio::test]
async fn a_token_without_exp_or_not_yet_valid_is_401() {
    let app = TestApp::spawn().await;
    let no_exp = rs256(&json!({"userId": "u", "supreme": true}));
    assert_refused(&app, &no_exp, "no exp").await;
    let mut early = supreme_claims(unix_now() + 3600);
    early["nbf"] = json!(unix_now() + 1800);
    assert_refused(&app, &rs256(&early), "nbf in the future").await;
    let shapeless = rs256(&json!({"sub": "u", "exp": unix_now() + 600}));
    assert_refused(&app, &shapeless, "no userId").await;
    app.shut_down().await;
}

#[tokio::test]
async fn an_alg_none_token_is_401() {
    let app = TestApp::spawn().await;
    let claims = supreme_claims(unix_now() + 600);
    for alg in ["none", "None", "NONE"] {
        let token = hand_made_token(&json!({"alg": alg, "typ": "JWT"}), &claims, "");
        assert_refused(&app, &token, alg).await;
    }
    // The same claims and header RS256 but no signature.
    let unsigned = hand_made_token(&json!({"alg": "RS256", "typ": "JWT"}), &claims, "");
    assert_refused(&app, &unsigned, "RS256 without signature").await;
    app.shut_down().await;
}

#[tokio::test]
async fn an_hs256_token_signed_with_the_public_key_is_401() {
    let app = TestApp::spawn().await;
    let claims = supreme_claims(unix_now() + 600);
    let public_pem = KEYS.public_pem();
    let key = EncodingKey::from_secret(public_pem.as_bytes());
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        let token = jsonwebtoken::encode(&Header::new(alg), &claims, &key).unwrap();
        assert_refused(&app, &token, &format!("{alg:?} with the public key")).await;
    }
    app.shut_down().await;
}

#[tokio::test]
async fn a_token_signed_by_another_key_is_401() {
    let app = TestApp::spawn().await;
    let other = DevKeys::generate().unwrap();
    let token = other
        .signer()
        .sign(&TokenClaims::supreme("intruder", Duration::from_secs(600)))
        .unwrap();
    assert_refused(&app, &token, "foreign key").await;
    app.shut_down().await;
}

#[tokio::test]
async fn a_configured_issuer_and_audience_are_required() {
    let app = TestApp::spawn_with(Options {
        issuer: Some("https://id.example.test".to_owned()),
        audience: Some("campaign-service".to_owned()),
        ..Options::default()
    })
    .await;
    let sign = |issuer: Option<&str>, audience: Option<&str>| {
        KEYS.signer()
            .sign(&TokenClaims {
                issuer: issuer.map(str::to_owned),
                audience: audience.map(str::to_owned),
                ..TokenClaims::supreme("admin", Duration::from_secs(600))
            })
            .unwrap()
    };
    let good = sign(Some("https://id.example.test"), Some("campaign-service"));
    expect_data(app.get("/campaigns/list", &good).await, StatusCode::OK).await;
    for (iss, aud) in [
        (None, Some("campaign-service")),
        (Some("https://id.example.test"), None),
        (Some("https://evil.example.test"), Some("campaign-service")),
        (Some("https://id.example.test"), Some("other-service")),
    ] {
        assert_refused(&app, &sign(iss, aud), &format!("{iss:?} {aud:?}")).await;
    }
    app.shut_down().await;
}

#[tokio::test]
async fn a_manager_gets_the_same_403_for_another_campaign_whether_it_exists_or_not() {
    let app = TestApp::spawn().await;
    let mine = id_of(&app.create_campaign(&complete("Mine")).await);
    let theirs = id_of(&app.create_campaign(&complete("Theirs")).await);
    let token = app.user_token("manager-1", &[(&mine, &["read", "write", "admin"])]);
    for (existing, missing) in campaign_endpoints(&theirs)
        .into_iter()
        .zip(campaign_endpoints(MISSING))
    {
        let (status, a) = call(&app, Some(&token), &existing).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "{} {}: {a}",
            existing.0,
            existing.1
        );
        assert_eq!(a["error"]["type"], "UNAUTHORIZED", "{a}");
        let (status, b) = call(&app, Some(&token), &missing).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "{} {}: {b}",
            missing.0,
            missing.1
        );
        assert_eq!(a["error"]["type"], b["error"]["type"]);
        assert_eq!(
            a["error"]["message"], b["error"]["message"],
            "the answer must not reveal whether {} exists",
            existing.1
        );
        assert_eq!(a["error"].get("details"), b["error"].get("details"));
    }
    // Refused writes wrote nothing.
    assert_eq!(fetch(&app, &theirs).await["version"], 1);
    app.shut_down().await;
}

#[tokio::test]
async fn supreme_only_endpoints_answer_403_supreme_user_required_to_managers() {
    let app = TestApp::spawn().await;
    let mine = id_of(&app.create_campaign(&draft("Mine")).await);
    let token = app.user_token("manager-1", &[(&mine, &["admin"])]);
    let res = app
        .post("/campaigns", &token, &draft("Not mine to make"))
        .await;
    expect_error(res, StatusCode::FORBIDDEN, "SUPREME_USER_REQUIRED").await;
    let res = app
        .request(Method::POST, "/campaigns/refresh", Some(&token), None)
        .await;
    expect_error(res, StatusCode::FORBIDDEN, "SUPREME_USER_REQUIRED").await;
    let list = expect_data(
        app.get("/campaigns/list", &app.supreme_token()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        list["pagination"]["total"], 1,
        "the refused create wrote nothing"
    );
    app.shut_down().await;
}

#[tokio::test]
async fn a_manager_with_only_read_may_read_but_not_change_the_campaign() {
    let app = TestApp::spawn().await;
    let id = id_of(&app.create_campaign(&complete("Read only")).await);
    let token = app.user_token("viewer", &[(&id, &["read"])]);
    for (method, path, body) in campaign_endpoints(&id) {
        let (status, answer) =
            call(&app, Some(&token), &(method.clone(), path.clone(), body)).await;
        if method == Method::GET {
            assert_eq!(status, StatusCode::OK, "{method} {path}: {answer}");
        } else {
            assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {answer}");
            assert_eq!(answer["error"]["type"], "UNAUTHORIZED", "{answer}");
        }
    }
    let after = fetch(&app, &id).await;
    assert_eq!(after["version"], 1, "nothing was written");
    assert_eq!(after["name"], "Read only");
    app.shut_down().await;
}

#[tokio::test]
async fn write_and_admin_grants_imply_read_and_allow_changes() {
    let app = TestApp::spawn().await;
    let a = id_of(&app.create_campaign(&complete("A")).await);
    let b = id_of(&app.create_campaign(&complete("B")).await);
    let token = app.user_token("manager-2", &[(&a, &["write"]), (&b, &["admin"])]);
    for id in [&a, &b] {
        let path = format!("/campaigns/{id}");
        expect_data(app.get(&path, &token).await, StatusCode::OK).await;
        let updated = expect_data(
            app.post(&path, &token, &json!({"status": "PREVIEW"})).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(updated["status"], "PREVIEW");
        let last = updated["statusHistory"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(
            last["by"], "manager-2",
            "the history names the token's userId"
        );
    }
    app.shut_down().await;
}

#[tokio::test]
async fn grants_for_unknown_actions_or_malformed_ids_grant_nothing() {
    let app = TestApp::spawn().await;
    let id = id_of(&app.create_campaign(&draft("Odd grants")).await);
    let upper = id.to_uppercase();
    let token = app.user_token(
        "odd",
        &[(&id, &["delete", "READ"]), ("not-an-id", &["admin"])],
    );
    let res = app.get(&format!("/campaigns/{id}"), &token).await;
    expect_error(res, StatusCode::FORBIDDEN, "UNAUTHORIZED").await;
    // An id in upper case in the token is the same campaign.
    let token = app.user_token("upper", &[(&upper, &["read"])]);
    expect_data(
        app.get(&format!("/campaigns/{id}"), &token).await,
        StatusCode::OK,
    )
    .await;
    app.shut_down().await;
}
