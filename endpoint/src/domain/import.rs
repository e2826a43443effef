//! Switching from another loyalty app (`loyalty-endpoint import`): members,
//! balances and history from a CSV file, planned first (a dry run), then
//! applied whole in one transaction, recorded in `imports` so the same file
//! is never applied twice, and undone with compensating ledger entries.
//! `export` writes the format the importer reads back.
//!
//! Customers are matched by the file's customer id, then by e-mail
//! (trimmed, without regard to case), and created silently when missing:
//! no welcome bonus, no birthday, no events.

use super::account::{self, NewEntry};
use super::language::Language;
use super::ledger::{self, Kind};
use super::program::Program;
use super::shop;
use crate::store::queries as q;
use crate::store::rows::NewCustomer;
use crate::store::Db;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt::Display;
use std::io::{BufRead, BufReader, Read};

/// Why an import (or its undo) did not go ahead.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file or the request is wrong as a whole: the message says where.
    #[error("{0}")]
    Refused(String),
    /// No such import.
    #[error("{0}")]
    NotFound(String),
    /// The import is in a state that does not allow it (undone already).
    #[error("{0}")]
    Conflict(String),
    /// The store failed underneath.
    #[error("{0}")]
    Failed(String),
}

impl From<String> for ImportError {
    fn from(message: String) -> ImportError {
        ImportError::Refused(message)
    }
}

impl From<ImportError> for String {
    fn from(err: ImportError) -> String {
        err.to_string()
    }
}

type R<T> = std::result::Result<T, ImportError>;
/// What reading the file gives: a refusal of the whole file is a message.
type P<T> = std::result::Result<T, String>;

fn text<E: Display>(err: E) -> ImportError {
    ImportError::Failed(err.to_string())
}

/// The longest field the importer takes, in characters.
pub const MAX_FIELD: usize = 254;
/// The largest number of points one row may carry.
const MAX_POINTS: i64 = 1_000_000_000;
/// The most old referral codes one row (one customer) may bring.
const MAX_ALIASES: usize = 64;

/// How a balance is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The file's points are added to what the customer has.
    Add,
    /// The customer ends with the file's points (the difference is written).
    Set,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Add => "add",
            Mode::Set => "set",
        }
    }
}

/// What the owner asked for besides the file.
#[derive(Debug, Clone)]
pub struct Options {
    /// Add or set balances.
    pub mode: Mode,
    /// `column=field` for columns the importer does not know.
    pub map: Vec<(String, String)>,
    /// `old=new` tier names.
    pub tier_map: Vec<(String, String)>,
    /// The last day a tier from the file is kept as a floor; without one,
    /// [`default_tier_until`] of the import day.
    pub tier_until: Option<i64>,
    /// The app, for a file whose header does not tell it.
    pub preset: Option<Preset>,
}

/// An app whose exports the header alone does not tell, because the
/// merchant names their columns (`--dialect NAME`): its column names as
/// its help centre shows them, read without regard to case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// LoyaltyLion's customer export (Analytics > Exports > Customers).
    LoyaltyLion,
}

impl Preset {
    /// The preset called `name` (`loyaltylion`).
    pub fn named(name: &str) -> Option<Preset> {
        match name.trim().to_lowercase().as_str() {
            "loyaltylion" | "loyalty-lion" | "loyalty_lion" => Some(Preset::LoyaltyLion),
            _ => None,
        }
    }

    fn app(self) -> &'static str {
        match self {
            Preset::LoyaltyLion => "LoyaltyLion",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Preset::LoyaltyLion => "loyaltylion",
        }
    }

    /// The field a column of the app's export is (pending and lifetime
    /// points are not balances: not read).
    fn field(self, column: &str) -> Option<Field> {
        match self {
            Preset::LoyaltyLion => {
                Some(match column {
                    "customer id" | "merchant id" | "merchant_id" | "shopify id"
                    | "platform id" => Field::CustomerId,
                    "email" | "email address" | "customer email" => Field::Email,
                    "first name" | "first_name" | "name" | "customer name" => Field::FirstName,
                    "approved points" | "points approved" | "points_approved"
                    | "approved balance" | "points balance" | "balance" | "points" => Field::Points,
                    "tier" | "current tier" | "tier level" | "current tier level"
                    | "loyalty tier" => Field::Tier,
                    "referral url" | "referral link" | "referral_url" => Field::Referral,
                    _ => return None,
                })
            }
        }
    }
}

/// How long a tier from the file is kept by default: twelve months from
/// the import day. The program evaluates tiers continuously (by lifetime
/// points, or by the spend of the last 12 months), so its next evaluation
/// that sees a whole period of this shop's own figures is a year on.
pub fn default_tier_until(today: i64) -> i64 {
    ledger::add_months(today, 12)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    CustomerId,
    Email,
    FirstName,
    Points,
    Tier,
    Date,
    OrderId,
    Referral,
    /// Several old referral codes, separated by spaces (this endpoint's
    /// export: the codes an earlier move kept).
    Aliases,
    Expires,
}

fn field_named(name: &str) -> Option<Field> {
    Some(match name {
        "customer_id" | "customer id" | "customerid" | "shopify customer id" => Field::CustomerId,
        "email"
        | "e-mail"
        | "email address"
        | "customer_email"
        | "customer email"
        | "shopify customer email" => Field::Email,
        "name" | "first_name" | "first name" => Field::FirstName,
        "points"
        | "points balance"
        | "points_balance"
        | "current points balance"
        | "points_amount"
        | "points amount"
        | "points_change"
        | "points change" => Field::Points,
        "vip_tier" | "vip tier" | "membership type" | "tier" => Field::Tier,
        "applied_at" | "applied at" | "date" => Field::Date,
        "order_id" | "order id" | "points_order_id" => Field::OrderId,
        "expires_at" | "expires at" | "expires_on" | "expiry date" | "expiration date" => {
            Field::Expires
        }
        "referral_code" | "referral code" | "referral_url" | "referral url" | "referral link"
        | "referral_link" => Field::Referral,
        "referral_aliases" | "referral aliases" | "old referral codes" => Field::Aliases,
        _ => return None,
    })
}

/// Whether a file gives balances or signed history entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Balances,
    History,
}

#[derive(Debug, Clone)]
struct Dialect {
    app: String,
    shape: Shape,
    columns: Vec<Option<Field>>,
}

