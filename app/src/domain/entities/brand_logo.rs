//! The end-user pages' logo: at most one row, the uploaded image as re-encoded PNG.

use sea_orm::entity::prelude::*;

/// The only valid primary key.
pub const SINGLETON_ID: i32 = 1;

/// The logo row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "brand_logos")]
pub struct Model {
    /// Always [`SINGLETON_ID`].
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    /// Hex SHA-256 prefix of `png`: the address changes with the image, so browsers may keep it.
    pub digest: String,
    /// The image, decoded and written again as PNG (no metadata, nothing but pixels).
    pub png: Vec<u8>,
    /// Width in pixels.
    pub width: i32,
    /// Height in pixels.
    pub height: i32,
    /// When it was uploaded.
    pub uploaded_at: TimeDateTimeWithTimeZone,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
