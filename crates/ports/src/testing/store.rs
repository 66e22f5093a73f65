//! Contracts of the repositories and the outbox.

use std::future::Future;

use campaign_domain::Campaign;
use campaign_domain::campaign::CampaignType;
use campaign_domain::chrono::{DateTime, Duration, Utc};
use campaign_domain::event::EventStatus;
use campaign_domain::paging::{PageRequest, SortDirection};
use campaign_domain::permission::ReadScope;
use campaign_domain::serde_json::json;
use campaign_domain::status::{ChangedBy, Status, TransitionKind};
use campaign_domain::uuid::Uuid;
use campaign_domain::values::{ArtistId, CategoryId, DomainName, EventId};
use futures::future::{BoxFuture, join_all};

use super::StoreUnderTest;
use super::fixtures::{self as fx, at_hours, t0};
use crate::{CampaignQuery, CampaignSort, CampaignSortField, OutboxState, StoreError};

fn dn(s: &str) -> DomainName {
    DomainName::parse(s).unwrap()
}

fn eid(s: &str) -> EventId {
    EventId::parse(s).unwrap()
}

fn page(p: i64, size: i64) -> PageRequest {
    PageRequest::new(Some(p), Some(size)).unwrap()
}

/// Moves `c` to `to` as the refresh or a user would, returning the changed copy.
fn transitioned(c: &Campaign, to: Status, at_h: i64) -> Campaign {
    let mut next = c.clone();
    let kind = if c.status.allows_manual(to) {
        TransitionKind::Manual
    } else {
        TransitionKind::Automatic
    };
    let t = c
        .transition_to(to, kind, ChangedBy::System, at_hours(at_h))
        .unwrap();
    next.apply_transition(&t).unwrap();
    next
}

