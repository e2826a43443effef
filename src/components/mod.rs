//! The widget's views, one small component per file.

pub mod guest;
pub mod i18n;
pub mod points_card;
pub mod status;
pub mod widget;
