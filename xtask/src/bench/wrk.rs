//! `wrk`: installing it, running it, reading its figures.
//!
//! `--latency` prints the 50/75/90/99th percentiles only. Every run of the benchmark therefore
//! carries a Lua script with wrk's `done(summary, latency, requests)` hook ([`DONE_HOOK`]),
//! which prints the 99.9th percentile from the same latency histogram. A script that defines
//! only `done` (no `request`, no `response`) keeps wrk's fast path: the request is still built
//! once and sent as it is.

use std::process::Command;

use anyhow::{Context as _, bail};

/// One measurement's figures: a wrk run, a `redis-benchmark` run or a raw-store run.
#[derive(Debug, Clone)]
pub(super) struct Measured {
    pub(super) name: String,
    pub(super) requests_per_sec: f64,
    pub(super) p50_ms: f64,
    pub(super) p99_ms: f64,
    /// The 99.9th percentile, when the run reported one.
    pub(super) p999_ms: Option<f64>,
    /// Answers that did not count: non-2xx (wrk), misses and errors (the raw store).
    pub(super) failed: u64,
    /// Bytes read per answer, headers included (wrk's "… read" over its request count).
    pub(super) bytes_per_answer: Option<f64>,
}

/// Appended to every wrk script of the benchmark: prints the 99.9th percentile of latency (wrk
/// keeps latencies in microseconds) on a line [`parse_wrk`] reads.
pub(super) const DONE_HOOK: &str = r#"
done = function(summary, latency, requests)
  io.write(string.format("xtask latency p99.9: %.0fus\n", latency:percentile(99.9)))
end
"#;

/// The prefix of the line [`DONE_HOOK`] prints.
const P999_PREFIX: &str = "xtask latency p99.9:";

pub(super) fn ensure_wrk() -> anyhow::Result<()> {
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

pub(super) fn wrk(args: &[&str]) -> anyhow::Result<String> {
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
pub(super) fn millis(raw: &str) -> Option<f64> {
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

/// A wrk byte count (`512.00B`, `11.66MB`; binary units) in bytes.
fn bytes(raw: &str) -> Option<f64> {
    let units = [
        ("KB", 1024.0),
        ("MB", 1024.0 * 1024.0),
        ("GB", 1024.0 * 1024.0 * 1024.0),
    ];
    for (suffix, factor) in units {
        if let Some(n) = raw.strip_suffix(suffix) {
            return n.parse::<f64>().ok().map(|n| n * factor);
        }
    }
    raw.strip_suffix('B')?.parse().ok()
}

/// Bytes per answer from wrk's `46485 requests in 2.00s, 11.66MB read`.
fn bytes_per_answer(out: &str) -> Option<f64> {
    let line = out.lines().map(str::trim).find(|l| l.ends_with(" read"))?;
    let (count, rest) = line.split_once(" requests in ")?;
    let count: f64 = count.trim().parse().ok()?;
    let read = rest.split_once(", ")?.1.strip_suffix(" read")?;
    if count <= 0.0 {
        return None;
    }
    bytes(read.trim()).map(|b| b / count)
}

pub(super) fn parse_wrk(name: String, out: &str) -> anyhow::Result<Measured> {
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
    let p999_ms = out
        .lines()
        .find_map(|l| l.trim().strip_prefix(P999_PREFIX))
        .and_then(|v| millis(v.trim()));
    let failed = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("Non-2xx or 3xx responses:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    Ok(Measured {
        name,
        requests_per_sec,
        p50_ms,
        p99_ms,
        p999_ms,
        failed,
        bytes_per_answer: bytes_per_answer(out),
    })
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

    /// wrk 4.1.0 (Debian) against nginx with [`DONE_HOOK`] as the script.
    const WITH_DONE_HOOK: &str = "Running 2s test @ http://127.0.0.1:18081/campaigns/x
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   127.41us   35.57us   1.65ms   93.27%
    Req/Sec    31.12k     2.43k   36.16k    66.67%
  Latency Distribution
     50%  125.00us
     75%  136.00us
     90%  147.00us
     99%  224.00us
  65006 requests in 2.10s, 16.30MB read
Requests/sec:  30956.03
Transfer/sec:      7.76MB
xtask latency p99.9: 384us
";

    #[test]
    fn parses_wrk_figures() {
        let m = parse_wrk("x".to_owned(), SAMPLE).unwrap();
        assert!((m.requests_per_sec - 20000.5).abs() < 1e-6);
        assert!((m.p50_ms - 0.812).abs() < 1e-9);
        assert!((m.p99_ms - 7.5).abs() < 1e-9);
        assert_eq!(m.p999_ms, None);
        assert_eq!(m.failed, 3);
        assert!((m.bytes_per_answer.unwrap() - 524.288).abs() < 1e-6);
        assert_eq!(millis("1.5s"), Some(1500.0));
        assert_eq!(millis("12"), None);
    }

    #[test]
    fn reads_the_tail_the_done_hook_prints() {
        let m = parse_wrk("nginx".to_owned(), WITH_DONE_HOOK).unwrap();
        assert!((m.requests_per_sec - 30956.03).abs() < 1e-6);
        assert!((m.p50_ms - 0.125).abs() < 1e-9);
        assert!((m.p99_ms - 0.224).abs() < 1e-9);
        assert!((m.p999_ms.unwrap() - 0.384).abs() < 1e-9);
        assert_eq!(m.failed, 0);
        let per_answer = m.bytes_per_answer.unwrap();
        assert!((per_answer - 16.30 * 1024.0 * 1024.0 / 65006.0).abs() < 1e-6);
        assert!(DONE_HOOK.contains(P999_PREFIX));
        assert_eq!(bytes("512.00B"), Some(512.0));
        assert_eq!(bytes("1.50KB"), Some(1536.0));
    }
}
