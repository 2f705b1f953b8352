//! Webhook endpoints and the delivery worker.
//!
//! Requests are signed per the Standard Webhooks specification (`webhook-id`,
//! `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`). Deliveries are claimed row
//! by row with a conditional update, so any number of workers on any number of servers send each
//! event to each endpoint once; a worker that dies mid-attempt loses its claim when it expires.
//! Failed attempts are retried with exponential backoff and jitter over about a day; `Retry-After`
//! is honoured, `410 Gone` disables the endpoint, redirects are not followed, and receivers in
//! private, loopback or link-local ranges are refused unless configuration allows them.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use rand::Rng;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use sha2::Sha256;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::events::EVENT_TYPES;
use super::one_line;
use crate::domain::AppState;
use crate::domain::crypto::Aad;
use crate::domain::entities::webhook_delivery::DeliveryState;
use crate::domain::entities::{event, webhook_attempt, webhook_delivery, webhook_endpoint};
use crate::error::AppError;
use crate::types::{
    CreatedWebhookEndpoint, WebhookAttemptInfo, WebhookDeliveryInfo, WebhookEndpointInfo,
};

/// Delay before each retry: after the first failure 5 s, then 5 min, 30 min, 2 h, 5 h, 10 h,
/// 10 h — eight attempts over about 27 hours.
pub const RETRY_SCHEDULE: [Duration; 7] = [
    Duration::seconds(5),
    Duration::minutes(5),
    Duration::minutes(30),
    Duration::hours(2),
    Duration::hours(5),
    Duration::hours(10),
    Duration::hours(10),
];
/// A `Retry-After` longer than this is capped, so one receiver cannot park a delivery forever.
const MAX_RETRY_AFTER: Duration = Duration::hours(24);
/// Deliveries claimed per pass.
const BATCH: u64 = 50;
/// Longest accepted endpoint URL.
const URL_MAX_CHARS: usize = 2000;
/// Stored part of a receiver's error, for the dashboard.
const ERROR_MAX_CHARS: usize = 300;

/// How deliveries are made; from configuration.
#[derive(Debug, Clone)]
pub struct DeliveryPolicy {
    /// Time limit of one request to a receiver.
    pub timeout: StdDuration,
    /// Whether receivers on private, loopback and link-local addresses are allowed (development).
    pub allow_private: bool,
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        Self {
            timeout: StdDuration::from_secs(10),
            allow_private: false,
        }
    }
}

/// Sends webhook requests: an HTTP client that follows no redirects, uses no proxy from the
/// environment and, unless allowed, resolves names only to public addresses.
pub struct Deliverer {
    client: reqwest::Client,
    policy: DeliveryPolicy,
}

impl Deliverer {
    /// A deliverer for `policy`.
    pub fn new(policy: DeliveryPolicy) -> Self {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(policy.timeout)
            .connect_timeout(policy.timeout.min(StdDuration::from_secs(10)))
            .user_agent(concat!("Authlink-Webhooks/", env!("CARGO_PKG_VERSION")));
        if !policy.allow_private {
            // Checked again at connect time, so a name that resolves to a private address after
            // the endpoint was saved (DNS rebinding) is still refused.
            builder = builder.dns_resolver(Arc::new(PublicOnly));
        }
        let client = builder.build().unwrap_or_else(|e| {
            // Building fails only when the TLS backend cannot initialise; that is fatal anyway.
            panic!("the webhook HTTP client could not be built: {e}")
        });
        Self { client, policy }
    }

    /// The policy it was built with.
    pub fn policy(&self) -> &DeliveryPolicy {
        &self.policy
    }
}

struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| is_public(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err("the receiver's address is in a private or reserved range".into());
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Whether `ip` is a globally routable unicast address (not loopback, private, link-local,
/// shared, documentation, multicast or otherwise reserved).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x0064 && s[1] == 0xff9b) // NAT64
                || (s[0..6] == [0, 0, 0, 0, 0, 0])) // IPv4-compatible
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // shared address space (CGNAT)
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // benchmarking
        || o[0] >= 240)
}

