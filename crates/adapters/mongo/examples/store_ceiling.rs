//! The MongoDB ceiling of `cargo xtask bench --store mongodb` (issue 16): what the store itself
//! does for the operations behind a campaign read and write, through the same driver and pool
//! settings as this adapter, with no HTTP and none of the service's work around them.
//!
//! It takes the campaigns already stored in `<database>.<collection>` (the benchmark's own
//! campaigns, so the same documents under the same indexes), then for `--seconds` runs
//! `--connections` concurrent tasks, each repeating one operation on its own share of them:
//!
//! - `read`: `find_one({_id})`, as `CampaignRepository::find_by_id` reads a campaign;
//! - `update`: `update_one({_id, version: v}, {$set: <every field of the document, tour.name
//!   changed, version v + 1>})`, the conditional write that ends the adapter's
//!   `CampaignRepository::update` (`writes::replacement`), without the read before it and
//!   without outbox events. Each task owns its documents, so no update loses a version race.
//!
//! Every operation's latency is kept, and one line is printed for xtask to parse:
//!
//! ```text
//! store_ceiling op=read connections=8 seconds=10.00 ops=81234 ops_per_sec=8123.4 p50_ms=0.912 p99_ms=2.514 p999_ms=6.020 misses=0 errors=0 documents=256 document_bytes=1402
//! ```
//!
//! Run: `cargo run --release --example store_ceiling -p campaign-adapter-mongo -- --uri
//! mongodb://127.0.0.1:27017 --database bench_1 --connections 8 --seconds 15 --op read`
//! (`--collection` defaults to `campaigns`, `--warmup` to 1 second, unmeasured).
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "an example reporting on the terminal"
)]

use std::time::{Duration, Instant};

use futures::TryStreamExt as _;
use mongodb::bson::{Bson, Document, doc};
use mongodb::options::ClientOptions;
use mongodb::{Client, Collection};

/// The operation measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Read,
    Update,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Update => "update",
        }
    }
}

/// The command line.
#[derive(Debug)]
struct Args {
    uri: String,
    database: String,
    collection: String,
    connections: usize,
    seconds: f64,
    warmup: f64,
    op: Op,
}

const USAGE: &str = "usage: store_ceiling --uri <mongodb uri> --database <name> \
     [--collection campaigns] --connections <n> --seconds <s> [--warmup 1] --op read|update";

