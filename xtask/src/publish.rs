//! `cargo xtask publish-check`: `cargo publish --dry-run` of the crates other teams use,
//! `campaign-domain` and `campaign-ports`, together, so the packaged `campaign-ports` is verified
//! against the packaged `campaign-domain` rather than a release on crates.io.
//!
//! The dry run packages each crate as it would be uploaded (manifest metadata, README, only the
//! files the package holds) and builds the packages in `target/package/`; nothing is uploaded.
//! `--allow-dirty` lets it run on a work tree with uncommitted changes.

use std::path::Path;

use crate::cmd;

/// The crates published for other teams, in dependency order.
pub const PUBLISHED: &[&str] = &["campaign-domain", "campaign-ports"];

/// Packages and verifies the published crates without uploading them.
pub fn run(root: &Path) -> anyhow::Result<()> {
    let mut args = vec!["publish", "--dry-run", "--locked", "--allow-dirty"];
    for package in PUBLISHED {
        args.extend(["--package", package]);
    }
    cmd::run(root, cmd::cargo(), &args)
}
