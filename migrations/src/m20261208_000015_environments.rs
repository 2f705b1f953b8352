//! Environments: separate data sets (production, development, …) in one installation.
//!
//! Tenants, connectors, webhook endpoints, callback origins, API keys and events each belong to
//! one environment; links, connections and exchange codes belong to theirs through the tenant.
//! Existing rows move to `production`, which this migration creates. Tenant external ids,
//! connector keys and callback origins become unique per environment instead of everywhere, so
//! that `development` can hold a copy of `production`'s set-up under the same names.
//!
//! SQLite cannot drop a column's `UNIQUE`; there those three tables are rebuilt, the way SQLite
//! documents it (foreign keys off, on one connection, in one transaction; see [`sqlite_up`]). It
//! also cannot add a `NOT NULL` column that references another table, so there `environment_id`
//! stays nullable and every insert sets it; PostgreSQL gets `NOT NULL`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::prelude::{TimeDateTimeWithTimeZone, Uuid};
use sea_orm_migration::sea_orm::sqlx::{self, SqliteConnection};
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseExecutor};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Environments {
    Table,
    Id,
    Name,
    IsProduction,
    CreatedAt,
}

/// The tables whose rows belong to an environment of their own.
const OWNED: [&str; 6] = [
    "tenants",
    "connectors",
    "webhook_endpoints",
    "callback_origins",
    "api_keys",
    "events",
];

/// `(table, column, index)`: what was unique everywhere and becomes unique per environment.
const UNIQUE_PER_ENVIRONMENT: [(&str, &str, &str); 3] = [
    (
        "tenants",
        "external_id",
        "idx_tenants_environment_external_id",
    ),
    ("connectors", "key", "idx_connectors_environment_key"),
    (
        "callback_origins",
        "origin",
        "idx_callback_origins_environment_origin",
    ),
];

/// Every row of the table gets the production environment.
const TO_PRODUCTION: &str = "(SELECT \"id\" FROM \"environments\" WHERE \"is_production\" = TRUE)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Repeatable: on SQLite the rest runs in a transaction of its own, which a failure
        // rolls back, leaving these two for the next try.
        manager
            .create_table(
                Table::create()
                    .table(Environments::Table)
                    .if_not_exists()
                    .col(uuid(Environments::Id).primary_key())
                    .col(string_len(Environments::Name, 32).unique_key())
                    .col(boolean(Environments::IsProduction))
                    .col(timestamp_with_time_zone(Environments::CreatedAt))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let has_production = db
            .query_one(
                &Query::select()
                    .column(Environments::Id)
                    .from(Environments::Table)
                    .and_where(Expr::col(Environments::IsProduction).eq(true))
                    .to_owned(),
            )
            .await?
            .is_some();
        if !has_production {
            manager
                .exec_stmt(
                    Query::insert()
                        .into_table(Environments::Table)
                        .columns([
                            Environments::Id,
                            Environments::Name,
                            Environments::IsProduction,
                            Environments::CreatedAt,
                        ])
                        .values_panic([
                            Uuid::now_v7().into(),
                            "production".into(),
                            true.into(),
                            TimeDateTimeWithTimeZone::now_utc().into(),
                        ])
                        .to_owned(),
                )
                .await?;
        }
        match manager.get_database_backend() {
            sea_orm_migration::sea_orm::DbBackend::Postgres => postgres_up(db).await,
            _ => match db {
                DatabaseExecutor::Connection(pool) => {
                    let mut connection = pool
                        .get_sqlite_connection_pool()
                        .acquire()
                        .await
                        .map_err(sql_error)?;
                    sqlite_up(&mut connection).await
                }
                _ => Err(DbErr::Migration(
                    "the SQLite environments migration runs outside a transaction".into(),
                )),
            },
        }
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // Going back would have to merge environments whose names collide; not offered.
        Err(DbErr::Migration(
            "environments cannot be rolled back; restore a backup instead".into(),
        ))
    }
}

