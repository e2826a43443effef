//! The console's sessions, in this instance's memory: a random cookie
//! value per signed-in console (kept as its SHA-256, never as sent), its
//! CSRF token and lifetime, and the failed sign-ins' limits. A restart
//! signs everyone out.

use crate::domain::session::{self, Attempts, Lifetime};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard};

/// Locks `mutex`; a panic while holding one cannot leave these values
/// half-written (the state's own `lock`, which this module sits below).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// The session cookie's name.
pub const COOKIE: &str = "loyalty_admin";

/// Sessions kept at most: the oldest goes first beyond this.
const MAX_SESSIONS: usize = 1000;

/// One signed-in console.
struct Session {
    csrf: String,
    life: Lifetime,
}

/// A live session, as the console sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Live {
    /// The CSRF token a write must carry.
    pub csrf: String,
    /// When it ends if not used again, in seconds since 1970.
    pub expires_at: u64,
}

/// What a cookie value is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A live session (now used: its idle time starts again).
    Live(Live),
    /// A session that has ended (now forgotten).
    Expired,
    /// No session.
    Unknown,
}

/// The sessions of this instance.
pub struct Sessions {
    /// How long a session lives unused, in seconds.
    pub idle: u64,
    open: Mutex<HashMap<[u8; 32], Session>>,
    attempts: Mutex<Attempts>,
}

fn digest(cookie: &str) -> [u8; 32] {
    Sha256::digest(cookie.as_bytes()).into()
}

impl Sessions {
    /// No session yet; sessions end after `idle` seconds unused.
    pub fn new(idle: u64) -> Sessions {
        Sessions {
            idle: idle.max(1),
            open: Mutex::new(HashMap::new()),
            attempts: Mutex::new(Attempts::console()),
        }
    }

    /// A new session at `now`: its cookie value and what the console sees;
    /// `None` when the random source failed.
    pub fn open(&self, now: u64) -> Option<(String, Live)> {
        let cookie = session::random_token()?;
        let csrf = session::random_token()?;
        let life = Lifetime::new(now);
        let mut open = lock(&self.open);
        open.retain(|_, s| s.life.live(now, self.idle));
        if open.len() >= MAX_SESSIONS {
            if let Some(oldest) = open
                .iter()
                .min_by_key(|(_, s)| s.life.last_used)
                .map(|(key, _)| *key)
            {
                open.remove(&oldest);
            }
        }
        open.insert(
            digest(&cookie),
            Session {
                csrf: csrf.clone(),
                life,
            },
        );
        let expires_at = life.expires_at(self.idle);
        Some((cookie, Live { csrf, expires_at }))
    }

    /// The session of `cookie` at `now`, used (a live one's idle time
    /// starts again; an ended one is forgotten).
    pub fn find(&self, cookie: &str, now: u64) -> Found {
        let key = digest(cookie);
        let mut open = lock(&self.open);
        let Some(session) = open.get_mut(&key) else {
            return Found::Unknown;
        };
        if !session.life.live(now, self.idle) {
            open.remove(&key);
            return Found::Expired;
        }
        session.life.touch(now);
        Found::Live(Live {
            csrf: session.csrf.clone(),
            expires_at: session.life.expires_at(self.idle),
        })
    }

    /// Signs `cookie`'s session out; whether there was one.
    pub fn close(&self, cookie: &str) -> bool {
        lock(&self.open).remove(&digest(cookie)).is_some()
    }

    /// `Err(seconds)` when `client` must wait before signing in again.
    pub fn may_try(&self, client: IpAddr, now: u64) -> Result<(), u64> {
        lock(&self.attempts).check(client, now)
    }

    /// Counts a failed sign-in from `client`.
    pub fn failed(&self, client: IpAddr, now: u64) {
        lock(&self.attempts).failed(client, now);
    }
}

/// The session cookie's value among a request's `Cookie` headers.
pub fn cookie_of(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}
