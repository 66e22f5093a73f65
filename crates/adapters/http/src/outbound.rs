//! One outbound call, the same way for every API: timeouts, bounded retries with backoff on
//! timeouts, connection failures, 429 and 5xx (honouring `Retry-After`), the `traceparent`
//! header, and errors mapped to [`IntegrationError`] with messages that never hold a URL, a key
//! or a token.
//!
//! Error policy: `Transient` for what a later try may fix (timeout, connection failure, 429,
//! 5xx — after the retries are spent); `Permanent` for what it will not (another 4xx, a body
//! that is not what the API documents). Answers other than 429 and 5xx are returned to the
//! caller, which decides what a 404 means.

use std::sync::Arc;
use std::time::Duration;

use campaign_domain::uuid::Uuid;
use campaign_ports::IntegrationError;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Client, RequestBuilder, StatusCode};

use crate::settings::{HttpSettings, RetryPolicy, Secret};
use crate::trace::TraceContext;

/// Longest part of an error answer's body kept in an error message.
const BODY_EXCERPT_CHARS: usize = 200;

/// An answer that is neither 429 nor 5xx.
#[derive(Debug)]
pub(crate) struct Answer {
    /// Its status.
    pub(crate) status: StatusCode,
    /// Its body.
    pub(crate) body: Vec<u8>,
}

/// The client of one API.
#[derive(Clone)]
pub(crate) struct Outbound {
    client: Client,
    retry: RetryPolicy,
    trace: Arc<dyn TraceContext>,
    /// Which API, for messages (`discovery`, `fastly`, `gitlab`).
    service: &'static str,
    /// Removed from every message, wherever it appears.
    secret: Secret,
}

impl Outbound {
    /// A client with the settings' timeouts.
    pub(crate) fn new(
        service: &'static str,
        settings: &HttpSettings,
        secret: Secret,
        trace: Arc<dyn TraceContext>,
    ) -> Result<Self, IntegrationError> {
        let client = Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.request_timeout)
            .user_agent(concat!("campaign-service/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                IntegrationError::Permanent(format!(
                    "{service}: cannot build the HTTP client: {}",
                    chain(&e.without_url())
                ))
            })?;
        Ok(Self {
            client,
            retry: settings.retry,
            trace,
            service,
            secret,
        })
    }

    /// A `Permanent` error for `operation` of this API.
    pub(crate) fn permanent(&self, operation: &str, detail: &str) -> IntegrationError {
        IntegrationError::Permanent(self.message(operation, detail))
    }

    /// A `Permanent` error for an answer with an unexpected status.
    pub(crate) fn refused(&self, operation: &str, answer: &Answer) -> IntegrationError {
        self.permanent(operation, &describe_status(answer.status, &answer.body))
    }

    /// Sends the request `build` makes (once per try), retrying what may succeed later.
    pub(crate) async fn send(
        &self,
        operation: &'static str,
        build: impl Fn(&Client) -> RequestBuilder,
    ) -> Result<Answer, IntegrationError> {
        let attempts = self.retry.max_attempts.max(1);
        let mut attempt = 1;
        loop {
            let mut request = build(&self.client);
            if let Some(traceparent) = self.trace.traceparent() {
                request = request.header("traceparent", traceparent);
            }
            let (detail, retry_after) = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    let retry_after = retry_after(response.headers());
                    match response.bytes().await {
                        Ok(body) if !retryable(status) => {
                            return Ok(Answer {
                                status,
                                body: body.to_vec(),
                            });
                        }
                        Ok(body) => (describe_status(status, &body), retry_after),
                        Err(e) => (describe_error(&e), None),
                    }
                }
                Err(e) if e.is_builder() => {
                    return Err(self.permanent(operation, &describe_error(&e)));
                }
                Err(e) => (describe_error(&e), None),
            };
            if attempt >= attempts {
                let detail = format!("{detail} (after {attempt} attempts)");
                return Err(IntegrationError::Transient(
                    self.message(operation, &detail),
                ));
            }
            attempt += 1;
            let pause = self.retry.delay(attempt, retry_after, jitter());
            tracing::debug!(
                service = self.service,
                operation,
                attempt,
                pause_ms = pause.as_millis() as u64,
                detail = %self.redact(&detail),
                "retrying"
            );
            tokio::time::sleep(pause).await;
        }
    }

    fn message(&self, operation: &str, detail: &str) -> String {
        self.redact(&format!("{} {operation}: {detail}", self.service))
    }

    /// `text` with the secret replaced by `***` (servers sometimes echo what they were sent).
    fn redact(&self, text: &str) -> String {
        let secret = self.secret.expose();
        if secret.is_empty() {
            text.to_owned()
        } else {
            text.replace(secret, "***")
        }
    }
}

fn retryable(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// `Retry-After` in seconds (the HTTP-date form is ignored: the backoff applies then).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// A number in `[0, 1)` for backoff jitter.
fn jitter() -> f64 {
    let bits = Uuid::new_v4().as_u128() as u64 >> 11;
    bits as f64 / (1_u64 << 53) as f64
}

/// `answered 503 Service Unavailable: <start of the body>`.
fn describe_status(status: StatusCode, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let excerpt: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(BODY_EXCERPT_CHARS)
        .collect();
    if excerpt.is_empty() {
        format!("answered {status}")
    } else {
        format!("answered {status}: {excerpt}")
    }
}

/// What went wrong, without the URL (which may carry a key).
fn describe_error(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        format!("could not connect: {}", without_url(error))
    } else {
        format!("request failed: {}", without_url(error))
    }
}

fn without_url(error: &reqwest::Error) -> String {
    // `reqwest::Error` is not `Clone`; its message without the URL is rebuilt from its kind and
    // sources.
    let mut text = String::new();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    if text.is_empty() {
        "no detail".to_owned()
    } else {
        text
    }
}

/// An error and its causes, `: `-separated.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_excerpted_on_one_line() {
        let long = "x ".repeat(500);
        let d = describe_status(StatusCode::BAD_GATEWAY, long.as_bytes());
        assert!(d.starts_with("answered 502 Bad Gateway: x x"), "{d}");
        assert!(d.len() < 260, "{}", d.len());
        assert_eq!(
            describe_status(StatusCode::FORBIDDEN, b""),
            "answered 403 Forbidden"
        );
    }

    #[test]
    fn only_429_and_5xx_are_retried() {
        assert!(retryable(StatusCode::TOO_MANY_REQUESTS));
        assert!(retryable(StatusCode::SERVICE_UNAVAILABLE));
        assert!(!retryable(StatusCode::NOT_FOUND));
        assert!(!retryable(StatusCode::UNAUTHORIZED));
    }

    #[test]
    fn jitter_stays_in_range() {
        for _ in 0..1000 {
            let j = jitter();
            assert!((0.0..1.0).contains(&j), "{j}");
        }
    }
}
