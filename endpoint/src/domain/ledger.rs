//! The points ledger's arithmetic, pure (no database, no clock): what a
//! customer's append-only entries add up to on a day (the calendar is the
//! core's, [`loyalty_core::date`]).
//!
//! Every change of points is an [`Entry`]. An entry counts from its
//! `available_on` day (before that it is pending: an order's return
//! window). A positive entry is a *lot*: its points are spent first-expiring
//! first, and what is left of it on its `expires_on` day expires. Expiry is
//! worked out here on every read, so a balance is right on any day; the
//! store also books each expiry as an entry of its own ([`Balance::due`]),
//! which this replay recognises by its lot and does not count twice.

use std::collections::BTreeSet;

// The calendar is the core's, shared with the widget: day numbers since
// 1970-01-01, `YYYY-MM-DD`, months added.
pub use loyalty_core::date::{
    add_months, civil_from_days, days_from_civil, format_date, parse_date,
};

/// Why points changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The welcome bonus, on sign-up or on joining the club.
    Welcome,
    /// Points for a paid order.
    Order,
    /// An order's points taken back for a refund.
    Refund,
    /// A change by the shop, with its reason.
    Adjustment,
    /// Points spent on a reward.
    Redemption,
    /// Points for a friend's first paid order.
    Referral,
    /// The birthday bonus.
    Birthday,
    /// Points that expired unspent.
    Expiry,
    /// A redemption's points given back: its code could not be issued,
    /// or (when the program says so) it expired unused.
    Release,
    /// Points brought over from another loyalty app (`import`), or taken
    /// back by undoing such an import.
    Import,
}

impl Kind {
    /// Every kind, for parsing.
    const ALL: [Kind; 10] = [
        Kind::Welcome,
        Kind::Order,
        Kind::Refund,
        Kind::Adjustment,
        Kind::Redemption,
        Kind::Referral,
        Kind::Birthday,
        Kind::Expiry,
        Kind::Release,
        Kind::Import,
    ];

    /// The stored and published name (`order`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Welcome => "welcome",
            Kind::Order => "order",
            Kind::Refund => "refund",
            Kind::Adjustment => "adjustment",
            Kind::Redemption => "redemption",
            Kind::Referral => "referral",
            Kind::Birthday => "birthday",
            Kind::Expiry => "expiry",
            Kind::Release => "release",
            Kind::Import => "import",
        }
    }

    /// The kind of a stored name.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// Whether the entry's points count towards lifetime points (what was
    /// earned, less what refunds took back).
    pub(crate) fn earns(self) -> bool {
        !matches!(self, Kind::Redemption | Kind::Expiry | Kind::Release)
    }
}

/// One ledger entry, as the arithmetic needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its place in the ledger (rising).
    pub id: i64,
    /// Why.
    pub kind: Kind,
    /// Signed change in points.
    pub points: i64,
    /// The day it was booked.
    pub booked_on: i64,
    /// The day it starts to count (pending before).
    pub available_on: i64,
    /// For a positive entry: the day its unspent rest expires, if ever.
    pub expires_on: Option<i64>,
    /// For a refund: the order's entry, whose points it takes first. For
    /// an expiry: the entry that expired.
    pub lot: Option<i64>,
    /// Money the entry stands for, in minor units (orders positive,
    /// refunds negative), for tiers by spend.
    pub amount_minor: i64,
}

/// Points that expired and are not booked yet.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Due {
    /// The entry whose rest expired.
    pub lot: i64,
    /// How many points.
    pub points: u64,
    /// The day they expired.
    pub on: i64,
}

/// What a customer's entries add up to on one day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Balance {
    /// Points to spend now.
    pub approved: u64,
    /// Points that count later (orders within their return window).
    pub pending: u64,
    /// Points spent on rewards.
    pub spent: u64,
    /// Points ever earned, less refunds and downward adjustments.
    pub lifetime: u64,
    /// Points that expire within the window asked for: (points, day),
    /// earliest first.
    pub expiring: Vec<(u64, i64)>,
    /// Expiries the ledger does not hold yet.
    pub due: Vec<Due>,
}

/// A positive entry's points not yet spent.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Lot {
    /// The entry.
    pub(crate) id: i64,
    /// Its points left.
    pub(crate) left: u64,
    /// When the rest expires.
    pub(crate) expires_on: Option<i64>,
}

