//! moto in server mode, the Kinesis and SQS the AWS adapter's tests talk to (SPEC §11).
//!
//! [`install`] makes sure a virtualenv at `target/tools/moto-venv` holds `moto[server]` at
//! [`MOTO_VERSION`] (`python3 -m venv`, then `pip install` from PyPI; skipped when that version
//! is there already). [`start`] runs moto's server on a free 127.0.0.1 port in the background,
//! through [`LAUNCHER_FILE`] (moto's `main` with its Kinesis `PutRecords` made safe for
//! concurrent callers, see `moto_server.py`), detached from the terminal (its own session, so
//! a Ctrl-C of `xtask` leaves it to `down`), with its pid in `<dir>/moto.pid` and its output in
//! `<dir>/moto.log`, and waits until it answers HTTP. [`stop`] ends the server a pid file
//! names, if it is still a `moto_server`. The tests find the server through
//! [`ENDPOINT_VARIABLE`] ([`test_env`]).

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use crate::services::{free_port, log_tail};

/// The moto release installed.
pub const MOTO_VERSION: &str = "5.2.5";

/// The variable the AWS adapter's tests read the server's URL from.
pub const ENDPOINT_VARIABLE: &str = "CAMPAIGN_TEST_AWS_ENDPOINT_URL";

/// The pid file [`start`] writes in its directory.
pub const PID_FILE: &str = "moto.pid";

/// The log file [`start`] writes in its directory.
pub const LOG_FILE: &str = "moto.log";

/// The launcher [`start`] writes into its directory and runs with the venv's Python. Its name
/// holds `moto_server`, which is what [`is_moto`] looks for.
pub const LAUNCHER_FILE: &str = "campaign_moto_server.py";

/// The launcher's source (see its own docstring).
const LAUNCHER: &str = include_str!("moto_server.py");

/// How long [`start`] waits for the server to answer (it imports a lot of Python first).
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// `<root>/target/tools/moto-venv`.
fn venv(root: &Path) -> PathBuf {
    root.join("target").join("tools").join("moto-venv")
}

/// The file in the venv that records which moto version it holds.
fn version_marker(venv: &Path) -> PathBuf {
    venv.join("campaign-moto-version")
}

/// Makes sure the venv holds `moto[server]` at [`MOTO_VERSION`] and returns its `moto_server`
/// (whose presence says the install finished).
pub fn install(root: &Path) -> anyhow::Result<PathBuf> {
    let venv = venv(root);
    let server = venv.join("bin").join("moto_server");
    let installed = std::fs::read_to_string(version_marker(&venv)).unwrap_or_default();
    if server.is_file() && installed.trim() == MOTO_VERSION {
        return Ok(server);
    }
    eprintln!(
        "installing moto[server] {MOTO_VERSION} (PyPI) into {}",
        venv.display()
    );
    let status = Command::new("python3")
        .args(["-m", "venv", "--clear"])
        .arg(&venv)
        .status()
        .context("cannot run python3 (needed for moto): install python3 with venv")?;
    if !status.success() {
        bail!(
            "`python3 -m venv {}` failed with {status} (Debian: apt-get install python3-venv)",
            venv.display()
        );
    }
    let requirement = format!("moto[server]=={MOTO_VERSION}");
    let status = Command::new(venv.join("bin").join("pip"))
        .args(["install", "-q", "--disable-pip-version-check", &requirement])
        .status()
        .context("cannot run pip in the moto venv")?;
    if !status.success() {
        bail!("`pip install {requirement}` failed with {status}");
    }
    if !server.is_file() {
        bail!(
            "{requirement} installed no moto_server in {}",
            venv.display()
        );
    }
    std::fs::write(version_marker(&venv), MOTO_VERSION)
        .with_context(|| format!("cannot write {}", version_marker(&venv).display()))?;
    Ok(server)
}

