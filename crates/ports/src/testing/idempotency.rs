//! Contracts of the idempotency records ([`IdempotencyStore`]). Time is the `now` argument, so
//! no clock is needed; the times used lie a year ahead of the real clock, so a real MongoDB's
//! TTL monitor never removes a record a test still expects.

use std::future::Future;
use std::ops::Not as _;
use std::sync::Arc;
use std::time::Duration;

use campaign_domain::chrono::{DateTime, DurationRound, TimeDelta, Utc};
use futures::future::{BoxFuture, join_all};

use crate::{
    Begin, IdempotencyClaim, IdempotencyKey, IdempotencyStore, StoreError, StoredResponse,
};

/// The store a contract runs on (fresh and empty).
pub type IdempotencyUnderTest = Arc<dyn IdempotencyStore>;

/// The lease the contracts take.
const LEASE: Duration = Duration::from_secs(60);
/// How long the contracts keep answers (the API's 24 h).
const KEEP: Duration = Duration::from_secs(24 * 3600);

/// A year from now, in whole milliseconds (what stores keep).
fn start() -> DateTime<Utc> {
    let t = Utc::now() + TimeDelta::days(365);
    t.duration_trunc(TimeDelta::milliseconds(1)).unwrap_or(t)
}

fn at(start: DateTime<Utc>, after: Duration) -> DateTime<Utc> {
    start + TimeDelta::from_std(after).unwrap()
}

fn key(user_id: &str, key: &str, method: &str, path: &str) -> IdempotencyKey {
    IdempotencyKey {
        user_id: user_id.to_owned(),
        key: key.to_owned(),
        method: method.to_owned(),
        path: path.to_owned(),
    }
}

fn campaigns_key() -> IdempotencyKey {
    key("user-1", "key-1", "POST", "/campaigns")
}

fn claim(name: &str) -> IdempotencyClaim {
    IdempotencyClaim(name.to_owned())
}

fn created() -> StoredResponse {
    StoredResponse {
        status: 201,
        body: br#"{"data":{"id":"0123456789abcdef01234567","version":1}}"#.to_vec(),
        location: Some("/campaigns/0123456789abcdef01234567".to_owned()),
        etag: Some("\"1\"".to_owned()),
    }
}

/// The first `begin` starts; while it runs, the same fingerprint is `InProgress` and another
/// one `Mismatch`.
pub async fn idempotency_first_begin_starts(s: &IdempotencyUnderTest) {
    let (k, t) = (campaigns_key(), start());
    assert_eq!(
        s.begin(&k, "fp-a", &claim("a"), t, LEASE).await.unwrap(),
        Begin::Started
    );
    assert_eq!(
        s.begin(&k, "fp-a", &claim("b"), t, LEASE).await.unwrap(),
        Begin::InProgress
    );
    assert_eq!(
        s.begin(&k, "fp-a", &claim("a"), t, LEASE).await.unwrap(),
        Begin::InProgress,
        "even the holder's claim does not begin twice"
    );
    assert_eq!(
        s.begin(&k, "fp-other", &claim("c"), t, LEASE)
            .await
            .unwrap(),
        Begin::Mismatch,
        "another body is refused while the first runs"
    );
}

/// After `complete`, the same fingerprint replays the stored answer exactly, another one is
/// `Mismatch`; a second `complete` or a `release` changes nothing.
pub async fn idempotency_complete_then_replay(s: &IdempotencyUnderTest) {
    let (k, t) = (campaigns_key(), start());
    assert_eq!(
        s.begin(&k, "fp-a", &claim("a"), t, LEASE).await.unwrap(),
        Begin::Started
    );
    assert!(
        s.complete(&k, &claim("b"), &created(), t, KEEP)
            .await
            .unwrap()
            .not(),
        "only the holder completes"
    );
    assert!(
        s.complete(&k, &claim("a"), &created(), t, KEEP)
            .await
            .unwrap()
    );
    let later = at(t, Duration::from_secs(5));
    assert_eq!(
        s.begin(&k, "fp-a", &claim("b"), later, LEASE)
            .await
            .unwrap(),
        Begin::Replay(created())
    );
    assert_eq!(
        s.begin(&k, "fp-other", &claim("c"), later, LEASE)
            .await
            .unwrap(),
        Begin::Mismatch
    );
    let other = StoredResponse {
        status: 400,
        ..created()
    };
    assert!(
        s.complete(&k, &claim("a"), &other, later, KEEP)
            .await
            .unwrap()
            .not(),
        "the first completed answer is kept"
    );
    assert!(
        s.release(&k, &claim("a")).await.unwrap().not(),
        "a completed record is not released"
    );
    assert_eq!(
        s.begin(&k, "fp-a", &claim("d"), later, LEASE)
            .await
            .unwrap(),
        Begin::Replay(created())
    );
}

