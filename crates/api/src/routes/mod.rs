//! The HTTP routes, one module per resource. Handlers stay thin: extract, call a use case, wrap
//! the result in the envelope.

mod heartbeat;

use actix_web::web::ServiceConfig;

/// Registers every route on the application.
pub(crate) fn configure(config: &mut ServiceConfig) {
    config.service(heartbeat::heartbeat);
}
