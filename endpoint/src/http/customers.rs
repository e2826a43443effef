//! The console's customers under `/admin/v1/` (issue #30): the list and
//! search, one customer's page, their export and erasure, and the audit
//! log. Every route wants the admin key or a console session
//! ([`AdminKey`]).

use super::error::{json, json_value, AppError};
use super::extract::AdminKey;
use super::state::{now, write, AppState};
use crate::domain::customers;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use std::sync::Arc;

/// `GET /admin/v1/customers`'s query.
#[derive(serde::Deserialize)]
pub(crate) struct ListQuery {
    q: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

/// `GET /admin/v1/customers?q=&limit=&cursor=`.
pub(crate) async fn list(
    _: AdminKey,
    State(state): State<Arc<AppState>>,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let limit = match query.limit.as_deref() {
        None => None,
        Some(text) => Some(
            text.trim()
                .parse::<i64>()
                .map_err(|_| AppError::bad_request("limit: a whole number, 1 to 100"))?,
        ),
    };
    let limit = customers::limit_of(limit)?;
    let mut conn = state.store.read().await?;
    let page = customers::list(
        &mut conn.db(),
        &state.program,
        state.today(),
        query.q.as_deref(),
        limit,
        query.cursor.as_deref(),
    )
    .await?;
    json_value(200, &page)
}

/// `GET /admin/v1/customers/{id}`.
pub(crate) async fn detail(
    _: AdminKey,
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let mut conn = state.store.read().await?;
    let (program, shop_url) = (&state.program, &state.config.shop_url);
    let detail = customers::detail(&mut conn.db(), &id, program, shop_url, state.today()).await?;
    json_value(200, &detail)
}

/// A customer id as a file name: only letters, digits, `.`, `-` and `_`.
fn file_name(id: &str) -> String {
    let plain: String = id
        .chars()
        .take(100)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("customer-{plain}.json")
}

/// `GET /admin/v1/customers/{id}/export`: a JSON attachment; recorded.
pub(crate) async fn export(
    admin: AdminKey,
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let name = file_name(&id);
    let exported = write(&state, move |state| async move {
        let mut tx = state.store.write().await?;
        let (program, today) = (&state.program, state.today());
        let exported =
            customers::export(&mut tx.db(), &id, program, today, now(), admin.actor).await?;
        tx.commit().await?;
        Ok(exported)
    })
    .await?;
    let mut response = json(200, serde_json::to_string_pretty(&exported)?);
    let disposition = format!("attachment; filename=\"{name}\"");
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `POST /admin/v1/customers/{id}/erase`: their personal data removed;
/// recorded; the first `erased_at` again when erased before.
pub(crate) async fn erase(
    admin: AdminKey,
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let erased = write(&state, move |state| async move {
        let mut tx = state.store.write().await?;
        let erased = customers::erase(&mut tx.db(), &id, now(), admin.actor).await?;
        tx.commit().await?;
        Ok(erased)
    })
    .await?;
    json_value(200, &erased)
}

/// `GET /admin/v1/audit`'s query.
#[derive(serde::Deserialize)]
pub(crate) struct AuditQuery {
    customer_id: Option<String>,
}

/// `GET /admin/v1/audit?customer_id=`: events, newest first.
pub(crate) async fn audit(
    _: AdminKey,
    State(state): State<Arc<AppState>>,
    Query(query): Query<AuditQuery>,
) -> Result<Response, AppError> {
    let mut conn = state.store.read().await?;
    let events = customers::audit(&mut conn.db(), query.customer_id.as_deref()).await?;
    json_value(200, &serde_json::json!({ "events": events }))
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn file_names_hold_only_plain_characters() {
        assert_eq!(file_name("cust-1"), "customer-cust-1.json");
        assert_eq!(file_name("a\"b/c ü"), "customer-a_b_c__.json");
    }
}
