//! Properties over hostile input: whatever a shop page or an endpoint sends,
//! parsing never panics, never yields an absurd figure, and never turns a
//! non-http(s) URL into a link.

use loyalty_core::config::{Config, Options, Texts};
use loyalty_core::contract::*;
use loyalty_core::i18n::fill;
use loyalty_core::url::{check_endpoint, safe_link};
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt::Debug;

/// The native harness of the widget's data path: serde_json drives the same
/// `Deserialize` impls the widget drives with serde_wasm_bindgen, then the
/// plausibility checks.
fn decode<T: DeserializeOwned + Checked>(body: &str) -> Result<T, DecodeError> {
    accept(serde_json::from_str::<serde_json::Value>(body).and_then(serde_json::from_value))
}

/// A value survives serializing (as the endpoint does) and decoding (as the
/// widget does) unchanged.
fn round_trips<T: Serialize + DeserializeOwned + Checked + PartialEq + Debug>(
    value: &T,
) -> Result<(), TestCaseError> {
    let text = serde_json::to_string(value).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let back = decode::<T>(&text);
    prop_assert_eq!(back.as_ref(), Ok(value), "{}", text);
    Ok(())
}

fn figure() -> impl Strategy<Value = u64> {
    prop_oneof![0..2_000u64, 0..=MAX_POINTS]
}

fn words() -> impl Strategy<Value = String> {
    "\\PC{0,24}"
}

fn opt_words() -> impl Strategy<Value = Option<String>> {
    prop::option::of(words())
}

/// A contract date: a calendar day or an RFC 3339 date-time.
fn date() -> impl Strategy<Value = String> {
    (
        1970u32..2100,
        1u32..=12,
        1u32..=28,
        0u32..24,
        0u32..60,
        any::<bool>(),
    )
        .prop_map(|(year, month, day, hour, minute, instant)| {
            if instant {
                format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:00+01:00")
            } else {
                format!("{year:04}-{month:02}-{day:02}")
            }
        })
}

fn opt_date() -> impl Strategy<Value = Option<String>> {
    prop::option::of(date())
}

/// A link the widget renders (http(s)); anything else is left out.
fn opt_link() -> impl Strategy<Value = Option<String>> {
    prop::option::of("https://shop\\.example/[a-z0-9/]{0,16}")
}

fn currency() -> impl Strategy<Value = String> {
    "[A-Z]{3}"
}

fn points() -> impl Strategy<Value = Points> {
    let expiring = (figure(), date()).prop_map(|(points, at)| Expiring { points, at });
    (
        figure(),
        figure(),
        figure(),
        figure(),
        prop::collection::vec(expiring, 0..3),
    )
        .prop_map(|(approved, pending, spent, lifetime, expiring)| Points {
            approved,
            pending,
            spent,
            lifetime,
            expiring,
        })
}

fn milestone() -> impl Strategy<Value = MilestoneKind> {
    prop::sample::select(vec![MilestoneKind::Points, MilestoneKind::Spend])
}

fn summary() -> impl Strategy<Value = Summary> {
    let state = prop::sample::select(vec![
        CustomerState::Guest,
        CustomerState::Member,
        CustomerState::Blocked,
        CustomerState::Other,
    ]);
    let money = (figure(), currency()).prop_map(|(amount_minor, currency)| Money {
        amount_minor,
        currency,
    });
    let tier = (
        words(),
        words(),
        milestone(),
        figure(),
        opt_words(),
        figure(),
    )
        .prop_map(
            |(id, name, kind, value, next_tier_id, needed_for_upgrade)| TierStatus {
                id,
                name,
                kind,
                value,
                next_tier_id,
                needed_for_upgrade,
            },
        );
    let referral =
        (opt_link(), words(), figure()).prop_map(|(url, code, friends_joined)| Referral {
            url,
            code,
            friends_joined,
        });
    let club =
        (any::<bool>(), opt_date()).prop_map(|(member, joined_at)| Club { member, joined_at });
    (
        state,
        opt_words(),
        points(),
        prop::option::of(money),
        prop::option::of(tier),
        prop::option::of(referral),
        club,
    )
        .prop_map(
            |(state, first_name, points, points_value, tier, referral, club)| Summary {
                state,
                first_name,
                points,
                points_value,
                tier,
                referral,
                club,
            },
        )
}

