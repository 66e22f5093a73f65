//! `Idempotency-Key` on POST (SPEC §4.1), a middleware inside the request pipeline (so replays
//! and refusals get the correlation id, the error envelope, metrics and the access log like any
//! answer).
//!
//! For a POST carrying the header, from a caller with a valid bearer token (without one the
//! request passes through untouched and the handler answers 401):
//! 1. the key must be 1-255 visible ASCII characters (0x21-0x7E), sent once; otherwise 400
//!    `VALIDATION_ERROR` on the field `Idempotency-Key`;
//! 2. the body is buffered (at most [`BODY_LIMIT`]; a larger declared body passes through so the
//!    handler answers 413, a larger chunked one is answered 413 here) and fingerprinted: SHA-256
//!    of the body, followed by a NUL and the query string when there is one;
//! 3. the record (caller's `userId`, key, `POST`, path) is begun in the store with a [`LEASE`]:
//!    a running one answers 409 `IDEMPOTENCY_KEY_IN_PROGRESS`, one with another fingerprint 422
//!    `IDEMPOTENCY_KEY_REUSED`, a completed one is replayed (stored status, body, `Location`,
//!    `ETag`, plus `Idempotency-Replayed: true`; the body's correlation id is the original
//!    one's); a store that cannot be reached answers 503 `DEPENDENCY_UNAVAILABLE` and the write
//!    does not run un-deduplicated;
//! 4. otherwise the request runs with its body put back. Its answer is kept for [`RETENTION`]
//!    unless it is not worth replaying (5xx, and 429, which says "try again"): then the record
//!    is released so a retry runs again. Error answers are put in the envelope here, before
//!    they are stored, and marked [`Enveloped`] so the pipeline leaves them as they are. The
//!    request runs in a task of its own, so a client that hangs up does not cut it short: its
//!    answer is still kept for the retry. A handler that fails releases the record from a
//!    guard; should even that fail, the lease ends the claim.

use std::sync::Arc;
use std::time::Duration;

use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpResponse, web};
use aws_lc_rs::digest;
use campaign_domain::DomainError;
use campaign_domain::uuid::Uuid;
use campaign_ports::{Begin, IdempotencyClaim, IdempotencyKey, IdempotencyStore, StoredResponse};
use tracing::Instrument as _;

use super::correlation::Correlation;
use super::extract::BODY_LIMIT;
use super::pipeline::{Enveloped, with_error_envelope};
use crate::auth::{Authenticated, authenticate};
use crate::error::ApiError;
use crate::state::AppState;

/// The request header.
pub(crate) const HEADER: &str = "idempotency-key";
/// The response header of a replayed answer.
pub(crate) const REPLAYED: &str = "idempotency-replayed";
/// How long a running request holds its key before another may take it over (a replica that
/// crashed mid-request blocks retries this long at most).
pub(crate) const LEASE: Duration = Duration::from_secs(60);
/// How long an answer is kept for retries.
pub(crate) const RETENTION: Duration = Duration::from_secs(24 * 3600);
/// Longest key accepted.
const MAX_KEY_LEN: usize = 255;

