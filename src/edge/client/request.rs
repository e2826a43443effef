//! One attempt at a call: the request built (headers, token, ETag, body)
//! and sent through gloo-net with a timeout, or the loader's answer taken
//! over ([`super::first_answers`]); then the answer read by the browser's
//! JSON parser and its status turned into a [`Raw`] answer or an
//! [`ApiError`]. Also the decoding of a body into a checked contract value.

use super::Client;
use crate::edge::console;
use gloo_net::http::{Request, RequestBuilder};
use loyalty_core::contract::{self, Checked, DecodeError, ErrorBody};
use loyalty_core::error::ApiError;
use loyalty_core::retry::TIMEOUT_MS;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, RequestCache};

/// What to send: a read (with the ETag of a cached copy, if any) or a write
/// (body and idempotency key).
pub(super) struct Call<'a> {
    pub(super) path: &'a str,
    pub(super) etag: Option<&'a str>,
    pub(super) write: Option<(&'a str, &'a str)>,
}

impl<'a> Call<'a> {
    /// `GET path`, revalidating the copy whose ETag is `etag`, if any.
    pub(super) fn read(path: &'a str, etag: Option<&'a str>) -> Call<'a> {
        Call {
            path,
            etag,
            write: None,
        }
    }
}

/// A raw answer.
pub(super) enum Raw {
    /// 304 to a call with an ETag: the cached copy still holds.
    NotModified,
    /// A 2xx body (as the browser parsed it) and its ETag.
    Body { body: JsValue, etag: Option<String> },
}

impl Raw {
    /// The body of an answer that must have one (a read without an ETag, or
    /// a write): [`Raw::NotModified`] only answers a call with an ETag.
    pub(super) fn body(self) -> Result<JsValue, ApiError> {
        match self {
            Raw::Body { body, .. } => Ok(body),
            Raw::NotModified => Err(ApiError::status(304)),
        }
    }
}

impl Client {
    /// The full URL of `path` in the client's language.
    pub(super) fn url(&self, path: &str) -> String {
        let separator = if path.contains('?') { '&' } else { '?' };
        format!(
            "{}{}{path}{separator}lang={}",
            self.endpoint,
            contract::API_PREFIX,
            self.lang.tag()
        )
    }

    /// One attempt: the loader's answer for a plain read when it has one,
    /// else a request of the client's own.
    pub(super) async fn attempt(&self, url: &str, call: &Call<'_>) -> Result<Raw, ApiError> {
        let early = match (&self.head_start, call.write, call.etag) {
            (Some(head), None, None) => head.take_answer(url, self.token().as_deref()),
            _ => None,
        };
        let answer = match early {
            Some(response) => super::first_answers::adopt(response).await?,
            None => self.send_request(url, call).await?,
        };
        // A 304 to a call that revalidated nothing is no answer to it: an
        // error the retry rules ask again at once.
        if answer.status == 304 && call.etag.is_some() {
            return Ok(Raw::NotModified);
        }
        if !answer.ok() {
            let retry_after = answer
                .header("retry-after")
                .and_then(|value| value.trim().parse().ok());
            return Err(ApiError::Status {
                status: answer.status,
                code: match answer.body {
                    Body::Json(body) => from_js::<ErrorBody>(body, "").ok().map(|b| b.error.code),
                    Body::NotJson => None,
                },
                retry_after,
            });
        }
        // A body cut off mid-way (or an HTML page) is worth another attempt.
        let etag = answer.header("etag");
        let Body::Json(body) = answer.body else {
            return Err(ApiError::Decode(DecodeError::Malformed(
                "the body is not complete JSON".to_owned(),
            )));
        };
        Ok(Raw::Body { body, etag })
    }

    /// Sends `call` to `url` with the current token.
    async fn send_request(&self, url: &str, call: &Call<'_>) -> Result<Answer, ApiError> {
        let mut request = match call.write {
            Some((_, key)) => Request::post(url)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key),
            None => Request::get(url),
        }
        .header("Accept", "application/json");
        if let Some(token) = self.token().as_ref() {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        if let Some(etag) = call.etag {
            request = request.header("If-None-Match", etag);
        }
        fetch(request, call.write.map(|(body, _)| body)).await
    }
}

/// Decodes what the browser parsed into a checked contract value. Each
/// optional part left out (a malformed date, link, entry or block; see
/// [`contract::accept_noting`]) is named in one console line per page, with
/// the route it came from.
pub fn from_js<T: DeserializeOwned + Checked>(
    value: JsValue,
    path: &str,
) -> Result<T, DecodeError> {
    let mut left_out = Vec::new();
    let value = contract::accept_noting(serde_wasm_bindgen::from_value(value), &mut left_out)?;
    report_left_out(&left_out, path);
    Ok(value)
}

/// The console lines of [`from_js`], once for every type.
#[inline(never)]
fn report_left_out(left_out: &[&str], path: &str) {
    for field in left_out {
        console::warn_once(&format!(
            "left out {field} of {}{path}: not a value the contract allows",
            contract::API_PREFIX
        ));
    }
}

/// A browser error as a network failure.
pub(super) fn network(error: JsValue) -> ApiError {
    ApiError::Network(format!("{error:?}"))
}

/// An answer's body as the browser's JSON parser read it.
pub(super) enum Body {
    /// Complete JSON.
    Json(JsValue),
    /// Empty, cut off, or not JSON at all (an HTML error page).
    NotJson,
}

/// A whole answer: status, headers and parsed body.
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) headers: web_sys::Headers,
    pub(super) body: Body,
}

impl Answer {
    pub(super) fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).ok().flatten()
    }

    /// Reads a response's status, headers and whole body (the browser's
    /// JSON parser).
    async fn read(response: web_sys::Response) -> Result<Answer, JsValue> {
        let status = response.status();
        let headers = response.headers();
        // Not gloo-net's `Response::json`: that would bring serde_json.
        let body = if status == 304 {
            Body::NotJson
        } else {
            match JsFuture::from(response.json()?).await {
                Ok(value) => Body::Json(value),
                Err(error) if error.is_instance_of::<js_sys::SyntaxError>() => Body::NotJson,
                Err(error) => return Err(error),
            }
        };
        Ok(Answer {
            status,
            headers,
            body,
        })
    }
}

/// Sends a request (never from the HTTP cache: the client keeps its own, see
/// [`crate::edge::cache`]) and reads its whole body with the browser's JSON
/// parser, abandoning both after [`TIMEOUT_MS`]: a body that stalls half-way
/// times out like a silent server.
pub(super) async fn fetch(request: RequestBuilder, body: Option<&str>) -> Result<Answer, ApiError> {
    let controller = AbortController::new().map_err(network)?;
    let signal = controller.signal();
    let timer = gloo_timers::callback::Timeout::new(TIMEOUT_MS, move || controller.abort());
    let request = request
        .cache(RequestCache::NoStore)
        .abort_signal(Some(&signal));
    let result = async {
        let request = match body {
            Some(body) => request.body(body),
            None => request.build(),
        }
        .map_err(|err| JsValue::from_str(&err.to_string()))?;
        let response = request
            .send()
            .await
            .map_err(|err| JsValue::from_str(&err.to_string()))?;
        Answer::read(response.into()).await
    }
    .await;
    let timed_out = signal.aborted();
    drop(timer);
    result.map_err(|error| {
        if timed_out {
            ApiError::Timeout
        } else {
            network(error)
        }
    })
}
