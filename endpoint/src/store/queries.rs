//! Every query the endpoint runs, one function each, on either database
//! ([`Db`]). The text is the same for both where both read it the same.

use super::rows::*;
use super::{on, Db, StoreError};

type Result<T> = std::result::Result<T, StoreError>;

// --- the program's tables ---------------------------------------------------

/// A setting's value (empty when not set).
pub async fn setting(db: &mut Db<'_>, key: &str) -> Result<String> {
    let value: Option<String> = on!(db, c => sqlx::query_scalar(
        "SELECT value FROM settings WHERE key = $1")
        .bind(key).fetch_optional(&mut **c).await)?;
    Ok(value.unwrap_or_default())
}

/// Sets a setting.
pub async fn put_setting(db: &mut Db<'_>, key: &str, value: &str) -> Result<()> {
    on!(db, c => sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bind(key).bind(value).execute(&mut **c).await.map(drop))?;
    Ok(())
}

/// The latest installed program files, newest first, at most `limit`:
/// `(version, source, installed_at)`.
pub async fn program_versions(db: &mut Db<'_>, limit: i64) -> Result<Vec<(i64, String, String)>> {
    Ok(on!(db, c => sqlx::query_as(
        "SELECT id, source, installed_at FROM program_versions ORDER BY id DESC LIMIT $1")
        .bind(limit).fetch_all(&mut **c).await)?)
}

/// Records an installed program file's text.
pub async fn put_program_version(db: &mut Db<'_>, source: &str, installed_at: &str) -> Result<()> {
    on!(db, c => sqlx::query(
        "INSERT INTO program_versions (source, installed_at) VALUES ($1, $2)")
        .bind(source).bind(installed_at).execute(&mut **c).await.map(drop))?;
    Ok(())
}

/// Switches every reward off and clears the offers, tiers and earning
/// rules, before a program is installed (rewards stay: redemptions refer to
/// them).
pub async fn clear_program(db: &mut Db<'_>) -> Result<()> {
    for statement in [
        "UPDATE rewards SET active = 0, min_tier_id = NULL",
        "DELETE FROM offers",
        "DELETE FROM tiers",
        "DELETE FROM earning",
    ] {
        on!(db, c => sqlx::query(statement).execute(&mut **c).await.map(drop))?;
    }
    Ok(())
}

/// Adds a tier.
pub async fn put_tier(db: &mut Db<'_>, tier: &TierRow<'_>) -> Result<()> {
    on!(db, c => sqlx::query(
        "INSERT INTO tiers (id, threshold) VALUES ($1, $2)")
        .bind(tier.id).bind(tier.threshold).execute(&mut **c).await.map(drop))?;
    Ok(())
}

/// Adds an earning rule at `position`.
pub async fn put_earning(db: &mut Db<'_>, position: i64, rule: &EarningRow) -> Result<()> {
    on!(db, c => sqlx::query(
        "INSERT INTO earning (position, kind) VALUES ($1, $2)")
        .bind(position).bind(&rule.kind).execute(&mut **c).await.map(drop))?;
    Ok(())
}

