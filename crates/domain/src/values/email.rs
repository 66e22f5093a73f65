//! E-mail addresses of campaign contacts.

use super::{InvalidValue, string_value};

/// An e-mail address: one `@`, a non-empty local part without spaces, a domain with a dot; at
/// most 254 characters. The domain part is lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses an address (a syntax check, not a deliverability check).
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let err = || InvalidValue::new("must be an e-mail address (name@example.com)");
        let s = raw.trim();
        // Lengths in characters, as the documented schema counts them (JSON Schema's
        // `maxLength`); the domain part is ASCII, so only the local part can differ from bytes.
        if s.chars().count() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(err());
        }
        let (local, domain) = s.split_once('@').ok_or_else(err)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'));
        if local.is_empty() || local.chars().count() > 64 || local.contains('@') || !domain_ok {
            return Err(err());
        }
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }
}

string_value!(EmailAddress);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_addresses() {
        assert_eq!(
            EmailAddress::parse("Ana.Smith@Example.COM")
                .unwrap()
                .as_str(),
            "Ana.Smith@example.com"
        );
        for bad in [
            "",
            "a",
            "a@b",
            "@b.com",
            "a@@b.com",
            "a b@c.com",
            "a@b..com",
            "a@.b.com",
        ] {
            assert!(
                EmailAddress::parse(bad).is_err(),
                "{bad} should be rejected"
            );
        }
    }

    #[test]
    fn lengths_count_characters_as_the_schema_does() {
        let local = "é".repeat(64);
        assert!(EmailAddress::parse(&format!("{local}@example.com")).is_ok());
        assert!(EmailAddress::parse(&format!("{local}é@example.com")).is_err());
        let domain = format!("{}.com", "d".repeat(254 - 64 - 1 - 4));
        assert!(EmailAddress::parse(&format!("{local}@{domain}")).is_ok());
        assert!(EmailAddress::parse(&format!("{local}@d{domain}")).is_err());
    }
}
