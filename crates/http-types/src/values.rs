//! The schemas of the domain's value types, named in the OpenAPI document (`ObjectId`,
//! `Locale`, `HttpUrl`, ...) and referenced by every field of that type, so each pattern and
//! bound is written once, here, beside a test that holds it to the domain's constructor.
//!
//! A DTO field names one with `#[schema(value_type = values::Locale)]`; the field itself keeps
//! the domain's type, so what is serialised is what the domain built.

use std::borrow::Cow;

use campaign_domain::serde_json::{Value, json};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ArrayBuilder, ArrayItems, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::{PartialSchema, ToSchema};

/// `PromoterId`, `CampaignId`, `MarketId`, `ContactId`: 24 hexadecimal characters.
pub const OBJECT_ID: &str = "^[0-9a-fA-F]{24}$";
/// `Locale`: `xx` or `xx-XX` (`_` accepted for `-`).
pub const LOCALE: &str = "^[A-Za-z]{2}([-_][A-Za-z]{2})?$";
/// Text that must not be blank: at least one character that is not white space.
pub const NOT_BLANK: &str = "\\S";
/// `HttpUrl`: an absolute http(s) URL, at most 2,048 characters, no white space or control
/// character; the host is letters, digits, `.`, `_`, `-` (`:` too, or an IPv6 literal in
/// brackets), with an optional port of digits and user information before an `@`.
pub const HTTP_URL: &str = concat!(
    "^[hH][tT][tT][pP][sS]?://",
    "([^\\s\\x00-\\x1f\\x7f-\\x9f/?#]*@)?",
    "(\\[[A-Za-z0-9._:-]+\\][^\\s\\x00-\\x1f\\x7f-\\x9f/?#]*",
    "|[A-Za-z0-9._-]+|[A-Za-z0-9._:-]+:[0-9]*)",
    "([/?#][^\\s\\x00-\\x1f\\x7f-\\x9f]*)?$"
);
/// Longest `HttpUrl`, in characters.
pub const HTTP_URL_MAX: usize = 2048;
/// `EventId`, `CategoryId` (ticketing tokens): 1-64 letters, digits, `.`, `_` or `-`; case is
/// kept.
pub const TOKEN: &str = "^[A-Za-z0-9._-]{1,64}$";
/// `EmailAddress` as the service holds it: a local part of 1-64 characters without white space,
/// control character or `@`, then `@` and a domain of dot-separated labels of letters, digits and
/// `-` (at least two labels). On input, white space around the address is trimmed.
pub const EMAIL: &str = "^[^\\s@\\x00-\\x1f\\x7f-\\x9f]{1,64}@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$";
/// Longest `EmailAddress`.
pub const EMAIL_MAX: usize = 254;
/// A `GeoPoint`'s longitude lies in `-LONGITUDE_MAX..=LONGITUDE_MAX` degrees.
pub const LONGITUDE_MAX: f64 = 180.0;
/// A `GeoPoint`'s latitude lies in `-LATITUDE_MAX..=LATITUDE_MAX` degrees.
pub const LATITUDE_MAX: f64 = 90.0;
/// A UUID in every form the service reads: 32 hexadecimal digits, or hyphenated (8-4-4-4-12),
/// bare, in braces or after `urn:uuid:` (any case). Answers use the bare lower-case hyphenated
/// form (`format: uuid`).
pub const UUID: &str = concat!(
    "^([0-9a-fA-F]{32}",
    "|([uU][rR][nN]:[uU][uU][iI][dD]:)?",
    "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
    "|\\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\})$"
);

/// Declares a named string schema: its description (also the type's doc), pattern, bounds in
/// characters and an example.
macro_rules! string_schema {
    ($name:ident, $description:literal, $pattern:expr, $min:expr, $max:expr, $example:literal) => {
        #[doc = $description]
        #[derive(Debug, Clone, Copy)]
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some($pattern))
                    .min_length(Some($min))
                    .max_length(Some($max))
                    .description(Some($description))
                    .examples([$example])
                    .into()
            }
        }

        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    };
}

