//! Telemetry set up once per process: logs (`tracing`) and metrics (Prometheus text on
//! `GET /metrics`).

pub(crate) mod logs;
pub(crate) mod metrics;
