//! Connectors: a catalog provider plus the admin's client credentials and options.

use std::collections::HashMap;

use sea_orm::ExprTrait;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionSession, TransactionTrait,
};
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

use super::{is_unique_violation, one_line};
use crate::domain::catalog::{Provider, RequestSpec, catalog};
use crate::domain::clock::Clock;
use crate::domain::crypto::{Aad, Keyring};
use crate::domain::entities::{connection, connector};
use crate::error::AppError;
use crate::types::{AuthMode, ConnectorInfo, ConnectorOptions, FieldInfo, ProviderInfo, limits};

/// What the admin submits for a connector.
#[derive(Debug, Clone, Default)]
pub struct ConnectorInput {
    /// Catalog provider id (fixed after creation).
    pub provider: String,
    /// Display name.
    pub name: String,
    /// Unique key; derived from the name when empty.
    pub key: String,
    /// OAuth client id.
    pub client_id: String,
    /// OAuth client secret; empty keeps the stored one.
    pub client_secret: SecretString,
    /// Scopes, separated by spaces or commas; empty means the catalog's defaults.
    pub scopes: String,
    /// Options (URLs of generic templates, extra parameters).
    pub options: ConnectorOptions,
}

/// The catalog's providers as the UI shows them.
pub fn providers() -> Vec<ProviderInfo> {
    catalog().providers().iter().map(provider_info).collect()
}

/// One provider as the UI shows it.
pub fn provider_info(p: &Provider) -> ProviderInfo {
    ProviderInfo {
        id: p.id.clone(),
        name: p.name.clone(),
        category: p.category.clone(),
        auth: p.auth,
        generic: p.generic,
        default_scopes: p
            .oauth2
            .as_ref()
            .map(|o| o.scopes.clone())
            .unwrap_or_default(),
        fields: p.fields.iter().map(field_info).collect(),
        docs: p.docs.clone(),
    }
}

/// A catalog field as the UI shows it.
pub fn field_info(f: &crate::domain::catalog::FieldSpec) -> FieldInfo {
    FieldInfo {
        name: f.name.clone(),
        label: f.label.clone(),
        help: f.help.clone(),
        kind: f.kind,
        secret: f.secret,
        default: f.default.clone(),
    }
}

const SECRET_AAD: (&str, &str) = ("connectors", "client_secret");

fn secret_aad(id: &str) -> Aad<'_> {
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
    let mut provider = catalog()
        .get(&model.provider)
        .cloned()
        .ok_or_else(|| {
            tracing::error!(provider = %model.provider, "connector refers to a provider no longer in the catalog");
            AppError::Internal
        })?;
    let options: ConnectorOptions = model.options()?;
    let scopes: Vec<String> = model.scopes()?;
    if let Some(o) = provider.oauth2.as_mut() {
        if provider.generic {
            o.authorization_url = options.authorization_url.clone().unwrap_or_default();
            o.token_url = options.token_url.clone().unwrap_or_default();
            o.revocation_url = options.revocation_url.clone();
            if options.token_auth_basic {
                o.token_auth = crate::domain::catalog::TokenAuth::Basic;
            }
        }
        for (k, v) in &options.authorization_params {
            o.authorization_params.insert(k.clone(), v.clone());
        }
    }
    if provider.generic {
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
                    method: "GET".into(),
                    url: String::new(),
                    headers: [(name, format!("{prefix}{{api_key}}"))].into(),
                    basic: None,
                    expect_status: 200,
                    pointer: Vec::new(),
                }
            }
            AuthMode::Basic => RequestSpec {
                method: "GET".into(),
                url: String::new(),
                headers: Default::default(),
                basic: Some(["{username}".into(), "{password}".into()]),
                expect_status: 200,
                pointer: Vec::new(),
            },
            _ => RequestSpec {
                method: "GET".into(),
                url: String::new(),
                headers: Default::default(),
                basic: None,
                expect_status: 200,
                pointer: Vec::new(),
            },
        };
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

/// A connector by id.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<Resolved, AppError> {
    let model = connector::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    resolve(model)
}

