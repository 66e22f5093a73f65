//! The repositories and the outbox of campaign-service on MongoDB, through the official
//! `mongodb` driver (SPEC §2, §7.3, §7.4, §8).
//!
//! [`MongoStore`] implements every repository port and the [`Outbox`](campaign_ports::Outbox):
//! - one shared driver `Client` (a connection pool per server; see [`MongoSettings`] for its
//!   sizes and timeouts), one collection per record kind: `campaigns`, `markets`, `promoters`,
//!   `contacts`, `events`, plus `outbox` and `counters` for the delivery side;
//! - each record kind has its own document type (see `documents`), converted from and to the
//!   domain's record and (de)serialised by the `bson` crate: the domain types stay free of
//!   BSON;
//! - indexes are created idempotently by [`MongoStore::connect`] (see `indexes`);
//! - uniqueness (a campaign's site domain, a market's name and event ids within its campaign)
//!   is enforced by unique indexes, so it holds under concurrent writers; a lost race comes
//!   back as the port's conflict error, never as a 500;
//! - updates are one conditional write on the version the caller read (`version` in the
//!   filter, nothing read first), which also makes status transitions conditional;
//! - it also implements the [`IdempotencyStore`](campaign_ports::IdempotencyStore) of
//!   `Idempotency-Key` (collection `idempotency_keys`, see `idempotency`), on the same database;
//! - a write and the outbox events it owes are one single-document write: the events are
//!   appended to the changed document's `_outbox` array and moved to the `outbox` collection
//!   by the relay (ADR 0012). No multi-document transaction (and so no replica set) is needed;
//! - a stored document that does not decode (or a record that cannot be encoded) is
//!   `StoreError::Internal` (500 at the API); every other driver failure is
//!   `StoreError::Unavailable` (503 at the API), and the driver reconnects by itself when the
//!   server is back.
//!
//! Architecture invariant: this crate depends on `campaign-domain` and `campaign-ports` only
//! among the workspace crates, and nothing outside it sees a driver or BSON type.

mod campaigns;
mod contacts;
mod documents;
mod errors;
mod events;
mod idempotency;
mod indexes;
mod markets;
mod outbox;
mod promoters;
#[cfg(all(test, feature = "testing"))]
mod query_plans;
mod reads;
mod settings;
#[cfg(feature = "testing")]
pub mod testing;
mod writes;

use mongodb::bson::{Document, doc};
use mongodb::options::ClientOptions;
use mongodb::{Client, Collection, Database};

pub use crate::settings::MongoSettings;

/// Why [`MongoStore::connect`] failed. Each message names what to fix.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The URI does not parse (the message never repeats a password).
    #[error("CAMPAIGN_MONGODB_URI is not a valid MongoDB URI: {0}")]
    InvalidUri(String),
    /// The database name is not usable.
    #[error("CAMPAIGN_MONGODB_DATABASE is not a valid database name: {0}")]
    InvalidDatabase(String),
    /// No server answered within the server selection timeout.
    #[error("MongoDB is unreachable: {0}")]
    Unreachable(String),
    /// The indexes could not be created (e.g. an index of the same name with other options).
    #[error("cannot create the MongoDB indexes: {0}")]
    Indexes(String),
}

/// The MongoDB store: every repository port and the outbox over one client. Cheap to clone.
#[derive(Clone)]
pub struct MongoStore {
    db: Database,
    campaigns: Collection<Document>,
    markets: Collection<Document>,
    promoters: Collection<Document>,
    contacts: Collection<Document>,
    events: Collection<Document>,
    outbox: Collection<Document>,
    counters: Collection<Document>,
}

impl std::fmt::Debug for MongoStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MongoStore")
            .field("database", &self.db.name())
            .finish_non_exhaustive()
    }
}

impl MongoStore {
    /// Connects, checks that the server answers, and creates the indexes (idempotent).
    pub async fn connect(settings: &MongoSettings) -> Result<Self, ConnectError> {
        Self::connect_with(settings, |_| {}).await
    }

    /// [`connect`](Self::connect) with `tune` applied to the driver's options last (tests add
    /// a command monitor with it).
    pub(crate) async fn connect_with(
        settings: &MongoSettings,
        tune: impl FnOnce(&mut ClientOptions),
    ) -> Result<Self, ConnectError> {
        let store = Self::client_with(settings, tune).await?;
        store
            .db
            .run_command(doc! {"ping": 1})
            .await
            .map_err(|e| ConnectError::Unreachable(e.to_string()))?;
        indexes::ensure(&store)
            .await
            .map_err(|e| ConnectError::Indexes(e.to_string()))?;
        Ok(store)
    }

    /// Builds the client without contacting the server (it connects lazily, and reconnects by
    /// itself). `connect` is the start-up path; this one is for tests of outages.
    pub async fn client(settings: &MongoSettings) -> Result<Self, ConnectError> {
        Self::client_with(settings, |_| {}).await
    }

    async fn client_with(
        settings: &MongoSettings,
        tune: impl FnOnce(&mut ClientOptions),
    ) -> Result<Self, ConnectError> {
        if !settings::valid_database_name(&settings.database) {
            return Err(ConnectError::InvalidDatabase(settings.database.clone()));
        }
        let mut options = ClientOptions::parse(&settings.uri)
            .await
            .map_err(|e| ConnectError::InvalidUri(settings::redacted(&settings.uri, &e)))?;
        settings.apply(&mut options);
        tune(&mut options);
        let client = Client::with_options(options)
            .map_err(|e| ConnectError::InvalidUri(settings::redacted(&settings.uri, &e)))?;
        let db = client.database(&settings.database);
        Ok(Self {
            campaigns: db.collection("campaigns"),
            markets: db.collection("markets"),
            promoters: db.collection("promoters"),
            contacts: db.collection("contacts"),
            events: db.collection("events"),
            outbox: db.collection("outbox"),
            counters: db.collection("counters"),
            db,
        })
    }

    /// The database this store works in.
    pub fn database_name(&self) -> &str {
        self.db.name()
    }

    /// Drops the whole database (tests clean up with it).
    pub async fn drop_database(&self) -> Result<(), campaign_ports::StoreError> {
        self.db
            .drop()
            .await
            .map_err(errors::failed("drop database"))
    }
}
