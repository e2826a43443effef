//! The importer over the admin API (`/admin/v1/imports`): the body is the
//! file itself (CSV or JSON lines, as `loyalty-endpoint import FILE` reads
//! it), the query says how (`?apply=true&mode=set&map=Mail=email`), and the
//! answer is the dry run's or the apply's report as JSON. An import's body
//! is a whole export of another app: these routes have a body limit and a
//! timeout of their own ([`crate::Limits::max_import_body`],
//! [`crate::Limits::import_timeout`]). Two imports (or undos) never run at
//! once: a second one is answered 409 at once; and as every write, an
//! import holds the store's write lock (across instances) while it runs.

use super::error::{error, json_value, retry_after, AppError};
use super::extract::AdminKey;
use super::state::{lock, now, write, AppState, Running};
use crate::domain::import::{self, ImportError, Mode, Options, Preset};
use crate::domain::ledger;
use crate::domain::sales;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use futures_util::StreamExt;
use loyalty_core::contract::ErrorCode;
use std::sync::Arc;

/// The upload's path (its body limit is checked at the edge too).
pub(crate) const UPLOAD: &str = "/admin/v1/imports";
/// The order history's upload path ([`post_order_import`]).
pub(crate) const ORDER_IMPORT: &str = "/admin/v1/orders/import";
/// The export's path.
const EXPORT: &str = "/admin/v1/export";

/// The media types an import's body may be sent as (the importer tells
/// CSV from JSON lines by the content: a first `{` is JSON lines).
const TYPES: [&str; 8] = [
    "text/csv",
    "text/plain",
    "application/csv",
    "application/x-ndjson",
    "application/jsonl",
    "application/x-jsonlines",
    "application/json",
    "application/octet-stream",
];

/// Seconds a refused second import is told to wait.
const RETRY_SECONDS: u64 = 5;

/// This instance's one import turn, given back when dropped (when the
/// import's write ends, even if its client went away before).
struct Turn(Arc<AppState>);

impl Drop for Turn {
    fn drop(&mut self) {
        *lock(&self.0.importing) = None;
    }
}

/// Takes the import turn, or says which import has it.
fn take_turn(state: &Arc<AppState>, kind: &'static str) -> Result<Turn, String> {
    let mut slot = lock(&state.importing);
    if let Some(other) = slot.as_ref() {
        let message = format!(
            "another import is running (a {} started {} s ago): try again when it is done",
            other.kind.replace('_', " "),
            now().saturating_sub(other.since)
        );
        return Err(message);
    }
    *slot = Some(Running { kind, since: now() });
    Ok(Turn(state.clone()))
}

/// The answer to an import while another runs: 409 with `Retry-After`.
fn busy(message: &str) -> Response {
    retry_after(error(409, ErrorCode::BadRequest, message), RETRY_SECONDS)
}

/// An importer's refusal as the contract answers it.
fn refusal(err: ImportError) -> AppError {
    match err {
        ImportError::Refused(message) => AppError::bad_request(message),
        ImportError::NotFound(message) => AppError::new(404, ErrorCode::NotFound, message),
        ImportError::Conflict(message) => AppError::new(409, ErrorCode::BadRequest, message),
        ImportError::Failed(message) => AppError::Internal(message),
    }
}

/// A yes-or-no query parameter: `true`/`1` or `false`/`0`.
fn flag(name: &str, value: &str) -> Result<bool, AppError> {
    match value {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        other => Err(AppError::bad_request(format!(
            "{name}={other:?}: true or false"
        ))),
    }
}

