//! Customer tokens: HS256 JSON Web Tokens minted by the shop's server.
//!
//! The payload is explicit (`sub`, `iat`, `exp`), the lifetime is short and
//! bounded, the algorithm is fixed (a token claiming another `alg`, including
//! `none`, is refused) and the signature is compared in constant time.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use thiserror::Error;

type HmacSha256 = Hmac<Sha256>;

/// Longest lifetime a token may claim, in seconds (one hour).
pub const MAX_TTL: u64 = 3_600;
/// Clock skew tolerated for `iat`, in seconds.
pub const SKEW: u64 = 60;

/// The signed claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The shop's customer id.
    pub sub: String,
    /// Issued at, seconds since the Unix epoch.
    pub iat: u64,
    /// Expires at, seconds since the Unix epoch.
    pub exp: u64,
}

#[derive(Serialize, Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    typ: Option<String>,
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TokenError {
    /// Not three base64url parts of JSON.
    #[error("malformed token")]
    Malformed,
    /// `alg` is not HS256.
    #[error("unsupported algorithm")]
    Algorithm,
    /// The signature does not match (forged or tampered).
    #[error("bad signature")]
    Signature,
    /// `exp` has passed.
    #[error("token expired")]
    Expired,
    /// Issued in the future, or valid for longer than allowed.
    #[error("implausible token lifetime")]
    Lifetime,
}

fn sign(secret: &[u8], signing_input: &str) -> HmacSha256 {
    // HMAC accepts keys of any length; this cannot fail.
    let mut mac = HmacSha256::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    mac.update(signing_input.as_bytes());
    mac
}

/// Mints a token for `sub`, valid for `ttl` seconds from `now`.
pub fn mint(secret: &[u8], sub: &str, now: u64, ttl: u64) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = Claims {
        sub: sub.to_owned(),
        iat: now,
        exp: now + ttl,
    };
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap_or_default());
    let input = format!("{header}.{payload}");
    let signature = URL_SAFE_NO_PAD.encode(sign(secret, &input).finalize().into_bytes());
    format!("{input}.{signature}")
}

/// Verifies a token at time `now` and returns its claims.
pub fn verify(secret: &[u8], token: &str, now: u64) -> Result<Claims, TokenError> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let decode = |part: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| TokenError::Malformed)
    };
    let parsed: Header =
        serde_json::from_slice(&decode(header)?).map_err(|_| TokenError::Malformed)?;
    if parsed.alg != "HS256" {
        return Err(TokenError::Algorithm);
    }
    sign(secret, &format!("{header}.{payload}"))
        .verify_slice(&decode(signature)?)
        .map_err(|_| TokenError::Signature)?;
    let claims: Claims =
        serde_json::from_slice(&decode(payload)?).map_err(|_| TokenError::Malformed)?;
    if claims.exp <= now {
        return Err(TokenError::Expired);
    }
    if claims.iat > now + SKEW || claims.exp.saturating_sub(claims.iat) > MAX_TTL {
        return Err(TokenError::Lifetime);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"test-secret";
    const NOW: u64 = 1_800_000_000;

    #[test]
    fn minted_token_verifies() {
        let token = mint(SECRET, "cust-anna", NOW, 900);
        let claims = verify(SECRET, &token, NOW + 10).expect("valid");
        assert_eq!(claims.sub, "cust-anna");
    }

    #[test]
    fn expired_token_is_refused() {
        let token = mint(SECRET, "cust-anna", NOW, 900);
        assert_eq!(verify(SECRET, &token, NOW + 900), Err(TokenError::Expired));
    }

    #[test]
    fn forged_token_with_other_secret_is_refused() {
        let token = mint(b"attacker", "cust-anna", NOW, 900);
        assert_eq!(verify(SECRET, &token, NOW), Err(TokenError::Signature));
    }

    #[test]
    fn tampered_payload_is_refused() {
        let token = mint(SECRET, "cust-anna", NOW, 900);
        let parts: Vec<&str> = token.split('.').collect();
        let evil = URL_SAFE_NO_PAD.encode(format!(
            r#"{{"sub":"cust-ben","iat":{NOW},"exp":{}}}"#,
            NOW + 900
        ));
        let tampered = format!("{}.{}.{}", parts[0], evil, parts[2]);
        assert_eq!(verify(SECRET, &tampered, NOW), Err(TokenError::Signature));
    }

    #[test]
    fn alg_none_and_garbage_are_refused() {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#);
        let payload =
            URL_SAFE_NO_PAD.encode(format!(r#"{{"sub":"x","iat":{NOW},"exp":{}}}"#, NOW + 60));
        assert_eq!(
            verify(SECRET, &format!("{header}.{payload}."), NOW),
            Err(TokenError::Algorithm)
        );
        for junk in ["", "a.b", "a.b.c.d", "!!.??.**"] {
            assert_eq!(
                verify(SECRET, junk, NOW),
                Err(TokenError::Malformed),
                "{junk}"
            );
        }
    }

    #[test]
    fn overlong_or_future_tokens_are_refused() {
        let long = mint(SECRET, "x", NOW, MAX_TTL + 1);
        assert_eq!(verify(SECRET, &long, NOW), Err(TokenError::Lifetime));
        let future = mint(SECRET, "x", NOW + SKEW + 10, 60);
        assert_eq!(verify(SECRET, &future, NOW), Err(TokenError::Lifetime));
    }
}
