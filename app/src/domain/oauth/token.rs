//! Requests to a provider's token endpoint (code exchange and refresh) and the tolerant reading
//! of what comes back. Real token endpoints stray from RFC 6749 in many ways — no `token_type`
//! (Shopify), numbers as strings, the token nested under another key (Slack's `authed_user`),
//! errors sent with HTTP 200 (`{"ok": false}`), form-encoded bodies — so the catalog entry says
//! where each value is, and the answer is read as JSON by these rules instead of one strict type.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::OAuthApp;
use crate::domain::catalog::{OAuth2Spec, TokenBody, TokenResponseSpec};
use crate::domain::services::outbound::{ProviderHttp, read_limited};
use crate::failure::{ProviderFailure, ProviderProblem};

/// Longest token response read; a provider sending more is not answering a token request.
const MAX_TOKEN_RESPONSE: usize = 64 * 1024;

/// Fields of the answer that are the token itself, never kept in the `raw` copy.
const TOKEN_FIELDS: [&str; 5] = [
    "access_token",
    "refresh_token",
    "token_type",
    "expires_in",
    "scope",
];

/// What the token endpoint issued.
#[derive(Debug, Clone, PartialEq)]
pub struct Tokens {
    /// The access token.
    pub access_token: String,
    /// The refresh token, when one was issued.
    pub refresh_token: Option<String>,
    /// The token type; `bearer` when the provider names none.
    pub token_type: String,
    /// Lifetime in seconds, when the provider gives one (numbers and numeric strings).
    pub expires_in: Option<u64>,
    /// Granted scopes, when the provider lists them.
    pub scopes: Option<Vec<String>>,
    /// The rest of the answer (without the token fields), e.g. Salesforce's `instance_url`.
    pub raw: Map<String, Value>,
}

impl Tokens {
    /// When the access token expires: as the provider says, else after the entry's assumed
    /// lifetime (`default_expires_in`), else not known.
    pub fn expires_at(
        &self,
        spec: &OAuth2Spec,
        now: time::OffsetDateTime,
    ) -> Option<time::OffsetDateTime> {
        expiry(
            now,
            self.expires_in.or(spec.default_expires_in.map(u64::from))?,
        )
    }
}

/// The longest lifetime we act on; the parser already ignores longer ones, and this keeps a
/// hand-built [`Tokens`] from overflowing the clock either.
const MAX_LIFETIME_SECONDS: u64 = 315_576_000;

/// `now` plus a provider-given lifetime, clamped to ten years.
fn expiry(now: time::OffsetDateTime, seconds: u64) -> Option<time::OffsetDateTime> {
    let seconds = i64::try_from(seconds.min(MAX_LIFETIME_SECONDS)).ok()?;
    now.checked_add(time::Duration::seconds(seconds))
}

/// Why a token request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenFailure {
    /// The provider refused, with its error code (`invalid_grant`, Slack's `invalid_code`, or
    /// `http_<status>` when it named none).
    Refused(String),
    /// No answer in time, or no connection.
    Unreachable,
    /// An answer that is not a token response.
    Unreadable,
}

impl TokenFailure {
    /// Whether the provider refused the refresh token itself: only reconnecting helps.
    pub fn is_final(&self) -> bool {
        matches!(self, TokenFailure::Refused(code)
            if code == "invalid_grant" || code == "invalid_refresh_token")
    }

    /// As a provider failure with the provider's error code.
    pub fn failure(&self) -> ProviderFailure {
        match self {
            TokenFailure::Refused(code) => {
                ProviderFailure::with_detail(ProviderProblem::TokenRefused, code)
            }
            TokenFailure::Unreachable => ProviderFailure::new(ProviderProblem::Unreachable),
            TokenFailure::Unreadable => ProviderFailure::new(ProviderProblem::Unreadable),
        }
    }
}

