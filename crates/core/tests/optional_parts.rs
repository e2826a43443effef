//! Issue #32: one bad optional value must not hide a whole answer. For every
//! answer the widget reads, a bad value of each optional part leaves that
//! part out, names it once and keeps everything else exactly as it was; a
//! bad core value still refuses the whole answer (the decision per field is
//! in `openapi/loyalty-v1.json`'s descriptions).

use loyalty_core::contract::*;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use std::fmt::Debug;

/// The widget's data path natively: a parsed value (the browser's
/// `JSON.parse`), the contract's types, the checks.
fn parts<T: DeserializeOwned + Checked>(body: &Value) -> Result<Accepted<T>, DecodeError> {
    accept_parts(serde_json::from_value(body.clone()))
}

/// `body` with the value at `pointer` replaced by `bad`.
fn with(body: &Value, pointer: &str, bad: Value) -> Value {
    let mut body = body.clone();
    *body
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no {pointer}")) = bad;
    body
}

/// Each case: where, the bad value, the field named, and the good answer
/// with that part left out.
type Case<T> = (&'static str, Value, &'static str, fn(&mut T));

fn left_out_alone<T: DeserializeOwned + Checked + Debug + PartialEq + Clone>(
    base: &Value,
    cases: Vec<Case<T>>,
) {
    let good = parts::<T>(base).expect("the base answer decodes");
    assert!(good.left_out.is_empty(), "{:?}", good.left_out);
    for (pointer, bad, field, leave_out) in cases {
        let body = with(base, pointer, bad.clone());
        let got = parts::<T>(&body)
            .unwrap_or_else(|err| panic!("{pointer} = {bad}: refused whole ({err})"));
        assert_eq!(got.left_out, [field], "{pointer} = {bad}");
        let mut expected = good.value.clone();
        leave_out(&mut expected);
        assert_eq!(got.value, expected, "{pointer} = {bad}: the rest changed");
    }
}

fn refused<T: DeserializeOwned + Checked + Debug>(base: &Value, cases: &[(&str, Value)]) {
    for (pointer, bad) in cases {
        let body = with(base, pointer, bad.clone());
        assert!(parts::<T>(&body).is_err(), "{pointer} = {bad}: not refused");
    }
}

/// The expiring-points dates of issue #32, and the other forms a backend
/// writes that are not the contract's.
const BAD_DAYS: [&str; 8] = [
    "31.12.2026",
    "2026/12/31",
    "Dec 31",
    "2026-02-30",
    "0",
    "",
    "2026-12",
    "12/31/2026",
];

fn summary() -> Value {
    json!({
        "state": "member",
        "first_name": "Anna",
        "points": {"approved": 1250, "pending": 120, "spent": 300, "lifetime": 1670,
                   "expiring": [{"points": 200, "at": "2026-12-31"}, {"points": 50, "at": "2027-01-31"}]},
        "points_value": {"amount_minor": 1250, "currency": "EUR"},
        "tier": {"id": "silver", "name": "Silber", "kind": "points", "value": 1670,
                 "next_tier_id": "gold", "needed_for_upgrade": 830},
        "referral": {"url": "https://shop.example/?ref=ANNA10", "code": "ANNA10", "friends_joined": 4294967295_u64},
        "club": {"member": true, "joined_at": "2026-03-01"}
    })
}

#[test]
fn a_bad_expiring_date_leaves_out_that_entry_only() {
    let base = summary();
    let mut cases: Vec<Case<Summary>> = Vec::new();
    for day in BAD_DAYS {
        cases.push((
            "/points/expiring/0/at",
            json!(day),
            "points.expiring.at",
            |s| {
                s.points.expiring.remove(0);
            },
        ));
    }
    for bad in [
        json!(0),
        json!(20261231),
        json!(null),
        json!(["2026-12-31"]),
        json!({"day": 31}),
    ] {
        cases.push(("/points/expiring/0/at", bad, "points.expiring.at", |s| {
            s.points.expiring.remove(0);
        }));
    }
    left_out_alone(&base, cases);
}

