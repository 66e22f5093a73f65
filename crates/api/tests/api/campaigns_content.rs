//! A campaign's FAQs, terms and contacts (SPEC §6, §7.5, §7.8): one locale at a time, which must
//! be one of the campaign's locales, the resolved FAQ layout with the default locale as
//! fallback, and contacts upserted and linked.

use campaign_domain::paging::PageRequest;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, complete, draft};
use crate::support::{
    expect_data, expect_error, fetch, fields, id_of, open_complete, sorted_fields, with,
};

const FAQ: &str = "6f9619ff-8b86-d011-b42d-00cf4fc964ff";
const FAQ2: &str = "0b6f1c1e-2f4e-4c1a-9a57-3f2a1d9e8c01";
const FAQ3: &str = "9a3b7c2d-1e4f-4a5b-8c6d-7e8f9a0b1c2d";

async fn get(app: &TestApp, path: &str) -> Value {
    expect_data(app.get(path, &app.supreme_token()).await, StatusCode::OK).await
}

async fn post(app: &TestApp, path: &str, body: &Value) -> Value {
    expect_data(
        app.post(path, &app.supreme_token(), body).await,
        StatusCode::OK,
    )
    .await
}

/// A complete campaign whose pages place three FAQs; `FAQ2` exists only in the default locale
/// and `FAQ3` in neither.
fn layered() -> Value {
    with(
        complete("Layered"),
        json!({
            "content": {"en-US": {"faqs": {FAQ2: {"question": "Where?", "answer": "Here."}}}},
            "faqs": {
                "landing": {"open": [FAQ, FAQ2], "closed": [FAQ2]},
                "confirmation": {"activePresale": [FAQ]}
            }
        }),
    )
}

#[tokio::test]
async fn the_faq_layout_resolves_placed_ids_in_the_locale_with_the_default_as_fallback() {
    let app = TestApp::spawn().await;
    let id = id_of(&app.create_campaign(&layered()).await);
    let fr = get(&app, &format!("/campaigns/{id}/faqs?locale=fr-FR")).await;
    assert_eq!(
        fr,
        json!({
            "landing": {
                "open": [
                    {"id": FAQ, "question": "Quand ?", "answer": "Bientôt."},
                    {"id": FAQ2, "question": "Where?", "answer": "Here."}
                ],
                "closed": [{"id": FAQ2, "question": "Where?", "answer": "Here."}]
            },
            "confirmation": {
                "open": [],
                "closed": [],
                "activePresale": [{"id": FAQ, "question": "Quand ?", "answer": "Bientôt."}]
            }
        })
    );
    let default = get(&app, &format!("/campaigns/{id}/faqs")).await;
    assert_eq!(default["landing"]["open"][0]["question"], "When?");
    assert_eq!(
        get(&app, &format!("/campaigns/{id}/faqs?locale=en-us")).await,
        default
    );
    app.shut_down().await;
}

#[tokio::test]
async fn a_locale_the_campaign_does_not_have_is_400_on_every_content_endpoint() {
    let app = TestApp::spawn().await;
    let id = id_of(&app.create_campaign(&complete("Bilingual")).await);
    let token = app.supreme_token();
    let before = fetch(&app, &id).await;
    for locale in ["de-DE", "fr", "en-GB"] {
        for res in [
            app.get(&format!("/campaigns/{id}/faqs?locale={locale}"), &token)
                .await,
            app.get(&format!("/campaigns/{id}/terms?locale={locale}"), &token)
                .await,
            app.post(
                &format!("/campaigns/{id}/faqs?locale={locale}"),
                &token,
                &json!({FAQ: {"question": "Q", "answer": "A"}}),
            )
            .await,
            app.post(
                &format!("/campaigns/{id}/terms?locale={locale}"),
                &token,
                &json!({"terms": "T"}),
            )
            .await,
        ] {
            let body = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
            assert_eq!(fields(&body), ["locale"], "{locale}");
        }
    }
    assert_eq!(fetch(&app, &id).await, before, "nothing written");
    app.shut_down().await;
}

