//! JSON Web Key Sets through HTTP (SPEC §3, §5; ADR 0016): the service configured with
//! `CAMPAIGN_JWT_JWKS_URL` served by a wiremock server chooses a token's key by its `kid`,
//! fetches the set again when a token names a key it does not hold yet (at most once per floor,
//! one fetch for every request waiting), keeps answering tokens of both keys while the set
//! rotates under load, keeps its last good set while the URL fails after start-up, and refuses
//! to start on an unreachable URL or an unusable set, naming the variable.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use campaign_api::Components;
use campaign_api::auth::{DevKeys, KeySetOptions, KeySources, TokenClaims, TokenVerifier};
use campaign_api::config::Config;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::helpers::{Options, TestApp, draft, json_of};
use crate::support::{expect_data, expect_error, id_of};

/// The key the set holds first.
static KEY_A: LazyLock<DevKeys> = LazyLock::new(|| DevKeys::generate().expect("key pair A"));
/// The key rotated in.
static KEY_B: LazyLock<DevKeys> = LazyLock::new(|| DevKeys::generate().expect("key pair B"));
/// A key no set ever holds.
static KEY_C: LazyLock<DevKeys> = LazyLock::new(|| DevKeys::generate().expect("key pair C"));

const JWKS_PATH: &str = "/.well-known/jwks.json";

/// A set of `(key, kid)`.
fn key_set(keys: &[(&DevKeys, &str)]) -> Value {
    let keys: Vec<Value> = keys
        .iter()
        .map(|(keys, kid)| serde_json::to_value(keys.jwk(kid)).expect("jwk"))
        .collect();
    json!({ "keys": keys })
}

/// A supreme token of `user` signed by `keys`, naming `kid`.
fn token(keys: &DevKeys, kid: &str, user: &str) -> String {
    keys.signer()
        .clone()
        .with_key_id(kid)
        .sign(&TokenClaims::supreme(user, Duration::from_secs(3600)))
        .expect("token signed")
}

/// The identity provider's JWKS endpoint: answers the set it holds now, which the test switches
/// (or a failure the test sets instead).
#[derive(Clone)]
struct Idp {
    answer: Arc<Mutex<ResponseTemplate>>,
}

impl Idp {
    fn holding(set: Value) -> Self {
        Self {
            answer: Arc::new(Mutex::new(ResponseTemplate::new(200).set_body_json(set))),
        }
    }

    fn switch_to(&self, set: Value) {
        self.answer_with(ResponseTemplate::new(200).set_body_json(set));
    }

    /// Answers `answer` from now on instead of a set.
    fn answer_with(&self, answer: ResponseTemplate) {
        *self.answer.lock().unwrap() = answer;
    }
}

impl Respond for Idp {
    fn respond(&self, _request: &Request) -> ResponseTemplate {
        self.answer.lock().unwrap().clone()
    }
}

/// A wiremock server serving `idp` at [`JWKS_PATH`].
async fn serve(idp: &Idp) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(JWKS_PATH))
        .respond_with(idp.clone())
        .mount(&server)
        .await;
    server
}

/// A wiremock server of its own (not from wiremock's pool, so dropping it closes its port)
/// serving `idp` at [`JWKS_PATH`] on `listener`.
async fn serve_on(idp: &Idp, listener: std::net::TcpListener) -> MockServer {
    let server = MockServer::builder().listener(listener).start().await;
    Mock::given(method("GET"))
        .and(path(JWKS_PATH))
        .respond_with(idp.clone())
        .mount(&server)
        .await;
    server
}

/// How many times the service fetched the set.
async fn fetches(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .expect("wiremock records requests")
        .iter()
        .filter(|request| request.url.path() == JWKS_PATH)
        .count()
}

