//! `cargo xtask layers`: the crate dependency rules of SPEC §2, checked by the shared script
//! `check-layers.py`, which sits in the `shared` folder beside the repository.

use std::path::{Path, PathBuf};

use crate::cmd;

/// Runs the layer check from the workspace root.
pub fn run(root: &Path) -> anyhow::Result<()> {
    let script = script(root)?;
    cmd::run(root, "python3", &[&script.to_string_lossy()])
}

/// `<workspace root>/../shared/tools/check-layers.py`, or an error saying where it was expected.
fn script(root: &Path) -> anyhow::Result<PathBuf> {
    let expected = expected_script(root);
    if expected.is_file() {
        Ok(expected)
    } else {
        anyhow::bail!(
            "layer-check script not found: expected it at {} (the `shared` folder beside the repository)",
            expected.display()
        )
    }
}

fn expected_script(root: &Path) -> PathBuf {
    root.join("..")
        .join("shared")
        .join("tools")
        .join("check-layers.py")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_script_is_reported_with_the_path_where_it_was_expected() {
        let root = Path::new("/nonexistent-campaign-repo/main");
        let err = script(root).unwrap_err().to_string();
        assert!(err.contains("layer-check script not found"), "{err}");
        assert!(
            err.contains("/nonexistent-campaign-repo/main/../shared/tools/check-layers.py"),
            "{err}"
        );
    }
}
