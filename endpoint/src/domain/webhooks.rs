//! The shops' own order webhooks, mapped onto the ledger
//! ([`super::shop`]): Shopify's `orders/paid` and `refunds/create`, and
//! WooCommerce's `order.created` and `order.updated` (paid, refunds,
//! refunded, cancelled).
//!
//! Both platforms sign the raw body: base64 of its HMAC-SHA256 with the
//! shared secret, in `X-Shopify-Hmac-Sha256` or `X-WC-Webhook-Signature`.
//! A body whose signature does not match is refused before it is read. A
//! webhook delivered twice applies once: orders and refunds are recorded
//! once per id. A guest's order (no customer account) is recorded for the
//! figures only ([`shop::record_sale_only`]): no points, keyed by the
//! e-mail's hash. What does not concern orders (another topic,
//! WooCommerce's ping) is answered `200` with `"applied": false`, so the
//! platform does not retry it. So is a delivery that conflicts with what is
//! recorded (an order imported as history, recorded as a non-member's, or
//! recorded with another customer or total; a refund id with another
//! amount): nothing is booked, `ignored` says why, and the platform does
//! not retry it (both platforms switch a webhook off after repeated
//! failures, and a retry could never succeed).

use super::error::{bad, Error, Result};
use super::ledger;
use super::program::Program;
use super::rewards;
use super::sales;
use super::shop::{self, OrderInput, RefundInput};
use crate::store::queries as q;
use crate::store::sales as s;
use crate::store::Db;
use base64::Engine;
use hmac::{Hmac, Mac};
use loyalty_core::contract::ErrorCode;
use serde::Serialize;
use serde_json::Value;
use sha2::Sha256;

/// Whether `signature` (base64) is the HMAC-SHA256 of `body` with
/// `secret`, compared in constant time.
pub fn signed(secret: &[u8], body: &[u8], signature: &str) -> bool {
    let Ok(given) = base64::engine::general_purpose::STANDARD.decode(signature.trim()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

/// The base64 HMAC-SHA256 of `body` with `secret`, as the platforms sign.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// What a webhook did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Outcome {
    /// Whether it changed anything now (a repeat changes nothing).
    pub applied: bool,
    /// Orders it recorded (or found recorded), by the shop's order id.
    pub orders: Vec<shop::OrderRecord>,
    /// Refunds it recorded (or found recorded).
    pub refunds: Vec<shop::RefundRecord>,
    /// Why nothing was done, when nothing was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignored: Option<String>,
    /// Rewards' codes the order used, now marked used.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub codes_used: Vec<String>,
}

impl Outcome {
    fn ignored(why: impl Into<String>) -> Outcome {
        Outcome {
            ignored: Some(why.into()),
            ..Outcome::default()
        }
    }

    fn order(&mut self, record: shop::OrderRecord) {
        self.applied |= !record.replayed;
        self.orders.push(record);
    }

    fn refund(&mut self, record: shop::RefundRecord) {
        self.applied |= !record.replayed;
        self.refunds.push(record);
    }

    /// `result`'s record, or `None` with why in `ignored` when the
    /// delivery conflicts with what is recorded (see the module's note).
    fn unless_conflict<T>(&mut self, result: Result<T>) -> Result<Option<T>> {
        match result {
            Ok(record) => Ok(Some(record)),
            Err(Error::Refused(ErrorCode::IdempotencyConflict, why)) => {
                self.ignored = Some(why);
                Ok(None)
            }
            Err(err) => Err(err),
        }
    }

    /// Records an order unless it conflicts with what is recorded.
    fn order_unless_conflict(&mut self, result: Result<shop::OrderRecord>) -> Result<()> {
        if let Some(record) = self.unless_conflict(result)? {
            self.order(record);
        }
        Ok(())
    }

    /// Records a refund unless it conflicts with what is recorded.
    fn refund_unless_conflict(&mut self, result: Result<shop::RefundRecord>) -> Result<()> {
        if let Some(record) = self.unless_conflict(result)? {
            self.refund(record);
        }
        Ok(())
    }
}

/// The discount codes in `list` (`[{"code": ...}]`).
fn codes_in(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| text_of(&item["code"]))
                .collect()
        })
        .unwrap_or_default()
}

