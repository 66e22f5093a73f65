//! The refresh planner (`plan_refresh`, SPEC §7.3): scenarios and properties.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod common;

use campaign_domain::Campaign;
use campaign_domain::refresh::{
    INACTIVATE_AFTER_DAYS, RefreshPlan, RefreshSummary, inactivation_cutoff, plan_refresh,
};
use campaign_domain::status::{ChangedBy, Status, StatusTransition};
use chrono::{DateTime, Duration, Utc};
use common::*;
use proptest::prelude::*;

fn transitions(plan: RefreshPlan) -> Vec<StatusTransition> {
    match plan {
        RefreshPlan::Transitions(ts) => ts,
        other => panic!("expected transitions, got {other:?}"),
    }
}

fn edges(ts: &[StatusTransition]) -> Vec<(Status, Status)> {
    ts.iter().map(|t| (t.from, t.to)).collect()
}

fn apply_all(c: &mut Campaign, ts: &[StatusTransition]) {
    for t in ts {
        c.apply_transition(t).unwrap();
    }
}

fn closed_since(days_ago: i64) -> Campaign {
    let mut c = full_campaign_in(Status::Closed);
    c.date.open = None;
    c.date.close = None;
    c.date.opened = Some(days(-days_ago - 10));
    c.date.closed = Some(days(-days_ago));
    c.domain.preview = None;
    c
}

#[test]
fn a_draft_due_to_open_and_close_opens_and_closes_in_one_plan() {
    let mut c = full_campaign();
    c.date.open = Some(days(-2));
    c.date.close = Some(days(-1));
    let ts = transitions(plan_refresh(&c, now()));
    assert_eq!(
        edges(&ts),
        [
            (Status::Draft, Status::Open),
            (Status::Open, Status::Closed)
        ]
    );
    assert!(
        ts.iter()
            .all(|t| t.at == now() && t.by == ChangedBy::System)
    );
    apply_all(&mut c, &ts);
    assert_eq!(c.status, Status::Closed);
    assert_eq!(c.date.opened, Some(now()));
    assert_eq!(c.date.closed, Some(now()));
    assert_eq!((c.date.open, c.date.close), (None, None));
    assert_eq!(c.domain.preview, None);
    assert_eq!(c.status_history.len(), 2);
}

#[test]
fn open_and_close_long_ago_does_not_inactivate_in_the_same_run() {
    // The campaign closes now, so its 30 days start now, however old date.close is.
    let mut c = full_campaign_in(Status::Preview);
    c.date.open = Some(days(-60));
    c.date.close = Some(days(-45));
    let ts = transitions(plan_refresh(&c, now()));
    assert_eq!(
        edges(&ts),
        [
            (Status::Preview, Status::Open),
            (Status::Open, Status::Closed)
        ]
    );
}

#[test]
fn a_preview_due_to_open_opens() {
    let mut c = full_campaign_in(Status::Preview);
    c.date.open = Some(days(-1));
    let ts = transitions(plan_refresh(&c, now()));
    assert_eq!(edges(&ts), [(Status::Preview, Status::Open)]);
    apply_all(&mut c, &ts);
    assert_eq!(c.status, Status::Open);
    assert_eq!(c.domain.preview, None, "opening clears the preview domain");
    assert!(c.domain.site.is_some());
    assert_eq!(plan_refresh(&c, now()), RefreshPlan::Nothing);
}

#[test]
fn opening_is_due_exactly_at_date_open() {
    let mut c = full_campaign();
    c.date.open = Some(now());
    c.date.close = Some(days(10));
    assert_eq!(
        edges(&transitions(plan_refresh(&c, now()))),
        [(Status::Draft, Status::Open)]
    );
    c.date.open = Some(now() + Duration::milliseconds(1));
    assert_eq!(plan_refresh(&c, now()), RefreshPlan::Nothing);
    c.date.open = None;
    c.date.close = Some(days(-1));
    assert_eq!(
        plan_refresh(&c, now()),
        RefreshPlan::Nothing,
        "a DRAFT without an opening date never opens, even when its close date passed"
    );
}

#[test]
fn an_open_campaign_due_to_close_closes() {
    let mut c = full_campaign_in(Status::Open);
    c.date.open = None;
    c.date.close = Some(now());
    assert_eq!(
        edges(&transitions(plan_refresh(&c, now()))),
        [(Status::Open, Status::Closed)]
    );
    c.date.close = Some(days(1));
    assert_eq!(plan_refresh(&c, now()), RefreshPlan::Nothing);
    // An OPEN campaign is never skipped for completeness: it is already open.
    let mut incomplete = parse_new(&minimal_draft_json()).campaign;
    incomplete.status = Status::Open;
    incomplete.date.close = Some(days(-1));
    assert_eq!(
        edges(&transitions(plan_refresh(&incomplete, now()))),
        [(Status::Open, Status::Closed)]
    );
}

#[test]
fn closed_for_31_days_becomes_inactive() {
    let c = closed_since(31);
    let ts = transitions(plan_refresh(&c, now()));
    assert_eq!(edges(&ts), [(Status::Closed, Status::Inactive)]);
    let mut c = c;
    apply_all(&mut c, &ts);
    assert_eq!(c.domain.site, None);
    assert_eq!(c.date.inactivated, Some(now()));
}

