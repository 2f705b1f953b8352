//! CSRF refusal, security headers, the page gate and error pages.

use app::api::auth::SignIn;
use app::domain::crypto::new_token;
use app::domain::entities::{audit_entry, connect_link, oauth_flow};
use leptos::server_fn::ServerFn;
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::helpers::{
    Backend, OWNER_EMAIL, OWNER_PASSWORD, TestOptions, spawn_app, spawn_app_with,
};
use crate::on_both_backends;

on_both_backends!(
    cross_site_posts_are_refused_before_anything_happens,
    pages_carry_security_headers_and_a_nonce_csp,
    pages_lead_to_setup_then_sign_in_then_the_dashboard,
    unknown_pages_are_404_and_leak_nothing,
    end_user_routes_are_limited_per_address_and_unknown_callbacks_write_nothing,
);

async fn cross_site_posts_are_refused_before_anything_happens(backend: Backend) {
    let app = spawn_app(backend).await;
    assert!(app.setup_owner(OWNER_EMAIL, OWNER_PASSWORD).await.is_ok());
    let url = app.url(SignIn::PATH);
    let form = [("email", OWNER_EMAIL), ("password", OWNER_PASSWORD)];

    let attempts = [
        vec![("origin", "https://evil.example".to_owned())],
        vec![("sec-fetch-site", "cross-site".to_owned())],
        vec![("sec-fetch-site", "same-site".to_owned())],
        vec![("origin", "null".to_owned())],
        // The session cookie is in the jar; with neither header the request is refused too.
        vec![],
    ];
    for headers in attempts {
        let mut request = app.client.post(&url).form(&form);
        for (name, value) in &headers {
            request = request.header(*name, value);
        }
        let response = request.send().await.expect("request");
        assert_eq!(
            response.status(),
            reqwest::StatusCode::FORBIDDEN,
            "{headers:?}"
        );
        assert!(
            response
                .text()
                .await
                .expect("body")
                .contains("another site")
        );
    }

    // A cross-site sign-out does not end the session either.
    let response = app
        .client
        .post(app.url(app::api::auth::SignOut::PATH))
        .header("origin", "https://evil.example")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), reqwest::StatusCode::FORBIDDEN);
    assert!(app.whoami().await.is_some());
    app.cleanup().await;
}

