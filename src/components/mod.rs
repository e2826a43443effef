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
