//! The per-visit cache of the last customer summary, in sessionStorage.
//!
//! It holds the summary's JSON and ETag, never the token, under a key derived
//! from the endpoint and the customer (see [`loyalty_core::identity`]), so a
//! different customer never sees it. Any storage failure (disabled storage,
//! quota, private mode) simply means no cache.

use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;
use web_sys::Storage;

/// Prefix of every key this widget writes.
pub const PREFIX: &str = "loyalty-widget:";

/// Prefix of entries that belong to no customer (the public program).
pub const PUBLIC: &str = "loyalty-widget:public:";

/// One cached answer, stored as `{"etag":…,"body":…,"stored_at":…}` (the
/// browser's `JSON.stringify` writes it and `JSON.parse` reads it back).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    /// The answer's ETag, for revalidation.
    pub etag: Option<String>,
    /// The answer's body, as the browser parsed it.
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub body: JsValue,
    /// When it was stored, in ms since the epoch.
    pub stored_at: f64,
}

impl Entry {
    /// The entry as stored.
    fn to_json(&self) -> Option<String> {
        let value = serde_wasm_bindgen::to_value(self).ok()?;
        js_sys::JSON::stringify(&value).ok().map(String::from)
    }

    /// Reads a stored entry; anything else (another version, a shop's own
    /// key, a hand-edited value) is `None`.
    fn from_json(raw: &str) -> Option<Entry> {
        let value = js_sys::JSON::parse(raw).ok()?;
        serde_wasm_bindgen::from_value(value).ok()
    }
}

fn storage() -> Option<Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// The cached entry under `key`, if any.
pub fn get(key: &str) -> Option<Entry> {
    let raw = storage()?.get_item(key).ok()??;
    Entry::from_json(&raw)
}

/// Stores an entry; failures are ignored.
pub fn put(key: &str, entry: &Entry) {
    if let (Some(storage), Some(json)) = (storage(), entry.to_json()) {
        let _ = storage.set_item(key, &json);
    }
}

/// Remembers a short text under `key` for the visit (an unconfirmed
/// write's idempotency key); failures are ignored.
pub fn remember(key: &str, text: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(key, text);
    }
}

/// A text remembered under `key`, if any.
pub fn recall(key: &str) -> Option<String> {
    storage()?.get_item(key).ok()?
}

/// Drops one entry.
pub fn remove(key: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(key);
    }
}

/// The keys of this widget's entries that `keep` accepts.
fn keys(keep: impl Fn(&str) -> bool) -> Vec<String> {
    let Some(storage) = storage() else {
        return Vec::new();
    };
    let length = storage.length().unwrap_or(0);
    (0..length)
        .filter_map(|index| storage.key(index).ok().flatten())
        .filter(|key| key.starts_with(PREFIX) && keep(key))
        .collect()
}

/// Drops every customer's entries (logout); public program data stays.
pub fn clear_all() {
    for key in keys(|key| !key.starts_with(PUBLIC)) {
        remove(&key);
    }
}

/// Marks every entry as old, so the next read revalidates it (with its
/// ETag) while it stays available as a fallback.
pub fn expire_all() {
    for key in keys(|_| true) {
        if let Some(entry) = get(&key) {
            put(
                &key,
                &Entry {
                    stored_at: 0.0,
                    ..entry
                },
            );
        }
    }
}

/// Milliseconds since the epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}
