//! The shop's side of the ledger: customers, orders, refunds and
//! adjustments, as the admin API (`openapi/loyalty-admin-v1.json`) and the
//! platforms' webhooks ([`super::webhooks`]) record them. Every function
//! runs inside one immediate transaction and changes points only by
//! appending ledger entries ([`account::append`]).

use super::account::{self, Account, NewEntry};
use super::error::{bad, refused, Error, Result};
use super::ledger::{self, Kind};
use super::program::Program;
use super::sales;
use crate::store::queries as q;
use crate::store::rows::{NewCustomer, NewOrder, OrderRow};
use crate::store::sales::{self as s, SaleRow};
use crate::store::Db;
use loyalty_core::contract::{ErrorCode, Points};
use serde::{Deserialize, Serialize};

/// Checks an id the shop chose (customer, order, refund): 1 to 128
/// printable characters.
pub fn check_id(what: &str, id: &str) -> Result<()> {
    if id.is_empty() || id.chars().count() > 128 || id.chars().any(char::is_control) {
        return Err(bad(format!("{what} must be 1 to 128 printable characters")));
    }
    Ok(())
}

/// The largest amount of money one order or refund may be, in minor
/// units (ten billion in the currency's units): beyond any real order, and
/// far from where sums of points could overflow.
pub const MAX_MONEY: u64 = 1_000_000_000_000;

fn check_money(field: &str, amount: u64) -> Result<()> {
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
    /// Their tier's id today.
    pub tier: Option<String>,
    /// The last day a tier brought over by an import is kept as a floor,
    /// while it is.
    pub tier_kept_until: Option<String>,
}

fn check_customer(input: &CustomerInput) -> Result<()> {
    if let Some(name) = &input.first_name {
        if name.trim().is_empty() || name.chars().count() > 100 {
            return Err(bad("first_name must be 1 to 100 characters"));
        }
    }
    if let Some(email) = &input.email {
        // Characters, as the schema's maxLength counts them (not bytes).
        let too_long = email.chars().count() > 254;
        if too_long || !email.contains('@') || email.chars().any(char::is_whitespace) {
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
pub(crate) async fn new_referral_code(db: &mut Db<'_>, first_name: Option<&str>) -> Result<String> {
    let stem = code_stem(first_name);
    for digits in [3u32, 4, 5, 6, 7, 8] {
        let code = code_with(&stem, digits)?;
        if q::by_referral_code(db, &code).await?.is_none() {
            return Ok(code);
        }
    }
    Err(Error::Random("no free referral code".into()))
}

/// New referral codes for many new customers at once (an import), one per
/// first name given, unique among themselves and in the shop: their
/// numbers start wide enough that few collide (ten times as many numbers
/// as `many` new customers, 3 to 8 digits), and the batch is checked in
/// one look-up a round (a hundred thousand members without first names
/// would otherwise fill FRIEND000 to FRIEND99999 one look-up at a time).
pub(crate) async fn new_referral_codes(
    db: &mut Db<'_>,
    first_names: &[Option<&str>],
    many: usize,
) -> Result<Vec<String>> {
    let from = many.saturating_mul(10).max(1).ilog10().clamp(3, 8);
    let stems: Vec<String> = first_names.iter().map(|name| code_stem(*name)).collect();
    let mut codes: Vec<Option<String>> = vec![None; stems.len()];
    for digits in (from..=8).chain([8, 8, 8]) {
        let mut drawn = Vec::new();
        let mut fresh = std::collections::HashSet::new();
        for (index, stem) in stems.iter().enumerate() {
            if codes[index].is_none() {
                let code = code_with(stem, digits)?;
                if fresh.insert(code.to_lowercase()) {
                    drawn.push((index, code));
                }
            }
        }
        if drawn.is_empty() {
            break;
        }
        let lower: Vec<String> = drawn.iter().map(|(_, code)| code.to_lowercase()).collect();
        let taken: std::collections::HashSet<String> = q::taken_referral_codes(db, &lower)
            .await?
            .into_iter()
            .collect();
        for (index, code) in drawn {
            if !taken.contains(&code.to_lowercase()) {
                codes[index] = Some(code);
            }
        }
    }
    codes
        .into_iter()
        .map(|code| code.ok_or_else(|| Error::Random("no free referral code".into())))
        .collect()
}

/// Up to eight letters of the first name, in capitals (`FRIEND` without).
fn code_stem(first_name: Option<&str>) -> String {
    let stem: String = first_name
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_alphabetic)
        .take(8)
        .collect::<String>()
        .to_ascii_uppercase();
    if stem.is_empty() {
        "FRIEND".to_owned()
    } else {
        stem
    }
}

/// The stem and a random number of `digits` digits.
fn code_with(stem: &str, digits: u32) -> Result<String> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|err| Error::Random(err.to_string()))?;
    let number = u64::from_le_bytes(bytes) % 10u64.pow(digits);
    Ok(format!("{stem}{number:0width$}", width = digits as usize))
}

