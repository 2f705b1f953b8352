//! Single sign-on through the company's OpenID Connect provider (authorization code flow with
//! PKCE S256, `state` bound to the browser's session, a `nonce` checked in the ID token).
//!
//! The provider is found by discovery and its `issuer` must be exactly the configured one; the ID
//! token's signature (keys from its JWKS), issuer, audience, expiry and nonce are verified, with
//! time from the injected clock; a callback's `iss` (RFC 9207), when sent, must be the issuer.
//! Only a verified e-mail address in an allowed domain signs in: an existing member as they are,
//! anyone else as a new member with the configured default role and no usable password.

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, Scope, TokenResponse,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::domain::clock::Clock;
use crate::domain::entities::admin_user;
use crate::domain::password::PasswordHasher;
use crate::domain::services::admin::{insert_admin, normalize_email};
use crate::error::AppError;
use crate::types::Role;

/// The path the provider sends the browser back to.
pub const CALLBACK_PATH: &str = "/sso/callback";
/// How long a started sign-in waits for the provider.
pub const FLOW_LIFETIME_SECS: i64 = 600;

/// How single sign-on is configured (`AUTHLINK_SSO_*`).
#[derive(Debug, Clone)]
pub struct SsoSettings {
    /// The provider's issuer, exactly as its discovery document names it.
    pub issuer: String,
    /// Our client id there.
    pub client_id: String,
    /// Our client secret there.
    pub client_secret: SecretString,
    /// E-mail domains that may sign in (lower case).
    pub allowed_domains: Vec<String>,
    /// The role of someone who signs in for the first time.
    pub default_role: Role,
    /// The provider's name on the sign-in button.
    pub label: String,
}

/// A sign-in waiting for the provider, kept in the browser's session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingSso {
    state: String,
    nonce: String,
    verifier: String,
    started_at: i64,
}

/// Why a single sign-on was refused; the sign-in page puts the code into words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsoFailure {
    /// The provider could not be reached, or its discovery document is unusable.
    Unreachable,
    /// Its discovery document names another issuer, or a callback's `iss` is not the issuer.
    IssuerMismatch,
    /// The callback does not belong to a sign-in this browser started.
    StateMismatch,
    /// The sign-in took longer than [`FLOW_LIFETIME_SECS`].
    Expired,
    /// The provider answered with an error (the person cancelled, or it refused).
    Refused,
    /// The code could not be exchanged for tokens.
    TokenRefused,
    /// The ID token is missing or does not verify (signature, issuer, audience, expiry, nonce).
    InvalidIdToken,
    /// The ID token has no verified e-mail address.
    EmailUnverified,
    /// The address is not in an allowed domain.
    DomainNotAllowed,
}

impl SsoFailure {
    /// Every refusal.
    pub const ALL: [SsoFailure; 9] = [
        SsoFailure::Unreachable,
        SsoFailure::IssuerMismatch,
        SsoFailure::StateMismatch,
        SsoFailure::Expired,
        SsoFailure::Refused,
        SsoFailure::TokenRefused,
        SsoFailure::InvalidIdToken,
        SsoFailure::EmailUnverified,
        SsoFailure::DomainNotAllowed,
    ];

    /// The code in `/sign-in?sso_error=…`.
    pub fn code(self) -> &'static str {
        match self {
            SsoFailure::Unreachable => "unreachable",
            SsoFailure::IssuerMismatch => "issuer_mismatch",
            SsoFailure::StateMismatch => "state_mismatch",
            SsoFailure::Expired => "expired",
            SsoFailure::Refused => "refused",
            SsoFailure::TokenRefused => "token_refused",
            SsoFailure::InvalidIdToken => "invalid_id_token",
            SsoFailure::EmailUnverified => "email_unverified",
            SsoFailure::DomainNotAllowed => "domain_not_allowed",
        }
    }
}

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// No redirects followed, bounded time: the provider is a remote party.
fn http() -> Result<reqwest::Client, SsoFailure> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(std::time::Duration::from_secs(5))
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|_| SsoFailure::Unreachable)
}

async fn client(
    settings: &SsoSettings,
    http: &reqwest::Client,
    public_origin: &str,
) -> Result<Client, SsoFailure> {
    let issuer = IssuerUrl::new(settings.issuer.clone()).map_err(|_| SsoFailure::Unreachable)?;
    let metadata = CoreProviderMetadata::discover_async(issuer, http)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "SSO discovery failed");
            match e {
                openidconnect::DiscoveryError::Validation(_) => SsoFailure::IssuerMismatch,
                _ => SsoFailure::Unreachable,
            }
        })?;
    let redirect = RedirectUrl::new(format!(
        "{}{CALLBACK_PATH}",
        public_origin.trim_end_matches('/')
    ))
    .map_err(|_| SsoFailure::Unreachable)?;
    Ok(CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(settings.client_id.clone()),
        Some(ClientSecret::new(
            settings.client_secret.expose_secret().to_owned(),
        )),
    )
    .set_redirect_uri(redirect))
}

