//! The console's figures (`GET /admin/v1/analytics`, issue #30): plain
//! arithmetic over a shop's history, no SQL and no HTTP.
//!
//! Two roads lead to the same answer. [`Parts`] are the sums one period
//! needs (orders, revenue, customers ordering, points, redemptions, tier
//! moves...); the store computes them with SQL aggregates
//! (`store::analytics`), and [`parts_of`] computes them from a plain
//! [`History`] (every sale, member, ledger entry and redemption), the
//! reference the store's answer is tested against. [`answer`] turns a
//! period's parts, the previous period's, the trend and the at-risk list
//! into the answer.
//!
//! Days are UTC day numbers (since 1970-01-01); a period is `from..=to`.
//! A customer is a key: a member's customer id, or a non-member's key (see
//! `domain::sales::guest_key`). In a split, a customer counts among
//! `members` when they have a member's order in the period and among
//! `non_members` when they have a non-member's (rarely both); `all` counts
//! each once.

use super::ledger::{self, Kind};
use super::program::{Basis, Grant, Program};
pub use crate::store::analytics::{
    Candidate, Day, Entry, History, Member, Parts, Redemption, Sale, Split,
};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The most days one answer covers.
pub const MAX_DAYS: i64 = 3660;
/// The most customers the at-risk list shows.
pub const AT_RISK_LIMIT: usize = 50;
/// The usual gap of a member with one order, in days.
pub const ONE_ORDER_GAP: i64 = 60;

/// What tiers are measured by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierBasis {
    /// Points earned (all entries but redemptions, expiries and releases).
    LifetimePoints,
    /// Money of orders less refunds booked in the last 12 months (minor).
    Spend12Months,
}

/// The program as the figures need it.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// ISO 4217 code.
    pub currency: String,
    /// A point's money value in minor units.
    pub point_value_minor: f64,
    /// Tiers, lowest first: id, name, threshold (in the basis' unit).
    pub tiers: Vec<(String, String, u64)>,
    /// What the tiers are measured by.
    pub basis: TierBasis,
    /// Rewards' titles by id.
    pub reward_titles: HashMap<String, String>,
}

/// A period, `from..=to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// First day.
    pub from: i64,
    /// Last day.
    pub to: i64,
}

impl Period {
    /// Days in it.
    pub fn days(self) -> i64 {
        self.to - self.from + 1
    }

    /// The same number of days ending the day before.
    pub fn previous(self) -> Period {
        Period {
            from: self.from - self.days(),
            to: self.from - 1,
        }
    }

    fn holds(self, day: i64) -> bool {
        self.from <= day && day <= self.to
    }

    /// The trend's buckets: a day each up to 14 days, a week each up to
    /// 26 weeks, else 28 days each; the last may be shorter.
    pub fn buckets(self) -> Vec<Period> {
        let days = self.days();
        let size = if days <= 14 {
            1
        } else if days <= 182 {
            7
        } else {
            28
        };
        let mut all = Vec::new();
        let mut start = self.from;
        while start <= self.to {
            let end = (start + size - 1).min(self.to);
            all.push(Period {
                from: start,
                to: end,
            });
            start = end + 1;
        }
        all
    }
}

/// The tier rank of a value (0: the lowest tier, or none).
pub fn rank_of(thresholds: &[u64], value: i64) -> usize {
    let value = u64::try_from(value).unwrap_or(0);
    thresholds
        .iter()
        .rposition(|threshold| *threshold <= value)
        .unwrap_or(0)
}

/// A member's tier value on `day` from their entries (the basis' unit).
/// Whether `member` is one on `day`.
fn member_on(member: &Member, day: i64) -> bool {
    member.joined <= day && member.left.is_none_or(|left| day < left)
}

fn tier_value(basis: TierBasis, entries: &[&Entry], day: i64) -> i64 {
    match basis {
        TierBasis::LifetimePoints => entries
            .iter()
            .filter(|entry| entry.day <= day && earns(&entry.kind))
            .map(|entry| entry.points)
            .sum(),
        TierBasis::Spend12Months => {
            let since = ledger::add_months(day, -12);
            entries
                .iter()
                .filter(|entry| since < entry.day && entry.day <= day)
                .filter(|entry| entry.kind == "order" || entry.kind == "refund")
                .map(|entry| entry.amount)
                .sum()
        }
    }
}

/// Whether an entry of `kind` counts as points issued.
pub fn issues(kind: &str, points: i64) -> bool {
    points > 0 && kind != Kind::Release.name()
}

/// Whether an entry of `kind` counts towards lifetime points.
pub fn earns(kind: &str) -> bool {
    Kind::from_name(kind).is_some_and(Kind::earns)
}

/// Counts customers (by key) ordering, and repeating, in a split.
fn customers(sales: &[&Sale]) -> (Split<i64>, Split<i64>) {
    let mut counts: HashMap<(&str, Option<bool>), i64> = HashMap::new();
    for sale in sales {
        *counts.entry((&sale.customer, None)).or_default() += 1;
        *counts
            .entry((&sale.customer, Some(sale.member)))
            .or_default() += 1;
    }
    let (mut ordering, mut repeating) = (Split::default(), Split::default());
    for ((_, side), count) in counts {
        let (into, repeats) = (&mut ordering, count >= 2);
        match side {
            None => {
                into.all += 1;
                repeating.all += i64::from(repeats);
            }
            Some(true) => {
                into.members += 1;
                repeating.members += i64::from(repeats);
            }
            Some(false) => {
                into.non_members += 1;
                repeating.non_members += i64::from(repeats);
            }
        }
    }
    (ordering, repeating)
}

