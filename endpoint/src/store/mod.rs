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

pub mod queries;
pub mod rows;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};
use std::path::PathBuf;
use std::str::FromStr;
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

/// An open store: a pool of connections to one database.
#[derive(Clone)]
pub enum Store {
    /// SQLite.
    Sqlite(SqlitePool),
    /// PostgreSQL.
    Postgres(PgPool),
}

/// The advisory lock every instance's write transaction takes.
const WRITE_LOCK: i64 = 0x4C57_4C45_4447_4552; // "LWLEDGER"

/// How long a statement waits for SQLite's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

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
    /// Connects with at most `connections` connections, refuses a
    /// database this version cannot read, and applies the migrations (on
    /// PostgreSQL under sqlx's migration lock: instances starting at once
    /// take turns).
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
                let pool = SqlitePoolOptions::new()
                    .max_connections(connections)
                    .connect_with(options)
                    .await?;
                Store::Sqlite(pool)
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
        store.migrate().await?;
        Ok(store)
    }

    /// A SQLite database from before the points ledger (balances kept in
    /// the customers table) is refused with a message rather than misread.
    async fn refuse_legacy(&self) -> Result<(), StoreError> {
        let Store::Sqlite(pool) = self else {
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

    /// Applies the migrations not yet applied.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(pool) => sqlx::migrate!("./migrations/sqlite").run(pool).await?,
            Store::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// `sqlite` or `postgres`.
    pub fn kind(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    /// A connection for reads.
    pub async fn read(&self) -> Result<Conn, StoreError> {
        Ok(match self {
            Store::Sqlite(pool) => Conn::Sqlite(pool.acquire().await?),
            Store::Postgres(pool) => Conn::Postgres(pool.acquire().await?),
        })
    }

    /// A write transaction holding the store's write lock.
    pub async fn write(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Store::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
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
            Store::Sqlite(pool) => pool.close().await,
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
