//! A campaign site's host name (`domain.site`, `domain.preview`).

use super::{InvalidValue, string_value};

/// A DNS host name in lower case: at least two labels of `[a-z0-9-]`, each 1–63 characters and
/// not starting or ending with `-`, at most 253 characters in all. No scheme, port or path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DomainName(String);

impl DomainName {
    /// Parses a host name, lower-casing it (DNS names are case-insensitive, so
    /// `Fans.Example.com` and `fans.example.com` are the same domain).
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let name = raw.trim_end_matches('.').to_ascii_lowercase();
        if name.is_empty() || name.len() > 253 {
            return Err(InvalidValue::new("domain must be 1-253 characters"));
        }
        let labels: Vec<&str> = name.split('.').collect();
        if labels.len() < 2 {
            return Err(InvalidValue::new(
                "domain must have at least two labels (e.g. fans.example.com)",
            ));
        }
        for label in &labels {
            let valid = !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !valid {
                return Err(InvalidValue::new(
                    "domain labels must be 1-63 letters, digits or inner hyphens",
                ));
            }
        }
        if labels
            .last()
            .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(InvalidValue::new("domain must not be an IP address"));
        }
        Ok(Self(name))
    }
}

string_value!(DomainName);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_and_lower_cases_host_names() {
        assert_eq!(
            DomainName::parse("Fans.Example.COM").unwrap().as_str(),
            "fans.example.com"
        );
        assert!(DomainName::parse("a-b.verifiedfan.com").is_ok());
        assert!(DomainName::parse("x.io.").is_ok());
    }

    #[test]
    fn rejects_malformed_names() {
        for bad in [
            "",
            "localhost",
            "-a.com",
            "a-.com",
            "a..com",
            "a b.com",
            "https://a.com",
            "a.com/path",
            "a.com:80",
            "1.2.3.4",
            "ex_ample.com",
        ] {
            assert!(DomainName::parse(bad).is_err(), "{bad} should be rejected");
        }
        assert!(DomainName::parse(&format!("{}.com", "a".repeat(64))).is_err());
    }

    proptest! {
        #[test]
        fn never_panics_and_output_reparses(s in "\\PC*") {
            if let Ok(d) = DomainName::parse(&s) {
                prop_assert_eq!(DomainName::parse(d.as_str()).unwrap(), d);
            }
        }

        #[test]
        fn generated_names_parse(labels in proptest::collection::vec("[a-z0-9]{1,10}", 1..4), tld in "[a-z]{2,6}") {
            let name = format!("{}.{tld}", labels.join("."));
            prop_assert!(DomainName::parse(&name).is_ok());
        }
    }
}
