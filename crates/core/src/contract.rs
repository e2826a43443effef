//! The endpoint contract, version 1 (`openapi/loyalty-v1.json`).
//!
//! One definition for both sides: the reference endpoint serializes these
//! types and the widget deserializes them (with `serde_wasm_bindgen`, from
//! the browser's own `JSON.parse`). The JSON semantics are the contract's
//! JSON Schema's: unknown fields are ignored, optional fields may be missing
//! or `null`, unknown enum values map to `Other` (or `Custom`) where the
//! contract allows new ones, and an integer is any JSON number with no
//! fraction (`1250`, `1250.0`, `1e3`), never `1250.5`. After the shape,
//! [`Checked::check`] refuses values no real program has (negative or
//! astronomically large points, enormous strings or lists), so nothing
//! absurd reaches the screen; the schema states the same limits.
//!
//! **Core and optional parts.** Each answer has a core the widget cannot
//! show anything without (a summary's state, balance and club membership, a
//! program's name and currency, ...): a bad core value refuses the whole
//! answer. Everything else is an optional part (a date, a link, a name, an
//! expiring entry, a referral or tier block, one entry of a list): a bad
//! value there, of the wrong type or breaking the checks, leaves that part
//! out and the rest is shown. [`accept_parts`] says which parts were left
//! out, by the contract's field name, so the widget can log each once. The
//! decision for every field is written in the OpenAPI file's descriptions
//! (`openapi/loyalty-v1.json`).
//!
//! Optional parts are read by trying them and dropping the attempt when it
//! fails, which needs a deserializer of an already parsed value: the
//! browser's `JSON.parse` with `serde_wasm_bindgen` in the widget,
//! `serde_json::Value` natively (never a `serde_json` stream, which cannot
//! go on after a failed part).

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

/// Path prefix of this contract version.
pub const API_PREFIX: &str = "/v1";
/// Largest points figure accepted anywhere (a trillion).
pub const MAX_POINTS: u64 = 1_000_000_000_000;
/// Longest text accepted in any field, in characters (JSON Schema's
/// `maxLength` counts characters, not bytes).
pub const MAX_TEXT: usize = 2_000;
/// Most items accepted in any list.
pub const MAX_ITEMS: usize = 500;

/// Why a response body was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    /// Not JSON of the expected shape (wrong type, missing field, truncated,
    /// HTML instead of JSON).
    #[error("malformed response: {0}")]
    Malformed(String),
    /// JSON of the right shape with a value no real program has.
    #[error("implausible value in {field}: {why}")]
    Implausible {
        /// The field, as a dotted path.
        field: &'static str,
        /// What is wrong with it.
        why: String,
    },
}

impl DecodeError {
    /// The field an implausible value was in (`""` for a malformed body).
    fn field(&self) -> &'static str {
        match self {
            DecodeError::Implausible { field, .. } => field,
            DecodeError::Malformed(_) => "",
        }
    }
}

/// Sanity checks beyond the JSON shape.
pub trait Checked {
    /// `Ok` when every core value is plausible; an implausible optional
    /// part is left out (set to `None`, dropped from its list) and named.
    fn check(&mut self) -> Result<(), DecodeError>;
}

/// An answer as the widget shows it, and the optional parts left out of it
/// (contract field names, each once, in the order met).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted<T> {
    /// The answer without its bad optional parts.
    pub value: T,
    /// The optional parts left out, e.g. `points.expiring.at`.
    pub left_out: Vec<&'static str>,
}

thread_local! {
    /// The optional parts left out by the decode in progress on this thread
    /// (serde gives a field's deserializer no other way out).
    static LEFT_OUT: std::cell::RefCell<Vec<&'static str>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Records that an optional part was left out (once per answer).
#[inline(never)]
fn left_out(field: &'static str) {
    LEFT_OUT.with(|all| {
        let mut all = all.borrow_mut();
        if !all.contains(&field) {
            all.push(field);
        }
    });
}

/// The result of a serde deserializer of a parsed value
/// (`serde_wasm_bindgen` in the widget, `serde_json::Value` natively),
/// checked: the one way an answer becomes a value. Bad optional parts are
/// left out (see the module's documentation) and named.
pub fn accept_parts<T: Checked, E: fmt::Display>(
    decoded: Result<T, E>,
) -> Result<Accepted<T>, DecodeError> {
    let mut left_out = Vec::new();
    let value = accept_noting(decoded, &mut left_out)?;
    Ok(Accepted { value, left_out })
}

/// [`accept_parts`] with the names of the parts left out put in
/// `left_out` (emptied when the answer is refused): the widget's way, which
/// moves no answer through an [`Accepted`].
pub fn accept_noting<T: Checked, E: fmt::Display>(
    decoded: Result<T, E>,
    left_out: &mut Vec<&'static str>,
) -> Result<T, DecodeError> {
    let checked = decoded
        .map_err(|err| DecodeError::Malformed(err.to_string()))
        .and_then(|mut value| value.check().map(|()| value));
    *left_out = take_left_out();
    if checked.is_err() {
        left_out.clear();
    }
    checked
}

/// The parts left out by the decode that just ended, and a clean slate.
#[inline(never)]
fn take_left_out() -> Vec<&'static str> {
    LEFT_OUT.with(|all| std::mem::take(&mut *all.borrow_mut()))
}

/// [`accept_parts`] without the names of the parts left out.
pub fn accept<T: Checked, E: fmt::Display>(decoded: Result<T, E>) -> Result<T, DecodeError> {
    accept_noting(decoded, &mut Vec::new())
}

/// Reads a value, or nothing when it does not deserialize; the parts it
/// left out itself go with it.
fn attempt<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Option<T> {
    let mark = left_out_so_far();
    let value = T::deserialize(deserializer).ok();
    if value.is_none() {
        forget_left_out(mark);
    }
    value
}

/// How many parts were left out so far (the generic readers share these
/// two: the WebAssembly has one copy).
#[inline(never)]
fn left_out_so_far() -> usize {
    LEFT_OUT.with(|all| all.borrow().len())
}

/// Forgets the parts left out since `mark`.
#[inline(never)]
fn forget_left_out(mark: usize) {
    LEFT_OUT.with(|all| all.borrow_mut().truncate(mark));
}

/// Whether a checked part may stay; records it as left out if not.
#[inline(never)]
fn passes(checked: Result<(), DecodeError>) -> bool {
    let error = match checked {
        Ok(()) => return true,
        Err(error) => error,
    };
    left_out(error.field());
    false
}

