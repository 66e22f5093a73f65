//! The success envelope of every answer with a body: `{"data": <result>, "meta": {...}}`.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `meta` of every success envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Meta<'a> {
    /// The request's correlation id (also in the `x-correlation-id` header).
    #[schema(value_type = String, min_length = 1, max_length = 128)]
    pub correlation: Cow<'a, str>,
    /// When the answer was made: RFC 3339, UTC, milliseconds.
    #[schema(value_type = String, format = DateTime, example = "2030-01-01T12:00:00.000Z")]
    pub timestamp: Cow<'a, str>,
}

/// A success answer: the result under `data`, and [`Meta`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Envelope<'a, T> {
    /// The result.
    pub data: T,
    /// About the answer.
    pub meta: Meta<'a>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_envelope_has_the_wire_shape_and_reads_back() {
        let envelope = Envelope {
            data: [1, 2],
            meta: Meta {
                correlation: "c-1".into(),
                timestamp: "2030-01-01T00:00:00.000Z".into(),
            },
        };
        let json = serde_json::to_string(&envelope).unwrap();
        assert_eq!(
            json,
            r#"{"data":[1,2],"meta":{"correlation":"c-1","timestamp":"2030-01-01T00:00:00.000Z"}}"#
        );
        // A client reads answers into owned values: no borrow of the buffer they came in.
        fn owned<T: serde::de::DeserializeOwned>(json: &str) -> T {
            serde_json::from_str(json).unwrap()
        }
        let back: Envelope<'static, Vec<u8>> = owned(&json);
        assert_eq!(back.data, [1, 2]);
        assert_eq!(back.meta.correlation, "c-1");
    }
}
