//! The console's figures as SQL aggregates (`GET /admin/v1/analytics`):
//! each function sums one part of a period over `sales`, `ledger`,
//! `customers` and `redemptions` (indexes in migrations 0010 and 0013)
//! and the per-member state kept by triggers (`member_state`, migration
//! 0014: who is a member on a day, their points, lifetime points, member
//! revenue, last order and usual gap), so that an answer reads sums, not
//! histories. [`history`] reads everything whole:
//! the input of the domain's reference computation, which the tests
//! compare with these sums.
//!
//! Days are day numbers (since 1970-01-01); a period is `from..=to`.
//! A sum over the ledger's entries after a day read on its own groups by
//! `customer_id || ''`, so that SQLite reads the day's range
//! (`ledger_by_booked`) instead of the whole ledger in customer order; not
//! one joined again (SQLite would then find no index to join it by).
//! `sales.placed_at` is `YYYY-MM-DDTHH:MM:SSZ`, so a day's orders are those
//! from its `YYYY-MM-DD` (inclusive) to the next day's (exclusive).

use super::{on, Db, StoreError};
use loyalty_core::date::{add_months, format_date, parse_date};
use serde::Serialize;
use std::collections::BTreeMap;

type Result<T> = std::result::Result<T, StoreError>;

/// A figure for everyone, members and non-members.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Split<T> {
    /// Every customer (each once).
    pub all: T,
    /// Members' orders.
    pub members: T,
    /// Non-members' orders.
    pub non_members: T,
}

impl<T: Copy> Split<T> {
    /// Each side of two splits combined.
    pub fn zip<U: Copy, V>(self, other: Split<U>, mut f: impl FnMut(T, U) -> V) -> Split<V> {
        Split {
            all: f(self.all, other.all),
            members: f(self.members, other.members),
            non_members: f(self.non_members, other.non_members),
        }
    }
}

impl Split<i64> {
    /// Adds `amount` to `all` and to the member's or non-member's side.
    pub fn add(&mut self, member: bool, amount: i64) {
        self.all += amount;
        if member {
            self.members += amount;
        } else {
            self.non_members += amount;
        }
    }
}

/// One order as the figures see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sale {
    /// Whose (a customer key).
    pub customer: String,
    /// A member's order.
    pub member: bool,
    /// Its total, minor units.
    pub total: i64,
    /// What was refunded of it, minor units.
    pub refunded: i64,
    /// The UTC day it was placed.
    pub day: i64,
    /// When it was placed, `YYYY-MM-DDTHH:MM:SSZ`.
    pub placed_at: String,
}

/// A member of the program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Their customer id.
    pub id: String,
    /// Their first name.
    pub first_name: Option<String>,
    /// The day they joined.
    pub joined: i64,
    /// The day they left (were erased), if they did: a member up to the
    /// day before.
    pub left: Option<i64>,
    /// Who referred them.
    pub referred_by: Option<String>,
}

/// One ledger entry as the figures see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The customer.
    pub customer: String,
    /// Why (`order`, `redemption`, ... as the ledger names it).
    pub kind: String,
    /// Signed points.
    pub points: i64,
    /// Money of an order or refund (minor units, signed).
    pub amount: i64,
    /// The day it was booked.
    pub day: i64,
}

/// One redemption as the figures see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redemption {
    /// The customer.
    pub customer: String,
    /// The reward.
    pub reward: String,
    /// Points it cost.
    pub points: i64,
    /// The day it was made.
    pub day: i64,
    /// Whether its code was made on the platform (active, used, expired).
    pub code_made: bool,
    /// Whether its code was used at a checkout.
    pub used: bool,
}

/// A whole shop's history: the reference input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    /// Every order.
    pub sales: Vec<Sale>,
    /// Every member.
    pub members: Vec<Member>,
    /// The whole ledger.
    pub entries: Vec<Entry>,
    /// Every redemption.
    pub redemptions: Vec<Redemption>,
}

