//! A redemption after its points were reserved ([`account::redeem`]): its
//! code made on the shop's platform, then confirmed (`active`) or released
//! (`released`, the points back); codes used by orders (`used`) and codes
//! past their last day (`expired`); and the customer's list of them.
//!
//! Every move is guarded by the state it leaves (`pending -> active` only
//! from `pending`), so the request, a replay, the reconciler and another
//! instance may all try: one wins, the others change nothing.

use super::account::{self, state_name, state_of, Frozen, NewEntry};
use super::error::{refused, Error, Result};
use super::language::{self, Language};
use super::ledger::{self, Kind};
use super::program::{Grant, Program, FRIEND_GIFT};
use crate::platform::{Benefit, CodeSpec, Connector, Found};
use crate::store::queries as q;
use crate::store::rows::{RedemptionChange, RedemptionRow};
use crate::store::Db;
use loyalty_core::contract::{
    Coupon, ErrorCode, Redemption, RedemptionItem, RedemptionPage, RedemptionState,
};

/// Redemptions on one page of `GET /v1/redemptions`.
pub const PAGE_SIZE: u32 = 20;

/// A pending redemption and the code it must be on the platform.
#[derive(Debug, Clone)]
pub struct Pending {
    /// The redemption.
    pub row: RedemptionRow,
    /// The code to make.
    pub spec: CodeSpec,
}

fn benefit(grant: &Grant) -> Benefit {
    match grant {
        Grant::AmountOff(minor) => Benefit::AmountOff(*minor),
        Grant::PercentOff(percent) => Benefit::PercentOff(*percent),
        Grant::FreeShipping => Benefit::FreeShipping,
        Grant::FreeProduct(id) => Benefit::FreeProduct(id.clone()),
    }
}

/// The redemption `id` if it is pending, with the code to make; `None`
/// when it is not (any more).
pub async fn pending(db: &mut Db<'_>, id: &str) -> Result<Option<Pending>> {
    let Some(row) = q::redemption(db, id).await? else {
        return Ok(None);
    };
    if row.state != "pending" {
        return Ok(None);
    }
    let frozen: Frozen = serde_json::from_str(
        row.spec
            .as_deref()
            .ok_or_else(|| Error::Corrupt(format!("pending redemption {id} has no spec")))?,
    )?;
    let email = q::customer_email(db, &row.customer_id).await?;
    let spec = CodeSpec {
        code: row.code.clone(),
        title: frozen.title,
        benefit: benefit(&frozen.value),
        currency: frozen.currency,
        min_subtotal: frozen.min_subtotal,
        starts_on: frozen.starts_on,
        ends_on: frozen.ends_on,
        combines: frozen.combines,
        customer_id: row.customer_id.clone(),
        email,
    };
    Ok(Some(Pending { row, spec }))
}

/// Pending redemptions last touched before `before` (Unix seconds): what
/// the reconciler finishes.
pub async fn stale_pending(db: &mut Db<'_>, before: i64, limit: i64) -> Result<Vec<String>> {
    Ok(q::redemptions_in(db, "pending", before, limit)
        .await?
        .into_iter()
        .map(|row| row.id)
        .collect())
}

/// Redemptions waiting for the platform to make their codes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Waiting {
    /// Pending redemptions.
    pub count: u64,
    /// Seconds since the oldest one's points were reserved; 0 when none
    /// waits.
    pub oldest_seconds: f64,
}

/// The redemptions waiting for the platform at `now` (Unix seconds): one
/// query, cheap enough for every metrics scrape.
pub async fn waiting(db: &mut Db<'_>, now: f64) -> Result<Waiting> {
    let (count, oldest) = q::waiting(db).await?;
    Ok(Waiting {
        count: u64::try_from(count).unwrap_or(0),
        // Whole seconds in the table: a redemption of this second is a
        // fraction of one old, never less than nothing.
        oldest_seconds: oldest.map_or(0.0, |at| (now - at as f64).max(0.0)),
    })
}

/// The answer a redemption's redeem gets in its current state.
fn answer_of(
    row: &RedemptionRow,
    points: loyalty_core::contract::Points,
    apply_url: Option<String>,
) -> Redemption {
    let state = state_of(&row.state);
    Redemption {
        id: row.id.clone(),
        reward_id: row.reward_id.clone(),
        points_spent: u64::try_from(row.points_spent).unwrap_or(0),
        state,
        coupon: state.has_code().then(|| Coupon {
            code: row.code.clone(),
            expires_at: Some(row.expires_at.clone()),
            apply_url,
        }),
        points,
    }
}

