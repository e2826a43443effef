//! What the loader lends each widget: a way to tell the shop what happened
//! (DOM events on the embed) and, optionally, a function that returns a
//! fresh customer token.
//!
//! Both are JavaScript functions owned by the loader. Components reach the
//! event side through [`emit`], which is a no-op when the widget was mounted
//! without a loader (as in the browser tests).

use js_sys::{Function, Object, Reflect};
use leptos::prelude::{provide_context, use_context};
use send_wrapper::SendWrapper;
use wasm_bindgen::JsValue;

/// The names of the events a widget reports. The loader dispatches each as
/// `loyalty-widget:<name>` on the embed element.
pub mod name {
    /// The first data (or the guest view) is on screen.
    pub const READY: &str = "ready";
    /// The widget could not show the customer's data, or its configuration
    /// is wrong.
    pub const ERROR: &str = "error";
    /// A referral link or coupon code was copied.
    pub const COPIED: &str = "copied";
    /// The customer joined the club.
    pub const JOINED: &str = "joined";
    /// The customer redeemed a reward.
    pub const REDEEMED: &str = "redeemed";
}

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

/// Reports `name` with a detail object built from `fields`. Never throws:
/// a failing listener in the shop's code is the shop's console entry, not
/// the widget's crash.
pub fn emit(name: &str, fields: &[(&str, JsValue)]) {
    if let Some(Emitter(function)) = use_context::<Emitter>() {
        send(&function, name, fields);
    }
}

/// Calls the loader's `emit` function directly (outside a widget).
pub fn send(function: &Function, name: &str, fields: &[(&str, JsValue)]) {
    let detail = Object::new();
    for (key, value) in fields {
        let _ = Reflect::set(&detail, &JsValue::from_str(key), value);
    }
    let _ = function.call2(&JsValue::NULL, &JsValue::from_str(name), &detail);
}
