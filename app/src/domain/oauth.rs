//! The admin's OAuth app at a provider, as a connector configures it. The one place that builds
//! the clients of the authorization request, the code exchange, token refresh and revocation, so
//! client authentication (HTTP Basic or request body) is decided once.

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, ClientId, ClientSecret, EndpointNotSet, EndpointSet, ExtraTokenFields,
    RedirectUrl, StandardRevocableToken, StandardTokenResponse, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::domain::catalog::TokenAuth;
use crate::domain::crypto::Keyring;
use crate::domain::services::connectors::Resolved;
use crate::error::AppError;
use crate::failure::{ProviderFailure, ProviderProblem};

/// The token response, keeping the provider's extra fields (e.g. Salesforce's `instance_url`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ExtraFields(#[serde(default)] pub serde_json::Map<String, serde_json::Value>);

impl ExtraTokenFields for ExtraFields {}

/// A token response with the provider's extra fields.
pub type TokenResp = StandardTokenResponse<ExtraFields, BasicTokenType>;

/// Why a request to the token endpoint failed.
pub type TokenError =
    oauth2::RequestTokenError<oauth2::HttpClientError<reqwest::Error>, BasicErrorResponse>;

/// A client that sends the end user to the authorization endpoint.
pub type AuthorizeClient = oauth2::basic::BasicClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
>;

/// A client of the token endpoint: code exchange and refresh.
pub type TokenClient = oauth2::Client<
    BasicErrorResponse,
    TokenResp,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

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
        Ok(
            oauth2::basic::BasicClient::new(ClientId::new(client_id(connector)?))
                .set_auth_uri(AuthUrl::new(authorization_url.to_owned()).map_err(invalid_url)?)
                .set_redirect_uri(RedirectUrl::new(redirect_uri.to_owned()).map_err(invalid_url)?),
        )
    }

    /// The client for the token endpoint, authenticating as the catalog says.
    pub fn token_client(&self, token_url: &str) -> Result<TokenClient, AppError> {
        let mut client: TokenClient = oauth2::Client::new(ClientId::new(self.client_id.clone()))
            .set_token_uri(TokenUrl::new(token_url.to_owned()).map_err(invalid_url)?)
            .set_auth_type(match self.token_auth {
                TokenAuth::Basic => AuthType::BasicAuth,
                TokenAuth::RequestBody => AuthType::RequestBody,
            });
        if let Some(secret) = &self.client_secret {
            client = client.set_client_secret(ClientSecret::new(secret.expose_secret().to_owned()));
        }
        Ok(client)
    }

    /// An RFC 7009 revocation request for `form` (`token`, `token_type_hint`), authenticated like
    /// the token requests: HTTP Basic when the catalog says so and there is a secret, otherwise
    /// the client id (and secret) in the body.
    pub fn revocation_request(
        &self,
        http: &reqwest::Client,
        url: &str,
        mut form: Vec<(&'static str, String)>,
    ) -> reqwest::RequestBuilder {
        let mut request = http.post(url);
        match (self.token_auth, &self.client_secret) {
            (TokenAuth::Basic, Some(secret)) => {
                request = request.basic_auth(&self.client_id, Some(secret.expose_secret()));
            }
            _ => {
                form.push(("client_id", self.client_id.clone()));
                if let Some(secret) = &self.client_secret {
                    form.push(("client_secret", secret.expose_secret().to_owned()));
                }
            }
        }
        request.form(&form)
    }
}

fn client_id(connector: &Resolved) -> Result<String, AppError> {
    connector.model.client_id.clone().ok_or(AppError::Internal)
}

fn invalid_url(e: url::ParseError) -> AppError {
    tracing::error!(error = %e, "an OAuth endpoint of a connector is not a valid URL");
    AppError::Internal
}

/// Why a token request failed, with the provider's `error` code when it sent one.
pub fn token_failure(e: &TokenError) -> ProviderFailure {
    match e {
        oauth2::RequestTokenError::ServerResponse(r) => {
            ProviderFailure::with_detail(ProviderProblem::TokenRefused, r.error().as_ref())
        }
        oauth2::RequestTokenError::Request(_) => ProviderFailure::new(ProviderProblem::Unreachable),
        oauth2::RequestTokenError::Parse(_, _) | oauth2::RequestTokenError::Other(_) => {
            ProviderFailure::new(ProviderProblem::Unreadable)
        }
    }
}
