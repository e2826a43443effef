//! Browser tests of the client against a misbehaving backend: the reference
//! endpoint with faults switched on at run time (`PUT /_faults`), and its
//! request counters (`/_stats`) to prove retries stay bounded.
#![cfg(target_arch = "wasm32")]

use gloo_net::http::Request;
use gloo_timers::future::TimeoutFuture;
use loyalty_widget::core::contract::ErrorCode;
use loyalty_widget::core::i18n::Lang;
use loyalty_widget::edge::cache;
use loyalty_widget::edge::client::{new_idempotency_key, ApiError, Client, HeadStart, TokenSource};
use serde_json::{json, Value};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

mod common;

use common::{document, mounted, token_at, wait_for};

/// The endpoint with `--fault-control` (started by scripts/test.sh).
const FAULTY: &str = match option_env!("LOYALTY_TEST_FAULTY_ENDPOINT") {
    Some(url) => url,
    None => "http://127.0.0.1:18789",
};

/// Resets faults, counters and the per-visit cache before a test.
async fn fresh(faults: Value) {
    cache::clear_all();
    fresh_faults_only(faults).await;
    Request::delete(&format!("{FAULTY}/_stats"))
        .send()
        .await
        .expect("stats reset");
}

/// The endpoint's counters: requests per route and database counts.
async fn stats() -> Value {
    let body = Request::get(&format!("{FAULTY}/_stats"))
        .send()
        .await
        .expect("stats")
        .text()
        .await
        .expect("stats body");
    serde_json::from_str(&body).expect("stats json")
}

async fn requests(route: &str) -> u64 {
    stats().await["requests"][route].as_u64().unwrap_or(0)
}

async fn token_for(customer: &str) -> String {
    token_at(FAULTY, customer).await
}

async fn mount(attributes: &[(&str, &str)]) -> Element {
    mounted(attributes)
}

fn balance_text(element: &Element) -> Option<String> {
    element
        .shadow_root()?
        .query_selector("[data-testid=balance]")
        .ok()??
        .text_content()
}

/// Waits for the German "data we can't show" notice, with no balance.
async fn shows_the_data_error(widget: &Element) {
    let alert = wait_for(widget, "[role=alert]").await;
    assert!(alert
        .text_content()
        .unwrap_or_default()
        .contains("Daten gesendet, die wir nicht anzeigen können"));
    assert_eq!(balance_text(widget), None);
}

/// Ages the cached summary as if the customer came back a while later.
fn age_cache() {
    let storage = web_sys::window()
        .and_then(|w| w.session_storage().ok().flatten())
        .expect("session storage");
    for index in 0..storage.length().unwrap_or(0) {
        let Some(key) = storage.key(index).ok().flatten() else {
            continue;
        };
        if !key.starts_with(cache::PREFIX) {
            continue;
        }
        let raw = storage.get_item(&key).ok().flatten().expect("entry");
        let mut entry: Value = serde_json::from_str(&raw).expect("entry json");
        entry["stored_at"] = json!(0);
        storage.set_item(&key, &entry.to_string()).expect("write");
    }
}

#[wasm_bindgen_test]
async fn transient_server_errors_are_retried_and_the_balance_shows() {
    fresh(json!({"fail_next": 2, "error_status": 503, "path_prefix": "/v1/customer"})).await;
    let token = token_for("cust-anna").await;
    let widget = mount(&[("endpoint", FAULTY), ("token", &token), ("lang", "en")]).await;
    wait_for(&widget, "[data-testid=balance]").await;
    assert_eq!(balance_text(&widget).as_deref(), Some("1,250 points"));
    assert_eq!(
        requests("GET /v1/customer").await,
        3,
        "two failures, one success"
    );
}

#[wasm_bindgen_test]
async fn a_backend_that_keeps_failing_gets_three_attempts_then_an_error() {
    fresh(json!({"error_rate": 1.0, "error_status": 500, "path_prefix": "/v1/customer"})).await;
    let token = token_for("cust-anna").await;
    let widget = mount(&[("endpoint", FAULTY), ("token", &token), ("lang", "en")]).await;
    let alert = wait_for(&widget, "[role=alert]").await;
    assert!(alert
        .text_content()
        .unwrap_or_default()
        .contains("The rewards service had a problem."));
    TimeoutFuture::new(1_500).await;
    assert_eq!(requests("GET /v1/customer").await, 3, "no retry storm");
}

