//! Settings for fast tests, and checks every adapter's errors must pass.

use std::time::Duration;

use campaign_adapter_http::{HttpSettings, RetryPolicy};
use campaign_ports::IntegrationError;

/// 3 tries 10-50 ms apart, 300 ms per try.
pub fn quick() -> HttpSettings {
    HttpSettings {
        connect_timeout: Duration::from_millis(300),
        request_timeout: Duration::from_millis(300),
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
        },
    }
}

/// A URL nothing listens on.
pub fn closed_port_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}")
}

/// Checks the error is transient and its message names `needle` but no secret or URL.
#[track_caller]
pub fn assert_transient(error: &IntegrationError, needle: &str, secret: &str) {
    assert!(error.is_transient(), "{error:?}");
    assert_clean(error, needle, secret);
}

/// Checks the error is permanent and its message names `needle` but no secret or URL.
#[track_caller]
pub fn assert_permanent(error: &IntegrationError, needle: &str, secret: &str) {
    assert!(matches!(error, IntegrationError::Permanent(_)), "{error:?}");
    assert_clean(error, needle, secret);
}

#[track_caller]
fn assert_clean(error: &IntegrationError, needle: &str, secret: &str) {
    let text = error.to_string();
    assert!(text.contains(needle), "{text:?} lacks {needle:?}");
    assert!(!text.contains(secret), "{text:?} leaks the secret");
    assert!(!text.contains("http://"), "{text:?} holds a URL");
    assert!(!text.contains("apikey"), "{text:?} holds the key parameter");
}
