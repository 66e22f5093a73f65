//! `cargo xtask bench`: measures the service against the targets of SPEC §12 on this machine.
//!
//! It builds the release binary, starts it on the embedded default (dev mode, refresh off) on a
//! free loopback port, creates one complete campaign, then drives `wrk` (installed from Debian
//! when missing) at `GET /campaigns/{id}` and `POST /campaigns/{id}` with an RS256 token, and
//! reads the service's resident memory from `/proc`. The many-users scenario reads the same
//! campaign with `--users` distinct users' tokens in rotation (a wrk Lua script picks one per
//! request), beside the same script with one token, and prints the ratio of the two. The load generator shares the machine with
//! the service, as SPEC §12 asks ("a load generator on the same machine"). Results are printed as
//! a Markdown table for `docs/benchmarks.md`.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use crate::{cmd, token};

/// Options of `cargo xtask bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Seconds of load per scenario.
    #[arg(long, default_value_t = 20)]
    duration: u64,
    /// Open connections.
    #[arg(long, default_value_t = 64)]
    connections: u32,
    /// wrk threads.
    #[arg(long, default_value_t = 2)]
    threads: u32,
    /// `RUST_LOG` of the service under load (`info` writes one access-log line per request).
    #[arg(long, default_value = "info")]
    log: String,
    /// Use the release binary as it is, without building.
    #[arg(long)]
    no_build: bool,
    /// Where the service keeps its records: `memory` (the embedded default), or `mongodb` with
    /// the Redis cache — the servers of `cargo xtask services up` (or the ones
    /// `CAMPAIGN_TEST_MONGODB_URI` and `CAMPAIGN_TEST_REDIS_URL` name).
    #[arg(long, value_enum, default_value_t = Store::Memory)]
    store: Store,
    /// Distinct users' tokens in rotation in the many-users read scenario (0 skips it).
    #[arg(long, default_value_t = 5000)]
    users: usize,
}

/// The store a benchmark runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Store {
    /// In process.
    Memory,
    /// MongoDB, reads cached in Redis.
    Mongodb,
}

/// The extra environment of the service for `store`.
fn store_env(root: &Path, store: Store) -> anyhow::Result<Vec<(String, String)>> {
    if store == Store::Memory {
        return Ok(Vec::new());
    }
    let saved = std::fs::read_to_string(root.join("target/services/test.env")).unwrap_or_default();
    let variable = |name: &str| -> anyhow::Result<String> {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .or_else(|| {
                saved.lines().find_map(|line| {
                    let (key, value) = line.split_once('=')?;
                    (key == name).then(|| value.to_owned())
                })
            })
            .with_context(|| {
                format!("{name} is not set: start the servers with `cargo xtask services up` first")
            })
    };
    let database = format!(
        "bench_{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default()
    );
    Ok(vec![
        ("CAMPAIGN_STORE".to_owned(), "mongodb".to_owned()),
        (
            "CAMPAIGN_MONGODB_URI".to_owned(),
            variable("CAMPAIGN_TEST_MONGODB_URI")?,
        ),
        ("CAMPAIGN_MONGODB_DATABASE".to_owned(), database),
        (
            "CAMPAIGN_REDIS_URL".to_owned(),
            variable("CAMPAIGN_TEST_REDIS_URL")?,
        ),
    ])
}

/// One scenario's figures.
#[derive(Debug)]
struct Measured {
    name: String,
    requests_per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
    non_2xx: u64,
}

/// Runs the benchmark.
pub fn run(root: &Path, args: &BenchArgs) -> anyhow::Result<()> {
    ensure_wrk()?;
    if !args.no_build {
        cmd::run(
            root,
            cmd::cargo(),
            &["build", "--release", "--locked", "-p", "campaign-api"],
        )?;
    }
    let work = root.join("target/bench");
    std::fs::create_dir_all(&work)?;
    let port = free_port()?;
    let env = store_env(root, args.store)?;
    let mut service = Service::start(root, port, &args.log, &work, &env)?;
    let result = measure(&mut service, port, args, &work);
    service.stop();
    let (rows, rss_kib, hwm_kib) = result?;
    print_table(&rows, rss_kib, hwm_kib, args);
    Ok(())
}