#[wasm_bindgen_test]
async fn an_endpoint_that_never_answers_times_out_three_times_then_says_so() {
    // Each answer comes after 9 s, past the 8 s timeout of every attempt.
    // (History: no widget of the other tests asks for it in the meantime.)
    fresh(json!({"latency_ms": 9000, "path_prefix": "/v1/activity"})).await;
    let source = TokenSource {
        initial: Some(token_for("cust-anna").await),
        ..TokenSource::default()
    };
    let client = Client::new(FAULTY, source, Lang::En);
    let started = js_sys::Date::now();
    let result = client.activity(1).await;
    let waited = js_sys::Date::now() - started;
    assert_eq!(result.err(), Some(ApiError::Timeout));
    assert_eq!(
        ApiError::Timeout.message_key().text(),
        "We can't reach the rewards service right now."
    );
    // Each of the three attempts waited its full 8 s.
    assert!(waited >= 24_000.0, "{waited} ms");
    TimeoutFuture::new(200).await;
    assert_eq!(requests("GET /v1/activity").await, 3, "no retry storm");
}

#[wasm_bindgen_test]
async fn a_truncated_body_is_retried_not_shown() {
    fresh(json!({"malformed_rate": 1.0, "path_prefix": "/v1/customer"})).await;
    let token = token_for("cust-anna").await;
    let widget = mount(&[("endpoint", FAULTY), ("token", &token), ("lang", "de")]).await;
    shows_the_data_error(&widget).await;
    assert_eq!(requests("GET /v1/customer").await, 3);
}

#[wasm_bindgen_test]
async fn rate_limits_are_honoured_with_retry_after() {
    fresh(
        json!({"fail_next": 1, "error_status": 429, "retry_after": 1,
                 "path_prefix": "/v1/customer"}),
    )
    .await;
    let token = token_for("cust-anna").await;
    let started = js_sys::Date::now();
    let widget = mount(&[("endpoint", FAULTY), ("token", &token), ("lang", "en")]).await;
    wait_for(&widget, "[data-testid=balance]").await;
    let waited = js_sys::Date::now() - started;
    assert!(
        waited >= 1_000.0,
        "retried after {waited} ms, before Retry-After"
    );
    assert_eq!(requests("GET /v1/customer").await, 2);
}

#[wasm_bindgen_test]
async fn an_expired_token_is_refreshed_once_through_the_token_url() {
    fresh(json!({})).await;
    let token_url = format!("{FAULTY}/_demo/token?customer=cust-carla");
    let widget = mount(&[
        ("endpoint", FAULTY),
        ("token", "expired.or.forged"),
        ("token-url", &token_url),
        ("lang", "en"),
    ])
    .await;
    wait_for(&widget, "[data-testid=balance]").await;
    assert_eq!(balance_text(&widget).as_deref(), Some("4,200 points"));
    assert_eq!(
        requests("GET /v1/customer").await,
        2,
        "one 401, one success"
    );
}

#[wasm_bindgen_test]
async fn repeat_views_use_the_visit_cache_and_revalidate_with_etag() {
    fresh(json!({})).await;
    let token = token_for("cust-anna").await;
    let first = mount(&[("endpoint", FAULTY), ("token", &token)]).await;
    wait_for(&first, "[data-testid=balance]").await;
    // A second page view right away: shown from the visit cache, no request.
    let second = mount(&[("endpoint", FAULTY), ("token", &token)]).await;
    assert_eq!(balance_text(&second).as_deref(), Some("1,250 points"));
    TimeoutFuture::new(300).await;
    assert_eq!(requests("GET /v1/customer").await, 1);
    // Later in the visit: shown at once, revalidated with If-None-Match.
    age_cache();
    let third = mount(&[("endpoint", FAULTY), ("token", &token)]).await;
    assert_eq!(balance_text(&third).as_deref(), Some("1,250 points"));
    TimeoutFuture::new(500).await;
    assert_eq!(requests("GET /v1/customer").await, 2);
}

/// Loads once, ages the visit cache, takes the endpoint down, loads again:
/// the cached balance stays on screen with the quiet stale notice.
async fn stale_case(lang: &str, notice_start: &str, balance: &str) {
    fresh(json!({})).await;
    let token = token_for("cust-anna").await;
    let first = mount(&[("endpoint", FAULTY), ("token", &token), ("lang", lang)]).await;
    wait_for(&first, "[data-testid=balance]").await;
    age_cache();
    fresh_faults_only(json!({"error_rate": 1.0, "error_status": 503})).await;
    let later = mount(&[("endpoint", FAULTY), ("token", &token), ("lang", lang)]).await;
    let notice = wait_for(&later, ".lw-stale").await;
    let shown = notice.text_content().unwrap_or_default();
    assert!(shown.starts_with(notice_start), "{shown}");
    assert_eq!(balance_text(&later).as_deref(), Some(balance));
}

