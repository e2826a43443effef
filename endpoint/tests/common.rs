//! A reference endpoint on a free loopback port with its own SQLite file, and
//! a minimal blocking HTTP/1.1 client, for the integration tests.
//!
//! Every server started here logs at `trace`, as JSON lines, into a file of
//! its own, and the harness keeps what must never be in it: the server's
//! secrets and keys, the platform's credentials, every customer token
//! minted or sent, every e-mail address in a request or an answer, every
//! reward code and token an answer carried. When the server is dropped
//! (and the test has not failed already) its log is read and none of them
//! may be in it, in any letter case.
#![allow(dead_code)]

use loyalty_endpoint::faults::Faults;
use loyalty_endpoint::{router, serve, token, Limits, ServerConfig};
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub const SECRET: &[u8] = b"integration-test-secret-of-at-least-32-bytes";
/// The admin API's key in the in-process servers.
pub const ADMIN_KEY: &[u8] = b"integration-test-admin-key-32-bytes-long";
/// The ledger's day the in-process servers start on.
pub const TODAY: &str = "2026-11-30";

/// The Shopify Admin API token the platform stand-ins take (and every test
/// gives the endpoint).
pub const SHOPIFY_TOKEN: &str = "shpat_test_token";

/// The WooCommerce REST API key the stand-in takes.
pub fn woo_key() -> String {
    format!("ck_{}", "a".repeat(40))
}

/// The WooCommerce REST API secret the stand-in takes.
pub fn woo_secret() -> String {
    format!("cs_{}", "b".repeat(40))
}

pub struct Server {
    pub addr: SocketAddr,
    pub db: PathBuf,
    /// The PostgreSQL database, when the tests run on PostgreSQL.
    pub database_url: Option<String>,
    /// Its log: JSON lines at `trace`.
    pub log: PathBuf,
    /// What must never be in the log.
    watched: Watched,
    _dir: Option<tempfile::TempDir>,
    _running: Option<Running>,
}

