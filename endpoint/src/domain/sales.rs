//! Orders as history (`sales`, migration 0010): every order seen, a
//! member's or not, live or imported, with the instant it was placed. The
//! instants' text form, the key a non-member's orders are grouped by, and
//! the import of past orders (`POST /admin/v1/orders/import`,
//! `loyalty-endpoint import-orders`): history only, no points, each order
//! once.

use super::error::Result;
use super::ledger;
use crate::store::sales::{self as s, SaleRow};
use crate::store::Db;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashSet;

/// The largest total one imported order may have (as a live one).
const MAX_MONEY: u64 = 1_000_000_000_000;

/// Seconds since 1970-01-01T00:00:00Z of an RFC 3339 instant
/// (`2026-11-28T10:02:11Z`, `2026-11-28T10:02:11.5+01:00`). With
/// `naive_is_utc`, an instant without a zone (WooCommerce's `_gmt` fields)
/// is read as UTC; otherwise it is refused.
pub fn parse_instant(text: &str, naive_is_utc: bool) -> Option<i64> {
    let text = text.trim();
    let day = ledger::parse_date(text.get(..10)?)?;
    let rest = text.get(10..)?;
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let number = |part: &str| -> Option<i64> {
        (part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse().ok())
            .flatten()
    };
    let (hour, minute, second) = (
        number(rest.get(0..2)?)?,
        number(rest.get(3..5)?)?,
        number(rest.get(6..8)?)?,
    );
    if rest.get(2..3)? != ":" || rest.get(5..6)? != ":" || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut zone = rest.get(8..)?;
    if let Some(fraction) = zone.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        zone = &fraction[digits..];
    }
    let offset = match zone {
        "Z" | "z" => 0,
        "" if naive_is_utc => 0,
        _ => {
            let sign = match zone.get(..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            if zone.len() != 6 || zone.get(3..4)? != ":" {
                return None;
            }
            let (hours, minutes) = (number(zone.get(1..3)?)?, number(zone.get(4..6)?)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            sign * (hours * 3600 + minutes * 60)
        }
    };
    Some(day * 86_400 + hour * 3600 + minute * 60 + second.min(59) - offset)
}

/// An instant as the API writes it: `YYYY-MM-DDTHH:MM:SSZ`, UTC.
pub fn format_instant(seconds: i64) -> String {
    let day = seconds.div_euclid(86_400);
    let within = seconds.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        ledger::format_date(day),
        within / 3600,
        within % 3600 / 60,
        within % 60
    )
}

/// The UTC day of a stored instant (its first ten characters).
pub fn day_of(placed_at: &str) -> Option<i64> {
    ledger::parse_date(placed_at.get(..10)?)
}

/// The key a non-member's orders are grouped by: the platform's customer
/// id when there is one, else `email:` and the SHA-256 of the trimmed,
/// lower-case address (never the address itself), else `order:` and the
/// order's id (a customer seen once).
pub fn guest_key(customer_id: Option<&str>, email: Option<&str>, order_id: &str) -> String {
    if let Some(id) = customer_id.map(str::trim).filter(|id| !id.is_empty()) {
        return id.to_owned();
    }
    if let Some(email) = email.map(str::trim).filter(|email| email.contains('@')) {
        let digest = Sha256::digest(email.to_lowercase().as_bytes());
        return format!("email:{}", hex::encode(digest));
    }
    format!("order:{order_id}")
}

/// A line of an import the importer did not take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// The line in the file (1 = the first; a CSV file's header is line 1).
    pub line: u64,
    /// What is wrong with it.
    pub message: String,
}

/// What an import of past orders did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Orders in the file (refused ones included; a CSV header is not one).
    pub rows: u64,
    /// Orders recorded now.
    pub recorded: u64,
    /// Orders recorded before (by id), left as they were.
    pub already: u64,
    /// Lines not taken, with why.
    pub refused: Vec<Refusal>,
}

/// The most refusals an answer lists (the count of rows still tells).
const MAX_REFUSALS: usize = 1000;

/// One order of an import file, its fields as text.
#[derive(Debug, Default)]
struct Fields {
    id: Option<String>,
    customer_id: Option<String>,
    email: Option<String>,
    total_minor: Option<String>,
    refunded_minor: Option<String>,
    placed_at: Option<String>,
    member: Option<String>,
}

fn whole(
    field: &str,
    text: Option<&str>,
    default: Option<u64>,
) -> std::result::Result<u64, String> {
    match text.map(str::trim).filter(|text| !text.is_empty()) {
        None => default.ok_or_else(|| format!("{field} is missing")),
        Some(text) => text
            .parse::<u64>()
            .ok()
            .filter(|amount| *amount <= MAX_MONEY)
            .ok_or_else(|| format!("{field} {text:?} is not a whole number 0..{MAX_MONEY}")),
    }
}