/// A period's parts computed from the whole history: the reference.
pub fn parts_of(history: &History, settings: &Settings, period: Period) -> Parts {
    let previous = period.previous();
    let mut parts = Parts::default();
    let in_period: Vec<&Sale> = history
        .sales
        .iter()
        .filter(|sale| period.holds(sale.day))
        .collect();
    let to_end: Vec<&Sale> = history
        .sales
        .iter()
        .filter(|sale| sale.day <= period.to)
        .collect();
    (parts.ordering, parts.repeating) = customers(&in_period);
    for sale in &in_period {
        parts.orders.add(sale.member, 1);
        parts.revenue.add(sale.member, sale.total - sale.refunded);
    }
    for sale in &to_end {
        parts
            .revenue_to_end
            .add(sale.member, sale.total - sale.refunded);
    }
    (parts.customers_to_end, _) = customers(&to_end);
    let now: HashSet<&str> = in_period.iter().map(|s| s.customer.as_str()).collect();
    let before: HashSet<&str> = history
        .sales
        .iter()
        .filter(|sale| previous.holds(sale.day))
        .map(|sale| sale.customer.as_str())
        .collect();
    let earlier: HashSet<&str> = history
        .sales
        .iter()
        .filter(|sale| sale.day < period.from)
        .map(|sale| sale.customer.as_str())
        .collect();
    parts.retained = now.intersection(&before).count() as i64;
    parts.ordering_before = before.len() as i64;
    parts.first_timers = now.difference(&earlier).count() as i64;
    let members_at_end: Vec<&Member> = history
        .members
        .iter()
        .filter(|member| member_on(member, period.to))
        .collect();
    let ids_at_end: HashSet<&str> = members_at_end.iter().map(|m| m.id.as_str()).collect();
    parts.members = members_at_end.len() as i64;
    parts.new_members = history
        .members
        .iter()
        .filter(|member| period.holds(member.joined))
        .count() as i64;
    let mut active: HashSet<&str> = in_period
        .iter()
        .filter(|sale| sale.member)
        .map(|sale| sale.customer.as_str())
        .collect();
    for redemption in &history.redemptions {
        if period.holds(redemption.day) {
            active.insert(&redemption.customer);
        }
    }
    parts.active_members = active.intersection(&ids_at_end).count() as i64;
    for entry in &history.entries {
        if period.holds(entry.day) {
            if issues(&entry.kind, entry.points) {
                parts.points_issued += entry.points;
            }
            match entry.kind.as_str() {
                "redemption" => parts.points_redeemed -= entry.points,
                "expiry" => parts.points_expired -= entry.points,
                _ => {}
            }
        }
        if entry.day <= period.to && ids_at_end.contains(entry.customer.as_str()) {
            parts.points_outstanding += entry.points;
        }
    }
    for redemption in &history.redemptions {
        if period.holds(redemption.day) {
            parts.redemptions += 1;
            parts.codes_issued += i64::from(redemption.code_made);
            parts.codes_used += i64::from(redemption.used);
            let reward = parts.rewards.entry(redemption.reward.clone()).or_default();
            reward.0 += 1;
            reward.1 += redemption.points;
            reward.2 += i64::from(redemption.used);
        }
    }
    let ordered: HashSet<&str> = to_end
        .iter()
        .filter(|sale| sale.member)
        .map(|sale| sale.customer.as_str())
        .collect();
    for member in &history.members {
        if period.holds(member.joined) && member.referred_by.is_some() {
            parts.friends_joined += 1;
            parts.friends_ordered += i64::from(ordered.contains(member.id.as_str()));
        }
    }
    let thresholds: Vec<u64> = settings.tiers.iter().map(|tier| tier.2).collect();
    let mut by_customer: HashMap<&str, Vec<&Entry>> = HashMap::new();
    for entry in &history.entries {
        by_customer.entry(&entry.customer).or_default().push(entry);
    }
    for member in members_at_end {
        let entries = by_customer.get(member.id.as_str()).map_or(&[][..], |v| v);
        let before = rank_of(
            &thresholds,
            tier_value(settings.basis, entries, period.from - 1),
        );
        let after = rank_of(&thresholds, tier_value(settings.basis, entries, period.to));
        *parts.tier_moves.entry((before, after)).or_default() += 1;
    }
    parts
}

/// The period's days from the history: the trend's input (the reference).
pub fn days_of(history: &History, period: Period) -> BTreeMap<i64, Day> {
    let mut days: BTreeMap<i64, Day> = BTreeMap::new();
    for sale in history.sales.iter().filter(|sale| period.holds(sale.day)) {
        let day = days.entry(sale.day).or_default();
        day.orders.add(sale.member, 1);
        day.revenue.add(sale.member, sale.total - sale.refunded);
    }
    for entry in history.entries.iter().filter(|e| period.holds(e.day)) {
        let day = days.entry(entry.day).or_default();
        if issues(&entry.kind, entry.points) {
            day.points_issued += entry.points;
        }
        if entry.kind == "redemption" {
            day.points_redeemed -= entry.points;
        }
    }
    for member in history.members.iter().filter(|m| period.holds(m.joined)) {
        days.entry(member.joined).or_default().new_members += 1;
    }
    days
}

