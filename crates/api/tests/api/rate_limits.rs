//! Rate limits through HTTP (SPEC §4.1): wrong campaign passwords per (campaign, caller) and
//! Discovery searches per caller; past the limit a 429 `TOO_MANY_REQUESTS` in the error
//! envelope with a numeric `Retry-After`. The limiter runs on the app's manual clock, so time
//! passes only when a test moves it.

use std::num::NonZeroU32;
use std::sync::Arc;

use campaign_adapter_memory::MemoryDiscovery;
use campaign_app::Settings;
use campaign_domain::chrono::TimeDelta;
use campaign_domain::search::{ArtistSummary, VenueSummary};
use campaign_ports::RateLimit;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Options, TestApp, complete};
use crate::support::{expect_data, expect_error, open_campaign, with};

const PASSWORD: &str = "open sesame";

/// An OPEN campaign protected by [`PASSWORD`]; returns its site domain.
async fn protected(app: &TestApp, name: &str) -> String {
    let opened = open_campaign(app, &with(complete(name), json!({"password": PASSWORD}))).await;
    opened["domain"]["site"]
        .as_str()
        .expect("a site domain")
        .to_owned()
}

async fn read(app: &TestApp, site: &str, password: Option<&str>, token: &str) -> Response {
    let query = password.map_or_else(String::new, |p| format!("&password={p}"));
    app.get(&format!("/campaigns?domain={site}{query}"), token)
        .await
}

/// Checks a 429 answer: the error envelope, and `Retry-After` whole seconds in 1..=60; returns
/// the seconds.
async fn too_many(res: Response) -> u64 {
    let retry_after = res
        .headers()
        .get("retry-after")
        .expect("a Retry-After header")
        .to_str()
        .expect("ascii")
        .to_owned();
    let body: Value = expect_error(res, StatusCode::TOO_MANY_REQUESTS, "TOO_MANY_REQUESTS").await;
    let seconds: u64 = retry_after.parse().expect("Retry-After is whole seconds");
    assert!((1..=60).contains(&seconds), "Retry-After: {seconds}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains(&retry_after)),
        "{body}"
    );
    seconds
}

async fn wrong(app: &TestApp, site: &str, token: &str) -> Response {
    read(app, site, Some("guess"), token).await
}

#[tokio::test]
async fn the_eleventh_wrong_password_is_too_many_requests_until_the_bucket_refills() {
    let app = TestApp::spawn().await;
    let site = protected(&app, "Guarded").await;
    let fan = app.user_token("fan", &[]);
    for _ in 0..10 {
        expect_error(
            wrong(&app, &site, &fan).await,
            StatusCode::UNAUTHORIZED,
            "INVALID_CAMPAIGN_PASSWORD",
        )
        .await;
    }
    // Ten a minute: the next one passes again in 6 s.
    assert_eq!(too_many(wrong(&app, &site, &fan).await).await, 6);
    // While limited, every attempt with a password is refused before it is hashed, the right
    // one too; an attempt without one costs nothing and is still just unauthorised.
    too_many(read(&app, &site, Some(PASSWORD), &fan).await).await;
    expect_error(
        read(&app, &site, None, &fan).await,
        StatusCode::UNAUTHORIZED,
        "INVALID_CAMPAIGN_PASSWORD",
    )
    .await;
    app.clock.advance(TimeDelta::seconds(6));
    let data = expect_data(
        read(&app, &site, Some(PASSWORD), &fan).await,
        StatusCode::OK,
    )
    .await;
    assert!(data["id"].is_string(), "{data}");
    app.shut_down().await;
}

#[tokio::test]
async fn limits_are_per_caller_and_per_campaign() {
    let app = TestApp::spawn().await;
    let (first, second) = (
        protected(&app, "First").await,
        protected(&app, "Second").await,
    );
    let (fan, other_fan) = (app.user_token("fan", &[]), app.user_token("other-fan", &[]));
    for _ in 0..10 {
        wrong(&app, &first, &fan).await;
    }
    too_many(wrong(&app, &first, &fan).await).await;
    // Another caller on the same campaign, and the same caller on another campaign, are not
    // limited.
    expect_error(
        wrong(&app, &first, &other_fan).await,
        StatusCode::UNAUTHORIZED,
        "INVALID_CAMPAIGN_PASSWORD",
    )
    .await;
    expect_data(
        read(&app, &first, Some(PASSWORD), &other_fan).await,
        StatusCode::OK,
    )
    .await;
    expect_error(
        wrong(&app, &second, &fan).await,
        StatusCode::UNAUTHORIZED,
        "INVALID_CAMPAIGN_PASSWORD",
    )
    .await;
    expect_data(
        read(&app, &second, Some(PASSWORD), &fan).await,
        StatusCode::OK,
    )
    .await;
    app.shut_down().await;
}

