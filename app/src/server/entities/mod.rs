//! SeaORM entities. They never leave the server: UI-facing data goes through `crate::types`.

pub mod admin_user;
pub mod installation;
pub mod session;
pub mod sign_in_throttle;
