//! What a visitor without a customer token sees.

use super::earn::Earn;
use super::erased;
use super::i18n::I18n;
use super::task::Task;
use crate::edge::client::Client;
use crate::edge::{console, events};
use leptos::prelude::*;
use loyalty_core::config::with_query_param;
use loyalty_core::contract::ReferralInvite;
use loyalty_core::events::{Event, Ready};
use loyalty_core::i18n::Key;

/// The program's pitch and ways to earn (public data), and the shop's join
/// and sign-in links where configured.
#[component]
pub fn Guest(
    /// A client without a customer, for the public program.
    client: Client,
    /// The shop's join page.
    join_url: Option<String>,
    /// The shop's sign-in page.
    signin_url: Option<String>,
    /// The referral code the guest arrived with, if any.
    referral_code: Option<String>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let program = RwSignal::new(None);
    // A guest who came through a friend's link sees what the friend's
    // invitation brings, and the sign-up link carries the code on.
    let invite = RwSignal::new(None::<ReferralInvite>);
    if let Some(code) = referral_code.clone() {
        let client = client.clone();
        Task::new().start(
            async move { client.referral_invite(&code).await },
            move |result| match result {
                Ok(found) => invite.set(Some(found)),
                Err(error) => console::warn(&format!("the referral code was not found: {error}")),
            },
        );
    }
    let join_url = join_url.map(|href| match &referral_code {
        Some(code) => with_query_param(&href, "ref", code),
        None => href,
    });
    // The guest view is complete once the program is known (or failed,
    // which leaves the pitch and links).
    Task::new().start(async move { client.program().await }, move |result| {
        program.set(Some(result));
        events::emit(&Event::Ready(Ready {
            customer: false,
            points: None,
            stale: None,
        }));
    });
    view! {
        <div class="lw-card lw-guest">
            {move || invite.get().map(|invite| {
                let from = match &invite.referrer_first_name {
                    Some(name) => i18n.fill(Key::InvitedBy, &[("name", name), ("club", &invite.program_name)]),
                    None => i18n.fill(Key::Invited, &[("club", &invite.program_name)]),
                };
                erased(view! {
                    <div class="lw-invite" role="status" data-testid="invite">
                        <p class="lw-invite-from">{from}</p>
                        <p class="lw-invite-gift">{i18n.fill(Key::InviteGift, &[("gift", &invite.friend_gift)])}</p>
                    </div>
                })
            })}
            {move || program.get().and_then(Result::ok).map(|program| erased(view! {
                <p class="lw-program-name">{program.name.clone()}</p>
                {(!program.pitch.is_empty()).then(|| view! { <p class="lw-pitch">{program.pitch.clone()}</p> })}
            }))}
            <p class="lw-pitch">{i18n.t(Key::GuestPitch)}</p>
            <p class="lw-actions">
                {join_url.map(|href| view! { <a class="lw-button" href=href>{i18n.t(Key::Join)}</a> })}
                {signin_url.map(|href| view! { <a class="lw-link" href=href>{i18n.t(Key::SignIn)}</a> })}
            </p>
        </div>
        {move || program.get().and_then(Result::ok).map(|program| erased(view! { <Earn rules=program.earning/> }))}
    }
}
