//! A button that copies a text and confirms it visibly and to screen readers.

use super::announce::Announcer;
use super::i18n::{I18n, Say};
use super::task::Task;
use crate::edge::dom::{el, El};
use crate::edge::{clipboard, console, events};
use leptos::prelude::*;
use loyalty_core::events::{Copied, CopiedDetail, Event};
use loyalty_core::i18n::Key;

/// Appends to `row` a button that copies `text`, named `label` for screen
/// readers (e.g. "Copy code ANNA10"); it shows "Copied" for a few seconds,
/// or explains a failure next to it. `what` names what is copied for the
/// shop's `copied` event: `"referral-link"`, `"referral-code"`, `"coupon"`
/// or `"offer-code"`.
pub fn copy_button(row: El, text: String, label: &str, what: Copied) -> El {
    let i18n = expect_context::<I18n>();
    let announcer = expect_context::<Announcer>();
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
    row.child(
        el("button", "lw-button lw-button--quiet")
            .attr("type", "button")
            .attr("aria-label", label)
            .on("click", move |_| copy(text.clone()))
            .text_with(move || i18n.t(if copied.get() { Key::Copied } else { Key::Copy })),
    )
    .part(move || {
        failed
            .get()
            .then(|| el("span", "lw-hint").say(i18n, Key::CopyFailed))
            .into_iter()
            .collect()
    })
}
