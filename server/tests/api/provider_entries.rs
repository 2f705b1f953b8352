//! The rest of the built-in OAuth2 entries against simulators of their providers, and every
//! credential entry against its provider's check, each answering the way the provider's own
//! documentation says (the entry's `docs`). The entries are loaded as they ship; only the
//! origin is rewritten.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::Engine;
use reqwest::cookie::Jar;
use serde_json::{Value, json};
use sha2::Digest;

use crate::helpers::{Backend, client_with};
use crate::on_both_backends;
use crate::providers::{CLIENT_ID, CLIENT_SECRET, Rig, query, rig};
use crate::rest::Api;
use crate::simulator::{Reply, Seen};

on_both_backends!(
    airtable_requires_pkce_and_takes_the_client_by_basic,
    asana_names_the_user_in_the_token_answer,
    atlassian_takes_json_and_pins_the_cloud_site,
    box_rotates_its_refresh_token,
    github_errors_come_with_http_200,
    google_keeps_the_refresh_token_a_refresh_answer_omits,
    hubspot_names_the_portal_through_the_token_itself,
    linear_pins_the_organisation_from_graphql,
    microsoft_uses_the_directory_the_end_user_names,
    notion_gets_json_with_basic_and_pins_the_workspace,
    xero_sends_the_tenant_header_and_rotates,
    zendesk_asks_for_expiring_tokens_on_the_subdomain,
    zoom_takes_basic_and_rotates,
    credential_entries_are_checked_with_their_providers,
);

fn form(s: &Seen, name: &str) -> Option<String> {
    s.form.get(name).cloned()
}

fn json_body(s: &Seen) -> Value {
    serde_json::from_str(&s.body).unwrap_or(Value::Null)
}

fn client_in_body(s: &Seen) -> bool {
    form(s, "client_id").as_deref() == Some(CLIENT_ID)
        && form(s, "client_secret").as_deref() == Some(CLIENT_SECRET)
}

fn client_by_basic(s: &Seen) -> bool {
    s.basic() == Some((CLIENT_ID.to_owned(), CLIENT_SECRET.to_owned()))
        && !s.form.contains_key("client_secret")
}

fn invalid_client() -> Reply {
    Reply::json(401, json!({"error": "invalid_client"}))
}

fn invalid_grant() -> Reply {
    Reply::json(400, json!({"error": "invalid_grant"}))
}

/// One connection through `provider`'s entry: link, start with `fields`, callback with `code`.
async fn connect(r: &Rig, provider: &str, fields: &[(&str, &str)], code: &str) -> Value {
    r.connector(provider).await;
    let link = r.link(provider).await;
    let (browser, authorize) = r.start(&link, fields).await;
    let (status, body) = r.callback(&browser, &authorize, code).await;
    assert_eq!(status, 200, "{body}");
    r.only_connection().await
}

fn id(connection: &Value) -> String {
    connection["id"].as_str().expect("id").to_owned()
}

/// Airtable (airtable.com/developers, OAuth reference): PKCE with S256 is mandatory, a
/// confidential client authenticates by HTTP Basic, access tokens live an hour and refresh
/// tokens are single-use.
fn airtable(s: &Seen) -> Reply {
    match (s.host.as_str(), s.path.as_str()) {
        ("airtable.com", "/oauth2/v1/token") => {
            if !client_by_basic(s) {
                return invalid_client();
            }
            let (token, refresh) = match form(s, "grant_type").as_deref() {
                Some("authorization_code") if s.form.contains_key("code_verifier") => {
                    ("at-1", "rt-1")
                }
                Some("refresh_token") if form(s, "refresh_token").as_deref() == Some("rt-1") => {
                    ("at-2", "rt-2")
                }
                _ => return invalid_grant(),
            };
            Reply::json(
                200,
                json!({"access_token": token, "refresh_token": refresh, "token_type": "Bearer",
                       "scope": "data.records:read schema.bases:read user.email:read",
                       "expires_in": 3600, "refresh_expires_in": 5_184_000}),
            )
        }
        ("api.airtable.com", "/v0/meta/whoami") if s.bearer().is_some() => Reply::json(
            200,
            json!({"id": "usrL2PNC5o3H4lBEi", "email": "ada@acme.example"}),
        ),
        _ => Reply::not_found(),
    }
}

async fn airtable_requires_pkce_and_takes_the_client_by_basic(backend: Backend) {
    let r = rig(backend, airtable).await;
    r.connector("airtable").await;
    let link = r.link("airtable").await;
    let (browser, authorize) = r.start(&link, &[]).await;
    let q = query(&authorize);
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(r.callback(&browser, &authorize, "c").await.0, 200);
    let exchange = &r.sim.seen_at("/oauth2/v1/token")[0];
    let digest = sha2::Sha256::digest(exchange.form["code_verifier"].as_bytes());
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
    assert_eq!(
        q["code_challenge"], challenge,
        "the verifier belongs to the challenge"
    );
    let connection = r.only_connection().await;
    assert_eq!(connection["account"], "ada@acme.example");
    assert_eq!(connection["api"]["base_url"], "https://api.airtable.com/v0");

    r.a.app.clock.advance(time::Duration::minutes(61));
    let creds = r.credentials(&id(&connection)).await;
    assert_eq!(creds["access_token"], "at-2");
    assert_eq!(
        creds["refresh_token"], "rt-2",
        "the single-use refresh token was replaced"
    );
    r.a.app.cleanup().await;
}

