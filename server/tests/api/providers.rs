//! Real catalog entries against provider simulators. Each test loads the built-in entry as it
//! ships (paths, parameters, options); only the origin is rewritten, to the simulator, which
//! answers the way the provider documents — quirks included.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use app::api::connectors::SaveConnector;
use app::domain::clock::Clock;
use app::domain::services::connections;
use axum::http::Method;
use reqwest::cookie::Jar;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestOptions, client_with};
use crate::on_both_backends;
use crate::rest::{Api, api_with};
use crate::simulator::{Reply, Seen, Simulator};

on_both_backends!(
    shopify_connects_with_an_expiring_token_that_has_no_token_type,
    slack_gets_no_pkce_basic_auth_and_its_user_token,
    slack_errors_sent_with_http_200_are_refusals,
    salesforce_tokens_without_a_lifetime_are_refreshed_before_the_session_ends,
    a_token_rejected_early_is_refreshed_on_a_checked_read_or_on_request,
    pipedrive_is_never_sent_pkce,
    an_endless_token_response_is_refused_without_being_buffered,
    quickbooks_keeps_the_realm_id_that_only_the_callback_carries,
    a_reconnect_to_another_account_is_refused_unless_the_link_allows_it,
    dropbox_revokes_the_access_token_that_authenticates_the_call,
    intercom_connects_a_workspace_in_the_region_the_end_user_chose,
);

pub(crate) const CLIENT_ID: &str = "sim-client";
pub(crate) const CLIENT_SECRET: &str = "sim-secret";
const MARGIN: time::Duration = time::Duration::minutes(10);

pub(crate) struct Rig {
    pub(crate) a: Api,
    pub(crate) sim: Simulator,
}

pub(crate) async fn rig(
    backend: Backend,
    handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
) -> Rig {
    let sim = Simulator::start(handler).await;
    let options = TestOptions {
        extra_env: vec![("AUTHLINK_PROVIDER_SIMULATOR", sim.base.clone())],
        ..TestOptions::default()
    };
    let a = api_with(backend, options).await;
    Rig { a, sim }
}

impl Rig {
    /// A connector for the built-in `provider` with the catalog's default scopes.
    pub(crate) async fn connector(&self, provider: &str) {
        let response = self
            .a
            .app
            .call::<SaveConnector>(&[
                ("provider", provider),
                ("name", provider),
                ("key", provider),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
            ])
            .await;
        assert!(response.is_ok(), "{response:?}");
    }

    pub(crate) async fn link(&self, connector: &str) -> String {
        self.link_with(connector, json!({})).await
    }

    /// A link with more of the REST API's options.
    pub(crate) async fn link_with(&self, connector: &str, options: Value) -> String {
        let mut body = json!({"tenant": {"external_id": "cus_sim", "name": "Initech"}, "connector": connector});
        if let (Some(body), Some(options)) = (body.as_object_mut(), options.as_object()) {
            body.extend(options.clone());
        }
        let (status, link) = self.a.post("/api/v1/connect-links", body).await;
        assert_eq!(status, 201, "{link}");
        link["url"].as_str().expect("url").to_owned()
    }

    /// The end user starts the flow with `fields`; the browser and the authorization URL.
    pub(crate) async fn start(
        &self,
        link: &str,
        fields: &[(&str, &str)],
    ) -> (reqwest::Client, url::Url) {
        let browser = client_with(Arc::new(Jar::default()));
        let start = browser
            .post(self.a.app.url(&Api::path_of(link)))
            .header("origin", &self.a.app.base)
            .form(fields)
            .send()
            .await
            .expect("start");
        assert_eq!(start.status(), 303, "{:?}", start.text().await);
        let location = start.headers()["location"].to_str().expect("location");
        let authorize = url::Url::parse(location).expect("url");
        assert!(
            authorize.as_str().starts_with(&self.sim.base),
            "the authorization URL goes to the simulator: {authorize}"
        );
        (browser, authorize)
    }

    /// The provider sends the browser back with `code`.
    pub(crate) async fn callback(
        &self,
        browser: &reqwest::Client,
        authorize: &url::Url,
        code: &str,
    ) -> (u16, String) {
        self.callback_with(browser, authorize, code, "").await
    }

    /// The provider sends the browser back with `code` and `extra` query parameters.
    pub(crate) async fn callback_with(
        &self,
        browser: &reqwest::Client,
        authorize: &url::Url,
        code: &str,
        extra: &str,
    ) -> (u16, String) {
        let q: HashMap<_, _> = authorize.query_pairs().into_owned().collect();
        let url = self.a.app.url(&format!(
            "/oauth/callback?code={code}&state={}{extra}",
            q["state"]
        ));
        let response = browser.get(url).send().await.expect("callback");
        (
            response.status().as_u16(),
            response.text().await.expect("body"),
        )
    }

    pub(crate) async fn only_connection(&self) -> Value {
        let (status, page) = self.a.get("/api/v1/connections").await;
        assert_eq!(status, 200, "{page}");
        let data = page["data"].as_array().expect("data");
        assert_eq!(data.len(), 1, "{page}");
        data[0].clone()
    }

