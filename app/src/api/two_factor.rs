//! Two-factor sign-in: setting it up and turning it off (Settings), the owner's rule for
//! everyone (Team), and the second step of signing in.

use leptos::prelude::*;

use crate::error::AppError;
use crate::types::{TwoFactorEnrolment, TwoFactorStatus};

/// The signed-in admin's two-factor sign-in.
#[server(prefix = "/rpc")]
pub async fn get_two_factor() -> Result<TwoFactorStatus, AppError> {
    use crate::domain::{services::two_factor, session};

    let (state, user) = session::require_signed_in().await?;
    Ok(TwoFactorStatus {
        enabled_at: user.admin.totp_enabled_at,
        recovery_codes_left: two_factor::unused_recovery_codes(&state.db, user.admin.id).await?,
        required: state
            .installation
            .get(&state.db)
            .await?
            .is_some_and(|i| i.require_two_factor),
    })
}

/// Starts setting up two-factor sign-in: a new secret for the authenticator app, in force only
/// once [`confirm_two_factor`] saw a code of it.
#[server(prefix = "/rpc")]
pub async fn begin_two_factor() -> Result<TwoFactorEnrolment, AppError> {
    use crate::domain::{services::two_factor, session};

    let (state, user) = session::require_signed_in().await?;
    let product = state.installation.product_name(&state.db).await?;
    let enrolment = two_factor::begin(
        &state.db,
        &state.keyring,
        &user.admin,
        &format!("{product} (Authlink)"),
    )
    .await?;
    Ok(TwoFactorEnrolment {
        secret: enrolment.secret,
        uri: enrolment.uri,
        qr_size: enrolment.qr.size,
        qr_path: enrolment.qr.path,
    })
}

/// Turns two-factor sign-in on with a code from the authenticator app; answers the ten
/// recovery codes, shown only now.
#[server(prefix = "/rpc")]
pub async fn confirm_two_factor(code: String) -> Result<Vec<String>, AppError> {
    use crate::domain::{services::two_factor, session};
    use crate::types::AuditAction;

    let (state, user) = session::require_signed_in().await?;
    let codes = two_factor::confirm(
        &state.db,
        &state.keyring,
        state.clock.as_ref(),
        user.admin.id,
        &code,
    )
    .await?;
    session::audit_admin(
        &state,
        &user,
        AuditAction::AdminTwoFactorEnable,
        user.admin.id,
    )
    .await;
    Ok(codes)
}

/// Turns two-factor sign-in off after checking the password.
#[server(prefix = "/rpc")]
pub async fn disable_two_factor(password: String) -> Result<(), AppError> {
    use crate::domain::{services::two_factor, session};
    use crate::types::AuditAction;
    use secrecy::SecretString;

    let (state, user) = session::require_signed_in().await?;
    let client_ip = session::current_client_ip().await;
    two_factor::disable(
        &state.db,
        &state.passwords,
        state.clock.as_ref(),
        &state.settings.throttle,
        &user.admin,
        SecretString::from(password),
        &client_ip,
    )
    .await?;
    session::audit_admin(
        &state,
        &user,
        AuditAction::AdminTwoFactorDisable,
        user.admin.id,
    )
    .await;
    Ok(())
}

/// Requires two-factor sign-in for everyone, or stops requiring it (owner only).
#[server(prefix = "/rpc")]
pub async fn set_two_factor_required(#[server(default)] required: bool) -> Result<(), AppError> {
    use crate::domain::{services::two_factor, session};
    use crate::types::{AuditAction, Role};

    let (state, user) = session::require_role(Role::Owner).await?;
    two_factor::set_required(&state.db, &state.installation, &user.admin, required).await?;
    session::audit_admin_with(
        &state,
        &user,
        AuditAction::AdminTwoFactorRequire,
        "installation",
        Some(serde_json::json!({ "required": required })),
    )
    .await;
    Ok(())
}

/// The second step of signing in: a code from the authenticator app or a recovery code, within
/// five minutes of the password.
#[server(prefix = "/rpc")]
pub async fn verify_sign_in_code(code: String) -> Result<(), AppError> {
    use crate::domain::services::{admin, two_factor};
    use crate::domain::{app_state, session};
    use crate::types::AuditAction;

    let state = app_state()?;
    let current = session::current_session().await?;
    let now = state.clock.now();
    let account = match session::awaiting_second_factor(&current, now).await? {
        Some(id) => admin::find_admin(&state.db, id).await?,
        None => None,
    }
    .filter(|a| a.has_two_factor())
    .ok_or(AppError::Unauthenticated)?;
    let client_ip = session::current_client_ip().await;
    let factor = two_factor::verify(
        &state.db,
        &state.keyring,
        state.clock.as_ref(),
        &state.settings.throttle,
        &account,
        &code,
        &client_ip,
    )
    .await?;
    admin::record_sign_in(&state.db, &account, now).await?;
    session::start_session(&current, &account, now).await?;
    let user = session::Authenticated {
        role: crate::domain::services::team::role_of(&account)?,
        admin: account,
    };
    session::audit_admin_with(
        &state,
        &user,
        AuditAction::AdminSignIn,
        user.admin.id,
        Some(serde_json::json!({ "second_factor": factor.as_str() })),
    )
    .await;
    leptos_axum::redirect("/tenants");
    Ok(())
}

/// Replaces the signed-in admin's recovery codes after checking the password; answers the new
/// ones, shown only now.
#[server(prefix = "/rpc")]
pub async fn new_recovery_codes(password: String) -> Result<Vec<String>, AppError> {
    use crate::domain::{services::two_factor, session};
    use crate::types::AuditAction;
    use secrecy::SecretString;

    let (state, user) = session::require_signed_in().await?;
    let client_ip = session::current_client_ip().await;
    let codes = two_factor::new_recovery_codes(
        &state.db,
        &state.passwords,
        state.clock.as_ref(),
        &state.settings.throttle,
        &user.admin,
        SecretString::from(password),
        &client_ip,
    )
    .await?;
    session::audit_admin(
        &state,
        &user,
        AuditAction::AdminRecoveryCodesReplace,
        user.admin.id,
    )
    .await;
    Ok(codes)
}

/// Turns off a member's two-factor sign-in (owner only), for a lost phone; their sessions end.
#[server(prefix = "/rpc")]
pub async fn reset_member_two_factor(id: String) -> Result<(), AppError> {
    use crate::domain::{services::parse_id, services::two_factor, session};
    use crate::types::{AuditAction, Role};

    let (state, user) = session::require_role(Role::Owner).await?;
    let (member, ended) =
        two_factor::reset_for_member(&state.db, &user.admin, parse_id(&id)?).await?;
    session::audit_admin_with(
        &state,
        &user,
        AuditAction::AdminTwoFactorReset,
        member.id,
        Some(serde_json::json!({ "email": member.email, "sessions_ended": ended })),
    )
    .await;
    Ok(())
}