/// Asana (developers.asana.com, OAuth): client credentials in the body; the token answer also
/// names the user under `data`; `/users/me` wraps the user in `data` too.
fn asana(s: &Seen) -> Reply {
    match (s.host.as_str(), s.path.as_str()) {
        ("app.asana.com", "/-/oauth_token") if client_in_body(s) => Reply::json(
            200,
            json!({"access_token": "asana-1", "expires_in": 3600, "token_type": "bearer",
                   "refresh_token": "asana-r",
                   "data": {"id": 4673218951_u64, "gid": "4673218951", "name": "Ada", "email": "ada@acme.example"}}),
        ),
        ("app.asana.com", "/-/oauth_token") => invalid_client(),
        ("app.asana.com", "/api/1.0/users/me") if s.bearer() == Some("asana-1") => Reply::json(
            200,
            json!({"data": {"gid": "4673218951", "email": "ada@acme.example", "name": "Ada"}}),
        ),
        _ => Reply::not_found(),
    }
}

async fn asana_names_the_user_in_the_token_answer(backend: Backend) {
    let r = rig(backend, asana).await;
    let connection = connect(&r, "asana", &[], "c").await;
    assert_eq!(connection["account"], "ada@acme.example");
    let creds = r.credentials(&id(&connection)).await;
    assert_eq!(creds["raw"]["data"]["gid"], "4673218951", "{creds}");
    assert_eq!(creds["api"]["headers"]["Authorization"], "Bearer asana-1");
    r.a.app.cleanup().await;
}

/// Atlassian (developer.atlassian.com, OAuth 2.0 3LO): the token request is a JSON object, the
/// authorization names `audience=api.atlassian.com` and `prompt=consent`, refresh tokens rotate,
/// and `accessible-resources` lists the sites a token reaches, each with its cloud id.
fn atlassian(s: &Seen) -> Reply {
    match (s.host.as_str(), s.path.as_str()) {
        ("auth.atlassian.com", "/oauth/token") => {
            let b = json_body(s);
            if s.headers.get("content-type").map(String::as_str) != Some("application/json")
                || b["client_id"] != CLIENT_ID
                || b["client_secret"] != CLIENT_SECRET
            {
                return Reply::json(401, json!({"error": "access_denied"}));
            }
            let (token, refresh) = match (b["grant_type"].as_str(), b["refresh_token"].as_str()) {
                (Some("authorization_code"), _) if b["code"] == "c" => ("atl-1", "atl-r1"),
                (Some("refresh_token"), Some("atl-r1")) => ("atl-2", "atl-r2"),
                _ => return Reply::json(403, json!({"error": "unauthorized_client"})),
            };
            Reply::json(
                200,
                json!({"access_token": token, "refresh_token": refresh, "expires_in": 3600,
                       "scope": "read:jira-work read:jira-user read:me offline_access", "token_type": "Bearer"}),
            )
        }
        ("api.atlassian.com", "/oauth/token/accessible-resources") if s.bearer().is_some() => {
            Reply::json(
                200,
                json!([{"id": "1324a887-45db-1bf4-1e99-ef0ff456d421", "url": "https://acme.atlassian.net",
                        "name": "acme", "scopes": ["read:jira-work"], "avatarUrl": "https://x.example/a.png"}]),
            )
        }
        _ => Reply::not_found(),
    }
}

async fn atlassian_takes_json_and_pins_the_cloud_site(backend: Backend) {
    let r = rig(backend, atlassian).await;
    r.connector("atlassian").await;
    let link = r.link("atlassian").await;
    let (browser, authorize) = r.start(&link, &[]).await;
    let q = query(&authorize);
    assert_eq!(
        (q["audience"].as_str(), q["prompt"].as_str()),
        ("api.atlassian.com", "consent")
    );
    assert!(q["scope"].split(' ').any(|s| s == "read:me"), "{q:?}");
    assert_eq!(r.callback(&browser, &authorize, "c").await.0, 200);
    let connection = r.only_connection().await;
    let cloud = "1324a887-45db-1bf4-1e99-ef0ff456d421";
    assert_eq!(connection["account_id"], cloud);
    assert_eq!(
        connection["connection_config"]["site_url"],
        "https://acme.atlassian.net"
    );
    assert_eq!(
        connection["api"]["base_url"],
        format!("https://api.atlassian.com/ex/jira/{cloud}")
    );
    r.a.app.clock.advance(time::Duration::minutes(61));
    let creds = r.credentials(&id(&connection)).await;
    assert_eq!(
        (
            creds["access_token"].as_str(),
            creds["refresh_token"].as_str()
        ),
        (Some("atl-2"), Some("atl-r2"))
    );
    r.a.app.cleanup().await;
}

