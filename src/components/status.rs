//! Loading and error states.

use super::i18n::I18n;
use crate::edge::client::ApiError;
use leptos::prelude::*;
use loyalty_core::i18n::Key;

/// A skeleton that reserves the card's space while data loads, so the shop
/// page does not jump when it arrives.
#[component]
pub fn Loading() -> impl IntoView {
    let i18n = expect_context::<I18n>();
    view! {
        <div class="lw-card lw-skeleton" role="status" aria-busy="true">
            <span class="lw-sr-only">{i18n.t(Key::Loading)}</span>
            // Values in braces: an element with only literal attributes
            // becomes Leptos' "inert HTML", written through innerHTML, which
            // a shop that requires Trusted Types refuses (e2e/embed.test.mjs).
            <span class="lw-skeleton-line lw-skeleton-line--wide" aria-hidden={"true"}></span>
            <span class="lw-skeleton-line" aria-hidden={"true"}></span>
        </div>
    }
}

/// A failed load, explained in the customer's language, with a retry button.
#[component]
pub fn ErrorNotice(
    /// What went wrong.
    error: ApiError,
    /// Called when the customer asks to try again.
    on_retry: impl Fn() + 'static,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    view! {
        <div class="lw-card lw-error" role="alert">
            <p class="lw-error-text">{i18n.t(error.message_key())}</p>
            <button type="button" class="lw-button" on:click=move |_| on_retry()>
                {i18n.t(Key::Retry)}
            </button>
        </div>
    }
}
