//! A plausible generated shop (`loyalty-endpoint generate`), for the
//! console's benchmark and for tests: members who join over the years,
//! order at their own pace and stop some day, get refunds, redeem rewards,
//! refer friends and lose points that expire; guests who order without
//! joining. The ledger is simulated as the program runs it (points pending
//! for the return window, spent oldest first, the unspent rest of a lot
//! expiring on its day), written in large batches. The same seed makes the
//! same shop.

use super::error::Result;
use super::ledger;
use super::program::Program;
use super::sales;
use crate::store::generate::{self as g, GenCustomer, GenEntry, GenOrder, GenRedemption};
use crate::store::sales::{self as s, SaleRow};
use crate::store::Db;
use serde::Serialize;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// People: members and guests.
    pub customers: u64,
    /// About how many ledger entries.
    pub entries: u64,
    /// Years of history up to `today`.
    pub years: u32,
    /// The random seed.
    pub seed: u64,
    /// The last day.
    pub today: i64,
}

/// What was generated.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Members.
    pub members: u64,
    /// Guests (non-members with orders).
    pub guests: u64,
    /// Ledger entries.
    pub entries: u64,
    /// Orders (sales), members' and guests'.
    pub orders: u64,
    /// Redemptions.
    pub redemptions: u64,
}

/// SplitMix64: small, fast, and the same sequence for the same seed.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when n is 0).
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }

    /// Uniform in 0..1.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Exponential with `mean`.
    fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }
}

const NAMES: [&str; 16] = [
    "Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hugo", "Ida", "Jonas", "Lena",
    "Max", "Mia", "Noah", "Paula", "Tim",
];

/// A lot of points: its entry, what is left, when it counts and expires.
struct Lot {
    id: i64,
    left: i64,
    available: i64,
    expires: Option<i64>,
}

/// One member's simulated ledger.
struct Account<'a> {
    id: &'a str,
    lots: Vec<Lot>,
    entries: Vec<GenEntry>,
}