string_schema!(
    ObjectId,
    "Id of a stored record (campaign, market, promoter, contact): 24 hexadecimal characters.",
    OBJECT_ID,
    24,
    24,
    "65a1b2c3d4e5f60718293a4b"
);
string_schema!(
    Locale,
    "A locale: `xx` or `xx-XX` (`_` is read as `-`; answers use `xx-XX`).",
    LOCALE,
    2,
    5,
    "en-US"
);
string_schema!(
    HttpUrl,
    "An absolute http(s) URL of at most 2,048 characters.",
    HTTP_URL,
    8,
    HTTP_URL_MAX,
    "https://example.com/privacy"
);
string_schema!(
    EventId,
    "Id of a ticketing event (a Discovery API event id): 1-64 letters, digits, `.`, `_` or `-`; case-sensitive.",
    TOKEN,
    1,
    64,
    "vvG1IZ4bqBkm0Q"
);
string_schema!(
    CategoryId,
    "Id of a ticketing category: 1-64 letters, digits, `.`, `_` or `-`; case-sensitive.",
    TOKEN,
    1,
    64,
    "KZFzniwnSyZfZ7v7nJ"
);
string_schema!(
    EmailAddress,
    "An e-mail address (`name@example.com`, at most 254 characters; the domain is lower-cased).",
    EMAIL,
    5,
    EMAIL_MAX,
    "ana.smith@example.com"
);
string_schema!(
    Uuid,
    "A UUID: hyphenated (any case), 32 hexadecimal digits, in braces or as `urn:uuid:`.",
    UUID,
    32,
    45,
    "0b5e2f8e-4c1a-4f5e-9a43-2d7c8b1e6f00"
);

/// `TimeZone`: a name of the IANA time zone database, spelt exactly (`America/New_York`, `UTC`).
#[derive(Debug, Clone, Copy)]
pub struct TimeZone;

impl PartialSchema for TimeZone {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())))
            .description(Some(
                "A name of the IANA time zone database, spelt exactly (`America/New_York`, `UTC`).",
            ))
            .examples(["America/New_York"])
            .into()
    }
}

impl ToSchema for TimeZone {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("TimeZone")
    }
}

/// `GeoPoint` as the service answers it: a GeoJSON point (RFC 7946),
/// `{"type": "Point", "coordinates": [longitude, latitude]}`.
#[derive(Debug, Clone, Copy)]
pub struct GeoPoint;

impl PartialSchema for GeoPoint {
    fn schema() -> RefOr<Schema> {
        geo_point(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(["Point"])),
            "A GeoJSON point: `{\"type\": \"Point\", \"coordinates\": [longitude, latitude]}`, \
             longitude in -180..180, latitude in -90..90 degrees.",
        )
        .required("type")
        .into()
    }
}

impl ToSchema for GeoPoint {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("GeoPoint")
    }
}

/// A `GeoPoint` as a client sends it: as [`GeoPoint`], and `type` may be left out (or `null`):
/// it is read as `Point`.
#[derive(Debug, Clone, Copy)]
pub struct GeoPointInput;

impl PartialSchema for GeoPointInput {
    fn schema() -> RefOr<Schema> {
        geo_point(
            ObjectBuilder::new()
                .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                .enum_values(Some([Value::from("Point"), Value::Null])),
            "A GeoJSON point: `{\"type\": \"Point\", \"coordinates\": [longitude, latitude]}`, \
             longitude in -180..180, latitude in -90..90 degrees; `type` may be left out (or \
             `null`): it is read as `Point`.",
        )
        .into()
    }
}

impl ToSchema for GeoPointInput {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("GeoPointInput")
    }
}

/// The GeoJSON point object with its `type` schema and description; `coordinates` required.
fn geo_point(kind: ObjectBuilder, description: &str) -> ObjectBuilder {
    let degrees = |max: f64, what: &str| {
        ObjectBuilder::new()
            .schema_type(Type::Number)
            .minimum(Some(-max))
            .maximum(Some(max))
            .description(Some(what))
            .build()
    };
    let coordinates = ArrayBuilder::new()
        .prefix_items([
            degrees(LONGITUDE_MAX, "Longitude in degrees"),
            degrees(LATITUDE_MAX, "Latitude in degrees"),
        ])
        .items(ArrayItems::False)
        .min_items(Some(2))
        .max_items(Some(2))
        .description(Some("`[longitude, latitude]`"));
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("type", kind)
        .property("coordinates", coordinates)
        .required("coordinates")
        .description(Some(description))
        .examples([json!({"type": "Point", "coordinates": [-73.98, 40.75]})])
}

/// `EventStatus`: the status of a ticketing event, as the Discovery API names them.
#[derive(Debug, Clone, Copy)]
pub struct EventStatus;

