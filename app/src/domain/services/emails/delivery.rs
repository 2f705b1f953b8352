//! The e-mail worker: claims due e-mails row by row with a conditional update, checks that the
//! link is still worth sending, gives the message a token of its own for the link (its hash on
//! the e-mail row, written before the message leaves), and hands it to the mail server; a
//! refusal worth retrying is retried with backoff, a permanent one is recorded. A message that
//! was not sent keeps no token.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::compose::{LinkMail, compose};
use super::{MailFailure, Mailer};
use crate::domain::AppState;
use crate::domain::crypto::new_token;
use crate::domain::entities::email::{self, EmailState};
use crate::domain::entities::invitation::{self, InvitationKind};
use crate::domain::entities::{connect_link, connector, tenant};
use crate::domain::services::{links, team};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::types::LinkStatus;

/// Delay before each retry: 1 min, 5 min, 30 min, 2 h, 6 h; then the e-mail is given up.
const RETRY_SCHEDULE: [Duration; 5] = [
    Duration::minutes(1),
    Duration::minutes(5),
    Duration::minutes(30),
    Duration::hours(2),
    Duration::hours(6),
];
/// E-mails claimed per pass.
const BATCH: u64 = 20;
/// A claim outlives the longest SMTP exchange, so it only lapses when its worker died.
const CLAIM: Duration = Duration::minutes(5);
/// Stored part of a mail server's refusal.
const ERROR_MAX_CHARS: usize = 300;

fn unclaimed(now: OffsetDateTime) -> Condition {
    Condition::any()
        .add(email::Column::ClaimedUntil.is_null())
        .add(email::Column::ClaimedUntil.lte(now))
}

/// Sends every due e-mail once. Returns how many the mail server accepted. Safe to run on any
/// number of workers at once.
pub async fn deliver_due(state: &AppState, mailer: &dyn Mailer) -> Result<usize, AppError> {
    let now = state.clock.now();
    let due: Vec<Uuid> = email::Entity::find()
        .select_only()
        .column(email::Column::Id)
        .filter(email::Column::Status.eq(EmailState::Pending))
        .filter(email::Column::NextAttemptAt.lte(now))
        .filter(unclaimed(now))
        .order_by_asc(email::Column::NextAttemptAt)
        .limit(BATCH)
        .into_tuple()
        .all(&state.db)
        .await?;
    let mut sent = 0;
    for id in due {
        let claimed = email::Entity::update_many()
            .col_expr(email::Column::ClaimedUntil, Expr::value(now + CLAIM))
            .filter(email::Column::Id.eq(id))
            .filter(email::Column::Status.eq(EmailState::Pending))
            .filter(unclaimed(now))
            .exec(&state.db)
            .await?;
        if claimed.rows_affected != 1 {
            continue;
        }
        match attempt(state, mailer, id).await {
            Ok(true) => sent += 1,
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(email_id = %id, error = %e, "e-mail could not be sent or recorded")
            }
        }
    }
    Ok(sent)
}

/// What came of one claimed e-mail.
enum Outcome {
    Sent,
    Cancelled,
    Failed(MailFailure),
}

/// Makes one attempt of a claimed e-mail and records it. `Ok(true)` when it was sent.
async fn attempt(state: &AppState, mailer: &dyn Mailer, id: Uuid) -> Result<bool, AppError> {
    let Some(row) = email::Entity::find_by_id(id).one(&state.db).await? else {
        return Ok(false);
    };
    let outcome = match prepare(state, &row).await? {
        None => Outcome::Cancelled,
        Some(message) => match mailer.send(&message).await {
            Ok(()) => Outcome::Sent,
            Err(failure) => Outcome::Failed(failure),
        },
    };
    let now = state.clock.now();
    let attempts = row.attempts + 1;
    let (status, next, error, sent_at) = match &outcome {
        Outcome::Sent => (EmailState::Sent, None, None, Some(now)),
        Outcome::Cancelled => (EmailState::Cancelled, None, None, None),
        Outcome::Failed(MailFailure::Permanent(e)) => {
            (EmailState::Failed, None, Some(e.clone()), None)
        }
        Outcome::Failed(MailFailure::Transient(e)) => {
            match usize::try_from(row.attempts)
                .ok()
                .and_then(|i| RETRY_SCHEDULE.get(i))
            {
                Some(delay) => (
                    EmailState::Pending,
                    Some(now + *delay),
                    Some(e.clone()),
                    None,
                ),
                None => (EmailState::Failed, None, Some(e.clone()), None),
            }
        }
    };
    let error = error.map(|e| e.chars().take(ERROR_MAX_CHARS).collect::<String>());
    if let Some(e) = &error {
        tracing::warn!(email_id = %id, attempt = attempts, status = ?status, error = %e, "e-mail not accepted");
    }
    let mut record = email::Entity::update_many();
    if !matches!(outcome, Outcome::Sent) {
        // The token of a message nobody received must not open the link.
        record = record.col_expr(email::Column::TokenHash, Expr::value(None::<Vec<u8>>));
    }
    record
        .col_expr(email::Column::Status, Expr::value(status))
        .col_expr(email::Column::Attempts, Expr::value(attempts))
        .col_expr(email::Column::NextAttemptAt, Expr::value(next))
        .col_expr(
            email::Column::ClaimedUntil,
            Expr::value(None::<OffsetDateTime>),
        )
        .col_expr(email::Column::LastError, Expr::value(error))
        .col_expr(email::Column::SentAt, Expr::value(sent_at))
        .filter(email::Column::Id.eq(id))
        .exec(&state.db)
        .await?;
    Ok(matches!(outcome, Outcome::Sent))
}

