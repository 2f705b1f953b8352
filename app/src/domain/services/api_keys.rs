//! API keys for the admin's backend: created with scopes, shown once, stored as SHA-256,
//! revocable at once.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, sea_query::Expr,
};
use uuid::Uuid;

use super::one_line;
use crate::domain::clock::Clock;
use crate::domain::crypto::{new_token, token_hash};
use crate::domain::entities::api_key;
use crate::domain::ids::EnvironmentId;
use crate::error::AppError;
use crate::types::{API_SCOPES, ApiKeyInfo, CreatedApiKey};

/// Every key starts with this, so leaked keys are easy to recognise and scan for.
pub const KEY_PREFIX: &str = "alk_";
/// How much of a key is kept in clear to tell keys apart in lists.
const SHOWN_PREFIX_LEN: usize = 12;
/// `last_used_at` is written at most this often per key.
const LAST_USED_GRANULARITY: time::Duration = time::Duration::minutes(1);

/// An authenticated API caller.
#[derive(Debug, Clone)]
pub struct ApiPrincipal {
    /// The key's id.
    pub key_id: Uuid,
    /// The key's name (for logs).
    pub name: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// The environment the key belongs to; it sees nothing of the others.
    pub environment: EnvironmentId,
}

impl ApiPrincipal {
    /// Whether the key carries `scope`.
    pub fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// The scope that reads connections' secrets; only the owner grants it.
pub const CREDENTIALS_READ: &str = "credentials:read";

fn validate_scopes(scopes: &[String]) -> Result<Vec<String>, AppError> {
    let mut out: Vec<String> = Vec::new();
    for scope in scopes {
        let scope = scope.trim();
        if !API_SCOPES.iter().any(|(s, _)| *s == scope) {
            return Err(AppError::Validation(format!(
                "{scope:?} is not a known scope."
            )));
        }
        if !out.iter().any(|s| s == scope) {
            out.push(scope.to_owned());
        }
    }
    if out.is_empty() {
        return Err(AppError::Validation("Choose at least one scope.".into()));
    }
    out.sort_by_key(|s| API_SCOPES.iter().position(|(k, _)| k == s));
    Ok(out)
}

/// Creates a key of `environment`. The key itself is in the result only; the database keeps
/// its hash.
pub async fn create(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    environment: EnvironmentId,
    created_by: Option<Uuid>,
    name: &str,
    scopes: &[String],
) -> Result<CreatedApiKey, AppError> {
    let name = one_line(name, "a name", 120)?;
    let scopes = validate_scopes(scopes)?;
    let key = format!("{KEY_PREFIX}{}", new_token().expose());
    let model = api_key::ActiveModel {
        id: Set(Uuid::now_v7()),
        environment_id: Set(environment.0),
        name: Set(name),
        token_hash: Set(token_hash(&key).to_vec()),
        prefix: Set(key[..SHOWN_PREFIX_LEN].to_owned()),
        scopes: Set(serde_json::to_string(&scopes).map_err(|_| AppError::Internal)?),
        created_by: Set(created_by),
        created_at: Set(clock.now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(CreatedApiKey {
        info: info(&model)?,
        key,
    })
}

/// Every key of `environment`, newest first, revoked ones included.
pub async fn list(
    db: &impl ConnectionTrait,
    environment: EnvironmentId,
) -> Result<Vec<ApiKeyInfo>, AppError> {
    api_key::Entity::find()
        .filter(api_key::Column::EnvironmentId.eq(environment))
        .order_by_desc(api_key::Column::Id)
        .all(db)
        .await?
        .iter()
        .map(info)
        .collect()
}

/// Revokes a key; it stops authenticating at once. Revoking twice is not an error.
pub async fn revoke(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    environment: EnvironmentId,
    id: Uuid,
) -> Result<(), AppError> {
    let key = api_key::Entity::find_by_id(id)
        .filter(api_key::Column::EnvironmentId.eq(environment))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if key.revoked_at.is_none() {
        api_key::Entity::update_many()
            .col_expr(api_key::Column::RevokedAt, Expr::value(clock.now()))
            .filter(api_key::Column::Id.eq(id))
            .filter(api_key::Column::RevokedAt.is_null())
            .exec(db)
            .await?;
    }
    Ok(())
}

/// The caller behind an `Authorization: Bearer` key, or `None` for a missing, malformed,
/// unknown or revoked key — which all get the same answer.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    bearer: &str,
) -> Result<Option<ApiPrincipal>, AppError> {
    if !bearer.starts_with(KEY_PREFIX) || bearer.len() > 100 {
        return Ok(None);
    }
    let Some(key) = api_key::Entity::find()
        .filter(api_key::Column::TokenHash.eq(token_hash(bearer)))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if key.revoked_at.is_some() {
        return Ok(None);
    }
    let now = clock.now();
    if key
        .last_used_at
        .is_none_or(|t| now - t >= LAST_USED_GRANULARITY)
    {
        api_key::Entity::update_many()
            .col_expr(api_key::Column::LastUsedAt, Expr::value(now))
            .filter(api_key::Column::Id.eq(key.id))
            .exec(db)
            .await?;
    }
    Ok(Some(ApiPrincipal {
        key_id: key.id,
        environment: EnvironmentId(key.environment_id),
        scopes: key.scopes()?,
        name: key.name,
    }))
}

/// A key as the Settings page lists it.
pub fn info(model: &api_key::Model) -> Result<ApiKeyInfo, AppError> {
    Ok(ApiKeyInfo {
        id: model.id.to_string(),
        name: model.name.clone(),
        prefix: model.prefix.clone(),
        scopes: model.scopes()?,
        created_at: model.created_at,
        last_used_at: model.last_used_at,
        revoked_at: model.revoked_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_checked_deduplicated_and_ordered() {
        let s = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            validate_scopes(&s(&["credentials:read", "tenants:read", "tenants:read"])),
            Ok(s(&["tenants:read", "credentials:read"]))
        );
        assert!(validate_scopes(&s(&[])).is_err());
        assert!(validate_scopes(&s(&["admin"])).is_err());
    }
}
