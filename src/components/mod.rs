//! The widget's views, one small component per file.
//!
//! Two habits keep the shipped WebAssembly small, because Leptos compiles
//! view code once per distinct view type: every reactive part returns a
//! [`Part`], and every element carries at least one attribute (usually its
//! `lw-` class), since an element without attributes is a type of its own
//! (a bare `<li>` cost 2 KB next to `<li class=..>`).

pub mod activity;
pub mod announce;
pub mod club;
pub mod copy_button;
pub mod coupon;
pub mod earn;
pub mod guest;
pub mod i18n;
pub mod my_rewards;
pub mod points_card;
pub mod referral;
pub mod rewards;
pub mod status;
pub mod task;
pub mod tier_progress;
pub mod widget;

use leptos::prelude::{
    request_animation_frame, set_timeout, AnyView, GetValue, IntoAny, IntoView, SetValue,
    StoredValue, View,
};
use std::time::Duration;

/// What every reactive part of the widget's views returns (`move || ..`
/// inside `view!`): Leptos builds the machinery of a reactive part once per
/// distinct return type, about 1 KB of WebAssembly each, so they all share
/// this one. `None` is a part that is not there.
pub type Part = Option<View<AnyView>>;

/// `view` with its type erased, for a [`Part`].
pub fn erased(view: impl IntoView) -> View<AnyView> {
    view.into_any().into_view()
}

/// A [`Part`] that is always there.
pub fn part(view: impl IntoView) -> Part {
    Some(erased(view))
}

/// Runs `then` once, after the browser has painted the next frame (in the
/// task after that frame's animation callbacks), or after 100 ms where no
/// frame comes (a hidden tab). What is drawn before it reaches the screen
/// without waiting for what `then` draws.
pub fn after_paint(then: impl FnOnce() + Clone + 'static) {
    let done = StoredValue::new(false);
    let once = move || {
        if done.try_get_value() == Some(false) {
            done.set_value(true);
            then();
        }
    };
    let framed = once.clone();
    request_animation_frame(move || set_timeout(framed, Duration::ZERO));
    set_timeout(once, Duration::from_millis(100));
}
