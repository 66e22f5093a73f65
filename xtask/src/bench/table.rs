//! The tables `cargo xtask bench` prints: every scenario beside its ceiling (service /
//! ceiling), the ceilings' own figures, and the goals of issue 16 read off them.

use super::ceilings::Ceiling;
use super::wrk::Measured;
use super::{BenchArgs, GET_ROW, MEMORY_GET_ROW, POST_ROW, Store, rotation_name};

/// Everything a run measured.
#[derive(Debug)]
pub(super) struct Report {
    /// The service's rows, each with the ceiling it is compared with.
    pub(super) rows: Vec<(Measured, Option<Ceiling>)>,
    /// The ceilings measured in the run.
    pub(super) ceilings: Vec<(Ceiling, Measured)>,
    pub(super) rss_kib: u64,
    pub(super) hwm_kib: u64,
    /// Lines printed under the table.
    pub(super) notes: Vec<String>,
}

fn ms(value: f64) -> String {
    format!("{value:.2} ms")
}

fn tail(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), ms)
}

fn percent(service: f64, ceiling: f64) -> f64 {
    100.0 * service / ceiling
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// The report as lines of Markdown.
pub(super) fn lines(report: &Report, args: &BenchArgs) -> Vec<String> {
    let ceiling = |kind: Ceiling| {
        report
            .ceilings
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, m)| m)
    };
    let mut out = vec![
        format!(
            "wrk -t{} -c{} -d{}s, store {:?}, service RUST_LOG={}, {} cores; ceilings measured \
             after the service stopped, with the same connections",
            args.threads,
            args.connections,
            args.duration,
            args.store,
            args.log,
            std::thread::available_parallelism().map_or(0, |n| n.get())
        ),
        String::new(),
        "| scenario | requests/s | p50 | p99 | p99.9 | ceiling | ceiling requests/s | \
         service / ceiling |"
            .to_owned(),
        "|---|---:|---:|---:|---:|---|---:|---:|".to_owned(),
    ];
    for (r, kind) in &report.rows {
        let (label, rate, ratio) = match kind.and_then(|k| ceiling(k).map(|c| (k, c))) {
            Some((k, c)) => (
                k.label().to_owned(),
                format!("{:.0}", c.requests_per_sec),
                format!("{:.1} %", percent(r.requests_per_sec, c.requests_per_sec)),
            ),
            None => (String::new(), String::new(), String::new()),
        };
        out.push(format!(
            "| {} | {:.0} | {} | {} | {} | {label} | {rate} | {ratio} |",
            r.name,
            r.requests_per_sec,
            ms(r.p50_ms),
            ms(r.p99_ms),
            tail(r.p999_ms)
        ));
    }
    for (_, c) in &report.ceilings {
        out.push(format!(
            "| ceiling: {} | {:.0} | {} | {} | {} | | | |",
            c.name,
            c.requests_per_sec,
            ms(c.p50_ms),
            ms(c.p99_ms),
            tail(c.p999_ms)
        ));
    }
    out.push(format!(
        "| service memory after the load (RSS / peak) | {:.1} MiB / {:.1} MiB | | | | | | |",
        mib(report.rss_kib),
        mib(report.hwm_kib)
    ));
    out.push(String::new());
    let all = report
        .rows
        .iter()
        .map(|(m, _)| m)
        .chain(report.ceilings.iter().map(|(_, m)| m));
    let failed: Vec<String> = all
        .filter(|m| m.failed > 0)
        .map(|m| format!("{}: {}", m.name, m.failed))
        .collect();
    if failed.is_empty() {
        out.push("No non-2xx answers, misses or errors in any row.".to_owned());
    } else {
        out.push(format!(
            "**Non-2xx answers, misses or errors**: {}",
            failed.join("; ")
        ));
    }
    let service = report
        .rows
        .iter()
        .map(|(m, _)| m)
        .find(|m| m.name == GET_ROW);
    if let (Some(ours), Some(theirs)) = (
        service.and_then(|m| m.bytes_per_answer),
        ceiling(Ceiling::NginxGet).and_then(|m| m.bytes_per_answer),
    ) {
        out.push(format!(
            "Answer sizes, headers included (wrk's bytes read / requests): service {ours:.0} \
             bytes, nginx {theirs:.0} bytes."
        ));
    }
    out.extend(report.notes.iter().cloned());
    let rows: Vec<Measured> = report.rows.iter().map(|(m, _)| m.clone()).collect();
    if let Some(line) = many_users_ratio(&rows, args.users) {
        out.push(line);
    }
    out.push(String::new());
    out.extend(goals(report, args));
    out
}

