//! Tenants: create, edit, delete, look up; the searchable list is [`listing`].

use std::collections::HashMap;

use sea_orm::ExprTrait;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult,
    QueryFilter, QuerySelect,
};
use uuid::Uuid;

mod listing;

pub(crate) use listing::{Cursor, decode, encode};
pub use listing::{TenantQuery, cursor_after, cursor_is_valid, list, row};

use super::{is_unique_violation, one_line};
use crate::domain::clock::Clock;
use crate::domain::entities::connection::ConnectionState;
use crate::domain::entities::{connection, tenant};
use crate::domain::ids::EnvironmentId;
use crate::error::AppError;
use crate::types::limits;

/// What the admin types for a tenant.
#[derive(Debug, Clone)]
pub struct TenantInput {
    /// Display name.
    pub name: String,
    /// The admin's own id for the customer.
    pub external_id: String,
}

fn validate(input: &TenantInput) -> Result<(String, String), AppError> {
    let name = one_line(&input.name, "a name", limits::TENANT_NAME_MAX_CHARS)?;
    let external_id = one_line(
        &input.external_id,
        "an external ID",
        limits::EXTERNAL_ID_MAX_CHARS,
    )?;
    if external_id.chars().any(char::is_whitespace) {
        return Err(AppError::Validation(
            "An external ID cannot contain spaces.".into(),
        ));
    }
    Ok((name, external_id))
}

fn duplicate(external_id: &str) -> AppError {
    AppError::Conflict(format!(
        "A tenant with the external ID {external_id:?} already exists."
    ))
}

/// Creates a tenant in `environment`.
pub async fn create(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    environment: EnvironmentId,
    input: &TenantInput,
) -> Result<tenant::Model, AppError> {
    let (name, external_id) = validate(input)?;
    let now = clock.now();
    tenant::ActiveModel {
        id: Set(Uuid::now_v7()),
        environment_id: Set(environment.0),
        name_key: Set(name.to_lowercase()),
        name: Set(name),
        external_id: Set(external_id.clone()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            duplicate(&external_id)
        } else {
            e.into()
        }
    })
}

/// Changes a tenant's name and external id.
pub async fn update(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    environment: EnvironmentId,
    id: Uuid,
    input: &TenantInput,
) -> Result<tenant::Model, AppError> {
    let (name, external_id) = validate(input)?;
    let existing = get(db, environment, id).await?;
    let mut row: tenant::ActiveModel = existing.into();
    row.name_key = Set(name.to_lowercase());
    row.name = Set(name);
    row.external_id = Set(external_id.clone());
    row.updated_at = Set(clock.now());
    row.update(db).await.map_err(|e| match e {
        // Deleted between the read and the write.
        sea_orm::DbErr::RecordNotUpdated => AppError::NotFound,
        e if is_unique_violation(&e) => duplicate(&external_id),
        e => e.into(),
    })
}

