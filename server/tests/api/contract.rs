//! The REST API keeps to its OpenAPI document: a schema-driven fuzzer (Schemathesis) finds no
//! server error and no answer that contradicts the document; every error is a problem document,
//! whichever layer refused the request; bodies must have the documented shapes; and requests that
//! race on one tenant never answer 5xx.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use futures::future::join_all;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{Backend, TestOptions};
use crate::on_both_backends;
use crate::rest::{Api, api, api_with};

on_both_backends!(
    a_schema_driven_fuzzer_finds_nothing,
    errors_are_problem_documents_with_their_challenge,
    bodies_over_the_limit_get_a_problem_and_close_the_connection,
    json_arrays_are_not_objects,
    racing_writes_on_one_tenant_never_answer_5xx,
    filters_with_bytes_no_key_has_are_not_found,
);

/// The `st` command of Schemathesis: `AUTHLINK_SCHEMATHESIS`, else where `scripts/setup.sh test`
/// installs it.
fn schemathesis() -> Option<PathBuf> {
    let path = std::env::var_os("AUTHLINK_SCHEMATHESIS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|home| PathBuf::from(home).join(".cache/authlink/schemathesis/bin/st"))
        })?;
    path.is_file().then_some(path)
}

async fn a_schema_driven_fuzzer_finds_nothing(backend: Backend) {
    let Some(st) = schemathesis() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but Schemathesis is not installed: run scripts/setup.sh test");
        }
        eprintln!(
            "SKIPPED the schema-driven contract test: Schemathesis is not installed (scripts/setup.sh test)"
        );
        return;
    };
    let a = api_with(
        backend,
        TestOptions {
            // The fuzzer sends thousands of requests; the limit itself has its own test.
            extra_env: vec![("AUTHLINK_API_RATE_LIMIT", "1000000".into())],
            ..TestOptions::default()
        },
    )
    .await;
    // Something to find, so reads and writes of existing resources are exercised too.
    a.key_connector().await;
    a.allow_origin("https://app.example.com").await;
    let (status, _) = a
        .post(
            "/api/v1/tenants",
            json!({"name": "Initech", "external_id": "cus_1"}),
        )
        .await;
    assert_eq!(status, 201);

    let config = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/schemathesis.toml");
    let report = tempfile::tempdir().expect("report dir");
    let base = a.app.url("");
    let key = a.key.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(st)
            .arg("--config-file")
            .arg(config)
            .arg("--no-color")
            .args(["run", &format!("{base}/api/v1/openapi.json")])
            .args(["--url", &base])
            .args(["--header", &format!("Authorization: Bearer {key}")])
            .arg("--report-dir")
            .arg(report.path())
            .current_dir(report.path())
            .output()
    })
    .await
    .expect("join")
    .expect("run Schemathesis");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "Schemathesis found problems:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // A run that tested nothing would also succeed: the summary says how many cases it made.
    assert!(generated_cases(&stdout) > 100, "{stdout}");
    a.app.cleanup().await;
}

/// The `N generated` count of Schemathesis' summary (`Test cases: N generated, …`); 0 if absent.
fn generated_cases(report: &str) -> u64 {
    report
        .lines()
        .find_map(|line| line.trim().split_once(" generated"))
        .and_then(|(count, _)| count.trim().parse().ok())
        .unwrap_or(0)
}

#[test]
fn the_case_count_is_read_from_the_summary() {
    let report = "Test cases:\n  1628 generated, 1 found 1 unique failure, 26 skipped\n";
    assert_eq!(generated_cases(report), 1628);
    assert_eq!(generated_cases("✅ 20 passed"), 0);
}

