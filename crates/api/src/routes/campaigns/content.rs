//! A campaign's FAQs, terms and contacts.

use actix_web::{HttpRequest, HttpResponse, web};
use campaign_domain::serde_json::Value;
use serde::{Deserialize, Serialize};

use super::{context, locale};
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::http::correlation::Correlation;
use crate::http::envelope::Reply;
use crate::http::extract;
use crate::state::AppState;

/// `?locale=`.
#[derive(Debug, Deserialize)]
pub(crate) struct LocaleParam {
    locale: Option<String>,
}

/// `GET /campaigns/{id}/faqs?locale=`: the FAQ layout for the locale. 200; 400; 401; 403; 404.
#[utoipa::path(get, path = "/campaigns/{id}/faqs", tag = "campaigns", security(("bearer" = [])), params(("id" = String, Path), ("locale" = Option<String>, Query, description = "One of the campaign's locales; default locale when absent")), responses((status = 200, description = "The FAQ layout", body = crate::openapi::schemas::FaqLayoutEnvelope), (status = 400, description = "VALIDATION_ERROR", body = crate::openapi::schemas::ErrorEnvelope), (status = 401, description = "UNAUTHENTICATED", body = crate::openapi::schemas::ErrorEnvelope), (status = 403, description = "UNAUTHORIZED", body = crate::openapi::schemas::ErrorEnvelope), (status = 404, description = "CAMPAIGN_NOT_FOUND", body = crate::openapi::schemas::ErrorEnvelope)))]
pub(crate) async fn faqs(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<LocaleParam>,
) -> Result<HttpResponse, ApiError> {
    let id = extract::campaign_id(&path)?;
    let locale = locale(query.locale.as_deref())?;
    let layout = state
        .campaigns
        .faqs(&context(auth, &correlation), &id, locale.as_ref())
        .await?;
    Ok(Reply::ok().json(&correlation, layout))
}

/// `POST /campaigns/{id}/faqs?locale=`: replace the locale's FAQ map; returns it. 200; 400;
/// 401; 403; 404; 409; 413; 415.
#[utoipa::path(post, path = "/campaigns/{id}/faqs", tag = "campaigns", security(("bearer" = [])), params(("id" = String, Path), ("locale" = Option<String>, Query), ("If-Match" = Option<String>, Header, description = "ETag of the campaign version the change is based on")), request_body(content = std::collections::BTreeMap<String, crate::openapi::schemas::FaqDoc>, description = "FAQ entries keyed by UUID"), responses((status = 200, description = "The locale's FAQ map", body = crate::openapi::schemas::FaqMapEnvelope), (status = 400, description = "VALIDATION_ERROR, MALFORMED_JSON", body = crate::openapi::schemas::ErrorEnvelope), (status = 401, description = "UNAUTHENTICATED", body = crate::openapi::schemas::ErrorEnvelope), (status = 403, description = "UNAUTHORIZED", body = crate::openapi::schemas::ErrorEnvelope), (status = 404, description = "CAMPAIGN_NOT_FOUND", body = crate::openapi::schemas::ErrorEnvelope), (status = 409, description = "VERSION_CONFLICT", body = crate::openapi::schemas::ErrorEnvelope), (status = 413, description = "PAYLOAD_TOO_LARGE", body = crate::openapi::schemas::ErrorEnvelope), (status = 415, description = "UNSUPPORTED_MEDIA_TYPE", body = crate::openapi::schemas::ErrorEnvelope)))]
pub(crate) async fn set_faqs(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<LocaleParam>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let id = extract::campaign_id(&path)?;
    let locale = locale(query.locale.as_deref())?;
    let if_match = extract::if_match(&req)?;
    let faqs = state
        .campaigns
        .set_faqs(
            &context(auth, &correlation),
            &id,
            locale.as_ref(),
            &body,
            if_match,
        )
        .await?;
    Ok(Reply::ok()
        .etag(faqs.version)
        .json(&correlation, faqs.value))
}

#[derive(Debug, Serialize)]
struct Terms {
    terms: Option<String>,
}

/// `GET /campaigns/{id}/terms?locale=`: `{terms}`. 200; 400; 401; 403; 404.
#[utoipa::path(get, path = "/campaigns/{id}/terms", tag = "campaigns", security(("bearer" = [])), params(("id" = String, Path), ("locale" = Option<String>, Query)), responses((status = 200, description = "The locale's terms", body = crate::openapi::schemas::TermsEnvelope), (status = 400, description = "VALIDATION_ERROR", body = crate::openapi::schemas::ErrorEnvelope), (status = 401, description = "UNAUTHENTICATED", body = crate::openapi::schemas::ErrorEnvelope), (status = 403, description = "UNAUTHORIZED", body = crate::openapi::schemas::ErrorEnvelope), (status = 404, description = "CAMPAIGN_NOT_FOUND", body = crate::openapi::schemas::ErrorEnvelope)))]
pub(crate) async fn terms(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<LocaleParam>,
) -> Result<HttpResponse, ApiError> {
    let id = extract::campaign_id(&path)?;
    let locale = locale(query.locale.as_deref())?;
    let terms = state
        .campaigns
        .terms(&context(auth, &correlation), &id, locale.as_ref())
        .await?;
    Ok(Reply::ok().json(&correlation, Terms { terms }))
}

