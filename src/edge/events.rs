//! What the loader lends each widget: a way to tell the shop what happened
//! (DOM events on the embed) and, optionally, a function that returns a
//! fresh customer token.
//!
//! Both are JavaScript functions owned by the loader. The events and their
//! details are typed in [`loyalty_core::events`]. Components reach the
//! event side through [`emit`], which is a no-op when the widget was mounted
//! without a loader (as in the browser tests).

use js_sys::Function;
use leptos::prelude::{provide_context, use_context};
use loyalty_core::events::Event;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsValue;

/// The loader's `emit(name, detail)` function, as a Leptos context.
#[derive(Clone)]
pub struct Emitter(SendWrapper<Function>);

impl Emitter {
    /// Wraps the loader's function.
    pub fn new(function: Function) -> Emitter {
        Emitter(SendWrapper::new(function))
    }

    /// Makes this emitter the one the components below use.
    pub fn provide(self) {
        provide_context(self);
    }
}

/// Reports `event` to the shop. Never throws: a failing listener in the
/// shop's code is the shop's console entry, not the widget's crash.
pub fn emit(event: &Event) {
    if let Some(Emitter(function)) = use_context::<Emitter>() {
        send(&function, event);
    }
}

/// Calls the loader's `emit` function directly (outside a widget), with
/// the event's typed detail as a JS object (serde_wasm_bindgen).
pub fn send(function: &Function, event: &Event) {
    let Ok(detail) = serde_wasm_bindgen::to_value(event) else {
        return;
    };
    let _ = function.call2(&JsValue::NULL, &JsValue::from_str(event.name()), &detail);
}
