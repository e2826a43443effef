//! The console's customers (issue #30): a page of the list or of a
//! search, one customer's page, their export, their erasure, and the admin
//! audit log every one of these (and the sign-ins) writes to.

use super::account::{self, ERASED};
use super::error::{bad, refused, Result};
use super::program::Program;
use super::rewards;
use super::session::instant;
use super::shop;
use crate::store::customers::{self as q, EventRow};
use crate::store::queries;
use crate::store::Db;
use base64::Engine;
use loyalty_core::contract::{ErrorCode, Summary};
use serde::Serialize;

/// The most customers one page lists.
pub const MAX_LIMIT: i64 = 100;
/// Customers on a page unless asked otherwise.
pub const DEFAULT_LIMIT: i64 = 25;
/// The longest search text taken.
const MAX_QUERY: usize = 200;

/// Who did something in the admin API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A script with the admin key.
    Key,
    /// The console, signed in.
    Session,
}

impl Actor {
    /// The audit log's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Actor::Key => "key",
            Actor::Session => "session",
        }
    }
}

/// A customer as the console lists them.
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    /// The shop's customer id.
    pub id: String,
    /// First name (none once erased).
    pub first_name: Option<String>,
    /// E-mail address (none once erased).
    pub email: Option<String>,
    /// `member` or `erased`.
    pub state: String,
    /// Spendable points today.
    pub balance: u64,
    /// Their tier's id, if the program has tiers.
    pub tier: Option<String>,
    /// The day they joined, `YYYY-MM-DD`.
    pub created_on: String,
    /// Their last order (RFC 3339), if any.
    pub last_order_at: Option<String>,
}

/// A page of customers.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    /// The customers, highest id first.
    pub customers: Vec<Listed>,
    /// The next page's cursor; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// A cursor the list gives: the last id it showed, opaque to the client.
fn cursor_of(id: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id.as_bytes())
}

/// The id in a cursor this API gave.
fn id_of(cursor: &str) -> Result<String> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor.as_bytes())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .filter(|id| !id.is_empty())
        .ok_or_else(|| bad("cursor: not one this API gave (pass next_cursor as it was)"))
}

/// Checks a page's `limit` (1 to 100; 25 without).
pub fn limit_of(limit: Option<i64>) -> Result<i64> {
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(bad("limit: 1 to 100")),
    }
}

/// `GET /admin/v1/customers`: customers matching `query` (an id or its
/// start, part of an e-mail address, the start of a first name, in any
/// case), highest id first, `limit` from after `cursor`.
pub async fn list(
    db: &mut Db<'_>,
    program: &Program,
    today: i64,
    query: Option<&str>,
    limit: i64,
    cursor: Option<&str>,
) -> Result<Page> {
    let query = query.map(str::trim).filter(|q| !q.is_empty());
    if query.is_some_and(|q| q.chars().count() > MAX_QUERY) {
        return Err(bad("q: at most 200 characters"));
    }
    let before = cursor.map(id_of).transpose()?;
    if query.is_some_and(|q| q.contains('\0')) {
        // No stored text holds a NUL (and PostgreSQL takes none).
        return Ok(Page {
            customers: Vec::new(),
            next_cursor: None,
        });
    }
    let mut rows = q::search(db, query, before.as_deref(), limit + 1).await?;
    let more = rows.len() > usize::try_from(limit).unwrap_or(0);
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next_cursor = if more {
        rows.last().map(|row| cursor_of(&row.id))
    } else {
        None
    };
    let mut customers = Vec::with_capacity(rows.len());
    for row in rows {
        let (balance, tier) = account::standing(db, &row.id, program, today).await?;
        customers.push(Listed {
            balance,
            tier,
            last_order_at: row.last_order_at,
            id: row.id,
            first_name: row.first_name,
            email: row.email,
            state: row.state,
            created_on: row.created_on,
        });
    }
    Ok(Page {
        customers,
        next_cursor,
    })
}

