//! Environments as the dashboard shell and Settings → Environments show them.

use serde::{Deserialize, Serialize};

/// One environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentInfo {
    /// Id.
    pub id: String,
    /// Lower-case name (`production`, `development`, …).
    pub name: String,
    /// Whether this is the installation's production environment.
    pub is_production: bool,
    /// How many tenants it holds.
    pub tenants: u64,
    /// How many connectors it holds.
    pub connectors: u64,
}

/// The environment the admin is looking at and the ones they can switch to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentChoice {
    /// The current one.
    pub current: EnvironmentInfo,
    /// All of them, production first, then by name.
    pub all: Vec<EnvironmentInfo>,
}

/// The longest environment name.
pub const ENVIRONMENT_NAME_MAX_CHARS: usize = 32;
