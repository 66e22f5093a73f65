//! The mapping between the domain's serde shape (its JSON wire form) and BSON documents.
//!
//! The domain types know nothing of BSON: a record is serialised to JSON with its own serde
//! implementation, then turned into BSON here, and back. On the way in, the record's `id`
//! becomes `_id` (an `ObjectId` for the 24-hex ids the service generates, a string otherwise)
//! and the dates under the given top-level fields become BSON dates, so MongoDB compares and
//! sorts them as instants. On the way out every BSON date becomes the domain's canonical text
//! again (RFC 3339, milliseconds, `Z`). A string is stored as a date only when that canonical
//! text reads back byte for byte, so the round trip never changes a value.
//!
//! Fields whose names start with `_` belong to the adapter (pending outbox events, sort keys,
//! uniqueness keys) and are dropped before a document goes back to the domain.

use campaign_domain::chrono::{DateTime, SecondsFormat, Utc};
use campaign_domain::serde_json::{Map, Number, Value};
use campaign_ports::StoreError;
use mongodb::bson::oid::ObjectId;
use mongodb::bson::{self, Bson, Document};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The stored form of an id: an `ObjectId` for the 24-hex ids the service generates, the
/// text itself for anything else (so nothing is lost).
pub(crate) fn id_bson(id: &str) -> Bson {
    match ObjectId::parse_str(id) {
        Ok(oid) => Bson::ObjectId(oid),
        Err(_) => Bson::String(id.to_owned()),
    }
}

/// The stored forms of several ids, for `$in`.
pub(crate) fn id_list<'a>(ids: impl IntoIterator<Item = &'a str>) -> Bson {
    Bson::Array(ids.into_iter().map(id_bson).collect())
}