/// The wrk script of the token-rotation scenarios: `GET` of the URL's path, each request with
/// the next token of the file named by the script's first argument (one token a line), each
/// wrk thread starting at its own place in the list.
const ROTATION_SCRIPT: &str = r#"local headers = {}
local bearers = {}
local next_bearer = 1
local threads = 0
setup = function(thread)
  thread:set("id", threads)
  threads = threads + 1
end
init = function(args)
  for k, v in pairs(wrk.headers) do headers[k] = v end
  for line in io.lines(args[1]) do
    if #line > 0 then bearers[#bearers + 1] = "Bearer " .. line end
  end
  next_bearer = ((id or 0) * 7919) % #bearers + 1
end
request = function()
  headers["Authorization"] = bearers[next_bearer]
  next_bearer = next_bearer % #bearers + 1
  return wrk.format("GET", nil, headers)
end
"#;

/// One wrk run of the benchmark.
struct Scenario {
    name: String,
    /// wrk's options besides threads, connections, duration and `--latency`.
    options: Vec<String>,
    /// The arguments of its Lua script.
    script_args: Vec<String>,
}

/// The name of the many-users row for `users` tokens.
fn rotation_name(users: usize) -> String {
    if users == 1 {
        "GET /campaigns/{id}, 1 token (rotation script)".to_owned()
    } else {
        format!("GET /campaigns/{{id}}, {users} tokens")
    }
}

