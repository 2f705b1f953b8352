//! `connection.expiring`: a working connection whose access token cannot be refreshed is
//! announced 7 days and again 1 day before it expires, so the admin's backend can send the
//! tenant a reconnect link in time. The Status page shows the same connections as "Expires soon".

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
    TransactionTrait,
};

use crate::domain::clock::Clock;
use crate::domain::entities::connection::{self, ConnectionState};
use crate::domain::ids::{ConnectorId, TenantId};
use crate::domain::services::events;
use crate::error::AppError;
use crate::types::EventType;

/// How many days ahead an expiry is announced, farthest first.
pub const WARN_DAYS: [i32; 2] = [7, 1];

/// Announces each connection whose expiry entered a warning window since it was last announced,
/// at most `batch` per window. Several servers may run this at once: a conditional update
/// claims each announcement. Returns how many were announced.
pub async fn announce_expiring(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    batch: u64,
) -> Result<usize, AppError> {
    let now = clock.now();
    let mut announced = 0;
    // The nearest window first, so a connection found inside both gets only the 1-day warning.
    for days in WARN_DAYS.into_iter().rev() {
        let due = connection::Entity::find()
            .filter(connection::Column::Status.eq(ConnectionState::Connected))
            .filter(connection::Column::Refreshable.eq(false))
            .filter(connection::Column::ExpiresAt.gt(now))
            .filter(connection::Column::ExpiresAt.lte(now + time::Duration::days(days.into())))
            .filter(not_yet_warned(days))
            .limit(batch)
            .all(db)
            .await?;
        for row in due {
            if announce(db, &row, days, now).await? {
                announced += 1;
            }
        }
    }
    Ok(announced)
}

/// Not yet announced this close to its current expiry.
fn not_yet_warned(days: i32) -> Condition {
    Condition::any()
        .add(connection::Column::ExpiryWarnedFor.is_null())
        .add(connection::Column::ExpiryWarnedDays.is_null())
        .add(connection::Column::ExpiryWarnedDays.gt(days))
        .add(
            Expr::col(connection::Column::ExpiryWarnedFor)
                .ne(Expr::col(connection::Column::ExpiresAt)),
        )
}

async fn announce(
    db: &DatabaseConnection,
    row: &connection::Model,
    days: i32,
    now: time::OffsetDateTime,
) -> Result<bool, AppError> {
    let Some(expires_at) = row.expires_at else {
        return Ok(false);
    };
    let txn = db.begin().await?;
    let claimed = connection::Entity::update_many()
        .col_expr(connection::Column::ExpiryWarnedFor, Expr::value(expires_at))
        .col_expr(connection::Column::ExpiryWarnedDays, Expr::value(days))
        .filter(connection::Column::Id.eq(row.id))
        .filter(connection::Column::ExpiresAt.eq(expires_at))
        .filter(not_yet_warned(days))
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        txn.rollback().await?;
        return Ok(false);
    }
    let mut subject =
        events::Subject::load(&txn, TenantId(row.tenant_id), ConnectorId(row.connector_id))
            .await?
            .with_connection(row);
    subject.expires_at = Some(expires_at);
    events::emit(&txn, now, EventType::ConnectionExpiring, &subject).await?;
    txn.commit().await?;
    Ok(true)
}
