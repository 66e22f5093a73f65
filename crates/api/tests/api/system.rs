//! System endpoints, routing errors and the server lifecycle.

use campaign_domain::chrono::DateTime;
use campaign_domain::uuid::Uuid;
use reqwest::{Method, StatusCode};

use crate::helpers::{TestApp, json_of};

#[tokio::test]
async fn heartbeat_answers_ok_in_the_envelope_without_a_token() {
    let app = TestApp::spawn().await;
    let res = app.request(Method::GET, "/heartbeat", None, None).await;
    assert_eq!(res.headers()["content-type"], "application/json");
    let correlation = res.headers()["x-correlation-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let (status, body) = json_of(res).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["status"], "ok");
    assert_eq!(body["meta"]["correlation"], correlation.as_str());
    let ts = body["meta"]["timestamp"].as_str().unwrap();
    assert!(ts.ends_with('Z') && chrono_parses(ts), "{ts}");
    app.shut_down().await;
}

fn chrono_parses(ts: &str) -> bool {
    DateTime::parse_from_rfc3339(ts).is_ok()
}

#[tokio::test]
async fn readiness_pings_the_store_and_cache() {
    let app = TestApp::spawn().await;
    let (status, body) = json_of(app.request(Method::GET, "/health/ready", None, None).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["status"], "ready");
    app.shut_down().await;
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_the_error_envelope() {
    let app = TestApp::spawn().await;
    let (status, body) =
        json_of(app.request(Method::GET, "/no/such/route", None, None).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["type"], "NOT_FOUND");
    assert!(body["error"]["correlation"].is_string());
    let (status, body) = json_of(app.request(Method::DELETE, "/heartbeat", None, None).await).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["error"]["type"], "METHOD_NOT_ALLOWED");
    let (status, body) = json_of(
        app.request(Method::PUT, "/campaigns", Some(&app.supreme_token()), None)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["error"]["type"], "METHOD_NOT_ALLOWED");
    app.shut_down().await;
}

/// The methods an `Allow` header lists, sorted.
fn allowed(res: &reqwest::Response) -> Vec<String> {
    let value = res
        .headers()
        .get("allow")
        .unwrap_or_else(|| panic!("a 405 without Allow: {:?}", res.headers()))
        .to_str()
        .unwrap();
    let mut methods: Vec<String> = value.split(',').map(|m| m.trim().to_owned()).collect();
    methods.sort();
    methods
}

#[tokio::test]
async fn a_405_lists_in_allow_exactly_the_methods_the_resource_answers() {
    let app = TestApp::spawn().await;
    let id = "65a1b2c3d4e5f60718293a4b";
    let resources = [
        ("/heartbeat".to_owned(), vec!["GET"]),
        ("/docs".to_owned(), vec!["GET"]),
        ("/campaigns".to_owned(), vec!["GET", "POST"]),
        (format!("/campaigns/{id}"), vec!["GET", "POST"]),
        (format!("/campaigns/{id}/status"), vec!["GET"]),
        ("/campaigns/refresh".to_owned(), vec!["POST"]),
        (format!("/promoters/{id}"), vec!["DELETE", "GET", "POST"]),
        (
            format!("/campaigns/{id}/markets/{id}"),
            vec!["DELETE", "GET", "POST"],
        ),
    ];
    let methods = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
    ];
    for (path, expected) in resources {
        // No token and no body: whatever a method that exists answers (401, 400, ...), it
        // changes nothing.
        for method in &methods {
            let res = app.request(method.clone(), &path, None, None).await;
            let listed = expected.contains(&method.as_str());
            if res.status() == StatusCode::METHOD_NOT_ALLOWED {
                assert!(!listed, "{method} {path} answers 405 but is allowed");
                assert_eq!(allowed(&res), expected, "Allow of {method} {path}");
                if *method != Method::HEAD {
                    let (_, body) = json_of(res).await;
                    assert_eq!(body["error"]["type"], "METHOD_NOT_ALLOWED", "{path}");
                }
            } else {
                assert!(listed, "{method} {path} answers {}", res.status());
                assert!(res.headers().get("allow").is_none(), "{method} {path}");
            }
        }
    }
    app.shut_down().await;
}