/// Cohorts from the history (the reference): per join month (`YYYY-MM`)
/// of the members at `to`, how many and their member revenue up to `to`.
pub fn cohorts_of(history: &History, to: i64) -> BTreeMap<String, (i64, i64)> {
    let mut month_of: HashMap<&str, String> = HashMap::new();
    let mut cohorts: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for member in history.members.iter().filter(|m| member_on(m, to)) {
        let month = ledger::format_date(member.joined)[..7].to_owned();
        cohorts.entry(month.clone()).or_default().0 += 1;
        month_of.insert(&member.id, month);
    }
    for sale in &history.sales {
        if sale.member && sale.day <= to {
            if let Some(month) = month_of.get(sale.customer.as_str()) {
                if let Some(cohort) = cohorts.get_mut(month) {
                    cohort.1 += sale.total - sale.refunded;
                }
            }
        }
    }
    cohorts
}

/// The at-risk candidates from the history (the reference): members at
/// `to` with points above 0 (every entry booked up to it) and an order.
pub fn candidates_of(history: &History, to: i64) -> Vec<Candidate> {
    let mut points: HashMap<&str, i64> = HashMap::new();
    for entry in history.entries.iter().filter(|e| e.day <= to) {
        *points.entry(&entry.customer).or_default() += entry.points;
    }
    let mut days: HashMap<&str, Vec<i64>> = HashMap::new();
    let mut last: HashMap<&str, &str> = HashMap::new();
    for sale in history.sales.iter().filter(|s| s.member && s.day <= to) {
        days.entry(&sale.customer).or_default().push(sale.day);
        let latest = last.entry(&sale.customer).or_insert(&sale.placed_at);
        if sale.placed_at.as_str() > *latest {
            *latest = &sale.placed_at;
        }
    }
    history
        .members
        .iter()
        .filter(|member| member_on(member, to))
        .filter_map(|member| {
            let points = points.get(member.id.as_str()).copied().unwrap_or(0);
            let mut order_days = days.get(member.id.as_str()).cloned()?;
            order_days.sort_unstable();
            (points > 0).then(|| Candidate {
                id: member.id.clone(),
                first_name: member.first_name.clone(),
                points,
                order_days,
                usual_gap: None,
                last_order_at: last
                    .get(member.id.as_str())
                    .map(|at| (*at).to_owned())
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// `numerator / denominator`, `None` when the denominator is 0.
fn rate(numerator: i64, denominator: i64) -> Option<f64> {
    (denominator != 0).then(|| numerator as f64 / denominator as f64)
}

/// `numerator / denominator` rounded to a whole number (halves away from
/// zero), `None` when the denominator is 0.
fn per(numerator: i64, denominator: i64) -> Option<i64> {
    (denominator != 0).then(|| {
        let (n, d) = (i128::from(numerator), i128::from(denominator));
        let size = (2 * n.abs() + d.abs()) / (2 * d.abs());
        let rounded = if (n < 0) != (d < 0) { -size } else { size };
        i64::try_from(rounded).unwrap_or(i64::MAX)
    })
}

/// Retention between a period and the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Retention {
    /// Customers who ordered in the previous period.
    pub start: i64,
    /// Customers who ordered in this one.
    pub end: i64,
    /// Of `end`, those whose first order ever is in this one.
    pub new: i64,
    /// Customers who ordered in both.
    pub retained: i64,
}

/// A reward's redemptions in a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RewardFigures {
    /// The reward's id.
    pub id: String,
    /// Its title (the id when the program no longer has it).
    pub title: String,
    /// Redemptions made.
    pub redemptions: i64,
    /// Points spent on them.
    pub points: i64,
    /// Their codes used at a checkout.
    pub codes_used: i64,
}

/// Referrals in a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Referrals {
    /// Links shared: not known to the endpoint (`null`).
    pub links_shared: Option<i64>,
    /// Referred members who joined.
    pub friends_joined: i64,
    /// Of those, who ordered as members by the period's end.
    pub friends_ordered: i64,
    /// friends_ordered / friends_joined.
    pub conversion_rate: Option<f64>,
}

/// A tier in a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierFigures {
    /// The tier's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Members in it at the period's end.
    pub members: i64,
    /// Of those, who were in a lower tier the day before the period.
    pub moved_up: i64,
    /// Of those, who were in a higher one.
    pub moved_down: i64,
}

/// One period's figures (`FIGURES` in the console's API).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    /// Members at the period's end.
    pub members: i64,
    /// Joined within it.
    pub new_members: i64,
    /// Members who ordered or redeemed within it.
    pub active_members: i64,
    /// Customers with at least one order in it.
    pub customers_ordering: Split<i64>,
    /// Customers with two or more.
    pub customers_repeating: Split<i64>,
    /// repeating / ordering.
    pub repeat_purchase_rate: Split<Option<f64>>,
    /// Orders placed in it (refunded in full still count).
    pub orders: Split<i64>,
    /// Order totals less refunds.
    pub revenue_minor: Split<i64>,
    /// revenue / orders, rounded.
    pub average_order_value_minor: Split<Option<i64>>,
    /// revenue / customers ordering, rounded.
    pub revenue_per_customer_minor: Split<Option<i64>>,
    /// All revenue up to its end / customers who ever ordered, rounded.
    pub lifetime_value_minor: Split<Option<i64>>,
    /// Customers kept from the period before.
    pub retention: Retention,
    /// retained / start.
    pub retention_rate: Option<f64>,
    /// 1 - retention_rate.
    pub churn_rate: Option<f64>,
    /// Points earned in it.
    pub points_issued: i64,
    /// Points spent on rewards in it.
    pub points_redeemed: i64,
    /// Points expired in it.
    pub points_expired: i64,
    /// redeemed / issued.
    pub redemption_rate: Option<f64>,
    /// Members' points at its end.
    pub points_outstanding: i64,
    /// Their money value, minor units (rounded).
    pub points_outstanding_value_minor: i64,
    /// Redemptions made in it.
    pub redemptions: i64,
    /// Codes made on the platform for them.
    pub codes_issued: i64,
    /// Codes used at a checkout.
    pub codes_used: i64,
    /// Rewards, the most redeemed first.
    pub rewards: Vec<RewardFigures>,
    /// Referrals.
    pub referrals: Referrals,
    /// Tiers, lowest first.
    pub tiers: Vec<TierFigures>,
}