async fn pages_carry_security_headers_and_a_nonce_csp(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app
        .client
        .get(app.url("/setup"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    let csp = headers["content-security-policy"].to_str().expect("csp");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("nonce in CSP");
    assert!(csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(headers.contains_key("x-request-id"));
    let html = response.text().await.expect("html");
    // Every inline script carries this response's nonce.
    let scripts = html.matches("<script").count();
    assert!(scripts > 0);
    assert_eq!(
        html.matches(&format!("nonce=\"{nonce}\"")).count(),
        scripts,
        "{html}"
    );

    // Another response, another nonce.
    let again = app
        .client
        .get(app.url("/setup"))
        .send()
        .await
        .expect("request");
    let csp_again = again.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_owned();
    assert!(!csp_again.contains(nonce));
    app.cleanup().await;
}

async fn pages_lead_to_setup_then_sign_in_then_the_dashboard(backend: Backend) {
    let app = spawn_app(backend).await;
    let location = |response: &reqwest::Response| {
        response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };

    for path in ["/", "/tenants", "/sign-in"] {
        let response = app.client.get(app.url(path)).send().await.expect("request");
        assert_eq!(response.status(), 303, "{path}");
        assert_eq!(location(&response).as_deref(), Some("/setup"), "{path}");
    }
    let setup_page = app
        .client
        .get(app.url("/setup"))
        .send()
        .await
        .expect("request");
    assert_eq!(setup_page.status(), 200);
    assert!(
        setup_page
            .text()
            .await
            .expect("html")
            .contains("Create the owner account")
    );

    assert!(app.setup_owner(OWNER_EMAIL, OWNER_PASSWORD).await.is_ok());
    let anonymous = crate::helpers::client_with(Default::default());
    for (path, expected) in [
        ("/setup", "/sign-in"),
        ("/tenants", "/sign-in"),
        ("/settings", "/sign-in"),
    ] {
        let response = anonymous.get(app.url(path)).send().await.expect("request");
        assert_eq!(location(&response).as_deref(), Some(expected), "{path}");
    }
    let sign_in_page = anonymous
        .get(app.url("/sign-in"))
        .send()
        .await
        .expect("request");
    assert_eq!(sign_in_page.status(), 200);

    // Signed in (setup signed the owner in): the dashboard renders with navigation.
    let dashboard = app
        .client
        .get(app.url("/tenants"))
        .send()
        .await
        .expect("request");
    assert_eq!(dashboard.status(), 200);
    let html = dashboard.text().await.expect("html");
    for text in ["Tenants", "Connectors", "Settings", OWNER_EMAIL, "Sign out"] {
        assert!(html.contains(text), "dashboard lacks {text:?}");
    }
    let sign_in_again = app
        .client
        .get(app.url("/sign-in"))
        .send()
        .await
        .expect("request");
    assert_eq!(location(&sign_in_again).as_deref(), Some("/tenants"));
    app.cleanup().await;
}

async fn unknown_pages_are_404_and_leak_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    assert!(app.setup_owner(OWNER_EMAIL, OWNER_PASSWORD).await.is_ok());
    let response = app
        .client
        .get(app.url("/no/such/page"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 404);
    let html = response.text().await.expect("html");
    assert!(html.contains("Page not found"));
    assert!(!html.contains("no/such/page"));
    assert!(!html.to_lowercase().contains("panic"));

    let unknown_fn = app
        .client
        .post(app.url("/rpc/does_not_exist"))
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .expect("request");
    assert!(
        unknown_fn.status().is_client_error(),
        "{}",
        unknown_fn.status()
    );
    let _ = OWNER_PASSWORD;
    app.cleanup().await;
}

async fn durable_rows(app: &crate::helpers::TestApp) -> (u64, u64, u64) {
    let db = &app.state.db;
    (
        audit_entry::Entity::find().count(db).await.expect("count"),
        oauth_flow::Entity::find().count(db).await.expect("count"),
        connect_link::Entity::find().count(db).await.expect("count"),
    )
}

async fn end_user_routes_are_limited_per_address_and_unknown_callbacks_write_nothing(
    backend: Backend,
) {
    let app = spawn_app_with(
        backend,
        TestOptions {
            extra_env: vec![
                ("AUTHLINK_END_USER_RATE_LIMIT", "60".into()),
                ("AUTHLINK_TRUST_PROXY", "true".into()),
            ],
            ..TestOptions::default()
        },
    )
    .await;
    assert!(app.setup_owner(OWNER_EMAIL, OWNER_PASSWORD).await.is_ok());
    let before = durable_rows(&app).await;
    let from = |ip: &str, path: String| {
        app.client
            .get(app.url(&path))
            .header("x-forwarded-for", ip.to_owned())
    };

    // A thousand guessed links from one address: refused from the 61st on (the clock stands
    // still, so the bucket does not refill), each refusal without touching the database.
    let mut statuses = Vec::new();
    let mut refusal = None;
    for _ in 0..1000 {
        let token = new_token();
        let response = from("203.0.113.5", format!("/connect/{}", token.expose()))
            .send()
            .await
            .expect("request");
        statuses.push(response.status().as_u16());
        if response.status() == 429 && refusal.is_none() {
            refusal = Some((
                response.headers().get("retry-after").cloned(),
                response.headers().get("content-type").cloned(),
                response.text().await.expect("page"),
            ));
        }
    }
    assert!(
        statuses[..60].iter().all(|s| *s == 404),
        "{:?}",
        &statuses[..60]
    );
    assert!(statuses[60..].iter().all(|s| *s == 429));
    let (retry_after, content_type, page) = refusal.expect("a 429");
    assert_eq!(retry_after.expect("Retry-After"), "1");
    assert!(
        content_type
            .expect("type")
            .to_str()
            .expect("ascii")
            .starts_with("text/html")
    );
    assert!(page.contains("Too many attempts") && page.contains("<html lang=\"en\""));

    // The callback shares the address's budget; other addresses are not affected.
    let callback = "/oauth/callback?code=x&state=guess".to_owned();
    assert_eq!(
        from("203.0.113.5", callback.clone())
            .send()
            .await
            .expect("r")
            .status(),
        429
    );
    assert_eq!(
        from("203.0.113.6", format!("/connect/{}", new_token().expose()))
            .send()
            .await
            .expect("r")
            .status(),
        404
    );

    // Once it refills, unknown `state`s are refused and leave no row anywhere.
    app.clock.advance(time::Duration::seconds(60));
    for _ in 0..20 {
        let guess = format!("/oauth/callback?code=x&state={}", new_token().expose());
        assert_eq!(
            from("203.0.113.5", guess).send().await.expect("r").status(),
            400
        );
    }
    assert_eq!(durable_rows(&app).await, before);
    app.cleanup().await;
}
