//! The core journey over HTTP: connectors, tenants, links, the Connect page, OAuth2 and
//! credential connections — and what must go wrong safely.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use app::api::connectors::{DeleteConnector, SaveConnector};
use app::api::links::{GenerateLink, RevokeLink};
use app::api::tenants::{CreateTenant, GetTenantDetails, ListTenants};
use app::domain::entities::{connect_link, connection, connector};
use app::domain::services::{connections, tenants};
use app::types::{ConnectionStatus, GeneratedLink, TenantDetails, TenantPage};
use reqwest::cookie::Jar;
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::helpers::{
    Backend, OWNER_EMAIL, OWNER_PASSWORD, TestApp, TestOptions, client_with, spawn_app_with,
};
use crate::mock_provider::{GOOD_API_KEY, MockProvider, TokenMode};
use crate::on_both_backends;

on_both_backends!(
    connectors_keep_their_secret_write_only_and_encrypted,
    tenants_are_listed_by_keyset_pages_and_searchable,
    unusable_links_all_get_the_same_answer,
    oauth_journey_connects_and_shows_the_green_check,
    oauth_callback_negatives_store_nothing,
    a_double_submitted_callback_makes_one_token_request,
    credential_form_validates_verifies_and_is_single_use,
    reconnect_keeps_the_connection_and_replaces_credentials,
    deleting_a_connector_with_connections_needs_confirmation,
    presets_fill_catalog_placeholders_and_are_validated,
);

struct Journey {
    app: TestApp,
    provider: MockProvider,
    tenant_id: String,
    oauth_connector: String,
    key_connector: String,
}

async fn journey(backend: Backend) -> Journey {
    journey_with(backend, TestOptions::default()).await
}

async fn journey_with(backend: Backend, options: TestOptions) -> Journey {
    let app = spawn_app_with(backend, options).await;
    assert!(app.setup_owner(OWNER_EMAIL, OWNER_PASSWORD).await.is_ok());
    let provider = MockProvider::start().await;
    let oauth = app
        .call::<SaveConnector>(&[
            ("provider", "generic_oauth2"),
            ("name", "Acme CRM (prod)"),
            ("key", ""),
            ("client_id", "test-client"),
            ("client_secret", "test-secret"),
            ("scopes", "read write"),
            ("authorization_url", &format!("{}/authorize", provider.base)),
            ("token_url", &format!("{}/token", provider.base)),
            ("identity_url", &format!("{}/me", provider.base)),
            ("identity_pointer", "/email"),
        ])
        .await;
    assert!(oauth.is_ok(), "{oauth:?}");
    let key = app
        .call::<SaveConnector>(&[
            ("provider", "generic_api_key"),
            ("name", "Acme API"),
            ("key", "acme-api"),
            ("verify_url", &format!("{}/verify", provider.base)),
        ])
        .await;
    assert!(key.is_ok(), "{key:?}");
    let tenant = app
        .call::<CreateTenant>(&[("name", "Globex"), ("external_id", "cus_42")])
        .await;
    assert!(tenant.is_ok(), "{tenant:?}");
    Journey {
        tenant_id: serde_json::from_str(&tenant.body).expect("id"),
        oauth_connector: serde_json::from_str(&oauth.body).expect("id"),
        key_connector: serde_json::from_str(&key.body).expect("id"),
        app,
        provider,
    }
}

impl Journey {
    async fn link(&self, connector: &str, single_use: bool) -> GeneratedLink {
        let response = self
            .app
            .call_json::<GenerateLink>(serde_json::json!({
                "tenant_id": self.tenant_id,
                "connector_id": connector,
                "expires_in_minutes": 60,
                "single_use": single_use,
                "note": "jane@globex.example",
                "presets": [],
            }))
            .await;
        assert!(response.is_ok(), "{response:?}");
        serde_json::from_str(&response.body).expect("link")
    }

    /// The path of a link URL (the tests talk to the bound port, not the public URL).
    fn path(link: &GeneratedLink) -> String {
        let url = url::Url::parse(&link.url).expect("url");
        url.path().to_owned()
    }

