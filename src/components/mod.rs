//! The widget's views, one small component per file.

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
