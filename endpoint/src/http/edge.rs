//! Around every route: CORS (allowed origins, preflights), request
//! counting by route template, injected faults (tests), body size limits
//! (announced up front, and read), and every error in the contract's JSON
//! shape.

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
use std::time::{Duration, Instant};
use tracing::Instrument;

/// The largest body `PUT /_faults` (a test-only route) takes: the faults
/// carry whole hostile answers, the browser tests' largest about 4 MB.
pub(crate) const FAULTS_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// The largest body a request to `path` may have: the webhooks' limit for
/// the platforms' webhooks, the imports' for an import's upload (where it
/// is mounted), the test switch's for `/_faults` (where it is mounted), and
/// `max_body` for every other route.
pub(crate) fn body_limit(config: &ServerConfig, path: &str) -> usize {
    let limits = &config.limits;
    if path.starts_with("/webhooks/") {
        limits.max_webhook_body
    } else if super::imports::is_import(path) && config.admin_key.is_some() {
        limits.max_import_body
    } else if path == "/_faults" && config.fault_control {
        FAULTS_BODY_LIMIT
    } else {
        limits.max_body
    }
}

/// `413 payload_too_large` for a body over `limit` bytes; the connection
/// is closed after it (what is left of the body is not read as a request),
/// in stages so that a client still sending gets it (see
/// [`crate::server`]).
pub(crate) fn too_large(limit: usize) -> Response {
    let mut response = error(
        413,
        ErrorCode::PayloadTooLarge,
        &format!("the body is larger than {limit} bytes"),
    );
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// Reads the request's whole body (up to its route's limit) before the
/// route runs, so that a body over the limit is answered `413` on every
/// route, whether its handler reads the body or not, and whatever way it
/// is sent (a chunked body announces no length). Inside the body timeout:
/// a body sent too slowly is answered `408`.
pub(crate) async fn read_body(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    use http_body_util::BodyExt;
    let limit = body_limit(&state.config, request.uri().path());
    let (parts, body) = request.into_parts();
    match http_body_util::Limited::new(body, limit).collect().await {
        Ok(collected) => {
            let body = Body::from(collected.to_bytes());
            next.run(Request::from_parts(parts, body)).await
        }
        Err(err) if err.is::<http_body_util::LengthLimitError>() => too_large(limit),
        Err(_) => error(
            400,
            ErrorCode::BadRequest,
            "the request body could not be read",
        ),
    }
}

/// How long a request may take from its headers to its answer, its body
/// included: the import routes' time (a whole file, and its import) where
/// they are mounted, else the body timeout. `408` after.
pub(crate) async fn deadline(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let limits = &state.config.limits;
    let path = request.uri().path();
    // A whole shop's file each way, and the figures over a large shop's
    // years (seconds, not milliseconds: see BENCHMARKS), take longer.
    let long = super::imports::is_import(path) || path == "/admin/v1/analytics";
    let imports = long && state.config.admin_key.is_some();
    let time = if imports {
        limits.import_timeout
    } else {
        limits.body_timeout
    };
    match tokio::time::timeout(time, next.run(request)).await {
        Ok(response) => response,
        Err(_) => StatusCode::REQUEST_TIMEOUT.into_response(),
    }
}

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
        HeaderValue::from_static(
            "authorization, content-type, idempotency-key, if-none-match, x-request-id",
        ),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, PUT, DELETE, OPTIONS"),
    );
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("etag, retry-after, idempotent-replayed, x-request-id"),
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
        "authorization, content-type, idempotency-key, if-none-match, x-request-id, {}",
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
        413 => ErrorCode::PayloadTooLarge,
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

/// CORS, request counting and faults, around every route.
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
    // A preflight for a route that exists; any other path answers what it
    // would to any method (404, or a static file's 405).
    if method == Method::OPTIONS && request.extensions().get::<MatchedPath>().is_some() {
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
        let method = method_label(&method);
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
    let limit = body_limit(&state.config, &path);
    let too_long = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok())
        .is_some_and(|length| length > limit as u64);
    let mut response = if too_long {
        too_large(limit)
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

/// A request's id: the client's `X-Request-Id` when it is sane, else a new
/// one. It is in every answer's `X-Request-Id`, in every error body
/// (`error.request_id`) and on every log line of the request.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The longest `X-Request-Id` kept.
const MAX_REQUEST_ID: usize = 64;

/// A client's request id when it is 1 to 64 of `A-Z a-z 0-9 - _ . :`.
fn sane_request_id(value: &HeaderValue) -> Option<String> {
    let text = value.to_str().ok()?;
    let sane = !text.is_empty()
        && text.len() <= MAX_REQUEST_ID
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    sane.then(|| text.to_owned())
}

/// A new request id: 16 random bytes in hex (a counter if the operating
/// system's random source fails).
fn new_request_id() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        return format!("local-{n}");
    }
    hex::encode(bytes)
}

/// The error body with the request's id in it (`error.request_id`).
async fn with_request_id(response: Response, id: &str) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if response.status().as_u16() < 400 || !is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 16).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let mut value: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(value) => value,
        Err(_) => return Response::from_parts(parts, Body::from(bytes)),
    };
    if let Some(error) = value.get_mut("error").and_then(|e| e.as_object_mut()) {
        // A replayed answer keeps the id of the request that made it.
        error
            .entry("request_id")
            .or_insert_with(|| serde_json::Value::from(id));
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(value.to_string()))
}

/// Outermost, around every route: the request's id, its span (method,
/// matched route and id; never the raw path or query), one log line when it
/// is answered (status and latency), and the request duration histogram.
pub(crate) async fn observe(mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(sane_request_id)
        .unwrap_or_else(new_request_id);
    request.extensions_mut().insert(RequestId(id.clone()));
    let method = method_label(request.method());
    // The route's template, shared with the router (no copy per request).
    let matched = request.extensions().get::<MatchedPath>().cloned();
    let route = matched.as_ref().map_or("(no route)", MatchedPath::as_str);
    // Text fields recorded as text: no formatting machinery per request.
    let span = tracing::info_span!("request", method, route, request_id = id.as_str());
    let response = next.run(request).instrument(span.clone()).await;
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    // One line per request: a server error as a warning, a refusal at
    // `info`, the rest at `debug` (a busy shop's logs carry its events,
    // not every balance read; `--log debug` shows them all).
    let latency_ms = elapsed.as_secs_f64() * 1000.0;
    match status {
        500.. => tracing::warn!(parent: &span, status, latency_ms, "answered"),
        400..=499 => tracing::info!(parent: &span, status, latency_ms, "answered"),
        _ => tracing::debug!(parent: &span, status, latency_ms, "answered"),
    }
    if crate::telemetry::metrics_on() {
        crate::telemetry::record_request_duration(route, method, status, elapsed);
    }
    let mut response = with_request_id(response, &id).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

/// A request's method as logs and metrics name it: one of the methods
/// counted by name, else `OTHER` (a client's made-up methods stay one
/// label).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}
