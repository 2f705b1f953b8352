//! What keeps the API and its OpenAPI document in agreement: every error answer the handlers can
//! give is listed in the document as a problem document, bodies are held to the documented
//! shapes, and every error that leaves `/api/v1` is `application/problem+json`, whichever layer
//! produced it.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{
    ContentBuilder, HeaderBuilder, OpenApi, Ref, RefOr, ResponseBuilder, Type,
    schema::ObjectBuilder,
};

use super::Problem;

/// The media type of every error answer (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Adds the error answers each operation can give to the document, each as a problem document:
/// 401/403/429 for every operation (all need an API key with a scope, all are rate limited), 404
/// where a path names a resource, 400 where there is a query or an `Idempotency-Key`, and
/// 400/413/415/422 where there is a body. Problem bodies the handlers already list are moved from
/// `application/json` to `application/problem+json`.
pub fn document_errors(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        for operation in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            document_operation(operation);
        }
    }
}

fn document_operation(operation: &mut Operation) {
    let parameters: Vec<&utoipa::openapi::path::Parameter> = operation
        .parameters
        .iter()
        .flatten()
        .filter_map(|p| match p {
            RefOr::T(p) => Some(p),
            RefOr::Ref(_) => None,
        })
        .collect();
    let in_path = parameters
        .iter()
        .any(|p| matches!(p.parameter_in, ParameterIn::Path));
    let in_query = parameters
        .iter()
        .any(|p| matches!(p.parameter_in, ParameterIn::Query));
    let idempotent = parameters
        .iter()
        .any(|p| p.name.eq_ignore_ascii_case("idempotency-key"));
    let has_body = operation.request_body.is_some();

    let mut wanted: Vec<(&str, &str)> = vec![
        (
            "401",
            "No valid API key (missing, malformed, unknown or revoked)",
        ),
        ("403", "The API key lacks the scope this operation needs"),
        ("429", "This API key has used its requests for this minute"),
    ];
    if in_path {
        wanted.push(("404", "Not found"));
    }
    if in_query {
        wanted.push(("400", "A query parameter is not valid"));
    }
    if idempotent {
        wanted.push((
            "400",
            "The Idempotency-Key is not 1–255 visible ASCII characters",
        ));
        wanted.push((
            "409",
            "The first request with this Idempotency-Key is still running",
        ));
        wanted.push((
            "422",
            "The Idempotency-Key was used with another request, or the input breaks a rule",
        ));
    }
    if has_body {
        wanted.push(("400", "The body is not JSON of the documented shape"));
        wanted.push(("413", "The body is larger than 64 KiB"));
        wanted.push(("415", "The body is not sent as application/json"));
        wanted.push(("422", "The input breaks a rule; `detail` says which"));
    }

    let responses = &mut operation.responses.responses;
    for (status, description) in wanted {
        if responses.contains_key(status) {
            continue;
        }
        let mut response = ResponseBuilder::new()
            .description(description)
            .content(PROBLEM_JSON, problem_content());
        match status {
            "401" => {
                response = response.header(
                    "WWW-Authenticate",
                    HeaderBuilder::new()
                        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                        .description(Some("`Bearer` (RFC 6750)"))
                        .build(),
                );
            }
            "429" => {
                response = response.header(
                    "Retry-After",
                    HeaderBuilder::new()
                        .schema(Some(ObjectBuilder::new().schema_type(Type::Integer)))
                        .description(Some("Seconds until the key may call again"))
                        .build(),
                );
            }
            _ => {}
        }
        responses.insert(status.to_owned(), RefOr::T(response.build()));
    }
    for response in responses.values_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        if let Some(content) = response.content.shift_remove("application/json") {
            if matches!(&content, RefOr::T(c) if is_problem(&c.schema)) {
                response.content.insert(PROBLEM_JSON.to_owned(), content);
            } else {
                response
                    .content
                    .insert("application/json".to_owned(), content);
            }
        }
    }
}

fn problem_content() -> utoipa::openapi::Content {
    ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("Problem")))
        .build()
}

fn is_problem(schema: &Option<RefOr<utoipa::openapi::schema::Schema>>) -> bool {
    matches!(schema, Some(RefOr::Ref(r)) if r.ref_location.ends_with("/Problem"))
}

/// The documented schemas, to hold request bodies to them before serde reads them.
pub struct Shapes {
    schemas: Map<String, Value>,
}

impl Shapes {
    /// The component schemas of the document `doc` (as JSON).
    pub fn new(doc: &Value) -> Self {
        let schemas = doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        Self { schemas }
    }

    /// Checks that `value` has the JSON types the document gives `T` and everything in it: an
    /// array where an object is documented is refused (serde alone reads a struct from a JSON
    /// array). A number with a zero fraction where an integer is documented (`300.0`) is one in
    /// JSON Schema, and is rewritten as one for serde. Other rules stay with serde and the
    /// domain's validation.
    pub fn check<T: utoipa::ToSchema>(&self, value: &mut Value) -> Result<(), String> {
        match self.schemas.get(T::name().as_ref()) {
            Some(schema) => self.walk(value, schema, "the body", 0),
            None => Ok(()),
        }
    }

