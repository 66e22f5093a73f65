//! The test harness: [`TestApp::spawn`] starts the service exactly as the binary does, on
//! memory adapters with a manual clock and recording publishers, and offers typed helpers that
//! read like the API.
//!
//! With `CAMPAIGN_TEST_STORE=mongodb` every app keeps its records on MongoDB instead (a fresh
//! database on the test server, `CAMPAIGN_TEST_MONGODB_URI`): `cargo xtask ci` runs this whole
//! suite a second time that way, so every endpoint is checked end to end on both stores.
#![allow(
    dead_code,
    reason = "each test module uses a different part of the harness"
)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use campaign_adapter_memory::{
    ManualClock, MemoryDiscovery, RecordingArtistStore, RecordingCdn, RecordingQueue,
    RecordingStream,
};
use campaign_api::auth::{DevKeys, TokenClaims, TokenVerifier};
use campaign_api::{Components, HttpOptions, JobSettings, memory_ports, mongo_ports};
use campaign_app::{PasswordHasher, Ports, Publishers, Settings};
use campaign_domain::chrono::{DateTime, TimeZone, Utc};
use campaign_domain::messages::{OutboundEvent, OutboundMessage};
use campaign_domain::uuid::Uuid;
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// One key pair for the whole test binary: generating RSA keys per test would be slow.
pub static KEYS: LazyLock<DevKeys> = LazyLock::new(|| DevKeys::generate().expect("test key pair"));

/// The instant every test app's clock starts at: 2030-01-01T00:00:00Z.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0)
        .single()
        .expect("valid date")
}

/// Whether the suite runs on MongoDB (`CAMPAIGN_TEST_STORE=mongodb`) rather than in memory.
pub fn on_mongodb() -> bool {
    match std::env::var("CAMPAIGN_TEST_STORE").as_deref() {
        Ok("mongodb") => true,
        Ok("memory") | Ok("") | Err(_) => false,
        Ok(other) => panic!("CAMPAIGN_TEST_STORE={other}: expected memory or mongodb"),
    }
}

/// The ports a test app runs on: memory, or a fresh MongoDB database (see the module docs).
async fn test_ports(clock: Arc<ManualClock>) -> Ports {
    if on_mongodb() {
        let settings = campaign_adapter_mongo::testing::fresh_settings();
        mongo_ports(&settings, clock)
            .await
            .unwrap_or_else(|e| panic!("cannot use the test MongoDB ({settings:?}): {e}"))
    } else {
        memory_ports(clock)
    }
}

/// What a test can tune before the app starts.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `iss` the service requires.
    pub issuer: Option<String>,
    /// `aud` the service requires.
    pub audience: Option<String>,
    /// Run the scheduled refresh at this period.
    pub refresh_interval: Option<Duration>,
    /// A Discovery API catalogue; without one the service runs with Discovery not configured.
    pub discovery: Option<Arc<MemoryDiscovery>>,
    /// Use-case settings (rate limits, cache TTLs); the defaults when `None`.
    pub settings: Option<Settings>,
    /// `CAMPAIGN_CORS_ALLOWED_ORIGINS`.
    pub cors_allowed_origins: Vec<String>,
    /// The token verifier (key sets, tests of `jwks`); `None`: [`KEYS`] with `issuer` and
    /// `audience`.
    pub verifier: Option<TokenVerifier>,
}

/// A running service and everything a test inspects.
pub struct TestApp {
    /// Where it listens.
    pub address: SocketAddr,
    /// A plain HTTP client.
    pub client: reqwest::Client,
    /// The service's clock.
    pub clock: Arc<ManualClock>,
    /// The service's ports (to inspect the store and outbox directly).
    pub ports: Ports,
    /// Recorded campaign data stream records.
    pub stream: Arc<RecordingStream>,
    /// Recorded data pipeline messages.
    pub data_pipeline: Arc<RecordingQueue>,
    /// Recorded refresh-selections messages.
    pub refresh_selections: Arc<RecordingQueue>,
    /// Recorded CDN purges.
    pub cdn: Arc<RecordingCdn>,
    /// Recorded artist-extension files.
    pub artist_extension: Arc<RecordingArtistStore>,
    stop: Option<oneshot::Sender<()>>,
    served: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    /// Starts the service with default options.
    pub async fn spawn() -> Self {
        Self::spawn_with(Options::default()).await
    }