/// Marks the rewards' codes an order used (`codes`) as used on `order`.
async fn use_codes(
    db: &mut Db<'_>,
    codes: &[String],
    order: &str,
    today: i64,
) -> Result<Vec<String>> {
    let mut used = Vec::new();
    for code in codes.iter().take(20) {
        if rewards::mark_used(db, code, order, today * 86_400).await? {
            used.push(code.clone());
        }
    }
    Ok(used)
}

/// A JSON id (number or string) as text.
fn id_of(value: &Value) -> Option<String> {
    match value {
        Value::Number(number) => Some(number.to_string()),
        Value::String(text) if !text.is_empty() => Some(text.clone()),
        _ => None,
    }
}

/// A JSON amount (`"19.90"` or `19.9`) in minor units.
fn amount_of(value: &Value) -> Option<u64> {
    match value {
        Value::String(text) => ledger::parse_amount(text),
        Value::Number(number) => ledger::parse_amount(&number.to_string()),
        _ => None,
    }
}

fn text_of(value: &Value) -> Option<String> {
    value
        .as_str()
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_owned)
}

/// The referral code an order came with: a `ref` parameter in the page the
/// visit landed on (`landing_site`, Shopify: the widget's referral links
/// end in `?ref=CODE`), or a `ref` / `referral_code` note attribute
/// (Shopify) or meta entry (WooCommerce) a shop's theme or plugin set.
fn referral_code(body: &Value) -> Option<String> {
    let landing = body["landing_site"].as_str().unwrap_or_default();
    let from_link = landing.split_once('?').and_then(|(_, query)| {
        form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == "ref")
            .map(|(_, value)| value.into_owned())
    });
    let named = |list: &Value, key: &str, value: &str| {
        list.as_array().and_then(|items| {
            items
                .iter()
                .find(|item| matches!(item[key].as_str(), Some("ref" | "referral_code")))
                .and_then(|item| text_of(&item[value]))
        })
    };
    from_link
        .or_else(|| named(&body["note_attributes"], "name", "value"))
        .or_else(|| named(&body["meta_data"], "key", "value"))
        .map(|code| code.trim().to_owned())
        .filter(|code| !code.is_empty() && code.len() <= 64)
}

/// Shopify: `orders/paid` records the order (points on `subtotal_price`:
/// after discounts, before shipping and taxes; a customer new to the
/// program is signed up with the order's referral code, if any);
/// `refunds/create` records the refund (the refunded items' subtotal, or
/// else the refund transactions).
pub async fn shopify(
    db: &mut Db<'_>,
    topic: &str,
    body: &Value,
    program: &Program,
    today: i64,
) -> Result<Outcome> {
    let mut outcome = Outcome::default();
    match topic {
        "orders/paid" => {
            let id = id_of(&body["id"]).ok_or_else(|| bad("the order has no id"))?;
            let number = id_of(&body["order_number"]).unwrap_or_else(|| id.clone());
            let used = use_codes(db, &codes_in(&body["discount_codes"]), &number, today).await?;
            outcome.applied |= !used.is_empty();
            outcome.codes_used = used;
            let total = amount_of(&body["subtotal_price"])
                .or_else(|| amount_of(&body["total_price"]))
                .ok_or_else(|| bad("the order has no subtotal_price"))?;
            // When it was placed; a date Shopify sends otherwise is not a
            // reason to lose the order: it is then placed now.
            let placed_at = body["created_at"]
                .as_str()
                .and_then(|at| sales::parse_instant(at, false))
                .map(sales::format_instant);
            let Some(customer_id) = id_of(&body["customer"]["id"]) else {
                let email = text_of(&body["email"]).or_else(|| text_of(&body["contact_email"]));
                let order_id = format!("shopify-{id}");
                let key = sales::guest_key(None, email.as_deref(), &order_id);
                let placed = shop::placed_at(placed_at.as_deref(), today, false)?;
                outcome.order_unless_conflict(
                    shop::record_sale_only(db, &order_id, &key, total, &placed, today).await,
                )?;
                return Ok(outcome);
            };
            let order = OrderInput {
                id: format!("shopify-{id}"),
                number: id_of(&body["order_number"]).or(Some(id)),
                customer_id,
                total_minor: total,
                first_name: text_of(&body["customer"]["first_name"]),
                email: text_of(&body["customer"]["email"]),
                referral_code: referral_code(body),
                placed_at,
                member: None,
            };
            outcome.order_unless_conflict(shop::record_order(db, &order, program, today).await)?;
        }
        "refunds/create" => {
            let id = id_of(&body["id"]).ok_or_else(|| bad("the refund has no id"))?;
            let order_id =
                id_of(&body["order_id"]).ok_or_else(|| bad("the refund has no order_id"))?;
            let items: u64 = body["refund_line_items"]
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|item| amount_of(&item["subtotal"]))
                        .sum()
                })
                .unwrap_or(0);
            let paid_back: u64 = body["transactions"]
                .as_array()
                .map(|all| {
                    all.iter()
                        .filter(|t| t["kind"] == "refund" && t["status"] == "success")
                        .filter_map(|t| amount_of(&t["amount"]))
                        .sum()
                })
                .unwrap_or(0);
            let amount = if items > 0 { items } else { paid_back };
            if amount == 0 {
                return Ok(Outcome::ignored("a refund of no money"));
            }
            let refund = RefundInput {
                id: format!("shopify-{id}"),
                amount_minor: amount,
            };
            let order_id = format!("shopify-{order_id}");
            if s::sale(db, &order_id).await?.is_none() {
                return Ok(Outcome::ignored("a refund of an order not recorded"));
            }
            outcome.refund_unless_conflict(
                shop::record_refund(db, &order_id, &refund, program, today).await,
            )?;
        }
        other => return Ok(Outcome::ignored(format!("topic {other:?}"))),
    }
    Ok(outcome)
}