/// Checks an endpoint URL: http(s) only, no credentials in it, https unless private receivers
/// are allowed, and no private or loopback address literal or `localhost` unless allowed.
pub fn validate_url(text: &str, allow_private: bool) -> Result<url::Url, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::Validation("Enter the endpoint's URL.".into()));
    }
    if text.chars().count() > URL_MAX_CHARS {
        return Err(AppError::Validation(format!(
            "The URL has at most {URL_MAX_CHARS} characters."
        )));
    }
    let url = url::Url::parse(text).map_err(|_| {
        AppError::Validation("Enter a full URL, like https://api.example.com/hooks.".into())
    })?;
    if !(url.scheme() == "https" || (url.scheme() == "http" && allow_private)) {
        return Err(AppError::Validation(
            "Webhook endpoints must use https.".into(),
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(AppError::Validation(
            "Put no user name or password in the URL; verify the signature instead.".into(),
        ));
    }
    if url.fragment().is_some() {
        return Err(AppError::Validation(
            "Remove the #fragment from the URL.".into(),
        ));
    }
    let private = match url.host() {
        None => {
            return Err(AppError::Validation("The URL has no host.".into()));
        }
        Some(url::Host::Ipv4(ip)) => !is_public(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => !is_public(IpAddr::V6(ip)),
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost") || d.ends_with(".local")
        }
    };
    if private && !allow_private {
        return Err(AppError::Validation(
            "That address is private or local; Authlink sends webhooks only to public addresses."
                .into(),
        ));
    }
    Ok(url)
}

fn validate_event_types(types: &[String]) -> Result<Vec<String>, AppError> {
    let mut out: Vec<String> = Vec::new();
    for t in types {
        let t = t.trim();
        if !EVENT_TYPES.iter().any(|(known, _)| *known == t) {
            return Err(AppError::Validation(format!("{t:?} is not an event type.")));
        }
        if !out.iter().any(|o| o == t) {
            out.push(t.to_owned());
        }
    }
    out.sort_by_key(|t| EVENT_TYPES.iter().position(|(k, _)| k == t));
    Ok(out)
}

fn secret_aad(id: &str) -> Aad<'_> {
    Aad {
        table: "webhook_endpoints",
        column: "secret",
        row_id: id,
    }
}

/// A new signing secret: `whsec_` and 32 random bytes in base64.
fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill(&mut bytes);
    format!("whsec_{}", BASE64.encode(bytes))
}

/// The `webhook-signature` value for one request: `v1,` and the base64 HMAC-SHA256 of
/// `{id}.{timestamp}.{body}` under the secret's decoded bytes.
pub fn sign(secret: &str, msg_id: &str, timestamp: i64, body: &[u8]) -> Result<String, AppError> {
    let key = BASE64
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .map_err(|_| AppError::Internal)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|_| AppError::Internal)?;
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(format!("v1,{}", BASE64.encode(mac.finalize().into_bytes())))
}

/// Creates an endpoint; its signing secret is in the result only this once.
pub async fn create(
    state: &AppState,
    url: &str,
    description: Option<&str>,
    event_types: &[String],
) -> Result<CreatedWebhookEndpoint, AppError> {
    let url = validate_url(url, state.webhooks.policy().allow_private)?;
    let description = match description.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => Some(one_line(d, "a description", 200)?),
        None => None,
    };
    let event_types = validate_event_types(event_types)?;
    let id = Uuid::now_v7();
    let secret = new_secret();
    let sealed = state
        .keyring
        .seal(secret.as_bytes(), secret_aad(&id.to_string()))
        .map_err(|_| AppError::Internal)?;
    let now = state.clock.now();
    let model = webhook_endpoint::ActiveModel {
        id: Set(id),
        url: Set(url.to_string()),
        description: Set(description),
        event_types: Set(serde_json::to_string(&event_types).map_err(|_| AppError::Internal)?),
        secret: Set(sealed),
        enabled: Set(true),
        disabled_reason: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&state.db)
    .await?;
    Ok(CreatedWebhookEndpoint {
        info: info(&model)?,
        secret,
    })
}

