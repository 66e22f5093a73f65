//! The Redis adapter against real `redis-server`s: the shared primary and replica that
//! `cargo xtask ci` (or `cargo xtask services up`) starts, and private servers for outages.
//! Tests share the primary; each uses its own key prefix.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code fails loudly"
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use campaign_adapter_redis::testing::{self, PrivateRedis};
use campaign_adapter_redis::{RedisCache, RedisSettings};
use campaign_ports::testing::CacheUnderTest;
use campaign_ports::{Cache, JobLock, LockToken, VersionedEntry};
use fred::prelude::{Builder, ClientLike as _, Config, KeysInterface as _};

const WAIT: Duration = Duration::from_secs(5);

async fn connected(settings: &RedisSettings) -> Arc<RedisCache> {
    let cache = Arc::new(RedisCache::connect(settings).expect("client built"));
    assert!(
        cache.wait_connected(WAIT).await,
        "could not connect to the test Redis"
    );
    cache
}

/// A plain client to look at a server directly.
async fn raw_client(url: &str) -> fred::clients::Client {
    let client = Builder::from_config(Config::from_url(url).unwrap())
        .build()
        .unwrap();
    client.init().await.expect("raw client connects");
    client
}

async fn fresh_cache() -> CacheUnderTest {
    let cache = connected(&testing::shared_settings()).await;
    CacheUnderTest {
        cache: cache.clone(),
        lock: cache,
        advance: Box::new(|by: Duration| Box::pin(tokio::time::sleep(by))),
        // The cache prefixes every key with its own unique prefix already.
        key_prefix: String::new(),
    }
}

campaign_ports::cache_contract_tests!(fresh_cache);

/// With reads on the replica, what a write publishes is read back at once from the replica:
/// the write returns only once the replica has it (the other contracts read right after a
/// plain write, which a replica may not have yet, so they run on the primary above).
#[tokio::test]
async fn published_entries_are_read_at_once_from_the_replica() {
    let mut settings = testing::shared_settings();
    settings.replicas = vec![testing::replica_url()];
    let cache = connected(&settings).await;
    let under_test = CacheUnderTest {
        cache: cache.clone(),
        lock: cache,
        advance: Box::new(|by: Duration| Box::pin(tokio::time::sleep(by))),
        key_prefix: String::new(),
    };
    campaign_ports::testing::cache::published_entries_are_read_at_once(&under_test).await;
}

/// A write whose entry the replica cannot confirm (the replica is down) is reported, so the
/// caller knows its entry may not be what every replica reads.
#[tokio::test]
async fn a_publish_the_replicas_cannot_confirm_is_an_error() {
    let primary = PrivateRedis::start();
    let mut replica = PrivateRedis::start_replica_of(&primary);
    let mut settings = testing::quick(testing::shared_settings());
    settings.primary = primary.url();
    settings.replicas = vec![replica.url()];
    let cache = connected(&settings).await;
    let entry = VersionedEntry::value(1, "one".to_owned());
    let hour = Duration::from_secs(3600);
    eventually("the replica confirms", || async {
        cache.publish("confirmed", &entry, hour).await.is_ok()
    })
    .await;
    replica.stop();
    let error = cache
        .publish(
            "unconfirmed",
            &VersionedEntry::value(2, "two".to_owned()),
            hour,
        )
        .await
        .expect_err("no replica can confirm");
    assert!(error.0.contains("0 of 1 replicas"), "{error:?}");
    assert_eq!(
        cache.get_versioned("unconfirmed").await.unwrap(),
        Some(VersionedEntry::value(2, "two".to_owned())),
        "the primary holds it, and is read while the replica is down"
    );
}

