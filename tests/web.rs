//! Browser tests: mount the real widget against the running reference
//! endpoint (started by scripts/test.sh) and assert on what a customer sees.
#![cfg(target_arch = "wasm32")]

use gloo_timers::future::TimeoutFuture;
use loyalty_widget::edge::embed;
use wasm_bindgen_test::*;
use web_sys::{Element, ShadowRoot};

wasm_bindgen_test_configure!(run_in_browser);

/// The reference endpoint the test script starts (with `--demo` and
/// `--allow-loopback-origins`).
const ENDPOINT: &str = match option_env!("LOYALTY_TEST_ENDPOINT") {
    Some(url) => url,
    None => "http://127.0.0.1:18787",
};

/// The same endpoint answering `/v1/customer` after 1.5 s.
const SLOW_ENDPOINT: &str = match option_env!("LOYALTY_TEST_SLOW_ENDPOINT") {
    Some(url) => url,
    None => "http://127.0.0.1:18788",
};

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a browser document")
}

/// A fresh `<loyalty-widget>` element with the given attributes, in the body.
fn embed(attributes: &[(&str, &str)]) -> Element {
    let element = document()
        .create_element("loyalty-widget")
        .expect("element");
    for (name, value) in attributes {
        element.set_attribute(name, value).expect("attribute");
    }
    document()
        .body()
        .expect("body")
        .append_child(&element)
        .expect("append");
    element
}

async fn token_for(customer: &str) -> String {
    let response =
        gloo_net::http::Request::get(&format!("{ENDPOINT}/_demo/token?customer={customer}"))
            .send()
            .await
            .expect("the test endpoint is running (scripts/test.sh starts it)");
    let body: serde_json::Value = response.json().await.expect("token json");
    body["token"].as_str().expect("token").to_owned()
}

fn shadow(element: &Element) -> ShadowRoot {
    element
        .shadow_root()
        .expect("the widget renders into a shadow root")
}

/// Waits up to 10 s for `selector` inside the widget's shadow root.
async fn wait_for(element: &Element, selector: &str) -> Element {
    for _ in 0..500 {
        if let Some(found) = shadow(element).query_selector(selector).ok().flatten() {
            return found;
        }
        TimeoutFuture::new(20).await;
    }
    panic!(
        "{selector} did not appear; widget shows: {:?}",
        text(element)
    );
}

fn text(element: &Element) -> String {
    element
        .shadow_root()
        .and_then(|root| root.text_content())
        .or_else(|| element.text_content())
        .unwrap_or_default()
}

async fn mounted(attributes: &[(&str, &str)]) -> Element {
    let element = embed(attributes);
    embed::start_one(&element);
    element
}

#[wasm_bindgen_test]
async fn customer_sees_points_balance_in_english() {
    let token = token_for("cust-anna").await;
    let widget = mounted(&[("endpoint", ENDPOINT), ("token", &token), ("lang", "en")]).await;
    let balance = wait_for(&widget, "[data-testid=balance]").await;
    assert_eq!(balance.text_content().as_deref(), Some("1,250 points"));
    let all = text(&widget);
    assert!(all.contains("Hi Anna!"), "{all}");
    assert!(all.contains("Worth €12.50"), "{all}");
    assert!(all.contains("120 points pending"), "{all}");
}

#[wasm_bindgen_test]
async fn customer_sees_points_balance_in_german() {
    let token = token_for("cust-carla").await;
    let widget = mounted(&[("endpoint", ENDPOINT), ("token", &token), ("lang", "de")]).await;
    let balance = wait_for(&widget, "[data-testid=balance]").await;
    assert_eq!(balance.text_content().as_deref(), Some("4.200 Punkte"));
    let all = text(&widget);
    assert!(all.contains("Im Wert von 42,00\u{a0}€"), "{all}");
    assert!(all.contains("Prämien"), "{all}");
}

#[wasm_bindgen_test]
async fn loading_skeleton_reserves_space_before_data() {
    let token = token_for("cust-anna").await;
    let widget = mounted(&[("endpoint", SLOW_ENDPOINT), ("token", &token)]).await;
    let status = wait_for(&widget, "[role=status]").await;
    assert!(status
        .text_content()
        .unwrap_or_default()
        .contains("Loading"));
    assert!(shadow(&widget)
        .query_selector("[data-testid=balance]")
        .ok()
        .flatten()
        .is_none());
    let height = widget.get_bounding_client_rect().height();
    assert!(
        height >= 150.0,
        "the skeleton reserves space, got {height}px"
    );
    wait_for(&widget, "[data-testid=balance]").await;
}