#[test]
fn every_optional_part_of_the_summary_is_left_out_alone() {
    let cases: Vec<Case<Summary>> = vec![
        ("/first_name", json!(5), "first_name", |s| {
            s.first_name = None
        }),
        ("/first_name", json!("A".repeat(2001)), "first_name", |s| {
            s.first_name = None
        }),
        ("/points/expiring", json!("soon"), "points.expiring", |s| {
            s.points.expiring.clear()
        }),
        ("/points/expiring/1", json!(7), "points.expiring", |s| {
            s.points.expiring.pop();
        }),
        (
            "/points/expiring/1/points",
            json!(-1),
            "points.expiring",
            |s| {
                s.points.expiring.pop();
            },
        ),
        (
            "/points/expiring/1/points",
            json!(1_000_000_000_001_u64),
            "points.expiring.points",
            |s| {
                s.points.expiring.pop();
            },
        ),
        ("/points_value", json!("12 €"), "points_value", |s| {
            s.points_value = None
        }),
        (
            "/points_value/currency",
            json!("eur"),
            "points_value",
            |s| s.points_value = None,
        ),
        ("/tier", json!(7), "tier", |s| s.tier = None),
        ("/tier/kind", json!("karma"), "tier", |s| s.tier = None),
        ("/tier/value", json!(1e13), "tier.value", |s| s.tier = None),
        ("/referral", json!("ANNA10"), "referral", |s| {
            s.referral = None
        }),
        ("/referral/code", json!(10), "referral", |s| {
            s.referral = None
        }),
        ("/referral/friends_joined", json!(-1), "referral", |s| {
            s.referral = None
        }),
        (
            "/referral/friends_joined",
            json!(1_000_000_000_001_u64),
            "referral.friends_joined",
            |s| s.referral = None,
        ),
        (
            "/referral/url",
            json!("javascript:alert(1)"),
            "referral.url",
            |s| {
                if let Some(r) = &mut s.referral {
                    r.url = None;
                }
            },
        ),
        (
            "/referral/url",
            json!("shop.example/?ref=ANNA10"),
            "referral.url",
            |s| {
                if let Some(r) = &mut s.referral {
                    r.url = None;
                }
            },
        ),
        ("/referral/url", json!(42), "referral.url", |s| {
            if let Some(r) = &mut s.referral {
                r.url = None;
            }
        }),
        (
            "/club/joined_at",
            json!("31.12.2026"),
            "club.joined_at",
            |s| s.club.joined_at = None,
        ),
        ("/club/joined_at", json!(0), "club.joined_at", |s| {
            s.club.joined_at = None
        }),
    ];
    left_out_alone(&summary(), cases);
}

#[test]
fn a_bad_core_value_still_refuses_the_summary() {
    refused::<Summary>(
        &summary(),
        &[
            ("/state", json!(5)),
            ("/points", json!("1250")),
            ("/points/approved", json!("1250")),
            ("/points/approved", json!(-5)),
            ("/points/pending", json!(1e13)),
            ("/points/lifetime", json!(12.5)),
            ("/club", json!([true])),
            ("/club/member", json!("yes")),
        ],
    );
}

fn program() -> Value {
    json!({
        "name": "Club", "currency": "EUR", "pitch": "Earn points",
        "tiers": [{"id": "bronze", "name": "Bronze", "threshold": 0, "perks": ["a"]},
                  {"id": "silver", "name": "Silver", "threshold": 1000}],
        "earning": [{"kind": "order", "title": "Order", "points_text": "1 point per euro"}],
        "rewards": [{"id": "r1", "kind": "discount_code", "title": "5 €", "points_price": 500},
                    {"id": "r2", "kind": "gift_code", "title": "Gift", "points_price": 900}],
        "referral_text": "Give 5, get 5"
    })
}

