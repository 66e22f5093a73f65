//! Campaign rules: completeness (what leaving DRAFT needs), business rules across fields, and
//! applying status transitions with their side effects on dates and domains.

use chrono::{DateTime, Utc};

use super::Campaign;
use crate::error::{DomainError, ValidationErrors};
use crate::reader::wire_precision;
use crate::status::{ChangedBy, Status, StatusChange, StatusTransition, TransitionKind};

impl Campaign {
    /// Full validation (SPEC §7.1): what a campaign needs outside DRAFT. Returns every missing
    /// or inconsistent field; empty when complete.
    pub fn completeness_errors(&self) -> ValidationErrors {
        let mut e = ValidationErrors::new();
        let missing = |e: &mut ValidationErrors, present: bool, field: &str| {
            if !present {
                e.add(field, "is required outside DRAFT");
            }
        };
        missing(
            &mut e,
            self.tour
                .name
                .as_deref()
                .is_some_and(|n| !n.trim().is_empty()),
            "tour.name",
        );
        missing(
            &mut e,
            self.identifier
                .as_deref()
                .is_some_and(|n| !n.trim().is_empty()),
            "identifier",
        );
        missing(
            &mut e,
            self.style.theme.primary.is_some(),
            "style.theme.primary",
        );
        missing(
            &mut e,
            self.style.border.primary.is_some(),
            "style.border.primary",
        );
        missing(
            &mut e,
            self.style.page_background.primary.is_some(),
            "style.pageBackground.primary",
        );
        missing(
            &mut e,
            self.style.text.primary.is_some(),
            "style.text.primary",
        );
        missing(&mut e, self.image.main.url.is_some(), "image.main.url");
        if self.locales.is_empty() {
            e.add("locales", "at least one locale is required outside DRAFT");
        } else if self.locales.iter().filter(|l| l.is_default).count() != 1 {
            e.add("locales", "exactly one locale must be the default");
        }
        for locale in self.content.keys() {
            if !self.has_locale(locale) {
                e.add(
                    format!("content.{locale}"),
                    "is not one of the campaign's locales",
                );
            }
        }
        for (path, i, id) in self.faqs.placed() {
            for setting in &self.locales {
                let present = self
                    .content
                    .get(&setting.id)
                    .is_some_and(|c| c.faqs.contains_key(id));
                if !present {
                    e.add(
                        format!("{path}[{i}]"),
                        format!("FAQ {id} is missing from content.{}.faqs", setting.id),
                    );
                }
            }
        }
        e
    }

