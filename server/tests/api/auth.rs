//! Owner setup, sign-in, throttling, sessions and roles.

use app::api::auth::{SetupOwner, SignOut};
use app::domain::clock::Clock;
use app::domain::services::admin::WRONG_CREDENTIALS;
use app::domain::services::throttle::{self, ThrottlePolicy};
use app::error::AppError;
use app::types::Role;
use leptos::server_fn::ServerFn;
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::helpers::{
    Backend, OWNER_EMAIL, OWNER_PASSWORD, TestOptions, client_with, spawn_app, spawn_app_with,
};
use crate::on_both_backends;

on_both_backends!(
    setup_creates_the_owner_and_signs_in,
    second_setup_is_refused,
    simultaneous_setups_create_exactly_one_owner,
    setup_validates_its_input,
    sign_in_and_sign_out,
    unknown_account_and_wrong_password_get_the_same_answer,
    sign_in_is_throttled_per_account,
    a_burst_of_parallel_guesses_is_counted_guess_by_guess,
    sign_in_is_throttled_per_address,
    session_id_is_rotated_on_sign_in,
    sessions_end_after_the_absolute_timeout,
    sessions_are_stored_hashed,
    password_of_a_megabyte_is_refused_clearly,
    a_role_change_applies_to_the_next_request,
    activity_keeps_a_session_alive_until_it_idles,
    a_session_saved_before_it_named_its_account_still_works,
);

async fn setup_creates_the_owner_and_signs_in(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(app.whoami().await, None);

    let response = app
        .setup_owner("  Owner@Example.com ", OWNER_PASSWORD)
        .await;
    assert!(response.is_ok(), "{response:?}");
    assert_eq!(
        response.headers.get("location").map(|v| v.to_str().ok()),
        Some(Some("/tenants"))
    );

    let me = app.whoami().await.expect("signed in after setup");
    assert_eq!(me.email, OWNER_EMAIL);
    assert_eq!(me.role, Role::Owner);
    assert_eq!(me.product_name, "Acme CRM");
    app.cleanup().await;
}

async fn second_setup_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    assert!(app.setup_owner(OWNER_EMAIL, OWNER_PASSWORD).await.is_ok());

    let stranger = client_with(Default::default());
    let response = app
        .call_with(
            &stranger,
            SetupOwner::PATH,
            &[
                ("email", "attacker@example.com"),
                ("password", OWNER_PASSWORD),
                ("password_confirmation", OWNER_PASSWORD),
                ("product_name", "Evil"),
            ],
        )
        .await;
    assert!(
        matches!(response.app_error(), AppError::Conflict(msg) if msg.contains("already complete"))
    );
    assert_eq!(app.whoami_with(&stranger).await, None);
    let admins = app::domain::entities::admin_user::Entity::find()
        .count(&app.state.db)
        .await
        .expect("count");
    assert_eq!(admins, 1);
    app.cleanup().await;
}

async fn simultaneous_setups_create_exactly_one_owner(backend: Backend) {
    let app = spawn_app(backend).await;
    let attempts = (0..8).map(|i| {
        let client = client_with(Default::default());
        let app = &app;
        async move {
            let email = format!("owner{i}@example.com");
            app.call_with(
                &client,
                SetupOwner::PATH,
                &[
                    ("email", &email),
                    ("password", OWNER_PASSWORD),
                    ("password_confirmation", OWNER_PASSWORD),
                    ("product_name", "Acme"),
                ],
            )
            .await
        }
    });
    let results = futures::future::join_all(attempts).await;
    let winners = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(winners, 1, "{results:?}");
    for loser in results.iter().filter(|r| !r.is_ok()) {
        assert!(
            matches!(loser.app_error(), AppError::Conflict(_)),
            "{loser:?}"
        );
    }
    let admins = app::domain::entities::admin_user::Entity::find()
        .count(&app.state.db)
        .await
        .expect("count");
    assert_eq!(admins, 1);
    app.cleanup().await;
}

