//! The contract suite: one set of async tests per port, written once and run by every adapter
//! against itself (the memory adapters always; MongoDB, Redis and the others against the real
//! servers the test command starts). An adapter that passes behaves like every other.
//!
//! Use from an adapter's tests (with `tokio` as a dev-dependency):
//! ```ignore
//! async fn fresh_store() -> campaign_ports::testing::StoreUnderTest { /* empty store */ }
//! campaign_ports::store_contract_tests!(fresh_store);
//!
//! async fn fresh_cache() -> campaign_ports::testing::CacheUnderTest { /* empty cache */ }
//! campaign_ports::cache_contract_tests!(fresh_cache);
//!
//! async fn fresh_idempotency() -> campaign_ports::testing::IdempotencyUnderTest { /* empty */ }
//! campaign_ports::idempotency_contract_tests!(fresh_idempotency);
//!
//! async fn fresh_limiter() -> campaign_ports::testing::RateLimiterUnderTest { /* nothing counted */ }
//! campaign_ports::rate_limiter_contract_tests!(fresh_limiter);
//! ```
//! Each macro expands to one `#[tokio::test]` per contract, so they run in parallel and fail
//! one by one.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test support: a failed expectation is a failed test"
)]

pub mod cache;
pub mod fixtures;
pub mod idempotency;
pub mod rate_limit;
pub mod services;
pub mod store;

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;

pub use self::idempotency::IdempotencyUnderTest;
pub use self::rate_limit::RateLimiterUnderTest;

use crate::{
    Cache, CampaignRepository, ContactRepository, EventRepository, JobLock, MarketRepository,
    Outbox, PromoterRepository,
};

/// One empty store, seen through every repository port and the outbox. All fields must be
/// views of the same store: writes and their outbox events are checked together.
pub struct StoreUnderTest {
    /// Campaigns.
    pub campaigns: Arc<dyn CampaignRepository>,
    /// Markets.
    pub markets: Arc<dyn MarketRepository>,
    /// Promoters.
    pub promoters: Arc<dyn PromoterRepository>,
    /// Contacts.
    pub contacts: Arc<dyn ContactRepository>,
    /// Events.
    pub events: Arc<dyn EventRepository>,
    /// Outbox.
    pub outbox: Arc<dyn Outbox>,
}

impl std::fmt::Debug for StoreUnderTest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreUnderTest")
    }
}

/// Lets time pass for a cache under test: a manual clock moves, a real server is waited for.
pub type Advance = Box<dyn Fn(Duration) -> BoxFuture<'static, ()> + Send + Sync>;

/// One empty cache and lock, and a way to let time pass for them.
pub struct CacheUnderTest {
    /// The cache.
    pub cache: Arc<dyn Cache>,
    /// The lock.
    pub lock: Arc<dyn JobLock>,
    /// Lets at least this much time pass as the cache sees it.
    pub advance: Advance,
    /// A prefix for keys, so runs sharing a server do not see each other's keys.
    pub key_prefix: String,
}

impl std::fmt::Debug for CacheUnderTest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CacheUnderTest")
    }
}