/// The sums one period needs, as [`figures_inputs`]' aggregates or the
/// domain's reference (`domain::analytics::parts_of`) give them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parts {
    /// Members at the period's end.
    pub members: i64,
    /// Members who joined within it.
    pub new_members: i64,
    /// Members who ordered or redeemed within it.
    pub active_members: i64,
    /// Customers with an order in it.
    pub ordering: Split<i64>,
    /// Customers with two or more.
    pub repeating: Split<i64>,
    /// Orders placed in it.
    pub orders: Split<i64>,
    /// Their totals less refunds.
    pub revenue: Split<i64>,
    /// All revenue up to its end.
    pub revenue_to_end: Split<i64>,
    /// Customers who ever ordered, up to its end.
    pub customers_to_end: Split<i64>,
    /// Customers who ordered in it and in the period before.
    pub retained: i64,
    /// Customers with an order in the period before it (the retention's
    /// start).
    pub ordering_before: i64,
    /// Customers whose first order ever is in it.
    pub first_timers: i64,
    /// Points earned in it (positive entries but releases).
    pub points_issued: i64,
    /// Points spent on rewards in it.
    pub points_redeemed: i64,
    /// Points that expired in it.
    pub points_expired: i64,
    /// Members' points at its end (every entry booked up to it).
    pub points_outstanding: i64,
    /// Redemptions made in it.
    pub redemptions: i64,
    /// Of those, with a code made on the platform.
    pub codes_issued: i64,
    /// Of those, used at a checkout.
    pub codes_used: i64,
    /// Per reward: (redemptions, points, codes used).
    pub rewards: BTreeMap<String, (i64, i64, i64)>,
    /// Referred members who joined in it.
    pub friends_joined: i64,
    /// Of those, who placed a member's order by its end.
    pub friends_ordered: i64,
    /// Members at its end by (tier rank the day before it, rank at its end).
    pub tier_moves: BTreeMap<(usize, usize), i64>,
}

/// A period's sums per day, for the trend: (orders, revenue, points
/// issued, points redeemed, new members).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Day {
    /// Orders placed.
    pub orders: Split<i64>,
    /// Their revenue.
    pub revenue: Split<i64>,
    /// Points issued.
    pub points_issued: i64,
    /// Points redeemed.
    pub points_redeemed: i64,
    /// Members who joined.
    pub new_members: i64,
}

/// A member's orders, for the at-risk list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Their customer id.
    pub id: String,
    /// Their first name.
    pub first_name: Option<String>,
    /// Their points.
    pub points: i64,
    /// The days of their member orders up to the period's end, rising;
    /// only the last one's when `usual_gap` is given.
    pub order_days: Vec<i64>,
    /// Their usual gap as kept (`member_state`), or `None` to compute it
    /// from `order_days`.
    pub usual_gap: Option<i64>,
    /// When the last of them was placed.
    pub last_order_at: String,
}

/// A period's bounds as the tables' text compares: its first day, its last
/// day, and the day after it.
struct Bounds {
    from: String,
    to: String,
    next: String,
}

impl Bounds {
    fn of(from: i64, to: i64) -> Bounds {
        Bounds {
            from: format_date(from),
            to: format_date(to),
            next: format_date(to + 1),
        }
    }
}

/// A day's text as a day number (0 when it is not one).
fn day(text: &str) -> i64 {
    text.get(..10).and_then(parse_date).unwrap_or(0)
}

/// The tier rank of `value` as SQL (`CASE WHEN value >= t2 THEN 2 ...`):
/// the thresholds are the program's numbers, written into the text.
fn rank_sql(value: &str, thresholds: &[u64]) -> String {
    let mut sql = String::from("CASE");
    for (rank, threshold) in thresholds.iter().enumerate().skip(1).rev() {
        let threshold = i64::try_from(*threshold).unwrap_or(i64::MAX);
        sql.push_str(&format!(" WHEN {value} >= {threshold} THEN {rank}"));
    }
    sql.push_str(" ELSE 0 END");
    sql
}

/// Whether the `member_state` row `alias` is a member on the day `day` (a
/// placeholder or a column): joined by it and not gone (erased) by it.
fn member_on(alias: &str, day: &str) -> String {
    format!("{alias}.joined_on <= {day} AND ({alias}.left_on IS NULL OR {alias}.left_on > {day})")
}

/// Counts by member flag: (flag, a, b) rows into two splits' sides.
fn by_flag(rows: &[(i64, i64, i64)]) -> (Split<i64>, Split<i64>) {
    let (mut first, mut second) = (Split::default(), Split::default());
    for (member, a, b) in rows {
        if *member != 0 {
            (first.members, second.members) = (*a, *b);
        } else {
            (first.non_members, second.non_members) = (*a, *b);
        }
    }
    (first, second)
}

/// What tiers are measured by, for [`parts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierSum {
    /// Points of every entry but redemptions, expiries and releases.
    Points,
    /// Money of orders less refunds booked in the last 12 months.
    Spend,
}