    async fn details(&self) -> TenantDetails {
        let response = self
            .app
            .call::<GetTenantDetails>(&[("id", &self.tenant_id)])
            .await;
        assert!(response.is_ok(), "{response:?}");
        serde_json::from_str(&response.body).expect("details")
    }

    async fn connection_count(&self) -> u64 {
        connection::Entity::find()
            .count(&self.app.state.db)
            .await
            .expect("count")
    }

    /// An end user's browser: its own cookies, never signed in.
    fn end_user(&self) -> (reqwest::Client, Arc<Jar>) {
        let jar = Arc::new(Jar::default());
        (client_with(jar.clone()), jar)
    }

    /// Starts the OAuth flow as `browser`; returns (state, PKCE challenge, authorization URL).
    async fn start(&self, browser: &reqwest::Client, path: &str) -> (String, String, url::Url) {
        let response = browser
            .post(self.app.url(path))
            .header("origin", &self.app.base)
            .form(&[("ignored_by_nobody", "x")][..0])
            .send()
            .await
            .expect("start");
        assert_eq!(response.status(), 303, "{:?}", response.text().await);
        let location = response.headers()["location"].to_str().expect("location");
        let url = url::Url::parse(location).expect("authorization url");
        let query: HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(query["response_type"], "code");
        assert_eq!(query["client_id"], "test-client");
        assert_eq!(query["code_challenge_method"], "S256");
        assert_eq!(query["redirect_uri"], "http://localhost/oauth/callback");
        assert_eq!(query["scope"], "read write");
        assert!(query["state"].len() >= 43, "state has 256 bits");
        (query["state"].clone(), query["code_challenge"].clone(), url)
    }

    /// Posts the Connect form of `link` as the end user's `browser`.
    async fn post_form(
        &self,
        browser: &reqwest::Client,
        link: &GeneratedLink,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        browser
            .post(self.app.url(&Journey::path(link)))
            .header("origin", &self.app.base)
            .form(fields)
            .send()
            .await
            .expect("post")
    }

    async fn callback(&self, browser: &reqwest::Client, query: &str) -> (u16, String) {
        let response = browser
            .get(self.app.url(&format!("/oauth/callback?{query}")))
            .send()
            .await
            .expect("callback");
        (
            response.status().as_u16(),
            response.text().await.expect("body"),
        )
    }
}

async fn connectors_keep_their_secret_write_only_and_encrypted(backend: Backend) {
    let j = journey(backend).await;
    let rows = connector::Entity::find()
        .all(&j.app.state.db)
        .await
        .expect("rows");
    let oauth = rows
        .iter()
        .find(|c| c.provider == "generic_oauth2")
        .expect("oauth connector");
    let sealed = oauth.client_secret.as_ref().expect("secret stored");
    assert!(
        !sealed.windows(11).any(|w| w == b"test-secret"),
        "the client secret is stored encrypted"
    );
    assert_eq!(oauth.key, "acme-crm-prod");
    let listed = j
        .app
        .call::<app::api::connectors::ListConnectors>(&[])
        .await;
    assert!(listed.is_ok());
    assert!(!listed.body.contains("test-secret"));
    assert!(listed.body.contains("\"has_client_secret\":true"));

    // Saving without a secret keeps the stored one.
    let saved = j
        .app
        .call::<SaveConnector>(&[
            ("id", &j.oauth_connector),
            ("provider", "generic_oauth2"),
            ("name", "Acme CRM (renamed)"),
            ("key", "acme-crm-prod"),
            ("client_id", "test-client"),
            ("client_secret", ""),
            (
                "authorization_url",
                &format!("{}/authorize", j.provider.base),
            ),
            ("token_url", &format!("{}/token", j.provider.base)),
        ])
        .await;
    assert!(saved.is_ok(), "{saved:?}");
    let after = connector::Entity::find_by_id(oauth.id)
        .one(&j.app.state.db)
        .await
        .expect("row")
        .expect("exists");
    assert_eq!(after.client_secret.as_ref(), Some(sealed));

    // A generic OAuth2 connector must have https endpoints (or loopback http).
    let bad = j
        .app
        .call::<SaveConnector>(&[
            ("provider", "generic_oauth2"),
            ("name", "Evil"),
            ("client_id", "x"),
            ("client_secret", "y"),
            ("authorization_url", "http://evil.example/authorize"),
            ("token_url", "javascript:alert(1)"),
        ])
        .await;
    assert_eq!(bad.status, 422, "{bad:?}");
    j.app.cleanup().await;
}

