//! Dashboard sessions, stored in our own database so that several instances can share them.

use sea_orm::entity::prelude::*;

/// A session row. The session id itself is never stored, only its SHA-256.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    /// SHA-256 of the session id (hex).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id_hash: String,
    /// The session's data as JSON.
    pub data: String,
    /// When the session expires; expired rows are ignored and swept.
    pub expires_at: TimeDateTimeWithTimeZone,
    /// The signed-in account, copied from the data when the session is saved.
    pub admin_id: Option<Uuid>,
}

/// A session belongs to the account signed in on it.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The signed-in account.
    #[sea_orm(
        belongs_to = "super::admin_user::Entity",
        from = "Column::AdminId",
        to = "super::admin_user::Column::Id"
    )]
    Admin,
}

impl Related<super::admin_user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Admin.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
