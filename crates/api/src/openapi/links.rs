//! Explicit OpenAPI links from the answers of the create operations to what a client does next
//! with the record it just made: read it, change it, delete it, and reach what hangs under it (a
//! campaign's status, content and markets). The id comes from the answer's body
//! (`$response.body#/data/id`), the version for `If-Match` from its `ETag`, and a market's
//! campaign from the request's own path (`$request.path.id`).
//!
//! Links tell client generators and the reference page how operations chain, and give the
//! stateful phase of `cargo xtask fuzz` (schemathesis) chains to follow instead of only the ones
//! it infers. [`ResponseLinks`] runs after `UniqueOperationIds`, so the targets below are the
//! document's final `operationId`s; a test checks that each still names an operation and each
//! parameter a parameter of it.

use utoipa::Modify;
use utoipa::openapi::RefOr;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{Operation, PathItem};

/// The id of the record in a create's answer (`{data: {id, ...}, meta}`).
const CREATED_ID: &str = "$response.body#/data/id";
/// The version of the record in a create's answer, which `If-Match` takes as it is.
const CREATED_ETAG: &str = "$response.header.ETag";
/// The campaign of a market: the `{id}` of the `POST /campaigns/{id}/markets` that made it.
const REQUEST_CAMPAIGN_ID: &str = "$request.path.id";
/// The first of a new campaign's locales (absent when it has none; the link then sets no
/// locale).
const CREATED_FIRST_LOCALE: &str = "$response.body#/data/locales/0/id";

/// One link: from the `status` answer of `method path` to the operation `target`, with its
/// parameters (`in.name` = runtime expression).
#[derive(Debug)]
struct LinkSpec {
    method: &'static str,
    path: &'static str,
    status: &'static str,
    name: &'static str,
    target: &'static str,
    parameters: &'static [(&'static str, &'static str)],
    description: &'static str,
}

/// A link from the 201 of the create `POST path`.
const fn from_create(
    path: &'static str,
    name: &'static str,
    target: &'static str,
    parameters: &'static [(&'static str, &'static str)],
    description: &'static str,
) -> LinkSpec {
    LinkSpec {
        method: "post",
        path,
        status: "201",
        name,
        target,
        parameters,
        description,
    }
}

/// `POST /campaigns` answers 201 with the new campaign.
const fn from_campaign(
    name: &'static str,
    target: &'static str,
    parameters: &'static [(&'static str, &'static str)],
    description: &'static str,
) -> LinkSpec {
    from_create("/campaigns", name, target, parameters, description)
}

/// `POST /campaigns/{id}/markets` answers 201 with the new market.
const fn from_market(
    name: &'static str,
    target: &'static str,
    parameters: &'static [(&'static str, &'static str)],
    description: &'static str,
) -> LinkSpec {
    from_create(
        "/campaigns/{id}/markets",
        name,
        target,
        parameters,
        description,
    )
}

/// `POST /promoters` answers 201 with the new promoter.
const fn from_promoter(
    name: &'static str,
    target: &'static str,
    parameters: &'static [(&'static str, &'static str)],
    description: &'static str,
) -> LinkSpec {
    from_create("/promoters", name, target, parameters, description)
}

const CAMPAIGN: &[(&str, &str)] = &[("path.id", CREATED_ID)];
const CAMPAIGN_IF_MATCH: &[(&str, &str)] =
    &[("path.id", CREATED_ID), ("header.If-Match", CREATED_ETAG)];
const CAMPAIGN_LOCALE: &[(&str, &str)] = &[
    ("path.id", CREATED_ID),
    ("query.locale", CREATED_FIRST_LOCALE),
];
const CAMPAIGN_LOCALE_IF_MATCH: &[(&str, &str)] = &[
    ("path.id", CREATED_ID),
    ("query.locale", CREATED_FIRST_LOCALE),
    ("header.If-Match", CREATED_ETAG),
];
const MARKET: &[(&str, &str)] = &[
    ("path.id", REQUEST_CAMPAIGN_ID),
    ("path.marketId", CREATED_ID),
];
const MARKET_IF_MATCH: &[(&str, &str)] = &[
    ("path.id", REQUEST_CAMPAIGN_ID),
    ("path.marketId", CREATED_ID),
    ("header.If-Match", CREATED_ETAG),
];
const PROMOTER: &[(&str, &str)] = &[("path.id", CREATED_ID)];
const PROMOTER_IF_MATCH: &[(&str, &str)] =
    &[("path.id", CREATED_ID), ("header.If-Match", CREATED_ETAG)];

