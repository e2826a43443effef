//! The HTTP layer: one router module per area ([`customer`]: the widget's
//! contract; [`admin`]: the shop's admin API; [`webhooks`]: the platforms'
//! order webhooks; [`imports`]: the importer over the admin API; [`demo`]:
//! the demo shop and static files; [`testing`]:
//! test-only switches), what every handler extracts ([`extract`]), one
//! error type in the contract's shape ([`error`]), what runs around every
//! route ([`edge`]) and the connection limits ([`server`]).

pub mod admin;
pub mod analytics;
pub mod console;
pub mod customer;
pub mod customers;
pub mod demo;
pub mod edge;
pub mod error;
pub mod extract;
pub mod health;
pub mod imports;
pub mod issuing;
pub mod program;
pub mod server;
pub mod session;
pub mod state;
pub mod testing;
pub mod webhooks;

use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post, put};
use axum::Router;
use state::AppState;
use std::sync::Arc;

/// The whole application for `state`'s configuration.
pub fn router(state: Arc<AppState>) -> Router {
    let config = &state.config;
    // The routes that take `lang` negotiate it in one place.
    let texts = Router::new()
        .route("/v1/program", get(customer::program))
        .route("/v1/customer", get(customer::summary))
        .route("/v1/offers", get(customer::offers))
        .route("/v1/activity", get(customer::activity))
        .route(
            "/v1/redemptions",
            post(customer::redeem).get(customer::redemptions),
        )
        .route("/v1/referrals/{code}", get(customer::referral_invite))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            customer::languages,
        ));
    let mut app = Router::new()
        .route("/v1/health", get(customer::health))
        .route("/livez", get(health::livez))
        .route("/readyz", get(health::readyz))
        .route("/v1/club/join", post(customer::join))
        .merge(texts);
    if config.shopify_secret.is_some() {
        app = app.route("/shopify/proxy/token", get(demo::shopify_token));
    }
    if config.admin_key.is_some() {
        app = app
            .merge(admin::routes())
            .merge(analytics::routes())
            .merge(program::routes());
    }
    if config.console_dir.is_some() {
        app = app.merge(console::files());
    }
    // Each route's body limit is kept in one place (`edge::body_limit`).
    if config.shopify_secret.is_some() {
        app = app.route("/webhooks/shopify", post(webhooks::shopify));
    }
    if config.woocommerce_secret.is_some() {
        app = app.route("/webhooks/woocommerce", post(webhooks::woocommerce));
    }
    // Test-only routes exist only when asked for: without their flag every
    // method on them answers 404, as on any path that is not a route.
    if config.fault_control {
        app = app
            .route("/_faults", put(testing::set_faults))
            .route("/_stats", get(testing::stats).delete(testing::reset_stats));
    }
    if config.clock_control {
        app = app.route("/_clock", put(testing::set_clock));
    }
    if config.demo {
        app = app
            .route("/_demo/token", get(demo::demo_token))
            .route("/", get(demo::demo_page))
            .route("/index.html", get(demo::demo_page))
            .route("/examples/{name}", get(demo::example_page));
    }
    if let Some(dir) = &config.static_dir {
        app = app.fallback_service(demo::static_files(dir));
    }
    if config.admin_key.is_some() {
        // An import's body is a whole export of another app: its route has
        // its own body limit (edge::body_limit) and time (edge::deadline).
        app = app.merge(imports::routes());
    }
    app.layer(tower_http::catch_panic::CatchPanicLayer::new())
        // Every body is read (up to its route's limit) before its route
        // runs, within the route's time; handlers take it as it is.
        .layer(DefaultBodyLimit::disable())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            edge::read_body,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            edge::deadline,
        ))
        .layer(middleware::from_fn(edge::json_errors))
        .layer(middleware::from_fn_with_state(state.clone(), edge::edge))
        .layer(middleware::from_fn(edge::observe))
        .with_state(state)
}

/// The metrics listener's routes: `GET /metrics` in Prometheus's text
/// format, with the database pool's gauges and the redemptions waiting
/// for the platform read at each scrape.
pub fn metrics_router(
    state: Arc<AppState>,
    handle: metrics_exporter_prometheus::PrometheusHandle,
) -> Router {
    let scrape = move || {
        let (state, handle) = (state.clone(), handle.clone());
        async move {
            let pool = state.store.stats();
            for (kind, count) in [
                ("in_use", pool.in_use),
                ("idle", pool.idle),
                ("waiting", pool.waiting),
            ] {
                metrics::gauge!("loyalty_db_connections", "state" => kind).set(count as f64);
            }
            // Every instance on the store reports the same: alert on max().
            let asked = std::time::Duration::from_secs(2);
            match tokio::time::timeout(asked, issuing::waiting(&state)).await {
                Ok(Ok(waiting)) => {
                    metrics::gauge!("loyalty_redemptions_waiting").set(waiting.count as f64);
                    metrics::gauge!("loyalty_redemption_oldest_waiting_seconds")
                        .set(waiting.oldest_seconds);
                }
                Ok(Err(err)) => {
                    tracing::warn!(error = %err, "metrics: could not count the waiting redemptions");
                }
                Err(_) => tracing::warn!("metrics: counting the waiting redemptions took over 2 s"),
            }
            (
                [(
                    axum::http::header::CONTENT_TYPE,
                    "text/plain; version=0.0.4; charset=utf-8",
                )],
                handle.render(),
            )
        }
    };
    Router::new().route("/metrics", get(scrape))
}
