//! Campaign reads (SPEC §5, §6, §7.5): by id with its `ETag` and locale selection, the status
//! views, the fan site's read by domain (public view, visibility by status, password), and the
//! list with its filters, sorting, paging and permission scope.

use campaign_domain::chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, complete, draft, json_of};
use crate::support::{
    expect_data, expect_error, fetch, fields, id_of, keys, open_campaign, open_complete,
    sorted_fields, update, with,
};

fn content_locales(campaign: &Value) -> Vec<String> {
    campaign["content"]
        .as_object()
        .expect("content")
        .keys()
        .cloned()
        .collect()
}

fn names(list: &Value) -> Vec<String> {
    list["campaigns"]
        .as_array()
        .expect("campaigns")
        .iter()
        .map(|c| c["name"].as_str().expect("name").to_owned())
        .collect()
}

fn site_of(campaign: &Value) -> String {
    campaign["domain"]["site"]
        .as_str()
        .expect("site")
        .to_owned()
}

#[tokio::test]
async fn by_id_answers_the_campaign_with_its_version_as_etag() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    let id = id_of(&app.create_campaign(&draft("Tagged")).await);
    let path = format!("/campaigns/{id}");
    let res = app.get(&path, &token).await;
    assert_eq!(res.headers()["etag"], "\"1\"");
    let data = expect_data(res, StatusCode::OK).await;
    assert_eq!(data["version"], 1);
    update(&app, &id, &json!({"name": "Tagged again"})).await;
    let res = app.get(&path, &token).await;
    assert_eq!(res.headers()["etag"], "\"2\"", "a write changes the ETag");
    let data = expect_data(res, StatusCode::OK).await;
    assert_eq!(
        (data["version"].clone(), data["name"].clone()),
        (json!(2), json!("Tagged again"))
    );
    app.shut_down().await;
}

#[tokio::test]
async fn an_unknown_id_is_404_campaign_not_found() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    for suffix in ["", "/status", "/faqs", "/terms", "/contacts"] {
        let res = app
            .get(
                &format!("/campaigns/0123456789abcdef01234567{suffix}"),
                &token,
            )
            .await;
        expect_error(res, StatusCode::NOT_FOUND, "CAMPAIGN_NOT_FOUND").await;
    }
    app.shut_down().await;
}

