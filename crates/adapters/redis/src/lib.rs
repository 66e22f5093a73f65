//! The cache and the job lock of campaign-service on Redis, through `fred` (SPEC §9).
//!
//! [`RedisCache`] implements [`Cache`], [`JobLock`] and `RateLimiter`:
//! - reads (`GET`) go to the read replicas when there are any (round robin; a replica that
//!   does not answer is skipped for the primary), writes, deletes, locks and the readiness ping
//!   go to the primary — `fred`'s own replica routing is for clusters, so the replicas have
//!   their own clients (ECOSYSTEM.md);
//! - a thread that reads gets connections of its own, driven by its own runtime, so that a
//!   cached read on an HTTP worker stays on that worker's thread (the shared connections'
//!   tasks run on the main runtime); writes, scripts and `WAIT` keep to the shared ones;
//! - every command has a timeout and fails at once while its connection is down (`fail_fast`),
//!   and is never replayed after a reconnection (a replayed `SET` could write back a value an
//!   invalidation already removed): the callers carry on as on a miss (fail open);
//! - a lost connection is retried a bounded number of times ([`RedisSettings`]); when a round
//!   gives up, the next command starts a new one (see `connection`), so caching resumes by
//!   itself when Redis is back, without a restart;
//! - versioned entries (campaigns, promoters) are stored as `<version>:V<value>` or
//!   `<version>:T` (a tombstone) by a script that compares versions and writes in one step, so
//!   an older version never replaces a newer one; a write's [`Cache::publish`] then waits
//!   (`WAIT`) until every configured replica has it, so no replica serves the state it replaced;
//! - the lock is `SET name token NX PX ttl`, released by a compare-and-delete script so only the
//!   holder releases it;
//! - it is also the shared [`RateLimiter`](campaign_ports::RateLimiter): one GCRA script per
//!   call on the primary, timed by the server's clock (see `rate_limit`).
//!
//! Every error becomes a [`CacheError`] naming the operation; no password is ever printed.
//!
//! Architecture invariant: this crate depends on `campaign-domain` and `campaign-ports` only
//! among the workspace crates, and nothing outside it sees a `fred` type.

mod connection;
mod rate_limit;
mod settings;
#[cfg(feature = "testing")]
pub mod testing;

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use campaign_ports::{Cache, CacheError, JobLock, LockToken, VersionedEntry};
use fred::error::Error as FredError;
use fred::prelude::{ClientLike as _, Expiration, KeysInterface as _, Options, SetOptions};
use fred::types::{ClusterHash, CustomCommand};
use thread_local::ThreadLocal;

use crate::connection::Supervised;

pub use crate::settings::{InvalidRedisUrl, RedisSettings, RedisUrl};

/// Deletes `KEYS[1]` only while it holds `ARGV[1]` (the lock holder's token); returns how many
/// keys it deleted.
const RELEASE_SCRIPT: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

/// Stores `ARGV[2]` under `KEYS[1]` for `ARGV[3]` ms unless the key holds a versioned entry
/// (`<version>:...`) whose version is at least `ARGV[1]`; returns 1 when it stored it.
const PUT_IF_NEWER_SCRIPT: &str = "local held = redis.call('GET', KEYS[1]) \
if held then local v = tonumber(string.match(held, '^(%d+):')) \
if v and v >= tonumber(ARGV[1]) then return 0 end end \
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1";

/// How long a write waits for the read replicas to acknowledge its cache entry.
const REPLICA_ACK_TIMEOUT: Duration = Duration::from_millis(100);

/// The Redis cache and lock. Cheap to share behind an `Arc`; dropping it closes its
/// connections.
pub struct RedisCache {
    primary: Servers,
    replicas: Option<Servers>,
    /// How many replica servers a published entry must reach.
    replica_servers: usize,
    key_prefix: String,
    options: Options,
}

impl std::fmt::Debug for RedisCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisCache")
            .field("replicas", &self.replicas.is_some())
            .field("key_prefix", &self.key_prefix)
            .finish_non_exhaustive()
    }
}

