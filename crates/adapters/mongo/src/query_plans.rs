//! Tests that the internal queries (ADR 0017) are served by indexes, never by a collection scan.
//!
//! What they prove depends on the server the suite runs against:
//! - **a real `mongod`** (`CAMPAIGN_TEST_MONGODB_URI` naming one): each query, exactly as the
//!   adapter sends it (same filter builders), is run through the `explain` command
//!   (`queryPlanner` verbosity, wrapping the `find` or `distinct`) on a seeded database, and the
//!   winning plan must contain an index stage and no `COLLSCAN` stage anywhere;
//! - **mongo-java-server** (the suite's default server): it has no `explain` command (it answers
//!   `CommandNotFound`, code 59) and keeps no query plans, so no plan can be observed there.
//!   What the tests prove instead: every index a query relies on exists under its name with
//!   exactly the expected keys (read back with `listIndexes` after the adapter's start-up created
//!   them), and the query's filter bounds the leading key of those indexes at its top level, or
//!   in every branch of its `$or`, with an operator an index scan can bound (equality, `$in`,
//!   ranges; never `$ne`/`$nin`/`$exists`, and no `null` on a sparse index). That is the
//!   condition under which MongoDB's planner has an index plan for the query; the choice of
//!   plan itself is shown only on a real `mongod`.
//!
//! Only `CommandNotFound` lets the explain step be skipped: any other answer to `explain` fails
//! the test, and a real `mongod` never answers `CommandNotFound` to it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failed expectation is a failed test"
)]

use campaign_domain::permission::ReadScope;
use campaign_domain::serde_json::json;
use campaign_domain::status::Status;
use campaign_domain::values::{CampaignId, CategoryId, EventId};
use campaign_ports::testing::fixtures::{self as fx, at_hours};
use campaign_ports::{CampaignRepository, MarketRepository};
use futures::TryStreamExt as _;
use mongodb::bson::{Bson, Document, doc};
use mongodb::error::ErrorKind;

use crate::MongoStore;
use crate::campaigns::{category_filter, covering_event_filter, presale_filter};
use crate::indexes::PRESALE_WINDOW;
use crate::markets::{listing_event_filter, of_campaigns_filter};

/// MongoDB's error code for an unknown command.
const COMMAND_NOT_FOUND: i32 = 59;

/// Operators an index scan can bound a key with.
const BOUNDING: &[&str] = &["$eq", "$in", "$gt", "$gte", "$lt", "$lte"];

/// An index as `listIndexes` reports it: its leading key and whether it is sparse.
#[derive(Debug, Clone)]
struct Leading {
    key: String,
    sparse: bool,
}

/// Whether `condition` on an indexed key can bound a scan of `index`.
fn bounds(condition: &Bson, index: &Leading) -> bool {
    match condition {
        Bson::Document(ops) if ops.keys().next().is_some_and(|k| k.starts_with('$')) => {
            ops.keys().all(|op| BOUNDING.contains(&op.as_str()))
                && !(index.sparse && ops.values().any(|v| *v == Bson::Null))
        }
        // Equality; `null` also matches a missing field, which a sparse index does not hold.
        Bson::Null => !index.sparse,
        _ => true,
    }
}

/// Whether `filter` bounds the leading key of one of `indexes` at its top level, or every
/// branch of its top-level `$or` does.
fn served(filter: &Document, indexes: &[Leading]) -> bool {
    filter.iter().any(|(key, condition)| {
        if key == "$or" {
            condition.as_array().is_some_and(|branches| {
                !branches.is_empty()
                    && branches
                        .iter()
                        .all(|b| b.as_document().is_some_and(|b| served(b, indexes)))
            })
        } else {
            indexes
                .iter()
                .any(|index| index.key == *key && bounds(condition, index))
        }
    })
}

/// Every `stage` named anywhere in `plan` (nested `inputStage`, `inputStages`, `queryPlan`, ...).
fn stages(plan: &Bson, out: &mut Vec<String>) {
    match plan {
        Bson::Document(d) => {
            for (key, value) in d {
                if key == "stage"
                    && let Bson::String(name) = value
                {
                    out.push(name.clone());
                }
                stages(value, out);
            }
        }
        Bson::Array(items) => items.iter().for_each(|i| stages(i, out)),
        _ => {}
    }
}