#[test]
fn closed_for_29_days_stays_closed() {
    assert_eq!(plan_refresh(&closed_since(29), now()), RefreshPlan::Nothing);
}

#[test]
fn inactivation_is_due_exactly_30_days_after_closing() {
    assert_eq!(INACTIVATE_AFTER_DAYS, 30);
    assert_eq!(inactivation_cutoff(now()), days(-30));
    assert_eq!(
        edges(&transitions(plan_refresh(&closed_since(30), now()))),
        [(Status::Closed, Status::Inactive)]
    );
    let mut c = closed_since(30);
    c.date.closed = Some(days(-30) + Duration::milliseconds(1));
    assert_eq!(plan_refresh(&c, now()), RefreshPlan::Nothing);
}

#[test]
fn an_incomplete_draft_due_to_open_is_skipped_with_its_missing_fields() {
    let mut c = parse_new(&minimal_draft_json()).campaign;
    c.date.open = Some(days(-1));
    c.date.close = Some(days(-1) + Duration::hours(1));
    match plan_refresh(&c, now()) {
        RefreshPlan::Skip(missing) => {
            assert_eq!(fields(&missing), fields(&c.completeness_errors()));
            assert!(missing.contains("tour.name") && missing.contains("locales"));
        }
        other => panic!("expected a skip, got {other:?}"),
    }
    // Not due yet: nothing to skip.
    c.date.open = Some(days(1));
    assert_eq!(plan_refresh(&c, now()), RefreshPlan::Nothing);
    // A PREVIEW that lost a required field is skipped too.
    let mut p = full_campaign_in(Status::Preview);
    p.image.main.url = None;
    p.date.open = Some(days(-1));
    match plan_refresh(&p, now()) {
        RefreshPlan::Skip(missing) => assert_eq!(fields(&missing), ["image.main.url"]),
        other => panic!("expected a skip, got {other:?}"),
    }
}

#[test]
fn an_inactive_campaign_is_never_planned() {
    let mut c = full_campaign_in(Status::Inactive);
    c.domain.site = None;
    c.date.open = Some(days(-100));
    c.date.close = Some(days(-90));
    c.date.closed = Some(days(-80));
    assert_eq!(plan_refresh(&c, now()), RefreshPlan::Nothing);
}

#[test]
fn the_summary_counts_each_transition_by_its_target() {
    let mut s = RefreshSummary::default();
    for to in [
        Status::Open,
        Status::Closed,
        Status::Open,
        Status::Inactive,
        Status::Draft,
    ] {
        s.count(to);
    }
    s.skipped += 1;
    assert_eq!(
        s,
        RefreshSummary {
            opened: 2,
            closed: 1,
            inactivated: 1,
            skipped: 1
        }
    );
    assert_eq!(
        serde_json::to_value(s).unwrap(),
        serde_json::json!({"opened": 2, "closed": 1, "inactivated": 1, "skipped": 1})
    );
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

fn arb_now() -> impl Strategy<Value = DateTime<Utc>> {
    (-90i64 * 24 * 60..90 * 24 * 60).prop_map(|m| now() + Duration::minutes(m))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// (b) Planning again after applying the plan's transitions at the same instant plans
    /// nothing; every plan is a chain of automatic edges starting at the current status, made
    /// by the system at `now`.
    #[test]
    fn replanning_after_applying_a_plan_plans_nothing(c in arb_lifecycle_campaign(), at in arb_now()) {
        match plan_refresh(&c, at) {
            RefreshPlan::Nothing => {}
            RefreshPlan::Skip(missing) => {
                prop_assert!(matches!(c.status, Status::Draft | Status::Preview));
                prop_assert!(!missing.is_empty());
                prop_assert_eq!(missing, c.completeness_errors());
            }
            RefreshPlan::Transitions(ts) => {
                prop_assert!(!ts.is_empty() && ts.len() <= 3);
                let mut status = c.status;
                for t in &ts {
                    prop_assert_eq!(t.from, status);
                    prop_assert!(t.from.allows_automatic(t.to));
                    prop_assert_eq!(t.at, at);
                    prop_assert_eq!(&t.by, &ChangedBy::System);
                    status = t.to;
                }
                let mut applied = c.clone();
                for t in &ts {
                    prop_assert!(applied.apply_transition(t).is_ok(), "{:?} on {:?}", t, applied.status);
                }
                prop_assert_eq!(applied.status, status);
                prop_assert_eq!(applied.status_history.len(), c.status_history.len() + ts.len());
                prop_assert_eq!(plan_refresh(&applied, at), RefreshPlan::Nothing);
            }
        }
    }

    /// Opening only ever happens to a complete campaign.
    #[test]
    fn only_complete_campaigns_are_opened(c in arb_lifecycle_campaign(), at in arb_now()) {
        if let RefreshPlan::Transitions(ts) = plan_refresh(&c, at)
            && ts.iter().any(|t| t.to == Status::Open)
        {
            prop_assert!(c.completeness_errors().is_empty());
        }
    }

    /// (a) The planner never moves an INACTIVE campaign, whatever its dates.
    #[test]
    fn inactive_campaigns_are_never_planned(c in arb_lifecycle_campaign(), at in arb_now()) {
        let mut c = c;
        c.status = Status::Inactive;
        prop_assert_eq!(plan_refresh(&c, at), RefreshPlan::Nothing);
    }
}
