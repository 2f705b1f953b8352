//! Health checks and start-up behaviour.

use sea_orm::ConnectionTrait;

use crate::helpers::{Backend, spawn_app};
use crate::on_both_backends;

on_both_backends!(health_and_readiness, migrations_are_idempotent);

async fn health_and_readiness(backend: Backend) {
    let app = spawn_app(backend).await;
    let health = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("request");
    assert_eq!(health.status(), 200);
    let ready = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("request");
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.text().await.expect("body"), "ready");

    // With the pool closed the process is alive but not ready.
    app.state.db.clone().close().await.ok();
    let ready = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("request");
    assert_eq!(ready.status(), 503);
    let health = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("request");
    assert_eq!(health.status(), 200);
    app.cleanup().await;
}

async fn migrations_are_idempotent(backend: Backend) {
    let app = spawn_app(backend).await;
    server::database::migrate(&app.state.db)
        .await
        .expect("second run is a no-op");
    let result = app
        .state
        .db
        .execute_unprepared("SELECT COUNT(*) FROM admin_users")
        .await;
    assert!(result.is_ok());
    app.cleanup().await;
}
