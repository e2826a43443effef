//! The HTTP layer: routes, authentication, CORS, ETags, idempotency headers,
//! request counting and fault injection.

use crate::db::{self, StoreError, Stored};
use crate::faults::{Dice, Faults};
use crate::ledger;
use crate::server::Limits;
use crate::store::{Sql, Store, Target};
use crate::token::{self, TokenError, Verifier};
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, MatchedPath, Path, Query, RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use loyalty_core::contract::{
    ErrorBody, ErrorCode, ErrorDetail, JoinRequest, RedeemRequest, ReferralInvite,
};
use loyalty_core::i18n::Lang;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How the server is set up.
#[derive(Debug, Clone, Default)]
pub struct ServerConfig {
    /// The SQLite file (without `database_url`).
    pub db_path: PathBuf,
    /// A PostgreSQL connection string (`postgres://...`): the store
    /// instead of the SQLite file, shared by several instances.
    pub database_url: Option<String>,
    /// Connections to the store (reads run on as many at once).
    pub db_connections: usize,
    /// The HMAC secret shared with the shop's server (HS256 tokens).
    pub secret: Vec<u8>,
    /// The shop's public key, when it signs tokens with its private key
    /// (EdDSA or RS256): then only it verifies tokens, and the endpoint
    /// cannot mint any.
    pub public_key: Option<Verifier>,
    /// Shop origins allowed to call the API from a browser.
    pub allowed_origins: Vec<String>,
    /// Also allow any `http://127.0.0.1:*` / `http://localhost:*` origin
    /// (development and tests).
    pub allow_loopback_origins: bool,
    /// A folder served at `/` (the demo shop), if any.
    pub static_dir: Option<PathBuf>,
    /// The shop's base URL, for referral links.
    pub shop_url: String,
    /// Whether `PUT /_faults` may change faults at run time.
    pub fault_control: bool,
    /// Faults from start-up.
    pub faults: Faults,
    /// Demo mode: `GET /_demo/token?customer=ID` mints tokens, and the demo
    /// shop page gets a fresh token rendered in (as a shop's server would).
    /// Never turn this on for a real shop.
    pub demo: bool,
    /// Connection, header, body and size limits.
    pub limits: Limits,
    /// The program (a checked program file); the demo program without one.
    pub program: Option<crate::program::Program>,
    /// The Shopify app's secret, when the endpoint answers the shop's app
    /// proxy (`GET /shopify/proxy/token`: [`crate::shopify`]) and takes its
    /// order webhooks (`POST /webhooks/shopify`).
    pub shopify_secret: Option<Vec<u8>>,
    /// The WooCommerce webhooks' secret (`POST /webhooks/woocommerce`).
    pub woocommerce_secret: Option<Vec<u8>>,
    /// The admin API's key (`/admin/v1/...`); no admin API without one.
    pub admin_key: Option<Vec<u8>>,
    /// The ledger's day, pinned (`YYYY-MM-DD`); the real date without.
    pub today: Option<String>,
    /// Whether `PUT /_clock` may move the ledger's day (tests).
    pub clock_control: bool,
}

/// Shared state of a running server.
pub struct AppState {
    config: ServerConfig,
    /// The program in force (installed into the database at start).
    program: crate::program::Program,
    verifier: Verifier,
    /// Connections to the store, used by whichever is free.
    db: Vec<Mutex<Store>>,
    /// Where the next request starts looking for a free connection.
    next: std::sync::atomic::AtomicUsize,
    /// Held by a write from its connection to its commit: writes of this
    /// instance take turns here, not in the store's lock.
    writer: Mutex<()>,
    faults: Mutex<Faults>,
    dice: Dice,
    counts: Mutex<BTreeMap<String, u64>>,
    /// Per-client budgets of the public, unauthenticated lookups.
    lookups: RateLimiter,
    /// The ledger's day when pinned (`--today`, `PUT /_clock`).
    clock: Mutex<Option<i64>>,
}

