//! The SQLite store: schema, demo seed, and every query the API runs.
//!
//! Writes run inside `BEGIN IMMEDIATE` transactions together with their
//! idempotency record, so a redeem or join is applied exactly once per key,
//! however often and however concurrently it is sent.

use loyalty_core::contract::{
    Activity, ActivityKind, ActivityPage, ActivityState, Club, Coupon, CustomerState, EarnKind,
    EarningRule, ErrorCode, Expiring, LockReason, Membership, MilestoneKind, Money, Offer, Offers,
    Points, Program, Redemption, Referral, Reward, RewardKind, Summary, Tier, TierStatus,
};
use loyalty_core::i18n::Lang;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use std::path::Path;
use thiserror::Error;

/// Entries on one page of activity history.
pub const PAGE_SIZE: u32 = 10;

/// A failed store operation, mapped to the contract's error codes.
#[derive(Debug, Error)]
pub enum StoreError {
    /// A request the contract refuses, with its code and HTTP status.
    #[error("{1}")]
    Refused(ErrorCode, String, u16),
    /// SQLite failed.
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Stored JSON did not decode.
    #[error("stored json: {0}")]
    Json(#[from] serde_json::Error),
    /// The operating system's random source failed.
    #[error("random source: {0}")]
    Random(String),
    /// The program file is not valid.
    #[error("program: {0}")]
    Program(String),
}

fn refused(code: ErrorCode, status: u16, message: impl Into<String>) -> StoreError {
    StoreError::Refused(code, message.into(), status)
}

/// Opens (creating if needed) the database file and applies the schema.
pub fn open(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.execute_batch(SCHEMA)?;
    // A database from before activity entries carried their coupon code.
    let has_code: bool = conn
        .prepare("SELECT 1 FROM pragma_table_info('activity') WHERE name = 'code'")?
        .exists([])?;
    if !has_code {
        conn.execute("ALTER TABLE activity ADD COLUMN code TEXT", [])?;
    }
    Ok(conn)
}

const SCHEMA: &str = r#"
PRAGMA journal_mode = WAL;
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tiers (
  id TEXT PRIMARY KEY, threshold INTEGER NOT NULL,
  name_en TEXT NOT NULL, name_de TEXT NOT NULL,
  perks_en TEXT NOT NULL, perks_de TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS earning (
  position INTEGER PRIMARY KEY, kind TEXT NOT NULL,
  title_en TEXT NOT NULL, title_de TEXT NOT NULL,
  points_en TEXT NOT NULL, points_de TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rewards (
  id TEXT PRIMARY KEY, position INTEGER NOT NULL, kind TEXT NOT NULL,
  title_en TEXT NOT NULL, title_de TEXT NOT NULL,
  points_price INTEGER NOT NULL, min_tier_id TEXT REFERENCES tiers(id),
  active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS offers (
  id TEXT PRIMARY KEY, position INTEGER NOT NULL,
  title_en TEXT NOT NULL, title_de TEXT NOT NULL,
  desc_en TEXT NOT NULL, desc_de TEXT NOT NULL,
  min_tier_id TEXT REFERENCES tiers(id), members_only INTEGER NOT NULL,
  ends_at TEXT, code TEXT, cta_url TEXT);
CREATE TABLE IF NOT EXISTS customers (
  id TEXT PRIMARY KEY, first_name TEXT, state TEXT NOT NULL,
  approved INTEGER NOT NULL CHECK (approved >= 0), pending INTEGER NOT NULL,
  spent INTEGER NOT NULL, lifetime INTEGER NOT NULL,
  referral_code TEXT UNIQUE, friends_joined INTEGER NOT NULL DEFAULT 0,
  club_member INTEGER NOT NULL DEFAULT 0, club_joined_at TEXT, club_consent_at TEXT);
CREATE TABLE IF NOT EXISTS expiring (
  customer_id TEXT NOT NULL REFERENCES customers(id), points INTEGER NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS activity (
  id INTEGER PRIMARY KEY AUTOINCREMENT, customer_id TEXT NOT NULL REFERENCES customers(id),
  kind TEXT NOT NULL, label_en TEXT NOT NULL, label_de TEXT NOT NULL,
  points INTEGER NOT NULL, state TEXT NOT NULL, date TEXT NOT NULL, code TEXT);
CREATE TABLE IF NOT EXISTS redemptions (
  id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id),
  reward_id TEXT NOT NULL REFERENCES rewards(id), points_spent INTEGER NOT NULL,
  code TEXT NOT NULL UNIQUE, expires_at TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (
  customer_id TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL,
  status INTEGER NOT NULL, body TEXT NOT NULL,
  PRIMARY KEY (customer_id, key));
"#;

fn pick<'a>(lang: Lang, en: &'a str, de: &'a str) -> &'a str {
    match lang {
        Lang::En => en,
        Lang::De => de,
    }
}

fn enum_from<T: DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    Ok(serde_json::from_value(serde_json::Value::String(
        text.to_owned(),
    ))?)
}

/// The program's tiers, lowest first.
pub fn tiers(conn: &Connection, lang: Lang) -> Result<Vec<Tier>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, threshold, name_en, name_de, perks_en, perks_de FROM tiers ORDER BY threshold",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, u64>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, String>(4)?,
            row.get::<_, String>(5)?,
        ))
    })?;
    let mut tiers = Vec::new();
    for row in rows {
        let (id, threshold, name_en, name_de, perks_en, perks_de) = row?;
        tiers.push(Tier {
            id,
            name: pick(lang, &name_en, &name_de).to_owned(),
            kind: MilestoneKind::Points,
            threshold,
            perks: serde_json::from_str(pick(lang, &perks_en, &perks_de))?,
        });
    }
    Ok(tiers)
}

