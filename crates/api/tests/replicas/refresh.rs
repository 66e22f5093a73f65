//! The scheduled refresh on several replicas (SPEC §7.3: "concurrent runs never transition a
//! campaign twice"): three replicas run it every second on one store — all three at once
//! without Redis (each has only its in-process lock), one at a time with the Redis lock — and
//! complete campaigns whose `date.open` lies a few seconds ahead are each opened exactly once:
//! one OPEN entry in `statusHistory`, one version step, and one transition on the Kinesis
//! stream and on the data pipeline queue (distinct event ids; a redelivery of the same event
//! is allowed, a second transition is not).

use std::time::Duration;

use campaign_domain::chrono::{SecondsFormat, TimeDelta, Utc};
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::cluster::{Cluster, Options, Redis, complete, eventually, id_of, version_of};
use crate::delivered::{Arrived, Destinations};

/// Campaigns opened per test.
const CAMPAIGNS: usize = 6;

async fn the_refresh_on_every_replica_opens_each_campaign_once(redis: Redis) {
    let destinations = Destinations::create().await;
    let cluster = Cluster::start(Options {
        redis,
        refresh_interval_secs: 1,
        destinations: Some(&destinations),
        ..Options::default()
    })
    .await;
    let replicas = cluster.replicas();
    let open_at = (Utc::now() + TimeDelta::seconds(4)).to_rfc3339_opts(SecondsFormat::Millis, true);
    let created = join_all((0..CAMPAIGNS).map(|i| {
        let mut body = complete(&format!("Opening {i}"));
        body["date"] = json!({"open": open_at});
        async move { replicas[i % replicas.len()].create(&body).await }
    }))
    .await;
    let ids: Vec<String> = created
        .iter()
        .map(|answer| {
            let data = answer.expect(StatusCode::CREATED);
            assert_eq!(data["status"], "DRAFT", "created before its open date");
            id_of(data)
        })
        .collect();

    let read_all = || async {
        let mut all = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            let answer = replicas[i % replicas.len()].get(id).await;
            all.push(answer.expect(StatusCode::OK).clone());
        }
        all
    };
    eventually(
        "every campaign to be opened",
        Duration::from_secs(15),
        || async { read_all().await.iter().all(|c| c["status"] == "OPEN") },
    )
    .await;
    let opened = read_all().await;
    // Two more periods on every replica: a second transition would have happened by now.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    for (id, seen) in ids.iter().zip(&opened) {
        let now = replicas[0].get(id).await;
        let c = now.expect(StatusCode::OK);
        let entries: Vec<(&Value, &Value)> = c["statusHistory"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (&e["status"], &e["by"]))
            .collect();
        assert_eq!(
            entries,
            [
                (&json!("DRAFT"), &json!("admin-1")),
                (&json!("OPEN"), &json!("system"))
            ],
            "campaign {id} opened once"
        );
        assert_eq!(version_of(c), 2, "campaign {id}: one write for the opening");
        assert_eq!(c, seen, "campaign {id} unchanged since it was seen OPEN");
        assert!(c["date"]["opened"].is_string() && c["date"].get("open").is_none());
    }

    let mut arrived = Arrived::default();
    arrived
        .until(
            &destinations,
            "the transition of every campaign on the stream and the pipeline queue",
            Duration::from_secs(10),
            |a| {
                let (stream, pipeline) = (
                    a.stream_events_with_status("OPEN"),
                    a.pipeline_events_with_status("OPEN"),
                );
                let missing: Vec<_> = ids
                    .iter()
                    .filter(|id| !stream.contains_key(*id) || !pipeline.contains_key(*id))
                    .collect();
                (!missing.is_empty()).then(|| format!("{missing:?}"))
            },
        )
        .await;
    // What a second transition would have sent has had time to arrive too.
    tokio::time::sleep(Duration::from_millis(500)).await;
    arrived.refresh(&destinations).await;
    let (stream, pipeline) = (
        arrived.stream_events_with_status("OPEN"),
        arrived.pipeline_events_with_status("OPEN"),
    );
    for id in &ids {
        assert_eq!(
            (stream[id].len(), pipeline[id].len()),
            (1, 1),
            "campaign {id}: one transition on the stream {:?} and on the queue {:?}",
            stream[id],
            pipeline[id]
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_the_refresh_on_three_replicas_opens_each_campaign_once() {
    the_refresh_on_every_replica_opens_each_campaign_once(Redis::Off).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_the_refresh_on_three_replicas_opens_each_campaign_once() {
    the_refresh_on_every_replica_opens_each_campaign_once(Redis::Primary).await;
}
