//! Contact search (SPEC §6, supreme only). A campaign's own contacts are under
//! `/campaigns/{id}/contacts`.

use actix_web::{HttpResponse, web};
use campaign_app::contacts::ContactSearch;
use campaign_domain::contact::Contact;
use campaign_domain::paging::Pagination;
use serde::{Deserialize, Serialize};

use super::{context, resource};
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::http::correlation::Correlation;
use crate::http::envelope::Reply;
use crate::state::AppState;

pub(super) fn configure(config: &mut web::ServiceConfig) {
    config.service(resource("/contacts").route(web::get().to(search)));
}

/// `?q=&page=&pageSize=`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SearchQuery {
    q: Option<String>,
    page: Option<String>,
    page_size: Option<String>,
}

#[derive(Debug, Serialize)]
struct Contacts {
    contacts: Vec<Contact>,
    pagination: Pagination,
}

/// `GET /contacts?q=&page=&pageSize=` (supreme): contacts whose name, e-mail or a keyword
/// contains `q`. 200; 400; 401; 403.
#[utoipa::path(get, path = "/contacts", tag = "contacts", security(("bearer" = [])), params(("q" = Option<String>, Query, description = "Case-insensitive literal text (at most 200 characters) to find in name, e-mail or keywords; absent lists every contact"), ("page" = Option<u32>, Query), ("pageSize" = Option<u32>, Query, description = "1-100, default 10")), responses((status = 200, description = "One page of contacts by name", body = crate::openapi::schemas::ContactListEnvelope), (status = 400, description = "VALIDATION_ERROR", body = crate::openapi::schemas::ErrorEnvelope), (status = 401, description = "UNAUTHENTICATED", body = crate::openapi::schemas::ErrorEnvelope), (status = 403, description = "SUPREME_USER_REQUIRED", body = crate::openapi::schemas::ErrorEnvelope)))]
pub(crate) async fn search(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let params = ContactSearch {
        q: q.q,
        page: q.page,
        page_size: q.page_size,
    };
    let page = state
        .contacts
        .search(&context(auth, &correlation), &params)
        .await?;
    Ok(Reply::ok().json(
        &correlation,
        Contacts {
            contacts: page.items,
            pagination: page.pagination,
        },
    ))
}