/// A token bucket per client address: `BURST` requests at once, then one
/// every `1 / PER_SECOND` s. At most `CLIENTS` addresses are tracked; when
/// full, idle ones are forgotten first.
pub struct RateLimiter {
    buckets: Mutex<std::collections::HashMap<std::net::IpAddr, (f64, std::time::Instant)>>,
}

impl RateLimiter {
    const BURST: f64 = 20.0;
    const PER_SECOND: f64 = 0.5;
    const CLIENTS: usize = 10_000;

    fn new() -> RateLimiter {
        RateLimiter {
            buckets: Mutex::new(std::collections::HashMap::new()),
        }
    }

    /// Takes one request from `client`'s budget, or says in how many
    /// seconds one is available again.
    fn take(&self, client: std::net::IpAddr) -> Result<(), u64> {
        let now = std::time::Instant::now();
        let mut buckets = lock(&self.buckets);
        if buckets.len() >= Self::CLIENTS && !buckets.contains_key(&client) {
            let full = Self::BURST;
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * Self::PER_SECOND < full
            });
            if buckets.len() >= Self::CLIENTS {
                buckets.clear();
            }
        }
        let (tokens, at) = buckets.entry(client).or_insert((Self::BURST, now));
        *tokens =
            (*tokens + now.duration_since(*at).as_secs_f64() * Self::PER_SECOND).min(Self::BURST);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / Self::PER_SECOND).ceil() as u64)
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding a lock cannot leave these values half-written.
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

impl AppState {
    /// Opens the database (seeding the demo program if empty).
    pub fn new(config: ServerConfig) -> Result<Arc<AppState>, StoreError> {
        let target = match &config.database_url {
            Some(url) => Target::Postgres(url.clone()),
            None => Target::File(config.db_path.clone()),
        };
        let mut conn = db::open(&target)?;
        let program = match &config.program {
            Some(program) => program.clone(),
            None => crate::program::parse(crate::program::DEMO)
                .map_err(|problems| StoreError::Program(problems.join("; ")))?,
        };
        crate::program::install(&mut conn, &program)?;
        let pinned = match &config.today {
            Some(day) => Some(ledger::parse_date(day).ok_or_else(|| {
                StoreError::Program(format!("--today {day:?} is not a date YYYY-MM-DD"))
            })?),
            None => None,
        };
        let today = pinned.unwrap_or_else(real_today);
        // The demo customers belong to the demo: the built-in program, or
        // --demo. A shop's own program starts with no customers.
        if config.demo || config.program.is_none() {
            crate::seed::seed_if_empty(&mut conn, &program, today)?;
        }
        let mut pool = vec![Mutex::new(conn)];
        for _ in 1..config.db_connections.max(1) {
            pool.push(Mutex::new(db::connect(&target)?));
        }
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(7, |d| d.as_nanos() as u64);
        Ok(Arc::new(AppState {
            faults: Mutex::new(config.faults.clone()),
            verifier: config
                .public_key
                .clone()
                .unwrap_or_else(|| Verifier::secret(&config.secret)),
            config,
            program,
            db: pool,
            next: std::sync::atomic::AtomicUsize::new(0),
            writer: Mutex::new(()),
            dice: Dice::new(seed),
            counts: Mutex::new(BTreeMap::new()),
            lookups: RateLimiter::new(),
            clock: Mutex::new(pinned),
        }))
    }

    /// The ledger's day: pinned, or today's date in UTC.
    pub fn today(&self) -> i64 {
        (*lock(&self.clock)).unwrap_or_else(real_today)
    }

    /// Books what is due in every customer's ledger (expiries,
    /// birthdays); returns how many entries.
    pub fn settle_all(&self) -> Result<i64, StoreError> {
        let today = self.today();
        self.writing(|store| db::settle_all(store, &self.program, today))
    }

    /// The program in force.
    pub fn program(&self) -> &crate::program::Program {
        &self.program
    }

