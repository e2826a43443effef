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
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt::Display;

type R<T> = std::result::Result<T, String>;

fn text<E: Display>(err: E) -> String {
    err.to_string()
}

/// The longest field the importer takes, in characters.
pub const MAX_FIELD: usize = 254;
/// The largest number of points one row may carry.
const MAX_POINTS: i64 = 1_000_000_000;

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
}

fn field_named(name: &str) -> Option<Field> {
    Some(match name {
        "customer_id" | "customer id" | "customerid" | "shopify customer id" => Field::CustomerId,
        "email" | "e-mail" | "customer_email" | "customer email" | "shopify customer email" => {
            Field::Email
        }
        "name" | "first_name" | "first name" => Field::FirstName,
        "points" | "points balance" | "points_balance" | "points_amount" | "points amount" => {
            Field::Points
        }
        "vip_tier" | "vip tier" | "membership type" | "tier" => Field::Tier,
        "applied_at" | "applied at" | "date" => Field::Date,
        "order_id" | "order id" | "points_order_id" => Field::OrderId,
        _ => return None,
    })
}

/// Whether a file gives balances or signed history entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Balances,
    History,
}

struct Dialect {
    app: String,
    shape: Shape,
    columns: Vec<Option<Field>>,
}

fn dialect(header: &[String], options: &Options) -> R<Dialect> {
    let names: Vec<String> = header
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase())
        .collect();
    let has = |name: &str| names.iter().any(|n| n == name);
    let mut columns: Vec<Option<Field>> = names.iter().map(|n| field_named(n)).collect();
    for (column, field) in &options.map {
        let position = names
            .iter()
            .position(|n| *n == column.trim().to_lowercase())
            .ok_or_else(|| format!("--map {column}={field}: the file has no column {column:?}"))?;
        let field = field_named(&field.trim().to_lowercase()).ok_or_else(|| {
            format!(
                "--map {column}={field}: the fields are customer_id, email, first_name, points, \
                 tier, date, order_id"
            )
        })?;
        if let Some(slot) = columns.get_mut(position) {
            *slot = Some(field);
        }
    }
    let history = has("points_amount") || has("points amount");
    let app = if has("membership type") {
        "Joy"
    } else if history && has("kind") {
        "loyalty-endpoint"
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
            "line 1: unknown header {:?}: not a file of Smile.io, Joy, Rivo or this endpoint; \
             name the columns with --map column=field",
            names.join(",")
        ));
    };
    let id = columns
        .iter()
        .any(|c| matches!(c, Some(Field::CustomerId | Field::Email)));
    let data = columns
        .iter()
        .any(|c| matches!(c, Some(Field::Points | Field::Tier)));
    if !id || !data {
        return Err(
            "line 1: the header needs a customer id or e-mail column and a points or tier column"
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
        if value.chars().count() > MAX_FIELD {
            return (
                row,
                Some(format!("a field longer than {MAX_FIELD} characters")),
            );
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
        }
    }
    if row.customer_id.is_none() && row.email.is_none() {
        return (row, Some("no customer id and no e-mail".into()));
    }
    if row.points.is_none() && row.tier.is_none() {
        return (row, Some("no points and no tier".into()));
    }
    (row, None)
}

/// The file read: its dialect, rows, and refusals by line.
struct Parsed {
    dialect: Dialect,
    delimiter: u8,
    header: Vec<String>,
    rows: Vec<Row>,
    refused: Vec<(Row, String)>,
}

