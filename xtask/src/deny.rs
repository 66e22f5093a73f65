//! `cargo xtask ci`'s `deny` step (also `cargo xtask deny`): cargo-deny's offline checks of the
//! dependency tree against `deny.toml` — licences, banned crates, sources.
//!
//! `cargo fetch --locked` first brings every package of `Cargo.lock` (all targets) from the
//! registry, as the build would; then `cargo deny --offline check licenses bans sources` reads the
//! tree with `cargo metadata --offline` and needs no network at all. Advisories are not checked:
//! they need the RustSec database from the network.
//!
//! Only errors are printed, then each check's counts: crates in two versions are warnings
//! (`deny.toml`), listed by `cargo-deny deny check bans` (the binary this step installed).
//!
//! cargo-deny is installed with `cargo install --locked` (a pinned release, compiled from
//! crates.io: a few minutes the first time) when missing, into the user's cache
//! (`$XDG_CACHE_HOME` or `~/.cache`, under `campaign-service/tools/`) so that a fresh clone on
//! the same machine finds it, or into `target/tools/` when there is no home folder.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context as _, ensure};

use crate::{cmd, deploy};

/// cargo-deny release installed from crates.io.
const CARGO_DENY_VERSION: &str = "0.20.2";

/// The ci step: fetch, install cargo-deny when missing, run its offline checks.
pub fn run(root: &Path) -> anyhow::Result<()> {
    cmd::run(root, cmd::cargo(), &["fetch", "--locked"])
        .context("cannot fetch the packages of Cargo.lock")?;
    let cargo_deny = cargo_deny(root)?;
    cmd::run(
        root,
        cargo_deny,
        &[
            "deny",
            "--offline",
            "--locked",
            "--log-level",
            "error",
            "check",
            "--show-stats",
            "licenses",
            "bans",
            "sources",
        ],
    )
}

/// The per-user folder for tools built once and shared by every clone: `$XDG_CACHE_HOME` (or
/// `~/.cache`) `/campaign-service/tools`.
pub(crate) fn shared_tools_dir() -> Option<PathBuf> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|home| PathBuf::from(home).join(".cache"))
        })?;
    Some(cache.join("campaign-service").join("tools"))
}

/// cargo-deny, installed with `cargo install` into a folder named after its version when
/// missing.
fn cargo_deny(root: &Path) -> anyhow::Result<PathBuf> {
    let install_root = shared_tools_dir()
        .unwrap_or_else(|| deploy::tools_dir(root))
        .join(format!("cargo-deny-{CARGO_DENY_VERSION}"));
    let cargo_deny = install_root.join("bin").join("cargo-deny");
    if cargo_deny.is_file() {
        return Ok(cargo_deny);
    }
    println!(
        "installing cargo-deny {CARGO_DENY_VERSION} with cargo install into {} (minutes)",
        install_root.display()
    );
    let started = Instant::now();
    let install_root_arg = install_root.to_string_lossy().into_owned();
    cmd::run(
        root,
        cmd::cargo(),
        &[
            "install",
            "--locked",
            "cargo-deny",
            "--version",
            CARGO_DENY_VERSION,
            "--root",
            &install_root_arg,
        ],
    )
    .context("cannot build cargo-deny (needs the crates.io registry)")?;
    ensure!(
        cargo_deny.is_file(),
        "cargo install cargo-deny left no binary at {}",
        cargo_deny.display()
    );
    println!(
        "cargo-deny installed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(cargo_deny)
}
