//! Copying text and the browser's native share sheet.

use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn navigator() -> Option<web_sys::Navigator> {
    web_sys::window().map(|window| window.navigator())
}

/// Copies text to the clipboard. Fails where the browser refuses (no secure
/// context, no permission).
pub async fn copy(text: &str) -> Result<(), String> {
    let navigator = navigator().ok_or("no navigator")?;
    let clipboard = Reflect::get(&navigator, &"clipboard".into())
        .ok()
        .filter(|value| !value.is_undefined())
        .ok_or("no clipboard in this browser")?;
    let clipboard: web_sys::Clipboard = clipboard.unchecked_into();
    JsFuture::from(clipboard.write_text(text))
        .await
        .map(drop)
        .map_err(|err| format!("{err:?}"))
}

/// Whether the browser has a native share sheet (`navigator.share`).
pub fn can_share() -> bool {
    navigator()
        .and_then(|navigator| Reflect::has(&navigator, &"share".into()).ok())
        .unwrap_or(false)
}

/// Opens the native share sheet. A cancelled share is not an error worth
/// reporting, so the result only says whether it completed.
pub async fn share(title: &str, text: &str, url: &str) -> bool {
    let Some(navigator) = navigator() else {
        return false;
    };
    let Ok(function) = Reflect::get(&navigator, &"share".into()) else {
        return false;
    };
    let Some(function) = function.dyn_ref::<js_sys::Function>() else {
        return false;
    };
    let data = Object::new();
    for (key, value) in [("title", title), ("text", text), ("url", url)] {
        let _ = Reflect::set(&data, &key.into(), &JsValue::from_str(value));
    }
    match function.call1(&navigator, &data) {
        Ok(promise) => JsFuture::from(js_sys::Promise::from(promise)).await.is_ok(),
        Err(_) => false,
    }
}
