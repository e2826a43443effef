//! A reference endpoint on a free loopback port with its own SQLite file, and
//! a minimal blocking HTTP/1.1 client, for the integration tests.
#![allow(dead_code)]

use loyalty_endpoint::faults::Faults;
use loyalty_endpoint::{router, serve, token, Limits, ServerConfig};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub const SECRET: &[u8] = b"integration-test-secret-of-at-least-32-bytes";
/// The admin API's key in the in-process servers.
pub const ADMIN_KEY: &[u8] = b"integration-test-admin-key-32-bytes-long";
/// The ledger's day the in-process servers start on.
pub const TODAY: &str = "2026-11-30";

pub struct Server {
    pub addr: SocketAddr,
    pub db: PathBuf,
    /// The PostgreSQL database, when the tests run on PostgreSQL.
    pub database_url: Option<String>,
    _dir: Option<tempfile::TempDir>,
    _running: Running,
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
            let _ = child.kill();
            let _ = child.wait();
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
        };
        let mut config = config;
        change(&mut config);
        let limits = config.limits.clone();
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
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
        let addr = listener.local_addr().expect("addr");
        runtime.spawn(async move {
            serve(listener, router(state), &limits, std::future::pending()).await;
        });
        Server {
            addr,
            db,
            database_url,
            _dir: Some(dir),
            _running: Running::InProcess(runtime),
        }
    }

    /// The endpoint's binary as a second instance on `other`'s store (its
    /// SQLite file or PostgreSQL database), with the same secrets.
    pub fn process_sharing(other: &Server) -> Server {
        Server::binary(&other.db, other.database_url.as_deref(), &[], &[], None)
    }

    /// The endpoint's binary serving the store at `db` (or the PostgreSQL
    /// `database_url`) with the test secrets, `args` after its own and
    /// `env` set; its standard error into `log` when given.
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
        let stderr = match log {
            Some(file) => Stdio::from(std::fs::File::create(file).expect("the log file")),
            None => Stdio::null(),
        };
        let child = command
            .env("LOYALTY_SECRET", String::from_utf8_lossy(SECRET).as_ref())
            .env(
                "LOYALTY_ADMIN_KEY",
                String::from_utf8_lossy(ADMIN_KEY).as_ref(),
            )
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("the binary starts");
        let running = Running::Process(child);
        let mut port = String::new();
        for _ in 0..400 {
            port = std::fs::read_to_string(&port_file).unwrap_or_default();
            if !port.trim().is_empty() {
                break;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        let addr: SocketAddr = format!("127.0.0.1:{}", port.trim())
            .parse()
            .expect("the binary wrote its port");
        Server {
            addr,
            db: db.to_path_buf(),
            database_url: database_url.map(str::to_owned),
            _dir: Some(dir),
            _running: running,
        }
    }

    /// Sends SIGTERM to the binary (see [`Server::binary`]).
    pub fn terminate(&self) {
        if let Running::Process(child) = &self._running {
            let status = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status()
                .expect("kill runs");
            assert!(status.success(), "SIGTERM sent");
        }
    }

    /// Waits up to `limit` for the binary to exit: its exit status.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let Running::Process(child) = &mut self._running else {
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
        token::mint(SECRET, customer, now(), 900)
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
        stream.write_all(request.as_bytes()).ok()?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).ok()?;
        Reply::parse(&raw)
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
