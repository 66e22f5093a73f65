//! Promoters (supreme only): create, read through the cache, list, update with `If-Match`,
//! delete; validation and permissions.

use campaign_domain::values::PromoterId;
use campaign_ports::{CacheKey, VersionedEntry};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, data_of, detail_fields, error_of};

fn promoter_doc(name: &str) -> Value {
    json!({
        "name": name,
        "privacyUrls": [
            {"locale": "en-US", "url": "https://promo.example.test/privacy", "is_default": true},
            {"locale": "fr-FR", "url": "https://promo.example.test/fr/privacy"}
        ]
    })
}

async fn create(app: &TestApp, name: &str) -> Value {
    data_of(
        app.post("/promoters", &app.supreme_token(), &promoter_doc(name))
            .await,
        StatusCode::CREATED,
    )
    .await
}

#[tokio::test]
async fn a_promoter_is_created_read_updated_and_deleted() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    let mut body = promoter_doc("Live Nation");
    body["id"] = json!("65a1b2c3d4e5f60718293a4b");
    body["version"] = json!(9);
    let res = app.post("/promoters", &token, &body).await;
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(res.headers()["etag"], "\"1\"");
    let created = data_of(res, StatusCode::CREATED).await;
    let id = created["id"].as_str().unwrap();
    assert_ne!(id, "65a1b2c3d4e5f60718293a4b");
    assert_eq!(location, format!("/promoters/{id}"));
    assert_eq!(created["version"], 1);
    assert_eq!(created["name"], "Live Nation");
    assert_eq!(created["privacyUrls"][0]["is_default"], true);
    assert_eq!(created["privacyUrls"][1]["is_default"], false);
    assert_eq!(created["date"]["created"], "2030-01-01T00:00:00.000Z");

    let res = app.get(&location, &token).await;
    assert_eq!(res.headers()["etag"], "\"1\"");
    assert_eq!(data_of(res, StatusCode::OK).await, created);

    let res = app
        .client
        .post(app.url(&location))
        .bearer_auth(&token)
        .header("if-match", "\"1\"")
        .json(&json!({"name": "LN"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["etag"], "\"2\"");
    let updated = data_of(res, StatusCode::OK).await;
    assert_eq!(updated["name"], "LN");
    assert_eq!(updated["privacyUrls"], created["privacyUrls"]);
    assert_eq!(updated["version"], 2);
    let res = app
        .client
        .post(app.url(&location))
        .bearer_auth(&token)
        .header("if-match", "\"1\"")
        .json(&json!({"name": "Stale"}))
        .send()
        .await
        .unwrap();
    error_of(res, StatusCode::CONFLICT, "VERSION_CONFLICT").await;
    assert_eq!(
        data_of(app.get(&location, &token).await, StatusCode::OK).await["name"],
        "LN"
    );

    let res = app.delete(&location, &token).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(res.bytes().await.unwrap().is_empty());
    for res in [
        app.get(&location, &token).await,
        app.post(&location, &token, &json!({"name": "x"})).await,
        app.delete(&location, &token).await,
    ] {
        error_of(res, StatusCode::NOT_FOUND, "PROMOTER_NOT_FOUND").await;
    }
    app.shut_down().await;
}

#[tokio::test]
async fn promoters_are_read_through_the_cache_and_every_change_publishes_its_version() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    let created = create(&app, "Cached").await;
    let id = PromoterId::parse(created["id"].as_str().unwrap()).unwrap();
    let key = CacheKey::promoter(&id);
    let path = format!("/promoters/{id}");
    let cached = || async {
        app.ports.cache.get_versioned(&key).await.unwrap().map(|e| {
            let value = e
                .value
                .map(|raw| serde_json::from_str::<Value>(&raw).unwrap());
            (e.version, value)
        })
    };
    assert_eq!(cached().await, None);
    data_of(app.get(&path, &token).await, StatusCode::OK).await;
    assert_eq!(cached().await, Some((1, Some(created.clone()))));
    // A read is served from the cache.
    let mut planted = created.clone();
    planted["name"] = json!("From the cache");
    // (Version 1 is held already, and an equal version is never written again: the plant
    // needs the key emptied first.)
    app.ports
        .cache
        .delete(std::slice::from_ref(&key))
        .await
        .unwrap();
    app.ports
        .cache
        .put_if_newer(
            &key,
            &VersionedEntry::value(1, planted.to_string()),
            std::time::Duration::from_secs(60),
        )
        .await
        .unwrap();
    assert_eq!(
        data_of(app.get(&path, &token).await, StatusCode::OK).await["name"],
        "From the cache"
    );
    // An update publishes the version it stored: the next read, on any replica, sees it.
    let renamed = data_of(
        app.post(&path, &token, &json!({"name": "Renamed"})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(cached().await, Some((2, Some(renamed))));
    assert_eq!(
        data_of(app.get(&path, &token).await, StatusCode::OK).await["name"],
        "Renamed"
    );
    // A delete leaves a tombstone that no late read-through can replace.
    app.delete(&path, &token).await;
    assert_eq!(cached().await, Some((VersionedEntry::GONE, None)));
    error_of(
        app.get(&path, &token).await,
        StatusCode::NOT_FOUND,
        "PROMOTER_NOT_FOUND",
    )
    .await;
    app.shut_down().await;
}

#[tokio::test]
async fn promoters_are_listed_by_name_in_pages() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    for name in ["Charlie", "Alpha", "Bravo"] {
        create(&app, name).await;
    }
    let page = data_of(
        app.get("/promoters?page=0&pageSize=2", &token).await,
        StatusCode::OK,
    )
    .await;
    let names: Vec<&str> = page["promoters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Alpha", "Bravo"]);
    assert_eq!(
        page["pagination"],
        json!({"page": 0, "pageSize": 2, "total": 3})
    );
    let second = data_of(
        app.get("/promoters?page=1&pageSize=2", &token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(second["promoters"][0]["name"], "Charlie");
    let defaults = data_of(app.get("/promoters", &token).await, StatusCode::OK).await;
    assert_eq!(defaults["pagination"]["pageSize"], 10);
    let e = error_of(
        app.get("/promoters?page=-1&pageSize=101", &token).await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    assert_eq!(detail_fields(&e), ["page", "pageSize"]);
    app.shut_down().await;
}

#[tokio::test]
async fn a_promoter_needs_a_name_and_exactly_one_default_privacy_url() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    let e = error_of(
        app.post("/promoters", &token, &json!({})).await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    assert_eq!(detail_fields(&e), ["name", "privacyUrls"]);
    let mut two_defaults = promoter_doc("X");
    two_defaults["privacyUrls"][1]["is_default"] = json!(true);
    let e = error_of(
        app.post("/promoters", &token, &two_defaults).await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    assert_eq!(detail_fields(&e), ["privacyUrls"]);
    let mut bad_entries = promoter_doc("X");
    bad_entries["privacyUrls"][0]["url"] = json!("ftp://nope");
    bad_entries["privacyUrls"][1]["locale"] = json!("english");
    let e = error_of(
        app.post("/promoters", &token, &bad_entries).await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    assert_eq!(
        detail_fields(&e),
        ["privacyUrls[0].url", "privacyUrls[1].locale", "privacyUrls"]
    );
    let created = create(&app, "Valid").await;
    let path = format!("/promoters/{}", created["id"].as_str().unwrap());
    let e = error_of(
        app.post(
            &path,
            &token,
            &json!({"privacyUrls": [{"locale": "en-US", "url": "https://x.test/p"}]}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    assert_eq!(detail_fields(&e), ["privacyUrls"]);
    let res = app
        .client
        .post(app.url("/promoters"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    error_of(res, StatusCode::BAD_REQUEST, "MALFORMED_JSON").await;
    let e = error_of(
        app.get("/promoters/nope", &token).await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    assert_eq!(detail_fields(&e), ["id"]);
    error_of(
        app.request(Method::PUT, &path, Some(&token), None).await,
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
    )
    .await;
    app.shut_down().await;
}

#[tokio::test]
async fn promoter_routes_are_for_supreme_users_only() {
    let app = TestApp::spawn().await;
    let created = create(&app, "Guarded").await;
    let path = format!("/promoters/{}", created["id"].as_str().unwrap());
    let campaign = app.create_campaign(&crate::helpers::draft("Any")).await;
    let manager = app.user_token("m", &[(campaign["id"].as_str().unwrap(), &["admin"])]);
    let body = promoter_doc("Nope");
    for (method, path) in [
        (Method::GET, "/promoters"),
        (Method::POST, "/promoters"),
        (Method::GET, path.as_str()),
        (Method::POST, path.as_str()),
        (Method::DELETE, path.as_str()),
    ] {
        let with_body = (method == Method::POST).then_some(&body);
        error_of(
            app.request(method.clone(), path, Some(&manager), with_body)
                .await,
            StatusCode::FORBIDDEN,
            "SUPREME_USER_REQUIRED",
        )
        .await;
        error_of(
            app.request(method, path, None, with_body).await,
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
        )
        .await;
    }
    // The same refusal for a promoter that does not exist.
    error_of(
        app.get("/promoters/65a1b2c3d4e5f60718293a4b", &manager)
            .await,
        StatusCode::FORBIDDEN,
        "SUPREME_USER_REQUIRED",
    )
    .await;
    assert_eq!(
        data_of(app.get(&path, &app.supreme_token()).await, StatusCode::OK).await["name"],
        "Guarded"
    );
    app.shut_down().await;
}
