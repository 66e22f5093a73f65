//! IANA time zone names (`referenceTimezone`, a market's `timezone`).

use super::{InvalidValue, string_value};

/// A time zone name from the IANA database (`America/New_York`, `Europe/London`, `UTC`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimeZone(String);

impl TimeZone {
    /// Parses a name known to the IANA time zone database (exact spelling).
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        raw.parse::<chrono_tz::Tz>()
            .map(|tz| Self(tz.name().to_owned()))
            .map_err(|_| {
                InvalidValue::new("timezone must be an IANA time zone name (e.g. America/New_York)")
            })
    }

    /// The zone, for converting times.
    pub fn tz(&self) -> chrono_tz::Tz {
        // The name was produced by `Tz::name` in `parse`, so it always parses back.
        self.0.parse().unwrap_or(chrono_tz::UTC)
    }
}

string_value!(TimeZone);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_iana_names_and_rejects_others() {
        assert_eq!(
            TimeZone::parse("America/New_York").unwrap().as_str(),
            "America/New_York"
        );
        assert_eq!(TimeZone::parse("UTC").unwrap().tz(), chrono_tz::UTC);
        for bad in ["", "Mars/Olympus", "EST5", "america/new york"] {
            assert!(TimeZone::parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}
