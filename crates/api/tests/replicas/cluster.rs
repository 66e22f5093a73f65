//! The replica harness: a [`Cluster`] of real `campaign-service` processes configured only by
//! their `CAMPAIGN_*` variables (as in production: `CAMPAIGN_DEV_MODE=false`, a public key file
//! shared by every replica, one MongoDB database per cluster, optionally the Redis cache on a
//! logical database of its own and the moto stream and queues of the test), typed requests to
//! one [`Replica`], and a [`Balancer`] that spreads requests over the live replicas as a load
//! balancer does.

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use campaign_api::auth::{DevKeys, TokenClaims};
use campaign_domain::uuid::Uuid;
use campaign_ports::testing::fixtures;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::delivered::Destinations;

/// The outbox lease of every replica (`CAMPAIGN_OUTBOX_LEASE_SECS`).
pub const OUTBOX_LEASE: Duration = Duration::from_secs(3);
/// One key pair for the whole binary, its public half in a PEM file every replica is given
/// (`CAMPAIGN_JWT_PUBLIC_KEY_FILE`), so a token minted here is valid on all of them.
struct Keys {
    pair: DevKeys,
    public_key_file: PathBuf,
}

static KEYS: LazyLock<Keys> = LazyLock::new(|| {
    let pair = DevKeys::generate().expect("test key pair");
    let dir = scratch_dir(&format!("keys-{}", Uuid::new_v4().simple()));
    let public_key_file = dir.join("public.pem");
    std::fs::write(&public_key_file, pair.public_pem()).expect("public key written");
    Keys {
        pair,
        public_key_file,
    }
});

/// A directory of this test binary's own under `target/tmp/replicas/`.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("replicas")
        .join(name);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// A supreme user's token (every campaign, every action).
pub fn supreme_token() -> String {
    KEYS.pair
        .signer()
        .sign(&TokenClaims::supreme("admin-1", Duration::from_secs(3600)))
        .expect("token signed")
}

/// A fan's token: valid, no campaign rights (what the fan-facing site reads by domain with).
pub fn fan_token() -> String {
    KEYS.pair
        .signer()
        .sign(&TokenClaims {
            user_id: "fan-1".to_owned(),
            supreme: false,
            campaigns: BTreeMap::new(),
            expires_in: Duration::from_secs(3600),
            issuer: None,
            audience: None,
        })
        .expect("token signed")
}

/// A host name no other test uses.
pub fn site(label: &str) -> String {
    format!("{label}-{}.example.test", Uuid::new_v4().simple())
}

/// A DRAFT campaign body: only what a draft needs.
pub fn draft(name: &str) -> Value {
    json!({"name": name, "artist": {"id": "K8vZ917G7x0", "name": "The Band"},
           "domain": {"site": site("draft")}})
}

/// A complete campaign body (valid outside DRAFT, so it may open; SPEC §7.1): the contract
/// suite's fixture on fresh site and preview hosts.
pub fn complete(name: &str) -> Value {
    fixtures::complete_campaign_json(
        name,
        &site("site"),
        json!({"domain": {"preview": site("preview")}}),
    )
}

/// Which Redis the replicas use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redis {
    /// None: `CAMPAIGN_REDIS_URL` unset, each replica has its in-process cache and lock.
    Off,
    /// The shared test primary (`CAMPAIGN_REDIS_URL`).
    Primary,
    /// The primary for writes and its replica for reads (`CAMPAIGN_REDIS_REPLICA_URLS`).
    WithReadReplica,
}

/// How a cluster is configured.
pub struct Options<'a> {
    /// How many replicas.
    pub replicas: usize,
    /// The cache.
    pub redis: Redis,
    /// `CAMPAIGN_REFRESH_INTERVAL_SECS` (`0`: no scheduled refresh).
    pub refresh_interval_secs: u64,
    /// Kinesis and SQS on moto; `None`: the messages are only logged.
    pub destinations: Option<&'a Destinations>,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Self {
            replicas: 3,
            redis: Redis::Off,
            refresh_interval_secs: 0,
            destinations: None,
        }
    }
}

