//! The demo customers of the coffee roastery's club (its program is the
//! file `endpoint/programs/morgenrot.toml`). Seeding runs once, on a
//! database without customers.

use crate::db::StoreError;
use rusqlite::{params, Connection};

/// A demo customer.
pub struct DemoCustomer {
    /// Customer id (the token's `sub`).
    pub id: &'static str,
    /// First name.
    pub name: &'static str,
    /// Approved, pending, spent and lifetime points.
    pub points: [u64; 4],
    /// Referral code.
    pub code: &'static str,
    /// Friends who joined through the code.
    pub friends: u32,
    /// Club member.
    pub club: bool,
}

/// The demo customers: Anna (Silver, club member), Ben (new, not in the
/// club), Carla (Gold), and Dora (Gold, not in the club; the browser tests
/// redeem and join with her so the others' figures stay put).
pub const CUSTOMERS: &[DemoCustomer] = &[
    DemoCustomer {
        id: "cust-anna",
        name: "Anna",
        points: [1250, 120, 300, 1670],
        code: "ANNA10",
        friends: 3,
        club: true,
    },
    DemoCustomer {
        id: "cust-ben",
        name: "Ben",
        points: [100, 0, 0, 100],
        code: "BEN10",
        friends: 0,
        club: false,
    },
    DemoCustomer {
        id: "cust-carla",
        name: "Carla",
        points: [4200, 0, 900, 5100],
        code: "CARLA10",
        friends: 7,
        club: true,
    },
    DemoCustomer {
        id: "cust-dora",
        name: "Dora",
        points: [9000, 0, 0, 9000],
        code: "DORA10",
        friends: 0,
        club: false,
    },
];

/// Seeds the demo customers if the database has none; returns whether it
/// did. (The program itself comes from a program file: [`crate::program`].)
pub fn seed_if_empty(conn: &mut Connection) -> Result<bool, StoreError> {
    let seeded: i64 = conn.query_row("SELECT COUNT(*) FROM customers", [], |r| r.get(0))?;
    if seeded > 0 {
        return Ok(false);
    }
    let tx = conn.transaction()?;
    for customer in CUSTOMERS {
        let [approved, pending, spent, lifetime] = customer.points;
        let (id, name, code, friends, club) = (
            customer.id,
            customer.name,
            customer.code,
            customer.friends,
            customer.club,
        );
        tx.execute(
            "INSERT INTO customers (id, first_name, state, approved, pending, spent, lifetime, referral_code, friends_joined, club_member, club_joined_at)
             VALUES (?1, ?2, 'member', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![id, name, approved, pending, spent, lifetime, code, friends, club, club.then_some("2026-03-01")],
        )?;
    }
    tx.execute(
        "INSERT INTO expiring (customer_id, points, at) VALUES ('cust-anna', 200, '2026-12-31')",
        [],
    )?;
    for month in 1..=11u32 {
        for (day, kind, en, de, points, state) in [
            (
                5,
                "earned",
                "Order",
                "Bestellung",
                40 + i64::from(month) * 3,
                "approved",
            ),
            (
                20,
                "earned",
                "Order",
                "Bestellung",
                25,
                if month == 11 { "pending" } else { "approved" },
            ),
        ] {
            tx.execute(
                "INSERT INTO activity (customer_id, kind, label_en, label_de, points, state, date) VALUES ('cust-anna', ?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    kind,
                    format!("{en} #{}", 1000 + month * 10 + day),
                    format!("{de} #{}", 1000 + month * 10 + day),
                    points,
                    state,
                    format!("2026-{month:02}-{day:02}")
                ],
            )?;
        }
    }
    tx.commit()?;
    Ok(true)
}
