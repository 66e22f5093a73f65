//! Repository rules checked as plain tests: README and CI agree on the test command, and every
//! Rust file opens with a `//!` comment (STYLE item 14).

use std::fs;
use std::path::{Path, PathBuf};

use crate::workspace_root;

const RUN_COMMAND: &str = "cargo run -p campaign-api";
const TEST_COMMAND: &str = "cargo xtask ci";

#[test]
fn readme_opens_with_the_run_and_test_commands() {
    let readme = read(&workspace_root().join("README.md"));
    let mut blocks = readme.split("```").skip(1);
    let first_block = blocks.next().unwrap_or_default();
    let commands: Vec<&str> = first_block
        .lines()
        .skip(1) // the info string, e.g. `sh`
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect();
    assert_eq!(commands, [RUN_COMMAND, TEST_COMMAND]);
    let before_block = readme.split("```").next().unwrap_or_default();
    assert!(
        before_block
            .lines()
            .all(|line| line.trim().is_empty() || line.starts_with("# ")),
        "README must open with the commands, after at most its title"
    );
}

#[test]
fn ci_runs_the_readme_test_command() {
    let script = read(&workspace_root().join(".ci").join("run"));
    let commands: Vec<&str> = script
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("cargo "))
        .collect();
    assert_eq!(commands, [TEST_COMMAND]);
}

#[test]
fn every_rust_file_opens_with_a_module_comment() {
    let root = workspace_root();
    let mut files = Vec::new();
    for top in ["crates", "xtask"] {
        collect_rust_files(&root.join(top), &mut files);
    }
    assert!(!files.is_empty());
    let missing: Vec<String> = files
        .iter()
        .filter(|file| !read(file).starts_with("//!"))
        .map(|file| {
            file.strip_prefix(&root)
                .unwrap_or(file)
                .display()
                .to_string()
        })
        .collect();
    assert!(
        missing.is_empty(),
        "files without a leading `//!` comment: {missing:?}"
    );
}

fn collect_rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|err| panic!("{}: {err}", dir.display()));
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().is_some_and(|name| name != "target") {
                collect_rust_files(&path, files);
            }
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}