    /// Starts the service with `options`.
    pub async fn spawn_with(options: Options) -> Self {
        let clock = Arc::new(ManualClock::new(start_time()));
        let mut ports = test_ports(clock.clone()).await;
        if let Some(discovery) = &options.discovery {
            ports.discovery = Some(discovery.clone());
        }
        let stream = Arc::new(RecordingStream::default());
        let data_pipeline = Arc::new(RecordingQueue::default());
        let refresh_selections = Arc::new(RecordingQueue::default());
        let cdn = Arc::new(RecordingCdn::default());
        let artist_extension = Arc::new(RecordingArtistStore::default());
        let publishers = Publishers {
            stream: stream.clone(),
            data_pipeline: data_pipeline.clone(),
            refresh_selections: refresh_selections.clone(),
            cdn: cdn.clone(),
            artist_extension: artist_extension.clone(),
        };
        let components = Components {
            ports: ports.clone(),
            publishers,
            verifier: options
                .verifier
                .clone()
                .unwrap_or_else(|| KEYS.verifier(options.issuer.clone(), options.audience.clone())),
            settings: options.settings.clone().unwrap_or_default(),
            // Cheap parameters: the tests check behaviour, not hashing cost.
            hasher: PasswordHasher::new(1024, 1),
            jobs: JobSettings {
                refresh_interval: options.refresh_interval,
                relay_idle: Duration::from_millis(5),
                ..JobSettings::default()
            },
            http: HttpOptions {
                cors_allowed_origins: options.cors_allowed_origins.clone(),
            },
        };
        let running = campaign_api::start("127.0.0.1:0".parse().unwrap(), components)
            .await
            .expect("service starts");
        let address = running.address();
        assert_ne!(address.port(), 0, "start must report the bound port");
        let (stop, stopped) = oneshot::channel::<()>();
        let served = tokio::spawn(running.serve_until(async {
            let _ = stopped.await;
        }));
        Self {
            address,
            client: reqwest::Client::new(),
            clock,
            ports,
            stream,
            data_pipeline,
            refresh_selections,
            cdn,
            artist_extension,
            stop: Some(stop),
            served: Some(served),
        }
    }

    /// The URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// A token for a supreme user.
    pub fn supreme_token(&self) -> String {
        sign(TokenClaims::supreme("admin-1", Duration::from_secs(3600)))
    }

    /// A token for a non-supreme user with these grants (`(campaign id, ["read", "write"])`).
    pub fn user_token(&self, user: &str, grants: &[(&str, &[&str])]) -> String {
        let campaigns: BTreeMap<String, Vec<String>> = grants
            .iter()
            .map(|(id, actions)| {
                (
                    (*id).to_owned(),
                    actions.iter().map(|a| (*a).to_owned()).collect(),
                )
            })
            .collect();
        sign(TokenClaims {
            supreme: false,
            campaigns,
            ..TokenClaims::supreme(user, Duration::from_secs(3600))
        })
    }

