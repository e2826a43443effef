//! The console's program page (issue #30): `GET /admin/v1/program`, the
//! installed program file, `program check`'s findings on it and what
//! changed since the version before. Wants the admin key or a console
//! session ([`AdminKey`]).

use super::error::{json_value, AppError};
use super::extract::AdminKey;
use super::state::AppState;
use crate::domain::versions;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

/// `GET /admin/v1/program`.
async fn get_program(
    _: AdminKey,
    State(state): State<Arc<AppState>>,
) -> Result<Response, AppError> {
    let mut conn = state.store.read().await?;
    let page = versions::page(&mut conn.db(), &state.program).await?;
    json_value(200, &page)
}

/// The program page's route (within the admin API).
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/admin/v1/program", get(get_program))
}
