//! Demo mode: a small OAuth2 authorization server served by this process, plus a demo tenant and
//! two connectors pointing at it, so a newcomer can walk the whole journey offline.
//!
//! The provider is a real one as far as Authlink can tell: authorization code grant with PKCE
//! S256 required, single-use codes bound to client and redirect URI, client authentication by
//! HTTP Basic or form fields, refresh tokens that rotate, RFC 9207 `iss` on the redirect, and a
//! bearer-protected account endpoint. Its grants live in memory and vanish on restart.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use app::domain::AppState;
use app::domain::crypto::{TokenHash, new_token, token_hash};
use app::domain::entities::connector;
use app::domain::services::connectors::{self, ConnectorInput};
use app::domain::services::tenants::{self, TenantInput};
use app::i18n::Locale;
use app::pages::connect::{ConsentView, consent_page, result_page};
use app::types::ConnectorOptions;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use secrecy::SecretString;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

/// The demo client's id, as registered at the demo provider.
pub const CLIENT_ID: &str = "authlink-demo";
/// The demo client's secret. It guards nothing but this in-memory demo.
pub const CLIENT_SECRET: &str = "authlink-demo-secret";
/// Scopes the demo provider knows.
pub const SCOPES: [&str; 2] = ["profile", "contacts:read"];
/// The account every demo consent is given as.
pub const ACCOUNT_EMAIL: &str = "jane@demo.example";
/// API keys the demo API accepts start with this.
pub const API_KEY_PREFIX: &str = "demo_";
/// External id of the seeded tenant.
pub const TENANT_EXTERNAL_ID: &str = "demo-acme";
/// Keys of the seeded connectors.
pub const OAUTH_CONNECTOR_KEY: &str = "demo-oauth";
/// Key of the seeded API-key connector.
pub const API_KEY_CONNECTOR_KEY: &str = "demo-api-key";

const PROVIDER_NAME: &str = "Demo Provider";
const CODE_LIFETIME: Duration = Duration::minutes(1);
const ACCESS_TOKEN_LIFETIME: Duration = Duration::hours(1);
/// Bounds the in-memory grant tables; expired entries are dropped first.
const MAX_GRANTS: usize = 10_000;

/// The demo provider's state: outstanding codes and tokens, keyed by their SHA-256.
#[derive(Clone)]
pub struct DemoProvider {
    app: AppState,
    /// `{public origin}/demo/oauth`, sent as `iss`.
    issuer: String,
    /// The only redirect URI registered for the demo client.
    redirect_uri: String,
    grants: Arc<Mutex<Grants>>,
}

#[derive(Default)]
struct Grants {
    codes: HashMap<TokenHash, CodeGrant>,
    access: HashMap<TokenHash, OffsetDateTime>,
    refresh: HashMap<TokenHash, String>,
}

struct CodeGrant {
    challenge: String,
    redirect_uri: String,
    scope: String,
    expires_at: OffsetDateTime,
}

impl Grants {
    fn prune(&mut self, now: OffsetDateTime) {
        self.codes.retain(|_, c| c.expires_at > now);
        self.access.retain(|_, expires| *expires > now);
        if self.refresh.len() > MAX_GRANTS {
            self.refresh.clear();
        }
    }

    fn full(&self) -> bool {
        self.codes.len() + self.access.len() >= MAX_GRANTS
    }
}

impl DemoProvider {
    /// The provider for the server reachable at `state.settings.public_origin`.
    pub fn new(state: AppState) -> Self {
        let origin = state.settings.public_origin.clone();
        Self {
            issuer: format!("{origin}/demo/oauth"),
            redirect_uri: format!("{origin}/oauth/callback"),
            app: state,
            grants: Arc::default(),
        }
    }