#[tokio::test]
async fn the_api_reference_page_loads_only_its_own_files_and_the_served_document() {
    let app = TestApp::spawn().await;
    let res = app.request(Method::GET, "/docs", None, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/html; charset=utf-8");
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "connect-src 'self'",
    ] {
        assert!(csp.contains(directive), "{csp}");
    }
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"<div id="swagger-ui">"#), "{html}");
    assert!(!html.contains("//"), "nothing from another origin: {html}");
    let references: Vec<&str> = html
        .split(['"', '\''])
        .filter(|part| part.starts_with('/'))
        .collect();
    assert!(
        references.iter().any(|r| r.ends_with(".js"))
            && references.iter().any(|r| r.ends_with(".css")),
        "{references:?}"
    );
    for reference in &references {
        assert!(reference.starts_with("/docs/"), "{reference}");
        let res = app.request(Method::GET, reference, None, None).await;
        assert_eq!(res.status(), StatusCode::OK, "{reference}");
        let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
        let body = res.bytes().await.unwrap();
        assert!(!body.is_empty(), "{reference}");
        let expected = match reference.rsplit('.').next() {
            Some("js") => "javascript",
            Some("css") => "text/css",
            Some("png") => "image/png",
            other => panic!("unexpected file type {other:?} of {reference}"),
        };
        assert!(
            content_type.contains(expected),
            "{reference}: {content_type}"
        );
    }
    // The initializer points Swagger UI at the document the service serves, with no online
    // validator (it would send the document to validator.swagger.io).
    let init = app
        .request(Method::GET, "/docs/swagger-initializer.js", None, None)
        .await
        .text()
        .await
        .unwrap();
    assert!(init.contains(r#""url": "/openapi.json""#), "{init}");
    assert!(init.contains(r#""validatorUrl": "none""#), "{init}");
    assert!(!init.contains("://"), "{init}");
    let (status, doc) = json_of(app.request(Method::GET, "/openapi.json", None, None).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["paths"]["/docs"]["get"].is_object());
    // The trailing-slash form answers the page too; a file Swagger UI does not ship is a 404.
    let res = app.request(Method::GET, "/docs/", None, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let (status, body) = json_of(app.request(Method::GET, "/docs/nope.js", None, None).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["type"], "NOT_FOUND");
    app.shut_down().await;
}

#[tokio::test]
async fn metrics_count_requests_by_route_template() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    let path = "/campaigns/65a1b2c3d4e5f60718293a4b";
    for _ in 0..3 {
        app.get(path, &token).await;
    }
    let text = app
        .request(Method::GET, "/metrics", None, None)
        .await
        .text()
        .await
        .unwrap();
    let line = text
        .lines()
        .find(|l| {
            l.starts_with("http_requests_total{")
                && l.contains("method=\"GET\"")
                && l.contains("route=\"/campaigns/{id}\"")
                && l.contains("status=\"404\"")
        })
        .unwrap_or_else(|| panic!("no series for the route template in:\n{text}"));
    let count: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(count >= 3.0, "{line}");
    assert!(
        !text.contains("65a1b2c3d4e5f60718293a4b"),
        "raw ids never become labels"
    );
    assert!(
        text.contains("http_request_duration_seconds_bucket{"),
        "histograms have buckets"
    );
    app.shut_down().await;
}

/// One scrape of `/metrics`: each sample line as (series, value).
async fn scrape(app: &TestApp) -> Vec<(String, f64)> {
    let text = app
        .request(Method::GET, "/metrics", None, None)
        .await
        .text()
        .await
        .unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            Some((series.to_owned(), value.parse().ok()?))
        })
        .collect()
}

/// The value of the series named `name` with all of `labels` (summed over the others).
fn sample(samples: &[(String, f64)], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let matching: Vec<f64> = samples
        .iter()
        .filter(|(series, _)| {
            series.split('{').next() == Some(name)
                && labels
                    .iter()
                    .all(|(k, v)| series.contains(&format!("{k}=\"{v}\"")))
        })
        .map(|(_, v)| *v)
        .collect();
    (!matching.is_empty()).then(|| matching.iter().sum())
}

#[tokio::test]
async fn metrics_cover_dependencies_cache_refresh_outbox_and_the_process() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    let before = scrape(&app).await;
    let created = app.create_campaign(&crate::helpers::draft("Metered")).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let site = created["domain"]["site"].as_str().unwrap().to_owned();
    // The create published the campaign to the cache: reads by id hit it; the first read by
    // domain misses its host pointer and reads the store; an update starts from the store.
    for path in [
        format!("/campaigns/{id}"),
        format!("/campaigns/{id}"),
        format!("/campaigns?domain={site}"),
    ] {
        assert_eq!(app.get(&path, &token).await.status(), StatusCode::OK);
    }
    assert_eq!(
        app.request(
            Method::POST,
            &format!("/campaigns/{id}"),
            Some(&token),
            Some(&serde_json::json!({"name": "Metered again"}))
        )
        .await
        .status(),
        StatusCode::OK
    );
    let refreshed = app
        .request(Method::POST, "/campaigns/refresh", Some(&token), None)
        .await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    app.wait_for_delivery().await;
    let after = scrape(&app).await;
    // The recorder is process-wide and other tests run alongside: compare deltas, at least.
    let delta = |name: &str, labels: &[(&str, &str)]| {
        sample(&after, name, labels).unwrap_or_else(|| panic!("no {name} {labels:?}"))
            - sample(&before, name, labels).unwrap_or(0.0)
    };
    let created = [
        ("method", "POST"),
        ("route", "/campaigns"),
        ("status", "201"),
    ];
    assert!(delta("http_requests_total", &created) >= 1.0);
    assert!(delta("http_request_duration_seconds_count", &created) >= 1.0);
    for (dependency, operation, at_least) in [
        ("campaigns", "findByHost", 1.0),
        ("campaigns", "insert", 1.0),
        ("campaigns", "findById", 1.0),
        ("campaigns", "findByDomain", 1.0),
        ("cache", "getVersioned", 2.0),
        ("cache", "publish", 2.0),
        ("cache", "get", 1.0),
        ("stream", "putRecords", 1.0),
    ] {
        let labels = [("dependency", dependency), ("operation", operation)];
        let calls = delta("dependency_call_duration_seconds_count", &labels);
        assert!(calls >= at_least, "{dependency}.{operation}: {calls}");
    }
    // Explicit buckets, from 0.5 ms to 10 s.
    for le in ["0.0005", "0.1", "10", "+Inf"] {
        let labels = [
            ("dependency", "campaigns"),
            ("operation", "insert"),
            ("le", le),
        ];
        assert!(
            sample(&after, "dependency_call_duration_seconds_bucket", &labels).is_some(),
            "no bucket {le}"
        );
    }
    assert!(delta("cache_requests_total", &[("result", "miss")]) >= 1.0);
    assert!(delta("cache_requests_total", &[("result", "hit")]) >= 1.0);
    for kind in ["opened", "closed", "inactivated", "skipped"] {
        assert!(sample(&after, "refresh_transitions_total", &[("kind", kind)]).is_some());
    }
    assert!(sample(&after, "outbox_backlog", &[]).is_some());
    assert!(sample(&after, "outbox_failed", &[]).is_some());
    assert!(sample(&after, "process_resident_memory_bytes", &[]).is_some_and(|v| v > 0.0));
    assert!(sample(&after, "process_cpu_seconds_total", &[]).is_some());
    assert!(sample(&after, "process_start_time_seconds", &[]).is_some_and(|v| v > 0.0));
    app.shut_down().await;
}

#[tokio::test]
async fn graceful_shutdown_stops_listening() {
    let app = TestApp::spawn().await;
    let url = app.url("/heartbeat");
    app.shut_down().await;
    assert!(
        reqwest::get(url).await.is_err(),
        "nothing listens after shutdown"
    );
}

#[tokio::test]
async fn the_openapi_document_lists_every_endpoint() {
    let app = TestApp::spawn().await;
    let (status, doc) = json_of(app.request(Method::GET, "/openapi.json", None, None).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let expected = [
        ("get", "/heartbeat"),
        ("get", "/health/ready"),
        ("get", "/metrics"),
        ("get", "/openapi.json"),
        ("get", "/docs"),
        ("post", "/campaigns"),
        ("get", "/campaigns"),
        ("get", "/campaigns/status"),
        ("get", "/campaigns/list"),
        ("post", "/campaigns/refresh"),
        ("get", "/campaigns/{id}"),
        ("post", "/campaigns/{id}"),
        ("get", "/campaigns/{id}/status"),
        ("get", "/campaigns/{id}/faqs"),
        ("post", "/campaigns/{id}/faqs"),
        ("get", "/campaigns/{id}/terms"),
        ("post", "/campaigns/{id}/terms"),
        ("get", "/campaigns/{id}/contacts"),
        ("post", "/campaigns/{id}/contacts"),
        ("get", "/campaigns/events"),
        ("get", "/campaigns/ids"),
        ("get", "/campaigns/categoryIds"),
        ("get", "/campaigns/eventIds"),
        ("get", "/campaigns/{id}/markets"),
        ("post", "/campaigns/{id}/markets"),
        ("post", "/campaigns/{id}/markets/clones"),
        ("get", "/campaigns/{id}/markets/{marketId}"),
        ("post", "/campaigns/{id}/markets/{marketId}"),
        ("delete", "/campaigns/{id}/markets/{marketId}"),
        ("get", "/markets/upcoming"),
        ("post", "/markets/notifyDate"),
        ("get", "/markets/notifiable"),
        ("post", "/markets/notified"),
        ("get", "/events"),
        ("post", "/events/{eventId}"),
        ("get", "/contacts"),
        ("get", "/promoters"),
        ("post", "/promoters"),
        ("get", "/promoters/{id}"),
        ("post", "/promoters/{id}"),
        ("delete", "/promoters/{id}"),
        ("get", "/artists"),
        ("get", "/venues"),
    ];
    for (method, path) in expected {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} is not documented"
        );
    }
    app.shut_down().await;
}

