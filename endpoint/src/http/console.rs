//! The shop owner's console (issue #30): signing in with the admin key for
//! a session cookie (`/admin/v1/session`), and the console's built files
//! at `/admin/` (`--console-dir`) with a strict Content-Security-Policy.

use super::error::{error, json_value, retry_after, AppError};
use super::extract::{AdminKey, JsonBody};
use super::session::{cookie_of, Found, Live, COOKIE};
use super::state::{now, write, AppState};
use crate::domain::customers::{self, Actor};
use crate::domain::session::{instant, same};
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use loyalty_core::contract::ErrorCode;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

/// `POST /admin/v1/session`'s body.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignIn {
    key: String,
}

/// The address a sign-in is counted against: the connection's, or with
/// `--trust-forwarded-for` the last address in `X-Forwarded-For`.
fn client(state: &AppState, headers: &HeaderMap, peer: Option<SocketAddr>) -> IpAddr {
    let connection = peer.map_or(IpAddr::from([0, 0, 0, 0]), |p| p.ip());
    if !state.config.trust_forwarded_for {
        return connection;
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .next_back()
        .and_then(|last| last.trim().parse::<IpAddr>().ok())
        .unwrap_or(connection)
}

/// Whether the session cookie may leave out `Secure`: plain HTTP from a
/// loopback address (development), not through a proxy that says HTTPS.
fn plain_loopback(headers: &HeaderMap, peer: Option<SocketAddr>) -> bool {
    let loopback = peer.is_some_and(|p| p.ip().is_loopback());
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim().eq_ignore_ascii_case("https"));
    loopback && !https
}

/// The session's answer: its CSRF token and when it ends.
fn session_body(state: &AppState, live: &Live) -> serde_json::Value {
    serde_json::json!({
        "csrf_token": live.csrf,
        "expires_at": instant(live.expires_at),
        "idle_minutes": state.sessions.idle / 60,
        "idle_seconds": state.sessions.idle,
    })
}

fn set_cookie(mut response: Response, value: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Records an audit event in a write of its own.
async fn audit(
    state: &Arc<AppState>,
    action: &'static str,
    actor: Actor,
    detail: serde_json::Value,
) -> Result<(), AppError> {
    write(state, move |state| async move {
        let mut tx = state.store.write().await?;
        customers::record(&mut tx.db(), now(), action, None, actor, detail).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// `POST /admin/v1/session`: the admin key for a session cookie; 401 for a
/// wrong key, 429 after too many wrong ones.
pub(crate) async fn sign_in(
    State(state): State<Arc<AppState>>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: JsonBody<SignIn>,
) -> Result<Response, AppError> {
    let peer = peer.map(|Extension(ConnectInfo(addr))| addr);
    let client = client(&state, &headers, peer);
    let at = now();
    if let Err(seconds) = state.sessions.may_try(client, at) {
        let refused = error(
            429,
            ErrorCode::RateLimited,
            "too many failed sign-ins: try again later",
        );
        return Ok(retry_after(refused, seconds));
    }
    let key = state.config.admin_key.as_deref().unwrap_or_default();
    if key.is_empty() || !same(body.value.key.trim().as_bytes(), key) {
        state.sessions.failed(client, at);
        let detail = serde_json::json!({ "client": client.to_string() });
        audit(&state, "sign_in_failed", Actor::Session, detail).await?;
        return Err(AppError::unauthorized("that is not the admin key"));
    }
    let Some((cookie, live)) = state.sessions.open(at) else {
        return Err(AppError::Internal("no random bytes for a session".into()));
    };
    let detail = serde_json::json!({ "client": client.to_string() });
    audit(&state, "sign_in", Actor::Session, detail).await?;
    let secure = if plain_loopback(&headers, peer) {
        ""
    } else {
        "; Secure"
    };
    let response = json_value(201, &session_body(&state, &live))?;
    Ok(set_cookie(
        response,
        &format!("{COOKIE}={cookie}; HttpOnly; SameSite=Strict; Path=/admin{secure}"),
    ))
}

/// `GET /admin/v1/session`: the live session of the request's cookie (its
/// idle time starts again); 401 otherwise.
pub(crate) async fn current(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let Some(cookie) = cookie_of(&headers) else {
        return Err(AppError::unauthorized("no console session"));
    };
    match state.sessions.find(&cookie, now()) {
        Found::Live(live) => {
            let mut response = json_value(200, &session_body(&state, &live))?;
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(response)
        }
        Found::Expired => Err(AppError::unauthorized("the session has expired")),
        Found::Unknown => Err(AppError::unauthorized("no console session")),
    }
}

/// `DELETE /admin/v1/session`: signs the cookie's session out (with its
/// CSRF token) and clears the cookie.
pub(crate) async fn sign_out(
    admin: AdminKey,
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    if let Some(cookie) = cookie_of(&headers) {
        if state.sessions.close(&cookie) {
            audit(&state, "sign_out", admin.actor, serde_json::json!({})).await?;
        }
    }
    let response = StatusCode::NO_CONTENT.into_response();
    Ok(set_cookie(
        response,
        &format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/admin; Max-Age=0"),
    ))
}

/// The Content-Security-Policy of the console's files.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; \
    base-uri 'none'; form-action 'self'";

/// A file's content type by its extension.
fn content_type(name: &str) -> &'static str {
    let extension = name.rsplit_once('.').map_or("", |(_, ext)| ext);
    match extension.to_ascii_lowercase().as_str() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The file a console path names under `dir`, if the path is plain
/// (no `..`, hidden names or backslashes); `index.html` for the root.
fn file_of(dir: &std::path::Path, path: &str) -> Option<PathBuf> {
    let mut file = dir.to_path_buf();
    let mut any = false;
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        if segment.starts_with('.') || segment.contains('\\') || segment.contains('\0') {
            return None;
        }
        file.push(segment);
        any = true;
    }
    if !any {
        file.push("index.html");
    }
    Some(file)
}

fn with_console_headers(mut response: Response, name: &str, index: bool) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(name)),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if index { "no-store" } else { "no-cache" }),
    );
    response
}

