//! Invitations and password resets: single-use links that let a person set a dashboard password.
//!
//! An invitation creates an account with its role and is valid for seven days; a reset, which
//! only the owner starts, replaces a member's password and ends their sessions, and is valid for
//! a day. The link's token is shown once to whoever made it and stored only as SHA-256. With a
//! mail server configured the person also gets an e-mail, which carries a token of its own
//! (minted when it is sent, like a connect link's e-mail). A newer invitation or reset for the
//! same person withdraws the older one; unknown, used, withdrawn and expired links all get the
//! same answer.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use secrecy::{ExposeSecret, SecretString};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::{end_sessions, member, role_of};
use crate::domain::clock::Clock;
use crate::domain::crypto::{Token, new_token, token_hash};
use crate::domain::entities::admin_user;
use crate::domain::entities::email::{self, EmailKind};
use crate::domain::entities::invitation::{self, InvitationKind};
use crate::domain::password::PasswordHasher;
use crate::domain::services::admin::{insert_admin, normalize_email, validate_new_password};
use crate::domain::services::links::plausible_address;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::types::Role;

/// How long an invitation to join stays valid.
pub const INVITATION_LIFETIME: Duration = Duration::days(7);
/// How long a password reset stays valid.
pub const RESET_LIFETIME: Duration = Duration::hours(24);

/// The page an invitation or reset link opens.
pub fn invitation_url(public_origin: &str, token: &str) -> String {
    format!("{}/invite/{token}", public_origin.trim_end_matches('/'))
}

/// A new invitation or reset and its token (the only copy).
pub struct Created {
    /// The row.
    pub invitation: invitation::Model,
    /// The link's token.
    pub token: Token,
    /// Whether an e-mail to the person was queued with it.
    pub emailed: bool,
}

/// Invites `email` to join with `role` (admin or viewer; ownership is handed on, not invited).
/// `send_email` queues an e-mail in the same transaction (the caller knows whether the server
/// sends mail).
pub async fn invite<C>(
    db: &C,
    clock: &dyn Clock,
    inviter: &admin_user::Model,
    email: &str,
    role: Role,
    send_email: bool,
) -> Result<Created, AppError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let email = normalize_email(email)?;
    if !plausible_address(&email) {
        return Err(AppError::Validation(format!(
            "{email:?} is not an address an invitation can be sent to."
        )));
    }
    if role == Role::Owner {
        return Err(AppError::Validation(
            "There is one owner: invite as admin, then hand ownership on under Team.".into(),
        ));
    }
    let taken = admin_user::Entity::find()
        .filter(admin_user::Column::Email.eq(email.as_str()))
        .one(db)
        .await?
        .is_some();
    if taken {
        return Err(AppError::Conflict(
            "This address already belongs to a member of the team.".into(),
        ));
    }
    let now = clock.now();
    let txn = db.begin().await?;
    withdraw_pending(
        &txn,
        now,
        invitation::Column::Email.eq(email.as_str()),
        InvitationKind::Invite,
    )
    .await?;
    let created = insert(
        &txn,
        now,
        InvitationKind::Invite,
        email,
        role,
        None,
        inviter.id,
        send_email,
    )
    .await?;
    txn.commit().await?;
    tracing::info!(invitation_id = %created.invitation.id, "invitation created");
    Ok(created)
}

/// Starts a password reset for `member_id`, on the owner's say: nothing changes until the link
/// is used. The owner changes their own password under Settings instead.
pub async fn reset_password<C>(
    db: &C,
    clock: &dyn Clock,
    owner: &admin_user::Model,
    member_id: Uuid,
    send_email: bool,
) -> Result<Created, AppError>
where
    C: ConnectionTrait + TransactionTrait,
{
    if member_id == owner.id {
        return Err(AppError::Validation(
            "Change your own password under Settings → Password.".into(),
        ));
    }
    let now = clock.now();
    let txn = db.begin().await?;
    let account = member(&txn, member_id).await?;
    let role = role_of(&account)?;
    withdraw_pending(
        &txn,
        now,
        invitation::Column::AdminId.eq(member_id),
        InvitationKind::Reset,
    )
    .await?;
    let created = insert(
        &txn,
        now,
        InvitationKind::Reset,
        account.email,
        role,
        Some(member_id),
        owner.id,
        send_email,
    )
    .await?;
    txn.commit().await?;
    tracing::info!(invitation_id = %created.invitation.id, admin_id = %member_id, "password reset started");
    Ok(created)
}

