//! Figures as people read them: money in the shop's currency, counts,
//! percentages and changes, through the browser's Intl (js/intl.js); "–"
//! for a figure that does not exist. The arithmetic is pure and tested
//! natively; the Intl calls run in the browser only.

use crate::i18n::{Lang, P};
use loyalty_core::i18n::Plural;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/intl.js")]
extern "C" {
    #[wasm_bindgen(js_name = formatMoney)]
    fn format_money(minor: f64, currency: &str, fraction_digits: u32, lang: &str) -> String;
    #[wasm_bindgen(js_name = formatNumber)]
    fn format_number(value: f64, lang: &str) -> String;
    #[wasm_bindgen(js_name = formatPercent)]
    fn format_percent(fraction: f64, lang: &str, signed: bool) -> String;
    #[wasm_bindgen(js_name = pluralCategory)]
    fn plural_category(value: f64, lang: &str) -> String;
}

/// What is shown for a figure that does not exist (null).
pub const NONE: &str = "–";

/// How a figure is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Minor units of the shop's currency.
    Money,
    /// A count (orders, customers, points).
    Count,
    /// A fraction 0..1, shown as a percentage.
    Rate,
}

/// Minor units per major unit's decimals (ISO 4217's zero- and
/// three-decimal currencies; two for the rest).
pub fn fraction_digits(currency: &str) -> u32 {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// A figure written for the page (`–` when none).
pub fn value(value: Option<f64>, kind: Kind, currency: &str, lang: Lang) -> String {
    let Some(v) = value else {
        return NONE.to_string();
    };
    match kind {
        Kind::Money => format_money(v, currency, fraction_digits(currency), lang.tag()),
        Kind::Count => format_number(v, lang.tag()),
        Kind::Rate => format_percent(v, lang.tag(), false),
    }
}

/// A text with a count in the plural form the language needs for it
/// (`Intl.PluralRules`), `{n}` the count as the language writes it.
pub fn plural(key: P, n: i64, lang: Lang) -> String {
    let form = Plural::from_name(&plural_category(n as f64, lang.tag())).unwrap_or(Plural::Other);
    key.get(lang, form).replace("{n}", &count(n, lang))
}

/// A plain count.
pub fn count(v: i64, lang: Lang) -> String {
    format_number(v as f64, lang.tag())
}

/// Money in minor units.
pub fn money(minor: i64, currency: &str, lang: Lang) -> String {
    value(Some(minor as f64), Kind::Money, currency, lang)
}

/// The change from the previous period: for rates the difference in
/// percentage points, otherwise relative to the previous value (none when
/// the previous was 0 or either is missing).
pub fn change(current: Option<f64>, previous: Option<f64>, kind: Kind) -> Option<Change> {
    let (c, p) = (current?, previous?);
    match kind {
        Kind::Rate => Some(Change::Points(c - p)),
        _ if p == 0.0 => None,
        _ => Some(Change::Relative((c - p) / p.abs())),
    }
}

/// A change between two periods.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Change {
    /// Relative: 0.25 is +25 %.
    Relative(f64),
    /// A rate's difference: 0.05 is +5 percentage points.
    Points(f64),
}

impl Change {
    /// Written with its sign (`+25 %`, `−5 pp`).
    pub fn text(self, lang: Lang) -> String {
        match self {
            Change::Relative(r) => format_percent(r, lang.tag(), true),
            Change::Points(d) => {
                let points = format_number((d * 1000.0).round() / 10.0, lang.tag());
                let sign = if d > 0.0 { "+" } else { "" };
                format!("{sign}{points} {}", lang.percentage_points())
            }
        }
    }

    /// Up, down or flat, for the arrow beside it.
    pub fn direction(self) -> i8 {
        let v = match self {
            Change::Relative(v) | Change::Points(v) => v,
        };
        if v > 0.0 {
            1
        } else if v < 0.0 {
            -1
        } else {
            0
        }
    }
}

/// The day of an RFC 3339 instant (`2026-11-30T10:00:00Z` -> `2026-11-30`).
pub fn day(instant: &str) -> String {
    instant.get(..10).unwrap_or(instant).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes() {
        assert_eq!(
            change(Some(150.0), Some(100.0), Kind::Money),
            Some(Change::Relative(0.5))
        );
        assert_eq!(change(Some(150.0), Some(0.0), Kind::Count), None);
        assert_eq!(change(None, Some(1.0), Kind::Count), None);
        assert_eq!(
            change(Some(0.25), Some(0.2), Kind::Rate).map(Change::direction),
            Some(1)
        );
    }

    #[test]
    fn currencies_decimals() {
        assert_eq!(fraction_digits("EUR"), 2);
        assert_eq!(fraction_digits("JPY"), 0);
        assert_eq!(fraction_digits("KWD"), 3);
        assert_eq!(day("2026-11-30T10:00:00Z"), "2026-11-30");
    }
}
