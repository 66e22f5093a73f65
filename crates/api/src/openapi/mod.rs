//! The OpenAPI 3 document of every endpoint, generated from the route handlers' annotations and
//! served at `GET /openapi.json` (no token), and the reference page that renders it at
//! `GET /docs` ([`docs`]).

pub(crate) mod docs;
mod links;
pub(crate) mod responses;

use std::collections::HashMap;
use std::sync::LazyLock;

use actix_web::HttpResponse;
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn, PathItem};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, Required};
use utoipa::{Modify, OpenApi};

use self::links::ResponseLinks;
use crate::routes;

/// Adds the bearer scheme every protected endpoint names.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Documents `Idempotency-Key` (SPEC §4.1) on every POST: the optional header parameter, and
/// the 409 and 422 answers it adds, and the 400 `VALIDATION_ERROR` a malformed key gets (on an
/// operation that documents no 400 of its own).
struct IdempotencyKeyHeader;

impl Modify for IdempotencyKeyHeader {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let shared = openapi
            .components
            .as_ref()
            .map(|c| c.responses.clone())
            .unwrap_or_default();
        for item in openapi.paths.paths.values_mut() {
            let Some(operation) = item.post.as_mut() else {
                continue;
            };
            operation
                .parameters
                .get_or_insert_with(Vec::new)
                .push(RefOr::T(idempotency_key_parameter()));
            for (status, component) in [
                ("409", "IdempotencyKeyInProgress"),
                ("422", "IdempotencyKeyReused"),
            ] {
                let responses = &mut operation.responses.responses;
                let own = match responses.get(status) {
                    None => None,
                    Some(RefOr::T(response)) => Some(response.description.clone()),
                    Some(RefOr::Ref(r)) => r
                        .ref_location
                        .rsplit('/')
                        .next()
                        .and_then(|name| shared.get(name))
                        .and_then(|response| match response {
                            RefOr::T(response) => Some(response.description.clone()),
                            RefOr::Ref(_) => None,
                        }),
                };
                let key = shared.get(component).and_then(|response| match response {
                    RefOr::T(response) => Some(response.description.clone()),
                    RefOr::Ref(_) => None,
                });
                let answer = match (own, key) {
                    // The operation's own answer at this status, or the key's: one of two.
                    (Some(own), Some(key)) => error_response(&format!("{own}; or {key}")),
                    _ => RefOr::Ref(Ref::new(format!("#/components/responses/{component}"))),
                };
                responses.insert(status.to_owned(), answer);
            }
            operation
                .responses
                .responses
                .entry("400".to_owned())
                .or_insert_with(|| error_response("VALIDATION_ERROR: a malformed Idempotency-Key"));
        }
    }
}

/// An error answer described by `description`, its body the error envelope.
fn error_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                Content::new(Some(Ref::from_schema_name("ErrorEnvelope"))),
            )
            .build(),
    )
}

/// States exactly what `If-Match` accepts on every operation that reads it (the routes name the
/// header; its schema is written once, here, from the reader's own pattern).
struct IfMatchHeader;

impl Modify for IfMatchHeader {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for operation in [item.post.as_mut(), item.delete.as_mut()]
                .into_iter()
                .flatten()
            {
                for parameter in operation.parameters.iter_mut().flatten() {
                    if let RefOr::T(parameter) = parameter
                        && parameter.name == "If-Match"
                        && parameter.parameter_in == ParameterIn::Header
                    {
                        parameter.required = Required::False;
                        parameter.schema = Some(
                            ObjectBuilder::new()
                                .schema_type(Type::String)
                                .pattern(Some(crate::http::extract::IF_MATCH_PATTERN))
                                .into(),
                        );
                    }
                }
            }
        }
    }
}

/// What every operation with a JSON body may also answer, declared once: 413 and 415 from the
/// body reader (`http/extract.rs`), and the 400 of a body that is not JSON.
struct BodyErrors;

impl Modify for BodyErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for operation in [item.post.as_mut(), item.put.as_mut(), item.patch.as_mut()]
                .into_iter()
                .flatten()
                .filter(|operation| operation.request_body.is_some())
            {
                let responses = &mut operation.responses.responses;
                for (status, component) in [
                    ("413", "PayloadTooLarge"),
                    ("415", "UnsupportedMediaType"),
                    ("400", "InvalidBody"),
                ] {
                    responses.entry(status.to_owned()).or_insert_with(|| {
                        RefOr::Ref(Ref::new(format!("#/components/responses/{component}")))
                    });
                }
            }
        }
    }
}

