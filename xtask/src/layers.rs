//! `cargo xtask layers`: the crate dependency rules of SPEC §2, checked from
//! `cargo metadata --no-deps` so the repository needs nothing beside it.
//!
//! Only normal and build dependencies count; dev-dependencies (tests) may assemble anything.
//! - `campaign-domain` depends on no workspace crate and on no I/O or framework crate (nor
//!   `async-trait`);
//! - `campaign-ports` depends on `campaign-domain` only, and on no I/O crate;
//! - `campaign-app` depends on `campaign-domain` and `campaign-ports` only, and on no adapter
//!   technology (tokio's runtime-neutral parts are allowed);
//! - every `campaign-adapter-*` depends only on `campaign-domain` and `campaign-ports` among the
//!   workspace crates;
//! - `campaign-http-types` (the HTTP contract, shared with clients: ADR 0020) depends on
//!   `campaign-domain` only, and on no I/O or server crate;
//! - `campaign-client` depends on `campaign-domain` and `campaign-http-types` only, and on no
//!   server or store crate (its own HTTP client and runtime are allowed).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use anyhow::{Context as _, bail};
use serde_json::Value;

/// Name prefixes of crates that do I/O or tie code to a framework.
const IO: &[&str] = &[
    "tokio",
    "actix",
    "mongodb",
    "bson",
    "fred",
    "redis",
    "reqwest",
    "hyper",
    "aws-",
    "opentelemetry",
    "tracing-opentelemetry",
    "metrics-exporter",
    "sqlx",
    "rusqlite",
];

/// The packages that must exist in the workspace.
const EXPECTED: &[&str] = &[
    "campaign-domain",
    "campaign-ports",
    "campaign-app",
    "campaign-api",
];

/// The rule of one pure layer: the workspace crates it may name, and the external prefixes it
/// must not.
struct Rule {
    package: &'static str,
    may_use: &'static [&'static str],
    forbidden: fn(&str) -> bool,
}

fn io(name: &str) -> bool {
    IO.iter().any(|p| name.starts_with(p))
}

fn io_or_async_trait(name: &str) -> bool {
    io(name) || name == "async-trait"
}

fn adapter_technology(name: &str) -> bool {
    io(name) && !name.starts_with("tokio")
}

fn server_or_store(name: &str) -> bool {
    io(name)
        && !["tokio", "reqwest", "hyper"]
            .iter()
            .any(|p| name.starts_with(p))
}

const RULES: &[Rule] = &[
    Rule {
        package: "campaign-domain",
        may_use: &[],
        forbidden: io_or_async_trait,
    },
    Rule {
        package: "campaign-ports",
        may_use: &["campaign-domain"],
        forbidden: io,
    },
    Rule {
        package: "campaign-app",
        may_use: &["campaign-domain", "campaign-ports"],
        forbidden: adapter_technology,
    },
    Rule {
        package: "campaign-http-types",
        may_use: &["campaign-domain"],
        forbidden: io,
    },
    Rule {
        package: "campaign-client",
        may_use: &["campaign-domain", "campaign-http-types"],
        forbidden: server_or_store,
    },
];

/// What adapters may name among the workspace crates.
const ADAPTER_MAY_USE: &[&str] = &["campaign-domain", "campaign-ports"];

