//! Webhooks over real HTTP: Standard Webhooks signatures checked with an independent
//! implementation, retries with growing delays, timeouts, `410`, `Retry-After`, an outbox that
//! survives a restart, and two workers that never deliver an event twice. Time moves with the
//! manual clock; nothing sleeps to wait for it.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::api::webhooks::{CreateWebhookEndpoint, ReplayWebhookDelivery, SetWebhookEnabled};
use app::domain::clock::Clock;
use app::domain::entities::{webhook_attempt, webhook_delivery, webhook_endpoint};
use app::domain::services::events::{self, Subject};
use app::domain::services::webhooks;
use app::types::CreatedWebhookEndpoint;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use crate::helpers::{Backend, OWNER_EMAIL, OWNER_PASSWORD, TestApp, TestOptions, spawn_app_with};
use crate::on_both_backends;

on_both_backends!(
    failed_deliveries_are_retried_with_growing_delays_and_the_same_id,
    a_hanging_receiver_times_out_and_is_retried,
    gone_disables_the_endpoint,
    retry_after_is_honoured,
    the_outbox_survives_a_restart_and_two_workers_deliver_once,
    private_receivers_are_refused_unless_allowed,
    endpoints_receive_only_the_events_they_chose,
    old_events_are_swept_unless_still_pending,
    redirects_are_not_followed,
);

/// What the receiver answers, in order; after the script it answers 200.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Answer {
    Status(u16),
    /// 307 to the receiver's own `/elsewhere`.
    Redirect,
    RetryAfter(u16, u32),
    Hang,
}

#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

#[derive(Clone)]
pub(crate) struct Receiver {
    pub(crate) url: String,
    script: Arc<Mutex<VecDeque<Answer>>>,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub(crate) async fn start(script: &[Answer]) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind receiver");
        let port = listener.local_addr().expect("addr").port();
        let receiver = Receiver {
            url: format!("http://127.0.0.1:{port}/hooks"),
            script: Arc::new(Mutex::new(script.iter().copied().collect())),
            received: Arc::new(Mutex::new(Vec::new())),
        };
        let router = Router::new()
            .route("/hooks", post(receive))
            .route("/elsewhere", post(receive))
            .with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        receiver
    }

    pub(crate) fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> Response {
    r.received
        .lock()
        .expect("lock")
        .push(Received { headers, body });
    let answer = r.script.lock().expect("lock").pop_front();
    match answer {
        None => StatusCode::OK.into_response(),
        Some(Answer::Status(code)) => StatusCode::from_u16(code).expect("status").into_response(),
        Some(Answer::RetryAfter(code, secs)) => (
            StatusCode::from_u16(code).expect("status"),
            [("retry-after", secs.to_string())],
        )
            .into_response(),
        Some(Answer::Redirect) => {
            (StatusCode::TEMPORARY_REDIRECT, [("location", "/elsewhere")]).into_response()
        }
        Some(Answer::Hang) => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            StatusCode::OK.into_response()
        }
    }
}