fn info(model: &webhook_endpoint::Model) -> Result<WebhookEndpointInfo, AppError> {
    Ok(WebhookEndpointInfo {
        id: model.id.to_string(),
        url: model.url.clone(),
        description: model.description.clone(),
        event_types: model.event_types()?,
        enabled: model.enabled,
        disabled_reason: model.disabled_reason.clone(),
        created_at: model.created_at,
    })
}

/// Every endpoint, oldest first.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<WebhookEndpointInfo>, AppError> {
    webhook_endpoint::Entity::find()
        .order_by_asc(webhook_endpoint::Column::Id)
        .all(db)
        .await?
        .iter()
        .map(info)
        .collect()
}

/// One endpoint.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<WebhookEndpointInfo, AppError> {
    webhook_endpoint::Entity::find_by_id(id)
        .one(db)
        .await?
        .as_ref()
        .map(info)
        .ok_or(AppError::NotFound)?
}

/// Enables or disables an endpoint. Enabling clears the reason it was disabled; deliveries
/// that waited meanwhile go out again.
pub async fn set_enabled(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    id: Uuid,
    enabled: bool,
) -> Result<(), AppError> {
    let result = webhook_endpoint::Entity::update_many()
        .col_expr(webhook_endpoint::Column::Enabled, Expr::value(enabled))
        .col_expr(
            webhook_endpoint::Column::DisabledReason,
            Expr::value(Option::<String>::None),
        )
        .col_expr(webhook_endpoint::Column::UpdatedAt, Expr::value(now))
        .filter(webhook_endpoint::Column::Id.eq(id))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Deletes an endpoint with its deliveries.
pub async fn delete(db: &impl ConnectionTrait, id: Uuid) -> Result<(), AppError> {
    let result = webhook_endpoint::Entity::delete_by_id(id).exec(db).await?;
    if result.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// An endpoint's most recent deliveries (at most `limit`), each with its attempts.
pub async fn deliveries(
    db: &impl ConnectionTrait,
    endpoint_id: Uuid,
    limit: u64,
) -> Result<Vec<WebhookDeliveryInfo>, AppError> {
    let rows = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::EndpointId.eq(endpoint_id))
        .order_by_desc(webhook_delivery::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|d| d.id).collect();
    let event_ids: Vec<Uuid> = rows.iter().map(|d| d.event_id).collect();
    let types: std::collections::HashMap<Uuid, String> = event::Entity::find()
        .select_only()
        .column(event::Column::Id)
        .column(event::Column::EventType)
        .filter(event::Column::Id.is_in(event_ids))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut attempts: std::collections::HashMap<Uuid, Vec<WebhookAttemptInfo>> =
        std::collections::HashMap::new();
    for a in webhook_attempt::Entity::find()
        .filter(webhook_attempt::Column::DeliveryId.is_in(ids))
        .order_by_asc(webhook_attempt::Column::Id)
        .all(db)
        .await?
    {
        attempts
            .entry(a.delivery_id)
            .or_default()
            .push(WebhookAttemptInfo {
                attempt: a.attempt,
                started_at: a.started_at,
                duration_ms: a.duration_ms,
                status_code: a.status_code,
                error: a.error,
                next_attempt_at: a.next_attempt_at,
            });
    }
    Ok(rows
        .into_iter()
        .map(|d| WebhookDeliveryInfo {
            id: d.id.to_string(),
            event_id: d.event_id.to_string(),
            event_type: types.get(&d.event_id).cloned().unwrap_or_default(),
            status: d.status.as_str().to_owned(),
            attempts: attempts.remove(&d.id).unwrap_or_default(),
            next_attempt_at: d.next_attempt_at,
            created_at: d.created_at,
        })
        .collect())
}

/// Sends a delivery again from the start of the retry schedule, whatever happened to it before.
/// Replaying one that is still pending only makes it due now.
pub async fn replay(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    delivery_id: Uuid,
) -> Result<(), AppError> {
    let result = webhook_delivery::Entity::update_many()
        .col_expr(
            webhook_delivery::Column::Status,
            Expr::value(DeliveryState::Pending),
        )
        .col_expr(webhook_delivery::Column::Attempts, Expr::value(0))
        .col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(now))
        .col_expr(webhook_delivery::Column::UpdatedAt, Expr::value(now))
        .filter(webhook_delivery::Column::Id.eq(delivery_id))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// The delay before the attempt after `attempts` failed ones, with ±10 % jitter so that many
/// deliveries that failed together do not retry together; `None` when the schedule is spent.
pub fn backoff(attempts: i32) -> Option<Duration> {
    let index = usize::try_from(attempts).ok()?.checked_sub(1)?;
    let base = *RETRY_SCHEDULE.get(index)?;
    let factor = rand::thread_rng().gen_range(0.9..=1.1);
    // Whole seconds: stored times stay comparable as text on SQLite (see `Clock::now`).
    #[allow(clippy::cast_possible_truncation)]
    let seconds = (base.as_seconds_f64() * factor).round() as i64;
    Some(Duration::seconds(seconds))
}

/// Reads `Retry-After` as seconds or an HTTP date.
fn retry_after(headers: &reqwest::header::HeaderMap, now: OffsetDateTime) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    let delay = if let Ok(secs) = value.parse::<u32>() {
        Duration::seconds(i64::from(secs))
    } else {
        let at =
            OffsetDateTime::parse(value, &time::format_description::well_known::Rfc2822).ok()?;
        (at - now).max(Duration::ZERO)
    };
    Some(delay.min(MAX_RETRY_AFTER))
}