/// One customer on the console's page: the list's row and more.
#[derive(Debug, Clone, Serialize)]
pub struct Customer {
    /// The list's row.
    #[serde(flatten)]
    pub listed: Listed,
    /// Birthday, `MM-DD`.
    pub birthday: Option<String>,
    /// Their own referral code.
    pub referral_code: Option<String>,
    /// Who referred them (a customer id).
    pub referred_by: Option<String>,
    /// Whether they are in the club.
    pub club_member: bool,
    /// When their personal data was erased (RFC 3339).
    pub erased_at: Option<String>,
}

/// One of a customer's orders.
#[derive(Debug, Clone, Serialize)]
pub struct OrderLine {
    /// The shop's order id.
    pub id: String,
    /// The order number shown.
    pub number: String,
    /// Its total, minor units.
    pub total_minor: i64,
    /// Refunded so far.
    pub refunded_minor: i64,
    /// Points it earned.
    pub points: i64,
    /// When it was placed (RFC 3339; the day it was paid).
    pub placed_at: String,
}

/// One of a customer's redemptions.
#[derive(Debug, Clone, Serialize)]
pub struct RedemptionLine {
    /// Its id.
    pub id: String,
    /// The reward.
    pub reward_id: String,
    /// Points spent.
    pub points_spent: i64,
    /// The code.
    pub code: String,
    /// `pending`, `active`, `used`, `expired` or `released`.
    pub state: String,
    /// The day it was made.
    pub created_at: String,
    /// The day its code expires.
    pub expires_at: String,
    /// The order it was used in.
    pub used_order: Option<String>,
    /// Whether the shop owner may reissue its code: it expired unused, its
    /// points did not come back, and it was not reissued yet.
    pub reissuable: bool,
    /// The redemption its code was reissued as, if it was.
    pub reissued_as: Option<String>,
}

/// `GET /admin/v1/customers/{id}`.
#[derive(Debug, Clone, Serialize)]
pub struct Detail {
    /// The customer.
    pub customer: Customer,
    /// What `GET /v1/customer` answers for them.
    pub summary: Summary,
    /// Their orders, newest first.
    pub orders: Vec<OrderLine>,
    /// Their redemptions, newest first.
    pub redemptions: Vec<RedemptionLine>,
}

/// The most orders and redemptions a customer's page shows.
const PAGE_LINES: i64 = 500;

/// A customer's row; 404 for an id no customer can have.
async fn row(db: &mut Db<'_>, id: &str) -> Result<q::DetailRow> {
    let unknown = || refused(ErrorCode::NotFound, "unknown customer");
    if shop::check_id("id", id).is_err() {
        return Err(unknown());
    }
    q::detail(db, id).await?.ok_or_else(unknown)
}

async fn customer(db: &mut Db<'_>, id: &str, program: &Program, today: i64) -> Result<Customer> {
    let row = row(db, id).await?;
    let (balance, tier) = account::standing(db, id, program, today).await?;
    Ok(Customer {
        listed: Listed {
            id: row.id,
            first_name: row.first_name,
            email: row.email,
            state: row.state,
            balance,
            tier,
            created_on: row.created_on,
            last_order_at: row.last_order_at,
        },
        birthday: row.birthday,
        referral_code: row.referral_code,
        referred_by: row.referred_by,
        club_member: row.club_member != 0,
        erased_at: row.erased_at,
    })
}

async fn orders(db: &mut Db<'_>, id: &str) -> Result<Vec<OrderLine>> {
    Ok(q::orders(db, id, PAGE_LINES)
        .await?
        .into_iter()
        .map(|row| OrderLine {
            placed_at: row.placed_at,
            id: row.id,
            number: row.number,
            total_minor: row.total_minor,
            refunded_minor: row.refunded_minor,
            points: row.points,
        })
        .collect())
}

