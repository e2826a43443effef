//! Two stores, one dialect: an embedded SQLite file (the default) or a
//! PostgreSQL database (`--database postgres://...`), so that several
//! endpoint instances behind a load balancer share one ledger.
//!
//! The queries are written once, with `?1`-style placeholders, in SQL both
//! understand (`ON CONFLICT`, `RETURNING`, `lower()`), and run through
//! [`Sql`]. A write runs in one transaction that holds the store's write
//! lock from its first statement: SQLite's `BEGIN IMMEDIATE`, and on
//! PostgreSQL a transaction-scoped advisory lock that every instance
//! takes. Writes are serialised across instances as they are within one
//! SQLite file, so a key, an order or a refund is applied once whichever
//! instance gets it, and no balance goes below zero; reads run in parallel.

use crate::db::StoreError;
use std::collections::HashMap;
use std::path::PathBuf;

/// A value going into or coming out of a query.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// A whole number.
    Int(i64),
    /// A floating-point number.
    Real(f64),
    /// Text.
    Text(String),
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(value: $t) -> Value {
                i64::try_from(value).map_or(Value::Int(i64::MAX), Value::Int)
            }
        }
    )*};
}
from_int!(i64, i32, u16, u32, u64, usize);

impl From<bool> for Value {
    fn from(value: bool) -> Value {
        Value::Int(i64::from(value))
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Value {
        Value::Text(value.to_owned())
    }
}

impl From<String> for Value {
    fn from(value: String) -> Value {
        Value::Text(value)
    }
}

impl From<&String> for Value {
    fn from(value: &String) -> Value {
        Value::Text(value.clone())
    }
}

impl From<&Option<String>> for Value {
    fn from(value: &Option<String>) -> Value {
        value.as_deref().map_or(Value::Null, Value::from)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Value {
        value.map_or(Value::Null, Into::into)
    }
}

/// A query's arguments: `args![id, points]`.
#[macro_export]
macro_rules! args {
    ($($value:expr),* $(,)?) => {
        &[$($crate::store::Value::from($value)),*]
    };
}

/// A value read from a row.
pub trait FromValue: Sized {
    /// The value as `Self`, if it is one.
    fn from_value(value: &Value) -> Option<Self>;
}

impl FromValue for i64 {
    fn from_value(value: &Value) -> Option<i64> {
        match value {
            Value::Int(int) => Some(*int),
            _ => None,
        }
    }
}

impl FromValue for u64 {
    fn from_value(value: &Value) -> Option<u64> {
        i64::from_value(value).and_then(|int| u64::try_from(int).ok())
    }
}

impl FromValue for u32 {
    fn from_value(value: &Value) -> Option<u32> {
        i64::from_value(value).and_then(|int| u32::try_from(int).ok())
    }
}

impl FromValue for bool {
    fn from_value(value: &Value) -> Option<bool> {
        i64::from_value(value).map(|int| int != 0)
    }
}

impl FromValue for String {
    fn from_value(value: &Value) -> Option<String> {
        match value {
            Value::Text(text) => Some(text.clone()),
            _ => None,
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: &Value) -> Option<Option<T>> {
        match value {
            Value::Null => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// One row of a result.
#[derive(Debug, Clone)]
pub struct Row(Vec<Value>);

impl Row {
    /// Column `at` as `T`.
    pub fn get<T: FromValue>(&self, at: usize) -> Result<T, StoreError> {
        self.0.get(at).and_then(T::from_value).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "column {at} is {:?}, not a {}",
                self.0.get(at),
                std::any::type_name::<T>()
            ))
        })
    }
}

/// Runs queries, on either store.
pub trait Sql {
    /// Every row `sql` returns.
    fn rows(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, StoreError>;

    /// Runs `sql`; the number of rows it changed.
    fn exec(&mut self, sql: &str, args: &[Value]) -> Result<u64, StoreError>;

    /// The first row, if any.
    fn opt(&mut self, sql: &str, args: &[Value]) -> Result<Option<Row>, StoreError> {
        Ok(self.rows(sql, args)?.into_iter().next())
    }

    /// The first row, which must be there.
    fn one(&mut self, sql: &str, args: &[Value]) -> Result<Row, StoreError> {
        self.opt(sql, args)?
            .ok_or_else(|| StoreError::Corrupt(format!("no row for {sql}")))
    }

    /// Whether `sql` returns a row.
    fn exists(&mut self, sql: &str, args: &[Value]) -> Result<bool, StoreError> {
        Ok(self.opt(sql, args)?.is_some())
    }
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

/// An open store.
pub enum Store {
    /// SQLite.
    Sqlite(rusqlite::Connection),
    /// PostgreSQL.
    Postgres(Box<PgStore>),
}

/// A PostgreSQL connection with its prepared statements.
pub struct PgStore {
    url: String,
    /// Always there but while being dropped ([`Drop`] below).
    client: Option<postgres::Client>,
    cache: HashMap<String, postgres::Statement>,
}

/// The advisory lock every instance's write transaction takes.
const WRITE_LOCK: i64 = 0x4C57_4C45_4447_4552; // "LWLEDGER"

impl Store {
    /// Opens a store (not yet with its schema: [`crate::db::open`]).
    pub fn connect(target: &Target) -> Result<Store, StoreError> {
        match target {
            Target::File(path) => {
                let conn = rusqlite::Connection::open(path)?;
                conn.busy_timeout(std::time::Duration::from_secs(5))?;
                Ok(Store::Sqlite(conn))
            }
            Target::Postgres(url) => Ok(Store::Postgres(Box::new(PgStore {
                client: Some(pg_connect(url)?),
                url: url.clone(),
                cache: HashMap::new(),
            }))),
        }
    }

    /// Runs reads outside a transaction.
    pub fn read<T>(
        &mut self,
        apply: impl FnOnce(&mut dyn Sql) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match self {
            Store::Sqlite(conn) => apply(&mut Lite(conn)),
            Store::Postgres(pg) => {
                let (client, cache) = pg.connected()?;
                apply(&mut Pg { client, cache })
            }
        }
    }

    /// Runs `apply` in one transaction holding the write lock; commits if
    /// it returns `Ok`, rolls back otherwise.
    pub fn write<T>(
        &mut self,
        apply: impl FnOnce(&mut dyn Sql) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match self {
            Store::Sqlite(conn) => {
                let tx =
                    conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let value = apply(&mut Lite(&tx))?;
                tx.commit()?;
                Ok(value)
            }
            Store::Postgres(pg) => {
                let (client, cache) = pg.connected()?;
                let mut tx = client.transaction()?;
                tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])?;
                let value = apply(&mut Pg {
                    client: &mut tx,
                    cache,
                })?;
                tx.commit()?;
                Ok(value)
            }
        }
    }
}

fn pg_connect(url: &str) -> Result<postgres::Client, StoreError> {
    Ok(postgres::Client::connect(url, postgres::NoTls)?)
}

impl From<postgres::Error> for StoreError {
    /// With the server's own message (`db error` alone says nothing).
    fn from(err: postgres::Error) -> StoreError {
        StoreError::Postgres(match err.as_db_error() {
            Some(db) => format!("{}: {}", db.code().code(), db.message()),
            None => err.to_string(),
        })
    }
}

impl PgStore {
    /// The client and its statements. After the database restarted or the
    /// connection broke, the next request connects again (and prepares its
    /// statements again).
    #[allow(clippy::type_complexity)]
    fn connected(
        &mut self,
    ) -> Result<
        (
            &mut postgres::Client,
            &mut HashMap<String, postgres::Statement>,
        ),
        StoreError,
    > {
        if self.client.as_ref().is_none_or(postgres::Client::is_closed) {
            self.client = Some(pg_connect(&self.url)?);
            self.cache.clear();
        }
        match self.client.as_mut() {
            Some(client) => Ok((client, &mut self.cache)),
            None => Err(StoreError::Corrupt("no PostgreSQL connection".into())),
        }
    }
}

impl Drop for PgStore {
    /// The client closes its connection by running its own small runtime,
    /// which must not happen on a thread of the server's runtime: it is
    /// closed on a thread of its own.
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            let _ = std::thread::spawn(move || drop(client));
        }
    }
}