/// Takes `points` from the lots, first from `first` if given, then
/// first-expiring first; what the lots do not hold is dropped (a balance
/// never goes below zero).
pub(crate) fn consume(lots: &mut [Lot], mut points: u64, first: Option<i64>) {
    let mut order: Vec<usize> = (0..lots.len()).collect();
    order.sort_by_key(|&at| {
        let lot = &lots[at];
        (
            Some(lot.id) != first,
            lot.expires_on.unwrap_or(i64::MAX),
            lot.id,
        )
    });
    for at in order {
        if points == 0 {
            break;
        }
        let taken = lots[at].left.min(points);
        lots[at].left -= taken;
        points -= taken;
    }
}

/// The balance of `entries` on day `today`, with the points that expire
/// within `soon_days` after it.
pub fn balance(entries: &[Entry], today: i64, soon_days: i64) -> Balance {
    let mut result = Balance::default();
    let mut lifetime: i64 = 0;
    let mut pending: i64 = 0;
    let booked: BTreeSet<i64> = entries
        .iter()
        .filter(|entry| entry.kind == Kind::Expiry)
        .filter_map(|entry| entry.lot)
        .collect();
    // What happens on which day, in order: expiries open a day, then the
    // entries that count from it, in ledger order.
    let mut events: Vec<(i64, u8, i64, &Entry)> = Vec::new();
    for entry in entries {
        if entry.kind.earns() {
            lifetime = lifetime.saturating_add(entry.points);
        }
        if entry.kind == Kind::Redemption {
            result.spent = result.spent.saturating_add(entry.points.unsigned_abs());
        }
        if entry.kind == Kind::Release {
            result.spent = result.spent.saturating_sub(entry.points.unsigned_abs());
        }
        if entry.available_on > today {
            pending = pending.saturating_add(entry.points);
            continue;
        }
        if entry.kind == Kind::Expiry {
            continue;
        }
        events.push((entry.available_on, 1, entry.id, entry));
        if let Some(expires_on) = entry.expires_on.filter(|day| *day <= today) {
            if entry.points > 0 {
                events.push((expires_on, 0, entry.id, entry));
            }
        }
    }
    events.sort_by_key(|(day, phase, id, _)| (*day, *phase, *id));
    let mut lots: Vec<Lot> = Vec::new();
    for (day, phase, _, entry) in events {
        if phase == 0 {
            if let Some(lot) = lots.iter_mut().find(|lot| lot.id == entry.id) {
                let left = std::mem::take(&mut lot.left);
                if left > 0 && !booked.contains(&entry.id) {
                    result.due.push(Due {
                        lot: entry.id,
                        points: left,
                        on: day,
                    });
                }
            }
        } else if entry.points > 0 {
            lots.push(Lot {
                id: entry.id,
                left: entry.points.unsigned_abs(),
                expires_on: entry.expires_on,
            });
        } else {
            consume(&mut lots, entry.points.unsigned_abs(), entry.lot);
        }
    }
    result.approved = lots
        .iter()
        .fold(0u64, |sum, lot| sum.saturating_add(lot.left));
    result.pending = u64::try_from(pending).unwrap_or(0);
    result.lifetime = u64::try_from(lifetime).unwrap_or(0);
    result.expiring = expiring(
        lots.iter().map(|lot| (lot.left, lot.expires_on)),
        today,
        soon_days,
    );
    result
}

/// The points of `lots` (points left, expiry day) that expire within
/// `soon_days` after `today`, summed by day, earliest first.
pub fn expiring(
    lots: impl Iterator<Item = (u64, Option<i64>)>,
    today: i64,
    soon_days: i64,
) -> Vec<(u64, i64)> {
    let mut expiring: Vec<(u64, i64)> = Vec::new();
    for (left, expires_on) in lots.filter(|(left, _)| *left > 0) {
        let Some(on) = expires_on.filter(|on| *on > today && *on <= today + soon_days) else {
            continue;
        };
        match expiring.iter_mut().find(|(_, day)| *day == on) {
            Some((points, _)) => *points = points.saturating_add(left),
            None => expiring.push((left, on)),
        }
    }
    expiring.sort_by_key(|(_, on)| *on);
    expiring
}

