//! After a connection exists: the events of a whole journey, the refresh worker running ahead
//! of expiry, failures turning into `error` and `needs_reauth`, recovery by refresh or by
//! reconnect (same connection id), revocation at the provider on disconnect, and link expiry.

use app::domain::services::{connections, links, webhooks};
use serde_json::{Value, json};

use crate::helpers::Backend;
use crate::mock_provider::TokenMode;
use crate::on_both_backends;
use crate::rest::{Api, api};
use crate::webhooks::{Receiver, add_endpoint, verify};

on_both_backends!(
    a_connection_stays_fresh_and_every_change_is_announced,
    link_expiry_and_revocation_are_announced,
    a_refresh_is_saved_even_when_its_caller_goes_away,
    a_link_revoked_while_the_end_user_is_at_the_provider_stores_nothing,
    a_flow_interrupted_before_its_write_is_announced_and_the_link_stays_usable,
    regenerating_revokes_the_earlier_live_links_of_that_tenant_and_connector,
    an_expiry_without_refresh_is_announced_a_week_and_a_day_ahead,
);

const MARGIN: time::Duration = time::Duration::minutes(10);

async fn end_user_oauth(a: &Api, link_url: &str, code: Option<&str>) -> u16 {
    a.end_user_oauth(link_url, code).await.0
}

async fn new_link(a: &Api) -> String {
    let (status, link) = a
        .post(
            "/api/v1/connect-links",
            json!({
                "tenant": {"external_id": "cus_life", "name": "Initech"},
                "connector": "acme-crm",
                "tags": ["pilot"],
            }),
        )
        .await;
    assert_eq!(status, 201, "{link}");
    link["url"].as_str().expect("url").to_owned()
}

/// Delivers what is due and returns the bodies the receiver got since `seen`.
pub(crate) async fn delivered_since(
    a: &Api,
    receiver: &Receiver,
    secret: &str,
    seen: &mut usize,
) -> Vec<Value> {
    webhooks::deliver_due(&a.app.state).await.expect("deliver");
    let received = receiver.received();
    let fresh = received[*seen..].to_vec();
    *seen = received.len();
    fresh
        .iter()
        .map(|r| {
            verify(secret, r);
            serde_json::from_slice(&r.body).expect("json")
        })
        .collect()
}

/// The events' types, sorted: deliveries run in parallel, so receivers see no fixed order (the
/// payload's `timestamp` gives it).
pub(crate) fn types(events: &[Value]) -> Vec<&str> {
    let mut types: Vec<&str> = events
        .iter()
        .map(|e| e["type"].as_str().expect("type"))
        .collect();
    types.sort_unstable();
    types
}

pub(crate) fn of_type<'a>(events: &'a [Value], t: &str) -> &'a Value {
    events
        .iter()
        .find(|e| e["type"] == t)
        .expect("event of that type")
}

async fn status(a: &Api, id: &str) -> String {
    let (_, meta) = a.get(&format!("/api/v1/connections/{id}")).await;
    meta["status"].as_str().expect("status").to_owned()
}

fn refresh_calls(a: &Api) -> usize {
    a.provider
        .refresh_calls
        .load(std::sync::atomic::Ordering::SeqCst)
}

