//! The language context every component reads its texts through.

use crate::edge::intl;
use loyalty_core::i18n::{self as texts, Key, Lang};

/// Texts and formatting for one language; provided by [`super::widget::Widget`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct I18n {
    /// The interface language.
    pub lang: Lang,
}

impl I18n {
    /// The text for a key.
    pub fn t(self, key: Key) -> &'static str {
        key.text(self.lang)
    }

    /// A template filled with values, e.g. `{money}`.
    pub fn fill(self, key: Key, values: &[(&str, &str)]) -> String {
        texts::fill(self.t(key), values)
    }

    /// "1.250 Punkte": the count formatted by `Intl`, with the right plural.
    pub fn points(self, count: u64) -> String {
        texts::points_text(self.lang, count, &intl::number(self.lang, count))
    }

    /// An ISO 8601 date, formatted by `Intl`.
    pub fn date(self, iso: &str) -> String {
        intl::date(self.lang, iso)
    }

    /// Money from minor units, formatted by `Intl`.
    pub fn money(self, amount_minor: u64, currency: &str) -> String {
        intl::money(self.lang, amount_minor, currency)
    }
}