    fn walk(
        &self,
        value: &mut Value,
        schema: &Value,
        at: &str,
        depth: usize,
    ) -> Result<(), String> {
        // The document has no recursive types; the bound only guards against a loop of `$ref`s.
        if depth > 16 {
            return Ok(());
        }
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let name = reference.rsplit('/').next().unwrap_or(reference);
            return match self.schemas.get(name) {
                Some(target) => self.walk(value, target, at, depth + 1),
                None => Ok(()),
            };
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(branches) = schema.get(key).and_then(Value::as_array) {
                let mut first_complaint = None;
                for branch in branches {
                    // A branch that fails must not leave its rewrites behind.
                    let mut candidate = value.clone();
                    match self.walk(&mut candidate, branch, at, depth + 1) {
                        Ok(()) => {
                            *value = candidate;
                            return Ok(());
                        }
                        Err(e) => {
                            first_complaint.get_or_insert(e);
                        }
                    }
                }
                return first_complaint.map_or(Ok(()), Err);
            }
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for part in all {
                self.walk(value, part, at, depth + 1)?;
            }
        }
        let declared: Vec<&str> = match schema.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !declared.is_empty() && !declared.iter().any(|t| has_type(value, t)) {
            return Err(format!("{at} must be {}", declared.join(" or ")));
        }
        if declared.contains(&"integer")
            && let Some(whole) = value.as_f64().filter(|f| f.fract() == 0.0)
            && !(value.is_i64() || value.is_u64())
            && whole.abs() < 9.0e15
        {
            // Exact: |whole| < 2^53.
            *value = Value::from(whole as i64);
        }
        match value {
            Value::Object(fields) => {
                if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                    for (name, field) in fields.iter_mut() {
                        if let Some(field_schema) = properties.get(name) {
                            self.walk(field, field_schema, &format!("`{name}`"), depth + 1)?;
                        }
                    }
                }
            }
            Value::Array(items) => {
                let positional = schema.get("prefixItems").and_then(Value::as_array);
                for (i, item) in items.iter_mut().enumerate() {
                    let item_schema = positional
                        .and_then(|p| p.get(i))
                        .or_else(|| schema.get("items"));
                    if let Some(item_schema) = item_schema {
                        self.walk(item, item_schema, &format!("{at}[{i}]"), depth + 1)?;
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}

fn has_type(value: &Value, json_type: &str) -> bool {
    match json_type {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "number" => value.is_number(),
        "integer" => {
            value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => true,
    }
}

/// The edge of `/api/v1`: reads the request body in full (at most `limit` bytes), so a
/// body over the limit gets the same `413` problem with or without `Content-Length`, and turns
/// every error answer that is not yet a problem document (a `405` from the router, an extractor's
/// rejection) into one, keeping its headers (`Allow`).
pub async fn edges(State(limit): State<usize>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(e) if is_length_limit(&e) => {
            return Problem::payload_too_large(limit).into_response();
        }
        Err(e) => {
            tracing::debug!(error = %e, "could not read a request body");
            let mut response =
                Problem::bad_request("The request body could not be read.").into_response();
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            return response;
        }
    };
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_problem_response(&response) {
        return response;
    }
    let (parts, _) = response.into_parts();
    let mut problem = Problem::from_status(status).into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            problem.headers_mut().insert(name.clone(), value.clone());
        }
    }
    problem
}

fn is_problem_response(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON))
}

fn is_length_limit(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shapes() -> Shapes {
        Shapes::new(&serde_json::to_value(super::super::openapi()).expect("document"))
    }

    #[test]
    fn a_json_array_is_not_an_object() {
        let shapes = shapes();
        let mut array = serde_json::json!(["Array Inc", "cus_1"]);
        assert!(
            shapes
                .check::<super::super::tenants::TenantCreate>(&mut array)
                .is_err()
        );
        let mut object = serde_json::json!({"name": "Array Inc", "external_id": "cus_1"});
        assert!(
            shapes
                .check::<super::super::tenants::TenantCreate>(&mut object)
                .is_ok()
        );
    }

    #[test]
    fn nested_objects_are_checked_too() {
        let shapes = shapes();
        let mut nested = serde_json::json!({"tenant": ["cus_1"], "connector": "c"});
        let err = shapes
            .check::<super::super::links::LinkCreate>(&mut nested)
            .expect_err("an array for tenant");
        assert!(err.contains("tenant"), "{err}");
        let mut fine = serde_json::json!({"tenant": {"external_id": "cus_1"}, "connector": "c", "end_user": null, "expires_in": 300.0});
        assert_eq!(
            shapes.check::<super::super::links::LinkCreate>(&mut fine),
            Ok(())
        );
        assert!(fine["expires_in"].is_i64(), "{fine}");
        let mut fraction =
            serde_json::json!({"tenant": {"external_id": "cus_1"}, "expires_in": 300.5});
        assert!(
            shapes
                .check::<super::super::links::LinkCreate>(&mut fraction)
                .is_err()
        );
    }

    #[test]
    fn every_error_is_documented_as_a_problem() {
        let doc = serde_json::to_value(super::super::openapi()).expect("document");
        let paths = doc["paths"].as_object().expect("paths");
        for (path, item) in paths {
            for (method, op) in item.as_object().expect("path item") {
                let responses = op["responses"].as_object().expect("responses");
                for status in ["401", "403", "429"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path} lacks {status}"
                    );
                }
                for (status, response) in responses {
                    if status.starts_with('4') {
                        let content = response["content"].as_object().expect("content");
                        assert!(
                            content.contains_key(PROBLEM_JSON) && content.len() == 1,
                            "{method} {path} {status}: {content:?}"
                        );
                    }
                }
            }
        }
    }
}