fn parse_args(mut raw: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut uri = None;
    let mut database = None;
    let mut collection = "campaigns".to_owned();
    let mut connections = 8_usize;
    let mut seconds = 10.0_f64;
    let mut warmup = 1.0_f64;
    let mut op = None;
    while let Some(flag) = raw.next() {
        let mut value = || {
            raw.next()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--uri" => uri = Some(value()?),
            "--database" => database = Some(value()?),
            "--collection" => collection = value()?,
            "--connections" => {
                connections = value()?
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or("--connections: a whole number above 0")?;
            }
            "--seconds" => {
                seconds = value()?
                    .parse()
                    .ok()
                    .filter(|s: &f64| *s > 0.0)
                    .ok_or("--seconds: a number above 0")?;
            }
            "--warmup" => {
                warmup = value()?
                    .parse()
                    .ok()
                    .filter(|s: &f64| *s >= 0.0)
                    .ok_or("--warmup: a number of seconds")?;
            }
            "--op" => {
                op = Some(match value()?.as_str() {
                    "read" => Op::Read,
                    "update" => Op::Update,
                    other => return Err(format!("--op {other}: read or update\n{USAGE}")),
                });
            }
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(Args {
        uri: uri.ok_or_else(|| format!("--uri is missing\n{USAGE}"))?,
        database: database.ok_or_else(|| format!("--database is missing\n{USAGE}"))?,
        collection,
        connections,
        seconds,
        warmup,
        op: op.ok_or_else(|| format!("--op is missing\n{USAGE}"))?,
    })
}

/// One document a task works on: its `_id`, the version it holds now, and its fields to
/// `$set` (all but `_id`, `_outbox` and `version`).
#[derive(Debug, Clone)]
struct Target {
    id: Bson,
    version: i64,
    fields: Document,
}

/// What one task counted.
#[derive(Debug, Default)]
struct Tally {
    /// Latency of each operation, in microseconds.
    micros: Vec<u32>,
    /// Reads that found nothing, updates that matched nothing.
    misses: u64,
    errors: u64,
}

/// The version stored in `doc` (as `writes::stored_version` reads it).
fn version_of(doc: &Document) -> i64 {
    match doc.get("version") {
        Some(Bson::Int64(v)) => *v,
        Some(Bson::Int32(v)) => i64::from(*v),
        _ => 0,
    }
}

/// The `$set` of the adapter's write of `target` at `next`, with `tour.name` changed.
fn update_of(target: &Target, next: i64, n: u64) -> Document {
    let mut set = target.fields.clone();
    let name = Bson::String(format!("Tour {n}"));
    match set.get_mut("tour") {
        Some(Bson::Document(tour)) => {
            tour.insert("name", name);
        }
        _ => {
            set.insert("tour", doc! {"name": name});
        }
    }
    set.insert("version", Bson::Int64(next));
    doc! {"$set": set}
}

/// Runs `op` on `targets` until `until`, one operation at a time.
async fn work(
    collection: Collection<Document>,
    mut targets: Vec<Target>,
    op: Op,
    until: Instant,
) -> Tally {
    let mut tally = Tally::default();
    let mut n = 0_u64;
    while Instant::now() < until {
        for target in &mut targets {
            if Instant::now() >= until {
                break;
            }
            n += 1;
            let started = Instant::now();
            let outcome = match op {
                Op::Read => collection
                    .find_one(doc! {"_id": target.id.clone()})
                    .await
                    .map(|found| found.is_some()),
                Op::Update => collection
                    .update_one(
                        doc! {"_id": target.id.clone(), "version": target.version},
                        update_of(target, target.version + 1, n),
                    )
                    .await
                    .map(|result| result.matched_count == 1),
            };
            let micros = u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX);
            tally.micros.push(micros);
            match outcome {
                Ok(true) => {
                    if op == Op::Update {
                        target.version += 1;
                    }
                }
                Ok(false) => tally.misses += 1,
                Err(error) => {
                    tally.errors += 1;
                    if tally.errors == 1 {
                        eprintln!("store_ceiling: {} failed: {error}", op.name());
                    }
                }
            }
        }
    }
    tally
}

/// Runs `op` with one task per share of `targets` until `until`; their tallies merged.
async fn round(
    collection: &Collection<Document>,
    shares: &[Vec<Target>],
    op: Op,
    until: Instant,
) -> Result<Tally, String> {
    let tasks: Vec<_> = shares
        .iter()
        .map(|share| tokio::spawn(work(collection.clone(), share.clone(), op, until)))
        .collect();
    let mut all = Tally::default();
    for task in tasks {
        let tally = task.await.map_err(|e| format!("a task failed: {e}"))?;
        all.micros.extend(tally.micros);
        all.misses += tally.misses;
        all.errors += tally.errors;
    }
    Ok(all)
}

/// The nearest-rank `q` percentile of sorted `micros`, in milliseconds.
fn percentile_ms(sorted: &[u32], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((q / 100.0) * sorted.len() as f64).ceil() as usize;
    let index = rank.clamp(1, sorted.len()) - 1;
    f64::from(sorted[index]) / 1000.0
}

/// The current versions and fields of the documents of `collection`, dealt out to `shares`
/// tasks in turn.
async fn targets(
    collection: &Collection<Document>,
    shares: usize,
) -> Result<(Vec<Vec<Target>>, usize, usize), String> {
    let docs: Vec<Document> = collection
        .find(doc! {"_tombstone": {"$exists": false}})
        .limit(10_000)
        .await
        .map_err(|e| format!("cannot read the documents: {e}"))?
        .try_collect()
        .await
        .map_err(|e| format!("cannot read the documents: {e}"))?;
    let bytes = docs.first().map_or(0, |d| {
        let mut buffer = Vec::new();
        d.to_writer(&mut buffer).map_or(0, |()| buffer.len())
    });
    let count = docs.len();
    let mut dealt = vec![Vec::new(); shares];
    for (i, mut d) in docs.into_iter().enumerate() {
        let Some(id) = d.remove("_id") else { continue };
        let version = version_of(&d);
        d.remove("version");
        d.remove("_outbox");
        dealt[i % shares].push(Target {
            id,
            version,
            fields: d,
        });
    }
    Ok((dealt, count, bytes))
}

async fn run(args: Args) -> Result<(), String> {
    let mut options = ClientOptions::parse(&args.uri)
        .await
        .map_err(|e| format!("--uri: {e}"))?;
    // The adapter's pool settings (`MongoSettings::new`): 50 connections at most, 2 kept.
    options
        .app_name
        .get_or_insert_with(|| "store_ceiling".to_owned());
    options.max_pool_size.get_or_insert(50);
    options.min_pool_size.get_or_insert(2);
    options
        .server_selection_timeout
        .get_or_insert(Duration::from_secs(3));
    options
        .connect_timeout
        .get_or_insert(Duration::from_secs(3));
    let client = Client::with_options(options).map_err(|e| format!("--uri: {e}"))?;
    let collection: Collection<Document> =
        client.database(&args.database).collection(&args.collection);
    let (shares, documents, document_bytes) = targets(&collection, args.connections).await?;
    if documents < args.connections {
        return Err(format!(
            "{}.{} holds {documents} documents: at least one per connection ({}) is needed",
            args.database, args.collection, args.connections
        ));
    }
    if args.warmup > 0.0 {
        let until = Instant::now() + Duration::from_secs_f64(args.warmup);
        round(&collection, &shares, Op::Read, until).await?;
    }
    // The warm-up only read: the versions each task holds are still the stored ones.
    let started = Instant::now();
    let until = started + Duration::from_secs_f64(args.seconds);
    let mut tally = round(&collection, &shares, args.op, until).await?;
    let elapsed = started.elapsed().as_secs_f64();
    tally.micros.sort_unstable();
    let ops = tally.micros.len();
    println!(
        "store_ceiling op={} connections={} seconds={elapsed:.2} ops={ops} ops_per_sec={:.1} \
         p50_ms={:.3} p99_ms={:.3} p999_ms={:.3} misses={} errors={} documents={documents} \
         document_bytes={document_bytes}",
        args.op.name(),
        args.connections,
        ops as f64 / elapsed,
        percentile_ms(&tally.micros, 50.0),
        percentile_ms(&tally.micros, 99.0),
        percentile_ms(&tally.micros, 99.9),
        tally.misses,
        tally.errors,
    );
    Ok(())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return std::process::ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("store_ceiling: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}
