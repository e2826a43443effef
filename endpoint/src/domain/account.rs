//! A customer's account: their points, tier, offers and history worked out
//! from the append-only ledger ([`super::ledger`]), and the customer's own
//! writes (redeeming, joining the club), each inside the caller's write
//! transaction.

use super::error::{bad, refused, Error, Result};
use super::language::{self, Language};
use super::ledger::{self, Balance, Entry, Kind};
use super::program::{Basis, Grant, Program};
use super::snapshot::Snapshot;
use crate::platform::Connector;
use crate::store::queries::{self as q, Counted};
use crate::store::rows::{ActivityRow, CustomerRow, EntryRow, NewEntryRow, NewRedemption};
use crate::store::{Db, Store};
use loyalty_core::contract::{
    Activity, ActivityKind, ActivityPage, ActivityState, Club, Coupon, CustomerState, EarnKind,
    EarningRule, ErrorCode, Expiring, LockReason, Membership, Money, Offer, Offers, Points,
    Redemption, RedemptionState, Referral, Reward, Summary, Tier, TierStatus,
};
use serde::de::DeserializeOwned;

/// Entries on one page of activity history.
pub const PAGE_SIZE: u32 = 10;

/// How far ahead, in days, a customer is told which points expire.
pub const EXPIRING_WINDOW_DAYS: i64 = 90;

fn enum_from<T: DeserializeOwned>(text: &str) -> Result<T> {
    Ok(serde_json::from_value(serde_json::Value::String(
        text.to_owned(),
    ))?)
}

