//! Single sign-on against an independent OpenID Connect provider: a verified address of an
//! allowed domain signs in (a new member with the default role, an existing one as they are);
//! a forged state, nonce or `iss`, an unverified or foreign address, a late callback and a
//! provider that names another issuer are refused; password sign-in can be the owner's alone.

use app::api::auth::SignIn;
use app::domain::entities::audit_entry;
use app::error::AppError;
use app::types::Role;
use leptos::server_fn::ServerFn;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use time::Duration;

use crate::helpers::{
    Backend, OWNER_EMAIL, OWNER_PASSWORD, TestApp, TestOptions, client_with, spawn_app_with,
};
use crate::oidc::{CLIENT_ID, CLIENT_SECRET, OidcProvider};
use crate::on_both_backends;

on_both_backends!(
    a_verified_address_of_an_allowed_domain_signs_in,
    forged_late_or_foreign_answers_are_refused,
    password_sign_in_can_be_the_owners_alone,
);

async fn sso_app(backend: Backend, issuer: &str, more: &[(&'static str, &str)]) -> TestApp {
    let mut extra_env = vec![
        ("AUTHLINK_SSO_ISSUER", issuer.to_owned()),
        ("AUTHLINK_SSO_CLIENT_ID", CLIENT_ID.to_owned()),
        ("AUTHLINK_SSO_CLIENT_SECRET", CLIENT_SECRET.to_owned()),
        (
            "AUTHLINK_SSO_ALLOWED_DOMAINS",
            "acme.example, Example.com".to_owned(),
        ),
        ("AUTHLINK_SSO_LABEL", "Acme ID".to_owned()),
    ];
    extra_env.extend(more.iter().map(|(k, v)| (*k, (*v).to_owned())));
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

fn location(headers: &reqwest::header::HeaderMap) -> String {
    headers
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// `POST /sso/start` from `browser`: where it is sent.
async fn start(app: &TestApp, browser: &reqwest::Client) -> String {
    let answer = app.call_with(browser, "/sso/start", &[]).await;
    assert_eq!(answer.status, 303, "{answer:?}");
    location(&answer.headers)
}

/// The provider's callback, opened in `browser`: where it is sent then.
async fn back(app: &TestApp, browser: &reqwest::Client, callback: &str) -> String {
    let path = callback
        .strip_prefix("http://localhost")
        .expect("our callback");
    let answer = browser.get(app.url(path)).send().await.expect("callback");
    assert_eq!(answer.status(), 303);
    location(answer.headers())
}

/// A whole sign-in of `email` in a fresh browser: the browser and where it ends up.
async fn sign_in(app: &TestApp, op: &OidcProvider, email: &str) -> (reqwest::Client, String) {
    op.next_login(email, true).await;
    let browser = client_with(Default::default());
    let to_provider = start(app, &browser).await;
    let callback = op.authorize(&to_provider).await;
    let landed = back(app, &browser, &callback).await;
    (browser, landed)
}

async fn a_verified_address_of_an_allowed_domain_signs_in(backend: Backend) {
    let Some(op) = OidcProvider::start().await else {
        return;
    };
    let app = sso_app(backend, &op.issuer, &[]).await;
    let page = client_with(Default::default())
        .get(app.url("/sign-in"))
        .send()
        .await
        .expect("page");
    // The button's post is redirected to the provider: the page's form-action allows it.
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_owned();
    assert!(
        csp.contains(&format!("form-action 'self' {};", op.issuer)),
        "{csp}"
    );
    let page = page.text().await.expect("html");
    assert!(
        page.contains("Sign in with Acme ID"),
        "the button is offered"
    );

    let browser = client_with(Default::default());
    op.next_login("Ada@Acme.example", true).await;
    let to_provider = start(&app, &browser).await;
    let url = url::Url::parse(&to_provider).expect("url");
    assert!(
        to_provider.starts_with(&format!("{}/auth?", op.issuer)),
        "{to_provider}"
    );
    let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["redirect_uri"], "http://localhost/sso/callback");
    assert!(query["scope"].split(' ').any(|s| s == "openid"));
    assert!(query.contains_key("nonce") && query.contains_key("state"));
    let callback = op.authorize(&to_provider).await;
    assert!(
        callback.contains(&format!("iss={}", urlencode(&op.issuer))),
        "{callback}"
    );
    assert_eq!(back(&app, &browser, &callback).await, "/tenants");
    let me = app.whoami_with(&browser).await.expect("signed in");
    assert_eq!(
        (me.email.as_str(), me.role),
        ("ada@acme.example", Role::Viewer)
    );

    // The same callback again, even in the same browser, opens nothing.
    let replay = client_with(Default::default());
    assert_eq!(
        back(&app, &replay, &callback).await,
        "/sign-in?sso_error=state_mismatch"
    );
    assert_eq!(
        back(&app, &browser, &callback).await,
        "/sign-in?sso_error=state_mismatch"
    );

    // An existing member signs in as they are: the owner stays the owner.
    let (owner, landed) = sign_in(&app, &op, OWNER_EMAIL).await;
    assert_eq!(landed, "/tenants");
    assert_eq!(
        app.whoami_with(&owner).await.map(|u| u.role),
        Some(Role::Owner)
    );

    // A member made by single sign-on has no password anyone knows.
    let guess = app
        .call_with(
            &client_with(Default::default()),
            SignIn::PATH,
            &[
                ("email", "ada@acme.example"),
                ("password", "correct horse battery staple"),
            ],
        )
        .await;
    assert!(matches!(guess.app_error(), AppError::Validation(_)));

    let entries = audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.eq("admin.sign_in"))
        .all(&app.state.db)
        .await
        .expect("audit");
    let sso: Vec<_> = entries
        .iter()
        .filter_map(|e| e.details.as_deref())
        .filter(|d| d.contains("\"sso\""))
        .collect();
    assert_eq!(sso.len(), 2, "{sso:?}");
    assert!(sso.iter().any(|d| d.contains("\"joined\":true")));
    app.cleanup().await;
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Replaces the query parameter `name` of `url` with `value`.
fn with_param(url: &str, name: &str, value: &str) -> String {
    let mut parsed = url::Url::parse(url).expect("url");
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .into_owned()
        .map(|(k, v)| {
            if k == name {
                (k, value.to_owned())
            } else {
                (k, v)
            }
        })
        .collect();
    parsed.query_pairs_mut().clear().extend_pairs(pairs);
    parsed.to_string()
}

async fn forged_late_or_foreign_answers_are_refused(backend: Backend) {
    let Some(op) = OidcProvider::start().await else {
        return;
    };
    let app = sso_app(backend.clone(), &op.issuer, &[]).await;
    let refused = |code: &str| format!("/sign-in?sso_error={code}");

    // Another domain, and an address the provider has not verified.
    assert_eq!(
        sign_in(&app, &op, "eve@evil.example").await.1,
        refused("domain_not_allowed")
    );
    op.next_login("bob@acme.example", false).await;
    let browser = client_with(Default::default());
    let callback = op.authorize(&start(&app, &browser).await).await;
    assert_eq!(
        back(&app, &browser, &callback).await,
        refused("email_unverified")
    );

    // A nonce that is not the one this browser was given: the ID token carries the forged one.
    op.next_login("ada@acme.example", true).await;
    let browser = client_with(Default::default());
    let forged = with_param(&start(&app, &browser).await, "nonce", "forged-nonce");
    let callback = op.authorize(&forged).await;
    assert_eq!(
        back(&app, &browser, &callback).await,
        refused("invalid_id_token")
    );

    // A callback whose iss names another server (a mix-up).
    let browser = client_with(Default::default());
    let callback = op.authorize(&start(&app, &browser).await).await;
    let mixed = with_param(&callback, "iss", "https://evil.example");
    assert_eq!(
        back(&app, &browser, &mixed).await,
        refused("issuer_mismatch")
    );

    // A state this browser did not start with.
    let browser = client_with(Default::default());
    let callback = op.authorize(&start(&app, &browser).await).await;
    let other_state = with_param(&callback, "state", "someone-elses-state");
    assert_eq!(
        back(&app, &browser, &other_state).await,
        refused("state_mismatch")
    );

    // Too late.
    let browser = client_with(Default::default());
    let callback = op.authorize(&start(&app, &browser).await).await;
    app.clock.advance(Duration::minutes(11));
    assert_eq!(back(&app, &browser, &callback).await, refused("expired"));
    assert_eq!(app.whoami_with(&browser).await, None);

    // A provider whose discovery names another issuer than the configured one.
    let localhost = op.issuer.replace("127.0.0.1", "localhost");
    let other = sso_app(backend, &localhost, &[]).await;
    let browser = client_with(Default::default());
    assert_eq!(start(&other, &browser).await, refused("issuer_mismatch"));
    other.cleanup().await;
    app.cleanup().await;
}

async fn password_sign_in_can_be_the_owners_alone(backend: Backend) {
    let Some(op) = OidcProvider::start().await else {
        return;
    };
    let app = sso_app(
        backend,
        &op.issuer,
        &[("AUTHLINK_PASSWORD_SIGN_IN", "owner")],
    )
    .await;
    let (_, admin_id) = crate::team::join(&app, "admin@acme.example", "admin").await;
    assert!(!admin_id.is_empty());
    let admin = client_with(Default::default());
    let refused = app
        .call_with(
            &admin,
            SignIn::PATH,
            &[
                ("email", "admin@acme.example"),
                ("password", crate::team::PASSWORD),
            ],
        )
        .await;
    assert!(
        matches!(refused.app_error(), AppError::Validation(m) if m.contains("Acme ID")),
        "{refused:?}"
    );
    assert_eq!(app.whoami_with(&admin).await, None);
    let owner = client_with(Default::default());
    assert!(
        app.call_with(
            &owner,
            SignIn::PATH,
            &[("email", OWNER_EMAIL), ("password", OWNER_PASSWORD)]
        )
        .await
        .is_ok()
    );
    assert!(app.whoami_with(&owner).await.is_some());
    let (sso, landed) = sign_in(&app, &op, "admin@acme.example").await;
    assert_eq!(landed, "/tenants");
    assert_eq!(
        app.whoami_with(&sso).await.map(|u| u.role),
        Some(Role::Admin)
    );
    app.cleanup().await;
}