    pub(crate) async fn credentials(&self, id: &str) -> Value {
        let (status, creds) = self
            .a
            .get(&format!("/api/v1/connections/{id}/credentials"))
            .await;
        assert_eq!(status, 200, "{creds}");
        creds
    }
}

pub(crate) fn query(url: &url::Url) -> HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}

/// Shopify (shopify.dev, authorization code grant; expiring offline tokens): the exchange
/// carries the client credentials in the body, `expiring=1` yields a token that lives a day with
/// a rotating refresh token, and no answer ever names a `token_type`. The Admin API takes the
/// token in `X-Shopify-Access-Token`.
fn shopify(live: Arc<Mutex<String>>) -> impl Fn(&Seen) -> Reply + Send + Sync {
    move |s: &Seen| match s.path.as_str() {
        "/admin/oauth/access_token" if s.host == "acme.myshopify.com" => {
            if s.form.get("client_id").map(String::as_str) != Some(CLIENT_ID)
                || s.form.get("client_secret").map(String::as_str) != Some(CLIENT_SECRET)
            {
                return Reply::json(400, json!({"error": "invalid_client"}));
            }
            let grant = s.form.get("grant_type").map(String::as_str);
            let token = match (grant, s.form.get("code"), s.form.get("refresh_token")) {
                (Some("authorization_code"), Some(code), _) if code == "shop-code" => "shpat_1",
                (Some("refresh_token"), _, Some(r)) if r == "shprt_1" => "shpat_2",
                _ => return Reply::json(400, json!({"error": "invalid_grant"})),
            };
            *live.lock().expect("lock") = token.to_owned();
            // Only the code exchange chooses between expiring and non-expiring tokens.
            if grant == Some("authorization_code")
                && s.form.get("expiring").map(String::as_str) != Some("1")
            {
                return Reply::json(
                    200,
                    json!({"access_token": "shpat_forever", "scope": "read_products,read_orders"}),
                );
            }
            Reply::json(
                200,
                json!({
                    "access_token": token,
                    "expires_in": 86399,
                    "refresh_token": if token == "shpat_1" { "shprt_1" } else { "shprt_2" },
                    "refresh_token_expires_in": 7_775_999,
                    "scope": "read_products,read_orders",
                }),
            )
        }
        "/admin/api/2026-10/shop.json" if s.host == "acme.myshopify.com" => {
            let live = live.lock().expect("lock").clone();
            match s.headers.get("x-shopify-access-token") {
                Some(t) if *t == live => {
                    Reply::json(200, json!({"shop": {"name": "Acme Store", "id": 1}}))
                }
                _ => Reply::json(
                    401,
                    json!({"errors": "[API] Invalid API key or access token"}),
                ),
            }
        }
        _ => Reply::not_found(),
    }
}

async fn shopify_connects_with_an_expiring_token_that_has_no_token_type(backend: Backend) {
    let live = Arc::new(Mutex::new(String::new()));
    let r = rig(backend, shopify(live)).await;
    r.connector("shopify").await;
    let link = r.link("shopify").await;
    let (browser, authorize) = r.start(&link, &[("shop", "acme")]).await;
    assert_eq!(authorize.path(), "/admin/oauth/authorize");
    let q = query(&authorize);
    assert_eq!(q["client_id"], CLIENT_ID);
    assert_eq!(q["scope"], "read_products,read_orders");

    let (status, body) = r.callback(&browser, &authorize, "shop-code").await;
    assert_eq!(status, 200, "{body}");
    let exchange = &r.sim.seen_at("/admin/oauth/access_token")[0];
    assert_eq!(exchange.host, "acme.myshopify.com");
    assert_eq!(exchange.form["expiring"], "1");

    let connection = r.only_connection().await;
    assert_eq!(connection["account"], "Acme Store");
    assert_eq!(connection["account_id"], "acme");
    assert_eq!(connection["connection_config"]["shop"], "acme");
    // The backend learns where the Admin API is and that the token goes in Shopify's header.
    let api = &connection["api"];
    assert_eq!(
        api["base_url"],
        "https://acme.myshopify.com/admin/api/2026-10"
    );
    assert_eq!(
        api["headers"],
        json!({"X-Shopify-Access-Token": "{access_token}"})
    );
    let id = connection["id"].as_str().expect("id");
    let creds = r.credentials(id).await;
    assert_eq!(creds["access_token"], "shpat_1");
    assert_eq!(creds["api"]["headers"]["X-Shopify-Access-Token"], "shpat_1");
    assert_eq!(creds["token_type"], "bearer");
    assert!(creds["expires_at"].is_string(), "{creds}");

    // A day later the token is renewed with the rotated refresh token.
    r.a.app.clock.advance(time::Duration::hours(24));
    let creds = r.credentials(id).await;
    assert_eq!(creds["access_token"], "shpat_2");
    assert_eq!(creds["refresh_token"], "shprt_2");
    let refresh = r.sim.seen_at("/admin/oauth/access_token");
    assert_eq!(refresh.len(), 2);
    assert_eq!(refresh[1].form["grant_type"], "refresh_token");
    r.a.app.cleanup().await;
}

