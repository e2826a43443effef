//! What the widget may read from a customer token without trusting it: the
//! `sub` claim, only to key the per-visit cache so that a different customer
//! never sees the previous one's data. The endpoint alone verifies tokens.

use crate::json::Reader;

/// The `sub` claim of a JWT-shaped token, if it has one. Not verified.
pub fn token_subject(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64url_decode(payload)?;
    let claims = String::from_utf8(bytes).ok()?;
    let mut subject = None;
    Reader::parse(&claims, |reader| {
        reader.object(&mut |reader, key| {
            if key == "sub" && reader.at_string() {
                subject = Some(reader.string()?);
                return Ok(());
            }
            reader.skip()
        })
    })
    .ok()?;
    subject
}

/// The token in a token URL's answer, `{"token": "..."}`: a non-empty
/// string of at most 4 KiB, or nothing.
pub fn token_answer(body: &str) -> Option<String> {
    let mut token = None;
    Reader::parse(body, |reader| {
        reader.object(&mut |reader, key| {
            if key == "token" && reader.at_string() {
                token = Some(reader.string()?);
                return Ok(());
            }
            reader.skip()
        })
    })
    .ok()?;
    token.filter(|token| !token.is_empty() && token.len() <= 4_096)
}

/// A cache key for a customer at an endpoint in a language (the summary
/// holds localised names): a short FNV-1a hash, so the key in storage reveals
/// neither the customer id nor the token.
pub fn cache_key(endpoint: &str, lang: &str, token: &str) -> String {
    let who = token_subject(token).unwrap_or_else(|| token.to_owned());
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let parts = endpoint.bytes().chain([0]).chain(lang.bytes()).chain([0]);
    for byte in parts.chain(who.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("loyalty-widget:v1:{hash:016x}")
}

fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0;
    for byte in text.bytes().filter(|b| *b != b'=') {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // {"alg":"HS256","typ":"JWT"} . {"sub":"cust-anna","iat":1,"exp":2} . sig
    const ANNA: &str =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjdXN0LWFubmEiLCJpYXQiOjEsImV4cCI6Mn0.c2ln";

    #[test]
    fn a_token_answer_yields_its_token_or_nothing() {
        let answer = r#"{"expires_in": 300, "token": "abc.def"}"#;
        assert_eq!(token_answer(answer).as_deref(), Some("abc.def"));
        let long = format!(r#"{{"token": "{}"}}"#, "t".repeat(4_097));
        for bad in [r#"{"token": ""}"#, r#"{"token": 5}"#, "{}", "<html>", &long] {
            assert_eq!(token_answer(bad), None, "{bad}");
        }
    }

    #[test]
    fn reads_the_subject_of_a_jwt() {
        assert_eq!(token_subject(ANNA).as_deref(), Some("cust-anna"));
        assert_eq!(token_subject("opaque-token"), None);
        assert_eq!(token_subject("a.!!!.c"), None);
    }

    #[test]
    fn cache_key_follows_the_customer_not_the_token() {
        let renewed = ANNA.replace(".c2ln", ".b3RoZXI");
        let key = |endpoint, lang, token| cache_key(endpoint, lang, token);
        assert_eq!(
            key("https://x", "en", ANNA),
            key("https://x", "en", &renewed)
        );
        assert_ne!(key("https://x", "en", ANNA), key("https://y", "en", ANNA));
        assert_ne!(key("https://x", "en", ANNA), key("https://x", "de", ANNA));
        assert_ne!(
            key("https://x", "en", ANNA),
            key("https://x", "en", "opaque")
        );
        assert!(!key("https://x", "en", ANNA).contains("anna"));
    }
}