/// What the query asks for: whether to apply, and the importer's options.
fn asked(query: Option<&str>) -> Result<(bool, Options), AppError> {
    let mut apply = false;
    let mut options = Options {
        mode: Mode::Add,
        map: Vec::new(),
        tier_map: Vec::new(),
        tier_until: None,
        preset: None,
    };
    let pair = |name: &str, value: &str| {
        value
            .split_once('=')
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .ok_or_else(|| AppError::bad_request(format!("{name}={value:?}: write it as OLD=NEW")))
    };
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "apply" => apply = flag("apply", &value)?,
            "mode" => {
                options.mode = match value.as_ref() {
                    "add" => Mode::Add,
                    "set" => Mode::Set,
                    other => {
                        return Err(AppError::bad_request(format!("mode={other:?}: add or set")))
                    }
                }
            }
            "map" => options.map.push(pair("map", &value)?),
            "tier_map" => options.tier_map.push(pair("tier_map", &value)?),
            "dialect" => {
                let preset = Preset::named(&value).ok_or_else(|| {
                    AppError::bad_request(format!(
                        "dialect={value:?}: loyaltylion (the other apps' files are told by \
                         their header)"
                    ))
                })?;
                options.preset = Some(preset);
            }
            "tier_until" => {
                let day = ledger::parse_date(&value).ok_or_else(|| {
                    AppError::bad_request(format!("tier_until={value:?}: a date YYYY-MM-DD"))
                })?;
                options.tier_until = Some(day);
            }
            other => {
                return Err(AppError::bad_request(format!(
                    "unknown parameter {other:?}: apply, mode, map, tier_map, tier_until, dialect"
                )))
            }
        }
    }
    Ok((apply, options))
}

/// Refuses a body sent as something other than the file itself.
fn check_type(headers: &HeaderMap) -> Result<(), AppError> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(());
    };
    let media = value
        .to_str()
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if TYPES.contains(&media.as_str()) {
        return Ok(());
    }
    Err(AppError::new(
        415,
        ErrorCode::BadRequest,
        format!(
            "Content-Type {media:?}: send the file itself as the body, as text/csv or \
             application/x-ndjson (curl --data-binary @file.csv -H 'Content-Type: text/csv'), \
             not as a form"
        ),
    ))
}

/// Writes the body to a temporary file (removed when dropped), up to
/// `limit` bytes; 413 above. The importer then reads it from the disk a
/// buffer at a time: an upload is never held in memory whole.
async fn spool_body(body: Body, limit: usize) -> Result<tempfile::NamedTempFile, AppError> {
    let failed = |err: std::io::Error| AppError::Internal(format!("the upload's file: {err}"));
    let mut file = tempfile::NamedTempFile::new().map_err(failed)?;
    let mut stream = body.into_data_stream();
    let mut length = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|err| AppError::bad_request(format!("the upload broke off: {err}")))?;
        length = length.saturating_add(chunk.len());
        if length > limit {
            return Err(AppError::new(
                413,
                ErrorCode::PayloadTooLarge,
                format!(
                    "the file is larger than {limit} bytes, the import limit (--max-import-body): \
                     split it in parts"
                ),
            ));
        }
        std::io::Write::write_all(&mut file, &chunk).map_err(failed)?;
    }
    std::io::Write::flush(&mut file).map_err(failed)?;
    Ok(file)
}

/// `POST /admin/v1/imports`: the dry run (200), or with `apply=true` the
/// import applied in one transaction (201); 200 with `already_imported`
/// when this file was applied before.
async fn post_import(
    _: AdminKey,
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    let (apply, options) = asked(query.as_deref())?;
    check_type(&headers)?;
    // The turn is taken before the body is read: one upload at a time.
    let turn = match take_turn(&state, if apply { "apply" } else { "dry_run" }) {
        Ok(turn) => turn,
        Err(other) => return Ok(busy(&other)),
    };
    let spooled = spool_body(body, state.config.limits.max_import_body).await?;
    let report = write(&state, move |state| async move {
        let _turn = turn;
        let file = import::FileSource(spooled.path().to_owned());
        let mut tx = state.store.write().await?;
        let today = state.today();
        let report = import::run(&mut tx.db(), &state.program, &file, &options, apply, today)
            .await
            .map_err(refusal)?;
        // A dry run's transaction is dropped: nothing of it stays.
        if report.applied {
            tx.commit().await?;
        }
        Ok(report)
    })
    .await?;
    json_value(if report.applied { 201 } else { 200 }, &report)
}

