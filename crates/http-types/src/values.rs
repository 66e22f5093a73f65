//! The schemas of the domain's value types, named in the OpenAPI document (`ObjectId`,
//! `Locale`, `HttpUrl`, ...) and referenced by every field of that type, so each pattern and
//! bound is written once, here, beside a test that holds it to the domain's constructor.
//!
//! A DTO field names one with `#[schema(value_type = values::Locale)]`; the field itself keeps
//! the domain's type, so what is serialised is what the domain built.

use std::borrow::Cow;

use campaign_domain::serde_json::{Value, json};
use utoipa::openapi::schema::{
    AllOfBuilder, AnyOfBuilder, ArrayBuilder, ArrayItems, ObjectBuilder, OneOfBuilder, Schema,
    SchemaType, Type,
};
use utoipa::openapi::{Ref, RefOr};
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
/// `DomainName`: dot-separated labels (at least two) of 1-63 letters, digits and inner hyphens,
/// any case, trailing dots allowed (the service lower-cases the name and drops them).
pub const DOMAIN_NAME: &str = concat!(
    "^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+",
    "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.*$"
);
/// `DomainName`: at most 253 characters once trailing dots are dropped.
pub const DOMAIN_NAME_LENGTH: &str = "^.{1,253}\\.*$";
/// `DomainName`: the last label is not all digits (the name is not an IP address).
pub const DOMAIN_NAME_NOT_IP: &str = "[A-Za-z-][A-Za-z0-9-]*\\.*$";
/// A number of a functional CSS colour as `CssColor` reads it: a decimal number with an optional
/// sign and exponent, then any `deg` and `%` units.
macro_rules! css_number {
    () => {
        "[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?([dD][eE][gG])*%*"
    };
}
/// `CssColor`: `#` and 3, 4, 6 or 8 hexadecimal digits, or `rgb()`, `rgba()`, `hsl()`, `hsla()`
/// (any case) of 3 or 4 numbers separated by commas, slashes or white space; white space around
/// the colour is dropped.
pub const CSS_COLOR: &str = concat!(
    "^\\s*(#([0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})",
    "|([rR][gG][bB]|[hH][sS][lL])[aA]?\\([\\s,/]*",
    css_number!(),
    "([\\s,/]+",
    css_number!(),
    "){2,3}",
    "[\\s,/]*\\))\\s*$"
);
/// A key of a free-form object (`landing`, `confirmation`, a preference's `initial_value`): not
/// empty, not starting with `$`, without `.`.
pub const FREE_FORM_KEY: &str = "^[^$.][^.]*$";

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
    ArtistId,
    "Id of an artist on the ticketing platform: 1-64 letters, digits, `.`, `_` or `-`; case-sensitive.",
    TOKEN,
    1,
    64,
    "K8vZ917Gku7"
);
string_schema!(
    FaqId,
    "Id of a FAQ entry: a UUID, hyphenated (any case), 32 hexadecimal digits, in braces or as `urn:uuid:`; answers use the lower-case hyphenated form.",
    UUID,
    32,
    45,
    "0b5e2f8e-4c1a-4f5e-9a43-2d7c8b1e6f00"
);
string_schema!(
    Uuid,
    "A UUID: hyphenated (any case), 32 hexadecimal digits, in braces or as `urn:uuid:`.",
    UUID,
    32,
    45,
    "0b5e2f8e-4c1a-4f5e-9a43-2d7c8b1e6f00"
);

/// `DomainName`: a host name such as `fans.example.com`.
#[derive(Debug, Clone, Copy)]
pub struct DomainName;

