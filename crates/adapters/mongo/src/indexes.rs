//! The indexes, created idempotently at start-up (`createIndexes` with the same name and
//! options is a no-op; an index of the same name with other options fails start-up loudly).
//!
//! Uniqueness rules live here (SPEC §7.4, §7.7):
//! - every host a campaign answers on is unique across campaigns and both roles (SPEC §7.4):
//!   a sparse unique index on `_hosts`, the campaign's site and preview hosts (each once; the
//!   field is absent when it holds none). `domain.site` keeps its own sparse unique index, which
//!   the hosts index implies; the adapter never writes either field as null;
//! - a market's name is unique within its campaign: unique on (`campaign_id`, `name`), sparse so
//!   that market tombstones (which have neither) are not indexed;
//! - an event id belongs to at most one market of a campaign: unique on `_eventKeys`, the
//!   market's `"<campaign id>|<event id>"` pairs, written only when the market has event ids
//!   (sparse: a market without event ids is not indexed).
//!
//! `idempotency_keys.expiresAt` carries a TTL index (expire at the stored instant): records of
//! `Idempotency-Key` go away once their retention or lease ends. The adapter never relies on
//! it (reads treat expired records as absent), it only keeps the collection small.
//!
//! Partial indexes would say "only strings" more directly, but sparse ones behave the same for
//! documents this adapter writes and work on every server the suite runs against.

use mongodb::IndexModel;
use mongodb::bson::{Document, doc};
use mongodb::options::IndexOptions;

use crate::MongoStore;
use crate::documents::campaign::HOSTS_FIELD;
use crate::documents::idempotency::EXPIRES_FIELD;
use crate::documents::market::EVENT_KEYS_FIELD;

fn index(name: &str, keys: Document) -> IndexModel {
    IndexModel::builder()
        .keys(keys)
        .options(IndexOptions::builder().name(name.to_owned()).build())
        .build()
}

fn sparse(name: &str, keys: Document, unique: bool) -> IndexModel {
    IndexModel::builder()
        .keys(keys)
        .options(
            IndexOptions::builder()
                .name(name.to_owned())
                .unique(unique)
                .sparse(true)
                .build(),
        )
        .build()
}

/// Name of the unique index on the hosts (site and preview) a campaign holds.
pub(crate) const HOSTS_UNIQUE: &str = "hosts_unique";
/// Name of the unique index on `domain.site`.
pub(crate) const DOMAIN_SITE_UNIQUE: &str = "domain_site_unique";
/// Name of the unique index on a market's campaign and name.
pub(crate) const MARKET_NAME_UNIQUE: &str = "campaign_id_name_unique";
/// Name of the unique index on a market's campaign-scoped event ids.
pub(crate) const MARKET_EVENT_UNIQUE: &str = "event_keys_unique";

/// Name of the index on a campaign's presale window (end, then start) that serves the
/// presale overlap queries (`/campaigns/categoryIds`, `/campaigns/eventIds`): each branch of
/// their `$or` (no end, or an end not before the range) bounds both keys.
pub(crate) const PRESALE_WINDOW: &str = "date_presale_window";

/// How long a delivered outbox event is kept (its `_id` absorbs a late second sweep of it).
pub(crate) const DELIVERED_KEPT_SECS: u64 = 3600;

/// Creates every index (idempotent).
pub(crate) async fn ensure(store: &MongoStore) -> Result<(), mongodb::error::Error> {
    store
        .campaigns
        .create_indexes([
            sparse(DOMAIN_SITE_UNIQUE, doc! {"domain.site": 1}, true),
            sparse(HOSTS_UNIQUE, doc! {HOSTS_FIELD: 1}, true),
            sparse("domain_preview", doc! {"domain.preview": 1}, false),
            index("status", doc! {"status": 1}),
            index("date_open", doc! {"date.open": 1}),
            index("date_close", doc! {"date.close": 1}),
            index("status_date_closed", doc! {"status": 1, "date.closed": 1}),
            index(
                "date_presale_window_start",
                doc! {"date.presaleWindowStart": 1},
            ),
            index(
                PRESALE_WINDOW,
                doc! {"date.presaleWindowEnd": 1, "date.presaleWindowStart": 1},
            ),
            index("date_created", doc! {"date.created": 1}),
            sparse("category_id", doc! {"categoryId": 1}, false),
            index("artist_id", doc! {"artist.id": 1}),
            index("event_ids", doc! {"eventIds": 1}),
            sparse("outbox_pending", doc! {"_outbox.eventId": 1}, false),
        ])
        .await?;
    store
        .markets
        .create_indexes([
            index("campaign_id", doc! {"campaign_id": 1}),
            sparse(MARKET_NAME_UNIQUE, doc! {"campaign_id": 1, "name": 1}, true),
            sparse(MARKET_EVENT_UNIQUE, doc! {EVENT_KEYS_FIELD: 1}, true),
            index("event_ids", doc! {"event.ids": 1}),
            sparse(
                "event_presale_date_time",
                doc! {"event.presaleDateTime": 1},
                false,
            ),
            sparse("notification_date", doc! {"notification.date": 1}, false),
            sparse("outbox_pending", doc! {"_outbox.eventId": 1}, false),
        ])
        .await?;
    store
        .outbox
        .create_indexes([
            index(
                "state_recording_order",
                doc! {"state": 1, "occurredAt": 1, "seq": 1},
            ),
            IndexModel::builder()
                .keys(doc! {"deliveredAt": 1})
                .options(
                    IndexOptions::builder()
                        .name("delivered_ttl".to_owned())
                        .expire_after(std::time::Duration::from_secs(DELIVERED_KEPT_SECS))
                        .build(),
                )
                .build(),
        ])
        .await?;
    store
        .promoters
        .create_indexes([index("name", doc! {"name": 1})])
        .await?;
    store
        .contacts
        .create_indexes([index("name", doc! {"name": 1})])
        .await?;
    store
        .events
        .create_indexes([index("status_date", doc! {"status": 1, "date": 1})])
        .await?;
    store
        .db
        .collection::<Document>(crate::idempotency::COLLECTION)
        .create_indexes([IndexModel::builder()
            .keys(doc! {EXPIRES_FIELD: 1})
            .options(
                IndexOptions::builder()
                    .name("expires_at_ttl".to_owned())
                    .expire_after(std::time::Duration::ZERO)
                    .build(),
            )
            .build()])
        .await?;
    Ok(())
}