/// Every link the document carries.
const LINKS: &[LinkSpec] = &[
    from_campaign("GetCampaign", "by_id", CAMPAIGN, "Read the new campaign"),
    from_campaign(
        "UpdateCampaign",
        "campaigns_update",
        CAMPAIGN_IF_MATCH,
        "Change the new campaign, at the version just created",
    ),
    from_campaign(
        "GetCampaignStatus",
        "status",
        CAMPAIGN,
        "Read the new campaign's status and history",
    ),
    from_campaign(
        "GetCampaignContacts",
        "contacts",
        CAMPAIGN,
        "Read the new campaign's contacts",
    ),
    from_campaign(
        "SetCampaignContacts",
        "set_contacts",
        CAMPAIGN_IF_MATCH,
        "Replace the new campaign's contacts",
    ),
    from_campaign(
        "GetCampaignFaqs",
        "faqs",
        CAMPAIGN_LOCALE,
        "Read the new campaign's FAQs in its first locale",
    ),
    from_campaign(
        "SetCampaignFaqs",
        "set_faqs",
        CAMPAIGN_LOCALE_IF_MATCH,
        "Replace the new campaign's FAQs in its first locale",
    ),
    from_campaign(
        "GetCampaignTerms",
        "terms",
        CAMPAIGN_LOCALE,
        "Read the new campaign's terms in its first locale",
    ),
    from_campaign(
        "SetCampaignTerms",
        "set_terms",
        CAMPAIGN_LOCALE_IF_MATCH,
        "Replace the new campaign's terms in its first locale",
    ),
    from_campaign(
        "ListMarkets",
        "markets_list",
        CAMPAIGN,
        "List the new campaign's markets",
    ),
    from_campaign(
        "CreateMarket",
        "markets_create",
        CAMPAIGN,
        "Add a market to the new campaign",
    ),
    from_campaign(
        "CloneMarkets",
        "clone",
        CAMPAIGN,
        "Copy another campaign's markets into the new campaign",
    ),
    from_campaign(
        "GetCampaignByDomain",
        "by_domain",
        &[("query.domain", "$response.body#/data/domain/site")],
        "Look the new campaign up by its site domain",
    ),
    from_campaign(
        "GetStatusByDomain",
        "status_by_domain",
        &[("query.domain", "$response.body#/data/domain/site")],
        "Read the new campaign's status by its site domain",
    ),
    from_campaign(
        "ListCampaignsOfArtist",
        "campaigns_list",
        &[("query.artistId", "$response.body#/data/artist/id")],
        "List the campaigns of the new campaign's artist",
    ),
    from_market("GetMarket", "markets_get", MARKET, "Read the new market"),
    from_market(
        "UpdateMarket",
        "markets_update",
        MARKET_IF_MATCH,
        "Change the new market, at the version just created",
    ),
    from_market(
        "DeleteMarket",
        "markets_delete",
        MARKET_IF_MATCH,
        "Delete the new market, at the version just created",
    ),
    from_market(
        "ListMarkets",
        "markets_list",
        &[("path.id", REQUEST_CAMPAIGN_ID)],
        "List the markets of the new market's campaign",
    ),
    from_promoter(
        "GetPromoter",
        "promoters_get",
        PROMOTER,
        "Read the new promoter",
    ),
    from_promoter(
        "UpdatePromoter",
        "promoters_update",
        PROMOTER_IF_MATCH,
        "Change the new promoter, at the version just created",
    ),
    from_promoter(
        "DeletePromoter",
        "promoters_delete",
        PROMOTER,
        "Delete the new promoter",
    ),
];

/// Adds [`LINKS`] to the answers they start from. Runs after `UniqueOperationIds`.
pub(super) struct ResponseLinks;

impl Modify for ResponseLinks {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for spec in LINKS {
            let Some(operation) = openapi
                .paths
                .paths
                .get_mut(spec.path)
                .and_then(|item| operation_mut(item, spec.method))
            else {
                continue;
            };
            let Some(RefOr::T(response)) = operation.responses.responses.get_mut(spec.status)
            else {
                continue;
            };
            let link = spec
                .parameters
                .iter()
                .fold(
                    LinkBuilder::new()
                        .operation_id(spec.target)
                        .description(spec.description),
                    |link, (name, value)| link.parameter(*name, *value),
                )
                .build();
            response.links.insert(spec.name.to_owned(), RefOr::T(link));
        }
    }
}