fn program() -> impl Strategy<Value = Program> {
    let tier = (
        words(),
        words(),
        milestone(),
        figure(),
        prop::collection::vec(words(), 0..3),
    )
        .prop_map(|(id, name, kind, threshold, perks)| Tier {
            id,
            name,
            kind,
            threshold,
            perks,
        });
    let earn_kind = prop::sample::select(vec![
        EarnKind::Order,
        EarnKind::Signup,
        EarnKind::Birthday,
        EarnKind::Referral,
        EarnKind::Custom,
    ]);
    let rule = (earn_kind, words(), words()).prop_map(|(kind, title, points_text)| EarningRule {
        kind,
        title,
        points_text,
    });
    let reward_kind = prop::sample::select(vec![
        RewardKind::DiscountCode,
        RewardKind::PercentageDiscountCode,
        RewardKind::FreeDeliveryCode,
        RewardKind::GiftCode,
        RewardKind::Custom,
    ]);
    let reward = (words(), reward_kind, words(), figure(), opt_words()).prop_map(
        |(id, kind, title, points_price, min_tier_id)| Reward {
            id,
            kind,
            title,
            points_price,
            min_tier_id,
        },
    );
    (
        words(),
        currency(),
        words(),
        prop::collection::vec(tier, 0..3),
        prop::collection::vec(rule, 0..3),
        prop::collection::vec(reward, 0..3),
        opt_words(),
    )
        .prop_map(
            |(name, currency, pitch, tiers, earning, rewards, referral_text)| Program {
                name,
                currency,
                pitch,
                tiers,
                earning,
                rewards,
                referral_text,
            },
        )
}

fn offers() -> impl Strategy<Value = Offers> {
    let lock = prop::option::of(prop::sample::select(vec![
        LockReason::MembersOnly,
        LockReason::TierTooLow,
        LockReason::Other,
    ]));
    let offer = (
        words(),
        words(),
        words(),
        opt_words(),
        opt_date(),
        opt_words(),
        opt_link(),
        lock,
    )
        .prop_map(
            |(id, title, description, min_tier_id, ends_at, code, cta_url, locked)| Offer {
                id,
                title,
                description,
                min_tier_id,
                ends_at,
                code,
                cta_url,
                locked,
            },
        );
    prop::collection::vec(offer, 0..4).prop_map(|offers| Offers { offers })
}

fn activity_page() -> impl Strategy<Value = ActivityPage> {
    let kind = prop::sample::select(vec![
        ActivityKind::Earned,
        ActivityKind::Spent,
        ActivityKind::Expired,
        ActivityKind::Other,
    ]);
    let state = prop::sample::select(vec![
        ActivityState::Pending,
        ActivityState::Approved,
        ActivityState::Void,
        ActivityState::Other,
    ]);
    let signed = -(MAX_POINTS as i64)..=(MAX_POINTS as i64);
    let entry = (words(), kind, words(), signed, state, date(), opt_words()).prop_map(
        |(id, kind, label, points, state, date, code)| Activity {
            id,
            kind,
            label,
            points,
            state,
            date,
            code,
        },
    );
    (
        prop::collection::vec(entry, 0..4),
        any::<u32>(),
        any::<bool>(),
    )
        .prop_map(|(items, page, has_more)| ActivityPage {
            items,
            page,
            has_more,
        })
}