async fn a_connection_stays_fresh_and_every_change_is_announced(backend: Backend) {
    let a = api(backend).await;
    a.oauth_connector().await;
    let receiver = Receiver::start(&[]).await;
    let endpoint = add_endpoint(&a.app, &receiver.url, &[]).await;
    let secret = endpoint.secret;
    let mut seen = 0;

    // The end user declines first, then connects.
    let link = new_link(&a).await;
    assert_eq!(end_user_oauth(&a, &link, None).await, 400);
    let events = delivered_since(&a, &receiver, &secret, &mut seen).await;
    assert_eq!(types(&events), ["connection.failed", "link.opened"]);
    assert_eq!(
        of_type(&events, "connection.failed")["data"]["error"]["code"],
        "access_denied"
    );

    assert_eq!(end_user_oauth(&a, &link, Some("c-1")).await, 200);
    let events = delivered_since(&a, &receiver, &secret, &mut seen).await;
    assert_eq!(types(&events), ["connection.created", "link.completed"]);
    let data = &of_type(&events, "connection.created")["data"];
    assert_eq!(data["tenant"]["external_id"], "cus_life");
    assert_eq!(data["connector"]["key"], "acme-crm");
    assert_eq!(data["link"]["tags"], json!(["pilot"]));
    assert_eq!(data["status"], "connected");
    let id = data["connection_id"].as_str().expect("id").to_owned();
    for e in &events {
        let text = e.to_string();
        assert!(
            !text.contains("at-c-1") && !text.contains("rt-c-1"),
            "no credentials: {text}"
        );
    }

    // The worker refreshes ahead of expiry (the token lives an hour), once.
    a.app.clock.advance(time::Duration::minutes(40));
    assert_eq!(
        connections::refresh_due(&a.app.state, MARGIN, 100)
            .await
            .expect("pass"),
        0
    );
    a.app.clock.advance(time::Duration::minutes(15));
    assert_eq!(
        connections::refresh_due(&a.app.state, MARGIN, 100)
            .await
            .expect("pass"),
        1
    );
    assert_eq!(refresh_calls(&a), 1);
    assert_eq!(
        connections::refresh_due(&a.app.state, MARGIN, 100)
            .await
            .expect("pass"),
        0
    );
    let (_, creds) = a
        .get(&format!("/api/v1/connections/{id}/credentials"))
        .await;
    assert_eq!(creds["access_token"], "at-refreshed-1");
    assert_eq!(refresh_calls(&a), 1, "the reader got the worker's token");

    // The provider is down: old credentials kept, status error, announced once, backoff.
    a.provider.set_mode(TokenMode::Unavailable);
    a.app.clock.advance(time::Duration::minutes(55));
    assert_eq!(
        connections::refresh_due(&a.app.state, MARGIN, 100)
            .await
            .expect("pass"),
        1
    );
    assert_eq!(status(&a, &id).await, "error");
    let (_, creds) = a
        .get(&format!("/api/v1/connections/{id}/credentials"))
        .await;
    assert_eq!(
        creds["access_token"], "at-refreshed-1",
        "still valid, still served"
    );
    assert_eq!(
        connections::refresh_due(&a.app.state, MARGIN, 100)
            .await
            .expect("pass"),
        0,
        "backing off"
    );
    let events = delivered_since(&a, &receiver, &secret, &mut seen).await;
    assert_eq!(types(&events), ["connection.refresh_failed"]);
    assert_eq!(events[0]["data"]["status"], "error");

    // It comes back: the next pass refreshes and the connection recovers.
    a.provider.set_mode(TokenMode::Ok);
    a.app.clock.advance(time::Duration::minutes(1));
    assert_eq!(
        connections::refresh_due(&a.app.state, MARGIN, 100)
            .await
            .expect("pass"),
        1
    );
    assert_eq!(status(&a, &id).await, "connected");
    let events = delivered_since(&a, &receiver, &secret, &mut seen).await;
    assert_eq!(types(&events), ["connection.recovered"]);

    // The provider refuses the refresh token: needs reauth, announced.
    a.provider.set_mode(TokenMode::Refuse);
    a.app.clock.advance(time::Duration::minutes(55));
    assert_eq!(
        connections::refresh_due(&a.app.state, MARGIN, 100)
            .await
            .expect("pass"),
        1
    );
    assert_eq!(status(&a, &id).await, "needs_reauth");
    let (_, meta) = a.get(&format!("/api/v1/connections/{id}")).await;
    assert_eq!(meta["last_error"], "refresh_refused: invalid_grant");
    assert_eq!(
        connections::refresh_due(&a.app.state, MARGIN, 100)
            .await
            .expect("pass"),
        0,
        "not retried"
    );
    let events = delivered_since(&a, &receiver, &secret, &mut seen).await;
    assert_eq!(types(&events), ["connection.refresh_failed"]);
    assert_eq!(events[0]["data"]["status"], "needs_reauth");
    assert_eq!(events[0]["data"]["error"]["code"], "invalid_grant");
    assert_eq!(
        events[0]["data"]["error"]["message"],
        "The provider refused the refresh token; the tenant must reconnect."
    );

    // Reconnect through a new link: the same connection recovers.
    a.provider.set_mode(TokenMode::Ok);
    let link = new_link(&a).await;
    assert_eq!(end_user_oauth(&a, &link, Some("c-2")).await, 200);
    assert_eq!(status(&a, &id).await, "connected");
    let events = delivered_since(&a, &receiver, &secret, &mut seen).await;
    assert_eq!(
        types(&events),
        ["connection.recovered", "link.completed", "link.opened"]
    );
    assert_eq!(
        of_type(&events, "connection.recovered")["data"]["connection_id"],
        id.as_str()
    );

    // Disconnect: the refresh token is revoked at the provider, the credentials are gone.
    let code = a.delete(&format!("/api/v1/connections/{id}")).await;
    assert_eq!(code, 204);
    assert_eq!(
        a.provider.revoked.lock().expect("lock").clone(),
        [("rt-c-2".to_owned(), "refresh_token".to_owned())]
    );
    assert_eq!(status(&a, &id).await, "disconnected");
    let events = delivered_since(&a, &receiver, &secret, &mut seen).await;
    assert_eq!(types(&events), ["connection.deleted"]);
    a.app.cleanup().await;
}