/// The real binary outside dev mode, with every line it writes on stdout and stderr.
struct Binary {
    child: std::process::Child,
    stdout: std::thread::JoinHandle<Vec<String>>,
    stderr: std::thread::JoinHandle<Vec<String>>,
    /// The first stdout line, as soon as it is written.
    first: std::sync::mpsc::Receiver<String>,
}

impl Binary {
    /// Starts `campaign-service` with `env` on top of the test's environment cleared of every
    /// `CAMPAIGN_*` and `OTEL_*` variable (cargo sets `CAMPAIGN_DEV_MODE=true` for us).
    fn start(env: &[(&str, String)]) -> Self {
        use std::io::BufRead as _;
        use std::process::{Command, Stdio};

        let mut command = Command::new(env!("CARGO_BIN_EXE_campaign-service"));
        for (name, _) in std::env::vars() {
            if name.starts_with("CAMPAIGN_") || name.starts_with("OTEL_") {
                command.env_remove(name);
            }
        }
        let mut child = command
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let (first_tx, first) = std::sync::mpsc::channel();
        let out = std::io::BufReader::new(child.stdout.take().unwrap());
        let stdout = std::thread::spawn(move || {
            let mut lines = Vec::new();
            for line in out.lines().map_while(Result::ok) {
                if lines.is_empty() {
                    let _ = first_tx.send(line.clone());
                }
                lines.push(line);
            }
            lines
        });
        let err = std::io::BufReader::new(child.stderr.take().unwrap());
        let stderr =
            std::thread::spawn(move || err.lines().map_while(Result::ok).collect::<Vec<_>>());
        Self {
            child,
            stdout,
            stderr,
            first,
        }
    }