impl PartialSchema for EventStatus {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(
                campaign_domain::event::EventStatus::ALL.map(|status| status.as_str()),
            ))
            .description(Some("Status of a ticketing event."))
            .examples(["onsale"])
            .into()
    }
}

impl ToSchema for EventStatus {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("EventStatus")
    }
}

/// Text that must not be blank, with its longest length in characters.
pub fn text(max: usize) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(NOT_BLANK))
        .min_length(Some(1))
        .max_length(Some(max))
}

#[cfg(test)]
mod tests {
    use campaign_domain::values::{HttpUrl, Locale, PromoterId};
    use regex::Regex;

    use super::*;

    /// The pattern and the constructor agree on every case, and each case says which way.
    fn agree(pattern: &str, cases: &[(&str, bool)], parse: impl Fn(&str) -> bool) {
        let re = Regex::new(pattern).unwrap();
        for (raw, valid) in cases {
            assert_eq!(re.is_match(raw), *valid, "pattern {pattern} on {raw:?}");
            assert_eq!(parse(raw), *valid, "constructor on {raw:?}");
        }
    }

    #[test]
    fn the_documented_patterns_are_the_constructors_rules() {
        agree(
            OBJECT_ID,
            &[
                ("65a1b2c3d4e5f60718293a4b", true),
                ("65A1B2C3D4E5F60718293A4B", true),
                ("65a1b2c3d4e5f60718293a4", false),
                ("65a1b2c3d4e5f60718293a4g", false),
            ],
            |r| PromoterId::parse(r).is_ok(),
        );
        agree(
            LOCALE,
            &[
                ("en", true),
                ("en-US", true),
                ("en_us", true),
                ("eng", false),
                ("e1", false),
                ("en-USA", false),
            ],
            |r| Locale::parse(r).is_ok(),
        );
        agree(
            HTTP_URL,
            &[
                ("https://a.example/x?y#z", true),
                ("HTTP://a.example:8080", true),
                ("ftp://a.example", false),
                ("https://", false),
                ("https://a b.example", false),
                ("https://a.example/ x", false),
                ("https://user@a.example/", true),
                ("https://[::1]:8080/x", true),
                ("https://a!b.example", false),
                ("https://a.example:80x", false),
                ("https://a.example:", true),
                ("https://a.example/\u{1}", false),
                ("https://a.example/é", true),
            ],
            |r| HttpUrl::parse(r).is_ok(),
        );
        let not_blank = Regex::new(NOT_BLANK).unwrap();
        assert!(not_blank.is_match(" a "));
        assert!(!not_blank.is_match(" \t "));
    }

    #[test]
    fn the_market_and_contact_patterns_are_the_constructors_rules() {
        use campaign_domain::uuid::Uuid as DomainUuid;
        use campaign_domain::values::{CategoryId, EmailAddress, EventId};

        let tokens = [
            ("vvG1IZ4bqBkm0Q", true),
            ("1A005C5E9E4F4A2B", true),
            ("a.b_c-D", true),
            ("", false),
            ("has space", false),
            ("a/b", false),
            ("é", false),
        ];
        agree(TOKEN, &tokens, |r| EventId::parse(r).is_ok());
        agree(TOKEN, &tokens, |r| CategoryId::parse(r).is_ok());
        let longest = "a".repeat(64);
        let too_long = "a".repeat(65);
        agree(
            TOKEN,
            &[(longest.as_str(), true), (too_long.as_str(), false)],
            |r| EventId::parse(r).is_ok(),
        );

        let local_max = format!("{}@b.co", "a".repeat(64));
        let local_over = format!("{}@b.co", "a".repeat(65));
        agree(
            EMAIL,
            &[
                ("Ana.Smith@example.com", true),
                ("a@B.CO", true),
                ("a@b.c", true),
                ("é+tag@b-c.example", true),
                (local_max.as_str(), true),
                (local_over.as_str(), false),
                ("a", false),
                ("a@b", false),
                ("@b.com", false),
                ("a@@b.com", false),
                ("a b@c.com", false),
                ("a\u{1}b@c.com", false),
                ("a@b..com", false),
                ("a@.b.com", false),
                ("a@b.com.", false),
                ("a@b_c.com", false),
            ],
            |r| EmailAddress::parse(r).is_ok(),
        );
        let longest = format!("a@{}.com", "b".repeat(EMAIL_MAX - 6));
        let over = format!("a@{}.com", "b".repeat(EMAIL_MAX - 5));
        assert_eq!(longest.chars().count(), EMAIL_MAX);
        assert!(EmailAddress::parse(&longest).is_ok());
        assert!(EmailAddress::parse(&over).is_err());

        agree(
            UUID,
            &[
                ("0b5e2f8e-4c1a-4f5e-9a43-2d7c8b1e6f00", true),
                ("0B5E2F8E-4C1A-4F5E-9A43-2D7C8B1E6F00", true),
                ("0b5e2f8e4c1a4f5e9a432d7c8b1e6f00", true),
                ("{0b5e2f8e-4c1a-4f5e-9a43-2d7c8b1e6f00}", true),
                ("urn:uuid:0b5e2f8e-4c1a-4f5e-9a43-2d7c8b1e6f00", true),
                ("URN:UUID:0b5e2f8e-4c1a-4f5e-9a43-2d7c8b1e6f00", true),
                ("0b5e2f8e-4c1a-4f5e-9a43-2d7c8b1e6f0", false),
                ("0b5e2f8e-4c1a-4f5e-9a43-2d7c8b1e6f0g", false),
                ("0b5e2f8e4c1a-4f5e-9a43-2d7c8b1e6f00", false),
                ("{0b5e2f8e4c1a4f5e9a432d7c8b1e6f00}", false),
                ("urn:uuid:0b5e2f8e4c1a4f5e9a432d7c8b1e6f00", false),
                ("(0b5e2f8e-4c1a-4f5e-9a43-2d7c8b1e6f00)", false),
            ],
            |r| DomainUuid::parse_str(r).is_ok(),
        );
    }

