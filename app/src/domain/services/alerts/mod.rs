//! Admin alerts: e-mail to the admins who want it when a connection needs attention — a token
//! refresh failed, an access token that cannot be refreshed is about to expire, or connecting
//! through a link keeps failing.
//!
//! An alert is raised in the transaction that records what happened, once (a unique dedupe
//! key). The alert worker then decides, alert by alert with a conditional update, whether it goes
//! out at once — while fewer than [`IMMEDIATE_PER_DAY`] did in the last 24 hours — or waits for
//! the daily digest, which carries every held alert in one e-mail once the oldest of them is a
//! day old. The e-mails go through the e-mail outbox, so no instance sends one twice.

mod compose;

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::domain::AppState;
use crate::domain::entities::admin_alert::{self, AlertState};
use crate::domain::entities::admin_user;
use crate::domain::entities::email::{self, EmailKind};
use crate::error::AppError;
use crate::i18n::Locale;

pub use crate::domain::entities::admin_alert::AlertKind;
pub use compose::AlertMail;

/// Alerts e-mailed one by one per 24 hours; more are held for the digest.
pub const IMMEDIATE_PER_DAY: u64 = 5;
/// How long the oldest held alert waits before the digest goes out.
pub const DIGEST_AFTER: Duration = Duration::hours(24);
/// Failed attempts through one link before it is reported.
pub const LINK_FAILURES: i32 = crate::types::limits::LINK_FAILURES_ALERT;
/// Alerts decided per pass.
const BATCH: u64 = 100;

/// What an alert is about, as the code that raises it knows it.
#[derive(Debug, Clone)]
pub(crate) struct Raise {
    /// What happened.
    pub kind: AlertKind,
    /// Raised once per key.
    pub dedupe_key: String,
    /// The tenant.
    pub tenant_id: Option<Uuid>,
    /// The connector.
    pub connector_id: Option<Uuid>,
    /// The link.
    pub link_id: Option<Uuid>,
    /// The failure: its code and the provider's words.
    pub error: Option<(String, String)>,
    /// When the token expires.
    pub expires_at: Option<OffsetDateTime>,
}

/// Raises an alert, unless one with its key was raised already. Call it in the transaction that
/// records what happened.
pub(crate) async fn raise(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    alert: Raise,
) -> Result<(), DbErr> {
    let (error_code, error_detail) = alert.error.unzip();
    let row = admin_alert::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(alert.kind),
        dedupe_key: Set(alert.dedupe_key),
        tenant_id: Set(alert.tenant_id),
        connector_id: Set(alert.connector_id),
        link_id: Set(alert.link_id),
        error_code: Set(error_code),
        error_detail: Set(error_detail),
        expires_at: Set(alert.expires_at),
        status: Set(AlertState::Pending),
        decided_at: Set(None),
        digest_id: Set(None),
        created_at: Set(now),
    };
    admin_alert::Entity::insert(row)
        .on_conflict(
            OnConflict::column(admin_alert::Column::DedupeKey)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// What one pass of the alert worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dispatched {
    /// Alerts e-mailed on their own.
    pub sent: usize,
    /// Alerts held for the digest.
    pub held: usize,
    /// Alerts carried by a digest sent in this pass.
    pub digested: usize,
}

/// Decides every pending alert and sends a digest when one is due. Without a mail server alerts
/// stay pending, to go out once one is configured. Safe to run on any number of instances.
pub async fn dispatch(state: &AppState) -> Result<Dispatched, AppError> {
    let mut done = Dispatched::default();
    if state.mail.is_none() {
        return Ok(done);
    }
    let db = &state.db;
    let now = state.clock.now();
    let pending = admin_alert::Entity::find()
        .filter(admin_alert::Column::Status.eq(AlertState::Pending))
        .order_by_asc(admin_alert::Column::CreatedAt)
        .limit(BATCH)
        .all(db)
        .await?;
    if pending.is_empty() && !digest_due(db, now).await? {
        return Ok(done);
    }
    let recipients = recipients(db).await?;
    let product = state.installation.product_name(db).await?;
    // Instances deciding at the same moment may each see room for one more: the limit is a
    // matter of inbox comfort, not of correctness.
    let mut sent_lately = admin_alert::Entity::find()
        .filter(admin_alert::Column::Status.eq(AlertState::Sent))
        .filter(admin_alert::Column::DecidedAt.gt(now - Duration::hours(24)))
        .count(db)
        .await?;
    for alert in pending {
        let next = if sent_lately < IMMEDIATE_PER_DAY {
            AlertState::Sent
        } else {
            AlertState::Held
        };
        let txn = db.begin().await?;
        let claimed = admin_alert::Entity::update_many()
            .col_expr(admin_alert::Column::Status, Expr::value(next))
            .col_expr(admin_alert::Column::DecidedAt, Expr::value(now))
            .filter(admin_alert::Column::Id.eq(alert.id))
            .filter(admin_alert::Column::Status.eq(AlertState::Pending))
            .exec(&txn)
            .await?;
        if claimed.rows_affected == 1 {
            if next == AlertState::Sent {
                let (subject, body) = compose::AlertMail::load(&txn, &alert)
                    .await?
                    .single(&product, &state.settings.public_origin);
                for admin in &recipients {
                    queue_text(
                        &txn,
                        EmailKind::AdminAlert,
                        &admin.email,
                        &subject,
                        &body,
                        &format!("alert:{}:{}", alert.id, admin.id),
                        now,
                    )
                    .await?;
                }
                done.sent += 1;
                sent_lately += 1;
            } else {
                done.held += 1;
            }
        }
        txn.commit().await?;
    }
    if digest_due(db, now).await? {
        done.digested = send_digest(state, &recipients, &product, now).await?;
    }
    Ok(done)
}