/// A period's figures from its parts.
pub fn figures(parts: &Parts, settings: &Settings) -> Figures {
    let retention = Retention {
        start: parts.ordering_before,
        end: parts.ordering.all,
        new: parts.first_timers,
        retained: parts.retained,
    };
    let retention_rate = rate(retention.retained, retention.start);
    let mut rewards: Vec<RewardFigures> = parts
        .rewards
        .iter()
        .map(|(id, (redemptions, points, codes_used))| RewardFigures {
            id: id.clone(),
            title: settings
                .reward_titles
                .get(id)
                .cloned()
                .unwrap_or_else(|| id.clone()),
            redemptions: *redemptions,
            points: *points,
            codes_used: *codes_used,
        })
        .collect();
    rewards.sort_by(|a, b| b.redemptions.cmp(&a.redemptions).then(a.id.cmp(&b.id)));
    let tiers = settings
        .tiers
        .iter()
        .enumerate()
        .map(|(rank, (id, name, _))| {
            let mut tier = TierFigures {
                id: id.clone(),
                name: name.clone(),
                members: 0,
                moved_up: 0,
                moved_down: 0,
            };
            for ((before, after), count) in &parts.tier_moves {
                if *after == rank {
                    tier.members += count;
                    tier.moved_up += if before < after { *count } else { 0 };
                    tier.moved_down += if before > after { *count } else { 0 };
                }
            }
            tier
        })
        .collect();
    let value = parts.points_outstanding as f64 * settings.point_value_minor;
    Figures {
        members: parts.members,
        new_members: parts.new_members,
        active_members: parts.active_members,
        customers_ordering: parts.ordering,
        customers_repeating: parts.repeating,
        repeat_purchase_rate: parts.repeating.zip(parts.ordering, rate),
        orders: parts.orders,
        revenue_minor: parts.revenue,
        average_order_value_minor: parts.revenue.zip(parts.orders, per),
        revenue_per_customer_minor: parts.revenue.zip(parts.ordering, per),
        lifetime_value_minor: parts.revenue_to_end.zip(parts.customers_to_end, per),
        retention,
        retention_rate,
        churn_rate: retention_rate.map(|kept| 1.0 - kept),
        points_issued: parts.points_issued,
        points_redeemed: parts.points_redeemed,
        points_expired: parts.points_expired,
        redemption_rate: rate(parts.points_redeemed, parts.points_issued),
        points_outstanding: parts.points_outstanding,
        points_outstanding_value_minor: value.round() as i64,
        redemptions: parts.redemptions,
        codes_issued: parts.codes_issued,
        codes_used: parts.codes_used,
        rewards,
        referrals: Referrals {
            links_shared: None,
            friends_joined: parts.friends_joined,
            friends_ordered: parts.friends_ordered,
            conversion_rate: rate(parts.friends_ordered, parts.friends_joined),
        },
        tiers,
    }
}

/// One bucket of the trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    /// Its first day.
    pub start: String,
    /// Its last day.
    pub end: String,
    /// Orders placed.
    pub orders: Split<i64>,
    /// Their revenue.
    pub revenue_minor: Split<i64>,
    /// Points issued.
    pub points_issued: i64,
    /// Points redeemed.
    pub points_redeemed: i64,
    /// Members who joined.
    pub new_members: i64,
}

/// The trend: the period's days summed per bucket ([`Period::buckets`]).
pub fn trend(period: Period, days: &BTreeMap<i64, Day>) -> Vec<TrendPoint> {
    period
        .buckets()
        .into_iter()
        .map(|bucket| {
            let mut point = TrendPoint {
                start: ledger::format_date(bucket.from),
                end: ledger::format_date(bucket.to),
                orders: Split::default(),
                revenue_minor: Split::default(),
                points_issued: 0,
                points_redeemed: 0,
                new_members: 0,
            };
            for (_, day) in days.range(bucket.from..=bucket.to) {
                point.orders = point.orders.zip(day.orders, |a, b| a + b);
                point.revenue_minor = point.revenue_minor.zip(day.revenue, |a, b| a + b);
                point.points_issued += day.points_issued;
                point.points_redeemed += day.points_redeemed;
                point.new_members += day.new_members;
            }
            point
        })
        .collect()
}

/// A join month's members.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cohort {
    /// `YYYY-MM`.
    pub month: String,
    /// Members who joined in it (and are members at the period's end).
    pub members: i64,
    /// Their member revenue up to the period's end.
    pub revenue_minor: i64,
    /// revenue / members, rounded.
    pub lifetime_value_minor: i64,
}

