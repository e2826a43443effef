//! The console's queries (issue #30): customers listed and searched a page
//! at a time, one customer's orders, erasing a customer's personal data,
//! and the admin audit log (`admin_events`).

use super::{on, Db, StoreError};
use sqlx::FromRow;

type Result<T> = std::result::Result<T, StoreError>;

/// A customer as the console lists them (points come from the ledger).
#[derive(Debug, Clone, FromRow)]
pub struct ListedRow {
    /// The shop's customer id.
    pub id: String,
    /// First name (none once erased).
    pub first_name: Option<String>,
    /// E-mail address (none once erased).
    pub email: Option<String>,
    /// `member`, `erased`, ...
    pub state: String,
    /// The day they joined, `YYYY-MM-DD`.
    pub created_on: String,
    /// The day of their last paid order, `YYYY-MM-DD`.
    pub last_order_at: Option<String>,
}

/// What the console shows of one customer beyond the list's row.
#[derive(Debug, Clone, FromRow)]
pub struct DetailRow {
    /// The shop's customer id.
    pub id: String,
    /// First name.
    pub first_name: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// `member`, `erased`, ...
    pub state: String,
    /// The day they joined.
    pub created_on: String,
    /// The day of their last paid order.
    pub last_order_at: Option<String>,
    /// Birthday, `MM-DD`.
    pub birthday: Option<String>,
    /// Their own referral code.
    pub referral_code: Option<String>,
    /// Who referred them.
    pub referred_by: Option<String>,
    /// 1 when in the club.
    pub club_member: i64,
    /// The day they joined the club.
    pub club_joined_at: Option<String>,
    /// When their personal data was erased (RFC 3339).
    pub erased_at: Option<String>,
}

/// One of a customer's orders.
#[derive(Debug, Clone, FromRow)]
pub struct OrderLineRow {
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
    /// When it was placed (RFC 3339 UTC).
    pub placed_at: String,
}

/// One admin audit event.
#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    /// When (RFC 3339).
    pub at: String,
    /// `sign_in`, `sign_in_failed`, `sign_out`, `export`, `erase`, `adjust`.
    pub action: String,
    /// The customer it is about, if any.
    pub customer_id: Option<String>,
    /// `key` or `session`.
    pub actor: String,
    /// A JSON object with what else is known.
    pub detail: String,
}

const LISTED: &str = "SELECT c.id, c.first_name, c.email, c.state, c.created_on,
        (SELECT MAX(s.placed_at) FROM sales s WHERE s.customer_key = c.id AND s.member = 1) AS last_order_at
     FROM customers c";

/// `text` for a `LIKE` pattern: its `%`, `_` and `\` taken as themselves.
fn like_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Customers whose id is `query` or starts with it, whose e-mail address
/// holds it or whose first name starts with it (both in any case; every
/// customer without a query), ids below `before` when given, highest id
/// first, at most `limit`.
pub async fn search(
    db: &mut Db<'_>,
    query: Option<&str>,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<ListedRow>> {
    let (matching, wanted) = match query {
        Some(query) => {
            let escaped = like_escaped(query);
            let lower = like_escaped(&query.to_lowercase());
            (
                " AND (c.id LIKE $2 ESCAPE '\\' OR lower(c.email) LIKE $3 ESCAPE '\\'
                   OR lower(c.first_name) LIKE $4 ESCAPE '\\')",
                Some((
                    format!("{escaped}%"),
                    format!("%{lower}%"),
                    format!("{lower}%"),
                )),
            )
        }
        None => ("", None),
    };
    let sql = format!(
        "{LISTED} WHERE ($1 IS NULL OR c.id < $1) AND c.state <> 'preview'{matching}
         ORDER BY c.id DESC LIMIT {limit}",
        limit = limit.clamp(1, 1000)
    );
    Ok(on!(db, c => {
        let mut select = sqlx::query_as(&sql).bind(before);
        if let Some((id, email, name)) = &wanted {
            select = select.bind(id).bind(email).bind(name);
        }
        select.fetch_all(&mut **c).await
    })?)
}