#[wasm_bindgen_test]
async fn an_unreachable_endpoint_shows_cached_data_with_a_quiet_notice() {
    stale_case("en", "Showing your last known balance", "1,250 points").await;
}

#[wasm_bindgen_test]
async fn the_stale_notice_is_german_too() {
    stale_case(
        "de",
        "Du siehst deinen zuletzt bekannten Stand",
        "1.250 Punkte",
    )
    .await;
}

#[wasm_bindgen_test]
async fn another_customer_never_sees_the_previous_customers_cache() {
    fresh(json!({})).await;
    let anna = token_for("cust-anna").await;
    let first = mount(&[("endpoint", FAULTY), ("token", &anna), ("lang", "en")]).await;
    wait_for(&first, "[data-testid=balance]").await;
    let ben = token_for("cust-ben").await;
    let switched = mount(&[("endpoint", FAULTY), ("token", &ben), ("lang", "en")]).await;
    assert_eq!(balance_text(&switched), None, "nothing of Anna's is shown");
    wait_for(&switched, "[data-testid=balance]").await;
    assert_eq!(balance_text(&switched).as_deref(), Some("100 points"));
}

#[wasm_bindgen_test]
async fn the_token_is_never_stored() {
    fresh(json!({})).await;
    let token = token_for("cust-anna").await;
    let widget = mount(&[("endpoint", FAULTY), ("token", &token)]).await;
    wait_for(&widget, "[data-testid=balance]").await;
    let window = web_sys::window().expect("window");
    for storage in [
        window.session_storage().ok().flatten(),
        window.local_storage().ok().flatten(),
    ]
    .into_iter()
    .flatten()
    {
        for index in 0..storage.length().unwrap_or(0) {
            let key = storage.key(index).ok().flatten().unwrap_or_default();
            let value = storage.get_item(&key).ok().flatten().unwrap_or_default();
            assert!(!value.contains(&token) && !key.contains(&token));
        }
    }
    assert_eq!(widget.get_attribute("token"), None, "not left in the DOM");
    let html = document()
        .document_element()
        .map(|e| e.outer_html())
        .unwrap_or_default();
    assert!(!html.contains(&token), "the token is nowhere in the page");
    let cookies = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlDocument>(document())
        .ok()
        .and_then(|d| d.cookie().ok())
        .unwrap_or_default();
    assert!(!cookies.contains(&token));
}

/// Sets faults without clearing the cache or counters.
async fn fresh_faults_only(faults: Value) {
    let answer = Request::put(&format!("{FAULTY}/_faults"))
        .header("Content-Type", "application/json")
        .body(faults.to_string())
        .expect("body")
        .send()
        .await
        .expect("faults sent");
    assert!(
        answer.ok(),
        "the endpoint refused the faults: {}",
        answer.status()
    );
}

async fn db_count(name: &str) -> i64 {
    stats().await["db"][name].as_i64().expect("db count")
}

async fn dora() -> Client {
    let token = token_for("cust-dora").await;
    let source = TokenSource {
        initial: Some(token),
        ..TokenSource::default()
    };
    Client::new(FAULTY, source, Lang::En)
}

#[wasm_bindgen_test]
async fn a_redeem_whose_answer_is_lost_is_retried_with_its_key_and_applied_once() {
    fresh(json!({"drop_next": 1, "method": "POST"})).await;
    let before = db_count("redemptions").await;
    let client = dora().await;
    let key = new_idempotency_key();
    let redemption = client.redeem("r-5eur", &key).await.expect("redeemed");
    assert!(redemption
        .coupon
        .as_ref()
        .is_some_and(|coupon| coupon.code.starts_with("MR-")));
    assert_eq!(
        requests("POST /v1/redemptions").await,
        2,
        "dropped, then replayed"
    );
    assert_eq!(db_count("redemptions").await, before + 1, "applied once");
}

