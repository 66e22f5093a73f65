//! The client and the one place requests are sent: token, `If-Match`, `Idempotency-Key`,
//! retries, and reading the envelope or the error envelope.

use std::time::Duration;

use campaign_domain::values::CampaignId;
use campaign_http_types::{Envelope, ErrorEnvelope};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, ETAG, IF_MATCH, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::campaigns::Campaigns;
use crate::error::ClientError;
use crate::etag::ETag;
use crate::markets::CampaignMarkets;
use crate::promoters::Promoters;
use crate::retry::{Idempotent, RetryPolicy};

/// A client of one campaign-service deployment. Cheap to clone; clones share connections. Its
/// `Debug` never shows the token.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
    retry: RetryPolicy,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .field("token", &self.token.as_ref().map(|_| "***"))
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// One request, before it is sent.
#[derive(Debug)]
pub(crate) struct Call<'a> {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) body: Option<Vec<u8>>,
    pub(crate) if_match: Option<&'a ETag>,
    pub(crate) idempotency: Option<Idempotent>,
}

impl<'a> Call<'a> {
    pub(crate) fn get(path: String) -> Self {
        Self::new(Method::GET, path)
    }

    pub(crate) fn delete(path: String) -> Self {
        Self::new(Method::DELETE, path)
    }

    /// A POST with a JSON body and an `Idempotency-Key` (`key`, or a fresh one).
    pub(crate) fn post<B: Serialize + ?Sized>(
        path: String,
        body: &B,
        key: Option<Idempotent>,
    ) -> Result<Self, ClientError> {
        let body = serde_json::to_vec(body).map_err(|e| ClientError::Unexpected {
            status: 0,
            reason: format!("the request body cannot be written as JSON: {e}"),
        })?;
        Ok(Self {
            body: Some(body),
            idempotency: Some(key.unwrap_or_else(Idempotent::new_key)),
            ..Self::new(Method::POST, path)
        })
    }

    /// A POST without a body (an action), with an `Idempotency-Key`.
    pub(crate) fn post_action(path: String, key: Option<Idempotent>) -> Self {
        Self {
            idempotency: Some(key.unwrap_or_else(Idempotent::new_key)),
            ..Self::new(Method::POST, path)
        }
    }

    fn new(method: Method, path: String) -> Self {
        Self {
            method,
            path,
            query: Vec::new(),
            body: None,
            if_match: None,
            idempotency: None,
        }
    }

    pub(crate) fn query(mut self, name: &'static str, value: Option<impl ToString>) -> Self {
        if let Some(value) = value {
            self.query.push((name, value.to_string()));
        }
        self
    }

    pub(crate) fn if_match(mut self, etag: Option<&'a ETag>) -> Self {
        self.if_match = etag;
        self
    }
}

/// A successful answer: its `data` (none for 204) and its `ETag`.
#[derive(Debug)]
pub(crate) struct Answer<T> {
    pub(crate) data: Option<T>,
    pub(crate) etag: Option<ETag>,
}

impl<T> Answer<T> {
    /// The data, which this operation always answers.
    pub(crate) fn data(self) -> Result<T, ClientError> {
        self.data.ok_or_else(|| ClientError::Unexpected {
            status: 204,
            reason: "an answer without a body".to_owned(),
        })
    }

    /// The data and its tag, which this operation always answers.
    pub(crate) fn tagged(self) -> Result<crate::Tagged<T>, ClientError> {
        let etag = self.etag.clone().ok_or_else(|| ClientError::Unexpected {
            status: 200,
            reason: "an answer without an ETag".to_owned(),
        })?;
        Ok(crate::Tagged {
            value: self.data()?,
            etag,
        })
    }
}