    /// Sends a request with an optional bearer token and JSON body.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        req.send().await.expect("request sent")
    }

    /// `GET path` with a token.
    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.request(Method::GET, path, Some(token), None).await
    }

    /// `POST path` with a token and a JSON body.
    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Response {
        self.request(Method::POST, path, Some(token), Some(body))
            .await
    }

    /// `DELETE path` with a token.
    pub async fn delete(&self, path: &str, token: &str) -> Response {
        self.request(Method::DELETE, path, Some(token), None).await
    }

    /// How many items every recording publisher holds now, to look at what comes after.
    pub fn outbound_mark(&self) -> OutboundMark {
        OutboundMark {
            stream: self.stream.sent().len(),
            data_pipeline: self.data_pipeline.sent().len(),
            refresh_selections: self.refresh_selections.sent().len(),
            cdn: self.cdn.sent().len(),
            artist_extension: self.artist_extension.sent().len(),
        }
    }

    /// What the publishers received after `mark` (call [`wait_for_delivery`] first).
    ///
    /// [`wait_for_delivery`]: Self::wait_for_delivery
    pub fn outbound_since(&self, mark: &OutboundMark) -> Outbound {
        let messages = |events: Vec<OutboundEvent>, from: usize| -> Vec<OutboundMessage> {
            events.into_iter().skip(from).map(|e| e.message).collect()
        };
        Outbound {
            stream: messages(self.stream.sent(), mark.stream),
            data_pipeline: messages(self.data_pipeline.sent(), mark.data_pipeline),
            refresh_selections: messages(self.refresh_selections.sent(), mark.refresh_selections),
            cdn: self.cdn.sent().into_iter().skip(mark.cdn).collect(),
            artist_extension: self.artist_extension.sent().len() - mark.artist_extension,
        }
    }

    /// Creates a campaign as a supreme user; panics unless 201. Returns `data`.
    pub async fn create_campaign(&self, body: &Value) -> Value {
        let res = self.post("/campaigns", &self.supreme_token(), body).await;
        let status = res.status();
        let json: Value = res.json().await.expect("json body");
        assert_eq!(status, StatusCode::CREATED, "create failed: {json}");
        json["data"].clone()
    }

    /// Waits until the relay has delivered everything recorded so far (at most 5 s).
    pub async fn wait_for_delivery(&self) {
        for _ in 0..500 {
            if self
                .ports
                .outbox
                .stats()
                .await
                .expect("outbox stats")
                .pending
                == 0
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the outbox did not drain");
    }

    /// Every event the publishers received, in delivery order per publisher, stream first.
    pub fn delivered_stream(&self) -> Vec<OutboundEvent> {
        self.stream.sent()
    }

    /// Stops the server gracefully and waits for it.
    pub async fn shut_down(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(served) = self.served.take() {
            served
                .await
                .expect("server task")
                .expect("server stopped cleanly");
        }
    }
}

/// Item counts of the recording publishers at one moment.
#[derive(Debug, Clone, Copy)]
pub struct OutboundMark {
    stream: usize,
    data_pipeline: usize,
    refresh_selections: usize,
    cdn: usize,
    artist_extension: usize,
}

/// What the recording publishers received after a mark.
#[derive(Debug, Clone)]
pub struct Outbound {
    /// Campaign data stream messages.
    pub stream: Vec<OutboundMessage>,
    /// Data pipeline messages.
    pub data_pipeline: Vec<OutboundMessage>,
    /// Refresh-selections messages.
    pub refresh_selections: Vec<OutboundMessage>,
    /// CDN purges (surrogate keys per call).
    pub cdn: Vec<Vec<String>>,
    /// How many artist-extension files were written.
    pub artist_extension: usize,
}

fn sign(claims: TokenClaims) -> String {
    KEYS.signer().sign(&claims).expect("token signed")
}

/// Reads a response as `(status, json)`.
pub async fn json_of(res: Response) -> (StatusCode, Value) {
    let status = res.status();
    let body = res.text().await.expect("body");
    let json =
        serde_json::from_str(&body).unwrap_or_else(|_| panic!("not JSON ({status}): {body}"));
    (status, json)
}

/// A unique site domain.
pub fn domain(label: &str) -> String {
    format!("{label}-{}.example.test", Uuid::new_v4().simple())
}

/// A DRAFT campaign document: only what a draft needs.
pub fn draft(name: &str) -> Value {
    json!({"name": name, "artist": {"id": "K8vZ917G7x0", "name": "The Band"}, "domain": {"site": domain("draft")}})
}

