//! The customer token: where it comes from (held, the shop's function, a
//! token URL), its refresh, and whose it is (the subject the visit cache is
//! keyed by). The token itself is only ever held in memory.

use super::request::{fetch, Body};
use super::Client;
use gloo_net::http::Request;
use loyalty_core::contract::DecodeError;
use loyalty_core::error::ApiError;
use loyalty_core::identity::{self, Claims, TokenAnswer};
use send_wrapper::SendWrapper;
use std::sync::MutexGuard;
use web_sys::RequestCredentials;

/// Where the customer token comes from.
#[derive(Debug, Clone, Default)]
pub struct TokenSource {
    /// The token the page was rendered with, if any.
    pub initial: Option<String>,
    /// Where to fetch a fresh one (`{"token": "..."}`), if configured.
    pub url: Option<String>,
    /// A function of the shop's that returns a fresh token (or a promise of
    /// one), called when there is none yet and once on a 401.
    pub function: Option<TokenFunction>,
}

/// The shop's token function (see [`TokenSource::function`]).
#[derive(Clone)]
pub struct TokenFunction(pub SendWrapper<js_sys::Function>);

impl std::fmt::Debug for TokenFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenFunction")
    }
}

impl TokenSource {
    /// Whether a fresh token can be asked for.
    pub(super) fn can_refresh(&self) -> bool {
        self.url.is_some() || self.function.is_some()
    }
}

impl Client {
    /// The current token (a poisoned lock still holds a whole `Option`).
    pub(super) fn token(&self) -> MutexGuard<'_, Option<String>> {
        self.token
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The current token's subject, or else the token itself (empty without
    /// one): the customer the visit cache is keyed by.
    pub(super) fn who(&self) -> String {
        let token = self.token().clone().unwrap_or_default();
        let mut memo = self
            .who
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if memo.0 != token {
            let who = token_subject(&token).unwrap_or_else(|| token.clone());
            *memo = (token, who);
        }
        memo.1.clone()
    }

    /// Asks the shop's token function, or else the token URL, for a fresh
    /// token.
    pub(super) async fn refresh_token(&self) -> Result<(), ApiError> {
        if let Some(function) = &self.source.function {
            let token = call_token_function(&function.0).await?;
            *self.token() = Some(token);
            return Ok(());
        }
        let Some(url) = &self.source.url else {
            return Ok(());
        };
        let request = Request::get(url)
            .header("Accept", "application/json")
            .credentials(RequestCredentials::SameOrigin);
        let answer = fetch(request, None).await?;
        if !answer.ok() {
            return Err(ApiError::status(answer.status));
        }
        let token = match answer.body {
            Body::Json(body) => serde_wasm_bindgen::from_value::<TokenAnswer>(body)
                .ok()
                .and_then(TokenAnswer::token),
            Body::NotJson => None,
        }
        .ok_or_else(|| {
            ApiError::Decode(DecodeError::Malformed(
                "the token URL did not answer {\"token\": \"...\"}".to_owned(),
            ))
        })?;
        *self.token() = Some(token);
        Ok(())
    }
}

/// Calls the shop's token function and awaits its answer when it is a
/// promise or any other thenable. Anything but a non-empty string of at most 4 KiB is refused.
async fn call_token_function(function: &js_sys::Function) -> Result<String, ApiError> {
    let failed = |what: &str| ApiError::Network(format!("the token function {what}"));
    let mut value = function
        .call0(&wasm_bindgen::JsValue::NULL)
        .map_err(|_| failed("threw"))?;
    // Any thenable, not only this realm's `Promise` (a page may have
    // replaced it with a polyfill): `Promise.resolve` adopts it.
    if value.is_object() {
        value = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&value))
            .await
            .map_err(|_| failed("rejected"))?;
    }
    value
        .as_string()
        .filter(|token| identity::usable_token(token))
        .ok_or_else(|| failed("did not return a token string"))
}

/// The `sub` claim of a JWT-shaped token, if it has one (unverified; only
/// to key the visit cache): the browser's `atob` and `JSON.parse` read it.
pub fn token_subject(token: &str) -> Option<String> {
    let payload = identity::jwt_payload(token)?;
    let binary = web_sys::window()?.atob(&payload).ok()?;
    // `atob` yields one char per byte.
    let bytes: Vec<u8> = binary.chars().map(|c| c as u32 as u8).collect();
    let claims = js_sys::JSON::parse(std::str::from_utf8(&bytes).ok()?).ok()?;
    serde_wasm_bindgen::from_value::<Claims>(claims).ok()?.sub.0
}