/// Expands to one `#[tokio::test]` per store contract, each on a fresh store made by `$make`
/// (an `async fn() -> StoreUnderTest`).
#[macro_export]
macro_rules! store_contract_tests {
    ($make:path) => {
        $crate::store_contract_tests!(@each $make;
            campaign_insert_then_find,
            campaign_insert_rejects_a_taken_domain,
            campaign_update_checks_the_version,
            campaign_update_keeps_domains_unique,
            campaign_hosts_are_unique_across_roles,
            campaign_update_with_contacts_is_one_change,
            campaign_find_by_domain_uses_preview_only_in_preview,
            campaign_list_filters_scopes_sorts_and_pages,
            campaign_list_search_is_literal_and_case_insensitive,
            campaign_refresh_candidates,
            campaign_find_by_artist,
            campaign_internal_queries_are_scoped_and_distinct,
            campaign_writes_record_their_events_atomically,
            market_insert_find_and_list,
            market_names_are_unique_within_a_campaign,
            market_event_ids_are_unique_within_a_campaign,
            market_update_and_delete_check_versions,
            market_queries_and_notifications,
            market_writes_record_their_events_atomically,
            promoter_lifecycle,
            contact_upsert_find_and_search,
            event_dates_and_statuses,
            outbox_claims_lease_and_completes,
            outbox_keeps_order_per_destination_and_key,
            outbox_retries_and_gives_up,
            outbox_requeues_failed_events,
            outbox_keeps_order_across_records,
        );
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn campaign_concurrent_inserts_of_one_domain() {
            let store = $make().await;
            $crate::testing::store::campaign_concurrent_inserts_of_one_domain(&store, |f| async move {
                ::tokio::spawn(f).await.expect("insert task panicked")
            })
            .await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn campaign_concurrent_claims_of_one_host() {
            let store = $make().await;
            $crate::testing::store::campaign_concurrent_claims_of_one_host(&store, |f| async move {
                ::tokio::spawn(f).await.expect("insert task panicked")
            })
            .await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn market_concurrent_inserts_of_one_name() {
            let store = $make().await;
            $crate::testing::store::market_concurrent_inserts_of_one_name(&store, |f| async move {
                ::tokio::spawn(f).await.expect("insert task panicked")
            })
            .await;
        }
    };
    (@each $make:path; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                let store = $make().await;
                $crate::testing::store::$name(&store).await;
            }
        )*
    };
}

/// Expands to one `#[tokio::test]` per cache and lock contract, each on a fresh cache made by
/// `$make` (an `async fn() -> CacheUnderTest`).
#[macro_export]
macro_rules! cache_contract_tests {
    ($make:path) => {
        $crate::cache_contract_tests!(@each $make;
            cache_stores_replaces_and_deletes,
            cache_entries_expire,
            versioned_entries_never_go_back,
            tombstones_keep_older_versions_out,
            published_entries_are_read_at_once,
            lock_is_exclusive_until_released_or_expired,
        );
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn concurrent_versioned_puts_keep_the_highest() {
            let cache = $make().await;
            $crate::testing::cache::concurrent_versioned_puts_keep_the_highest(&cache, |f| async move {
                ::tokio::spawn(f).await.expect("put task panicked")
            })
            .await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn lock_concurrent_acquires_one_winner() {
            let cache = $make().await;
            $crate::testing::cache::lock_concurrent_acquires_one_winner(&cache, |f| async move {
                ::tokio::spawn(f).await.expect("lock task panicked")
            })
            .await;
        }
    };
    (@each $make:path; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                let cache = $make().await;
                $crate::testing::cache::$name(&cache).await;
            }
        )*
    };
}

/// Expands to one `#[tokio::test]` per idempotency-record contract, each on a fresh store made
/// by `$make` (an `async fn() -> IdempotencyUnderTest`).
#[macro_export]
macro_rules! idempotency_contract_tests {
    ($make:path) => {
        $crate::idempotency_contract_tests!(@each $make;
            idempotency_first_begin_starts,
            idempotency_complete_then_replay,
            idempotency_answers_round_trip,
            idempotency_answers_expire,
            idempotency_lease_expiry_allows_take_over,
            idempotency_release_frees_the_key,
            idempotency_keys_are_independent,
        );
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn idempotency_concurrent_begins_one_winner() {
            let store = $make().await;
            $crate::testing::idempotency::idempotency_concurrent_begins_one_winner(
                &store,
                |f| async move { ::tokio::spawn(f).await.expect("begin task panicked") },
            )
            .await;
        }
    };
    (@each $make:path; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                let store = $make().await;
                $crate::testing::idempotency::$name(&store).await;
            }
        )*
    };
}