/// Checks one order of a file; the sale to record.
fn sale_of(fields: Fields) -> std::result::Result<SaleRow, String> {
    let id = fields
        .id
        .map(|id| id.trim().to_owned())
        .filter(|id| {
            !id.is_empty() && id.chars().count() <= 128 && !id.chars().any(char::is_control)
        })
        .ok_or("id must be 1 to 128 printable characters")?;
    let member = match fields.member.as_deref().map(str::trim).unwrap_or_default() {
        "" | "false" | "0" | "no" => false,
        "true" | "1" | "yes" => true,
        other => return Err(format!("member {other:?} is not true or false")),
    };
    let customer_id = fields
        .customer_id
        .as_deref()
        .map(str::trim)
        .filter(|id| !id.is_empty());
    if customer_id.is_some_and(|id| id.chars().count() > 128 || id.chars().any(char::is_control)) {
        return Err("customer_id must be 1 to 128 printable characters".into());
    }
    if member && customer_id.is_none() {
        return Err("a member's order needs its customer_id".into());
    }
    let total = whole("total_minor", fields.total_minor.as_deref(), None)?;
    let refunded = whole("refunded_minor", fields.refunded_minor.as_deref(), Some(0))?;
    if refunded > total {
        return Err(format!(
            "refunded_minor {refunded} is more than total_minor {total}"
        ));
    }
    let placed = fields
        .placed_at
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .ok_or("placed_at is missing")?;
    let seconds = parse_instant(placed, false)
        .or_else(|| ledger::parse_date(placed).map(|day| day * 86_400))
        .ok_or_else(|| format!("placed_at {placed:?} is not an RFC 3339 instant or a day"))?;
    Ok(SaleRow {
        customer_key: guest_key(customer_id, fields.email.as_deref(), &id),
        id,
        member: i64::from(member),
        total_minor: i64::try_from(total).unwrap_or(i64::MAX),
        refunded_minor: i64::try_from(refunded).unwrap_or(i64::MAX),
        placed_at: format_instant(seconds),
        source: "import".into(),
    })
}

/// The file's orders, each with its line, or why its line was refused.
fn read_file(text: &str) -> Vec<(u64, std::result::Result<SaleRow, String>)> {
    let json_lines = text.trim_start().starts_with('{');
    if json_lines {
        return text
            .lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(index, line)| {
                let parsed = serde_json::from_str::<serde_json::Value>(line)
                    .map_err(|err| format!("not a JSON object: {err}"))
                    .and_then(|value| {
                        let field = |name: &str| match &value[name] {
                            serde_json::Value::String(text) => Some(text.clone()),
                            serde_json::Value::Number(number) => Some(number.to_string()),
                            serde_json::Value::Bool(flag) => Some(flag.to_string()),
                            _ => None,
                        };
                        if !value.is_object() {
                            return Err("not a JSON object".to_owned());
                        }
                        sale_of(Fields {
                            id: field("id"),
                            customer_id: field("customer_id"),
                            email: field("email"),
                            total_minor: field("total_minor"),
                            refunded_minor: field("refunded_minor"),
                            placed_at: field("placed_at"),
                            member: field("member"),
                        })
                    });
                (index as u64 + 1, parsed)
            })
            .collect();
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(headers) => headers.iter().map(str::to_ascii_lowercase).collect(),
        Err(err) => return vec![(1, Err(format!("the header is not CSV: {err}")))],
    };
    let known = [
        "id",
        "customer_id",
        "email",
        "total_minor",
        "refunded_minor",
        "placed_at",
        "member",
    ];
    if !headers.iter().any(|name| name == "id") {
        return vec![(
            1,
            Err(format!(
                "the first line must name the columns ({})",
                known.join(", ")
            )),
        )];
    }
    let mut orders = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                let line = err.position().map_or(0, csv::Position::line);
                orders.push((line, Err(format!("not CSV: {err}"))));
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        if record.iter().all(str::is_empty) {
            continue;
        }
        let field = |name: &str| {
            headers
                .iter()
                .position(|header| header == name)
                .and_then(|at| record.get(at))
                .map(str::to_owned)
        };
        orders.push((
            line,
            sale_of(Fields {
                id: field("id"),
                customer_id: field("customer_id"),
                email: field("email"),
                total_minor: field("total_minor"),
                refunded_minor: field("refunded_minor"),
                placed_at: field("placed_at"),
                member: field("member"),
            }),
        ));
    }
    orders
}