/// An optional part: missing or `null` is its default (`None`, empty), a
/// value of the wrong shape is left out as `field`.
fn optional<'de, D, T>(deserializer: D, field: &'static str) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    let value = attempt::<D, Option<T>>(deserializer).unwrap_or_else(|| {
        left_out(field);
        None
    });
    Ok(value.unwrap_or_default())
}

/// One entry of a list whose entries are optional parts.
struct Entry<T>(Option<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Entry<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Entry(attempt(deserializer)))
    }
}

/// A list's entries of the right shape, and whether any was not.
struct Entries<T>(Vec<T>, bool);

impl<T> Default for Entries<T> {
    fn default() -> Self {
        Entries(Vec::new(), false)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Entries<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct List<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for List<T> {
            type Value = Entries<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Entries<T>, A::Error> {
                let mut list = Entries::default();
                while let Some(Entry(entry)) = seq.next_element()? {
                    match entry {
                        Some(entry) => list.0.push(entry),
                        None => list.1 = true,
                    }
                }
                Ok(list)
            }
        }
        deserializer.deserialize_seq(List(std::marker::PhantomData))
    }
}

/// A list of optional entries: each entry of the wrong shape is left out,
/// as `field`; so is the whole list when it is not one.
fn entries<'de, D, T>(deserializer: D, field: &'static str) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let list: Entries<T> = optional(deserializer, field)?;
    if list.1 {
        left_out(field);
    }
    Ok(list.0)
}

/// The optional fields and lists, each read under its contract name.
mod part {
    use super::{entries, optional};
    use serde::{Deserialize, Deserializer};

    macro_rules! parts {
        ($helper:ident, $($name:ident $field:literal),* $(,)?) => {$(
            pub fn $name<'de, D, T>(deserializer: D) -> Result<T, D::Error>
            where
                D: Deserializer<'de>,
                T: Deserialize<'de> + Default,
            {
                $helper(deserializer, $field)
            }
        )*};
    }
    macro_rules! lists {
        ($($name:ident $field:literal),* $(,)?) => {$(
            pub fn $name<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
            where
                D: Deserializer<'de>,
                T: Deserialize<'de>,
            {
                entries(deserializer, $field)
            }
        )*};
    }
    parts!(optional,
        first_name "first_name", points_value "points_value", tier "tier",
        referral "referral", referral_url "referral.url", joined_at "club.joined_at",
        pitch "pitch", referral_text "referral_text", description "offers.description",
        ends_at "offers.ends_at", offer_code "offers.code", cta_url "offers.cta_url",
        activity_code "items.code", expires_at "coupon.expires_at",
        apply_url "coupon.apply_url", coupon "coupon", item_coupon "items.coupon",
        used_order "items.used_order", idempotency_key "items.idempotency_key",
        referrer_first_name "referrer_first_name", expiring_at "points.expiring.at",
        activity_date "items.date", created_at "items.created_at",
    );
    lists!(
        expiring "points.expiring", tiers "tiers", earning "earning", rewards "rewards",
        offers "offers", items "items",
    );
}

/// Keeps an optional value only when `ok` passes it; otherwise leaves it
/// out under the name of the field `ok` refused.
fn keep<T>(slot: &mut Option<T>, ok: impl FnOnce(&T) -> Result<(), DecodeError>) {
    if slot.as_ref().is_some_and(|value| !passes(ok(value))) {
        *slot = None;
    }
}

/// Keeps the entries `ok` passes, at most [`MAX_ITEMS`] (more leave the
/// whole list out as `field`).
fn keep_each<T>(
    list: &mut Vec<T>,
    field: &'static str,
    ok: impl Fn(&T) -> Result<(), DecodeError>,
) {
    if items(field, list).is_err() {
        left_out(field);
        list.clear();
    }
    // Not `retain`: this loop is a fraction of its WebAssembly per type.
    let mut at = 0;
    while at < list.len() {
        if passes(ok(&list[at])) {
            at += 1;
        } else {
            list.remove(at);
        }
    }
}

/// Deserializes a struct only from a JSON object. serde_wasm_bindgen reads
/// a struct by looking its fields up on whatever JS object it is given, so
/// an array (an object to JavaScript) would pass as an object with every
/// field missing, which a struct whose fields all have defaults (`Points`,
/// `Club`) would take as zeros. The schema says `object`; so does this.
fn object<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct ObjectOnly<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectOnly<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::deserialize(de::value::MapAccessDeserializer::new(map))
        }
    }
    deserializer.deserialize_any(ObjectOnly(std::marker::PhantomData))
}

/// Deserializes a JSON Schema `integer`: any number without a fraction that
/// fits `T` (`26028`, `26028.0`, `2.6028e4`; never `26028.5`). serde's own
/// integer visitors refuse `26028.0`, which Python's `json.dumps`, PHP and
/// JavaScript write and the schema allows. The one helper for every integer
/// field of both OpenAPI files: the widget's answers here, the reference
/// endpoint's request bodies (`#[serde(deserialize_with =
/// "loyalty_core::contract::whole")]`).
pub fn whole<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i128>,
{
    struct Whole;
    impl Visitor<'_> for Whole {
        type Value = i128;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an integer")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<i128, E> {
            Ok(v.into())
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<i128, E> {
            Ok(v.into())
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<i128, E> {
            // 2^64 as f64 is exact; anything beyond is out of every range.
            if v.fract() == 0.0 && v.abs() < 18_446_744_073_709_551_616.0 {
                Ok(v as i128)
            } else {
                Err(E::invalid_value(de::Unexpected::Float(v), &self))
            }
        }
    }
    let value = deserializer.deserialize_i64(Whole)?;
    T::try_from(value).map_err(|_| {
        de::Error::invalid_value(de::Unexpected::Other("an integer out of range"), &Whole)
    })
}

fn points(field: &'static str, value: u64) -> Result<(), DecodeError> {
    if value > MAX_POINTS {
        return Err(DecodeError::Implausible {
            field,
            why: format!("{value} exceeds {MAX_POINTS}"),
        });
    }
    Ok(())
}

fn signed_points(field: &'static str, value: i64) -> Result<(), DecodeError> {
    points(field, value.unsigned_abs())
}

