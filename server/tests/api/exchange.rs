//! Exchange-code mode: a link minted with `callback_url` + `state` leaves nothing usable until
//! the admin's backend redeems the code from the callback URL. Until then the connection is
//! `pending_confirmation` (or, on a reconnect, keeps its old credentials) and nothing is
//! announced; a code left to expire is discarded, revoked at the provider and announced as
//! `connection.failed` (`exchange_expired`); a code presented twice is refused and audited.

use std::collections::HashMap;

use app::domain::services::exchange;
use serde_json::{Value, json};

use crate::audit::audit;
use crate::helpers::Backend;
use crate::lifecycle::{delivered_since, of_type, types};
use crate::on_both_backends;
use crate::rest::{Api, api};
use crate::webhooks::{Receiver, add_endpoint};

on_both_backends!(
    nothing_is_usable_or_announced_until_the_backend_redeems_the_code,
    a_pending_reconnect_keeps_the_old_credentials_until_redeemed,
    an_unredeemed_code_expires_its_credentials_are_discarded_and_revoked,
);

const CALLBACK: &str = "https://app.example.com/integrations";

async fn setup(a: &Api) -> (Receiver, String) {
    a.oauth_connector().await;
    a.allow_origin("https://app.example.com").await;
    let receiver = Receiver::start(&[]).await;
    let secret = add_endpoint(&a.app, &receiver.url, &[]).await.secret;
    (receiver, secret)
}

/// A link for tenant `cus_x`; with `state` it asks for an exchange code.
async fn link(a: &Api, state: Option<&str>) -> String {
    let mut body = json!({"tenant": {"external_id": "cus_x", "name": "Initech"},
                          "connector": "acme-crm"});
    if let Some(state) = state {
        body["callback_url"] = json!(CALLBACK);
        body["state"] = json!(state);
    }
    let (status, link) = a.post("/api/v1/connect-links", body).await;
    assert_eq!(status, 201, "{link}");
    link["url"].as_str().expect("url").to_owned()
}

/// The end user connects with the provider's `code`; returns the exchange code the browser
/// brought back to the callback URL.
async fn connect_for_code(a: &Api, link_url: &str, code: &str, state: &str) -> String {
    let (status, location) = a.end_user_oauth(link_url, Some(code)).await;
    assert_eq!(status, 303);
    let back = url::Url::parse(&location.expect("location")).expect("callback");
    let q: HashMap<_, _> = back.query_pairs().into_owned().collect();
    assert_eq!(
        (q["status"].as_str(), q["state"].as_str()),
        ("success", state)
    );
    q["code"].clone()
}

async fn the_connection(a: &Api) -> Option<Value> {
    let (status, listed) = a.get("/api/v1/connections").await;
    assert_eq!(status, 200, "{listed}");
    listed["data"].as_array().expect("data").first().cloned()
}

async fn credentials(a: &Api, id: &str) -> (u16, Value) {
    a.get(&format!("/api/v1/connections/{id}/credentials"))
        .await
}

