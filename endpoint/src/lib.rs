//! The reference loyalty endpoint: a loyalty backend a small shop can run.
//!
//! Implements contract v1 (`openapi/loyalty-v1.json`) for the widget and
//! the admin API (`openapi/loyalty-admin-v1.json`) for the shop, over a
//! SQLite file or a PostgreSQL database ([`store`]): [`token`] verifies the
//! shop's customer tokens, [`program`] reads the program file, [`ledger`]
//! works balances, expiry and tiers out of the append-only points ledger,
//! [`db`] holds the queries and applies writes transactionally, [`admin`]
//! records customers, orders, refunds and adjustments, [`webhooks`] maps
//! Shopify's and WooCommerce's order webhooks onto them, [`api`] and
//! [`admin_routes`] are the HTTP layer (CORS, ETags, idempotency), and
//! [`faults`] breaks things on purpose for tests.

pub mod admin;
pub mod admin_routes;
pub mod api;
pub mod db;
pub mod faults;
pub mod ledger;
pub mod program;
pub mod seed;
pub mod server;
pub mod shopify;
pub mod store;
pub mod token;
pub mod webhooks;

pub use api::{router, AppState, ServerConfig};
pub use server::{serve, Limits};
