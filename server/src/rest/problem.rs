//! API errors as `application/problem+json` (RFC 9457), each with a stable `code`.

use app::domain::services::connections::CredentialsError;
use app::error::AppError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// An RFC 9457 problem document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the problem type; resolves to its entry in the API docs.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the problem type.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong with this request, safe to show.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Stable machine-readable code, e.g. `validation_failed`.
    pub code: String,
    /// Headers sent with it; boxed, as most problems have none.
    #[serde(skip)]
    headers: Option<Box<ProblemHeaders>>,
}

/// The headers some problems carry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct ProblemHeaders {
    /// `Retry-After`, in seconds.
    retry_after: Option<u64>,
    /// The `WWW-Authenticate` challenge sent with a `401` or `403` (RFC 6750 §3).
    challenge: Option<String>,
    /// `Connection: close`: the request body was not read to its end.
    close: bool,
}

impl Problem {
    /// A problem with this status, code, title and detail.
    pub fn new(status: StatusCode, code: &str, title: &str, detail: Option<String>) -> Self {
        Self {
            kind: format!("/api/docs#problem-{code}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
            code: code.to_owned(),
            headers: None,
        }
    }

    fn headers(&mut self) -> &mut ProblemHeaders {
        self.headers.get_or_insert_with(Box::default)
    }

    /// `401`: the same for a missing, malformed, unknown or revoked key.
    pub fn unauthorized() -> Self {
        let mut p = Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Authentication required",
            Some("Send a valid API key as `Authorization: Bearer <key>`.".into()),
        );
        p.headers().challenge = Some("Bearer".into());
        p
    }

    /// `403`: the key lacks a scope.
    pub fn insufficient_scope(scope: &str) -> Self {
        let mut p = Self::new(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            "Missing scope",
            Some(format!("This API key needs the scope `{scope}`.")),
        );
        p.headers().challenge = Some(format!(
            "Bearer error=\"insufficient_scope\", scope=\"{scope}\""
        ));
        p
    }

    /// `413`: the body is larger than the server reads. The rest of the body is left unread, so
    /// the answer closes the connection.
    pub fn payload_too_large(limit_bytes: usize) -> Self {
        let mut p = Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "Payload too large",
            Some(format!("At most {} KiB are accepted.", limit_bytes / 1024)),
        );
        p.headers().close = true;
        p
    }

    /// `405`: the path exists, the method does not.
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "Method not allowed",
            Some("The `Allow` header lists the methods this path accepts.".into()),
        )
    }

    /// Any other error status, for answers that did not come with a problem document.
    pub fn from_status(status: StatusCode) -> Self {
        match status {
            StatusCode::NOT_FOUND => Self::not_found(),
            StatusCode::UNAUTHORIZED => Self::unauthorized(),
            StatusCode::METHOD_NOT_ALLOWED => Self::method_not_allowed(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::unsupported_media_type(),
            StatusCode::INTERNAL_SERVER_ERROR => Self::internal(),
            s if s.is_server_error() => Self::new(
                s,
                "internal_error",
                s.canonical_reason().unwrap_or("Internal error"),
                None,
            ),
            s => Self::new(
                s,
                "bad_request",
                s.canonical_reason().unwrap_or("Bad request"),
                None,
            ),
        }
    }

    /// `404`.
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "Not found", None)
    }

    /// `400 invalid_grant`: an exchange code that is unknown, expired or already used (one answer
    /// for all three, as RFC 6749 §5.2 gives for authorization codes).
    pub fn invalid_grant() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "Invalid exchange code",
            Some("The code is unknown, expired or was already redeemed.".into()),
        )
    }

    /// `400`.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "Bad request",
            Some(detail.into()),
        )
    }

    /// `415`.
    pub fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Unsupported media type",
            Some("Send the body as application/json.".into()),
        )
    }

    /// `429` with `Retry-After`.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let mut p = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Too many requests",
            Some(format!(
                "This API key has used its requests for this minute; retry in {retry_after_secs} s."
            )),
        );
        p.headers().retry_after = Some(retry_after_secs);
        p
    }

    /// `500`.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Internal error",
            Some("Something went wrong on our side; it has been logged.".into()),
        )
    }
}

impl From<AppError> for Problem {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Validation(m) => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "Validation failed",
                Some(m),
            ),
            AppError::Unauthenticated => Problem::unauthorized(),
            AppError::Forbidden => {
                Problem::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", None)
            }
            AppError::NotFound => Problem::not_found(),
            AppError::Conflict(m) => {
                Problem::new(StatusCode::CONFLICT, "conflict", "Conflict", Some(m))
            }
            AppError::RateLimited { retry_after_secs } => Problem::rate_limited(retry_after_secs),
            AppError::Internal | AppError::Transport(_) => Problem::internal(),
        }
    }
}

impl From<sea_orm::DbErr> for Problem {
    fn from(e: sea_orm::DbErr) -> Self {
        AppError::from(e).into()
    }
}

impl From<CredentialsError> for Problem {
    fn from(e: CredentialsError) -> Self {
        match e {
            CredentialsError::NotFound => Problem::not_found(),
            CredentialsError::Disconnected => Problem::new(
                StatusCode::CONFLICT,
                "disconnected",
                "Disconnected",
                Some("The connection was disconnected; the tenant must connect again.".into()),
            ),
            CredentialsError::PendingConfirmation => Problem::new(
                StatusCode::CONFLICT,
                "pending_confirmation",
                "Awaiting confirmation",
                Some(
                    "The end user finished connecting, but the exchange code from the callback \
                     URL has not been redeemed; POST it to /api/v1/exchange."
                        .into(),
                ),
            ),
            CredentialsError::NeedsReauth => Problem::new(
                StatusCode::CONFLICT,
                "needs_reauth",
                "Reconnect needed",
                Some("The provider refused the refresh token; the tenant must reconnect.".into()),
            ),
            CredentialsError::Expired => Problem::new(
                StatusCode::CONFLICT,
                "needs_reauth",
                "Reconnect needed",
                Some(
                    "The access token has expired and the provider issued no refresh token; \
                     the tenant must reconnect."
                        .into(),
                ),
            ),
            CredentialsError::NotRefreshable => Problem::new(
                StatusCode::CONFLICT,
                "not_refreshable",
                "Not refreshable",
                Some(
                    "The provider issued no refresh token for this connection; a new token \
                     needs a reconnect."
                        .into(),
                ),
            ),
            CredentialsError::Unavailable(failure) => Problem::new(
                StatusCode::BAD_GATEWAY,
                "provider_unavailable",
                "Provider unavailable",
                Some(format!(
                    "The provider could not refresh the token right now: {}",
                    app::text::provider_failure(&failure)
                )),
            ),
            CredentialsError::Internal => Problem::internal(),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_string(&self).unwrap_or_default();
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response();
        let Some(extra) = self.headers else {
            return response;
        };
        let headers = response.headers_mut();
        if let Some(secs) = extra.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if let Some(challenge) = extra.challenge.as_deref()
            && let Ok(value) = HeaderValue::from_str(challenge)
        {
            headers.insert(header::WWW_AUTHENTICATE, value);
        }
        if extra.close {
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}
