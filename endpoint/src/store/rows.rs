//! Rows as the tables hold them: text dates (`YYYY-MM-DD`), 64-bit
//! integers, flags as 0 or 1. The domain reads its own types out of them.

use sqlx::FromRow;

/// A customer's own row (points are not in it: they come from the ledger).
#[derive(Debug, Clone, FromRow)]
pub struct CustomerRow {
    /// First name.
    pub first_name: Option<String>,
    /// Birthday, `MM-DD`.
    pub birthday: Option<String>,
    /// `member`, `guest`, ... (the contract's customer state).
    pub state: String,
    /// Their own referral code.
    pub referral_code: Option<String>,
    /// Who referred them (a customer id).
    pub referred_by: Option<String>,
    /// Friends who joined through their code.
    pub friends_joined: i64,
    /// 1 when in the club.
    pub club_member: i64,
    /// The day they joined the club.
    pub club_joined_at: Option<String>,
    /// A tier brought over by an import, kept as a floor ...
    pub tier_floor: Option<String>,
    /// ... until this day (inclusive), `YYYY-MM-DD`.
    pub tier_floor_until: Option<String>,
}

/// A new customer.
#[derive(Debug, Clone)]
pub struct NewCustomer<'a> {
    /// The shop's customer id.
    pub id: &'a str,
    /// First name.
    pub first_name: Option<&'a str>,
    /// E-mail address, lower case.
    pub email: Option<&'a str>,
    /// Birthday, `MM-DD`.
    pub birthday: Option<&'a str>,
    /// Their own referral code.
    pub referral_code: &'a str,
    /// Who referred them.
    pub referred_by: Option<&'a str>,
    /// Friends who joined through their code (the demo's).
    pub friends_joined: i64,
    /// The day they joined the club, if they are in it.
    pub club_joined_at: Option<&'a str>,
    /// The day they were created.
    pub created_on: &'a str,
}

/// One ledger entry, for working out balances.
#[derive(Debug, Clone, FromRow)]
pub struct EntryRow {
    /// Its place in the ledger.
    pub id: i64,
    /// Why (`order`, `refund`, ...).
    pub kind: String,
    /// Signed change.
    pub points: i64,
    /// The day it was booked.
    pub booked_on: String,
    /// The first day it counts.
    pub available_on: String,
    /// When the unspent rest expires.
    pub expires_on: Option<String>,
    /// The entry it refers to.
    pub lot: Option<i64>,
    /// Money it stands for, minor units.
    pub amount_minor: i64,
}

/// One ledger entry and whose it is (the ledgers of many customers read
/// at once).
#[derive(Debug, Clone, FromRow)]
pub struct CustomerEntryRow {
    /// Whose points.
    pub customer_id: String,
    /// The entry.
    #[sqlx(flatten)]
    pub entry: EntryRow,
}

/// A ledger entry to append.
#[derive(Debug, Clone)]
pub struct NewEntryRow<'a> {
    /// Whose points.
    pub customer_id: &'a str,
    /// Why.
    pub kind: &'a str,
    /// Signed change.
    pub points: i64,
    /// The day it is booked.
    pub booked_on: String,
    /// The first day it counts.
    pub available_on: String,
    /// When the unspent rest expires.
    pub expires_on: Option<String>,
    /// The entry it refers to.
    pub lot: Option<i64>,
    /// Money it stands for.
    pub amount_minor: i64,
    /// The order it belongs to.
    pub order_id: Option<&'a str>,
    /// Why, for the shop.
    pub reason: &'a str,
    /// What the customer sees, English.
    pub label_en: &'a str,
    /// What the customer sees, German.
    pub label_de: &'a str,
    /// A coupon code.
    pub code: Option<&'a str>,
}

