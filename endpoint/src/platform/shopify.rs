//! Shopify's Admin GraphQL API: `discountCodeBasicCreate` (an amount or a
//! percentage off, or 100% off one product), `discountCodeFreeShippingCreate`,
//! and `codeDiscountNodeByCode` to find a code made before.

use super::{
    status_attempt, Answer, Attempt, Benefit, CodeSpec, Connector, Found, Operation, Settings,
    Trouble,
};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const CREATE_BASIC: &str = "mutation LoyaltyCreateBasic($input: DiscountCodeBasicInput!) { \
discountCodeBasicCreate(basicCodeDiscount: $input) { codeDiscountNode { id } userErrors { field message code } } }";

const CREATE_SHIPPING: &str = "mutation LoyaltyCreateShipping($input: DiscountCodeFreeShippingInput!) { \
discountCodeFreeShippingCreate(freeShippingCodeDiscount: $input) { codeDiscountNode { id } userErrors { field message code } } }";

const FIND: &str = "query LoyaltyFind($code: String!) { codeDiscountNodeByCode(code: $code) { id \
codeDiscount { __typename ... on DiscountCodeBasic { asyncUsageCount status } \
... on DiscountCodeFreeShipping { asyncUsageCount status } } } }";

/// A Shopify global id for a numeric id (`gid://shopify/Customer/7`), or
/// the id itself when it is one of `kind` already.
fn gid(kind: &str, id: &str) -> Option<String> {
    let prefix = format!("gid://shopify/{kind}/");
    let digits = id.strip_prefix(&prefix).unwrap_or(id);
    (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()))
        .then(|| format!("{prefix}{digits}"))
}

const SHOP: &str = "query LoyaltyShop { shop { currencyCode timezoneOffset } }";

/// `+0100` as RFC 3339 writes an offset (`+01:00`); `None` if it is not one.
fn rfc3339_offset(shopify: &str) -> Option<String> {
    let (sign, digits) = shopify.split_at_checked(1)?;
    let valid = matches!(sign, "+" | "-")
        && digits.len() == 4
        && digits.bytes().all(|b| b.is_ascii_digit());
    valid.then(|| format!("{sign}{}:{}", &digits[..2], &digits[2..]))
}

/// Reads the shop's currency (a finding when it is not the program's) and
/// time zone offset (kept for the codes' last day).
pub(super) async fn preflight(connector: &Connector, currency: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let call = (Operation::ReadShop, 1);
    let value = match post(connector, call, SHOP, json!({}), deadline, Ok).await {
        Ok(value) => value,
        Err(attempt) => {
            return vec![format!(
                "could not read the Shopify shop's settings: {}",
                attempt.reason()
            )]
        }
    };
    let shop = &value["data"]["shop"];
    let mut found = Vec::new();
    match shop["currencyCode"].as_str() {
        Some(code) if !code.eq_ignore_ascii_case(currency) => found.push(format!(
            "the Shopify shop's currency is {code:?} but the program's is {currency:?}: \
             codes' amounts would be read in {code:?}"
        )),
        Some(_) => {}
        None => found.push("the Shopify shop did not say its currency".into()),
    }
    match shop["timezoneOffset"].as_str().and_then(rfc3339_offset) {
        Some(offset) => {
            if let Ok(mut kept) = connector.offset.lock() {
                *kept = Some(offset);
            }
        }
        None => found
            .push("the Shopify shop did not say its time zone: codes end at midnight UTC".into()),
    }
    found
}