    fn now(&self) -> OffsetDateTime {
        self.app.clock.now()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Grants> {
        // A panic while holding the lock leaves plain maps behind; keep serving.
        self.grants.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn issue_tokens(&self, grants: &mut Grants, scope: &str) -> serde_json::Value {
        let now = self.now();
        let access = new_token();
        let refresh = new_token();
        grants
            .access
            .insert(access.hash(), now + ACCESS_TOKEN_LIFETIME);
        grants.refresh.insert(refresh.hash(), scope.to_owned());
        serde_json::json!({
            "access_token": access.expose(),
            "token_type": "Bearer",
            "expires_in": ACCESS_TOKEN_LIFETIME.whole_seconds(),
            "refresh_token": refresh.expose(),
            "scope": scope,
        })
    }
}

/// The demo provider's routes, under `/demo/`.
pub fn routes(provider: DemoProvider) -> Router<AppState> {
    Router::new()
        .route("/demo/oauth/authorize", get(authorize).post(decide))
        .route("/demo/oauth/token", axum::routing::post(token))
        .route("/demo/oauth/revoke", axum::routing::post(revoke))
        .route("/demo/oauth/userinfo", get(me))
        .route("/demo/api/me", get(me))
        .with_state(provider)
}

/// Creates the demo tenant and connectors, or points existing ones at this server again.
pub async fn seed(state: &AppState) -> Result<(), app::error::AppError> {
    let origin = &state.settings.public_origin;
    let db = &state.db;
    let clock = state.clock.as_ref();
    let production = app::domain::ids::EnvironmentId(
        app::domain::services::environments::production(db)
            .await?
            .id,
    );
    let tenant = TenantInput {
        name: "Acme Inc. (demo)".into(),
        external_id: TENANT_EXTERNAL_ID.into(),
    };
    match tenants::create(db, clock, production, &tenant).await {
        Ok(_) | Err(app::error::AppError::Conflict(_)) => {}
        Err(e) => return Err(e),
    }

    let oauth = ConnectorInput {
        provider: "generic_oauth2".into(),
        name: "Demo OAuth".into(),
        key: OAUTH_CONNECTOR_KEY.into(),
        client_id: CLIENT_ID.into(),
        client_secret: SecretString::from(CLIENT_SECRET),
        scopes: SCOPES.join(" "),
        options: ConnectorOptions {
            authorization_url: Some(format!("{origin}/demo/oauth/authorize")),
            token_url: Some(format!("{origin}/demo/oauth/token")),
            revocation_url: Some(format!("{origin}/demo/oauth/revoke")),
            identity_url: Some(format!("{origin}/demo/oauth/userinfo")),
            identity_pointer: Some("/email".into()),
            ..ConnectorOptions::default()
        },
    };
    let api_key = ConnectorInput {
        provider: "generic_api_key".into(),
        name: "Demo API key".into(),
        key: API_KEY_CONNECTOR_KEY.into(),
        options: ConnectorOptions {
            verify_url: Some(format!("{origin}/demo/api/me")),
            identity_url: Some(format!("{origin}/demo/api/me")),
            identity_pointer: Some("/email".into()),
            ..ConnectorOptions::default()
        },
        ..ConnectorInput::default()
    };
    for input in [oauth, api_key] {
        let existing = connector::Entity::find()
            .filter(connector::Column::EnvironmentId.eq(production))
            .filter(connector::Column::Key.eq(input.key.as_str()))
            .one(db)
            .await?;
        match existing {
            Some(row) => {
                connectors::update(
                    db,
                    &state.keyring,
                    clock,
                    production,
                    row.id,
                    input,
                    connectors::Changer::Owner,
                )
                .await?
                .0
            }
            None => connectors::create(db, &state.keyring, clock, production, input).await?,
        };
    }
    Ok(())
}

/// The parameters of an authorization request, as sent to the consent page and back.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct AuthorizeParams {
    response_type: String,
    client_id: String,
    redirect_uri: String,
    state: Option<String>,
    scope: Option<String>,
    code_challenge: String,
    code_challenge_method: String,
    decision: Option<String>,
}

/// What is wrong with an authorization request: either the end user must be told (the client or
/// redirect URI cannot be trusted, RFC 6749 §4.1.2.1), or the client gets an error redirect.
enum Refusal {
    Page(&'static str),
    Redirect(&'static str, &'static str),
}

impl DemoProvider {
    fn check(&self, p: &AuthorizeParams) -> Result<String, Refusal> {
        if p.client_id != CLIENT_ID {
            return Err(Refusal::Page(
                "The application is not known to this provider.",
            ));
        }
        if p.redirect_uri != self.redirect_uri {
            return Err(Refusal::Page(
                "The redirect URI is not registered for this application.",
            ));
        }
        if p.response_type != "code" {
            return Err(Refusal::Redirect(
                "unsupported_response_type",
                "Only the authorization code flow is supported.",
            ));
        }
        if p.code_challenge_method != "S256" || p.code_challenge.len() != 43 {
            return Err(Refusal::Redirect(
                "invalid_request",
                "PKCE with S256 is required.",
            ));
        }
        let scope = p.scope.as_deref().unwrap_or_default();
        let requested: Vec<&str> = scope.split(' ').filter(|s| !s.is_empty()).collect();
        if requested.iter().any(|s| !SCOPES.contains(s)) {
            return Err(Refusal::Redirect(
                "invalid_scope",
                "Unknown scope requested.",
            ));
        }
        Ok(requested.join(" "))
    }