/// A complete campaign document (valid outside DRAFT), with one locale `en-US` and a FAQ placed
/// on the landing page.
pub fn complete(name: &str) -> Value {
    let faq = "6f9619ff-8b86-d011-b42d-00cf4fc964ff";
    json!({
        "name": name,
        "identifier": "tour-2030",
        "artist": {"id": "K8vZ917G7x0", "name": "The Band"},
        "domain": {"site": domain("site"), "preview": domain("preview")},
        "tour": {"name": "World Tour"},
        "style": {
            "theme": {"primary": "#112233"},
            "border": {"primary": "#000000"},
            "pageBackground": {"primary": "#ffffff"},
            "text": {"primary": "#101010"}
        },
        "image": {"main": {"url": "https://img.example.test/main.png"}},
        "locales": [{"id": "en-US", "is_default": true}, {"id": "fr-FR", "is_default": false}],
        "content": {
            "en-US": {"faqs": {faq: {"question": "When?", "answer": "Soon."}}, "terms": "Be nice."},
            "fr-FR": {"faqs": {faq: {"question": "Quand ?", "answer": "Bientôt."}}, "terms": "Soyez sympa."}
        },
        "faqs": {"landing": {"open": [faq]}}
    })
}

/// Checks a success answer's status and returns its `data`.
#[track_caller]
pub fn expect_data_of(status: StatusCode, body: &Value, expected: StatusCode) -> Value {
    assert_eq!(status, expected, "unexpected answer: {body}");
    assert!(body["meta"]["correlation"].is_string(), "{body}");
    body["data"].clone()
}

/// Reads a success answer with the `expected` status; returns its `data`.
pub async fn data_of(res: Response, expected: StatusCode) -> Value {
    let (status, body) = json_of(res).await;
    expect_data_of(status, &body, expected)
}

/// Reads an error answer, checks its status and `type`, and returns `error`.
pub async fn error_of(res: Response, expected: StatusCode, kind: &str) -> Value {
    let (status, body) = json_of(res).await;
    assert_eq!(status, expected, "unexpected answer: {body}");
    assert_eq!(body["error"]["type"], kind, "{body}");
    assert!(body["error"]["correlation"].is_string(), "{body}");
    body["error"].clone()
}

/// The `field`s of an error's `details`, in order.
pub fn detail_fields(error: &Value) -> Vec<String> {
    error["details"]
        .as_array()
        .map(|d| {
            d.iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// A complete campaign with a presale window from 2030-02-01 to 2030-03-01 (UTC), automated
/// reminders on, and its own event id `own-1`.
pub fn presale_campaign(name: &str) -> Value {
    let mut doc = complete(name);
    doc["date"] = json!({
        "presaleWindowStart": "2030-02-01T00:00:00Z",
        "presaleWindowEnd": "2030-03-01T00:00:00Z"
    });
    doc["options"] = json!({"automatedReminders": true});
    doc["eventIds"] = json!(["own-1"]);
    doc
}

/// A market document named `name` listing `event_ids`, with its presale on 2030-02-10T15:00Z
/// (inside [`presale_campaign`]'s window) and its event on 2030-03-10T20:00Z.
pub fn market_doc(name: &str, event_ids: &[&str]) -> Value {
    json!({
        "name": name,
        "city": "New York",
        "state": "NY",
        "timezone": "America/New_York",
        "point": {"type": "Point", "coordinates": [-73.98, 40.75]},
        "population": 8_000_000,
        "event": {
            "ids": event_ids,
            "name": "The Band live",
            "date": "2030-03-10T20:00:00Z",
            "presaleDateTime": "2030-02-10T15:00:00Z",
            "ticketer": "TM",
            "category_ids": ["cat-1"],
            "venue": {"id": "KovZpZA7AAEA", "name": "Madison Square Garden"},
            "sharedCode": "SPRING"
        }
    })
}

impl TestApp {
    /// Creates a market of campaign `campaign_id` as a supreme user; panics unless 201.
    /// Returns `data`.
    pub async fn create_market(&self, campaign_id: &str, body: &Value) -> Value {
        data_of(
            self.post(
                &format!("/campaigns/{campaign_id}/markets"),
                &self.supreme_token(),
                body,
            )
            .await,
            StatusCode::CREATED,
        )
        .await
    }

    /// Moves a campaign to OPEN as a supreme user; panics unless 200. Returns `data`.
    pub async fn open(&self, campaign_id: &str) -> Value {
        data_of(
            self.post(
                &format!("/campaigns/{campaign_id}"),
                &self.supreme_token(),
                &json!({"status": "OPEN"}),
            )
            .await,
            StatusCode::OK,
        )
        .await
    }
}