/// Whether the oldest held alert has waited a day.
async fn digest_due(db: &DatabaseConnection, now: OffsetDateTime) -> Result<bool, AppError> {
    let oldest = admin_alert::Entity::find()
        .filter(admin_alert::Column::Status.eq(AlertState::Held))
        .filter(admin_alert::Column::CreatedAt.lte(now - DIGEST_AFTER))
        .count(db)
        .await?;
    Ok(oldest > 0)
}

/// Claims every held alert for one digest and queues it; returns how many it carries (0 when
/// another instance claimed them first).
async fn send_digest(
    state: &AppState,
    recipients: &[admin_user::Model],
    product: &str,
    now: OffsetDateTime,
) -> Result<usize, AppError> {
    let digest_id = Uuid::now_v7();
    let txn = state.db.begin().await?;
    admin_alert::Entity::update_many()
        .col_expr(
            admin_alert::Column::Status,
            Expr::value(AlertState::Digested),
        )
        .col_expr(admin_alert::Column::DigestId, Expr::value(digest_id))
        .filter(admin_alert::Column::Status.eq(AlertState::Held))
        .exec(&txn)
        .await?;
    let carried = admin_alert::Entity::find()
        .filter(admin_alert::Column::DigestId.eq(digest_id))
        .order_by_asc(admin_alert::Column::CreatedAt)
        .all(&txn)
        .await?;
    if carried.is_empty() {
        return Ok(0);
    }
    let mut mails = Vec::with_capacity(carried.len());
    for alert in &carried {
        mails.push(compose::AlertMail::load(&txn, alert).await?);
    }
    let (subject, body) = compose::digest(&mails, product, &state.settings.public_origin);
    for admin in recipients {
        queue_text(
            &txn,
            EmailKind::AdminDigest,
            &admin.email,
            &subject,
            &body,
            &format!("digest:{digest_id}:{}", admin.id),
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(carried.len())
}

/// Queues an e-mail whose words are known now (an admin alert or digest: no secret in it).
/// Queued once per `dedupe_key`.
async fn queue_text(
    db: &impl ConnectionTrait,
    kind: EmailKind,
    to: &str,
    subject: &str,
    body: &str,
    dedupe_key: &str,
    now: time::OffsetDateTime,
) -> Result<(), AppError> {
    let row = email::ActiveModel {
        subject: Set(Some(subject.to_owned())),
        body: Set(Some(body.to_owned())),
        ..email::ActiveModel::pending(
            kind,
            to.to_owned(),
            Locale::En.tag().to_owned(),
            dedupe_key.to_owned(),
            now,
        )
    };
    email::Entity::insert(row)
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(email::Column::DedupeKey)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The admins who want alerts.
async fn recipients(db: &DatabaseConnection) -> Result<Vec<admin_user::Model>, AppError> {
    Ok(admin_user::Entity::find()
        .filter(admin_user::Column::Alerts.eq(true))
        .order_by_asc(admin_user::Column::Email)
        .all(db)
        .await?)
}

/// Whether `admin` gets alerts by e-mail.
pub async fn enabled_for(db: &impl ConnectionTrait, admin: Uuid) -> Result<bool, AppError> {
    let row = admin_user::Entity::find_by_id(admin)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(row.alerts)
}

/// Turns alerts by e-mail on or off for `admin` (their own choice).
pub async fn set_enabled(
    db: &impl ConnectionTrait,
    admin: Uuid,
    enabled: bool,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let row = admin_user::Entity::find_by_id(admin)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut active: admin_user::ActiveModel = row.into();
    active.alerts = Set(enabled);
    active.updated_at = Set(now);
    active.update(db).await?;
    Ok(())
}

/// The addresses that get alerts, for the Settings page.
pub async fn recipient_addresses(db: &DatabaseConnection) -> Result<Vec<String>, AppError> {
    Ok(recipients(db).await?.into_iter().map(|a| a.email).collect())
}