/// Starts a sign-in: the provider's authorization URL to send the browser to, and what the
/// browser's session must keep until the callback.
pub async fn start(
    settings: &SsoSettings,
    public_origin: &str,
    clock: &dyn Clock,
) -> Result<(String, PendingSso), SsoFailure> {
    let http = http()?;
    let client = client(settings, &http, public_origin).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .set_pkce_challenge(challenge)
        .url();
    Ok((
        url.to_string(),
        PendingSso {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            verifier: verifier.secret().clone(),
            started_at: clock.now().unix_timestamp(),
        },
    ))
}

/// What the provider's callback carried.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Callback {
    /// The authorization code.
    pub code: Option<String>,
    /// The state we sent.
    pub state: Option<String>,
    /// The issuer (RFC 9207).
    pub iss: Option<String>,
    /// The provider's error code, when it did not authorize.
    pub error: Option<String>,
}

/// The verified e-mail address a callback proves, checked against the allowed domains.
pub async fn finish(
    settings: &SsoSettings,
    public_origin: &str,
    clock: &dyn Clock,
    pending: PendingSso,
    callback: Callback,
) -> Result<String, SsoFailure> {
    let same_state = callback.state.as_deref().is_some_and(|s| {
        subtle::ConstantTimeEq::ct_eq(s.as_bytes(), pending.state.as_bytes()).into()
    });
    if !same_state {
        return Err(SsoFailure::StateMismatch);
    }
    if clock.now().unix_timestamp() - pending.started_at > FLOW_LIFETIME_SECS {
        return Err(SsoFailure::Expired);
    }
    if callback
        .iss
        .as_deref()
        .is_some_and(|iss| iss != settings.issuer)
    {
        return Err(SsoFailure::IssuerMismatch);
    }
    if let Some(error) = &callback.error {
        tracing::info!(error = %error.chars().take(100).collect::<String>(), "SSO refused by the provider");
        return Err(SsoFailure::Refused);
    }
    let code = callback.code.ok_or(SsoFailure::Refused)?;
    let http = http()?;
    let client = client(settings, &http, public_origin).await?;
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|_| SsoFailure::Unreachable)?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
        .request_async(&http)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "SSO code exchange failed");
            SsoFailure::TokenRefused
        })?;
    let id_token = tokens.id_token().ok_or(SsoFailure::InvalidIdToken)?;
    let now = clock.now();
    let verifier = client.id_token_verifier().set_time_fn(move || {
        chrono::DateTime::from_timestamp(now.unix_timestamp(), now.nanosecond()).unwrap_or_default()
    });
    let claims = id_token
        .claims(&verifier, &Nonce::new(pending.nonce))
        .map_err(|e| {
            tracing::warn!(error = %e, "SSO ID token refused");
            SsoFailure::InvalidIdToken
        })?;
    // Providers that conform to OpenID Connect Core §5.4 put scope-requested claims in the
    // userinfo answer, not the ID token, for the code flow; the subject must match either way.
    let (email, verified) = match claims.email() {
        Some(email) => (email.to_string(), claims.email_verified()),
        None => userinfo_email(&client, &http, tokens.access_token(), claims.subject()).await?,
    };
    let email = Some(email)
        .filter(|_| verified == Some(true))
        .and_then(|e| normalize_email(&e).ok())
        .ok_or(SsoFailure::EmailUnverified)?;
    let domain = email.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
    if !settings.allowed_domains.iter().any(|d| d == domain) {
        return Err(SsoFailure::DomainNotAllowed);
    }
    Ok(email)
}

/// The address and whether it is verified, from the userinfo endpoint, for `subject` only.
async fn userinfo_email(
    client: &Client,
    http: &reqwest::Client,
    access_token: &openidconnect::AccessToken,
    subject: &openidconnect::SubjectIdentifier,
) -> Result<(String, Option<bool>), SsoFailure> {
    let info: openidconnect::core::CoreUserInfoClaims = client
        .user_info(access_token.to_owned(), Some(subject.clone()))
        .map_err(|_| SsoFailure::EmailUnverified)?
        .request_async(http)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "SSO userinfo refused");
            SsoFailure::InvalidIdToken
        })?;
    let email = info.email().ok_or(SsoFailure::EmailUnverified)?.to_string();
    Ok((email, info.email_verified()))
}

/// The member `email` names, or a new one with `role` and a password nobody knows (so only
/// single sign-on opens the account until the owner sends a reset).
pub async fn member_for<C>(
    db: &C,
    hasher: &PasswordHasher,
    clock: &dyn Clock,
    email: String,
    role: Role,
) -> Result<(admin_user::Model, bool), AppError>
where
    C: ConnectionTrait + TransactionTrait,
{
    if let Some(found) = admin_user::Entity::find()
        .filter(admin_user::Column::Email.eq(email.as_str()))
        .one(db)
        .await?
    {
        return Ok((found, false));
    }
    let unusable = crate::domain::crypto::new_token();
    let hash = hasher
        .hash(SecretString::from(unusable.expose().to_owned()))
        .await?;
    let created = insert_admin(db, email, hash, role, clock.now()).await?;
    tracing::info!(admin_id = %created.id, "member created by single sign-on");
    Ok((created, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sign_in_page_has_words_for_every_refusal() {
        let codes: Vec<&str> = SsoFailure::ALL.iter().map(|f| f.code()).collect();
        let worded: Vec<&str> = crate::types::SSO_ERRORS.iter().map(|(c, _)| *c).collect();
        assert_eq!(codes, worded);
    }
}