fn unsigned(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

fn signed(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The customer behind a referral code (matched without regard to case):
/// the code as stored and their first name; `not_found` otherwise.
pub async fn referrer(db: &mut Db<'_>, code: &str) -> Result<(String, Option<String>)> {
    let (_, code, first_name, _) = q::by_referral_code(db, code)
        .await?
        .ok_or_else(|| refused(ErrorCode::NotFound, "no such referral code"))?;
    Ok((code, first_name))
}

/// `GET /v1/program`, in `lang`, from the program in force (its tables
/// mirror it).
pub fn program(lang: &Language, file: &Program) -> Result<loyalty_core::contract::Program> {
    let earning = file
        .earning(lang)
        .into_iter()
        .map(|(kind, title, points_text)| {
            Ok(EarningRule {
                kind: enum_from::<EarnKind>(kind)?,
                title,
                points_text,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let rewards = file
        .rewards
        .iter()
        .map(|reward| Reward {
            id: reward.id.clone(),
            kind: reward.kind,
            title: reward.title.get(lang).to_owned(),
            points_price: reward.points_price,
            min_tier_id: reward.min_tier.clone(),
        })
        .collect();
    let referral_text = file.referral.text.get(lang).to_owned();
    Ok(loyalty_core::contract::Program {
        name: file.name.get(lang).to_owned(),
        currency: file.currency.clone(),
        pitch: file.pitch.get(lang).to_owned(),
        tiers: file.published_tiers(lang),
        earning,
        rewards,
        referral_text: (!referral_text.is_empty()).then_some(referral_text),
    })
}

async fn customer_row(db: &mut Db<'_>, id: &str) -> Result<CustomerRow> {
    q::customer(db, id)
        .await?
        .ok_or_else(|| refused(ErrorCode::NotFound, "unknown customer"))
}

/// Refuses (`not_found`) a customer the store does not know.
pub async fn known(db: &mut Db<'_>, id: &str) -> Result<()> {
    customer_row(db, id).await.map(drop)
}

fn stored_day(text: &str) -> Result<i64> {
    ledger::parse_date(text).ok_or_else(|| Error::Corrupt(format!("{text:?} is not a date")))
}

fn entry_of(row: EntryRow) -> Result<Entry> {
    Ok(Entry {
        id: row.id,
        kind: Kind::from_name(&row.kind)
            .ok_or_else(|| Error::Corrupt(format!("ledger kind {:?}", row.kind)))?,
        points: row.points,
        booked_on: stored_day(&row.booked_on)?,
        available_on: stored_day(&row.available_on)?,
        expires_on: row.expires_on.as_deref().map(stored_day).transpose()?,
        lot: row.lot,
        amount_minor: row.amount_minor,
    })
}

/// A customer's entries after `after_id` (all with 0), oldest first.
async fn entries_after(db: &mut Db<'_>, id: &str, after_id: i64) -> Result<Vec<Entry>> {
    q::entries_after(db, id, after_id)
        .await?
        .into_iter()
        .map(entry_of)
        .collect()
}

/// The customer's ledger folded up to `today`, from the stored snapshot:
/// the entries it has not seen yet are folded in, and when it cannot take
/// them in order (or `today` is before its day) the whole ledger is folded
/// again. Returns it and whether it differs from what is stored.
async fn fold(
    db: &mut Db<'_>,
    id: &str,
    stored: Option<&str>,
    max_id: Option<i64>,
    today: i64,
) -> Result<(Snapshot, bool)> {
    let mut snapshot = stored
        .and_then(|text| serde_json::from_str::<Snapshot>(text).ok())
        .unwrap_or_default();
    let mut changed = stored.is_none();
    if !snapshot.reaches(today) {
        let all = entries_after(db, id, 0).await?;
        return Ok((Snapshot::of(&all, today), true));
    }
    snapshot.advance(today);
    if max_id.unwrap_or(0) > snapshot.last_id {
        changed = true;
        for entry in entries_after(db, id, snapshot.last_id).await? {
            if snapshot.apply(&entry).is_err() {
                let all = entries_after(db, id, 0).await?;
                return Ok((Snapshot::of(&all, today), true));
            }
        }
    }
    Ok((snapshot, changed))
}

/// Brings the customer's stored snapshot up to the ledger (after an
/// append, inside the same transaction) and returns it.
async fn refresh(db: &mut Db<'_>, id: &str, today: i64) -> Result<Snapshot> {
    let row = q::snapshot(db, id).await?;
    let (snapshot, changed) = fold(db, id, row.snapshot.as_deref(), row.max_id, today).await?;
    if changed {
        let text = serde_json::to_string(&snapshot)?;
        q::put_snapshot(db, id, snapshot.last_id, &text).await?;
    }
    Ok(snapshot)
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

/// A customer as of `today`: their row, balance, and what they spent in
/// the last 12 months (for tiers by spend).
pub struct Account {
    row: CustomerRow,
    balance: Balance,
    spend_12_months: u64,
    /// A tier kept as a floor today (brought over by an import).
    floor: Option<String>,
}

/// Reads a customer's account: on PostgreSQL one round trip when the
/// stored snapshot is up to date (it is after every write).
async fn load_account(db: &mut Db<'_>, id: &str, program: &Program, today: i64) -> Result<Account> {
    let found = q::account(db, id)
        .await?
        .ok_or_else(|| refused(ErrorCode::NotFound, "unknown customer"))?;
    let (snapshot, _) = fold(db, id, found.snapshot.as_deref(), found.max_id, today).await?;
    let balance = snapshot.balance(today, EXPIRING_WINDOW_DAYS);
    let spend_12_months = match program.tiers.basis {
        Basis::LifetimePoints => 0,
        Basis::Spend12Months => {
            let since = ledger::format_date(ledger::add_months(today, -12));
            unsigned(q::spend_since(db, id, &since).await?)
        }
    };
    let floor = floor_on(&found.customer, today);
    Ok(Account {
        row: found.customer,
        balance,
        spend_12_months,
        floor,
    })
}

/// The tier a customer's row keeps as a floor on `today`, if any: until
/// its day, inclusive.
fn floor_on(row: &CustomerRow, today: i64) -> Option<String> {
    let until = row
        .tier_floor_until
        .as_deref()
        .and_then(ledger::parse_date)?;
    (today <= until).then(|| row.tier_floor.clone()).flatten()
}

/// What the customer's tier is measured by, in the tiers' unit: lifetime
/// points, or what they spent in the last 12 months (minor units).
fn tier_value(program: &Program, account: &Account) -> u64 {
    match program.tiers.basis {
        Basis::LifetimePoints => account.balance.lifetime,
        Basis::Spend12Months => account.spend_12_months,
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

/// The rank of the customer's tier (0 without one): the program's rule,
/// or the floor an import keeps until its day when that is higher.
pub(crate) fn rank(tiers: &[Tier], program: &Program, account: &Account) -> usize {
    let computed = tier_of(tiers, tier_value(program, account)).map_or(0, |(rank, _)| rank);
    let floor = account
        .floor
        .as_deref()
        .and_then(|id| rank_of(tiers, id))
        .unwrap_or(0);
    computed.max(floor)
}

/// The id of the tier the customer is in today (the lowest without one).
pub async fn tier_id(
    db: &mut Db<'_>,
    id: &str,
    program: &Program,
    today: i64,
) -> Result<Option<String>> {
    let account = load_account(db, id, program, today).await?;
    Ok(tier_now(program, &account))
}

/// The state of a customer whose personal data was erased (the console's
/// `POST /admin/v1/customers/{id}/erase`).
pub const ERASED: &str = "erased";

/// The console's sample customer (the program page's live preview): a
/// reserved id no shop gives out.
pub const PREVIEW: &str = "_preview";

/// The state of [`PREVIEW`]: reads as a member; every write that needs a
/// member (redeeming) refuses it, and the figures and the customer list
/// leave it out.
pub const PREVIEW_STATE: &str = "preview";

/// A customer's spendable points and tier id today, from their ledger,
/// whatever their state (the console's customer list).
pub async fn standing(
    db: &mut Db<'_>,
    id: &str,
    program: &Program,
    today: i64,
) -> Result<(u64, Option<String>)> {
    let account = load_account(db, id, program, today).await?;
    Ok((account.balance.approved, tier_now(program, &account)))
}

/// The id of the customer's tier (its floor included).
fn tier_now(program: &Program, account: &Account) -> Option<String> {
    let tiers = program.published_tiers(&program.language(None));
    tiers
        .get(rank(&tiers, program, account))
        .map(|tier| tier.id.clone())
}

fn club_of(row: &CustomerRow) -> Club {
    Club {
        member: row.club_member != 0,
        joined_at: row.club_joined_at.clone(),
    }
}

/// `GET /v1/customer`.
pub async fn summary(
    db: &mut Db<'_>,
    id: &str,
    lang: &Language,
    shop_url: &str,
    program: &Program,
    today: i64,
) -> Result<Summary> {
    let account = load_account(db, id, program, today).await?;
    if account.row.state == ERASED {
        // Their personal data is gone; what is left is not shown to
        // whoever holds a token for them.
        return Ok(Summary {
            state: CustomerState::Guest,
            first_name: None,
            points: Points::default(),
            points_value: None,
            tier: None,
            referral: None,
            club: Club::default(),
        });
    }
    let tiers = program.published_tiers(lang);
    let value = tier_value(program, &account);
    let rank = rank(&tiers, program, &account);
    let tier = tiers.get(rank).map(|tier| {
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
    let club = club_of(&account.row);
    let row = account.row;
    Ok(Summary {
        state: if row.state == PREVIEW_STATE {
            CustomerState::Member
        } else {
            enum_from::<CustomerState>(&row.state)?
        },
        first_name: row.first_name,
        points_value: Some(Money {
            amount_minor: account.balance.approved,
            currency: program.currency.clone(),
        }),
        points: points_of(&account.balance),
        tier,
        referral: row.referral_code.map(|code| Referral {
            url: Some(format!("{}/?ref={code}", shop_url.trim_end_matches('/'))),
            code,
            friends_joined: unsigned(row.friends_joined),
        }),
        club,
    })
}

/// `GET /v1/offers`: every offer, locked ones without their code or link.
pub async fn offers(
    db: &mut Db<'_>,
    id: &str,
    lang: &Language,
    program: &Program,
    today: i64,
) -> Result<Offers> {
    let account = load_account(db, id, program, today).await?;
    let tiers = program.published_tiers(lang);
    let rank = rank(&tiers, program, &account);
    let member = account.row.club_member != 0;
    let offers = program
        .offers
        .iter()
        .map(|offer| {
            let needs_rank = offer.min_tier.as_deref().and_then(|t| rank_of(&tiers, t));
            let locked = if !member {
                Some(LockReason::MembersOnly)
            } else if needs_rank.is_some_and(|needed| rank < needed) {
                Some(LockReason::TierTooLow)
            } else {
                None
            };
            Offer {
                id: offer.id.clone(),
                title: offer.title.get(lang).to_owned(),
                description: offer.description.get(lang).to_owned(),
                min_tier_id: offer.min_tier.clone(),
                ends_at: offer.ends_at.clone(),
                code: offer.code.clone().filter(|_| locked.is_none()),
                cta_url: offer.cta_url.clone().filter(|_| locked.is_none()),
                locked,
            }
        })
        .collect();
    Ok(Offers { offers })
}

/// A history entry's label in `lang`, from what the entry records (its
/// kind, order, reward, reason); entries that record too little (booked
/// before labels were made on reading) show the label they were booked
/// with.
fn label_of(row: &ActivityRow, customer: &str, lang: &Language, program: &Program) -> String {
    let say = |key: &str, values: &[(&str, &str)]| language::say(lang, key, values);
    let number = row
        .order_number
        .as_deref()
        .map(|n| format!("#{}", n.trim_start_matches('#')));
    let reward = |id: &str| {
        if id == super::program::FRIEND_GIFT {
            return program.referral.friend_gift.get(lang).to_owned();
        }
        program
            .rewards
            .iter()
            .find(|reward| reward.id == id)
            .map_or_else(|| id.to_owned(), |reward| reward.title.get(lang).to_owned())
    };
    let stored = || {
        if lang.tag.split('-').next() == Some("de") {
            row.label_de.clone()
        } else {
            row.label_en.clone()
        }
    };
    match Kind::from_name(&row.kind) {
        Some(Kind::Welcome) => say("label-welcome", &[]),
        Some(Kind::Birthday) => say("label-birthday", &[]),
        Some(Kind::Expiry) => say("label-expiry", &[]),
        Some(Kind::Adjustment) => row.reason.clone(),
        // `import ID from APP`; an undo's entries keep their stored label.
        Some(Kind::Import) if row.reason.starts_with("import ") => {
            match row.reason.split_once(" from ") {
                Some((_, app)) => say("label-import", &[("app", app)]),
                None => stored(),
            }
        }
        Some(Kind::Order) => match &number {
            Some(number) => say("label-order", &[("number", number)]),
            None => stored(),
        },
        Some(Kind::Refund) => match (&number, row.order_customer.as_deref()) {
            // The referrer's points for a friend's order that came back.
            (Some(_), Some(owner)) if owner != customer => say("label-referral-cancelled", &[]),
            (Some(number), _) => say("label-refund", &[("number", number)]),
            _ => stored(),
        },
        Some(Kind::Referral) if row.order_customer.is_some() => {
            let someone = say("label-referral-someone", &[]);
            let name = row.order_first_name.as_deref().unwrap_or(&someone);
            say("label-referral", &[("name", name)])
        }
        Some(Kind::Redemption) => row.reward_id.as_deref().map_or_else(stored, reward),
        Some(Kind::Release) => match row.reward_id.as_deref() {
            Some(id) if row.reason == "release-expired" => {
                say("label-release-expired", &[("title", &reward(id))])
            }
            Some(id) => say("label-release", &[("title", &reward(id))]),
            None => stored(),
        },
        _ => stored(),
    }
}

/// `GET /v1/activity?page=N`: the customer's ledger, newest first.
pub async fn activity(
    db: &mut Db<'_>,
    id: &str,
    page: u32,
    lang: &Language,
    program: &Program,
    today: i64,
) -> Result<ActivityPage> {
    customer_row(db, id).await?;
    let page = page.max(1);
    let offset = i64::from(page - 1) * i64::from(PAGE_SIZE);
    let rows = q::activity(db, id, i64::from(PAGE_SIZE) + 1, offset).await?;
    let mut items = rows
        .into_iter()
        .map(|row| {
            // A redemption's code shows once it is issued; until then it waits.
            let held = row
                .redemption_state
                .as_deref()
                .is_some_and(|state| !state_of(state).has_code());
            Ok(Activity {
                id: row.id.to_string(),
                kind: match Kind::from_name(&row.kind) {
                    Some(Kind::Redemption) => ActivityKind::Spent,
                    Some(Kind::Expiry) => ActivityKind::Expired,
                    _ => ActivityKind::Earned,
                },
                label: label_of(&row, id, lang, program),
                points: row.points,
                state: if held || stored_day(&row.available_on)? > today {
                    ActivityState::Pending
                } else {
                    ActivityState::Approved
                },
                date: row.booked_on,
                code: row.code.filter(|_| !held),
            })
        })
        .collect::<Result<Vec<_>>>()?;
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
    /// The day a positive entry expires, instead of the program's rule
    /// (points brought over by an import that keep their old app's date).
    pub expires_on: Option<i64>,
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
            expires_on: None,
        }
    }
}

/// Appends an entry to the ledger (the only way points change): a positive
/// one expires by the program's rule, counted from when it counts.
pub async fn append(
    db: &mut Db<'_>,
    program: &Program,
    entry: &NewEntry<'_>,
    today: i64,
) -> Result<i64> {
    Ok(append_folded(db, program, entry, today).await?.0)
}

/// [`append`], and the customer's ledger folded with the entry in.
async fn append_folded(
    db: &mut Db<'_>,
    program: &Program,
    entry: &NewEntry<'_>,
    today: i64,
) -> Result<(i64, Snapshot)> {
    let appended = insert(db, program, entry).await?;
    let snapshot = fold_in(db, entry.customer_id, &appended, today).await?;
    Ok((appended.id, snapshot))
}

/// Appends many entries and leaves the customers' stored snapshots behind
/// them, for a writer of many entries (the importer): it calls
/// [`fold_up_many`] for those customers before its transaction ends. A
/// snapshot left behind is never wrong, only slower: the next write or read
/// folds the ledger again.
pub async fn append_many_unsettled(
    db: &mut Db<'_>,
    program: &Program,
    entries: &[NewEntry<'_>],
) -> Result<()> {
    let rows: Vec<NewEntryRow<'_>> = entries
        .iter()
        .map(|entry| row_of(program, entry).0)
        .collect();
    q::append_many(db, &rows).await?;
    for entry in entries {
        count_points(entry.kind, entry.points);
    }
    Ok(())
}

/// Folds these customers' whole ledgers and stores their snapshots, a
/// batch of customers to a statement (after [`append_many_unsettled`]).
pub async fn fold_up_many(db: &mut Db<'_>, ids: &[String], today: i64) -> Result<()> {
    for chunk in ids.chunks(q::BATCH) {
        let mut rows = q::ledgers_of(db, chunk).await?.into_iter().peekable();
        let mut snapshots = Vec::with_capacity(chunk.len());
        while let Some(first) = rows.next() {
            let customer = first.customer_id;
            let mut entries = vec![entry_of(first.entry)?];
            while let Some(next) = rows.next_if(|row| row.customer_id == customer) {
                entries.push(entry_of(next.entry)?);
            }
            let snapshot = Snapshot::of(&entries, today);
            let text = serde_json::to_string(&snapshot)?;
            snapshots.push((customer, snapshot.last_id, text));
        }
        q::put_snapshots(db, &snapshots).await?;
    }
    Ok(())
}

/// The entry's row, and the day it expires (the program's rule for a
/// positive entry that does not bring its own).
fn row_of<'a>(program: &Program, entry: &NewEntry<'a>) -> (NewEntryRow<'a>, Option<i64>) {
    let expires_on = match entry.expires_on {
        Some(day) if entry.points > 0 => Some(day),
        _ => (entry.points > 0 && program.expiry.months > 0)
            .then(|| ledger::add_months(entry.available_on, i64::from(program.expiry.months))),
    };
    let row = NewEntryRow {
        customer_id: entry.customer_id,
        kind: entry.kind.name(),
        points: entry.points,
        booked_on: ledger::format_date(entry.booked_on),
        available_on: ledger::format_date(entry.available_on),
        expires_on: expires_on.map(ledger::format_date),
        lot: entry.lot,
        amount_minor: entry.amount_minor,
        order_id: entry.order_id,
        reason: entry.reason,
        label_en: entry.label.0,
        label_de: entry.label.1,
        code: entry.code,
    };
    (row, expires_on)
}

/// Writes the entry's row and counts its points.
async fn insert(db: &mut Db<'_>, program: &Program, entry: &NewEntry<'_>) -> Result<Entry> {
    let (row, expires_on) = row_of(program, entry);
    let id = q::append(db, &row).await?;
    count_points(entry.kind, entry.points);
    Ok(Entry {
        id,
        kind: entry.kind,
        points: entry.points,
        booked_on: entry.booked_on,
        available_on: entry.available_on,
        expires_on,
        lot: entry.lot,
        amount_minor: entry.amount_minor,
    })
}

/// Folds the entry just appended into the customer's stored snapshot and
/// stores it: in memory when the snapshot ends where the ledger did before
/// the entry (it does after every write), else from the ledger.
async fn fold_in(db: &mut Db<'_>, id: &str, appended: &Entry, today: i64) -> Result<Snapshot> {
    let row = q::snapshot_before(db, id, appended.id).await?;
    let stored = match row.snapshot.as_deref() {
        Some(text) => serde_json::from_str::<Snapshot>(text).ok(),
        None => Some(Snapshot::default()),
    };
    if let Some(mut snapshot) = stored {
        if snapshot.last_id == row.max_id.unwrap_or(0) && snapshot.reaches(today) {
            snapshot.advance(today);
            if snapshot.apply(appended).is_ok() {
                let text = serde_json::to_string(&snapshot)?;
                q::put_snapshot(db, id, snapshot.last_id, &text).await?;
                return Ok(snapshot);
            }
        }
    }
    refresh(db, id, today).await
}

/// Counts booked points for the operator's metrics: issued (by kind),
/// redeemed, expired.
fn count_points(kind: Kind, points: i64) {
    let amount = points.unsigned_abs();
    match kind {
        Kind::Redemption => metrics::counter!("loyalty_points_redeemed_total").increment(amount),
        Kind::Expiry => metrics::counter!("loyalty_points_expired_total").increment(amount),
        _ if points > 0 => metrics::counter!("loyalty_points_issued_total", "kind" => kind.name())
            .increment(amount),
        _ => {}
    }
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
pub async fn settle(db: &mut Db<'_>, id: &str, program: &Program, today: i64) -> Result<Account> {
    let account = load_account(db, id, program, today).await?;
    let mut booked = false;
    for due in &account.balance.due {
        let mut entry = NewEntry::now(
            id,
            Kind::Expiry,
            -signed(due.points),
            due.on,
            ("Points expired", "Punkte verfallen"),
        );
        entry.lot = Some(due.lot);
        append(db, program, &entry, today).await?;
        booked = true;
    }
    let (year, _, _) = ledger::civil_from_days(today);
    let birthday = account
        .row
        .birthday
        .as_deref()
        .and_then(|birthday| birthday_in(birthday, year))
        .filter(|day| *day <= today && today - *day <= BIRTHDAY_GRACE_DAYS);
    let this_year = ledger::format_date(ledger::days_from_civil(year, 1, 1));
    let due_now = birthday.is_some() && program.birthday.points > 0;
    if due_now && !q::has_entry_since(db, id, Kind::Birthday.name(), &this_year).await? {
        let entry = NewEntry::now(
            id,
            Kind::Birthday,
            signed(program.birthday.points),
            today,
            ("Happy birthday", "Alles Gute zum Geburtstag"),
        );
        append(db, program, &entry, today).await?;
        booked = true;
    }
    if booked {
        load_account(db, id, program, today).await
    } else {
        Ok(account)
    }
}

/// Settles every customer (expiries and birthdays): the hourly sweep and
/// `POST /admin/v1/settle`. Returns how many entries it booked.
pub async fn settle_all(store: &Store, program: &Program, today: i64) -> Result<i64> {
    let mut tx = store.write().await?;
    let mut db = tx.db();
    let before = q::count(&mut db, Counted::LedgerEntries).await?;
    for id in q::customer_ids(&mut db).await? {
        settle(&mut db, &id, program, today).await?;
    }
    let booked = q::count(&mut db, Counted::LedgerEntries).await? - before;
    tx.commit().await?;
    Ok(booked)
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

/// A customer's own row, their points and their tier's id on `today`, in
/// one read.
pub async fn with_points(
    db: &mut Db<'_>,
    id: &str,
    program: &Program,
    today: i64,
) -> Result<(CustomerRow, Points, Option<String>)> {
    let account = load_account(db, id, program, today).await?;
    let tier = tier_now(program, &account);
    Ok((account.row, points_of(&account.balance), tier))
}

/// How a redeem is issued: only in this database (the code is active at
/// once), or on the shop's platform (the points are reserved and the code
/// is pending until the platform confirms it).
pub struct Issuing<'a> {
    /// The redeem's `Idempotency-Key`.
    pub key: &'a str,
    /// Now, Unix seconds.
    pub now: i64,
    /// The shop's platform, when one is connected.
    pub platform: Option<&'a Connector>,
}

/// Redeems a reward inside the idempotency transaction: the points are
/// taken (reserved, when a platform must make the code) and the redemption
/// recorded with what the platform must make. Answers `200` with the code,
/// or `202` while it is pending.
pub async fn redeem(
    db: &mut Db<'_>,
    customer_id: &str,
    reward_id: &str,
    lang: &Language,
    program: &Program,
    today: i64,
    issuing: &Issuing<'_>,
) -> Result<(u16, Redemption)> {
    let account = settle(db, customer_id, program, today).await?;
    // The program in force is in memory (its tables mirror it).
    let reward = program
        .rewards
        .iter()
        .find(|reward| reward.id == reward_id)
        .ok_or_else(|| refused(ErrorCode::NotAvailable, "no such reward"))?;
    let price = reward.points_price;
    if account.row.state != "member" {
        return Err(bad("only members can redeem"));
    }
    let tiers = program.published_tiers(lang);
    let rank = rank(&tiers, program, &account);
    if let Some(needed) = reward
        .min_tier
        .as_deref()
        .and_then(|id| rank_of(&tiers, id))
    {
        if rank < needed {
            return Err(refused(
                ErrorCode::TierTooLow,
                "tier too low for this reward",
            ));
        }
    }
    if account.balance.approved < price {
        return Err(refused(ErrorCode::InsufficientPoints, "not enough points"));
    }
    let code = coupon_code()?;
    let valid_days = i64::from(reward.valid_days.max(1));
    let expires_at = ledger::format_date(today + valid_days - 1);
    let points = -signed(price);
    let mut entry = NewEntry::now(
        customer_id,
        Kind::Redemption,
        points,
        today,
        (
            reward.title.get(&program.language(Some("en"))),
            reward.title.get(&program.language(Some("de"))),
        ),
    );
    entry.code = Some(&code);
    let (entry_id, snapshot) = append_folded(db, program, &entry, today).await?;
    // The balance after it, from the snapshot the append brought up to date.
    let after = snapshot.balance(today, EXPIRING_WINDOW_DAYS);
    // Named after its ledger entry: unique, and no count of all redemptions.
    let id = format!("red-{entry_id}");
    let created_at = ledger::format_date(today);
    let spec = match issuing.platform {
        Some(_) => Some(serde_json::to_string(&Frozen::of_reward(
            program,
            reward,
            &created_at,
            &expires_at,
        )?)?),
        None => None,
    };
    let state = if issuing.platform.is_some() {
        RedemptionState::Pending
    } else {
        RedemptionState::Active
    };
    q::insert_redemption(
        db,
        &NewRedemption {
            id: &id,
            customer_id,
            reward_id,
            points_spent: signed(price),
            code: &code,
            expires_at: &expires_at,
            created_at: &created_at,
            state: state_name(state),
            idempotency_key: Some(issuing.key),
            entry_id,
            platform: issuing.platform.map(Connector::name),
            spec: spec.as_deref(),
            touched_at: issuing.now,
        },
    )
    .await?;
    let coupon = (state == RedemptionState::Active).then_some(Coupon {
        code,
        expires_at: Some(expires_at),
        apply_url: None,
    });
    let status = if coupon.is_some() { 200 } else { 202 };
    Ok((
        status,
        Redemption {
            id,
            reward_id: reward_id.to_owned(),
            points_spent: price,
            state,
            coupon,
            points: points_of(&after),
        },
    ))
}

/// What a pending redemption's code must be on the platform, fixed when
/// the points were reserved (a later program does not change it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Frozen {
    /// The discount's title in the shop's admin.
    pub title: String,
    /// What it grants.
    pub value: Grant,
    /// The program's currency.
    pub currency: String,
    /// The lowest subtotal, minor units.
    pub min_subtotal: Option<u64>,
    /// Whether it combines with other discounts.
    pub combines: bool,
    /// First day.
    pub starts_on: String,
    /// Last day.
    pub ends_on: String,
}

impl Frozen {
    /// What a code of `reward` valid from `starts_on` to `ends_on` is on
    /// the platform, under the program in force.
    pub fn of_reward(
        program: &Program,
        reward: &super::program::Reward,
        starts_on: &str,
        ends_on: &str,
    ) -> Result<Frozen> {
        let shop = program.language(None);
        Ok(Frozen {
            title: format!("{}: {}", program.name.get(&shop), reward.title.get(&shop)),
            value: reward.value.clone().ok_or_else(|| {
                refused(ErrorCode::NotAvailable, "this reward has no value to grant")
            })?,
            currency: program.currency.clone(),
            min_subtotal: reward.min_subtotal,
            combines: reward.combines,
            starts_on: starts_on.to_owned(),
            ends_on: ends_on.to_owned(),
        })
    }
}

/// A redemption state's stored name (`pending`).
pub fn state_name(state: RedemptionState) -> &'static str {
    match state {
        RedemptionState::Pending => "pending",
        RedemptionState::Active | RedemptionState::Other => "active",
        RedemptionState::Used => "used",
        RedemptionState::Expired => "expired",
        RedemptionState::Released => "released",
    }
}

/// The state of a stored name.
pub fn state_of(name: &str) -> RedemptionState {
    match name {
        "pending" => RedemptionState::Pending,
        "used" => RedemptionState::Used,
        "expired" => RedemptionState::Expired,
        "released" => RedemptionState::Released,
        _ => RedemptionState::Active,
    }
}

/// The points of a customer on `today`, as the contract shows them.
pub async fn points_now(db: &mut Db<'_>, id: &str, today: i64) -> Result<Points> {
    let snapshot = refresh(db, id, today).await?;
    Ok(points_of(&snapshot.balance(today, EXPIRING_WINDOW_DAYS)))
}

/// Appends `entry` and answers the balance after it.
pub async fn append_for_points(
    db: &mut Db<'_>,
    program: &Program,
    entry: &NewEntry<'_>,
    today: i64,
) -> Result<(i64, Points)> {
    let (id, snapshot) = append_folded(db, program, entry, today).await?;
    Ok((
        id,
        points_of(&snapshot.balance(today, EXPIRING_WINDOW_DAYS)),
    ))
}

/// Letters and digits a customer cannot mistake for one another (no 0/O,
/// 1/I/L): 31 symbols.
const CODE_SYMBOLS: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A coupon code from the operating system's random source: `MR-` and ten
/// symbols (about 49 bits), in two groups of five. Nothing about it follows
/// from the secret, the customer or the redemption.
pub(crate) fn coupon_code() -> Result<String> {
    let mut code = String::from("MR-");
    let mut drawn = 0;
    while drawn < 10 {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|err| Error::Random(err.to_string()))?;
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
pub(crate) async fn welcome(
    db: &mut Db<'_>,
    customer_id: &str,
    program: &Program,
    today: i64,
) -> Result<u64> {
    let had = q::has_entry(db, customer_id, Kind::Welcome.name()).await?;
    let points = program.welcome.points;
    if had || points == 0 {
        return Ok(0);
    }
    let entry = NewEntry::now(
        customer_id,
        Kind::Welcome,
        signed(points),
        today,
        ("Welcome to the club", "Willkommen im Club"),
    );
    append(db, program, &entry, today).await?;
    Ok(points)
}

/// Joins the club inside the idempotency transaction. Joining twice (with a
/// new key) is harmless and credits no second bonus.
pub async fn join(
    db: &mut Db<'_>,
    customer_id: &str,
    consent: bool,
    program: &Program,
    today: i64,
) -> Result<Membership> {
    if !consent {
        return Err(bad(
            "joining the club needs the customer's explicit consent",
        ));
    }
    let row = customer_row(db, customer_id).await?;
    if row.club_member != 0 {
        return Ok(Membership {
            club: club_of(&row),
            bonus_points: 0,
        });
    }
    let day = ledger::format_date(today);
    q::join_club(db, customer_id, &day).await?;
    let bonus = welcome(db, customer_id, program, today).await?;
    Ok(Membership {
        club: Club {
            member: true,
            joined_at: Some(day),
        },
        bonus_points: bonus,
    })
}

/// Checks every stored snapshot against a fold over the customer's whole
/// ledger on `today` (`check-db`): returns how many customers were checked
/// and what disagrees.
pub async fn audit(db: &mut Db<'_>, today: i64) -> Result<(usize, Vec<String>)> {
    let ids = q::customer_ids(db).await?;
    let mut problems = Vec::new();
    for id in &ids {
        let row = q::snapshot(db, id).await?;
        let Some(text) = row.snapshot else {
            // None stored yet: folded from the ledger when first needed.
            continue;
        };
        let Ok(stored) = serde_json::from_str::<Snapshot>(&text) else {
            problems.push(format!("{id}: the stored snapshot does not read"));
            continue;
        };
        let all = entries_after(db, id, 0).await?;
        let newest = all.last().map_or(0, |entry| entry.id);
        if stored.last_id != newest {
            problems.push(format!(
                "{id}: the snapshot ends at entry {}, the ledger at {newest}",
                stored.last_id
            ));
            continue;
        }
        let day = today.max(stored.day);
        let whole = ledger::balance(&all, day, EXPIRING_WINDOW_DAYS);
        if stored.balance(day, EXPIRING_WINDOW_DAYS) != whole {
            problems.push(format!(
                "{id}: the snapshot's balance differs from the ledger's"
            ));
        }
    }
    Ok((ids.len(), problems))
}
