//! What every request shares: the configuration, the store, the program in
//! force, the token verifier, the test switches (faults, counters, clock)
//! and the per-client budgets of the public lookups.

use super::error::AppError;
use crate::config::ServerConfig;
use crate::domain::idempotency::{self, Stored};
use crate::domain::ledger;
use crate::domain::program::Program;
use crate::domain::token::Verifier;
use crate::faults::{Dice, Faults};
use crate::store::{Store, Tx};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

/// Shared state of a running server.
pub struct AppState {
    /// How the server is set up.
    pub config: ServerConfig,
    /// The program in force (installed into the database at start).
    pub program: Program,
    /// Verifies customer tokens.
    pub verifier: Verifier,
    /// The database.
    pub store: Store,
    /// Held by a write from its transaction's start to its commit: writes
    /// of this instance take turns here, not in the store's lock.
    writer: tokio::sync::Mutex<()>,
    /// The import running now, if any (`/admin/v1/imports`): two never
    /// run at once.
    pub(crate) importing: Mutex<Option<Running>>,
    /// Faults in force (tests).
    pub(crate) faults: Mutex<Faults>,
    /// The dice faults are rolled with.
    pub(crate) dice: Dice,
    /// Requests per route (tests and the benchmark).
    pub(crate) counts: Mutex<BTreeMap<String, u64>>,
    /// Per-client budgets of the public, unauthenticated lookups.
    pub(crate) lookups: RateLimiter,
    /// The console's sessions and failed sign-ins.
    pub(crate) sessions: super::session::Sessions,
    /// Redemptions whose code this instance is making on the platform now.
    pub(crate) issuing: Mutex<std::collections::HashSet<String>>,
    /// The ledger's day when pinned (`--today`, `PUT /_clock`).
    clock: Mutex<Option<i64>>,
    /// Set when shutting down: readiness turns 503.
    draining: std::sync::atomic::AtomicBool,
}

/// Locks `mutex`; a panic while holding one cannot leave these values
/// half-written.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// Seconds since 1970.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Today's day number (days since 1970-01-01), in UTC.
fn real_today() -> i64 {
    (now() / 86_400) as i64
}

/// The import running now on this instance (`running` in
/// `GET /admin/v1/imports`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Running {
    /// `dry_run`, `apply` or `undo`.
    pub kind: &'static str,
    /// When it started, in seconds since 1970.
    pub since: u64,
}

/// What an idempotent write found on opening its transaction.
pub enum Begun {
    /// The same request was answered before: this answer again.
    Replay(Stored),
    /// A new request: apply it in this transaction.
    New(Tx),
}

impl AppState {
    /// The state for a store that is open and migrated, with `program`
    /// installed; `pinned` is the ledger's day when fixed.
    pub fn new(
        config: ServerConfig,
        store: Store,
        program: Program,
        pinned: Option<i64>,
    ) -> AppState {
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(7, |d| d.as_nanos() as u64);
        let idle = config
            .admin_session_idle
            .map_or(crate::domain::session::DEFAULT_IDLE, |idle| idle.as_secs());
        AppState {
            faults: Mutex::new(config.faults.clone()),
            verifier: config
                .public_key
                .clone()
                .unwrap_or_else(|| Verifier::secret(&config.secret)),
            config,
            program,
            store,
            writer: tokio::sync::Mutex::new(()),
            importing: Mutex::new(None),
            dice: Dice::new(seed),
            counts: Mutex::new(BTreeMap::new()),
            lookups: RateLimiter::new(),
            sessions: super::session::Sessions::new(idle),
            issuing: Mutex::new(std::collections::HashSet::new()),
            clock: Mutex::new(pinned),
            draining: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Shutting down: readiness answers 503 from now on.
    pub fn start_draining(&self) {
        self.draining
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Whether the server is shutting down.
    pub fn is_draining(&self) -> bool {
        self.draining.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Resolves when no write is running or waiting to run.
    pub async fn writes_done(&self) {
        drop(self.writer.lock().await);
    }

    /// The ledger's day: pinned, or today's date in UTC.
    pub fn today(&self) -> i64 {
        (*lock(&self.clock)).unwrap_or_else(real_today)
    }

    /// Pins the ledger's day (`PUT /_clock`).
    pub(crate) fn set_today(&self, day: i64) {
        *lock(&self.clock) = Some(day);
    }

    /// The program in force.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// Books what is due in every customer's ledger (expiries,
    /// birthdays); returns how many entries.
    pub async fn settle_all(self: &Arc<Self>) -> Result<i64, AppError> {
        write(self, |state| async move {
            let today = state.today();
            Ok(crate::domain::account::settle_all(&state.store, &state.program, today).await?)
        })
        .await
    }
}

/// Runs a write to its end on a task of its own, one write of this instance
/// at a time: a client that goes away mid-request does not cut it short
/// (it can ask again with the same key and gets the same answer).
pub async fn write<T, F, Fut>(state: &Arc<AppState>, apply: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(Arc<AppState>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
{
    let state = state.clone();
    let task = tokio::spawn(async move {
        let _turn = state.writer.lock().await;
        apply(state.clone()).await
    });
    task.await
        .map_err(|err| AppError::Internal(format!("a write stopped: {err}")))?
}

/// Opens an idempotent write's transaction: the stored answer when the
/// request was seen under this key, a refusal when the key was used for
/// another request, else the transaction to apply it in.
pub async fn begin_idempotent(
    state: &AppState,
    owner: &str,
    key: &str,
    fingerprint: &str,
) -> Result<Begun, AppError> {
    let mut tx = state.store.write().await?;
    match idempotency::seen(&mut tx.db(), owner, key, fingerprint).await? {
        Some(stored) => Ok(Begun::Replay(stored)),
        None => Ok(Begun::New(tx)),
    }
}

/// Finishes an idempotent write: stores its answer (a success, or a
/// refusal the contract names) under the key and commits; a failure rolls
/// everything back and stores nothing.
pub async fn finish_idempotent(
    mut tx: Tx,
    owner: &str,
    key: &str,
    fingerprint: &str,
    request_id: &str,
    result: Result<(u16, String), crate::domain::Error>,
) -> Result<Stored, AppError> {
    let (status, body) = match result {
        Ok(answer) => answer,
        Err(err) => match err.answer(request_id) {
            Some(answer) => answer,
            None => return Err(err.into()),
        },
    };
    let stored = idempotency::store(&mut tx.db(), owner, key, fingerprint, status, body).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Parses `--today`.
pub fn pinned_day(today: Option<&str>) -> Result<Option<i64>, String> {
    today
        .map(|day| {
            ledger::parse_date(day)
                .ok_or_else(|| format!("--today {day:?} is not a date YYYY-MM-DD"))
        })
        .transpose()
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
    pub(crate) fn take(&self, client: std::net::IpAddr) -> Result<(), u64> {
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