/// Box (developer.box.com, OAuth 2.0): client credentials in the body; a refresh token can be
/// used once and each refresh answers a new one.
fn box_api(s: &Seen) -> Reply {
    match (s.host.as_str(), s.path.as_str()) {
        ("api.box.com", "/oauth2/token") if client_in_body(s) => {
            let (token, refresh) = match (
                form(s, "grant_type").as_deref(),
                form(s, "refresh_token").as_deref(),
            ) {
                (Some("authorization_code"), _) => ("box-1", "box-r1"),
                (Some("refresh_token"), Some("box-r1")) => ("box-2", "box-r2"),
                _ => {
                    return Reply::json(
                        400,
                        json!({"error": "invalid_grant", "error_description": "Invalid refresh token"}),
                    );
                }
            };
            Reply::json(
                200,
                json!({"access_token": token, "expires_in": 3600, "restricted_to": [],
                       "refresh_token": refresh, "token_type": "bearer"}),
            )
        }
        ("api.box.com", "/2.0/users/me") if s.bearer().is_some() => Reply::json(
            200,
            json!({"type": "user", "id": "11446498", "login": "ada@acme.example"}),
        ),
        _ => Reply::not_found(),
    }
}

async fn box_rotates_its_refresh_token(backend: Backend) {
    let r = rig(backend, box_api).await;
    let connection = connect(&r, "box", &[], "c").await;
    assert_eq!(connection["account"], "ada@acme.example");
    r.a.app.clock.advance(time::Duration::minutes(61));
    let creds = r.credentials(&id(&connection)).await;
    assert_eq!(creds["refresh_token"], "box-r2");
    // The used refresh token is gone: the next refresh sends the new one.
    r.a.app.clock.advance(time::Duration::minutes(61));
    let (status, body) =
        r.a.get(&format!(
            "/api/v1/connections/{}/credentials",
            id(&connection)
        ))
        .await;
    let refreshes = r.sim.seen_at("/oauth2/token");
    assert_eq!(
        refreshes
            .last()
            .and_then(|s| s.form.get("refresh_token"))
            .map(String::as_str),
        Some("box-r2")
    );
    assert_eq!(
        status, 409,
        "box-r2 is unknown to this simulator, so the grant is final: {body}"
    );
    r.a.app.cleanup().await;
}

/// GitHub (docs.github.com, authorizing OAuth apps): the token endpoint answers form-encoded
/// unless asked for JSON, and a bad code is answered with HTTP 200 and an `error`; the REST API
/// refuses requests without a User-Agent.
fn github(s: &Seen) -> Reply {
    match (s.host.as_str(), s.path.as_str()) {
        ("github.com", "/login/oauth/access_token") => {
            if !client_in_body(s) {
                return Reply::json(200, json!({"error": "incorrect_client_credentials"}));
            }
            if form(s, "code").as_deref() != Some("good") {
                return Reply::json(
                    200,
                    json!({"error": "bad_verification_code", "error_description": "The code passed is incorrect or expired.",
                           "error_uri": "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code"}),
                );
            }
            if s.headers.get("accept").map(String::as_str) == Some("application/json") {
                Reply::json(
                    200,
                    json!({"access_token": "gho_1", "scope": "repo,read:user", "token_type": "bearer"}),
                )
            } else {
                Reply {
                    status: 200,
                    content_type: "application/x-www-form-urlencoded",
                    body: b"access_token=gho_1&scope=repo%2Cread%3Auser&token_type=bearer".to_vec(),
                }
            }
        }
        ("api.github.com", "/user") => match (s.bearer(), s.headers.get("user-agent")) {
            (_, None) => Reply::json(
                403,
                json!({"message": "Request forbidden by administrative rules."}),
            ),
            (Some("gho_1"), Some(_)) => Reply::json(200, json!({"login": "octocat", "id": 1})),
            _ => Reply::json(401, json!({"message": "Bad credentials"})),
        },
        _ => Reply::not_found(),
    }
}

async fn github_errors_come_with_http_200(backend: Backend) {
    let r = rig(backend, github).await;
    r.connector("github").await;
    let link = r.link("github").await;
    let (browser, authorize) = r.start(&link, &[]).await;
    let (status, body) = r.callback(&browser, &authorize, "stale").await;
    assert_eq!(status, 400, "{body}");
    let (_, page) = r.a.get("/api/v1/connections").await;
    assert_eq!(
        page["data"],
        json!([]),
        "nothing stored from an HTTP 200 error"
    );

    let link = r.link("github").await;
    let (browser, authorize) = r.start(&link, &[]).await;
    assert_eq!(r.callback(&browser, &authorize, "good").await.0, 200);
    let connection = r.only_connection().await;
    assert_eq!(connection["account"], "octocat");
    assert_eq!(connection["scopes"], json!(["repo", "read:user"]));
    assert_eq!(
        connection["api"]["headers"]["Accept"],
        "application/vnd.github+json"
    );
    let (status, body) =
        r.a.post(
            &format!("/api/v1/connections/{}/refresh", id(&connection)),
            json!({}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("not_refreshable")),
        "{body}"
    );
    r.a.app.cleanup().await;
}

