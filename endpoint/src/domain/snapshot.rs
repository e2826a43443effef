//! A customer's ledger folded up to a day, kept beside the append-only
//! ledger so that a write (and a read) costs the same for a customer with
//! ten entries or ten thousand: [`Snapshot::apply`] takes each new entry
//! as it is appended, [`Snapshot::advance`] moves the fold on to a later
//! day (points becoming available, lots expiring) and [`Snapshot::balance`]
//! says what [`ledger::balance`] says over the whole ledger. Its state is
//! the lots with points left, the entries still pending and the running
//! totals: it grows with what is open, never with the history.
//!
//! An entry that counts from a day the fold has already passed (only the
//! demo's back-dated history, or a clock moved back in tests) cannot be
//! folded in order: [`Snapshot::apply`] says so, and the caller folds the
//! whole ledger again ([`Snapshot::of`]).

use super::ledger::{self, Balance, Due, Entry, Kind, Lot};
use serde::{Deserialize, Serialize};

/// An entry that counts from a later day than the fold has reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Waiting {
    id: i64,
    expiry: bool,
    points: i64,
    available_on: i64,
    expires_on: Option<i64>,
    lot: Option<i64>,
}

/// The fold of a customer's ledger (see the module's text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The last entry folded in (entries come in rising id order).
    pub last_id: i64,
    /// Every event up to and including this day is applied.
    pub day: i64,
    lots: Vec<Lot>,
    waiting: Vec<Waiting>,
    lifetime: i64,
    spent: u64,
    /// Expired and not booked yet.
    due: Vec<Due>,
    /// Lots whose expiry was booked before the fold saw them expire.
    booked: Vec<i64>,
}

/// The fold cannot take an entry in order: fold the whole ledger again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfOrder;

impl Default for Snapshot {
    fn default() -> Snapshot {
        Snapshot {
            last_id: 0,
            day: i64::MIN,
            lots: Vec::new(),
            waiting: Vec::new(),
            lifetime: 0,
            spent: 0,
            due: Vec::new(),
            booked: Vec::new(),
        }
    }
}

impl Snapshot {
    /// The fold of `entries` (in ledger order), advanced to `today`.
    pub fn of(entries: &[Entry], today: i64) -> Snapshot {
        let mut snapshot = Snapshot::default();
        for entry in entries {
            // Before any day is reached every entry waits: never out of order.
            let _ = snapshot.apply(entry);
        }
        snapshot.advance(today);
        snapshot
    }

    /// Folds in the next entry of the ledger.
    pub fn apply(&mut self, entry: &Entry) -> Result<(), OutOfOrder> {
        if entry.kind != Kind::Expiry && entry.available_on < self.day {
            return Err(OutOfOrder);
        }
        if entry.kind.earns() {
            self.lifetime = self.lifetime.saturating_add(entry.points);
        }
        if entry.kind == Kind::Redemption {
            self.spent = self.spent.saturating_add(entry.points.unsigned_abs());
        }
        if entry.kind == Kind::Release {
            self.spent = self.spent.saturating_sub(entry.points.unsigned_abs());
        }
        self.last_id = self.last_id.max(entry.id);
        let waiting = Waiting {
            id: entry.id,
            expiry: entry.kind == Kind::Expiry,
            points: entry.points,
            available_on: entry.available_on,
            expires_on: entry.expires_on,
            lot: entry.lot,
        };
        if waiting.expiry {
            self.book_expiry(waiting.lot);
        }
        if entry.available_on > self.day {
            self.waiting.push(waiting);
        } else {
            self.count(&waiting);
        }
        Ok(())
    }

    /// An expiry entry for `lot`: its points are no longer due.
    fn book_expiry(&mut self, lot: Option<i64>) {
        let Some(lot) = lot else {
            return;
        };
        let before = self.due.len();
        self.due.retain(|due| due.lot != lot);
        if self.due.len() == before && !self.booked.contains(&lot) {
            self.booked.push(lot);
        }
    }

    /// An entry starts to count: a lot, or points taken from the lots.
    fn count(&mut self, entry: &Waiting) {
        if entry.expiry {
            return;
        }
        if entry.points > 0 {
            self.lots.push(Lot {
                id: entry.id,
                left: entry.points.unsigned_abs(),
                expires_on: entry.expires_on,
            });
        } else {
            self.consume(entry.points.unsigned_abs(), entry.lot);
        }
    }

