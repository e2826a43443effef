//! Which language an answer is in, and the backend's own words in it.
//!
//! A request asks for any BCP 47 tag (`?lang=pt-BR`); [`negotiate`] walks
//! its fallback chain (`pt-br`, `pt`; Norwegian `no` and `nn` fall back to
//! `nb`) against the languages the program has, else answers in the
//! program's default language. The backend's words (ways to earn, history
//! labels, currency names) come from the language packs in
//! `endpoint/i18n/*.json`, built in; plural forms are chosen by CLDR's
//! rules ([`intl_pluralrules`]).

use intl_pluralrules::{PluralCategory, PluralRuleType, PluralRules};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The language an answer is in: a tag the program has (lower case), and
/// the program's default language for texts that lack it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Language {
    /// The negotiated tag (`de`, `pt-br`).
    pub tag: String,
    /// The program's default language.
    pub default: String,
}

impl Language {
    /// `tag` with `default` behind it.
    pub fn new(tag: &str, default: &str) -> Language {
        Language {
            tag: tag.to_ascii_lowercase(),
            default: default.to_ascii_lowercase(),
        }
    }
}

/// Whether `tag` is a language tag this backend reads: 2 or 3 letters,
/// then subtags of 1 to 8 letters or digits, at most 35 characters.
pub fn well_formed(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    tag.len() <= 35
        && (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The tags to try for `tag`, most specific first: `pt-BR` gives `pt-br`,
/// `pt`; the Norwegian tags end in `nb` (Bokmål, what shops write).
pub fn chain(tag: &str) -> Vec<String> {
    let tag = tag.trim().replace('_', "-").to_ascii_lowercase();
    let mut tags = Vec::new();
    let mut current = tag.as_str();
    loop {
        if !current.is_empty() {
            tags.push(current.to_owned());
        }
        match current.rfind('-') {
            Some(at) => current = &current[..at],
            None => break,
        }
    }
    if matches!(tags.last().map(String::as_str), Some("no" | "nn")) {
        tags.push("nb".into());
    }
    if tags.last().map(String::as_str) == Some("nb") && !tags.iter().any(|t| t == "no") {
        tags.push("no".into());
    }
    tags
}

/// The language to answer in: the first of `requested`'s chain that
/// `available` has, else `default`.
pub fn negotiate(requested: Option<&str>, available: &[String], default: &str) -> Language {
    let found = requested
        .into_iter()
        .flat_map(chain)
        .find(|tag| available.iter().any(|have| have.eq_ignore_ascii_case(tag)));
    Language::new(found.as_deref().unwrap_or(default), default)
}

/// A text with plural forms, or one form.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Phrase {
    One(String),
    Plural(BTreeMap<String, String>),
}

#[derive(Debug, Deserialize)]
struct Pack {
    texts: BTreeMap<String, Phrase>,
}

/// The built-in packs, by language.
const PACKS: &[(&str, &str)] = &[
    ("ar", include_str!("../../i18n/ar.json")),
    ("cs", include_str!("../../i18n/cs.json")),
    ("da", include_str!("../../i18n/da.json")),
    ("de", include_str!("../../i18n/de.json")),
    ("en", include_str!("../../i18n/en.json")),
    ("es", include_str!("../../i18n/es.json")),
    ("fi", include_str!("../../i18n/fi.json")),
    ("fr", include_str!("../../i18n/fr.json")),
    ("he", include_str!("../../i18n/he.json")),
    ("it", include_str!("../../i18n/it.json")),
    ("nb", include_str!("../../i18n/nb.json")),
    ("nl", include_str!("../../i18n/nl.json")),
    ("pl", include_str!("../../i18n/pl.json")),
    ("pt", include_str!("../../i18n/pt.json")),
    ("sv", include_str!("../../i18n/sv.json")),
];

fn packs() -> &'static BTreeMap<&'static str, Pack> {
    static PARSED: OnceLock<BTreeMap<&'static str, Pack>> = OnceLock::new();
    PARSED.get_or_init(|| {
        PACKS
            .iter()
            .filter_map(|(lang, text)| Some((*lang, serde_json::from_str(text).ok()?)))
            .collect()
    })
}

/// The languages the backend has words in.
pub fn packed() -> Vec<&'static str> {
    PACKS.iter().map(|(lang, _)| *lang).collect()
}

/// The phrase `key` in `lang` (along its chain, then the default, then
/// English).
fn phrase(lang: &Language, key: &str) -> Option<&'static Phrase> {
    let packs = packs();
    chain(&lang.tag)
        .into_iter()
        .chain(chain(&lang.default))
        .chain(["en".to_owned()])
        .find_map(|tag| packs.get(tag.as_str()).and_then(|pack| pack.texts.get(key)))
}

/// Fills `{name}` placeholders.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut text = template.to_owned();
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// The backend's word `key` in `lang`, its placeholders filled.
pub fn say(lang: &Language, key: &str, values: &[(&str, &str)]) -> String {
    match phrase(lang, key) {
        Some(Phrase::One(text)) => fill(text, values),
        Some(Phrase::Plural(forms)) => fill(forms.get("other").map_or("", String::as_str), values),
        None => key.to_owned(),
    }
}