/// Polls `check` every 20 ms until it holds, at most `WAIT`.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + WAIT;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn entries_carry_their_ttl_and_a_new_value_replaces_it() {
    let settings = testing::shared_settings();
    let cache = connected(&settings).await;
    let raw = raw_client(&testing::variable(testing::URL_VARIABLE)).await;
    let key = "ttl";
    let full = format!("{}{key}", settings.key_prefix);

    cache
        .set(key, "v1", Duration::from_secs(300))
        .await
        .unwrap();
    let pttl: i64 = raw.pttl(&full).await.unwrap();
    assert!((299_000..=300_000).contains(&pttl), "pttl {pttl}");

    // A replacement takes the new TTL, not the old one.
    cache
        .set(key, "v2", Duration::from_millis(400))
        .await
        .unwrap();
    let pttl: i64 = raw.pttl(&full).await.unwrap();
    assert!((1..=400).contains(&pttl), "pttl {pttl}");
    assert_eq!(cache.get(key).await.unwrap().as_deref(), Some("v2"));
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(cache.get(key).await.unwrap(), None);
    let exists: i64 = raw.exists(&full).await.unwrap();
    assert_eq!(exists, 0, "Redis itself dropped the key");

    // A zero TTL is the shortest Redis accepts, not an error.
    cache.set(key, "v3", Duration::ZERO).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(cache.get(key).await.unwrap(), None);
    raw.quit().await.unwrap();
}

#[tokio::test]
async fn reads_go_to_the_replica_and_writes_to_the_primary() {
    let mut settings = testing::shared_settings();
    settings.replicas = vec![testing::replica_url()];
    let cache = connected(&settings).await;
    let replica = raw_client(&testing::variable(testing::REPLICA_URL_VARIABLE)).await;

    // A write reaches the primary (a replica refuses writes) and is read back once
    // replicated.
    cache
        .set("replicated", "yes", Duration::from_secs(60))
        .await
        .unwrap();
    eventually("the replica serves the value", || async {
        cache.get("replicated").await.unwrap().as_deref() == Some("yes")
    })
    .await;

    // The reads are counted by the replica.
    let gets_before = get_calls(&replica).await;
    for _ in 0..20 {
        assert_eq!(
            cache.get("replicated").await.unwrap().as_deref(),
            Some("yes")
        );
    }
    let gets_after = get_calls(&replica).await;
    assert!(
        gets_after >= gets_before + 20,
        "replica GET calls went from {gets_before} to {gets_after}"
    );

    // Deletes go to the primary and reach the replica.
    cache.delete(&["replicated".to_owned()]).await.unwrap();
    eventually("the replica forgets the value", || async {
        cache.get("replicated").await.unwrap().is_none()
    })
    .await;
    replica.quit().await.unwrap();
}

/// `cmdstat_get` calls counted by a server.
async fn get_calls(client: &fred::clients::Client) -> u64 {
    let info: String = client
        .info(Some(fred::types::InfoKind::CommandStats))
        .await
        .unwrap();
    info.lines()
        .find_map(|line| line.strip_prefix("cmdstat_get:calls="))
        .and_then(|rest| rest.split(',').next())
        .map_or(0, |n| n.parse().unwrap())
}

#[tokio::test]
async fn a_replica_that_is_down_is_skipped_for_the_primary_until_it_is_back() {
    // A private server stands in for the replica; it holds none of the primary's data, so
    // what a read returns shows where it went.
    let mut stand_in = PrivateRedis::start();
    let mut settings = testing::shared_settings();
    settings.replicas = vec![stand_in.url()];
    let cache = connected(&settings).await;
    cache
        .set("routed", "from-primary", Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(
        cache.get("routed").await.unwrap(),
        None,
        "reads go to the replica"
    );

    stand_in.stop();
    let started = Instant::now();
    assert_eq!(
        cache.get("routed").await.unwrap().as_deref(),
        Some("from-primary"),
        "a replica that is down is skipped"
    );
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );

    // Longer than the bounded reconnect round, so the round gives up and a new one starts.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stand_in.restart();
    eventually("reads go back to the replica", || async {
        cache.get("routed").await.unwrap().is_none()
    })
    .await;
}

