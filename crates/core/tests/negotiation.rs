//! The language negotiation table (`negotiation.json`), which the loader's
//! JavaScript twin (`loader/negotiate.js`) is tested against too
//! (`e2e/i18n-packs.test.mjs`): attribute, then page, then browser, each along
//! its fallback chain.

use loyalty_core::i18n::{negotiate, Lang};
use serde::Deserialize;

#[derive(Deserialize)]
struct Table {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    attribute: Option<String>,
    page: Option<String>,
    browser: Vec<String>,
    lang: String,
    locale: String,
    unavailable: Option<String>,
}

#[test]
fn the_negotiation_table() {
    let table: Table =
        serde_json::from_str(include_str!("negotiation.json")).expect("negotiation.json");
    assert!(table.cases.len() >= 20);
    for case in &table.cases {
        let found = negotiate(
            case.attribute.as_deref(),
            case.page.as_deref(),
            &case.browser,
        );
        let label = format!("{:?} {:?} {:?}", case.attribute, case.page, case.browser);
        assert_eq!(found.lang.tag(), case.lang, "lang of {label}");
        assert_eq!(found.locale, case.locale, "locale of {label}");
        assert_eq!(
            found.unavailable, case.unavailable,
            "unavailable of {label}"
        );
    }
}

#[test]
fn every_language_has_a_pack_and_every_pack_a_language() {
    let mut packs: Vec<String> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../src/i18n"))
            .expect("src/i18n")
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter_map(|name| name.strip_suffix(".json").map(str::to_owned))
            .collect();
    packs.sort();
    let mut langs: Vec<String> = Lang::ALL.iter().map(|lang| lang.tag().to_owned()).collect();
    langs.sort();
    assert_eq!(packs, langs);
}
