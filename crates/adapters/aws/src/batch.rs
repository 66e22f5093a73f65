//! Splitting a slice of entries into requests the service accepts (at most so many entries and
//! so many bytes each), and collecting the per-entry outcome of several requests into one
//! `BatchOutcome`.

use campaign_domain::uuid::Uuid;
use campaign_ports::{BatchOutcome, IntegrationError};

/// Splits `items` in order into chunks of at most `max_count` items whose `size`s add up to at
/// most `max_bytes`. An item larger than `max_bytes` on its own gets a chunk of its own, and the
/// service decides about it.
pub(crate) fn chunks<T>(
    items: Vec<T>,
    max_count: usize,
    max_bytes: usize,
    size: impl Fn(&T) -> usize,
) -> Vec<Vec<T>> {
    let mut out: Vec<Vec<T>> = Vec::new();
    let mut current: Vec<T> = Vec::new();
    let mut bytes = 0;
    for item in items {
        let n = size(&item);
        if !current.is_empty() && (current.len() >= max_count || bytes + n > max_bytes) {
            out.push(std::mem::take(&mut current));
            bytes = 0;
        }
        bytes += n;
        current.push(item);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The outcome of a call made of several requests, built request by request.
///
/// Policy: per-entry failures are collected. A request that fails as a whole marks its entries
/// failed; after a transient whole-request failure the remaining requests are not sent (the
/// service is down or throttling) and their entries are failed with the same reason. When no
/// request got through at all the call fails with the first transient error, else the first
/// permanent one — so a single-request call reports its error as it is.
#[derive(Debug, Default)]
pub(crate) struct Collector {
    outcome: BatchOutcome,
    accepted_any: bool,
    first_transient: Option<IntegrationError>,
    first_permanent: Option<IntegrationError>,
}

impl Collector {
    /// Records a request that reached the service; `failed` are its refused entries.
    pub(crate) fn sent(&mut self, failed: Vec<(Uuid, String)>) {
        self.accepted_any = true;
        self.outcome.failed.extend(failed);
    }

    /// Records an entry refused before any request (it could not be encoded).
    pub(crate) fn refused(&mut self, event_id: Uuid, reason: String) {
        self.outcome.failed.push((event_id, reason));
    }

    /// Records a request that failed as a whole, with the ids of its entries. Returns whether
    /// the following requests should still be sent.
    pub(crate) fn request_failed(
        &mut self,
        ids: impl IntoIterator<Item = Uuid>,
        error: IntegrationError,
    ) -> bool {
        let reason = error.to_string();
        self.outcome
            .failed
            .extend(ids.into_iter().map(|id| (id, reason.clone())));
        let go_on = !error.is_transient();
        let slot = if error.is_transient() {
            &mut self.first_transient
        } else {
            &mut self.first_permanent
        };
        slot.get_or_insert(error);
        go_on
    }

    /// Records entries that were not sent because an earlier request failed transiently.
    pub(crate) fn skipped(&mut self, ids: impl IntoIterator<Item = Uuid>) {
        let reason = match &self.first_transient {
            Some(error) => format!("not sent after an earlier request failed: {error}"),
            None => "not sent".to_owned(),
        };
        self.outcome
            .failed
            .extend(ids.into_iter().map(|id| (id, reason.clone())));
    }

    /// The call's result (see the type's policy).
    pub(crate) fn finish(self) -> Result<BatchOutcome, IntegrationError> {
        if !self.accepted_any
            && let Some(error) = self.first_transient.or(self.first_permanent)
        {
            return Err(error);
        }
        Ok(self.outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(chunks: &[Vec<usize>]) -> Vec<usize> {
        chunks.iter().map(Vec::len).collect()
    }

    #[test]
    fn chunks_respect_the_count() {
        let c = chunks((0..1001).collect(), 500, usize::MAX, |_| 1);
        assert_eq!(sizes(&c), [500, 500, 1]);
        assert_eq!(c[2], [1000]);
    }

    #[test]
    fn chunks_respect_the_bytes_and_keep_order() {
        let c = chunks(vec![4, 4, 4, 9, 1, 1], 10, 10, |n| *n);
        assert_eq!(c, [vec![4, 4], vec![4], vec![9, 1], vec![1]]);
    }

    #[test]
    fn an_oversized_item_goes_alone() {
        let c = chunks(vec![1, 20, 1], 10, 10, |n| *n);
        assert_eq!(c, [vec![1], vec![20], vec![1]]);
    }

    #[test]
    fn nothing_makes_no_chunk() {
        assert!(chunks(Vec::<u8>::new(), 10, 10, |_| 1).is_empty());
    }

    #[test]
    fn a_lone_failed_request_is_the_calls_error() {
        let mut c = Collector::default();
        let id = Uuid::new_v4();
        assert!(c.request_failed([id], IntegrationError::Permanent("gone".into())));
        assert_eq!(c.finish(), Err(IntegrationError::Permanent("gone".into())));
    }

    #[test]
    fn a_transient_failure_wins_when_nothing_got_through() {
        let mut c = Collector::default();
        c.request_failed([Uuid::new_v4()], IntegrationError::Permanent("big".into()));
        assert!(!c.request_failed([Uuid::new_v4()], IntegrationError::Transient("down".into())));
        c.skipped([Uuid::new_v4()]);
        assert_eq!(c.finish(), Err(IntegrationError::Transient("down".into())));
    }

    #[test]
    fn after_a_sent_request_failures_are_per_entry() {
        let mut c = Collector::default();
        let (a, b, d) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        c.sent(vec![(a, "Throttled: slow down".into())]);
        c.request_failed([b], IntegrationError::Transient("down".into()));
        c.skipped([d]);
        let failed = c.finish().unwrap().failed;
        let ids: Vec<Uuid> = failed.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, [a, b, d]);
        assert!(failed[2].1.contains("down"), "{failed:?}");
    }
}