#[tokio::test]
async fn right_passwords_do_not_count() {
    let app = TestApp::spawn().await;
    let site = protected(&app, "Guarded").await;
    let fan = app.user_token("fan", &[]);
    for _ in 0..15 {
        expect_data(
            read(&app, &site, Some(PASSWORD), &fan).await,
            StatusCode::OK,
        )
        .await;
    }
    for n in 1..=10 {
        let res = wrong(&app, &site, &fan).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "wrong password {n}");
    }
    too_many(wrong(&app, &site, &fan).await).await;
    app.shut_down().await;
}

#[tokio::test]
async fn a_password_limit_set_lower_applies_and_callers_with_read_are_never_asked() {
    let app = TestApp::spawn_with(Options {
        settings: Some(Settings {
            password_rate_limit: Some(RateLimit::per_minute(NonZeroU32::new(2).unwrap())),
            ..Settings::default()
        }),
        ..Options::default()
    })
    .await;
    let opened = open_campaign(
        &app,
        &with(complete("Guarded"), json!({"password": PASSWORD})),
    )
    .await;
    let site = opened["domain"]["site"].as_str().unwrap().to_owned();
    let fan = app.user_token("fan", &[]);
    wrong(&app, &site, &fan).await;
    wrong(&app, &site, &fan).await;
    // Two a minute: one more in 30 s.
    assert_eq!(too_many(wrong(&app, &site, &fan).await).await, 30);
    let manager = app.user_token("manager", &[(opened["id"].as_str().unwrap(), &["read"])]);
    for _ in 0..5 {
        expect_data(wrong(&app, &site, &manager).await, StatusCode::OK).await;
    }
    app.shut_down().await;
}

fn catalogue() -> Arc<MemoryDiscovery> {
    Arc::new(MemoryDiscovery::new(
        vec![ArtistSummary {
            id: "K1".to_owned(),
            name: "Taylor Swift".to_owned(),
            image_url: None,
            url: None,
        }],
        vec![VenueSummary {
            id: "V1".to_owned(),
            name: "Madison Square Garden".to_owned(),
            city: None,
            state: None,
            country: None,
        }],
        Vec::new(),
    ))
}

#[tokio::test]
async fn searches_past_the_limit_are_too_many_requests() {
    let app = TestApp::spawn_with(Options {
        discovery: Some(catalogue()),
        settings: Some(Settings {
            search_rate_limit: Some(RateLimit::per_minute(NonZeroU32::new(3).unwrap())),
            ..Settings::default()
        }),
        ..Options::default()
    })
    .await;
    let fan = app.user_token("fan", &[]);
    // Artists and venues share one budget; cached answers count too.
    for path in ["/artists?q=taylor", "/venues?q=garden", "/artists?q=taylor"] {
        expect_data(app.get(path, &fan).await, StatusCode::OK).await;
    }
    assert_eq!(
        too_many(app.get("/venues?q=garden", &fan).await).await,
        20,
        "three a minute: one more in 20 s"
    );
    too_many(app.get("/artists?q=other", &fan).await).await;
    let other = app.user_token("other-fan", &[]);
    expect_data(app.get("/artists?q=taylor", &other).await, StatusCode::OK).await;
    app.clock.advance(TimeDelta::seconds(20));
    expect_data(app.get("/venues?q=garden", &fan).await, StatusCode::OK).await;
    app.shut_down().await;
}

#[tokio::test]
async fn the_default_search_limit_is_120_a_minute() {
    let app = TestApp::spawn_with(Options {
        discovery: Some(catalogue()),
        ..Options::default()
    })
    .await;
    let fan = app.user_token("fan", &[]);
    for n in 0..120 {
        let res = app.get("/artists?q=taylor", &fan).await;
        assert_eq!(res.status(), StatusCode::OK, "search {n}");
    }
    too_many(app.get("/artists?q=taylor", &fan).await).await;
    app.shut_down().await;
}

#[tokio::test]
async fn concurrent_wrong_guesses_get_no_more_tries_than_the_limit() {
    let app = TestApp::spawn().await;
    let site = protected(&app, "Raced").await;
    let fan = app.user_token("racer", &[]);
    let answers = futures::future::join_all((0..30).map(|_| {
        let (app, site, fan) = (&app, &site, &fan);
        async move { wrong(app, site, fan).await.status() }
    }))
    .await;
    let tried = answers
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = answers
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((tried, refused), (10, 20), "{answers:?}");
    app.shut_down().await;
}