/// The cohorts, oldest first, at most the last 24 months that have members.
pub fn cohorts(months: &BTreeMap<String, (i64, i64)>) -> Vec<Cohort> {
    let skip = months.len().saturating_sub(24);
    months
        .iter()
        .skip(skip)
        .map(|(month, (members, revenue))| Cohort {
            month: month.clone(),
            members: *members,
            revenue_minor: *revenue,
            lifetime_value_minor: per(*revenue, *members).unwrap_or(0),
        })
        .collect()
}

/// A member at risk of not coming back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AtRisk {
    /// Their customer id.
    pub id: String,
    /// Their first name.
    pub first_name: Option<String>,
    /// Their points.
    pub points: i64,
    /// Their last order's day.
    pub last_order_at: String,
    /// The median of the days between their orders (60 with one order).
    pub usual_gap_days: i64,
    /// Days from their last order to the period's end.
    pub days_since_order: i64,
}

/// The at-risk list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AtRiskList {
    /// How many members are at risk.
    pub count: i64,
    /// The first [`AT_RISK_LIMIT`], most points first.
    pub customers: Vec<AtRisk>,
}

/// The median of the gaps between rising days (the lower of the two
/// middle ones' mean, rounded down), or [`ONE_ORDER_GAP`] for one day.
pub fn usual_gap(days: &[i64]) -> i64 {
    let mut gaps: Vec<i64> = days.windows(2).map(|pair| pair[1] - pair[0]).collect();
    if gaps.is_empty() {
        return ONE_ORDER_GAP;
    }
    gaps.sort_unstable();
    let middle = gaps.len() / 2;
    if gaps.len() % 2 == 1 {
        gaps[middle]
    } else {
        (gaps[middle - 1] + gaps[middle]).div_euclid(2)
    }
}

/// Members whose days since their last order exceed twice their usual
/// gap, most points first (then by id), at most [`AT_RISK_LIMIT`]; counted
/// with `left_out` more known to be at risk but not among the candidates.
pub fn at_risk(candidates: &[Candidate], left_out: i64, to: i64) -> AtRiskList {
    let mut found: Vec<AtRisk> = candidates
        .iter()
        .filter_map(|candidate| {
            let last = *candidate.order_days.last()?;
            let gap = candidate
                .usual_gap
                .unwrap_or_else(|| usual_gap(&candidate.order_days));
            let since = to - last;
            (since > 2 * gap).then(|| AtRisk {
                id: candidate.id.clone(),
                first_name: candidate.first_name.clone(),
                points: candidate.points,
                last_order_at: candidate.last_order_at.clone(),
                usual_gap_days: gap,
                days_since_order: since,
            })
        })
        .collect();
    found.sort_by(|a, b| b.points.cmp(&a.points).then(a.id.cmp(&b.id)));
    let count = found.len() as i64 + left_out;
    found.truncate(AT_RISK_LIMIT);
    AtRiskList {
        count,
        customers: found,
    }
}

/// The whole answer of `GET /admin/v1/analytics`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analytics {
    /// First day.
    pub from: String,
    /// Last day.
    pub to: String,
    /// Days in the period.
    pub days: i64,
    /// The previous period's first day.
    pub previous_from: String,
    /// Its last day.
    pub previous_to: String,
    /// The program's currency.
    pub currency: String,
    /// A point's money value, minor units.
    pub point_value_minor: f64,
    /// The period's figures.
    pub current: Figures,
    /// The previous period's.
    pub previous: Figures,
    /// The period in buckets.
    pub trend: Vec<TrendPoint>,
    /// Members by join month.
    pub cohorts: Vec<Cohort>,
    /// Members at risk.
    pub at_risk: AtRiskList,
    /// `current.customers_ordering`.
    pub customers_ordering: Split<i64>,
    /// `current.repeat_purchase_rate`.
    pub repeat_purchase_rate: Split<Option<f64>>,
    /// `current.average_order_value_minor`.
    pub average_order_value_minor: Split<Option<i64>>,
    /// `current.retention_rate`.
    pub retention_rate: Option<f64>,
    /// `current.churn_rate`.
    pub churn_rate: Option<f64>,
    /// `current.redemption_rate`.
    pub redemption_rate: Option<f64>,
    /// `current.points_outstanding`.
    pub points_outstanding: i64,
    /// `current.new_members`.
    pub new_members: i64,
}

/// Everything one answer is made of, from the store or the reference.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inputs {
    /// The period's parts.
    pub current: Parts,
    /// The previous period's.
    pub previous: Parts,
    /// The period's days.
    pub days: BTreeMap<i64, Day>,
    /// Cohorts at the period's end.
    pub cohorts: BTreeMap<String, (i64, i64)>,
    /// At-risk candidates at the period's end.
    pub candidates: Vec<Candidate>,
    /// Members at risk at the period's end beyond `candidates`: counted,
    /// not listed (the store lists the ones with the most points).
    pub candidates_left_out: i64,
}

/// Everything one answer needs, from the whole history (the reference).
pub fn inputs_of(history: &History, settings: &Settings, period: Period) -> Inputs {
    let previous = period.previous();
    Inputs {
        current: parts_of(history, settings, period),
        previous: parts_of(history, settings, previous),
        days: days_of(history, period),
        cohorts: cohorts_of(history, period.to),
        candidates: candidates_of(history, period.to),
        candidates_left_out: 0,
    }
}

