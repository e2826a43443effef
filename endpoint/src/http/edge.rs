//! Around every route: CORS (allowed origins, preflights), request
//! counting by route template, injected faults (tests), body size limits
//! announced up front, and every error in the contract's JSON shape.

use super::error::{error, retry_after};
use super::state::{lock, AppState};
use crate::config::ServerConfig;
use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use loyalty_core::contract::ErrorCode;
use std::sync::Arc;
use std::time::Duration;

/// The largest body `PUT /_faults` (a test-only route) takes: the faults
/// carry whole hostile answers, the browser tests' largest about 4 MB.
pub(crate) const FAULTS_BODY_LIMIT: usize = 16 * 1024 * 1024;

fn allowed_origin(config: &ServerConfig, origin: &str) -> bool {
    let loopback = ["http://127.0.0.1:", "http://localhost:", "http://[::1]:"];
    config
        .allowed_origins
        .iter()
        .any(|allowed| allowed == origin)
        || (config.allow_loopback_origins
            && loopback.iter().any(|prefix| {
                origin.strip_prefix(prefix).is_some_and(|port| {
                    !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())
                })
            }))
}

fn cors_headers(headers: &mut HeaderMap, origin: &HeaderValue) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("authorization, content-type, idempotency-key, if-none-match"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, PUT, DELETE, OPTIONS"),
    );
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("etag, retry-after, idempotent-replayed"),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
}

/// The header names a preflight asks for (`Access-Control-Request-Headers`)
/// with the contract's own, when every one of them is a plain header name.
fn requested_headers(headers: &HeaderMap) -> Option<HeaderValue> {
    let asked = headers
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)?
        .to_str()
        .ok()?;
    let names: Vec<&str> = asked
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .collect();
    let plain = |name: &&str| {
        name.len() <= 100
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    };
    if names.is_empty() || names.len() > 50 || !names.iter().all(plain) {
        return None;
    }
    let list = format!(
        "authorization, content-type, idempotency-key, if-none-match, {}",
        names.join(", ").to_ascii_lowercase()
    );
    HeaderValue::from_str(&list).ok()
}

/// A body that fails after the headers: the connection drops mid-answer.
fn dropped() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("injected connection drop"))
    });
    let mut response = Response::new(Body::from_stream(stream));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// CORS, request counting and faults, around every route.
/// The methods counted by name; any other is counted as `OTHER`.
const KNOWN_METHODS: [Method; 7] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::DELETE,
    Method::PATCH,
    Method::OPTIONS,
];

/// Every error in the contract's one JSON shape, wherever it arose: a
/// rejected query string or body, an unknown route or method, a body too
/// large or too slow, a panic. Handlers' own errors are JSON already.
pub(crate) async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if is_json {
        return response;
    }
    let code = match status.as_u16() {
        401 => ErrorCode::Unauthorized,
        404 => ErrorCode::NotFound,
        429 => ErrorCode::RateLimited,
        400..=499 => ErrorCode::BadRequest,
        _ => ErrorCode::Internal,
    };
    let (parts, body) = response.into_parts();
    // The framework's own words say what was wrong (for 4xx): kept, short.
    let said = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let said = String::from_utf8_lossy(&said);
    let message = match said.trim() {
        text if status.is_client_error() && !text.is_empty() && !text.starts_with('<') => {
            text.chars().take(300).collect::<String>()
        }
        _ => status.canonical_reason().unwrap_or("error").to_lowercase(),
    };
    let mut response = error(status.as_u16(), code, &message);
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(value) = parts.headers.get(&name) {
            response.headers_mut().insert(name, value.clone());
        }
    }
    response
}

pub(crate) async fn edge(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .filter(|value| {
            value
                .to_str()
                .is_ok_and(|o| allowed_origin(&state.config, o))
        })
        .cloned();
    if method == Method::OPTIONS {
        let mut response = StatusCode::NO_CONTENT.into_response();
        if let Some(origin) = &origin {
            cors_headers(response.headers_mut(), origin);
            // A shop page's own scripts (analytics fetch wrappers, tracing)
            // add headers to every request: an allowed origin may send
            // whatever header names its preflight asks for.
            if let Some(asked) = requested_headers(request.headers()) {
                response
                    .headers_mut()
                    .insert(header::ACCESS_CONTROL_ALLOW_HEADERS, asked);
            }
        }
        return response;
    }
    // Counted by route template, never by raw path: the counters stay a
    // handful whatever paths clients make up.
    if state.config.fault_control {
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map_or("(no route)", MatchedPath::as_str);
        let method = if KNOWN_METHODS.contains(&method) {
            method.as_str()
        } else {
            "OTHER"
        };
        *lock(&state.counts)
            .entry(format!("{method} {route}"))
            .or_default() += 1;
    }
    let (faults, active, fail_now, drop_now) = {
        let mut current = lock(&state.faults);
        let active = current.applies(method.as_str(), &path);
        let fail_now = active && current.fail_next > 0;
        if fail_now {
            current.fail_next -= 1;
        }
        let drop_now = active && !fail_now && current.drop_next > 0;
        if drop_now {
            current.drop_next -= 1;
        }
        (current.clone(), active, fail_now, drop_now)
    };
    if active && faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    // A body announced larger than the limit is refused before it is read.
    let limits = &state.config.limits;
    let limit = if request.uri().path().starts_with("/webhooks/") {
        limits.max_webhook_body
    } else if request.uri().path() == "/_faults" {
        FAULTS_BODY_LIMIT
    } else {
        limits.max_body
    };
    let too_large = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok())
        .is_some_and(|length| length > limit as u64);
    let mut response = if too_large {
        error(
            413,
            ErrorCode::BadRequest,
            &format!("the body is larger than {limit} bytes"),
        )
    } else if fail_now || (active && state.dice.roll(faults.error_rate)) {
        let status = faults.error_status.unwrap_or(500);
        let code = if status == 429 {
            ErrorCode::RateLimited
        } else {
            ErrorCode::Internal
        };
        let response = error(status, code, "injected fault");
        match faults.retry_after {
            Some(seconds) => retry_after(response, seconds),
            None => response,
        }
    } else {
        let response = next.run(request).await;
        let replacement = faults
            .bodies
            .get(&path)
            .filter(|_| response.status().is_success());
        if drop_now || (active && state.dice.roll(faults.drop_rate)) {
            dropped()
        } else if let Some(body) = replacement {
            let (parts, _) = response.into_parts();
            let mut response = Response::from_parts(parts, Body::from(body.clone()));
            response.headers_mut().remove(header::CONTENT_LENGTH);
            response.headers_mut().remove(header::ETAG);
            response
        } else if active && response.status().is_success() && state.dice.roll(faults.malformed_rate)
        {
            let (parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, 1 << 22)
                .await
                .unwrap_or_default();
            let half = bytes.slice(..bytes.len() / 2);
            let mut response = Response::from_parts(parts, Body::from(half));
            response.headers_mut().remove(header::CONTENT_LENGTH);
            response
        } else {
            response
        }
    };
    if let Some(origin) = &origin {
        cors_headers(response.headers_mut(), origin);
    }
    response
}