/// Records a file of past orders (CSV with a header naming its columns,
/// or JSON lines) as history: no points, no customers made, each order id
/// once (an id recorded before, live or by an earlier import, is left as
/// it was and counted as `already`). Lines that are wrong are refused with
/// their line number; the others are recorded.
pub async fn import_orders(db: &mut Db<'_>, text: &str) -> Result<ImportReport> {
    let mut report = ImportReport::default();
    let mut seen = HashSet::new();
    let mut batch = Vec::new();
    for (line, order) in read_file(text) {
        report.rows += 1;
        match order {
            Err(message) => {
                if report.refused.len() < MAX_REFUSALS {
                    report.refused.push(Refusal { line, message });
                }
            }
            Ok(sale) => {
                if seen.insert(sale.id.clone()) {
                    batch.push(sale);
                } else {
                    report.already += 1;
                }
            }
        }
        if batch.len() >= 5000 {
            flush(db, &mut batch, &mut report).await?;
        }
    }
    flush(db, &mut batch, &mut report).await?;
    Ok(report)
}

async fn flush(db: &mut Db<'_>, batch: &mut Vec<SaleRow>, report: &mut ImportReport) -> Result<()> {
    let added = s::insert_sales(db, batch).await?;
    report.recorded += added;
    report.already += batch.len() as u64 - added;
    batch.clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_are_read_in_any_zone_and_written_in_utc() {
        let at = parse_instant("2026-11-28T10:02:11Z", false).expect("an instant");
        assert_eq!(format_instant(at), "2026-11-28T10:02:11Z");
        let east = parse_instant("2026-11-28T11:02:11.250+01:00", false).expect("an instant");
        assert_eq!(east, at);
        let west = parse_instant("2026-11-27T23:30:00-05:00", false).expect("an instant");
        assert_eq!(format_instant(west), "2026-11-28T04:30:00Z");
        assert_eq!(parse_instant("2026-11-28T10:02:11", false), None);
        assert_eq!(parse_instant("2026-11-28T10:02:11", true), Some(at));
        for bad in [
            "",
            "2026-11-28",
            "2026-13-01T00:00:00Z",
            "2026-11-28T24:00:00Z",
            "2026-11-28T10:02Z",
            "2026-11-28T10:02:11+1:00",
        ] {
            assert_eq!(parse_instant(bad, false), None, "{bad}");
        }
        assert_eq!(
            day_of("2026-11-28T23:59:59Z"),
            ledger::parse_date("2026-11-28")
        );
    }

    #[test]
    fn a_guest_is_known_by_their_platform_id_or_their_address_hashed() {
        assert_eq!(guest_key(Some("88"), Some("a@b.c"), "1"), "88");
        let hashed = guest_key(None, Some(" Lena@Example.com "), "1");
        assert_eq!(hashed, guest_key(None, Some("lena@example.com"), "2"));
        assert!(hashed.starts_with("email:") && !hashed.contains("lena"));
        assert_eq!(guest_key(None, None, "7"), "order:7");
    }

    #[test]
    fn an_import_file_is_read_as_csv_or_json_lines_with_refusals_by_line() {
        let csv = "id,customer_id,email,total_minor,refunded_minor,placed_at,member\n\
                   o1,c1,,1000,0,2025-01-02T03:04:05Z,true\n\
                   o2,,x@y.z,500,600,2025-01-02,false\n\
                   o3,,,250,,2025-01-03,\n";
        let read = read_file(csv);
        assert_eq!(read.len(), 3);
        let first = read[0].1.as_ref().expect("o1 taken");
        assert_eq!((first.member, first.customer_key.as_str()), (1, "c1"));
        assert_eq!(read[1].0, 3);
        assert!(read[1]
            .1
            .as_ref()
            .is_err_and(|m| m.contains("refunded_minor")));
        let third = read[2].1.as_ref().expect("o3 taken");
        assert_eq!(third.placed_at, "2025-01-03T00:00:00Z");
        assert_eq!(third.customer_key, "order:o3");
        let lines = "{\"id\":\"a\",\"total_minor\":10,\"placed_at\":\"2025-05-05T10:00:00+02:00\"}\n\nnot json\n{\"id\":\"b\",\"member\":true,\"total_minor\":1,\"placed_at\":\"2025-05-05\"}\n";
        let read = read_file(lines);
        assert_eq!(read.len(), 3);
        assert_eq!(
            read[0].1.as_ref().map(|s| s.placed_at.clone()),
            Ok("2025-05-05T08:00:00Z".into())
        );
        assert_eq!(read[1].0, 3);
        assert!(read[1].1.is_err());
        assert_eq!(read[2].0, 4);
        assert!(read[2].1.as_ref().is_err_and(|m| m.contains("customer_id")));
    }
}
