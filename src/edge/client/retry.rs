//! The retry loop every call goes through: attempts bounded by the core's
//! [`RetryPolicy`](loyalty_core::retry::RetryPolicy) with its jittered
//! waits, and one token refresh on a 401. What is worth another attempt is
//! the core's to say ([`ApiError::retry_outcome`]).

use super::request::{Call, Raw};
use super::Client;
use gloo_timers::future::TimeoutFuture;
use loyalty_core::error::ApiError;

impl Client {
    /// One call with timeouts, bounded retries and one token refresh. A write
    /// is retried with its unchanged idempotency key only.
    pub(super) async fn send(&self, call: Call<'_>) -> Result<Raw, ApiError> {
        let url = self.url(call.path);
        let mut attempt = 0;
        let mut refreshed = false;
        loop {
            attempt += 1;
            let error = match self.attempt(&url, &call).await {
                Ok(raw) => return Ok(raw),
                Err(error) => error,
            };
            if error.needs_fresh_token() && !refreshed && self.source.can_refresh() {
                refreshed = true;
                attempt -= 1;
                self.refresh_token().await?;
                continue;
            }
            let jitter = js_sys::Math::random();
            match self
                .policy
                .next_delay(attempt, error.retry_outcome(), jitter)
            {
                Some(delay) => TimeoutFuture::new(delay.min(u64::from(u32::MAX)) as u32).await,
                None => return Err(error),
            }
        }
    }
}
