//! The one typed client for the loyalty endpoint.
//!
//! Every read goes through [`Client::get`]: a timeout per attempt, bounded
//! retries with jittered backoff ([`RetryPolicy`]), one token refresh on a
//! 401 when a token URL is configured, and status-before-decoding. Writes
//! carry an `Idempotency-Key` and are retried only with that same key, so the
//! endpoint applies each of them exactly once whatever the network does.
//!
//! Requests go out through gloo-net's request builder. An answer is read by
//! the browser's own JSON parser (`Response.json()` on the raw response, so
//! no JSON parser ships in the WebAssembly) and becomes a contract type with
//! `serde_wasm_bindgen::from_value`, then the contract's plausibility checks
//! ([`loyalty_core::contract::accept`]).

use crate::edge::cache::{self, Entry};
use crate::edge::console;
use gloo_net::http::{Request, RequestBuilder};
use gloo_timers::future::TimeoutFuture;
use loyalty_core::contract::{
    self, ActivityPage, Checked, DecodeError, ErrorBody, ErrorCode, JoinRequest, Membership,
    Offers, Program, RedeemRequest, Redemption, RedemptionPage, ReferralInvite, Summary,
};
use loyalty_core::events::Reason;
use loyalty_core::i18n::{Key, Lang};
use loyalty_core::identity::{self, Claims, TokenAnswer};
use loyalty_core::retry::{Outcome, RetryPolicy};
use send_wrapper::SendWrapper;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::{Arc, Mutex, MutexGuard};
use thiserror::Error;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, RequestCache, RequestCredentials};

/// How long one attempt may take before it is abandoned.
pub const TIMEOUT_MS: u32 = 8_000;
/// A cached answer younger than this is used without asking the endpoint.
pub const FRESH_MS: f64 = 30_000.0;

/// Why a call to the endpoint failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ApiError {
    /// No answer: offline, DNS, CORS, connection refused or dropped.
    #[error("network error: {0}")]
    Network(String),
    /// No answer within [`TIMEOUT_MS`].
    #[error("timed out after {TIMEOUT_MS} ms")]
    Timeout,
    /// An HTTP error status, with the contract's error code when the body had one.
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
    /// The text a customer sees for this error.
    pub fn message_key(&self) -> Key {
        match self {
            ApiError::Network(_) | ApiError::Timeout => Key::ErrorNetwork,
            ApiError::Decode(_) => Key::ErrorData,
            ApiError::Status {
                status: 401 | 403, ..
            } => Key::ErrorAuth,
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
            ApiError::Status {
                status: 401 | 403, ..
            } => Reason::Auth,
            ApiError::Status { status: 429, .. } => Reason::RateLimited,
            ApiError::Status { .. } => Reason::Server,
        }
    }

    /// Whether the endpoint may have applied a write that ended with this
    /// error: no answer, a gateway or server error, or a body that could not
    /// be read. Only a refusal (4xx but 408) says for sure it did not.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            ApiError::Network(_) | ApiError::Timeout | ApiError::Decode(_) => true,
            ApiError::Status { status, .. } => *status >= 500 || *status == 408,
        }
    }

    fn outcome(&self) -> Outcome {
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
}

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
    fn can_refresh(&self) -> bool {
        self.url.is_some() || self.function.is_some()
    }
}

/// A summary and whether it came from the per-visit cache without being
/// confirmed by the endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched<T> {
    /// The value.
    pub value: T,
    /// `true` when shown from cache because the endpoint could not be asked.
    pub stale: bool,
}

/// A client for one endpoint, customer and language. Cheap to clone; clones
/// share the current token.
#[derive(Debug, Clone)]
pub struct Client {
    endpoint: String,
    lang: Lang,
    source: TokenSource,
    token: Arc<Mutex<Option<String>>>,
    /// Who the visit cache is keyed by, for the token it was worked out
    /// from: `(token, subject or token)`. Reading a token's subject goes
    /// through the browser (`atob`, `JSON.parse`), so it is done once per
    /// token, not on every cache key.
    who: Arc<Mutex<(String, String)>>,
    policy: RetryPolicy,
    /// The loader's answers already in flight, if it had a head start.
    head_start: Option<SendWrapper<HeadStart>>,
}