fn text(field: &'static str, value: &str) -> Result<(), DecodeError> {
    let length = value.chars().count();
    if length > MAX_TEXT {
        return Err(DecodeError::Implausible {
            field,
            why: format!("{length} characters of text (at most {MAX_TEXT})"),
        });
    }
    Ok(())
}

fn items<T>(field: &'static str, list: &[T]) -> Result<(), DecodeError> {
    if list.len() > MAX_ITEMS {
        return Err(DecodeError::Implausible {
            field,
            why: format!("{} items (at most {MAX_ITEMS})", list.len()),
        });
    }
    Ok(())
}

fn opt_text(field: &'static str, value: &Option<String>) -> Result<(), DecodeError> {
    value.as_deref().map_or(Ok(()), |value| text(field, value))
}

/// A calendar date or an RFC 3339 date-time (see [`crate::date`]); never
/// anything the browser's lenient parser would turn into another day.
fn date(field: &'static str, value: &str) -> Result<(), DecodeError> {
    if crate::date::parse(value).is_some() {
        return Ok(());
    }
    Err(DecodeError::Implausible {
        field,
        why: format!(
            "{:?} is not a date (YYYY-MM-DD or an RFC 3339 date-time)",
            truncated(value)
        ),
    })
}

/// A link the widget may render: http(s) only (see [`crate::url::safe_link`]).
fn link(field: &'static str, value: &str) -> Result<(), DecodeError> {
    text(field, value)?;
    if crate::url::safe_link(value).is_some() {
        return Ok(());
    }
    Err(DecodeError::Implausible {
        field,
        why: "not an http(s) link".to_owned(),
    })
}

/// At most 40 characters of a value, for a message.
fn truncated(value: &str) -> String {
    value.chars().take(40).collect()
}

/// The one error body every endpoint error uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error itself.
    pub error: ErrorDetail,
}

/// A machine-readable code plus a human message for logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// What went wrong, for the widget to translate.
    pub code: ErrorCode,
    /// English detail for developers; never shown to customers.
    #[serde(default)]
    pub message: String,
}

/// Error codes of contract version 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No token, or one that fails verification.
    Unauthorized,
    /// The token has expired; fetch a fresh one.
    TokenExpired,
    /// The request is not valid (missing consent, unknown reward, ...).
    BadRequest,
    /// Not enough points for the reward.
    InsufficientPoints,
    /// The reward needs a higher tier.
    TierTooLow,
    /// The reward or offer is no longer available.
    NotAvailable,
    /// The idempotency key was used for a different request.
    IdempotencyConflict,
    /// No such resource.
    NotFound,
    /// Too many requests; see `Retry-After`.
    RateLimited,
    /// Something broke on the server.
    Internal,
    /// The shop's platform did not issue the reward's code; the points
    /// spent on it are back on the balance.
    RewardNotIssued,
    /// The request's body is larger than the backend takes (413).
    PayloadTooLarge,
    /// The request is authenticated but not allowed as sent (403): the
    /// admin console's write without its CSRF token.
    Forbidden,
    /// A code from a newer contract version.
    #[serde(other)]
    Other,
}

impl ErrorCode {
    /// The contract's name of this code (`other` for codes from a newer
    /// contract version).
    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::TokenExpired => "token_expired",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::InsufficientPoints => "insufficient_points",
            ErrorCode::TierTooLow => "tier_too_low",
            ErrorCode::NotAvailable => "not_available",
            ErrorCode::IdempotencyConflict => "idempotency_conflict",
            ErrorCode::NotFound => "not_found",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Internal => "internal",
            ErrorCode::RewardNotIssued => "reward_not_issued",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::Other => "other",
        }
    }
}

/// Where the customer stands with the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerState {
    /// Not enrolled (signed in to the shop, not in the program).
    #[default]
    Guest,
    /// Enrolled.
    Member,
    /// Excluded from the program by the shop.
    Blocked,
    /// A state from a newer contract version.
    #[serde(other)]
    Other,
}

/// A points balance.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Points {
    /// Points the customer can spend now.
    #[serde(deserialize_with = "whole")]
    pub approved: u64,
    /// Points earned but not yet confirmed (e.g. within the return period).
    #[serde(deserialize_with = "whole")]
    pub pending: u64,
    /// Points spent so far.
    #[serde(deserialize_with = "whole")]
    pub spent: u64,
    /// Points ever earned.
    #[serde(deserialize_with = "whole")]
    pub lifetime: u64,
    /// Points that expire soon, earliest first (optional entries).
    #[serde(deserialize_with = "part::expiring")]
    pub expiring: Vec<Expiring>,
}

impl Checked for Points {
    fn check(&mut self) -> Result<(), DecodeError> {
        points("points.approved", self.approved)?;
        points("points.pending", self.pending)?;
        points("points.spent", self.spent)?;
        points("points.lifetime", self.lifetime)?;
        keep_each(&mut self.expiring, "points.expiring", |entry| {
            points("points.expiring.points", entry.points)?;
            date("points.expiring.at", &entry.at)
        });
        Ok(())
    }
}

/// Points that expire on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expiring {
    /// How many.
    #[serde(deserialize_with = "whole")]
    pub points: u64,
    /// When, as an ISO 8601 date or date-time (a bad one leaves the entry
    /// out, named `points.expiring.at`).
    #[serde(default, deserialize_with = "part::expiring_at")]
    pub at: String,
}

/// An amount of money in minor units (cents).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    /// Amount in the currency's minor unit.
    #[serde(deserialize_with = "whole")]
    pub amount_minor: u64,
    /// ISO 4217 code, e.g. `EUR`.
    pub currency: String,
}

impl Money {
    fn check(&self, field: &'static str) -> Result<(), DecodeError> {
        points(field, self.amount_minor)?;
        currency(field, &self.currency)
    }
}

/// An ISO 4217 code: three capital letters. (`Intl` throws on anything
/// else, so nothing else may reach it.)
fn currency(field: &'static str, code: &str) -> Result<(), DecodeError> {
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        return Ok(());
    }
    Err(DecodeError::Implausible {
        field,
        why: format!("currency {code:?} is not an ISO 4217 code"),
    })
}
/// What a tier's threshold counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneKind {
    /// Points earned in the qualifying period.
    #[default]
    Points,
    /// Money spent in the qualifying period, in minor units.
    Spend,
}

