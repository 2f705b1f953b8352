//! Background work: webhook delivery, e-mail (links, reminders, admin alerts and digests), token refresh, warnings of connections about to expire,
//! link-expiry announcements, expired exchange
//! codes, OAuth flows interrupted between token exchange and write, and sweeps of expired sessions, idempotency records, old events, sign-in throttle
//! buckets and finished OAuth flows. Every job claims
//! its rows in the database, so any number of server instances can run these side by side. A
//! pass that panics (say on a provider answer nobody foresaw) is logged and the worker goes on
//! at its next tick; single deliveries and refreshes run as their own tasks, so one of them
//! cannot take the others down.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use app::domain::AppState;
use app::domain::services::{
    alerts, connect, connections, emails, events, exchange, links, throttle, webhooks,
};
use app::domain::session::DbSessionStore;
use futures::FutureExt;
use tokio::task::JoinHandle;
use tower_sessions::session_store::ExpiredDeletion;

/// How the workers behave; from configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Refresh OAuth tokens this long before they expire.
    pub refresh_margin: time::Duration,
}

/// How often the delivery worker looks for due webhooks.
const DELIVERY_POLL: Duration = Duration::from_secs(1);
/// How often the e-mail worker looks for due e-mails.
const MAIL_POLL: Duration = Duration::from_secs(2);
/// How often tokens and link expiries are checked.
const MINUTE: Duration = Duration::from_secs(60);
/// How often expired sessions and idempotency records are deleted.
const SWEEP: Duration = Duration::from_secs(600);
/// Connections refreshed per pass.
const REFRESH_BATCH: u64 = 100;
/// Expired links announced per pass.
const EXPIRY_BATCH: u64 = 500;

/// Starts every worker; abort the handles to stop them.
pub fn spawn(state: &AppState, settings: &Settings) -> Vec<JoinHandle<()>> {
    let mut handles = Vec::new();

    let s = state.clone();
    handles.push(tokio::spawn(async move {
        let mut tick = tokio::time::interval(DELIVERY_POLL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            guarded("webhook delivery", async {
                if let Err(e) = webhooks::deliver_due(&s).await {
                    tracing::warn!(error = %e, "webhook delivery pass failed");
                }
            })
            .await;
        }
    }));

    if let Some(mailer) = state.mail.clone() {
        let s = state.clone();
        handles.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(MAIL_POLL);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                guarded("admin alerts", async {
                    if let Err(e) = alerts::dispatch(&s).await {
                        tracing::warn!(error = %e, "admin alert pass failed");
                    }
                })
                .await;
                guarded("e-mail delivery", async {
                    if let Err(e) = emails::deliver_due(&s, mailer.as_ref()).await {
                        tracing::warn!(error = %e, "e-mail delivery pass failed");
                    }
                })
                .await;
            }
        }));
    }

    let s = state.clone();
    let margin = settings.refresh_margin;
    handles.push(tokio::spawn(async move {
        let mut tick = tokio::time::interval(MINUTE);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            guarded("token refresh", async {
                if let Err(e) = connections::refresh_due(&s, margin, REFRESH_BATCH).await {
                    tracing::warn!(error = %e, "token refresh pass failed");
                }
            })
            .await;
            guarded("connection expiry warnings", async {
                if let Err(e) =
                    connections::announce_expiring(&s.db, s.clock.as_ref(), EXPIRY_BATCH).await
                {
                    tracing::warn!(error = %e, "connection expiry warning pass failed");
                }
            })
            .await;
            guarded("link expiry", async {
                if let Err(e) = links::announce_expired(&s.db, s.clock.as_ref(), EXPIRY_BATCH).await
                {
                    tracing::warn!(error = %e, "link expiry pass failed");
                }
            })
            .await;
            guarded("link reminders", async {
                if s.mail.is_some()
                    && let Err(e) = emails::queue_reminders(&s.db, s.clock.now()).await
                {
                    tracing::warn!(error = %e, "link reminder pass failed");
                }
            })
            .await;
            guarded("key reload", async {
                let before = s.keyring.active_key_id();
                if s.keyring.reload() && s.keyring.active_key_id() != before {
                    tracing::info!(key_id = %s.keyring.active_key_id(), "a new master key seals new values");
                }
            })
            .await;
            guarded("interrupted flows", async {
                if let Err(e) =
                    connect::sweep_interrupted(&s.db, s.clock.as_ref(), EXPIRY_BATCH).await
                {
                    tracing::warn!(error = %e, "interrupted flow pass failed");
                }
            })
            .await;
            guarded("exchange code expiry", async {
                if let Err(e) = exchange::discard_expired(&s, EXPIRY_BATCH).await {
                    tracing::warn!(error = %e, "exchange code expiry pass failed");
                }
            })
            .await;
        }
    }));

    let s = state.clone();
    handles.push(tokio::spawn(async move {
        let store = DbSessionStore::new(s.db.clone(), s.clock.clone());
        let mut tick = tokio::time::interval(SWEEP);
        loop {
            tick.tick().await;
            guarded("sweep", async {
                if let Err(e) = store.delete_expired().await {
                    tracing::warn!(error = %e, "session sweep failed");
                }
                if let Err(e) =
                    app::domain::services::idempotency::sweep(&s.db, s.clock.now()).await
                {
                    tracing::warn!(error = %e, "idempotency sweep failed");
                }
                if let Err(e) = events::sweep(&s.db, s.clock.now()).await {
                    tracing::warn!(error = %e, "event sweep failed");
                }
                if let Err(e) = throttle::sweep(&s.db, &s.settings.throttle, s.clock.now()).await {
                    tracing::warn!(error = %e, "sign-in throttle sweep failed");
                }
                if let Err(e) = connect::sweep_flows(&s.db, s.clock.now()).await {
                    tracing::warn!(error = %e, "OAuth flow sweep failed");
                }
            })
            .await;
        }
    }));

    handles
}

/// Runs one pass of a worker; a panic in it is logged instead of ending the worker.
async fn guarded(worker: &'static str, pass: impl Future<Output = ()>) {
    if AssertUnwindSafe(pass).catch_unwind().await.is_err() {
        tracing::error!(
            worker,
            "a worker pass panicked; the worker goes on at its next tick"
        );
    }
}