#[test]
fn every_optional_part_of_the_program_is_left_out_alone() {
    let cases: Vec<Case<Program>> = vec![
        ("/pitch", json!(5), "pitch", |p| p.pitch.clear()),
        ("/referral_text", json!(["x"]), "referral_text", |p| {
            p.referral_text = None
        }),
        ("/tiers", json!("gold"), "tiers", |p| p.tiers.clear()),
        ("/tiers/1/threshold", json!(-1), "tiers", |p| {
            p.tiers.pop();
        }),
        (
            "/tiers/1/name",
            json!("x".repeat(2001)),
            "tiers.name",
            |p| {
                p.tiers.pop();
            },
        ),
        ("/earning/0", json!(5), "earning", |p| p.earning.clear()),
        ("/rewards/0/points_price", json!("free"), "rewards", |p| {
            p.rewards.remove(0);
        }),
        (
            "/rewards/1/points_price",
            json!(1e13),
            "rewards.points_price",
            |p| {
                p.rewards.pop();
            },
        ),
    ];
    left_out_alone(&program(), cases);
    refused::<Program>(
        &program(),
        &[("/name", json!(5)), ("/currency", json!("euro"))],
    );
}

fn offers() -> Value {
    json!({"offers": [
        {"id": "o1", "title": "Double points", "description": "All week", "ends_at": "2026-12-24",
         "code": "DOUBLE", "cta_url": "https://shop.example/double"},
        {"id": "o2", "title": "Gold only", "min_tier_id": "gold", "locked": "tier_too_low"}
    ]})
}

#[test]
fn every_optional_part_of_the_offers_is_left_out_alone() {
    let mut cases: Vec<Case<Offers>> = vec![
        (
            "/offers/0/cta_url",
            json!("javascript:alert(1)"),
            "offers.cta_url",
            |o| o.offers[0].cta_url = None,
        ),
        ("/offers/0/cta_url", json!(5), "offers.cta_url", |o| {
            o.offers[0].cta_url = None
        }),
        ("/offers/0/code", json!(5), "offers.code", |o| {
            o.offers[0].code = None
        }),
        (
            "/offers/0/description",
            json!({}),
            "offers.description",
            |o| o.offers[0].description.clear(),
        ),
        ("/offers/0/title", json!(5), "offers", |o| {
            o.offers.remove(0);
        }),
        ("/offers/1", json!("x"), "offers", |o| {
            o.offers.pop();
        }),
    ];
    for day in BAD_DAYS {
        cases.push(("/offers/0/ends_at", json!(day), "offers.ends_at", |o| {
            o.offers[0].ends_at = None
        }));
    }
    left_out_alone(&offers(), cases);
}

fn redemption_page() -> Value {
    json!({"items": [
        {"id": "a", "reward_id": "r1", "title": "5 €", "points_spent": 500, "state": "active",
         "coupon": {"code": "C-1", "expires_at": "2027-01-31", "apply_url": "https://shop.example/discount/C-1"},
         "created_at": "2026-11-01", "idempotency_key": "k-1"},
        {"id": "b", "reward_id": "r1", "title": "5 €", "points_spent": 500, "state": "used",
         "coupon": {"code": "C-0"}, "created_at": "2026-10-01", "used_order": "1042"}
    ], "page": 1, "has_more": false})
}

#[test]
fn every_optional_part_of_the_redemptions_is_left_out_alone() {
    let cases: Vec<Case<RedemptionPage>> = vec![
        (
            "/items/0/coupon/expires_at",
            json!("Dec 31"),
            "coupon.expires_at",
            |p| {
                if let Some(c) = &mut p.items[0].coupon {
                    c.expires_at = None;
                }
            },
        ),
        (
            "/items/0/coupon/apply_url",
            json!("ftp://shop.example/x"),
            "coupon.apply_url",
            |p| {
                if let Some(c) = &mut p.items[0].coupon {
                    c.apply_url = None;
                }
            },
        ),
        (
            "/items/0/idempotency_key",
            json!(5),
            "items.idempotency_key",
            |p| p.items[0].idempotency_key = None,
        ),
        (
            "/items/1/used_order",
            json!([1042]),
            "items.used_order",
            |p| p.items[1].used_order = None,
        ),
        (
            "/items/1/created_at",
            json!("2026/10/01"),
            "items.created_at",
            |p| {
                p.items.pop();
            },
        ),
        ("/items/1/coupon", json!(null), "items.coupon", |p| {
            p.items.pop();
        }),
        ("/items/0", json!(5), "items", |p| {
            p.items.remove(0);
        }),
    ];
    left_out_alone(&redemption_page(), cases);
    refused::<RedemptionPage>(&redemption_page(), &[("/page", json!("one"))]);
}