fn dialect(header: &[String], options: &Options) -> P<Dialect> {
    let names: Vec<String> = header
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase())
        .collect();
    let has = |name: &str| names.iter().any(|n| n == name);
    let mut columns: Vec<Option<Field>> = names
        .iter()
        .map(|n| {
            options
                .preset
                .and_then(|preset| preset.field(n))
                .or_else(|| field_named(n))
        })
        .collect();
    for (column, field) in &options.map {
        let position = names
            .iter()
            .position(|n| *n == column.trim().to_lowercase())
            .ok_or_else(|| format!("--map {column}={field}: the file has no column {column:?}"))?;
        let field = field_named(&field.trim().to_lowercase()).ok_or_else(|| {
            format!(
                "--map {column}={field}: the fields are customer_id, email, first_name, points, \
                 tier, date, order_id, referral_code, referral_aliases, expires_at"
            )
        })?;
        if let Some(slot) = columns.get_mut(position) {
            *slot = Some(field);
        }
    }
    // Smile.io's points transactions (its REST API's `points_change`,
    // `description`, `created_at`, ...; a file of them carries the
    // customer's e-mail beside Smile's own customer id).
    let smile_history = has("points_change") || has("points change");
    if smile_history {
        for (name, column) in names.iter().zip(columns.iter_mut()) {
            match name.as_str() {
                // The day the points changed.
                "created_at" | "created at" => *column = Some(Field::Date),
                // Smile's id, not the shop's: the e-mail matches.
                "customer_id" | "customer id" if has("email") || has("customer_email") => {
                    *column = None
                }
                _ => {}
            }
        }
    }
    let history = has("points_amount") || has("points amount") || smile_history;
    let app = if let Some(preset) = options.preset {
        preset.app()
    } else if has("membership type") {
        "Joy"
    } else if smile_history {
        "Smile.io"
    } else if history && has("kind") {
        "loyalty-endpoint"
    } else if has("points spent") || has("referral link") || has("current points balance") {
        // Yotpo's import template (Points Spent) and its customer export
        // (the referral link, the current points balance).
        "Yotpo"
    } else if history || has("points balance") {
        "Rivo"
    } else if has("referral_code") && has("customer_id") {
        "loyalty-endpoint"
    } else if names.len() == 2 && has("email") && (has("points") || has("vip_tier")) {
        "Smile.io"
    } else if !options.map.is_empty() {
        "a CSV file"
    } else {
        return Err(format!(
            "line 1: unknown header {:?}: not a file of Smile.io, Joy, Rivo, Yotpo or this \
             endpoint; a LoyaltyLion export is read with --dialect loyaltylion; name other \
             columns with --map column=field",
            names.join(",")
        ));
    };
    let id = columns
        .iter()
        .any(|c| matches!(c, Some(Field::CustomerId | Field::Email)));
    let data = columns.iter().any(|c| {
        matches!(
            c,
            Some(Field::Points | Field::Tier | Field::Referral | Field::Aliases)
        )
    });
    if !id || !data {
        return Err(
            "line 1: the header needs a customer id or e-mail column and a points, tier \
                    or referral column"
                .into(),
        );
    }
    Ok(Dialect {
        app: app.into(),
        shape: if history {
            Shape::History
        } else {
            Shape::Balances
        },
        columns,
    })
}

/// One row as read.
#[derive(Debug, Default, Clone)]
struct Row {
    line: u64,
    raw: Vec<String>,
    customer_id: Option<String>,
    email: Option<String>,
    first_name: Option<String>,
    points: Option<i64>,
    tier: Option<String>,
    date: Option<i64>,
    order_id: Option<String>,
    /// Old referral codes (from a code or a whole link, and the aliases
    /// an earlier move kept).
    referral: Vec<String>,
    /// The day the row's points expire, as the old app had it.
    expires: Option<i64>,
}

/// A whole number of points, as a spreadsheet would write one.
fn parse_points(value: &str) -> std::result::Result<i64, String> {
    let digits = value.strip_prefix(['-', '+']).unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(if value.contains([',', '.', ' ', '\'']) {
            format!(
                "points {value:?}: a whole number without thousands separators or decimals \
                 (52620, not 52,620)"
            )
        } else {
            format!("points {value:?}: not a whole number")
        });
    }
    match value.parse::<i64>() {
        Ok(points) if points.abs() <= MAX_POINTS => Ok(points),
        _ => Err(format!("points {value:?}: at most {MAX_POINTS}")),
    }
}

/// A date as the apps write them: `YYYY-MM-DD`, with a time after it
/// (`T` or a space), or `MM/DD/YYYY`.
fn parse_day(value: &str) -> Option<i64> {
    if let Some(day) = value.get(..10).and_then(ledger::parse_date) {
        let rest = &value[10..];
        return (rest.is_empty() || rest.starts_with(['T', ' '])).then_some(day);
    }
    let mut parts = value.split('/');
    let (month, day, year) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || year.len() != 4 || month.len() > 2 || day.len() > 2 {
        return None;
    }
    ledger::parse_date(&format!(
        "{year}-{:02}-{:02}",
        month.parse::<u32>().ok()?,
        day.parse::<u32>().ok()?
    ))
}

fn read_row(line: u64, record: &csv::ByteRecord, dialect: &Dialect) -> (Row, Option<String>) {
    let mut row = Row {
        line,
        raw: record
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect(),
        ..Row::default()
    };
    for (position, bytes) in record.iter().enumerate() {
        let Some(Some(field)) = dialect.columns.get(position) else {
            continue;
        };
        let Ok(value) = std::str::from_utf8(bytes) else {
            return (row, Some("not UTF-8 text: save the file as UTF-8".into()));
        };
        let value = value.trim();
        // A cell of old referral codes holds up to MAX_ALIASES of them.
        let limit = if *field == Field::Aliases {
            MAX_FIELD * MAX_ALIASES
        } else {
            MAX_FIELD
        };
        if value.chars().count() > limit {
            return (row, Some(format!("a field longer than {limit} characters")));
        }
        if value.is_empty() || value.chars().any(char::is_control) {
            if value.is_empty() {
                continue;
            }
            return (row, Some("a field with control characters".into()));
        }
        match field {
            Field::CustomerId => row.customer_id = Some(value.to_owned()),
            Field::Email => {
                if !value.contains('@') {
                    return (row, Some(format!("{value:?} is not an e-mail address")));
                }
                row.email = Some(value.to_lowercase());
            }
            Field::FirstName => {
                row.first_name = value.split_whitespace().next().map(str::to_owned);
            }
            Field::Points => match parse_points(value) {
                Ok(points) => row.points = Some(points),
                Err(why) => return (row, Some(why)),
            },
            Field::Tier => row.tier = Some(value.to_owned()),
            Field::Date => match parse_day(value) {
                Some(day) => row.date = Some(day),
                None => {
                    return (
                        row,
                        Some(format!(
                            "date {value:?}: not YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or MM/DD/YYYY"
                        )),
                    )
                }
            },
            Field::OrderId => row.order_id = Some(value.to_owned()),
            Field::Expires => match parse_day(value) {
                Some(day) => row.expires = Some(day),
                None => {
                    return (
                        row,
                        Some(format!(
                            "expiry date {value:?}: not YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or \
                             MM/DD/YYYY"
                        )),
                    )
                }
            },
            Field::Referral | Field::Aliases => {
                let parts: Vec<&str> = if *field == Field::Aliases {
                    value.split_whitespace().collect()
                } else {
                    vec![value]
                };
                if parts.len() > MAX_ALIASES {
                    return (
                        row,
                        Some(format!("more than {MAX_ALIASES} old referral codes")),
                    );
                }
                for part in parts {
                    match loyalty_core::config::referral_from_link(part) {
                        Some(code) => row.referral.push(code),
                        None => {
                            return (
                                row,
                                Some(format!(
                                    "referral {part:?}: no referral code in it (1 to 64 \
                                     letters, digits, - or _, or a link with one)"
                                )),
                            )
                        }
                    }
                }
            }
        }
    }
    if row.customer_id.is_none() && row.email.is_none() {
        return (row, Some("no customer id and no e-mail".into()));
    }
    if row.points.is_none() && row.tier.is_none() && row.referral.is_empty() {
        return (row, Some("no points, no tier and no referral code".into()));
    }
    (row, None)
}

/// How the file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// CSV with this separator.
    Csv(u8),
    /// One JSON object a line.
    JsonLines,
}

/// The file read: its dialect and header (its rows are read one at a time
/// by [`rows`]), and the rows refused so far, by line.
struct Parsed {
    dialect: Dialect,
    format: Format,
    header: Vec<String>,
    refused: Vec<(Row, String)>,
}

