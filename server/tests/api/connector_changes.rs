//! Endpoint URLs of a connector decide where every tenant's refresh token and the client secret
//! go: once tenants are connected, only the owner changes them, in the dashboard, entering the
//! client secret again, and the audit log records the old and new URLs.

use app::api::connectors::SaveConnector;
use app::domain::services::admin::{self, NewAdmin};
use app::error::AppError;
use app::types::Role;
use leptos::server_fn::ServerFn;
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::audit::audit;
use crate::helpers::{Backend, client_with};
use crate::on_both_backends;
use crate::rest::{Api, api};

on_both_backends!(endpoints_of_a_connected_connector_are_the_owners_to_change);

async fn patch(a: &Api, body: Value) -> (u16, Value) {
    let (status, _, answer) = a
        .send(
            reqwest::Method::PATCH,
            "/api/v1/connectors/acme-crm",
            Some(&a.key),
            Some(body),
        )
        .await;
    (status, answer)
}

async fn save(
    a: &Api,
    browser: Option<&reqwest::Client>,
    token_url: &str,
    secret: &str,
) -> crate::helpers::FnResponse {
    let id = app::domain::services::connectors::find_by_key(
        &a.app.state.db,
        a.app.production().await,
        "acme-crm",
    )
    .await
    .expect("connector")
    .model
    .id
    .to_string();
    let fields = [
        ("id", id.as_str()),
        ("provider", "generic_oauth2"),
        ("name", "Acme CRM"),
        ("key", "acme-crm"),
        ("client_id", "test-client"),
        ("client_secret", secret),
        ("scopes", "read write"),
        (
            "authorization_url",
            &format!("{}/authorize", a.provider.base),
        ),
        ("token_url", token_url),
        ("revocation_url", &format!("{}/revoke", a.provider.base)),
    ];
    match browser {
        Some(browser) => a.app.call_with(browser, SaveConnector::PATH, &fields).await,
        None => a.app.call::<SaveConnector>(&fields).await,
    }
}

async fn endpoints_of_a_connected_connector_are_the_owners_to_change(backend: Backend) {
    let a = api(backend).await;
    a.oauth_connector().await;
    let token_url = format!("{}/token", a.provider.base);
    let evil = "https://collector.example/token";

    // Without connections, an API key may repoint it (and back).
    let (authorize, revoke) = (
        format!("{}/authorize", a.provider.base),
        format!("{}/revoke", a.provider.base),
    );
    let write = |name: &str, url: &str| {
        json!({"name": name, "key": "acme-crm", "client_id": "test-client", "scopes": ["read", "write"],
               "options": {"authorization_url": authorize, "token_url": url,
                           "revocation_url": revoke}})
    };
    let body = |url: &str| write("Acme CRM", url);
    let (status, answer) = patch(&a, body(evil)).await;
    assert_eq!(status, 200, "{answer}");
    let (status, _) = patch(&a, body(&token_url)).await;
    assert_eq!(status, 200);

    let (_, link) = a
        .post(
            "/api/v1/connect-links",
            json!({"tenant": {"external_id": "cus_c", "name": "Initech"}, "connector": "acme-crm"}),
        )
        .await;
    a.connect_oauth(link["url"].as_str().expect("url"), "c-1")
        .await;

    // With a tenant connected: never with an API key …
    let (status, refused) = patch(&a, body(evil)).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (403, Some("owner_required"))
    );
    // … nor by an admin who is not the owner …
    admin::create_admin(
        &a.app.state.db,
        &a.app.state.passwords,
        a.app.state.clock.as_ref(),
        NewAdmin {
            email: "admin@example.com".into(),
            password: SecretString::from("a long admin password"),
            role: Role::Admin,
        },
        "Authlink",
    )
    .await
    .expect("admin");
    let admin_browser = client_with(Default::default());
    let signed_in = a
        .app
        .call_with(
            &admin_browser,
            app::api::auth::SignIn::PATH,
            &[
                ("email", "admin@example.com"),
                ("password", "a long admin password"),
            ],
        )
        .await;
    assert!(signed_in.is_ok(), "{signed_in:?}");
    let by_admin = save(&a, Some(&admin_browser), evil, "test-secret").await;
    assert_eq!(by_admin.app_error(), AppError::Forbidden);
    // … nor by the owner without the client secret.
    let unconfirmed = save(&a, None, evil, "").await;
    assert!(matches!(unconfirmed.app_error(), AppError::Validation(_)));
    let (_, still) = a.get("/api/v1/connectors/acme-crm").await;
    assert_eq!(still["options"]["token_url"], token_url.as_str());

    // Other changes stay open to admins.
    let renamed = patch(&a, write("Acme CRM (EU)", &token_url)).await;
    assert_eq!(renamed.0, 200, "{}", renamed.1);

    // The owner, with the secret: changed, and audited with both URLs.
    let moved = "https://auth.acme.example/oauth/token";
    assert!(save(&a, None, moved, "test-secret").await.is_ok());
    let page = audit(
        &a,
        &[("action", "connector.update"), ("actor_type", "admin")],
    )
    .await;
    let details = page
        .entries
        .iter()
        .filter_map(|e| e.details.as_deref())
        .find(|d| d.contains("endpoints"))
        .expect("an entry with the endpoint change");
    assert!(
        details.contains(&token_url) && details.contains(moved),
        "{details}"
    );
    a.app.cleanup().await;
}
