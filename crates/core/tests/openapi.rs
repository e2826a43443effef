//! The contract's types agree with its JSON Schema: every example in the
//! OpenAPI file decodes and passes the plausibility checks, and each edge
//! case in `openapi/edge-cases.json` is accepted exactly when the schema
//! accepts it, or, where the schema refuses only an optional part, shown
//! with exactly the parts the case's `left_out` names left out
//! (`scripts/check-openapi.py` checks the schema's side of the same file).

use loyalty_core::contract::{
    accept_parts, ActivityPage, Checked, ErrorBody, JoinRequest, Membership, Offers, Program,
    RedeemRequest, Redemption, RedemptionPage, ReferralInvite, Summary,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

const SPEC: &str = include_str!("../../../openapi/loyalty-v1.json");
const EDGE_CASES: &str = include_str!("../../../openapi/edge-cases.json");

/// Decodes `body` as the widget does; `Ok` with the parts left out.
fn decode_as(kind: &str, body: &str) -> Result<Vec<&'static str>, String> {
    fn check<T: DeserializeOwned + Checked>(body: &str) -> Result<Vec<&'static str>, String> {
        accept_parts(serde_json::from_str::<Value>(body).and_then(serde_json::from_value::<T>))
            .map(|accepted| accepted.left_out)
            .map_err(|e| e.to_string())
    }
    match kind {
        "Program" => check::<Program>(body),
        "Summary" => check::<Summary>(body),
        "Offers" => check::<Offers>(body),
        "ActivityPage" => check::<ActivityPage>(body),
        "Redemption" => check::<Redemption>(body),
        "RedemptionPage" => check::<RedemptionPage>(body),
        "Membership" => check::<Membership>(body),
        "ErrorBody" => check::<ErrorBody>(body),
        "RedeemRequest" => check::<RedeemRequest>(body),
        "JoinRequest" => check::<JoinRequest>(body),
        "ReferralInvite" => check::<ReferralInvite>(body),
        other => Err(format!("no type for x-decodes-as {other:?}")),
    }
}

#[test]
fn every_example_decodes_with_the_widget_types() {
    let spec: Value = serde_json::from_str(SPEC).expect("the spec is JSON");
    let examples = spec["components"]["examples"]
        .as_object()
        .expect("components.examples");
    assert!(examples.len() >= 10, "only {} examples", examples.len());
    for (name, example) in examples {
        let kind = example["x-decodes-as"].as_str().expect("x-decodes-as");
        let body = example["value"].to_string();
        match decode_as(kind, &body) {
            Err(err) => panic!("example {name} does not decode as {kind}: {err}"),
            Ok(left_out) if !left_out.is_empty() => {
                panic!("example {name} decodes as {kind} without {left_out:?}")
            }
            Ok(_) => {}
        }
    }
}

#[test]
fn edge_cases_are_accepted_exactly_when_the_schema_accepts_them() {
    let cases: Value = serde_json::from_str(EDGE_CASES).expect("edge cases are JSON");
    let cases = cases.as_array().expect("a list");
    assert!(cases.len() >= 10, "only {} cases", cases.len());
    for case in cases {
        let what = case["what"].as_str().expect("what");
        let kind = case["as"].as_str().expect("as");
        let valid = case["valid"].as_bool().expect("valid");
        let left_out: Option<Vec<&str>> = case.get("left_out").map(|names| {
            names
                .as_array()
                .expect("left_out is a list")
                .iter()
                .map(|name| name.as_str().expect("a field name"))
                .collect()
        });
        assert!(
            !(valid && left_out.is_some()),
            "{what}: valid, yet left out"
        );
        let result = decode_as(kind, &case["body"].to_string());
        match (valid, left_out) {
            (true, _) => assert_eq!(result, Ok(vec![]), "{what}"),
            (false, Some(names)) => assert_eq!(result, Ok(names), "{what}"),
            (false, None) => assert!(result.is_err(), "{what}: {result:?}"),
        }
    }
}

#[test]
fn every_response_schema_has_an_example() {
    let spec: Value = serde_json::from_str(SPEC).expect("the spec is JSON");
    for (path, methods) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in methods.as_object().expect("methods") {
            let ok = &operation["responses"]["200"]["content"]["application/json"];
            assert!(
                ok["examples"].as_object().is_some_and(|e| !e.is_empty()),
                "{method} {path} has no 200 example"
            );
        }
    }
}