async fn tenants_are_listed_by_keyset_pages_and_searchable(backend: Backend) {
    let j = journey(backend).await;
    tenants::seed(
        &j.app.state.db,
        j.app.state.clock.as_ref(),
        j.app.production().await,
        "bulk",
        60,
    )
    .await
    .expect("seed");
    let page = |search: &str, sort: &str, cursor: Option<&str>| {
        let (search, sort, cursor) = (
            search.to_owned(),
            sort.to_owned(),
            cursor.map(str::to_owned),
        );
        let app = &j.app;
        async move {
            let mut fields = vec![("search", search.as_str()), ("sort", sort.as_str())];
            if let Some(c) = &cursor {
                fields.push(("cursor", c.as_str()));
            }
            let response = app.call::<ListTenants>(&fields).await;
            assert!(response.is_ok(), "{response:?}");
            serde_json::from_str::<TenantPage>(&response.body).expect("page")
        }
    };

    // 61 tenants (Globex + 60): pages of 25, 25, 11, in name order, no repeats.
    let mut seen = Vec::new();
    let first = page("", "name", None).await;
    assert!(first.prev.is_none());
    let mut current = first.clone();
    loop {
        seen.extend(current.rows.iter().map(|r| r.name.clone()));
        match &current.next {
            Some(next) => current = page("", "name", Some(next)).await,
            None => break,
        }
    }
    assert_eq!(seen.len(), 61);
    let mut sorted = seen.clone();
    sorted.sort_by_key(|s| s.to_lowercase());
    assert_eq!(seen, sorted);
    // Back from the last page lands on the same rows as going forward did.
    let back = page("", "name", current.prev.as_deref()).await;
    assert_eq!(back.rows.len(), 25);
    assert_eq!(back.rows[0].name, seen[25]);

    let found = page("GLOBEX", "name", None).await;
    assert_eq!(found.rows.len(), 1);
    assert_eq!(found.rows[0].external_id, "cus_42");
    let by_external = page("bulk-5", "name", None).await;
    assert!(
        by_external
            .rows
            .iter()
            .all(|r| r.external_id.starts_with("bulk-5"))
    );
    assert_eq!(by_external.rows.len(), 11, "bulk-5 and bulk-50..59");
    let wildcard = page("%", "name", None).await;
    assert!(wildcard.rows.is_empty(), "LIKE wildcards are literal");
    let garbage = page("", "name", Some("garbage!")).await;
    assert_eq!(garbage.rows, first.rows, "an unreadable cursor starts over");

    let newest = page("", "newest", None).await;
    assert_eq!(newest.rows.len(), 25);
    let mut all_newest = newest.rows.clone();
    let mut cursor = newest.next.clone();
    while let Some(c) = cursor {
        let p = page("", "newest", Some(&c)).await;
        all_newest.extend(p.rows.clone());
        cursor = p.next;
    }
    assert_eq!(all_newest.len(), 61);
    assert!(all_newest.windows(2).all(|w| w[0].id > w[1].id));

    let duplicate = j
        .app
        .call::<CreateTenant>(&[("name", "Other"), ("external_id", "cus_42")])
        .await;
    assert_eq!(duplicate.status, 409, "{duplicate:?}");
    j.app.cleanup().await;
}

