//! The shop owner's configuration.
//!
//! However a shop embeds the widget (the `<loyalty-widget>` element's
//! attributes, the script tag's `data-` attributes or `LoyaltyWidget.init({..})`
//! options, which the loader writes as attributes), the browser edge hands
//! them over as one JS object, deserialized with `serde_wasm_bindgen` into
//! [`Options`]; the `texts` overrides arrive already parsed by the browser's
//! `JSON.parse`. This module decides defaults and gives one precise message
//! per mistake.

use crate::i18n::{self, Lang, Node, Text};
use crate::lenient::Lenient;
use crate::url::{self, UrlError};
use serde::Deserialize;
use std::collections::BTreeMap;
use thiserror::Error;

/// How the widget sits on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// In the page flow where the element stands (e.g. the account page).
    #[default]
    Inline,
    /// A floating button that opens a panel.
    Launcher,
}

impl Mode {
    /// The attribute value and CSS modifier for this mode.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Inline => "inline",
            Mode::Launcher => "launcher",
        }
    }
}

/// Colour scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    /// Follow the visitor's `prefers-color-scheme`.
    #[default]
    Auto,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl Theme {
    /// The attribute value and CSS modifier for this theme.
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// A configuration mistake, worded for the shop owner reading the console.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConfigError {
    /// The options could not be read at all.
    #[error("the options could not be read: {0}")]
    Unreadable(String),
    /// No endpoint attribute at all.
    #[error("\"endpoint\" is required (the URL of your loyalty endpoint)")]
    MissingEndpoint,
    /// The endpoint attribute is not a usable URL.
    #[error("\"endpoint\" {0}: {1:?}")]
    BadEndpoint(UrlError, String),
    /// An unknown `mode` value.
    #[error("\"mode\" must be \"inline\" or \"launcher\", not {0:?}")]
    UnknownMode(String),
    /// An unknown `theme` value.
    #[error("\"theme\" must be \"auto\", \"light\" or \"dark\", not {0:?}")]
    UnknownTheme(String),
    /// A token URL that is neither a same-site path nor http(s).
    #[error("\"token-url\" must be a path on the shop (\"/...\") or an https URL, not {0:?}")]
    BadTokenUrl(String),
    /// A join or sign-in link that is not http(s).
    #[error("\"{0}\" must be an http(s) URL, not {1:?}")]
    BadLink(&'static str, String),
}

/// A validated configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Base URL of the loyalty endpoint, https (or http on loopback), no
    /// trailing slash.
    pub endpoint: String,
    /// Customer token minted by the shop's server; `None` means guest
    /// (unless `token_url` provides one).
    pub token: Option<String>,
    /// Where to fetch a fresh token (`{"token": "..."}`) when the current one
    /// is missing, expired or refused: a path on the shop or an https URL.
    pub token_url: Option<String>,
    /// Interface language.
    pub lang: Lang,
    /// The locale numbers, money and dates are formatted in (`de-CH`).
    pub locale: String,
    /// Placement.
    pub mode: Mode,
    /// Colour scheme.
    pub theme: Theme,
    /// Where guests join the program (a shop page).
    pub join_url: Option<String>,
    /// Where guests sign in (a shop page).
    pub signin_url: Option<String>,
    /// The referral code a guest arrived with (`referral-code`, or `?ref=`
    /// in the page's address), checked by [`referral_code`].
    pub referral_code: Option<String>,
    /// The shop owner's own wording for texts (from the `texts` attribute),
    /// this language's own first.
    pub texts: Vec<Text>,
    /// Problems that did not stop the widget (e.g. an unknown text name),
    /// for the console.
    pub warnings: Vec<String>,
}

/// Longest text override accepted, in characters.
pub const MAX_OVERRIDE: usize = 500;

