//! SeaORM entities. They never leave the server: UI-facing data goes through `crate::types`.

pub mod admin_alert;
pub mod admin_user;
pub mod api_key;
pub mod audit_entry;
pub mod brand_logo;
pub mod callback_origin;
pub mod connect_link;
pub mod connection;
pub mod connector;
pub mod email;
pub mod environment;
pub mod event;
pub mod exchange_code;
pub mod idempotency_key;
pub mod installation;
pub mod invitation;
pub mod json;
pub mod oauth_flow;
pub mod recovery_code;
pub mod session;
pub mod sign_in_throttle;
pub mod tenant;
pub mod webhook_attempt;
pub mod webhook_delivery;
pub mod webhook_endpoint;
