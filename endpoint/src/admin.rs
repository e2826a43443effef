//! The shop's side of the ledger: customers, orders, refunds and
//! adjustments, as the admin API (`openapi/loyalty-admin-v1.yaml`) and the
//! platforms' webhooks ([`crate::webhooks`]) record them. Every function
//! runs inside one immediate transaction and changes points only by
//! appending ledger entries ([`crate::db::append`]).

use crate::args;
use crate::db::{self, Account, NewEntry, StoreError};
use crate::ledger::{self, Kind};
use crate::program::Program;
use crate::store::Sql;
use loyalty_core::contract::{ErrorCode, Points};
use serde::{Deserialize, Serialize};

fn refused(status: u16, code: ErrorCode, message: impl Into<String>) -> StoreError {
    StoreError::Refused(code, message.into(), status)
}

fn bad(message: impl Into<String>) -> StoreError {
    refused(400, ErrorCode::BadRequest, message)
}

/// Checks an id the shop chose (customer, order, refund): 1 to 128
/// printable characters.
pub fn check_id(what: &str, id: &str) -> Result<(), StoreError> {
    if id.is_empty() || id.chars().count() > 128 || id.chars().any(char::is_control) {
        return Err(bad(format!("{what} must be 1 to 128 printable characters")));
    }
    Ok(())
}

/// The largest amount of money one order or refund may be, in minor
/// units (ten billion in the currency's units): beyond any real order, and
/// far from where sums of points could overflow.
pub const MAX_MONEY: u64 = 1_000_000_000_000;

fn check_money(field: &str, amount: u64) -> Result<(), StoreError> {
    if amount > MAX_MONEY {
        return Err(bad(format!(
            "{field} must be at most {MAX_MONEY} (minor units)"
        )));
    }
    Ok(())
}

/// Creating or updating a customer (`PUT /admin/v1/customers/{id}`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    /// First name, as the widget greets them.
    #[serde(default)]
    pub first_name: Option<String>,
    /// E-mail address (only to stop a customer referring themselves).
    #[serde(default)]
    pub email: Option<String>,
    /// Birthday, `MM-DD`, for the birthday bonus.
    #[serde(default)]
    pub birthday: Option<String>,
    /// The referral code the customer signed up with (sign-up only).
    #[serde(default)]
    pub referral_code: Option<String>,
}

/// What became of a referral code given at sign-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribution {
    /// The customer counts as the code owner's friend.
    Attributed,
    /// No customer has that code.
    UnknownCode,
    /// The code is the customer's own (or their e-mail's).
    OwnCode,
    /// A code is only taken at sign-up.
    NotAtSignUp,
}

/// A customer as the admin API shows them.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerRecord {
    /// The shop's customer id (the token's `sub`).
    pub id: String,
    /// First name.
    pub first_name: Option<String>,
    /// Their own referral code.
    pub referral_code: Option<String>,
    /// Who referred them (a customer id).
    pub referred_by: Option<String>,
    /// Whether this request created them.
    pub created: bool,
    /// What became of the referral code sent, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referral: Option<Attribution>,
    /// Their points today.
    pub points: Points,
}

fn check_customer(input: &CustomerInput) -> Result<(), StoreError> {
    if let Some(name) = &input.first_name {
        if name.trim().is_empty() || name.chars().count() > 100 {
            return Err(bad("first_name must be 1 to 100 characters"));
        }
    }
    if let Some(email) = &input.email {
        if email.len() > 254 || !email.contains('@') || email.chars().any(char::is_whitespace) {
            return Err(bad("email must be an e-mail address"));
        }
    }
    if let Some(birthday) = &input.birthday {
        let valid =
            birthday.len() == 5 && ledger::parse_date(&format!("2024-{birthday}")).is_some();
        if !valid {
            return Err(bad("birthday must be MM-DD, a day that exists"));
        }
    }
    Ok(())
}

