//! Numbers and money formatted by the browser's `Intl`, never by hand.

use js_sys::{Array, Function, Intl::NumberFormat, Object, Reflect};
use loyalty_core::i18n::Lang;
use std::cell::RefCell;
use wasm_bindgen::JsValue;

thread_local! {
    /// Formatters already built, by language and currency (`""` for plain
    /// numbers): building an `Intl.NumberFormat` is the costly part, and a
    /// dashboard formats dozens of figures.
    static FORMATS: RefCell<Vec<(Lang, String, NumberFormat)>> = const { RefCell::new(Vec::new()) };
}

/// The formatter for plain numbers (`currency` empty) or for money.
fn number_format(lang: Lang, currency: &str) -> NumberFormat {
    let cached = FORMATS.with(|all| {
        all.borrow()
            .iter()
            .find(|(l, c, _)| *l == lang && c == currency)
            .map(|(_, _, format)| format.clone())
    });
    if let Some(format) = cached {
        return format;
    }
    let locales = Array::of1(&JsValue::from_str(lang.tag()));
    let options = Object::new();
    if !currency.is_empty() {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&options, &"style".into(), &"currency".into());
        let _ = Reflect::set(&options, &"currency".into(), &currency.into());
    }
    let format = NumberFormat::new(&locales, &options);
    FORMATS.with(|all| {
        all.borrow_mut()
            .push((lang, currency.to_owned(), format.clone()))
    });
    format
}

fn call_format(format: &NumberFormat, value: f64) -> Option<String> {
    let function: Function = format.format();
    function
        .call1(&JsValue::NULL, &JsValue::from_f64(value))
        .ok()
        .and_then(|text| text.as_string())
}

/// A whole number with the language's grouping, e.g. `1.250` in German.
pub fn number(lang: Lang, value: u64) -> String {
    // Values are capped at 10^12 by the contract checks: exact in an f64.
    call_format(&number_format(lang, ""), value as f64).unwrap_or_else(|| value.to_string())
}

/// An amount in minor units as money, e.g. `12,50 €` in German.
///
/// The number of minor digits comes from `Intl` itself (2 for EUR, 0 for JPY).
pub fn money(lang: Lang, amount_minor: u64, currency: &str) -> String {
    let format = number_format(lang, currency);
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

/// An ISO 8601 date or date-time as a medium date, e.g. `31.12.2026` in
/// German. Text that is not a date is returned as it is (it is only ever
/// rendered as text).
pub fn date(lang: Lang, iso: &str) -> String {
    let parsed = js_sys::Date::new(&JsValue::from_str(iso));
    if parsed.get_time().is_nan() {
        return iso.to_owned();
    }
    let locales = Array::of1(&JsValue::from_str(lang.tag()));
    let options = Object::new();
    let _ = Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    let _ = Reflect::set(&options, &"timeZone".into(), &"UTC".into());
    let format = js_sys::Intl::DateTimeFormat::new(&locales, &options);
    format
        .format()
        .call1(&JsValue::NULL, &parsed)
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| iso.to_owned())
}
