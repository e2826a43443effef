//! The one typed client for the loyalty endpoint.
//!
//! Every call goes through [`Client::get`], which checks the status before
//! decoding and turns every failure into an [`ApiError`] the screens translate.

use gloo_net::http::Request;
use loyalty_core::contract::{self, Checked, DecodeError, ErrorBody, ErrorCode, Program, Summary};
use loyalty_core::i18n::{Key, Lang};
use serde::de::DeserializeOwned;
use thiserror::Error;

/// Why a call to the endpoint failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ApiError {
    /// No answer: offline, DNS, CORS, connection refused or dropped.
    #[error("network error: {0}")]
    Network(String),
    /// An HTTP error status, with the contract's error code when the body had one.
    #[error("HTTP {status} ({code:?})")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The machine-readable code from the error body, if it decoded.
        code: Option<ErrorCode>,
    },
    /// A 2xx answer whose body is malformed or implausible.
    #[error(transparent)]
    Decode(#[from] DecodeError),
}

impl ApiError {
    /// The text a customer sees for this error.
    pub fn message_key(&self) -> Key {
        match self {
            ApiError::Network(_) => Key::ErrorNetwork,
            ApiError::Decode(_) => Key::ErrorData,
            ApiError::Status {
                status: 401 | 403, ..
            } => Key::ErrorAuth,
            ApiError::Status { status: 429, .. } => Key::ErrorRateLimited,
            ApiError::Status { .. } => Key::ErrorServer,
        }
    }
}

/// A client for one endpoint, customer and language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    endpoint: String,
    token: Option<String>,
    lang: Lang,
}

impl Client {
    /// A client for a checked endpoint base URL (see
    /// [`loyalty_core::url::check_endpoint`]).
    pub fn new(endpoint: impl Into<String>, token: Option<String>, lang: Lang) -> Client {
        Client {
            endpoint: endpoint.into(),
            token,
            lang,
        }
    }

    /// Whether a customer token is set (otherwise the widget is in guest mode).
    pub fn has_customer(&self) -> bool {
        self.token.is_some()
    }

    /// `GET /v1/customer`: the signed-in customer's summary.
    pub async fn summary(&self) -> Result<Summary, ApiError> {
        self.get("/customer").await
    }

    /// `GET /v1/program`: the public program description.
    pub async fn program(&self) -> Result<Program, ApiError> {
        self.get("/program").await
    }

    async fn get<T: DeserializeOwned + Checked>(&self, path: &str) -> Result<T, ApiError> {
        let url = format!(
            "{}{}{path}?lang={}",
            self.endpoint,
            contract::API_PREFIX,
            self.lang.tag()
        );
        let mut request = Request::get(&url).header("Accept", "application/json");
        if let Some(token) = &self.token {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        let response = request
            .send()
            .await
            .map_err(|err| ApiError::Network(err.to_string()))?;
        let body = response
            .text()
            .await
            .map_err(|err| ApiError::Network(err.to_string()))?;
        if !response.ok() {
            return Err(ApiError::Status {
                status: response.status(),
                code: contract::decode::<ErrorBody>(&body)
                    .ok()
                    .map(|body| body.error.code),
            });
        }
        Ok(contract::decode(&body)?)
    }
}