fn measure(
    service: &mut Service,
    port: u16,
    args: &BenchArgs,
    work: &Path,
) -> anyhow::Result<(Vec<Measured>, u64, u64)> {
    wait_ready(port)?;
    let pem =
        std::fs::read(token::default_key_path()).context("the dev-mode service wrote no key")?;
    let bearer = token::supreme_token(&pem, "xtask-bench")?;
    let ids = (0..CAMPAIGNS)
        .map(|i| create_campaign(port, &bearer, i))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let url = format!("http://127.0.0.1:{port}/campaigns/{}", ids[0]);
    let auth = format!("Authorization: Bearer {bearer}");

    let script = work.join("update.lua");
    // Each request updates one of the campaigns at random: writers of one campaign queue behind
    // each other by design (conditional writes), so one hot campaign would measure contention,
    // not throughput.
    let quoted: Vec<String> = ids.iter().map(|id| format!("\"{id}\"")).collect();
    std::fs::write(
        &script,
        format!(
            "local ids = {{{}}}\n\
             local headers = {{}}\n\
             init = function(args)\n\
               for k, v in pairs(wrk.headers) do headers[k] = v end\n\
               headers[\"Content-Type\"] = \"application/json\"\n\
             end\n\
             request = function()\n\
               local id = ids[math.random(#ids)]\n\
               local body = '{{\"tour\": {{\"name\": \"Tour ' .. math.random(1000000) .. '\"}}}}'\n\
               return wrk.format(\"POST\", \"/campaigns/\" .. id, headers, body)\n\
             end\n",
            quoted.join(", ")
        ),
    )?;
    let warm = ["-t1", "-c8", "-d2s", "-H", &auth, &url];
    wrk(&warm)?;

    // Many users: their tokens, minted up front, in a file the rotation script reads.
    let rotation = work.join("rotation.lua");
    std::fs::write(&rotation, ROTATION_SCRIPT)?;
    let mut token_files = Vec::new();
    if args.users > 0 {
        let one = work.join("tokens-1.txt");
        std::fs::write(&one, format!("{bearer}\n"))?;
        token_files.push((1, one));
        if args.users > 1 {
            let started = Instant::now();
            let tokens = token::supreme_tokens(&pem, "xtask-bench-user", args.users)?;
            println!(
                "minted {} tokens of distinct users in {:.1} s",
                tokens.len(),
                started.elapsed().as_secs_f64()
            );
            let many = work.join(format!("tokens-{}.txt", args.users));
            std::fs::write(&many, tokens.join("\n") + "\n")?;
            // Every user once through the service before measuring: the steady state, where
            // each token is verified again once per verified TTL (60 s), not once per run.
            let rotation_path = rotation.display().to_string();
            let many_path = many.display().to_string();
            wrk(&[
                "-t1",
                "-c8",
                "-d2s",
                "-s",
                &rotation_path,
                &url,
                "--",
                &many_path,
            ])?;
            token_files.push((args.users, many));
        }
    }

    let mut scenarios = vec![Scenario {
        name: "GET /campaigns/{id}".to_owned(),
        options: vec!["-H".to_owned(), auth.clone()],
        script_args: Vec::new(),
    }];
    for (users, file) in &token_files {
        scenarios.push(Scenario {
            name: rotation_name(*users),
            options: vec!["-s".to_owned(), rotation.display().to_string()],
            script_args: vec![file.display().to_string()],
        });
    }
    scenarios.push(Scenario {
        name: "POST /campaigns/{id}".to_owned(),
        options: vec![
            "-H".to_owned(),
            auth.clone(),
            "-s".to_owned(),
            script.display().to_string(),
        ],
        script_args: Vec::new(),
    });
    let mut rows = Vec::new();
    for scenario in scenarios {
        let threads = format!("-t{}", args.threads);
        let conns = format!("-c{}", args.connections);
        let dur = format!("-d{}s", args.duration);
        let mut a: Vec<&str> = vec![&threads, &conns, &dur, "--latency"];
        a.extend(scenario.options.iter().map(String::as_str));
        a.push(&url);
        if !scenario.script_args.is_empty() {
            // wrk hands what follows `--` to the script's `init`.
            a.push("--");
            a.extend(scenario.script_args.iter().map(String::as_str));
        }
        let out = wrk(&a)?;
        let file = scenario
            .name
            .replace(['/', ' ', '{', '}', ',', '(', ')'], "_");
        std::fs::write(work.join(format!("{file}.txt")), &out)?;
        rows.push(parse_wrk(scenario.name, &out)?);
    }
    let (rss, hwm) = memory_kib(service.pid())?;
    Ok((rows, rss, hwm))
}

fn ensure_wrk() -> anyhow::Result<()> {
    if Command::new("wrk").arg("--version").output().is_ok() {
        return Ok(());
    }
    println!("wrk not found; installing it from Debian (apt-get install -y wrk)");
    let status = Command::new("apt-get")
        .args(["install", "-y", "-q", "wrk"])
        .status();
    match status {
        Ok(s) if s.success() => Ok(()),
        _ => bail!("wrk is needed: install it (Debian: apt-get install wrk) and run again"),
    }
}

pub(crate) fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The service process.
pub(crate) struct Service {
    child: Child,
}

impl Service {
    fn start(
        root: &Path,
        port: u16,
        log: &str,
        work: &Path,
        env: &[(String, String)],
    ) -> anyhow::Result<Self> {
        Self::start_binary(
            &root.join("target/release/campaign-service"),
            port,
            log,
            work,
            env,
        )
    }

    /// Starts `binary` in dev mode on `port` (the embedded default unless `env` says
    /// otherwise), refresh job off, its log in `work/service.log`.
    pub(crate) fn start_binary(
        binary: &Path,
        port: u16,
        log: &str,
        work: &Path,
        env: &[(String, String)],
    ) -> anyhow::Result<Self> {
        let logfile = std::fs::File::create(work.join("service.log"))?;
        let child = Command::new(binary)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .env("CAMPAIGN_DEV_MODE", "true")
            .env("CAMPAIGN_LISTEN", format!("127.0.0.1:{port}"))
            .env("CAMPAIGN_REFRESH_INTERVAL_SECS", "0")
            .env("RUST_LOG", log)
            .stdout(Stdio::null())
            .stderr(logfile)
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        Ok(Self { child })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stops the service with SIGTERM (SIGKILL after 30 s).
    pub(crate) fn stop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
    }
}

