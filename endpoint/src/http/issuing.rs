//! Making a reward's code on the shop's platform after its points were
//! reserved: for the redeem route, its replays, the admin API's retry and
//! the reconciler. The outcome is recorded before anyone is told of it:
//! confirmed (`active`), released (the points back), or still pending with
//! the try counted.

use super::error::AppError;
use super::state::{lock, now, write, AppState};
use crate::domain::rewards;
use crate::platform::Outcome;
use serde::Serialize;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

/// How one try to issue a pending redemption ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Issued {
    /// The code is active.
    Confirmed,
    /// The platform refused; the points are back.
    Released,
    /// No answer that tells; still pending.
    Pending,
    /// Not pending (any more), or another task of this instance is on it.
    Nothing,
}

/// This instance's claim on a redemption: one task issues it at a time.
struct Claim<'a> {
    state: &'a AppState,
    id: String,
}

impl<'a> Claim<'a> {
    fn take(state: &'a AppState, id: &str) -> Option<Claim<'a>> {
        lock(&state.issuing).insert(id.to_owned()).then(|| Claim {
            state,
            id: id.to_owned(),
        })
    }
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        lock(&self.state.issuing).remove(&self.id);
    }
}

/// Tests only: stops the process dead at `step` when asked to (see
/// [`crate::config::Issuing::crash_at`]).
fn crash_point(state: &AppState, step: &str) {
    if state.config.issuing.crash_at.as_deref() == Some(step) {
        eprintln!("loyalty-endpoint: crashing at {step:?} as LOYALTY_TEST_CRASH_AT asks");
        std::process::abort();
    }
}

/// Makes pending redemption `id`'s code on the platform (or finds it made)
/// within the configured budget, and records the outcome.
pub(crate) async fn issue(
    state: &Arc<AppState>,
    id: &str,
    request_id: Option<&str>,
) -> Result<Issued, AppError> {
    let Some(platform) = state.config.issuing.platform.clone() else {
        return Ok(Issued::Nothing);
    };
    let Some(_claim) = Claim::take(state, id) else {
        return Ok(Issued::Nothing);
    };
    let pending = {
        let mut conn = state.store.read().await?;
        rewards::pending(&mut conn.db(), id).await?
    };
    let Some(pending) = pending else {
        return Ok(Issued::Nothing);
    };
    crash_point(state, "reserved");
    let started = Instant::now();
    let outcome = platform
        .issue(&pending.spec, started + state.config.issuing.budget)
        .await;
    let label = match &outcome {
        Outcome::Issued { .. } => "issued",
        Outcome::Refused { .. } => "refused",
        Outcome::Unknown { .. } => "unknown",
    };
    metrics::counter!("loyalty_platform_issues_total", "platform" => platform.name(), "outcome" => label)
        .increment(1);
    metrics::histogram!("loyalty_platform_issue_seconds", "platform" => platform.name())
        .record(started.elapsed().as_secs_f64());
    crash_point(state, "issued");
    let request_id = request_id.map(str::to_owned);
    write(state, move |state| async move {
        let mut tx = state.store.write().await?;
        let (today, now) = (state.today(), i64::try_from(now()).unwrap_or(i64::MAX));
        let row = &pending.row;
        let issued = match &outcome {
            Outcome::Issued { reference } => {
                let platform = state.config.issuing.platform.as_ref();
                rewards::confirm(&mut tx.db(), row, reference, platform, today, now)
                    .await?
                    .then_some(Issued::Confirmed)
            }
            Outcome::Refused { reason } => {
                tracing::warn!(redemption = %row.id, reason = %reason, "the platform refused a code; its points are back");
                let program = &state.program;
                let request = request_id.as_deref();
                rewards::release(&mut tx.db(), row, reason, request, program, today, now)
                    .await?
                    .then_some(Issued::Released)
            }
            Outcome::Unknown { reason } => {
                tracing::warn!(redemption = %row.id, reason = %reason, "a code's outcome on the platform is unknown; it stays pending");
                rewards::note_attempt(&mut tx.db(), &row.id, reason, now).await?;
                Some(Issued::Pending)
            }
        };
        tx.commit().await?;
        Ok(issued.unwrap_or(Issued::Nothing))
    })
    .await
}

/// The redemptions waiting for the platform now (the metrics' gauges).
pub(crate) async fn waiting(state: &AppState) -> Result<rewards::Waiting, AppError> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |since| since.as_secs_f64());
    let mut conn = state.store.read().await?;
    Ok(rewards::waiting(&mut conn.db(), now).await?)
}

/// What one reconciler pass did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Reconciled {
    /// Pending codes confirmed.
    pub confirmed: u64,
    /// Pending redemptions released (points back).
    pub released: u64,
    /// Still pending after this pass.
    pub pending: u64,
    /// Active codes past their last day marked expired, by our date or
    /// the platform's.
    pub expired: u64,
    /// Active codes the platform says an order used (no webhook said so).
    pub used: u64,
    /// Used codes whose use the platform gave back (a cancelled order):
    /// active again.
    pub active_again: u64,
    /// Codes the platform no longer has (deleted in the shop).
    pub missing: u64,
}

