//! Properties over hostile input: whatever a shop page or an endpoint sends,
//! parsing never panics, never yields an absurd figure, and never turns a
//! non-http(s) URL into a link.

use loyalty_core::config::Config;
use loyalty_core::contract::{decode, Offers, Program, Summary, MAX_POINTS};
use loyalty_core::i18n::fill;
use loyalty_core::json;
use loyalty_core::url::{check_endpoint, safe_link};
use proptest::prelude::*;

/// Arbitrary JSON values, nested a few levels deep.
fn json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        any::<u64>().prop_map(|n| serde_json::json!(n)),
        any::<f64>().prop_map(|n| serde_json::json!(n)),
        ".{0,40}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("points".to_owned()),
                    Just("approved".to_owned()),
                    Just("state".to_owned()),
                    Just("tier".to_owned()),
                    Just("name".to_owned()),
                    Just("currency".to_owned()),
                    Just("offers".to_owned()),
                    "[a-z_]{1,12}",
                ],
                inner,
                0..6
            )
            .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn decoding_any_text_never_panics(body in ".{0,200}") {
        let _ = decode::<Summary>(&body);
        let _ = decode::<Program>(&body);
        let _ = decode::<Offers>(&body);
    }

    /// The widget's own JSON reader accepts exactly the texts serde_json
    /// accepts, on valid JSON of any shape and on arbitrary text.
    #[test]
    fn the_json_reader_agrees_with_serde_json(value in json(), noise in "[\\[\\]{}\",:0-9a-z.eE+\\-\\\\ ]{0,40}") {
        let text = value.to_string();
        prop_assert!(json::is_json(&text), "{}", text);
        let pretty = serde_json::to_string_pretty(&value).unwrap_or_default();
        prop_assert!(json::is_json(&pretty), "{}", pretty);
        let theirs = serde_json::from_str::<serde_json::Value>(&noise).is_ok();
        prop_assert_eq!(json::is_json(&noise), theirs, "{}", noise);
    }

    /// Any string survives a trip through serde_json's writer and this reader,
    /// and through this writer and serde_json's reader.
    #[test]
    fn strings_round_trip_both_ways(text in any::<String>()) {
        let written = serde_json::to_string(&text).unwrap_or_default();
        prop_assert_eq!(json::Reader::parse(&written, json::Reader::string), Ok(text.clone()));
        let ours = json::object_of_strings(&[("k", &text)]);
        let back: serde_json::Value = serde_json::from_str(&ours).unwrap_or_default();
        prop_assert_eq!(back["k"].as_str(), Some(text.as_str()));
    }

    #[test]
    fn decoded_summaries_never_carry_absurd_points(value in json()) {
        if let Ok(summary) = decode::<Summary>(&value.to_string()) {
            let points = &summary.points;
            for figure in [points.approved, points.pending, points.spent, points.lifetime] {
                prop_assert!(figure <= MAX_POINTS);
            }
        }
    }

    #[test]
    fn config_from_any_attributes_never_panics(
        endpoint in ".{0,60}",
        mode in ".{0,12}",
        theme in ".{0,12}",
        texts in ".{0,60}",
        link in ".{0,40}",
        lang in ".{0,8}",
    ) {
        let attr = |name: &str| match name {
            "endpoint" => Some(endpoint.clone()),
            "mode" => Some(mode.clone()),
            "theme" => Some(theme.clone()),
            "texts" => Some(texts.clone()),
            "join-url" | "signin-url" | "token-url" => Some(link.clone()),
            "lang" => Some(lang.clone()),
            _ => None,
        };
        if let Ok(config) = Config::from_attributes(attr, None) {
            // An accepted endpoint is always https, or http on loopback.
            let lower = config.endpoint.to_ascii_lowercase();
            prop_assert!(lower.starts_with("https://") || lower.starts_with("http://"));
        }
    }

    #[test]
    fn only_http_and_https_ever_become_links(raw in "[ \\t\\nA-Za-z:/&#;0-9.\\\\]{0,30}") {
        if let Some(link) = safe_link(&raw) {
            let lower = link.to_ascii_lowercase();
            prop_assert!(lower.starts_with("http:") || lower.starts_with("https:"), "{link:?}");
        }
        if let Ok(endpoint) = check_endpoint(&raw) {
            prop_assert!(endpoint.to_ascii_lowercase().starts_with("http"));
        }
    }

    #[test]
    fn script_schemes_never_become_links(
        prefix in "[ \\t\\n\\u{1}]{0,3}",
        scheme in prop::sample::select(vec!["javascript", "data", "vbscript", "file"]),
        noise in "[\\t\\n]{0,2}",
        rest in ".{0,20}",
    ) {
        // Case mixing and tabs or newlines inside the scheme, as in `java\tscript:`.
        let mixed: String = scheme
            .chars()
            .enumerate()
            .map(|(i, c)| if i % 2 == 0 { c.to_ascii_uppercase() } else { c })
            .collect();
        let (head, tail) = mixed.split_at(mixed.len() / 2);
        let raw = format!("{prefix}{head}{noise}{tail}:{rest}");
        prop_assert!(safe_link(&raw).is_none(), "{raw:?}");
    }

    #[test]
    fn filling_templates_never_panics(template in ".{0,60}", value in ".{0,20}") {
        let filled = fill(&template, &[("n", &value)]);
        if !template.contains('{') {
            prop_assert_eq!(filled, template);
        }
    }
}
