//! Idempotent writes: a `POST` with its body and the `Idempotency-Key` the
//! caller made once for the customer's intent, retried (by the retry loop)
//! only with that same key, so the endpoint applies it once.

use super::request::{network, Call};
use super::Client;
use loyalty_core::contract::Checked;
use loyalty_core::error::ApiError;
use serde::de::DeserializeOwned;
use serde::Serialize;

impl Client {
    /// `POST path` with `body` and the idempotency key `key`, decoded and
    /// checked.
    pub(super) async fn write<T: DeserializeOwned + Checked>(
        &self,
        path: &str,
        body: &impl Serialize,
        key: &str,
    ) -> Result<T, ApiError> {
        let body = to_json(body)?;
        let call = Call {
            path,
            etag: None,
            write: Some((&body, key)),
        };
        Ok(super::from_js(self.send(call).await?.body()?, path)?)
    }
}

/// A fresh idempotency key for one intended write (a UUID where the browser
/// has `crypto.randomUUID`, random hex otherwise).
pub fn new_idempotency_key() -> String {
    web_sys::window()
        .and_then(|window| window.crypto().ok())
        .map(|crypto| crypto.random_uuid())
        .unwrap_or_else(|| {
            (0..4)
                .map(|_| format!("{:08x}", (js_sys::Math::random() * 4_294_967_296.0) as u64))
                .collect()
        })
}

/// A request body as JSON text: serde_wasm_bindgen makes the JS object and
/// the browser's `JSON.stringify` writes it.
fn to_json(body: &impl Serialize) -> Result<String, ApiError> {
    let value = serde_wasm_bindgen::to_value(body).map_err(|err| network(err.into()))?;
    js_sys::JSON::stringify(&value)
        .map(String::from)
        .map_err(network)
}
