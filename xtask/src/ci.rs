//! `cargo xtask ci`: the whole check, the command README and `.ci/run` name.
//!
//! Steps run in order and stop at the first failure, naming the step. Each prints a banner and
//! its elapsed time: `fmt`, `clippy`, `layers` ([`crate::layers`]), `deny` (cargo-deny's offline
//! checks, [`crate::deny`]), `doc` (rustdoc with warnings denied, [`crate::doc`]), `openapi` (the
//! service's OpenAPI document through a third-party validator, [`crate::openapi`]),
//! `publish-check` (`cargo publish --dry-run` of the published crates, [`crate::publish`]),
//! `deploy` ([`crate::deploy`]) and `test`. The `test` step starts the local services the tests
//! need (see [`crate::services`]: Redis, a MongoDB-wire server, a real
//! `mongod` for query plans and moto) right before `cargo test`,
//! hands them to it through environment variables, and stops them right after it, also when the
//! tests fail. It runs the whole workspace suite, then the API suite once more with every record
//! on MongoDB (`CAMPAIGN_TEST_STORE=mongodb`; the build is reused).

use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;

use crate::services::{self, Set};
use crate::{cmd, deny, deploy, doc, layers, openapi, publish};

/// One step of the run: a name for the banner and error, and what it does.
struct Step {
    name: &'static str,
    run: fn(&Path) -> anyhow::Result<()>,
}

/// The run order. Services start and stop inside `test`, so they run only while tests do.
const STEPS: &[Step] = &[
    Step {
        name: "fmt",
        run: fmt,
    },
    Step {
        name: "clippy",
        run: clippy,
    },
    Step {
        name: "layers",
        run: layers::run,
    },
    Step {
        name: "deny",
        run: deny::run,
    },
    Step {
        name: "doc",
        run: doc::run,
    },
    Step {
        name: "openapi",
        run: openapi::run,
    },
    Step {
        name: "publish-check",
        run: publish::run,
    },
    Step {
        name: "deploy",
        run: deploy::run,
    },
    Step {
        name: "test",
        run: test,
    },
];

/// Runs every step in order, failing fast with the name of the step that failed.
pub fn run(root: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    for (index, step) in STEPS.iter().enumerate() {
        println!("==> ci [{}/{}] {}", index + 1, STEPS.len(), step.name);
        let step_started = Instant::now();
        (step.run)(root).with_context(|| format!("ci step `{}` failed", step.name))?;
        println!(
            "<== ci {} ok in {:.1} s",
            step.name,
            step_started.elapsed().as_secs_f64()
        );
    }
    println!(
        "ci passed: {} steps in {:.1} s",
        STEPS.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn fmt(root: &Path) -> anyhow::Result<()> {
    cmd::run(root, cmd::cargo(), &["fmt", "--all", "--check"])
}

fn clippy(root: &Path) -> anyhow::Result<()> {
    cmd::run(
        root,
        cmd::cargo(),
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ],
    )
}

/// Starts the services, runs every test with their environment, and stops the services
/// whatever the tests did.
fn test(root: &Path) -> anyhow::Result<()> {
    let env = services::up(root, Set::Ci).context("cannot start the local test services")?;
    let tested = cmd::run_with_env(
        root,
        cmd::cargo(),
        &["test", "--workspace", "--locked"],
        &env,
    )
    .and_then(|()| {
        let mut on_mongodb = env.clone();
        on_mongodb.push(("CAMPAIGN_TEST_STORE".to_owned(), "mongodb".to_owned()));
        println!("==> the API suite again, on MongoDB (CAMPAIGN_TEST_STORE=mongodb)");
        cmd::run_with_env(
            root,
            cmd::cargo(),
            &["test", "-p", "campaign-api", "--test", "api", "--locked"],
            &on_mongodb,
        )
    });
    let stopped = services::down(root, Set::Ci).context("cannot stop the local test services");
    tested.and(stopped)
}