/// A blank optional query parameter counts as absent (`?page=` is page 0): every optional
/// query parameter's schema says so, beside what a present value must be.
struct BlankQueryValues;

impl Modify for BlankQueryValues {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for operation in [item.get.as_mut(), item.post.as_mut(), item.delete.as_mut()]
                .into_iter()
                .flatten()
            {
                for parameter in operation.parameters.iter_mut().flatten() {
                    let RefOr::T(parameter) = parameter else {
                        continue;
                    };
                    if parameter.parameter_in != ParameterIn::Query
                        || parameter.required == Required::True
                    {
                        continue;
                    }
                    if let Some(schema) = parameter.schema.take() {
                        let blank = ObjectBuilder::new()
                            .schema_type(Type::String)
                            .max_length(Some(0))
                            .description(Some("blank: as if absent"));
                        parameter.schema = Some(
                            utoipa::openapi::schema::AnyOfBuilder::new()
                                .item(schema)
                                .item(blank)
                                .into(),
                        );
                    }
                }
            }
        }
    }
}

fn idempotency_key_parameter() -> Parameter {
    ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "1-255 visible ASCII characters (0x21-0x7E). The first completed answer is kept for \
             24 h under (caller, key, method, path); a retry with the same body gets it again \
             with `Idempotency-Replayed: true` and changes nothing; another body gets 422 \
             IDEMPOTENCY_KEY_REUSED; a retry while the first still runs gets 409 \
             IDEMPOTENCY_KEY_IN_PROGRESS.",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(255))
                .pattern(Some("^[\\x21-\\x7E]{1,255}$")),
        ))
        .build()
}

/// Makes every `operationId` unique, as OpenAPI requires (client generators name their methods
/// after it; `cargo xtask openapi-check` fails on a duplicate). utoipa names an operation after
/// its handler function, and several resources have a `list`, `create`, `get`, `update` or
/// `delete`: an id that more than one operation shares becomes `<tag>_<id>` on each of them
/// (`markets_list`, `promoters_list`), or `<method>_<path>` if that still is not unique. Unique
/// ids, such as one an annotation sets with `operation_id`, are left as they are.
struct UniqueOperationIds;

impl Modify for UniqueOperationIds {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        rename_shared_operation_ids(openapi, |_, _, operation, id| {
            let tag = operation.tags.as_ref()?.first()?;
            Some(format!("{}_{id}", identifier(tag)))
        });
        rename_shared_operation_ids(openapi, |method, path, _, _| {
            Some(identifier(&format!("{method}{path}")))
        });
    }
}

/// Renames each operation whose id another operation has too, to what `rename` makes of it
/// (method, path, operation, id), when it makes something.
fn rename_shared_operation_ids(
    openapi: &mut utoipa::openapi::OpenApi,
    rename: impl Fn(&str, &str, &Operation, &str) -> Option<String>,
) {
    let mut uses: HashMap<String, usize> = HashMap::new();
    for item in openapi.paths.paths.values_mut() {
        for (_, operation) in operations_mut(item) {
            if let Some(id) = &operation.operation_id {
                *uses.entry(id.clone()).or_default() += 1;
            }
        }
    }
    for (path, item) in &mut openapi.paths.paths {
        for (method, operation) in operations_mut(item) {
            let Some(id) = operation.operation_id.as_deref() else {
                continue;
            };
            if uses.get(id).is_some_and(|&n| n > 1)
                && let Some(renamed) = rename(method, path, operation, id)
            {
                operation.operation_id = Some(renamed);
            }
        }
    }
}

/// The operations of a path item, with their methods.
fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = (&'static str, &mut Operation)> {
    [
        ("get", &mut item.get),
        ("put", &mut item.put),
        ("post", &mut item.post),
        ("delete", &mut item.delete),
        ("options", &mut item.options),
        ("head", &mut item.head),
        ("patch", &mut item.patch),
        ("trace", &mut item.trace),
        ("query", &mut item.query),
    ]
    .into_iter()
    .filter_map(|(method, operation)| Some((method, operation.as_mut()?)))
}