async fn record_of(
    db: &mut Db<'_>,
    program: &Program,
    id: &str,
    created: bool,
    referral: Option<Attribution>,
    today: i64,
) -> Result<CustomerRecord> {
    let (row, points, tier) = account::with_points(db, id, program, today).await?;
    let tier_kept_until = row
        .tier_floor_until
        .clone()
        .filter(|until| ledger::parse_date(until).is_some_and(|day| today <= day));
    Ok(CustomerRecord {
        id: id.to_owned(),
        first_name: row.first_name,
        referral_code: row.referral_code,
        referred_by: row.referred_by,
        created,
        referral,
        points,
        tier,
        tier_kept_until,
    })
}

/// Refuses the console's sample customer ([`super::account::PREVIEW`]):
/// it never signs up, orders or gets points, so it never counts. The id is
/// well formed and the request may be too: it is the act that is not
/// allowed (403, as every admin write documents), not the input.
fn not_the_sample(customer_id: &str) -> Result<()> {
    if customer_id == super::account::PREVIEW {
        return Err(refused(
            ErrorCode::Forbidden,
            format!("{customer_id} is reserved for the console's sample customer"),
        ));
    }
    Ok(())
}

/// Creates or updates a customer. Creating one books the welcome bonus and
/// attributes a referral code given with it (never the customer's own, nor
/// one of a customer with the same e-mail address).
pub async fn upsert_customer(
    db: &mut Db<'_>,
    id: &str,
    input: &CustomerInput,
    program: &Program,
    today: i64,
) -> Result<CustomerRecord> {
    check_id("the customer id", id)?;
    not_the_sample(id)?;
    check_customer(input)?;
    let email = input.email.as_deref().map(str::to_lowercase);
    if q::customer_exists(db, id).await? {
        q::update_customer(
            db,
            id,
            input.first_name.as_deref(),
            email.as_deref(),
            input.birthday.as_deref(),
        )
        .await?;
        let referral = input
            .referral_code
            .as_ref()
            .map(|_| Attribution::NotAtSignUp);
        return record_of(db, program, id, false, referral, today).await;
    }
    let code = new_referral_code(db, input.first_name.as_deref()).await?;
    let (referred_by, referral) = match input.referral_code.as_deref() {
        None => (None, None),
        Some(given) => match q::by_referral_code(db, given.trim()).await? {
            None => (None, Some(Attribution::UnknownCode)),
            Some((_, _, _, Some(owner_email))) if Some(&owner_email) == email.as_ref() => {
                (None, Some(Attribution::OwnCode))
            }
            Some((owner, _, _, _)) => (Some(owner), Some(Attribution::Attributed)),
        },
    };
    let created_on = ledger::format_date(today);
    q::insert_customer(
        db,
        &NewCustomer {
            id,
            first_name: input.first_name.as_deref(),
            email: email.as_deref(),
            birthday: input.birthday.as_deref(),
            referral_code: &code,
            referred_by: referred_by.as_deref(),
            friends_joined: 0,
            club_joined_at: None,
            created_on: &created_on,
        },
    )
    .await?;
    if let Some(referrer) = &referred_by {
        q::count_friend(db, referrer).await?;
    }
    account::welcome(db, id, program, today).await?;
    record_of(db, program, id, true, referral, today).await
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
    #[serde(deserialize_with = "loyalty_core::contract::whole")]
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
    /// When the order was placed (RFC 3339); now when not given.
    #[serde(default)]
    pub placed_at: Option<String>,
    /// `false`: the customer is not a member; the order is recorded for
    /// the figures only (no points, no customer made), keyed by
    /// `customer_id`. A member's order when not given.
    #[serde(default)]
    pub member: Option<bool>,
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
    /// When it was placed, RFC 3339 UTC.
    pub placed_at: String,
    /// Whether it is a member's order (with points) or recorded for the
    /// figures only.
    pub member: bool,
}

