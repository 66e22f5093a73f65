//! Test support (feature `testing`): where the test server is, and fresh databases on it.
//!
//! `cargo xtask ci` (or `cargo xtask services up`) starts a MongoDB-wire server on 127.0.0.1
//! (mongo-java-server, `tools/mongo-wire-server`) and hands it to the tests as
//! `CAMPAIGN_TEST_MONGODB_URI`, also written to `target/services/test.env` so a plain
//! `cargo test` after `services up` finds it. Set the variable yourself to run the suite
//! against a real `mongod` instead. When it is missing, the tests fail with a message saying
//! how to start the server: a MongoDB test never passes without MongoDB.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "test support: a failed expectation is a failed test"
)]

use std::path::PathBuf;

use campaign_domain::uuid::Uuid;

use crate::{MongoSettings, MongoStore};

/// The test server's URI.
pub const URI_VARIABLE: &str = "CAMPAIGN_TEST_MONGODB_URI";

/// `<workspace>/target/services/test.env`, written by `cargo xtask services up`.
fn env_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../target/services/test.env")
}

/// The test server's URI: the environment first, then `target/services/test.env`; panics with
/// how to start the server when neither has it.
pub fn uri() -> String {
    if let Ok(value) = std::env::var(URI_VARIABLE)
        && !value.is_empty()
    {
        return value;
    }
    if let Ok(file) = std::fs::read_to_string(env_file()) {
        for line in file.lines() {
            if let Some((key, value)) = line.split_once('=')
                && key.trim() == URI_VARIABLE
                && !value.trim().is_empty()
            {
                return value.trim().to_owned();
            }
        }
    }
    panic!(
        "{URI_VARIABLE} is not set: the MongoDB tests need a MongoDB-wire server. Run the whole \
         suite with `cargo xtask ci`, or start the server with `cargo xtask services up` (and \
         stop it with `cargo xtask services down`) before `cargo test`, or point \
         {URI_VARIABLE} at a real mongod."
    )
}

/// A database name no other test uses: `campaign_test_<uuid>`.
pub fn unique_database() -> String {
    format!("campaign_test_{}", Uuid::new_v4().simple())
}

/// Settings for a fresh database on the test server.
pub fn fresh_settings() -> MongoSettings {
    MongoSettings::new(uri(), unique_database())
}

/// A connected store on a fresh database of the test server, indexes created.
pub async fn fresh_store() -> MongoStore {
    let settings = fresh_settings();
    MongoStore::connect(&settings)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to the test MongoDB ({settings:?}): {e}"))
}