/// A new referral code: up to eight letters of the first name and three
/// random digits (`ANNA482`), unique.
fn new_referral_code(tx: &mut dyn Sql, first_name: Option<&str>) -> Result<String, StoreError> {
    let stem: String = first_name
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_alphabetic)
        .take(8)
        .collect::<String>()
        .to_ascii_uppercase();
    let stem = if stem.is_empty() {
        "FRIEND".to_owned()
    } else {
        stem
    };
    for digits in [3u32, 4, 5, 6, 7, 8] {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).map_err(|err| StoreError::Random(err.to_string()))?;
        let number = u64::from_le_bytes(bytes) % 10u64.pow(digits);
        let code = format!("{stem}{number:0width$}", width = digits as usize);
        let taken = tx.exists(
            "SELECT 1 FROM customers WHERE lower(referral_code) = lower(?1)",
            args![&code],
        )?;
        if !taken {
            return Ok(code);
        }
    }
    Err(StoreError::Random("no free referral code".into()))
}

fn record_of(
    tx: &mut dyn Sql,
    id: &str,
    created: bool,
    referral: Option<Attribution>,
    today: i64,
) -> Result<CustomerRecord, StoreError> {
    let row = tx.one(
        "SELECT first_name, referral_code, referred_by FROM customers WHERE id = ?1",
        args![id],
    )?;
    Ok(CustomerRecord {
        id: id.to_owned(),
        first_name: row.get(0)?,
        referral_code: row.get(1)?,
        referred_by: row.get(2)?,
        created,
        referral,
        points: db::points(tx, id, today)?,
    })
}

/// Creates or updates a customer. Creating one books the welcome bonus and
/// attributes a referral code given with it (never the customer's own, nor
/// one of a customer with the same e-mail address).
pub fn upsert_customer(
    tx: &mut dyn Sql,
    id: &str,
    input: &CustomerInput,
    program: &Program,
    today: i64,
) -> Result<CustomerRecord, StoreError> {
    check_id("the customer id", id)?;
    check_customer(input)?;
    let email = input.email.as_deref().map(str::to_lowercase);
    if known_customer(tx, id)? {
        tx.exec(
            "UPDATE customers SET first_name = COALESCE(?2, first_name),
                    email = COALESCE(?3, email), birthday = COALESCE(?4, birthday)
             WHERE id = ?1",
            args![id, &input.first_name, &email, &input.birthday],
        )?;
        let referral = input
            .referral_code
            .as_ref()
            .map(|_| Attribution::NotAtSignUp);
        return record_of(tx, id, false, referral, today);
    }
    let code = new_referral_code(tx, input.first_name.as_deref())?;
    let (referred_by, referral) = match input.referral_code.as_deref() {
        None => (None, None),
        Some(given) => {
            let owner: Option<(String, Option<String>)> = match tx.opt(
                "SELECT id, email FROM customers WHERE lower(referral_code) = lower(?1)",
                args![given.trim()],
            )? {
                Some(row) => Some((row.get(0)?, row.get(1)?)),
                None => None,
            };
            match owner {
                None => (None, Some(Attribution::UnknownCode)),
                Some((_, Some(owner_email))) if Some(&owner_email) == email.as_ref() => {
                    (None, Some(Attribution::OwnCode))
                }
                Some((owner, _)) => (Some(owner), Some(Attribution::Attributed)),
            }
        }
    };
    tx.exec(
        "INSERT INTO customers (id, first_name, email, birthday, state, referral_code, referred_by,
                                created_on)
         VALUES (?1, ?2, ?3, ?4, 'member', ?5, ?6, ?7)",
        args![
            id,
            &input.first_name,
            &email,
            &input.birthday,
            &code,
            &referred_by,
            ledger::format_date(today)
        ],
    )?;
    if let Some(referrer) = &referred_by {
        tx.exec(
            "UPDATE customers SET friends_joined = friends_joined + 1 WHERE id = ?1",
            args![referrer],
        )?;
    }
    db::welcome(tx, id, program, today)?;
    record_of(tx, id, true, referral, today)
}

