//! A campaign's FAQs, terms and contacts.

use std::borrow::Cow;

use actix_web::{HttpRequest, HttpResponse, web};
use campaign_domain::serde_json::Value;
use campaign_http_types::Envelope;
use campaign_http_types::campaign::{self, FaqsById};
use campaign_http_types::content::{CampaignContacts, FaqLayout, NewContacts, NewTerms, Terms};
use campaign_http_types::values::{Locale, ObjectId};
use serde::Deserialize;

use super::{context, locale};
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::http::correlation::Correlation;
use crate::http::envelope::Reply;
use crate::http::extract;
use crate::openapi::responses::{
    CampaignNotFound, InvalidBody, InvalidParameters, PayloadTooLarge, Unauthenticated,
    Unauthorized, UnsupportedMediaType, VersionConflict,
};
use crate::state::AppState;

/// `?locale=`.
#[derive(Debug, Deserialize)]
pub(crate) struct LocaleParam {
    locale: Option<String>,
}

/// `GET /campaigns/{id}/faqs?locale=`: the FAQ layout for the locale. 200; 400; 401; 403; 404.
#[utoipa::path(
    get,
    path = "/campaigns/{id}/faqs",
    tag = "campaigns",
    security(("bearer" = [])),
    params(
        ("id" = ObjectId, Path, description = "Campaign id"),
        (
            "locale" = Option<Locale>,
            Query,
            description = "Entries in this locale, else in the default locale (the default locale when absent)",
        ),
    ),
    responses(
        (status = 200, description = "The FAQ layout of the campaign's pages", body = Envelope<FaqLayout>),
        (status = 400, response = InvalidParameters),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Unauthorized),
        (status = 404, response = CampaignNotFound),
    )
)]
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
    Ok(Reply::ok().json(&correlation, FaqLayout::from(&layout)))
}

/// `POST /campaigns/{id}/faqs?locale=`: replace the locale's FAQ map; returns it. 200; 400;
/// 401; 403; 404; 409; 413; 415.
#[utoipa::path(
    post,
    path = "/campaigns/{id}/faqs",
    tag = "campaigns",
    security(("bearer" = [])),
    params(
        ("id" = ObjectId, Path, description = "Campaign id"),
        (
            "locale" = Option<Locale>,
            Query,
            description = "One of the campaign's locales (the default locale when absent)",
        ),
        ("If-Match" = Option<String>, Header, description = "ETag of the campaign version the change is based on"),
    ),
    request_body(
        content = FaqsById,
        description = "The locale's FAQ entries keyed by id, replacing all of them",
    ),
    responses(
        (
            status = 200,
            description = "The locale's FAQ entries",
            body = Envelope<FaqsById>,
            headers(("ETag" = String, description = "The campaign's new version")),
        ),
        (status = 400, response = InvalidBody),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Unauthorized),
        (status = 404, response = CampaignNotFound),
        (status = 409, response = VersionConflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
    )
)]
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
        .json(&correlation, campaign::faqs(&faqs.value)))
}

/// `GET /campaigns/{id}/terms?locale=`: `{terms}`. 200; 400; 401; 403; 404.
#[utoipa::path(
    get,
    path = "/campaigns/{id}/terms",
    tag = "campaigns",
    security(("bearer" = [])),
    params(
        ("id" = ObjectId, Path, description = "Campaign id"),
        (
            "locale" = Option<Locale>,
            Query,
            description = "One of the campaign's locales (the default locale when absent)",
        ),
    ),
    responses(
        (status = 200, description = "The locale's terms", body = Envelope<Terms>),
        (status = 400, response = InvalidParameters),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Unauthorized),
        (status = 404, response = CampaignNotFound),
    )
)]
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
    Ok(Reply::ok().json(
        &correlation,
        Terms {
            terms: terms.as_deref().map(Cow::Borrowed),
        },
    ))
}

/// `POST /campaigns/{id}/terms?locale=` with `{"terms": "..."}`: replace; returns `{terms}`.
#[utoipa::path(
    post,
    path = "/campaigns/{id}/terms",
    tag = "campaigns",
    security(("bearer" = [])),
    params(
        ("id" = ObjectId, Path, description = "Campaign id"),
        (
            "locale" = Option<Locale>,
            Query,
            description = "One of the campaign's locales (the default locale when absent)",
        ),
        ("If-Match" = Option<String>, Header, description = "ETag of the campaign version the change is based on"),
    ),
    request_body = NewTerms,
    responses(
        (
            status = 200,
            description = "The locale's terms",
            body = Envelope<Terms>,
            headers(("ETag" = String, description = "The campaign's new version")),
        ),
        (status = 400, response = InvalidBody),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Unauthorized),
        (status = 404, response = CampaignNotFound),
        (status = 409, response = VersionConflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
    )
)]
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
            terms: Some(Cow::Borrowed(&terms.value)),
        },
    ))
}

/// `GET /campaigns/{id}/contacts`: the campaign's contacts. 200; 400; 401; 403; 404.
#[utoipa::path(
    get,
    path = "/campaigns/{id}/contacts",
    tag = "campaigns",
    security(("bearer" = [])),
    params(("id" = ObjectId, Path, description = "Campaign id")),
    responses(
        (status = 200, description = "The campaign's contacts, in its order", body = Envelope<CampaignContacts>),
        (status = 400, response = InvalidParameters),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Unauthorized),
        (status = 404, response = CampaignNotFound),
    )
)]
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
    Ok(Reply::ok().json(&correlation, CampaignContacts::from(&contacts[..])))
}

/// `POST /campaigns/{id}/contacts` with `[{id?, name, email, role, keywords}]`: upsert and link;
/// returns the resolved list. 200; 400; 401; 403; 404; 409; 413; 415.
#[utoipa::path(
    post,
    path = "/campaigns/{id}/contacts",
    tag = "campaigns",
    security(("bearer" = [])),
    params(
        ("id" = ObjectId, Path, description = "Campaign id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the campaign version the change is based on"),
    ),
    request_body = NewContacts,
    responses(
        (
            status = 200,
            description = "The campaign's contacts, resolved, in the body's order",
            body = Envelope<CampaignContacts>,
            headers(("ETag" = String, description = "The campaign's new version")),
        ),
        (status = 400, response = InvalidBody),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Unauthorized),
        (status = 404, response = CampaignNotFound),
        (status = 409, response = VersionConflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
    )
)]
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
        .json(&correlation, CampaignContacts::from(&contacts.value[..])))
}
