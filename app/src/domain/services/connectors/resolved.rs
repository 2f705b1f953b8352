//! A connector resolved against the catalog: the provider as this connector uses it, with a
//! generic template's endpoints and requests filled in from the connector's options.

use secrecy::SecretString;

use crate::domain::catalog::{ApiSpec, OAuth2Spec, Provider, RequestSpec, TokenAuth, catalog};
use crate::domain::crypto::{Aad, Keyring};
use crate::domain::entities::connector;
use crate::error::AppError;
use crate::types::{AuthMode, ConnectorOptions, FieldInfo};

use super::field_info;

const SECRET_AAD: (&str, &str) = ("connectors", "client_secret");

pub(super) fn secret_aad(id: &str) -> Aad<'_> {
    Aad {
        table: SECRET_AAD.0,
        column: SECRET_AAD.1,
        row_id: id,
    }
}

/// A connector with its provider resolved: the catalog entry with the generic template's URLs
/// filled in from the connector's options.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The row.
    pub model: connector::Model,
    /// The provider, as this connector uses it.
    pub provider: Provider,
    /// Scopes to request.
    pub scopes: Vec<String>,
    /// Options.
    pub options: ConnectorOptions,
}

impl Resolved {
    /// The decrypted client secret.
    pub fn client_secret(&self, keyring: &Keyring) -> Result<Option<SecretString>, AppError> {
        let Some(sealed) = &self.model.client_secret else {
            return Ok(None);
        };
        let id = self.model.id.to_string();
        let plain = keyring.open(sealed, secret_aad(&id)).map_err(|e| {
            tracing::error!(connector_id = %id, error = %e, "client secret cannot be decrypted");
            AppError::Internal
        })?;
        let text = String::from_utf8(plain.to_vec()).map_err(|_| AppError::Internal)?;
        Ok(Some(SecretString::from(text)))
    }

    /// Fields the admin may preset on a link (non-secret ones).
    pub fn preset_fields(&self) -> Vec<FieldInfo> {
        self.provider
            .fields
            .iter()
            .filter(|f| !f.secret)
            .map(field_info)
            .collect()
    }
}

/// Resolves a connector row against the catalog.
pub fn resolve(model: connector::Model) -> Result<Resolved, AppError> {
    let entry = catalog().get(&model.provider).ok_or_else(|| {
        tracing::error!(provider = %model.provider, "connector refers to a provider no longer in the catalog");
        AppError::Internal
    })?;
    let options: ConnectorOptions = model.options()?;
    let scopes: Vec<String> = model.scopes()?;
    let provider = provider_for(entry, &options);
    let scopes = if scopes.is_empty() {
        provider
            .oauth2
            .as_ref()
            .map(|o| o.scopes.clone())
            .unwrap_or_default()
    } else {
        scopes
    };
    Ok(Resolved {
        model,
        provider,
        scopes,
        options,
    })
}

/// The catalog entry as a connector with these options uses it: a generic template's endpoints,
/// requests and API from the options, the admin's extra authorization parameters, and a bearer
/// token for an OAuth2 API that names no other credentials.
pub fn provider_for(entry: &Provider, options: &ConnectorOptions) -> Provider {
    let mut provider = entry.clone();
    if let Some(o) = provider.oauth2.as_mut() {
        apply_oauth_options(o, provider.generic, options);
    }
    if provider.generic {
        apply_generic_requests(&mut provider, options);
    }
    apply_default_bearer(&mut provider);
    provider
}

/// A generic OAuth2 template takes its endpoints from the options; every OAuth2 connector adds
/// the admin's extra authorization parameters.
fn apply_oauth_options(o: &mut OAuth2Spec, generic: bool, options: &ConnectorOptions) {
    if generic {
        o.authorization_url = options.authorization_url.clone().unwrap_or_default();
        o.token_url = options.token_url.clone().unwrap_or_default();
        o.revocation_url = options.revocation_url.clone();
        if options.token_auth_basic {
            o.token_auth = TokenAuth::Basic;
        }
    }
    for (k, v) in &options.authorization_params {
        o.authorization_params.insert(k.clone(), v.clone());
    }
}

/// An OAuth2 provider whose API section says nothing of credentials takes a bearer token.
fn apply_default_bearer(provider: &mut Provider) {
    if provider.auth != AuthMode::OAuth2 {
        return;
    }
    let api = provider.api.get_or_insert_with(ApiSpec::default);
    if !api.applies_credentials() {
        api.headers
            .insert("Authorization".into(), "Bearer {access_token}".into());
    }
}

/// A generic template's verification and identity requests and its API, authenticated as its
/// mode says.
fn apply_generic_requests(provider: &mut Provider, options: &ConnectorOptions) {
    let plain = RequestSpec {
        method: "GET".into(),
        url: String::new(),
        headers: Default::default(),
        basic: None,
        expect_status: vec![200],
        body: None,
        pointer: Vec::new(),
    };
    let auth = match provider.auth {
        AuthMode::ApiKey => {
            let name = options
                .header_name
                .clone()
                .unwrap_or_else(|| "Authorization".into());
            let prefix = options
                .header_prefix
                .clone()
                .unwrap_or_else(|| "Bearer ".into());
            RequestSpec {
                headers: [(name, format!("{prefix}{{api_key}}"))].into(),
                ..plain
            }
        }
        AuthMode::Basic => RequestSpec {
            basic: Some(["{username}".into(), "{password}".into()]),
            ..plain
        },
        _ => plain,
    };
    // The API is called the way verification is, at no base URL the template knows.
    provider.api = Some(ApiSpec {
        base_url: String::new(),
        headers: auth.headers.clone(),
        query: Default::default(),
        basic: auth.basic.clone(),
    });
    provider.verify = options.verify_url.clone().map(|url| RequestSpec {
        url,
        ..auth.clone()
    });
    provider.identity = options.identity_url.clone().map(|url| RequestSpec {
        url,
        pointer: vec![
            options
                .identity_pointer
                .clone()
                .unwrap_or_else(|| "/email".into()),
        ],
        ..auth
    });
}