/// The platform made the code: `pending -> active`, and the redeem's key
/// answers with the code from now on. False when it was not pending.
pub async fn confirm(
    db: &mut Db<'_>,
    row: &RedemptionRow,
    reference: &str,
    platform: Option<&Connector>,
    today: i64,
    now: i64,
) -> Result<bool> {
    let change = RedemptionChange {
        to: "active",
        reference: Some(reference),
        touched_at: now,
        ..RedemptionChange::default()
    };
    if !q::move_redemption(db, &row.id, "pending", &change).await? {
        return Ok(false);
    }
    let points = account::points_now(db, &row.customer_id, today).await?;
    let mut row = row.clone();
    row.state = "active".into();
    let answer = answer_of(&row, points, platform.map(|p| p.apply_url(&row.code)));
    if let Some(key) = &row.idempotency_key {
        let body = serde_json::to_string(&answer)?;
        q::set_idempotency_answer(db, &row.customer_id, key, 200, &body).await?;
    }
    Ok(true)
}

/// The platform refused: `pending -> released`, with a ledger entry that
/// gives the points back, and the redeem's key answers `reward_not_issued`
/// from now on. False when it was not pending.
pub async fn release(
    db: &mut Db<'_>,
    row: &RedemptionRow,
    reason: &str,
    request_id: Option<&str>,
    program: &Program,
    today: i64,
    now: i64,
) -> Result<bool> {
    let reason: String = reason.chars().take(500).collect();
    let change = RedemptionChange {
        to: "released",
        error: Some(&reason),
        touched_at: now,
        ..RedemptionChange::default()
    };
    if !q::move_redemption(db, &row.id, "pending", &change).await? {
        return Ok(false);
    }
    let entry_id = give_back(
        db,
        row,
        program,
        today,
        (
            (
                "Points back: the reward could not be issued",
                "Punkte zurück: Prämie konnte nicht ausgestellt werden",
            ),
            "release",
        ),
    )
    .await?;
    let change = RedemptionChange {
        to: "released",
        release_entry: entry_id,
        touched_at: now,
        ..RedemptionChange::default()
    };
    q::move_redemption(db, &row.id, "released", &change).await?;
    if let Some(key) = &row.idempotency_key {
        let mut error = serde_json::json!({
            "code": ErrorCode::RewardNotIssued,
            "message": "the shop's platform did not issue the code; the points are back",
        });
        if let Some(request_id) = request_id {
            error["request_id"] = serde_json::json!(request_id);
        }
        let body = serde_json::json!({ "error": error }).to_string();
        q::set_idempotency_answer(db, &row.customer_id, key, 409, &body).await?;
    }
    Ok(true)
}

