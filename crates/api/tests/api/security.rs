//! The security suite: the items of the OWASP API Security Top 10 (2023) that apply to this
//! service, each tried through HTTP the way a real tenant (a writer of one campaign) or an
//! anonymous caller would, on the embedded default and — with `CAMPAIGN_TEST_STORE=mongodb` —
//! on MongoDB. `docs/security.md` maps every threat to the rule that stops it and to the test
//! here that proves it.
//!
//! - API1 broken object-level authorization: every campaign-scoped route across two campaigns;
//!   contacts shared between campaigns (SPEC §7.8); hosts held by another campaign (§7.4).
//! - API3 broken object-property-level authorization: read-only fields a client sends are
//!   ignored (mass assignment).
//! - API4 unrestricted resource consumption: list and depth bounds, body size (§4.1).
//! - API5 broken function-level authorization: every supreme route refuses a manager.
//! - API8 security misconfiguration: `nosniff`, `Cache-Control: no-store`, bounded metrics
//!   labels, CORS only for configured origins.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, complete, data_of, domain, draft, error_of, json_of};
use crate::support::{fetch, id_of};

const FAQ: &str = "6f9619ff-8b86-d011-b42d-00cf4fc964ff";

/// Two campaigns, A and B, each with a market and a contact, and a writer of A only.
struct Tenants {
    a: String,
    b: String,
    b_market: String,
    b_contact: String,
    /// `write` on A, nothing on B.
    writer_a: String,
}