/// Slack (api.slack.com, OAuth v2 and `oauth.v2.access`): client credentials by HTTP Basic,
/// no PKCE for a confidential app, every answer HTTP 200 with `ok`, and for a user-scope-only
/// install the token under `authed_user`.
fn slack(s: &Seen) -> Reply {
    match s.path.as_str() {
        "/api/oauth.v2.access" if s.host == "slack.com" => {
            if s.basic() != Some((CLIENT_ID.into(), CLIENT_SECRET.into())) {
                return Reply::json(200, json!({"ok": false, "error": "invalid_client_id"}));
            }
            if s.form.contains_key("code_verifier") {
                return Reply::json(200, json!({"ok": false, "error": "invalid_code_verifier"}));
            }
            if s.form.get("code").map(String::as_str) != Some("slack-code") {
                return Reply::json(200, json!({"ok": false, "error": "invalid_code"}));
            }
            Reply::json(
                200,
                json!({
                    "ok": true,
                    "app_id": "A1",
                    "authed_user": {"id": "U1", "scope": "chat:write", "access_token": "xoxp-1", "token_type": "user"},
                    "team": {"id": "T1", "name": "Acme"},
                    "enterprise": null,
                    "is_enterprise_install": false,
                }),
            )
        }
        "/api/auth.test" if s.host == "slack.com" && s.method == Method::POST => match s.bearer() {
            Some("xoxp-1") => Reply::json(
                200,
                json!({"ok": true, "team": "Acme", "user": "ada", "team_id": "T1", "user_id": "U1"}),
            ),
            _ => Reply::json(200, json!({"ok": false, "error": "invalid_auth"})),
        },
        _ => Reply::not_found(),
    }
}

async fn slack_gets_no_pkce_basic_auth_and_its_user_token(backend: Backend) {
    let r = rig(backend, slack).await;
    r.connector("slack").await;
    let link = r.link("slack").await;
    // The Connect page says what each scope allows.
    let page = reqwest::get(r.a.app.url(&Api::path_of(&link)))
        .await
        .expect("page")
        .text()
        .await
        .expect("body")
        .replace("<!>", "");
    assert!(
        page.contains(
            r#"<li>Send messages as the app <code class="scope-raw">chat:write</code></li>"#
        ),
        "{page}"
    );
    // In the end user's language, from the catalog's translations.
    let german = reqwest::Client::new()
        .get(r.a.app.url(&Api::path_of(&link)))
        .header("accept-language", "de")
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("body")
        .replace("<!>", "");
    assert!(
        german.contains(
            r#"<li>Nachrichten als die App senden <code class="scope-raw">chat:write</code></li>"#
        ),
        "{german}"
    );
    let (browser, authorize) = r.start(&link, &[]).await;
    assert_eq!(authorize.path(), "/oauth/v2/authorize");
    let q = query(&authorize);
    assert!(!q.contains_key("code_challenge"), "{authorize}");
    assert_eq!(q["scope"], "channels:read,chat:write");

    let (status, body) = r.callback(&browser, &authorize, "slack-code").await;
    assert_eq!(status, 200, "{body}");
    let connection = r.only_connection().await;
    assert_eq!(connection["account"], "Acme");
    let creds = r.credentials(connection["id"].as_str().expect("id")).await;
    assert_eq!(creds["access_token"], "xoxp-1");
    assert_eq!(creds["raw"]["team"]["id"], "T1");
    assert_eq!(connection["account_id"], "T1");
    // A user token without a refresh token cannot be refreshed on request.
    let id = connection["id"].as_str().expect("id");
    let (status, problem) =
        r.a.post(&format!("/api/v1/connections/{id}/refresh"), json!({}))
            .await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["code"], "not_refreshable");
    r.a.app.cleanup().await;
}

async fn slack_errors_sent_with_http_200_are_refusals(backend: Backend) {
    let r = rig(backend, slack).await;
    r.connector("slack").await;
    let link = r.link("slack").await;
    let (browser, authorize) = r.start(&link, &[]).await;
    let (status, body) = r.callback(&browser, &authorize, "stale-code").await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("refused to issue a token (invalid_code)"),
        "{body}"
    );
    let (_, links) = r.a.get("/api/v1/connect-links").await;
    assert_eq!(
        links["data"][0]["last_error"],
        "token_refused: invalid_code"
    );
    let (_, page) = r.a.get("/api/v1/connections").await;
    assert_eq!(page["data"].as_array().map(Vec::len), Some(0));
    r.a.app.cleanup().await;
}

/// Salesforce (help.salesforce.com, web server flow): the token response carries
/// `instance_url`, `id`, `issued_at` and `signature` but no `expires_in`; the session ends after
/// the org's timeout (two hours by default) and the refresh token does not rotate.
fn salesforce(s: &Seen) -> Reply {
    salesforce_org(&Mutex::new(Org::default()), s)
}

