//! The reference loyalty endpoint.
//!
//! Implements contract v1 (`openapi/loyalty-v1.yaml`) over a SQLite file:
//! [`token`] verifies the shop's customer tokens, [`db`] stores and applies
//! everything transactionally, [`api`] is the HTTP layer (CORS, ETags,
//! idempotency), [`faults`] breaks things on purpose for tests.

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
