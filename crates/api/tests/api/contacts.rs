//! `GET /contacts` (supreme only): search by name, e-mail or keyword, paged.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, data_of, detail_fields, draft, error_of};

/// A campaign with three contacts; returns the campaign id.
async fn seed(app: &TestApp) -> String {
    let campaign = app.create_campaign(&draft("Contacts")).await;
    let id = campaign["id"].as_str().unwrap().to_owned();
    data_of(
        app.post(
            &format!("/campaigns/{id}/contacts"),
            &app.supreme_token(),
            &json!([
                {"name": "Ada Lovelace", "email": "ada@label.example.test", "role": "manager", "keywords": ["Analytics"]},
                {"name": "Grace Hopper", "email": "grace@navy.example.test", "keywords": ["compilers", "a.b"]},
                {"name": "Alan Turing", "email": "alan@example.test", "keywords": []}
            ]),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    id
}

fn names(page: &Value) -> Vec<&str> {
    page["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn contacts_are_found_by_name_email_or_keyword_case_insensitively() {
    let app = TestApp::spawn().await;
    seed(&app).await;
    let token = app.supreme_token();
    let search = |q: &str| {
        let path = format!("/contacts?q={q}");
        let token = token.clone();
        let app = &app;
        async move { app.get(&path, &token).await }
    };
    let all = data_of(app.get("/contacts", &token).await, StatusCode::OK).await;
    assert_eq!(names(&all), ["Ada Lovelace", "Alan Turing", "Grace Hopper"]);
    assert_eq!(
        all["pagination"],
        json!({"page": 0, "pageSize": 10, "total": 3})
    );
    assert_eq!(all["contacts"][0]["role"], "manager");
    assert_eq!(all["contacts"][0]["email"], "ada@label.example.test");
    let by_name = data_of(search("HOPPER").await, StatusCode::OK).await;
    assert_eq!(names(&by_name), ["Grace Hopper"]);
    let by_email = data_of(search("navy.example").await, StatusCode::OK).await;
    assert_eq!(names(&by_email), ["Grace Hopper"]);
    let by_keyword = data_of(search("analytics").await, StatusCode::OK).await;
    assert_eq!(names(&by_keyword), ["Ada Lovelace"]);
    // Literal, not a pattern: `a.b` matches the keyword, not "any character".
    let literal = data_of(search("a.b").await, StatusCode::OK).await;
    assert_eq!(names(&literal), ["Grace Hopper"]);
    let none = data_of(search("nobody").await, StatusCode::OK).await;
    assert_eq!(none["contacts"], json!([]));
    assert_eq!(none["pagination"]["total"], 0);
    app.shut_down().await;
}

#[tokio::test]
async fn contact_search_pages_and_validates() {
    let app = TestApp::spawn().await;
    seed(&app).await;
    let token = app.supreme_token();
    let page = data_of(
        app.get("/contacts?q=a&page=1&pageSize=2", &token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(names(&page), ["Grace Hopper"]);
    assert_eq!(
        page["pagination"],
        json!({"page": 1, "pageSize": 2, "total": 3})
    );
    let long = "x".repeat(201);
    let e = error_of(
        app.get(&format!("/contacts?q={long}&pageSize=0"), &token)
            .await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    assert_eq!(detail_fields(&e), ["q", "pageSize"]);
    let e = error_of(
        app.get("/contacts?page=x", &token).await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    assert_eq!(detail_fields(&e), ["page"]);
    error_of(
        app.request(Method::POST, "/contacts", Some(&token), Some(&json!({})))
            .await,
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
    )
    .await;
    app.shut_down().await;
}

#[tokio::test]
async fn contact_search_is_for_supreme_users_only() {
    let app = TestApp::spawn().await;
    let id = seed(&app).await;
    let manager = app.user_token("m", &[(&id, &["admin"])]);
    error_of(
        app.get("/contacts?q=ada", &manager).await,
        StatusCode::FORBIDDEN,
        "SUPREME_USER_REQUIRED",
    )
    .await;
    error_of(
        app.request(Method::GET, "/contacts", None, None).await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
    )
    .await;
    app.shut_down().await;
}