#[tokio::test]
async fn by_id_selects_one_locale_with_fallbacks_or_all_of_them() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    let id = id_of(&app.create_campaign(&complete("Polyglot")).await);
    for (query, expected) in [
        ("", vec!["en-US"]),
        ("?locale=fr-FR", vec!["fr-FR"]),
        ("?locale=FR_fr", vec!["fr-FR"]),
        ("?locale=fr", vec!["fr-FR"]),
        ("?locale=fr-CA", vec!["fr-FR"]),
        ("?locale=de-DE", vec!["en-US"]),
        ("?locale=", vec!["en-US"]),
        ("?showAllLocales=true", vec!["en-US", "fr-FR"]),
        ("?showAllLocales=1&locale=fr-FR", vec!["en-US", "fr-FR"]),
        ("?showAllLocales=false&locale=fr-FR", vec!["fr-FR"]),
    ] {
        let data = expect_data(
            app.get(&format!("/campaigns/{id}{query}"), &token).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(content_locales(&data), expected, "{query}");
        assert_eq!(
            data["locales"].as_array().unwrap().len(),
            2,
            "the locale list is never narrowed"
        );
    }
    // The stored campaign keeps every locale.
    let all = expect_data(
        app.get(&format!("/campaigns/{id}?showAllLocales=true"), &token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(all["content"]["fr-FR"]["terms"], "Soyez sympa.");
    app.shut_down().await;
}

#[tokio::test]
async fn a_draft_without_locales_keeps_its_content_as_it_is() {
    let app = TestApp::spawn().await;
    let body = with(
        draft("Loose"),
        json!({"content": {"de-DE": {"terms": "AGB"}, "it": {"terms": "T"}}}),
    );
    let id = id_of(&app.create_campaign(&body).await);
    let data = expect_data(
        app.get(&format!("/campaigns/{id}?locale=it"), &app.supreme_token())
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(content_locales(&data), ["de-DE", "it"]);
    app.shut_down().await;
}

#[tokio::test]
async fn status_by_id_answers_id_status_and_history() {
    let app = TestApp::spawn().await;
    let opened = open_complete(&app, "Statused").await;
    let id = id_of(&opened);
    let data = expect_data(
        app.get(&format!("/campaigns/{id}/status"), &app.supreme_token())
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(keys(&data), ["id", "status", "statusHistory"]);
    assert_eq!(data["id"], id.as_str());
    assert_eq!(data["status"], "OPEN");
    assert_eq!(data["statusHistory"], opened["statusHistory"]);
    assert_eq!(data["statusHistory"].as_array().unwrap().len(), 2);
    app.shut_down().await;
}

#[tokio::test]
async fn by_domain_any_token_reads_the_public_view_of_an_open_campaign() {
    let app = TestApp::spawn().await;
    let linked = id_of(&app.create_campaign(&draft("Sibling")).await);
    let body = with(
        complete("Public"),
        json!({
            "options": {"useGenericBranding": true, "showAccessCode": true, "automatedReminders": true},
            "contacts": ["0123456789abcdef01234567"],
            "linkedCampaignIds": [linked],
            "schema": {"version": 3},
            "date": {"close": "2030-02-01T00:00:00Z", "sendReminderEmails": ["2030-01-20T00:00:00Z"]},
            "eventIds": ["EV1"]
        }),
    );
    let opened = open_campaign(&app, &body).await;
    let fan = app.user_token("fan", &[]);
    let site = site_of(&opened);
    let data = expect_data(
        app.get(&format!("/campaigns?domain={site}"), &fan).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        keys(&data),
        [
            "artist",
            "content",
            "date",
            "domain",
            "eventIds",
            "faqs",
            "id",
            "identifier",
            "image",
            "locales",
            "name",
            "options",
            "preferences",
            "share",
            "status",
            "style",
            "tour",
            "trackers",
            "type"
        ]
    );
    assert_eq!(data["id"], opened["id"]);
    assert_eq!(data["status"], "OPEN");
    assert_eq!(
        data["options"],
        json!({"useGenericBranding": true, "showAccessCode": true})
    );
    assert_eq!(
        data["date"],
        json!({"opened": "2030-01-01T00:00:00.000Z", "close": "2030-02-01T00:00:00.000Z"}),
        "bookkeeping dates and reminders stay internal"
    );
    assert_eq!(content_locales(&data), ["en-US"]);
    assert_eq!(data["eventIds"], json!(["EV1"]));
    app.shut_down().await;
}

#[tokio::test]
async fn by_domain_selects_locales_like_by_id() {
    let app = TestApp::spawn().await;
    let site = site_of(&open_complete(&app, "Localized").await);
    let fan = app.user_token("fan", &[]);
    for (query, expected) in [
        ("", vec!["en-US"]),
        ("&locale=fr-FR", vec!["fr-FR"]),
        ("&locale=es-ES", vec!["en-US"]),
        ("&showAllLocales=true", vec!["en-US", "fr-FR"]),
    ] {
        let data = expect_data(
            app.get(&format!("/campaigns?domain={site}{query}"), &fan)
                .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(content_locales(&data), expected, "{query}");
    }
    // Host names are case-insensitive.
    let data = expect_data(
        app.get(&format!("/campaigns?domain={}", site.to_uppercase()), &fan)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(site_of(&data), site);
    app.shut_down().await;
}

#[tokio::test]
async fn by_domain_shows_open_and_closed_sites_and_previews_only_on_the_preview_domain() {
    let app = TestApp::spawn().await;
    let fan = app.user_token("fan", &[]);
    let supreme = app.supreme_token();
    let drafted = app.create_campaign(&complete("Drafted")).await;
    let previewed = app
        .create_campaign(&with(complete("Previewed"), json!({"status": "PREVIEW"})))
        .await;
    let closed = open_complete(&app, "Closed").await;
    let closed = expect_data(
        update(&app, &id_of(&closed), &json!({"status": "CLOSED"})).await,
        StatusCode::OK,
    )
    .await;
    let preview_domain = previewed["domain"]["preview"].as_str().unwrap().to_owned();

    let read = |domain: String, token: String| {
        let app = &app;
        async move {
            json_of(
                app.get(&format!("/campaigns?domain={domain}"), &token)
                    .await,
            )
            .await
        }
    };
    // Visible to anyone.
    let (status, body) = read(preview_domain.clone(), fan.clone()).await;
    assert_eq!(
        (status, body["data"]["id"].clone()),
        (StatusCode::OK, previewed["id"].clone())
    );
    let (status, body) = read(site_of(&closed), fan.clone()).await;
    assert_eq!(
        (status, body["data"]["status"].clone()),
        (StatusCode::OK, json!("CLOSED"))
    );
    // Not visible to a fan: a DRAFT anywhere, a PREVIEW on its site, an unknown domain, a
    // DRAFT's preview domain.
    for domain in [
        site_of(&drafted),
        site_of(&previewed),
        "nobody.example.test".to_owned(),
        drafted["domain"]["preview"].as_str().unwrap().to_owned(),
    ] {
        let (status, body) = read(domain.clone(), fan.clone()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{domain}: {body}");
        assert_eq!(body["error"]["type"], "CAMPAIGN_NOT_FOUND");
    }
    // Who may read the campaign sees it on its site in any status.
    let (status, body) = read(site_of(&drafted), supreme.clone()).await;
    assert_eq!(
        (status, body["data"]["status"].clone()),
        (StatusCode::OK, json!("DRAFT"))
    );
    let manager = app.user_token("manager", &[(drafted["id"].as_str().unwrap(), &["read"])]);
    let (status, _) = read(site_of(&drafted), manager).await;
    assert_eq!(status, StatusCode::OK);
    app.shut_down().await;
}

#[tokio::test]
async fn a_password_protected_campaign_needs_the_right_password_by_domain() {
    let app = TestApp::spawn().await;
    let password = "pa ss&w=rd";
    let encoded = "pa%20ss%26w%3Drd";
    let opened = open_campaign(
        &app,
        &with(complete("Guarded"), json!({"password": password})),
    )
    .await;
    let site = site_of(&opened);
    let fan = app.user_token("fan", &[]);
    for query in [
        "".to_owned(),
        "&password=".to_owned(),
        "&password=wrong".to_owned(),
        "&password=pa ss".to_owned(),
    ] {
        let res = app
            .get(&format!("/campaigns?domain={site}{query}"), &fan)
            .await;
        expect_error(res, StatusCode::UNAUTHORIZED, "INVALID_CAMPAIGN_PASSWORD").await;
    }
    let data = expect_data(
        app.get(
            &format!("/campaigns?domain={site}&password={encoded}"),
            &fan,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(data["id"], opened["id"]);
    assert!(
        !data.to_string().contains("pa ss"),
        "the password never comes back"
    );
    // Who may read the campaign needs no password; the status is public.
    let manager = app.user_token("manager", &[(opened["id"].as_str().unwrap(), &["read"])]);
    expect_data(
        app.get(&format!("/campaigns?domain={site}"), &manager)
            .await,
        StatusCode::OK,
    )
    .await;
    let status = expect_data(
        app.get(&format!("/campaigns/status?domain={site}"), &fan)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(status["status"], "OPEN");
    // Removing the password opens the site.
    update(&app, &id_of(&opened), &json!({"password": null})).await;
    expect_data(
        app.get(&format!("/campaigns?domain={site}"), &fan).await,
        StatusCode::OK,
    )
    .await;
    app.shut_down().await;
}

#[tokio::test]
async fn status_by_domain_answers_id_and_status_of_visible_campaigns_only() {
    let app = TestApp::spawn().await;
    let fan = app.user_token("fan", &[]);
    let opened = open_complete(&app, "Status").await;
    let data = expect_data(
        app.get(
            &format!("/campaigns/status?domain={}", site_of(&opened)),
            &fan,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(data, json!({"id": opened["id"], "status": "OPEN"}));
    let drafted = app.create_campaign(&draft("Hidden")).await;
    let res = app
        .get(
            &format!("/campaigns/status?domain={}", site_of(&drafted)),
            &fan,
        )
        .await;
    expect_error(res, StatusCode::NOT_FOUND, "CAMPAIGN_NOT_FOUND").await;
    let res = app
        .get("/campaigns/status?domain=nobody.example.test", &fan)
        .await;
    expect_error(res, StatusCode::NOT_FOUND, "CAMPAIGN_NOT_FOUND").await;
    let data = expect_data(
        app.get(
            &format!("/campaigns/status?domain={}", site_of(&drafted)),
            &app.supreme_token(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(data["status"], "DRAFT");
    app.shut_down().await;
}

#[tokio::test]
async fn reads_by_domain_follow_every_write() {
    let app = TestApp::spawn().await;
    let fan = app.user_token("fan", &[]);
    let opened = open_complete(&app, "Fresh").await;
    let id = id_of(&opened);
    let site = site_of(&opened);
    let by_domain = |domain: String| {
        let app = &app;
        let fan = fan.clone();
        async move { json_of(app.get(&format!("/campaigns?domain={domain}"), &fan).await).await }
    };
    assert_eq!(by_domain(site.clone()).await.1["data"]["name"], "Fresh");
    update(&app, &id, &json!({"name": "Fresher"})).await;
    assert_eq!(
        by_domain(site.clone()).await.1["data"]["name"],
        "Fresher",
        "no stale cached copy"
    );
    let moved = crate::helpers::domain("moved");
    update(&app, &id, &json!({"domain": {"site": moved}})).await;
    let (status, _) = by_domain(site.clone()).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the old domain no longer answers"
    );
    assert_eq!(by_domain(moved.clone()).await.1["data"]["id"], id.as_str());
    update(&app, &id, &json!({"status": "CLOSED"})).await;
    let status = expect_data(
        app.get(&format!("/campaigns/status?domain={moved}"), &fan)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(status["status"], "CLOSED");
    app.shut_down().await;
}

/// Four campaigns created a minute apart: Alpha (DRAFT), Beta (fanlist, other artist), Gamma
/// (OPEN), Delta (schema version 2). Returns their ids in that order.
async fn four_campaigns(app: &TestApp) -> Vec<String> {
    let bodies = [
        with(
            draft("Alpha"),
            json!({"artist": {"id": "ART1", "name": "The Band"}}),
        ),
        with(
            draft("Beta"),
            json!({"type": "fanlist", "artist": {"id": "ART2", "name": "Other Artist"}}),
        ),
        complete("Gamma"),
        with(draft("Delta"), json!({"schema": {"version": 2}})),
    ];
    let mut ids = Vec::new();
    for (i, body) in bodies.iter().enumerate() {
        let id = id_of(&app.create_campaign(body).await);
        if i == 2 {
            update(app, &id, &json!({"status": "OPEN"})).await;
        }
        ids.push(id);
        app.clock.advance(Duration::minutes(1));
    }
    ids
}

async fn list(app: &TestApp, query: &str) -> Value {
    expect_data(
        app.get(&format!("/campaigns/list{query}"), &app.supreme_token())
            .await,
        StatusCode::OK,
    )
    .await
}

#[tokio::test]
async fn the_list_is_newest_first_by_default_and_filters_by_every_parameter() {
    let app = TestApp::spawn().await;
    let ids = four_campaigns(&app).await;
    let all = list(&app, "").await;
    assert_eq!(names(&all), ["Delta", "Gamma", "Beta", "Alpha"]);
    assert_eq!(
        all["pagination"],
        json!({"page": 0, "pageSize": 10, "total": 4})
    );
    let beta_site = fetch(&app, &ids[1]).await["domain"]["site"]
        .as_str()
        .unwrap()
        .to_owned();
    let beta_label = beta_site.split('.').next().unwrap().to_uppercase();
    for (query, expected) in [
        ("?q=alPHA", vec!["Alpha"]),
        ("?q=%20other%20ARTIST%20", vec!["Beta"]),
        (&format!("?q={beta_label}") as &str, vec!["Beta"]),
        ("?q=a.*", vec![]),
        ("?q=the%20band", vec!["Delta", "Gamma", "Alpha"]),
        ("?type=fanlist", vec!["Beta"]),
        ("?type=registration", vec!["Delta", "Gamma", "Alpha"]),
        ("?artistId=ART2", vec!["Beta"]),
        ("?artistId=art2", vec![]),
        ("?status=OPEN", vec!["Gamma"]),
        (
            "?status=open,draft",
            vec!["Delta", "Gamma", "Beta", "Alpha"],
        ),
        ("?status=CLOSED", vec![]),
        ("?version=2", vec!["Delta"]),
        (
            "?status=DRAFT&type=registration&q=a",
            vec!["Delta", "Alpha"],
        ),
    ] {
        let page = list(&app, query).await;
        assert_eq!(names(&page), expected, "{query}");
        assert_eq!(page["pagination"]["total"], expected.len(), "{query}");
    }
    app.shut_down().await;
}

#[tokio::test]
async fn the_list_sorts_by_the_field_and_direction_asked_for() {
    let app = TestApp::spawn().await;
    four_campaigns(&app).await;
    for (query, expected) in [
        ("?sortBy=name", ["Alpha", "Beta", "Delta", "Gamma"]),
        (
            "?sortBy=name&sortDirection=desc",
            ["Gamma", "Delta", "Beta", "Alpha"],
        ),
        (
            "?sortBy=created&sortDirection=asc",
            ["Alpha", "Beta", "Gamma", "Delta"],
        ),
        ("?sortBy=created", ["Alpha", "Beta", "Gamma", "Delta"]),
        ("?sortDirection=asc", ["Alpha", "Beta", "Gamma", "Delta"]),
    ] {
        assert_eq!(names(&list(&app, query).await), expected, "{query}");
    }
    // DRAFT sorts before OPEN (lifecycle order); ties fall back to the id.
    assert_eq!(
        names(&list(&app, "?sortBy=status&sortDirection=desc").await)[0],
        "Gamma"
    );
    assert_eq!(names(&list(&app, "?sortBy=status").await)[3], "Gamma");
    app.shut_down().await;
}

#[tokio::test]
async fn the_list_pages_with_zero_based_pages_and_a_bounded_page_size() {
    let app = TestApp::spawn().await;
    four_campaigns(&app).await;
    let first = list(&app, "?pageSize=3").await;
    assert_eq!(names(&first), ["Delta", "Gamma", "Beta"]);
    assert_eq!(
        first["pagination"],
        json!({"page": 0, "pageSize": 3, "total": 4})
    );
    let second = list(&app, "?pageSize=3&page=1").await;
    assert_eq!(names(&second), ["Alpha"]);
    assert_eq!(
        second["pagination"],
        json!({"page": 1, "pageSize": 3, "total": 4})
    );
    let beyond = list(&app, "?pageSize=3&page=7").await;
    assert_eq!(names(&beyond), Vec::<String>::new());
    assert_eq!(beyond["pagination"]["total"], 4);
    assert_eq!(
        list(&app, "?pageSize=100").await["pagination"]["pageSize"],
        100
    );
    // Blank values are absent, as on every other list (one paging parser).
    assert_eq!(
        list(&app, "?page=&pageSize=").await["pagination"],
        json!({"page": 0, "pageSize": 10, "total": 4})
    );
    assert_eq!(
        list(
            &app,
            "?sortBy=&sortDirection=&type=&version=&artistId=&status="
        )
        .await["pagination"]["total"],
        4
    );
    let promoters = expect_data(
        app.get("/promoters?page=&pageSize=", &app.supreme_token())
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(promoters["pagination"]["pageSize"], 10);
    app.shut_down().await;
}

#[tokio::test]
async fn bad_list_parameters_are_400_naming_every_one() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    for (query, field) in [
        ("?pageSize=0", "pageSize"),
        ("?pageSize=101", "pageSize"),
        ("?pageSize=ten", "pageSize"),
        ("?page=-1", "page"),
        ("?page=1.5", "page"),
        ("?type=concert", "type"),
        ("?status=LIVE", "status"),
        ("?sortBy=popularity", "sortBy"),
        ("?sortDirection=up", "sortDirection"),
        ("?version=-1", "version"),
        ("?version=two", "version"),
        ("?artistId=bad%20id", "artistId"),
    ] {
        let res = app.get(&format!("/campaigns/list{query}"), &token).await;
        let body = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
        assert_eq!(fields(&body), [field], "{query}");
    }
    let long = "q".repeat(201);
    let res = app.get(&format!("/campaigns/list?q={long}"), &token).await;
    let body = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(fields(&body), ["q"]);
    let res = app
        .get(
            "/campaigns/list?type=x&status=y&sortBy=z&sortDirection=w&page=-1&pageSize=0&version=v",
            &token,
        )
        .await;
    let body = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(
        sorted_fields(&body),
        [
            "page",
            "pageSize",
            "sortBy",
            "sortDirection",
            "status",
            "type",
            "version"
        ]
    );
    app.shut_down().await;
}

#[tokio::test]
async fn a_manager_lists_only_the_campaigns_they_may_read() {
    let app = TestApp::spawn().await;
    let ids = four_campaigns(&app).await;
    let manager = app.user_token(
        "manager",
        &[
            (&ids[0], &["read"]),
            (&ids[2], &["write"]),
            (&ids[3], &["bogus"]),
            ("fedcba9876543210fedcba98", &["admin"]),
        ],
    );
    let mine = expect_data(app.get("/campaigns/list", &manager).await, StatusCode::OK).await;
    assert_eq!(names(&mine), ["Gamma", "Alpha"]);
    assert_eq!(mine["pagination"]["total"], 2);
    let open = expect_data(
        app.get("/campaigns/list?status=OPEN", &manager).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(names(&open), ["Gamma"]);
    let searched = expect_data(
        app.get("/campaigns/list?q=beta", &manager).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        searched["pagination"]["total"], 0,
        "search never widens the scope"
    );
    let nobody = app.user_token("nobody", &[]);
    let none = expect_data(app.get("/campaigns/list", &nobody).await, StatusCode::OK).await;
    assert_eq!(
        none,
        json!({"campaigns": [], "pagination": {"page": 0, "pageSize": 10, "total": 0}})
    );
    app.shut_down().await;
}
