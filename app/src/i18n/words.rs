//! The domain's codes in the end user's words, and the keys of translated catalog text.

use super::Messages;
use crate::failure::{ConnectError, ProviderFailure, ProviderProblem};
use crate::types::FieldProblem;

/// A text of a catalog entry that `catalog.ftl` may translate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatalogText<'a> {
    /// A credential field's label.
    FieldLabel {
        /// Catalog id of the provider.
        provider: &'a str,
        /// The field's form name.
        field: &'a str,
    },
    /// A credential field's help text.
    FieldHelp {
        /// Catalog id of the provider.
        provider: &'a str,
        /// The field's form name.
        field: &'a str,
    },
    /// The label of one choice of a select field.
    FieldChoice {
        /// Catalog id of the provider.
        provider: &'a str,
        /// The field's form name.
        field: &'a str,
        /// The choice's value.
        value: &'a str,
    },
    /// What an OAuth2 scope allows.
    Scope {
        /// Catalog id of the provider.
        provider: &'a str,
        /// The scope as the provider spells it.
        scope: &'a str,
    },
}

impl CatalogText<'_> {
    /// The Fluent message id and attribute holding this text:
    /// `<provider>-<field>` (its `.help` attribute for help), `<provider>-<field>-choice-<value>`
    /// and `<provider>-scope-<scope>`, with characters Fluent ids cannot hold as `_`.
    pub fn key(&self) -> (String, Option<&'static str>) {
        match self {
            CatalogText::FieldLabel { provider, field } => (id(&[provider, field]), None),
            CatalogText::FieldHelp { provider, field } => (id(&[provider, field]), Some("help")),
            CatalogText::FieldChoice {
                provider,
                field,
                value,
            } => (id(&[provider, field, "choice", value]), None),
            CatalogText::Scope { provider, scope } => (id(&[provider, "scope", scope]), None),
        }
    }
}

fn id(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| {
            p.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

impl Messages {
    /// Why connecting did not go through.
    pub fn connect_error(&self, e: &ConnectError) -> String {
        let id = match e {
            ConnectError::LinkUnavailable => "error-link-unavailable",
            ConnectError::Invalid(_) => "form-needs-attention",
            ConnectError::FlowUnknown => "error-flow-unknown",
            ConnectError::WrongBrowser => "error-wrong-browser",
            ConnectError::Denied => "error-denied",
            ConnectError::Provider(f) => return self.provider_failure(f),
            ConnectError::AccountMismatch => "error-account-mismatch",
            ConnectError::Internal => "error-internal",
        };
        self.text(id)
    }

    /// The heading of the page that says connecting did not go through.
    pub fn connect_error_heading(&self, e: &ConnectError) -> String {
        self.text(if e.retryable() {
            "failed-heading"
        } else {
            "unusable-heading"
        })
    }

    fn provider_failure(&self, f: &ProviderFailure) -> String {
        let id = match f.problem {
            ProviderProblem::CredentialsRejected => "error-credentials-rejected",
            ProviderProblem::CheckFailed => "error-check-failed",
            ProviderProblem::AuthorizationError => "error-authorization",
            ProviderProblem::IssuerMismatch => "error-issuer-mismatch",
            ProviderProblem::NoCode => "error-no-code",
            ProviderProblem::TokenRefused => "error-token-refused",
            ProviderProblem::Unreachable => "error-unreachable",
            ProviderProblem::Unreadable => "error-unreadable",
            ProviderProblem::RefreshRefused => "error-refresh-refused",
            ProviderProblem::AccessDenied => "error-denied",
            ProviderProblem::AccountMismatch => "error-account-mismatch",
        };
        // The detail is the provider's own code (`invalid_grant`, `HTTP 500`): not translated.
        let detail = f.detail.clone().unwrap_or_else(|| self.text("no-details"));
        self.format(id, &[("detail", detail.into())])
    }

    /// A problem with the field `name` (labelled `label`) of a credential form.
    pub fn field_problem(&self, problem: FieldProblem, name: &str, label: &str) -> String {
        let id = match problem {
            FieldProblem::NotInForm => "field-not-in-form",
            FieldProblem::Missing => "field-missing",
            FieldProblem::TooLong => "field-too-long",
            FieldProblem::BadFormat => "field-bad-format",
            FieldProblem::ControlCharacter => "field-control-character",
        };
        self.format(id, &[("name", name.into()), ("label", label.into())])
    }

    /// What the page refusing a too-busy address says.
    pub fn too_many_requests(&self, retry_after_seconds: u64) -> String {
        self.format(
            "too-many-message",
            &[("seconds", retry_after_seconds.into())],
        )
    }
}
