//! Why connecting or refreshing did not work, as codes with the provider's own words attached.
//! The domain returns these; [`crate::text`] turns them into sentences, so every page that shows
//! one can be translated.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::types::FieldProblem;

/// What went wrong on the provider's side of a connection attempt or a token refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderProblem {
    /// The verification request was answered 401 or 403.
    CredentialsRejected,
    /// The verification request failed otherwise (detail: what happened, e.g. `HTTP 500`).
    CheckFailed,
    /// The authorization server sent `error=` to the callback (detail: its error code).
    AuthorizationError,
    /// The callback's `iss` names another authorization server than the flow went to.
    IssuerMismatch,
    /// The callback carried neither a code nor an error.
    NoCode,
    /// The token endpoint refused to issue a token (detail: its error code).
    TokenRefused,
    /// The provider did not answer in time or could not be reached.
    Unreachable,
    /// The provider's answer could not be understood.
    Unreadable,
    /// The provider refused the refresh token: only reconnecting helps.
    RefreshRefused,
    /// The end user did not grant access at the provider.
    AccessDenied,
    /// A reconnect landed on another provider account than the connection is pinned to.
    AccountMismatch,
}

impl ProviderProblem {
    /// Every problem, for lookups by code.
    pub const ALL: [ProviderProblem; 11] = [
        ProviderProblem::CredentialsRejected,
        ProviderProblem::CheckFailed,
        ProviderProblem::AuthorizationError,
        ProviderProblem::IssuerMismatch,
        ProviderProblem::NoCode,
        ProviderProblem::TokenRefused,
        ProviderProblem::Unreachable,
        ProviderProblem::Unreadable,
        ProviderProblem::RefreshRefused,
        ProviderProblem::AccessDenied,
        ProviderProblem::AccountMismatch,
    ];

    /// The stable code, as stored and sent in webhooks.
    pub fn code(self) -> &'static str {
        match self {
            ProviderProblem::CredentialsRejected => "credentials_rejected",
            ProviderProblem::CheckFailed => "check_failed",
            ProviderProblem::AuthorizationError => "authorization_error",
            ProviderProblem::IssuerMismatch => "issuer_mismatch",
            ProviderProblem::NoCode => "no_code",
            ProviderProblem::TokenRefused => "token_refused",
            ProviderProblem::Unreachable => "unreachable",
            ProviderProblem::Unreadable => "unreadable",
            ProviderProblem::RefreshRefused => "refresh_refused",
            ProviderProblem::AccessDenied => "access_denied",
            ProviderProblem::AccountMismatch => "account_mismatch",
        }
    }

    /// The problem a code names.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// Longest provider detail kept.
const DETAIL_MAX: usize = 120;

/// A [`ProviderProblem`] with what the provider itself said (an OAuth `error` code, a status).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderFailure {
    /// What went wrong.
    pub problem: ProviderProblem,
    /// The provider's own words: printable ASCII, at most 120 characters.
    pub detail: Option<String>,
}

impl ProviderFailure {
    /// A failure without detail.
    pub fn new(problem: ProviderProblem) -> Self {
        Self {
            problem,
            detail: None,
        }
    }

    /// A failure with the provider's words, cut down to short printable ASCII so that a hostile
    /// provider cannot put control characters, direction overrides or a novel into our pages,
    /// logs and webhooks.
    pub fn with_detail(problem: ProviderProblem, detail: &str) -> Self {
        let detail: String = detail
            .chars()
            .filter(|c| c.is_ascii_graphic() || *c == ' ')
            .take(DETAIL_MAX)
            .collect();
        let detail = detail.trim().to_owned();
        Self {
            problem,
            detail: (!detail.is_empty()).then_some(detail),
        }
    }

    /// The stored form, as in a connection's or link's `last_error`: `code` or `code: detail`.
    pub fn stored(&self) -> String {
        match &self.detail {
            Some(detail) => format!("{}: {detail}", self.problem.code()),
            None => self.problem.code().to_owned(),
        }
    }

    /// Reads a stored form back; `None` for text stored before codes were (a sentence).
    pub fn from_stored(stored: &str) -> Option<Self> {
        let (code, detail) = match stored.split_once(": ") {
            Some((code, detail)) => (code, Some(detail)),
            None => (stored, None),
        };
        let problem = ProviderProblem::from_code(code)?;
        Some(match detail {
            Some(d) => Self::with_detail(problem, d),
            None => Self::new(problem),
        })
    }
}

impl fmt::Display for ProviderFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.stored())
    }
}

/// Why the end user's attempt to connect did not go through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ConnectError {
    /// Unknown, expired, revoked or used-up link: one answer for all.
    #[error("link_unavailable")]
    LinkUnavailable,
    /// Form values are missing or wrong; per field.
    #[error("invalid_input")]
    Invalid(Vec<(String, FieldProblem)>),
    /// The callback's `state` is missing, unknown, expired or already used.
    #[error("flow_expired")]
    FlowUnknown,
    /// The callback arrived in another browser than the one that started the flow.
    #[error("wrong_browser")]
    WrongBrowser,
    /// The end user declined at the provider.
    #[error("access_denied")]
    Denied,
    /// The provider reported an error or refused the credentials.
    #[error("provider_error ({0})")]
    Provider(ProviderFailure),
    /// A reconnect landed on another provider account than the one the connection is pinned
    /// to, and the link does not allow that; nothing was changed.
    #[error("account_mismatch")]
    AccountMismatch,
    /// Something failed on our side.
    #[error("server_error")]
    Internal,
}

impl ConnectError {
    /// A provider failure without detail.
    pub fn provider(problem: ProviderProblem) -> Self {
        ConnectError::Provider(ProviderFailure::new(problem))
    }

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
            ConnectError::AccountMismatch => "account_mismatch",
            ConnectError::Internal => "server_error",
        }
    }

    /// What the provider side did wrong, for the admin's `last_error` and the
    /// `connection.failed` event; `None` for failures that are not the provider's.
    pub fn provider_failure(&self) -> Option<ProviderFailure> {
        match self {
            ConnectError::Provider(f) => Some(f.clone()),
            ConnectError::Denied => Some(ProviderFailure::new(ProviderProblem::AccessDenied)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_failures_read_back_and_sentences_do_not() {
        let f = ProviderFailure::with_detail(ProviderProblem::TokenRefused, "invalid_grant");
        assert_eq!(f.stored(), "token_refused: invalid_grant");
        assert_eq!(ProviderFailure::from_stored(&f.stored()), Some(f));
        let bare = ProviderFailure::new(ProviderProblem::Unreachable);
        assert_eq!(ProviderFailure::from_stored("unreachable"), Some(bare));
        assert_eq!(
            ProviderFailure::from_stored("The provider refused the refresh token."),
            None
        );
        for p in ProviderProblem::ALL {
            assert_eq!(ProviderProblem::from_code(p.code()), Some(p));
        }
    }

    #[test]
    fn provider_detail_is_cut_to_short_printable_ascii() {
        let hostile = format!("<script>\u{202e}\n{}", "x".repeat(500));
        let f = ProviderFailure::with_detail(ProviderProblem::AuthorizationError, &hostile);
        let detail = f.detail.expect("the printable part is kept");
        assert_eq!(detail.len(), DETAIL_MAX, "{detail}");
        assert!(detail.starts_with("<script>x"), "{detail}");
        assert!(detail.chars().all(|c| c.is_ascii_graphic() || c == ' '));
        assert_eq!(
            ProviderFailure::with_detail(ProviderProblem::TokenRefused, " \u{7}\n ").detail,
            None
        );
    }
}