/// A Salesforce org: the sessions it issued (numbered) and those that timed out early.
#[derive(Default)]
struct Org {
    issued: usize,
    dead: Vec<String>,
}

fn salesforce_org(org: &Mutex<Org>, s: &Seen) -> Reply {
    let mut org = org.lock().expect("lock");
    match s.path.as_str() {
        "/services/oauth2/token" if s.host == "login.salesforce.com" => {
            let token = match s.form.get("grant_type").map(String::as_str) {
                Some("authorization_code") => "00Dsf!first".to_owned(),
                Some("refresh_token")
                    if s.form.get("refresh_token").map(String::as_str) == Some("5Aep") =>
                {
                    org.issued += 1;
                    match org.issued {
                        1 => "00Dsf!second".to_owned(),
                        n => format!("00Dsf!session{n}"),
                    }
                }
                _ => {
                    return Reply::json(
                        400,
                        json!({"error": "invalid_grant", "error_description": "expired access/refresh token"}),
                    );
                }
            };
            let mut answer = json!({
                "access_token": token,
                "signature": "c2lnbmF0dXJl",
                "scope": "refresh_token api",
                "instance_url": "https://acme.my.salesforce.com",
                "id": "https://login.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS",
                "token_type": "Bearer",
                "issued_at": "1795000000000",
            });
            if token == "00Dsf!first" {
                answer["refresh_token"] = json!("5Aep");
            }
            Reply::json(200, answer)
        }
        "/services/oauth2/userinfo" if s.host == "login.salesforce.com" => match s.bearer() {
            Some(t) if t.starts_with("00Dsf!") && !org.dead.iter().any(|d| d == t) => Reply::json(
                200,
                json!({
                    "preferred_username": "ada@acme.example",
                    "user_id": "005xx000001SwiUAAS",
                    "organization_id": "00Dxx0000001gPLEAY",
                }),
            ),
            _ => Reply::json(401, json!([{"errorCode": "INVALID_SESSION_ID"}])),
        },
        _ => Reply::not_found(),
    }
}

