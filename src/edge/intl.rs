//! Numbers, money and dates formatted by the browser's `Intl` in the
//! widget's locale (`de-CH`, `en-GB`: see [`Lang::locale`]), never by hand,
//! and the plural category of a count from `Intl.PluralRules`.
//!
//! [`Lang::locale`]: loyalty_core::i18n::Lang::locale

use js_sys::{Array, Function, Intl::DateTimeFormat, Intl::NumberFormat, Object, Reflect};
use loyalty_core::date::{self, ContractDate};
use loyalty_core::i18n::Plural;
use std::cell::RefCell;
use std::thread::LocalKey;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

#[wasm_bindgen]
extern "C" {
    /// `Intl.PluralRules`, bound here (js-sys is not on the design card).
    #[derive(Clone)]
    #[wasm_bindgen(js_namespace = Intl)]
    type PluralRules;

    #[wasm_bindgen(catch, constructor, js_namespace = Intl)]
    fn new(locale: &str) -> Result<PluralRules, JsValue>;

    #[wasm_bindgen(method)]
    fn select(this: &PluralRules, count: f64) -> String;
}

thread_local! {
    /// Formatters already built, by locale and currency (empty for plain
    /// numbers): building an `Intl.NumberFormat` is the costly part, and a
    /// dashboard formats dozens of figures.
    static FORMATS: RefCell<Vec<(String, NumberFormat)>> = const { RefCell::new(Vec::new()) };
    /// Date formatters already built, by locale (one per page, as a rule).
    static DATES: RefCell<Vec<(String, DateTimeFormat)>> = const { RefCell::new(Vec::new()) };
    /// Plural rules already built, by locale (`None`: `Intl` refused it).
    static PLURALS: RefCell<Vec<(String, Option<PluralRules>)>> = const { RefCell::new(Vec::new()) };
}

/// The formatter in `store` under `key`, built by `build` the first time.
fn cached<T: Clone + 'static>(
    store: &'static LocalKey<RefCell<Vec<(String, T)>>>,
    key: &str,
    build: impl FnOnce() -> T,
) -> T {
    let found = store.with(|all| {
        all.borrow()
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, format)| format.clone())
    });
    found.unwrap_or_else(|| {
        let format = build();
        store.with(|all| all.borrow_mut().push((key.to_owned(), format.clone())));
        format
    })
}

/// The medium-date formatter for `locale`, built once.
fn date_format(locale: &str) -> DateTimeFormat {
    cached(&DATES, locale, || {
        let options = Object::new();
        let _ = Reflect::set(&options, &"dateStyle".into(), &"medium".into());
        DateTimeFormat::new(&Array::of1(&JsValue::from_str(locale)), &options)
    })
}

/// The formatter for plain numbers (`currency` empty) or for money.
fn number_format(locale: &str, currency: &str) -> NumberFormat {
    cached(&FORMATS, &format!("{locale} {currency}"), || {
        let options = Object::new();
        if !currency.is_empty() {
            // Setting a property on a fresh plain object cannot fail.
            let _ = Reflect::set(&options, &"style".into(), &"currency".into());
            let _ = Reflect::set(&options, &"currency".into(), &currency.into());
        }
        NumberFormat::new(&Array::of1(&JsValue::from_str(locale)), &options)
    })
}

/// The CLDR plural category of a count in `locale` (`few` for 2 in Polish),
/// by `Intl.PluralRules`; `None` where the browser has no such rules.
pub fn plural(locale: &str, count: u64) -> Option<Plural> {
    cached(&PLURALS, locale, || PluralRules::new(locale).ok())
        .and_then(|rules| Plural::from_name(&rules.select(count as f64)))
}

fn call_format(format: &NumberFormat, value: f64) -> Option<String> {
    let function: Function = format.format();
    function
        .call1(&JsValue::NULL, &JsValue::from_f64(value))
        .ok()
        .and_then(|text| text.as_string())
}

/// A whole number with the locale's grouping, e.g. `1.250` in German and
/// `1’250` in Swiss German: the one formatter of every count the widget
/// shows (points, friends, through [`crate::components::i18n::I18n`]).
///
/// The number goes to `Intl` as its decimal text, which `format` reads
/// exactly, so no digit is ever lost whatever its size. (The contract caps
/// every figure at 10^12, below 2^53, so the browser's `JSON.parse` has
/// already read it exactly; a figure beyond is refused, or left out where
/// it is an optional part, never shown rounded.)
pub fn number(locale: &str, value: u64) -> String {
    let digits = value.to_string();
    number_format(locale, "")
        .format()
        .call1(&JsValue::NULL, &JsValue::from_str(&digits))
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or(digits)
}

/// An amount in minor units as money, e.g. `12,50 €` in German.
///
/// The number of minor digits comes from `Intl` itself (2 for EUR, 0 for JPY).
pub fn money(locale: &str, amount_minor: u64, currency: &str) -> String {
    let format = number_format(locale, currency);
    let digits = Reflect::get(&format.resolved_options(), &"maximumFractionDigits".into())
        .ok()
        .and_then(|value| value.as_f64())
        .map_or(2, |digits| digits.clamp(0.0, 6.0) as u32);
    let amount = amount_minor as f64 / 10u64.pow(digits) as f64;
    call_format(&format, amount).unwrap_or_else(|| {
        // JavaScript's own number to text: Rust's float formatting would
        // cost ~10 KB of WebAssembly for this one fallback.
        let amount = String::from(
            js_sys::Number::from(amount)
                .to_string_with_radix(10)
                .unwrap_or_default(),
        );
        format!("{amount} {currency}")
    })
}

/// A contract date as a medium date, e.g. `31.12.2026` in German: a
/// calendar date as that very day, an instant as its day in the customer's
/// time zone (see [`loyalty_core::date`]). The contract's checks refuse
/// anything else before it gets here; should it still come, it is shown as
/// the text it is, never as another day.
pub fn date(locale: &str, text: &str) -> String {
    let parsed = match date::parse(text) {
        // Local midnight of that day, formatted in local time: that day.
        Some(ContractDate::Day { year, month, day }) => {
            let local = js_sys::Date::new_with_year_month_day(
                year.into(),
                i32::from(month) - 1,
                day.into(),
            );
            // `new Date(y, m, d)` reads years 0 to 99 as 1900 to 1999.
            local.set_full_year(year.into());
            local
        }
        Some(ContractDate::Instant(millis)) => js_sys::Date::new(&JsValue::from_f64(millis as f64)),
        None => return text.to_owned(),
    };
    if parsed.get_time().is_nan() {
        return text.to_owned();
    }
    date_format(locale)
        .format()
        .call1(&JsValue::NULL, &parsed)
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| text.to_owned())
}