/// The connections to one role (the primary, or all replicas), used round robin: the shared
/// ones, and for reads one more per server on each thread that reads (see
/// [`Servers::pick_for_read`]).
struct Servers {
    clients: Vec<Supervised>,
    next: AtomicUsize,
    /// Each reading thread's own connections, one per server, made by its first read.
    per_thread: ThreadLocal<ThreadClients>,
    urls: Vec<RedisUrl>,
    settings: RedisSettings,
    role: &'static str,
}

/// One thread's connections to the servers of a role, used round robin by that thread only.
struct ThreadClients {
    clients: Vec<Supervised>,
    next: Cell<usize>,
}

impl Servers {
    fn connect(
        urls: &[RedisUrl],
        settings: &RedisSettings,
        role: &'static str,
    ) -> Result<Self, CacheError> {
        let per_server = settings.connections_per_server.max(1);
        let mut clients = Vec::with_capacity(urls.len() * per_server);
        for url in urls {
            for _ in 0..per_server {
                clients.push(Supervised::start(url, settings, role)?);
            }
        }
        Ok(Self {
            clients,
            next: AtomicUsize::new(0),
            per_thread: ThreadLocal::new(),
            urls: urls.to_vec(),
            settings: settings.clone(),
            role,
        })
    }

    /// The connection a read on this thread should use: one of the thread's own when it is up,
    /// otherwise a shared one ([`pick`](Self::pick)).
    ///
    /// A thread's own connections are made by its first read, from its runtime, so their
    /// tasks run where the read runs. On an HTTP worker (one thread, one runtime of its own) a
    /// cached read then never leaves its thread: through a shared connection, whose task runs
    /// on the process's main runtime, every read wakes another thread twice (the command to
    /// the connection task, the answer back), and the profile of cached reads showed those
    /// wake-ups as the largest cost (docs/benchmarks.md). Until a thread's connection is up,
    /// and whenever it is down, its reads take a shared one, which keeps the outage handling
    /// above; a connection whose runtime has stopped is replaced by the next read.
    fn pick_for_read(&self) -> &Supervised {
        let own = self.per_thread.get_or_try(|| {
            let clients = self
                .urls
                .iter()
                .map(|url| Supervised::start(url, &self.settings, self.role))
                .collect::<Result<Vec<_>, _>>()?;
            Ok::<_, CacheError>(ThreadClients {
                clients,
                next: Cell::new(0),
            })
        });
        if let Ok(own) = own {
            let n = own.clients.len();
            let start = own.next.get();
            own.next.set(start.wrapping_add(1));
            for i in 0..n {
                let client = &own.clients[start.wrapping_add(i) % n];
                if client.is_live() {
                    return client;
                }
                client.renew_if_ended();
            }
        }
        self.pick()
    }

