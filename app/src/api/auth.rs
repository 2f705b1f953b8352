//! Owner setup, sign-in, sign-out and the current user.

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use secrecy::SecretString;

use crate::error::AppError;
use crate::types::CurrentUser as CurrentUserDto;

/// Creates the owner account while none exists, signs it in and opens the dashboard. A server
/// reachable from other machines asks for the setup code it printed in its log.
#[server(prefix = "/rpc")]
pub async fn setup_owner(
    email: String,
    password: String,
    password_confirmation: String,
    product_name: String,
    setup_code: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::{app_state, services::admin, services::setup_code, session};

    if password != password_confirmation {
        return Err(AppError::Validation(
            "The two passwords do not match.".into(),
        ));
    }
    let state = app_state()?;
    if admin::is_setup_complete(&state.db).await? {
        return Err(admin::setup_already_done());
    }
    setup_code::check(
        &state.keyring,
        state.settings.setup_code_required,
        setup_code.as_deref(),
    )?;
    let owner = admin::setup_owner(
        &state.db,
        &state.passwords,
        state.clock.as_ref(),
        &email,
        SecretString::from(password),
        &product_name,
    )
    .await?;
    session::start_session(
        &session::current_session().await?,
        &owner,
        state.clock.now(),
    )
    .await?;
    leptos_axum::redirect("/tenants");
    Ok(())
}

/// Whether owner setup asks for the setup code (the server is reachable from other machines).
#[server(prefix = "/rpc")]
pub async fn setup_needs_code() -> Result<bool, AppError> {
    let state = crate::domain::app_state()?;
    Ok(state.settings.setup_code_required)
}

/// What the sign-in page offers: single sign-on, and whether passwords are for the owner only.
#[server(prefix = "/rpc")]
pub async fn sign_in_options() -> Result<crate::types::SignInOptions, AppError> {
    let state = crate::domain::app_state()?;
    Ok(crate::types::SignInOptions {
        sso_label: state.settings.sso.as_ref().map(|s| s.label.clone()),
        password_owner_only: state.settings.password_sign_in_owner_only,
    })
}

/// Signs in with e-mail and password.
#[server(prefix = "/rpc")]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    use crate::domain::{app_state, services::admin, session};
    use crate::types::Role;

    let state = app_state()?;
    let client_ip = session::current_client_ip().await;
    let account = admin::authenticate(
        &state.db,
        &state.passwords,
        state.clock.as_ref(),
        &state.settings.throttle,
        &email,
        SecretString::from(password),
        &client_ip,
    )
    .await?;
    if state.settings.password_sign_in_owner_only && account.role != Role::Owner.as_str() {
        let label = state
            .settings
            .sso
            .as_ref()
            .map_or("single sign-on", |sso| sso.label.as_str());
        return Err(AppError::Validation(format!(
            "Password sign-in is only for the owner here: sign in with {label}."
        )));
    }
    if account.has_two_factor() {
        session::await_second_factor(
            &session::current_session().await?,
            &account,
            state.clock.now(),
        )
        .await?;
        leptos_axum::redirect("/sign-in/two-factor");
        return Ok(());
    }
    session::start_session(
        &session::current_session().await?,
        &account,
        state.clock.now(),
    )
    .await?;
    let account = admin::record_sign_in(&state.db, &account, state.clock.now()).await?;
    tracing::info!(admin_id = %account.id, "signed in");
    {
        use crate::domain::services::audit::{Actor, Entry, record_logged};
        let actor = Actor::Admin {
            id: account.id,
            email: account.email.clone(),
        };
        let entry = Entry {
            actor: &actor,
            action: crate::types::AuditAction::AdminSignIn,
            target_id: Some(account.id.to_string()),
            ip: Some(&client_ip),
            details: None,
        };
        record_logged(&state.db, state.clock.now(), entry).await;
    }
    leptos_axum::redirect("/tenants");
    Ok(())
}

/// Changes the signed-in admin's password after checking the current one; every other session
/// of the account ends, this one stays signed in.
#[server(prefix = "/rpc")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    new_password_confirmation: String,
) -> Result<(), AppError> {
    use crate::domain::services::admin::{self, PasswordChange};
    use crate::domain::session::{self, require_role};
    use crate::types::{AuditAction, Role};

    let (state, user) = require_role(Role::Viewer).await?;
    if new_password != new_password_confirmation {
        return Err(AppError::Validation(
            "The two new passwords do not match.".into(),
        ));
    }
    let client_ip = session::current_client_ip().await;
    let current = session::current_session().await?;
    let ended = admin::change_password(
        &state.db,
        &state.passwords,
        state.clock.as_ref(),
        &state.settings.throttle,
        PasswordChange {
            admin: &user.admin,
            current: SecretString::from(current_password),
            new: SecretString::from(new_password),
            client_ip: &client_ip,
        },
        session::stored_id(&current).as_deref(),
    )
    .await?;
    session::audit_admin_with(
        &state,
        &user,
        AuditAction::AdminPasswordChange,
        user.admin.id,
        Some(serde_json::json!({ "sessions_ended": ended })),
    )
    .await;
    Ok(())
}

/// Signs out and returns to the sign-in page.
#[server(prefix = "/rpc")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::domain::session;

    session::end_session(&session::current_session().await?).await?;
    leptos_axum::redirect("/sign-in");
    Ok(())
}

/// The signed-in user, or `None`.
#[server(prefix = "/rpc")]
pub async fn get_current_user() -> Result<Option<CurrentUserDto>, AppError> {
    use crate::domain::{app_state, session};

    let state = app_state()?;
    let Some(user) = session::current_admin(&state).await? else {
        return Ok(None);
    };
    let product_name = state
        .installation
        .get(&state.db)
        .await?
        .map(|i| i.product_name)
        .unwrap_or_default();
    Ok(Some(CurrentUserDto {
        email: user.admin.email,
        role: user.role,
        product_name,
    }))
}