/// Deliveries no live worker holds.
fn unclaimed(now: OffsetDateTime) -> Condition {
    Condition::any()
        .add(webhook_delivery::Column::ClaimedUntil.is_null())
        .add(webhook_delivery::Column::ClaimedUntil.lte(now))
}

/// What came of one request.
enum Outcome {
    Delivered(u16),
    Gone,
    Retry {
        status: Option<u16>,
        error: String,
        not_before: Option<Duration>,
    },
}

/// Sends every due delivery of enabled endpoints once and records each attempt. Returns how many
/// requests were made. Safe to run on any number of workers at once.
pub async fn deliver_due(state: &AppState) -> Result<usize, AppError> {
    let now = state.clock.now();
    let enabled_endpoints = Query::select()
        .column(webhook_endpoint::Column::Id)
        .from(webhook_endpoint::Entity)
        .and_where(webhook_endpoint::Column::Enabled.eq(true))
        .to_owned();
    let due: Vec<Uuid> = webhook_delivery::Entity::find()
        .select_only()
        .column(webhook_delivery::Column::Id)
        .filter(webhook_delivery::Column::Status.eq(DeliveryState::Pending))
        .filter(webhook_delivery::Column::NextAttemptAt.lte(now))
        .filter(unclaimed(now))
        .filter(webhook_delivery::Column::EndpointId.in_subquery(enabled_endpoints))
        .order_by_asc(webhook_delivery::Column::NextAttemptAt)
        .limit(BATCH)
        .into_tuple()
        .all(&state.db)
        .await?;
    // A claim outlives the longest possible attempt, so it only lapses when its worker died.
    let claim_until = now
        + Duration::try_from(state.webhooks.policy().timeout).unwrap_or(Duration::minutes(1))
        + Duration::minutes(1);
    let mut tasks = tokio::task::JoinSet::new();
    for id in due {
        let claimed = webhook_delivery::Entity::update_many()
            .col_expr(
                webhook_delivery::Column::ClaimedUntil,
                Expr::value(claim_until),
            )
            .filter(webhook_delivery::Column::Id.eq(id))
            .filter(webhook_delivery::Column::Status.eq(DeliveryState::Pending))
            .filter(unclaimed(now))
            .exec(&state.db)
            .await?;
        if claimed.rows_affected == 1 {
            let state = state.clone();
            tasks.spawn(async move { attempt(&state, id).await });
        }
    }
    let mut sent = 0;
    while let Some(result) = tasks.join_next().await {
        match result {
            Ok(Ok(true)) => sent += 1,
            Ok(Ok(false)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "webhook delivery could not be recorded"),
            Err(e) => tracing::error!(error = %e, "webhook delivery task failed"),
        }
    }
    Ok(sent)
}

