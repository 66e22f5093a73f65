//! `POST /campaigns/{id}` (SPEC §4, §7.1, §7.2, §7.4, §8): merge semantics, manual status
//! transitions and their history, `If-Match`, read-only fields, DRAFT and full validation,
//! domain conflicts (also under concurrency), concurrent writers, and linked campaigns.

use campaign_domain::chrono::Duration;
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, complete, domain, draft, json_of};
use crate::support::{
    expect_data, expect_error, fetch, history, id_of, open_complete, sorted_fields, update,
    update_with, with,
};

async fn updated(app: &TestApp, id: &str, patch: Value) -> Value {
    expect_data(update(app, id, &patch).await, StatusCode::OK).await
}

#[tokio::test]
async fn an_update_merges_the_patch_into_the_stored_campaign() {
    let app = TestApp::spawn().await;
    let body = with(
        draft("Merge me"),
        json!({"artist": {"image_url": "https://img.example.test/a.png"}, "tour": {"name": "Tour"},
               "eventIds": ["E1", "E3"], "options": {"showAccessCode": true}}),
    );
    let before = app.create_campaign(&body).await;
    let id = id_of(&before);
    app.clock.advance(Duration::minutes(90));
    let res = update(
        &app,
        &id,
        &json!({"artist": {"name": "New Name"}, "tour": {"name": null}, "eventIds": ["E2"],
                "options": {"useGenericBranding": true}}),
    )
    .await;
    assert_eq!(res.headers()["etag"], "\"2\"");
    let after = expect_data(res, StatusCode::OK).await;
    assert_eq!(after["version"], 2);
    assert_eq!(
        after["artist"],
        json!({"id": "K8vZ917G7x0", "name": "New Name", "image_url": "https://img.example.test/a.png"}),
        "nested objects merge"
    );
    assert_eq!(after["tour"], json!({}), "null removes");
    assert_eq!(after["eventIds"], json!(["E2"]), "arrays are replaced");
    assert_eq!(
        after["options"],
        json!({"useGenericBranding": true, "showAccessCode": true, "automatedReminders": false})
    );
    assert_eq!(after["name"], before["name"]);
    assert_eq!(after["domain"], before["domain"]);
    assert_eq!(after["date"]["created"], "2030-01-01T00:00:00.000Z");
    assert_eq!(after["date"]["updated"], "2030-01-01T01:30:00.000Z");
    assert_eq!(
        after["statusHistory"], before["statusHistory"],
        "no transition, no history"
    );
    assert_eq!(fetch(&app, &id).await, after);
    app.shut_down().await;
}

#[tokio::test]
async fn read_only_fields_in_a_patch_are_ignored() {
    let app = TestApp::spawn().await;
    let before = app.create_campaign(&draft("Guarded fields")).await;
    let id = id_of(&before);
    app.clock.advance(Duration::hours(1));
    let after = updated(
        &app,
        &id,
        json!({
            "id": "0123456789abcdef01234567",
            "version": 99,
            "statusHistory": [],
            "date": {"created": "2020-01-01T00:00:00Z", "updated": "2020-01-01T00:00:00Z",
                     "opened": "2020-01-01T00:00:00Z", "closed": "2020-01-01T00:00:00Z",
                     "inactivated": "2020-01-01T00:00:00Z"},
            "name": "Still mine"
        }),
    )
    .await;
    assert_eq!(after["id"], id.as_str());
    assert_eq!(after["version"], 2);
    assert_eq!(after["statusHistory"], before["statusHistory"]);
    assert_eq!(
        after["date"],
        json!({"created": "2030-01-01T00:00:00.000Z", "updated": "2030-01-01T01:00:00.000Z", "sendReminderEmails": []})
    );
    assert_eq!(after["name"], "Still mine");
    let res = app
        .get("/campaigns/0123456789abcdef01234567", &app.supreme_token())
        .await;
    expect_error(res, StatusCode::NOT_FOUND, "CAMPAIGN_NOT_FOUND").await;
    app.shut_down().await;
}

