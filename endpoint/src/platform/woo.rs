//! WooCommerce's REST API v3: `POST /wp-json/wc/v3/coupons` and
//! `GET /wp-json/wc/v3/coupons?code=...`, with the shop's REST API keys
//! (HTTP Basic, which WooCommerce accepts over https).

use super::{
    status_attempt, Answer, Attempt, Benefit, CodeSpec, Connector, Found, Operation, Settings,
    Trouble,
};
use serde_json::{json, Value};
use std::time::Instant;

/// The coupon's body for `spec`. WooCommerce reads amounts as strings.
fn coupon_body(spec: &CodeSpec) -> Result<Value, String> {
    let mut body = json!({
        "code": spec.code,
        "description": spec.title,
        "usage_limit": 1,
        "usage_limit_per_user": 1,
        "individual_use": !spec.combines,
        // The end of the last day in the shop's own time zone (a plain
        // value is the shop's local time; `date_expires_gmt` is ignored
        // when a coupon is created): the day the customer is shown.
        "date_expires": format!("{}T23:59:59", spec.ends_on),
    });
    match &spec.benefit {
        Benefit::AmountOff(minor) => {
            body["discount_type"] = json!("fixed_cart");
            body["amount"] = json!(super::decimal(*minor, &spec.currency));
        }
        Benefit::PercentOff(percent) => {
            body["discount_type"] = json!("percent");
            body["amount"] = json!(percent.to_string());
        }
        Benefit::FreeShipping => {
            body["discount_type"] = json!("fixed_cart");
            body["amount"] = json!("0");
            body["free_shipping"] = json!(true);
        }
        Benefit::FreeProduct(product) => {
            let id: u64 = product
                .parse()
                .map_err(|_| format!("{product:?} is not a WooCommerce product id"))?;
            body["discount_type"] = json!("percent");
            body["amount"] = json!("100");
            body["product_ids"] = json!([id]);
            body["limit_usage_to_x_items"] = json!(1);
        }
    }
    if let Some(minimum) = spec.min_subtotal {
        body["minimum_amount"] = json!(super::decimal(minimum, &spec.currency));
    }
    // WooCommerce drops an address it cannot use without a word (the
    // coupon would then work for anyone): only a plausible one is sent,
    // and the answer is checked for it.
    if let Some(email) = spec.email.as_deref().filter(|e| plausible_email(e)) {
        body["email_restrictions"] = json!([email.to_ascii_lowercase()]);
    }
    Ok(body)
}

/// An address WooCommerce keeps: one `@`, a dot in the domain, no spaces.
fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.contains('@')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.len() <= 254
}

fn parts(connector: &Connector) -> Result<(&str, &str, &str), Attempt> {
    match &connector.settings {
        Settings::WooCommerce { url, key, secret } => {
            Ok((url.trim_end_matches('/'), key.0.as_str(), secret.0.as_str()))
        }
        Settings::Shopify { .. } => Err(Attempt::Refused("not a WooCommerce shop".into())),
    }
}

