//! Server functions, one module per domain. Each is thin: session/role check → service → DTO.
//!
//! They are served under [`SERVER_FN_PREFIX`], apart from the REST API under `/api/v1`.

pub mod audit;
pub mod auth;
pub mod connectors;
pub mod environments;
pub mod links;
pub mod settings;
pub mod team;
pub mod tenants;
pub mod two_factor;
pub mod webhooks;

/// URL prefix of every server function.
pub const SERVER_FN_PREFIX: &str = "/rpc";
