//! Why a call to the endpoint failed, and what each failure means: worth
//! another attempt, a write whose outcome is unknown, a refusal, a token
//! that was not accepted.
//!
//! The browser edge (`src/edge/client/`) makes an [`ApiError`] from what
//! `fetch` reported; everything decided from one needs no browser and is
//! tested natively (`tests/api_error.rs`).

use crate::contract::{DecodeError, ErrorCode};
use crate::events::Reason;
use crate::i18n::Key;
use crate::retry::{Outcome, RetryPolicy, TIMEOUT_MS};
use thiserror::Error;

/// Why a call to the endpoint failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ApiError {
    /// No answer: offline, DNS, CORS, connection refused or dropped.
    #[error("network error: {0}")]
    Network(String),
    /// No answer within [`TIMEOUT_MS`].
    #[error("timed out after {TIMEOUT_MS} ms")]
    Timeout,
    /// An HTTP status that is no success, with the contract's error code
    /// when the body had one. A `304` is one only when the call revalidated
    /// nothing (no cached copy to keep) and asking again got another.
    #[error("HTTP {status} ({})", code.as_ref().map_or("no code", ErrorCode::as_str))]
    Status {
        /// The HTTP status.
        status: u16,
        /// The machine-readable code from the error body, if it decoded.
        code: Option<ErrorCode>,
        /// `Retry-After` seconds, if sent.
        retry_after: Option<u64>,
    },
    /// A 2xx answer whose body is malformed or implausible.
    #[error(transparent)]
    Decode(#[from] DecodeError),
}

impl ApiError {
    /// An HTTP status with no error code and no `Retry-After`.
    pub fn status(status: u16) -> ApiError {
        ApiError::Status {
            status,
            code: None,
            retry_after: None,
        }
    }

    /// Whether the token was not accepted (401, 403): the customer has to
    /// sign in again, and nothing cached for them is shown in the meantime.
    pub fn needs_auth(&self) -> bool {
        matches!(
            self,
            ApiError::Status {
                status: 401 | 403,
                ..
            }
        )
    }

    /// Whether a fresh token may help (401: missing, expired or forged).
    /// A 403 refuses what the token allows; another token of the same
    /// customer would not change that.
    pub fn needs_fresh_token(&self) -> bool {
        matches!(self, ApiError::Status { status: 401, .. })
    }

    /// Whether the endpoint may have applied a write that ended with this
    /// error: no answer, a gateway or server error, or a body that could not
    /// be read.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            ApiError::Network(_) | ApiError::Timeout | ApiError::Decode(_) => true,
            ApiError::Status { status, .. } => *status >= 500 || *status == 408,
        }
    }

    /// Whether the endpoint answered that it did not apply the call: every
    /// status but a 5xx and 408 (4xx refusals, a rate limit, a `304` that
    /// came twice). A refused write is not applied; the exact opposite of
    /// [`ApiError::outcome_unknown`].
    pub fn refused(&self) -> bool {
        !self.outcome_unknown()
    }

    /// What this failure is to the retry rules ([`RetryPolicy`]).
    pub fn retry_outcome(&self) -> Outcome {
        match self {
            ApiError::Network(_) | ApiError::Timeout => Outcome::NoAnswer,
            ApiError::Decode(_) => Outcome::BadBody,
            ApiError::Status {
                status,
                retry_after,
                ..
            } => Outcome::Status(*status, *retry_after),
        }
    }

    /// Whether this failure is worth another attempt at all (the policy
    /// bounds how many: [`RetryPolicy::next_delay`]).
    pub fn retryable(&self) -> bool {
        RetryPolicy::retryable(self.retry_outcome())
    }

    /// The text a customer sees for this error.
    pub fn message_key(&self) -> Key {
        match self {
            ApiError::Network(_) | ApiError::Timeout => Key::ErrorNetwork,
            ApiError::Decode(_) => Key::ErrorData,
            _ if self.needs_auth() => Key::ErrorAuth,
            ApiError::Status { status: 429, .. } => Key::ErrorRateLimited,
            ApiError::Status { .. } => Key::ErrorServer,
        }
    }

    /// A short machine-readable reason, for the shop's `error` event.
    pub fn reason(&self) -> Reason {
        match self {
            ApiError::Network(_) => Reason::Network,
            ApiError::Timeout => Reason::Timeout,
            ApiError::Decode(_) => Reason::Data,
            _ if self.needs_auth() => Reason::Auth,
            ApiError::Status { status: 429, .. } => Reason::RateLimited,
            ApiError::Status { .. } => Reason::Server,
        }
    }
}