async fn redemptions(db: &mut Db<'_>, id: &str) -> Result<Vec<RedemptionLine>> {
    let rows = queries::customer_redemptions(db, id, PAGE_LINES, 0).await?;
    // A reissue is listed just before its first code (the same entry, a
    // greater id), so the page that holds a code holds its reissue.
    let listed: std::collections::HashSet<String> = rows.iter().map(|row| row.id.clone()).collect();
    let mut lines = Vec::with_capacity(rows.len());
    for row in rows {
        let reissue = rewards::reissue_id(&row.id);
        let reissuable = rewards::reissuable(&row);
        let reissued_as = (reissuable && listed.contains(&reissue)).then_some(reissue);
        lines.push(RedemptionLine {
            reissuable: reissuable && reissued_as.is_none(),
            reissued_as,
            id: row.id,
            reward_id: row.reward_id,
            points_spent: row.points_spent,
            code: row.code,
            state: row.state,
            created_at: row.created_at,
            expires_at: row.expires_at,
            used_order: row.used_order,
        });
    }
    Ok(lines)
}

/// `GET /admin/v1/customers/{id}`: the customer, their summary in the
/// program's first language, orders and redemptions.
pub async fn detail(
    db: &mut Db<'_>,
    id: &str,
    program: &Program,
    shop_url: &str,
    today: i64,
) -> Result<Detail> {
    let customer = customer(db, id, program, today).await?;
    let lang = program.language(None);
    let summary = account::summary(db, id, &lang, shop_url, program, today).await?;
    Ok(Detail {
        customer,
        summary,
        orders: orders(db, id).await?,
        redemptions: redemptions(db, id).await?,
    })
}

/// An audit event as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    /// When (RFC 3339).
    pub at: String,
    /// What.
    pub action: String,
    /// About whom.
    pub customer_id: Option<String>,
    /// `key` or `session`.
    pub actor: String,
    /// What else is known (a JSON object).
    pub detail: serde_json::Value,
}

/// The most events one read returns.
pub const EVENTS_LIMIT: i64 = 1000;

/// `GET /admin/v1/audit`: events, newest first, about one customer or all.
pub async fn audit(db: &mut Db<'_>, customer_id: Option<&str>) -> Result<Vec<Event>> {
    if customer_id.is_some_and(|id| id.contains('\0')) {
        return Ok(Vec::new());
    }
    Ok(q::events(db, customer_id, EVENTS_LIMIT)
        .await?
        .into_iter()
        .map(|row| Event {
            detail: serde_json::from_str(&row.detail)
                .unwrap_or_else(|_| serde_json::json!({ "text": row.detail })),
            at: row.at,
            action: row.action,
            customer_id: row.customer_id,
            actor: row.actor,
        })
        .collect())
}

/// Records an audit event at `now` (seconds since 1970).
pub async fn record(
    db: &mut Db<'_>,
    now: u64,
    action: &str,
    customer_id: Option<&str>,
    actor: Actor,
    detail: serde_json::Value,
) -> Result<()> {
    let event = EventRow {
        at: instant(now),
        action: action.to_owned(),
        customer_id: customer_id.map(str::to_owned),
        actor: actor.as_str().to_owned(),
        detail: detail.to_string(),
    };
    Ok(q::record(db, &event).await?)
}

/// `GET /admin/v1/customers/{id}/export`: every personal field, the
/// ledger, orders, redemptions and the audit events about them; the export
/// itself is recorded (settles the customer first: a write).
pub async fn export(
    db: &mut Db<'_>,
    id: &str,
    program: &Program,
    today: i64,
    now: u64,
    actor: Actor,
) -> Result<serde_json::Value> {
    let customer = customer(db, id, program, today).await?;
    let ledger = shop::ledger_view(db, id, program, today).await?;
    record(db, now, "export", Some(id), actor, serde_json::json!({})).await?;
    Ok(serde_json::json!({
        "exported_at": instant(now),
        "customer": customer,
        "ledger": ledger.entries,
        "orders": orders(db, id).await?,
        "redemptions": redemptions(db, id).await?,
        "audit": audit(db, Some(id)).await?,
    }))
}

/// `POST /admin/v1/customers/{id}/erase`'s answer.
#[derive(Debug, Clone, Serialize)]
pub struct Erased {
    /// The customer.
    pub id: String,
    /// When their personal data was erased (the first time).
    pub erased_at: String,
}