/// The longest line of a JSON lines file, in bytes.
const MAX_JSON_LINE: usize = 64 * 1024;
/// The longest line of a CSV file, in bytes: the rest of a longer line is
/// not read (the row is refused), so no line sets the memory used.
const MAX_CSV_LINE: usize = 1024 * 1024;

/// Where an import's file is read from, as many times as the importer needs
/// it (its header, a first pass counting the rows and the customers given
/// twice, the import, the refused rows), a buffer at a time: the file's
/// size never sets the memory an import takes.
pub trait Source: Sync {
    /// A reader at the file's first byte.
    fn open(&self) -> std::io::Result<Box<dyn Read + Send + '_>>;
}

impl Source for Vec<u8> {
    fn open(&self) -> std::io::Result<Box<dyn Read + Send + '_>> {
        Ok(Box::new(self.as_slice()))
    }
}

/// A file on disk (`loyalty-endpoint import FILE`, an upload spooled).
pub struct FileSource(pub std::path::PathBuf);

impl Source for FileSource {
    fn open(&self) -> std::io::Result<Box<dyn Read + Send + '_>> {
        Ok(Box::new(std::fs::File::open(&self.0)?))
    }
}

/// A reader of the file's body: after its byte order mark, if any.
type Body<'b> = BufReader<Box<dyn Read + Send + 'b>>;

fn body(source: &dyn Source) -> std::io::Result<Body<'_>> {
    let mut reader = BufReader::with_capacity(64 * 1024, source.open()?);
    if reader.fill_buf()?.starts_with(b"\xef\xbb\xbf") {
        reader.consume(3);
    }
    Ok(reader)
}

/// Reads the next line (without its `\n`) into `line`, at most `limit`
/// bytes of it; the rest of a longer line is skipped. `None` at the end,
/// else whether the line was longer.
fn next_line(
    reader: &mut impl BufRead,
    line: &mut Vec<u8>,
    limit: usize,
) -> std::io::Result<Option<bool>> {
    line.clear();
    let (mut any, mut long) = (false, false);
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            return Ok(any.then_some(long));
        }
        any = true;
        let (part, done) = match available.iter().position(|b| *b == b'\n') {
            Some(at) => (at, true),
            None => (available.len(), false),
        };
        let room = limit.saturating_sub(line.len());
        line.extend_from_slice(&available[..part.min(room)]);
        long |= part > room;
        reader.consume(if done { part + 1 } else { part });
        if done {
            return Ok(Some(long));
        }
    }
}

/// A file's rows one at a time, in order: each read, or refused and why.
/// Reading a file never holds more than one of its rows; a failure to read
/// the file at all ends the import.
type Rows<'b> = Box<dyn Iterator<Item = std::io::Result<(Row, Option<String>)>> + Send + 'b>;

fn unreadable(err: std::io::Error) -> String {
    format!("the file cannot be read: {err}")
}

/// Reads the file's header and tells its dialect (a file that cannot be
/// read at all is refused whole).
fn parse(source: &dyn Source, options: &Options) -> P<Parsed> {
    let mut reader = body(source).map_err(unreadable)?;
    // The first line with something on it tells the format and separator.
    let mut first = Vec::new();
    loop {
        if next_line(&mut reader, &mut first, MAX_CSV_LINE)
            .map_err(unreadable)?
            .is_none()
        {
            return Err("the file is empty".into());
        }
        if first.iter().any(|b| !b.is_ascii_whitespace()) {
            break;
        }
    }
    if first.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        return parse_json_lines(source, options);
    }
    let count = |c: u8| first.iter().filter(|b| **b == c).count();
    let delimiter = if count(b';') > count(b',') {
        b';'
    } else {
        b','
    };
    let header_record = match csv_reader(body(source).map_err(unreadable)?, delimiter)
        .byte_records()
        .next()
    {
        Some(Ok(record)) => record,
        Some(Err(err)) => return Err(format!("line 1: {err}")),
        None => return Err("the file is empty".into()),
    };
    let header: Vec<String> = header_record
        .iter()
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect();
    let dialect = dialect(&header, options)?;
    Ok(Parsed {
        dialect,
        format: Format::Csv(delimiter),
        header,
        refused: Vec::new(),
    })
}

fn csv_reader<R: Read>(body: R, delimiter: u8) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(body)
}

/// Where the lines of what a [`Lines`] reader passed on begin, to give each
/// CSV record its line.
#[derive(Default)]
struct Newlines {
    /// Bytes passed on so far.
    read: u64,
    /// Newlines passed on so far.
    count: u64,
    /// Whether the last byte passed on ended a line (or none was yet).
    at_start: bool,
    /// The lines with something on them (not blank), not yet asked for:
    /// (offset of their first byte, line number from 1).
    starts: std::collections::VecDeque<(u64, u64)>,
    /// Bytes of the current line so far (for [`MAX_CSV_LINE`]).
    line: usize,
}

impl Newlines {
    /// The line of a record that starts at `at` (as the CSV reader counts:
    /// just after the record before, blank lines included): the first line
    /// with something on it from there. Asked in order.
    fn line_at(&mut self, at: u64) -> u64 {
        while self.starts.front().is_some_and(|(offset, _)| *offset < at) {
            self.starts.pop_front();
        }
        self.starts
            .front()
            .map_or(self.count + 1, |(_, line)| *line)
    }
}

/// A reader that notes where the lines begin, and passes on at most
/// [`MAX_CSV_LINE`] bytes of a line, then a NUL in place of the rest (a
/// row with a NUL is refused).
struct Lines<R> {
    inner: R,
    newlines: std::sync::Arc<std::sync::Mutex<Newlines>>,
}

impl<R: Read> Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let got = self.inner.read(buf)?;
            if got == 0 {
                return Ok(0);
            }
            let mut seen = self
                .newlines
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            // Piece by piece between newlines: each piece continues the
            // current line, and is passed on (moved down over what was left
            // out) up to the limit, its byte past the limit a NUL.
            let (mut kept, mut from) = (0, 0);
            loop {
                let end = memchr::memchr(b'\n', &buf[from..got]).map_or(got, |at| from + at);
                let before = seen.line;
                let take = (end - from).min((MAX_CSV_LINE + 1).saturating_sub(before));
                if seen.at_start {
                    if let Some(first) = buf[from..from + take].iter().position(|b| *b != b'\r') {
                        let start = (seen.read + (kept + first) as u64, seen.count + 1);
                        seen.starts.push_back(start);
                        seen.at_start = false;
                    }
                }
                buf.copy_within(from..from + take, kept);
                kept += take;
                if take > 0 && before + take == MAX_CSV_LINE + 1 {
                    buf[kept - 1] = 0;
                }
                if end == got {
                    seen.line = before + (end - from);
                    break;
                }
                buf[kept] = b'\n';
                kept += 1;
                seen.count += 1;
                seen.line = 0;
                seen.at_start = true;
                from = end + 1;
            }
            seen.read += kept as u64;
            if kept > 0 {
                return Ok(kept);
            }
        }
    }
}