#[wasm_bindgen_test]
async fn a_double_click_redeem_with_one_key_applies_once() {
    fresh(json!({})).await;
    let before = db_count("redemptions").await;
    let client = dora().await;
    let key = new_idempotency_key();
    // Two clicks in flight at once.
    let (first, second) = futures::join!(
        client.redeem("r-shipping", &key),
        client.redeem("r-shipping", &key)
    );
    let (first, second) = (first.expect("first"), second.expect("second"));
    assert!(first.coupon.is_some());
    assert_eq!(first.coupon, second.coupon);
    assert_eq!(db_count("redemptions").await, before + 1);
}

#[wasm_bindgen_test]
async fn a_lost_join_is_retried_and_credits_the_bonus_once() {
    fresh(json!({"drop_next": 1, "method": "POST", "path_prefix": "/v1/club"})).await;
    let before = db_count("club_members").await;
    let client = dora().await;
    let membership = client
        .join(true, &new_idempotency_key())
        .await
        .expect("joined");
    assert!(membership.club.member);
    assert_eq!(membership.bonus_points, 100);
    assert_eq!(db_count("club_members").await, before + 1);
    assert_eq!(requests("POST /v1/club/join").await, 2);
}

#[wasm_bindgen_test]
async fn a_refused_redeem_is_reported_not_retried() {
    fresh(json!({})).await;
    let client = dora().await;
    let error = client
        .redeem("no-such-reward", &new_idempotency_key())
        .await
        .expect_err("refused");
    assert!(matches!(
        error,
        ApiError::Status {
            status: 404,
            code: Some(ErrorCode::NotAvailable),
            ..
        }
    ));
    assert_eq!(requests("POST /v1/redemptions").await, 1);
}

#[wasm_bindgen_test]
async fn a_redeem_that_cannot_be_confirmed_says_so_then_settles_with_its_key() {
    // Every attempt ends in a server error: the endpoint (or a gateway in
    // front of it) may or may not have applied the write. The widget must
    // not claim "No points were taken"; it says it could not confirm yet,
    // and asks again with the same key until the endpoint answers. The list
    // of redemptions (which would tell) fails too: GET and POST alike.
    fresh(
        json!({"latency_ms": 400, "error_rate": 1.0, "error_status": 504,
                 "path_prefix": "/v1/redemptions"}),
    )
    .await;
    let redeemed_before = db_count("redemptions").await;
    let token = token_for("cust-dora").await;
    let widget = mount(&[("endpoint", FAULTY), ("token", &token), ("lang", "en")]).await;
    wait_for(&widget, "[data-testid=balance]").await;
    let before = balance_text(&widget);
    let reward = wait_for(&widget, "[data-reward=r-shipping]").await;
    common::click(&common::button(&reward, "Redeem"));
    TimeoutFuture::new(50).await;
    let confirm = reward
        .query_selector(".lw-confirm")
        .ok()
        .flatten()
        .expect("confirm");
    common::click(&common::button(&confirm, "Yes, redeem"));
    TimeoutFuture::new(150).await;
    let pending = common::button(&confirm, "Redeeming…");
    assert_eq!(
        pending.get_attribute("aria-disabled").as_deref(),
        Some("true")
    );
    let note = wait_for(
        &widget,
        "[data-reward=r-shipping] [data-testid=unconfirmed]",
    )
    .await;
    assert_eq!(
        common::text_of(&note),
        "We could not confirm this redemption yet. If points were taken, your code appears here as soon as the rewards service answers."
    );
    assert!(!common::text(&widget).contains("No points were taken"));
    assert_eq!(balance_text(&widget), before);
    assert_eq!(
        requests("POST /v1/redemptions").await,
        3,
        "bounded, same key"
    );
    // The endpoint answers again. Either the redeem is asked again by
    // itself with the same key, or the list of redemptions answers first
    // without the key (the 504s were never applied): then it says so and
    // trying again sends the same key. Either way one redemption, once.
    fresh_faults_only(json!({})).await;
    let settled = wait_for(
        &widget,
        "[data-reward=r-shipping] [data-testid=failed], [data-reward=r-shipping] [data-testid=coupon]",
    )
    .await;
    if settled.get_attribute("data-testid").as_deref() == Some("failed") {
        assert!(common::text_of(&settled).contains("No points were taken"));
        assert_eq!(db_count("redemptions").await, redeemed_before);
        common::click(&common::button(&reward, "Redeem"));
        TimeoutFuture::new(50).await;
        let confirm = reward
            .query_selector(".lw-confirm")
            .ok()
            .flatten()
            .expect("confirm");
        common::click(&common::button(&confirm, "Yes, redeem"));
    }
    let coupon = wait_for(&widget, "[data-reward=r-shipping] [data-testid=coupon]").await;
    assert!(common::text_of(&coupon).contains("Redeemed!"));
    assert_eq!(db_count("redemptions").await, redeemed_before + 1);
    assert!(common::find(
        &widget,
        "[data-reward=r-shipping] [data-testid=unconfirmed]"
    )
    .is_none());
}

