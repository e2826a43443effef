//! `openapi/loyalty-admin-v1.json` describes the admin API the endpoint
//! serves: every documented operation is called over real HTTP with the
//! spec's own example body, answers one of its documented statuses, and
//! the answer has the documented shape (types, required and known
//! properties, enums), checked by a small schema walker.

mod common;

use common::Server;
use serde_json::Value;

const SPEC: &str = include_str!("../../openapi/loyalty-admin-v1.json");

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap_or_default();
            &spec["components"]["schemas"][name]
        }
        None => schema,
    }
}

/// Problems of `value` against `schema` (the keywords the spec uses).
fn problems(spec: &Value, schema: &Value, value: &Value, at: &str) -> Vec<String> {
    let schema = resolve(spec, schema);
    if let Some(options) = schema["oneOf"].as_array() {
        let fits = options
            .iter()
            .filter(|option| problems(spec, option, value, at).is_empty())
            .count();
        return if fits == 1 {
            Vec::new()
        } else {
            vec![format!("{at}: fits {fits} of oneOf")]
        };
    }
    if let Some(choices) = schema["enum"].as_array() {
        if !choices.contains(value) {
            return vec![format!("{at}: {value} is not one of {choices:?}")];
        }
    }
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let allowed: Vec<&str> = match &schema["type"] {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !allowed.is_empty() && !allowed.contains(&kind) {
        return vec![format!("{at}: a {kind}, documented as {allowed:?}")];
    }
    let mut found = Vec::new();
    if let (Value::Object(object), Some(properties)) = (value, schema["properties"].as_object()) {
        for required in schema["required"].as_array().into_iter().flatten() {
            let name = required.as_str().unwrap_or_default();
            if !object.contains_key(name) {
                found.push(format!("{at}.{name}: required, missing"));
            }
        }
        for (name, inner) in object {
            match properties.get(name) {
                Some(property) => {
                    found.extend(problems(spec, property, inner, &format!("{at}.{name}")))
                }
                None => found.push(format!("{at}.{name}: not documented")),
            }
        }
    }
    if let Value::Array(items) = value {
        for (i, item) in items.iter().enumerate() {
            found.extend(problems(
                spec,
                &schema["items"],
                item,
                &format!("{at}[{i}]"),
            ));
        }
    }
    found
}

#[test]
fn every_documented_operation_answers_as_documented() {
    let spec: Value = serde_json::from_str(SPEC).expect("the spec is JSON");
    let server = Server::start();
    let key = format!("Bearer {}", String::from_utf8_lossy(common::ADMIN_KEY));
    // In an order that makes each call meaningful: the customer first.
    let calls = [
        ("/admin/v1/customers/{id}", "put", "cust-hana"),
        ("/admin/v1/orders", "post", ""),
        ("/admin/v1/orders/{id}/refunds", "post", "1042"),
        ("/admin/v1/orders/import", "post", ""),
        ("/admin/v1/analytics", "get", ""),
        ("/admin/v1/customers/{id}/adjustments", "post", "cust-hana"),
        ("/admin/v1/customers/{id}/ledger", "get", "cust-hana"),
        ("/admin/v1/customers", "get", ""),
        ("/admin/v1/customers/{id}", "get", "cust-hana"),
        ("/admin/v1/customers/{id}/export", "get", "cust-hana"),
        ("/admin/v1/customers/{id}/erase", "post", "cust-hana"),
        ("/admin/v1/audit", "get", ""),
        // The console's program page and its sample customer's token.
        ("/admin/v1/program", "get", ""),
        ("/admin/v1/preview-token", "post", ""),
        // The console's session: the example's key is not this server's
        // (401), and the admin key is no session (401); signing out
        // without a session is still 204.
        ("/admin/v1/session", "post", ""),
        ("/admin/v1/session", "get", ""),
        ("/admin/v1/session", "delete", ""),
        ("/admin/v1/settle", "post", ""),
        ("/admin/v1/redemptions", "get", ""),
        // No redemption is pending without a platform: the documented 404.
        ("/admin/v1/redemptions/{id}/retry", "post", "red-none"),
        // Nothing to reissue: the documented 404.
        ("/admin/v1/redemptions/{id}/reissue", "post", "red-none"),
        ("/admin/v1/reconcile", "post", ""),
        ("/admin/v1/imports", "post", ""),
        ("/admin/v1/imports", "get", ""),
        // The import applied nothing (a dry run): the documented 404.
        ("/admin/v1/imports/{id}/undo", "post", "0123456789abcdef"),
        ("/admin/v1/export", "get", ""),
        ("/livez", "get", ""),
        ("/readyz", "get", ""),
    ];
    let documented: usize = spec["paths"]
        .as_object()
        .expect("paths")
        .values()
        .map(|methods| methods.as_object().map_or(0, |m| m.len()))
        .sum();
    assert_eq!(
        calls.len(),
        documented,
        "every documented operation is called"
    );
    for (path, method, id) in calls {
        let operation = &spec["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} is documented");
        let body = operation["requestBody"]["content"]["application/json"]["examples"]
            .as_object()
            .and_then(|examples| examples.values().next())
            .and_then(|example| example["$ref"].as_str())
            .map(|reference| {
                let name = reference.rsplit('/').next().unwrap_or_default();
                spec["components"]["examples"][name]["value"].to_string()
            })
            .or_else(|| {
                // A file's body (an import) is its media type's example.
                let content = operation["requestBody"]["content"].as_object()?;
                content
                    .values()
                    .find_map(|media| media["example"].as_str().map(str::to_owned))
            })
            .unwrap_or_default();
        let url = path.replace("{id}", id);
        let reply = server
            .send(
                &method.to_uppercase(),
                &url,
                &[("Authorization", &key), ("Idempotency-Key", "spec-1")],
                &body,
            )
            .expect("an answer");
        let status = reply.status.to_string();
        let response = &operation["responses"][&status];
        assert!(
            response.is_object(),
            "{method} {url}: {status} is not documented: {}",
            reply.body
        );
        let session_read = path == "/admin/v1/session" && method != "delete";
        if path.ends_with("/retry") || path.ends_with("/reissue") || path.ends_with("/undo") {
            assert_eq!(reply.status, 404, "{method} {url}: {}", reply.body);
        } else if session_read {
            assert_eq!(reply.status, 401, "{method} {url}: {}", reply.body);
        } else {
            assert!(
                reply.status < 300,
                "{method} {url}: {status}: {}",
                reply.body
            );
        }
        if let Some(example) = response["content"]["text/csv"]["example"].as_str() {
            // A file (the export): CSV with the documented header.
            assert!(
                reply
                    .header("content-type")
                    .is_some_and(|t| t.starts_with("text/csv")),
                "{method} {url}"
            );
            assert_eq!(reply.body.lines().next(), example.lines().next());
        } else if !response["content"].is_object() {
            // No body documented (204): none sent.
            assert!(reply.body.is_empty(), "{method} {url}: {}", reply.body);
        } else {
            let schema = &response["content"]["application/json"]["schema"];
            let answer: Value = serde_json::from_str(&reply.body).expect("JSON");
            let found = problems(&spec, schema, &answer, "answer");
            assert!(
                found.is_empty(),
                "{method} {url}: {found:#?}\n{}",
                reply.body
            );
        }
        // Without the key, every operation is 401 as documented, but those
        // documented to need none (`security: []`: the health checks).
        let refused = server
            .send(&method.to_uppercase(), &url, &[], &body)
            .expect("an answer");
        if session_read {
            assert_eq!(refused.status, 401, "{method} {url}");
        } else if operation["security"] == serde_json::json!([]) {
            assert_eq!(refused.status, 200, "{method} {url}");
        } else {
            assert_eq!(refused.status, 401, "{method} {url}");
            assert!(operation["responses"]["401"].is_object());
        }
    }
}

#[test]
fn the_schema_walker_finds_what_is_wrong() {
    let spec: Value = serde_json::from_str(SPEC).expect("the spec is JSON");
    let order = &spec["components"]["schemas"]["Order"];
    let good = &spec["components"]["examples"]["recorded"]["value"];
    assert!(problems(&spec, order, good, "o").is_empty());
    let mut bad = good.clone();
    bad["points"] = Value::from("80");
    bad["extra"] = Value::from(1);
    bad.as_object_mut().expect("object").remove("replayed");
    assert_eq!(
        problems(&spec, order, &bad, "o").len(),
        3,
        "{:?}",
        problems(&spec, order, &bad, "o")
    );
}