/// SQLite through rusqlite (a connection or a transaction).
struct Lite<'a>(&'a rusqlite::Connection);

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Int(int) => ValueRef::Integer(*int),
            Value::Real(real) => ValueRef::Real(*real),
            Value::Text(text) => ValueRef::Text(text.as_bytes()),
        }))
    }
}

impl Sql for Lite<'_> {
    fn rows(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, StoreError> {
        use rusqlite::types::ValueRef;
        let mut stmt = self.0.prepare_cached(sql)?;
        let columns = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
        let mut all = Vec::new();
        while let Some(row) = rows.next()? {
            let mut values = Vec::with_capacity(columns);
            for at in 0..columns {
                values.push(match row.get_ref(at)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(int) => Value::Int(int),
                    ValueRef::Real(real) => Value::Real(real),
                    ValueRef::Text(text) | ValueRef::Blob(text) => {
                        Value::Text(String::from_utf8_lossy(text).into_owned())
                    }
                });
            }
            all.push(Row(values));
        }
        Ok(all)
    }

    fn exec(&mut self, sql: &str, args: &[Value]) -> Result<u64, StoreError> {
        let mut stmt = self.0.prepare_cached(sql)?;
        Ok(stmt.execute(rusqlite::params_from_iter(args))? as u64)
    }
}

