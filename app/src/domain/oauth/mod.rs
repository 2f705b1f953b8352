//! The admin's OAuth app at a provider, as a connector configures it: the client of the
//! authorization request (the `oauth2` crate builds that URL and the PKCE pair), and the token
//! requests ([`token`]) and revocation, so client authentication is decided in one place.

pub mod token;

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

    /// The revocation request for a connection's tokens, shaped as the entry says (RFC 7009 by
    /// default). Client authentication is HTTP Basic when the catalog says so and there is a
    /// secret, otherwise the client id (and secret) in the form.
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
            ("token", token.to_owned()),
            ("token_type_hint", hint.to_owned()),
        ];
        match (shape.auth, self.token_auth, &self.client_secret) {
            (RevokeAuth::Bearer, _, _) => request = request.bearer_auth(access_token),
            (RevokeAuth::Client, TokenAuth::Basic | TokenAuth::Both, Some(secret)) => {
                request = request.basic_auth(&self.client_id, Some(secret.expose_secret()));
            }
            (RevokeAuth::Client, _, secret) => {
                form.push(("client_id", self.client_id.clone()));
                if let Some(secret) = secret {
                    form.push(("client_secret", secret.expose_secret().to_owned()));
                }
            }
        }
        Ok(match shape.body {
            RevokeBody::Form => request.form(&form),
            RevokeBody::Json => request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(serde_json::json!({ "token": token }).to_string()),
            RevokeBody::None => request,
        })
    }
}

fn client_id(connector: &Resolved) -> Result<String, AppError> {
    connector.model.client_id.clone().ok_or(AppError::Internal)
}

fn invalid_url(e: url::ParseError) -> AppError {
    tracing::error!(error = %e, "an OAuth endpoint of a connector is not a valid URL");
    AppError::Internal
}
