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
use campaign_domain::values::{CampaignId, CategoryId, EventId, parse_instant};
use campaign_domain::{Campaign, DomainError, ValidationErrors};

use crate::RequestContext;
use crate::params::page_request_sized;
use crate::ports::Ports;

/// Most category ids one query may name.
pub const MAX_CATEGORY_IDS: usize = 100;

/// Page size of `/campaigns/events` when the caller names none: the largest page, so a caller
/// that does not page still gets every campaign covering an event (a handful in practice) as
/// before paging existed, and reads `pagination.total` to tell when there are more.
pub const EVENT_CAMPAIGNS_PAGE_SIZE: u32 = MAX_PAGE_SIZE;

use crate::store_errors::campaign_store_error as store_error;

/// The range of a presale query: `presaleQueryStartDate` and `presaleQueryEndDate` (RFC 3339),
/// both or neither. Neither means "now" (campaigns whose presale window is open now).
///
/// Errors: `VALIDATION_ERROR` naming a value that is not a date-time;
/// `MISSING_PRESALE_WINDOW_DATE` when only one is given; `INVALID_PRESALE_WINDOW_DATE_ORDER` when
/// the end lies before the start.
pub fn presale_range(
    start: Option<&str>,
    end: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), DomainError> {
    let mut e = ValidationErrors::new();
    let (start_raw, end_raw) = (present(start), present(end));
    let start = e.check("presaleQueryStartDate", start_raw, parse_instant);
    let end = e.check("presaleQueryEndDate", end_raw, parse_instant);
    if !e.is_empty() {
        return Err(e.into());
    }
    match (start, end) {
        (None, None) => Ok((now, now)),
        (Some(s), Some(e)) if e < s => Err(DomainError::InvalidPresaleWindowDateOrder),
        (Some(s), Some(e)) => Ok((s, e)),
        _ => Err(DomainError::MissingPresaleWindowDate),
    }
}

/// A query value, trimmed; blank means absent.
fn present(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|r| !r.is_empty())
}

/// The page of a `/campaigns/events` answer: `page` (zero-based, default 0) and `pageSize`
/// (1–100, default [`EVENT_CAMPAIGNS_PAGE_SIZE`]), reported on `e`.
fn event_page(
    e: &mut ValidationErrors,
    page: Option<&str>,
    page_size: Option<&str>,
) -> PageRequest {
    page_request_sized(e, page, page_size, EVENT_CAMPAIGNS_PAGE_SIZE)
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

    /// One page of the campaigns covering ticketing event `eventId` (SPEC §7.6): those whose
    /// markets list it and those whose own `eventIds` contain it, neither DRAFT nor PREVIEW,
    /// with a `date.presaleWindowStart`, that the caller may read; by id. `page` is zero-based
    /// (default 0), `pageSize` 1–100 (default [`EVENT_CAMPAIGNS_PAGE_SIZE`]); the page carries
    /// the total.
    ///
    /// Errors: `VALIDATION_ERROR` when `eventId` is missing or malformed, or `page` or
    /// `pageSize` is not a whole number in range (every bad value is reported).
    pub async fn by_event(
        &self,
        ctx: &RequestContext,
        event_id: Option<&str>,
        page: Option<&str>,
        page_size: Option<&str>,
    ) -> Result<Page<Campaign>, DomainError> {
        let mut e = ValidationErrors::new();
        let event_id = match present(event_id) {
            Some(raw) => e.check("eventId", Some(raw), EventId::parse),
            None => {
                e.add("eventId", "is required");
                None
            }
        };
        let page = event_page(&mut e, page, page_size);
        let (Some(event_id), true) = (event_id, e.is_empty()) else {
            return Err(e.into());
        };
        let scope = ctx.actor.read_scope();
        let with_markets = self
            .ports
            .markets
            .campaigns_listing_event(&event_id, &scope)
            .await
            .map_err(store_error)?;
        self.ports
            .campaigns
            .covering_event(&event_id, &with_markets, &scope, page)
            .await
            .map_err(store_error)
    }

    /// Ids of the campaigns the caller may read whose `categoryId` is one of `categoryIds` (a
    /// comma-separated list), sorted.
    ///
    /// Errors: `VALIDATION_ERROR` when the list is missing, empty, too long or has a malformed
    /// id.
    pub async fn ids_by_category(
        &self,
        ctx: &RequestContext,
        category_ids: Option<&str>,
    ) -> Result<Vec<CampaignId>, DomainError> {
        let mut e = ValidationErrors::new();
        let mut categories = Vec::new();
        for part in category_ids
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            if let Some(id) = e.check("categoryIds", Some(part), CategoryId::parse)
                && !categories.contains(&id)
            {
                categories.push(id);
            }
        }
        if categories.is_empty() && e.is_empty() {
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
            .ids_by_category(&categories, &ctx.actor.read_scope())
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
        start: Option<&str>,
        end: Option<&str>,
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
        start: Option<&str>,
        end: Option<&str>,
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
    fn an_event_page_defaults_to_the_largest_page_and_checks_its_values() {
        let mut e = ValidationErrors::new();
        let p = event_page(&mut e, None, Some(" "));
        assert!(e.is_empty());
        assert_eq!((p.page(), p.page_size()), (0, EVENT_CAMPAIGNS_PAGE_SIZE));
        assert_eq!(EVENT_CAMPAIGNS_PAGE_SIZE, 100);
        let p = event_page(&mut e, Some("2"), Some("5"));
        assert!(e.is_empty());
        assert_eq!((p.page(), p.page_size()), (2, 5));
        for (page, size, field) in [
            (Some("-1"), None, "page"),
            (Some("x"), None, "page"),
            (None, Some("0"), "pageSize"),
            (None, Some("101"), "pageSize"),
            (None, Some("1.5"), "pageSize"),
        ] {
            let mut e = ValidationErrors::new();
            event_page(&mut e, page, size);
            assert!(
                e.contains(field) && e.len() == 1,
                "{page:?} {size:?}: {e:?}"
            );
        }
    }

    #[test]
    fn a_presale_range_needs_both_ends_in_order() {
        let now = at(12);
        assert_eq!(presale_range(None, Some(" "), now), Ok((now, now)));
        assert_eq!(
            presale_range(
                Some("2030-01-01T01:00:00Z"),
                Some("2030-01-01T02:00:00Z"),
                now
            ),
            Ok((at(1), at(2)))
        );
        assert_eq!(
            presale_range(
                Some("2030-01-01T01:00:00Z"),
                Some("2030-01-01T01:00:00Z"),
                now
            ),
            Ok((at(1), at(1)))
        );
        assert_eq!(
            presale_range(Some("2030-01-01T01:00:00Z"), None, now),
            Err(DomainError::MissingPresaleWindowDate)
        );
        assert_eq!(
            presale_range(None, Some("2030-01-01T01:00:00Z"), now),
            Err(DomainError::MissingPresaleWindowDate)
        );
        assert_eq!(
            presale_range(
                Some("2030-01-01T02:00:00Z"),
                Some("2030-01-01T01:00:00Z"),
                now
            ),
            Err(DomainError::InvalidPresaleWindowDateOrder)
        );
        let Err(DomainError::Validation(e)) = presale_range(Some("soon"), Some("later"), now)
        else {
            panic!("malformed dates are a validation error");
        };
        assert!(e.contains("presaleQueryStartDate") && e.contains("presaleQueryEndDate"));
    }
}