/// Adds or updates a reward, switched on.
pub async fn put_reward(db: &mut Db<'_>, reward: &NewReward<'_>) -> Result<()> {
    on!(db, c => sqlx::query(
        "INSERT INTO rewards (id, position, kind, points_price, min_tier_id, active)
         VALUES ($1, $2, $3, $4, $5, 1)
         ON CONFLICT (id) DO UPDATE SET position = excluded.position, kind = excluded.kind,
           points_price = excluded.points_price, min_tier_id = excluded.min_tier_id, active = 1")
        .bind(reward.id).bind(reward.position).bind(reward.kind).bind(reward.points_price)
        .bind(reward.min_tier_id).execute(&mut **c).await.map(drop))?;
    Ok(())
}

/// Sets a program text (`owner` as in migration 0004) in `lang`.
pub async fn put_text(db: &mut Db<'_>, owner: &str, lang: &str, text: &str) -> Result<()> {
    on!(db, c => sqlx::query(
        "INSERT INTO texts (owner, lang, text) VALUES ($1, $2, $3)
         ON CONFLICT (owner, lang) DO UPDATE SET text = excluded.text")
        .bind(owner).bind(lang).bind(text).execute(&mut **c).await.map(drop))?;
    Ok(())
}

/// Forgets the texts of what a program installs afresh (everything but
/// rewards', which redemptions of switched-off rewards still show).
pub async fn clear_texts(db: &mut Db<'_>) -> Result<()> {
    on!(db, c => sqlx::query("DELETE FROM texts WHERE owner NOT LIKE 'reward.%'")
        .execute(&mut **c).await.map(drop))?;
    Ok(())
}

/// A program text in the first of `langs` it has.
pub async fn text(db: &mut Db<'_>, owner: &str, langs: &[String]) -> Result<Option<String>> {
    for lang in langs {
        let found: Option<String> = on!(db, c => sqlx::query_scalar(
            "SELECT text FROM texts WHERE owner = $1 AND lang = $2")
            .bind(owner).bind(lang).fetch_optional(&mut **c).await)?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

/// Keeps a reward's row but out of the catalog (a referred friend's gift:
/// its redemptions refer to it, nobody redeems it for points).
pub async fn hide_reward(db: &mut Db<'_>, id: &str) -> Result<()> {
    on!(db, c => sqlx::query("UPDATE rewards SET active = 0 WHERE id = $1")
        .bind(id).execute(&mut **c).await.map(drop))?;
    Ok(())
}

/// Adds an offer.
pub async fn put_offer(db: &mut Db<'_>, offer: &NewOffer<'_>) -> Result<()> {
    on!(db, c => sqlx::query(
        "INSERT INTO offers (id, position, min_tier_id, members_only, ends_at, code, cta_url)
         VALUES ($1, $2, $3, 1, $4, $5, $6)")
        .bind(offer.id).bind(offer.position).bind(offer.min_tier_id).bind(offer.ends_at)
        .bind(offer.code).bind(offer.cta_url).execute(&mut **c).await.map(drop))?;
    Ok(())
}

// --- customers ----------------------------------------------------------------

/// A customer's row.
pub async fn customer(db: &mut Db<'_>, id: &str) -> Result<Option<CustomerRow>> {
    Ok(on!(db, c => sqlx::query_as(
        "SELECT first_name, birthday, state, referral_code, referred_by, friends_joined,
                club_member, club_joined_at, tier_floor, tier_floor_until
         FROM customers WHERE id = $1")
        .bind(id).fetch_optional(&mut **c).await)?)
}

/// Whether the customer exists.
pub async fn customer_exists(db: &mut Db<'_>, id: &str) -> Result<bool> {
    let found: Option<i32> = on!(db, c => sqlx::query_scalar(
        "SELECT 1 FROM customers WHERE id = $1")
        .bind(id).fetch_optional(&mut **c).await)?;
    Ok(found.is_some())
}

/// Every customer's id, in order.
pub async fn customer_ids(db: &mut Db<'_>) -> Result<Vec<String>> {
    Ok(
        on!(db, c => sqlx::query_scalar("SELECT id FROM customers ORDER BY id")
        .fetch_all(&mut **c).await)?,
    )
}

/// A customer's e-mail address, if known.
pub async fn customer_email(db: &mut Db<'_>, id: &str) -> Result<Option<String>> {
    let row: Option<(Option<String>,)> = on!(db, c => sqlx::query_as(
        "SELECT email FROM customers WHERE id = $1")
        .bind(id).fetch_optional(&mut **c).await)?;
    Ok(row.and_then(|(email,)| email))
}

/// The customer with a referral code (matched without regard to case): their
/// id, the code as stored, their first name and e-mail address.
pub async fn by_referral_code(
    db: &mut Db<'_>,
    code: &str,
) -> Result<Option<(String, String, Option<String>, Option<String>)>> {
    Ok(on!(db, c => sqlx::query_as(
        "SELECT id, referral_code, first_name, email FROM customers
         WHERE lower(referral_code) = lower($1)
         UNION ALL
         SELECT c.id, c.referral_code, c.first_name, c.email
         FROM referral_aliases a JOIN customers c ON c.id = a.customer_id
         WHERE a.code = lower($1)
         LIMIT 1")
        .bind(code).fetch_optional(&mut **c).await)?)
}

/// Which of these customer ids exist (at most [`BATCH`]).
pub async fn existing_customers(db: &mut Db<'_>, ids: &[String]) -> Result<Vec<String>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(on!(db, c => {
        let mut select = sqlx::QueryBuilder::new("SELECT id FROM customers WHERE id IN (");
        let mut list = select.separated(", ");
        for id in ids {
            list.push_bind(id);
        }
        select.push(")");
        select.build_query_scalar().fetch_all(&mut **c).await
    })?)
}

/// The customers with these e-mail addresses (given trimmed, in lower case;
/// at most [`BATCH`]): (address, id), the lowest id first for an address
/// two customers share.
pub async fn customers_by_emails(
    db: &mut Db<'_>,
    emails: &[String],
) -> Result<Vec<(String, String)>> {
    if emails.is_empty() {
        return Ok(Vec::new());
    }
    Ok(on!(db, c => {
        let mut select = sqlx::QueryBuilder::new(
            "SELECT lower(trim(email)), id FROM customers WHERE lower(trim(email)) IN (");
        let mut list = select.separated(", ");
        for email in emails {
            list.push_bind(email);
        }
        select.push(") ORDER BY id");
        select.build_query_as().fetch_all(&mut **c).await
    })?)
}

/// Which of these referral codes (in lower case; at most [`BATCH`]) are a
/// customer's code or an alias already, in lower case.
pub async fn taken_referral_codes(db: &mut Db<'_>, codes: &[String]) -> Result<Vec<String>> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    Ok(on!(db, c => {
        let mut select = sqlx::QueryBuilder::new(
            "SELECT lower(referral_code) FROM customers WHERE lower(referral_code) IN (");
        let mut list = select.separated(", ");
        for code in codes {
            list.push_bind(code);
        }
        select.push(") UNION ALL SELECT code FROM referral_aliases WHERE code IN (");
        let mut list = select.separated(", ");
        for code in codes {
            list.push_bind(code);
        }
        select.push(")");
        select.build_query_scalar().fetch_all(&mut **c).await
    })?)
}

/// Removes customers an import made and then left without a row (every
/// row of theirs refused), [`BATCH`] to a statement: nothing else refers to
/// them yet.
pub async fn delete_customers(db: &mut Db<'_>, ids: &[String]) -> Result<()> {
    for chunk in ids.chunks(BATCH) {
        on!(db, c => {
            let mut delete = sqlx::QueryBuilder::new("DELETE FROM customers WHERE id IN (");
            let mut list = delete.separated(", ");
            for id in chunk {
                list.push_bind(id);
            }
            delete.push(")");
            delete.build().execute(&mut **c).await.map(drop)
        })?;
    }
    Ok(())
}

/// Adds many customers (members), [`BATCH`] to a statement.
pub async fn insert_customers(db: &mut Db<'_>, customers: &[NewCustomer<'_>]) -> Result<()> {
    for chunk in customers.chunks(BATCH) {
        on!(db, c => {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO customers (id, first_name, email, birthday, state, referral_code, \
                 referred_by, friends_joined, club_member, club_joined_at, created_on) ");
            insert.push_values(chunk, |mut row, new| {
                row.push_bind(new.id).push_bind(new.first_name).push_bind(new.email)
                    .push_bind(new.birthday).push_bind("member").push_bind(new.referral_code)
                    .push_bind(new.referred_by).push_bind(new.friends_joined)
                    .push_bind(i64::from(new.club_joined_at.is_some()))
                    .push_bind(new.club_joined_at).push_bind(new.created_on);
            });
            insert.build().execute(&mut **c).await.map(drop)
        })?;
    }
    Ok(())
}

