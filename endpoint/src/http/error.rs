//! One error type for every handler: [`AppError`] renders the contract's
//! JSON error shape (`{"error": {"code", "message"}}`) with its status, and
//! logs failures without telling the client more than "internal error".

use crate::domain::error::{error_json, status_of};
use crate::domain::Error;
use crate::store::StoreError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use loyalty_core::contract::ErrorCode;

/// A request that ends in an error answer.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Refused, as the contract says: status, code and message.
    #[error("{2} ({0})")]
    Refused(u16, ErrorCode, String),
    /// Something broke; logged, answered 500.
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    /// A refusal with an explicit status.
    pub fn new(status: u16, code: ErrorCode, message: impl Into<String>) -> AppError {
        AppError::Refused(status, code, message.into())
    }

    /// A 400 `bad_request`.
    pub fn bad_request(message: impl Into<String>) -> AppError {
        AppError::new(400, ErrorCode::BadRequest, message)
    }

    /// A 401 `unauthorized`.
    pub fn unauthorized(message: impl Into<String>) -> AppError {
        AppError::new(401, ErrorCode::Unauthorized, message)
    }
}

impl From<Error> for AppError {
    fn from(err: Error) -> AppError {
        match err {
            Error::Refused(code, message) => AppError::Refused(status_of(&code), code, message),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> AppError {
        AppError::Internal(err.to_string())
    }
}

impl From<serde_json::Error> for AppError {
    fn from(err: serde_json::Error) -> AppError {
        AppError::Internal(format!("json: {err}"))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::Refused(status, code, message) => error(status, code, &message),
            AppError::Internal(what) => {
                tracing::error!(error = %what, "internal error");
                error(500, ErrorCode::Internal, "internal error")
            }
        }
    }
}

/// A JSON answer, not to be stored by shared caches.
pub fn json(status: u16, body: String) -> Response {
    let mut response = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        body,
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    response
}

/// The contract's error answer.
pub fn error(status: u16, code: ErrorCode, message: &str) -> Response {
    json(status, error_json(code, message))
}

/// `value` as a JSON answer with `status`.
pub fn json_value<T: serde::Serialize>(status: u16, value: &T) -> Result<Response, AppError> {
    Ok(json(status, serde_json::to_string(value)?))
}

/// `response` telling the client to try again in `seconds`.
pub fn retry_after(mut response: Response, seconds: u64) -> Response {
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}