async fn setup_validates_its_input(backend: Backend) {
    let app = spawn_app(backend).await;
    let cases: [(&str, &str, &str, &str, &str); 5] = [
        (
            "not-an-email",
            OWNER_PASSWORD,
            OWNER_PASSWORD,
            "Acme",
            "valid e-mail",
        ),
        (OWNER_EMAIL, "short", "short", "Acme", "at least 12"),
        (
            OWNER_EMAIL,
            OWNER_PASSWORD,
            "something else entirely",
            "Acme",
            "do not match",
        ),
        (
            OWNER_EMAIL,
            OWNER_PASSWORD,
            OWNER_PASSWORD,
            "   ",
            "product's name",
        ),
        (
            OWNER_EMAIL,
            &"p".repeat(1025),
            &"p".repeat(1025),
            "Acme",
            "at most 1024",
        ),
    ];
    for (email, password, confirmation, product, expected) in cases {
        let response = app
            .call::<SetupOwner>(&[
                ("email", email),
                ("password", password),
                ("password_confirmation", confirmation),
                ("product_name", product),
            ])
            .await;
        match response.app_error() {
            AppError::Validation(msg) => assert!(
                msg.contains(expected),
                "{msg:?} should mention {expected:?}"
            ),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }
    // Nothing half-written: setup is still open.
    assert!(
        !app::domain::services::admin::is_setup_complete(&app.state.db)
            .await
            .expect("query")
    );
    app.cleanup().await;
}

async fn sign_in_and_sign_out(backend: Backend) {
    let app = spawn_app(backend).await;
    assert!(app.setup_owner(OWNER_EMAIL, OWNER_PASSWORD).await.is_ok());

    let browser = client_with(Default::default());
    let response = app
        .call_with(
            &browser,
            app::api::auth::SignIn::PATH,
            &[("email", OWNER_EMAIL), ("password", OWNER_PASSWORD)],
        )
        .await;
    assert!(response.is_ok(), "{response:?}");
    assert_eq!(
        app.whoami_with(&browser).await.map(|u| u.email).as_deref(),
        Some(OWNER_EMAIL)
    );

    let response = app.call_with(&browser, SignOut::PATH, &[]).await;
    assert!(response.is_ok(), "{response:?}");
    assert_eq!(
        response.headers.get("location").map(|v| v.to_str().ok()),
        Some(Some("/sign-in"))
    );
    assert_eq!(app.whoami_with(&browser).await, None);
    app.cleanup().await;
}

async fn unknown_account_and_wrong_password_get_the_same_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    assert!(app.setup_owner(OWNER_EMAIL, OWNER_PASSWORD).await.is_ok());
    let browser = client_with(Default::default());

    let wrong_password = app
        .call_with(
            &browser,
            app::api::auth::SignIn::PATH,
            &[("email", OWNER_EMAIL), ("password", "not the password!")],
        )
        .await;
    let unknown_user = app
        .call_with(
            &browser,
            app::api::auth::SignIn::PATH,
            &[
                ("email", "nobody@example.com"),
                ("password", "not the password!"),
            ],
        )
        .await;
    let malformed = app
        .call_with(
            &browser,
            app::api::auth::SignIn::PATH,
            &[("email", "nobody"), ("password", "not the password!")],
        )
        .await;
    for response in [&wrong_password, &unknown_user, &malformed] {
        assert_eq!(response.status, reqwest::StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            response.app_error(),
            AppError::Validation(WRONG_CREDENTIALS.into())
        );
    }
    assert_eq!(app.whoami_with(&browser).await, None);
    app.cleanup().await;
}