/// Books the redemption's points back (a `release` entry on the
/// reservation's lot).
async fn give_back(
    db: &mut Db<'_>,
    row: &RedemptionRow,
    program: &Program,
    today: i64,
    (label, reason): ((&str, &str), &'static str),
) -> Result<Option<i64>> {
    if row.points_spent <= 0 {
        // A gift cost nothing: nothing to give back.
        return Ok(None);
    }
    let title = program
        .rewards
        .iter()
        .find(|reward| reward.id == row.reward_id)
        .map(|reward| {
            let (en, de) = (program.language(Some("en")), program.language(Some("de")));
            (
                reward.title.get(&en).to_owned(),
                reward.title.get(&de).to_owned(),
            )
        })
        .unwrap_or_else(|| (row.reward_id.clone(), row.reward_id.clone()));
    let label_en = format!("{} ({})", label.0, title.0);
    let label_de = format!("{} ({})", label.1, title.1);
    let mut entry = NewEntry::now(
        &row.customer_id,
        Kind::Release,
        row.points_spent.max(0),
        today,
        (&label_en, &label_de),
    );
    entry.lot = row.entry_id;
    entry.reason = reason;
    let (id, _) = account::append_for_points(db, program, &entry, today).await?;
    Ok(Some(id))
}

/// A referred friend's code for their first order (the program's
/// `referral.friend_reward`), recorded like a redemption of no points:
/// pending when a platform must make it, else active. `None` when the
/// program gives no such code. Its id: `gift-` and the customer's id.
pub async fn friend_gift(
    db: &mut Db<'_>,
    customer_id: &str,
    program: &Program,
    today: i64,
    now: i64,
    platform: Option<&Connector>,
) -> Result<Option<String>> {
    let Some(gift) = &program.referral.friend_reward else {
        return Ok(None);
    };
    let id = format!("gift-{customer_id}");
    if q::redemption(db, &id).await?.is_some() {
        return Ok(None);
    }
    let created_at = ledger::format_date(today);
    let expires_at = ledger::format_date(today + i64::from(gift.valid_days.max(1)) - 1);
    let spec = match platform {
        Some(_) => Some(serde_json::to_string(&Frozen {
            title: {
                let shop = program.language(None);
                format!(
                    "{}: {}",
                    program.name.get(&shop),
                    program.referral.friend_gift.get(&shop)
                )
            },
            value: gift.value.clone(),
            currency: program.currency.clone(),
            min_subtotal: gift.min_subtotal,
            combines: gift.combines,
            starts_on: created_at.clone(),
            ends_on: expires_at.clone(),
        })?),
        None => None,
    };
    let free = FreeCode {
        id: &id,
        customer_id,
        reward_id: FRIEND_GIFT,
        entry_id: 0,
        created_at: &created_at,
        expires_at: &expires_at,
        spec: spec.as_deref(),
    };
    insert_free_code(db, &free, platform, now).await?;
    Ok(Some(id))
}

/// A code that costs no points (a friend's gift, a reissue), as
/// [`insert_free_code`] records it.
struct FreeCode<'a> {
    id: &'a str,
    customer_id: &'a str,
    reward_id: &'a str,
    entry_id: i64,
    created_at: &'a str,
    expires_at: &'a str,
    /// What the platform makes, when one must.
    spec: Option<&'a str>,
}

/// Records `free` with a new code: pending when a platform must make it
/// (the caller then issues it), else active at once.
async fn insert_free_code(
    db: &mut Db<'_>,
    free: &FreeCode<'_>,
    platform: Option<&Connector>,
    now: i64,
) -> Result<()> {
    let code = account::coupon_code()?;
    let state = if platform.is_some() {
        "pending"
    } else {
        "active"
    };
    q::insert_redemption(
        db,
        &crate::store::rows::NewRedemption {
            id: free.id,
            customer_id: free.customer_id,
            reward_id: free.reward_id,
            points_spent: 0,
            code: &code,
            expires_at: free.expires_at,
            created_at: free.created_at,
            state,
            idempotency_key: None,
            entry_id: free.entry_id,
            platform: platform.map(Connector::name),
            spec: free.spec,
            touched_at: now,
        },
    )
    .await?;
    Ok(())
}

/// The id of redemption `id`'s reissued code.
pub fn reissue_id(id: &str) -> String {
    format!("reissue-{id}")
}

/// Whether the shop owner may reissue a redemption's code: it expired
/// unused and its points did not come back (the customer paid for a code
/// they can no longer use).
pub fn reissuable(row: &RedemptionRow) -> bool {
    row.state == "expired" && row.release_entry.is_none()
}

/// What [`reissue`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reissued {
    /// The new redemption ([`reissue_id`]).
    pub id: String,
    /// Whether this call made it; false when an earlier one had.
    pub created: bool,
    /// Whose it is.
    pub customer_id: String,
}

