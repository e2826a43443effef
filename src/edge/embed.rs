//! Starting an embed without the loader: reads a `<loyalty-widget>`
//! element's attributes and mounts a widget into its shadow root. The
//! browser tests embed the widget this way; shops use the loader
//! (`loader/loyalty-widget.js`), which drives [`mount::Instance`] itself.

use crate::edge::console;
use crate::edge::mount::{self, Lent};
use web_sys::Element;

/// The tag of an embed.
pub const TAG: &str = "loyalty-widget";

/// Mounts one embed, or shows its configuration error. Starting an embed
/// that is already running does nothing.
///
/// The `token` attribute is removed once read: from then on the token lives
/// only in the widget's memory, not in the page's DOM.
pub fn start_one(element: &Element) {
    if element.get_attribute("data-state").as_deref() == Some("mounted") {
        return;
    }
    let token = element.get_attribute("token");
    let _ = element.remove_attribute("token");
    let lent = Lent {
        token,
        ..Lent::default()
    };
    match mount::Instance::attach(element, lent) {
        // Lives as long as the page: nothing here unmounts it.
        Ok(instance) => std::mem::forget(instance),
        Err(err) => console::error(&format!("could not mount: {err:?}")),
    }
}
