//! What the widget makes of a redemption: the outcome a redeem shows, the
//! redemption a lost answer was for, and the text and link of each one in
//! the customer's list ("Your rewards").

use crate::contract::{Coupon, RedemptionItem, RedemptionPage, RedemptionState};
use crate::i18n::Key;
use crate::url::safe_link;

/// How a redeem ended, as the customer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The code is issued: show it.
    Issued(Coupon),
    /// The shop's platform has not confirmed the code yet; the points are
    /// reserved and the code will be listed under "Your rewards".
    Issuing,
    /// The code could not be issued; the points are back.
    NotIssued,
}

impl Outcome {
    /// The outcome of a redemption in `state` with `coupon`. A coupon is
    /// shown whatever the state says (a newer state with a code still has
    /// a code), except for a released one, whose points are back; with no
    /// coupon and no release it is still being issued (`pending`, or a state
    /// from a newer contract: the points were taken, so never "failed").
    pub fn of(state: RedemptionState, coupon: Option<Coupon>) -> Outcome {
        match (state, coupon) {
            (RedemptionState::Released, _) => Outcome::NotIssued,
            (_, Some(coupon)) => Outcome::Issued(coupon),
            (_, None) => Outcome::Issuing,
        }
    }
}

/// The redemption sent with `key` on a page of the customer's redemptions,
/// as an outcome; `None` when the page has none (newest first, so a redeem
/// just sent is on the first page if the endpoint applied it at all).
pub fn find(page: &RedemptionPage, key: &str) -> Option<Outcome> {
    if key.is_empty() {
        return None;
    }
    page.items
        .iter()
        .find(|item| item.idempotency_key.as_deref() == Some(key))
        .map(|item| Outcome::of(item.state, item.coupon.clone()))
}

/// The text saying where a listed redemption stands (`None` for a state
/// from a newer contract: it shows no state rather than a wrong one). A
/// used one names its order when the endpoint says which
/// ([`Key::MineUsedOn`] takes `{order}`, see [`order_number`]).
pub fn state_key(item: &RedemptionItem) -> Option<Key> {
    Some(match item.state {
        RedemptionState::Active => Key::MineActive,
        RedemptionState::Used if item.used_order.is_some() => Key::MineUsedOn,
        RedemptionState::Used => Key::MineUsed,
        RedemptionState::Expired => Key::MineExpired,
        RedemptionState::Pending => Key::MineIssuing,
        RedemptionState::Released => Key::MineReleased,
        RedemptionState::Other => return None,
    })
}

/// An order number as customers read it: `#1234` (a number the shop
/// already wrote with `#` keeps it).
pub fn order_number(order: &str) -> String {
    let order = order.trim();
    if order.starts_with('#') {
        order.to_owned()
    } else {
        format!("#{order}")
    }
}