/// `text` as a snake_case identifier: ASCII letters and digits lower-cased, runs of anything
/// else one `_`, none at either end (`campaign queries` → `campaign_queries`,
/// `get/promoters/{id}` → `get_promoters_id`).
fn identifier(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join("_")
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "campaign-service",
        description = "Presale campaigns: configuration, lifecycle, localized content, markets. \
                       Success answers are `{data, meta}`; errors `{error: {type, message, correlation, details?}}`.",
    ),
    paths(
        routes::system::heartbeat,
        routes::system::ready,
        routes::system::prometheus,
        openapi_json,
        docs::page,
        routes::campaigns::write::create,
        routes::campaigns::read::by_domain,
        routes::campaigns::read::status_by_domain,
        routes::campaigns::read::list,
        routes::campaigns::write::refresh,
        routes::campaigns::read::by_id,
        routes::campaigns::write::update,
        routes::campaigns::read::status,
        routes::campaigns::content::faqs,
        routes::campaigns::content::set_faqs,
        routes::campaigns::content::terms,
        routes::campaigns::content::set_terms,
        routes::campaigns::content::contacts,
        routes::campaigns::content::set_contacts,
        routes::campaigns::queries::by_event,
        routes::campaigns::queries::ids_by_category,
        routes::campaigns::queries::category_ids,
        routes::campaigns::queries::event_ids,
        routes::markets::list,
        routes::markets::create,
        routes::markets::clone,
        routes::markets::get,
        routes::markets::update,
        routes::markets::delete,
        routes::markets::upcoming,
        routes::markets::notify_date,
        routes::markets::notifiable,
        routes::markets::notified,
        routes::events::list,
        routes::events::set_status,
        routes::contacts::search,
        routes::promoters::list,
        routes::promoters::create,
        routes::promoters::get,
        routes::promoters::update,
        routes::promoters::delete,
        routes::search::artists,
        routes::search::venues,
        routes::outbox::failed,
        routes::outbox::requeue,
    ),
    components(responses(
        responses::InvalidParameters,
        responses::InvalidBody,
        responses::Unauthenticated,
        responses::SupremeUserRequired,
        responses::Unauthorized,
        responses::CampaignNotFound,
        responses::PromoterNotFound,
        responses::MarketNotFound,
        responses::InvalidMarket,
        responses::TooManyRequests,
        responses::VersionConflict,
        responses::PayloadTooLarge,
        responses::UnsupportedMediaType,
        responses::DependencyUnavailable,
        responses::IdempotencyKeyInProgress,
        responses::IdempotencyKeyReused,
        responses::InvalidCampaign,
        responses::InvalidCampaignPassword,
        responses::TooManyPasswordAttempts,
        responses::InvalidPresaleRange,
    )),
    modifiers(
        &BearerAuth,
        &IdempotencyKeyHeader,
        &IfMatchHeader,
        &BodyErrors,
        &BlankQueryValues,
        &UniqueOperationIds,
        &ResponseLinks
    ),
    tags(
        (name = "system", description = "Liveness, readiness, metrics, this document and its reference page"),
        (name = "campaigns", description = "Campaigns, their status, content and contacts"),
        (name = "campaign queries", description = "Campaigns by event, category and presale window, for internal services; answers hold only the campaigns the caller may read"),
        (name = "markets", description = "Markets of a campaign"),
        (name = "reminders", description = "Reminder bookkeeping of markets (supreme only)"),
        (name = "events", description = "Ticketing event statuses (supreme only)"),
        (name = "contacts", description = "Contact search (supreme only)"),
        (name = "promoters", description = "Promoters (supreme only)"),
        (name = "search", description = "Artist and venue search through the Discovery API"),
        (name = "outbox", description = "Delivery of change messages: failed events and requeue (supreme only)"),
    )
)]
struct ApiDoc;

/// The document as JSON, built once.
static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    ApiDoc::openapi()
        .to_json()
        .unwrap_or_else(|_| "{}".to_owned())
});

/// The OpenAPI document.
pub(crate) fn document() -> &'static str {
    &DOCUMENT
}

/// `GET /openapi.json`: this service's OpenAPI 3 document.
#[utoipa::path(get, path = "/openapi.json", tag = "system", responses((status = 200, description = "The OpenAPI document", content_type = "application/json")))]
pub(crate) async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(document())
}

#[cfg(test)]
mod tests {
    use campaign_domain::campaign::CampaignInput;
    use campaign_domain::chrono::Utc;
    use campaign_domain::serde_json::{self, Value, json};
    use campaign_domain::values::CampaignId;

    use super::*;