/// Runs the check from the workspace root; fails listing every broken rule.
pub fn run(root: &Path) -> anyhow::Result<()> {
    let output = Command::new(crate::cmd::cargo())
        .args(["metadata", "--no-deps", "--format-version", "1", "--locked"])
        .current_dir(root)
        .output()
        .context("cannot run cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let metadata: Value =
        serde_json::from_slice(&output.stdout).context("cargo metadata printed no JSON")?;
    let (checked, problems) = check(&metadata)?;
    if problems.is_empty() {
        println!("layers hold: {checked} workspace packages checked");
        Ok(())
    } else {
        for line in &problems {
            println!("{line}");
        }
        bail!("{} layer rule(s) broken", problems.len())
    }
}

/// The number of workspace packages and every broken rule, one line each.
fn check(metadata: &Value) -> anyhow::Result<(usize, Vec<String>)> {
    let packages = metadata["packages"]
        .as_array()
        .context("cargo metadata has no `packages`")?;
    let name_of = |p: &Value| p["name"].as_str().unwrap_or_default().to_owned();
    let members: BTreeSet<String> = packages.iter().map(name_of).collect();
    let mut problems: Vec<String> = EXPECTED
        .iter()
        .filter(|e| !members.contains(**e))
        .map(|e| format!("missing workspace package {e}"))
        .collect();
    for package in packages {
        let name = name_of(package);
        let deps: Vec<&str> = package["dependencies"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter(|d| matches!(d["kind"].as_str(), None | Some("build")))
            .filter_map(|d| d["name"].as_str())
            .collect();
        let inner: BTreeSet<&str> = deps
            .iter()
            .copied()
            .filter(|d| members.contains(*d))
            .collect();
        if let Some(rule) = RULES.iter().find(|r| r.package == name) {
            for d in inner.iter().filter(|d| !rule.may_use.contains(d)) {
                problems.push(format!("{name} must not depend on {d}"));
            }
            for d in deps
                .iter()
                .filter(|d| !members.contains(**d) && (rule.forbidden)(d))
            {
                problems.push(format!("{name} must stay pure but depends on {d}"));
            }
        } else if name.starts_with("campaign-adapter-") {
            for d in inner.iter().filter(|d| !ADAPTER_MAY_USE.contains(d)) {
                problems.push(format!(
                    "{name} must depend only on domain and ports, not {d}"
                ));
            }
        }
    }
    Ok((members.len(), problems))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn package(name: &str, deps: &[(&str, Option<&str>)]) -> Value {
        let deps: Vec<Value> = deps
            .iter()
            .map(|(d, kind)| json!({"name": d, "kind": kind}))
            .collect();
        json!({"name": name, "dependencies": deps})
    }

    fn workspace(extra: Vec<Value>) -> Value {
        let mut packages = vec![
            package(
                "campaign-domain",
                &[("serde", None), ("proptest", Some("dev"))],
            ),
            package(
                "campaign-ports",
                &[("campaign-domain", None), ("async-trait", None)],
            ),
            package(
                "campaign-app",
                &[
                    ("campaign-domain", None),
                    ("campaign-ports", None),
                    ("tokio", None),
                    ("campaign-adapter-memory", Some("dev")),
                ],
            ),
            package(
                "campaign-adapter-redis",
                &[("campaign-ports", None), ("fred", None)],
            ),
            package(
                "campaign-api",
                &[("campaign-app", None), ("actix-web", None)],
            ),
        ];
        packages.extend(extra);
        json!({ "packages": packages })
    }

    #[test]
    fn the_layers_of_spec_section_2_hold_for_a_sound_workspace() {
        let (checked, problems) = check(&workspace(Vec::new())).unwrap();
        assert_eq!(checked, 5);
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn every_broken_rule_is_named() {
        let mut metadata = workspace(vec![
            package(
                "campaign-adapter-mongo",
                &[("campaign-app", None), ("mongodb", None)],
            ),
            package(
                "campaign-http-types",
                &[
                    ("campaign-app", None),
                    ("actix-web", None),
                    ("utoipa", None),
                ],
            ),
            package(
                "campaign-client",
                &[
                    ("campaign-http-types", None),
                    ("campaign-api", None),
                    ("reqwest", None),
                    ("tokio", None),
                    ("mongodb", None),
                ],
            ),
        ]);
        let packages = metadata["packages"].as_array_mut().unwrap();
        packages[0] = package(
            "campaign-domain",
            &[("tokio", None), ("async-trait", Some("build"))],
        );
        packages[1] = package(
            "campaign-ports",
            &[
                ("campaign-domain", None),
                ("campaign-app", None),
                ("reqwest", None),
            ],
        );
        packages[2] = package("campaign-app", &[("aws-sdk-sqs", None)]);
        let (_, problems) = check(&metadata).unwrap();
        assert_eq!(
            problems,
            [
                "campaign-domain must stay pure but depends on tokio",
                "campaign-domain must stay pure but depends on async-trait",
                "campaign-ports must not depend on campaign-app",
                "campaign-ports must stay pure but depends on reqwest",
                "campaign-app must stay pure but depends on aws-sdk-sqs",
                "campaign-adapter-mongo must depend only on domain and ports, not campaign-app",
                "campaign-http-types must not depend on campaign-app",
                "campaign-http-types must stay pure but depends on actix-web",
                "campaign-client must not depend on campaign-api",
                "campaign-client must stay pure but depends on mongodb",
            ]
        );
    }

    #[test]
    fn a_missing_layer_is_reported() {
        let metadata = json!({"packages": [package("campaign-domain", &[])]});
        let (_, problems) = check(&metadata).unwrap();
        assert!(problems.contains(&"missing workspace package campaign-api".to_owned()));
    }

    #[test]
    fn the_real_workspace_holds() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        run(&root).unwrap();
    }
}
