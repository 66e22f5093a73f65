//! A small reader that turns a JSON document into typed values while collecting every failing
//! field with its path, so validation reports all problems at once instead of the first.
//!
//! Absent and `null` mean "not set" for every field.

use chrono::{DateTime, SubsecRound, Utc};
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

    /// An optional non-negative integer. As in JSON Schema, a number with a zero fraction
    /// (`4.0`) is an integer; beyond 2^53 only the integer form is exact, so only it is read.
    pub(crate) fn u64(&self, key: &str, errors: &mut ValidationErrors) -> Option<u64> {
        let v = self.raw(key)?;
        match whole_number(v) {
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

/// Parses an RFC 3339 date-time into UTC, at the wire's millisecond precision.
pub(crate) fn parse_date(raw: &str) -> Result<DateTime<Utc>, InvalidValue> {
    DateTime::parse_from_rfc3339(raw)
        .map(|d| wire_precision(d.with_timezone(&Utc)))
        .map_err(|_| InvalidValue::new("must be an RFC 3339 date-time (e.g. 2026-05-01T17:00:00Z)"))
}

/// An instant cut to the millisecond precision of the wire (and of the stores), so what an
/// entity holds is exactly what it serialises to and reads back.
pub(crate) fn wire_precision(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(3)
}

fn path_or_body(path: &str) -> &str {
    if path.is_empty() { "body" } else { path }
}

/// The service's date-time wire format, for `#[serde(with = "wire_time")]`: RFC 3339 UTC with
/// milliseconds (`2026-05-01T17:00:00.000Z`); any RFC 3339 offset is read, and kept to the
/// millisecond.
pub mod wire_time {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serialises one date.
    pub fn serialize<S: Serializer>(d: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&d.to_rfc3339_opts(SecondsFormat::Millis, true))
    }

    /// Deserialises one date.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let raw = std::borrow::Cow::<str>::deserialize(d)?;
        super::parse_date(&raw).map_err(serde::de::Error::custom)
    }

    /// The same for optional dates.
    pub mod option {
        use super::*;

        /// Serialises an optional date (callers skip `None`).
        pub fn serialize<S: Serializer>(
            d: &Option<DateTime<Utc>>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => super::serialize(d, s),
                None => s.serialize_none(),
            }
        }

        /// Deserialises an optional date.
        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<DateTime<Utc>>, D::Error> {
            let raw = Option::<std::borrow::Cow<str>>::deserialize(d)?;
            raw.map(|r| super::super::parse_date(&r).map_err(serde::de::Error::custom))
                .transpose()
        }
    }

    /// The same for lists of dates.
    pub mod vec {
        use super::*;
        use serde::ser::SerializeSeq;

        /// Serialises a list of dates.
        pub fn serialize<S: Serializer>(ds: &[DateTime<Utc>], s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(Some(ds.len()))?;
            for d in ds {
                seq.serialize_element(&d.to_rfc3339_opts(SecondsFormat::Millis, true))?;
            }
            seq.end()
        }

        /// Deserialises a list of dates.
        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Vec<DateTime<Utc>>, D::Error> {
            let raw = Vec::<String>::deserialize(d)?;
            raw.iter()
                .map(|r| super::super::parse_date(r).map_err(serde::de::Error::custom))
                .collect()
        }
    }
}

/// The largest integer every `f64` below it represents exactly (2^53).
const MAX_EXACT_FLOAT_INTEGER: f64 = 9_007_199_254_740_992.0;

