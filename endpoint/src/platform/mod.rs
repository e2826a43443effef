//! The shop's platform: discount codes created where the checkout reads
//! them (Shopify's Admin GraphQL API, WooCommerce's REST API), exactly once
//! per code, within a time budget.
//!
//! The code itself is the idempotency key: a create that the platform
//! refuses because the code exists is answered by looking the code up, so a
//! retry after a lost answer never makes a second code. Every call ends in
//! one of three outcomes ([`Outcome`]): issued, refused (nothing was made),
//! or unknown (a code may exist; ask again later with the same code).
//!
//! Every request to the platform goes through one function
//! (`Connector::call`), which counts, times and logs it by operation and
//! outcome, retries included.
//!
//! This layer knows HTTP clients and the platforms' shapes only: no
//! database, no program, no axum.

mod shopify;
mod woo;

use std::fmt;
use std::time::{Duration, Instant};

/// What a code grants at the checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Benefit {
    /// A fixed amount off the order, in minor units of the currency.
    AmountOff(u64),
    /// A percentage off the order (1 to 100).
    PercentOff(u32),
    /// Free shipping.
    FreeShipping,
    /// One product free: the platform's product (or Shopify variant) id.
    FreeProduct(String),
}

/// One code to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeSpec {
    /// The code the customer types (also the idempotency key).
    pub code: String,
    /// The discount's title in the shop's admin.
    pub title: String,
    /// What it grants.
    pub benefit: Benefit,
    /// ISO 4217 code of the shop's currency.
    pub currency: String,
    /// The lowest order subtotal it applies to, in minor units.
    pub min_subtotal: Option<u64>,
    /// First day it works, `YYYY-MM-DD` (UTC).
    pub starts_on: String,
    /// Last day it works, `YYYY-MM-DD` (UTC, to the end of the day).
    pub ends_on: String,
    /// Whether it combines with other discounts.
    pub combines: bool,
    /// The shop's customer id, whose code it is.
    pub customer_id: String,
    /// The customer's e-mail address, when known.
    pub email: Option<String>,
}

/// A secret that never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Which platform, with its address and credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settings {
    /// A Shopify shop.
    Shopify {
        /// `name.myshopify.com`.
        shop: String,
        /// An Admin API access token with `write_discounts`.
        token: Secret,
        /// The Admin API version (`2026-10`).
        version: String,
        /// The GraphQL address; `https://{shop}/admin/api/{version}/graphql.json`
        /// when not given.
        admin_url: Option<String>,
    },
    /// A WooCommerce shop.
    WooCommerce {
        /// The shop's base address.
        url: String,
        /// REST API consumer key (`ck_...`).
        key: Secret,
        /// REST API consumer secret (`cs_...`).
        secret: Secret,
    },
}

/// The Shopify Admin API version used when none is configured.
pub const SHOPIFY_VERSION: &str = "2026-10";

/// How a create or look-up ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The code exists on the platform (made now, or found from before).
    Issued {
        /// The platform's id for it.
        reference: String,
    },
    /// The platform refused and made nothing.
    Refused {
        /// Why, for logs and the admin API (no credentials).
        reason: String,
    },
    /// No answer that tells: a code may exist. Ask again with the same code.
    Unknown {
        /// The last thing that went wrong.
        reason: String,
    },
}

/// A code as the platform has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The platform's id for it.
    pub reference: String,
    /// Whether an order used it (and still does: a cancelled order's use
    /// given back counts as unused).
    pub used: bool,
    /// Whether the platform counts it past its end.
    pub expired: bool,
}

/// What one attempt learnt.
#[derive(Debug)]
enum Attempt {
    /// Done: the platform has the code under this id.
    Issued(String),
    /// The platform says the code exists already.
    Exists,
    /// A definite refusal: nothing was made.
    Refused(String),
    /// Try again after the wait (or a backoff); `maybe_made` when the
    /// platform may have acted on the request.
    Again {
        reason: String,
        wait: Option<Duration>,
        maybe_made: bool,
        trouble: Trouble,
    },
}

impl Attempt {
    /// What went wrong, for the operator's log and the admin API.
    fn reason(&self) -> String {
        match self {
            Attempt::Issued(_) => "issued".into(),
            Attempt::Exists => "the code exists".into(),
            Attempt::Refused(reason) | Attempt::Again { reason, .. } => reason.clone(),
        }
    }

    /// The `outcome` label of the call that ended in `self`.
    fn outcome(&self) -> &'static str {
        match self {
            Attempt::Issued(_) => "ok",
            Attempt::Exists => "exists",
            Attempt::Refused(_) => "refused",
            Attempt::Again { trouble, .. } => trouble.as_str(),
        }
    }
}

