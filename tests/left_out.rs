//! Issue #32 in the browser's own decoder: what `Response.json()` parsed,
//! read with serde_wasm_bindgen (not serde_json, as the native tests do).
//! A bad optional part leaves that part out and the rest is kept; a bad core
//! value still refuses the answer; every count is grouped by `Intl` in the
//! locale, whatever its size. No endpoint needed.
#![cfg(target_arch = "wasm32")]

use loyalty_widget::core::contract::{Offers, Redemption, Summary};
use loyalty_widget::edge::client::from_js;
use loyalty_widget::edge::intl;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ANNA: &str = r#"{"state": "member", "first_name": "Anna",
    "points": {"approved": 1250, "pending": 120, "spent": 300, "lifetime": 1670,
               "expiring": [{"points": 200, "at": "2026-12-31"}, {"points": 50, "at": "2027-01-31"}]},
    "points_value": {"amount_minor": 1250, "currency": "EUR"},
    "tier": {"id": "silver", "name": "Silber", "value": 1670, "next_tier_id": "gold", "needed_for_upgrade": 830},
    "referral": {"url": "https://shop.example/?ref=ANNA10", "code": "ANNA10", "friends_joined": 4294967295},
    "club": {"member": true, "joined_at": "2026-03-01"}}"#;

fn parsed(json: &str) -> JsValue {
    js_sys::JSON::parse(json).expect("test JSON")
}

#[wasm_bindgen_test]
fn every_bad_expiring_date_leaves_only_its_entry_out() {
    for bad in [
        r#""31.12.2026""#,
        r#""2026/12/31""#,
        r#""Dec 31""#,
        r#""2026-02-30""#,
        r#""0""#,
        "0",
        "null",
        "[2026, 12, 31]",
    ] {
        let body = ANNA.replacen(r#""2026-12-31""#, bad, 1);
        let summary: Summary = from_js(parsed(&body), "/customer")
            .unwrap_or_else(|err| panic!("{bad}: refused whole ({err})"));
        assert_eq!(summary.points.approved, 1250, "{bad}");
        assert_eq!(summary.points.expiring.len(), 1, "{bad}");
        assert_eq!(summary.points.expiring[0].at, "2027-01-31", "{bad}");
        assert_eq!(summary.first_name.as_deref(), Some("Anna"), "{bad}");
        assert!(
            summary.tier.is_some() && summary.referral.is_some(),
            "{bad}"
        );
    }
}

#[wasm_bindgen_test]
fn bad_blocks_links_and_entries_are_left_out_alone() {
    let edits: [(&str, &str); 5] = [
        (
            r#""https://shop.example/?ref=ANNA10""#,
            r#""javascript:alert(1)""#,
        ),
        (
            r#"{"url": "https://shop.example/?ref=ANNA10", "code": "ANNA10", "friends_joined": 4294967295}"#,
            r#""ANNA10""#,
        ),
        (r#"{"points": 50, "at": "2027-01-31"}"#, "7"),
        (r#""name": "Silber""#, r#""name": 5"#),
        (
            r#""joined_at": "2026-03-01""#,
            r#""joined_at": "01.03.2026""#,
        ),
    ];
    for (good, bad) in edits {
        let body = ANNA.replacen(good, bad, 1);
        let summary: Summary = from_js(parsed(&body), "/customer")
            .unwrap_or_else(|err| panic!("{bad}: refused whole ({err})"));
        assert_eq!(summary.points.approved, 1250, "{bad}");
        let url = summary.referral.as_ref().and_then(|r| r.url.as_deref());
        match bad {
            r#""javascript:alert(1)""# => {
                assert_eq!(url, None);
                assert_eq!(summary.referral.map(|r| r.code).as_deref(), Some("ANNA10"));
            }
            r#""ANNA10""# => assert_eq!(summary.referral, None),
            "7" => assert_eq!(summary.points.expiring.len(), 1),
            r#""name": 5"# => assert_eq!(summary.tier, None),
            _ => assert_eq!(summary.club.joined_at, None),
        }
    }
    let offers = r#"{"offers": [{"id": "o1", "title": "A", "ends_at": "Dec 31", "cta_url": "javascript:x"},
                                {"id": "o2"}]}"#;
    let offers: Offers = from_js(parsed(offers), "/offers").expect("shown");
    assert_eq!(offers.offers.len(), 1);
    assert_eq!(offers.offers[0].ends_at, None);
    assert_eq!(offers.offers[0].cta_url, None);
}

#[wasm_bindgen_test]
fn a_bad_core_value_still_refuses_the_answer() {
    for (good, bad) in [
        (r#""approved": 1250"#, r#""approved": "1250""#),
        (r#""state": "member""#, r#""state": 5"#),
        (r#""member": true"#, r#""member": "yes""#),
    ] {
        let body = ANNA.replacen(good, bad, 1);
        assert!(
            from_js::<Summary>(parsed(&body), "/customer").is_err(),
            "{bad}"
        );
    }
    let active_without_code = r#"{"id": "x", "reward_id": "r", "points_spent": 5, "state": "active",
        "coupon": {"expires_at": "2027-01-01"}, "points": {"approved": 5}}"#;
    assert!(from_js::<Redemption>(parsed(active_without_code), "/redemptions").is_err());
}

#[wasm_bindgen_test]
fn counts_are_grouped_in_the_locale_whatever_their_size() {
    for (locale, shown) in [
        ("en", "4,294,967,295"),
        ("de", "4.294.967.295"),
        ("pl", "4\u{a0}294\u{a0}967\u{a0}295"),
    ] {
        assert_eq!(intl::number(locale, 4_294_967_295), shown, "{locale}");
    }
    // Beyond 2^53 no digit is lost (the contract caps figures at 10^12; the
    // formatter would not round even without the cap).
    assert_eq!(
        intl::number("en", 9_007_199_254_740_993),
        "9,007,199,254,740,993"
    );
    assert_eq!(intl::number("en", u64::MAX), "18,446,744,073,709,551,615");
}