impl Client {
    /// A client of the service at `base_url` (`https://campaigns.example.com`), without a token.
    pub fn new(base_url: &str) -> Result<Self, ClientError> {
        let base = base_url.trim_end_matches('/');
        let scheme_ok = base.starts_with("http://") || base.starts_with("https://");
        if !scheme_ok || base.len() <= "https://".len() {
            return Err(ClientError::InvalidBaseUrl(base_url.to_owned()));
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()?;
        Ok(Self {
            http,
            base: base.to_owned(),
            token: None,
            retry: RetryPolicy::default(),
        })
    }

    /// The same client sending `token` as its bearer token.
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The same client with another retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The same client sending through `http` (its own timeouts, proxies, TLS roots).
    pub fn with_http_client(mut self, http: reqwest::Client) -> Self {
        self.http = http;
        self
    }

    /// Campaigns.
    pub fn campaigns(&self) -> Campaigns<'_> {
        Campaigns::new(self)
    }

    /// The markets of `campaign`.
    pub fn markets<'c>(&'c self, campaign: &'c CampaignId) -> CampaignMarkets<'c> {
        CampaignMarkets::new(self, campaign)
    }

    /// Promoters (supreme tokens only).
    pub fn promoters(&self) -> Promoters<'_> {
        Promoters::new(self)
    }

    /// Sends `call`, trying again as the retry policy allows.
    pub(crate) async fn send<T: DeserializeOwned>(
        &self,
        call: Call<'_>,
    ) -> Result<Answer<T>, ClientError> {
        let mut attempt = 1;
        loop {
            match self.send_once(&call).await {
                Err(error) if error.is_retryable() && attempt < self.retry.attempts => {
                    attempt += 1;
                    let mut wait = self.retry.delay_before(attempt);
                    if let ClientError::Api {
                        retry_after: Some(after),
                        ..
                    } = &error
                    {
                        // A service asking for a longer wait than the policy allows gets its
                        // error back instead of a sleeping caller.
                        if *after > self.retry.max_delay {
                            return Err(error);
                        }
                        wait = wait.max(*after);
                    }
                    tokio::time::sleep(wait).await;
                }
                other => return other,
            }
        }
    }

    async fn send_once<T: DeserializeOwned>(
        &self,
        call: &Call<'_>,
    ) -> Result<Answer<T>, ClientError> {
        let mut request = self
            .http
            .request(call.method.clone(), format!("{}{}", self.base, call.path));
        if !call.query.is_empty() {
            request = request.query(&call.query);
        }
        if let Some(token) = &self.token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        if let Some(etag) = call.if_match {
            request = request.header(IF_MATCH, etag.as_str());
        }
        if let Some(key) = &call.idempotency {
            request = request.header("Idempotency-Key", key.as_str());
        }
        if let Some(body) = &call.body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        // Without the URL: a query may carry a campaign password.
        let response = request.send().await.map_err(reqwest::Error::without_url)?;
        let status = response.status();
        let etag = response
            .headers()
            .get(ETAG)
            .and_then(|v| v.to_str().ok())
            .map(ETag::from_header);
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok())
            .map(Duration::from_secs);
        let bytes = response
            .bytes()
            .await
            .map_err(reqwest::Error::without_url)?;
        if status.is_success() {
            if status == StatusCode::NO_CONTENT || bytes.is_empty() {
                return Ok(Answer { data: None, etag });
            }
            let envelope: Envelope<'static, T> =
                serde_json::from_slice(&bytes).map_err(|e| ClientError::Unexpected {
                    status: status.as_u16(),
                    reason: format!("the answer does not fit the contract: {e}"),
                })?;
            return Ok(Answer {
                data: Some(envelope.data),
                etag,
            });
        }
        match serde_json::from_slice::<ErrorEnvelope<'static>>(&bytes) {
            Ok(envelope) => Err(ClientError::Api {
                status: status.as_u16(),
                error: envelope.error,
                retry_after,
            }),
            Err(_) => Err(ClientError::Unexpected {
                status: status.as_u16(),
                reason: format!(
                    "an error answer without the error envelope: {}",
                    String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
                ),
            }),
        }
    }
}