async fn nothing_is_usable_or_announced_until_the_backend_redeems_the_code(backend: Backend) {
    let a = api(backend).await;
    let (receiver, secret) = setup(&a).await;
    let mut seen = 0;
    let url = link(&a, Some("st-1")).await;
    let code = connect_for_code(&a, &url, "c-1", "st-1").await;

    let pending = the_connection(&a).await.expect("a pending connection");
    assert_eq!(pending["status"], "pending_confirmation");
    let id = pending["id"].as_str().expect("id").to_owned();
    let (status, refused) = credentials(&a, &id).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (409, Some("pending_confirmation"))
    );
    assert!(!refused.to_string().contains("at-c-1"));
    let (_, listed) = a.get("/api/v1/connections?status=connected").await;
    assert_eq!(listed["data"], json!([]));
    let events = delivered_since(&a, &receiver, &secret, &mut seen).await;
    assert_eq!(types(&events), ["link.opened"]);

    let (status, exchanged) = a.post("/api/v1/exchange", json!({"code": code})).await;
    assert_eq!(status, 200, "{exchanged}");
    assert_eq!(exchanged["connection"]["id"], id.as_str());
    assert_eq!(exchanged["connection"]["status"], "connected");
    let (status, live) = credentials(&a, &id).await;
    assert_eq!(
        (status, live["access_token"].as_str()),
        (200, Some("at-c-1"))
    );
    let events = delivered_since(&a, &receiver, &secret, &mut seen).await;
    assert_eq!(types(&events), ["connection.created", "link.completed"]);
    assert_eq!(
        of_type(&events, "connection.created")["data"]["connection_id"],
        id.as_str()
    );

    // Presented again: the same answer as an unknown code, and a security event.
    let (status, again) = a.post("/api/v1/exchange", json!({"code": code})).await;
    assert_eq!(
        (status, again["code"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, unknown) = a.post("/api/v1/exchange", json!({"code": "nope"})).await;
    assert_eq!(
        (status, unknown["code"].as_str()),
        (400, Some("invalid_grant"))
    );
    let page = audit(&a, &[("action", "link.exchange_reused")]).await;
    assert_eq!(
        page.entries.len(),
        1,
        "only the reuse, not the unknown code"
    );
    assert_eq!(page.entries[0].actor_type, "api_key");
    assert_eq!(page.entries[0].target_type.as_deref(), Some("link"));
    a.app.cleanup().await;
}

async fn a_pending_reconnect_keeps_the_old_credentials_until_redeemed(backend: Backend) {
    let a = api(backend).await;
    let (receiver, secret) = setup(&a).await;
    let mut seen = 0;
    a.connect_oauth(&link(&a, None).await, "c-1").await;
    let id = the_connection(&a).await.expect("connection")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    delivered_since(&a, &receiver, &secret, &mut seen).await;

    let code = connect_for_code(&a, &link(&a, Some("st-2")).await, "c-2", "st-2").await;
    let (status, old) = credentials(&a, &id).await;
    assert_eq!(
        (status, old["access_token"].as_str()),
        (200, Some("at-c-1"))
    );
    assert_eq!(
        the_connection(&a).await.expect("one")["status"],
        "connected"
    );
    let events = delivered_since(&a, &receiver, &secret, &mut seen).await;
    assert_eq!(types(&events), ["link.opened"]);

    let (status, _) = a.post("/api/v1/exchange", json!({"code": code})).await;
    assert_eq!(status, 200);
    let (_, new) = credentials(&a, &id).await;
    assert_eq!(new["access_token"], "at-c-2");
    let events = delivered_since(&a, &receiver, &secret, &mut seen).await;
    assert_eq!(types(&events), ["connection.updated", "link.completed"]);
    a.app.cleanup().await;
}

async fn an_unredeemed_code_expires_its_credentials_are_discarded_and_revoked(backend: Backend) {
    let a = api(backend).await;
    let (receiver, secret) = setup(&a).await;
    let mut seen = 0;

    // A first connection that never gets confirmed leaves nothing behind.
    let code = connect_for_code(&a, &link(&a, Some("st-1")).await, "c-1", "st-1").await;
    assert!(the_connection(&a).await.is_some());
    delivered_since(&a, &receiver, &secret, &mut seen).await;
    a.app
        .clock
        .advance(exchange::CODE_LIFETIME - time::Duration::seconds(1));
    assert_eq!(
        exchange::discard_expired(&a.app.state, 100)
            .await
            .expect("pass"),
        0,
        "not yet expired"
    );
    a.app.clock.advance(time::Duration::seconds(2));
    assert_eq!(
        exchange::discard_expired(&a.app.state, 100)
            .await
            .expect("pass"),
        1
    );
    assert_eq!(
        exchange::discard_expired(&a.app.state, 100)
            .await
            .expect("pass"),
        0,
        "each code is discarded once"
    );
    assert_eq!(the_connection(&a).await, None);
    let events = delivered_since(&a, &receiver, &secret, &mut seen).await;
    assert_eq!(types(&events), ["connection.failed"]);
    let data = &of_type(&events, "connection.failed")["data"];
    assert_eq!(data["error"]["code"], exchange::EXPIRED_CODE);
    assert_eq!(data["tenant"]["external_id"], "cus_x");
    let revoked = a.provider.revoked.lock().expect("lock").clone();
    assert_eq!(revoked, [("rt-c-1".to_owned(), "refresh_token".to_owned())]);
    let (status, _) = a.post("/api/v1/exchange", json!({"code": code})).await;
    assert_eq!(status, 400);

    // An unconfirmed reconnect expires without touching the live connection.
    a.connect_oauth(&link(&a, None).await, "c-2").await;
    let id = the_connection(&a).await.expect("connection")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    connect_for_code(&a, &link(&a, Some("st-3")).await, "c-3", "st-3").await;
    a.app
        .clock
        .advance(exchange::CODE_LIFETIME + time::Duration::seconds(1));
    assert_eq!(
        exchange::discard_expired(&a.app.state, 100)
            .await
            .expect("pass"),
        1
    );
    let (status, live) = credentials(&a, &id).await;
    assert_eq!(
        (status, live["access_token"].as_str()),
        (200, Some("at-c-2"))
    );
    let revoked = a.provider.revoked.lock().expect("lock").clone();
    assert_eq!(revoked.last().map(|r| r.0.as_str()), Some("rt-c-3"));
    a.app.cleanup().await;
}
