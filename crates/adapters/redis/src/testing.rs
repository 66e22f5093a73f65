//! Test support (feature `testing`): where the test Redis servers are, and private servers a
//! test can stop and start (for outage tests).
//!
//! `cargo xtask ci` (or `cargo xtask services up`) starts a primary and a replica on 127.0.0.1
//! and hands them to the tests through environment variables, also written to
//! `target/services/test.env` so a plain `cargo test` after `services up` finds them:
//! - `CAMPAIGN_TEST_REDIS_URL`: the shared primary;
//! - `CAMPAIGN_TEST_REDIS_REPLICA_URL`: a replica of it (`--replicaof`);
//! - `CAMPAIGN_TEST_REDIS_SERVER`: the `redis-server` program, for private servers.
//!
//! When they are missing, the tests fail with a message saying how to start the servers: a
//! Redis test never passes without Redis.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "test support: a failed expectation is a failed test"
)]

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use campaign_domain::uuid::Uuid;

use crate::{RedisSettings, RedisUrl};

/// The shared test primary.
pub const URL_VARIABLE: &str = "CAMPAIGN_TEST_REDIS_URL";
/// A replica of the shared test primary.
pub const REPLICA_URL_VARIABLE: &str = "CAMPAIGN_TEST_REDIS_REPLICA_URL";
/// The `redis-server` program.
pub const SERVER_VARIABLE: &str = "CAMPAIGN_TEST_REDIS_SERVER";

/// The value of a test variable; panics with how to start the servers when it is missing.
pub fn variable(name: &str) -> String {
    campaign_ports::testing::services::required_test_variable(name, "a Redis test")
}

/// The shared test primary's URL.
pub fn primary_url() -> RedisUrl {
    RedisUrl::parse(&variable(URL_VARIABLE)).expect("CAMPAIGN_TEST_REDIS_URL is a Redis URL")
}

/// The shared test replica's URL.
pub fn replica_url() -> RedisUrl {
    RedisUrl::parse(&variable(REPLICA_URL_VARIABLE))
        .expect("CAMPAIGN_TEST_REDIS_REPLICA_URL is a Redis URL")
}

/// A key prefix no other test uses: `test:<uuid>:`.
pub fn unique_prefix() -> String {
    format!("test:{}:", Uuid::new_v4().simple())
}

/// Settings for the shared primary with a unique key prefix and short reconnect bounds.
pub fn shared_settings() -> RedisSettings {
    quick(RedisSettings::new(primary_url()).with_key_prefix(unique_prefix()))
}

/// `settings` with reconnect bounds short enough for tests: 3 attempts, 50-200 ms apart.
pub fn quick(mut settings: RedisSettings) -> RedisSettings {
    settings.reconnect_attempts = 3;
    settings.reconnect_min_delay = Duration::from_millis(50);
    settings.reconnect_max_delay = Duration::from_millis(200);
    settings.command_timeout = Duration::from_millis(300);
    settings.connect_timeout = Duration::from_millis(300);
    settings
}

/// A `redis-server` of one test's own on 127.0.0.1, without persistence, that the test may
/// stop and start again on the same port. Stopped when dropped.
#[derive(Debug)]
pub struct PrivateRedis {
    port: u16,
    /// The port of the primary this server replicates, if it is a replica.
    replica_of: Option<u16>,
    child: Option<Child>,
}

impl PrivateRedis {
    /// Starts a server on a free port and waits until it answers.
    pub fn start() -> Self {
        Self::start_with(None)
    }

    /// Starts a replica of `primary` on a free port and waits until it answers.
    pub fn start_replica_of(primary: &Self) -> Self {
        Self::start_with(Some(primary.port))
    }

    fn start_with(replica_of: Option<u16>) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut server = Self {
            port,
            replica_of,
            child: None,
        };
        server.restart();
        server
    }

    /// Its URL.
    pub fn url(&self) -> RedisUrl {
        RedisUrl::parse(&self.address()).expect("a valid URL")
    }

    /// Its URL as text, for a plain client of a test's own.
    pub fn address(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Stops the server at once (SIGKILL, like a crash) and waits until the port is closed.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while ping(self.port) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Starts the server (again) on its port, empty, and waits until it answers.
    pub fn restart(&mut self) {
        self.stop();
        let port = self.port.to_string();
        let replica_of = self
            .replica_of
            .map(|primary| vec!["--replicaof".to_owned(), format!("127.0.0.1 {primary}")])
            .unwrap_or_default();
        let child = Command::new(variable(SERVER_VARIABLE))
            .args(replica_of)
            .args([
                "--port",
                &port,
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                &std::env::temp_dir().to_string_lossy(),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !ping(self.port) {
            assert!(
                Instant::now() < deadline,
                "private redis-server on port {} did not answer",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Whether a Redis server on 127.0.0.1:`port` answers `PING`.
fn ping(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    if stream.write_all(b"PING\r\n").is_err() {
        return false;
    }
    let mut answer = [0_u8; 7];
    stream.read_exact(&mut answer).is_ok() && &answer == b"+PONG\r\n"
}
