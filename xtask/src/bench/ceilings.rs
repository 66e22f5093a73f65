//! The machine's ceilings (issue 16), measured in the same run as the service's scenarios, with
//! the same connections:
//!
//! - HTTP: nginx (Debian package, installed when missing) answering the exact body the service
//!   answered, driven by the same wrk command as the service's scenario;
//! - the cached read: Redis `GET` of the cached campaign entry, driven by `redis-benchmark`;
//! - the MongoDB path: the raw store, driven through the same driver by
//!   `crates/adapters/mongo/examples/store_ceiling.rs` (a read by id, a conditional update).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use super::wrk::Measured;
use crate::services::free_port;

/// What a service scenario is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ceiling {
    /// nginx answering the service's `GET /campaigns/{id}` body.
    NginxGet,
    /// nginx answering the benchmark's POSTs with the service's POST answer.
    NginxPost,
    /// `redis-benchmark`: `GET` of the cached campaign entry.
    RedisGet,
    /// The raw store: `find_one({_id})`.
    StoreRead,
    /// The raw store: `update_one({_id, version}, {$set})`.
    StoreUpdate,
}

impl Ceiling {
    /// Its name in the table.
    pub(super) fn label(self) -> &'static str {
        match self {
            Self::NginxGet => "nginx, same GET, fixed body",
            Self::NginxPost => "nginx, same POSTs, fixed answer (HTTP only)",
            Self::RedisGet => "Redis GET of the cached entry",
            Self::StoreRead => "raw store find_one by _id",
            Self::StoreUpdate => "raw store conditional update_one",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// nginx

/// The nginx program: `nginx` on `PATH`, else Debian's `/usr/sbin/nginx` (not on every user's
/// `PATH`), installed with `apt-get install -y -q nginx` when neither answers `nginx -v`.
pub(super) fn ensure_nginx() -> anyhow::Result<PathBuf> {
    let answers = |program: &Path| {
        Command::new(program)
            .arg("-v")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let candidates = [PathBuf::from("nginx"), PathBuf::from("/usr/sbin/nginx")];
    if let Some(found) = candidates.iter().find(|p| answers(p)) {
        return Ok(found.clone());
    }
    println!("nginx not found; installing it from Debian (apt-get install -y -q nginx)");
    let installed = Command::new("apt-get")
        .args(["install", "-y", "-q", "nginx"])
        .status()
        .is_ok_and(|s| s.success());
    match candidates.iter().find(|p| answers(p)) {
        Some(found) if installed => Ok(found.clone()),
        _ => bail!(
            "nginx is needed for the HTTP ceiling: install it (Debian: apt-get install nginx) \
             and run again"
        ),
    }
}

/// The worker count of the service under test: `CAMPAIGN_WORKERS` when this process has it
/// (the service inherits it), else the CPUs available, the service's own default.
pub(super) fn service_workers() -> usize {
    std::env::var("CAMPAIGN_WORKERS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Whether this process runs as root (nginx's workers then need `user root;` to read files
/// under a root-owned tree).
fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The nginx configuration of the HTTP ceiling, everything under `dir`: one server on
/// `get_port` answering every request with `html/get.json`, and, with `post_port`, one
/// answering every request (POSTs included) with `html/post.json`.
///
/// - `worker_processes` is the service's worker count, so both get the same threads;
/// - `access_log off`: nginx writes no line per request while the service does (its access
///   log stays on), so this ceiling is a little higher than an nginx logging like the service;
/// - `keepalive_requests` is far above what one connection sends in a run, so wrk's
///   connections are never closed and reopened (the default, 1,000, would);
/// - `open_file_cache` keeps the file open: a fixed body, not a file system lookup per request
///   (it adds about 15 % here);
/// - the static module refuses POST with 405; `error_page 405 =200` answers the file instead
///   (after reading and discarding the request body), which is what a POST costs nginx.
pub(super) fn nginx_config(
    dir: &Path,
    workers: usize,
    as_root: bool,
    get_port: u16,
    post_port: Option<u16>,
) -> String {
    let d = dir.display();
    let user = if as_root { "user root;\n" } else { "" };
    let post = post_port.map_or_else(String::new, |port| {
        format!(
            "  server {{\n    listen 127.0.0.1:{port};\n    root {d}/html;\n    \
             location / {{\n      error_page 405 =200 /post.json;\n      \
             try_files /post.json =404;\n    }}\n  }}\n"
        )
    });
    format!(
        "# Generated by `cargo xtask bench` (the HTTP ceiling of issue 16).\n\
         daemon off;\n\
         master_process on;\n\
         worker_processes {workers};\n\
         {user}\
         pid {d}/nginx.pid;\n\
         error_log {d}/error.log warn;\n\
         events {{\n  worker_connections 4096;\n}}\n\
         http {{\n  \
           access_log off;\n  \
           client_body_temp_path {d}/temp/client_body;\n  \
           proxy_temp_path {d}/temp/proxy;\n  \
           fastcgi_temp_path {d}/temp/fastcgi;\n  \
           uwsgi_temp_path {d}/temp/uwsgi;\n  \
           scgi_temp_path {d}/temp/scgi;\n  \
           keepalive_requests 1000000000;\n  \
           keepalive_timeout 300s;\n  \
           sendfile on;\n  \
           open_file_cache max=16 inactive=1h;\n  \
           open_file_cache_valid 1h;\n  \
           types {{ }}\n  \
           default_type application/json;\n  \
           server {{\n    listen 127.0.0.1:{get_port};\n    root {d}/html;\n    \
             location / {{\n      try_files /get.json =404;\n    }}\n  }}\n\
         {post}\
         }}\n"
    )
}

/// A running nginx (its master process); stopped when dropped, so every error path stops it.
pub(super) struct Nginx {
    child: Option<Child>,
    pub(super) get_port: u16,
    pub(super) post_port: Option<u16>,
}

impl Nginx {
    /// Starts nginx under `work/nginx` answering `get_body` (and `post_body` on a second port).
    pub(super) fn start(
        program: &Path,
        work: &Path,
        get_body: &str,
        post_body: Option<&str>,
    ) -> anyhow::Result<Self> {
        let dir = work.join("nginx");
        std::fs::create_dir_all(dir.join("html"))?;
        std::fs::create_dir_all(dir.join("temp"))?;
        std::fs::write(dir.join("html/get.json"), get_body)?;
        if let Some(body) = post_body {
            std::fs::write(dir.join("html/post.json"), body)?;
        }
        let get_port = free_port()?;
        let post_port = match post_body {
            None => None,
            Some(_) => Some(loop {
                let port = free_port()?;
                if port != get_port {
                    break port;
                }
            }),
        };
        let config = dir.join("nginx.conf");
        std::fs::write(
            &config,
            nginx_config(
                &dir,
                service_workers(),
                running_as_root(),
                get_port,
                post_port,
            ),
        )?;
        let error_log = dir.join("error.log");
        let child = Command::new(program)
            .arg("-p")
            .arg(&dir)
            .arg("-e")
            .arg(&error_log)
            .arg("-c")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start {}", program.display()))?;
        let mut nginx = Self {
            child: Some(child),
            get_port,
            post_port,
        };
        nginx.wait_ready(&error_log)?;
        Ok(nginx)
    }

    fn wait_ready(&mut self, error_log: &Path) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(10);
        let ports: Vec<u16> = std::iter::once(self.get_port)
            .chain(self.post_port)
            .collect();
        while Instant::now() < deadline {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                self.child = None;
                bail!(
                    "nginx exited with {status}: {}",
                    std::fs::read_to_string(error_log).unwrap_or_default()
                );
            }
            if ports
                .iter()
                .all(|p| std::net::TcpStream::connect(("127.0.0.1", *p)).is_ok())
            {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        bail!(
            "nginx did not listen within 10 s (see {})",
            error_log.display()
        )
    }

    /// Stops nginx (SIGTERM to its master: fast shutdown; SIGKILL after 10 s).
    pub(super) fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        self.stop();
    }
}

// ---------------------------------------------------------------------------------------------
// Redis

/// The key under which the benchmark keeps its copy of a cached entry.
pub(super) fn pinned_key(key: &str) -> String {
    format!("xtask:bench:{key}")
}

fn redis_cli(url: &str, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new("redis-cli")
        .args(["--no-auth-warning", "-u", url])
        .args(args)
        .output()
        .context(
            "cannot run redis-cli (Debian package redis-tools, installed with redis-server)",
        )?;
    if !out.status.success() {
        bail!(
            "redis-cli {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Copies the cached entry `key` to [`pinned_key`] for 15 minutes, so that the ceiling reads
/// the very value the service reads even after the entry's own TTL (60 s) ran out; returns
/// the entry's size in bytes. Called while the service is still up, right after it read `key`.
pub(super) fn pin_cached_entry(url: &str, key: &str) -> anyhow::Result<u64> {
    let pinned = pinned_key(key);
    let copied = redis_cli(url, &["COPY", key, &pinned, "REPLACE"])?;
    if copied != "1" {
        bail!("the cached entry {key} is not in Redis (COPY answered {copied:?})");
    }
    redis_cli(url, &["EXPIRE", &pinned, "900"])?;
    redis_cli(url, &["STRLEN", &pinned])?
        .parse()
        .context("STRLEN answered no number")
}

/// Removes the copy [`pin_cached_entry`] made (best effort).
pub(super) fn unpin_cached_entry(url: &str, key: &str) {
    let _ = redis_cli(url, &["DEL", &pinned_key(key)]);
}

fn redis_benchmark(
    url: &str,
    key: &str,
    connections: u32,
    threads: u32,
    requests: u64,
) -> anyhow::Result<String> {
    let out = Command::new("redis-benchmark")
        .args(["-u", url])
        .arg("-c")
        .arg(connections.to_string())
        .arg("--threads")
        .arg(threads.to_string())
        .arg("-n")
        .arg(requests.to_string())
        .args(["--precision", "3", "GET", key])
        .stdin(Stdio::null())
        .output()
        .context("cannot run redis-benchmark (Debian package redis-tools)")?;
    if !out.status.success() {
        bail!(
            "redis-benchmark failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Redis `GET` of the pinned copy of `key` with `connections` clients and `threads` threads
/// (as wrk's), about `seconds` long: a short first run finds the rate, which sizes `-n`.
pub(super) fn redis_get(
    url: &str,
    key: &str,
    connections: u32,
    threads: u32,
    seconds: u64,
    work: &Path,
) -> anyhow::Result<Measured> {
    let pinned = pinned_key(key);
    let probe = redis_benchmark(url, &pinned, connections, threads, 20_000)?;
    let rate = parse_redis_benchmark("probe", &probe)?.requests_per_sec;
    let requests = ((rate * seconds as f64) as u64).max(20_000);
    let out = redis_benchmark(url, &pinned, connections, threads, requests)?;
    std::fs::write(work.join("ceiling-redis-get.txt"), &out)?;
    parse_redis_benchmark(Ceiling::RedisGet.label(), &out)
}

/// The figures of `redis-benchmark --precision 3` (7.x, not `-q`, not `--csv`): requests/s
/// and p50/p99 from its "Summary", p99.9 from its "Latency by percentile distribution" (the
/// first step at or above 99.9 %: the latency that 99.9 % of requests did not exceed).
pub(super) fn parse_redis_benchmark(name: &str, out: &str) -> anyhow::Result<Measured> {
    // Progress lines end in `\r`, not `\n`.
    let lines: Vec<&str> = out.split(['\r', '\n']).map(str::trim).collect();
    let requests_per_sec = lines
        .iter()
        .find_map(|l| l.strip_prefix("throughput summary:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .context("no throughput summary in the redis-benchmark output")?;
    let header = lines
        .iter()
        .position(|l| l.starts_with("avg") && l.contains("p50") && l.contains("p99"))
        .context("no latency summary in the redis-benchmark output")?;
    let names: Vec<&str> = lines[header].split_whitespace().collect();
    let values: Vec<f64> = lines
        .get(header + 1)
        .map(|l| {
            l.split_whitespace()
                .filter_map(|v| v.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    let summary = |wanted: &str| {
        names
            .iter()
            .position(|n| *n == wanted)
            .and_then(|i| values.get(i).copied())
            .with_context(|| format!("no {wanted} in the latency summary"))
    };
    let p999_ms = lines
        .iter()
        .skip_while(|l| !l.starts_with("Latency by percentile distribution"))
        .filter_map(|l| {
            let (percent, rest) = l.split_once("% <= ")?;
            let millis = rest.split_whitespace().next()?.parse::<f64>().ok()?;
            Some((percent.parse::<f64>().ok()?, millis))
        })
        .find(|(percent, _)| *percent >= 99.9)
        .map(|(_, millis)| millis);
    Ok(Measured {
        name: name.to_owned(),
        requests_per_sec,
        p50_ms: summary("p50")?,
        p99_ms: summary("p99")?,
        p999_ms,
        failed: 0,
        bytes_per_answer: None,
    })
}

// ---------------------------------------------------------------------------------------------
// The raw store

/// The store ceiling program, built by `cargo build --release -p campaign-adapter-mongo
/// --example store_ceiling`.
pub(super) fn store_ceiling_binary(root: &Path) -> PathBuf {
    root.join("target/release/examples/store_ceiling")
}

/// Runs the store ceiling's `op` (`read` or `update`) on the campaigns of `database`.
pub(super) fn store(
    root: &Path,
    uri: &str,
    database: &str,
    op: Ceiling,
    connections: u32,
    seconds: u64,
    work: &Path,
) -> anyhow::Result<(Measured, u64)> {
    let op_name = match op {
        Ceiling::StoreRead => "read",
        Ceiling::StoreUpdate => "update",
        other => bail!("{other:?} is not a store operation"),
    };
    let binary = store_ceiling_binary(root);
    let out = Command::new(&binary)
        .args(["--uri", uri, "--database", database, "--op", op_name])
        .arg("--connections")
        .arg(connections.to_string())
        .arg("--seconds")
        .arg(seconds.to_string())
        .stdin(Stdio::null())
        .output()
        .with_context(|| {
            format!(
                "cannot run {} (built by `cargo build --release -p campaign-adapter-mongo \
                 --example store_ceiling`; run without --no-build)",
                binary.display()
            )
        })?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    std::fs::write(work.join(format!("ceiling-store-{op_name}.txt")), &*stdout)?;
    if !out.status.success() {
        bail!(
            "store_ceiling --op {op_name} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    parse_store_line(op.label(), &stdout)
}

/// The figures of store_ceiling's result line
/// (`store_ceiling op=read … ops_per_sec=… p50_ms=… p99_ms=… p999_ms=… misses=… errors=…
/// document_bytes=…`) and the stored document's size in bytes.
pub(super) fn parse_store_line(name: &str, out: &str) -> anyhow::Result<(Measured, u64)> {
    let line = out
        .lines()
        .find(|l| l.starts_with("store_ceiling "))
        .context("no result line in the store_ceiling output")?;
    let field = |key: &str| -> anyhow::Result<f64> {
        line.split_whitespace()
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == key)
            .and_then(|(_, v)| v.parse().ok())
            .with_context(|| format!("no {key}= in `{line}`"))
    };
    let measured = Measured {
        name: name.to_owned(),
        requests_per_sec: field("ops_per_sec")?,
        p50_ms: field("p50_ms")?,
        p99_ms: field("p99_ms")?,
        p999_ms: Some(field("p999_ms")?),
        failed: (field("misses")? + field("errors")?) as u64,
        bytes_per_answer: None,
    };
    Ok((measured, field("document_bytes")? as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `redis-benchmark -u redis://127.0.0.1:<port> -c 8 -n 20000 --precision 3 --threads 2
    /// GET <key>` as redis-benchmark 7.0.15 (Debian 12) wrote it, progress lines (ended by
    /// `\r`) included.
    const REDIS_BENCHMARK: &str = include_str!("testdata/redis-benchmark-7.0.15.txt");

    #[test]
    fn parses_redis_benchmark_summary_and_tail() {
        let m = parse_redis_benchmark("redis", REDIS_BENCHMARK).unwrap();
        assert!((m.requests_per_sec - 39840.64).abs() < 1e-6);
        assert!((m.p50_ms - 0.111).abs() < 1e-9);
        assert!((m.p99_ms - 0.351).abs() < 1e-9);
        // The first step of the percentile distribution at or above 99.9 % (99.902 %), not
        // the cumulative distribution's 99.905 % line.
        assert!((m.p999_ms.unwrap() - 1.175).abs() < 1e-9);
        assert!(parse_redis_benchmark("x", "no figures here").is_err());
    }

    #[test]
    fn parses_the_store_ceiling_line() {
        // As `store_ceiling --op update --connections 8 --seconds 3` printed it.
        let out = "store_ceiling op=update connections=8 seconds=3.00 ops=10991 \
                   ops_per_sec=3660.0 p50_ms=0.971 p99_ms=20.787 p999_ms=39.784 misses=0 \
                   errors=0 documents=256 document_bytes=1324\n";
        let (m, bytes) = parse_store_line("update", out).unwrap();
        assert!((m.requests_per_sec - 3660.0).abs() < 1e-9);
        assert!((m.p50_ms - 0.971).abs() < 1e-9);
        assert!((m.p99_ms - 20.787).abs() < 1e-9);
        assert_eq!(m.p999_ms, Some(39.784));
        assert_eq!(m.failed, 0);
        assert_eq!(bytes, 1324);
        let failing = out.replace("misses=0 errors=0", "misses=1 errors=2");
        assert_eq!(parse_store_line("update", &failing).unwrap().0.failed, 3);
        assert!(parse_store_line("x", "store_ceiling op=read\n").is_err());
        assert!(parse_store_line("x", "nothing\n").is_err());
    }

    #[test]
    fn the_nginx_config_keeps_everything_under_its_directory() {
        let config = nginx_config(Path::new("/w/nginx"), 2, true, 8081, Some(8082));
        for expected in [
            "daemon off;",
            "master_process on;",
            "worker_processes 2;",
            "user root;",
            "pid /w/nginx/nginx.pid;",
            "error_log /w/nginx/error.log warn;",
            "access_log off;",
            "client_body_temp_path /w/nginx/temp/client_body;",
            "keepalive_requests 1000000000;",
            "open_file_cache max=16 inactive=1h;",
            "default_type application/json;",
            "listen 127.0.0.1:8081;",
            "try_files /get.json =404;",
            "listen 127.0.0.1:8082;",
            "error_page 405 =200 /post.json;",
        ] {
            assert!(config.contains(expected), "{expected} missing:\n{config}");
        }
        let plain = nginx_config(Path::new("/w/nginx"), 3, false, 8081, None);
        assert!(!plain.contains("user "), "{plain}");
        assert!(!plain.contains("post.json"), "{plain}");
        assert!(plain.contains("worker_processes 3;"), "{plain}");
    }
}
