//! Read-your-writes across replicas (SPEC §9: "a read on any replica after a write acknowledged
//! by another returns the written state"): a campaign renamed through one replica is read at
//! once, by id and by domain, with the new name and version on the two others — without Redis
//! (each replica on its own in-process cache), with the Redis cache, and with Redis reads going
//! to a Redis read replica. Every other round the readers read first, so whatever cache they
//! have holds the previous version when the write lands elsewhere. And with reads racing the
//! writes (and the cache fills they cause) on every replica, no read sent after a write was
//! acknowledged returns an older version.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::json;

use crate::cluster::{Cluster, Options, Redis, complete, id_of, version_of};

/// Rounds of write-then-read.
const ROUNDS: usize = 20;

/// A cluster on `redis` and a campaign created on its first replica and opened (OPEN, so any
/// valid token reads it by domain, as the fan site does) with `name`: `(cluster, id, site)`,
/// the campaign at version 2.
async fn cluster_with_an_open_campaign(redis: Redis, name: &str) -> (Cluster, String, String) {
    let cluster = Cluster::start(Options {
        redis,
        ..Options::default()
    })
    .await;
    let first = cluster.replica(0);
    let created = first
        .create(&complete("Version 1"))
        .await
        .expect(StatusCode::CREATED)
        .clone();
    let id = id_of(&created);
    let site = created["domain"]["site"].as_str().unwrap().to_owned();
    let opened = first
        .update(&id, &json!({"status": "OPEN", "name": name}), None)
        .await;
    assert_eq!(version_of(opened.expect(StatusCode::OK)), 2);
    (cluster, id, site)
}

