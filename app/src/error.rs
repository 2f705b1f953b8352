//! The one error type that crosses the wire between server functions and the browser.
//!
//! Every variant carries only what is safe to show to the person at the keyboard; infrastructure
//! detail is logged on the server (see `From<DbErr>` below) and never serialised.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

/// A failure a server function reports to the UI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    /// The input was rejected; the message says what to change.
    #[error("{0}")]
    Validation(String),
    /// No valid session: the person must sign in.
    #[error("Please sign in to continue.")]
    Unauthenticated,
    /// Signed in, but the role does not allow this action.
    #[error("Your role does not allow this action.")]
    Forbidden,
    /// The thing does not exist (or is not visible to this user).
    #[error("Not found.")]
    NotFound,
    /// The request conflicts with the current state (e.g. a duplicate, or setup already done).
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts; try again later.
    #[error("Too many attempts. Try again in {} minute(s).", retry_after_secs.div_ceil(60))]
    RateLimited {
        /// Seconds until the next attempt is accepted.
        retry_after_secs: u64,
    },
    /// Something failed on the server; the detail is in the server log, not here.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The request did not reach the server function or its answer could not be read.
    #[error("The request failed: {0}")]
    Transport(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

/// Shorthand for server-function results.
pub type AppResult<T> = Result<T, AppError>;

#[cfg(feature = "ssr")]
mod ssr {
    use super::AppError;
    use sea_orm::{DbErr, SqlErr, TransactionError};

    impl AppError {
        /// The HTTP status a response carrying this error gets.
        pub fn status_code(&self) -> http::StatusCode {
            use http::StatusCode;
            match self {
                AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
                AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
                AppError::Forbidden => StatusCode::FORBIDDEN,
                AppError::NotFound => StatusCode::NOT_FOUND,
                AppError::Conflict(_) => StatusCode::CONFLICT,
                AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
                AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
                AppError::Transport(_) => StatusCode::BAD_REQUEST,
            }
        }

        /// For `map_err`: logs `what` with the error and answers [`AppError::Internal`].
        pub fn internal<E: std::fmt::Display>(what: &'static str) -> impl FnOnce(E) -> AppError {
            move |e| {
                tracing::error!(error = %e, "{what}");
                AppError::Internal
            }
        }
    }

    impl From<DbErr> for AppError {
        fn from(err: DbErr) -> Self {
            if let Some(SqlErr::UniqueConstraintViolation(_)) = err.sql_err() {
                return AppError::Conflict("That already exists.".into());
            }
            tracing::error!(error = %err, "database error");
            AppError::Internal
        }
    }

    impl From<TransactionError<AppError>> for AppError {
        fn from(err: TransactionError<AppError>) -> Self {
            match err {
                TransactionError::Connection(db) => db.into(),
                TransactionError::Transaction(app) => app,
            }
        }
    }

    impl From<tower_sessions::session::Error> for AppError {
        fn from(err: tower_sessions::session::Error) -> Self {
            tracing::error!(error = %err, "session store error");
            AppError::Internal
        }
    }
}
