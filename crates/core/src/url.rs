//! URL checks done by parsing, never by prefix matching.
//!
//! Browsers strip ASCII tab and newline anywhere in a URL and ignore leading
//! and trailing control characters and spaces, so `java\tscript:` is a
//! `javascript:` URL to them. These functions apply the same normalisation
//! before reading the scheme and host, so they see what the browser sees.

use thiserror::Error;

/// Why a URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UrlError {
    /// Nothing but white space.
    #[error("is empty")]
    Empty,
    /// No `scheme://host` shape (relative URLs are not accepted).
    #[error("is not an absolute URL")]
    NotAbsolute,
    /// A scheme other than http(s).
    #[error("uses the scheme \"{0}\"; only https is allowed")]
    Scheme(String),
    /// Plain http to a host other than this machine.
    #[error("must use https (plain http is allowed only for localhost)")]
    InsecureHost,
    /// Credentials in the URL (`user:pass@host`).
    #[error("must not contain user name or password")]
    Credentials,
    /// No host after the scheme.
    #[error("has no host")]
    NoHost,
}

/// The parts of an absolute http(s) URL the checks need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedUrl {
    /// The URL as the browser would read it (tabs and newlines removed,
    /// surrounding control characters and spaces trimmed).
    pub normalized: String,
    /// Lower-cased scheme without the colon.
    pub scheme: String,
    /// Lower-cased host without port, brackets kept for IPv6.
    pub host: String,
}

/// Normalises like the URL parser of a browser, then splits scheme and host.
pub fn parse(raw: &str) -> Result<ParsedUrl, UrlError> {
    let normalized: String = raw
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    if normalized.is_empty() {
        return Err(UrlError::Empty);
    }
    let colon = normalized.find(':').ok_or(UrlError::NotAbsolute)?;
    let scheme = &normalized[..colon];
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok {
        return Err(UrlError::NotAbsolute);
    }
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(UrlError::Scheme(scheme));
    }
    // Browsers treat backslashes as slashes in http(s) URLs.
    let rest = normalized[colon + 1..].replace('\\', "/");
    let after = rest.strip_prefix("//").ok_or(UrlError::NotAbsolute)?;
    let authority = after.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(UrlError::Credentials);
    }
    let host = if authority.starts_with('[') {
        authority
            .find(']')
            .map(|end| &authority[..=end])
            .unwrap_or(authority)
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    if host.is_empty() {
        return Err(UrlError::NoHost);
    }
    Ok(ParsedUrl {
        normalized,
        scheme,
        host: host.to_ascii_lowercase(),
    })
}

/// True for the host names that always mean this machine.
pub fn is_loopback_host(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "[::1]"
        || host
            .strip_prefix("127.")
            .is_some_and(|rest| rest.split('.').count() == 3)
}

/// Checks the loyalty endpoint's base URL: https, or http on loopback only.
/// Returns it normalised and without a trailing slash.
pub fn check_endpoint(raw: &str) -> Result<String, UrlError> {
    let url = parse(raw)?;
    if url.scheme == "http" && !is_loopback_host(&url.host) {
        return Err(UrlError::InsecureHost);
    }
    Ok(url.normalized.trim_end_matches('/').to_owned())
}

/// A link that may be rendered as `href` (from the endpoint or the shop's
/// configuration): http(s) only. `None` means "render as text, not a link".
pub fn safe_link(raw: &str) -> Option<String> {
    parse(raw).ok().map(|url| url.normalized)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_endpoint_is_accepted_and_trailing_slash_dropped() {
        assert_eq!(
            check_endpoint(" https://loyalty.example.com/api/ "),
            Ok("https://loyalty.example.com/api".to_owned())
        );
    }

    #[test]
    fn http_is_allowed_only_for_loopback() {
        assert!(check_endpoint("http://localhost:8787").is_ok());
        assert!(check_endpoint("http://127.0.0.1:8787/v1").is_ok());
        assert!(check_endpoint("http://[::1]:8787").is_ok());
        assert!(check_endpoint("http://shop.localhost").is_ok());
        assert_eq!(
            check_endpoint("http://loyalty.example.com"),
            Err(UrlError::InsecureHost)
        );
        assert_eq!(
            check_endpoint("http://127.0.0.1.evil.com"),
            Err(UrlError::InsecureHost)
        );
        assert_eq!(
            check_endpoint("http://localhost.evil.com"),
            Err(UrlError::InsecureHost)
        );
    }

    #[test]
    fn disguised_script_schemes_are_refused() {
        for raw in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            " \u{1}javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
        ] {
            assert!(safe_link(raw).is_none(), "{raw:?} must not become a link");
            assert!(check_endpoint(raw).is_err(), "{raw:?} is no endpoint");
        }
    }

    #[test]
    fn entity_encoded_scheme_is_not_a_link() {
        // The browser does not decode entities in a URL set through the DOM;
        // such a string has no valid scheme and stays text.
        assert!(safe_link("javascript&#58;alert(1)").is_none());
        assert!(safe_link("&#106;avascript:alert(1)").is_none());
    }

    #[test]
    fn relative_and_hostless_urls_are_refused() {
        assert_eq!(check_endpoint("/api"), Err(UrlError::NotAbsolute));
        assert_eq!(check_endpoint("https:/x"), Err(UrlError::NotAbsolute));
        assert_eq!(check_endpoint("https://"), Err(UrlError::NoHost));
        assert_eq!(check_endpoint(""), Err(UrlError::Empty));
        assert_eq!(
            check_endpoint("https://user:pw@example.com"),
            Err(UrlError::Credentials)
        );
    }

    #[test]
    fn backslashes_count_as_slashes_like_in_browsers() {
        let url = parse("https:\\\\example.com\\x").expect("parses");
        assert_eq!(url.host, "example.com");
    }

    #[test]
    fn safe_link_keeps_http_and_https() {
        assert_eq!(
            safe_link("https://shop.example/join?x=1"),
            Some("https://shop.example/join?x=1".to_owned())
        );
        assert_eq!(
            safe_link("HTTP://shop.example"),
            Some("HTTP://shop.example".to_owned())
        );
    }
}