/// Recording a paid order (`POST /admin/v1/orders`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderInput {
    /// The shop's order id: an order is recorded once, however often sent.
    pub id: String,
    /// The order number the customer knows (`1042`), for their history;
    /// the id without one.
    #[serde(default)]
    pub number: Option<String>,
    /// The customer (created if the shop has not sent them yet).
    pub customer_id: String,
    /// What the order earns points on, in minor units (cents).
    pub total_minor: u64,
    /// The customer's first name, for a customer created by this order.
    #[serde(default)]
    pub first_name: Option<String>,
    /// The customer's e-mail, likewise.
    #[serde(default)]
    pub email: Option<String>,
    /// The referral code a customer created by this order signed up with
    /// (taken only then, as at sign-up).
    #[serde(default)]
    pub referral_code: Option<String>,
}

/// Points a referrer got for this order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferralCredit {
    /// The referrer's customer id.
    pub referrer_id: String,
    /// Points booked for them (pending like the order's).
    pub points: u64,
}

/// A recorded order.
#[derive(Debug, Clone, Serialize)]
pub struct OrderRecord {
    /// The shop's order id.
    pub id: String,
    /// The customer.
    pub customer_id: String,
    /// What it earns on, minor units.
    pub total_minor: u64,
    /// Points it earned.
    pub points: u64,
    /// The first day they count (after the return window).
    pub pending_until: String,
    /// Money refunded so far, minor units.
    pub refunded_minor: u64,
    /// The referrer's points, for a referred customer's first order.
    pub referral: Option<ReferralCredit>,
    /// Whether the order was already recorded (nothing changed now).
    pub replayed: bool,
}

fn order_record(
    tx: &mut dyn Sql,
    id: &str,
    replayed: bool,
) -> Result<Option<OrderRecord>, StoreError> {
    let Some(row) = tx.opt(
        "SELECT customer_id, total_minor, points, available_on, refunded_minor, referrer_id,
                referral_points
         FROM orders WHERE id = ?1",
        args![id],
    )?
    else {
        return Ok(None);
    };
    let referrer: Option<String> = row.get(5)?;
    Ok(Some(OrderRecord {
        id: id.to_owned(),
        customer_id: row.get(0)?,
        total_minor: row.get(1)?,
        points: row.get(2)?,
        pending_until: row.get(3)?,
        refunded_minor: row.get(4)?,
        referral: match referrer {
            Some(referrer_id) => Some(ReferralCredit {
                referrer_id,
                points: row.get(6)?,
            }),
            None => None,
        },
        replayed,
    }))
}

fn known_customer(tx: &mut dyn Sql, id: &str) -> Result<bool, StoreError> {
    tx.exists("SELECT 1 FROM customers WHERE id = ?1", args![id])
}

/// The points per currency unit of the customer's tier today.
fn rate(account: &Account, program: &Program, today: i64) -> f64 {
    let tiers = program.published_tiers(loyalty_core::i18n::Lang::En);
    let rank = db::rank(&tiers, program, account, today);
    program
        .tiers
        .levels
        .get(rank)
        .map_or(0.0, |tier| tier.points_per_unit)
}

