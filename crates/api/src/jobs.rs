//! Background jobs: the outbox relay, the scheduled status refresh (one replica at a time,
//! through the job lock), and metric upkeep. They stop when told and the relay drains what it
//! can before the process exits.

use std::time::Duration;

use campaign_app::Ports;
use campaign_app::campaigns::CampaignService;
use campaign_app::relay::OutboxRelay;
use campaign_domain::uuid::Uuid;
use campaign_ports::LockToken;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;
use tracing::Instrument as _;

use crate::telemetry::metrics;
use crate::wiring::JobSettings;

/// Name of the lock that keeps the refresh to one replica.
const REFRESH_LOCK: &str = "lock:campaigns:refresh";

/// Running background jobs.
#[derive(Debug)]
pub(crate) struct Jobs {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    relay: OutboxRelay,
    drain_timeout: Duration,
}

impl Jobs {
    /// Starts the jobs on the current runtime.
    pub(crate) fn start(
        ports: &Ports,
        campaigns: CampaignService,
        relay: OutboxRelay,
        settings: &JobSettings,
    ) -> Self {
        let (stop, stopped) = watch::channel(false);
        let mut tasks = vec![tokio::spawn(relay_loop(
            relay.clone(),
            ports.clone(),
            settings.relay_idle,
            stopped.clone(),
        ))];
        if let Some(period) = settings.refresh_interval {
            tasks.push(tokio::spawn(refresh_loop(
                campaigns,
                ports.clone(),
                period,
                stopped.clone(),
            )));
        }
        tasks.push(tokio::spawn(upkeep_loop(stopped)));
        Self {
            stop,
            tasks,
            relay,
            drain_timeout: settings.drain_timeout,
        }
    }

    /// Stops the jobs, waits for them, then delivers what the outbox still holds (bounded by the
    /// drain timeout: what is left is delivered by the next start or another replica).
    pub(crate) async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
        let relay = self.relay;
        let drained = tokio::time::timeout(self.drain_timeout, async move {
            loop {
                match relay.deliver_once().await {
                    Ok(report) if report.delivered + report.retried + report.failed > 0 => continue,
                    _ => break,
                }
            }
        })
        .await;
        if drained.is_err() {
            tracing::warn!(
                "outbox not fully drained at shutdown; the rest is delivered after the next start"
            );
        }
    }
}

async fn relay_loop(
    relay: OutboxRelay,
    ports: Ports,
    idle: Duration,
    mut stopped: watch::Receiver<bool>,
) {
    while !*stopped.borrow() {
        let busy = match relay.deliver_once().await {
            Ok(report) => report.delivered + report.retried + report.failed > 0,
            Err(error) => {
                tracing::warn!(%error, "outbox relay round failed");
                false
            }
        };
        if let Ok(stats) = ports.outbox.stats().await {
            metrics::record_outbox(stats.pending, stats.failed);
        }
        if !busy {
            tokio::select! {
                _ = tokio::time::sleep(idle) => {}
                _ = stopped.changed() => {}
            }
        }
    }
}

async fn refresh_loop(
    campaigns: CampaignService,
    ports: Ports,
    period: Duration,
    mut stopped: watch::Receiver<bool>,
) {
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let token = LockToken(Uuid::new_v4().to_string());
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stopped.changed() => return,
        }
        // Each run is one trace, with its own correlation id for its logs and port spans.
        let run = tracing::info_span!("job.refresh", correlation = %Uuid::new_v4());
        refresh_once(&campaigns, &ports, period, &token)
            .instrument(run)
            .await;
    }
}

async fn refresh_once(
    campaigns: &CampaignService,
    ports: &Ports,
    period: Duration,
    token: &LockToken,
) {
    // The lock outlives a run comfortably and is released after it; a crashed holder's
    // lock expires by itself.
    let ttl = period.max(Duration::from_secs(30)) * 2;
    match ports.lock.try_acquire(REFRESH_LOCK, token, ttl).await {
        Ok(true) => {
            match campaigns.refresh(None).await {
                Ok(summary) => {
                    metrics::record_refresh(
                        summary.opened,
                        summary.closed,
                        summary.inactivated,
                        summary.skipped,
                    );
                    if summary != Default::default() {
                        tracing::info!(?summary, "scheduled refresh");
                    }
                }
                Err(error) => tracing::warn!(%error, "scheduled refresh failed"),
            }
            let _ = ports.lock.release(REFRESH_LOCK, token).await;
        }
        Ok(false) => tracing::debug!("refresh running on another replica"),
        Err(error) => tracing::warn!(%error, "refresh lock unavailable; skipping this run"),
    }
}

async fn upkeep_loop(mut stopped: watch::Receiver<bool>) {
    let mut ticks = tokio::time::interval(Duration::from_secs(5));
    loop {
        tokio::select! {
            _ = ticks.tick() => metrics::upkeep(),
            _ = stopped.changed() => return,
        }
    }
}