/// The file's rows after its header, one at a time.
fn rows<'b>(source: &'b dyn Source, parsed: &Parsed) -> std::io::Result<Rows<'b>> {
    let reader = body(source)?;
    let dialect = parsed.dialect.clone();
    let delimiter = match parsed.format {
        Format::JsonLines => return Ok(json_rows(reader, parsed.header.clone(), dialect)),
        Format::Csv(delimiter) => delimiter,
    };
    let newlines = std::sync::Arc::new(std::sync::Mutex::new(Newlines {
        at_start: true,
        ..Newlines::default()
    }));
    let lines = Lines {
        inner: reader,
        newlines: newlines.clone(),
    };
    // A record's line is the one its first byte is on (the header is line
    // 1).
    let line_at = move |byte: u64| {
        newlines
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .line_at(byte)
    };
    let records = csv_reader(lines, delimiter).into_byte_records().skip(1);
    Ok(Box::new(records.filter_map(move |record| {
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                if let csv::ErrorKind::Io(_) = err.kind() {
                    return Some(Err(std::io::Error::other(err.to_string())));
                }
                let line = err.position().map_or(0, |p| line_at(p.byte()));
                let row = Row {
                    line,
                    ..Row::default()
                };
                return Some(Ok((row, Some(format!("not CSV: {err}")))));
            }
        };
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            return None;
        }
        let line = record.position().map_or(0, |p| line_at(p.byte()));
        if record.iter().any(|f| f.contains(&0)) {
            let row = Row {
                line,
                ..Row::default()
            };
            let why = format!("a line longer than {MAX_CSV_LINE} bytes, or a NUL byte: not a row");
            return Some(Ok((row, Some(why))));
        }
        Some(Ok(read_row(line, &record, &dialect)))
    })))
}

/// A JSON value as a cell: text as it is, numbers and booleans as written,
/// `null` empty; lists and objects are not cells.
fn cell(value: &serde_json::Value) -> Option<String> {
    Some(match value {
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Number(number) => number.to_string(),
        serde_json::Value::Bool(flag) => flag.to_string(),
        serde_json::Value::Null => String::new(),
        _ => return None,
    })
}

/// A JSON lines file's line as an object, or why it is not one (`None`: a
/// blank line). `long`: the line was longer than [`MAX_JSON_LINE`].
fn json_object(
    raw_line: &[u8],
    long: bool,
) -> Option<std::result::Result<serde_json::Map<String, serde_json::Value>, String>> {
    if long {
        return Some(Err(format!("a line longer than {MAX_JSON_LINE} bytes")));
    }
    let raw_line = raw_line.strip_suffix(b"\r").unwrap_or(raw_line);
    if raw_line.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    Some(serde_json::from_slice(raw_line).map_err(|err| format!("not a JSON object: {err}")))
}

/// A JSON lines file's lines one at a time: (line number, the line, whether
/// it was longer than [`MAX_JSON_LINE`]).
fn json_lines<'b>(
    mut reader: Body<'b>,
) -> impl Iterator<Item = std::io::Result<(u64, Vec<u8>, bool)>> + Send + 'b {
    let mut number = 0u64;
    std::iter::from_fn(move || {
        let mut line = Vec::new();
        match next_line(&mut reader, &mut line, MAX_JSON_LINE) {
            Ok(Some(long)) => {
                number += 1;
                Some(Ok((number, line, long)))
            }
            Ok(None) => None,
            Err(err) => Some(Err(err)),
        }
    })
}

/// JSON lines: one object a line; the first object's keys are the header.
fn parse_json_lines(source: &dyn Source, options: &Options) -> P<Parsed> {
    for item in json_lines(body(source).map_err(unreadable)?) {
        let (line, raw_line, long) = item.map_err(unreadable)?;
        if let Some(Ok(object)) = json_object(&raw_line, long) {
            let names: Vec<String> = object.keys().cloned().collect();
            let dialect = dialect(&names, options)
                .map_err(|why| why.replacen("line 1", &format!("line {line}"), 1))?;
            return Ok(Parsed {
                dialect,
                format: Format::JsonLines,
                header: names,
                refused: Vec::new(),
            });
        }
    }
    Err("the file is empty".into())
}

/// A JSON lines file's rows, one at a time (lines before the first object
/// are refused as they are not objects).
fn json_rows<'b>(reader: Body<'b>, names: Vec<String>, dialect: Dialect) -> Rows<'b> {
    Box::new(json_lines(reader).filter_map(move |item| {
        let (line, raw_line, long) = match item {
            Ok(item) => item,
            Err(err) => return Some(Err(err)),
        };
        let unparsed = |why: String| {
            Some(Ok((
                Row {
                    line,
                    ..Row::default()
                },
                Some(why),
            )))
        };
        let object = match json_object(&raw_line, long)? {
            Ok(object) => object,
            Err(why) => return unparsed(why),
        };
        if let Some(other) = object.keys().find(|key| !names.contains(key)) {
            return unparsed(format!(
                "key {other:?} is not on the first line: give every line the same keys"
            ));
        }
        let mut cells = Vec::with_capacity(names.len());
        for name in &names {
            match object.get(name).map_or(Some(String::new()), cell) {
                Some(text) => cells.push(text),
                None => return unparsed(format!("{name:?}: a list or object, not a value")),
            }
        }
        let record = csv::ByteRecord::from(cells);
        Some(Ok(read_row(line, &record, &dialect)))
    }))
}

/// A balance file gives each customer once: two rows for one are both
/// refused rather than summed. Reads the file once, holding one key a
/// customer: the number of rows, and the lines given twice with why.
fn rows_and_repeats(
    source: &dyn Source,
    parsed: &Parsed,
) -> std::io::Result<(usize, HashMap<u64, String>)> {
    let mut count = 0;
    let mut first_line: HashMap<String, u64> = HashMap::new();
    let mut twice: HashMap<u64, String> = HashMap::new();
    for item in rows(source, parsed)? {
        let (row, why) = item?;
        count += 1;
        if why.is_some() || parsed.dialect.shape != Shape::Balances {
            continue;
        }
        let key = row.email.or(row.customer_id).unwrap_or_default();
        match first_line.get(&key) {
            Some(&earlier) => {
                let lines = format!(
                    "{key} is in the file twice (lines {earlier} and {}): keep one row",
                    row.line
                );
                twice.insert(earlier, lines.clone());
                twice.insert(row.line, lines);
            }
            None => {
                first_line.insert(key, row.line);
            }
        }
    }
    Ok((count, twice))
}

/// The import's id: the file's bytes and how it is applied.
pub fn import_id(source: &dyn Source, options: &Options) -> std::io::Result<String> {
    let mut hash = Sha256::new();
    std::io::copy(&mut source.open()?, &mut hash)?;
    hash.update(options.mode.name().as_bytes());
    for (a, b) in options.map.iter().chain(&options.tier_map) {
        hash.update(format!("\n{a}={b}").as_bytes());
    }
    if let Some(day) = options.tier_until {
        hash.update(format!("\ntier-until={day}").as_bytes());
    }
    if let Some(preset) = options.preset {
        hash.update(format!("\ndialect={}", preset.name()).as_bytes());
    }
    Ok(hex::encode(&hash.finalize()[..8]))
}

/// What a dry run found, or an apply did (the admin API answers it as
/// JSON, `ImportReport` in `openapi/loyalty-admin-v1.json`).
#[derive(Debug, Default, Clone, Serialize)]
pub struct Report {
    /// The import's id, once there is an import: applied now, or before
    /// (`already_imported`). A dry run creates nothing and has none; applying
    /// the same file with the same options gives the id it will have.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The app the file came from.
    pub app: String,
    /// `csv` or `json_lines`.
    pub format: String,
    /// `add` or `set`.
    pub mode: String,
    /// Whether it was applied.
    pub applied: bool,
    /// Set when the file was applied before (its day and state): nothing
    /// changed.
    #[serde(rename = "already_imported")]
    pub already: Option<String>,
    /// Rows read (without the header).
    pub rows: usize,
    /// Customers matched.
    pub matched: usize,
    /// Customers created.
    pub created: usize,
    /// Rows that change nothing (a balance already right in `set` mode).
    pub unchanged: usize,
    /// Points added, in total.
    pub points_added: i64,
    /// Points taken, in total.
    pub points_removed: i64,
    /// Ledger entries written (or to write).
    pub entries: usize,
    /// Old referral codes that become aliases of their customer's code.
    pub referral_aliases: usize,
    /// The tiers the file gives, matched to the program's.
    pub tiers: Vec<TierChange>,
    /// Refused rows: line and reason, by line.
    pub refused: Vec<Refusal>,
    /// The refused rows in the input's own format, to fix and import again.
    pub failed_rows: Option<String>,
}

