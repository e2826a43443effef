//! A button that copies a text and confirms it visibly and to screen readers.

use super::announce::Announcer;
use super::erased;
use super::i18n::I18n;
use super::task::Task;
use crate::edge::{clipboard, console, events};
use leptos::prelude::*;
use loyalty_core::events::{Copied, CopiedDetail, Event};
use loyalty_core::i18n::Key;

/// Copies `text`; shows "Copied" for a few seconds, or explains a failure.
#[component]
pub fn CopyButton(
    /// What to copy.
    #[prop(into)]
    text: String,
    /// The accessible name of the button, e.g. "Copy code ANNA10".
    #[prop(into)]
    label: String,
    /// What is copied, for the shop's `copied` event: `"referral-link"`,
    /// `"referral-code"`, `"coupon"` or `"offer-code"`.
    what: Copied,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let announcer = expect_context::<Announcer>();
    // Two flags rather than one `Option<bool>`: `RwSignal<bool>` is a type
    // the widget has anyway, and each new signal type costs WebAssembly.
    let (copied, failed) = (RwSignal::new(false), RwSignal::new(false));
    let task = Task::new();
    let copy = move |text: String| {
        let work = async move {
            let result = clipboard::copy(&text).await;
            if let Err(err) = &result {
                console::warn(&format!("copying failed: {err}"));
            }
            result.is_ok()
        };
        task.start(work, move |ok| {
            copied.set(ok);
            failed.set(!ok);
            if ok {
                events::emit(&Event::Copied(CopiedDetail { what }));
            }
            announcer.say(i18n.t(if ok { Key::Copied } else { Key::CopyFailed }));
            set_timeout(
                move || {
                    copied.set(false);
                    failed.set(false);
                },
                std::time::Duration::from_millis(2_500),
            );
        });
    };
    view! {
        <button
            type="button"
            class="lw-button lw-button--quiet"
            aria-label=label
            on:click=move |_| {
                copy(text.clone());
            }
        >
            {move || i18n.t(if copied.get() { Key::Copied } else { Key::Copy })}
        </button>
        {move || {
            failed.get().then(|| erased(view! { <span class="lw-hint">{i18n.t(Key::CopyFailed)}</span> }))
        }}
    }
}
