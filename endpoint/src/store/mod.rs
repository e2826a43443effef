//! The store: queries and migrations only, on sqlx. A SQLite file (the
//! default) or a PostgreSQL database (`--database postgres://...`), so that
//! several endpoint instances behind a load balancer share one ledger.
//!
//! Nothing here knows the program's rules or HTTP: functions take and
//! return plain rows ([`rows`]). The queries are in [`queries`], written
//! once where both databases read the same SQL (`$1` placeholders, `ON
//! CONFLICT`, `RETURNING`, `lower()`), and the schema in
//! `endpoint/migrations/{sqlite,postgres}/`, applied by `sqlx::migrate!`.
//!
//! A write runs in one transaction that holds the store's write lock from
//! its first statement ([`Store::write`]): SQLite's `BEGIN IMMEDIATE`, and
//! on PostgreSQL a transaction-scoped advisory lock every instance takes.
//! Writes are serialised across instances as they are within one SQLite
//! file, so a key, an order or a refund is applied once whichever instance
//! gets it, and no balance goes below zero; reads run in parallel.

pub mod analytics;
pub mod customers;
pub mod generate;
pub mod queries;
pub mod rows;
pub mod sales;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use thiserror::Error;

/// A failed store operation.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The database failed (or refused a statement).
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database holds something this version cannot read.
    #[error("database content: {0}")]
    Corrupt(String),
}

/// Where the data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A SQLite file.
    File(PathBuf),
    /// A PostgreSQL connection string (`postgres://user@host/db`).
    Postgres(String),
}

impl Default for Target {
    fn default() -> Target {
        Target::File(PathBuf::from("loyalty.sqlite"))
    }
}

/// An open store: pools of connections to one database.
#[derive(Clone)]
pub enum Store {
    /// SQLite: reads and writes from pools of their own.
    Sqlite {
        /// Reads (and migrations, checks, backups), the file mapped into
        /// memory.
        pool: SqlitePool,
        /// Write transactions ([`Store::write`]), the file read by calls.
        writes: SqlitePool,
    },
    /// PostgreSQL.
    Postgres(PgPool),
}

/// Requests waiting for a connection from a pool, this process's.
static WAITING: AtomicUsize = AtomicUsize::new(0);

/// Counts a wait for a connection while it lasts.
struct Waiting;

impl Waiting {
    fn start() -> Waiting {
        WAITING.fetch_add(1, Ordering::Relaxed);
        Waiting
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        WAITING.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A pool's connections: in use, idle, and requests waiting for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// Connections lent out.
    pub in_use: usize,
    /// Connections open and free.
    pub idle: usize,
    /// Requests waiting for a connection.
    pub waiting: usize,
}

/// What `check` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    /// Every migration this version knows is applied, unchanged.
    pub migrations: Result<usize, String>,
    /// The database's own integrity check (SQLite), or that it answers.
    pub integrity: Result<(), String>,
}

/// The migrations of each database, built into the binary.
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The advisory lock every instance's write transaction takes.
const WRITE_LOCK: i64 = 0x4C57_4C45_4447_4552; // "LWLEDGER"

/// How long a statement waits for SQLite's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How much of a SQLite file each connection maps into memory (address
/// space, not memory: the pages stay the operating system's cache).
const SQLITE_MMAP_SIZE: u64 = 1 << 30;