fn unsigned(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

fn signed(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn order_record_of(id: &str, row: OrderRow, replayed: bool, placed_at: String) -> OrderRecord {
    OrderRecord {
        placed_at,
        member: true,
        id: id.to_owned(),
        customer_id: row.customer_id,
        total_minor: unsigned(row.total_minor),
        points: unsigned(row.points),
        pending_until: row.available_on,
        refunded_minor: unsigned(row.refunded_minor),
        referral: row.referrer_id.map(|referrer_id| ReferralCredit {
            referrer_id,
            points: unsigned(row.referral_points),
        }),
        replayed,
    }
}

/// The points per currency unit of the customer's tier today.
fn rate(account: &Account, program: &Program) -> f64 {
    let tiers = program.published_tiers(&program.language(None));
    let rank = account::rank(&tiers, program, account);
    program
        .tiers
        .levels
        .get(rank)
        .map_or(0.0, |tier| tier.points_per_unit)
}

/// When an order was placed: `given` (RFC 3339, any zone; a platform's
/// zoneless UTC with `naive_is_utc`), else now (the ledger's day at this
/// moment's time of day, so a pinned test clock stays in its day).
pub fn placed_at(given: Option<&str>, today: i64, naive_is_utc: bool) -> Result<String> {
    match given {
        Some(text) => sales::parse_instant(text, naive_is_utc)
            .map(sales::format_instant)
            .ok_or_else(|| bad("placed_at must be an RFC 3339 instant (2026-11-28T10:02:11Z)")),
        None => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |elapsed| elapsed.as_secs());
            let within = i64::try_from(now % 86_400).unwrap_or(0);
            Ok(sales::format_instant(today * 86_400 + within))
        }
    }
}

/// The instant a recorded order was placed (its sale's).
async fn placed_of(db: &mut Db<'_>, id: &str) -> Result<String> {
    Ok(s::sale(db, id)
        .await?
        .map(|sale| sale.placed_at)
        .unwrap_or_default())
}

/// Records a non-member's order once, for the figures only: no points, no
/// customer made; `key` groups a customer's orders
/// ([`sales::guest_key`]).
pub async fn record_sale_only(
    db: &mut Db<'_>,
    id: &str,
    key: &str,
    total_minor: u64,
    placed_at: &str,
    today: i64,
) -> Result<OrderRecord> {
    check_id("the order id", id)?;
    check_money("total_minor", total_minor)?;
    let record = |sale: &SaleRow, replayed: bool| OrderRecord {
        id: id.to_owned(),
        customer_id: sale.customer_key.clone(),
        total_minor: unsigned(sale.total_minor),
        points: 0,
        pending_until: ledger::format_date(sales::day_of(&sale.placed_at).unwrap_or(today)),
        refunded_minor: unsigned(sale.refunded_minor),
        referral: None,
        replayed,
        placed_at: sale.placed_at.clone(),
        member: sale.member != 0,
    };
    if let Some(seen) = s::sale(db, id).await? {
        if seen.member != 0 || seen.customer_key != key || unsigned(seen.total_minor) != total_minor
        {
            return Err(refused(
                ErrorCode::IdempotencyConflict,
                "this order id was recorded with another customer, total or membership",
            ));
        }
        return Ok(record(&seen, true));
    }
    let sale = SaleRow {
        id: id.to_owned(),
        customer_key: key.to_owned(),
        member: 0,
        total_minor: signed(total_minor),
        refunded_minor: 0,
        placed_at: placed_at.to_owned(),
        source: "live".into(),
    };
    s::insert_sales(db, std::slice::from_ref(&sale)).await?;
    Ok(record(&sale, false))
}

