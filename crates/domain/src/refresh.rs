//! The refresh planner (SPEC §7.3): which automatic transitions a campaign is due for at a
//! given instant. Pure: the application reads candidates, plans, and applies each transition
//! with a conditional write.

use chrono::{DateTime, Duration, Utc};

use crate::campaign::Campaign;
use crate::error::ValidationErrors;
use crate::status::{ChangedBy, Status, StatusTransition};

/// How long a campaign stays CLOSED before it becomes INACTIVE.
pub const INACTIVATE_AFTER_DAYS: i64 = 30;

/// The instant before which a CLOSED campaign's `date.closed` makes it due for INACTIVE.
pub fn inactivation_cutoff(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::days(INACTIVATE_AFTER_DAYS)
}

/// What the refresh should do with one campaign.
#[derive(Debug, Clone, PartialEq)]
pub enum RefreshPlan {
    /// Nothing is due.
    Nothing,
    /// Opening is due but the campaign is not complete: leave it, count it as skipped.
    Skip(ValidationErrors),
    /// Apply these transitions in order (one run can open and then close a campaign).
    Transitions(Vec<StatusTransition>),
}

/// Plans the automatic transitions of `campaign` at `now`, in the order of SPEC §7.3:
/// 1. DRAFT/PREVIEW with `date.open` ≤ now → OPEN (only when complete, else `Skip`);
/// 2. OPEN with `date.close` ≤ now → CLOSED;
/// 3. CLOSED with `date.closed` ≤ now − 30 days → INACTIVE.
///
/// The caller applies each transition with [`Campaign::apply_transition`] and writes it on the
/// condition that the campaign is still in its `from` status.
///
/// ```
/// use campaign_domain::campaign::CampaignInput;
/// use campaign_domain::chrono::{Duration, TimeZone as _, Utc};
/// use campaign_domain::refresh::{RefreshPlan, RefreshSummary, plan_refresh};
/// use campaign_domain::serde_json::json;
/// use campaign_domain::status::ChangedBy;
/// use campaign_domain::values::CampaignId;
/// use campaign_domain::Status;
///
/// let created = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
/// let id = CampaignId::parse("65a1b2c3d4e5f60718293a4b").unwrap();
/// let body = json!({
///     "name": "Spring Tour Presale",
///     "identifier": "spring-tour",
///     "artist": {"id": "K8vZ917Gku7"},
///     "domain": {"site": "springtour.example.com"},
///     "tour": {"name": "Spring Tour 2026"},
///     "date": {"open": "2026-04-01T16:00:00.000Z", "close": "2026-04-15T16:00:00.000Z"},
///     "style": {
///         "theme": {"primary": "#1a2b3c"},
///         "border": {"primary": "#000000"},
///         "pageBackground": {"primary": "#ffffff"},
///         "text": {"primary": "#111111"}
///     },
///     "image": {"main": {"url": "https://img.example.com/main.jpg"}},
///     "locales": [{"id": "en-US", "is_default": true}]
/// });
/// let mut campaign = CampaignInput::parse_new(&body, id, created).unwrap().campaign;
///
/// // Before `date.open`, nothing is due.
/// assert_eq!(plan_refresh(&campaign, created), RefreshPlan::Nothing);
///
/// // A run after `date.close` that missed the opening opens and closes in one go.
/// let now = Utc.with_ymd_and_hms(2026, 4, 20, 0, 0, 0).unwrap();
/// let RefreshPlan::Transitions(steps) = plan_refresh(&campaign, now) else {
///     panic!("opening and closing are due");
/// };
/// let edges: Vec<_> = steps.iter().map(|t| (t.from, t.to)).collect();
/// assert_eq!(edges, [(Status::Draft, Status::Open), (Status::Open, Status::Closed)]);
/// assert!(steps.iter().all(|t| t.by == ChangedBy::System && t.at == now));
///
/// let mut summary = RefreshSummary::default();
/// for step in &steps {
///     campaign.apply_transition(step).unwrap();
///     summary.count(step.to);
/// }
/// assert_eq!(campaign.status, Status::Closed);
/// assert_eq!((summary.opened, summary.closed), (1, 1));
///
/// // Thirty days after closing, it is archived and frees its domain.
/// let RefreshPlan::Transitions(steps) = plan_refresh(&campaign, now + Duration::days(30)) else {
///     panic!("inactivation is due");
/// };
/// campaign.apply_transition(&steps[0]).unwrap();
/// assert_eq!(campaign.status, Status::Inactive);
/// assert!(campaign.domain.site.is_none());
///
/// // An incomplete campaign due to open is skipped, with what it lacks.
/// let draft = json!({
///     "name": "Bare draft",
///     "artist": {"id": "K8vZ917Gku7"},
///     "domain": {"site": "bare.example.com"},
///     "date": {"open": "2026-04-01T16:00:00.000Z"}
/// });
/// let id = CampaignId::parse("65a1b2c3d4e5f60718293a4c").unwrap();
/// let bare = CampaignInput::parse_new(&draft, id, created).unwrap().campaign;
/// let RefreshPlan::Skip(missing) = plan_refresh(&bare, now) else {
///     panic!("an incomplete campaign must not open");
/// };
/// assert!(missing.contains("identifier"));
/// ```
pub fn plan_refresh(campaign: &Campaign, now: DateTime<Utc>) -> RefreshPlan {
    let mut steps = Vec::new();
    let mut status = campaign.status;
    let mut closed_at = campaign.date.closed;
    let due = |d: Option<DateTime<Utc>>| d.is_some_and(|d| d <= now);
    let step = |from, to| StatusTransition {
        from,
        to,
        at: now,
        by: ChangedBy::System,
    };

    if matches!(status, Status::Draft | Status::Preview) && due(campaign.date.open) {
        let missing = campaign.completeness_errors();
        if !missing.is_empty() {
            return RefreshPlan::Skip(missing);
        }
        steps.push(step(status, Status::Open));
        status = Status::Open;
        closed_at = None;
    }
    if status == Status::Open && due(campaign.date.close) {
        steps.push(step(status, Status::Closed));
        status = Status::Closed;
        closed_at = Some(now);
    }
    if status == Status::Closed && closed_at.is_some_and(|d| d <= inactivation_cutoff(now)) {
        steps.push(step(status, Status::Inactive));
    }
    if steps.is_empty() {
        RefreshPlan::Nothing
    } else {
        RefreshPlan::Transitions(steps)
    }
}

/// Counts of one refresh run (the body of `POST /campaigns/refresh`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RefreshSummary {
    /// Campaigns that became OPEN.
    pub opened: u64,
    /// Campaigns that became CLOSED.
    pub closed: u64,
    /// Campaigns that became INACTIVE.
    pub inactivated: u64,
    /// Campaigns due to open but incomplete.
    pub skipped: u64,
}

impl RefreshSummary {
    /// Counts one applied transition.
    pub fn count(&mut self, to: Status) {
        match to {
            Status::Open => self.opened += 1,
            Status::Closed => self.closed += 1,
            Status::Inactive => self.inactivated += 1,
            Status::Draft | Status::Preview => {}
        }
    }
}
