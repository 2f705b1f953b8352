//! Environments: `production`, created with the installation, and the ones the owner adds
//! (`development`, `staging`, …). Tenants, connectors, webhook endpoints, callback origins and
//! API keys belong to one each; every scoped service takes the [`EnvironmentId`] it works in.

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait,
    FromQueryResult, QueryFilter, QueryOrder, QuerySelect, TransactionSession, TransactionTrait,
};
use uuid::Uuid;

use super::{is_unique_violation, one_line};
use crate::domain::clock::Clock;
use crate::domain::entities::{
    admin_user, api_key, callback_origin, connector, environment, event, tenant, webhook_endpoint,
};
use crate::domain::ids::EnvironmentId;
use crate::error::AppError;
use crate::types::{ENVIRONMENT_NAME_MAX_CHARS, EnvironmentChoice, EnvironmentInfo};

/// The production environment.
pub async fn production(db: &impl ConnectionTrait) -> Result<environment::Model, AppError> {
    // Created by the migration and never deleted.
    find_production(db).await?.ok_or(AppError::Internal)
}

/// The production environment, if the schema has it (for callers that speak `DbErr`).
pub(crate) async fn find_production(
    db: &impl ConnectionTrait,
) -> Result<Option<environment::Model>, sea_orm::DbErr> {
    environment::Entity::find()
        .filter(environment::Column::IsProduction.eq(true))
        .one(db)
        .await
}

/// One environment.
pub async fn get(
    db: &impl ConnectionTrait,
    id: EnvironmentId,
) -> Result<environment::Model, AppError> {
    environment::Entity::find_by_id(id.0)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// The environment the dashboard shows `admin`: the one they last switched to, else production.
pub async fn current(
    db: &impl ConnectionTrait,
    admin: &admin_user::Model,
) -> Result<environment::Model, AppError> {
    if let Some(id) = admin.environment_id
        && let Some(found) = environment::Entity::find_by_id(id).one(db).await?
    {
        return Ok(found);
    }
    production(db).await
}

/// Remembers that `admin_id` now looks at environment `id`.
pub async fn switch(
    db: &impl ConnectionTrait,
    admin_id: Uuid,
    id: EnvironmentId,
) -> Result<environment::Model, AppError> {
    let found = get(db, id).await?;
    admin_user::Entity::update_many()
        .col_expr(admin_user::Column::EnvironmentId, Expr::value(found.id))
        .filter(admin_user::Column::Id.eq(admin_id))
        .exec(db)
        .await?;
    Ok(found)
}

/// All environments with what they hold, production first, then by name.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<EnvironmentInfo>, AppError> {
    let all = environment::Entity::find()
        .order_by_desc(environment::Column::IsProduction)
        .order_by_asc(environment::Column::Name)
        .all(db)
        .await?;
    let tenants = counts::<tenant::Entity, _>(db, tenant::Column::EnvironmentId).await?;
    let connectors = counts::<connector::Entity, _>(db, connector::Column::EnvironmentId).await?;
    Ok(all
        .into_iter()
        .map(|e| EnvironmentInfo {
            id: e.id.to_string(),
            tenants: tenants.get(&e.id).copied().unwrap_or(0),
            connectors: connectors.get(&e.id).copied().unwrap_or(0),
            name: e.name,
            is_production: e.is_production,
        })
        .collect())
}

/// The row counts of entity `E` per environment.
async fn counts<E, C>(db: &impl ConnectionTrait, column: C) -> Result<HashMap<Uuid, u64>, AppError>
where
    E: EntityTrait,
    C: ColumnTrait,
{
    #[derive(FromQueryResult)]
    struct Count {
        environment_id: Uuid,
        n: i64,
    }
    let rows = E::find()
        .select_only()
        .column_as(column, "environment_id")
        .column_as(Expr::col(column).count(), "n")
        .group_by(column)
        .into_model::<Count>()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|c| (c.environment_id, u64::try_from(c.n).unwrap_or(0)))
        .collect())
}

/// A valid environment name: lower-case letters, digits and hyphens, starting with a letter.
fn validate_name(name: &str) -> Result<String, AppError> {
    let name = one_line(name, "a name", ENVIRONMENT_NAME_MAX_CHARS)?.to_lowercase();
    if !name.starts_with(|c: char| c.is_ascii_lowercase())
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(AppError::Validation(
            "A name starts with a letter and has only letters, digits and hyphens, e.g. staging."
                .into(),
        ));
    }
    Ok(name)
}

