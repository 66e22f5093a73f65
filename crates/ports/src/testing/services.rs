//! Where the local test servers are: `cargo xtask ci` hands them to the tests as environment
//! variables (`CAMPAIGN_TEST_*`), and `cargo xtask services up` also writes them to
//! `target/services/test.env`, so a plain `cargo test` after it finds them too.

use std::path::PathBuf;

/// `<workspace>/target/services/test.env`.
fn env_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/services/test.env")
}

/// The value of the test variable `name`: the environment first, then
/// `target/services/test.env`; `None` when neither has a non-empty value.
pub fn test_variable(name: &str) -> Option<String> {
    if let Ok(value) = std::env::var(name)
        && !value.is_empty()
    {
        return Some(value);
    }
    let file = std::fs::read_to_string(env_file()).ok()?;
    file.lines().find_map(|line| {
        let (key, value) = line.split_once('=')?;
        let value = value.trim();
        (key.trim() == name && !value.is_empty()).then(|| value.to_owned())
    })
}

/// The value of the test variable `name`; panics saying how to start the servers when it is
/// missing: a test that needs a real server never passes without it.
pub fn required_test_variable(name: &str, what: &str) -> String {
    test_variable(name).unwrap_or_else(|| {
        panic!(
            "{name} is not set: {what} needs the local test servers. Run the whole suite with \
             `cargo xtask ci`, or start the servers with `cargo xtask services up` (and stop \
             them with `cargo xtask services down`) before `cargo test`."
        )
    })
}
