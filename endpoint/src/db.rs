//! The schema and every query the API runs, on either store
//! ([`crate::store`]: SQLite or PostgreSQL).
//!
//! Writes run inside the store's write transaction together with their
//! idempotency record, so a redeem or join is applied exactly once per key,
//! however often and however concurrently it is sent, to however many
//! instances.

use crate::args;
use crate::ledger::{self, Balance, Entry, Kind};
use crate::program::{Basis, Program};
use crate::store::{Sql, Store, Target};
use loyalty_core::contract::{
    Activity, ActivityKind, ActivityPage, ActivityState, Club, Coupon, CustomerState, EarnKind,
    EarningRule, ErrorCode, Expiring, LockReason, Membership, Money, Offer, Offers, Points,
    Redemption, Referral, Reward, RewardKind, Summary, Tier, TierStatus,
};
use loyalty_core::i18n::Lang;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
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
    /// PostgreSQL failed.
    #[error("database: {0}")]
    Postgres(String),
    /// Stored JSON did not decode.
    #[error("stored json: {0}")]
    Json(#[from] serde_json::Error),
    /// The operating system's random source failed.
    #[error("random source: {0}")]
    Random(String),
    /// The program file is not valid.
    #[error("program: {0}")]
    Program(String),
    /// The database holds something this version cannot read.
    #[error("database content: {0}")]
    Corrupt(String),
}

fn refused(code: ErrorCode, status: u16, message: impl Into<String>) -> StoreError {
    StoreError::Refused(code, message.into(), status)
}

/// Opens the store (creating the SQLite file if needed) and applies the
/// schema. A SQLite database from before the points ledger (balances kept
/// in the customers table) is refused with a message rather than misread.
pub fn open(target: &Target) -> Result<Store, StoreError> {
    let mut store = Store::connect(target)?;
    match &mut store {
        Store::Sqlite(conn) => {
            let legacy: bool = conn
                .prepare("SELECT 1 FROM pragma_table_info('customers') WHERE name = 'approved'")?
                .exists([])?;
            if legacy {
                return Err(StoreError::Corrupt(
                    "this SQLite file was made by a version without the points ledger; start \
                     with a new database file (--db) and send the customers and their points \
                     through the admin API"
                        .into(),
                ));
            }
            conn.execute_batch(&format!("{SQLITE_PRAGMAS}{SCHEMA}{SQLITE_LEDGER}{ORDERS}"))?;
        }
        Store::Postgres(_) => {
            // Under the write lock: instances starting at once take turns.
            store.write(|sql| {
                for statement in format!("{SCHEMA}{POSTGRES_LEDGER}{ORDERS}").split(";\n") {
                    let statement = statement.trim();
                    if !statement.is_empty() && !statement.starts_with("--") {
                        sql.exec(statement, &[])?;
                    }
                }
                Ok(())
            })?;
        }
    }
    Ok(store)
}

/// Another connection to a store [`open`] has set up.
pub fn connect(target: &Target) -> Result<Store, StoreError> {
    let store = Store::connect(target)?;
    if let Store::Sqlite(conn) = &store {
        // A connection's own setting.
        conn.execute_batch("PRAGMA foreign_keys = ON;")?;
    }
    Ok(store)
}

const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL;\nPRAGMA foreign_keys = ON;\n";