async fn errors_are_problem_documents_with_their_challenge(backend: Backend) {
    let a = api(backend).await;
    let (status, headers, body) = a
        .send(reqwest::Method::DELETE, "/api/v1/connections/0", None, None)
        .await;
    assert_eq!((status, body["code"].as_str()), (401, Some("unauthorized")));
    assert_eq!(
        headers.get("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(headers.get("www-authenticate"), Some("Bearer"));

    let reader = crate::rest::new_key(&a.app, &["tenants:read"]).await;
    let (status, headers, body) = a
        .send(
            reqwest::Method::DELETE,
            "/api/v1/connections/0",
            Some(&reader),
            None,
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("insufficient_scope"))
    );
    assert_eq!(
        headers.get("www-authenticate"),
        Some(r#"Bearer error="insufficient_scope", scope="connections:write""#)
    );

    // A method the path does not have: the router's 405, as a problem, with `Allow`.
    let (status, headers, body) = a
        .send(
            reqwest::Method::PUT,
            "/api/v1/connectors",
            Some(&a.key),
            None,
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (405, Some("method_not_allowed"))
    );
    assert_eq!(
        headers.get("content-type"),
        Some("application/problem+json")
    );
    let allow = headers.get("allow").unwrap_or_default();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");

    // Without a content type: 415, documented.
    let (status, _) = a
        .post("/api/v1/tenants", json!({"name": "T", "external_id": "t1"}))
        .await;
    assert_eq!(status, 201);
    let response = reqwest::Client::new()
        .patch(a.app.url("/api/v1/tenants/t1"))
        .bearer_auth(&a.key)
        .body(r#"{"name":"U"}"#)
        .send()
        .await
        .expect("patch");
    assert_eq!(response.status(), 415);
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );

    // The document lists those answers with the problem media type.
    let (_, doc) = a.get("/api/v1/openapi.json").await;
    let delete = &doc["paths"]["/api/v1/connections/{id}"]["delete"]["responses"];
    for status in ["401", "403", "404", "429"] {
        assert!(
            delete[status]["content"]["application/problem+json"].is_object(),
            "{status}: {delete}"
        );
    }
    assert!(delete["401"]["headers"]["WWW-Authenticate"].is_object());
    let patch = &doc["paths"]["/api/v1/tenants/{id}"]["patch"]["responses"];
    for status in ["400", "413", "415", "422"] {
        assert!(patch[status].is_object(), "{status}: {patch}");
    }
    let limit = doc["paths"]["/api/v1/tenants"]["get"]["parameters"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == "limit"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(limit["schema"]["minimum"], 1, "{limit}");
    assert!(limit["schema"]["type"].to_string().contains("integer"));
    let name = &doc["components"]["schemas"]["TenantCreate"]["properties"]["name"];
    assert_eq!(name["minLength"], 1, "{name}");
    // `{"tenant": {}}` names no tenant, and the document says so.
    let tenant_ref = &doc["components"]["schemas"]["TenantRef"];
    let branches = tenant_ref["oneOf"].as_array().cloned().unwrap_or_default();
    assert_eq!(branches.len(), 2, "{tenant_ref}");
    assert!(
        branches
            .iter()
            .all(|b| b["required"].as_array().is_some_and(|r| !r.is_empty()))
    );

    // The reference page shows them too.
    let page = reqwest::get(a.app.url("/api/docs"))
        .await
        .expect("docs")
        .text()
        .await
        .expect("page");
    let section = page
        .split("id=\"op-delete_connection\"")
        .nth(1)
        .and_then(|rest| rest.split("</section>").next())
        .unwrap_or_default();
    assert!(
        section.contains("<code>401</code>")
            && section.contains("<code>application/problem+json</code>")
            && section.contains("<code>WWW-Authenticate</code>"),
        "{section}"
    );
    a.app.cleanup().await;
}

/// Sends `head` and `body` on a fresh connection and reads the answer to its end.
async fn raw_exchange(a: &Api, head: String, body: &[u8]) -> String {
    let address = a.app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    stream.write_all(head.as_bytes()).await.expect("head");
    // The server may answer and close before it has read everything.
    let _ = stream.write_all(body).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut answer),
    )
    .await;
    String::from_utf8_lossy(&answer).into_owned()
}

async fn bodies_over_the_limit_get_a_problem_and_close_the_connection(backend: Backend) {
    let a = api(backend).await;
    let host = a.app.base.trim_start_matches("http://").to_owned();
    let megabyte = vec![b'a'; 1 << 20];
    let chunk = |data: &[u8]| {
        let mut out = format!("{:x}\r\n", data.len()).into_bytes();
        out.extend_from_slice(data);
        out.extend_from_slice(b"\r\n");
        out
    };
    let mut chunked = Vec::new();
    for part in megabyte.chunks(64 * 1024) {
        chunked.extend(chunk(part));
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let head = format!(
        "POST /api/v1/tenants HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        a.key
    );
    let answer = raw_exchange(&a, head, &chunked).await;
    let lower = answer.to_ascii_lowercase();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        lower.contains("content-type: application/problem+json"),
        "{answer}"
    );
    assert!(lower.contains("connection: close"), "{answer}");
    assert!(answer.contains("\"payload_too_large\""), "{answer}");

    let head = format!(
        "POST /api/v1/tenants HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        a.key,
        megabyte.len()
    );
    let answer = raw_exchange(&a, head, &megabyte).await;
    let lower = answer.to_ascii_lowercase();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        lower.contains("content-type: application/problem+json"),
        "{answer}"
    );
    assert!(lower.contains("connection: close"), "{answer}");

    // A chunked body under the limit is read as usual.
    let small = chunk(br#"{"name":"Chunked","external_id":"chunked"}"#);
    let head = format!(
        "POST /api/v1/tenants HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        a.key
    );
    let answer = raw_exchange(&a, head, &[small, b"0\r\n\r\n".to_vec()].concat()).await;
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    let (_, list) = a.get("/api/v1/tenants").await;
    assert_eq!(list["data"].as_array().map(Vec::len), Some(1), "{list}");
    a.app.cleanup().await;
}

async fn json_arrays_are_not_objects(backend: Backend) {
    let a = api(backend).await;
    let (status, body) = a
        .post("/api/v1/tenants", json!(["Array Inc", "cus_1"]))
        .await;
    assert_eq!((status, body["code"].as_str()), (400, Some("bad_request")));
    let (_, list) = a.get("/api/v1/tenants").await;
    assert_eq!(list["data"], json!([]), "nothing was created");

    let (status, tenant) = a
        .post(
            "/api/v1/tenants",
            json!({"name": "Object Inc", "external_id": "cus_2"}),
        )
        .await;
    assert_eq!(status, 201);
    let id = tenant["id"].as_str().unwrap_or_default().to_owned();
    let (status, _, body) = a
        .send(
            reqwest::Method::PATCH,
            &format!("/api/v1/tenants/{id}"),
            Some(&a.key),
            Some(json!(["New name", null])),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (400, Some("bad_request")));
    let (_, after) = a.get(&format!("/api/v1/tenants/{id}")).await;
    assert_eq!(after["name"], "Object Inc", "not renamed");

    a.key_connector().await;
    let (status, body) = a
        .post(
            "/api/v1/connect-links",
            json!({"tenant": ["cus_2"], "connector": "acme-api"}),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (400, Some("bad_request")));
    let (status, body) = a
        .post(
            "/api/v1/connect-links",
            json!({"tenant": {"external_id": "cus_2"}, "connector": "acme-api", "end_user": ["a@b.c"]}),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (400, Some("bad_request")));
    let (_, links) = a.get("/api/v1/connect-links").await;
    assert_eq!(links["data"], json!([]), "no link was created");
    a.app.cleanup().await;
}

async fn racing_writes_on_one_tenant_never_answer_5xx(backend: Backend) {
    let a = Arc::new(api(backend).await);
    for round in 0..25 {
        let external_id = format!("race-{round}");
        let (status, tenant) = a
            .post(
                "/api/v1/tenants",
                json!({"name": "Before", "external_id": external_id}),
            )
            .await;
        assert_eq!(status, 201, "{tenant}");
        let id = tenant["id"].as_str().unwrap_or_default().to_owned();
        let patch = {
            let (a, path) = (a.clone(), format!("/api/v1/tenants/{id}"));
            async move {
                a.send(
                    reqwest::Method::PATCH,
                    &path,
                    Some(&a.key),
                    Some(json!({"name": "Patched"})),
                )
                .await
                .0
            }
        };
        let delete = {
            let (a, path) = (a.clone(), format!("/api/v1/tenants/{id}"));
            async move { a.delete(&path).await }
        };
        let upsert = {
            let (a, path) = (
                a.clone(),
                format!("/api/v1/tenants/by-external-id/{external_id}"),
            );
            async move {
                a.send(
                    reqwest::Method::PUT,
                    &path,
                    Some(&a.key),
                    Some(json!({"name": "Upserted"})),
                )
                .await
                .0
            }
        };
        let (patched, deleted, upserted) = tokio::join!(
            tokio::spawn(patch),
            tokio::spawn(delete),
            tokio::spawn(upsert)
        );
        let (patched, deleted, upserted) = (
            patched.expect("patch"),
            deleted.expect("delete"),
            upserted.expect("upsert"),
        );
        assert!([200, 404].contains(&patched), "PATCH {patched}");
        assert!([204, 404].contains(&deleted), "DELETE {deleted}");
        assert!([200, 201].contains(&upserted), "PUT {upserted}");
        // Whatever the order, a tenant left under that external id carries a write that won.
        let (status, after) = a.get(&format!("/api/v1/tenants/{external_id}")).await;
        match status {
            200 => assert!(
                ["Upserted", "Patched"].contains(&after["name"].as_str().unwrap_or_default()),
                "round {round}: {after}"
            ),
            404 => assert_eq!(deleted, 204, "round {round}: gone, so the DELETE won"),
            other => panic!("round {round}: GET {other} {after}"),
        }
    }
    // Many PATCHes and DELETEs of one tenant at once.
    let (_, tenant) = a
        .post(
            "/api/v1/tenants",
            json!({"name": "Crowd", "external_id": "crowd"}),
        )
        .await;
    let path = format!(
        "/api/v1/tenants/{}",
        tenant["id"].as_str().unwrap_or_default()
    );
    let statuses = join_all((0..20).map(|i| {
        let (a, path) = (a.clone(), path.clone());
        async move {
            if i % 4 == 0 {
                a.delete(&path).await
            } else {
                a.send(
                    reqwest::Method::PATCH,
                    &path,
                    Some(&a.key),
                    Some(json!({"name": format!("Crowd {i}")})),
                )
                .await
                .0
            }
        }
    }))
    .await;
    assert!(statuses.iter().all(|s| *s < 500), "{statuses:?}");
    assert_eq!(
        statuses.iter().filter(|s| **s == 204).count(),
        1,
        "{statuses:?}"
    );
    let a = Arc::into_inner(a).expect("no other holder");
    a.app.cleanup().await;
}

/// A connector filter with a NUL byte (which PostgreSQL refuses in text) or other bytes no key
/// has is simply an unknown connector, never a 500.
async fn filters_with_bytes_no_key_has_are_not_found(backend: Backend) {
    let a = api(backend).await;
    for filter in ["%00", "R%C3%8E%00_", "%C2%97", "a%20b"] {
        let (status, body) = a
            .get(&format!("/api/v1/connect-links?connector={filter}"))
            .await;
        assert_eq!(status, 404, "{filter}: {body}");
        assert_eq!(body["code"], "not_found");
    }
    a.app.cleanup().await;
}
