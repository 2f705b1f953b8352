//! The installation itself: one row, written when the owner account is created.
//!
//! Its fixed primary key is what makes owner setup race-free: two simultaneous setups both try
//! to insert row 1 and exactly one succeeds.

use sea_orm::entity::prelude::*;

/// The only valid primary key.
pub const SINGLETON_ID: i32 = 1;

/// The installation row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "installation")]
pub struct Model {
    /// Always [`SINGLETON_ID`].
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    /// The admin's product name, shown to end users on the Connect page.
    pub product_name: String,
    /// When the owner account was created.
    pub setup_completed_at: TimeDateTimeWithTimeZone,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