#[tokio::test]
async fn an_outage_fails_fast_and_the_cache_comes_back_by_itself() {
    let mut server = PrivateRedis::start();
    let cache = connected(&testing::quick(RedisSettings::new(server.url()))).await;
    cache
        .set("k", "before", Duration::from_secs(60))
        .await
        .unwrap();
    cache.ping().await.unwrap();

    server.stop();
    let started = Instant::now();
    assert!(cache.get("k").await.is_err());
    assert!(
        cache
            .set("k", "during", Duration::from_secs(60))
            .await
            .is_err()
    );
    assert!(cache.delete(&["k".to_owned()]).await.is_err());
    assert!(cache.ping().await.is_err());
    let lock = LockToken("t".to_owned());
    assert!(
        cache
            .try_acquire("lock", &lock, Duration::from_secs(5))
            .await
            .is_err()
    );
    assert!(cache.release("lock", &lock).await.is_err());
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "errors come fast during an outage: {:?}",
        started.elapsed()
    );
    let error = cache.get("k").await.unwrap_err();
    assert!(error.0.starts_with("redis get: "), "{error}");

    // Down for longer than a reconnect round: the round ends, the next command starts another.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.restart();
    eventually("the cache answers again", || async {
        cache.ping().await.is_ok()
    })
    .await;
    cache
        .set("k", "after", Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(cache.get("k").await.unwrap().as_deref(), Some("after"));
}