async fn unusable_links_all_get_the_same_answer(backend: Backend) {
    let j = journey(backend).await;
    let (browser, _) = j.end_user();
    let get = |path: String| {
        let browser = browser.clone();
        let url = j.app.url(&path);
        async move {
            let r = browser.get(url).send().await.expect("get");
            (r.status().as_u16(), r.text().await.expect("body"))
        }
    };

    let live = j.link(&j.key_connector, true).await;
    let (status, body) = get(Journey::path(&live)).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("Globex") && body.contains("Acme API"),
        "{body}"
    );
    assert!(
        !body.contains("<script"),
        "the Connect page needs no JavaScript"
    );

    let unknown = get("/connect/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into()).await;
    assert_eq!(unknown.0, 404);

    let revoked = j.link(&j.key_connector, true).await;
    let id = connect_link::Entity::find()
        .all(&j.app.state.db)
        .await
        .expect("links")
        .into_iter()
        .max_by_key(|l| l.id)
        .expect("link")
        .id;
    assert!(
        j.app
            .call::<RevokeLink>(&[("id", &id.to_string())])
            .await
            .is_ok()
    );
    let revoked_answer = get(Journey::path(&revoked)).await;

    let expiring = j.link(&j.key_connector, true).await;
    j.app.clock.advance(time::Duration::minutes(61));
    let expired_answer = get(Journey::path(&expiring)).await;
    j.app.clock.advance(-time::Duration::minutes(61));

    let used = j.link(&j.key_connector, true).await;
    let submit = j
        .post_form(&browser, &used, &[("api_key", GOOD_API_KEY)])
        .await;
    assert_eq!(submit.status(), 200);
    let used_answer = get(Journey::path(&used)).await;

    for answer in [&revoked_answer, &expired_answer, &used_answer] {
        assert_eq!(
            answer, &unknown,
            "unknown, revoked, expired and used look the same"
        );
    }
    j.app.cleanup().await;
}

async fn oauth_journey_connects_and_shows_the_green_check(backend: Backend) {
    let j = journey(backend).await;
    let before = j.details().await;
    let row = before
        .connectors
        .iter()
        .find(|c| c.connector_id == j.oauth_connector)
        .expect("listed");
    assert_eq!(row.status, ConnectionStatus::NotConnected);

    let link = j.link(&j.oauth_connector, true).await;
    let (browser, _) = j.end_user();
    let page = browser
        .get(j.app.url(&Journey::path(&link)))
        .send()
        .await
        .expect("page");
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_owned();
    assert!(
        csp.contains(&format!("form-action 'self' {}", j.provider.base)),
        "{csp}"
    );
    let body = page.text().await.expect("body");
    assert!(body.contains("Continue to Acme CRM (prod)"), "{body}");
    assert!(body.contains("Acme CRM") && body.contains("Globex"));

    let (state, challenge, _) = j.start(&browser, &Journey::path(&link)).await;
    j.provider.issue_code("code-1", &challenge);
    let (status, body) = j
        .callback(&browser, &format!("code=code-1&state={state}"))
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("You're connected"));
    assert_eq!(j.provider.calls(), 1);

    let stored = connection::Entity::find()
        .one(&j.app.state.db)
        .await
        .expect("query")
        .expect("connection");
    assert!(
        !stored.credentials.windows(9).any(|w| w == b"at-code-1"),
        "encrypted"
    );
    match connections::open_credentials(&j.app.state, &stored).expect("decrypt") {
        connections::Credentials::OAuth2 {
            access_token,
            refresh_token,
            scopes,
            raw,
            expires_at,
            ..
        } => {
            assert_eq!(access_token, "at-code-1");
            assert_eq!(refresh_token.as_deref(), Some("rt-code-1"));
            assert_eq!(scopes, vec!["read", "write"]);
            assert_eq!(raw["instance_url"], "https://acme.example.com");
            assert!(expires_at.is_some());
        }
        other => panic!("unexpected credentials {other:?}"),
    }

    let after = j.details().await;
    let row = after
        .connectors
        .iter()
        .find(|c| c.connector_id == j.oauth_connector)
        .expect("listed");
    assert_eq!(row.status, ConnectionStatus::Connected);
    assert_eq!(row.account_label.as_deref(), Some("ada@customer.example"));
    assert!(row.has_connection);
    assert_eq!(row.links[0].status, app::types::LinkStatus::Completed);
    assert_eq!(after.tenant.connected_count, 1);
    // Tenant Details as a browser without JavaScript gets it: complete, nothing left to be
    // streamed into place by a script.
    let html = j
        .app
        .client
        .get(j.app.url(&format!("/tenants/{}", j.tenant_id)))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("body");
    assert!(html.contains("ada@customer.example"), "{html}");
    assert!(!html.contains("<template"), "rendered whole: {html}");

    // The same state again: refused, no second token request.
    let (status, _) = j
        .callback(&browser, &format!("code=code-1&state={state}"))
        .await;
    assert_eq!(status, 400);
    assert_eq!(j.provider.calls(), 1);
    j.app.cleanup().await;
}

