//! Generate Customer Link and revoking links.

// `generate_link`'s arguments are the fields of the popup's request (those of the REST API's
// link creation); the server macro turns them into functions on both sides.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use server_fn::codec::Json;

use crate::error::AppError;
use crate::types::GeneratedLink;

/// Generates a connect link for one tenant and one connector. The URL is returned once.
#[server(prefix = "/rpc", input = Json)]
pub async fn generate_link(
    tenant_id: String,
    connector_id: String,
    expires_in_minutes: i64,
    single_use: bool,
    note: String,
    presets: Vec<(String, String)>,
    /// A reconnect may land on another provider account than the pinned one, replacing it.
    #[server(default)]
    allow_account_change: bool,
    /// Regenerate: the tenant's earlier live links for this connector are revoked.
    #[server(default)]
    revoke_earlier: bool,
    /// Also e-mail the link to this address (empty: do not).
    #[server(default)]
    email_to: String,
    /// The e-mail's language (a tag of [`crate::i18n::Locale`]; empty: English).
    #[server(default)]
    email_locale: String,
    /// The admin's own words in the e-mail.
    #[server(default)]
    email_message: String,
) -> Result<GeneratedLink, AppError> {
    use crate::domain::ids::{ConnectorId, TenantId};
    use crate::domain::{services::links, services::parse_id, session::require_role_in};
    use crate::i18n::Locale;
    use crate::types::Role;

    let (state, user, environment) = require_role_in(Role::Admin).await?;
    if presets.len() > 50 {
        return Err(AppError::Validation("Too many preset values.".into()));
    }
    let email = match email_to.trim() {
        "" => None,
        to => {
            let locale = match email_locale.trim() {
                "" => Locale::En,
                tag => Locale::from_tag(tag).ok_or_else(|| {
                    AppError::Validation(format!("{tag:?} is not a language links are sent in."))
                })?,
            };
            Some(links::EmailRequest::checked(
                to,
                locale,
                Some(&email_message),
            )?)
        }
    };
    let options = links::LinkOptions {
        // A lifetime too long to represent is simply out of range.
        expires_in: expires_in_minutes
            .checked_mul(60)
            .map_or(time::Duration::MAX, time::Duration::seconds),
        single_use,
        note,
        presets: presets.into_iter().collect(),
        allow_account_change,
        revoke_earlier,
        end_user_locale: email.as_ref().map(|e| e.locale),
        email,
        ..links::LinkOptions::default()
    };
    let (link, generated) = links::create(
        &state,
        environment,
        Some(user.admin.id),
        TenantId(parse_id(&tenant_id)?),
        ConnectorId(parse_id(&connector_id)?),
        &options,
    )
    .await?;
    tracing::info!(link_id = %link.id, admin_id = %user.admin.id, "connect link generated");
    crate::domain::session::audit_admin(
        &state,
        &user,
        crate::types::AuditAction::LinkCreate,
        link.id,
    )
    .await;
    Ok(generated)
}

/// Revokes a link; it stops working at once.
#[server(prefix = "/rpc")]
pub async fn revoke_link(id: String) -> Result<(), AppError> {
    use crate::domain::{services::links, services::parse_id, session::require_role_in};
    use crate::types::Role;

    let (state, user, environment) = require_role_in(Role::Admin).await?;
    let id = parse_id(&id)?;
    links::revoke(&state.db, state.clock.as_ref(), environment, id).await?;
    tracing::info!(link_id = %id, admin_id = %user.admin.id, "connect link revoked");
    crate::domain::session::audit_admin(&state, &user, crate::types::AuditAction::LinkRevoke, id)
        .await;
    Ok(())
}
