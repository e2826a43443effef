//! The one typed client for the loyalty endpoint: the routes it calls.
//!
//! One file per concern:
//!
//! - `reads.rs`: reads through the per-visit cache (fresh copies used as
//!   they are, older ones revalidated with their ETag, kept on screen when
//!   the endpoint cannot be asked).
//! - `writes.rs`: writes carry an `Idempotency-Key` and are retried only
//!   with that same key, so the endpoint applies each of them exactly once
//!   whatever the network does.
//! - `request.rs`: one attempt: the request built and sent through gloo-net
//!   with a timeout, the answer read by the browser's own JSON parser
//!   (`Response.json()`, so no JSON parser ships in the WebAssembly) and
//!   checked by the contract ([`loyalty_core::contract::accept_noting`]).
//! - `retry.rs`: bounded retries with jittered backoff ([`RetryPolicy`]) and
//!   one token refresh on a 401.
//! - `token.rs`: where the customer token comes from, and its refresh.
//! - `first_answers.rs`: the answers the loader asked for while the
//!   WebAssembly was still loading, taken over once.
//!
//! Why a call failed and what that means (retry, outcome unknown, refused,
//! sign in again) is decided in the core: [`ApiError`].
//!
//! [`RetryPolicy`]: loyalty_core::retry::RetryPolicy

mod first_answers;
mod reads;
mod request;
mod retry;
mod token;
mod writes;

pub use first_answers::HeadStart;
pub use loyalty_core::error::ApiError;
pub use loyalty_core::retry::TIMEOUT_MS;
pub use reads::{Fetched, FRESH_MS};
pub use request::from_js;
pub use token::{token_subject, TokenFunction, TokenSource};
pub use writes::new_idempotency_key;

use crate::edge::cache;
use loyalty_core::contract::{
    ActivityPage, Checked, JoinRequest, Membership, Offers, Program, RedeemRequest, Redemption,
    RedemptionPage, ReferralInvite, Summary,
};
use loyalty_core::i18n::Lang;
use loyalty_core::retry::RetryPolicy;
use send_wrapper::SendWrapper;
use serde::de::DeserializeOwned;
use std::sync::{Arc, Mutex};

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

    /// Whether a customer is (or can be) signed in; otherwise guest mode.
    pub fn has_customer(&self) -> bool {
        self.token().is_some() || self.source.can_refresh()
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

    /// `GET /v1/customer` from the endpoint, never from the visit cache:
    /// the balance after a redemption whose answer did not carry it.
    pub async fn fresh_summary(&self) -> Result<Summary, ApiError> {
        cache::remove(&self.cache_key("/customer"));
        self.cached("/customer")
            .await
            .map(|fetched: Fetched<Summary>| fetched.value)
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

    /// A read, decoded and checked.
    pub async fn get<T: DeserializeOwned + Checked>(&self, path: &str) -> Result<T, ApiError> {
        Ok(from_js(self.get_body(path).await?, path)?)
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
}
