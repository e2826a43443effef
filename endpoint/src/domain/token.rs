//! Customer tokens: JSON Web Tokens minted by the shop's server, verified
//! with the `jsonwebtoken` crate.
//!
//! The payload is explicit (`sub`, `iat`, `exp`), the lifetime is short and
//! bounded, and the algorithm is pinned by the key the endpoint holds: HS256
//! with a shared secret (the default), or EdDSA or RS256 with the shop's
//! public key only ([`Verifier::public_key`]), so that the endpoint cannot
//! mint tokens itself. A token claiming any other `alg`, `none` included, is
//! refused.
//!
//! The form is checked before anything else ([`compact_form`]): a token is
//! JWS compact serialization, three parts of unpadded base64url, and
//! nothing else. `jsonwebtoken` compares an HMAC signature as text and
//! decodes the other parts with its own engine, so what it lets through
//! is its business; what this endpoint takes is the standard's.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use thiserror::Error;

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

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TokenError {
    /// Not three base64url parts of JSON with the claims.
    #[error("malformed token")]
    Malformed,
    /// `alg` is not the one the endpoint's key is for.
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

/// Why a public key file was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("not an Ed25519 or RSA public key in PEM form")]
pub struct KeyError;

/// How tokens are verified: the key and the one algorithm it is for.
#[derive(Clone)]
pub struct Verifier {
    key: DecodingKey,
    algorithm: Algorithm,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Verifier({:?})", self.algorithm)
    }
}

impl Default for Verifier {
    /// A verifier no token passes (an empty secret is never accepted).
    fn default() -> Verifier {
        Verifier::secret(&[])
    }
}

impl Verifier {
    /// HS256 with the secret shared with the shop's server.
    pub fn secret(secret: &[u8]) -> Verifier {
        Verifier {
            key: DecodingKey::from_secret(secret),
            algorithm: Algorithm::HS256,
        }
    }

    /// EdDSA (Ed25519) or RS256, from the shop's public key in PEM form.
    pub fn public_key(pem: &[u8]) -> Result<Verifier, KeyError> {
        if let Ok(key) = DecodingKey::from_ed_pem(pem) {
            return Ok(Verifier {
                key,
                algorithm: Algorithm::EdDSA,
            });
        }
        DecodingKey::from_rsa_pem(pem)
            .map(|key| Verifier {
                key,
                algorithm: Algorithm::RS256,
            })
            .map_err(|_| KeyError)
    }

    /// The one algorithm this verifier accepts.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Verifies a token at time `now` and returns its claims.
    pub fn verify(&self, token: &str, now: u64) -> Result<Claims, TokenError> {
        compact_form(token)?;
        let mut validation = Validation::new(self.algorithm);
        // Time is checked below against `now` (injectable), not the clock.
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        let claims = jsonwebtoken::decode::<Claims>(token, &self.key, &validation)
            .map_err(|err| match err.kind() {
                ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                    TokenError::Algorithm
                }
                ErrorKind::InvalidSignature
                | ErrorKind::InvalidEcdsaKey
                | ErrorKind::InvalidRsaKey(_)
                | ErrorKind::InvalidKeyFormat => TokenError::Signature,
                _ => TokenError::Malformed,
            })?
            .claims;
        if claims.exp <= now {
            return Err(TokenError::Expired);
        }
        if claims.iat > now + SKEW || claims.exp.saturating_sub(claims.iat) > MAX_TTL {
            return Err(TokenError::Lifetime);
        }
        Ok(claims)
    }
}

/// Whether `token` is in JWS compact serialization (RFC 7515 section 7.1):
/// three non-empty parts joined by `.`, each base64url without padding
/// (RFC 7515 section 2: `A-Z a-z 0-9 - _` only, no `=`, no whitespace or
/// line breaks, no other character, and no stray bits in the last symbol).
/// Standard base64 (`+`, `/`), padding and anything else are malformed.
pub fn compact_form(token: &str) -> Result<(), TokenError> {
    let parts: Vec<&str> = token.split('.').collect();
    let canonical = |part: &&str| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && URL_SAFE_NO_PAD.decode(part).is_ok()
    };
    if parts.len() == 3 && parts.iter().all(canonical) {
        Ok(())
    } else {
        Err(TokenError::Malformed)
    }
}