fn taken(name: &str) -> AppError {
    AppError::Conflict(format!("An environment named {name:?} already exists."))
}

/// Adds an environment.
pub async fn create(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    name: &str,
) -> Result<environment::Model, AppError> {
    let name = validate_name(name)?;
    environment::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.clone()),
        is_production: Set(false),
        created_at: Set(clock.now()),
    }
    .insert(db)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            taken(&name)
        } else {
            e.into()
        }
    })
}

/// Renames an environment (production too: it stays the production environment); returns the
/// name it had and the renamed row.
pub async fn rename(
    db: &impl ConnectionTrait,
    id: EnvironmentId,
    name: &str,
) -> Result<(String, environment::Model), AppError> {
    let name = validate_name(name)?;
    let before = get(db, id).await?;
    let old_name = before.name.clone();
    let mut row: environment::ActiveModel = before.into();
    row.name = Set(name.clone());
    let renamed = row.update(db).await.map_err(|e| match e {
        sea_orm::DbErr::RecordNotUpdated => AppError::NotFound,
        e if is_unique_violation(&e) => taken(&name),
        e => e.into(),
    })?;
    Ok((old_name, renamed))
}

/// Deletes an environment that holds no tenants, connectors, webhook endpoints or live API keys;
/// its callback origins, revoked keys and past events go with it, in one transaction. Production
/// cannot be deleted.
pub async fn delete<C>(db: &C, id: EnvironmentId) -> Result<environment::Model, AppError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = db.begin().await?;
    let found = get(&txn, id).await?;
    if found.is_production {
        return Err(AppError::Conflict(
            "The production environment cannot be deleted.".into(),
        ));
    }
    let holds = any::<tenant::Entity>(&txn, tenant::Column::EnvironmentId.eq(id)).await?
        || any::<connector::Entity>(&txn, connector::Column::EnvironmentId.eq(id)).await?
        || any::<webhook_endpoint::Entity>(&txn, webhook_endpoint::Column::EnvironmentId.eq(id))
            .await?
        || any::<api_key::Entity>(
            &txn,
            api_key::Column::EnvironmentId
                .eq(id)
                .and(api_key::Column::RevokedAt.is_null()),
        )
        .await?;
    if holds {
        return Err(AppError::Conflict(format!(
            "The environment {:?} still holds tenants, connectors, webhook endpoints or API keys; delete them first.",
            found.name
        )));
    }
    event::Entity::delete_many()
        .filter(event::Column::EnvironmentId.eq(id))
        .exec(&txn)
        .await?;
    api_key::Entity::delete_many()
        .filter(api_key::Column::EnvironmentId.eq(id))
        .exec(&txn)
        .await?;
    callback_origin::Entity::delete_many()
        .filter(callback_origin::Column::EnvironmentId.eq(id))
        .exec(&txn)
        .await?;
    environment::Entity::delete_by_id(id.0).exec(&txn).await?;
    txn.commit().await?;
    Ok(found)
}

/// Whether any row of `E` matches `condition`.
async fn any<E: EntityTrait>(
    db: &impl ConnectionTrait,
    condition: sea_orm::sea_query::SimpleExpr,
) -> Result<bool, AppError> {
    Ok(E::find().filter(condition).one(db).await?.is_some())
}

/// The environment `admin` looks at (as [`current`]), among all of them.
pub async fn choice(
    db: &impl ConnectionTrait,
    admin: &admin_user::Model,
) -> Result<EnvironmentChoice, AppError> {
    let all = list(db).await?;
    let chosen = admin.environment_id.map(|id| id.to_string());
    let current = all
        .iter()
        .find(|e| chosen.as_ref() == Some(&e.id))
        .or_else(|| all.iter().find(|e| e.is_production))
        .cloned()
        .ok_or(AppError::Internal)?;
    Ok(EnvironmentChoice { current, all })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_short_lower_case_words() {
        assert_eq!(validate_name(" Staging ").ok().as_deref(), Some("staging"));
        assert_eq!(validate_name("eu-2").ok().as_deref(), Some("eu-2"));
        for bad in ["", "2fast", "dev env", "dév", "-x", &"x".repeat(33)] {
            assert!(validate_name(bad).is_err(), "{bad:?}");
        }
    }
}
