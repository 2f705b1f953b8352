//! One module per route.

pub mod connectors;
pub mod home;
pub mod not_found;
pub mod settings;
pub mod setup;
pub mod sign_in;
pub mod tenants;
