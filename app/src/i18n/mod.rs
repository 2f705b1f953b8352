//! The end user's languages: which one a visitor gets, and the words of the end-user pages in
//! it; and the dashboard's words ([`dashboard`]).
//!
//! The words live in Fluent files, `app/locales/<tag>/end-user.ftl`, compiled into the binary.
//! English is the reference: every other file has exactly its messages with the same variables
//! (a test checks), and a message missing at run time falls back to English. Catalog text (field
//! labels, help, choices and scope descriptions) is translated in `catalog.ftl` beside it; what is
//! not translated there stays as the catalog writes it.

pub mod dashboard;
#[cfg(feature = "ssr")]
mod messages;
#[cfg(feature = "ssr")]
mod words;

#[cfg(feature = "ssr")]
pub use messages::{Messages, sources};
#[cfg(feature = "ssr")]
pub use words::CatalogText;

/// A language the end-user pages speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Locale {
    /// English, the reference and the fallback.
    En,
    /// German.
    De,
    /// French.
    Fr,
    /// Spanish.
    Es,
    /// Portuguese as written in Brazil.
    PtBr,
    /// Japanese.
    Ja,
}

impl Locale {
    /// Every language, in the order the switcher lists them.
    pub const ALL: [Locale; 6] = [
        Locale::En,
        Locale::De,
        Locale::Fr,
        Locale::Es,
        Locale::PtBr,
        Locale::Ja,
    ];

    /// The BCP 47 tag: `<html lang>`, `Content-Language`, `?lang=` and the folder of its files.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::De => "de",
            Locale::Fr => "fr",
            Locale::Es => "es",
            Locale::PtBr => "pt-BR",
            Locale::Ja => "ja",
        }
    }

    /// The language's name in itself, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::De => "Deutsch",
            Locale::Fr => "Français",
            Locale::Es => "Español",
            Locale::PtBr => "Português (Brasil)",
            Locale::Ja => "日本語",
        }
    }

    /// The language a tag names: exactly (any case), or by its primary language (`de-AT` is
    /// German, `pt-PT` the Portuguese we have). `None` for a language we do not speak.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let tag = tag.trim();
        if let Some(exact) = Locale::ALL
            .into_iter()
            .find(|l| l.tag().eq_ignore_ascii_case(tag))
        {
            return Some(exact);
        }
        let primary = tag.split(['-', '_']).next()?;
        Locale::ALL.into_iter().find(|l| {
            l.tag()
                .split('-')
                .next()
                .is_some_and(|p| p.eq_ignore_ascii_case(primary))
        })
    }

    /// The best language of an `Accept-Language` header (RFC 9110 §12.5.4): the highest
    /// weight we speak, the first listed among equals; `q=0` means "not this one".
    pub fn from_accept_language(header: &str) -> Option<Locale> {
        // A hostile header can be long; a browser sends a handful of ranges.
        const MOST_RANGES: usize = 32;
        let mut best: Option<(u16, Locale)> = None;
        for range in header.split(',').take(MOST_RANGES) {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q=").map(parse_weight))
                .unwrap_or(Some(1000));
            let (Some(weight), Some(locale)) = (weight, Locale::from_tag(tag)) else {
                continue;
            };
            if weight > 0 && best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, locale));
            }
        }
        best.map(|(_, l)| l)
    }

    /// The visitor's language: one they just picked (`?lang=`), else the one they picked before
    /// (the cookie), else their browser's, else English.
    pub fn choose(
        picked: Option<&str>,
        remembered: Option<&str>,
        accept_language: Option<&str>,
    ) -> Locale {
        picked
            .and_then(Locale::from_tag)
            .or_else(|| remembered.and_then(Locale::from_tag))
            .or_else(|| accept_language.and_then(Locale::from_accept_language))
            .unwrap_or(Locale::En)
    }

    /// The words of the end-user pages in this language.
    #[cfg(feature = "ssr")]
    pub fn messages(self) -> &'static Messages {
        messages::of(self)
    }
}

/// A `q` value in thousandths; `None` when it is not one.
fn parse_weight(q: &str) -> Option<u16> {
    let (whole, fraction) = q.split_once('.').unwrap_or((q, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{fraction:0<3}").parse::<u16>().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests;
