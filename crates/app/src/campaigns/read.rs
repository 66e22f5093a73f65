//! Reads: by id (with locale selection), by domain (the fan site's public read, with password),
//! and the status views.

use campaign_domain::campaign::{LocaleSelection, Password};
use campaign_domain::permission::Action;
use campaign_domain::status::{Status, StatusChange};
use campaign_domain::values::{CampaignId, DomainName};
use campaign_domain::{Campaign, DomainError};

use campaign_ports::RateKey;

use super::{CampaignService, store_error};
use crate::RequestContext;
use crate::rate_limits::{Ask, enforce};

/// `{id, status, statusHistory}` of a campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignStatusView {
    /// The campaign.
    pub id: CampaignId,
    /// Its status.
    pub status: Status,
    /// Its history (empty where the caller may not see it).
    pub status_history: Vec<StatusChange>,
}

/// A read by domain: which locale content, and the password the caller offers (its `Debug`
/// shows `***`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainRead {
    /// The domain asked for.
    pub domain: DomainName,
    /// Locale selection.
    pub locales: LocaleSelection,
    /// The `password` query parameter.
    pub password: Option<Password>,
}

impl CampaignService {
    /// The campaign with this id, read through the cache.
    pub(super) async fn cached(&self, id: &CampaignId) -> Result<Campaign, DomainError> {
        if let Some(c) = self.cache.by_id(id).await {
            return Ok(c);
        }
        let campaign = self.load(id).await?;
        self.cache.put_by_id(&campaign).await;
        Ok(campaign)
    }

    /// A campaign by id with its content narrowed to `locales`.
    ///
    /// Errors: `UNAUTHORIZED` without `read` (whether or not the campaign exists);
    /// `CAMPAIGN_NOT_FOUND`.
    pub async fn get(
        &self,
        ctx: &RequestContext,
        id: &CampaignId,
        locales: &LocaleSelection,
    ) -> Result<Campaign, DomainError> {
        ctx.actor.require(Action::Read, id)?;
        Ok(self.cached(id).await?.into_localized(locales))
    }

    /// `{id, status, statusHistory}` by id. Errors as for [`get`](Self::get).
    pub async fn status(
        &self,
        ctx: &RequestContext,
        id: &CampaignId,
    ) -> Result<CampaignStatusView, DomainError> {
        ctx.actor.require(Action::Read, id)?;
        let c = self.cached(id).await?;
        Ok(CampaignStatusView {
            id: c.id,
            status: c.status,
            status_history: c.status_history,
        })
    }

    /// The campaign a domain serves, if the caller may see it there: anyone with a valid token
    /// sees an OPEN or CLOSED campaign by its site domain and a PREVIEW one by its preview
    /// domain; a caller with `read` on the campaign sees it in any status.
    async fn visible_by_domain(
        &self,
        ctx: &RequestContext,
        domain: &DomainName,
    ) -> Result<Campaign, DomainError> {
        let campaign = match self.cache.by_domain(domain).await {
            Some(c) => c,
            None => {
                let c = self
                    .ports
                    .campaigns
                    .find_by_domain(domain)
                    .await
                    .map_err(store_error)?
                    .ok_or(DomainError::CampaignNotFound)?;
                self.cache.put_by_domain(domain, &c).await;
                c
            }
        };
        let on_site = campaign.domain.site.as_ref() == Some(domain);
        let public = match campaign.status {
            Status::Open | Status::Closed => on_site,
            Status::Preview => campaign.answers_to(domain) && !on_site,
            Status::Draft | Status::Inactive => false,
        };
        if public || (ctx.actor.can(Action::Read, &campaign.id) && campaign.answers_to(domain)) {
            Ok(campaign)
        } else {
            Err(DomainError::CampaignNotFound)
        }
    }

    /// The campaign a domain serves, for the fan site (the caller renders its public view).
    ///
    /// Wrong passwords are rate limited per campaign and caller (SPEC §4.1,
    /// [`Settings::password_rate_limit`](crate::Settings::password_rate_limit)): only a wrong
    /// password counts (a missing one costs no hashing and is not counted, a right one never
    /// counts). Once the limit is reached, every attempt *with* a password — right or wrong — is
    /// refused before it is hashed, until the bucket has room again: a flood costs no Argon2
    /// time, and a guess made while limited tells nothing.
    ///
    /// Errors: `CAMPAIGN_NOT_FOUND` when no campaign the caller may see answers to the domain;
    /// `INVALID_CAMPAIGN_PASSWORD` when the campaign has a password, the caller has no `read` on
    /// it, and the password given is missing or wrong; `TOO_MANY_REQUESTS` when the caller's
    /// wrong passwords on this campaign reached the limit.
    pub async fn get_by_domain(
        &self,
        ctx: &RequestContext,
        read: &DomainRead,
    ) -> Result<Campaign, DomainError> {
        let campaign = self.visible_by_domain(ctx, &read.domain).await?;
        if let Some(hash) = &campaign.password
            && !ctx.actor.can(Action::Read, &campaign.id)
        {
            let Some(password) = &read.password else {
                return Err(DomainError::InvalidCampaignPassword);
            };
            let limiter = self.ports.rate_limiter.as_ref();
            let key = RateKey::password_failures(&campaign.id, ctx.actor.user_id());
            let limit = self.password_rate_limit;
            // Check, hash and count one attempt at a time per key (per replica).
            let _attempt = self.password_attempts.enter(&key).await;
            enforce(limiter, Ask::Check, &key, limit).await?;
            if !self.hasher.verify(password, hash).await? {
                enforce(limiter, Ask::Consume, &key, limit).await?;
                return Err(DomainError::InvalidCampaignPassword);
            }
        }
        Ok(campaign.into_localized(&read.locales))
    }

    /// `{id, status}` of the campaign a domain serves (no password needed: the status is
    /// public). Errors: `CAMPAIGN_NOT_FOUND` as for [`get_by_domain`](Self::get_by_domain).
    pub async fn status_by_domain(
        &self,
        ctx: &RequestContext,
        domain: &DomainName,
    ) -> Result<(CampaignId, Status), DomainError> {
        let c = self.visible_by_domain(ctx, domain).await?;
        Ok((c.id, c.status))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_domain_read_never_prints_its_password() {
        let read = DomainRead {
            domain: DomainName::parse("fans.example.com").unwrap(),
            locales: LocaleSelection::All,
            password: Some(Password::new("hunter2")),
        };
        let printed = format!("{read:?} {read:#?}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(printed.contains("***"), "{printed}");
    }
}
