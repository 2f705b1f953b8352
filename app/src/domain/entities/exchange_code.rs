//! Exchange codes: single-use, short-lived proof that a link was completed, redeemed by the
//! admin's backend. Only the SHA-256 of a code is stored; until the code is redeemed, the
//! connection it stands for is pending and its credentials wait here, sealed.

use sea_orm::entity::prelude::*;

/// An exchange code row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "exchange_codes")]
pub struct Model {
    /// Primary key (UUIDv7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// SHA-256 of the code; unique.
    #[sea_orm(unique)]
    pub code_hash: Vec<u8>,
    /// The completed link.
    pub link_id: Uuid,
    /// The connection it completed.
    pub connection_id: Uuid,
    /// Not redeemable after this.
    pub expires_at: TimeDateTimeWithTimeZone,
    /// Set by the one successful redemption.
    pub redeemed_at: Option<TimeDateTimeWithTimeZone>,
    /// Creation time.
    pub created_at: TimeDateTimeWithTimeZone,
    /// The tenant the pending connection is for (codes issued before pending values: none).
    pub tenant_id: Option<Uuid>,
    /// The connector the pending connection is for.
    pub connector_id: Option<Uuid>,
    /// What the completion produced (credentials, scopes, account), sealed
    /// (`exchange_codes.pending`, row id) until redeemed or discarded; then empty.
    pub pending: Option<Vec<u8>>,
    /// When an unredeemed code's pending values were discarded after it expired.
    pub discarded_at: Option<TimeDateTimeWithTimeZone>,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
