//! One polite live region per widget, so screen readers hear the results of
//! copy, redeem and join.

use crate::edge::dom::{el, El};
use leptos::prelude::*;

/// Speaks a message through the widget's live region; provided by the root.
#[derive(Debug, Clone, Copy)]
pub struct Announcer(RwSignal<String>);

impl Announcer {
    /// A new, silent announcer.
    pub fn new() -> Announcer {
        Announcer(RwSignal::new(String::new()))
    }

    /// Announces `message` (the same message twice is announced twice).
    pub fn say(self, message: impl Into<String>) {
        let message = message.into();
        self.0.set(String::new());
        request_animation_frame(move || self.0.set(message));
    }
}

impl Default for Announcer {
    fn default() -> Self {
        Announcer::new()
    }
}

/// The live region itself, visually hidden.
pub fn live_region() -> El {
    let announcer = expect_context::<Announcer>();
    el("p", "lw-sr-only")
        .attr("aria-live", "polite")
        .attr("aria-atomic", "true")
        .attr("data-testid", "live")
        .text_with(move || announcer.0.get())
}