#[tokio::test]
async fn manual_transitions_follow_the_state_machine_and_record_who_made_them() {
    let app = TestApp::spawn().await;
    let body = with(
        complete("Walker"),
        json!({"date": {"open": "2030-03-01T00:00:00Z", "close": "2030-04-01T00:00:00Z"}}),
    );
    let created = app.create_campaign(&body).await;
    let id = id_of(&created);
    let manager = app.user_token("manager-7", &[(&id, &["write"])]);
    let path = format!("/campaigns/{id}");
    let step = |status: &'static str, token: String| {
        let app = &app;
        let path = path.clone();
        async move {
            app.clock.advance(Duration::minutes(1));
            expect_data(
                app.post(&path, &token, &json!({"status": status})).await,
                StatusCode::OK,
            )
            .await
        }
    };
    let preview = step("PREVIEW", app.supreme_token()).await;
    assert_eq!(preview["status"], "PREVIEW");
    let back = step("DRAFT", manager.clone()).await;
    assert_eq!(back["status"], "DRAFT");
    step("PREVIEW", manager.clone()).await;
    let opened = step("OPEN", manager.clone()).await;
    assert_eq!(opened["status"], "OPEN");
    assert_eq!(opened["date"]["opened"], "2030-01-01T00:04:00.000Z");
    assert!(
        opened["date"].get("open").is_none(),
        "date.open is cleared on opening"
    );
    assert!(
        opened["domain"].get("preview").is_none(),
        "the preview domain is released on opening"
    );
    assert_eq!(opened["domain"]["site"], created["domain"]["site"]);
    let closed = step("CLOSED", app.supreme_token()).await;
    assert_eq!(closed["date"]["closed"], "2030-01-01T00:05:00.000Z");
    assert!(
        closed["date"].get("close").is_none(),
        "date.close is cleared on closing"
    );
    let reopened = step("OPEN", manager.clone()).await;
    assert_eq!(reopened["status"], "OPEN");
    assert_eq!(reopened["date"]["opened"], "2030-01-01T00:06:00.000Z");
    assert!(reopened["date"].get("closed").is_none());
    let h = history(&reopened);
    let expected: Vec<(String, String)> = [
        ("DRAFT", "admin-1"),
        ("PREVIEW", "admin-1"),
        ("DRAFT", "manager-7"),
        ("PREVIEW", "manager-7"),
        ("OPEN", "manager-7"),
        ("CLOSED", "admin-1"),
        ("OPEN", "manager-7"),
    ]
    .iter()
    .map(|(s, b)| ((*s).to_owned(), (*b).to_owned()))
    .collect();
    assert_eq!(h, expected);
    let dates: Vec<&str> = reopened["statusHistory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates[0], "2030-01-01T00:00:00.000Z");
    assert_eq!(dates[6], "2030-01-01T00:06:00.000Z");
    let status = expect_data(
        app.get(&format!("{path}/status"), &manager).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(status["statusHistory"], reopened["statusHistory"]);
    app.shut_down().await;
}

#[tokio::test]
async fn a_draft_may_open_directly() {
    let app = TestApp::spawn().await;
    let id = id_of(&app.create_campaign(&complete("Straight")).await);
    let opened = updated(&app, &id, json!({"status": "OPEN"})).await;
    assert_eq!(
        history(&opened)
            .iter()
            .map(|(s, _)| s.as_str())
            .collect::<Vec<_>>(),
        ["DRAFT", "OPEN"]
    );
    app.shut_down().await;
}

#[tokio::test]
async fn forbidden_transitions_are_400_invalid_status_transition_and_write_nothing() {
    let app = TestApp::spawn().await;
    let draft_id = id_of(&app.create_campaign(&complete("D")).await);
    let preview_id = id_of(
        &app.create_campaign(&with(complete("P"), json!({"status": "PREVIEW"})))
            .await,
    );
    let open_id = id_of(&open_complete(&app, "O").await);
    let closed_id = id_of(&open_complete(&app, "C").await);
    updated(&app, &closed_id, json!({"status": "CLOSED"})).await;
    for (id, to) in [
        (&draft_id, "CLOSED"),
        (&draft_id, "INACTIVE"),
        (&preview_id, "CLOSED"),
        (&preview_id, "INACTIVE"),
        (&open_id, "DRAFT"),
        (&open_id, "PREVIEW"),
        (&open_id, "INACTIVE"),
        (&closed_id, "DRAFT"),
        (&closed_id, "PREVIEW"),
        (&closed_id, "INACTIVE"),
    ] {
        let before = fetch(&app, id).await;
        let res = update(&app, id, &json!({"status": to, "name": "changed"})).await;
        let body = expect_error(res, StatusCode::BAD_REQUEST, "INVALID_STATUS_TRANSITION").await;
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(to) && message.contains(before["status"].as_str().unwrap()),
            "{message}"
        );
        assert_eq!(
            fetch(&app, id).await,
            before,
            "{} -> {to} wrote something",
            before["status"]
        );
    }
    let res = update(&app, &draft_id, &json!({"status": "LIVE"})).await;
    let body = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(sorted_fields(&body), ["status"]);
    app.shut_down().await;
}