#[tokio::test]
async fn a_campaign_without_locales_has_no_content_locale_to_read_or_write() {
    let app = TestApp::spawn().await;
    let id = id_of(&app.create_campaign(&draft("No locales")).await);
    let res = app
        .get(&format!("/campaigns/{id}/terms"), &app.supreme_token())
        .await;
    let body = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(fields(&body), ["locale"]);
    let res = app
        .post(
            &format!("/campaigns/{id}/terms?locale=en-US"),
            &app.supreme_token(),
            &json!({"terms": "T"}),
        )
        .await;
    let body = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(fields(&body), ["locale"]);
    app.shut_down().await;
}

#[tokio::test]
async fn posting_faqs_replaces_that_locale_only_and_returns_the_map() {
    let app = TestApp::spawn().await;
    let id = id_of(&app.create_campaign(&complete("Asked")).await);
    let faqs = json!({
        FAQ: {"question": "Quand exactement ?", "answer": "Demain."},
        FAQ2.to_uppercase(): {"question": "Où ?", "answer": "Ici."}
    });
    let answer = post(&app, &format!("/campaigns/{id}/faqs?locale=fr_fr"), &faqs).await;
    assert_eq!(
        answer,
        json!({
            FAQ2: {"question": "Où ?", "answer": "Ici."},
            FAQ: {"question": "Quand exactement ?", "answer": "Demain."}
        })
    );
    let stored = get(&app, &format!("/campaigns/{id}?showAllLocales=true")).await;
    assert_eq!(stored["version"], 2);
    assert_eq!(stored["content"]["fr-FR"]["faqs"], answer);
    assert_eq!(
        stored["content"]["fr-FR"]["terms"], "Soyez sympa.",
        "the rest of the locale stays"
    );
    assert_eq!(
        stored["content"]["en-US"]["faqs"],
        json!({FAQ: {"question": "When?", "answer": "Soon."}}),
        "other locales stay"
    );
    // Without a locale the default locale is written.
    post(
        &app,
        &format!("/campaigns/{id}/faqs"),
        &json!({FAQ: {"question": "Now?", "answer": "Yes."}}),
    )
    .await;
    let stored = get(&app, &format!("/campaigns/{id}")).await;
    assert_eq!(stored["content"]["en-US"]["faqs"][FAQ]["answer"], "Yes.");
    app.shut_down().await;
}

#[tokio::test]
async fn malformed_faqs_are_400_naming_each_entry() {
    let app = TestApp::spawn().await;
    let id = id_of(&app.create_campaign(&complete("Malformed")).await);
    let res = app
        .post(
            &format!("/campaigns/{id}/faqs?locale=en-US"),
            &app.supreme_token(),
            &json!({
                "not-a-uuid": {"question": "Q", "answer": "A"},
                FAQ2: {"question": ""},
                FAQ3: "text"
            }),
        )
        .await;
    let body = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(
        sorted_fields(&body),
        [
            format!("{FAQ2}.answer"),
            format!("{FAQ2}.question"),
            FAQ3.to_owned(),
            format!("{FAQ3}.answer"),
            format!("{FAQ3}.question"),
            "not-a-uuid".to_owned()
        ]
    );
    for bad in [json!([]), json!("faqs")] {
        let res = app
            .post(&format!("/campaigns/{id}/faqs"), &app.supreme_token(), &bad)
            .await;
        let body = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
        assert_eq!(fields(&body), ["body"]);
    }
    assert_eq!(fetch(&app, &id).await["version"], 1);
    app.shut_down().await;
}

#[tokio::test]
async fn outside_draft_a_placed_faq_cannot_be_removed_from_a_locale() {
    let app = TestApp::spawn().await;
    let open_id = id_of(&open_complete(&app, "Placed").await);
    let res = app
        .post(
            &format!("/campaigns/{open_id}/faqs?locale=fr-FR"),
            &app.supreme_token(),
            &json!({FAQ2: {"question": "Q", "answer": "A"}}),
        )
        .await;
    let body = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(fields(&body), ["faqs.landing.open[0]"]);
    assert_eq!(fetch(&app, &open_id).await["version"], 2);
    let draft_id = id_of(&app.create_campaign(&complete("Draft placed")).await);
    let answer = post(
        &app,
        &format!("/campaigns/{draft_id}/faqs?locale=fr-FR"),
        &json!({}),
    )
    .await;
    assert_eq!(answer, json!({}));
    app.shut_down().await;
}