fn parse(bytes: &[u8], options: &Options) -> R<Parsed> {
    let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let first = body.split(|b| *b == b'\n').next().unwrap_or_default();
    let count = |c: u8| first.iter().filter(|b| **b == c).count();
    let delimiter = if count(b';') > count(b',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(body);
    let mut records = reader.byte_records();
    let header_record = match records.next() {
        Some(Ok(record)) => record,
        Some(Err(err)) => return Err(format!("line 1: {err}")),
        None => return Err("the file is empty".into()),
    };
    let header: Vec<String> = header_record
        .iter()
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect();
    let dialect = dialect(&header, options)?;
    let mut rows = Vec::new();
    let mut refused = Vec::new();
    // Lines counted from the bytes (the header is line 1).
    let (mut counted_to, mut newlines) = (0usize, 0u64);
    let mut line_at = |byte: u64| {
        // After a CR the record starts at the LF that ends the line before.
        let to = usize::try_from(byte.saturating_add(1))
            .unwrap_or(usize::MAX)
            .min(body.len());
        if to > counted_to {
            newlines += body[counted_to..to].iter().filter(|b| **b == b'\n').count() as u64;
            counted_to = to;
        }
        newlines + 1
    };
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                let line = err.position().map_or(0, |p| line_at(p.byte()));
                refused.push((
                    Row {
                        line,
                        ..Row::default()
                    },
                    format!("not CSV: {err}"),
                ));
                continue;
            }
        };
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        let line = record.position().map_or(0, |p| line_at(p.byte()));
        match read_row(line, &record, &dialect) {
            (row, None) => rows.push(row),
            (row, Some(why)) => refused.push((row, why)),
        }
    }
    // A balance file gives each customer once: two rows for one are both
    // refused rather than summed.
    if dialect.shape == Shape::Balances {
        let mut first_line: HashMap<String, usize> = HashMap::new();
        let mut twice: HashMap<usize, String> = HashMap::new();
        for (index, row) in rows.iter().enumerate() {
            let key = row
                .email
                .clone()
                .or_else(|| row.customer_id.clone())
                .unwrap_or_default();
            if let Some(&earlier) = first_line.get(&key) {
                let lines = format!(
                    "{key} is in the file twice (lines {} and {}): keep one row",
                    rows[earlier].line, row.line
                );
                twice.insert(earlier, lines.clone());
                twice.insert(index, lines);
            } else {
                first_line.insert(key, index);
            }
        }
        let mut kept = Vec::new();
        for (index, row) in rows.into_iter().enumerate() {
            match twice.remove(&index) {
                Some(why) => refused.push((row, why)),
                None => kept.push(row),
            }
        }
        rows = kept;
    }
    refused.sort_by_key(|(row, _)| row.line);
    Ok(Parsed {
        dialect,
        delimiter,
        header,
        rows,
        refused,
    })
}

/// The import's id: the file's bytes and how it is applied.
pub fn import_id(bytes: &[u8], options: &Options) -> String {
    let mut hash = Sha256::new();
    hash.update(bytes);
    hash.update(options.mode.name().as_bytes());
    for (a, b) in options.map.iter().chain(&options.tier_map) {
        hash.update(format!("\n{a}={b}").as_bytes());
    }
    hex::encode(&hash.finalize()[..8])
}

/// What a dry run found, or an apply did.
#[derive(Debug, Default, Clone)]
pub struct Report {
    /// The import's id.
    pub id: String,
    /// The app the file came from.
    pub app: String,
    /// Rows read (without the header).
    pub rows: usize,
    /// Customers matched.
    pub matched: usize,
    /// Customers created.
    pub created: usize,
    /// Points added, in total.
    pub added: i64,
    /// Points taken, in total.
    pub removed: i64,
    /// Ledger entries written (or to write).
    pub entries: usize,
    /// Per row: the tier the file gives and the program's tier it matches.
    pub tiers: Vec<String>,
    /// Refused rows: line and reason.
    pub refused: Vec<(u64, String)>,
    /// Whether it was applied.
    pub applied: bool,
    /// Set when the file was applied before: nothing changed.
    pub already: Option<String>,
    /// The refused rows in the input's own format, to fix and import again.
    pub failed_rows: Option<Vec<u8>>,
}

impl Report {
    /// The report as printed.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(when) = &self.already {
            lines.push(format!(
                "already imported as {} on {when}: nothing changed",
                self.id
            ));
            return lines;
        }
        lines.push(format!(
            "{} import {} ({})",
            if self.applied { "applied" } else { "dry run:" },
            self.id,
            self.app
        ));
        lines.push(format!("rows read: {}", self.rows));
        lines.push(format!(
            "customers: {} matched, {} created, {} rows refused",
            self.matched,
            self.created,
            self.refused.len()
        ));
        lines.push(format!(
            "points: +{} added, -{} removed, in {} ledger entries",
            self.added, self.removed, self.entries
        ));
        for tier in &self.tiers {
            lines.push(tier.clone());
        }
        for (line, why) in &self.refused {
            lines.push(format!("refused: line {line}: {why}"));
        }
        if !self.applied {
            lines.push("nothing written: run again with --apply to apply exactly this".into());
        }
        lines
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

