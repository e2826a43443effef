//! How the endpoint is set up: everything `serve`'s flags and the tests
//! choose, in one value the application is built from.

use crate::domain::program::Program;
use crate::domain::token::Verifier;
use crate::faults::Faults;
use crate::platform::Connector;
use std::path::PathBuf;
use std::time::Duration;

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
    pub program: Option<Program>,
    /// The program file's text as read (kept per version for the
    /// console's program page); unknown when `None` with a `program`.
    pub program_source: Option<String>,
    /// The Shopify app's secret, when the endpoint answers the shop's app
    /// proxy (`GET /shopify/proxy/token`: [`crate::domain::shopify`]) and takes its
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
    /// Where rewards' codes are made, and how patiently.
    pub issuing: Issuing,
    /// How long a console session lives unused; 30 minutes without.
    pub admin_session_idle: Option<Duration>,
    /// The console's built files, served at `/admin/` (none without).
    pub console_dir: Option<PathBuf>,
    /// Take a sign-in's client address from `X-Forwarded-For` (its last
    /// address) instead of the connection's: only behind a proxy that sets
    /// it.
    pub trust_forwarded_for: bool,
}

/// Where rewards' codes are made (the shop's platform, or only this
/// database) and how patiently.
#[derive(Debug, Clone)]
pub struct Issuing {
    /// The shop's platform; codes only in this database without one.
    pub platform: Option<Connector>,
    /// How long a redeem waits for the platform before it answers
    /// "pending" (the reconciler finishes it later).
    pub budget: Duration,
    /// How often the reconciler runs (pending codes, expired codes).
    pub reconcile_every: Duration,
    /// Tests only (with fault control): abort the process at this step of
    /// issuing (`reserved`: after the points are reserved, before the
    /// platform; `issued`: after the platform answered, before it is
    /// recorded).
    pub crash_at: Option<String>,
}

impl Default for Issuing {
    fn default() -> Issuing {
        Issuing {
            platform: None,
            budget: Duration::from_secs(8),
            reconcile_every: Duration::from_secs(60),
            crash_at: None,
        }
    }
}

/// The server's limits (see [`crate::serve`]), each a `serve` flag.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections served at once; further ones wait in the listen queue.
    pub max_connections: usize,
    /// Connections served at once from one client address (an IPv4
    /// address, or an IPv6 /64); further ones are closed as soon as they
    /// are accepted. 0: no such limit (behind a proxy that is every
    /// client's address).
    pub max_connections_per_address: usize,
    /// How long a client may take to send a request's headers, counted
    /// from when the connection is ready for one (an idle kept-alive
    /// connection is closed after this long).
    pub header_timeout: Duration,
    /// How long a request may take from its headers to the answer, the
    /// client sending its body included (408 after). Also how long a
    /// client still sending a body that was refused is read from, so that
    /// it gets the refusal (see [`crate::server`]).
    pub body_timeout: Duration,
    /// The largest request body accepted (413 above).
    pub max_body: usize,
    /// The largest webhook body accepted (a platform's order with its
    /// line items can be far larger than any widget request).
    pub max_webhook_body: usize,
    /// The largest file `POST /admin/v1/imports` takes (413 above): an
    /// import's body is a whole export of another app, so it has a limit
    /// of its own, on that route only.
    pub max_import_body: usize,
    /// How long the import routes may take from their headers to the
    /// answer, the upload and the whole import included (408 after; an
    /// import the client gave up on still finishes or rolls back whole).
    pub import_timeout: Duration,
    /// On shutdown, how long in-flight requests may take to finish.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: 4096,
            max_connections_per_address: 256,
            header_timeout: Duration::from_secs(5),
            body_timeout: Duration::from_secs(10),
            max_body: 64 * 1024,
            max_webhook_body: 2 * 1024 * 1024,
            max_import_body: 64 * 1024 * 1024,
            import_timeout: Duration::from_secs(600),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}
