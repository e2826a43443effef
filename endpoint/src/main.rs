//! `loyalty-endpoint`: the reference loyalty backend's command line
//! (`loyalty-endpoint --help`, and `--help` after each command).
//!
//! Secrets come from the environment, never from flags (a flag shows in
//! the process list): `LOYALTY_SECRET` (at least 32 bytes) signs customer
//! tokens, `LOYALTY_ADMIN_KEY` (at least 32 bytes) opens the admin API,
//! `SHOPIFY_API_SECRET` the Shopify app proxy and webhooks,
//! `WOOCOMMERCE_WEBHOOK_SECRET` WooCommerce's webhooks.
//!
//! Exit status: 0 done, 1 failed (the reason on standard error), 2 the
//! command line was not understood.

use clap::builder::TypedValueParser as _;
use clap::{Args, Parser, Subcommand};
use loyalty_endpoint::faults::Faults;
use loyalty_endpoint::platform;
use loyalty_endpoint::store::{Store, Target};
use loyalty_endpoint::telemetry::{self, LogFormat};
use loyalty_endpoint::{program, router, token, Limits, ServerConfig};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// mimalloc serves the many small, short-lived allocations of a request
/// faster than the system's allocator (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const DEMO_SECRET: &str = "demo-secret-do-not-use-in-production";

/// The shortest secret `serve` and `token` accept: 32 bytes, the size of
/// the HMAC-SHA256 key.
const MIN_SECRET: usize = 32;

const SECRETS_HELP: &str = "\
Secrets come from the environment, never from flags:
  LOYALTY_SECRET              signs customer tokens (at least 32 bytes; the shop's server has the same)
  LOYALTY_ADMIN_KEY           opens the admin API under /admin/v1/ (at least 32 bytes)
  SHOPIFY_API_SECRET          the Shopify app's secret: app proxy tokens and order webhooks
  WOOCOMMERCE_WEBHOOK_SECRET  WooCommerce's webhook secret
  LOYALTY_SHOPIFY_ADMIN_TOKEN a Shopify Admin API access token with write_discounts (with --shopify-shop)
  LOYALTY_WOO_KEY, LOYALTY_WOO_SECRET  WooCommerce REST API keys, read/write (with --woo-url)

Exit status: 0 done, 1 failed (the reason on standard error), 2 the command line was not understood.";

/// The reference loyalty backend: the widget's contract, the shop's admin
/// API and the platforms' order webhooks, over SQLite or PostgreSQL.
#[derive(Parser)]
#[command(name = "loyalty-endpoint", version, after_help = SECRETS_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the contract, the admin API and the webhooks.
    Serve(Box<ServeArgs>),
    /// Mint a customer token (as the shop's server does), for trying it out.
    Token(TokenArgs),
    /// Work with program files.
    Program {
        #[command(subcommand)]
        command: ProgramCommand,
    },
    /// Bring the database's schema up to date and exit (serve does it too).
    Migrate(DatabaseArgs),
    /// Copy a running SQLite shop's database consistently into a new file.
    Backup(BackupArgs),
    /// Check a database: integrity, migrations, balances against the ledger.
    CheckDb(CheckArgs),
    /// Bring members, balances and history over from another loyalty app
    /// (Smile.io, Joy, Rivo, a CSV file): a dry run unless --apply.
    Import(Box<ImportArgs>),
    /// Write every member (or, with --ledger, every ledger entry) to
    /// standard output as CSV that `import` reads back.
    Export(ExportArgs),
    /// Record past orders (CSV with a header, or JSON lines; columns id,
    /// customer_id, email, total_minor, refunded_minor, placed_at, member)
    /// for the console's figures only: no points, each order id once.
    ImportOrders(ImportOrdersArgs),
    /// Fill a database with a plausible generated shop (members, guests,
    /// orders, refunds, redemptions, expiries, referrals) for benchmarks.
    Generate(GenerateArgs),
}

#[derive(Args)]
struct GenerateArgs {
    /// People: about 65% members, the rest guests with orders.
    #[arg(long, default_value_t = 1000)]
    customers: u64,
    /// About how many ledger entries.
    #[arg(long, default_value_t = 10_000)]
    entries: u64,
    /// Years of history up to today.
    #[arg(long, default_value_t = 3)]
    years: u32,
    /// The random seed (the same seed, the same shop).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[command(flatten)]
    common: ImportCommon,
}