fn failed_rows(parsed: &Parsed) -> R<Option<Vec<u8>>> {
    if parsed.refused.is_empty() {
        return Ok(None);
    }
    let mut writer = csv::WriterBuilder::new()
        .delimiter(parsed.delimiter)
        .flexible(true)
        .from_writer(Vec::new());
    writer.write_record(&parsed.header).map_err(text)?;
    for (row, _) in &parsed.refused {
        if !row.raw.is_empty() {
            let cells: Vec<String> = row.raw.iter().map(|c| neutralised(c)).collect();
            writer.write_record(&cells).map_err(text)?;
        }
    }
    writer.into_inner().map(Some).map_err(text)
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
    bytes: &[u8],
    options: &Options,
    apply: bool,
    today: i64,
) -> R<Report> {
    let id = import_id(bytes, options);
    if let Some(done) = q::import(db, &id).await.map_err(text)? {
        return Ok(Report {
            id,
            app: done.1,
            already: Some(format!("{} ({})", done.3, done.6)),
            ..Report::default()
        });
    }
    let mut parsed = parse(bytes, options)?;
    let app = parsed.dialect.app.clone();
    let mut report = Report {
        id: id.clone(),
        app: app.clone(),
        rows: parsed.rows.len() + parsed.refused.len(),
        ..Report::default()
    };
    let reason = format!("import {id} from {app}");
    let english = format!("Opening balance, imported from {app}");
    let german = format!("Anfangsstand, übernommen aus {app}");
    // Who each row's customer is: (id, whether created by this import).
    let mut known: HashMap<String, (String, bool)> = HashMap::new();
    let mut balance: HashMap<String, i64> = HashMap::new();
    let rows = std::mem::take(&mut parsed.rows);
    for row in rows {
        let key = row
            .customer_id
            .clone()
            .or_else(|| row.email.clone())
            .unwrap_or_default();
        let (customer, created) = match known.get(&key) {
            Some(found) => found.clone(),
            None => {
                let mut found = None;
                if let Some(cid) = &row.customer_id {
                    if q::customer_exists(db, cid).await.map_err(text)? {
                        found = Some(cid.clone());
                    }
                }
                if found.is_none() {
                    if let Some(email) = &row.email {
                        found = q::customer_by_email(db, email).await.map_err(text)?;
                    }
                }
                let pair = match found {
                    Some(cid) => {
                        report.matched += 1;
                        (cid, false)
                    }
                    None => {
                        let cid = row
                            .customer_id
                            .clone()
                            .unwrap_or_else(|| id_for_email(row.email.as_deref().unwrap_or("")));
                        if let Err(err) = shop::check_id("the customer id", &cid) {
                            parsed.refused.push((row, err.to_string()));
                            continue;
                        }
                        report.created += 1;
                        if apply {
                            let code = shop::new_referral_code(db, row.first_name.as_deref())
                                .await
                                .map_err(text)?;
                            let created_on = ledger::format_date(today);
                            q::insert_customer(
                                db,
                                &NewCustomer {
                                    id: &cid,
                                    first_name: row.first_name.as_deref(),
                                    email: row.email.as_deref(),
                                    birthday: None,
                                    referral_code: &code,
                                    referred_by: None,
                                    friends_joined: 0,
                                    club_joined_at: None,
                                    created_on: &created_on,
                                },
                            )
                            .await
                            .map_err(text)?;
                        }
                        (cid, true)
                    }
                };
                known.insert(key.clone(), pair.clone());
                pair
            }
        };
        if let Some(name) = &row.tier {
            match match_tier(program, options, name) {
                Some(tier) => report.tiers.push(format!(
                    "tier: line {}: {customer}: {name:?} is {tier} here (not kept yet: the \
                     tier follows this program's rule)",
                    row.line
                )),
                None => {
                    let why = format!(
                        "tier {name:?} matches none of the program's tiers: name it with \
                         --tier-map {name}=TIER"
                    );
                    parsed.refused.push((row, why));
                    continue;
                }
            }
        }
        let Some(points) = row.points else {
            continue;
        };
        let now = match balance.get(&customer) {
            Some(points) => *points,
            None if created && !apply => 0,
            None => {
                let current = account::points_now(db, &customer, today)
                    .await
                    .map_err(text)?;
                i64::try_from(current.approved).unwrap_or(i64::MAX)
            }
        };
        let delta = match (parsed.dialect.shape, options.mode) {
            (Shape::Balances, _) if points < 0 => {
                parsed
                    .refused
                    .push((row, format!("a balance of {points} points: below zero")));
                continue;
            }
            (Shape::Balances, Mode::Set) => points - now,
            _ => points,
        };
        if now + delta < 0 {
            let why = format!("{delta} points would leave {customer} below zero (they have {now})");
            parsed.refused.push((row, why));
            continue;
        }
        balance.insert(customer.clone(), now + delta);
        if delta == 0 {
            continue;
        }
        if delta > 0 {
            report.added += delta;
        } else {
            report.removed += -delta;
        }
        report.entries += 1;
        if apply {
            let day = row.date.unwrap_or(today).min(today);
            let entry = NewEntry {
                order_id: row.order_id.as_deref(),
                reason: &reason,
                booked_on: day,
                available_on: day,
                ..NewEntry::now(&customer, Kind::Import, delta, today, (&english, &german))
            };
            account::append(db, program, &entry, today)
                .await
                .map_err(text)?;
        }
    }
    parsed.refused.sort_by_key(|(row, _)| row.line);
    report.refused = parsed
        .refused
        .iter()
        .map(|(row, why)| (row.line, why.clone()))
        .collect();
    report.failed_rows = failed_rows(&parsed)?;
    if apply {
        let rows = i64::try_from(report.rows).unwrap_or(i64::MAX);
        q::insert_import(
            db,
            &(
                id,
                app,
                options.mode.name().to_owned(),
                ledger::format_date(today),
                rows,
                report.added - report.removed,
                "applied".to_owned(),
            ),
        )
        .await
        .map_err(text)?;
        report.applied = true;
    }
    Ok(report)
}