    #[test]
    fn the_listed_time_zones_are_the_ones_the_domain_reads() {
        use campaign_domain::values::TimeZone as DomainTimeZone;

        let schema = serde_json::to_value(TimeZone::schema()).unwrap();
        let names: Vec<&str> = schema["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(names.len() > 400, "{} names", names.len());
        for name in &names {
            assert_eq!(DomainTimeZone::parse(name).unwrap().as_str(), *name);
        }
        for other in ["america/new_york", "Mars/Olympus", "EST5", "", "UTC "] {
            assert!(!names.contains(&other), "{other}");
            assert!(DomainTimeZone::parse(other).is_err(), "{other}");
        }
        assert!(names.contains(&"America/New_York") && names.contains(&"UTC"));
    }

    #[test]
    fn geo_points_are_bounded_as_the_domain_bounds_them() {
        use campaign_domain::values::{GeoPoint as DomainPoint, Latitude, Longitude};

        assert!(Longitude::new(LONGITUDE_MAX).is_ok() && Longitude::new(-LONGITUDE_MAX).is_ok());
        assert!(Longitude::new(LONGITUDE_MAX + 1e-9).is_err());
        assert!(Latitude::new(LATITUDE_MAX).is_ok() && Latitude::new(-LATITUDE_MAX).is_ok());
        assert!(Latitude::new(-LATITUDE_MAX - 1e-9).is_err());
        let schema = serde_json::to_value(GeoPoint::schema()).unwrap();
        let coordinates = &schema["properties"]["coordinates"];
        assert_eq!(coordinates["prefixItems"][0]["maximum"], LONGITUDE_MAX);
        assert_eq!(coordinates["prefixItems"][1]["minimum"], -LATITUDE_MAX);
        assert_eq!(coordinates["items"], false);
        assert_eq!(schema["required"], json!(["coordinates", "type"]));
        let example = &schema["examples"][0];
        let point: DomainPoint = serde_json::from_value(example.clone()).unwrap();
        assert_eq!(serde_json::to_value(point).unwrap(), *example);
        assert!(DomainPoint::try_from_geojson("Polygon", &[0.0, 0.0]).is_err());
        let input = serde_json::to_value(GeoPointInput::schema()).unwrap();
        assert_eq!(input["required"], json!(["coordinates"]));
        assert_eq!(input["properties"]["type"]["enum"], json!(["Point", null]));
    }

    #[test]
    fn event_statuses_are_the_domains() {
        let schema = serde_json::to_value(EventStatus::schema()).unwrap();
        let listed: Vec<String> = schema["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        let domain: Vec<String> = campaign_domain::event::EventStatus::ALL
            .iter()
            .map(|s| {
                serde_json::to_value(s)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(listed, domain);
    }
}
