//! One supervised connection to one Redis server.
//!
//! `fred` runs each client's connection in a background task that reconnects after a loss
//! following its reconnect policy; with a bounded policy (what we want: no endless tight loop
//! against a dead server) the task ends once the attempts are spent, and the client stays
//! disconnected for good. [`Supervised`] keeps the task's handle and, when a command finds the
//! connection down and the previous round over, replaces the client with a fresh one that
//! starts a new round — so an outage of any length costs a bounded number of attempts per
//! round, and the cache comes back on its own when Redis does.
//!
//! A fresh client rather than `connect()` on the old one: with fred 10.1, a client whose task
//! ended while a command was timing out reports itself connected after a new `connect()` but
//! never answers again (reproduced against a real server while writing this adapter).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{PoisonError, RwLock};

use campaign_ports::CacheError;
use fred::clients::{Client, WithOptions};
use fred::prelude::{Builder, ClientLike as _, Options, ReconnectPolicy};
use fred::types::ConnectHandle;
use fred::types::config::{Config, UnresponsiveConfig};

use crate::settings::{RedisSettings, RedisUrl};

/// A client and its connection task.
struct Live {
    client: Client,
    task: ConnectHandle,
}

impl Live {
    fn start(builder: &Builder) -> Result<Self, fred::error::Error> {
        let client = builder.build()?;
        let task = client.connect();
        Ok(Self { client, task })
    }
}

/// One server's connection, renewed when its reconnection round has given up.
pub(crate) struct Supervised {
    builder: Builder,
    live: RwLock<Live>,
    /// Whether the connection was ever up: until then (start-up) commands wait for it, up to
    /// their timeout, instead of failing at once.
    was_up: AtomicBool,
    role: &'static str,
    server: String,
}

impl Supervised {
    /// Builds the client for `url` and starts connecting in the background.
    pub(crate) fn start(
        url: &RedisUrl,
        settings: &RedisSettings,
        role: &'static str,
    ) -> Result<Self, CacheError> {
        let build_error = |e: fred::error::Error| CacheError(format!("redis {role} {url}: {e}"));
        let mut config = Config::from_url_centralized(url.expose()).map_err(build_error)?;
        // The first connection follows the reconnect policy too, instead of failing at once.
        config.fail_fast = false;
        let command_timeout = settings.command_timeout;
        let min_delay = u32::try_from(settings.reconnect_min_delay.as_millis()).unwrap_or(u32::MAX);
        let max_delay = u32::try_from(settings.reconnect_max_delay.as_millis()).unwrap_or(u32::MAX);
        let mut builder = Builder::from_config(config);
        builder
            .with_connection_config(|c| {
                c.connection_timeout = settings.connect_timeout;
                c.internal_command_timeout = command_timeout.max(settings.connect_timeout);
                c.max_command_attempts = 1;
                c.tcp.nodelay = Some(true);
                // A server that accepts but never answers (hung, paused) is treated as lost.
                c.unresponsive = UnresponsiveConfig {
                    max_timeout: Some(command_timeout * 4),
                    interval: command_timeout.max(std::time::Duration::from_millis(20)),
                };
            })
            .with_performance_config(|p| p.default_command_timeout = command_timeout)
            // `max_attempts` 0 would mean "forever": keep at least one.
            .set_policy(ReconnectPolicy::new_exponential(
                settings.reconnect_attempts.max(1),
                min_delay.max(1),
                max_delay.max(min_delay.max(1)),
                2,
            ));
        let live = Live::start(&builder).map_err(build_error)?;
        Ok(Self {
            builder,
            live: RwLock::new(live),
            was_up: AtomicBool::new(false),
            role,
            server: url.to_string(),
        })
    }

    /// Whether the connection is up now.
    pub(crate) fn is_connected(&self) -> bool {
        let up = self.read(|live| live.client.is_connected());
        if up {
            self.was_up.store(true, Ordering::Relaxed);
        }
        up
    }

    /// The client with per-command `options`; starts a new round of connection attempts first
    /// when the connection is down and the previous round has given up. While the very first
    /// connection is still being made, commands wait for it (up to their timeout) rather than
    /// fail at once, so the first requests and jobs after start-up find the cache.
    pub(crate) fn with(&self, options: &Options) -> WithOptions<Client> {
        if self.is_connected() {
            return self.read(|live| live.client.with_options(options));
        }
        self.rearm();
        let starting = !self.was_up.load(Ordering::Relaxed) && self.read(|l| !l.task.is_finished());
        if starting {
            let patient = Options {
                fail_fast: false,
                ..options.clone()
            };
            self.read(|live| live.client.with_options(&patient))
        } else {
            self.read(|live| live.client.with_options(options))
        }
    }

    /// Whether a command sent now would be carried: the connection is up and its task still
    /// runs. (A task ends with the runtime it was spawned on, and a client whose task was
    /// stopped that way may still report itself connected.)
    pub(crate) fn is_live(&self) -> bool {
        self.read(|live| !live.task.is_finished()) && self.is_connected()
    }

    /// Replaces the client with a fresh one, connecting from the calling runtime, if its task
    /// has ended, whatever the client reports: for a connection made per thread, whose
    /// runtime may have stopped (the thread's slot, and so this connection, can then pass to a
    /// new thread).
    pub(crate) fn renew_if_ended(&self) {
        if self.read(|live| !live.task.is_finished()) {
            return;
        }
        // Only ever replaced whole, as in `rearm`.
        let mut live = self.live.write().unwrap_or_else(PoisonError::into_inner);
        if !live.task.is_finished() {
            return;
        }
        match Live::start(&self.builder) {
            Ok(fresh) => *live = fresh,
            Err(error) => tracing::warn!(
                role = self.role,
                server = %self.server,
                %error,
                "redis client could not be rebuilt"
            ),
        }
    }

    /// Replaces the client with a fresh one that starts connecting if the connection is down
    /// and its task has ended.
    pub(crate) fn rearm(&self) {
        if self.read(|live| live.client.is_connected() || !live.task.is_finished()) {
            return;
        }
        // The guarded value is only ever replaced whole; a panic elsewhere cannot leave it torn.
        let mut live = self.live.write().unwrap_or_else(PoisonError::into_inner);
        if live.client.is_connected() || !live.task.is_finished() {
            return;
        }
        match Live::start(&self.builder) {
            Ok(fresh) => {
                tracing::info!(
                    role = self.role,
                    server = %self.server,
                    "redis reconnection attempts had stopped; starting a new round"
                );
                *live = fresh;
            }
            Err(error) => tracing::warn!(
                role = self.role,
                server = %self.server,
                %error,
                "redis client could not be rebuilt"
            ),
        }
    }

    fn read<T>(&self, f: impl FnOnce(&Live) -> T) -> T {
        f(&self.live.read().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Drop for Supervised {
    fn drop(&mut self) {
        // Nobody can use this client any more: end its connection task (and so its socket).
        self.live
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .task
            .abort();
    }
}