#[derive(Args)]
struct ImportOrdersArgs {
    /// The file.
    file: PathBuf,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
struct ImportArgs {
    #[command(subcommand)]
    command: Option<ImportCommand>,
    /// The file: CSV (UTF-8, `,` or `;`) or JSON lines (one object a line).
    file: Option<PathBuf>,
    /// `add` the file's points to the balances, or `set` the balances to them.
    #[arg(long, value_parser = ["add", "set"], default_value = "add")]
    mode: String,
    /// Write what the dry run shows (in one transaction).
    #[arg(long)]
    apply: bool,
    /// `column=field` for a column the importer does not know (fields:
    /// customer_id, email, first_name, points, tier, date, order_id).
    #[arg(long, value_name = "COLUMN=FIELD", value_parser = pair)]
    map: Vec<(String, String)>,
    /// `old=new`: a tier name of the old app and the program's tier.
    #[arg(long, value_name = "OLD=NEW", value_parser = pair)]
    tier_map: Vec<(String, String)>,
    /// The app the file comes from when its header does not tell:
    /// `loyaltylion` (its customer export, whose columns the merchant names).
    #[arg(long, value_name = "APP", value_parser = ["loyaltylion"])]
    dialect: Option<String>,
    /// The last day a tier from the file is kept as a floor (nobody drops a
    /// tier on the day of the move); default: twelve months after the import.
    #[arg(long, value_name = "YYYY-MM-DD")]
    tier_until: Option<String>,
    #[command(flatten)]
    common: ImportCommon,
}

#[derive(Args, Clone)]
struct ImportCommon {
    #[command(flatten)]
    database: DatabaseArgs,
    /// The program file (TOML); the demo shop's program without one.
    #[arg(long, env = "LOYALTY_PROGRAM", value_name = "FILE")]
    program: Option<PathBuf>,
    /// The ledger's day, `YYYY-MM-DD` (tests); today in UTC without it.
    #[arg(long, value_name = "YYYY-MM-DD")]
    today: Option<String>,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// The imports applied, newest first, each line starting with its id.
    List(ImportCommon),
    /// Undo an import with compensating ledger entries.
    Undo {
        /// The import's id (`import list`).
        id: String,
        #[command(flatten)]
        common: ImportCommon,
    },
}

#[derive(Args)]
struct ExportArgs {
    /// Every ledger entry instead of one row per member.
    #[arg(long)]
    ledger: bool,
    #[command(flatten)]
    common: ImportCommon,
}

fn pair(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .ok_or_else(|| format!("{text:?}: write it as NAME=VALUE"))
}

#[derive(Subcommand)]
enum ProgramCommand {
    /// Validate a program file and say what it holds.
    Check {
        /// The program file (TOML).
        file: PathBuf,
    },
}

/// Where the data lives.
#[derive(Args, Clone)]
struct DatabaseArgs {
    /// The SQLite file.
    #[arg(
        long,
        env = "LOYALTY_DB",
        value_name = "FILE",
        conflicts_with = "database"
    )]
    db: Option<PathBuf>,
    /// A PostgreSQL connection string instead of the SQLite file, shared by
    /// several instances.
    #[arg(long, env = "LOYALTY_DATABASE_URL", value_name = "postgres://USER@HOST/DB",
          value_parser = postgres_url)]
    database: Option<String>,
}

impl DatabaseArgs {
    fn target(&self) -> Target {
        match &self.database {
            Some(url) => Target::Postgres(url.clone()),
            None => Target::File(self.db.clone().unwrap_or_else(|| "loyalty.sqlite".into())),
        }
    }
}