async fn tenants(app: &TestApp) -> Tenants {
    let a = id_of(&app.create_campaign(&complete("Tenant A")).await);
    let b = id_of(&app.create_campaign(&complete("Tenant B")).await);
    let b_market = app
        .create_market(&b, &crate::helpers::market_doc("B city", &["ev-b-1"]))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let contacts = data_of(
        app.post(
            &format!("/campaigns/{b}/contacts"),
            &app.supreme_token(),
            &json!([{"name": "Bo Chen", "email": "bo@b-label.example.test"}]),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let b_contact = contacts[0]["id"].as_str().unwrap().to_owned();
    let writer_a = app.user_token("writer-a", &[(a.as_str(), &["read", "write"])]);
    Tenants {
        a,
        b,
        b_market,
        b_contact,
        writer_a,
    }
}

/// Every campaign-scoped route of campaign `id` (market `market` in it), with a valid body.
fn campaign_routes(id: &str, market: &str, other: &str) -> Vec<(Method, String, Option<Value>)> {
    vec![
        (Method::GET, format!("/campaigns/{id}"), None),
        (
            Method::POST,
            format!("/campaigns/{id}"),
            Some(json!({"name": "taken over"})),
        ),
        (Method::GET, format!("/campaigns/{id}/status"), None),
        (Method::GET, format!("/campaigns/{id}/faqs"), None),
        (
            Method::POST,
            format!("/campaigns/{id}/faqs"),
            Some(json!({FAQ: {"question": "Q", "answer": "A"}})),
        ),
        (Method::GET, format!("/campaigns/{id}/terms"), None),
        (
            Method::POST,
            format!("/campaigns/{id}/terms"),
            Some(json!({"terms": "mine now"})),
        ),
        (Method::GET, format!("/campaigns/{id}/contacts"), None),
        (
            Method::POST,
            format!("/campaigns/{id}/contacts"),
            Some(json!([])),
        ),
        (Method::GET, format!("/campaigns/{id}/markets"), None),
        (
            Method::GET,
            format!("/campaigns/{id}/markets?useGeoJson=true"),
            None,
        ),
        (
            Method::POST,
            format!("/campaigns/{id}/markets"),
            Some(crate::helpers::market_doc("Intruder city", &["ev-x-1"])),
        ),
        (
            Method::POST,
            format!("/campaigns/{id}/markets/clones"),
            Some(json!({"fromCampaignId": other})),
        ),
        (
            Method::GET,
            format!("/campaigns/{id}/markets/{market}"),
            None,
        ),
        (
            Method::POST,
            format!("/campaigns/{id}/markets/{market}"),
            Some(json!({"name": "renamed"})),
        ),
        (
            Method::DELETE,
            format!("/campaigns/{id}/markets/{market}"),
            None,
        ),
    ]
}

async fn call(
    app: &TestApp,
    token: &str,
    (method, path, body): &(Method, String, Option<Value>),
) -> (StatusCode, Value) {
    json_of(
        app.request(method.clone(), path, Some(token), body.as_ref())
            .await,
    )
    .await
}

#[tokio::test]
async fn api1_a_writer_of_one_campaign_reaches_nothing_of_another() {
    let app = TestApp::spawn().await;
    let t = tenants(&app).await;
    let before = fetch(&app, &t.b).await;
    for route in campaign_routes(&t.b, &t.b_market, &t.a) {
        let (status, body) = call(&app, &t.writer_a, &route).await;
        assert_eq!(
            (status, body["error"]["type"].as_str()),
            (StatusCode::FORBIDDEN, Some("UNAUTHORIZED")),
            "{} {}: {body}",
            route.0,
            route.1
        );
    }
    // Cloning B's markets into A needs read on B.
    let (status, body) = call(
        &app,
        &t.writer_a,
        &(
            Method::POST,
            format!("/campaigns/{}/markets/clones", t.a),
            Some(json!({"fromCampaignId": t.b})),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    // B's market reached through A's path is not found, never B's.
    for method in [Method::GET, Method::POST, Method::DELETE] {
        let path = format!("/campaigns/{}/markets/{}", t.a, t.b_market);
        let body = (method == Method::POST).then(|| json!({"name": "stolen"}));
        let (status, answer) = json_of(
            app.request(method.clone(), &path, Some(&t.writer_a), body.as_ref())
                .await,
        )
        .await;
        assert_eq!(
            (status, answer["error"]["type"].as_str()),
            (StatusCode::NOT_FOUND, Some("MARKET_NOT_FOUND")),
            "{method} {path}: {answer}"
        );
    }
    // Nothing of B changed; its market is still there and still its own.
    assert_eq!(fetch(&app, &t.b).await, before);
    let market = data_of(
        app.get(
            &format!("/campaigns/{}/markets/{}", t.b, t.b_market),
            &app.supreme_token(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(market["name"], "B city");
    assert_eq!(market["version"], 1);
    // The list shows A only.
    let list = data_of(
        app.get("/campaigns/list", &t.writer_a).await,
        StatusCode::OK,
    )
    .await;
    let ids: Vec<&str> = list["campaigns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [t.a.as_str()]);
    app.shut_down().await;
}

#[tokio::test]
async fn api1_a_writer_cannot_change_or_link_another_campaigns_contact() {
    let app = TestApp::spawn().await;
    let t = tenants(&app).await;
    let path_a = format!("/campaigns/{}/contacts", t.a);
    // Rewriting B's contact through A's endpoint: refused, and B still shows the original.
    let takeover =
        json!([{"id": t.b_contact, "name": "Mallory", "email": "mallory@evil.example.test"}]);
    error_of(
        app.post(&path_a, &t.writer_a, &takeover).await,
        StatusCode::FORBIDDEN,
        "UNAUTHORIZED",
    )
    .await;
    // An id no contact has gets the same answer: existence cannot be probed.
    let probe = json!([{"id": "0123456789abcdef01234567", "name": "P", "email": "p@example.test"}]);
    error_of(
        app.post(&path_a, &t.writer_a, &probe).await,
        StatusCode::FORBIDDEN,
        "UNAUTHORIZED",
    )
    .await;
    // Linking it through A's `contacts` field: refused too.
    error_of(
        app.post(
            &format!("/campaigns/{}", t.a),
            &t.writer_a,
            &json!({"contacts": [t.b_contact]}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "UNAUTHORIZED",
    )
    .await;
    let b_contacts = data_of(
        app.get(
            &format!("/campaigns/{}/contacts", t.b),
            &app.supreme_token(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(b_contacts[0]["name"], "Bo Chen");
    assert_eq!(b_contacts[0]["email"], "bo@b-label.example.test");
    let a_contacts = data_of(app.get(&path_a, &t.writer_a).await, StatusCode::OK).await;
    assert_eq!(a_contacts, json!([]));
    assert_eq!(fetch(&app, &t.a).await["contacts"], json!([]));

    // What a writer may do: create contacts, then change and re-link its own.
    let created = data_of(
        app.post(
            &path_a,
            &t.writer_a,
            &json!([{"name": "Ana Lima", "email": "ana@a-label.example.test"}]),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let ana = created[0]["id"].as_str().unwrap().to_owned();
    let renamed = data_of(
        app.post(
            &path_a,
            &t.writer_a,
            &json!([{"id": ana, "name": "Ana Souza", "email": "ana@a-label.example.test"}]),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(renamed[0]["name"], "Ana Souza");
    data_of(
        app.post(
            &format!("/campaigns/{}", t.a),
            &t.writer_a,
            &json!({"contacts": [ana]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // A supreme user may link any contact.
    let linked = data_of(
        app.post(
            &format!("/campaigns/{}", t.a),
            &app.supreme_token(),
            &json!({"contacts": [ana, t.b_contact]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(linked["contacts"], json!([ana, t.b_contact]));
    app.shut_down().await;
}

#[tokio::test]
async fn content_and_contact_writes_honour_if_match_and_answer_an_etag() {
    let app = TestApp::spawn().await;
    let id = id_of(&app.create_campaign(&complete("Versioned content")).await);
    let token = app.supreme_token();
    let writes = [
        (
            format!("/campaigns/{id}/faqs"),
            json!({FAQ: {"question": "Q2", "answer": "A2"}}),
        ),
        (
            format!("/campaigns/{id}/terms"),
            json!({"terms": "New terms"}),
        ),
        (
            format!("/campaigns/{id}/contacts"),
            json!([{"name": "Cy", "email": "cy@example.test"}]),
        ),
    ];
    for (path, body) in &writes {
        let version = fetch(&app, &id).await["version"].as_u64().unwrap();
        let stale = app
            .client
            .post(app.url(path))
            .bearer_auth(&token)
            .header("If-Match", format!("\"{}\"", version + 7))
            .json(body)
            .send()
            .await
            .unwrap();
        error_of(stale, StatusCode::CONFLICT, "VERSION_CONFLICT").await;
        assert_eq!(
            fetch(&app, &id).await["version"].as_u64().unwrap(),
            version,
            "{path}: nothing written"
        );
        let res = app
            .client
            .post(app.url(path))
            .bearer_auth(&token)
            .header("If-Match", format!("\"{version}\""))
            .json(body)
            .send()
            .await
            .unwrap();
        let etag = res.headers()["etag"].to_str().unwrap().to_owned();
        data_of(res, StatusCode::OK).await;
        assert_eq!(etag, format!("\"{}\"", version + 1), "{path}");
        assert_eq!(
            fetch(&app, &id).await["version"].as_u64().unwrap(),
            version + 1
        );
    }
    // The refused contact write created no contact.
    let all = data_of(app.get("/contacts?q=cy@", &token).await, StatusCode::OK).await;
    assert_eq!(all["pagination"]["total"], 1);
    app.shut_down().await;
}

#[tokio::test]
async fn api1_no_campaign_can_take_a_host_another_one_answers_on() {
    let app = TestApp::spawn().await;
    let mut holder = complete("Host holder");
    holder["status"] = json!("PREVIEW");
    let a = app.create_campaign(&holder).await;
    let a_site = a["domain"]["site"].as_str().unwrap().to_owned();
    let a_preview = a["domain"]["preview"].as_str().unwrap().to_owned();
    let b = id_of(&app.create_campaign(&draft("Host taker")).await);
    let writer_b = app.user_token("writer-b", &[(b.as_str(), &["write"])]);
    for patch in [
        json!({"domain": {"site": a_preview}}),
        json!({"domain": {"preview": a_preview}}),
        json!({"domain": {"preview": a_site}}),
        json!({"domain": {"site": a_site}}),
    ] {
        let error = error_of(
            app.post(&format!("/campaigns/{b}"), &writer_b, &patch)
                .await,
            StatusCode::BAD_REQUEST,
            "DOMAIN_NAME_CONFLICT",
        )
        .await;
        assert!(
            error["message"].as_str().unwrap().contains("already used"),
            "{error}"
        );
    }
    // A new campaign cannot take them either.
    let mut on_preview = draft("Create on preview");
    on_preview["domain"]["site"] = json!(a_preview);
    error_of(
        app.post("/campaigns", &app.supreme_token(), &on_preview)
            .await,
        StatusCode::BAD_REQUEST,
        "DOMAIN_NAME_CONFLICT",
    )
    .await;
    // The fan site on A's preview host still answers with A.
    let status = data_of(
        app.get(
            &format!("/campaigns/status?domain={a_preview}"),
            &app.supreme_token(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(status["id"], a["id"]);
    // B keeps its own hosts and may still change them.
    let fresh = domain("b-preview");
    let changed = data_of(
        app.post(
            &format!("/campaigns/{b}"),
            &writer_b,
            &json!({"domain": {"preview": fresh}}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(changed["domain"]["preview"], json!(fresh));
    app.shut_down().await;
}

#[tokio::test]
async fn api1_concurrent_creates_claiming_one_host_in_either_role_leave_one_holder() {
    let app = TestApp::spawn().await;
    let host = domain("contested");
    let token = app.supreme_token();
    let attempts = (0..12).map(|i| {
        let mut body = draft(&format!("Claimant {i}"));
        if i % 2 == 0 {
            body["domain"]["site"] = json!(host);
        } else {
            body["domain"]["preview"] = json!(host);
        }
        let app = &app;
        let token = token.clone();
        async move { json_of(app.post("/campaigns", &token, &body).await).await }
    });
    let results = futures::future::join_all(attempts).await;
    let created = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    let conflicts = results
        .iter()
        .filter(|(s, b)| {
            *s == StatusCode::BAD_REQUEST && b["error"]["type"] == "DOMAIN_NAME_CONFLICT"
        })
        .count();
    assert_eq!((created, conflicts), (1, 11), "{results:?}");
    app.shut_down().await;
}

#[tokio::test]
async fn api5_every_supreme_route_refuses_a_campaign_manager() {
    let app = TestApp::spawn().await;
    let t = tenants(&app).await;
    // An admin of A is still not a supreme user.
    let admin_a = app.user_token("admin-a", &[(t.a.as_str(), &["admin"])]);
    let supreme_routes: Vec<(Method, String, Option<Value>)> = vec![
        (Method::POST, "/campaigns".to_owned(), Some(draft("Mine"))),
        (Method::POST, "/campaigns/refresh".to_owned(), None),
        (Method::GET, "/markets/upcoming".to_owned(), None),
        (
            Method::POST,
            "/markets/notifyDate".to_owned(),
            Some(json!({"marketIds": [t.b_market], "notificationDate": "2030-01-01T00:00:00Z"})),
        ),
        (Method::GET, "/markets/notifiable".to_owned(), None),
        (
            Method::POST,
            "/markets/notified".to_owned(),
            Some(json!({"marketIds": [t.b_market]})),
        ),
        (
            Method::GET,
            "/events?status=onsale&until=2030-01-01T00:00:00Z".to_owned(),
            None,
        ),
        (
            Method::POST,
            "/events/ev-b-1".to_owned(),
            Some(json!({"status": "cancelled"})),
        ),
        (Method::GET, "/contacts".to_owned(), None),
        (Method::GET, "/promoters".to_owned(), None),
        (
            Method::POST,
            "/promoters".to_owned(),
            Some(
                json!({"name": "P", "privacyUrls": [{"locale": "en-US", "url": "https://p.example.test", "is_default": true}]}),
            ),
        ),
        (
            Method::GET,
            "/promoters/0123456789abcdef01234567".to_owned(),
            None,
        ),
        (
            Method::POST,
            "/promoters/0123456789abcdef01234567".to_owned(),
            Some(json!({"name": "Q"})),
        ),
        (
            Method::DELETE,
            "/promoters/0123456789abcdef01234567".to_owned(),
            None,
        ),
        (Method::GET, "/outbox/failed".to_owned(), None),
        (
            Method::POST,
            "/outbox/failed/requeue".to_owned(),
            Some(json!({})),
        ),
    ];
    for token in [&t.writer_a, &admin_a] {
        for route in &supreme_routes {
            let (status, body) = call(&app, token, route).await;
            assert_eq!(
                (status, body["error"]["type"].as_str()),
                (StatusCode::FORBIDDEN, Some("SUPREME_USER_REQUIRED")),
                "{} {}: {body}",
                route.0,
                route.1
            );
        }
    }
    // Nothing was created or changed by the refused calls.
    let list = data_of(
        app.get("/campaigns/list", &app.supreme_token()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["pagination"]["total"], 2);
    app.shut_down().await;
}

#[tokio::test]
async fn api3_read_only_fields_a_writer_sends_are_ignored() {
    let app = TestApp::spawn().await;
    let t = tenants(&app).await;
    let before = fetch(&app, &t.a).await;
    let patch = json!({
        "id": t.b,
        "version": 99,
        "statusHistory": [{"status": "OPEN", "date": "2020-01-01T00:00:00Z", "by": "mallory"}],
        "date": {
            "created": "2001-01-01T00:00:00Z",
            "updated": "2001-01-01T00:00:00Z",
            "opened": "2001-01-01T00:00:00Z",
            "closed": "2001-01-01T00:00:00Z",
            "inactivated": "2001-01-01T00:00:00Z"
        },
        "name": "Renamed by writer"
    });
    let after = data_of(
        app.post(&format!("/campaigns/{}", t.a), &t.writer_a, &patch)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(after["id"], before["id"]);
    assert_eq!(after["version"], 2);
    assert_eq!(after["statusHistory"], before["statusHistory"]);
    assert_eq!(after["date"]["created"], before["date"]["created"]);
    for field in ["opened", "closed", "inactivated"] {
        assert!(after["date"].get(field).is_none(), "{field}: {after}");
    }
    assert_ne!(after["date"]["updated"], "2001-01-01T00:00:00Z");
    assert_eq!(after["name"], "Renamed by writer");
    // B is untouched.
    assert_eq!(fetch(&app, &t.b).await["name"], "Tenant B");
    // A market's read-only fields likewise.
    let market = app
        .create_market(&t.a, &crate::helpers::market_doc("A city", &["ev-a-1"]))
        .await;
    let changed = data_of(
        app.post(
            &format!(
                "/campaigns/{}/markets/{}",
                t.a,
                market["id"].as_str().unwrap()
            ),
            &t.writer_a,
            &json!({"campaign_id": t.b, "version": 50, "id": t.b_market, "population": 5}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(changed["campaign_id"], json!(t.a));
    assert_eq!(changed["id"], market["id"]);
    assert_eq!(changed["version"], 2);
    app.shut_down().await;
}

#[tokio::test]
async fn api4_lists_beyond_100_entries_are_refused_in_every_store() {
    let app = TestApp::spawn().await;
    let id = id_of(&app.create_campaign(&complete("Bounded")).await);
    let many = |prefix: &str| -> Vec<String> { (0..101).map(|i| format!("{prefix}{i}")).collect() };
    let market = crate::helpers::market_doc("Crowded", &[]);
    let mut crowded = market.clone();
    crowded["event"]["ids"] = json!(many("ev-"));
    crowded["event"]["category_ids"] = json!(many("cat-"));
    let error = error_of(
        app.post(
            &format!("/campaigns/{id}/markets"),
            &app.supreme_token(),
            &crowded,
        )
        .await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    let fields = crate::helpers::detail_fields(&error);
    assert!(fields.contains(&"event.ids".to_owned()), "{error}");
    assert!(fields.contains(&"event.category_ids".to_owned()), "{error}");
    let ids: Vec<String> = (0..101).map(|i| format!("{i:024x}")).collect();
    for key in ["eventIds", "linkedCampaignIds", "contacts"] {
        let error = error_of(
            app.post(
                &format!("/campaigns/{id}"),
                &app.supreme_token(),
                &json!({key: ids}),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
        )
        .await;
        assert!(
            crate::helpers::detail_fields(&error).contains(&key.to_owned()),
            "{key}: {error}"
        );
    }
    // Exactly 100 is fine.
    let mut full = market;
    full["event"]["ids"] = json!((0..100).map(|i| format!("ok-{i}")).collect::<Vec<_>>());
    data_of(
        app.post(
            &format!("/campaigns/{id}/markets"),
            &app.supreme_token(),
            &full,
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    app.shut_down().await;
}

#[tokio::test]
async fn api4_free_form_json_is_bounded_in_depth_and_keys() {
    let app = TestApp::spawn().await;
    let id = id_of(&app.create_campaign(&complete("Free form")).await);
    let mut deep = json!("leaf");
    for _ in 0..40 {
        deep = json!({ "k": deep });
    }
    let cases = [
        json!({"content": {"en-US": {"landing": deep}}}),
        json!({"content": {"en-US": {"confirmation": {"$where": "sleep(1000)"}}}}),
        json!({"content": {"en-US": {"landing": {"hero": {"a.b": 1}}}}}),
        json!({"preferences": [{"id": "p1", "type": "checkbox", "additional": {"initial_value": {"$gt": ""}}, "label": {"en-US": "P"}}]}),
    ];
    for patch in cases {
        let error = error_of(
            app.post(&format!("/campaigns/{id}"), &app.supreme_token(), &patch)
                .await,
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
        )
        .await;
        assert!(!crate::helpers::detail_fields(&error).is_empty(), "{error}");
    }
    assert_eq!(fetch(&app, &id).await["version"], 1, "nothing was written");
    // Plain nested content is kept as sent.
    let ok = json!({"content": {"en-US": {"landing": {"hero": {"title": "Hi", "items": [1, {"x": "y"}]}}}}});
    let stored = data_of(
        app.post(&format!("/campaigns/{id}"), &app.supreme_token(), &ok)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        stored["content"]["en-US"]["landing"]["hero"]["items"][1]["x"],
        "y"
    );
    app.shut_down().await;
}

#[tokio::test]
async fn api4_a_body_over_1_mib_is_413_before_any_work() {
    let app = TestApp::spawn().await;
    let id = id_of(&app.create_campaign(&draft("Big body")).await);
    let huge = json!({"name": "x".repeat(1024 * 1024 + 1)});
    error_of(
        app.post(&format!("/campaigns/{id}"), &app.supreme_token(), &huge)
            .await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "PAYLOAD_TOO_LARGE",
    )
    .await;
    app.shut_down().await;
}

#[tokio::test]
async fn api8_every_answer_says_nosniff_and_authenticated_ones_no_store() {
    let app = TestApp::spawn().await;
    let id = id_of(&app.create_campaign(&draft("Headers")).await);
    let token = app.supreme_token();
    let cases = [
        app.get(&format!("/campaigns/{id}"), &token).await,
        app.get("/campaigns/list", &token).await,
        app.get("/campaigns/0123456789abcdef01234567", &token).await,
        app.post(
            &format!("/campaigns/{id}"),
            &token,
            &json!({"name": "Renamed"}),
        )
        .await,
        app.request(Method::GET, "/campaigns/list", None, None)
            .await,
        app.request(Method::GET, "/no/such/route", Some(&token), None)
            .await,
        app.request(Method::GET, "/heartbeat", None, None).await,
    ];
    for res in cases {
        let url = res.url().path().to_owned();
        let headers = res.headers();
        assert_eq!(
            headers
                .get("x-content-type-options")
                .and_then(|v| v.to_str().ok()),
            Some("nosniff"),
            "{url}"
        );
        assert_eq!(
            headers.get("cache-control").and_then(|v| v.to_str().ok()),
            Some("no-store"),
            "{url}"
        );
        // No CORS header unless origins are configured.
        assert!(
            headers.get("access-control-allow-origin").is_none(),
            "{url}"
        );
    }
    app.shut_down().await;
}

#[tokio::test]
async fn api8_invented_methods_and_unknown_paths_add_no_metric_series() {
    let app = TestApp::spawn().await;
    for i in 0..5 {
        let method = Method::from_bytes(format!("BREW{i}").as_bytes()).unwrap();
        let res = app
            .request(method, &format!("/made-up/path-{i}"), None, None)
            .await;
        assert!(res.status().is_client_error(), "{}", res.status());
    }
    let metrics = app
        .request(Method::GET, "/metrics", None, None)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !metrics.contains("BREW"),
        "an invented method became a label"
    );
    assert!(!metrics.contains("/made-up"), "a raw path became a label");
    assert!(
        metrics.lines().any(|l| l.starts_with("http_requests_total")
            && l.contains("method=\"OTHER\"")
            && l.contains("route=\"unmatched\"")),
        "unknown methods are counted as OTHER on `unmatched`"
    );
    app.shut_down().await;
}

#[tokio::test]
async fn api8_cors_answers_only_configured_origins_and_handles_preflight() {
    let app = TestApp::spawn_with(crate::helpers::Options {
        cors_allowed_origins: vec!["https://admin.example.test".to_owned()],
        ..crate::helpers::Options::default()
    })
    .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(Method::OPTIONS, app.url("/campaigns/list"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", "authorization")
            .send()
    };
    let allowed = preflight("https://admin.example.test").await.unwrap();
    assert!(allowed.status().is_success(), "{}", allowed.status());
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://admin.example.test"
    );
    let methods = allowed.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(methods.contains("POST"), "{methods}");
    let refused = preflight("https://evil.example.test").await.unwrap();
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none(),
        "another origin gets no grant"
    );
    // A real request from the allowed origin can read the ETag and correlation id.
    let res = app
        .client
        .get(app.url("/campaigns/list"))
        .bearer_auth(app.supreme_token())
        .header("Origin", "https://admin.example.test")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let exposed = res.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(
        exposed.contains("etag") && exposed.contains("x-correlation-id"),
        "{exposed}"
    );
    app.shut_down().await;
}
