//! Promoter routes (SPEC §6, supreme only): list, create, read, update, delete.

use actix_web::{HttpRequest, HttpResponse, web};
use campaign_domain::paging::Pagination;
use campaign_domain::promoter::Promoter;
use campaign_domain::serde_json::Value;
use serde::{Deserialize, Serialize};

use super::{context, resource};
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::http::correlation::Correlation;
use crate::http::envelope::Reply;
use crate::http::extract;
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

/// `?page=&pageSize=`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PageQuery {
    pub(crate) page: Option<String>,
    pub(crate) page_size: Option<String>,
}

#[derive(Debug, Serialize)]
struct Promoters {
    promoters: Vec<Promoter>,
    pagination: Pagination,
}

/// `GET /promoters?page=&pageSize=` (supreme): promoters by name. 200; 400; 401; 403.
#[utoipa::path(get, path = "/promoters", tag = "promoters", security(("bearer" = [])), params(("page" = Option<u32>, Query), ("pageSize" = Option<u32>, Query, description = "1-100, default 10")), responses((status = 200, description = "One page of promoters by name", body = crate::openapi::schemas::PromoterListEnvelope), (status = 400, description = "VALIDATION_ERROR", body = crate::openapi::schemas::ErrorEnvelope), (status = 401, description = "UNAUTHENTICATED", body = crate::openapi::schemas::ErrorEnvelope), (status = 403, description = "SUPREME_USER_REQUIRED", body = crate::openapi::schemas::ErrorEnvelope)))]
pub(crate) async fn list(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = state
        .promoters
        .list(
            &context(auth, &correlation),
            query.page.as_deref(),
            query.page_size.as_deref(),
        )
        .await?;
    Ok(Reply::ok().json(
        &correlation,
        Promoters {
            promoters: page.items,
            pagination: page.pagination,
        },
    ))
}

/// `POST /promoters` (supreme): 201 with `Location` and `ETag`; 400; 401; 403; 413; 415.
#[utoipa::path(post, path = "/promoters", tag = "promoters", security(("bearer" = [])), request_body = crate::openapi::schemas::PromoterDoc, responses((status = 201, description = "Created; `Location` and `ETag` headers", body = crate::openapi::schemas::PromoterEnvelope), (status = 400, description = "VALIDATION_ERROR, MALFORMED_JSON", body = crate::openapi::schemas::ErrorEnvelope), (status = 401, description = "UNAUTHENTICATED", body = crate::openapi::schemas::ErrorEnvelope), (status = 403, description = "SUPREME_USER_REQUIRED", body = crate::openapi::schemas::ErrorEnvelope), (status = 413, description = "PAYLOAD_TOO_LARGE", body = crate::openapi::schemas::ErrorEnvelope), (status = 415, description = "UNSUPPORTED_MEDIA_TYPE", body = crate::openapi::schemas::ErrorEnvelope)))]
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
        .json(&correlation, &promoter))
}

/// `GET /promoters/{id}` (supreme): the promoter, with `ETag`. 200; 400; 401; 403; 404.
#[utoipa::path(get, path = "/promoters/{id}", tag = "promoters", security(("bearer" = [])), params(("id" = String, Path, description = "24 hexadecimal characters")), responses((status = 200, description = "The promoter; `ETag` header", body = crate::openapi::schemas::PromoterEnvelope), (status = 400, description = "VALIDATION_ERROR", body = crate::openapi::schemas::ErrorEnvelope), (status = 401, description = "UNAUTHENTICATED", body = crate::openapi::schemas::ErrorEnvelope), (status = 403, description = "SUPREME_USER_REQUIRED", body = crate::openapi::schemas::ErrorEnvelope), (status = 404, description = "PROMOTER_NOT_FOUND", body = crate::openapi::schemas::ErrorEnvelope)))]
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
        .json(&correlation, &promoter))
}

/// `POST /promoters/{id}` (supreme): merge update, `If-Match`. 200 with `ETag`; 400; 401; 403;
/// 404; 409; 413; 415.
#[utoipa::path(post, path = "/promoters/{id}", tag = "promoters", security(("bearer" = [])), params(("id" = String, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version the change is based on")), request_body(content = crate::openapi::schemas::PromoterDoc, description = "JSON merge patch (`privacyUrls` is replaced as a whole)"), responses((status = 200, description = "The updated promoter; `ETag` header", body = crate::openapi::schemas::PromoterEnvelope), (status = 400, description = "VALIDATION_ERROR, MALFORMED_JSON", body = crate::openapi::schemas::ErrorEnvelope), (status = 401, description = "UNAUTHENTICATED", body = crate::openapi::schemas::ErrorEnvelope), (status = 403, description = "SUPREME_USER_REQUIRED", body = crate::openapi::schemas::ErrorEnvelope), (status = 404, description = "PROMOTER_NOT_FOUND", body = crate::openapi::schemas::ErrorEnvelope), (status = 409, description = "VERSION_CONFLICT", body = crate::openapi::schemas::ErrorEnvelope), (status = 413, description = "PAYLOAD_TOO_LARGE", body = crate::openapi::schemas::ErrorEnvelope), (status = 415, description = "UNSUPPORTED_MEDIA_TYPE", body = crate::openapi::schemas::ErrorEnvelope)))]
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
        .json(&correlation, &promoter))
}

/// `DELETE /promoters/{id}` (supreme): 204 without a body. 400; 401; 403; 404.
#[utoipa::path(delete, path = "/promoters/{id}", tag = "promoters", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 204, description = "Deleted"), (status = 400, description = "VALIDATION_ERROR", body = crate::openapi::schemas::ErrorEnvelope), (status = 401, description = "UNAUTHENTICATED", body = crate::openapi::schemas::ErrorEnvelope), (status = 403, description = "SUPREME_USER_REQUIRED", body = crate::openapi::schemas::ErrorEnvelope), (status = 404, description = "PROMOTER_NOT_FOUND", body = crate::openapi::schemas::ErrorEnvelope)))]
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
