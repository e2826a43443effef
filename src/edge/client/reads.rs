//! Reads through the per-visit cache ([`crate::edge::cache`]): whose cache
//! key a route has, a fresh copy used as it is, an older one revalidated
//! with its ETag, and kept on screen (marked stale) when the endpoint cannot
//! be asked.

use super::request::{Call, Raw};
use super::Client;
use crate::edge::cache::{self, Entry};
use loyalty_core::contract::{Checked, DecodeError};
use loyalty_core::error::ApiError;
use loyalty_core::identity;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;

/// A cached answer younger than this is used without asking the endpoint.
pub const FRESH_MS: f64 = 30_000.0;

/// A summary and whether it came from the per-visit cache without being
/// confirmed by the endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched<T> {
    /// The value.
    pub value: T,
    /// `true` when shown from cache because the endpoint could not be asked.
    pub stale: bool,
}

impl Client {
    /// The visit-cache key of a route for this customer and language; the
    /// public program is cached under its own prefix, so it survives sign-out.
    pub(super) fn cache_key(&self, path: &str) -> String {
        let who = if path == "/program" {
            String::new()
        } else {
            self.who()
        };
        let key = identity::cache_key(&self.endpoint, self.lang.tag(), &who);
        if who.is_empty() {
            format!("{}{}{path}", cache::PUBLIC, &key[cache::PREFIX.len()..])
        } else {
            format!("{key}{path}")
        }
    }

    /// A read through the visit cache: an answer cached less than
    /// [`FRESH_MS`] ago is used as it is; an older one is revalidated with
    /// its ETag. When the endpoint cannot be reached the cached answer is
    /// returned marked stale (never after a 401/403).
    pub(super) async fn cached<T: DeserializeOwned + Checked>(
        &self,
        path: &str,
    ) -> Result<Fetched<T>, ApiError> {
        let mut value = None;
        let stale = self
            .cached_body(path, &mut |body| {
                value = Some(super::from_js::<T>(body.clone(), path)?);
                Ok(())
            })
            .await?;
        // Every `Ok` of `cached_body` kept a value; a 304 is the one answer
        // that carries none.
        let value = value.ok_or_else(|| ApiError::status(304))?;
        Ok(Fetched { value, stale })
    }

    /// The body of [`Client::cached`], the same for every type (one copy in
    /// the WebAssembly): `accept` decodes a candidate answer and keeps it.
    /// Returns whether the answer kept is stale.
    async fn cached_body(
        &self,
        path: &str,
        accept: &mut dyn FnMut(&JsValue) -> Result<(), DecodeError>,
    ) -> Result<bool, ApiError> {
        let key = self.cache_key(path);
        // Only a copy that still decodes is revalidated: a 304 to anything
        // else would leave nothing to show. One that does not (an older
        // version's, a hand-edited one) is as good as none: the read asks
        // without `If-None-Match`.
        let cached = cache::get(&key).filter(|entry| accept(&entry.body).is_ok());
        if let Some(entry) = &cached {
            if cache::now_ms() - entry.stored_at < FRESH_MS {
                return Ok(false);
            }
        }
        let etag = cached.as_ref().and_then(|entry| entry.etag.as_deref());
        let answer = self.send(Call::read(path, etag)).await;
        match answer {
            Ok(Raw::NotModified) => {
                // Only ever the answer to a copy's ETag, so `cached` is there.
                if let Some(entry) = cached {
                    cache::put(
                        &key,
                        &Entry {
                            stored_at: cache::now_ms(),
                            ..entry
                        },
                    );
                }
                Ok(false)
            }
            Ok(Raw::Body { body, etag }) => {
                accept(&body)?;
                // The token may have been refreshed: store under the key now.
                let stored_at = cache::now_ms();
                cache::put(
                    &self.cache_key(path),
                    &Entry {
                        etag,
                        body,
                        stored_at,
                    },
                );
                Ok(false)
            }
            // The copy (already accepted) stands in, unless the token was
            // refused.
            Err(error) if cached.is_some() && !error.needs_auth() => Ok(true),
            Err(error) => Err(error),
        }
    }

    /// The body of a read without the visit cache (one copy for every type;
    /// [`Client::get`] decodes it).
    pub(super) async fn get_body(&self, path: &str) -> Result<JsValue, ApiError> {
        self.send(Call::read(path, None)).await?.body()
    }
}
