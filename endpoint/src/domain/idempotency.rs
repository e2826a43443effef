//! Writes applied at most once per (customer, key): inside the write
//! transaction the key is looked up ([`seen`]); the same request gets its
//! stored answer again, a different one under the same key is refused, and
//! a new one is applied and its answer stored with it ([`store`]),
//! successes and refusals alike, so a redeem or join happens exactly once
//! however often and however concurrently it is sent, to however many
//! instances.

use super::error::{refused, Result};
use crate::store::queries as q;
use crate::store::rows::IdempotencyRow;
use crate::store::Db;
use loyalty_core::contract::ErrorCode;
use sha2::{Digest, Sha256};

/// A stored write result: the HTTP status and JSON body sent the first time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub body: String,
    /// Whether this is a replay of an earlier request with the same key.
    pub replayed: bool,
}

/// The fingerprint of a request body.
pub fn fingerprint(request: &[u8]) -> String {
    format!("{:x}", Sha256::digest(request))
}

/// The answer stored for this key, if the request was seen; a refusal if
/// the key was used for another request.
pub async fn seen(
    db: &mut Db<'_>,
    owner: &str,
    key: &str,
    fingerprint: &str,
) -> Result<Option<Stored>> {
    let Some(row) = q::idempotency(db, owner, key).await? else {
        return Ok(None);
    };
    if row.request_hash != fingerprint {
        return Err(refused(
            ErrorCode::IdempotencyConflict,
            "this Idempotency-Key was used for a different request",
        ));
    }
    Ok(Some(Stored {
        status: u16::try_from(row.status).unwrap_or(500),
        body: row.body,
        replayed: true,
    }))
}

/// Stores the answer to a new request under its key.
pub async fn store(
    db: &mut Db<'_>,
    owner: &str,
    key: &str,
    fingerprint: &str,
    status: u16,
    body: String,
) -> Result<Stored> {
    let row = IdempotencyRow {
        request_hash: fingerprint.to_owned(),
        status: i64::from(status),
        body,
    };
    q::put_idempotency(db, owner, key, &row).await?;
    Ok(Stored {
        status,
        body: row.body,
        replayed: false,
    })
}
