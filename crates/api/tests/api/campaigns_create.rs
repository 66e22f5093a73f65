//! `POST /campaigns` (SPEC §6, §7.1, §7.4): what a create answers, what it stores, which
//! fields it validates for a DRAFT and for a PREVIEW, and the unique site domain, also under
//! concurrent creates.

use campaign_domain::chrono::{Duration, SecondsFormat};
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, complete, domain, draft, json_of, start_time};
use crate::support::{expect_error, fetch, history, id_of, sorted_fields, with};

#[tokio::test]
async fn a_draft_is_created_with_201_location_etag_and_the_stored_campaign() {
    let app = TestApp::spawn().await;
    let body = draft("First");
    let res = app.post("/campaigns", &app.supreme_token(), &body).await;
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let (status, answer) = json_of(res).await;
    assert_eq!(status, StatusCode::CREATED);
    let data = &answer["data"];
    let id = id_of(data);
    assert_eq!(id.len(), 24);
    assert!(
        id.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    assert_eq!(location, format!("/campaigns/{id}"));
    assert_eq!(etag, "\"1\"");
    assert_eq!(data["version"], 1);
    assert_eq!(data["status"], "DRAFT");
    assert_eq!(data["type"], "registration", "the default type");
    assert_eq!(data["name"], "First");
    assert_eq!(data["artist"], body["artist"]);
    assert_eq!(data["domain"], body["domain"]);
    let created = "2030-01-01T00:00:00.000Z";
    assert_eq!(data["date"]["created"], created);
    assert_eq!(data["date"]["updated"], created);
    assert_eq!(
        data["statusHistory"],
        json!([{"status": "DRAFT", "date": created, "by": "admin-1"}])
    );
    // What Location names is what was stored.
    assert_eq!(&fetch(&app, &id).await, data);
    app.shut_down().await;
}

#[tokio::test]
async fn a_draft_needs_name_artist_id_and_domain_site_and_reports_them_all() {
    let app = TestApp::spawn().await;
    let res = app
        .post("/campaigns", &app.supreme_token(), &json!({}))
        .await;
    let body = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(sorted_fields(&body), ["artist.id", "domain.site", "name"]);
    let res = app
        .post(
            "/campaigns",
            &app.supreme_token(),
            &json!({"name": "  ", "artist": {}, "domain": {}, "type": "concert"}),
        )
        .await;
    let body = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(
        sorted_fields(&body),
        ["artist.id", "domain.site", "name", "type"]
    );
    app.shut_down().await;
}

#[tokio::test]
async fn every_malformed_field_is_reported_with_its_path() {
    let app = TestApp::spawn().await;
    let body = json!({
        "name": "",
        "type": "concert",
        "status": "LIVE",
        "artist": {"id": "bad id!", "image_url": "ftp://img.example.test/a.png"},
        "domain": {"site": "not a domain", "preview": "http://x.example.test/"},
        "tour": {"name": 7},
        "options": {"showAccessCode": "yes"},
        "referenceTimezone": "Mars/Olympus_Mons",
        "date": {"open": "tomorrow", "sendReminderEmails": ["2030-01-02T00:00:00Z", "soon"]},
        "style": {"theme": {"primary": "red"}, "text": {"secondary": "#12345"}},
        "image": {"main": {"url": "javascript:alert(1)"}},
        "share": {"x": "x.com/band"},
        "content": {"english": {"terms": "T"}, "en-US": {"faqs": {"not-a-uuid": {"question": "Q", "answer": "A"}}}},
        "faqs": {"landing": {"open": ["nope"]}},
        "locales": [{"id": "en-US", "is_default": true}, {"id": "english"}],
        "eventIds": ["ok", "bad id"],
        "linkedCampaignIds": ["123"],
        "password": "",
        "trackers": [{"id": "G-1"}, {}],
        "schema": {"version": -1}
    });
    let res = app.post("/campaigns", &app.supreme_token(), &body).await;
    let answer = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    let mut expected = vec![
        "name",
        "type",
        "status",
        "artist.id",
        "artist.image_url",
        "domain.site",
        "domain.preview",
        "tour.name",
        "options.showAccessCode",
        "referenceTimezone",
        "date.open",
        "date.sendReminderEmails[1]",
        "style.theme.primary",
        "style.text.secondary",
        "image.main.url",
        "share.x",
        "content.english",
        "content.en-US.faqs.not-a-uuid",
        "faqs.landing.open[0]",
        "locales[1].id",
        "eventIds[1]",
        "linkedCampaignIds[0]",
        "password",
        "trackers[0].type",
        "trackers[1].type",
        "trackers[1].id",
        "schema.version",
    ];
    expected.sort_unstable();
    assert_eq!(sorted_fields(&answer), expected, "{answer}");
    let list = app.get("/campaigns/list", &app.supreme_token()).await;
    assert_eq!(json_of(list).await.1["data"]["pagination"]["total"], 0);
    app.shut_down().await;
}

#[tokio::test]
async fn creating_as_preview_needs_the_full_campaign_and_names_every_missing_field() {
    let app = TestApp::spawn().await;
    let body = with(draft("Early"), json!({"status": "PREVIEW"}));
    let res = app.post("/campaigns", &app.supreme_token(), &body).await;
    let answer = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(
        sorted_fields(&answer),
        [
            "identifier",
            "image.main.url",
            "locales",
            "style.border.primary",
            "style.pageBackground.primary",
            "style.text.primary",
            "style.theme.primary",
            "tour.name",
        ]
    );
    // A FAQ placed on a page must exist in every locale's content.
    let missing_faq = with(
        complete("Holes"),
        json!({"status": "PREVIEW", "content": {"fr-FR": {"faqs": null}}}),
    );
    let res = app
        .post("/campaigns", &app.supreme_token(), &missing_faq)
        .await;
    let answer = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(sorted_fields(&answer), ["faqs.landing.open[0]"]);
    // Two default locales; content for a locale the campaign does not have.
    let odd_locales = with(
        complete("Locales"),
        json!({"status": "PREVIEW", "locales": [{"id": "en-US", "is_default": true}, {"id": "fr-FR", "is_default": true}]}),
    );
    let res = app
        .post("/campaigns", &app.supreme_token(), &odd_locales)
        .await;
    let answer = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(sorted_fields(&answer), ["locales"]);
    let foreign_content = with(
        complete("Foreign"),
        json!({"status": "PREVIEW", "content": {"de-DE": {"terms": "AGB"}}}),
    );
    let res = app
        .post("/campaigns", &app.supreme_token(), &foreign_content)
        .await;
    let answer = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(sorted_fields(&answer), ["content.de-DE"]);
    app.shut_down().await;
}

#[tokio::test]
async fn a_complete_campaign_can_be_created_as_preview() {
    let app = TestApp::spawn().await;
    let body = with(complete("Ready"), json!({"status": "preview"}));
    let data = app.create_campaign(&body).await;
    assert_eq!(data["status"], "PREVIEW");
    assert_eq!(
        history(&data),
        [
            ("DRAFT".into(), "admin-1".into()),
            ("PREVIEW".into(), "admin-1".into())
        ]
    );
    assert_eq!(
        data["domain"], body["domain"],
        "a PREVIEW keeps its preview domain"
    );
    app.shut_down().await;
}

#[tokio::test]
async fn a_create_cannot_start_in_another_status_than_draft_or_preview() {
    let app = TestApp::spawn().await;
    for status in ["OPEN", "CLOSED", "INACTIVE"] {
        let body = with(complete("Jumpy"), json!({"status": status}));
        let res = app.post("/campaigns", &app.supreme_token(), &body).await;
        expect_error(res, StatusCode::BAD_REQUEST, "INVALID_STATUS_TRANSITION").await;
    }
    let list = app.get("/campaigns/list", &app.supreme_token()).await;
    assert_eq!(json_of(list).await.1["data"]["pagination"]["total"], 0);
    app.shut_down().await;
}

#[tokio::test]
async fn inconsistent_dates_are_400_invalid_campaign_naming_the_fields() {
    let app = TestApp::spawn().await;
    let body = with(
        draft("Backwards"),
        json!({"date": {
            "open": "2030-02-01T00:00:00Z", "close": "2030-01-15T00:00:00Z",
            "presaleWindowStart": "2030-03-01T00:00:00Z", "presaleWindowEnd": "2030-03-01T00:00:00Z"
        }}),
    );
    let res = app.post("/campaigns", &app.supreme_token(), &body).await;
    let answer = expect_error(res, StatusCode::BAD_REQUEST, "INVALID_CAMPAIGN").await;
    assert_eq!(
        sorted_fields(&answer),
        ["date.close", "date.presaleWindowEnd"]
    );
    app.shut_down().await;
}

#[tokio::test]
async fn read_only_fields_sent_on_create_are_ignored() {
    let app = TestApp::spawn().await;
    let body = with(
        draft("Sneaky"),
        json!({
            "id": "0123456789abcdef01234567",
            "version": 42,
            "statusHistory": [{"status": "OPEN", "date": "2020-01-01T00:00:00Z", "by": "me"}],
            "date": {"created": "2020-01-01T00:00:00Z", "updated": "2020-01-01T00:00:00Z",
                     "opened": "2020-01-01T00:00:00Z", "closed": "2020-01-01T00:00:00Z",
                     "inactivated": "2020-01-01T00:00:00Z", "open": "2030-06-01T00:00:00Z"}
        }),
    );
    let data = app.create_campaign(&body).await;
    assert_ne!(data["id"], "0123456789abcdef01234567");
    assert_eq!(data["version"], 1);
    assert_eq!(history(&data), [("DRAFT".into(), "admin-1".into())]);
    assert_eq!(
        data["date"],
        json!({"created": "2030-01-01T00:00:00.000Z", "updated": "2030-01-01T00:00:00.000Z",
               "open": "2030-06-01T00:00:00.000Z", "sendReminderEmails": []})
    );
    app.shut_down().await;
}

#[tokio::test]
async fn dates_are_stored_and_answered_in_utc() {
    let app = TestApp::spawn().await;
    let body = with(
        draft("Zoned"),
        json!({"date": {"open": "2030-06-01T02:00:00+02:00"}}),
    );
    let data = app.create_campaign(&body).await;
    assert_eq!(data["date"]["open"], "2030-06-01T00:00:00.000Z");
    app.shut_down().await;
}

#[tokio::test]
async fn the_password_is_write_only() {
    let app = TestApp::spawn().await;
    let data = app
        .create_campaign(&with(draft("Secret"), json!({"password": "hunter2"})))
        .await;
    let text = data.to_string();
    assert!(
        data.get("password").is_none() && data.get("passwordHash").is_none(),
        "{data}"
    );
    assert!(
        !text.contains("hunter2") && !text.contains("argon2"),
        "{text}"
    );
    let stored = fetch(&app, &id_of(&data)).await.to_string();
    assert!(
        !stored.contains("hunter2") && !stored.contains("argon2"),
        "{stored}"
    );
    app.shut_down().await;
}

#[tokio::test]
async fn a_held_site_domain_is_400_domain_name_conflict_in_any_case() {
    let app = TestApp::spawn().await;
    let first = app.create_campaign(&draft("Holder")).await;
    let site = first["domain"]["site"].as_str().unwrap().to_owned();
    for spelling in [site.clone(), site.to_uppercase(), format!("{site}.")] {
        let body = with(draft("Latecomer"), json!({"domain": {"site": spelling}}));
        let res = app.post("/campaigns", &app.supreme_token(), &body).await;
        expect_error(res, StatusCode::BAD_REQUEST, "DOMAIN_NAME_CONFLICT").await;
    }
    // The same host as a preview domain must differ from the own site.
    let body = with(
        draft("Mirror"),
        json!({"domain": {"site": "m.example.test", "preview": "M.example.test"}}),
    );
    let res = app.post("/campaigns", &app.supreme_token(), &body).await;
    let answer = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(sorted_fields(&answer), ["domain.preview"]);
    let list = app.get("/campaigns/list", &app.supreme_token()).await;
    assert_eq!(json_of(list).await.1["data"]["pagination"]["total"], 1);
    app.shut_down().await;
}

#[tokio::test]
async fn concurrent_creates_of_one_domain_give_exactly_one_201_and_conflicts_never_500() {
    let app = TestApp::spawn().await;
    let site = domain("contested");
    let token = app.supreme_token();
    let bodies: Vec<_> = (0..8)
        .map(|i| {
            with(
                draft(&format!("Racer {i}")),
                json!({"domain": {"site": site}}),
            )
        })
        .collect();
    let answers = join_all(
        bodies
            .iter()
            .map(|b| async { json_of(app.post("/campaigns", &token, b).await).await }),
    )
    .await;
    let created: Vec<_> = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .collect();
    assert_eq!(created.len(), 1, "{answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
        assert_eq!(*status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"]["type"], "DOMAIN_NAME_CONFLICT", "{body}");
    }
    let list = json_of(app.get(&format!("/campaigns/list?q={site}"), &token).await)
        .await
        .1;
    assert_eq!(list["data"]["pagination"]["total"], 1);
    assert_eq!(
        list["data"]["campaigns"][0]["id"],
        created[0].1["data"]["id"]
    );
    app.shut_down().await;
}

#[tokio::test]
async fn the_create_time_comes_from_the_service_clock() {
    let app = TestApp::spawn().await;
    app.clock.advance(Duration::hours(5));
    let data = app.create_campaign(&draft("Later")).await;
    let expected = (start_time() + Duration::hours(5)).to_rfc3339_opts(SecondsFormat::Millis, true);
    assert_eq!(data["date"]["created"], expected.as_str());
    assert_eq!(data["statusHistory"][0]["date"], expected.as_str());
    app.shut_down().await;
}
