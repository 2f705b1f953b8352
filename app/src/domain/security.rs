//! The Content-Security-Policy of server-rendered pages, with Leptos' per-response nonce.

use leptos::prelude::use_context;

/// The policy for pages: scripts only from us or carrying this response's nonce, wasm allowed,
/// no framing, no plugins, forms post only to us. Browsers apply `form-action` to the redirect
/// after a form post too, so `sso_origin` (the single sign-on provider's, where the sign-in
/// button's post is sent on to) is allowed as well.
pub fn page_csp(nonce: &str, sso_origin: Option<&str>) -> String {
    let also = sso_origin.map(|o| format!(" {o}")).unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'{also}; frame-ancestors 'none'"
    )
}

/// The origin of the configured single sign-on provider's issuer.
fn sso_origin() -> Option<String> {
    let state = use_context::<crate::domain::AppState>()?;
    let issuer = url::Url::parse(&state.settings.sso.as_ref()?.issuer).ok()?;
    Some(issuer.origin().ascii_serialization())
}

/// Creates the nonce for this response and sets the page CSP header to allow exactly it.
/// Called by the shell before anything renders, so Leptos' own scripts carry the nonce.
pub fn provide_page_csp() {
    leptos::nonce::provide_nonce();
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    match http::HeaderValue::from_str(&page_csp(&nonce, sso_origin().as_deref())) {
        Ok(value) => response.insert_header(http::header::CONTENT_SECURITY_POLICY, value),
        Err(e) => tracing::error!(error = %e, "could not build the CSP header"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_policy_allows_only_the_nonce_and_no_inline_or_eval() {
        let csp = page_csp("abc123", None);
        assert!(csp.contains("'nonce-abc123'"));
        assert!(csp.contains("form-action 'self';"));
        let with_sso = page_csp("abc123", Some("https://id.acme.example"));
        assert!(with_sso.contains("form-action 'self' https://id.acme.example;"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("'unsafe-inline'"));
        assert!(!csp.contains("'unsafe-eval'"));
    }
}
