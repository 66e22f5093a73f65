//! Promoter routes (SPEC §6, supreme only): list, create, read, update, delete.

use actix_web::{HttpRequest, HttpResponse, web};
use campaign_domain::serde_json::Value;
use campaign_http_types::Envelope;
use campaign_http_types::promoter::{NewPromoter, Promoter, PromoterPage, PromoterPatch};
use campaign_http_types::values::ObjectId;

use super::{context, resource};
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::http::correlation::Correlation;
use crate::http::envelope::Reply;
use crate::http::extract;
use crate::http::query::PageQuery;
use crate::openapi::responses::{
    InvalidBody, InvalidParameters, PromoterNotFound, SupremeUserRequired, Unauthenticated,
    VersionConflict,
};
use crate::state::AppState;

pub(super) fn configure(config: &mut web::ServiceConfig) {
    config
        .service(
            resource("/promoters")
                .route(web::get().to(list))
                .route(web::post().to(create)),
        )
        .service(
            resource("/promoters/{id}")
                .route(web::get().to(get))
                .route(web::post().to(update))
                .route(web::delete().to(delete)),
        );
}

/// `GET /promoters?page=&pageSize=` (supreme): promoters by name. 200; 400; 401; 403.
#[utoipa::path(
    get,
    path = "/promoters",
    tag = "promoters",
    security(("bearer" = [])),
    params(
        ("page" = Option<u32>, Query, maximum = 1_000_000, description = "Zero-based page number (default 0)"),
        ("pageSize" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Items per page (default 10)"),
    ),
    responses(
        (status = 200, description = "One page of promoters by name", body = Envelope<PromoterPage>),
        (status = 400, response = InvalidParameters),
        (status = 401, response = Unauthenticated),
        (status = 403, response = SupremeUserRequired),
    )
)]
pub(crate) async fn list(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = state
        .promoters
        .list(&context(auth, &correlation), query.read()?)
        .await?;
    Ok(Reply::ok().json(
        &correlation,
        PromoterPage {
            promoters: page.items.iter().map(Promoter::from).collect(),
            pagination: page.pagination.into(),
        },
    ))
}

/// `POST /promoters` (supreme): 201 with `Location` and `ETag`; 400; 401; 403; 413; 415.
#[utoipa::path(
    post,
    path = "/promoters",
    tag = "promoters",
    security(("bearer" = [])),
    request_body = NewPromoter,
    responses(
        (
            status = 201,
            description = "Created",
            body = Envelope<Promoter>,
            headers(("Location" = String), ("ETag" = String)),
        ),
        (status = 400, response = InvalidBody),
        (status = 401, response = Unauthenticated),
        (status = 403, response = SupremeUserRequired),
    )
)]
pub(crate) async fn create(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let promoter = state
        .promoters
        .create(&context(auth, &correlation), &body)
        .await?;
    Ok(Reply::created(format!("/promoters/{}", promoter.id))
        .etag(promoter.version)
        .json(&correlation, Promoter::from(&promoter)))
}

/// `GET /promoters/{id}` (supreme): the promoter, with `ETag`. 200; 400; 401; 403; 404.
#[utoipa::path(
    get,
    path = "/promoters/{id}",
    tag = "promoters",
    security(("bearer" = [])),
    params(("id" = ObjectId, Path)),
    responses(
        (status = 200, description = "The promoter", body = Envelope<Promoter>, headers(("ETag" = String))),
        (status = 400, response = InvalidParameters),
        (status = 401, response = Unauthenticated),
        (status = 403, response = SupremeUserRequired),
        (status = 404, response = PromoterNotFound),
    )
)]
pub(crate) async fn get(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = extract::promoter_id(&path)?;
    let promoter = state
        .promoters
        .get(&context(auth, &correlation), &id)
        .await?;
    Ok(Reply::ok()
        .etag(promoter.version)
        .json(&correlation, Promoter::from(&promoter)))
}

/// `POST /promoters/{id}` (supreme): merge update, `If-Match`. 200 with `ETag`; 400; 401; 403;
/// 404; 409; 413; 415.
#[utoipa::path(
    post,
    path = "/promoters/{id}",
    tag = "promoters",
    security(("bearer" = [])),
    params(
        ("id" = ObjectId, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version the change is based on"),
    ),
    request_body(
        content = PromoterPatch,
        description = "JSON merge patch (`privacyUrls` is replaced as a whole)",
    ),
    responses(
        (status = 200, description = "The updated promoter", body = Envelope<Promoter>, headers(("ETag" = String))),
        (status = 400, response = InvalidBody),
        (status = 401, response = Unauthenticated),
        (status = 403, response = SupremeUserRequired),
        (status = 404, response = PromoterNotFound),
        (status = 409, response = VersionConflict),
    )
)]
pub(crate) async fn update(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let id = extract::promoter_id(&path)?;
    let if_match = extract::if_match(&req)?;
    let promoter = state
        .promoters
        .update(&context(auth, &correlation), &id, &body, if_match)
        .await?;
    Ok(Reply::ok()
        .etag(promoter.version)
        .json(&correlation, Promoter::from(&promoter)))
}

/// `DELETE /promoters/{id}` (supreme): 204 without a body. 400; 401; 403; 404.
#[utoipa::path(
    delete,
    path = "/promoters/{id}",
    tag = "promoters",
    security(("bearer" = [])),
    params(("id" = ObjectId, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, response = InvalidParameters),
        (status = 401, response = Unauthenticated),
        (status = 403, response = SupremeUserRequired),
        (status = 404, response = PromoterNotFound),
    )
)]
pub(crate) async fn delete(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = extract::promoter_id(&path)?;
    state
        .promoters
        .delete(&context(auth, &correlation), &id)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
