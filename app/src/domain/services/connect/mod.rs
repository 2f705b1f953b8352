//! The end user's side of a link: the credential form ([`form`]), the OAuth2 flow
//! ([`oauth_flow`]), trying it again after a failure ([`retry`]), and storing the resulting
//! connection ([`complete`]).

mod capture;
mod complete;
mod form;
mod interrupted;
mod oauth_flow;
mod retry;

pub(crate) use complete::store_connection;
pub use complete::{Completed, Outcome, complete, failure_redirect};
pub use form::{collect_values, open_fields, submit_credentials};
pub use interrupted::{FINISH_WITHIN, INTERRUPTED_CODE, sweep_flows, sweep_interrupted};
pub use oauth_flow::{CallbackParams, callback_for_flow, finish_oauth, redirect_uri, start_oauth};
pub use retry::{Retry, retryable};

pub use crate::failure::ConnectError;

use crate::error::AppError;

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