    /// The next connection in turn, preferring one that is up.
    fn pick(&self) -> &Supervised {
        let n = self.clients.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..n)
            .map(|i| &self.clients[(start + i) % n])
            .find(|c| c.is_connected())
            .unwrap_or(&self.clients[start % n])
    }

    fn is_connected(&self) -> bool {
        self.clients.iter().any(Supervised::is_connected)
    }

    async fn wait_connected(&self, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if self.clients.iter().all(Supervised::is_connected) {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            for c in &self.clients {
                c.rearm();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl RedisCache {
    /// Starts the connections `settings` describe and returns at once; they connect in the
    /// background (see [`wait_connected`](Self::wait_connected)). A Redis that is down at start
    /// is not an error: the cache fails open until it answers.
    ///
    /// Must be called within a Tokio runtime (the connection tasks are spawned on it).
    ///
    /// # Errors
    /// [`CacheError`] when a client cannot be built from the settings.
    pub fn connect(settings: &RedisSettings) -> Result<Self, CacheError> {
        let primary =
            Servers::connect(std::slice::from_ref(&settings.primary), settings, "primary")?;
        let replicas = if settings.replicas.is_empty() {
            None
        } else {
            Some(Servers::connect(&settings.replicas, settings, "replica")?)
        };
        Ok(Self {
            primary,
            replicas,
            replica_servers: settings.replicas.len(),
            key_prefix: settings.key_prefix.clone(),
            options: Options {
                max_attempts: Some(1),
                timeout: Some(settings.command_timeout),
                fail_fast: true,
                ..Options::default()
            },
        })
    }

    /// Waits until every connection (primary and replicas) is up, at most `timeout`; returns
    /// whether they all are.
    pub async fn wait_connected(&self, timeout: Duration) -> bool {
        let primary = self.primary.wait_connected(timeout).await;
        match &self.replicas {
            Some(replicas) => primary && replicas.wait_connected(timeout).await,
            None => primary,
        }
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.key_prefix)
    }

    /// Runs the compare-and-set script on `client`.
    async fn put_on(
        &self,
        client: &Supervised,
        key: &str,
        entry: &VersionedEntry,
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        // EVAL as a plain command, with the options of every other command (see `release`).
        let eval = CustomCommand::new_static("EVAL", ClusterHash::Offset(2), false);
        let stored: i64 = client
            .with(&self.options)
            .custom(
                eval,
                vec![
                    PUT_IF_NEWER_SCRIPT.to_owned(),
                    "1".to_owned(),
                    self.key(key),
                    entry.version.to_string(),
                    encode(entry),
                    millis(ttl).to_string(),
                ],
            )
            .await
            .map_err(|e| failed("put if newer", &e))?;
        Ok(stored == 1)
    }

    async fn get_from(&self, servers: &Servers, key: &str) -> Result<Option<String>, FredError> {
        servers.pick_for_read().with(&self.options).get(key).await
    }
}

/// `<version>:V<value>` or `<version>:T`.
fn encode(entry: &VersionedEntry) -> String {
    match &entry.value {
        Some(value) => format!("{}:V{value}", entry.version),
        None => format!("{}:T", entry.version),
    }
}

/// The entry [`encode`] wrote; `None` for anything else (a plain value).
fn decode(raw: &str) -> Option<VersionedEntry> {
    let (version, rest) = raw.split_once(':')?;
    let version = version.parse().ok()?;
    if let Some(value) = rest.strip_prefix('V') {
        Some(VersionedEntry::value(version, value.to_owned()))
    } else if rest == "T" {
        Some(VersionedEntry::tombstone(version))
    } else {
        None
    }
}

/// The time to live in whole milliseconds, at least 1 (Redis refuses `PX 0`).
fn millis(ttl: Duration) -> i64 {
    i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX).max(1)
}

fn failed(operation: &str, error: &FredError) -> CacheError {
    CacheError(format!("redis {operation}: {error}"))
}

#[async_trait]
impl Cache for RedisCache {
    async fn get(&self, key: &str) -> Result<Option<String>, CacheError> {
        let key = self.key(key);
        if let Some(replicas) = &self.replicas {
            if replicas.is_connected() {
                match self.get_from(replicas, &key).await {
                    Ok(value) => return Ok(value),
                    Err(error) => {
                        tracing::debug!(%error, "redis replica read failed; reading the primary");
                    }
                }
            } else {
                replicas.pick().rearm();
            }
        }
        self.get_from(&self.primary, &key)
            .await
            .map_err(|e| failed("get", &e))
    }

    async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), CacheError> {
        self.primary
            .pick()
            .with(&self.options)
            .set::<(), _, _>(
                self.key(key),
                value,
                Some(Expiration::PX(millis(ttl))),
                None,
                false,
            )
            .await
            .map_err(|e| failed("set", &e))
    }

    async fn delete(&self, keys: &[String]) -> Result<(), CacheError> {
        if keys.is_empty() {
            return Ok(());
        }
        let keys: Vec<String> = keys.iter().map(|k| self.key(k)).collect();
        self.primary
            .pick()
            .with(&self.options)
            .del::<i64, _>(keys)
            .await
            .map(|_| ())
            .map_err(|e| failed("del", &e))
    }

    async fn get_versioned(&self, key: &str) -> Result<Option<VersionedEntry>, CacheError> {
        Ok(self.get(key).await?.as_deref().and_then(decode))
    }

    async fn put_if_newer(
        &self,
        key: &str,
        entry: &VersionedEntry,
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        self.put_on(self.primary.pick(), key, entry, ttl).await
    }

    async fn publish(
        &self,
        key: &str,
        entry: &VersionedEntry,
        ttl: Duration,
    ) -> Result<(), CacheError> {
        // The script and the WAIT go over one connection: WAIT counts the replicas that have
        // every write this connection made.
        let client = self.primary.pick();
        self.put_on(client, key, entry, ttl).await?;
        if self.replica_servers == 0 {
            return Ok(());
        }
        let wait = CustomCommand::new_static("WAIT", ClusterHash::Random, false);
        let wanted = self.replica_servers;
        let acknowledged: i64 = client
            .with(&self.options)
            .custom(
                wait,
                vec![
                    wanted.to_string(),
                    REPLICA_ACK_TIMEOUT.as_millis().to_string(),
                ],
            )
            .await
            .map_err(|e| failed("wait", &e))?;
        if usize::try_from(acknowledged).unwrap_or(0) < wanted {
            return Err(CacheError(format!(
                "redis wait: {acknowledged} of {wanted} replicas acknowledged within {} ms",
                REPLICA_ACK_TIMEOUT.as_millis()
            )));
        }
        Ok(())
    }

    async fn ping(&self) -> Result<(), CacheError> {
        self.primary
            .pick()
            .with(&self.options)
            .ping::<String>(None)
            .await
            .map(|_| ())
            .map_err(|e| failed("ping", &e))
    }
}

