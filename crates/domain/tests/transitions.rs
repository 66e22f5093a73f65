//! Applying status transitions (`Campaign::apply_transition`, SPEC §7.2-§7.4) and the state
//! machine's invariants as properties: nothing leaves INACTIVE, an INACTIVE campaign holds no
//! domain, and every applied transition appends exactly one history entry.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod common;

use campaign_domain::Campaign;
use campaign_domain::campaign::CampaignInput;
use campaign_domain::refresh::{RefreshPlan, plan_refresh};
use campaign_domain::status::{ChangedBy, Status, StatusChange, StatusTransition, TransitionKind};
use campaign_domain::values::DomainName;
use chrono::{DateTime, Duration, Utc};
use common::*;
use proptest::prelude::*;
use serde_json::json;

fn transition(from: Status, to: Status, at: DateTime<Utc>, by: ChangedBy) -> StatusTransition {
    StatusTransition { from, to, at, by }
}

fn user() -> ChangedBy {
    ChangedBy::User("user-42".into())
}

#[test]
fn opening_sets_opened_and_clears_open_closed_and_preview() {
    for from in [Status::Draft, Status::Preview, Status::Closed] {
        let mut c = full_campaign_in(from);
        c.date.closed = Some(days(-3));
        let at = now();
        c.apply_transition(&transition(from, Status::Open, at, user()))
            .unwrap();
        assert_eq!(c.status, Status::Open);
        assert_eq!(c.date.opened, Some(at));
        assert_eq!(c.date.open, None);
        assert_eq!(c.date.closed, None);
        assert_eq!(c.domain.preview, None);
        assert_eq!(c.domain.site, Some(DomainName::parse(SITE).unwrap()));
        // The schedule to close stays.
        assert!(c.date.close.is_some());
        assert_eq!(c.date.updated, at);
    }
}

#[test]
fn closing_sets_closed_and_clears_close() {
    let mut c = full_campaign_in(Status::Open);
    c.domain.preview = None;
    let before = c.clone();
    c.apply_transition(&transition(
        Status::Open,
        Status::Closed,
        now(),
        ChangedBy::System,
    ))
    .unwrap();
    assert_eq!(c.status, Status::Closed);
    assert_eq!(c.date.closed, Some(now()));
    assert_eq!(c.date.close, None);
    assert_eq!(c.date.open, before.date.open);
    assert_eq!(c.domain, before.domain, "a CLOSED campaign keeps its site");
}

#[test]
fn inactivating_sets_inactivated_and_frees_the_domains() {
    let mut c = full_campaign_in(Status::Closed);
    c.date.closed = Some(days(-31));
    c.apply_transition(&transition(
        Status::Closed,
        Status::Inactive,
        now(),
        ChangedBy::System,
    ))
    .unwrap();
    assert_eq!(c.status, Status::Inactive);
    assert_eq!(c.date.inactivated, Some(now()));
    assert_eq!(c.domain.site, None);
    assert_eq!(c.domain.preview, None);
    assert_eq!(c.date.closed, Some(days(-31)));
    // No domain is left to purge or hold: the serialized document has none either.
    let doc = serde_json::to_value(&c).unwrap();
    assert_eq!(doc["domain"], json!({}));
}

#[test]
fn draft_and_preview_exchanges_touch_only_status_history_and_updated() {
    let mut c = full_campaign();
    let before = c.clone();
    c.apply_transition(&transition(Status::Draft, Status::Preview, now(), user()))
        .unwrap();
    c.apply_transition(&transition(Status::Preview, Status::Draft, days(1), user()))
        .unwrap();
    let mut expected = before;
    expected.date.updated = days(1);
    expected.status_history = c.status_history.clone();
    assert_eq!(c, expected);
    assert_eq!(c.status_history.len(), 2);
}

#[test]
fn each_transition_appends_one_history_entry_with_who_and_when() {
    let mut c = full_campaign();
    let steps = [
        (Status::Draft, Status::Preview, days(1), user()),
        (Status::Preview, Status::Open, days(2), ChangedBy::System),
        (Status::Open, Status::Closed, days(3), user()),
        (Status::Closed, Status::Open, days(4), user()),
        (Status::Open, Status::Closed, days(5), ChangedBy::System),
        (
            Status::Closed,
            Status::Inactive,
            days(40),
            ChangedBy::System,
        ),
    ];
    for (i, (from, to, at, by)) in steps.iter().cloned().enumerate() {
        c.apply_transition(&transition(from, to, at, by.clone()))
            .unwrap();
        assert_eq!(c.status_history.len(), i + 1);
        assert_eq!(
            c.status_history.last().unwrap(),
            &StatusChange {
                status: to,
                date: at,
                by
            }
        );
    }
    let history = serde_json::to_value(&c.status_history).unwrap();
    assert_eq!(
        history[0],
        json!({"status": "PREVIEW", "date": wire(days(1)), "by": "user-42"})
    );
    assert_eq!(history[5]["by"], json!("system"));
}

