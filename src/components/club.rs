//! The members' club: membership, joining with consent, and offers.

use super::announce::Announcer;
use super::copy_button::copy_button;
use super::i18n::{I18n, Say};
use super::task::Task;
use super::{loaded, Load};
use crate::edge::client::{new_idempotency_key, Client};
use crate::edge::console;
use crate::edge::dom::{el, is_checked, El};
use leptos::prelude::*;
use loyalty_core::contract::{
    Club as ClubState, LockReason, Membership, Offer, Offers, Program, Summary, Tier,
};
use loyalty_core::events::Copied;
use loyalty_core::i18n::Key;
use loyalty_core::url::safe_link;

/// The club section: membership and offers, each following its own data so
/// that offers arriving or a revalidated summary never reset a half-filled
/// join form.
///
/// - `member`: whether the customer is a member (the membership part is
///   redrawn only when this changes);
/// - `summary`: the customer's summary, for the club state;
/// - `offers`: the offers as loaded, `None` while they load; an error shows
///   as no offers (it is logged, and the dashboard offers a retry);
/// - `program`: the program as loaded, for naming tier locks;
/// - `client`: the client to join with;
/// - `on_joined`: called after joining.
pub fn club(
    member: Memo<bool>,
    summary: RwSignal<Option<Summary>>,
    offers: Load<Offers>,
    program: Load<Program>,
    client: Client,
    on_joined: Callback<Membership>,
) -> El {
    let i18n = expect_context::<I18n>();
    let list = el("ul", "lw-list")
        .attr("data-testid", "offers")
        .part(move || {
            let tiers = loaded(program, |program| program.tiers.clone()).unwrap_or_default();
            loaded(offers, |list| {
                list.offers
                    .iter()
                    .map(|offer| offer_item(offer, &tiers))
                    .collect()
            })
            .unwrap_or_default()
        });
    el("section", "lw-section")
        .attr("aria-labelledby", "lw-club-title")
        .child(
            el("h3", "lw-heading")
                .attr("id", "lw-club-title")
                .say(i18n, Key::ClubTitle),
        )
        .part(move || {
            // Read (not just tracked) so the memo is computed and follows
            // the summary: this part redraws when membership changes.
            let _ = member.get();
            let club = summary.with_untracked(|s| s.as_ref().map(|s| s.club.clone()));
            vec![membership(
                &club.unwrap_or_default(),
                client.clone(),
                on_joined,
            )]
        })
        .child(el("h4", "lw-subheading").say(i18n, Key::OffersTitle))
        .child(list)
        .part(move || {
            let empty = offers.with(|loaded| match loaded {
                Some(Ok(list)) => list.offers.is_empty(),
                Some(Err(_)) => true,
                None => false,
            });
            empty
                .then(|| {
                    el("p", "lw-muted")
                        .attr("data-testid", "offers-empty")
                        .say(i18n, Key::OffersEmpty)
                })
                .into_iter()
                .collect()
        })
}

/// Membership state, or the join form (an explicit consent checkbox, never
/// pre-ticked) for non-members.
fn membership(club: &ClubState, client: Client, on_joined: Callback<Membership>) -> El {
    let i18n = expect_context::<I18n>();
    let announcer = expect_context::<Announcer>();
    let consent = RwSignal::new(false);
    let missing_consent = RwSignal::new(false);
    let key = StoredValue::new(new_idempotency_key());
    let join = Task::new();
    let failed = RwSignal::new(false);
    let start_join = move || {
        let (client, key) = (client.clone(), key.get_value());
        join.start(
            async move { client.join(true, &key).await },
            move |result| match result {
                Ok(membership) => {
                    failed.set(false);
                    let bonus = i18n.points(membership.bonus_points);
                    announcer.say(i18n.fill(Key::ClubJoined, &[("points", &bonus)]));
                    on_joined.run(membership);
                }
                Err(error) => {
                    console::warn(&format!("joining failed: {error}"));
                    failed.set(true);
                    announcer.say(i18n.t(Key::ClubJoinFailed));
                }
            },
        );
    };
    if club.member {
        let since = club
            .joined_at
            .as_deref()
            .map(|d| i18n.date(d))
            .unwrap_or_default();
        return el("p", "")
            .attr("data-testid", "club-state")
            .text(&i18n.fill(Key::ClubMember, &[("date", &since)]));
    }
    let consent_box = el("input", "")
        .attr("type", "checkbox")
        .attr("aria-describedby", "lw-consent-error")
        .on("change", move |ev| {
            consent.set(is_checked(&ev));
            missing_consent.set(false);
        });
    el("form", "lw-join")
        .attr("data-testid", "club-join")
        .on("submit", move |ev| {
            ev.prevent_default();
            if !consent.get_untracked() {
                missing_consent.set(true);
                return;
            }
            start_join();
        })
        .child(el("p", "lw-pitch").say(i18n, Key::ClubPitch))
        .child(
            el("label", "lw-check")
                .child(consent_box)
                .child(el("span", "lw-check-text").say(i18n, Key::ClubConsent)),
        )
        .child(
            el("p", "lw-error-text")
                .attr("id", "lw-consent-error")
                .attr("role", "alert")
                .text_with(move || {
                    if missing_consent.get() {
                        i18n.t(Key::ClubConsentNeeded)
                    } else {
                        String::new()
                    }
                })
                .text_with(move || {
                    if failed.get() {
                        i18n.t(Key::ClubJoinFailed)
                    } else {
                        String::new()
                    }
                }),
        )
        .child(
            el("button", "lw-button")
                .attr("type", "submit")
                .attr_with("aria-disabled", move || Some(join.pending().to_string()))
                .text_with(move || {
                    i18n.t(if join.pending() {
                        Key::ClubJoining
                    } else {
                        Key::ClubJoin
                    })
                }),
        )
}

/// One offer: open (with its code or link) or locked with the reason.
fn offer_item(offer: &Offer, tiers: &[Tier]) -> El {
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
    let muted = |text: &str| el("p", "lw-muted").text(text);
    el(
        "li",
        if is_locked {
            "lw-offer lw-offer--locked"
        } else {
            "lw-offer"
        },
    )
    .attr("data-testid", "offer")
    .attr("data-offer", &offer.id)
    .child(el("strong", "lw-offer-title").text(&offer.title))
    .maybe((!offer.description.is_empty()).then(|| muted(&offer.description)))
    .maybe(until.map(|text| muted(&text)))
    .maybe(locked.map(|text| el("p", "lw-lock").text(&text)))
    .maybe(code.map(|code| {
        let row = el("p", "lw-row").child(el("code", "lw-code lw-grow").text(&code));
        let label = i18n.fill(Key::CopyCode, &[("code", &code)]);
        copy_button(row, code, &label, Copied::OfferCode)
    }))
    .maybe(link.map(|href| {
        el("a", "lw-link")
            .attr("href", &href)
            .attr("target", "_blank")
            .attr("rel", "noopener noreferrer")
            .say(i18n, Key::OfferOpen)
    }))
}