/// Makes one attempt of a claimed delivery and records it. `Ok(false)` when nothing was sent.
async fn attempt(state: &AppState, delivery_id: Uuid) -> Result<bool, AppError> {
    let Some(delivery) = webhook_delivery::Entity::find_by_id(delivery_id)
        .one(&state.db)
        .await?
    else {
        return Ok(false);
    };
    let endpoint = webhook_endpoint::Entity::find_by_id(delivery.endpoint_id)
        .one(&state.db)
        .await?;
    let event = event::Entity::find_by_id(delivery.event_id)
        .one(&state.db)
        .await?;
    let (Some(endpoint), Some(event)) = (endpoint, event) else {
        return Ok(false);
    };
    let secret = state
        .keyring
        .open(&endpoint.secret, secret_aad(&endpoint.id.to_string()))
        .map_err(|e| {
            tracing::error!(endpoint_id = %endpoint.id, error = %e, "webhook secret cannot be decrypted");
            AppError::Internal
        })?;
    let secret = std::str::from_utf8(&secret).map_err(|_| AppError::Internal)?;
    let msg_id = event.id.to_string();
    // Receivers compare the timestamp with their own wall clock, so it is the real time of
    // sending, not the (injectable) clock that schedules attempts.
    let timestamp = OffsetDateTime::now_utc().unix_timestamp();
    let signature = sign(secret, &msg_id, timestamp, event.payload.as_bytes())?;

    let started = state.clock.now();
    let timer = Instant::now();
    let response = state
        .webhooks
        .client
        .post(&endpoint.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("webhook-id", &msg_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(event.payload.clone())
        .send()
        .await;
    let outcome = match response {
        Ok(r) if r.status().is_success() => Outcome::Delivered(r.status().as_u16()),
        Ok(r) if r.status() == reqwest::StatusCode::GONE => Outcome::Gone,
        Ok(r) => {
            let status = r.status();
            let not_before = if status == reqwest::StatusCode::TOO_MANY_REQUESTS
                || status == reqwest::StatusCode::SERVICE_UNAVAILABLE
            {
                retry_after(r.headers(), started)
            } else {
                None
            };
            let error = if status.is_redirection() {
                format!("HTTP {} (redirects are not followed)", status.as_u16())
            } else {
                format!("HTTP {}", status.as_u16())
            };
            Outcome::Retry {
                status: Some(status.as_u16()),
                error,
                not_before,
            }
        }
        Err(e) => Outcome::Retry {
            status: None,
            error: describe(&e),
            not_before: None,
        },
    };
    let duration_ms = i32::try_from(timer.elapsed().as_millis()).unwrap_or(i32::MAX);
    let attempt_no = delivery.attempts + 1;
    let now = state.clock.now();
    let (status, next, code, error) = match outcome {
        Outcome::Delivered(code) => (DeliveryState::Delivered, None, Some(code), None),
        Outcome::Gone => (
            DeliveryState::Failed,
            None,
            Some(410),
            Some("HTTP 410: the receiver is gone; the endpoint was disabled".to_owned()),
        ),
        Outcome::Retry {
            status,
            error,
            not_before,
        } => match backoff(attempt_no) {
            Some(delay) => {
                let delay = not_before.map_or(delay, |n| n.max(delay));
                (
                    DeliveryState::Pending,
                    Some(now + delay),
                    status,
                    Some(error),
                )
            }
            None => (DeliveryState::Failed, None, status, Some(error)),
        },
    };
    let error = error.map(|e| e.chars().take(ERROR_MAX_CHARS).collect::<String>());
    let txn = state.db.begin().await?;
    webhook_attempt::ActiveModel {
        id: Set(Uuid::now_v7()),
        delivery_id: Set(delivery.id),
        attempt: Set(attempt_no),
        started_at: Set(started),
        duration_ms: Set(duration_ms),
        status_code: Set(code.map(i32::from)),
        error: Set(error.clone()),
        next_attempt_at: Set(next),
    }
    .insert(&txn)
    .await?;
    webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::Status, Expr::value(status))
        .col_expr(webhook_delivery::Column::Attempts, Expr::value(attempt_no))
        .col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(next))
        .col_expr(
            webhook_delivery::Column::ClaimedUntil,
            Expr::value(Option::<OffsetDateTime>::None),
        )
        .col_expr(
            webhook_delivery::Column::LastStatusCode,
            Expr::value(code.map(i32::from)),
        )
        .col_expr(webhook_delivery::Column::LastError, Expr::value(error))
        .col_expr(webhook_delivery::Column::UpdatedAt, Expr::value(now))
        .filter(webhook_delivery::Column::Id.eq(delivery.id))
        .exec(&txn)
        .await?;
    if code == Some(410) {
        webhook_endpoint::Entity::update_many()
            .col_expr(webhook_endpoint::Column::Enabled, Expr::value(false))
            .col_expr(
                webhook_endpoint::Column::DisabledReason,
                Expr::value("The receiver answered 410 Gone."),
            )
            .col_expr(webhook_endpoint::Column::UpdatedAt, Expr::value(now))
            .filter(webhook_endpoint::Column::Id.eq(endpoint.id))
            .exec(&txn)
            .await?;
        tracing::warn!(endpoint_id = %endpoint.id, "webhook endpoint disabled: the receiver answered 410");
    }
    txn.commit().await?;
    tracing::debug!(delivery_id = %delivery.id, attempt = attempt_no, status = status.as_str(), "webhook attempt");
    Ok(true)
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "no answer in time".to_owned()
    } else if e.is_connect() {
        let refused_private = std::error::Error::source(e)
            .map(|s| format!("{s:?}"))
            .is_some_and(|s| s.contains("private or reserved range"));
        if refused_private {
            "refused: the receiver's address is private or reserved".to_owned()
        } else {
            "could not connect".to_owned()
        }
    } else {
        "the request failed".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn names_resolving_to_private_addresses_are_refused_at_connect_time() {
        use reqwest::dns::Resolve;
        use std::str::FromStr;

        let name = reqwest::dns::Name::from_str("localhost").expect("name");
        let refused = PublicOnly.resolve(name).await;
        assert!(refused.is_err());
    }

    #[test]
    fn private_and_reserved_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "fc00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(
                !is_public(ip.parse().expect("address")),
                "{ip} is not public"
            );
        }
        for ip in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(is_public(ip.parse().expect("address")), "{ip} is public");
        }
    }

    #[test]
    fn endpoint_urls_are_checked() {
        assert!(validate_url("https://hooks.example.com/in", false).is_ok());
        for bad in [
            "http://hooks.example.com/in",
            "https://127.0.0.1/in",
            "https://[::1]/in",
            "https://localhost/in",
            "https://10.0.0.8/in",
            "https://169.254.169.254/latest",
            "https://user:pw@hooks.example.com/in",
            "ftp://hooks.example.com/in",
            "javascript:alert(1)",
            "",
        ] {
            assert!(validate_url(bad, false).is_err(), "{bad:?} refused");
        }
        assert!(validate_url("http://127.0.0.1:9000/in", true).is_ok());
    }

    #[test]
    fn signatures_follow_the_standard_webhooks_example() {
        // The specification's published example.
        let signature = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        )
        .expect("signature");
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn backoff_grows_and_ends() {
        assert!(RETRY_SCHEDULE.windows(2).all(|w| w[0] <= w[1]));
        for (n, base) in (1..).zip(RETRY_SCHEDULE) {
            let delay = backoff(n).expect("scheduled");
            assert!(
                delay >= base * 0.9 && delay <= base * 1.1,
                "attempt {n}: {delay}"
            );
        }
        assert!(backoff(8).is_none());
        assert!(backoff(0).is_none());
        let total: Duration = RETRY_SCHEDULE.iter().copied().sum();
        assert!(total > Duration::hours(24) && total < Duration::hours(30));
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(20000);
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::RETRY_AFTER, "120".parse().expect("header"));
        assert_eq!(retry_after(&headers, now), Some(Duration::seconds(120)));
        headers.insert(
            reqwest::header::RETRY_AFTER,
            "99999999".parse().expect("header"),
        );
        assert_eq!(retry_after(&headers, now), Some(MAX_RETRY_AFTER));
        headers.insert(
            reqwest::header::RETRY_AFTER,
            "soon".parse().expect("header"),
        );
        assert_eq!(retry_after(&headers, now), None);
    }
}
