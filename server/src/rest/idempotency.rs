//! `Idempotency-Key` on create endpoints: the first response to a key is remembered for a day and
//! replayed to retries of the same request; the same key with a different request is refused.

use app::domain::services::idempotency::{self, Claim};
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::{Api, Caller, Problem};

const HEADER: &str = "idempotency-key";
/// Longest key accepted.
const KEY_MAX_CHARS: usize = 255;

/// The `Idempotency-Key` header as the document describes it.
pub struct IdempotencyHeader;

impl utoipa::IntoParams for IdempotencyHeader {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::Required;
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        vec![
            ParameterBuilder::new()
                .name("Idempotency-Key")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(
                    "Makes retries safe: a retry with the same key and body gets the first answer \
                     (kept for 24 hours).",
                ))
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .min_length(Some(1))
                        .max_length(Some(KEY_MAX_CHARS))
                        .pattern(Some("^[!-~]+$")),
                ))
                .build(),
        ]
    }
}

/// Runs `create` at most once per (API key, `Idempotency-Key`, request). Without the header it
/// simply runs.
pub async fn once<F, Fut>(
    api: &Api,
    caller: &Caller,
    headers: &HeaderMap,
    route: &str,
    body: &[u8],
    create: F,
) -> Response
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Response>,
{
    let Some(key) = headers.get(HEADER) else {
        return create().await;
    };
    let key = match key.to_str() {
        Ok(k)
            if !k.is_empty()
                && k.len() <= KEY_MAX_CHARS
                && k.chars().all(|c| c.is_ascii_graphic()) =>
        {
            k.to_owned()
        }
        _ => {
            return Problem::bad_request("Idempotency-Key must be 1–255 visible ASCII characters.")
                .into_response();
        }
    };
    let mut hasher = Sha256::new();
    hasher.update(route.as_bytes());
    hasher.update([0]);
    hasher.update(body);
    let fingerprint = hasher.finalize().to_vec();
    let db = &api.app.db;
    let now = api.app.clock.now();
    let id = match idempotency::claim(
        db,
        &api.app.keyring,
        now,
        caller.0.key_id,
        &key,
        &fingerprint,
    )
    .await
    {
        Ok(Claim::Claimed(id)) => id,
        Ok(Claim::Replay { status, body }) => return replay(status, body),
        Ok(Claim::Reused) => {
            return Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "Idempotency key reused",
                Some("This Idempotency-Key was used with a different request.".into()),
            )
            .into_response();
        }
        Ok(Claim::InProgress) => {
            return Problem::new(
                StatusCode::CONFLICT,
                "idempotency_in_progress",
                "Request in progress",
                Some("A request with this Idempotency-Key is still running; retry shortly.".into()),
            )
            .into_response();
        }
        Err(e) => return Problem::from(e).into_response(),
    };

    let response = create().await;
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1024 * 1024).await else {
        return Problem::internal().into_response();
    };
    let kept = if parts.status.is_server_error() {
        // Nothing was created for sure; let a retry run again.
        idempotency::abandon(db, id).await
    } else {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        idempotency::finish(db, &api.app.keyring, id, parts.status.as_u16(), text).await
    };
    if let Err(e) = kept {
        tracing::warn!(error = %e, "the idempotency record could not be updated");
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn replay(status: i32, body: String) -> Response {
    let status = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let content_type = if status.is_success() {
        "application/json"
    } else {
        "application/problem+json"
    };
    let mut response = (status, [(header::CONTENT_TYPE, content_type)], body).into_response();
    response.headers_mut().insert(
        header::HeaderName::from_static("idempotent-replayed"),
        HeaderValue::from_static("true"),
    );
    response
}
