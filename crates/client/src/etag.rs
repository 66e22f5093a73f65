//! Entity tags: a record's version as the service names it in `ETag` and expects in `If-Match`.

use std::fmt;

/// An entity tag as the service sent it (`"7"`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ETag(String);

impl ETag {
    /// The tag of `version` (the `version` field of a record).
    pub fn of_version(version: u64) -> Self {
        Self(format!("\"{version}\""))
    }

    /// A tag as received in an `ETag` header.
    pub fn from_header(raw: &str) -> Self {
        Self(raw.trim().to_owned())
    }

    /// The header value.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The record version the tag names, if it names one.
    pub fn version(&self) -> Option<u64> {
        self.0
            .trim_start_matches("W/")
            .trim_matches('"')
            .parse()
            .ok()
    }
}

impl fmt::Display for ETag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A record and its entity tag, for a later conditional update.
#[derive(Debug, Clone, PartialEq)]
pub struct Tagged<T> {
    /// The record.
    pub value: T,
    /// Its version's tag.
    pub etag: ETag,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_names_its_version() {
        assert_eq!(ETag::of_version(7).as_str(), "\"7\"");
        assert_eq!(ETag::from_header(" \"12\" ").version(), Some(12));
        assert_eq!(ETag::from_header("W/\"3\"").version(), Some(3));
        assert_eq!(ETag::from_header("\"abc\"").version(), None);
    }
}
