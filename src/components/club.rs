//! The members' club: membership, joining with consent, and offers.

use super::announce::Announcer;
use super::copy_button::CopyButton;
use super::i18n::I18n;
use super::task::Task;
use super::{erased, part};
use crate::edge::client::{new_idempotency_key, ApiError, Client};
use crate::edge::console;
use leptos::prelude::*;
use loyalty_core::contract::{
    Club as ClubState, LockReason, Membership, Offer, Offers, Program, Tier,
};
use loyalty_core::events::Copied;
use loyalty_core::i18n::Key;
use loyalty_core::url::safe_link;

/// The club section: membership and offers, each following its own data so
/// that offers arriving never reset a half-filled join form.
#[component]
pub fn Club(
    /// The customer's club state.
    club: Memo<ClubState>,
    /// The offers as loaded: `None` while they load; an error shows as no
    /// offers (it is logged, and the dashboard offers a retry).
    offers: RwSignal<Option<Result<Offers, ApiError>>>,
    /// The program as loaded, for naming tier locks.
    program: RwSignal<Option<Result<Program, ApiError>>>,
    /// The client to join with.
    client: Client,
    /// Called after joining.
    on_joined: Callback<Membership>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    view! {
        <section class="lw-section" aria-labelledby="lw-club-title">
            <h3 class="lw-heading" id="lw-club-title">{i18n.t(Key::ClubTitle)}</h3>
            {move || part(view! { <Membership club=club.get() client=client.clone() on_joined=on_joined/> })}
            <h4 class="lw-subheading">{i18n.t(Key::OffersTitle)}</h4>
            <ul class="lw-list" role="list" data-testid="offers">
                {move || {
                    let tiers = program.with(|loaded| match loaded {
                        Some(Ok(program)) => program.tiers.clone(),
                        _ => Vec::new(),
                    });
                    let list = offers.with(|loaded| match loaded {
                        Some(Ok(list)) => list.offers.clone(),
                        _ => Vec::new(),
                    });
                    part(
                        list.into_iter()
                            .map(|offer| view! { <OfferItem offer=offer tiers=tiers.clone()/> })
                            .collect_view(),
                    )
                }}
            </ul>
            {move || offers.with(|loaded| match loaded {
                Some(Ok(list)) => list.offers.is_empty(),
                Some(Err(_)) => true,
                None => false,
            }).then(|| erased(view! {
                <p class="lw-muted" data-testid="offers-empty">{i18n.t(Key::OffersEmpty)}</p>
            }))}
        </section>
    }
}

/// Membership state, or the join form (an explicit consent checkbox, never
/// pre-ticked) for non-members.
#[component]
fn Membership(club: ClubState, client: Client, on_joined: Callback<Membership>) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let announcer = expect_context::<Announcer>();
    let consent = RwSignal::new(false);
    let missing_consent = RwSignal::new(false);
    let key = StoredValue::new(new_idempotency_key());
    let join = Task::new();
    // What the last attempt left: nothing, a refusal, or an unknown outcome
    // (the endpoint may have joined; the same key asked again tells).
    let failed = RwSignal::new(None::<Key>);
    let start_join = move || {
        let (client, key) = (client.clone(), key.get_value());
        join.start(
            async move { client.join(true, &key).await },
            move |result| match result {
                Ok(membership) => {
                    failed.set(None);
                    let bonus = i18n.points(membership.bonus_points);
                    announcer.say(i18n.fill(Key::ClubJoined, &[("points", &bonus)]));
                    on_joined.run(membership);
                }
                Err(error) => {
                    console::warn(&format!("joining failed: {error}"));
                    let text = if error.outcome_unknown() {
                        Key::ClubJoinUnconfirmed
                    } else {
                        Key::ClubJoinFailed
                    };
                    failed.set(Some(text));
                    announcer.say(i18n.t(text));
                }
            },
        );
    };
    let membership = if club.member {
        let since = club
            .joined_at
            .as_deref()
            .map(|d| i18n.date(d))
            .unwrap_or_default();
        view! { <p data-testid="club-state">{i18n.fill(Key::ClubMember, &[("date", &since)])}</p> }
            .into_any()
    } else {
        view! {
            <form
                class="lw-join"
                data-testid="club-join"
                on:submit=move |ev| {
                    ev.prevent_default();
                    if !consent.get_untracked() {
                        missing_consent.set(true);
                        return;
                    }
                    start_join();
                }
            >
                <p class="lw-pitch">{i18n.t(Key::ClubPitch)}</p>
                <label class="lw-check">
                    <input
                        type="checkbox"
                        on:change:target=move |ev| {
                            consent.set(ev.target().checked());
                            missing_consent.set(false);
                        }
                        aria-describedby="lw-consent-error"
                    />
                    <span class="lw-check-text">{i18n.t(Key::ClubConsent)}</span>
                </label>
                <p class="lw-error-text" id="lw-consent-error" role="alert">
                    {move || if missing_consent.get() { i18n.t(Key::ClubConsentNeeded) } else { String::new() }}
                    {move || failed.get().map(|text| i18n.t(text)).unwrap_or_default()}
                </p>
                <button type="submit" class="lw-button" aria-disabled=move || join.pending().to_string()>
                    {move || if join.pending() { i18n.t(Key::ClubJoining) } else { i18n.t(Key::ClubJoin) }}
                </button>
            </form>
        }
        .into_any()
    };
    membership
}

/// One offer: open (with its code or link) or locked with the reason.
#[component]
fn OfferItem(offer: Offer, tiers: Vec<Tier>) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let until = offer
        .ends_at
        .as_deref()
        .map(|date| i18n.fill(Key::OfferUntil, &[("date", &i18n.date(date))]));
    let locked = offer.locked.map(|reason| match reason {
        LockReason::MembersOnly => i18n.t(Key::OfferLockedMembers).to_owned(),
        LockReason::TierTooLow => {
            let tier = offer
                .min_tier_id
                .as_deref()
                .and_then(|id| tiers.iter().find(|tier| tier.id == id))
                .map(|tier| tier.name.clone())
                .or(offer.min_tier_id.clone())
                .unwrap_or_default();
            i18n.fill(Key::OfferLockedTier, &[("tier", &tier)])
        }
        LockReason::Other => i18n.t(Key::OfferLocked).to_owned(),
    });
    let is_locked = locked.is_some();
    let code = offer.code.clone().filter(|_| !is_locked);
    let link = offer
        .cta_url
        .as_deref()
        .and_then(safe_link)
        .filter(|_| !is_locked);
    view! {
        <li class=if is_locked { "lw-offer lw-offer--locked" } else { "lw-offer" } data-testid="offer" data-offer=offer.id.clone()>
            <strong class="lw-offer-title">{offer.title.clone()}</strong>
            {(!offer.description.is_empty()).then(|| view! { <p class="lw-muted">{offer.description.clone()}</p> })}
            {until.map(|text| view! { <p class="lw-muted">{text}</p> })}
            {locked.map(|text| view! { <p class="lw-lock">{text}</p> })}
            {code.map(|code| view! {
                <p class="lw-row">
                    <code class="lw-code lw-grow" dir="ltr">{code.clone()}</code>
                    <CopyButton text=code.clone() label=i18n.fill(Key::CopyCode, &[("code", &code)]) what=Copied::OfferCode/>
                </p>
            })}
            {link.map(|href| view! {
                <a class="lw-link" href=href target="_blank" rel="noopener noreferrer">{i18n.t(Key::OfferOpen)}</a>
            })}
        </li>
    }
}