    /// Full validation as a result.
    pub fn check_complete(&self) -> Result<(), DomainError> {
        let e = self.completeness_errors();
        if e.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Validation(e))
        }
    }

    /// Cross-field business rules: close after open, presale window end after start.
    /// Fails with `INVALID_CAMPAIGN` naming every field involved.
    pub fn check_business_rules(&self) -> Result<(), DomainError> {
        let mut e = ValidationErrors::new();
        if let (Some(open), Some(close)) = (self.date.open, self.date.close)
            && close <= open
        {
            e.add("date.close", "must be after date.open");
        }
        if let (Some(start), Some(end)) =
            (self.date.presale_window_start, self.date.presale_window_end)
            && end <= start
        {
            e.add(
                "date.presaleWindowEnd",
                "must be after date.presaleWindowStart",
            );
        }
        if e.is_empty() {
            Ok(())
        } else {
            Err(DomainError::invalid_campaign(
                "the campaign's dates are inconsistent",
                e,
            ))
        }
    }

    /// Every check a campaign in `status` must pass before it is stored: completeness outside
    /// DRAFT, then the business rules.
    pub fn check_for_status(&self, status: Status) -> Result<(), DomainError> {
        if status.requires_full_campaign() {
            self.check_complete()?;
        }
        self.check_business_rules()
    }

    /// Checks that a user may move this campaign to `to` (SPEC §7.2), including that a reopen
    /// happens only while the domain is still held and that leaving DRAFT needs a complete
    /// campaign.
    pub fn check_manual_transition(&self, to: Status) -> Result<(), DomainError> {
        let forbidden = DomainError::InvalidStatusTransition {
            from: self.status,
            to,
        };
        if !self.status.allows_manual(to) {
            return Err(forbidden);
        }
        if self.status == Status::Closed && to == Status::Open && self.domain.site.is_none() {
            return Err(forbidden);
        }
        if to.requires_full_campaign() {
            self.check_complete()?;
        }
        Ok(())
    }

    /// A transition of this campaign to `to`, checked against the edges `kind` allows.
    ///
    /// A user's status change is three steps:
    /// [`check_manual_transition`](Self::check_manual_transition) (the edge, and completeness
    /// when leaving DRAFT), this, and [`apply_transition`](Self::apply_transition) (status,
    /// history, dates, domains). Stores write the result on the condition that the campaign is
    /// still in `from`.
    ///
    /// ```
    /// use campaign_domain::campaign::CampaignInput;
    /// use campaign_domain::chrono::{Duration, TimeZone as _, Utc};
    /// use campaign_domain::serde_json::json;
    /// use campaign_domain::status::{ChangedBy, TransitionKind};
    /// use campaign_domain::values::CampaignId;
    /// use campaign_domain::{DomainError, Status};
    ///
    /// let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
    /// let id = CampaignId::parse("65a1b2c3d4e5f60718293a4b").unwrap();
    /// let draft = json!({
    ///     "name": "Spring Tour Presale",
    ///     "artist": {"id": "K8vZ917Gku7"},
    ///     "domain": {"site": "springtour.example.com", "preview": "preview.example.com"}
    /// });
    /// let mut campaign = CampaignInput::parse_new(&draft, id.clone(), now).unwrap().campaign;
    ///
    /// // Leaving DRAFT needs a complete campaign: every missing field is named.
    /// let Err(DomainError::Validation(missing)) = campaign.check_manual_transition(Status::Open)
    /// else {
    ///     panic!("an incomplete draft must not open");
    /// };
    /// assert!(missing.contains("tour.name") && missing.contains("image.main.url"));
    ///
    /// // Complete it, then open it.
    /// let complete = json!({
    ///     "name": "Spring Tour Presale",
    ///     "identifier": "spring-tour",
    ///     "artist": {"id": "K8vZ917Gku7"},
    ///     "domain": {"site": "springtour.example.com", "preview": "preview.example.com"},
    ///     "tour": {"name": "Spring Tour 2026"},
    ///     "style": {
    ///         "theme": {"primary": "#1a2b3c"},
    ///         "border": {"primary": "#000000"},
    ///         "pageBackground": {"primary": "#ffffff"},
    ///         "text": {"primary": "#111111"}
    ///     },
    ///     "image": {"main": {"url": "https://img.example.com/main.jpg"}},
    ///     "locales": [{"id": "en-US", "is_default": true}]
    /// });
    /// campaign = CampaignInput::parse_update(&campaign, &complete, now).unwrap().campaign;
    /// campaign.check_manual_transition(Status::Open).unwrap();
    ///
    /// let at = now + Duration::minutes(5);
    /// let by = ChangedBy::User("ana".to_owned());
    /// let opening = campaign.transition_to(Status::Open, TransitionKind::Manual, by, at).unwrap();
    /// assert_eq!((opening.from, opening.to), (Status::Draft, Status::Open));
    /// campaign.apply_transition(&opening).unwrap();
    ///
    /// assert_eq!(campaign.status, Status::Open);
    /// assert_eq!(campaign.date.opened, Some(at));
    /// assert!(campaign.domain.preview.is_none()); // an open campaign has no preview host
    /// assert_eq!(campaign.status_history.len(), 1);
    /// assert_eq!(campaign.status_history[0].by.as_str(), "ana");
    ///
    /// // Only the refresh job archives; nothing leaves INACTIVE.
    /// let by = ChangedBy::User("ana".to_owned());
    /// assert_eq!(
    ///     campaign.transition_to(Status::Inactive, TransitionKind::Manual, by, at),
    ///     Err(DomainError::InvalidStatusTransition { from: Status::Open, to: Status::Inactive })
    /// );
    /// ```
    pub fn transition_to(
        &self,
        to: Status,
        kind: TransitionKind,
        by: ChangedBy,
        at: DateTime<Utc>,
    ) -> Result<StatusTransition, DomainError> {
        let allowed = match kind {
            TransitionKind::Manual => self.status.allows_manual(to),
            TransitionKind::Automatic => self.status.allows_automatic(to),
        };
        if !allowed {
            return Err(DomainError::InvalidStatusTransition {
                from: self.status,
                to,
            });
        }
        Ok(StatusTransition {
            from: self.status,
            to,
            at,
            by,
        })
    }

    /// Applies a transition: sets the status, appends exactly one history entry, and applies
    /// the effects of entering the new status:
    /// - OPEN: `date.opened` = at; `date.open`, `date.closed` and `domain.preview` cleared;
    /// - CLOSED: `date.closed` = at; `date.close` cleared;
    /// - INACTIVE: `date.inactivated` = at; `domain.site` and `domain.preview` cleared.
    ///
    /// `date.updated` becomes `at`. Instants are kept at the wire's millisecond precision.
    /// Fails when the campaign is no longer in `t.from` or the
    /// edge exists in neither the manual nor the automatic machine.
    pub fn apply_transition(&mut self, t: &StatusTransition) -> Result<(), DomainError> {
        let forbidden = DomainError::InvalidStatusTransition {
            from: self.status,
            to: t.to,
        };
        if self.status != t.from || !(t.from.allows_manual(t.to) || t.from.allows_automatic(t.to)) {
            return Err(forbidden);
        }
        let at = wire_precision(t.at);
        self.status = t.to;
        self.status_history.push(StatusChange {
            status: t.to,
            date: at,
            by: t.by.clone(),
        });
        self.date.updated = at;
        match t.to {
            Status::Open => {
                self.date.opened = Some(at);
                self.date.open = None;
                self.date.closed = None;
                self.domain.preview = None;
            }
            Status::Closed => {
                self.date.closed = Some(at);
                self.date.close = None;
            }
            Status::Inactive => {
                self.date.inactivated = Some(at);
                self.domain.site = None;
                self.domain.preview = None;
            }
            Status::Draft | Status::Preview => {}
        }
        Ok(())
    }
}
