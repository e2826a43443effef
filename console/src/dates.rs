//! Calendar days as the admin API writes them (`YYYY-MM-DD`, UTC), and the
//! arithmetic the period picker needs. Pure: tested natively.

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number (the inverse of [`days_from_civil`]).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Reads `YYYY-MM-DD` (the first ten characters of an RFC 3339 instant too).
pub fn parse_day(text: &str) -> Option<i64> {
    let text = text.get(..10)?;
    let mut parts = text.split('-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    (civil_from_days(days) == (year, month, day)).then_some(days)
}

/// Writes a day number as `YYYY-MM-DD`.
pub fn format_day(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The first and last day of the `length` days ending on `to`.
pub fn period_ending(to: &str, length: i64) -> Option<(String, String)> {
    let end = parse_day(to)?;
    Some((format_day(end - length.max(1) + 1), format_day(end)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_days() {
        for day in [-1000, 0, 59, 60, 365, 11_016, 20_000, 20_787] {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
        assert_eq!(format_day(0), "1970-01-01");
        assert_eq!(parse_day("2024-02-29"), Some(days_from_civil(2024, 2, 29)));
        assert_eq!(parse_day("2025-02-29"), None);
        assert_eq!(parse_day("2026-11-30T10:00:00Z"), parse_day("2026-11-30"));
        assert_eq!(parse_day("nonsense"), None);
    }

    #[test]
    fn periods_end_on_the_day() {
        assert_eq!(
            period_ending("2026-12-06", 30),
            Some(("2026-11-07".into(), "2026-12-06".into()))
        );
        assert_eq!(
            period_ending("2026-03-01", 365),
            Some(("2025-03-02".into(), "2026-03-01".into()))
        );
    }
}
