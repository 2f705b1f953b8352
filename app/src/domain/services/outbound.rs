//! Outbound HTTP to providers: one client with timeouts and no redirects, and the catalog's
//! verification and identity requests.

use std::time::Duration;

use serde_json::Value;

use crate::domain::catalog::{RequestSpec, fill};

/// The HTTP client for every call to a provider: a timeout on each request and redirects never
/// followed (a token or credential must not be replayed to wherever a provider points).
pub fn http_client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .user_agent(concat!("Authlink/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_else(|e| {
            // Building fails only when the TLS backend cannot initialise; that is fatal anyway.
            panic!("the HTTP client could not be built: {e}")
        })
}

/// Why a provider request did not succeed. Messages are safe to show: no secrets, no bodies.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutboundError {
    /// A template needs a value nobody supplied.
    #[error("the request needs a value that is missing")]
    MissingValue,
    /// The URL the template produced is not acceptable.
    #[error("the provider URL is invalid")]
    BadUrl,
    /// No answer in time, or no connection.
    #[error("the provider did not answer in time or could not be reached")]
    Unreachable,
    /// The provider answered with an unexpected status.
    #[error("the provider refused the credentials (HTTP {0})")]
    Status(u16),
}

/// Sends the request a [`RequestSpec`] describes and returns the JSON body (or `Null` when the body
/// is not JSON). `value` supplies `{placeholder}`s; `default_bearer` is used for authentication when
/// the spec names none (OAuth2 access tokens).
pub async fn send(
    client: &reqwest::Client,
    spec: &RequestSpec,
    value: &(dyn Fn(&str) -> Option<String> + Sync),
    default_bearer: Option<&str>,
    fallback_auth: Option<&RequestSpec>,
) -> Result<Value, OutboundError> {
    let url = fill(&spec.url, value).ok_or(OutboundError::MissingValue)?;
    let url = reqwest::Url::parse(&url).map_err(|_| OutboundError::BadUrl)?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(OutboundError::BadUrl);
    }
    let mut request = if spec.method == "POST" {
        client.post(url)
    } else {
        client.get(url)
    };
    request = request.header(reqwest::header::ACCEPT, "application/json");
    let auth_source = if spec.headers.is_empty() && spec.basic.is_none() {
        fallback_auth.unwrap_or(spec)
    } else {
        spec
    };
    let mut authenticated = false;
    for (name, template) in &auth_source.headers {
        let header_value = fill(template, value).ok_or(OutboundError::MissingValue)?;
        request = request.header(name.as_str(), header_value);
        authenticated = true;
    }
    if let Some([user, password]) = &auth_source.basic {
        let user = fill(user, value).ok_or(OutboundError::MissingValue)?;
        let password = fill(password, value).ok_or(OutboundError::MissingValue)?;
        request = request.basic_auth(user, Some(password));
        authenticated = true;
    }
    if !authenticated && let Some(token) = default_bearer {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.map_err(|e| {
        tracing::info!(error = %without_url(&e), "provider request failed");
        OutboundError::Unreachable
    })?;
    let status = response.status().as_u16();
    let expected = spec.expect_status;
    let ok = if expected == 200 {
        (200..300).contains(&status)
    } else {
        status == expected
    };
    if !ok {
        return Err(OutboundError::Status(status));
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|_| OutboundError::Unreachable)?;
    Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// The first non-empty string at one of `pointers`.
pub fn pick_label(body: &Value, pointers: &[String]) -> Option<String> {
    pointers.iter().find_map(|p| {
        let v = body.pointer(p)?;
        let text = match v {
            Value::String(s) => s.trim().to_owned(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        (!text.is_empty()).then(|| text.chars().take(300).collect())
    })
}

/// reqwest errors print the URL, which may carry a token in its path (HubSpot's identity URL):
/// log only what kind of failure it was.
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect"
    } else if e.is_redirect() {
        "redirect"
    } else {
        "request"
    };
    kind.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_come_from_the_first_non_empty_pointer() {
        let body = serde_json::json!({"user": {"email": "", "name": "Ada"}, "id": 7});
        let ptrs = |p: &[&str]| p.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            pick_label(&body, &ptrs(&["/user/email", "/user/name"])),
            Some("Ada".into())
        );
        assert_eq!(pick_label(&body, &ptrs(&["/id"])), Some("7".into()));
        assert_eq!(pick_label(&body, &ptrs(&["/missing"])), None);
    }
}
