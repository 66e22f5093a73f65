//! Tests that the internal queries (ADR 0017) are served by indexes, never by a collection scan.
//!
//! Each query is built exactly as the adapter sends it (same filter builders) and checked in two
//! ways on a seeded database of its own:
//! - **indexes and filter** (every server): every index the query relies on exists under its
//!   name with exactly the expected keys (read back with `listIndexes` after the adapter's
//!   start-up created them), and the query's filter bounds the leading key of those indexes at
//!   its top level, or in every branch of its `$or`, with an operator an index scan can bound
//!   (equality, `$in`, ranges; never `$ne`/`$nin`/`$exists`, and no `null` on a sparse index).
//!   That is the condition under which MongoDB's planner has an index plan for the query;
//! - **the plan** (a real `mongod` only): the query is run through the `explain` command
//!   (`queryPlanner` verbosity, wrapping the `find` or `distinct`), and the winning plan must
//!   contain an index stage, no `COLLSCAN` stage anywhere, and index scans only of the indexes
//!   meant for the query, none over the whole index (`[MinKey, MaxKey]` on its leading key:
//!   later keys' bounds only skip entries inside a walk of every key, and on `_id_` it is a
//!   collection scan in `_id` order, which the `_id` sort makes attractive). That shows the
//!   planner's choice. The planner picks by trying plans on the data, so the seed also holds
//!   [`UNRELATED`] campaigns (and markets) no query matches, as a real collection does: on the
//!   few matching documents alone, the whole `_id_` scan ties with the selective index and
//!   wins.
//!
//! The servers:
//! - **the suite's default server** (`CAMPAIGN_TEST_MONGODB_URI`, mongo-java-server under
//!   `cargo xtask ci` and `services up`): it has no `explain` command (it answers
//!   `CommandNotFound`, code 59) and keeps no query plans, so there only the first check runs
//!   and the explain step is skipped; only `CommandNotFound` lets it be skipped, any other
//!   answer to `explain` fails the test. When that variable names a real `mongod` instead, the
//!   plans are checked there too;
//! - **the real `mongod`** (`CAMPAIGN_TEST_MONGOD_URI`: MongoDB 6.0, which `cargo xtask ci` and
//!   `services up` install and start next to the default server): both checks run, and every
//!   query must be explained: `CommandNotFound`, or any other failure, fails the test. Without
//!   that variable (a plain `cargo test` with no services up) the test fails naming it, like
//!   every test of a real server: it never passes having checked nothing.

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

use crate::campaigns::{category_filter, covering_event_filter, presale_filter};
use crate::indexes::PRESALE_WINDOW;
use crate::markets::{listing_event_filter, of_campaigns_filter};
use crate::{MongoSettings, MongoStore};

/// The variable naming the real `mongod` the plans are checked on (see the module
/// documentation).
const MONGOD_URI_VARIABLE: &str = "CAMPAIGN_TEST_MONGOD_URI";

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

/// Every index scan (`IXSCAN`, `DISTINCT_SCAN`) anywhere in `plan`.
fn index_scans(plan: &Bson, out: &mut Vec<Document>) {
    match plan {
        Bson::Document(d) => {
            if d.get_str("stage")
                .is_ok_and(|s| s.contains("IXSCAN") || s.contains("DISTINCT_SCAN"))
            {
                out.push(d.clone());
            }
            d.values().for_each(|v| index_scans(v, out));
        }
        Bson::Array(items) => items.iter().for_each(|i| index_scans(i, out)),
        _ => {}
    }
}

/// Whether an index scan reads the whole index: its leading key's bounds are
/// `[MinKey, MaxKey]` (`indexBounds` lists the keys in the index's order). Bounds on the later
/// keys of a compound index then only skip entries within a walk of all of them; on `_id_` it
/// is a collection scan in index order, as for a sort on `_id`.
fn whole_index(scan: &Document) -> bool {
    scan.get_document("indexBounds").is_ok_and(|bounds| {
        bounds.values().next().is_some_and(|leading| {
            leading
                .as_array()
                .is_some_and(|b| b.len() == 1 && b[0].as_str() == Some("[MinKey, MaxKey]"))
        })
    })
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

/// Seeds `store` with a few campaigns and markets of every shape the queries look at; returns
/// the campaigns' ids.
async fn seed(store: &MongoStore) -> Vec<CampaignId> {
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
        let c = CampaignRepository::insert(store, &c, &[]).await.unwrap();
        MarketRepository::insert(
            store,
            &fx::market(&c.id, "NYC", &["E1", &format!("E{}", i + 2)], None),
            &[],
        )
        .await
        .unwrap();
        ids.push(c.id);
    }
    ids
}

/// How many campaigns no query matches the seed adds (see [`seed_unrelated`]).
const UNRELATED: usize = 200;

/// Adds `n` campaigns (each with a market) that no query of [`cases`] matches: other events and
/// category, a presale window that ended long ago. The planner picks among candidate plans by
/// trying them on the data; with only the few matching documents of [`seed`], a scan of the
/// whole `_id` index (which gives the order of the `_id` sort for free) ties with the selective
/// index. These make the collection look like a real one, where reading everything costs.
async fn seed_unrelated(store: &MongoStore, n: usize) {
    for i in 0..n {
        let mut c = fx::campaign_from(&fx::complete_campaign_json(
            &format!("Unrelated {i}"),
            &fx::domain("unrelated"),
            json!({"eventIds": [format!("X{i}")], "categoryId": "other",
                "date": {"presaleWindowStart": at_hours(-10_000).to_rfc3339(),
                    "presaleWindowEnd": at_hours(-9_990).to_rfc3339()}}),
        ));
        c.status = Status::Open;
        let c = CampaignRepository::insert(store, &c, &[]).await.unwrap();
        MarketRepository::insert(
            store,
            &fx::market(&c.id, "LA", &[&format!("X{i}")], None),
            &[],
        )
        .await
        .unwrap();
    }
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

/// Whether a server must answer `explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Explain {
    /// A server without `explain` (`CommandNotFound`) skips the plan check.
    IfKnown,
    /// The plan check runs for every query: `CommandNotFound` fails.
    Required,
}

