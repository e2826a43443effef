//! The record of every order seen, member or not (`sales`, migration 0010):
//! what the console's figures read. Writes only; the figures' aggregates are
//! in [`super::analytics`].

use super::{on, Db, StoreError};
use sqlx::FromRow;

type Result<T> = std::result::Result<T, StoreError>;

/// One sale as the table holds it.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct SaleRow {
    /// The shop's order id.
    pub id: String,
    /// Whose: a member's customer id, or a non-member's key.
    pub customer_key: String,
    /// 1 for a member's order, 0 otherwise.
    pub member: i64,
    /// The order's total, minor units.
    pub total_minor: i64,
    /// Money refunded so far, minor units.
    pub refunded_minor: i64,
    /// When it was placed, `YYYY-MM-DDTHH:MM:SSZ`.
    pub placed_at: String,
    /// `live` or `import`.
    pub source: String,
}

/// A sale by its order id.
pub async fn sale(db: &mut Db<'_>, id: &str) -> Result<Option<SaleRow>> {
    Ok(on!(db, c => sqlx::query_as(
        "SELECT id, customer_key, member, total_minor, refunded_minor, placed_at, source
         FROM sales WHERE id = $1")
        .bind(id).fetch_optional(&mut **c).await)?)
}

/// Records sales not recorded yet (by id); answers how many were new.
pub async fn insert_sales(db: &mut Db<'_>, sales: &[SaleRow]) -> Result<u64> {
    if sales.is_empty() {
        return Ok(0);
    }
    let mut added = 0;
    // 7 binds a row, well within both databases' limits.
    for chunk in sales.chunks(500) {
        added += on!(db, c => {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO sales (id, customer_key, member, total_minor, refunded_minor,
                                    placed_at, source) ");
            insert.push_values(chunk, |mut row, sale| {
                row.push_bind(&sale.id).push_bind(&sale.customer_key).push_bind(sale.member)
                    .push_bind(sale.total_minor).push_bind(sale.refunded_minor)
                    .push_bind(&sale.placed_at).push_bind(&sale.source);
            });
            insert.push(" ON CONFLICT (id) DO NOTHING");
            insert.build().execute(&mut **c).await.map(|done| done.rows_affected())
        })?;
    }
    Ok(added)
}

/// Which of these order ids are recorded as sales.
pub async fn existing_sales(db: &mut Db<'_>, ids: &[String]) -> Result<Vec<String>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(500) {
        let mut some: Vec<String> = on!(db, c => {
            let mut select = sqlx::QueryBuilder::new("SELECT id FROM sales WHERE id IN (");
            let mut list = select.separated(", ");
            for id in chunk {
                list.push_bind(id);
            }
            select.push(")");
            select.build_query_scalar().fetch_all(&mut **c).await
        })?;
        found.append(&mut some);
    }
    Ok(found)
}

/// Adds to a sale's refunded money, never above its total.
pub async fn add_sale_refunded(db: &mut Db<'_>, id: &str, amount_minor: i64) -> Result<()> {
    on!(db, c => sqlx::query(
        "UPDATE sales SET refunded_minor = CASE
           WHEN refunded_minor + $2 > total_minor THEN total_minor
           ELSE refunded_minor + $2 END
         WHERE id = $1")
        .bind(id).bind(amount_minor).execute(&mut **c).await.map(drop))?;
    Ok(())
}

/// A non-member's recorded refund: its sale and amount.
pub async fn sale_refund(db: &mut Db<'_>, id: &str) -> Result<Option<(String, i64)>> {
    Ok(on!(db, c => sqlx::query_as(
        "SELECT sale_id, amount_minor FROM sale_refunds WHERE id = $1")
        .bind(id).fetch_optional(&mut **c).await)?)
}

/// Records a non-member's refund.
pub async fn insert_sale_refund(
    db: &mut Db<'_>,
    id: &str,
    sale_id: &str,
    amount_minor: i64,
) -> Result<()> {
    on!(db, c => sqlx::query(
        "INSERT INTO sale_refunds (id, sale_id, amount_minor) VALUES ($1, $2, $3)")
        .bind(id).bind(sale_id).bind(amount_minor).execute(&mut **c).await.map(drop))?;
    Ok(())
}
