//! `GET /admin/v1/analytics` (issue #30): the console's figures for a
//! period and the one before it, read from the store's aggregates
//! (`store::analytics`) and put together by the domain's arithmetic
//! (`domain::analytics`). A read: no write lock, one connection.

use super::error::{json_value, AppError};
use super::extract::AdminKey;
use super::state::AppState;
use crate::domain::analytics::{self as figures, Inputs, Period, TierBasis};
use crate::store::analytics::{self as sums, Parts, TierSum};
use crate::store::{Db, Store, StoreError};
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

/// `?from=YYYY-MM-DD&to=YYYY-MM-DD`.
#[derive(Debug, serde::Deserialize)]
struct Asked {
    from: Option<String>,
    to: Option<String>,
}

/// Everything one answer needs, from the store's sums, read on one
/// connection (tests, tools).
pub async fn inputs(
    db: &mut Db<'_>,
    period: Period,
    thresholds: &[u64],
    basis: TierBasis,
) -> Result<Inputs, StoreError> {
    let tiers = (thresholds, tier_sum(basis));
    let previous = period.previous();
    let (now, before) = sums::tiers(db, period.from, period.to, tiers).await?;
    let (candidates, candidates_left_out) =
        sums::candidates(db, period.to, at_risk_limit()).await?;
    Ok(Inputs {
        current: Parts {
            tier_moves: now.0,
            points_outstanding: now.1,
            ..sums::parts(db, period.from, period.to).await?
        },
        previous: Parts {
            tier_moves: before.0,
            points_outstanding: before.1,
            ..sums::parts(db, previous.from, previous.to).await?
        },
        days: sums::days(db, period.from, period.to).await?,
        cohorts: sums::cohorts(db, period.to).await?,
        candidates,
        candidates_left_out,
    })
}

/// How many at-risk members the store lists ([`figures::AT_RISK_LIMIT`]).
fn at_risk_limit() -> i64 {
    i64::try_from(figures::AT_RISK_LIMIT).unwrap_or(i64::MAX)
}

fn tier_sum(basis: TierBasis) -> TierSum {
    match basis {
        TierBasis::LifetimePoints => TierSum::Points,
        TierBasis::Spend12Months => TierSum::Spend,
    }
}

/// The same, its three parts read at once on three connections of the
/// pool (the period's sums; the previous period's; both periods' tier
/// moves, the trend, cohorts and at-risk list): reads run side by side on
/// both databases.
async fn inputs_at_once(
    store: &Store,
    period: Period,
    thresholds: &[u64],
    basis: TierBasis,
) -> Result<Inputs, StoreError> {
    let tiers = (thresholds, tier_sum(basis));
    let previous = period.previous();
    let current = async {
        let mut conn = store.read().await?;
        sums::parts(&mut conn.db(), period.from, period.to).await
    };
    let previous = async {
        let mut conn = store.read().await?;
        sums::parts(&mut conn.db(), previous.from, previous.to).await
    };
    let window = async {
        let mut conn = store.read().await?;
        let mut db = conn.db();
        let tiers = sums::tiers(&mut db, period.from, period.to, tiers).await?;
        let days = sums::days(&mut db, period.from, period.to).await?;
        let cohorts = sums::cohorts(&mut db, period.to).await?;
        let candidates = sums::candidates(&mut db, period.to, at_risk_limit()).await?;
        Ok::<_, StoreError>((tiers, days, cohorts, candidates))
    };
    let (current, previous, ((now, before), days, cohorts, (candidates, candidates_left_out))) =
        tokio::try_join!(current, previous, window)?;
    let current = Parts {
        tier_moves: now.0,
        points_outstanding: now.1,
        ..current
    };
    let previous = Parts {
        tier_moves: before.0,
        points_outstanding: before.1,
        ..previous
    };
    Ok(Inputs {
        current,
        previous,
        days,
        cohorts,
        candidates,
        candidates_left_out,
    })
}

/// `GET /admin/v1/analytics`: 200 with the figures; 400 for a bad period.
async fn get_analytics(
    _: AdminKey,
    State(state): State<Arc<AppState>>,
    Query(asked): Query<Asked>,
) -> Result<Response, AppError> {
    let period = figures::period_of(asked.from.as_deref(), asked.to.as_deref(), state.today())
        .map_err(AppError::bad_request)?;
    let settings = figures::settings_of(&state.program);
    let thresholds: Vec<u64> = settings.tiers.iter().map(|tier| tier.2).collect();
    let inputs = inputs_at_once(&state.store, period, &thresholds, settings.basis).await?;
    json_value(200, &figures::answer(&inputs, &settings, period))
}

/// The analytics route (within the admin API).
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/admin/v1/analytics", get(get_analytics))
}
