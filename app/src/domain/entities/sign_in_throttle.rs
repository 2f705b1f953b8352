//! Failed sign-in counters per account and per client address, shared by all instances.

use sea_orm::entity::prelude::*;

/// One throttle bucket.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sign_in_throttle")]
pub struct Model {
    /// `account:<email>` or `ip:<address>`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub bucket: String,
    /// Failures since `window_started_at`.
    pub failures: i32,
    /// Start of the current counting window.
    pub window_started_at: TimeDateTimeWithTimeZone,
    /// While set and in the future, sign-in through this bucket is refused.
    pub locked_until: Option<TimeDateTimeWithTimeZone>,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
