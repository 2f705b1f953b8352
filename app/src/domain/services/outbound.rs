//! Outbound HTTP to providers: one client with timeouts, no redirects and bounded reads, and the
//! catalog's verification and identity requests.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use crate::domain::catalog::{RequestSpec, fill};

/// Longest answer to a verification or identity request that is read.
const MAX_ANSWER: usize = 256 * 1024;

/// The HTTP client for every call to a provider: a timeout on each request, redirects never
/// followed (a token or credential must not be replayed to wherever a provider points) and, for
/// the test suite's provider simulators only, every request sent to one origin instead.
#[derive(Debug, Clone)]
pub struct ProviderHttp {
    client: reqwest::Client,
    simulator: Option<url::Url>,
}

impl ProviderHttp {
    /// The client; `simulator` (tests only) receives every provider request in place of the
    /// provider, with the path and query kept and the provider's host in the `Host` header.
    pub fn new(timeout: Duration, simulator: Option<url::Url>) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("Authlink/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_else(|e| {
                // Building fails only when the TLS backend cannot initialise; that is fatal anyway.
                panic!("the HTTP client could not be built: {e}")
            });
        Self { client, simulator }
    }

    /// A GET request to a provider URL.
    pub fn get(&self, url: &str) -> Result<reqwest::RequestBuilder, OutboundError> {
        self.request(reqwest::Method::GET, url)
    }

    /// A POST request to a provider URL.
    pub fn post(&self, url: &str) -> Result<reqwest::RequestBuilder, OutboundError> {
        self.request(reqwest::Method::POST, url)
    }

    fn request(
        &self,
        method: reqwest::Method,
        url: &str,
    ) -> Result<reqwest::RequestBuilder, OutboundError> {
        let url = reqwest::Url::parse(url).map_err(|_| OutboundError::BadUrl)?;
        if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
            return Err(OutboundError::BadUrl);
        }
        let Some(simulator) = self.simulator_for(&url) else {
            return Ok(self.client.request(method, url));
        };
        let host = match url.port() {
            Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_owned(),
        };
        Ok(self
            .client
            .request(method, rebase(&url, simulator))
            .header(reqwest::header::HOST, host))
    }

    /// The simulator's origin, when one stands in for the providers (tests only).
    pub fn simulator_origin(&self) -> Option<String> {
        self.simulator
            .as_ref()
            .map(|s| s.origin().ascii_serialization())
    }

    /// The simulator that stands in for `url`'s host: none for a host on this machine, which
    /// already is a test's own server (the end-to-end suite's OAuth server beside its
    /// simulated providers).
    fn simulator_for(&self, url: &url::Url) -> Option<&url::Url> {
        let local = match url.host() {
            Some(url::Host::Domain(d)) => d == "localhost",
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        self.simulator.as_ref().filter(|_| !local)
    }

    /// Where to send the end user's browser for `url` (an authorization endpoint): the URL
    /// itself, or its path on the simulator, which learns the provider's host from an added
    /// `simulated_host` query parameter (a browser sets `Host` itself).
    pub fn browser_url(&self, url: url::Url) -> url::Url {
        match self.simulator_for(&url) {
            Some(simulator) => {
                let mut moved = rebase(&url, simulator);
                if let Some(host) = url.host_str() {
                    moved.query_pairs_mut().append_pair("simulated_host", host);
                }
                moved
            }
            None => url,
        }
    }
}

/// `url`'s path and query on `origin`.
fn rebase(url: &url::Url, origin: &url::Url) -> url::Url {
    let mut moved = origin.clone();
    moved.set_path(url.path());
    moved.set_query(url.query());
    moved
}

/// Reads at most `max` bytes of a body; a longer one (announced or streamed) is an error, so a
/// hostile provider cannot make us buffer without bound.
pub async fn read_limited(
    mut response: reqwest::Response,
    max: usize,
) -> Result<Vec<u8>, OutboundError> {
    if response.content_length().is_some_and(|n| n > max as u64) {
        return Err(OutboundError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|_| OutboundError::Unreachable)?
    {
        if body.len() + chunk.len() > max {
            return Err(OutboundError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
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
    /// The answer is larger than any answer to this request can be.
    #[error("the provider's answer is too large")]
    TooLarge,
}

/// Sends the request a [`RequestSpec`] describes and returns the JSON body (or `Null` when the body
/// is not JSON). `value` supplies `{placeholder}`s; `default_bearer` is used for authentication when
/// the spec names none (OAuth2 access tokens).
pub async fn send(
    http: &ProviderHttp,
    spec: &RequestSpec,
    value: &(dyn Fn(&str) -> Option<String> + Sync),
    default_bearer: Option<&str>,
    fallback_auth: Option<&RequestSpec>,
) -> Result<Value, OutboundError> {
    let url = fill(&spec.url, value).ok_or(OutboundError::MissingValue)?;
    let mut request = if spec.method == "POST" {
        http.post(&url)?
    } else {
        http.get(&url)?
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
    if let Some(body) = &spec.body {
        request = request
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.clone());
    }
    let response = request.send().await.map_err(|e| {
        tracing::info!(error = %without_url(&e), "provider request failed");
        OutboundError::Unreachable
    })?;
    let status = response.status().as_u16();
    let ok = spec
        .expect_status
        .iter()
        .any(|&expected| expected == status || (expected == 200 && (200..300).contains(&status)));
    if !ok {
        return Err(OutboundError::Status(status));
    }
    let bytes = read_limited(response, MAX_ANSWER).await?;
    Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// What `{name}` means in a provider request made for a connection: the access token, else one
/// of the connection's field values, else a value captured into its config.
pub fn template_values<'a>(
    access_token: &'a str,
    values: &'a BTreeMap<String, String>,
    config: &'a BTreeMap<String, String>,
) -> impl Fn(&str) -> Option<String> + Sync + 'a {
    move |name: &str| match name {
        "access_token" => Some(access_token.to_owned()),
        _ => values.get(name).or_else(|| config.get(name)).cloned(),
    }
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
