//! Nothing is lost when a replica crashes (SPEC §8 "also after a crash", §12 "no lost outbound
//! message when the process is killed"): concurrent writers spread a burst of creates and
//! updates over three replicas, one replica gets SIGKILL in the middle of it, and every write
//! that was answered 2xx — on whichever replica — reaches moto: its campaign summary (id and
//! version) on the data pipeline queue and its record (id and `date.updated`) on the Kinesis
//! stream, delivered by the survivors. Events the dead replica had claimed stay leased until
//! the relay's lease ends (`CAMPAIGN_OUTBOX_LEASE_SECS`); then the survivors claim them. The
//! same burst runs without Redis and with it (where the dead replica may also hold the
//! refresh lock and cached entries; neither may hold back a write or its delivery).

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use campaign_domain::chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::cluster::{Balancer, Cluster, OUTBOX_LEASE, Options, Redis, draft, id_of, version_of};
use crate::delivered::{Arrived, Destinations};

/// Concurrent writers.
const WRITERS: usize = 4;
/// Writes in the burst (creates and updates).
const WRITES: usize = 60;
/// The kill comes once this many writes were sent.
const KILL_AFTER: usize = 25;
/// The replica killed.
const VICTIM: usize = 1;

/// A write answered 2xx: the campaign, its version and `date.updated` after the write.
type Acknowledged = (String, u64, DateTime<Utc>);

fn acknowledged(data: &Value) -> Acknowledged {
    (
        id_of(data),
        version_of(data),
        data["date"]["updated"]
            .as_str()
            .and_then(|d| d.parse().ok())
            .expect("date.updated"),
    )
}

/// What the writers saw.
#[derive(Default)]
struct Outcomes {
    acknowledged: Vec<Acknowledged>,
    /// Requests cut or refused by the dying replica: not acknowledged, so not owed.
    cut: Vec<String>,
    /// Answers that were neither 2xx nor expected.
    wrong: Vec<String>,
}

/// One writer: every fifth write creates a campaign of its own, the others rename the newest.
async fn writer(balancer: Arc<Balancer>, sent: Arc<AtomicUsize>, outcomes: Arc<Mutex<Outcomes>>) {
    let mut current: Option<String> = None;
    let mut mine = 0;
    loop {
        let n = sent.fetch_add(1, Ordering::SeqCst);
        if n >= WRITES {
            return;
        }
        let (path, body, expected) = match &current {
            Some(id) if mine % 5 != 0 => (
                format!("/campaigns/{id}"),
                json!({"name": format!("Write {n}")}),
                StatusCode::OK,
            ),
            _ => (
                "/campaigns".to_owned(),
                draft(&format!("Write {n}")),
                StatusCode::CREATED,
            ),
        };
        mine += 1;
        let result = balancer.send(Method::POST, &path, Some(&body)).await;
        let mut outcomes = outcomes.lock().unwrap();
        match result {
            Ok((answer, _)) if answer.status == expected => {
                let data = &answer.body["data"];
                if expected == StatusCode::CREATED {
                    current = Some(id_of(data));
                }
                outcomes.acknowledged.push(acknowledged(data));
            }
            Ok((answer, replica)) => outcomes.wrong.push(format!(
                "POST {path} on replica {replica}: {} {}",
                answer.status, answer.body
            )),
            Err(error) => outcomes.cut.push(error),
        }
    }
}

async fn every_acknowledged_write_is_delivered_when_a_replica_is_killed_mid_burst(redis: Redis) {
    let destinations = Destinations::create().await;
    let mut cluster = Cluster::start(Options {
        redis,
        destinations: Some(&destinations),
        ..Options::default()
    })
    .await;
    let balancer = Arc::new(Balancer::new(cluster.bases()));
    let sent = Arc::new(AtomicUsize::new(0));
    let outcomes = Arc::new(Mutex::new(Outcomes::default()));
    let writers: Vec<_> = (0..WRITERS)
        .map(|_| tokio::spawn(writer(balancer.clone(), sent.clone(), outcomes.clone())))
        .collect();
    while sent.load(Ordering::SeqCst) < KILL_AFTER {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    cluster.kill(VICTIM);
    for w in writers {
        w.await.expect("writer");
    }
    let outcomes = Arc::try_unwrap(outcomes)
        .ok()
        .unwrap()
        .into_inner()
        .unwrap();
    assert!(
        outcomes.wrong.is_empty(),
        "unexpected answers: {:?}",
        outcomes.wrong
    );
    assert!(
        outcomes.cut.len() <= WRITERS,
        "only requests in flight at the kill may be cut: {:?}",
        outcomes.cut
    );
    assert!(
        outcomes.acknowledged.len() >= WRITES - WRITERS,
        "{} writes acknowledged",
        outcomes.acknowledged.len()
    );

    let versions: BTreeSet<(String, u64)> = outcomes
        .acknowledged
        .iter()
        .map(|(id, version, _)| (id.clone(), *version))
        .collect();
    let writes: BTreeSet<(String, DateTime<Utc>)> = outcomes
        .acknowledged
        .iter()
        .map(|(id, _, updated)| (id.clone(), *updated))
        .collect();
    // Events the victim had claimed come back after its lease (`CAMPAIGN_OUTBOX_LEASE_SECS`,
    // short in these tests).
    let limit = OUTBOX_LEASE + Duration::from_secs(20);
    let mut arrived = Arrived::default();
    arrived
        .until(
            &destinations,
            "every acknowledged write on the pipeline queue and the stream",
            limit,
            |a| {
                let (arrived_versions, arrived_writes) = (a.pipeline_versions(), a.stream_writes());
                let pipeline: Vec<_> = versions.difference(&arrived_versions).collect();
                let stream: Vec<_> = writes.difference(&arrived_writes).collect();
                (!pipeline.is_empty() || !stream.is_empty()).then(|| {
                    format!("on the pipeline queue {pipeline:?}, on the stream {stream:?}")
                })
            },
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_every_acknowledged_write_is_delivered_when_a_replica_is_killed_mid_burst() {
    every_acknowledged_write_is_delivered_when_a_replica_is_killed_mid_burst(Redis::Off).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_every_acknowledged_write_is_delivered_when_a_replica_is_killed_mid_burst() {
    every_acknowledged_write_is_delivered_when_a_replica_is_killed_mid_burst(Redis::Primary).await;
}
