//! The words for the domain's codes (English). Pages, the REST problem documents and the admin's
//! webhooks take their sentences from here, so that translating them means translating this file.

use crate::failure::{ConnectError, ProviderFailure, ProviderProblem};
use crate::types::FieldProblem;

/// The words for a problem with the field `name` (labelled `label`) of a credential form.
pub fn field_problem(problem: FieldProblem, name: &str, label: &str) -> String {
    match problem {
        FieldProblem::NotInForm => format!("{name:?} is not a field of this form."),
        FieldProblem::Missing => format!("Enter the {label}."),
        FieldProblem::TooLong => format!("The {label} is too long."),
        FieldProblem::BadFormat => format!("The {label} does not have the expected format."),
        FieldProblem::ControlCharacter => {
            format!("The {label} contains an invisible control character; paste it again.")
        }
    }
}

/// What went wrong with the provider, for the admin: one sentence without advice to the end user.
pub fn provider_failure(f: &ProviderFailure) -> String {
    let detail = f.detail.as_deref().unwrap_or("no details");
    match f.problem {
        ProviderProblem::CredentialsRejected => {
            "The provider did not accept the credentials.".to_owned()
        }
        ProviderProblem::CheckFailed => format!("The credentials could not be checked ({detail})."),
        ProviderProblem::AuthorizationError => {
            format!("The provider reported an error ({detail}).")
        }
        ProviderProblem::IssuerMismatch => {
            "The answer came from another authorization server than the one the flow went to."
                .to_owned()
        }
        ProviderProblem::NoCode => "The provider sent no authorization code.".to_owned(),
        ProviderProblem::TokenRefused => {
            format!("The provider refused to issue a token ({detail}).")
        }
        ProviderProblem::Unreachable => {
            "The provider did not answer in time or could not be reached.".to_owned()
        }
        ProviderProblem::Unreadable => "The provider's answer could not be understood.".to_owned(),
        ProviderProblem::RefreshRefused => {
            "The provider refused the refresh token; the tenant must reconnect.".to_owned()
        }
        ProviderProblem::AccessDenied => {
            "The end user did not grant access at the provider.".to_owned()
        }
        ProviderProblem::AccountMismatch => {
            "The end user signed in to another provider account than the one this connection \
             uses; nothing was changed. A link that allows changing the account replaces it."
                .to_owned()
        }
    }
}

/// A stored `last_error` in words: a code is put into words, text stored before codes existed
/// is shown as it is.
pub fn stored_failure(stored: &str) -> String {
    match ProviderFailure::from_stored(stored) {
        Some(f) => provider_failure(&f),
        None => stored.to_owned(),
    }
}

/// What the end user reads when a provider failure stopped the connection.
fn provider_failure_for_end_user(f: &ProviderFailure) -> String {
    let detail = f.detail.as_deref().unwrap_or("no details");
    match f.problem {
        ProviderProblem::CredentialsRejected => {
            "The provider did not accept these credentials. Check them and try again.".to_owned()
        }
        ProviderProblem::CheckFailed => {
            format!("The credentials could not be checked ({detail}). Please try again.")
        }
        ProviderProblem::AuthorizationError => {
            format!("The provider reported an error ({detail}). You can try again from your link.")
        }
        ProviderProblem::IssuerMismatch => {
            "The answer came from another authorization server than the one you were sent to."
                .to_owned()
        }
        ProviderProblem::NoCode => {
            "The provider sent no authorization code. You can try again from your link.".to_owned()
        }
        ProviderProblem::TokenRefused => format!(
            "The provider refused to issue a token ({detail}). Please try again from your link."
        ),
        ProviderProblem::Unreachable => {
            "The provider did not answer in time. Please try again.".to_owned()
        }
        ProviderProblem::Unreadable => {
            "The provider's answer could not be understood. Please try again.".to_owned()
        }
        ProviderProblem::RefreshRefused => {
            "The provider refused access. Please connect again from your link.".to_owned()
        }
        ProviderProblem::AccessDenied => connect_error(&ConnectError::Denied),
        ProviderProblem::AccountMismatch => connect_error(&ConnectError::AccountMismatch),
    }
}

/// The end user's explanation of why connecting did not go through.
pub fn connect_error(e: &ConnectError) -> String {
    match e {
        ConnectError::LinkUnavailable => {
            "This link is not valid. It may have expired, been used already or been revoked."
                .to_owned()
        }
        ConnectError::Invalid(_) => "Some values need attention.".to_owned(),
        ConnectError::FlowUnknown => {
            "This sign-in attempt is not valid any more. Please start again from your link."
                .to_owned()
        }
        ConnectError::WrongBrowser => {
            "This sign-in was started in another browser. Please open your link again in this browser."
                .to_owned()
        }
        ConnectError::Denied => {
            "Access was not granted at the provider. You can try again from your link.".to_owned()
        }
        ConnectError::Provider(f) => provider_failure_for_end_user(f),
        ConnectError::AccountMismatch => {
            "You signed in to a different account at the provider than the one this connection \
             uses. Sign in with that account and try again from your link, or ask for a new link."
                .to_owned()
        }
        ConnectError::Internal => "Something went wrong on our side. Please try again.".to_owned(),
    }
}

/// The heading of the page that tells the end user the connection did not go through.
pub fn connect_error_heading(e: &ConnectError) -> &'static str {
    if e.retryable() {
        "The connection did not go through"
    } else {
        "This link cannot be used"
    }
}

/// What `connection.failed` says when an exchange code expired unredeemed.
pub const EXCHANGE_EXPIRED: &str = "The end user finished connecting, but the exchange code was \
     not redeemed within 5 minutes; the credentials were discarded.";

/// What `connection.failed` says when a server stopped between the token exchange and storing
/// the connection.
pub const FLOW_INTERRUPTED: &str = "The end user came back from the provider, but the server \
     stopped before the connection was stored; nothing was saved and the link can be used again.";

/// The heading of the page an end user gets when their address made too many requests.
pub const TOO_MANY_REQUESTS: &str = "Too many attempts";

/// What that page says.
pub fn too_many_requests(retry_after_seconds: u64) -> String {
    format!(
        "Too many requests came from your network in a short time. Please wait {retry_after_seconds} \
         seconds, then open the link again."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_provider_problem_has_words_that_carry_the_detail_where_one_matters() {
        for p in ProviderProblem::ALL {
            let f = ProviderFailure::with_detail(p, "zq_detail");
            let admin = provider_failure(&f);
            let end_user = connect_error(&ConnectError::Provider(f));
            assert!(admin.ends_with('.') && end_user.ends_with('.'), "{p:?}");
            let carries = matches!(
                p,
                ProviderProblem::CheckFailed
                    | ProviderProblem::AuthorizationError
                    | ProviderProblem::TokenRefused
            );
            assert_eq!(admin.contains("zq_detail"), carries, "{p:?}: {admin}");
            assert_eq!(end_user.contains("zq_detail"), carries, "{p:?}: {end_user}");
        }
    }

    #[test]
    fn stored_codes_are_put_into_words_and_old_sentences_kept() {
        assert_eq!(
            stored_failure("token_refused: invalid_grant"),
            "The provider refused to issue a token (invalid_grant)."
        );
        assert_eq!(stored_failure("Something old."), "Something old.");
    }
}
