//! What every page shares: the language, the session's CSRF token (in
//! memory only), the page shown, and the live region's message.

use crate::i18n::{Lang, T};
use crate::route::Route;
use leptos::prelude::*;

/// The console's shared state, in context (`expect_context::<Ctx>()`).
#[derive(Clone, Copy)]
pub struct Ctx {
    /// The console's language: the one whose texts are shown (its pack is
    /// loaded).
    pub lang: RwSignal<Lang>,
    /// The language chosen last (shown once its pack has loaded).
    pub wanted: RwSignal<Lang>,
    /// The session's CSRF token: some while signed in. Never the key.
    pub csrf: RwSignal<Option<String>>,
    /// Whether the session check on load is done.
    pub checked: RwSignal<bool>,
    /// A message for the sign-in page (the session expired).
    pub notice: RwSignal<Option<T>>,
    /// The page shown.
    pub route: RwSignal<Route>,
    /// The live region's text: results and outcomes, read out politely.
    pub status: RwSignal<String>,
}

impl Ctx {
    /// A text in the console's language (tracked: re-renders on a switch).
    pub fn t(&self, key: T) -> &'static str {
        key.get(self.lang.get())
    }

    /// Says `text` in the live region.
    pub fn announce(&self, text: String) {
        self.status.set(text);
    }

    /// The session is gone (a 401 while signed in): back to sign-in, saying so.
    pub fn expire(&self) {
        if self.csrf.get_untracked().is_some() {
            self.notice.set(Some(T::SessionExpired));
            self.csrf.set(None);
        }
    }

    /// Shows another page and records it in the history.
    pub fn go(&self, route: Route) {
        if let Some(window) = web_sys::window() {
            if let Ok(history) = window.history() {
                let _ = history.push_state_with_url(
                    &wasm_bindgen::JsValue::NULL,
                    "",
                    Some(&route.path()),
                );
            }
            window.scroll_to_with_x_and_y(0.0, 0.0);
        }
        self.route.set(route);
    }
}
