//! The test-only routes, which exist only when asked for: `PUT /_faults`
//! (`--fault-control`), `GET`/`DELETE /_stats` (requests per route and
//! what the database holds) and `PUT /_clock` (`--clock-control`).

use super::error::{error, json, AppError};
use super::extract::json_object;
use super::state::{lock, AppState};
use crate::domain::ledger;
use crate::faults::Faults;
use crate::store::queries::{self as q, Counted};
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use loyalty_core::contract::ErrorCode;
use serde::Deserialize;
use std::sync::Arc;

pub(crate) async fn set_faults(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    match json_object::<Faults>(&body) {
        Ok(faults) => {
            *lock(&state.faults) = faults;
            json(200, r#"{"ok":true}"#.to_owned())
        }
        Err(refusal) => refusal.into_response(),
    }
}

/// `GET /_stats`: requests per route since the last reset, and what the
/// database holds (for tests and the benchmark).
pub(crate) async fn stats(State(state): State<Arc<AppState>>) -> Response {
    let requests = lock(&state.counts).clone();
    let db = match counts(&state).await {
        Ok((redemptions, club_members)) => serde_json::json!({
            "redemptions": redemptions,
            "club_members": club_members,
        }),
        Err(_) => serde_json::Value::Null,
    };
    json(
        200,
        serde_json::json!({ "requests": requests, "db": db }).to_string(),
    )
}

/// `PUT /_clock` with `{"today": "YYYY-MM-DD"}`: moves the ledger's day
/// (tests: pending points, expiry, birthdays).
pub(crate) async fn set_clock(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    #[derive(Deserialize)]
    struct Clock {
        today: String,
    }
    let clock: Clock = match json_object(&body) {
        Ok(clock) => clock,
        Err(refusal) => return refusal.into_response(),
    };
    match ledger::parse_date(&clock.today) {
        Some(day) => {
            state.set_today(day);
            json(200, serde_json::json!({ "today": clock.today }).to_string())
        }
        None => error(
            400,
            ErrorCode::BadRequest,
            "today must be a date YYYY-MM-DD",
        ),
    }
}

pub(crate) async fn reset_stats(State(state): State<Arc<AppState>>) -> Response {
    lock(&state.counts).clear();
    json(200, r#"{"ok":true}"#.to_owned())
}

async fn counts(state: &AppState) -> Result<(i64, i64), AppError> {
    let mut conn = state.store.read().await?;
    let mut db = conn.db();
    let redemptions = q::count(&mut db, Counted::Redemptions).await?;
    let club_members = q::count(&mut db, Counted::ClubMembers).await?;
    Ok((redemptions, club_members))
}