/// The next logical Redis database (1-15, round robin; 0 is where the other suites' prefixed
/// keys live). The binary has no key-prefix variable, so a cluster's un-prefixed keys (its
/// refresh lock above all) get a database of its own instead; everything else it writes is
/// keyed by ids and host names no other test uses, so two clusters meeting on one database
/// (more than 15 at once) still see only their own data.
fn next_redis_database() -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed) % 15 + 1
}

fn test_variable(name: &str) -> String {
    campaign_ports::testing::services::required_test_variable(name, "the replica suite")
}

/// Replicas of the binary sharing one store.
pub struct Cluster {
    env: Vec<(String, String)>,
    replicas: Vec<Replica>,
    dir: PathBuf,
}

impl Cluster {
    /// Starts the replicas (concurrently) and waits until each listens.
    pub async fn start(options: Options<'_>) -> Self {
        let database = format!("campaign_replicas_{}", Uuid::new_v4().simple());
        let dir = scratch_dir(&database);
        let mut env: Vec<(String, String)> = vec![
            ("CAMPAIGN_STORE".into(), "mongodb".into()),
            (
                "CAMPAIGN_MONGODB_URI".into(),
                campaign_adapter_mongo::testing::uri(),
            ),
            ("CAMPAIGN_MONGODB_DATABASE".into(), database),
            (
                "CAMPAIGN_JWT_PUBLIC_KEY_FILE".into(),
                KEYS.public_key_file.display().to_string(),
            ),
            ("CAMPAIGN_DEV_MODE".into(), "false".into()),
            (
                "CAMPAIGN_REFRESH_INTERVAL_SECS".into(),
                options.refresh_interval_secs.to_string(),
            ),
            ("CAMPAIGN_WORKERS".into(), "2".into()),
            // Events a killed replica had claimed return to the others after this lease.
            (
                "CAMPAIGN_OUTBOX_LEASE_SECS".into(),
                OUTBOX_LEASE.as_secs().to_string(),
            ),
            // A stopping replica fails readiness and keeps serving this long, so the test's
            // balancer (polling readiness every 50 ms) stops sending before the listener closes.
            ("CAMPAIGN_SHUTDOWN_DELAY_SECS".into(), "1".into()),
            // Warnings, and the start and stop of the server.
            (
                "RUST_LOG".into(),
                "warn,actix_server=info,campaign_api::shutdown=info".into(),
            ),
        ];
        if options.redis != Redis::Off {
            let database = next_redis_database();
            let on = |url: String| format!("{}/{database}", url.trim_end_matches('/'));
            env.push((
                "CAMPAIGN_REDIS_URL".into(),
                on(test_variable(campaign_adapter_redis::testing::URL_VARIABLE)),
            ));
            if options.redis == Redis::WithReadReplica {
                env.push((
                    "CAMPAIGN_REDIS_REPLICA_URLS".into(),
                    on(test_variable(
                        campaign_adapter_redis::testing::REPLICA_URL_VARIABLE,
                    )),
                ));
            }
        }
        if let Some(destinations) = options.destinations {
            env.extend(destinations.env());
        }
        let starting: Vec<_> = (0..options.replicas)
            .map(|index| {
                let (env, dir) = (env.clone(), dir.clone());
                tokio::task::spawn_blocking(move || Replica::launch(index, &env, &dir, None))
            })
            .collect();
        let mut replicas = Vec::new();
        for replica in starting {
            replicas.push(replica.await.expect("replica started"));
        }
        eprintln!("replica logs in {}", dir.display());
        Self { env, replicas, dir }
    }

    /// The replicas, in start order.
    pub fn replicas(&self) -> &[Replica] {
        &self.replicas
    }