impl PartialSchema for DomainName {
    fn schema() -> RefOr<Schema> {
        let pattern = |pattern: &str| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(pattern))
        };
        AllOfBuilder::new()
            .schema_type(Type::String)
            .item(pattern(DOMAIN_NAME).min_length(Some(3)))
            .item(pattern(DOMAIN_NAME_LENGTH))
            .item(pattern(DOMAIN_NAME_NOT_IP))
            .description(Some(
                "A host name: at least two dot-separated labels of 1-63 letters, digits and \
                 inner hyphens, at most 253 characters, the last label not all digits (no IP \
                 address). Read in any case, trailing dots dropped; answers are lower-case.",
            ))
            .examples(["fans.example.com"])
            .into()
    }
}

impl ToSchema for DomainName {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("DomainName")
    }
}

/// `CssColor`: a CSS colour of the campaign's branding.
#[derive(Debug, Clone, Copy)]
pub struct CssColor;

impl PartialSchema for CssColor {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(CSS_COLOR))
            .description(Some(
                "A CSS colour: `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, or `rgb()`, `rgba()`, \
                 `hsl()`, `hsla()` of 3 or 4 numbers (with `%` or `deg` units) separated by \
                 commas, slashes or spaces. Hexadecimal colours are answered lower-case.",
            ))
            .examples(["#1a2b3c", "rgb(0 128 255 / 50%)"])
            .into()
    }
}

impl ToSchema for CssColor {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("CssColor")
    }
}

/// A free-form JSON object the service stores as it is (`landing`, `confirmation`): keys not
/// empty, not starting with `$` and without `.`, at every level; at most 32 levels deep.
#[derive(Debug, Clone, Copy)]
pub struct FreeFormObject;

/// Any JSON value inside a [`FreeFormObject`] (and a preference's `initial_value`): objects
/// follow the same key rules.
#[derive(Debug, Clone, Copy)]
pub struct FreeFormValue;

/// Most levels of objects and arrays a free-form value may nest.
pub const FREE_FORM_DEPTH_MAX: usize = campaign_domain::limits::FREE_FORM_DEPTH_MAX;

impl PartialSchema for FreeFormObject {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property_names(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(FREE_FORM_KEY)),
            ))
            .additional_properties(Some(Ref::from_schema_name(FreeFormValue::name())))
            .description(Some(
                "Free-form JSON, stored as it is: object keys are not empty, do not start with \
                 `$` and hold no `.`, at every level; objects and arrays nest at most 32 levels.",
            ))
            .examples([json!({"headline": "Presale registration", "hero": {"cta": "Sign up"}})])
            .into()
    }
}

impl ToSchema for FreeFormObject {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("FreeFormObject")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((FreeFormValue::name().into(), FreeFormValue::schema()));
    }
}

impl PartialSchema for FreeFormValue {
    fn schema() -> RefOr<Schema> {
        AnyOfBuilder::new()
            .item(Ref::from_schema_name(FreeFormObject::name()))
            .item(ArrayBuilder::new().items(Ref::from_schema_name(FreeFormValue::name())))
            .item(ObjectBuilder::new().schema_type(SchemaType::from_iter([
                Type::String,
                Type::Number,
                Type::Boolean,
                Type::Null,
            ])))
            .description(Some(
                "Any JSON value; objects inside it follow the key rules of `FreeFormObject`.",
            ))
            .into()
    }
}

impl ToSchema for FreeFormValue {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("FreeFormValue")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((FreeFormObject::name().into(), FreeFormObject::schema()));
    }
}

/// A JSON object keyed by `K` (its schema, inlined as `propertyNames`) whose values are
/// `value`: the schema of a map such as a campaign's content by locale.
pub fn map_of<K: PartialSchema>(value: impl Into<RefOr<Schema>>, description: &str) -> Schema {
    let keys = match K::schema() {
        RefOr::T(schema) => Some(schema),
        RefOr::Ref(_) => None,
    };
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property_names(keys)
        .additional_properties(Some(value.into()))
        .description(Some(description))
        .into()
}

