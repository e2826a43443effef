//! Loading and error states.

use super::i18n::{I18n, Say};
use crate::edge::client::ApiError;
use crate::edge::dom::{el, El};
use leptos::prelude::*;
use loyalty_core::i18n::Key;

/// A skeleton that reserves the card's space while data loads, so the shop
/// page does not jump when it arrives.
pub fn loading() -> El {
    let i18n = expect_context::<I18n>();
    el("div", "lw-card lw-skeleton")
        .attr("role", "status")
        .attr("aria-busy", "true")
        .child(el("span", "lw-sr-only").say(i18n, Key::Loading))
        .child(el("span", "lw-skeleton-line lw-skeleton-line--wide").attr("aria-hidden", "true"))
        .child(el("span", "lw-skeleton-line").attr("aria-hidden", "true"))
}

/// A failed load (`error`), explained in the customer's language, with a
/// retry button that calls `on_retry`.
pub fn error_notice(error: &ApiError, on_retry: impl Fn() + 'static) -> El {
    let i18n = expect_context::<I18n>();
    el("div", "lw-card lw-error")
        .attr("role", "alert")
        .child(el("p", "lw-error-text").say(i18n, error.message_key()))
        .child(
            el("button", "lw-button")
                .attr("type", "button")
                .on("click", move |_| on_retry())
                .say(i18n, Key::Retry),
        )
}