/// `POST /admin/v1/redemptions/{id}/reissue`: a new code for a redemption
/// whose code expired unused without its points coming back, for the same
/// reward and customer, valid as long as the reward's codes are (from
/// today). No points are spent: the first code's paid for it. Made once:
/// the new redemption is [`reissue_id`], and asking again answers it. It is
/// pending when a platform must make the code (the caller then issues it,
/// as a redeem's), else active at once.
pub async fn reissue(
    db: &mut Db<'_>,
    id: &str,
    program: &Program,
    today: i64,
    now: i64,
    platform: Option<&Connector>,
) -> Result<Reissued> {
    let Some(row) = q::redemption(db, id).await? else {
        return Err(refused(ErrorCode::NotFound, "no such redemption"));
    };
    let new_id = reissue_id(id);
    if q::redemption(db, &new_id).await?.is_some() {
        return Ok(Reissued {
            id: new_id,
            created: false,
            customer_id: row.customer_id,
        });
    }
    if !reissuable(&row) {
        let why = match row.state.as_str() {
            "expired" | "released" => "its points came back: the customer can redeem again",
            "used" => "its code was used",
            _ => "its code can still be used",
        };
        // A conflict with the redemption's state (the HTTP layer answers 409).
        return Err(refused(
            ErrorCode::BadRequest,
            format!(
                "redemption {id} is {}: nothing to reissue, {why}",
                row.state
            ),
        ));
    }
    let reward = program
        .rewards
        .iter()
        .find(|reward| reward.id == row.reward_id);
    let valid_days = match (reward, &program.referral.friend_reward) {
        (Some(reward), _) => reward.valid_days,
        (None, Some(gift)) if row.reward_id == FRIEND_GIFT => gift.valid_days,
        _ => {
            return Err(refused(
                ErrorCode::NotAvailable,
                format!("the reward {:?} is no longer in the program", row.reward_id),
            ))
        }
    };
    let created_at = ledger::format_date(today);
    let expires_at = ledger::format_date(today + i64::from(valid_days.max(1)) - 1);
    // What the platform makes: the first code's terms, with the new days.
    let spec = match (platform, row.spec.as_deref(), reward) {
        (None, _, _) => None,
        (Some(_), Some(first), _) => {
            let mut frozen: Frozen = serde_json::from_str(first)?;
            frozen.starts_on = created_at.clone();
            frozen.ends_on = expires_at.clone();
            Some(serde_json::to_string(&frozen)?)
        }
        (Some(_), None, Some(reward)) => Some(serde_json::to_string(&Frozen::of_reward(
            program,
            reward,
            &created_at,
            &expires_at,
        )?)?),
        (Some(_), None, None) => {
            return Err(refused(
                ErrorCode::NotAvailable,
                "this reward has no value to grant",
            ))
        }
    };
    let free = FreeCode {
        id: &new_id,
        customer_id: &row.customer_id,
        reward_id: &row.reward_id,
        // Listed beside the first code (lists are by entry, newest first).
        entry_id: row.entry_id.unwrap_or(0),
        created_at: &created_at,
        expires_at: &expires_at,
        spec: spec.as_deref(),
    };
    insert_free_code(db, &free, platform, now).await?;
    Ok(Reissued {
        id: new_id,
        created: true,
        customer_id: row.customer_id,
    })
}

/// Counts a failed try on the platform.
pub async fn note_attempt(db: &mut Db<'_>, id: &str, reason: &str, now: i64) -> Result<()> {
    let reason: String = reason.chars().take(500).collect();
    q::note_attempt(db, id, &reason, now).await?;
    Ok(())
}

/// An order used `code` (as the platform's webhook reports it): its
/// redemption becomes `used` with the order's number. A pending one is
/// used too (the code exists, or the order could not have used it).
/// False when no redemption has the code or it was used already.
pub async fn mark_used(db: &mut Db<'_>, code: &str, order: &str, now: i64) -> Result<bool> {
    let code = code.trim().to_ascii_uppercase();
    let Some(row) = q::redemption_by_code(db, &code).await? else {
        return Ok(false);
    };
    let change = RedemptionChange {
        to: "used",
        used_order: Some(order),
        touched_at: now,
        ..RedemptionChange::default()
    };
    for from in ["active", "pending", "expired"] {
        if row.state == from {
            return Ok(q::move_redemption(db, &row.id, from, &change).await?);
        }
    }
    if row.state == "used" && row.used_order.is_none() {
        // Marked used from the platform's count before the webhook came.
        q::move_redemption(db, &row.id, "used", &change).await?;
    }
    Ok(false)
}

/// An order that used `code` was cancelled (WooCommerce gives the usage
/// back): `used -> active` when that order had used it.
pub async fn unmark_used(db: &mut Db<'_>, code: &str, order: &str, now: i64) -> Result<bool> {
    let code = code.trim().to_ascii_uppercase();
    let Some(row) = q::redemption_by_code(db, &code).await? else {
        return Ok(false);
    };
    if row.state != "used" || row.used_order.as_deref() != Some(order) {
        return Ok(false);
    }
    let change = RedemptionChange {
        to: "active",
        touched_at: now,
        ..RedemptionChange::default()
    };
    Ok(q::move_redemption(db, &row.id, "used", &change).await?)
}

/// Active codes whose last day is before `today` become `expired`; when
/// the program says so, their points come back. Returns how many.
pub async fn expire(db: &mut Db<'_>, program: &Program, today: i64, now: i64) -> Result<usize> {
    let day = ledger::format_date(today);
    let rows = q::active_expired(db, &day, 500).await?;
    let mut count = 0;
    for row in rows {
        if expire_one(db, &row, program, today, now).await? {
            count += 1;
        }
    }
    Ok(count)
}

