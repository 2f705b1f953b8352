//! The words for the domain's codes that the admin reads (English): the dashboard, the REST
//! problem documents and the webhooks take their sentences from here. What the end user reads is
//! in `crate::i18n`, in the end user's language.

use crate::failure::{ProviderFailure, ProviderProblem};

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

/// What `connection.failed` says when an exchange code expired unredeemed.
pub const EXCHANGE_EXPIRED: &str = "The end user finished connecting, but the exchange code was \
     not redeemed within 5 minutes; the credentials were discarded.";

/// What `connection.failed` says when a server stopped between the token exchange and storing
/// the connection.
pub const FLOW_INTERRUPTED: &str = "The end user came back from the provider, but the server \
     stopped before the connection was stored; nothing was saved and the link can be used again.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_provider_problem_has_admin_words_that_carry_the_detail_where_one_matters() {
        for p in ProviderProblem::ALL {
            let f = ProviderFailure::with_detail(p, "zq_detail");
            let admin = provider_failure(&f);
            assert!(admin.ends_with('.'), "{p:?}");
            let carries = matches!(
                p,
                ProviderProblem::CheckFailed
                    | ProviderProblem::AuthorizationError
                    | ProviderProblem::TokenRefused
            );
            assert_eq!(admin.contains("zq_detail"), carries, "{p:?}: {admin}");
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
