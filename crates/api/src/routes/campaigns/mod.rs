//! Campaign routes (SPEC §6 "Campaigns"). Literal paths (`/campaigns/list`, `/status`,
//! `/refresh`, `/events`, `/ids`, `/categoryIds`, `/eventIds`) are registered before
//! `/campaigns/{id}` so they are never read as ids.

pub(crate) mod content;
pub(crate) mod queries;
pub(crate) mod read;
pub(crate) mod write;

use actix_web::web;
use campaign_domain::campaign::LocaleSelection;
use campaign_domain::values::Locale;

use super::{context, resource};
use crate::error::ApiError;
use crate::http::extract;

pub(super) fn configure(config: &mut web::ServiceConfig) {
    config
        .service(
            resource("/campaigns")
                .route(web::get().to(read::by_domain))
                .route(web::post().to(write::create)),
        )
        .service(resource("/campaigns/status").route(web::get().to(read::status_by_domain)))
        .service(resource("/campaigns/list").route(web::get().to(read::list)))
        .service(resource("/campaigns/refresh").route(web::post().to(write::refresh)))
        .service(resource("/campaigns/events").route(web::get().to(queries::by_event)))
        .service(resource("/campaigns/ids").route(web::get().to(queries::ids_by_category)))
        .service(resource("/campaigns/categoryIds").route(web::get().to(queries::category_ids)))
        .service(resource("/campaigns/eventIds").route(web::get().to(queries::event_ids)))
        .service(
            resource("/campaigns/{id}")
                .route(web::get().to(read::by_id))
                .route(web::post().to(write::update)),
        )
        .service(resource("/campaigns/{id}/status").route(web::get().to(read::status)))
        .service(
            resource("/campaigns/{id}/faqs")
                .route(web::get().to(content::faqs))
                .route(web::post().to(content::set_faqs)),
        )
        .service(
            resource("/campaigns/{id}/terms")
                .route(web::get().to(content::terms))
                .route(web::post().to(content::set_terms)),
        )
        .service(
            resource("/campaigns/{id}/contacts")
                .route(web::get().to(content::contacts))
                .route(web::post().to(content::set_contacts)),
        );
}

/// The `locale` query parameter, validated.
fn locale(raw: Option<&str>) -> Result<Option<Locale>, ApiError> {
    raw.filter(|l| !l.is_empty())
        .map(|l| extract::parse("locale", l, Locale::parse))
        .transpose()
}

/// `locale` and `showAllLocales` as a selection.
fn selection(
    locale_raw: Option<&str>,
    show_all_raw: Option<&str>,
) -> Result<LocaleSelection, ApiError> {
    let locale = locale(locale_raw)?;
    Ok(if extract::flag("showAllLocales", show_all_raw)? {
        LocaleSelection::All
    } else {
        LocaleSelection::One(locale)
    })
}