#[test]
fn a_transition_whose_from_is_not_the_current_status_is_refused() {
    let mut c = full_campaign_in(Status::Open);
    let before = c.clone();
    let err = c
        .apply_transition(&transition(
            Status::Draft,
            Status::Open,
            now(),
            ChangedBy::System,
        ))
        .unwrap_err();
    assert_eq!(err.error_type(), "INVALID_STATUS_TRANSITION");
    assert_eq!(
        err,
        campaign_domain::DomainError::InvalidStatusTransition {
            from: Status::Open,
            to: Status::Open
        }
    );
    assert_eq!(c, before, "a refused transition changes nothing");
    // Applying the same transition twice: the second finds the campaign already moved.
    let t = transition(Status::Open, Status::Closed, now(), ChangedBy::System);
    c.apply_transition(&t).unwrap();
    let moved = c.clone();
    assert!(c.apply_transition(&t).is_err());
    assert_eq!(c, moved);
}

#[test]
fn edges_of_neither_machine_are_refused() {
    use Status::*;
    for (from, to) in [
        (Draft, Closed),
        (Draft, Inactive),
        (Preview, Closed),
        (Open, Draft),
        (Open, Inactive),
        (Closed, Draft),
        (Open, Open),
    ] {
        let mut c = full_campaign_in(from);
        let before = c.clone();
        assert!(
            c.apply_transition(&transition(from, to, now(), user()))
                .is_err(),
            "{from} -> {to}"
        );
        assert_eq!(c, before);
    }
}