    /// Takes `points` from the lots, first from `first`, then
    /// first-expiring first ([`ledger::consume`]); spent lots are dropped.
    fn consume(&mut self, points: u64, first: Option<i64>) {
        ledger::consume(&mut self.lots, points, first);
        self.lots.retain(|lot| lot.left > 0);
    }

    /// A lot's rest expires on `day`.
    fn expire(&mut self, at: usize, day: i64) {
        let lot = self.lots.remove(at);
        if let Some(booked) = self.booked.iter().position(|id| *id == lot.id) {
            self.booked.remove(booked);
        } else {
            self.due.push(Due {
                lot: lot.id,
                points: lot.left,
                on: day,
            });
        }
    }

    /// Applies every event up to `today` in the ledger's order: on each
    /// day, lots expire first, then entries count in ledger order. A day
    /// before the one reached changes nothing (the fold cannot go back).
    pub fn advance(&mut self, today: i64) {
        if today <= self.day {
            return;
        }
        loop {
            let expiring = self
                .lots
                .iter()
                .enumerate()
                .filter_map(|(at, lot)| Some(((lot.expires_on?, 0u8, lot.id), at)))
                .filter(|((day, _, _), _)| *day <= today)
                .min();
            let counting = self
                .waiting
                .iter()
                .enumerate()
                .map(|(at, entry)| ((entry.available_on, 1u8, entry.id), at))
                .filter(|((day, _, _), _)| *day <= today)
                .min();
            match (expiring, counting) {
                (None, None) => break,
                (Some(((day, _, _), at)), None) => self.expire(at, day),
                (Some(((day, phase, id), at)), Some((next, _))) if (day, phase, id) < next => {
                    self.expire(at, day);
                }
                (_, Some((_, at))) => {
                    let entry = self.waiting.remove(at);
                    self.count(&entry);
                }
            }
        }
        self.day = today;
    }

    /// Whether the fold can say the balance on `today` (a day it has not
    /// passed).
    pub fn reaches(&self, today: i64) -> bool {
        today >= self.day
    }