/// The configuration of a deployed service whose only key source is the set at `server`.
fn config_with_jwks_url(url: &str) -> Config {
    let vars = HashMap::from([
        ("CAMPAIGN_LISTEN", "127.0.0.1:0".to_owned()),
        ("CAMPAIGN_JWT_JWKS_URL", url.to_owned()),
        ("CAMPAIGN_REFRESH_INTERVAL_SECS", "0".to_owned()),
    ]);
    Config::from_lookup(|name| {
        vars.get(name)
            .cloned()
            .ok_or(std::env::VarError::NotPresent)
    })
    .expect("valid configuration")
}

/// The service exactly as the binary assembles it from `config`, serving until dropped.
struct Service {
    base: String,
    client: reqwest::Client,
    _stop: oneshot::Sender<()>,
}

impl Service {
    async fn start(config: &Config) -> Self {
        let (components, dev) = Components::from_config(config)
            .await
            .expect("components assembled");
        assert!(dev.is_none(), "a configured key set is not dev mode");
        let running = campaign_api::start(config.listen, components)
            .await
            .expect("service starts");
        let base = format!("http://{}", running.address());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(running.serve_until(async {
            let _ = stopped.await;
        }));
        Self {
            base,
            client: reqwest::Client::new(),
            _stop: stop,
        }
    }

    async fn list(&self, token: &str) -> reqwest::Response {
        self.client
            .get(format!("{}/campaigns/list", self.base))
            .bearer_auth(token)
            .send()
            .await
            .expect("request sent")
    }
}

