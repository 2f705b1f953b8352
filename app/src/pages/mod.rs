//! One module per route.

pub mod audit;
pub mod branding;
#[cfg(feature = "ssr")]
pub mod connect;
pub mod connectors;
pub mod environments;
pub mod home;
pub mod invitation;
pub mod not_found;
pub mod overview;
pub mod settings;
pub mod setup;
pub mod sign_in;
pub mod team;
pub mod tenant_details;
pub mod tenants;
pub mod two_factor;
pub mod webhooks;