fn postgres_url(url: &str) -> Result<String, String> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(url.to_owned())
    } else {
        Err(format!(
            "a PostgreSQL connection string (postgres://user@host/db), not {url:?}; a SQLite \
             file is --db FILE"
        ))
    }
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "LOYALTY_ADDR", default_value = "127.0.0.1:8787")]
    addr: String,
    #[command(flatten)]
    database: DatabaseArgs,
    /// Connections to the database (reads run on as many at once).
    #[arg(long, env = "LOYALTY_DB_CONNECTIONS", default_value_t = 4,
          value_parser = clap::value_parser!(u32).range(1..=64))]
    db_connections: u32,
    /// The program file (TOML); the demo shop's program without one.
    #[arg(long, env = "LOYALTY_PROGRAM", value_name = "FILE")]
    program: Option<PathBuf>,
    /// A shop origin allowed to call the API from a browser (repeat for more).
    #[arg(long = "allow-origin", value_name = "URL")]
    allow_origins: Vec<String>,
    /// Also allow any http://127.0.0.1:PORT or http://localhost:PORT origin
    /// (development and tests).
    #[arg(long)]
    allow_loopback_origins: bool,
    /// The shop's base URL, for referral links.
    #[arg(long, env = "LOYALTY_SHOP_URL", value_name = "URL")]
    shop_url: Option<String>,
    /// A folder served at / (the demo shop, the widget's files).
    #[arg(long = "static", value_name = "DIR")]
    static_dir: Option<PathBuf>,
    /// The shop's public key (PEM: Ed25519 or RSA) when it signs tokens with
    /// its private key; then the endpoint needs no secret and mints nothing.
    #[arg(long, value_name = "PEM-FILE")]
    token_public_key: Option<PathBuf>,
    /// Demo mode: the demo customers, demo tokens, the demo shop's page.
    /// Never for a real shop.
    #[arg(long)]
    demo: bool,
    /// Log level: an EnvFilter directive (RUST_LOG wins when set).
    #[arg(
        long = "log",
        env = "LOYALTY_LOG",
        default_value = "info",
        value_name = "FILTER"
    )]
    log_level: String,
    /// How log lines are written.
    #[arg(long, env = "LOYALTY_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// Serve Prometheus metrics at http://ADDR/metrics (off without; keep it
    /// private: bind it to a private address).
    #[arg(long, env = "LOYALTY_METRICS_ADDR", value_name = "ADDR")]
    metrics_addr: Option<SocketAddr>,
    /// On SIGTERM or Ctrl-C, how long in-flight requests may take to finish.
    #[arg(
        long,
        env = "LOYALTY_SHUTDOWN_TIMEOUT",
        default_value_t = 10,
        value_name = "SECONDS"
    )]
    shutdown_timeout: u64,
    /// On SIGTERM or Ctrl-C, how long to keep serving with /readyz already
    /// answering 503, so that a load balancer stops sending requests first.
    #[arg(
        long,
        env = "LOYALTY_SHUTDOWN_DELAY",
        default_value_t = 0,
        value_name = "SECONDS"
    )]
    shutdown_delay: u64,
    /// Connections served at once (at most the open-file limit less 64);
    /// further clients wait in the listen queue.
    #[arg(long, env = "LOYALTY_MAX_CONNECTIONS", value_name = "N",
          default_value_t = Limits::default().max_connections,
          value_parser = clap::value_parser!(u32).range(16..=1_000_000).map(|n| n as usize))]
    max_connections: usize,
    /// Connections served at once from one client address (an IPv4
    /// address, or an IPv6 /64); further ones are closed as soon as they are
    /// accepted, so that one client holding connections open (slowly or
    /// idly) cannot take everyone else's. 0: no limit, for a reverse proxy or
    /// load balancer in front, whose address every connection has (limit
    /// clients there).
    #[arg(long, env = "LOYALTY_MAX_CONNECTIONS_PER_ADDRESS", value_name = "N",
          default_value_t = Limits::default().max_connections_per_address,
          value_parser = clap::value_parser!(u32).map(|n| n as usize))]
    max_connections_per_address: usize,
    /// How long a client may take to send a request's headers; an idle
    /// kept-alive connection is closed after as long.
    #[arg(long, env = "LOYALTY_HEADER_TIMEOUT", value_name = "SECONDS",
          default_value_t = Limits::default().header_timeout.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..=300))]
    header_timeout: u64,
    /// How long a request may take from its headers to its answer, its body
    /// included (408 after).
    #[arg(long, env = "LOYALTY_BODY_TIMEOUT", value_name = "SECONDS",
          default_value_t = Limits::default().body_timeout.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..=300))]
    body_timeout: u64,
    /// The largest request body taken, in bytes (413 above; the webhooks
    /// have their own limit).
    #[arg(long, env = "LOYALTY_MAX_BODY", value_name = "BYTES",
          default_value_t = Limits::default().max_body,
          value_parser = clap::value_parser!(u32).range(1024..=16_777_216).map(|n| n as usize))]
    max_body: usize,
    /// The largest webhook body taken (POST /webhooks/...), in bytes: a
    /// platform's order with its line items can be large.
    #[arg(long, env = "LOYALTY_MAX_WEBHOOK_BODY", value_name = "BYTES",
          default_value_t = Limits::default().max_webhook_body,
          value_parser = clap::value_parser!(u32).range(1024..=67_108_864).map(|n| n as usize))]
    max_webhook_body: usize,
    /// The largest file POST /admin/v1/imports takes, in MiB (that route
    /// only; every other request is limited to 64 KiB, webhooks to 2 MiB).
    #[arg(long, env = "LOYALTY_MAX_IMPORT_BODY", default_value_t = 64, value_name = "MIB",
          value_parser = clap::value_parser!(u64).range(1..=1024))]
    max_import_body: u64,
    /// Write the port listened on into FILE (with --addr 127.0.0.1:0).
    #[arg(long, value_name = "FILE")]
    port_file: Option<PathBuf>,
    /// Stop after this many seconds (tests and demos).
    #[arg(long, value_name = "SECONDS")]
    exit_after: Option<u64>,
    /// Pin the ledger's day (tests and demos).
    #[arg(long, value_name = "YYYY-MM-DD")]
    today: Option<String>,
    /// Let PUT /_clock move the ledger's day (tests).
    #[arg(long)]
    clock_control: bool,
    /// The Shopify shop whose checkout takes the rewards' codes
    /// (name.myshopify.com); its Admin API token comes from
    /// LOYALTY_SHOPIFY_ADMIN_TOKEN. Without a shop platform, codes exist only
    /// in this database and a real shop's checkout refuses them.
    #[arg(long, env = "LOYALTY_SHOPIFY_SHOP", value_name = "DOMAIN")]
    shopify_shop: Option<String>,
    /// The Shopify Admin API version.
    #[arg(long, env = "LOYALTY_SHOPIFY_API_VERSION", default_value = platform::SHOPIFY_VERSION)]
    shopify_api_version: String,
    /// Another Admin GraphQL address (staging, tests); default
    /// https://{shop}/admin/api/{version}/graphql.json.
    #[arg(long, env = "LOYALTY_SHOPIFY_ADMIN_URL", value_name = "URL")]
    shopify_admin_url: Option<String>,
    /// The WooCommerce shop whose checkout takes the rewards' codes (its
    /// base URL, https); its REST API keys come from LOYALTY_WOO_KEY and
    /// LOYALTY_WOO_SECRET.
    #[arg(long, env = "LOYALTY_WOO_URL", value_name = "URL")]
    woo_url: Option<String>,
    /// How long a redeem waits for the shop's platform before it answers
    /// "pending" (the reconciler finishes it).
    #[arg(long, env = "LOYALTY_PLATFORM_BUDGET", default_value_t = 8, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..=60))]
    platform_budget: u64,
    /// How often pending codes are finished and expired codes marked.
    #[arg(long, env = "LOYALTY_RECONCILE_EVERY", default_value_t = 60, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    reconcile_every: u64,
    /// Let PUT /_faults change faults at run time (tests).
    #[arg(long)]
    fault_control: bool,
    /// Faults from the start (tests), as JSON.
    #[arg(long, value_name = "JSON")]
    faults: Option<String>,
    /// How long a console session lives without being used (it ends 12
    /// hours after signing in whatever this is).
    #[arg(long, env = "LOYALTY_ADMIN_SESSION_IDLE_MINUTES", default_value_t = 30,
          value_name = "MINUTES", value_parser = clap::value_parser!(u64).range(1..=720))]
    admin_session_idle_minutes: u64,
    /// The same in seconds, instead (tests).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=43_200))]
    admin_session_idle_seconds: Option<u64>,
    /// The console's built files, served at /admin/ (default: dist/admin
    /// when that folder exists in the working directory).
    #[arg(long, env = "LOYALTY_CONSOLE_DIR", value_name = "DIR")]
    console_dir: Option<PathBuf>,
    /// Count failed console sign-ins against the last address in
    /// X-Forwarded-For instead of the connection's (only behind a reverse
    /// proxy that sets it; otherwise anyone can claim any address).
    #[arg(long)]
    trust_forwarded_for: bool,
}

