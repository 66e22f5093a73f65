//! The service configured as the binary is, with `CAMPAIGN_STORE=mongodb`: assembled from the
//! same `Config` (`Components::from_config`), serving the API on the test MongoDB; and on a
//! private server that stops in the middle of a test (503 `DEPENDENCY_UNAVAILABLE`, readiness
//! 503) and comes back (the same process serves again, without a restart). A stored record that
//! does not decode is not an outage: 500 `INTERNAL_ERROR`, and the service stays ready.

use std::time::{Duration, Instant};

use campaign_adapter_mongo::testing::{self, PrivateMongo};
use campaign_adapter_mongo::{MongoSettings, MongoStore};
use campaign_api::Components;
use campaign_api::auth::{DevKeys, TokenClaims};
use campaign_api::config::Config;
use campaign_domain::uuid::Uuid;
use campaign_domain::values::CampaignId;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::until_backlog_drained;

/// A service assembled from `CAMPAIGN_*` variables, with a token for it.
struct Served {
    base: String,
    client: reqwest::Client,
    token: String,
    stop: tokio::sync::oneshot::Sender<()>,
    served: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Served {
    async fn start(uri: &str, database: &str) -> Result<Self, String> {
        let keys = DevKeys::generate().unwrap();
        let dir = std::env::temp_dir().join(format!("campaign-mongo-e2e-{}", database));
        std::fs::create_dir_all(&dir).unwrap();
        let key_file = dir.join("public.pem");
        std::fs::write(&key_file, keys.public_pem()).unwrap();
        let vars = [
            ("CAMPAIGN_LISTEN", "127.0.0.1:0".to_owned()),
            ("CAMPAIGN_STORE", "mongodb".to_owned()),
            ("CAMPAIGN_MONGODB_URI", uri.to_owned()),
            ("CAMPAIGN_MONGODB_DATABASE", database.to_owned()),
            (
                "CAMPAIGN_JWT_PUBLIC_KEY_FILE",
                key_file.display().to_string(),
            ),
            ("CAMPAIGN_REFRESH_INTERVAL_SECS", "0".to_owned()),
        ];
        let config = Config::from_lookup(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.clone())
                .ok_or(std::env::VarError::NotPresent)
        })
        .map_err(|e| e.to_string())?;
        let (components, dev) = Components::from_config(&config)
            .await
            .map_err(|e| e.to_string())?;
        assert!(dev.is_none(), "a key file was given");
        let running = campaign_api::start(config.listen, components)
            .await
            .map_err(|e| e.to_string())?;
        let base = format!("http://{}", running.address());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = tokio::spawn(running.serve_until(async {
            let _ = stopped.await;
        }));
        let token = keys
            .signer()
            .sign(&TokenClaims::supreme("admin-1", Duration::from_secs(3600)))
            .unwrap();
        Ok(Self {
            base,
            client: reqwest::Client::new(),
            token,
            stop,
            served,
        })
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let res = request.send().await.expect("request sent");
        (res.status(), res.json().await.expect("a JSON body"))
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(reqwest::Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    async fn shut_down(self) {
        let _ = self.stop.send(());
        self.served.await.unwrap().unwrap();
    }
}

fn site(label: &str) -> String {
    format!("{label}-{}.example.test", Uuid::new_v4().simple())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_on_mongodb_serves_the_api_and_keeps_records_across_restarts() {
    let uri = testing::uri();
    let database = testing::unique_database();
    let app = Served::start(&uri, &database)
        .await
        .expect("service starts");
    let domain = site("e2e");
    let (status, created) = app
        .post(
            "/campaigns",
            json!({"name": "On Mongo", "artist": {"id": "K8vZ917G7x0", "name": "The Band"},
                   "domain": {"site": domain}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["data"]["id"].as_str().unwrap().to_owned();
    let (status, clash) = app
        .post(
            "/campaigns",
            json!({"name": "Clash", "artist": {"id": "K8vZ917G7x0"}, "domain": {"site": domain}}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{clash}");
    assert_eq!(clash["error"]["type"], "DOMAIN_NAME_CONFLICT");

    let market = json!({"name": "Austin", "city": "Austin", "state": "TX",
                        "timezone": "America/Chicago", "event": {"ids": ["vvG1zZ9"]}});
    let (status, m) = app
        .post(&format!("/campaigns/{id}/markets"), market.clone())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
    let (status, dup) = app.post(&format!("/campaigns/{id}/markets"), market).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{dup}");
    assert_eq!(dup["error"]["type"], "MARKET_NAME_EXISTS");
    let (status, listed) = app.get("/campaigns/list").await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert!(listed.to_string().contains(&id), "{listed}");

    let (status, updated) = app
        .post(&format!("/campaigns/{id}"), json!({"name": "Renamed"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(app.get("/health/ready").await.0, StatusCode::OK);
    // The relay sweeps the events out of the documents and delivers them (to the logging
    // publishers here): the backlog drains.
    until_backlog_drained(&app.client, &app.base, Duration::from_secs(10)).await;
    app.shut_down().await;

    // A new process on the same database sees everything.
    let again = Served::start(&uri, &database)
        .await
        .expect("service restarts");
    let (status, read) = again.get(&format!("/campaigns/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["data"]["name"], "Renamed");
    assert_eq!(read["data"]["version"], 2);
    let (status, markets) = again.get(&format!("/campaigns/{id}/markets")).await;
    assert_eq!(status, StatusCode::OK, "{markets}");
    assert!(markets.to_string().contains("Austin"), "{markets}");
    again.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undecodable_stored_campaign_answers_500_internal_error_and_the_service_stays_ready() {
    let uri = testing::uri();
    let database = testing::unique_database();
    let app = Served::start(&uri, &database)
        .await
        .expect("service starts");
    let (status, created) = app
        .post(
            "/campaigns",
            json!({"name": "Unreadable", "artist": {"id": "K8vZ917G7x0"}, "domain": {"site": site("unreadable")}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["data"]["id"].as_str().unwrap().to_owned();
    // Another version of the service (or a hand edit) leaves a status this one cannot read.
    let store = MongoStore::connect(&MongoSettings::new(uri.clone(), database.clone()))
        .await
        .expect("the test MongoDB answers");
    testing::make_campaign_undecodable(&store, &CampaignId::parse(&id).unwrap()).await;

    for path in [format!("/campaigns/{id}"), "/campaigns/list".to_owned()] {
        let (status, body) = app.get(&path).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{path}: {body}");
        assert_eq!(body["error"]["type"], "INTERNAL_ERROR", "{path}: {body}");
        assert!(
            !body.to_string().contains("ARCHIVED"),
            "no decoder output reaches the client: {body}"
        );
    }
    // The database answers: not an outage, the pod stays in the Service.
    let (status, body) = app.get("/health/ready").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.shut_down().await;
}

#[tokio::test]
async fn an_unreachable_mongodb_stops_start_up_with_a_clear_message() {
    // Nothing listens on a port we just had the OS hand out and released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = Instant::now();
    let error = Served::start(
        &format!("mongodb://127.0.0.1:{port}/?serverSelectionTimeoutMS=500"),
        "unreachable",
    )
    .await
    .err()
    .expect("start-up must fail");
    assert!(error.contains("MongoDB is unreachable"), "{error}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mongodb_outage_answers_503_and_the_service_recovers_by_itself() {
    let mut mongo = PrivateMongo::start();
    let uri = format!("{}/?serverSelectionTimeoutMS=1000", mongo.uri());
    let app = Served::start(&uri, "outage").await.expect("service starts");
    let (status, created) = app
        .post(
            "/campaigns",
            json!({"name": "Before", "artist": {"id": "K8vZ917G7x0"}, "domain": {"site": site("outage")}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");

    mongo.stop();
    let (status, body) = app.get("/campaigns/list").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"]["type"], "DEPENDENCY_UNAVAILABLE");
    let (status, body) = app
        .post(
            "/campaigns",
            json!({"name": "During", "artist": {"id": "K8vZ917G7x0"}, "domain": {"site": site("during")}}),
        )
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    let (status, body) = app.get("/health/ready").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");

    // Back (empty: the server keeps data in memory): the same process serves again.
    mongo.restart();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = app
            .post(
                "/campaigns",
                json!({"name": "After", "artist": {"id": "K8vZ917G7x0"}, "domain": {"site": site("after")}}),
            )
            .await;
        if status == StatusCode::CREATED {
            break;
        }
        assert!(Instant::now() < deadline, "no recovery: {status} {body}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(app.get("/health/ready").await.0, StatusCode::OK);
    app.shut_down().await;
}
