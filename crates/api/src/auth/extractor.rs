//! [`Authenticated`]: the extractor every protected handler takes (SPEC §5).
//!
//! It reads `Authorization: Bearer <token>` (scheme case-insensitive), verifies the token with
//! the [`TokenVerifier`] registered as `web::Data<TokenVerifier>`, and yields the caller as an
//! [`Actor`]. A missing or non-Bearer header, an empty token or a refused token is
//! `UNAUTHENTICATED`; a missing verifier is a wiring bug and answers `INTERNAL_ERROR`.
//!
//! The answer is ready at once, except for a token whose `kid` no key set holds yet: that
//! request waits for the key sets to be read again ([`TokenVerifier::begin`]), so the first
//! token of a newly published key is accepted.

use futures::FutureExt as _;
use futures::future::{BoxFuture, Either, Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header::{AUTHORIZATION, HeaderMap};
use actix_web::{FromRequest, HttpRequest, web};
use campaign_domain::DomainError;
use campaign_domain::permission::Actor;

use super::{TokenVerifier, Verification};
use crate::error::ApiError;

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated(pub Actor);

/// The extractor's future: ready at once, or waiting for a reload of the key sets.
type Extraction = Either<
    Ready<Result<Authenticated, ApiError>>,
    BoxFuture<'static, Result<Authenticated, ApiError>>,
>;

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Extraction;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let started = verifier_of(req).and_then(|verifier| {
            let token = bearer_token(req.headers())?;
            Ok(verifier.begin(token))
        });
        match started {
            Ok(Verification::Done(result)) => Either::Left(ready(actor(result))),
            Ok(Verification::Pending(answer)) => Either::Right(answer.map(actor).boxed()),
            Err(error) => Either::Left(ready(Err(error))),
        }
    }
}

/// The caller of `req`, without waiting for a reload of the key sets (a token of a key no set
/// holds yet is refused here, and the handler's extractor then waits for the reload): used by
/// middleware that needs the caller before the handler runs (the idempotency layer keys its
/// records by `userId`). The verifier caches results, so the handler's own check is cheap.
pub(crate) fn authenticate(req: &HttpRequest) -> Result<Authenticated, ApiError> {
    let verifier = verifier_of(req)?;
    let token = bearer_token(req.headers())?;
    actor(verifier.verify(token))
}

fn verifier_of(req: &HttpRequest) -> Result<&web::Data<TokenVerifier>, ApiError> {
    req.app_data::<web::Data<TokenVerifier>>().ok_or_else(|| {
        DomainError::Internal("no TokenVerifier is registered as app data".to_owned()).into()
    })
}

fn actor(
    claims: Result<campaign_domain::permission::Claims, ApiError>,
) -> Result<Authenticated, ApiError> {
    Ok(Authenticated(Actor::from_claims(&claims?)))
}

/// The token of an `Authorization: Bearer <token>` header.
fn bearer_token(headers: &HeaderMap) -> Result<&str, ApiError> {
    let unauthenticated = |reason: &str| ApiError::Unauthenticated(reason.to_owned());
    let value = headers
        .get(AUTHORIZATION)
        .ok_or_else(|| unauthenticated("the Authorization header is missing"))?
        .to_str()
        .map_err(|_| unauthenticated("the Authorization header is malformed"))?
        .trim();
    let (scheme, token) = value
        .split_once(|c: char| c.is_ascii_whitespace())
        .unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(unauthenticated(
            "the Authorization header must use the Bearer scheme",
        ));
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(unauthenticated("the bearer token is missing"));
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use actix_web::http::StatusCode;
    use actix_web::test::{self, TestRequest};
    use actix_web::{App, HttpResponse};

    use super::super::TokenClaims;
    use super::super::test_keys::{OTHER, TRUSTED};
    use super::*;

    fn token() -> String {
        TRUSTED
            .signer()
            .sign(&TokenClaims::supreme("root", Duration::from_secs(600)))
            .unwrap()
    }

    fn with_verifier() -> TestRequest {
        TestRequest::default().app_data(web::Data::new(TRUSTED.verifier(None, None)))
    }

    async fn extract(request: TestRequest) -> Result<Authenticated, ApiError> {
        let (req, mut payload) = request.to_http_parts();
        Authenticated::from_request(&req, &mut payload).await
    }

    #[track_caller]
    fn assert_unauthenticated(result: Result<Authenticated, ApiError>, expected: &str) {
        match result {
            Err(ApiError::Unauthenticated(reason)) => assert_eq!(reason, expected),
            other => panic!("expected UNAUTHENTICATED ({expected}), got {other:?}"),
        }
    }

    #[actix_web::test]
    async fn a_good_bearer_token_yields_the_actor() {
        for scheme in ["Bearer", "bearer", "BEARER"] {
            let request =
                with_verifier().insert_header((AUTHORIZATION, format!("{scheme}  {}", token())));
            let Authenticated(actor) = extract(request).await.unwrap();
            assert_eq!(actor.user_id(), "root");
            assert!(actor.is_supreme());
        }
    }

    #[actix_web::test]
    async fn a_missing_header_is_unauthenticated() {
        assert_unauthenticated(
            extract(with_verifier()).await,
            "the Authorization header is missing",
        );
    }

    #[actix_web::test]
    async fn another_scheme_is_unauthenticated() {
        let request = with_verifier().insert_header((AUTHORIZATION, "Basic dXNlcjpwYXNz"));
        assert_unauthenticated(
            extract(request).await,
            "the Authorization header must use the Bearer scheme",
        );
        let request = with_verifier().insert_header((AUTHORIZATION, token()));
        assert_unauthenticated(
            extract(request).await,
            "the Authorization header must use the Bearer scheme",
        );
    }

    #[actix_web::test]
    async fn an_empty_token_is_unauthenticated() {
        for value in ["Bearer", "Bearer ", "bearer    "] {
            let request = with_verifier().insert_header((AUTHORIZATION, value));
            assert_unauthenticated(extract(request).await, "the bearer token is missing");
        }
    }

    #[actix_web::test]
    async fn a_refused_token_is_unauthenticated() {
        let foreign = OTHER
            .signer()
            .sign(&TokenClaims::supreme("root", Duration::from_secs(600)))
            .unwrap();
        let request = with_verifier().insert_header((AUTHORIZATION, format!("Bearer {foreign}")));
        assert_unauthenticated(extract(request).await, "the token signature is not valid");
    }

    #[actix_web::test]
    async fn a_missing_verifier_is_an_internal_error() {
        let request =
            TestRequest::default().insert_header((AUTHORIZATION, format!("Bearer {}", token())));
        assert!(matches!(
            extract(request).await,
            Err(ApiError::Domain(DomainError::Internal(_)))
        ));
    }

    #[actix_web::test]
    async fn handlers_answer_401_without_a_token_and_run_with_one() {
        let app = test::init_service(
            App::new()
                .app_data(web::Data::new(TRUSTED.verifier(None, None)))
                .route(
                    "/me",
                    web::get().to(|Authenticated(actor): Authenticated| async move {
                        HttpResponse::Ok().body(actor.user_id().to_owned())
                    }),
                ),
        )
        .await;
        let anonymous = test::call_service(&app, TestRequest::get().uri("/me").to_request()).await;
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
        let request = TestRequest::get()
            .uri("/me")
            .insert_header((AUTHORIZATION, format!("Bearer {}", token())))
            .to_request();
        let body = test::call_and_read_body(&app, request).await;
        assert_eq!(body, "root");
    }
}