async fn oauth_callback_negatives_store_nothing(backend: Backend) {
    let j = journey_with(
        backend,
        TestOptions {
            outbound_timeout: Some(Duration::from_millis(500)),
            ..TestOptions::default()
        },
    )
    .await;
    let link = j.link(&j.oauth_connector, true).await;
    let path = Journey::path(&link);
    let (browser, _) = j.end_user();

    // No state, unknown state.
    assert_eq!(j.callback(&browser, "code=x").await.0, 400);
    assert_eq!(j.callback(&browser, "code=x&state=nope").await.0, 400);

    // A state from another browser.
    let (state, challenge, _) = j.start(&browser, &path).await;
    j.provider.issue_code("c1", &challenge);
    let (other, _) = j.end_user();
    let (status, body) = j.callback(&other, &format!("code=c1&state={state}")).await;
    assert_eq!(status, 400);
    assert!(body.contains("another browser"), "{body}");

    // The provider says no: a clear page, the link stays usable, the admin sees why.
    let (state, _, _) = j.start(&browser, &path).await;
    let (status, body) = j
        .callback(&browser, &format!("error=access_denied&state={state}"))
        .await;
    assert_eq!(status, 400);
    assert!(body.contains("Access was not granted"), "{body}");
    let details = j.details().await;
    let row = details
        .connectors
        .iter()
        .find(|c| c.connector_id == j.oauth_connector)
        .expect("row");
    assert_eq!(row.status, ConnectionStatus::Error);

    // An `iss` naming another server (RFC 9207 mix-up defence).
    let (state, challenge, _) = j.start(&browser, &path).await;
    j.provider.issue_code("c2", &challenge);
    let (status, _) = j
        .callback(
            &browser,
            &format!("code=c2&state={state}&iss=https%3A%2F%2Fevil.example"),
        )
        .await;
    assert_eq!(status, 400);

    // A refused, a malformed and a hanging token response.
    for mode in [TokenMode::Refuse, TokenMode::Malformed, TokenMode::Hang] {
        j.provider.set_mode(mode);
        let (state, challenge, _) = j.start(&browser, &path).await;
        j.provider.issue_code("c3", &challenge);
        let (status, body) = j
            .callback(&browser, &format!("code=c3&state={state}"))
            .await;
        assert_eq!(status, 400, "{mode:?}: {body}");
    }
    assert_eq!(j.connection_count().await, 0, "nothing was stored");

    // A flow older than its lifetime.
    j.provider.set_mode(TokenMode::Ok);
    let (state, challenge, _) = j.start(&browser, &path).await;
    j.provider.issue_code("c4", &challenge);
    j.app.clock.advance(time::Duration::minutes(16));
    assert_eq!(
        j.callback(&browser, &format!("code=c4&state={state}"))
            .await
            .0,
        400
    );
    assert_eq!(j.connection_count().await, 0);
    j.app.cleanup().await;
}

async fn a_double_submitted_callback_makes_one_token_request(backend: Backend) {
    let j = journey(backend).await;
    let link = j.link(&j.oauth_connector, true).await;
    let (browser, _) = j.end_user();
    let (state, challenge, _) = j.start(&browser, &Journey::path(&link)).await;
    j.provider.issue_code("dup", &challenge);
    let query = format!("code=dup&state={state}");
    let results = futures::future::join_all((0..5).map(|_| j.callback(&browser, &query))).await;
    let ok = results.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!(ok, 1, "{results:?}");
    assert_eq!(j.provider.calls(), 1);
    assert_eq!(j.connection_count().await, 1);
    j.app.cleanup().await;
}

