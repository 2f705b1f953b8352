//! People who sign in to the dashboard.

use sea_orm::entity::prelude::*;

/// An admin user row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "admin_users")]
pub struct Model {
    /// Primary key (UUIDv7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Sign-in name, stored trimmed and lower-cased; unique.
    #[sea_orm(unique)]
    pub email: String,
    /// argon2id PHC string. Never leaves the server.
    pub password_hash: String,
    /// `owner`, `admin` or `viewer` (see `crate::types::Role`).
    pub role: String,
    /// Creation time.
    pub created_at: TimeDateTimeWithTimeZone,
    /// Last change.
    pub updated_at: TimeDateTimeWithTimeZone,
    /// Last successful sign-in.
    pub last_sign_in_at: Option<TimeDateTimeWithTimeZone>,
    /// Whether alerts about connections that need attention are e-mailed to this admin.
    pub alerts: bool,
    /// The TOTP secret, sealed (`admin_users.totp_secret`); set from the start of enrolment.
    pub totp_secret: Option<Vec<u8>>,
    /// Since when two-factor sign-in is on; `None` while off or being set up.
    pub totp_enabled_at: Option<TimeDateTimeWithTimeZone>,
    /// The last time step a code was accepted for; codes of it and earlier steps are refused.
    pub totp_last_step: Option<i64>,
    /// The environment the dashboard shows this admin; `None` means production.
    pub environment_id: Option<Uuid>,
}

impl Model {
    /// Whether signing in asks for a second factor.
    pub fn has_two_factor(&self) -> bool {
        self.totp_enabled_at.is_some()
    }
}

/// No relations yet.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
