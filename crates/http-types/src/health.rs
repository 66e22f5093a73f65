//! The system answers with a JSON body (no token): liveness (`GET /heartbeat`) and readiness
//! (`GET /health/ready`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `data` of `GET /heartbeat`: the process serves HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({"status": "ok"})))]
pub struct Liveness {
    /// Always `ok`.
    pub status: LivenessStatus,
}

/// The one liveness status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum LivenessStatus {
    /// Alive.
    Ok,
}

/// `data` of a `200` from `GET /health/ready`: the store answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({"status": "ready"})))]
pub struct Readiness {
    /// `ready`, or `degraded` when the cache does not answer (reads then go to the store).
    pub status: ReadinessStatus,
}

/// How ready a replica that can serve is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReadinessStatus {
    /// The store and the cache answer.
    Ready,
    /// The store answers, the cache does not.
    Degraded,
}

#[cfg(test)]
mod tests {
    use campaign_domain::serde_json::{self, json};

    use super::*;

    #[test]
    fn the_statuses_have_their_wire_names() {
        assert_eq!(
            serde_json::to_value(Liveness {
                status: LivenessStatus::Ok
            })
            .unwrap(),
            json!({"status": "ok"})
        );
        for (status, name) in [
            (ReadinessStatus::Ready, "ready"),
            (ReadinessStatus::Degraded, "degraded"),
        ] {
            let wire = serde_json::to_value(Readiness { status }).unwrap();
            assert_eq!(wire, json!({ "status": name }));
            assert_eq!(
                serde_json::from_value::<Readiness>(wire).unwrap().status,
                status
            );
        }
    }
}
