//! Settings → Team: members, invitations, roles, ownership and password resets; and the
//! invitation page, which needs no account.

use leptos::prelude::*;

use crate::error::AppError;
use crate::types::{CreatedInvitation, InvitationView, TeamOverview};

#[cfg(feature = "ssr")]
mod convert {
    use crate::domain::entities::{admin_user, invitation};
    use crate::types::{InvitationPurpose, PendingInvitation, Role, TeamMember};

    pub(super) fn purpose(kind: invitation::InvitationKind) -> InvitationPurpose {
        match kind {
            invitation::InvitationKind::Invite => InvitationPurpose::Join,
            invitation::InvitationKind::Reset => InvitationPurpose::PasswordReset,
        }
    }

    pub(super) fn pending(
        i: invitation::Model,
        members: &[admin_user::Model],
    ) -> PendingInvitation {
        PendingInvitation {
            id: i.id.to_string(),
            role: i.role.parse().unwrap_or(Role::Viewer),
            purpose: purpose(i.kind),
            invited_by: members
                .iter()
                .find(|m| m.id == i.invited_by)
                .map(|m| m.email.clone()),
            expires_at: i.expires_at,
            email: i.email,
        }
    }

    pub(super) fn member(m: admin_user::Model, role: Role, you: uuid::Uuid) -> TeamMember {
        TeamMember {
            id: m.id.to_string(),
            is_you: m.id == you,
            role,
            last_sign_in_at: m.last_sign_in_at,
            joined_at: m.created_at,
            two_factor: m.has_two_factor(),
            email: m.email,
        }
    }
}

/// The team: members, open invitations and resets.
#[server(prefix = "/rpc")]
pub async fn get_team() -> Result<TeamOverview, AppError> {
    use crate::domain::{services::team, session::require_role};
    use crate::types::Role;

    let (state, user) = require_role(Role::Viewer).await?;
    let members = team::members(&state.db).await?;
    let accounts: Vec<_> = members.iter().map(|(m, _)| m.clone()).collect();
    let pending = team::invitations::pending(&state.db, state.clock.now()).await?;
    Ok(TeamOverview {
        pending: pending
            .into_iter()
            .map(|i| convert::pending(i, &accounts))
            .collect(),
        members: members
            .into_iter()
            .map(|(m, role)| convert::member(m, role, user.admin.id))
            .collect(),
        mail_configured: state.mail.is_some(),
        your_role: user.role,
        two_factor_required: state
            .installation
            .get(&state.db)
            .await?
            .is_some_and(|i| i.require_two_factor),
    })
}

/// Invites a person by address with a role (admin or viewer). The link is in this answer and,
/// when the server sends mail, in an e-mail to them.
#[server(prefix = "/rpc")]
pub async fn invite_member(email: String, role: String) -> Result<CreatedInvitation, AppError> {
    use crate::domain::{services::team, session};
    use crate::types::{AuditAction, Role};

    let (state, user) = session::require_role(Role::Admin).await?;
    let role: Role = role
        .parse()
        .map_err(|_| AppError::Validation("Choose a role: admin or viewer.".into()))?;
    let created = team::invitations::invite(
        &state.db,
        state.clock.as_ref(),
        &user.admin,
        &email,
        role,
        state.mail.is_some(),
    )
    .await?;
    session::audit_admin_with(
        &state,
        &user,
        AuditAction::AdminInvite,
        created.invitation.id,
        Some(serde_json::json!({ "email": created.invitation.email, "role": role.as_str() })),
    )
    .await;
    Ok(shown_once(&state, created, &[user.admin]))
}

/// Starts a password reset for a member (owner only): a single-use link, valid for a day, that
/// lets them choose a new password; their sessions end when they use it.
#[server(prefix = "/rpc")]
pub async fn reset_member_password(id: String) -> Result<CreatedInvitation, AppError> {
    use crate::domain::{services::parse_id, services::team, session};
    use crate::types::{AuditAction, Role};

    let (state, user) = session::require_role(Role::Owner).await?;
    let created = team::invitations::reset_password(
        &state.db,
        state.clock.as_ref(),
        &user.admin,
        parse_id(&id)?,
        state.mail.is_some(),
    )
    .await?;
    session::audit_admin_with(
        &state,
        &user,
        AuditAction::AdminPasswordReset,
        created.invitation.id,
        Some(serde_json::json!({ "admin_id": id, "email": created.invitation.email })),
    )
    .await;
    Ok(shown_once(&state, created, &[user.admin]))
}

#[cfg(feature = "ssr")]
fn shown_once(
    state: &crate::domain::AppState,
    created: crate::domain::services::team::invitations::Created,
    members: &[crate::domain::entities::admin_user::Model],
) -> CreatedInvitation {
    use crate::domain::services::team::invitations::invitation_url;

    CreatedInvitation {
        url: invitation_url(&state.settings.public_origin, created.token.expose()),
        emailed: created.emailed,
        info: convert::pending(created.invitation, members),
    }
}