/// The message of an e-mail row with a fresh token for its link, or `None` when it is not worth
/// sending any more: the link was completed, revoked or has expired meanwhile.
async fn prepare(
    state: &AppState,
    row: &email::Model,
) -> Result<Option<super::Composed>, AppError> {
    if let (Some(subject), Some(body)) = (&row.subject, &row.body) {
        return Ok(Some(super::Composed {
            to: row.recipient.clone(),
            subject: subject.clone(),
            text: body.clone(),
            locale: Locale::from_tag(&row.locale).unwrap_or(Locale::En),
        }));
    }
    if let Some(invitation_id) = row.invitation_id {
        return prepare_invitation(state, row, invitation_id).await;
    }
    let Some(link_id) = row.link_id else {
        return Ok(None);
    };
    let Some(link) = connect_link::Entity::find_by_id(link_id)
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    let now = state.clock.now();
    if !matches!(
        links::status(&link, now),
        LinkStatus::Active | LinkStatus::Opened
    ) {
        return Ok(None);
    }
    let connector = connector::Entity::find_by_id(link.connector_id)
        .one(&state.db)
        .await?;
    let tenant = tenant::Entity::find_by_id(link.tenant_id)
        .one(&state.db)
        .await?;
    let (Some(connector), Some(tenant)) = (connector, tenant) else {
        return Ok(None);
    };
    let product = state.installation.product_name(&state.db).await?;
    let token = token_of_its_own(state, row).await?;
    let url = links::link_url(&state.settings.public_origin, token.expose());
    let locale = Locale::from_tag(&row.locale).unwrap_or(Locale::En);
    Ok(Some(compose(
        &row.recipient,
        locale,
        &LinkMail {
            kind: row.kind,
            product: &product,
            connector: &connector.name,
            tenant: &tenant.name,
            url: &url,
            expires_at: link.expires_at,
            message: row.message.as_deref(),
        },
    )))
}

/// The message of an invitation or reset e-mail with a token of its own, or `None` once the
/// invitation was used, withdrawn or has expired.
async fn prepare_invitation(
    state: &AppState,
    row: &email::Model,
    invitation_id: Uuid,
) -> Result<Option<super::Composed>, AppError> {
    let now = state.clock.now();
    let Some(found) = invitation::Entity::find_by_id(invitation_id)
        .one(&state.db)
        .await?
        .filter(|i| i.is_open(now))
    else {
        return Ok(None);
    };
    let Ok(role) = found.role.parse::<crate::types::Role>() else {
        return Ok(None);
    };
    let product = state.installation.product_name(&state.db).await?;
    let token = token_of_its_own(state, row).await?;
    let url = team::invitations::invitation_url(&state.settings.public_origin, token.expose());
    Ok(Some(super::compose_invitation(
        &row.recipient,
        &super::InvitationMail {
            reset: found.kind == InvitationKind::Reset,
            product: &product,
            role,
            url: &url,
            expires_at: found.expires_at,
        },
    )))
}

/// A fresh token for the message of `row`, its hash stored on the row before the message leaves.
async fn token_of_its_own(
    state: &AppState,
    row: &email::Model,
) -> Result<crate::domain::crypto::Token, AppError> {
    let token = new_token();
    email::Entity::update_many()
        .col_expr(email::Column::TokenHash, Expr::value(token.hash().to_vec()))
        .filter(email::Column::Id.eq(row.id))
        .exec(&state.db)
        .await?;
    Ok(token)
}