/// Every connector, by name, with how many tenants are connected through each.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<ConnectorInfo>, AppError> {
    #[derive(FromQueryResult)]
    struct Count {
        connector_id: Uuid,
        n: i64,
    }
    let counts: HashMap<Uuid, u64> = connection::Entity::find()
        .select_only()
        .column(connection::Column::ConnectorId)
        .column_as(Expr::col(connection::Column::Id).count(), "n")
        .group_by(connection::Column::ConnectorId)
        .into_model::<Count>()
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.connector_id, u64::try_from(c.n).unwrap_or(0)))
        .collect();
    let rows = connector::Entity::find()
        .order_by_asc(connector::Column::Name)
        .all(db)
        .await?;
    rows.into_iter()
        .map(|m| {
            let n = counts.get(&m.id).copied().unwrap_or(0);
            Ok(info(resolve(m)?, n))
        })
        .collect()
}

/// One connector as the UI shows it, with its provider.
pub async fn describe(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<(ConnectorInfo, ProviderInfo), AppError> {
    let resolved = get(db, id).await?;
    let connections = connection::Entity::find()
        .filter(connection::Column::ConnectorId.eq(id))
        .count(db)
        .await?;
    let provider = catalog()
        .get(&resolved.model.provider)
        .map(provider_info)
        .ok_or(AppError::Internal)?;
    Ok((info(resolved, connections), provider))
}

/// A connector as the UI shows it (never the secret).
pub fn info(r: Resolved, connection_count: u64) -> ConnectorInfo {
    ConnectorInfo {
        id: r.model.id.to_string(),
        key: r.model.key,
        name: r.model.name,
        provider_id: r.provider.id,
        provider_name: r.provider.name,
        auth: r.provider.auth,
        enabled: r.model.enabled,
        client_id: r.model.client_id,
        has_client_secret: r.model.client_secret.is_some(),
        scopes: r.scopes,
        options: r.options,
        connection_count,
    }
}

/// The key derived from a name: lower-case letters, digits and dashes.
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(64).collect()
}

fn validate_key(key: &str) -> Result<String, AppError> {
    let ok = !key.is_empty()
        && key.len() <= 64
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && !key.starts_with('-');
    if ok {
        Ok(key.to_owned())
    } else {
        Err(AppError::Validation(
            "The key uses lower-case letters, digits, - and _ (at most 64).".into(),
        ))
    }
}

fn parse_scopes(text: &str) -> Result<Vec<String>, AppError> {
    let scopes: Vec<String> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if scopes.len() > 100 {
        return Err(AppError::Validation("At most 100 scopes.".into()));
    }
    // RFC 6749 §3.3: scope tokens are printable ASCII without space, `"` or `\`.
    if scopes.iter().any(|s| {
        s.len() > 200
            || !s
                .bytes()
                .all(|b| (0x21..=0x7e).contains(&b) && b != b'"' && b != b'\\')
    }) {
        return Err(AppError::Validation(
            "A scope is printable ASCII without quotes or backslashes.".into(),
        ));
    }
    Ok(scopes)
}

/// Checks a URL an admin typed for a generic template: https, or http to a loopback host for
/// development.
pub fn validate_endpoint(text: &str, what: &str) -> Result<String, AppError> {
    let bad = || AppError::Validation(format!("Enter the {what} as an https:// URL."));
    let url = url::Url::parse(text.trim()).map_err(|_| bad())?;
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    let ok = match url.scheme() {
        "https" => true,
        "http" => loopback,
        _ => false,
    };
    if !ok || url.host_str().is_none() || !url.username().is_empty() || url.password().is_some() {
        return Err(bad());
    }
    Ok(url.to_string())
}