/// PostgreSQL through the `postgres` crate (a client or a transaction).
struct Pg<'a, C: postgres::GenericClient> {
    client: &'a mut C,
    cache: &'a mut HashMap<String, postgres::Statement>,
}

/// `?1` placeholders as PostgreSQL's `$1` (the queries hold no `?` in
/// their literals).
pub fn dollars(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

impl postgres::types::ToSql for Value {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        use postgres::types::{IsNull, Type};
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(int) => match *ty {
                Type::INT2 => i16::try_from(*int)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(*int)?.to_sql(ty, out),
                Type::FLOAT8 => (*int as f64).to_sql(ty, out),
                Type::BOOL => (*int != 0).to_sql(ty, out),
                _ => int.to_sql(ty, out),
            },
            Value::Real(real) => real.to_sql(ty, out),
            Value::Text(text) => text.as_str().to_sql(ty, out),
        }
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

impl<C: postgres::GenericClient> Pg<'_, C> {
    fn statement(&mut self, sql: &str) -> Result<postgres::Statement, StoreError> {
        if let Some(statement) = self.cache.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(&dollars(sql))?;
        self.cache.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }
}

impl<C: postgres::GenericClient> Sql for Pg<'_, C> {
    fn rows(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, StoreError> {
        use postgres::types::Type;
        let statement = self.statement(sql)?;
        let params: Vec<&(dyn postgres::types::ToSql + Sync)> =
            args.iter().map(|arg| arg as _).collect();
        let rows = self.client.query(&statement, &params)?;
        rows.iter()
            .map(|row| {
                let mut values = Vec::with_capacity(row.len());
                for (at, column) in row.columns().iter().enumerate() {
                    let value = match *column.type_() {
                        Type::INT8 => row.try_get::<_, Option<i64>>(at)?.map(Value::Int),
                        Type::INT4 => row
                            .try_get::<_, Option<i32>>(at)?
                            .map(|int| Value::Int(int.into())),
                        Type::INT2 => row
                            .try_get::<_, Option<i16>>(at)?
                            .map(|int| Value::Int(int.into())),
                        Type::BOOL => row
                            .try_get::<_, Option<bool>>(at)?
                            .map(|flag| Value::Int(flag.into())),
                        Type::FLOAT8 => row.try_get::<_, Option<f64>>(at)?.map(Value::Real),
                        _ => row.try_get::<_, Option<String>>(at)?.map(Value::Text),
                    };
                    values.push(value.unwrap_or(Value::Null));
                }
                Ok(Row(values))
            })
            .collect()
    }

    fn exec(&mut self, sql: &str, args: &[Value]) -> Result<u64, StoreError> {
        let statement = self.statement(sql)?;
        let params: Vec<&(dyn postgres::types::ToSql + Sync)> =
            args.iter().map(|arg| arg as _).collect();
        Ok(self.client.execute(&statement, &params)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_dollars() {
        assert_eq!(
            dollars("SELECT a FROM t WHERE b = ?1 AND c = ?12 AND d = '?'"),
            "SELECT a FROM t WHERE b = $1 AND c = $12 AND d = '?'"
        );
    }

    #[test]
    fn values_read_back_as_asked_or_say_what_they_are() {
        let row = Row(vec![Value::Int(5), Value::Null, Value::Text("x".into())]);
        assert_eq!(row.get::<u64>(0).ok(), Some(5));
        assert_eq!(row.get::<Option<String>>(1).ok(), Some(None));
        assert_eq!(row.get::<String>(2).ok().as_deref(), Some("x"));
        assert!(row.get::<i64>(2).is_err());
        assert!(row.get::<String>(9).is_err());
        assert!(Row(vec![Value::Int(-1)]).get::<u64>(0).is_err());
    }
}
