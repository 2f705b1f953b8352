//! One reminder a day before a link sent by e-mail expires, while nobody has completed it.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, TransactionTrait,
};
use time::{Duration, OffsetDateTime};

use crate::domain::entities::connect_link;
use crate::domain::entities::email::EmailKind;
use crate::domain::services::links::{self, EmailRequest};
use crate::error::AppError;
use crate::i18n::Locale;

/// How long before its expiry an unused link is recalled to its recipient.
pub const REMIND_BEFORE: Duration = Duration::hours(24);
/// A link must have lived this long before its reminder: one sent right after the link itself
/// would only repeat it.
const LIVED_AT_LEAST: Duration = Duration::hours(12);
/// Reminders queued per pass.
const BATCH: u64 = 100;

/// Queues the reminder of every link sent by e-mail that expires within [`REMIND_BEFORE`], is
/// neither completed nor revoked, and has not been reminded. Each link is claimed with a
/// conditional update in the transaction that queues its e-mail, so two instances queue one
/// reminder between them. Returns how many were queued.
pub async fn queue_reminders(
    db: &DatabaseConnection,
    now: OffsetDateTime,
) -> Result<usize, AppError> {
    let due = connect_link::Entity::find()
        .filter(connect_link::Column::EmailTo.is_not_null())
        .filter(connect_link::Column::ReminderQueuedAt.is_null())
        .filter(connect_link::Column::CompletedAt.is_null())
        .filter(connect_link::Column::RevokedAt.is_null())
        .filter(connect_link::Column::ExpiresAt.gt(now))
        .filter(connect_link::Column::ExpiresAt.lte(now + REMIND_BEFORE))
        .limit(BATCH)
        .all(db)
        .await?;
    let mut queued = 0;
    for link in due {
        if link.expires_at - link.created_at < REMIND_BEFORE + LIVED_AT_LEAST {
            // Too short-lived for a reminder; marked so it is not looked at again.
            mark(db, &link, now).await?;
            continue;
        }
        let txn = db.begin().await?;
        if mark(&txn, &link, now).await? {
            let to = link.email_to.clone().unwrap_or_default();
            let locale = link
                .email_locale
                .as_deref()
                .and_then(Locale::from_tag)
                .unwrap_or(Locale::En);
            let request = EmailRequest {
                to,
                locale,
                message: None,
            };
            links::queue_email(&txn, EmailKind::LinkReminder, &link, &request, now).await?;
            queued += 1;
        }
        txn.commit().await?;
    }
    Ok(queued)
}

/// Claims the link's reminder; `false` when another worker did first.
async fn mark(
    db: &impl sea_orm::ConnectionTrait,
    link: &connect_link::Model,
    now: OffsetDateTime,
) -> Result<bool, AppError> {
    let claimed = connect_link::Entity::update_many()
        .col_expr(connect_link::Column::ReminderQueuedAt, Expr::value(now))
        .filter(connect_link::Column::Id.eq(link.id))
        .filter(Expr::col(connect_link::Column::ReminderQueuedAt).is_null())
        .exec(db)
        .await?;
    Ok(claimed.rows_affected == 1)
}