/// The loader's head start: the first reads, asked for with `token` while
/// the WebAssembly was still loading, keyed by their full URL. Each is taken
/// over once, by a read of the same URL with the same token and no cached
/// answer; anything else asks the endpoint itself.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct HeadStart {
    token: String,
    /// `{ [url]: Promise<EarlyAnswer> }`.
    #[serde(with = "serde_wasm_bindgen::preserve")]
    answers: js_sys::Object,
}

impl HeadStart {
    /// Reads what the loader handed over; anything else is no head start.
    pub fn from_js(value: JsValue) -> Option<HeadStart> {
        serde_wasm_bindgen::from_value(value).ok()
    }

    /// The answer in flight for `url`, if it was asked for with `token`.
    fn take_answer(&self, url: &str, token: Option<&str>) -> Option<js_sys::Promise> {
        if token != Some(self.token.as_str()) {
            return None;
        }
        let key = JsValue::from_str(url);
        let answer = js_sys::Reflect::get(&self.answers, &key).ok()?;
        js_sys::Reflect::delete_property(&self.answers, &key).ok()?;
        answer.dyn_into().ok()
    }
}

impl Client {
    /// A client for a checked endpoint base URL (see
    /// [`loyalty_core::url::check_endpoint`]).
    pub fn new(endpoint: impl Into<String>, source: TokenSource, lang: Lang) -> Client {
        Client {
            endpoint: endpoint.into(),
            lang,
            token: Arc::new(Mutex::new(source.initial.clone())),
            who: Arc::default(),
            source,
            policy: RetryPolicy::default(),
            head_start: None,
        }
    }

    /// The same client, taking over the loader's answers in flight.
    pub fn with_head_start(mut self, head_start: Option<HeadStart>) -> Client {
        self.head_start = head_start.map(SendWrapper::new);
        self
    }

    /// The current token (a poisoned lock still holds a whole `Option`).
    fn token(&self) -> MutexGuard<'_, Option<String>> {
        self.token
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether a customer is (or can be) signed in; otherwise guest mode.
    pub fn has_customer(&self) -> bool {
        self.token().is_some() || self.source.can_refresh()
    }

    /// The visit-cache key of a route for this customer and language; the
    /// public program is cached under its own prefix, so it survives sign-out.
    fn cache_key(&self, path: &str) -> String {
        let who = if path == "/program" {
            String::new()
        } else {
            self.who()
        };
        let key = identity::cache_key(&self.endpoint, self.lang.tag(), &who);
        if who.is_empty() {
            format!("{}{}{path}", cache::PUBLIC, &key[cache::PREFIX.len()..])
        } else {
            format!("{key}{path}")
        }
    }

