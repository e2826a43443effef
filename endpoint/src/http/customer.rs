//! The customer contract, `/v1/...` (`openapi/loyalty-v1.json`): what the
//! widget reads (program, summary, offers, history, referral invites) with
//! ETags, and its two writes (redeem, join the club), each applied once
//! per `Idempotency-Key`.

use super::edge::RequestId;
use super::error::{error, json, retry_after, AppError};
use super::extract::{Customer, IdempotencyKey, JsonBody};
use super::issuing;
use super::state::{begin_idempotent, finish_idempotent, now, write, AppState, Begun};
use crate::domain::idempotency::{self, fingerprint, Stored};
use crate::domain::language::Language;
use crate::domain::{account, rewards};
use crate::telemetry;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use loyalty_core::contract::{
    ErrorBody, ErrorCode, JoinRequest, RedeemRequest, Redemption, ReferralInvite,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The query every contract route takes.
#[derive(Deserialize)]
pub(crate) struct LangQuery {
    lang: Option<String>,
    page: Option<u32>,
}

impl LangQuery {
    /// The language negotiated for a `lang` that [`languages`] let through.
    fn lang(&self, state: &AppState) -> Language {
        state.program.language(self.lang.as_deref())
    }
}

/// The last page `GET /v1/activity` answers (the contract's `maximum`).
pub const MAX_PAGE: u32 = 1_000_000;

/// Whether `tag` is a language tag as the contract's `LanguageTag` states
/// it: `^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$`, at most 35 characters.
pub fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    tag.len() <= 35
        && (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|part| {
            (1..=8).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// In front of every route that takes `lang`: a malformed tag, or `lang`
/// given twice, is refused (400); otherwise the answer says in
/// `Content-Language` which language it is in: the first of the tag's
/// fallback chain the program has (`pt-BR`, `pt`; Norwegian to `nb`),
/// else the program's default language.
pub(crate) async fn languages(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let query = request.uri().query().unwrap_or_default();
    let tags: Vec<String> = form_urlencoded::parse(query.as_bytes())
        .filter(|(name, _)| name == "lang")
        .map(|(_, value)| value.into_owned())
        .collect();
    let lang = match tags.as_slice() {
        [] => state.program.language(None),
        [tag] if is_language_tag(tag) => state.program.language(Some(tag)),
        [_] => {
            return error(
                400,
                ErrorCode::BadRequest,
                "lang must be a language tag such as de, en or de-AT",
            )
        }
        _ => return error(400, ErrorCode::BadRequest, "lang is given more than once"),
    };
    let mut response = next.run(request).await;
    let status = response.status();
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        if let Ok(value) = HeaderValue::from_str(&lang.tag) {
            response
                .headers_mut()
                .insert(header::CONTENT_LANGUAGE, value);
        }
    }
    response
}

/// `GET /v1/health`.
pub(crate) async fn health() -> Response {
    json(200, r#"{"ok":true}"#.to_owned())
}

/// `GET /v1/program`.
pub(crate) async fn program(
    State(state): State<Arc<AppState>>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let program = account::program(&q.lang(&state), &state.program)?;
    Ok(with_etag(&headers, serde_json::to_string(&program)?))
}

/// Sends `body` with a strong ETag, or 304 if the client already has it.
fn with_etag(headers: &HeaderMap, body: String) -> Response {
    let etag = format!("\"{:x}\"", Sha256::digest(body.as_bytes()));
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.split(',').any(|tag| tag.trim() == etag));
    let mut response = if matches {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache"),
        );
        response
    } else {
        json(200, body)
    };
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// `GET /v1/customer`.
pub(crate) async fn summary(
    State(state): State<Arc<AppState>>,
    Customer(id): Customer,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let today = state.today();
    let shop_url = &state.config.shop_url;
    let lang = q.lang(&state);
    let read = || async {
        let mut conn = state.store.read().await?;
        let db = &mut conn.db();
        Ok::<_, AppError>(account::summary(db, &id, &lang, shop_url, &state.program, today).await)
    };
    let summary = met(&state, &id, read).await?;
    Ok(with_etag(&headers, serde_json::to_string(&summary)?))
}

/// Whether `err` says the token's customer is not known here.
fn unknown(err: &crate::domain::Error) -> bool {
    matches!(err, crate::domain::Error::Refused(ErrorCode::NotFound, _))
}

/// A customer the shop vouches for (a valid token) whom the program has not
/// met yet (a new shop account, no order yet) signs up the first time they
/// look, as the admin API's sign-up does: a member, with the welcome bonus.
async fn meet(state: &Arc<AppState>, id: &str) -> Result<(), AppError> {
    let id = id.to_owned();
    write(state, move |state| async move {
        let mut tx = state.store.write().await?;
        let input = crate::domain::shop::CustomerInput::default();
        let today = state.today();
        crate::domain::shop::upsert_customer(&mut tx.db(), &id, &input, &state.program, today)
            .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// `read` for the token's customer, who is met first when the program does
/// not know them yet ([`meet`]).
async fn met<T, F, Fut>(state: &Arc<AppState>, id: &str, read: F) -> Result<T, AppError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<crate::domain::Result<T>, AppError>>,
{
    match read().await? {
        Err(err) if unknown(&err) => {
            meet(state, id).await?;
            Ok(read().await??)
        }
        other => Ok(other?),
    }
}

/// `GET /v1/offers`.
pub(crate) async fn offers(
    State(state): State<Arc<AppState>>,
    Customer(id): Customer,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let today = state.today();
    let lang = q.lang(&state);
    let read = || async {
        let mut conn = state.store.read().await?;
        let db = &mut conn.db();
        Ok::<_, AppError>(account::offers(db, &id, &lang, &state.program, today).await)
    };
    let offers = met(&state, &id, read).await?;
    Ok(with_etag(&headers, serde_json::to_string(&offers)?))
}

/// `GET /v1/activity?page=N`.
pub(crate) async fn activity(
    State(state): State<Arc<AppState>>,
    Customer(id): Customer,
    Query(q): Query<LangQuery>,
) -> Result<Response, AppError> {
    let today = state.today();
    let page = q.page.unwrap_or(1);
    if !(1..=MAX_PAGE).contains(&page) {
        return Err(AppError::bad_request(format!(
            "page must be 1 to {MAX_PAGE}"
        )));
    }
    let lang = q.lang(&state);
    let program = &state.program;
    let read = || async {
        let mut conn = state.store.read().await?;
        let db = &mut conn.db();
        Ok::<_, AppError>(account::activity(db, &id, page, &lang, program, today).await)
    };
    let page = met(&state, &id, read).await?;
    Ok(json(200, serde_json::to_string(&page)?))
}

/// The answer to an idempotent write, marked when it is a replay.
pub(crate) fn stored_response(stored: Stored) -> Response {
    let mut response = json(stored.status, stored.body);
    if stored.replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}

/// `POST /v1/redemptions`: the points are taken (reserved, with a
/// platform) in one write with the key's record; with a platform, the code
/// is then made there within the budget and the outcome recorded, and the
/// key answers with it (`200` with the code, `409 reward_not_issued` with
/// the points back, or `202` still pending). The whole runs to its end on a
/// task of its own.
pub(crate) async fn redeem(
    State(state): State<Arc<AppState>>,
    Customer(id): Customer,
    IdempotencyKey(key): IdempotencyKey,
    Extension(RequestId(request)): Extension<RequestId>,
    Query(q): Query<LangQuery>,
    body: JsonBody<RedeemRequest>,
) -> Result<Response, AppError> {
    let lang = q.lang(&state);
    let tag = telemetry::customer_tag(&id);
    let reward_id = body.value.reward_id.clone();
    let task = tokio::spawn(redeem_to_end(state, id, key, request, lang, body));
    let result = task
        .await
        .map_err(|err| AppError::Internal(format!("a redeem stopped: {err}")))?;
    let outcome = match &result {
        Ok(stored) if stored.replayed => "replayed",
        Ok(stored) if stored.status < 300 => "redeemed",
        Ok(stored) => serde_json::from_str::<ErrorBody>(&stored.body)
            .map_or("refused", |body| body.error.code.as_str()),
        Err(AppError::Refused(_, code, _)) => code.as_str(),
        Err(AppError::Internal(_)) => "failed",
    };
    let outcome = match &result {
        Ok(stored) if stored.status == 202 && !stored.replayed => "pending",
        _ => outcome,
    };
    metrics::counter!("loyalty_redemptions_total", "outcome" => outcome).increment(1);
    tracing::info!(customer = %tag, reward = ?reward_id, outcome, "redemption");
    Ok(stored_response(result?))
}

/// [`redeem`]'s work: reserve, issue, answer what the key now holds.
async fn redeem_to_end(
    state: Arc<AppState>,
    id: String,
    key: String,
    request: String,
    lang: Language,
    body: JsonBody<RedeemRequest>,
) -> Result<Stored, AppError> {
    let print = fingerprint(&body.raw);
    let reserved = {
        let (id, key, print, request) = (id.clone(), key.clone(), print.clone(), request.clone());
        write(&state, move |state| async move {
            let mut tx = match begin_idempotent(&state, &id, &key, &print).await? {
                Begun::Replay(stored) => return Ok(stored),
                Begun::New(tx) => tx,
            };
            let (program, today) = (&state.program, state.today());
            let issuing = account::Issuing {
                key: &key,
                now: i64::try_from(now()).unwrap_or(i64::MAX),
                platform: state.config.issuing.platform.as_ref(),
            };
            let reward = &body.value.reward_id;
            let result =
                account::redeem(&mut tx.db(), &id, reward, &lang, program, today, &issuing).await;
            let answer =
                result.and_then(|(status, done)| Ok((status, serde_json::to_string(&done)?)));
            finish_idempotent(tx, &id, &key, &print, &request, answer).await
        })
        .await?
    };
    if reserved.status != 202 {
        return Ok(reserved);
    }
    // Pending: make the code (a replay finishes what a lost request left).
    let redemption: Redemption = serde_json::from_str(&reserved.body)?;
    issuing::issue(&state, &redemption.id, Some(&request)).await?;
    let mut conn = state.store.read().await?;
    let now = idempotency::seen(&mut conn.db(), &id, &key, &print).await?;
    Ok(match now {
        Some(stored) => Stored {
            replayed: reserved.replayed,
            ..stored
        },
        None => reserved,
    })
}

/// `GET /v1/redemptions?page=N`: the customer's redemptions and their
/// codes, newest first.
pub(crate) async fn redemptions(
    State(state): State<Arc<AppState>>,
    Customer(id): Customer,
    Query(q): Query<LangQuery>,
) -> Result<Response, AppError> {
    let page = q.page.unwrap_or(1);
    if !(1..=MAX_PAGE).contains(&page) {
        return Err(AppError::bad_request(format!(
            "page must be 1 to {MAX_PAGE}"
        )));
    }
    let mut conn = state.store.read().await?;
    match account::known(&mut conn.db(), &id).await {
        Err(err) if unknown(&err) => meet(&state, &id).await?,
        other => other?,
    }
    let platform = state.config.issuing.platform.as_ref();
    let list = rewards::list(
        &mut conn.db(),
        &id,
        page,
        &q.lang(&state),
        &state.program,
        platform,
    )
    .await?;
    Ok(json(200, serde_json::to_string(&list)?))
}

/// `POST /v1/club/join`.
pub(crate) async fn join(
    State(state): State<Arc<AppState>>,
    Customer(id): Customer,
    IdempotencyKey(key): IdempotencyKey,
    Extension(RequestId(request)): Extension<RequestId>,
    body: JsonBody<JoinRequest>,
) -> Result<Response, AppError> {
    let stored = write(&state, move |state| async move {
        let print = fingerprint(&body.raw);
        let mut tx = match begin_idempotent(&state, &id, &key, &print).await? {
            Begun::Replay(stored) => return Ok(stored),
            Begun::New(tx) => tx,
        };
        let (program, today) = (&state.program, state.today());
        let consent = body.value.consent;
        let result = account::join(&mut tx.db(), &id, consent, program, today).await;
        let answer = result.and_then(|done| Ok((200, serde_json::to_string(&done)?)));
        finish_idempotent(tx, &id, &key, &print, &request, answer).await
    })
    .await?;
    Ok(stored_response(stored))
}

/// `GET /v1/referrals/{code}`: public and rate-limited per client address
/// (a code is short: guessing many is what the limit stops).
pub(crate) async fn referral_invite(
    State(state): State<Arc<AppState>>,
    Path(code): Path<String>,
    Query(q): Query<LangQuery>,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
) -> Response {
    let client = peer.map_or(std::net::IpAddr::from([0, 0, 0, 0]), |p| p.0 .0.ip());
    if let Err(seconds) = state.lookups.take(client) {
        let response = error(429, ErrorCode::RateLimited, "too many referral lookups");
        return retry_after(response, seconds);
    }
    if code.is_empty() || code.len() > 64 {
        return error(404, ErrorCode::NotFound, "no such referral code");
    }
    let found = async {
        let mut conn = state.store.read().await?;
        Ok::<_, AppError>(account::referrer(&mut conn.db(), &code).await?)
    };
    let (code, first_name) = match found.await {
        Ok(found) => found,
        Err(err) => return err.into_response(),
    };
    let program = &state.program;
    let lang = q.lang(&state);
    let pick = |text: &crate::domain::program::Text| text.get(&lang).to_owned();
    let invite = ReferralInvite {
        code,
        program_name: pick(&program.name),
        friend_gift: pick(&program.referral.friend_gift),
        referrer_first_name: first_name.filter(|_| program.referral.show_referrer_name),
    };
    json(200, serde_json::to_string(&invite).unwrap_or_default())
}