#[tokio::test]
async fn naming_the_current_status_is_not_a_transition() {
    let app = TestApp::spawn().await;
    let opened = open_complete(&app, "Same").await;
    let after = updated(
        &app,
        &id_of(&opened),
        json!({"status": "open", "name": "Same again"}),
    )
    .await;
    assert_eq!(after["status"], "OPEN");
    assert_eq!(after["statusHistory"], opened["statusHistory"]);
    assert_eq!(after["date"]["opened"], opened["date"]["opened"]);
    app.shut_down().await;
}

#[tokio::test]
async fn leaving_draft_needs_the_full_campaign_and_names_every_missing_field() {
    let app = TestApp::spawn().await;
    let id = id_of(&app.create_campaign(&draft("Unfinished")).await);
    for to in ["PREVIEW", "OPEN"] {
        let res = update(&app, &id, &json!({"status": to})).await;
        let body = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
        assert_eq!(
            sorted_fields(&body),
            [
                "identifier",
                "image.main.url",
                "locales",
                "style.border.primary",
                "style.pageBackground.primary",
                "style.text.primary",
                "style.theme.primary",
                "tour.name",
            ],
            "{to}"
        );
    }
    assert_eq!(fetch(&app, &id).await["status"], "DRAFT");
    // The patch that completes the campaign may carry the transition too.
    let mut completing = complete("Unfinished");
    completing.as_object_mut().unwrap().remove("domain");
    completing["status"] = json!("PREVIEW");
    let after = updated(&app, &id, completing).await;
    assert_eq!(after["status"], "PREVIEW");
    app.shut_down().await;
}

#[tokio::test]
async fn outside_draft_every_update_keeps_the_campaign_complete() {
    let app = TestApp::spawn().await;
    let open_id = id_of(&open_complete(&app, "Kept complete").await);
    let draft_id = id_of(&app.create_campaign(&complete("Loose draft")).await);
    let gutting = json!({
        "tour": null,
        "identifier": null,
        "image": {"main": null},
        "style": {"text": {"primary": null}},
        "content": {"fr-FR": {"faqs": null}}
    });
    let res = update(&app, &open_id, &gutting).await;
    let body = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(
        sorted_fields(&body),
        [
            "faqs.landing.open[0]",
            "identifier",
            "image.main.url",
            "style.text.primary",
            "tour.name"
        ]
    );
    assert_eq!(fetch(&app, &open_id).await["version"], 2, "nothing written");
    let res = update(&app, &open_id, &json!({"locales": []})).await;
    let body = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(
        sorted_fields(&body),
        ["content.en-US", "content.fr-FR", "locales"]
    );
    // A DRAFT only needs the basics.
    let after = updated(&app, &draft_id, gutting).await;
    assert!(after.get("identifier").is_none());
    assert_eq!(after["tour"], json!({}));
    app.shut_down().await;
}

