//! The admin's OAuth app at a provider, as a connector configures it: the client of the
//! authorization request (the `oauth2` crate builds that URL and the PKCE pair), and the token
//! requests ([`token`]) and revocation, so client authentication is decided in one place.

pub mod token;

use base64::Engine;
use oauth2::basic::BasicClient;
use oauth2::{AuthUrl, ClientId, EndpointNotSet, EndpointSet, RedirectUrl};
use secrecy::{ExposeSecret, SecretString};

use crate::domain::catalog::{RevocationSpec, RevokeAuth, RevokeBody, RevokeToken, TokenAuth};
use crate::domain::crypto::Keyring;
use crate::domain::services::connectors::Resolved;
use crate::domain::services::outbound::{OutboundError, ProviderHttp};
use crate::error::AppError;

pub use token::{Grant, TokenFailure, Tokens};

/// A client that sends the end user to the authorization endpoint.
pub type AuthorizeClient =
    BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointNotSet>;

/// A connector's OAuth client id, secret and way of authenticating at the token endpoint.
pub struct OAuthApp {
    client_id: String,
    client_secret: Option<SecretString>,
    token_auth: TokenAuth,
}

impl OAuthApp {
    /// The app of an OAuth2 connector, with its client secret decrypted; an internal error when
    /// it has no client id or is not an OAuth2 connector (both are refused when it is saved).
    pub fn of(connector: &Resolved, keyring: &Keyring) -> Result<Self, AppError> {
        let spec = connector
            .provider
            .oauth2
            .as_ref()
            .ok_or(AppError::Internal)?;
        Ok(Self {
            client_id: client_id(connector)?,
            client_secret: connector.client_secret(keyring)?,
            token_auth: spec.token_auth,
        })
    }

    /// The client for the authorization request: client id, authorization endpoint and our
    /// redirect URI. It needs no secret, so none is decrypted.
    pub fn authorize_client(
        connector: &Resolved,
        authorization_url: &str,
        redirect_uri: &str,
    ) -> Result<AuthorizeClient, AppError> {
        Ok(BasicClient::new(ClientId::new(client_id(connector)?))
            .set_auth_uri(AuthUrl::new(authorization_url.to_owned()).map_err(invalid_url)?)
            .set_redirect_uri(RedirectUrl::new(redirect_uri.to_owned()).map_err(invalid_url)?))
    }

    /// Client authentication at the token and revocation endpoints, as the catalog says: HTTP
    /// Basic for `basic` and `both`, the credentials in `form` for `request_body` and `both`;
    /// without a secret (a public client) only the client id, in `form`.
    fn authenticate(
        &self,
        request: reqwest::RequestBuilder,
        form: &mut Vec<(String, String)>,
    ) -> reqwest::RequestBuilder {
        let secret = self.client_secret.as_ref().map(|s| s.expose_secret());
        let (basic, in_form) = match (self.token_auth, secret) {
            (_, None) | (TokenAuth::RequestBody, _) => (false, true),
            (TokenAuth::Basic, Some(_)) => (true, false),
            (TokenAuth::Both, Some(_)) => (true, true),
        };
        if in_form {
            form.push(("client_id".into(), self.client_id.clone()));
            if let Some(secret) = secret {
                form.push(("client_secret".into(), secret.to_owned()));
            }
        }
        match secret {
            Some(secret) if basic => request.header(
                reqwest::header::AUTHORIZATION,
                basic_credentials(&self.client_id, secret),
            ),
            _ => request,
        }
    }

    /// The revocation request for a connection's tokens, shaped as the entry says (RFC 7009 by
    /// default), authenticated like the token requests unless the entry says bearer.
    pub fn revocation_request(
        &self,
        http: &ProviderHttp,
        shape: &RevocationSpec,
        url: &str,
        access_token: &str,
        refresh_token: Option<&str>,
    ) -> Result<reqwest::RequestBuilder, OutboundError> {
        let (token, hint) = match (shape.token, refresh_token) {
            (RevokeToken::Refresh, Some(t)) => (t, "refresh_token"),
            _ => (access_token, "access_token"),
        };
        let mut request = http
            .post(url)?
            .header(reqwest::header::ACCEPT, "application/json");
        let mut form = vec![
            ("token".to_owned(), token.to_owned()),
            ("token_type_hint".to_owned(), hint.to_owned()),
        ];
        request = match shape.auth {
            RevokeAuth::Bearer => request.bearer_auth(access_token),
            RevokeAuth::Client => self.authenticate(request, &mut form),
        };
        Ok(match shape.body {
            RevokeBody::Form => request.form(&form),
            RevokeBody::Json => request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(serde_json::json!({ "token": token }).to_string()),
            RevokeBody::None => request,
        })
    }
}

/// RFC 6749 §2.3.1: the client id and secret are form-urlencoded before they are joined.
fn basic_credentials(client_id: &str, secret: &str) -> String {
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let pair = format!("{}:{}", encode(client_id), encode(secret));
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

fn client_id(connector: &Resolved) -> Result<String, AppError> {
    connector.model.client_id.clone().ok_or(AppError::Internal)
}

fn invalid_url(e: url::ParseError) -> AppError {
    tracing::error!(error = %e, "an OAuth endpoint of a connector is not a valid URL");
    AppError::Internal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_credentials_are_urlencoded_for_basic() {
        let header = basic_credentials("id:1", "s e/cret");
        let encoded = header.strip_prefix("Basic ").expect("basic");
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .expect("base64");
        assert_eq!(decoded, b"id%3A1:s+e%2Fcret");
    }
}