/// Records a paid order once: it earns points at the customer's tier's
/// rate, pending for the program's `pending_days`. A referred customer's
/// first order also earns their referrer the program's referral points,
/// pending alike.
pub async fn record_order(
    db: &mut Db<'_>,
    input: &OrderInput,
    program: &Program,
    today: i64,
) -> Result<OrderRecord> {
    check_id("the order id", &input.id)?;
    check_id("the customer id", &input.customer_id)?;
    not_the_sample(&input.customer_id)?;
    check_money("total_minor", input.total_minor)?;
    let customer = CustomerInput {
        first_name: input.first_name.clone(),
        email: input.email.clone(),
        referral_code: input.referral_code.clone(),
        ..CustomerInput::default()
    };
    // Checked whether or not they are used (a known customer's are not):
    // a request is valid or not whatever the ledger holds.
    check_customer(&customer)?;
    let placed = placed_at(input.placed_at.as_deref(), today, false)?;
    if input.member == Some(false) {
        let key = input.customer_id.trim();
        return record_sale_only(db, &input.id, key, input.total_minor, &placed, today).await;
    }
    if let Some(seen) = q::order(db, &input.id).await? {
        let placed = placed_of(db, &input.id).await?;
        let seen = order_record_of(&input.id, seen, true, placed);
        if seen.customer_id != input.customer_id || seen.total_minor != input.total_minor {
            return Err(refused(
                ErrorCode::IdempotencyConflict,
                "this order id was recorded with another customer or total",
            ));
        }
        return Ok(seen);
    }
    if s::sale(db, &input.id).await?.is_some() {
        return Err(refused(
            ErrorCode::IdempotencyConflict,
            "this order id was recorded as a non-member's or an imported order",
        ));
    }
    if !q::customer_exists(db, &input.customer_id).await? {
        upsert_customer(db, &input.customer_id, &customer, program, today).await?;
    }
    let account = account::settle(db, &input.customer_id, program, today).await?;
    let first_order = !q::has_order(db, &input.customer_id).await?;
    let points = ledger::order_points(input.total_minor, rate(&account, program));
    let available_on = today + i64::from(program.pending_days);
    let shown = input.number.as_deref().unwrap_or(&input.id);
    let number = format!("#{}", shown.trim_start_matches('#'));
    let (en, de) = (format!("Order {number}"), format!("Bestellung {number}"));
    let entry = NewEntry {
        available_on,
        amount_minor: signed(input.total_minor),
        order_id: Some(&input.id),
        ..NewEntry::now(
            &input.customer_id,
            Kind::Order,
            signed(points),
            today,
            (&en, &de),
        )
    };
    let entry_id = account::append(db, program, &entry, today).await?;
    let referrer = account.referred_by().filter(|referrer| {
        first_order && *referrer != input.customer_id && program.referral.referrer_points > 0
    });
    if let Some(referrer) = referrer {
        // No name in the referrer's row: the ledger is never changed, and an
        // erased friend's name must not stay in it. The friend's name is
        // shown from their order (`order_id`) while they are there.
        let (en, de) = ("Referral".to_owned(), "Empfehlung".to_owned());
        let entry = NewEntry {
            available_on,
            order_id: Some(&input.id),
            ..NewEntry::now(
                referrer,
                Kind::Referral,
                signed(program.referral.referrer_points),
                today,
                (&en, &de),
            )
        };
        account::append(db, program, &entry, today).await?;
    }
    q::insert_order(
        db,
        &NewOrder {
            id: &input.id,
            customer_id: &input.customer_id,
            total_minor: signed(input.total_minor),
            points: signed(points),
            entry_id,
            available_on: ledger::format_date(available_on),
            paid_on: ledger::format_date(today),
            referrer_id: referrer,
            referral_points: referrer.map_or(0, |_| signed(program.referral.referrer_points)),
            number: &number,
        },
    )
    .await?;
    let sale = SaleRow {
        id: input.id.clone(),
        customer_key: input.customer_id.clone(),
        member: 1,
        total_minor: signed(input.total_minor),
        refunded_minor: 0,
        placed_at: placed.clone(),
        source: "live".into(),
    };
    s::insert_sales(db, std::slice::from_ref(&sale)).await?;
    let row = q::order(db, &input.id)
        .await?
        .ok_or_else(|| Error::Corrupt("order vanished".into()))?;
    Ok(order_record_of(&input.id, row, false, placed))
}

