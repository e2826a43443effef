//! Mounting one widget into a host element, inside a shadow root.
//!
//! The shadow root keeps the shop's CSS out and the widget's CSS in. Styles
//! are applied as a constructable stylesheet, so no `'unsafe-inline'` is
//! needed in the shop's Content Security Policy.

use crate::components::widget::Widget;
use crate::edge::console;
use js_sys::Array;
use leptos::prelude::*;
use loyalty_core::config::Config;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CssStyleSheet, Element, HtmlElement, ShadowRoot, ShadowRootInit, ShadowRootMode};

/// The widget's whole stylesheet.
pub const CSS: &str = include_str!("../../style/widget.css");

/// The class of the element inside the shadow root that Leptos renders into.
pub const ROOT_CLASS: &str = "lw-root";

fn shadow_root(host: &Element) -> Result<ShadowRoot, JsValue> {
    if let Some(root) = host.shadow_root() {
        // Mounting again (e.g. after an unmount in a single-page shop).
        root.set_inner_html("");
        return Ok(root);
    }
    host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
}

fn adopt_styles(root: &ShadowRoot) -> Result<(), JsValue> {
    let sheet = CssStyleSheet::new()?;
    sheet.replace_sync(CSS)?;
    root.set_adopted_style_sheets(&Array::of1(&sheet));
    Ok(())
}

/// Renders the widget for `config` into `host`'s shadow root.
///
/// Errors (a host that cannot have a shadow root, an old browser without
/// constructable stylesheets) are logged with the `[loyalty-widget]` prefix
/// and returned; they never throw into the host page.
pub fn mount(host: &Element, config: Config) -> Result<(), JsValue> {
    let result = mount_inner(host, config);
    if let Err(err) = &result {
        console::error(&format!("could not mount: {err:?}"));
    }
    result
}

fn mount_inner(host: &Element, config: Config) -> Result<(), JsValue> {
    let root = shadow_root(host)?;
    if let Err(err) = adopt_styles(&root) {
        console::warn(&format!("styles not applied: {err:?}"));
    }
    let document = host
        .owner_document()
        .ok_or_else(|| JsValue::from_str("host element has no document"))?;
    let container: HtmlElement = document.create_element("div")?.dyn_into()?;
    container.set_class_name(ROOT_CLASS);
    root.append_child(&container)?;
    leptos::mount::mount_to(container, move || view! { <Widget config=config/> }).forget();
    Ok(())
}