/// A period's sums, but its tier moves and points outstanding (see
/// [`tiers`]).
pub async fn parts(db: &mut Db<'_>, from: i64, to: i64) -> Result<Parts> {
    let b = Bounds::of(from, to);
    let before = Bounds::of(from - (to - from + 1), from - 1);
    let mut parts = Parts::default();
    // Per customer key in the period and the one before it: their orders
    // in it, their member orders in it, and their orders before it, so
    // that one grouping counts every side, those kept from the period
    // before and those ordering then.
    // With the customers who redeemed in the period (no orders counted),
    // the members at its end among those with a member order or a
    // redemption in it are the active members.
    let sql = format!(
        "SELECT
           CAST(COALESCE(SUM(CASE WHEN n >= 1 THEN 1 ELSE 0 END), 0) AS BIGINT),
           CAST(COALESCE(SUM(CASE WHEN n >= 2 THEN 1 ELSE 0 END), 0) AS BIGINT),
           CAST(COALESCE(SUM(CASE WHEN m >= 1 THEN 1 ELSE 0 END), 0) AS BIGINT),
           CAST(COALESCE(SUM(CASE WHEN m >= 2 THEN 1 ELSE 0 END), 0) AS BIGINT),
           CAST(COALESCE(SUM(CASE WHEN n - m >= 1 THEN 1 ELSE 0 END), 0) AS BIGINT),
           CAST(COALESCE(SUM(CASE WHEN n - m >= 2 THEN 1 ELSE 0 END), 0) AS BIGINT),
           CAST(COALESCE(SUM(CASE WHEN n >= 1 AND earlier >= 1 THEN 1 ELSE 0 END), 0) AS BIGINT),
           CAST(COALESCE(SUM(CASE WHEN earlier >= 1 THEN 1 ELSE 0 END), 0) AS BIGINT),
           CAST(COALESCE(SUM(CASE WHEN m >= 1 OR redeemed >= 1 THEN
             (CASE WHEN EXISTS (SELECT 1 FROM member_state ms
                                WHERE ms.customer_id = t.customer_key AND {})
              THEN 1 ELSE 0 END) ELSE 0 END), 0) AS BIGINT)
         FROM (SELECT customer_key, SUM(n) AS n, SUM(m) AS m, SUM(earlier) AS earlier,
                 SUM(redeemed) AS redeemed
               FROM (SELECT customer_key,
                       CASE WHEN placed_at >= $2 THEN 1 ELSE 0 END AS n,
                       CASE WHEN placed_at >= $2 AND member <> 0 THEN 1 ELSE 0 END AS m,
                       CASE WHEN placed_at < $2 THEN 1 ELSE 0 END AS earlier,
                       0 AS redeemed
                     FROM sales WHERE placed_at >= $1 AND placed_at < $3
                     UNION ALL
                     SELECT customer_id, 0, 0, 0, 1 FROM redemptions
                     WHERE created_at >= $2 AND created_at < $3) u
               GROUP BY customer_key) t",
        member_on("ms", "$4")
    );
    /// Ordering, repeating (all, members, non-members each), retained,
    /// ordering before, active members.
    type Flags = (i64, i64, i64, i64, i64, i64, i64, i64, i64);
    let flags: Flags = on!(db, c => sqlx::query_as(&sql)
        .bind(&before.from).bind(&b.from).bind(&b.next).bind(&b.to)
        .fetch_one(&mut **c).await)?;
    let (all, repeating, members, members_repeating, non_members, non_members_repeating) =
        (flags.0, flags.1, flags.2, flags.3, flags.4, flags.5);
    parts.ordering = Split {
        all,
        members,
        non_members,
    };
    parts.repeating = Split {
        all: repeating,
        members: members_repeating,
        non_members: non_members_repeating,
    };
    (parts.retained, parts.ordering_before) = (flags.6, flags.7);
    parts.active_members = flags.8;
    // Orders and revenue from the sums kept per day and member flag.
    let orders: Vec<(i64, i64, i64)> = on!(db, c => sqlx::query_as(
        "SELECT member, CAST(COALESCE(SUM(orders), 0) AS BIGINT),
                CAST(COALESCE(SUM(revenue), 0) AS BIGINT)
         FROM sales_daily WHERE day >= $1 AND day <= $2 GROUP BY member")
        .bind(&b.from).bind(&b.to).fetch_all(&mut **c).await)?;
    (parts.orders, parts.revenue) = by_flag(&orders);
    parts.orders.all = parts.orders.members + parts.orders.non_members;
    parts.revenue.all = parts.revenue.members + parts.revenue.non_members;
    // Up to the period's end: the sums kept per day and per customer.
    let revenue: Vec<(i64, i64)> = on!(db, c => sqlx::query_as(
        "SELECT member, CAST(COALESCE(SUM(revenue), 0) AS BIGINT)
         FROM sales_daily WHERE day <= $1 GROUP BY member")
        .bind(&b.to).fetch_all(&mut **c).await)?;
    for (member, money) in revenue {
        parts.revenue_to_end.add(member != 0, money);
    }
    let customers: Vec<(i64, i64)> = on!(db, c => sqlx::query_as(
        "SELECT member, COUNT(*) FROM customer_sales WHERE first_at < $1 GROUP BY member")
        .bind(&b.next).fetch_all(&mut **c).await)?;
    for (member, count) in customers {
        match member {
            0 => parts.customers_to_end.non_members = count,
            1 => parts.customers_to_end.members = count,
            _ => parts.customers_to_end.all = count,
        }
    }
    // A customer's first order is in the period when their first order
    // ever (kept, either flag) is.
    parts.first_timers = on!(db, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM customer_sales WHERE member = 2 AND first_at >= $1 AND first_at < $2")
        .bind(&b.from).bind(&b.next).fetch_one(&mut **c).await)?;
    // Members kept per customer (migration 0014): a row for each but the
    // sample customer, gone from the day of their erasure.
    let sql = format!(
        "SELECT
           (SELECT COUNT(*) FROM member_state m WHERE {}),
           (SELECT COUNT(*) FROM member_state WHERE joined_on >= $1 AND joined_on <= $2)",
        member_on("m", "$2")
    );
    let (members, new_members): (i64, i64) = on!(db, c => sqlx::query_as(&sql)
        .bind(&b.from).bind(&b.to).fetch_one(&mut **c).await)?;
    (parts.members, parts.new_members) = (members, new_members);
    // Points from the sums kept per booked day.
    (
        parts.points_issued,
        parts.points_redeemed,
        parts.points_expired,
    ) = on!(db, c => sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(issued), 0) AS BIGINT), CAST(COALESCE(SUM(redeemed), 0) AS BIGINT),
                CAST(COALESCE(SUM(expired), 0) AS BIGINT)
         FROM ledger_daily WHERE day >= $1 AND day <= $2")
        .bind(&b.from).bind(&b.to).fetch_one(&mut **c).await)?;
    let rewards: Vec<(String, i64, i64, i64, i64)> = on!(db, c => sqlx::query_as(
        "SELECT reward_id, COUNT(*), CAST(COALESCE(SUM(points_spent), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN state = 'used' THEN 1 ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN state IN ('active', 'used', 'expired') THEN 1 ELSE 0 END), 0) AS BIGINT)
         FROM redemptions WHERE created_at >= $1 AND created_at < $2 GROUP BY reward_id")
        .bind(&b.from).bind(&b.next).fetch_all(&mut **c).await)?;
    for (reward, count, points, used, made) in rewards {
        parts.redemptions += count;
        parts.codes_used += used;
        parts.codes_issued += made;
        parts.rewards.insert(reward, (count, points, used));
    }
    (parts.friends_joined, parts.friends_ordered) = on!(db, c => sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM sales s
                  WHERE s.customer_key = c.id AND s.member = 1 AND s.placed_at < $3)
                THEN 1 ELSE 0 END), 0) AS BIGINT)
         FROM customers c
         WHERE c.referred_by IS NOT NULL AND c.created_on >= $1 AND c.created_on <= $2")
        .bind(&b.from).bind(&b.to).bind(&b.next).fetch_one(&mut **c).await)?;
    Ok(parts)
}

