//! The dates of the contract, read strictly.
//!
//! A date field (`expiring.at`, `joined_at`, `ends_at`, an activity's `date`,
//! a coupon's `expires_at`) holds either a calendar date, `2026-12-31`, shown
//! as exactly that day; or an RFC 3339 date-time. With `Z` or an offset it is
//! an instant, shown as its calendar day in the customer's time zone; without
//! one it names a local date and time, shown as its date. Anything else (an
//! impossible day like `2026-02-30`, a partial date, a bare number) is not a
//! date: [`parse`] refuses it and the date (or the entry it dates) is left
//! out of the view (dates are optional parts, see [`crate::contract`]), so
//! no other day is ever shown in its place. The OpenAPI file's `pattern`
//! for dates says the same form.

/// A date as the contract sends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContractDate {
    /// A day (from `YYYY-MM-DD`, or a date-time without an offset).
    Day {
        /// Year, 0 to 9999.
        year: u16,
        /// Month, 1 to 12.
        month: u8,
        /// Day of the month, 1 to its length.
        day: u8,
    },
    /// A point in time, in milliseconds since 1970-01-01T00:00:00Z.
    Instant(i64),
}

fn digits(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Days in `month` (1 to 12) of `year`, in the proleptic Gregorian calendar.
pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year.rem_euclid(4) == 0
            && (year.rem_euclid(100) != 0 || year.rem_euclid(400) == 0) =>
        {
            29
        }
        2 => 28,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (i64::from(month) + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The civil date `(year, month, day)` of a day number (days since
/// 1970-01-01): the inverse of [`days_from_civil`].
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    (year_of_era + era * 400 + i64::from(month <= 2), month, day)
}

/// `YYYY-MM-DD` of a day number.
pub fn format_date(days: i64) -> String {
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The day number of a `YYYY-MM-DD` date; `None` unless it is exactly
/// that form and a day that exists (no 2026-02-30).
pub fn parse_date(text: &str) -> Option<i64> {
    let (year, month, day_of_month) = day(text)?;
    Some(days_from_civil(i64::from(year), month, day_of_month))
}

/// The same day `months` later (earlier if negative), or that month's
/// last day where it has no such day (2026-01-31 + 1 month = 2026-02-28).
pub fn add_months(days: i64, months: i64) -> i64 {
    let (year, month, day) = civil_from_days(days);
    let index = year * 12 + i64::from(month) - 1 + months;
    let (year, month) = (index.div_euclid(12), (index.rem_euclid(12) + 1) as u32);
    days_from_civil(year, month, day.min(days_in_month(year, month)))
}

/// `YYYY-MM-DD`, a real day.
fn day(text: &str) -> Option<(u32, u32, u32)> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let (year, month, day) = (
        digits(&text[..4])?,
        digits(&text[5..7])?,
        digits(&text[8..])?,
    );
    let real =
        (1..=12).contains(&month) && (1..=days_in_month(i64::from(year), month)).contains(&day);
    real.then_some((year, month, day))
}

/// `HH:MM[:SS[.fraction]]`, as milliseconds into the day.
fn time(text: &str) -> Option<i64> {
    let (clock, fraction) = match text.split_once('.') {
        Some((clock, fraction)) => (clock, Some(fraction)),
        None => (text, None),
    };
    let mut parts = clock.split(':');
    let hour = digits(parts.next().filter(|p| p.len() == 2)?)?;
    let minute = digits(parts.next().filter(|p| p.len() == 2)?)?;
    let second = match parts.next() {
        Some(part) if part.len() == 2 => digits(part)?,
        Some(_) => return None,
        None if fraction.is_some() => return None,
        None => 0,
    };
    if parts.next().is_some() || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let millis = match fraction {
        Some(fraction) if fraction.len() <= 9 && digits(fraction).is_some() => {
            let padded = format!("{fraction:0<3}");
            i64::from(digits(&padded[..3])?)
        }
        Some(_) => return None,
        None => 0,
    };
    let seconds = i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second.min(59));
    Some(seconds * 1000 + millis)
}

/// `Z`, `+HH:MM` or `-HH:MM`, as milliseconds east of UTC.
fn offset(text: &str) -> Option<i64> {
    if text == "Z" || text == "z" {
        return Some(0);
    }
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (hours, minutes) = text[1..].split_once(':')?;
    if hours.len() != 2 || minutes.len() != 2 {
        return None;
    }
    let (hours, minutes) = (digits(hours)?, digits(minutes)?);
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some(sign * (i64::from(hours) * 3600 + i64::from(minutes) * 60) * 1000)
}

/// Reads a contract date; `None` for anything that is not one.
pub fn parse(text: &str) -> Option<ContractDate> {
    let (date, rest) = match text.find(['T', 't', ' ']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let (year, month, day_of_month) = day(date)?;
    let calendar = ContractDate::Day {
        year: u16::try_from(year).ok()?,
        month: u8::try_from(month).ok()?,
        day: u8::try_from(day_of_month).ok()?,
    };
    let Some(rest) = rest else {
        return Some(calendar);
    };
    let zone_at = rest.find(['Z', 'z', '+', '-']);
    let (clock, zone) = match zone_at {
        Some(at) => (&rest[..at], Some(&rest[at..])),
        None => (rest, None),
    };
    let millis = time(clock)?;
    match zone {
        None => Some(calendar),
        Some(zone) => {
            let days = days_from_civil(year.into(), month, day_of_month);
            Some(ContractDate::Instant(
                days * 86_400_000 + millis - offset(zone)?,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(year: u16, month: u8, day: u8) -> Option<ContractDate> {
        Some(ContractDate::Day { year, month, day })
    }

    #[test]
    fn calendar_dates_are_those_days() {
        assert_eq!(parse("2026-12-31"), day(2026, 12, 31));
        assert_eq!(parse("2028-02-29"), day(2028, 2, 29));
        // A date-time without an offset names its date.
        assert_eq!(parse("2026-12-31T00:00:00"), day(2026, 12, 31));
        assert_eq!(parse("2026-12-31T23:59"), day(2026, 12, 31));
    }

    #[test]
    fn instants_count_from_the_epoch_whatever_their_offset() {
        assert_eq!(
            parse("1970-01-01T00:00:00Z"),
            Some(ContractDate::Instant(0))
        );
        assert_eq!(
            parse("2027-01-01T00:00:00+01:00"),
            parse("2026-12-31T23:00:00Z")
        );
        assert_eq!(
            parse("2026-11-20T00:30:00+01:00"),
            Some(ContractDate::Instant(1_795_131_000_000))
        );
        assert_eq!(
            parse("2026-11-19T23:30:00.250Z"),
            Some(ContractDate::Instant(1_795_131_000_250))
        );
        assert_eq!(
            parse("2026-11-19T18:30:00-05:00"),
            parse("2026-11-19T23:30:00Z")
        );
    }

    #[test]
    fn days_round_trip_and_months_end_where_the_month_does() {
        let day = |text: &str| parse_date(text).expect("a day");
        for text in [
            "1970-01-01",
            "2024-02-29",
            "2026-12-31",
            "2000-03-01",
            "1600-02-29",
        ] {
            assert_eq!(format_date(day(text)), text);
        }
        assert_eq!(day("1970-01-02"), 1);
        assert_eq!(day("1969-12-31"), -1);
        for bad in [
            "2026-02-29",
            "1900-02-29",
            "2026-13-01",
            "2026-1-01",
            "2026-01-00",
            "+026-01-01",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert_eq!(format_date(add_months(day("2026-01-31"), 1)), "2026-02-28");
        assert_eq!(format_date(add_months(day("2024-02-29"), 12)), "2025-02-28");
        assert_eq!(
            format_date(add_months(day("2026-03-15"), -12)),
            "2025-03-15"
        );
        assert_eq!(format_date(add_months(day("2026-11-30"), 2)), "2027-01-30");
        // Every day of four centuries: the number and the date agree both
        // ways, and consecutive days are consecutive numbers.
        let mut previous = day("1899-12-31");
        for year in 1900..2300 {
            for month in 1..=12 {
                for day_of_month in 1..=days_in_month(year, month) {
                    let number = days_from_civil(year, month, day_of_month);
                    assert_eq!(number, previous + 1, "{year}-{month}-{day_of_month}");
                    assert_eq!(civil_from_days(number), (year, month, day_of_month));
                    previous = number;
                }
            }
        }
    }

    #[test]
    fn anything_else_is_not_a_date() {
        for text in [
            "2026-02-30",
            "2026-13-01",
            "2025-02-29",
            "2026-00-10",
            "0",
            "",
            "2026",
            "2026-12",
            "31.12.2026",
            "12/31/2026",
            "2026-12-31T",
            "2026-12-31T25:00:00Z",
            "2026-12-31T10:00:00+1",
            "2026-12-31T10:00:00.Z",
            "2026-12-31 garbage",
            "tomorrow",
            "2026-1-5",
            "+2026-12-31",
        ] {
            assert_eq!(parse(text), None, "{text:?}");
        }
    }
}