    /// Replica `index`.
    pub fn replica(&self, index: usize) -> &Replica {
        &self.replicas[index]
    }

    /// The base URLs (`http://127.0.0.1:port`) of every replica, live or not.
    pub fn bases(&self) -> Vec<String> {
        self.replicas.iter().map(|r| r.base.clone()).collect()
    }

    /// SIGKILL to replica `index`: no shutdown, no drain, like a crash.
    pub fn kill(&mut self, index: usize) {
        self.replicas[index].kill();
    }

    /// SIGTERM to replica `index`, then waits (at most `limit`) until it has exited.
    pub async fn terminate(&mut self, index: usize, limit: Duration) -> ExitStatus {
        let replica = &mut self.replicas[index];
        let mut child = replica.child.take().expect("the replica runs");
        let pid = child.id().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "SIGTERM sent to {pid}");
        tokio::task::spawn_blocking(move || {
            let deadline = Instant::now() + limit;
            loop {
                if let Some(status) = child.try_wait().expect("wait") {
                    return status;
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("replica {pid} did not exit within {limit:?} of SIGTERM");
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        })
        .await
        .expect("waited")
    }

    /// Starts replica `index` again on its port (after [`Self::kill`] or [`Self::terminate`]),
    /// and waits until it listens.
    pub async fn restart(&mut self, index: usize) {
        assert!(
            self.replicas[index].child.is_none(),
            "replica {index} still runs"
        );
        let (env, dir) = (self.env.clone(), self.dir.clone());
        let port = self.replicas[index].port;
        let replica =
            tokio::task::spawn_blocking(move || Replica::launch(index, &env, &dir, Some(port)))
                .await
                .expect("replica restarted");
        self.replicas[index] = replica;
    }
}

/// Longest wait for one answer.
const REQUEST_LIMIT: Duration = Duration::from_secs(10);

impl Drop for Cluster {
    /// Stops the replicas (SIGKILL) and, unless the test failed, removes their logs.
    fn drop(&mut self) {
        self.replicas.clear();
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// One running (or stopped) replica and a supreme client of it.
pub struct Replica {
    /// Its place in the cluster.
    pub index: usize,
    /// `http://127.0.0.1:port`.
    pub base: String,
    port: u16,
    child: Option<Child>,
    client: reqwest::Client,
    token: String,
}

impl Replica {
    /// Starts the binary with `env` (and nothing else of ours: every inherited `CAMPAIGN_*` and
    /// `OTEL_*` variable is removed) on `port` (a free one when `None`), its log appended to
    /// `r<index>.log` in `dir`; returns once it prints where it listens.
    fn launch(index: usize, env: &[(String, String)], dir: &Path, port: Option<u16>) -> Self {
        let log = dir.join(format!("r{index}.log"));
        let listen = format!("127.0.0.1:{}", port.unwrap_or(0));
        let mut command = Command::new(env!("CARGO_BIN_EXE_campaign-service"));
        for (name, _) in std::env::vars() {
            if (name.starts_with("CAMPAIGN_") && !name.starts_with("CAMPAIGN_TEST_"))
                || name.starts_with("OTEL_")
            {
                command.env_remove(name);
            }
        }
        let log_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("log file");
        let mut child = command
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("CAMPAIGN_LISTEN", &listen)
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_REGION", campaign_adapter_aws::testing::REGION)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .expect("the binary starts");
        let stdout = child.stdout.take().expect("stdout piped");
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next().and_then(Result::ok).unwrap_or_else(|| {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "replica {index} did not start; its log ({}):\n{}",
                log.display(),
                std::fs::read_to_string(&log).unwrap_or_default()
            )
        });
        let address = first
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("no address in {first:?}"))
            .to_owned();
        let port = address
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("a port");
        // Keep reading so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self {
            index,
            base: format!("http://{address}"),
            port,
            child: Some(child),
            client: reqwest::Client::builder()
                .timeout(REQUEST_LIMIT)
                .build()
                .expect("client"),
            token: supreme_token(),
        }
    }