async fn salesforce_tokens_without_a_lifetime_are_refreshed_before_the_session_ends(
    backend: Backend,
) {
    let r = rig(backend, salesforce).await;
    r.connector("salesforce").await;
    let link = r.link("salesforce").await;
    let (browser, authorize) = r
        .start(&link, &[("login_host", "login.salesforce.com")])
        .await;
    assert_eq!(authorize.path(), "/services/oauth2/authorize");
    let (status, body) = r.callback(&browser, &authorize, "sf-code").await;
    assert_eq!(status, 200, "{body}");
    let connection = r.only_connection().await;
    assert_eq!(connection["account"], "ada@acme.example");
    let id = connection["id"].as_str().expect("id");
    assert_eq!(
        connection["connection_config"]["instance_url"],
        "https://acme.my.salesforce.com"
    );
    assert_eq!(
        connection["api"]["base_url"],
        "https://acme.my.salesforce.com"
    );
    assert_eq!(connection["account_id"], "00Dxx0000001gPLEAY");
    let creds = r.credentials(id).await;
    assert_eq!(
        creds["raw"]["instance_url"],
        "https://acme.my.salesforce.com"
    );
    let expires = time::OffsetDateTime::parse(
        creds["expires_at"].as_str().expect("an assumed expiry"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("time");
    let lifetime = expires - r.a.app.clock.now();
    assert!(
        (time::Duration::minutes(119)..=time::Duration::minutes(120)).contains(&lifetime),
        "{lifetime}"
    );

    // Before the two hours are up the worker renews it; the refresh token is kept.
    r.a.app.clock.advance(time::Duration::minutes(100));
    assert_eq!(
        connections::refresh_due(&r.a.app.state, MARGIN, 100)
            .await
            .expect("pass"),
        0
    );
    r.a.app.clock.advance(time::Duration::minutes(15));
    assert_eq!(
        connections::refresh_due(&r.a.app.state, MARGIN, 100)
            .await
            .expect("pass"),
        1
    );
    let creds = r.credentials(id).await;
    assert_eq!(creds["access_token"], "00Dsf!second");
    assert_eq!(creds["refresh_token"], "5Aep");
    r.a.app.cleanup().await;
}

/// Pipedrive (pipedrive.readme.io, marketplace OAuth): HTTP Basic client credentials and no
/// PKCE, which its authorization server refuses.
fn pipedrive(s: &Seen) -> Reply {
    match s.path.as_str() {
        "/oauth/token" if s.host == "oauth.pipedrive.com" => {
            if s.basic() != Some((CLIENT_ID.into(), CLIENT_SECRET.into()))
                || s.form.contains_key("code_verifier")
            {
                return Reply::json(401, json!({"success": false, "message": "Invalid client"}));
            }
            Reply::json(
                200,
                json!({
                    "access_token": "v1u:pd-1",
                    "token_type": "Bearer",
                    "refresh_token": "pd-r",
                    "scope": "base,deals:full",
                    "expires_in": 3599,
                    "api_domain": "https://acme.pipedrive.com",
                }),
            )
        }
        "/v1/users/me" if s.host == "api.pipedrive.com" => match s.bearer() {
            Some("v1u:pd-1") => Reply::json(
                200,
                json!({"success": true, "data": {"email": "ada@acme.example", "company_domain": "acme"}}),
            ),
            _ => Reply::json(
                401,
                json!({"success": false, "error": "unauthorized access"}),
            ),
        },
        _ => Reply::not_found(),
    }
}

async fn pipedrive_is_never_sent_pkce(backend: Backend) {
    let r = rig(backend, pipedrive).await;
    r.connector("pipedrive").await;
    let link = r.link("pipedrive").await;
    let (browser, authorize) = r.start(&link, &[]).await;
    assert!(
        !query(&authorize).contains_key("code_challenge"),
        "{authorize}"
    );
    let (status, body) = r.callback(&browser, &authorize, "pd-code").await;
    assert_eq!(status, 200, "{body}");
    let connection = r.only_connection().await;
    assert_eq!(connection["account"], "ada@acme.example");
    // API calls go to the company domain the token answer named.
    assert_eq!(
        connection["api"]["base_url"],
        "https://acme.pipedrive.com/api/v1"
    );
    r.a.app.cleanup().await;
}

/// A hostile token endpoint that answers with far more than any token response: refused as
/// unreadable, nothing stored.
async fn an_endless_token_response_is_refused_without_being_buffered(backend: Backend) {
    let r = rig(backend, |s: &Seen| {
        if s.path == "/oauth/token" {
            let mut body = b"{\"access_token\":\"".to_vec();
            body.resize(8 * 1024 * 1024, b'a');
            Reply {
                status: 200,
                content_type: "application/json",
                body,
            }
        } else {
            Reply::not_found()
        }
    })
    .await;
    r.connector("gitlab").await;
    let link = r.link("gitlab").await;
    let (browser, authorize) = r.start(&link, &[]).await;
    let (status, body) = r.callback(&browser, &authorize, "any").await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("could not be understood"), "{body}");
    let (_, page) = r.a.get("/api/v1/connections").await;
    assert_eq!(page["data"].as_array().map(Vec::len), Some(0));
    r.a.app.cleanup().await;
}

/// QuickBooks Online (developer.intuit.com, OAuth 2.0): the company's `realmId` comes only as a
/// query parameter of the callback, and every Accounting API call names it in its path; the
/// token endpoint takes HTTP Basic client credentials; the userinfo endpoint names the user.
fn quickbooks(s: &Seen) -> Reply {
    let realm_of = |token: Option<&str>| match token {
        Some("qb-token-a") => Some("9130357"),
        Some("qb-token-b") => Some("4620816"),
        _ => None,
    };
    match (s.host.as_str(), s.path.as_str()) {
        ("oauth.platform.intuit.com", "/oauth2/v1/tokens/bearer") => {
            if s.basic() != Some((CLIENT_ID.into(), CLIENT_SECRET.into())) {
                return Reply::json(401, json!({"error": "invalid_client"}));
            }
            let token = match s.form.get("code").map(String::as_str) {
                Some("code-a") => "qb-token-a",
                Some("code-b") => "qb-token-b",
                _ => return Reply::json(400, json!({"error": "invalid_grant"})),
            };
            Reply::json(
                200,
                json!({
                    "token_type": "bearer",
                    "expires_in": 3600,
                    "refresh_token": format!("{token}-refresh"),
                    "x_refresh_token_expires_in": 8_726_400,
                    "access_token": token,
                    "id_token": "eyJraWQiOi.e30.sig",
                }),
            )
        }
        ("quickbooks.api.intuit.com", path) => {
            let Some(realm) = realm_of(s.bearer()) else {
                return Reply::json(401, json!({"fault": {"type": "AUTHENTICATION"}}));
            };
            if path != format!("/v3/company/{realm}/companyinfo/{realm}") {
                return Reply::json(403, json!({"fault": {"type": "AuthorizationFault"}}));
            }
            Reply::json(
                200,
                json!({"CompanyInfo": {"CompanyName": "Acme Books", "Id": "1"}}),
            )
        }
        ("developer.api.intuit.com", "/v2/oauth2/tokens/revoke") => {
            let token = serde_json::from_str::<Value>(&s.body)
                .ok()
                .and_then(|b| b["token"].as_str().map(str::to_owned));
            match (s.basic(), token) {
                (Some((id, _)), Some(_)) if id == CLIENT_ID => Reply::json(200, json!({})),
                _ => Reply::json(400, json!({"error": "invalid_request"})),
            }
        }
        ("accounts.platform.intuit.com", "/v1/openid_connect/userinfo") => {
            match realm_of(s.bearer()) {
                Some(_) => Reply::json(200, json!({"sub": "u-1", "email": "ada@acme.example"})),
                None => Reply::json(401, json!({"error": "invalid_token"})),
            }
        }
        _ => Reply::not_found(),
    }
}

async fn quickbooks_keeps_the_realm_id_that_only_the_callback_carries(backend: Backend) {
    let r = rig(backend, quickbooks).await;
    r.connector("quickbooks").await;
    let link = r.link("quickbooks").await;
    let (browser, authorize) = r.start(&link, &[]).await;
    assert_eq!(authorize.path(), "/connect/oauth2");
    let (status, body) = r
        .callback_with(&browser, &authorize, "code-a", "&realmId=9130357")
        .await;
    assert_eq!(status, 200, "{body}");
    let connection = r.only_connection().await;
    assert_eq!(connection["connection_config"]["realm_id"], "9130357");
    assert_eq!(connection["account_id"], "9130357");
    assert_eq!(connection["account"], "ada@acme.example");
    let company_checks = r
        .sim
        .seen()
        .into_iter()
        .filter(|s| s.host == "quickbooks.api.intuit.com")
        .count();
    assert_eq!(
        company_checks, 1,
        "the company was checked before the connection was stored"
    );

    // Without the realm the connection could not be used: it is not stored.
    let link = r.link("quickbooks").await;
    r.a.delete(&format!(
        "/api/v1/connections/{}",
        connection["id"].as_str().expect("id")
    ))
    .await;
    // Disconnecting revoked the refresh token the way Intuit takes it: JSON, HTTP Basic.
    let revoke = r.sim.seen_at("/v2/oauth2/tokens/revoke");
    assert_eq!(revoke.len(), 1);
    assert_eq!(revoke[0].headers["content-type"], "application/json");
    assert_eq!(
        revoke[0].basic(),
        Some((CLIENT_ID.to_owned(), CLIENT_SECRET.to_owned()))
    );
    let sent: Value = serde_json::from_str(&revoke[0].body).expect("json body");
    assert_eq!(sent, json!({"token": "qb-token-a-refresh"}));
    let (browser, authorize) = r.start(&link, &[]).await;
    let (status, body) = r.callback(&browser, &authorize, "code-b").await;
    assert_eq!(status, 400, "{body}");
    let connection = r.only_connection().await;
    assert_eq!(connection["status"], "disconnected");
    r.a.app.cleanup().await;
}

async fn a_reconnect_to_another_account_is_refused_unless_the_link_allows_it(backend: Backend) {
    use app::domain::entities::event;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    let r = rig(backend, quickbooks).await;
    r.connector("quickbooks").await;
    let connect = |link: String, code: &'static str, realm: &'static str| {
        let r = &r;
        async move {
            let (browser, authorize) = r.start(&link, &[]).await;
            r.callback_with(&browser, &authorize, code, &format!("&realmId={realm}"))
                .await
        }
    };
    let first = r.link("quickbooks").await;
    assert_eq!(connect(first, "code-a", "9130357").await.0, 200);
    let id = r.only_connection().await["id"]
        .as_str()
        .expect("id")
        .to_owned();

    // A Reconnect link, but the end user picks another company: refused, nothing changed.
    let again = r.link("quickbooks").await;
    let (status, body) = connect(again, "code-b", "4620816").await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("different account"), "{body}");
    let connection = r.only_connection().await;
    assert_eq!(connection["id"], id.as_str());
    assert_eq!(connection["account_id"], "9130357");
    assert_eq!(r.credentials(&id).await["access_token"], "qb-token-a");
    let mismatches = event::Entity::find()
        .filter(event::Column::EventType.eq("connection.account_mismatch"))
        .all(&r.a.app.state.db)
        .await
        .expect("events");
    assert_eq!(mismatches.len(), 1);
    let payload: Value = serde_json::from_str(&mismatches[0].payload).expect("payload");
    assert_eq!(payload["data"]["account"]["pinned"], "9130357");
    assert_eq!(payload["data"]["account"]["attempted"], "4620816");
    let (_, links) = r.a.get("/api/v1/connect-links").await;
    let refused = links["data"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["last_error"] == "account_mismatch"));
    assert!(refused.is_some(), "{links}");

    // A link that allows the change replaces the account, keeping the connection's id.
    let allowed = r
        .link_with("quickbooks", json!({"allow_account_change": true}))
        .await;
    assert_eq!(connect(allowed, "code-b", "4620816").await.0, 200);
    let connection = r.only_connection().await;
    assert_eq!(connection["id"], id.as_str());
    assert_eq!(connection["account_id"], "4620816");
    assert_eq!(connection["connection_config"]["realm_id"], "4620816");
    assert_eq!(r.credentials(&id).await["access_token"], "qb-token-b");

    // The dashboard's Connect popup knows the pinned account and offers the same switch.
    let tenant = connection["tenant"]["id"]
        .as_str()
        .expect("tenant")
        .to_owned();
    let details =
        r.a.app
            .call::<app::api::tenants::GetTenantDetails>(&[("id", tenant.as_str())])
            .await;
    let details: app::types::TenantDetails = serde_json::from_str(&details.body).expect("details");
    let card = &details.connectors[0];
    assert_eq!(card.pinned_account.as_deref(), Some("4620816"));
    let generate = |allow: bool| {
        let r = &r;
        let (tenant, connector) = (tenant.clone(), card.connector_id.clone());
        async move {
            let response = r
                .a
                .app
                .call_json::<app::api::links::GenerateLink>(json!({
                    "tenant_id": tenant, "connector_id": connector, "expires_in_minutes": 60,
                    "single_use": true, "note": "", "presets": [], "allow_account_change": allow,
                }))
                .await;
            let link: app::types::GeneratedLink =
                serde_json::from_str(&response.body).expect("link");
            link.url
        }
    };
    let (status, _) = connect(generate(false).await, "code-a", "9130357").await;
    assert_eq!(status, 409, "without the switch the pinned account stays");
    assert_eq!(
        connect(generate(true).await, "code-a", "9130357").await.0,
        200
    );
    assert_eq!(r.only_connection().await["account_id"], "9130357");
    r.a.app.cleanup().await;
}

