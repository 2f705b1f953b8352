//! Refreshes a caller asks for: when the admin's backend saw the provider reject an access token
//! before its expiry, or wants the credentials checked with the provider before using them.

use uuid::Uuid;

use super::refresh::{Need, ensure_fresh, usable};
use super::{Credentials, CredentialsError, by_id, open_credentials};
use crate::domain::AppState;
use crate::domain::entities::connection;
use crate::domain::services::connectors;
use crate::domain::services::outbound::{self, OutboundError};

/// Refreshes the access token now. Callers at the same time share one refresh: the token they
/// all hold is replaced once. Without a refresh token there is nothing to do but reconnect.
pub async fn force_refresh(
    state: &AppState,
    id: Uuid,
) -> Result<(connection::Model, Credentials), CredentialsError> {
    let model = usable(by_id(&state.db, id).await?)?;
    match open_credentials(state, &model)? {
        Credentials::OAuth2 {
            access_token,
            refresh_token: Some(_),
            ..
        } => {
            ensure_fresh(
                state,
                id,
                Need::Replace {
                    rejected: access_token,
                },
            )
            .await
        }
        _ => Err(CredentialsError::NotRefreshable),
    }
}

/// The credentials (refreshed first when they expire soon), checked with the provider by the
/// entry's verify request (else its identity request): when the provider answers 401 the token
/// is refreshed and the fresh credentials returned. Other answers return the credentials as
/// they are — the check is about early-dying tokens, not about the provider being up.
pub async fn checked_credentials(
    state: &AppState,
    id: Uuid,
) -> Result<(connection::Model, Credentials), CredentialsError> {
    let (model, credentials) = super::fresh_credentials(state, id).await?;
    let Credentials::OAuth2 {
        access_token,
        values,
        refresh_token: Some(_),
        ..
    } = &credentials
    else {
        return Ok((model, credentials));
    };
    let connector = connectors::by_id(&state.db, model.connector_id).await?;
    let provider = &connector.provider;
    let Some(check) = provider.verify.as_ref().or(provider.identity.as_ref()) else {
        return Ok((model, credentials));
    };
    let config = model.config().map_err(|_| CredentialsError::Internal)?;
    let lookup = outbound::template_values(access_token, values, &config);
    let answer = outbound::send(
        &state.http,
        check,
        &lookup,
        Some(access_token),
        provider.verify.as_ref(),
    )
    .await;
    drop(lookup);
    if answer != Err(OutboundError::Status(401)) {
        return Ok((model, credentials));
    }
    tracing::info!(connection_id = %model.id, "the provider rejected the access token early");
    let rejected = access_token.clone();
    ensure_fresh(state, id, Need::Replace { rejected }).await
}