async fn sign_in_is_throttled_per_account(backend: Backend) {
    let policy = ThrottlePolicy {
        max_failures_per_account: 3,
        max_failures_per_ip: 100,
        window: time::Duration::minutes(15),
    };
    let app = spawn_app_with(
        backend,
        TestOptions {
            throttle: policy,
            ..Default::default()
        },
    )
    .await;
    assert!(app.setup_owner(OWNER_EMAIL, OWNER_PASSWORD).await.is_ok());
    let browser = client_with(Default::default());
    let sign_in = |email: &'static str, password: &'static str| {
        let browser = browser.clone();
        let app = &app;
        async move {
            app.call_with(
                &browser,
                app::api::auth::SignIn::PATH,
                &[("email", email), ("password", password)],
            )
            .await
        }
    };

    for _ in 0..3 {
        assert!(matches!(
            sign_in(OWNER_EMAIL, "wrong password!").await.app_error(),
            AppError::Validation(_)
        ));
    }
    // Slowed, not locked: even the right password waits, with the answer an unknown account gets.
    let slowed = sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(slowed.status, reqwest::StatusCode::TOO_MANY_REQUESTS);
    assert!(matches!(
        slowed.app_error(),
        AppError::RateLimited {
            retry_after_secs: 1
        }
    ));
    assert_eq!(slowed.headers["retry-after"], "1");
    for _ in 0..3 {
        sign_in("ghost@example.com", "wrong password!").await;
    }
    assert!(matches!(
        sign_in("ghost@example.com", "wrong password!")
            .await
            .app_error(),
        AppError::RateLimited { .. }
    ));

    // Other accounts are not affected by this account's delay.
    assert!(matches!(
        sign_in("other@example.com", "wrong password!")
            .await
            .app_error(),
        AppError::Validation(_)
    ));

    // Someone who keeps guessing gets one guess per delay, and can make the owner wait at most
    // a minute: never a lock-out.
    let mut waited = time::Duration::seconds(1);
    for _ in 0..10 {
        app.clock.advance(waited);
        assert!(matches!(
            sign_in(OWNER_EMAIL, "wrong password!").await.app_error(),
            AppError::Validation(_)
        ));
        let AppError::RateLimited { retry_after_secs } =
            sign_in(OWNER_EMAIL, OWNER_PASSWORD).await.app_error()
        else {
            panic!("the next attempt waits");
        };
        assert!((1..=60).contains(&retry_after_secs), "{retry_after_secs}");
        waited = time::Duration::seconds(i64::try_from(retry_after_secs).expect("small"));
    }
    assert_eq!(waited, throttle::MAX_ACCOUNT_DELAY);
    app.clock.advance(waited);
    assert!(sign_in(OWNER_EMAIL, OWNER_PASSWORD).await.is_ok());

    // Buckets whose window is over are swept.
    app.clock.advance(time::Duration::minutes(16));
    let swept = throttle::sweep(&app.state.db, &policy, app.clock.now())
        .await
        .expect("sweep");
    assert!(swept >= 2, "the address's and the ghost's buckets: {swept}");
    app.cleanup().await;
}

/// Twenty wrong guesses at once: each is counted before its password is checked, so no more
/// are checked than the limit allows (and one more, for the first delayed slot).
async fn a_burst_of_parallel_guesses_is_counted_guess_by_guess(backend: Backend) {
    let policy = ThrottlePolicy {
        max_failures_per_account: 3,
        max_failures_per_ip: 1000,
        window: time::Duration::minutes(15),
    };
    let app = spawn_app_with(
        backend,
        TestOptions {
            throttle: policy,
            ..Default::default()
        },
    )
    .await;
    assert!(app.setup_owner(OWNER_EMAIL, OWNER_PASSWORD).await.is_ok());
    let answers = futures::future::join_all((0..20).map(|_| {
        let browser = client_with(Default::default());
        let app = &app;
        async move {
            app.call_with(
                &browser,
                app::api::auth::SignIn::PATH,
                &[("email", OWNER_EMAIL), ("password", "wrong password!")],
            )
            .await
            .app_error()
        }
    }))
    .await;
    let checked = answers
        .iter()
        .filter(|e| matches!(e, AppError::Validation(_)))
        .count();
    let refused = answers
        .iter()
        .filter(|e| matches!(e, AppError::RateLimited { .. }))
        .count();
    assert!((3..=4).contains(&checked), "{answers:?}");
    assert_eq!(checked + refused, 20);
    app.cleanup().await;
}

