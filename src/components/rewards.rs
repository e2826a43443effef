//! The rewards catalog and the redeem flow: confirm, pending, coupon.

use super::announce::Announcer;
use super::copy_button::copy_button;
use super::i18n::{I18n, Say};
use super::task::Task;
use crate::edge::client::{new_idempotency_key, ApiError, Client};
use crate::edge::console;
use crate::edge::dom::{self, el, siblings, El};
use crate::edge::events;
use leptos::prelude::*;
use loyalty_core::contract::{ErrorCode, Redemption, Reward, Summary, Tier};
use loyalty_core::events::{Copied, Event, Redeemed};
use loyalty_core::i18n::Key;
use loyalty_core::progress::{reward_lock, RewardLock};

/// The catalog (`rewards`): what each reward costs, whether the customer
/// can have it (from the `summary`: spendable points and tier, and the
/// program's `tiers`), and a redeem button, using `client`, for those they
/// can.
pub fn rewards(
    rewards: &[Reward],
    tiers: &[Tier],
    summary: RwSignal<Option<Summary>>,
    client: &Client,
) -> El {
    let i18n = expect_context::<I18n>();
    let items = rewards
        .iter()
        .map(|reward| reward_item(reward.clone(), tiers.to_vec(), summary, client.clone()))
        .collect();
    el("section", "lw-section")
        .attr("aria-labelledby", "lw-rewards-title")
        .child(
            el("h3", "lw-heading")
                .attr("id", "lw-rewards-title")
                .say(i18n, Key::RewardsTitle),
        )
        .child(
            el("ul", "lw-list")
                .attr("data-testid", "rewards")
                .children(items),
        )
        .maybe(
            rewards
                .is_empty()
                .then(|| el("p", "lw-muted").say(i18n, Key::RewardsEmpty)),
        )
}

/// After a redeem: the shop hears of it (`redeemed`), and the balance
/// shows what the endpoint says is left.
fn redeemed(summary: RwSignal<Option<Summary>>, redemption: &Redemption) {
    events::emit(&Event::Redeemed(Redeemed {
        reward: redemption.reward_id.clone(),
        code: redemption.coupon.code.clone(),
        points: redemption.points.approved,
    }));
    summary.update(|s| {
        if let Some(s) = s {
            s.points = redemption.points.clone();
        }
    });
}

/// What a locked reward says: the tier it needs, or the points missing.
fn lock_text(i18n: I18n, lock: RewardLock) -> String {
    match lock {
        RewardLock::Tier(tier) => i18n.fill(Key::RewardTierLocked, &[("tier", &tier)]),
        RewardLock::Points(missing) => {
            i18n.fill(Key::RewardMissing, &[("points", &i18n.points(missing))])
        }
    }
}

/// Where one reward's redeem flow stands.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Idle,
    Confirming,
    Done(Redemption),
    Failed(Key),
}

fn failure_text(error: &ApiError) -> Key {
    match error {
        ApiError::Status {
            code: Some(ErrorCode::InsufficientPoints),
            ..
        } => Key::RedeemFailedPoints,
        ApiError::Status {
            code: Some(ErrorCode::TierTooLow),
            ..
        } => Key::RedeemFailedTier,
        ApiError::Status {
            code: Some(ErrorCode::NotAvailable),
            ..
        } => Key::RedeemFailedGone,
        ApiError::Status {
            status: 401 | 403, ..
        } => Key::ErrorAuth,
        _ => Key::RedeemFailed,
    }
}

