//! The admin's own account: changing the password, and the setup code that keeps a fresh
//! installation from being claimed by a stranger.

use app::api::auth::{ChangePassword, SetupOwner, SignIn};
use app::domain::entities::audit_entry;
use app::domain::services::{admin::WRONG_CREDENTIALS, setup_code};
use app::error::AppError;
use leptos::server_fn::ServerFn;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::helpers::{
    Backend, OWNER_EMAIL, OWNER_PASSWORD, TestApp, TestOptions, client_with, spawn_app,
    spawn_app_with,
};
use crate::on_both_backends;

on_both_backends!(
    a_password_change_ends_the_other_sessions_and_keeps_this_one,
    a_reachable_server_asks_for_the_setup_code_it_logged,
);

const NEW_PASSWORD: &str = "a brand new passphrase for the owner";

async fn change(app: &TestApp, current: &str, new: &str, repeated: &str) -> Result<(), AppError> {
    let response = app
        .call::<ChangePassword>(&[
            ("current_password", current),
            ("new_password", new),
            ("new_password_confirmation", repeated),
        ])
        .await;
    if response.is_ok() {
        Ok(())
    } else {
        Err(response.app_error())
    }
}

async fn a_password_change_ends_the_other_sessions_and_keeps_this_one(backend: Backend) {
    let app = spawn_app(backend).await;
    assert!(app.setup_owner(OWNER_EMAIL, OWNER_PASSWORD).await.is_ok());
    let laptop = client_with(Default::default());
    let signed_in = app
        .call_with(
            &laptop,
            SignIn::PATH,
            &[("email", OWNER_EMAIL), ("password", OWNER_PASSWORD)],
        )
        .await;
    assert!(signed_in.is_ok(), "{signed_in:?}");

    let wrong = change(&app, "not the current password", NEW_PASSWORD, NEW_PASSWORD).await;
    assert!(
        matches!(&wrong, Err(AppError::Validation(m)) if m.contains("current password")),
        "{wrong:?}"
    );
    let mismatch = change(
        &app,
        OWNER_PASSWORD,
        NEW_PASSWORD,
        "something else entirely",
    )
    .await;
    assert!(matches!(&mismatch, Err(AppError::Validation(m)) if m.contains("do not match")));
    let short = change(&app, OWNER_PASSWORD, "short", "short").await;
    assert!(matches!(&short, Err(AppError::Validation(m)) if m.contains("at least")));
    assert!(
        app.whoami_with(&laptop).await.is_some(),
        "refused changes end nothing"
    );

    change(&app, OWNER_PASSWORD, NEW_PASSWORD, NEW_PASSWORD)
        .await
        .expect("changed");
    assert!(app.whoami().await.is_some(), "this session stays");
    assert_eq!(app.whoami_with(&laptop).await, None, "the other one ended");

    let stranger = client_with(Default::default());
    let old = app
        .call_with(
            &stranger,
            SignIn::PATH,
            &[("email", OWNER_EMAIL), ("password", OWNER_PASSWORD)],
        )
        .await;
    assert!(matches!(old.app_error(), AppError::Validation(m) if m == WRONG_CREDENTIALS));
    let new = app
        .call_with(
            &stranger,
            SignIn::PATH,
            &[("email", OWNER_EMAIL), ("password", NEW_PASSWORD)],
        )
        .await;
    assert!(new.is_ok(), "{new:?}");

    let entries = audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.eq("admin.password_change"))
        .all(&app.state.db)
        .await
        .expect("audit");
    assert_eq!(entries.len(), 1);
    let details: serde_json::Value =
        serde_json::from_str(entries[0].details.as_deref().expect("details")).expect("json");
    assert_eq!(details["sessions_ended"], 1);
    assert!(
        !entries[0]
            .details
            .as_deref()
            .unwrap_or("")
            .contains(NEW_PASSWORD)
    );
    app.cleanup().await;
}

async fn setup_with(
    app: &TestApp,
    client: &reqwest::Client,
    code: Option<&str>,
) -> Result<(), AppError> {
    let mut fields = vec![
        ("email", OWNER_EMAIL),
        ("password", OWNER_PASSWORD),
        ("password_confirmation", OWNER_PASSWORD),
        ("product_name", "Acme CRM"),
    ];
    if let Some(code) = code {
        fields.push(("setup_code", code));
    }
    let response = app.call_with(client, SetupOwner::PATH, &fields).await;
    if response.is_ok() {
        Ok(())
    } else {
        Err(response.app_error())
    }
}

async fn a_reachable_server_asks_for_the_setup_code_it_logged(backend: Backend) {
    let app = spawn_app_with(
        backend,
        TestOptions {
            setup_code: true,
            ..TestOptions::default()
        },
    )
    .await;
    let code = setup_code::code(&app.state.keyring);
    assert!(
        crate::helpers::captured_logs().contains(&code),
        "the code is in the log"
    );
    let page = app
        .client
        .get(app.url("/setup"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("body");
    assert!(page.contains(r#"name="setup_code""#), "{page}");

    let stranger = client_with(Default::default());
    for attempt in [None, Some(""), Some("AAAA-AAAA-AAAA-AAAA")] {
        let refused = setup_with(&app, &stranger, attempt).await;
        assert!(
            matches!(&refused, Err(AppError::Validation(m)) if m.contains("setup code")),
            "{attempt:?}: {refused:?}"
        );
    }
    assert!(
        !app::domain::services::admin::is_setup_complete(&app.state.db)
            .await
            .expect("read")
    );

    let typed = code.to_lowercase().replace('-', " ");
    setup_with(&app, &app.client, Some(&typed))
        .await
        .expect("the right code sets up");
    assert!(app.whoami().await.is_some());
    // Once setup is done the code opens nothing.
    assert!(matches!(
        setup_with(&app, &stranger, Some(&code)).await,
        Err(AppError::Conflict(_))
    ));
    app.cleanup().await;
}
