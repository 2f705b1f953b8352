//! The checks a connector's key, scopes and options must pass.

use crate::domain::catalog::Provider;
use crate::error::AppError;
use crate::types::{AuthMode, ConnectorOptions};

/// The key derived from a name: lower-case letters, digits and dashes.
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(64).collect()
}

pub(super) fn validate_key(key: &str) -> Result<String, AppError> {
    let ok = !key.is_empty()
        && key.len() <= 64
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && !key.starts_with('-');
    if ok {
        Ok(key.to_owned())
    } else {
        Err(AppError::Validation(
            "The key uses lower-case letters, digits, - and _ (at most 64).".into(),
        ))
    }
}

pub(super) fn parse_scopes(text: &str) -> Result<Vec<String>, AppError> {
    let scopes: Vec<String> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if scopes.len() > 100 {
        return Err(AppError::Validation("At most 100 scopes.".into()));
    }
    // RFC 6749 §3.3: scope tokens are printable ASCII without space, `"` or `\`.
    if scopes.iter().any(|s| {
        s.len() > 200
            || !s
                .bytes()
                .all(|b| (0x21..=0x7e).contains(&b) && b != b'"' && b != b'\\')
    }) {
        return Err(AppError::Validation(
            "A scope is printable ASCII without quotes or backslashes.".into(),
        ));
    }
    Ok(scopes)
}

/// Checks a URL an admin typed for a generic template: https, or http to a loopback host for
/// development.
pub fn validate_endpoint(text: &str, what: &str) -> Result<String, AppError> {
    let bad = || AppError::Validation(format!("Enter the {what} as an https:// URL."));
    let url = url::Url::parse(text.trim()).map_err(|_| bad())?;
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    let ok = match url.scheme() {
        "https" => true,
        "http" => loopback,
        _ => false,
    };
    if !ok || url.host_str().is_none() || !url.username().is_empty() || url.password().is_some() {
        return Err(bad());
    }
    Ok(url.to_string())
}

/// Checks and normalises a connector's options against its provider.
pub(super) fn validate_options(
    provider: &Provider,
    mut options: ConnectorOptions,
) -> Result<ConnectorOptions, AppError> {
    let optional = |v: Option<String>, what: &str| -> Result<Option<String>, AppError> {
        match v.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => validate_endpoint(text, what).map(Some),
        }
    };
    options.authorization_url = optional(options.authorization_url, "authorization URL")?;
    options.token_url = optional(options.token_url, "token URL")?;
    options.revocation_url = optional(options.revocation_url, "revocation URL")?;
    options.verify_url = optional(options.verify_url, "verification URL")?;
    options.identity_url = optional(options.identity_url, "identity URL")?;
    if provider.generic
        && provider.auth == AuthMode::OAuth2
        && (options.authorization_url.is_none() || options.token_url.is_none())
    {
        return Err(AppError::Validation(
            "A generic OAuth2 connector needs its authorization URL and token URL.".into(),
        ));
    }
    if let Some(p) = options.identity_pointer.as_deref().map(str::trim) {
        options.identity_pointer = match p {
            "" => None,
            p if p.starts_with('/') && p.len() <= 200 => Some(p.to_owned()),
            _ => {
                return Err(AppError::Validation(
                    "The identity pointer is a JSON pointer such as /email.".into(),
                ));
            }
        };
    }
    check_api_key_header(&mut options)?;
    check_authorization_params(&options.authorization_params)?;
    Ok(options)
}

/// The header an API key is sent in: a plain header name, and a one-line prefix.
fn check_api_key_header(options: &mut ConnectorOptions) -> Result<(), AppError> {
    if let Some(h) = options.header_name.as_deref().map(str::trim) {
        options.header_name = match h {
            "" => None,
            h if h.len() <= 100 && h.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') => {
                Some(h.to_owned())
            }
            _ => {
                return Err(AppError::Validation(
                    "The header name is letters, digits and -.".into(),
                ));
            }
        };
    }
    if let Some(prefix) = &options.header_prefix
        && (prefix.len() > 100 || prefix.chars().any(char::is_control))
    {
        return Err(AppError::Validation(
            "The header prefix is too long or has control characters.".into(),
        ));
    }
    Ok(())
}

/// Extra authorization parameters: at most 20 one-line pairs, none replacing a parameter of
/// the flow itself.
fn check_authorization_params(params: &[(String, String)]) -> Result<(), AppError> {
    if params.len() > 20
        || params.iter().any(|(k, v)| {
            k.is_empty()
                || k.len() > 100
                || v.len() > 500
                || k.chars().chain(v.chars()).any(char::is_control)
        })
    {
        return Err(AppError::Validation(
            "Check the extra authorization parameters.".into(),
        ));
    }
    const RESERVED: [&str; 7] = [
        "client_id",
        "redirect_uri",
        "state",
        "code_challenge",
        "code_challenge_method",
        "response_type",
        "scope",
    ];
    if params.iter().any(|(k, _)| RESERVED.contains(&k.as_str())) {
        return Err(AppError::Validation(
            "Extra parameters cannot replace client_id, redirect_uri, state, PKCE, response_type or scope.".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_derived_from_names() {
        assert_eq!(slugify("Salesforce (prod app)"), "salesforce-prod-app");
        assert_eq!(slugify("  ??? "), "");
        assert!(validate_key("").is_err());
        assert!(validate_key("Has Caps").is_err());
        assert!(validate_key("ok_key-1").is_ok());
    }

    #[test]
    fn scopes_are_split_and_checked() {
        assert_eq!(
            parse_scopes("repo, read:user  openid").expect("valid"),
            vec!["repo", "read:user", "openid"]
        );
        assert!(parse_scopes("bad\"scope").is_err());
    }

    #[test]
    fn endpoints_must_be_https_or_loopback_http() {
        assert!(validate_endpoint("https://idp.example.com/authorize", "x").is_ok());
        assert!(validate_endpoint("http://localhost:8080/authorize", "x").is_ok());
        assert!(validate_endpoint("http://127.0.0.1:8080/token", "x").is_ok());
        for bad in [
            "http://idp.example.com/authorize",
            "javascript:alert(1)",
            "https://user:pw@idp.example.com/",
            "not a url",
        ] {
            assert!(validate_endpoint(bad, "x").is_err(), "{bad}");
        }
    }
}
