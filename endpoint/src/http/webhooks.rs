//! The platforms' order webhooks under `/webhooks/`: the signature over the
//! raw body first, then the body, then the ledger
//! ([`crate::domain::webhooks`]), in one write transaction.

use super::error::{error, json, json_value, AppError};
use super::state::{write, AppState};
use crate::domain::webhooks;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use loyalty_core::contract::ErrorCode;
use std::sync::Arc;

/// Which platform sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Platform {
    Shopify,
    WooCommerce,
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

/// The topics counted by name; any other is counted as `other` (the
/// header is the sender's: its values must not grow the metrics).
const TOPICS: [&str; 5] = [
    "orders/paid",
    "refunds/create",
    "order.updated",
    "order.created",
    "order.deleted",
];

/// Counts and logs what became of a webhook.
fn record(platform: Platform, topic: &str, outcome: &'static str) {
    let platform = match platform {
        Platform::Shopify => "shopify",
        Platform::WooCommerce => "woocommerce",
    };
    let topic = TOPICS
        .into_iter()
        .find(|known| *known == topic)
        .unwrap_or("other");
    metrics::counter!("loyalty_webhooks_total", "platform" => platform, "topic" => topic,
                      "outcome" => outcome)
    .increment(1);
    if outcome.starts_with("refused") || outcome == "invalid" {
        tracing::warn!(platform, topic, outcome, "webhook refused");
    } else {
        tracing::info!(platform, topic, outcome, "webhook");
    }
}

/// Whether `body` is WooCommerce's ping: `webhook_id=` and digits.
fn is_ping(body: &[u8]) -> bool {
    body.strip_prefix(b"webhook_id=")
        .is_some_and(|id| !id.is_empty() && id.len() <= 20 && id.iter().all(u8::is_ascii_digit))
}

/// A signed webhook: the signature first, then the body, then the ledger.
async fn webhook(
    state: Arc<AppState>,
    platform: Platform,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let (secret, signature, topic) = match platform {
        Platform::Shopify => (
            state.config.shopify_secret.as_deref(),
            header_text(&headers, "x-shopify-hmac-sha256"),
            header_text(&headers, "x-shopify-topic"),
        ),
        Platform::WooCommerce => (
            state.config.woocommerce_secret.as_deref(),
            header_text(&headers, "x-wc-webhook-signature"),
            header_text(&headers, "x-wc-webhook-topic"),
        ),
    };
    let topic = topic.unwrap_or_default();
    // WooCommerce pings a webhook when it is saved, unsigned, with a bare
    // `webhook_id=N`: answered 200 (it changes nothing), else WooCommerce
    // keeps pinging and the shop's admin shows the webhook failing.
    if platform == Platform::WooCommerce && signature.is_none() && is_ping(&body) {
        record(platform, &topic, "ping");
        return Ok(json(
            200,
            r#"{"applied":false,"orders":[],"refunds":[],"ignored":"ping"}"#.to_owned(),
        ));
    }
    let (Some(secret), Some(signature)) = (secret, signature) else {
        record(platform, &topic, "refused_unsigned");
        return Err(AppError::unauthorized("the webhook is not signed"));
    };
    if !webhooks::signed(secret, &body, &signature) {
        record(platform, &topic, "refused_signature");
        return Err(AppError::unauthorized(
            "the webhook's signature does not match",
        ));
    }
    let value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        // WooCommerce's ping on saving a webhook: `webhook_id=N`.
        Err(_) if body.starts_with(b"webhook_id=") => {
            record(platform, &topic, "ping");
            return Ok(json(
                200,
                r#"{"applied":false,"orders":[],"refunds":[],"ignored":"ping"}"#.to_owned(),
            ));
        }
        Err(err) => {
            return Ok(error(
                400,
                ErrorCode::BadRequest,
                &format!("invalid body: {err}"),
            ))
        }
    };
    let counted = topic.clone();
    let outcome = write(&state, move |state| async move {
        let mut tx = state.store.write().await?;
        let (program, today) = (&state.program, state.today());
        let outcome = match platform {
            Platform::Shopify => {
                webhooks::shopify(&mut tx.db(), &topic, &value, program, today).await?
            }
            Platform::WooCommerce => {
                webhooks::woocommerce(&mut tx.db(), &topic, &value, program, today).await?
            }
        };
        tx.commit().await?;
        Ok(outcome)
    })
    .await;
    let label = match &outcome {
        Ok(done) if done.applied => "applied",
        Ok(done) if done.ignored.is_some() => "ignored",
        Ok(_) => "repeated",
        Err(_) => "failed",
    };
    record(platform, &counted, label);
    json_value(200, &outcome?)
}

/// `POST /webhooks/shopify`.
pub(crate) async fn shopify(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    webhook(state, Platform::Shopify, headers, body).await
}

/// `POST /webhooks/woocommerce`.
pub(crate) async fn woocommerce(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    webhook(state, Platform::WooCommerce, headers, body).await
}