/// The imports, newest first, one line each, its id first.
pub async fn list(db: &mut Db<'_>) -> R<Vec<String>> {
    Ok(q::imports(db)
        .await
        .map_err(text)?
        .into_iter()
        .map(|(id, app, mode, created_at, rows, points, state)| {
            format!("{id} {created_at} {app}: {rows} rows, {points:+} points ({mode}), {state}")
        })
        .collect())
}

/// Undoes an applied import with compensating entries; points already
/// spent cannot be taken back (the lines say how many).
pub async fn undo(db: &mut Db<'_>, program: &Program, id: &str, today: i64) -> R<Vec<String>> {
    let Some(found) = q::import(db, id).await.map_err(text)? else {
        return Err(format!("no import {id}: `import list` shows them"));
    };
    if found.6 != "applied" {
        return Err(format!("import {id} is {} already", found.6));
    }
    let reason = format!("import {id} from {}", found.1);
    let undo_reason = format!("undo import {id}");
    let english = format!("Import from {} undone", found.1);
    let german = format!("Übernahme aus {} rückgängig gemacht", found.1);
    let mut lines = Vec::new();
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
                lines.push(format!(
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
    q::undo_import(db, id, &ledger::format_date(today))
        .await
        .map_err(text)?;
    lines.insert(
        0,
        format!(
            "undone import {id}: {taken:+} points in compensating entries, {kept} could not be \
             taken back; customers it created stay"
        ),
    );
    Ok(lines)
}

/// `export`: every customer with balance, tier and referral code, or
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
            ])
            .map_err(text)?;
        for (customer, email, first_name, code) in q::export_customers(db).await.map_err(text)? {
            let points = account::points_now(db, &customer, today)
                .await
                .map_err(text)?;
            let tier = account::tier_id(db, &customer, program, today)
                .await
                .map_err(text)?;
            writer
                .write_record([
                    customer,
                    email.unwrap_or_default(),
                    first_name.unwrap_or_default(),
                    points.approved.to_string(),
                    tier.unwrap_or_default(),
                    code.unwrap_or_default(),
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

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(neutralised("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralised("-5"), "'-5");
        assert_eq!(neutralised("ana@example.com"), "ana@example.com");
    }
}
