//! A small OAuth2 provider and credential-checking API on port 0, with switchable misbehaviour.
//! It checks PKCE the way a real authorization server does: the verifier sent to the token
//! endpoint must hash to the challenge the authorization request carried.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// How the token endpoint answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenMode {
    Ok,
    /// `{"error": "invalid_grant"}` with 400.
    Refuse,
    /// 200 with a body that is not a token response.
    Malformed,
    /// Never answers in time.
    Hang,
    /// 503, as a provider that is down.
    Unavailable,
}

#[derive(Clone)]
pub struct MockProvider {
    pub base: String,
    pub token_calls: Arc<AtomicUsize>,
    /// Refresh-token grants answered.
    pub refresh_calls: Arc<AtomicUsize>,
    /// Whether a refresh answer carries a new refresh token.
    pub rotate: Arc<std::sync::atomic::AtomicBool>,
    /// Tokens revoked at `/revoke` (RFC 7009), with their `token_type_hint`.
    pub revoked: Arc<Mutex<Vec<(String, String)>>>,
    /// Told when a refresh-token grant arrives.
    pub refresh_arrived: Arc<tokio::sync::Notify>,
    /// A refresh waits for this lock before answering: a test holds it to keep one in flight.
    pub refresh_gate: Arc<tokio::sync::Mutex<()>>,
    /// The `code` and `redirect_uri` of every authorization-code grant, as received.
    pub code_grants: Arc<Mutex<Vec<(String, String)>>>,
    mode: Arc<Mutex<TokenMode>>,
    /// code → PKCE challenge, registered by the test from the authorization URL.
    codes: Arc<Mutex<HashMap<String, String>>>,
}

pub const GOOD_API_KEY: &str = "sk-good-key-123";

impl MockProvider {
    pub async fn start() -> Self {
        let provider = MockProvider {
            base: String::new(),
            token_calls: Arc::new(AtomicUsize::new(0)),
            refresh_calls: Arc::new(AtomicUsize::new(0)),
            rotate: Arc::new(std::sync::atomic::AtomicBool::new(true)),
            revoked: Arc::new(Mutex::new(Vec::new())),
            refresh_arrived: Arc::new(tokio::sync::Notify::new()),
            refresh_gate: Arc::new(tokio::sync::Mutex::new(())),
            code_grants: Arc::new(Mutex::new(Vec::new())),
            mode: Arc::new(Mutex::new(TokenMode::Ok)),
            codes: Arc::new(Mutex::new(HashMap::new())),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind mock");
        let addr = listener.local_addr().expect("addr");
        let router = Router::new()
            .route("/token", post(token))
            .route("/revoke", post(revoke))
            .route("/me", get(me))
            .route("/verify", get(verify))
            .with_state(provider.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        MockProvider {
            base: format!("http://127.0.0.1:{}", addr.port()),
            ..provider
        }
    }

    pub fn set_mode(&self, mode: TokenMode) {
        *self.mode.lock().expect("lock") = mode;
    }

    /// Issues `code` for an authorization request that carried `challenge`.
    pub fn issue_code(&self, code: &str, challenge: &str) {
        self.codes
            .lock()
            .expect("lock")
            .insert(code.to_owned(), challenge.to_owned());
    }

    pub fn calls(&self) -> usize {
        self.token_calls.load(Ordering::SeqCst)
    }
}

async fn token(
    State(p): State<MockProvider>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    p.token_calls.fetch_add(1, Ordering::SeqCst);
    let mode = *p.mode.lock().expect("lock");
    match mode {
        TokenMode::Hang => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            return StatusCode::GATEWAY_TIMEOUT.into_response();
        }
        TokenMode::Malformed => return (StatusCode::OK, "<html>not json</html>").into_response(),
        TokenMode::Unavailable => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"error": "temporarily_unavailable"})),
            )
                .into_response();
        }
        TokenMode::Refuse => {
            return (
                StatusCode::BAD_REQUEST,
                Json(serde_json::json!({"error": "invalid_grant"})),
            )
                .into_response();
        }
        TokenMode::Ok => {}
    }
    if form.get("grant_type").map(String::as_str) == Some("refresh_token") {
        return refresh(&p, &form).await;
    }
    let code = form.get("code").cloned().unwrap_or_default();
    p.code_grants.lock().expect("lock").push((
        code.clone(),
        form.get("redirect_uri").cloned().unwrap_or_default(),
    ));
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    let challenge = p.codes.lock().expect("lock").remove(&code);
    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let client_ok = form.get("client_id").map(String::as_str) == Some("test-client")
        && form.get("client_secret").map(String::as_str) == Some("test-secret");
    if challenge.as_deref() != Some(computed.as_str())
        || form.get("grant_type").map(String::as_str) != Some("authorization_code")
        || !client_ok
    {
        return (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({"error": "invalid_grant"})),
        )
            .into_response();
    }
    Json(serde_json::json!({
        "access_token": format!("at-{code}"),
        "refresh_token": format!("rt-{code}"),
        "token_type": "Bearer",
        "expires_in": 3600,
        "scope": "read write",
        "instance_url": "https://acme.example.com"
    }))
    .into_response()
}

/// RFC 7009 revocation: needs the client's credentials; records the token.
async fn revoke(
    State(p): State<MockProvider>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let client_ok = form.get("client_id").map(String::as_str) == Some("test-client")
        && form.get("client_secret").map(String::as_str) == Some("test-secret");
    if !client_ok {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    p.revoked.lock().expect("lock").push((
        form.get("token").cloned().unwrap_or_default(),
        form.get("token_type_hint").cloned().unwrap_or_default(),
    ));
    StatusCode::OK.into_response()
}

/// The refresh-token grant: a new access token, and a rotated refresh token unless rotation is
/// switched off. It answers slowly enough for concurrent callers to overlap.
async fn refresh(p: &MockProvider, form: &HashMap<String, String>) -> Response {
    let client_ok = form.get("client_id").map(String::as_str) == Some("test-client")
        && form.get("client_secret").map(String::as_str) == Some("test-secret");
    let known = form
        .get("refresh_token")
        .is_some_and(|t| t.starts_with("rt-"));
    if !client_ok || !known {
        return (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({"error": "invalid_grant"})),
        )
            .into_response();
    }
    p.refresh_arrived.notify_one();
    drop(p.refresh_gate.lock().await);
    let n = p.refresh_calls.fetch_add(1, Ordering::SeqCst) + 1;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut body = serde_json::json!({
        "access_token": format!("at-refreshed-{n}"),
        "token_type": "Bearer",
        "expires_in": 3600,
    });
    if p.rotate.load(Ordering::SeqCst) {
        body["refresh_token"] = serde_json::json!(format!("rt-rotated-{n}"));
    }
    Json(body).into_response()
}

async fn me(headers: HeaderMap) -> Response {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if auth.starts_with("Bearer at-") {
        Json(serde_json::json!({"email": "ada@customer.example"})).into_response()
    } else {
        StatusCode::UNAUTHORIZED.into_response()
    }
}

async fn verify(headers: HeaderMap) -> Response {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if auth == format!("Bearer {GOOD_API_KEY}") {
        Json(serde_json::json!({"email": "ops@customer.example"})).into_response()
    } else {
        StatusCode::UNAUTHORIZED.into_response()
    }
}
