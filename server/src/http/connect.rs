//! The end user's routes: `GET/POST /connect/{token}` and `GET /oauth/callback`.
//!
//! Plain HTML forms and redirects, no JavaScript. The tenant and connector always come from the
//! link's row, never from the URL or the form.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use app::domain::AppState;
use app::domain::catalog::fill;
use app::domain::crypto::new_token;
use app::domain::services::connect::{self, CallbackParams, ConnectError};
use app::domain::services::links::{self, LinkContext};
use app::domain::services::outbound::ProviderHttp;
use app::domain::services::{audit, connectors};
use app::domain::session::ClientIp;
use app::i18n::CatalogText;
use app::pages::connect::{
    ChoiceView, ChooserView, ConnectView, chooser_page, connect_page, result_page,
};
use app::types::{AuditAction, AuthMode, Branding, FieldInfo};
use axum::Extension;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::end_user_limit::EndUserLimit;
use super::language::Visitor;

/// Most fields a connect form may post.
const MAX_FORM_FIELDS: usize = 50;

/// One in this many callbacks with an unknown `state` is logged.
const UNKNOWN_CALLBACK_SAMPLE: u64 = 100;
static UNKNOWN_CALLBACKS: AtomicU64 = AtomicU64::new(0);

/// The end user's routes' rate limit, with what its refusal page needs.
pub struct Limited {
    /// Per client address.
    pub limit: EndUserLimit,
    /// For the branding on the page.
    pub state: AppState,
}

/// Refuses a request over its address's limit with a `429` page and `Retry-After`, before any
/// database work.
pub async fn rate_limit(
    State(limited): State<Arc<Limited>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let ip = request.extensions().get::<ClientIp>().map(|c| c.0.clone());
    match limited.limit.check(ip.as_deref()) {
        Ok(()) => next.run(request).await,
        Err(seconds) => {
            let v = visitor(&limited.state, request.headers(), None);
            let brand = branding(&limited.state).await;
            let mut response = html(
                &v,
                StatusCode::TOO_MANY_REQUESTS,
                result_page(
                    v.t,
                    &brand,
                    false,
                    &v.t.text("too-many-heading"),
                    &v.t.too_many_requests(seconds),
                    None,
                ),
                None,
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            response
        }
    }
}

const BROWSER_COOKIE: &str = "authlink_browser";
const BROWSER_COOKIE_SECURE: &str = "__Host-authlink_browser";

/// `?connector=` on a link that offers several connectors: the end user's choice; `?lang=`: the
/// language they picked on the switcher.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Choice {
    connector: Option<String>,
    lang: Option<String>,
}

impl Choice {
    fn id(&self) -> Option<Uuid> {
        self.connector
            .as_deref()
            .and_then(|c| Uuid::parse_str(c).ok())
    }
}

/// `GET /connect/{token}`: the Connect page (or, for a link offering several connectors, the
/// choice between them).
pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(choice): Query<Choice>,
    headers: HeaderMap,
) -> Response {
    let v = visitor(&state, &headers, choice.lang.as_deref());
    let brand = branding(&state).await;
    let ctx = match links::resolve(&state.db, state.clock.as_ref(), &token, choice.id()).await {
        Ok(Some(ctx)) => ctx,
        Ok(None) => return unavailable(&v, &brand),
        Err(_) => return internal(&v, &brand),
    };
    let v = v.with_link_language(ctx.link.email_locale.as_deref());
    if !ctx.choices.is_empty() {
        return chooser(&v, &brand, &ctx, &token);
    }
    let view = view_for(&v, &brand, &ctx, &token, Vec::new(), Vec::new(), None);
    html(
        &v,
        StatusCode::OK,
        connect_page(view),
        form_action_for(&ctx, &state.http),
    )
}