    fn schema_properties(doc: &Value, name: &str) -> Vec<String> {
        doc["components"]["schemas"][name]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("schema {name} has properties"))
            .keys()
            .cloned()
            .collect()
    }

    #[test]
    fn every_field_a_campaign_serialises_is_documented() {
        let body = json!({
            "name": "n", "identifier": "i", "artist": {"id": "a", "name": "A", "discovery_id": "d",
            "image_url": "https://x.test/a.png", "adpUrl": "https://x.test", "fanclubName": "f"},
            "domain": {"site": "a.example.test", "preview": "p.example.test"}, "tour": {"name": "t"},
            "referenceTimezone": "UTC", "categoryId": "c", "eventIds": ["e"], "schema": {"version": 2},
            "date": {"open": "2030-01-01T00:00:00Z", "close": "2030-02-01T00:00:00Z",
                     "presaleWindowStart": "2030-01-05T00:00:00Z", "presaleWindowEnd": "2030-01-06T00:00:00Z"}
        });
        let mut campaign =
            CampaignInput::parse_new(&body, CampaignId::from_bytes([1; 12]), Utc::now())
                .unwrap()
                .campaign;
        campaign.date.opened = Some(Utc::now());
        campaign.date.closed = Some(Utc::now());
        campaign.date.inactivated = Some(Utc::now());
        let wire = serde_json::to_value(&campaign).unwrap();
        let doc: Value = serde_json::from_str(document()).unwrap();
        assert_documented(&doc, "Campaign", &wire);
        assert_documented(&doc, "CampaignDates", &wire["date"]);
        assert_documented(&doc, "Artist", &wire["artist"]);
        assert_documented(&doc, "Domains", &wire["domain"]);
        let view = serde_json::to_value(campaign.public_view()).unwrap();
        assert_documented(&doc, "PublicCampaign", &view);
        assert_documented(&doc, "PublicDates", &view["date"]);
        // What a client sends: every field of the body is a property of the create schema.
        assert_documented(&doc, "NewCampaign", &body);
        assert_documented(&doc, "NewCampaignDates", &body["date"]);
        assert_documented(&doc, "CampaignPatch", &body);
        for (path, body) in [
            ("/campaigns", "NewCampaign"),
            ("/campaigns/{id}", "CampaignPatch"),
        ] {
            let request = &doc["paths"][path]["post"]["requestBody"]["content"];
            assert_eq!(
                request["application/json"]["schema"]["$ref"],
                format!("#/components/schemas/{body}"),
                "POST {path}"
            );
        }
    }

    /// Fails unless every key of `wire` is a property of schema `name`.
    fn assert_documented(doc: &Value, name: &str, wire: &Value) {
        let documented = schema_properties(doc, name);
        for key in wire.as_object().unwrap().keys() {
            assert!(
                documented.contains(key),
                "field {key} is not in the OpenAPI schema {name}"
            );
        }
    }

    #[test]
    fn every_field_a_market_and_a_promoter_serialise_is_documented() {
        use campaign_domain::market::Market;
        use campaign_domain::promoter::Promoter;
        use campaign_domain::values::{MarketId, PromoterId};

        let body = json!({
            "name": "NYC", "city": "New York", "state": "NY", "timezone": "America/New_York",
            "point": {"type": "Point", "coordinates": [-73.98, 40.75]}, "population": 1,
            "promoterIds": ["65a1b2c3d4e5f60718293a4b"],
            "event": {"ids": ["e1"], "name": "Show", "date": "2030-03-01T20:00:00Z",
                      "presaleDateTime": "2030-02-01T15:00:00Z", "ticketer": "TM",
                      "category_ids": ["c1"], "venue": {"id": "v1", "name": "MSG"},
                      "sharedCode": "S"}
        });
        let mut market = Market::parse_new(
            &body,
            MarketId::from_bytes([1; 12]),
            CampaignId::from_bytes([2; 12]),
            Utc::now(),
        )
        .unwrap();
        market.notification.date = Some(Utc::now());
        market.notification.notified = Some(Utc::now());
        let wire = serde_json::to_value(&market).unwrap();
        let doc: Value = serde_json::from_str(document()).unwrap();
        assert_documented(&doc, "Market", &wire);
        assert_documented(&doc, "MarketEvent", &wire["event"]);
        assert_documented(&doc, "Venue", &wire["event"]["venue"]);
        assert_documented(&doc, "Notification", &wire["notification"]);
        assert_documented(&doc, "RecordDates", &wire["date"]);
        assert_documented(&doc, "GeoPoint", &wire["point"]);

        let promoter = Promoter::parse_new(
            &json!({"name": "P", "privacyUrls": [{"locale": "en", "url": "https://p.test", "is_default": true}]}),
            PromoterId::from_bytes([3; 12]),
            Utc::now(),
        )
        .unwrap();
        let wire = serde_json::to_value(&promoter).unwrap();
        assert_documented(&doc, "Promoter", &wire);
        assert_documented(&doc, "PrivacyUrl", &wire["privacyUrls"][0]);
        assert_documented(&doc, "RecordDates", &wire["date"]);
    }

    #[test]
    fn every_operation_id_is_unique() {
        let doc: Value = serde_json::from_str(document()).unwrap();
        let mut ids = std::collections::BTreeMap::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                let id = operation["operationId"].as_str().unwrap().to_owned();
                if let Some(other) = ids.insert(id.clone(), format!("{method} {path}")) {
                    panic!("{method} {path} and {other} share the operationId {id}");
                }
            }
        }
        assert_eq!(
            doc["paths"]["/promoters"]["get"]["operationId"],
            "promoters_list"
        );
        assert_eq!(
            doc["paths"]["/campaigns/{id}/markets"]["get"]["operationId"],
            "markets_list"
        );
        assert_eq!(
            doc["paths"]["/heartbeat"]["get"]["operationId"],
            "heartbeat"
        );
    }

    #[test]
    fn shared_operation_ids_are_qualified_by_tag_then_by_method_and_path() {
        use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem};
        use utoipa::openapi::{OpenApiBuilder, PathsBuilder};

        let op = |id: &str, tag: Option<&str>| {
            let mut builder = OperationBuilder::new().operation_id(Some(id));
            if let Some(tag) = tag {
                builder = builder.tag(tag);
            }
            builder.build()
        };
        let mut openapi = OpenApiBuilder::new()
            .paths(
                PathsBuilder::new()
                    .path(
                        "/a",
                        PathItem::new(HttpMethod::Get, op("list", Some("a things"))),
                    )
                    .path("/b", PathItem::new(HttpMethod::Get, op("list", Some("b"))))
                    .path(
                        "/c/{id}",
                        PathItem::new(HttpMethod::Get, op("get", Some("c"))),
                    )
                    .path(
                        "/d/{id}",
                        PathItem::new(HttpMethod::Get, op("get", Some("c"))),
                    )
                    .path("/e", PathItem::new(HttpMethod::Get, op("alone", None))),
            )
            .build();
        UniqueOperationIds.modify(&mut openapi);
        let id = |path: &str| {
            openapi.paths.paths[path]
                .get
                .as_ref()
                .and_then(|o| o.operation_id.clone())
                .unwrap()
        };
        assert_eq!(id("/a"), "a_things_list");
        assert_eq!(id("/b"), "b_list");
        assert_eq!(id("/c/{id}"), "get_c_id");
        assert_eq!(id("/d/{id}"), "get_d_id");
        assert_eq!(id("/e"), "alone");
    }

    #[test]
    fn protected_operations_name_the_bearer_scheme() {
        let doc: Value = serde_json::from_str(document()).unwrap();
        assert_eq!(
            doc["components"]["securitySchemes"]["bearer"]["scheme"],
            "bearer"
        );
        let get = &doc["paths"]["/campaigns/{id}"]["get"];
        assert_eq!(get["security"][0]["bearer"], json!([]));
        assert!(doc["paths"]["/heartbeat"]["get"]["security"].is_null());
        assert!(get["responses"]["404"].is_object());
    }

    /// The description of a response, following a `$ref` to `#/components/responses/*`.
    fn description<'a>(doc: &'a Value, response: &'a Value) -> &'a str {
        let response = match response["$ref"].as_str() {
            Some(r) => &doc["components"]["responses"][r.rsplit('/').next().unwrap()],
            None => response,
        };
        response["description"].as_str().unwrap_or_default()
    }

    #[test]
    fn every_post_documents_the_idempotency_key() {
        let doc: Value = serde_json::from_str(document()).unwrap();
        let mut posts = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            let Some(post) = item.get("post") else {
                continue;
            };
            posts += 1;
            let parameters = post["parameters"].as_array().unwrap();
            assert!(
                parameters
                    .iter()
                    .any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header"),
                "POST {path}"
            );
            for status in ["409", "422"] {
                assert!(
                    description(&doc, &post["responses"][status]).contains("IDEMPOTENCY_KEY_"),
                    "POST {path} {status}"
                );
            }
            assert!(
                description(&doc, &post["responses"]["400"]).contains("VALIDATION_ERROR"),
                "POST {path}: a malformed Idempotency-Key is a 400"
            );
        }
        assert!(posts > 10, "{posts} POST operations");
        for path in ["/campaigns/{id}", "/promoters/{id}"] {
            let conflict = description(&doc, &doc["paths"][path]["post"]["responses"]["409"]);
            assert!(
                conflict.contains("VERSION_CONFLICT")
                    && conflict.contains("IDEMPOTENCY_KEY_IN_PROGRESS"),
                "{path}: {conflict}"
            );
        }
    }
}