/// The middleware function; wrap it with `actix_web::middleware::from_fn`, inside the pipeline.
pub(crate) async fn idempotency(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if req.method() != Method::POST || !req.headers().contains_key(HEADER) {
        return pass(req, next).await;
    }
    let Ok(Authenticated(actor)) = authenticate(req.request()) else {
        return pass(req, next).await;
    };
    let key = match key_of(req.headers()) {
        Ok(key) => key,
        Err(error) => return Ok(req.error_response(error)),
    };
    if declared_length(req.headers()).is_some_and(|length| length > BODY_LIMIT) {
        return pass(req, next).await;
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        let error = DomainError::Internal("no AppState is registered as app data".to_owned());
        return Ok(req.error_response(ApiError::from(error)));
    };

    let (http_req, mut payload) = req.into_parts();
    let body = match web::Payload::from_request(&http_req, &mut payload)
        .await?
        .to_bytes_limited(BODY_LIMIT)
        .await
    {
        Ok(Ok(body)) => body,
        Ok(Err(error)) => return Ok(ServiceResponse::from_err(error, http_req)),
        Err(_) => {
            let error = ApiError::PayloadTooLarge {
                limit_bytes: BODY_LIMIT,
            };
            return Ok(ServiceResponse::from_err(error, http_req));
        }
    };
    let record = IdempotencyKey {
        user_id: actor.user_id().to_owned(),
        key,
        method: Method::POST.to_string(),
        path: http_req.path().to_owned(),
    };
    let fingerprint = fingerprint(http_req.query_string(), &body);
    let claim = IdempotencyClaim(Uuid::new_v4().to_string());
    let store = state.ports.idempotency.clone();
    let now = state.ports.clock.now();
    let refuse = |error: ApiError, http_req| Ok(ServiceResponse::from_err(error, http_req));
    match store.begin(&record, &fingerprint, &claim, now, LEASE).await {
        Ok(Begin::Started) => {}
        Ok(Begin::InProgress) => return refuse(ApiError::IdempotencyKeyInProgress, http_req),
        Ok(Begin::Mismatch) => return refuse(ApiError::IdempotencyKeyReused, http_req),
        Ok(Begin::Replay(stored)) => return Ok(ServiceResponse::new(http_req, replay(&stored))),
        Err(error) => {
            // An outage is 503; a record this version cannot read is 500 (as for every store).
            tracing::warn!(%error, "the idempotency records cannot be used");
            let error = error.into_domain(DomainError::Internal(
                "idempotency record missing during begin".to_owned(),
            ));
            return refuse(error.into(), http_req);
        }
    }

    let held = Held::new(store.clone(), record, claim);
    let req = ServiceRequest::from_parts(http_req, Payload::from(body));
    // The request runs to its end in a task of its own, and its answer is kept there: a client
    // that hangs up (and retries) must find the answer, not a key released while the write it
    // started went through. Only a failure of the task itself releases the key (the guard).
    let task = actix_web::rt::spawn(
        run_and_keep(req, next, held, store, state).instrument(tracing::Span::current()),
    );
    match task.await {
        Ok(result) => result,
        Err(error) => Err(actix_web::error::ErrorInternalServerError(error)),
    }
}

/// Runs the request and keeps (or releases) its answer under `held`'s key.
async fn run_and_keep(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
    held: Held,
    store: Arc<dyn IdempotencyStore>,
    state: web::Data<AppState>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // An `Err` releases the record through `held`'s drop.
    let res = next.call(req).await?.map_into_boxed_body();
    if !worth_keeping(res.status()) {
        held.release().await;
        return Ok(res);
    }
    let res = if res.status().is_client_error() {
        let correlation = res.request().extensions().get::<Correlation>().cloned();
        let correlation = correlation.unwrap_or_else(|| Correlation::from_header(None));
        let mut res = with_error_envelope(res, &correlation, &tracing::Span::current());
        res.response_mut().extensions_mut().insert(Enveloped);
        res
    } else {
        res
    };
    let (http_req, response) = res.into_parts();
    let (head, body) = response.into_parts();
    let bytes = match body::to_bytes(body).await {
        Ok(bytes) => bytes,
        Err(error) => {
            held.release().await;
            return Err(actix_web::error::ErrorInternalServerError(error));
        }
    };
    let stored = StoredResponse {
        status: head.status().as_u16(),
        body: bytes.to_vec(),
        location: header_text(head.headers(), &header::LOCATION),
        etag: header_text(head.headers(), &header::ETAG),
    };
    let now = state.ports.clock.now();
    match store
        .complete(&held.key, &held.claim, &stored, now, RETENTION)
        .await
    {
        Ok(true) => held.disarm(),
        Ok(false) => {
            tracing::warn!("the idempotency key was taken over before its answer was kept");
            held.disarm();
        }
        Err(error) => {
            tracing::warn!(%error, "the answer of an idempotent request could not be kept");
            held.release().await;
        }
    }
    Ok(ServiceResponse::new(
        http_req,
        head.set_body(BoxBody::new(bytes)),
    ))
}

