//! What a visitor without a customer token sees.

use super::earn::Earn;
use super::erased;
use super::i18n::I18n;
use super::task::Task;
use crate::edge::client::Client;
use crate::edge::events;
use leptos::prelude::*;
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
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let program = RwSignal::new(None);
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