/// What the figures need of the program: its currency, a point's money
/// value (the best of its amount-off rewards: minor units off per point;
/// 0 without one), its tiers in `lang` and its rewards' titles.
pub fn settings_of(program: &Program) -> Settings {
    let lang = program.language(None);
    let point_value_minor = program
        .rewards
        .iter()
        .filter_map(|reward| match reward.value {
            Some(Grant::AmountOff(amount)) if reward.points_price > 0 => {
                Some(amount as f64 / reward.points_price as f64)
            }
            _ => None,
        })
        .fold(0.0, f64::max);
    Settings {
        currency: program.currency.clone(),
        point_value_minor,
        tiers: program
            .published_tiers(&lang)
            .into_iter()
            .map(|tier| (tier.id, tier.name, tier.threshold))
            .collect(),
        basis: match program.tiers.basis {
            Basis::LifetimePoints => TierBasis::LifetimePoints,
            Basis::Spend12Months => TierBasis::Spend12Months,
        },
        reward_titles: program
            .rewards
            .iter()
            .map(|reward| (reward.id.clone(), reward.title.get(&lang).to_owned()))
            .collect(),
    }
}

/// The period `from..=to` asked for (`YYYY-MM-DD`, both inclusive):
/// the last 30 days ending `today` by default; `to` not before `from`,
/// at most [`MAX_DAYS`] days.
pub fn period_of(
    from: Option<&str>,
    to: Option<&str>,
    today: i64,
) -> std::result::Result<Period, String> {
    let day = |name: &str, text: &str| {
        ledger::parse_date(text)
            .filter(|_| text.len() == 10)
            .ok_or_else(|| format!("{name} {text:?} is not a day YYYY-MM-DD"))
    };
    let to = match to {
        Some(text) => day("to", text)?,
        None => today,
    };
    let from = match from {
        Some(text) => day("from", text)?,
        None => to - 29,
    };
    if to < from {
        return Err("to must not be before from".into());
    }
    if to - from + 1 > MAX_DAYS {
        return Err(format!("a period is at most {MAX_DAYS} days"));
    }
    Ok(Period { from, to })
}