/// Money spent on orders booked after `since` (refunds taken off), in
/// minor units: what tiers by spend are measured in.
pub fn spend_since(entries: &[Entry], since: i64) -> u64 {
    let total = entries
        .iter()
        .filter(|entry| matches!(entry.kind, Kind::Order | Kind::Refund))
        .filter(|entry| entry.booked_on > since)
        .fold(0i64, |sum, entry| sum.saturating_add(entry.amount_minor));
    u64::try_from(total).unwrap_or(0)
}

/// Points an order earns: whole points for `total_minor` (cents) at
/// `per_unit` points per currency unit, rounded down.
pub fn order_points(total_minor: u64, per_unit: f64) -> u64 {
    let points = (total_minor as f64) * per_unit / 100.0;
    if points.is_finite() && points > 0.0 {
        points.floor() as u64
    } else {
        0
    }
}

/// Points a refund takes back from an order that earned `points` on
/// `total_minor`: the share of the money refunded so far (`before` plus
/// `amount`, at most the whole order), less what earlier refunds took.
/// Refunding the whole order, in one refund or several, takes back exactly
/// its points.
pub fn refund_points(points: u64, total_minor: u64, before: u64, amount: u64) -> u64 {
    if total_minor == 0 {
        return 0;
    }
    let share = |refunded: u64| -> u64 {
        let refunded = u128::from(refunded.min(total_minor));
        u64::try_from(u128::from(points) * refunded / u128::from(total_minor)).unwrap_or(points)
    };
    share(before.saturating_add(amount)) - share(before)
}