/// The tables both stores share (integers are 64-bit on both; flags are
/// 0 or 1).
const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tiers (
  id TEXT PRIMARY KEY, threshold BIGINT NOT NULL,
  name_en TEXT NOT NULL, name_de TEXT NOT NULL,
  perks_en TEXT NOT NULL, perks_de TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS earning (
  position BIGINT PRIMARY KEY, kind TEXT NOT NULL,
  title_en TEXT NOT NULL, title_de TEXT NOT NULL,
  points_en TEXT NOT NULL, points_de TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rewards (
  id TEXT PRIMARY KEY, position BIGINT NOT NULL, kind TEXT NOT NULL,
  title_en TEXT NOT NULL, title_de TEXT NOT NULL,
  points_price BIGINT NOT NULL, min_tier_id TEXT REFERENCES tiers(id),
  active BIGINT NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS offers (
  id TEXT PRIMARY KEY, position BIGINT NOT NULL,
  title_en TEXT NOT NULL, title_de TEXT NOT NULL,
  desc_en TEXT NOT NULL, desc_de TEXT NOT NULL,
  min_tier_id TEXT REFERENCES tiers(id), members_only BIGINT NOT NULL,
  ends_at TEXT, code TEXT, cta_url TEXT);
CREATE TABLE IF NOT EXISTS customers (
  id TEXT PRIMARY KEY, first_name TEXT, email TEXT, birthday TEXT, state TEXT NOT NULL,
  referral_code TEXT UNIQUE, referred_by TEXT REFERENCES customers(id),
  friends_joined BIGINT NOT NULL DEFAULT 0,
  club_member BIGINT NOT NULL DEFAULT 0, club_joined_at TEXT, club_consent_at TEXT,
  created_on TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS customers_by_code ON customers (lower(referral_code));
CREATE TABLE IF NOT EXISTS redemptions (
  id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id),
  reward_id TEXT NOT NULL REFERENCES rewards(id), points_spent BIGINT NOT NULL,
  code TEXT NOT NULL UNIQUE, expires_at TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (
  customer_id TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL,
  status BIGINT NOT NULL, body TEXT NOT NULL,
  PRIMARY KEY (customer_id, key));
"#;

/// The ledger in SQLite. Every change of points,
/// never changed or deleted: balances, tiers and the customer's history
/// are worked out from it (ledger.rs).
const SQLITE_LEDGER: &str = r#"
CREATE TABLE IF NOT EXISTS ledger (
  id INTEGER PRIMARY KEY AUTOINCREMENT, customer_id TEXT NOT NULL REFERENCES customers(id),
  kind TEXT NOT NULL, points BIGINT NOT NULL,
  booked_on TEXT NOT NULL, available_on TEXT NOT NULL, expires_on TEXT,
  lot BIGINT REFERENCES ledger(id), amount_minor BIGINT NOT NULL DEFAULT 0, order_id TEXT,
  reason TEXT NOT NULL, label_en TEXT NOT NULL, label_de TEXT NOT NULL, code TEXT);
CREATE TRIGGER IF NOT EXISTS ledger_no_update BEFORE UPDATE ON ledger
  BEGIN SELECT RAISE(ABORT, 'the points ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS ledger_no_delete BEFORE DELETE ON ledger
  BEGIN SELECT RAISE(ABORT, 'the points ledger is append-only'); END;
CREATE INDEX IF NOT EXISTS ledger_by_customer ON ledger (customer_id, id);
"#;

/// Orders and refunds, which point at the ledger (both stores).
const ORDERS: &str = r#"
CREATE TABLE IF NOT EXISTS orders (
  id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id),
  total_minor BIGINT NOT NULL, points BIGINT NOT NULL,
  entry_id BIGINT NOT NULL REFERENCES ledger(id), available_on TEXT NOT NULL,
  number TEXT NOT NULL, paid_on TEXT NOT NULL, refunded_minor BIGINT NOT NULL DEFAULT 0,
  referrer_id TEXT, referral_points BIGINT NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS orders_by_customer ON orders (customer_id);
CREATE TABLE IF NOT EXISTS refunds (
  id TEXT PRIMARY KEY, order_id TEXT NOT NULL REFERENCES orders(id),
  amount_minor BIGINT NOT NULL, points BIGINT NOT NULL);
"#;

/// The ledger in PostgreSQL (statements end with `;` and a line break).
const POSTGRES_LEDGER: &str = r#"
CREATE TABLE IF NOT EXISTS ledger (
  id BIGSERIAL PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id),
  kind TEXT NOT NULL, points BIGINT NOT NULL,
  booked_on TEXT NOT NULL, available_on TEXT NOT NULL, expires_on TEXT,
  lot BIGINT REFERENCES ledger(id), amount_minor BIGINT NOT NULL DEFAULT 0, order_id TEXT,
  reason TEXT NOT NULL, label_en TEXT NOT NULL, label_de TEXT NOT NULL, code TEXT);
CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS
  'BEGIN RAISE EXCEPTION ''the points ledger is append-only''; END';
DROP TRIGGER IF EXISTS ledger_no_change ON ledger;
CREATE TRIGGER ledger_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON ledger
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
CREATE INDEX IF NOT EXISTS ledger_by_customer ON ledger (customer_id, id);
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

fn setting(sql: &mut dyn Sql, key: &str) -> Result<String, StoreError> {
    Ok(
        match sql.opt("SELECT value FROM settings WHERE key = ?1", args![key])? {
            Some(row) => row.get(0)?,
            None => String::new(),
        },
    )
}

/// The customer behind a referral code (matched without regard to case):
/// the code as stored and their first name; `not_found` otherwise.
pub fn referrer(sql: &mut dyn Sql, code: &str) -> Result<(String, Option<String>), StoreError> {
    let row = sql
        .opt(
            "SELECT referral_code, first_name FROM customers WHERE lower(referral_code) = lower(?1)",
            args![code],
        )?
        .ok_or_else(|| refused(ErrorCode::NotFound, 404, "no such referral code"))?;
    Ok((row.get(0)?, row.get(1)?))
}

/// `GET /v1/program`.
pub fn program(
    sql: &mut dyn Sql,
    lang: Lang,
    file: &Program,
) -> Result<loyalty_core::contract::Program, StoreError> {
    let name = setting(sql, &format!("name_{}", lang.tag()))?;
    let pitch = setting(sql, &format!("pitch_{}", lang.tag()))?;
    let referral_text = setting(sql, &format!("referral_{}", lang.tag()))?;
    let earning = sql
        .rows(
            "SELECT kind, title_en, title_de, points_en, points_de FROM earning ORDER BY position",
            &[],
        )?
        .into_iter()
        .map(|row| {
            let (title_en, title_de): (String, String) = (row.get(1)?, row.get(2)?);
            let (points_en, points_de): (String, String) = (row.get(3)?, row.get(4)?);
            Ok(EarningRule {
                kind: enum_from::<EarnKind>(&row.get::<String>(0)?)?,
                title: pick(lang, &title_en, &title_de).to_owned(),
                points_text: pick(lang, &points_en, &points_de).to_owned(),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let rewards = sql
        .rows(
            "SELECT id, kind, title_en, title_de, points_price, min_tier_id FROM rewards
             WHERE active = 1 ORDER BY position",
            &[],
        )?
        .into_iter()
        .map(|row| {
            let (title_en, title_de): (String, String) = (row.get(2)?, row.get(3)?);
            Ok(Reward {
                id: row.get(0)?,
                kind: enum_from::<RewardKind>(&row.get::<String>(1)?)?,
                title: pick(lang, &title_en, &title_de).to_owned(),
                points_price: row.get(4)?,
                min_tier_id: row.get(5)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(loyalty_core::contract::Program {
        name,
        currency: file.currency.clone(),
        pitch,
        tiers: file.published_tiers(lang),
        earning,
        rewards,
        referral_text: (!referral_text.is_empty()).then_some(referral_text),
    })
}

/// How far ahead, in days, a customer is told which points expire.
pub const EXPIRING_WINDOW_DAYS: i64 = 90;

/// A customer's own row (points are not in it: they come from the ledger).
struct CustomerRow {
    first_name: Option<String>,
    birthday: Option<String>,
    state: String,
    referral_code: Option<String>,
    referred_by: Option<String>,
    friends_joined: u32,
    club: Club,
}

fn customer_row(sql: &mut dyn Sql, id: &str) -> Result<CustomerRow, StoreError> {
    let row = sql
        .opt(
            "SELECT first_name, birthday, state, referral_code, referred_by, friends_joined,
                    club_member, club_joined_at
             FROM customers WHERE id = ?1",
            args![id],
        )?
        .ok_or_else(|| refused(ErrorCode::NotFound, 404, "unknown customer"))?;
    Ok(CustomerRow {
        first_name: row.get(0)?,
        birthday: row.get(1)?,
        state: row.get(2)?,
        referral_code: row.get(3)?,
        referred_by: row.get(4)?,
        friends_joined: row.get(5)?,
        club: Club {
            member: row.get(6)?,
            joined_at: row.get(7)?,
        },
    })
}

fn stored_day(text: &str) -> Result<i64, StoreError> {
    ledger::parse_date(text).ok_or_else(|| StoreError::Corrupt(format!("{text:?} is not a date")))
}

/// A customer's ledger entries, oldest first.
fn entries(sql: &mut dyn Sql, id: &str) -> Result<Vec<Entry>, StoreError> {
    sql.rows(
        "SELECT id, kind, points, booked_on, available_on, expires_on, lot, amount_minor
         FROM ledger WHERE customer_id = ?1 ORDER BY id",
        args![id],
    )?
    .into_iter()
    .map(|row| {
        let kind: String = row.get(1)?;
        Ok(Entry {
            id: row.get(0)?,
            kind: Kind::from_name(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("ledger kind {kind:?}")))?,
            points: row.get(2)?,
            booked_on: stored_day(&row.get::<String>(3)?)?,
            available_on: stored_day(&row.get::<String>(4)?)?,
            expires_on: row
                .get::<Option<String>>(5)?
                .as_deref()
                .map(stored_day)
                .transpose()?,
            lot: row.get(6)?,
            amount_minor: row.get(7)?,
        })
    })
    .collect()
}

fn points_of(balance: &Balance) -> Points {
    Points {
        approved: balance.approved,
        pending: balance.pending,
        spent: balance.spent,
        lifetime: balance.lifetime,
        expiring: balance
            .expiring
            .iter()
            .map(|(points, on)| Expiring {
                points: *points,
                at: ledger::format_date(*on),
            })
            .collect(),
    }
}

/// A customer as of `today`: their row, ledger and balance.
pub struct Account {
    row: CustomerRow,
    entries: Vec<Entry>,
    balance: Balance,
}

fn load_account(sql: &mut dyn Sql, id: &str, today: i64) -> Result<Account, StoreError> {
    let row = customer_row(sql, id)?;
    let entries = entries(sql, id)?;
    let balance = ledger::balance(&entries, today, EXPIRING_WINDOW_DAYS);
    Ok(Account {
        row,
        entries,
        balance,
    })
}

/// What the customer's tier is measured by, in the tiers' unit: lifetime
/// points, or what they spent in the last 12 months (minor units).
fn tier_value(program: &Program, account: &Account, today: i64) -> u64 {
    match program.tiers.basis {
        Basis::LifetimePoints => account.balance.lifetime,
        Basis::Spend12Months => {
            ledger::spend_since(&account.entries, ledger::add_months(today, -12))
        }
    }
}

/// The customer's tier and its rank, lowest = 0.
fn tier_of(tiers: &[Tier], value: u64) -> Option<(usize, &Tier)> {
    tiers
        .iter()
        .enumerate()
        .rev()
        .find(|(_, tier)| tier.threshold <= value)
}

fn rank_of(tiers: &[Tier], id: &str) -> Option<usize> {
    tiers.iter().position(|tier| tier.id == id)
}

/// The rank of the customer's tier (0 without one).
pub(crate) fn rank(tiers: &[Tier], program: &Program, account: &Account, today: i64) -> usize {
    tier_of(tiers, tier_value(program, account, today)).map_or(0, |(rank, _)| rank)
}

/// `GET /v1/customer`.
pub fn summary(
    sql: &mut dyn Sql,
    id: &str,
    lang: Lang,
    shop_url: &str,
    program: &Program,
    today: i64,
) -> Result<Summary, StoreError> {
    let account = load_account(sql, id, today)?;
    let tiers = program.published_tiers(lang);
    let value = tier_value(program, &account, today);
    let tier = tier_of(&tiers, value).map(|(rank, tier)| {
        let next = tiers.get(rank + 1);
        TierStatus {
            id: tier.id.clone(),
            name: tier.name.clone(),
            kind: tier.kind,
            value,
            next_tier_id: next.map(|t| t.id.clone()),
            needed_for_upgrade: next.map_or(0, |t| t.threshold.saturating_sub(value)),
        }
    });
    let row = account.row;
    Ok(Summary {
        state: enum_from::<CustomerState>(&row.state)?,
        first_name: row.first_name,
        points_value: Some(Money {
            amount_minor: account.balance.approved,
            currency: program.currency.clone(),
        }),
        points: points_of(&account.balance),
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
pub fn offers(
    sql: &mut dyn Sql,
    id: &str,
    lang: Lang,
    program: &Program,
    today: i64,
) -> Result<Offers, StoreError> {
    let account = load_account(sql, id, today)?;
    let tiers = program.published_tiers(lang);
    let rank = rank(&tiers, program, &account, today);
    let member = account.row.club.member;
    let offers = sql
        .rows(
            "SELECT id, title_en, title_de, desc_en, desc_de, min_tier_id, members_only, ends_at,
                    code, cta_url
             FROM offers ORDER BY position",
            &[],
        )?
        .into_iter()
        .map(|row| {
            let min_tier_id: Option<String> = row.get(5)?;
            let needs_rank = min_tier_id.as_deref().and_then(|t| rank_of(&tiers, t));
            let locked = if row.get::<bool>(6)? && !member {
                Some(LockReason::MembersOnly)
            } else if needs_rank.is_some_and(|needed| rank < needed) {
                Some(LockReason::TierTooLow)
            } else {
                None
            };
            let (t_en, t_de): (String, String) = (row.get(1)?, row.get(2)?);
            let (d_en, d_de): (String, String) = (row.get(3)?, row.get(4)?);
            Ok(Offer {
                id: row.get(0)?,
                title: pick(lang, &t_en, &t_de).to_owned(),
                description: pick(lang, &d_en, &d_de).to_owned(),
                min_tier_id,
                ends_at: row.get(7)?,
                code: row.get::<Option<String>>(8)?.filter(|_| locked.is_none()),
                cta_url: row.get::<Option<String>>(9)?.filter(|_| locked.is_none()),
                locked,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Offers { offers })
}

/// `GET /v1/activity?page=N`: the customer's ledger, newest first.
pub fn activity(
    sql: &mut dyn Sql,
    id: &str,
    page: u32,
    lang: Lang,
    today: i64,
) -> Result<ActivityPage, StoreError> {
    customer_row(sql, id)?;
    let page = page.max(1);
    let offset = i64::from(page - 1) * i64::from(PAGE_SIZE);
    let mut items = sql
        .rows(
            "SELECT id, kind, label_en, label_de, points, available_on, booked_on, code FROM ledger
             WHERE customer_id = ?1 ORDER BY booked_on DESC, id DESC LIMIT ?2 OFFSET ?3",
            args![id, PAGE_SIZE + 1, offset],
        )?
        .into_iter()
        .map(|row| {
            let (label_en, label_de): (String, String) = (row.get(2)?, row.get(3)?);
            Ok(Activity {
                id: row.get::<i64>(0)?.to_string(),
                kind: match Kind::from_name(&row.get::<String>(1)?) {
                    Some(Kind::Redemption) => ActivityKind::Spent,
                    Some(Kind::Expiry) => ActivityKind::Expired,
                    _ => ActivityKind::Earned,
                },
                label: pick(lang, &label_en, &label_de).to_owned(),
                points: row.get(4)?,
                state: if stored_day(&row.get::<String>(5)?)? > today {
                    ActivityState::Pending
                } else {
                    ActivityState::Approved
                },
                date: row.get(6)?,
                code: row.get(7)?,
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

/// A ledger entry to append; it is booked on `booked_on`.
pub struct NewEntry<'a> {
    /// Whose points.
    pub customer_id: &'a str,
    /// Why.
    pub kind: Kind,
    /// Signed change.
    pub points: i64,
    /// The day it is booked.
    pub booked_on: i64,
    /// The day it starts to count.
    pub available_on: i64,
    /// The entry it refers to (a refund's order, an expiry's lot).
    pub lot: Option<i64>,
    /// Money it stands for, minor units (orders +, refunds -).
    pub amount_minor: i64,
    /// The order it belongs to.
    pub order_id: Option<&'a str>,
    /// Why, for the shop (an adjustment's reason as given).
    pub reason: &'a str,
    /// What the customer sees, in English and German.
    pub label: (&'a str, &'a str),
    /// A coupon code (redemptions).
    pub code: Option<&'a str>,
}

impl<'a> NewEntry<'a> {
    /// An entry booked and counting `today`, with no order, money or code.
    pub fn now(
        customer_id: &'a str,
        kind: Kind,
        points: i64,
        today: i64,
        label: (&'a str, &'a str),
    ) -> NewEntry<'a> {
        NewEntry {
            customer_id,
            kind,
            points,
            booked_on: today,
            available_on: today,
            lot: None,
            amount_minor: 0,
            order_id: None,
            reason: label.0,
            label,
            code: None,
        }
    }
}

/// Appends an entry to the ledger (the only way points change): a positive
/// one expires by the program's rule, counted from when it counts.
pub fn append(
    sql: &mut dyn Sql,
    program: &Program,
    entry: &NewEntry<'_>,
) -> Result<i64, StoreError> {
    let expires_on = (entry.points > 0 && program.expiry.months > 0)
        .then(|| ledger::add_months(entry.available_on, i64::from(program.expiry.months)));
    sql.one(
        "INSERT INTO ledger (customer_id, kind, points, booked_on, available_on, expires_on, lot,
                             amount_minor, order_id, reason, label_en, label_de, code)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         RETURNING id",
        args![
            entry.customer_id,
            entry.kind.name(),
            entry.points,
            ledger::format_date(entry.booked_on),
            ledger::format_date(entry.available_on),
            expires_on.map(ledger::format_date),
            entry.lot,
            entry.amount_minor,
            entry.order_id,
            entry.reason,
            entry.label.0,
            entry.label.1,
            entry.code,
        ],
    )?
    .get(0)
}

/// The customer's birthday this year, if they gave one (`MM-DD`; 29
/// February is the 28th in other years).
fn birthday_in(birthday: &str, year: i64) -> Option<i64> {
    let (month, day) = birthday.split_once('-')?;
    let (month, day): (u32, u32) = (month.parse().ok()?, day.parse().ok()?);
    let date = format!("{year:04}-{month:02}-{:02}", day);
    ledger::parse_date(&date)
        .or_else(|| (month == 2 && day == 29).then(|| ledger::days_from_civil(year, 2, 28)))
}

/// Days after a birthday within which its bonus is still booked.
const BIRTHDAY_GRACE_DAYS: i64 = 30;

/// Brings a customer's ledger up to `today`: books the points that
/// expired and a birthday bonus that is due. Runs inside every write for
/// the customer and in the sweep; reads work the same figures out without it.
pub fn settle(
    tx: &mut dyn Sql,
    id: &str,
    program: &Program,
    today: i64,
) -> Result<Account, StoreError> {
    let account = load_account(tx, id, today)?;
    let mut booked = false;
    for due in &account.balance.due {
        let points = i64::try_from(due.points).unwrap_or(i64::MAX);
        let mut entry = NewEntry::now(
            id,
            Kind::Expiry,
            -points,
            due.on,
            ("Points expired", "Punkte verfallen"),
        );
        entry.lot = Some(due.lot);
        append(tx, program, &entry)?;
        booked = true;
    }
    let (year, _, _) = ledger::civil_from_days(today);
    let birthday = account
        .row
        .birthday
        .as_deref()
        .and_then(|birthday| birthday_in(birthday, year))
        .filter(|day| *day <= today && today - *day <= BIRTHDAY_GRACE_DAYS);
    let this_year = ledger::days_from_civil(year, 1, 1);
    let had_one = account
        .entries
        .iter()
        .any(|entry| entry.kind == Kind::Birthday && entry.booked_on >= this_year);
    if birthday.is_some() && !had_one && program.birthday.points > 0 {
        let points = i64::try_from(program.birthday.points).unwrap_or(i64::MAX);
        let entry = NewEntry::now(
            id,
            Kind::Birthday,
            points,
            today,
            ("Happy birthday", "Alles Gute zum Geburtstag"),
        );
        append(tx, program, &entry)?;
        booked = true;
    }
    if booked {
        load_account(tx, id, today)
    } else {
        Ok(account)
    }
}

/// Settles every customer (expiries and birthdays): the hourly sweep and
/// `POST /admin/v1/settle`. Returns how many entries it booked.
pub fn settle_all(store: &mut Store, program: &Program, today: i64) -> Result<i64, StoreError> {
    store.write(|sql| {
        let before = count(sql, "ledger")?;
        let ids = sql.rows("SELECT id FROM customers ORDER BY id", &[])?;
        for row in ids {
            settle(sql, &row.get::<String>(0)?, program, today)?;
        }
        Ok(count(sql, "ledger")? - before)
    })
}

impl Account {
    /// Points to spend now.
    pub fn approved(&self) -> u64 {
        self.balance.approved
    }

    /// Who referred the customer (a customer id).
    pub fn referred_by(&self) -> Option<&str> {
        self.row.referred_by.as_deref()
    }

    /// The customer's first name.
    pub fn first_name(&self) -> Option<&str> {
        self.row.first_name.as_deref()
    }
}

/// A customer's points on `today`.
pub fn points(sql: &mut dyn Sql, id: &str, today: i64) -> Result<Points, StoreError> {
    Ok(points_of(&load_account(sql, id, today)?.balance))
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
    store: &mut Store,
    customer_id: &str,
    key: &str,
    request: &str,
    apply: impl FnOnce(&mut dyn Sql) -> Result<(u16, String), StoreError>,
) -> Result<Stored, StoreError> {
    let hash = format!("{:x}", Sha256::digest(request.as_bytes()));
    store.write(|sql| {
        let seen = sql.opt(
            "SELECT request_hash, status, body FROM idempotency WHERE customer_id = ?1 AND key = ?2",
            args![customer_id, key],
        )?;
        if let Some(row) = seen {
            if row.get::<String>(0)? != hash {
                return Err(refused(
                    ErrorCode::IdempotencyConflict,
                    422,
                    "this Idempotency-Key was used for a different request",
                ));
            }
            return Ok(Stored {
                status: u16::try_from(row.get::<u64>(1)?).unwrap_or(500),
                body: row.get(2)?,
                replayed: true,
            });
        }
        let (status, body) = match apply(sql) {
            Ok(answer) => answer,
            Err(StoreError::Refused(code, message, status)) => {
                (status, crate::api::error_json(code, &message))
            }
            Err(other) => return Err(other),
        };
        sql.exec(
            "INSERT INTO idempotency (customer_id, key, request_hash, status, body)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            args![customer_id, key, hash, status, &body],
        )?;
        Ok(Stored {
            status,
            body,
            replayed: false,
        })
    })
}

/// Redeems a reward inside the idempotency transaction.
pub fn redeem(
    tx: &mut dyn Sql,
    customer_id: &str,
    reward_id: &str,
    lang: Lang,
    program: &Program,
    today: i64,
) -> Result<Redemption, StoreError> {
    let mut account = settle(tx, customer_id, program, today)?;
    let reward = tx
        .opt(
            "SELECT points_price, min_tier_id, title_en, title_de FROM rewards
             WHERE id = ?1 AND active = 1",
            args![reward_id],
        )?
        .ok_or_else(|| refused(ErrorCode::NotAvailable, 404, "no such reward"))?;
    let (price, min_tier): (u64, Option<String>) = (reward.get(0)?, reward.get(1)?);
    let (title_en, title_de): (String, String) = (reward.get(2)?, reward.get(3)?);
    if account.row.state != "member" {
        return Err(refused(
            ErrorCode::BadRequest,
            400,
            "only members can redeem",
        ));
    }
    let tiers = program.published_tiers(lang);
    let rank = rank(&tiers, program, &account, today);
    if let Some(needed) = min_tier.as_deref().and_then(|id| rank_of(&tiers, id)) {
        if rank < needed {
            return Err(refused(
                ErrorCode::TierTooLow,
                403,
                "tier too low for this reward",
            ));
        }
    }
    if account.balance.approved < price {
        return Err(refused(
            ErrorCode::InsufficientPoints,
            409,
            "not enough points",
        ));
    }
    let code = coupon_code()?;
    let (year, _, _) = ledger::civil_from_days(today);
    let expires_at = format!("{year:04}-12-31");
    let points = -i64::try_from(price).unwrap_or(i64::MAX);
    let mut entry = NewEntry::now(
        customer_id,
        Kind::Redemption,
        points,
        today,
        (&title_en, &title_de),
    );
    entry.code = Some(&code);
    let entry_id = append(tx, program, &entry)?;
    // The balance after it, without reading the ledger again.
    account.entries.push(Entry {
        id: entry_id,
        kind: Kind::Redemption,
        points,
        booked_on: today,
        available_on: today,
        expires_on: None,
        lot: None,
        amount_minor: 0,
    });
    let after = ledger::balance(&account.entries, today, EXPIRING_WINDOW_DAYS);
    // Named after its ledger entry: unique, and no count of all redemptions.
    let id = format!("red-{entry_id}");
    tx.exec(
        "INSERT INTO redemptions (id, customer_id, reward_id, points_spent, code, expires_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        args![&id, customer_id, reward_id, price, &code, &expires_at, ledger::format_date(today)],
    )?;
    Ok(Redemption {
        id,
        reward_id: reward_id.to_owned(),
        points_spent: price,
        coupon: Coupon {
            code,
            expires_at: Some(expires_at),
        },
        points: points_of(&after),
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

/// Books the program's welcome bonus unless the customer already had it
/// (on sign-up or on joining the club); returns the points booked.
pub(crate) fn welcome(
    tx: &mut dyn Sql,
    customer_id: &str,
    program: &Program,
    today: i64,
) -> Result<u64, StoreError> {
    let had = tx.exists(
        "SELECT 1 FROM ledger WHERE customer_id = ?1 AND kind = 'welcome'",
        args![customer_id],
    )?;
    let points = program.welcome.points;
    if had || points == 0 {
        return Ok(0);
    }
    let entry = NewEntry::now(
        customer_id,
        Kind::Welcome,
        i64::try_from(points).unwrap_or(i64::MAX),
        today,
        ("Welcome to the club", "Willkommen im Club"),
    );
    append(tx, program, &entry)?;
    Ok(points)
}

/// Joins the club inside the idempotency transaction. Joining twice (with a
/// new key) is harmless and credits no second bonus.
pub fn join(
    tx: &mut dyn Sql,
    customer_id: &str,
    consent: bool,
    program: &Program,
    today: i64,
) -> Result<Membership, StoreError> {
    if !consent {
        return Err(refused(
            ErrorCode::BadRequest,
            400,
            "joining the club needs the customer's explicit consent",
        ));
    }
    let row = customer_row(tx, customer_id)?;
    if row.club.member {
        return Ok(Membership {
            club: row.club,
            bonus_points: 0,
        });
    }
    let day = ledger::format_date(today);
    tx.exec(
        "UPDATE customers SET club_member = 1, club_joined_at = ?1, club_consent_at = ?1,
                state = 'member'
         WHERE id = ?2",
        args![&day, customer_id],
    )?;
    let bonus = welcome(tx, customer_id, program, today)?;
    Ok(Membership {
        club: Club {
            member: true,
            joined_at: Some(day),
        },
        bonus_points: bonus,
    })
}

/// Counts rows, for tests and the benchmark: `SELECT COUNT(*) FROM table WHERE ...`
/// (the text is the program's own, never a request's).
pub fn count(sql: &mut dyn Sql, sql_from_where: &str) -> Result<i64, StoreError> {
    sql.one(&format!("SELECT COUNT(*) FROM {sql_from_where}"), &[])?
        .get(0)
}
