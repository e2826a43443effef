//! HTTP for the shop's side: the admin API under `/admin/v1/`
//! (`openapi/loyalty-admin-v1.json`; the bearer admin key is checked in
//! front of every route, and a customer token is never it) and the
//! platforms' webhooks under `/webhooks/`. Each request is one write
//! transaction.

use crate::admin::{self, AdjustmentInput, CustomerInput, OrderInput, RefundInput};
use crate::api::{error, idempotency_key, json, json_object, stored_response, AppState};
use crate::db::{self, StoreError};
use crate::store::Sql;
use crate::webhooks;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use loyalty_core::contract::ErrorCode;
use std::sync::Arc;

/// The shortest admin key accepted, in bytes.
pub const MIN_ADMIN_KEY: usize = 32;

/// Whether the request carries the admin key (compared in constant time).
fn is_admin(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(key) = state.config().admin_key.as_deref() else {
        return false;
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or_default()
        .as_bytes();
    given.len() == key.len()
        && given
            .iter()
            .zip(key)
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

fn unauthorized() -> Response {
    error(
        401,
        ErrorCode::Unauthorized,
        "the admin API needs the admin key as a bearer token",
    )
}

/// Runs `apply` in one write transaction and answers its JSON.
fn in_transaction<T: serde::Serialize>(
    state: &AppState,
    status: impl FnOnce(&T) -> u16,
    apply: impl FnOnce(&mut dyn Sql, i64) -> Result<T, StoreError>,
) -> Response {
    let today = state.today();
    match state.write(|tx| apply(tx, today)) {
        Ok(value) => json(
            status(&value),
            serde_json::to_string(&value).unwrap_or_default(),
        ),
        Err(err) => err.into_response(),
    }
}

/// In front of every admin route: the admin key, or 401.
async fn require_admin(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    if is_admin(&state, request.headers()) {
        next.run(request).await
    } else {
        unauthorized()
    }
}

macro_rules! body {
    ($body:expr) => {
        match json_object(&$body) {
            Ok(input) => input,
            Err(refusal) => return refusal.into_response(),
        }
    };
}

async fn put_customer(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let input: CustomerInput = body!(body);
    in_transaction(
        &state,
        |record: &admin::CustomerRecord| if record.created { 201 } else { 200 },
        |tx, today| admin::upsert_customer(tx, &id, &input, state.program(), today),
    )
}

async fn post_order(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let input: OrderInput = body!(body);
    in_transaction(
        &state,
        |record: &admin::OrderRecord| if record.replayed { 200 } else { 201 },
        |tx, today| admin::record_order(tx, &input, state.program(), today),
    )
}

async fn post_refund(
    State(state): State<Arc<AppState>>,
    Path(order_id): Path<String>,
    body: Bytes,
) -> Response {
    let input: RefundInput = body!(body);
    in_transaction(
        &state,
        |record: &admin::RefundRecord| if record.replayed { 200 } else { 201 },
        |tx, today| admin::record_refund(tx, &order_id, &input, state.program(), today),
    )
}

async fn post_adjustment(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let key = match idempotency_key(&headers) {
        Ok(key) => key,
        Err(refusal) => return refusal.into_response(),
    };
    let input: AdjustmentInput = body!(body);
    let today = state.today();
    let fingerprint = String::from_utf8_lossy(&body).into_owned();
    let result = state.writing(|store| {
        db::idempotent(store, &format!("admin:{id}"), &key, &fingerprint, |tx| {
            let record = admin::adjust(tx, &id, &input, state.program(), today)?;
            Ok((201, serde_json::to_string(&record)?))
        })
    });
    match result {
        Ok(stored) => stored_response(stored),
        Err(err) => err.into_response(),
    }
}

async fn get_ledger(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    in_transaction(
        &state,
        |_| 200,
        |tx, today| admin::ledger_view(tx, &id, state.program(), today),
    )
}

async fn post_settle(State(state): State<Arc<AppState>>) -> Response {
    match state.settle_all() {
        Ok(booked) => json(200, serde_json::json!({ "booked": booked }).to_string()),
        Err(err) => err.into_response(),
    }
}

/// A signed webhook: the signature first, then the body, then the ledger.
fn webhook(
    state: &AppState,
    secret: Option<&[u8]>,
    signature: Option<&str>,
    body: &Bytes,
    apply: impl FnOnce(&mut dyn Sql, &serde_json::Value, i64) -> Result<webhooks::Outcome, StoreError>,
) -> Response {
    let (Some(secret), Some(signature)) = (secret, signature) else {
        return error(401, ErrorCode::Unauthorized, "the webhook is not signed");
    };
    if !webhooks::signed(secret, body, signature) {
        return error(
            401,
            ErrorCode::Unauthorized,
            "the webhook's signature does not match",
        );
    }
    let value: serde_json::Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        // WooCommerce's ping on saving a webhook: `webhook_id=N`.
        Err(_) if body.starts_with(b"webhook_id=") => {
            return json(
                200,
                r#"{"applied":false,"orders":[],"refunds":[],"ignored":"ping"}"#.to_owned(),
            )
        }
        Err(err) => return error(400, ErrorCode::BadRequest, &format!("invalid body: {err}")),
    };
    in_transaction(state, |_| 200, |tx, today| apply(tx, &value, today))
}

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

async fn shopify_webhook(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let topic = header_text(&headers, "x-shopify-topic").unwrap_or_default();
    webhook(
        &state,
        state.config().shopify_secret.as_deref(),
        header_text(&headers, "x-shopify-hmac-sha256"),
        &body,
        |tx, value, today| webhooks::shopify(tx, topic, value, state.program(), today),
    )
}

async fn woocommerce_webhook(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let topic = header_text(&headers, "x-wc-webhook-topic").unwrap_or_default();
    webhook(
        &state,
        state.config().woocommerce_secret.as_deref(),
        header_text(&headers, "x-wc-webhook-signature"),
        &body,
        |tx, value, today| webhooks::woocommerce(tx, topic, value, state.program(), today),
    )
}

/// The admin API's and the webhooks' routes, for what is configured.
pub fn routes(app: Router<Arc<AppState>>, state: &Arc<AppState>) -> Router<Arc<AppState>> {
    let mut app = app;
    if state.config().admin_key.is_some() {
        let admin = Router::new()
            .route("/admin/v1/customers/{id}", put(put_customer))
            .route(
                "/admin/v1/customers/{id}/adjustments",
                post(post_adjustment),
            )
            .route("/admin/v1/customers/{id}/ledger", get(get_ledger))
            .route("/admin/v1/orders", post(post_order))
            .route("/admin/v1/orders/{id}/refunds", post(post_refund))
            .route("/admin/v1/settle", post(post_settle))
            .route_layer(middleware::from_fn_with_state(state.clone(), require_admin));
        app = app.merge(admin);
    }
    let webhook_body = DefaultBodyLimit::max(state.config().limits.max_webhook_body);
    if state.config().shopify_secret.is_some() {
        app = app.route(
            "/webhooks/shopify",
            post(shopify_webhook).layer(webhook_body),
        );
    }
    if state.config().woocommerce_secret.is_some() {
        app = app.route(
            "/webhooks/woocommerce",
            post(woocommerce_webhook).layer(webhook_body),
        );
    }
    app
}