/// The variables of the create mutation for `spec`, and which mutation.
fn create_request(spec: &CodeSpec, offset: &str) -> Result<(&'static str, Value), String> {
    let customer = gid("Customer", &spec.customer_id).ok_or_else(|| {
        format!(
            "customer {:?} has no Shopify customer id: a code limited to them cannot be made",
            spec.customer_id
        )
    })?;
    let mut input = json!({
        "title": spec.title,
        "code": spec.code,
        "startsAt": format!("{}T00:00:00Z", spec.starts_on),
        // The end of the last day in the shop's time zone.
        "endsAt": format!("{}T23:59:59{offset}", spec.ends_on),
        "usageLimit": 1,
        "appliesOncePerCustomer": true,
        "context": { "customers": { "add": [customer] } },
    });
    if let Some(minimum) = spec.min_subtotal {
        input["minimumRequirement"] = json!({
            "subtotal": { "greaterThanOrEqualToSubtotal": super::decimal(minimum, &spec.currency) }
        });
    }
    let combines = spec.combines;
    let (document, gets) = match &spec.benefit {
        Benefit::FreeShipping => {
            input["destination"] = json!({ "all": true });
            input["combinesWith"] = json!({
                "orderDiscounts": combines, "productDiscounts": combines, "shippingDiscounts": false
            });
            return Ok((CREATE_SHIPPING, json!({ "input": input })));
        }
        Benefit::AmountOff(minor) => (
            CREATE_BASIC,
            json!({
                "value": { "discountAmount": {
                    "amount": super::decimal(*minor, &spec.currency), "appliesOnEachItem": false } },
                "items": { "all": true }
            }),
        ),
        Benefit::PercentOff(percent) => (
            CREATE_BASIC,
            json!({
                "value": { "percentage": f64::from(*percent) / 100.0 },
                "items": { "all": true }
            }),
        ),
        Benefit::FreeProduct(product) => {
            let items = if let Some(variant) = product
                .strip_prefix("gid://shopify/ProductVariant/")
                .and_then(|id| gid("ProductVariant", id))
            {
                json!({ "products": { "productVariantsToAdd": [variant] } })
            } else {
                let product = gid("Product", product)
                    .ok_or_else(|| format!("{product:?} is not a Shopify product id"))?;
                json!({ "products": { "productsToAdd": [product] } })
            };
            (
                CREATE_BASIC,
                json!({ "value": { "percentage": 1.0 }, "items": items }),
            )
        }
    };
    input["customerGets"] = gets;
    input["combinesWith"] = json!({
        "orderDiscounts": combines, "productDiscounts": combines, "shippingDiscounts": combines
    });
    Ok((document, json!({ "input": input })))
}

/// Posts one GraphQL document (through [`Connector::call`]); `read` takes
/// the answer's JSON when Shopify answered 200 without top-level errors.
async fn post<T>(
    connector: &Connector,
    call: (Operation, u32),
    document: &str,
    variables: Value,
    deadline: Instant,
    read: impl FnOnce(Value) -> Result<T, Attempt>,
) -> Result<T, Attempt> {
    let Settings::Shopify {
        shop,
        token,
        version,
        admin_url,
    } = &connector.settings
    else {
        return Err(Attempt::Refused("not a Shopify shop".into()));
    };
    let url = admin_url
        .clone()
        .unwrap_or_else(|| format!("https://{shop}/admin/api/{version}/graphql.json"));
    let request = connector
        .client
        .post(url)
        .timeout(Connector::timeout(deadline))
        .header("X-Shopify-Access-Token", &token.0)
        .json(&json!({ "query": document, "variables": variables }));
    connector
        .call(call, request, |answer: Answer| {
            if answer.status != 200 {
                return Err(status_attempt(answer.status, &answer.headers, &answer.body));
            }
            let value: Value = serde_json::from_str(&answer.body).map_err(|_| Attempt::Again {
                reason: "an answer that is not JSON".into(),
                wait: None,
                maybe_made: true,
                trouble: Trouble::BadAnswer,
            })?;
            if let Some(errors) = value.get("errors") {
                return Err(graphql_errors(errors, value.get("extensions")));
            }
            read(value)
        })
        .await
}

/// Top-level GraphQL errors: throttling waits for the bucket to refill;
/// anything else (a document the schema refuses, a missing scope) made
/// nothing.
fn graphql_errors(errors: &Value, extensions: Option<&Value>) -> Attempt {
    let list = errors.as_array().cloned().unwrap_or_default();
    let throttled = list
        .iter()
        .any(|e| e["extensions"]["code"].as_str() == Some("THROTTLED"));
    let text = list
        .iter()
        .filter_map(|e| e["message"].as_str())
        .collect::<Vec<_>>()
        .join("; ");
    if throttled {
        let cost = extensions.map(|e| &e["cost"]);
        let wait = cost.and_then(|cost| {
            let requested = cost["requestedQueryCost"].as_f64()?;
            let available = cost["throttleStatus"]["currentlyAvailable"].as_f64()?;
            let rate = cost["throttleStatus"]["restoreRate"].as_f64()?;
            (rate > 0.0).then(|| {
                Duration::from_secs_f64(((requested - available) / rate).clamp(0.05, 60.0))
            })
        });
        return Attempt::Again {
            reason: "throttled".into(),
            wait: wait.or(Some(Duration::from_secs(1))),
            maybe_made: false,
            trouble: Trouble::Throttled,
        };
    }
    Attempt::Refused(format!("Shopify refused the request: {text}"))
}