    /// Runs `apply` on a free connection (or waits for one).
    fn on_connection<T>(&self, apply: impl FnOnce(&mut Store) -> T) -> T {
        let count = self.db.len();
        let start = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        for at in 0..count {
            match self.db[(start + at) % count].try_lock() {
                Ok(mut store) => return apply(&mut store),
                Err(std::sync::TryLockError::Poisoned(poisoned)) => {
                    return apply(&mut poisoned.into_inner())
                }
                Err(std::sync::TryLockError::WouldBlock) => {}
            }
        }
        apply(&mut lock(&self.db[start % count]))
    }

    /// Runs a read's `apply` on a connection, off the async scheduler
    /// (queries block; PostgreSQL's client runs its own small runtime).
    fn reading<T>(&self, apply: impl FnOnce(&mut Store) -> T) -> T {
        tokio::task::block_in_place(|| self.on_connection(apply))
    }

    /// Runs a write's `apply` on a connection, one write of this instance
    /// at a time (so they queue here, not in the store's lock).
    pub(crate) fn writing<T>(&self, apply: impl FnOnce(&mut Store) -> T) -> T {
        tokio::task::block_in_place(|| {
            let _turn = lock(&self.writer);
            self.on_connection(apply)
        })
    }

    /// Reads, outside a transaction.
    pub(crate) fn read<T>(
        &self,
        apply: impl FnOnce(&mut dyn Sql) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.reading(|store| store.read(apply))
    }

    /// Writes, in one transaction holding the write lock.
    pub(crate) fn write<T>(
        &self,
        apply: impl FnOnce(&mut dyn Sql) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.writing(|store| store.write(apply))
    }

    /// The configuration.
    pub(crate) fn config(&self) -> &ServerConfig {
        &self.config
    }
}

/// The JSON of an error body.
pub fn error_json(code: ErrorCode, message: &str) -> String {
    serde_json::to_string(&ErrorBody {
        error: ErrorDetail {
            code,
            message: message.to_owned(),
        },
    })
    .unwrap_or_default()
}

