//! The loyalty program's rules and the operations that apply them: plain
//! Rust, no HTTP and no SQL. The pure rules ([`ledger`]: balances, expiry,
//! tiers' arithmetic; [`program`]: the program file; [`token`] and
//! [`shopify`]: signatures) are unit-tested on their own; the operations
//! ([`account`], [`shop`], [`webhooks`], [`idempotency`], [`seed`]) read
//! and append through the store ([`crate::store`]) inside the caller's
//! transaction.

pub mod account;
pub mod analytics;
pub mod customers;
pub mod error;
pub mod generate;
pub mod idempotency;
pub mod import;
pub mod language;
pub mod ledger;
pub mod program;
pub mod rewards;
pub mod sales;
pub mod seed;
pub mod session;
pub mod shop;
pub mod shopify;
pub mod snapshot;
pub mod token;
pub mod versions;
pub mod webhooks;

pub use error::{Error, Result};