/// WooCommerce: an order in one of WooCommerce's paid statuses
/// (`processing`: paid, not yet shipped; `completed`) is recorded once, on
/// the first of them that arrives (points on `total` less `shipping_total`
/// and `total_tax`, pending for the program's `pending_days` from then, as
/// Shopify's `orders/paid`); `completed` after `processing` changes
/// nothing. Each of its `refunds` is recorded; a `refunded`, `cancelled` or
/// `failed` order gives back what its refunds have not.
pub async fn woocommerce(
    db: &mut Db<'_>,
    topic: &str,
    body: &Value,
    program: &Program,
    today: i64,
) -> Result<Outcome> {
    if !topic.starts_with("order.") {
        return Ok(Outcome::ignored(format!("topic {topic:?}")));
    }
    let id = id_of(&body["id"]).ok_or_else(|| bad("the order has no id"))?;
    let status = body["status"].as_str().unwrap_or_default();
    let order_id = format!("wc-{id}");
    let customer_id = id_of(&body["customer_id"]).filter(|id| id != "0");
    let mut outcome = Outcome::default();
    // WooCommerce counts a coupon's use when the order is placed and gives
    // it back when the order is cancelled or fails.
    let number = id_of(&body["number"]).unwrap_or_else(|| id.clone());
    let codes = codes_in(&body["coupon_lines"]);
    match status {
        "pending" | "on-hold" | "processing" | "completed" => {
            outcome.codes_used = use_codes(db, &codes, &number, today).await?;
            outcome.applied |= !outcome.codes_used.is_empty();
        }
        "cancelled" | "failed" | "trash" => {
            for code in &codes {
                outcome.applied |= rewards::unmark_used(db, code, &number, today * 86_400).await?;
            }
        }
        _ => {}
    }
    // WooCommerce's paid statuses (`wc_get_is_paid_statuses`).
    let paid = matches!(status, "processing" | "completed");
    // What takes back the points the refunds have not.
    let undone = matches!(status, "refunded" | "cancelled" | "failed");
    if paid {
        let total = amount_of(&body["total"]).ok_or_else(|| bad("the order has no total"))?;
        let shipping = amount_of(&body["shipping_total"]).unwrap_or(0);
        let tax = amount_of(&body["total_tax"]).unwrap_or(0);
        let placed_at = body["date_created_gmt"]
            .as_str()
            .and_then(|at| sales::parse_instant(at, true))
            .map(sales::format_instant);
        let Some(customer_id) = customer_id else {
            let email = text_of(&body["billing"]["email"]);
            let key = sales::guest_key(None, email.as_deref(), &order_id);
            let placed = shop::placed_at(placed_at.as_deref(), today, false)?;
            let total = match s::sale(db, &order_id).await? {
                Some(seen) => u64::try_from(seen.total_minor).unwrap_or(0),
                None => total.saturating_sub(shipping).saturating_sub(tax),
            };
            outcome.order_unless_conflict(
                shop::record_sale_only(db, &order_id, &key, total, &placed, today).await,
            )?;
            return woo_refunds(db, body, &order_id, status, undone, program, today, outcome).await;
        };
        let mut order = OrderInput {
            id: order_id.clone(),
            number: id_of(&body["number"]).or(Some(id)),
            customer_id,
            total_minor: total.saturating_sub(shipping).saturating_sub(tax),
            first_name: text_of(&body["billing"]["first_name"]),
            email: text_of(&body["billing"]["email"]),
            referral_code: referral_code(body),
            placed_at,
            member: None,
        };
        // Recorded at `processing` already: `completed` (or any later
        // update: an edited order, a note) is the same order, taken as it
        // was recorded. An error here would be a failed delivery to
        // WooCommerce, which disables a webhook after a few in a row.
        if let Some(seen) = q::order(db, &order_id).await? {
            order.customer_id = seen.customer_id;
            order.total_minor = u64::try_from(seen.total_minor).unwrap_or(0);
        }
        outcome.order_unless_conflict(shop::record_order(db, &order, program, today).await)?;
    } else if !undone {
        return Ok(Outcome {
            ignored: Some(format!("status {status:?}")),
            ..outcome
        });
    }
    woo_refunds(db, body, &order_id, status, undone, program, today, outcome).await
}