/// The operation of `item` for `method` (lower case).
fn operation_mut<'a>(item: &'a mut PathItem, method: &str) -> Option<&'a mut Operation> {
    match method {
        "get" => item.get.as_mut(),
        "post" => item.post.as_mut(),
        "put" => item.put.as_mut(),
        "patch" => item.patch.as_mut(),
        "delete" => item.delete.as_mut(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::Value;

    use super::LINKS;

    /// `schema`, its `$ref` to `#/components/schemas/*` followed.
    fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
        match schema["$ref"].as_str() {
            Some(r) => {
                let name = r.rsplit('/').next().unwrap_or_default();
                resolve(doc, &doc["components"]["schemas"][name])
            }
            None => schema,
        }
    }

    /// Whether the values that `schema` describes have something at the JSON pointer `path`
    /// (already split), through properties, array items and the alternatives of `oneOf`,
    /// `anyOf` and `allOf`.
    fn has_pointer(doc: &Value, schema: &Value, path: &[&str]) -> bool {
        let schema = resolve(doc, schema);
        let Some((first, rest)) = path.split_first() else {
            return true;
        };
        if let Some(property) = schema["properties"].get(*first)
            && has_pointer(doc, property, rest)
        {
            return true;
        }
        if first.parse::<usize>().is_ok()
            && schema.get("items").is_some()
            && has_pointer(doc, &schema["items"], rest)
        {
            return true;
        }
        ["oneOf", "anyOf", "allOf"].iter().any(|keyword| {
            schema[*keyword]
                .as_array()
                .is_some_and(|alternatives| alternatives.iter().any(|a| has_pointer(doc, a, path)))
        })
    }

    /// Fails unless `expression` reads something the source operation (`operation`, its
    /// answer `response`) really has.
    fn assert_readable(
        doc: &Value,
        operation: &Value,
        response: &Value,
        expression: &str,
        at: &str,
    ) {
        if let Some(header) = expression.strip_prefix("$response.header.") {
            let documented = response["headers"]
                .as_object()
                .is_some_and(|h| h.keys().any(|k| k.eq_ignore_ascii_case(header)));
            assert!(documented, "{at}: the answer documents no header {header}");
        } else if let Some(pointer) = expression.strip_prefix("$response.body#/") {
            let schema = &response["content"]["application/json"]["schema"];
            let path: Vec<&str> = pointer.split('/').collect();
            assert!(
                has_pointer(doc, schema, &path),
                "{at}: the answer's body has no /{pointer}"
            );
        } else if let Some(name) = expression.strip_prefix("$request.path.") {
            let declared = operation["parameters"]
                .as_array()
                .is_some_and(|parameters| {
                    parameters
                        .iter()
                        .any(|p| p["in"] == "path" && p["name"] == name)
                });
            assert!(declared, "{at}: the operation has no path parameter {name}");
        } else {
            panic!("{at}: unexpected expression {expression}");
        }
    }

    /// Links cannot rot: each names an existing operation, each parameter it sets is a
    /// parameter of that operation (at the location it names), each value it reads is in the
    /// answer or the request it starts from, and every link of [`LINKS`] is in the document.
    #[test]
    fn every_link_names_a_real_operation_and_real_parameters() {
        let doc: Value = serde_json::from_str(super::super::document()).unwrap();
        let mut operations = BTreeMap::new();
        for item in doc["paths"].as_object().unwrap().values() {
            for operation in item.as_object().unwrap().values() {
                operations.insert(operation["operationId"].as_str().unwrap(), operation);
            }
        }
        let mut found = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                for (status, response) in operation["responses"].as_object().unwrap() {
                    let Some(links) = response["links"].as_object() else {
                        continue;
                    };
                    for (name, link) in links {
                        found += 1;
                        let at = format!("{method} {path} {status} link {name}");
                        let id = link["operationId"].as_str().unwrap();
                        let target = operations
                            .get(id)
                            .unwrap_or_else(|| panic!("{at}: no operation {id}"));
                        let parameters = link["parameters"].as_object().unwrap();
                        assert!(!parameters.is_empty(), "{at}: sets no parameter");
                        for (key, expression) in parameters {
                            let (location, parameter) = key
                                .split_once('.')
                                .unwrap_or_else(|| panic!("{at}: {key} names no location"));
                            let real = target["parameters"].as_array().is_some_and(|declared| {
                                declared
                                    .iter()
                                    .any(|p| p["in"] == location && p["name"] == parameter)
                            });
                            assert!(real, "{at}: {id} has no {location} parameter {parameter}");
                            assert_readable(
                                &doc,
                                operation,
                                response,
                                expression.as_str().unwrap(),
                                &at,
                            );
                        }
                        // Every required path parameter of the target is set.
                        for declared in target["parameters"].as_array().into_iter().flatten() {
                            if declared["in"] == "path" {
                                let key = format!("path.{}", declared["name"].as_str().unwrap());
                                assert!(parameters.contains_key(&key), "{at}: {key} is not set");
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(found, LINKS.len(), "links in the document");
        assert!(
            doc["paths"]["/campaigns"]["post"]["responses"]["201"]["links"]["CreateMarket"]
                .is_object()
        );
    }
}
