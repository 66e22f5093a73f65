//! Running child processes: echo the command, run it in the workspace root, and report a
//! failure with its exit code so `main` can exit with the same code.

use std::ffi::OsString;
use std::fmt;
use std::path::Path;
use std::process::Command;

use anyhow::Context as _;

/// A child process that ran and did not succeed.
#[derive(Debug)]
pub struct CommandFailed {
    /// The command line, for the message.
    pub command: String,
    /// The exit code, or `None` when the process was ended by a signal.
    pub code: Option<i32>,
}

impl fmt::Display for CommandFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code {
            Some(code) => write!(f, "`{}` exited with code {code}", self.command),
            None => write!(f, "`{}` was ended by a signal", self.command),
        }
    }
}

impl std::error::Error for CommandFailed {}

/// The cargo that runs this xtask (the pinned toolchain's), or `cargo` from `PATH`.
pub fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"))
}

/// Runs `program args..` in `root`, inheriting stdio; fails with [`CommandFailed`] on a
/// non-zero exit and with a plain error when the program cannot be started at all.
pub fn run(root: &Path, program: impl Into<OsString>, args: &[&str]) -> anyhow::Result<()> {
    run_with_env(root, program, args, &[])
}

/// [`run`] with these extra environment variables set for the child.
pub fn run_with_env(
    root: &Path,
    program: impl Into<OsString>,
    args: &[&str],
    env: &[(String, String)],
) -> anyhow::Result<()> {
    let program = program.into();
    let command = display(&program, args);
    println!("$ {command}");
    let status = Command::new(&program)
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(root)
        .status()
        .with_context(|| format!("cannot start `{command}` (is it installed and on PATH?)"))?;
    if status.success() {
        Ok(())
    } else {
        Err(CommandFailed {
            command,
            code: status.code(),
        }
        .into())
    }
}

/// The command line as a person would type it, with the program's file name only.
pub fn display(program: &OsString, args: &[&str]) -> String {
    let name = Path::new(program)
        .file_name()
        .unwrap_or(program)
        .to_string_lossy();
    std::iter::once(name.as_ref())
        .chain(args.iter().copied())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The exit code xtask passes on: the failed child's own code, else 1.
pub fn exit_code_of(err: &anyhow::Error) -> u8 {
    err.downcast_ref::<CommandFailed>()
        .and_then(|failed| failed.code)
        .and_then(|code| u8::try_from(code).ok())
        .filter(|&code| code != 0)
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(code: Option<i32>) -> anyhow::Error {
        anyhow::Error::new(CommandFailed {
            command: "cargo test".to_owned(),
            code,
        })
        .context("ci step `test` failed")
    }

    #[test]
    fn a_failed_child_passes_its_exit_code_on_through_the_step_context() {
        assert_eq!(exit_code_of(&failed(Some(101))), 101);
    }

    #[test]
    fn a_signal_or_any_other_error_exits_with_1() {
        assert_eq!(exit_code_of(&failed(None)), 1);
        assert_eq!(exit_code_of(&anyhow::anyhow!("script not found")), 1);
    }

    #[test]
    fn a_program_that_cannot_start_is_named() {
        let err = run(Path::new("."), "no-such-program-xtask", &[]).unwrap_err();
        assert!(
            format!("{err:#}").contains("cannot start `no-such-program-xtask`"),
            "{err:#}"
        );
        assert_eq!(exit_code_of(&err), 1);
    }
}
