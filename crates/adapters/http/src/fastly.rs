//! CDN purge by surrogate key on Fastly: `POST {base}/service/{service_id}/purge/{key}` with the
//! `Fastly-Key` header, one call per key, answered `200 {"status": "ok", "id": "..."}`.

use std::sync::Arc;

use async_trait::async_trait;
use campaign_domain::serde_json;
use campaign_ports::{CdnPurger, IntegrationError};
use reqwest::StatusCode;
use serde::Deserialize;

use crate::outbound::Outbound;
use crate::settings::{BaseUrl, HttpSettings, Secret};
use crate::trace::TraceContext;

/// Where Fastly is and which service to purge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FastlySettings {
    /// `CAMPAIGN_FASTLY_URL`, e.g. `https://api.fastly.com`.
    pub base_url: BaseUrl,
    /// `CAMPAIGN_FASTLY_TOKEN`: an API token with purge rights.
    pub token: Secret,
    /// `CAMPAIGN_FASTLY_SERVICE_ID`.
    pub service_id: String,
    /// Timeouts and retries.
    pub http: HttpSettings,
}

/// Purges through the Fastly API.
#[derive(Clone)]
pub struct FastlyPurger {
    out: Outbound,
    base: BaseUrl,
    token: Secret,
    service_id: String,
}

impl std::fmt::Debug for FastlyPurger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FastlyPurger")
            .field("base", &self.base.to_string())
            .field("service_id", &self.service_id)
            .finish_non_exhaustive()
    }
}

impl FastlyPurger {
    /// A purger for `settings`, with `traceparent` headers from `trace`.
    ///
    /// # Errors
    /// `Permanent` when the HTTP client cannot be built.
    pub fn new(
        settings: &FastlySettings,
        trace: Arc<dyn TraceContext>,
    ) -> Result<Self, IntegrationError> {
        Ok(Self {
            out: Outbound::new("fastly", &settings.http, settings.token.clone(), trace)?,
            base: settings.base_url.clone(),
            token: settings.token.clone(),
            service_id: settings.service_id.clone(),
        })
    }

    async fn purge_one(&self, key: &str) -> Result<(), IntegrationError> {
        let url = self
            .base
            .endpoint(&["service", &self.service_id, "purge", key]);
        let answer = self
            .out
            .send("purge", |client| {
                client
                    .post(url.clone())
                    .header("Fastly-Key", self.token.expose())
                    .header("Accept", "application/json")
            })
            .await?;
        if answer.status != StatusCode::OK {
            return Err(self.out.refused("purge", &answer));
        }
        match serde_json::from_slice::<PurgeAnswer>(&answer.body) {
            Ok(PurgeAnswer { status }) if status == "ok" => Ok(()),
            Ok(PurgeAnswer { status }) => Err(self
                .out
                .permanent("purge", &format!("answered status {status:?}"))),
            Err(e) => Err(self
                .out
                .permanent("purge", &format!("unreadable answer: {e}"))),
        }
    }
}

#[derive(Deserialize)]
struct PurgeAnswer {
    status: String,
}

#[async_trait]
impl CdnPurger for FastlyPurger {
    /// One purge per key, in order; stops at the first failure (purges are idempotent: the
    /// relay's retry purges every key again).
    async fn purge(&self, surrogate_keys: &[String]) -> Result<(), IntegrationError> {
        for key in surrogate_keys {
            self.purge_one(key).await?;
        }
        Ok(())
    }
}