fn setting(conn: &Connection, key: &str) -> Result<String, StoreError> {
    Ok(conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| {
            row.get(0)
        })
        .optional()?
        .unwrap_or_default())
}

/// The customer behind a referral code (matched without regard to case):
/// the code as stored and their first name; `not_found` otherwise.
pub fn referrer(conn: &Connection, code: &str) -> Result<(String, Option<String>), StoreError> {
    conn.query_row(
        "SELECT referral_code, first_name FROM customers WHERE referral_code = ?1 COLLATE NOCASE",
        [code],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
    .optional()?
    .ok_or_else(|| refused(ErrorCode::NotFound, 404, "no such referral code"))
}

/// `GET /v1/program`.
pub fn program(conn: &Connection, lang: Lang) -> Result<Program, StoreError> {
    let name = setting(conn, &format!("name_{}", lang.tag()))?;
    let pitch = setting(conn, &format!("pitch_{}", lang.tag()))?;
    let referral_text = setting(conn, &format!("referral_{}", lang.tag()))?;
    let mut stmt = conn.prepare(
        "SELECT kind, title_en, title_de, points_en, points_de FROM earning ORDER BY position",
    )?;
    let earning = stmt
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
            ))
        })?
        .map(|row| {
            let (kind, title_en, title_de, points_en, points_de) = row?;
            Ok(EarningRule {
                kind: enum_from::<EarnKind>(&kind)?,
                title: pick(lang, &title_en, &title_de).to_owned(),
                points_text: pick(lang, &points_en, &points_de).to_owned(),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let mut stmt = conn.prepare(
        "SELECT id, kind, title_en, title_de, points_price, min_tier_id FROM rewards
         WHERE active = 1 ORDER BY position",
    )?;
    let rewards = stmt
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, u64>(4)?,
                row.get::<_, Option<String>>(5)?,
            ))
        })?
        .map(|row| {
            let (id, kind, title_en, title_de, points_price, min_tier_id) = row?;
            Ok(Reward {
                id,
                kind: enum_from::<RewardKind>(&kind)?,
                title: pick(lang, &title_en, &title_de).to_owned(),
                points_price,
                min_tier_id,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Program {
        name,
        currency: setting(conn, "currency")?,
        pitch,
        tiers: tiers(conn, lang)?,
        earning,
        rewards,
        referral_text: (!referral_text.is_empty()).then_some(referral_text),
    })
}

struct CustomerRow {
    first_name: Option<String>,
    state: String,
    points: Points,
    referral_code: Option<String>,
    friends_joined: u32,
    club: Club,
}

fn customer(conn: &Connection, id: &str) -> Result<CustomerRow, StoreError> {
    let row = conn
        .query_row(
            "SELECT first_name, state, approved, pending, spent, lifetime, referral_code,
                    friends_joined, club_member, club_joined_at
             FROM customers WHERE id = ?1",
            [id],
            |row| {
                Ok(CustomerRow {
                    first_name: row.get(0)?,
                    state: row.get(1)?,
                    points: Points {
                        approved: row.get(2)?,
                        pending: row.get(3)?,
                        spent: row.get(4)?,
                        lifetime: row.get(5)?,
                        expiring: Vec::new(),
                    },
                    referral_code: row.get(6)?,
                    friends_joined: row.get(7)?,
                    club: Club {
                        member: row.get(8)?,
                        joined_at: row.get(9)?,
                    },
                })
            },
        )
        .optional()?;
    let mut row = row.ok_or_else(|| refused(ErrorCode::NotFound, 404, "unknown customer"))?;
    let mut stmt =
        conn.prepare("SELECT points, at FROM expiring WHERE customer_id = ?1 ORDER BY at")?;
    row.points.expiring = stmt
        .query_map([id], |r| {
            Ok(Expiring {
                points: r.get(0)?,
                at: r.get(1)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(row)
}

/// The customer's tier (by lifetime points) and its rank, lowest = 0.
fn tier_of(tiers: &[Tier], lifetime: u64) -> Option<(usize, &Tier)> {
    tiers
        .iter()
        .enumerate()
        .rev()
        .find(|(_, tier)| tier.threshold <= lifetime)
}

fn rank_of(tiers: &[Tier], id: &str) -> Option<usize> {
    tiers.iter().position(|tier| tier.id == id)
}

/// `GET /v1/customer`.
pub fn summary(
    conn: &Connection,
    id: &str,
    lang: Lang,
    shop_url: &str,
) -> Result<Summary, StoreError> {
    let row = customer(conn, id)?;
    let tiers = tiers(conn, lang)?;
    let tier = tier_of(&tiers, row.points.lifetime).map(|(rank, tier)| {
        let next = tiers.get(rank + 1);
        TierStatus {
            id: tier.id.clone(),
            name: tier.name.clone(),
            kind: MilestoneKind::Points,
            value: row.points.lifetime,
            next_tier_id: next.map(|t| t.id.clone()),
            needed_for_upgrade: next.map_or(0, |t| t.threshold.saturating_sub(row.points.lifetime)),
        }
    });
    Ok(Summary {
        state: enum_from::<CustomerState>(&row.state)?,
        first_name: row.first_name,
        points_value: Some(Money {
            amount_minor: row.points.approved,
            currency: setting(conn, "currency")?,
        }),
        points: row.points,
        tier,
        referral: row.referral_code.map(|code| Referral {
            url: format!("{}/?ref={code}", shop_url.trim_end_matches('/')),
            code,
            friends_joined: row.friends_joined.into(),
        }),
        club: row.club,
    })
}

/// `GET /v1/offers`: every offer, locked ones without their code or link.
pub fn offers(conn: &Connection, id: &str, lang: Lang) -> Result<Offers, StoreError> {
    let row = customer(conn, id)?;
    let tiers = tiers(conn, lang)?;
    let rank = tier_of(&tiers, row.points.lifetime).map_or(0, |(rank, _)| rank);
    let mut stmt = conn.prepare(
        "SELECT id, title_en, title_de, desc_en, desc_de, min_tier_id, members_only, ends_at,
                code, cta_url
         FROM offers ORDER BY position",
    )?;
    let offers = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, bool>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, Option<String>>(8)?,
                r.get::<_, Option<String>>(9)?,
            ))
        })?
        .map(|r| {
            let (oid, t_en, t_de, d_en, d_de, min_tier_id, members_only, ends_at, code, cta) = r?;
            let needs_rank = min_tier_id.as_deref().and_then(|t| rank_of(&tiers, t));
            let locked = if members_only && !row.club.member {
                Some(LockReason::MembersOnly)
            } else if needs_rank.is_some_and(|needed| rank < needed) {
                Some(LockReason::TierTooLow)
            } else {
                None
            };
            Ok(Offer {
                id: oid,
                title: pick(lang, &t_en, &t_de).to_owned(),
                description: pick(lang, &d_en, &d_de).to_owned(),
                min_tier_id,
                ends_at,
                code: code.filter(|_| locked.is_none()),
                cta_url: cta.filter(|_| locked.is_none()),
                locked,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Offers { offers })
}

/// `GET /v1/activity?page=N`, newest first.
pub fn activity(
    conn: &Connection,
    id: &str,
    page: u32,
    lang: Lang,
) -> Result<ActivityPage, StoreError> {
    customer(conn, id)?;
    let page = page.max(1);
    let offset = i64::from(page - 1) * i64::from(PAGE_SIZE);
    let mut stmt = conn.prepare(
        "SELECT id, kind, label_en, label_de, points, state, date, code FROM activity
         WHERE customer_id = ?1 ORDER BY date DESC, id DESC LIMIT ?2 OFFSET ?3",
    )?;
    let mut items = stmt
        .query_map(params![id, PAGE_SIZE + 1, offset], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<String>>(7)?,
            ))
        })?
        .map(|r| {
            let (aid, kind, label_en, label_de, points, state, date, code) = r?;
            Ok(Activity {
                id: aid.to_string(),
                kind: enum_from::<ActivityKind>(&kind)?,
                label: pick(lang, &label_en, &label_de).to_owned(),
                points,
                state: enum_from::<ActivityState>(&state)?,
                date,
                code,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let has_more = items.len() > PAGE_SIZE as usize;
    items.truncate(PAGE_SIZE as usize);
    Ok(ActivityPage {
        items,
        page,
        has_more,
    })
}

/// A stored write result: the HTTP status and JSON body sent the first time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub body: String,
    /// Whether this is a replay of an earlier request with the same key.
    pub replayed: bool,
}

/// Runs `apply` at most once per (customer, key): inside one immediate
/// transaction it looks the key up, replays the stored answer if the request
/// is the same, refuses a different request under the same key, and otherwise
/// applies the write and stores its answer (successes and refusals alike).
pub fn idempotent(
    conn: &mut Connection,
    customer_id: &str,
    key: &str,
    request: &str,
    apply: impl FnOnce(&rusqlite::Transaction) -> Result<(u16, String), StoreError>,
) -> Result<Stored, StoreError> {
    let hash = format!("{:x}", Sha256::digest(request.as_bytes()));
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let seen: Option<(String, u16, String)> = tx
        .query_row(
            "SELECT request_hash, status, body FROM idempotency WHERE customer_id = ?1 AND key = ?2",
            params![customer_id, key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    if let Some((seen_hash, status, body)) = seen {
        if seen_hash != hash {
            return Err(refused(
                ErrorCode::IdempotencyConflict,
                422,
                "this Idempotency-Key was used for a different request",
            ));
        }
        return Ok(Stored {
            status,
            body,
            replayed: true,
        });
    }
    let (status, body) = match apply(&tx) {
        Ok(answer) => answer,
        Err(StoreError::Refused(code, message, status)) => {
            (status, crate::api::error_json(code, &message))
        }
        Err(other) => return Err(other),
    };
    tx.execute(
        "INSERT INTO idempotency (customer_id, key, request_hash, status, body)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![customer_id, key, hash, status, body],
    )?;
    tx.commit()?;
    Ok(Stored {
        status,
        body,
        replayed: false,
    })
}

/// Redeems a reward inside the idempotency transaction.
pub fn redeem(
    tx: &rusqlite::Transaction,
    customer_id: &str,
    reward_id: &str,
    lang: Lang,
    today: &str,
) -> Result<Redemption, StoreError> {
    let row = customer(tx, customer_id)?;
    let reward: Option<(u64, Option<String>, String, String)> = tx
        .query_row(
            "SELECT points_price, min_tier_id, title_en, title_de FROM rewards WHERE id = ?1 AND active = 1",
            [reward_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let (price, min_tier, title_en, title_de) =
        reward.ok_or_else(|| refused(ErrorCode::NotAvailable, 404, "no such reward"))?;
    if row.state != "member" {
        return Err(refused(
            ErrorCode::BadRequest,
            400,
            "only members can redeem",
        ));
    }
    let tiers = tiers(tx, lang)?;
    let rank = tier_of(&tiers, row.points.lifetime).map_or(0, |(rank, _)| rank);
    if let Some(needed) = min_tier.as_deref().and_then(|id| rank_of(&tiers, id)) {
        if rank < needed {
            return Err(refused(
                ErrorCode::TierTooLow,
                403,
                "tier too low for this reward",
            ));
        }
    }
    if row.points.approved < price {
        return Err(refused(
            ErrorCode::InsufficientPoints,
            409,
            "not enough points",
        ));
    }
    let count: i64 = tx.query_row("SELECT COUNT(*) FROM redemptions", [], |r| r.get(0))?;
    let id = format!("red-{}", count + 1);
    let code = coupon_code()?;
    let expires_at = format!("{}-12-31", &today[..4.min(today.len())]);
    tx.execute(
        "UPDATE customers SET approved = approved - ?1, spent = spent + ?1 WHERE id = ?2",
        params![price, customer_id],
    )?;
    tx.execute(
        "INSERT INTO redemptions (id, customer_id, reward_id, points_spent, code, expires_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![id, customer_id, reward_id, price, code, expires_at, today],
    )?;
    tx.execute(
        "INSERT INTO activity (customer_id, kind, label_en, label_de, points, state, date, code)
         VALUES (?1, 'spent', ?2, ?3, ?4, 'approved', ?5, ?6)",
        params![
            customer_id,
            title_en,
            title_de,
            -(price as i64),
            today,
            code
        ],
    )?;
    Ok(Redemption {
        id,
        reward_id: reward_id.to_owned(),
        points_spent: price,
        coupon: Coupon {
            code,
            expires_at: Some(expires_at),
        },
        points: customer(tx, customer_id)?.points,
    })
}

/// Letters and digits a customer cannot mistake for one another (no 0/O,
/// 1/I/L): 31 symbols.
const CODE_SYMBOLS: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A coupon code from the operating system's random source: `MR-` and ten
/// symbols (about 49 bits), in two groups of five. Nothing about it follows
/// from the secret, the customer or the redemption.
fn coupon_code() -> Result<String, StoreError> {
    let mut code = String::from("MR-");
    let mut drawn = 0;
    while drawn < 10 {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|err| StoreError::Random(err.to_string()))?;
        // Only bytes below 248 (8 x 31): every symbol equally likely.
        for byte in bytes.into_iter().filter(|b| *b < 248) {
            if drawn == 10 {
                break;
            }
            if drawn == 5 {
                code.push('-');
            }
            code.push(char::from(
                CODE_SYMBOLS[usize::from(byte) % CODE_SYMBOLS.len()],
            ));
            drawn += 1;
        }
    }
    Ok(code)
}

/// Welcome points for joining the club: the program's `welcome.points`.
fn join_bonus(conn: &Connection) -> Result<u64, StoreError> {
    Ok(setting(conn, "welcome_points")?.parse().unwrap_or(0))
}

/// Joins the club inside the idempotency transaction. Joining twice (with a
/// new key) is harmless and credits no second bonus.
pub fn join(
    tx: &rusqlite::Transaction,
    customer_id: &str,
    consent: bool,
    today: &str,
) -> Result<Membership, StoreError> {
    if !consent {
        return Err(refused(
            ErrorCode::BadRequest,
            400,
            "joining the club needs the customer's explicit consent",
        ));
    }
    let row = customer(tx, customer_id)?;
    if row.club.member {
        return Ok(Membership {
            club: row.club,
            bonus_points: 0,
        });
    }
    let bonus = join_bonus(tx)?;
    tx.execute(
        "UPDATE customers SET club_member = 1, club_joined_at = ?1, club_consent_at = ?1,
                approved = approved + ?2, lifetime = lifetime + ?2, state = 'member'
         WHERE id = ?3",
        params![today, bonus, customer_id],
    )?;
    tx.execute(
        "INSERT INTO activity (customer_id, kind, label_en, label_de, points, state, date)
         VALUES (?1, 'earned', 'Welcome to the club', 'Willkommen im Club', ?2, 'approved', ?3)",
        params![customer_id, i64::try_from(bonus).unwrap_or(i64::MAX), today],
    )?;
    Ok(Membership {
        club: Club {
            member: true,
            joined_at: Some(today.to_owned()),
        },
        bonus_points: bonus,
    })
}

/// Counts rows, for tests and the benchmark: `SELECT COUNT(*) FROM table WHERE ...`.
pub fn count(conn: &Connection, sql_from_where: &str) -> Result<i64, StoreError> {
    Ok(
        conn.query_row(&format!("SELECT COUNT(*) FROM {sql_from_where}"), [], |r| {
            r.get(0)
        })?,
    )
}
