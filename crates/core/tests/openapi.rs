//! Every example in the OpenAPI contract decodes with the widget's types and
//! passes their plausibility checks.

use loyalty_core::contract::{
    decode, ActivityPage, Checked, Decode, ErrorBody, JoinRequest, Membership, Offers, Program,
    RedeemRequest, Redemption, Summary,
};
use serde_json::Value;

const SPEC: &str = include_str!("../../../openapi/loyalty-v1.json");

fn decode_as(kind: &str, body: &str) -> Result<(), String> {
    fn check<T: Decode + Checked>(body: &str) -> Result<(), String> {
        decode::<T>(body).map(drop).map_err(|e| e.to_string())
    }
    match kind {
        "Program" => check::<Program>(body),
        "Summary" => check::<Summary>(body),
        "Offers" => check::<Offers>(body),
        "ActivityPage" => check::<ActivityPage>(body),
        "Redemption" => check::<Redemption>(body),
        "Membership" => check::<Membership>(body),
        "ErrorBody" => check::<ErrorBody>(body),
        "RedeemRequest" => check::<RedeemRequest>(body),
        "JoinRequest" => check::<JoinRequest>(body),
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
        if let Err(err) = decode_as(kind, &body) {
            panic!("example {name} does not decode as {kind}: {err}");
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
