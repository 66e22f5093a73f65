//! Where the local test servers are: `cargo xtask ci` hands them to the tests as environment
//! variables (`CAMPAIGN_TEST_*`), and `cargo xtask services up` also writes them to
//! `target/services/test.env`, so a plain `cargo test` after it finds them too.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `<workspace>/target/services/test.env`.
fn env_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/services/test.env")
}

/// The value of the test variable `name`: the environment first, then
/// `target/services/test.env`; `None` when neither has a non-empty value.
pub fn test_variable(name: &str) -> Option<String> {
    if let Ok(value) = std::env::var(name)
        && !value.is_empty()
    {
        return Some(value);
    }
    let file = std::fs::read_to_string(env_file()).ok()?;
    file.lines().find_map(|line| {
        let (key, value) = line.split_once('=')?;
        let value = value.trim();
        (key.trim() == name && !value.is_empty()).then(|| value.to_owned())
    })
}

/// The value of the test variable `name`; panics saying how to start the servers when it is
/// missing: a test that needs a real server never passes without it.
pub fn required_test_variable(name: &str, what: &str) -> String {
    test_variable(name).unwrap_or_else(|| {
        panic!(
            "{name} is not set: {what} needs the local test servers. Run the whole suite with \
             `cargo xtask ci`, or start the servers with `cargo xtask services up` (and stop \
             them with `cargo xtask services down`) before `cargo test`."
        )
    })
}

/// A server process of a test's own on a free 127.0.0.1 port, which the test stops and starts
/// again on the same port to play an outage. `command` builds the process for a port; the
/// server is ready once the port accepts TCP connections (at most 60 s). Killed when dropped.
pub struct PrivateServer {
    port: u16,
    command: Box<dyn Fn(u16) -> Command + Send + Sync>,
    child: Option<Child>,
}

impl std::fmt::Debug for PrivateServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivateServer")
            .field("port", &self.port)
            .field("running", &self.child.is_some())
            .finish()
    }
}

impl PrivateServer {
    /// Starts one on a free port and waits until it accepts connections.
    pub fn start(command: impl Fn(u16) -> Command + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let port = listener.local_addr().expect("its address").port();
        drop(listener);
        let mut server = Self {
            port,
            command: Box::new(command),
            child: None,
        };
        server.restart();
        server
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops it.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port and waits until it accepts connections.
    pub fn restart(&mut self) {
        self.stop();
        let mut command = (self.command)(self.port);
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "{command:?} did not listen on {} within 60 s",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        self.stop();
    }
}
