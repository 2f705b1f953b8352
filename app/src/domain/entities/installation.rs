//! The installation itself: one row, written when the owner account is created and changed by
//! Settings → Branding.
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
    /// The accent colour of end-user pages, `#rrggbb`; the built-in one when absent.
    pub accent_color: Option<String>,
    /// Where end users can ask for help, shown on failure and expired-link pages.
    pub support_email: Option<String>,
    /// A help page for end users, shown like the support e-mail.
    pub support_url: Option<String>,
    /// The digest of the logo in `brand_logos`, naming its address; no logo when absent.
    pub logo_digest: Option<String>,
    /// Whether every admin must sign in with a second factor (the owner's choice).
    pub require_two_factor: bool,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