/// Recording a refund (`POST /admin/v1/orders/{id}/refunds`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundInput {
    /// The shop's refund id: a refund is recorded once.
    pub id: String,
    /// Money refunded, minor units.
    #[serde(deserialize_with = "loyalty_core::contract::whole")]
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
pub async fn record_refund(
    db: &mut Db<'_>,
    order_id: &str,
    input: &RefundInput,
    program: &Program,
    today: i64,
) -> Result<RefundRecord> {
    check_id("the refund id", &input.id)?;
    if let Some(seen) = q::refund(db, &input.id).await? {
        let amount_minor = unsigned(seen.amount_minor);
        if seen.order_id != order_id || amount_minor != input.amount_minor {
            return Err(refused(
                ErrorCode::IdempotencyConflict,
                "this refund id was recorded for another order or amount",
            ));
        }
        return Ok(RefundRecord {
            id: input.id.clone(),
            order_id: seen.order_id,
            amount_minor,
            points: unsigned(seen.points),
            replayed: true,
        });
    }
    if let Some((sale_id, amount)) = s::sale_refund(db, &input.id).await? {
        if sale_id != order_id || unsigned(amount) != input.amount_minor {
            return Err(refused(
                ErrorCode::IdempotencyConflict,
                "this refund id was recorded for another order or amount",
            ));
        }
        return Ok(RefundRecord {
            id: input.id.clone(),
            order_id: sale_id,
            amount_minor: input.amount_minor,
            points: 0,
            replayed: true,
        });
    }
    if input.amount_minor == 0 {
        return Err(bad("amount_minor must be above 0"));
    }
    check_money("amount_minor", input.amount_minor)?;
    let Some(order) = q::order(db, order_id).await? else {
        // A non-member's order: its revenue only.
        if s::sale(db, order_id).await?.is_none() {
            return Err(refused(ErrorCode::NotFound, "no such order"));
        }
        s::add_sale_refunded(db, order_id, signed(input.amount_minor)).await?;
        s::insert_sale_refund(db, &input.id, order_id, signed(input.amount_minor)).await?;
        return Ok(RefundRecord {
            id: input.id.clone(),
            order_id: order_id.to_owned(),
            amount_minor: input.amount_minor,
            points: 0,
            replayed: false,
        });
    };
    let (total, earned, before) = (
        unsigned(order.total_minor),
        unsigned(order.points),
        unsigned(order.refunded_minor),
    );
    let account = account::settle(db, &order.customer_id, program, today).await?;
    let available_on = ledger::parse_date(&order.available_on)
        .ok_or_else(|| Error::Corrupt("order date".into()))?;
    let pending = available_on > today;
    let mut points = ledger::refund_points(earned, total, before, input.amount_minor);
    if !pending {
        points = points.min(account.approved());
    }
    let number = &order.number;
    let (en, de) = (format!("Refund {number}"), format!("Erstattung {number}"));
    let refunded = input.amount_minor.min(total.saturating_sub(before));
    let entry = NewEntry {
        available_on: if pending { available_on } else { today },
        lot: Some(order.entry_id),
        amount_minor: -signed(refunded),
        order_id: Some(order_id),
        ..NewEntry::now(
            &order.customer_id,
            Kind::Refund,
            -signed(points),
            today,
            (&en, &de),
        )
    };
    account::append(db, program, &entry, today).await?;
    if pending && before < total && before.saturating_add(refunded) >= total {
        cancel_referral(db, order_id, program, today).await?;
    }
    q::add_refunded(db, order_id, signed(refunded)).await?;
    s::add_sale_refunded(db, order_id, signed(refunded)).await?;
    q::insert_refund(
        db,
        &input.id,
        order_id,
        signed(input.amount_minor),
        signed(points),
    )
    .await?;
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
async fn cancel_referral(
    db: &mut Db<'_>,
    order_id: &str,
    program: &Program,
    today: i64,
) -> Result<()> {
    let Some(row) = q::referral_entry(db, order_id).await? else {
        return Ok(());
    };
    let entry = NewEntry {
        available_on: ledger::parse_date(&row.available_on)
            .ok_or_else(|| Error::Corrupt("referral date".into()))?,
        lot: Some(row.id),
        order_id: Some(order_id),
        ..NewEntry::now(
            &row.customer_id,
            Kind::Refund,
            -row.points,
            today,
            (
                "Referral cancelled: the order was returned",
                "Empfehlung storniert: Bestellung zurückgegeben",
            ),
        )
    };
    account::append(db, program, &entry, today).await?;
    Ok(())
}

/// Changing points by hand (`POST /admin/v1/customers/{id}/adjustments`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentInput {
    /// Points to add (positive) or take (negative); not 0.
    #[serde(deserialize_with = "loyalty_core::contract::whole")]
    pub points: i64,
    /// Why, as the customer's history shows it.
    pub reason: String,
}

