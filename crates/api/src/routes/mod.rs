//! The HTTP routes, one module per resource. Handlers stay thin: extract, call one use case,
//! wrap the result in the envelope. Every path is a `web::resource` whose unmatched methods
//! answer 405 in the error envelope, with the `Allow` header listing the methods it has (RFC 9110
//! §15.5.6); unknown paths answer 404.

pub(crate) mod campaigns;
pub(crate) mod contacts;
pub(crate) mod events;
pub(crate) mod markets;
pub(crate) mod outbox;
pub(crate) mod promoters;
pub(crate) mod search;
pub(crate) mod system;

use actix_web::{HttpResponse, web};
use campaign_app::RequestContext;

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::http::correlation::Correlation;

/// Registers every route on the application.
pub(crate) fn configure(config: &mut web::ServiceConfig) {
    system::configure(config);
    campaigns::configure(config);
    markets::configure(config);
    promoters::configure(config);
    contacts::configure(config);
    events::configure(config);
    search::configure(config);
    outbox::configure(config);
}

/// The use-case context of an authenticated request.
pub(crate) fn context(auth: Authenticated, correlation: &Correlation) -> RequestContext {
    RequestContext::new(auth.0, correlation.0.clone())
}

/// The answer for an unknown path.
pub(crate) async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::RouteNotFound)
}

/// A resource at `path` that answers 405 for methods it has no route for.
///
/// That answer is actix-web's own default service of a resource: a bare 405 with `Allow` set to
/// the methods of the resource's routes (only actix-web sees which method guards it tried), which
/// the pipeline turns into the `METHOD_NOT_ALLOWED` error envelope, keeping the header. No
/// `default_service` of ours: it could not know the methods. HEAD is not in the list: no route
/// answers it (a HEAD request is a 405 like any other method).
pub(crate) fn resource(path: &str) -> actix_web::Resource {
    web::resource(path)
}