/// Google (developers.google.com, web server apps): `access_type=offline` and `prompt=consent`
/// for a refresh token; the callback carries `iss`; a refresh answer has no refresh token, which
/// stays valid.
fn google(s: &Seen) -> Reply {
    match (s.host.as_str(), s.path.as_str()) {
        ("oauth2.googleapis.com", "/token") if client_in_body(s) => {
            match form(s, "grant_type").as_deref() {
                Some("authorization_code") => Reply::json(
                    200,
                    json!({"access_token": "ya29.a", "expires_in": 3599, "refresh_token": "1//g-r",
                           "scope": "openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile",
                           "token_type": "Bearer", "id_token": "eyJ.e30.sig"}),
                ),
                Some("refresh_token") if form(s, "refresh_token").as_deref() == Some("1//g-r") => {
                    Reply::json(
                        200,
                        json!({"access_token": "ya29.b", "expires_in": 3599, "token_type": "Bearer",
                                            "scope": "openid"}),
                    )
                }
                _ => invalid_grant(),
            }
        }
        ("openidconnect.googleapis.com", "/v1/userinfo") if s.bearer().is_some() => Reply::json(
            200,
            json!({"sub": "1057", "email": "ada@acme.example", "email_verified": true}),
        ),
        _ => Reply::not_found(),
    }
}