/// The customer's tier and progress to the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierStatus {
    /// Current tier id (see [`Program::tiers`]).
    pub id: String,
    /// Current tier name, localised.
    pub name: String,
    /// What the progress counts.
    #[serde(default)]
    pub kind: MilestoneKind,
    /// Points (or minor units spent) counted so far.
    #[serde(default, deserialize_with = "whole")]
    pub value: u64,
    /// The next tier, absent at the top.
    #[serde(default)]
    pub next_tier_id: Option<String>,
    /// How much more is needed for the next tier.
    #[serde(default, deserialize_with = "whole")]
    pub needed_for_upgrade: u64,
}

/// The customer's referral link and results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    /// The link to share (http(s); an optional part: a bad one is left out
    /// and the code is still shown).
    #[serde(default, deserialize_with = "part::referral_url")]
    pub url: Option<String>,
    /// The code friends can type at checkout.
    pub code: String,
    /// How many friends joined through it.
    #[serde(default, deserialize_with = "whole")]
    pub friends_joined: u64,
}

/// Club (members' club) membership.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Club {
    /// Whether the customer joined the club.
    pub member: bool,
    /// When, ISO 8601.
    #[serde(deserialize_with = "part::joined_at")]
    pub joined_at: Option<String>,
}

/// `GET /v1/customer`: the signed-in customer's summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Enrolment state.
    #[serde(default)]
    pub state: CustomerState,
    /// First name for a greeting, if the shop shares it.
    #[serde(default, deserialize_with = "part::first_name")]
    pub first_name: Option<String>,
    /// Balances.
    #[serde(deserialize_with = "object")]
    pub points: Points,
    /// What the approved points are worth.
    #[serde(default, deserialize_with = "part::points_value")]
    pub points_value: Option<Money>,
    /// Tier and progress; absent when the program has no tiers.
    #[serde(default, deserialize_with = "part::tier")]
    pub tier: Option<TierStatus>,
    /// Referral link; absent when the program has no referrals.
    #[serde(default, deserialize_with = "part::referral")]
    pub referral: Option<Referral>,
    /// Club membership.
    #[serde(default, deserialize_with = "object")]
    pub club: Club,
}

impl Summary {
    /// Takes a new balance (the endpoint's answer to a redeem, or a join's
    /// bonus) and keeps what is derived from it in step: the money value
    /// is rescaled at the rate the endpoint last gave (its value per
    /// approved point), or dropped when that rate is unknown (no approved
    /// points before), never left showing the old balance's worth.
    pub fn set_points(&mut self, points: Points) {
        let before = u128::from(self.points.approved);
        let after = u128::from(points.approved);
        self.points_value = self.points_value.take().and_then(|value| {
            let amount = u128::from(value.amount_minor).checked_mul(after)? / before.max(1);
            (before > 0).then(|| Money {
                amount_minor: u64::try_from(amount).unwrap_or(u64::MAX),
                ..value
            })
        });
        self.points = points;
    }
}

impl Checked for Summary {
    fn check(&mut self) -> Result<(), DecodeError> {
        self.points.check()?;
        keep(&mut self.first_name, |name| text("first_name", name));
        keep(&mut self.points_value, |value| value.check("points_value"));
        keep(&mut self.tier, |tier| {
            text("tier.id", &tier.id)?;
            text("tier.name", &tier.name)?;
            points("tier.value", tier.value)?;
            points("tier.needed_for_upgrade", tier.needed_for_upgrade)?;
            opt_text("tier.next_tier_id", &tier.next_tier_id)
        });
        if let Some(referral) = &mut self.referral {
            keep(&mut referral.url, |url| link("referral.url", url));
        }
        keep(&mut self.referral, |referral| {
            text("referral.code", &referral.code)?;
            points("referral.friends_joined", referral.friends_joined)
        });
        self.club.check();
        Ok(())
    }
}

impl Club {
    /// Leaves out a joining day that is not a date.
    fn check(&mut self) {
        keep(&mut self.joined_at, |day| date("club.joined_at", day));
    }
}

/// A tier of the program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tier {
    /// Stable id.
    pub id: String,
    /// Localised name.
    pub name: String,
    /// What the threshold counts.
    #[serde(default)]
    pub kind: MilestoneKind,
    /// Points (or minor units spent) needed to reach the tier.
    #[serde(default, deserialize_with = "whole")]
    pub threshold: u64,
    /// Localised perks.
    #[serde(default)]
    pub perks: Vec<String>,
}

/// What kind of action earns points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EarnKind {
    /// Placing an order.
    Order,
    /// Joining the program (welcome bonus).
    Signup,
    /// The customer's birthday.
    Birthday,
    /// A friend's first order through the referral link.
    Referral,
    /// Anything else the shop defines.
    #[serde(other)]
    Custom,
}

/// A way to earn points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarningRule {
    /// Kind of action.
    pub kind: EarnKind,
    /// Localised title, e.g. "Place an order".
    pub title: String,
    /// Localised reward text, e.g. "1 point per euro".
    pub points_text: String,
}

/// What a reward gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RewardKind {
    /// A fixed amount off.
    DiscountCode,
    /// A percentage off.
    PercentageDiscountCode,
    /// Free delivery.
    FreeDeliveryCode,
    /// A free product.
    GiftCode,
    /// Anything else.
    #[serde(other)]
    Custom,
}

/// A reward in the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reward {
    /// Stable id, used to redeem.
    pub id: String,
    /// Kind.
    pub kind: RewardKind,
    /// Localised title, e.g. "5 € voucher".
    pub title: String,
    /// Price in points.
    #[serde(deserialize_with = "whole")]
    pub points_price: u64,
    /// Lowest tier that may redeem it, if any.
    #[serde(default)]
    pub min_tier_id: Option<String>,
}

/// `GET /v1/program`: the public program description (no token needed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Program {
    /// Localised program name.
    pub name: String,
    /// The shop's currency, ISO 4217.
    pub currency: String,
    /// Localised pitch for guests.
    #[serde(default, deserialize_with = "part::pitch")]
    pub pitch: String,
    /// Tiers, lowest first.
    #[serde(default, deserialize_with = "part::tiers")]
    pub tiers: Vec<Tier>,
    /// Ways to earn.
    #[serde(default, deserialize_with = "part::earning")]
    pub earning: Vec<EarningRule>,
    /// The rewards catalog.
    #[serde(default, deserialize_with = "part::rewards")]
    pub rewards: Vec<Reward>,
    /// "Give X, get Y" referral text, localised.
    #[serde(default, deserialize_with = "part::referral_text")]
    pub referral_text: Option<String>,
}