/// The indexes of the new layout, as statements.
fn new_indexes() -> Vec<IndexCreateStatement> {
    let mut out: Vec<IndexCreateStatement> = UNIQUE_PER_ENVIRONMENT
        .iter()
        .map(|(table, column, index)| {
            Index::create()
                .name(*index)
                .table(Alias::new(*table))
                .col(Alias::new("environment_id"))
                .col(Alias::new(*column))
                .unique()
                .to_owned()
        })
        .collect();
    // The Tenants list pages by keyset within one environment.
    out.push(
        Index::create()
            .name("idx_tenants_environment_name_key_id")
            .table(Alias::new("tenants"))
            .col(Alias::new("environment_id"))
            .col(Alias::new("name_key"))
            .col(Alias::new("id"))
            .to_owned(),
    );
    out.push(
        Index::create()
            .name("idx_tenants_environment_id_id")
            .table(Alias::new("tenants"))
            .col(Alias::new("environment_id"))
            .col(Alias::new("id"))
            .to_owned(),
    );
    out
}

/// The statements that add `environment_id` where it belongs and fill it with production, of
/// the backend's `uuid` type; `not_null` makes it required (PostgreSQL only, see the module).
fn environment_columns(uuid: &str, not_null: bool) -> Vec<String> {
    let mut out = Vec::new();
    for table in OWNED {
        out.push(format!(
            r#"ALTER TABLE "{table}" ADD COLUMN "environment_id" {uuid} REFERENCES "environments" ("id")"#
        ));
        out.push(format!(
            r#"UPDATE "{table}" SET "environment_id" = {TO_PRODUCTION}"#
        ));
        if not_null {
            out.push(format!(
                r#"ALTER TABLE "{table}" ALTER COLUMN "environment_id" SET NOT NULL"#
            ));
        }
    }
    // The environment an admin last switched to; none means production.
    out.push(format!(
        r#"ALTER TABLE "admin_users" ADD COLUMN "environment_id" {uuid} REFERENCES "environments" ("id") ON DELETE SET NULL"#
    ));
    out
}

async fn postgres_up(db: &DatabaseExecutor<'_>) -> Result<(), DbErr> {
    for (table, column, _) in UNIQUE_PER_ENVIRONMENT {
        db.execute_unprepared(&format!(
            r#"ALTER TABLE "{table}" DROP CONSTRAINT "{table}_{column}_key""#
        ))
        .await?;
    }
    for statement in environment_columns("uuid", true) {
        db.execute_unprepared(&statement).await?;
    }
    for index in new_indexes() {
        db.execute_unprepared(&index.to_string(PostgresQueryBuilder))
            .await?;
    }
    Ok(())
}

fn sql_error(e: sqlx::Error) -> DbErr {
    DbErr::Migration(e.to_string())
}

async fn run(connection: &mut SqliteConnection, sql: &str) -> Result<(), DbErr> {
    // Statements built here from our own table and column names, never from input.
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut *connection)
        .await
        .map(|_| ())
        .map_err(sql_error)
}

/// SQLite: on one connection with foreign keys off (SQLite ignores that switch inside a
/// transaction, and would otherwise cascade the drop of a rebuilt table into its children), all
/// in one transaction, checked with `foreign_key_check` before it commits.
async fn sqlite_up(connection: &mut SqliteConnection) -> Result<(), DbErr> {
    run(connection, "PRAGMA foreign_keys = OFF").await?;
    run(connection, "BEGIN").await?;
    let done = sqlite_steps(connection).await;
    let finished = match done {
        Ok(()) => run(connection, "COMMIT").await,
        Err(e) => {
            let _ = run(connection, "ROLLBACK").await;
            Err(e)
        }
    };
    // Back to how the pool hands out connections, whatever happened.
    run(connection, "PRAGMA foreign_keys = ON").await?;
    finished
}

