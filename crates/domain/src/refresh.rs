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