/// Members at a period's end by (tier rank the day before it, rank at its
/// end), and the members' points at its end (every entry booked up to
/// it).
pub type Moves = (BTreeMap<(usize, usize), i64>, i64);

/// The tier moves and points outstanding of the period `from..=to` and of
/// the period of as many days before it: by lifetime points read
/// together (one read of the ledger's range since the day before the
/// earlier period), by spend each on its own.
pub async fn tiers(
    db: &mut Db<'_>,
    from: i64,
    to: i64,
    tiers: (&[u64], TierSum),
) -> Result<(Moves, Moves)> {
    let earlier = from - (to - from + 1);
    if tiers.1 == TierSum::Points {
        let days = [
            format_date(earlier - 1),
            format_date(from - 1),
            format_date(to),
        ];
        return lifetime_moves(db, &days, tiers.0).await;
    }
    let now = tier_moves(db, from, to, tiers).await?;
    let before = tier_moves(db, earlier, from - 1, tiers).await?;
    Ok((now, before))
}

/// Members at `to` by (tier rank the day before `from`, rank at `to`),
/// and the members' points at `to` (every entry booked up to it).
async fn tier_moves(
    db: &mut Db<'_>,
    from: i64,
    to: i64,
    (thresholds, _): (&[u64], TierSum),
) -> Result<Moves> {
    let (day_before, last) = (format_date(from - 1), format_date(to));
    let (since_before, since_last) = (
        format_date(add_months(from - 1, -12)),
        format_date(add_months(to, -12)),
    );
    // Spend in the 12 months before each day, from the ledger's orders and
    // refunds.
    let values = format!(
        "SELECT m.customer_id,
               COALESCE(SUM(CASE WHEN l.booked_on <= $1 AND l.booked_on > $3
                 THEN l.amount_minor ELSE 0 END), 0) AS vb,
               COALESCE(SUM(CASE WHEN l.booked_on > $4 THEN l.amount_minor ELSE 0 END), 0) AS va
             FROM member_state m LEFT JOIN ledger l ON l.customer_id = m.customer_id
               AND l.booked_on <= $2 AND l.kind IN ('order', 'refund')
             WHERE {}
             GROUP BY m.customer_id",
        member_on("m", "$2")
    );
    let sql = format!(
        "SELECT CAST({} AS BIGINT), CAST({} AS BIGINT), COUNT(*) FROM ({values}) v GROUP BY 1, 2",
        rank_sql("vb", thresholds),
        rank_sql("va", thresholds)
    );
    let rows: Vec<(i64, i64, i64)> = on!(db, c => sqlx::query_as(&sql)
        .bind(&day_before).bind(&last).bind(&since_before).bind(&since_last)
        .fetch_all(&mut **c).await)?;
    let moves = rows
        .into_iter()
        .map(|(before, after, count)| {
            let rank = |r: i64| usize::try_from(r).unwrap_or(0);
            ((rank(before), rank(after)), count)
        })
        .collect();
    Ok((moves, outstanding(db, &last).await?))
}

