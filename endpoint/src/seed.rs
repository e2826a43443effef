//! The demo program: a German coffee roastery's club, in German and English.
//! Seeding runs once, on an empty database.

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

/// Seeds the demo program if the database is empty; returns whether it did.
pub fn seed_if_empty(conn: &mut Connection) -> Result<bool, StoreError> {
    let seeded: i64 = conn.query_row("SELECT COUNT(*) FROM settings", [], |r| r.get(0))?;
    if seeded > 0 {
        return Ok(false);
    }
    let tx = conn.transaction()?;
    for (key, value) in [
        ("currency", "EUR"),
        ("name_en", "Morgenrot Coffee Club"),
        ("name_de", "Morgenrot Kaffeeklub"),
        (
            "pitch_en",
            "Collect points on every bag of coffee, unlock member prices and get early access to new roasts.",
        ),
        (
            "pitch_de",
            "Sammle Punkte für jede Tüte Kaffee, sichere dir Mitgliederpreise und probiere neue Röstungen zuerst.",
        ),
        ("referral_en", "Give your friends €5 off their first order and get 200 points for each one."),
        ("referral_de", "Schenke Freunden 5 € Rabatt auf die erste Bestellung und erhalte 200 Punkte pro Freund."),
    ] {
        tx.execute("INSERT INTO settings (key, value) VALUES (?1, ?2)", [key, value])?;
    }
    for (id, threshold, en, de, perks_en, perks_de) in [
        (
            "bronze",
            0,
            "Bronze",
            "Bronze",
            r#"["1 point per euro"]"#,
            r#"["1 Punkt pro Euro"]"#,
        ),
        (
            "silver",
            1000,
            "Silver",
            "Silber",
            r#"["1.25 points per euro","Free shipping from €25"]"#,
            r#"["1,25 Punkte pro Euro","Versandkostenfrei ab 25 €"]"#,
        ),
        (
            "gold",
            2500,
            "Gold",
            "Gold",
            r#"["1.5 points per euro","Free shipping","Early access to new roasts"]"#,
            r#"["1,5 Punkte pro Euro","Immer versandkostenfrei","Neue Röstungen zuerst"]"#,
        ),
    ] {
        tx.execute(
            "INSERT INTO tiers (id, threshold, name_en, name_de, perks_en, perks_de) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, threshold, en, de, perks_en, perks_de],
        )?;
    }
    for (position, (kind, t_en, t_de, p_en, p_de)) in [
        (
            "signup",
            "Join the club",
            "Club beitreten",
            "100 points welcome bonus",
            "100 Punkte Willkommensbonus",
        ),
        (
            "order",
            "Place an order",
            "Bestellen",
            "1 point per euro",
            "1 Punkt pro Euro",
        ),
        (
            "birthday",
            "Your birthday",
            "Dein Geburtstag",
            "50 points",
            "50 Punkte",
        ),
        (
            "referral",
            "Refer a friend",
            "Freunde werben",
            "200 points per friend",
            "200 Punkte pro Freund",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        tx.execute(
            "INSERT INTO earning (position, kind, title_en, title_de, points_en, points_de) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![position, kind, t_en, t_de, p_en, p_de],
        )?;
    }
    for (position, (id, kind, en, de, price, min_tier)) in [
        (
            "r-shipping",
            "free_delivery_code",
            "Free shipping",
            "Gratisversand",
            300,
            None,
        ),
        (
            "r-5eur",
            "discount_code",
            "€5 voucher",
            "5-€-Gutschein",
            500,
            None,
        ),
        (
            "r-10pct",
            "percentage_discount_code",
            "10% off your order",
            "10 % auf deine Bestellung",
            800,
            None,
        ),
        (
            "r-mug",
            "gift_code",
            "Morgenrot enamel mug",
            "Morgenrot-Emaillebecher",
            1500,
            Some("silver"),
        ),
    ]
    .into_iter()
    .enumerate()
    {
        tx.execute(
            "INSERT INTO rewards (id, position, kind, title_en, title_de, points_price, min_tier_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![id, position, kind, en, de, price, min_tier],
        )?;
    }
    for (position, (id, t_en, t_de, d_en, d_de, min_tier, members_only, ends_at, code, cta)) in [
        (
            "o-advent",
            "Advent blend, a week early",
            "Adventsmischung eine Woche früher",
            "Club members order our Christmas roast before everyone else.",
            "Clubmitglieder bestellen unsere Weihnachtsröstung vor allen anderen.",
            None,
            true,
            Some("2026-12-24"),
            Some("ADVENT-EARLY"),
            None,
        ),
        (
            "o-tasting",
            "Cupping evening in Leipzig",
            "Cupping-Abend in Leipzig",
            "Taste six new coffees with our roasters. Limited seats.",
            "Verkoste sechs neue Kaffees mit unseren Röstern. Begrenzte Plätze.",
            None,
            true,
            Some("2027-01-31"),
            None,
            Some("https://example.com/cupping"),
        ),
        (
            "o-gold",
            "Gold: green coffee sampler",
            "Gold: Rohkaffee-Probierset",
            "A free sampler of three green coffees for home roasting.",
            "Ein kostenloses Set mit drei Rohkaffees zum Selberrösten.",
            Some("gold"),
            true,
            None,
            Some("GOLD-GREEN"),
            None,
        ),
    ]
    .into_iter()
    .enumerate()
    {
        tx.execute(
            "INSERT INTO offers (id, position, title_en, title_de, desc_en, desc_de, min_tier_id, members_only, ends_at, code, cta_url)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![id, position, t_en, t_de, d_en, d_de, min_tier, members_only, ends_at, code, cta],
        )?;
    }
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