async fn sign_in_is_throttled_per_address(backend: Backend) {
    let policy = ThrottlePolicy {
        max_failures_per_account: 100,
        max_failures_per_ip: 4,
        window: time::Duration::minutes(15),
    };
    let app = spawn_app_with(
        backend,
        TestOptions {
            throttle: policy,
            ..Default::default()
        },
    )
    .await;
    assert!(app.setup_owner(OWNER_EMAIL, OWNER_PASSWORD).await.is_ok());
    for i in 0..4 {
        let email = format!("user{i}@example.com");
        assert!(matches!(
            app.sign_in(&email, "wrong password!").await.app_error(),
            AppError::Validation(_)
        ));
    }
    assert!(matches!(
        app.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await.app_error(),
        AppError::RateLimited { .. }
    ));
    app.cleanup().await;
}

async fn session_id_is_rotated_on_sign_in(backend: Backend) {
    let app = spawn_app(backend).await;
    assert!(app.setup_owner(OWNER_EMAIL, OWNER_PASSWORD).await.is_ok());
    let after_setup = app.session_cookie().expect("session cookie after setup");

    // A session id planted by an attacker is not adopted.
    let planted = "AAAAAAAAAAAAAAAAAAAAAA";
    app.jar.add_cookie_str(
        &format!("authlink_session={planted}; Path=/"),
        &app.base.parse().expect("url"),
    );
    assert!(app.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await.is_ok());
    let after_sign_in = app.session_cookie().expect("session cookie after sign-in");
    assert_ne!(after_sign_in, planted);
    assert_ne!(after_sign_in, after_setup);

    // Signing in again on a live session also issues a new id, and the old one stops working.
    assert!(app.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await.is_ok());
    let rotated = app.session_cookie().expect("rotated cookie");
    assert_ne!(rotated, after_sign_in);
    let old = reqwest::cookie::Jar::default();
    old.add_cookie_str(
        &format!("authlink_session={after_sign_in}; Path=/"),
        &app.base.parse().expect("url"),
    );
    assert_eq!(
        app.whoami_with(&client_with(std::sync::Arc::new(old)))
            .await,
        None
    );
    assert!(app.whoami().await.is_some());
    app.cleanup().await;
}

async fn sessions_end_after_the_absolute_timeout(backend: Backend) {
    let app = spawn_app_with(
        backend,
        TestOptions {
            extra_env: vec![
                ("AUTHLINK_SESSION_MAX_HOURS", "2".into()),
                ("AUTHLINK_SESSION_IDLE_MINUTES", "120".into()),
            ],
            ..Default::default()
        },
    )
    .await;
    assert!(app.setup_owner(OWNER_EMAIL, OWNER_PASSWORD).await.is_ok());
    app.clock.advance(time::Duration::minutes(100));
    assert!(
        app.whoami().await.is_some(),
        "still inside the absolute lifetime"
    );
    app.clock.advance(time::Duration::minutes(21));
    assert_eq!(
        app.whoami().await,
        None,
        "past the absolute lifetime despite activity"
    );
    app.cleanup().await;
}

async fn sessions_are_stored_hashed(backend: Backend) {
    let app = spawn_app(backend).await;
    assert!(app.setup_owner(OWNER_EMAIL, OWNER_PASSWORD).await.is_ok());
    let cookie = app.session_cookie().expect("cookie");
    let rows = app::domain::entities::session::Entity::find()
        .all(&app.state.db)
        .await
        .expect("sessions");
    assert_eq!(rows.len(), 1);
    assert_ne!(rows[0].id_hash, cookie);
    assert_eq!(rows[0].id_hash.len(), 64);
    assert!(!rows[0].data.contains(&cookie));
    let owner = app::domain::entities::admin_user::Entity::find()
        .one(&app.state.db)
        .await
        .expect("query")
        .expect("owner");
    assert_eq!(
        rows[0].admin_id,
        Some(owner.id),
        "the row names its account"
    );
    app.cleanup().await;
}