/// Installs moto when needed, starts its server (through [`LAUNCHER_FILE`], written into `dir`)
/// on a free 127.0.0.1 port in the background (pid in `dir/moto.pid`, output in
/// `dir/moto.log`), waits until it answers HTTP and returns the port. A server a previous run
/// left in `dir` is stopped first.
pub fn start(root: &Path, dir: &Path) -> anyhow::Result<u16> {
    let server = install(root)?;
    // `moto_server` sits in the venv's `bin`, beside the Python that has moto installed.
    let python = server.with_file_name("python");
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    stop(dir)?;
    let launcher = dir.join(LAUNCHER_FILE);
    std::fs::write(&launcher, LAUNCHER)
        .with_context(|| format!("cannot write {}", launcher.display()))?;
    let port = free_port()?;
    let log_path = dir.join(LOG_FILE);
    let log = std::fs::File::create(&log_path)
        .with_context(|| format!("cannot create {}", log_path.display()))?;
    let mut child = Command::new(&python)
        .arg(&launcher)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        // Its own process group: a Ctrl-C meant for xtask does not reach it.
        .process_group(0)
        .spawn()
        .with_context(|| format!("cannot start {} {}", python.display(), launcher.display()))?;
    let pid = child.id();
    std::fs::write(dir.join(PID_FILE), format!("{pid}\n"))
        .with_context(|| format!("cannot write {}", dir.join(PID_FILE).display()))?;
    let deadline = Instant::now() + START_TIMEOUT;
    while !answers_http(port) {
        if let Ok(Some(status)) = child.try_wait() {
            let _ = std::fs::remove_file(dir.join(PID_FILE));
            bail!(
                "moto_server exited with {status} before answering on 127.0.0.1:{port}; the end \
                 of {}:\n{}",
                log_path.display(),
                log_tail(&log_path, 20)
            );
        }
        if Instant::now() >= deadline {
            let _ = stop(dir);
            bail!(
                "moto_server did not answer on 127.0.0.1:{port} within {} s; the end of {}:\n{}",
                START_TIMEOUT.as_secs(),
                log_path.display(),
                log_tail(&log_path, 20)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(port)
}

/// The test environment for a server on `port`: `CAMPAIGN_TEST_AWS_ENDPOINT_URL`.
pub fn test_env(port: u16) -> Vec<(String, String)> {
    vec![(
        ENDPOINT_VARIABLE.to_owned(),
        format!("http://127.0.0.1:{port}"),
    )]
}

/// Stops the server `dir/moto.pid` names, if it is still a `moto_server` (SIGTERM, then
/// SIGKILL after 5 s), and removes the pid file.
pub fn stop(dir: &Path) -> anyhow::Result<()> {
    let pid_file = dir.join(PID_FILE);
    let Ok(text) = std::fs::read_to_string(&pid_file) else {
        return Ok(());
    };
    if let Ok(pid) = text.trim().parse::<u32>()
        && is_moto(pid)
    {
        let pid_arg = pid.to_string();
        let mut stopped = false;
        for signal in ["-TERM", "-KILL"] {
            let _ = Command::new("kill").args([signal, &pid_arg]).status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline && is_moto(pid) {
                std::thread::sleep(Duration::from_millis(50));
            }
            if !is_moto(pid) {
                stopped = true;
                break;
            }
        }
        if !stopped {
            bail!("moto_server (pid {pid}) did not stop");
        }
    }
    let _ = std::fs::remove_file(&pid_file);
    Ok(())
}

/// Whether `pid` is a running `moto_server` (a reused pid of another program is left alone; a
/// zombie has an empty command line and does not count).
pub fn is_moto(pid: u32) -> bool {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|cmdline| String::from_utf8_lossy(&cmdline).contains("moto_server"))
        .unwrap_or(false)
}

/// Whether something on 127.0.0.1:`port` answers `GET /moto-api/` with an HTTP status line.
fn answers_http(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = "GET /moto-api/ HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0_u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_venv_lives_under_target_tools() {
        assert_eq!(
            venv(Path::new("/repo")),
            Path::new("/repo/target/tools/moto-venv")
        );
    }

    #[test]
    fn stopping_without_a_pid_file_is_fine() {
        let dir = std::env::temp_dir().join(format!("xtask-moto-{}", std::process::id()));
        stop(&dir).unwrap();
    }

    #[test]
    fn this_process_is_not_moto() {
        assert!(!is_moto(std::process::id()));
    }

    #[test]
    fn a_port_with_nothing_behind_it_does_not_answer() {
        assert!(!answers_http(free_port().unwrap()));
    }

    #[test]
    fn the_test_environment_names_the_endpoint() {
        assert_eq!(
            test_env(5000),
            [(
                "CAMPAIGN_TEST_AWS_ENDPOINT_URL".to_owned(),
                "http://127.0.0.1:5000".to_owned()
            )]
        );
    }
}