/// `value` as a non-negative integer: an integer, or a number with a zero fraction up to 2^53.
fn whole_number(value: &Value) -> Option<u64> {
    value.as_u64().or_else(|| {
        let f = value.as_f64()?;
        // In range and without a fraction, so the conversion is exact.
        (f.fract() == 0.0 && (0.0..=MAX_EXACT_FLOAT_INTEGER).contains(&f)).then_some(f as u64)
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;
    use serde_json::json;

    use super::*;

    fn read<T>(
        doc: &Value,
        f: impl FnOnce(&ObjectReader<'_>, &mut ValidationErrors) -> T,
    ) -> (T, Vec<String>) {
        let mut e = ValidationErrors::new();
        let r = ObjectReader::new(Some(doc), "", &mut e);
        let out = f(&r, &mut e);
        (out, e.fields().iter().map(|f| f.field.clone()).collect())
    }

    #[test]
    fn null_reads_as_absent_everywhere() {
        let doc = json!({"s": null, "o": null, "a": null, "b": null});
        let (out, errors) = read(&doc, |r, e| {
            (
                r.has("s"),
                r.text("s", 10, e),
                r.object("o", e).is_present(),
                r.array("a", e, |_, _, _| Some(())).len(),
                r.bool("b", e),
            )
        });
        assert_eq!(out, (false, None, false, 0, None));
        assert!(errors.is_empty());
        let (missing, errors) = read(&doc, |r, e| r.required_text("s", 10, e));
        assert_eq!((missing, errors), (None, vec!["s".to_owned()]));
    }

    #[test]
    fn nested_paths_join_with_dots_and_indexes() {
        let doc = json!({"a": {"b": [{"c": 1}, {"c": "x"}]}});
        let (_, errors) = read(&doc, |r, e| {
            r.object("a", e).array("b", e, |v, path, e| {
                ObjectReader::new(Some(v), path, e)
                    .string("c", e)
                    .map(str::to_owned)
            })
        });
        assert_eq!(errors, ["a.b[0].c"]);
        assert_eq!(join("", "x"), "x");
        assert_eq!(join("a[1]", "x"), "a[1].x");
    }

    #[test]
    fn a_non_object_root_is_reported_as_the_body() {
        let mut e = ValidationErrors::new();
        let array = json!([1]);
        let r = ObjectReader::new(Some(&array), "", &mut e);
        assert!(!r.is_present());
        assert_eq!(e.fields()[0].field, "body");
        let mut e = ValidationErrors::new();
        ObjectReader::new(Some(&json!("x")), "style.theme", &mut e);
        assert_eq!(e.fields()[0].field, "style.theme");
    }

    #[test]
    fn numbers_and_booleans_are_type_checked() {
        let doc = json!({"n": -1, "f": 1.5, "ok": 7, "b": "true", "t": true});
        let (out, errors) = read(&doc, |r, e| {
            (
                r.u64("n", e),
                r.u64("f", e),
                r.u64("ok", e),
                r.bool("b", e),
                r.bool("t", e),
            )
        });
        assert_eq!(out, (None, None, Some(7), None, Some(true)));
        assert_eq!(errors, ["n", "f", "b"]);
    }

    #[test]
    fn a_number_with_a_zero_fraction_is_an_integer_as_in_json_schema() {
        let doc = json!({"a": 4.0, "z": 0.0, "max": 9_007_199_254_740_992.0_f64,
                         "big": 1.0e300, "neg": -2.0, "nan_like": 2.5});
        let (out, errors) = read(&doc, |r, e| {
            (
                r.u64("a", e),
                r.u64("z", e),
                r.u64("max", e),
                r.u64("big", e),
                r.u64("neg", e),
                r.u64("nan_like", e),
            )
        });
        assert_eq!(
            out,
            (
                Some(4),
                Some(0),
                Some(9_007_199_254_740_992),
                None,
                None,
                None
            )
        );
        assert_eq!(errors, ["big", "neg", "nan_like"]);
    }

    #[test]
    fn text_length_counts_characters_not_bytes() {
        let doc = json!({"t": "ééé", "u": "éééé"});
        let (out, errors) = read(&doc, |r, e| (r.text("t", 3, e), r.text("u", 3, e)));
        assert_eq!(out, (Some("ééé".to_owned()), None));
        assert_eq!(errors, ["u"]);
    }

    #[test]
    fn dates_are_read_in_utc_at_millisecond_precision() {
        let expected = Utc.with_ymd_and_hms(2026, 5, 1, 15, 0, 0).unwrap();
        assert_eq!(parse_date("2026-05-01T17:00:00+02:00"), Ok(expected));
        assert_eq!(
            parse_date("2026-05-01T15:00:00.123999999Z"),
            Ok(expected + chrono::Duration::milliseconds(123))
        );
        for bad in [
            "",
            "2026-05-01",
            "2026-05-01 15:00:00",
            "01/05/2026",
            "2026-13-01T00:00:00Z",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn wire_time_writes_milliseconds_and_z() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct Doc {
            #[serde(with = "wire_time")]
            at: DateTime<Utc>,
            #[serde(with = "wire_time::option")]
            maybe: Option<DateTime<Utc>>,
            #[serde(with = "wire_time::vec")]
            many: Vec<DateTime<Utc>>,
        }
        let t = Utc.with_ymd_and_hms(2026, 5, 1, 15, 0, 0).unwrap();
        let doc = Doc {
            at: t,
            maybe: Some(t),
            many: vec![t, t + chrono::Duration::milliseconds(5)],
        };
        let v = serde_json::to_value(&doc).unwrap();
        assert_eq!(
            v,
            json!({"at": "2026-05-01T15:00:00.000Z", "maybe": "2026-05-01T15:00:00.000Z",
                   "many": ["2026-05-01T15:00:00.000Z", "2026-05-01T15:00:00.005Z"]})
        );
        assert_eq!(serde_json::from_value::<Doc>(v).unwrap(), doc);
        let none: Doc = serde_json::from_value(
            json!({"at": "2026-05-01T17:00:00+02:00", "maybe": null, "many": []}),
        )
        .unwrap();
        assert_eq!((none.at, none.maybe), (t, None));
        assert!(
            serde_json::from_value::<Doc>(json!({"at": "soon", "maybe": null, "many": []}))
                .is_err()
        );
    }
}