/// The members' points at `last` (every entry booked up to it): the
/// points kept per member, less the entries booked after it (few, for a
/// recent day; SQLite keeps a CROSS JOIN's order and reads that range).
async fn outstanding(db: &mut Db<'_>, last: &str) -> Result<i64> {
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(m.points), 0) AS BIGINT) FROM member_state m WHERE {}",
        member_on("m", "$1")
    );
    let kept: i64 = on!(db, c => sqlx::query_scalar(&sql)
        .bind(last).fetch_one(&mut **c).await)?;
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(l.points), 0) AS BIGINT)
         FROM ledger l CROSS JOIN member_state m
         WHERE m.customer_id = l.customer_id AND l.booked_on > $1 AND {}",
        member_on("m", "$1")
    );
    let later: i64 = on!(db, c => sqlx::query_scalar(&sql)
        .bind(last).fetch_one(&mut **c).await)?;
    Ok(kept - later)
}

/// Tier moves by lifetime points of two periods back to back, `days`
/// being the day before the earlier one, its last day (the day before the
/// later one) and the later one's last day. Every member at a period's
/// end is counted at the rank of their lifetime points kept
/// (`member_state`), as if they had not moved; then those with entries
/// after the first day (the ledger's range after it only) are counted
/// again at their ranks on each day, and taken off where the first count
/// put them. The members' points at an end: their points kept less the
/// entries after it. Counted in SQL: a few rows come back, not one per
/// member. Yields the later period's, then the earlier one's.
async fn lifetime_moves(
    db: &mut Db<'_>,
    days: &[String; 3],
    thresholds: &[u64],
) -> Result<(Moves, Moves)> {
    let rank = |r: i64| usize::try_from(r).unwrap_or(0);
    let flag = |day: &str| {
        format!(
            "CAST(CASE WHEN {} THEN 1 ELSE 0 END AS BIGINT)",
            member_on("m", day)
        )
    };
    let sql = format!(
        "SELECT CAST({} AS BIGINT), {}, {}, COUNT(*), CAST(COALESCE(SUM(m.points), 0) AS BIGINT)
         FROM member_state m GROUP BY 1, 2, 3",
        rank_sql("m.lifetime", thresholds),
        flag("$1"),
        flag("$2")
    );
    let kept: Vec<(i64, i64, i64, i64, i64)> = on!(db, c => sqlx::query_as(&sql)
        .bind(&days[1]).bind(&days[2]).fetch_all(&mut **c).await)?;
    let (mut later, mut earlier): (Moves, Moves) = Default::default();
    for (now, at_first_end, at_second_end, count, points) in kept {
        let (now, periods) = (
            rank(now),
            [(at_second_end, &mut later), (at_first_end, &mut earlier)],
        );
        for (member, (moves, outstanding)) in periods {
            if member != 0 {
                *moves.entry((now, now)).or_insert(0) += count;
                *outstanding += points;
            }
        }
    }
    // Per customer with entries after the first day: what they earned
    // after each of the three days, and their points after each end.
    let earns = "kind NOT IN ('redemption', 'expiry', 'release')";
    let sql = format!(
        "SELECT CAST({} AS BIGINT), CAST({} AS BIGINT), CAST({} AS BIGINT), CAST({} AS BIGINT),
                {}, {}, COUNT(*),
                CAST(COALESCE(SUM(x.p1), 0) AS BIGINT), CAST(COALESCE(SUM(x.p2), 0) AS BIGINT)
         FROM (SELECT customer_id || '' AS id,
                 SUM(CASE WHEN {earns} THEN points ELSE 0 END) AS e0,
                 SUM(CASE WHEN booked_on > $2 AND {earns} THEN points ELSE 0 END) AS e1,
                 SUM(CASE WHEN booked_on > $3 AND {earns} THEN points ELSE 0 END) AS e2,
                 SUM(CASE WHEN booked_on > $2 THEN points ELSE 0 END) AS p1,
                 SUM(CASE WHEN booked_on > $3 THEN points ELSE 0 END) AS p2
               FROM ledger WHERE booked_on > $1 GROUP BY customer_id || '') x
         JOIN member_state m ON m.customer_id = x.id
         GROUP BY 1, 2, 3, 4, 5, 6",
        rank_sql("m.lifetime", thresholds),
        rank_sql("m.lifetime - x.e0", thresholds),
        rank_sql("m.lifetime - x.e1", thresholds),
        rank_sql("m.lifetime - x.e2", thresholds),
        flag("$2"),
        flag("$3")
    );
    /// Ranks now and on each day, member at each end, how many, points
    /// after each end.
    type Row = (i64, i64, i64, i64, i64, i64, i64, i64, i64);
    let moved: Vec<Row> = on!(db, c => sqlx::query_as(&sql)
        .bind(&days[0]).bind(&days[1]).bind(&days[2]).fetch_all(&mut **c).await)?;
    for (now, on_0, on_1, on_2, at_first_end, at_second_end, count, after_1, after_2) in moved {
        let now = rank(now);
        let periods = [
            (at_second_end, (rank(on_1), rank(on_2)), after_2, &mut later),
            (
                at_first_end,
                (rank(on_0), rank(on_1)),
                after_1,
                &mut earlier,
            ),
        ];
        for (member, moved, after, (moves, outstanding)) in periods {
            if member != 0 {
                *moves.entry((now, now)).or_insert(0) -= count;
                *moves.entry(moved).or_insert(0) += count;
                *outstanding -= after;
            }
        }
    }
    for (moves, _) in [&mut later, &mut earlier] {
        moves.retain(|_, count| *count != 0);
    }
    Ok((later, earlier))
}

