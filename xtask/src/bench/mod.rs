//! `cargo xtask bench`: measures the service against the targets of SPEC §12 on this machine, and
//! each scenario against the machine's own ceiling, in the same run (issue 16).
//!
//! It builds the release binary, starts it on the embedded default (dev mode, refresh off) on a
//! free loopback port, creates 256 complete campaigns, then drives `wrk` (installed from Debian
//! when missing) at `GET /campaigns/{id}` and `POST /campaigns/{id}` with an RS256 token, and
//! reads the service's resident memory from `/proc`. The many-users scenario reads the same
//! campaign with `--users` distinct users' tokens in rotation (a wrk Lua script picks one per
//! request), beside the same script with one token, and prints the ratio of the two. The load
//! generator shares the machine with the service, as SPEC §12 asks ("a load generator on the
//! same machine").
//!
//! Then, the service stopped, it measures the ceilings with the same connections (see
//! [`ceilings`]): nginx answering the bodies the service answered, with the same wrk commands;
//! on `--store mongodb`, Redis `GET` of the cached entry (`redis-benchmark`), the raw store's
//! read by id and conditional update (`store_ceiling`, the adapter crate's example), and the
//! same read on the memory store. Every run reports p99.9 besides wrk's percentiles (see
//! [`wrk::DONE_HOOK`]). Results are printed as Markdown tables for `docs/benchmarks.md`.

mod ceilings;
mod table;
mod wrk;

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use self::ceilings::{Ceiling, Nginx};
use self::wrk::{DONE_HOOK, Measured, ensure_wrk, parse_wrk, wrk};
use crate::services::free_port;
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

/// The name of the read row (one token, `-H`).
const GET_ROW: &str = "GET /campaigns/{id}";
/// The name of the write row.
const POST_ROW: &str = "POST /campaigns/{id}";
/// The name of the memory-store read row of `--store mongodb` runs.
const MEMORY_GET_ROW: &str = "GET /campaigns/{id} on the memory store (same run)";

/// What a row of the benchmark measures, which decides its ceiling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A read of the campaign (one token or many).
    Get,
    /// A write of one of the campaigns.
    Post,
    /// On `--store mongodb`: the same read on a service on the memory store, in the same run.
    MemoryGet,
}

/// The ceiling a row of `kind` is compared with on `store`.
fn ceiling_of(store: Store, kind: Kind) -> Ceiling {
    match (store, kind) {
        (_, Kind::MemoryGet) | (Store::Memory, Kind::Get) => Ceiling::NginxGet,
        (Store::Memory, Kind::Post) => Ceiling::NginxPost,
        (Store::Mongodb, Kind::Get) => Ceiling::RedisGet,
        (Store::Mongodb, Kind::Post) => Ceiling::StoreUpdate,
    }
}

/// One row of the service's figures.
#[derive(Debug)]
struct Row {
    kind: Kind,
    measured: Measured,
}

/// What the service's part of the run leaves for the ceilings and the table.
#[derive(Debug)]
struct ServiceRun {
    rows: Vec<Row>,
    rss_kib: u64,
    hwm_kib: u64,
    /// The path every read scenario asks for (`/campaigns/<id>`).
    path: String,
    /// The read scenario (one token, `-H`) and the write scenario, for nginx to get the same.
    get: Scenario,
    post: Scenario,
    /// What the service answered to one read and one write, bodies only.
    get_body: String,
    post_body: String,
    /// The cache key of the campaign read, and the size of its entry (`--store mongodb`).
    cache_key: String,
    cache_entry_bytes: Option<u64>,
}