impl Program {
    /// The program as the widget uses it, whatever order and repetitions a
    /// backend sends (one documented rule, README "The endpoint contract"):
    /// tiers in threshold order, lowest first (equal thresholds keep the
    /// backend's order); a tier or reward id listed again is dropped, the
    /// first one listed stays. Tiers are then compared by threshold, and
    /// every element id derived from an id is unique.
    pub fn normalized(mut self) -> Program {
        self.tiers.sort_by_key(|tier| tier.threshold);
        first_of_each(&mut self.tiers, |tier| tier.id.clone());
        first_of_each(&mut self.rewards, |reward| reward.id.clone());
        self
    }
}

impl Offers {
    /// The offers as the widget uses them: an offer id listed again is
    /// dropped, the first one listed stays.
    pub fn normalized(mut self) -> Offers {
        first_of_each(&mut self.offers, |offer| offer.id.clone());
        self
    }
}

/// Keeps the first item of each key, in order. (A list holds at most
/// [`MAX_ITEMS`]; a plain list of the keys seen costs less WebAssembly than a
/// hash set.)
fn first_of_each<T>(items: &mut Vec<T>, key: impl Fn(&T) -> String) {
    let mut seen: Vec<String> = Vec::with_capacity(items.len());
    items.retain(|item| {
        let key = key(item);
        let first = !seen.contains(&key);
        if first {
            seen.push(key);
        }
        first
    });
}

impl Checked for Program {
    fn check(&mut self) -> Result<(), DecodeError> {
        text("name", &self.name)?;
        currency("currency", &self.currency)?;
        if text("pitch", &self.pitch).is_err() {
            left_out("pitch");
            self.pitch.clear();
        }
        keep(&mut self.referral_text, |t| text("referral_text", t));
        keep_each(&mut self.tiers, "tiers", |tier| {
            text("tiers.name", &tier.name)?;
            points("tiers.threshold", tier.threshold)?;
            items("tiers.perks", &tier.perks)?;
            tier.perks
                .iter()
                .try_for_each(|perk| text("tiers.perks", perk))
        });
        keep_each(&mut self.earning, "earning", |rule| {
            text("earning.title", &rule.title)?;
            text("earning.points_text", &rule.points_text)
        });
        keep_each(&mut self.rewards, "rewards", |reward| {
            text("rewards.title", &reward.title)?;
            points("rewards.points_price", reward.points_price)
        });
        Ok(())
    }
}

/// A members-only offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    /// Stable id.
    pub id: String,
    /// Localised title.
    pub title: String,
    /// Localised description.
    #[serde(default, deserialize_with = "part::description")]
    pub description: String,
    /// Lowest tier that sees it unlocked.
    #[serde(default)]
    pub min_tier_id: Option<String>,
    /// Last day, ISO 8601.
    #[serde(default, deserialize_with = "part::ends_at")]
    pub ends_at: Option<String>,
    /// Code to copy, only when unlocked.
    #[serde(default, deserialize_with = "part::offer_code")]
    pub code: Option<String>,
    /// Link to follow, only when unlocked.
    #[serde(default, deserialize_with = "part::cta_url")]
    pub cta_url: Option<String>,
    /// Why it is locked, if it is.
    #[serde(default)]
    pub locked: Option<LockReason>,
}

/// Why an offer is locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LockReason {
    /// Only club members see it.
    MembersOnly,
    /// A higher tier is needed.
    TierTooLow,
    /// A reason from a newer contract version.
    #[serde(other)]
    Other,
}

/// `GET /v1/offers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offers {
    /// The offers, soonest ending first (optional entries).
    #[serde(deserialize_with = "part::offers")]
    pub offers: Vec<Offer>,
}

impl Checked for Offers {
    fn check(&mut self) -> Result<(), DecodeError> {
        for offer in &mut self.offers {
            if text("offers.description", &offer.description).is_err() {
                left_out("offers.description");
                offer.description.clear();
            }
            keep(&mut offer.code, |code| text("offers.code", code));
            keep(&mut offer.cta_url, |url| link("offers.cta_url", url));
            keep(&mut offer.ends_at, |day| date("offers.ends_at", day));
        }
        keep_each(&mut self.offers, "offers", |offer| {
            text("offers.title", &offer.title)
        });
        Ok(())
    }
}

/// Kind of history entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    /// Points earned.
    Earned,
    /// Points spent on a reward.
    Spent,
    /// Points that expired.
    Expired,
    /// A kind from a newer contract version.
    #[serde(other)]
    Other,
}

/// Whether a history entry counts yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityState {
    /// Not yet confirmed.
    Pending,
    /// Counted.
    #[default]
    Approved,
    /// Cancelled.
    Void,
    /// A state from a newer contract version.
    #[serde(other)]
    Other,
}

/// One history entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    /// Stable id.
    pub id: String,
    /// Kind.
    pub kind: ActivityKind,
    /// Localised label, e.g. "Order #1042".
    pub label: String,
    /// Signed change in points.
    #[serde(deserialize_with = "whole")]
    pub points: i64,
    /// Whether it counts yet.
    #[serde(default)]
    pub state: ActivityState,
    /// When, ISO 8601 (a bad one leaves the entry out).
    #[serde(default, deserialize_with = "part::activity_date")]
    pub date: String,
    /// The coupon code a redemption gave (a `spent` entry), so the customer
    /// can always find it again.
    #[serde(default, deserialize_with = "part::activity_code")]
    pub code: Option<String>,
}

/// `GET /v1/activity?page=N`: one page of history, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityPage {
    /// Entries on this page (optional entries).
    #[serde(deserialize_with = "part::items")]
    pub items: Vec<Activity>,
    /// This page, from 1.
    #[serde(deserialize_with = "whole")]
    pub page: u32,
    /// Whether an older page exists.
    #[serde(default)]
    pub has_more: bool,
}

impl Checked for ActivityPage {
    fn check(&mut self) -> Result<(), DecodeError> {
        for entry in &mut self.items {
            keep(&mut entry.code, |code| text("items.code", code));
        }
        keep_each(&mut self.items, "items", |entry| {
            text("items.label", &entry.label)?;
            date("items.date", &entry.date)?;
            signed_points("items.points", entry.points)
        });
        Ok(())
    }
}

/// `POST /v1/redemptions` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedeemRequest {
    /// The reward to redeem.
    pub reward_id: String,
}

