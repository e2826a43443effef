//! `GET /admin/v1/analytics` (issue #30): the store's SQL sums give the
//! same answer as the domain's reference computation over the whole
//! history, on a generated shop of a few hundred customers with live,
//! non-member and imported orders on top; and the route's refusals. Over
//! real HTTP and SQLite (PostgreSQL in the `postgres` step).

mod common;

use common::{run_binary, value, Server, TODAY};
use loyalty_endpoint::domain::analytics;
use loyalty_endpoint::program;
use loyalty_endpoint::store::{analytics as sums, Store, Target};

/// The reference answer for `from..=to`, from the whole history.
fn reference(server: &Server, from: &str, to: &str) -> serde_json::Value {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let target = match &server.database_url {
            Some(url) => Target::Postgres(url.clone()),
            None => Target::File(server.db.clone()),
        };
        let store = Store::open(&target, 1).await.expect("the store");
        let mut conn = store.read().await.expect("a connection");
        let history = sums::history(&mut conn.db()).await.expect("the history");
        drop(conn);
        store.close().await;
        let program = program::parse(program::DEMO).expect("the demo program");
        let settings = analytics::settings_of(&program);
        let day = |text: &str| loyalty_endpoint::ledger::parse_date(text).expect("a day");
        let period = analytics::Period {
            from: day(from),
            to: day(to),
        };
        let inputs = analytics::inputs_of(&history, &settings, period);
        serde_json::to_value(analytics::answer(&inputs, &settings, period)).expect("JSON")
    })
}