/// Runs the benchmark.
pub fn run(root: &Path, args: &BenchArgs) -> anyhow::Result<()> {
    ensure_wrk()?;
    let nginx = ceilings::ensure_nginx()?;
    if !args.no_build {
        cmd::run(
            root,
            cmd::cargo(),
            &["build", "--release", "--locked", "-p", "campaign-api"],
        )?;
        if args.store == Store::Mongodb {
            cmd::run(
                root,
                cmd::cargo(),
                &[
                    "build",
                    "--release",
                    "--locked",
                    "-p",
                    "campaign-adapter-mongo",
                    "--example",
                    "store_ceiling",
                ],
            )?;
        }
    }
    let work = root.join("target/bench");
    std::fs::create_dir_all(&work)?;
    write_scripts(&work)?;
    let load_before = load_average();
    let port = free_port()?;
    let env = store_env(root, args.store)?;
    let redis_url = variable(&env, "CAMPAIGN_REDIS_URL");
    let mut service = Service::start(root, port, &args.log, &work, &env)?;
    let result = measure(&mut service, port, args, &work, redis_url.as_deref());
    service.stop();
    let run = result?;
    let measured = measure_ceilings(root, args, &work, &nginx, &run, &env);
    if let Some(url) = &redis_url {
        ceilings::unpin_cached_entry(url, &run.cache_key);
    }
    let (ceilings, memory_get) = measured?;
    let mut notes = size_notes(&run);
    notes.push(format!(
        "load average (1 min) when the measurements began: {load_before}, when they ended: {} \
         (the benchmark alone keeps about 2 busy; other work on the machine moves every \
         figure, and the ratios hold only if it stayed the same through the run)",
        load_average()
    ));
    let mut rows = run.rows;
    rows.extend(memory_get.map(|measured| Row {
        kind: Kind::MemoryGet,
        measured,
    }));
    let report = table::Report {
        rows: rows
            .into_iter()
            .map(|r| (r.measured, Some(ceiling_of(args.store, r.kind))))
            .collect(),
        ceilings,
        rss_kib: run.rss_kib,
        hwm_kib: run.hwm_kib,
        notes,
    };
    table::print(&report, args);
    Ok(())
}

/// The 1-minute load average of the machine (`/proc/loadavg`), or `?`.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

