//! Campaign queries for other internal services (SPEC §6, §7.6): campaigns covering an event,
//! campaign ids by category, and the category and event ids of campaigns whose presale window
//! overlaps a range.
//!
//! Any authenticated caller may ask; the answers hold only campaigns the caller may read (every
//! campaign for a supreme caller), so a token never learns about campaigns it has no grant on
//! (ADR 0009). The caller's read scope goes into the store query itself, and the stores answer
//! only what each query needs, de-duplicated on their side (ADR 0017).

use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::paging::{MAX_PAGE_SIZE, Page, PageRequest};
use campaign_domain::values::{CampaignId, CategoryId, EventId};
use campaign_domain::{Campaign, DomainError, ValidationErrors};

use crate::RequestContext;
use crate::ports::Ports;

/// Most category ids one query may name.
pub const MAX_CATEGORY_IDS: usize = 100;

/// Page size of `/campaigns/events` when the caller names none: the largest page, so a caller
/// that does not page still gets every campaign covering an event (a handful in practice) as
/// before paging existed, and reads `pagination.total` to tell when there are more.
pub const EVENT_CAMPAIGNS_PAGE_SIZE: u32 = MAX_PAGE_SIZE;

use crate::store_errors::campaign_store_error as store_error;

/// The range of a presale query: `presaleQueryStartDate` and `presaleQueryEndDate`, both or
/// neither. Neither means "now" (campaigns whose presale window is open now).
///
/// Errors: `MISSING_PRESALE_WINDOW_DATE` when only one is given;
/// `INVALID_PRESALE_WINDOW_DATE_ORDER` when the end lies before the start.
pub fn presale_range(
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), DomainError> {
    match (start, end) {
        (None, None) => Ok((now, now)),
        (Some(s), Some(e)) if e < s => Err(DomainError::InvalidPresaleWindowDateOrder),
        (Some(s), Some(e)) => Ok((s, e)),
        _ => Err(DomainError::MissingPresaleWindowDate),
    }
}

/// The campaign query use cases.
///
/// Each one hands the caller's read scope to the store, which filters by it: a caller with a
/// few grants makes the store read only those campaigns, never every matching one. The stores
/// answer ids, category ids and event ids rather than whole records, de-duplicated on their
/// side; only `/campaigns/events` returns campaigns, one page at a time (ADR 0017).
#[derive(Debug, Clone)]
pub struct CampaignQueryService {
    ports: Ports,
}

impl CampaignQueryService {
    /// The use cases over `ports`.
    pub fn new(ports: Ports) -> Self {
        Self { ports }
    }

    /// One page of the campaigns covering ticketing event `event_id` (SPEC §7.6): those whose
    /// markets list it and those whose own `eventIds` contain it, neither DRAFT nor PREVIEW,
    /// with a `date.presaleWindowStart`, that the caller may read; by id. The page carries the
    /// total (the HTTP layer's default page size here is [`EVENT_CAMPAIGNS_PAGE_SIZE`]).
    pub async fn by_event(
        &self,
        ctx: &RequestContext,
        event_id: &EventId,
        page: PageRequest,
    ) -> Result<Page<Campaign>, DomainError> {
        let scope = ctx.actor.read_scope();
        let with_markets = self
            .ports
            .markets
            .campaigns_listing_event(event_id, &scope)
            .await
            .map_err(store_error)?;
        self.ports
            .campaigns
            .covering_event(event_id, &with_markets, &scope, page)
            .await
            .map_err(store_error)
    }

    /// Ids of the campaigns the caller may read whose `categoryId` is one of `categories`,
    /// sorted.
    ///
    /// Errors: `VALIDATION_ERROR` on `categoryIds` when the list is empty or names more than
    /// [`MAX_CATEGORY_IDS`] categories.
    pub async fn ids_by_category(
        &self,
        ctx: &RequestContext,
        categories: &[CategoryId],
    ) -> Result<Vec<CampaignId>, DomainError> {
        let mut e = ValidationErrors::new();
        if categories.is_empty() {
            e.add(
                "categoryIds",
                "is required: one or more ids separated by commas",
            );
        }
        if categories.len() > MAX_CATEGORY_IDS {
            e.add(
                "categoryIds",
                format!("must name at most {MAX_CATEGORY_IDS} categories"),
            );
        }
        e.into_result(())?;
        self.ports
            .campaigns
            .ids_by_category(categories, &ctx.actor.read_scope())
            .await
            .map_err(store_error)
    }

    /// The category ids, de-duplicated and sorted, of the campaigns the caller may read whose
    /// presale window overlaps the range (see [`presale_range`]).
    ///
    /// Errors: as for [`presale_range`].
    pub async fn category_ids(
        &self,
        ctx: &RequestContext,
        start: Option<DateTime<Utc>>,
        end: Option<DateTime<Utc>>,
    ) -> Result<Vec<CategoryId>, DomainError> {
        let (start, end) = presale_range(start, end, self.ports.clock.now())?;
        self.ports
            .campaigns
            .category_ids_in_presale(start, end, &ctx.actor.read_scope())
            .await
            .map_err(store_error)
    }

    /// The event ids, de-duplicated and sorted, of the markets of the campaigns the caller may
    /// read whose presale window overlaps the range (see [`presale_range`]).
    ///
    /// Errors: as for [`presale_range`].
    pub async fn event_ids(
        &self,
        ctx: &RequestContext,
        start: Option<DateTime<Utc>>,
        end: Option<DateTime<Utc>>,
    ) -> Result<Vec<EventId>, DomainError> {
        let (start, end) = presale_range(start, end, self.ports.clock.now())?;
        let campaigns = self
            .ports
            .campaigns
            .ids_in_presale(start, end, &ctx.actor.read_scope())
            .await
            .map_err(store_error)?;
        if campaigns.is_empty() {
            return Ok(Vec::new());
        }
        self.ports
            .markets
            .event_ids_of_campaigns(&campaigns)
            .await
            .map_err(store_error)
    }
}

#[cfg(test)]
mod tests {
    use campaign_domain::chrono::TimeZone as _;

    use super::*;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 1, 1, h, 0, 0).unwrap()
    }

    #[test]
    fn a_presale_range_needs_both_ends_in_order() {
        let now = at(12);
        assert_eq!(presale_range(None, None, now), Ok((now, now)));
        assert_eq!(
            presale_range(Some(at(1)), Some(at(2)), now),
            Ok((at(1), at(2)))
        );
        assert_eq!(
            presale_range(Some(at(1)), Some(at(1)), now),
            Ok((at(1), at(1)))
        );
        assert_eq!(
            presale_range(Some(at(1)), None, now),
            Err(DomainError::MissingPresaleWindowDate)
        );
        assert_eq!(
            presale_range(None, Some(at(1)), now),
            Err(DomainError::MissingPresaleWindowDate)
        );
        assert_eq!(
            presale_range(Some(at(2)), Some(at(1)), now),
            Err(DomainError::InvalidPresaleWindowDateOrder)
        );
    }
}