/// A period's sums per day (the trend's input).
pub async fn days(db: &mut Db<'_>, from: i64, to: i64) -> Result<BTreeMap<i64, Day>> {
    let b = Bounds::of(from, to);
    let mut days: BTreeMap<i64, Day> = BTreeMap::new();
    let sales: Vec<(String, i64, i64, i64)> = on!(db, c => sqlx::query_as(
        "SELECT day, member, orders, revenue FROM sales_daily WHERE day >= $1 AND day <= $2")
        .bind(&b.from).bind(&b.to).fetch_all(&mut **c).await)?;
    for (on, member, orders, revenue) in sales {
        let entry = days.entry(day(&on)).or_default();
        entry.orders.add(member != 0, orders);
        entry.revenue.add(member != 0, revenue);
    }
    let points: Vec<(String, i64, i64)> = on!(db, c => sqlx::query_as(
        "SELECT day, issued, redeemed FROM ledger_daily WHERE day >= $1 AND day <= $2")
        .bind(&b.from).bind(&b.to).fetch_all(&mut **c).await)?;
    for (on, issued, redeemed) in points {
        let entry = days.entry(day(&on)).or_default();
        entry.points_issued += issued;
        entry.points_redeemed += redeemed;
    }
    let joined: Vec<(String, i64)> = on!(db, c => sqlx::query_as(
        "SELECT created_on, COUNT(*) FROM customers
         WHERE created_on >= $1 AND created_on <= $2 AND state <> 'preview'
         GROUP BY created_on")
        .bind(&b.from).bind(&b.to).fetch_all(&mut **c).await)?;
    for (on, count) in joined {
        days.entry(day(&on)).or_default().new_members += count;
    }
    Ok(days)
}

/// Per join month (`YYYY-MM`) of the members at `to`: how many, and their
/// member revenue up to `to`.
pub async fn cohorts(db: &mut Db<'_>, to: i64) -> Result<BTreeMap<String, (i64, i64)>> {
    let b = Bounds::of(to, to);
    // Each member's revenue kept (migration 0014), less their orders after
    // the end.
    let sql = format!(
        "SELECT substr(m.joined_on, 1, 7), COUNT(*), CAST(COALESCE(SUM(m.revenue), 0) AS BIGINT)
         FROM member_state m WHERE {} GROUP BY 1",
        member_on("m", "$1")
    );
    let members: Vec<(String, i64, i64)> = on!(db, c => sqlx::query_as(&sql)
        .bind(&b.to).fetch_all(&mut **c).await)?;
    // From the sales after the end (SQLite keeps a CROSS JOIN's order: few
    // rows for a recent end, the usual case).
    let sql = format!(
        "SELECT substr(m.joined_on, 1, 7),
                CAST(COALESCE(SUM(s.total_minor - s.refunded_minor), 0) AS BIGINT)
         FROM sales s CROSS JOIN member_state m
         WHERE m.customer_id = s.customer_key AND s.member = 1 AND s.placed_at >= $2 AND {}
         GROUP BY 1",
        member_on("m", "$1")
    );
    let later: Vec<(String, i64)> = on!(db, c => sqlx::query_as(&sql)
        .bind(&b.to).bind(&b.next).fetch_all(&mut **c).await)?;
    let mut cohorts: BTreeMap<String, (i64, i64)> = members
        .into_iter()
        .map(|(month, count, revenue)| (month, (count, revenue)))
        .collect();
    for (month, money) in later {
        if let Some(cohort) = cohorts.get_mut(&month) {
            cohort.1 -= money;
        }
    }
    Ok(cohorts)
}

/// The members at `to` with points above 0 (every entry booked up to it)
/// and a member's order up to it who may be at risk then, and how many
/// more of them are at risk but left out. Those who ordered nothing after
/// `to` are at risk when their first day at risk as kept
/// (`member_state.risk_on`) is `to` or before: counted in SQL, and only
/// the `limit` with the most points listed (with their last order's day
/// and usual gap; all those tied with the last of them too, so that the
/// list's order by id is the domain's); the rest are the count left out.
/// Those who ordered after `to` (few, for a recent end) are listed with
/// their orders' days up to it, at risk or not.
pub async fn candidates(db: &mut Db<'_>, to: i64, limit: i64) -> Result<(Vec<Candidate>, i64)> {
    let b = Bounds::of(to, to);
    // Points booked after the end are taken off: none for an end today,
    // else per listed member through `ledger_by_customer`.
    let later: i64 = on!(db, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM ledger_daily WHERE day > $1")
        .bind(&b.to).fetch_one(&mut **c).await)?;
    let points = if later == 0 {
        "m.points"
    } else {
        "m.points - COALESCE((SELECT CAST(SUM(l.points) AS BIGINT) FROM ledger l
                               WHERE l.customer_id = m.customer_id AND l.booked_on > $1), 0)"
    };
    let at_risk = format!(
        "SELECT m.customer_id AS id, {points} AS pts, m.last_at AS last_at, m.gap AS gap
         FROM member_state m WHERE m.risk_on <= $1 AND m.last_at < $2 AND {}",
        member_on("m", "$1")
    );
    // How many, and the points of the `limit`th most (a sort kept to
    // `limit` rows).
    let sql = format!(
        "SELECT COUNT(*), (SELECT pts FROM ({at_risk}) p WHERE pts > 0
                           ORDER BY pts DESC LIMIT 1 OFFSET $3)
         FROM ({at_risk}) p WHERE pts > 0"
    );
    let (counted, least): (i64, Option<i64>) = on!(db, c => sqlx::query_as(&sql)
        .bind(&b.to).bind(&b.next).bind(limit.max(1) - 1).fetch_one(&mut **c).await)?;
    let sql = format!(
        "SELECT p.id, c.first_name, p.pts, p.last_at, p.gap
         FROM ({at_risk}) p CROSS JOIN customers c
         WHERE p.pts > 0 AND p.pts >= $3 AND c.id = p.id"
    );
    /// id, first name, points, last order's instant, usual gap.
    type Row = (String, Option<String>, i64, String, i64);
    let rows: Vec<Row> = on!(db, c => sqlx::query_as(&sql)
        .bind(&b.to).bind(&b.next).bind(least.unwrap_or(0)).fetch_all(&mut **c).await)?;
    let mut found: Vec<Candidate> = rows
        .into_iter()
        .map(|(id, first_name, points, last_at, gap)| Candidate {
            id,
            first_name,
            points,
            order_days: vec![day(&last_at)],
            usual_gap: Some(gap),
            last_order_at: last_at,
        })
        .collect();
    let left_out = counted - i64::try_from(found.len()).unwrap_or(counted);
    // The members who ordered again after the end: their orders up to it
    // (SQLite keeps a CROSS JOIN's order: the members first, then each
    // one's orders by `sales_by_customer`).
    let sql = format!(
        "SELECT m.customer_id, c.first_name, m.points, s.placed_at
         FROM member_state m CROSS JOIN sales s CROSS JOIN customers c
         WHERE m.last_at >= $2 AND {} AND s.customer_key = m.customer_id AND s.member = 1
           AND s.placed_at < $2 AND c.id = m.customer_id
         ORDER BY m.customer_id, s.placed_at",
        member_on("m", "$1")
    );
    let orders: Vec<(String, Option<String>, i64, String)> = on!(db, c => sqlx::query_as(&sql)
        .bind(&b.to).bind(&b.next).fetch_all(&mut **c).await)?;
    if orders.is_empty() {
        return Ok((found, left_out));
    }
    let after: std::collections::HashMap<String, i64> = on!(db, c => sqlx::query_as(
        "SELECT customer_id || '', CAST(SUM(points) AS BIGINT) FROM ledger WHERE booked_on > $1
         GROUP BY customer_id || ''")
        .bind(&b.to).fetch_all(&mut **c).await)?
    .into_iter()
    .collect();
    let mut orders = orders.into_iter().peekable();
    while let Some((id, first_name, points, placed_at)) = orders.next() {
        let mut order_days = vec![day(&placed_at)];
        let mut last_order_at = placed_at;
        while let Some((_, _, _, placed_at)) = orders.next_if(|next| next.0 == id) {
            order_days.push(day(&placed_at));
            last_order_at = placed_at;
        }
        let points = points - after.get(&id).copied().unwrap_or(0);
        if points <= 0 {
            continue;
        }
        order_days.sort_unstable();
        found.push(Candidate {
            id,
            first_name,
            points,
            order_days,
            usual_gap: None,
            last_order_at,
        });
    }
    Ok((found, left_out))
}

