//! The client against a stubbed service answering with the service's real shapes: retries keep
//! their `Idempotency-Key`, errors arrive typed, tags travel in `ETag` and `If-Match`.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code fails loudly; clippy exempts only #[test] bodies"
)]

use std::time::Duration;

use campaign_client::{Client, ClientError, ETag, Idempotent, RetryPolicy};
use campaign_domain::values::PromoterId;
use campaign_http_types::ErrorType;
use campaign_http_types::promoter::{NewPromoter, PromoterPatch};
use serde_json::{Value, json};
use wiremock::matchers::{header, header_exists, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const ID: &str = "65a1b2c3d4e5f60718293a4b";

fn promoter(version: u64) -> Value {
    json!({"data": {
        "id": ID, "name": "Live", "version": version,
        "privacyUrls": [{"locale": "en-US", "url": "https://p.example/en", "is_default": true}],
        "date": {"created": "2030-01-01T00:00:00.000Z", "updated": "2030-01-02T00:00:00.000Z"}},
        "meta": {"correlation": "c-1", "timestamp": "2030-01-02T00:00:00.000Z"}})
}

fn error(kind: &str) -> Value {
    json!({"error": {"type": kind, "message": "m", "correlation": "c-2",
                     "details": [{"field": "name", "message": "must not be empty"}]}})
}

fn quick() -> RetryPolicy {
    RetryPolicy {
        attempts: 3,
        first_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
    }
}

async fn client(server: &MockServer) -> Client {
    Client::new(&server.uri())
        .unwrap()
        .with_token("t0k3n")
        .with_retry(quick())
}

#[tokio::test]
async fn a_create_retried_after_a_5xx_sends_the_same_idempotency_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/promoters"))
        .and(header("authorization", "Bearer t0k3n"))
        .respond_with(ResponseTemplate::new(503).set_body_json(error("DEPENDENCY_UNAVAILABLE")))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/promoters"))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("etag", "\"0\"")
                .set_body_json(promoter(0)),
        )
        .mount(&server)
        .await;
    let body: NewPromoter<'_> = serde_json::from_value(json!({"name": "Live",
        "privacyUrls": [{"locale": "en-US", "url": "https://p.example/en", "is_default": true}]}))
    .unwrap();
    let created = client(&server)
        .await
        .promoters()
        .create(&body, Some(Idempotent::key("create-live-1")))
        .await
        .unwrap();
    assert_eq!(created.value.id.as_str(), ID);
    assert_eq!(created.etag.version(), Some(0));
    let keys: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r: &Request| r.headers["idempotency-key"].to_str().unwrap().to_owned())
        .collect();
    assert_eq!(keys, ["create-live-1", "create-live-1"]);
}

#[tokio::test]
async fn an_error_answer_is_typed_and_not_retried_when_it_cannot_pass() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/promoters/{ID}")))
        .and(header("if-match", "\"3\""))
        .and(header_exists("idempotency-key"))
        .respond_with(ResponseTemplate::new(409).set_body_json(error("VERSION_CONFLICT")))
        .expect(1)
        .mount(&server)
        .await;
    let patch = PromoterPatch {
        name: Some("New".into()),
        ..PromoterPatch::default()
    };
    let id = PromoterId::parse(ID).unwrap();
    let failure = client(&server)
        .await
        .promoters()
        .update(&id, &patch, Some(&ETag::of_version(3)))
        .await
        .unwrap_err();
    assert_eq!(failure.error_type(), Some(ErrorType::VersionConflict));
    match failure {
        ClientError::Api { status, error, .. } => {
            assert_eq!(status, 409);
            assert_eq!(error.correlation, "c-2");
            assert_eq!(error.details.unwrap()[0].field, "name");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_read_keeps_its_tag_and_gives_up_after_the_policy() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/promoters/{ID}")))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("etag", "\"7\"")
                .set_body_json(promoter(7)),
        )
        .mount(&server)
        .await;
    let id = PromoterId::parse(ID).unwrap();
    let read = client(&server).await.promoters().get(&id).await.unwrap();
    assert_eq!(read.etag, ETag::of_version(7));
    assert_eq!(read.value.version, 7);

    let down = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500).set_body_json(error("INTERNAL_ERROR")))
        .expect(3)
        .mount(&down)
        .await;
    let failure = client(&down).await.promoters().get(&id).await.unwrap_err();
    assert_eq!(failure.error_type(), Some(ErrorType::InternalError));
}

#[tokio::test]
async fn an_answer_outside_the_contract_is_reported_as_such() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"))
        .mount(&server)
        .await;
    let id = PromoterId::parse(ID).unwrap();
    let failure = Client::new(&server.uri())
        .unwrap()
        .with_retry(RetryPolicy::none())
        .promoters()
        .get(&id)
        .await
        .unwrap_err();
    assert!(
        matches!(failure, ClientError::Unexpected { status: 502, .. }),
        "{failure:?}"
    );
    assert!(matches!(
        Client::new("campaigns.example.com"),
        Err(ClientError::InvalidBaseUrl(_))
    ));
}

#[tokio::test]
async fn a_gateway_error_without_the_envelope_is_retried_and_the_token_never_printed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("etag", "\"7\"")
                .set_body_json(promoter(7)),
        )
        .mount(&server)
        .await;
    let client = client(&server).await;
    let id = PromoterId::parse(ID).unwrap();
    assert_eq!(client.promoters().get(&id).await.unwrap().value.version, 7);
    let printed = format!("{client:?}");
    assert!(!printed.contains("t0k3n"), "{printed}");
}

#[tokio::test]
async fn a_retry_after_longer_than_the_policy_allows_is_not_waited_for() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "3600")
                .set_body_json(error("TOO_MANY_REQUESTS")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let id = PromoterId::parse(ID).unwrap();
    let failure = client(&server)
        .await
        .promoters()
        .get(&id)
        .await
        .unwrap_err();
    assert_eq!(failure.error_type(), Some(ErrorType::TooManyRequests));
    match failure {
        ClientError::Api { retry_after, .. } => {
            assert_eq!(retry_after, Some(Duration::from_secs(3600)));
        }
        other => panic!("{other:?}"),
    }
}
