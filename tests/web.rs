//! Browser tests: mount the real widget against the running reference
//! endpoint (started by scripts/test.sh) and assert on what a customer sees.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use loyalty_widget::edge::embed;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The same endpoint answering `/v1/customer` after 1.5 s.
const SLOW_ENDPOINT: &str = match option_env!("LOYALTY_TEST_SLOW_ENDPOINT") {
    Some(url) => url,
    None => "http://127.0.0.1:18788",
};

#[wasm_bindgen_test]
async fn customer_sees_points_balance_in_english() {
    let token = token_for("cust-anna").await;
    let widget = mounted(&[("endpoint", ENDPOINT), ("token", &token), ("lang", "en")]);
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
    let widget = mounted(&[("endpoint", ENDPOINT), ("token", &token), ("lang", "de")]);
    let balance = wait_for(&widget, "[data-testid=balance]").await;
    assert_eq!(balance.text_content().as_deref(), Some("4.200 Punkte"));
    let all = text(&widget);
    assert!(all.contains("Im Wert von 42,00\u{a0}€"), "{all}");
    assert!(all.contains("Prämien"), "{all}");
}

#[wasm_bindgen_test]
async fn loading_is_announced_in_german() {
    let token = token_for("cust-carla").await;
    let widget = mounted(&[
        ("endpoint", SLOW_ENDPOINT),
        ("token", &token),
        ("lang", "de"),
    ]);
    let status = wait_for(&widget, "[role=status]").await;
    assert_eq!(text_of(&status), "Deine Prämien werden geladen …");
    wait_for(&widget, "[data-testid=balance]").await;
}

#[wasm_bindgen_test]
async fn loading_skeleton_reserves_space_before_data() {
    let token = token_for("cust-anna").await;
    let widget = mounted(&[("endpoint", SLOW_ENDPOINT), ("token", &token)]);
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
async fn a_wrong_endpoint_path_shows_a_translated_error_with_retry() {
    // A path that is no route: the endpoint answers even the CORS preflight
    // with 404 (only routes that exist take preflights), so the browser
    // reports a failed request, as it does for a server it cannot reach.
    // (Server errors' own message: tests/client.rs, with the faulty endpoint.)
    let widget = mounted(&[
        ("endpoint", &format!("{ENDPOINT}/no-such-api")),
        ("token", "anything"),
        ("lang", "de"),
    ]);
    let alert = wait_for(&widget, "[role=alert]").await;
    let message = alert.text_content().unwrap_or_default();
    assert!(
        message.contains("Der Prämienservice ist gerade nicht erreichbar."),
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
    ]);
    let alert = wait_for(&widget, "[role=alert]").await;
    assert!(alert
        .text_content()
        .unwrap_or_default()
        .contains("We can't reach the rewards service right now."));
}

#[wasm_bindgen_test]
async fn rejected_token_asks_to_sign_in_again() {
    let widget = mounted(&[("endpoint", ENDPOINT), ("token", "forged.token.value")]);
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
    ]);
    let join = wait_for(&widget, "a.lw-button").await;
    assert_eq!(
        join.get_attribute("href").as_deref(),
        Some("https://shop.example/join")
    );
    assert!(text(&widget).contains("Sign in to see your points"));
}

#[wasm_bindgen_test]
async fn a_guest_through_a_referral_link_sees_the_friends_gift_and_signs_up_with_the_code() {
    let widget = mounted(&[
        ("endpoint", ENDPOINT),
        ("lang", "de"),
        ("referral-code", "anna10"),
        ("join-url", "/account/register#club"),
    ]);
    let invite = wait_for(&widget, "[data-testid=invite]").await;
    let said = invite.text_content().unwrap_or_default();
    assert!(
        said.contains("Anna lädt dich in den Morgenrot Kaffeeklub ein."),
        "{said}"
    );
    assert!(
        said.contains("Dein Geschenk zur ersten Bestellung: 5 € Rabatt auf die erste Bestellung"),
        "{said}"
    );
    let join = wait_for(&widget, "a.lw-button").await;
    assert_eq!(
        join.get_attribute("href").as_deref(),
        Some("/account/register?ref=anna10#club")
    );
}