/// Sessions stored before their rows named the account are read the long way, and named when
/// they are next saved.
async fn a_session_saved_before_it_named_its_account_still_works(backend: Backend) {
    use app::domain::entities::session;
    use sea_orm::{QueryFilter, sea_query::Expr};

    let app = spawn_app(backend).await;
    assert!(app.setup_owner(OWNER_EMAIL, OWNER_PASSWORD).await.is_ok());
    let unnamed = session::Entity::update_many()
        .col_expr(
            session::Column::AdminId,
            Expr::value(Option::<uuid::Uuid>::None),
        )
        .filter(Expr::value(true))
        .exec(&app.state.db)
        .await
        .expect("unname sessions");
    assert_eq!(unnamed.rows_affected, 1);
    let stored = || async {
        session::Entity::find()
            .one(&app.state.db)
            .await
            .expect("query")
            .expect("session")
    };

    assert_eq!(
        app.whoami().await.map(|u| u.email),
        Some(OWNER_EMAIL.into())
    );
    assert_eq!(
        stored().await.admin_id,
        None,
        "not saved again within the minute"
    );
    app.clock.advance(time::Duration::minutes(2));
    assert_eq!(
        app.whoami().await.map(|u| u.email),
        Some(OWNER_EMAIL.into())
    );
    let row = stored().await;
    assert!(
        row.admin_id.is_some(),
        "named when the idle timeout was renewed"
    );
    app.cleanup().await;
}

async fn password_of_a_megabyte_is_refused_clearly(backend: Backend) {
    let app = spawn_app(backend).await;
    assert!(app.setup_owner(OWNER_EMAIL, OWNER_PASSWORD).await.is_ok());
    let huge = "x".repeat(1024 * 1024);
    let response = app.sign_in(OWNER_EMAIL, &huge).await;
    assert_eq!(response.status, reqwest::StatusCode::PAYLOAD_TOO_LARGE);
    assert!(response.body.contains("too large"), "{}", response.body);
    // And it did not count as, or cause, anything: the right password still works.
    assert!(app.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await.is_ok());
    app.cleanup().await;
}

/// The account is read once per request, never kept between requests: a demotion (or a deleted
/// account) takes effect on the very next one.
async fn a_role_change_applies_to_the_next_request(backend: Backend) {
    use app::api::tenants::CreateTenant;
    use app::domain::entities::admin_user;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};

    let app = spawn_app(backend).await;
    assert!(app.setup_owner(OWNER_EMAIL, OWNER_PASSWORD).await.is_ok());
    let created = app
        .call::<CreateTenant>(&[("name", "Acme"), ("external_id", "acme")])
        .await;
    assert!(created.is_ok(), "{created:?}");
    let page = |app: &crate::helpers::TestApp| app.client.get(app.url("/tenants")).send();
    assert_eq!(page(&app).await.expect("page").status(), 200);

    let owner = admin_user::Entity::find()
        .one(&app.state.db)
        .await
        .expect("query")
        .expect("owner");
    admin_user::ActiveModel {
        role: Set(Role::Viewer.as_str().to_owned()),
        ..admin_user::ActiveModel::from(owner)
    }
    .update(&app.state.db)
    .await
    .expect("demote");

    let refused = app
        .call::<CreateTenant>(&[("name", "Beta"), ("external_id", "beta")])
        .await;
    assert_eq!(refused.status, 403, "{refused:?}");
    assert!(matches!(refused.app_error(), AppError::Forbidden));
    assert_eq!(app.whoami().await.map(|u| u.role), Some(Role::Viewer));
    assert_eq!(
        page(&app).await.expect("page").status(),
        200,
        "viewers still read"
    );
    app.cleanup().await;
}

async fn activity_keeps_a_session_alive_until_it_idles(backend: Backend) {
    let app = spawn_app_with(
        backend,
        TestOptions {
            extra_env: vec![
                ("AUTHLINK_SESSION_MAX_HOURS", "12".into()),
                ("AUTHLINK_SESSION_IDLE_MINUTES", "30".into()),
            ],
            ..Default::default()
        },
    )
    .await;
    assert!(app.setup_owner(OWNER_EMAIL, OWNER_PASSWORD).await.is_ok());
    for step in 1..=3 {
        app.clock.advance(time::Duration::minutes(20));
        assert!(
            app.whoami().await.is_some(),
            "a request every 20 minutes keeps the session (step {step}, 30 min idle timeout)"
        );
    }
    app.clock.advance(time::Duration::minutes(31));
    assert_eq!(app.whoami().await, None, "31 minutes without a request");
    app.cleanup().await;
}
