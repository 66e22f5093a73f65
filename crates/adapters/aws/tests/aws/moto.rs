//! Both adapters against a real Kinesis and SQS implementation: the moto server the test
//! command starts (`CAMPAIGN_TEST_AWS_ENDPOINT_URL`, see `campaign_adapter_aws::testing`). Each test
//! makes its own stream or queue with a unique name, sends through the adapter, reads back with
//! the plain SDK clients (`GetShardIterator` + `GetRecords`, `ReceiveMessage`) and deletes what it
//! made.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use campaign_adapter_aws::testing::{self as moto, unique};
use campaign_adapter_aws::{KinesisStream, SdkConfig, SqsQueue};
use campaign_domain::messages::OutboundEvent;
use campaign_domain::serde_json;
use campaign_domain::uuid::Uuid;
use campaign_ports::{CampaignDataStream, MessageQueue};

use crate::support::{
    assert_permanent, campaign, moto_endpoint, pipeline_event, selections_event, stream_event,
};

/// The adapter's own configuration against moto, with static test credentials.
async fn moto() -> SdkConfig {
    moto::sdk_config(&moto_endpoint()).await
}

#[tokio::test]
async fn kinesis_records_round_trip_through_moto() {
    let config = moto().await;
    let client = aws_sdk_kinesis::Client::new(&config);
    let name = unique("campaign-data");
    moto::create_stream(&config, &name).await;

    let (a, b) = (campaign("a"), campaign("b"));
    let events = vec![stream_event(&a), stream_event(&b), stream_event(&a)];
    let outcome = KinesisStream::new(&config, &name)
        .put_records(&events)
        .await
        .unwrap();
    assert!(outcome.failed.is_empty(), "{outcome:?}");

    let records = moto::read_stream(&config, &name).await;
    assert_eq!(records.len(), events.len());
    for ((key, data), event) in records.iter().zip(&events) {
        let decoded: OutboundEvent = serde_json::from_value(data.clone()).unwrap();
        assert_eq!(&decoded, event, "one shard keeps the order");
        assert_eq!(key, &event.message.ordering_key());
    }
    assert_eq!(records[0].0, a.id.as_str());
    assert_eq!(records[1].0, b.id.as_str());

    client.delete_stream().stream_name(&name).send().await.ok();
}

#[tokio::test]
async fn kinesis_takes_more_than_one_call_of_records() {
    let config = moto().await;
    let client = aws_sdk_kinesis::Client::new(&config);
    let name = unique("campaign-data-many");
    moto::create_stream(&config, &name).await;

    let c = campaign("many");
    let events: Vec<OutboundEvent> = (0..501).map(|_| stream_event(&c)).collect();
    let outcome = KinesisStream::new(&config, &name)
        .put_records(&events)
        .await
        .unwrap();
    assert!(outcome.failed.is_empty(), "{outcome:?}");

    let records = moto::read_stream(&config, &name).await;
    let ids: Vec<Uuid> = records
        .iter()
        .map(|(_, data)| {
            serde_json::from_value::<OutboundEvent>(data.clone())
                .unwrap()
                .event_id
        })
        .collect();
    let expected: Vec<Uuid> = events.iter().map(|e| e.event_id).collect();
    assert_eq!(ids, expected);

    client.delete_stream().stream_name(&name).send().await.ok();
}

/// Several replicas' relays put records on one stream at the same moment, as in production;
/// every record each of them was told was stored is on the stream. (moto's own server loses
/// some here: the test command starts it with a lock around the step that numbers a record.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kinesis_keeps_every_record_that_concurrent_relays_put() {
    const RELAYS: usize = 16;
    const CALLS: usize = 100;
    let config = moto().await;
    let client = aws_sdk_kinesis::Client::new(&config);
    let name = unique("campaign-data-concurrent");
    moto::create_stream(&config, &name).await;

    let relays: Vec<_> = (0..RELAYS)
        .map(|relay| {
            let stream = KinesisStream::new(&config, &name);
            tokio::spawn(async move {
                let c = campaign(&format!("relay-{relay}"));
                let mut sent = Vec::with_capacity(CALLS);
                for _ in 0..CALLS {
                    let event = stream_event(&c);
                    let outcome = stream.put_records(std::slice::from_ref(&event)).await;
                    assert!(outcome.unwrap().failed.is_empty(), "stored");
                    sent.push(event.event_id);
                }
                sent
            })
        })
        .collect();
    let mut sent = Vec::with_capacity(RELAYS * CALLS);
    for relay in relays {
        sent.extend(relay.await.expect("relay"));
    }

    let stored: std::collections::HashSet<Uuid> = moto::read_stream(&config, &name)
        .await
        .into_iter()
        .map(|(_, data)| {
            serde_json::from_value::<OutboundEvent>(data)
                .unwrap()
                .event_id
        })
        .collect();
    let lost: Vec<&Uuid> = sent.iter().filter(|id| !stored.contains(id)).collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged records are not on the stream",
        lost.len(),
        sent.len()
    );

    client.delete_stream().stream_name(&name).send().await.ok();
}

