//! The rewards catalog and the redeem flow: confirm, pending, coupon.

use super::announce::Announcer;
use super::copy_button::CopyButton;
use super::erased;
use super::i18n::I18n;
use super::task::Task;
use crate::edge::client::{new_idempotency_key, ApiError, Client};
use crate::edge::events;
use crate::edge::{cache, console};
use leptos::html;
use leptos::prelude::*;
use loyalty_core::contract::{ErrorCode, Redemption, Reward, Summary, Tier};
use loyalty_core::events::{Copied, Event, Redeemed};
use loyalty_core::i18n::Key;
use loyalty_core::progress::{reward_lock, RewardLock};

/// The catalog: what each reward costs, whether the customer can have it,
/// and a redeem button for those they can.
#[component]
pub fn Rewards(
    /// The rewards catalog.
    rewards: Vec<Reward>,
    /// The program's tiers (for tier-gated rewards).
    tiers: Vec<Tier>,
    /// The customer's summary: spendable points and tier.
    summary: RwSignal<Option<Summary>>,
    /// The client to redeem with.
    client: Client,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let empty = rewards.is_empty();
    let items = rewards
        .into_iter()
        .map(|reward| {
            view! {
                <RewardItem
                    reward=reward
                    tiers=tiers.clone()
                    summary=summary
                    client=client.clone()
                />
            }
        })
        .collect_view();
    view! {
        <section class="lw-section" aria-labelledby="lw-rewards-title">
            <h3 class="lw-heading" id="lw-rewards-title">{i18n.t(Key::RewardsTitle)}</h3>
            <ul class="lw-list" role="list" data-testid="rewards">{items}</ul>
            {empty.then(|| view! { <p class="lw-muted">{i18n.t(Key::RewardsEmpty)}</p> })}
        </section>
    }
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
            s.set_points(redemption.points.clone());
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
    /// Sent, but no answer says whether it was applied: remembered for the
    /// visit and asked again with the same key until the endpoint answers.
    Unconfirmed,
}