async fn link_expiry_and_revocation_are_announced(backend: Backend) {
    let a = api(backend).await;
    a.oauth_connector().await;
    let receiver = Receiver::start(&[]).await;
    let endpoint = add_endpoint(&a.app, &receiver.url, &["link.expired", "link.revoked"]).await;
    let mut seen = 0;
    let create = |expires_in: u32| {
        a.post(
            "/api/v1/connect-links",
            json!({"tenant": {"external_id": "cus_exp", "name": "Globex"}, "connector": "acme-crm", "expires_in": expires_in}),
        )
    };
    let (_, short) = create(300).await;
    let (_, long) = create(86_400).await;

    let (code, _, _) = a
        .send(
            reqwest::Method::POST,
            &format!(
                "/api/v1/connect-links/{}/revoke",
                long["id"].as_str().expect("id")
            ),
            Some(&a.key),
            None,
        )
        .await;
    assert_eq!(code, 200);
    let clock = a.app.state.clock.as_ref();
    assert_eq!(
        links::announce_expired(&a.app.state.db, clock, 100)
            .await
            .expect("sweep"),
        0
    );

    a.app.clock.advance(time::Duration::minutes(6));
    assert_eq!(
        links::announce_expired(&a.app.state.db, clock, 100)
            .await
            .expect("sweep"),
        1
    );
    assert_eq!(
        links::announce_expired(&a.app.state.db, clock, 100)
            .await
            .expect("sweep"),
        0,
        "once"
    );
    let events = delivered_since(&a, &receiver, &endpoint.secret, &mut seen).await;
    assert_eq!(types(&events), ["link.expired", "link.revoked"]);
    assert_eq!(
        of_type(&events, "link.revoked")["data"]["link"]["id"],
        long["id"]
    );
    let expired = &of_type(&events, "link.expired")["data"];
    assert_eq!(expired["link"]["id"], short["id"]);
    assert_eq!(expired["tenant"]["external_id"], "cus_exp");
    a.app.cleanup().await;
}