#[tokio::test]
async fn terms_are_read_and_replaced_per_locale() {
    let app = TestApp::spawn().await;
    let id = id_of(&app.create_campaign(&complete("Terms")).await);
    assert_eq!(
        get(&app, &format!("/campaigns/{id}/terms")).await,
        json!({"terms": "Be nice."})
    );
    assert_eq!(
        get(&app, &format!("/campaigns/{id}/terms?locale=fr-FR")).await,
        json!({"terms": "Soyez sympa."})
    );
    let answer = post(
        &app,
        &format!("/campaigns/{id}/terms?locale=fr-FR"),
        &json!({"terms": "Nouvelles règles."}),
    )
    .await;
    assert_eq!(answer, json!({"terms": "Nouvelles règles."}));
    assert_eq!(
        get(&app, &format!("/campaigns/{id}/terms?locale=fr-FR")).await,
        answer
    );
    assert_eq!(
        get(&app, &format!("/campaigns/{id}/terms")).await,
        json!({"terms": "Be nice."})
    );
    // A locale of the campaign without terms yet answers null.
    let body = with(
        complete("No terms"),
        json!({"content": {"fr-FR": {"terms": null}}}),
    );
    let other = id_of(&app.create_campaign(&body).await);
    assert_eq!(
        get(&app, &format!("/campaigns/{other}/terms?locale=fr-FR")).await,
        json!({"terms": null})
    );
    app.shut_down().await;
}

#[tokio::test]
async fn terms_must_be_non_empty_text() {
    let app = TestApp::spawn().await;
    let id = id_of(&app.create_campaign(&complete("Strict terms")).await);
    for bad in [
        json!({}),
        json!({"terms": ""}),
        json!({"terms": 5}),
        json!({"terms": null}),
    ] {
        let res = app
            .post(
                &format!("/campaigns/{id}/terms"),
                &app.supreme_token(),
                &bad,
            )
            .await;
        let body = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
        assert_eq!(fields(&body), ["terms"], "{bad}");
    }
    let res = app
        .post(
            &format!("/campaigns/{id}/terms"),
            &app.supreme_token(),
            &json!(["T"]),
        )
        .await;
    let body = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(fields(&body), ["body"]);
    assert_eq!(fetch(&app, &id).await["version"], 1);
    app.shut_down().await;
}

#[tokio::test]
async fn contacts_are_upserted_linked_in_order_and_read_back() {
    let app = TestApp::spawn().await;
    let id = id_of(&app.create_campaign(&draft("Contacts")).await);
    let path = format!("/campaigns/{id}/contacts");
    assert_eq!(get(&app, &path).await, json!([]));
    let saved = post(
        &app,
        &path,
        &json!([
            {"name": "Ana Manager", "email": "ana@example.test", "role": "manager", "keywords": [" label ", "label", "emea"]},
            {"name": "Bo Agent", "email": "bo@example.test"}
        ]),
    )
    .await;
    let saved = saved.as_array().unwrap().clone();
    assert_eq!(saved.len(), 2);
    let ana = saved[0]["id"].as_str().unwrap().to_owned();
    let bo = saved[1]["id"].as_str().unwrap().to_owned();
    assert!(ana.len() == 24 && bo.len() == 24 && ana != bo);
    assert_eq!(saved[0]["keywords"], json!(["emea", "label"]));
    assert_eq!(get(&app, &path).await, json!(saved));
    assert_eq!(fetch(&app, &id).await["contacts"], json!([ana, bo]));
    // With an id a contact is replaced; the new list and order are the campaign's.
    let replaced = post(
        &app,
        &path,
        &json!([{"id": bo, "name": "Bo Agent", "email": "bo@agency.example.test", "role": "agent"}]),
    )
    .await;
    assert_eq!(replaced[0]["id"], bo.as_str());
    assert_eq!(replaced[0]["email"], "bo@agency.example.test");
    assert_eq!(get(&app, &path).await, replaced);
    assert_eq!(fetch(&app, &id).await["contacts"], json!([bo]));
    assert_eq!(post(&app, &path, &json!([])).await, json!([]));
    assert_eq!(fetch(&app, &id).await["contacts"], json!([]));
    app.shut_down().await;
}