/// `POST /admin/v1/customers/{id}/erase`: removes the customer's personal
/// data and records it; their ledger, orders and amounts stay. Erasing
/// again answers the first time's.
pub async fn erase(db: &mut Db<'_>, id: &str, now: u64, actor: Actor) -> Result<Erased> {
    let row = row(db, id).await?;
    if let Some(erased_at) = row.erased_at.filter(|_| row.state == ERASED) {
        return Ok(Erased {
            id: id.to_owned(),
            erased_at,
        });
    }
    let erased_at = instant(now);
    q::erase(db, id, &erased_at).await?;
    // Answers kept for replaying a request (the customer's own writes, the
    // admin API's about them) keep their status, without the personal data.
    let owners = [id.to_owned(), format!("admin:{id}")];
    for (owner, key, body) in q::stored_answers(db, &owners).await? {
        let scrubbed = without_personal_data(&body);
        if scrubbed != body {
            q::set_stored_body(db, &owner, &key, &scrubbed).await?;
        }
    }
    record(db, now, "erase", Some(id), actor, serde_json::json!({})).await?;
    Ok(Erased {
        id: id.to_owned(),
        erased_at,
    })
}

/// The fields of a stored answer that may hold a person's data.
const PERSONAL: [&str; 8] = [
    "first_name",
    "last_name",
    "name",
    "email",
    "birthday",
    "referral_code",
    "url",
    "reason",
];

/// A stored JSON answer with every [`PERSONAL`] field, at any depth, set
/// to null (an answer that is not JSON becomes `{}`).
fn without_personal_data(body: &str) -> String {
    fn scrub(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                for (name, field) in map.iter_mut() {
                    if PERSONAL.contains(&name.as_str()) {
                        *field = serde_json::Value::Null;
                    } else {
                        scrub(field);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(scrub),
            _ => {}
        }
    }
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(mut value) => {
            scrub(&mut value);
            value.to_string()
        }
        Err(_) => "{}".to_owned(),
    }
}

/// The console's sample customer ([`account::PREVIEW`]), added on `today`
/// the first time: a club member without points whose writes are refused
/// and whom the figures and the customer list leave out.
pub async fn ensure_preview(db: &mut Db<'_>, today: i64) -> Result<&'static str> {
    let day = loyalty_core::date::format_date(today);
    q::ensure_preview(db, account::PREVIEW, &day).await?;
    Ok(account::PREVIEW)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_as_its_id() {
        let cursor = cursor_of("cust-0042");
        assert_eq!(id_of(&cursor).expect("an id"), "cust-0042");
        assert!(id_of("not base64 !").is_err());
        assert!(id_of("").is_err());
    }

    #[test]
    fn a_stored_answer_keeps_no_personal_data() {
        let body = r#"{"id":"c1","first_name":"Anna","referral":{"url":"https://s/?ref=ANNA1"},"points":{"approved":5},"entries":[{"reason":"for Anna's parcel","points":5}]}"#;
        let scrubbed: serde_json::Value =
            serde_json::from_str(&without_personal_data(body)).expect("JSON");
        assert_eq!(scrubbed["first_name"], serde_json::Value::Null);
        assert_eq!(scrubbed["referral"]["url"], serde_json::Value::Null);
        assert_eq!(scrubbed["entries"][0]["reason"], serde_json::Value::Null);
        assert_eq!(scrubbed["points"]["approved"], 5);
        assert_eq!(scrubbed["id"], "c1");
        assert!(!without_personal_data(body).contains("Anna"));
        assert_eq!(without_personal_data("not json Anna"), "{}");
    }

    #[test]
    fn limits_are_one_to_a_hundred() {
        assert_eq!(limit_of(None).expect("default"), 25);
        assert_eq!(limit_of(Some(100)).expect("100"), 100);
        assert!(limit_of(Some(0)).is_err());
        assert!(limit_of(Some(101)).is_err());
    }
}