/// One customer, for the console.
pub async fn detail(db: &mut Db<'_>, id: &str) -> Result<Option<DetailRow>> {
    Ok(on!(db, c => sqlx::query_as(
        "SELECT c.id, c.first_name, c.email, c.state, c.created_on,
                (SELECT MAX(s.placed_at) FROM sales s WHERE s.customer_key = c.id AND s.member = 1) AS last_order_at,
                c.birthday, c.referral_code, c.referred_by, c.club_member, c.club_joined_at,
                c.erased_at
         FROM customers c WHERE c.id = $1")
        .bind(id).fetch_optional(&mut **c).await)?)
}

/// A customer's orders (the ones that earned points and the history
/// imported without), newest first, at most `limit`.
pub async fn orders(db: &mut Db<'_>, customer_id: &str, limit: i64) -> Result<Vec<OrderLineRow>> {
    Ok(on!(db, c => sqlx::query_as(
        "SELECT s.id, COALESCE(o.number, s.id) AS number, s.total_minor, s.refunded_minor,
                COALESCE(o.points, 0) AS points, s.placed_at
         FROM sales s LEFT JOIN orders o ON o.id = s.id
         WHERE s.customer_key = $1 AND s.member = 1
         ORDER BY s.placed_at DESC, s.id DESC LIMIT $2")
        .bind(customer_id).bind(limit).fetch_all(&mut **c).await)?)
}

/// Removes a customer's personal data (first name, e-mail address,
/// birthday, referral code and the codes brought over for them, the club
/// consent's time) and marks them `erased` at `at`. Their ledger, orders
/// and redemptions stay.
pub async fn erase(db: &mut Db<'_>, id: &str, at: &str) -> Result<()> {
    on!(db, c => sqlx::query(
        "UPDATE customers SET first_name = NULL, email = NULL, birthday = NULL,
                referral_code = NULL, club_consent_at = NULL, state = 'erased', erased_at = $2
         WHERE id = $1")
        .bind(id).bind(at).execute(&mut **c).await.map(drop))?;
    on!(db, c => sqlx::query("DELETE FROM referral_aliases WHERE customer_id = $1")
        .bind(id).execute(&mut **c).await.map(drop))?;
    // The one change the ledger's update trigger lets through (migration
    // 0015): free text replaced, amounts and days kept.
    on!(db, c => sqlx::query(
        "UPDATE ledger SET reason = $2, label_en = $2, label_de = $2
         WHERE customer_id = $1 AND kind = 'adjustment' AND reason <> $2")
        .bind(id).bind(ERASED_TEXT).execute(&mut **c).await.map(drop))?;
    Ok(())
}

/// What an erased customer's adjustment reasons read (the only text the
/// ledger lets replace an entry's; migration 0015).
pub const ERASED_TEXT: &str = "(erased)";

/// The answers stored under the idempotency keys of `owners` (a customer's
/// own and the admin API's about them): (owner, key, body).
pub async fn stored_answers(
    db: &mut Db<'_>,
    owners: &[String],
) -> Result<Vec<(String, String, String)>> {
    let mut all = Vec::new();
    for owner in owners {
        let rows: Vec<(String, String, String)> = on!(db, c => sqlx::query_as(
            "SELECT customer_id, key, body FROM idempotency WHERE customer_id = $1")
            .bind(owner).fetch_all(&mut **c).await)?;
        all.extend(rows);
    }
    Ok(all)
}

/// Replaces the body of a stored answer, its status and request kept.
pub async fn set_stored_body(db: &mut Db<'_>, owner: &str, key: &str, body: &str) -> Result<()> {
    on!(db, c => sqlx::query(
        "UPDATE idempotency SET body = $3 WHERE customer_id = $1 AND key = $2")
        .bind(owner).bind(key).bind(body).execute(&mut **c).await.map(drop))?;
    Ok(())
}

/// Records an audit event.
pub async fn record(db: &mut Db<'_>, event: &EventRow) -> Result<()> {
    on!(db, c => sqlx::query(
        "INSERT INTO admin_events (at, action, customer_id, actor, detail)
         VALUES ($1, $2, $3, $4, $5)")
        .bind(&event.at).bind(&event.action).bind(&event.customer_id).bind(&event.actor)
        .bind(&event.detail).execute(&mut **c).await.map(drop))?;
    Ok(())
}

/// Audit events, newest first, at most `limit`: about one customer when
/// given, else all.
pub async fn events(
    db: &mut Db<'_>,
    customer_id: Option<&str>,
    limit: i64,
) -> Result<Vec<EventRow>> {
    Ok(on!(db, c => sqlx::query_as(
        "SELECT at, action, customer_id, actor, detail FROM admin_events
         WHERE ($1 IS NULL OR customer_id = $1) ORDER BY id DESC LIMIT $2")
        .bind(customer_id).bind(limit).fetch_all(&mut **c).await)?)
}

/// Adds the console's sample customer (`id`, state `preview`, a club
/// member without points) unless it is there: the figures and the list
/// leave customers in that state out.
pub async fn ensure_preview(db: &mut Db<'_>, id: &str, created_on: &str) -> Result<()> {
    on!(db, c => sqlx::query(
        "INSERT INTO customers (id, first_name, state, friends_joined, club_member,
                                club_joined_at, created_on)
         VALUES ($1, NULL, 'preview', 0, 1, $2, $2) ON CONFLICT (id) DO NOTHING")
        .bind(id).bind(created_on).execute(&mut **c).await.map(drop))?;
    Ok(())
}
