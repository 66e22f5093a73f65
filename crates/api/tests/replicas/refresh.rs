//! The scheduled refresh on several replicas (SPEC §7.3: "concurrent runs never transition a
//! campaign twice"): three replicas run it every second on one store — all three at once
//! without Redis (each has only its in-process lock), one at a time with the Redis lock — and
//! complete campaigns whose `date.open` and `date.close` lie a few seconds ahead are each
//! opened and then closed exactly once: one OPEN and one CLOSED entry in `statusHistory`, one
//! version step each, and one transition of each on the Kinesis stream and on the data pipeline
//! queue (distinct event ids; a redelivery of the same event is allowed, a second transition
//! is not).

use std::time::Duration;

use campaign_domain::chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::cluster::{Cluster, Options, Redis, complete, eventually, id_of, version_of};
use crate::delivered::{Arrived, Destinations};

/// Campaigns opened and closed per test.
const CAMPAIGNS: usize = 6;
/// From the creates to `date.open`, and from there to `date.close`: several refresh periods
/// each, so every campaign is seen OPEN before it closes (a run after both dates would open and
/// close in one write).
const TO_OPEN: TimeDelta = TimeDelta::seconds(4);
const TO_CLOSE: TimeDelta = TimeDelta::seconds(4);
/// The transitions, as the refresh writes them.
const TRANSITIONS: [&str; 2] = ["OPEN", "CLOSED"];

async fn the_refresh_on_every_replica_opens_and_closes_each_campaign_once(redis: Redis) {
    let destinations = Destinations::create().await;
    let cluster = Cluster::start(Options {
        redis,
        refresh_interval_secs: 1,
        destinations: Some(&destinations),
        ..Options::default()
    })
    .await;
    let replicas = cluster.replicas();
    let open_at = Utc::now() + TO_OPEN;
    let close_at = open_at + TO_CLOSE;
    let wire = |at: DateTime<Utc>| at.to_rfc3339_opts(SecondsFormat::Millis, true);
    let created = join_all((0..CAMPAIGNS).map(|i| {
        let mut body = complete(&format!("Opening {i}"));
        body["date"] = json!({"open": wire(open_at), "close": wire(close_at)});
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
    for status in TRANSITIONS {
        eventually(
            &format!("every campaign to be {status}"),
            Duration::from_secs(15),
            || async { read_all().await.iter().all(|c| c["status"] == status) },
        )
        .await;
    }
    let closed = read_all().await;
    // Two more periods on every replica: a second transition would have happened by now.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    for (id, seen) in ids.iter().zip(&closed) {
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
                (&json!("OPEN"), &json!("system")),
                (&json!("CLOSED"), &json!("system"))
            ],
            "campaign {id} opened once and closed once"
        );
        assert_eq!(
            version_of(c),
            3,
            "campaign {id}: one write for each transition"
        );
        assert_eq!(c, seen, "campaign {id} unchanged since it was seen CLOSED");
        let date = &c["date"];
        assert!(
            date["opened"].is_string() && date["closed"].is_string(),
            "{date}"
        );
        assert!(
            date.get("open").is_none() && date.get("close").is_none(),
            "{date}"
        );
    }

    let mut arrived = Arrived::default();
    arrived
        .until(
            &destinations,
            "both transitions of every campaign on the stream and the pipeline queue",
            Duration::from_secs(10),
            |a| {
                let missing: Vec<String> = TRANSITIONS
                    .iter()
                    .flat_map(|status| {
                        let stream = a.stream_events_with_status(status);
                        let pipeline = a.pipeline_events_with_status(status);
                        ids.iter()
                            .filter(move |id| {
                                !stream.contains_key(*id) || !pipeline.contains_key(*id)
                            })
                            .map(move |id| format!("{id} {status}"))
                    })
                    .collect();
                (!missing.is_empty()).then(|| format!("{missing:?}"))
            },
        )
        .await;
    // What a second transition would have sent has had time to arrive too.
    tokio::time::sleep(Duration::from_millis(500)).await;
    arrived.refresh(&destinations).await;
    for status in TRANSITIONS {
        let (stream, pipeline) = (
            arrived.stream_events_with_status(status),
            arrived.pipeline_events_with_status(status),
        );
        for id in &ids {
            assert_eq!(
                (stream[id].len(), pipeline[id].len()),
                (1, 1),
                "campaign {id}: one {status} transition on the stream {:?} and on the queue {:?}",
                stream[id],
                pipeline[id]
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_the_refresh_on_three_replicas_opens_and_closes_each_campaign_once() {
    the_refresh_on_every_replica_opens_and_closes_each_campaign_once(Redis::Off).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_the_refresh_on_three_replicas_opens_and_closes_each_campaign_once() {
    the_refresh_on_every_replica_opens_and_closes_each_campaign_once(Redis::Primary).await;
}