/// The grant a token request makes.
pub enum Grant<'a> {
    /// Authorization code (RFC 6749 §4.1.3), with the PKCE verifier when one was sent.
    Code {
        /// The code from the callback.
        code: &'a str,
        /// The redirect URI of the authorization request.
        redirect_uri: &'a str,
        /// The PKCE verifier.
        verifier: Option<&'a str>,
    },
    /// Refresh token (RFC 6749 §6).
    Refresh {
        /// The refresh token.
        refresh_token: &'a str,
    },
}

impl OAuthApp {
    /// Sends a token request to `url` and reads the answer as the catalog entry says.
    pub async fn request_tokens(
        &self,
        http: &ProviderHttp,
        spec: &OAuth2Spec,
        url: &str,
        grant: Grant<'_>,
    ) -> Result<Tokens, TokenFailure> {
        let mut form: Vec<(String, String)> = Vec::new();
        let extra = match grant {
            Grant::Code {
                code,
                redirect_uri,
                verifier,
            } => {
                form.push(("grant_type".into(), "authorization_code".into()));
                form.push(("code".into(), code.into()));
                form.push(("redirect_uri".into(), redirect_uri.into()));
                if let Some(v) = verifier {
                    form.push(("code_verifier".into(), v.into()));
                }
                &spec.token_params
            }
            Grant::Refresh { refresh_token } => {
                form.push(("grant_type".into(), "refresh_token".into()));
                form.push(("refresh_token".into(), refresh_token.into()));
                &spec.refresh_params
            }
        };
        push_params(&mut form, extra);
        let mut request = http
            .post(url)
            .map_err(|_| TokenFailure::Unreachable)?
            .header(reqwest::header::ACCEPT, "application/json");
        request = self.authenticate(request, &mut form);
        request = match spec.token_body {
            TokenBody::Form => request.form(&form),
            TokenBody::Json => {
                let object: Map<String, Value> = form
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect();
                request.json(&object)
            }
        };
        let response = request.send().await.map_err(|e| {
            tracing::info!(timeout = e.is_timeout(), "token request failed");
            TokenFailure::Unreachable
        })?;
        let status = response.status().as_u16();
        let body = read_limited(response, MAX_TOKEN_RESPONSE)
            .await
            .map_err(|_| TokenFailure::Unreadable)?;
        read_token_response(status, &body, &spec.token_response)
    }
}

/// Adds the catalog's extra parameters, never overriding what the grant itself sets.
fn push_params(form: &mut Vec<(String, String)>, extra: &BTreeMap<String, String>) {
    for (k, v) in extra {
        if !form.iter().any(|(name, _)| name == k) {
            form.push((k.clone(), v.clone()));
        }
    }
}

/// Reads a token endpoint's answer: JSON, or a form-encoded body, by the entry's rules.
pub fn read_token_response(
    status: u16,
    body: &[u8],
    spec: &TokenResponseSpec,
) -> Result<Tokens, TokenFailure> {
    let Some(answer) = parse_body(body) else {
        return Err(if (200..300).contains(&status) {
            TokenFailure::Unreadable
        } else {
            TokenFailure::Refused(format!("http_{status}"))
        });
    };
    let error = first_string(&answer, &spec.error);
    let said_no = spec
        .ok_flag
        .as_deref()
        .is_some_and(|p| answer.pointer(p) == Some(&Value::Bool(false)));
    let access_token = first_string(&answer, &spec.access_token);
    if !(200..300).contains(&status) || said_no || (error.is_some() && access_token.is_none()) {
        return Err(TokenFailure::Refused(
            error.unwrap_or_else(|| format!("http_{status}")),
        ));
    }
    let access_token = access_token.ok_or(TokenFailure::Unreadable)?;
    let Value::Object(mut raw) = answer.clone() else {
        return Err(TokenFailure::Unreadable);
    };
    for field in TOKEN_FIELDS {
        raw.remove(field);
    }
    Ok(Tokens {
        access_token,
        refresh_token: first_string(&answer, &spec.refresh_token),
        token_type: first_string(&answer, &spec.token_type).unwrap_or_else(|| "bearer".into()),
        expires_in: spec
            .expires_in
            .iter()
            .find_map(|p| answer.pointer(p).and_then(seconds)),
        scopes: spec
            .scope
            .iter()
            .find_map(|p| answer.pointer(p).and_then(scope_list)),
        raw,
    })
}

