//! What a visitor without a customer token sees.

use super::i18n::I18n;
use leptos::prelude::*;
use loyalty_core::i18n::Key;

/// The invitation to sign in or join, with the shop's links where configured.
#[component]
pub fn Guest(
    /// The shop's join page.
    join_url: Option<String>,
    /// The shop's sign-in page.
    signin_url: Option<String>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    view! {
        <div class="lw-card lw-guest">
            <p>{i18n.t(Key::GuestPitch)}</p>
            <p class="lw-actions">
                {join_url.map(|href| view! { <a class="lw-button" href=href>{i18n.t(Key::Join)}</a> })}
                {signin_url.map(|href| view! { <a class="lw-link" href=href>{i18n.t(Key::SignIn)}</a> })}
            </p>
        </div>
    }
}