pub(crate) fn json(status: u16, body: String) -> Response {
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

pub(crate) fn error(status: u16, code: ErrorCode, message: &str) -> Response {
    json(status, error_json(code, message))
}

/// `response` telling the client to try again in `seconds`.
fn retry_after(mut response: Response, seconds: u64) -> Response {
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// A request refused before it reaches the store (small, unlike a Response).
pub(crate) struct Refusal {
    status: u16,
    code: ErrorCode,
    message: String,
}

impl Refusal {
    fn new(status: u16, code: ErrorCode, message: impl Into<String>) -> Refusal {
        Refusal {
            status,
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        error(self.status, self.code, &self.message)
    }
}

impl IntoResponse for StoreError {
    fn into_response(self) -> Response {
        match self {
            StoreError::Refused(code, message, status) => error(status, code, &message),
            other => {
                eprintln!("loyalty-endpoint: {other}");
                error(500, ErrorCode::Internal, "internal error")
            }
        }
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Today's day number (days since 1970-01-01), in UTC.
fn real_today() -> i64 {
    (now() / 86_400) as i64
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
    page: Option<u32>,
}

impl LangQuery {
    fn lang(&self) -> Lang {
        self.lang.as_deref().map(Lang::from_tag).unwrap_or_default()
    }
}

/// The customer id from a valid bearer token, or the 401 to send.
fn customer(state: &AppState, headers: &HeaderMap) -> Result<String, Refusal> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or_else(|| {
            Refusal::new(401, ErrorCode::Unauthorized, "a customer token is required")
        })?;
    state
        .verifier
        .verify(token.trim(), now())
        .map(|claims| claims.sub)
        .map_err(|err| match err {
            TokenError::Expired => Refusal::new(401, ErrorCode::TokenExpired, "token expired"),
            other => Refusal::new(401, ErrorCode::Unauthorized, other.to_string()),
        })
}

async fn program(
    State(state): State<Arc<AppState>>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let result = state.read(|sql| db::program(sql, q.lang(), &state.program));
    match result {
        Ok(program) => with_etag(
            &headers,
            serde_json::to_string(&program).unwrap_or_default(),
        ),
        Err(err) => err.into_response(),
    }
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

async fn summary(
    State(state): State<Arc<AppState>>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let id = match customer(&state, &headers) {
        Ok(id) => id,
        Err(refusal) => return refusal.into_response(),
    };
    let today = state.today();
    let result = state.read(|sql| {
        db::summary(
            sql,
            &id,
            q.lang(),
            &state.config.shop_url,
            &state.program,
            today,
        )
    });
    match result {
        Ok(summary) => with_etag(
            &headers,
            serde_json::to_string(&summary).unwrap_or_default(),
        ),
        Err(err) => err.into_response(),
    }
}

async fn offers(
    State(state): State<Arc<AppState>>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let id = match customer(&state, &headers) {
        Ok(id) => id,
        Err(refusal) => return refusal.into_response(),
    };
    let today = state.today();
    let result = state.read(|sql| db::offers(sql, &id, q.lang(), &state.program, today));
    match result {
        Ok(offers) => with_etag(&headers, serde_json::to_string(&offers).unwrap_or_default()),
        Err(err) => err.into_response(),
    }
}

async fn activity(
    State(state): State<Arc<AppState>>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let id = match customer(&state, &headers) {
        Ok(id) => id,
        Err(refusal) => return refusal.into_response(),
    };
    let today = state.today();
    let result = state.read(|sql| db::activity(sql, &id, q.page.unwrap_or(1), q.lang(), today));
    match result {
        Ok(page) => json(200, serde_json::to_string(&page).unwrap_or_default()),
        Err(err) => err.into_response(),
    }
}

/// Longest accepted `Idempotency-Key`.
const MAX_KEY: usize = 200;

pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<String, Refusal> {
    let key = headers
        .get("idempotency-key")
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .unwrap_or_default();
    if key.is_empty() || key.len() > MAX_KEY {
        return Err(Refusal::new(
            400,
            ErrorCode::BadRequest,
            "an Idempotency-Key header (1 to 200 characters) is required",
        ));
    }
    Ok(key.to_owned())
}

pub(crate) fn stored_response(stored: Stored) -> Response {
    let mut response = json(stored.status, stored.body);
    if stored.replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}

/// A request body: a JSON object of type `T`, nothing else. serde reads a
/// struct from a JSON array too (`["r-5eur"]` as `{"reward_id": "r-5eur"}`),
/// so the shape is checked first.
pub(crate) fn json_object<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Refusal> {
    let invalid =
        |why: String| Refusal::new(400, ErrorCode::BadRequest, format!("invalid body: {why}"));
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|err| invalid(err.to_string()))?;
    if !value.is_object() {
        return Err(invalid("the body must be a JSON object".to_owned()));
    }
    serde_json::from_value(value).map_err(|err| invalid(err.to_string()))
}

/// Runs a write once per key: authentication, key, body, transaction.
fn write<T: serde::de::DeserializeOwned>(
    state: &AppState,
    headers: &HeaderMap,
    body: &Bytes,
    apply: impl FnOnce(&mut dyn Sql, &str, T) -> Result<String, StoreError>,
) -> Response {
    let id = match customer(state, headers) {
        Ok(id) => id,
        Err(refusal) => return refusal.into_response(),
    };
    let key = match idempotency_key(headers) {
        Ok(key) => key,
        Err(refusal) => return refusal.into_response(),
    };
    let request: T = match json_object(body) {
        Ok(request) => request,
        Err(refusal) => return refusal.into_response(),
    };
    let fingerprint = String::from_utf8_lossy(body).into_owned();
    let result = state.writing(|store| {
        db::idempotent(store, &id, &key, &fingerprint, |tx| {
            apply(tx, &id, request).map(|body| (200, body))
        })
    });
    match result {
        Ok(stored) => stored_response(stored),
        Err(err) => err.into_response(),
    }
}

async fn redeem(
    State(state): State<Arc<AppState>>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = q.lang();
    let today = state.today();
    write(&state, &headers, &body, |tx, id, request: RedeemRequest| {
        let redemption = db::redeem(tx, id, &request.reward_id, lang, &state.program, today)?;
        Ok(serde_json::to_string(&redemption)?)
    })
}

async fn join(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    let today = state.today();
    write(&state, &headers, &body, |tx, id, request: JoinRequest| {
        let membership = db::join(tx, id, request.consent, &state.program, today)?;
        Ok(serde_json::to_string(&membership)?)
    })
}

async fn health() -> Response {
    json(200, r#"{"ok":true}"#.to_owned())
}

/// The largest body `PUT /_faults` (a test-only route) takes: the faults
/// carry whole hostile answers, the browser tests' largest about 4 MB.
const FAULTS_BODY_LIMIT: usize = 16 * 1024 * 1024;

async fn set_faults(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    match json_object::<Faults>(&body) {
        Ok(faults) => {
            *lock(&state.faults) = faults;
            json(200, r#"{"ok":true}"#.to_owned())
        }
        Err(refusal) => refusal.into_response(),
    }
}

/// `GET /_stats`: requests per route since the last reset, and what the
/// database holds (for tests and the benchmark).
async fn stats(State(state): State<Arc<AppState>>) -> Response {
    let requests = lock(&state.counts).clone();
    let db = state.read(|sql| {
        Ok(serde_json::json!({
            "redemptions": db::count(sql, "redemptions").unwrap_or(-1),
            "club_members": db::count(sql, "customers WHERE club_member = 1").unwrap_or(-1),
        }))
    });
    let db = db.unwrap_or_default();
    json(
        200,
        serde_json::json!({ "requests": requests, "db": db }).to_string(),
    )
}

/// `PUT /_clock` with `{"today": "YYYY-MM-DD"}`: moves the ledger's day
/// (tests: pending points, expiry, birthdays).
async fn set_clock(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    #[derive(Deserialize)]
    struct Clock {
        today: String,
    }
    let clock: Clock = match json_object(&body) {
        Ok(clock) => clock,
        Err(refusal) => return refusal.into_response(),
    };
    match ledger::parse_date(&clock.today) {
        Some(day) => {
            *lock(&state.clock) = Some(day);
            json(200, serde_json::json!({ "today": clock.today }).to_string())
        }
        None => error(
            400,
            ErrorCode::BadRequest,
            "today must be a date YYYY-MM-DD",
        ),
    }
}

async fn reset_stats(State(state): State<Arc<AppState>>) -> Response {
    lock(&state.counts).clear();
    json(200, r#"{"ok":true}"#.to_owned())
}

fn allowed_origin(config: &ServerConfig, origin: &str) -> bool {
    let loopback = ["http://127.0.0.1:", "http://localhost:", "http://[::1]:"];
    config
        .allowed_origins
        .iter()
        .any(|allowed| allowed == origin)
        || (config.allow_loopback_origins
            && loopback.iter().any(|prefix| {
                origin.strip_prefix(prefix).is_some_and(|port| {
                    !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())
                })
            }))
}

fn cors_headers(headers: &mut HeaderMap, origin: &HeaderValue) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("authorization, content-type, idempotency-key, if-none-match"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, PUT, DELETE, OPTIONS"),
    );
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("etag, retry-after, idempotent-replayed"),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
}

/// The header names a preflight asks for (`Access-Control-Request-Headers`)
/// with the contract's own, when every one of them is a plain header name.
fn requested_headers(headers: &HeaderMap) -> Option<HeaderValue> {
    let asked = headers
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)?
        .to_str()
        .ok()?;
    let names: Vec<&str> = asked
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .collect();
    let plain = |name: &&str| {
        name.len() <= 100
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    };
    if names.is_empty() || names.len() > 50 || !names.iter().all(plain) {
        return None;
    }
    let list = format!(
        "authorization, content-type, idempotency-key, if-none-match, {}",
        names.join(", ").to_ascii_lowercase()
    );
    HeaderValue::from_str(&list).ok()
}

/// A body that fails after the headers: the connection drops mid-answer.
fn dropped() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("injected connection drop"))
    });
    let mut response = Response::new(Body::from_stream(stream));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// CORS, request counting and faults, around every route.
/// The methods counted by name; any other is counted as `OTHER`.
const KNOWN_METHODS: [Method; 7] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::DELETE,
    Method::PATCH,
    Method::OPTIONS,
];

