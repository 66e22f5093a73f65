//! Campaign queries for other internal services (SPEC §6, §7.6): campaigns covering an event,
//! campaign ids by category, and the category and event ids of campaigns whose presale window
//! overlaps a range.
//!
//! Any authenticated caller may ask; the answers hold only campaigns the caller may read (every
//! campaign for a supreme caller), so a token never learns about campaigns it has no grant on
//! (ADR 0009).

use std::collections::BTreeSet;

use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::permission::Action;
use campaign_domain::status::Status;
use campaign_domain::values::{CampaignId, CategoryId, EventId, parse_instant};
use campaign_domain::{Campaign, DomainError, ValidationErrors};
use campaign_ports::StoreError;

use crate::RequestContext;
use crate::ports::Ports;

/// Most category ids one query may name.
pub const MAX_CATEGORY_IDS: usize = 100;

/// Maps a store error to what the client sees; outages are logged here, once.
fn store_error(error: StoreError) -> DomainError {
    if let StoreError::Unavailable(reason) = &error {
        tracing::error!(%reason, "campaign store unavailable");
    }
    error.into_domain(DomainError::CampaignNotFound)
}

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

/// The campaign query use cases.
#[derive(Debug, Clone)]
pub struct CampaignQueryService {
    ports: Ports,
}

impl CampaignQueryService {
    /// The use cases over `ports`.
    pub fn new(ports: Ports) -> Self {
        Self { ports }
    }

    /// Campaigns covering ticketing event `eventId` (SPEC §7.6): those whose markets list it
    /// and those whose own `eventIds` contain it, neither DRAFT nor PREVIEW, with a
    /// `date.presaleWindowStart`, that the caller may read; by id.
    ///
    /// Errors: `VALIDATION_ERROR` when `eventId` is missing or malformed.
    pub async fn by_event(
        &self,
        ctx: &RequestContext,
        event_id: Option<&str>,
    ) -> Result<Vec<Campaign>, DomainError> {
        let event_id = match present(event_id) {
            Some(raw) => {
                EventId::parse(raw).map_err(|e| ValidationErrors::single("eventId", e.message()))?
            }
            None => return Err(ValidationErrors::single("eventId", "is required").into()),
        };
        let mut ids: BTreeSet<CampaignId> = self
            .ports
            .markets
            .find_by_event_id(&event_id)
            .await
            .map_err(store_error)?
            .into_iter()
            .map(|m| m.campaign_id)
            .collect();
        let own = self
            .ports
            .campaigns
            .find_by_event_id(&event_id)
            .await
            .map_err(store_error)?;
        ids.extend(own.into_iter().map(|c| c.id));
        let ids: Vec<CampaignId> = ids
            .into_iter()
            .filter(|id| ctx.actor.can(Action::Read, id))
            .collect();
        let mut campaigns: Vec<Campaign> = self
            .ports
            .campaigns
            .find_by_ids(&ids)
            .await
            .map_err(store_error)?
            .into_iter()
            .filter(|c| {
                !matches!(c.status, Status::Draft | Status::Preview)
                    && c.date.presale_window_start.is_some()
            })
            .collect();
        campaigns.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(campaigns)
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
        Ok(self
            .ports
            .campaigns
            .ids_by_category(&categories)
            .await
            .map_err(store_error)?
            .into_iter()
            .filter(|id| ctx.actor.can(Action::Read, id))
            .collect())
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
        let campaigns = self.overlapping(ctx, start, end).await?;
        let ids: BTreeSet<CategoryId> = campaigns
            .into_iter()
            .filter_map(|c| c.category_id)
            .collect();
        Ok(ids.into_iter().collect())
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
        let campaigns = self.overlapping(ctx, start, end).await?;
        if campaigns.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<CampaignId> = campaigns.into_iter().map(|c| c.id).collect();
        let events: BTreeSet<EventId> = self
            .ports
            .markets
            .list_by_campaigns(&ids)
            .await
            .map_err(store_error)?
            .into_iter()
            .flat_map(|m| m.event.ids)
            .collect();
        Ok(events.into_iter().collect())
    }

    /// The campaigns the caller may read whose presale window overlaps the range.
    async fn overlapping(
        &self,
        ctx: &RequestContext,
        start: Option<&str>,
        end: Option<&str>,
    ) -> Result<Vec<Campaign>, DomainError> {
        let (start, end) = presale_range(start, end, self.ports.clock.now())?;
        Ok(self
            .ports
            .campaigns
            .presale_window_overlapping(start, end)
            .await
            .map_err(store_error)?
            .into_iter()
            .filter(|c| ctx.actor.can(Action::Read, &c.id))
            .collect())
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
