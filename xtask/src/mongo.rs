//! The tests' MongoDB, one of the [`crate::services`]: `CAMPAIGN_TEST_MONGODB_URI` names it.
//!
//! When that variable is already set as xtask starts (a developer running the suite against a
//! real `mongod`), its value is passed through and no shared server is started. Either way the
//! launcher jar below is built and named by `CAMPAIGN_TEST_MONGODB_SERVER_JAR`: the outage tests
//! start and stop private servers of their own from it.
//!
//! Otherwise xtask runs `mongo-wire-server` (`tools/mongo-wire-server`): mongo-java-server's
//! in-memory backend behind the MongoDB wire protocol, because no official MongoDB can be
//! installed where the suite runs. Its handshake reports a wire version the Rust driver accepts
//! (the library's own is too old for it; see `MongoWireServer.java`). It is a single jar,
//! rebuilt with Maven (`mvn -q -B -f tools/mongo-wire-server/pom.xml package -DskipTests`, with
//! Maven's downloads in the default `~/.m2`) when it is missing or older than its sources. It
//! runs from a copy of that jar in the set's directory (a rebuild rewrites the built jar in
//! place, which would break a JVM still loading classes from it), as `java -jar …` on a free
//! 127.0.0.1 port, in its own process group so that it outlives `services up` (and a Ctrl-C of
//! `ci`, until the next start of the same set stops it). Its pid file `mongo.pid` and its log
//! `mongo.log` (stdout and stderr) go to the set's directory too. It is ready once the log has
//! its "ready" line and the port accepts connections.
//!
//! Everything it stores lives in its memory: stopping it forgets all data.

use std::fs::File;
use std::io::{ErrorKind, Write as _};
use std::net::TcpStream;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context as _, bail};

use crate::services::{TestEnv, free_port, log_tail};

/// How many lines of the server's log an error quotes.
const LOG_LINES: usize = 30;

/// The variable the tests read the MongoDB connection string from.
pub const URI_VAR: &str = "CAMPAIGN_TEST_MONGODB_URI";

/// The variable naming the launcher jar, for tests that run private servers (outages).
pub const JAR_VAR: &str = "CAMPAIGN_TEST_MONGODB_SERVER_JAR";

/// The pid file of the server, in the set's directory.
pub const PID_FILE: &str = "mongo.pid";

/// The launcher jar's file name, as Maven builds it and as it runs (a copy in the set's
/// directory).
const JAR_FILE: &str = "mongo-wire-server.jar";

/// What `/proc/<pid>/cmdline` of the server contains (the jar's file name), so a reused pid of
/// another program is never signalled.
pub const PROGRAM: &str = JAR_FILE;

/// The launcher's Maven project, relative to the workspace root.
const PROJECT_DIR: &str = "tools/mongo-wire-server";

/// The log of the server, in the set's directory.
const LOG_FILE: &str = "mongo.log";

/// The line the launcher prints once it listens, followed by ` HOST:PORT`.
const READY: &str = "mongo-wire-server ready on";

/// How long a start may take (the JVM starting on a busy machine).
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Where the tests' MongoDB comes from, decided before anything starts.
#[derive(Debug)]
pub struct Mongo {
    /// `CAMPAIGN_TEST_MONGODB_URI` as it was set, if it was: the shared server to use.
    given: Option<String>,
    /// The built launcher jar: the shared server when no URI was given, and the private
    /// servers that outage tests stop and start in any case.
    jar: PathBuf,
}

/// Decides where the MongoDB comes from and builds the launcher's jar when needed (so a build
/// failure happens before any service runs). The jar is built even when the URI is given: the
/// outage tests run private servers of their own from it.
pub fn prepare(root: &Path) -> anyhow::Result<Mongo> {
    Ok(Mongo {
        given: given_uri(std::env::var(URI_VAR).ok()),
        jar: build_jar(root)?,
    })
}

/// Starts the server in `dir` (unless the URI was given) and returns its environment: the URI
/// and the launcher jar for private servers ([`JAR_VAR`]).
pub fn start(mongo: &Mongo, dir: &Path) -> anyhow::Result<TestEnv> {
    let jar = copy_jar(&mongo.jar, dir)?;
    let uri = match &mongo.given {
        Some(uri) => {
            eprintln!("mongo: {URI_VAR} is set; the tests use it (no mongo-wire-server started)");
            uri.clone()
        }
        None => {
            let port = start_server(&jar, dir)?;
            eprintln!("mongo: mongo-wire-server (in memory) on 127.0.0.1:{port}");
            format!("mongodb://127.0.0.1:{port}")
        }
    };
    Ok(vec![
        (URI_VAR.to_owned(), uri),
        (JAR_VAR.to_owned(), jar.display().to_string()),
    ])
}