/// Codes looked up on the platform per pass, and how long a code's last
/// look-up counts before the reconciler looks again.
const FOLLOW_BATCH: i64 = 50;
const FOLLOW_EVERY: i64 = 3_600;

/// One pass: pending redemptions no request is working on are issued
/// again (the code is the key: a code made before is found, not made
/// twice), codes past their day are marked expired, and active and used
/// codes are looked up on the platform so their state follows the shop
/// (used, given back, ended), at most [`FOLLOW_BATCH`] a pass, each at
/// most once in [`FOLLOW_EVERY`] seconds. `all` takes every pending one
/// and every code, however recently touched (the admin API's reconcile).
pub(crate) async fn reconcile(state: &Arc<AppState>, all: bool) -> Result<Reconciled, AppError> {
    let expired = write(state, |state| async move {
        let mut tx = state.store.write().await?;
        let (today, now) = (state.today(), i64::try_from(now()).unwrap_or(i64::MAX));
        let expired = rewards::expire(&mut tx.db(), &state.program, today, now).await?;
        tx.commit().await?;
        Ok(expired as u64)
    })
    .await?;
    let mut report = Reconciled {
        expired,
        ..Reconciled::default()
    };
    if state.config.issuing.platform.is_none() {
        return Ok(report);
    }
    // A request that reserved may still be working within its budget.
    let grace = state.config.issuing.budget.as_secs() as i64 + 5;
    let now = i64::try_from(now()).unwrap_or(i64::MAX);
    let before = if all { i64::MAX } else { now - grace };
    let ids = {
        let mut conn = state.store.read().await?;
        rewards::stale_pending(&mut conn.db(), before, 1000).await?
    };
    // Codes made in this pass are not looked up again in it.
    let mut made = BTreeSet::new();
    for id in ids {
        match issue(state, &id, None).await? {
            Issued::Confirmed => {
                report.confirmed += 1;
                made.insert(id);
            }
            Issued::Released => report.released += 1,
            Issued::Pending => report.pending += 1,
            Issued::Nothing => {}
        }
    }
    follow(state, all, now, &made, &mut report).await?;
    if report.confirmed
        + report.released
        + report.pending
        + report.expired
        + report.used
        + report.active_again
        + report.missing
        > 0
    {
        tracing::info!(
            confirmed = report.confirmed,
            released = report.released,
            pending = report.pending,
            expired = report.expired,
            used = report.used,
            active_again = report.active_again,
            missing = report.missing,
            "reconciled"
        );
    }
    Ok(report)
}

/// The look-ups of one pass ([`reconcile`]), but for the codes it `made`.
async fn follow(
    state: &Arc<AppState>,
    all: bool,
    at: i64,
    made: &BTreeSet<String>,
    report: &mut Reconciled,
) -> Result<(), AppError> {
    let Some(platform) = state.config.issuing.platform.clone() else {
        return Ok(());
    };
    let before = if all { at + 1 } else { at - FOLLOW_EVERY };
    let rows = {
        let mut conn = state.store.read().await?;
        let today = state.today();
        rewards::to_follow(&mut conn.db(), platform.name(), before, today, FOLLOW_BATCH).await?
    };
    for row in rows.into_iter().filter(|row| !made.contains(&row.id)) {
        let found = platform
            .follow(&row.code, Instant::now() + state.config.issuing.budget)
            .await;
        let followed = write(state, move |state| {
            async move {
                let mut tx = state.store.write().await?;
                let (today, now) = (state.today(), i64::try_from(now()).unwrap_or(i64::MAX));
                let followed = match &found {
                    Ok(Some(found)) => {
                        rewards::follow(&mut tx.db(), &row, found, &state.program, today, now)
                            .await?
                    }
                    Ok(None) => {
                        tracing::warn!(redemption = %row.id, "the platform no longer has a code");
                        rewards::note_missing(&mut tx.db(), &row, now).await?;
                        rewards::Followed::Missing
                    }
                    Err(reason) => {
                        tracing::warn!(redemption = %row.id, reason = %reason, "could not look a code up on the platform");
                        rewards::touch(&mut tx.db(), &row.id, now).await?;
                        rewards::Followed::Nothing
                    }
                };
                tx.commit().await?;
                Ok(followed)
            }
        })
        .await?;
        match followed {
            rewards::Followed::Used => report.used += 1,
            rewards::Followed::Active => report.active_again += 1,
            rewards::Followed::Expired => report.expired += 1,
            rewards::Followed::Missing => report.missing += 1,
            rewards::Followed::Nothing => {}
        }
    }
    Ok(())
}

/// Runs [`reconcile`] every `reconcile_every`, from the first tick after
/// start (what a crash left pending is finished soon after a restart).
pub fn start_reconciler(state: Arc<AppState>) {
    tokio::spawn(async move {
        let every = state.config.issuing.reconcile_every;
        let mut ticks = tokio::time::interval_at(
            tokio::time::Instant::now() + every.min(std::time::Duration::from_secs(5)),
            every,
        );
        loop {
            ticks.tick().await;
            if state.is_draining() {
                break;
            }
            if let Err(err) = reconcile(&state, false).await {
                tracing::error!(error = %err, "the reconciler failed");
            }
        }
    });
}