/// The link that applies a code to the cart: only for a code that works
/// now (`active`), and only an http(s) link ([`safe_link`]).
pub fn apply_link(state: RedemptionState, coupon: &Coupon) -> Option<String> {
    if state != RedemptionState::Active {
        return None;
    }
    coupon.apply_url.as_deref().and_then(safe_link)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{accept, RedemptionPage};

    const PAGE: &str = r#"{"items": [
        {"id": "d", "reward_id": "r-5eur", "title": "5 € voucher", "points_spent": 500,
         "state": "pending", "created_at": "2026-12-06", "idempotency_key": "key-d"},
        {"id": "c", "reward_id": "r-5eur", "title": "5 € voucher", "points_spent": 500,
         "state": "released", "created_at": "2026-12-05", "idempotency_key": "key-c"},
        {"id": "b", "reward_id": "r-shipping", "title": "Free shipping", "points_spent": 300,
         "state": "active", "coupon": {"code": "SHIP-1", "expires_at": "2027-01-31",
         "apply_url": "https://shop.example/discount/SHIP-1"},
         "created_at": "2026-12-04", "idempotency_key": "key-b"},
        {"id": "a", "reward_id": "r-shipping", "title": "Free shipping", "points_spent": 300,
         "state": "used", "coupon": {"code": "SHIP-0"}, "used_order": "1234",
         "created_at": "2026-11-01"}
    ], "page": 1, "has_more": true}"#;

    fn page() -> RedemptionPage {
        accept(serde_json::from_str::<serde_json::Value>(PAGE).and_then(serde_json::from_value))
            .expect("the fixture decodes")
    }

    fn coupon(apply_url: Option<&str>) -> Coupon {
        Coupon {
            code: "SHIP-1".into(),
            expires_at: None,
            apply_url: apply_url.map(Into::into),
        }
    }

    #[test]
    fn a_lost_answer_is_found_by_its_key_with_its_outcome() {
        let page = page();
        assert_eq!(find(&page, "key-d"), Some(Outcome::Issuing));
        assert_eq!(find(&page, "key-c"), Some(Outcome::NotIssued));
        match find(&page, "key-b") {
            Some(Outcome::Issued(coupon)) => assert_eq!(coupon.code, "SHIP-1"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn no_item_with_the_key_means_it_did_not_happen() {
        let page = page();
        assert_eq!(find(&page, "key-x"), None);
        // An item without a key (an older redemption) matches no key, not
        // even the empty one.
        assert_eq!(find(&page, ""), None);
    }

    #[test]
    fn outcomes_follow_state_and_coupon() {
        assert_eq!(
            Outcome::of(RedemptionState::Active, Some(coupon(None))),
            Outcome::Issued(coupon(None))
        );
        assert_eq!(
            Outcome::of(RedemptionState::Pending, None),
            Outcome::Issuing
        );
        assert_eq!(
            Outcome::of(RedemptionState::Released, None),
            Outcome::NotIssued
        );
        // A newer state: with a code it is shown, without one it is being
        // issued (the points were taken; never "failed").
        assert_eq!(
            Outcome::of(RedemptionState::Other, Some(coupon(None))),
            Outcome::Issued(coupon(None))
        );
        assert_eq!(Outcome::of(RedemptionState::Other, None), Outcome::Issuing);
    }

    #[test]
    fn every_state_reads_as_text() {
        let keys: Vec<_> = page().items.iter().map(state_key).collect();
        assert_eq!(
            keys,
            [
                Some(Key::MineIssuing),
                Some(Key::MineReleased),
                Some(Key::MineActive),
                Some(Key::MineUsedOn)
            ]
        );
        let mut item = page().items[3].clone();
        item.used_order = None;
        assert_eq!(state_key(&item), Some(Key::MineUsed));
        item.state = RedemptionState::Expired;
        assert_eq!(state_key(&item), Some(Key::MineExpired));
        item.state = RedemptionState::Other;
        assert_eq!(state_key(&item), None);
    }

    #[test]
    fn order_numbers_get_one_hash() {
        assert_eq!(order_number("1234"), "#1234");
        assert_eq!(order_number(" #1234 "), "#1234");
    }

    #[test]
    fn the_apply_link_is_for_active_codes_with_a_safe_url_only() {
        let safe = coupon(Some("https://shop.example/discount/SHIP-1?redirect=/cart"));
        assert_eq!(
            apply_link(RedemptionState::Active, &safe).as_deref(),
            Some("https://shop.example/discount/SHIP-1?redirect=/cart")
        );
        for state in [
            RedemptionState::Used,
            RedemptionState::Expired,
            RedemptionState::Pending,
            RedemptionState::Released,
            RedemptionState::Other,
        ] {
            assert_eq!(apply_link(state, &safe), None, "{state:?}");
        }
        for bad in [
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "/cart?discount=SHIP-1",
            "https://user:pass@shop.example/",
            "",
        ] {
            assert_eq!(
                apply_link(RedemptionState::Active, &coupon(Some(bad))),
                None,
                "{bad}"
            );
        }
        assert_eq!(apply_link(RedemptionState::Active, &coupon(None)), None);
    }
}