/// Every error in the contract's one JSON shape, wherever it arose: a
/// rejected query string or body, an unknown route or method, a body too
/// large or too slow, a panic. Handlers' own errors are JSON already.
async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if is_json {
        return response;
    }
    let code = match status.as_u16() {
        401 => ErrorCode::Unauthorized,
        404 => ErrorCode::NotFound,
        429 => ErrorCode::RateLimited,
        400..=499 => ErrorCode::BadRequest,
        _ => ErrorCode::Internal,
    };
    let (parts, body) = response.into_parts();
    // The framework's own words say what was wrong (for 4xx): kept, short.
    let said = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let said = String::from_utf8_lossy(&said);
    let message = match said.trim() {
        text if status.is_client_error() && !text.is_empty() && !text.starts_with('<') => {
            text.chars().take(300).collect::<String>()
        }
        _ => status.canonical_reason().unwrap_or("error").to_lowercase(),
    };
    let mut response = error(status.as_u16(), code, &message);
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(value) = parts.headers.get(&name) {
            response.headers_mut().insert(name, value.clone());
        }
    }
    response
}

async fn edge(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .filter(|value| {
            value
                .to_str()
                .is_ok_and(|o| allowed_origin(&state.config, o))
        })
        .cloned();
    if method == Method::OPTIONS {
        let mut response = StatusCode::NO_CONTENT.into_response();
        if let Some(origin) = &origin {
            cors_headers(response.headers_mut(), origin);
            // A shop page's own scripts (analytics fetch wrappers, tracing)
            // add headers to every request: an allowed origin may send
            // whatever header names its preflight asks for.
            if let Some(asked) = requested_headers(request.headers()) {
                response
                    .headers_mut()
                    .insert(header::ACCESS_CONTROL_ALLOW_HEADERS, asked);
            }
        }
        return response;
    }
    // Counted by route template, never by raw path: the counters stay a
    // handful whatever paths clients make up.
    if state.config.fault_control {
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map_or("(no route)", MatchedPath::as_str);
        let method = if KNOWN_METHODS.contains(&method) {
            method.as_str()
        } else {
            "OTHER"
        };
        *lock(&state.counts)
            .entry(format!("{method} {route}"))
            .or_default() += 1;
    }
    let (faults, active, fail_now, drop_now) = {
        let mut current = lock(&state.faults);
        let active = current.applies(method.as_str(), &path);
        let fail_now = active && current.fail_next > 0;
        if fail_now {
            current.fail_next -= 1;
        }
        let drop_now = active && !fail_now && current.drop_next > 0;
        if drop_now {
            current.drop_next -= 1;
        }
        (current.clone(), active, fail_now, drop_now)
    };
    if active && faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    // A body announced larger than the limit is refused before it is read.
    let limits = &state.config.limits;
    let limit = if request.uri().path().starts_with("/webhooks/") {
        limits.max_webhook_body
    } else if request.uri().path() == "/_faults" {
        FAULTS_BODY_LIMIT
    } else {
        limits.max_body
    };
    let too_large = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok())
        .is_some_and(|length| length > limit as u64);
    let mut response = if too_large {
        error(
            413,
            ErrorCode::BadRequest,
            &format!("the body is larger than {limit} bytes"),
        )
    } else if fail_now || (active && state.dice.roll(faults.error_rate)) {
        let status = faults.error_status.unwrap_or(500);
        let code = if status == 429 {
            ErrorCode::RateLimited
        } else {
            ErrorCode::Internal
        };
        let response = error(status, code, "injected fault");
        match faults.retry_after {
            Some(seconds) => retry_after(response, seconds),
            None => response,
        }
    } else {
        let response = next.run(request).await;
        let replacement = faults
            .bodies
            .get(&path)
            .filter(|_| response.status().is_success());
        if drop_now || (active && state.dice.roll(faults.drop_rate)) {
            dropped()
        } else if let Some(body) = replacement {
            let (parts, _) = response.into_parts();
            let mut response = Response::from_parts(parts, Body::from(body.clone()));
            response.headers_mut().remove(header::CONTENT_LENGTH);
            response.headers_mut().remove(header::ETAG);
            response
        } else if active && response.status().is_success() && state.dice.roll(faults.malformed_rate)
        {
            let (parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, 1 << 22)
                .await
                .unwrap_or_default();
            let half = bytes.slice(..bytes.len() / 2);
            let mut response = Response::from_parts(parts, Body::from(half));
            response.headers_mut().remove(header::CONTENT_LENGTH);
            response
        } else {
            response
        }
    };
    if let Some(origin) = &origin {
        cors_headers(response.headers_mut(), origin);
    }
    response
}

