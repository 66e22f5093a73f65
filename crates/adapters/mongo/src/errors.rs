//! Driver errors in the ports' terms: a duplicate key is a uniqueness violation the caller maps
//! to its own error (domain taken, market name taken, ...); a BSON the driver cannot encode or
//! decode is `StoreError::Internal` (500 `INTERNAL_ERROR`: the server answered, retrying will
//! not help); everything else — server selection timeouts, lost connections, command failures
//! — is `StoreError::Unavailable`, which the API answers with 503 `DEPENDENCY_UNAVAILABLE`.

use campaign_ports::StoreError;
use mongodb::error::{Error, ErrorKind, WriteFailure};

/// MongoDB's duplicate-key error code.
const DUPLICATE_KEY: i32 = 11000;

/// Whether `error` is a duplicate-key error (on insert, update or findAndModify).
pub(crate) fn is_duplicate_key(error: &Error) -> bool {
    match error.kind.as_ref() {
        ErrorKind::Write(WriteFailure::WriteError(e)) => e.code == DUPLICATE_KEY,
        ErrorKind::Command(e) => e.code == DUPLICATE_KEY,
        ErrorKind::InsertMany(e) => e
            .write_errors
            .as_ref()
            .is_some_and(|errors| errors.iter().any(|w| w.code == DUPLICATE_KEY)),
        _ => false,
    }
}

/// Whether `error` comes from an `insert_many` whose only failures are duplicate keys (the
/// other documents were inserted).
pub(crate) fn only_duplicate_keys(error: &Error) -> bool {
    match error.kind.as_ref() {
        ErrorKind::InsertMany(e) => {
            e.write_concern_error.is_none()
                && e.write_errors
                    .as_ref()
                    .is_some_and(|errors| errors.iter().all(|w| w.code == DUPLICATE_KEY))
        }
        _ => false,
    }
}

/// The store error for a driver error that is not a uniqueness violation: `Internal` for BSON
/// the driver cannot encode or decode, `Unavailable` for everything else.
pub(crate) fn driver_error(operation: &str, error: &Error) -> StoreError {
    match error.kind.as_ref() {
        ErrorKind::BsonDeserialization(_) | ErrorKind::BsonSerialization(_) => {
            StoreError::internal(format!("mongodb {operation}"), error.clone())
        }
        _ => StoreError::Unavailable(format!("mongodb {operation}: {error}")),
    }
}

/// A `map_err` helper: `.map_err(failed("find campaign"))`.
pub(crate) fn failed(operation: &'static str) -> impl Fn(Error) -> StoreError {
    move |error| driver_error(operation, &error)
}

#[cfg(test)]
mod tests {
    use bson::doc;

    use super::*;

    #[test]
    fn bson_the_driver_cannot_decode_is_internal_and_the_rest_unavailable() {
        let decode = bson::from_document::<String>(doc! {"a": 1})
            .map_err(Error::from)
            .err();
        assert!(matches!(
            decode.map(|e| driver_error("read", &e)),
            Some(StoreError::Internal { .. })
        ));
        let timeout = Error::from(std::io::Error::from(std::io::ErrorKind::TimedOut));
        assert!(matches!(
            driver_error("read", &timeout),
            StoreError::Unavailable(_)
        ));
    }
}