fn parse_body(body: &[u8]) -> Option<Value> {
    if let Ok(value @ Value::Object(_)) = serde_json::from_slice::<Value>(body) {
        return Some(value);
    }
    // Some endpoints answer `access_token=…&scope=…` whatever `Accept` says.
    let text = std::str::from_utf8(body).ok()?.trim();
    if text.is_empty() || text.starts_with('<') || !text.contains('=') {
        return None;
    }
    let map: Map<String, Value> = url::form_urlencoded::parse(text.as_bytes())
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect();
    Some(Value::Object(map))
}

/// The first non-empty string (or number, as text) at one of `pointers`.
fn first_string(answer: &Value, pointers: &[String]) -> Option<String> {
    pointers.iter().find_map(|p| match answer.pointer(p)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// A positive lifetime in whole seconds, from a number or a numeric string.
fn seconds(v: &Value) -> Option<u64> {
    let n = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    // Beyond ten years is no expiry we can act on; zero and below mean "not said".
    (1.0..MAX_LIFETIME_SECONDS as f64)
        .contains(&n)
        .then_some(n as u64)
}

/// Scopes as a list: a space- or comma-separated string, or an array of strings.
fn scope_list(v: &Value) -> Option<Vec<String>> {
    let scopes: Vec<String> = match v {
        Value::String(s) => s
            .split([' ', ','])
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => return None,
    };
    Some(scopes)
}

#[cfg(test)]
mod tests {
    use proptest::strategy::Strategy;

    use super::*;

    fn read(status: u16, body: &str, spec: &TokenResponseSpec) -> Result<Tokens, TokenFailure> {
        read_token_response(status, body.as_bytes(), spec)
    }

    #[test]
    fn a_standard_answer_is_read_and_the_token_fields_are_not_kept_raw() {
        let t = read(
            200,
            r#"{"access_token":"a","refresh_token":"r","token_type":"Bearer","expires_in":3600,"scope":"x y","instance_url":"https://i"}"#,
            &TokenResponseSpec::default(),
        )
        .expect("tokens");
        assert_eq!(t.access_token, "a");
        assert_eq!(t.refresh_token.as_deref(), Some("r"));
        assert_eq!(t.token_type, "Bearer");
        assert_eq!(t.expires_in, Some(3600));
        assert_eq!(t.scopes, Some(vec!["x".to_owned(), "y".to_owned()]));
        assert_eq!(t.raw.len(), 1);
        assert_eq!(t.raw["instance_url"], "https://i");
    }

    #[test]
    fn missing_token_type_numeric_strings_and_comma_scopes_are_tolerated() {
        let t = read(
            200,
            r#"{"access_token":"shpat_1","scope":"read_products,read_orders","expires_in":"86399"}"#,
            &TokenResponseSpec::default(),
        )
        .expect("tokens");
        assert_eq!(t.token_type, "bearer");
        assert_eq!(t.expires_in, Some(86_399));
        assert_eq!(t.scopes.map(|s| s.len()), Some(2));
        let zero = read(
            200,
            r#"{"access_token":"a","expires_in":0}"#,
            &Default::default(),
        );
        assert_eq!(zero.expect("tokens").expires_in, None);
    }

    #[test]
    fn errors_sent_with_200_are_refusals() {
        let slack = TokenResponseSpec {
            ok_flag: Some("/ok".into()),
            ..TokenResponseSpec::default()
        };
        assert_eq!(
            read(200, r#"{"ok":false,"error":"invalid_code"}"#, &slack),
            Err(TokenFailure::Refused("invalid_code".into()))
        );
        assert_eq!(
            read(
                200,
                r#"{"error":"bad_verification_code"}"#,
                &Default::default()
            ),
            Err(TokenFailure::Refused("bad_verification_code".into()))
        );
        assert_eq!(
            read(400, r#"{"error":"invalid_grant"}"#, &Default::default()),
            Err(TokenFailure::Refused("invalid_grant".into()))
        );
        assert_eq!(
            read(503, "<html>down</html>", &Default::default()),
            Err(TokenFailure::Refused("http_503".into()))
        );
        assert!(TokenFailure::Refused("invalid_grant".into()).is_final());
        assert!(!TokenFailure::Refused("http_503".into()).is_final());
    }

    #[test]
    fn nested_tokens_are_found_by_the_entry_pointers() {
        let spec = TokenResponseSpec {
            access_token: vec!["/access_token".into(), "/authed_user/access_token".into()],
            ..TokenResponseSpec::default()
        };
        let user_only =
            r#"{"ok":true,"authed_user":{"id":"U1","access_token":"xoxp-1"},"team":{"id":"T1"}}"#;
        let t = read(200, user_only, &spec).expect("tokens");
        assert_eq!(t.access_token, "xoxp-1");
        assert_eq!(t.raw["team"]["id"], "T1");
    }

    #[test]
    fn form_encoded_and_unreadable_bodies() {
        let t = read(
            200,
            "access_token=gho_1&scope=repo&token_type=bearer",
            &Default::default(),
        )
        .expect("tokens");
        assert_eq!(t.access_token, "gho_1");
        assert_eq!(
            read(200, "<html>hello</html>", &Default::default()),
            Err(TokenFailure::Unreadable)
        );
        assert_eq!(
            read(200, r#"{"token":"x"}"#, &Default::default()),
            Err(TokenFailure::Unreadable)
        );
        assert_eq!(
            read(200, "[1,2]", &Default::default()),
            Err(TokenFailure::Unreadable)
        );
    }

    #[test]
    fn extra_parameters_never_override_the_grant() {
        let mut form = vec![("grant_type".to_owned(), "refresh_token".to_owned())];
        let extra = BTreeMap::from([
            ("grant_type".to_owned(), "password".to_owned()),
            ("expiring".to_owned(), "1".to_owned()),
        ]);
        push_params(&mut form, &extra);
        assert_eq!(
            form,
            [
                ("grant_type".to_owned(), "refresh_token".to_owned()),
                ("expiring".to_owned(), "1".to_owned())
            ]
        );
    }

    #[test]
    fn a_lifetime_of_any_size_gives_an_expiry_within_ten_years() {
        let now = time::macros::datetime!(2026-12-02 12:00 UTC);
        for seconds in [0, 1, 3600, u64::from(u32::MAX), i64::MAX as u64, u64::MAX] {
            let at = expiry(now, seconds).expect("an expiry");
            assert!(
                at >= now && at <= now + time::Duration::days(3653),
                "{seconds}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn any_answer_is_read_or_refused_without_panicking(
            status in 100u16..600,
            body in proptest::collection::vec(proptest::num::u8::ANY, 0..512),
        ) {
            let _ = read_token_response(status, &body, &TokenResponseSpec::default());
        }

        #[test]
        fn any_json_token_answer_gives_a_bounded_lifetime(
            token in "[ -~]{0,40}",
            expires in proptest::prop_oneof![
                proptest::num::f64::ANY.prop_map(|n| serde_json::json!(n)),
                proptest::num::i64::ANY.prop_map(|n| serde_json::json!(n)),
                proptest::num::u64::ANY.prop_map(|n| serde_json::json!(n)),
                "[ -~]{0,30}".prop_map(|s| serde_json::json!(s)),
            ],
            scope in proptest::option::of("[ -~]{0,60}"),
        ) {
            let body = serde_json::json!({
                "access_token": token, "expires_in": expires, "scope": scope,
            });
            let now = time::macros::datetime!(2026-12-02 12:00 UTC);
            let read = read_token_response(200, body.to_string().as_bytes(), &TokenResponseSpec::default());
            if let Some(seconds) = read.ok().and_then(|t| t.expires_in) {
                let at = expiry(now, seconds).expect("an expiry");
                proptest::prop_assert!(at <= now + time::Duration::days(3653));
            }
        }
    }
}