#[derive(Deserialize)]
struct DemoQuery {
    customer: Option<String>,
    lang: Option<String>,
    theme: Option<String>,
}

/// Demo customer for a query: `?customer=` (empty for a guest) or Anna.
fn demo_customer(q: &DemoQuery) -> Option<String> {
    match q.customer.as_deref() {
        None => Some("cust-anna".to_owned()),
        Some("") => None,
        Some(id) => Some(id.to_owned()),
    }
}

async fn demo_token(State(state): State<Arc<AppState>>, Query(q): Query<DemoQuery>) -> Response {
    let Some(customer) = demo_customer(&q) else {
        return error(400, ErrorCode::BadRequest, "customer is required");
    };
    let token = token::mint(&state.config.secret, &customer, now(), 900);
    json(200, serde_json::json!({ "token": token }).to_string())
}

/// The demo shop page with a token for the chosen customer rendered into the
/// embed, like a shop's server renders it for the signed-in customer.
async fn demo_page(State(state): State<Arc<AppState>>, Query(q): Query<DemoQuery>) -> Response {
    render_demo(&state, "index.html", &q)
}

/// An embed example (`/examples/NAME.html`), rendered like the demo shop.
async fn example_page(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    Query(q): Query<DemoQuery>,
) -> Response {
    let plain = name.strip_suffix(".html").is_some_and(|stem| {
        !stem.is_empty()
            && stem
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    });
    if !plain {
        return error(404, ErrorCode::NotFound, "no such example");
    }
    render_demo(&state, &format!("examples/{name}"), &q)
}

