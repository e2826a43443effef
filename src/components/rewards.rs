//! The rewards catalog and the redeem flow: confirm, then the code (with
//! "Apply to cart"), "being issued", "not issued, points back", or "not
//! confirmed yet" until the endpoint or the list of redemptions tells.

use super::announce::Announcer;
use super::coupon::CouponCode;
use super::i18n::I18n;
use super::task::Task;
use super::{erased, Part};
use crate::edge::client::{new_idempotency_key, ApiError, Client};
use crate::edge::events;
use crate::edge::{cache, console};
use leptos::html;
use leptos::prelude::*;
use loyalty_core::contract::{ErrorCode, Redemption, RedemptionState, Reward, Summary, Tier};
use loyalty_core::events::{Event, Redeemed};
use loyalty_core::i18n::Key;
use loyalty_core::progress::{reward_lock, RewardLock};
use loyalty_core::redemptions::{find, Outcome};

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
    /// Called when a redeem has an outcome (the customer's list of
    /// redemptions changed).
    on_settled: Callback<()>,
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
                    on_settled=on_settled
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

/// After a code is issued, the shop hears of it (`redeemed`, with the
/// balance left).
fn redeemed(reward: &str, outcome: &Outcome, points: u64) {
    if let Outcome::Issued(coupon) = outcome {
        events::emit(&Event::Redeemed(Redeemed {
            reward: reward.to_owned(),
            code: coupon.code.clone(),
            points,
        }));
    }
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

/// A message of the redeem flow: one paragraph with its class, role (`alert`
/// or `status`), test id and text.
fn message(class: &'static str, role: &'static str, id: &'static str, text: String) -> Part {
    Some(erased(view! {
        <p class=class role=role data-testid=id>{text}</p>
    }))
}

/// Where one reward's redeem flow stands.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Idle,
    Confirming,
    /// The endpoint (or the list of redemptions) told how it ended.
    Done(Outcome),
    Failed(Key),
    /// Sent, but no answer says whether it was applied: remembered for the
    /// visit; the list of redemptions is asked for the key, and the redeem
    /// again with the same key, until one of them answers.
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
    on_settled: Callback<()>,
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
    let (redeem, lookup, balance) = (Task::new(), Task::new(), Task::new());
    let title = reward.title.clone();
    let pending_key = StoredValue::new(client.pending_key(&reward.id));
    let settle_attempts = StoredValue::new(0usize);
    // Asks the endpoint again, with the remembered key, about a redemption
    // whose outcome is unknown; set below, once `done` exists.
    let settle: StoredValue<Option<Callback<()>>> = StoredValue::new(None);
    // The outcome is known: the key is spent, the customer hears it, the
    // list of redemptions is out of date.
    let settled = {
        let title = title.clone();
        move |outcome: Outcome| {
            key.set_value(String::new());
            pending_key.with_value(|pending| cache::remove(pending));
            announcer.say(match outcome {
                Outcome::Issued(_) => i18n.fill(Key::RedeemDone, &[("reward", &title)]),
                Outcome::Issuing => i18n.t(Key::RedeemIssuing),
                Outcome::NotIssued => i18n.t(Key::RedeemNotIssued),
            });
            step.set(Step::Done(outcome));
            on_settled.run(());
        }
    };
    // The balance from the endpoint, for outcomes whose answer did not
    // carry it (points given back, or an outcome read from the list).
    let refresh = {
        let (client, reward_id) = (client.clone(), reward.id.clone());
        move |outcome: Outcome| {
            let (client, reward_id) = (client.clone(), reward_id.clone());
            balance.start(
                async move { client.fresh_summary().await },
                move |result| match result {
                    Ok(fresh) => {
                        redeemed(&reward_id, &outcome, fresh.points.approved);
                        summary.set(Some(fresh));
                    }
                    Err(error) => console::warn(&format!("reloading the balance failed: {error}")),
                },
            );
        }
    };
    // Asks the list of redemptions again later, and the redeem itself.
    let retry_later = move || {
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
    };
    // The redeem route did not answer: the list of redemptions says whether
    // the endpoint applied the key, and how it ended.
    let check = {
        let (client, settled, refresh) = (client.clone(), settled.clone(), refresh.clone());
        move || {
            let (client, sent) = (client.clone(), key.get_value());
            let (settled, refresh) = (settled.clone(), refresh.clone());
            lookup.start(
                async move { client.redemptions(1).await },
                move |result| match result.map(|page| find(&page, &sent)) {
                    Ok(Some(outcome)) => {
                        if outcome == Outcome::NotIssued {
                            console::warn("redeem not issued: the shop's platform refused the code; the points are back");
                        }
                        settled(outcome.clone());
                        refresh(outcome);
                    }
                    Ok(None) => {
                        // It never reached the endpoint. The key stays for
                        // the next try (should it arrive late, it applies
                        // once), but a reload does not send it by itself.
                        console::warn("redeem not applied: the rewards service never received it");
                        pending_key.with_value(|pending| cache::remove(pending));
                        announcer.say(i18n.t(Key::RedeemFailed));
                        step.set(Step::Failed(Key::RedeemFailed));
                    }
                    Err(_) => retry_later(),
                },
            );
        }
    };
    let done = move |result: Result<Redemption, ApiError>| match result {
        Ok(redemption) => {
            let points = redemption.points.approved;
            summary.update(|s| {
                if let Some(s) = s {
                    s.set_points(redemption.points);
                }
            });
            let outcome = Outcome::of(redemption.state, redemption.coupon);
            redeemed(&redemption.reward_id, &outcome, points);
            settled(outcome);
        }
        Err(error) if error.outcome_unknown() => {
            // The endpoint may have taken the points: never say it did not.
            // Remember the key for the visit, and find out with it.
            console::warn(&format!("redeem not confirmed yet: {error}"));
            pending_key.with_value(|pending| key.with_value(|key| cache::remember(pending, key)));
            if step.with_untracked(|s| *s != Step::Unconfirmed) {
                announcer.say(i18n.t(Key::RedeemUnconfirmed));
            }
            step.set(Step::Unconfirmed);
            check();
        }
        Err(ApiError::Status {
            code: Some(ErrorCode::RewardNotIssued),
            ..
        }) => {
            console::warn(
                "redeem not issued: the shop's platform refused the code; the points are back",
            );
            settled(Outcome::NotIssued);
            refresh(Outcome::NotIssued);
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
        if step.with_untracked(|s| *s == Step::Unconfirmed)
            && !redeem.is_pending()
            && !lookup.is_pending()
        {
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
                        move || locked() || step.with(|s| matches!(s, Step::Done(Outcome::Issued(_) | Outcome::Issuing) | Step::Unconfirmed))
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
                Step::Done(Outcome::Issued(coupon)) => Some(erased(view! {
                    <div class="lw-coupon" data-testid="coupon">
                        <p class="lw-coupon-text">{i18n.fill(Key::RedeemDone, &[("reward", &reward_title)])}</p>
                        <CouponCode coupon=coupon state=RedemptionState::Active/>
                    </div>
                })),
                // One message view for the other steps (each distinct
                // view costs WebAssembly): class, role, test id and text.
                Step::Done(Outcome::Issuing) => {
                    message("lw-coupon", "status", "issuing", i18n.t(Key::RedeemIssuing))
                }
                Step::Done(Outcome::NotIssued) => message(
                    "lw-error-text",
                    "alert",
                    "not-issued",
                    i18n.t(Key::RedeemNotIssued),
                ),
                Step::Failed(text) => message("lw-error-text", "alert", "failed", i18n.t(text)),
                Step::Unconfirmed => message(
                    "lw-error-text",
                    "status",
                    "unconfirmed",
                    i18n.t(Key::RedeemUnconfirmed),
                ),
                Step::Idle => None,
            }}
        </li>
    }
}