/// The embed's options as the browser hands them over: every attribute of
/// the element by its name. Anything else the element carries (`class`,
/// `id`, the shop's own `data-` attributes) is ignored.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Options {
    /// `endpoint`: the loyalty endpoint's base URL (required).
    pub endpoint: Option<String>,
    /// The customer token (lent by the loader, never an attribute left on
    /// the page).
    pub token: Option<String>,
    /// `token-url`: where a fresh token comes from.
    pub token_url: Option<String>,
    /// `lang`: a BCP 47 tag (`fr`, `de-AT`, `pt-BR`); see [`i18n::negotiate`].
    pub lang: Option<String>,
    /// `mode`: `inline` or `launcher`.
    pub mode: Option<String>,
    /// `theme`: `auto`, `light` or `dark`.
    pub theme: Option<String>,
    /// `join-url`: where guests join.
    pub join_url: Option<String>,
    /// `signin-url`: where guests sign in.
    pub signin_url: Option<String>,
    /// `referral-code`: the code of the referral link a guest came through
    /// (the browser edge fills it from `?ref=` when the attribute is absent).
    pub referral_code: Option<String>,
    /// `texts`: the shop's own wording, parsed by the browser.
    pub texts: Option<Texts>,
}

/// The `texts` option: a JSON object of text names (see
/// [`Key::as_str`](crate::i18n::Key::as_str)) to strings (plural families:
/// objects of CLDR forms), and of language tags to such objects; or
/// whatever else a shop wrote there (which only warns).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Texts {
    /// An object, each value kept when it is a text, forms or a language's texts.
    Object(BTreeMap<String, Lenient<Node>>),
    /// Anything else: text that is not JSON, a list, a number.
    Unusable(serde::de::IgnoredAny),
}

/// Reads the `texts` overrides for `lang`. Whatever cannot be used becomes a
/// warning.
pub fn parse_texts(texts: &Texts, lang: Lang) -> (Vec<Text>, Vec<String>) {
    let Texts::Object(entries) = texts else {
        return (
            Vec::new(),
            vec!["\"texts\" must be a JSON object of text names to strings; ignored".to_owned()],
        );
    };
    let mut found = Vec::new();
    let mut warnings = Vec::new();
    i18n::read_texts(entries, Some(lang), &mut found, &mut warnings);
    (found, warnings)
}

impl Config {
    /// Builds a configuration from the embed's options. `page_lang` is the
    /// host page's `lang`, used when no `lang` option is given, and
    /// `browser_langs` the browser's `navigator.languages`, used when neither
    /// is (see [`i18n::negotiate`]). Blank values count as absent.
    pub fn from_options(
        options: &Options,
        page_lang: Option<&str>,
        browser_langs: &[String],
    ) -> Result<Config, ConfigError> {
        let present =
            |value: &Option<String>| value.clone().filter(|value| !value.trim().is_empty());
        let endpoint = present(&options.endpoint).ok_or(ConfigError::MissingEndpoint)?;
        let endpoint = url::check_endpoint(&endpoint)
            .map_err(|err| ConfigError::BadEndpoint(err, endpoint.clone()))?;
        let mode = match present(&options.mode).as_deref().map(str::trim) {
            None => Mode::default(),
            Some(value) if value.eq_ignore_ascii_case("inline") => Mode::Inline,
            Some(value) if value.eq_ignore_ascii_case("launcher") => Mode::Launcher,
            Some(other) => return Err(ConfigError::UnknownMode(other.to_owned())),
        };
        let theme = match present(&options.theme).as_deref().map(str::trim) {
            None => Theme::default(),
            Some(value) if value.eq_ignore_ascii_case("auto") => Theme::Auto,
            Some(value) if value.eq_ignore_ascii_case("light") => Theme::Light,
            Some(value) if value.eq_ignore_ascii_case("dark") => Theme::Dark,
            Some(other) => return Err(ConfigError::UnknownTheme(other.to_owned())),
        };
        let link =
            |name: &'static str, value: &Option<String>| -> Result<Option<String>, ConfigError> {
                present(value)
                    .map(|raw| {
                        same_site_path(&raw)
                            .or_else(|| url::safe_link(&raw))
                            .ok_or(ConfigError::BadLink(name, raw))
                    })
                    .transpose()
            };
        let negotiated = i18n::negotiate(options.lang.as_deref(), page_lang, browser_langs);
        let (lang, locale) = (negotiated.lang, negotiated.locale);
        let token_url = present(&options.token_url)
            .map(|raw| check_token_url(&raw).ok_or(ConfigError::BadTokenUrl(raw)))
            .transpose()?;
        let (texts, mut warnings) = options
            .texts
            .as_ref()
            .map(|texts| parse_texts(texts, lang))
            .unwrap_or_default();
        if let Some(tag) = negotiated.unavailable {
            warnings.insert(
                0,
                format!("no language pack for \"{tag}\"; using \"{}\"", lang.tag()),
            );
        }
        let referral = present(&options.referral_code);
        let checked_referral = referral.as_deref().and_then(referral_code);
        if let (Some(raw), None) = (&referral, &checked_referral) {
            warnings.push(format!(
                "\"referral-code\" {raw:?} is not a referral code (1 to 64 letters, digits, - or _); ignored"
            ));
        }
        Ok(Config {
            locale,
            texts,
            warnings,
            endpoint,
            token: present(&options.token).map(|token| token.trim().to_owned()),
            token_url,
            lang,
            mode,
            theme,
            join_url: link("join-url", &options.join_url)?,
            signin_url: link("signin-url", &options.signin_url)?,
            referral_code: checked_referral,
        })
    }
}