/// A Salesforce org whose admin set a session timeout shorter than the two hours we assume: the
/// session dies early, the API answers 401, and the backend gets a fresh token by a checked read
/// or by asking for a refresh.
async fn a_token_rejected_early_is_refreshed_on_a_checked_read_or_on_request(backend: Backend) {
    let org = Arc::new(Mutex::new(Org::default()));
    let sim_org = org.clone();
    let r = rig(backend, move |s: &Seen| salesforce_org(&sim_org, s)).await;
    r.connector("salesforce").await;
    let link = r.link("salesforce").await;
    let (browser, authorize) = r
        .start(&link, &[("login_host", "login.salesforce.com")])
        .await;
    assert_eq!(r.callback(&browser, &authorize, "sf-code").await.0, 200);
    let id = r.only_connection().await["id"]
        .as_str()
        .expect("id")
        .to_owned();

    org.lock().expect("lock").dead.push("00Dsf!first".into());
    // A plain read does not ask the provider: the token is not due by its (assumed) expiry.
    assert_eq!(r.credentials(&id).await["access_token"], "00Dsf!first");
    let (status, creds) =
        r.a.get(&format!("/api/v1/connections/{id}/credentials?verify=true"))
            .await;
    assert_eq!(status, 200, "{creds}");
    assert_eq!(creds["access_token"], "00Dsf!second");
    // A checked read of a live token changes nothing.
    let (_, again) =
        r.a.get(&format!("/api/v1/connections/{id}/credentials?verify=true"))
            .await;
    assert_eq!(again["access_token"], "00Dsf!second");
    assert_eq!(org.lock().expect("lock").issued, 1);

    // Asking for a refresh always gets a new session, and it is audited.
    let (status, creds) =
        r.a.post(&format!("/api/v1/connections/{id}/refresh"), json!({}))
            .await;
    assert_eq!(status, 200, "{creds}");
    assert_eq!(creds["access_token"], "00Dsf!session2");
    assert_eq!(creds["refresh_token"], "5Aep");
    assert_eq!(r.credentials(&id).await["access_token"], "00Dsf!session2");
    let (status, problem) =
        r.a.get(&format!(
            "/api/v1/connections/{id}/credentials?verify=maybe"
        ))
        .await;
    assert_eq!(status, 400, "{problem}");
    r.a.app.cleanup().await;
}

