//! The console's sign-in, pure: random session tokens, a session's
//! lifetime (idle and absolute limits), constant-time comparison, RFC 3339
//! instants and the failed sign-ins' sliding windows (per client address
//! and in total). No clock is read here: every function takes `now` in
//! seconds since 1970.

use base64::Engine;
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;

/// Random bytes in a session token (and in a CSRF token).
pub const TOKEN_BYTES: usize = 32;

/// The longest a session lives, however busy: 12 hours.
pub const MAX_LIFETIME: u64 = 12 * 3600;

/// The idle time of a session without `--admin-session-idle-minutes`.
pub const DEFAULT_IDLE: u64 = 30 * 60;

/// `TOKEN_BYTES` random bytes, base64url without padding; `None` when the
/// system's random source failed.
pub fn random_token() -> Option<String> {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes).ok()?;
    Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// Whether `a` and `b` are the same bytes, in time that depends only on
/// their lengths.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// When a session began and was last used, in seconds since 1970.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetime {
    /// Signed in.
    pub created: u64,
    /// Last request with it.
    pub last_used: u64,
}

impl Lifetime {
    /// A session signed in at `now`.
    pub fn new(now: u64) -> Lifetime {
        Lifetime {
            created: now,
            last_used: now,
        }
    }

    /// When it ends if not used again: `idle` after its last use, never
    /// later than [`MAX_LIFETIME`] after it began.
    pub fn expires_at(&self, idle: u64) -> u64 {
        self.last_used
            .saturating_add(idle)
            .min(self.created.saturating_add(MAX_LIFETIME))
    }

    /// Whether it is still live at `now`.
    pub fn live(&self, now: u64, idle: u64) -> bool {
        now < self.expires_at(idle)
    }

    /// Used at `now` (a live session only).
    pub fn touch(&mut self, now: u64) {
        self.last_used = self.last_used.max(now);
    }
}

/// `seconds` since 1970 as an RFC 3339 instant in UTC
/// (`2026-12-07T14:03:09Z`).
pub fn instant(seconds: u64) -> String {
    let day = i64::try_from(seconds / 86_400).unwrap_or(i64::MAX);
    let rest = seconds % 86_400;
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        loyalty_core::date::format_date(day),
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Failed sign-ins within a sliding window, per client address and in
/// total; beyond either limit, sign-ins are refused until the oldest
/// failure counted leaves the window.
#[derive(Debug)]
pub struct Attempts {
    window: u64,
    per_client: usize,
    total: usize,
    clients: HashMap<IpAddr, VecDeque<u64>>,
    all: VecDeque<u64>,
}

impl Attempts {
    /// The console's limits: 5 failures per address and 100 in all per 15
    /// minutes.
    pub fn console() -> Attempts {
        Attempts::new(15 * 60, 5, 100)
    }

    /// `per_client` failures per address and `total` in all within
    /// `window` seconds.
    pub fn new(window: u64, per_client: usize, total: usize) -> Attempts {
        Attempts {
            window,
            per_client,
            total,
            clients: HashMap::new(),
            all: VecDeque::new(),
        }
    }

    fn forget_old(&mut self, now: u64) {
        let from = now.saturating_sub(self.window);
        let old = |times: &mut VecDeque<u64>| {
            while times.front().is_some_and(|&at| at <= from) {
                times.pop_front();
            }
        };
        old(&mut self.all);
        self.clients.retain(|_, times| {
            old(times);
            !times.is_empty()
        });
    }

    /// `Err(seconds)` to wait when `client` may not try now; `Ok` otherwise.
    pub fn check(&mut self, client: IpAddr, now: u64) -> Result<(), u64> {
        self.forget_old(now);
        let wait = |times: &VecDeque<u64>, limit: usize| {
            (times.len() >= limit).then(|| {
                // The failure that must leave the window for one more try.
                let at = times.get(times.len() - limit).copied().unwrap_or(now);
                at.saturating_add(self.window).saturating_sub(now).max(1)
            })
        };
        let mine = self
            .clients
            .get(&client)
            .and_then(|times| wait(times, self.per_client));
        let everyone = wait(&self.all, self.total);
        match mine.max(everyone) {
            Some(seconds) => Err(seconds),
            None => Ok(()),
        }
    }

    /// Counts a failed sign-in from `client` at `now`.
    pub fn failed(&mut self, client: IpAddr, now: u64) {
        self.forget_old(now);
        self.all.push_back(now);
        self.clients.entry(client).or_default().push_back(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, last])
    }

    #[test]
    fn tokens_are_32_random_bytes_in_base64url() {
        let a = random_token().expect("random");
        let b = random_token().expect("random");
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    }

    #[test]
    fn same_compares_whole_values() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"abcd"));
        assert!(!same(b"", b"a"));
    }

    #[test]
    fn a_session_ends_when_idle_or_after_twelve_hours() {
        let mut life = Lifetime::new(1000);
        assert_eq!(life.expires_at(1800), 2800);
        assert!(life.live(2799, 1800));
        assert!(!life.live(2800, 1800));
        // Busy all day: still ends 12 hours after signing in.
        for step in 1..=30 {
            life.touch(1000 + step * 1500);
        }
        assert_eq!(life.expires_at(1800), 1000 + MAX_LIFETIME);
        assert!(!life.live(1000 + MAX_LIFETIME, 1800));
    }

    #[test]
    fn instants_are_rfc3339_utc() {
        assert_eq!(instant(0), "1970-01-01T00:00:00Z");
        assert_eq!(instant(1_796_653_389), "2026-12-07T14:23:09Z");
        assert_eq!(instant(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn five_failures_per_address_then_a_wait() {
        let mut attempts = Attempts::new(900, 5, 100);
        for n in 0..5 {
            assert_eq!(attempts.check(ip(1), 100 + n), Ok(()));
            attempts.failed(ip(1), 100 + n);
        }
        // The first failure (at 100) leaves the window at 1000.
        assert_eq!(attempts.check(ip(1), 200), Err(800));
        assert_eq!(attempts.check(ip(2), 200), Ok(()));
        assert_eq!(attempts.check(ip(1), 1000), Ok(()));
    }

    #[test]
    fn the_total_counts_every_address() {
        let mut attempts = Attempts::new(900, 5, 10);
        for n in 0..10u8 {
            attempts.failed(ip(n), 50);
        }
        assert_eq!(attempts.check(ip(200), 60), Err(890));
        assert_eq!(attempts.check(ip(200), 950), Ok(()));
    }
}
