//! `/api/docs`: the API reference, rendered on the server from the OpenAPI document, without
//! script, so it works offline and under the strict CSP.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn schema_name(schema: &Value) -> String {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or(r);
        return format!("<a href=\"#schema-{0}\">{0}</a>", escape(name));
    }
    if let Some(items) = schema.get("items") {
        return format!("array of {}", schema_name(items));
    }
    if let Some(one_of) = schema.get("oneOf").and_then(Value::as_array) {
        return one_of
            .iter()
            .map(schema_name)
            .collect::<Vec<_>>()
            .join(" or ");
    }
    match schema.get("type") {
        Some(Value::String(t)) => escape(t),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .map(escape)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "object".into(),
    }
}

/// Renders the whole reference page.
pub fn render(json: &Value) -> String {
    let mut html = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Authlink API reference</title><link rel=\"stylesheet\" href=\"/pkg/authlink.css\"></head><body><main id=\"main\" class=\"docs\">",
    );
    let info = &json["info"];
    html.push_str(&format!(
        "<h1>{} <small>v{}</small></h1><p>{}</p><p><a href=\"/api/v1/openapi.json\">OpenAPI document (JSON)</a> · <a href=\"/settings\">Create an API key</a></p>",
        escape(info["title"].as_str().unwrap_or("API")),
        escape(info["version"].as_str().unwrap_or("")),
        escape(info["description"].as_str().unwrap_or("")),
    ));
    html.push_str("<nav aria-label=\"Endpoints\"><h2>Endpoints</h2><ul>");
    let mut operations = Vec::new();
    if let Some(paths) = json["paths"].as_object() {
        for (path, item) in paths {
            if let Some(item) = item.as_object() {
                for (method, op) in item {
                    if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                        operations.push((path.clone(), method.clone(), op.clone()));
                    }
                }
            }
        }
    }
    for (path, method, op) in &operations {
        let id = op["operationId"].as_str().unwrap_or("");
        html.push_str(&format!(
            "<li><a href=\"#op-{}\"><code>{} {}</code></a> — {}</li>",
            escape(id),
            method.to_uppercase(),
            escape(path),
            escape(op["summary"].as_str().unwrap_or(""))
        ));
    }
    html.push_str("</ul></nav>");
    for (path, method, op) in &operations {
        let id = op["operationId"].as_str().unwrap_or("");
        html.push_str(&format!(
            "<section class=\"card\" id=\"op-{}\"><h2><code>{} {}</code></h2><p>{}</p>",
            escape(id),
            method.to_uppercase(),
            escape(path),
            escape(
                op["description"]
                    .as_str()
                    .or(op["summary"].as_str())
                    .unwrap_or("")
            )
        ));
        if let Some(params) = op["parameters"].as_array().filter(|p| !p.is_empty()) {
            html.push_str("<h3>Parameters</h3><ul>");
            for p in params {
                html.push_str(&format!(
                    "<li><code>{}</code> ({}, {}) — {}</li>",
                    escape(p["name"].as_str().unwrap_or("")),
                    escape(p["in"].as_str().unwrap_or("")),
                    schema_name(&p["schema"]),
                    escape(p["description"].as_str().unwrap_or(""))
                ));
            }
            html.push_str("</ul>");
        }
        if let Some(schema) = op.pointer("/requestBody/content/application~1json/schema") {
            html.push_str(&format!(
                "<h3>Request body</h3><p>{}</p>",
                schema_name(schema)
            ));
        }
        if let Some(responses) = op["responses"].as_object() {
            html.push_str("<h3>Responses</h3><ul>");
            for (status, r) in responses {
                let body = r
                    .get("content")
                    .and_then(Value::as_object)
                    .and_then(|c| c.iter().next())
                    .map(|(media, m)| {
                        format!(
                            " — {} (<code>{}</code>)",
                            schema_name(&m["schema"]),
                            escape(media)
                        )
                    })
                    .unwrap_or_default();
                let headers = r
                    .get("headers")
                    .and_then(Value::as_object)
                    .map(|h| {
                        h.keys()
                            .map(|name| format!(", with <code>{}</code>", escape(name)))
                            .collect::<String>()
                    })
                    .unwrap_or_default();
                html.push_str(&format!(
                    "<li><code>{}</code> {}{}{}</li>",
                    escape(status),
                    escape(r["description"].as_str().unwrap_or("")),
                    body,
                    headers
                ));
            }
            html.push_str("</ul>");
        }
        html.push_str("</section>");
    }
    html.push_str("<h2>Schemas</h2>");
    if let Some(schemas) = json
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, schema) in schemas {
            html.push_str(&format!(
                "<section class=\"card\" id=\"schema-{0}\"><h3>{0}</h3><p>{1}</p>",
                escape(name),
                escape(schema["description"].as_str().unwrap_or(""))
            ));
            if let Some(props) = schema["properties"].as_object() {
                let required: Vec<&str> = schema["required"]
                    .as_array()
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                html.push_str("<ul>");
                for (prop, s) in props {
                    html.push_str(&format!(
                        "<li><code>{}</code>{} ({}) — {}</li>",
                        escape(prop),
                        if required.contains(&prop.as_str()) {
                            " <strong>required</strong>"
                        } else {
                            ""
                        },
                        schema_name(s),
                        escape(s["description"].as_str().unwrap_or(""))
                    ));
                }
                html.push_str("</ul>");
            }
            html.push_str("</section>");
        }
    }
    html.push_str("<h2>Problem codes</h2><ul>");
    for (code, what) in [
        (
            "unauthorized",
            "401: missing, malformed, unknown or revoked API key; sent with `WWW-Authenticate: Bearer`",
        ),
        (
            "insufficient_scope",
            "403: the key lacks the scope the endpoint needs",
        ),
        ("not_found", "404: unknown resource"),
        (
            "method_not_allowed",
            "405: the path does not take this method; `Allow` lists those it takes",
        ),
        (
            "bad_request",
            "400: malformed JSON or JSON of another shape than documented (an array for an object), a bad query, limit or cursor",
        ),
        (
            "unsupported_media_type",
            "415: the body is not application/json",
        ),
        (
            "payload_too_large",
            "413: the body is larger than 64 KiB, with or without Content-Length; the connection is closed",
        ),
        (
            "validation_failed",
            "422: the input breaks a rule; `detail` says which",
        ),
        ("conflict", "409: e.g. a duplicate external id or key"),
        (
            "idempotency_key_reused",
            "422: the Idempotency-Key was used with another request",
        ),
        (
            "idempotency_in_progress",
            "409: the first request with this Idempotency-Key is still running",
        ),
        (
            "rate_limited",
            "429: too many requests this minute; see Retry-After",
        ),
        (
            "needs_reauth",
            "409: the provider refused the refresh token; the tenant must reconnect",
        ),
        (
            "owner_required",
            "403: the endpoint URLs of a connector with connections change only by the owner, in the dashboard",
        ),
        (
            "invalid_grant",
            "400: an exchange code that is unknown, expired or already redeemed (a reuse is also audited as `link.exchange_reused`)",
        ),
        (
            "pending_confirmation",
            "409: the connection waits for its exchange code to be redeemed; nothing is usable yet",
        ),
        (
            "provider_unavailable",
            "502: the provider could not refresh the token now; retry later",
        ),
        ("internal_error", "500: logged on our side"),
    ] {
        html.push_str(&format!(
            "<li id=\"problem-{0}\"><code>{0}</code> — {1}</li>",
            code,
            escape(what)
        ));
    }
    html.push_str("</ul></main></body></html>");
    html
}

/// The page as a response with a CSP that allows only our stylesheet.
pub fn response(page: &str) -> Response {
    let mut response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page.to_owned(),
    )
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        ),
    );
    response
}
