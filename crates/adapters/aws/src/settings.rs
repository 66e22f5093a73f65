//! Where the AWS clients connect and how long they wait: [`AwsSettings`] becomes the one
//! `SdkConfig` that every client of the process is built from.
//!
//! - Behaviour version: always `BehaviorVersion::latest()` (a client built without one panics).
//! - Credentials: the SDK's default chain (environment, web identity, ECS/EC2 roles, profiles,
//!   `credential_process`); SSO profiles are not compiled in. Tests set static ones on the
//!   loader ([`AwsSettings::loader`]).
//! - Region: [`AwsSettings::region`], else the default chain (`AWS_REGION`, profile, IMDS); with
//!   an endpoint override and no region found, [`AwsSettings::EMULATOR_REGION`], because
//!   emulators accept any region but the SDK will not sign without one.
//! - Timeouts: [`AwsSettings::CONNECT_TIMEOUT`], [`AwsSettings::OPERATION_ATTEMPT_TIMEOUT`] per
//!   HTTP attempt and [`AwsSettings::OPERATION_TIMEOUT`] for a whole call with its retries.
//! - Retries: the SDK's standard mode as the behaviour version sets it (3 attempts with
//!   exponential backoff and jitter, for throttling, 5xx, timeouts and connection errors, with
//!   its client-side retry quota). The outbox relay retries on top of that, much later.

use std::time::Duration;

use aws_config::meta::region::RegionProviderChain;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, ConfigLoader, Region, SdkConfig};

/// Where the AWS clients connect (SPEC §3).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsSettings {
    /// `CAMPAIGN_AWS_ENDPOINT_URL`: one endpoint for Kinesis and SQS (a local emulator such as
    /// moto); `None` for the real AWS endpoints of the region.
    pub endpoint_url: Option<String>,
    /// The region; `None` for the SDK's default chain (see the module documentation).
    pub region: Option<String>,
}

impl AwsSettings {
    /// Longest wait for a TCP (and TLS) connection.
    pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
    /// Longest wait for one HTTP attempt of a call.
    pub const OPERATION_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(3);
    /// Longest wait for a whole call, its SDK retries included. Three destinations in a row
    /// stay well inside the relay's 30 s claim lease.
    pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(6);
    /// The region used with an endpoint override when the default chain finds none.
    pub const EMULATOR_REGION: &'static str = "us-east-1";

    /// Settings for the real AWS endpoints with the default region chain.
    pub fn new() -> Self {
        Self::default()
    }

    /// The timeouts every call gets (see the constants).
    pub fn timeouts() -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(Self::CONNECT_TIMEOUT)
            .operation_attempt_timeout(Self::OPERATION_ATTEMPT_TIMEOUT)
            .operation_timeout(Self::OPERATION_TIMEOUT)
            .build()
    }

    /// The config loader with these settings applied: behaviour version, region, endpoint and
    /// timeouts. Callers may override more before `load()` (tests set static credentials and
    /// shorter retries); [`AwsSettings::load`] is this loader as it is.
    pub fn loader(&self) -> ConfigLoader {
        let mut loader =
            aws_config::defaults(BehaviorVersion::latest()).timeout_config(Self::timeouts());
        loader = match (&self.region, &self.endpoint_url) {
            (Some(region), _) => loader.region(Region::new(region.clone())),
            (None, Some(_)) => loader.region(
                RegionProviderChain::default_provider()
                    .or_else(Region::from_static(Self::EMULATOR_REGION)),
            ),
            (None, None) => loader,
        };
        if let Some(url) = &self.endpoint_url {
            loader = loader.endpoint_url(url.clone());
        }
        loader
    }

    /// Resolves the configuration once (region and credential providers; credentials
    /// themselves are fetched lazily and cached by the clients). Build every client from the
    /// result.
    pub async fn load(&self) -> SdkConfig {
        self.loader().load().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_are_all_set() {
        let t = AwsSettings::timeouts();
        assert_eq!(t.connect_timeout(), Some(AwsSettings::CONNECT_TIMEOUT));
        assert_eq!(
            t.operation_attempt_timeout(),
            Some(AwsSettings::OPERATION_ATTEMPT_TIMEOUT)
        );
        assert_eq!(t.operation_timeout(), Some(AwsSettings::OPERATION_TIMEOUT));
    }

    #[tokio::test]
    async fn an_endpoint_override_gets_a_region_and_the_latest_behaviour() {
        let config = AwsSettings {
            endpoint_url: Some("http://127.0.0.1:5000".to_owned()),
            region: Some("eu-west-1".to_owned()),
        }
        .loader()
        .load()
        .await;
        assert_eq!(config.endpoint_url(), Some("http://127.0.0.1:5000"));
        assert_eq!(config.region().map(Region::as_ref), Some("eu-west-1"));
        assert!(config.behavior_version().is_some());
        assert_eq!(
            config
                .timeout_config()
                .and_then(TimeoutConfig::operation_timeout),
            Some(AwsSettings::OPERATION_TIMEOUT)
        );
    }
}
