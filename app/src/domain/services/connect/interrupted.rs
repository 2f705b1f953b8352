//! OAuth flows that a server stopped in the middle of: claimed by their callback, but neither
//! stored nor failed, because the process died between the token exchange and the write. The
//! sweep marks them finished and announces `connection.failed` (`flow_interrupted`); nothing was
//! stored, so a link that was never completed can simply be used again.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
    TransactionTrait,
};
use uuid::Uuid;

use crate::domain::clock::Clock;
use crate::domain::entities::{connect_link, oauth_flow};
use crate::domain::ids::{ConnectorId, TenantId};
use crate::domain::services::events;
use crate::error::AppError;
use crate::types::EventType;

/// The `error.code` of `connection.failed` for an interrupted flow.
pub const INTERRUPTED_CODE: &str = "flow_interrupted";

/// How long a claimed flow may take to finish before it counts as interrupted: its provider
/// requests (token, verification, identity) each end at the outbound timeout, well within this.
pub const FINISH_WITHIN: time::Duration = time::Duration::minutes(10);

/// Records that the callback of `flow_id` got its answer, success or failure.
pub(super) async fn mark_finished(
    db: &impl ConnectionTrait,
    flow_id: Uuid,
    now: time::OffsetDateTime,
) -> Result<(), sea_orm::DbErr> {
    oauth_flow::Entity::update_many()
        .col_expr(oauth_flow::Column::FinishedAt, Expr::value(now))
        .filter(oauth_flow::Column::Id.eq(flow_id))
        .filter(oauth_flow::Column::FinishedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Finds flows claimed more than [`FINISH_WITHIN`] ago that never finished, at most `batch`,
/// and announces each once (several servers may sweep at once). A flow whose completion was
/// stored but not marked finished is only marked. Returns how many were announced.
pub async fn sweep_interrupted(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    batch: u64,
) -> Result<usize, AppError> {
    let now = clock.now();
    let due = oauth_flow::Entity::find()
        .filter(oauth_flow::Column::ConsumedAt.lte(now - FINISH_WITHIN))
        .filter(oauth_flow::Column::FinishedAt.is_null())
        .limit(batch)
        .all(db)
        .await?;
    let mut announced = 0;
    for flow in due {
        if announce(db, &flow, now).await? {
            announced += 1;
        }
    }
    Ok(announced)
}

async fn announce(
    db: &DatabaseConnection,
    flow: &oauth_flow::Model,
    now: time::OffsetDateTime,
) -> Result<bool, AppError> {
    let txn = db.begin().await?;
    let claimed = oauth_flow::Entity::update_many()
        .col_expr(oauth_flow::Column::FinishedAt, Expr::value(now))
        .filter(oauth_flow::Column::Id.eq(flow.id))
        .filter(oauth_flow::Column::FinishedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        txn.rollback().await?;
        return Ok(false);
    }
    let Some(link) = connect_link::Entity::find_by_id(flow.link_id)
        .one(&txn)
        .await?
    else {
        txn.commit().await?;
        return Ok(false);
    };
    // Every completion marks its link completed in the transaction that stores it.
    let stored = match (link.completed_at, flow.consumed_at) {
        (Some(completed), Some(claimed)) => completed >= claimed,
        _ => false,
    };
    if stored {
        txn.commit().await?;
        return Ok(false);
    }
    let connector_id = ConnectorId(flow.connector_id.unwrap_or(link.connector_id));
    let subject = events::Subject::load(&txn, TenantId(link.tenant_id), connector_id)
        .await?
        .with_link(&link)?
        .with_error(INTERRUPTED_CODE, crate::text::FLOW_INTERRUPTED);
    events::emit(&txn, now, EventType::ConnectionFailed, &subject).await?;
    txn.commit().await?;
    tracing::warn!(flow_id = %flow.id, link_id = %link.id, "an OAuth flow was interrupted before its connection was stored");
    Ok(true)
}

/// Deletes OAuth flows that expired more than a day ago (run by the sweep worker): they only
/// served to tell a late callback that its flow is over. Interrupted flows are announced long
/// before they qualify.
pub async fn sweep_flows(
    db: &impl ConnectionTrait,
    now: time::OffsetDateTime,
) -> Result<u64, sea_orm::DbErr> {
    let gone = oauth_flow::Entity::delete_many()
        .filter(oauth_flow::Column::ExpiresAt.lte(now - time::Duration::days(1)))
        .exec(db)
        .await?;
    Ok(gone.rows_affected)
}
