//! The per-visit cache of the last customer summary, in sessionStorage.
//!
//! It holds the summary's JSON and ETag, never the token, under a key derived
//! from the endpoint and the customer (see [`loyalty_core::identity`]), so a
//! different customer never sees it. Any storage failure (disabled storage,
//! quota, private mode) simply means no cache.

use loyalty_core::json::{self, required, Reader};
use web_sys::Storage;

/// Prefix of every key this widget writes.
pub const PREFIX: &str = "loyalty-widget:";

/// Prefix of entries that belong to no customer (the public program).
pub const PUBLIC: &str = "loyalty-widget:public:";

/// One cached answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The answer's ETag, for revalidation.
    pub etag: Option<String>,
    /// The answer's body.
    pub body: String,
    /// When it was stored, in ms since the epoch.
    pub stored_at: f64,
}

impl Entry {
    /// The entry as stored: `{"etag":…,"body":…,"stored_at":…}`.
    fn to_json(&self) -> String {
        let mut out = String::from("{\"etag\":");
        match &self.etag {
            Some(etag) => json::write_string(&mut out, etag),
            None => out.push_str("null"),
        }
        out.push_str(",\"body\":");
        json::write_string(&mut out, &self.body);
        out.push_str(",\"stored_at\":");
        // Whole milliseconds: no float formatting in the binary.
        out.push_str(&(self.stored_at.max(0.0) as u64).to_string());
        out.push('}');
        out
    }

    /// Reads a stored entry; anything else (another version, a shop's own
    /// key, a hand-edited value) is `None`.
    fn from_json(raw: &str) -> Option<Entry> {
        Reader::parse(raw, |reader| {
            let (mut etag, mut body, mut stored_at) = (None, None, None);
            reader.object(&mut |reader, key| {
                match key {
                    "etag" => etag = reader.optional(Reader::string)?,
                    "body" => body = Some(reader.string()?),
                    "stored_at" => stored_at = Some(reader.u64()?),
                    _ => reader.skip()?,
                }
                Ok(())
            })?;
            Ok(Entry {
                etag,
                body: required(body, "body")?,
                stored_at: required(stored_at, "stored_at")? as f64,
            })
        })
        .ok()
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
    if let Some(storage) = storage() {
        let _ = storage.set_item(key, &entry.to_json());
    }
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