/// An amount of money as the platforms write it (`"199.00"`, `"-5"`,
/// `12.5`), in minor units, without its sign; `None` unless it is a plain
/// decimal with at most two places.
pub fn parse_amount(text: &str) -> Option<u64> {
    let text = text.trim().trim_start_matches('-');
    let (units, cents) = text.split_once('.').unwrap_or((text, ""));
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if units.is_empty() || units.len() > 12 || cents.len() > 2 || !digits(units) || !digits(cents) {
        return None;
    }
    let cents: u64 = format!("{cents:0<2}").parse().ok()?;
    Some(units.parse::<u64>().ok()? * 100 + cents)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> i64 {
        parse_date(text).unwrap_or_else(|| panic!("{text} is a date"))
    }

    fn entry(id: i64, kind: Kind, points: i64, on: &str) -> Entry {
        Entry {
            id,
            kind,
            points,
            booked_on: day(on),
            available_on: day(on),
            expires_on: None,
            lot: None,
            amount_minor: 0,
        }
    }

    #[test]
    fn pending_points_count_from_their_day() {
        let mut order = entry(1, Kind::Order, 120, "2026-11-20");
        order.available_on = day("2026-12-04");
        let before = balance(&[order.clone()], day("2026-12-03"), 90);
        assert_eq!(
            (before.approved, before.pending, before.lifetime),
            (0, 120, 120)
        );
        let after = balance(&[order], day("2026-12-04"), 90);
        assert_eq!(
            (after.approved, after.pending, after.lifetime),
            (120, 0, 120)
        );
    }

    #[test]
    fn spending_takes_the_first_expiring_points_and_the_rest_expires() {
        let mut old = entry(1, Kind::Order, 500, "2024-12-31");
        old.expires_on = Some(day("2026-12-31"));
        let mut newer = entry(2, Kind::Order, 400, "2026-01-05");
        newer.expires_on = Some(day("2028-01-05"));
        let spend = entry(3, Kind::Redemption, -300, "2026-10-01");
        let entries = [old, newer, spend];
        let now = balance(&entries, day("2026-11-30"), 90);
        assert_eq!(now.approved, 600);
        assert_eq!(now.spent, 300);
        assert_eq!(now.expiring, vec![(200, day("2026-12-31"))]);
        assert!(now.due.is_empty());
        let later = balance(&entries, day("2026-12-31"), 90);
        assert_eq!(later.approved, 400);
        assert_eq!(later.lifetime, 900, "expiry does not lower lifetime points");
        assert_eq!(
            later.due,
            vec![Due {
                lot: 1,
                points: 200,
                on: day("2026-12-31")
            }]
        );
        // Once booked, the expiry is not counted again.
        let mut booked = entries.to_vec();
        let mut expiry = entry(4, Kind::Expiry, -200, "2026-12-31");
        expiry.lot = Some(1);
        booked.push(expiry);
        let settled = balance(&booked, day("2027-02-01"), 90);
        assert_eq!(settled.approved, 400);
        assert!(settled.due.is_empty());
    }

    #[test]
    fn a_refund_takes_its_own_orders_points_first() {
        let mut early = entry(1, Kind::Order, 100, "2026-01-01");
        early.expires_on = Some(day("2026-06-01"));
        let order = entry(2, Kind::Order, 50, "2026-02-01");
        let mut refund = entry(3, Kind::Refund, -50, "2026-03-01");
        refund.lot = Some(2);
        let balance = balance(&[early, order, refund], day("2026-07-01"), 90);
        // The early lot was not touched by the refund, so all of it expired.
        assert_eq!(balance.approved, 0);
        assert_eq!(balance.due[0].points, 100);
        assert_eq!(balance.lifetime, 100);
    }

    #[test]
    fn a_refund_within_the_return_window_cancels_the_pending_points() {
        let mut order = entry(1, Kind::Order, 80, "2026-11-20");
        order.available_on = day("2026-12-04");
        let mut refund = entry(2, Kind::Refund, -80, "2026-11-25");
        refund.available_on = day("2026-12-04");
        refund.lot = Some(1);
        let entries = [order, refund];
        let during = balance(&entries, day("2026-11-26"), 90);
        assert_eq!(
            (during.approved, during.pending, during.lifetime),
            (0, 0, 0)
        );
        let after = balance(&entries, day("2026-12-10"), 90);
        assert_eq!((after.approved, after.pending), (0, 0));
    }

    #[test]
    fn a_balance_never_goes_below_zero() {
        let entries = [
            entry(1, Kind::Order, 10, "2026-01-01"),
            entry(2, Kind::Adjustment, -50, "2026-01-02"),
        ];
        assert_eq!(balance(&entries, day("2026-02-01"), 90).approved, 0);
    }

    #[test]
    fn sums_saturate_instead_of_wrapping() {
        let entries = [
            entry(1, Kind::Adjustment, i64::MAX, "2026-01-01"),
            entry(2, Kind::Adjustment, i64::MAX, "2026-01-02"),
        ];
        let balance = balance(&entries, day("2026-02-01"), 90);
        assert_eq!(balance.lifetime, i64::MAX as u64);
        assert!(balance.approved >= i64::MAX as u64);
    }

    #[test]
    fn order_and_refund_points() {
        assert_eq!(order_points(4_990, 1.0), 49);
        assert_eq!(order_points(10_000, 1.25), 125);
        assert_eq!(order_points(0, 1.5), 0);
        assert_eq!(order_points(100, f64::NAN), 0);
        // Three partial refunds take back exactly the order's points.
        let parts = [
            refund_points(125, 10_000, 0, 3_333),
            refund_points(125, 10_000, 3_333, 3_333),
            refund_points(125, 10_000, 6_666, 3_334),
        ];
        assert_eq!(parts.iter().sum::<u64>(), 125);
        assert_eq!(refund_points(125, 10_000, 10_000, 500), 0, "nothing left");
        assert_eq!(refund_points(125, 10_000, 0, 99_999), 125, "capped");
    }

    #[test]
    fn amounts_as_the_platforms_write_them() {
        assert_eq!(parse_amount("199.00"), Some(19_900));
        assert_eq!(parse_amount("12.5"), Some(1_250));
        assert_eq!(parse_amount("-5.00"), Some(500));
        assert_eq!(parse_amount("7"), Some(700));
        for bad in ["", ".5", "1.234", "1e3", "12,50", "NaN", "9999999999999"] {
            assert_eq!(parse_amount(bad), None, "{bad}");
        }
    }

    #[test]
    fn spend_counts_orders_less_refunds_after_a_day() {
        let mut old = entry(1, Kind::Order, 10, "2025-01-01");
        old.amount_minor = 5_000;
        let mut order = entry(2, Kind::Order, 10, "2026-05-01");
        order.amount_minor = 12_000;
        let mut refund = entry(3, Kind::Refund, -2, "2026-05-03");
        refund.amount_minor = -2_000;
        let since = add_months(day("2026-11-30"), -12);
        assert_eq!(spend_since(&[old, order, refund], since), 10_000);
    }
}