fn validate_options(
    provider: &Provider,
    mut options: ConnectorOptions,
) -> Result<ConnectorOptions, AppError> {
    let optional = |v: Option<String>, what: &str| -> Result<Option<String>, AppError> {
        match v.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => validate_endpoint(text, what).map(Some),
        }
    };
    options.authorization_url = optional(options.authorization_url, "authorization URL")?;
    options.token_url = optional(options.token_url, "token URL")?;
    options.revocation_url = optional(options.revocation_url, "revocation URL")?;
    options.verify_url = optional(options.verify_url, "verification URL")?;
    options.identity_url = optional(options.identity_url, "identity URL")?;
    if provider.generic
        && provider.auth == AuthMode::OAuth2
        && (options.authorization_url.is_none() || options.token_url.is_none())
    {
        return Err(AppError::Validation(
            "A generic OAuth2 connector needs its authorization URL and token URL.".into(),
        ));
    }
    if let Some(p) = options.identity_pointer.as_deref().map(str::trim) {
        options.identity_pointer = match p {
            "" => None,
            p if p.starts_with('/') && p.len() <= 200 => Some(p.to_owned()),
            _ => {
                return Err(AppError::Validation(
                    "The identity pointer is a JSON pointer such as /email.".into(),
                ));
            }
        };
    }
    if let Some(h) = options.header_name.as_deref().map(str::trim) {
        options.header_name = match h {
            "" => None,
            h if h.len() <= 100 && h.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') => {
                Some(h.to_owned())
            }
            _ => {
                return Err(AppError::Validation(
                    "The header name is letters, digits and -.".into(),
                ));
            }
        };
    }
    if let Some(prefix) = &options.header_prefix
        && (prefix.len() > 100 || prefix.chars().any(char::is_control))
    {
        return Err(AppError::Validation(
            "The header prefix is too long or has control characters.".into(),
        ));
    }
    if options.authorization_params.len() > 20
        || options.authorization_params.iter().any(|(k, v)| {
            k.is_empty()
                || k.len() > 100
                || v.len() > 500
                || k.chars().chain(v.chars()).any(char::is_control)
        })
    {
        return Err(AppError::Validation(
            "Check the extra authorization parameters.".into(),
        ));
    }
    const RESERVED: [&str; 7] = [
        "client_id",
        "redirect_uri",
        "state",
        "code_challenge",
        "code_challenge_method",
        "response_type",
        "scope",
    ];
    if options
        .authorization_params
        .iter()
        .any(|(k, _)| RESERVED.contains(&k.as_str()))
    {
        return Err(AppError::Validation(
            "Extra parameters cannot replace client_id, redirect_uri, state, PKCE, response_type or scope.".into(),
        ));
    }
    Ok(options)
}

/// Creates a connector.
pub async fn create<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    keyring: &Keyring,
    clock: &dyn Clock,
    input: ConnectorInput,
) -> Result<Resolved, AppError> {
    let provider = catalog()
        .get(input.provider.trim())
        .ok_or_else(|| AppError::Validation("Choose a provider from the catalog.".into()))?
        .clone();
    let id = Uuid::now_v7();
    let now = clock.now();
    let mut row = connector::ActiveModel {
        id: Set(id),
        provider: Set(provider.id.clone()),
        enabled: Set(true),
        created_at: Set(now),
        ..Default::default()
    };
    apply(&mut row, &provider, keyring, &id, input, now, true)?;
    let model = row.insert(db).await.map_err(key_conflict)?;
    resolve(model)
}

/// Changes a connector's name, key, credentials, scopes and options.
pub async fn update<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    keyring: &Keyring,
    clock: &dyn Clock,
    id: Uuid,
    input: ConnectorInput,
) -> Result<Resolved, AppError> {
    let existing = get(db, id).await?;
    let mut row: connector::ActiveModel = existing.model.clone().into();
    let needs_secret = existing.model.client_secret.is_none();
    apply(
        &mut row,
        &existing.provider,
        keyring,
        &id,
        input,
        clock.now(),
        needs_secret,
    )?;
    let model = row.update(db).await.map_err(key_conflict)?;
    resolve(model)
}

fn key_conflict(e: sea_orm::DbErr) -> AppError {
    if is_unique_violation(&e) {
        AppError::Conflict("Another connector already uses this key.".into())
    } else {
        e.into()
    }
}