async fn reads_on_every_replica_follow_a_write_on_another(redis: Redis) {
    let (cluster, id, site) = cluster_with_an_open_campaign(redis, "Coherent").await;
    let mut version = 2;

    let replicas = cluster.replicas();
    for round in 0..ROUNDS {
        let writer = &replicas[round % replicas.len()];
        let readers: Vec<_> = replicas
            .iter()
            .filter(|r| r.index != writer.index)
            .collect();
        if round.is_multiple_of(2) {
            // Warm whatever the readers cache with the state about to be replaced.
            for reader in &readers {
                let by_id = reader.get(&id).await;
                assert_eq!(version_of(by_id.expect(StatusCode::OK)), version);
                reader.by_domain(&site).await.expect(StatusCode::OK);
            }
        }
        let name = format!("Name {round}");
        let written = writer.update(&id, &json!({"name": name}), None).await;
        let data = written.expect(StatusCode::OK);
        assert_eq!(version_of(data), version + 1, "one write, one version");
        version += 1;
        for reader in &readers {
            let by_id = reader.get(&id).await;
            let data = by_id.expect(StatusCode::OK);
            assert_eq!(
                (data["name"].as_str(), version_of(data)),
                (Some(name.as_str()), version),
                "round {round}: replica {} read by id right after replica {} acknowledged \
                 version {version}",
                reader.index,
                writer.index
            );
            assert_eq!(by_id.etag, Some(format!("\"{version}\"")));
            let by_domain = reader.by_domain(&site).await;
            let public = by_domain.expect(StatusCode::OK);
            assert_eq!(
                public["name"].as_str(),
                Some(name.as_str()),
                "round {round}: replica {} read by domain right after replica {} acknowledged \
                 version {version}",
                reader.index,
                writer.index
            );
            if let Some(etag) = &by_domain.etag {
                assert_eq!(etag, &format!("\"{version}\""), "by domain");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_a_write_on_one_replica_is_read_at_once_on_the_others() {
    reads_on_every_replica_follow_a_write_on_another(Redis::Off).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_a_write_on_one_replica_is_read_at_once_on_the_others() {
    reads_on_every_replica_follow_a_write_on_another(Redis::Primary).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_redis_read_replica_a_write_on_one_replica_is_read_at_once_on_the_others() {
    reads_on_every_replica_follow_a_write_on_another(Redis::WithReadReplica).await;
}

/// Writes in the concurrent test.
const CONCURRENT_WRITES: u64 = 40;
/// Readers running while they land.
const READERS: usize = 4;

/// A read: when it was sent, what it saw (the version by id, or the version a name by domain
/// tells), and where.
struct Read {
    sent: Instant,
    version: u64,
    what: String,
}

/// One reader: by id and by domain in turn, round robin over the replicas, until `stop`.
async fn reader(
    cluster: &Cluster,
    first: usize,
    id: &str,
    site: &str,
    stop: &AtomicBool,
) -> Vec<Read> {
    let mut reads = Vec::new();
    let mut n = first;
    while !stop.load(Ordering::Relaxed) {
        let replica = cluster.replica(n % cluster.replicas().len());
        let sent = Instant::now();
        let read = if n.is_multiple_of(2) {
            let answer = replica.get(id).await;
            Read {
                sent,
                version: version_of(answer.expect(StatusCode::OK)),
                what: format!("by id on replica {}", replica.index),
            }
        } else {
            let answer = replica.by_domain(site).await;
            let name = answer.expect(StatusCode::OK)["name"].as_str().unwrap();
            Read {
                sent,
                version: name.trim_start_matches("Version ").parse().unwrap(),
                what: format!("by domain on replica {}", replica.index),
            }
        };
        reads.push(read);
        n += 1;
    }
    reads
}

/// Read-your-writes under concurrency: while one client renames a campaign through the
/// replicas in turn, readers keep reading it everywhere (so reads race with the writes and with
/// the cache fills they cause); no read sent after a write was acknowledged may return an older
/// version. This is what a read-through cache that stores what it read after a concurrent
/// write invalidated the entry gets wrong.
async fn no_read_after_an_acknowledged_write_returns_an_older_version(redis: Redis) {
    let (cluster, id, site) = cluster_with_an_open_campaign(redis, "Version 2").await;

    let stop = AtomicBool::new(false);
    let writes = async {
        let mut acknowledged = vec![(Instant::now(), 2)];
        for version in 3..3 + CONCURRENT_WRITES {
            let replica = cluster.replica(version as usize % cluster.replicas().len());
            let patch = json!({"name": format!("Version {version}")});
            let answer = replica.update(&id, &patch, None).await;
            assert_eq!(version_of(answer.expect(StatusCode::OK)), version);
            acknowledged.push((Instant::now(), version));
        }
        stop.store(true, Ordering::Relaxed);
        acknowledged
    };
    let readers = join_all((0..READERS).map(|r| reader(&cluster, r, &id, &site, &stop)));
    let (acknowledged, reads) = tokio::join!(writes, readers);

    let mut stale = Vec::new();
    let count: usize = reads.iter().map(Vec::len).sum();
    for read in reads.iter().flatten() {
        let owed = acknowledged
            .iter()
            .filter(|(at, _)| *at < read.sent)
            .map(|(_, version)| *version)
            .max()
            .unwrap_or(0);
        if read.version < owed {
            stale.push(format!(
                "{}: version {} although version {owed} was acknowledged before it was sent",
                read.what, read.version
            ));
        }
    }
    assert!(
        stale.is_empty(),
        "{} of {count} reads were stale: {stale:#?}",
        stale.len()
    );
    assert!(
        count >= CONCURRENT_WRITES as usize,
        "the reads raced the writes: {count} reads"
    );
    eprintln!("{count} reads raced {CONCURRENT_WRITES} writes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_no_read_racing_writes_returns_a_version_older_than_an_acknowledged_one() {
    no_read_after_an_acknowledged_write_returns_an_older_version(Redis::Off).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_no_read_racing_writes_returns_a_version_older_than_an_acknowledged_one() {
    no_read_after_an_acknowledged_write_returns_an_older_version(Redis::Primary).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_redis_read_replica_no_read_racing_writes_returns_a_version_older_than_an_acknowledged_one()
 {
    no_read_after_an_acknowledged_write_returns_an_older_version(Redis::WithReadReplica).await;
}
