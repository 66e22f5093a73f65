//! Fields of a JSON merge patch (RFC 7396) that a client may also clear: `Option<Option<T>>`,
//! where `None` leaves the field as it is (nothing is sent), `Some(None)` removes it (`null` is
//! sent) and `Some(Some(value))` sets it.
//!
//! A field names it with
//! `#[serde(default, skip_serializing_if = "Option::is_none", with = "crate::nullable")]`, or
//! `with = "crate::nullable::time"` for a date; without it serde would read `null` as "absent".

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Writes a set value, or `null` for a removal (an absent field is skipped by the caller).
pub fn serialize<T: Serialize, S: Serializer>(
    field: &Option<Option<T>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match field {
        Some(value) => value.serialize(s),
        None => s.serialize_none(),
    }
}

/// Reads a present field: `null` is a removal (`Some(None)`); an absent one is `None` through
/// `#[serde(default)]`.
pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// The same for dates, in the service's wire format (`campaign_domain::wire_time`).
pub mod time {
    use campaign_domain::chrono::{DateTime, Utc};
    use campaign_domain::wire_time;
    use serde::{Deserializer, Serializer};

    /// Writes a set date, or `null` for a removal.
    pub fn serialize<S: Serializer>(
        field: &Option<Option<DateTime<Utc>>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match field {
            Some(value) => wire_time::option::serialize(value, s),
            None => s.serialize_none(),
        }
    }

    /// Reads a present date field: `null` is a removal.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<DateTime<Utc>>>, D::Error> {
        wire_time::option::deserialize(d).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use campaign_domain::chrono::{DateTime, TimeZone as _, Utc};
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Patch {
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "crate::nullable"
        )]
        n: Option<Option<u32>>,
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "crate::nullable::time"
        )]
        at: Option<Option<DateTime<Utc>>>,
    }

    #[test]
    fn absent_null_and_set_are_three_things() {
        let at = Utc.with_ymd_and_hms(2030, 1, 2, 3, 4, 5).unwrap();
        for (patch, wire) in [
            (Patch::default(), "{}"),
            (
                Patch {
                    n: Some(None),
                    at: Some(None),
                },
                r#"{"n":null,"at":null}"#,
            ),
            (
                Patch {
                    n: Some(Some(7)),
                    at: Some(Some(at)),
                },
                r#"{"n":7,"at":"2030-01-02T03:04:05.000Z"}"#,
            ),
        ] {
            assert_eq!(serde_json::to_string(&patch).unwrap(), wire);
            assert_eq!(serde_json::from_str::<Patch>(wire).unwrap(), patch);
        }
    }
}