impl Account<'_> {
    /// Books the expiries due on or before `day`.
    fn expire(&mut self, day: i64, next_id: &mut i64) {
        let mut due: Vec<(i64, i64, i64)> = Vec::new();
        for lot in &mut self.lots {
            if let Some(on) = lot.expires.filter(|on| *on <= day) {
                if lot.left > 0 {
                    due.push((on, lot.id, lot.left));
                }
                lot.left = 0;
                lot.expires = None;
            }
        }
        due.sort_unstable();
        for (on, lot, points) in due {
            self.book(next_id, "expiry", -points, on, on, None, Some(lot), 0, None);
        }
    }

    /// Points that count on `day`.
    fn spendable(&self, day: i64) -> i64 {
        self.lots
            .iter()
            .filter(|lot| lot.available <= day)
            .map(|lot| lot.left)
            .sum()
    }

    /// Spends `points` from the lots that count on `day`, oldest first.
    fn spend(&mut self, mut points: i64, day: i64) {
        for lot in self.lots.iter_mut().filter(|lot| lot.available <= day) {
            let taken = lot.left.min(points);
            lot.left -= taken;
            points -= taken;
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn book(
        &mut self,
        next_id: &mut i64,
        kind: &'static str,
        points: i64,
        day: i64,
        available: i64,
        expires: Option<i64>,
        lot: Option<i64>,
        amount: i64,
        order: Option<&str>,
    ) -> i64 {
        let id = *next_id;
        *next_id += 1;
        self.entries.push(GenEntry {
            id,
            customer_id: self.id.to_owned(),
            kind,
            points,
            booked_on: ledger::format_date(day),
            available_on: ledger::format_date(available),
            expires_on: expires.map(ledger::format_date),
            lot,
            amount_minor: amount,
            order_id: order.map(str::to_owned),
            label: kind.to_owned(),
            code: None,
        });
        if points > 0 {
            self.lots.push(Lot {
                id,
                left: points,
                available,
                expires,
            });
        }
        id
    }
}

/// Everything generated for a batch of people, written together.
#[derive(Default)]
struct Batch {
    customers: Vec<GenCustomer>,
    entries: Vec<GenEntry>,
    orders: Vec<GenOrder>,
    redemptions: Vec<GenRedemption>,
    sales: Vec<SaleRow>,
}

impl Batch {
    async fn write(&mut self, db: &mut Db<'_>, summary: &mut Summary) -> Result<()> {
        g::insert_customers(db, &self.customers).await?;
        self.entries.sort_by_key(|entry| entry.id);
        g::insert_entries(db, &self.entries).await?;
        g::insert_orders(db, &self.orders).await?;
        g::insert_redemptions(db, &self.redemptions).await?;
        s::insert_sales(db, &self.sales).await?;
        summary.entries += self.entries.len() as u64;
        summary.orders += self.sales.len() as u64;
        summary.redemptions += self.redemptions.len() as u64;
        *self = Batch::default();
        Ok(())
    }
}

/// People a batch.
const BATCH: u64 = 2000;

/// Generates a shop into an empty (or any) store, in one transaction:
/// ids start with `gen-` and the ledger's ids after the ones there.
pub async fn generate(db: &mut Db<'_>, program: &Program, options: Options) -> Result<Summary> {
    let mut random = Random(options.seed ^ 0x5EED);
    let mut summary = Summary::default();
    let start = options.today - 365 * i64::from(options.years.max(1));
    let span = u64::try_from(options.today - start).unwrap_or(1);
    let expiry_months = i64::from(program.expiry.months);
    let pending = i64::from(program.pending_days);
    let welcome = i64::try_from(program.welcome.points).unwrap_or(0);
    let referral = i64::try_from(program.referral.referrer_points).unwrap_or(0);
    let rewards: Vec<(String, i64)> = program
        .rewards
        .iter()
        .filter(|reward| reward.points_price > 0)
        .map(|reward| {
            (
                reward.id.clone(),
                i64::try_from(reward.points_price).unwrap_or(i64::MAX),
            )
        })
        .collect();
    let members_share = 0.65;
    let members = (options.customers as f64 * members_share) as u64;
    // Entries a member: a welcome, orders (and some refunds), redemptions,
    // expiries; so about 1.3 entries an order after the welcome.
    let per_member = options.entries as f64 / members.max(1) as f64;
    let orders_mean = ((per_member - 1.0) / 1.3).max(0.5);
    let mut next_id = g::next_entry_id(db).await?;
    let mut member_ids: Vec<(String, i64)> = Vec::new();
    let mut batch = Batch::default();
    let expires = |day: i64| (expiry_months > 0).then(|| ledger::add_months(day, expiry_months));
    for person in 0..options.customers {
        let member = person < members;
        if !member {
            // A guest: a few orders over the years, known by platform id
            // or e-mail.
            let count = 1 + random.exponential(1.2) as u64;
            let key = if random.below(2) == 0 {
                format!("gen-guest-{person}")
            } else {
                sales::guest_key(None, Some(&format!("guest{person}@example.com")), "")
            };
            for n in 0..count {
                let day = start + i64::try_from(random.below(span + 1)).unwrap_or(0);
                let total = 1500 + i64::try_from(random.below(12_000)).unwrap_or(0);
                let refunded = if random.unit() < 0.05 { total } else { 0 };
                let at = day * 86_400 + i64::try_from(random.below(86_400)).unwrap_or(0);
                batch.sales.push(SaleRow {
                    id: format!("gen-g{person}-{n}"),
                    customer_key: key.clone(),
                    member: 0,
                    total_minor: total,
                    refunded_minor: refunded,
                    placed_at: sales::format_instant(at),
                    source: "live".into(),
                });
            }
            summary.guests += 1;
        } else {
            let id = format!("gen-{person}");
            let joined = start + i64::try_from(random.below(span + 1)).unwrap_or(0);
            let referred_by = (random.unit() < 0.15 && !member_ids.is_empty())
                .then(|| {
                    let at = random.below(member_ids.len() as u64) as usize;
                    member_ids[at].clone()
                })
                .filter(|(_, their_join)| *their_join <= joined)
                .map(|(referrer, _)| referrer);
            let name = NAMES[random.below(NAMES.len() as u64) as usize];
            batch.customers.push(GenCustomer {
                id: id.clone(),
                first_name: name.to_owned(),
                email: format!("member{person}@example.com"),
                referral_code: format!("GEN{person}"),
                referred_by: referred_by.clone(),
                created_on: ledger::format_date(joined),
            });
            member_ids.push((id.clone(), joined));
            summary.members += 1;
            let mut account = Account {
                id: &id,
                lots: Vec::new(),
                entries: Vec::new(),
            };
            if welcome > 0 {
                account.book(
                    &mut next_id,
                    "welcome",
                    welcome,
                    joined,
                    joined,
                    expires(joined),
                    None,
                    0,
                    None,
                );
            }
            // Orders spread over the time they stay, at their own pace.
            let stays = random.exponential(600.0) as i64 + 30;
            let last = (joined + stays).min(options.today);
            let count = random.exponential(orders_mean).round() as u64;
            let mut days: Vec<i64> = (0..count)
                .map(|_| {
                    joined
                        + i64::try_from(random.below(u64::try_from(last - joined + 1).unwrap_or(1)))
                            .unwrap_or(0)
                })
                .collect();
            days.sort_unstable();
            for (n, day) in days.into_iter().enumerate() {
                account.expire(day, &mut next_id);
                let order_id = format!("gen-{person}-{n}");
                let total = 1500 + i64::try_from(random.below(12_000)).unwrap_or(0);
                let points = total / 100;
                let available = day + pending;
                let entry = account.book(
                    &mut next_id,
                    "order",
                    points,
                    day,
                    available,
                    expires(available),
                    None,
                    total,
                    Some(&order_id),
                );
                if n == 0 && referral > 0 {
                    if let Some(referrer) = &referred_by {
                        // The referrer's points: an entry of theirs, in
                        // this batch's ledger (expiry not simulated).
                        let referral_id = next_id;
                        next_id += 1;
                        batch.entries.push(GenEntry {
                            id: referral_id,
                            customer_id: referrer.clone(),
                            kind: "referral",
                            points: referral,
                            booked_on: ledger::format_date(day),
                            available_on: ledger::format_date(available),
                            expires_on: None,
                            lot: None,
                            amount_minor: 0,
                            order_id: Some(order_id.clone()),
                            label: "referral".into(),
                            code: None,
                        });
                    }
                }
                let mut refunded = 0;
                let refund_day = day + 1 + i64::try_from(random.below(20)).unwrap_or(0);
                if random.unit() < 0.08 && refund_day <= options.today {
                    refunded = if random.below(2) == 0 {
                        total
                    } else {
                        total / 2
                    };
                    let back = points * refunded / total;
                    if let Some(lot) = account.lots.iter_mut().find(|lot| lot.id == entry) {
                        lot.left -= back.min(lot.left);
                    }
                    account.book(
                        &mut next_id,
                        "refund",
                        -back,
                        refund_day,
                        refund_day.max(available),
                        None,
                        Some(entry),
                        -refunded,
                        Some(&order_id),
                    );
                }
                let at = day * 86_400 + i64::try_from(random.below(86_400)).unwrap_or(0);
                batch.sales.push(SaleRow {
                    id: order_id.clone(),
                    customer_key: id.clone(),
                    member: 1,
                    total_minor: total,
                    refunded_minor: refunded,
                    placed_at: sales::format_instant(at),
                    source: "live".into(),
                });
                batch.orders.push(GenOrder {
                    id: order_id,
                    customer_id: id.clone(),
                    total_minor: total,
                    points,
                    entry_id: entry,
                    available_on: ledger::format_date(available),
                    paid_on: ledger::format_date(day),
                    refunded_minor: refunded,
                });
                // Sometimes a reward, when the points that count reach it.
                let redeem_day = day + i64::try_from(random.below(10)).unwrap_or(0);
                if !rewards.is_empty() && random.unit() < 0.4 && redeem_day <= options.today {
                    let (reward, price) = &rewards[random.below(rewards.len() as u64) as usize];
                    if account.spendable(redeem_day) >= *price {
                        account.spend(*price, redeem_day);
                        let entry = account.book(
                            &mut next_id,
                            "redemption",
                            -price,
                            redeem_day,
                            redeem_day,
                            None,
                            None,
                            0,
                            None,
                        );
                        let code = format!("GEN-{entry}");
                        if let Some(booked) = account.entries.last_mut() {
                            booked.code = Some(code.clone());
                        }
                        let ends = redeem_day + 59;
                        let state = if random.unit() < 0.55 {
                            "used"
                        } else if ends < options.today {
                            "expired"
                        } else {
                            "active"
                        };
                        batch.redemptions.push(GenRedemption {
                            id: format!("red-{entry}"),
                            customer_id: id.clone(),
                            reward_id: reward.clone(),
                            points_spent: *price,
                            code,
                            expires_at: ledger::format_date(ends),
                            created_at: ledger::format_date(redeem_day),
                            state,
                            entry_id: entry,
                        });
                    }
                }
            }
            account.expire(options.today, &mut next_id);
            batch.entries.append(&mut account.entries);
        }
        if (person + 1) % BATCH == 0 {
            batch.write(db, &mut summary).await?;
        }
    }
    batch.write(db, &mut summary).await?;
    g::settle_entry_ids(db).await?;
    Ok(summary)
}
