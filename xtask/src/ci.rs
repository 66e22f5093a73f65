//! `cargo xtask ci`: the whole check, the command README and `.ci/run` name.
//!
//! Steps run in order and stop at the first failure, naming the step. Each prints a banner and
//! its elapsed time. Local services the tests need (see [`crate::services`]) will start right
//! before the `test` step and stop after it.

use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;

use crate::{cmd, layers};

/// One step of the run: a name for the banner and error, and what it does.
struct Step {
    name: &'static str,
    run: fn(&Path) -> anyhow::Result<()>,
}

/// The run order. Service start (Redis, a Mongo-wire server, moto) goes right before `test`,
/// and their stop right after it, once the first adapter needs them.
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

fn test(root: &Path) -> anyhow::Result<()> {
    cmd::run(root, cmd::cargo(), &["test", "--workspace", "--locked"])
}
