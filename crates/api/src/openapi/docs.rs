//! The API reference page: Swagger UI at `GET /docs` (no token), reading this service's own
//! `GET /openapi.json`.
//!
//! Swagger UI's files are vendored in `utoipa-swagger-ui` (feature `vendored`: compiled into the
//! binary, nothing downloaded at build time) and served by the service under `/docs/`; the page
//! references nothing else, and its `Content-Security-Policy` lets the browser load and call
//! only this origin, so no request leaves for a CDN, and Swagger UI's online validator badge is
//! off. `/docs` and `/docs/` answer the page; `/docs/{file}` the files it loads (a name Swagger
//! UI does not ship answers 404, another method 405, as everywhere).

use std::sync::{Arc, LazyLock};

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use utoipa_swagger_ui::Config;

use crate::routes::resource;

/// Where the page is served.
pub(crate) const PATH: &str = "/docs";

/// The page's policy: scripts, styles, images and requests from this origin only (Swagger UI's
/// stylesheet draws its icons as `data:` SVGs and React sets inline styles); no plugins, no
/// framing, no `<base>` or form targets elsewhere.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
     connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The page: Swagger UI's own `index.html` with absolute paths, so that `/docs` (without the
/// trailing slash) finds its files too.
const PAGE: &str = r#"<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>campaign-service API reference</title>
    <link rel="stylesheet" type="text/css" href="/docs/swagger-ui.css">
    <link rel="stylesheet" type="text/css" href="/docs/index.css">
    <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
    <link rel="icon" type="image/png" href="/docs/favicon-16x16.png" sizes="16x16">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js" charset="utf-8"></script>
    <script src="/docs/swagger-ui-standalone-preset.js" charset="utf-8"></script>
    <script src="/docs/swagger-initializer.js" charset="utf-8"></script>
  </body>
</html>
"#;

/// Swagger UI's configuration, written into `swagger-initializer.js`: the document the service
/// already serves (not a second copy), no online validator (it would send the document to
/// validator.swagger.io), the base layout (no bar to explore other URLs).
static CONFIG: LazyLock<Arc<Config<'static>>> = LazyLock::new(|| {
    Arc::new(
        Config::from("/openapi.json")
            .validator_url("none")
            .use_base_layout()
            .display_request_duration(true),
    )
});

/// Registers `/docs`, `/docs/` and `/docs/{file}`.
pub(crate) fn configure(config: &mut web::ServiceConfig) {
    config
        .service(resource(PATH).route(web::get().to(page)))
        .service(resource("/docs/").route(web::get().to(page)))
        .service(resource("/docs/{file}").route(web::get().to(asset)));
}

/// `GET /docs`: the API reference page.
#[utoipa::path(
    get,
    path = "/docs",
    tag = "system",
    operation_id = "docs",
    responses(
        (
            status = 200,
            description = "The API reference page (Swagger UI over `/openapi.json`)",
            content_type = "text/html",
        ),
    ),
)]
pub(crate) async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(csp())
        .body(PAGE)
}

/// `GET /docs/{file}`: one of Swagger UI's files; `swagger-initializer.js` carries [`CONFIG`].
/// The others never change within a build and may be cached for an hour.
async fn asset(req: HttpRequest) -> HttpResponse {
    let name = req.match_info().get("file").unwrap_or_default();
    match utoipa_swagger_ui::serve(name, Arc::clone(&CONFIG)) {
        Ok(Some(file)) => {
            let mut res = HttpResponse::Ok();
            res.content_type(file.content_type).insert_header(csp());
            if name != "swagger-initializer.js" {
                res.insert_header((header::CACHE_CONTROL, "public, max-age=3600"));
            }
            res.body(file.bytes.into_owned())
        }
        // The pipeline writes the error envelope of either.
        Ok(None) => HttpResponse::NotFound().finish(),
        Err(error) => {
            tracing::error!(%error, file = name, "cannot serve a Swagger UI file");
            HttpResponse::InternalServerError().finish()
        }
    }
}

fn csp() -> (header::HeaderName, HeaderValue) {
    (
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_initializer_reads_the_served_document_without_the_online_validator() {
        let file = utoipa_swagger_ui::serve("swagger-initializer.js", Arc::clone(&CONFIG))
            .unwrap()
            .unwrap();
        let js = String::from_utf8(file.bytes.into_owned()).unwrap();
        assert!(js.contains(r#""url": "/openapi.json""#), "{js}");
        assert!(js.contains(r#""validatorUrl": "none""#), "{js}");
        assert!(!js.contains("petstore"), "{js}");
    }

    #[test]
    fn every_file_the_page_loads_is_vendored() {
        let mut referenced = 0;
        for reference in PAGE.split('"').filter(|s| s.starts_with("/docs/")) {
            let name = reference.trim_start_matches("/docs/");
            assert!(
                utoipa_swagger_ui::serve(name, Arc::clone(&CONFIG))
                    .unwrap()
                    .is_some(),
                "{name}"
            );
            referenced += 1;
        }
        assert_eq!(referenced, 7);
        assert!(!PAGE.contains("://"), "only this origin's files");
    }
}
