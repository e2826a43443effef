//! Batched inserts for a generated shop (`loyalty-endpoint generate`):
//! customers, ledger entries (with their ids chosen by the generator, so
//! that orders and redemptions point at them), orders and redemptions, many
//! rows a statement.

use super::{on, Db, StoreError};

type Result<T> = std::result::Result<T, StoreError>;

/// Rows a statement (13 binds a ledger row: well within both databases'
/// limits on binds).
const ROWS: usize = 2000;

/// A generated member.
#[derive(Debug, Clone)]
pub struct GenCustomer {
    /// Customer id.
    pub id: String,
    /// First name.
    pub first_name: String,
    /// E-mail (lower case).
    pub email: String,
    /// Their referral code (unique).
    pub referral_code: String,
    /// Who referred them.
    pub referred_by: Option<String>,
    /// `YYYY-MM-DD`.
    pub created_on: String,
}

/// A generated ledger entry.
#[derive(Debug, Clone)]
pub struct GenEntry {
    /// Its id.
    pub id: i64,
    /// The customer.
    pub customer_id: String,
    /// Kind name.
    pub kind: &'static str,
    /// Signed points.
    pub points: i64,
    /// `YYYY-MM-DD`.
    pub booked_on: String,
    /// `YYYY-MM-DD`.
    pub available_on: String,
    /// `YYYY-MM-DD`, positive entries.
    pub expires_on: Option<String>,
    /// The lot an expiry or refund is of.
    pub lot: Option<i64>,
    /// Money (orders, refunds).
    pub amount_minor: i64,
    /// The order.
    pub order_id: Option<String>,
    /// Label (both languages).
    pub label: String,
    /// A redemption's code.
    pub code: Option<String>,
}

/// A generated member order.
#[derive(Debug, Clone)]
pub struct GenOrder {
    /// Order id.
    pub id: String,
    /// The customer.
    pub customer_id: String,
    /// Total, minor units.
    pub total_minor: i64,
    /// Points earned.
    pub points: i64,
    /// Its ledger entry.
    pub entry_id: i64,
    /// `YYYY-MM-DD`.
    pub available_on: String,
    /// `YYYY-MM-DD`.
    pub paid_on: String,
    /// Refunded, minor units.
    pub refunded_minor: i64,
}

/// A generated redemption.
#[derive(Debug, Clone)]
pub struct GenRedemption {
    /// Its id.
    pub id: String,
    /// The customer.
    pub customer_id: String,
    /// The reward.
    pub reward_id: String,
    /// Points spent.
    pub points_spent: i64,
    /// The code (unique).
    pub code: String,
    /// `YYYY-MM-DD`.
    pub expires_at: String,
    /// `YYYY-MM-DD`.
    pub created_at: String,
    /// `active`, `used` or `expired`.
    pub state: &'static str,
    /// Its ledger entry.
    pub entry_id: i64,
}

/// The next free ledger id.
pub async fn next_entry_id(db: &mut Db<'_>) -> Result<i64> {
    Ok(on!(db, c => sqlx::query_scalar(
        "SELECT CAST(COALESCE(MAX(id), 0) + 1 AS BIGINT) FROM ledger")
        .fetch_one(&mut **c).await)?)
}

/// After ids were chosen: PostgreSQL's sequence moves past them.
pub async fn settle_entry_ids(db: &mut Db<'_>) -> Result<()> {
    if let Db::Postgres(c) = db {
        sqlx::query(
            "SELECT setval(pg_get_serial_sequence('ledger', 'id'),
                           (SELECT COALESCE(MAX(id), 1) FROM ledger))",
        )
        .execute(&mut **c)
        .await?;
    }
    Ok(())
}

/// Inserts members.
pub async fn insert_customers(db: &mut Db<'_>, rows: &[GenCustomer]) -> Result<()> {
    for chunk in rows.chunks(ROWS) {
        on!(db, c => {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO customers (id, first_name, email, state, referral_code, referred_by,
                                        created_on) ");
            insert.push_values(chunk, |mut row, new| {
                row.push_bind(&new.id).push_bind(&new.first_name).push_bind(&new.email)
                    .push_bind("member").push_bind(&new.referral_code)
                    .push_bind(&new.referred_by).push_bind(&new.created_on);
            });
            insert.build().execute(&mut **c).await.map(drop)
        })?;
    }
    Ok(())
}

/// Inserts ledger entries (ids given).
pub async fn insert_entries(db: &mut Db<'_>, rows: &[GenEntry]) -> Result<()> {
    for chunk in rows.chunks(ROWS) {
        on!(db, c => {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO ledger (id, customer_id, kind, points, booked_on, available_on,
                                     expires_on, lot, amount_minor, order_id, reason, label_en,
                                     label_de, code) ");
            insert.push_values(chunk, |mut row, e| {
                row.push_bind(e.id).push_bind(&e.customer_id).push_bind(e.kind)
                    .push_bind(e.points).push_bind(&e.booked_on).push_bind(&e.available_on)
                    .push_bind(&e.expires_on).push_bind(e.lot).push_bind(e.amount_minor)
                    .push_bind(&e.order_id).push_bind("generated").push_bind(&e.label)
                    .push_bind(&e.label).push_bind(&e.code);
            });
            insert.build().execute(&mut **c).await.map(drop)
        })?;
    }
    Ok(())
}

/// Inserts member orders.
pub async fn insert_orders(db: &mut Db<'_>, rows: &[GenOrder]) -> Result<()> {
    for chunk in rows.chunks(ROWS) {
        on!(db, c => {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO orders (id, customer_id, total_minor, points, entry_id, available_on,
                                     number, paid_on, refunded_minor) ");
            insert.push_values(chunk, |mut row, o| {
                row.push_bind(&o.id).push_bind(&o.customer_id).push_bind(o.total_minor)
                    .push_bind(o.points).push_bind(o.entry_id).push_bind(&o.available_on)
                    .push_bind(format!("#{}", o.id)).push_bind(&o.paid_on)
                    .push_bind(o.refunded_minor);
            });
            insert.build().execute(&mut **c).await.map(drop)
        })?;
    }
    Ok(())
}

/// Inserts redemptions.
pub async fn insert_redemptions(db: &mut Db<'_>, rows: &[GenRedemption]) -> Result<()> {
    for chunk in rows.chunks(ROWS) {
        on!(db, c => {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO redemptions (id, customer_id, reward_id, points_spent, code,
                                          expires_at, created_at, state, entry_id) ");
            insert.push_values(chunk, |mut row, r| {
                row.push_bind(&r.id).push_bind(&r.customer_id).push_bind(&r.reward_id)
                    .push_bind(r.points_spent).push_bind(&r.code).push_bind(&r.expires_at)
                    .push_bind(&r.created_at).push_bind(r.state).push_bind(r.entry_id);
            });
            insert.build().execute(&mut **c).await.map(drop)
        })?;
    }
    Ok(())
}