/// A page from the static directory with the demo placeholders filled in.
fn render_demo(state: &AppState, file: &str, q: &DemoQuery) -> Response {
    let Some(dir) = &state.config.static_dir else {
        return error(404, ErrorCode::NotFound, "no demo shop");
    };
    let Ok(html) = std::fs::read_to_string(dir.join(file)) else {
        return error(404, ErrorCode::NotFound, "demo page not built");
    };
    let token = demo_customer(q)
        .map(|customer| token::mint(&state.config.secret, &customer, now(), 900))
        .unwrap_or_default();
    // Only known values reach the page: these land in HTML attributes.
    let lang = match q.lang.as_deref() {
        Some("en") => "en",
        _ => "de",
    };
    let theme = match q.theme.as_deref() {
        Some("light") => "light",
        Some("dark") => "dark",
        _ => "auto",
    };
    let html = html
        .replace("__DEMO_TOKEN__", &token)
        .replace("__DEMO_ENDPOINT__", &state.config.shop_url)
        .replace("__DEMO_LANG__", lang)
        .replace("__DEMO_THEME__", theme);
    let mut response = html.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// How long a browser may keep a static file: the widget's hashed files
/// for a year (a new build has new names), the loader (the stable URL
/// shops embed) for five minutes, anything else only after asking again.
pub fn cache_control(path: &str) -> &'static str {
    let Some(name) = path.strip_prefix("/widget/") else {
        return "no-cache";
    };
    if name.starts_with("loyalty-widget-web-") {
        "public, max-age=31536000, immutable"
    } else if name == "loyalty-widget.js" {
        "public, max-age=300"
    } else {
        "no-cache"
    }
}

