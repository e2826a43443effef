//! The language context every component reads its texts through.

use crate::edge::intl;
use leptos::prelude::*;
use loyalty_core::i18n::{self as texts, Key, Lang};

/// Texts and formatting for one language, with the shop owner's overrides;
/// provided by [`super::widget::Widget`].
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    /// The interface language.
    pub lang: Lang,
    /// The locale figures and dates are formatted in (`de-CH`).
    locale: StoredValue<String>,
    overrides: StoredValue<Vec<(Key, String)>>,
}

impl I18n {
    /// Texts in `lang`, with `overrides` taking precedence; figures and
    /// dates in `locale`.
    pub fn new(lang: Lang, locale: String, overrides: Vec<(Key, String)>) -> I18n {
        I18n {
            lang,
            locale: StoredValue::new(locale),
            overrides: StoredValue::new(overrides),
        }
    }

    /// The text for a key: the shop owner's wording, else the built-in one.
    pub fn t(self, key: Key) -> String {
        self.overrides
            .with_value(|all| {
                all.iter()
                    .find(|(overridden, _)| *overridden == key)
                    .map(|(_, text)| text.clone())
            })
            .unwrap_or_else(|| key.text(self.lang).to_owned())
    }

    /// A template filled with values, e.g. `{money}`.
    pub fn fill(self, key: Key, values: &[(&str, &str)]) -> String {
        texts::fill(&self.t(key), values)
    }

    /// "1.250 Punkte": the count formatted by `Intl`, with the right plural.
    pub fn points(self, count: u64) -> String {
        let number = self.locale.with_value(|locale| intl::number(locale, count));
        self.fill(texts::points_key(count), &[("n", &number)])
    }

    /// A contract date, formatted by `Intl`.
    pub fn date(self, text: &str) -> String {
        self.locale.with_value(|locale| intl::date(locale, text))
    }

    /// Money from minor units, formatted by `Intl`.
    pub fn money(self, amount_minor: u64, currency: &str) -> String {
        self.locale
            .with_value(|locale| intl::money(locale, amount_minor, currency))
    }
}
