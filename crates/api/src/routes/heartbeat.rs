//! `GET /heartbeat`: liveness. It answers while the process serves HTTP and checks no
//! dependency (readiness, which pings the store and cache, is `GET /health/ready`). No token.
//!
//! Responses: 200 `{"data": {"status": "ok"}, "meta": {...}}`.

use actix_web::get;
use actix_web::web::Json;
use serde::Serialize;

use crate::envelope::Envelope;

/// The heartbeat's `data`.
#[derive(Debug, Serialize)]
pub(crate) struct Heartbeat {
    /// Always `ok`: an answer at all is the signal.
    status: &'static str,
}

/// Answers 200 with `{"status": "ok"}` in the envelope.
#[get("/heartbeat")]
pub(crate) async fn heartbeat() -> Json<Envelope<Heartbeat>> {
    Json(Envelope::new(Heartbeat { status: "ok" }))
}