#[tokio::test]
async fn every_failing_field_of_a_patch_is_reported() {
    let app = TestApp::spawn().await;
    let id = id_of(&app.create_campaign(&draft("Patched")).await);
    let res = update(
        &app,
        &id,
        &json!({
            "name": "",
            "artist": {"id": null},
            "domain": {"site": "bad domain"},
            "style": {"theme": {"primary": "blue"}},
            "date": {"open": "soon"},
            "share": {"artist": {"url": "www.example.test"}},
            "locales": [{"id": "en-US", "is_default": false}],
            "linkedCampaignIds": [id]
        }),
    )
    .await;
    let body = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(
        sorted_fields(&body),
        [
            "artist.id",
            "date.open",
            "domain.site",
            "linkedCampaignIds",
            "locales",
            "name",
            "share.artist.url",
            "style.theme.primary",
        ]
    );
    let res = update(&app, &id, &json!({"domain": null})).await;
    let body = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(
        sorted_fields(&body),
        ["domain.site"],
        "a campaign keeps its site"
    );
    assert_eq!(fetch(&app, &id).await["version"], 1);
    app.shut_down().await;
}

#[tokio::test]
async fn inconsistent_dates_in_a_patch_are_400_invalid_campaign() {
    let app = TestApp::spawn().await;
    let body = with(
        draft("Dated"),
        json!({"date": {"open": "2030-02-01T00:00:00Z"}}),
    );
    let id = id_of(&app.create_campaign(&body).await);
    let res = update(
        &app,
        &id,
        &json!({"date": {"close": "2030-01-31T23:59:59Z"}}),
    )
    .await;
    let answer = expect_error(res, StatusCode::BAD_REQUEST, "INVALID_CAMPAIGN").await;
    assert_eq!(sorted_fields(&answer), ["date.close"]);
    let res = update(
        &app,
        &id,
        &json!({"date": {"presaleWindowStart": "2030-03-01T00:00:00Z", "presaleWindowEnd": "2030-02-01T00:00:00Z"}}),
    )
    .await;
    let answer = expect_error(res, StatusCode::BAD_REQUEST, "INVALID_CAMPAIGN").await;
    assert_eq!(sorted_fields(&answer), ["date.presaleWindowEnd"]);
    assert_eq!(fetch(&app, &id).await["version"], 1);
    app.shut_down().await;
}