/// A connection to one of the two databases, for the queries.
pub enum Db<'c> {
    /// SQLite.
    Sqlite(&'c mut SqliteConnection),
    /// PostgreSQL.
    Postgres(&'c mut PgConnection),
}

/// A connection from the pool, for reads (no transaction).
pub enum Conn {
    /// SQLite.
    Sqlite(PoolConnection<Sqlite>),
    /// PostgreSQL.
    Postgres(PoolConnection<Postgres>),
}

/// A write transaction holding the write lock; rolled back when dropped
/// without [`Tx::commit`].
pub enum Tx {
    /// SQLite.
    Sqlite(Transaction<'static, Sqlite>),
    /// PostgreSQL.
    Postgres(Transaction<'static, Postgres>),
}

impl Conn {
    /// The connection, for queries.
    pub fn db(&mut self) -> Db<'_> {
        match self {
            Conn::Sqlite(conn) => Db::Sqlite(conn),
            Conn::Postgres(conn) => Db::Postgres(conn),
        }
    }
}

impl Tx {
    /// The transaction, for queries.
    pub fn db(&mut self) -> Db<'_> {
        match self {
            Tx::Sqlite(tx) => Db::Sqlite(tx),
            Tx::Postgres(tx) => Db::Postgres(tx),
        }
    }

    /// Commits the transaction.
    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

impl Store {
    /// Connects with at most `connections` connections and refuses a
    /// database this version cannot read. [`Store::migrate`] brings its
    /// schema up to date (on PostgreSQL under sqlx's migration lock:
    /// instances starting at once take turns).
    pub async fn open(target: &Target, connections: u32) -> Result<Store, StoreError> {
        let connections = connections.max(1);
        let store = match target {
            Target::File(path) => {
                let options = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .foreign_keys(true)
                    .busy_timeout(BUSY_TIMEOUT);
                // Reads map the file: a large shop's pages (the console's
                // figures) are read where the operating system keeps them,
                // not copied. Writes do not: a connection maps the file
                // again each time it has grown, which every write would
                // pay for (BENCHMARKS.md, eighteenth session).
                let pool = SqlitePoolOptions::new()
                    .max_connections(connections)
                    .connect_with(
                        options
                            .clone()
                            .pragma("mmap_size", SQLITE_MMAP_SIZE.to_string()),
                    )
                    .await?;
                let writes = SqlitePoolOptions::new()
                    .max_connections(connections)
                    .connect_lazy_with(options);
                Store::Sqlite { pool, writes }
            }
            Target::Postgres(url) => {
                let options = PgConnectOptions::from_str(url)?;
                let pool = PgPoolOptions::new()
                    .max_connections(connections)
                    .connect_with(options)
                    .await?;
                Store::Postgres(pool)
            }
        };
        store.refuse_legacy().await?;
        Ok(store)
    }

    /// A SQLite database from before the points ledger (balances kept in
    /// the customers table) is refused with a message rather than misread.
    async fn refuse_legacy(&self) -> Result<(), StoreError> {
        let Store::Sqlite { pool, .. } = self else {
            return Ok(());
        };
        let legacy: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM pragma_table_info('customers') WHERE name = 'approved'",
        )
        .fetch_optional(pool)
        .await?;
        if legacy.is_some() {
            return Err(StoreError::Corrupt(
                "this SQLite file was made by a version without the points ledger; start with \
                 a new database file (--db) and send the customers and their points through \
                 the admin API"
                    .into(),
            ));
        }
        Ok(())
    }

    /// Applies the migrations not yet applied; returns how many it applied.
    pub async fn migrate(&self) -> Result<usize, StoreError> {
        let before = self.applied().await.unwrap_or(0);
        match self {
            Store::Sqlite { pool, .. } => SQLITE_MIGRATIONS.run(pool).await?,
            Store::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(self.applied().await?.saturating_sub(before))
    }

    /// How many migrations the database records as applied.
    async fn applied(&self) -> Result<usize, StoreError> {
        let sql = "SELECT COUNT(*) FROM _sqlx_migrations WHERE success";
        let count: i64 = match self {
            Store::Sqlite { pool, .. } => sqlx::query_scalar(sql).fetch_one(pool).await?,
            Store::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await?,
        };
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// Whether every migration this version knows is applied with the
    /// same checksum; how many are.
    pub async fn migrations_applied(&self) -> Result<usize, String> {
        let known = match self {
            Store::Sqlite { .. } => &SQLITE_MIGRATIONS,
            Store::Postgres(_) => &POSTGRES_MIGRATIONS,
        };
        let sql = "SELECT version, checksum FROM _sqlx_migrations WHERE success ORDER BY version";
        let rows: Vec<(i64, Vec<u8>)> = match self {
            Store::Sqlite { pool, .. } => sqlx::query_as(sql).fetch_all(pool).await,
            Store::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await,
        }
        .map_err(|err| format!("cannot read the migrations table: {err}"))?;
        for migration in known.iter() {
            match rows
                .iter()
                .find(|(version, _)| *version == migration.version)
            {
                None => return Err(format!("migration {} is not applied", migration.version)),
                Some((_, checksum)) if checksum.as_slice() != &*migration.checksum => {
                    return Err(format!("migration {} was changed", migration.version))
                }
                Some(_) => {}
            }
        }
        Ok(rows.len())
    }

    /// The database answers a trivial query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        match self {
            Store::Sqlite { pool, .. } => sqlx::query("SELECT 1").execute(pool).await.map(drop)?,
            Store::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop)?,
        }
        Ok(())
    }

    /// The database's integrity check and the migrations.
    pub async fn check(&self) -> Health {
        let integrity = match self {
            Store::Sqlite { pool, .. } => {
                let found: Result<Vec<String>, _> = sqlx::query_scalar("PRAGMA integrity_check")
                    .fetch_all(pool)
                    .await;
                match found {
                    Ok(lines) if lines == ["ok"] => Ok(()),
                    Ok(lines) => Err(lines.join("; ")),
                    Err(err) => Err(err.to_string()),
                }
            }
            Store::Postgres(_) => self.ping().await.map_err(|err| err.to_string()),
        };
        Health {
            migrations: self.migrations_applied().await,
            integrity,
        }
    }

    /// The pool's connections now.
    pub fn stats(&self) -> PoolStats {
        let (size, idle) = match self {
            Store::Sqlite { pool, writes } => (
                pool.size() as usize + writes.size() as usize,
                pool.num_idle() + writes.num_idle(),
            ),
            Store::Postgres(pool) => (pool.size() as usize, pool.num_idle()),
        };
        PoolStats {
            in_use: size.saturating_sub(idle),
            idle,
            waiting: WAITING.load(Ordering::Relaxed),
        }
    }

    /// A consistent copy of a SQLite database into a new file `to`, taken
    /// while other connections read and write (`VACUUM INTO` reads in one
    /// transaction).
    pub async fn backup(&self, to: &Path) -> Result<(), StoreError> {
        let Store::Sqlite { pool, .. } = self else {
            return Err(StoreError::Corrupt(
                "a PostgreSQL database is backed up with pg_dump".into(),
            ));
        };
        let to = to
            .to_str()
            .ok_or_else(|| StoreError::Corrupt("the backup's path is not UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1").bind(to).execute(pool).await?;
        Ok(())
    }

    /// After a bulk load in one transaction (the generator): on
    /// PostgreSQL, the tables the triggers keep sums in are written again
    /// compactly and the planner's statistics made at once. Each of the
    /// load's rows updated their sums' rows in place, and within one
    /// transaction every update leaves a dead version behind: the generated
    /// shop's `member_state` took 387 MB for 65,000 rows (11 MB after), and
    /// every read of the figures scanned that. A live shop's updates come
    /// one transaction at a time and autovacuum keeps them small. Takes
    /// the tables' exclusive lock for a few seconds: a tool's step, never
    /// the server's. SQLite updates rows in place: nothing to do.
    pub async fn compact_after_load(&self) -> Result<(), StoreError> {
        if let Store::Postgres(pool) = self {
            // One statement per call: VACUUM runs outside any transaction.
            sqlx::raw_sql(
                "VACUUM (FULL, ANALYZE) member_state, sales_daily, ledger_daily,
                   customer_sales, customer_points",
            )
            .execute(pool)
            .await?;
            sqlx::raw_sql("ANALYZE").execute(pool).await?;
        }
        Ok(())
    }

    /// `sqlite` or `postgres`.
    pub fn kind(&self) -> &'static str {
        match self {
            Store::Sqlite { .. } => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    /// A connection for reads.
    pub async fn read(&self) -> Result<Conn, StoreError> {
        let _waiting = Waiting::start();
        Ok(match self {
            Store::Sqlite { pool, .. } => Conn::Sqlite(pool.acquire().await?),
            Store::Postgres(pool) => Conn::Postgres(pool.acquire().await?),
        })
    }

    /// A write transaction holding the store's write lock.
    pub async fn write(&self) -> Result<Tx, StoreError> {
        let _waiting = Waiting::start();
        Ok(match self {
            Store::Sqlite { writes, .. } => Tx::Sqlite(writes.begin_with("BEGIN IMMEDIATE").await?),
            Store::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(WRITE_LOCK)
                    .execute(&mut *tx)
                    .await?;
                Tx::Postgres(tx)
            }
        })
    }

    /// Closes every connection.
    pub async fn close(&self) {
        match self {
            Store::Sqlite { pool, writes } => {
                writes.close().await;
                pool.close().await;
            }
            Store::Postgres(pool) => pool.close().await,
        }
    }
}

/// Runs `$body` with `$c` bound to the connection of either database: the
/// same query text and binds, checked by the compiler for both.
macro_rules! on {
    ($db:expr, $c:ident => $body:expr) => {
        match $db {
            $crate::store::Db::Sqlite($c) => $body,
            $crate::store::Db::Postgres($c) => $body,
        }
    };
}
pub(crate) use on;