/// One HTTP/1.1 exchange on a fresh connection; returns status and body.
pub(crate) fn http(
    port: u16,
    method: &str,
    path: &str,
    bearer: Option<&str>,
    body: Option<&str>,
) -> anyhow::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    if let Some(t) = bearer {
        request.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    if let Some(b) = body {
        request.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    request.push_str("\r\n");
    request.push_str(body.unwrap_or_default());
    stream.write_all(request.as_bytes())?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .context("no HTTP status in the answer")?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

pub(crate) fn wait_ready(port: u16) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok((200, _)) = http(port, "GET", "/heartbeat", None, None) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("the service did not answer /heartbeat within 30 s (see target/bench/service.log)")
}

/// How many campaigns the write scenario spreads its updates over.
const CAMPAIGNS: usize = 256;

fn create_campaign(port: u16, bearer: &str, n: usize) -> anyhow::Result<String> {
    let body = serde_json::json!({
        "name": "Benchmark", "identifier": "bench", "status": "PREVIEW",
        "artist": {"id": "K8vZ917G7x0", "name": "The Band"},
        "domain": {"site": format!("bench-{n}.example.test"), "preview": format!("preview.bench-{n}.example.test")},
        "tour": {"name": "World Tour"},
        "style": {"theme": {"primary": "#112233"}, "border": {"primary": "#000000"},
                  "pageBackground": {"primary": "#ffffff"}, "text": {"primary": "#101010"}},
        "image": {"main": {"url": "https://img.example.test/main.png"}},
        "locales": [{"id": "en-US", "is_default": true}],
        "content": {"en-US": {"terms": "Be nice.", "faqs": {}}}
    });
    let (status, answer) = http(
        port,
        "POST",
        "/campaigns",
        Some(bearer),
        Some(&body.to_string()),
    )?;
    if status != 201 {
        bail!("creating the benchmark campaign answered {status}: {answer}");
    }
    let json: serde_json::Value = serde_json::from_str(&answer)?;
    json["data"]["id"]
        .as_str()
        .map(str::to_owned)
        .context("no id in the create answer")
}

fn wrk(args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new("wrk")
        .args(args)
        .output()
        .context("cannot run wrk")?;
    if !out.status.success() {
        bail!("wrk failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A wrk duration (`812.00us`, `3.45ms`, `1.02s`) in milliseconds.
fn millis(raw: &str) -> Option<f64> {
    let (number, factor) = if let Some(n) = raw.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = raw.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = raw.strip_suffix('s') {
        (n, 1000.0)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|n| n * factor)
}

fn parse_wrk(name: String, out: &str) -> anyhow::Result<Measured> {
    let field = |prefix: &str| -> Option<String> {
        out.lines()
            .map(str::trim)
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.split_whitespace().nth(1))
            .map(str::to_owned)
    };
    let requests_per_sec = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .context("no Requests/sec in the wrk output")?;
    let p50_ms = field("50%")
        .and_then(|v| millis(&v))
        .context("no 50% latency")?;
    let p99_ms = field("99%")
        .and_then(|v| millis(&v))
        .context("no 99% latency")?;
    let non_2xx = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("Non-2xx or 3xx responses:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    Ok(Measured {
        name,
        requests_per_sec,
        p50_ms,
        p99_ms,
        non_2xx,
    })
}

/// Current and peak resident memory of `pid`, in KiB.
fn memory_kib(pid: u32) -> anyhow::Result<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let value = |key: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    Ok((value("VmRSS:"), value("VmHWM:")))
}

fn print_table(rows: &[Measured], rss_kib: u64, hwm_kib: u64, args: &BenchArgs) {
    println!();
    println!(
        "wrk -t{} -c{} -d{}s, store {:?}, service RUST_LOG={}, {} cores",
        args.threads,
        args.connections,
        args.duration,
        args.store,
        args.log,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("| scenario | requests/s | p50 | p99 | non-2xx |");
    println!("|---|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {:.0} | {:.2} ms | {:.2} ms | {} |",
            r.name, r.requests_per_sec, r.p50_ms, r.p99_ms, r.non_2xx
        );
    }
    println!(
        "| service memory after the load (RSS / peak) | {:.1} MiB / {:.1} MiB | | | |",
        rss_kib as f64 / 1024.0,
        hwm_kib as f64 / 1024.0
    );
    if let Some(line) = many_users_ratio(rows, args.users) {
        println!();
        println!("{line}");
    }
}

/// The many-users row against the one-token rows of the same run: the goal of issue 16 is
/// many / one ≥ 90 %. `None` when the run has no many-users row.
fn many_users_ratio(rows: &[Measured], users: usize) -> Option<String> {
    let row = |name: &str| rows.iter().find(|r| r.name == name);
    let many = row(&rotation_name(users)).filter(|_| users > 1)?;
    let one = row(&rotation_name(1))?;
    let mut line = format!(
        "many users / one token (same rotation script): {users} tokens {:.0} req/s vs 1 token \
         {:.0} req/s = {:.1} %, p99 {:.2} ms vs {:.2} ms",
        many.requests_per_sec,
        one.requests_per_sec,
        100.0 * many.requests_per_sec / one.requests_per_sec,
        many.p99_ms,
        one.p99_ms
    );
    if let Some(plain) = row("GET /campaigns/{id}") {
        line.push_str(&format!(
            "; vs the one-token row without a script: {:.1} %",
            100.0 * many.requests_per_sec / plain.requests_per_sec
        ));
    }
    Some(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "Running 10s test @ http://127.0.0.1:8080/x
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.10ms    1.00ms  30.00ms   90.00%
  Latency Distribution
     50%  812.00us
     75%    2.00ms
     90%    3.00ms
     99%    7.50ms
  200000 requests in 10.00s, 100.00MB read
  Non-2xx or 3xx responses: 3
Requests/sec:  20000.50
Transfer/sec:     10.00MB
";

    fn row(name: String, requests_per_sec: f64, p99_ms: f64) -> Measured {
        Measured {
            name,
            requests_per_sec,
            p50_ms: 1.0,
            p99_ms,
            non_2xx: 0,
        }
    }

    #[test]
    fn the_many_users_row_is_compared_with_one_token_of_the_same_script() {
        let rows = [
            row("GET /campaigns/{id}".to_owned(), 20_000.0, 6.0),
            row(rotation_name(1), 18_000.0, 6.5),
            row(rotation_name(5000), 17_100.0, 7.0),
        ];
        assert_eq!(rotation_name(5000), "GET /campaigns/{id}, 5000 tokens");
        let line = many_users_ratio(&rows, 5000).unwrap();
        assert!(line.contains("= 95.0 %"), "{line}");
        assert!(line.contains("p99 7.00 ms vs 6.50 ms"), "{line}");
        assert!(line.contains("without a script: 85.5 %"), "{line}");
        assert_eq!(many_users_ratio(&rows[..2], 5000), None);
        assert_eq!(many_users_ratio(&rows, 0), None);
        assert_eq!(many_users_ratio(&rows, 1), None);
    }

    #[test]
    fn parses_wrk_figures() {
        let m = parse_wrk("x".to_owned(), SAMPLE).unwrap();
        assert!((m.requests_per_sec - 20000.5).abs() < 1e-6);
        assert!((m.p50_ms - 0.812).abs() < 1e-9);
        assert!((m.p99_ms - 7.5).abs() < 1e-9);
        assert_eq!(m.non_2xx, 3);
        assert_eq!(millis("1.5s"), Some(1500.0));
        assert_eq!(millis("12"), None);
    }
}