/// Deletes a tenant with its connections, links and flows (foreign keys cascade).
pub async fn delete(
    db: &impl ConnectionTrait,
    environment: EnvironmentId,
    id: Uuid,
) -> Result<(), AppError> {
    let result = tenant::Entity::delete_many()
        .filter(tenant::Column::Id.eq(id))
        .filter(tenant::Column::EnvironmentId.eq(environment))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// One tenant of `environment`; a tenant of another environment is not found.
pub async fn get(
    db: &impl ConnectionTrait,
    environment: EnvironmentId,
    id: Uuid,
) -> Result<tenant::Model, AppError> {
    tenant::Entity::find_by_id(id)
        .filter(tenant::Column::EnvironmentId.eq(environment))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// The tenant of `environment` with this external id, if any.
pub async fn find_by_external_id(
    db: &impl ConnectionTrait,
    environment: EnvironmentId,
    external_id: &str,
) -> Result<Option<tenant::Model>, AppError> {
    Ok(tenant::Entity::find()
        .filter(tenant::Column::EnvironmentId.eq(environment))
        .filter(tenant::Column::ExternalId.eq(external_id))
        .one(db)
        .await?)
}

/// A tenant of `environment` by id, or by external id when `key` is not a UUID.
pub async fn find_by_key(
    db: &impl ConnectionTrait,
    environment: EnvironmentId,
    key: &str,
) -> Result<tenant::Model, AppError> {
    if let Ok(id) = Uuid::parse_str(key) {
        return get(db, environment, id).await;
    }
    find_by_external_id(db, environment, key)
        .await?
        .ok_or(AppError::NotFound)
}

/// The ids of `environment`'s tenants, as a subquery for filtering the rows that belong to an
/// environment through their tenant (links, connections, exchange codes).
pub fn ids_in(environment: EnvironmentId) -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column(tenant::Column::Id)
        .from(tenant::Entity)
        .and_where(tenant::Column::EnvironmentId.eq(environment))
        .to_owned()
}

/// The external ids of these tenants.
pub async fn external_ids(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, String>, AppError> {
    Ok(tenant::Entity::find()
        .select_only()
        .column(tenant::Column::Id)
        .column(tenant::Column::ExternalId)
        .filter(tenant::Column::Id.is_in(ids.iter().copied()))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// How many of a tenant's connections are live.
pub async fn connected_counts(
    db: &impl ConnectionTrait,
    tenant_ids: &[Uuid],
) -> Result<HashMap<Uuid, u64>, AppError> {
    #[derive(FromQueryResult)]
    struct Count {
        tenant_id: Uuid,
        n: i64,
    }
    if tenant_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let counts = connection::Entity::find()
        .select_only()
        .column(connection::Column::TenantId)
        .column_as(Expr::col(connection::Column::Id).count(), "n")
        .filter(connection::Column::TenantId.is_in(tenant_ids.iter().copied()))
        .filter(connection::Column::Status.eq(ConnectionState::Connected))
        .group_by(connection::Column::TenantId)
        .into_model::<Count>()
        .all(db)
        .await?;
    Ok(counts
        .into_iter()
        .map(|c| (c.tenant_id, u64::try_from(c.n).unwrap_or(0)))
        .collect())
}

/// Creates the tenant with this external id, or renames the existing one; `true` when created.
/// Safe to call concurrently: a lost insert race turns into an update.
pub async fn upsert_by_external_id(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    environment: EnvironmentId,
    input: &TenantInput,
) -> Result<(tenant::Model, bool), AppError> {
    let (name, external_id) = validate(input)?;
    // Each round loses at most one race: the tenant deleted after it was read (update it → create
    // it), or created by someone else after it was found missing (create it → update it).
    for _ in 0..3 {
        if let Some(existing) = find_by_external_id(db, environment, &external_id).await? {
            if existing.name == name {
                return Ok((existing, false));
            }
            let mut row: tenant::ActiveModel = existing.into();
            row.name_key = Set(name.to_lowercase());
            row.name = Set(name.clone());
            row.updated_at = Set(clock.now());
            match row.update(db).await {
                Ok(model) => return Ok((model, false)),
                Err(sea_orm::DbErr::RecordNotUpdated) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        match create(db, clock, environment, input).await {
            Ok(model) => return Ok((model, true)),
            Err(AppError::Conflict(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(AppError::Conflict(
        "The tenant was changed by another request at the same time; try again.".into(),
    ))
}

/// Creates `count` tenants named "Tenant 000001"… in batches, for trying and measuring the list.
/// External ids are `{prefix}-{n}`; returns how many were created.
pub async fn seed(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    environment: EnvironmentId,
    prefix: &str,
    count: u64,
) -> Result<u64, AppError> {
    const BATCH: u64 = 500;
    let now = clock.now();
    let mut created = 0;
    while created < count {
        let batch = std::cmp::min(BATCH, count - created);
        let models = (created..created + batch).map(|i| {
            let name = format!("Tenant {:06}", i + 1);
            tenant::ActiveModel {
                id: Set(Uuid::now_v7()),
                environment_id: Set(environment.0),
                name_key: Set(name.to_lowercase()),
                name: Set(name),
                external_id: Set(format!("{prefix}-{}", i + 1)),
                created_at: Set(now),
                updated_at: Set(now),
            }
        });
        tenant::Entity::insert_many(models).exec(db).await.map_err(|e| {
            if is_unique_violation(&e) {
                AppError::Conflict(format!(
                    "Tenants with external IDs starting {prefix:?} already exist; choose another prefix."
                ))
            } else {
                e.into()
            }
        })?;
        created += batch;
    }
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_input_is_validated() {
        let ok = TenantInput {
            name: "  Acme Inc ".into(),
            external_id: "cus_123".into(),
        };
        assert_eq!(
            validate(&ok).expect("valid"),
            ("Acme Inc".into(), "cus_123".into())
        );
        for (name, ext) in [("", "x"), ("A", ""), ("A", "has space"), ("A\u{7}", "x")] {
            let input = TenantInput {
                name: name.into(),
                external_id: ext.into(),
            };
            assert!(matches!(validate(&input), Err(AppError::Validation(_))));
        }
        let long = TenantInput {
            name: "x".repeat(limits::TENANT_NAME_MAX_CHARS + 1),
            external_id: "x".into(),
        };
        assert!(validate(&long).is_err());
    }
}