/// Records a paid order once: it earns points at the customer's tier's
/// rate, pending for the program's `pending_days`. A referred customer's
/// first order also earns their referrer the program's referral points,
/// pending alike.
pub fn record_order(
    tx: &mut dyn Sql,
    input: &OrderInput,
    program: &Program,
    today: i64,
) -> Result<OrderRecord, StoreError> {
    check_id("the order id", &input.id)?;
    check_money("total_minor", input.total_minor)?;
    if let Some(seen) = order_record(tx, &input.id, true)? {
        if seen.customer_id != input.customer_id || seen.total_minor != input.total_minor {
            return Err(refused(
                422,
                ErrorCode::IdempotencyConflict,
                "this order id was recorded with another customer or total",
            ));
        }
        return Ok(seen);
    }
    let customer = CustomerInput {
        first_name: input.first_name.clone(),
        email: input.email.clone(),
        referral_code: input.referral_code.clone(),
        ..CustomerInput::default()
    };
    if !known_customer(tx, &input.customer_id)? {
        upsert_customer(tx, &input.customer_id, &customer, program, today)?;
    }
    let account = db::settle(tx, &input.customer_id, program, today)?;
    let first_order = !tx.exists(
        "SELECT 1 FROM orders WHERE customer_id = ?1",
        args![&input.customer_id],
    )?;
    let points = ledger::order_points(input.total_minor, rate(&account, program, today));
    let available_on = today + i64::from(program.pending_days);
    let shown = input.number.as_deref().unwrap_or(&input.id);
    let number = format!("#{}", shown.trim_start_matches('#'));
    let (en, de) = (format!("Order {number}"), format!("Bestellung {number}"));
    let entry = NewEntry {
        available_on,
        amount_minor: i64::try_from(input.total_minor).unwrap_or(i64::MAX),
        order_id: Some(&input.id),
        ..NewEntry::now(
            &input.customer_id,
            Kind::Order,
            i64::try_from(points).unwrap_or(i64::MAX),
            today,
            (&en, &de),
        )
    };
    let entry_id = db::append(tx, program, &entry)?;
    let referrer = account.referred_by().filter(|referrer| {
        first_order && *referrer != input.customer_id && program.referral.referrer_points > 0
    });
    if let Some(referrer) = referrer {
        let friend = account.first_name().unwrap_or("a friend");
        let freund = account.first_name().unwrap_or("Freund*in");
        let (en, de) = (
            format!("Referral: {friend}"),
            format!("Empfehlung: {freund}"),
        );
        let entry = NewEntry {
            available_on,
            order_id: Some(&input.id),
            ..NewEntry::now(
                referrer,
                Kind::Referral,
                i64::try_from(program.referral.referrer_points).unwrap_or(i64::MAX),
                today,
                (&en, &de),
            )
        };
        db::append(tx, program, &entry)?;
    }
    tx.exec(
        "INSERT INTO orders (id, customer_id, total_minor, points, entry_id, available_on,
                             paid_on, referrer_id, referral_points, number)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        args![
            &input.id,
            &input.customer_id,
            input.total_minor,
            points,
            entry_id,
            ledger::format_date(available_on),
            ledger::format_date(today),
            referrer,
            referrer.map_or(0, |_| program.referral.referrer_points),
            &number
        ],
    )?;
    order_record(tx, &input.id, false)?.ok_or_else(|| StoreError::Corrupt("order vanished".into()))
}

/// Recording a refund (`POST /admin/v1/orders/{id}/refunds`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundInput {
    /// The shop's refund id: a refund is recorded once.
    pub id: String,
    /// Money refunded, minor units.
    pub amount_minor: u64,
}

/// A recorded refund.
#[derive(Debug, Clone, Serialize)]
pub struct RefundRecord {
    /// The shop's refund id.
    pub id: String,
    /// The order.
    pub order_id: String,
    /// Money refunded, minor units.
    pub amount_minor: u64,
    /// Points taken back.
    pub points: u64,
    /// Whether the refund was already recorded.
    pub replayed: bool,
}