#[test]
fn applied_instants_are_kept_at_millisecond_precision() {
    let mut c = full_campaign();
    let at = now() + Duration::nanoseconds(123_456_789);
    c.apply_transition(&transition(Status::Draft, Status::Open, at, user()))
        .unwrap();
    let ms = now() + Duration::milliseconds(123);
    assert_eq!(c.date.opened, Some(ms));
    assert_eq!(c.status_history[0].date, ms);
    let back: Campaign = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
    assert_eq!(back, c);
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

/// An INACTIVE campaign as the refresh leaves it.
fn inactive(mut c: Campaign) -> Campaign {
    c.status = Status::Inactive;
    c.domain.site = None;
    c.domain.preview = None;
    c.date.inactivated.get_or_insert_with(|| days(-1));
    c
}

/// The automatic edge that moves a campaign one step towards INACTIVE.
fn next_towards_inactive(status: Status) -> Option<Status> {
    match status {
        Status::Draft | Status::Preview => Some(Status::Open),
        Status::Open => Some(Status::Closed),
        Status::Closed => Some(Status::Inactive),
        Status::Inactive => None,
    }
}

fn arb_step() -> impl Strategy<Value = (Status, bool, i64, bool)> {
    (arb_status(), any::<bool>(), 0i64..100_000, any::<bool>())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// (a) Nothing leaves INACTIVE: no manual or automatic transition, no refresh plan, no
    /// applied transition and no requested status moves an INACTIVE campaign.
    #[test]
    fn nothing_leaves_inactive(
        c in arb_lifecycle_campaign(),
        to in arb_status(),
        offset_days in -400i64..400,
        user_id in "[a-z0-9-]{1,12}",
    ) {
        let mut c = inactive(c);
        let at = now() + Duration::days(offset_days);
        let by = ChangedBy::User(user_id);
        prop_assert!(c.check_manual_transition(to).is_err());
        prop_assert!(c.transition_to(to, TransitionKind::Manual, by.clone(), at).is_err());
        prop_assert!(c.transition_to(to, TransitionKind::Automatic, ChangedBy::System, at).is_err());
        prop_assert_eq!(plan_refresh(&c, at), RefreshPlan::Nothing);
        let before = c.clone();
        prop_assert!(c.apply_transition(&transition(Status::Inactive, to, at, by.clone())).is_err());
        prop_assert_eq!(&c, &before);
        // A client asking for a status through an update is refused at the transition check.
        let input = CampaignInput::parse_update(&c, &json!({"status": to.as_str()}), at).unwrap();
        prop_assert_eq!(input.campaign.status, Status::Inactive);
        if let Some(requested) = input.requested_status {
            prop_assert!(input.campaign.check_manual_transition(requested).is_err());
        }
    }

    /// (c) + (d) Any walk of applied transitions: each applied one appends exactly one history
    /// entry recording who and when, a refused one changes nothing, and whenever the walk ends
    /// in INACTIVE the campaign holds no domain.
    #[test]
    fn applied_walks_append_history_and_inactive_holds_no_domain(
        c in arb_lifecycle_campaign(),
        steps in prop::collection::vec(arb_step(), 0..12),
        user_id in "[a-z0-9-]{1,12}",
    ) {
        let mut c = c;
        let mut at = now();
        let mut walk: Vec<(Status, bool)> = steps
            .iter()
            .map(|(to, manual, _, _)| (*to, *manual))
            .collect();
        // Then drive it to INACTIVE along the automatic edges.
        let mut s = c.status;
        let mut tail = Vec::new();
        for (to, manual) in &walk {
            let kind_ok = if *manual { s.allows_manual(*to) } else { s.allows_automatic(*to) };
            if kind_ok {
                s = *to;
            }
        }
        while let Some(next) = next_towards_inactive(s) {
            tail.push((next, false));
            s = next;
        }
        walk.extend(tail);

        for (i, (to, manual)) in walk.into_iter().enumerate() {
            let minutes = steps.get(i).map_or(60, |st| st.2);
            at += Duration::minutes(minutes);
            let (kind, by) = if manual {
                (TransitionKind::Manual, ChangedBy::User(user_id.clone()))
            } else {
                (TransitionKind::Automatic, ChangedBy::System)
            };
            let before = c.clone();
            match c.transition_to(to, kind, by.clone(), at) {
                Ok(t) => {
                    prop_assert_eq!(t.from, before.status);
                    c.apply_transition(&t).unwrap();
                    prop_assert_eq!(c.status, to);
                    prop_assert_eq!(c.status_history.len(), before.status_history.len() + 1);
                    prop_assert_eq!(&c.status_history[..before.status_history.len()], &before.status_history[..]);
                    let last = c.status_history.last().unwrap();
                    prop_assert_eq!(last.status, to);
                    prop_assert_eq!(last.date, at);
                    prop_assert_eq!(&last.by, &by);
                    prop_assert_eq!(c.date.updated, at);
                    if to == Status::Open {
                        prop_assert_eq!(&c.domain.preview, &None);
                        prop_assert_eq!(c.date.open, None);
                        prop_assert_eq!(c.date.opened, Some(at));
                    }
                }
                Err(_) => {
                    // Refused by its kind; applying it anyway must fail when neither machine has
                    // the edge, and must leave the campaign as it was.
                    if !before.status.allows_manual(to) && !before.status.allows_automatic(to) {
                        let t = transition(before.status, to, at, by);
                        prop_assert!(c.apply_transition(&t).is_err());
                    }
                    prop_assert_eq!(&c, &before);
                }
            }
            if c.status == Status::Inactive {
                prop_assert_eq!(&c.domain.site, &None);
                prop_assert_eq!(&c.domain.preview, &None);
                prop_assert!(c.date.inactivated.is_some());
            }
        }
        prop_assert_eq!(c.status, Status::Inactive);
        prop_assert_eq!(&c.domain.site, &None);
        prop_assert_eq!(&c.domain.preview, &None);
    }

    /// (c) An INACTIVE campaign stays domain-less through updates: a patch cannot give it a
    /// site or preview domain back.
    #[test]
    fn updates_never_give_an_inactive_campaign_a_domain(
        c in arb_lifecycle_campaign(),
        site in arb_domain(),
        key in prop::sample::select(vec!["site", "preview"]),
    ) {
        let c = inactive(c);
        let patch = json!({"domain": {key: site}});
        match CampaignInput::parse_update(&c, &patch, now()) {
            Ok(input) => {
                prop_assert_eq!(&input.campaign.domain.site, &None);
                prop_assert_eq!(&input.campaign.domain.preview, &None);
            }
            Err(e) => {
                let field = format!("domain.{key}");
                prop_assert!(e.contains(&field), "{}", e);
            }
        }
    }
}