#[tokio::test]
async fn malformed_contacts_are_400_naming_each_entry() {
    let app = TestApp::spawn().await;
    let id = id_of(&app.create_campaign(&draft("Bad contacts")).await);
    let path = format!("/campaigns/{id}/contacts");
    let res = app
        .post(
            &path,
            &app.supreme_token(),
            &json!([
                {"name": "Ok", "email": "ok@example.test"},
                {"email": "not an email"},
                {"id": "123", "name": "X", "email": "x@example.test", "keywords": [""]},
                "text"
            ]),
        )
        .await;
    let body = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(
        sorted_fields(&body),
        [
            "[1].email",
            "[1].name",
            "[2].id",
            "[2].keywords[0]",
            "[3]",
            "[3].email",
            "[3].name"
        ]
    );
    let res = app
        .post(
            &path,
            &app.supreme_token(),
            &json!({"name": "Ok", "email": "ok@example.test"}),
        )
        .await;
    let body = expect_error(res, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(fields(&body), ["body"]);
    let stored = fetch(&app, &id).await;
    assert_eq!(
        (stored["version"].clone(), stored["contacts"].clone()),
        (json!(1), json!([]))
    );
    app.shut_down().await;
}

#[tokio::test]
async fn content_of_an_unknown_campaign_is_404_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    let missing = "0123456789abcdef01234567";
    let res = app
        .post(
            &format!("/campaigns/{missing}/contacts"),
            &token,
            &json!([{"name": "Lost", "email": "lost@example.test"}]),
        )
        .await;
    expect_error(res, StatusCode::NOT_FOUND, "CAMPAIGN_NOT_FOUND").await;
    let res = app
        .post(
            &format!("/campaigns/{missing}/terms"),
            &token,
            &json!({"terms": "T"}),
        )
        .await;
    expect_error(res, StatusCode::NOT_FOUND, "CAMPAIGN_NOT_FOUND").await;
    let res = app
        .post(&format!("/campaigns/{missing}/faqs"), &token, &json!({}))
        .await;
    expect_error(res, StatusCode::NOT_FOUND, "CAMPAIGN_NOT_FOUND").await;
    let found = app
        .ports
        .contacts
        .search(Some("lost"), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(
        found.pagination.total, 0,
        "no contact is stored for a missing campaign"
    );
    app.shut_down().await;
}

#[tokio::test]
async fn concurrent_writes_of_different_locales_all_apply() {
    let app = TestApp::spawn().await;
    let locales: Vec<String> = (0..8u8)
        .map(|i| format!("l{}", char::from(b'a' + i)))
        .collect();
    let settings: Vec<Value> = locales
        .iter()
        .enumerate()
        .map(|(i, l)| json!({"id": l, "is_default": i == 0}))
        .collect();
    let id = id_of(
        &app.create_campaign(&with(draft("Crowded"), json!({"locales": settings})))
            .await,
    );
    let token = app.supreme_token();
    let answers = futures::future::join_all(locales.iter().map(|l| {
        let (app, token, id) = (&app, &token, &id);
        async move {
            let path = format!("/campaigns/{id}/terms?locale={l}");
            crate::helpers::json_of(
                app.post(&path, token, &json!({"terms": format!("terms of {l}")}))
                    .await,
            )
            .await
        }
    }))
    .await;
    for (status, body) in &answers {
        assert_eq!(
            *status,
            StatusCode::OK,
            "a write without If-Match is not refused for a race: {body}"
        );
    }
    let stored = get(&app, &format!("/campaigns/{id}?showAllLocales=true")).await;
    assert_eq!(stored["version"], 9);
    for l in &locales {
        assert_eq!(
            stored["content"][l]["terms"],
            format!("terms of {l}"),
            "{l} was lost"
        );
    }
    app.shut_down().await;
}
