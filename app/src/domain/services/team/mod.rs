//! The dashboard team: who may sign in and with which role. There is always exactly one owner;
//! the owner changes roles, removes members (their sessions end in the same transaction) and
//! hands ownership on.
//!
//! People join through [`invitations`]; the owner resets a member's password the same way.

pub mod invitations;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, TransactionSession,
    TransactionTrait,
};
use uuid::Uuid;

use crate::domain::clock::Clock;
use crate::domain::entities::{admin_user, invitation, session};
use crate::error::AppError;
use crate::types::Role;

/// Every member, the owner first, then admins and viewers, each by address.
pub async fn members(
    db: &impl ConnectionTrait,
) -> Result<Vec<(admin_user::Model, Role)>, AppError> {
    let rows = admin_user::Entity::find()
        .order_by_asc(admin_user::Column::Email)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push((role_of(&row)?, row));
    }
    out.sort_by(|(a, x), (b, y)| b.cmp(a).then_with(|| x.email.cmp(&y.email)));
    Ok(out.into_iter().map(|(role, row)| (row, role)).collect())
}

/// The stored role of an account.
pub fn role_of(account: &admin_user::Model) -> Result<Role, AppError> {
    account.role.parse::<Role>().map_err(|e| {
        tracing::error!(admin_id = %account.id, error = %e, "stored role is invalid");
        AppError::Internal
    })
}

/// A member by id; an unknown id is not found.
async fn member(db: &impl ConnectionTrait, id: Uuid) -> Result<admin_user::Model, AppError> {
    admin_user::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// The refusal of anything that would leave the installation without its one owner.
fn one_owner() -> AppError {
    AppError::Conflict(
        "There is always exactly one owner: hand ownership to another member first.".into(),
    )
}

/// Gives `member_id` the role `role` (admin or viewer), on the owner's say. Ownership moves only
/// through [`transfer_ownership`]. Roles are read on every request, so the change holds at once
/// in the member's open sessions. Returns the member and the role they had.
pub async fn change_role<C>(
    db: &C,
    clock: &dyn Clock,
    owner: &admin_user::Model,
    member_id: Uuid,
    role: Role,
) -> Result<(admin_user::Model, Role), AppError>
where
    C: ConnectionTrait + TransactionTrait,
{
    if role == Role::Owner {
        return Err(AppError::Validation(
            "Use \"Make owner\" to hand ownership to a member.".into(),
        ));
    }
    if member_id == owner.id {
        return Err(one_owner());
    }
    let txn = db.begin().await?;
    let before = member(&txn, member_id).await?;
    let had = role_of(&before)?;
    if had == Role::Owner {
        return Err(one_owner());
    }
    admin_user::Entity::update_many()
        .col_expr(admin_user::Column::Role, Expr::value(role.as_str()))
        .col_expr(admin_user::Column::UpdatedAt, Expr::value(clock.now()))
        .filter(admin_user::Column::Id.eq(member_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    tracing::info!(admin_id = %member_id, from = had.as_str(), to = role.as_str(), "role changed");
    Ok((before, had))
}

/// Removes `member_id` from the team: the account, its sessions and any reset waiting for it go
/// in one transaction. The owner removes anyone else; anyone else may remove only themselves
/// (leave). The owner cannot leave. Returns the removed account and how many sessions ended.
pub async fn remove<C>(
    db: &C,
    actor: &admin_user::Model,
    actor_role: Role,
    member_id: Uuid,
) -> Result<(admin_user::Model, u64), AppError>
where
    C: ConnectionTrait + TransactionTrait,
{
    if member_id == actor.id && actor_role == Role::Owner {
        return Err(one_owner());
    }
    if member_id != actor.id && actor_role != Role::Owner {
        return Err(AppError::Forbidden);
    }
    let txn = db.begin().await?;
    let removed = member(&txn, member_id).await?;
    if role_of(&removed)? == Role::Owner {
        return Err(one_owner());
    }
    let ended = end_sessions(&txn, member_id).await?;
    invitation::Entity::delete_many()
        .filter(invitation::Column::AdminId.eq(member_id))
        .exec(&txn)
        .await?;
    admin_user::Entity::delete_by_id(member_id)
        .exec(&txn)
        .await?;
    txn.commit().await?;
    tracing::info!(admin_id = %member_id, sessions_ended = ended, "member removed");
    Ok((removed, ended))
}

/// Makes `member_id` the owner and the current owner an admin, in one transaction; both updates
/// are conditional, so two transfers at once cannot leave two owners or none. Returns the new
/// owner.
pub async fn transfer_ownership<C>(
    db: &C,
    clock: &dyn Clock,
    owner: &admin_user::Model,
    member_id: Uuid,
) -> Result<admin_user::Model, AppError>
where
    C: ConnectionTrait + TransactionTrait,
{
    if member_id == owner.id {
        return Err(AppError::Validation("You are the owner already.".into()));
    }
    let now = clock.now();
    let txn = db.begin().await?;
    let heir = member(&txn, member_id).await?;
    let stepped_down = admin_user::Entity::update_many()
        .col_expr(admin_user::Column::Role, Expr::value(Role::Admin.as_str()))
        .col_expr(admin_user::Column::UpdatedAt, Expr::value(now))
        .filter(admin_user::Column::Id.eq(owner.id))
        .filter(admin_user::Column::Role.eq(Role::Owner.as_str()))
        .exec(&txn)
        .await?;
    if stepped_down.rows_affected != 1 {
        return Err(AppError::Forbidden);
    }
    admin_user::Entity::update_many()
        .col_expr(admin_user::Column::Role, Expr::value(Role::Owner.as_str()))
        .col_expr(admin_user::Column::UpdatedAt, Expr::value(now))
        .filter(admin_user::Column::Id.eq(heir.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    tracing::info!(from = %owner.id, to = %heir.id, "ownership transferred");
    Ok(heir)
}

/// Deletes every session of an account.
pub(crate) async fn end_sessions(
    db: &impl ConnectionTrait,
    admin_id: Uuid,
) -> Result<u64, AppError> {
    Ok(session::Entity::delete_many()
        .filter(session::Column::AdminId.eq(admin_id))
        .exec(db)
        .await?
        .rows_affected)
}