/// Declares `$name`, the named schema of a JSON object keyed by `$key` (a value schema, given as
/// `propertyNames`) whose values are `$value` (a named schema, referenced and collected with
/// what it references), or `$value` or `null` with `nullable`.
macro_rules! map_schema {
    ($(#[$doc:meta])* $name:ident: $key:ty => $value:ty, $description:literal) => {
        $crate::values::map_schema!(@ $(#[$doc])* $name, $key, $value, $description, |r| r);
    };
    ($(#[$doc:meta])* $name:ident: $key:ty => nullable $value:ty, $description:literal) => {
        $crate::values::map_schema!(
            @ $(#[$doc])* $name, $key, $value, $description, $crate::values::nullable
        );
    };
    (@ $(#[$doc:meta])* $name:ident, $key:ty, $value:ty, $description:literal, $wrap:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;

        impl ::utoipa::PartialSchema for $name {
            fn schema() -> ::utoipa::openapi::RefOr<::utoipa::openapi::schema::Schema> {
                let value = ::utoipa::openapi::Ref::from_schema_name(
                    <$value as ::utoipa::ToSchema>::name(),
                );
                $crate::values::map_of::<$key>(($wrap)(value), $description).into()
            }
        }

        impl ::utoipa::ToSchema for $name {
            fn name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(stringify!($name))
            }

            fn schemas(
                schemas: &mut Vec<(
                    String,
                    ::utoipa::openapi::RefOr<::utoipa::openapi::schema::Schema>,
                )>,
            ) {
                schemas.push((
                    <$value as ::utoipa::ToSchema>::name().into(),
                    <$value as ::utoipa::PartialSchema>::schema(),
                ));
                <$value as ::utoipa::ToSchema>::schemas(schemas);
            }
        }
    };
}
pub(crate) use map_schema;

/// `value` or `null`.
pub fn nullable(value: impl Into<RefOr<Schema>>) -> Schema {
    OneOfBuilder::new()
        .item(value)
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .into()
}

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
    fn the_campaign_patterns_are_the_constructors_rules() {
        use campaign_domain::values::{
            ArtistId as DomainArtistId, CssColor as DomainCssColor, DomainName as DomainDomainName,
            FaqId as DomainFaqId,
        };

        let tokens = [
            ("K8vZ917Gku7", true),
            ("a.b_c-D", true),
            ("", false),
            ("a b", false),
            ("a/b", false),
        ];
        agree(TOKEN, &tokens, |r| DomainArtistId::parse(r).is_ok());
        agree(
            UUID,
            &[
                ("6F9619FF-8B86-D011-B42D-00CF4FC964FF", true),
                ("{6f9619ff-8b86-d011-b42d-00cf4fc964ff}", true),
                ("not-a-uuid", false),
            ],
            |r| DomainFaqId::parse(r).is_ok(),
        );

        let label = "a".repeat(63);
        let long_label = "a".repeat(64);
        let longest = format!("{}.{}.{}.{}", label, label, label, "b".repeat(61));
        let too_long = format!("{}.{}.{}.{}", label, label, label, "b".repeat(62));
        assert_eq!(longest.len(), 253);
        let longest_dotted = format!("{longest}..");
        let with_long_label = format!("{long_label}.com");
        let numeric_tld_dotted = "a.123.";
        let domain = |raw: &str| {
            [DOMAIN_NAME, DOMAIN_NAME_LENGTH, DOMAIN_NAME_NOT_IP]
                .iter()
                .all(|p| Regex::new(p).unwrap().is_match(raw))
        };
        for (raw, valid) in [
            ("Fans.Example.COM", true),
            ("a-b.verifiedfan.com", true),
            ("x.io.", true),
            ("a.b", true),
            ("a.1b", true),
            ("a.b-1", true),
            ("1.2.3.com", true),
            ("xn--bcher-kva.example", true),
            (longest.as_str(), true),
            (longest_dotted.as_str(), true),
            (too_long.as_str(), false),
            (with_long_label.as_str(), false),
            ("", false),
            (".", false),
            ("localhost", false),
            ("-a.com", false),
            ("a-.com", false),
            ("a..com", false),
            (".a.com", false),
            ("a b.com", false),
            ("https://a.com", false),
            ("a.com/path", false),
            ("a.com:80", false),
            ("1.2.3.4", false),
            (numeric_tld_dotted, false),
            ("ex_ample.com", false),
            ("é.com", false),
        ] {
            assert_eq!(domain(raw), valid, "patterns on {raw:?}");
            assert_eq!(
                DomainDomainName::parse(raw).is_ok(),
                valid,
                "constructor on {raw:?}"
            );
        }

        agree(
            CSS_COLOR,
            &[
                ("#fff", true),
                ("#FFFA", true),
                ("#1a2b3c", true),
                ("#1a2b3c80", true),
                (" #abc ", true),
                ("rgb(0, 128, 255)", true),
                ("RGBA(0,0,0,0.5)", true),
                ("hsl(120deg 50% 50%)", true),
                ("hsla(120DEG, 50%, 50%, .5)", true),
                ("rgb(0 0 0 / 50%)", true),
                ("rgb(,1,,2 3,)", true),
                ("rgb(1. +2 -3e2)", true),
                ("rgb(1e+2 2E-1 3)", true),
                ("rgb(1degdeg 2%% 3deg%)", true),
                ("hsl(1 2 3 4)", true),
                ("", false),
                ("#", false),
                ("#12", false),
                ("#12345", false),
                ("#1234567", false),
                ("#ggg", false),
                ("red", false),
                ("rgb()", false),
                ("rgb(1,2)", false),
                ("rgb(1,2,3,4,5)", false),
                ("rgb(a,b,c)", false),
                ("rgb(1,2,3", false),
                ("rgb (1,2,3)", false),
                ("rgb(1%deg 2 3)", false),
                ("rgb(1-2 3 4)", false),
                ("rgb(. 2 3)", false),
                ("rgb(1e 2 3)", false),
                ("rgb(inf 2 3)", false),
                ("rgb(NaN 2 3)", false),
                ("cmyk(1,2,3,4)", false),
                ("rgb((1,2,3)", false),
            ],
            |r| DomainCssColor::parse(r).is_ok(),
        );

        let key = Regex::new(FREE_FORM_KEY).unwrap();
        for (raw, valid) in [
            ("title", true),
            ("a$", true),
            ("", false),
            ("$where", false),
            ("a.b", false),
        ] {
            assert_eq!(key.is_match(raw), valid, "{raw:?}");
            let mut e = campaign_domain::ValidationErrors::new();
            campaign_domain::limits::check_free_form(&json!({ raw: 1 }), "landing", &mut e);
            assert_eq!(e.is_empty(), valid, "{raw:?}");
        }
    }

    #[test]
    fn maps_name_their_keys_and_free_form_values_recurse() {
        let map = serde_json::to_value(map_of::<super::Locale>(
            Ref::from_schema_name("FreeFormObject"),
            "by locale",
        ))
        .unwrap();
        assert_eq!(map["propertyNames"]["pattern"], LOCALE);
        assert_eq!(
            map["additionalProperties"]["$ref"],
            "#/components/schemas/FreeFormObject"
        );
        let object = serde_json::to_value(FreeFormObject::schema()).unwrap();
        assert_eq!(object["propertyNames"]["pattern"], FREE_FORM_KEY);
        let mut schemas = Vec::new();
        FreeFormObject::schemas(&mut schemas);
        assert_eq!(schemas[0].0, "FreeFormValue");
        let value = serde_json::to_value(FreeFormValue::schema()).unwrap();
        assert_eq!(
            value["anyOf"][1]["items"]["$ref"],
            "#/components/schemas/FreeFormValue"
        );
        assert_eq!(FREE_FORM_DEPTH_MAX, 32);
        let nullable = serde_json::to_value(nullable(Ref::from_schema_name("X"))).unwrap();
        assert_eq!(nullable["oneOf"][1]["type"], "null");
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
