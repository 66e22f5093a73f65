//! `GET /heartbeat` through real HTTP: the server is started on 127.0.0.1:0 as the binary
//! starts it, and stopped gracefully at the end.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test loudly; clippy exempts only #[test] bodies"
)]

use std::net::SocketAddr;

use campaign_api::config::Config;
use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running service and the means to stop it.
struct TestApp {
    address: SocketAddr,
    stop: oneshot::Sender<()>,
    served: JoinHandle<std::io::Result<()>>,
}

async fn spawn_app() -> TestApp {
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
    };
    let (server, address) = campaign_api::build(&config).await.unwrap();
    assert_ne!(address.port(), 0, "build must report the bound port");
    let (stop, stopped) = oneshot::channel::<()>();
    let served = tokio::spawn(campaign_api::serve_until(server, async {
        let _ = stopped.await;
    }));
    TestApp {
        address,
        stop,
        served,
    }
}

impl TestApp {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Stops the server and waits until it has finished.
    async fn shut_down(self) {
        self.stop.send(()).unwrap();
        self.served.await.unwrap().unwrap();
    }
}

#[tokio::test]
async fn heartbeat_answers_ok_in_the_envelope() {
    let app = spawn_app().await;

    let response = reqwest::get(app.url("/heartbeat")).await.unwrap();

    assert_eq!(response.status(), reqwest::StatusCode::OK);
    let content_type = response.headers()[reqwest::header::CONTENT_TYPE]
        .to_str()
        .unwrap();
    assert_eq!(content_type, "application/json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"], serde_json::json!({"status": "ok"}));
    let meta = body["meta"].as_object().unwrap();
    assert_eq!(
        meta.len(),
        2,
        "meta carries exactly correlation and timestamp: {meta:?}"
    );
    let correlation = uuid::Uuid::parse_str(meta["correlation"].as_str().unwrap()).unwrap();
    assert_eq!(correlation.get_version_num(), 4);
    let timestamp = meta["timestamp"].as_str().unwrap();
    assert!(timestamp.ends_with('Z'), "UTC with a Z suffix: {timestamp}");
    let timestamp = DateTime::parse_from_rfc3339(timestamp).unwrap();
    let age = Utc::now().signed_duration_since(timestamp);
    assert!(
        age.num_seconds().abs() < 60,
        "timestamp is now: {timestamp}"
    );
    assert_eq!(
        body.as_object().unwrap().len(),
        2,
        "only data and meta: {body}"
    );

    app.shut_down().await;
}

#[tokio::test]
async fn each_answer_gets_its_own_correlation_id() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();

    let mut ids = Vec::new();
    for _ in 0..2 {
        let body: Value = client
            .get(app.url("/heartbeat"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        ids.push(body["meta"]["correlation"].as_str().unwrap().to_owned());
    }
    assert_ne!(ids[0], ids[1]);

    app.shut_down().await;
}

#[tokio::test]
async fn after_shutdown_the_port_no_longer_answers() {
    let app = spawn_app().await;
    let url = app.url("/heartbeat");
    assert!(reqwest::get(&url).await.unwrap().status().is_success());

    app.shut_down().await;

    let after = reqwest::Client::new().get(&url).send().await;
    assert!(after.is_err(), "still answering after shutdown: {after:?}");
}