/// `POST /campaigns/{id}/terms?locale=` with `{"terms": "..."}`: replace; returns `{terms}`.
#[utoipa::path(post, path = "/campaigns/{id}/terms", tag = "campaigns", security(("bearer" = [])), params(("id" = String, Path), ("locale" = Option<String>, Query), ("If-Match" = Option<String>, Header, description = "ETag of the campaign version the change is based on")), request_body = crate::openapi::schemas::TermsDoc, responses((status = 200, description = "The locale's terms", body = crate::openapi::schemas::TermsEnvelope), (status = 400, description = "VALIDATION_ERROR, MALFORMED_JSON", body = crate::openapi::schemas::ErrorEnvelope), (status = 401, description = "UNAUTHENTICATED", body = crate::openapi::schemas::ErrorEnvelope), (status = 403, description = "UNAUTHORIZED", body = crate::openapi::schemas::ErrorEnvelope), (status = 404, description = "CAMPAIGN_NOT_FOUND", body = crate::openapi::schemas::ErrorEnvelope), (status = 409, description = "VERSION_CONFLICT", body = crate::openapi::schemas::ErrorEnvelope), (status = 413, description = "PAYLOAD_TOO_LARGE", body = crate::openapi::schemas::ErrorEnvelope), (status = 415, description = "UNSUPPORTED_MEDIA_TYPE", body = crate::openapi::schemas::ErrorEnvelope)))]
pub(crate) async fn set_terms(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<LocaleParam>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let id = extract::campaign_id(&path)?;
    let locale = locale(query.locale.as_deref())?;
    let if_match = extract::if_match(&req)?;
    let terms = state
        .campaigns
        .set_terms(
            &context(auth, &correlation),
            &id,
            locale.as_ref(),
            &body,
            if_match,
        )
        .await?;
    Ok(Reply::ok().etag(terms.version).json(
        &correlation,
        Terms {
            terms: Some(terms.value),
        },
    ))
}

/// `GET /campaigns/{id}/contacts`: the campaign's contacts. 200; 400; 401; 403; 404.
#[utoipa::path(get, path = "/campaigns/{id}/contacts", tag = "campaigns", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, description = "The campaign's contacts", body = crate::openapi::schemas::ContactsEnvelope), (status = 400, description = "VALIDATION_ERROR", body = crate::openapi::schemas::ErrorEnvelope), (status = 401, description = "UNAUTHENTICATED", body = crate::openapi::schemas::ErrorEnvelope), (status = 403, description = "UNAUTHORIZED", body = crate::openapi::schemas::ErrorEnvelope), (status = 404, description = "CAMPAIGN_NOT_FOUND", body = crate::openapi::schemas::ErrorEnvelope)))]
pub(crate) async fn contacts(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = extract::campaign_id(&path)?;
    let contacts = state
        .campaigns
        .contacts(&context(auth, &correlation), &id)
        .await?;
    Ok(Reply::ok().json(&correlation, contacts))
}

/// `POST /campaigns/{id}/contacts` with `[{id?, name, email, role, keywords}]`: upsert and link;
/// returns the resolved list. 200; 400; 401; 403; 404; 409; 413; 415.
#[utoipa::path(post, path = "/campaigns/{id}/contacts", tag = "campaigns", security(("bearer" = [])), params(("id" = String, Path), ("If-Match" = Option<String>, Header, description = "ETag of the campaign version the change is based on")), request_body = Vec<crate::openapi::schemas::ContactDoc>, responses((status = 200, description = "The resolved contacts", body = crate::openapi::schemas::ContactsEnvelope), (status = 400, description = "VALIDATION_ERROR, MALFORMED_JSON", body = crate::openapi::schemas::ErrorEnvelope), (status = 401, description = "UNAUTHENTICATED", body = crate::openapi::schemas::ErrorEnvelope), (status = 403, description = "UNAUTHORIZED (needs write; a contact sent with an id must be one this campaign links, unless supreme)", body = crate::openapi::schemas::ErrorEnvelope), (status = 404, description = "CAMPAIGN_NOT_FOUND", body = crate::openapi::schemas::ErrorEnvelope), (status = 409, description = "VERSION_CONFLICT", body = crate::openapi::schemas::ErrorEnvelope), (status = 413, description = "PAYLOAD_TOO_LARGE", body = crate::openapi::schemas::ErrorEnvelope), (status = 415, description = "UNSUPPORTED_MEDIA_TYPE", body = crate::openapi::schemas::ErrorEnvelope)))]
pub(crate) async fn set_contacts(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let id = extract::campaign_id(&path)?;
    let if_match = extract::if_match(&req)?;
    let contacts = state
        .campaigns
        .set_contacts(&context(auth, &correlation), &id, &body, if_match)
        .await?;
    Ok(Reply::ok()
        .etag(contacts.version)
        .json(&correlation, contacts.value))
}
