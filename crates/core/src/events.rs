//! The events a widget reports to the shop, each a typed `detail`.
//!
//! The loader dispatches each as `loyalty-widget:<name>` on the embed (it
//! adds `open` and `close` itself); the browser edge turns the detail into a
//! JS object with `serde_wasm_bindgen::to_value`. `loader/loyalty-widget.d.ts`
//! declares the same shapes, and a test below holds the two together.

use serde::Serialize;

/// Why the widget could not show what it should.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// The embed's configuration is wrong.
    Config,
    /// The WebAssembly could not be loaded (the loader reports this one).
    Load,
    /// No answer: offline, DNS, CORS, connection refused or dropped.
    Network,
    /// No answer in time.
    Timeout,
    /// The token was refused.
    Auth,
    /// The endpoint asked to slow down.
    RateLimited,
    /// The endpoint answered with an error.
    Server,
    /// The endpoint's answer was malformed or implausible.
    Data,
}

/// What was copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Copied {
    /// The customer's referral link.
    ReferralLink,
    /// The customer's referral code.
    ReferralCode,
    /// A coupon code from a redeem.
    Coupon,
    /// A members' offer's code.
    OfferCode,
}

/// `ready`: the first data (or the guest view) is on screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ready {
    /// Whether a customer is signed in (false: the guest view).
    pub customer: bool,
    /// The customer's spendable points.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points: Option<u64>,
    /// Whether the figures come from the visit cache because the endpoint
    /// could not be asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale: Option<bool>,
}

/// `error`: the widget could not show the customer's data, or its
/// configuration is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorDetail {
    /// A short machine-readable reason.
    pub reason: Reason,
    /// English detail for the shop's developers.
    pub message: String,
}

/// `copied`: something was copied to the clipboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopiedDetail {
    /// What.
    pub what: Copied,
}

/// `joined`: the customer joined the club.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Joined {
    /// Welcome points credited by joining.
    pub bonus_points: u64,
}

/// `redeemed`: the customer redeemed a reward.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redeemed {
    /// The reward's id.
    pub reward: String,
    /// The coupon code.
    pub code: String,
    /// Spendable points left.
    pub points: u64,
}

/// One event; it serializes as its `detail`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Event {
    /// See [`Ready`].
    Ready(Ready),
    /// See [`ErrorDetail`].
    Error(ErrorDetail),
    /// See [`CopiedDetail`].
    Copied(CopiedDetail),
    /// See [`Joined`].
    Joined(Joined),
    /// See [`Redeemed`].
    Redeemed(Redeemed),
}

impl Event {
    /// The event's name; the loader dispatches `loyalty-widget:<name>`.
    pub fn name(&self) -> &'static str {
        match self {
            Event::Ready(_) => "ready",
            Event::Error(_) => "error",
            Event::Copied(_) => "copied",
            Event::Joined(_) => "joined",
            Event::Redeemed(_) => "redeemed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const DECLARATIONS: &str = include_str!("../../../loader/loyalty-widget.d.ts");

    /// The declared detail of `loyalty-widget:<name>`: each field with
    /// whether it is optional, and the whole declaration text.
    fn declared(name: &str) -> (BTreeSet<(String, bool)>, String) {
        declared_in(DECLARATIONS, name)
    }

    fn declared_in(declarations: &str, name: &str) -> (BTreeSet<(String, bool)>, String) {
        let start = format!("'loyalty-widget:{name}': CustomEvent<");
        let at = declarations
            .find(&start)
            .unwrap_or_else(|| panic!("{name} is not declared"));
        let rest = &declarations[at + start.len()..];
        let body = &rest[..rest.find(">;").expect("declaration ends")];
        let fields = body
            .trim()
            .trim_start_matches('{')
            .trim_end_matches('}')
            .split(';')
            .filter_map(|field| {
                let (key, _) = field.split_once(':')?;
                let key = key.trim();
                let optional = key.ends_with('?');
                Some((key.trim_end_matches('?').to_owned(), optional))
            })
            .collect();
        (fields, body.to_owned())
    }

    /// The fields an event serializes to, with whether they can be absent:
    /// `full` has every optional field, `minimal` none.
    fn serialized(full: &Event, minimal: &Event) -> BTreeSet<(String, bool)> {
        let keys = |event: &Event| -> BTreeSet<String> {
            match serde_json::to_value(event).expect("serializes") {
                serde_json::Value::Object(map) => map.keys().cloned().collect(),
                other => panic!("{other} is not an object"),
            }
        };
        let required = keys(minimal);
        keys(full)
            .into_iter()
            .map(|key| {
                let optional = !required.contains(&key);
                (key, optional)
            })
            .collect()
    }

    fn quoted(value: impl Serialize) -> String {
        format!(
            "'{}'",
            serde_json::to_value(value)
                .expect("serializes")
                .as_str()
                .expect("a string")
        )
    }

    #[test]
    fn the_typescript_declarations_match_every_event_detail() {
        let ready = |points, stale| {
            Event::Ready(Ready {
                customer: true,
                points,
                stale,
            })
        };
        let error = Event::Error(ErrorDetail {
            reason: Reason::Data,
            message: "x".into(),
        });
        let copied = Event::Copied(CopiedDetail {
            what: Copied::Coupon,
        });
        let joined = Event::Joined(Joined { bonus_points: 50 });
        let redeemed = Event::Redeemed(Redeemed {
            reward: "r".into(),
            code: "C".into(),
            points: 5,
        });
        let pairs = [
            (ready(Some(1), Some(false)), ready(None, None)),
            (error.clone(), error),
            (copied.clone(), copied),
            (joined.clone(), joined),
            (redeemed.clone(), redeemed),
        ];
        for (full, minimal) in &pairs {
            let (fields, _) = declared(full.name());
            assert_eq!(fields, serialized(full, minimal), "event {}", full.name());
        }
        // Every value of the enumerated fields is declared.
        let (_, error) = declared("error");
        for reason in [
            Reason::Config,
            Reason::Load,
            Reason::Network,
            Reason::Timeout,
            Reason::Auth,
            Reason::RateLimited,
            Reason::Server,
            Reason::Data,
        ] {
            assert!(
                error.contains(&quoted(reason)),
                "{reason:?} is not declared"
            );
        }
        let (_, copied) = declared("copied");
        for what in [
            Copied::ReferralLink,
            Copied::ReferralCode,
            Copied::Coupon,
            Copied::OfferCode,
        ] {
            assert!(copied.contains(&quoted(what)), "{what:?} is not declared");
        }
    }

    #[test]
    fn the_check_notices_a_field_that_differs() {
        let renamed = DECLARATIONS.replace("{ bonusPoints: number }", "{ bonus_points: number }");
        assert_ne!(renamed, DECLARATIONS, "the joined declaration moved");
        let joined = Event::Joined(Joined { bonus_points: 1 });
        let keys = serialized(&joined, &joined);
        assert_eq!(declared_in(DECLARATIONS, "joined").0, keys);
        assert_ne!(declared_in(&renamed, "joined").0, keys);
        let optional = DECLARATIONS.replace("points?: number; stale?", "points: number; stale?");
        let ready = |points, stale| {
            Event::Ready(Ready {
                customer: false,
                points,
                stale,
            })
        };
        let keys = serialized(&ready(Some(1), Some(true)), &ready(None, None));
        assert_eq!(declared_in(DECLARATIONS, "ready").0, keys);
        assert_ne!(declared_in(&optional, "ready").0, keys);
    }
}
