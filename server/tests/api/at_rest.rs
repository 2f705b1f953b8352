//! What the database and the log hold after a full journey: every table, dumped as text, and
//! everything logged contain no link token, access or refresh token, API key, client secret or
//! webhook secret, in plain text or hex-encoded.

use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use serde_json::{Value, json};

use crate::helpers::{Backend, captured_logs};
use crate::mock_provider::GOOD_API_KEY;
use crate::on_both_backends;
use crate::rest::api;
use crate::webhooks::add_endpoint;

on_both_backends!(
    no_secret_is_stored_readable,
    rotation_reseals_every_value_while_the_server_runs,
);

/// Every row of every table, one line per row.
pub(crate) async fn dump(db: &impl ConnectionTrait) -> String {
    let backend = db.get_database_backend();
    let query = |sql: String| db.query_all_raw(Statement::from_string(backend, sql));
    let list = match backend {
        DatabaseBackend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        _ => "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()",
    };
    let tables: Vec<String> = query(list.to_owned())
        .await
        .expect("tables")
        .iter()
        .map(|row| row.try_get_by_index::<String>(0).expect("name"))
        .collect();
    assert!(tables.len() >= 10, "{tables:?}");
    let mut out = String::new();
    for table in tables {
        let select = match backend {
            DatabaseBackend::Sqlite => {
                let columns: Vec<String> = query(format!("PRAGMA table_info(\"{table}\")"))
                    .await
                    .expect("columns")
                    .iter()
                    .map(|row| row.try_get::<String>("", "name").expect("column"))
                    .collect();
                let quoted: Vec<String> =
                    columns.iter().map(|c| format!("quote(\"{c}\")")).collect();
                format!("SELECT {} FROM \"{table}\"", quoted.join(" || ' ' || "))
            }
            _ => format!("SELECT row_to_json(t)::text FROM \"{table}\" t"),
        };
        for row in query(select).await.expect("rows") {
            out.push_str(&table);
            out.push(' ');
            out.push_str(&row.try_get_by_index::<String>(0).unwrap_or_default());
            out.push('\n');
        }
    }
    out
}

async fn no_secret_is_stored_readable(backend: Backend) {
    let a = api(backend).await;
    a.oauth_connector().await;
    a.key_connector().await;
    let endpoint = add_endpoint(&a.app, "https://hooks.example.com/authlink", &[]).await;

    // An OAuth connection through a link created with an Idempotency-Key.
    let response = a
        .http
        .post(a.app.url("/api/v1/connect-links"))
        .bearer_auth(&a.key)
        .header("idempotency-key", "dump-1")
        .json(
            &json!({"tenant": {"external_id": "cus_d", "name": "Dunder"}, "connector": "acme-crm"}),
        )
        .send()
        .await
        .expect("link");
    let oauth_link: Value = response.json().await.expect("json");
    let oauth_url = oauth_link["url"].as_str().expect("url").to_owned();
    a.connect_oauth(&oauth_url, "c-dump").await;

    // An API-key connection.
    let (_, key_link) = a
        .post(
            "/api/v1/connect-links",
            json!({"tenant": {"external_id": "cus_d", "name": "Dunder"}, "connector": "acme-api"}),
        )
        .await;
    let key_url = key_link["url"].as_str().expect("url").to_owned();
    assert_eq!(a.submit_key(&key_url, GOOD_API_KEY).await.0, 200);

    let (_, listed) = a.get("/api/v1/connections?connector=acme-crm").await;
    let id = listed["data"][0]["id"].as_str().expect("id");
    let (_, creds) = a
        .get(&format!("/api/v1/connections/{id}/credentials"))
        .await;
    let access = creds["access_token"].as_str().expect("access").to_owned();
    let refresh = creds["refresh_token"].as_str().expect("refresh").to_owned();

    // A cross-site post to a link is refused, and logged without the link's token.
    let refused = a
        .http
        .post(a.app.url(&crate::rest::Api::path_of(&key_url)))
        .header("origin", "https://evil.example")
        .form(&[("api_key", "x")])
        .send()
        .await
        .expect("cross-site");
    assert_eq!(refused.status(), 403);

    let token_of = |url: &str| url.rsplit('/').next().expect("token").to_owned();
    let secrets = [
        ("OAuth link token", token_of(&oauth_url)),
        ("API-key link token", token_of(&key_url)),
        ("access token", access),
        ("refresh token", refresh),
        ("end user's API key", GOOD_API_KEY.to_owned()),
        ("REST API key", a.key.clone()),
        ("client secret", "test-secret".to_owned()),
        ("webhook secret", endpoint.secret.clone()),
    ];
    let text = dump(&a.app.state.db).await;
    assert!(text.contains("cus_d"), "the dump holds the journey's rows");
    let lower = text.to_lowercase();
    for (what, secret) in &secrets {
        let hex: String = secret.bytes().map(|b| format!("{b:02x}")).collect();
        let found = text
            .lines()
            .find(|line| line.contains(secret.as_str()) || line.to_lowercase().contains(&hex));
        assert!(found.is_none(), "{what} stored readable: {found:?}");
        assert!(!lower.contains(&hex), "{what} stored hex-encoded");
    }
    let logs = captured_logs();
    assert!(
        logs.contains(id) && logs.contains("refused a cross-site request"),
        "the log holds this journey"
    );
    for (what, secret) in &secrets {
        let line = logs.lines().find(|line| line.contains(secret.as_str()));
        assert!(line.is_none(), "{what} logged: {line:?}");
    }
    a.app.cleanup().await;
}