/// `GET /admin/` and `/admin/<path>`: the console's files; `index.html`
/// for a path without an extension that is no file (the console's own
/// routes).
async fn serve_file(state: Arc<AppState>, method: Method, path: &str) -> Response {
    let Some(dir) = &state.config.console_dir else {
        return error(404, ErrorCode::NotFound, "no console is served here");
    };
    if path == "v1" || path.starts_with("v1/") {
        return error(404, ErrorCode::NotFound, "no such route");
    }
    if method != Method::GET && method != Method::HEAD {
        let mut refused = error(
            405,
            ErrorCode::BadRequest,
            &format!("the console's files are read with GET or HEAD, not {method}"),
        );
        refused
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return refused;
    }
    let Some(file) = file_of(dir, path) else {
        return error(404, ErrorCode::NotFound, "no such file");
    };
    let last = path.rsplit('/').next().unwrap_or_default();
    let (file, index) = match tokio::fs::metadata(&file).await {
        Ok(meta) if meta.is_file() => {
            let index = file.file_name().is_some_and(|n| n == "index.html");
            (file, index)
        }
        _ if !last.contains('.') => (dir.join("index.html"), true),
        _ => return error(404, ErrorCode::NotFound, "no such file"),
    };
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match tokio::fs::read(&file).await {
        Ok(bytes) => {
            let body = if method == Method::HEAD {
                axum::body::Body::empty()
            } else {
                axum::body::Body::from(bytes)
            };
            with_console_headers(Response::new(body), &name, index)
        }
        Err(_) => error(404, ErrorCode::NotFound, "the console is not built"),
    }
}

async fn console_root(State(state): State<Arc<AppState>>, request: Request) -> Response {
    serve_file(state, request.method().clone(), "").await
}

async fn console_path(
    State(state): State<Arc<AppState>>,
    Path(path): Path<String>,
    request: Request,
) -> Response {
    serve_file(state, request.method().clone(), &path).await
}

async fn to_console() -> Response {
    let mut response = StatusCode::PERMANENT_REDIRECT.into_response();
    response
        .headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static("/admin/"));
    response
}

/// The console's files (with `--console-dir`).
pub(crate) fn files() -> Router<Arc<AppState>> {
    Router::new()
        .route("/admin", get(to_console))
        .route("/admin/", axum::routing::any(console_root))
        .route("/admin/{*path}", axum::routing::any(console_path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_paths_name_files() {
        let dir = std::path::Path::new("/srv/admin");
        assert_eq!(
            file_of(dir, ""),
            Some(PathBuf::from("/srv/admin/index.html"))
        );
        assert_eq!(
            file_of(dir, "app-1.wasm"),
            Some(PathBuf::from("/srv/admin/app-1.wasm"))
        );
        assert_eq!(file_of(dir, "../secret"), None);
        assert_eq!(file_of(dir, "a/.env"), None);
        assert_eq!(file_of(dir, "a\\b"), None);
    }

    #[test]
    fn wasm_is_application_wasm() {
        assert_eq!(content_type("app_bg.wasm"), "application/wasm");
        assert_eq!(content_type("app.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
    }
}