/// The URI from the environment, when set to something.
fn given_uri(value: Option<String>) -> Option<String> {
    value.filter(|uri| !uri.trim().is_empty())
}

/// Builds the launcher jar unless it is newer than every source; returns its path.
fn build_jar(root: &Path) -> anyhow::Result<PathBuf> {
    let project = root.join(PROJECT_DIR);
    let jar = project.join("target").join(JAR_FILE);
    if is_up_to_date(&jar, &project) {
        return Ok(jar);
    }
    eprintln!(
        "mongo: building {PROJECT_DIR} with Maven (the first build downloads its dependencies \
         into ~/.m2)"
    );
    let pom = project.join("pom.xml");
    // Quiet (`-q`) Maven prints nothing but errors, and Maven 3.8 adds stray colour resets even
    // then: its output is shown only when the build fails.
    let output = Command::new("mvn")
        .args(["-q", "-B", "-f"])
        .arg(&pom)
        .args(["package", "-DskipTests"])
        .current_dir(root)
        .stdin(Stdio::null())
        .output();
    match output {
        Ok(output) if output.status.success() => {}
        Ok(output) => {
            // stderr: `services up` keeps stdout for its `export` lines.
            let mut stderr = std::io::stderr();
            let _ = stderr.write_all(&output.stdout);
            let _ = stderr.write_all(&output.stderr);
            bail!(
                "`mvn -q -B -f {PROJECT_DIR}/pom.xml package -DskipTests` failed ({}); see its \
                 output above",
                output.status
            );
        }
        Err(error) if error.kind() == ErrorKind::NotFound => bail!(
            "Maven (`mvn`) is needed to build {PROJECT_DIR}, the MongoDB the tests run against: \
             install Maven and a JDK 17 (Debian: apt-get install maven openjdk-17-jdk-headless), \
             or set {URI_VAR} to a running MongoDB"
        ),
        Err(error) => return Err(error).context("cannot run mvn"),
    }
    if !jar.is_file() {
        bail!("Maven succeeded but {} is missing", jar.display());
    }
    // Maven may leave an unchanged jar with its old time: mark it built from today's sources so
    // the next start does not build again.
    File::options()
        .append(true)
        .open(&jar)
        .and_then(|file| file.set_modified(SystemTime::now()))
        .with_context(|| format!("cannot touch {}", jar.display()))?;
    Ok(jar)
}

/// Whether `jar` exists and is at least as new as the `pom.xml` and every file under `src/` of
/// `project`.
fn is_up_to_date(jar: &Path, project: &Path) -> bool {
    let Ok(built) = modified(jar) else {
        return false;
    };
    let mut newest = match modified(&project.join("pom.xml")) {
        Ok(time) => time,
        Err(_) => return false,
    };
    if newest_under(&project.join("src"), &mut newest).is_err() {
        return false;
    }
    built >= newest
}

fn modified(path: &Path) -> std::io::Result<SystemTime> {
    std::fs::metadata(path)?.modified()
}

/// Raises `newest` to the modification time of every file under `dir`.
fn newest_under(dir: &Path, newest: &mut SystemTime) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            newest_under(&path, newest)?;
        } else {
            *newest = (*newest).max(modified(&path)?);
        }
    }
    Ok(())
}

/// Starts the launcher on a free port with its pid file and log in `dir`, and waits until it is
/// ready; returns the port. A server that does not get ready is killed.
fn start_server(jar: &Path, dir: &Path) -> anyhow::Result<u16> {
    let port = free_port()?;
    let log_path = dir.join(LOG_FILE);
    let log =
        File::create(&log_path).with_context(|| format!("cannot create {}", log_path.display()))?;
    let log_err = log.try_clone()?;
    let spawned = Command::new("java")
        .arg("-jar")
        .arg(jar)
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        .process_group(0)
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(error) if error.kind() == ErrorKind::NotFound => bail!(
            "`java` (17 or newer) is needed to run mongo-wire-server, the MongoDB the tests run \
             against: install a JDK (Debian: apt-get install openjdk-17-jdk-headless), or set \
             {URI_VAR} to a running MongoDB"
        ),
        Err(error) => return Err(error).context("cannot start java"),
    };
    let pid_path = dir.join(PID_FILE);
    let ready = std::fs::write(&pid_path, format!("{}\n", child.id()))
        .with_context(|| format!("cannot write {}", pid_path.display()))
        .and_then(|()| wait_ready(&mut child, port, &log_path));
    if let Err(error) = ready {
        let _ = child.kill();
        let _ = child.wait();
        return Err(error);
    }
    Ok(port)
}

