//! `cargo xtask`: the one entry point for developer automation (see `.cargo/config.toml`).
//!
//! Each subcommand lives in its own module; this file only parses the command line, dispatches,
//! and turns a failed child process into the same exit code for the caller.
#![allow(
    clippy::print_stdout,
    reason = "xtask reports its progress on the terminal"
)]

mod bench;
mod ci;
mod cmd;
mod deny;
mod deploy;
mod doc;
mod fuzz;
mod layers;
mod mongo;
mod mongod;
mod moto;
mod openapi;
mod publish;
mod services;
#[cfg(test)]
mod tidy;
mod token;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Developer automation for campaign-service.
#[derive(Debug, Parser)]
#[command(name = "xtask", bin_name = "cargo xtask", version, about)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Run the whole check: formatting, clippy, the layer check, cargo-deny, rustdoc, the
    /// OpenAPI document's validation, the publish dry run, the deployment checks, then every test
    /// (with the local services started around it).
    Ci,
    /// Start or stop the local services the tests need (Redis primary and replica, an in-memory
    /// MongoDB-protocol server unless CAMPAIGN_TEST_MONGODB_URI is set, moto, and a real mongod
    /// for the query-plan test unless CAMPAIGN_TEST_MONGOD_URI is set).
    Services {
        #[command(subcommand)]
        action: ServicesAction,
    },
    /// Check the crate dependency rules (SPEC §2) from `cargo metadata`.
    Layers,
    /// Check licences, banned crates and sources of the dependency tree against deny.toml with
    /// cargo-deny, offline (installs cargo-deny into target/tools when missing).
    Deny,
    /// Build the workspace's rustdoc with warnings denied.
    Doc,
    /// Export the service's OpenAPI document to target/openapi/openapi.json and validate it with
    /// openapi-spec-validator (installed from PyPI into the user's tool cache when missing).
    OpenapiCheck,
    /// `cargo publish --dry-run` of campaign-domain and campaign-ports: package and verify them
    /// without uploading.
    PublishCheck,
    /// Lint the Dockerfile and the Helm chart, render the chart and check it (installs hadolint
    /// and helm into target/tools when missing).
    Deploy,
    /// Mint a token for a running dev-mode service; prints only the token.
    Token(token::TokenArgs),
    /// Measure throughput, latency and memory against SPEC §12 (release build, wrk).
    Bench(bench::BenchArgs),
    /// Fuzz every operation of /openapi.json with schemathesis, all its checks and phases
    /// (stateful included); fails on any failed check.
    Fuzz(fuzz::FuzzArgs),
}

#[derive(Debug, Subcommand)]
enum ServicesAction {
    /// (Re)start them on free 127.0.0.1 ports; prints their environment as `export` lines.
    Up,
    /// Stop them.
    Down,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = workspace_root();
    let outcome = match cli.task {
        Task::Ci => ci::run(&root),
        Task::Services { action } => match action {
            ServicesAction::Up => services::up_command(&root),
            ServicesAction::Down => services::down_command(&root),
        },
        Task::Layers => layers::run(&root),
        Task::Deny => deny::run(&root),
        Task::Doc => doc::run(&root),
        Task::OpenapiCheck => openapi::run(&root),
        Task::PublishCheck => publish::run(&root),
        Task::Deploy => deploy::run(&root),
        Task::Token(args) => token::run(&args),
        Task::Bench(args) => bench::run(&root, &args),
        Task::Fuzz(args) => fuzz::run(&root, &args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: error: {err:#}");
            ExitCode::from(cmd::exit_code_of(&err))
        }
    }
}

/// The workspace root: the parent of this crate's manifest directory.
fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map_or_else(|| manifest_dir.to_path_buf(), Path::to_path_buf)
}