/// WooCommerce's error code in an error answer.
fn error_code(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["code"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Try `attempt` at creating the coupon.
pub(super) async fn create(
    connector: &Connector,
    spec: &CodeSpec,
    attempt: u32,
    deadline: Instant,
) -> Attempt {
    let (url, key, secret) = match parts(connector) {
        Ok(parts) => parts,
        Err(attempt) => return attempt,
    };
    let body = match coupon_body(spec) {
        Ok(body) => body,
        Err(reason) => return Attempt::Refused(reason),
    };
    let request = connector
        .client
        .post(format!("{url}/wp-json/wc/v3/coupons"))
        .timeout(Connector::timeout(deadline))
        .basic_auth(key, Some(secret))
        .json(&body);
    let sent = body["email_restrictions"][0].as_str();
    let call = (Operation::CreateCode, attempt);
    match connector
        .call(call, request, |answer| created(answer, sent))
        .await
    {
        Ok(id) => Attempt::Issued(id),
        Err(attempt) => attempt,
    }
}

/// What a create's answer says: the coupon's id, or why there is none.
/// `sent`: the e-mail restriction asked for, checked in the answer.
fn created(answer: Answer, sent: Option<&str>) -> Result<String, Attempt> {
    match answer.status {
        200 | 201 => match serde_json::from_str::<Value>(&answer.body)
            .ok()
            .and_then(|v| Some((v["id"].as_u64()?, v)))
        {
            Some((id, coupon)) => {
                if let Some(sent) = sent {
                    let kept = coupon["email_restrictions"]
                        .to_string()
                        .to_ascii_lowercase();
                    if !kept.contains(&format!("\"{sent}\"")) {
                        tracing::warn!(
                            coupon = id,
                            "WooCommerce did not keep the customer's e-mail restriction"
                        );
                    }
                }
                Ok(id.to_string())
            }
            None => Err(Attempt::Again {
                reason: "an answer without the coupon's id".into(),
                wait: None,
                maybe_made: true,
                trouble: Trouble::BadAnswer,
            }),
        },
        400 if error_code(&answer.body) == "woocommerce_rest_coupon_code_already_exists" => {
            Err(Attempt::Exists)
        }
        status => Err(status_attempt(status, &answer.headers, &answer.body)),
    }
}

/// One GET of WooCommerce's REST API at `path` (under `/wp-json/wc/v3/`):
/// its JSON, when it answered with success.
async fn read(
    connector: &Connector,
    operation: Operation,
    path: &str,
    deadline: Instant,
) -> Result<Value, Attempt> {
    let (url, key, secret) = parts(connector)?;
    let request = connector
        .client
        .get(format!("{url}/wp-json/wc/v3/{path}"))
        .timeout(Connector::timeout(deadline))
        .basic_auth(key, Some(secret));
    connector
        .call((operation, 1), request, |answer| {
            if !(200..300).contains(&answer.status) {
                return Err(status_attempt(answer.status, &answer.headers, &answer.body));
            }
            serde_json::from_str(&answer.body).map_err(|_| Attempt::Again {
                reason: "an answer that is not JSON".into(),
                wait: None,
                maybe_made: false,
                trouble: Trouble::BadAnswer,
            })
        })
        .await
}

/// What the shop must have for the codes to work: the program's currency,
/// and (when a reward is free shipping) a free-shipping method that a
/// coupon unlocks. Each finding is a sentence for the operator.
pub(super) async fn preflight(
    connector: &Connector,
    currency: &str,
    free_shipping: bool,
) -> Vec<String> {
    if parts(connector).is_err() {
        return Vec::new();
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut found = Vec::new();
    let currency_setting = "settings/general/woocommerce_currency";
    match read(connector, Operation::ReadShop, currency_setting, deadline).await {
        Ok(setting) => {
            let shop = setting["value"].as_str().unwrap_or_default();
            if !shop.eq_ignore_ascii_case(currency) {
                found.push(format!(
                    "WooCommerce's currency is {shop:?} but the program's is {currency:?}: \
                     codes' amounts would be read in {shop:?}"
                ));
            }
        }
        Err(
            attempt @ Attempt::Again {
                trouble: Trouble::Unreachable | Trouble::Timeout | Trouble::Dropped,
                ..
            },
        ) => found.push(format!("could not reach WooCommerce: {}", attempt.reason())),
        Err(attempt) => found.push(format!(
            "could not read WooCommerce's currency: {}",
            attempt.reason()
        )),
    }
    if free_shipping {
        let mut unlocked = false;
        let zones = read(
            connector,
            Operation::ReadShipping,
            "shipping/zones",
            deadline,
        )
        .await
        .ok();
        let mut ids: Vec<u64> = vec![0];
        if let Some(list) = zones.as_ref().and_then(Value::as_array) {
            ids.extend(
                list.iter()
                    .filter_map(|zone| zone["id"].as_u64())
                    .filter(|id| *id != 0),
            );
        }
        for id in ids {
            let path = format!("shipping/zones/{id}/methods");
            let Ok(methods) = read(connector, Operation::ReadShipping, &path, deadline).await
            else {
                continue;
            };
            unlocked |= methods.as_array().is_some_and(|all| {
                all.iter().any(|method| {
                    method["method_id"] == "free_shipping"
                        && method["enabled"] != false
                        && matches!(
                            method["settings"]["requires"]["value"].as_str(),
                            Some("coupon" | "either" | "both")
                        )
                })
            });
        }
        if !unlocked {
            found.push(
                "a reward is free shipping, but no WooCommerce shipping zone has a \"Free \
                 shipping\" method that a coupon unlocks (requires: a valid free shipping \
                 coupon): the code would take nothing off"
                    .into(),
            );
        }
    }
    found
}

/// One look-up of a code (`call`: which operation, which try).
pub(super) async fn find(
    connector: &Connector,
    code: &str,
    call: (Operation, u32),
    deadline: Instant,
) -> Result<Option<Found>, Attempt> {
    let (url, key, secret) = parts(connector)?;
    let request = connector
        .client
        .get(format!("{url}/wp-json/wc/v3/coupons"))
        .query(&[("code", code)])
        .timeout(Connector::timeout(deadline))
        .basic_auth(key, Some(secret));
    connector
        .call(call, request, |answer| found(answer, code))
        .await
}

/// What a look-up's answer says about `code`.
fn found(answer: Answer, code: &str) -> Result<Option<Found>, Attempt> {
    if answer.status != 200 {
        return Err(status_attempt(answer.status, &answer.headers, &answer.body));
    }
    let list: Vec<Value> = serde_json::from_str(&answer.body).map_err(|_| Attempt::Again {
        reason: "a coupon list that is not JSON".into(),
        wait: None,
        maybe_made: false,
        trouble: Trouble::BadAnswer,
    })?;
    Ok(list
        .iter()
        .find(|c| {
            c["code"]
                .as_str()
                .is_some_and(|found| found.eq_ignore_ascii_case(code))
        })
        .and_then(|c| {
            Some(Found {
                reference: c["id"].as_u64()?.to_string(),
                used: c["usage_count"].as_u64().is_some_and(|n| n > 0),
                expired: c["date_expires_gmt"]
                    .as_str()
                    .is_some_and(|gmt| past(gmt, now_ms())),
            })
        }))
}

/// Whether a coupon's `date_expires_gmt` (`YYYY-MM-DDTHH:MM:SS`, UTC) is
/// before `now_ms` (Unix milliseconds). A value in another form is not
/// taken as past: the code's own last day still decides.
fn past(gmt: &str, now_ms: i64) -> bool {
    matches!(
        loyalty_core::date::parse(&format!("{gmt}Z")),
        Some(loyalty_core::date::ContractDate::Instant(at)) if at < now_ms
    )
}

/// Now in Unix milliseconds.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_coupon_is_past_after_its_gmt_end_only() {
        let end = "2026-12-31T23:59:59";
        // 2026-12-31T23:59:58Z and 2027-01-01T00:00:00Z in milliseconds.
        assert!(!past(end, 1_798_761_598_000));
        assert!(past(end, 1_798_761_600_000));
        for odd in ["", "2026-12-31", "31.12.2026 23:59", "2026-02-30T00:00:00"] {
            assert!(!past(odd, i64::MAX), "{odd}");
        }
    }

    fn spec(benefit: Benefit) -> CodeSpec {
        CodeSpec {
            code: "MR-AAAAA-BBBBB".into(),
            title: "Loyalty: €5 voucher".into(),
            benefit,
            currency: "EUR".into(),
            min_subtotal: None,
            starts_on: "2026-12-06".into(),
            ends_on: "2027-01-05".into(),
            combines: true,
            customer_id: "7".into(),
            email: Some("anna@example.com".into()),
        }
    }

    #[test]
    fn each_benefit_becomes_its_coupon() {
        let body = coupon_body(&spec(Benefit::AmountOff(550))).expect("body");
        assert_eq!(body["discount_type"], "fixed_cart");
        assert_eq!(body["amount"], "5.50");
        assert_eq!(body["email_restrictions"][0], "anna@example.com");
        assert_eq!(body["individual_use"], false);
        assert_eq!(body["usage_limit"], 1);
        assert_eq!(body["date_expires"], "2027-01-05T23:59:59");
        let mut no_mail = spec(Benefit::AmountOff(1));
        no_mail.email = Some("not an address".into());
        assert!(coupon_body(&no_mail)
            .expect("body")
            .get("email_restrictions")
            .is_none());
        let body = coupon_body(&spec(Benefit::PercentOff(15))).expect("body");
        assert_eq!(
            (body["discount_type"].as_str(), body["amount"].as_str()),
            (Some("percent"), Some("15"))
        );
        let body = coupon_body(&spec(Benefit::FreeShipping)).expect("body");
        assert_eq!(body["free_shipping"], true);
        let body = coupon_body(&spec(Benefit::FreeProduct("15".into()))).expect("body");
        assert_eq!(body["product_ids"][0], 15);
        assert_eq!(body["amount"], "100");
        assert!(coupon_body(&spec(Benefit::FreeProduct(
            "gid://shopify/Product/1".into()
        )))
        .is_err());
    }
}
