//! The console's pages, one per file.

pub mod customer;
pub mod customers;
pub mod embed;
pub mod import;
pub mod overview;
pub mod program;
pub mod signin;
