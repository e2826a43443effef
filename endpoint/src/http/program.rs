//! The console's program page (issue #30): `GET /admin/v1/program`, the
//! installed program file, `program check`'s findings on it and what
//! changed since the version before. Wants the admin key or a console
//! session ([`AdminKey`]). `POST /admin/v1/preview-token` mints a token
//! for the sample customer the page's live widget shows.

use super::error::{json_value, AppError};
use super::extract::AdminKey;
use super::state::{now, write, AppState};
use crate::domain::session::instant;
use crate::domain::{customers, token, versions};
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use loyalty_core::contract::ErrorCode;
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
    Router::new()
        .route("/admin/v1/program", get(get_program))
        .route("/admin/v1/preview-token", post(post_preview_token))
}

/// How long a preview token lives, in seconds.
const PREVIEW_TTL: u64 = 900;

/// `POST /admin/v1/preview-token`: a short-lived customer token for the
/// console's sample customer (made on first use), so the program page can
/// show the real widget as a member sees it without any real customer's
/// data; that customer never counts in the figures and cannot redeem.
async fn post_preview_token(
    _: AdminKey,
    State(state): State<Arc<AppState>>,
) -> Result<Response, AppError> {
    if state.config.secret.is_empty() {
        return Err(AppError::new(
            409,
            ErrorCode::NotAvailable,
            "this endpoint verifies tokens with a public key: it cannot mint a preview token",
        ));
    }
    let id = write(&state, |state| async move {
        let mut tx = state.store.write().await?;
        let id = customers::ensure_preview(&mut tx.db(), state.today()).await?;
        tx.commit().await?;
        Ok(id)
    })
    .await?;
    let issued = now();
    let token = token::mint(&state.config.secret, id, issued, PREVIEW_TTL);
    let answer = serde_json::json!({
        "token": token,
        "customer_id": id,
        "expires_at": instant(issued + PREVIEW_TTL),
        "languages": state.program.languages(),
    });
    json_value(201, &answer)
}
