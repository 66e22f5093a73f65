//! Races between replicas have exactly one winner (SPEC §4 `If-Match`, §7.4, §12 "no lost
//! update"): concurrent updates carrying the same `If-Match`, sent to different replicas, give
//! one 200 and 409 `VERSION_CONFLICT` for the rest, and the version moves once; concurrent
//! creates claiming one host (as `domain.site`, or as one's site and another's preview) on
//! different replicas give one 201 and 400 `DOMAIN_NAME_CONFLICT` for the rest, and one
//! campaign holds the host. With and without Redis.

use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::cluster::{Answer, Cluster, Options, Redis, draft, id_of, site, version_of};

/// Concurrent requests per race, spread over the replicas.
const CONTENDERS: usize = 9;
/// Races per test.
const ROUNDS: usize = 4;

/// Checks a race's answers: exactly one `won`, every other one the `lost` error. Returns the
/// winner's index.
#[track_caller]
fn one_winner(answers: &[Answer], won: StatusCode, lost: (StatusCode, &str), what: &str) -> usize {
    let winners: Vec<usize> = (0..answers.len())
        .filter(|&i| answers[i].status == won)
        .collect();
    let unexpected: Vec<_> = answers
        .iter()
        .filter(|a| a.status != won && (a.status, a.error_type()) != lost)
        .map(|a| (a.status, a.body.clone()))
        .collect();
    assert!(
        winners.len() == 1 && unexpected.is_empty(),
        "{what}: expected one {won} and {lost:?} for the rest; winners {winners:?}, other \
         answers {unexpected:?}"
    );
    winners[0]
}

async fn concurrent_if_match_updates_have_one_winner(redis: Redis) {
    let cluster = Cluster::start(Options {
        redis,
        ..Options::default()
    })
    .await;
    let replicas = cluster.replicas();
    let created = replicas[0].create(&draft("Raced")).await;
    let id = id_of(created.expect(StatusCode::CREATED));
    let mut version = version_of(created.expect(StatusCode::CREATED));
    for round in 0..ROUNDS {
        // Every replica reads it first, so each has the current version at hand.
        for replica in replicas {
            assert_eq!(
                version_of(replica.get(&id).await.expect(StatusCode::OK)),
                version
            );
        }
        let names: Vec<String> = (0..CONTENDERS).map(|i| format!("R{round}-{i}")).collect();
        let answers = join_all(names.iter().enumerate().map(|(i, name)| {
            let (id, patch) = (&id, json!({"name": name}));
            async move {
                replicas[i % replicas.len()]
                    .update(id, &patch, Some(version))
                    .await
            }
        }))
        .await;
        let winner = one_winner(
            &answers,
            StatusCode::OK,
            (StatusCode::CONFLICT, "VERSION_CONFLICT"),
            &format!("round {round}: updates with If-Match \"{version}\""),
        );
        assert_eq!(
            version_of(answers[winner].expect(StatusCode::OK)),
            version + 1
        );
        version += 1;
        for replica in replicas {
            let data = replica.get(&id).await;
            let data = data.expect(StatusCode::OK);
            assert_eq!(
                (data["name"].as_str(), version_of(data)),
                (Some(names[winner].as_str()), version),
                "round {round}: replica {} holds the winner's write, once",
                replica.index
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_one_of_concurrent_if_match_updates_wins() {
    concurrent_if_match_updates_have_one_winner(Redis::Off).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_one_of_concurrent_if_match_updates_wins() {
    concurrent_if_match_updates_have_one_winner(Redis::Primary).await;
}

/// Contender `i`'s body claiming `host`: as its site, or (with `as_preview`, every other one)
/// as its preview next to a site of its own. Its name starts with `tag`.
fn claiming(tag: &str, host: &str, i: usize, as_preview: bool) -> Value {
    let mut body = draft(&format!("{tag} contender {i}"));
    body["domain"] = if as_preview && i % 2 == 1 {
        json!({"site": site("own"), "preview": host})
    } else {
        json!({"site": host})
    };
    body
}

async fn concurrent_creates_of_one_host_have_one_winner(redis: Redis, as_preview: bool) {
    let cluster = Cluster::start(Options {
        redis,
        ..Options::default()
    })
    .await;
    let replicas = cluster.replicas();
    for round in 0..ROUNDS {
        let host = site("race");
        let tag = host.split('.').next().unwrap().to_owned();
        let answers = join_all((0..CONTENDERS).map(|i| {
            let body = claiming(&tag, &host, i, as_preview);
            async move { replicas[i % replicas.len()].create(&body).await }
        }))
        .await;
        let winner = one_winner(
            &answers,
            StatusCode::CREATED,
            (StatusCode::BAD_REQUEST, "DOMAIN_NAME_CONFLICT"),
            &format!("round {round}: creates claiming {host}"),
        );
        let id = id_of(answers[winner].expect(StatusCode::CREATED));
        for replica in replicas {
            // Named after the race: whatever a contender stored is listed.
            let listed = replica.list(&tag).await;
            let ids: Vec<&str> = listed.expect(StatusCode::OK)["campaigns"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|c| c["id"].as_str())
                .collect();
            assert_eq!(
                ids,
                [id.as_str()],
                "round {round}: only the winner was stored (listed on replica {})",
                replica.index
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_one_of_concurrent_creates_of_a_domain_wins() {
    concurrent_creates_of_one_host_have_one_winner(Redis::Off, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_one_of_concurrent_creates_of_a_domain_wins() {
    concurrent_creates_of_one_host_have_one_winner(Redis::Primary, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_of_concurrent_creates_claiming_a_host_as_site_or_preview_wins() {
    concurrent_creates_of_one_host_have_one_winner(Redis::Off, true).await;
}
