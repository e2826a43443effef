//! The demo shop and what a shop's own server would do for it: demo
//! tokens, the demo pages with a token rendered in, the embed examples, the
//! static files with a CDN's caching headers, and the Shopify app proxy's
//! token route.

use super::error::{error, json};
use super::state::{now, AppState};
use crate::domain::token;
use axum::extract::{Path, Query, RawQuery, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use loyalty_core::contract::ErrorCode;
use serde::Deserialize;
use std::sync::Arc;

#[derive(Deserialize)]
pub(crate) struct DemoQuery {
    customer: Option<String>,
    lang: Option<String>,
    theme: Option<String>,
}

/// Demo customer for a query: `?customer=` (empty for a guest) or Anna.
fn demo_customer(q: &DemoQuery) -> Option<String> {
    match q.customer.as_deref() {
        None => Some("cust-anna".to_owned()),
        Some("") => None,
        Some(id) => Some(id.to_owned()),
    }
}

pub(crate) async fn demo_token(
    State(state): State<Arc<AppState>>,
    Query(q): Query<DemoQuery>,
) -> Response {
    let Some(customer) = demo_customer(&q) else {
        return error(400, ErrorCode::BadRequest, "customer is required");
    };
    let token = token::mint(&state.config.secret, &customer, now(), 900);
    json(200, serde_json::json!({ "token": token }).to_string())
}

/// The demo shop page with a token for the chosen customer rendered into the
/// embed, like a shop's server renders it for the signed-in customer.
pub(crate) async fn demo_page(
    State(state): State<Arc<AppState>>,
    Query(q): Query<DemoQuery>,
) -> Response {
    render_demo(&state, "index.html", &q)
}

/// An embed example (`/examples/NAME.html`), rendered like the demo shop.
pub(crate) async fn example_page(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    Query(q): Query<DemoQuery>,
) -> Response {
    let plain = name.strip_suffix(".html").is_some_and(|stem| {
        !stem.is_empty()
            && stem
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    });
    if !plain {
        return error(404, ErrorCode::NotFound, "no such example");
    }
    render_demo(&state, &format!("examples/{name}"), &q)
}

/// A page from the static directory with the demo placeholders filled in.
fn render_demo(state: &AppState, file: &str, q: &DemoQuery) -> Response {
    let Some(dir) = &state.config.static_dir else {
        return error(404, ErrorCode::NotFound, "no demo shop");
    };
    let Ok(html) = std::fs::read_to_string(dir.join(file)) else {
        return error(404, ErrorCode::NotFound, "demo page not built");
    };
    let token = demo_customer(q)
        .map(|customer| token::mint(&state.config.secret, &customer, now(), 900))
        .unwrap_or_default();
    // Only known values reach the page: these land in HTML attributes.
    let lang = match q.lang.as_deref() {
        Some("en") => "en",
        _ => "de",
    };
    let theme = match q.theme.as_deref() {
        Some("light") => "light",
        Some("dark") => "dark",
        _ => "auto",
    };
    let html = html
        .replace("__DEMO_TOKEN__", &token)
        .replace("__DEMO_ENDPOINT__", &state.config.shop_url)
        .replace("__DEMO_LANG__", lang)
        .replace("__DEMO_THEME__", theme);
    let mut response = html.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// How long a browser may keep a static file: the widget's hashed files
/// (and its language packs, `i18n/<hash>/<lang>.json`) for a year
/// (a new build has new names), the loader (the stable URL
/// shops embed) for five minutes, anything else only after asking again.
pub fn cache_control(path: &str) -> &'static str {
    let Some(name) = path.strip_prefix("/widget/") else {
        return "no-cache";
    };
    if name.starts_with("loyalty-widget-web-") || name.starts_with("i18n/") {
        "public, max-age=31536000, immutable"
    } else if name == "loyalty-widget.js" {
        "public, max-age=300"
    } else {
        "no-cache"
    }
}

/// The static files under `dir` as a CDN serves a build: brotli or gzip
/// made ahead by the build (scripts/trunk-post-build.sh), and caching
/// headers by file kind. Files are read with `GET` and `HEAD`; another
/// method answers `405` for a file that is there and `404` for a path that
/// is not (a route that is not mounted, `PUT /_faults` without its flag
/// say, is no file either: it does not exist).
pub(crate) fn static_files(dir: &std::path::Path) -> axum::Router {
    let files = tower_http::services::ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip();
    let serve = move |request: Request| {
        let files = files.clone();
        async move {
            use tower::ServiceExt;
            let method = request.method().clone();
            let (mut parts, _) = request.into_parts();
            let reading = method == Method::GET || method == Method::HEAD;
            if !reading {
                parts.method = Method::HEAD;
            }
            let request = Request::from_parts(parts, axum::body::Body::empty());
            let response = match files.oneshot(request).await {
                Ok(response) => response.map(axum::body::Body::new),
                Err(never) => match never {},
            };
            if reading {
                response
            } else if response.status().is_success() {
                let mut refused = error(
                    405,
                    ErrorCode::BadRequest,
                    &format!("a file is read with GET or HEAD, not {method}"),
                );
                refused
                    .headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
                refused
            } else {
                error(404, ErrorCode::NotFound, "no such route or file")
            }
        }
    };
    axum::Router::new()
        .fallback(serve)
        .layer(axum::middleware::from_fn(static_caching))
}

pub(crate) async fn static_caching(request: Request, next: Next) -> Response {
    let value = cache_control(request.uri().path());
    let mut response = next.run(request).await;
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    response
}

/// `GET /shopify/proxy/token`: the storefront's `/apps/loyalty/token`
/// through the shop's app proxy. A request Shopify signed, not older than
/// five minutes, gets a token for its `logged_in_customer_id`, a guest's
/// gets `{"token": null}`; anything else is refused.
pub(crate) async fn shopify_token(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(app_secret) = &state.config.shopify_secret else {
        return error(404, ErrorCode::NotFound, "no Shopify app is configured");
    };
    match crate::domain::shopify::verify(app_secret, query.as_deref().unwrap_or_default(), now()) {
        Ok(request) => {
            let token = request
                .customer_id
                .map(|id| token::mint(&state.config.secret, &id, now(), 900));
            let mut response = json(200, serde_json::json!({ "token": token }).to_string());
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            response
        }
        Err(refused) => error(401, ErrorCode::Unauthorized, &refused.to_string()),
    }
}
