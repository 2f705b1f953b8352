//! The OAuth2 authorization-code flow: starting it (state, PKCE, browser binding, endpoints) and
//! finishing it at `/oauth/callback` (checks, code exchange at the flow's own token endpoint).

use std::collections::BTreeMap;

use oauth2::{CsrfToken, PkceCodeChallenge, Scope};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    TransactionTrait,
};
use uuid::Uuid;

use super::ConnectError;
use super::capture;
use super::complete::{Completed, Outcome, complete, verify_and_identify};
use super::form::collect_values;
use super::interrupted;
use crate::domain::AppState;
use crate::domain::catalog::fill;
use crate::domain::crypto::{Aad, new_token, token_hash};
use crate::domain::entities::{connect_link, oauth_flow};
use crate::domain::ids::{ConnectorId, LinkId};
use crate::domain::oauth::{Grant, OAuthApp, Tokens};
use crate::domain::services::connections::Credentials;
use crate::domain::services::links::{self, LinkContext};
use crate::domain::services::outbound;
use crate::failure::{ProviderFailure, ProviderProblem};

/// How long an end user has between leaving for the provider and coming back.
const FLOW_LIFETIME: time::Duration = time::Duration::minutes(15);

/// The redirect URI every OAuth connector uses; admins register it at the provider.
pub fn redirect_uri(public_origin: &str) -> String {
    format!("{}/oauth/callback", public_origin.trim_end_matches('/'))
}

/// Starts an OAuth2 flow: stores state, PKCE verifier, browser binding and endpoints, and
/// returns the provider's authorization URL.
pub async fn start_oauth(
    state: &AppState,
    ctx: &LinkContext,
    submitted: &BTreeMap<String, String>,
    browser_token: &str,
) -> Result<String, ConnectError> {
    let connector = &ctx.connector;
    let Some(spec) = &connector.provider.oauth2 else {
        return Err(ConnectError::Internal);
    };
    let values = collect_values(ctx, submitted)?;
    let lookup = |name: &str| values.get(name).cloned();
    let authorization_url = fill(&spec.authorization_url, lookup).ok_or(ConnectError::Internal)?;
    let token_url = fill(&spec.token_url, lookup).ok_or(ConnectError::Internal)?;
    let redirect = redirect_uri(&state.settings.public_origin);
    let client = OAuthApp::authorize_client(connector, &authorization_url, &redirect)?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let state_token = new_token();
    let returned_state = state_token.expose().to_owned();
    let mut request = client.authorize_url(move || CsrfToken::new(returned_state));
    // Without PKCE the stored verifier is empty, and the exchange sends none.
    let verifier = if spec.pkce.sent() {
        request = request.set_pkce_challenge(challenge);
        verifier.secret().clone()
    } else {
        String::new()
    };
    if !connector.scopes.is_empty() {
        // Joined by the provider's separator (Slack and Shopify use commas).
        request = request.add_scope(Scope::new(connector.scopes.join(&spec.scope_separator)));
    }
    for (k, v) in &spec.authorization_params {
        request = request.add_extra_param(k.clone(), v.clone());
    }
    let (url, _) = request.url();
    let url = state.http.browser_url(url);

    let flow_id = Uuid::now_v7();
    let sealed_verifier = state
        .keyring
        .seal(verifier.as_bytes(), verifier_aad(&flow_id.to_string()))
        .map_err(|_| ConnectError::Internal)?;
    let now = state.clock.now();
    let issuer = spec.issuer.clone();
    let txn = state.db.begin().await?;
    oauth_flow::ActiveModel {
        id: Set(flow_id),
        state_hash: Set(state_token.hash().to_vec()),
        link_id: Set(ctx.link.id),
        browser_hash: Set(token_hash(browser_token).to_vec()),
        pkce_verifier: Set(sealed_verifier),
        authorization_url: Set(authorization_url),
        token_url: Set(token_url),
        issuer: Set(issuer),
        redirect_uri: Set(redirect),
        values: Set(serde_json::to_string(&values).map_err(|_| ConnectError::Internal)?),
        created_at: Set(now),
        expires_at: Set(now + FLOW_LIFETIME),
        consumed_at: Set(None),
        connector_id: Set(Some(connector.model.id)),
        finished_at: Set(None),
    }
    .insert(&txn)
    .await?;
    links::mark_opened(&txn, state.clock.as_ref(), ctx).await?;
    txn.commit().await?;
    Ok(url.to_string())
}