async fn pass(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

/// The key of the header, sent once, 1-255 characters 0x21-0x7E.
fn key_of(headers: &HeaderMap) -> Result<String, ApiError> {
    let bad = |message: &str| ApiError::invalid("Idempotency-Key", message);
    let mut values = headers.get_all(HEADER);
    let (Some(value), None) = (values.next(), values.next()) else {
        return Err(bad("must be sent once"));
    };
    let bytes = value.as_bytes();
    if bytes.is_empty()
        || bytes.len() > MAX_KEY_LEN
        || !bytes.iter().all(|b| (0x21..=0x7e).contains(b))
    {
        return Err(bad(
            "must be 1 to 255 visible ASCII characters (0x21-0x7E), without spaces",
        ));
    }
    Ok(String::from_utf8_lossy(bytes).into_owned())
}

/// The `Content-Length` a request declares, if it declares one that parses.
fn declared_length(headers: &HeaderMap) -> Option<usize> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Hex SHA-256 of the body, followed by a NUL and the query string when there is one.
pub(crate) fn fingerprint(query: &str, body: &[u8]) -> String {
    let mut context = digest::Context::new(&digest::SHA256);
    context.update(body);
    if !query.is_empty() {
        context.update(b"\0");
        context.update(query.as_bytes());
    }
    context
        .finish()
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether an answer is kept for retries: not a 5xx (a retry may succeed) nor a 429 (a retry
/// later is what it asks for).
fn worth_keeping(status: StatusCode) -> bool {
    !status.is_server_error() && status != StatusCode::TOO_MANY_REQUESTS
}

fn header_text(headers: &HeaderMap, name: &HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The kept answer again, marked as a replay.
fn replay(stored: &StoredResponse) -> HttpResponse {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut builder = HttpResponse::build(status);
    builder.insert_header((
        HeaderName::from_static(REPLAYED),
        HeaderValue::from_static("true"),
    ));
    for (name, value) in [
        (header::LOCATION, &stored.location),
        (header::ETAG, &stored.etag),
    ] {
        if let Some(value) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
            builder.insert_header((name, value));
        }
    }
    if !stored.body.is_empty() {
        builder.content_type(HeaderValue::from_static("application/json"));
    }
    let mut res = builder.body(stored.body.clone());
    if status.is_client_error() || status.is_server_error() {
        res.extensions_mut().insert(Enveloped);
    }
    res
}

/// A begun record: released when dropped unless completed (or released) first.
struct Held {
    store: Arc<dyn IdempotencyStore>,
    key: IdempotencyKey,
    claim: IdempotencyClaim,
    armed: bool,
    span: tracing::Span,
}

impl Held {
    fn new(store: Arc<dyn IdempotencyStore>, key: IdempotencyKey, claim: IdempotencyClaim) -> Self {
        Self {
            store,
            key,
            claim,
            armed: true,
            span: tracing::Span::current(),
        }
    }

    /// Releases the record now.
    async fn release(mut self) {
        self.armed = false;
        if let Err(error) = self.store.release(&self.key, &self.claim).await {
            tracing::warn!(%error, "an idempotency key could not be released; its lease will end");
        }
    }

    /// Leaves the record as it is (completed).
    fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (store, key, claim) = (self.store.clone(), self.key.clone(), self.claim.clone());
        runtime.spawn(
            async move {
                if let Err(error) = store.release(&key, &claim).await {
                    tracing::warn!(%error, "an idempotency key could not be released; its lease will end");
                }
            }
            .instrument(self.span.clone()),
        );
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn headers(values: &[&[u8]]) -> HeaderMap {
        let mut request = TestRequest::default();
        for value in values {
            request = request.append_header((HEADER, HeaderValue::from_bytes(value).unwrap()));
        }
        request.to_http_request().headers().clone()
    }

    #[test]
    fn keys_are_visible_ascii_of_at_most_255_characters() {
        assert_eq!(key_of(&headers(&[b"abc-123_~!"])).unwrap(), "abc-123_~!");
        let longest = "k".repeat(255);
        assert_eq!(key_of(&headers(&[longest.as_bytes()])).unwrap(), longest);
        for bad in [
            "k".repeat(256).into_bytes(),
            b"a b".to_vec(),
            b"a\tb".to_vec(),
            "caf\u{e9}".as_bytes().to_vec(),
            Vec::new(),
        ] {
            let error = key_of(&headers(&[&bad])).unwrap_err();
            assert_eq!(error.classify().1.as_str(), "VALIDATION_ERROR", "{bad:?}");
        }
        assert!(key_of(&headers(&[b"a", b"b"])).is_err(), "sent twice");
    }

    #[test]
    fn fingerprints_cover_the_body_and_the_query() {
        // SHA-256 of "{}".
        assert_eq!(
            fingerprint("", b"{}"),
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
        assert_ne!(fingerprint("", b"{}"), fingerprint("a=1", b"{}"));
        assert_ne!(fingerprint("", b"{}"), fingerprint("", b"{ }"));
    }

    #[test]
    fn only_answers_worth_replaying_are_kept() {
        for status in [200, 201, 204, 400, 403, 404, 409, 422] {
            assert!(
                worth_keeping(StatusCode::from_u16(status).unwrap()),
                "{status}"
            );
        }
        for status in [429, 500, 502, 503] {
            assert!(
                !worth_keeping(StatusCode::from_u16(status).unwrap()),
                "{status}"
            );
        }
    }
}