/// The answer.
pub fn answer(inputs: &Inputs, settings: &Settings, period: Period) -> Analytics {
    let previous = period.previous();
    let current = figures(&inputs.current, settings);
    Analytics {
        from: ledger::format_date(period.from),
        to: ledger::format_date(period.to),
        days: period.days(),
        previous_from: ledger::format_date(previous.from),
        previous_to: ledger::format_date(previous.to),
        currency: settings.currency.clone(),
        point_value_minor: settings.point_value_minor,
        previous: figures(&inputs.previous, settings),
        trend: trend(period, &inputs.days),
        cohorts: cohorts(&inputs.cohorts),
        at_risk: at_risk(&inputs.candidates, inputs.candidates_left_out, period.to),
        customers_ordering: current.customers_ordering,
        repeat_purchase_rate: current.repeat_purchase_rate,
        average_order_value_minor: current.average_order_value_minor,
        retention_rate: current.retention_rate,
        churn_rate: current.churn_rate,
        redemption_rate: current.redemption_rate,
        points_outstanding: current.points_outstanding,
        new_members: current.new_members,
        current,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> i64 {
        ledger::parse_date(text).expect("a day")
    }

    fn sale(customer: &str, member: bool, total: i64, refunded: i64, at: &str) -> Sale {
        Sale {
            customer: customer.into(),
            member,
            total,
            refunded,
            day: day(&at[..10]),
            placed_at: at.into(),
        }
    }

    fn member(id: &str, joined: &str, left: Option<&str>, referred_by: Option<&str>) -> Member {
        Member {
            id: id.into(),
            first_name: Some(id.to_uppercase()),
            joined: day(joined),
            left: left.map(day),
            referred_by: referred_by.map(str::to_owned),
        }
    }

    fn entry(customer: &str, kind: Kind, points: i64, on: &str) -> Entry {
        Entry {
            customer: customer.into(),
            kind: kind.name().into(),
            points,
            amount: 0,
            day: day(on),
        }
    }

    fn redemption(customer: &str, points: i64, on: &str, used: bool) -> Redemption {
        Redemption {
            customer: customer.into(),
            reward: "r10".into(),
            points,
            day: day(on),
            code_made: true,
            used,
        }
    }

    fn split<T>(all: T, members: T, non_members: T) -> Split<T> {
        Split {
            all,
            members,
            non_members,
        }
    }

    fn settings() -> Settings {
        Settings {
            currency: "EUR".into(),
            point_value_minor: 0.5,
            tiers: vec![
                ("bronze".into(), "Bronze".into(), 0),
                ("silver".into(), "Silver".into(), 160),
            ],
            basis: TierBasis::LifetimePoints,
            reward_titles: HashMap::from([("r10".to_owned(), "10 off".to_owned())]),
        }
    }

    fn november() -> Period {
        Period {
            from: day("2026-11-01"),
            to: day("2026-11-30"),
        }
    }

    /// A small shop whose November figures are worked out by hand in the
    /// test below.
    fn shop() -> History {
        use Kind::*;
        History {
            sales: vec![
                sale("anna", true, 10_000, 0, "2026-10-15T10:00:00Z"),
                // Refunded in full: counts as an order, earns nothing.
                sale("anna", true, 5_000, 5_000, "2026-11-02T09:00:00Z"),
                // The period's last second, and the next day's first.
                sale("anna", true, 3_000, 0, "2026-11-30T23:59:59Z"),
                sale("anna", true, 7_000, 0, "2026-12-01T00:00:00Z"),
                sale("ben", true, 2_000, 0, "2026-11-10T12:00:00Z"),
                sale("email:x", false, 4_000, 0, "2026-10-20T08:00:00Z"),
                sale("email:x", false, 6_000, 1_000, "2026-11-15T08:00:00Z"),
                sale("order:g3", false, 1_000, 0, "2026-11-16T08:00:00Z"),
            ],
            members: vec![
                member("anna", "2026-09-01", None, None),
                member("ben", "2026-11-05", None, Some("anna")),
                // Joined and left within the period.
                member("cleo", "2026-11-03", Some("2026-11-20"), None),
                member("dora", "2026-11-30", None, Some("anna")),
            ],
            entries: vec![
                entry("anna", Welcome, 50, "2026-09-01"),
                entry("anna", Order, 100, "2026-10-15"),
                entry("anna", Order, 50, "2026-11-02"),
                entry("anna", Refund, -50, "2026-11-05"),
                entry("anna", Redemption, -100, "2026-11-12"),
                entry("anna", Expiry, -10, "2026-11-25"),
                entry("anna", Order, 30, "2026-11-30"),
                entry("anna", Order, 70, "2026-12-01"),
                entry("ben", Welcome, 50, "2026-11-05"),
                entry("ben", Order, 20, "2026-11-10"),
                entry("cleo", Welcome, 50, "2026-11-03"),
                entry("cleo", Redemption, -50, "2026-11-10"),
                entry("dora", Welcome, 50, "2026-11-30"),
            ],
            redemptions: vec![
                redemption("anna", 100, "2026-11-12", true),
                redemption("cleo", 50, "2026-11-10", false),
            ],
        }
    }

    #[test]
    fn a_months_figures_are_the_ones_worked_out_by_hand() {
        let (history, settings, period) = (shop(), settings(), november());
        let answer = answer(&inputs_of(&history, &settings, period), &settings, period);
        let now = &answer.current;
        assert_eq!(
            (answer.from.as_str(), answer.to.as_str()),
            ("2026-11-01", "2026-11-30")
        );
        assert_eq!(answer.days, 30);
        assert_eq!(answer.previous_from, "2026-10-02");
        assert_eq!(answer.previous_to, "2026-10-31");
        // anna, ben, dora; cleo left on the 20th.
        assert_eq!(
            (now.members, now.new_members, now.active_members),
            (3, 3, 2)
        );
        // The order at 23:59:59 on the 30th counts, the one at 00:00 on
        // the 1st does not; the refunded one counts with no revenue.
        assert_eq!(now.orders, split(5, 3, 2));
        assert_eq!(now.revenue_minor, split(11_000, 5_000, 6_000));
        assert_eq!(now.customers_ordering, split(4, 2, 2));
        assert_eq!(now.customers_repeating, split(1, 1, 0));
        assert_eq!(
            now.repeat_purchase_rate,
            split(Some(0.25), Some(0.5), Some(0.0))
        );
        assert_eq!(
            now.average_order_value_minor,
            split(Some(2_200), Some(1_667), Some(3_000))
        );
        assert_eq!(
            now.revenue_per_customer_minor,
            split(Some(2_750), Some(2_500), Some(3_000))
        );
        assert_eq!(
            now.lifetime_value_minor,
            split(Some(6_250), Some(7_500), Some(5_000))
        );
        assert_eq!(
            now.retention,
            Retention {
                start: 2,
                end: 4,
                new: 2,
                retained: 2
            }
        );
        assert_eq!((now.retention_rate, now.churn_rate), (Some(1.0), Some(0.0)));
        assert_eq!(
            (now.points_issued, now.points_redeemed, now.points_expired),
            (250, 150, 10)
        );
        assert_eq!(now.redemption_rate, Some(0.6));
        // anna 70, ben 70, dora 50; not the 1st's points, not cleo's.
        assert_eq!(now.points_outstanding, 190);
        assert_eq!(now.points_outstanding_value_minor, 95);
        assert_eq!(
            (now.redemptions, now.codes_issued, now.codes_used),
            (2, 2, 1)
        );
        assert_eq!(
            now.rewards,
            vec![RewardFigures {
                id: "r10".into(),
                title: "10 off".into(),
                redemptions: 2,
                points: 150,
                codes_used: 1
            }]
        );
        assert_eq!(
            (now.referrals.friends_joined, now.referrals.friends_ordered),
            (2, 1)
        );
        assert_eq!(now.referrals.conversion_rate, Some(0.5));
        assert_eq!(now.referrals.links_shared, None);
        // anna: 150 lifetime points on Oct 31 (bronze), 180 on Nov 30.
        let tiers: Vec<(&str, i64, i64, i64)> = now
            .tiers
            .iter()
            .map(|t| (t.id.as_str(), t.members, t.moved_up, t.moved_down))
            .collect();
        assert_eq!(tiers, [("bronze", 2, 0, 0), ("silver", 1, 1, 0)]);
        // October: anna and the guest, both new then.
        let before = &answer.previous;
        assert_eq!(before.orders, split(2, 1, 1));
        assert_eq!(before.retention.start, 0);
        assert_eq!(before.retention_rate, None);
        assert_eq!(before.members, 1);
        // The top level repeats the current figures.
        assert_eq!(answer.customers_ordering, now.customers_ordering);
        assert_eq!(answer.new_members, 3);
        assert_eq!(answer.points_outstanding, 190);
        // Weeks from the 1st; the last is the 29th and 30th.
        let last = answer.trend.last().expect("a trend");
        assert_eq!(answer.trend.len(), 5);
        assert_eq!(
            (last.start.as_str(), last.end.as_str()),
            ("2026-11-29", "2026-11-30")
        );
        assert_eq!(last.orders, split(1, 1, 0));
        assert_eq!((last.points_issued, last.new_members), (80, 1));
        let sum: i64 = answer.trend.iter().map(|p| p.revenue_minor.all).sum();
        assert_eq!(sum, 11_000);
        // Cohorts: September (anna: 13,000 up to the 30th), November
        // (ben 2,000 and dora; cleo is gone).
        let cohorts: Vec<(&str, i64, i64, i64)> = answer
            .cohorts
            .iter()
            .map(|c| {
                (
                    c.month.as_str(),
                    c.members,
                    c.revenue_minor,
                    c.lifetime_value_minor,
                )
            })
            .collect();
        assert_eq!(
            cohorts,
            [("2026-09", 1, 13_000, 13_000), ("2026-11", 2, 2_000, 1_000)]
        );
    }

    #[test]
    fn an_erasure_leaves_the_days_before_it_as_they_were() {
        let (settings, period) = (settings(), november());
        let mut history = shop();
        let before = answer(&inputs_of(&history, &settings, period), &settings, period);
        // ben is erased on December 7th: a member up to the 6th.
        let ben = history.members.iter_mut().find(|m| m.id == "ben");
        if let Some(ben) = ben {
            ben.left = Some(day("2026-12-07"));
        }
        let after = answer(&inputs_of(&history, &settings, period), &settings, period);
        assert_eq!(after, before);
        let december = |to: &str| Period {
            from: day("2026-12-01"),
            to: day(to),
        };
        let (on_the_6th, on_the_7th) = (december("2026-12-06"), december("2026-12-07"));
        let parts = |period| parts_of(&history, &settings, period);
        // anna, ben, dora on the 6th; ben gone on the 7th, with his 70
        // points and his tier.
        assert_eq!(parts(on_the_6th).members, 3);
        assert_eq!(parts(on_the_7th).members, 2);
        assert_eq!(
            parts(on_the_6th).points_outstanding - parts(on_the_7th).points_outstanding,
            70
        );
        let members: i64 = parts(on_the_7th).tier_moves.values().sum();
        assert_eq!(members, 2);
        // His cohort (November) keeps dora only.
        assert_eq!(
            cohorts_of(&history, day("2026-12-07")).get("2026-11"),
            Some(&(1, 0))
        );
        assert_eq!(
            cohorts_of(&history, day("2026-12-06")).get("2026-11"),
            Some(&(2, 2_000))
        );
    }

    #[test]
    fn the_next_day_starts_at_midnight_utc() {
        let (history, settings) = (shop(), settings());
        let december = Period {
            from: day("2026-12-01"),
            to: day("2026-12-01"),
        };
        let parts = parts_of(&history, &settings, december);
        assert_eq!(parts.orders.all, 1);
        assert_eq!(parts.revenue.members, 7_000);
    }

    #[test]
    fn a_shop_without_orders_has_no_rates() {
        let (history, settings, period) = (History::default(), settings(), november());
        let answer = answer(&inputs_of(&history, &settings, period), &settings, period);
        assert_eq!(answer.repeat_purchase_rate, split(None, None, None));
        assert_eq!(answer.average_order_value_minor, split(None, None, None));
        assert_eq!(answer.current.lifetime_value_minor, split(None, None, None));
        assert_eq!((answer.retention_rate, answer.churn_rate), (None, None));
        assert_eq!(answer.redemption_rate, None);
        assert_eq!(answer.current.referrals.conversion_rate, None);
        assert_eq!(answer.at_risk.count, 0);
        assert!(answer.cohorts.is_empty());
        assert!(answer.trend.iter().all(|p| p.orders.all == 0));
    }

    #[test]
    fn members_are_at_risk_past_twice_their_usual_gap() {
        let to = day("2026-11-30");
        let candidate = |id: &str, points: i64, days: &[i64]| Candidate {
            id: id.into(),
            first_name: None,
            points,
            order_days: days.to_vec(),
            usual_gap: None,
            last_order_at: ledger::format_date(*days.last().unwrap_or(&0)),
        };
        let list = at_risk(
            &[
                // Every 10 days, the last 21 days ago: at risk.
                candidate("a", 10, &[to - 41, to - 31, to - 21]),
                // The same, 20 days ago: not yet.
                candidate("b", 99, &[to - 40, to - 30, to - 20]),
                // One order: 60 days is their gap; 121 days ago.
                candidate("c", 50, &[to - 121]),
                candidate("d", 50, &[to - 120]),
            ],
            0,
            to,
        );
        let ids: Vec<&str> = list.customers.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["c", "a"], "most points first");
        assert_eq!(list.count, 2);
        assert_eq!(list.customers[1].usual_gap_days, 10);
        assert_eq!(list.customers[0].days_since_order, 121);
        assert_eq!(usual_gap(&[0, 2, 10, 11, 30]), 5, "gaps 2 8 1 19: (2+8)/2");
    }

    #[test]
    fn a_period_longer_than_half_a_year_is_cut_in_four_weeks() {
        let year = Period {
            from: day("2026-01-01"),
            to: day("2026-12-31"),
        };
        let buckets = year.buckets();
        assert_eq!(buckets.len(), 14);
        assert_eq!(buckets[13].to, year.to);
        assert_eq!(buckets[13].days(), 365 - 13 * 28);
        let short = Period { from: 0, to: 9 };
        assert_eq!(short.buckets().len(), 10);
    }
}