#[wasm_bindgen_test]
async fn an_unknown_or_malformed_referral_code_leaves_the_plain_guest_view() {
    for code in ["NOSUCH1", "<b>x</b>"] {
        let widget = mounted(&[
            ("endpoint", ENDPOINT),
            ("lang", "en"),
            ("referral-code", code),
            ("join-url", "/join"),
        ]);
        let join = wait_for(&widget, "a.lw-button").await;
        // The program has arrived (its name shows) and no invitation came.
        wait_for(&widget, ".lw-program-name").await;
        gloo_timers::future::TimeoutFuture::new(300).await;
        assert!(find(&widget, "[data-testid=invite]").is_none(), "{code}");
        let href = join.get_attribute("href").unwrap_or_default();
        assert_eq!(
            href == "/join?ref=NOSUCH1",
            code == "NOSUCH1",
            "{code}: {href}"
        );
        assert!(text(&widget).contains("Sign in to see your points"));
    }
}

#[wasm_bindgen_test]
async fn config_error_is_visible_and_does_not_mount() {
    let widget = mounted(&[("lang", "de")]);
    assert_eq!(
        widget.get_attribute("data-state").as_deref(),
        Some("config-error")
    );
    assert_eq!(
        shadow(&widget).text_content().as_deref(),
        Some("Prämien sind gerade nicht verfügbar.")
    );
    assert!(shadow(&widget)
        .query_selector("section.lw")
        .ok()
        .flatten()
        .is_none());
}

#[wasm_bindgen_test]
async fn insecure_endpoint_is_refused_before_any_request() {
    let widget = mounted(&[("endpoint", "http://loyalty.example.com"), ("token", "x")]);
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
    let widget = mounted(&[("endpoint", ENDPOINT), ("token", &token), ("lang", "en")]);
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
async fn widget_css_does_not_leak_onto_the_shop_page() {
    // A shop element that happens to use the widget's class names.
    let lookalike = document().create_element("p").expect("p");
    lookalike.set_class_name("lw-balance lw-button");
    lookalike.set_text_content(Some("shop text"));
    document()
        .body()
        .expect("body")
        .append_child(&lookalike)
        .expect("append");
    let token = token_for("cust-anna").await;
    let widget = mounted(&[("endpoint", ENDPOINT), ("token", &token)]);
    let inside = wait_for(&widget, "[data-testid=balance]").await;
    let style = |element: &web_sys::Element| {
        web_sys::window()
            .expect("window")
            .get_computed_style(element)
            .ok()
            .flatten()
            .expect("style")
    };
    let inside_weight = style(&inside)
        .get_property_value("font-weight")
        .unwrap_or_default();
    let outside_weight = style(&lookalike)
        .get_property_value("font-weight")
        .unwrap_or_default();
    assert_eq!(
        inside_weight, "700",
        "the widget's own style applies inside"
    );
    assert_ne!(outside_weight, "700", "and not to the shop's element");
    assert_ne!(
        style(&lookalike)
            .get_property_value("min-height")
            .unwrap_or_default(),
        "44px",
        "the widget's button size does not reach the shop's element"
    );
    lookalike.remove();
}

#[wasm_bindgen_test]
async fn starting_an_embed_twice_is_harmless() {
    let token = token_for("cust-anna").await;
    let widget = mounted(&[("endpoint", ENDPOINT), ("token", &token), ("lang", "en")]);
    wait_for(&widget, "[data-testid=balance]").await;
    embed::start_one(&widget);
    embed::start_one(&widget);
    let sections = shadow(&widget)
        .query_selector_all("section.lw")
        .expect("query");
    assert_eq!(sections.length(), 1, "one widget, not three");
    assert!(shadow(&widget)
        .query_selector("[data-testid=balance]")
        .ok()
        .flatten()
        .is_some());
}
