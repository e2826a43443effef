//! The browser edge: every use of web-sys and js-sys lives below here.

pub mod cache;
pub mod client;
pub mod clipboard;
pub mod console;
pub mod embed;
pub mod events;
pub mod intl;
pub mod mount;
