//! What every handler needs from a request, checked once: the customer
//! behind a verified token ([`Customer`]), the admin key ([`AdminKey`]),
//! an `Idempotency-Key` ([`IdempotencyKey`]) and a JSON object body
//! ([`JsonBody`]). Each refuses in the contract's error shape.

use super::error::AppError;
use super::session::{self, Found};
use super::state::AppState;
use crate::domain::customers::Actor;
use crate::domain::session::same;
use crate::domain::token::TokenError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use loyalty_core::contract::ErrorCode;
use serde::de::DeserializeOwned;
use std::sync::Arc;

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
}

/// The customer id from a valid bearer token; 401 otherwise.
pub struct Customer(pub String);

impl FromRequestParts<Arc<AppState>> for Customer {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Customer, AppError> {
        let malformed = || AppError::unauthorized(TokenError::Malformed.to_string());
        let required = || AppError::unauthorized("a customer token is required");
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(required)?;
        // Bytes a token never has (non-ASCII, controls) make it malformed,
        // not missing.
        let text = value.to_str().map_err(|_| malformed())?;
        // `Bearer` and one or more spaces (RFC 6750); the token as sent after
        // that, every character of it checked by the verifier.
        let token = text
            .strip_prefix("Bearer ")
            .ok_or_else(required)?
            .trim_start_matches(' ');
        state
            .verifier
            .verify(token, super::state::now())
            .map(|claims| Customer(claims.sub))
            .map_err(|err| match err {
                TokenError::Expired => AppError::new(401, ErrorCode::TokenExpired, "token expired"),
                other => AppError::unauthorized(other.to_string()),
            })
    }
}

/// The shortest admin key accepted, in bytes.
pub const MIN_ADMIN_KEY: usize = 32;

/// The request carries the admin key as a bearer token (compared in
/// constant time) or the cookie of a live console session; 401 otherwise.
/// With the cookie, a request other than GET and HEAD also carries the
/// session's `X-CSRF-Token` (403 `forbidden` without it). A customer token
/// is never the key.
pub struct AdminKey {
    /// Who is asking: a script with the key or the signed-in console.
    pub actor: Actor,
}

/// The CSRF header a console write carries.
pub const CSRF_HEADER: &str = "x-csrf-token";

impl FromRequestParts<Arc<AppState>> for AdminKey {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<AdminKey, AppError> {
        let refused =
            || AppError::unauthorized("the admin API needs the admin key as a bearer token");
        let key = state.config.admin_key.as_deref().ok_or_else(refused)?;
        let cookie = session::cookie_of(&parts.headers);
        let given = bearer(&parts.headers);
        let Some(cookie) = cookie.filter(|_| given.is_none()) else {
            let given = given.map(str::trim).unwrap_or_default().as_bytes();
            return if same(given, key) {
                Ok(AdminKey { actor: Actor::Key })
            } else {
                Err(refused())
            };
        };
        match state.sessions.find(&cookie, super::state::now()) {
            Found::Live(live) => {
                let reading = parts.method == Method::GET || parts.method == Method::HEAD;
                let csrf = parts
                    .headers
                    .get(CSRF_HEADER)
                    .map(|value| value.as_bytes())
                    .unwrap_or_default();
                if reading || same(csrf, live.csrf.as_bytes()) {
                    Ok(AdminKey {
                        actor: Actor::Session,
                    })
                } else {
                    Err(AppError::new(
                        403,
                        ErrorCode::Forbidden,
                        "the CSRF token is missing or wrong",
                    ))
                }
            }
            Found::Expired => Err(AppError::unauthorized("the session has expired")),
            Found::Unknown => Err(AppError::unauthorized(
                "the admin API needs the admin key as a bearer token or a console session",
            )),
        }
    }
}

/// Longest accepted `Idempotency-Key`.
const MAX_KEY: usize = 200;

/// The request's `Idempotency-Key` (1 to 200 characters); 400 otherwise.
pub struct IdempotencyKey(pub String);

impl<S: Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<IdempotencyKey, AppError> {
        let key = parts
            .headers
            .get("idempotency-key")
            .and_then(|value| value.to_str().ok())
            .map(str::trim)
            .unwrap_or_default();
        if key.is_empty() || key.len() > MAX_KEY {
            return Err(AppError::bad_request(
                "an Idempotency-Key header (1 to 200 characters) is required",
            ));
        }
        Ok(IdempotencyKey(key.to_owned()))
    }
}

/// A request body that is a JSON object of type `T`, nothing else, with
/// its raw bytes (an idempotent write's fingerprint). serde reads a struct
/// from a JSON array too (`["r-5eur"]` as `{"reward_id": "r-5eur"}`), so
/// the shape is checked first.
pub struct JsonBody<T> {
    /// The body, read.
    pub value: T,
    /// The body as sent.
    pub raw: Bytes,
}

/// Reads a JSON object of type `T`.
pub fn json_object<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    let invalid = |why: String| AppError::bad_request(format!("invalid body: {why}"));
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|err| invalid(err.to_string()))?;
    if !value.is_object() {
        return Err(invalid("the body must be a JSON object".to_owned()));
    }
    serde_json::from_value(value).map_err(|err| invalid(err.to_string()))
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<JsonBody<T>, Response> {
        let raw = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let value = json_object(&raw).map_err(IntoResponse::into_response)?;
        Ok(JsonBody { value, raw })
    }
}