fn redemption() -> impl Strategy<Value = Redemption> {
    (words(), words(), figure(), words(), opt_date(), points()).prop_map(
        |(id, reward_id, points_spent, code, expires_at, points)| Redemption {
            id,
            reward_id,
            points_spent,
            state: RedemptionState::Active,
            // A code is never blank (the contract refuses "an empty code").
            coupon: Some(Coupon {
                code: format!("C{code}"),
                expires_at,
                apply_url: None,
            }),
            points,
        },
    )
}

fn membership() -> impl Strategy<Value = Membership> {
    (any::<bool>(), opt_date(), figure()).prop_map(|(member, joined_at, bonus_points)| Membership {
        club: Club { member, joined_at },
        bonus_points,
    })
}

fn error_body() -> impl Strategy<Value = ErrorBody> {
    let code = prop::sample::select(vec![
        ErrorCode::Unauthorized,
        ErrorCode::TokenExpired,
        ErrorCode::BadRequest,
        ErrorCode::InsufficientPoints,
        ErrorCode::TierTooLow,
        ErrorCode::NotAvailable,
        ErrorCode::IdempotencyConflict,
        ErrorCode::NotFound,
        ErrorCode::RateLimited,
        ErrorCode::Internal,
        ErrorCode::RewardNotIssued,
        ErrorCode::PayloadTooLarge,
        ErrorCode::Forbidden,
        ErrorCode::Other,
    ]);
    (code, words()).prop_map(|(code, message)| ErrorBody {
        error: ErrorDetail { code, message },
    })
}

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

    /// Every contract type survives the endpoint's serializer and the
    /// widget's decoder (deserialize plus checks) unchanged.
    #[test]
    fn every_contract_type_round_trips(
        summary in summary(),
        program in program(),
        offers in offers(),
        page in activity_page(),
        redemption in redemption(),
        membership in membership(),
        error in error_body(),
        reward_id in words(),
        consent in any::<bool>(),
    ) {
        round_trips(&summary)?;
        round_trips(&program)?;
        round_trips(&offers)?;
        round_trips(&page)?;
        round_trips(&redemption)?;
        round_trips(&membership)?;
        round_trips(&error)?;
        round_trips(&RedeemRequest { reward_id })?;
        round_trips(&JoinRequest { consent })?;
    }

    /// Any JSON number is read as the schema reads an integer: whole values
    /// in range decode to exactly that value, anything with a fraction is
    /// refused.
    #[test]
    fn integers_are_read_as_json_schema_reads_them(whole in 0..=MAX_POINTS, fraction in 0.01f64..0.99) {
        let as_float = format!(r#"{{"points": {{"approved": {whole}.0}}}}"#);
        prop_assert_eq!(decode::<Summary>(&as_float).map(|s| s.points.approved), Ok(whole));
        let exponent = format!(r#"{{"points": {{"approved": {whole}e0}}}}"#);
        prop_assert_eq!(decode::<Summary>(&exponent).map(|s| s.points.approved), Ok(whole));
        let fractional = format!(r#"{{"points": {{"approved": {}}}}}"#, whole as f64 + fraction);
        prop_assert!(decode::<Summary>(&fractional).is_err(), "{}", fractional);
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
        code in ".{0,70}",
    ) {
        let texts = serde_json::from_str(&texts).ok().map(Texts::Object);
        let options = Options {
            endpoint: Some(endpoint),
            mode: Some(mode),
            theme: Some(theme),
            texts,
            join_url: Some(link.clone()),
            signin_url: Some(link.clone()),
            token_url: Some(link),
            lang: Some(lang),
            token: None,
            referral_code: Some(code),
        };
        if let Ok(config) = Config::from_options(&options, None, &[]) {
            // An accepted endpoint is always https, or http on loopback.
            let lower = config.endpoint.to_ascii_lowercase();
            prop_assert!(lower.starts_with("https://") || lower.starts_with("http://"));
            // A referral code kept is safe in a URL and in text.
            if let Some(code) = &config.referral_code {
                prop_assert!(code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
            }
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
