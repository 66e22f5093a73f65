//! The Fastly purger against stubs of `POST /service/{id}/purge/{key}`.

use std::sync::Arc;
use std::time::Duration;

use campaign_adapter_http::{BaseUrl, CurrentSpan, FastlyPurger, FastlySettings, Secret};
use campaign_domain::serde_json::json;
use campaign_ports::CdnPurger;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{assert_permanent, assert_transient, closed_port_url, quick};

const TOKEN: &str = "fastly-t0ken";
const SERVICE: &str = "SU1Z0isxPaozGVKXdv0eY";

fn purger(base: &str) -> FastlyPurger {
    FastlyPurger::new(
        &FastlySettings {
            base_url: BaseUrl::parse(base).unwrap(),
            token: Secret::new(TOKEN),
            service_id: SERVICE.to_owned(),
            http: quick(),
        },
        Arc::new(CurrentSpan),
    )
    .unwrap()
}

fn purged(key: &str) -> Mock {
    Mock::given(method("POST"))
        .and(path(format!("/service/{SERVICE}/purge/{key}")))
        .and(header("Fastly-Key", TOKEN))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"status": "ok", "id": "108-1391560174-974124"})),
        )
}

fn keys(keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| (*k).to_owned()).collect()
}

#[tokio::test]
async fn each_key_is_purged_once_with_the_token() {
    let server = MockServer::start().await;
    purged("0123456789abcdef01234567")
        .expect(1)
        .mount(&server)
        .await;
    purged("fans.example.com").expect(1).mount(&server).await;
    purger(&server.uri())
        .purge(&keys(&["0123456789abcdef01234567", "fans.example.com"]))
        .await
        .unwrap();
}

#[tokio::test]
async fn no_keys_no_calls() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    purger(&server.uri()).purge(&[]).await.unwrap();
}

#[tokio::test]
async fn a_429_is_retried_and_the_next_answer_used() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .expect(1)
        .with_priority(1)
        .mount(&server)
        .await;
    purged("k1").expect(1).mount(&server).await;
    purger(&server.uri()).purge(&keys(&["k1"])).await.unwrap();
}

#[tokio::test]
async fn a_lasting_5xx_is_transient_after_the_retries() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"msg": "Internal error"})))
        .expect(3)
        .mount(&server)
        .await;
    let error = purger(&server.uri())
        .purge(&keys(&["k1", "k2"]))
        .await
        .unwrap_err();
    assert_transient(&error, "500", TOKEN);
    assert!(
        error
            .to_string()
            .starts_with("temporarily unavailable: fastly purge:"),
        "{error}"
    );
}

#[tokio::test]
async fn a_timeout_is_transient() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"status": "ok", "id": "1"}))
                .set_delay(Duration::from_secs(3)),
        )
        .expect(3)
        .mount(&server)
        .await;
    let error = purger(&server.uri())
        .purge(&keys(&["k1"]))
        .await
        .unwrap_err();
    assert_transient(&error, "timed out", TOKEN);
}

#[tokio::test]
async fn a_connection_failure_is_transient() {
    let error = purger(&closed_port_url())
        .purge(&keys(&["k1"]))
        .await
        .unwrap_err();
    assert_transient(&error, "could not connect", TOKEN);
}

#[tokio::test]
async fn a_refused_token_is_permanent_and_never_shown() {
    let server = MockServer::start().await;
    // Some gateways echo what they were sent; the token must still not reach a message.
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(403).set_body_json(
            json!({"msg": "Provided credentials are missing or invalid: fastly-t0ken"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let error = purger(&server.uri())
        .purge(&keys(&["k1"]))
        .await
        .unwrap_err();
    assert_permanent(&error, "403", TOKEN);
}

#[tokio::test]
async fn an_unknown_service_is_permanent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"msg": "Record not found", "detail": "Cannot find service"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let error = purger(&server.uri())
        .purge(&keys(&["k1"]))
        .await
        .unwrap_err();
    assert_permanent(&error, "404", TOKEN);
}

#[tokio::test]
async fn a_malformed_body_is_permanent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("purged?", "text/plain"))
        .expect(1)
        .mount(&server)
        .await;
    let error = purger(&server.uri())
        .purge(&keys(&["k1"]))
        .await
        .unwrap_err();
    assert_permanent(&error, "unreadable answer", TOKEN);
}