/// `GET /admin/v1/imports`: the import running now, if any, and the
/// imports applied, newest first.
async fn get_imports(
    _: AdminKey,
    State(state): State<Arc<AppState>>,
) -> Result<Response, AppError> {
    let running = lock(&state.importing).clone();
    let mut conn = state.store.read().await?;
    let imports = import::recorded(&mut conn.db()).await.map_err(refusal)?;
    json_value(
        200,
        &serde_json::json!({ "running": running, "imports": imports }),
    )
}

/// `POST /admin/v1/imports/{id}/undo`: compensating entries for every
/// point the import wrote (spent ones stay: `kept`).
async fn post_undo(
    _: AdminKey,
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let turn = match take_turn(&state, "undo") {
        Ok(turn) => turn,
        Err(other) => return Ok(busy(&other)),
    };
    let undone = write(&state, move |state| async move {
        let _turn = turn;
        let mut tx = state.store.write().await?;
        let today = state.today();
        let undone = import::undo(&mut tx.db(), &state.program, &id, today)
            .await
            .map_err(refusal)?;
        tx.commit().await?;
        Ok(undone)
    })
    .await?;
    json_value(200, &undone)
}

/// `GET /admin/v1/export`: every member with their balance, tier, referral
/// code and the old codes kept as aliases of it, or with `ledger=true`
/// every ledger entry: CSV that `POST /admin/v1/imports` (and
/// `loyalty-endpoint import`) read back, so a shop can always leave.
async fn get_export(
    _: AdminKey,
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let mut ledger = false;
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "ledger" => ledger = flag("ledger", &value)?,
            other => {
                return Err(AppError::bad_request(format!(
                    "unknown parameter {other:?}: ledger"
                )))
            }
        }
    }
    let mut conn = state.store.read().await?;
    let file = import::export(&mut conn.db(), &state.program, ledger, state.today())
        .await
        .map_err(refusal)?;
    let name = if ledger {
        "attachment; filename=\"loyalty-ledger.csv\""
    } else {
        "attachment; filename=\"loyalty-members.csv\""
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, name),
        ],
        file,
    )
        .into_response())
}

/// The import routes (their body limit and time are the edge's:
/// `POST /admin/v1/orders/import`: past orders (CSV with a header, or JSON
/// lines) recorded for the figures only, each order id once; 200 with
/// what was recorded, what was there already and the lines refused.
async fn post_order_import(
    _: AdminKey,
    State(state): State<Arc<AppState>>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    let Ok(text) = String::from_utf8(body.to_vec()) else {
        return Err(AppError::bad_request("the file must be UTF-8 text"));
    };
    // The body is required: a missing or blank one is no file at all.
    if text.trim().is_empty() {
        return Err(AppError::bad_request(
            "the body is the file of orders (CSV with a header, or JSON lines); it is empty",
        ));
    }
    let report = write(&state, move |state| async move {
        let mut tx = state.store.write().await?;
        let report = sales::import_orders(&mut tx.db(), &text).await?;
        tx.commit().await?;
        Ok(report)
    })
    .await?;
    // A file none of whose lines is an order is not a file of orders (a
    // CSV without the header, another app's export): refused whole, with
    // its first line's reason. One good line makes it a file whose bad
    // lines are listed.
    if report.recorded == 0 && report.already == 0 {
        let why = report.refused.first().map_or_else(
            || "it holds no order".to_owned(),
            |first| format!("line {}: {}", first.line, first.message),
        );
        return Err(AppError::bad_request(format!(
            "no line of the file is an order ({why})"
        )));
    }
    json_value(200, &report)
}

/// [`super::edge::body_limit`], [`super::edge::deadline`]).
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(UPLOAD, post(post_import).get(get_imports))
        .route("/admin/v1/imports/{id}/undo", post(post_undo))
        .route(EXPORT, get(get_export))
        .route(ORDER_IMPORT, post(post_order_import))
}

/// Whether `path` is one of the import routes (the upload, an undo and
/// the export: a whole shop's file each way).
pub(crate) fn is_import(path: &str) -> bool {
    path == UPLOAD
        || path == ORDER_IMPORT
        || path == EXPORT
        || path
            .strip_prefix("/admin/v1/imports/")
            .is_some_and(|rest| rest.ends_with("/undo"))
}