#[tokio::test]
async fn if_match_with_the_current_version_writes_and_a_stale_one_is_409() {
    let app = TestApp::spawn().await;
    let id = id_of(&app.create_campaign(&draft("Versioned")).await);
    let res = update_with(&app, &id, &json!({"name": "v2"}), &[("if-match", "\"1\"")]).await;
    assert_eq!(res.headers()["etag"], "\"2\"");
    expect_data(res, StatusCode::OK).await;
    for stale in ["\"1\"", "1", "W/\"1\"", "\"3\""] {
        let res = update_with(&app, &id, &json!({"name": "lost"}), &[("if-match", stale)]).await;
        let body = expect_error(res, StatusCode::CONFLICT, "VERSION_CONFLICT").await;
        assert!(
            body["error"]["message"].as_str().unwrap().contains('2'),
            "{body}"
        );
    }
    let now = fetch(&app, &id).await;
    assert_eq!(
        (now["version"].clone(), now["name"].clone()),
        (json!(2), json!("v2")),
        "nothing written"
    );
    expect_data(
        update_with(&app, &id, &json!({"name": "v3"}), &[("if-match", "2")]).await,
        StatusCode::OK,
    )
    .await;
    expect_data(
        update_with(
            &app,
            &id,
            &json!({"name": "v4"}),
            &[("if-match", "W/\"3\"")],
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let last = expect_data(
        update_with(&app, &id, &json!({"name": "v5"}), &[("if-match", "*")]).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(last["version"], 5);
    app.shut_down().await;
}

#[tokio::test]
async fn concurrent_conditional_updates_let_exactly_one_writer_win() {
    let app = TestApp::spawn().await;
    let id = id_of(&app.create_campaign(&draft("Contended")).await);
    let patches: Vec<Value> = (0..8)
        .map(|i| json!({"name": format!("writer {i}")}))
        .collect();
    let answers = join_all(patches.iter().map(|p| async {
        json_of(update_with(&app, &id, p, &[("if-match", "\"1\"")]).await).await
    }))
    .await;
    let winners: Vec<&Value> = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::OK)
        .map(|(_, b)| b)
        .collect();
    assert_eq!(winners.len(), 1, "{answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| *s != StatusCode::OK) {
        assert_eq!(*status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["error"]["type"], "VERSION_CONFLICT");
    }
    let stored = fetch(&app, &id).await;
    assert_eq!(stored["version"], 2);
    assert_eq!(stored["name"], winners[0]["data"]["name"]);
    app.shut_down().await;
}

#[tokio::test]
async fn concurrent_unconditional_updates_of_different_fields_all_apply() {
    let app = TestApp::spawn().await;
    let id = id_of(&app.create_campaign(&draft("Many hands")).await);
    let patches: Vec<Value> =
        (0..12).map(|i| json!({"content": {format!("l{}", char::from(b'a' + i)): {"terms": format!("terms {i}")}}})).collect();
    let answers = join_all(
        patches
            .iter()
            .map(|p| async { json_of(update(&app, &id, p).await).await }),
    )
    .await;
    for (status, body) in &answers {
        assert_eq!(
            *status,
            StatusCode::OK,
            "an update without If-Match is not refused for a race: {body}"
        );
    }
    let stored = fetch(&app, &id).await;
    assert_eq!(stored["version"], 13);
    assert_eq!(
        stored["content"].as_object().unwrap().len(),
        12,
        "no update was lost: {}",
        stored["content"]
    );
    app.shut_down().await;
}

#[tokio::test]
async fn moving_to_a_held_domain_is_400_domain_name_conflict() {
    let app = TestApp::spawn().await;
    let holder = app.create_campaign(&draft("Holder")).await;
    let mover = app.create_campaign(&draft("Mover")).await;
    let held = holder["domain"]["site"].as_str().unwrap().to_uppercase();
    let res = update(&app, &id_of(&mover), &json!({"domain": {"site": held}})).await;
    expect_error(res, StatusCode::BAD_REQUEST, "DOMAIN_NAME_CONFLICT").await;
    assert_eq!(fetch(&app, &id_of(&mover)).await["version"], 1);
    // A campaign never conflicts with itself, whatever the spelling.
    let own = mover["domain"]["site"].as_str().unwrap().to_uppercase();
    let after = updated(&app, &id_of(&mover), json!({"domain": {"site": own}})).await;
    assert_eq!(after["domain"]["site"], mover["domain"]["site"]);
    // A host another campaign holds as its preview is held too (SPEC §7.4).
    let previewer = app.create_campaign(&complete("Previewer")).await;
    let preview = previewer["domain"]["preview"].as_str().unwrap();
    let res = update(&app, &id_of(&mover), &json!({"domain": {"site": preview}})).await;
    expect_error(res, StatusCode::BAD_REQUEST, "DOMAIN_NAME_CONFLICT").await;
    app.shut_down().await;
}

#[tokio::test]
async fn concurrent_moves_to_one_domain_give_exactly_one_success_and_never_500() {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(id_of(
            &app.create_campaign(&draft(&format!("Mover {i}"))).await,
        ));
    }
    let target = domain("target");
    let patch = json!({"domain": {"site": target}});
    let answers = join_all(ids.iter().map(|id| {
        let patch = &patch;
        let app = &app;
        async move { json_of(update(app, id, patch).await).await }
    }))
    .await;
    let winners = answers.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    assert_eq!(winners, 1, "{answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| *s != StatusCode::OK) {
        assert_eq!(*status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"]["type"], "DOMAIN_NAME_CONFLICT", "{body}");
    }
    let holders = expect_data(
        app.get(&format!("/campaigns/list?q={target}"), &app.supreme_token())
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(holders["pagination"]["total"], 1);
    app.shut_down().await;
}

#[tokio::test]
async fn shared_fields_flow_to_linked_campaigns_the_caller_may_write() {
    let app = TestApp::spawn().await;
    let linked = id_of(&app.create_campaign(&complete("Linked")).await);
    let foreign = id_of(&app.create_campaign(&complete("Foreign")).await);
    let source = id_of(
        &app.create_campaign(&with(
            complete("Source"),
            json!({"linkedCampaignIds": [linked, foreign]}),
        ))
        .await,
    );
    // A change of nothing shared leaves the linked campaigns alone.
    updated(&app, &source, json!({"name": "Source renamed"})).await;
    assert_eq!(fetch(&app, &linked).await["version"], 1);
    let manager = app.user_token("manager", &[(&source, &["write"]), (&linked, &["write"])]);
    let patch = json!({
        "artist": {"name": "Renamed Band"},
        "tour": {"name": "Encore Tour"},
        "date": {"presaleWindowStart": "2030-05-01T00:00:00Z", "presaleWindowEnd": "2030-05-02T00:00:00Z"}
    });
    expect_data(
        app.post(&format!("/campaigns/{source}"), &manager, &patch)
            .await,
        StatusCode::OK,
    )
    .await;
    // The cascade is recorded with the source's write and applied by the relay (SPEC §8).
    app.wait_for_delivery().await;
    let l = fetch(&app, &linked).await;
    assert_eq!(l["artist"]["name"], "Renamed Band");
    assert_eq!(l["tour"]["name"], "Encore Tour");
    assert_eq!(l["date"]["presaleWindowStart"], "2030-05-01T00:00:00.000Z");
    assert_eq!(l["date"]["presaleWindowEnd"], "2030-05-02T00:00:00.000Z");
    assert_eq!(l["name"], "Linked", "only the shared fields");
    assert_eq!(l["version"], 2);
    let f = fetch(&app, &foreign).await;
    assert_eq!(
        (f["version"].clone(), f["tour"]["name"].clone()),
        (json!(1), json!("World Tour")),
        "not the caller's to change"
    );
    app.shut_down().await;
}

#[tokio::test]
async fn the_type_and_the_password_can_change() {
    let app = TestApp::spawn().await;
    let id = id_of(&app.create_campaign(&draft("Mutable")).await);
    let after = updated(&app, &id, json!({"type": "fanlist", "password": "s3cret"})).await;
    assert_eq!(after["type"], "fanlist");
    assert!(after.get("password").is_none());
    let res = update(&app, &id, &json!({"type": "concert"})).await;
    let body = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(sorted_fields(&body), ["type"]);
    app.shut_down().await;
}

#[tokio::test]
async fn updating_an_unknown_campaign_is_404() {
    let app = TestApp::spawn().await;
    let res = update(&app, "0123456789abcdef01234567", &json!({"name": "ghost"})).await;
    expect_error(res, StatusCode::NOT_FOUND, "CAMPAIGN_NOT_FOUND").await;
    let res = update_with(
        &app,
        "0123456789abcdef01234567",
        &json!({"name": "ghost"}),
        &[("if-match", "\"1\"")],
    )
    .await;
    expect_error(res, StatusCode::NOT_FOUND, "CAMPAIGN_NOT_FOUND").await;
    app.shut_down().await;
}