/// One reward with its redeem flow. The idempotency key is made when the
/// customer asks to redeem and kept until it succeeds or is cancelled, so a
/// double click or a retry after a lost answer never redeems twice.
fn reward_item(
    reward: Reward,
    tiers: Vec<Tier>,
    summary: RwSignal<Option<Summary>>,
    client: Client,
) -> El {
    let i18n = expect_context::<I18n>();
    // Why the customer cannot redeem it yet; follows the summary. Only the
    // paragraph that shows it formats it as text.
    let lock = {
        let reward = reward.clone();
        move || {
            summary.with(|s| {
                let approved = s.as_ref().map_or(0, |s| s.points.approved);
                let tier = s.as_ref().and_then(|s| s.tier.as_ref());
                reward_lock(&reward, approved, tier.map(|t| t.id.as_str()), &tiers)
            })
        }
    };
    let announcer = expect_context::<Announcer>();
    let step = RwSignal::new(Step::Idle);
    let key = StoredValue::new(String::new());
    let redeem = Task::new();
    let title = reward.title.clone();
    let done = move |result: Result<Redemption, ApiError>| match result {
        Ok(redemption) => {
            key.set_value(String::new());
            announcer.say(i18n.fill(Key::RedeemDone, &[("reward", &title)]));
            redeemed(summary, &redemption);
            step.set(Step::Done(redemption));
        }
        Err(error) => {
            console::warn(&format!("redeem failed: {error}"));
            // A refusal is final for this key; a lost answer keeps the key so
            // trying again cannot redeem twice.
            let refused = matches!(error, ApiError::Status { status, .. }
                if (400..500).contains(&status) && status != 408 && status != 429);
            if refused {
                key.set_value(String::new());
            }
            let text = failure_text(&error);
            announcer.say(i18n.t(text));
            step.set(Step::Failed(text));
        }
    };
    let price = i18n.points(reward.points_price);
    let confirm_text = i18n.fill(
        Key::RedeemConfirm,
        &[("points", &price), ("reward", &reward.title)],
    );
    let locked = {
        let lock = lock.clone();
        move || lock().is_some()
    };
    let lock_id = format!("lw-lock-{}", reward.id);
    let reward_id = reward.id.clone();
    let reward_title = reward.title.clone();
    let redeem_button = el("button", "lw-button")
        .attr("type", "button")
        .attr_with("disabled", {
            let locked = locked.clone();
            move || (locked() || step.with(|s| matches!(s, Step::Done(_)))).then(String::new)
        })
        .attr_with("aria-expanded", move || {
            Some(step.with(|s| *s == Step::Confirming).to_string())
        })
        .attr("aria-describedby", &lock_id)
        .on("click", move |_| {
            if key.with_value(String::is_empty) {
                key.set_value(new_idempotency_key());
            }
            step.set(Step::Confirming);
        })
        .say(i18n, Key::Redeem);
    let cancel = {
        let redeem_button = redeem_button.clone();
        move || {
            key.set_value(String::new());
            step.set(Step::Idle);
            redeem_button.focus();
        }
    };
    let confirm = move |_| {
        let (client, id, key) = (client.clone(), reward_id.clone(), key.get_value());
        redeem.start(async move { client.redeem(&id, &key).await }, done.clone());
    };
    let flow = move || match step.get() {
        Step::Confirming => {
            let cancel_on_escape = cancel.clone();
            let cancel = cancel.clone();
            el("div", "lw-confirm")
                .attr("role", "group")
                .attr("aria-label", &reward_title)
                .on("keydown", move |ev| {
                    if dom::key(&ev).as_deref() == Some("Escape") && !redeem.is_pending() {
                        ev.stop_propagation();
                        cancel_on_escape();
                    }
                })
                .child(el("p", "lw-confirm-text").text(&confirm_text))
                .child(
                    el("div", "lw-actions")
                        .child(
                            el("button", "lw-button")
                                .attr("type", "button")
                                .attr_with("aria-disabled", move || {
                                    Some(redeem.pending().to_string())
                                })
                                .on("click", confirm.clone())
                                .text_with(move || {
                                    i18n.t(if redeem.pending() {
                                        Key::RedeemPending
                                    } else {
                                        Key::RedeemYes
                                    })
                                })
                                .focus_when_shown(),
                        )
                        .child(
                            el("button", "lw-button lw-button--quiet")
                                .attr("type", "button")
                                .on("click", move |_| cancel())
                                .say(i18n, Key::Cancel),
                        ),
                )
        }
        Step::Done(redemption) => {
            let code = redemption.coupon.code.clone();
            let expires = redemption
                .coupon
                .expires_at
                .as_deref()
                .map(|date| i18n.fill(Key::CouponExpires, &[("date", &i18n.date(date))]));
            let label = i18n.fill(Key::CopyCode, &[("code", &code)]);
            let row = el("p", "lw-row").child(el("code", "lw-code lw-grow").text(&code));
            el("div", "lw-coupon")
                .attr("data-testid", "coupon")
                .child(
                    el("p", "lw-coupon-text")
                        .text(&i18n.fill(Key::RedeemDone, &[("reward", &reward_title)])),
                )
                .child(copy_button(row, code, &label, Copied::Coupon))
                .maybe(expires.map(|text| el("p", "lw-muted").text(&text)))
        }
        Step::Failed(text) => el("p", "lw-error-text")
            .attr("role", "alert")
            .say(i18n, text),
        // Nothing: an empty fragment.
        Step::Idle => siblings(),
    };
    el("li", "lw-reward")
        .attr("data-testid", "reward")
        .attr("data-reward", &reward.id)
        .child(
            el("div", "lw-row")
                .child(
                    el("span", "lw-grow")
                        .child(el("strong", "lw-reward-title").text(&reward.title))
                        .child(el("span", "lw-muted lw-block").text(&price)),
                )
                .child(redeem_button),
        )
        // Always there, so the button's description is too: hidden (and
        // empty) while the reward is not locked.
        .child(
            el("p", "lw-muted lw-lock")
                .attr("id", &lock_id)
                .attr_with("hidden", move || (!locked()).then(String::new))
                .text_with(move || lock().map(|lock| lock_text(i18n, lock)).unwrap_or_default()),
        )
        .part(move || vec![flow()])
}