/// A tier the file gives a customer.
#[derive(Debug, Clone, Serialize)]
pub struct TierChange {
    /// The file's line.
    pub line: u64,
    /// The customer's id here.
    pub customer: String,
    /// The tier's name in the file.
    pub from_file: String,
    /// The program's tier it is.
    pub tier: String,
    /// Kept as the customer's floor until this day (inclusive).
    pub until: String,
}

/// A row not imported.
#[derive(Debug, Clone, Serialize)]
pub struct Refusal {
    /// The file's line (the header is line 1 of a CSV file).
    pub line: u64,
    /// Why, and what to change.
    pub reason: String,
}

impl Report {
    /// The report as printed.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(when) = &self.already {
            lines.push(format!(
                "already imported as {} on {when}: nothing changed",
                self.id.as_deref().unwrap_or("?")
            ));
            return lines;
        }
        lines.push(match &self.id {
            Some(id) => format!("applied import {id} ({})", self.app),
            None => format!("dry run: an import from {}", self.app),
        });
        lines.push(format!("rows read: {}", self.rows));
        lines.push(format!(
            "customers: {} matched, {} created, {} rows refused",
            self.matched,
            self.created,
            self.refused.len()
        ));
        lines.push(format!(
            "points: +{} added, -{} removed, in {} ledger entries",
            self.points_added, self.points_removed, self.entries
        ));
        lines.push(format!(
            "referral links: {} old codes kept as aliases",
            self.referral_aliases
        ));
        for change in &self.tiers {
            lines.push(format!(
                "tier: line {}: {}: {:?} is {} here, kept as a floor until {}",
                change.line, change.customer, change.from_file, change.tier, change.until
            ));
        }
        for refusal in &self.refused {
            lines.push(format!(
                "refused: line {}: {}",
                refusal.line, refusal.reason
            ));
        }
        if !self.applied {
            lines.push("nothing written: run again with --apply to apply exactly this".into());
        }
        lines
    }

    /// The failed rows file's extension: the input's own format.
    pub fn failed_rows_extension(&self) -> &'static str {
        if self.format == "json_lines" {
            "jsonl"
        } else {
            "csv"
        }
    }
}

