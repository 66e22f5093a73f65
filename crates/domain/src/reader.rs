//! A small reader that turns a JSON document into typed values while collecting every failing
//! field with its path, so validation reports all problems at once instead of the first.
//!
//! Absent and `null` mean "not set" for every field.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::error::ValidationErrors;
use crate::values::InvalidValue;

/// A JSON object being read, with the path that leads to it.
pub(crate) struct ObjectReader<'a> {
    map: Option<&'a Map<String, Value>>,
    path: String,
}

/// Joins a parent path and a key (`""` + `a` = `a`, `a` + `b` = `a.b`).
pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

impl<'a> ObjectReader<'a> {
    /// Reads `value` as an object at `path`; a non-object is reported and read as empty.
    pub(crate) fn new(value: Option<&'a Value>, path: &str, errors: &mut ValidationErrors) -> Self {
        let map = match value {
            None | Some(Value::Null) => None,
            Some(Value::Object(m)) => Some(m),
            Some(_) => {
                errors.add(path_or_body(path), "must be an object");
                None
            }
        };
        Self {
            map,
            path: path.to_owned(),
        }
    }

    /// Whether the object was present (and an object).
    pub(crate) fn is_present(&self) -> bool {
        self.map.is_some()
    }

    /// The path of `key` inside this object.
    pub(crate) fn path_of(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// The raw value of `key`, `None` when absent or null.
    pub(crate) fn raw(&self, key: &str) -> Option<&'a Value> {
        self.map.and_then(|m| m.get(key)).filter(|v| !v.is_null())
    }

    /// Whether `key` is present and not null.
    pub(crate) fn has(&self, key: &str) -> bool {
        self.raw(key).is_some()
    }

    /// A nested object.
    pub(crate) fn object(&self, key: &str, errors: &mut ValidationErrors) -> ObjectReader<'a> {
        ObjectReader::new(self.raw(key), &self.path_of(key), errors)
    }

    /// A string field.
    pub(crate) fn string(&self, key: &str, errors: &mut ValidationErrors) -> Option<&'a str> {
        match self.raw(key)? {
            Value::String(s) => Some(s),
            _ => {
                errors.add(self.path_of(key), "must be a string");
                None
            }
        }
    }

    /// A string field that must be present, not blank, and at most `max` characters.
    pub(crate) fn required_text(
        &self,
        key: &str,
        max: usize,
        errors: &mut ValidationErrors,
    ) -> Option<String> {
        if !self.has(key) {
            errors.add(self.path_of(key), "is required");
            return None;
        }
        let s = self.text(key, max, errors)?;
        if s.trim().is_empty() {
            errors.add(self.path_of(key), "must not be empty");
            return None;
        }
        Some(s)
    }

    /// An optional string field of at most `max` characters.
    pub(crate) fn text(
        &self,
        key: &str,
        max: usize,
        errors: &mut ValidationErrors,
    ) -> Option<String> {
        let s = self.string(key, errors)?;
        if s.chars().count() > max {
            errors.add(
                self.path_of(key),
                format!("must be at most {max} characters"),
            );
            return None;
        }
        Some(s.to_owned())
    }

    /// An optional field parsed by a value type's parser.
    pub(crate) fn parsed<T>(
        &self,
        key: &str,
        errors: &mut ValidationErrors,
        parse: impl FnOnce(&str) -> Result<T, InvalidValue>,
    ) -> Option<T> {
        let s = self.string(key, errors)?;
        errors.check(self.path_of(key), Some(s), parse)
    }

    /// A required field parsed by a value type's parser.
    pub(crate) fn required<T>(
        &self,
        key: &str,
        errors: &mut ValidationErrors,
        parse: impl FnOnce(&str) -> Result<T, InvalidValue>,
    ) -> Option<T> {
        if !self.has(key) {
            errors.add(self.path_of(key), "is required");
            return None;
        }
        self.parsed(key, errors, parse)
    }

    /// An optional boolean.
    pub(crate) fn bool(&self, key: &str, errors: &mut ValidationErrors) -> Option<bool> {
        match self.raw(key)? {
            Value::Bool(b) => Some(*b),
            _ => {
                errors.add(self.path_of(key), "must be true or false");
                None
            }
        }
    }

    /// An optional non-negative integer.
    pub(crate) fn u64(&self, key: &str, errors: &mut ValidationErrors) -> Option<u64> {
        let v = self.raw(key)?;
        match v.as_u64() {
            Some(n) => Some(n),
            None => {
                errors.add(self.path_of(key), "must be a non-negative integer");
                None
            }
        }
    }

    /// An optional RFC 3339 date-time, converted to UTC.
    pub(crate) fn date(&self, key: &str, errors: &mut ValidationErrors) -> Option<DateTime<Utc>> {
        self.parsed(key, errors, parse_date)
    }

    /// An optional array; each element is handed to `item` with its path.
    pub(crate) fn array<T>(
        &self,
        key: &str,
        errors: &mut ValidationErrors,
        mut item: impl FnMut(&'a Value, &str, &mut ValidationErrors) -> Option<T>,
    ) -> Vec<T> {
        match self.raw(key) {
            None => Vec::new(),
            Some(Value::Array(items)) => {
                let base = self.path_of(key);
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| item(v, &format!("{base}[{i}]"), errors))
                    .collect()
            }
            Some(_) => {
                errors.add(self.path_of(key), "must be an array");
                Vec::new()
            }
        }
    }

    /// An optional array of strings, each parsed by `parse`.
    pub(crate) fn string_array<T>(
        &self,
        key: &str,
        errors: &mut ValidationErrors,
        parse: impl Fn(&str) -> Result<T, InvalidValue>,
    ) -> Vec<T> {
        self.array(key, errors, |v, path, errors| match v {
            Value::String(s) => errors.check(path, Some(s), &parse),
            _ => {
                errors.add(path, "must be a string");
                None
            }
        })
    }

    /// The entries of this object, for maps keyed by ids or locales.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (&'a String, &'a Value)> {
        self.map.into_iter().flat_map(|m| m.iter())
    }
}

