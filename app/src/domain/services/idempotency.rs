//! Remembered answers to `Idempotency-Key` requests: the first request with a key claims it, its
//! answer is kept for a day and replayed to retries of the same request; the same key with
//! another request is refused. Kept answers are sealed with the master key: the answer to
//! `POST /connect-links` holds the link itself.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use time::OffsetDateTime;
use uuid::Uuid;

use base64::Engine;

use crate::domain::crypto::{Aad, Keyring};
use crate::domain::entities::idempotency_key;
use crate::error::AppError;

/// Marks a kept answer as sealed (base64 of the envelope follows).
const SEALED: &str = "sealed:";

fn body_aad(row_id: &str) -> Aad<'_> {
    Aad {
        table: "idempotency_keys",
        column: "body",
        row_id,
    }
}

/// The kept answer, opened. Answers kept before they were sealed are read as they are; they
/// are swept within a day.
fn open_body(keyring: &Keyring, id: Uuid, stored: &str) -> Result<String, AppError> {
    let Some(encoded) = stored.strip_prefix(SEALED) else {
        return Ok(stored.to_owned());
    };
    let row_id = id.to_string();
    let envelope = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| AppError::Internal)?;
    let plain = keyring.open(&envelope, body_aad(&row_id)).map_err(|e| {
        tracing::error!(record = %row_id, error = %e, "a kept idempotent answer cannot be opened");
        AppError::Internal
    })?;
    String::from_utf8(plain.to_vec()).map_err(|_| AppError::Internal)
}

/// Records older than this are ignored (and swept).
pub const RETENTION: time::Duration = time::Duration::hours(24);

/// What became of an attempt to claim a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new: run the request, then [`finish`] or [`abandon`] this record.
    Claimed(Uuid),
    /// The same request ran before; here is its answer.
    Replay {
        /// HTTP status.
        status: i32,
        /// Body.
        body: String,
    },
    /// The first request with this key is still running.
    InProgress,
    /// The key was used with another request.
    Reused,
}

/// Claims `key` of API key `api_key_id` for the request with this `fingerprint`.
pub async fn claim(
    db: &impl ConnectionTrait,
    keyring: &Keyring,
    now: OffsetDateTime,
    api_key_id: Uuid,
    key: &str,
    fingerprint: &[u8],
) -> Result<Claim, AppError> {
    // Forget an expired record under this key, so the key can be used again.
    idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::ApiKeyId.eq(api_key_id))
        .filter(idempotency_key::Column::Key.eq(key))
        .filter(idempotency_key::Column::CreatedAt.lt(now - RETENTION))
        .exec(db)
        .await?;
    let id = Uuid::now_v7();
    let inserted = idempotency_key::ActiveModel {
        id: Set(id),
        api_key_id: Set(api_key_id),
        key: Set(key.to_owned()),
        fingerprint: Set(fingerprint.to_vec()),
        status: Set(None),
        body: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await;
    if inserted.is_ok() {
        return Ok(Claim::Claimed(id));
    }
    let existing = idempotency_key::Entity::find()
        .filter(idempotency_key::Column::ApiKeyId.eq(api_key_id))
        .filter(idempotency_key::Column::Key.eq(key))
        .one(db)
        .await?;
    Ok(match existing {
        Some(record) if record.fingerprint != fingerprint => Claim::Reused,
        Some(idempotency_key::Model {
            id,
            status: Some(status),
            body: Some(body),
            ..
        }) => Claim::Replay {
            status,
            body: open_body(keyring, id, &body)?,
        },
        Some(_) => Claim::InProgress,
        // Swept between the insert and the read: the insert failed for another reason.
        None => return Err(AppError::Internal),
    })
}

/// Keeps the answer of the claimed request for its retries.
pub async fn finish(
    db: &impl ConnectionTrait,
    keyring: &Keyring,
    id: Uuid,
    status: u16,
    body: String,
) -> Result<(), AppError> {
    let row_id = id.to_string();
    let envelope = keyring
        .seal(body.as_bytes(), body_aad(&row_id))
        .map_err(|_| AppError::Internal)?;
    let body = format!(
        "{SEALED}{}",
        base64::engine::general_purpose::STANDARD.encode(envelope)
    );
    idempotency_key::Entity::update_many()
        .col_expr(
            idempotency_key::Column::Status,
            Expr::value(i32::from(status)),
        )
        .col_expr(idempotency_key::Column::Body, Expr::value(body))
        .filter(idempotency_key::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Forgets a claim whose request failed on our side, so a retry runs again.
pub async fn abandon(db: &impl ConnectionTrait, id: Uuid) -> Result<(), AppError> {
    idempotency_key::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// Deletes records past their retention; returns how many.
pub async fn sweep(db: &impl ConnectionTrait, now: OffsetDateTime) -> Result<u64, AppError> {
    Ok(idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::CreatedAt.lt(now - RETENTION))
        .exec(db)
        .await?
        .rows_affected)
}
