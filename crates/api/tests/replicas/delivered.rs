//! What reached moto: a Kinesis stream and two SQS queues of one test on the shared moto server
//! (the variables that point a replica at them), and everything read back from them, kept
//! across reads (a queue is drained as it is read).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use campaign_adapter_aws::SdkConfig;
use campaign_adapter_aws::testing as moto;
use campaign_domain::chrono::{DateTime, Utc};
use serde_json::Value;

/// A stream and two queues made on the shared moto server for one test.
pub struct Destinations {
    config: SdkConfig,
    endpoint: String,
    stream: String,
    data_pipeline: String,
    refresh_selections: String,
}

impl Destinations {
    /// Makes them.
    pub async fn create() -> Self {
        let endpoint = moto::endpoint();
        let config = moto::sdk_config(&endpoint).await;
        let stream = moto::unique("replicas-data");
        moto::create_stream(&config, &stream).await;
        let data_pipeline = moto::create_queue(&config, &moto::unique("replicas-pipeline")).await;
        let refresh_selections =
            moto::create_queue(&config, &moto::unique("replicas-selections")).await;
        Self {
            config,
            endpoint,
            stream,
            data_pipeline,
            refresh_selections,
        }
    }

    /// The `CAMPAIGN_*` variables that send a replica's messages here.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("CAMPAIGN_AWS_ENDPOINT_URL".into(), self.endpoint.clone()),
            ("CAMPAIGN_KINESIS_STREAM".into(), self.stream.clone()),
            (
                "CAMPAIGN_SQS_DATA_PIPELINE_QUEUE_URL".into(),
                self.data_pipeline.clone(),
            ),
            (
                "CAMPAIGN_SQS_REFRESH_SELECTIONS_QUEUE_URL".into(),
                self.refresh_selections.clone(),
            ),
        ]
    }
}

/// Everything that arrived so far.
#[derive(Default)]
pub struct Arrived {
    /// Kinesis records (partition key, JSON), the whole stream as of the last read.
    pub records: Vec<(String, Value)>,
    /// Data pipeline messages, accumulated.
    pub pipeline: Vec<Value>,
}

impl Arrived {
    /// Reads the stream again and drains the data pipeline queue.
    pub async fn refresh(&mut self, d: &Destinations) {
        self.records = moto::read_stream(&d.config, &d.stream).await;
        self.pipeline
            .extend(moto::drain_queue(&d.config, &d.data_pipeline).await);
    }

    /// Reads until `missing` finds nothing missing (`None`), at most `limit`; panics naming
    /// `what` and what is still missing.
    pub async fn until(
        &mut self,
        d: &Destinations,
        what: &str,
        limit: Duration,
        missing: impl Fn(&Self) -> Option<String>,
    ) {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            self.refresh(d).await;
            let Some(missing) = missing(self) else {
                return;
            };
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out after {limit:?} waiting for {what}; arrived: {} records, {} pipeline \
                 messages; missing: {missing}",
                self.records.len(),
                self.pipeline.len()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The campaign data stream records (their JSON, partition key checked = campaign id).
    fn stream_records(&self) -> impl Iterator<Item = &Value> {
        self.records.iter().map(|(key, data)| {
            assert_eq!(
                data["payload"]["campaignId"].as_str(),
                Some(key.as_str()),
                "partition key = campaign id: {data}"
            );
            data
        })
    }

    /// The campaign summaries of the data pipeline messages.
    fn pipeline_campaigns(&self) -> impl Iterator<Item = (&Value, &Value)> {
        self.pipeline
            .iter()
            .filter(|m| m["payload"]["entity"] == "campaign")
            .map(|m| (m, &m["payload"]["campaign"]))
    }

    /// `(campaign id, version)` of every campaign summary on the data pipeline queue.
    pub fn pipeline_versions(&self) -> BTreeSet<(String, u64)> {
        self.pipeline_campaigns()
            .filter_map(|(_, c)| Some((c["id"].as_str()?.to_owned(), c["version"].as_u64()?)))
            .collect()
    }

    /// `(campaign id, date.updated)` of every stream record: which write of a campaign a record
    /// tells of (the record carries no version).
    pub fn stream_writes(&self) -> BTreeSet<(String, DateTime<Utc>)> {
        self.stream_records()
            .filter_map(|r| {
                let payload = &r["payload"];
                Some((
                    payload["campaignId"].as_str()?.to_owned(),
                    payload["date"]["updated"].as_str()?.parse().ok()?,
                ))
            })
            .collect()
    }

    /// Per campaign, the distinct event ids of stream records saying it is `status` (a record
    /// delivered twice, at least once, counts once; a second transition would not).
    pub fn stream_events_with_status(&self, status: &str) -> BTreeMap<String, BTreeSet<String>> {
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for r in self.stream_records() {
            if r["payload"]["status"] == status {
                out.entry(r["payload"]["campaignId"].as_str().unwrap().to_owned())
                    .or_default()
                    .insert(r["eventId"].as_str().unwrap().to_owned());
            }
        }
        out
    }

    /// Per campaign, the distinct event ids of data pipeline summaries saying it is `status`.
    pub fn pipeline_events_with_status(&self, status: &str) -> BTreeMap<String, BTreeSet<String>> {
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (message, c) in self.pipeline_campaigns() {
            if c["status"] == status {
                out.entry(c["id"].as_str().unwrap().to_owned())
                    .or_default()
                    .insert(message["eventId"].as_str().unwrap().to_owned());
            }
        }
        out
    }
}