async fn sqlite_steps(connection: &mut SqliteConnection) -> Result<(), DbErr> {
    for (table, column, _) in UNIQUE_PER_ENVIRONMENT {
        rebuild_without_unique(connection, table, column).await?;
    }
    for statement in environment_columns("uuid_text", false) {
        run(connection, &statement).await?;
    }
    for index in new_indexes() {
        run(connection, &index.to_string(SqliteQueryBuilder)).await?;
    }
    let broken = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&mut *connection)
        .await
        .map_err(sql_error)?;
    if !broken.is_empty() {
        return Err(DbErr::Migration(format!(
            "{} rows would point at nothing after the rebuild",
            broken.len()
        )));
    }
    Ok(())
}

/// Rebuilds SQLite table `table` with `column` no longer `UNIQUE`, keeping its rows and indexes:
/// the new table is created beside it, filled, and renamed over it once the old one is dropped.
/// Other tables' foreign keys name `table`, so they point at the new one.
async fn rebuild_without_unique(
    connection: &mut SqliteConnection,
    table: &str,
    column: &str,
) -> Result<(), DbErr> {
    let create = schema_sql(connection, "table", table).await?;
    let create = create
        .first()
        .ok_or_else(|| DbErr::Migration(format!("table {table} not found")))?;
    let marker = format!("\"{column}\" ");
    let start = create
        .find(&marker)
        .ok_or_else(|| DbErr::Migration(format!("column {table}.{column} not found")))?;
    let end = definition_end(create, start);
    let definition = &create[start..end];
    if !definition.contains(" UNIQUE") {
        return Err(DbErr::Migration(format!(
            "{table}.{column} is not declared UNIQUE: {definition}"
        )));
    }
    let new = format!("{table}__environments");
    let quoted = format!("\"{table}\"");
    let head = &create[..start];
    if !head.contains(&quoted) {
        return Err(DbErr::Migration(format!(
            "unexpected definition of {table}: {create}"
        )));
    }
    let new_create = format!(
        "{}{}{}",
        head.replacen(&quoted, &format!("\"{new}\""), 1),
        definition.replacen(" UNIQUE", "", 1),
        &create[end..]
    );
    let indexes = schema_sql(connection, "index", table).await?;
    run(connection, &new_create).await?;
    run(
        connection,
        &format!(r#"INSERT INTO "{new}" SELECT * FROM "{table}""#),
    )
    .await?;
    run(connection, &format!(r#"DROP TABLE "{table}""#)).await?;
    run(
        connection,
        &format!(r#"ALTER TABLE "{new}" RENAME TO "{table}""#),
    )
    .await?;
    for index in indexes {
        run(connection, &index).await?;
    }
    Ok(())
}

/// Where the column definition starting at `start` ends: at the next comma or the table's
/// closing parenthesis outside of parentheses of its own (`varchar(200)`).
fn definition_end(create: &str, start: usize) -> usize {
    let mut depth = 0usize;
    for (offset, c) in create[start..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return start + offset,
            ')' => depth -= 1,
            ',' if depth == 0 => return start + offset,
            _ => {}
        }
    }
    create.len()
}

/// The `CREATE` statements SQLite keeps for the table (`kind = "table"`) or its explicit indexes.
async fn schema_sql(
    connection: &mut SqliteConnection,
    kind: &str,
    table: &str,
) -> Result<Vec<String>, DbErr> {
    sqlx::query_scalar::<_, String>(
        "SELECT sql FROM sqlite_master WHERE type = ? AND tbl_name = ? AND sql IS NOT NULL",
    )
    .bind(kind)
    .bind(table)
    .fetch_all(&mut *connection)
    .await
    .map_err(sql_error)
}

#[cfg(test)]
mod tests {
    use super::definition_end;

    #[test]
    fn a_column_definition_ends_outside_its_own_parentheses() {
        let create =
            r#"CREATE TABLE "t" ( "id" uuid_text, "k" varchar(200) NOT NULL UNIQUE, "n" text )"#;
        let start = create.find(r#""k""#).unwrap_or_default();
        assert_eq!(
            &create[start..definition_end(create, start)],
            r#""k" varchar(200) NOT NULL UNIQUE"#
        );
        let start = create.find(r#""n""#).unwrap_or_default();
        assert_eq!(
            &create[start..definition_end(create, start)],
            r#""n" text "#
        );
    }
}
