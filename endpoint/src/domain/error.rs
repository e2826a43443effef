//! What a domain operation can fail with: a refusal the contract names (a
//! rule said no), or a failure underneath it.

use crate::store::StoreError;
use loyalty_core::contract::{ErrorBody, ErrorCode, ErrorDetail};
use thiserror::Error;

/// A failed operation.
#[derive(Debug, Error)]
pub enum Error {
    /// A rule refused the request: the contract's code and a message.
    #[error("{1}")]
    Refused(ErrorCode, String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Stored JSON did not decode, or an answer did not encode.
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    /// The operating system's random source failed.
    #[error("random source: {0}")]
    Random(String),
    /// The program file is not valid.
    #[error("program: {0}")]
    Program(String),
    /// The database holds something this version cannot read.
    #[error("database content: {0}")]
    Corrupt(String),
}

/// A domain result.
pub type Result<T> = std::result::Result<T, Error>;

/// A refusal with the contract's `code`.
pub fn refused(code: ErrorCode, message: impl Into<String>) -> Error {
    Error::Refused(code, message.into())
}

/// A request the contract calls bad.
pub fn bad(message: impl Into<String>) -> Error {
    refused(ErrorCode::BadRequest, message)
}

/// The HTTP status the contract gives each refusal code.
pub fn status_of(code: &ErrorCode) -> u16 {
    match code {
        ErrorCode::Unauthorized | ErrorCode::TokenExpired => 401,
        ErrorCode::TierTooLow | ErrorCode::Forbidden => 403,
        ErrorCode::NotFound | ErrorCode::NotAvailable => 404,
        ErrorCode::InsufficientPoints | ErrorCode::RewardNotIssued => 409,
        ErrorCode::PayloadTooLarge => 413,
        ErrorCode::IdempotencyConflict => 422,
        ErrorCode::RateLimited => 429,
        ErrorCode::Internal => 500,
        ErrorCode::BadRequest | ErrorCode::Other => 400,
    }
}

/// The contract's JSON error body.
pub fn error_json(code: ErrorCode, message: &str) -> String {
    serde_json::to_string(&ErrorBody {
        error: ErrorDetail {
            code,
            message: message.to_owned(),
        },
    })
    .unwrap_or_default()
}

impl Error {
    /// A refusal as the contract answers it (status and body, with the
    /// request's id), for storing with an idempotency key: a replay answers
    /// the same bytes, the first request's id included. `None` for a
    /// failure, which is not stored.
    pub fn answer(&self, request_id: &str) -> Option<(u16, String)> {
        match self {
            Error::Refused(code, message) => {
                let body = serde_json::json!({
                    "error": {"code": code, "message": message, "request_id": request_id}
                });
                Some((status_of(code), body.to_string()))
            }
            _ => None,
        }
    }
}
