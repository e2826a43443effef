//! The admin API under `/admin/v1/` (`openapi/loyalty-admin-v1.json`):
//! customers, orders, refunds, adjustments, ledgers and the settle sweep.
//! Every route wants the admin key ([`AdminKey`]; a customer token is
//! never it), and each request is one write transaction.

use super::console;
use super::customer::stored_response;
use super::customers;
use super::edge::RequestId;
use super::error::{json_value, AppError};
use super::extract::{AdminKey, IdempotencyKey, JsonBody};
use super::issuing;
use super::state::{begin_idempotent, finish_idempotent, now, write, AppState, Begun};
use crate::domain::idempotency::fingerprint;
use crate::domain::rewards;
use crate::domain::shop::{self, AdjustmentInput, CustomerInput, OrderInput, RefundInput};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::Extension;
use axum::Router;
use loyalty_core::contract::{ErrorCode, RedemptionState};
use std::sync::Arc;

pub use super::extract::MIN_ADMIN_KEY;

/// `PUT /admin/v1/customers/{id}`: 201 when created, 200 when updated.
async fn put_customer(
    _: AdminKey,
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    body: JsonBody<CustomerInput>,
) -> Result<Response, AppError> {
    let (record, gift) = write(&state, move |state| async move {
        let mut tx = state.store.write().await?;
        let today = state.today();
        let program = &state.program;
        let record = shop::upsert_customer(&mut tx.db(), &id, &body.value, program, today).await?;
        // A friend who signed up with a referrer's code gets their code.
        let gift = if record.created && record.referral == Some(shop::Attribution::Attributed) {
            let platform = state.config.issuing.platform.as_ref();
            let now = i64::try_from(now()).unwrap_or(i64::MAX);
            rewards::friend_gift(&mut tx.db(), &id, program, today, now, platform).await?
        } else {
            None
        };
        tx.commit().await?;
        Ok((record, gift))
    })
    .await?;
    if let Some(gift) = gift {
        // Made on the platform now; the reconciler finishes it otherwise.
        issuing::issue(&state, &gift, None).await?;
    }
    json_value(if record.created { 201 } else { 200 }, &record)
}

/// `POST /admin/v1/orders`: 201 when recorded, 200 when it was already.
async fn post_order(
    _: AdminKey,
    State(state): State<Arc<AppState>>,
    body: JsonBody<OrderInput>,
) -> Result<Response, AppError> {
    let record = write(&state, move |state| async move {
        let mut tx = state.store.write().await?;
        let today = state.today();
        let record = shop::record_order(&mut tx.db(), &body.value, &state.program, today).await?;
        tx.commit().await?;
        Ok(record)
    })
    .await?;
    json_value(if record.replayed { 200 } else { 201 }, &record)
}

/// `POST /admin/v1/orders/{id}/refunds`: 201 when recorded, 200 when it
/// was already.
async fn post_refund(
    _: AdminKey,
    State(state): State<Arc<AppState>>,
    Path(order_id): Path<String>,
    body: JsonBody<RefundInput>,
) -> Result<Response, AppError> {
    let record = write(&state, move |state| async move {
        let mut tx = state.store.write().await?;
        let (program, today) = (&state.program, state.today());
        let record =
            shop::record_refund(&mut tx.db(), &order_id, &body.value, program, today).await?;
        tx.commit().await?;
        Ok(record)
    })
    .await?;
    json_value(if record.replayed { 200 } else { 201 }, &record)
}

/// `POST /admin/v1/customers/{id}/adjustments`, once per `Idempotency-Key`.
async fn post_adjustment(
    admin: AdminKey,
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    IdempotencyKey(key): IdempotencyKey,
    Extension(RequestId(request)): Extension<RequestId>,
    body: JsonBody<AdjustmentInput>,
) -> Result<Response, AppError> {
    let stored = write(&state, move |state| async move {
        let owner = format!("admin:{id}");
        let print = fingerprint(&body.raw);
        let mut tx = match begin_idempotent(&state, &owner, &key, &print).await? {
            Begun::Replay(stored) => return Ok(stored),
            Begun::New(tx) => tx,
        };
        let (program, today) = (&state.program, state.today());
        let result = shop::adjust(&mut tx.db(), &id, &body.value, program, today).await;
        let result = match result {
            Ok(done) => {
                let detail = serde_json::json!({ "points": body.value.points });
                let at = now();
                crate::domain::customers::record(
                    &mut tx.db(),
                    at,
                    "adjust",
                    Some(&id),
                    admin.actor,
                    detail,
                )
                .await
                .map(|()| done)
            }
            Err(err) => Err(err),
        };
        let answer = result.and_then(|done| Ok((201, serde_json::to_string(&done)?)));
        finish_idempotent(tx, &owner, &key, &print, &request, answer).await
    })
    .await?;
    Ok(stored_response(stored))
}

/// `GET /admin/v1/customers/{id}/ledger` (settles the customer first).
async fn get_ledger(
    _: AdminKey,
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let view = write(&state, move |state| async move {
        let mut tx = state.store.write().await?;
        let today = state.today();
        let view = shop::ledger_view(&mut tx.db(), &id, &state.program, today).await?;
        tx.commit().await?;
        Ok(view)
    })
    .await?;
    json_value(200, &view)
}

/// `POST /admin/v1/settle`: books every customer's expiries and birthdays.
async fn post_settle(
    _: AdminKey,
    State(state): State<Arc<AppState>>,
) -> Result<Response, AppError> {
    let booked = state.settle_all().await?;
    json_value(200, &serde_json::json!({ "booked": booked }))
}