/// What the provider sent back to `/oauth/callback`.
#[derive(Debug, Clone, Default)]
pub struct CallbackParams {
    /// Authorization code.
    pub code: Option<String>,
    /// Our state.
    pub state: Option<String>,
    /// Error code (RFC 6749 §4.1.2.1).
    pub error: Option<String>,
    /// Human-readable error.
    pub error_description: Option<String>,
    /// Issuer (RFC 9207).
    pub iss: Option<String>,
    /// The other query parameters (QuickBooks' `realmId`), for the entry's callback captures.
    pub extra: BTreeMap<String, String>,
}

impl CallbackParams {
    /// Reads a callback's query: the OAuth parameters (the first of each), and up to 20 others.
    pub fn from_query(query: &str) -> Self {
        let mut params = Self::default();
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            let slot = match k.as_ref() {
                "code" => &mut params.code,
                "state" => &mut params.state,
                "error" => &mut params.error,
                "error_description" => &mut params.error_description,
                "iss" => &mut params.iss,
                _ => {
                    if params.extra.len() < 20 {
                        params.extra.entry(k.into_owned()).or_insert(v.into_owned());
                    }
                    continue;
                }
            };
            slot.get_or_insert_with(|| v.into_owned());
        }
        params
    }
}

/// Finishes an OAuth2 flow. The flow is claimed atomically first, so a callback delivered twice
/// makes one token request and at most one connection.
pub async fn finish_oauth(
    state: &AppState,
    params: &CallbackParams,
    browser_token: Option<&str>,
) -> Result<Completed, ConnectError> {
    let flow = find_flow(&state.db, params.state.as_deref())
        .await?
        .ok_or(ConnectError::FlowUnknown)?;
    if !same_browser(&flow, browser_token) {
        return Err(ConnectError::WrongBrowser);
    }
    let now = state.clock.now();
    let claimed = oauth_flow::Entity::update_many()
        .col_expr(oauth_flow::Column::ConsumedAt, Expr::value(now))
        .filter(oauth_flow::Column::Id.eq(flow.id))
        .filter(oauth_flow::Column::ConsumedAt.is_null())
        .filter(oauth_flow::Column::ExpiresAt.gt(now))
        .exec(&state.db)
        .await?;
    if claimed.rows_affected == 0 {
        return Err(ConnectError::FlowUnknown);
    }
    let result = exchange(state, &flow, params).await;
    interrupted::mark_finished(&state.db, flow.id, state.clock.now()).await?;
    if let Err(e) = &result
        && e.provider_failure().is_some()
    {
        let connector_id = match flow.connector_id {
            Some(id) => Some(id),
            None => connect_link::Entity::find_by_id(flow.link_id)
                .one(&state.db)
                .await?
                .map(|l| l.connector_id),
        };
        if let Some(connector_id) = connector_id {
            links::record_failure(
                &state.db,
                state.clock.as_ref(),
                LinkId(flow.link_id),
                ConnectorId(connector_id),
                e,
            )
            .await?;
        }
    }
    result
}

/// The flow a callback's `state` names, if any (a `state` we never issued is no flow).
pub(super) async fn find_flow(
    db: &impl ConnectionTrait,
    state_param: Option<&str>,
) -> Result<Option<oauth_flow::Model>, sea_orm::DbErr> {
    let Some(state_param) = state_param.filter(|s| !s.is_empty() && s.len() <= 100) else {
        return Ok(None);
    };
    oauth_flow::Entity::find()
        .filter(oauth_flow::Column::StateHash.eq(token_hash(state_param)))
        .one(db)
        .await
}