/// A coupon code from a redeem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coupon {
    /// The code to enter at checkout.
    pub code: String,
    /// When it expires, ISO 8601.
    #[serde(default, deserialize_with = "part::expires_at")]
    pub expires_at: Option<String>,
    /// A link that applies the code to the shop's cart and opens it, when
    /// the shop has one.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "part::apply_url"
    )]
    pub apply_url: Option<String>,
}

/// Where a redemption stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RedemptionState {
    /// The points are reserved; the shop's platform has not confirmed the
    /// code yet. No code to show.
    Pending,
    /// The code works at the checkout.
    #[default]
    Active,
    /// The code was used on an order.
    Used,
    /// The code expired unused.
    Expired,
    /// The code could not be issued; the points are back.
    Released,
    /// A state from a newer contract version.
    #[serde(other)]
    Other,
}

impl RedemptionState {
    /// Whether a redemption in this state has a code to show.
    pub fn has_code(self) -> bool {
        matches!(
            self,
            RedemptionState::Active | RedemptionState::Used | RedemptionState::Expired
        )
    }
}

/// `POST /v1/redemptions` result: `201` with the coupon when the code is
/// issued, `202` without one while the shop's platform has not confirmed
/// it (the points stay reserved; `GET /v1/redemptions` tells the end).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redemption {
    /// Stable id of the redemption.
    pub id: String,
    /// The reward redeemed.
    pub reward_id: String,
    /// Points it cost.
    #[serde(deserialize_with = "whole")]
    pub points_spent: u64,
    /// Where it stands (`active` when absent, as before states existed).
    #[serde(default)]
    pub state: RedemptionState,
    /// The coupon, once issued.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "part::coupon"
    )]
    pub coupon: Option<Coupon>,
    /// The balance after it.
    #[serde(deserialize_with = "object")]
    pub points: Points,
}

/// A redemption's coupon: its code is core when the state has one (a
/// redemption that says `active` without a usable code is refused); its
/// last day and its link are optional parts.
fn coupon(
    field: &'static str,
    state: RedemptionState,
    coupon: &Option<Coupon>,
) -> Result<(), DecodeError> {
    match coupon {
        Some(coupon) => {
            text(field, &coupon.code)?;
            if coupon.code.trim().is_empty() {
                return Err(DecodeError::Implausible {
                    field,
                    why: "an empty code".into(),
                });
            }
            Ok(())
        }
        None if state.has_code() => Err(DecodeError::Implausible {
            field,
            why: format!("no coupon for a redemption that is {state:?}"),
        }),
        None => Ok(()),
    }
}

impl Coupon {
    /// Leaves out a last day that is not a date and a link that is not
    /// http(s).
    fn check(&mut self) {
        keep(&mut self.expires_at, |day| date("coupon.expires_at", day));
        keep(&mut self.apply_url, |url| link("coupon.apply_url", url));
    }
}

impl Checked for Redemption {
    fn check(&mut self) -> Result<(), DecodeError> {
        if let Some(coupon) = &mut self.coupon {
            coupon.check();
        }
        coupon("coupon", self.state, &self.coupon)?;
        points("points_spent", self.points_spent)?;
        self.points.check()
    }
}

/// One of the customer's redemptions, in `GET /v1/redemptions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedemptionItem {
    /// Stable id (the one `POST /v1/redemptions` answered).
    pub id: String,
    /// The reward redeemed.
    pub reward_id: String,
    /// The reward's title, in the answer's language.
    pub title: String,
    /// Points it cost.
    #[serde(deserialize_with = "whole")]
    pub points_spent: u64,
    /// Where it stands.
    pub state: RedemptionState,
    /// The coupon, when the state has one (`active`, `used`, `expired`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "part::item_coupon"
    )]
    pub coupon: Option<Coupon>,
    /// The day it was redeemed (a bad one leaves the item out).
    #[serde(default, deserialize_with = "part::created_at")]
    pub created_at: String,
    /// The shop's order number it was used on (`used`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "part::used_order"
    )]
    pub used_order: Option<String>,
    /// The `Idempotency-Key` the redeem was sent with, so a client whose
    /// answer was lost finds its redemption here.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "part::idempotency_key"
    )]
    pub idempotency_key: Option<String>,
}

/// `GET /v1/redemptions?page=N`: one page of the customer's redemptions,
/// newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedemptionPage {
    /// Redemptions on this page (optional entries).
    #[serde(deserialize_with = "part::items")]
    pub items: Vec<RedemptionItem>,
    /// This page, from 1.
    #[serde(deserialize_with = "whole")]
    pub page: u32,
    /// Whether an older page exists.
    #[serde(default)]
    pub has_more: bool,
}

impl Checked for RedemptionPage {
    fn check(&mut self) -> Result<(), DecodeError> {
        for item in &mut self.items {
            keep(&mut item.used_order, |order| {
                text("items.used_order", order)
            });
            keep(&mut item.idempotency_key, |key| {
                text("items.idempotency_key", key)
            });
            if let Some(coupon) = &mut item.coupon {
                coupon.check();
            }
        }
        keep_each(&mut self.items, "items", |item| {
            text("items.title", &item.title)?;
            date("items.created_at", &item.created_at)?;
            coupon("items.coupon", item.state, &item.coupon)?;
            points("items.points_spent", item.points_spent)
        });
        Ok(())
    }
}

/// `POST /v1/club/join` body: joining needs explicit consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequest {
    /// The customer ticked the consent box.
    pub consent: bool,
}

/// `POST /v1/club/join` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    /// The club state now.
    #[serde(deserialize_with = "object")]
    pub club: Club,
    /// Welcome points credited by joining (0 when joined before).
    #[serde(default, deserialize_with = "whole")]
    pub bonus_points: u64,
}

impl Checked for Membership {
    fn check(&mut self) -> Result<(), DecodeError> {
        points("bonus_points", self.bonus_points)?;
        self.club.check();
        Ok(())
    }
}

/// `GET /v1/referrals/{code}`: what a visitor who arrives through a
/// referral link is offered (public: no token, rate-limited).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralInvite {
    /// The referral code, as the endpoint knows it.
    pub code: String,
    /// The club's name.
    pub program_name: String,
    /// What the friend gets on their first order.
    pub friend_gift: String,
    /// The referrer's first name, when the program shows it.
    #[serde(default, deserialize_with = "part::referrer_first_name")]
    pub referrer_first_name: Option<String>,
}