    /// The current token's subject, or else the token itself (empty without
    /// one): the customer the visit cache is keyed by.
    fn who(&self) -> String {
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

    /// Where this visit remembers an unconfirmed redemption of `reward_id`
    /// for this customer: its idempotency key, never the token.
    pub fn pending_key(&self, reward_id: &str) -> String {
        self.cache_key(&format!("/pending-redemption/{reward_id}"))
    }

    /// The summary cached earlier in this visit for this customer, if any.
    pub fn cached_summary(&self) -> Option<Summary> {
        let entry = cache::get(&self.cache_key("/customer"))?;
        from_js(entry.body, "/customer").ok()
    }

    /// `GET /v1/customer`: the signed-in customer's summary.
    pub async fn summary(&self) -> Result<Fetched<Summary>, ApiError> {
        if self.token().is_none() {
            self.refresh_token().await?;
        }
        self.cached("/customer").await
    }

    /// `GET /v1/program`: the public program description, normalized
    /// (tiers in threshold order, no repeated ids: [`Program::normalized`]).
    pub async fn program(&self) -> Result<Program, ApiError> {
        self.cached("/program")
            .await
            .map(|fetched: Fetched<Program>| fetched.value.normalized())
    }

    /// `GET /v1/offers`: members' offers, locked ones with the reason.
    pub async fn offers(&self) -> Result<Offers, ApiError> {
        self.cached("/offers")
            .await
            .map(|fetched: Fetched<Offers>| fetched.value.normalized())
    }

    /// A read through the visit cache: an answer cached less than
    /// [`FRESH_MS`] ago is used as it is; an older one is revalidated with
    /// its ETag. When the endpoint cannot be reached the cached answer is
    /// returned marked stale (never after a 401/403).
    async fn cached<T: DeserializeOwned + Checked>(
        &self,
        path: &str,
    ) -> Result<Fetched<T>, ApiError> {
        let mut value = None;
        let stale = self
            .cached_body(path, &mut |body| {
                value = Some(from_js::<T>(body.clone(), path)?);
                Ok(())
            })
            .await?;
        let value = value.ok_or_else(|| ApiError::Network("no answer".to_owned()))?;
        Ok(Fetched { value, stale })
    }

    /// The body of [`Client::cached`], the same for every type (one copy in
    /// the WebAssembly): `accept` decodes a candidate answer and keeps it.
    /// Returns whether the answer kept is stale.
    async fn cached_body(
        &self,
        path: &str,
        accept: &mut dyn FnMut(&JsValue) -> Result<(), DecodeError>,
    ) -> Result<bool, ApiError> {
        let key = self.cache_key(path);
        let cached = cache::get(&key);
        if let Some(entry) = &cached {
            if cache::now_ms() - entry.stored_at < FRESH_MS && accept(&entry.body).is_ok() {
                return Ok(false);
            }
        }
        let etag = cached.as_ref().and_then(|entry| entry.etag.clone());
        match self.get_raw(path, etag.as_deref()).await {
            Ok(Raw::NotModified) => {
                let entry = cached
                    .ok_or_else(|| ApiError::Network("304 without a cached answer".to_owned()))?;
                accept(&entry.body)?;
                cache::put(
                    &key,
                    &Entry {
                        stored_at: cache::now_ms(),
                        ..entry
                    },
                );
                Ok(false)
            }
            Ok(Raw::Body { body, etag }) => {
                accept(&body)?;
                // The token may have been refreshed: store under the key now.
                let stored_at = cache::now_ms();
                cache::put(
                    &self.cache_key(path),
                    &Entry {
                        etag,
                        body,
                        stored_at,
                    },
                );
                Ok(false)
            }
            Err(error) => {
                let usable = !matches!(
                    error,
                    ApiError::Status {
                        status: 401 | 403,
                        ..
                    }
                );
                match cached {
                    Some(entry) if usable && accept(&entry.body).is_ok() => Ok(true),
                    _ => Err(error),
                }
            }
        }
    }

    /// `GET /v1/referrals/{code}`: what a guest who arrived through a
    /// referral link is offered (public; `code` is a checked referral code).
    pub async fn referral_invite(&self, code: &str) -> Result<ReferralInvite, ApiError> {
        self.get(&format!("/referrals/{code}")).await
    }

    /// `GET /v1/activity?page=N`: one page of history, newest first.
    pub async fn activity(&self, page: u32) -> Result<ActivityPage, ApiError> {
        self.get(&format!("/activity?page={page}")).await
    }

    /// `GET /v1/redemptions?page=N`: one page of the customer's
    /// redemptions, newest first, each with the key it was sent with.
    pub async fn redemptions(&self, page: u32) -> Result<RedemptionPage, ApiError> {
        self.get(&format!("/redemptions?page={page}")).await
    }

    /// `GET /v1/customer` from the endpoint, never from the visit cache:
    /// the balance after a redemption whose answer did not carry it.
    pub async fn fresh_summary(&self) -> Result<Summary, ApiError> {
        cache::remove(&self.cache_key("/customer"));
        self.cached("/customer")
            .await
            .map(|fetched: Fetched<Summary>| fetched.value)
    }

    /// A read, decoded and checked.
    pub async fn get<T: DeserializeOwned + Checked>(&self, path: &str) -> Result<T, ApiError> {
        Ok(from_js(self.get_body(path).await?, path)?)
    }

    /// The body of a read (one copy for every type; [`Client::get`]
    /// decodes it).
    async fn get_body(&self, path: &str) -> Result<JsValue, ApiError> {
        body_of(self.get_raw(path, None).await?)
    }

    /// `POST /v1/redemptions`: redeems a reward. Call again with the same
    /// `key` to retry; the endpoint applies it once.
    pub async fn redeem(&self, reward_id: &str, key: &str) -> Result<Redemption, ApiError> {
        let body = RedeemRequest {
            reward_id: reward_id.to_owned(),
        };
        let result = self.write("/redemptions", &body, key).await;
        if result.is_ok() {
            cache::remove(&self.cache_key("/customer"));
        }
        result
    }

    /// `POST /v1/club/join`: joins the club; `consent` is the customer's
    /// ticked box. Call again with the same `key` to retry.
    pub async fn join(&self, consent: bool, key: &str) -> Result<Membership, ApiError> {
        let result = self
            .write("/club/join", &JoinRequest { consent }, key)
            .await;
        if result.is_ok() {
            cache::remove(&self.cache_key("/customer"));
            cache::remove(&self.cache_key("/offers"));
        }
        result
    }

    async fn write<T: DeserializeOwned + Checked>(
        &self,
        path: &str,
        body: &impl Serialize,
        key: &str,
    ) -> Result<T, ApiError> {
        let body = to_json(body)?;
        let call = Call {
            path,
            etag: None,
            write: Some((&body, key)),
        };
        Ok(from_js(body_of(self.send(call).await?)?, path)?)
    }

    async fn get_raw(&self, path: &str, etag: Option<&str>) -> Result<Raw, ApiError> {
        self.send(Call {
            path,
            etag,
            write: None,
        })
        .await
    }

    /// One call with timeouts, bounded retries and one token refresh. A write
    /// is retried with its unchanged idempotency key only.
    async fn send(&self, call: Call<'_>) -> Result<Raw, ApiError> {
        let separator = if call.path.contains('?') { '&' } else { '?' };
        let url = format!(
            "{}{}{}{separator}lang={}",
            self.endpoint,
            contract::API_PREFIX,
            call.path,
            self.lang.tag()
        );
        let mut attempt = 0;
        let mut refreshed = false;
        loop {
            attempt += 1;
            let error = match self.attempt(&url, &call).await {
                Ok(raw) => return Ok(raw),
                Err(error) => error,
            };
            let unauthorized = matches!(error, ApiError::Status { status: 401, .. });
            if unauthorized && !refreshed && self.source.can_refresh() {
                refreshed = true;
                attempt -= 1;
                self.refresh_token().await?;
                continue;
            }
            let jitter = js_sys::Math::random();
            match self.policy.next_delay(attempt, error.outcome(), jitter) {
                Some(delay) => TimeoutFuture::new(delay.min(u64::from(u32::MAX)) as u32).await,
                None => return Err(error),
            }
        }
    }

    async fn attempt(&self, url: &str, call: &Call<'_>) -> Result<Raw, ApiError> {
        let early = match (&self.head_start, call.write, call.etag) {
            (Some(head), None, None) => head.take_answer(url, self.token().as_deref()),
            _ => None,
        };
        let answer = match early {
            Some(response) => adopt(response).await?,
            None => self.send_request(url, call).await?,
        };
        if answer.status == 304 {
            return Ok(Raw::NotModified);
        }
        if !answer.ok() {
            let retry_after = answer
                .header("retry-after")
                .and_then(|value| value.trim().parse().ok());
            return Err(ApiError::Status {
                status: answer.status,
                code: match answer.body {
                    Body::Json(body) => from_js::<ErrorBody>(body, "").ok().map(|b| b.error.code),
                    Body::NotJson => None,
                },
                retry_after,
            });
        }
        // A body cut off mid-way (or an HTML page) is worth another attempt.
        let etag = answer.header("etag");
        let Body::Json(body) = answer.body else {
            return Err(ApiError::Decode(DecodeError::Malformed(
                "the body is not complete JSON".to_owned(),
            )));
        };
        Ok(Raw::Body { body, etag })
    }

    /// Sends `call` to `url` with the current token.
    async fn send_request(&self, url: &str, call: &Call<'_>) -> Result<Answer, ApiError> {
        let mut request = match call.write {
            Some((_, key)) => Request::post(url)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key),
            None => Request::get(url),
        }
        .header("Accept", "application/json");
        if let Some(token) = self.token().as_ref() {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        if let Some(etag) = call.etag {
            request = request.header("If-None-Match", etag);
        }
        fetch(request, call.write.map(|(body, _)| body)).await
    }

    /// Asks the shop's token function, or else the token URL, for a fresh
    /// token.
    async fn refresh_token(&self) -> Result<(), ApiError> {
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
            return Err(ApiError::Status {
                status: answer.status,
                code: None,
                retry_after: None,
            });
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

/// What to send: a read (with an optional ETag) or a write (body and
/// idempotency key).
struct Call<'a> {
    path: &'a str,
    etag: Option<&'a str>,
    write: Option<(&'a str, &'a str)>,
}

/// A raw answer.
enum Raw {
    /// 304: the cached answer still holds.
    NotModified,
    /// A 2xx body (as the browser parsed it) and its ETag.
    Body { body: JsValue, etag: Option<String> },
}

/// A fresh idempotency key for one intended write (a UUID where the browser
/// has `crypto.randomUUID`, random hex otherwise).
pub fn new_idempotency_key() -> String {
    web_sys::window()
        .and_then(|window| window.crypto().ok())
        .map(|crypto| crypto.random_uuid())
        .unwrap_or_else(|| {
            (0..4)
                .map(|_| format!("{:08x}", (js_sys::Math::random() * 4_294_967_296.0) as u64))
                .collect()
        })
}

/// Decodes what the browser parsed into a checked contract value. Each
/// optional part left out (a malformed date, link, entry or block; see
/// [`contract::accept_noting`]) is named in one console line per page, with
/// the route it came from.
pub fn from_js<T: DeserializeOwned + Checked>(
    value: JsValue,
    path: &str,
) -> Result<T, DecodeError> {
    let mut left_out = Vec::new();
    let value = contract::accept_noting(serde_wasm_bindgen::from_value(value), &mut left_out)?;
    report_left_out(&left_out, path);
    Ok(value)
}

/// The console lines of [`from_js`], once for every type.
#[inline(never)]
fn report_left_out(left_out: &[&str], path: &str) {
    for field in left_out {
        console::warn_once(&format!(
            "left out {field} of {}{path}: not a value the contract allows",
            contract::API_PREFIX
        ));
    }
}

/// The body of an answer that must have one (a read without an ETag, or a
/// write).
fn body_of(raw: Raw) -> Result<JsValue, ApiError> {
    match raw {
        Raw::Body { body, .. } => Ok(body),
        Raw::NotModified => Err(ApiError::Network("unexpected 304".to_owned())),
    }
}

/// A request body as JSON text: serde_wasm_bindgen makes the JS object and
/// the browser's `JSON.stringify` writes it.
fn to_json(body: &impl Serialize) -> Result<String, ApiError> {
    let value = serde_wasm_bindgen::to_value(body).map_err(|err| network(err.into()))?;
    js_sys::JSON::stringify(&value)
        .map(String::from)
        .map_err(network)
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

/// A browser error as a network failure.
fn network(error: JsValue) -> ApiError {
    ApiError::Network(format!("{error:?}"))
}

/// An answer's body as the browser's JSON parser read it.
enum Body {
    /// Complete JSON.
    Json(JsValue),
    /// Empty, cut off, or not JSON at all (an HTML error page).
    NotJson,
}

/// A whole answer: status, headers and parsed body.
struct Answer {
    status: u16,
    headers: web_sys::Headers,
    body: Body,
}

impl Answer {
    fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).ok().flatten()
    }

    /// Reads a response's status, headers and whole body (the browser's
    /// JSON parser).
    async fn read(response: web_sys::Response) -> Result<Answer, JsValue> {
        let status = response.status();
        let headers = response.headers();
        // Not gloo-net's `Response::json`: that would bring serde_json.
        let body = if status == 304 {
            Body::NotJson
        } else {
            match JsFuture::from(response.json()?).await {
                Ok(value) => Body::Json(value),
                Err(error) if error.is_instance_of::<js_sys::SyntaxError>() => Body::NotJson,
                Err(error) => return Err(error),
            }
        };
        Ok(Answer {
            status,
            headers,
            body,
        })
    }
}

/// Sends a request (never from the HTTP cache: the client keeps its own, see
/// [`cache`]) and reads its whole body with the browser's JSON parser,
/// abandoning both after [`TIMEOUT_MS`]: a body that stalls half-way times
/// out like a silent server.
async fn fetch(request: RequestBuilder, body: Option<&str>) -> Result<Answer, ApiError> {
    let controller = AbortController::new().map_err(network)?;
    let signal = controller.signal();
    let timer = gloo_timers::callback::Timeout::new(TIMEOUT_MS, move || controller.abort());
    let request = request
        .cache(RequestCache::NoStore)
        .abort_signal(Some(&signal));
    let result = async {
        let request = match body {
            Some(body) => request.body(body),
            None => request.build(),
        }
        .map_err(|err| JsValue::from_str(&err.to_string()))?;
        let response = request
            .send()
            .await
            .map_err(|err| JsValue::from_str(&err.to_string()))?;
        Answer::read(response.into()).await
    }
    .await;
    let timed_out = signal.aborted();
    drop(timer);
    result.map_err(|error| {
        if timed_out {
            ApiError::Timeout
        } else {
            network(error)
        }
    })
}

/// An answer the loader asked for and read whole while the WebAssembly was
/// still loading: `{status, headers, json, body}`, `json` saying whether
/// `body` is the parsed JSON (see `readAhead` in the loader). Read ahead, it
/// is taken over without waiting for another task of the page.
#[derive(serde::Deserialize)]
struct EarlyAnswer {
    status: u16,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    headers: web_sys::Headers,
    json: bool,
    #[serde(with = "serde_wasm_bindgen::preserve", default)]
    body: JsValue,
}

/// Takes over an answer the loader asked for (see [`HeadStart`]); the
/// loader's request carries the same [`TIMEOUT_MS`] as an abort signal.
async fn adopt(answer: js_sys::Promise) -> Result<Answer, ApiError> {
    let result = async {
        let early: EarlyAnswer = serde_wasm_bindgen::from_value(JsFuture::from(answer).await?)?;
        Ok::<_, JsValue>(Answer {
            status: early.status,
            headers: early.headers,
            body: if early.json {
                Body::Json(early.body)
            } else {
                Body::NotJson
            },
        })
    }
    .await;
    result.map_err(|error| {
        let name = js_sys::Reflect::get(&error, &"name".into()).ok();
        if name.and_then(|name| name.as_string()).as_deref() == Some("TimeoutError") {
            ApiError::Timeout
        } else {
            network(error)
        }
    })
}