/// What keeps a server running while its [`Server`] lives.
enum Running {
    /// In this process.
    InProcess(tokio::runtime::Runtime),
    /// The endpoint's binary, stopped when dropped.
    Process(std::process::Child),
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Running::Process(child) = self {
            // Asked to stop first, so that it writes its last log lines;
            // killed if it takes longer than a moment.
            if let Ok(None) = child.try_wait() {
                let _ = Command::new("kill")
                    .args(["-TERM", &child.id().to_string()])
                    .stderr(Stdio::null())
                    .status();
                let started = std::time::Instant::now();
                while started.elapsed() < Duration::from_secs(2) {
                    if let Ok(Some(_)) = child.try_wait() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Server {
    /// Stops the server (its last lines written), then reads its log for
    /// anything [`Watched`].
    fn drop(&mut self) {
        drop(self._running.take());
        if std::thread::panicking() {
            return;
        }
        self.watched.check(&self.log);
    }
}

/// The shortest value watched for: shorter ones (`x`, a test's `bad`)
/// would be found by chance.
const WATCHED_FROM: usize = 8;

/// What must never be in a server's log: secrets, keys, tokens, e-mail
/// addresses and reward codes, gathered as the test goes.
#[derive(Clone, Default)]
struct Watched(Arc<Mutex<BTreeSet<String>>>);

impl Watched {
    fn add(&self, value: &str) {
        let value = value.trim();
        if value.chars().count() >= WATCHED_FROM {
            if let Ok(mut all) = self.0.lock() {
                all.insert(value.to_owned());
            }
        }
    }

    /// The secrets of an in-process server's configuration.
    fn config(&self, config: &ServerConfig) {
        for secret in [
            Some(&config.secret),
            config.admin_key.as_ref(),
            config.shopify_secret.as_ref(),
            config.woocommerce_secret.as_ref(),
        ]
        .into_iter()
        .flatten()
        {
            self.add(&String::from_utf8_lossy(secret));
        }
        if config.issuing.platform.is_some() {
            self.platform();
        }
    }

    /// The platform credentials the tests use.
    fn platform(&self) {
        for credential in [SHOPIFY_TOKEN.to_owned(), woo_key(), woo_secret()] {
            self.add(&credential);
        }
    }

    /// A binary's secrets: its environment's keys, secrets, tokens and
    /// passwords.
    fn environment(&self, env: &[(&str, &str)]) {
        for (name, value) in env {
            let name = name.to_ascii_uppercase();
            if ["SECRET", "KEY", "TOKEN", "PASSWORD"]
                .iter()
                .any(|word| name.contains(word))
            {
                self.add(value);
            }
        }
    }

    /// What a request carries: its credentials and signatures, the
    /// query's signatures and tokens, the e-mail addresses in its body.
    fn request(&self, path: &str, headers: &[(&str, &str)], body: &str) {
        for (name, value) in headers {
            let name = name.to_ascii_lowercase();
            if name == "authorization" {
                let credential = value.split_once(' ').map_or(*value, |(_, rest)| rest);
                self.add(credential);
            } else if ["signature", "hmac", "token", "secret"]
                .iter()
                .any(|word| name.contains(word))
            {
                self.add(value);
            }
        }
        if let Some((_, query)) = path.split_once('?') {
            for (name, value) in form_urlencoded::parse(query.as_bytes()) {
                if ["signature", "hmac", "token"].contains(&name.as_ref()) {
                    self.add(&value);
                }
            }
        }
        self.emails(body);
    }

    /// What an answer carries: e-mail addresses, reward codes, tokens.
    fn reply(&self, body: &str) {
        self.emails(body);
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(body) {
            self.codes(&value);
        }
    }

    /// Every e-mail address in `text`.
    fn emails(&self, text: &str) {
        let local = |c: char| c.is_alphanumeric() || "._%+-'".contains(c);
        let domain = |c: char| c.is_alphanumeric() || ".-".contains(c);
        for (at, _) in text.match_indices('@') {
            let before = &text[..at];
            let start = before
                .char_indices()
                .rev()
                .take_while(|(_, c)| local(*c))
                .last()
                .map_or(at, |(i, _)| i);
            let after = &text[at + 1..];
            let end = after
                .char_indices()
                .find(|(_, c)| !domain(*c))
                .map_or(after.len(), |(i, _)| i);
            let host = after[..end].trim_end_matches(['.', '-']);
            if start < at && host.contains('.') {
                self.add(&format!("{}@{host}", &text[start..at]));
            }
        }
    }

    /// Reward codes (`coupon.code`, a redemption's or a history line's
    /// `code`) and tokens (`token`) anywhere in an answer.
    fn codes(&self, value: &serde_json::Value) {
        match value {
            serde_json::Value::Object(object) => {
                let has = |key: &str| object.contains_key(key);
                let reward = has("reward_id") || (has("points") && has("label"));
                for (key, inner) in object {
                    match (key.as_str(), inner) {
                        ("coupon", serde_json::Value::Object(coupon)) => {
                            if let Some(code) = coupon.get("code").and_then(|c| c.as_str()) {
                                self.add(code);
                            }
                        }
                        ("code", serde_json::Value::String(code)) if reward => self.add(code),
                        ("token", serde_json::Value::String(token)) => self.add(token),
                        _ => {}
                    }
                    self.codes(inner);
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|item| self.codes(item)),
            _ => {}
        }
    }

    /// Fails the test if the log at `path` holds anything watched.
    fn check(&self, path: &Path) {
        let Ok(text) = std::fs::read_to_string(path) else {
            return;
        };
        let text = text.to_lowercase();
        let Ok(all) = self.0.lock() else {
            return;
        };
        let found: Vec<&String> = all
            .iter()
            .filter(|value| text.contains(&value.to_lowercase()))
            .collect();
        assert!(
            found.is_empty(),
            "the server's log {} holds {found:?}",
            path.display()
        );
    }
}

/// The in-process servers' logs: one tracing subscriber for the whole test
/// process (installed once, at `trace`, JSON lines), writing each event to
/// the log of the server whose thread it happened on. Each server's
/// runtime threads (workers and blocking ones) carry its log, and so does
/// the test's thread while it starts the server; events on other threads
/// (the test's own, SQLite's connection threads) are not written.
mod thread_log {
    use std::cell::RefCell;
    use std::io::Write;
    use std::sync::{Arc, Mutex, Once};
    use tracing_subscriber::fmt::MakeWriter;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::Layer;

    /// A server's log file, shared by its threads.
    pub type File = Arc<Mutex<std::fs::File>>;

    thread_local! {
        static LOG: RefCell<Option<File>> = const { RefCell::new(None) };
    }

    /// Sets (or clears) this thread's log; the one it had before.
    pub fn set(log: Option<File>) -> Option<File> {
        LOG.with(|current| current.replace(log))
    }

    fn has_log() -> bool {
        LOG.with(|current| current.borrow().is_some())
    }

    /// Installs the subscriber, once per test process.
    pub fn install() {
        static ONCE: Once = Once::new();
        ONCE.call_once(|| {
            let layer = tracing_subscriber::fmt::layer()
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
                .with_writer(Writer)
                .with_filter(tracing_subscriber::filter::filter_fn(|_| has_log()));
            // Another subscriber installed first (none is): logs stay off.
            let _ = tracing_subscriber::registry().with(layer).try_init();
        });
    }

    /// Writes each event to its thread's log.
    struct Writer;

    impl<'a> MakeWriter<'a> for Writer {
        type Writer = ToLog;

        fn make_writer(&'a self) -> ToLog {
            ToLog(LOG.with(|current| current.borrow().clone()))
        }
    }

    pub struct ToLog(Option<File>);

    impl Write for ToLog {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if let Some(file) = &self.0 {
                let mut file = file
                    .lock()
                    .map_err(|_| std::io::Error::other("a log's lock"))?;
                file.write_all(buf)?;
            }
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
}

/// Runs the endpoint's binary in `dir` with `LOYALTY_SECRET` set to
/// `secret` (or unset): its exit success, stderr and stdout.
pub fn run_binary(dir: &Path, secret: Option<&str>, args: &[&str]) -> (bool, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_loyalty-endpoint"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("LOYALTY_SECRET")
        .stdin(Stdio::null());
    if let Some(secret) = secret {
        command.env("LOYALTY_SECRET", secret);
    }
    let output = command.output().expect("the binary runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

/// An HS256 token for `customer`, signed with `secret`.
pub fn token_with(secret: &[u8], customer: &str) -> String {
    token::mint(secret, customer, now(), 900)
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// With `LOYALTY_TEST_POSTGRES` set (a connection string to a PostgreSQL
/// server's `postgres` database), every in-process server runs on a fresh
/// PostgreSQL database of its own instead of a SQLite file.
pub fn fresh_postgres() -> Option<String> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let base = std::env::var("LOYALTY_TEST_POSTGRES").ok()?;
    let name = format!(
        "lw_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    sql_execute(
        Path::new(""),
        Some(&base),
        &format!("CREATE DATABASE {name}"),
    )
    .expect("a fresh database");
    let (server, _) = base.rsplit_once('/').expect("a URL ending in /DATABASE");
    Some(format!("{server}/{name}"))
}

impl Server {
    pub fn start() -> Server {
        Server::with_faults(Faults::default())
    }

    pub fn with_faults(faults: Faults) -> Server {
        Server::serving(faults, &[])
    }

    /// A server whose `--static` directory holds `files` (path, content).
    pub fn with_static(files: &[(&str, &[u8])]) -> Server {
        Server::serving(Faults::default(), files)
    }

    /// A server with `files` as its static files and its configuration
    /// changed by `change`.
    pub fn with_static_and(
        files: &[(&str, &[u8])],
        change: impl FnOnce(&mut ServerConfig),
    ) -> Server {
        Server::configured(Faults::default(), files, change)
    }

    fn serving(faults: Faults, files: &[(&str, &[u8])]) -> Server {
        Server::configured(faults, files, |_| {})
    }

    /// A server with its configuration changed by `change` first.
    pub fn with(change: impl FnOnce(&mut ServerConfig)) -> Server {
        Server::configured(Faults::default(), &[], change)
    }

    fn configured(
        faults: Faults,
        files: &[(&str, &[u8])],
        change: impl FnOnce(&mut ServerConfig),
    ) -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("loyalty.sqlite");
        let static_dir = (!files.is_empty()).then(|| dir.path().join("static"));
        for (path, content) in files {
            let file = dir.path().join("static").join(path);
            std::fs::create_dir_all(file.parent().expect("a parent")).expect("static dir");
            std::fs::write(file, content).expect("static file");
        }
        let database_url = fresh_postgres();
        let log = dir.path().join("endpoint.log");
        let file: thread_log::File = Arc::new(Mutex::new(
            std::fs::File::create(&log).expect("the log file"),
        ));
        thread_log::install();
        let config = ServerConfig {
            db_path: db.clone(),
            database_url: database_url.clone(),
            db_connections: 4,
            secret: SECRET.to_vec(),
            public_key: None,
            allowed_origins: vec!["https://shop.example".into()],
            allow_loopback_origins: false,
            static_dir,
            shop_url: "https://shop.example".into(),
            fault_control: true,
            faults,
            demo: false,
            limits: Limits::default(),
            program: None,
            shopify_secret: None,
            woocommerce_secret: None,
            admin_key: Some(ADMIN_KEY.to_vec()),
            today: Some(TODAY.into()),
            clock_control: true,
            issuing: loyalty_endpoint::config::Issuing::default(),
            ..ServerConfig::default()
        };
        let mut config = config;
        change(&mut config);
        let watched = Watched::default();
        watched.config(&config);
        let limits = config.limits.clone();
        let starts = file.clone();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .on_thread_start(move || drop(thread_log::set(Some(starts.clone()))))
            .on_thread_stop(move || drop(thread_log::set(None)))
            .build()
            .expect("runtime");
        // This thread writes to the log while it starts the server.
        let before = thread_log::set(Some(file));
        let demo = loyalty_endpoint::app::wants_demo(&config);
        let state = runtime
            .block_on(loyalty_endpoint::open(config))
            .expect("state");
        if demo {
            runtime
                .block_on(loyalty_endpoint::seed_demo(&state))
                .expect("demo seeded");
        }
        let listener = runtime
            .block_on(loyalty_endpoint::server::listen("127.0.0.1:0"))
            .expect("bind");
        thread_log::set(before);
        let addr = listener.local_addr().expect("addr");
        runtime.spawn(async move {
            serve(listener, router(state), &limits, std::future::pending()).await;
        });
        Server {
            addr,
            db,
            database_url,
            log,
            watched,
            _dir: Some(dir),
            _running: Some(Running::InProcess(runtime)),
        }
    }

    /// The endpoint's binary as a second instance on `other`'s store (its
    /// SQLite file or PostgreSQL database), with the same secrets.
    pub fn process_sharing(other: &Server) -> Server {
        Server::binary(&other.db, other.database_url.as_deref(), &[], &[], None)
    }

    /// The endpoint's binary serving the store at `db` (or the PostgreSQL
    /// `database_url`) with the test secrets, `args` after its own and
    /// `env` set (after `RUST_LOG=trace` and `LOYALTY_LOG_FORMAT=json`,
    /// which it may change); its standard error into `log` when given, else
    /// into a file of its own ([`Server::log`]).
    pub fn binary(
        db: &Path,
        database_url: Option<&str>,
        args: &[&str],
        env: &[(&str, &str)],
        log: Option<&Path>,
    ) -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        let port_file = dir.path().join("port");
        let mut command = Command::new(env!("CARGO_BIN_EXE_loyalty-endpoint"));
        command.args(["serve", "--addr", "127.0.0.1:0", "--exit-after", "300"]);
        command.args(["--today", TODAY, "--allow-origin", "https://shop.example"]);
        command.arg("--port-file").arg(&port_file);
        match database_url {
            Some(url) => command.args(["--database", url]),
            None => command.arg("--db").arg(db),
        };
        command.args(args);
        let log = log.map_or_else(|| dir.path().join("endpoint.log"), Path::to_path_buf);
        let stderr = Stdio::from(std::fs::File::create(&log).expect("the log file"));
        let watched = Watched::default();
        watched.add(&String::from_utf8_lossy(SECRET));
        watched.add(&String::from_utf8_lossy(ADMIN_KEY));
        watched.environment(env);
        let child = command
            .env("LOYALTY_SECRET", String::from_utf8_lossy(SECRET).as_ref())
            .env(
                "LOYALTY_ADMIN_KEY",
                String::from_utf8_lossy(ADMIN_KEY).as_ref(),
            )
            .env("RUST_LOG", "trace")
            .env("LOYALTY_LOG_FORMAT", "json")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("the binary starts");
        let mut child = child;
        let mut port = String::new();
        // Up to 30 s (migrations on a busy PostgreSQL), unless it stopped.
        for _ in 0..1200 {
            port = std::fs::read_to_string(&port_file).unwrap_or_default();
            if !port.trim().is_empty() || !matches!(child.try_wait(), Ok(None)) {
                break;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        let running = Running::Process(child);
        let Ok(addr) = format!("127.0.0.1:{}", port.trim()).parse::<SocketAddr>() else {
            drop(running);
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(20).collect();
            panic!(
                "the binary did not write its port; the end of its log:\n{}",
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        };
        Server {
            addr,
            db: db.to_path_buf(),
            database_url: database_url.map(str::to_owned),
            log,
            watched,
            _dir: Some(dir),
            _running: Some(running),
        }
    }

    /// Sends SIGTERM to the binary (see [`Server::binary`]).
    pub fn terminate(&self) {
        if let Some(Running::Process(child)) = &self._running {
            let status = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status()
                .expect("kill runs");
            assert!(status.success(), "SIGTERM sent");
        }
    }

    /// Waits up to `limit` for the binary to exit: its exit status.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let Some(Running::Process(child)) = &mut self._running else {
            return None;
        };
        let started = std::time::Instant::now();
        while started.elapsed() < limit {
            if let Ok(Some(status)) = child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    pub fn token(&self, customer: &str) -> String {
        let minted = token::mint(SECRET, customer, now(), 900);
        self.watched.add(&minted);
        minted
    }

    /// Adds `value` to what must never be in this server's log.
    pub fn watch(&self, value: &str) {
        self.watched.add(value);
    }

    /// One request with `Connection: close`; `None` when the connection
    /// dropped before a complete answer.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Option<Reply> {
        let mut stream = TcpStream::connect(self.addr).ok()?;
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .ok()?;
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(body);
        self.watched.request(path, headers, body);
        stream.write_all(request.as_bytes()).ok()?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).ok()?;
        let reply = Reply::parse(&raw)?;
        self.watched.reply(&reply.body);
        Some(reply)
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Reply {
        let auth = token.map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> = auth
            .as_deref()
            .map(|a| vec![("Authorization", a)])
            .unwrap_or_default();
        self.send("GET", path, &headers, "").expect("an answer")
    }

    pub fn post(&self, path: &str, token: &str, key: &str, body: &str) -> Option<Reply> {
        let auth = format!("Bearer {token}");
        self.send(
            "POST",
            path,
            &[
                ("Authorization", &auth),
                ("Idempotency-Key", key),
                ("Content-Type", "application/json"),
            ],
            body,
        )
    }

    /// Rows of `from_where` (`"redemptions WHERE ..."`). The redemptions
    /// and orders counted are the ones made through the endpoint, not the
    /// demo's seeded ones (codes `MR-DEMO-...`, orders `demo-...`).
    pub fn count(&self, from_where: &str) -> i64 {
        let from_where = if let Some(rest) = from_where.strip_prefix("redemptions") {
            format!(
                "(SELECT * FROM redemptions WHERE code NOT LIKE 'MR-DEMO-%') AS redemptions{rest}"
            )
        } else if let Some(rest) = from_where.strip_prefix("orders") {
            format!("(SELECT * FROM orders WHERE id NOT LIKE 'demo-%') AS orders{rest}")
        } else {
            from_where.to_owned()
        };
        let sql = format!("SELECT COUNT(*) FROM {from_where}");
        sql_count(&self.db, self.database_url.as_deref(), &sql)
    }

    /// Runs a statement on the store directly (not through the endpoint).
    pub fn execute(&self, sql: &str) -> Result<u64, String> {
        sql_execute(&self.db, self.database_url.as_deref(), sql)
    }

    /// The customer's spendable points, as `GET /v1/customer` says.
    pub fn approved(&self, customer: &str) -> i64 {
        let reply = self.get("/v1/customer", Some(&self.token(customer)));
        assert_eq!(reply.status, 200, "{}", reply.body);
        let summary: serde_json::Value = serde_json::from_str(&reply.body).expect("json");
        summary["points"]["approved"].as_i64().expect("approved")
    }

    /// An admin API request (`Authorization: Bearer` the admin key).
    pub fn admin(&self, method: &str, path: &str, body: &str) -> Reply {
        let auth = format!("Bearer {}", String::from_utf8_lossy(ADMIN_KEY));
        self.send(
            method,
            path,
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            body,
        )
        .expect("an answer")
    }

    /// The customer's points as the widget sees them (`GET /v1/customer`).
    pub fn points(&self, customer: &str) -> serde_json::Value {
        let reply = self.get("/v1/customer", Some(&self.token(customer)));
        assert_eq!(reply.status, 200, "{}", reply.body);
        value(&reply)["points"].clone()
    }

    /// Moves the ledger's day (`PUT /_clock`).
    pub fn set_today(&self, day: &str) {
        let reply = self
            .send("PUT", "/_clock", &[], &format!(r#"{{"today":"{day}"}}"#))
            .expect("an answer");
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    /// An answer read off the wire (the name the import tests use).
    pub fn parse_bytes(raw: &[u8]) -> Option<Reply> {
        Reply::parse(raw)
    }

    /// An answer as it came over the wire; `None` when it is incomplete.
    pub fn parse(raw: &[u8]) -> Option<Reply> {
        let text = String::from_utf8_lossy(raw);
        let (head, rest) = text.split_once("\r\n\r\n")?;
        let mut lines = head.lines();
        let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let body = if headers
            .iter()
            .any(|(k, v)| k == "transfer-encoding" && v == "chunked")
        {
            dechunk(rest)?
        } else {
            let length: usize = headers
                .iter()
                .find(|(k, _)| k == "content-length")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(rest.len());
            if rest.len() < length {
                return None;
            }
            rest[..length].to_owned()
        };
        Some(Reply {
            status,
            headers,
            body,
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        value(self)
    }

    pub fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// Decodes a chunked body; `None` if it ends before the final chunk.
fn dechunk(mut rest: &str) -> Option<String> {
    let mut body = String::new();
    loop {
        let (size, after) = rest.split_once("\r\n")?;
        let size = usize::from_str_radix(size.trim(), 16).ok()?;
        if size == 0 {
            return Some(body);
        }
        body.push_str(after.get(..size)?);
        rest = after.get(size + 2..)?;
    }
}

/// Reads an answer as the widget does: the contract's `Deserialize` impls
/// (here driven by serde_json), then its plausibility checks.
/// A reply's JSON body (a test fails, showing the body, if it is none).
pub fn value(reply: &Reply) -> serde_json::Value {
    serde_json::from_str(&reply.body).unwrap_or_else(|err| panic!("{err}: {}", reply.body))
}

pub fn decode<T: serde::de::DeserializeOwned + loyalty_core::contract::Checked>(
    body: &str,
) -> Result<T, loyalty_core::contract::DecodeError> {
    loyalty_core::contract::accept(
        serde_json::from_str::<serde_json::Value>(body).and_then(serde_json::from_value),
    )
}

/// Runs `apply` on a connection of its own to the SQLite file `db`, or to
/// the PostgreSQL `url`: the tests look behind the endpoint's back.
fn on_database<T>(
    db: &Path,
    url: Option<&str>,
    apply: impl for<'c> FnOnce(
        Connection<'c>,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<T, sqlx::Error>> + 'c>,
    >,
) -> Result<T, String> {
    use sqlx::Connection as _;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        match url {
            Some(url) => {
                let mut conn = sqlx::PgConnection::connect(url)
                    .await
                    .map_err(|e| e.to_string())?;
                let result = apply(Connection::Postgres(&mut conn)).await;
                let _ = conn.close().await;
                result.map_err(message)
            }
            None => {
                let options = sqlx::sqlite::SqliteConnectOptions::new().filename(db);
                let mut conn = sqlx::SqliteConnection::connect_with(&options)
                    .await
                    .map_err(|e| e.to_string())?;
                let result = apply(Connection::Sqlite(&mut conn)).await;
                let _ = conn.close().await;
                result.map_err(message)
            }
        }
    })
}

/// The database's own words for a refusal.
fn message(err: sqlx::Error) -> String {
    match err.as_database_error() {
        Some(db) => db.message().to_owned(),
        None => err.to_string(),
    }
}

/// A connection to either database.
pub enum Connection<'c> {
    Sqlite(&'c mut sqlx::SqliteConnection),
    Postgres(&'c mut sqlx::PgConnection),
}

/// Runs statements (no parameters) on a database: rows changed.
pub fn sql_execute(db: &Path, url: Option<&str>, sql: &str) -> Result<u64, String> {
    let sql = sql.to_owned();
    on_database(db, url, move |conn| {
        Box::pin(async move {
            Ok(match conn {
                Connection::Sqlite(c) => sqlx::raw_sql(&sql).execute(c).await?.rows_affected(),
                Connection::Postgres(c) => sqlx::raw_sql(&sql).execute(c).await?.rows_affected(),
            })
        })
    })
}

/// A count (`SELECT COUNT(*) ...`) on a database.
pub fn sql_count(db: &Path, url: Option<&str>, sql: &str) -> i64 {
    let sql = sql.to_owned();
    on_database(db, url, move |conn| {
        Box::pin(async move {
            match conn {
                Connection::Sqlite(c) => sqlx::query_scalar(&sql).fetch_one(c).await,
                Connection::Postgres(c) => sqlx::query_scalar(&sql).fetch_one(c).await,
            }
        })
    })
    .expect("a count")
}

/// The ledger's rows (id, customer, kind, points) in order.
pub fn ledger_rows(db: &Path, url: Option<&str>) -> Vec<(i64, String, String, i64)> {
    let sql = "SELECT id, customer_id, kind, points FROM ledger ORDER BY id";
    on_database(db, url, move |conn| {
        Box::pin(async move {
            match conn {
                Connection::Sqlite(c) => sqlx::query_as(sql).fetch_all(c).await,
                Connection::Postgres(c) => sqlx::query_as(sql).fetch_all(c).await,
            }
        })
    })
    .expect("the ledger")
}
