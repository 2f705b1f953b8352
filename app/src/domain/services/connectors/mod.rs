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

mod resolved;
mod validate;

pub use resolved::{Resolved, provider_for, resolve};
pub use validate::{slugify, validate_endpoint};

use resolved::secret_aad;
use validate::{parse_scopes, validate_key, validate_options};

use super::{is_unique_violation, one_line};
use crate::domain::catalog::{Provider, catalog};
use crate::domain::clock::Clock;
use crate::domain::crypto::Keyring;
use crate::domain::entities::{connection, connector};
use crate::domain::ids::EnvironmentId;
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
        options: f
            .options
            .iter()
            .map(|o| crate::types::FieldChoice {
                value: o.value.clone(),
                label: o.label.clone(),
            })
            .collect(),
    }
}

/// A connector by id, whatever its environment: for work that reached it through a row of its
/// own environment already (workers, the end user's flow). Callers on behalf of an admin or an
/// API key use [`get`].
pub async fn by_id(db: &impl ConnectionTrait, id: Uuid) -> Result<Resolved, AppError> {
    let model = connector::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    resolve(model)
}

/// A connector of `environment` by id; one of another environment is not found.
pub async fn get(
    db: &impl ConnectionTrait,
    environment: EnvironmentId,
    id: Uuid,
) -> Result<Resolved, AppError> {
    let model = connector::Entity::find_by_id(id)
        .filter(connector::Column::EnvironmentId.eq(environment))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    resolve(model)
}

/// A connector of `environment` by id, or by key when `key` is not a UUID.
pub async fn find_by_key(
    db: &impl ConnectionTrait,
    environment: EnvironmentId,
    key: &str,
) -> Result<Resolved, AppError> {
    if let Ok(id) = Uuid::parse_str(key) {
        return get(db, environment, id).await;
    }
    // No stored key looks otherwise; PostgreSQL would refuse some of these bytes (NUL) outright.
    if validate_key(key).is_err() {
        return Err(AppError::NotFound);
    }
    let model = connector::Entity::find()
        .filter(connector::Column::EnvironmentId.eq(environment))
        .filter(connector::Column::Key.eq(key))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    resolve(model)
}

/// Every connector's key by id in `environment`; connectors are few, so one query serves a
/// whole page.
pub async fn keys(
    db: &impl ConnectionTrait,
    environment: EnvironmentId,
) -> Result<HashMap<Uuid, String>, AppError> {
    Ok(connector::Entity::find()
        .filter(connector::Column::EnvironmentId.eq(environment))
        .select_only()
        .column(connector::Column::Id)
        .column(connector::Column::Key)
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// The connectors with these ids resolved against the catalog, by id (for describing a page of
/// connections at once).
pub async fn resolved_by_id(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Resolved>, AppError> {
    connector::Entity::find()
        .filter(connector::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|model| Ok((model.id, resolve(model)?)))
        .collect()
}

/// Every connector of `environment`, by name, with how many tenants are connected through each.
pub async fn list(
    db: &impl ConnectionTrait,
    environment: EnvironmentId,
) -> Result<Vec<ConnectorInfo>, AppError> {
    #[derive(FromQueryResult)]
    struct Count {
        connector_id: Uuid,
        n: i64,
    }
    let counts: HashMap<Uuid, u64> = connection::Entity::find()
        .select_only()
        .column(connection::Column::ConnectorId)
        .column_as(Expr::col(connection::Column::Id).count(), "n")
        .filter(connection::Column::TenantId.in_subquery(super::tenants::ids_in(environment)))
        .group_by(connection::Column::ConnectorId)
        .into_model::<Count>()
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.connector_id, u64::try_from(c.n).unwrap_or(0)))
        .collect();
    let rows = connector::Entity::find()
        .filter(connector::Column::EnvironmentId.eq(environment))
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
    environment: EnvironmentId,
    id: Uuid,
) -> Result<(ConnectorInfo, ProviderInfo), AppError> {
    let resolved = get(db, environment, id).await?;
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

/// Creates a connector in `environment`.
pub async fn create<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    keyring: &Keyring,
    clock: &dyn Clock,
    environment: EnvironmentId,
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
        environment_id: Set(environment.0),
        provider: Set(provider.id.clone()),
        enabled: Set(true),
        created_at: Set(now),
        ..Default::default()
    };
    apply(&mut row, &provider, keyring, &id, input, now, true)?;
    let model = row.insert(db).await.map_err(key_conflict)?;
    resolve(model)
}

