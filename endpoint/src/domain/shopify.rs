//! Tokens for Shopify storefronts, through the shop's app proxy.
//!
//! A Shopify app with an app proxy (subpath `apps/loyalty`, proxy URL
//! `https://<endpoint>/shopify/proxy`) forwards the storefront's
//! `/apps/loyalty/token` to `GET /shopify/proxy/token` here, adding `shop`,
//! `logged_in_customer_id`, `path_prefix`, `timestamp` and `signature`: the
//! hex HMAC-SHA256, with the app's secret, of every other parameter as
//! `key=value` (several values joined by `,`), sorted by key and joined
//! with nothing between. This module checks that signature and its age,
//! then mints a customer token for the signed-in customer (none for a
//! guest): the widget's `token-url` answer, `{"token": ...}`.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::BTreeMap;

/// How old a signed request may be, in seconds (and how far in the future).
pub const MAX_AGE: u64 = 300;

/// Why an app-proxy request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProxyError {
    /// No `signature`, or not hex.
    #[error("the request is not signed")]
    Unsigned,
    /// The signature does not match the parameters.
    #[error("the signature does not match")]
    Signature,
    /// `timestamp` missing, not a number, or too far from now.
    #[error("the signed request is too old or not yet valid")]
    Stale,
}

/// A verified app-proxy request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyRequest {
    /// The shop's `*.myshopify.com` domain.
    pub shop: String,
    /// The signed-in customer's id; `None` for a guest.
    pub customer_id: Option<String>,
}

/// Checks an app-proxy request's raw query string at time `now`.
pub fn verify(secret: &[u8], query: &str, now: u64) -> Result<ProxyRequest, ProxyError> {
    let mut params: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut signature = None;
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        if key == "signature" {
            signature = Some(value.into_owned());
        } else {
            params
                .entry(key.into_owned())
                .or_default()
                .push(value.into_owned());
        }
    }
    let signature = signature
        .and_then(|text| hex::decode(text).ok())
        .ok_or(ProxyError::Unsigned)?;
    let message: String = params
        .iter()
        .map(|(key, values)| format!("{key}={}", values.join(",")))
        .collect();
    // HMAC takes a key of any length: this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| ProxyError::Signature)?;
    mac.update(message.as_bytes());
    mac.verify_slice(&signature)
        .map_err(|_| ProxyError::Signature)?;
    let first = |key: &str| params.get(key).and_then(|values| values.first()).cloned();
    let timestamp: u64 = first("timestamp")
        .and_then(|t| t.parse().ok())
        .ok_or(ProxyError::Stale)?;
    if timestamp + MAX_AGE < now || timestamp > now + MAX_AGE {
        return Err(ProxyError::Stale);
    }
    Ok(ProxyRequest {
        shop: first("shop").unwrap_or_default(),
        customer_id: first("logged_in_customer_id").filter(|id| !id.trim().is_empty()),
    })
}

/// Signs parameters as Shopify does (for tests and tools).
pub fn sign(secret: &[u8], params: &[(&str, &str)]) -> String {
    let mut sorted: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (key, value) in params {
        sorted.entry(key).or_default().push(value);
    }
    let message: String = sorted
        .iter()
        .map(|(key, values)| format!("{key}={}", values.join(",")))
        .collect();
    // HMAC takes a key of any length: this cannot fail.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(message.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The forwarded request in Shopify's "Authenticate app proxies" guide,
    /// with its shared secret `hush` and the signature printed there (the
    /// guide writes the shop as `{shop}`; the signature is for `shop-name`).
    const GUIDE_QUERY: &str =
        "extra=1&extra=2&shop=shop-name.myshopify.com&logged_in_customer_id=1\
        &path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555\
        &signature=4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb";

    #[test]
    fn the_signature_in_shopifys_guide_verifies() {
        let request = verify(b"hush", GUIDE_QUERY, 1_317_327_555).expect("verified");
        assert_eq!(request.customer_id.as_deref(), Some("1"));
        assert_eq!(request.shop, "shop-name.myshopify.com");
        assert_eq!(
            verify(
                b"hush",
                &GUIDE_QUERY.replace("customer_id=1", "customer_id=2"),
                1_317_327_555
            ),
            Err(ProxyError::Signature)
        );
        // The same request an hour later is refused as stale.
        assert_eq!(
            verify(b"hush", GUIDE_QUERY, 1_317_327_555 + 3_600),
            Err(ProxyError::Stale)
        );
    }
}
