//! Health for a load balancer or an orchestrator: `GET /livez` (the
//! process answers; touches nothing) and `GET /readyz` (the database
//! answers within a second, its migrations are applied, the program is
//! loaded; 503 while shutting down or when a check fails).

use super::error::json;
use super::state::AppState;
use axum::extract::State;
use axum::response::Response;
use std::sync::Arc;
use std::time::Duration;

/// How long the database may take to answer a readiness check.
const DATABASE_BOUND: Duration = Duration::from_secs(1);

/// `GET /livez`.
pub(crate) async fn livez() -> Response {
    json(200, r#"{"status":"ok"}"#.to_owned())
}

/// `GET /readyz`: each check `ok` or why not.
pub(crate) async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    let database = match tokio::time::timeout(DATABASE_BOUND, state.store.ping()).await {
        Ok(Ok(())) => "ok".to_owned(),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness: the database fails");
            "failing".to_owned()
        }
        Err(_) => "too slow".to_owned(),
    };
    let migrations = match state.store.migrations_applied().await {
        Ok(_) => "ok".to_owned(),
        Err(why) => why,
    };
    let program = if state.program.rewards.is_empty() && state.program.tiers.levels.is_empty() {
        "empty"
    } else {
        "ok"
    };
    let shutting_down = state.is_draining();
    let ready = !shutting_down && database == "ok" && migrations == "ok" && program == "ok";
    let body = serde_json::json!({
        "status": if ready { "ready" } else { "not_ready" },
        "checks": {
            "database": database,
            "migrations": migrations,
            "program": program,
            "shutting_down": shutting_down,
        },
    });
    json(if ready { 200 } else { 503 }, body.to_string())
}
