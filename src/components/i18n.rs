//! The language context every component reads its texts through.

use crate::edge::intl;
use leptos::prelude::*;
use loyalty_core::i18n::{self as texts, Catalog, Key, Lang, Plural};

/// Texts and formatting for one language: the shop owner's overrides, the
/// language's pack, English built in; provided by [`super::widget::Widget`].
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    /// The interface language.
    pub lang: Lang,
    /// The locale figures, dates and plural forms follow (`de-CH`, `pt-BR`).
    locale: StoredValue<String>,
    catalog: StoredValue<Catalog>,
}

impl I18n {
    /// Texts in `lang` from `catalog`; figures, dates and plural forms in
    /// `locale`.
    pub fn new(lang: Lang, locale: String, catalog: Catalog) -> I18n {
        I18n {
            lang,
            locale: StoredValue::new(locale),
            catalog: StoredValue::new(catalog),
        }
    }

    /// The text for a key: the shop owner's wording, else the pack's, else
    /// English.
    pub fn t(self, key: Key) -> String {
        self.catalog
            .with_value(|catalog| catalog.get(key, None).to_owned())
    }

    /// A template filled with values, e.g. `{money}`.
    pub fn fill(self, key: Key, values: &[(&str, &str)]) -> String {
        texts::fill(&self.t(key), values)
    }

    /// A plural family (`points`, `friends`) for a count: the form
    /// `Intl.PluralRules` picks in the locale, `{n}` the count formatted by
    /// `Intl.NumberFormat`.
    pub fn count(self, key: Key, count: u64) -> String {
        self.locale.with_value(|locale| {
            let number = intl::number(locale, count);
            let form = intl::plural(locale, count).unwrap_or_else(|| Plural::english(count));
            self.catalog
                .with_value(|catalog| texts::fill(catalog.get(key, Some(form)), &[("n", &number)]))
        })
    }

    /// "1.250 Punkte": the count formatted by `Intl`, with the right plural.
    pub fn points(self, count: u64) -> String {
        self.count(Key::Points, count)
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