    fn redirect(&self, p: &AuthorizeParams, pairs: &[(&str, &str)]) -> Response {
        let Ok(mut url) = url::Url::parse(&p.redirect_uri) else {
            return refusal_page("The redirect URI is not valid.");
        };
        {
            let mut query = url.query_pairs_mut();
            for (k, v) in pairs {
                query.append_pair(k, v);
            }
            if let Some(state) = &p.state {
                query.append_pair("state", state);
            }
            query.append_pair("iss", &self.issuer);
        }
        Redirect::to(url.as_str()).into_response()
    }

    fn refuse(&self, p: &AuthorizeParams, refusal: Refusal) -> Response {
        match refusal {
            Refusal::Page(message) => refusal_page(message),
            Refusal::Redirect(code, description) => {
                self.redirect(p, &[("error", code), ("error_description", description)])
            }
        }
    }
}

fn refusal_page(message: &str) -> Response {
    // Words meant for the developer whose request was wrong: English, like the messages.
    // The provider's own page: its name, none of the admin's branding.
    let provider = app::types::Branding {
        product_name: PROVIDER_NAME.into(),
        ..app::types::Branding::default()
    };
    let body = result_page(
        Locale::En.messages(),
        &provider,
        false,
        "This authorization request is not valid",
        message,
        None,
    );
    (
        StatusCode::BAD_REQUEST,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// `GET /demo/oauth/authorize`: the consent screen.
async fn authorize(
    State(provider): State<DemoProvider>,
    Query(params): Query<AuthorizeParams>,
    headers: HeaderMap,
) -> Response {
    let scope = match provider.check(&params) {
        Ok(scope) => scope,
        Err(refusal) => return provider.refuse(&params, refusal),
    };
    let mut hidden = vec![
        ("response_type".to_owned(), params.response_type.clone()),
        ("client_id".to_owned(), params.client_id.clone()),
        ("redirect_uri".to_owned(), params.redirect_uri.clone()),
        ("scope".to_owned(), scope.clone()),
        ("code_challenge".to_owned(), params.code_challenge.clone()),
        (
            "code_challenge_method".to_owned(),
            params.code_challenge_method.clone(),
        ),
    ];
    if let Some(state) = &params.state {
        hidden.push(("state".to_owned(), state.clone()));
    }
    // Like a real provider, the consent screen speaks the browser's language.
    let locale = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Locale::from_accept_language)
        .unwrap_or(Locale::En);
    let body = consent_page(
        locale.messages(),
        ConsentView {
            provider_name: PROVIDER_NAME.into(),
            client_name: "Authlink demo".into(),
            account: ACCOUNT_EMAIL.into(),
            scopes: scope
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            hidden,
            action: "/demo/oauth/authorize".into(),
        },
    );
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// `POST /demo/oauth/authorize`: Allow issues a code, Deny answers `access_denied`.
async fn decide(
    State(provider): State<DemoProvider>,
    Form(params): Form<AuthorizeParams>,
) -> Response {
    let scope = match provider.check(&params) {
        Ok(scope) => scope,
        Err(refusal) => return provider.refuse(&params, refusal),
    };
    if params.decision.as_deref() != Some("allow") {
        return provider.redirect(
            &params,
            &[
                ("error", "access_denied"),
                ("error_description", "The user denied access."),
            ],
        );
    }
    let code = new_token();
    let now = provider.now();
    {
        let mut grants = provider.lock();
        grants.prune(now);
        if grants.full() {
            return provider.redirect(&params, &[("error", "temporarily_unavailable")]);
        }
        grants.codes.insert(
            code.hash(),
            CodeGrant {
                challenge: params.code_challenge.clone(),
                redirect_uri: params.redirect_uri.clone(),
                scope,
                expires_at: now + CODE_LIFETIME,
            },
        );
    }
    provider.redirect(&params, &[("code", code.expose())])
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct TokenParams {
    grant_type: String,
    code: String,
    redirect_uri: String,
    code_verifier: String,
    refresh_token: String,
    /// The token to revoke (RFC 7009).
    token: String,
    client_id: Option<String>,
    client_secret: Option<String>,
}

fn token_error(status: StatusCode, code: &str) -> Response {
    (status, Json(serde_json::json!({ "error": code }))).into_response()
}

/// The client's credentials from HTTP Basic (RFC 6749 §2.3.1: form-encoded, then base64) or
/// from the form.
fn client_credentials(headers: &HeaderMap, p: &TokenParams) -> Option<(String, String)> {
    if let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    {
        let decoded = STANDARD.decode(value.trim()).ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (id, secret) = text.split_once(':')?;
        let unescape = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
        };
        return Some((unescape(id)?, unescape(secret)?));
    }
    Some((p.client_id.clone()?, p.client_secret.clone()?))
}

/// `POST /demo/oauth/token`: the authorization code and refresh token grants.
async fn token(
    State(provider): State<DemoProvider>,
    headers: HeaderMap,
    Form(params): Form<TokenParams>,
) -> Response {
    match client_credentials(&headers, &params) {
        Some((id, secret)) if id == CLIENT_ID && secret == CLIENT_SECRET => {}
        _ => return token_error(StatusCode::UNAUTHORIZED, "invalid_client"),
    }
    let now = provider.now();
    let mut grants = provider.lock();
    grants.prune(now);
    match params.grant_type.as_str() {
        "authorization_code" => {
            // Removed before it is checked: a code is spent by its first use, right or wrong.
            let Some(grant) = grants.codes.remove(&token_hash(&params.code)) else {
                return token_error(StatusCode::BAD_REQUEST, "invalid_grant");
            };
            let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(params.code_verifier.as_bytes()));
            if grant.expires_at <= now
                || grant.redirect_uri != params.redirect_uri
                || challenge != grant.challenge
            {
                return token_error(StatusCode::BAD_REQUEST, "invalid_grant");
            }
            if grants.full() {
                return token_error(StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable");
            }
            let body = provider.issue_tokens(&mut grants, &grant.scope);
            Json(body).into_response()
        }
        "refresh_token" => {
            let Some(scope) = grants.refresh.remove(&token_hash(&params.refresh_token)) else {
                return token_error(StatusCode::BAD_REQUEST, "invalid_grant");
            };
            let body = provider.issue_tokens(&mut grants, &scope);
            Json(body).into_response()
        }
        _ => token_error(StatusCode::BAD_REQUEST, "unsupported_grant_type"),
    }
}

/// `POST /demo/oauth/revoke` (RFC 7009): forgets the token, whichever kind it is. Unknown
/// tokens get the same 200, as the RFC asks.
async fn revoke(
    State(provider): State<DemoProvider>,
    headers: HeaderMap,
    Form(params): Form<TokenParams>,
) -> Response {
    match client_credentials(&headers, &params) {
        Some((id, secret)) if id == CLIENT_ID && secret == CLIENT_SECRET => {}
        _ => return token_error(StatusCode::UNAUTHORIZED, "invalid_client"),
    }
    let hash = token_hash(&params.token);
    let mut grants = provider.lock();
    grants.refresh.remove(&hash);
    grants.access.remove(&hash);
    StatusCode::OK.into_response()
}

/// `GET /demo/oauth/userinfo` and `GET /demo/api/me`: the account behind a demo access token or
/// a demo API key (any key starting with `demo_`).
async fn me(State(provider): State<DemoProvider>, headers: HeaderMap) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or_default();
    let now = provider.now();
    let by_token = provider
        .lock()
        .access
        .get(&token_hash(bearer))
        .is_some_and(|expires| *expires > now);
    let by_key = bearer.len() > API_KEY_PREFIX.len() + 3 && bearer.starts_with(API_KEY_PREFIX);
    if !(by_token || by_key) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")],
            Json(serde_json::json!({ "error": "invalid_token" })),
        )
            .into_response();
    }
    Json(serde_json::json!({
        "sub": "demo-user-1",
        "email": ACCOUNT_EMAIL,
        "name": "Jane Demo",
    }))
    .into_response()
}