/// Answers round-trip byte for byte: no headers, an empty body, bytes that are not UTF-8.
pub async fn idempotency_answers_round_trip(s: &IdempotencyUnderTest) {
    let t = start();
    let answers = [
        StoredResponse {
            status: 204,
            body: Vec::new(),
            location: None,
            etag: None,
        },
        StoredResponse {
            status: 422,
            body: vec![0, 159, 146, 150, 255, b'{'],
            location: None,
            etag: Some("W/\"7\"".to_owned()),
        },
    ];
    for (i, answer) in answers.iter().enumerate() {
        let k = key("user-1", &format!("round-trip-{i}"), "POST", "/x");
        assert_eq!(
            s.begin(&k, "fp", &claim("a"), t, LEASE).await.unwrap(),
            Begin::Started
        );
        assert!(s.complete(&k, &claim("a"), answer, t, KEEP).await.unwrap());
        assert_eq!(
            s.begin(&k, "fp", &claim("b"), t, LEASE).await.unwrap(),
            Begin::Replay(answer.clone())
        );
    }
}

/// A completed answer is replayed until `keep` has passed after completion, and is gone (the
/// key free again) from then on.
pub async fn idempotency_answers_expire(s: &IdempotencyUnderTest) {
    let (k, t) = (campaigns_key(), start());
    assert_eq!(
        s.begin(&k, "fp-a", &claim("a"), t, LEASE).await.unwrap(),
        Begin::Started
    );
    let completed = at(t, Duration::from_secs(10));
    assert!(
        s.complete(&k, &claim("a"), &created(), completed, KEEP)
            .await
            .unwrap()
    );
    let just_before = at(completed, KEEP) - TimeDelta::milliseconds(1);
    assert_eq!(
        s.begin(&k, "fp-a", &claim("b"), just_before, LEASE)
            .await
            .unwrap(),
        Begin::Replay(created())
    );
    let expired = at(completed, KEEP);
    assert_eq!(
        s.begin(&k, "fp-other", &claim("c"), expired, LEASE)
            .await
            .unwrap(),
        Begin::Started,
        "an expired answer is absent, whatever the body"
    );
    let second = StoredResponse {
        status: 400,
        body: b"{}".to_vec(),
        location: None,
        etag: None,
    };
    assert!(
        s.complete(&k, &claim("c"), &second, expired, KEEP)
            .await
            .unwrap()
    );
    assert_eq!(
        s.begin(&k, "fp-other", &claim("d"), expired, LEASE)
            .await
            .unwrap(),
        Begin::Replay(second)
    );
}

/// A running record whose lease ended is taken over by the next `begin`; the old holder can
/// then neither complete nor release it. Past its lease but not taken over, the holder still
/// completes.
pub async fn idempotency_lease_expiry_allows_take_over(s: &IdempotencyUnderTest) {
    let (k, t) = (campaigns_key(), start());
    assert_eq!(
        s.begin(&k, "fp-a", &claim("a"), t, LEASE).await.unwrap(),
        Begin::Started
    );
    let within = at(t, LEASE) - TimeDelta::milliseconds(1);
    assert_eq!(
        s.begin(&k, "fp-a", &claim("b"), within, LEASE)
            .await
            .unwrap(),
        Begin::InProgress
    );
    let ended = at(t, LEASE);
    assert_eq!(
        s.begin(&k, "fp-a", &claim("b"), ended, LEASE)
            .await
            .unwrap(),
        Begin::Started,
        "the lease ran out: the key is taken over"
    );
    assert!(
        s.complete(&k, &claim("a"), &created(), ended, KEEP)
            .await
            .unwrap()
            .not(),
        "the old holder lost the key"
    );
    assert!(s.release(&k, &claim("a")).await.unwrap().not());
    assert_eq!(
        s.begin(&k, "fp-a", &claim("c"), ended, LEASE)
            .await
            .unwrap(),
        Begin::InProgress,
        "the new holder's lease runs"
    );
    assert!(
        s.complete(&k, &claim("b"), &created(), ended, KEEP)
            .await
            .unwrap()
    );
    assert_eq!(
        s.begin(&k, "fp-a", &claim("c"), ended, LEASE)
            .await
            .unwrap(),
        Begin::Replay(created())
    );

    let slow = key("user-1", "slow", "POST", "/campaigns");
    assert_eq!(
        s.begin(&slow, "fp", &claim("a"), t, LEASE).await.unwrap(),
        Begin::Started
    );
    let late = at(t, LEASE * 2);
    assert!(
        s.complete(&slow, &claim("a"), &created(), late, KEEP)
            .await
            .unwrap(),
        "nobody took it over: the late answer is kept"
    );
    assert_eq!(
        s.begin(&slow, "fp", &claim("b"), late, LEASE)
            .await
            .unwrap(),
        Begin::Replay(created())
    );
}

