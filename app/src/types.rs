//! Wire types (DTOs) shared by server functions and the UI. Entities never cross the wire.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What an admin user may do. Ordered: an owner can do everything an admin can, and so on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads everything, changes nothing.
    Viewer,
    /// Manages tenants, connectors and links.
    Admin,
    /// Everything, including admin users and installation settings.
    Owner,
}

impl Role {
    /// The stored and displayed form.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Admin => "admin",
            Role::Owner => "owner",
        }
    }

    /// Whether this role includes everything `required` may do.
    pub fn allows(self, required: Role) -> bool {
        self >= required
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "viewer" => Ok(Role::Viewer),
            "admin" => Ok(Role::Admin),
            "owner" => Ok(Role::Owner),
            other => Err(format!(
                "unknown role {other:?}; expected owner, admin or viewer"
            )),
        }
    }
}

/// The signed-in admin user as the UI sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    /// The account's e-mail address (its sign-in name).
    pub email: String,
    /// What the account may do.
    pub role: Role,
    /// The admin's product name, shown in the shell.
    pub product_name: String,
}

/// Limits on what a person may type, shared by the forms and the server-side validation.
pub mod limits {
    /// Shortest accepted password (NIST SP 800-63B).
    pub const PASSWORD_MIN_CHARS: usize = 12;
    /// Longest accepted password; long passphrases are welcome, megabytes are not.
    pub const PASSWORD_MAX_CHARS: usize = 1024;
    /// Longest accepted e-mail address (RFC 5321 path limit).
    pub const EMAIL_MAX_CHARS: usize = 254;
    /// Longest product name.
    pub const PRODUCT_NAME_MAX_CHARS: usize = 80;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_by_power() {
        assert!(Role::Owner.allows(Role::Admin));
        assert!(Role::Admin.allows(Role::Viewer));
        assert!(!Role::Viewer.allows(Role::Admin));
        assert!(!Role::Admin.allows(Role::Owner));
    }

    #[test]
    fn roles_round_trip_through_their_stored_form() {
        for role in [Role::Viewer, Role::Admin, Role::Owner] {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("root".parse::<Role>().is_err());
    }
}
