//! The reference loyalty endpoint: a loyalty backend a small shop can run.
//!
//! Implements contract v1 (`openapi/loyalty-v1.json`) for the widget and
//! the admin API (`openapi/loyalty-admin-v1.json`) for the shop, in three
//! layers, each importing only the ones below it (`ARCHITECTURE.md`):
//!
//! - [`http`]: routes, extractors, the contract's error shape, CORS,
//!   faults for tests, connection limits;
//! - [`domain`]: the program's rules and the operations on the points
//!   ledger (balances, tiers, redemptions, referrals, orders, refunds,
//!   webhooks' payloads, tokens), with no HTTP and no SQL;
//! - [`store`]: queries and migrations on sqlx, SQLite or PostgreSQL.
//!
//! [`app`] wires a [`config::ServerConfig`] into a running application.

pub mod app;
pub mod config;
pub mod domain;
pub mod faults;
pub mod http;
pub mod platform;
pub mod store;
pub mod telemetry;

pub use app::{open, seed_demo};
pub use config::{Limits, ServerConfig};
pub use domain::{ledger, program, shopify, token, webhooks};
pub use http::router;
pub use http::server::{self as server, serve};
pub use http::state::AppState;
