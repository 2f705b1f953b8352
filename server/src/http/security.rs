//! The browser security layer: cross-site request refusal (CSRF), security headers, request
//! size limits, and the client address used by throttling.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use app::domain::session::ClientIp;
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::config::Config;

/// The largest request body accepted anywhere (forms and server functions are small).
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// What the security middleware needs to know.
#[derive(Debug, Clone)]
pub struct SecurityConfig {
    /// `host[:port]` of the public URL.
    public_authority: String,
    /// Whether to send HSTS (public URL is https).
    https: bool,
    /// Trust `X-Forwarded-For` for the client address.
    trust_proxy: bool,
}

impl SecurityConfig {
    /// Derives the settings from the configuration.
    pub fn new(config: &Config) -> Self {
        Self {
            public_authority: authority_of(&config.public_url),
            https: config.public_url.scheme() == "https",
            trust_proxy: config.trust_proxy,
        }
    }
}

fn authority_of(url: &url::Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        _ => String::new(),
    }
}

/// Whether a state-changing request may proceed, judged the way browsers let us: by
/// `Sec-Fetch-Site`, else by `Origin` (which must name this server), else — for clients that
/// send neither — only if it carries no cookie, since then it cannot ride on a session.
pub fn is_same_origin_request(headers: &HeaderMap, public_authority: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let Some(origin) = origin.to_str().ok().and_then(|o| url::Url::parse(o).ok()) else {
            return false; // includes the opaque origin `null`
        };
        let authority = authority_of(&origin);
        if authority.is_empty() {
            return false;
        }
        let host_header = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        return authority == public_authority || Some(authority.as_str()) == host_header;
    }
    !headers.contains_key(header::COOKIE)
}

/// Refuses cross-site state-changing requests with 403. Safe methods pass: no GET mutates.
/// The bearer-token REST API (`/api/v1/`) sends no cookies and is exempt.
pub async fn reject_cross_site(
    State(config): State<Arc<SecurityConfig>>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe || request.uri().path().starts_with("/api/v1/") {
        return next.run(request).await;
    }
    if is_same_origin_request(request.headers(), &config.public_authority) {
        return next.run(request).await;
    }
    tracing::warn!(path = %super::redact_path(request.uri().path()), "refused a cross-site request");
    (
        StatusCode::FORBIDDEN,
        "This request came from another site and was refused. Open Authlink directly and try again.",
    )
        .into_response()
}

/// Refuses bodies over [`BODY_LIMIT_BYTES`] (a logo upload: a little more) up front with a clear message. Bodies without a
/// length are cut off by `RequestBodyLimitLayer` further in.
pub async fn limit_body(request: Request<Body>, next: Next) -> Response {
    let limit = if request.uri().path() == super::brand::LOGO_UPLOAD_PATH {
        super::brand::UPLOAD_BODY_LIMIT
    } else {
        BODY_LIMIT_BYTES
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        if request.uri().path().starts_with("/api/v1/") {
            return crate::rest::Problem::payload_too_large(BODY_LIMIT_BYTES).into_response();
        }
        // The body is left unread, so the connection cannot carry another request.
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            [(header::CONNECTION, "close")],
            format!(
                "The request is too large: at most {} KiB are accepted.",
                limit / 1024
            ),
        )
            .into_response();
    }
    next.run(request).await
}

/// Set once the missing-proxy warning was logged.
static WARNED_ABOUT_PROXY: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Records the client address for throttling and logs.
pub async fn client_ip(
    State(config): State<Arc<SecurityConfig>>,
    mut request: Request<Body>,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let forwarded = config
        .trust_proxy
        .then(|| forwarded_for(request.headers()))
        .flatten();
    if !config.trust_proxy
        && request.headers().contains_key("x-forwarded-for")
        && !WARNED_ABOUT_PROXY.swap(true, std::sync::atomic::Ordering::Relaxed)
    {
        // Behind a proxy every client shares the proxy's address, and with it one sign-in
        // and end-user rate limit.
        tracing::warn!(
            "requests carry X-Forwarded-For but AUTHLINK_TRUST_PROXY is off: every client is \
             counted as the proxy's address; set AUTHLINK_TRUST_PROXY=true behind a reverse proxy"
        );
    }
    let ip = forwarded
        .or(peer)
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    request.extensions_mut().insert(ClientIp(ip));
    next.run(request).await
}

/// The address the nearest proxy saw: the last entry of `X-Forwarded-For`.
fn forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next_back()
        .and_then(|last| last.trim().parse().ok())
}

/// Adds the security headers every response carries. Pages set their own nonce-based CSP;
/// everything else gets a deny-all policy.
pub async fn headers(
    State(config): State<Arc<SecurityConfig>>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let cacheable = request.uri().path().starts_with("/pkg/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let mut set = |name: header::HeaderName, value: &'static str| {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    };
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    // Connect links carry their token in the path; no page may leak it in a Referer.
    set(header::REFERRER_POLICY, "no-referrer");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    );
    set(
        header::HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        header::HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    set(
        header::HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    );
    if !cacheable {
        set(header::CACHE_CONTROL, "no-store");
    }
    if config.https {
        set(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=63072000; includeSubDomains",
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, HeaderValue::from_static(v));
        }
        map
    }

    const PUBLIC: &str = "auth.example.com";

    #[test]
    fn same_origin_requests_pass() {
        assert!(is_same_origin_request(
            &headers(&[("sec-fetch-site", "same-origin")]),
            PUBLIC
        ));
        assert!(is_same_origin_request(
            &headers(&[("sec-fetch-site", "none")]),
            PUBLIC
        ));
        assert!(is_same_origin_request(
            &headers(&[("origin", "https://auth.example.com")]),
            PUBLIC
        ));
        assert!(is_same_origin_request(
            &headers(&[
                ("origin", "http://localhost:3000"),
                ("host", "localhost:3000")
            ]),
            PUBLIC
        ));
        // A script or CLI without cookies cannot ride on a session.
        assert!(is_same_origin_request(&headers(&[]), PUBLIC));
    }

    #[test]
    fn cross_site_requests_are_refused() {
        for case in [
            headers(&[("sec-fetch-site", "cross-site")]),
            headers(&[("sec-fetch-site", "same-site")]),
            headers(&[("origin", "https://evil.example")]),
            headers(&[("origin", "https://auth.example.com.evil.example")]),
            headers(&[("origin", "null")]),
            headers(&[("origin", "https://auth.example.com:8443")]),
            headers(&[("cookie", "authlink_session=x")]),
        ] {
            assert!(
                !is_same_origin_request(&case, PUBLIC),
                "{case:?} must be refused"
            );
        }
    }

    #[test]
    fn forwarded_for_takes_the_nearest_proxy_entry() {
        let map = headers(&[("x-forwarded-for", "203.0.113.9, 198.51.100.7")]);
        assert_eq!(
            forwarded_for(&map),
            Some("198.51.100.7".parse().expect("ip"))
        );
        assert_eq!(
            forwarded_for(&headers(&[("x-forwarded-for", "garbage")])),
            None
        );
    }
}
