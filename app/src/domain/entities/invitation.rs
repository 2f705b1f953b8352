//! Single-use links that let someone set a dashboard password: an invitation to join the team,
//! or a password reset the owner started for a member.

use sea_orm::entity::prelude::*;

/// An invitation row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invitations")]
pub struct Model {
    /// Primary key (UUIDv7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// SHA-256 of the link's token; the token itself is shown once and never stored.
    #[sea_orm(unique)]
    pub token_hash: Vec<u8>,
    /// What accepting it does.
    pub kind: InvitationKind,
    /// The invitee's address (normalised like a sign-in name).
    pub email: String,
    /// The role the new account gets (`admin` or `viewer`; a reset keeps the account's role).
    pub role: String,
    /// The account whose password a reset replaces.
    pub admin_id: Option<Uuid>,
    /// Who made it.
    pub invited_by: Uuid,
    /// Creation time.
    pub created_at: TimeDateTimeWithTimeZone,
    /// After this it opens nothing.
    pub expires_at: TimeDateTimeWithTimeZone,
    /// When it was used; it opens nothing afterwards.
    pub used_at: Option<TimeDateTimeWithTimeZone>,
    /// When it was withdrawn (or replaced by a newer one for the same address).
    pub revoked_at: Option<TimeDateTimeWithTimeZone>,
}

/// What an invitation does (a TEXT column).
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum InvitationKind {
    /// Creates an account with the invitation's role.
    #[sea_orm(string_value = "invite")]
    Invite,
    /// Sets a new password on an existing account and ends its sessions.
    #[sea_orm(string_value = "reset")]
    Reset,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// Whether its link still works at `now`: not used, not withdrawn, not expired.
    pub fn is_open(&self, now: TimeDateTimeWithTimeZone) -> bool {
        self.used_at.is_none() && self.revoked_at.is_none() && self.expires_at > now
    }
}