/// The rotated refresh token exists only in the provider's answer: a reader that gives up while
/// the refresh is in flight (its HTTP client went away) must not lose it.
async fn a_refresh_is_saved_even_when_its_caller_goes_away(backend: Backend) {
    let a = api(backend).await;
    a.oauth_connector().await;
    assert_eq!(
        end_user_oauth(&a, &new_link(&a).await, Some("c-1")).await,
        200
    );
    let (_, listed) = a.get("/api/v1/connections").await;
    let id: uuid::Uuid = listed["data"][0]["id"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .expect("id");
    a.app.clock.advance(time::Duration::minutes(61));

    let gate = a.provider.refresh_gate.lock().await;
    let reader = connections::fresh_credentials(&a.app.state, id);
    tokio::select! {
        _ = reader => panic!("the refresh cannot finish while the provider holds it"),
        () = a.provider.refresh_arrived.notified() => {}
    }
    // The reader is gone; the provider answers now.
    drop(gate);
    a.app.state.background.close();
    a.app.state.background.wait().await;

    let model = connections::by_id(&a.app.state.db, id).await.expect("row");
    let stored = connections::open_credentials(&a.app.state, &model).expect("credentials");
    let connections::Credentials::OAuth2 {
        access_token,
        refresh_token,
        ..
    } = stored
    else {
        panic!("OAuth credentials");
    };
    assert_eq!(
        (access_token.as_str(), refresh_token.as_deref()),
        ("at-refreshed-1", Some("rt-rotated-1"))
    );
    assert!(
        model.refresh_claimed_until.is_none(),
        "the claim is given back"
    );
    a.app.cleanup().await;
}

async fn a_link_revoked_while_the_end_user_is_at_the_provider_stores_nothing(backend: Backend) {
    let a = api(backend).await;
    a.oauth_connector().await;
    let receiver = Receiver::start(&[]).await;
    let secret = add_endpoint(&a.app, &receiver.url, &[]).await.secret;
    let mut seen = 0;
    let (_, link) = a
        .post(
            "/api/v1/connect-links",
            json!({"tenant": {"external_id": "cus_rev", "name": "Initech"}, "connector": "acme-crm"}),
        )
        .await;
    let url = link["url"].as_str().expect("url");
    let browser = crate::helpers::client_with(std::sync::Arc::default());
    let start = browser
        .post(a.app.url(&Api::path_of(url)))
        .header("origin", &a.app.base)
        .send()
        .await
        .expect("start");
    let authorize =
        url::Url::parse(start.headers()["location"].to_str().expect("loc")).expect("url");
    let q: std::collections::HashMap<_, _> = authorize.query_pairs().into_owned().collect();
    a.provider.issue_code("c-rev", &q["code_challenge"]);

    // The admin revokes the link while the end user is at the provider.
    let (status, _) = a
        .post(
            &format!(
                "/api/v1/connect-links/{}/revoke",
                link["id"].as_str().expect("id")
            ),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let back = browser
        .get(
            a.app
                .url(&format!("/oauth/callback?code=c-rev&state={}", q["state"])),
        )
        .send()
        .await
        .expect("callback");
    assert_eq!(back.status(), 404);
    assert_eq!(a.provider.calls(), 0, "the code is not exchanged");
    let (_, listed) = a.get("/api/v1/connections").await;
    assert_eq!(listed["data"], json!([]));
    let events = delivered_since(&a, &receiver, &secret, &mut seen).await;
    assert_eq!(
        types(&events),
        ["connection.failed", "link.opened", "link.revoked"]
    );
    assert_eq!(
        of_type(&events, "connection.failed")["data"]["error"]["code"],
        "link_unavailable"
    );
    a.app.cleanup().await;
}

async fn a_flow_interrupted_before_its_write_is_announced_and_the_link_stays_usable(
    backend: Backend,
) {
    use app::domain::clock::Clock;
    use app::domain::entities::oauth_flow;
    use app::domain::services::connect;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

    let a = api(backend).await;
    a.oauth_connector().await;
    let receiver = Receiver::start(&[]).await;
    let secret = add_endpoint(&a.app, &receiver.url, &[]).await.secret;
    let mut seen = 0;
    let link = new_link(&a).await;
    let browser = crate::helpers::client_with(std::sync::Arc::default());
    let start = browser
        .post(a.app.url(&Api::path_of(&link)))
        .header("origin", &a.app.base)
        .send()
        .await
        .expect("start");
    assert_eq!(start.status(), 303);

    // The callback claimed the flow and the server died before it stored anything: the state a
    // crash between the token exchange and the write leaves behind.
    let db = &a.app.state.db;
    let now = a.app.clock.now();
    oauth_flow::Entity::update_many()
        .col_expr(oauth_flow::Column::ConsumedAt, Expr::value(now))
        .filter(oauth_flow::Column::ConsumedAt.is_null())
        .exec(db)
        .await
        .expect("claim");
    let clock = a.app.clock.as_ref();
    assert_eq!(
        connect::sweep_interrupted(db, clock, 10)
            .await
            .expect("sweep"),
        0
    );
    a.app
        .clock
        .advance(connect::FINISH_WITHIN + time::Duration::seconds(1));
    assert_eq!(
        connect::sweep_interrupted(db, clock, 10)
            .await
            .expect("sweep"),
        1
    );
    assert_eq!(
        connect::sweep_interrupted(db, clock, 10)
            .await
            .expect("again"),
        0,
        "announced once"
    );
    let events = delivered_since(&a, &receiver, &secret, &mut seen).await;
    assert_eq!(types(&events), ["connection.failed", "link.opened"]);
    let failed = of_type(&events, "connection.failed");
    assert_eq!(failed["data"]["error"]["code"], connect::INTERRUPTED_CODE);
    let (_, listed) = a.get("/api/v1/connections").await;
    assert_eq!(listed["data"], json!([]), "nothing was stored");

    // The single-use link was never completed, so the end user simply tries again.
    assert_eq!(end_user_oauth(&a, &link, Some("c-again")).await, 200);
    let events = delivered_since(&a, &receiver, &secret, &mut seen).await;
    assert_eq!(types(&events), ["connection.created", "link.completed"]);
    a.app.clock.advance(connect::FINISH_WITHIN * 2);
    assert_eq!(
        connect::sweep_interrupted(db, clock, 10)
            .await
            .expect("sweep"),
        0,
        "a finished flow is no interruption"
    );
    a.app.cleanup().await;
}

async fn regenerating_revokes_the_earlier_live_links_of_that_tenant_and_connector(
    backend: Backend,
) {
    use app::domain::entities::connect_link;
    use sea_orm::EntityTrait;

    let a = api(backend).await;
    a.oauth_connector().await;
    a.key_connector().await;
    let receiver = Receiver::start(&[]).await;
    let secret = add_endpoint(&a.app, &receiver.url, &["link.revoked"])
        .await
        .secret;
    let mut seen = 0;
    let create = async |tenant: &str, connector: &str, revoke_earlier: bool| {
        let (status, link) = a
            .post(
                "/api/v1/connect-links",
                json!({
                    "tenant": {"external_id": tenant, "name": tenant},
                    "connector": connector,
                    "revoke_earlier": revoke_earlier,
                }),
            )
            .await;
        assert_eq!(status, 201, "{link}");
        link
    };
    let opens = async |link: &Value| {
        reqwest::get(a.app.url(&Api::path_of(link["url"].as_str().expect("url"))))
            .await
            .expect("page")
            .status()
            .as_u16()
    };
    let first = create("cus_rg", "acme-crm", false).await;
    let second = create("cus_rg", "acme-crm", false).await;
    let other_tenant = create("cus_other", "acme-crm", false).await;
    let other_connector = create("cus_rg", "acme-api", false).await;

    let regenerated = create("cus_rg", "acme-crm", true).await;
    assert_eq!(opens(&first).await, 404);
    assert_eq!(opens(&second).await, 404);
    for live in [&regenerated, &other_tenant, &other_connector] {
        assert_eq!(opens(live).await, 200, "{live}");
    }
    let events = delivered_since(&a, &receiver, &secret, &mut seen).await;
    let mut revoked: Vec<&str> = events
        .iter()
        .filter_map(|e| e["data"]["link"]["id"].as_str())
        .collect();
    revoked.sort_unstable();
    let mut expected = [
        first["id"].as_str().expect("id"),
        second["id"].as_str().expect("id"),
    ];
    expected.sort_unstable();
    assert_eq!(revoked, expected, "{events:?}");

    // The dashboard's Regenerate does the same.
    let row = connect_link::Entity::find_by_id(
        uuid::Uuid::parse_str(regenerated["id"].as_str().expect("id")).expect("uuid"),
    )
    .one(&a.app.state.db)
    .await
    .expect("read")
    .expect("row");
    let response = a
        .app
        .call_json::<app::api::links::GenerateLink>(json!({
            "tenant_id": row.tenant_id.to_string(),
            "connector_id": row.connector_id.to_string(),
            "expires_in_minutes": 60,
            "single_use": true,
            "note": "",
            "presets": [],
            "revoke_earlier": true,
        }))
        .await;
    assert!(response.is_ok(), "{response:?}");
    assert_eq!(opens(&regenerated).await, 404);
    assert_eq!(opens(&other_tenant).await, 200);
    a.app.cleanup().await;
}

async fn an_expiry_without_refresh_is_announced_a_week_and_a_day_ahead(backend: Backend) {
    use app::domain::clock::Clock;
    use app::domain::entities::connection;
    use sea_orm::{EntityTrait, sea_query::Expr};

    let a = api(backend).await;
    a.oauth_connector().await;
    let receiver = Receiver::start(&[]).await;
    let secret = add_endpoint(&a.app, &receiver.url, &["connection.expiring"])
        .await
        .secret;
    let mut seen = 0;
    let link = new_link(&a).await;
    assert_eq!(end_user_oauth(&a, &link, Some("c-exp")).await, 200);
    // A provider that gave no refresh token: the access token runs out in 10 days.
    let db = &a.app.state.db;
    let clock = a.app.clock.as_ref();
    let expires = a.app.clock.now() + time::Duration::days(10);
    connection::Entity::update_many()
        .col_expr(connection::Column::Refreshable, Expr::value(false))
        .col_expr(connection::Column::ExpiresAt, Expr::value(expires))
        .exec(db)
        .await
        .expect("update");
    let announce = async || {
        connections::announce_expiring(db, clock, 10)
            .await
            .expect("announce")
    };

    assert_eq!(announce().await, 0, "ten days ahead is not yet soon");
    a.app
        .clock
        .advance(time::Duration::days(3) + time::Duration::minutes(1));
    assert_eq!(announce().await, 1, "inside the week");
    assert_eq!(announce().await, 0, "once per window");
    a.app.clock.advance(time::Duration::days(6));
    assert_eq!(announce().await, 1, "inside the last day");
    assert_eq!(announce().await, 0);
    let events = delivered_since(&a, &receiver, &secret, &mut seen).await;
    assert_eq!(
        types(&events),
        ["connection.expiring", "connection.expiring"]
    );
    let expected = expires
        .format(&time::format_description::well_known::Rfc3339)
        .expect("format");
    assert!(
        events.iter().all(|e| e["data"]["expires_at"] == expected),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .all(|e| e["data"]["tenant"]["external_id"] == "cus_life")
    );

    // A reconnect brings a new expiry, announced again when it comes near; once expired, no more.
    let renewed = a.app.clock.now() + time::Duration::hours(12);
    connection::Entity::update_many()
        .col_expr(connection::Column::ExpiresAt, Expr::value(renewed))
        .exec(db)
        .await
        .expect("update");
    assert_eq!(announce().await, 1, "a new expiry is announced");
    a.app.clock.advance(time::Duration::days(1));
    assert_eq!(
        announce().await,
        0,
        "an expired token is needs_reauth, not expiring"
    );
    a.app.cleanup().await;
}