/// One line of a customer's history.
#[derive(Debug, Clone, FromRow)]
pub struct ActivityRow {
    /// Its place in the ledger.
    pub id: i64,
    /// Why.
    pub kind: String,
    /// English label.
    pub label_en: String,
    /// German label.
    pub label_de: String,
    /// Signed change.
    pub points: i64,
    /// The first day it counts.
    pub available_on: String,
    /// The day it was booked.
    pub booked_on: String,
    /// A coupon code.
    pub code: Option<String>,
    /// Why, for the shop (an adjustment's reason as given; `release`,
    /// `release-expired` for points given back).
    pub reason: String,
    /// The number of the order it belongs to.
    pub order_number: Option<String>,
    /// Whose order that is.
    pub order_customer: Option<String>,
    /// Their first name.
    pub order_first_name: Option<String>,
    /// The reward of the redemption it is (by its code) or gives back.
    pub reward_id: Option<String>,
    /// The state of the redemption it is (by its code).
    pub redemption_state: Option<String>,
}

/// One ledger entry as the admin API shows it.
#[derive(Debug, Clone, FromRow)]
pub struct LedgerLineRow {
    /// Its place in the ledger.
    pub id: i64,
    /// Why.
    pub kind: String,
    /// Signed change.
    pub points: i64,
    /// The day it was booked.
    pub booked_on: String,
    /// The first day it counts.
    pub available_on: String,
    /// When the unspent rest expires.
    pub expires_on: Option<String>,
    /// The order it belongs to.
    pub order_id: Option<String>,
    /// The reason.
    pub reason: String,
    /// A coupon code.
    pub code: Option<String>,
}

/// An earning rule as published.
#[derive(Debug, Clone, FromRow)]
pub struct EarningRow {
    /// The contract's earn kind.
    pub kind: String,
}

/// A tier as the program tables hold it.
#[derive(Debug, Clone)]
pub struct TierRow<'a> {
    /// Its id.
    pub id: &'a str,
    /// Where it starts.
    pub threshold: i64,
}

/// An offer to install.
#[derive(Debug, Clone)]
pub struct NewOffer<'a> {
    /// Its id.
    pub id: &'a str,
    /// Its place.
    pub position: i64,
    /// The lowest tier it is for.
    pub min_tier_id: Option<&'a str>,
    /// When it ends.
    pub ends_at: Option<&'a str>,
    /// Its code.
    pub code: Option<&'a str>,
    /// Its link.
    pub cta_url: Option<&'a str>,
}

/// A reward to install (switched on).
#[derive(Debug, Clone)]
pub struct NewReward<'a> {
    /// Its id.
    pub id: &'a str,
    /// Its place.
    pub position: i64,
    /// The contract's reward kind.
    pub kind: &'a str,
    /// Price in points.
    pub points_price: i64,
    /// The lowest tier that may redeem it.
    pub min_tier_id: Option<&'a str>,
}

/// A recorded order.
#[derive(Debug, Clone, FromRow)]
pub struct OrderRow {
    /// The customer.
    pub customer_id: String,
    /// What it earns on, minor units.
    pub total_minor: i64,
    /// Points it earned.
    pub points: i64,
    /// Its ledger entry.
    pub entry_id: i64,
    /// The first day its points count.
    pub available_on: String,
    /// Money refunded so far.
    pub refunded_minor: i64,
    /// The order number shown.
    pub number: String,
    /// Who got referral points for it.
    pub referrer_id: Option<String>,
    /// How many.
    pub referral_points: i64,
}

/// An order to record.
#[derive(Debug, Clone)]
pub struct NewOrder<'a> {
    /// The shop's order id.
    pub id: &'a str,
    /// The customer.
    pub customer_id: &'a str,
    /// What it earns on.
    pub total_minor: i64,
    /// Points it earned.
    pub points: i64,
    /// Its ledger entry.
    pub entry_id: i64,
    /// The first day its points count.
    pub available_on: String,
    /// The day it was paid.
    pub paid_on: String,
    /// Who got referral points for it.
    pub referrer_id: Option<&'a str>,
    /// How many.
    pub referral_points: i64,
    /// The order number shown.
    pub number: &'a str,
}

/// A recorded refund.
#[derive(Debug, Clone, FromRow)]
pub struct RefundRow {
    /// The order.
    pub order_id: String,
    /// Money refunded.
    pub amount_minor: i64,
    /// Points taken back.
    pub points: i64,
}