/// The ids of what one claim of up to 10 events at `now` leases, in claim order.
async fn claimed_ids(
    s: &StoreUnderTest,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Vec<Uuid> {
    s.outbox
        .claim(now, lease_until, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.event.event_id)
        .collect()
}

async fn pending(s: &StoreUnderTest) -> u64 {
    s.outbox.stats().await.unwrap().pending
}

/// Insert stores version 1 and the campaign reads back equal, by id and by site domain.
pub async fn campaign_insert_then_find(s: &StoreUnderTest) {
    let c = fx::campaign("Insert");
    let stored = s.campaigns.insert(&c, &[]).await.unwrap();
    assert_eq!(stored.version, 1);
    let by_id = s
        .campaigns
        .find_by_id(&c.id)
        .await
        .unwrap()
        .expect("found by id");
    assert_eq!(by_id, stored);
    let site = c.domain.site.clone().unwrap();
    assert_eq!(
        s.campaigns.find_by_domain(&site).await.unwrap(),
        Some(stored.clone())
    );
    assert_eq!(
        s.campaigns.find_by_id(&fx::campaign_id()).await.unwrap(),
        None
    );
    assert_eq!(
        s.campaigns
            .find_by_domain(&dn(&fx::domain("nobody")))
            .await
            .unwrap(),
        None
    );
    let other = s
        .campaigns
        .insert(&fx::campaign("Other"), &[])
        .await
        .unwrap();
    let missing = fx::campaign_id();
    let found = s
        .campaigns
        .find_by_ids(&[other.id.clone(), missing, c.id.clone()])
        .await
        .unwrap();
    assert_eq!(
        found.iter().map(|c| &c.id).collect::<Vec<_>>(),
        [&other.id, &c.id]
    );
}

/// A second campaign on a held site domain is refused with `DomainTaken`.
pub async fn campaign_insert_rejects_a_taken_domain(s: &StoreUnderTest) {
    let first = fx::campaign("First");
    s.campaigns.insert(&first, &[]).await.unwrap();
    let site = first.domain.site.clone().unwrap();
    let mut second = fx::campaign("Second");
    second.domain.site = Some(site.clone());
    assert_eq!(
        s.campaigns.insert(&second, &[]).await,
        Err(StoreError::DomainTaken(site))
    );
    assert_eq!(s.campaigns.find_by_id(&second.id).await.unwrap(), None);
}

/// Many concurrent inserts of one domain: exactly one wins, every other gets `DomainTaken`.
pub async fn campaign_concurrent_inserts_of_one_domain<S, F>(s: &StoreUnderTest, spawn: S)
where
    S: Fn(BoxFuture<'static, Result<Campaign, StoreError>>) -> F,
    F: Future<Output = Result<Campaign, StoreError>>,
{
    let site = fx::domain("race");
    let tasks = (0..16).map(|i| {
        let repo = s.campaigns.clone();
        let c = fx::campaign_from(&fx::complete_campaign_json(
            &format!("Racer {i}"),
            &site,
            json!({}),
        ));
        spawn(Box::pin(async move { repo.insert(&c, &[]).await }))
    });
    let results = join_all(tasks).await;
    let winners = results.iter().filter(|r| r.is_ok()).count();
    let losers = results
        .iter()
        .filter(|r| matches!(r, Err(StoreError::DomainTaken(d)) if d.as_str() == site))
        .count();
    assert_eq!((winners, losers), (1, 15), "results: {results:?}");
    let holder = s
        .campaigns
        .find_by_domain(&dn(&site))
        .await
        .unwrap()
        .expect("the winner holds the domain");
    assert!(
        results
            .iter()
            .any(|r| r.as_ref().is_ok_and(|c| c.id == holder.id))
    );
}

/// Many concurrent inserts claiming one host, half as their site and half as their preview:
/// exactly one wins, every other gets `DomainTaken`.
pub async fn campaign_concurrent_claims_of_one_host<S, F>(s: &StoreUnderTest, spawn: S)
where
    S: Fn(BoxFuture<'static, Result<Campaign, StoreError>>) -> F,
    F: Future<Output = Result<Campaign, StoreError>>,
{
    let host = fx::domain("host-race");
    let tasks = (0..16).map(|i| {
        let repo = s.campaigns.clone();
        let mut c = fx::campaign(&format!("Host racer {i}"));
        if i % 2 == 0 {
            c.domain.site = Some(dn(&host));
        } else {
            c.domain.preview = Some(dn(&host));
        }
        spawn(Box::pin(async move { repo.insert(&c, &[]).await }))
    });
    let results = join_all(tasks).await;
    let winners = results.iter().filter(|r| r.is_ok()).count();
    let losers = results
        .iter()
        .filter(|r| matches!(r, Err(StoreError::DomainTaken(d)) if d.as_str() == host))
        .count();
    assert_eq!((winners, losers), (1, 15), "results: {results:?}");
    let holder = s
        .campaigns
        .find_by_host(&dn(&host))
        .await
        .unwrap()
        .expect("the winner holds the host");
    assert!(
        results
            .iter()
            .any(|r| r.as_ref().is_ok_and(|c| c.id == holder.id))
    );
}

/// Updates store `expected + 1` and refuse a stale version or an unknown id without writing.
pub async fn campaign_update_checks_the_version(s: &StoreUnderTest) {
    let c = s
        .campaigns
        .insert(&fx::campaign("Versioned"), &[])
        .await
        .unwrap();
    let mut renamed = c.clone();
    renamed.name = "Renamed".to_owned();
    let v2 = s.campaigns.update(&renamed, 1, &[]).await.unwrap();
    assert_eq!(v2.version, 2);
    assert_eq!(v2.name, "Renamed");
    let mut stale = c.clone();
    stale.name = "Lost update".to_owned();
    assert_eq!(
        s.campaigns.update(&stale, 1, &[]).await,
        Err(StoreError::VersionConflict {
            expected: 1,
            current: 2
        })
    );
    assert_eq!(
        s.campaigns.find_by_id(&c.id).await.unwrap().unwrap().name,
        "Renamed"
    );
    let ghost = fx::campaign("Ghost");
    assert_eq!(
        s.campaigns.update(&ghost, 1, &[]).await,
        Err(StoreError::NotFound)
    );
}

/// Moving to a held domain is refused; a domain given up (moved away, or cleared by INACTIVE)
/// can be taken by another campaign.
pub async fn campaign_update_keeps_domains_unique(s: &StoreUnderTest) {
    let a = s.campaigns.insert(&fx::campaign("A"), &[]).await.unwrap();
    let b = s.campaigns.insert(&fx::campaign("B"), &[]).await.unwrap();
    let a_site = a.domain.site.clone().unwrap();
    let mut b_on_a = b.clone();
    b_on_a.domain.site = Some(a_site.clone());
    assert_eq!(
        s.campaigns.update(&b_on_a, 1, &[]).await,
        Err(StoreError::DomainTaken(a_site.clone()))
    );

    // A moves to a new domain: its old one is free.
    let mut a_moved = a.clone();
    a_moved.domain.site = Some(dn(&fx::domain("moved")));
    let a = s.campaigns.update(&a_moved, 1, &[]).await.unwrap();
    let b = s.campaigns.update(&b_on_a, 1, &[]).await.unwrap();
    assert_eq!(
        s.campaigns
            .find_by_domain(&a_site)
            .await
            .unwrap()
            .map(|c| c.id),
        Some(b.id.clone())
    );

    // A walks to INACTIVE: its domain is cleared and free for a new campaign.
    let a_site = a.domain.site.clone().unwrap();
    let open = transitioned(&a, Status::Open, 1);
    let a = s.campaigns.update(&open, a.version, &[]).await.unwrap();
    let closed = transitioned(&a, Status::Closed, 2);
    let a = s.campaigns.update(&closed, a.version, &[]).await.unwrap();
    let inactive = transitioned(&a, Status::Inactive, 24 * 31);
    let a = s.campaigns.update(&inactive, a.version, &[]).await.unwrap();
    assert_eq!(a.domain.site, None);
    assert_eq!(s.campaigns.find_by_domain(&a_site).await.unwrap(), None);
    let reuse = fx::campaign_from(&fx::complete_campaign_json(
        "Reuse",
        a_site.as_str(),
        json!({}),
    ));
    s.campaigns
        .insert(&reuse, &[])
        .await
        .expect("a freed domain is reusable");

    // Campaigns without a site (several INACTIVE ones) never collide.
    let c = s.campaigns.insert(&fx::campaign("C"), &[]).await.unwrap();
    let c = s
        .campaigns
        .update(&transitioned(&c, Status::Open, 1), 1, &[])
        .await
        .unwrap();
    let c = s
        .campaigns
        .update(&transitioned(&c, Status::Closed, 2), 2, &[])
        .await
        .unwrap();
    let c = s
        .campaigns
        .update(&transitioned(&c, Status::Inactive, 24 * 40), 3, &[])
        .await
        .unwrap();
    assert_eq!(c.domain.site, None);
}

/// Every host a campaign holds is unique across campaigns and both roles (SPEC §7.4): a site
/// cannot take another campaign's preview host, a preview cannot take another's site or
/// preview, and one campaign may use one host for both. `find_by_host` names the holder.
pub async fn campaign_hosts_are_unique_across_roles(s: &StoreUnderTest) {
    let mut a = fx::campaign("Hosts A");
    let a_preview = dn(&fx::domain("a-preview"));
    a.domain.preview = Some(a_preview.clone());
    let a = s.campaigns.insert(&a, &[]).await.unwrap();
    let a_site = a.domain.site.clone().unwrap();
    assert_eq!(
        s.campaigns
            .find_by_host(&a_preview)
            .await
            .unwrap()
            .map(|c| c.id),
        Some(a.id.clone())
    );
    assert_eq!(
        s.campaigns
            .find_by_host(&a_site)
            .await
            .unwrap()
            .map(|c| c.id),
        Some(a.id.clone())
    );
    assert_eq!(
        s.campaigns
            .find_by_host(&dn(&fx::domain("nobody")))
            .await
            .unwrap(),
        None
    );

    // A new campaign whose site is A's preview host, or whose preview is A's site: refused.
    let mut on_preview = fx::campaign("On A's preview");
    on_preview.domain.site = Some(a_preview.clone());
    assert_eq!(
        s.campaigns.insert(&on_preview, &[]).await,
        Err(StoreError::DomainTaken(a_preview.clone()))
    );
    let mut preview_on_site = fx::campaign("Preview on A's site");
    preview_on_site.domain.preview = Some(a_site.clone());
    assert_eq!(
        s.campaigns.insert(&preview_on_site, &[]).await,
        Err(StoreError::DomainTaken(a_site.clone()))
    );

    // An existing campaign moving onto either of A's hosts, in either role: refused.
    let b = s
        .campaigns
        .insert(&fx::campaign("Hosts B"), &[])
        .await
        .unwrap();
    for (site, preview) in [
        (Some(a_preview.clone()), None),
        (None, Some(a_preview.clone())),
        (None, Some(a_site.clone())),
    ] {
        let mut moved = b.clone();
        if let Some(site) = site {
            moved.domain.site = Some(site);
        }
        moved.domain.preview = preview;
        assert!(
            matches!(
                s.campaigns.update(&moved, b.version, &[]).await,
                Err(StoreError::DomainTaken(_))
            ),
            "B moved to {:?}",
            moved.domain
        );
    }
    assert_eq!(s.campaigns.find_by_id(&b.id).await.unwrap().unwrap(), b);

    // One campaign may answer on one host as both site and preview.
    let mut same = b.clone();
    same.domain.preview = same.domain.site.clone();
    let same = s.campaigns.update(&same, b.version, &[]).await.unwrap();
    assert_eq!(same.domain.preview, same.domain.site);

    // A gives its preview up (as on opening): the host is free for B's preview.
    let mut a_without = a.clone();
    a_without.domain.preview = None;
    s.campaigns
        .update(&a_without, a.version, &[])
        .await
        .unwrap();
    let mut b_takes = same.clone();
    b_takes.domain.preview = Some(a_preview.clone());
    s.campaigns
        .update(&b_takes, same.version, &[])
        .await
        .expect("a released preview host is free");
    assert_eq!(
        s.campaigns
            .find_by_host(&a_preview)
            .await
            .unwrap()
            .map(|c| c.id),
        Some(b.id.clone())
    );
}

/// A campaign write and the upsert of its contacts are one change: both are kept when the
/// write succeeds; when it is refused (stale version, host taken, no such campaign) every
/// contact stays as it was — changed ones keep their old values, new ones do not exist.
pub async fn campaign_update_with_contacts_is_one_change(s: &StoreUnderTest) {
    let held = s
        .campaigns
        .insert(&fx::campaign("Holder"), &[])
        .await
        .unwrap();
    let c = s
        .campaigns
        .insert(&fx::campaign("With contacts"), &[])
        .await
        .unwrap();
    let ana = fx::contact("Ana Lima", "ana@label.test", &[]);
    s.contacts.upsert(std::slice::from_ref(&ana)).await.unwrap();
    let mut ana_changed = ana.clone();
    ana_changed.name = "Ana Souza".to_owned();
    let new = fx::contact("New Person", "new@label.test", &[]);
    let contacts = [ana_changed.clone(), new.clone()];
    let mut linked = c.clone();
    linked.contacts = vec![ana.id.clone(), new.id.clone()];
    let unchanged = || async {
        (
            s.contacts
                .find_by_ids(&[ana.id.clone(), new.id.clone()])
                .await
                .unwrap(),
            s.campaigns.find_by_id(&c.id).await.unwrap().unwrap(),
        )
    };

    // Refused for a stale version: nothing written.
    assert_eq!(
        s.campaigns
            .update_with_contacts(&linked, c.version + 1, &contacts, &[])
            .await,
        Err(StoreError::VersionConflict {
            expected: c.version + 1,
            current: c.version
        })
    );
    assert_eq!(unchanged().await, (vec![ana.clone()], c.clone()));

    // Refused at the host index: nothing written either.
    let mut on_held = linked.clone();
    on_held.domain.site = held.domain.site.clone();
    assert!(matches!(
        s.campaigns
            .update_with_contacts(&on_held, c.version, &contacts, &[])
            .await,
        Err(StoreError::DomainTaken(_))
    ));
    assert_eq!(unchanged().await, (vec![ana.clone()], c.clone()));

    // No such campaign: no contact written.
    let ghost = fx::campaign("Ghost");
    assert_eq!(
        s.campaigns
            .update_with_contacts(&ghost, 1, &contacts, &[])
            .await,
        Err(StoreError::NotFound)
    );
    assert_eq!(unchanged().await.0, vec![ana.clone()]);

    // Accepted: both kept.
    let stored = s
        .campaigns
        .update_with_contacts(&linked, c.version, &contacts, &[])
        .await
        .unwrap();
    assert_eq!(stored.version, c.version + 1);
    assert_eq!(stored.contacts, linked.contacts);
    let (now_contacts, now_campaign) = unchanged().await;
    assert_eq!(now_contacts, vec![ana_changed, new]);
    assert_eq!(now_campaign.contacts, linked.contacts);
}

/// A preview domain finds its campaign only while the campaign is in PREVIEW.
pub async fn campaign_find_by_domain_uses_preview_only_in_preview(s: &StoreUnderTest) {
    let preview = fx::domain("preview");
    let doc = fx::complete_campaign_json(
        "Previewed",
        &fx::domain("site"),
        json!({"domain": {"preview": preview}}),
    );
    let c = s
        .campaigns
        .insert(&fx::campaign_from(&doc), &[])
        .await
        .unwrap();
    assert_eq!(
        s.campaigns.find_by_domain(&dn(&preview)).await.unwrap(),
        None,
        "a DRAFT is not served by preview"
    );
    let c = s
        .campaigns
        .update(&transitioned(&c, Status::Preview, 1), 1, &[])
        .await
        .unwrap();
    assert_eq!(
        s.campaigns
            .find_by_domain(&dn(&preview))
            .await
            .unwrap()
            .map(|f| f.id),
        Some(c.id.clone())
    );
    let c = s
        .campaigns
        .update(&transitioned(&c, Status::Open, 2), 2, &[])
        .await
        .unwrap();
    assert_eq!(c.domain.preview, None, "opening clears the preview domain");
    assert_eq!(
        s.campaigns.find_by_domain(&dn(&preview)).await.unwrap(),
        None
    );
}

async fn seed_list(s: &StoreUnderTest) -> Vec<Campaign> {
    let specs = [
        ("Bravo Tour", "Zed Artist", "registration", 3),
        ("alpha tour", "Yankee", "fanlist", 1),
        ("Charlie", "The ALPHA Band", "registration", 2),
        ("Delta", "Xray", "registration", 5),
        ("Echo", "Whiskey", "fanlist", 4),
    ];
    let mut out = Vec::new();
    for (name, artist, kind, created_h) in specs {
        let doc = fx::complete_campaign_json(
            name,
            &fx::domain(&name.to_lowercase().replace(' ', "-")),
            json!({"type": kind, "artist": {"id": format!("artist{created_h}"), "name": artist}, "schema": {"version": created_h % 2}}),
        );
        let mut c = fx::campaign_from(&doc);
        c.date.created = at_hours(created_h);
        c.date.updated = at_hours(created_h);
        out.push(s.campaigns.insert(&c, &[]).await.unwrap());
    }
    // Echo becomes OPEN.
    let echo = out[4].clone();
    out[4] = s
        .campaigns
        .update(&transitioned(&echo, Status::Open, 6), 1, &[])
        .await
        .unwrap();
    out
}

fn names(p: &campaign_domain::paging::Page<Campaign>) -> Vec<&str> {
    p.items.iter().map(|c| c.name.as_str()).collect()
}

/// Filters combine, the scope limits, sorting is stable with ties by id, pages count the total.
pub async fn campaign_list_filters_scopes_sorts_and_pages(s: &StoreUnderTest) {
    let seeded = seed_list(s).await;
    let all = CampaignQuery::all(ReadScope::All);

    let newest_first = s.campaigns.list(&all).await.unwrap();
    assert_eq!(
        names(&newest_first),
        ["Delta", "Echo", "Bravo Tour", "Charlie", "alpha tour"]
    );
    assert_eq!(newest_first.pagination.total, 5);

    let by_name = CampaignQuery {
        sort: CampaignSort {
            field: CampaignSortField::Name,
            direction: SortDirection::Ascending,
        },
        ..all.clone()
    };
    assert_eq!(
        names(&s.campaigns.list(&by_name).await.unwrap()),
        ["Bravo Tour", "Charlie", "Delta", "Echo", "alpha tour"]
    );
    let second_page = s
        .campaigns
        .list(&CampaignQuery {
            page: page(1, 2),
            ..by_name.clone()
        })
        .await
        .unwrap();
    assert_eq!(names(&second_page), ["Delta", "Echo"]);
    assert_eq!(
        (
            second_page.pagination.page,
            second_page.pagination.page_size,
            second_page.pagination.total
        ),
        (1, 2, 5)
    );
    let beyond = s
        .campaigns
        .list(&CampaignQuery {
            page: page(9, 2),
            ..by_name.clone()
        })
        .await
        .unwrap();
    assert!(beyond.items.is_empty());
    assert_eq!(beyond.pagination.total, 5);

    let fanlists = CampaignQuery {
        kind: Some(CampaignType::Fanlist),
        ..by_name.clone()
    };
    assert_eq!(
        names(&s.campaigns.list(&fanlists).await.unwrap()),
        ["Echo", "alpha tour"]
    );
    let open = CampaignQuery {
        statuses: vec![Status::Open],
        ..by_name.clone()
    };
    assert_eq!(names(&s.campaigns.list(&open).await.unwrap()), ["Echo"]);
    let artist = CampaignQuery {
        artist_id: Some(ArtistId::parse("artist2").unwrap()),
        ..by_name.clone()
    };
    assert_eq!(
        names(&s.campaigns.list(&artist).await.unwrap()),
        ["Charlie"]
    );
    let schema = CampaignQuery {
        schema_version: Some(0),
        ..by_name.clone()
    };
    assert_eq!(
        names(&s.campaigns.list(&schema).await.unwrap()),
        ["Charlie", "Echo"]
    );

    let scoped = CampaignQuery {
        scope: ReadScope::Only(vec![seeded[0].id.clone(), seeded[3].id.clone()]),
        ..by_name.clone()
    };
    let scoped = s.campaigns.list(&scoped).await.unwrap();
    assert_eq!(names(&scoped), ["Bravo Tour", "Delta"]);
    assert_eq!(scoped.pagination.total, 2);
    let nothing = CampaignQuery {
        scope: ReadScope::Only(vec![]),
        ..by_name.clone()
    };
    assert_eq!(
        s.campaigns.list(&nothing).await.unwrap().pagination.total,
        0
    );

    // Equal sort keys fall back to id order, in both directions.
    let by_status = CampaignQuery {
        sort: CampaignSort {
            field: CampaignSortField::Status,
            direction: SortDirection::Descending,
        },
        ..all.clone()
    };
    let listed = s.campaigns.list(&by_status).await.unwrap();
    assert_eq!(listed.items[0].name, "Echo");
    let drafts: Vec<_> = listed.items[1..].iter().map(|c| c.id.clone()).collect();
    let mut sorted = drafts.clone();
    sorted.sort();
    assert_eq!(drafts, sorted);
}

/// `text` matches name, artist name or site domain, case-insensitively, as a literal string.
pub async fn campaign_list_search_is_literal_and_case_insensitive(s: &StoreUnderTest) {
    seed_list(s).await;
    let by_name = |text: &str| CampaignQuery {
        text: Some(text.to_owned()),
        sort: CampaignSort {
            field: CampaignSortField::Name,
            direction: SortDirection::Ascending,
        },
        ..CampaignQuery::all(ReadScope::All)
    };
    assert_eq!(
        names(&s.campaigns.list(&by_name("ALPHA")).await.unwrap()),
        ["Charlie", "alpha tour"]
    );
    assert_eq!(
        names(&s.campaigns.list(&by_name("tour")).await.unwrap()),
        ["Bravo Tour", "alpha tour"]
    );
    assert_eq!(
        names(&s.campaigns.list(&by_name("delta-")).await.unwrap()),
        ["Delta"],
        "matches the domain"
    );
    assert!(
        s.campaigns
            .list(&by_name("a.pha"))
            .await
            .unwrap()
            .items
            .is_empty(),
        "'.' is literal"
    );
    assert!(
        s.campaigns
            .list(&by_name(".*"))
            .await
            .unwrap()
            .items
            .is_empty(),
        "'.*' is literal"
    );
    assert!(
        s.campaigns
            .list(&by_name("("))
            .await
            .unwrap()
            .items
            .is_empty(),
        "'(' is literal"
    );
}

/// Candidates are exactly the campaigns due for a transition.
pub async fn campaign_refresh_candidates(s: &StoreUnderTest) {
    let now = at_hours(24 * 100);
    let closed_before = now - Duration::days(30);
    let mut due_open = fx::campaign("due open");
    due_open.date.open = Some(now);
    let mut later_open = fx::campaign("later open");
    later_open.date.open = Some(now + Duration::seconds(1));
    let due_open = s.campaigns.insert(&due_open, &[]).await.unwrap();
    s.campaigns.insert(&later_open, &[]).await.unwrap();
    s.campaigns
        .insert(&fx::campaign("no dates"), &[])
        .await
        .unwrap();

    let mut open_due_close = fx::campaign("due close");
    open_due_close.date.close = Some(now - Duration::hours(1));
    let c = s.campaigns.insert(&open_due_close, &[]).await.unwrap();
    let due_close = s
        .campaigns
        .update(&transitioned(&c, Status::Open, 1), 1, &[])
        .await
        .unwrap();
    assert_eq!(
        due_close.date.close,
        Some(now - Duration::hours(1)),
        "manual opening keeps date.close"
    );

    let c = s
        .campaigns
        .insert(&fx::campaign("long closed"), &[])
        .await
        .unwrap();
    let c = s
        .campaigns
        .update(&transitioned(&c, Status::Open, 1), 1, &[])
        .await
        .unwrap();
    let mut long_closed = transitioned(&c, Status::Closed, 2);
    long_closed.date.closed = Some(closed_before);
    let long_closed = s.campaigns.update(&long_closed, 2, &[]).await.unwrap();
    let c = s
        .campaigns
        .insert(&fx::campaign("recently closed"), &[])
        .await
        .unwrap();
    let c = s
        .campaigns
        .update(&transitioned(&c, Status::Open, 1), 1, &[])
        .await
        .unwrap();
    let mut recent = transitioned(&c, Status::Closed, 2);
    recent.date.closed = Some(closed_before + Duration::seconds(1));
    s.campaigns.update(&recent, 2, &[]).await.unwrap();

    let mut found: Vec<_> = s
        .campaigns
        .refresh_candidates(now, closed_before)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    found.sort();
    let mut expected = vec![due_open.id, due_close.id, long_closed.id];
    expected.sort();
    assert_eq!(found, expected);
}

/// Campaigns of an artist, by id.
pub async fn campaign_find_by_artist(s: &StoreUnderTest) {
    let mk = |name: &str, extra| {
        fx::campaign_from(&fx::complete_campaign_json(name, &fx::domain("q"), extra))
    };
    let a = s.campaigns.insert(&mk("A", json!({})), &[]).await.unwrap();
    let b = s
        .campaigns
        .insert(&mk("B", json!({"artist": {"id": "other-artist"}})), &[])
        .await
        .unwrap();
    let c = s.campaigns.insert(&mk("C", json!({})), &[]).await.unwrap();
    let ids = |v: Vec<Campaign>| {
        let mut ids: Vec<_> = v.into_iter().map(|c| c.id).collect();
        ids.sort();
        ids
    };
    assert_eq!(
        ids(s
            .campaigns
            .find_by_artist(&ArtistId::parse("other-artist").unwrap())
            .await
            .unwrap()),
        vec![b.id]
    );
    let mut expected = vec![a.id, c.id];
    expected.sort();
    assert_eq!(
        ids(s.campaigns.find_by_artist(&a.artist.id).await.unwrap()),
        expected
    );
}

/// The internal queries (SPEC §6, §7.6): campaigns covering an event (own event ids or a
/// market's, neither DRAFT nor PREVIEW, with a presale window start; paged by id), campaign ids
/// by category, ids and distinct category ids of campaigns in presale over a range, distinct
/// event ids of campaigns' markets, campaigns with a market listing an event. Every one honours
/// the read scope: a scoped query never answers anything outside it, even when the caller hands
/// in ids outside it; an empty scope answers nothing.
pub async fn campaign_internal_queries_are_scoped_and_distinct(s: &StoreUnderTest) {
    let window = |from: i64, to: Option<i64>| match to {
        Some(to) => json!({"presaleWindowStart": at_hours(from).to_rfc3339(),
            "presaleWindowEnd": at_hours(to).to_rfc3339()}),
        None => json!({"presaleWindowStart": at_hours(from).to_rfc3339()}),
    };
    let insert = async |name: &str, status: Status, extra: campaign_domain::serde_json::Value| {
        let mut c = fx::campaign_from(&fx::complete_campaign_json(name, &fx::domain("iq"), extra));
        c.status = status;
        s.campaigns.insert(&c, &[]).await.unwrap().id
    };
    // Own event ids, category, presale window (hours), status; † = a market lists E1.
    let a = insert(
        "A",
        Status::Open,
        json!({"eventIds": ["E1"], "categoryId": "cat1", "date": window(10, Some(20))}),
    )
    .await;
    let b = insert(
        "B",
        Status::Closed,
        json!({"categoryId": "cat2", "date": window(30, None)}),
    )
    .await; // †
    let c = insert(
        "C",
        Status::Draft,
        json!({"eventIds": ["E1"], "categoryId": "cat1", "date": window(10, Some(20))}),
    )
    .await;
    let d = insert(
        "D",
        Status::Preview,
        json!({"categoryId": "cat3", "date": window(10, Some(20))}),
    )
    .await; // †
    let f = insert("F", Status::Open, json!({"eventIds": ["E1"]})).await;
    let g = insert(
        "G",
        Status::Open,
        json!({"eventIds": ["E1", "E7"], "categoryId": "cat2", "date": window(0, Some(5))}),
    )
    .await;
    let h = insert(
        "H",
        Status::Inactive,
        json!({"categoryId": "cat1", "date": window(10, Some(20))}),
    )
    .await; // †
    for (campaign, name, events) in [
        (&b, "B1", &["E1", "E2"][..]),
        (&d, "D1", &["E1", "E5"][..]),
        (&h, "H1", &["E1"][..]),
        (&h, "H2", &["E2", "E3"][..]),
        (&f, "F1", &["E8"][..]),
    ] {
        s.markets
            .insert(&fx::market(campaign, name, events, None), &[])
            .await
            .unwrap();
    }
    let sorted = |mut v: Vec<campaign_domain::values::CampaignId>| {
        v.sort();
        v
    };
    let only = |ids: &[&campaign_domain::values::CampaignId]| {
        ReadScope::Only(ids.iter().map(|id| (*id).clone()).collect())
    };
    let nobody = ReadScope::Only(Vec::new());
    let e1 = eid("E1");

    // Campaigns with a market listing an event: each once, scoped.
    let listing = s
        .markets
        .campaigns_listing_event(&e1, &ReadScope::All)
        .await
        .unwrap();
    assert_eq!(listing, sorted(vec![b.clone(), d.clone(), h.clone()]));
    assert_eq!(
        s.markets
            .campaigns_listing_event(&e1, &only(&[&a, &d, &f]))
            .await
            .unwrap(),
        vec![d.clone()]
    );
    assert!(
        s.markets
            .campaigns_listing_event(&e1, &nobody)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        s.markets
            .campaigns_listing_event(&eid("E9"), &ReadScope::All)
            .await
            .unwrap()
            .is_empty()
    );

    // Covering E1: A and G (own ids), B and H (markets); not C (DRAFT), D (PREVIEW), F (no
    // window). By id, paged, with the total.
    let covering = |with: Vec<campaign_domain::values::CampaignId>, scope: ReadScope, p| {
        let e1 = e1.clone();
        async move {
            s.campaigns
                .covering_event(&e1, &with, &scope, p)
                .await
                .unwrap()
        }
    };
    let all = covering(listing.clone(), ReadScope::All, page(0, 100)).await;
    let expected = sorted(vec![a.clone(), b.clone(), g.clone(), h.clone()]);
    assert_eq!(
        all.items.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
        expected
    );
    assert_eq!(all.pagination.total, 4);
    assert!(
        all.items
            .iter()
            .any(|c| c.id == a && c.status == Status::Open),
        "whole campaigns come back"
    );
    let second = covering(listing.clone(), ReadScope::All, page(1, 3)).await;
    assert_eq!(
        second
            .items
            .iter()
            .map(|c| c.id.clone())
            .collect::<Vec<_>>(),
        expected[3..].to_vec()
    );
    assert_eq!(second.pagination.total, 4);
    // The scope wins over the campaigns handed in: B and G are outside it.
    let scoped = covering(listing.clone(), only(&[&a, &c, &d, &h]), page(0, 100)).await;
    assert_eq!(
        scoped
            .items
            .iter()
            .map(|c| c.id.clone())
            .collect::<Vec<_>>(),
        sorted(vec![a.clone(), h.clone()])
    );
    assert_eq!(scoped.pagination.total, 2);
    assert_eq!(
        covering(listing.clone(), nobody.clone(), page(0, 100))
            .await
            .pagination
            .total,
        0
    );
    let e7 = s
        .campaigns
        .covering_event(&eid("E7"), &[], &ReadScope::All, page(0, 100))
        .await
        .unwrap();
    assert_eq!(
        e7.items.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
        vec![g.clone()]
    );

    // Ids by category, any status, sorted, scoped.
    let cats = [
        CategoryId::parse("cat1").unwrap(),
        CategoryId::parse("cat3").unwrap(),
    ];
    assert_eq!(
        s.campaigns
            .ids_by_category(&cats, &ReadScope::All)
            .await
            .unwrap(),
        sorted(vec![a.clone(), c.clone(), d.clone(), h.clone()])
    );
    assert_eq!(
        s.campaigns
            .ids_by_category(&cats, &only(&[&a, &b, &d]))
            .await
            .unwrap(),
        sorted(vec![a.clone(), d.clone()])
    );
    assert!(
        s.campaigns
            .ids_by_category(&cats, &nobody)
            .await
            .unwrap()
            .is_empty()
    );

    // Presale overlap, ends included; a window without end never ends; F has none.
    let in_presale = |from: i64, to: i64, scope: ReadScope| async move {
        s.campaigns
            .ids_in_presale(at_hours(from), at_hours(to), &scope)
            .await
            .unwrap()
    };
    assert_eq!(
        in_presale(0, 10, ReadScope::All).await,
        sorted(vec![a.clone(), c.clone(), d.clone(), g.clone(), h.clone()])
    );
    assert_eq!(
        in_presale(20, 30, ReadScope::All).await,
        sorted(vec![a.clone(), b.clone(), c.clone(), d.clone(), h.clone()])
    );
    assert!(in_presale(21, 29, ReadScope::All).await.is_empty());
    assert_eq!(in_presale(500, 600, ReadScope::All).await, vec![b.clone()]);
    assert_eq!(
        in_presale(0, 600, only(&[&b, &f, &g])).await,
        sorted(vec![b.clone(), g.clone()])
    );
    assert!(in_presale(0, 600, nobody.clone()).await.is_empty());

    // Distinct categories of those campaigns: cat1 (A, C, H) once.
    let categories = |from: i64, to: i64, scope: ReadScope| async move {
        s.campaigns
            .category_ids_in_presale(at_hours(from), at_hours(to), &scope)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.as_str().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        categories(0, 10, ReadScope::All).await,
        ["cat1", "cat2", "cat3"]
    );
    assert_eq!(categories(500, 600, ReadScope::All).await, ["cat2"]);
    assert_eq!(categories(0, 600, only(&[&c, &f, &h])).await, ["cat1"]);
    assert!(categories(0, 600, nobody).await.is_empty());

    // Distinct event ids of the markets of campaigns: E1 and E2 (in B and H) once each.
    let events = |campaigns: Vec<campaign_domain::values::CampaignId>| async move {
        s.markets
            .event_ids_of_campaigns(&campaigns)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.as_str().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(events(vec![b.clone(), h.clone()]).await, ["E1", "E2", "E3"]);
    assert_eq!(events(vec![d.clone(), a.clone()]).await, ["E1", "E5"]);
    assert!(events(vec![a.clone(), g.clone()]).await.is_empty());
    assert!(events(Vec::new()).await.is_empty());
}

/// Events are recorded with a successful write and not at all with a refused one.
pub async fn campaign_writes_record_their_events_atomically(s: &StoreUnderTest) {
    let c = fx::campaign("Outboxed");
    let stored = s
        .campaigns
        .insert(&c, &[fx::event("a"), fx::event("b")])
        .await
        .unwrap();
    assert_eq!(pending(s).await, 2);
    let mut clash = fx::campaign("Clash");
    clash.domain.site = c.domain.site.clone();
    assert!(s.campaigns.insert(&clash, &[fx::event("c")]).await.is_err());
    assert_eq!(pending(s).await, 2, "a refused insert records nothing");
    assert!(
        s.campaigns
            .update(&stored, 7, &[fx::event("d")])
            .await
            .is_err()
    );
    assert_eq!(pending(s).await, 2, "a refused update records nothing");
    s.campaigns
        .update(&stored, 1, &[fx::event("e")])
        .await
        .unwrap();
    assert_eq!(pending(s).await, 3);
}

/// Markets insert with version 1, are found only under their campaign, and list by name.
pub async fn market_insert_find_and_list(s: &StoreUnderTest) {
    let camp = fx::campaign_id();
    let other = fx::campaign_id();
    let b = s
        .markets
        .insert(&fx::market(&camp, "Boston", &["E1"], None), &[])
        .await
        .unwrap();
    let a = s
        .markets
        .insert(&fx::market(&camp, "Austin", &["E2"], None), &[])
        .await
        .unwrap();
    let x = s
        .markets
        .insert(&fx::market(&other, "Austin", &["E1"], None), &[])
        .await
        .unwrap();
    assert_eq!(b.version, 1);
    assert_eq!(s.markets.find(&camp, &b.id).await.unwrap(), Some(b.clone()));
    assert_eq!(
        s.markets.find(&other, &b.id).await.unwrap(),
        None,
        "a market is found only under its campaign"
    );
    let listed: Vec<_> = s
        .markets
        .list_by_campaign(&camp)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(listed, ["Austin", "Boston"]);
    assert_eq!(
        s.markets.list_by_campaign(&other).await.unwrap(),
        vec![x.clone()]
    );
    let mut ids = vec![a.id.clone(), x.id.clone(), fx::market_id()];
    let found: Vec<_> = s
        .markets
        .find_by_ids(&ids)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    ids.pop();
    ids.sort();
    assert_eq!(found, ids);
}

/// A campaign's market names are unique; other campaigns may reuse them.
pub async fn market_names_are_unique_within_a_campaign(s: &StoreUnderTest) {
    let camp = fx::campaign_id();
    let first = s
        .markets
        .insert(&fx::market(&camp, "Denver", &[], None), &[])
        .await
        .unwrap();
    assert_eq!(
        s.markets
            .insert(&fx::market(&camp, "Denver", &[], None), &[])
            .await,
        Err(StoreError::MarketNameTaken("Denver".to_owned()))
    );
    s.markets
        .insert(&fx::market(&fx::campaign_id(), "Denver", &[], None), &[])
        .await
        .expect("another campaign may reuse it");
    let second = s
        .markets
        .insert(&fx::market(&camp, "Dallas", &[], None), &[])
        .await
        .unwrap();
    let mut renamed = second.clone();
    renamed.name = "Denver".to_owned();
    assert_eq!(
        s.markets.update(&renamed, 1, &[]).await,
        Err(StoreError::MarketNameTaken("Denver".to_owned()))
    );
    let mut same = first.clone();
    same.city = "Denver".to_owned();
    s.markets
        .update(&same, 1, &[])
        .await
        .expect("keeping its own name is fine");
}

/// Many concurrent inserts of one market name in one campaign: exactly one wins.
pub async fn market_concurrent_inserts_of_one_name<S, F>(s: &StoreUnderTest, spawn: S)
where
    S: Fn(BoxFuture<'static, Result<campaign_domain::Market, StoreError>>) -> F,
    F: Future<Output = Result<campaign_domain::Market, StoreError>>,
{
    let camp = fx::campaign_id();
    let tasks = (0..16).map(|_| {
        let repo = s.markets.clone();
        let m = fx::market(&camp, "Seattle", &[], None);
        spawn(Box::pin(async move { repo.insert(&m, &[]).await }))
    });
    let results = join_all(tasks).await;
    let winners = results.iter().filter(|r| r.is_ok()).count();
    let losers = results
        .iter()
        .filter(|r| matches!(r, Err(StoreError::MarketNameTaken(_))))
        .count();
    assert_eq!((winners, losers), (1, 15), "results: {results:?}");
    assert_eq!(s.markets.list_by_campaign(&camp).await.unwrap().len(), 1);
}

/// An event id belongs to at most one market of a campaign.
pub async fn market_event_ids_are_unique_within_a_campaign(s: &StoreUnderTest) {
    let camp = fx::campaign_id();
    let a = s
        .markets
        .insert(&fx::market(&camp, "A", &["E1", "E2"], None), &[])
        .await
        .unwrap();
    assert_eq!(
        s.markets
            .insert(&fx::market(&camp, "B", &["E3", "E2"], None), &[])
            .await,
        Err(StoreError::EventIdTaken(eid("E2")))
    );
    s.markets
        .insert(&fx::market(&fx::campaign_id(), "B", &["E2"], None), &[])
        .await
        .expect("other campaigns may share it");
    let b = s
        .markets
        .insert(&fx::market(&camp, "B", &["E3"], None), &[])
        .await
        .unwrap();
    let mut steal = b.clone();
    steal.event.ids.push(eid("E1"));
    assert_eq!(
        s.markets.update(&steal, 1, &[]).await,
        Err(StoreError::EventIdTaken(eid("E1")))
    );
    let mut keep = a.clone();
    keep.event.ids.push(eid("E4"));
    s.markets
        .update(&keep, 1, &[])
        .await
        .expect("a market keeps its own ids");
}

/// Version checks on update and delete; delete returns the market once, then `NotFound`.
pub async fn market_update_and_delete_check_versions(s: &StoreUnderTest) {
    let camp = fx::campaign_id();
    let m = s
        .markets
        .insert(&fx::market(&camp, "Miami", &[], None), &[])
        .await
        .unwrap();
    let mut changed = m.clone();
    changed.city = "Miami Beach".to_owned();
    let v2 = s.markets.update(&changed, 1, &[]).await.unwrap();
    assert_eq!((v2.version, v2.city.as_str()), (2, "Miami Beach"));
    assert_eq!(
        s.markets.update(&changed, 1, &[]).await,
        Err(StoreError::VersionConflict {
            expected: 1,
            current: 2
        })
    );
    let mut foreign = changed.clone();
    foreign.campaign_id = fx::campaign_id();
    assert_eq!(
        s.markets.update(&foreign, 2, &[]).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        s.markets.delete(&fx::campaign_id(), &m.id, None, &[]).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        s.markets.delete(&camp, &m.id, Some(1), &[]).await,
        Err(StoreError::VersionConflict {
            expected: 1,
            current: 2
        })
    );
    let removed = s.markets.delete(&camp, &m.id, Some(2), &[]).await.unwrap();
    assert_eq!(removed, v2);
    assert_eq!(
        s.markets.delete(&camp, &m.id, None, &[]).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(s.markets.find(&camp, &m.id).await.unwrap(), None);
    // Its name and event ids are free again.
    s.markets
        .insert(&fx::market(&camp, "Miami", &[], None), &[])
        .await
        .unwrap();
}

/// By event id, presale range (inclusive), notification scheduling and marking.
pub async fn market_queries_and_notifications(s: &StoreUnderTest) {
    let camp = fx::campaign_id();
    let early = s
        .markets
        .insert(&fx::market(&camp, "Early", &["E1"], Some(at_hours(2))), &[])
        .await
        .unwrap();
    let late = s
        .markets
        .insert(&fx::market(&camp, "Late", &["E2"], Some(at_hours(27))), &[])
        .await
        .unwrap();
    let none = s
        .markets
        .insert(&fx::market(&camp, "None", &["E3"], None), &[])
        .await
        .unwrap();
    let elsewhere = s
        .markets
        .insert(
            &fx::market(&fx::campaign_id(), "Elsewhere", &["E1"], Some(at_hours(28))),
            &[],
        )
        .await
        .unwrap();

    let mut by_e1: Vec<_> = s
        .markets
        .find_by_event_id(&eid("E1"))
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    by_e1.sort();
    let mut expected = vec![early.id.clone(), elsewhere.id.clone()];
    expected.sort();
    assert_eq!(by_e1, expected);

    let window: Vec<_> = s
        .markets
        .presale_between(at_hours(2), at_hours(27))
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(
        window,
        ["Early", "Late"],
        "bounds are inclusive and the order is by presale time"
    );
    assert!(
        s.markets
            .presale_between(at_hours(3), at_hours(26))
            .await
            .unwrap()
            .is_empty()
    );

    assert!(
        s.markets
            .notifiable(at_hours(100))
            .await
            .unwrap()
            .is_empty()
    );
    // Reminders are market updates (the use cases record their messages with them).
    let write = |before: campaign_domain::Market, after: campaign_domain::Market| async move {
        s.markets.update(&after, before.version, &[]).await.unwrap()
    };
    let late = write(late.clone(), late.with_reminder_at(at_hours(1))).await;
    let none = write(none.clone(), none.with_reminder_at(at_hours(1))).await;
    assert!(
        [&late, &none]
            .iter()
            .all(|m| m.notification.date == Some(at_hours(1)) && m.version == 2)
    );
    assert!(
        s.markets.notifiable(at_hours(0)).await.unwrap().is_empty(),
        "not before the date"
    );
    let due: Vec<_> = s
        .markets
        .notifiable(at_hours(1))
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(due.len(), 2);
    let late = write(late.clone(), late.reminded_at(at_hours(1))).await;
    assert_eq!(late.notification.notified, Some(at_hours(1)));
    let due: Vec<_> = s
        .markets
        .notifiable(at_hours(5))
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(due, vec![none.id.clone()]);
    // Rescheduling clears `notified`.
    write(late.clone(), late.with_reminder_at(at_hours(3))).await;
    assert_eq!(s.markets.notifiable(at_hours(5)).await.unwrap().len(), 2);
}

/// Market writes record their events atomically, refused ones record nothing.
pub async fn market_writes_record_their_events_atomically(s: &StoreUnderTest) {
    let camp = fx::campaign_id();
    let m = s
        .markets
        .insert(
            &fx::market(&camp, "Tulsa", &["E1"], None),
            &[fx::event("m")],
        )
        .await
        .unwrap();
    assert_eq!(pending(s).await, 1);
    assert!(
        s.markets
            .insert(&fx::market(&camp, "Tulsa", &[], None), &[fx::event("m")])
            .await
            .is_err()
    );
    assert!(s.markets.update(&m, 5, &[fx::event("m")]).await.is_err());
    assert!(
        s.markets
            .delete(&camp, &m.id, Some(5), &[fx::event("m")])
            .await
            .is_err()
    );
    assert_eq!(pending(s).await, 1);
    s.markets
        .delete(&camp, &m.id, None, &[fx::event("m"), fx::event("n")])
        .await
        .unwrap();
    assert_eq!(pending(s).await, 3);
}

/// Promoters: insert, find, versioned update, existence, listing by name, delete.
pub async fn promoter_lifecycle(s: &StoreUnderTest) {
    let b = s
        .promoters
        .insert(&fx::promoter("Beta Live"))
        .await
        .unwrap();
    let a = s
        .promoters
        .insert(&fx::promoter("Alpha Presents"))
        .await
        .unwrap();
    assert_eq!(b.version, 1);
    assert_eq!(
        s.promoters.find_by_id(&b.id).await.unwrap(),
        Some(b.clone())
    );
    let mut renamed = b.clone();
    renamed.name = "Zeta Live".to_owned();
    let b2 = s.promoters.update(&renamed, 1).await.unwrap();
    assert_eq!(b2.version, 2);
    assert_eq!(
        s.promoters.update(&renamed, 1).await,
        Err(StoreError::VersionConflict {
            expected: 1,
            current: 2
        })
    );
    let ghost = fx::promoter_id();
    assert_eq!(
        s.promoters
            .existing_ids(&[ghost.clone(), a.id.clone()])
            .await
            .unwrap(),
        vec![a.id.clone()]
    );
    let listed = s.promoters.list(page(0, 10)).await.unwrap();
    assert_eq!(
        listed
            .items
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        ["Alpha Presents", "Zeta Live"]
    );
    assert_eq!(listed.pagination.total, 2);
    assert_eq!(
        s.promoters.list(page(1, 1)).await.unwrap().items[0].id,
        b.id
    );
    s.promoters.delete(&b.id).await.unwrap();
    assert_eq!(s.promoters.delete(&b.id).await, Err(StoreError::NotFound));
    assert_eq!(s.promoters.find_by_id(&b.id).await.unwrap(), None);
    let mut gone = renamed.clone();
    gone.name = "x".to_owned();
    assert_eq!(
        s.promoters.update(&gone, 2).await,
        Err(StoreError::NotFound)
    );
}

/// Contacts upsert by id, read back in the asked order, and search name, e-mail and keywords.
pub async fn contact_upsert_find_and_search(s: &StoreUnderTest) {
    let ana = fx::contact("Ana Lima", "ana@label.test", &["Marketing"]);
    let bo = fx::contact("Bo Chen", "bo@agency.test", &["tour", "press"]);
    let cy = fx::contact("Cy (Ops)", "cy@venue.test", &[]);
    s.contacts
        .upsert(&[ana.clone(), bo.clone(), cy.clone()])
        .await
        .unwrap();
    let found = s
        .contacts
        .find_by_ids(&[cy.id.clone(), fx::contact_id(), ana.id.clone()])
        .await
        .unwrap();
    assert_eq!(found, vec![cy.clone(), ana.clone()]);

    let mut ana2 = ana.clone();
    ana2.name = "Ana Souza".to_owned();
    s.contacts
        .upsert(std::slice::from_ref(&ana2))
        .await
        .unwrap();
    assert_eq!(
        s.contacts
            .find_by_ids(std::slice::from_ref(&ana.id))
            .await
            .unwrap(),
        vec![ana2.clone()]
    );

    let search = |q: Option<&'static str>| {
        let contacts = s.contacts.clone();
        async move {
            contacts
                .search(q, page(0, 10))
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|c| c.name)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(search(None).await, ["Ana Souza", "Bo Chen", "Cy (Ops)"]);
    assert_eq!(search(Some("SOUZA")).await, ["Ana Souza"]);
    assert_eq!(search(Some("agency.TEST")).await, ["Bo Chen"]);
    assert_eq!(search(Some("marketing")).await, ["Ana Souza"]);
    assert_eq!(
        search(Some("(ops")).await,
        ["Cy (Ops)"],
        "metacharacters are literal"
    );
    assert!(search(Some("a.a")).await.is_empty());
    let paged = s.contacts.search(None, page(1, 2)).await.unwrap();
    assert_eq!(paged.items.len(), 1);
    assert_eq!(paged.pagination.total, 3);
}

/// Event dates come from markets, statuses from the ticketing side; queries need both.
pub async fn event_dates_and_statuses(s: &StoreUnderTest) {
    s.events
        .record_dates(&[
            (eid("E1"), Some(at_hours(10))),
            (eid("E2"), Some(at_hours(30))),
            (eid("E3"), None),
        ])
        .await
        .unwrap();
    let e1 = s.events.find(&eid("E1")).await.unwrap().unwrap();
    assert_eq!((e1.status, e1.date), (None, Some(at_hours(10))));
    s.events.record_dates(&[(eid("E1"), None)]).await.unwrap();
    assert_eq!(
        s.events.find(&eid("E1")).await.unwrap().unwrap().date,
        Some(at_hours(10)),
        "None keeps the date"
    );

    for id in ["E1", "E2", "E3"] {
        s.events
            .set_status(&eid(id), EventStatus::Cancelled)
            .await
            .unwrap();
    }
    let created = s
        .events
        .set_status(&eid("E4"), EventStatus::Onsale)
        .await
        .unwrap();
    assert_eq!(
        (created.status, created.date),
        (Some(EventStatus::Onsale), None)
    );
    let ids = |v: Vec<campaign_domain::event::Event>| {
        v.into_iter().map(|e| e.id.to_string()).collect::<Vec<_>>()
    };
    assert_eq!(
        ids(s
            .events
            .find_by_status(EventStatus::Cancelled, at_hours(10))
            .await
            .unwrap()),
        ["E1"]
    );
    assert_eq!(
        ids(s
            .events
            .find_by_status(EventStatus::Cancelled, at_hours(100))
            .await
            .unwrap()),
        ["E1", "E2"]
    );
    assert!(
        s.events
            .find_by_status(EventStatus::Onsale, at_hours(100))
            .await
            .unwrap()
            .is_empty(),
        "no date, no match"
    );
    assert_eq!(s.events.find(&eid("E9")).await.unwrap(), None);
}

/// Claims lease events in order; leased events are not claimed again until the lease ends;
/// completed events are gone.
pub async fn outbox_claims_lease_and_completes(s: &StoreUnderTest) {
    let events: Vec<_> = ["k1", "k2", "k3"].into_iter().map(fx::event).collect();
    s.campaigns
        .insert(&fx::campaign("Claims"), &events)
        .await
        .unwrap();
    let now = t0() + Duration::minutes(1);
    let lease = now + Duration::seconds(30);
    let first = s.outbox.claim(now, lease, 2).await.unwrap();
    assert_eq!(
        first.iter().map(|r| r.event.event_id).collect::<Vec<_>>(),
        [events[0].event_id, events[1].event_id]
    );
    assert!(
        first
            .iter()
            .all(|r| r.state == OutboxState::Pending && r.attempts == 0)
    );
    assert_eq!(first[0].event, events[0], "the event reads back whole");
    let second = s.outbox.claim(now, lease, 10).await.unwrap();
    assert_eq!(
        second.iter().map(|r| r.event.event_id).collect::<Vec<_>>(),
        [events[2].event_id]
    );
    assert!(
        s.outbox.claim(now, lease, 10).await.unwrap().is_empty(),
        "everything is leased"
    );
    s.outbox.complete(&[events[0].event_id]).await.unwrap();
    let after_lease = s
        .outbox
        .claim(lease, lease + Duration::seconds(30), 10)
        .await
        .unwrap();
    assert_eq!(
        after_lease
            .iter()
            .map(|r| r.event.event_id)
            .collect::<Vec<_>>(),
        [events[1].event_id, events[2].event_id]
    );
    s.outbox
        .complete(&[events[1].event_id, events[2].event_id, events[0].event_id])
        .await
        .unwrap();
    assert_eq!(s.outbox.stats().await.unwrap().pending, 0);
}

/// Events with the same destination and key are claimed one at a time, oldest first.
pub async fn outbox_keeps_order_per_destination_and_key(s: &StoreUnderTest) {
    let (a1, a2, b1) = (fx::event("same"), fx::event("same"), fx::event("other"));
    s.campaigns
        .insert(
            &fx::campaign("Order"),
            &[a1.clone(), a2.clone(), b1.clone()],
        )
        .await
        .unwrap();
    let now = t0() + Duration::minutes(1);
    let lease = now + Duration::seconds(30);
    let claimed = claimed_ids(s, now, lease).await;
    assert_eq!(claimed, [a1.event_id, b1.event_id], "a2 waits for a1");
    assert!(s.outbox.claim(now, lease, 10).await.unwrap().is_empty());
    s.outbox.complete(&[a1.event_id]).await.unwrap();
    let claimed = claimed_ids(s, now, lease).await;
    assert_eq!(claimed, [a2.event_id]);
}

/// Retries wait for their time and count attempts; failed events stop blocking and are listed.
pub async fn outbox_retries_and_gives_up(s: &StoreUnderTest) {
    let (a1, a2) = (fx::event("k"), fx::event("k"));
    s.campaigns
        .insert(&fx::campaign("Retry"), &[a1.clone(), a2.clone()])
        .await
        .unwrap();
    let now = t0() + Duration::minutes(1);
    let lease = now + Duration::seconds(30);
    assert_eq!(s.outbox.claim(now, lease, 10).await.unwrap().len(), 1);
    s.outbox
        .retry_later(a1.event_id, now + Duration::seconds(10), "broker down")
        .await
        .unwrap();
    assert!(
        s.outbox
            .claim(now + Duration::seconds(9), lease, 10)
            .await
            .unwrap()
            .is_empty(),
        "not before its time, and a2 waits"
    );
    let retried = s
        .outbox
        .claim(now + Duration::seconds(10), lease, 10)
        .await
        .unwrap();
    assert_eq!(retried.len(), 1);
    assert_eq!(
        (retried[0].event.event_id, retried[0].attempts),
        (a1.event_id, 1)
    );
    assert_eq!(retried[0].last_error.as_deref(), Some("broker down"));
    s.outbox.fail(a1.event_id, "gave up").await.unwrap();
    assert_eq!(
        s.outbox.stats().await.unwrap(),
        crate::OutboxStats {
            pending: 1,
            failed: 1
        }
    );
    let next = s
        .outbox
        .claim(now + Duration::seconds(10), lease, 10)
        .await
        .unwrap();
    assert_eq!(
        next.iter().map(|r| r.event.event_id).collect::<Vec<_>>(),
        [a2.event_id],
        "a failed event does not block"
    );
    let failed = s.outbox.failed(page(0, 10)).await.unwrap();
    assert_eq!(failed.pagination.total, 1);
    assert_eq!(failed.items[0].state, OutboxState::Failed);
    assert_eq!(
        (
            failed.items[0].attempts,
            failed.items[0].last_error.as_deref()
        ),
        (2, Some("gave up"))
    );
}

/// Failed events go back in line when requeued, with no attempts; other ids are ignored.
pub async fn outbox_requeues_failed_events(s: &StoreUnderTest) {
    let (a, b) = (fx::event("q1"), fx::event("q2"));
    s.campaigns
        .insert(&fx::campaign("Requeue"), &[a.clone(), b.clone()])
        .await
        .unwrap();
    let now = t0() + Duration::minutes(1);
    let lease = now + Duration::seconds(30);
    assert_eq!(s.outbox.claim(now, lease, 10).await.unwrap().len(), 2);
    s.outbox.fail(a.event_id, "stream missing").await.unwrap();
    s.outbox
        .retry_later(b.event_id, now + Duration::hours(1), "slow")
        .await
        .unwrap();
    assert_eq!(
        s.outbox
            .requeue(&[a.event_id, b.event_id, fx::event("x").event_id], now)
            .await
            .unwrap(),
        1,
        "only the failed event is requeued"
    );
    assert_eq!(
        s.outbox.stats().await.unwrap(),
        crate::OutboxStats {
            pending: 2,
            failed: 0
        }
    );
    let claimed = s.outbox.claim(now, lease, 10).await.unwrap();
    assert_eq!(
        claimed.iter().map(|r| r.event.event_id).collect::<Vec<_>>(),
        [a.event_id],
        "due at once; the other still waits for its retry time"
    );
    assert_eq!(claimed[0].attempts, 0);
    assert_eq!(claimed[0].state, OutboxState::Pending);
    assert_eq!(claimed[0].last_error.as_deref(), Some("stream missing"));
    assert_eq!(
        s.outbox.requeue(&[a.event_id], now).await.unwrap(),
        0,
        "a pending event is left alone"
    );
}

/// Events of different records with one destination and key keep the order of their changes.
pub async fn outbox_keeps_order_across_records(s: &StoreUnderTest) {
    let campaign = fx::campaign("Across");
    let mut early = fx::event("across");
    early.occurred_at = t0() + Duration::seconds(1);
    let mut late = fx::event("across");
    late.occurred_at = t0() + Duration::seconds(2);
    // A market of the campaign changes first, then the campaign itself.
    s.markets
        .insert(
            &fx::market(&campaign.id, "Market", &[], None),
            std::slice::from_ref(&early),
        )
        .await
        .unwrap();
    s.campaigns
        .insert(&campaign, std::slice::from_ref(&late))
        .await
        .unwrap();
    let now = t0() + Duration::minutes(1);
    let lease = now + Duration::seconds(30);
    let first = claimed_ids(s, now, lease).await;
    assert_eq!(
        first,
        [early.event_id],
        "the earlier change first; the later waits"
    );
    s.outbox.complete(&[early.event_id]).await.unwrap();
    let second = claimed_ids(s, now, lease).await;
    assert_eq!(second, [late.event_id]);
    s.outbox.complete(&[late.event_id]).await.unwrap();
    assert_eq!(
        s.outbox.stats().await.unwrap().pending,
        0,
        "completed events are not pending"
    );
}
