//! Domain services: async functions over a connection (pool or transaction). Server functions,
//! the REST API and the CLI all call these, so each business rule lives in one place.

pub mod admin;
pub mod alerts;
pub mod api_keys;
pub mod audit;
pub mod branding;
pub mod callbacks;
pub mod connect;
pub mod connections;
pub mod connectors;
pub mod emails;
pub mod environments;
pub mod events;
pub mod exchange;
pub mod idempotency;
pub mod keys;
pub mod links;
pub mod outbound;
pub mod overview;
pub mod paging;
pub mod setup_code;
pub mod sso;
pub mod team;
pub mod tenant_details;
pub mod tenants;
pub mod throttle;
pub mod two_factor;
pub mod webhooks;

use sea_orm::{DbErr, SqlErr};

/// Whether a database error is a unique-constraint violation.
pub(crate) fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// Parses a UUID from user input; anything malformed is simply "not found".
pub(crate) fn parse_id(text: &str) -> Result<uuid::Uuid, crate::error::AppError> {
    uuid::Uuid::parse_str(text.trim()).map_err(|_| crate::error::AppError::NotFound)
}

/// Rejects control characters and surrounding whitespace in a one-line value.
pub(crate) fn one_line(
    value: &str,
    what: &str,
    max: usize,
) -> Result<String, crate::error::AppError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(crate::error::AppError::Validation(format!("Enter {what}.")));
    }
    if value.chars().count() > max {
        return Err(crate::error::AppError::Validation(format!(
            "{} has at most {max} characters.",
            capitalize(what)
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(crate::error::AppError::Validation(format!(
            "{} cannot contain control characters.",
            capitalize(what)
        )));
    }
    Ok(value.to_owned())
}

fn capitalize(what: &str) -> String {
    let what = what
        .strip_prefix("a ")
        .or_else(|| what.strip_prefix("an "))
        .or_else(|| what.strip_prefix("the "))
        .unwrap_or(what);
    let mut chars = what.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