/// `row` (active, or used with its use given back) becomes `expired`,
/// with its points back when the program says so. False when someone
/// else moved it first.
async fn expire_one(
    db: &mut Db<'_>,
    row: &RedemptionRow,
    program: &Program,
    today: i64,
    now: i64,
) -> Result<bool> {
    let change = RedemptionChange {
        to: "expired",
        touched_at: now,
        ..RedemptionChange::default()
    };
    if !q::move_redemption(db, &row.id, &row.state, &change).await? {
        return Ok(false);
    }
    if program.refund_expired_rewards {
        let entry = give_back(
            db,
            row,
            program,
            today,
            (
                (
                    "Points back: the code expired unused",
                    "Punkte zurück: Code ungenutzt abgelaufen",
                ),
                "release-expired",
            ),
        )
        .await?;
        let change = RedemptionChange {
            to: "expired",
            release_entry: entry,
            touched_at: now,
            ..RedemptionChange::default()
        };
        q::move_redemption(db, &row.id, "expired", &change).await?;
    }
    Ok(true)
}

/// What [`follow`] changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Followed {
    /// Nothing: the platform agrees (the check is recorded).
    Nothing,
    /// An order used the active code (its webhook never came).
    Used,
    /// The use was given back (a cancelled order): active again.
    Active,
    /// The platform counts the code as ended.
    Expired,
    /// The platform no longer has the code (see [`note_missing`]).
    Missing,
}

/// Active or used redemptions whose code should be looked up on the
/// platform now: not checked since `before` (Unix seconds), still within
/// their last day, oldest check first, at most `limit`.
pub async fn to_follow(
    db: &mut Db<'_>,
    platform: &str,
    before: i64,
    today: i64,
    limit: i64,
) -> Result<Vec<RedemptionRow>> {
    let day = ledger::format_date(today);
    Ok(q::redemptions_to_follow(db, platform, before, &day, limit).await?)
}

/// Brings an active or used redemption in line with its code as the
/// platform has it (`found`), so the customer's list follows the shop
/// rather than a guess: a code an order used is `used` (which order stays
/// unknown when no webhook said), a use given back by a cancelled order
/// makes it `active` again, and a code the platform counts as ended is
/// `expired` (the points back when the program says so).
pub async fn follow(
    db: &mut Db<'_>,
    row: &RedemptionRow,
    found: &Found,
    program: &Program,
    today: i64,
    now: i64,
) -> Result<Followed> {
    let (to, outcome) = match (row.state.as_str(), found.used, found.expired) {
        ("active", true, _) => ("used", Followed::Used),
        ("active" | "used", false, true) => ("expired", Followed::Expired),
        ("used", false, false) => ("active", Followed::Active),
        _ => {
            touch(db, &row.id, now).await?;
            return Ok(Followed::Nothing);
        }
    };
    let moved = if outcome == Followed::Expired {
        expire_one(db, row, program, today, now).await?
    } else {
        let change = RedemptionChange {
            to,
            touched_at: now,
            ..RedemptionChange::default()
        };
        q::move_redemption(db, &row.id, &row.state, &change).await?
    };
    Ok(if moved { outcome } else { Followed::Nothing })
}

/// Records that a redemption's code was checked now (without an answer
/// that tells), so the next pass looks at others first.
pub async fn touch(db: &mut Db<'_>, id: &str, now: i64) -> Result<()> {
    Ok(q::touch_redemption(db, id, now).await?)
}

/// The platform no longer has the code of an active or used redemption
/// (the shop owner deleted it): recorded as its last error for the admin
/// API, and the check counted.
pub async fn note_missing(db: &mut Db<'_>, row: &RedemptionRow, now: i64) -> Result<()> {
    note_attempt(
        db,
        &row.id,
        "the shop's platform no longer has this code",
        now,
    )
    .await
}