/// `GET /admin/v1/redemptions?state=pending`: redemptions in a state
/// (`pending` by default), oldest first, at most 500.
async fn get_redemptions(
    _: AdminKey,
    State(state): State<Arc<AppState>>,
    Query(query): Query<StateQuery>,
) -> Result<Response, AppError> {
    let wanted = match query.state.as_deref().unwrap_or("pending") {
        "pending" => RedemptionState::Pending,
        "active" => RedemptionState::Active,
        "used" => RedemptionState::Used,
        "expired" => RedemptionState::Expired,
        "released" => RedemptionState::Released,
        other => {
            return Err(AppError::bad_request(format!(
                "state {other:?}: one of pending, active, used, expired, released"
            )))
        }
    };
    let mut conn = state.store.read().await?;
    let list = rewards::in_state(&mut conn.db(), wanted, 500).await?;
    json_value(200, &serde_json::json!({ "redemptions": list }))
}

/// `?state=` of [`get_redemptions`].
#[derive(serde::Deserialize)]
struct StateQuery {
    state: Option<String>,
}

/// `POST /admin/v1/redemptions/{id}/retry`: tries a pending redemption's
/// code on the platform again now; answers the redemption's state after.
async fn retry_redemption(
    _: AdminKey,
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let before = {
        let mut conn = state.store.read().await?;
        rewards::state(&mut conn.db(), &id).await?
    };
    match before {
        None => {
            return Err(AppError::new(
                404,
                loyalty_core::contract::ErrorCode::NotFound,
                "no such redemption",
            ))
        }
        Some(RedemptionState::Pending) => {}
        Some(other) => {
            return Err(AppError::new(
                409,
                loyalty_core::contract::ErrorCode::BadRequest,
                format!("redemption {id} is {other:?}, not pending: nothing to retry"),
            ))
        }
    }
    let issued = issuing::issue(&state, &id, None).await?;
    let mut conn = state.store.read().await?;
    let after = rewards::state(&mut conn.db(), &id).await?;
    json_value(
        200,
        &serde_json::json!({ "id": id, "outcome": issued, "state": after }),
    )
}

/// `POST /admin/v1/redemptions/{id}/reissue`: a new code, at no points,
/// for a redemption whose code expired unused without its points coming
/// back ([`rewards::reissue`]): 201 with the new redemption when made, 200
/// when it was already; 409 when the redemption is in no state to reissue.
/// A code a platform must make is made now (the reconciler finishes it
/// otherwise), as a redeem's.
async fn reissue_redemption(
    admin: AdminKey,
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let first = id.clone();
    let reissued = write(&state, move |state| async move {
        let mut tx = state.store.write().await?;
        let platform = state.config.issuing.platform.as_ref();
        let at = now();
        let seconds = i64::try_from(at).unwrap_or(i64::MAX);
        let result = rewards::reissue(
            &mut tx.db(),
            &first,
            &state.program,
            state.today(),
            seconds,
            platform,
        )
        .await;
        let reissued = match result {
            Err(crate::domain::error::Error::Refused(ErrorCode::BadRequest, why)) => {
                return Err(AppError::new(409, ErrorCode::BadRequest, why));
            }
            other => other?,
        };
        if reissued.created {
            crate::domain::customers::record(
                &mut tx.db(),
                at,
                "reissue",
                Some(&reissued.customer_id),
                admin.actor,
                serde_json::json!({ "redemption": first, "reissue": reissued.id }),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(reissued)
    })
    .await?;
    let outcome = if reissued.created {
        issuing::issue(&state, &reissued.id, None).await?
    } else {
        issuing::Issued::Nothing
    };
    let mut conn = state.store.read().await?;
    let line = rewards::admin_line(&mut conn.db(), &reissued.id).await?;
    json_value(
        if reissued.created { 201 } else { 200 },
        &serde_json::json!({
            "id": reissued.id,
            "reissue_of": id,
            "outcome": outcome,
            "redemption": line,
        }),
    )
}

/// `POST /admin/v1/reconcile`: one reconciler pass now, over every pending
/// redemption.
async fn post_reconcile(
    _: AdminKey,
    State(state): State<Arc<AppState>>,
) -> Result<Response, AppError> {
    let report = issuing::reconcile(&state, true).await?;
    json_value(200, &report)
}

/// The admin API's routes (only with an admin key configured).
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/admin/v1/customers/{id}",
            put(put_customer).get(customers::detail),
        )
        .route("/admin/v1/customers", get(customers::list))
        .route("/admin/v1/customers/{id}/export", get(customers::export))
        .route("/admin/v1/customers/{id}/erase", post(customers::erase))
        .route("/admin/v1/audit", get(customers::audit))
        .route(
            "/admin/v1/session",
            post(console::sign_in)
                .get(console::current)
                .delete(console::sign_out),
        )
        .route(
            "/admin/v1/customers/{id}/adjustments",
            post(post_adjustment),
        )
        .route("/admin/v1/customers/{id}/ledger", get(get_ledger))
        .route("/admin/v1/orders", post(post_order))
        .route("/admin/v1/orders/{id}/refunds", post(post_refund))
        .route("/admin/v1/settle", post(post_settle))
        .route("/admin/v1/redemptions", get(get_redemptions))
        .route("/admin/v1/redemptions/{id}/retry", post(retry_redemption))
        .route(
            "/admin/v1/redemptions/{id}/reissue",
            post(reissue_redemption),
        )
        .route("/admin/v1/reconcile", post(post_reconcile))
}
