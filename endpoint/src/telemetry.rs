//! What an operator sees: logs through `tracing` (human-readable on a
//! terminal, JSON lines with `--log-format json`; the level from `RUST_LOG`
//! or `--log`), and Prometheus metrics through the `metrics` facade with
//! `metrics-exporter-prometheus`'s recorder, rendered on a listener of
//! their own (`--metrics-addr`, off by default: keep it private).
//!
//! The metrics (Prometheus names, base units):
//! - `http_server_request_duration_seconds` (histogram; `http_route`,
//!   `http_request_method`, `http_response_status_code`): OpenTelemetry's
//!   HTTP server duration, by matched route, never the raw path;
//! - `loyalty_redemptions_total` (`outcome`: redeemed, replayed, refused
//!   with the contract's code);
//! - `loyalty_points_issued_total` (`kind`), `loyalty_points_redeemed_total`,
//!   `loyalty_points_expired_total`: points booked in the ledger;
//! - `loyalty_webhooks_total` (`platform`, `topic`, `outcome`);
//! - `loyalty_platform_calls_total` (`platform`, `operation`, `outcome`)
//!   and `loyalty_platform_call_duration_seconds` (histogram; `platform`,
//!   `operation`): every HTTP call to the shop's platform, retries
//!   included, counted where the connector sends it
//!   (`platform::Connector::call`);
//! - `loyalty_platform_issues_total` (`platform`, `outcome`) and
//!   `loyalty_platform_issue_seconds` (histogram; `platform`): a code's
//!   whole making, all its calls and waits;
//! - `loyalty_db_connections` (`state`: in_use, idle, waiting), read at
//!   each scrape;
//! - `loyalty_redemptions_waiting` and
//!   `loyalty_redemption_oldest_waiting_seconds` (0 when none): pending
//!   redemptions on the store, read at each scrape (one query; every
//!   instance on one store reports the same).

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{LazyLock, RwLock};
use std::time::Duration;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One readable line per event (the default).
    Text,
    /// One JSON object per line, for a log collector.
    Json,
}

/// Starts logging to standard error: `RUST_LOG` when set, else `level`
/// (an `EnvFilter` directive such as `info` or `loyalty_endpoint=debug`).
/// Lines are written by a thread of their own (`tracing-appender`), so a
/// request never waits for the terminal or the disk; keep the guard until
/// the end, it writes what is left when dropped.
pub fn init_logs(level: &str, format: LogFormat) -> Result<WorkerGuard, String> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(directive) if !directive.is_empty() => EnvFilter::try_new(&directive)
            .map_err(|err| format!("RUST_LOG {directive:?}: {err}"))?,
        _ => EnvFilter::try_new(level).map_err(|err| format!("--log {level:?}: {err}"))?,
    };
    // Buffered: the thread writes every line waiting in one call, then
    // flushes (a line alone is written at once; under load, one write
    // call takes many).
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .finish(std::io::BufWriter::new(std::io::stderr()));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_target(true);
    let installed = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
    installed.map_err(|err| format!("logging: {err}"))?;
    Ok(guard)
}

/// Whether a metrics recorder is installed (`--metrics-addr`): without one
/// the request path skips building the metrics' labels.
static METRICS: AtomicBool = AtomicBool::new(false);

/// Whether metrics are recorded in this process.
pub fn metrics_on() -> bool {
    METRICS.load(Ordering::Relaxed)
}

/// The request duration histogram's buckets, in seconds (OpenTelemetry's
/// advice for HTTP server durations).
const DURATION_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// The platform's latency buckets, in seconds: a call takes at most 10 s,
/// a whole issue at most the platform budget.
const PLATFORM_BUCKETS: &[f64] = &[0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// How often the metrics' histograms are drained into their buckets when
/// no scrape does it (see `serve`).
pub const METRICS_UPKEEP: Duration = Duration::from_secs(5);

/// Installs the Prometheus recorder for this process; its handle renders
/// the text exposition format.
pub fn install_metrics() -> Result<PrometheusHandle, String> {
    PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full("http_server_request_duration_seconds".into()),
            DURATION_BUCKETS,
        )
        .and_then(|builder| {
            builder.set_buckets_for_metric(
                Matcher::Prefix("loyalty_platform_".into()),
                PLATFORM_BUCKETS,
            )
        })
        .map_err(|err| format!("metrics: {err}"))?
        .install_recorder()
        .map_err(|err| format!("metrics: {err}"))
        .inspect(|_| METRICS.store(true, Ordering::Relaxed))
}

/// A short, stable stand-in for a customer id in logs: not the id itself
/// (ids can be e-mail addresses in some shops), but the same for every line
/// of one customer.
pub fn customer_tag(id: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(id.as_bytes());
    hex::encode(&digest[..6])
}

/// The request duration histogram's handles by route template, each with
/// its (method, status) pairs, made on first use. The `metrics` macro would
/// build three label strings and look them up in the recorder's registry
/// on every request; a handle records straight into its buckets. Bounded:
/// routes are the router's templates (and "(no route)"), methods the named
/// ones and `OTHER`, statuses three digits.
type DurationHandles = HashMap<String, Vec<(&'static str, u16, metrics::Histogram)>>;
static DURATIONS: LazyLock<RwLock<DurationHandles>> = LazyLock::new(Default::default);

/// The kept handle for `route`, `method` and `status`, if made.
fn duration_handle<'a>(
    handles: &'a DurationHandles,
    route: &str,
    method: &'static str,
    status: u16,
) -> Option<&'a metrics::Histogram> {
    let pairs = handles.get(route)?;
    pairs
        .iter()
        .find(|(m, s, _)| *m == method && *s == status)
        .map(|(_, _, histogram)| histogram)
}

/// Records one answered request in `http_server_request_duration_seconds`.
pub fn record_request_duration(route: &str, method: &'static str, status: u16, took: Duration) {
    let seconds = took.as_secs_f64();
    if let Ok(handles) = DURATIONS.read() {
        if let Some(histogram) = duration_handle(&handles, route, method, status) {
            histogram.record(seconds);
            return;
        }
    }
    let histogram = metrics::histogram!(
        "http_server_request_duration_seconds",
        "http_route" => route.to_owned(),
        "http_request_method" => method,
        "http_response_status_code" => status.to_string(),
    );
    histogram.record(seconds);
    if let Ok(mut handles) = DURATIONS.write() {
        if duration_handle(&handles, route, method, status).is_none() {
            handles
                .entry(route.to_owned())
                .or_default()
                .push((method, status, histogram));
        }
    }
}
