//! One refresh of a connection at a time: within this process, an async lock per connection;
//! across instances, a claim on the row that lapses if its holder dies.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::CredentialsError;
use crate::domain::entities::connection;

/// How long one server holds the right to refresh a connection.
const CLAIM_LIFETIME: Duration = Duration::seconds(30);

/// One async lock per connection being refreshed in this process; entries vanish with their
/// last user.
#[derive(Default)]
pub struct RefreshLocks(Mutex<HashMap<Uuid, Weak<tokio::sync::Mutex<()>>>>);

impl RefreshLocks {
    pub(super) fn get(&self, id: Uuid) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(lock) = map.get(&id).and_then(Weak::upgrade) {
            return lock;
        }
        map.retain(|_, weak| weak.strong_count() > 0);
        let lock = Arc::new(tokio::sync::Mutex::new(()));
        map.insert(id, Arc::downgrade(&lock));
        lock
    }
}

/// Claims the right to refresh connection `id` until [`CLAIM_LIFETIME`] from `now`; `false`
/// when another server holds it.
pub(super) async fn claim(
    db: &impl ConnectionTrait,
    id: Uuid,
    now: OffsetDateTime,
) -> Result<bool, CredentialsError> {
    let claimed = connection::Entity::update_many()
        .col_expr(
            connection::Column::RefreshClaimedUntil,
            Expr::value(now + CLAIM_LIFETIME),
        )
        .filter(connection::Column::Id.eq(id))
        .filter(
            Condition::any()
                .add(connection::Column::RefreshClaimedUntil.is_null())
                .add(connection::Column::RefreshClaimedUntil.lte(now)),
        )
        .exec(db)
        .await?;
    Ok(claimed.rows_affected == 1)
}

/// Gives the claim up.
pub(super) async fn release(db: &impl ConnectionTrait, id: Uuid) -> Result<(), CredentialsError> {
    connection::Entity::update_many()
        .col_expr(
            connection::Column::RefreshClaimedUntil,
            Expr::value(Option::<OffsetDateTime>::None),
        )
        .filter(connection::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
