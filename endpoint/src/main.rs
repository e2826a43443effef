//! `loyalty-endpoint`: run the reference endpoint, or mint a demo token.
//!
//! ```text
//! loyalty-endpoint serve [--addr 127.0.0.1:8787]
//!     [--db loyalty.sqlite | --database postgres://user@host/db]
//!     [--db-connections 4]
//!     [--allow-origin URL]... [--allow-loopback-origins] [--static DIR]
//!     [--shop-url URL] [--fault-control] [--faults JSON]
//!     [--port-file FILE] [--exit-after SECONDS] [--demo]
//!     [--token-public-key PEM-FILE] [--program FILE]
//!     [--today YYYY-MM-DD] [--clock-control]
//! loyalty-endpoint program check FILE
//! loyalty-endpoint token --customer ID [--ttl SECONDS] [--demo]
//! ```
//! The HMAC secret comes from `LOYALTY_SECRET`, at least 32 bytes; only
//! `--demo` without it falls back to a public demo secret. With
//! `SHOPIFY_API_SECRET` set, the endpoint answers the shop's app proxy
//! (`GET /shopify/proxy/token`) and takes Shopify's order webhooks
//! (`POST /webhooks/shopify`); with `WOOCOMMERCE_WEBHOOK_SECRET`,
//! WooCommerce's (`POST /webhooks/woocommerce`). `LOYALTY_ADMIN_KEY` (at
//! least 32 bytes) opens the admin API under `/admin/v1/`.

use loyalty_endpoint::faults::Faults;
use loyalty_endpoint::{program, router, token, ServerConfig};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const DEMO_SECRET: &str = "demo-secret-do-not-use-in-production";

