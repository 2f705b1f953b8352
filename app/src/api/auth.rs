//! Owner setup, sign-in, sign-out and the current user.

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use secrecy::SecretString;

use crate::error::AppError;
use crate::types::CurrentUser as CurrentUserDto;

/// Creates the owner account while none exists, signs it in and opens the dashboard.
#[server(prefix = "/rpc")]
pub async fn setup_owner(
    email: String,
    password: String,
    password_confirmation: String,
    product_name: String,
) -> Result<(), AppError> {
    use crate::domain::{app_state, services::admin, session};

    if password != password_confirmation {
        return Err(AppError::Validation(
            "The two passwords do not match.".into(),
        ));
    }
    let state = app_state()?;
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

/// Signs in with e-mail and password.
#[server(prefix = "/rpc")]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    use crate::domain::{app_state, services::admin, session};

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
    session::start_session(
        &session::current_session().await?,
        &account,
        state.clock.now(),
    )
    .await?;
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
