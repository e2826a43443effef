//! The language packs (`src/i18n/<lang>.json`) as the widget reads them:
//! English built in equals en.json, and every pack reads without a warning.
//! (`e2e/i18n-packs.mjs` checks keys, placeholders and plural categories
//! against the browser's `Intl`.)

use loyalty_core::i18n::{read_texts, Catalog, Key, Lang, Pack, Plural};

fn pack(lang: Lang) -> Pack {
    let path = format!(
        "{}/../../src/i18n/{}.json",
        env!("CARGO_MANIFEST_DIR"),
        lang.tag()
    );
    let raw = std::fs::read_to_string(&path).expect("pack");
    serde_json::from_str(&raw).expect("pack json")
}

fn catalog(pack: &Pack) -> Catalog {
    let (mut texts, mut warnings) = (Vec::new(), Vec::new());
    read_texts(&pack.texts, None, &mut texts, &mut warnings);
    assert!(warnings.is_empty(), "{}: {warnings:?}", pack.lang);
    Catalog {
        overrides: Vec::new(),
        pack: texts,
    }
}

#[test]
fn english_built_in_is_en_json() {
    let en = catalog(&pack(Lang::En));
    assert_eq!(
        en.pack.len(),
        Key::ALL.len() + 2,
        "two plural families of two forms"
    );
    for key in Key::ALL {
        for form in [Plural::One, Plural::Other] {
            let from_pack = en
                .pack
                .iter()
                .find(|t| t.key == *key && (t.form.is_none() || t.form == Some(form)));
            assert_eq!(
                from_pack.map(|t| t.template.as_str()),
                Some(key.english(Some(form))),
                "{key:?}"
            );
        }
    }
}

#[test]
fn every_pack_reads_and_names_its_language() {
    for lang in Lang::ALL {
        let pack = pack(*lang);
        assert_eq!(pack.lang, lang.tag());
        let catalog = catalog(&pack);
        for key in Key::ALL {
            assert!(
                catalog.pack.iter().any(|t| t.key == *key),
                "{}: {key:?}",
                pack.lang
            );
        }
    }
}
