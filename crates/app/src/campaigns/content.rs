//! FAQs and terms of one locale (`/campaigns/{id}/faqs`, `/campaigns/{id}/terms`).

use std::collections::BTreeMap;

use campaign_domain::campaign::{Faq, FaqLayout, parse_faqs, parse_terms};
use campaign_domain::permission::Action;
use campaign_domain::serde_json::Value;
use campaign_domain::values::{CampaignId, FaqId, Locale};
use campaign_domain::{Campaign, DomainError, ValidationErrors};

use super::{CampaignService, MAX_WRITE_ATTEMPTS, Versioned, check_if_match};
use crate::RequestContext;

/// The locale a content request is about: the one asked for (which must be one of the
/// campaign's locales), else the default locale.
fn content_locale(campaign: &Campaign, requested: Option<&Locale>) -> Result<Locale, DomainError> {
    match requested {
        Some(l) if campaign.has_locale(l) => Ok(l.clone()),
        Some(l) => Err(ValidationErrors::single(
            "locale",
            format!("{l} is not one of the campaign's locales"),
        )
        .into()),
        None => campaign.default_locale().cloned().ok_or_else(|| {
            ValidationErrors::single("locale", "is required: the campaign has no default locale")
                .into()
        }),
    }
}

impl CampaignService {
    /// Changes one part of a campaign under the caller's `write` permission and saves it with
    /// the usual checks and messages. With `if_match` the change is made only on that version
    /// (`VERSION_CONFLICT` otherwise); without it, one that loses a race to another writer is
    /// made again on the campaign that won (up to [`MAX_WRITE_ATTEMPTS`] times).
    pub(super) async fn modify(
        &self,
        ctx: &RequestContext,
        id: &CampaignId,
        if_match: Option<u64>,
        mut change: impl FnMut(&mut Campaign) -> Result<(), DomainError>,
    ) -> Result<Campaign, DomainError> {
        ctx.actor.require(Action::Write, id)?;
        let mut attempt = 1;
        loop {
            let before = self.load(id).await?;
            check_if_match(if_match, &before)?;
            let mut after = before.clone();
            change(&mut after)?;
            let now = self.ports.clock.now();
            after.date.updated = now;
            after.check_for_status(after.status)?;
            match self
                .save(ctx.correlation.as_deref(), Some(&before), &after, now)
                .await
            {
                Err(DomainError::VersionConflict { .. })
                    if if_match.is_none() && attempt < MAX_WRITE_ATTEMPTS =>
                {
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// The FAQ layout of the campaign's pages for a locale (default locale as fallback).
    ///
    /// Errors: `UNAUTHORIZED`, `CAMPAIGN_NOT_FOUND`, `VALIDATION_ERROR` for a locale the campaign
    /// does not have.
    pub async fn faqs(
        &self,
        ctx: &RequestContext,
        id: &CampaignId,
        locale: Option<&Locale>,
    ) -> Result<FaqLayout, DomainError> {
        ctx.actor.require(Action::Read, id)?;
        let campaign = self.cached(id).await?;
        let locale = content_locale(&campaign, locale)?;
        Ok(campaign.faq_layout(Some(&locale)))
    }

    /// Replaces a locale's FAQ map and returns it with the campaign's new version. `if_match`
    /// as for `modify`.
    ///
    /// Errors: as for [`faqs`](Self::faqs), plus `VALIDATION_ERROR` for a malformed map or, outside
    /// DRAFT, when a FAQ the pages place would go missing; `VERSION_CONFLICT`.
    pub async fn set_faqs(
        &self,
        ctx: &RequestContext,
        id: &CampaignId,
        locale: Option<&Locale>,
        body: &Value,
        if_match: Option<u64>,
    ) -> Result<Versioned<BTreeMap<FaqId, Faq>>, DomainError> {
        ctx.actor.require(Action::Write, id)?;
        let faqs = parse_faqs(body)?;
        let mut chosen = None;
        let saved = self
            .modify(ctx, id, if_match, |c| {
                let l = content_locale(c, locale)?;
                c.content.entry(l.clone()).or_default().faqs = faqs.clone();
                chosen = Some(l);
                Ok(())
            })
            .await?;
        let value = chosen
            .and_then(|l| saved.content.get(&l).map(|c| c.faqs.clone()))
            .unwrap_or_default();
        Ok(Versioned {
            value,
            version: saved.version,
        })
    }

    /// A locale's terms (`None` when not written yet). Errors as for [`faqs`](Self::faqs).
    pub async fn terms(
        &self,
        ctx: &RequestContext,
        id: &CampaignId,
        locale: Option<&Locale>,
    ) -> Result<Option<String>, DomainError> {
        ctx.actor.require(Action::Read, id)?;
        let campaign = self.cached(id).await?;
        let locale = content_locale(&campaign, locale)?;
        Ok(campaign.content.get(&locale).and_then(|c| c.terms.clone()))
    }

    /// Replaces a locale's terms and returns them with the campaign's new version. Errors and
    /// `if_match` as for [`set_faqs`](Self::set_faqs).
    pub async fn set_terms(
        &self,
        ctx: &RequestContext,
        id: &CampaignId,
        locale: Option<&Locale>,
        body: &Value,
        if_match: Option<u64>,
    ) -> Result<Versioned<String>, DomainError> {
        ctx.actor.require(Action::Write, id)?;
        let terms = parse_terms(body)?;
        let saved = self
            .modify(ctx, id, if_match, |c| {
                let l = content_locale(c, locale)?;
                c.content.entry(l).or_default().terms = Some(terms.clone());
                Ok(())
            })
            .await?;
        Ok(Versioned {
            value: terms,
            version: saved.version,
        })
    }
}