/// The whole shop, read whole: the reference computation's input (tests
/// and checks; an answer never reads this).
pub async fn history(db: &mut Db<'_>) -> Result<History> {
    let sales: Vec<(String, i64, i64, i64, String)> = on!(db, c => sqlx::query_as(
        "SELECT customer_key, member, total_minor, refunded_minor, placed_at FROM sales")
        .fetch_all(&mut **c).await)?;
    /// id, first name, created on, state, referred by, erased at.
    type MemberRow = (
        String,
        Option<String>,
        String,
        String,
        Option<String>,
        Option<String>,
    );
    let members: Vec<MemberRow> = on!(db, c => sqlx::query_as(
        "SELECT id, first_name, created_on, state, referred_by, erased_at FROM customers
         WHERE state <> 'preview'")
        .fetch_all(&mut **c).await)?;
    let entries: Vec<(String, String, i64, i64, String)> = on!(db, c => sqlx::query_as(
        "SELECT customer_id, kind, points, amount_minor, booked_on FROM ledger")
        .fetch_all(&mut **c).await)?;
    let redemptions: Vec<(String, String, i64, String, String)> = on!(db, c => sqlx::query_as(
        "SELECT customer_id, reward_id, points_spent, created_at, state FROM redemptions")
        .fetch_all(&mut **c).await)?;
    Ok(History {
        sales: sales
            .into_iter()
            .map(|(customer, member, total, refunded, placed_at)| Sale {
                customer,
                member: member != 0,
                total,
                refunded,
                day: day(&placed_at),
                placed_at,
            })
            .collect(),
        members: members
            .into_iter()
            .map(
                |(id, first_name, created_on, state, referred_by, erased_at)| Member {
                    id,
                    first_name,
                    joined: day(&created_on),
                    // An erased customer was a member up to the day before
                    // their erasure; any other state but `member`: never.
                    left: match (state.as_str(), erased_at) {
                        ("member", _) => None,
                        ("erased", Some(at)) => Some(day(&at)),
                        _ => Some(day(&created_on)),
                    },
                    referred_by,
                },
            )
            .collect(),
        entries: entries
            .into_iter()
            .map(|(customer, kind, points, amount, booked_on)| Entry {
                customer,
                kind,
                points,
                amount,
                day: day(&booked_on),
            })
            .collect(),
        redemptions: redemptions
            .into_iter()
            .map(|(customer, reward, points, created_at, state)| Redemption {
                customer,
                reward,
                points,
                day: day(&created_at),
                code_made: matches!(state.as_str(), "active" | "used" | "expired"),
                used: state == "used",
            })
            .collect(),
    })
}
