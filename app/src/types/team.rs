//! The dashboard team as Settings → Team shows it: members, pending invitations and password
//! resets, and the invitation page the invitee opens.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::Role;

/// A member of the team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    /// Id.
    pub id: String,
    /// Sign-in address.
    pub email: String,
    /// Role.
    pub role: Role,
    /// Last successful sign-in.
    pub last_sign_in_at: Option<OffsetDateTime>,
    /// Since when.
    pub joined_at: OffsetDateTime,
    /// Whether this is the admin looking at the list.
    pub is_you: bool,
    /// Whether they sign in with a second factor.
    pub two_factor: bool,
}

/// What a pending invitation link does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitationPurpose {
    /// Joining the team with a role.
    Join,
    /// Choosing a new password for an existing account.
    PasswordReset,
}

impl InvitationPurpose {
    /// The dashboard message that names it.
    pub fn message_id(self) -> &'static str {
        match self {
            InvitationPurpose::Join => "team-purpose-join",
            InvitationPurpose::PasswordReset => "team-purpose-reset",
        }
    }
}

/// An invitation or password reset that has not been used, withdrawn or expired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingInvitation {
    /// Id.
    pub id: String,
    /// Whom it is for.
    pub email: String,
    /// The role it gives (a reset: the account's role).
    pub role: Role,
    /// Join or reset.
    pub purpose: InvitationPurpose,
    /// Who made it (their address at the time, if they are still a member).
    pub invited_by: Option<String>,
    /// When it stops working.
    pub expires_at: OffsetDateTime,
}

/// A new invitation or reset: the only time its link is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedInvitation {
    /// The listing entry.
    pub info: PendingInvitation,
    /// The single-use link to send to the person.
    pub url: String,
    /// Whether it was also queued as an e-mail to them.
    pub emailed: bool,
}

/// What the invitation page shows the person who opened it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    /// The account's address.
    pub email: String,
    /// The role.
    pub role: Role,
    /// Join or reset.
    pub purpose: InvitationPurpose,
    /// The admin's product name.
    pub product_name: String,
    /// When it stops working.
    pub expires_at: OffsetDateTime,
}

/// Settings → Team: who is in, who is invited, and what the viewer may do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamOverview {
    /// Members, the owner first.
    pub members: Vec<TeamMember>,
    /// Open invitations and resets, newest first.
    pub pending: Vec<PendingInvitation>,
    /// Whether invitations also go out by e-mail.
    pub mail_configured: bool,
    /// The role of the admin looking.
    pub your_role: Role,
    /// Whether the owner requires two-factor sign-in for everyone.
    pub two_factor_required: bool,
}

/// The signed-in admin's two-factor sign-in, as Settings shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorStatus {
    /// Since when it is on.
    pub enabled_at: Option<OffsetDateTime>,
    /// Recovery codes not used yet.
    pub recovery_codes_left: u64,
    /// Whether the owner requires it for everyone.
    pub required: bool,
}

/// What an authenticator app needs: shown while two-factor sign-in is being set up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorEnrolment {
    /// The secret in base32, to type in instead of scanning.
    pub secret: String,
    /// The `otpauth://` URI the QR code holds.
    pub uri: String,
    /// The QR code's width and height in modules.
    pub qr_size: u32,
    /// Its dark modules as an SVG path.
    pub qr_path: String,
}

/// What the sign-in page offers besides the password form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInOptions {
    /// The single sign-on provider's name, when single sign-on is configured.
    pub sso_label: Option<String>,
    /// Whether the password form is for the owner only.
    pub password_owner_only: bool,
}

/// The single sign-on refusals the sign-in page can be sent back with (`?sso_error=`), each with
/// its dashboard message.
pub const SSO_ERRORS: [(&str, &str); 9] = [
    ("unreachable", "sso-error-unreachable"),
    ("issuer_mismatch", "sso-error-issuer-mismatch"),
    ("state_mismatch", "sso-error-state-mismatch"),
    ("expired", "sso-error-expired"),
    ("refused", "sso-error-refused"),
    ("token_refused", "sso-error-token-refused"),
    ("invalid_id_token", "sso-error-invalid-id-token"),
    ("email_unverified", "sso-error-email-unverified"),
    ("domain_not_allowed", "sso-error-domain-not-allowed"),
];