/// A referral code as links carry it: 1 to 64 ASCII letters, digits, `-`
/// or `_` (nothing that needs escaping in a URL or could be markup).
pub fn referral_code(raw: &str) -> Option<String> {
    let code = raw.trim();
    let plain = !code.is_empty()
        && code.len() <= 64
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    plain.then(|| code.to_owned())
}

/// The query parameters a referral code arrives in, first found wins: the
/// widget's own `ref`, then the ones other loyalty apps' links land on the
/// shop with, so a customer's old link keeps working after a switch (the
/// importer makes the old codes aliases): Rivo's `referral_code`
/// (`example.com/?referral_code=4DdQ6WlI95l5ZJ5n`) and LoyaltyLion's
/// `ll_ref_id` (`prz.io/a482k` redirects to `?ll_ref_id=a482k`).
pub const REFERRAL_PARAMS: [&str; 3] = ["ref", "referral_code", "ll_ref_id"];

/// The referral code of a page address's query (`?utm=x&ref=ANNA10`), in
/// the first of [`REFERRAL_PARAMS`] it has, if it is a referral code.
pub fn referral_from_query(search: &str) -> Option<String> {
    let search = search.trim_start_matches('?');
    REFERRAL_PARAMS.iter().find_map(|name| {
        search
            .split('&')
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
            .and_then(referral_code)
    })
}

/// The referral code in a whole referral link, as the loyalty apps write
/// them: in the query ([`referral_from_query`]), or else the link's last
/// path segment, less Yotpo's `ref_` (`rwrd.io/ref_CODE33?e` is `CODE33`;
/// LoyaltyLion's `prz.io/a482k`, Smile's `i.refs.cc/...`). A bare code is
/// itself.
pub fn referral_from_link(link: &str) -> Option<String> {
    let link = link.trim();
    let link = link.split('#').next().unwrap_or_default();
    let (before, query) = link.split_once('?').unwrap_or((link, ""));
    if let Some(code) = referral_from_query(query) {
        return Some(code);
    }
    let rest = before.split_once("://").map_or(before, |(_, rest)| rest);
    let mut segments = rest.split('/');
    let host = segments.next().unwrap_or_default();
    match segments.rfind(|segment| !segment.is_empty()) {
        Some(last) => referral_code(last.strip_prefix("ref_").unwrap_or(last)),
        // A bare code (no host with a dot, no path).
        None if !host.contains('.') => referral_code(host),
        None => None,
    }
}

/// `link` with `name=value` added to its query, before any `#fragment`
/// (`value` must need no escaping: see [`referral_code`]).
pub fn with_query_param(link: &str, name: &str, value: &str) -> String {
    let (base, fragment) = match link.find('#') {
        Some(at) => link.split_at(at),
        None => (link, ""),
    };
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}{name}={value}{fragment}")
}

/// An absolute path on the shop itself (`/account`), not `//other-host` or a
/// backslash variant a browser would read as one.
fn same_site_path(raw: &str) -> Option<String> {
    let trimmed: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let is_path = trimmed.starts_with('/') && !trimmed.starts_with("//") && !trimmed.contains('\\');
    is_path.then_some(trimmed)
}