#[wasm_bindgen_test]
async fn offers_that_cannot_load_are_explained_with_a_retry() {
    fresh(json!({"error_rate": 1.0, "error_status": 500, "path_prefix": "/v1/offers"})).await;
    let token = token_for("cust-anna").await;
    let widget = mount(&[("endpoint", FAULTY), ("token", &token), ("lang", "de")]).await;
    let empty = wait_for(&widget, "[data-testid=offers-empty]").await;
    assert_eq!(common::text_of(&empty), "Gerade keine Angebote.");
    let notice = wait_for(&widget, ".lw-partial").await;
    assert_eq!(
        common::text_of(&notice),
        "Einige deiner Prämien können gerade nicht angezeigt werden.Erneut versuchen"
    );
    assert!(
        balance_text(&widget).is_some(),
        "the rest of the widget still works"
    );
}

/// Anna's real summary with `edit` applied to its JSON text, served in
/// place of every answer to `GET /v1/customer`.
async fn serve_summary_edited(edit: impl Fn(&str) -> String) -> String {
    fresh(json!({})).await;
    let token = token_for("cust-anna").await;
    let real = Request::get(&format!("{FAULTY}/v1/customer?lang=de"))
        .header("Authorization", &format!("Bearer {token}"))
        .send()
        .await
        .expect("summary")
        .text()
        .await
        .expect("summary body");
    assert!(real.contains(r#""approved":1250,"#), "{real}");
    let edited = edit(&real);
    assert_ne!(edited, real, "the edit applies");
    fresh(json!({"bodies": {"/v1/customer": edited}})).await;
    token
}

#[wasm_bindgen_test]
async fn integers_written_as_floats_or_exponents_show_as_the_schema_reads_them() {
    // JSON Schema's `integer` is any number without a fraction: Python's
    // json.dumps(1250.0) writes 1250.0, and that is 1.250 Punkte.
    for (written, shown) in [
        ("1250.0", "1.250 Punkte"),
        ("1.25e3", "1.250 Punkte"),
        ("1e3", "1.000 Punkte"),
    ] {
        let token = serve_summary_edited(|real| {
            real.replace(r#""approved":1250,"#, &format!(r#""approved":{written},"#))
        })
        .await;
        let widget = mount(&[("endpoint", FAULTY), ("token", &token), ("lang", "de")]).await;
        wait_for(&widget, "[data-testid=balance]").await;
        assert_eq!(balance_text(&widget).as_deref(), Some(shown), "{written}");
    }
}

#[wasm_bindgen_test]
async fn a_fraction_where_an_integer_is_required_is_the_data_error() {
    let token =
        serve_summary_edited(|real| real.replace(r#""approved":1250,"#, r#""approved":1250.5,"#))
            .await;
    let widget = mount(&[("endpoint", FAULTY), ("token", &token), ("lang", "de")]).await;
    shows_the_data_error(&widget).await;
}

#[wasm_bindgen_test]
async fn schema_valid_text_is_shown_however_it_is_spelled() {
    // A lone surrogate escape is valid JSON and a valid schema string; the
    // browser hands it over as U+FFFD. 2,000 umlauts are 2,000 characters
    // (4,000 bytes), within the schema's maxLength.
    let umlauts = "ä".repeat(2_000);
    for name in [r"\ud800Anna".to_owned(), umlauts] {
        let token = serve_summary_edited(|real| {
            real.replace(
                r#""first_name":"Anna""#,
                &format!(r#""first_name":"{name}""#),
            )
        })
        .await;
        let widget = mount(&[("endpoint", FAULTY), ("token", &token), ("lang", "de")]).await;
        wait_for(&widget, "[data-testid=balance]").await;
        assert_eq!(balance_text(&widget).as_deref(), Some("1.250 Punkte"));
        assert!(common::find(&widget, "[role=alert]").is_none());
    }
}

#[wasm_bindgen_test]
async fn a_token_function_may_answer_with_any_thenable() {
    // A page with a Promise polyfill: `async () => token` returns the
    // browser's own promise, which is no `instanceof` the page's Promise;
    // a hand-made thenable is no promise at all. Both must work.
    fresh(json!({})).await;
    let token = token_for("cust-anna").await;
    let sources = [
        format!("return {{ then(resolve) {{ resolve({token:?}); }} }};"),
        // The polyfill stays in place while the widget looks at the answer.
        format!(
            "window.__lwNative = window.Promise; \
             window.Promise = class Polyfill extends window.__lwNative {{}}; \
             return (async () => {token:?})();"
        ),
    ];
    for source in sources {
        let function = js_sys::Function::new_no_args(&source);
        let client = Client::new(
            FAULTY,
            TokenSource {
                function: Some(loyalty_widget::edge::client::TokenFunction(
                    send_wrapper::SendWrapper::new(function),
                )),
                ..TokenSource::default()
            },
            Lang::En,
        );
        let summary = client.summary().await;
        js_sys::Function::new_no_args(
            "if (window.__lwNative) { window.Promise = window.__lwNative; delete window.__lwNative; }",
        )
        .call0(&wasm_bindgen::JsValue::NULL)
        .expect("restores Promise");
        let summary = summary.expect("the summary loads");
        assert_eq!(summary.value.points.approved, 1250, "{source}");
    }
}

#[wasm_bindgen_test]
async fn a_page_whose_scripts_add_request_headers_still_reaches_the_endpoint() {
    // An analytics wrapper around fetch adds a tracing header to every
    // request: the endpoint's preflight must allow it (cross-origin here:
    // this page and the endpoint are on different ports).
    fresh(json!({})).await;
    let token = token_for("cust-anna").await;
    js_sys::Function::new_no_args(
        "window.__lwFetch = window.fetch; \
         window.fetch = (input, init = {}) => { \
           const headers = new Headers(init.headers || (input instanceof Request ? input.headers : undefined)); \
           headers.set('x-trace-id', 'abc123'); \
           return window.__lwFetch(input, { ...init, headers }); \
         };",
    )
    .call0(&wasm_bindgen::JsValue::NULL)
    .expect("wraps fetch");
    let widget = mount(&[("endpoint", FAULTY), ("token", &token), ("lang", "en")]).await;
    for _ in 0..500 {
        if balance_text(&widget).is_some() || common::find(&widget, "[role=alert]").is_some() {
            break;
        }
        TimeoutFuture::new(20).await;
    }
    js_sys::Function::new_no_args("window.fetch = window.__lwFetch; delete window.__lwFetch;")
        .call0(&wasm_bindgen::JsValue::NULL)
        .expect("restores fetch");
    assert_eq!(balance_text(&widget).as_deref(), Some("1,250 points"));
}

#[wasm_bindgen_test]
async fn a_join_that_cannot_be_confirmed_does_not_claim_it_failed() {
    // A gateway answers 504 to every attempt: the endpoint may or may not
    // have joined the customer. The widget says it could not confirm, and
    // trying again (same key) joins exactly once.
    fresh(
        json!({"error_rate": 1.0, "error_status": 504, "method": "POST",
                 "path_prefix": "/v1/club/join"}),
    )
    .await;
    let members_before = db_count("club_members").await;
    let token = token_for("cust-ben").await;
    let widget = mount(&[("endpoint", FAULTY), ("token", &token), ("lang", "en")]).await;
    let form = wait_for(&widget, "[data-testid=club-join]").await;
    let checkbox = form
        .query_selector("input[type=checkbox]")
        .ok()
        .flatten()
        .expect("box");
    common::click(&checkbox);
    common::click(&common::button(&form, "Join the club"));
    common::wait_for_text(&widget, "We could not confirm that you joined yet.").await;
    assert!(!common::text(&widget).contains("did not work"));
    fresh_faults_only(json!({})).await;
    common::click(&common::button(&form, "Join the club"));
    wait_for(&widget, "[data-testid=club-state]").await;
    assert_eq!(db_count("club_members").await, members_before + 1);
}

/// A real request (to `at`, with `token`) in flight, read ahead as the
/// loader reads it: `Promise<{status, headers, json, body}>`.
fn asked(at: &str, token: &str) -> JsValue {
    let ask = js_sys::Function::new_with_args(
        "url, token",
        "return fetch(url, { headers: { Accept: 'application/json', Authorization: 'Bearer ' + token }, cache: 'no-store' })
           .then(async (r) => ({ status: r.status, headers: r.headers, json: true, body: await r.json() }))",
    );
    ask.call2(&JsValue::NULL, &at.into(), &token.into())
        .expect("fetch started")
}

/// The loader's head start as it hands it over: `{token, answers}`, with
/// `answer` under the URL `url` the client will read.
fn head_start(token: &str, url: &str, answer: JsValue) -> HeadStart {
    let answers = js_sys::Object::new();
    js_sys::Reflect::set(&answers, &url.into(), &answer).expect("answers");
    let value = js_sys::Object::new();
    js_sys::Reflect::set(&value, &"token".into(), &token.into()).expect("token");
    js_sys::Reflect::set(&value, &"answers".into(), &answers).expect("answers");
    HeadStart::from_js(value.into()).expect("a head start")
}

fn anna_client(token: &str) -> Client {
    let source = TokenSource {
        initial: Some(token.to_owned()),
        ..TokenSource::default()
    };
    Client::new(FAULTY, source, Lang::En)
}

#[wasm_bindgen_test]
async fn the_loaders_answer_in_flight_is_taken_over_once_not_asked_again() {
    fresh(json!({})).await;
    let token = token_for("cust-anna").await;
    let url = format!("{FAULTY}/v1/customer?lang=en");
    let client =
        anna_client(&token).with_head_start(Some(head_start(&token, &url, asked(&url, &token))));
    let summary = client.summary().await.expect("summary").value;
    assert_eq!(summary.points.approved, 1250);
    assert_eq!(
        requests("GET /v1/customer").await,
        1,
        "the loader's request only"
    );
    // Taken once: the next read (no visit cache) asks the endpoint itself.
    cache::clear_all();
    client.summary().await.expect("summary again");
    assert_eq!(requests("GET /v1/customer").await, 2);
}

#[wasm_bindgen_test]
async fn a_head_start_asked_with_another_customers_token_is_never_used() {
    fresh(json!({})).await;
    let anna = token_for("cust-anna").await;
    let dora = token_for("cust-dora").await;
    let url = format!("{FAULTY}/v1/customer?lang=en");
    // Dora's answer in flight; the client is Anna's.
    let client =
        anna_client(&anna).with_head_start(Some(head_start(&dora, &url, asked(&url, &dora))));
    let summary = client.summary().await.expect("summary").value;
    assert_eq!(summary.first_name.as_deref(), Some("Anna"));
    assert_eq!(summary.points.approved, 1250);
    assert_eq!(
        requests("GET /v1/customer").await,
        2,
        "Dora's, unused, and Anna's own"
    );
}

#[wasm_bindgen_test]
async fn a_head_start_that_got_no_answer_is_asked_again_by_the_client() {
    fresh(json!({})).await;
    let token = token_for("cust-anna").await;
    let url = format!("{FAULTY}/v1/customer?lang=en");
    // Nothing listens on port 9: the loader's request fails to connect.
    let refused = head_start(
        &token,
        &url,
        asked("http://127.0.0.1:9/v1/customer", &token),
    );
    let client = anna_client(&token).with_head_start(Some(refused));
    let summary = client.summary().await.expect("summary").value;
    assert_eq!(summary.points.approved, 1250);
    assert_eq!(
        requests("GET /v1/customer").await,
        1,
        "the client's own request"
    );
}

#[wasm_bindgen_test]
async fn a_head_start_answer_that_was_not_json_is_asked_again_by_the_client() {
    fresh(json!({})).await;
    let token = token_for("cust-anna").await;
    let url = format!("{FAULTY}/v1/customer?lang=en");
    // What the loader hands over for an HTML page with status 200.
    let not_json = js_sys::Function::new_no_args(
        "return Promise.resolve({ status: 200, headers: new Headers(), json: false, body: undefined })",
    )
    .call0(&JsValue::NULL)
    .expect("an answer");
    let client = anna_client(&token).with_head_start(Some(head_start(&token, &url, not_json)));
    let summary = client.summary().await.expect("summary").value;
    assert_eq!(summary.points.approved, 1250);
    assert_eq!(
        requests("GET /v1/customer").await,
        1,
        "the client's own request, after the unreadable one"
    );
}

// Regression (issue #31): a 304 that arrived with no cached copy to keep
// was reported as `Network("304 without a cached answer")`, and to a write
// as `Network("unexpected 304")`, which the widget counts as a redeem of
// unknown outcome. It is asked for again, once, and the fresh answer used.

/// Drops the visit's copies of public answers (the program), which
/// `cache::clear_all` keeps.
fn forget_public_answers() {
    let storage = web_sys::window()
        .and_then(|w| w.session_storage().ok().flatten())
        .expect("session storage");
    let keys: Vec<String> = (0..storage.length().unwrap_or(0))
        .filter_map(|index| storage.key(index).ok().flatten())
        .filter(|key| key.starts_with(cache::PUBLIC))
        .collect();
    for key in keys {
        cache::remove(&key);
    }
}

#[wasm_bindgen_test]
async fn a_304_to_a_read_with_no_cached_copy_is_asked_again_and_the_answer_used() {
    // A proxy (here the endpoint's fault) answers 304 to a request that
    // sent no If-None-Match: the widget has nothing to keep.
    fresh(json!({"fail_next": 1, "error_status": 304, "method": "GET",
                 "path_prefix": "/v1/program"}))
    .await;
    forget_public_answers();
    let client = anna_client(&token_for("cust-anna").await);
    let program = client.program().await.expect("the program, asked again");
    assert!(!program.name.is_empty() && !program.rewards.is_empty());
    assert_eq!(
        requests("GET /v1/program").await,
        2,
        "the 304, then once more"
    );
    // The fresh answer is the visit's copy now: the next read asks nobody.
    client.program().await.expect("from the visit cache");
    assert_eq!(requests("GET /v1/program").await, 2);
}

#[wasm_bindgen_test]
async fn a_304_twice_is_the_endpoints_error_not_a_network_failure() {
    fresh(
        json!({"error_rate": 1.0, "error_status": 304, "method": "GET",
                 "path_prefix": "/v1/activity"}),
    )
    .await;
    let client = anna_client(&token_for("cust-anna").await);
    let error = client.activity(1).await.expect_err("no answer to show");
    assert_eq!(
        error,
        ApiError::Status {
            status: 304,
            code: None,
            retry_after: None
        }
    );
    assert!(!error.outcome_unknown());
    assert_eq!(requests("GET /v1/activity").await, 2, "asked again once");
}

#[wasm_bindgen_test]
async fn a_cached_copy_that_no_longer_decodes_is_fetched_again_not_kept_by_a_304() {
    // The visit's copy of the program still has its ETag, but its body is
    // not a program any more (a hand-edited or older version's entry). A
    // 304 to its ETag would leave nothing to show.
    fresh(json!({})).await;
    forget_public_answers();
    let client = anna_client(&token_for("cust-anna").await);
    client.program().await.expect("the program");
    assert_eq!(requests("GET /v1/program").await, 1);
    let storage = web_sys::window()
        .and_then(|w| w.session_storage().ok().flatten())
        .expect("session storage");
    let mut edited = 0;
    for index in 0..storage.length().unwrap_or(0) {
        let Some(key) = storage.key(index).ok().flatten() else {
            continue;
        };
        if !(key.starts_with(cache::PUBLIC) && key.ends_with("/program")) {
            continue;
        }
        let raw = storage.get_item(&key).ok().flatten().expect("entry");
        let mut entry: Value = serde_json::from_str(&raw).expect("entry json");
        assert!(entry["etag"].is_string(), "{raw}");
        entry["body"] = json!({"name": 7});
        entry["stored_at"] = json!(0);
        storage.set_item(&key, &entry.to_string()).expect("write");
        edited += 1;
    }
    assert_eq!(edited, 1, "the program's entry");
    let program = client.program().await.expect("the program, fetched again");
    assert!(!program.name.is_empty() && !program.rewards.is_empty());
    assert_eq!(requests("GET /v1/program").await, 2);
}

#[wasm_bindgen_test]
async fn a_redeem_answered_304_is_sent_again_with_its_key_and_applied_once() {
    fresh(
        json!({"fail_next": 1, "error_status": 304, "method": "POST",
                 "path_prefix": "/v1/redemptions"}),
    )
    .await;
    let before = db_count("redemptions").await;
    let client = dora().await;
    let redemption = client
        .redeem("r-5eur", &new_idempotency_key())
        .await
        .expect("redeemed, not 'could not confirm'");
    assert!(redemption
        .coupon
        .as_ref()
        .is_some_and(|coupon| coupon.code.starts_with("MR-")));
    assert_eq!(requests("POST /v1/redemptions").await, 2);
    assert_eq!(db_count("redemptions").await, before + 1, "applied once");
}