/// The goals of issue 16 this run can speak to.
fn goals(report: &Report, args: &BenchArgs) -> Vec<String> {
    let row = |name: &str| report.rows.iter().map(|(m, _)| m).find(|m| m.name == name);
    let ceiling = |kind: Ceiling| {
        report
            .ceilings
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, m)| m)
    };
    let mut out = vec!["Goals of issue 16, as this run measured them:".to_owned()];
    match args.store {
        Store::Memory => {
            if let (Some(get), Some(http)) = (row(GET_ROW), ceiling(Ceiling::NginxGet)) {
                out.push(format!(
                    "- GET by id, one token: {:.1} % of the HTTP ceiling (goal ≥ 60 %), p99 {} \
                     (goal < 5 ms) at {} connections",
                    percent(get.requests_per_sec, http.requests_per_sec),
                    ms(get.p99_ms),
                    args.connections
                ));
            }
            if let Some(post) = row(POST_ROW) {
                out.push(format!(
                    "- POST by id: {:.0}/s (goal ≥ 10,000/s), p99 {} (goal < 20 ms)",
                    post.requests_per_sec,
                    ms(post.p99_ms)
                ));
            }
        }
        Store::Mongodb => {
            if let (Some(get), Some(memory)) = (row(GET_ROW), row(MEMORY_GET_ROW)) {
                out.push(format!(
                    "- cached GET: {:.1} % of the same read on the memory store (goal ≥ 50 %), \
                     p99 {} at {} connections (goal < 5 ms at 8)",
                    percent(get.requests_per_sec, memory.requests_per_sec),
                    ms(get.p99_ms),
                    args.connections
                ));
            }
            if let (Some(post), Some(store)) = (row(POST_ROW), ceiling(Ceiling::StoreUpdate)) {
                out.push(format!(
                    "- POST: {:.1} % of the raw store's conditional-update rate (goal ≥ 50 %)",
                    percent(post.requests_per_sec, store.requests_per_sec)
                ));
            }
        }
    }
    out.push(format!(
        "- service memory peak {:.1} MiB (goal < 100 MiB)",
        mib(report.hwm_kib)
    ));
    out
}

/// Prints the report.
pub(super) fn print(report: &Report, args: &BenchArgs) {
    println!();
    for line in lines(report, args) {
        println!("{line}");
    }
}