impl Checked for ReferralInvite {
    fn check(&mut self) -> Result<(), DecodeError> {
        text("code", &self.code)?;
        text("program_name", &self.program_name)?;
        text("friend_gift", &self.friend_gift)?;
        keep(&mut self.referrer_first_name, |name| {
            text("referrer_first_name", name)
        });
        Ok(())
    }
}

impl Checked for RedeemRequest {
    fn check(&mut self) -> Result<(), DecodeError> {
        text("reward_id", &self.reward_id)
    }
}

impl Checked for JoinRequest {
    fn check(&mut self) -> Result<(), DecodeError> {
        Ok(())
    }
}

impl Checked for ErrorBody {
    fn check(&mut self) -> Result<(), DecodeError> {
        text("error.message", &self.error.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::DeserializeOwned;

    /// The native harness: serde_json drives the same `Deserialize` impls
    /// the widget drives with serde_wasm_bindgen, then the checks.
    fn decode<T: DeserializeOwned + Checked>(body: &str) -> Result<T, DecodeError> {
        accept(serde_json::from_str::<serde_json::Value>(body).and_then(serde_json::from_value))
    }

    /// The same, with the optional parts left out.
    fn parts<T: DeserializeOwned + Checked>(body: &str) -> Result<Accepted<T>, DecodeError> {
        accept_parts(
            serde_json::from_str::<serde_json::Value>(body).and_then(serde_json::from_value),
        )
    }

    const SUMMARY: &str = r#"{
        "state": "member",
        "first_name": "Anna",
        "points": {"approved": 1250, "pending": 120, "spent": 300, "lifetime": 1670,
                   "expiring": [{"points": 200, "at": "2026-12-31"}]},
        "points_value": {"amount_minor": 1250, "currency": "EUR"},
        "tier": {"id": "silver", "name": "Silber", "kind": "points", "value": 1670,
                 "next_tier_id": "gold", "needed_for_upgrade": 830},
        "referral": {"url": "https://shop.example/r/ANNA10", "code": "ANNA10", "friends_joined": 3},
        "club": {"member": true, "joined_at": "2026-03-01"},
        "a_field_from_the_future": {"x": 1}
    }"#;

    #[test]
    fn full_summary_decodes_and_unknown_fields_are_ignored() {
        let summary: Summary = decode(SUMMARY).expect("decodes");
        assert_eq!(summary.state, CustomerState::Member);
        assert_eq!(summary.points.approved, 1250);
        assert_eq!(summary.points.expiring[0].points, 200);
        assert_eq!(
            summary.tier.as_ref().map(|t| t.needed_for_upgrade),
            Some(830)
        );
        assert!(summary.club.member);
    }

    #[test]
    fn optional_parts_default() {
        let summary: Summary = decode(r#"{"points": {"approved": 5}}"#).expect("decodes");
        assert_eq!(summary.state, CustomerState::Guest);
        assert_eq!(summary.points.pending, 0);
        assert_eq!(summary.tier, None);
        assert!(!summary.club.member);
    }

    #[test]
    fn unknown_enum_values_map_to_other() {
        let summary: Summary =
            decode(r#"{"state": "platinum_vip", "points": {}}"#).expect("decodes");
        assert_eq!(summary.state, CustomerState::Other);
    }

    #[test]
    fn wrong_types_and_absurd_values_are_errors_not_numbers() {
        for body in [
            r#"{"points": {"approved": "1250"}}"#,
            r#"{"points": {"approved": -5}}"#,
            r#"{"points": {"approved": 12.5}}"#,
            r#"{"points": {"approved": 1e400}}"#,
            r#"{"points": {"approved": 99999999999999999999999}}"#,
            r#"{"points": null}"#,
            r#"{"state": "member"}"#,
            "<!doctype html><p>Bad gateway</p>",
            r#"{"points": {"approved": 12"#,
            "",
        ] {
            assert!(
                matches!(decode::<Summary>(body), Err(DecodeError::Malformed(_))),
                "{body:?} must be malformed"
            );
        }
        let huge = format!(r#"{{"points": {{"approved": {}}}}}"#, MAX_POINTS + 1);
        assert!(matches!(
            decode::<Summary>(&huge),
            Err(DecodeError::Implausible {
                field: "points.approved",
                ..
            })
        ));
    }

    #[test]
    fn enormous_strings_and_lists_are_left_out_or_refused() {
        let name = "A".repeat(MAX_TEXT + 1);
        let body = format!(r#"{{"first_name": "{name}", "points": {{"approved": 5}}}}"#);
        let summary = parts::<Summary>(&body).expect("the balance stays");
        assert_eq!(summary.left_out, ["first_name"]);
        assert_eq!(summary.value.first_name, None);
        assert_eq!(summary.value.points.approved, 5);
        let list = vec![r#"{"points": 1, "at": "2026-01-01"}"#; MAX_ITEMS + 1].join(",");
        let body = format!(r#"{{"points": {{"expiring": [{list}]}}}}"#);
        let summary = parts::<Summary>(&body).expect("the balance stays");
        assert_eq!(summary.left_out, ["points.expiring"]);
        assert!(summary.value.points.expiring.is_empty());
        // In the core, the same is a refusal.
        let body = format!(r#"{{"name": "{name}", "currency": "EUR"}}"#);
        assert!(matches!(
            decode::<Program>(&body),
            Err(DecodeError::Implausible { field: "name", .. })
        ));
    }

    #[test]
    fn deep_nesting_never_overflows_the_stack() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        // In a known field it is the wrong shape. (In an unknown field the
        // browser's parser and serde_wasm_bindgen skip it; serde_json, the
        // native harness, stops at its recursion limit instead.)
        let body = format!(r#"{{"points": {{"expiring": {deep}}}}}"#);
        assert!(matches!(
            decode::<Summary>(&body),
            Err(DecodeError::Malformed(_))
        ));
    }

    #[test]
    fn programs_are_read_in_threshold_order_without_repetitions() {
        let body = r#"{"name": "Club", "currency": "EUR",
            "tiers": [{"id": "gold", "name": "Gold", "threshold": 2500},
                      {"id": "bronze", "name": "Bronze", "threshold": 0},
                      {"id": "silver", "name": "Silver", "threshold": 1000},
                      {"id": "gold", "name": "Gold again", "threshold": 3000}],
            "rewards": [{"id": "r1", "kind": "gift_code", "title": "A", "points_price": 5},
                        {"id": "r1", "kind": "gift_code", "title": "B", "points_price": 6}]}"#;
        let program = decode::<Program>(body).expect("decodes").normalized();
        let ids: Vec<&str> = program.tiers.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["bronze", "silver", "gold"]);
        assert_eq!(program.tiers[2].name, "Gold");
        assert_eq!(program.rewards.len(), 1);
        assert_eq!(program.rewards[0].title, "A");
        let offers = r#"{"offers": [{"id": "o", "title": "A"}, {"id": "o", "title": "B"}]}"#;
        let offers = decode::<Offers>(offers).expect("decodes").normalized();
        assert_eq!(offers.offers.len(), 1);
    }

    #[test]
    fn the_money_value_follows_a_new_balance() {
        let mut summary: Summary = decode(SUMMARY).expect("decodes");
        assert_eq!(
            summary.points_value.as_ref().map(|v| v.amount_minor),
            Some(1250)
        );
        let mut after = summary.points.clone();
        after.approved = 750;
        summary.set_points(after.clone());
        assert_eq!(summary.points.approved, 750);
        assert_eq!(
            summary
                .points_value
                .as_ref()
                .map(|v| (v.amount_minor, v.currency.as_str())),
            Some((750, "EUR"))
        );
        // From nothing, the rate is unknown: no stale worth is shown.
        after.approved = 0;
        summary.set_points(after.clone());
        assert_eq!(
            summary.points_value.as_ref().map(|v| v.amount_minor),
            Some(0)
        );
        after.approved = 100;
        summary.set_points(after);
        assert_eq!(summary.points_value, None);
    }

    #[test]
    fn integers_follow_json_schema_not_the_writer() {
        // JSON Schema's `integer` is any number without a fraction: what
        // Python's json.dumps(1250.0) writes is still 1250 points.
        for (approved, expected) in [
            ("1250.0", 1250),
            ("1e3", 1000),
            ("1.25e3", 1250),
            ("0.0", 0),
        ] {
            let body = format!(r#"{{"points": {{"approved": {approved}}}}}"#);
            assert_eq!(
                decode::<Summary>(&body).map(|s| s.points.approved),
                Ok(expected),
                "{approved}"
            );
        }
        for bad in ["1250.5", "-1", "-0.5", "1e-3"] {
            let body = format!(r#"{{"points": {{"approved": {bad}}}}}"#);
            assert!(
                matches!(decode::<Summary>(&body), Err(DecodeError::Malformed(_))),
                "{bad}"
            );
        }
        let program = r#"{"name": "Club", "currency": "EUR",
            "tiers": [{"id": "gold", "name": "Gold", "threshold": 1000.0}]}"#;
        assert_eq!(
            decode::<Program>(program).map(|p| p.tiers[0].threshold),
            Ok(1000)
        );
        let summary = r#"{"points": {}, "referral": {"url": "https://x.example/r", "code": "X",
            "friends_joined": 4294967296}}"#;
        assert_eq!(
            decode::<Summary>(summary).map(|s| s.referral.map(|r| r.friends_joined)),
            Ok(Some(4_294_967_296))
        );
        let page = r#"{"items": [{"id": "a", "kind": "spent", "label": "x", "points": -500.0,
            "date": "2026-01-01"}], "page": 1.0}"#;
        assert_eq!(
            decode::<ActivityPage>(page).map(|p| (p.items[0].points, p.page)),
            Ok((-500, 1))
        );
    }

    #[test]
    fn text_limits_count_characters_like_the_schema() {
        for name in [
            "ä".repeat(MAX_TEXT),
            "漢".repeat(700),
            "😀".repeat(MAX_TEXT),
        ] {
            let body = format!(r#"{{"first_name": "{name}", "points": {{}}}}"#);
            assert!(decode::<Summary>(&body).is_ok());
        }
        let body = format!(
            r#"{{"first_name": "{}", "points": {{}}}}"#,
            "ä".repeat(MAX_TEXT + 1)
        );
        assert_eq!(
            parts::<Summary>(&body).map(|s| s.left_out),
            Ok(vec!["first_name"])
        );
    }

    #[test]
    fn null_or_missing_optional_fields_are_none() {
        let body = r#"{"points": {}, "first_name": null, "points_value": null, "tier": null,
            "referral": null, "club": {"member": true, "joined_at": null}}"#;
        let summary: Summary = decode(body).expect("decodes");
        assert_eq!(summary.first_name, None);
        assert_eq!(summary.tier, None);
        assert!(summary.club.member);
    }

    #[test]
    fn currency_must_be_an_iso_code() {
        let body = r#"{"points": {}, "points_value": {"amount_minor": 5, "currency": "<b>"}}"#;
        let summary = parts::<Summary>(body).expect("the balance stays");
        assert_eq!(summary.left_out, ["points_value"]);
        assert_eq!(summary.value.points_value, None);
    }

    #[test]
    fn program_currency_must_be_an_iso_code() {
        let ok = r#"{"name": "Club", "currency": "EUR"}"#;
        assert!(decode::<Program>(ok).is_ok());
        for bad in ["euro", "EU", "", "eur", "EÜR"] {
            let body = format!(r#"{{"name": "Club", "currency": "{bad}"}}"#);
            assert!(
                matches!(
                    decode::<Program>(&body),
                    Err(DecodeError::Implausible {
                        field: "currency",
                        ..
                    })
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn request_bodies_read_back() {
        let redeem = RedeemRequest {
            reward_id: "r\"1".into(),
        };
        let text = serde_json::to_string(&redeem).expect("serializes");
        assert_eq!(decode::<RedeemRequest>(&text), Ok(redeem));
        for consent in [true, false] {
            let join = JoinRequest { consent };
            let text = serde_json::to_string(&join).expect("serializes");
            assert_eq!(decode::<JoinRequest>(&text), Ok(join));
        }
    }

    #[test]
    fn error_body_codes_decode_with_future_codes_as_other() {
        let body: ErrorBody =
            decode(r#"{"error": {"code": "token_expired", "message": "expired"}}"#).expect("ok");
        assert_eq!(body.error.code, ErrorCode::TokenExpired);
        let body: ErrorBody = decode(r#"{"error": {"code": "quantum_flux"}}"#).expect("ok");
        assert_eq!(body.error.code, ErrorCode::Other);
    }
}
