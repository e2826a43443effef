//! The language packs (`src/i18n/<lang>.json`) as the widget reads them:
//! English built in equals en.json, and every pack reads without a warning.
//! (`e2e/i18n-packs.test.mjs` checks keys, placeholders and plural categories
//! against the browser's `Intl`.)

use loyalty_core::i18n::{read_texts, slots, Built, Catalog, Key, Lang, Pack, Plural};

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

/// The build's packs (scripts/pack-texts.mjs, read by position) give the
/// same texts as the packs by name: the build's slot order is the Rust one.
#[test]
fn every_built_pack_reads_as_its_source() {
    let root = format!("{}/../..", env!("CARGO_MANIFEST_DIR"));
    for lang in Lang::ALL {
        let source = format!("{root}/src/i18n/{}.json", lang.tag());
        let output = std::process::Command::new("node")
            .args([
                &format!("{root}/scripts/pack-texts.mjs"),
                "--built",
                &source,
            ])
            .output()
            .expect("node runs scripts/pack-texts.mjs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let items: Vec<String> = serde_json::from_slice(&output.stdout).expect("a JSON array");
        assert_eq!(items.len(), 1 + slots().count(), "{}", lang.tag());
        let built = Built::from_items(items.into_iter().map(Some)).expect("a built pack");
        assert_eq!(built.lang, lang.tag());
        let by_name = catalog(&pack(*lang));
        let by_position = Catalog {
            overrides: Vec::new(),
            pack: built.texts,
        };
        let forms = [
            None,
            Some(Plural::Zero),
            Some(Plural::One),
            Some(Plural::Two),
        ];
        let forms = forms
            .into_iter()
            .chain([Plural::Few, Plural::Many, Plural::Other].map(Some));
        for form in forms {
            for key in Key::ALL {
                assert_eq!(
                    by_position.get(*key, form),
                    by_name.get(*key, form),
                    "{}: {key:?} {form:?}",
                    lang.tag()
                );
            }
        }
    }
}
