//! The Fluent bundles behind [`Messages`]: one per language, loaded once.

use std::fmt;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use time::OffsetDateTime;

use super::{CatalogText, Locale};

/// The words of `locale`, loaded on first use.
pub(super) fn of(locale: Locale) -> &'static Messages {
    static ALL: OnceLock<Vec<Messages>> = OnceLock::new();
    let all = ALL.get_or_init(|| Locale::ALL.into_iter().map(Messages::load).collect());
    let index = Locale::ALL.iter().position(|l| *l == locale).unwrap_or(0);
    &all[index]
}

/// The message files of a language: its end-user words and its catalog translations.
pub fn sources(locale: Locale) -> (&'static str, &'static str) {
    match locale {
        Locale::En => (include_str!("../../locales/en/end-user.ftl"), ""),
        Locale::De => (
            include_str!("../../locales/de/end-user.ftl"),
            include_str!("../../locales/de/catalog.ftl"),
        ),
        Locale::Fr => (
            include_str!("../../locales/fr/end-user.ftl"),
            include_str!("../../locales/fr/catalog.ftl"),
        ),
        Locale::Es => (
            include_str!("../../locales/es/end-user.ftl"),
            include_str!("../../locales/es/catalog.ftl"),
        ),
        Locale::PtBr => (
            include_str!("../../locales/pt-BR/end-user.ftl"),
            include_str!("../../locales/pt-BR/catalog.ftl"),
        ),
        Locale::Ja => (
            include_str!("../../locales/ja/end-user.ftl"),
            include_str!("../../locales/ja/catalog.ftl"),
        ),
    }
}

type Bundle = FluentBundle<FluentResource>;

/// The words of one language, with English behind it for anything it lacks.
pub struct Messages {
    locale: Locale,
    pub(super) words: Bundle,
    catalog: Bundle,
}

impl fmt::Debug for Messages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Messages")
            .field("locale", &self.locale)
            .finish_non_exhaustive()
    }
}

fn bundle(locale: Locale, source: &str) -> Bundle {
    let id = locale.tag().parse().unwrap_or_default();
    let mut bundle = Bundle::new_concurrent(vec![id]);
    // The pages are left-to-right in every language we ship; isolation marks would only put
    // invisible characters into titles and copied text.
    bundle.set_use_isolating(false);
    // A file that does not parse keeps the messages that do (the completeness test fails on
    // the rest), so one typo cannot take a language's pages down.
    let resource =
        FluentResource::try_new(source.to_owned()).unwrap_or_else(|(partial, _)| partial);
    // Overriding errors only mean a duplicate id; the first one wins.
    let _ = bundle.add_resource(resource);
    bundle
}

impl Messages {
    fn load(locale: Locale) -> Messages {
        let (words, catalog) = sources(locale);
        Messages {
            locale,
            words: bundle(locale, words),
            catalog: bundle(locale, catalog),
        }
    }

    /// This language.
    pub fn locale(&self) -> Locale {
        self.locale
    }

    /// A message without variables.
    pub fn text(&self, id: &str) -> String {
        self.format(id, &[])
    }

    /// A message with its variables, e.g. `&[("product", product.into())]`.
    pub fn format(&self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        if let Some(found) = format_in(&self.words, id, None, &fluent_args) {
            return found;
        }
        let english = Locale::En.messages();
        match format_in(&english.words, id, None, &fluent_args) {
            Some(found) => found,
            // Only a message id that no file has; the completeness test keeps this unreachable.
            None => id.to_owned(),
        }
    }

    /// A date and time in this language's words, in UTC (the page cannot know the visitor's
    /// time zone without script).
    pub fn datetime(&self, t: OffsetDateTime) -> String {
        let t = t.to_offset(time::UtcOffset::UTC);
        let month = self.text(&format!("month-{}", u8::from(t.month())));
        self.format(
            "datetime",
            &[
                ("day", t.day().to_string().into()),
                ("month", month.into()),
                ("year", t.year().to_string().into()),
                ("time", format!("{:02}:{:02}", t.hour(), t.minute()).into()),
            ],
        )
    }

    /// A catalog text in this language, or `english` (the catalog's own words) when it has no
    /// translation.
    pub fn catalog(&self, text: &CatalogText<'_>, english: &str) -> String {
        let key = text.key();
        format_in(&self.catalog, &key.0, key.1, &FluentArgs::new())
            .unwrap_or_else(|| english.to_owned())
    }
}

/// A message's value, or one of its attributes, if the bundle has it.
pub(super) fn format_in(
    bundle: &Bundle,
    id: &str,
    attribute: Option<&str>,
    args: &FluentArgs<'_>,
) -> Option<String> {
    let message = bundle.get_message(id)?;
    let pattern = match attribute {
        Some(name) => message.get_attribute(name)?.value(),
        None => message.value()?,
    };
    let mut errors = Vec::new();
    let formatted = bundle.format_pattern(pattern, Some(args), &mut errors);
    errors.is_empty().then(|| formatted.into_owned())
}
