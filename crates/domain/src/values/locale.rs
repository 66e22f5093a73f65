//! Content locales: a language (`en`) or a language and region (`en-US`).

use super::{InvalidValue, string_value};

/// A locale id `xx` or `xx-XX`, kept in canonical case (language lower, region upper), so
/// `EN-us` and `en-US` are the same locale.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Locale(String);

impl Locale {
    /// Parses `xx` or `xx-XX` (letters only; `_` is accepted as the separator).
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let err = || InvalidValue::new("locale must be 'xx' or 'xx-XX' (e.g. en or en-US)");
        let bytes = raw.as_bytes();
        let letters = |s: &[u8]| s.iter().all(u8::is_ascii_alphabetic);
        match bytes.len() {
            2 if letters(bytes) => Ok(Self(raw.to_ascii_lowercase())),
            5 if letters(&bytes[..2])
                && matches!(bytes[2], b'-' | b'_')
                && letters(&bytes[3..]) =>
            {
                Ok(Self(format!(
                    "{}-{}",
                    raw[..2].to_ascii_lowercase(),
                    raw[3..].to_ascii_uppercase()
                )))
            }
            _ => Err(err()),
        }
    }

    /// The language part (`en` of `en-US`).
    pub fn language(&self) -> &str {
        &self.0[..2]
    }
}

string_value!(Locale);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn canonicalises_case_and_separator() {
        assert_eq!(Locale::parse("EN").unwrap().as_str(), "en");
        assert_eq!(Locale::parse("en-us").unwrap().as_str(), "en-US");
        assert_eq!(Locale::parse("fr_CA").unwrap().as_str(), "fr-CA");
        assert_eq!(Locale::parse("fr-CA").unwrap().language(), "fr");
    }

    #[test]
    fn rejects_other_shapes() {
        for bad in [
            "", "e", "eng", "en-", "en-USA", "e1", "en-1A", "en US", "ééé",
        ] {
            assert!(Locale::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC*") {
            let _ = Locale::parse(&s);
        }
    }
}
