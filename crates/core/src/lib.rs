//! The loyalty widget's pure core.
//!
//! Everything here is plain Rust over `serde`: no browser APIs, so it compiles
//! and tests natively and is shared by the widget and the reference endpoint.
//!
//! - [`config`]: the shop owner's configuration, parsed and validated with
//!   precise messages.
//! - [`contract`]: the endpoint contract's types and their sanity checks.
//! - [`progress`]: points and tier arithmetic.
//! - [`url`]: endpoint and link URL checks.
//! - [`i18n`]: German and English messages.

pub mod config;
pub mod contract;
pub mod i18n;
pub mod progress;
pub mod url;