async fn rotation_reseals_every_value_while_the_server_runs(backend: Backend) {
    use app::domain::services::keys;
    use server::cli::{Cli, Command, KeysCommand, run};
    use server::master_key;

    let a = api(backend).await;
    a.oauth_connector().await;
    add_endpoint(&a.app, "https://hooks.example.com/authlink", &[]).await;
    let response = a
        .http
        .post(a.app.url("/api/v1/connect-links"))
        .bearer_auth(&a.key)
        .header("idempotency-key", "rotate-1")
        .json(&json!({"tenant": {"external_id": "cus_k", "name": "Keys"}, "connector": "acme-crm"}))
        .send()
        .await
        .expect("link");
    let link: Value = response.json().await.expect("json");
    a.connect_oauth(link["url"].as_str().expect("url"), "c-rotate")
        .await;
    let (_, listed) = a.get("/api/v1/connections").await;
    let id = listed["data"][0]["id"].as_str().expect("id").to_owned();
    let credentials = format!("/api/v1/connections/{id}/credentials");
    let (_, before_creds) = a.get(&credentials).await;

    let db = &a.app.state.db;
    let old = a.app.state.keyring.active_key_id();
    let before = keys::status(db, &a.app.state.keyring)
        .await
        .expect("status");
    assert_eq!(before.len(), 1, "{before:?}");
    let columns: Vec<&str> = before[0].columns.keys().map(String::as_str).collect();
    assert_eq!(
        columns,
        [
            "connections.credentials",
            "connectors.client_secret",
            "idempotency_keys.body",
            "oauth_flows.pkce_verifier",
            "webhook_endpoints.secret",
        ]
    );

    // A rotation that stopped right after it added its key: running again continues it.
    let config = a.app.config.clone();
    let new = master_key::add_key(&config)
        .expect("key added")
        .active_key_id();
    assert_ne!(new, old);
    let rotate = Cli {
        command: Some(Command::Keys {
            command: KeysCommand::Rotate { batch: 2 },
        }),
        demo: false,
    };
    run(rotate, config.clone())
        .await
        .expect("rotation continues");

    let ring = master_key::load_keyring(&config).expect("keys");
    assert_eq!(ring.key_ids(), [new.clone(), old.clone()], "no third key");
    let after = keys::status(db, &ring).await.expect("status");
    assert_eq!(after[0].key_id, new);
    assert_eq!(after[0].columns, before[0].columns, "every value moved");
    assert_eq!(
        (after[1].key_id.as_str(), after[1].total()),
        (old.as_str(), 0)
    );

    // The running server reads what was re-sealed, and seals with the new key from then on.
    let (status, after_creds) = a.get(&credentials).await;
    assert_eq!(status, 200, "{after_creds}");
    assert_eq!(after_creds["access_token"], before_creds["access_token"]);
    assert_eq!(a.app.state.keyring.active_key_id(), new);
    a.app.cleanup().await;
}