/// A spreadsheet runs a cell starting with these as a formula.
fn neutralised(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// The refused rows in the input's format: a CSV file's header and rows
/// (formulas neutralised), or a JSON lines file's lines as they were.
fn failed_rows(parsed: &Parsed, file: &dyn Source) -> R<Option<String>> {
    if parsed.refused.is_empty() {
        return Ok(None);
    }
    let delimiter = match parsed.format {
        Format::Csv(delimiter) => delimiter,
        Format::JsonLines => {
            // The refused lines as they were, read again from the file.
            let wanted: std::collections::HashSet<u64> =
                parsed.refused.iter().map(|(row, _)| row.line).collect();
            let mut out = String::new();
            for item in json_lines(body(file).map_err(text)?) {
                let (line, raw_line, _) = item.map_err(text)?;
                if wanted.contains(&line) {
                    let raw_line = raw_line.strip_suffix(b"\r").unwrap_or(&raw_line);
                    out.push_str(&String::from_utf8_lossy(raw_line));
                    out.push('\n');
                }
            }
            return Ok(Some(out));
        }
    };
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_writer(Vec::new());
    writer.write_record(&parsed.header).map_err(text)?;
    for (row, _) in &parsed.refused {
        if !row.raw.is_empty() {
            let cells: Vec<String> = row.raw.iter().map(|c| neutralised(c)).collect();
            writer.write_record(&cells).map_err(text)?;
        }
    }
    let bytes = writer.into_inner().map_err(text)?;
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}

/// Whose each row is: a customer matched or created, found a batch of
/// rows at a time.
#[derive(Default)]
struct Customers {
    /// A row's key (its customer id, else its e-mail) and its customer:
    /// (id, whether this import creates them).
    known: HashMap<String, (String, bool)>,
    /// The customers this import creates, by e-mail: a later row with only
    /// the address is theirs.
    created_by_email: HashMap<String, String>,
    /// Keys whose customer cannot be created, and why.
    refused: HashMap<String, String>,
}

/// A row's key: its customer id, else its e-mail.
fn key_of(row: &Row) -> String {
    row.customer_id
        .clone()
        .or_else(|| row.email.clone())
        .unwrap_or_default()
}

impl Customers {
    /// Finds the customers of the batch's rows not seen before: by customer
    /// id, then by e-mail (a few look-ups for the whole batch), or to be
    /// created silently (no welcome bonus, nothing sent), which `apply`
    /// does at once, a batch to a statement. `many` is the file's number of
    /// rows (for the width of new referral codes).
    async fn resolve(
        &mut self,
        db: &mut Db<'_>,
        batch: &[Row],
        report: &mut Report,
        (apply, many): (bool, usize),
        today: i64,
    ) -> R<()> {
        let mut new: Vec<(String, &Row)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for row in batch {
            let key = key_of(row);
            if !self.known.contains_key(&key)
                && !self.refused.contains_key(&key)
                && seen.insert(key.clone())
            {
                new.push((key, row));
            }
        }
        if new.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = new
            .iter()
            .filter_map(|(_, row)| row.customer_id.clone())
            .collect();
        let existing: std::collections::HashSet<String> = q::existing_customers(db, &ids)
            .await
            .map_err(text)?
            .into_iter()
            .collect();
        let emails: Vec<String> = new
            .iter()
            .filter(|(_, row)| {
                row.customer_id
                    .as_ref()
                    .is_none_or(|id| !existing.contains(id))
            })
            .filter_map(|(_, row)| row.email.clone())
            .collect();
        let mut by_email: HashMap<String, String> = HashMap::new();
        for (email, id) in q::customers_by_emails(db, &emails).await.map_err(text)? {
            by_email.entry(email).or_insert(id);
        }
        let mut created: Vec<(String, &Row)> = Vec::new();
        for (key, row) in new {
            let matched = row
                .customer_id
                .clone()
                .filter(|id| existing.contains(id))
                .or_else(|| row.email.as_ref().and_then(|e| by_email.get(e).cloned()));
            let pair = if let Some(id) = matched {
                report.matched += 1;
                (id, false)
            } else if let Some(id) = row
                .email
                .as_ref()
                .and_then(|e| self.created_by_email.get(e))
            {
                (id.clone(), true)
            } else {
                let id = row
                    .customer_id
                    .clone()
                    .unwrap_or_else(|| id_for_email(row.email.as_deref().unwrap_or("")));
                if let Err(err) = shop::check_id("the customer id", &id) {
                    self.refused.insert(key, err.to_string());
                    continue;
                }
                report.created += 1;
                if let Some(email) = &row.email {
                    self.created_by_email.insert(email.clone(), id.clone());
                }
                created.push((id.clone(), row));
                (id, true)
            };
            self.known.insert(key, pair);
        }
        if apply && !created.is_empty() {
            let names: Vec<Option<&str>> = created
                .iter()
                .map(|(_, row)| row.first_name.as_deref())
                .collect();
            let codes = shop::new_referral_codes(db, &names, many)
                .await
                .map_err(text)?;
            let created_on = ledger::format_date(today);
            let rows: Vec<NewCustomer<'_>> = created
                .iter()
                .zip(&codes)
                .map(|((id, row), code)| NewCustomer {
                    id,
                    first_name: row.first_name.as_deref(),
                    email: row.email.as_deref(),
                    birthday: None,
                    referral_code: code,
                    referred_by: None,
                    friends_joined: 0,
                    club_joined_at: None,
                    created_on: &created_on,
                })
                .collect();
            q::insert_customers(db, &rows).await.map_err(text)?;
        }
        Ok(())
    }
}

/// An import's entry waiting to be written with its batch.
struct Written {
    customer: String,
    order_id: Option<String>,
    points: i64,
    day: i64,
    expires_on: Option<i64>,
}

/// Writes the batch of entries (and empties it); `labels` are the reason
/// and the customer's English and German words, the same for every entry.
async fn write(
    db: &mut Db<'_>,
    program: &Program,
    batch: &mut Vec<Written>,
    labels: (&str, &str, &str),
    today: i64,
) -> R<()> {
    let (reason, english, german) = labels;
    let entries: Vec<NewEntry<'_>> = batch
        .iter()
        .map(|w| NewEntry {
            order_id: w.order_id.as_deref(),
            reason,
            booked_on: w.day,
            available_on: w.day,
            expires_on: w.expires_on,
            ..NewEntry::now(
                &w.customer,
                Kind::Import,
                w.points,
                today,
                (english, german),
            )
        })
        .collect();
    account::append_many_unsettled(db, program, &entries)
        .await
        .map_err(text)?;
    batch.clear();
    Ok(())
}

/// The program's tier a name from the file stands for (its id or its name
/// in any of the program's languages, without regard to case).
fn match_tier(program: &Program, options: &Options, name: &str) -> Option<String> {
    let name = options
        .tier_map
        .iter()
        .find(|(old, _)| old.trim().eq_ignore_ascii_case(name))
        .map_or(name, |(_, new)| new.trim());
    let default = program.default_language();
    let languages = program.languages();
    program
        .tiers
        .levels
        .iter()
        .find(|tier| {
            tier.id.to_lowercase() == name.to_lowercase()
                || languages.iter().any(|tag| {
                    tier.name.get(&Language::new(tag, &default)).to_lowercase()
                        == name.to_lowercase()
                })
        })
        .map(|tier| tier.id.clone())
}

/// A customer id for one the file names only by e-mail.
fn id_for_email(email: &str) -> String {
    let digest = Sha256::digest(email.as_bytes());
    format!("imported-{}", hex::encode(&digest[..8]))
}

/// Plans the file and, with `apply`, writes it, all inside the caller's
/// write transaction (commit it only when the report says applied).
pub async fn run(
    db: &mut Db<'_>,
    program: &Program,
    file: &dyn Source,
    options: &Options,
    apply: bool,
    today: i64,
) -> R<Report> {
    let id = import_id(file, options).map_err(|err| ImportError::Refused(unreadable(err)))?;
    if let Some(done) = q::import(db, &id).await.map_err(text)? {
        return Ok(Report {
            id: Some(id),
            app: done.1,
            mode: done.2,
            already: Some(format!("{} ({})", done.3, done.6)),
            ..Report::default()
        });
    }
    let until = options
        .tier_until
        .unwrap_or_else(|| default_tier_until(today));
    if until <= today {
        return Err(ImportError::Refused(format!(
            "--tier-until {}: a day after the import day ({})",
            ledger::format_date(until),
            ledger::format_date(today)
        )));
    }
    let until = ledger::format_date(until);
    let mut parsed = parse(file, options)?;
    // A first reading counts the rows and finds a customer given twice; the
    // second imports them a batch at a time.
    let (rows, mut twice) = rows_and_repeats(file, &parsed).map_err(text)?;
    let app = parsed.dialect.app.clone();
    let mut report = Report {
        app: app.clone(),
        format: match parsed.format {
            Format::Csv(_) => "csv",
            Format::JsonLines => "json_lines",
        }
        .to_owned(),
        mode: options.mode.name().to_owned(),
        rows,
        ..Report::default()
    };
    let reason = format!("import {id} from {app}");
    let english = format!("Opening balance, imported from {app}");
    let german = format!("Anfangsstand, übernommen aus {app}");
    let labels = (reason.as_str(), english.as_str(), german.as_str());
    let mut balance: HashMap<String, i64> = HashMap::new();
    // Entries to write, a batch at a time.
    let mut written: Vec<Written> = Vec::with_capacity(q::BATCH);
    // Customers with entries written and their snapshots not yet folded.
    let mut unsettled: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    // Old referral codes given so far (lower case) and whose.
    let mut aliases: HashMap<String, String> = HashMap::new();
    let many = rows;
    let mut customers = Customers::default();
    // Customers with at least one row taken.
    let mut kept: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut source = self::rows(file, &parsed).map_err(text)?;
    loop {
        let mut batch: Vec<Row> = Vec::with_capacity(q::BATCH);
        for item in source.by_ref() {
            let (row, why) = item.map_err(text)?;
            match why.or_else(|| twice.remove(&row.line)) {
                Some(why) => parsed.refused.push((row, why)),
                None => {
                    batch.push(row);
                    if batch.len() == q::BATCH {
                        break;
                    }
                }
            }
        }
        if batch.is_empty() {
            break;
        }
        customers
            .resolve(db, &batch, &mut report, (apply, many), today)
            .await?;
        'rows: for row in batch {
            let key = key_of(&row);
            if let Some(why) = customers.refused.get(&key) {
                parsed.refused.push((row, why.clone()));
                continue;
            }
            let Some((customer, created)) = customers.known.get(&key).cloned() else {
                continue;
            };
            // Every check first: a refused row writes nothing (no tier, no
            // alias, no customer of its own).
            let mut new_aliases: Vec<String> = Vec::new();
            for code in &row.referral {
                let key = code.to_lowercase();
                let owner = match aliases.get(&key) {
                    Some(owner) => Some(owner.clone()),
                    None => q::by_referral_code(db, code)
                        .await
                        .map_err(text)?
                        .map(|found| found.0),
                };
                match owner {
                    Some(owner) if owner == customer => {}
                    Some(owner) => {
                        let why = format!(
                            "referral code {code}: already the code of customer {owner}; a code \
                             leads to one customer"
                        );
                        parsed.refused.push((row, why));
                        continue 'rows;
                    }
                    None if new_aliases.contains(&key) => {}
                    None => new_aliases.push(key),
                }
            }
            let tier = match &row.tier {
                None => None,
                Some(name) => match match_tier(program, options, name) {
                    Some(tier) => Some((name.clone(), tier)),
                    None => {
                        let why = format!(
                            "tier {name:?} matches none of the program's tiers: name it with \
                             --tier-map {name}=TIER"
                        );
                        parsed.refused.push((row, why));
                        continue;
                    }
                },
            };
            let change = match row.points {
                None => None,
                Some(points) => {
                    let now = match balance.get(&customer) {
                        Some(points) => *points,
                        // A customer this import creates has nothing yet
                        // (created silently: no welcome bonus), applied or not.
                        None if created => 0,
                        None => {
                            let current = account::points_now(db, &customer, today)
                                .await
                                .map_err(text)?;
                            i64::try_from(current.approved).unwrap_or(i64::MAX)
                        }
                    };
                    let delta = match (parsed.dialect.shape, options.mode) {
                        (Shape::Balances, _) if points < 0 => {
                            let why = format!("a balance of {points} points: below zero");
                            parsed.refused.push((row, why));
                            continue;
                        }
                        (Shape::Balances, Mode::Set) => points - now,
                        _ => points,
                    };
                    if let Some(day) = row.expires.filter(|_| delta > 0) {
                        if day <= today {
                            let why = format!(
                                "{delta} points that expired on {} (before the import): nothing \
                                 to bring over; leave the row out",
                                ledger::format_date(day)
                            );
                            parsed.refused.push((row, why));
                            continue;
                        }
                    }
                    if now + delta < 0 {
                        let why = format!(
                            "{delta} points would leave {customer} below zero (they have {now})"
                        );
                        parsed.refused.push((row, why));
                        continue;
                    }
                    Some((now, delta))
                }
            };

            // The row is taken: what it brings is written.
            kept.insert(customer.clone());
            if let Some((from_file, tier)) = tier {
                if apply {
                    q::set_tier_floor(db, &customer, &tier, &until, &id)
                        .await
                        .map_err(text)?;
                }
                report.tiers.push(TierChange {
                    line: row.line,
                    customer: customer.clone(),
                    from_file,
                    tier,
                    until: until.clone(),
                });
            }
            for key in new_aliases {
                report.referral_aliases += 1;
                if apply {
                    q::insert_referral_alias(db, &key, &customer, &id)
                        .await
                        .map_err(text)?;
                }
                aliases.insert(key, customer.clone());
            }
            let Some((now, delta)) = change else {
                continue;
            };
            balance.insert(customer.clone(), now + delta);
            if delta == 0 {
                report.unchanged += 1;
                continue;
            }
            if delta > 0 {
                report.points_added += delta;
            } else {
                report.points_removed += -delta;
            }
            report.entries += 1;
            if apply {
                let day = row.date.unwrap_or(today).min(today);
                // The old app's expiry day where the file has one, else the
                // program's rule counted from the import (never from a day
                // long past: nobody loses points on the day of the move).
                let expires_on = row.expires.or_else(|| {
                    (program.expiry.months > 0)
                        .then(|| ledger::add_months(today, i64::from(program.expiry.months)))
                });
                written.push(Written {
                    customer: customer.clone(),
                    order_id: row.order_id.clone(),
                    points: delta,
                    day,
                    expires_on,
                });
                if written.len() >= q::BATCH {
                    write(db, program, &mut written, labels, today).await?;
                }
                unsettled.insert(customer.clone());
            }
        }
    }
    write(db, program, &mut written, labels, today).await?;
    // A customer the import would make only for rows it refused is not
    // made: taken away again, in the same transaction.
    let unmade: Vec<String> = customers
        .known
        .values()
        .filter(|(customer, created)| *created && !kept.contains(customer))
        .map(|(customer, _)| customer.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    report.created = report.created.saturating_sub(unmade.len());
    if apply {
        q::delete_customers(db, &unmade).await.map_err(text)?;
    }
    // Each customer's snapshot folded once, whatever their number of rows.
    let unsettled: Vec<String> = unsettled.into_iter().collect();
    account::fold_up_many(db, &unsettled, today)
        .await
        .map_err(text)?;
    parsed.refused.sort_by_key(|(row, _)| row.line);
    report.refused = parsed
        .refused
        .iter()
        .map(|(row, why)| Refusal {
            line: row.line,
            reason: why.clone(),
        })
        .collect();
    report.failed_rows = failed_rows(&parsed, file)?;
    if apply {
        let rows = i64::try_from(report.rows).unwrap_or(i64::MAX);
        q::insert_import(
            db,
            &(
                id.clone(),
                app,
                options.mode.name().to_owned(),
                ledger::format_date(today),
                rows,
                report.points_added - report.points_removed,
                "applied".to_owned(),
            ),
        )
        .await
        .map_err(text)?;
        report.applied = true;
        report.id = Some(id);
    }
    Ok(report)
}

/// An import as recorded (`GET /admin/v1/imports`).
#[derive(Debug, Clone, Serialize)]
pub struct Recorded {
    /// Its id.
    pub id: String,
    /// The app the file came from.
    pub app: String,
    /// `add` or `set`.
    pub mode: String,
    /// The day it was applied.
    pub created_at: String,
    /// Rows read.
    pub rows: i64,
    /// Points it added, net.
    pub points: i64,
    /// `applied` or `undone`.
    pub state: String,
}

/// The imports, newest first.
pub async fn recorded(db: &mut Db<'_>) -> R<Vec<Recorded>> {
    Ok(q::imports(db)
        .await
        .map_err(text)?
        .into_iter()
        .map(
            |(id, app, mode, created_at, rows, points, state)| Recorded {
                id,
                app,
                mode,
                created_at,
                rows,
                points,
                state,
            },
        )
        .collect())
}

/// The imports, newest first, one line each, its id first.
pub async fn list(db: &mut Db<'_>) -> R<Vec<String>> {
    Ok(recorded(db)
        .await?
        .into_iter()
        .map(|i| {
            format!(
                "{} {} {}: {} rows, {:+} points ({}), {}",
                i.id, i.created_at, i.app, i.rows, i.points, i.mode, i.state
            )
        })
        .collect())
}

/// What an undo did.
#[derive(Debug, Clone, Serialize)]
pub struct Undone {
    /// The import's id.
    pub id: String,
    /// The points the compensating entries add up to (negative: taken).
    pub points: i64,
    /// Imported points spent already, which stay with their customers.
    pub kept: i64,
    /// One line per customer who keeps some.
    pub notes: Vec<String>,
    /// Customers whose tier kept from the file is taken away.
    pub tier_floors: u64,
    /// Old referral codes that lead nowhere any more.
    pub referral_aliases: u64,
}

impl Undone {
    /// The undo as printed.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![format!(
            "undone import {}: {:+} points in compensating entries, {} could not be taken \
             back, {} tiers kept from the file and {} old referral codes taken away; \
             customers it created stay",
            self.id, self.points, self.kept, self.tier_floors, self.referral_aliases
        )];
        lines.extend(self.notes.iter().cloned());
        lines
    }
}

