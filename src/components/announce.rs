//! One polite live region per widget, so screen readers hear the results of
//! copy, redeem and join.

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
#[component]
pub fn LiveRegion() -> impl IntoView {
    let announcer = expect_context::<Announcer>();
    view! {
        <p class="lw-sr-only" aria-live="polite" aria-atomic="true" data-testid="live">
            {move || announcer.0.get()}
        </p>
    }
}
