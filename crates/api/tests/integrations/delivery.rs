//! Delivery of the outbox to Kinesis and SQS (SPEC §8): through moto (the shared server, and a
//! private one that stops in the middle of a test), through a stub that refuses single entries
//! in the real response shapes, and across a SIGKILL of the real binary on MongoDB.

use std::collections::{BTreeSet, HashSet};
use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use campaign_adapter_aws::testing::{self as moto, PrivateMoto};
use campaign_adapter_aws::{KinesisStream, SdkConfig, SqsQueue};
use campaign_adapter_memory::{ManualClock, SystemClock};
use campaign_api::auth::{DevKeys, TokenClaims};
use campaign_api::{JobSettings, logging_publishers, memory_ports};
use campaign_app::campaigns::CampaignService;
use campaign_app::relay::{OutboxRelay, RelaySettings};
use campaign_app::{PasswordHasher, Publishers, Settings};
use campaign_domain::Campaign;
use campaign_domain::chrono::TimeDelta;
use campaign_domain::messages::{
    CampaignSummary, DataPipelineMessage, Operation, OutboundEvent, OutboundMessage, stream_record,
};
use campaign_domain::uuid::Uuid;
use campaign_ports::testing::fixtures;
use campaign_ports::{BatchOutcome, CampaignDataStream, IntegrationError, MessageQueue};
use reqwest::StatusCode;
use serde_json::{Value, json};
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::harness::{App, components, eventually_within, until_backlog_drained};

/// A stream and two queues made on a moto server.
struct Destinations {
    config: SdkConfig,
    stream: String,
    data_pipeline: String,
    refresh_selections: String,
}

impl Destinations {
    async fn create(endpoint: &str) -> Self {
        let config = moto::sdk_config(endpoint).await;
        let stream = moto::unique("campaign-data");
        moto::create_stream(&config, &stream).await;
        let data_pipeline = moto::create_queue(&config, &moto::unique("pipeline")).await;
        let refresh_selections = moto::create_queue(&config, &moto::unique("selections")).await;
        Self {
            config,
            stream,
            data_pipeline,
            refresh_selections,
        }
    }

    /// Makes the same stream and queues again (on a restarted, empty moto).
    async fn recreate(&self) {
        moto::create_stream(&self.config, &self.stream).await;
        for url in [&self.data_pipeline, &self.refresh_selections] {
            let name = url.rsplit('/').next().unwrap();
            assert_eq!(&moto::create_queue(&self.config, name).await, url);
        }
    }

    /// Publishers of the stream and queues, reaching moto through `config` (its endpoint).
    fn publishers(&self, config: &SdkConfig) -> Publishers {
        Publishers {
            stream: Arc::new(KinesisStream::new(config, self.stream.clone())),
            data_pipeline: Arc::new(SqsQueue::new(config, self.data_pipeline.clone())),
            refresh_selections: Arc::new(SqsQueue::new(config, self.refresh_selections.clone())),
            ..logging_publishers()
        }
    }
}

/// Everything that arrived so far, accumulated across reads (queues are drained as read).
#[derive(Default)]
struct Arrived {
    records: Vec<(String, Value)>,
    pipeline: Vec<Value>,
    selections: Vec<Value>,
}

impl Arrived {
    async fn refresh(&mut self, d: &Destinations) {
        self.records = moto::read_stream(&d.config, &d.stream).await;
        self.pipeline
            .extend(moto::drain_queue(&d.config, &d.data_pipeline).await);
        self.selections
            .extend(moto::drain_queue(&d.config, &d.refresh_selections).await);
    }

    fn event_ids(&self) -> HashSet<Uuid> {
        self.records
            .iter()
            .map(|(_, data)| data)
            .chain(&self.pipeline)
            .chain(&self.selections)
            .filter_map(|v| v["eventId"].as_str()?.parse().ok())
            .collect()
    }