#[tokio::test]
async fn a_cache_started_while_redis_is_down_connects_when_it_comes_up() {
    let mut server = PrivateRedis::start();
    server.stop();
    let cache = RedisCache::connect(&testing::quick(RedisSettings::new(server.url()))).unwrap();
    assert!(!cache.wait_connected(Duration::from_millis(200)).await);
    assert!(cache.get("k").await.is_err());
    tokio::time::sleep(Duration::from_millis(1000)).await;
    server.restart();
    eventually("the cache connects", || async {
        cache.ping().await.is_ok()
    })
    .await;
    cache.set("k", "v", Duration::from_secs(5)).await.unwrap();
    assert_eq!(cache.get("k").await.unwrap().as_deref(), Some("v"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_lock_has_one_holder_across_service_replicas() {
    // Two service replicas, each with its own connections, race for the same locks.
    let settings = testing::shared_settings();
    let replicas = [connected(&settings).await, connected(&settings).await];
    for round in 0..20 {
        let name = format!("lock:round:{round}");
        let mut tasks = Vec::new();
        for (r, replica) in replicas.iter().enumerate() {
            for t in 0..8 {
                let (replica, name) = (replica.clone(), name.clone());
                tasks.push(tokio::spawn(async move {
                    let token = LockToken(format!("replica{r}-task{t}"));
                    let won = replica
                        .try_acquire(&name, &token, Duration::from_secs(30))
                        .await
                        .unwrap();
                    won.then_some(token)
                }));
            }
        }
        let mut winners = Vec::new();
        for task in tasks {
            if let Some(token) = task.await.unwrap() {
                winners.push(token);
            }
        }
        assert_eq!(winners.len(), 1, "round {round}: {winners:?}");
        // Only the winner releases, through either replica's connection.
        let loser = LockToken("nobody".to_owned());
        assert!(!replicas[0].release(&name, &loser).await.unwrap());
        assert!(replicas[1].release(&name, &winners[0]).await.unwrap());
        assert!(!replicas[0].release(&name, &winners[0]).await.unwrap());
    }
}

#[tokio::test]
async fn a_crashed_holders_lock_expires() {
    let settings = testing::shared_settings();
    let (a, b) = (connected(&settings).await, connected(&settings).await);
    let (ta, tb) = (LockToken("a".to_owned()), LockToken("b".to_owned()));
    assert!(
        a.try_acquire("refresh", &ta, Duration::from_millis(300))
            .await
            .unwrap()
    );
    // `a` "crashes" without releasing.
    drop(a);
    assert!(
        !b.try_acquire("refresh", &tb, Duration::from_secs(5))
            .await
            .unwrap()
    );
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert!(
        b.try_acquire("refresh", &tb, Duration::from_secs(5))
            .await
            .unwrap(),
        "the expired hold is free"
    );
    assert!(!b.release("refresh", &ta).await.unwrap());
    assert!(b.release("refresh", &tb).await.unwrap());
}

#[tokio::test]
async fn a_cache_used_right_after_start_waits_for_its_first_connection() {
    // No `wait_connected`: the first commands wait for the connection being made.
    let cache = RedisCache::connect(&testing::shared_settings()).unwrap();
    cache
        .set("early", "bird", Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(cache.get("early").await.unwrap().as_deref(), Some("bird"));
    let lock = LockToken("early".to_owned());
    assert!(
        cache
            .try_acquire("early-lock", &lock, Duration::from_secs(5))
            .await
            .unwrap()
    );
}

/// The connections a server has, oldest first, as `(id, last command)`, leaving out the one
/// asking (whose last command is this `CLIENT LIST`).
async fn connections(raw: &fred::clients::Client) -> Vec<(u64, String)> {
    let list: String = raw
        .custom(
            fred::types::CustomCommand::new_static(
                "CLIENT",
                fred::types::ClusterHash::Random,
                false,
            ),
            vec!["LIST"],
        )
        .await
        .unwrap();
    let field = |line: &str, name: &str| -> Option<String> {
        line.split(' ')
            .find_map(|f| f.strip_prefix(name)?.strip_prefix('='))
            .map(str::to_owned)
    };
    let mut out: Vec<(u64, String)> = list
        .lines()
        .filter_map(|line| Some((field(line, "id")?.parse().ok()?, field(line, "cmd")?)))
        .filter(|(_, cmd)| cmd != "client|list")
        .collect();
    out.sort();
    out
}

/// Reads on a thread with a runtime of its own (as on an HTTP worker) go over a connection of
/// that thread's own, made by its first read (which a shared connection serves meanwhile);
/// when that runtime stops, its connection closes, and the next thread that reads gets a
/// working one instead of the dead one (thread slots are reused).
#[test]
fn a_reading_thread_reads_over_its_own_connection_which_ends_with_its_runtime() {
    let server = PrivateRedis::start();
    let mut settings = RedisSettings::new(server.url());
    settings.connections_per_server = 1;
    let main = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let cache = main.block_on(connected(&settings));
    let raw = Arc::new(main.block_on(raw_client(&server.address())));
    assert_eq!(
        main.block_on(connections(&raw)).len(),
        1,
        "the shared connection"
    );

    let reading_thread = |n: usize| {
        let (cache, raw) = (cache.clone(), raw.clone());
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let value = format!("v{n}");
                cache
                    .set("k", &value, Duration::from_secs(60))
                    .await
                    .unwrap();
                assert_eq!(
                    cache.get("k").await.unwrap().as_deref(),
                    Some(value.as_str()),
                    "the first read is answered"
                );
                // Each round: a write over the shared connection, then a read; done once the
                // read went over the thread's own (the newest) connection.
                eventually("a read over the thread's own connection", || async {
                    cache
                        .set("k", &value, Duration::from_secs(60))
                        .await
                        .unwrap();
                    let read = cache.get("k").await.unwrap();
                    assert_eq!(read.as_deref(), Some(value.as_str()));
                    let now = connections(&raw).await;
                    now.len() == 2 && now[0].1 == "set" && now[1].1 == "get"
                })
                .await;
            });
        })
    };

    reading_thread(1).join().expect("the first reading thread");
    main.block_on(eventually(
        "its connection to close with its runtime",
        || async { connections(&raw).await.len() == 1 },
    ));
    reading_thread(2).join().expect("the second reading thread");
    main.block_on(eventually("that one to close too", || async {
        connections(&raw).await.len() == 1
    }));
}