/// Undoes an applied import with compensating entries; points already
/// spent cannot be taken back (the notes say how many).
pub async fn undo(db: &mut Db<'_>, program: &Program, id: &str, today: i64) -> R<Undone> {
    let Some(found) = q::import(db, id).await.map_err(text)? else {
        return Err(ImportError::NotFound(format!(
            "no import {id}: `import list` shows them"
        )));
    };
    if found.6 != "applied" {
        return Err(ImportError::Conflict(format!(
            "import {id} is {} already",
            found.6
        )));
    }
    let reason = format!("import {id} from {}", found.1);
    let undo_reason = format!("undo import {id}");
    let english = format!("Import from {} undone", found.1);
    let german = format!("Übernahme aus {} rückgängig gemacht", found.1);
    let mut notes = Vec::new();
    let (mut taken, mut kept) = (0i64, 0i64);
    for (customer, points) in q::points_by_reason(db, &reason).await.map_err(text)? {
        let back = if points > 0 {
            let now = account::points_now(db, &customer, today)
                .await
                .map_err(text)?;
            let spendable = i64::try_from(now.approved).unwrap_or(i64::MAX);
            let back = points.min(spendable);
            if back < points {
                kept += points - back;
                notes.push(format!(
                    "{customer}: {} of the {points} imported points were spent already: they \
                     stay",
                    points - back
                ));
            }
            -back
        } else {
            -points
        };
        if back == 0 {
            continue;
        }
        taken += back;
        let entry = NewEntry {
            reason: &undo_reason,
            ..NewEntry::now(&customer, Kind::Import, back, today, (&english, &german))
        };
        account::append(db, program, &entry, today)
            .await
            .map_err(text)?;
    }
    let tier_floors = q::clear_tier_floors(db, id).await.map_err(text)?;
    let referral_aliases = q::delete_referral_aliases(db, id).await.map_err(text)?;
    q::undo_import(db, id, &ledger::format_date(today))
        .await
        .map_err(text)?;
    Ok(Undone {
        id: id.to_owned(),
        points: taken,
        kept,
        notes,
        tier_floors,
        referral_aliases,
    })
}