/// Records a refund once: it takes back the order's points in proportion
/// to the money refunded (all of them when the whole order is). Within the
/// return window the order's pending points are cancelled; after it, the
/// points come off the balance, which never goes below zero.
pub fn record_refund(
    tx: &mut dyn Sql,
    order_id: &str,
    input: &RefundInput,
    program: &Program,
    today: i64,
) -> Result<RefundRecord, StoreError> {
    check_id("the refund id", &input.id)?;
    let seen = tx.opt(
        "SELECT order_id, amount_minor, points FROM refunds WHERE id = ?1",
        args![&input.id],
    )?;
    if let Some(row) = seen {
        let (seen_order, amount_minor, points): (String, u64, u64) =
            (row.get(0)?, row.get(1)?, row.get(2)?);
        if seen_order != order_id || amount_minor != input.amount_minor {
            return Err(refused(
                422,
                ErrorCode::IdempotencyConflict,
                "this refund id was recorded for another order or amount",
            ));
        }
        return Ok(RefundRecord {
            id: input.id.clone(),
            order_id: seen_order,
            amount_minor,
            points,
            replayed: true,
        });
    }
    if input.amount_minor == 0 {
        return Err(bad("amount_minor must be above 0"));
    }
    check_money("amount_minor", input.amount_minor)?;
    let order = tx
        .opt(
            "SELECT customer_id, total_minor, points, entry_id, available_on, refunded_minor, number
             FROM orders WHERE id = ?1",
            args![order_id],
        )?
        .ok_or_else(|| refused(404, ErrorCode::NotFound, "no such order"))?;
    let (customer_id, total, earned): (String, u64, u64) =
        (order.get(0)?, order.get(1)?, order.get(2)?);
    let (entry_id, available_on, before, number): (i64, String, u64, String) =
        (order.get(3)?, order.get(4)?, order.get(5)?, order.get(6)?);
    let account = db::settle(tx, &customer_id, program, today)?;
    let available_on = ledger::parse_date(&available_on)
        .ok_or_else(|| StoreError::Corrupt("order date".into()))?;
    let pending = available_on > today;
    let mut points = ledger::refund_points(earned, total, before, input.amount_minor);
    if !pending {
        points = points.min(account.approved());
    }
    let (en, de) = (format!("Refund {number}"), format!("Erstattung {number}"));
    let refunded = input.amount_minor.min(total.saturating_sub(before));
    let entry = NewEntry {
        available_on: if pending { available_on } else { today },
        lot: Some(entry_id),
        amount_minor: -i64::try_from(refunded).unwrap_or(i64::MAX),
        order_id: Some(order_id),
        ..NewEntry::now(
            &customer_id,
            Kind::Refund,
            -i64::try_from(points).unwrap_or(i64::MAX),
            today,
            (&en, &de),
        )
    };
    db::append(tx, program, &entry)?;
    if pending && before < total && before.saturating_add(refunded) >= total {
        cancel_referral(tx, order_id, program, today)?;
    }
    tx.exec(
        "UPDATE orders SET refunded_minor = refunded_minor + ?2 WHERE id = ?1",
        args![order_id, refunded],
    )?;
    tx.exec(
        "INSERT INTO refunds (id, order_id, amount_minor, points) VALUES (?1, ?2, ?3, ?4)",
        args![&input.id, order_id, input.amount_minor, points],
    )?;
    Ok(RefundRecord {
        id: input.id.clone(),
        order_id: order_id.to_owned(),
        amount_minor: input.amount_minor,
        points,
        replayed: false,
    })
}

/// A referred friend's first order returned in full within its return
/// window earns the referrer nothing: their pending referral points for it
/// are cancelled (after the window they stay earned).
fn cancel_referral(
    tx: &mut dyn Sql,
    order_id: &str,
    program: &Program,
    today: i64,
) -> Result<(), StoreError> {
    let Some(row) = tx.opt(
        "SELECT id, customer_id, points, available_on FROM ledger
         WHERE order_id = ?1 AND kind = 'referral'",
        args![order_id],
    )?
    else {
        return Ok(());
    };
    let (lot, referrer, points, available_on): (i64, String, i64, String) =
        (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
    let entry = NewEntry {
        available_on: ledger::parse_date(&available_on)
            .ok_or_else(|| StoreError::Corrupt("referral date".into()))?,
        lot: Some(lot),
        order_id: Some(order_id),
        ..NewEntry::now(
            &referrer,
            Kind::Refund,
            -points,
            today,
            (
                "Referral cancelled: the order was returned",
                "Empfehlung storniert: Bestellung zurückgegeben",
            ),
        )
    };
    db::append(tx, program, &entry)?;
    Ok(())
}

/// Changing points by hand (`POST /admin/v1/customers/{id}/adjustments`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentInput {
    /// Points to add (positive) or take (negative); not 0.
    pub points: i64,
    /// Why, as the customer's history shows it.
    pub reason: String,
}

