//! A provider simulator: one HTTP server on port 0 that the application sends every provider
//! request to (`AUTHLINK_PROVIDER_SIMULATOR`), with the provider's host in `Host`. A test gives
//! it a handler that answers the way the provider's documentation says, quirks included, and
//! reads back every request it received.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::Response;
use base64::Engine;

/// One request as the simulator saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: Method,
    /// The provider host the application meant (from `Host`).
    pub host: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    /// The form fields of a form-encoded body.
    pub form: HashMap<String, String>,
    /// The body as text.
    pub body: String,
}

impl Seen {
    /// The user and password of an HTTP Basic `Authorization` header.
    pub fn basic(&self) -> Option<(String, String)> {
        let encoded = self.headers.get("authorization")?.strip_prefix("Basic ")?;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (user, password) = text.split_once(':')?;
        Some((user.to_owned(), password.to_owned()))
    }

    /// The token of an `Authorization: Bearer` header.
    pub fn bearer(&self) -> Option<&str> {
        self.headers.get("authorization")?.strip_prefix("Bearer ")
    }
}

/// An answer: status, content type and body.
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Self {
            status,
            content_type: "application/json",
            body: body.to_string().into_bytes(),
        }
    }

    pub fn not_found() -> Self {
        Self::json(404, serde_json::json!({"error": "not_found"}))
    }
}

type Handler = dyn Fn(&Seen) -> Reply + Send + Sync;

#[derive(Clone)]
pub struct Simulator {
    pub base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

#[derive(Clone)]
struct Shared {
    seen: Arc<Mutex<Vec<Seen>>>,
    handler: Arc<Handler>,
}

impl Simulator {
    pub async fn start(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Self {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let shared = Shared {
            seen: seen.clone(),
            handler: Arc::new(handler),
        };
        let app = Router::new().fallback(answer).with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind simulator");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move {
            axum::serve(listener, app).await.ok();
        });
        Self { base, seen }
    }

    /// Every request received so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }

    /// The requests to `path`.
    pub fn seen_at(&self, path: &str) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| s.path == path).collect()
    }
}

fn pairs(text: &str) -> HashMap<String, String> {
    url::form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect()
}

async fn answer(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = String::from_utf8_lossy(&body).into_owned();
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    let seen = Seen {
        method,
        host: headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        path: uri.path().to_owned(),
        headers: headers
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect(),
        form: if is_form {
            pairs(&body)
        } else {
            HashMap::new()
        },
        body,
    };
    let reply = (shared.handler)(&seen);
    shared.seen.lock().expect("lock").push(seen);
    Response::builder()
        .status(StatusCode::from_u16(reply.status).expect("status"))
        .header(header::CONTENT_TYPE, reply.content_type)
        .body(Body::from(reply.body))
        .expect("response")
}