    /// The balance on `today` (a day it [`reaches`](Self::reaches)), with the
    /// points that expire within `soon_days` after it.
    pub fn balance(&self, today: i64, soon_days: i64) -> Balance {
        let mut view = self.clone();
        view.advance(today);
        let pending = view
            .waiting
            .iter()
            .fold(0i64, |sum, entry| sum.saturating_add(entry.points));
        let expiring = ledger::expiring(
            view.lots.iter().map(|lot| (lot.left, lot.expires_on)),
            today,
            soon_days,
        );
        Balance {
            approved: view
                .lots
                .iter()
                .fold(0u64, |sum, lot| sum.saturating_add(lot.left)),
            pending: u64::try_from(pending).unwrap_or(0),
            spent: view.spent,
            lifetime: u64::try_from(view.lifetime).unwrap_or(0),
            expiring,
            due: view.due,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::ledger::{self, Entry, Kind};
    use super::*;

    /// A small deterministic random source (xorshift64*).
    struct Dice(u64);

    impl Dice {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n.max(1)
        }

        fn range(&mut self, low: i64, high: i64) -> i64 {
            low + self.below(u64::try_from(high - low + 1).unwrap_or(1)) as i64
        }
    }

    const WINDOW: i64 = 90;

    /// One random entry of a shop's life on day `today` (orders pending for
    /// a return window, redemptions, refunds of an order, adjustments,
    /// expiries booked as the sweep books them, now and then one dated
    /// back), given the ledger so far.
    fn random_entry(dice: &mut Dice, ledger: &[Entry], today: i64) -> Entry {
        let id = ledger.last().map_or(1, |entry| entry.id + 1);
        let months = match dice.below(4) {
            0 => None,
            _ => Some(dice.range(20, 400)),
        };
        let plain = |kind, points, available_on| Entry {
            id,
            kind,
            points,
            booked_on: today,
            available_on,
            expires_on: None,
            lot: None,
            amount_minor: 0,
        };
        let due = ledger::balance(ledger, today, WINDOW).due;
        match dice.below(12) {
            0..=2 => {
                let available_on = today + dice.range(0, 14);
                Entry {
                    expires_on: months.map(|days| available_on + days),
                    amount_minor: dice.range(100, 20_000),
                    ..plain(Kind::Order, dice.range(1, 500), available_on)
                }
            }
            3 | 4 => plain(Kind::Redemption, -dice.range(1, 400), today),
            // A redemption given back: its points return as a new lot.
            11 => match ledger.iter().rev().find(|e| e.kind == Kind::Redemption) {
                Some(spent) => Entry {
                    expires_on: months.map(|days| today + days),
                    ..plain(Kind::Release, -spent.points, today)
                },
                None => plain(Kind::Redemption, -dice.range(1, 400), today),
            },
            5 | 6 => {
                let orders: Vec<&Entry> = ledger.iter().filter(|e| e.kind == Kind::Order).collect();
                match orders.get(dice.below(orders.len() as u64 + 1) as usize) {
                    Some(order) => Entry {
                        lot: Some(order.id),
                        amount_minor: -order.amount_minor / 2,
                        ..plain(
                            Kind::Refund,
                            -dice.range(1, order.points.max(1)),
                            order.available_on.max(today),
                        )
                    },
                    None => plain(Kind::Adjustment, dice.range(-50, 50), today),
                }
            }
            10 => Entry {
                expires_on: months.map(|days| today + days),
                ..plain(Kind::Adjustment, dice.range(-200, 300), today)
            },
            7 if !due.is_empty() => {
                let first = &due[0];
                Entry {
                    lot: Some(first.lot),
                    ..plain(Kind::Expiry, -(first.points as i64), first.on)
                }
            }
            8 => Entry {
                expires_on: months.map(|days| today + days),
                ..plain(Kind::Birthday, dice.range(1, 100), today)
            },
            // Dated back (the demo's history): folded by starting again.
            _ => {
                let available_on = today - dice.range(0, 40);
                Entry {
                    expires_on: months.map(|days| available_on + days),
                    ..plain(Kind::Welcome, dice.range(1, 200), available_on)
                }
            }
        }
    }

    #[test]
    fn the_snapshot_always_equals_the_fold_over_the_whole_ledger() {
        let mut checked = 0;
        for seed in 1..=300u64 {
            let mut dice = Dice(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
            let mut ledger: Vec<Entry> = Vec::new();
            let mut snapshot = Snapshot::default();
            let mut today = 20_000 + dice.range(0, 400);
            for _ in 0..dice.range(1, 80) {
                // The clock moves on (now and then, in tests, back).
                today += match dice.below(12) {
                    0 => -dice.range(0, 30),
                    _ => dice.range(0, 25),
                };
                let entry = random_entry(&mut dice, &ledger, today);
                ledger.push(entry.clone());
                // What the store does on a write: advance to today, fold the
                // entry in, or fold the whole ledger again when it cannot.
                if snapshot.reaches(today) {
                    snapshot.advance(today);
                }
                if snapshot.apply(&entry).is_err() {
                    snapshot = Snapshot::of(&ledger, today);
                }
                // Stored as JSON between requests.
                let text = serde_json::to_string(&snapshot).expect("serialises");
                snapshot = serde_json::from_str(&text).expect("reads back");
                for later in [0, 1, dice.range(2, 60), dice.range(60, 900)] {
                    let day = today + later;
                    let whole = ledger::balance(&ledger, day, WINDOW);
                    let view = if snapshot.reaches(day) {
                        snapshot.balance(day, WINDOW)
                    } else {
                        Snapshot::of(&ledger, day).balance(day, WINDOW)
                    };
                    assert_eq!(view, whole, "seed {seed}, day {day}, ledger {ledger:#?}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 10_000, "{checked} balances compared");
    }

    #[test]
    fn a_long_history_folds_into_a_small_snapshot() {
        // Ten thousand orders and redemptions, each spending what the
        // orders brought: the snapshot holds what is open, not the history.
        let mut snapshot = Snapshot::default();
        let mut ledger = Vec::new();
        for n in 0..10_000i64 {
            let today = 20_000 + n / 10;
            let (kind, points) = if n % 2 == 0 {
                (Kind::Order, 100)
            } else {
                (Kind::Redemption, -100)
            };
            let entry = Entry {
                id: n + 1,
                kind,
                points,
                booked_on: today,
                available_on: today,
                expires_on: (points > 0).then_some(today + 365),
                lot: None,
                amount_minor: 0,
            };
            snapshot.advance(today);
            snapshot.apply(&entry).expect("in order");
            ledger.push(entry);
        }
        let text = serde_json::to_string(&snapshot).expect("serialises");
        assert!(text.len() < 500, "{} bytes: {text}", text.len());
        assert_eq!(
            snapshot.balance(21_000, WINDOW),
            ledger::balance(&ledger, 21_000, WINDOW)
        );
    }
}
