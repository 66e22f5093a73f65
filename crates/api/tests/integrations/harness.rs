//! The service started as the binary does — on the memory store with the Redis cache and lock
//! (and the HTTP Discovery client when given), or on the components a test assembles — with
//! typed helpers for the requests the tests make.

use std::net::SocketAddr;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use campaign_adapter_memory::SystemClock;
use campaign_adapter_redis::RedisCache;
use campaign_api::auth::{DevKeys, TokenClaims};
use campaign_api::{Components, JobSettings, logging_publishers, memory_ports};
use campaign_app::{PasswordHasher, Ports, Publishers, Settings};
use campaign_ports::Discovery;
use reqwest::StatusCode;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// One key pair for the whole binary.
static KEYS: LazyLock<DevKeys> = LazyLock::new(|| DevKeys::generate().expect("test key pair"));

/// A running service.
pub struct App {
    address: SocketAddr,
    client: reqwest::Client,
    token: String,
    stop: Option<oneshot::Sender<()>>,
    served: Option<JoinHandle<std::io::Result<()>>>,
}

impl App {
    /// Starts the service with `cache` as its cache, lock and rate limiter, campaign reads cached
    /// (as with `CAMPAIGN_REDIS_URL` set), and `discovery` when given.
    pub async fn spawn(cache: Arc<RedisCache>, discovery: Option<Arc<dyn Discovery>>) -> Self {
        let mut ports = memory_ports(Arc::new(SystemClock));
        campaign_api::wiring::plug_redis(&mut ports, cache);
        ports.discovery = discovery;
        Self::start(components(ports, logging_publishers())).await
    }

    /// Starts the service with these components.
    pub async fn start(components: Components) -> Self {
        let running = campaign_api::start("127.0.0.1:0".parse().unwrap(), components)
            .await
            .expect("service starts");
        let address = running.address();
        let (stop, stopped) = oneshot::channel::<()>();
        let served = tokio::spawn(running.serve_until(async {
            let _ = stopped.await;
        }));
        let token = KEYS
            .signer()
            .sign(&TokenClaims::supreme("admin-1", Duration::from_secs(3600)))
            .expect("token signed");
        Self {
            address,
            client: reqwest::Client::new(),
            token,
            stop: Some(stop),
            served: Some(served),
        }
    }

    /// `GET path` with a supreme token: `(status, json body)`.
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let res = self
            .client
            .get(format!("http://{}{path}", self.address))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("request sent");
        (res.status(), res.json().await.expect("a JSON body"))
    }

    /// `POST path` with a supreme token and a JSON body: `(status, json body)`.
    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        let res = self
            .client
            .post(format!("http://{}{path}", self.address))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .expect("request sent");
        (res.status(), res.json().await.expect("a JSON body"))
    }

    /// Stops the server gracefully.
    pub async fn shut_down(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(served) = self.served.take() {
            served.await.expect("server task").expect("server stopped");
        }
    }
}

/// The components the tests run: `ports` and `publishers`, tokens of this binary's key pair,
/// campaign reads cached, cheap hashing, no scheduled refresh, a relay that looks for work
/// every 5 ms.
pub fn components(ports: Ports, publishers: Publishers) -> Components {
    Components {
        ports,
        publishers,
        verifier: KEYS.verifier(None, None),
        settings: Settings {
            cache_records: true,
            ..Settings::default()
        },
        hasher: PasswordHasher::new(1024, 1),
        jobs: JobSettings {
            refresh_interval: None,
            relay_idle: Duration::from_millis(5),
            ..JobSettings::default()
        },
        http: campaign_api::HttpOptions::default(),
    }
}

/// Polls `check` every 25 ms until it holds, at most 10 s.
pub async fn eventually<F, Fut>(what: &str, check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    eventually_within(what, Duration::from_secs(10), check).await;
}

/// Polls `check` every 25 ms until it holds, at most `limit`.
pub async fn eventually_within<F, Fut>(what: &str, limit: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + limit;
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// The `outbox_backlog` gauge of the service at `base` (`http://host:port`), when exported.
pub async fn outbox_backlog(client: &reqwest::Client, base: &str) -> Option<u64> {
    let text = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    text.lines()
        .find_map(|line| line.strip_prefix("outbox_backlog "))
        .and_then(|value| value.trim().parse::<f64>().ok())
        .map(|value| value as u64)
}

/// Waits (at most `limit`) until the service at `base` reports an empty outbox backlog.
pub async fn until_backlog_drained(client: &reqwest::Client, base: &str, limit: Duration) {
    eventually_within("the outbox backlog to drain", limit, || async move {
        outbox_backlog(client, base).await == Some(0)
    })
    .await;
}
