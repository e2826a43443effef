//! When and how long to wait before trying a request again.
//!
//! Only reads are retried here; writes are made safe to repeat with an
//! `Idempotency-Key` instead. Waits grow exponentially with full jitter, so
//! many widgets that failed together do not come back together, and a
//! server's `Retry-After` is honoured up to a cap. A `304 Not Modified` to a
//! call that revalidated nothing (no cached copy to keep) is asked again at
//! once, once.

/// How long one attempt may take before it is abandoned, in ms.
pub const TIMEOUT_MS: u32 = 8_000;

/// What became of one attempt, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// No answer: offline, refused, dropped, timed out.
    NoAnswer,
    /// An HTTP status, with `Retry-After` seconds if the server sent them.
    /// A `304` here answered a call with no cached copy to keep.
    Status(u16, Option<u64>),
    /// A 2xx whose body did not decode (e.g. cut off mid-way).
    BadBody,
}

/// Limits of the retry loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// Wait before the second attempt, before jitter, in ms.
    pub base_delay_ms: u64,
    /// Longest single wait, in ms (also caps `Retry-After`).
    pub max_delay_ms: u64,
}

impl Default for RetryPolicy {
    /// Three attempts, waits of up to 0.4 s and 0.8 s, at most 5 s each.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay_ms: 400,
            max_delay_ms: 5_000,
        }
    }
}

impl RetryPolicy {
    /// Whether an outcome is worth another attempt at all.
    pub fn retryable(outcome: Outcome) -> bool {
        match outcome {
            Outcome::NoAnswer | Outcome::BadBody => true,
            Outcome::Status(status, _) => {
                matches!(status, 304 | 408 | 429 | 500 | 502 | 503 | 504)
            }
        }
    }

    /// The wait before the next attempt, or `None` to give up.
    ///
    /// `attempt` counts the attempts made so far (1 after the first);
    /// `jitter` is a random number in `[0, 1)`.
    pub fn next_delay(&self, attempt: u32, outcome: Outcome, jitter: f64) -> Option<u64> {
        if attempt >= self.max_attempts || !Self::retryable(outcome) {
            return None;
        }
        if let Outcome::Status(304, _) = outcome {
            // Nothing is wrong with the endpoint; the fresh answer is one
            // request away. Asked for once: a second 304 is the error.
            return (attempt == 1).then_some(0);
        }
        if let Outcome::Status(_, Some(seconds)) = outcome {
            let asked = seconds.saturating_mul(1_000);
            return (asked <= self.max_delay_ms).then_some(asked);
        }
        let exponent = attempt.saturating_sub(1).min(16);
        let ceiling = self
            .base_delay_ms
            .saturating_mul(1u64 << exponent)
            .min(self.max_delay_ms);
        let jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            0.5
        };
        // Full jitter, but never less than a tenth of the ceiling.
        Some((ceiling as f64 * (0.1 + 0.9 * jitter)) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: RetryPolicy = RetryPolicy {
        max_attempts: 3,
        base_delay_ms: 400,
        max_delay_ms: 5_000,
    };

    #[test]
    fn transient_failures_are_retried_with_growing_waits() {
        let first = POLICY
            .next_delay(1, Outcome::NoAnswer, 0.999)
            .expect("retry");
        let second = POLICY
            .next_delay(2, Outcome::Status(503, None), 0.999)
            .expect("retry");
        assert!((390..=400).contains(&first), "{first}");
        assert!((790..=800).contains(&second), "{second}");
        assert_eq!(POLICY.next_delay(3, Outcome::NoAnswer, 0.5), None);
    }

    #[test]
    fn client_errors_are_not_retried() {
        for status in [400, 401, 403, 404, 409, 422] {
            assert_eq!(
                POLICY.next_delay(1, Outcome::Status(status, None), 0.5),
                None
            );
        }
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        assert_eq!(
            POLICY.next_delay(1, Outcome::Status(429, Some(2)), 0.5),
            Some(2_000)
        );
        assert_eq!(
            POLICY.next_delay(1, Outcome::Status(429, Some(600)), 0.5),
            None
        );
        assert_eq!(
            POLICY.next_delay(1, Outcome::Status(429, Some(u64::MAX)), 0.5),
            None
        );
    }

    #[test]
    fn jitter_spreads_waits_and_bad_jitter_is_tamed() {
        let low = POLICY.next_delay(1, Outcome::BadBody, 0.0).expect("retry");
        let high = POLICY.next_delay(1, Outcome::BadBody, 0.99).expect("retry");
        assert!(low < high);
        assert!(low >= 40);
        assert!(POLICY.next_delay(1, Outcome::BadBody, f64::NAN).is_some());
        assert!(POLICY.next_delay(1, Outcome::BadBody, 7.0).expect("r") <= 400);
    }

    #[test]
    fn total_attempts_are_bounded_whatever_happens() {
        let mut attempts = 1;
        while POLICY
            .next_delay(attempts, Outcome::NoAnswer, 0.3)
            .is_some()
        {
            attempts += 1;
        }
        assert_eq!(attempts, POLICY.max_attempts);
    }
}