async fn app_with(backend: Backend, extra_env: Vec<(&'static str, String)>) -> TestApp {
    let app = spawn_app_with(
        backend,
        TestOptions {
            extra_env,
            ..TestOptions::default()
        },
    )
    .await;
    assert!(app.setup_owner(OWNER_EMAIL, OWNER_PASSWORD).await.is_ok());
    app
}

pub(crate) async fn add_endpoint(
    app: &TestApp,
    url: &str,
    types: &[&str],
) -> CreatedWebhookEndpoint {
    let response = app
        .call_json::<CreateWebhookEndpoint>(
            json!({"url": url, "description": "backend", "event_types": types}),
        )
        .await;
    assert!(response.is_ok(), "{response:?}");
    let created: CreatedWebhookEndpoint = serde_json::from_str(&response.body).expect("endpoint");
    assert!(created.secret.starts_with("whsec_"));
    created
}

/// Announces one event, as a domain change would.
async fn emit(app: &TestApp, event_type: &'static str) -> uuid::Uuid {
    let subject = Subject {
        tenant: Some((uuid::Uuid::now_v7(), "cus_1".into())),
        connector: Some((uuid::Uuid::now_v7(), "github".into())),
        ..Subject::default()
    };
    let event_type = events::EventType::parse(event_type).expect("a known event type");
    events::emit(&app.state.db, app.clock.now(), event_type, &subject)
        .await
        .expect("emit")
}

/// Checks a request with the Standard Webhooks reference implementation.
pub(crate) fn verify(secret: &str, r: &Received) {
    let wh = standardwebhooks::Webhook::new(secret).expect("secret");
    wh.verify(&r.body, &r.headers)
        .unwrap_or_else(|e| panic!("signature does not verify: {e:?}"));
}

async fn deliver(app: &TestApp) -> usize {
    webhooks::deliver_due(&app.state).await.expect("deliver")
}

async fn deliveries(app: &TestApp) -> Vec<webhook_delivery::Model> {
    webhook_delivery::Entity::find()
        .order_by_asc(webhook_delivery::Column::Id)
        .all(&app.state.db)
        .await
        .expect("deliveries")
}

async fn attempts(app: &TestApp) -> Vec<webhook_attempt::Model> {
    webhook_attempt::Entity::find()
        .order_by_asc(webhook_attempt::Column::Id)
        .all(&app.state.db)
        .await
        .expect("attempts")
}

async fn failed_deliveries_are_retried_with_growing_delays_and_the_same_id(backend: Backend) {
    let app = app_with(backend, vec![]).await;
    let receiver = Receiver::start(&[
        Answer::Status(500),
        Answer::Status(500),
        Answer::Status(500),
        Answer::Status(200),
    ])
    .await;
    let endpoint = add_endpoint(&app, &receiver.url, &[]).await;
    let event_id = emit(&app, "connection.created").await;

    assert_eq!(deliver(&app).await, 1);
    for _ in 0..3 {
        // Not due yet: nothing is sent.
        assert_eq!(deliver(&app).await, 0);
        let due = deliveries(&app).await[0]
            .next_attempt_at
            .expect("scheduled");
        app.clock.advance(due - app.clock.now());
        assert_eq!(deliver(&app).await, 1);
    }
    let delivery = &deliveries(&app).await[0];
    assert_eq!(delivery.status.as_str(), "delivered");
    assert_eq!(delivery.attempts, 4);
    assert_eq!(delivery.next_attempt_at, None);

    let received = receiver.received();
    assert_eq!(received.len(), 4);
    for r in &received {
        assert_eq!(r.headers["webhook-id"], event_id.to_string().as_str());
        assert_eq!(r.headers["content-type"], "application/json");
        verify(&endpoint.secret, r);
        let body: Value = serde_json::from_slice(&r.body).expect("json");
        assert_eq!(body["type"], "connection.created");
        assert_eq!(body["data"]["tenant"]["external_id"], "cus_1");
    }
    // Another endpoint's secret does not verify these requests.
    let other =
        standardwebhooks::Webhook::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("secret");
    assert!(
        other
            .verify(&received[0].body, &received[0].headers)
            .is_err()
    );

    let attempts = attempts(&app).await;
    let statuses: Vec<Option<i32>> = attempts.iter().map(|a| a.status_code).collect();
    assert_eq!(statuses, [Some(500), Some(500), Some(500), Some(200)]);
    let delays: Vec<time::Duration> = attempts[..3]
        .iter()
        .map(|a| a.next_attempt_at.expect("next") - a.started_at)
        .collect();
    assert!(
        delays.windows(2).all(|w| w[0] < w[1]),
        "delays grow: {delays:?}"
    );
    app.cleanup().await;
}

async fn a_hanging_receiver_times_out_and_is_retried(backend: Backend) {
    let app = app_with(
        backend,
        vec![("AUTHLINK_WEBHOOK_TIMEOUT_SECS", "1".to_owned())],
    )
    .await;
    let receiver = Receiver::start(&[Answer::Hang]).await;
    add_endpoint(&app, &receiver.url, &[]).await;
    emit(&app, "link.opened").await;

    assert_eq!(deliver(&app).await, 1);
    let first = &attempts(&app).await[0];
    assert_eq!(first.status_code, None);
    assert_eq!(first.error.as_deref(), Some("no answer in time"));
    assert_eq!(deliveries(&app).await[0].status.as_str(), "pending");

    app.clock.advance(time::Duration::seconds(6));
    assert_eq!(deliver(&app).await, 1);
    assert_eq!(deliveries(&app).await[0].status.as_str(), "delivered");
    let received = receiver.received();
    assert_eq!(received.len(), 2);
    assert_eq!(
        received[0].headers["webhook-id"],
        received[1].headers["webhook-id"]
    );
    app.cleanup().await;
}

async fn gone_disables_the_endpoint(backend: Backend) {
    let app = app_with(backend, vec![]).await;
    let receiver = Receiver::start(&[Answer::Status(410)]).await;
    let endpoint = add_endpoint(&app, &receiver.url, &[]).await;
    emit(&app, "link.revoked").await;

    assert_eq!(deliver(&app).await, 1);
    assert_eq!(deliveries(&app).await[0].status.as_str(), "failed");
    let row = webhook_endpoint::Entity::find()
        .one(&app.state.db)
        .await
        .expect("query")
        .expect("endpoint");
    assert!(!row.enabled);
    assert!(row.disabled_reason.expect("reason").contains("410"));

    // Nothing more goes to it, now or later.
    emit(&app, "link.revoked").await;
    app.clock.advance(time::Duration::minutes(10));
    assert_eq!(deliver(&app).await, 0);
    assert_eq!(receiver.received().len(), 1);

    // Enabled again by the admin, it receives new events.
    let response = app
        .call::<SetWebhookEnabled>(&[("id", endpoint.info.id.as_str()), ("enabled", "true")])
        .await;
    assert!(response.is_ok(), "{response:?}");
    emit(&app, "link.revoked").await;
    assert_eq!(deliver(&app).await, 1);
    assert_eq!(receiver.received().len(), 2);

    // The delivery that met the 410 is sent again by hand, from the start of the schedule.
    let failed = deliveries(&app).await.remove(0);
    assert_eq!(failed.status.as_str(), "failed");
    let response = app
        .call::<ReplayWebhookDelivery>(&[("id", failed.id.to_string().as_str())])
        .await;
    assert!(response.is_ok(), "{response:?}");
    assert_eq!(deliver(&app).await, 1);
    let replayed = deliveries(&app).await.remove(0);
    assert_eq!(
        (replayed.status.as_str(), replayed.attempts),
        ("delivered", 1)
    );
    assert_eq!(receiver.received().len(), 3);
    assert_eq!(
        receiver.received()[2].headers["webhook-id"],
        receiver.received()[0].headers["webhook-id"],
        "a replay is the same event"
    );
    app.cleanup().await;
}

async fn retry_after_is_honoured(backend: Backend) {
    let app = app_with(backend, vec![]).await;
    let receiver = Receiver::start(&[Answer::RetryAfter(429, 120)]).await;
    add_endpoint(&app, &receiver.url, &[]).await;
    emit(&app, "link.expired").await;

    let sent_at = app.clock.now();
    assert_eq!(deliver(&app).await, 1);
    let next = deliveries(&app).await[0]
        .next_attempt_at
        .expect("scheduled");
    assert!(
        next >= sent_at + time::Duration::seconds(120),
        "the 5 s backoff gives way to Retry-After: {next} vs {sent_at}"
    );
    app.clock.advance(time::Duration::seconds(60));
    assert_eq!(deliver(&app).await, 0, "not before Retry-After");
    app.clock.advance(time::Duration::seconds(61));
    assert_eq!(deliver(&app).await, 1);
    assert_eq!(deliveries(&app).await[0].status.as_str(), "delivered");
    app.cleanup().await;
}

async fn the_outbox_survives_a_restart_and_two_workers_deliver_once(backend: Backend) {
    let app = app_with(backend, vec![]).await;
    let receiver = Receiver::start(&[]).await;
    add_endpoint(&app, &receiver.url, &[]).await;
    // Committed, never delivered by this server (its workers are off: as if it stopped here).
    let mut ids = Vec::new();
    for _ in 0..30 {
        ids.push(emit(&app, "connection.created").await.to_string());
    }

    // After a restart, two instances sweep the outbox at the same time.
    let restarted = app.another_instance().await;
    let second = app.another_instance().await;
    let (a, b) = tokio::join!(
        webhooks::deliver_due(&restarted),
        webhooks::deliver_due(&second)
    );
    assert_eq!(a.expect("first worker") + b.expect("second worker"), 30);
    assert_eq!(deliver(&app).await, 0, "nothing is left");

    let mut seen: HashMap<String, usize> = HashMap::new();
    for r in receiver.received() {
        let id = r.headers["webhook-id"].to_str().expect("id").to_owned();
        *seen.entry(id).or_default() += 1;
    }
    assert_eq!(seen.len(), 30);
    assert!(seen.values().all(|n| *n == 1), "each event once: {seen:?}");
    for id in ids {
        assert!(seen.contains_key(&id));
    }
    app.cleanup().await;
}

async fn private_receivers_are_refused_unless_allowed(backend: Backend) {
    let app = app_with(
        backend,
        vec![("AUTHLINK_WEBHOOK_ALLOW_PRIVATE", "false".to_owned())],
    )
    .await;
    for url in [
        "http://127.0.0.1:9/hooks",
        "https://127.0.0.1/hooks",
        "https://localhost/hooks",
        "https://10.0.0.5/hooks",
        "https://[::1]/hooks",
        "https://169.254.169.254/latest/meta-data",
        "http://hooks.example.com/in",
        "https://user:pass@hooks.example.com/in",
    ] {
        let response = app
            .call_json::<CreateWebhookEndpoint>(json!({"url": url, "event_types": []}))
            .await;
        assert_eq!(response.status, 422, "{url}: {response:?}");
    }
    let response = app
        .call_json::<CreateWebhookEndpoint>(
            json!({"url": "https://hooks.example.com/in", "event_types": ["no.such"]}),
        )
        .await;
    assert_eq!(response.status, 422, "{response:?}");
    assert_eq!(
        webhook_endpoint::Entity::find()
            .all(&app.state.db)
            .await
            .expect("query")
            .len(),
        0
    );
    app.cleanup().await;
}

async fn endpoints_receive_only_the_events_they_chose(backend: Backend) {
    let app = app_with(backend, vec![]).await;
    let links_only = Receiver::start(&[]).await;
    let everything = Receiver::start(&[]).await;
    add_endpoint(&app, &links_only.url, &["link.opened", "link.completed"]).await;
    add_endpoint(&app, &everything.url, &[]).await;
    emit(&app, "connection.created").await;
    emit(&app, "link.opened").await;

    assert_eq!(deliver(&app).await, 3);
    let types = |r: &Receiver| -> Vec<String> {
        r.received()
            .iter()
            .map(|x| {
                serde_json::from_slice::<Value>(&x.body).expect("json")["type"]
                    .as_str()
                    .expect("type")
                    .to_owned()
            })
            .collect()
    };
    assert_eq!(types(&links_only), ["link.opened"]);
    let mut all = types(&everything);
    all.sort();
    assert_eq!(all, ["connection.created", "link.opened"]);
    assert_eq!(
        webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::Status.eq("delivered"))
            .all(&app.state.db)
            .await
            .expect("query")
            .len(),
        3
    );
    app.cleanup().await;
}