/// Whether `browser_token` is the browser-binding cookie of the browser that started `flow`.
pub(super) fn same_browser(flow: &oauth_flow::Model, browser_token: Option<&str>) -> bool {
    browser_token.is_some_and(|t| {
        subtle::ConstantTimeEq::ct_eq(token_hash(t).as_bytes(), &flow.browser_hash[..]).into()
    })
}

/// Where the browser goes after a failed callback: the link's callback URL and `state`, when
/// the callback's `state` names a known flow whose link has one.
pub async fn callback_for_flow(
    db: &impl ConnectionTrait,
    params: &CallbackParams,
) -> Option<(String, Option<String>)> {
    let flow = find_flow(db, params.state.as_deref()).await.ok()??;
    let link = connect_link::Entity::find_by_id(flow.link_id)
        .one(db)
        .await
        .ok()??;
    Some((link.callback_url?, link.callback_state))
}

/// The pkce verifier's associated data: it opens only in its own flow row.
fn verifier_aad(row_id: &str) -> Aad<'_> {
    Aad {
        table: "oauth_flows",
        column: "pkce_verifier",
        row_id,
    }
}

async fn exchange(
    state: &AppState,
    flow: &oauth_flow::Model,
    params: &CallbackParams,
) -> Result<Completed, ConnectError> {
    let link = connect_link::Entity::find_by_id(flow.link_id)
        .one(&state.db)
        .await?
        .ok_or(ConnectError::LinkUnavailable)?;
    let (link_id, connector_id) = (link.id, flow.connector_id.unwrap_or(link.connector_id));
    let Some(ctx) =
        links::load_context(&state.db, state.clock.as_ref(), link, flow.connector_id).await?
    else {
        // Revoked or expired while the end user was at the provider: nothing is exchanged.
        links::record_unusable(
            &state.db,
            state.clock.as_ref(),
            LinkId(link_id),
            ConnectorId(connector_id),
        )
        .await?;
        return Err(ConnectError::LinkUnavailable);
    };
    let code = authorization_code(flow, params)?;
    let tokens = request_token(state, &ctx, flow, code).await?;

    let now = state.clock.now();
    let values: BTreeMap<String, String> = flow.values()?;
    let provider = &ctx.connector.provider;
    let spec = provider.oauth2.as_ref().ok_or(ConnectError::Internal)?;
    let mut config = capture::public_values(provider, &values);
    config.extend(capture::from_callback(&provider.capture, &params.extra));
    config.extend(capture::from_json(
        &provider.capture.token,
        &serde_json::Value::Object(tokens.raw.clone()),
    ));
    let access_token = tokens.access_token.clone();
    let identified = {
        let lookup = outbound::template_values(&access_token, &values, &config);
        verify_and_identify(state, &ctx, &lookup, Some(&access_token)).await?
    };
    config.extend(identified.captured);
    let scopes = tokens
        .scopes
        .clone()
        .unwrap_or_else(|| ctx.connector.scopes.clone());
    let expires_at = tokens.expires_at(spec, now);
    let account_id = Outcome::pinned_account(&ctx, &config, &values);
    let credentials = Credentials::OAuth2 {
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
        token_type: tokens.token_type,
        expires_at,
        scopes: scopes.clone(),
        values,
        raw: tokens.raw,
    };
    let outcome = Outcome {
        credentials,
        scopes,
        account_label: identified.label,
        expires_at,
        config,
        account_id,
    };
    complete(state, &ctx, outcome).await
}