    /// Waits (at most 30 s) for the process to exit; its status and every line it wrote.
    fn finish(mut self) -> (std::process::ExitStatus, Vec<String>, Vec<String>) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if std::time::Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the service did not stop within 30 s");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        (
            status,
            self.stdout.join().unwrap(),
            self.stderr.join().unwrap(),
        )
    }
}

/// Parses `line` as one Logstash object (SPEC §10), failing with the whole output otherwise.
fn logstash(line: &str, all: &[String]) -> serde_json::Value {
    let value: serde_json::Value = serde_json::from_str(line)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {line}\nall output:\n{}", all.join("\n")));
    let ts = value["@timestamp"]
        .as_str()
        .unwrap_or_else(|| panic!("{line}"));
    assert!(chrono_parses(ts), "{line}");
    assert!(
        ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"].contains(&value["level"].as_str().unwrap()),
        "{line}"
    );
    assert!(value["message"].is_string(), "{line}");
    assert!(value["path"].is_string(), "{line}");
    assert!(value.get("correlation").is_some(), "{line}");
    assert!(value["data"].is_object(), "{line}");
    value
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outside_dev_mode_every_line_the_binary_writes_is_one_logstash_json_object() {
    let dir = std::env::temp_dir().join(format!("campaign-json-lines-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let key_file = dir.join("public.pem");
    std::fs::write(&key_file, crate::helpers::KEYS.public_pem()).unwrap();
    let token = crate::helpers::KEYS
        .signer()
        .sign(&campaign_api::auth::TokenClaims::supreme(
            "admin-1",
            std::time::Duration::from_secs(600),
        ))
        .unwrap();
    let binary = Binary::start(&[
        ("CAMPAIGN_LISTEN", "127.0.0.1:0".to_owned()),
        ("CAMPAIGN_DEV_MODE", "false".to_owned()),
        (
            "CAMPAIGN_JWT_PUBLIC_KEY_FILE",
            key_file.display().to_string(),
        ),
        ("CAMPAIGN_WORKERS", "2".to_owned()),
        ("RUST_LOG", "info".to_owned()),
    ]);
    let first = binary
        .first
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the service says where it listens");
    let listening = logstash(&first, std::slice::from_ref(&first));
    let address = listening["data"]["address"].as_str().unwrap().to_owned();
    assert!(
        first.contains(&format!("http://{address} ")),
        "the banner keeps the URL readable: {first}"
    );

    let client = reqwest::Client::new();
    let res = client
        .get(format!("http://{address}/campaigns/list"))
        .bearer_auth(&token)
        .header("x-correlation-id", "json-lines-1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = client
        .get(format!("http://{address}/campaigns/list"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    let pid = binary.child.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let (status, stdout, stderr) = tokio::task::spawn_blocking(move || binary.finish())
        .await
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let all: Vec<String> = stdout.iter().chain(&stderr).cloned().collect();
    assert!(status.success(), "{status}\n{}", all.join("\n"));

    let lines: Vec<serde_json::Value> = all.iter().map(|l| logstash(l, &all)).collect();
    for line in &all {
        assert!(!line.contains(&token), "a token was written: {line}");
    }
    let says = |needle: &str| {
        lines
            .iter()
            .any(|l| l["message"].as_str().unwrap().contains(needle))
    };
    // Start-up, the request, the signal and the end are all there, as events.
    assert!(says("tokens: RS256"), "{all:?}");
    assert!(
        lines.iter().any(|l| l["data"]["workers"] == 2),
        "the worker count is logged: {all:?}"
    );
    assert!(
        lines.iter().any(|l| l["data"]["target"] == "access"
            && l["correlation"] == "json-lines-1"
            && l["data"]["status"] == 200),
        "{all:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l["data"]["signal"] == "SIGTERM" && l["level"] == "INFO"),
        "{all:?}"
    );
    assert!(says("campaign-service stopped"), "{all:?}");
}

#[tokio::test]
async fn outside_dev_mode_a_configuration_error_is_one_json_line_naming_the_variable() {
    let binary = Binary::start(&[
        ("CAMPAIGN_LISTEN", "127.0.0.1:0".to_owned()),
        (
            "CAMPAIGN_JWT_PUBLIC_KEY_FILE",
            "/nonexistent.pem".to_owned(),
        ),
        ("CAMPAIGN_WORKERS", "0".to_owned()),
    ]);
    let (status, stdout, stderr) = tokio::task::spawn_blocking(move || binary.finish())
        .await
        .unwrap();
    assert!(!status.success());
    assert!(stdout.is_empty(), "{stdout:?}");
    assert_eq!(stderr.len(), 1, "{stderr:?}");
    let line = logstash(&stderr[0], &stderr);
    assert_eq!(line["level"], "ERROR");
    assert_eq!(line["data"]["variable"], "CAMPAIGN_WORKERS");
    assert!(
        line["message"]
            .as_str()
            .unwrap()
            .contains("CAMPAIGN_WORKERS"),
        "{line}"
    );
}