async fn old_events_are_swept_unless_still_pending(backend: Backend) {
    let app = app_with(backend, vec![]).await;
    let up = Receiver::start(&[]).await;
    let down = Receiver::start(&[Answer::Status(500); 8]).await;
    add_endpoint(&app, &up.url, &["link.opened"]).await;
    add_endpoint(&app, &down.url, &["link.revoked"]).await;
    emit(&app, "link.opened").await;
    let kept = emit(&app, "link.revoked").await;
    assert_eq!(deliver(&app).await, 2);

    app.clock
        .advance(events::RETENTION + time::Duration::days(1));
    assert_eq!(
        events::sweep(&app.state.db, app.clock.now())
            .await
            .expect("sweep"),
        1
    );
    let left = deliveries(&app).await;
    assert_eq!(left.len(), 1, "the delivered event went with its delivery");
    assert_eq!(
        (left[0].event_id, left[0].status.as_str()),
        (kept, "pending")
    );
    app.cleanup().await;
}

async fn redirects_are_not_followed(backend: Backend) {
    let app = app_with(backend, vec![]).await;
    let receiver = Receiver::start(&[Answer::Redirect]).await;
    add_endpoint(&app, &receiver.url, &[]).await;
    emit(&app, "link.opened").await;

    assert_eq!(deliver(&app).await, 1);
    assert_eq!(
        receiver.received().len(),
        1,
        "the redirect target got nothing"
    );
    let attempt = &attempts(&app).await[0];
    assert_eq!(attempt.status_code, Some(307));
    assert!(
        attempt
            .error
            .as_deref()
            .is_some_and(|e| e.contains("redirects are not followed"))
    );
    assert_eq!(
        deliveries(&app).await[0].status.as_str(),
        "pending",
        "retried later like any failure"
    );
    app.cleanup().await;
}
