//! Fault injection, so tests can run the widget against a misbehaving backend.
//!
//! Faults apply to contract routes (`/v1/...`) only. They are set at start-up
//! (`--faults JSON`) or, when enabled with `--fault-control`, at run time with
//! `PUT /_faults`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// What to break, and how often (rates from 0.0 to 1.0).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Added delay before every answer, in milliseconds.
    pub latency_ms: u64,
    /// Share of requests answered with `error_status` instead of running.
    pub error_rate: f64,
    /// The next this many matching requests fail with `error_status`, then
    /// the backend recovers (deterministic, for tests of retries).
    pub fail_next: u64,
    /// Status for injected errors (500 by default; 429 adds `Retry-After`;
    /// 304 is sent without a body, as a cache would answer a conditional
    /// request).
    pub error_status: Option<u16>,
    /// `Retry-After` seconds sent with injected 429s and 503s.
    pub retry_after: Option<u64>,
    /// Share of requests that run, then lose their connection mid-answer
    /// (the server committed; the client never hears of it).
    pub drop_rate: f64,
    /// The next this many matching requests run, then lose their connection
    /// (deterministic, for tests of exactly-once writes).
    pub drop_next: u64,
    /// Share of 2xx answers whose body is cut in half (malformed JSON).
    pub malformed_rate: f64,
    /// Only requests whose path starts with this are affected (default: all
    /// contract routes).
    pub path_prefix: Option<String>,
    /// Only requests with this method are affected (e.g. `GET`).
    pub method: Option<String>,
    /// Successful answers to these paths (e.g. `/v1/program`, no query)
    /// get this body instead: hostile or malformed data for tests. The
    /// route still runs, so tokens are still checked.
    pub bodies: BTreeMap<String, String>,
}

impl Faults {
    /// Whether this fault set applies to a request.
    pub fn applies(&self, method: &str, path: &str) -> bool {
        path.starts_with("/v1/")
            && self
                .path_prefix
                .as_deref()
                .is_none_or(|prefix| path.starts_with(prefix))
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
    }
}

/// A small xorshift generator: fault decisions need no cryptographic quality.
pub struct Dice(Mutex<u64>);

impl Dice {
    /// Seeded from the clock (or a fixed seed for reproducible runs).
    pub fn new(seed: u64) -> Dice {
        Dice(Mutex::new(seed | 1))
    }

    /// True with probability `rate`.
    pub fn roll(&self, rate: f64) -> bool {
        if rate <= 0.0 {
            return false;
        }
        let mut state = match self.0.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let mut x = *state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *state = x;
        (x >> 11) as f64 / (1u64 << 53) as f64 <= rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_roughly_honoured() {
        let dice = Dice::new(42);
        let hits = (0..10_000).filter(|_| dice.roll(0.3)).count();
        assert!((2_700..3_300).contains(&hits), "{hits}");
        assert!(!dice.roll(0.0));
        assert!((0..100).all(|_| dice.roll(1.0)));
    }

    #[test]
    fn faults_apply_to_contract_routes_only() {
        let faults = Faults {
            method: Some("GET".into()),
            ..Faults::default()
        };
        assert!(faults.applies("GET", "/v1/customer"));
        assert!(!faults.applies("POST", "/v1/redemptions"));
        assert!(!faults.applies("GET", "/index.html"));
    }
}