    fn kill(&mut self) {
        let mut child = self.child.take().expect("the replica runs");
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
    }

    /// Sends `method path` with the supreme token (or `token`) and a JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, String)],
    ) -> Answer {
        let mut request = self
            .client
            .request(method.clone(), format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let res = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path} to replica {}: {e}", self.index));
        Answer::read(res)
            .await
            .unwrap_or_else(|e| panic!("{method} {path} to replica {}: {e}", self.index))
    }

    /// `POST /campaigns`.
    pub async fn create(&self, body: &Value) -> Answer {
        self.call(Method::POST, "/campaigns", Some(body), &[]).await
    }

    /// `POST /campaigns/{id}`, with `If-Match: "<version>"` when given.
    pub async fn update(&self, id: &str, patch: &Value, if_match: Option<u64>) -> Answer {
        let headers: Vec<(&str, String)> = if_match
            .map(|v| ("if-match", format!("\"{v}\"")))
            .into_iter()
            .collect();
        self.call(
            Method::POST,
            &format!("/campaigns/{id}"),
            Some(patch),
            &headers,
        )
        .await
    }

    /// `GET /campaigns/{id}`.
    pub async fn get(&self, id: &str) -> Answer {
        self.call(Method::GET, &format!("/campaigns/{id}"), None, &[])
            .await
    }

    /// `GET /campaigns?domain=` with a fan's token (the public view).
    pub async fn by_domain(&self, domain: &str) -> Answer {
        let res = self
            .client
            .get(format!("{}/campaigns", self.base))
            .query(&[("domain", domain)])
            .bearer_auth(fan_token())
            .send()
            .await
            .expect("request sent");
        Answer::read(res).await.expect("an answer")
    }

    /// `GET /campaigns/list?q=` (supreme: every campaign matching `q`).
    pub async fn list(&self, q: &str) -> Answer {
        let res = self
            .client
            .get(format!("{}/campaigns/list", self.base))
            .query(&[("q", q), ("pageSize", "100")])
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("request sent");
        Answer::read(res).await.expect("an answer")
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A complete answer: status, `ETag` and JSON body (`Null` when there is none).
#[derive(Debug, Clone)]
pub struct Answer {
    /// Its status.
    pub status: StatusCode,
    /// Its `ETag` header, quotes included.
    pub etag: Option<String>,
    /// Its body.
    pub body: Value,
}

impl Answer {
    /// Reads a response to the end; an error when the body was cut.
    pub async fn read(res: reqwest::Response) -> Result<Self, reqwest::Error> {
        let status = res.status();
        let etag = res
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = res.bytes().await?;
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok(Self { status, etag, body })
    }

    /// `data`, after checking the status.
    #[track_caller]
    pub fn expect(&self, status: StatusCode) -> &Value {
        assert_eq!(self.status, status, "unexpected answer: {}", self.body);
        &self.body["data"]
    }

    /// `error.type`, or `""`.
    pub fn error_type(&self) -> &str {
        self.body["error"]["type"].as_str().unwrap_or_default()
    }
}

/// `data.id` of a campaign answer.
pub fn id_of(data: &Value) -> String {
    data["id"].as_str().expect("an id").to_owned()
}

/// `data.version` of a campaign answer.
pub fn version_of(data: &Value) -> u64 {
    data["version"].as_u64().expect("a version")
}

/// A client that behaves like a load balancer in front of the replicas. It health-checks
/// each replica (`GET /health/ready` every 50 ms) and sends each request to the next ready
/// replica in turn (to any replica when none is ready); only when that replica refused the
/// connection (so nothing was sent) does it try the next one. An answer, whatever its status,
/// is returned; a request cut after it was sent, or a connection that failed in any other way,
/// is an error: a load balancer could not retry it without risking a second write.
///
/// It opens a new connection for every request (no keep-alive pool): with pooled connections a
/// request may be written to an idle connection the server is closing at that moment, which
/// fails like a cut request although nothing was processed; connecting anew for each request
/// makes "connection refused" the one honest signal that a replica is not there.
pub struct Balancer {
    bases: Vec<String>,
    ready: Arc<Vec<AtomicBool>>,
    next: AtomicUsize,
    client: reqwest::Client,
    token: String,
    checks: tokio::task::JoinHandle<()>,
}

/// How long the balancer keeps trying when every replica refuses.
const ALL_REFUSED_LIMIT: Duration = Duration::from_secs(5);
/// Period of the balancer's health checks.
const HEALTH_CHECK_PERIOD: Duration = Duration::from_millis(50);

/// A client without keep-alive (see [`Balancer`]).
fn unpooled(limit: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(limit)
        .build()
        .expect("client")
}

impl Balancer {
    /// A balancer over `bases`, all taken as ready until checked.
    pub fn new(bases: Vec<String>) -> Self {
        let ready: Arc<Vec<AtomicBool>> =
            Arc::new(bases.iter().map(|_| AtomicBool::new(true)).collect());
        let checks = tokio::spawn({
            let (bases, ready) = (bases.clone(), ready.clone());
            let client = unpooled(Duration::from_millis(500));
            async move {
                loop {
                    for (base, ready) in bases.iter().zip(ready.iter()) {
                        let ok = client
                            .get(format!("{base}/health/ready"))
                            .send()
                            .await
                            .is_ok_and(|res| res.status().is_success());
                        ready.store(ok, Ordering::Relaxed);
                    }
                    tokio::time::sleep(HEALTH_CHECK_PERIOD).await;
                }
            }
        });
        Self {
            bases,
            ready,
            next: AtomicUsize::new(0),
            client: unpooled(REQUEST_LIMIT),
            token: supreme_token(),
            checks,
        }
    }

    /// The replicas to try, in order: the ready ones from the next in turn, then the others.
    fn order(&self) -> Vec<usize> {
        let first = self.next.fetch_add(1, Ordering::Relaxed);
        let n = self.bases.len();
        let (mut ready, others): (Vec<usize>, Vec<usize>) = (0..n)
            .map(|step| (first + step) % n)
            .partition(|&i| self.ready[i].load(Ordering::Relaxed));
        ready.extend(others);
        ready
    }

    /// Sends `method path` (supreme, JSON body when given); returns the answer and the index of
    /// the replica that gave it, or why the request failed.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(Answer, usize), String> {
        let started = Instant::now();
        loop {
            for index in self.order() {
                let mut request = self
                    .client
                    .request(method.clone(), format!("{}{path}", self.bases[index]))
                    .bearer_auth(&self.token);
                if let Some(body) = body {
                    request = request.json(body);
                }
                match request.send().await {
                    Ok(res) => {
                        return match Answer::read(res).await {
                            Ok(answer) => Ok((answer, index)),
                            Err(e) => Err(format!(
                                "{method} {path} on replica {index}: body cut: {e:?}"
                            )),
                        };
                    }
                    Err(e) if refused(&e) => continue,
                    Err(e) => return Err(format!("{method} {path} on replica {index}: {e:?}")),
                }
            }
            if started.elapsed() > ALL_REFUSED_LIMIT {
                return Err(format!(
                    "{method} {path}: every replica refused for {ALL_REFUSED_LIMIT:?}"
                ));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        self.checks.abort();
    }
}

/// Whether the request failed because the connection was refused (nothing was sent).
fn refused(error: &reqwest::Error) -> bool {
    if !error.is_connect() {
        return false;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return true;
        }
        source = e.source();
    }
    false
}

/// Polls `check` every 50 ms until it holds, at most `limit`; panics naming `what`.
pub async fn eventually<F, Fut>(what: &str, limit: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + limit;
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {limit:?} waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
