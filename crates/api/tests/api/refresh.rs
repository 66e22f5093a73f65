//! The status refresh (SPEC §7.3) through `POST /campaigns/refresh` and the scheduler, driven
//! by the service's manual clock: opening, closing and inactivating on their dates, several
//! steps in one run, incomplete campaigns skipped, the freed domain, and concurrent runs.

use std::time::Duration as StdDuration;

use campaign_domain::chrono::{DateTime, Duration, SecondsFormat, Utc};
use campaign_domain::messages::OutboundMessage;
use campaign_domain::status::Status;
use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Options, TestApp, complete, draft, json_of, start_time};
use crate::support::{
    expect_data, expect_error, fetch, history, id_of, open_complete, refresh, sorted_fields,
    update, with,
};

fn at(offset: Duration) -> DateTime<Utc> {
    start_time() + offset
}

fn wire(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn counts(opened: u64, closed: u64, inactivated: u64, skipped: u64) -> Value {
    json!({"opened": opened, "closed": closed, "inactivated": inactivated, "skipped": skipped})
}

fn scheduled(name: &str, open: Duration, close: Option<Duration>) -> Value {
    let mut dates = json!({"open": wire(at(open))});
    if let Some(close) = close {
        dates["close"] = json!(wire(at(close)));
    }
    with(complete(name), json!({"date": dates}))
}

#[tokio::test]
async fn nothing_due_changes_nothing() {
    let app = TestApp::spawn().await;
    let id = id_of(
        &app.create_campaign(&scheduled("Later", Duration::hours(1), None))
            .await,
    );
    open_complete(&app, "Open without close").await;
    assert_eq!(refresh(&app).await, counts(0, 0, 0, 0));
    let c = fetch(&app, &id).await;
    assert_eq!(
        (c["status"].clone(), c["version"].clone()),
        (json!("DRAFT"), json!(1))
    );
    app.shut_down().await;
}

#[tokio::test]
async fn a_draft_past_open_and_close_opens_and_closes_in_one_run() {
    let app = TestApp::spawn().await;
    let created = app
        .create_campaign(&scheduled(
            "Both",
            Duration::hours(1),
            Some(Duration::hours(2)),
        ))
        .await;
    let id = id_of(&created);
    app.clock.set(at(Duration::hours(3)));
    assert_eq!(refresh(&app).await, counts(1, 1, 0, 0));
    let c = fetch(&app, &id).await;
    assert_eq!(c["status"], "CLOSED");
    assert_eq!(c["version"], 2, "one write for both steps");
    let now = wire(at(Duration::hours(3)));
    assert_eq!(
        history(&c),
        [
            ("DRAFT".into(), "admin-1".into()),
            ("OPEN".into(), "system".into()),
            ("CLOSED".into(), "system".into())
        ]
    );
    assert_eq!(c["statusHistory"][1]["date"], now.as_str());
    assert_eq!(c["date"]["opened"], now.as_str());
    assert_eq!(c["date"]["closed"], now.as_str());
    assert!(
        c["date"].get("open").is_none() && c["date"].get("close").is_none(),
        "{}",
        c["date"]
    );
    assert!(c["domain"].get("preview").is_none());
    assert_eq!(c["domain"]["site"], created["domain"]["site"]);
    assert_eq!(
        refresh(&app).await,
        counts(0, 0, 0, 0),
        "a second run finds nothing"
    );
    app.shut_down().await;
}

#[tokio::test]
async fn a_preview_opens_exactly_at_its_open_date_and_releases_the_preview_domain() {
    let app = TestApp::spawn().await;
    let body = with(
        scheduled("Preview", Duration::hours(1), None),
        json!({"status": "PREVIEW"}),
    );
    let created = app.create_campaign(&body).await;
    let id = id_of(&created);
    app.clock
        .set(at(Duration::hours(1) - Duration::milliseconds(1)));
    assert_eq!(refresh(&app).await, counts(0, 0, 0, 0));
    app.clock.set(at(Duration::hours(1)));
    assert_eq!(refresh(&app).await, counts(1, 0, 0, 0));
    let c = fetch(&app, &id).await;
    assert_eq!(c["status"], "OPEN");
    assert_eq!(
        history(&c)
            .iter()
            .map(|(s, _)| s.as_str())
            .collect::<Vec<_>>(),
        ["DRAFT", "PREVIEW", "OPEN"]
    );
    assert!(c["domain"].get("preview").is_none());
    // The fan site now finds it on its site, not on the old preview domain.
    let fan = app.user_token("fan", &[]);
    let site = created["domain"]["site"].as_str().unwrap();
    let preview = created["domain"]["preview"].as_str().unwrap();
    expect_data(
        app.get(&format!("/campaigns?domain={site}"), &fan).await,
        StatusCode::OK,
    )
    .await;
    let res = app.get(&format!("/campaigns?domain={preview}"), &fan).await;
    expect_error(res, StatusCode::NOT_FOUND, "CAMPAIGN_NOT_FOUND").await;
    app.shut_down().await;
}

#[tokio::test]
async fn an_open_campaign_closes_on_its_close_date() {
    let app = TestApp::spawn().await;
    let body = with(
        complete("Closing"),
        json!({"date": {"close": wire(at(Duration::days(2)))}}),
    );
    let id = id_of(&crate::support::open_campaign(&app, &body).await);
    app.clock.set(at(Duration::days(2)));
    assert_eq!(refresh(&app).await, counts(0, 1, 0, 0));
    let c = fetch(&app, &id).await;
    assert_eq!(c["status"], "CLOSED");
    assert_eq!(c["date"]["closed"], wire(at(Duration::days(2))).as_str());
    app.shut_down().await;
}

#[tokio::test]
async fn an_incomplete_draft_due_to_open_is_skipped_and_left_alone() {
    let app = TestApp::spawn().await;
    let body = with(
        draft("Incomplete"),
        json!({"date": {"open": wire(at(Duration::hours(1)))}}),
    );
    let id = id_of(&app.create_campaign(&body).await);
    app.create_campaign(&scheduled("Complete", Duration::hours(1), None))
        .await;
    app.clock.set(at(Duration::hours(2)));
    assert_eq!(refresh(&app).await, counts(1, 0, 0, 1));
    let c = fetch(&app, &id).await;
    assert_eq!(
        (c["status"].clone(), c["version"].clone()),
        (json!("DRAFT"), json!(1))
    );
    assert_eq!(
        refresh(&app).await,
        counts(0, 0, 0, 1),
        "still skipped until completed"
    );
    // Completing it lets the next run open it.
    let mut completing = complete("Incomplete");
    completing.as_object_mut().unwrap().remove("domain");
    expect_data(update(&app, &id, &completing).await, StatusCode::OK).await;
    assert_eq!(refresh(&app).await, counts(1, 0, 0, 0));
    assert_eq!(fetch(&app, &id).await["status"], "OPEN");
    app.shut_down().await;
}

#[tokio::test]
async fn thirty_days_after_closing_a_campaign_becomes_inactive_and_frees_its_domain() {
    let app = TestApp::spawn().await;
    let opened = open_complete(&app, "Archived").await;
    let id = id_of(&opened);
    let site = opened["domain"]["site"].as_str().unwrap().to_owned();
    app.clock.set(at(Duration::hours(1)));
    expect_data(
        update(&app, &id, &json!({"status": "CLOSED"})).await,
        StatusCode::OK,
    )
    .await;
    // Still held the day before.
    app.clock.set(at(
        Duration::hours(1) + Duration::days(30) - Duration::milliseconds(1)
    ));
    assert_eq!(refresh(&app).await, counts(0, 0, 0, 0));
    let res = app
        .post(
            "/campaigns",
            &app.supreme_token(),
            &with(draft("Too early"), json!({"domain": {"site": site}})),
        )
        .await;
    expect_error(res, StatusCode::BAD_REQUEST, "DOMAIN_NAME_CONFLICT").await;
    app.clock.set(at(Duration::hours(1) + Duration::days(31)));
    assert_eq!(refresh(&app).await, counts(0, 0, 1, 0));
    let c = fetch(&app, &id).await;
    assert_eq!(c["status"], "INACTIVE");
    assert_eq!(
        c["domain"],
        json!({}),
        "an INACTIVE campaign holds no domain"
    );
    assert_eq!(
        c["date"]["inactivated"],
        wire(at(Duration::hours(1) + Duration::days(31))).as_str()
    );
    assert_eq!(
        history(&c).last().unwrap(),
        &("INACTIVE".to_owned(), "system".to_owned())
    );
    // The fan site no longer finds it, and the domain is free for a new campaign.
    let fan = app.user_token("fan", &[]);
    let res = app
        .get(&format!("/campaigns/status?domain={site}"), &fan)
        .await;
    expect_error(res, StatusCode::NOT_FOUND, "CAMPAIGN_NOT_FOUND").await;
    let successor = app
        .create_campaign(&with(
            complete("Successor"),
            json!({"domain": {"site": site}}),
        ))
        .await;
    let found = expect_data(
        app.get(
            &format!("/campaigns/status?domain={site}"),
            &app.supreme_token(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found, json!({"id": successor["id"], "status": "DRAFT"}));
    // Nothing leaves INACTIVE, and it cannot take a domain back.
    for to in ["OPEN", "CLOSED", "DRAFT", "PREVIEW"] {
        let res = update(&app, &id, &json!({"status": to})).await;
        expect_error(res, StatusCode::BAD_REQUEST, "INVALID_STATUS_TRANSITION").await;
    }
    let res = update(
        &app,
        &id,
        &json!({"domain": {"site": crate::helpers::domain("back")}}),
    )
    .await;
    let body = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(sorted_fields(&body), ["domain.site"]);
    assert_eq!(refresh(&app).await, counts(0, 0, 0, 0));
    app.shut_down().await;
}

#[tokio::test]
async fn a_domain_freed_by_inactive_can_be_taken_by_an_update() {
    let app = TestApp::spawn().await;
    let opened = open_complete(&app, "Old").await;
    let site = opened["domain"]["site"].as_str().unwrap().to_owned();
    expect_data(
        update(&app, &id_of(&opened), &json!({"status": "CLOSED"})).await,
        StatusCode::OK,
    )
    .await;
    let other = id_of(&app.create_campaign(&draft("New")).await);
    let res = update(&app, &other, &json!({"domain": {"site": site}})).await;
    expect_error(res, StatusCode::BAD_REQUEST, "DOMAIN_NAME_CONFLICT").await;
    app.clock.set(at(Duration::days(30)));
    assert_eq!(refresh(&app).await, counts(0, 0, 1, 0));
    let after = expect_data(
        update(&app, &other, &json!({"domain": {"site": site}})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(after["domain"]["site"], site.as_str());
    app.shut_down().await;
}

#[tokio::test]
async fn concurrent_refreshes_never_transition_a_campaign_twice() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    let mut round_start = Duration::zero();
    for round in 0..3 {
        let mut ids = Vec::new();
        for i in 0..8 {
            let body = scheduled(
                &format!("Due {round}-{i}"),
                round_start + Duration::hours(1),
                None,
            );
            ids.push(id_of(&app.create_campaign(&body).await));
        }
        round_start += Duration::hours(2);
        app.clock.set(at(round_start));
        let answers = join_all((0..2).map(|_| async {
            json_of(
                app.request(Method::POST, "/campaigns/refresh", Some(&token), None)
                    .await,
            )
            .await
        }))
        .await;
        let mut opened = 0;
        for (status, body) in &answers {
            assert_eq!(*status, StatusCode::OK, "{body}");
            assert_eq!(body["data"]["closed"], 0);
            opened += body["data"]["opened"].as_u64().unwrap();
        }
        assert_eq!(opened, 8, "round {round}: {answers:?}");
        for id in &ids {
            let c = fetch(&app, id).await;
            let opens = history(&c).iter().filter(|(s, _)| s == "OPEN").count();
            assert_eq!(opens, 1, "{id}: {}", c["statusHistory"]);
            assert_eq!(c["version"], 2, "{id} written once by the refresh");
        }
    }
    app.shut_down().await;
}

#[tokio::test]
async fn the_scheduler_runs_the_refresh_by_itself() {
    let app = TestApp::spawn_with(Options {
        refresh_interval: Some(StdDuration::from_millis(20)),
        ..Options::default()
    })
    .await;
    let id = id_of(
        &app.create_campaign(&scheduled("Scheduled", Duration::hours(1), None))
            .await,
    );
    app.clock.set(at(Duration::hours(2)));
    // Wait on the delivered stream for the record of the opening.
    let mut opened = false;
    for _ in 0..500 {
        app.wait_for_delivery().await;
        opened = app.stream.sent().iter().any(|e| {
            matches!(&e.message, OutboundMessage::CampaignStream(r) if r.campaign_id.as_str() == id && r.status == Status::Open)
        });
        if opened {
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(10)).await;
    }
    assert!(opened, "the scheduler never opened the campaign");
    let c = fetch(&app, &id).await;
    assert_eq!(c["status"], "OPEN");
    assert_eq!(history(&c).last().unwrap().1, "system");
    app.shut_down().await;
}