/// The shortest secret `serve` and `token` accept: 32 bytes, the size of
/// the HMAC-SHA256 key.
const MIN_SECRET: usize = 32;

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
            eprintln!(
                "loyalty-endpoint: --demo without LOYALTY_SECRET: tokens are signed with the \
                 public demo secret, so anyone can mint them. Never expose this to the internet."
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

struct Args(Vec<String>);

impl Args {
    fn value(&mut self, flag: &str) -> Result<Option<String>, String> {
        let Some(at) = self.0.iter().position(|arg| arg == flag) else {
            return Ok(None);
        };
        if at + 1 >= self.0.len() {
            return Err(format!("{flag} needs a value"));
        }
        let value = self.0.remove(at + 1);
        self.0.remove(at);
        Ok(Some(value))
    }

    fn values(&mut self, flag: &str) -> Result<Vec<String>, String> {
        let mut all = Vec::new();
        while let Some(value) = self.value(flag)? {
            all.push(value);
        }
        Ok(all)
    }

    fn flag(&mut self, flag: &str) -> bool {
        let found = self.0.iter().position(|arg| arg == flag);
        if let Some(at) = found {
            self.0.remove(at);
        }
        found.is_some()
    }

    fn finish(self) -> Result<(), String> {
        match self.0.first() {
            Some(extra) => Err(format!("unknown argument {extra:?}")),
            None => Ok(()),
        }
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn mint(mut args: Args) -> Result<(), String> {
    let customer = args
        .value("--customer")?
        .ok_or("token needs --customer ID (demo customers: cust-anna, cust-ben, cust-carla)")?;
    let ttl = args
        .value("--ttl")?
        .map_or(Ok(900), |ttl| ttl.parse::<u64>())
        .map_err(|err| format!("--ttl: {err}"))?;
    let demo = args.flag("--demo");
    args.finish()?;
    println!("{}", token::mint(&secret(demo)?, &customer, now(), ttl));
    Ok(())
}

async fn serve(mut args: Args) -> Result<(), String> {
    let addr = args
        .value("--addr")?
        .unwrap_or_else(|| "127.0.0.1:8787".into());
    let faults = match args.value("--faults")? {
        Some(json) => {
            serde_json::from_str::<Faults>(&json).map_err(|err| format!("--faults: {err}"))?
        }
        None => Faults::default(),
    };
    let demo = args.flag("--demo");
    // A shop that signs tokens with its private key gives the public key:
    // then the endpoint needs no secret and can mint nothing.
    let public_key = match args.value("--token-public-key")? {
        Some(file) => {
            if demo {
                return Err(
                    "--demo mints tokens, so it needs a secret, not --token-public-key".into(),
                );
            }
            let pem = std::fs::read(&file).map_err(|err| format!("{file}: {err}"))?;
            let verifier =
                token::Verifier::public_key(&pem).map_err(|err| format!("{file}: {err}"))?;
            eprintln!(
                "loyalty-endpoint: verifying tokens with the {:?} public key in {file}",
                verifier.algorithm()
            );
            Some(verifier)
        }
        None => None,
    };
    let program = match args.value("--program")? {
        Some(file) => Some(read_program(&file)?),
        None => {
            eprintln!("loyalty-endpoint: no --program FILE: running the demo shop's program");
            None
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
    let admin_key = match std::env::var("LOYALTY_ADMIN_KEY") {
        Ok(key) if key.len() >= loyalty_endpoint::http::admin::MIN_ADMIN_KEY => {
            Some(key.into_bytes())
        }
        Ok(key) if !key.is_empty() => {
            return Err(format!(
                "LOYALTY_ADMIN_KEY is {} bytes long; it must be at least {} (it records orders \
                 and changes points). Make one with: openssl rand -base64 48",
                key.len(),
                loyalty_endpoint::http::admin::MIN_ADMIN_KEY
            ))
        }
        _ => None,
    };
    let db_file = args.value("--db")?;
    let database_url = args.value("--database")?;
    if let Some(url) = &database_url {
        if db_file.is_some() {
            return Err("give either --db FILE (SQLite) or --database URL (PostgreSQL)".into());
        }
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(format!(
                "--database takes a PostgreSQL connection string (postgres://user@host/db), \
                 not {url:?}; a SQLite file is --db FILE"
            ));
        }
    }
    let db_connections = args
        .value("--db-connections")?
        .map_or(Ok(4), |n| n.parse::<usize>())
        .map_err(|err| format!("--db-connections: {err}"))?
        .clamp(1, 64);
    let config = ServerConfig {
        db_connections,
        woocommerce_secret,
        admin_key,
        today: args.value("--today")?,
        clock_control: args.flag("--clock-control"),
        shopify_secret,
        program,
        db_path: PathBuf::from(db_file.unwrap_or_else(|| "loyalty.sqlite".into())),
        database_url,
        secret: if public_key.is_some() {
            Vec::new()
        } else {
            secret(demo)?
        },
        public_key,
        allowed_origins: args.values("--allow-origin")?,
        allow_loopback_origins: args.flag("--allow-loopback-origins"),
        static_dir: args.value("--static")?.map(PathBuf::from),
        shop_url: args.value("--shop-url")?.unwrap_or_default(),
        fault_control: args.flag("--fault-control"),
        faults,
        demo,
        ..ServerConfig::default()
    };
    let port_file = args.value("--port-file")?;
    let exit_after = args
        .value("--exit-after")?
        .map(|s| {
            s.parse::<u64>()
                .map_err(|err| format!("--exit-after: {err}"))
        })
        .transpose()?;
    args.finish()?;
    let open_files = loyalty_endpoint::server::raise_open_files();
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|err| format!("cannot listen on {addr}: {err}"))?;
    let local = listener.local_addr().map_err(|err| err.to_string())?;
    let mut config = config;
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
    if let Some(file) = port_file {
        std::fs::write(&file, local.port().to_string()).map_err(|err| format!("{file}: {err}"))?;
    }
    println!("loyalty-endpoint listening on http://{local}");
    // Expiries and birthday bonuses are booked by the hour (reads work
    // them out anyway; this keeps the ledger itself up to date).
    let sweeper = state.clone();
    tokio::spawn(async move {
        let mut hourly = tokio::time::interval(Duration::from_secs(3600));
        loop {
            hourly.tick().await;
            if let Err(err) = sweeper.settle_all().await {
                eprintln!("loyalty-endpoint: the hourly sweep failed: {err}");
            }
        }
    });
    let shutdown = async move {
        let deadline = async {
            match exit_after {
                Some(secs) => tokio::time::sleep(Duration::from_secs(secs)).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = deadline => eprintln!("loyalty-endpoint: --exit-after reached, stopping"),
        }
    };
    loyalty_endpoint::serve(listener, router(state.clone()), &limits, shutdown).await;
    state.store.close().await;
    Ok(())
}

/// Reads and checks a program file; every problem is in the error.
fn read_program(file: &str) -> Result<program::Program, String> {
    let text = std::fs::read_to_string(file).map_err(|err| format!("{file}: {err}"))?;
    program::parse(&text).map_err(|problems| {
        let count = problems.len();
        let list: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
        format!("{file}: {count} problem(s):\n{}", list.join("\n"))
    })
}

/// `program check FILE`: validates a program file and says what it holds.
fn program_command(mut args: Args) -> Result<(), String> {
    let what = args.0.first().cloned().unwrap_or_default();
    if what != "check" || args.0.len() != 2 {
        return Err("usage: loyalty-endpoint program check FILE".into());
    }
    let file = args.0.remove(1);
    let program = read_program(&file)?;
    println!("{file}: ok: {}", program.summary());
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut argv: Vec<String> = std::env::args().skip(1).collect();
    let command = if argv.is_empty() {
        String::new()
    } else {
        argv.remove(0)
    };
    let args = Args(argv);
    let result = match command.as_str() {
        "serve" => serve(args).await,
        "token" => mint(args),
        "program" => program_command(args),
        _ => Err(
            "usage: loyalty-endpoint serve [options] | token --customer ID [--ttl S] [--demo] | program check FILE"
                .into(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("loyalty-endpoint: {message}");
            ExitCode::FAILURE
        }
    }
}
