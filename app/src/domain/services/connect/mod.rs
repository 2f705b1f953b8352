//! The end user's side of a link: the credential form ([`form`]), the OAuth2 flow
//! ([`oauth_flow`]), and storing the resulting connection ([`complete`]).

mod complete;
mod form;
mod oauth_flow;

pub use complete::{Completed, complete, failure_redirect};
pub use form::{collect_values, open_fields, submit_credentials};
pub use oauth_flow::{CallbackParams, callback_for_flow, finish_oauth, redirect_uri, start_oauth};

use crate::error::AppError;
use crate::types::FieldProblem;

/// Why the end user's attempt failed. Every message is safe to show to them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    /// Unknown, expired, revoked or used-up link: one answer for all.
    #[error("This link is not valid. It may have expired, been used already or been revoked.")]
    LinkUnavailable,
    /// Form values are missing or wrong; per field.
    #[error("Some values need attention.")]
    Invalid(Vec<(String, FieldProblem)>),
    /// The callback's `state` is missing, unknown, expired or already used.
    #[error("This sign-in attempt is not valid any more. Please start again from your link.")]
    FlowUnknown,
    /// The callback arrived in another browser than the one that started the flow.
    #[error(
        "This sign-in was started in another browser. Please open your link again in this browser."
    )]
    WrongBrowser,
    /// The end user declined at the provider.
    #[error("Access was not granted at the provider. You can try again from your link.")]
    Denied,
    /// The provider reported an error or refused the credentials.
    #[error("{0}")]
    Provider(String),
    /// Something failed on our side.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
}

impl ConnectError {
    /// Whether trying again with the same link can help.
    pub fn retryable(&self) -> bool {
        !matches!(self, ConnectError::LinkUnavailable)
    }

    /// The stable code sent to a link's callback URL as `error=`.
    pub fn code(&self) -> &'static str {
        match self {
            ConnectError::LinkUnavailable => "link_unavailable",
            ConnectError::Invalid(_) => "invalid_input",
            ConnectError::FlowUnknown => "flow_expired",
            ConnectError::WrongBrowser => "wrong_browser",
            ConnectError::Denied => "access_denied",
            ConnectError::Provider(_) => "provider_error",
            ConnectError::Internal => "server_error",
        }
    }
}

impl From<AppError> for ConnectError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound => ConnectError::LinkUnavailable,
            _ => ConnectError::Internal,
        }
    }
}

impl From<sea_orm::DbErr> for ConnectError {
    fn from(e: sea_orm::DbErr) -> Self {
        AppError::from(e).into()
    }
}