/// A token URL: a path on the shop, or a URL that passes the endpoint rules
/// (https, or http on loopback).
fn check_token_url(raw: &str) -> Option<String> {
    same_site_path(raw).or_else(|| url::check_endpoint(raw).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn referral_codes_come_from_the_attribute_or_the_pages_ref_parameter() {
        assert_eq!(referral_code(" ANNA10 ").as_deref(), Some("ANNA10"));
        for bad in ["", "a b", "<b>", "x".repeat(65).as_str(), "ANNA%31", "ä1"] {
            assert_eq!(referral_code(bad), None, "{bad:?}");
        }
        assert_eq!(
            referral_from_query("?utm=x&ref=ANNA10").as_deref(),
            Some("ANNA10")
        );
        assert_eq!(
            referral_from_query("?ref=ANNA10&x=1").as_deref(),
            Some("ANNA10")
        );
        assert_eq!(referral_from_query("?preference=1&xref=2"), None);
        assert_eq!(referral_from_query("?ref=%3Cb%3E"), None);
        assert_eq!(referral_from_query(""), None);
    }

    #[test]
    fn old_apps_referral_links_give_their_codes() {
        // Other apps' parameters, after the widget's own.
        assert_eq!(
            referral_from_query("?referral_code=4DdQ6WlI95l5ZJ5n").as_deref(),
            Some("4DdQ6WlI95l5ZJ5n")
        );
        assert_eq!(
            referral_from_query("?ll_ref_id=a482k&utm=x").as_deref(),
            Some("a482k")
        );
        assert_eq!(
            referral_from_query("?ll_ref_id=a482k&ref=ANNA10").as_deref(),
            Some("ANNA10")
        );
        for (link, code) in [
            (
                "https://example.com/?referral_code=4DdQ6WlI95l5ZJ5n",
                "4DdQ6WlI95l5ZJ5n",
            ),
            ("https://prz.io/a482k", "a482k"),
            ("https://store.example.com?ll_ref_id=a482k", "a482k"),
            ("rwrd.io/ref_CODE33?e", "CODE33"),
            ("https://i.refs.cc/Xy7Kp2Qa", "Xy7Kp2Qa"),
            ("https://shop.example/?ref=ANNA10#club", "ANNA10"),
            ("ANNA10", "ANNA10"),
        ] {
            assert_eq!(referral_from_link(link).as_deref(), Some(code), "{link}");
        }
        for link in [
            "https://shop.example/",
            "https://shop.example/<b>",
            "",
            "a b",
        ] {
            assert_eq!(referral_from_link(link), None, "{link}");
        }
    }

    #[test]
    fn the_code_is_handed_to_the_shops_sign_up_link() {
        assert_eq!(
            with_query_param("/account/register", "ref", "ANNA10"),
            "/account/register?ref=ANNA10"
        );
        assert_eq!(
            with_query_param("/register?lang=de#club", "ref", "ANNA10"),
            "/register?lang=de&ref=ANNA10#club"
        );
    }

    /// Attributes as the browser edge hands them over: every value a
    /// string, `texts` parsed as JSON where it is JSON.
    fn parse(pairs: &[(&str, &str)], page_lang: Option<&str>) -> Result<Config, ConfigError> {
        let object: serde_json::Map<String, serde_json::Value> = pairs
            .iter()
            .map(|(name, value)| {
                let value = match *name {
                    "texts" => serde_json::from_str(value)
                        .unwrap_or_else(|_| serde_json::Value::String(value.to_string())),
                    _ => serde_json::Value::String(value.to_string()),
                };
                (name.to_string(), value)
            })
            .collect();
        let options: Options =
            serde_json::from_value(serde_json::Value::Object(object)).expect("options decode");
        Config::from_options(&options, page_lang, &[])
    }

    #[test]
    fn minimal_config_gets_documented_defaults() {
        let config =
            parse(&[("endpoint", "https://loyalty.example/api/")], None).expect("valid config");
        assert_eq!(config.endpoint, "https://loyalty.example/api");
        assert_eq!(config.token, None);
        assert_eq!(config.lang, Lang::En);
        assert_eq!(config.mode, Mode::Inline);
        assert_eq!(config.theme, Theme::Auto);
    }

    #[test]
    fn missing_or_blank_endpoint_is_named_precisely() {
        assert_eq!(parse(&[], None), Err(ConfigError::MissingEndpoint));
        let err = parse(&[("endpoint", "  ")], None).expect_err("blank endpoint");
        assert_eq!(err, ConfigError::MissingEndpoint);
        assert_eq!(
            err.to_string(),
            "\"endpoint\" is required (the URL of your loyalty endpoint)"
        );
    }

    #[test]
    fn insecure_endpoint_message_names_the_value() {
        let err = parse(&[("endpoint", "http://loyalty.example")], None).expect_err("http");
        assert_eq!(
            err.to_string(),
            "\"endpoint\" must use https (plain http is allowed only for localhost): \"http://loyalty.example\""
        );
    }

    #[test]
    fn unknown_mode_and_theme_are_errors() {
        let base = ("endpoint", "https://x.example");
        assert_eq!(
            parse(&[base, ("mode", "popup")], None),
            Err(ConfigError::UnknownMode("popup".into()))
        );
        assert_eq!(
            parse(&[base, ("theme", "neon")], None),
            Err(ConfigError::UnknownTheme("neon".into()))
        );
        let config = parse(&[base, ("mode", "Launcher"), ("theme", "DARK")], None).expect("valid");
        assert_eq!((config.mode, config.theme), (Mode::Launcher, Theme::Dark));
    }

    #[test]
    fn language_comes_from_attribute_then_page() {
        let base = ("endpoint", "https://x.example");
        assert_eq!(parse(&[base], Some("de-DE")).map(|c| c.lang), Ok(Lang::De));
        assert_eq!(
            parse(&[base, ("lang", "en")], Some("de")).map(|c| c.lang),
            Ok(Lang::En)
        );
        assert_eq!(parse(&[base], Some("fr")).map(|c| c.lang), Ok(Lang::Fr));
        let unknown = parse(&[base], Some("ja")).expect("valid");
        assert_eq!(unknown.lang, Lang::En);
        assert_eq!(
            unknown.warnings,
            ["no language pack for \"ja\"; using \"en\""]
        );
        let swiss = parse(&[base, ("lang", "de-CH")], Some("en")).expect("valid");
        assert_eq!((swiss.lang, swiss.locale.as_str()), (Lang::De, "de-CH"));
        let page = parse(&[base], Some("en-GB")).expect("valid");
        assert_eq!((page.lang, page.locale.as_str()), (Lang::En, "en-GB"));
    }

    #[test]
    fn token_url_is_a_shop_path_or_https() {
        let base = ("endpoint", "https://x.example");
        let config = parse(&[base, ("token-url", "/apps/loyalty/token")], None).expect("ok");
        assert_eq!(config.token_url.as_deref(), Some("/apps/loyalty/token"));
        for bad in [
            "//evil.example/t",
            "javascript:alert(1)",
            "http://evil.example/t",
            "/\\evil",
        ] {
            assert!(
                matches!(
                    parse(&[base, ("token-url", bad)], None),
                    Err(ConfigError::BadTokenUrl(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn links_may_be_shop_paths_but_not_other_hosts() {
        let base = ("endpoint", "https://x.example");
        let config = parse(&[base, ("join-url", "/account/register#club")], None).expect("ok");
        assert_eq!(config.join_url.as_deref(), Some("/account/register#club"));
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "account",
        ] {
            assert!(
                parse(&[base, ("signin-url", bad)], None).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn text_overrides_apply_by_name_and_mistakes_only_warn() {
        use crate::i18n::{Key, Plural};
        let base = ("endpoint", "https://x.example");
        let raw =
            r#"{"title": "Bonusclub", "points-other": "{n} Bohnen", "titel": "x", "retry": 5}"#;
        let config = parse(&[base, ("texts", raw)], None).expect("still valid");
        assert_eq!(
            config.texts,
            // In name order: an object's keys are a set.
            vec![
                Text {
                    key: Key::Points,
                    form: Some(Plural::Other),
                    template: "{n} Bohnen".to_owned()
                },
                Text {
                    key: Key::Title,
                    form: None,
                    template: "Bonusclub".to_owned()
                }
            ]
        );
        assert_eq!(config.warnings.len(), 2, "{:?}", config.warnings);
        assert!(config.warnings.iter().any(|w| w.contains("\"titel\"")));
        let config = parse(&[base, ("texts", "not json")], None).expect("still valid");
        assert!(config.texts.is_empty());
        assert_eq!(config.warnings.len(), 1);
    }

    #[test]
    fn script_links_are_refused() {
        let err = parse(
            &[
                ("endpoint", "https://x.example"),
                ("join-url", "java\tscript:alert(1)"),
            ],
            None,
        )
        .expect_err("script link");
        assert!(matches!(err, ConfigError::BadLink("join-url", _)));
    }
}
