//! What the widget may read from a customer token without trusting it: the
//! `sub` claim, only to key the per-visit cache so that a different customer
//! never sees the previous one's data. The endpoint alone verifies tokens.
//!
//! The browser edge decodes (its `atob` and `JSON.parse`, then
//! `serde_wasm_bindgen`); this module says what is read and keys the cache.

use crate::lenient::Lenient;
use serde::Deserialize;

/// Longest token accepted from a token URL or a token function, in bytes.
pub const MAX_TOKEN: usize = 4_096;

/// The claims of a JWT-shaped token the widget reads (unverified).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Claims {
    /// The customer, when the token names one as a string.
    #[serde(default)]
    pub sub: Lenient<String>,
}

/// A token URL's answer, `{"token": "..."}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct TokenAnswer {
    /// The token, when it is a string.
    #[serde(default)]
    pub token: Lenient<String>,
}

impl TokenAnswer {
    /// The token: a non-empty string of at most [`MAX_TOKEN`] bytes, or
    /// nothing.
    pub fn token(self) -> Option<String> {
        self.token.0.filter(|token| usable_token(token))
    }
}

/// Whether a token from the shop (URL or function) can be used at all.
pub fn usable_token(token: &str) -> bool {
    !token.is_empty() && token.len() <= MAX_TOKEN
}

/// The payload segment of a JWT-shaped token in standard, padded base64
/// (what the browser's `atob` reads), or `None` for an opaque token.
pub fn jwt_payload(token: &str) -> Option<String> {
    let mut segments = token.split('.');
    let payload = segments.nth(1).filter(|p| !p.is_empty())?;
    segments.next()?;
    let mut base64: String = payload
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            other => other,
        })
        .collect();
    while !base64.len().is_multiple_of(4) {
        base64.push('=');
    }
    Some(base64)
}

/// A cache key for a customer (`who`: the token's subject, or else the
/// token itself) at an endpoint in a language (the summary holds localised
/// names): a short FNV-1a hash, so the key in storage reveals neither the
/// customer id nor the token.
pub fn cache_key(endpoint: &str, lang: &str, who: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let parts = endpoint.bytes().chain([0]).chain(lang.bytes()).chain([0]);
    for byte in parts.chain(who.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("loyalty-widget:v1:{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    // {"alg":"HS256","typ":"JWT"} . {"sub":"cust-anna","iat":1,"exp":2} . sig
    const ANNA: &str =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjdXN0LWFubmEiLCJpYXQiOjEsImV4cCI6Mn0.c2ln";

    #[test]
    fn a_token_answer_yields_its_token_or_nothing() {
        let answer = |body: &str| {
            serde_json::from_str::<TokenAnswer>(body)
                .ok()
                .and_then(TokenAnswer::token)
        };
        assert_eq!(
            answer(r#"{"expires_in": 300, "token": "abc.def"}"#).as_deref(),
            Some("abc.def")
        );
        let long = format!(r#"{{"token": "{}"}}"#, "t".repeat(MAX_TOKEN + 1));
        for bad in [r#"{"token": ""}"#, r#"{"token": 5}"#, "{}", "<html>", &long] {
            assert_eq!(answer(bad), None, "{bad}");
        }
    }

    #[test]
    fn finds_the_payload_of_a_jwt() {
        assert_eq!(
            jwt_payload(ANNA).as_deref(),
            Some("eyJzdWIiOiJjdXN0LWFubmEiLCJpYXQiOjEsImV4cCI6Mn0=")
        );
        assert_eq!(jwt_payload("a.b-_c.d").as_deref(), Some("b+/c"));
        for opaque in ["opaque-token", "a..c", "a.b"] {
            assert_eq!(jwt_payload(opaque), None, "{opaque}");
        }
        let claims: Claims =
            serde_json::from_str(r#"{"sub": 42, "exp": 2}"#).expect("claims decode");
        assert_eq!(claims.sub.0, None);
    }

    #[test]
    fn cache_key_follows_the_customer() {
        let key = cache_key;
        assert_ne!(
            key("https://x", "en", "cust-anna"),
            key("https://y", "en", "cust-anna")
        );
        assert_ne!(
            key("https://x", "en", "cust-anna"),
            key("https://x", "de", "cust-anna")
        );
        assert_ne!(
            key("https://x", "en", "cust-anna"),
            key("https://x", "en", "cust-ben")
        );
        assert!(!key("https://x", "en", "cust-anna").contains("anna"));
    }
}