/// Parses an RFC 3339 date-time into UTC.
pub(crate) fn parse_date(raw: &str) -> Result<DateTime<Utc>, InvalidValue> {
    DateTime::parse_from_rfc3339(raw)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|_| InvalidValue::new("must be an RFC 3339 date-time (e.g. 2026-05-01T17:00:00Z)"))
}

fn path_or_body(path: &str) -> &str {
    if path.is_empty() { "body" } else { path }
}

/// Serialises dates as RFC 3339 UTC with milliseconds (`2026-05-01T17:00:00.000Z`).
pub(crate) mod wire_time {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serialises one date.
    pub(crate) fn serialize<S: Serializer>(d: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&d.to_rfc3339_opts(SecondsFormat::Millis, true))
    }

    /// Deserialises one date.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let raw = std::borrow::Cow::<str>::deserialize(d)?;
        super::parse_date(&raw).map_err(serde::de::Error::custom)
    }

    /// The same for optional dates.
    pub(crate) mod option {
        use super::*;

        /// Serialises an optional date (callers skip `None`).
        pub(crate) fn serialize<S: Serializer>(
            d: &Option<DateTime<Utc>>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => super::serialize(d, s),
                None => s.serialize_none(),
            }
        }

        /// Deserialises an optional date.
        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<DateTime<Utc>>, D::Error> {
            let raw = Option::<std::borrow::Cow<str>>::deserialize(d)?;
            raw.map(|r| super::super::parse_date(&r).map_err(serde::de::Error::custom))
                .transpose()
        }
    }

    /// The same for lists of dates.
    pub(crate) mod vec {
        use super::*;
        use serde::ser::SerializeSeq;

        /// Serialises a list of dates.
        pub(crate) fn serialize<S: Serializer>(
            ds: &[DateTime<Utc>],
            s: S,
        ) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(Some(ds.len()))?;
            for d in ds {
                seq.serialize_element(&d.to_rfc3339_opts(SecondsFormat::Millis, true))?;
            }
            seq.end()
        }

        /// Deserialises a list of dates.
        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Vec<DateTime<Utc>>, D::Error> {
            let raw = Vec::<String>::deserialize(d)?;
            raw.iter()
                .map(|r| super::super::parse_date(r).map_err(serde::de::Error::custom))
                .collect()
        }
    }
}