/// The many-users row against the one-token rows of the same run: the goal of issue 16 is
/// many / one ≥ 90 %. `None` when the run has no many-users row.
pub(super) fn many_users_ratio(rows: &[Measured], users: usize) -> Option<String> {
    let row = |name: &str| rows.iter().find(|r| r.name == name);
    let many = row(&rotation_name(users)).filter(|_| users > 1)?;
    let one = row(&rotation_name(1))?;
    let mut line = format!(
        "many users / one token (same rotation script): {users} tokens {:.0} req/s vs 1 token \
         {:.0} req/s = {:.1} %, p99 {:.2} ms vs {:.2} ms",
        many.requests_per_sec,
        one.requests_per_sec,
        percent(many.requests_per_sec, one.requests_per_sec),
        many.p99_ms,
        one.p99_ms
    );
    if let Some(plain) = row(GET_ROW) {
        line.push_str(&format!(
            "; vs the one-token row without a script: {:.1} %",
            percent(many.requests_per_sec, plain.requests_per_sec)
        ));
    }
    Some(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, requests_per_sec: f64, p99_ms: f64) -> Measured {
        Measured {
            name: name.to_owned(),
            requests_per_sec,
            p50_ms: 1.0,
            p99_ms,
            p999_ms: Some(p99_ms * 2.0),
            failed: 0,
            bytes_per_answer: None,
        }
    }

    fn args(store: Store) -> BenchArgs {
        BenchArgs {
            duration: 10,
            connections: 8,
            threads: 2,
            log: "info".to_owned(),
            no_build: true,
            store,
            users: 5000,
        }
    }

    #[test]
    fn the_many_users_row_is_compared_with_one_token_of_the_same_script() {
        let rows = [
            row(GET_ROW, 20_000.0, 6.0),
            row(&rotation_name(1), 18_000.0, 6.5),
            row(&rotation_name(5000), 17_100.0, 7.0),
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
    fn every_row_stands_beside_its_ceiling() {
        let report = Report {
            rows: vec![
                (row(GET_ROW, 25_000.0, 6.0), Some(Ceiling::NginxGet)),
                (row(POST_ROW, 7_000.0, 30.0), Some(Ceiling::NginxPost)),
                (row("unmatched", 1.0, 1.0), None),
            ],
            ceilings: vec![
                (
                    Ceiling::NginxGet,
                    row(Ceiling::NginxGet.label(), 100_000.0, 1.0),
                ),
                (
                    Ceiling::NginxPost,
                    row(Ceiling::NginxPost.label(), 70_000.0, 1.5),
                ),
            ],
            rss_kib: 30 * 1024,
            hwm_kib: 31 * 1024,
            notes: vec!["a note".to_owned()],
        };
        let text = lines(&report, &args(Store::Memory)).join("\n");
        assert!(
            text.contains(
                "| GET /campaigns/{id} | 25000 | 1.00 ms | 6.00 ms | 12.00 ms | nginx, same GET, \
                 fixed body | 100000 | 25.0 % |"
            ),
            "{text}"
        );
        assert!(text.contains("| 70000 | 10.0 % |"), "{text}");
        assert!(
            text.contains("| unmatched | 1 | 1.00 ms | 1.00 ms | 2.00 ms |  |  |  |"),
            "{text}"
        );
        assert!(
            text.contains("| ceiling: nginx, same GET, fixed body | 100000 | 1.00 ms |"),
            "{text}"
        );
        assert!(text.contains("30.0 MiB / 31.0 MiB"), "{text}");
        assert!(text.contains("a note"), "{text}");
        assert!(text.contains("No non-2xx answers"), "{text}");
        assert!(
            text.contains("one token: 25.0 % of the HTTP ceiling (goal ≥ 60 %)"),
            "{text}"
        );
        assert!(text.contains("POST by id: 7000/s"), "{text}");
    }

    #[test]
    fn mongodb_goals_compare_with_the_memory_store_and_the_raw_store() {
        let mut failing = row(Ceiling::StoreUpdate.label(), 2_000.0, 9.0);
        failing.failed = 2;
        let report = Report {
            rows: vec![
                (row(GET_ROW, 6_000.0, 4.0), Some(Ceiling::RedisGet)),
                (row(POST_ROW, 500.0, 80.0), Some(Ceiling::StoreUpdate)),
                (row(MEMORY_GET_ROW, 24_000.0, 3.0), Some(Ceiling::NginxGet)),
            ],
            ceilings: vec![
                (
                    Ceiling::RedisGet,
                    row(Ceiling::RedisGet.label(), 40_000.0, 0.5),
                ),
                (Ceiling::StoreUpdate, failing),
            ],
            rss_kib: 1024,
            hwm_kib: 2048,
            notes: Vec::new(),
        };
        let text = lines(&report, &args(Store::Mongodb)).join("\n");
        assert!(text.contains("| 40000 | 15.0 % |"), "{text}");
        assert!(text.contains("| 2000 | 25.0 % |"), "{text}");
        assert!(
            text.contains("cached GET: 25.0 % of the same read on the memory store"),
            "{text}"
        );
        assert!(
            text.contains("POST: 25.0 % of the raw store's conditional-update rate"),
            "{text}"
        );
        assert!(
            text.contains("raw store conditional update_one: 2"),
            "{text}"
        );
    }
}