/// `export`: every customer with balance, tier, referral code and the old
/// codes kept as aliases of it, or
/// (`ledger`) every ledger entry, as CSV the importer reads back.
pub async fn export(db: &mut Db<'_>, program: &Program, ledger: bool, today: i64) -> R<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    if ledger {
        writer
            .write_record([
                "customer_id",
                "email",
                "points_amount",
                "applied_at",
                "order_id",
                "kind",
            ])
            .map_err(text)?;
        for (customer, email, points, booked_on, order_id, kind) in
            q::export_ledger(db).await.map_err(text)?
        {
            writer
                .write_record([
                    customer,
                    email.unwrap_or_default(),
                    points.to_string(),
                    booked_on,
                    order_id.unwrap_or_default(),
                    kind,
                ])
                .map_err(text)?;
        }
    } else {
        writer
            .write_record([
                "customer_id",
                "email",
                "first_name",
                "points",
                "tier",
                "referral_code",
                "referral_aliases",
            ])
            .map_err(text)?;
        // The old codes an earlier move kept: their links go on working in
        // the shop that imports this file.
        let mut aliases: HashMap<String, Vec<String>> = HashMap::new();
        for (customer, code) in q::export_referral_aliases(db).await.map_err(text)? {
            aliases.entry(customer).or_default().push(code);
        }
        for (customer, email, first_name, code) in q::export_customers(db).await.map_err(text)? {
            let points = account::points_now(db, &customer, today)
                .await
                .map_err(text)?;
            let tier = account::tier_id(db, &customer, program, today)
                .await
                .map_err(text)?;
            let old_codes = aliases.remove(&customer).unwrap_or_default().join(" ");
            writer
                .write_record([
                    customer,
                    email.unwrap_or_default(),
                    first_name.unwrap_or_default(),
                    points.approved.to_string(),
                    tier.unwrap_or_default(),
                    code.unwrap_or_default(),
                    old_codes,
                ])
                .map_err(text)?;
        }
    }
    writer.into_inner().map_err(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_refuse_separators_and_decimals() {
        assert_eq!(parse_points("52620"), Ok(52620));
        assert_eq!(parse_points("-15"), Ok(-15));
        assert!(parse_points("52,620")
            .unwrap_err()
            .contains("thousands separators"));
        assert!(parse_points("12.5").is_err());
        assert!(parse_points("abc").is_err());
    }

    #[test]
    fn dates_in_the_apps_formats() {
        let day = ledger::parse_date("2025-03-04");
        assert_eq!(parse_day("2025-03-04"), day);
        assert_eq!(parse_day("2025-03-04 10:11:12"), day);
        assert_eq!(parse_day("2025-03-04T10:11:12Z"), day);
        assert_eq!(parse_day("03/04/2025"), day);
        assert_eq!(parse_day("2025-02-30"), None);
        assert_eq!(parse_day("04.03.2025"), None);
    }

    fn options() -> Options {
        Options {
            mode: Mode::Add,
            map: Vec::new(),
            tier_map: Vec::new(),
            tier_until: None,
            preset: None,
        }
    }

    /// A row as the tests look at it: (line, email, points, why refused).
    type Seen = (u64, Option<String>, Option<i64>, Option<String>);

    /// Every row of a file.
    fn read_all(file: &dyn Source) -> Vec<Seen> {
        let parsed = parse(file, &options()).expect("a header");
        rows(file, &parsed)
            .expect("a reader")
            .map(|item| {
                let (row, why) = item.expect("a row");
                (row.line, row.email, row.points, why)
            })
            .collect()
    }

    #[test]
    fn a_line_too_long_is_refused_unheld_and_the_next_lines_keep_their_numbers() {
        let mut file = b"\xef\xbb\xbfemail,points\r\na@example.com,5\r\n".to_vec();
        file.extend(b"b@example.com,");
        file.extend(std::iter::repeat_n(b'7', 2 * MAX_CSV_LINE));
        file.extend(b"\r\n\"c@example.com\",\"12\"\r\n\r\nd@example.com,3\n");
        let rows = read_all(&file);
        assert_eq!(rows.len(), 4, "{rows:?}");
        assert_eq!(rows[0], (2, Some("a@example.com".into()), Some(5), None));
        assert_eq!(rows[1].0, 3);
        assert!(rows[1]
            .3
            .as_deref()
            .is_some_and(|why| why.contains("longer than")));
        assert_eq!(rows[1].2, None, "no points from a cut line");
        assert_eq!(rows[2], (4, Some("c@example.com".into()), Some(12), None));
        // A blank line between is skipped, and counted.
        assert_eq!(rows[3], (6, Some("d@example.com".into()), Some(3), None));
    }

    #[test]
    fn a_quoted_field_across_lines_gives_the_next_row_its_own_line() {
        let file = b"customer_id,email,first_name,points,tier,referral_code\n\
            c1,a@example.com,\"Ann\nMarie\",1,,\nc2,b@example.com,Bo,2,,\n"
            .to_vec();
        let rows = read_all(&file);
        assert_eq!(rows[0].0, 2);
        assert_eq!(rows[1], (4, Some("b@example.com".into()), Some(2), None));
    }

    #[test]
    fn a_json_line_too_long_is_refused_and_the_file_is_read_on() {
        let mut file = b"{\"email\":\"a@example.com\",\"points\":5}\n{\"email\":\"".to_vec();
        file.extend(std::iter::repeat_n(b'x', 2 * MAX_JSON_LINE));
        file.extend(b"\"}\n{\"email\":\"b@example.com\",\"points\":6}\n");
        let rows = read_all(&file);
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert_eq!(rows[0], (1, Some("a@example.com".into()), Some(5), None));
        assert!(rows[1]
            .3
            .as_deref()
            .is_some_and(|why| why.contains("longer than")));
        assert_eq!(rows[2], (3, Some("b@example.com".into()), Some(6), None));
    }

    #[test]
    fn a_file_on_disk_reads_as_the_same_bytes_in_memory() {
        let file = b"email,points\na@example.com,5\nb@example.com,6\n".to_vec();
        let dir = std::env::temp_dir().join(format!("import-source-{}", std::process::id()));
        std::fs::write(&dir, &file).expect("a file");
        let on_disk = FileSource(dir.clone());
        assert_eq!(read_all(&on_disk), read_all(&file));
        assert_eq!(
            import_id(&on_disk, &options()).expect("an id"),
            import_id(&file, &options()).expect("an id")
        );
        let _ = std::fs::remove_file(dir);
    }

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(neutralised("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralised("-5"), "'-5");
        assert_eq!(neutralised("ana@example.com"), "ana@example.com");
    }
}