fn redemption() -> Value {
    json!({"id": "x", "reward_id": "r1", "points_spent": 500, "state": "active",
           "coupon": {"code": "C-1", "expires_at": "2027-01-31", "apply_url": "https://shop.example/discount/C-1"},
           "points": {"approved": 750, "expiring": [{"points": 200, "at": "2026-12-31"}]}})
}

#[test]
fn every_optional_part_of_a_redeem_answer_is_left_out_alone() {
    let cases: Vec<Case<Redemption>> = vec![
        ("/coupon/expires_at", json!("0"), "coupon.expires_at", |r| {
            if let Some(c) = &mut r.coupon {
                c.expires_at = None;
            }
        }),
        (
            "/coupon/apply_url",
            json!("not a link"),
            "coupon.apply_url",
            |r| {
                if let Some(c) = &mut r.coupon {
                    c.apply_url = None;
                }
            },
        ),
        (
            "/points/expiring/0/at",
            json!("2026-02-30"),
            "points.expiring.at",
            |r| r.points.expiring.clear(),
        ),
    ];
    left_out_alone(&redemption(), cases);
    // The code is the point of an active redemption: without it, refused.
    refused::<Redemption>(
        &redemption(),
        &[
            ("/coupon", json!(null)),
            ("/coupon/code", json!(5)),
            ("/points_spent", json!(-1)),
            ("/points/approved", json!("750")),
        ],
    );
}

#[test]
fn the_other_answers_leave_out_their_optional_parts() {
    let activity = json!({"items": [
        {"id": "a", "kind": "earned", "label": "Order #1", "points": 50, "date": "2026-11-01", "code": null},
        {"id": "b", "kind": "spent", "label": "5 €", "points": -500, "date": "2026-11-02", "code": "C-1"}
    ], "page": 1});
    let cases: Vec<Case<ActivityPage>> = vec![
        ("/items/1/code", json!(5), "items.code", |p| {
            p.items[1].code = None
        }),
        ("/items/0/date", json!("Dec 31"), "items.date", |p| {
            p.items.remove(0);
        }),
    ];
    left_out_alone(&activity, cases);
    let membership =
        json!({"club": {"member": true, "joined_at": "2026-11-30"}, "bonus_points": 100});
    let cases: Vec<Case<Membership>> = vec![(
        "/club/joined_at",
        json!("30.11.2026"),
        "club.joined_at",
        |m| m.club.joined_at = None,
    )];
    left_out_alone(&membership, cases);
    refused::<Membership>(&membership, &[("/bonus_points", json!(-1))]);
    let invite = json!({"code": "ANNA10", "program_name": "Club", "friend_gift": "5 €", "referrer_first_name": "Anna"});
    let cases: Vec<Case<ReferralInvite>> = vec![(
        "/referrer_first_name",
        json!(5),
        "referrer_first_name",
        |i| i.referrer_first_name = None,
    )];
    left_out_alone(&invite, cases);
    refused::<ReferralInvite>(&invite, &[("/friend_gift", json!(5))]);
}

#[test]
fn several_bad_parts_are_each_named_once() {
    let mut body = summary();
    body["points"]["expiring"][0]["at"] = json!("Dec 31");
    body["points"]["expiring"][1]["at"] = json!("31.12.2026");
    body["referral"]["url"] = json!("javascript:x");
    let got = parts::<Summary>(&body).expect("the balance stays");
    assert_eq!(got.left_out, ["points.expiring.at", "referral.url"]);
    assert_eq!(got.value.points.approved, 1250);
    assert!(got.value.points.expiring.is_empty());
    // A decode that was refused leaves nothing behind for the next one.
    body["points"]["approved"] = json!(-1);
    assert!(parts::<Summary>(&body).is_err());
    assert_eq!(parts::<Summary>(&summary()).map(|s| s.left_out), Ok(vec![]));
}
