//! Helpers shared by the browser tests: embedding a widget like a shop does,
//! waiting for what a customer would see, and demo tokens from the running
//! reference endpoint.
#![allow(dead_code)]

use gloo_timers::future::TimeoutFuture;
use loyalty_widget::core::i18n::{Built, Lang, Pack};
use loyalty_widget::edge::mount::{Instance, Lent};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, ShadowRoot};

/// The plain reference endpoint (scripts/test.sh starts it with `--demo`).
pub const ENDPOINT: &str = match option_env!("LOYALTY_TEST_ENDPOINT") {
    Some(url) => url,
    None => "http://127.0.0.1:18787",
};

pub fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a browser document")
}

/// A fresh `<loyalty-widget>` with these attributes, appended to the body
/// and started, as the loader does for each embed.
pub fn mounted(attributes: &[(&str, &str)]) -> Element {
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
    // As the loader does: the token taken off the page, the language's
    // pack handed over (English is built in).
    let token = element.get_attribute("token");
    let _ = element.remove_attribute("token");
    let lang = attributes
        .iter()
        .find(|(name, _)| *name == "lang")
        .and_then(|(_, tag)| Lang::from_tag(tag));
    let lent = Lent {
        token,
        pack: lang.and_then(pack),
        ..Lent::default()
    };
    std::mem::forget(Instance::attach(&element, lent).expect("mounts"));
    element
}

/// The pack of a language, as the loader would hand it over.
pub fn pack(lang: Lang) -> Option<Built> {
    let raw = match lang {
        Lang::En => return None,
        Lang::De => include_str!("../../src/i18n/de.json"),
        Lang::Fr => include_str!("../../src/i18n/fr.json"),
        Lang::It => include_str!("../../src/i18n/it.json"),
        Lang::Es => include_str!("../../src/i18n/es.json"),
        Lang::Nl => include_str!("../../src/i18n/nl.json"),
        Lang::Pl => include_str!("../../src/i18n/pl.json"),
        Lang::Pt => include_str!("../../src/i18n/pt.json"),
        Lang::Sv => include_str!("../../src/i18n/sv.json"),
        Lang::Da => include_str!("../../src/i18n/da.json"),
        Lang::Fi => include_str!("../../src/i18n/fi.json"),
        Lang::Nb => include_str!("../../src/i18n/nb.json"),
        Lang::Cs => include_str!("../../src/i18n/cs.json"),
        Lang::Ar => include_str!("../../src/i18n/ar.json"),
        Lang::He => include_str!("../../src/i18n/he.json"),
    };
    let pack: Pack = serde_json::from_str(raw).expect("pack json");
    let (texts, _) = pack.read();
    Some(Built {
        lang: pack.lang,
        texts,
    })
}

/// A demo token for a customer, from `GET {endpoint}/_demo/token`.
pub async fn token_at(endpoint: &str, customer: &str) -> String {
    let response =
        gloo_net::http::Request::get(&format!("{endpoint}/_demo/token?customer={customer}"))
            .send()
            .await
            .expect("the test endpoint is running (scripts/test.sh starts it)");
    let body = response.text().await.expect("token body");
    let body: serde_json::Value = serde_json::from_str(&body).expect("token json");
    body["token"].as_str().expect("token").to_owned()
}

/// A demo token from the plain endpoint.
pub async fn token_for(customer: &str) -> String {
    token_at(ENDPOINT, customer).await
}

pub fn shadow(element: &Element) -> ShadowRoot {
    element
        .shadow_root()
        .expect("the widget renders into a shadow root")
}

/// The first match of `selector` inside the widget, if any.
pub fn find(element: &Element, selector: &str) -> Option<Element> {
    shadow(element).query_selector(selector).ok().flatten()
}

/// Every match of `selector` inside the widget.
pub fn find_all(element: &Element, selector: &str) -> Vec<Element> {
    let list = shadow(element)
        .query_selector_all(selector)
        .expect("selector");
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|node| node.dyn_into::<Element>().ok())
        .collect()
}

/// Waits up to 15 s for `selector` inside the widget's shadow root.
pub async fn wait_for(element: &Element, selector: &str) -> Element {
    for _ in 0..750 {
        if let Some(found) = find(element, selector) {
            return found;
        }
        TimeoutFuture::new(20).await;
    }
    panic!(
        "{selector} did not appear; widget shows: {:?}",
        text(element)
    );
}

/// Waits up to 15 s until the widget's text contains `needle`.
pub async fn wait_for_text(element: &Element, needle: &str) {
    for _ in 0..750 {
        if text(element).contains(needle) {
            return;
        }
        TimeoutFuture::new(20).await;
    }
    panic!(
        "{needle:?} did not appear; widget shows: {:?}",
        text(element)
    );
}

/// All text the customer can read in the widget (or in the element itself
/// when nothing was mounted).
pub fn text(element: &Element) -> String {
    element
        .shadow_root()
        .and_then(|root| root.text_content())
        .or_else(|| element.text_content())
        .unwrap_or_default()
}

pub fn text_of(element: &Element) -> String {
    element.text_content().unwrap_or_default()
}

/// Clicks an element the way a pointer would.
pub fn click(element: &Element) {
    element
        .dyn_ref::<HtmlElement>()
        .expect("an HTML element")
        .click();
}

/// The button inside `scope` whose text is `label`.
pub fn button(scope: &Element, label: &str) -> Element {
    let list = scope.query_selector_all("button").expect("selector");
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|node| node.dyn_into::<Element>().ok())
        .find(|b| text_of(b).trim() == label)
        .unwrap_or_else(|| panic!("no button {label:?} in {:?}", text_of(scope)))
}

/// The element that has focus inside the widget.
pub fn focused(element: &Element) -> Option<Element> {
    shadow(element).active_element()
}

pub async fn tick(ms: u32) {
    TimeoutFuture::new(ms).await;
}