#[allow(clippy::too_many_arguments)]
async fn insert(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    kind: InvitationKind,
    email: String,
    role: Role,
    admin_id: Option<Uuid>,
    invited_by: Uuid,
    send_email: bool,
) -> Result<Created, AppError> {
    let token = new_token();
    let lifetime = match kind {
        InvitationKind::Invite => INVITATION_LIFETIME,
        InvitationKind::Reset => RESET_LIFETIME,
    };
    let row = invitation::ActiveModel {
        id: Set(Uuid::now_v7()),
        token_hash: Set(token.hash().to_vec()),
        kind: Set(kind),
        email: Set(email),
        role: Set(role.as_str().to_owned()),
        admin_id: Set(admin_id),
        invited_by: Set(invited_by),
        created_at: Set(now),
        expires_at: Set(now + lifetime),
        used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    if send_email {
        email::ActiveModel {
            invitation_id: Set(Some(row.id)),
            ..email::ActiveModel::pending(
                EmailKind::Invitation,
                row.email.clone(),
                Locale::En.tag().to_owned(),
                format!("invitation:{}", row.id),
                now,
            )
        }
        .insert(db)
        .await?;
    }
    Ok(Created {
        invitation: row,
        token,
        emailed: send_email,
    })
}

/// Withdraws the pending invitations of `kind` that `which` selects.
async fn withdraw_pending(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    which: sea_orm::sea_query::SimpleExpr,
    kind: InvitationKind,
) -> Result<u64, AppError> {
    Ok(invitation::Entity::update_many()
        .col_expr(invitation::Column::RevokedAt, Expr::value(now))
        .filter(which)
        .filter(invitation::Column::Kind.eq(kind))
        .filter(invitation::Column::UsedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .exec(db)
        .await?
        .rows_affected)
}

/// Invitations and resets that can still be used, newest first.
pub async fn pending(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
) -> Result<Vec<invitation::Model>, AppError> {
    Ok(invitation::Entity::find()
        .filter(invitation::Column::UsedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .filter(invitation::Column::ExpiresAt.gt(now))
        .order_by_desc(invitation::Column::CreatedAt)
        .all(db)
        .await?)
}

/// Withdraws a pending invitation or reset; its link (and its e-mail's) opens nothing after.
pub async fn revoke(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    id: Uuid,
) -> Result<invitation::Model, AppError> {
    let now = clock.now();
    let found = invitation::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|i| i.is_open(now))
        .ok_or(AppError::NotFound)?;
    let withdrawn = invitation::Entity::update_many()
        .col_expr(invitation::Column::RevokedAt, Expr::value(now))
        .filter(invitation::Column::Id.eq(id))
        .filter(invitation::Column::UsedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    if withdrawn.rows_affected != 1 {
        return Err(AppError::NotFound);
    }
    Ok(found)
}

/// The open invitation a link's token names: its own token, or the one its e-mail carried.
/// Unknown, used, withdrawn and expired tokens are all [`AppError::NotFound`].
pub async fn open(
    db: &impl ConnectionTrait,
    token: &str,
    now: OffsetDateTime,
) -> Result<invitation::Model, AppError> {
    let hash = token_hash(token.trim()).to_vec();
    let mut found = invitation::Entity::find()
        .filter(invitation::Column::TokenHash.eq(hash.clone()))
        .one(db)
        .await?;
    if found.is_none() {
        let mailed = email::Entity::find()
            .filter(email::Column::TokenHash.eq(hash))
            .filter(email::Column::InvitationId.is_not_null())
            .one(db)
            .await?;
        if let Some(id) = mailed.and_then(|m| m.invitation_id) {
            found = invitation::Entity::find_by_id(id).one(db).await?;
        }
    }
    found.filter(|i| i.is_open(now)).ok_or(AppError::NotFound)
}

/// Uses an invitation or reset: checks the new password, claims the link with a conditional
/// update (so it works once, however often it is posted), and creates the account or replaces
/// the password (ending every session of the account), all in one transaction. Returns the
/// account, ready to be signed in, and what the link was.
pub async fn accept<C>(
    db: &C,
    hasher: &PasswordHasher,
    clock: &dyn Clock,
    token: &str,
    password: SecretString,
) -> Result<(admin_user::Model, invitation::Model), AppError>
where
    C: ConnectionTrait + TransactionTrait,
{
    validate_new_password(password.expose_secret())?;
    let found = open(db, token, clock.now()).await?;
    let password_hash = hasher.hash(password).await?;
    let now = clock.now();
    let txn = db.begin().await?;
    let claimed = invitation::Entity::update_many()
        .col_expr(invitation::Column::UsedAt, Expr::value(now))
        .filter(invitation::Column::Id.eq(found.id))
        .filter(invitation::Column::UsedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .filter(invitation::Column::ExpiresAt.gt(now))
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(AppError::NotFound);
    }
    let account = match (found.kind, found.admin_id) {
        (InvitationKind::Invite, _) => {
            let role = found.role.parse::<Role>().map_err(|e| {
                tracing::error!(invitation_id = %found.id, error = %e, "stored role is invalid");
                AppError::Internal
            })?;
            insert_admin(&txn, found.email.clone(), password_hash, role, now).await?
        }
        (InvitationKind::Reset, Some(admin_id)) => {
            let account = member(&txn, admin_id).await?;
            let mut active: admin_user::ActiveModel = account.into();
            active.password_hash = Set(password_hash);
            active.updated_at = Set(now);
            let account = active.update(&txn).await?;
            end_sessions(&txn, admin_id).await?;
            account
        }
        (InvitationKind::Reset, None) => return Err(AppError::NotFound),
    };
    txn.commit().await?;
    tracing::info!(invitation_id = %found.id, admin_id = %account.id, "invitation used");
    Ok((account, found))
}
