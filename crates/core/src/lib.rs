//! The loyalty widget's pure core.
//!
//! Everything here is plain Rust: no browser APIs, so it compiles
//! and tests natively and is shared by the widget and the reference endpoint.
//!
//! - [`config`]: the shop owner's configuration, parsed and validated with
//!   precise messages.
//! - [`contract`]: the endpoint contract's types and their sanity checks.
//! - [`date`]: the contract's dates, read strictly.
//! - [`events`]: the events reported to the shop, with typed details.
//! - [`progress`]: points and tier arithmetic.
//! - [`redemptions`]: what a redeem's outcome and each listed redemption
//!   show.
//! - [`url`]: endpoint and link URL checks.
//! - [`retry`]: which failures to retry and how long to wait.
//! - [`error`]: why a call to the endpoint failed, and what that means
//!   (retry, outcome unknown, refused, sign in again).
//! - [`identity`]: the cache key of a customer (from the token's `sub`).
//! - [`i18n`]: the languages (negotiation, packs, plural forms) and the
//!   built-in English texts.
//! - [`lenient`]: values kept only when they have the expected type.

pub mod config;
pub mod contract;
pub mod date;
pub mod error;
pub mod events;
pub mod i18n;
pub mod identity;
pub mod lenient;
pub mod progress;
pub mod redemptions;
pub mod retry;
pub mod url;
