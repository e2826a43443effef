//! The demo customers of the coffee roastery's club (its program is the
//! file `endpoint/programs/morgenrot.toml`). Seeding runs once, on a
//! database without customers, and books each customer's history as
//! ledger entries dated back from the day it runs, so the demo looks the
//! same whenever it starts (and on the pinned day of `--today`).

use super::account::{self, NewEntry};
use super::error::Result;
use super::ledger::{self, Kind};
use super::program::Program;
use crate::store::queries::{self as q, Counted};
use crate::store::rows::{NewCustomer, NewOrder, NewRedemption};
use crate::store::{Db, Store};

/// A demo customer.
pub struct DemoCustomer {
    /// Customer id (the token's `sub`).
    pub id: &'static str,
    /// First name.
    pub name: &'static str,
    /// Referral code.
    pub code: &'static str,
    /// Friends who joined through the code.
    pub friends: u32,
    /// Club member.
    pub club: bool,
}

/// The demo customers: Anna (Silver, 1,250 points, 120 pending, 200 about
/// to expire, club member), Ben (new, 100 points, not in the club), Carla
/// (Gold, 4,200) and Dora (Gold, 9,000, not in the club; the browser tests
/// redeem and join with her so the others' figures stay put).
pub const CUSTOMERS: &[DemoCustomer] = &[
    DemoCustomer {
        id: "cust-anna",
        name: "Anna",
        code: "ANNA10",
        friends: 3,
        club: true,
    },
    DemoCustomer {
        id: "cust-ben",
        name: "Ben",
        code: "BEN10",
        friends: 0,
        club: false,
    },
    DemoCustomer {
        id: "cust-carla",
        name: "Carla",
        code: "CARLA10",
        friends: 7,
        club: true,
    },
    DemoCustomer {
        id: "cust-dora",
        name: "Dora",
        code: "DORA10",
        friends: 0,
        club: false,
    },
];