/// `GET /v1/redemptions?page=N`: the customer's redemptions, newest first.
pub async fn list(
    db: &mut Db<'_>,
    customer_id: &str,
    page: u32,
    lang: &Language,
    program: &Program,
    platform: Option<&Connector>,
) -> Result<RedemptionPage> {
    let page = page.max(1);
    let offset = i64::from(page - 1) * i64::from(PAGE_SIZE);
    let rows = q::customer_redemptions(db, customer_id, i64::from(PAGE_SIZE) + 1, offset).await?;
    let has_more = rows.len() > PAGE_SIZE as usize;
    // Titles of rewards the program no longer has, from the texts table.
    let mut gone = std::collections::BTreeMap::new();
    for row in rows.iter().take(PAGE_SIZE as usize) {
        let known =
            row.reward_id == FRIEND_GIFT || program.rewards.iter().any(|r| r.id == row.reward_id);
        if !known && !gone.contains_key(&row.reward_id) {
            let chain: Vec<String> = language::chain(&lang.tag)
                .into_iter()
                .chain([lang.default.clone()])
                .collect();
            let owner = format!("reward.{}.title", row.reward_id);
            let title = q::text(db, &owner, &chain).await?;
            gone.insert(
                row.reward_id.clone(),
                title.unwrap_or_else(|| row.reward_id.clone()),
            );
        }
    }
    let items = rows
        .into_iter()
        .take(PAGE_SIZE as usize)
        .map(|row| {
            let state = state_of(&row.state);
            let title = if row.reward_id == FRIEND_GIFT {
                program.referral.friend_gift.get(lang).to_owned()
            } else {
                program
                    .rewards
                    .iter()
                    .find(|reward| reward.id == row.reward_id)
                    .map_or_else(
                        || gone.get(&row.reward_id).cloned().unwrap_or_default(),
                        |r| r.title.get(lang).to_owned(),
                    )
            };
            let apply_url = (state == RedemptionState::Active)
                .then(|| platform.filter(|p| row.platform.as_deref() == Some(p.name())))
                .flatten()
                .map(|p| p.apply_url(&row.code));
            RedemptionItem {
                id: row.id.clone(),
                reward_id: row.reward_id.clone(),
                title,
                points_spent: u64::try_from(row.points_spent).unwrap_or(0),
                state,
                coupon: state.has_code().then(|| Coupon {
                    code: row.code.clone(),
                    expires_at: Some(row.expires_at.clone()),
                    apply_url,
                }),
                created_at: row.created_at.clone(),
                used_order: row.used_order.clone(),
                idempotency_key: row.idempotency_key.clone(),
            }
        })
        .collect();
    Ok(RedemptionPage {
        items,
        page,
        has_more,
    })
}

/// A redemption as the admin API shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AdminRedemption {
    /// Its id.
    pub id: String,
    /// The customer.
    pub customer_id: String,
    /// The reward.
    pub reward_id: String,
    /// Points spent.
    pub points_spent: i64,
    /// The code.
    pub code: String,
    /// Where it stands.
    pub state: RedemptionState,
    /// The platform it is made on (none: only in this database).
    pub platform: Option<String>,
    /// The platform's id for it.
    pub reference: Option<String>,
    /// Tries on the platform that failed.
    pub attempts: i64,
    /// The last failure.
    pub last_error: Option<String>,
    /// The day it was redeemed.
    pub created_at: String,
    /// Its last day.
    pub expires_at: String,
    /// The order that used it.
    pub used_order: Option<String>,
}

/// Redemptions in `state` (oldest first), for the admin API.
pub async fn in_state(
    db: &mut Db<'_>,
    state: RedemptionState,
    limit: i64,
) -> Result<Vec<AdminRedemption>> {
    let rows = q::redemptions_in(db, state_name(state), i64::MAX, limit).await?;
    Ok(rows.into_iter().map(AdminRedemption::from).collect())
}

impl From<RedemptionRow> for AdminRedemption {
    fn from(row: RedemptionRow) -> AdminRedemption {
        AdminRedemption {
            state: state_of(&row.state),
            id: row.id,
            customer_id: row.customer_id,
            reward_id: row.reward_id,
            points_spent: row.points_spent,
            code: row.code,
            platform: row.platform,
            reference: row.reference,
            attempts: row.attempts,
            last_error: row.last_error,
            created_at: row.created_at,
            expires_at: row.expires_at,
            used_order: row.used_order,
        }
    }
}

/// Redemption `id` as the admin API shows it, if there is one.
pub async fn admin_line(db: &mut Db<'_>, id: &str) -> Result<Option<AdminRedemption>> {
    Ok(q::redemption(db, id).await?.map(AdminRedemption::from))
}

/// Whether redemption `id` exists, and its state.
pub async fn state(db: &mut Db<'_>, id: &str) -> Result<Option<RedemptionState>> {
    Ok(q::redemption(db, id).await?.map(|row| state_of(&row.state)))
}