/// Where `got` differs from `want` (numbers within a part in 10^12: the
/// JSON reader's last digit), as paths.
fn differences(got: &serde_json::Value, want: &serde_json::Value, at: &str) -> Vec<String> {
    use serde_json::Value;
    match (got, want) {
        (Value::Object(a), Value::Object(b)) => {
            let mut found = Vec::new();
            for key in a.keys().chain(b.keys().filter(|key| !a.contains_key(*key))) {
                let none = Value::Null;
                let (x, y) = (a.get(key).unwrap_or(&none), b.get(key).unwrap_or(&none));
                found.extend(differences(x, y, &format!("{at}.{key}")));
            }
            found
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .flat_map(|(i, (x, y))| differences(x, y, &format!("{at}[{i}]")))
            .collect(),
        (Value::Number(a), Value::Number(b)) if a.is_f64() || b.is_f64() => {
            let (x, y) = (
                a.as_f64().unwrap_or(f64::NAN),
                b.as_f64().unwrap_or(f64::NAN),
            );
            if (x - y).abs() <= 1e-12 * x.abs().max(y.abs()).max(1.0) {
                Vec::new()
            } else {
                vec![format!("{at}: {got} != {want}")]
            }
        }
        _ if got == want => Vec::new(),
        _ => vec![format!("{at}: {got} != {want}")],
    }
}

/// The first `count` members' ids (by id) who joined before `before`.
fn members(server: &Server, count: usize, before: &str) -> Vec<String> {
    let reply = server.admin("GET", "/admin/v1/customers?limit=100", "");
    assert_eq!(reply.status, 200, "{}", reply.body);
    let page = value(&reply);
    let mut ids: Vec<String> = page["customers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|row| row["state"] == "member")
        .filter(|row| row["created_on"].as_str().is_some_and(|on| on < before))
        .filter_map(|row| row["id"].as_str().map(str::to_owned))
        .collect();
    ids.sort();
    ids.truncate(count);
    assert_eq!(ids.len(), count, "{page}");
    ids
}

/// Erases the customer through the admin API, then moves their erasure to
/// `at` in the store (the API erases now, by the wall clock).
fn erase(server: &Server, id: &str, at: &str) {
    let reply = server.admin("POST", &format!("/admin/v1/customers/{id}/erase"), "");
    assert_eq!(reply.status, 200, "{}", reply.body);
    let moved = server
        .execute(&format!(
            "UPDATE customers SET erased_at = '{at}' WHERE id = '{id}'"
        ))
        .expect("the erasure moved");
    assert_eq!(moved, 1);
}

/// A generated shop (three years up to the tests' day) with live orders,
/// a guest's, a refund and an import on top; with `erased`, three
/// members erased too (in the middle of November 2026, in June 2025, and
/// on the tests' day).
fn shop_with(erased: bool) -> Server {
    let server = Server::start();
    let dir = tempfile::tempdir().expect("a dir");
    let db = server.db.display().to_string();
    let mut args = vec![
        "generate",
        "--customers",
        "400",
        "--entries",
        "4000",
        "--years",
        "3",
        "--seed",
        "7",
        "--today",
        TODAY,
    ];
    match server.database_url.as_deref() {
        Some(url) => args.extend(["--database", url]),
        None => args.extend(["--db", &db]),
    }
    let (ok, stderr, stdout) = run_binary(dir.path(), None, &args);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("generated 260 members, 140 guests"),
        "{stdout}"
    );
    for body in [
        r#"{"id":"live-1","customer_id":"gen-3","total_minor":4200,"placed_at":"2026-11-30T23:59:59Z"}"#,
        r#"{"id":"live-2","customer_id":"walk-in","total_minor":1800,"member":false,"placed_at":"2026-11-12T08:00:00+01:00"}"#,
        r#"{"id":"live-3","customer_id":"new-member","total_minor":9900,"placed_at":"2026-11-20T10:00:00Z"}"#,
    ] {
        let reply = server.admin("POST", "/admin/v1/orders", body);
        assert_eq!(reply.status, 201, "{}", reply.body);
    }
    let refund = server.admin(
        "POST",
        "/admin/v1/orders/live-3/refunds",
        r#"{"id":"live-3-r","amount_minor":9900}"#,
    );
    assert_eq!(refund.status, 201, "{}", refund.body);
    let import = server.admin(
        "POST",
        "/admin/v1/orders/import",
        "id,customer_id,email,total_minor,refunded_minor,placed_at,member\n\
         old-1,gen-5,,2500,0,2023-12-01T09:00:00Z,true\n\
         old-2,,someone@example.com,3100,100,2024-06-30,false\n",
    );
    assert_eq!(value(&import)["recorded"], 2, "{}", import.body);
    if erased {
        let ids = members(&server, 3, "2025-06-01");
        erase(&server, &ids[0], "2026-11-15T10:00:00Z");
        erase(&server, &ids[1], "2025-06-01T00:00:00Z");
        erase(&server, &ids[2], &format!("{TODAY}T12:00:00Z"));
    }
    server
}

/// The generated shop with erased members.
fn shop() -> Server {
    shop_with(true)
}

#[test]
fn the_sums_give_the_reference_answer_on_a_generated_shop() {
    let server = shop();
    let periods = [
        ("2026-11-01", "2026-11-30"),
        ("2026-09-01", "2026-11-30"),
        ("2025-12-01", "2026-11-30"),
        ("2023-12-01", "2026-11-30"),
        ("2024-02-29", "2024-03-01"),
        ("2026-12-01", "2026-12-31"),
        ("2019-01-01", "2019-01-31"),
        ("2026-11-15", "2026-11-15"),
        ("2025-05-01", "2025-06-30"),
    ];
    let (mut seen_tiers_move, mut seen_more_at_risk) = (false, false);
    for (from, to) in periods {
        let reply = server.admin(
            "GET",
            &format!("/admin/v1/analytics?from={from}&to={to}"),
            "",
        );
        assert_eq!(reply.status, 200, "{}", reply.body);
        let answer = value(&reply);
        let found = differences(&answer, &reference(&server, from, to), "");
        assert!(found.is_empty(), "{from}..{to}: {found:#?}");
        let moved: i64 = answer["current"]["tiers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|tier| tier["moved_up"].as_i64())
            .sum();
        seen_tiers_move |= moved > 0;
        let listed = answer["at_risk"]["customers"]
            .as_array()
            .map_or(0, Vec::len);
        seen_more_at_risk |= answer["at_risk"]["count"].as_u64() > Some(listed as u64);
    }
    assert!(seen_tiers_move, "some member moved up a tier");
    assert!(seen_more_at_risk, "more members at risk than listed");
    // Not a comparison of empty answers: the shop's last year has orders
    // of members and non-members, redemptions and members at risk.
    let year = value(&server.admin(
        "GET",
        "/admin/v1/analytics?from=2025-12-01&to=2026-11-30",
        "",
    ));
    let now = &year["current"];
    assert!(
        now["orders"]["members"].as_i64().unwrap_or(0) > 100,
        "{now}"
    );
    assert!(
        now["orders"]["non_members"].as_i64().unwrap_or(0) > 20,
        "{now}"
    );
    assert!(now["redemptions"].as_i64().unwrap_or(0) > 10, "{now}");
    assert!(now["points_expired"].as_i64().unwrap_or(0) > 0, "{now}");
    assert!(year["at_risk"]["count"].as_i64().unwrap_or(0) > 0, "{year}");
    assert!(year["retention_rate"].is_f64(), "{year}");
    let all = value(&server.admin(
        "GET",
        "/admin/v1/analytics?from=2023-12-01&to=2026-11-30",
        "",
    ));
    let referrals = &all["current"]["referrals"];
    assert!(
        referrals["friends_ordered"].as_i64().unwrap_or(0) > 0,
        "{referrals}"
    );
    assert_eq!(year["trend"].as_array().map(Vec::len), Some(14));
    // The default: the last 30 days ending today.
    let default = value(&server.admin("GET", "/admin/v1/analytics", ""));
    assert_eq!(
        (default["from"].as_str(), default["to"].as_str()),
        (Some("2026-11-01"), Some(TODAY))
    );
    let found = differences(&default, &reference(&server, "2026-11-01", TODAY), "");
    assert!(found.is_empty(), "{found:#?}");
    // The top level repeats the current figures under the issue's names.
    for name in [
        "customers_ordering",
        "repeat_purchase_rate",
        "average_order_value_minor",
        "retention_rate",
        "churn_rate",
        "redemption_rate",
        "points_outstanding",
        "new_members",
    ] {
        assert_eq!(default[name], default["current"][name], "{name}");
    }
}

/// The answer with the at-risk list's first names left out (an erasure
/// removes a name, which the list shows for any period).
fn without_names(mut answer: serde_json::Value) -> serde_json::Value {
    if let Some(customers) = answer["at_risk"]["customers"].as_array_mut() {
        for customer in customers {
            customer["first_name"] = serde_json::Value::Null;
        }
    }
    answer
}

#[test]
fn an_erasure_today_leaves_the_days_before_it_as_they_were() {
    let server = shop_with(false);
    // Periods ending the day before the erasure, and the day of it.
    let before_it = [
        ("2026-10-31", "2026-11-29"),
        ("2025-11-30", "2026-11-29"),
        ("2026-11-29", "2026-11-29"),
    ];
    let ask = |from: &str, to: &str| {
        let reply = server.admin(
            "GET",
            &format!("/admin/v1/analytics?from={from}&to={to}"),
            "",
        );
        assert_eq!(reply.status, 200, "{}", reply.body);
        value(&reply)
    };
    let earlier: Vec<serde_json::Value> = before_it.iter().map(|(f, t)| ask(f, t)).collect();
    let month = ("2026-11-01", TODAY);
    let this_month = ask(month.0, month.1);
    let ids = members(&server, 4, "2026-10-01");
    for id in &ids {
        erase(&server, id, &format!("{TODAY}T09:30:00Z"));
    }
    for ((from, to), was) in before_it.iter().zip(&earlier) {
        let now = ask(from, to);
        let found = differences(&without_names(now.clone()), &without_names(was.clone()), "");
        assert!(found.is_empty(), "{from}..{to}: {found:#?}");
        let found = differences(&now, &reference(&server, from, to), "");
        assert!(found.is_empty(), "{from}..{to}: {found:#?}");
    }
    // On the day of the erasure they are members no more.
    let now = ask(month.0, month.1);
    assert_eq!(
        now["current"]["members"].as_i64(),
        this_month["current"]["members"].as_i64().map(|n| n - 4),
        "{now}"
    );
    let found = differences(&now, &reference(&server, month.0, month.1), "");
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn a_bad_period_is_refused_in_the_contracts_shape() {
    let server = Server::start();
    for query in [
        "from=2026-13-01",
        "from=yesterday",
        "to=2026-11-3",
        "from=2026-11-30&to=2026-11-01",
        "from=2010-01-01&to=2026-11-30",
    ] {
        let reply = server.admin("GET", &format!("/admin/v1/analytics?{query}"), "");
        assert_eq!(reply.status, 400, "{query}: {}", reply.body);
        assert_eq!(value(&reply)["error"]["code"], "bad_request", "{query}");
    }
    // One day, and the longest period, are fine.
    let day = server.admin(
        "GET",
        "/admin/v1/analytics?from=2026-11-30&to=2026-11-30",
        "",
    );
    assert_eq!(day.status, 200, "{}", day.body);
    assert_eq!(value(&day)["days"], 1);
    assert_eq!(value(&day)["previous_to"], "2026-11-29");
    let longest = server.admin(
        "GET",
        "/admin/v1/analytics?from=2016-12-06&to=2026-11-30",
        "",
    );
    assert_eq!(longest.status, 200, "{}", longest.body);
    assert_eq!(value(&longest)["days"], 3647);
    let anonymous = server
        .send("GET", "/admin/v1/analytics", &[], "")
        .expect("an answer");
    assert_eq!(anonymous.status, 401, "{}", anonymous.body);
}