/// Dropbox (developers.dropbox.com, OAuth guide and `auth/token/revoke`): offline access gives a
/// refresh token; RPC endpoints without arguments take no body; revoking disables the access
/// token that authenticates the request, which carries no body either.
fn dropbox(s: &Seen) -> Reply {
    match (s.host.as_str(), s.path.as_str()) {
        ("api.dropboxapi.com", "/oauth2/token") => {
            if s.form.get("client_secret").map(String::as_str) != Some(CLIENT_SECRET) {
                return Reply::json(400, json!({"error": "invalid_client"}));
            }
            Reply::json(
                200,
                json!({
                    "access_token": "sl.dbx-1",
                    "expires_in": 14400,
                    "token_type": "bearer",
                    "scope": "account_info.read files.metadata.read",
                    "refresh_token": "dbx-refresh",
                    "account_id": "dbid:AAH4f99T0taONIb",
                    "uid": "12345",
                }),
            )
        }
        ("api.dropboxapi.com", "/2/users/get_current_account") => {
            if s.bearer() != Some("sl.dbx-1") || !s.body.is_empty() {
                return Reply::json(400, json!({"error_summary": "bad request"}));
            }
            Reply::json(
                200,
                json!({"account_id": "dbid:AAH4f99T0taONIb", "email": "ada@acme.example"}),
            )
        }
        ("api.dropboxapi.com", "/2/auth/token/revoke") => {
            if s.bearer() != Some("sl.dbx-1") || !s.body.is_empty() {
                return Reply::json(400, json!({"error_summary": "bad request"}));
            }
            Reply {
                status: 200,
                content_type: "application/json",
                body: b"null".to_vec(),
            }
        }
        _ => Reply::not_found(),
    }
}

