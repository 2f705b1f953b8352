//! What a connection stores, encrypted: the credentials, sealed bound to their row.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::AppState;
use crate::domain::crypto::{Aad, Keyring};
use crate::domain::entities::connection;
use crate::error::AppError;

/// What is stored, encrypted, for a connection.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Credentials {
    /// OAuth2 tokens.
    #[serde(rename = "oauth2")]
    OAuth2 {
        /// Access token.
        access_token: String,
        /// Refresh token, when issued.
        refresh_token: Option<String>,
        /// Token type, usually `bearer`.
        token_type: String,
        /// Access-token expiry.
        #[serde(with = "time::serde::rfc3339::option")]
        expires_at: Option<OffsetDateTime>,
        /// Granted scopes.
        scopes: Vec<String>,
        /// Placeholder values the flow used (e.g. subdomain).
        values: BTreeMap<String, String>,
        /// Any further fields of the token response.
        raw: serde_json::Map<String, serde_json::Value>,
    },
    /// Field values (API key, username and password, …).
    Fields {
        /// Values by catalog field name.
        values: BTreeMap<String, String>,
    },
}

impl Credentials {
    /// Whether a refresh token is held, so the worker can keep the access token fresh.
    pub fn refreshable(&self) -> bool {
        matches!(
            self,
            Credentials::OAuth2 {
                refresh_token: Some(_),
                ..
            }
        )
    }
}

/// The associated data of a connection's credentials: the ciphertext opens only in its own row.
fn aad(row_id: &str) -> Aad<'_> {
    Aad {
        table: "connections",
        column: "credentials",
        row_id,
    }
}

/// Encrypts credentials for the connection row `id`.
pub fn seal(keyring: &Keyring, id: Uuid, credentials: &Credentials) -> Result<Vec<u8>, AppError> {
    let plaintext =
        zeroize::Zeroizing::new(serde_json::to_vec(credentials).map_err(|_| AppError::Internal)?);
    keyring.seal(&plaintext, aad(&id.to_string())).map_err(|e| {
        tracing::error!(connection_id = %id, error = %e, "credentials cannot be encrypted");
        AppError::Internal
    })
}

/// Reads and decrypts a connection's credentials.
pub fn open_credentials(
    state: &AppState,
    model: &connection::Model,
) -> Result<Credentials, AppError> {
    let plain = state
        .keyring
        .open(&model.credentials, aad(&model.id.to_string()))
        .map_err(|e| {
            tracing::error!(connection_id = %model.id, error = %e, "credentials cannot be decrypted");
            AppError::Internal
        })?;
    serde_json::from_slice(&plain).map_err(|_| AppError::Internal)
}
