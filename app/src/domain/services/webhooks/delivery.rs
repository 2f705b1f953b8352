//! The delivery worker: claims due deliveries row by row with a conditional update, so any
//! number of workers on any number of servers send each event to each endpoint once; a worker
//! that dies mid-attempt loses its claim when it expires. Failed attempts are retried with
//! exponential backoff and jitter over about a day; `Retry-After` is honoured, `410 Gone`
//! disables the endpoint, and redirects are not followed.

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use rand::Rng;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::address_check::PublicOnly;
use super::signing::{open_secret, sign};
use crate::domain::AppState;
use crate::domain::entities::webhook_delivery::DeliveryState;
use crate::domain::entities::{event, webhook_attempt, webhook_delivery, webhook_endpoint};
use crate::error::AppError;

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
    let started = state.clock.now();
    let timer = Instant::now();
    let outcome = send(state, &endpoint, &event, started).await?;
    let attempt = Attempt {
        number: delivery.attempts + 1,
        started,
        duration_ms: i32::try_from(timer.elapsed().as_millis()).unwrap_or(i32::MAX),
    };
    let now = state.clock.now();
    let next = Next::after(outcome, attempt.number, now);
    record(state, &delivery, &endpoint, &attempt, &next, now).await?;
    tracing::debug!(delivery_id = %delivery.id, attempt = attempt.number, status = next.status.as_str(), "webhook attempt");
    Ok(true)
}

/// Sends the event, signed, to the endpoint once.
async fn send(
    state: &AppState,
    endpoint: &webhook_endpoint::Model,
    event: &event::Model,
    started: OffsetDateTime,
) -> Result<Outcome, AppError> {
    let secret = open_secret(&state.keyring, endpoint)?;
    let msg_id = event.id.to_string();
    // Receivers compare the timestamp with their own wall clock, so it is the real time of
    // sending, not the (injectable) clock that schedules attempts.
    let timestamp = OffsetDateTime::now_utc().unix_timestamp();
    let signature = sign(&secret, &msg_id, timestamp, event.payload.as_bytes())?;
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
    Ok(match response {
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
    })
}

/// One attempt, as recorded.
struct Attempt {
    number: i32,
    started: OffsetDateTime,
    duration_ms: i32,
}

/// Where a delivery stands after an attempt.
struct Next {
    status: DeliveryState,
    at: Option<OffsetDateTime>,
    code: Option<u16>,
    error: Option<String>,
}

impl Next {
    /// The state after attempt `number` came out as `outcome`: delivered, failed for good, or
    /// pending again after the backoff (or the receiver's `Retry-After`, if longer).
    fn after(outcome: Outcome, number: i32, now: OffsetDateTime) -> Self {
        let (status, at, code, error) = match outcome {
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
            } => match backoff(number) {
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
        Self {
            status,
            at,
            code,
            error: error.map(|e| e.chars().take(ERROR_MAX_CHARS).collect()),
        }
    }
}

/// Records the attempt and the delivery's new state in one transaction; a `410` also disables
/// the endpoint.
async fn record(
    state: &AppState,
    delivery: &webhook_delivery::Model,
    endpoint: &webhook_endpoint::Model,
    attempt: &Attempt,
    next: &Next,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let code = next.code.map(i32::from);
    let txn = state.db.begin().await?;
    webhook_attempt::ActiveModel {
        id: Set(Uuid::now_v7()),
        delivery_id: Set(delivery.id),
        attempt: Set(attempt.number),
        started_at: Set(attempt.started),
        duration_ms: Set(attempt.duration_ms),
        status_code: Set(code),
        error: Set(next.error.clone()),
        next_attempt_at: Set(next.at),
    }
    .insert(&txn)
    .await?;
    webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::Status, Expr::value(next.status))
        .col_expr(
            webhook_delivery::Column::Attempts,
            Expr::value(attempt.number),
        )
        .col_expr(
            webhook_delivery::Column::NextAttemptAt,
            Expr::value(next.at),
        )
        .col_expr(
            webhook_delivery::Column::ClaimedUntil,
            Expr::value(Option::<OffsetDateTime>::None),
        )
        .col_expr(webhook_delivery::Column::LastStatusCode, Expr::value(code))
        .col_expr(
            webhook_delivery::Column::LastError,
            Expr::value(next.error.clone()),
        )
        .col_expr(webhook_delivery::Column::UpdatedAt, Expr::value(now))
        .filter(webhook_delivery::Column::Id.eq(delivery.id))
        .exec(&txn)
        .await?;
    if next.code == Some(410) {
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
    Ok(())
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