fn apply(
    row: &mut connector::ActiveModel,
    provider: &Provider,
    keyring: &Keyring,
    id: &Uuid,
    input: ConnectorInput,
    now: time::OffsetDateTime,
    secret_required_if_oauth: bool,
) -> Result<(), AppError> {
    let name = one_line(&input.name, "a name", limits::CONNECTOR_NAME_MAX_CHARS)?;
    let key = match input.key.trim() {
        "" => slugify(&name),
        key => key.to_owned(),
    };
    let key = validate_key(&key)?;
    let scopes = parse_scopes(&input.scopes)?;
    let options = validate_options(provider, input.options)?;
    if provider.auth == AuthMode::OAuth2 {
        let client_id = one_line(&input.client_id, "the OAuth client ID", 512)?;
        row.client_id = Set(Some(client_id));
        let secret = input.client_secret.expose_secret().trim();
        if !secret.is_empty() {
            if secret.len() > 2048 {
                return Err(AppError::Validation(
                    "The client secret is too long.".into(),
                ));
            }
            let sealed = keyring
                .seal(secret.as_bytes(), secret_aad(&id.to_string()))
                .map_err(|_| AppError::Internal)?;
            row.client_secret = Set(Some(sealed));
        } else if secret_required_if_oauth {
            return Err(AppError::Validation(
                "Enter the OAuth client secret.".into(),
            ));
        }
    } else {
        row.client_id = Set(None);
        row.client_secret = Set(None);
    }
    row.name = Set(name);
    row.key = Set(key);
    row.scopes = Set(serde_json::to_string(&scopes).map_err(|_| AppError::Internal)?);
    row.options = Set(serde_json::to_string(&options).map_err(|_| AppError::Internal)?);
    row.updated_at = Set(now);
    Ok(())
}

/// Offers or withdraws a connector. Existing connections are kept.
pub async fn set_enabled(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    id: Uuid,
    enabled: bool,
) -> Result<(), AppError> {
    let result = connector::Entity::update_many()
        .col_expr(connector::Column::Enabled, Expr::value(enabled))
        .col_expr(connector::Column::UpdatedAt, Expr::value(clock.now()))
        .filter(connector::Column::Id.eq(id))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Deletes a connector. While tenants are connected through it, `delete_connections` must be set;
/// then their connections, links and flows go with it, in one transaction.
pub async fn delete<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    id: Uuid,
    delete_connections: bool,
) -> Result<u64, AppError> {
    let txn = db.begin().await?;
    let connections = connection::Entity::find()
        .filter(connection::Column::ConnectorId.eq(id))
        .count(&txn)
        .await?;
    if connections > 0 && !delete_connections {
        return Err(AppError::Conflict(format!(
            "{connections} tenant(s) are connected through this connector. Confirm to delete their connections too."
        )));
    }
    let result = connector::Entity::delete_by_id(id).exec(&txn).await?;
    if result.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    txn.commit().await?;
    Ok(connections)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_derived_from_names() {
        assert_eq!(slugify("Salesforce (prod app)"), "salesforce-prod-app");
        assert_eq!(slugify("  ??? "), "");
        assert!(validate_key("").is_err());
        assert!(validate_key("Has Caps").is_err());
        assert!(validate_key("ok_key-1").is_ok());
    }

    #[test]
    fn scopes_are_split_and_checked() {
        assert_eq!(
            parse_scopes("repo, read:user  openid").expect("valid"),
            vec!["repo", "read:user", "openid"]
        );
        assert!(parse_scopes("bad\"scope").is_err());
    }

    #[test]
    fn endpoints_must_be_https_or_loopback_http() {
        assert!(validate_endpoint("https://idp.example.com/authorize", "x").is_ok());
        assert!(validate_endpoint("http://localhost:8080/authorize", "x").is_ok());
        assert!(validate_endpoint("http://127.0.0.1:8080/token", "x").is_ok());
        for bad in [
            "http://idp.example.com/authorize",
            "javascript:alert(1)",
            "https://user:pw@idp.example.com/",
            "not a url",
        ] {
            assert!(validate_endpoint(bad, "x").is_err(), "{bad}");
        }
    }
}