async fn google_keeps_the_refresh_token_a_refresh_answer_omits(backend: Backend) {
    let r = rig(backend, google).await;
    r.connector("google").await;
    let link = r.link("google").await;
    // The entry names Google's issuer, so an answer without `iss` is not Google's (RFC 9207).
    let (browser, authorize) = r.start(&link, &[]).await;
    let (status, body) = r.callback_with(&browser, &authorize, "c", "").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(r.sim.seen_at("/token").len(), 0, "no code was spent");
    let (browser, authorize) = r.start(&link, &[]).await;
    let q = query(&authorize);
    assert_eq!(
        (q["access_type"].as_str(), q["prompt"].as_str()),
        ("offline", "consent")
    );
    let (status, body) = r
        .callback_with(
            &browser,
            &authorize,
            "c",
            "&iss=https%3A%2F%2Faccounts.google.com",
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let connection = r.only_connection().await;
    assert_eq!(connection["account"], "ada@acme.example");
    r.a.app.clock.advance(time::Duration::hours(1));
    let creds = r.credentials(&id(&connection)).await;
    assert_eq!(creds["access_token"], "ya29.b");
    assert_eq!(creds["refresh_token"], "1//g-r");
    r.a.app.cleanup().await;
}

/// HubSpot (developers.hubspot.com, OAuth quickstart): client credentials in the form; tokens
/// live 30 minutes; `GET /oauth/v1/access-tokens/{token}` names the portal (`hub_id`).
fn hubspot(s: &Seen) -> Reply {
    match (s.host.as_str(), s.path.as_str()) {
        ("api.hubapi.com", "/oauth/v1/token") if client_in_body(s) => Reply::json(
            200,
            json!({"token_type": "bearer", "refresh_token": "hs-r", "access_token": "hs-1", "expires_in": 1800}),
        ),
        ("api.hubapi.com", "/oauth/v1/access-tokens/hs-1") => Reply::json(
            200,
            json!({"token": "hs-1", "user": "ada@acme.example", "hub_domain": "acme.com", "hub_id": 62515,
                   "app_id": 456, "expires_in": 1795, "user_id": 123, "token_type": "access"}),
        ),
        _ => Reply::not_found(),
    }
}

async fn hubspot_names_the_portal_through_the_token_itself(backend: Backend) {
    let r = rig(backend, hubspot).await;
    let connection = connect(&r, "hubspot", &[], "c").await;
    assert_eq!(connection["account"], "acme.com");
    assert_eq!(connection["account_id"], "62515");
    assert_eq!(connection["connection_config"]["portal_id"], "62515");
    r.a.app.cleanup().await;
}

/// Linear (developers.linear.app, OAuth 2.0): scopes joined by commas; the identity is a
/// GraphQL query sent as JSON; the viewer's organisation is the account.
fn linear(s: &Seen) -> Reply {
    match (s.host.as_str(), s.path.as_str()) {
        ("api.linear.app", "/oauth/token") if client_in_body(s) => Reply::json(
            200,
            json!({"access_token": "lin_oauth_1", "token_type": "Bearer", "expires_in": 86399,
                   "scope": "read", "refresh_token": "lin_r"}),
        ),
        // Revoking takes the access token as bearer, with no body.
        ("api.linear.app", "/oauth/revoke")
            if s.bearer() == Some("lin_oauth_1") && s.body.is_empty() =>
        {
            Reply::json(200, json!({"success": true}))
        }
        ("api.linear.app", "/oauth/revoke") => {
            Reply::json(400, json!({"error": "invalid_request"}))
        }
        ("api.linear.app", "/graphql") => {
            let asked = json_body(s)["query"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            if s.bearer() != Some("lin_oauth_1") || !asked.contains("viewer") {
                return Reply::json(
                    400,
                    json!({"errors": [{"message": "Authentication required"}]}),
                );
            }
            Reply::json(
                200,
                json!({"data": {"viewer": {"id": "u-7", "name": "Ada", "email": "ada@acme.example",
                                           "organization": {"id": "org-42", "name": "Acme"}}}}),
            )
        }
        _ => Reply::not_found(),
    }
}

async fn linear_pins_the_organisation_from_graphql(backend: Backend) {
    let r = rig(backend, linear).await;
    let connection = connect(&r, "linear", &[], "c").await;
    assert_eq!(connection["account"], "ada@acme.example");
    assert_eq!(connection["account_id"], "org-42");
    assert_eq!(connection["connection_config"]["user_id"], "u-7");
    let graphql = &r.sim.seen_at("/graphql")[0];
    assert_eq!(graphql.headers["content-type"], "application/json");
    let path = format!("/api/v1/connections/{}", id(&connection));
    assert_eq!(r.a.delete(&path).await, 204);
    let revoke = r.sim.seen_at("/oauth/revoke");
    assert_eq!(revoke.len(), 1);
    assert_eq!(revoke[0].bearer(), Some("lin_oauth_1"));
    assert!(revoke[0].body.is_empty(), "{:?}", revoke[0].body);
    r.a.app.cleanup().await;
}

/// Microsoft identity platform (learn.microsoft.com, v2.0 auth code flow): endpoints under the
/// directory (`common`, a tenant id or domain); refresh tokens are replaced on every refresh.
fn microsoft(s: &Seen) -> Reply {
    match (s.host.as_str(), s.path.as_str()) {
        ("login.microsoftonline.com", "/contoso.onmicrosoft.com/oauth2/v2.0/token")
            if client_in_body(s) =>
        {
            let next = match form(s, "grant_type").as_deref() {
                Some("authorization_code") => ("ms-1", "ms-r1"),
                Some("refresh_token") => ("ms-2", "ms-r2"),
                _ => return invalid_grant(),
            };
            Reply::json(
                200,
                json!({"token_type": "Bearer", "scope": "User.Read offline_access", "expires_in": 3599,
                       "ext_expires_in": 3599, "access_token": next.0, "refresh_token": next.1}),
            )
        }
        ("graph.microsoft.com", "/v1.0/me") if s.bearer().is_some() => Reply::json(
            200,
            json!({"userPrincipalName": "ada@contoso.onmicrosoft.com", "id": "87d3"}),
        ),
        _ => Reply::not_found(),
    }
}

async fn microsoft_uses_the_directory_the_end_user_names(backend: Backend) {
    let r = rig(backend, microsoft).await;
    r.connector("microsoft").await;
    let link = r.link("microsoft").await;
    let (browser, authorize) = r
        .start(&link, &[("directory", "contoso.onmicrosoft.com")])
        .await;
    assert_eq!(
        authorize.path(),
        "/contoso.onmicrosoft.com/oauth2/v2.0/authorize"
    );
    assert_eq!(r.callback(&browser, &authorize, "c").await.0, 200);
    let connection = r.only_connection().await;
    assert_eq!(connection["account"], "ada@contoso.onmicrosoft.com");
    r.a.app.clock.advance(time::Duration::hours(1));
    let creds = r.credentials(&id(&connection)).await;
    assert_eq!(creds["refresh_token"], "ms-r2");
    r.a.app.cleanup().await;
}

/// Notion (developers.notion.com, create a token): HTTP Basic client credentials and a JSON
/// body; the answer names the workspace and the bot; every API call sends `Notion-Version`.
fn notion(s: &Seen) -> Reply {
    match (s.host.as_str(), s.path.as_str()) {
        ("api.notion.com", "/v1/oauth/token") => {
            let b = json_body(s);
            if s.basic() != Some((CLIENT_ID.into(), CLIENT_SECRET.into()))
                || b["grant_type"] != "authorization_code"
            {
                return Reply::json(400, json!({"error": "invalid_request"}));
            }
            Reply::json(
                200,
                json!({"access_token": "ntn_1", "token_type": "bearer", "bot_id": "b-1",
                       "workspace_name": "Acme HQ", "workspace_id": "w-9", "owner": {"type": "user"}}),
            )
        }
        ("api.notion.com", "/v1/users/me") => {
            if !s.headers.contains_key("notion-version") {
                return Reply::json(400, json!({"object": "error", "code": "missing_version"}));
            }
            Reply::json(
                200,
                json!({"object": "user", "id": "b-1", "type": "bot", "name": "Sync",
                                    "bot": {"workspace_name": "Acme HQ"}}),
            )
        }
        _ => Reply::not_found(),
    }
}

async fn notion_gets_json_with_basic_and_pins_the_workspace(backend: Backend) {
    let r = rig(backend, notion).await;
    let connection = connect(&r, "notion", &[], "c").await;
    assert_eq!(connection["account"], "Acme HQ");
    assert_eq!(connection["account_id"], "w-9");
    assert_eq!(connection["api"]["headers"]["Notion-Version"], "2022-06-28");
    let exchange = &r.sim.seen_at("/v1/oauth/token")[0];
    assert_eq!(json_body(exchange)["code"], "c");
    assert!(
        json_body(exchange).get("client_secret").is_none(),
        "the secret only in Basic"
    );
    r.a.app.cleanup().await;
}

/// Xero (developer.xero.com, auth flow): HTTP Basic; access tokens last 30 minutes and each
/// refresh answers a new refresh token; `/connections` lists the organisations (tenants), and
/// every API call names one in `Xero-Tenant-Id`.
fn xero(s: &Seen) -> Reply {
    match (s.host.as_str(), s.path.as_str()) {
        ("identity.xero.com", "/connect/token") if client_by_basic(s) => {
            let next = match (
                form(s, "grant_type").as_deref(),
                form(s, "refresh_token").as_deref(),
            ) {
                (Some("authorization_code"), _) => ("xero-1", "xero-r1"),
                (Some("refresh_token"), Some("xero-r1")) => ("xero-2", "xero-r2"),
                _ => return invalid_grant(),
            };
            Reply::json(
                200,
                json!({"id_token": "eyJ.e30.s", "access_token": next.0, "expires_in": 1800,
                       "token_type": "Bearer", "refresh_token": next.1, "scope": "openid offline_access"}),
            )
        }
        ("api.xero.com", "/connections") if s.bearer().is_some() => Reply::json(
            200,
            json!([{"id": "e1eede29", "authEventId": "d99ecdfe", "tenantId": "70784a63-d24b-46a9-a4db-0e70a274b056",
                    "tenantType": "ORGANISATION", "tenantName": "Maple Florists", "createdDateUtc": "2019-07-09T23:40:30.1833130"}]),
        ),
        _ => Reply::not_found(),
    }
}

async fn xero_sends_the_tenant_header_and_rotates(backend: Backend) {
    let r = rig(backend, xero).await;
    let connection = connect(&r, "xero", &[], "c").await;
    let tenant = "70784a63-d24b-46a9-a4db-0e70a274b056";
    assert_eq!(connection["account"], "Maple Florists");
    assert_eq!(connection["account_id"], tenant);
    assert_eq!(connection["api"]["headers"]["Xero-Tenant-Id"], tenant);
    r.a.app.clock.advance(time::Duration::minutes(31));
    let creds = r.credentials(&id(&connection)).await;
    assert_eq!(creds["refresh_token"], "xero-r2");
    assert_eq!(creds["api"]["headers"]["Authorization"], "Bearer xero-2");
    r.a.app.cleanup().await;
}

/// Zendesk (developer.zendesk.com, OAuth tokens): endpoints on the customer's subdomain; only an
/// exchange that asks for `expires_in` and `refresh_token_expires_in` gets a refresh token.
fn zendesk(s: &Seen) -> Reply {
    match (s.host.as_str(), s.path.as_str()) {
        ("acme.zendesk.com", "/oauth/tokens") if client_in_body(s) => {
            if form(s, "grant_type").as_deref() == Some("refresh_token") {
                return Reply::json(
                    200,
                    json!({"access_token": "zd-2", "token_type": "bearer", "refresh_token": "zd-r2",
                                               "expires_in": 172_800, "scope": "read write"}),
                );
            }
            if s.form.contains_key("expires_in") && s.form.contains_key("refresh_token_expires_in")
            {
                Reply::json(
                    200,
                    json!({"access_token": "zd-1", "token_type": "bearer", "refresh_token": "zd-r1",
                                        "expires_in": 172_800, "refresh_token_expires_in": 7_776_000, "scope": "read write"}),
                )
            } else {
                Reply::json(
                    200,
                    json!({"access_token": "zd-forever", "token_type": "bearer", "scope": "read write"}),
                )
            }
        }
        ("acme.zendesk.com", "/api/v2/users/me.json") if s.bearer().is_some() => Reply::json(
            200,
            json!({"user": {"id": 35436, "email": "agent@acme.example"}}),
        ),
        _ => Reply::not_found(),
    }
}

async fn zendesk_asks_for_expiring_tokens_on_the_subdomain(backend: Backend) {
    let r = rig(backend, zendesk).await;
    let connection = connect(&r, "zendesk", &[("subdomain", "acme")], "c").await;
    assert_eq!(connection["account"], "agent@acme.example");
    assert_eq!(
        connection["api"]["base_url"],
        "https://acme.zendesk.com/api/v2"
    );
    let creds = r.credentials(&id(&connection)).await;
    assert_eq!(creds["refresh_token"], "zd-r1");
    r.a.app.cleanup().await;
}

/// Zoom (developers.zoom.us, OAuth): HTTP Basic; tokens last an hour; the refresh token is
/// replaced on each refresh.
fn zoom(s: &Seen) -> Reply {
    match (s.host.as_str(), s.path.as_str()) {
        ("zoom.us", "/oauth/token") if client_by_basic(s) => {
            let next = match form(s, "grant_type").as_deref() {
                Some("authorization_code") => ("zm-1", "zm-r1"),
                Some("refresh_token") if form(s, "refresh_token").as_deref() == Some("zm-r1") => {
                    ("zm-2", "zm-r2")
                }
                _ => return invalid_grant(),
            };
            Reply::json(
                200,
                json!({"access_token": next.0, "token_type": "bearer", "refresh_token": next.1,
                                    "expires_in": 3599, "scope": "user:read"}),
            )
        }
        ("api.zoom.us", "/v2/users/me") if s.bearer().is_some() => Reply::json(
            200,
            json!({"id": "KDcuGIm1QgePTO8WbOqwIQ", "email": "ada@acme.example"}),
        ),
        _ => Reply::not_found(),
    }
}

async fn zoom_takes_basic_and_rotates(backend: Backend) {
    let r = rig(backend, zoom).await;
    let connection = connect(&r, "zoom", &[], "c").await;
    assert_eq!(connection["account"], "ada@acme.example");
    r.a.app.clock.advance(time::Duration::hours(1));
    assert_eq!(
        r.credentials(&id(&connection)).await["refresh_token"],
        "zm-r2"
    );
    r.a.app.cleanup().await;
}

/// One credential entry: the values the end user types, where the provider checks them and how
/// it wants them, and what its identity answer names.
struct CredentialCase {
    provider: &'static str,
    fields: &'static [(&'static str, &'static str)],
    /// Host and path of the verify request.
    at: (&'static str, &'static str),
    /// Whether a request carries the right credentials, by the provider's documentation.
    accepts: fn(&Seen) -> bool,
    /// The identity answer.
    identity: fn() -> Value,
    account: &'static str,
    base_url: &'static str,
}

fn basic_is(s: &Seen, user: &str, password: &str) -> bool {
    s.basic() == Some((user.to_owned(), password.to_owned()))
}

const STRIPE_KEY: &str = "rk_live_51Hxx0000000000restricted";
const OPENAI_KEY: &str = "sk-proj-abcdefghijklmnopqrstuvwx";
const SENDGRID_KEY: &str = "SG.abcdefghijkl.mnopqrstuvwxyz0123";
const TWILIO_SID: &str = "AC0123456789abcdef0123456789abcdef";
const TWILIO_TOKEN: &str = "0123456789abcdef0123456789abcdef";
const MAILCHIMP_KEY: &str = "0123456789abcdef0123456789abcdef-us21";
const FRESHDESK_KEY: &str = "AbCdEfGhIjKlMnOp";
const ATLASSIAN_TOKEN: &str = "ATATT3xFfGF0abcdefgh";
const ZENDESK_TOKEN: &str = "abcdefghij0123456789ABCD";

fn credential_cases() -> Vec<CredentialCase> {
    vec![
        CredentialCase {
            provider: "freshdesk",
            fields: &[("domain", "acme"), ("api_key", FRESHDESK_KEY)],
            at: ("acme.freshdesk.com", "/api/v2/agents/me"),
            // Freshdesk: the API key as the Basic user, any password (X).
            accepts: |s| basic_is(s, FRESHDESK_KEY, "X"),
            identity: || json!({"id": 1, "contact": {"email": "agent@acme.example"}}),
            account: "agent@acme.example",
            base_url: "https://acme.freshdesk.com/api/v2",
        },
        CredentialCase {
            provider: "jira_api_token",
            fields: &[
                ("site", "acme"),
                ("email", "ada@acme.example"),
                ("api_token", ATLASSIAN_TOKEN),
            ],
            at: ("acme.atlassian.net", "/rest/api/3/myself"),
            // Atlassian: e-mail and API token by Basic.
            accepts: |s| basic_is(s, "ada@acme.example", ATLASSIAN_TOKEN),
            identity: || json!({"accountId": "5b10a2844c20165700ede21g", "emailAddress": "ada@acme.example", "displayName": "Ada"}),
            account: "ada@acme.example",
            base_url: "https://acme.atlassian.net/rest/api/3",
        },
        CredentialCase {
            provider: "mailchimp",
            fields: &[("api_key", MAILCHIMP_KEY), ("dc", "us21")],
            at: ("us21.api.mailchimp.com", "/3.0/ping"),
            // Mailchimp: any user name, the API key as password, on the key's data center.
            accepts: |s| s.basic().is_some_and(|(_, p)| p == MAILCHIMP_KEY),
            identity: || json!({"account_id": "8d3a3db4d97663a9074efcc16", "account_name": "Acme", "email": "ada@acme.example"}),
            account: "Acme",
            base_url: "https://us21.api.mailchimp.com/3.0",
        },
        CredentialCase {
            provider: "openai",
            fields: &[("api_key", OPENAI_KEY)],
            at: ("api.openai.com", "/v1/models"),
            accepts: |s| s.bearer() == Some(OPENAI_KEY),
            identity: || json!({}),
            account: "",
            base_url: "https://api.openai.com/v1",
        },
        CredentialCase {
            provider: "sendgrid",
            fields: &[("api_key", SENDGRID_KEY)],
            at: ("api.sendgrid.com", "/v3/scopes"),
            accepts: |s| s.bearer() == Some(SENDGRID_KEY),
            identity: || json!({"email": "ada@acme.example"}),
            account: "ada@acme.example",
            base_url: "https://api.sendgrid.com/v3",
        },
        CredentialCase {
            provider: "stripe",
            fields: &[("api_key", STRIPE_KEY)],
            at: ("api.stripe.com", "/v1/account"),
            accepts: |s| s.bearer() == Some(STRIPE_KEY),
            identity: || json!({}),
            account: "",
            base_url: "https://api.stripe.com/v1",
        },
        CredentialCase {
            provider: "twilio",
            fields: &[("account_sid", TWILIO_SID), ("auth_token", TWILIO_TOKEN)],
            at: (
                "api.twilio.com",
                "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef.json",
            ),
            accepts: |s| basic_is(s, TWILIO_SID, TWILIO_TOKEN),
            identity: || json!({"sid": TWILIO_SID, "friendly_name": "Acme Ops", "status": "active"}),
            account: "Acme Ops",
            base_url: "https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef",
        },
        CredentialCase {
            provider: "zendesk_api_token",
            fields: &[
                ("subdomain", "acme"),
                ("email", "agent@acme.example"),
                ("api_token", ZENDESK_TOKEN),
            ],
            at: ("acme.zendesk.com", "/api/v2/users/me.json"),
            // Zendesk: `{email}/token` as the Basic user, the API token as password.
            accepts: |s| basic_is(s, "agent@acme.example/token", ZENDESK_TOKEN),
            identity: || json!({"user": {"id": 1, "email": "agent@acme.example"}}),
            account: "agent@acme.example",
            base_url: "https://acme.zendesk.com/api/v2",
        },
    ]
}

/// Every credential entry connects with the credentials its provider accepts, sent the way
/// the provider wants them, and is refused with credentials the provider rejects. Stripe's
/// restricted key, answered 403 by `GET /v1/account`, still counts.
async fn credential_entries_are_checked_with_their_providers(backend: Backend) {
    let cases: Arc<Mutex<Vec<CredentialCase>>> = Arc::new(Mutex::new(credential_cases()));
    let shared = cases.clone();
    let r = rig(backend, move |s: &Seen| {
        let cases = shared.lock().expect("lock");
        let Some(case) = cases.iter().find(|c| c.at.0 == s.host) else {
            return Reply::not_found();
        };
        if !(case.accepts)(s) {
            return Reply::json(401, json!({"error": "invalid credentials"}));
        }
        if case.provider == "stripe" {
            // A restricted key without the account permission.
            return Reply::json(
                403,
                json!({"error": {"type": "invalid_request_error", "code": "secret_key_required"}}),
            );
        }
        Reply::json(200, (case.identity)())
    })
    .await;
    let names: Vec<&str> = cases
        .lock()
        .expect("lock")
        .iter()
        .map(|c| c.provider)
        .collect();
    for provider in &names {
        r.connector(provider).await;
    }
    let mut seen: HashMap<&str, Value> = HashMap::new();
    for (i, case) in credential_cases().into_iter().enumerate() {
        let link = r
            .link_with(
                case.provider,
                json!({"tenant": {"external_id": format!("cus_{i}"), "name": "Initech"}}),
            )
            .await;
        let browser = client_with(Arc::new(Jar::default()));
        let submit = |fields: Vec<(&'static str, String)>| {
            let browser = browser.clone();
            let url = r.a.app.url(&Api::path_of(&link));
            let origin = r.a.app.base.clone();
            async move {
                let response = browser
                    .post(url)
                    .header("origin", origin)
                    .form(&fields)
                    .send()
                    .await
                    .expect("submit");
                (
                    response.status().as_u16(),
                    response.text().await.expect("page"),
                )
            }
        };
        // A wrong secret: the provider refuses, nothing is stored.
        let wrong: Vec<(&str, String)> = case
            .fields
            .iter()
            .map(|(k, v)| {
                let secret = ["api_key", "api_token", "auth_token"].contains(k);
                let value = if secret {
                    v.replace(['a', '0', 'A'], "b")
                } else {
                    (*v).to_owned()
                };
                (*k, value)
            })
            .collect();
        let (status, page) = submit(wrong).await;
        assert_eq!(status, 422, "{}: {page}", case.provider);
        let right = case
            .fields
            .iter()
            .map(|(k, v)| (*k, (*v).to_owned()))
            .collect();
        let (status, page) = submit(right).await;
        assert_eq!(status, 200, "{}: {page}", case.provider);
        assert!(
            r.sim
                .seen()
                .iter()
                .any(|s| s.host == case.at.0 && s.path == case.at.1),
            "{}: checked at {:?}",
            case.provider,
            case.at
        );
        seen.insert(
            case.provider,
            json!({"account": case.account, "base_url": case.base_url}),
        );
    }
    let (_, page) = r.a.get("/api/v1/connections").await;
    let connections = page["data"].as_array().expect("data");
    assert_eq!(connections.len(), names.len(), "{page}");
    for c in connections {
        let provider = c["connector"].as_str().expect("connector");
        let expected = &seen[provider];
        assert_eq!(c["status"], "connected", "{provider}");
        if expected["account"] != "" {
            assert_eq!(c["account"], expected["account"], "{provider}");
        }
        assert_eq!(c["api"]["base_url"], expected["base_url"], "{provider}");
        let creds = r.credentials(c["id"].as_str().expect("id")).await;
        assert!(
            creds["api"]["headers"]["Authorization"].is_string(),
            "{provider}: ready-to-use authorization: {creds}"
        );
    }
    r.a.app.cleanup().await;
}