/// The callback's authorization code, once the answer is known to be one and to come from the
/// server the flow went to.
fn authorization_code<'a>(
    flow: &oauth_flow::Model,
    params: &'a CallbackParams,
) -> Result<&'a str, ConnectError> {
    if let Some(code) = &params.error {
        let code: String = code
            .chars()
            .filter(|c| c.is_ascii_graphic())
            .take(64)
            .collect();
        if code == "access_denied" {
            return Err(ConnectError::Denied);
        }
        return Err(ConnectError::Provider(ProviderFailure::with_detail(
            ProviderProblem::AuthorizationError,
            &code,
        )));
    }
    // RFC 9207: an `iss` must name the server the flow went to; without a configured issuer,
    // the authorization endpoint's origin stands in for it. An entry that names its issuer says
    // the server sends `iss`, so a response without one is refused (§2.4): it may come from
    // another server the end user was sent to (a mix-up).
    let issuer_ok = match (&params.iss, &flow.issuer) {
        (Some(iss), Some(expected)) => iss == expected,
        (Some(iss), None) => same_origin(iss, &flow.authorization_url),
        (None, Some(_)) => false,
        (None, None) => true,
    };
    if !issuer_ok {
        return Err(ConnectError::provider(ProviderProblem::IssuerMismatch));
    }
    params
        .code
        .as_deref()
        .filter(|c| !c.is_empty() && c.len() <= 4096)
        .ok_or(ConnectError::provider(ProviderProblem::NoCode))
}

/// Swaps the code for tokens at the token endpoint the flow stored (never one from the
/// callback), with the flow's PKCE verifier and redirect URI.
async fn request_token(
    state: &AppState,
    ctx: &LinkContext,
    flow: &oauth_flow::Model,
    code: &str,
) -> Result<Tokens, ConnectError> {
    let verifier = state
        .keyring
        .open(&flow.pkce_verifier, verifier_aad(&flow.id.to_string()))
        .map_err(|_| ConnectError::Internal)?;
    let verifier = String::from_utf8(verifier.to_vec()).map_err(|_| ConnectError::Internal)?;
    let spec = ctx
        .connector
        .provider
        .oauth2
        .as_ref()
        .ok_or(ConnectError::Internal)?;
    let grant = Grant::Code {
        code,
        redirect_uri: &flow.redirect_uri,
        verifier: (!verifier.is_empty()).then_some(verifier.as_str()),
    };
    OAuthApp::of(&ctx.connector, &state.keyring)?
        .request_tokens(&state.http, spec, &flow.token_url, grant)
        .await
        .map_err(|e| {
            tracing::info!(flow_id = %flow.id, failure = %e.failure(), "token exchange failed");
            ConnectError::Provider(e.failure())
        })
}

fn same_origin(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::CallbackParams;

    #[test]
    fn the_first_of_each_parameter_counts_and_others_are_kept_up_to_twenty() {
        let mut query = "code=a%2Bb&code=evil&state=s&iss=https%3A%2F%2Fi&realmId=9".to_owned();
        for i in 0..30 {
            query.push_str(&format!("&x{i}=v"));
        }
        let p = CallbackParams::from_query(&query);
        assert_eq!(p.code.as_deref(), Some("a+b"));
        assert_eq!(p.iss.as_deref(), Some("https://i"));
        assert_eq!(p.extra.get("realmId").map(String::as_str), Some("9"));
        assert_eq!(p.extra.len(), 20);
    }

    proptest::proptest! {
        #[test]
        fn any_query_is_read_without_panicking(query in "\\PC{0,400}") {
            let p = CallbackParams::from_query(&query);
            proptest::prop_assert!(p.extra.len() <= 20);
        }

        #[test]
        fn a_code_with_any_characters_arrives_byte_exact(code in "\\PC{1,80}") {
            let query: String = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("code", &code)
                .append_pair("state", "s")
                .finish();
            let p = CallbackParams::from_query(&query);
            proptest::prop_assert_eq!(p.code.as_deref(), Some(code.as_str()));
        }
    }
}