/// Mints an HS256 token for `sub`, valid for `ttl` seconds from `now` (the
/// demo and the `token` command; a shop's server mints its own).
pub fn mint(secret: &[u8], sub: &str, now: u64, ttl: u64) -> String {
    let claims = Claims {
        sub: sub.to_owned(),
        iat: now,
        exp: now + ttl,
    };
    // HS256 with any key and plain claims cannot fail to encode.
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap_or_default()
}

/// Verifies an HS256 token with `secret` at time `now`.
pub fn verify(secret: &[u8], token: &str, now: u64) -> Result<Claims, TokenError> {
    Verifier::secret(secret).verify(token, now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

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
        // `none` is no algorithm jsonwebtoken knows: refused as malformed.
        assert!(verify(SECRET, &format!("{header}.{payload}."), NOW).is_err());
        // A token signed with another algorithm than the key's is refused.
        let rs = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
        assert_eq!(
            verify(SECRET, &format!("{rs}.{payload}.c2ln"), NOW),
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

    /// A change made to one part of a token.
    type Change<'a> = dyn Fn(&str) -> String + 'a;

    /// `token` with part `index` (0 header, 1 payload, 2 signature)
    /// replaced by `change` of it.
    fn with_part(token: &str, index: usize, change: impl Fn(&str) -> String) -> String {
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        parts[index] = change(&parts[index]);
        parts.join(".")
    }

    #[test]
    fn only_unpadded_base64url_is_a_token_in_every_part() {
        // A signature with both `-` and `_` in it, so that its standard
        // base64 spelling differs.
        let token = (0..)
            .map(|i| mint(SECRET, &format!("cust-{i}"), NOW, 900))
            .find(|t| {
                let signature = t.rsplit('.').next().unwrap_or_default();
                signature.contains('-') && signature.contains('_')
            })
            .expect("a signature with - and _");
        assert!(verify(SECRET, &token, NOW).is_ok());
        let standard = |part: &str| part.replace('-', "+").replace('_', "/");
        let changes: [(&str, &Change<'_>); 10] = [
            ("standard base64", &standard),
            ("standard base64, padded", &|p| {
                let mut p = standard(p);
                while p.len() % 4 != 0 {
                    p.push('=');
                }
                p
            }),
            ("a plus", &|p| format!("{p}+")),
            ("a slash", &|p| format!("/{p}")),
            ("padding", &|p| format!("{p}=")),
            ("a space inside", &|p| format!("{} {}", &p[..4], &p[4..])),
            ("a tab at the end", &|p| format!("{p}\t")),
            ("a line break inside", &|p| {
                format!("{}\r\n{}", &p[..4], &p[4..])
            }),
            ("non-ASCII", &|p| format!("{p}é")),
            ("a stray bit", &|p| {
                // The last symbol with a low bit that no byte holds (only
                // where the last symbol has bits to spare).
                let mut bytes = p.as_bytes().to_vec();
                if let Some(last) = bytes.last_mut().filter(|_| p.len() % 4 != 0) {
                    *last = if *last == b'B' { b'D' } else { b'B' };
                }
                String::from_utf8(bytes).unwrap_or_default()
            }),
        ];
        for index in 0..3 {
            for (what, change) in &changes {
                let bad = with_part(&token, index, change);
                if bad == token {
                    continue;
                }
                assert_eq!(
                    verify(SECRET, &bad, NOW),
                    Err(TokenError::Malformed),
                    "part {index} with {what}: {bad}"
                );
            }
        }
        for junk in [".b.c", "a..c", "a.b.", "a.b.c.", &format!("{token}.")] {
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