async fn credential_form_validates_verifies_and_is_single_use(backend: Backend) {
    let j = journey(backend).await;
    let link = j.link(&j.key_connector, true).await;
    let path = Journey::path(&link);
    let (browser, _) = j.end_user();
    let post = |fields: Vec<(String, String)>| {
        let browser = browser.clone();
        let url = j.app.url(&path);
        let origin = j.app.base.clone();
        async move {
            let r = browser
                .post(url)
                .header("origin", origin)
                .form(&fields)
                .send()
                .await
                .expect("post");
            (r.status().as_u16(), r.text().await.expect("body"))
        }
    };
    let f = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<Vec<_>>()
    };

    let (status, body) = post(f(&[])).await;
    assert_eq!(status, 422);
    assert!(body.contains("Enter the API key"), "{body}");

    // The tenant and connector come from the link, never from the form.
    let (status, body) = post(f(&[
        ("api_key", GOOD_API_KEY),
        ("tenant_id", "00000000-0000-0000-0000-000000000000"),
    ]))
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("not a field of this form"), "{body}");

    let huge = "k".repeat(5000);
    assert_eq!(post(f(&[("api_key", &huge)])).await.0, 422);
    assert_eq!(post(f(&[("api_key", "has space")])).await.0, 422);

    let (status, body) = post(f(&[("api_key", "sk-wrong-key")])).await;
    assert_eq!(status, 422);
    assert!(body.contains("did not accept these credentials"), "{body}");
    assert!(
        !body.contains("sk-wrong-key"),
        "a secret is not echoed back"
    );
    assert_eq!(j.connection_count().await, 0);
    // The admin sees the failure as a code, which the page puts into words.
    let details = j.details().await;
    let row = details
        .connectors
        .iter()
        .find(|c| c.connector_id == j.key_connector)
        .expect("row");
    assert_eq!(row.status, ConnectionStatus::Error);
    assert_eq!(row.last_error.as_deref(), Some("credentials_rejected"));

    // Two simultaneous good submissions of a single-use link: one connection, one success.
    let (a, b) = tokio::join!(
        post(f(&[("api_key", GOOD_API_KEY)])),
        post(f(&[("api_key", GOOD_API_KEY)]))
    );
    let successes = [a.0, b.0].iter().filter(|s| **s == 200).count();
    assert_eq!(successes, 1, "{a:?} {b:?}");
    assert_eq!(j.connection_count().await, 1);
    let details = j.details().await;
    let row = details
        .connectors
        .iter()
        .find(|c| c.connector_id == j.key_connector)
        .expect("row");
    assert_eq!(row.status, ConnectionStatus::Connected);
    assert_eq!(row.account_label, None, "no identity URL configured");
    j.app.cleanup().await;
}