/// Waits before asking again about an unconfirmed redemption, by attempt;
/// after the last, a reload or coming back online asks again.
const SETTLE_DELAYS_MS: [u32; 5] = [2_000, 5_000, 15_000, 30_000, 60_000];

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
#[component]
fn RewardItem(
    reward: Reward,
    tiers: Vec<Tier>,
    summary: RwSignal<Option<Summary>>,
    client: Client,
) -> impl IntoView {
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
    let confirm_ref = NodeRef::<html::Button>::new();
    let redeem_ref = NodeRef::<html::Button>::new();
    let redeem = Task::new();
    let title = reward.title.clone();
    let pending_key = StoredValue::new(client.pending_key(&reward.id));
    let settle_attempts = StoredValue::new(0usize);
    // Asks the endpoint again, with the remembered key, about a redemption
    // whose outcome is unknown; set below, once `done` exists.
    let settle: StoredValue<Option<Callback<()>>> = StoredValue::new(None);
    let done = move |result: Result<Redemption, ApiError>| match result {
        Ok(redemption) => {
            key.set_value(String::new());
            pending_key.with_value(|pending| cache::remove(pending));
            announcer.say(i18n.fill(Key::RedeemDone, &[("reward", &title)]));
            redeemed(summary, &redemption);
            step.set(Step::Done(redemption));
        }
        Err(error) if error.outcome_unknown() => {
            // The endpoint may have taken the points: never say it did not.
            // Remember the key for the visit and ask again with it; the
            // endpoint replays its first answer.
            console::warn(&format!("redeem not confirmed yet: {error}"));
            pending_key.with_value(|pending| key.with_value(|key| cache::remember(pending, key)));
            if step.with_untracked(|s| *s != Step::Unconfirmed) {
                announcer.say(i18n.t(Key::RedeemUnconfirmed));
            }
            step.set(Step::Unconfirmed);
            let attempt = settle_attempts.get_value();
            if let Some(delay) = SETTLE_DELAYS_MS.get(attempt) {
                settle_attempts.set_value(attempt + 1);
                set_timeout(
                    move || {
                        if let Some(again) = settle.get_value() {
                            again.run(());
                        }
                    },
                    std::time::Duration::from_millis((*delay).into()),
                );
            }
        }
        Err(error) => {
            console::warn(&format!("redeem failed: {error}"));
            // A refusal is final for this key; a rate limit keeps the key so
            // trying again cannot redeem twice.
            if !matches!(error, ApiError::Status { status: 429, .. }) {
                key.set_value(String::new());
                pending_key.with_value(|pending| cache::remove(pending));
            }
            let text = failure_text(&error);
            announcer.say(i18n.t(text));
            step.set(Step::Failed(text));
        }
    };
    Effect::new(move |_| {
        if step.with(|s| *s == Step::Confirming) {
            if let Some(button) = confirm_ref.get() {
                let _ = button.focus();
            }
        }
    });
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
    let start = move |_| {
        if key.with_value(String::is_empty) {
            key.set_value(new_idempotency_key());
        }
        step.set(Step::Confirming);
    };
    let send = {
        let done = done.clone();
        move || {
            let (client, id, key) = (client.clone(), reward_id.clone(), key.get_value());
            redeem.start(async move { client.redeem(&id, &key).await }, done.clone());
        }
    };
    let again = send.clone();
    settle.set_value(Some(Callback::new(move |()| {
        if step.with_untracked(|s| *s == Step::Unconfirmed) && !redeem.is_pending() {
            again();
        }
    })));
    // A redemption left unconfirmed earlier in this visit (before a reload):
    // show that, and ask again at once.
    if let Some(remembered) = pending_key.with_value(|pending| cache::recall(pending)) {
        key.set_value(remembered);
        step.set(Step::Unconfirmed);
        send();
    }
    // Back online: ask again about an unconfirmed one.
    let online = window_event_listener(leptos::ev::online, move |_| {
        if let Some(again) = settle.get_value() {
            again.run(());
        }
    });
    on_cleanup(move || online.remove());
    let confirm = move |_| send();
    let cancel = move || {
        key.set_value(String::new());
        step.set(Step::Idle);
        if let Some(button) = redeem_ref.get() {
            let _ = button.focus();
        }
    };
    view! {
        <li class="lw-reward" data-testid="reward" data-reward=reward.id.clone()>
            <div class="lw-row">
                <span class="lw-grow">
                    <strong class="lw-reward-title">{reward.title.clone()}</strong>
                    <span class="lw-muted lw-block">{price.clone()}</span>
                </span>
                <button
                    type="button"
                    class="lw-button"
                    node_ref=redeem_ref
                    disabled={
                        let locked = locked.clone();
                        move || locked() || step.with(|s| matches!(s, Step::Done(_) | Step::Unconfirmed))
                    }
                    aria-expanded=move || step.with(|s| *s == Step::Confirming).to_string()
                    aria-describedby=lock_id.clone()
                    aria-label=i18n.fill(Key::RedeemReward, &[("reward", &reward.title)])
                    on:click=start
                >
                    {i18n.t(Key::Redeem)}
                </button>
            </div>
            // Always there, so the button's description is too: hidden (and
            // empty) while the reward is not locked.
            <p class="lw-muted lw-lock" id=lock_id hidden=move || !locked()>
                {move || lock().map(|lock| lock_text(i18n, lock)).unwrap_or_default()}
            </p>
            {move || match step.get() {
                Step::Confirming => Some(erased(view! {
                    <div
                        class="lw-confirm"
                        role="group"
                        aria-label=reward_title.clone()
                        on:keydown=move |ev| {
                            if ev.key() == "Escape" && !redeem.is_pending() {
                                ev.stop_propagation();
                                cancel();
                            }
                        }
                    >
                        <p class="lw-confirm-text">{confirm_text.clone()}</p>
                        <div class="lw-actions">
                            <button
                                type="button"
                                class="lw-button"
                                node_ref=confirm_ref
                                aria-disabled=move || redeem.pending().to_string()
                                on:click=confirm.clone()
                            >
                                {move || if redeem.pending() {
                                    i18n.t(Key::RedeemPending)
                                } else {
                                    i18n.t(Key::RedeemYes)
                                }}
                            </button>
                            <button type="button" class="lw-button lw-button--quiet" on:click=move |_| cancel()>
                                {i18n.t(Key::Cancel)}
                            </button>
                        </div>
                    </div>
                })),
                Step::Done(redemption) => {
                    let code = redemption.coupon.code.clone();
                    let expires = redemption
                        .coupon
                        .expires_at
                        .as_deref()
                        .map(|date| i18n.fill(Key::CouponExpires, &[("date", &i18n.date(date))]));
                    Some(erased(view! {
                        <div class="lw-coupon" data-testid="coupon">
                            <p class="lw-coupon-text">{i18n.fill(Key::RedeemDone, &[("reward", &reward_title)])}</p>
                            <p class="lw-row">
                                <code class="lw-code lw-grow">{code.clone()}</code>
                                <CopyButton text=code.clone() label=i18n.fill(Key::CopyCode, &[("code", &code)]) what=Copied::Coupon/>
                            </p>
                            {expires.map(|text| view! { <p class="lw-muted">{text}</p> })}
                        </div>
                    }))
                }
                Step::Failed(text) => Some(erased(view! {
                    <p class="lw-error-text" role="alert">{i18n.t(text)}</p>
                })),
                Step::Unconfirmed => Some(erased(view! {
                    <p class="lw-error-text" role="status" data-testid="unconfirmed">{i18n.t(Key::RedeemUnconfirmed)}</p>
                })),
                Step::Idle => None,
            }}
        </li>
    }
}