#[tokio::test]
async fn a_missing_stream_is_permanent_on_moto() {
    let config = moto().await;
    let error = KinesisStream::new(&config, unique("no-such-stream"))
        .put_records(&[stream_event(&campaign("gone"))])
        .await
        .unwrap_err();
    assert_permanent(&error, "ResourceNotFoundException");
}

/// Receives until `expected` messages arrived (or 10 s passed), with every attribute.
async fn receive(
    client: &aws_sdk_sqs::Client,
    url: &str,
    expected: usize,
) -> Vec<aws_sdk_sqs::types::Message> {
    let mut out = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while out.len() < expected && Instant::now() < deadline {
        let page = client
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .message_attribute_names("All")
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .send()
            .await
            .expect("ReceiveMessage");
        out.extend(page.messages().iter().cloned());
    }
    out
}

#[tokio::test]
async fn sqs_messages_round_trip_through_moto() {
    let config = moto().await;
    let client = aws_sdk_sqs::Client::new(&config);
    let url = client
        .create_queue()
        .queue_name(unique("data-pipeline"))
        .send()
        .await
        .expect("CreateQueue")
        .queue_url()
        .expect("a queue URL")
        .to_owned();

    let c = campaign("pipeline");
    let events: Vec<OutboundEvent> = (0..12)
        .map(|i| pipeline_event(&c, (i % 2 == 0).then_some("corr-even")))
        .collect();
    let outcome = SqsQueue::new(&config, &url)
        .send_batch(&events)
        .await
        .unwrap();
    assert!(outcome.failed.is_empty(), "{outcome:?}");

    let messages = receive(&client, &url, events.len()).await;
    assert_eq!(messages.len(), events.len());
    let sent: HashMap<Uuid, &OutboundEvent> = events.iter().map(|e| (e.event_id, e)).collect();
    for message in &messages {
        let decoded: OutboundEvent = serde_json::from_str(message.body().unwrap()).unwrap();
        let event = sent[&decoded.event_id];
        assert_eq!(&decoded, event);
        let attributes = message.message_attributes().unwrap();
        assert_eq!(
            attributes[SqsQueue::EVENT_ID_ATTRIBUTE].string_value(),
            Some(event.event_id.to_string().as_str())
        );
        assert_eq!(
            attributes
                .get(SqsQueue::CORRELATION_ID_ATTRIBUTE)
                .and_then(|a| a.string_value()),
            event.correlation.as_deref()
        );
    }

    client.delete_queue().queue_url(&url).send().await.ok();
}

#[tokio::test]
async fn a_fifo_queue_groups_by_campaign_on_moto() {
    let config = moto().await;
    let client = aws_sdk_sqs::Client::new(&config);
    let url = client
        .create_queue()
        .queue_name(format!("{}.fifo", unique("refresh-selections")))
        .attributes(QueueAttributeName::FifoQueue, "true")
        .send()
        .await
        .expect("CreateQueue")
        .queue_url()
        .expect("a queue URL")
        .to_owned();

    let c = campaign("fifo");
    let events = vec![selections_event(&c), selections_event(&c)];
    let queue = SqsQueue::new(&config, &url);
    let outcome = queue.send_batch(&events).await.unwrap();
    assert!(outcome.failed.is_empty(), "{outcome:?}");
    // The same events again: de-duplicated by their event ids.
    queue.send_batch(&events).await.unwrap();

    let messages = receive(&client, &url, events.len()).await;
    let ids: Vec<Uuid> = messages
        .iter()
        .map(|m| {
            serde_json::from_str::<OutboundEvent>(m.body().unwrap())
                .unwrap()
                .event_id
        })
        .collect();
    assert_eq!(
        ids,
        [events[0].event_id, events[1].event_id],
        "in order, once each"
    );
    let group = messages[0]
        .attributes()
        .and_then(|a| a.get(&MessageSystemAttributeName::MessageGroupId))
        .cloned();
    assert_eq!(group.as_deref(), Some(c.id.as_str()));

    client.delete_queue().queue_url(&url).send().await.ok();
}

#[tokio::test]
async fn a_missing_queue_is_permanent_on_moto() {
    let config = moto().await;
    let url = format!(
        "{}/123456789012/{}",
        moto_endpoint().trim_end_matches('/'),
        unique("no-such-queue")
    );
    let error = SqsQueue::new(&config, url)
        .send_batch(&[pipeline_event(&campaign("gone"), None)])
        .await
        .unwrap_err();
    assert_permanent(&error, "NonExistentQueue");
}