/// Why a try is worth another: the `outcome` of the call that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trouble {
    /// 429, or Shopify's `THROTTLED`.
    Throttled,
    /// 408, a 5xx, or Shopify's `INTERNAL_ERROR`.
    ServerError,
    /// No answer within the request's time.
    Timeout,
    /// No connection could be made.
    Unreachable,
    /// The connection ended before the whole answer came.
    Dropped,
    /// An answer that does not say what it should (not JSON, no id).
    BadAnswer,
}

impl Trouble {
    fn as_str(self) -> &'static str {
        match self {
            Trouble::Throttled => "throttled",
            Trouble::ServerError => "server_error",
            Trouble::Timeout => "timeout",
            Trouble::Unreachable => "unreachable",
            Trouble::Dropped => "dropped",
            Trouble::BadAnswer => "bad_answer",
        }
    }
}

/// What a call to the platform is for: the `operation` of its metrics and
/// its log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operation {
    /// Making a code (Shopify's `discountCode...Create`, WooCommerce's
    /// `POST coupons`).
    CreateCode,
    /// Looking a code up while issuing it (after "it exists", or a refusal
    /// that follows a try that may have made it).
    FindCode,
    /// Looking a code up to follow its state (the reconciler).
    FollowCode,
    /// The shop's currency and time zone, read at start.
    ReadShop,
    /// WooCommerce's shipping zones and their methods, read at start.
    ReadShipping,
}

impl Operation {
    fn as_str(self) -> &'static str {
        match self {
            Operation::CreateCode => "create_code",
            Operation::FindCode => "find_code",
            Operation::FollowCode => "follow_code",
            Operation::ReadShop => "read_shop",
            Operation::ReadShipping => "read_shipping",
        }
    }
}

/// An answer as it came: status, headers, body.
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

/// A configured platform.
#[derive(Debug, Clone)]
pub struct Connector {
    settings: Settings,
    client: reqwest::Client,
    /// The shop's offset from UTC (`+01:00`), once read: a code's last day
    /// ends at midnight in the shop's time zone.
    offset: std::sync::Arc<std::sync::Mutex<Option<String>>>,
}

/// Why a configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// An address that is not https (plain http only to this machine).
    #[error("{0}: the platform is reached over https only (plain http only to 127.0.0.1)")]
    Insecure(String),
    /// A value that cannot be right.
    #[error("{0}")]
    Invalid(String),
}