/// A referral entry booked for an order.
#[derive(Debug, Clone, FromRow)]
pub struct ReferralEntryRow {
    /// Its place in the ledger.
    pub id: i64,
    /// The referrer.
    pub customer_id: String,
    /// Points.
    pub points: i64,
    /// The first day they count.
    pub available_on: String,
}

/// A redemption to record.
#[derive(Debug, Clone)]
pub struct NewRedemption<'a> {
    /// Its id.
    pub id: &'a str,
    /// The customer.
    pub customer_id: &'a str,
    /// The reward.
    pub reward_id: &'a str,
    /// Points spent.
    pub points_spent: i64,
    /// The coupon code.
    pub code: &'a str,
    /// When the code expires.
    pub expires_at: &'a str,
    /// The day it was made.
    pub created_at: &'a str,
    /// `pending` or `active`.
    pub state: &'a str,
    /// The redeem's `Idempotency-Key`.
    pub idempotency_key: Option<&'a str>,
    /// The reservation's ledger entry.
    pub entry_id: i64,
    /// The platform the code is made on.
    pub platform: Option<&'a str>,
    /// What to make there (JSON).
    pub spec: Option<&'a str>,
    /// Now, Unix seconds.
    pub touched_at: i64,
}

/// A redemption as the table holds it.
#[derive(Debug, Clone, FromRow)]
pub struct RedemptionRow {
    /// Its id.
    pub id: String,
    /// The customer.
    pub customer_id: String,
    /// The reward.
    pub reward_id: String,
    /// Points spent.
    pub points_spent: i64,
    /// The coupon code.
    pub code: String,
    /// When the code expires (`YYYY-MM-DD`).
    pub expires_at: String,
    /// The day it was made.
    pub created_at: String,
    /// `pending`, `active`, `used`, `expired` or `released`.
    pub state: String,
    /// The redeem's `Idempotency-Key`.
    pub idempotency_key: Option<String>,
    /// The reservation's ledger entry.
    pub entry_id: Option<i64>,
    /// The platform the code is made on.
    pub platform: Option<String>,
    /// The platform's id for the code.
    pub reference: Option<String>,
    /// What to make there (JSON).
    pub spec: Option<String>,
    /// The order that used the code.
    pub used_order: Option<String>,
    /// Tries on the platform.
    pub attempts: i64,
    /// The last failure.
    pub last_error: Option<String>,
    /// Last touched, Unix seconds.
    pub touched_at: i64,
    /// The ledger entry that gave its points back, if one did.
    pub release_entry: Option<i64>,
}

/// A redemption's move to another state.
#[derive(Debug, Clone, Default)]
pub struct RedemptionChange<'a> {
    /// The new state.
    pub to: &'a str,
    /// The platform's id for the code.
    pub reference: Option<&'a str>,
    /// The order that used it.
    pub used_order: Option<&'a str>,
    /// The ledger entry that gave the points back.
    pub release_entry: Option<i64>,
    /// Why (a release's reason).
    pub error: Option<&'a str>,
    /// Now, Unix seconds.
    pub touched_at: i64,
}

/// A stored answer to an idempotent request.
#[derive(Debug, Clone, FromRow)]
pub struct IdempotencyRow {
    /// SHA-256 of the request, hex.
    pub request_hash: String,
    /// HTTP status.
    pub status: i64,
    /// JSON body.
    pub body: String,
}

/// A customer's row with their stored balance snapshot and the newest
/// ledger entry's id, read together.
#[derive(Debug, Clone, FromRow)]
pub struct AccountRow {
    /// The customer's own row.
    #[sqlx(flatten)]
    pub customer: CustomerRow,
    /// The stored snapshot (JSON), if any.
    pub snapshot: Option<String>,
    /// The newest ledger entry's id, if any.
    pub max_id: Option<i64>,
}

/// A stored snapshot and the newest ledger entry's id.
#[derive(Debug, Clone, FromRow)]
pub struct SnapshotRow {
    /// The stored snapshot (JSON), if any.
    pub snapshot: Option<String>,
    /// The newest ledger entry's id, if any.
    pub max_id: Option<i64>,
}