/// Withdraws an open invitation (admins) or password reset (the owner).
#[server(prefix = "/rpc")]
pub async fn revoke_invitation(id: String) -> Result<(), AppError> {
    use crate::domain::entities::invitation::InvitationKind;
    use crate::domain::{services::parse_id, services::team, session};
    use crate::types::{AuditAction, Role};

    let (state, user) = session::require_role(Role::Admin).await?;
    let id = parse_id(&id)?;
    let now = state.clock.now();
    let found = team::invitations::pending(&state.db, now)
        .await?
        .into_iter()
        .find(|i| i.id == id)
        .ok_or(AppError::NotFound)?;
    if found.kind == InvitationKind::Reset && user.role != Role::Owner {
        return Err(AppError::Forbidden);
    }
    team::invitations::revoke(&state.db, state.clock.as_ref(), id).await?;
    session::audit_admin(&state, &user, AuditAction::AdminInviteRevoke, id).await;
    Ok(())
}

/// Gives a member another role, admin or viewer (owner only).
#[server(prefix = "/rpc")]
pub async fn change_member_role(id: String, role: String) -> Result<(), AppError> {
    use crate::domain::{services::parse_id, services::team, session};
    use crate::types::{AuditAction, Role};

    let (state, user) = session::require_role(Role::Owner).await?;
    let role: Role = role
        .parse()
        .map_err(|_| AppError::Validation("Choose a role: admin or viewer.".into()))?;
    let (member, had) = team::change_role(
        &state.db,
        state.clock.as_ref(),
        &user.admin,
        parse_id(&id)?,
        role,
    )
    .await?;
    session::audit_admin_with(
        &state,
        &user,
        AuditAction::AdminRoleChange,
        member.id,
        Some(
            serde_json::json!({ "email": member.email, "from": had.as_str(), "to": role.as_str() }),
        ),
    )
    .await;
    Ok(())
}

/// Removes a member (the owner), or leaves the team (anyone but the owner, with their own id);
/// the member's sessions end at once.
#[server(prefix = "/rpc")]
pub async fn remove_member(id: String) -> Result<(), AppError> {
    use crate::domain::{services::parse_id, services::team, session};
    use crate::types::{AuditAction, Role};

    let (state, user) = session::require_role(Role::Viewer).await?;
    let (removed, ended) = team::remove(&state.db, &user.admin, user.role, parse_id(&id)?).await?;
    session::audit_admin_with(
        &state,
        &user,
        AuditAction::AdminRemove,
        removed.id,
        Some(serde_json::json!({ "email": removed.email, "sessions_ended": ended })),
    )
    .await;
    if removed.id == user.admin.id {
        session::end_session(&session::current_session().await?).await?;
        leptos_axum::redirect("/sign-in");
    }
    Ok(())
}

/// Hands ownership to another member (owner only); the owner becomes an admin.
#[server(prefix = "/rpc")]
pub async fn transfer_ownership(id: String) -> Result<(), AppError> {
    use crate::domain::{services::parse_id, services::team, session};
    use crate::types::{AuditAction, Role};

    let (state, user) = session::require_role(Role::Owner).await?;
    let heir =
        team::transfer_ownership(&state.db, state.clock.as_ref(), &user.admin, parse_id(&id)?)
            .await?;
    session::audit_admin_with(
        &state,
        &user,
        AuditAction::AdminOwnershipTransfer,
        heir.id,
        Some(serde_json::json!({ "email": heir.email })),
    )
    .await;
    Ok(())
}

/// What an invitation or reset link is for; an unusable link is not found.
#[server(prefix = "/rpc")]
pub async fn get_invitation(token: String) -> Result<InvitationView, AppError> {
    use crate::domain::{app_state, services::team};

    let state = app_state()?;
    let found = team::invitations::open(&state.db, &token, state.clock.now()).await?;
    Ok(InvitationView {
        email: found.email,
        role: found.role.parse().map_err(|_| AppError::Internal)?,
        purpose: convert::purpose(found.kind),
        product_name: state.installation.product_name(&state.db).await?,
        expires_at: found.expires_at,
    })
}

/// Uses an invitation or reset link: sets the password, signs the account in and opens the
/// dashboard. The link works once.
#[server(prefix = "/rpc")]
pub async fn accept_invitation(
    token: String,
    password: String,
    password_confirmation: String,
) -> Result<(), AppError> {
    use crate::domain::entities::invitation::InvitationKind;
    use crate::domain::{app_state, services::team, session};
    use crate::types::AuditAction;
    use secrecy::SecretString;

    if password != password_confirmation {
        return Err(AppError::Validation(
            "The two passwords do not match.".into(),
        ));
    }
    let state = app_state()?;
    let (account, used) = team::invitations::accept(
        &state.db,
        &state.passwords,
        state.clock.as_ref(),
        &token,
        SecretString::from(password),
    )
    .await?;
    // A reset leaves two-factor sign-in as it was: the new password is only the first factor.
    let second_factor = account.has_two_factor();
    let current = session::current_session().await?;
    if second_factor {
        session::await_second_factor(&current, &account, state.clock.now()).await?;
    } else {
        session::start_session(&current, &account, state.clock.now()).await?;
    }
    let user = session::Authenticated {
        role: team::role_of(&account)?,
        admin: account,
    };
    let action = match used.kind {
        InvitationKind::Invite => AuditAction::AdminJoin,
        InvitationKind::Reset => AuditAction::AdminPasswordResetDone,
    };
    session::audit_admin_with(
        &state,
        &user,
        action,
        user.admin.id,
        Some(serde_json::json!({ "invitation_id": used.id.to_string() })),
    )
    .await;
    leptos_axum::redirect(if second_factor {
        "/sign-in/two-factor"
    } else {
        "/tenants"
    });
    Ok(())
}
