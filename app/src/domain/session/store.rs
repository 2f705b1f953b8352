//! A tower-sessions store over our own SeaORM connection (SQLite or PostgreSQL), so sessions
//! live beside everything else and any instance behind a load balancer can serve any request.
//!
//! Only the SHA-256 of a session id is stored: a copy of the table does not let anyone take over
//! a session.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

use super::signed_in::account_in;
use crate::domain::clock::Clock;
use crate::domain::entities::{admin_user, session};
use crate::error::AppError;

/// The session store.
#[derive(Clone)]
pub struct DbSessionStore {
    db: DatabaseConnection,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for DbSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbSessionStore")
    }
}

impl DbSessionStore {
    /// A store over `db`, judging expiry by `clock`.
    pub fn new(db: DatabaseConnection, clock: Arc<dyn Clock>) -> Self {
        Self { db, clock }
    }
}

pub(super) fn id_hash(id: &Id) -> String {
    hex::encode(Sha256::digest(id.to_string().as_bytes()))
}

fn backend<E: std::fmt::Display>(err: E) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

fn to_active(record: &Record, clock: &dyn Clock) -> session_store::Result<session::ActiveModel> {
    // tower-sessions sets the expiry from the system time; the lifetime it grants is kept but
    // counted from our clock, which judges expiry in `load` (and is moved by tests).
    let expiry = clock.now() + (record.expiry_date - time::OffsetDateTime::now_utc());
    Ok(session::ActiveModel {
        id_hash: Set(id_hash(&record.id)),
        data: Set(serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?),
        // Whole seconds, like every stored instant (see `Clock::now`).
        expires_at: Set(expiry.replace_nanosecond(0).unwrap_or(expiry)),
        admin_id: Set(account_in(&record.data)),
    })
}

/// A live session's data and the account its row names.
pub type SessionWithAccount = (
    HashMap<String, serde_json::Value>,
    Option<admin_user::Model>,
);

/// The data of the session `id`, if it is live at `now`, together with the account its row
/// names: one query where the store's `load` and an account lookup would take two.
pub async fn load_with_account(
    db: &DatabaseConnection,
    id: &Id,
    now: OffsetDateTime,
) -> Result<Option<SessionWithAccount>, AppError> {
    let Some((row, admin)) = session::Entity::find_by_id(id_hash(id))
        .filter(session::Column::ExpiresAt.gt(now))
        .find_also_related(admin_user::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let data = serde_json::from_str(&row.data)
        .map_err(AppError::internal("stored session data is not JSON"))?;
    Ok(Some((data, admin)))
}

#[async_trait::async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // An id collision (2^-128 per pair) gets a fresh id instead of overwriting a session.
        loop {
            let inserted = session::Entity::insert(to_active(record, self.clock.as_ref())?)
                .on_conflict(
                    OnConflict::column(session::Column::IdHash)
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(&self.db)
                .await
                .map_err(backend)?;
            if inserted == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        session::Entity::insert(to_active(record, self.clock.as_ref())?)
            .on_conflict(
                OnConflict::column(session::Column::IdHash)
                    .update_columns([
                        session::Column::Data,
                        session::Column::ExpiresAt,
                        session::Column::AdminId,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row = session::Entity::find_by_id(id_hash(id))
            .filter(session::Column::ExpiresAt.gt(self.clock.now()))
            .one(&self.db)
            .await
            .map_err(backend)?;
        row.map(|row| {
            Ok(Record {
                id: *id,
                data: serde_json::from_str(&row.data)
                    .map_err(|e| session_store::Error::Decode(e.to_string()))?,
                expiry_date: row.expires_at,
            })
        })
        .transpose()
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        session::Entity::delete_by_id(id_hash(id))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        session::Entity::delete_many()
            .filter(session::Column::ExpiresAt.lte(self.clock.now()))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
