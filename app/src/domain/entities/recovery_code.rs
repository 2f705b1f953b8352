//! Single-use codes that stand in for a lost authenticator app, ten per enrolment.

use sea_orm::entity::prelude::*;

/// A recovery code row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "recovery_codes")]
pub struct Model {
    /// Primary key (UUIDv7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The account.
    pub admin_id: Uuid,
    /// SHA-256 of the normalised code; the code is shown once and never stored.
    #[sea_orm(unique)]
    pub code_hash: Vec<u8>,
    /// Creation time.
    pub created_at: TimeDateTimeWithTimeZone,
    /// When it was used; it works once.
    pub used_at: Option<TimeDateTimeWithTimeZone>,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
