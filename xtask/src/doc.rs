//! `cargo xtask ci`'s `doc` step (also `cargo xtask doc`): the workspace's rustdoc with every
//! warning an error — broken intra-doc links, unclosed HTML, bare URLs, invalid code-block
//! attributes — so the published crates' documentation is as checked as their code.
//!
//! Only the workspace's crates are documented (`--no-deps`); their doc examples run with the
//! other tests in the `test` step (`cargo test --workspace` runs doctests).

use std::path::Path;

use crate::cmd;

/// The ci step: `cargo doc --workspace --no-deps` with `RUSTDOCFLAGS=-D warnings`.
pub fn run(root: &Path) -> anyhow::Result<()> {
    cmd::run_with_env(
        root,
        cmd::cargo(),
        &["doc", "--workspace", "--no-deps", "--locked"],
        &[("RUSTDOCFLAGS".to_owned(), "-D warnings".to_owned())],
    )
}