#[async_trait]
impl JobLock for RedisCache {
    async fn try_acquire(
        &self,
        name: &str,
        token: &LockToken,
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        let reply: Option<String> = self
            .primary
            .pick()
            .with(&self.options)
            .set(
                self.key(name),
                token.0.as_str(),
                Some(Expiration::PX(millis(ttl))),
                Some(SetOptions::NX),
                false,
            )
            .await
            .map_err(|e| failed("lock acquire", &e))?;
        Ok(reply.is_some())
    }

    async fn release(&self, name: &str, token: &LockToken) -> Result<bool, CacheError> {
        // EVAL as a plain command, so that it gets the same options (timeout, fail fast, no
        // replay) as every other command.
        let eval = CustomCommand::new_static("EVAL", ClusterHash::Offset(2), false);
        let deleted: i64 = self
            .primary
            .pick()
            .with(&self.options)
            .custom(
                eval,
                vec![
                    RELEASE_SCRIPT.to_owned(),
                    "1".to_owned(),
                    self.key(name),
                    token.0.clone(),
                ],
            )
            .await
            .map_err(|e| failed("lock release", &e))?;
        Ok(deleted == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versioned_entries_read_back_as_written() {
        for entry in [
            VersionedEntry::value(7, "{\"a\":\"x:Vy\"}".to_owned()),
            VersionedEntry::value(1, String::new()),
            VersionedEntry::tombstone(u64::MAX),
        ] {
            assert_eq!(decode(&encode(&entry)), Some(entry));
        }
        assert_eq!(decode("{\"plain\":1}"), None);
        assert_eq!(decode("12:X"), None);
    }

    #[test]
    fn ttls_are_whole_positive_milliseconds() {
        assert_eq!(millis(Duration::ZERO), 1);
        assert_eq!(millis(Duration::from_micros(10)), 1);
        assert_eq!(millis(Duration::from_millis(1500)), 1500);
        assert_eq!(millis(Duration::MAX), i64::MAX);
    }
}