/// `release` by the holder frees the key at once (a new `begin` starts, whatever its body);
/// by anyone else it does nothing.
pub async fn idempotency_release_frees_the_key(s: &IdempotencyUnderTest) {
    let (k, t) = (campaigns_key(), start());
    assert!(
        s.release(&k, &claim("a")).await.unwrap().not(),
        "nothing to release"
    );
    assert_eq!(
        s.begin(&k, "fp-a", &claim("a"), t, LEASE).await.unwrap(),
        Begin::Started
    );
    assert!(s.release(&k, &claim("b")).await.unwrap().not());
    assert_eq!(
        s.begin(&k, "fp-a", &claim("b"), t, LEASE).await.unwrap(),
        Begin::InProgress
    );
    assert!(s.release(&k, &claim("a")).await.unwrap());
    assert!(s.release(&k, &claim("a")).await.unwrap().not());
    assert_eq!(
        s.begin(&k, "fp-other", &claim("b"), t, LEASE)
            .await
            .unwrap(),
        Begin::Started
    );
    assert!(
        s.complete(&k, &claim("a"), &created(), t, KEEP)
            .await
            .unwrap()
            .not(),
        "the released claim is gone"
    );
}

/// Keys that differ in the user, the key, the method or the path are independent.
pub async fn idempotency_keys_are_independent(s: &IdempotencyUnderTest) {
    let t = start();
    let keys = [
        key("user-1", "k", "POST", "/campaigns"),
        key("user-2", "k", "POST", "/campaigns"),
        key("user-1", "k2", "POST", "/campaigns"),
        key("user-1", "k", "PUT", "/campaigns"),
        key("user-1", "k", "POST", "/promoters"),
        // Parts that would run together if simply joined.
        key("user-1|k", "", "POST", "/campaigns"),
        key("user-1", "k|POST", "", "/campaigns"),
    ];
    for (i, k) in keys.iter().enumerate() {
        assert_eq!(
            s.begin(k, &format!("fp-{i}"), &claim(&format!("c{i}")), t, LEASE)
                .await
                .unwrap(),
            Begin::Started,
            "{k:?}"
        );
    }
    let first = &keys[0];
    assert!(
        s.complete(first, &claim("c0"), &created(), t, KEEP)
            .await
            .unwrap()
    );
    assert_eq!(
        s.begin(first, "fp-0", &claim("x"), t, LEASE).await.unwrap(),
        Begin::Replay(created())
    );
    for (i, k) in keys.iter().enumerate().skip(1) {
        assert_eq!(
            s.begin(k, &format!("fp-{i}"), &claim("x"), t, LEASE)
                .await
                .unwrap(),
            Begin::InProgress,
            "{k:?}"
        );
    }
}

/// Many concurrent `begin`s of one free key: exactly one starts, the others see it running.
pub async fn idempotency_concurrent_begins_one_winner<S, F>(s: &IdempotencyUnderTest, spawn: S)
where
    S: Fn(BoxFuture<'static, Result<Begin, StoreError>>) -> F,
    F: Future<Output = Result<Begin, StoreError>>,
{
    let (k, t) = (campaigns_key(), start());
    let tasks = (0..16).map(|i| {
        let store = s.clone();
        let k = k.clone();
        spawn(Box::pin(async move {
            store
                .begin(&k, "fp", &claim(&format!("t{i}")), t, LEASE)
                .await
        }))
    });
    let results = join_all(tasks).await;
    let started = results
        .iter()
        .filter(|r| matches!(r, Ok(Begin::Started)))
        .count();
    let running = results
        .iter()
        .filter(|r| matches!(r, Ok(Begin::InProgress)))
        .count();
    assert_eq!((started, running), (1, 15), "results: {results:?}");
}
