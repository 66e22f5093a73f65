//! Campaign queries of internal services: `/campaigns/events`, `/campaigns/ids`,
//! `/campaigns/categoryIds`, `/campaigns/eventIds`. Any valid token may ask; answers hold only
//! the campaigns the caller may read; `/campaigns/events` answers one page at a time.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, complete, data_of, detail_fields, error_of, market_doc, presale_campaign,
};

struct World {
    app: TestApp,
    /// OPEN, window Feb–Mar, category cat-a, a market listing ev-1.
    open_feb: String,
    /// DRAFT, window Feb–Mar, category cat-c, a market listing ev-2.
    draft_feb: String,
    /// OPEN without presale window, own event id ev-1.
    open_no_window: String,
    /// OPEN, window Apr–May, category cat-b, own event id ev-1.
    open_apr: String,
    /// PREVIEW, window Feb–Mar, category cat-a, a market listing ev-1 and ev-5.
    preview_feb: String,
}

fn id(c: &Value) -> String {
    c["id"].as_str().unwrap().to_owned()
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    let mut doc = presale_campaign("Open Feb");
    doc["categoryId"] = json!("cat-a");
    let open_feb = id(&app.create_campaign(&doc).await);
    app.create_market(&open_feb, &market_doc("NYC", &["ev-1"]))
        .await;
    app.open(&open_feb).await;

    let mut doc = presale_campaign("Draft Feb");
    doc["categoryId"] = json!("cat-c");
    let draft_feb = id(&app.create_campaign(&doc).await);
    app.create_market(&draft_feb, &market_doc("NYC", &["ev-2"]))
        .await;

    let mut doc = complete("Open no window");
    doc["eventIds"] = json!(["ev-1"]);
    let open_no_window = id(&app.create_campaign(&doc).await);
    app.open(&open_no_window).await;

    let mut doc = presale_campaign("Open Apr");
    doc["categoryId"] = json!("cat-b");
    doc["eventIds"] = json!(["ev-1"]);
    doc["date"] = json!({"presaleWindowStart": "2030-04-01T00:00:00Z", "presaleWindowEnd": "2030-05-01T00:00:00Z"});
    let open_apr = id(&app.create_campaign(&doc).await);
    app.open(&open_apr).await;

    let mut doc = presale_campaign("Preview Feb");
    doc["categoryId"] = json!("cat-a");
    doc["status"] = json!("PREVIEW");
    let preview_feb = id(&app.create_campaign(&doc).await);
    app.create_market(&preview_feb, &market_doc("NYC", &["ev-1", "ev-5"]))
        .await;
    World {
        app,
        open_feb,
        draft_feb,
        open_no_window,
        open_apr,
        preview_feb,
    }
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

fn campaign_ids(data: &Value) -> Vec<String> {
    data["campaigns"]
        .as_array()
        .unwrap()
        .iter()
        .map(id)
        .collect()
}

#[tokio::test]
async fn campaigns_by_event_cover_markets_and_own_ids_outside_draft_and_preview() {
    let w = world().await;
    let app = &w.app;
    let token = app.supreme_token();
    let found = data_of(
        app.get("/campaigns/events?eventId=ev-1", &token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        campaign_ids(&found),
        sorted(vec![w.open_feb.clone(), w.open_apr.clone()]),
        "not the PREVIEW one, not the one without presale window"
    );
    assert_eq!(found["campaigns"][0]["status"], "OPEN");
    assert!(found["campaigns"][0]["date"]["presaleWindowStart"].is_string());
    assert_eq!(
        found["pagination"],
        json!({"page": 0, "pageSize": 100, "total": 2}),
        "without paging parameters, the largest page"
    );
    // White space around the id is not part of it.
    let padded = data_of(
        app.get("/campaigns/events?eventId=%20ev-1%20", &token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(padded, found);
    // A DRAFT campaign's market does not count.
    let draft_only = data_of(
        app.get("/campaigns/events?eventId=ev-2", &token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(draft_only["campaigns"], json!([]));
    assert_eq!(draft_only["pagination"]["total"], 0);
    // Only what the caller may read.
    let reader = app.user_token(
        "svc",
        &[(&w.open_feb, &["read"]), (&w.preview_feb, &["read"])],
    );
    let found = data_of(
        app.get("/campaigns/events?eventId=ev-1", &reader).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(campaign_ids(&found), std::slice::from_ref(&w.open_feb));
    assert_eq!(
        found["pagination"]["total"], 1,
        "the total counts only those too"
    );
    let nobody = app.user_token("svc", &[]);
    let found = data_of(
        app.get("/campaigns/events?eventId=ev-1", &nobody).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["campaigns"], json!([]));
    assert_eq!(found["pagination"]["total"], 0);
    for (query, field) in [
        ("", "eventId"),
        ("eventId=", "eventId"),
        ("eventId=a%20b", "eventId"),
        ("eventId=ev-1&page=-1", "page"),
        ("eventId=ev-1&page=first", "page"),
        ("eventId=ev-1&pageSize=0", "pageSize"),
        ("eventId=ev-1&pageSize=101", "pageSize"),
    ] {
        let e = error_of(
            app.get(&format!("/campaigns/events?{query}"), &token).await,
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
        )
        .await;
        assert_eq!(detail_fields(&e), [field], "{query}");
    }
    let _ = (&w.draft_feb, &w.open_no_window);
    w.app.shut_down().await;
}

#[tokio::test]
async fn campaigns_by_event_come_one_page_at_a_time_by_id() {
    let w = world().await;
    let app = &w.app;
    let token = app.supreme_token();
    let expected = sorted(vec![w.open_feb.clone(), w.open_apr.clone()]);
    let mut seen = Vec::new();
    for page in 0..3 {
        let found = data_of(
            app.get(
                &format!("/campaigns/events?eventId=ev-1&page={page}&pageSize=1"),
                &token,
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            found["pagination"],
            json!({"page": page, "pageSize": 1, "total": 2})
        );
        seen.extend(campaign_ids(&found));
    }
    assert_eq!(seen, expected, "each campaign once, by id, then nothing");
    w.app.shut_down().await;
}

#[tokio::test]
async fn campaign_ids_by_category() {
    let w = world().await;
    let app = &w.app;
    let token = app.supreme_token();
    let found = data_of(
        app.get("/campaigns/ids?categoryIds=cat-a,%20cat-c,cat-a", &token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        found["campaignIds"],
        json!(sorted(vec![
            w.open_feb.clone(),
            w.draft_feb.clone(),
            w.preview_feb.clone()
        ]))
    );
    let found = data_of(
        app.get("/campaigns/ids?categoryIds=cat-b", &token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["campaignIds"], json!([w.open_apr]));
    let reader = app.user_token("svc", &[(&w.draft_feb, &["read"])]);
    let found = data_of(
        app.get("/campaigns/ids?categoryIds=cat-a,cat-c", &reader)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["campaignIds"], json!([w.draft_feb]));
    for query in [
        "",
        "categoryIds=",
        "categoryIds=,,",
        "categoryIds=ok,not%20ok",
    ] {
        let e = error_of(
            app.get(&format!("/campaigns/ids?{query}"), &token).await,
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
        )
        .await;
        assert_eq!(detail_fields(&e), ["categoryIds"], "{query}");
    }
    let many: Vec<String> = (0..101).map(|i| format!("c{i}")).collect();
    error_of(
        app.get(
            &format!("/campaigns/ids?categoryIds={}", many.join(",")),
            &token,
        )
        .await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    w.app.shut_down().await;
}

const FEB: &str =
    "presaleQueryStartDate=2030-02-15T00:00:00Z&presaleQueryEndDate=2030-02-20T00:00:00Z";
const APR: &str =
    "presaleQueryStartDate=2030-04-15T00:00:00Z&presaleQueryEndDate=2030-04-16T00:00:00Z";

#[tokio::test]
async fn category_and_event_ids_of_campaigns_in_presale_over_a_range() {
    let w = world().await;
    let app = &w.app;
    let token = app.supreme_token();
    let get = |path: String, token: String| async move {
        data_of(app.get(&path, &token).await, StatusCode::OK).await
    };
    assert_eq!(
        get(format!("/campaigns/categoryIds?{FEB}"), token.clone()).await,
        json!({"categoryIds": ["cat-a", "cat-c"]})
    );
    assert_eq!(
        get(format!("/campaigns/categoryIds?{APR}"), token.clone()).await,
        json!({"categoryIds": ["cat-b"]})
    );
    assert_eq!(
        get(format!("/campaigns/eventIds?{FEB}"), token.clone()).await,
        json!({"eventIds": ["ev-1", "ev-2", "ev-5"]}),
        "the markets' event ids, not the campaigns' own"
    );
    assert_eq!(
        get(format!("/campaigns/eventIds?{APR}"), token.clone()).await,
        json!({"eventIds": []})
    );
    // Neither date: campaigns in presale now.
    assert_eq!(
        get("/campaigns/categoryIds".to_owned(), token.clone()).await,
        json!({"categoryIds": []})
    );
    app.clock.set("2030-02-15T00:00:00Z".parse().unwrap());
    assert_eq!(
        get("/campaigns/categoryIds".to_owned(), token.clone()).await,
        json!({"categoryIds": ["cat-a", "cat-c"]})
    );
    assert_eq!(
        get("/campaigns/eventIds".to_owned(), token.clone()).await,
        json!({"eventIds": ["ev-1", "ev-2", "ev-5"]})
    );
    // Only what the caller may read.
    let reader = app.user_token("svc", &[(&w.draft_feb, &["read"])]);
    assert_eq!(
        get(format!("/campaigns/categoryIds?{FEB}"), reader.clone()).await,
        json!({"categoryIds": ["cat-c"]})
    );
    assert_eq!(
        get(format!("/campaigns/eventIds?{FEB}"), reader).await,
        json!({"eventIds": ["ev-2"]})
    );
    w.app.shut_down().await;
}

#[tokio::test]
async fn presale_ranges_need_both_dates_in_order() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    for path in ["/campaigns/categoryIds", "/campaigns/eventIds"] {
        for query in [
            "presaleQueryStartDate=2030-02-15T00:00:00Z",
            "presaleQueryEndDate=2030-02-15T00:00:00Z",
            "presaleQueryStartDate=2030-02-15T00:00:00Z&presaleQueryEndDate=",
        ] {
            let e = error_of(
                app.get(&format!("{path}?{query}"), &token).await,
                StatusCode::BAD_REQUEST,
                "MISSING_PRESALE_WINDOW_DATE",
            )
            .await;
            assert!(e.get("details").is_none(), "{e}");
        }
        error_of(
            app.get(
                &format!("{path}?presaleQueryStartDate=2030-02-15T00:00:01Z&presaleQueryEndDate=2030-02-15T00:00:00Z"),
                &token,
            )
            .await,
            StatusCode::BAD_REQUEST,
            "INVALID_PRESALE_WINDOW_DATE_ORDER",
        )
        .await;
        let e = error_of(
            app.get(
                &format!(
                    "{path}?presaleQueryStartDate=soon&presaleQueryEndDate=2030-02-15T00:00:00Z"
                ),
                &token,
            )
            .await,
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
        )
        .await;
        assert_eq!(detail_fields(&e), ["presaleQueryStartDate"]);
        data_of(
            app.get(
                &format!("{path}?presaleQueryStartDate=2030-02-15T00:00:00Z&presaleQueryEndDate=2030-02-15T00:00:00Z"),
                &token,
            )
            .await,
            StatusCode::OK,
        )
        .await;
    }
    app.shut_down().await;
}

#[tokio::test]
async fn query_routes_need_a_token_and_only_get() {
    let app = TestApp::spawn().await;
    for path in [
        "/campaigns/events?eventId=ev-1",
        "/campaigns/ids?categoryIds=a",
        "/campaigns/categoryIds",
        "/campaigns/eventIds",
    ] {
        error_of(
            app.request(Method::GET, path, None, None).await,
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
        )
        .await;
        error_of(
            app.request(
                Method::POST,
                path,
                Some(&app.supreme_token()),
                Some(&json!({})),
            )
            .await,
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
        )
        .await;
    }
    app.shut_down().await;
}