#[tokio::test]
async fn a_key_published_later_is_fetched_on_first_use_and_unknown_kids_respect_the_floor() {
    let idp = Idp::holding(key_set(&[(&KEY_A, "key-a")]));
    let server = serve(&idp).await;
    let service = Service::start(&config_with_jwks_url(&format!(
        "{}{JWKS_PATH}",
        server.uri()
    )))
    .await;
    assert_eq!(fetches(&server).await, 1, "fetched once at start-up");

    let a = token(&KEY_A, "key-a", "user-a");
    expect_data(service.list(&a).await, StatusCode::OK).await;
    assert_eq!(fetches(&server).await, 1, "a known kid needs no fetch");

    // The provider publishes B, then signs with it: B's first token makes the service fetch.
    idp.switch_to(key_set(&[(&KEY_A, "key-a"), (&KEY_B, "key-b")]));
    let b = token(&KEY_B, "key-b", "user-b");
    expect_data(service.list(&b).await, StatusCode::OK).await;
    assert_eq!(fetches(&server).await, 2, "one fetch for the unknown kid");
    expect_data(service.list(&a).await, StatusCode::OK).await;

    // Made-up kids within the floor: 401 in the envelope, and no fetch, even all at once.
    let forged = token(&KEY_C, "key-c", "intruder");
    let body = expect_error(
        service.list(&forged).await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
    )
    .await;
    assert_eq!(
        body["error"]["message"],
        "the token key id (kid) is not known"
    );
    let attempts = (0..20).map(|i| {
        let forged = token(&KEY_C, &format!("made-up-{i}"), "intruder");
        let service = &service;
        async move { service.list(&forged).await.status() }
    });
    for status in futures::future::join_all(attempts).await {
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // A kid the set holds, but a signature by another key: refused, never a fetch.
    let lying = token(&KEY_C, "key-a", "intruder");
    expect_error(
        service.list(&lying).await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
    )
    .await;
    assert_eq!(fetches(&server).await, 2, "the floor holds");
}

#[tokio::test]
async fn requests_waiting_for_a_new_key_share_one_fetch() {
    let idp = Idp::holding(key_set(&[(&KEY_A, "key-a")]));
    let server = serve(&idp).await;
    let service = Service::start(&config_with_jwks_url(&format!(
        "{}{JWKS_PATH}",
        server.uri()
    )))
    .await;
    idp.switch_to(key_set(&[(&KEY_A, "key-a"), (&KEY_B, "key-b")]));
    // Distinct tokens, so no answer comes from the verifier's memory of a token.
    let requests = (0..16).map(|i| {
        let b = token(&KEY_B, "key-b", &format!("user-{i}"));
        let service = &service;
        async move { service.list(&b).await.status() }
    });
    for status in futures::future::join_all(requests).await {
        assert_eq!(status, StatusCode::OK);
    }
    assert_eq!(fetches(&server).await, 2, "start-up, then one shared fetch");
}

/// Where the rotation is: which keys the provider's set holds.
const ONLY_A: u8 = 1;
const A_AND_B: u8 = 2;
const ONLY_B: u8 = 3;
const DONE: u8 = 4;

/// One client of the rotation test: sends tokens of `keys` (a new one each time) to
/// `GET /campaigns/{id}` in a loop until [`DONE`], and counts its answers while its key was in
/// the provider's set from before the request was sent until after the answer came back.
async fn hammer(
    app: Arc<TestApp>,
    id: String,
    keys: &'static DevKeys,
    kid: &'static str,
    phase: Arc<AtomicU8>,
    in_set: fn(u8) -> bool,
) -> (usize, Vec<(u8, StatusCode, String)>) {
    let mut accepted = 0;
    let mut refused = Vec::new();
    let mut n = 0;
    loop {
        let sent_in = phase.load(Ordering::SeqCst);
        if sent_in == DONE {
            return (accepted, refused);
        }
        if !in_set(sent_in) {
            // B before it is published: wait for it.
            tokio::time::sleep(Duration::from_millis(5)).await;
            continue;
        }
        n += 1;
        let token = token(keys, kid, &format!("{kid}-{n}"));
        let res = app.get(&format!("/campaigns/{id}"), &token).await;
        let status = res.status();
        let body = res.text().await.unwrap_or_default();
        // The provider switches its set before moving the phase on, so an answer received
        // while the phase still says the key is in the set was given while it was.
        let received_in = phase.load(Ordering::SeqCst);
        if in_set(received_in) {
            if status == StatusCode::OK {
                accepted += 1;
            } else {
                refused.push((received_in, status, body));
            }
        }
    }
}

#[tokio::test]
async fn keys_rotate_under_load_without_a_401_for_a_key_in_the_set() {
    let idp = Idp::holding(key_set(&[(&KEY_A, "key-a")]));
    let server = serve(&idp).await;
    let refresh = Duration::from_millis(300);
    let sources = KeySources {
        jwks_url: Some(format!("{}{JWKS_PATH}", server.uri())),
        options: KeySetOptions {
            refresh_interval: refresh,
            ..KeySetOptions::default()
        },
        ..KeySources::default()
    };
    let verifier = TokenVerifier::from_sources(&sources, None, None)
        .await
        .expect("the set at the URL is usable");
    let app = Arc::new(
        TestApp::spawn_with(Options {
            verifier: Some(verifier),
            ..Options::default()
        })
        .await,
    );
    let early_a = token(&KEY_A, "key-a", "creator");
    let (status, created) =
        json_of(app.post("/campaigns", &early_a, &draft("rotation")).await).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = id_of(&created["data"]);

    let phase = Arc::new(AtomicU8::new(ONLY_A));
    let a_in_set: fn(u8) -> bool = |p| p == ONLY_A || p == A_AND_B;
    let b_in_set: fn(u8) -> bool = |p| p == A_AND_B || p == ONLY_B;
    let mut clients = Vec::new();
    for _ in 0..3 {
        clients.push((
            "A",
            tokio::spawn(hammer(
                app.clone(),
                id.clone(),
                &KEY_A,
                "key-a",
                phase.clone(),
                a_in_set,
            )),
        ));
        clients.push((
            "B",
            tokio::spawn(hammer(
                app.clone(),
                id.clone(),
                &KEY_B,
                "key-b",
                phase.clone(),
                b_in_set,
            )),
        ));
    }
    // Remembered by the verifier while A is in the set.
    let cached_a = token(&KEY_A, "key-a", "cached");
    expect_data(
        app.get(&format!("/campaigns/{id}"), &cached_a).await,
        StatusCode::OK,
    )
    .await;

    tokio::time::sleep(Duration::from_millis(700)).await;
    idp.switch_to(key_set(&[(&KEY_A, "key-a"), (&KEY_B, "key-b")]));
    phase.store(A_AND_B, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    phase.store(ONLY_B, Ordering::SeqCst);
    idp.switch_to(key_set(&[(&KEY_B, "key-b")]));
    tokio::time::sleep(Duration::from_millis(1000)).await;
    phase.store(DONE, Ordering::SeqCst);

    for (key, client) in clients {
        let (accepted, refused) = client.await.expect("client task");
        assert!(
            refused.is_empty(),
            "key {key} refused while in the set: {refused:?}"
        );
        assert!(
            accepted > 0,
            "every client of key {key} was answered while it was in the set"
        );
    }

    // Once the service has read the set without A (within a refresh period), A's tokens are
    // refused — a token it remembered from before included.
    let path = format!("/campaigns/{id}");
    let mut waited = Duration::ZERO;
    while app.get(&path, &cached_a).await.status() == StatusCode::OK {
        assert!(waited < Duration::from_secs(10), "A is still accepted");
        tokio::time::sleep(refresh / 3).await;
        waited += refresh / 3;
    }
    for a in [cached_a, token(&KEY_A, "key-a", "late")] {
        let body = expect_error(
            app.get(&path, &a).await,
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
        )
        .await;
        assert_eq!(
            body["error"]["message"],
            "the token key id (kid) is not known"
        );
    }
    let b = token(&KEY_B, "key-b", "late");
    expect_data(
        app.get(&format!("/campaigns/{id}"), &b).await,
        StatusCode::OK,
    )
    .await;
}

/// Waits until `server` has answered at least `count` fetches of the set, at most 10 s.
async fn until_fetches(server: &MockServer, count: usize, what: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while fetches(server).await < count {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: {} fetches, waited for {count}",
            fetches(server).await
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The identity provider fails after start-up — HTTP 500, a body that is no set, a set without
/// a usable key, then no server at all (connection refused): every periodic re-read fails and
/// the service keeps verifying with the last good set; a token with an unknown `kid` is refused
/// without a fetch per request; once the provider is back with A and B, B's tokens are accepted
/// (docs/operations.md, "the identity provider's JWKS URL down").
///
/// The deployed service re-reads every 5 minutes with a 30 s floor (`KeySetOptions::default()`,
/// not configurable); the test builds the same verifier with a 250 ms period and that floor.
#[tokio::test]
async fn a_jwks_url_that_fails_after_start_up_keeps_the_last_good_key_set() {
    let idp = Idp::holding(key_set(&[(&KEY_A, "key-a")]));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = listener.local_addr().expect("its address");
    let server = serve_on(&idp, listener).await;
    let refresh = Duration::from_millis(250);
    let sources = KeySources {
        jwks_url: Some(format!("http://{address}{JWKS_PATH}")),
        options: KeySetOptions {
            refresh_interval: refresh,
            ..KeySetOptions::default()
        },
        ..KeySources::default()
    };
    let verifier = TokenVerifier::from_sources(&sources, None, None)
        .await
        .expect("the set at the URL is usable");
    let app = TestApp::spawn_with(Options {
        verifier: Some(verifier),
        ..Options::default()
    })
    .await;
    let list = "/campaigns/list";
    // Remembered by the verifier; fresh tokens (a new user each) are checked with the set's key.
    let remembered = token(&KEY_A, "key-a", "remembered");
    expect_data(app.get(list, &remembered).await, StatusCode::OK).await;
    let mut fresh = 0;
    let mut fresh_a = || {
        fresh += 1;
        token(&KEY_A, "key-a", &format!("fresh-{fresh}"))
    };

    for (failure, answer) in [
        ("HTTP 500", ResponseTemplate::new(500)),
        (
            "a body that is no set",
            ResponseTemplate::new(200).set_body_string("<html>maintenance</html>"),
        ),
        (
            "a set without a usable key",
            ResponseTemplate::new(200).set_body_json(json!({"keys": []})),
        ),
    ] {
        idp.answer_with(answer);
        // Two more fetches: the first answered with the failure has been handled (the periodic
        // re-reads follow one another).
        let before = fetches(&server).await;
        until_fetches(&server, before + 2, failure).await;
        for a in [remembered.clone(), fresh_a()] {
            expect_data(app.get(list, &a).await, StatusCode::OK).await;
        }
    }

    // Unknown kids while the provider fails: 401, and one fetch for them all at most (the
    // floor), besides the periodic re-reads meanwhile.
    idp.answer_with(ResponseTemplate::new(500));
    let before = fetches(&server).await;
    let started = tokio::time::Instant::now();
    let body = expect_error(
        app.get(list, &token(&KEY_C, "key-c", "intruder")).await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
    )
    .await;
    assert_eq!(
        body["error"]["message"],
        "the token key id (kid) is not known"
    );
    let attempts = (0..20).map(|i| {
        let forged = token(&KEY_C, &format!("made-up-{i}"), "intruder");
        let app = &app;
        async move { app.get(list, &forged).await.status() }
    });
    for status in futures::future::join_all(attempts).await {
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let periodic = usize::try_from(started.elapsed().as_millis() / refresh.as_millis()).unwrap();
    let grown = fetches(&server).await - before;
    assert!(
        grown <= periodic + 2,
        "{grown} fetches for 21 unknown-kid requests in {:?}",
        started.elapsed()
    );
    expect_data(app.get(list, &fresh_a()).await, StatusCode::OK).await;

    // No server at all: connections refused for a few periods.
    drop(server);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while std::net::TcpStream::connect(address).is_ok() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the port still accepts"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(refresh * 3).await;
    for a in [remembered.clone(), fresh_a()] {
        expect_data(app.get(list, &a).await, StatusCode::OK).await;
    }
    expect_error(
        app.get(list, &token(&KEY_C, "key-c", "intruder")).await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
    )
    .await;

    // The provider is back, on the same address, publishing B besides A: the next periodic
    // re-read (the floor for unknown kids has not passed) makes B's tokens accepted.
    idp.switch_to(key_set(&[(&KEY_A, "key-a"), (&KEY_B, "key-b")]));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let listener = loop {
        match std::net::TcpListener::bind(address) {
            Ok(listener) => break listener,
            Err(error) => {
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "{address} stays taken: {error}"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    let server = serve_on(&idp, listener).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let mut n = 0;
    loop {
        n += 1;
        let b = token(&KEY_B, "key-b", &format!("b-{n}"));
        let res = app.get(list, &b).await;
        if res.status() == StatusCode::OK {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "B still refused: {}",
            res.text().await.unwrap_or_default()
        );
        tokio::time::sleep(refresh / 5).await;
    }
    assert!(fetches(&server).await >= 1, "the set was fetched again");
    for a in [remembered, fresh_a()] {
        expect_data(app.get(list, &a).await, StatusCode::OK).await;
    }
}

/// The start-up error of a service configured with `vars` (and nothing else).
async fn start_up_error(vars: &[(&str, &str)]) -> String {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    let config = Config::from_lookup(|name| {
        vars.get(name)
            .cloned()
            .ok_or(std::env::VarError::NotPresent)
    })
    .expect("the variables themselves are well formed");
    match Components::from_config(&config).await {
        Ok(_) => panic!("the service started with {vars:?}"),
        Err(error) => error.to_string(),
    }
}

#[tokio::test]
async fn an_unreachable_url_or_an_unusable_set_stops_start_up_naming_the_variable() {
    // Nothing listens on port 1.
    let message =
        start_up_error(&[("CAMPAIGN_JWT_JWKS_URL", "http://127.0.0.1:1/jwks.json")]).await;
    assert!(
        message.starts_with(
            "CAMPAIGN_JWT_JWKS_URL: cannot fetch the JSON Web Key Set from http://127.0.0.1:1/jwks.json: "
        ),
        "{message}"
    );

    let server = MockServer::start().await;
    for (path_, answer, expected) in [
        (
            "/missing",
            ResponseTemplate::new(404),
            "the server answered 404 Not Found",
        ),
        (
            "/html",
            ResponseTemplate::new(200).set_body_string("<html>login</html>"),
            "invalid JSON Web Key Set: not a JSON Web Key Set",
        ),
        (
            "/ec-only",
            ResponseTemplate::new(200).set_body_json(json!({"keys": [
                {"kty": "EC", "crv": "P-256", "kid": "ec", "x": "AA", "y": "AA"}
            ]})),
            "invalid JSON Web Key Set: no usable RSA signature key with a kid (ignored `ec`: not an RSA key)",
        ),
        (
            "/empty",
            ResponseTemplate::new(200).set_body_json(json!({"keys": []})),
            "the set is empty",
        ),
    ] {
        Mock::given(method("GET"))
            .and(path(path_))
            .respond_with(answer)
            .mount(&server)
            .await;
        let url = format!("{}{path_}", server.uri());
        let message = start_up_error(&[("CAMPAIGN_JWT_JWKS_URL", url.as_str())]).await;
        assert!(message.starts_with("CAMPAIGN_JWT_JWKS_URL: "), "{message}");
        assert!(message.contains(expected), "{message}");
    }

    let missing = std::env::temp_dir().join("campaign-service-no-such-jwks.json");
    let message = start_up_error(&[("CAMPAIGN_JWT_JWKS_FILE", missing.to_str().unwrap())]).await;
    assert!(
        message.starts_with("CAMPAIGN_JWT_JWKS_FILE: cannot read the key file "),
        "{message}"
    );
    assert!(
        message.contains("campaign-service-no-such-jwks.json"),
        "{message}"
    );
}

#[tokio::test]
async fn a_jwks_file_and_a_public_key_work_together() {
    let dir = std::env::temp_dir();
    let unique = uuid::Uuid::new_v4();
    let jwks = dir.join(format!("campaign-service-jwks-{unique}.json"));
    let pem = dir.join(format!("campaign-service-pub-{unique}.pem"));
    std::fs::write(&jwks, key_set(&[(&KEY_B, "key-b")]).to_string()).unwrap();
    std::fs::write(&pem, KEY_A.public_pem()).unwrap();
    let vars = HashMap::from([
        ("CAMPAIGN_LISTEN", "127.0.0.1:0".to_owned()),
        ("CAMPAIGN_JWT_JWKS_FILE", jwks.display().to_string()),
        ("CAMPAIGN_JWT_PUBLIC_KEY_FILE", pem.display().to_string()),
        ("CAMPAIGN_REFRESH_INTERVAL_SECS", "0".to_owned()),
    ]);
    let config = Config::from_lookup(|name| {
        vars.get(name)
            .cloned()
            .ok_or(std::env::VarError::NotPresent)
    })
    .unwrap();
    let service = Service::start(&config).await;
    // The set's key by its kid; the PEM key for tokens without kid.
    expect_data(
        service.list(&token(&KEY_B, "key-b", "b")).await,
        StatusCode::OK,
    )
    .await;
    let without_kid = KEY_A
        .signer()
        .sign(&TokenClaims::supreme("a", Duration::from_secs(60)))
        .unwrap();
    expect_data(service.list(&without_kid).await, StatusCode::OK).await;
    // B's key without kid is not the PEM key; C under B's kid is not B.
    let b_without_kid = KEY_B
        .signer()
        .sign(&TokenClaims::supreme("b", Duration::from_secs(60)))
        .unwrap();
    expect_error(
        service.list(&b_without_kid).await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
    )
    .await;
    expect_error(
        service.list(&token(&KEY_C, "key-b", "c")).await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
    )
    .await;
    std::fs::remove_file(jwks).unwrap();
    std::fs::remove_file(pem).unwrap();
}
