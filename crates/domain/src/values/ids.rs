//! Identifiers. Stored resources (campaigns, markets, promoters, contacts) use the 24-hex
//! MongoDB ObjectId form; ticketing ids (events, categories, artists) are opaque tokens issued by
//! the ticketing platform; FAQ entries are keyed by UUID.

use super::{InvalidValue, string_value};

/// Parses the 24-hex-character ObjectId form, normalising to lower case.
fn parse_object_id(raw: &str, what: &str) -> Result<String, InvalidValue> {
    if raw.len() == 24 && raw.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(raw.to_ascii_lowercase())
    } else {
        Err(InvalidValue::new(format!(
            "{what} id must be 24 hexadecimal characters"
        )))
    }
}

/// Parses an opaque ticketing token: 1–64 characters of `[A-Za-z0-9._-]`.
fn parse_token(raw: &str, what: &str) -> Result<String, InvalidValue> {
    let ok = !raw.is_empty()
        && raw.len() <= 64
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(InvalidValue::new(format!(
            "{what} id must be 1-64 characters of letters, digits, '.', '_' or '-'"
        )))
    }
}

macro_rules! object_id {
    ($(#[$doc:meta])* $ty:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $ty(String);

        impl $ty {
            /// Parses a 24-hex-character id (any case; stored in lower case).
            pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
                parse_object_id(raw, $what).map(Self)
            }

            /// Builds an id from 12 raw bytes, as an ObjectId generator produces them.
            pub fn from_bytes(bytes: [u8; 12]) -> Self {
                use ::std::fmt::Write as _;
                let mut s = String::with_capacity(24);
                for b in bytes {
                    // Writing into a String cannot fail.
                    let _ = write!(s, "{b:02x}");
                }
                Self(s)
            }
        }

        string_value!($ty);
    };
}

macro_rules! token_id {
    ($(#[$doc:meta])* $ty:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $ty(String);

        impl $ty {
            /// Parses 1–64 characters of `[A-Za-z0-9._-]` (case is kept: these ids are
            /// case-sensitive on the ticketing platform).
            pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
                parse_token(raw, $what).map(Self)
            }
        }

        string_value!($ty);
    };
}

object_id!(
    /// Id of a campaign.
    CampaignId,
    "campaign"
);
object_id!(
    /// Id of a market.
    MarketId,
    "market"
);
object_id!(
    /// Id of a promoter.
    PromoterId,
    "promoter"
);
object_id!(
    /// Id of a contact.
    ContactId,
    "contact"
);
token_id!(
    /// Id of a ticketing event (e.g. a Discovery API event id).
    EventId,
    "event"
);
token_id!(
    /// Id of a ticketing category.
    CategoryId,
    "category"
);
token_id!(
    /// Id of an artist on the ticketing platform.
    ArtistId,
    "artist"
);

/// Id of a FAQ entry: a UUID, kept in its hyphenated lower-case form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FaqId(String);

impl FaqId {
    /// Parses any UUID text form.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        uuid::Uuid::parse_str(raw)
            .map(|u| Self(u.hyphenated().to_string()))
            .map_err(|_| InvalidValue::new("FAQ id must be a UUID"))
    }

    /// Wraps a UUID.
    pub fn from_uuid(id: uuid::Uuid) -> Self {
        Self(id.hyphenated().to_string())
    }
}

string_value!(FaqId);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn object_ids_are_24_hex_and_lower_cased() {
        let id = CampaignId::parse("65A1B2C3D4E5F60718293A4B").unwrap();
        assert_eq!(id.as_str(), "65a1b2c3d4e5f60718293a4b");
        assert!(CampaignId::parse("65a1b2c3d4e5f60718293a4").is_err());
        assert!(CampaignId::parse("65a1b2c3d4e5f60718293a4bc").is_err());
        assert!(CampaignId::parse("zza1b2c3d4e5f60718293a4b").is_err());
        assert!(CampaignId::parse("").is_err());
    }

    #[test]
    fn from_bytes_round_trips_through_parse() {
        let id = MarketId::from_bytes([0xab; 12]);
        assert_eq!(id.as_str(), "abababababababababababab");
        assert_eq!(MarketId::parse(id.as_str()).unwrap(), id);
    }

    #[test]
    fn tokens_reject_empty_long_and_odd_characters() {
        assert!(EventId::parse("vvG1IZ4bqBkm0Q").is_ok());
        assert!(EventId::parse("1A005C5E9E4F4A2B").is_ok());
        assert!(EventId::parse("").is_err());
        assert!(EventId::parse("has space").is_err());
        assert!(EventId::parse(&"a".repeat(65)).is_err());
    }

    #[test]
    fn faq_ids_normalise_uuid_forms() {
        let a = FaqId::parse("6F9619FF-8B86-D011-B42D-00CF4FC964FF").unwrap();
        assert_eq!(a.as_str(), "6f9619ff-8b86-d011-b42d-00cf4fc964ff");
        assert!(FaqId::parse("not-a-uuid").is_err());
    }

    #[test]
    fn serde_parses_on_the_way_in() {
        let ok: CampaignId = serde_json::from_str("\"65a1b2c3d4e5f60718293a4b\"").unwrap();
        assert_eq!(
            serde_json::to_string(&ok).unwrap(),
            "\"65a1b2c3d4e5f60718293a4b\""
        );
        assert!(serde_json::from_str::<CampaignId>("\"nope\"").is_err());
    }

    proptest! {
        #[test]
        fn any_24_hex_string_is_an_id(s in "[0-9a-fA-F]{24}") {
            let id = CampaignId::parse(&s).unwrap();
            prop_assert_eq!(id.as_str(), s.to_ascii_lowercase());
        }

        #[test]
        fn parsing_never_panics(s in "\\PC*") {
            let _ = CampaignId::parse(&s);
            let _ = EventId::parse(&s);
            let _ = FaqId::parse(&s);
        }
    }
}