#[wasm_bindgen_test]
async fn failing_endpoint_shows_translated_error_with_retry() {
    // A path the endpoint answers with 404: an error status, not data.
    let widget = mounted(&[
        ("endpoint", &format!("{ENDPOINT}/no-such-api")),
        ("token", "anything"),
        ("lang", "de"),
    ])
    .await;
    let alert = wait_for(&widget, "[role=alert]").await;
    let message = alert.text_content().unwrap_or_default();
    assert!(
        message.contains("Beim Prämienservice ist ein Fehler aufgetreten."),
        "{message}"
    );
    let retry = alert
        .query_selector("button")
        .ok()
        .flatten()
        .expect("retry");
    assert_eq!(retry.text_content().as_deref(), Some("Erneut versuchen"));
    assert!(shadow(&widget)
        .query_selector("[data-testid=balance]")
        .ok()
        .flatten()
        .is_none());
}

#[wasm_bindgen_test]
async fn unreachable_endpoint_shows_network_error() {
    // Port 9 (discard) is closed on test machines: the connection is refused.
    let widget = mounted(&[
        ("endpoint", "http://127.0.0.1:9"),
        ("token", "anything"),
        ("lang", "en"),
    ])
    .await;
    let alert = wait_for(&widget, "[role=alert]").await;
    assert!(alert
        .text_content()
        .unwrap_or_default()
        .contains("We can't reach the rewards service right now."));
}

#[wasm_bindgen_test]
async fn rejected_token_asks_to_sign_in_again() {
    let widget = mounted(&[("endpoint", ENDPOINT), ("token", "forged.token.value")]).await;
    let alert = wait_for(&widget, "[role=alert]").await;
    assert!(alert
        .text_content()
        .unwrap_or_default()
        .contains("Please sign in again"));
}

#[wasm_bindgen_test]
async fn guest_sees_invitation_with_shop_links() {
    let widget = mounted(&[
        ("endpoint", ENDPOINT),
        ("join-url", "https://shop.example/join"),
        ("signin-url", "https://shop.example/login"),
    ])
    .await;
    let join = wait_for(&widget, "a.lw-button").await;
    assert_eq!(
        join.get_attribute("href").as_deref(),
        Some("https://shop.example/join")
    );
    assert!(text(&widget).contains("Sign in to see your points"));
}

#[wasm_bindgen_test]
async fn config_error_is_visible_and_does_not_mount() {
    let widget = mounted(&[("lang", "de")]).await;
    assert_eq!(
        widget.get_attribute("data-state").as_deref(),
        Some("config-error")
    );
    assert_eq!(
        widget.text_content().as_deref(),
        Some("Prämien sind gerade nicht verfügbar.")
    );
    assert!(widget.shadow_root().is_none());
}

#[wasm_bindgen_test]
async fn insecure_endpoint_is_refused_before_any_request() {
    let widget = mounted(&[("endpoint", "http://loyalty.example.com"), ("token", "x")]).await;
    assert_eq!(
        widget.get_attribute("data-state").as_deref(),
        Some("config-error")
    );
}

#[wasm_bindgen_test]
async fn shop_css_does_not_reach_into_the_widget() {
    let style = document().create_element("style").expect("style");
    style.set_text_content(Some(
        "p { color: rgb(255, 0, 0) !important; font-size: 40px !important; }",
    ));
    document()
        .head()
        .expect("head")
        .append_child(&style)
        .expect("append");
    let token = token_for("cust-anna").await;
    let widget = mounted(&[("endpoint", ENDPOINT), ("token", &token), ("lang", "en")]).await;
    let balance = wait_for(&widget, "[data-testid=balance]").await;
    let computed = web_sys::window()
        .expect("window")
        .get_computed_style(&balance)
        .ok()
        .flatten()
        .expect("computed style");
    let color = computed.get_property_value("color").unwrap_or_default();
    assert_ne!(color, "rgb(255, 0, 0)");
    let size = computed.get_property_value("font-size").unwrap_or_default();
    assert_ne!(size, "40px");
    style.remove();
}

#[wasm_bindgen_test]
async fn starting_an_embed_twice_is_harmless() {
    let token = token_for("cust-anna").await;
    let widget = mounted(&[("endpoint", ENDPOINT), ("token", &token), ("lang", "en")]).await;
    wait_for(&widget, "[data-testid=balance]").await;
    embed::start_one(&widget);
    embed::start_one(&widget);
    let sections = shadow(&widget)
        .query_selector_all("section")
        .expect("query");
    assert_eq!(sections.length(), 1, "one widget, not three");
    assert!(shadow(&widget)
        .query_selector("[data-testid=balance]")
        .ok()
        .flatten()
        .is_some());
}
