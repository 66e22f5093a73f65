//! Contact search (SPEC §6, supreme only). A campaign's own contacts are under
//! `/campaigns/{id}/contacts`.

use actix_web::{HttpResponse, web};
use campaign_app::contacts::{self, ContactSearch};
use campaign_http_types::Envelope;
use campaign_http_types::contact::{Contact, ContactPage};

use super::{context, resource};
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::http::correlation::Correlation;
use crate::http::envelope::Reply;
use crate::http::query::SearchQuery;
use crate::openapi::responses::{InvalidParameters, SupremeUserRequired, Unauthenticated};
use crate::state::AppState;

pub(super) fn configure(config: &mut web::ServiceConfig) {
    config.service(resource("/contacts").route(web::get().to(search)));
}

/// `GET /contacts?q=&page=&pageSize=` (supreme): contacts whose name, e-mail or a keyword
/// contains `q`. 200; 400; 401; 403.
#[utoipa::path(
    get,
    path = "/contacts",
    tag = "contacts",
    security(("bearer" = [])),
    params(
        (
            "q" = Option<String>,
            Query,
            max_length = 200,
            description = "Case-insensitive literal text (at most 200 characters once trimmed) to find in name, e-mail or keywords; absent or blank lists every contact",
        ),
        ("page" = Option<u32>, Query, maximum = 1_000_000, description = "Zero-based page number (default 0)"),
        ("pageSize" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Items per page (default 10)"),
    ),
    responses(
        (status = 200, description = "One page of contacts by name", body = Envelope<ContactPage>),
        (status = 400, response = InvalidParameters),
        (status = 401, response = Unauthenticated),
        (status = 403, response = SupremeUserRequired),
    )
)]
pub(crate) async fn search(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    let (q, page) = query.read(contacts::MAX_QUERY_CHARS)?;
    let params = ContactSearch { q, page };
    let page = state
        .contacts
        .search(&context(auth, &correlation), &params)
        .await?;
    Ok(Reply::ok().json(
        &correlation,
        ContactPage {
            contacts: page.items.iter().map(Contact::from).collect(),
            pagination: page.pagination.into(),
        },
    ))
}
