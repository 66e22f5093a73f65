//! From an SDK error of a whole call to an `IntegrationError`, the same way for Kinesis and SQS.
//!
//! - `Transient` (the relay retries later): a timeout, a connection or I/O failure, any 5xx,
//!   429, and the throttling and transient error codes AWS itself retries
//!   (`ProvisionedThroughputExceededException`, `ThrottlingException`, `RequestThrottled`, KMS
//!   throttling, ...), also when they come with a 4xx status.
//! - `Permanent` (the relay gives the events up): every other 4xx service error
//!   (`ResourceNotFoundException`, `QueueDoesNotExist`, `AccessDeniedException`, a validation
//!   error), a request the SDK could not build (no region, an invalid parameter), and an answer
//!   that is not the documented shape.
//!
//! Messages are for logs: which call on which stream or queue, the error code and message, and
//! the HTTP status, or the chain of causes for a failure below HTTP. They hold no credentials
//! (the SDK never puts them in errors).

use std::error::Error;
use std::fmt::Write as _;

use aws_sdk_kinesis::config::http::HttpResponse;
use aws_sdk_kinesis::error::{ProvideErrorMetadata, SdkError};
use campaign_ports::IntegrationError;

/// Error codes that mean "slow down" or "try again", whatever the HTTP status: the SDK's own
/// throttling and transient lists, plus the KMS and SQS throttling codes.
const RETRYABLE_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "RequestTimeout",
    "RequestTimeoutException",
    "KMSThrottlingException",
    "KMSUnavailableException",
    "KmsThrottled",
    "KMS.ThrottlingException",
    "AWS.SimpleQueueService.RequestThrottled",
    "InternalFailure",
    "InternalError",
    "InternalServerError",
    "ServiceUnavailable",
];

/// Whether an error code (of a whole call or of one entry) is worth retrying.
pub(crate) fn is_retryable_code(code: &str) -> bool {
    RETRYABLE_CODES.contains(&code)
}

/// The `IntegrationError` for a failed call; `what` names the call and its target for the log
/// (`Kinesis PutRecords on stream campaigns`).
pub(crate) fn classify<E>(what: &str, error: &SdkError<E, HttpResponse>) -> IntegrationError
where
    E: ProvideErrorMetadata + Error + 'static,
{
    match error {
        SdkError::TimeoutError(_) => {
            IntegrationError::Transient(format!("{what}: timed out: {}", causes(error)))
        }
        SdkError::DispatchFailure(failure) => {
            let message = format!("{what}: request not delivered: {}", causes(error));
            if failure.is_user() {
                // The request could not be sent as configured (a bad endpoint, say): retrying
                // the same thing will not help.
                IntegrationError::Permanent(message)
            } else {
                IntegrationError::Transient(message)
            }
        }
        SdkError::ConstructionFailure(_) => {
            IntegrationError::Permanent(format!("{what}: request not built: {}", causes(error)))
        }
        SdkError::ResponseError(response) => {
            let status = response.raw().status().as_u16();
            let message = format!(
                "{what}: unreadable answer (HTTP {status}): {}",
                causes(error)
            );
            if status == 429 || status >= 500 {
                IntegrationError::Transient(message)
            } else {
                IntegrationError::Permanent(message)
            }
        }
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let code = error.code().unwrap_or("unknown error");
            let mut message = format!("{what}: {code}");
            if let Some(text) = error.message() {
                let _ = write!(message, ": {text}");
            }
            let _ = write!(message, " (HTTP {status})");
            if status == 429 || status >= 500 || is_retryable_code(code) {
                IntegrationError::Transient(message)
            } else {
                IntegrationError::Permanent(message)
            }
        }
        // `SdkError` is non-exhaustive; whatever comes next is not known to be final.
        _ => IntegrationError::Transient(format!("{what}: {}", causes(error))),
    }
}

/// The error and its sources, `: `-separated (without the SDK's Debug dump).
fn causes(error: &(dyn Error + 'static)) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !out.ends_with(&text) {
            let _ = write!(out, ": {text}");
        }
        source = cause.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_codes_are_retryable_and_missing_resources_are_not() {
        assert!(is_retryable_code("ProvisionedThroughputExceededException"));
        assert!(is_retryable_code("KMSThrottlingException"));
        assert!(!is_retryable_code("ResourceNotFoundException"));
        assert!(!is_retryable_code(
            "AWS.SimpleQueueService.NonExistentQueue"
        ));
        assert!(!is_retryable_code("AccessDeniedException"));
    }
}
