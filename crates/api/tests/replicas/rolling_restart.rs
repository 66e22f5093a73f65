//! A rolling restart under load fails no request (SPEC §12 "graceful shutdown that finishes
//! in-flight requests", with several replicas behind a load balancer): readers and writers send
//! continuously through a [`Balancer`] (which sends to the replicas its `/health/ready` checks
//! find ready) while each replica in turn gets SIGTERM, exits cleanly and is started again on
//! its port. The balancer may retry a request on another replica only when the connection was
//! refused (nothing was sent); every answer must be a success, no request may be cut once sent,
//! and every acknowledged write is counted once in the versions. It runs without Redis and with
//! it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::cluster::{Balancer, Cluster, Options, Redis, draft, id_of, version_of};

/// Concurrent readers and writers.
const READERS: usize = 3;
const WRITERS: usize = 2;
/// Longest a replica may take to exit after SIGTERM (it drains its outbox too).
const EXIT_LIMIT: Duration = Duration::from_secs(15);

/// What the clients saw.
#[derive(Default)]
struct Tally {
    /// Successful answers per replica.
    served: [usize; 3],
    /// Acknowledged renames per campaign.
    renamed: HashMap<String, u64>,
    /// What failed, and the restarts, with the time since the load started.
    failures: Vec<String>,
    timeline: Vec<String>,
}

/// Sends requests in a loop until `stop`: a writer renames campaign `ids[k]` in turn and checks
/// the version moved, a reader reads them.
async fn client(
    balancer: Arc<Balancer>,
    ids: Arc<Vec<String>>,
    write: bool,
    stop: Arc<AtomicBool>,
    tally: Arc<Mutex<Tally>>,
    started: Instant,
) {
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        let id = &ids[n % ids.len()];
        n += 1;
        let (method, body, path) = if write {
            (
                Method::POST,
                Some(json!({"name": format!("Renamed {n}")})),
                format!("/campaigns/{id}"),
            )
        } else {
            (Method::GET, None, format!("/campaigns/{id}"))
        };
        let result = balancer.send(method.clone(), &path, body.as_ref()).await;
        let mut tally = tally.lock().unwrap();
        match result {
            Ok((answer, replica)) if answer.status == StatusCode::OK => {
                tally.served[replica] += 1;
                if write {
                    *tally.renamed.entry(id.clone()).or_default() += 1;
                }
            }
            Ok((answer, replica)) => tally.failures.push(format!(
                "{:?}: {method} {path} on replica {replica}: {} {}",
                started.elapsed(),
                answer.status,
                answer.body
            )),
            Err(error) => tally
                .failures
                .push(format!("{:?}: {error}", started.elapsed())),
        }
    }
}

async fn a_rolling_restart_under_load_fails_no_request(redis: Redis) {
    let mut cluster = Cluster::start(Options {
        redis,
        ..Options::default()
    })
    .await;
    let mut ids = Vec::new();
    for i in 0..6 {
        let created = cluster
            .replica(i % 3)
            .create(&draft(&format!("Rolling {i}")))
            .await;
        ids.push(id_of(created.expect(StatusCode::CREATED)));
    }
    let ids = Arc::new(ids);
    let balancer = Arc::new(Balancer::new(cluster.bases()));
    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let started = Instant::now();
    let note = |what: String| {
        tally
            .lock()
            .unwrap()
            .timeline
            .push(format!("{:?}: {what}", started.elapsed()));
    };
    let clients: Vec<_> = (0..READERS + WRITERS)
        .map(|i| {
            tokio::spawn(client(
                balancer.clone(),
                ids.clone(),
                i < WRITERS,
                stop.clone(),
                tally.clone(),
                started,
            ))
        })
        .collect();

    tokio::time::sleep(Duration::from_millis(500)).await;
    for index in 0..3 {
        note(format!("SIGTERM to replica {index}"));
        let status = cluster.terminate(index, EXIT_LIMIT).await;
        note(format!("replica {index} exited: {status}"));
        assert!(
            status.success(),
            "replica {index} exits cleanly on SIGTERM: {status}"
        );
        let before = tally.lock().unwrap().served[index];
        cluster.restart(index).await;
        note(format!("replica {index} listens again"));
        // Serve on the restarted replica before the next one goes.
        crate::cluster::eventually(
            &format!("replica {index} to serve again"),
            Duration::from_secs(10),
            || async { tally.lock().unwrap().served[index] > before + 10 },
        )
        .await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.expect("client");
    }
    let tally = std::mem::take(&mut *tally.lock().unwrap());
    assert!(
        tally.failures.is_empty(),
        "{} failed requests (served {:?}): {:#?}\ntimeline: {:#?}",
        tally.failures.len(),
        tally.served,
        tally.failures,
        tally.timeline
    );
    let requests: usize = tally.served.iter().sum();
    assert!(requests > 100, "load ran: {:?}", tally.served);
    // Every acknowledged rename was written once: the versions add up, on every replica.
    for replica in cluster.replicas() {
        for id in ids.iter() {
            let got = replica.get(id).await;
            assert_eq!(
                version_of(got.expect(StatusCode::OK)),
                1 + tally.renamed.get(id).copied().unwrap_or_default(),
                "campaign {id} on replica {}",
                replica.index
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_a_rolling_restart_under_load_fails_no_request() {
    a_rolling_restart_under_load_fails_no_request(Redis::Off).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_a_rolling_restart_under_load_fails_no_request() {
    a_rolling_restart_under_load_fails_no_request(Redis::Primary).await;
}