#[derive(Args)]
struct TokenArgs {
    /// The customer's id (demo customers: cust-anna, cust-ben, cust-carla, cust-dora).
    #[arg(long)]
    customer: String,
    /// How long the token is valid, in seconds.
    #[arg(long, default_value_t = 900)]
    ttl: u64,
    /// Sign with the public demo secret when LOYALTY_SECRET is not set.
    #[arg(long)]
    demo: bool,
}

#[derive(Args)]
struct BackupArgs {
    /// The SQLite file to copy (the server may keep running and writing).
    #[arg(long, env = "LOYALTY_DB", value_name = "FILE")]
    db: PathBuf,
    /// The new file to copy it to (must not exist yet).
    #[arg(long, value_name = "BACKUP")]
    to: PathBuf,
}

#[derive(Args)]
struct CheckArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// The day balances are compared on (YYYY-MM-DD; today without).
    #[arg(long, value_name = "YYYY-MM-DD")]
    today: Option<String>,
}

/// The HMAC secret: `LOYALTY_SECRET`, at least [`MIN_SECRET`] bytes; the
/// public demo secret only with `--demo` and no secret set.
fn secret(demo: bool) -> Result<Vec<u8>, String> {
    match std::env::var("LOYALTY_SECRET") {
        Ok(secret) if secret.len() >= MIN_SECRET => Ok(secret.into_bytes()),
        Ok(secret) if !secret.is_empty() => Err(format!(
            "LOYALTY_SECRET is {} bytes long; it must be at least {MIN_SECRET} \
             (it signs every customer token: a short one can be guessed). \
             Make one with: openssl rand -base64 48",
            secret.len()
        )),
        _ if demo => {
            tracing::warn!(
                "--demo without LOYALTY_SECRET: tokens are signed with the public demo secret, \
                 so anyone can mint them. Never expose this to the internet."
            );
            Ok(DEMO_SECRET.as_bytes().to_vec())
        }
        _ => Err(format!(
            "LOYALTY_SECRET is not set. It signs every customer token and must be at least \
             {MIN_SECRET} bytes: make one with `openssl rand -base64 48` and give the same \
             secret to the shop's server. For a local demo with a public secret, pass --demo."
        )),
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn mint(args: TokenArgs) -> Result<(), String> {
    let _logs = telemetry::init_logs("warn", LogFormat::Text)?;
    println!(
        "{}",
        token::mint(&secret(args.demo)?, &args.customer, now(), args.ttl)
    );
    Ok(())
}

/// Reads and checks a program file; every problem is in the error.
fn read_program(file: &std::path::Path) -> Result<program::Program, String> {
    let name = file.display();
    let text = std::fs::read_to_string(file).map_err(|err| format!("{name}: {err}"))?;
    program::parse(&text).map_err(|problems| {
        let count = problems.len();
        let list: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
        format!("{name}: {count} problem(s):\n{}", list.join("\n"))
    })
}

/// The configuration `serve`'s flags and environment make.
fn configure(args: &ServeArgs) -> Result<ServerConfig, String> {
    let faults = match &args.faults {
        Some(json) => {
            serde_json::from_str::<Faults>(json).map_err(|err| format!("--faults: {err}"))?
        }
        None => Faults::default(),
    };
    // A shop that signs tokens with its private key gives the public key:
    // then the endpoint needs no secret and can mint nothing.
    let public_key = match &args.token_public_key {
        Some(file) => {
            if args.demo {
                return Err(
                    "--demo mints tokens, so it needs a secret, not --token-public-key".into(),
                );
            }
            let name = file.display();
            let pem = std::fs::read(file).map_err(|err| format!("{name}: {err}"))?;
            let verifier =
                token::Verifier::public_key(&pem).map_err(|err| format!("{name}: {err}"))?;
            tracing::info!(
                "verifying tokens with the {:?} public key in {name}",
                verifier.algorithm()
            );
            Some(verifier)
        }
        None => None,
    };
    let (program, program_source) = match &args.program {
        Some(file) => {
            let text = std::fs::read_to_string(file)
                .map_err(|err| format!("{}: {err}", file.display()))?;
            (Some(read_program(file)?), Some(text))
        }
        None => {
            tracing::warn!("no --program FILE: running the demo shop's program");
            (None, None)
        }
    };
    // A Shopify app's secret: the endpoint answers the shop's app proxy.
    let shopify_secret = match std::env::var("SHOPIFY_API_SECRET") {
        Ok(secret) if !secret.is_empty() => {
            if public_key.is_some() {
                return Err("SHOPIFY_API_SECRET: the app proxy mints tokens, which needs LOYALTY_SECRET, not --token-public-key".into());
            }
            Some(secret.into_bytes())
        }
        _ => None,
    };
    let woocommerce_secret = std::env::var("WOOCOMMERCE_WEBHOOK_SECRET")
        .ok()
        .filter(|secret| !secret.is_empty())
        .map(String::into_bytes);
    let min_key = loyalty_endpoint::http::admin::MIN_ADMIN_KEY;
    let admin_key = match std::env::var("LOYALTY_ADMIN_KEY") {
        Ok(key) if key.len() >= min_key => Some(key.into_bytes()),
        Ok(key) if !key.is_empty() => {
            return Err(format!(
                "LOYALTY_ADMIN_KEY is {} bytes long; it must be at least {min_key} (it records \
                 orders and changes points). Make one with: openssl rand -base64 48",
                key.len()
            ))
        }
        _ => None,
    };
    let platform = platform_of(args)?;
    match &platform {
        Some(connector) => tracing::info!("rewards' codes are made on {}", connector.describe()),
        None => tracing::warn!(
            "no shop platform configured (LOYALTY_SHOPIFY_* or LOYALTY_WOO_*): rewards' codes \
             exist only in this database, and a real shop's checkout will refuse them"
        ),
    }
    let crash_at = std::env::var("LOYALTY_TEST_CRASH_AT")
        .ok()
        .filter(|_| args.fault_control);
    let issuing = loyalty_endpoint::config::Issuing {
        platform,
        budget: Duration::from_secs(args.platform_budget),
        reconcile_every: Duration::from_secs(args.reconcile_every),
        crash_at,
    };
    let console_dir = match &args.console_dir {
        Some(dir) if !dir.is_dir() => {
            return Err(format!("--console-dir {}: not a folder", dir.display()))
        }
        Some(dir) => Some(dir.clone()),
        None => Some(PathBuf::from("dist/admin")).filter(|dir| dir.is_dir()),
    };
    let admin_session_idle = Duration::from_secs(
        args.admin_session_idle_seconds
            .unwrap_or(args.admin_session_idle_minutes.saturating_mul(60)),
    );
    Ok(ServerConfig {
        admin_session_idle: Some(admin_session_idle),
        console_dir,
        trust_forwarded_for: args.trust_forwarded_for,
        issuing,
        db_connections: args.db_connections as usize,
        woocommerce_secret,
        admin_key,
        today: args.today.clone(),
        clock_control: args.clock_control,
        shopify_secret,
        program,
        program_source,
        db_path: args
            .database
            .db
            .clone()
            .unwrap_or_else(|| "loyalty.sqlite".into()),
        database_url: args.database.database.clone(),
        secret: if public_key.is_some() {
            Vec::new()
        } else {
            secret(args.demo)?
        },
        public_key,
        allowed_origins: args.allow_origins.clone(),
        allow_loopback_origins: args.allow_loopback_origins,
        static_dir: args.static_dir.clone(),
        shop_url: args.shop_url.clone().unwrap_or_default(),
        fault_control: args.fault_control,
        faults,
        demo: args.demo,
        limits: Limits {
            max_connections: args.max_connections,
            max_connections_per_address: args.max_connections_per_address,
            header_timeout: Duration::from_secs(args.header_timeout),
            body_timeout: Duration::from_secs(args.body_timeout),
            max_body: args.max_body,
            max_webhook_body: args.max_webhook_body,
            max_import_body: usize::try_from(args.max_import_body.saturating_mul(1024 * 1024))
                .unwrap_or(usize::MAX),
            import_timeout: Limits::default().import_timeout,
            shutdown_grace: Duration::from_secs(args.shutdown_timeout),
        },
    })
}

/// The shop's platform from the flags and environment, checked.
fn platform_of(args: &ServeArgs) -> Result<Option<platform::Connector>, String> {
    let given = |value: &Option<String>| value.clone().filter(|v| !v.trim().is_empty());
    let secret = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let shopify = given(&args.shopify_shop);
    let woo = given(&args.woo_url);
    let settings = match (shopify, woo) {
        (Some(_), Some(_)) => {
            return Err(
                "both LOYALTY_SHOPIFY_SHOP and LOYALTY_WOO_URL are set: connect one shop".into(),
            )
        }
        (Some(shop), None) => platform::Settings::Shopify {
            shop,
            token: platform::Secret(secret("LOYALTY_SHOPIFY_ADMIN_TOKEN").ok_or(
                "LOYALTY_SHOPIFY_SHOP needs LOYALTY_SHOPIFY_ADMIN_TOKEN (an Admin API token \
                 with write_discounts)",
            )?),
            version: args.shopify_api_version.clone(),
            admin_url: given(&args.shopify_admin_url),
        },
        (None, Some(url)) => platform::Settings::WooCommerce {
            url,
            key: platform::Secret(
                secret("LOYALTY_WOO_KEY").ok_or("LOYALTY_WOO_URL needs LOYALTY_WOO_KEY")?,
            ),
            secret: platform::Secret(
                secret("LOYALTY_WOO_SECRET").ok_or("LOYALTY_WOO_URL needs LOYALTY_WOO_SECRET")?,
            ),
        },
        (None, None) => return Ok(None),
    };
    platform::Connector::new(settings)
        .map(Some)
        .map_err(|err| err.to_string())
}

/// Resolves on SIGTERM, Ctrl-C (SIGINT), or after `exit_after` seconds.
async fn stop_signal(exit_after: Option<u64>) {
    let deadline = async {
        match exit_after {
            Some(secs) => tokio::time::sleep(Duration::from_secs(secs)).await,
            None => std::future::pending().await,
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => tracing::info!("Ctrl-C: shutting down"),
        () = terminate => tracing::info!("SIGTERM: shutting down"),
        () = deadline => tracing::info!("--exit-after reached: shutting down"),
    }
}

async fn serve(args: ServeArgs) -> Result<(), String> {
    let _logs = telemetry::init_logs(&args.log_level, args.log_format)?;
    let metrics = match args.metrics_addr {
        Some(addr) => {
            let handle = telemetry::install_metrics()?;
            // Histograms keep every sample until drained: drained every few
            // seconds here, so that memory stays flat whether or not anyone
            // scrapes (a scrape drains them too).
            let upkeep = handle.clone();
            tokio::spawn(async move {
                let mut every = tokio::time::interval(telemetry::METRICS_UPKEEP);
                loop {
                    every.tick().await;
                    upkeep.run_upkeep();
                }
            });
            Some((addr, handle))
        }
        None => None,
    };
    let mut config = configure(&args)?;
    let open_files = loyalty_endpoint::server::raise_open_files();
    let listener = loyalty_endpoint::server::listen(&args.addr)
        .await
        .map_err(|err| format!("cannot listen on {}: {err}", args.addr))?;
    let local = listener.local_addr().map_err(|err| err.to_string())?;
    // Connections at once: within the open-file limit, with room for the
    // database and the static files.
    config.limits.max_connections = config
        .limits
        .max_connections
        .min(usize::try_from(open_files.saturating_sub(64)).unwrap_or(usize::MAX))
        .max(16);
    if config.shop_url.is_empty() {
        config.shop_url = format!("http://{local}");
    }
    let limits = config.limits.clone();
    let demo_data = loyalty_endpoint::app::wants_demo(&config);
    let state = loyalty_endpoint::open(config).await?;
    if demo_data {
        loyalty_endpoint::seed_demo(&state).await?;
    }
    if let Some((addr, handle)) = metrics {
        let metrics_listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|err| format!("cannot listen on --metrics-addr {addr}: {err}"))?;
        let metrics_at = metrics_listener
            .local_addr()
            .map_err(|err| err.to_string())?;
        println!("loyalty-endpoint metrics on http://{metrics_at}/metrics");
        let app = loyalty_endpoint::http::metrics_router(state.clone(), handle);
        tokio::spawn(async move {
            let _ = axum::serve(metrics_listener, app).await;
        });
    }
    if let Some(file) = &args.port_file {
        std::fs::write(file, local.port().to_string())
            .map_err(|err| format!("{}: {err}", file.display()))?;
    }
    tracing::info!(
        address = %local,
        database = state.store.kind(),
        admin_api = state.config.admin_key.is_some(),
        shopify = state.config.shopify_secret.is_some(),
        woocommerce = state.config.woocommerce_secret.is_some(),
        metrics = args.metrics_addr.is_some(),
        "listening"
    );
    println!("loyalty-endpoint listening on http://{local}");
    // Expiries and birthday bonuses are booked by the hour (reads work
    // them out anyway; this keeps the ledger itself up to date).
    let sweeper = state.clone();
    tokio::spawn(async move {
        let mut hourly = tokio::time::interval(Duration::from_secs(3600));
        loop {
            hourly.tick().await;
            match sweeper.settle_all().await {
                Ok(booked) => tracing::info!(booked, "the hourly sweep finished"),
                Err(err) => tracing::error!(error = %err, "the hourly sweep failed"),
            }
        }
    });
    // What the shop's platform must have for the codes to work.
    if let Some(platform) = state.config.issuing.platform.clone() {
        let program = state.program.clone();
        tokio::spawn(async move {
            let free_shipping = program
                .rewards
                .iter()
                .any(|r| r.value == Some(program::Grant::FreeShipping));
            for finding in platform.preflight(&program.currency, free_shipping).await {
                tracing::warn!("{}: {finding}", platform.describe());
            }
        });
    }
    // Pending codes finished, expired codes marked.
    loyalty_endpoint::http::issuing::start_reconciler(state.clone());
    let draining = state.clone();
    let delay = Duration::from_secs(args.shutdown_delay);
    let shutdown = async move {
        stop_signal(args.exit_after).await;
        draining.start_draining();
        tokio::time::sleep(delay).await;
    };
    let finished =
        loyalty_endpoint::serve(listener, router(state.clone()), &limits, shutdown).await;
    finish(&state, finished).await;
    Ok(())
}

/// After the listener stopped: waits for writes still running, closes the
/// pool.
async fn finish(state: &Arc<loyalty_endpoint::AppState>, drained: bool) {
    let writes = tokio::time::timeout(Duration::from_secs(5), state.writes_done()).await;
    state.store.close().await;
    tracing::info!(
        requests_finished = drained,
        writes_finished = writes.is_ok(),
        "stopped"
    );
}

async fn migrate(args: DatabaseArgs) -> Result<(), String> {
    let _logs = telemetry::init_logs("info", LogFormat::Text)?;
    let store = loyalty_endpoint::app::open_store(&args.target(), 1).await?;
    let applied = store.migrations_applied().await?;
    println!(
        "{}: schema up to date ({applied} migrations applied)",
        store.kind()
    );
    store.close().await;
    Ok(())
}

async fn backup(args: BackupArgs) -> Result<(), String> {
    if args.to.exists() {
        return Err(format!(
            "{} exists already: back up into a new file",
            args.to.display()
        ));
    }
    if !args.db.exists() {
        return Err(format!("{}: no such database file", args.db.display()));
    }
    let store = Store::open(&Target::File(args.db.clone()), 1)
        .await
        .map_err(|err| err.to_string())?;
    store
        .backup(&args.to)
        .await
        .map_err(|err| err.to_string())?;
    store.close().await;
    let check = Store::open(&Target::File(args.to.clone()), 1)
        .await
        .map_err(|err| err.to_string())?;
    let (lines, ok) = loyalty_endpoint::app::check_db(&check, day_of(None)?).await;
    check.close().await;
    println!("{}: a copy of {}", args.to.display(), args.db.display());
    for line in lines {
        println!("  {line}");
    }
    if ok {
        Ok(())
    } else {
        Err("the copy does not pass check-db".into())
    }
}

/// The ledger's day: `--today`, or today's date in UTC.
fn day_of(today: Option<&str>) -> Result<i64, String> {
    Ok(loyalty_endpoint::http::state::pinned_day(today)?.unwrap_or((now() / 86_400) as i64))
}

async fn check_db(args: CheckArgs) -> Result<(), String> {
    let target = args.database.target();
    if let Target::File(path) = &target {
        if !path.exists() {
            return Err(format!("{}: no such database file", path.display()));
        }
    }
    let store = Store::open(&target, 1)
        .await
        .map_err(|err| err.to_string())?;
    let (lines, ok) = loyalty_endpoint::app::check_db(&store, day_of(args.today.as_deref())?).await;
    store.close().await;
    for line in lines {
        println!("{line}");
    }
    if ok {
        Ok(())
    } else {
        Err("the database does not pass its checks".into())
    }
}

/// The store (migrated), the program and the day an import works with.
async fn import_setup(common: &ImportCommon) -> Result<(Store, program::Program, i64), String> {
    let program = match &common.program {
        Some(file) => read_program(file)?,
        None => program::parse(program::DEMO)
            .map_err(|problems| format!("program: {}", problems.join("; ")))?,
    };
    let today = day_of(common.today.as_deref())?;
    let store = loyalty_endpoint::app::open_store(&common.database.target(), 1).await?;
    Ok((store, program, today))
}

async fn import(args: ImportArgs) -> Result<(), String> {
    use loyalty_endpoint::domain::import as imp;
    let common = match &args.command {
        Some(ImportCommand::List(common)) | Some(ImportCommand::Undo { common, .. }) => common,
        None => &args.common,
    };
    let (store, program, today) = import_setup(common).await?;
    let result = async {
        let mut tx = store.write().await.map_err(|err| err.to_string())?;
        let lines = match &args.command {
            Some(ImportCommand::List(_)) => imp::list(&mut tx.db()).await?,
            Some(ImportCommand::Undo { id, .. }) => {
                imp::undo(&mut tx.db(), &program, id, today).await?.lines()
            }
            None => {
                let file = args
                    .file
                    .as_ref()
                    .ok_or("import FILE, import list or import undo ID")?;
                // Read from the disk a buffer at a time, as often as the
                // importer needs it: never held whole.
                std::fs::File::open(file).map_err(|err| format!("{}: {err}", file.display()))?;
                let source = imp::FileSource(file.clone());
                let options = imp::Options {
                    mode: if args.mode == "set" {
                        imp::Mode::Set
                    } else {
                        imp::Mode::Add
                    },
                    map: args.map.clone(),
                    tier_map: args.tier_map.clone(),
                    preset: args.dialect.as_deref().and_then(imp::Preset::named),
                    tier_until: args
                        .tier_until
                        .as_deref()
                        .map(|day| {
                            loyalty_endpoint::domain::ledger::parse_date(day)
                                .ok_or(format!("--tier-until {day:?} is not a date YYYY-MM-DD"))
                        })
                        .transpose()?,
                };
                let report =
                    imp::run(&mut tx.db(), &program, &source, &options, args.apply, today).await?;
                let mut lines = report.lines();
                if let Some(failed) = &report.failed_rows {
                    let mut name = file.file_stem().unwrap_or_default().to_os_string();
                    name.push(format!(".failed.{}", report.failed_rows_extension()));
                    let path = file.with_file_name(name);
                    std::fs::write(&path, failed)
                        .map_err(|err| format!("{}: {err}", path.display()))?;
                    lines.push(format!(
                        "failed rows: {} (fix them and import that file)",
                        path.display()
                    ));
                }
                if report.applied {
                    tx.commit().await.map_err(|err| err.to_string())?;
                    for line in &lines {
                        println!("{line}");
                    }
                    return Ok(());
                }
                lines
            }
        };
        if args.command.is_some() {
            tx.commit().await.map_err(|err| err.to_string())?;
        }
        for line in &lines {
            println!("{line}");
        }
        Ok::<(), String>(())
    }
    .await;
    store.close().await;
    result
}

async fn export(args: ExportArgs) -> Result<(), String> {
    use std::io::Write;
    let (store, program, today) = import_setup(&args.common).await?;
    let result = async {
        let mut tx = store.write().await.map_err(|err| err.to_string())?;
        let bytes =
            loyalty_endpoint::domain::import::export(&mut tx.db(), &program, args.ledger, today)
                .await?;
        std::io::stdout()
            .write_all(&bytes)
            .map_err(|err| err.to_string())
    }
    .await;
    store.close().await;
    result
}

async fn import_orders(args: ImportOrdersArgs) -> Result<(), String> {
    let text = std::fs::read_to_string(&args.file)
        .map_err(|err| format!("{}: {err}", args.file.display()))?;
    let store = loyalty_endpoint::app::open_store(&args.database.target(), 1).await?;
    let result = async {
        let mut tx = store.write().await.map_err(|err| err.to_string())?;
        let report = loyalty_endpoint::domain::sales::import_orders(&mut tx.db(), &text)
            .await
            .map_err(|err| err.to_string())?;
        tx.commit().await.map_err(|err| err.to_string())?;
        println!(
            "{} rows: {} recorded, {} already recorded, {} refused",
            report.rows,
            report.recorded,
            report.already,
            report.rows - report.recorded - report.already
        );
        for refusal in &report.refused {
            println!("line {}: {}", refusal.line, refusal.message);
        }
        Ok::<(), String>(())
    }
    .await;
    store.close().await;
    result
}

async fn generate(args: GenerateArgs) -> Result<(), String> {
    let (store, program, today) = import_setup(&args.common).await?;
    let result = async {
        let started = std::time::Instant::now();
        let mut tx = store.write().await.map_err(|err| err.to_string())?;
        program::install(&mut tx.db(), &program)
            .await
            .map_err(|err| err.to_string())?;
        let options = loyalty_endpoint::domain::generate::Options {
            customers: args.customers,
            entries: args.entries,
            years: args.years,
            seed: args.seed,
            today,
        };
        let summary = loyalty_endpoint::domain::generate::generate(&mut tx.db(), &program, options)
            .await
            .map_err(|err| err.to_string())?;
        tx.commit().await.map_err(|err| err.to_string())?;
        store
            .compact_after_load()
            .await
            .map_err(|err| err.to_string())?;
        println!(
            "generated {} members, {} guests, {} orders, {} ledger entries, {} redemptions in {:.1} s",
            summary.members,
            summary.guests,
            summary.orders,
            summary.entries,
            summary.redemptions,
            started.elapsed().as_secs_f64()
        );
        Ok::<(), String>(())
    }
    .await;
    store.close().await;
    result
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve(*args).await,
        Command::Token(args) => mint(args),
        Command::Program {
            command: ProgramCommand::Check { file },
        } => read_program(&file).map(|program| {
            println!("{}: ok: {}", file.display(), program.summary());
        }),
        Command::Migrate(args) => migrate(args).await,
        Command::Backup(args) => backup(args).await,
        Command::CheckDb(args) => check_db(args).await,
        Command::Import(args) => import(*args).await,
        Command::Export(args) => export(args).await,
        Command::ImportOrders(args) => import_orders(args).await,
        Command::Generate(args) => generate(args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("loyalty-endpoint: {message}");
            ExitCode::FAILURE
        }
    }
}
