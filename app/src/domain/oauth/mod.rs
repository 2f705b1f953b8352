//! The admin's OAuth app at a provider, as a connector configures it: the client of the
//! authorization request (the `oauth2` crate builds that URL and the PKCE pair), and the token
//! requests ([`token`]) and revocation, so client authentication is decided in one place.

pub mod token;

use oauth2::basic::BasicClient;
use oauth2::{AuthUrl, ClientId, EndpointNotSet, EndpointSet, RedirectUrl};
use secrecy::{ExposeSecret, SecretString};

use crate::domain::catalog::TokenAuth;
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

    /// An RFC 7009 revocation request for `form` (`token`, `token_type_hint`), authenticated like
    /// the token requests: HTTP Basic when the catalog says so and there is a secret, otherwise
    /// the client id (and secret) in the body.
    pub fn revocation_request(
        &self,
        http: &ProviderHttp,
        url: &str,
        mut form: Vec<(&'static str, String)>,
    ) -> Result<reqwest::RequestBuilder, OutboundError> {
        let mut request = http.post(url)?;
        match (self.token_auth, &self.client_secret) {
            (TokenAuth::Basic | TokenAuth::Both, Some(secret)) => {
                request = request.basic_auth(&self.client_id, Some(secret.expose_secret()));
            }
            _ => {
                form.push(("client_id", self.client_id.clone()));
                if let Some(secret) = &self.client_secret {
                    form.push(("client_secret", secret.expose_secret().to_owned()));
                }
            }
        }
        Ok(request.form(&form))
    }
}

fn client_id(connector: &Resolved) -> Result<String, AppError> {
    connector.model.client_id.clone().ok_or(AppError::Internal)
}

fn invalid_url(e: url::ParseError) -> AppError {
    tracing::error!(error = %e, "an OAuth endpoint of a connector is not a valid URL");
    AppError::Internal
}