async fn dropbox_revokes_the_access_token_that_authenticates_the_call(backend: Backend) {
    let r = rig(backend, dropbox).await;
    r.connector("dropbox").await;
    let link = r.link("dropbox").await;
    let (browser, authorize) = r.start(&link, &[]).await;
    assert_eq!(query(&authorize)["token_access_type"], "offline");
    assert_eq!(r.callback(&browser, &authorize, "dbx-code").await.0, 200);
    let connection = r.only_connection().await;
    assert_eq!(connection["account"], "ada@acme.example");
    let id = connection["id"].as_str().expect("id");
    assert_eq!(r.a.delete(&format!("/api/v1/connections/{id}")).await, 204);
    let revoke = r.sim.seen_at("/2/auth/token/revoke");
    assert_eq!(revoke.len(), 1, "revoked once");
    assert_eq!(revoke[0].bearer(), Some("sl.dbx-1"));
    assert!(revoke[0].form.is_empty() && revoke[0].body.is_empty());
    r.a.app.cleanup().await;
}

/// Intercom (developers.intercom.com, OAuth and regional hosting): a workspace lives in the US,
/// the EU or Australia, each with its own app host for the authorization and API host for the
/// token exchange and every API call; a token works only on its region's API. Tokens never
/// expire and come without a refresh token. `/me` names the admin and the workspace (`id_code`).
fn intercom(s: &Seen) -> Reply {
    match (s.host.as_str(), s.path.as_str()) {
        ("api.eu.intercom.io", "/auth/eagle/token") => {
            let client_ok = s.form.get("client_id").map(String::as_str) == Some(CLIENT_ID)
                && s.form.get("client_secret").map(String::as_str) == Some(CLIENT_SECRET);
            if !client_ok || s.form.get("code").map(String::as_str) != Some("eu-code") {
                return Reply::json(
                    401,
                    json!({"type": "error.list", "errors": [{"code": "unauthorized", "message": "Unauthorized Code"}]}),
                );
            }
            Reply::json(
                200,
                json!({"token_type": "Bearer", "token": "dG9rOmV1", "access_token": "dG9rOmV1"}),
            )
        }
        ("api.eu.intercom.io", "/me") if s.bearer() == Some("dG9rOmV1") => Reply::json(
            200,
            json!({
                "type": "admin",
                "id": "991267",
                "email": "ciara@initech.example",
                "name": "Ciara",
                "app": {"type": "app", "id_code": "eu7xk2qa", "name": "Initech EU"},
            }),
        ),
        (_, "/me") => Reply::json(
            401,
            json!({"type": "error.list", "errors": [{"code": "unauthorized", "message": "Access Token Invalid"}]}),
        ),
        _ => Reply::not_found(),
    }
}

async fn intercom_connects_a_workspace_in_the_region_the_end_user_chose(backend: Backend) {
    let r = rig(backend, intercom).await;
    r.connector("intercom").await;
    let link = r.link("intercom").await;

    // The region is one of three; anything else is refused on the form, before any redirect.
    let browser = client_with(Arc::new(Jar::default()));
    let refused = browser
        .post(r.a.app.url(&Api::path_of(&link)))
        .header("origin", &r.a.app.base)
        .form(&[("region", "api.evil.example")])
        .send()
        .await
        .expect("submit");
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.expect("page");
    assert!(page.contains("<select"), "the region is a select: {page}");
    assert!(r.sim.seen().is_empty(), "nothing was sent anywhere");

    let (browser, authorize) = r.start(&link, &[("region", "eu")]).await;
    assert_eq!(authorize.path(), "/oauth");
    let q = query(&authorize);
    assert_eq!(q["simulated_host"], "app.eu.intercom.com");
    assert_eq!(q["client_id"], CLIENT_ID);
    let (status, body) = r.callback(&browser, &authorize, "eu-code").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        r.sim.seen_at("/auth/eagle/token")[0].host,
        "api.eu.intercom.io"
    );

    let connection = r.only_connection().await;
    assert_eq!(connection["status"], "connected");
    assert_eq!(connection["account"], "ciara@initech.example");
    assert_eq!(connection["account_id"], "eu7xk2qa");
    assert_eq!(connection["connection_config"]["workspace_id"], "eu7xk2qa");
    assert_eq!(connection["connection_config"]["region"], "eu");
    assert_eq!(connection["api"]["base_url"], "https://api.eu.intercom.io");
    let creds = r.credentials(connection["id"].as_str().expect("id")).await;
    assert_eq!(creds["access_token"], "dG9rOmV1");
    assert!(creds["expires_at"].is_null(), "{creds}");
    assert!(creds["refresh_token"].is_null(), "{creds}");
    assert_eq!(creds["values"]["api_host"], "api.eu.intercom.io", "{creds}");
    r.a.app.cleanup().await;
}
