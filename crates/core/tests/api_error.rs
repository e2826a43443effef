//! What each way a call can fail means to the widget: another attempt, a
//! write whose outcome is unknown (the customer is told it could not be
//! confirmed, never that it failed), a refusal, or signing in again; and
//! the text and event reason each one shows. One row per HTTP status the
//! endpoint, a gateway or a proxy can answer.

use loyalty_core::contract::{DecodeError, ErrorCode};
use loyalty_core::error::ApiError;
use loyalty_core::events::Reason;
use loyalty_core::i18n::Key;
use loyalty_core::retry::{Outcome, RetryPolicy};

/// What the widget does with one failure.
#[derive(Debug, PartialEq, Eq)]
struct Meaning {
    retryable: bool,
    outcome_unknown: bool,
    refused: bool,
    needs_auth: bool,
    fresh_token: bool,
    key: Key,
    reason: Reason,
}

fn meaning(error: &ApiError) -> Meaning {
    Meaning {
        retryable: error.retryable(),
        outcome_unknown: error.outcome_unknown(),
        refused: error.refused(),
        needs_auth: error.needs_auth(),
        fresh_token: error.needs_fresh_token(),
        key: error.message_key(),
        reason: error.reason(),
    }
}

/// A failure with no answer or a bad body: retried, outcome unknown.
fn unknown(key: Key, reason: Reason) -> Meaning {
    Meaning {
        retryable: true,
        outcome_unknown: true,
        refused: false,
        needs_auth: false,
        fresh_token: false,
        key,
        reason,
    }
}

#[test]
fn no_answer_and_bad_bodies_are_retried_and_leave_a_write_unknown() {
    let network = ApiError::Network("TypeError: Failed to fetch".to_owned());
    assert_eq!(
        meaning(&network),
        unknown(Key::ErrorNetwork, Reason::Network)
    );
    assert_eq!(network.retry_outcome(), Outcome::NoAnswer);
    assert_eq!(
        network.to_string(),
        "network error: TypeError: Failed to fetch"
    );

    assert_eq!(
        meaning(&ApiError::Timeout),
        unknown(Key::ErrorNetwork, Reason::Timeout)
    );
    assert_eq!(ApiError::Timeout.retry_outcome(), Outcome::NoAnswer);
    assert_eq!(ApiError::Timeout.to_string(), "timed out after 8000 ms");

    for decode in [
        DecodeError::Malformed("the body is not complete JSON".to_owned()),
        DecodeError::Implausible {
            field: "points.approved",
            why: "negative".to_owned(),
        },
    ] {
        let error = ApiError::from(decode);
        assert_eq!(meaning(&error), unknown(Key::ErrorData, Reason::Data));
        assert_eq!(error.retry_outcome(), Outcome::BadBody);
    }
}

#[test]
fn every_status_has_one_meaning() {
    // (status, retryable, outcome unknown, needs auth, fresh token, text, reason)
    #[rustfmt::skip]
    let table: [(u16, bool, bool, bool, bool, Key, Reason); 20] = [
        // A 304 to a call with no cached copy: asked again; no write applied.
        (304, true,  false, false, false, Key::ErrorServer,      Reason::Server),
        (400, false, false, false, false, Key::ErrorServer,      Reason::Server),
        (401, false, false, true,  true,  Key::ErrorAuth,        Reason::Auth),
        (403, false, false, true,  false, Key::ErrorAuth,        Reason::Auth),
        (404, false, false, false, false, Key::ErrorServer,      Reason::Server),
        (405, false, false, false, false, Key::ErrorServer,      Reason::Server),
        // The request took too long for the server: it may have run.
        (408, true,  true,  false, false, Key::ErrorServer,      Reason::Server),
        // An idempotency key reused for another body, a bad body: refused.
        (409, false, false, false, false, Key::ErrorServer,      Reason::Server),
        (413, false, false, false, false, Key::ErrorServer,      Reason::Server),
        (422, false, false, false, false, Key::ErrorServer,      Reason::Server),
        // Slow down: nothing was applied, worth asking again later.
        (429, true,  false, false, false, Key::ErrorRateLimited, Reason::RateLimited),
        (500, true,  true,  false, false, Key::ErrorServer,      Reason::Server),
        // Not implemented: asking again will not help, but it may have run.
        (501, false, true,  false, false, Key::ErrorServer,      Reason::Server),
        (502, true,  true,  false, false, Key::ErrorServer,      Reason::Server),
        (503, true,  true,  false, false, Key::ErrorServer,      Reason::Server),
        (504, true,  true,  false, false, Key::ErrorServer,      Reason::Server),
        (505, false, true,  false, false, Key::ErrorServer,      Reason::Server),
        (599, false, true,  false, false, Key::ErrorServer,      Reason::Server),
        // Statuses the widget never expects: an answer, and no success.
        (302, false, false, false, false, Key::ErrorServer,      Reason::Server),
        (418, false, false, false, false, Key::ErrorServer,      Reason::Server),
    ];
    for (status, retryable, outcome_unknown, needs_auth, fresh_token, key, reason) in table {
        let expected = Meaning {
            retryable,
            outcome_unknown,
            // Every answer is either a refusal or of unknown outcome.
            refused: !outcome_unknown,
            needs_auth,
            fresh_token,
            key,
            reason,
        };
        assert_eq!(
            meaning(&ApiError::status(status)),
            expected,
            "HTTP {status}"
        );
        // The body's code and Retry-After change none of that.
        let with_code = ApiError::Status {
            status,
            code: Some(ErrorCode::Internal),
            retry_after: Some(1),
        };
        assert_eq!(meaning(&with_code), expected, "HTTP {status} with a code");
    }
}

#[test]
fn a_status_says_its_code_and_hands_retry_after_to_the_policy() {
    let conflict = ApiError::Status {
        status: 409,
        code: Some(ErrorCode::IdempotencyConflict),
        retry_after: None,
    };
    assert_eq!(conflict.to_string(), "HTTP 409 (idempotency_conflict)");
    assert_eq!(ApiError::status(500).to_string(), "HTTP 500 (no code)");
    let limited = ApiError::Status {
        status: 429,
        code: Some(ErrorCode::RateLimited),
        retry_after: Some(2),
    };
    assert_eq!(limited.retry_outcome(), Outcome::Status(429, Some(2)));
    assert_eq!(
        RetryPolicy::default().next_delay(1, limited.retry_outcome(), 0.5),
        Some(2_000)
    );
}

#[test]
fn a_304_with_no_cached_copy_is_asked_for_again_at_once_and_only_once() {
    // The client makes this error of a 304 to a call that revalidated
    // nothing (no If-None-Match: no copy, or one that no longer decodes).
    let not_modified = ApiError::status(304);
    let policy = RetryPolicy::default();
    assert_eq!(
        policy.next_delay(1, not_modified.retry_outcome(), 0.99),
        Some(0),
        "the fresh answer is asked for right away"
    );
    assert_eq!(
        policy.next_delay(2, not_modified.retry_outcome(), 0.99),
        None,
        "a second 304 is the endpoint's error"
    );
    // Never a failure to reach the endpoint, never a write of unknown
    // outcome ("could not confirm"): the endpoint answered.
    assert!(!matches!(not_modified, ApiError::Network(_)));
    assert!(!not_modified.outcome_unknown());
    assert_eq!(not_modified.to_string(), "HTTP 304 (no code)");
}
