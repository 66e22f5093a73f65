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

use std::process::Command;
use std::sync::{Arc, Mutex, PoisonError};

use campaign_domain::uuid::Uuid;
use campaign_domain::values::CampaignId;
use campaign_ports::testing::services::PrivateServer;
use mongodb::bson::doc;
use mongodb::event::EventHandler;
use mongodb::event::command::CommandEvent;

use crate::documents::object_id;
use crate::{MongoSettings, MongoStore};

/// The test server's URI.
pub const URI_VARIABLE: &str = "CAMPAIGN_TEST_MONGODB_URI";
/// The mongo-wire-server launcher jar, for private servers.
pub const SERVER_JAR_VARIABLE: &str = "CAMPAIGN_TEST_MONGODB_SERVER_JAR";

/// The value of a test variable; panics with how to start the server when it is missing.
/// ([`URI_VARIABLE`] may name a real `mongod` instead.)
pub fn variable(name: &str) -> String {
    campaign_ports::testing::services::required_test_variable(name, "a MongoDB test")
}

/// The test server's URI.
pub fn uri() -> String {
    variable(URI_VARIABLE)
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

/// The commands a store sent to its database, by name (`find`, `update`, `findAndModify`,
/// ...), in the order they started: the driver's command monitoring, so every round trip is
/// seen, `getMore` and `killCursors` included. Handshakes and heartbeats are not commands of
/// the database and are not listed.
#[derive(Debug, Clone, Default)]
pub struct CommandLog(Arc<Mutex<Vec<String>>>);

impl CommandLog {
    /// The commands sent since the last call (or since the store connected), oldest first; the
    /// log starts empty again.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn push(&self, name: String) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(name);
    }
}

/// [`fresh_store`] with every command it sends to its database recorded in the returned log
/// (empty once connected: the start-up `ping` and `createIndexes` are not in it). For tests that
/// count the round trips of an operation.
pub async fn counted_store() -> (MongoStore, CommandLog) {
    let settings = fresh_settings();
    let log = CommandLog::default();
    let recorder = log.clone();
    let database = settings.database.clone();
    let store = MongoStore::connect_with(&settings, move |options| {
        options.command_event_handler = Some(EventHandler::callback(move |event| {
            if let CommandEvent::Started(started) = event
                && started.db == database
            {
                recorder.push(started.command_name);
            }
        }));
    })
    .await
    .unwrap_or_else(|e| panic!("cannot connect to the test MongoDB ({settings:?}): {e}"));
    log.take();
    (store, log)
}

/// Makes the stored campaign `id` undecodable, as a hand edit or another version of the service
/// could leave it: its `status` becomes `ARCHIVED`, which no version writes. Reads of it then
/// fail with `StoreError::Internal` (500 `INTERNAL_ERROR` at the API), not `Unavailable`.
pub async fn make_campaign_undecodable(store: &MongoStore, id: &CampaignId) {
    let updated = store
        .campaigns
        .update_one(
            doc! {"_id": object_id(id)},
            doc! {"$set": {"status": "ARCHIVED"}},
        )
        .await
        .expect("the test MongoDB answers");
    assert_eq!(updated.matched_count, 1, "no stored campaign {id}");
}

/// A mongo-wire-server of a test's own (in memory), which the test stops and starts again on
/// the same port to play an outage. Killed when dropped.
#[derive(Debug)]
pub struct PrivateMongo(PrivateServer);

impl PrivateMongo {
    /// Starts one on a free port and waits until it accepts connections.
    pub fn start() -> Self {
        let jar = variable(SERVER_JAR_VARIABLE);
        Self(PrivateServer::start(move |port| {
            let mut command = Command::new("java");
            command
                .args(["-jar", &jar, "--host", "127.0.0.1", "--port"])
                .arg(port.to_string());
            command
        }))
    }

    /// Its URI.
    pub fn uri(&self) -> String {
        format!("mongodb://127.0.0.1:{}", self.0.port())
    }

    /// Stops it (everything it held is gone).
    pub fn stop(&mut self) {
        self.0.stop();
    }

    /// Starts it again on the same port, empty, and waits until it accepts connections.
    pub fn restart(&mut self) {
        self.0.restart();
    }
}