/// Who changes a connector. Its endpoint URLs decide where every tenant's refresh token and
/// the client secret are sent, so once it has connections only the owner may change them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changer {
    /// The installation's owner, in the dashboard.
    Owner,
    /// Another admin, in the dashboard.
    Admin,
    /// The admin's backend, with an API key.
    ApiKey,
}

/// An endpoint URL a change replaced, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EndpointChange {
    /// The option, e.g. `token_url`.
    pub field: &'static str,
    /// Before.
    pub old: Option<String>,
    /// After.
    pub new: Option<String>,
}

fn endpoint_changes(old: &ConnectorOptions, new: &ConnectorOptions) -> Vec<EndpointChange> {
    let urls = |o: &ConnectorOptions| {
        [
            ("authorization_url", o.authorization_url.clone()),
            ("token_url", o.token_url.clone()),
            ("revocation_url", o.revocation_url.clone()),
            ("verify_url", o.verify_url.clone()),
            ("identity_url", o.identity_url.clone()),
        ]
    };
    urls(old)
        .into_iter()
        .zip(urls(new))
        .filter(|((_, old), (_, new))| old != new)
        .map(|((field, old), (_, new))| EndpointChange { field, old, new })
        .collect()
}

/// Changes a connector's name, key, credentials, scopes and options, and returns the endpoint
/// URLs that changed. On a connector with connections, a change of endpoint URLs needs the
/// owner (`Forbidden` for anyone else) and the client secret entered again with it.
pub async fn update<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    keyring: &Keyring,
    clock: &dyn Clock,
    environment: EnvironmentId,
    id: Uuid,
    input: ConnectorInput,
    changer: Changer,
) -> Result<(Resolved, Vec<EndpointChange>), AppError> {
    let existing = get(db, environment, id).await?;
    let mut row: connector::ActiveModel = existing.model.clone().into();
    let needs_secret = existing.model.client_secret.is_none();
    let secret_given = !input.client_secret.expose_secret().trim().is_empty();
    apply(
        &mut row,
        &existing.provider,
        keyring,
        &id,
        input,
        clock.now(),
        needs_secret,
    )?;
    let new_options: ConnectorOptions = match &row.options {
        sea_orm::ActiveValue::Set(json) | sea_orm::ActiveValue::Unchanged(json) => {
            serde_json::from_str(json).map_err(|_| AppError::Internal)?
        }
        sea_orm::ActiveValue::NotSet => existing.options.clone(),
    };
    let changes = endpoint_changes(&existing.options, &new_options);
    if !changes.is_empty() {
        let connected = connection::Entity::find()
            .filter(connection::Column::ConnectorId.eq(id))
            .count(db)
            .await?;
        if connected > 0 {
            if changer != Changer::Owner {
                return Err(AppError::Forbidden);
            }
            if !secret_given {
                return Err(AppError::Validation(
                    "Tenants are connected through this connector: enter the client secret again to change its endpoint URLs.".into(),
                ));
            }
        }
    }
    let model = row.update(db).await.map_err(key_conflict)?;
    Ok((resolve(model)?, changes))
}

fn key_conflict(e: sea_orm::DbErr) -> AppError {
    if is_unique_violation(&e) {
        AppError::Conflict("Another connector of this environment already uses this key.".into())
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
    environment: EnvironmentId,
    id: Uuid,
    enabled: bool,
) -> Result<(), AppError> {
    let result = connector::Entity::update_many()
        .col_expr(connector::Column::Enabled, Expr::value(enabled))
        .col_expr(connector::Column::UpdatedAt, Expr::value(clock.now()))
        .filter(connector::Column::Id.eq(id))
        .filter(connector::Column::EnvironmentId.eq(environment))
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
    environment: EnvironmentId,
    id: Uuid,
    delete_connections: bool,
) -> Result<u64, AppError> {
    let txn = db.begin().await?;
    get(&txn, environment, id).await?;
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
