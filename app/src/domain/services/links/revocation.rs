//! How links stop working before they are used up: revoked by the admin, replaced by a
//! regenerated link, or expired (announced once).

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use uuid::Uuid;

use super::usable_condition;
use crate::domain::clock::Clock;
use crate::domain::entities::connect_link;
use crate::domain::ids::EnvironmentId;
use crate::domain::services::events;
use crate::error::AppError;
use crate::types::EventType;

/// Revokes the live links of `link`'s tenant and connector other than `link` itself, announcing
/// `link.revoked` for each.
pub(super) async fn revoke_earlier(
    txn: &impl ConnectionTrait,
    link: &connect_link::Model,
    now: time::OffsetDateTime,
) -> Result<(), AppError> {
    let earlier = connect_link::Entity::find()
        .filter(connect_link::Column::TenantId.eq(link.tenant_id))
        .filter(connect_link::Column::ConnectorId.eq(link.connector_id))
        .filter(connect_link::Column::Id.ne(link.id))
        .filter(usable_condition(now))
        .all(txn)
        .await?;
    for old in earlier {
        let revoked = connect_link::Entity::update_many()
            .col_expr(connect_link::Column::RevokedAt, Expr::value(now))
            .filter(connect_link::Column::Id.eq(old.id))
            .filter(connect_link::Column::RevokedAt.is_null())
            .exec(txn)
            .await?;
        if revoked.rows_affected == 1 {
            let subject = events::Subject::of_link(txn, &old).await?;
            events::emit(txn, now, EventType::LinkRevoked, &subject).await?;
        }
    }
    Ok(())
}

/// Revokes a link; it stops working at once and `link.revoked` is announced. Revoking twice is
/// not an error (and announces nothing the second time).
pub async fn revoke(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    environment: EnvironmentId,
    link_id: Uuid,
) -> Result<(), AppError> {
    let now = clock.now();
    let txn = db.begin().await?;
    super::get(&txn, environment, link_id).await?;
    let revoked = connect_link::Entity::update_many()
        .col_expr(connect_link::Column::RevokedAt, Expr::value(now))
        .filter(connect_link::Column::Id.eq(link_id))
        .filter(connect_link::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    let link = connect_link::Entity::find_by_id(link_id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if revoked.rows_affected == 1 {
        let subject = events::Subject::of_link(&txn, &link).await?;
        events::emit(&txn, now, EventType::LinkRevoked, &subject).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Announces `link.expired` once for each link that expired without being revoked or used up,
/// at most `limit` per call. Returns how many were announced.
pub async fn announce_expired(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    limit: u64,
) -> Result<usize, AppError> {
    let now = clock.now();
    let expired = connect_link::Entity::find()
        .filter(connect_link::Column::ExpiresAt.lte(now))
        .filter(connect_link::Column::ExpiryAnnouncedAt.is_null())
        .filter(connect_link::Column::RevokedAt.is_null())
        .filter(
            Condition::any()
                .add(connect_link::Column::SingleUse.eq(false))
                .add(connect_link::Column::CompletedAt.is_null()),
        )
        .order_by_asc(connect_link::Column::ExpiresAt)
        .limit(limit)
        .all(db)
        .await?;
    let mut announced = 0;
    for link in expired {
        let txn = db.begin().await?;
        // Several servers may sweep at once: only the one whose update lands announces.
        let claimed = connect_link::Entity::update_many()
            .col_expr(connect_link::Column::ExpiryAnnouncedAt, Expr::value(now))
            .filter(connect_link::Column::Id.eq(link.id))
            .filter(connect_link::Column::ExpiryAnnouncedAt.is_null())
            .exec(&txn)
            .await?;
        if claimed.rows_affected == 1 {
            let subject = events::Subject::of_link(&txn, &link).await?;
            events::emit(&txn, now, EventType::LinkExpired, &subject).await?;
            announced += 1;
        }
        txn.commit().await?;
    }
    Ok(announced)
}