async fn reconnect_keeps_the_connection_and_replaces_credentials(backend: Backend) {
    let j = journey(backend).await;
    let (browser, _) = j.end_user();
    let mut ids = Vec::new();
    for code in ["first", "second"] {
        let link = j.link(&j.oauth_connector, true).await;
        let (state, challenge, _) = j.start(&browser, &Journey::path(&link)).await;
        j.provider.issue_code(code, &challenge);
        let (status, body) = j
            .callback(&browser, &format!("code={code}&state={state}"))
            .await;
        assert_eq!(status, 200, "{body}");
        let stored = connection::Entity::find()
            .all(&j.app.state.db)
            .await
            .expect("rows");
        assert_eq!(stored.len(), 1);
        ids.push(stored[0].id);
        match connections::open_credentials(&j.app.state, &stored[0]).expect("decrypt") {
            connections::Credentials::OAuth2 { access_token, .. } => {
                assert_eq!(access_token, format!("at-{code}"));
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        ids[0], ids[1],
        "a reconnect keeps the connection's identity"
    );
    // Announced as created, then updated (the connection worked all along).
    let mut announced: Vec<String> = app::domain::entities::event::Entity::find()
        .all(&j.app.state.db)
        .await
        .expect("events")
        .into_iter()
        .map(|e| e.event_type)
        .filter(|t| t.starts_with("connection."))
        .collect();
    announced.sort();
    assert_eq!(announced, ["connection.created", "connection.updated"]);
    j.app.cleanup().await;
}

async fn deleting_a_connector_with_connections_needs_confirmation(backend: Backend) {
    let j = journey(backend).await;
    let link = j.link(&j.key_connector, true).await;
    let (browser, _) = j.end_user();
    let r = j
        .post_form(&browser, &link, &[("api_key", GOOD_API_KEY)])
        .await;
    assert_eq!(r.status(), 200);

    let refused = j
        .app
        .call::<DeleteConnector>(&[("id", &j.key_connector), ("delete_connections", "false")])
        .await;
    assert_eq!(refused.status, 409, "{refused:?}");
    assert_eq!(j.connection_count().await, 1);
    let confirmed = j
        .app
        .call::<DeleteConnector>(&[("id", &j.key_connector), ("delete_connections", "true")])
        .await;
    assert!(confirmed.is_ok(), "{confirmed:?}");
    assert_eq!(j.connection_count().await, 0);
    // The link went with it.
    let gone = browser
        .get(j.app.url(&Journey::path(&link)))
        .send()
        .await
        .expect("get");
    assert_eq!(gone.status(), 404);
    j.app.cleanup().await;
}

async fn presets_fill_catalog_placeholders_and_are_validated(backend: Backend) {
    let j = journey(backend).await;
    let zendesk = j
        .app
        .call::<SaveConnector>(&[
            ("provider", "zendesk"),
            ("name", "Zendesk"),
            ("client_id", "zd-client"),
            ("client_secret", "zd-secret"),
        ])
        .await;
    assert!(zendesk.is_ok(), "{zendesk:?}");
    let zendesk: String = serde_json::from_str(&zendesk.body).expect("id");
    let generate = |presets: serde_json::Value| {
        j.app.call_json::<GenerateLink>(serde_json::json!({
            "tenant_id": j.tenant_id,
            "connector_id": zendesk,
            "expires_in_minutes": 60,
            "single_use": true,
            "note": "",
            "presets": presets,
        }))
    };
    // A preset that would change the provider's host, or one for a field that does not exist.
    for bad in [
        serde_json::json!([["subdomain", "evil.com/x"]]),
        serde_json::json!([["client_secret", "x"]]),
    ] {
        let response = generate(bad).await;
        assert_eq!(response.status, 422, "{response:?}");
    }
    let (browser, _) = j.end_user();

    // Without a preset the end user is asked for the subdomain, and the page may post to any
    // Zendesk subdomain but nowhere else.
    let open: GeneratedLink =
        serde_json::from_str(&generate(serde_json::json!([])).await.body).expect("link");
    let page = browser
        .get(j.app.url(&Journey::path(&open)))
        .send()
        .await
        .expect("page");
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_owned();
    assert!(
        csp.contains("form-action 'self' https://*.zendesk.com;"),
        "{csp}"
    );
    assert!(
        page.text()
            .await
            .expect("body")
            .contains("Zendesk subdomain")
    );
    let response = j
        .post_form(&browser, &open, &[("subdomain", "evil.com/x")])
        .await;
    assert_eq!(response.status(), 422);

    // With the preset, the button goes straight to that tenant's Zendesk.
    let preset: GeneratedLink = serde_json::from_str(
        &generate(serde_json::json!([["subdomain", "acme"]]))
            .await
            .body,
    )
    .expect("link");
    // A form field cannot override the admin's preset.
    let response = j
        .post_form(&browser, &preset, &[("subdomain", "other")])
        .await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().expect("location");
    assert!(
        location.starts_with("https://acme.zendesk.com/oauth/authorizations/new?"),
        "{location}"
    );
    j.app.cleanup().await;
}