/// One booked history line: (customer, kind, points, days before today
/// it was booked, order number or reward id).
type Line = (&'static str, Kind, i64, i64, String);

/// Seeds the demo customers if the database has none; returns whether it
/// did. (The program itself comes from a program file: [`super::program`].)
pub async fn seed_if_empty(store: &Store, program: &Program, today: i64) -> Result<bool> {
    let mut tx = store.write().await?;
    let seeded = seed(&mut tx.db(), program, today).await?;
    tx.commit().await?;
    Ok(seeded)
}

async fn seed(db: &mut Db<'_>, program: &Program, today: i64) -> Result<bool> {
    if q::count(db, Counted::Customers).await? > 0 {
        return Ok(false);
    }
    // Anna and Carla joined the club 274 days ago (with the welcome bonus).
    let joined = ledger::format_date(today - 274);
    let created_on = ledger::format_date(today);
    for customer in CUSTOMERS {
        let new = NewCustomer {
            id: customer.id,
            first_name: Some(customer.name),
            email: None,
            birthday: None,
            referral_code: customer.code,
            referred_by: None,
            friends_joined: i64::from(customer.friends),
            club_joined_at: customer.club.then_some(joined.as_str()),
            created_on: &created_on,
        };
        q::insert_customer(db, &new).await?;
    }
    // Anna's oldest order counts from the day that makes its points expire
    // 31 days from today; the 300 she spent came out of them first, so 200
    // are about to expire.
    let pending = i64::from(program.pending_days);
    let counts_from = ledger::add_months(today + 31, -i64::from(program.expiry.months.max(1)));
    let oldest = today - counts_from + pending;
    let mut lines: Vec<Line> = vec![
        ("cust-anna", Kind::Order, 500, oldest, "1001".into()),
        ("cust-anna", Kind::Welcome, 100, 274, String::new()),
        ("cust-anna", Kind::Birthday, 50, 169, String::new()),
        ("cust-anna", Kind::Redemption, -300, 60, "r-shipping".into()),
        ("cust-ben", Kind::Order, 100, 30, "2001".into()),
        ("cust-carla", Kind::Order, 3000, 200, "3001".into()),
        ("cust-carla", Kind::Order, 2100, 100, "3002".into()),
        ("cust-carla", Kind::Redemption, -900, 50, "r-10pct".into()),
        ("cust-dora", Kind::Order, 6000, 80, "4001".into()),
        ("cust-dora", Kind::Order, 3000, 40, "4002".into()),
        // Within the return window: 120 points pending.
        ("cust-anna", Kind::Order, 95, 13, String::new()),
    ];
    // Two orders a month over the last eleven months; the latest is still
    // pending too.
    for month in 0..11i64 {
        let back = 10 + 30 * month;
        let early = if month == 10 {
            55
        } else {
            40 + 3 * (11 - month)
        };
        lines.push(("cust-anna", Kind::Order, early, back + 15, String::new()));
        lines.push(("cust-anna", Kind::Order, 25, back, String::new()));
    }
    // Booked oldest first, as they happened; the monthly orders numbered
    // in that order (#1101 to #1123).
    lines.sort_by_key(|line| std::cmp::Reverse(line.3));
    let mut number = 1100;
    for (customer, kind, points, back, what) in lines {
        let what = if kind == Kind::Order && what.is_empty() {
            number += 1;
            number.to_string()
        } else {
            what
        };
        book(
            db,
            program,
            customer,
            kind,
            points,
            (today - back, today),
            &what,
        )
        .await?;
    }
    Ok(true)
}

async fn book(
    db: &mut Db<'_>,
    program: &Program,
    customer: &str,
    kind: Kind,
    points: i64,
    (booked_on, today): (i64, i64),
    what: &str,
) -> Result<()> {
    // The labels booked with the entry (the history renders them from what
    // the entry records, in the reader's language).
    let (en, de) = (program.language(Some("en")), program.language(Some("de")));
    let (label_en, label_de, code) = match kind {
        Kind::Order => (
            format!("Order #{what}"),
            format!("Bestellung #{what}"),
            None,
        ),
        Kind::Welcome => (
            "Welcome to the club".into(),
            "Willkommen im Club".into(),
            None,
        ),
        Kind::Birthday => (
            "Happy birthday".into(),
            "Alles Gute zum Geburtstag".into(),
            None,
        ),
        _ => {
            let reward = program.rewards.iter().find(|reward| reward.id == what);
            let (title_en, title_de) = reward.map_or((what.to_owned(), what.to_owned()), |r| {
                (r.title.get(&en).to_owned(), r.title.get(&de).to_owned())
            });
            let name = customer.trim_start_matches("cust-").to_uppercase();
            (title_en, title_de, Some(format!("MR-DEMO-{name}")))
        }
    };
    let available_on = if kind == Kind::Order {
        booked_on + i64::from(program.pending_days)
    } else {
        booked_on
    };
    let order_id = format!("demo-{what}");
    let entry = NewEntry {
        available_on,
        code: code.as_deref(),
        order_id: (kind == Kind::Order).then_some(order_id.as_str()),
        ..NewEntry::now(customer, kind, points, booked_on, (&label_en, &label_de))
    };
    let entry_id = account::append(db, program, &entry, today).await?;
    match (kind, code) {
        (Kind::Order, _) => {
            let order = NewOrder {
                id: &order_id,
                customer_id: customer,
                total_minor: points * 100,
                points,
                entry_id,
                available_on: ledger::format_date(available_on),
                paid_on: ledger::format_date(booked_on),
                referrer_id: None,
                referral_points: 0,
                number: what,
            };
            q::insert_order(db, &order).await?;
            // Its sale, for the console's figures (placed at the day's start,
            // as migration 0010 places orders from before it).
            let sale = crate::store::sales::SaleRow {
                id: order_id.clone(),
                customer_key: customer.to_owned(),
                member: 1,
                total_minor: points * 100,
                refunded_minor: 0,
                placed_at: format!("{}T00:00:00Z", ledger::format_date(booked_on)),
                source: "live".into(),
            };
            crate::store::sales::insert_sales(db, &[sale]).await?;
        }
        (Kind::Redemption, Some(code)) => {
            let redemption = NewRedemption {
                id: &format!("red-{entry_id}"),
                customer_id: customer,
                reward_id: what,
                points_spent: -points,
                code: &code,
                expires_at: &ledger::format_date(booked_on + 89),
                created_at: &ledger::format_date(booked_on),
                state: "active",
                idempotency_key: None,
                entry_id,
                platform: None,
                spec: None,
                touched_at: 0,
            };
            q::insert_redemption(db, &redemption).await?;
        }
        _ => {}
    }
    Ok(())
}
