//! The first answers handed over by the loader: `/v1/customer`,
//! `/v1/program` and `/v1/offers`, asked for beside the WebAssembly (the
//! head start) and read whole, each taken over once by the client's first
//! read of the same URL with the same token.

use super::request::{network, Answer, Body};
use js_sys::{Object, Promise, Reflect};
use loyalty_core::error::ApiError;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The loader's head start: the first reads, asked for with `token` while
/// the WebAssembly was still loading, keyed by their full URL. Each is taken
/// over once, by a read of the same URL with the same token and no cached
/// answer; anything else asks the endpoint itself.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct HeadStart {
    token: String,
    /// `{ [url]: Promise<EarlyAnswer> }`.
    #[serde(with = "serde_wasm_bindgen::preserve")]
    answers: Object,
}

impl HeadStart {
    /// Reads what the loader handed over; anything else is no head start.
    pub fn from_js(value: JsValue) -> Option<HeadStart> {
        serde_wasm_bindgen::from_value(value).ok()
    }

    /// The answer in flight for `url`, if it was asked for with `token`.
    pub(super) fn take_answer(&self, url: &str, token: Option<&str>) -> Option<Promise> {
        if token != Some(self.token.as_str()) {
            return None;
        }
        let key = JsValue::from_str(url);
        let answer = Reflect::get(&self.answers, &key).ok()?;
        Reflect::delete_property(&self.answers, &key).ok()?;
        answer.dyn_into().ok()
    }
}

/// An answer the loader asked for and read whole while the WebAssembly was
/// still loading: `{status, headers, json, body}`, `json` saying whether
/// `body` is the parsed JSON (see `readAhead` in the loader). Read ahead, it
/// is taken over without waiting for another task of the page.
#[derive(serde::Deserialize)]
struct EarlyAnswer {
    status: u16,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    headers: web_sys::Headers,
    json: bool,
    #[serde(with = "serde_wasm_bindgen::preserve", default)]
    body: JsValue,
}

/// Takes over an answer the loader asked for (see [`HeadStart`]); the
/// loader's request carries the same timeout as an abort signal.
pub(super) async fn adopt(answer: Promise) -> Result<Answer, ApiError> {
    let result = async {
        let early: EarlyAnswer = serde_wasm_bindgen::from_value(JsFuture::from(answer).await?)?;
        Ok::<_, JsValue>(Answer {
            status: early.status,
            headers: early.headers,
            body: if early.json {
                Body::Json(early.body)
            } else {
                Body::NotJson
            },
        })
    }
    .await;
    result.map_err(|error| {
        let name = Reflect::get(&error, &"name".into()).ok();
        if name.and_then(|name| name.as_string()).as_deref() == Some("TimeoutError") {
            ApiError::Timeout
        } else {
            network(error)
        }
    })
}