/// The value of `name` in `env`.
fn variable(env: &[(String, String)], name: &str) -> Option<String> {
    env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

/// The sizes the ceilings copy, for the reader to check they match.
fn size_notes(run: &ServiceRun) -> Vec<String> {
    let mut notes = vec![format!(
        "bodies served by nginx: the service's GET answer ({} bytes) and POST answer ({} bytes)",
        run.get_body.len(),
        run.post_body.len()
    )];
    if let Some(bytes) = run.cache_entry_bytes {
        notes.push(format!(
            "Redis GET reads a copy of the cached entry {} ({bytes} bytes)",
            run.cache_key
        ));
    }
    notes
}

/// The ceilings a run measured, each with its kind.
type Ceilings = Vec<(Ceiling, Measured)>;

/// The ceilings of this run, and on `--store mongodb` the read on the memory store.
fn measure_ceilings(
    root: &Path,
    args: &BenchArgs,
    work: &Path,
    nginx: &Path,
    run: &ServiceRun,
    env: &[(String, String)],
) -> anyhow::Result<(Ceilings, Option<Measured>)> {
    let mut measured = Vec::new();
    // HTTP: the same wrk commands against nginx. The POSTs only on the memory store, where
    // nothing else bounds them (on MongoDB the raw store's update does).
    let post_body = (args.store == Store::Memory).then_some(run.post_body.as_str());
    let mut server = Nginx::start(nginx, work, &run.get_body, post_body)?;
    let get_url = format!("http://127.0.0.1:{}{}", server.get_port, run.path);
    measured.push((
        Ceiling::NginxGet,
        run_scenario(args, &get_url, &run.get, Ceiling::NginxGet.label(), work)?,
    ));
    if let Some(port) = server.post_port {
        let post_url = format!("http://127.0.0.1:{port}{}", run.path);
        measured.push((
            Ceiling::NginxPost,
            run_scenario(args, &post_url, &run.post, Ceiling::NginxPost.label(), work)?,
        ));
    }
    server.stop();
    if args.store == Store::Memory {
        return Ok((measured, None));
    }
    let redis_url = variable(env, "CAMPAIGN_REDIS_URL").context("no Redis URL")?;
    measured.push((
        Ceiling::RedisGet,
        ceilings::redis_get(
            &redis_url,
            &run.cache_key,
            args.connections,
            args.threads,
            args.duration,
            work,
        )?,
    ));
    let uri = variable(env, "CAMPAIGN_MONGODB_URI").context("no MongoDB URI")?;
    let database = variable(env, "CAMPAIGN_MONGODB_DATABASE").context("no database")?;
    for op in [Ceiling::StoreRead, Ceiling::StoreUpdate] {
        let (figures, _) = ceilings::store(
            root,
            &uri,
            &database,
            op,
            args.connections,
            args.duration,
            work,
        )?;
        measured.push((op, figures));
    }
    let memory = memory_store_get(root, args, work)?;
    Ok((measured, Some(memory)))
}

/// The read scenario on a service on the memory store (one campaign, same token, same wrk
/// command), for `--store mongodb` runs to compare their cached reads with.
fn memory_store_get(root: &Path, args: &BenchArgs, work: &Path) -> anyhow::Result<Measured> {
    let dir = work.join("memory-store");
    std::fs::create_dir_all(&dir)?;
    let port = free_port()?;
    let mut service = Service::start(root, port, &args.log, &dir, &[])?;
    let result = read_on(port, args, work, &dir);
    service.stop();
    result
}

/// [`memory_store_get`] once its service runs on `port`.
fn read_on(port: u16, args: &BenchArgs, work: &Path, dir: &Path) -> anyhow::Result<Measured> {
    wait_ready(port)?;
    let pem =
        std::fs::read(token::default_key_path()).context("the dev-mode service wrote no key")?;
    let bearer = token::supreme_token(&pem, "xtask-bench")?;
    let id = create_campaign(port, &bearer, 0)?;
    let url = format!("http://127.0.0.1:{port}/campaigns/{id}");
    let auth = format!("Authorization: Bearer {bearer}");
    wrk(&["-t1", "-c8", "-d2s", "-H", &auth, &url])?;
    let scenario = Scenario {
        name: MEMORY_GET_ROW.to_owned(),
        options: vec![
            "-H".to_owned(),
            auth,
            "-s".to_owned(),
            work.join(DONE_SCRIPT).display().to_string(),
        ],
        script_args: Vec::new(),
    };
    run_scenario(args, &url, &scenario, &scenario.name, dir)
}

/// The script of the rows without one of their own: only wrk's `done` hook (p99.9).
const DONE_SCRIPT: &str = "done.lua";
/// The token-rotation script.
const ROTATION: &str = "rotation.lua";
/// The write script.
const UPDATE: &str = "update.lua";

/// Writes the scripts that do not depend on the run's campaigns.
fn write_scripts(work: &Path) -> anyhow::Result<()> {
    std::fs::write(work.join(DONE_SCRIPT), DONE_HOOK.trim_start())?;
    std::fs::write(work.join(ROTATION), format!("{ROTATION_SCRIPT}{DONE_HOOK}"))?;
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
#[derive(Debug, Clone)]
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

/// Runs `scenario` against `url` with the run's threads, connections and duration; keeps wrk's
/// output in `work` and returns its figures under `name`.
fn run_scenario(
    args: &BenchArgs,
    url: &str,
    scenario: &Scenario,
    name: &str,
    work: &Path,
) -> anyhow::Result<Measured> {
    let threads = format!("-t{}", args.threads);
    let conns = format!("-c{}", args.connections);
    let dur = format!("-d{}s", args.duration);
    let mut a: Vec<&str> = vec![&threads, &conns, &dur, "--latency"];
    a.extend(scenario.options.iter().map(String::as_str));
    a.push(url);
    if !scenario.script_args.is_empty() {
        // wrk hands what follows `--` to the script's `init`.
        a.push("--");
        a.extend(scenario.script_args.iter().map(String::as_str));
    }
    let out = wrk(&a)?;
    let file = name.replace(['/', ' ', '{', '}', ',', '(', ')'], "_");
    std::fs::write(work.join(format!("{file}.txt")), &out)?;
    parse_wrk(name.to_owned(), &out)
}

fn measure(
    service: &mut Service,
    port: u16,
    args: &BenchArgs,
    work: &Path,
    redis_url: Option<&str>,
) -> anyhow::Result<ServiceRun> {
    wait_ready(port)?;
    let pem =
        std::fs::read(token::default_key_path()).context("the dev-mode service wrote no key")?;
    let bearer = token::supreme_token(&pem, "xtask-bench")?;
    let ids = (0..CAMPAIGNS)
        .map(|i| create_campaign(port, &bearer, i))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let path = format!("/campaigns/{}", ids[0]);
    let url = format!("http://127.0.0.1:{port}{path}");
    let auth = format!("Authorization: Bearer {bearer}");

    let script = work.join(UPDATE);
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
             end\n\
             {DONE_HOOK}",
            quoted.join(", ")
        ),
    )?;
    let warm = ["-t1", "-c8", "-d2s", "-H", &auth, &url];
    wrk(&warm)?;

    // Many users: their tokens, minted up front, in a file the rotation script reads.
    let rotation = work.join(ROTATION);
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

    let get = Scenario {
        name: GET_ROW.to_owned(),
        options: vec![
            "-H".to_owned(),
            auth.clone(),
            "-s".to_owned(),
            work.join(DONE_SCRIPT).display().to_string(),
        ],
        script_args: Vec::new(),
    };
    let post = Scenario {
        name: POST_ROW.to_owned(),
        options: vec![
            "-H".to_owned(),
            auth.clone(),
            "-s".to_owned(),
            script.display().to_string(),
        ],
        script_args: Vec::new(),
    };
    let mut scenarios = vec![(Kind::Get, get.clone())];
    for (users, file) in &token_files {
        scenarios.push((
            Kind::Get,
            Scenario {
                name: rotation_name(*users),
                options: vec!["-s".to_owned(), rotation.display().to_string()],
                script_args: vec![file.display().to_string()],
            },
        ));
    }
    scenarios.push((Kind::Post, post.clone()));
    let mut rows = Vec::new();
    for (kind, scenario) in scenarios {
        // The relay delivers the messages of earlier writes (the campaigns created above, the
        // write scenario) in the background; a scenario started before it is done would share
        // the cores, and on MongoDB the store, with that work.
        match wait_outbox_drained(port, &bearer, DRAIN_LIMIT)? {
            Ok(waited) => println!(
                "outbox drained {:.1} s before \"{}\"",
                waited.as_secs_f64(),
                scenario.name
            ),
            Err(pending) => bail!(
                "{pending} outbox events still pending {} s after the previous scenario: the \
                 relay cannot keep up with this store, so no later figure would be clean",
                DRAIN_LIMIT.as_secs()
            ),
        }
        let measured = run_scenario(args, &url, &scenario, &scenario.name, work)?;
        rows.push(Row { kind, measured });
    }
    match wait_outbox_drained(port, &bearer, DRAIN_LIMIT)? {
        Ok(waited) => println!(
            "outbox drained {:.1} s after the last scenario (the relay delivering what it owes)",
            waited.as_secs_f64()
        ),
        Err(pending) => println!(
            "outbox: {pending} events still pending {} s after the last scenario (the relay \
             delivering what it owes is slower than the writes were)",
            DRAIN_LIMIT.as_secs()
        ),
    }
    let (rss_kib, hwm_kib) = memory_kib(service.pid())?;

    // What nginx will answer: the bodies of one write and one read, the read last so that its
    // cache entry is fresh for the Redis ceiling.
    let (status, post_body) = http(
        port,
        "POST",
        &format!("/campaigns/{}", ids[1 % ids.len()]),
        Some(&bearer),
        Some(r#"{"tour": {"name": "Tour 0"}}"#),
    )?;
    if status != 200 {
        bail!("the probe POST answered {status}: {post_body}");
    }
    let (status, get_body) = http(port, "GET", &path, Some(&bearer), None)?;
    if status != 200 {
        bail!("the probe GET answered {status}: {get_body}");
    }
    let cache_key = format!("campaign:id:{}", ids[0]);
    let cache_entry_bytes = redis_url
        .map(|url| ceilings::pin_cached_entry(url, &cache_key))
        .transpose()?;
    Ok(ServiceRun {
        rows,
        rss_kib,
        hwm_kib,
        path,
        get,
        post,
        get_body,
        post_body,
        cache_key,
        cache_entry_bytes,
    })
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

/// Waits until the service's outbox has no pending event (`GET /outbox/failed`'s backlog), at
/// most `limit`: how long that took, or how many events were still pending at the limit.
fn wait_outbox_drained(
    port: u16,
    bearer: &str,
    limit: Duration,
) -> anyhow::Result<Result<Duration, u64>> {
    let started = Instant::now();
    loop {
        let (status, body) = http(port, "GET", "/outbox/failed?pageSize=1", Some(bearer), None)?;
        if status != 200 {
            bail!("GET /outbox/failed answered {status}: {body}");
        }
        let answer: serde_json::Value =
            serde_json::from_str(&body).context("GET /outbox/failed answered no JSON")?;
        let pending = answer["data"]["backlog"]["pending"]
            .as_u64()
            .context("GET /outbox/failed answered no data.backlog.pending")?;
        if pending == 0 {
            return Ok(Ok(started.elapsed()));
        }
        if started.elapsed() >= limit {
            return Ok(Err(pending));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// How long a scenario waits for the relay to deliver what earlier writes owe.
const DRAIN_LIMIT: Duration = Duration::from_secs(120);

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