/// Whether `url` is https, or plain http to this machine.
fn secure_address(name: &str, url: &str) -> Result<(), SettingsError> {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("https://") {
        return Ok(());
    }
    let Some(rest) = lower.strip_prefix("http://") else {
        return Err(SettingsError::Invalid(format!(
            "{name}: not an http(s) address"
        )));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = if authority.contains('@') {
        ""
    } else if authority.starts_with('[') {
        authority.split_inclusive(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    if matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
        Ok(())
    } else {
        Err(SettingsError::Insecure(name.to_owned()))
    }
}

impl Connector {
    /// A connector for `settings`, checked: addresses https (or loopback),
    /// credentials present.
    pub fn new(settings: Settings) -> Result<Connector, SettingsError> {
        match &settings {
            Settings::Shopify {
                shop,
                token,
                version,
                admin_url,
            } => {
                let valid_shop = !shop.is_empty()
                    && shop
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
                if !valid_shop {
                    return Err(SettingsError::Invalid(
                        "LOYALTY_SHOPIFY_SHOP: a shop domain like name.myshopify.com".into(),
                    ));
                }
                if token.0.trim().is_empty() {
                    return Err(SettingsError::Invalid(
                        "LOYALTY_SHOPIFY_ADMIN_TOKEN is empty".into(),
                    ));
                }
                let valid_version = version.len() == 7
                    && version.as_bytes()[4] == b'-'
                    && version.chars().filter(char::is_ascii_digit).count() == 6
                    || version == "unstable";
                if !valid_version {
                    return Err(SettingsError::Invalid(format!(
                        "LOYALTY_SHOPIFY_API_VERSION: {version:?} is not a version like {SHOPIFY_VERSION}"
                    )));
                }
                if let Some(url) = admin_url {
                    secure_address("LOYALTY_SHOPIFY_ADMIN_URL", url)?;
                }
            }
            Settings::WooCommerce { url, key, secret } => {
                secure_address("LOYALTY_WOO_URL", url)?;
                if key.0.trim().is_empty() || secret.0.trim().is_empty() {
                    return Err(SettingsError::Invalid(
                        "LOYALTY_WOO_KEY and LOYALTY_WOO_SECRET must both be set".into(),
                    ));
                }
            }
        }
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .redirect(reqwest::redirect::Policy::none())
            .https_only(false)
            .user_agent(concat!("loyalty-endpoint/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| SettingsError::Invalid(format!("HTTP client: {err}")))?;
        Ok(Connector {
            settings,
            client,
            offset: std::sync::Arc::default(),
        })
    }

    /// `shopify` or `woocommerce`.
    pub fn name(&self) -> &'static str {
        match self.settings {
            Settings::Shopify { .. } => "shopify",
            Settings::WooCommerce { .. } => "woocommerce",
        }
    }

    /// Where the platform is, for the start-up line (no credentials).
    pub fn describe(&self) -> String {
        match &self.settings {
            Settings::Shopify { shop, version, .. } => {
                format!("Shopify {shop} (Admin API {version})")
            }
            Settings::WooCommerce { url, .. } => format!("WooCommerce {url}"),
        }
    }

    /// A link that applies `code` to the shop's cart and opens the cart.
    pub fn apply_url(&self, code: &str) -> String {
        let code: String = form_urlencoded::byte_serialize(code.as_bytes()).collect();
        match &self.settings {
            Settings::Shopify { shop, .. } => {
                format!("https://{shop}/discount/{code}?redirect=%2Fcart")
            }
            Settings::WooCommerce { url, .. } => {
                format!("{}/?loyalty_apply={code}", url.trim_end_matches('/'))
            }
        }
    }

    /// What the shop must have for the codes to work (its currency is the
    /// program's; a free-shipping reward has something to unlock), as
    /// sentences for the operator's log. Empty when all is well or the
    /// platform cannot be asked.
    pub async fn preflight(&self, currency: &str, free_shipping: bool) -> Vec<String> {
        match &self.settings {
            Settings::WooCommerce { .. } => woo::preflight(self, currency, free_shipping).await,
            Settings::Shopify { .. } => shopify::preflight(self, currency).await,
        }
    }

    /// The shop's offset from UTC as RFC 3339 writes it (`+01:00`), or `Z`
    /// before it is known.
    fn offset(&self) -> String {
        self.offset
            .lock()
            .ok()
            .and_then(|offset| offset.clone())
            .unwrap_or_else(|| "Z".into())
    }

    /// Creates `spec`'s code unless it exists; retries what can be retried
    /// until `deadline`.
    pub async fn issue(&self, spec: &CodeSpec, deadline: Instant) -> Outcome {
        let mut maybe_made = false;
        let mut tries: u32 = 0;
        loop {
            tries += 1;
            let attempt = match &self.settings {
                Settings::Shopify { .. } => shopify::create(self, spec, tries, deadline).await,
                Settings::WooCommerce { .. } => woo::create(self, spec, tries, deadline).await,
            };
            let (reason, wait) = match attempt {
                Attempt::Issued(reference) => return Outcome::Issued { reference },
                Attempt::Exists => return self.settle_existing(&spec.code, deadline).await,
                Attempt::Refused(reason) if maybe_made => {
                    // An earlier try may have made it: a refusal now does
                    // not say that nothing exists.
                    return match self
                        .look_up(&spec.code, Operation::FindCode, deadline)
                        .await
                    {
                        Ok(Some(found)) => Outcome::Issued {
                            reference: found.reference,
                        },
                        Ok(None) => Outcome::Refused { reason },
                        Err(_) => Outcome::Unknown { reason },
                    };
                }
                Attempt::Refused(reason) => return Outcome::Refused { reason },
                Attempt::Again {
                    reason,
                    wait,
                    maybe_made: made,
                    ..
                } => {
                    maybe_made |= made;
                    (reason, wait)
                }
            };
            if !pause(tries, wait, deadline).await {
                return if maybe_made {
                    Outcome::Unknown { reason }
                } else {
                    Outcome::Refused {
                        reason: format!("the platform did not answer in time: {reason}"),
                    }
                };
            }
        }
    }

    /// After "the code exists": its id, found by looking it up.
    async fn settle_existing(&self, code: &str, deadline: Instant) -> Outcome {
        match self.look_up(code, Operation::FindCode, deadline).await {
            Ok(Some(found)) => Outcome::Issued {
                reference: found.reference,
            },
            Ok(None) => Outcome::Unknown {
                reason: "the platform says the code exists but cannot find it".into(),
            },
            Err(reason) => Outcome::Unknown { reason },
        }
    }

    /// Looks `code` up to follow its state (the reconciler), retrying what
    /// can be retried until `deadline`. `Err` when it cannot tell.
    pub async fn follow(&self, code: &str, deadline: Instant) -> Result<Option<Found>, String> {
        self.look_up(code, Operation::FollowCode, deadline).await
    }

    /// Looks `code` up (case-insensitively, as the platforms do); retries
    /// what can be retried until `deadline`. `Err` when it cannot tell.
    async fn look_up(
        &self,
        code: &str,
        operation: Operation,
        deadline: Instant,
    ) -> Result<Option<Found>, String> {
        let mut tries: u32 = 0;
        loop {
            tries += 1;
            let call = (operation, tries);
            let answer = match &self.settings {
                Settings::Shopify { .. } => shopify::find(self, code, call, deadline).await,
                Settings::WooCommerce { .. } => woo::find(self, code, call, deadline).await,
            };
            let (reason, wait) = match answer {
                Ok(found) => return Ok(found),
                Err(Attempt::Again { reason, wait, .. }) => (reason, wait),
                Err(Attempt::Refused(reason)) => return Err(reason),
                Err(other) => return Err(format!("unexpected answer to a look-up: {other:?}")),
            };
            if !pause(tries, wait, deadline).await {
                return Err(reason);
            }
        }
    }

    /// Sends one request to the platform and reads its answer with `read`.
    /// Every call to the platform goes through here, so each one, retries
    /// included, is counted
    /// (`loyalty_platform_calls_total{platform,operation,outcome}`), timed
    /// (`loyalty_platform_call_duration_seconds{platform,operation}`) and
    /// logged: platform, operation, outcome, status, latency and which
    /// try, never the request, the answer or a credential (they hold
    /// codes, e-mail addresses and keys). Successful calls are logged at
    /// `info`, the others as warnings.
    async fn call<T>(
        &self,
        (operation, attempt): (Operation, u32),
        request: reqwest::RequestBuilder,
        read: impl FnOnce(Answer) -> Result<T, Attempt>,
    ) -> Result<T, Attempt> {
        let started = Instant::now();
        let mut status = None;
        let result = async {
            let answer = request.send().await.map_err(transport)?;
            let code = answer.status().as_u16();
            status = Some(code);
            let headers = answer.headers().clone();
            let body = answer.text().await.map_err(transport)?;
            read(Answer {
                status: code,
                headers,
                body,
            })
        }
        .await;
        let elapsed = started.elapsed();
        let outcome = match &result {
            Ok(_) => "ok",
            Err(attempt) => attempt.outcome(),
        };
        let (platform, operation) = (self.name(), operation.as_str());
        metrics::counter!("loyalty_platform_calls_total",
            "platform" => platform, "operation" => operation, "outcome" => outcome)
        .increment(1);
        metrics::histogram!("loyalty_platform_call_duration_seconds",
            "platform" => platform, "operation" => operation)
        .record(elapsed.as_secs_f64());
        let latency_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
        if matches!(outcome, "ok" | "exists") {
            tracing::info!(
                platform,
                operation,
                outcome,
                status,
                latency_ms,
                attempt,
                "platform call"
            );
        } else {
            tracing::warn!(
                platform,
                operation,
                outcome,
                status,
                latency_ms,
                attempt,
                "platform call"
            );
        }
        result
    }

    /// A request's timeout: what is left of the budget, at most 10 s.
    fn timeout(deadline: Instant) -> Duration {
        deadline
            .saturating_duration_since(Instant::now())
            .min(Duration::from_secs(10))
            .max(Duration::from_millis(100))
    }
}

/// Waits before try `tries + 1`: the platform's `wait` if it gave one,
/// else a doubling backoff; false (without waiting) when the deadline
/// leaves no room for another try.
async fn pause(tries: u32, wait: Option<Duration>, deadline: Instant) -> bool {
    let backoff = Duration::from_millis(200 * 2u64.pow(tries.min(4)));
    let wait = wait.unwrap_or(backoff).max(Duration::from_millis(50));
    if Instant::now() + wait + Duration::from_millis(500) > deadline {
        return false;
    }
    tokio::time::sleep(wait).await;
    true
}

/// What a transport error says about whether the platform acted.
fn transport(err: reqwest::Error) -> Attempt {
    // Nothing reached the platform when the connection was never made.
    let maybe_made = !err.is_connect() && !err.is_builder();
    let (kind, trouble) = if err.is_timeout() {
        ("timed out", Trouble::Timeout)
    } else if err.is_connect() {
        ("could not connect", Trouble::Unreachable)
    } else {
        ("the connection failed", Trouble::Dropped)
    };
    Attempt::Again {
        reason: format!("{kind}: {}", described(err)),
        wait: None,
        maybe_made,
        trouble,
    }
}

/// An error and its causes, without the address it was for.
fn described(err: reqwest::Error) -> String {
    let err = err.without_url();
    let mut text = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// `Retry-After` in seconds, if the answer has one (at most 60 s).
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(60.0)))
}

/// What an HTTP status says, for statuses that are not the expected answer.
fn status_attempt(status: u16, headers: &reqwest::header::HeaderMap, body: &str) -> Attempt {
    let brief: String = body.chars().take(200).collect();
    match status {
        429 => Attempt::Again {
            reason: format!("429 too many requests: {brief}"),
            wait: retry_after(headers),
            maybe_made: false,
            trouble: Trouble::Throttled,
        },
        408 | 500..=599 => Attempt::Again {
            reason: format!("{status}: {brief}"),
            wait: retry_after(headers),
            maybe_made: true,
            trouble: Trouble::ServerError,
        },
        _ => Attempt::Refused(format!("{status}: {brief}")),
    }
}

/// Digits after the point for a currency (ISO 4217).
pub fn currency_exponent(currency: &str) -> u32 {
    const ZERO: &[&str] = &[
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
        "VUV", "XAF", "XOF", "XPF",
    ];
    const THREE: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
    let currency = currency.to_ascii_uppercase();
    if ZERO.contains(&currency.as_str()) {
        0
    } else if THREE.contains(&currency.as_str()) {
        3
    } else {
        2
    }
}

/// An amount in minor units as a decimal (`550` EUR -> `5.50`).
pub fn decimal(minor: u64, currency: &str) -> String {
    let exponent = currency_exponent(currency);
    if exponent == 0 {
        return minor.to_string();
    }
    let scale = 10u64.pow(exponent);
    format!(
        "{}.{:0width$}",
        minor / scale,
        minor % scale,
        width = exponent as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_written_in_the_currency_s_digits() {
        assert_eq!(decimal(550, "EUR"), "5.50");
        assert_eq!(decimal(5, "eur"), "0.05");
        assert_eq!(decimal(500, "JPY"), "500");
        assert_eq!(decimal(1234, "KWD"), "1.234");
    }

    #[test]
    fn only_https_or_this_machine() {
        assert!(secure_address("x", "https://shop.example").is_ok());
        assert!(secure_address("x", "http://127.0.0.1:8080/wp").is_ok());
        assert!(secure_address("x", "http://localhost/").is_ok());
        assert!(secure_address("x", "http://shop.example").is_err());
        assert!(secure_address("x", "http://127.0.0.1.evil.example/").is_err());
        assert!(secure_address("x", "ftp://shop.example").is_err());
    }

    #[test]
    fn each_answer_is_counted_by_what_it_says() {
        let none = reqwest::header::HeaderMap::new();
        for (status, outcome) in [
            (429, "throttled"),
            (408, "server_error"),
            (500, "server_error"),
            (503, "server_error"),
            (400, "refused"),
            (401, "refused"),
            (404, "refused"),
        ] {
            assert_eq!(status_attempt(status, &none, "").outcome(), outcome);
        }
        assert_eq!(Attempt::Exists.outcome(), "exists");
        assert_eq!(Attempt::Issued("1".into()).outcome(), "ok");
    }

    #[test]
    fn credentials_never_print() {
        let settings = Settings::WooCommerce {
            url: "https://shop.example".into(),
            key: Secret("ck_visible".into()),
            secret: Secret("cs_visible".into()),
        };
        let shown = format!("{settings:?}");
        assert!(!shown.contains("visible"), "{shown}");
    }

    #[test]
    fn apply_links_point_at_the_shop_s_cart() {
        let shopify = Connector::new(Settings::Shopify {
            shop: "demo.myshopify.com".into(),
            token: Secret("t".into()),
            version: SHOPIFY_VERSION.into(),
            admin_url: None,
        })
        .map(|c| c.apply_url("MR-AB3CD-EF4GH"));
        assert_eq!(
            shopify.ok().as_deref(),
            Some("https://demo.myshopify.com/discount/MR-AB3CD-EF4GH?redirect=%2Fcart")
        );
        let woo = Connector::new(Settings::WooCommerce {
            url: "https://shop.example/".into(),
            key: Secret("k".into()),
            secret: Secret("s".into()),
        })
        .map(|c| c.apply_url("MR-X"));
        assert_eq!(
            woo.ok().as_deref(),
            Some("https://shop.example/?loyalty_apply=MR-X")
        );
    }
}