/// The plural rules of a language (along its chain, then English), made
/// once per tag: they are read on every answer that counts something.
fn rules_for(tag: &str) -> Option<std::sync::Arc<PluralRules>> {
    type Made = std::collections::HashMap<String, Option<std::sync::Arc<PluralRules>>>;
    static MADE: OnceLock<std::sync::Mutex<Made>> = OnceLock::new();
    let made = MADE.get_or_init(Default::default);
    if let Some(rules) = made.lock().ok()?.get(tag) {
        return rules.clone();
    }
    let rules = chain(tag)
        .into_iter()
        .chain(["en".to_owned()])
        .find_map(|tag| {
            let id: unic_langid::LanguageIdentifier = tag.parse().ok()?;
            PluralRules::create(id, PluralRuleType::CARDINAL).ok()
        })
        .map(std::sync::Arc::new);
    if let Ok(mut made) = made.lock() {
        made.insert(tag.to_owned(), rules.clone());
    }
    rules
}

/// The CLDR plural category of `number` (as written, `1.5`) in `lang`.
fn category(lang: &Language, number: &str) -> &'static str {
    let Some(rules) = rules_for(&lang.tag) else {
        return "other";
    };
    match rules.select(number) {
        Ok(PluralCategory::ZERO) => "zero",
        Ok(PluralCategory::ONE) => "one",
        Ok(PluralCategory::TWO) => "two",
        Ok(PluralCategory::FEW) => "few",
        Ok(PluralCategory::MANY) => "many",
        _ => "other",
    }
}

/// A number as `lang` writes it: a decimal comma where the language uses
/// one (`1,5`), no grouping (the backend's figures are small).
pub fn number(lang: &Language, value: &str) -> String {
    let primary = lang.tag.split('-').next().unwrap_or_default();
    if matches!(primary, "en" | "he" | "ar" | "ja" | "zh" | "ko") {
        value.to_owned()
    } else {
        value.replace('.', ",")
    }
}

/// The counted phrase `key` (`points`) for `count` (`"1.5"`, `"200"`), in
/// the plural form `lang` needs, with `{n}` the number as it writes it.
pub fn count(lang: &Language, key: &str, count: &str) -> String {
    let shown = number(lang, count);
    match phrase(lang, key) {
        Some(Phrase::Plural(forms)) => {
            let form = forms
                .get(category(lang, count))
                .or_else(|| forms.get("other"))
                .map_or("", String::as_str);
            fill(form, &[("n", &shown)])
        }
        Some(Phrase::One(text)) => fill(text, &[("n", &shown)]),
        None => shown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(tag: &str) -> Language {
        Language::new(tag, "en")
    }

    #[test]
    fn tags_fall_back_one_subtag_at_a_time() {
        assert_eq!(chain("pt-BR"), ["pt-br", "pt"]);
        assert_eq!(chain("zh-Hant-TW"), ["zh-hant-tw", "zh-hant", "zh"]);
        assert_eq!(chain("no"), ["no", "nb"]);
        assert_eq!(chain("nn-NO"), ["nn-no", "nn", "nb", "no"]);
        assert_eq!(chain("nb"), ["nb", "no"]);
        let have: Vec<String> = ["de", "en", "fr", "nb", "pt"].map(String::from).to_vec();
        assert_eq!(negotiate(Some("fr-CH"), &have, "en").tag, "fr");
        assert_eq!(negotiate(Some("pt-BR"), &have, "en").tag, "pt");
        assert_eq!(negotiate(Some("no"), &have, "en").tag, "nb");
        assert_eq!(negotiate(Some("ja"), &have, "de").tag, "de");
        assert_eq!(negotiate(None, &have, "de").tag, "de");
        assert!(well_formed("de-AT") && well_formed("zh-Hant-TW"));
        assert!(!well_formed("de_AT") && !well_formed("") && !well_formed("d"));
    }

    #[test]
    fn every_pack_parses_and_has_the_english_keys() {
        let english = &packs()["en"].texts;
        assert_eq!(packs().len(), PACKS.len(), "every pack parses");
        for (lang, pack) in packs() {
            for key in english.keys() {
                assert!(pack.texts.contains_key(key), "{lang} lacks {key}");
            }
        }
    }

    #[test]
    fn counts_take_the_language_s_plural_form() {
        assert_eq!(count(&lang("en"), "points", "1"), "1 point");
        assert_eq!(count(&lang("en"), "points", "200"), "200 points");
        assert_eq!(count(&lang("de"), "points", "1.5"), "1,5 Punkte");
        assert_eq!(count(&lang("fr"), "points", "1.5"), "1,5 point");
        assert_eq!(count(&lang("pl"), "points", "2"), "2 punkty");
        assert_eq!(count(&lang("pl"), "points", "5"), "5 punktów");
        assert_eq!(count(&lang("pl"), "points", "22"), "22 punkty");
        assert_eq!(count(&lang("cs"), "points", "3"), "3 body");
        assert_eq!(
            say(&lang("fr-CA"), "label-welcome", &[]),
            say(&lang("fr"), "label-welcome", &[])
        );
        assert_eq!(
            say(&lang("xx"), "label-welcome", &[]),
            "Welcome to the club"
        );
    }
}
