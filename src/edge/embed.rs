//! Finds the embeds on the page and mounts one widget into each.
//!
//! An embed is a `<loyalty-widget>` element; its attributes are the
//! configuration (see the README's configuration table).

use crate::edge::{console, mount};
use loyalty_core::config::Config;
use loyalty_core::i18n::{Key, Lang};
use web_sys::Element;

/// The tag of an embed.
pub const TAG: &str = "loyalty-widget";

/// Reads an embed's configuration from its attributes.
pub fn config_of(element: &Element) -> Result<Config, loyalty_core::config::ConfigError> {
    Config::from_attributes(
        |name| element.get_attribute(name),
        page_lang(element).as_deref(),
    )
}

fn page_lang(element: &Element) -> Option<String> {
    element
        .owner_document()
        .and_then(|doc| doc.document_element())
        .and_then(|html| html.get_attribute("lang"))
}

/// Mounts a widget into every embed on the page. Configuration mistakes are
/// logged once per embed and shown as a quiet, translated notice.
pub fn start() {
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return;
    };
    let Ok(embeds) = document.query_selector_all(TAG) else {
        return;
    };
    for index in 0..embeds.length() {
        let Some(element) = embeds
            .item(index)
            .and_then(|node| wasm_bindgen::JsCast::dyn_into::<Element>(node).ok())
        else {
            continue;
        };
        start_one(&element);
    }
}

/// Mounts one embed, or shows its configuration error. Starting an embed
/// that is already running does nothing.
///
/// The `token` attribute is removed once read: from then on the token lives
/// only in the widget's memory, not in the page's DOM.
pub fn start_one(element: &Element) {
    if element.get_attribute("data-state").as_deref() == Some("mounted") {
        return;
    }
    match config_of(element) {
        Ok(config) => {
            for warning in &config.warnings {
                console::warn(warning);
            }
            let _ = element.remove_attribute("token");
            if mount::mount(element, config).is_ok() {
                let _ = element.set_attribute("data-state", "mounted");
            }
        }
        Err(err) => {
            console::error(&err.to_string());
            let lang = element
                .get_attribute("lang")
                .or_else(|| page_lang(element))
                .map(|tag| Lang::from_tag(&tag))
                .unwrap_or_default();
            element.set_text_content(Some(Key::ErrorConfig.text(lang)));
            let _ = element.set_attribute("data-state", "config-error");
        }
    }
}
