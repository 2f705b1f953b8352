//! What the end user reads and can do on the Connect and result pages: the connector's own
//! name, and trying again after a failed flow from the same browser.

use std::collections::HashMap;
use std::sync::Arc;

use reqwest::cookie::Jar;
use serde_json::json;

use crate::helpers::{Backend, client_with};
use crate::on_both_backends;
use crate::rest::{Api, api};

on_both_backends!(
    pages_name_the_connector_the_admin_named,
    a_failed_flow_can_be_tried_again_only_from_its_browser,
);

async fn new_link(a: &Api) -> String {
    let (status, link) = a
        .post(
            "/api/v1/connect-links",
            json!({"tenant": {"external_id": "cus_eu", "name": "Initech"}, "connector": "acme-crm"}),
        )
        .await;
    assert_eq!(status, 201, "{link}");
    link["url"].as_str().expect("url").to_owned()
}

/// Starts the flow of `link` in `browser`; the authorization request's query.
async fn start(a: &Api, browser: &reqwest::Client, link: &str) -> HashMap<String, String> {
    let started = browser
        .post(a.app.url(&Api::path_of(link)))
        .header("origin", &a.app.base)
        .send()
        .await
        .expect("start");
    assert_eq!(started.status(), 303);
    query_of(started.headers()["location"].to_str().expect("location"))
}

fn query_of(url: &str) -> HashMap<String, String> {
    url::Url::parse(url)
        .expect("url")
        .query_pairs()
        .into_owned()
        .collect()
}

async fn retry(a: &Api, browser: &reqwest::Client, state: &str) -> reqwest::Response {
    browser
        .post(a.app.url("/oauth/retry"))
        .header("origin", &a.app.base)
        .form(&[("state", state)])
        .send()
        .await
        .expect("retry")
}

async fn pages_name_the_connector_the_admin_named(backend: Backend) {
    let a = api(backend).await;
    a.oauth_connector().await;
    let link = new_link(&a).await;
    let page = reqwest::get(&a.app.url(&Api::path_of(&link)))
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(page.contains("<h1>Connect Acme CRM<!></h1>"), "{page}");
    assert!(page.contains("Continue to Acme CRM"), "{page}");
    assert!(
        !page.contains("Generic OAuth2"),
        "a generic template's name means nothing to the end user"
    );

    let (status, _) = a.end_user_oauth(&link, Some("c-named")).await;
    assert_eq!(status, 200);
    a.app.cleanup().await;
}

async fn a_failed_flow_can_be_tried_again_only_from_its_browser(backend: Backend) {
    let a = api(backend).await;
    a.oauth_connector().await;
    let link = new_link(&a).await;
    let browser = client_with(Arc::new(Jar::default()));
    let first = start(&a, &browser, &link).await;
    let denied = browser
        .get(a.app.url(&format!(
            "/oauth/callback?error=access_denied&state={}",
            first["state"]
        )))
        .send()
        .await
        .expect("callback");
    assert_eq!(denied.status(), 400);
    let csp = denied.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_owned();
    assert!(
        csp.contains(&a.provider.base),
        "the retry may lead to the provider: {csp}"
    );
    let page = denied.text().await.expect("html");
    assert!(page.contains(r#"action="/oauth/retry""#), "{page}");
    assert!(
        page.contains(&format!(r#"value="{}""#, first["state"])),
        "{page}"
    );

    // Another browser that learned the state gets nothing.
    let stranger = client_with(Arc::new(Jar::default()));
    assert_eq!(retry(&a, &stranger, &first["state"]).await.status(), 404);
    assert_eq!(retry(&a, &browser, "not-a-state").await.status(), 404);

    // The end user's own browser goes straight back to the provider, in a new flow.
    let again = retry(&a, &browser, &first["state"]).await;
    assert_eq!(again.status(), 303);
    let second = query_of(again.headers()["location"].to_str().expect("location"));
    assert_ne!(second["state"], first["state"]);
    assert_eq!(second["redirect_uri"], first["redirect_uri"]);
    a.provider.issue_code("c-again", &second["code_challenge"]);
    let done = browser
        .get(a.app.url(&format!(
            "/oauth/callback?code=c-again&state={}",
            second["state"]
        )))
        .send()
        .await
        .expect("callback");
    assert_eq!(done.status(), 200);
    assert!(
        done.text()
            .await
            .expect("html")
            .contains("Acme CRM is now connected to Acme CRM.")
    );

    // A used single-use link offers nothing to try again.
    assert_eq!(retry(&a, &browser, &first["state"]).await.status(), 404);
    a.app.cleanup().await;
}