/// A WooCommerce order's refunds, and what a `refunded`, `cancelled` or
/// `failed` order gives back, on an order recorded before (a member's or a
/// guest's).
#[allow(clippy::too_many_arguments)]
async fn woo_refunds(
    db: &mut Db<'_>,
    body: &Value,
    order_id: &str,
    status: &str,
    undone: bool,
    program: &Program,
    today: i64,
    mut outcome: Outcome,
) -> Result<Outcome> {
    if s::sale(db, order_id).await?.is_none() {
        return Ok(Outcome {
            ignored: Some("an order not recorded".into()),
            ..outcome
        });
    }
    let refunds = body["refunds"].as_array().cloned().unwrap_or_default();
    for refund in &refunds {
        let (Some(refund_id), Some(amount)) = (id_of(&refund["id"]), amount_of(&refund["total"]))
        else {
            continue;
        };
        if amount == 0 {
            continue;
        }
        let input = RefundInput {
            id: format!("wc-refund-{refund_id}"),
            amount_minor: amount,
        };
        outcome.refund_unless_conflict(
            shop::record_refund(db, order_id, &input, program, today).await,
        )?;
    }
    if undone {
        // Read again: the refunds above may have changed it.
        let row = s::sale(db, order_id)
            .await?
            .ok_or_else(|| Error::Corrupt("order vanished".into()))?;
        let total = u64::try_from(row.total_minor).unwrap_or(0);
        let refunded = u64::try_from(row.refunded_minor).unwrap_or(0);
        if total > refunded {
            let input = RefundInput {
                id: format!("{order_id}-{status}"),
                amount_minor: total - refunded,
            };
            outcome.refund_unless_conflict(
                shop::record_refund(db, order_id, &input, program, today).await,
            )?;
        }
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_referral_code_comes_from_the_landing_page_or_the_notes() {
        let landing =
            serde_json::json!({"landing_site": "/products/espresso?utm_source=x&ref=ANNA10"});
        assert_eq!(referral_code(&landing).as_deref(), Some("ANNA10"));
        let note = serde_json::json!({"note_attributes": [{"name": "ref", "value": " BEN10 "}]});
        assert_eq!(referral_code(&note).as_deref(), Some("BEN10"));
        let woo = serde_json::json!({"meta_data": [{"id": 1, "key": "referral_code", "value": "CARLA10"}]});
        assert_eq!(referral_code(&woo).as_deref(), Some("CARLA10"));
        let none = serde_json::json!({"landing_site": "/?reference=1", "note_attributes": []});
        assert_eq!(referral_code(&none), None);
    }

    #[test]
    fn signatures_are_checked_over_the_raw_body() {
        let body = br#"{"id":1}"#;
        let signature = sign(b"secret", body);
        assert!(signed(b"secret", body, &signature));
        assert!(!signed(b"other", body, &signature));
        assert!(!signed(b"secret", br#"{"id":2}"#, &signature));
        assert!(!signed(b"secret", body, "not base64!"));
        assert!(!signed(b"secret", body, ""));
    }
}
