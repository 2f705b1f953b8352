//! Security properties that no other behaviour shows: cookie attributes, client addresses that
//! cannot be spoofed, the exact bytes of codes, redirect URIs and credentials, the final redirect
//! of a flow, and the equal cost of an unknown account and a wrong password.

use std::collections::HashMap;

use app::api::auth::SignIn;
use leptos::server_fn::ServerFn;
use serde_json::json;

use crate::helpers::{Backend, OWNER_EMAIL, OWNER_PASSWORD, TestOptions, spawn_app_with};
use crate::on_both_backends;
use crate::rest::{Api, api};

on_both_backends!(
    cookies_carry_their_attributes_on_http_and_https,
    forwarded_for_cannot_be_used_to_pick_an_address,
    codes_and_redirect_uris_arrive_byte_exact_and_the_last_hop_hides_the_referrer,
    credential_fields_are_kept_byte_exact,
    an_unknown_account_costs_one_password_check_like_a_wrong_password,
);

fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_owned)
        .collect()
}

fn attributes(cookie: &str) -> Vec<String> {
    cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect()
}

async fn cookies_carry_their_attributes_on_http_and_https(backend: Backend) {
    for (public_url, name, secure) in [
        ("http://localhost", "authlink_session=", false),
        ("https://auth.example.com", "__Host-authlink_session=", true),
    ] {
        let app = spawn_app_with(
            backend.clone(),
            TestOptions {
                extra_env: vec![("AUTHLINK_PUBLIC_URL", public_url.into())],
                ..TestOptions::default()
            },
        )
        .await;
        let response = app
            .client
            .post(app.url(app::api::auth::SetupOwner::PATH))
            .header("origin", public_url)
            .header("sec-fetch-site", "same-origin")
            .form(&[
                ("email", OWNER_EMAIL),
                ("password", OWNER_PASSWORD),
                ("password_confirmation", OWNER_PASSWORD),
                ("product_name", "Acme"),
            ])
            .send()
            .await
            .expect("setup");
        assert!(response.status().is_redirection() || response.status().is_success());
        let cookies = set_cookies(&response);
        let session = cookies
            .iter()
            .find(|c| c.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {cookies:?}"));
        let attrs = attributes(session);
        assert!(attrs.contains(&"httponly".to_owned()), "{session}");
        assert!(attrs.contains(&"samesite=lax".to_owned()), "{session}");
        assert!(attrs.contains(&"path=/".to_owned()), "{session}");
        assert_eq!(attrs.contains(&"secure".to_owned()), secure, "{session}");
        assert!(!attrs.iter().any(|a| a.starts_with("domain=")), "{session}");
        app.cleanup().await;
    }
}

async fn forwarded_for_cannot_be_used_to_pick_an_address(backend: Backend) {
    for trusted in [false, true] {
        let app = spawn_app_with(
            backend.clone(),
            TestOptions {
                extra_env: vec![
                    ("AUTHLINK_END_USER_RATE_LIMIT", "3".into()),
                    ("AUTHLINK_TRUST_PROXY", trusted.to_string()),
                ],
                ..TestOptions::default()
            },
        )
        .await;
        let guess = |forwarded: String| {
            let token = app::domain::crypto::new_token();
            app.client
                .get(app.url(&format!("/connect/{}", token.expose())))
                .header("x-forwarded-for", forwarded)
                .send()
        };
        // Without a trusted proxy the header is ignored; behind one, only the entry the proxy
        // appended counts, so whatever the client puts in front changes nothing.
        let mut statuses = Vec::new();
        for i in 0..4 {
            let forwarded = format!("198.51.100.{i}, 203.0.113.9");
            statuses.push(guess(forwarded).await.expect("request").status().as_u16());
        }
        assert_eq!(statuses, [404, 404, 404, 429], "trusted proxy: {trusted}");
        let elsewhere = guess("203.0.113.9, 192.0.2.44".into())
            .await
            .expect("request")
            .status();
        assert_eq!(elsewhere, if trusted { 404 } else { 429 });
        app.cleanup().await;
    }
}

async fn codes_and_redirect_uris_arrive_byte_exact_and_the_last_hop_hides_the_referrer(
    backend: Backend,
) {
    let a = api(backend).await;
    a.oauth_connector().await;
    a.allow_origin("https://app.example.com").await;
    let (status, link) = a
        .post(
            "/api/v1/connect-links",
            json!({
                "tenant": {"external_id": "cus_bytes", "name": "Bytes"},
                "connector": "acme-crm",
                "callback_url": "https://app.example.com/done?from=authlink",
            }),
        )
        .await;
    assert_eq!(status, 201, "{link}");
    let browser = crate::helpers::client_with(std::sync::Arc::default());
    let start = browser
        .post(a.app.url(&Api::path_of(link["url"].as_str().expect("url"))))
        .header("origin", &a.app.base)
        .send()
        .await
        .expect("start");
    let authorize =
        url::Url::parse(start.headers()["location"].to_str().expect("loc")).expect("url");
    let q: HashMap<_, _> = authorize.query_pairs().into_owned().collect();

    // Everything RFC 6749 allows in a code (VSCHAR), plus characters that need escaping.
    let code = "a+b/c=d%e&f?g#h~i.j_k-l!m*n'o(p)q;r:s@t$u,v\"w<x>y[z]{0}|1\\2^3`4 5";
    a.provider.issue_code(code, &q["code_challenge"]);
    let callback: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("code", code)
        .append_pair("state", &q["state"])
        .finish();
    let done = browser
        .get(a.app.url(&format!("/oauth/callback?{callback}")))
        .send()
        .await
        .expect("callback");

    let grants = a.provider.code_grants.lock().expect("lock").clone();
    assert_eq!(grants.len(), 1, "{grants:?}");
    assert_eq!(
        grants[0].0, code,
        "the code reaches the token endpoint as sent"
    );
    assert_eq!(
        grants[0].1, q["redirect_uri"],
        "the redirect URI of the token request is the authorization request's, byte for byte"
    );
    assert_eq!(done.status(), 303);
    assert_eq!(done.headers()["referrer-policy"], "no-referrer");
    let location = done.headers()["location"].to_str().expect("location");
    assert!(
        location.starts_with("https://app.example.com/done?from=authlink&status=success"),
        "{location}"
    );
    assert!(!location.contains(code), "{location}");
    a.app.cleanup().await;
}

async fn credential_fields_are_kept_byte_exact(backend: Backend) {
    let a = api(backend).await;
    let response = a
        .app
        .call::<app::api::connectors::SaveConnector>(&[
            ("provider", "generic_basic"),
            ("name", "Raw API"),
            ("key", "raw-api"),
        ])
        .await;
    assert!(response.is_ok(), "{response:?}");
    let submit = async |external_id: &str, password: &str| {
        let (_, link) = a
            .post(
                "/api/v1/connect-links",
                json!({"tenant": {"external_id": external_id, "name": "Raw"}, "connector": "raw-api"}),
            )
            .await;
        let url = link["url"].as_str().expect("url");
        crate::helpers::client_with(std::sync::Arc::default())
            .post(a.app.url(&Api::path_of(url)))
            .header("origin", &a.app.base)
            .form(&[("username", "ops"), ("password", password)])
            .send()
            .await
            .expect("submit")
            .status()
            .as_u16()
    };
    // Right-to-left override, a decomposed é, an emoji with a joiner, surrounding spaces:
    // a secret is stored as typed, never trimmed or normalised.
    let secret = " \u{202E}pass-e\u{301}-\u{1F469}\u{200D}\u{1F4BB} ";
    assert_eq!(submit("cus_raw", secret).await, 200);
    let (_, listed) = a.get("/api/v1/connections?connector=raw-api").await;
    let id = listed["data"][0]["id"].as_str().expect("id");
    let (_, creds) = a
        .get(&format!("/api/v1/connections/{id}/credentials"))
        .await;
    assert_eq!(
        creds["values"]["password"].as_str().map(str::as_bytes),
        Some(secret.as_bytes()),
        "{creds}"
    );
    let basic = creds["api"]["headers"]["Authorization"]
        .as_str()
        .and_then(|h| h.strip_prefix("Basic "))
        .expect("basic header");
    use base64::Engine;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(basic)
        .expect("base64");
    assert_eq!(decoded, format!("ops:{secret}").into_bytes());

    // A NUL cannot travel in a header or a form a provider reads: refused, never cut off.
    assert_eq!(submit("cus_nul", "pass\u{0}tail").await, 422);
    let (_, listed) = a.get("/api/v1/connections?connector=raw-api").await;
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(1), "{listed}");
    a.app.cleanup().await;
}

async fn an_unknown_account_costs_one_password_check_like_a_wrong_password(backend: Backend) {
    let a = api(backend).await;
    let checks = || a.app.state.passwords.checks();
    let stranger = crate::helpers::client_with(Default::default());
    let sign_in = async |email: &str| {
        let before = checks();
        let response = a
            .app
            .call_with(
                &stranger,
                SignIn::PATH,
                &[("email", email), ("password", "not the password at all")],
            )
            .await;
        (response.app_error(), checks() - before)
    };
    let (unknown, unknown_cost) = sign_in("nobody@example.com").await;
    let (wrong, wrong_cost) = sign_in(OWNER_EMAIL).await;
    assert_eq!(unknown, wrong, "the same answer");
    assert_eq!((unknown_cost, wrong_cost), (1, 1), "the same work");
    a.app.cleanup().await;
}