/// Try `attempt` at creating the code.
pub(super) async fn create(
    connector: &Connector,
    spec: &CodeSpec,
    attempt: u32,
    deadline: Instant,
) -> Attempt {
    let (document, variables) = match create_request(spec, &connector.offset()) {
        Ok(request) => request,
        Err(reason) => return Attempt::Refused(reason),
    };
    let call = (Operation::CreateCode, attempt);
    match post(connector, call, document, variables, deadline, created).await {
        Ok(reference) => Attempt::Issued(reference),
        Err(attempt) => attempt,
    }
}

/// What a create mutation's answer says: the new discount's id, or why
/// there is none.
fn created(value: Value) -> Result<String, Attempt> {
    let payload = value["data"]
        .as_object()
        .and_then(|data| data.values().next())
        .cloned()
        .unwrap_or(Value::Null);
    let errors = payload["userErrors"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if errors.is_empty() {
        return match payload["codeDiscountNode"]["id"].as_str() {
            Some(id) => Ok(id.to_owned()),
            None => Err(Attempt::Again {
                reason: "an answer without the discount's id".into(),
                wait: None,
                maybe_made: true,
                trouble: Trouble::BadAnswer,
            }),
        };
    }
    let code_of = |e: &Value| e["code"].as_str().unwrap_or_default().to_owned();
    let on_code = |e: &Value| {
        e["field"]
            .as_array()
            .and_then(|f| f.last())
            .and_then(Value::as_str)
            == Some("code")
    };
    if errors
        .iter()
        .any(|e| on_code(e) && matches!(code_of(e).as_str(), "TAKEN" | "DUPLICATE"))
    {
        return Err(Attempt::Exists);
    }
    let text = errors
        .iter()
        .map(|e| format!("{} ({})", e["message"].as_str().unwrap_or("?"), code_of(e)))
        .collect::<Vec<_>>()
        .join("; ");
    if errors.iter().any(|e| code_of(e) == "INTERNAL_ERROR") {
        return Err(Attempt::Again {
            reason: format!("Shopify: {text}"),
            wait: None,
            maybe_made: true,
            trouble: Trouble::ServerError,
        });
    }
    Err(Attempt::Refused(format!(
        "Shopify refused the discount: {text}"
    )))
}

/// One look-up of a code (`call`: which operation, which try).
pub(super) async fn find(
    connector: &Connector,
    code: &str,
    call: (Operation, u32),
    deadline: Instant,
) -> Result<Option<Found>, Attempt> {
    post(
        connector,
        call,
        FIND,
        json!({ "code": code }),
        deadline,
        found,
    )
    .await
}

/// What a look-up's answer says about the code.
fn found(value: Value) -> Result<Option<Found>, Attempt> {
    let node = &value["data"]["codeDiscountNodeByCode"];
    if node.is_null() {
        return Ok(None);
    }
    let reference = node["id"].as_str().ok_or_else(|| Attempt::Again {
        reason: "a found discount without an id".into(),
        wait: None,
        maybe_made: false,
        trouble: Trouble::BadAnswer,
    })?;
    let used = node["codeDiscount"]["asyncUsageCount"]
        .as_u64()
        .is_some_and(|count| count > 0);
    let expired = node["codeDiscount"]["status"].as_str() == Some("EXPIRED");
    Ok(Some(Found {
        reference: reference.to_owned(),
        used,
        expired,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(benefit: Benefit) -> CodeSpec {
        CodeSpec {
            code: "MR-AAAAA-BBBBB".into(),
            title: "Loyalty: €5 voucher".into(),
            benefit,
            currency: "EUR".into(),
            min_subtotal: Some(2000),
            starts_on: "2026-12-06".into(),
            ends_on: "2027-01-05".into(),
            combines: false,
            customer_id: "1001".into(),
            email: None,
        }
    }

    #[test]
    fn each_benefit_becomes_its_mutation() {
        let (doc, vars) = create_request(&spec(Benefit::AmountOff(500)), "Z").expect("request");
        assert_eq!(doc, CREATE_BASIC);
        let input = &vars["input"];
        assert_eq!(
            input["customerGets"]["value"]["discountAmount"]["amount"],
            "5.00"
        );
        assert_eq!(
            input["context"]["customers"]["add"][0],
            "gid://shopify/Customer/1001"
        );
        assert_eq!(
            input["minimumRequirement"]["subtotal"]["greaterThanOrEqualToSubtotal"],
            "20.00"
        );
        assert_eq!(input["usageLimit"], 1);
        assert_eq!(input["endsAt"], "2027-01-05T23:59:59Z");

        let (_, vars) = create_request(&spec(Benefit::PercentOff(10)), "Z").expect("request");
        assert_eq!(vars["input"]["customerGets"]["value"]["percentage"], 0.1);

        let (doc, vars) = create_request(&spec(Benefit::FreeShipping), "Z").expect("request");
        assert_eq!(doc, CREATE_SHIPPING);
        assert!(vars["input"].get("customerGets").is_none());

        let (_, vars) =
            create_request(&spec(Benefit::FreeProduct("42".into())), "Z").expect("request");
        let gets = &vars["input"]["customerGets"];
        assert_eq!(gets["value"]["percentage"], 1.0);
        assert_eq!(
            gets["items"]["products"]["productsToAdd"][0],
            "gid://shopify/Product/42"
        );

        let variant = Benefit::FreeProduct("gid://shopify/ProductVariant/7".into());
        let (_, vars) = create_request(&spec(variant), "Z").expect("request");
        assert_eq!(
            vars["input"]["customerGets"]["items"]["products"]["productVariantsToAdd"][0],
            "gid://shopify/ProductVariant/7"
        );
    }

    #[test]
    fn shopify_s_answers_are_counted_by_what_they_say() {
        let throttled = json!([{ "message": "Throttled", "extensions": { "code": "THROTTLED" } }]);
        assert_eq!(graphql_errors(&throttled, None).outcome(), "throttled");
        let invalid = json!([{ "message": "Field 'x' doesn't exist" }]);
        assert_eq!(graphql_errors(&invalid, None).outcome(), "refused");
        let answer = |errors: Value| {
            json!({ "data": { "discountCodeBasicCreate": {
                "codeDiscountNode": null, "userErrors": errors } } })
        };
        let taken =
            json!([{ "field": ["basicCodeDiscount", "code"], "code": "TAKEN", "message": "" }]);
        let internal = json!([{ "field": null, "code": "INTERNAL_ERROR", "message": "" }]);
        let blank = json!([{ "field": ["title"], "code": "BLANK", "message": "" }]);
        let outcome = |value| match created(value) {
            Ok(_) => "ok",
            Err(attempt) => attempt.outcome(),
        };
        assert_eq!(outcome(answer(taken)), "exists");
        assert_eq!(outcome(answer(internal)), "server_error");
        assert_eq!(outcome(answer(blank)), "refused");
        assert_eq!(outcome(answer(json!([]))), "bad_answer", "no id");
    }

    #[test]
    fn the_last_day_ends_in_the_shop_s_time_zone() {
        assert_eq!(rfc3339_offset("+0100").as_deref(), Some("+01:00"));
        assert_eq!(rfc3339_offset("-0530").as_deref(), Some("-05:30"));
        assert_eq!(rfc3339_offset("0100"), None);
        let (_, vars) = create_request(&spec(Benefit::FreeShipping), "-08:00").expect("request");
        assert_eq!(vars["input"]["endsAt"], "2027-01-05T23:59:59-08:00");
    }

    #[test]
    fn a_customer_without_a_shopify_id_gets_no_code_for_everyone() {
        let mut spec = spec(Benefit::AmountOff(500));
        spec.customer_id = "anna@example.com".into();
        assert!(create_request(&spec, "Z").is_err());
    }
}