/// Adds or takes points with a reason. Taking more than the customer can
/// spend is refused.
pub fn adjust(
    tx: &mut dyn Sql,
    customer_id: &str,
    input: &AdjustmentInput,
    program: &Program,
    today: i64,
) -> Result<CustomerRecord, StoreError> {
    let reason = input.reason.trim();
    if reason.is_empty() || reason.chars().count() > 120 {
        return Err(bad("reason must be 1 to 120 characters"));
    }
    if input.points == 0 || input.points.unsigned_abs() > 1_000_000_000 {
        return Err(bad(
            "points must be a whole number, not 0, within ±1,000,000,000",
        ));
    }
    let account = db::settle(tx, customer_id, program, today)?;
    if input.points < 0 && input.points.unsigned_abs() > account.approved() {
        return Err(refused(
            409,
            ErrorCode::InsufficientPoints,
            "the customer does not have that many points to take",
        ));
    }
    let entry = NewEntry::now(
        customer_id,
        Kind::Adjustment,
        input.points,
        today,
        (reason, reason),
    );
    db::append(tx, program, &entry)?;
    record_of(tx, customer_id, false, None, today)
}

/// One ledger entry as the admin API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerLine {
    /// Its place in the ledger.
    pub id: i64,
    /// Why (`order`, `refund`, `adjustment`, ...).
    pub kind: String,
    /// Signed change.
    pub points: i64,
    /// The day it was booked.
    pub booked_on: String,
    /// The first day it counts.
    pub available_on: String,
    /// When the unspent rest expires (positive entries).
    pub expires_on: Option<String>,
    /// The order it belongs to.
    pub order_id: Option<String>,
    /// The reason.
    pub reason: String,
    /// A coupon code (redemptions).
    pub code: Option<String>,
}

/// A customer's whole ledger, newest first, and their points.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerView {
    /// The customer and their points today.
    pub customer: CustomerRecord,
    /// Entries, newest first (at most [`LEDGER_LIMIT`]).
    pub entries: Vec<LedgerLine>,
}

/// The most entries one ledger read returns.
pub const LEDGER_LIMIT: u32 = 1000;

/// `GET /admin/v1/customers/{id}/ledger` (settles first).
pub fn ledger_view(
    tx: &mut dyn Sql,
    customer_id: &str,
    program: &Program,
    today: i64,
) -> Result<LedgerView, StoreError> {
    db::settle(tx, customer_id, program, today)?;
    let entries = tx
        .rows(
            "SELECT id, kind, points, booked_on, available_on, expires_on, order_id, reason, code
             FROM ledger WHERE customer_id = ?1 ORDER BY id DESC LIMIT ?2",
            args![customer_id, LEDGER_LIMIT],
        )?
        .into_iter()
        .map(|row| {
            Ok(LedgerLine {
                id: row.get(0)?,
                kind: row.get(1)?,
                points: row.get(2)?,
                booked_on: row.get(3)?,
                available_on: row.get(4)?,
                expires_on: row.get(5)?,
                order_id: row.get(6)?,
                reason: row.get(7)?,
                code: row.get(8)?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(LedgerView {
        customer: record_of(tx, customer_id, false, None, today)?,
        entries,
    })
}