    fn stream_campaigns(&self) -> BTreeSet<String> {
        self.records
            .iter()
            .filter_map(|(_, data)| Some(data["payload"]["campaignId"].as_str()?.to_owned()))
            .collect()
    }

    fn pipeline_campaigns(&self) -> BTreeSet<String> {
        self.pipeline
            .iter()
            .filter_map(|v| Some(v["payload"]["campaign"]["id"].as_str()?.to_owned()))
            .collect()
    }
}

impl Arrived {
    /// Reads until `done` holds, at most `limit`; panics naming `what` (and what arrived).
    async fn until(
        &mut self,
        d: &Destinations,
        what: &str,
        limit: Duration,
        done: impl Fn(&Self) -> bool,
    ) {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            self.refresh(d).await;
            if done(self) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for {what}; arrived: {} records {:?}, {} pipeline, {} selections",
                self.records.len(),
                self.stream_campaigns(),
                self.pipeline.len(),
                self.selections.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn selection_campaigns(&self) -> BTreeSet<String> {
        self.selections
            .iter()
            .filter_map(|v| Some(v["payload"]["campaignId"].as_str()?.to_owned()))
            .collect()
    }
}

/// A TCP link to a server that a test cuts and restores (connections refused while it is
/// down; open connections are cut too), so the service sees an outage of what lies behind it.
struct Link {
    port: u16,
    target: u16,
    accepting: Option<tokio::task::JoinHandle<()>>,
    connections: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Link {
    async fn to(target_endpoint: &str) -> Self {
        let target = target_endpoint
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("an http://127.0.0.1:port endpoint");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut link = Self {
            port,
            target,
            accepting: None,
            connections: Arc::default(),
        };
        link.up().await;
        link
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    async fn up(&mut self) {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("the link's port is free again");
        let (target, connections) = (self.target, self.connections.clone());
        self.accepting = Some(tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let forward = tokio::spawn(async move {
                    if let Ok(mut outbound) =
                        tokio::net::TcpStream::connect(("127.0.0.1", target)).await
                    {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                connections.lock().unwrap().push(forward.abort_handle());
            }
        }));
    }

    fn down(&mut self) {
        if let Some(accepting) = self.accepting.take() {
            accepting.abort();
        }
        for connection in self.connections.lock().unwrap().drain(..) {
            connection.abort();
        }
    }
}

/// A publisher decorator that remembers every event id it was asked to send.
struct Tap<P: ?Sized> {
    inner: Arc<P>,
    asked: Arc<Mutex<HashSet<Uuid>>>,
}

impl<P: ?Sized> Tap<P> {
    fn note(&self, events: &[OutboundEvent]) {
        self.asked
            .lock()
            .unwrap()
            .extend(events.iter().map(|e| e.event_id));
    }
}

#[async_trait]
impl CampaignDataStream for Tap<dyn CampaignDataStream> {
    async fn put_records(
        &self,
        events: &[OutboundEvent],
    ) -> Result<BatchOutcome, IntegrationError> {
        self.note(events);
        self.inner.put_records(events).await
    }
}

#[async_trait]
impl MessageQueue for Tap<dyn MessageQueue> {
    async fn send_batch(&self, events: &[OutboundEvent]) -> Result<BatchOutcome, IntegrationError> {
        self.note(events);
        self.inner.send_batch(events).await
    }
}

fn tapped(publishers: Publishers, asked: &Arc<Mutex<HashSet<Uuid>>>) -> Publishers {
    Publishers {
        stream: Arc::new(Tap {
            inner: publishers.stream,
            asked: asked.clone(),
        }),
        data_pipeline: Arc::new(Tap {
            inner: publishers.data_pipeline,
            asked: asked.clone(),
        }),
        refresh_selections: Arc::new(Tap {
            inner: publishers.refresh_selections,
            asked: asked.clone(),
        }),
        ..publishers
    }
}

fn site(label: &str) -> String {
    format!("{label}-{}.example.test", Uuid::new_v4().simple())
}

fn campaign_body(name: &str) -> Value {
    json!({"name": name, "artist": {"id": "K8vZ917G7x0", "name": "The Band"},
           "domain": {"site": site("delivery")}})
}

fn market_body(name: &str) -> Value {
    json!({"name": name, "city": "Austin", "state": "TX", "timezone": "America/Chicago",
           "event": {"ids": [format!("E{}", &Uuid::new_v4().simple().to_string()[..8])],
                     "presaleDateTime": "2031-03-01T10:00:00.000Z"}})
}

async fn create(app: &App, name: &str) -> String {
    let (status, created) = app.post("/campaigns", &campaign_body(name)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["data"]["id"].as_str().unwrap().to_owned();
    let (status, market) = app
        .post(&format!("/campaigns/{id}/markets"), &market_body(name))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{market}");
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_arrive_on_kinesis_and_sqs_and_nothing_is_lost_while_moto_is_down() {
    let mut server = PrivateMoto::start();
    let destinations = Destinations::create(&server.endpoint()).await;
    // The service reaches moto through a link, so moto can be restarted and its stream and
    // queues made again before the service sees it back.
    let mut link = Link::to(&server.endpoint()).await;
    let through_link = moto::sdk_config(&link.endpoint()).await;
    let asked = Arc::new(Mutex::new(HashSet::new()));
    let ports = memory_ports(Arc::new(SystemClock));
    let mut components = components(
        ports.clone(),
        tapped(destinations.publishers(&through_link), &asked),
    );
    components.jobs = JobSettings {
        relay: RelaySettings {
            base_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(400),
            // Quick retries must not run out while moto restarts (seconds on a busy machine).
            max_attempts: 10_000,
            ..RelaySettings::default()
        },
        ..components.jobs
    };
    let app = App::start(components).await;

    // Up: a campaign and its market show up as records and messages, with their content.
    let first = create(&app, "First").await;
    let mut arrived = Arrived::default();
    arrived
        .until(
            &destinations,
            "the first campaign's messages",
            Duration::from_secs(20),
            |a| !a.selections.is_empty() && a.pipeline.len() >= 2 && !a.records.is_empty(),
        )
        .await;
    let (key, record) = &arrived.records[0];
    assert_eq!(key, &first, "partition key = campaign id");
    assert_eq!(record["destination"], "campaignStream", "{record}");
    assert_eq!(record["payload"]["campaignId"], first.as_str());
    assert!(
        record["eventId"].is_string() && record["occurredAt"].is_string(),
        "{record}"
    );
    assert_eq!(
        arrived.pipeline_campaigns(),
        BTreeSet::from([first.clone()])
    );
    let selection = &arrived.selections[0];
    assert_eq!(selection["destination"], "refreshSelections", "{selection}");
    assert_eq!(selection["payload"]["campaignId"], first.as_str());
    assert!(selection["correlation"].is_string(), "{selection}");
    eventually_within(
        "the first round to be delivered",
        Duration::from_secs(10),
        || {
            let ports = &ports;
            async move { ports.outbox.stats().await.unwrap().pending == 0 }
        },
    )
    .await;
    asked.lock().unwrap().clear();

    // Down: writes still succeed and the backlog grows.
    server.stop();
    let second = create(&app, "Second").await;
    let third = create(&app, "Third").await;
    let pending = ports.outbox.stats().await.unwrap().pending;
    assert!(
        pending >= 6,
        "the owed messages wait in the outbox: {pending}"
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(
        ports.outbox.stats().await.unwrap().pending >= 6,
        "nothing delivered while down"
    );

    // Back (empty, so the stream and queues are made again first): everything owed arrives.
    link.down();
    server.restart();
    destinations.recreate().await;
    link.up().await;
    let mut arrived = Arrived::default();
    eventually_within("the backlog to drain", Duration::from_secs(30), || {
        let ports = &ports;
        async move { ports.outbox.stats().await.unwrap().pending == 0 }
    })
    .await;
    let asked: HashSet<Uuid> = asked.lock().unwrap().clone();
    assert!(
        asked.len() >= 6,
        "the relay tried while moto was down: {asked:?}"
    );
    arrived
        .until(
            &destinations,
            "every event id the relay was asked to send",
            Duration::from_secs(10),
            |a| asked.is_subset(&a.event_ids()),
        )
        .await;
    assert_eq!(
        arrived.stream_campaigns(),
        BTreeSet::from([second.clone(), third.clone()])
    );
    assert_eq!(
        arrived.pipeline_campaigns(),
        BTreeSet::from([second.clone(), third.clone()])
    );
    assert_eq!(
        arrived.selection_campaigns(),
        BTreeSet::from([second, third])
    );
    app.shut_down().await;
}

fn event(message: OutboundMessage) -> OutboundEvent {
    OutboundEvent {
        event_id: Uuid::new_v4(),
        correlation: Some("partial-batch".to_owned()),
        occurred_at: fixtures::t0(),
        message,
    }
}

fn stream_event(campaign: &Campaign) -> OutboundEvent {
    event(OutboundMessage::CampaignStream(stream_record(
        campaign,
        Vec::new(),
    )))
}

fn pipeline_event(campaign: &Campaign) -> OutboundEvent {
    event(OutboundMessage::DataPipeline(
        DataPipelineMessage::Campaign {
            operation: Operation::Create,
            campaign: CampaignSummary::of(campaign),
        },
    ))
}

/// The JSON bodies of the requests the stub received for one AWS operation (`X-Amz-Target`).
async fn bodies(stub: &MockServer, target: &str) -> Vec<Value> {
    stub.received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| {
            r.headers
                .get("x-amz-target")
                .is_some_and(|v| v.to_str().is_ok_and(|v| v == target))
        })
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

fn aws_json(version: &str, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("content-type", format!("application/x-amz-json-{version}"))
        .set_body_json(body)
}

#[tokio::test]
async fn only_the_entries_a_batch_refused_are_sent_again() {
    use base64::Engine as _;

    let stub = MockServer::start().await;
    let clock = Arc::new(ManualClock::new(fixtures::t0() + TimeDelta::minutes(1)));
    let ports = memory_ports(clock.clone());
    let (a, b) = (fixtures::campaign("A"), fixtures::campaign("B"));
    let (stream_a, stream_b) = (stream_event(&a), stream_event(&b));
    let (pipeline_a, pipeline_b) = (pipeline_event(&a), pipeline_event(&b));
    ports
        .campaigns
        .insert(&a, &[stream_a.clone(), pipeline_a.clone()])
        .await
        .unwrap();
    ports
        .campaigns
        .insert(&b, &[stream_b.clone(), pipeline_b.clone()])
        .await
        .unwrap();

    // The first PutRecords refuses its second record, the first SendMessageBatch B's message,
    // in the shapes AWS answers with; later calls accept everything.
    let put_records = "Kinesis_20131202.PutRecords";
    let send_batch = "AmazonSQS.SendMessageBatch";
    let shard = "shardId-000000000000";
    Mock::given(method("POST"))
        .and(header("x-amz-target", put_records))
        .respond_with(aws_json("1.1", json!({"FailedRecordCount": 1, "Records": [
            {"SequenceNumber": "49590338271490256608559692538361571095921575989136588898", "ShardId": shard},
            {"ErrorCode": "ProvisionedThroughputExceededException",
             "ErrorMessage": "Rate exceeded for shard shardId-000000000000 in stream campaign-data under account 123456789012."}
        ]})))
        .up_to_n_times(1)
        .mount(&stub)
        .await;
    Mock::given(method("POST"))
        .and(header("x-amz-target", put_records))
        .respond_with(aws_json("1.1", json!({"FailedRecordCount": 0, "Records": [
            {"SequenceNumber": "49590338271490256608559692538361571095921575989136588899", "ShardId": shard}
        ]})))
        .mount(&stub)
        .await;
    let entry = |e: &OutboundEvent| e.event_id.simple().to_string();
    Mock::given(method("POST"))
        .and(header("x-amz-target", send_batch))
        .respond_with(aws_json(
            "1.0",
            json!({
                "Successful": [{"Id": entry(&pipeline_a), "MessageId": Uuid::new_v4().to_string(),
                                "MD5OfMessageBody": "fafb00f5732ab283681e124bf8747ed1"}],
                "Failed": [{"Id": entry(&pipeline_b), "SenderFault": false, "Code": "InternalError",
                            "Message": "We encountered an internal error. Please try again."}]
            }),
        ))
        .up_to_n_times(1)
        .mount(&stub)
        .await;
    Mock::given(method("POST"))
        .and(header("x-amz-target", send_batch))
        .respond_with(aws_json(
            "1.0",
            json!({
                "Successful": [{"Id": entry(&pipeline_b), "MessageId": Uuid::new_v4().to_string(),
                                "MD5OfMessageBody": "fafb00f5732ab283681e124bf8747ed1"}],
                "Failed": []
            }),
        ))
        .mount(&stub)
        .await;

    let config = moto::sdk_config(&stub.uri()).await;
    let publishers = Publishers {
        stream: Arc::new(KinesisStream::new(&config, "campaign-data")),
        data_pipeline: Arc::new(SqsQueue::new(
            &config,
            format!("{}/123456789012/campaign-data-pipeline", stub.uri()),
        )),
        ..logging_publishers()
    };
    let campaigns = CampaignService::new(
        ports.clone(),
        &Settings::default(),
        PasswordHasher::default(),
    );
    let relay = OutboxRelay::new(
        ports.clone(),
        publishers,
        RelaySettings::default(),
        campaigns,
    );

    let first = relay.deliver_once().await.unwrap();
    assert_eq!((first.delivered, first.retried), (2, 2), "{first:?}");
    assert_eq!(ports.outbox.stats().await.unwrap().pending, 2);
    clock.advance(TimeDelta::minutes(10));
    let second = relay.deliver_once().await.unwrap();
    assert_eq!((second.delivered, second.retried), (2, 0), "{second:?}");
    let third = relay.deliver_once().await.unwrap();
    assert_eq!(
        third.delivered + third.retried,
        0,
        "nothing is left: {third:?}"
    );

    let kinesis = bodies(&stub, put_records).await;
    assert_eq!(kinesis.len(), 2, "{kinesis:?}");
    assert_eq!(kinesis[0]["Records"].as_array().unwrap().len(), 2);
    let again = kinesis[1]["Records"].as_array().unwrap();
    assert_eq!(again.len(), 1, "only the refused record is sent again");
    assert_eq!(again[0]["PartitionKey"], b.id.as_str());
    let data = base64::engine::general_purpose::STANDARD
        .decode(again[0]["Data"].as_str().unwrap())
        .unwrap();
    let resent: OutboundEvent = serde_json::from_slice(&data).unwrap();
    assert_eq!(resent, stream_b);

    let sqs = bodies(&stub, send_batch).await;
    assert_eq!(sqs.len(), 2, "{sqs:?}");
    assert_eq!(sqs[0]["Entries"].as_array().unwrap().len(), 2);
    let again = sqs[1]["Entries"].as_array().unwrap();
    assert_eq!(again.len(), 1, "only the refused message is sent again");
    assert_eq!(again[0]["Id"], entry(&pipeline_b));
    let resent: OutboundEvent =
        serde_json::from_str(again[0]["MessageBody"].as_str().unwrap()).unwrap();
    assert_eq!(resent, pipeline_b);
}

/// The real binary as a child process, its logs in a file.
struct Binary {
    child: Child,
    base: String,
}

impl Binary {
    fn start(env: &[(&str, String)], log: &std::path::Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_campaign-service"))
            .env_remove("CAMPAIGN_DEV_MODE")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .expect("the binary starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next().and_then(Result::ok).unwrap_or_else(|| {
            panic!(
                "the service did not start; its log:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            )
        });
        let address = first
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("no address in {first:?}"))
            .to_owned();
        // Keep reading so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self {
            child,
            base: format!("http://{address}"),
        }
    }

    /// SIGKILL: no shutdown, no drain.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An address where nothing listens (connections refused at once).
fn nothing_listens() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}")
}

/// The environment of the binary on MongoDB `database`, verifying tokens with `key_file`,
/// delivering to `destinations` through `aws_endpoint`, without the refresh job, with a
/// short outbox lease.
fn service_env(
    destinations: &Destinations,
    key_file: &std::path::Path,
    database: &str,
    aws_endpoint: &str,
) -> Vec<(&'static str, String)> {
    vec![
        ("CAMPAIGN_LISTEN", "127.0.0.1:0".to_owned()),
        ("CAMPAIGN_STORE", "mongodb".to_owned()),
        (
            "CAMPAIGN_MONGODB_URI",
            campaign_adapter_mongo::testing::uri(),
        ),
        ("CAMPAIGN_MONGODB_DATABASE", database.to_owned()),
        (
            "CAMPAIGN_JWT_PUBLIC_KEY_FILE",
            key_file.display().to_string(),
        ),
        ("CAMPAIGN_REFRESH_INTERVAL_SECS", "0".to_owned()),
        // What the killed process had claimed is claimed again after this lease.
        ("CAMPAIGN_OUTBOX_LEASE_SECS", "3".to_owned()),
        ("CAMPAIGN_AWS_ENDPOINT_URL", aws_endpoint.to_owned()),
        ("CAMPAIGN_KINESIS_STREAM", destinations.stream.clone()),
        (
            "CAMPAIGN_SQS_DATA_PIPELINE_QUEUE_URL",
            destinations.data_pipeline.clone(),
        ),
        (
            "CAMPAIGN_SQS_REFRESH_SELECTIONS_QUEUE_URL",
            destinations.refresh_selections.clone(),
        ),
        ("AWS_ACCESS_KEY_ID", "test".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "test".to_owned()),
        ("AWS_REGION", moto::REGION.to_owned()),
        ("RUST_LOG", "warn".to_owned()),
    ]
}

/// A key pair's public half in a file of a fresh folder, and a supreme token it verifies.
fn key_file_and_token(label: &str) -> (std::path::PathBuf, std::path::PathBuf, String) {
    let keys = DevKeys::generate().unwrap();
    let dir = std::env::temp_dir().join(format!("campaign-{label}-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let key_file = dir.join("public.pem");
    std::fs::write(&key_file, keys.public_pem()).unwrap();
    let token = keys
        .signer()
        .sign(&TokenClaims::supreme("admin-1", Duration::from_secs(600)))
        .unwrap();
    (dir, key_file, token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_killed_right_after_writes_delivers_what_it_owed_when_started_again() {
    let destinations = Destinations::create(&moto::endpoint()).await;
    let (dir, key_file, token) = key_file_and_token("sigkill");
    let nothing_listens = nothing_listens();
    let database = format!("campaign_sigkill_{}", Uuid::new_v4().simple());
    let env = |aws_endpoint: &str| service_env(&destinations, &key_file, &database, aws_endpoint);
    let client = reqwest::Client::new();

    // First life: AWS unreachable, so every message it owes waits in the outbox; then SIGKILL.
    let first = Binary::start(&env(&nothing_listens), &dir.join("first.log"));
    let mut ids = BTreeSet::new();
    for name in ["One", "Two", "Three"] {
        let created: Value = client
            .post(format!("{}/campaigns", first.base))
            .bearer_auth(&token)
            .json(&campaign_body(name))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = created["data"]["id"].as_str().expect("created").to_owned();
        let res = client
            .post(format!("{}/campaigns/{id}/markets", first.base))
            .bearer_auth(&token)
            .json(&market_body(name))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        ids.insert(id);
    }
    first.kill();

    // Second life, AWS reachable: everything the first one owed arrives.
    let second = Binary::start(&env(&moto::endpoint()), &dir.join("second.log"));
    let mut arrived = Arrived::default();
    arrived
        .until(
            &destinations,
            "what the killed service owed",
            // An event in flight at the kill stays leased (3 s here) before it is claimed again.
            Duration::from_secs(30),
            |a| {
                a.stream_campaigns().is_superset(&ids)
                    && a.pipeline_campaigns().is_superset(&ids)
                    && a.selection_campaigns().is_superset(&ids)
            },
        )
        .await;
    until_backlog_drained(&client, &second.base, Duration::from_secs(10)).await;
    second.kill();
    let _ = std::fs::remove_dir_all(&dir);
}

/// `POST path` with `body` on a running binary, under `correlation` when given (the id every
/// message of the write carries); the answer's status and JSON body.
async fn post_json(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    path: &str,
    body: &Value,
    correlation: Option<&str>,
) -> (StatusCode, Value) {
    let mut request = client
        .post(format!("{base}{path}"))
        .bearer_auth(token)
        .json(body);
    if let Some(correlation) = correlation {
        request = request.header("x-correlation-id", correlation);
    }
    let res = request.send().await.unwrap();
    (res.status(), res.json().await.unwrap_or(Value::Null))
}

impl Arrived {
    /// The data-pipeline messages of market `id` sent for the request `correlation`.
    fn market_messages(&self, correlation: &str, id: &str) -> Vec<&Value> {
        self.pipeline
            .iter()
            .filter(|m| m["correlation"] == correlation && m["payload"]["market"]["id"] == id)
            .collect()
    }

    /// Whether a stream record of campaign `id` was sent for the request `correlation`.
    fn has_record(&self, correlation: &str, id: &str) -> bool {
        self.records
            .iter()
            .any(|(_, r)| r["correlation"] == correlation && r["payload"]["campaignId"] == id)
    }
}

/// The linked-campaign cascade and the reminder endpoints' market changes (`/markets/notifyDate`
/// and `/markets/notified`) are recorded with the write they belong to: killed right after
/// acknowledging them, the service applies and delivers them when started again — for each
/// changed market its data-pipeline message and its campaign's stream record (SPEC §8).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cascade_and_reminders_acknowledged_before_a_kill_are_delivered_after_it() {
    let destinations = Destinations::create(&moto::endpoint()).await;
    let (dir, key_file, token) = key_file_and_token("sigkill-cascade");
    let database = format!("campaign_cascade_{}", Uuid::new_v4().simple());
    let env = |aws_endpoint: &str| service_env(&destinations, &key_file, &database, aws_endpoint);
    let client = reqwest::Client::new();
    let unique = Uuid::new_v4().simple().to_string();
    let (scheduling, marking) = (
        format!("notify-date-{unique}"),
        format!("notified-{unique}"),
    );

    // First life: nothing reaches AWS; the writes are acknowledged, then SIGKILL at once.
    let first = Binary::start(&env(&nothing_listens()), &dir.join("first.log"));
    let post_as = |path: String, body: Value, correlation: Option<String>| {
        let (client, base, token) = (&client, first.base.clone(), token.clone());
        async move { post_json(client, &base, &token, &path, &body, correlation.as_deref()).await }
    };
    let post = |path: String, body: Value| post_as(path, body, None);
    let (status, source) = post("/campaigns".into(), campaign_body("Source")).await;
    assert_eq!(status, StatusCode::CREATED, "{source}");
    let source = source["data"]["id"].as_str().unwrap().to_owned();
    let (status, linked) = post("/campaigns".into(), campaign_body("Linked")).await;
    assert_eq!(status, StatusCode::CREATED, "{linked}");
    let linked = linked["data"]["id"].as_str().unwrap().to_owned();
    let (status, reminded) = post("/campaigns".into(), campaign_body("Reminded")).await;
    assert_eq!(status, StatusCode::CREATED, "{reminded}");
    let reminded = reminded["data"]["id"].as_str().unwrap().to_owned();
    let (status, market) = post(
        format!("/campaigns/{source}/markets"),
        market_body("Austin"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{market}");
    let market = market["data"]["id"].as_str().unwrap().to_owned();
    let (status, other) = post(
        format!("/campaigns/{reminded}/markets"),
        market_body("Denver"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{other}");
    let other = other["data"]["id"].as_str().unwrap().to_owned();
    let (status, body) = post(
        format!("/campaigns/{source}"),
        json!({"tour": {"name": "Renamed Tour"}, "linkedCampaignIds": [linked]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = post_as(
        "/markets/notifyDate".into(),
        json!({"marketIds": [market], "notificationDate": "2031-02-01T10:00:00.000Z"}),
        Some(scheduling.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Two markets of two campaigns: each its own write, with its own messages.
    let (status, body) = post_as(
        "/markets/notified".into(),
        json!({"marketIds": [market, other]}),
        Some(marking.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let notified = |id: &str| {
        body["data"]["markets"]
            .as_array()
            .and_then(|markets| markets.iter().find(|m| m["id"] == id))
            .map(|m| m["notification"]["notified"].clone())
            .unwrap_or_else(|| panic!("market {id} in the answer: {body}"))
    };
    let (notified_market, notified_other) = (notified(&market), notified(&other));
    assert!(
        notified_market.is_string() && notified_other.is_string(),
        "{body}"
    );
    first.kill();

    // Second life: the linked campaign takes the shared fields; the reminder changes of both
    // endpoints and the linked campaign's own change reach the data pipeline, and each
    // reminder write's stream records reach Kinesis.
    let second = Binary::start(&env(&moto::endpoint()), &dir.join("second.log"));
    let mut arrived = Arrived::default();
    arrived
        .until(
            &destinations,
            "the cascade and the reminder changes",
            // An event in flight at the kill stays leased (3 s here) before it is claimed again.
            Duration::from_secs(30),
            |a| {
                let linked_renamed = a.pipeline.iter().any(|m| {
                    m["payload"]["campaign"]["id"] == linked.as_str()
                        && m["payload"]["campaign"]["tourName"] == "Renamed Tour"
                });
                let scheduled = a.market_messages(&scheduling, &market).iter().any(|m| {
                    m["payload"]["market"]["notification"]["date"] == "2031-02-01T10:00:00.000Z"
                }) && a.has_record(&scheduling, &source);
                let marked =
                    [(&market, &source), (&other, &reminded)]
                        .iter()
                        .all(|(id, campaign)| {
                            !a.market_messages(&marking, id).is_empty()
                                && a.has_record(&marking, campaign)
                        });
                linked_renamed && scheduled && marked
            },
        )
        .await;
    // What the mark-notified write delivered is the market as acknowledged.
    for (id, notified) in [(&market, &notified_market), (&other, &notified_other)] {
        for message in arrived.market_messages(&marking, id) {
            assert_eq!(message["payload"]["operation"], "update", "{message}");
            assert_eq!(
                &message["payload"]["market"]["notification"]["notified"], notified,
                "{message}"
            );
        }
    }
    let get = |path: String| {
        let (client, base, token) = (&client, second.base.clone(), token.clone());
        async move {
            let read: Value = client
                .get(format!("{base}{path}"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            read
        }
    };
    let read = get(format!("/campaigns/{linked}")).await;
    assert_eq!(read["data"]["tour"]["name"], "Renamed Tour", "{read}");
    for (campaign, id, notified) in [
        (&source, &market, &notified_market),
        (&reminded, &other, &notified_other),
    ] {
        let read = get(format!("/campaigns/{campaign}/markets/{id}")).await;
        assert_eq!(
            &read["data"]["notification"]["notified"], notified,
            "{read}"
        );
    }
    until_backlog_drained(&client, &second.base, Duration::from_secs(10)).await;
    second.kill();
    let _ = std::fs::remove_dir_all(&dir);
}
