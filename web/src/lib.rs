//! The shipped WebAssembly. The loader (`loader/loyalty-widget.js`) fetches
//! it on first use and drives one [`Widget`] per embed; everything else
//! lives in the `loyalty-widget` crate.

use js_sys::Function;
use loyalty_widget::edge::client::HeadStart;
use loyalty_widget::edge::mount::{self, Instance, Lent};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use web_sys::{Element, HtmlElement};

/// One embed's widget, as the loader sees it.
#[wasm_bindgen]
pub struct Widget(Instance);

#[wasm_bindgen]
impl Widget {
    /// Mounts a widget configured by `host`'s attributes into `container`
    /// (inside `host`'s shadow root). `token` and `token_function` are the
    /// customer's, held in memory only; `emit(name, detail)` reports events;
    /// `head_start` is `{token, answers}`, the first answers the loader
    /// already asked for (see `HeadStart`), or `undefined`; `pack` the
    /// language pack the loader fetched (`[lang, texts…]`), or `undefined`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        host: Element,
        container: HtmlElement,
        token: Option<String>,
        token_function: Option<Function>,
        emit: Option<Function>,
        head_start: JsValue,
        pack: JsValue,
    ) -> Widget {
        let lent = Lent {
            token,
            token_function,
            emit,
            head_start: HeadStart::from_js(head_start),
            pack: mount::pack_from_js(pack),
        };
        Widget(Instance::new(host, container, lent))
    }

    /// Switches to another customer; neither a token nor a function means
    /// the guest view.
    #[wasm_bindgen(js_name = setToken)]
    pub fn set_token(&mut self, token: Option<String>, token_function: Option<Function>) {
        self.0.set_token(token, token_function);
    }

    /// Reloads the data, revalidating what the visit cache holds.
    pub fn refresh(&mut self) {
        self.0.refresh();
    }

    /// Forgets the customer and shows the guest view.
    pub fn logout(&mut self) {
        self.0.logout();
    }

    /// Unmounts the widget and releases everything it held.
    pub fn destroy(&mut self) {
        self.0.destroy();
    }
}