/// Adds or takes points with a reason. Taking more than the customer can
/// spend is refused.
pub async fn adjust(
    db: &mut Db<'_>,
    customer_id: &str,
    input: &AdjustmentInput,
    program: &Program,
    today: i64,
) -> Result<CustomerRecord> {
    not_the_sample(customer_id)?;
    // Counted as sent, as the schema's maxLength counts; stored trimmed.
    let reason = input.reason.trim();
    if reason.is_empty() || input.reason.chars().count() > 120 {
        return Err(bad("reason must be 1 to 120 characters"));
    }
    if input.points == 0 || input.points.unsigned_abs() > 1_000_000_000 {
        return Err(bad(
            "points must be a whole number, not 0, within ±1,000,000,000",
        ));
    }
    let account = account::settle(db, customer_id, program, today).await?;
    if input.points < 0 && input.points.unsigned_abs() > account.approved() {
        return Err(refused(
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
    account::append(db, program, &entry, today).await?;
    record_of(db, program, customer_id, false, None, today).await
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
pub async fn ledger_view(
    db: &mut Db<'_>,
    customer_id: &str,
    program: &Program,
    today: i64,
) -> Result<LedgerView> {
    account::settle(db, customer_id, program, today).await?;
    let entries = q::ledger_lines(db, customer_id, i64::from(LEDGER_LIMIT))
        .await?
        .into_iter()
        .map(|row| LedgerLine {
            id: row.id,
            kind: row.kind,
            points: row.points,
            booked_on: row.booked_on,
            available_on: row.available_on,
            expires_on: row.expires_on,
            order_id: row.order_id,
            reason: row.reason,
            code: row.code,
        })
        .collect();
    Ok(LedgerView {
        customer: record_of(db, program, customer_id, false, None, today).await?,
        entries,
    })
}