fn chooser(v: &Visitor, brand: &Branding, ctx: &LinkContext, token: &str) -> Response {
    let options = ctx
        .choices
        .iter()
        .map(|c| ChoiceView {
            href: format!("/connect/{token}?connector={}", c.model.id),
            connector_name: c.model.name.clone(),
            provider_name: c.provider.name.clone(),
        })
        .collect();
    let body = chooser_page(ChooserView {
        messages: v.t,
        languages: v.languages(&format!("/connect/{token}")),
        brand: brand.clone(),
        tenant_name: ctx.tenant.name.clone(),
        expires_at: ctx.link.expires_at,
        options,
    });
    html(v, StatusCode::OK, body, None)
}

/// Where the browser goes after success: the link's callback URL, else the "connected" page.
fn succeeded(
    v: &Visitor,
    brand: &Branding,
    ctx: &LinkContext,
    completed: &connect::Completed,
) -> Response {
    match completed.callback_redirect() {
        Some(url) => see_other(&url),
        None => connected(v, brand, &ctx.connector.model.name),
    }
}

fn see_other(url: &str) -> Response {
    match HeaderValue::from_str(url) {
        Ok(location) => (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// `POST /connect/{token}`: starts the OAuth2 flow, or submits the credential form.
pub async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(choice): Query<Choice>,
    ip: Option<Extension<ClientIp>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let ip = ip.map(|Extension(ClientIp(ip))| ip);
    let v = visitor(&state, &headers, None);
    let brand = branding(&state).await;
    let ctx = match links::resolve(&state.db, state.clock.as_ref(), &token, choice.id()).await {
        Ok(Some(ctx)) => ctx,
        Ok(None) => return unavailable(&v, &brand),
        Err(_) => return internal(&v, &brand),
    };
    let v = v.with_link_language(ctx.link.email_locale.as_deref());
    if !ctx.choices.is_empty() {
        return chooser(&v, &brand, &ctx, &token);
    }
    let Some(submitted) = parse_form(&body) else {
        let view = view_for(
            &v,
            &brand,
            &ctx,
            &token,
            Vec::new(),
            Vec::new(),
            Some(v.t.text("form-unreadable")),
        );
        return html(
            &v,
            StatusCode::BAD_REQUEST,
            connect_page(view),
            form_action_for(&ctx, &state.http),
        );
    };

    if ctx.connector.provider.auth == AuthMode::OAuth2 {
        let existing = cookie(&headers, browser_cookie_name(&state));
        let browser = existing
            .clone()
            .unwrap_or_else(|| new_token().expose().to_owned());
        let started = connect::start_oauth(&state, &ctx, &submitted, &browser).await;
        end_user_step(
            &state,
            Some(ctx.link.id),
            ip.as_deref(),
            &ctx,
            started.as_ref().err().map_or(Step::Started, Step::Failed),
        )
        .await;
        match started {
            Ok(url) => {
                let mut response =
                    (StatusCode::SEE_OTHER, [(header::LOCATION, url)]).into_response();
                if existing.is_none()
                    && let Ok(value) = HeaderValue::from_str(&browser_cookie(&state, &browser))
                {
                    response.headers_mut().insert(header::SET_COOKIE, value);
                }
                response
            }
            Err(e) => failed_form(&state, &v, &brand, &ctx, &token, &submitted, e),
        }
    } else {
        let outcome = connect::submit_credentials(&state, &ctx, &submitted).await;
        let step = match &outcome {
            Ok(completed) => Step::Completed(completed.connection.id),
            Err(e) => Step::Failed(e),
        };
        end_user_step(&state, Some(ctx.link.id), ip.as_deref(), &ctx, step).await;
        match outcome {
            Ok(completed) => succeeded(&v, &brand, &ctx, &completed),
            Err(e) => failed_form(&state, &v, &brand, &ctx, &token, &submitted, e),
        }
    }
}

/// `GET /oauth/callback`: where providers send the end user back.
pub async fn callback(
    State(state): State<AppState>,
    ip: Option<Extension<ClientIp>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let ip = ip.map(|Extension(ClientIp(ip))| ip);
    let v = visitor(&state, &headers, None);
    let brand = branding(&state).await;
    let params = CallbackParams::from_query(query.as_deref().unwrap_or(""));
    let browser = cookie(&headers, browser_cookie_name(&state));
    match connect::finish_oauth(&state, &params, browser.as_deref()).await {
        Ok(completed) => {
            record_step(
                &state,
                Some(completed.link.id),
                ip.as_deref(),
                AuditAction::ConnectComplete,
                Some(completed.connection.id.to_string()),
                serde_json::json!({ "connector_id": completed.connection.connector_id }),
            )
            .await;
            if let Some(url) = completed.callback_redirect() {
                return see_other(&url);
            }
            let connector = connectors::by_id(&state.db, completed.connection.connector_id)
                .await
                .map(|c| c.model.name)
                .unwrap_or_else(|_| "The service".into());
            connected(&v, &brand, &connector)
        }
        Err(ConnectError::FlowUnknown) => {
            // Anyone can send any `state`: nothing durable is written for one we do not know,
            // and only a sample is logged, so a flood fills neither the database nor the log.
            if UNKNOWN_CALLBACKS
                .fetch_add(1, Ordering::Relaxed)
                .is_multiple_of(UNKNOWN_CALLBACK_SAMPLE)
            {
                tracing::info!(
                    ip = ip.as_deref().unwrap_or("-"),
                    "callback for an unknown or finished flow (1 in {UNKNOWN_CALLBACK_SAMPLE} logged)"
                );
            }
            retry_or_failure(
                &state,
                &v,
                &brand,
                &ConnectError::FlowUnknown,
                &params,
                &headers,
            )
            .await
        }
        Err(e) => {
            record_step(
                &state,
                None,
                ip.as_deref(),
                AuditAction::ConnectFail,
                None,
                failure_details(None, &e),
            )
            .await;
            if e != ConnectError::LinkUnavailable
                && let Some((callback, callback_state)) =
                    connect::callback_for_flow(&state.db, &params).await
                && let Some(url) =
                    connect::failure_redirect(&callback, callback_state.as_deref(), &e)
            {
                return see_other(&url);
            }
            retry_or_failure(&state, &v, &brand, &e, &params, &headers).await
        }
    }
}

/// The failure page of a callback; with "Try again" when the flow's link can still be used from
/// this browser.
async fn retry_or_failure(
    state: &AppState,
    v: &Visitor,
    brand: &Branding,
    error: &ConnectError,
    params: &CallbackParams,
    headers: &HeaderMap,
) -> Response {
    if matches!(
        error,
        ConnectError::LinkUnavailable | ConnectError::Internal
    ) {
        return failure(v, brand, error);
    }
    let browser = cookie(headers, browser_cookie_name(state));
    match connect::retryable(state, params.state.as_deref(), browser.as_deref()).await {
        Ok(Some(retry)) => failure_page(
            v,
            brand,
            error,
            params.state.clone(),
            form_action_for(&retry.ctx, &state.http),
        ),
        _ => failure(v, brand, error),
    }
}

/// `POST /oauth/retry`: starts a failed flow's link again from the same browser, with what the
/// end user entered before, and sends them back to the provider.
pub async fn retry(
    State(state): State<AppState>,
    ip: Option<Extension<ClientIp>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let ip = ip.map(|Extension(ClientIp(ip))| ip);
    let v = visitor(&state, &headers, None);
    let brand = branding(&state).await;
    let flow_state = parse_form(&body).and_then(|mut form| form.remove("state"));
    let Some(browser) = cookie(&headers, browser_cookie_name(&state)) else {
        return unavailable(&v, &brand);
    };
    let retry = match connect::retryable(&state, flow_state.as_deref(), Some(&browser)).await {
        Ok(Some(retry)) => retry,
        Ok(None) => return unavailable(&v, &brand),
        Err(_) => return internal(&v, &brand),
    };
    let started = connect::start_oauth(&state, &retry.ctx, &retry.submitted, &browser).await;
    end_user_step(
        &state,
        Some(retry.ctx.link.id),
        ip.as_deref(),
        &retry.ctx,
        started.as_ref().err().map_or(Step::Started, Step::Failed),
    )
    .await;
    match started {
        Ok(url) => see_other(&url),
        Err(e) => failure(&v, &brand, &e),
    }
}

/// A step of the end user's attempt, for the audit log.
enum Step<'a> {
    Started,
    Completed(uuid::Uuid),
    Failed(&'a ConnectError),
}

async fn end_user_step(
    state: &AppState,
    link_id: Option<uuid::Uuid>,
    ip: Option<&str>,
    ctx: &LinkContext,
    step: Step<'_>,
) {
    let connector = ctx.connector.model.id;
    let (action, target, details) = match step {
        Step::Started => (
            AuditAction::ConnectStart,
            None,
            serde_json::json!({ "connector_id": connector }),
        ),
        Step::Completed(connection) => (
            AuditAction::ConnectComplete,
            Some(connection.to_string()),
            serde_json::json!({ "connector_id": connector }),
        ),
        Step::Failed(e) => (
            AuditAction::ConnectFail,
            None,
            failure_details(Some(connector), e),
        ),
    };
    record_step(state, link_id, ip, action, target, details).await;
}

/// What an audit entry of a failed step records: the connector, the callback's error code and,
/// for a provider's failure, its code and words.
fn failure_details(connector: Option<uuid::Uuid>, e: &ConnectError) -> serde_json::Value {
    serde_json::json!({
        "connector_id": connector,
        "error": e.code(),
        "reason": e.provider_failure().map(|f| f.stored()),
    })
}

async fn record_step(
    state: &AppState,
    link_id: Option<uuid::Uuid>,
    ip: Option<&str>,
    action: AuditAction,
    connection: Option<String>,
    details: serde_json::Value,
) {
    let actor = audit::Actor::EndUser { link_id };
    let target_id = connection.or_else(|| link_id.map(|l| l.to_string()));
    audit::record_logged(
        &state.db,
        state.clock.now(),
        audit::Entry {
            actor: &actor,
            action,
            target_id,
            ip,
            details: Some(details),
        },
    )
    .await;
}

fn view_for(
    v: &Visitor,
    brand: &Branding,
    ctx: &LinkContext,
    token: &str,
    values: Vec<(String, String)>,
    errors: Vec<(String, String)>,
    form_error: Option<String>,
) -> ConnectView {
    let provider = &ctx.connector.provider;
    let fields = connect::open_fields(ctx)
        .into_iter()
        .map(|f| translated(v, &provider.id, connectors::field_info(f)))
        .collect();
    let scopes = ctx
        .connector
        .scopes
        .iter()
        .map(|scope| {
            let about = provider
                .oauth2
                .as_ref()
                .and_then(|o| o.scope_descriptions.get(scope))
                .map(|english| {
                    let text = CatalogText::Scope {
                        provider: &provider.id,
                        scope,
                    };
                    v.t.catalog(&text, english)
                });
            (scope.clone(), about)
        })
        .collect();
    let action = if ctx.offers_several {
        format!("/connect/{token}?connector={}", ctx.connector.model.id)
    } else {
        format!("/connect/{token}")
    };
    ConnectView {
        messages: v.t,
        languages: v.languages(&action),
        brand: brand.clone(),
        tenant_name: ctx.tenant.name.clone(),
        environment: ctx.environment.clone(),
        connector_name: ctx.connector.model.name.clone(),
        service_name: (!provider.generic).then(|| provider.name.clone()),
        oauth: provider.auth == AuthMode::OAuth2,
        scopes,
        expires_at: ctx.link.expires_at,
        fields,
        values,
        errors,
        form_error,
        action,
    }
}

/// A catalog field in the visitor's language.
fn translated(v: &Visitor, provider: &str, mut f: FieldInfo) -> FieldInfo {
    let field = f.name.as_str();
    f.label =
        v.t.catalog(&CatalogText::FieldLabel { provider, field }, &f.label);
    f.help = f.help.map(|help| {
        v.t.catalog(&CatalogText::FieldHelp { provider, field }, &help)
    });
    for choice in &mut f.options {
        let text = CatalogText::FieldChoice {
            provider,
            field,
            value: &choice.value,
        };
        choice.label = v.t.catalog(&text, &choice.label);
    }
    f
}

fn failed_form(
    state: &AppState,
    v: &Visitor,
    brand: &Branding,
    ctx: &LinkContext,
    token: &str,
    submitted: &BTreeMap<String, String>,
    error: ConnectError,
) -> Response {
    let fields = &ctx.connector.provider.fields;
    let secret = |name: &str| fields.iter().any(|f| f.name == name && f.secret);
    let values: Vec<(String, String)> = submitted
        .iter()
        .filter(|(k, _)| !secret(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let (status, errors, form_error) = match error {
        ConnectError::Invalid(errors) => {
            let label = |name: &str| {
                let f = fields.iter().find(|f| f.name == name)?;
                let text = CatalogText::FieldLabel {
                    provider: &ctx.connector.provider.id,
                    field: &f.name,
                };
                Some(v.t.catalog(&text, &f.label))
            };
            let known: Vec<_> = errors
                .iter()
                .filter_map(|(n, p)| Some((n.clone(), v.t.field_problem(*p, n, &label(n)?))))
                .collect();
            let unknown: Vec<_> = errors
                .iter()
                .filter(|(n, _)| label(n).is_none())
                .map(|(n, p)| v.t.field_problem(*p, n, n))
                .collect();
            let summary = if unknown.is_empty() {
                v.t.text("form-needs-attention")
            } else {
                unknown.join(" ")
            };
            (StatusCode::UNPROCESSABLE_ENTITY, known, Some(summary))
        }
        ConnectError::LinkUnavailable => return unavailable(v, brand),
        ConnectError::Internal => return internal(v, brand),
        other => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Vec::new(),
            Some(v.t.connect_error(&other)),
        ),
    };
    let view = view_for(v, brand, ctx, token, values, errors, form_error);
    html(
        v,
        status,
        connect_page(view),
        form_action_for(ctx, &state.http),
    )
}

fn connected(v: &Visitor, brand: &Branding, connector: &str) -> Response {
    let message = v.t.format(
        "connected-message",
        &[
            ("connector", connector.into()),
            ("product", brand.product_name.clone().into()),
        ],
    );
    html(
        v,
        StatusCode::OK,
        result_page(
            v.t,
            brand,
            true,
            &v.t.text("connected-heading"),
            &message,
            None,
        ),
        None,
    )
}

fn failure(v: &Visitor, brand: &Branding, error: &ConnectError) -> Response {
    failure_page(v, brand, error, None, None)
}

fn failure_page(
    v: &Visitor,
    brand: &Branding,
    error: &ConnectError,
    retry: Option<String>,
    form_target: Option<String>,
) -> Response {
    let status = match error {
        ConnectError::LinkUnavailable => StatusCode::NOT_FOUND,
        ConnectError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        ConnectError::AccountMismatch => StatusCode::CONFLICT,
        _ => StatusCode::BAD_REQUEST,
    };
    let heading = v.t.connect_error_heading(error);
    let message = v.t.connect_error(error);
    html(
        v,
        status,
        result_page(v.t, brand, false, &heading, &message, retry),
        form_target,
    )
}

fn unavailable(v: &Visitor, brand: &Branding) -> Response {
    failure(v, brand, &ConnectError::LinkUnavailable)
}

fn internal(v: &Visitor, brand: &Branding) -> Response {
    failure(v, brand, &ConnectError::Internal)
}

fn html(v: &Visitor, status: StatusCode, body: String, form_target: Option<String>) -> Response {
    // No script at all; the form may post here and be redirected to the provider.
    let csp = format!(
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'{}; frame-ancestors 'none'; base-uri 'none'",
        form_target.map(|t| format!(" {t}")).unwrap_or_default()
    );
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&csp) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    v.finish(response)
}

/// The CSP `form-action` source the OAuth redirect needs: Chrome applies `form-action` to the
/// redirect that follows a form post. A placeholder in the host widens it to that domain's
/// subdomains, or to the scheme when the whole host is a placeholder.
fn form_action_for(ctx: &LinkContext, http: &ProviderHttp) -> Option<String> {
    let target = form_target(ctx)?;
    // Under test, the provider's authorization page is the simulator's.
    Some(match http.simulator_origin() {
        Some(simulator) if ctx.connector.provider.oauth2.is_some() => {
            format!("{target} {simulator}")
        }
        _ => target,
    })
}

fn form_target(ctx: &LinkContext) -> Option<String> {
    let Some(spec) = ctx.connector.provider.oauth2.as_ref() else {
        // A credential form's post may be answered with a redirect to the callback URL.
        let callback = ctx.link.callback_url.as_deref()?;
        let (_, origin) = app::domain::services::callbacks::origin_of_callback(callback)?;
        return Some(origin);
    };
    let known = |name: &str| ctx.presets.get(name).cloned();
    if let Some(url) = fill(&spec.authorization_url, known).and_then(|u| url::Url::parse(&u).ok()) {
        return Some(url.origin().ascii_serialization());
    }
    let marked = fill(&spec.authorization_url, |_| {
        Some("placeholder0marker".into())
    })?;
    let url = url::Url::parse(&marked).ok()?;
    let host = url.host_str()?;
    let scheme = url.scheme();
    match host.strip_prefix("placeholder0marker.") {
        Some(rest) if !rest.contains("placeholder0marker") => {
            let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
            Some(format!("{scheme}://*.{rest}{port}"))
        }
        _ if host.contains("placeholder0marker") => Some(format!("{scheme}:")),
        _ => Some(url.origin().ascii_serialization()),
    }
}

fn parse_form(body: &[u8]) -> Option<BTreeMap<String, String>> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    if pairs.len() > MAX_FORM_FIELDS {
        return None;
    }
    let mut out = BTreeMap::new();
    for (k, v) in pairs {
        if out.insert(k, v).is_some() {
            return None;
        }
    }
    Some(out)
}

async fn branding(state: &AppState) -> Branding {
    // A page still renders while the database hiccups; it then shows the built-in brand.
    app::domain::services::branding::current(&state.db, &state.installation)
        .await
        .unwrap_or_else(|_| Branding::builtin())
}

fn browser_cookie_name(state: &AppState) -> &'static str {
    if state.settings.secure_cookies {
        BROWSER_COOKIE_SECURE
    } else {
        BROWSER_COOKIE
    }
}

fn browser_cookie(state: &AppState, value: &str) -> String {
    let secure = if state.settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    // Lax: sent on the provider's top-level redirect back to us, not on cross-site subrequests.
    format!(
        "{}={value}; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax{secure}",
        browser_cookie_name(state)
    )
}

/// The end user's language for this request; `picked` is a `?lang=` of the page.
fn visitor(state: &AppState, headers: &HeaderMap, picked: Option<&str>) -> Visitor {
    Visitor::of(headers, picked, state.settings.secure_cookies)
}

/// The value of the cookie `name`, if the request carries a plausible one.
pub(super) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty() && v.len() <= 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_with_repeated_or_too_many_fields_are_refused() {
        assert!(parse_form(b"a=1&b=2").is_some());
        assert!(parse_form(b"a=1&a=2").is_none());
        let many: String = (0..60).map(|i| format!("f{i}=x&")).collect();
        assert!(parse_form(many.as_bytes()).is_none());
    }

    #[test]
    fn cookies_are_found_by_exact_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("x_authlink_browser=no; authlink_browser=yes"),
        );
        assert_eq!(cookie(&headers, "authlink_browser").as_deref(), Some("yes"));
        assert_eq!(cookie(&headers, "other"), None);
    }
}
