//! The widget's views, one small component per file.
//!
//! A component is a function that builds its markup with the DOM builder
//! in [`crate::edge::dom`] and returns it as an [`El`](crate::edge::dom::El);
//! its state is Leptos signals, and what it shows follows them.

pub mod activity;
pub mod announce;
pub mod club;
pub mod copy_button;
pub mod earn;
pub mod guest;
pub mod i18n;
pub mod points_card;
pub mod referral;
pub mod rewards;
pub mod status;
pub mod task;
pub mod tier_progress;
pub mod widget;

use crate::edge::client::ApiError;
use leptos::prelude::{RwSignal, With};

/// Something loaded from the endpoint: `None` while it loads.
pub type Load<T> = RwSignal<Option<Result<T, ApiError>>>;

/// Reads what `load` holds if it loaded (tracked): `None` while it loads
/// or when it failed.
pub fn loaded<T: Send + Sync + 'static, R>(load: Load<T>, read: impl FnOnce(&T) -> R) -> Option<R> {
    load.with(|load| load.as_ref()?.as_ref().ok().map(read))
}