async fn static_caching(request: Request, next: Next) -> Response {
    let value = cache_control(request.uri().path());
    let mut response = next.run(request).await;
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    response
}

/// `GET /v1/referrals/{code}`: public and rate-limited per client address
/// (a code is short: guessing many is what the limit stops).
async fn referral_invite(
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
    let result = state.read(|sql| db::referrer(sql, &code));
    let (code, first_name) = match result {
        Ok(found) => found,
        Err(err) => return err.into_response(),
    };
    let program = &state.program;
    let pick = |text: &crate::program::Text| match q.lang() {
        Lang::De => text.de.clone(),
        Lang::En => text.en.clone(),
    };
    let invite = ReferralInvite {
        code,
        program_name: pick(&program.name),
        friend_gift: pick(&program.referral.friend_gift),
        referrer_first_name: first_name.filter(|_| program.referral.show_referrer_name),
    };
    json(200, serde_json::to_string(&invite).unwrap_or_default())
}

/// `GET /shopify/proxy/token`: the storefront's `/apps/loyalty/token`
/// through the shop's app proxy. A request Shopify signed, not older than
/// five minutes, gets a token for its `logged_in_customer_id`, a guest's
/// gets `{"token": null}`; anything else is refused.
async fn shopify_token(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> Response {
    let Some(app_secret) = &state.config.shopify_secret else {
        return error(404, ErrorCode::NotFound, "no Shopify app is configured");
    };
    match crate::shopify::verify(app_secret, query.as_deref().unwrap_or_default(), now()) {
        Ok(request) => {
            let token = request
                .customer_id
                .map(|id| token::mint(&state.config.secret, &id, now(), 900));
            let mut response = json(200, serde_json::json!({ "token": token }).to_string());
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            response
        }
        Err(refused) => error(401, ErrorCode::Unauthorized, &refused.to_string()),
    }
}

/// The whole application.
pub fn router(state: Arc<AppState>) -> Router {
    let mut app = Router::new()
        .route("/v1/health", get(health))
        .route("/v1/program", get(program))
        .route("/v1/customer", get(summary))
        .route("/v1/offers", get(offers))
        .route("/v1/activity", get(activity))
        .route("/v1/redemptions", post(redeem))
        .route("/v1/club/join", post(join))
        .route("/v1/referrals/{code}", get(referral_invite));
    if state.config.shopify_secret.is_some() {
        app = app.route("/shopify/proxy/token", get(shopify_token));
    }
    app = crate::admin_routes::routes(app, &state);
    // Test-only routes exist only when asked for.
    if state.config.fault_control {
        app = app
            .route(
                "/_faults",
                put(set_faults).layer(DefaultBodyLimit::max(FAULTS_BODY_LIMIT)),
            )
            .route("/_stats", get(stats).delete(reset_stats));
    }
    if state.config.clock_control {
        app = app.route("/_clock", put(set_clock));
    }
    if state.config.demo {
        app = app
            .route("/_demo/token", get(demo_token))
            .route("/", get(demo_page))
            .route("/index.html", get(demo_page))
            .route("/examples/{name}", get(example_page));
    }
    if let Some(dir) = &state.config.static_dir {
        // As a CDN serves a build: brotli or gzip made ahead by the build
        // (scripts/trunk-post-build.sh), and caching headers by file kind.
        let files = tower_http::services::ServeDir::new(dir)
            .precompressed_br()
            .precompressed_gzip();
        app = app.fallback_service(
            Router::new()
                .fallback_service(files)
                .layer(middleware::from_fn(static_caching)),
        );
    }
    let limits = &state.config.limits;
    app.layer(tower_http::catch_panic::CatchPanicLayer::new())
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.body_timeout,
        ))
        .layer(DefaultBodyLimit::max(limits.max_body))
        .layer(middleware::from_fn(json_errors))
        .layer(middleware::from_fn_with_state(state.clone(), edge))
        .with_state(state)
}