/// Adds a customer (a member).
pub async fn insert_customer(db: &mut Db<'_>, new: &NewCustomer<'_>) -> Result<()> {
    on!(db, c => sqlx::query(
        "INSERT INTO customers (id, first_name, email, birthday, state, referral_code, referred_by,
                                friends_joined, club_member, club_joined_at, created_on)
         VALUES ($1, $2, $3, $4, 'member', $5, $6, $7, $8, $9, $10)")
        .bind(new.id).bind(new.first_name).bind(new.email).bind(new.birthday)
        .bind(new.referral_code).bind(new.referred_by).bind(new.friends_joined)
        .bind(i64::from(new.club_joined_at.is_some())).bind(new.club_joined_at)
        .bind(new.created_on).execute(&mut **c).await.map(drop))?;
    Ok(())
}

/// Changes the fields given (`None` keeps a field).
pub async fn update_customer(
    db: &mut Db<'_>,
    id: &str,
    first_name: Option<&str>,
    email: Option<&str>,
    birthday: Option<&str>,
) -> Result<()> {
    on!(db, c => sqlx::query(
        "UPDATE customers SET first_name = COALESCE($2, first_name),
                email = COALESCE($3, email), birthday = COALESCE($4, birthday)
         WHERE id = $1")
        .bind(id).bind(first_name).bind(email).bind(birthday).execute(&mut **c).await.map(drop))?;
    Ok(())
}

/// Counts one more friend who joined through the customer's code.
pub async fn count_friend(db: &mut Db<'_>, id: &str) -> Result<()> {
    on!(db, c => sqlx::query(
        "UPDATE customers SET friends_joined = friends_joined + 1 WHERE id = $1")
        .bind(id).execute(&mut **c).await.map(drop))?;
    Ok(())
}

/// Puts the customer in the club (a member) from `day`.
pub async fn join_club(db: &mut Db<'_>, id: &str, day: &str) -> Result<()> {
    on!(db, c => sqlx::query(
        "UPDATE customers SET club_member = 1, club_joined_at = $1, club_consent_at = $1,
                state = 'member'
         WHERE id = $2")
        .bind(day).bind(id).execute(&mut **c).await.map(drop))?;
    Ok(())
}

// --- the ledger ---------------------------------------------------------------

/// Appends an entry; returns its id.
pub async fn append(db: &mut Db<'_>, entry: &NewEntryRow<'_>) -> Result<i64> {
    Ok(on!(db, c => sqlx::query_scalar(
        "INSERT INTO ledger (customer_id, kind, points, booked_on, available_on, expires_on, lot,
                             amount_minor, order_id, reason, label_en, label_de, code)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         RETURNING id")
        .bind(entry.customer_id).bind(entry.kind).bind(entry.points).bind(&entry.booked_on)
        .bind(&entry.available_on).bind(&entry.expires_on).bind(entry.lot)
        .bind(entry.amount_minor).bind(entry.order_id).bind(entry.reason)
        .bind(entry.label_en).bind(entry.label_de).bind(entry.code)
        .fetch_one(&mut **c).await)?)
}

/// Rows a statement of many rows writes or reads at once: within SQLite's
/// 32,766 and PostgreSQL's 65,535 bound values at 13 a row.
pub const BATCH: usize = 500;

/// Appends many entries, [`BATCH`] to a statement (their ids are not
/// needed: the importer folds each customer's ledger afterwards).
pub async fn append_many(db: &mut Db<'_>, entries: &[NewEntryRow<'_>]) -> Result<()> {
    for chunk in entries.chunks(BATCH) {
        on!(db, c => {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO ledger (customer_id, kind, points, booked_on, available_on, expires_on, \
                 lot, amount_minor, order_id, reason, label_en, label_de, code) ");
            insert.push_values(chunk, |mut row, entry| {
                row.push_bind(entry.customer_id).push_bind(entry.kind).push_bind(entry.points)
                    .push_bind(&entry.booked_on).push_bind(&entry.available_on)
                    .push_bind(&entry.expires_on).push_bind(entry.lot).push_bind(entry.amount_minor)
                    .push_bind(entry.order_id).push_bind(entry.reason).push_bind(entry.label_en)
                    .push_bind(entry.label_de).push_bind(entry.code);
            });
            insert.build().execute(&mut **c).await.map(drop)
        })?;
    }
    Ok(())
}

/// The whole ledgers of these customers (at most [`BATCH`]), by customer
/// and then in order.
pub async fn ledgers_of(db: &mut Db<'_>, customer_ids: &[String]) -> Result<Vec<CustomerEntryRow>> {
    Ok(on!(db, c => {
        let mut select = sqlx::QueryBuilder::new(
            "SELECT customer_id, id, kind, points, booked_on, available_on, expires_on, lot, \
             amount_minor FROM ledger WHERE customer_id IN (");
        let mut ids = select.separated(", ");
        for id in customer_ids {
            ids.push_bind(id);
        }
        select.push(") ORDER BY customer_id, id");
        select.build_query_as().fetch_all(&mut **c).await
    })?)
}

/// Stores many customers' snapshots: (customer, last entry id, snapshot).
pub async fn put_snapshots(db: &mut Db<'_>, snapshots: &[(String, i64, String)]) -> Result<()> {
    for chunk in snapshots.chunks(BATCH) {
        on!(db, c => {
            let mut upsert =
                sqlx::QueryBuilder::new("INSERT INTO balances (customer_id, last_id, snapshot) ");
            upsert.push_values(chunk, |mut row, (id, last_id, snapshot)| {
                row.push_bind(id).push_bind(last_id).push_bind(snapshot);
            });
            upsert.push(
                " ON CONFLICT (customer_id) DO UPDATE SET last_id = excluded.last_id, \
                 snapshot = excluded.snapshot");
            upsert.build().execute(&mut **c).await.map(drop)
        })?;
    }
    Ok(())
}

/// A page of the customer's history, newest first.
pub async fn activity(
    db: &mut Db<'_>,
    customer_id: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<ActivityRow>> {
    Ok(on!(db, c => sqlx::query_as(
        "SELECT l.id, l.kind, l.label_en, l.label_de, l.points, l.available_on, l.booked_on,
                l.code, l.reason, o.number AS order_number, o.customer_id AS order_customer,
                f.first_name AS order_first_name, COALESCE(r.reward_id, g.reward_id) AS reward_id,
                r.state AS redemption_state
         FROM ledger l
         LEFT JOIN orders o ON o.id = l.order_id
         LEFT JOIN customers f ON f.id = o.customer_id
         LEFT JOIN redemptions r ON r.code = l.code
         LEFT JOIN redemptions g ON g.release_entry = l.id
         WHERE l.customer_id = $1 ORDER BY l.booked_on DESC, l.id DESC LIMIT $2 OFFSET $3")
        .bind(customer_id).bind(limit).bind(offset).fetch_all(&mut **c).await)?)
}

/// The customer's newest ledger entries, for the admin API.
pub async fn ledger_lines(
    db: &mut Db<'_>,
    customer_id: &str,
    limit: i64,
) -> Result<Vec<LedgerLineRow>> {
    Ok(on!(db, c => sqlx::query_as(
        "SELECT id, kind, points, booked_on, available_on, expires_on, order_id, reason, code
         FROM ledger WHERE customer_id = $1 ORDER BY id DESC LIMIT $2")
        .bind(customer_id).bind(limit).fetch_all(&mut **c).await)?)
}

/// Whether the customer has an entry of `kind`.
pub async fn has_entry(db: &mut Db<'_>, customer_id: &str, kind: &str) -> Result<bool> {
    has_entry_since(db, customer_id, kind, "").await
}

/// The referral entry booked for an order, if any.
pub async fn referral_entry(db: &mut Db<'_>, order_id: &str) -> Result<Option<ReferralEntryRow>> {
    Ok(on!(db, c => sqlx::query_as(
        "SELECT id, customer_id, points, available_on FROM ledger
         WHERE order_id = $1 AND kind = 'referral'")
        .bind(order_id).fetch_optional(&mut **c).await)?)
}

/// A customer's entries after `after_id` (all of them after 0), oldest
/// first.
pub async fn entries_after(
    db: &mut Db<'_>,
    customer_id: &str,
    after_id: i64,
) -> Result<Vec<EntryRow>> {
    Ok(on!(db, c => sqlx::query_as(
        "SELECT id, kind, points, booked_on, available_on, expires_on, lot, amount_minor
         FROM ledger WHERE customer_id = $1 AND id > $2 ORDER BY id")
        .bind(customer_id).bind(after_id).fetch_all(&mut **c).await)?)
}

/// Whether the customer has an entry of `kind` booked on or after `since`
/// (`YYYY-MM-DD`).
pub async fn has_entry_since(
    db: &mut Db<'_>,
    customer_id: &str,
    kind: &str,
    since: &str,
) -> Result<bool> {
    let found: Option<i32> = on!(db, c => sqlx::query_scalar(
        "SELECT 1 FROM ledger WHERE customer_id = $1 AND kind = $2 AND booked_on >= $3 LIMIT 1")
        .bind(customer_id).bind(kind).bind(since).fetch_optional(&mut **c).await)?;
    Ok(found.is_some())
}

/// Money of the customer's orders less refunds booked after `since`
/// (`YYYY-MM-DD`), minor units.
pub async fn spend_since(db: &mut Db<'_>, customer_id: &str, since: &str) -> Result<i64> {
    Ok(on!(db, c => sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) FROM ledger
         WHERE customer_id = $1 AND kind IN ('order', 'refund') AND booked_on > $2")
        .bind(customer_id).bind(since).fetch_one(&mut **c).await)?)
}

/// The customer's row, stored snapshot and newest entry's id, in one query.
pub async fn account(db: &mut Db<'_>, id: &str) -> Result<Option<AccountRow>> {
    Ok(on!(db, c => sqlx::query_as(
        "SELECT c.first_name, c.birthday, c.state, c.referral_code, c.referred_by,
                c.friends_joined, c.club_member, c.club_joined_at, c.tier_floor,
                c.tier_floor_until, b.snapshot,
                (SELECT MAX(l.id) FROM ledger l WHERE l.customer_id = c.id) AS max_id
         FROM customers c LEFT JOIN balances b ON b.customer_id = c.id WHERE c.id = $1")
        .bind(id).fetch_optional(&mut **c).await)?)
}

/// The customer's stored snapshot and newest entry's id.
pub async fn snapshot(db: &mut Db<'_>, customer_id: &str) -> Result<SnapshotRow> {
    snapshot_before(db, customer_id, i64::MAX).await
}

/// The customer's stored snapshot and their newest entry's id before
/// `before_id` (the entry just appended).
pub async fn snapshot_before(
    db: &mut Db<'_>,
    customer_id: &str,
    before_id: i64,
) -> Result<SnapshotRow> {
    Ok(on!(db, c => sqlx::query_as(
        "SELECT (SELECT snapshot FROM balances WHERE customer_id = $1) AS snapshot,
                (SELECT MAX(id) FROM ledger WHERE customer_id = $1 AND id < $2) AS max_id")
        .bind(customer_id).bind(before_id).fetch_one(&mut **c).await)?)
}

/// Stores the customer's snapshot.
pub async fn put_snapshot(
    db: &mut Db<'_>,
    customer_id: &str,
    last_id: i64,
    snapshot: &str,
) -> Result<()> {
    on!(db, c => sqlx::query(
        "INSERT INTO balances (customer_id, last_id, snapshot) VALUES ($1, $2, $3)
         ON CONFLICT (customer_id) DO UPDATE SET last_id = excluded.last_id,
                                                 snapshot = excluded.snapshot")
        .bind(customer_id).bind(last_id).bind(snapshot).execute(&mut **c).await.map(drop))?;
    Ok(())
}

// --- orders and refunds ---------------------------------------------------------

/// A recorded order.
pub async fn order(db: &mut Db<'_>, id: &str) -> Result<Option<OrderRow>> {
    Ok(on!(db, c => sqlx::query_as(
        "SELECT customer_id, total_minor, points, entry_id, available_on, refunded_minor, number,
                referrer_id, referral_points
         FROM orders WHERE id = $1")
        .bind(id).fetch_optional(&mut **c).await)?)
}

/// Whether the customer has any order.
pub async fn has_order(db: &mut Db<'_>, customer_id: &str) -> Result<bool> {
    let found: Option<i32> = on!(db, c => sqlx::query_scalar(
        "SELECT 1 FROM orders WHERE customer_id = $1 LIMIT 1")
        .bind(customer_id).fetch_optional(&mut **c).await)?;
    Ok(found.is_some())
}

/// Records an order.
pub async fn insert_order(db: &mut Db<'_>, order: &NewOrder<'_>) -> Result<()> {
    on!(db, c => sqlx::query(
        "INSERT INTO orders (id, customer_id, total_minor, points, entry_id, available_on,
                             paid_on, referrer_id, referral_points, number)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(order.id).bind(order.customer_id).bind(order.total_minor).bind(order.points)
        .bind(order.entry_id).bind(&order.available_on).bind(&order.paid_on)
        .bind(order.referrer_id).bind(order.referral_points).bind(order.number)
        .execute(&mut **c).await.map(drop))?;
    Ok(())
}

/// Adds to the money refunded on an order.
pub async fn add_refunded(db: &mut Db<'_>, order_id: &str, amount_minor: i64) -> Result<()> {
    on!(db, c => sqlx::query(
        "UPDATE orders SET refunded_minor = refunded_minor + $2 WHERE id = $1")
        .bind(order_id).bind(amount_minor).execute(&mut **c).await.map(drop))?;
    Ok(())
}

/// A recorded refund.
pub async fn refund(db: &mut Db<'_>, id: &str) -> Result<Option<RefundRow>> {
    Ok(on!(db, c => sqlx::query_as(
        "SELECT order_id, amount_minor, points FROM refunds WHERE id = $1")
        .bind(id).fetch_optional(&mut **c).await)?)
}

/// Records a refund.
pub async fn insert_refund(
    db: &mut Db<'_>,
    id: &str,
    order_id: &str,
    amount_minor: i64,
    points: i64,
) -> Result<()> {
    on!(db, c => sqlx::query(
        "INSERT INTO refunds (id, order_id, amount_minor, points) VALUES ($1, $2, $3, $4)")
        .bind(id).bind(order_id).bind(amount_minor).bind(points).execute(&mut **c).await.map(drop))?;
    Ok(())
}

// --- redemptions and idempotency ----------------------------------------------------

/// Records a redemption.
pub async fn insert_redemption(db: &mut Db<'_>, new: &NewRedemption<'_>) -> Result<()> {
    on!(db, c => sqlx::query(
        "INSERT INTO redemptions (id, customer_id, reward_id, points_spent, code, expires_at,
                                  created_at, state, idempotency_key, entry_id, platform, spec,
                                  touched_at, reserved_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)")
        .bind(new.id).bind(new.customer_id).bind(new.reward_id).bind(new.points_spent)
        .bind(new.code).bind(new.expires_at).bind(new.created_at).bind(new.state)
        .bind(new.idempotency_key).bind(new.entry_id).bind(new.platform).bind(new.spec)
        .bind(new.touched_at).bind(new.touched_at).execute(&mut **c).await.map(drop))?;
    Ok(())
}

const REDEMPTION: &str = "SELECT id, customer_id, reward_id, points_spent, code, expires_at,
    created_at, state, idempotency_key, entry_id, platform, reference, spec, used_order, attempts,
    last_error, touched_at, release_entry FROM redemptions";

/// One redemption.
pub async fn redemption(db: &mut Db<'_>, id: &str) -> Result<Option<RedemptionRow>> {
    let sql = format!("{REDEMPTION} WHERE id = $1");
    Ok(on!(db, c => sqlx::query_as(&sql).bind(id).fetch_optional(&mut **c).await)?)
}

/// The redemption of a code (codes are stored in capitals).
pub async fn redemption_by_code(db: &mut Db<'_>, code: &str) -> Result<Option<RedemptionRow>> {
    let sql = format!("{REDEMPTION} WHERE code = $1");
    Ok(on!(db, c => sqlx::query_as(&sql).bind(code).fetch_optional(&mut **c).await)?)
}

/// A customer's redemptions, newest first: `limit` from `offset`.
pub async fn customer_redemptions(
    db: &mut Db<'_>,
    customer_id: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<RedemptionRow>> {
    let sql = format!(
        "{REDEMPTION} WHERE customer_id = $1 ORDER BY entry_id DESC, id DESC LIMIT $2 OFFSET $3"
    );
    Ok(
        on!(db, c => sqlx::query_as(&sql).bind(customer_id).bind(limit).bind(offset)
        .fetch_all(&mut **c).await)?,
    )
}

/// Redemptions in `state` last touched before `before` (Unix seconds),
/// oldest first, at most `limit`.
pub async fn redemptions_in(
    db: &mut Db<'_>,
    state: &str,
    before: i64,
    limit: i64,
) -> Result<Vec<RedemptionRow>> {
    let sql = format!(
        "{REDEMPTION} WHERE state = $1 AND touched_at < $2 ORDER BY touched_at, id LIMIT $3"
    );
    Ok(
        on!(db, c => sqlx::query_as(&sql).bind(state).bind(before).bind(limit)
        .fetch_all(&mut **c).await)?,
    )
}

/// Active and used redemptions with a code on `platform`, last checked
/// before `before` (Unix seconds), whose last day is `day` or later:
/// oldest check first, at most `limit`.
pub async fn redemptions_to_follow(
    db: &mut Db<'_>,
    platform: &str,
    before: i64,
    day: &str,
    limit: i64,
) -> Result<Vec<RedemptionRow>> {
    let sql = format!(
        "{REDEMPTION} WHERE state IN ('active', 'used') AND platform = $1 AND reference IS NOT NULL
         AND touched_at < $2 AND expires_at >= $3 ORDER BY touched_at, id LIMIT $4"
    );
    Ok(
        on!(db, c => sqlx::query_as(&sql).bind(platform).bind(before).bind(day).bind(limit)
        .fetch_all(&mut **c).await)?,
    )
}

/// Redemptions waiting for the platform (`pending`): how many, and when
/// the oldest one's points were reserved (Unix seconds; `None` when none
/// waits). One pass over the pending rows (`redemptions_by_state`).
pub async fn waiting(db: &mut Db<'_>) -> Result<(i64, Option<i64>)> {
    Ok(on!(db, c => sqlx::query_as(
        "SELECT COUNT(*), MIN(COALESCE(reserved_at, touched_at)) FROM redemptions
         WHERE state = 'pending'")
        .fetch_one(&mut **c).await)?)
}

/// Records that a redemption was looked at now.
pub async fn touch_redemption(db: &mut Db<'_>, id: &str, now: i64) -> Result<()> {
    on!(db, c => sqlx::query("UPDATE redemptions SET touched_at = $2 WHERE id = $1")
        .bind(id).bind(now).execute(&mut **c).await.map(drop))?;
    Ok(())
}

/// Active redemptions whose code's last day is before `day` (`YYYY-MM-DD`).
pub async fn active_expired(db: &mut Db<'_>, day: &str, limit: i64) -> Result<Vec<RedemptionRow>> {
    let sql = format!(
        "{REDEMPTION} WHERE state = 'active' AND expires_at < $1 ORDER BY expires_at, id LIMIT $2"
    );
    Ok(on!(db, c => sqlx::query_as(&sql).bind(day).bind(limit).fetch_all(&mut **c).await)?)
}

/// Moves a redemption from state `from` to `to`, with what was learnt;
/// false when it was not in `from` (someone else moved it first).
pub async fn move_redemption(
    db: &mut Db<'_>,
    id: &str,
    from: &str,
    change: &RedemptionChange<'_>,
) -> Result<bool> {
    let done = on!(db, c => sqlx::query(
        "UPDATE redemptions SET state = $3, reference = COALESCE($4, reference),
                used_order = COALESCE($5, used_order), release_entry = COALESCE($6, release_entry),
                last_error = COALESCE($7, last_error), touched_at = $8
         WHERE id = $1 AND state = $2")
        .bind(id).bind(from).bind(change.to).bind(change.reference).bind(change.used_order)
        .bind(change.release_entry).bind(change.error).bind(change.touched_at)
        .execute(&mut **c).await.map(|done| done.rows_affected()))?;
    Ok(done == 1)
}

/// Counts a failed try on the platform.
pub async fn note_attempt(db: &mut Db<'_>, id: &str, error: &str, now: i64) -> Result<()> {
    on!(db, c => sqlx::query(
        "UPDATE redemptions SET attempts = attempts + 1, last_error = $2, touched_at = $3
         WHERE id = $1")
        .bind(id).bind(error).bind(now).execute(&mut **c).await.map(drop))?;
    Ok(())
}

/// Replaces the answer stored for a (customer, key): a pending redeem's
/// answer once its end is known.
pub async fn set_idempotency_answer(
    db: &mut Db<'_>,
    customer_id: &str,
    key: &str,
    status: i64,
    body: &str,
) -> Result<()> {
    on!(db, c => sqlx::query(
        "UPDATE idempotency SET status = $3, body = $4 WHERE customer_id = $1 AND key = $2")
        .bind(customer_id).bind(key).bind(status).bind(body).execute(&mut **c).await.map(drop))?;
    Ok(())
}

/// The answer stored for a (customer, key).
pub async fn idempotency(
    db: &mut Db<'_>,
    customer_id: &str,
    key: &str,
) -> Result<Option<IdempotencyRow>> {
    Ok(on!(db, c => sqlx::query_as(
        "SELECT request_hash, status, body FROM idempotency WHERE customer_id = $1 AND key = $2")
        .bind(customer_id).bind(key).fetch_optional(&mut **c).await)?)
}

/// Stores the answer for a (customer, key).
pub async fn put_idempotency(
    db: &mut Db<'_>,
    customer_id: &str,
    key: &str,
    row: &IdempotencyRow,
) -> Result<()> {
    on!(db, c => sqlx::query(
        "INSERT INTO idempotency (customer_id, key, request_hash, status, body)
         VALUES ($1, $2, $3, $4, $5)")
        .bind(customer_id).bind(key).bind(&row.request_hash).bind(row.status).bind(&row.body)
        .execute(&mut **c).await.map(drop))?;
    Ok(())
}

// --- counts -------------------------------------------------------------------------

/// What is counted by [`count`].
#[derive(Debug, Clone, Copy)]
pub enum Counted {
    /// Every customer.
    Customers,
    /// Club members.
    ClubMembers,
    /// Ledger entries.
    LedgerEntries,
    /// Redemptions.
    Redemptions,
}

/// Counts rows (tests, the benchmark, the demo seed, the sweep).
pub async fn count(db: &mut Db<'_>, what: Counted) -> Result<i64> {
    let sql = match what {
        Counted::Customers => "SELECT COUNT(*) FROM customers",
        Counted::ClubMembers => "SELECT COUNT(*) FROM customers WHERE club_member = 1",
        Counted::LedgerEntries => "SELECT COUNT(*) FROM ledger",
        Counted::Redemptions => "SELECT COUNT(*) FROM redemptions",
    };
    Ok(on!(db, c => sqlx::query_scalar(sql).fetch_one(&mut **c).await)?)
}

// --- imports from other loyalty apps -----------------------------------------

/// The customer whose e-mail address is `email` (already lower-cased and
/// trimmed), if any.
pub async fn customer_by_email(db: &mut Db<'_>, email: &str) -> Result<Option<String>> {
    Ok(on!(db, c => sqlx::query_scalar(
        "SELECT id FROM customers WHERE lower(trim(email)) = $1 ORDER BY id LIMIT 1")
        .bind(email).fetch_optional(&mut **c).await)?)
}

/// An import as recorded: (id, app, mode, created_at, rows, points, state).
pub type ImportRow = (String, String, String, String, i64, i64, String);

/// One import, if recorded.
pub async fn import(db: &mut Db<'_>, id: &str) -> Result<Option<ImportRow>> {
    Ok(on!(db, c => sqlx::query_as(
        "SELECT id, app, mode, created_at, rows, points, state FROM imports WHERE id = $1")
        .bind(id).fetch_optional(&mut **c).await)?)
}

/// Every import, newest first.
pub async fn imports(db: &mut Db<'_>) -> Result<Vec<ImportRow>> {
    Ok(on!(db, c => sqlx::query_as(
        "SELECT id, app, mode, created_at, rows, points, state FROM imports
         ORDER BY created_at DESC, id")
        .fetch_all(&mut **c).await)?)
}

/// Records an applied import.
pub async fn insert_import(db: &mut Db<'_>, row: &ImportRow) -> Result<()> {
    on!(db, c => sqlx::query(
        "INSERT INTO imports (id, app, mode, created_at, rows, points, state)
         VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(&row.0).bind(&row.1).bind(&row.2).bind(&row.3).bind(row.4).bind(row.5)
        .bind(&row.6).execute(&mut **c).await.map(drop))?;
    Ok(())
}

/// Keeps `tier` as the customer's floor until `until` (set by `import`).
pub async fn set_tier_floor(
    db: &mut Db<'_>,
    customer_id: &str,
    tier: &str,
    until: &str,
    import: &str,
) -> Result<()> {
    on!(db, c => sqlx::query(
        "UPDATE customers SET tier_floor = $2, tier_floor_until = $3, tier_floor_import = $4
         WHERE id = $1")
        .bind(customer_id).bind(tier).bind(until).bind(import)
        .execute(&mut **c).await.map(drop))?;
    Ok(())
}

/// Takes away the tier floors an import set; how many.
pub async fn clear_tier_floors(db: &mut Db<'_>, import: &str) -> Result<u64> {
    Ok(on!(db, c => sqlx::query(
        "UPDATE customers SET tier_floor = NULL, tier_floor_until = NULL,
                tier_floor_import = NULL
         WHERE tier_floor_import = $1")
        .bind(import).execute(&mut **c).await.map(|done| done.rows_affected()))?)
}

/// Makes `code` (lower case) another name of the customer's referral code.
pub async fn insert_referral_alias(
    db: &mut Db<'_>,
    code: &str,
    customer_id: &str,
    import: &str,
) -> Result<()> {
    on!(db, c => sqlx::query(
        "INSERT INTO referral_aliases (code, customer_id, import_id) VALUES ($1, $2, $3)")
        .bind(code).bind(customer_id).bind(import).execute(&mut **c).await.map(drop))?;
    Ok(())
}

/// Takes away the referral aliases an import made; how many.
pub async fn delete_referral_aliases(db: &mut Db<'_>, import: &str) -> Result<u64> {
    Ok(
        on!(db, c => sqlx::query("DELETE FROM referral_aliases WHERE import_id = $1")
        .bind(import).execute(&mut **c).await.map(|done| done.rows_affected()))?,
    )
}

/// Marks an import undone.
pub async fn undo_import(db: &mut Db<'_>, id: &str, day: &str) -> Result<()> {
    on!(db, c => sqlx::query(
        "UPDATE imports SET state = 'undone', undone_at = $2 WHERE id = $1")
        .bind(id).bind(day).execute(&mut **c).await.map(drop))?;
    Ok(())
}

/// The points the ledger entries with `reason` add up to, per customer.
pub async fn points_by_reason(db: &mut Db<'_>, reason: &str) -> Result<Vec<(String, i64)>> {
    Ok(on!(db, c => sqlx::query_as(
        "SELECT customer_id, CAST(SUM(points) AS BIGINT) FROM ledger WHERE reason = $1
         GROUP BY customer_id ORDER BY customer_id")
        .bind(reason).fetch_all(&mut **c).await)?)
}

/// Every customer for an export: id, e-mail, first name, referral code.
pub async fn export_customers(
    db: &mut Db<'_>,
) -> Result<Vec<(String, Option<String>, Option<String>, Option<String>)>> {
    Ok(on!(db, c => sqlx::query_as(
        "SELECT id, email, first_name, referral_code FROM customers ORDER BY id")
        .fetch_all(&mut **c).await)?)
}

/// Every old referral code kept as an alias, for an export: (customer id,
/// code), by customer.
pub async fn export_referral_aliases(db: &mut Db<'_>) -> Result<Vec<(String, String)>> {
    Ok(on!(db, c => sqlx::query_as(
        "SELECT customer_id, code FROM referral_aliases ORDER BY customer_id, code")
        .fetch_all(&mut **c).await)?)
}

/// The whole ledger for an export, oldest first: customer id, e-mail,
/// points, booked on, order id, kind.
pub async fn export_ledger(
    db: &mut Db<'_>,
) -> Result<Vec<(String, Option<String>, i64, String, Option<String>, String)>> {
    Ok(on!(db, c => sqlx::query_as(
        "SELECT l.customer_id, c.email, l.points, l.booked_on, l.order_id, l.kind
         FROM ledger l JOIN customers c ON c.id = l.customer_id ORDER BY l.id")
        .fetch_all(&mut **c).await)?)
}