/// One query the adapter sends: the command (`find` sorted by id as the adapter sorts, or
/// `distinct`) and the indexes, by name with their keys, meant to serve it.
struct Case {
    what: &'static str,
    collection: &'static str,
    command: Document,
    filter: Document,
    indexes: Vec<(&'static str, Document)>,
}

impl Case {
    fn find(
        what: &'static str,
        collection: &'static str,
        filter: Document,
        indexes: Vec<(&'static str, Document)>,
    ) -> Self {
        Self {
            what,
            collection,
            command: doc! {
                "find": collection,
                "filter": filter.clone(),
                "sort": {"_id": 1},
                "projection": {"_id": 1},
            },
            filter,
            indexes,
        }
    }

    fn distinct(
        what: &'static str,
        collection: &'static str,
        key: &str,
        filter: Document,
        indexes: Vec<(&'static str, Document)>,
    ) -> Self {
        Self {
            what,
            collection,
            command: doc! {"distinct": collection, "key": key, "query": filter.clone()},
            filter,
            indexes,
        }
    }
}

/// The index specifications of `collection`, as the server lists them.
async fn listed(store: &MongoStore, collection: &str) -> Vec<Document> {
    store
        .db
        .collection::<Document>(collection)
        .list_indexes()
        .await
        .unwrap()
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .into_iter()
        .map(|model| {
            let mut spec = doc! {"key": model.keys};
            if let Some(options) = model.options {
                spec.insert("name", options.name.unwrap_or_default());
                spec.insert("sparse", options.sparse.unwrap_or(false));
            }
            spec
        })
        .collect()
}

/// A store with a few campaigns and markets of every shape the queries look at.
async fn seeded() -> (MongoStore, Vec<CampaignId>) {
    let store = crate::testing::fresh_store().await;
    let mut ids = Vec::new();
    for (i, extra) in [
        json!({"eventIds": ["E1"], "categoryId": "cat1",
            "date": {"presaleWindowStart": at_hours(10).to_rfc3339(), "presaleWindowEnd": at_hours(20).to_rfc3339()}}),
        json!({"categoryId": "cat2", "date": {"presaleWindowStart": at_hours(30).to_rfc3339()}}),
        json!({}),
    ]
    .into_iter()
    .enumerate()
    {
        let mut c = fx::campaign_from(&fx::complete_campaign_json(
            &format!("Plan {i}"),
            &fx::domain("plan"),
            extra,
        ));
        c.status = Status::Open;
        let c = CampaignRepository::insert(&store, &c, &[]).await.unwrap();
        MarketRepository::insert(
            &store,
            &fx::market(&c.id, "NYC", &["E1", &format!("E{}", i + 2)], None),
            &[],
        )
        .await
        .unwrap();
        ids.push(c.id);
    }
    (store, ids)
}

fn cases(ids: &[CampaignId]) -> Vec<Case> {
    let e1 = EventId::parse("E1").unwrap();
    let cats = [CategoryId::parse("cat1").unwrap()];
    let scope = ReadScope::Only(ids[..2].to_vec());
    let id_index = ("_id_", doc! {"_id": 1});
    let event_ids = ("event_ids", doc! {"eventIds": 1});
    let category = ("category_id", doc! {"categoryId": 1});
    let window = (
        PRESALE_WINDOW,
        doc! {"date.presaleWindowEnd": 1, "date.presaleWindowStart": 1},
    );
    let market_events = ("event_ids", doc! {"event.ids": 1});
    let market_campaign = ("campaign_id", doc! {"campaign_id": 1});
    let (start, end) = (at_hours(0), at_hours(15));
    vec![
        Case::find(
            "campaigns covering an event (own ids or markets), every campaign",
            "campaigns",
            covering_event_filter(&e1, &ids[1..], &ReadScope::All),
            vec![event_ids.clone(), id_index.clone()],
        ),
        Case::find(
            "campaigns covering an event (own ids only), every campaign",
            "campaigns",
            covering_event_filter(&e1, &[], &ReadScope::All),
            vec![event_ids.clone()],
        ),
        Case::find(
            "campaigns covering an event, scoped",
            "campaigns",
            covering_event_filter(&e1, &ids[1..], &scope),
            vec![id_index.clone()],
        ),
        Case::find(
            "campaign ids by category, every campaign",
            "campaigns",
            category_filter(&cats, &ReadScope::All),
            vec![category.clone()],
        ),
        Case::find(
            "campaign ids by category, scoped",
            "campaigns",
            category_filter(&cats, &scope),
            vec![category, id_index.clone()],
        ),
        Case::find(
            "campaign ids in presale, every campaign",
            "campaigns",
            presale_filter(start, end, &ReadScope::All),
            vec![window.clone()],
        ),
        Case::distinct(
            "distinct categories in presale, every campaign",
            "campaigns",
            "categoryId",
            presale_filter(start, end, &ReadScope::All),
            vec![window.clone()],
        ),
        Case::distinct(
            "distinct categories in presale, scoped",
            "campaigns",
            "categoryId",
            presale_filter(start, end, &scope),
            vec![window, id_index],
        ),
        Case::distinct(
            "campaigns with a market listing an event, every campaign",
            "markets",
            "campaign_id",
            listing_event_filter(&e1, &ReadScope::All),
            vec![market_events.clone()],
        ),
        Case::distinct(
            "campaigns with a market listing an event, scoped",
            "markets",
            "campaign_id",
            listing_event_filter(&e1, &scope),
            vec![market_events, market_campaign.clone()],
        ),
        Case::distinct(
            "distinct event ids of campaigns' markets",
            "markets",
            "event.ids",
            of_campaigns_filter(ids),
            vec![market_campaign],
        ),
    ]
}

/// Each internal query is served by its indexes: they exist with the expected keys and the
/// filter bounds their leading key (every server); the winning plan of `explain` has an index
/// stage and no `COLLSCAN` (a real `mongod` only: mongo-java-server has no `explain`). See the
/// module documentation for what each server proves.
#[tokio::test]
async fn internal_queries_are_served_by_indexes_not_collection_scans() {
    let (store, ids) = seeded().await;
    let mut explained = 0;
    let mut not_explainable = 0;
    for case in cases(&ids) {
        let specs = listed(&store, case.collection).await;
        let mut leading = Vec::new();
        for (name, keys) in &case.indexes {
            let spec = specs
                .iter()
                .find(|s| s.get_str("name").ok() == Some(*name))
                .unwrap_or_else(|| {
                    panic!(
                        "{}: no index {name} on {}: {specs:?}",
                        case.what, case.collection
                    )
                });
            assert_eq!(
                spec.get_document("key").unwrap(),
                keys,
                "{}: index {name} has other keys",
                case.what
            );
            let first = keys.keys().next().unwrap().clone();
            leading.push(Leading {
                key: first,
                sparse: spec.get_bool("sparse").unwrap_or(false),
            });
        }
        assert!(
            served(&case.filter, &leading),
            "{}: the filter {:?} bounds none of the indexes {:?}",
            case.what,
            case.filter,
            case.indexes
        );

        let explain = store
            .db
            .run_command(doc! {"explain": case.command.clone(), "verbosity": "queryPlanner"})
            .await;
        match explain {
            Ok(answer) => {
                let plan = answer
                    .get_document("queryPlanner")
                    .and_then(|p| p.get_document("winningPlan"))
                    .unwrap_or_else(|_| panic!("{}: no winning plan in {answer:?}", case.what));
                let mut names = Vec::new();
                stages(&Bson::Document(plan.clone()), &mut names);
                assert!(
                    !names.iter().any(|s| s == "COLLSCAN"),
                    "{}: the winning plan scans the collection: {plan:?}",
                    case.what
                );
                assert!(
                    names.iter().any(|s| s.contains("IXSCAN")
                        || s.contains("DISTINCT_SCAN")
                        || s.contains("IDHACK")
                        || s.contains("EXPRESS")),
                    "{}: the winning plan uses no index: {plan:?}",
                    case.what
                );
                explained += 1;
            }
            Err(e) => match *e.kind {
                ErrorKind::Command(ref c) if c.code == COMMAND_NOT_FOUND => not_explainable += 1,
                _ => panic!("{}: explain failed: {e}", case.what),
            },
        }
    }
    // One server answers every explain or none: never a mix.
    assert!(
        explained == 0 || not_explainable == 0,
        "explain answered {explained} times and was unknown {not_explainable} times"
    );
    store.drop_database().await.unwrap();
}

/// The filter check is not vacuous: it refuses filters no listed index can bound.
#[test]
fn the_filter_check_refuses_what_no_index_bounds() {
    let on = |key: &str, sparse| Leading {
        key: key.to_owned(),
        sparse,
    };
    let window = [on("date.presaleWindowEnd", false)];
    assert!(served(
        &doc! {"date.presaleWindowEnd": {"$gte": 1}},
        &window
    ));
    assert!(served(&doc! {"date.presaleWindowEnd": Bson::Null}, &window));
    assert!(!served(
        &doc! {"date.presaleWindowStart": {"$lte": 1}},
        &window
    ));
    assert!(!served(
        &doc! {"date.presaleWindowEnd": {"$ne": 1}},
        &window
    ));
    assert!(!served(
        &doc! {"date.presaleWindowEnd": Bson::Null},
        &[on("date.presaleWindowEnd", true)]
    ));
    let or = doc! {"$or": [{"eventIds": "E1"}, {"_id": {"$in": [1]}}]};
    assert!(served(&or, &[on("eventIds", false), on("_id", false)]));
    assert!(
        !served(&or, &[on("eventIds", false)]),
        "every branch of an $or needs an index"
    );
    assert!(!served(&doc! {"$or": []}, &[on("eventIds", false)]));
}
