//! The one typed client over gloo-net: same-origin requests with the
//! session cookie, the CSRF header on writes, the contract's error body read
//! into [`ApiError`], and a 401 while signed in turning the console back to
//! its sign-in page.

use crate::api;
use crate::i18n::{Lang, P, T};
use crate::state::Ctx;
use gloo_net::http::{Request, RequestBuilder, Response};
use leptos::prelude::*;
use serde::de::DeserializeOwned;

/// Why a call failed, in the terms the pages show.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// No answer (offline, the endpoint down).
    Network,
    /// 401: a wrong key, or the session is gone.
    Unauthorized,
    /// 429: too many sign-ins; try again after this many seconds.
    RateLimited(Option<u64>),
    /// Another refusal, with the contract's code and message.
    Refused {
        /// The HTTP status.
        status: u16,
        /// The contract's error code.
        code: String,
        /// The endpoint's message.
        message: String,
    },
    /// An answer the console could not read.
    Decode(String),
}

impl ApiError {
    /// What the page says about it.
    pub fn describe(&self, lang: Lang) -> String {
        match self {
            ApiError::Network => T::ErrNetwork.get(lang).to_string(),
            ApiError::Unauthorized => T::ErrUnauthorized.get(lang).to_string(),
            ApiError::RateLimited(seconds) => rate_limited(*seconds, lang),
            ApiError::Refused {
                status, message, ..
            } => T::ErrRefused
                .get(lang)
                .replace("{status}", &status.to_string())
                .replace("{message}", message),
            ApiError::Decode(why) => T::ErrDecode.get(lang).replace("{why}", why),
        }
    }
}

/// "Too many attempts: try again in N minutes" (seconds under two minutes).
pub fn rate_limited(seconds: Option<u64>, lang: Lang) -> String {
    match wait(seconds) {
        Some((key, n)) => crate::format::plural(key, n, lang),
        None => T::ErrRateLimited.get(lang).to_string(),
    }
}

/// The wait a rate limit's text names: whole minutes from two minutes up,
/// seconds below.
fn wait(seconds: Option<u64>) -> Option<(P, i64)> {
    let s = seconds?;
    let (key, n) = if s >= 120 {
        (P::ErrRateLimitedMinutes, s.div_ceil(60))
    } else {
        (P::ErrRateLimitedSeconds, s)
    };
    Some((key, i64::try_from(n).unwrap_or(i64::MAX)))
}

/// A request's body.
pub enum Body {
    /// None.
    Empty,
    /// JSON text.
    Json(String),
    /// A file the user chose, sent as it is.
    File(web_sys::File, String),
}

/// Sends a request to the admin API (`path` from `/admin/v1/...` or `/v1/...`).
/// Writes carry the session's CSRF token; `idempotency_key` goes along too.
pub async fn send(
    ctx: Ctx,
    method: &str,
    path: &str,
    body: Body,
    idempotency_key: Option<&str>,
) -> Result<Response, ApiError> {
    let mut builder = match method {
        "POST" => Request::post(path),
        "DELETE" => Request::delete(path),
        "PUT" => Request::put(path),
        _ => Request::get(path),
    }
    .header("Accept", "application/json");
    if method != "GET" {
        if let Some(token) = ctx.csrf.get_untracked() {
            builder = builder.header("X-CSRF-Token", &token);
        }
    }
    if let Some(key) = idempotency_key {
        builder = builder.header("Idempotency-Key", key);
    }
    let request = with_body(builder, body).map_err(|_| ApiError::Network)?;
    let response = request.send().await.map_err(|_| ApiError::Network)?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let retry_after = response
        .headers()
        .get("Retry-After")
        .and_then(|v| v.trim().parse::<u64>().ok());
    let text = response.text().await.unwrap_or_default();
    let (code, message) = api::error_body(&text).unwrap_or_default();
    Err(match status {
        401 => {
            ctx.expire();
            ApiError::Unauthorized
        }
        429 => ApiError::RateLimited(retry_after),
        _ => ApiError::Refused {
            status,
            code,
            message,
        },
    })
}

fn with_body(builder: RequestBuilder, body: Body) -> Result<Request, gloo_net::Error> {
    match body {
        Body::Empty => builder.build(),
        Body::Json(text) => builder
            .header("Content-Type", "application/json")
            .body(text),
        Body::File(file, content_type) => builder
            .header("Content-Type", &content_type)
            .body(wasm_bindgen::JsValue::from(file)),
    }
}

/// Reads a successful answer's JSON.
pub async fn json<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let text = response.text().await.map_err(|_| ApiError::Network)?;
    serde_json::from_str(&text).map_err(|err| ApiError::Decode(err.to_string()))
}

/// `GET path`, read as `T`.
pub async fn get<T: DeserializeOwned>(ctx: Ctx, path: &str) -> Result<T, ApiError> {
    json(send(ctx, "GET", path, Body::Empty, None).await?).await
}

/// A fresh random key (128 bits, hex) for `Idempotency-Key`.
pub fn random_key() -> String {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .and_then(|c| c.get_random_values_with_u8_array(&mut bytes).ok());
    if filled.is_none() {
        // No crypto: the clock is unique enough for one browser's retries.
        let now = js_sys::Date::now().to_bits().to_le_bytes();
        bytes[..8].copy_from_slice(&now);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use loyalty_core::i18n::Plural;

    #[test]
    fn the_wait_in_minutes_or_seconds() {
        // The count goes through the language's plural rules in the browser
        // (format::plural); here the wait and the English forms.
        assert_eq!(wait(Some(900)), Some((P::ErrRateLimitedMinutes, 15)));
        assert_eq!(wait(Some(61)), Some((P::ErrRateLimitedSeconds, 61)));
        assert_eq!(wait(Some(121)), Some((P::ErrRateLimitedMinutes, 3)));
        assert_eq!(wait(None), None);
        assert_eq!(
            P::ErrRateLimitedMinutes.get(Lang::En, Plural::Other),
            "Too many attempts. Try again in {n} minutes."
        );
        assert_eq!(
            P::ErrRateLimitedSeconds.get(Lang::En, Plural::One),
            "Too many attempts. Try again in {n} second."
        );
    }

    #[test]
    fn refusals_say_the_endpoints_message() {
        let refused = ApiError::Refused {
            status: 409,
            code: "insufficient_points".into(),
            message: "only 10 points".into(),
        };
        assert_eq!(
            refused.describe(Lang::En),
            "The endpoint refused this (409): only 10 points"
        );
    }
}