/// The id text of a stored `_id`.
pub(crate) fn id_text(id: &Bson) -> Option<String> {
    match id {
        Bson::ObjectId(oid) => Some(oid.to_hex()),
        Bson::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// A BSON date for an instant (milliseconds, as the domain keeps them).
pub(crate) fn date(at: DateTime<Utc>) -> Bson {
    Bson::DateTime(bson::DateTime::from_millis(at.timestamp_millis()))
}

/// The instant of a BSON date.
pub(crate) fn instant(value: &Bson) -> Option<DateTime<Utc>> {
    match value {
        Bson::DateTime(d) => DateTime::from_timestamp_millis(d.timestamp_millis()),
        _ => None,
    }
}

/// Serialises `record` into a document: `id` becomes `_id`, canonical date strings under the
/// top-level fields `date_roots` become BSON dates.
pub(crate) fn to_document<T: Serialize>(
    record: &T,
    date_roots: &[&str],
) -> Result<Document, StoreError> {
    let value = campaign_domain::serde_json::to_value(record)
        .map_err(|e| StoreError::Unavailable(format!("cannot serialise a record: {e}")))?;
    let Value::Object(fields) = value else {
        return Err(StoreError::Unavailable(
            "a record did not serialise to an object".to_owned(),
        ));
    };
    let mut doc = Document::new();
    for (key, value) in fields {
        if key == "id" {
            let Value::String(id) = value else {
                return Err(StoreError::Unavailable(
                    "a record id is not text".to_owned(),
                ));
            };
            doc.insert("_id", id_bson(&id));
            continue;
        }
        let dates = date_roots.contains(&key.as_str());
        doc.insert(key, json_to_bson(value, dates));
    }
    Ok(doc)
}

/// Deserialises a stored document: `_id` becomes `id`, adapter fields (`_…`) are dropped and
/// BSON dates become canonical date strings.
pub(crate) fn from_document<T: DeserializeOwned>(doc: Document) -> Result<T, StoreError> {
    let mut fields = Map::new();
    for (key, value) in doc {
        if key == "_id" {
            let id = id_text(&value)
                .ok_or_else(|| StoreError::Unavailable("a stored _id is not an id".to_owned()))?;
            fields.insert("id".to_owned(), Value::String(id));
        } else if !key.starts_with('_') {
            fields.insert(key, bson_to_json(value));
        }
    }
    campaign_domain::serde_json::from_value(Value::Object(fields))
        .map_err(|e| StoreError::Unavailable(format!("cannot read a stored record: {e}")))
}

/// Serialises a value without touching ids or dates (outbox events travel as they are).
pub(crate) fn plain_bson<T: Serialize>(value: &T) -> Result<Bson, StoreError> {
    let value = campaign_domain::serde_json::to_value(value)
        .map_err(|e| StoreError::Unavailable(format!("cannot serialise a value: {e}")))?;
    Ok(json_to_bson(value, false))
}

/// Deserialises a value written by [`plain_bson`].
pub(crate) fn from_plain_bson<T: DeserializeOwned>(value: Bson) -> Result<T, String> {
    campaign_domain::serde_json::from_value(bson_to_json(value)).map_err(|e| e.to_string())
}

fn json_to_bson(value: Value, dates: bool) -> Bson {
    match value {
        Value::Null => Bson::Null,
        Value::Bool(b) => Bson::Boolean(b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Bson::Int64(i),
            None => Bson::Double(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => match canonical_date(&s) {
            Some(at) if dates => date(at),
            _ => Bson::String(s),
        },
        Value::Array(items) => Bson::Array(
            items
                .into_iter()
                .map(|item| json_to_bson(item, dates))
                .collect(),
        ),
        Value::Object(fields) => Bson::Document(
            fields
                .into_iter()
                .map(|(k, v)| (k, json_to_bson(v, dates)))
                .collect(),
        ),
    }
}

fn bson_to_json(value: Bson) -> Value {
    match value {
        Bson::Null | Bson::Undefined => Value::Null,
        Bson::Boolean(b) => Value::Bool(b),
        Bson::Int32(i) => Value::Number(i.into()),
        Bson::Int64(i) => Value::Number(i.into()),
        Bson::Double(f) => Number::from_f64(f).map_or(Value::Null, Value::Number),
        Bson::String(s) => Value::String(s),
        Bson::ObjectId(oid) => Value::String(oid.to_hex()),
        Bson::DateTime(d) => DateTime::from_timestamp_millis(d.timestamp_millis())
            .map_or(Value::Null, |at| Value::String(canonical_text(at))),
        Bson::Array(items) => Value::Array(items.into_iter().map(bson_to_json).collect()),
        Bson::Document(doc) => {
            Value::Object(doc.into_iter().map(|(k, v)| (k, bson_to_json(v))).collect())
        }
        // Types this adapter never writes (binary, regex, decimal, ...): their relaxed
        // extended-JSON form, so a hand-edited document still reads.
        other => other.into_relaxed_extjson(),
    }
}

/// The domain's canonical date text: `2026-05-01T15:00:00.000Z`.
fn canonical_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The instant of `s` when `s` is exactly the canonical text of that instant.
fn canonical_date(s: &str) -> Option<DateTime<Utc>> {
    let bytes = s.as_bytes();
    if bytes.len() != 24 || bytes[10] != b'T' || bytes[23] != b'Z' {
        return None;
    }
    let at = DateTime::parse_from_rfc3339(s).ok()?.with_timezone(&Utc);
    (canonical_text(at) == s).then_some(at)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use campaign_domain::serde_json::json;
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Record {
        id: String,
        name: String,
        date: Value,
        other: Value,
    }

    #[test]
    fn dates_under_date_roots_become_bson_dates_and_read_back_identical() {
        let record = Record {
            id: "65a1b2c3d4e5f60718293a4b".to_owned(),
            name: "2026-05-01T15:00:00.000Z".to_owned(),
            date: json!({"open": "2026-05-01T15:00:00.000Z", "odd": "2026-05-01T15:00:00Z",
                         "list": ["2026-05-01T15:00:00.005Z"], "bad": "2026-02-30T00:00:00.000Z"}),
            other: json!({"at": "2026-05-01T15:00:00.000Z", "n": 3, "f": 1.5, "none": null}),
        };
        let doc = to_document(&record, &["date"]).unwrap();
        assert!(matches!(doc.get("_id"), Some(Bson::ObjectId(_))));
        let dates = doc.get_document("date").unwrap();
        assert!(matches!(dates.get("open"), Some(Bson::DateTime(_))));
        assert!(
            matches!(dates.get("odd"), Some(Bson::String(_))),
            "not canonical"
        );
        assert!(
            matches!(dates.get("bad"), Some(Bson::String(_))),
            "not a date"
        );
        assert!(matches!(
            dates.get_array("list").unwrap()[0],
            Bson::DateTime(_)
        ));
        assert!(
            matches!(doc.get("name"), Some(Bson::String(_))),
            "outside the roots"
        );
        let back: Record = from_document(doc).unwrap();
        assert_eq!(back, record);
    }

    #[test]
    fn adapter_fields_are_dropped_and_foreign_ids_stay_text() {
        let mut doc = to_document(&json!({"id": "E-123", "name": "x"}), &[]).unwrap();
        assert_eq!(doc.get("_id"), Some(&Bson::String("E-123".to_owned())));
        doc.insert("_outbox", Bson::Array(vec![]));
        let back: Value = from_document(doc).unwrap();
        assert_eq!(back, json!({"id": "E-123", "name": "x"}));
    }
}
