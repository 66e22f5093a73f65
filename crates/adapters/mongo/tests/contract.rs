//! The MongoDB adapter against the shared contract suite of `campaign-ports`, on the real
//! MongoDB-wire server the test command starts (or the `mongod` named by
//! `CAMPAIGN_TEST_MONGODB_URI`). Every test gets its own database.

use std::sync::Arc;

use campaign_adapter_mongo::testing;
use campaign_ports::testing::{IdempotencyUnderTest, StoreUnderTest};

async fn fresh_store() -> StoreUnderTest {
    let store = Arc::new(testing::fresh_store().await);
    StoreUnderTest {
        campaigns: store.clone(),
        markets: store.clone(),
        promoters: store.clone(),
        contacts: store.clone(),
        events: store.clone(),
        outbox: store,
    }
}

campaign_ports::store_contract_tests!(fresh_store);

async fn fresh_idempotency() -> IdempotencyUnderTest {
    Arc::new(testing::fresh_store().await)
}

campaign_ports::idempotency_contract_tests!(fresh_idempotency);