/// Checks every query on `store` (seeded with `ids`): its indexes exist with the expected keys
/// and its filter bounds their leading key; then the winning plan of `explain` has an index
/// stage and no `COLLSCAN` (skipped on a server without `explain` when `mode` is
/// [`Explain::IfKnown`]). Returns how many queries were explained.
async fn check(store: &MongoStore, ids: &[CampaignId], mode: Explain) -> usize {
    let mut explained = 0;
    let mut not_explainable = 0;
    for case in cases(ids) {
        let specs = listed(store, case.collection).await;
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
                let mut scans = Vec::new();
                index_scans(&Bson::Document(plan.clone()), &mut scans);
                for scan in &scans {
                    let name = scan.get_str("indexName").unwrap_or_default();
                    assert!(
                        case.indexes.iter().any(|(meant, _)| *meant == name),
                        "{}: the winning plan scans the index {name:?}, none of {:?}: {plan}",
                        case.what,
                        case.indexes
                    );
                    assert!(
                        !whole_index(scan),
                        "{}: the winning plan scans all of the index {name:?}: {plan}",
                        case.what
                    );
                }
                explained += 1;
            }
            Err(e) => match *e.kind {
                ErrorKind::Command(ref c)
                    if c.code == COMMAND_NOT_FOUND && mode == Explain::IfKnown =>
                {
                    not_explainable += 1;
                }
                _ => panic!("{}: explain failed: {e}", case.what),
            },
        }
    }
    // One server answers every explain or none: never a mix.
    assert!(
        explained == 0 || not_explainable == 0,
        "explain answered {explained} times and was unknown {not_explainable} times"
    );
    explained
}

/// Each internal query is served by its indexes, on the suite's default server
/// (`CAMPAIGN_TEST_MONGODB_URI`): they exist with the expected keys and the filter bounds their
/// leading key; the winning plans are checked too when that server has `explain` (a real
/// `mongod`; mongo-java-server has none). See the module documentation.
#[tokio::test]
async fn internal_queries_are_served_by_indexes_not_collection_scans() {
    let store = crate::testing::fresh_store().await;
    let ids = seed(&store).await;
    seed_unrelated(&store, UNRELATED).await;
    check(&store, &ids, Explain::IfKnown).await;
    store.drop_database().await.unwrap();
}

/// On a real `mongod` (`CAMPAIGN_TEST_MONGOD_URI`, started by `cargo xtask ci` and `services
/// up`), `explain` of every internal query shows a winning plan with an index stage and no
/// collection scan; a `mongod` without `explain` fails. See the module documentation.
#[tokio::test]
async fn on_a_real_mongod_explain_shows_no_collection_scan() {
    // Like every test of a real server, this one fails rather than passes without it.
    let uri = campaign_ports::testing::services::required_test_variable(
        MONGOD_URI_VARIABLE,
        "the query-plan test on a real mongod",
    );
    let settings = MongoSettings::new(uri, crate::testing::unique_database());
    let store = MongoStore::connect(&settings)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to the real mongod ({settings:?}): {e}"));
    let ids = seed(&store).await;
    seed_unrelated(&store, UNRELATED).await;
    let explained = check(&store, &ids, Explain::Required).await;
    assert_eq!(explained, cases(&ids).len(), "every query is explained");
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

/// The plan check is not vacuous: it finds nested index scans and tells a scan of the whole
/// index (what the `_id` sort invites) from a bounded one.
#[test]
fn the_plan_check_sees_whole_index_scans() {
    let whole = doc! {"stage": "IXSCAN", "indexName": "_id_",
    "indexBounds": {"_id": ["[MinKey, MaxKey]"]}};
    let bounded = doc! {"stage": "IXSCAN", "indexName": "category_id",
    "indexBounds": {"categoryId": ["[\"cat1\", \"cat1\"]"]}};
    let plan = doc! {"stage": "PROJECTION_SIMPLE", "inputStage": {"stage": "OR",
    "inputStages": [{"stage": "FETCH", "inputStage": whole.clone()}, bounded.clone()]}};
    let mut scans = Vec::new();
    index_scans(&Bson::Document(plan), &mut scans);
    assert_eq!(scans, [whole.clone(), bounded.clone()]);
    assert!(whole_index(&whole));
    assert!(!whole_index(&bounded));
    let leading_bounded = doc! {"stage": "IXSCAN", "indexBounds": {
    "date.presaleWindowEnd": ["[1, 2]"], "date.presaleWindowStart": ["[MinKey, MaxKey]"]}};
    assert!(
        !whole_index(&leading_bounded),
        "a bounded leading key bounds the scan"
    );
    let leading_unbounded = doc! {"stage": "IXSCAN", "indexBounds": {
    "date.presaleWindowEnd": ["[MinKey, MaxKey]"], "date.presaleWindowStart": ["[1, 2]"]}};
    assert!(
        whole_index(&leading_unbounded),
        "bounds on a later key still walk the whole index"
    );
}