/// Copies the built jar into the set's directory and returns the copy. A JVM reads classes from
/// its jar as it needs them, and Maven rewrites the built jar in place: a rebuild (for the other
/// set, or after an edit) would break a server running from it. The copy is written beside and
/// renamed over the last one, whose server `down` has stopped.
fn copy_jar(jar: &Path, dir: &Path) -> anyhow::Result<PathBuf> {
    let copy = dir.join(JAR_FILE);
    let partial = dir.join(format!("{JAR_FILE}.partial"));
    std::fs::copy(jar, &partial)
        .and_then(|_| std::fs::rename(&partial, &copy))
        .with_context(|| format!("cannot copy {} to {}", jar.display(), copy.display()))?;
    Ok(copy)
}

/// Waits until the log has the ready line for `port` and the port accepts connections.
fn wait_ready(child: &mut Child, port: u16, log: &Path) -> anyhow::Result<()> {
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if let Some(status) = child.try_wait()? {
            bail!(
                "mongo-wire-server exited ({status}) before it was ready; {}",
                log_tail(log, LOG_LINES)
            );
        }
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if says_ready(&text, port) && TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            bail!(
                "mongo-wire-server was not ready on 127.0.0.1:{port} within {} s; {}",
                START_TIMEOUT.as_secs(),
                log_tail(log, LOG_LINES)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Whether the launcher's output says it listens on 127.0.0.1:`port`.
fn says_ready(output: &str, port: u16) -> bool {
    let expected = format!("{READY} 127.0.0.1:{port}");
    output.lines().any(|line| {
        line.strip_prefix(&expected)
            .is_some_and(|rest| !rest.starts_with(|c: char| c.is_ascii_digit()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_given_uri_is_used_unless_it_is_blank() {
        assert_eq!(
            given_uri(Some("mongodb://db:27017".to_owned())).as_deref(),
            Some("mongodb://db:27017")
        );
        assert_eq!(given_uri(Some("  ".to_owned())), None);
        assert_eq!(given_uri(None), None);
    }

    #[test]
    fn the_ready_line_must_name_the_port() {
        let output =
            "[main] starting\nmongo-wire-server ready on 127.0.0.1:4242 (maxWireVersion 21)\n";
        assert!(says_ready(output, 4242));
        assert!(!says_ready(output, 424));
        assert!(!says_ready(output, 4243));
        assert!(!says_ready("", 4242));
    }

    #[test]
    fn the_jar_is_rebuilt_when_missing_or_older_than_a_source() {
        let project = std::env::temp_dir().join(format!("xtask-mongo-{}", std::process::id()));
        let source_dir = project.join("src").join("main").join("java");
        std::fs::create_dir_all(&source_dir).unwrap();
        std::fs::create_dir_all(project.join("target")).unwrap();
        let jar = project.join("target").join("mongo-wire-server.jar");
        let pom = project.join("pom.xml");
        let source = source_dir.join("MongoWireServer.java");
        let set_time = |path: &Path, seconds: u64| {
            let file = File::options()
                .create(true)
                .append(true)
                .open(path)
                .unwrap();
            file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(seconds))
                .unwrap();
        };
        set_time(&pom, 100);
        set_time(&source, 200);
        assert!(!is_up_to_date(&jar, &project), "missing jar");
        set_time(&jar, 150);
        assert!(!is_up_to_date(&jar, &project), "jar older than a source");
        set_time(&jar, 300);
        assert!(is_up_to_date(&jar, &project), "jar newer than every source");
        std::fs::remove_dir_all(&project).unwrap();
    }

    #[test]
    fn the_log_tail_keeps_the_last_lines() {
        let log = std::env::temp_dir().join(format!("xtask-mongo-{}.log", std::process::id()));
        let text: String = (1..=40).map(|n| format!("line {n}\n")).collect();
        std::fs::write(&log, text).unwrap();
        let tail = log_tail(&log, LOG_LINES);
        assert!(
            tail.contains("line 40") && tail.contains("line 11"),
            "{tail}"
        );
        assert!(!tail.contains("line 10\n"), "{tail}");
        std::fs::remove_file(&log).unwrap();
    }
}
