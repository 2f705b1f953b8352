//! Which language an end-user page speaks: `?lang=` when the visitor just picked one on the
//! switcher (then remembered in a cookie for the rest of the flow, the provider's round trip
//! included), else the remembered one, else `Accept-Language`, else English.

use app::i18n::{Locale, Messages};
use app::pages::connect::Languages;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

const LANG_COOKIE: &str = "authlink_lang";
const LANG_COOKIE_SECURE: &str = "__Host-authlink_lang";

/// The visitor of an end-user page, as far as the words go.
#[derive(Debug, Clone, Copy)]
pub struct Visitor {
    /// The words of their language.
    pub t: &'static Messages,
    /// Whether they picked it with this request (and it must be remembered).
    picked: bool,
    /// Whether they picked it now or before (a link's language does not override that).
    settled: bool,
    secure: bool,
}

impl Visitor {
    /// The language of a request; `picked` is its `?lang=`, if any.
    pub fn of(headers: &HeaderMap, picked: Option<&str>, secure: bool) -> Visitor {
        let name = cookie_name(secure);
        let remembered = super::connect::cookie(headers, name);
        let accept = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        let picked_locale = picked.and_then(Locale::from_tag);
        let locale = Locale::choose(picked, remembered.as_deref(), accept);
        Visitor {
            t: locale.messages(),
            picked: picked_locale.is_some(),
            settled: picked_locale.is_some()
                || remembered.as_deref().and_then(Locale::from_tag).is_some(),
            secure,
        }
    }

    /// The language of the link's end user (the admin gave it) goes before the browser's, but
    /// not before one the visitor picked.
    pub fn with_link_language(self, tag: Option<&str>) -> Visitor {
        match tag.and_then(Locale::from_tag) {
            Some(locale) if !self.settled => Visitor {
                t: locale.messages(),
                ..self
            },
            _ => self,
        }
    }

    /// The language.
    pub fn locale(&self) -> Locale {
        self.t.locale()
    }

    /// The switcher for a page at `path` (which may carry a query already).
    pub fn languages(&self, path: &str) -> Languages {
        let joiner = if path.contains('?') { '&' } else { '?' };
        Locale::ALL
            .into_iter()
            .map(|l| (l, format!("{path}{joiner}lang={}", l.tag())))
            .collect()
    }

    /// Marks a response with its language, and remembers a language just picked.
    pub fn finish(&self, mut response: Response) -> Response {
        let tag = self.locale().tag();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(tag));
        headers.append(
            header::VARY,
            HeaderValue::from_static("Accept-Language, Cookie"),
        );
        if self.picked {
            let secure = if self.secure { "; Secure" } else { "" };
            let cookie = format!(
                "{}={tag}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax{secure}",
                cookie_name(self.secure)
            );
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                headers.append(header::SET_COOKIE, value);
            }
        }
        response
    }
}

fn cookie_name(secure: bool) -> &'static str {
    if secure {
        LANG_COOKIE_SECURE
    } else {
        LANG_COOKIE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(name.clone(), HeaderValue::from_static(value));
        }
        h
    }

    #[test]
    fn a_picked_language_wins_and_is_remembered_once() {
        let h = headers(&[
            (header::ACCEPT_LANGUAGE, "ja"),
            (header::COOKIE, "authlink_lang=de"),
        ]);
        let picked = Visitor::of(&h, Some("fr"), false);
        assert_eq!(picked.locale(), Locale::Fr);
        let response = picked.finish(Response::default());
        let set = response.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap_or("");
        assert!(set.starts_with("authlink_lang=fr; Path=/;"), "{set}");
        assert_eq!(response.headers()[header::CONTENT_LANGUAGE], "fr");

        let remembered = Visitor::of(&h, None, false);
        assert_eq!(remembered.locale(), Locale::De);
        let response = remembered.finish(Response::default());
        assert!(response.headers().get(header::SET_COOKIE).is_none());

        // An unknown pick changes nothing and is not remembered.
        let nonsense = Visitor::of(&h, Some("xx"), false);
        assert_eq!(nonsense.locale(), Locale::De);
        assert!(!nonsense.picked);
    }

    #[test]
    fn a_links_language_goes_before_the_browsers_only() {
        let browser = headers(&[(header::ACCEPT_LANGUAGE, "ja")]);
        let v = Visitor::of(&browser, None, false).with_link_language(Some("pt-BR"));
        assert_eq!(v.locale(), Locale::PtBr);
        let unknown = Visitor::of(&browser, None, false).with_link_language(Some("xx"));
        assert_eq!(unknown.locale(), Locale::Ja);
        let remembered = headers(&[(header::COOKIE, "authlink_lang=de")]);
        let v = Visitor::of(&remembered, None, false).with_link_language(Some("pt-BR"));
        assert_eq!(v.locale(), Locale::De);
        let v = Visitor::of(&browser, Some("fr"), false).with_link_language(Some("pt-BR"));
        assert_eq!(v.locale(), Locale::Fr);
    }

    #[test]
    fn on_https_the_cookie_is_host_bound_and_secure() {
        let h = headers(&[(header::COOKIE, "authlink_lang=de")]);
        // The plain cookie is not read over https.
        let v = Visitor::of(&h, Some("es"), true);
        let response = v.finish(Response::default());
        let set = response.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap_or("");
        assert!(set.starts_with("__Host-authlink_lang=es;") && set.ends_with("; Secure"));
        assert_eq!(Visitor::of(&h, None, true).locale(), Locale::En);
    }

    #[test]
    fn the_switcher_keeps_the_page_address() {
        let v = Visitor::of(&HeaderMap::new(), None, false);
        let links = v.languages("/connect/abc?connector=x");
        assert_eq!(links.len(), Locale::ALL.len());
        assert_eq!(links[1].1, "/connect/abc?connector=x&lang=de");
        assert_eq!(v.languages("/connect/abc")[5].1, "/connect/abc?lang=ja");
    }
}
