//! The dashboard's words: `app/locales/en/dashboard.ftl`, in English only for now, through the
//! same Fluent machinery as the end-user pages. The server and the browser read the same file,
//! so hydration finds the text it rendered.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// The dashboard's message file.
pub const SOURCE: &str = include_str!("../../locales/en/dashboard.ftl");

fn bundle() -> &'static FluentBundle<FluentResource> {
    static BUNDLE: OnceLock<FluentBundle<FluentResource>> = OnceLock::new();
    BUNDLE.get_or_init(|| {
        let mut bundle = FluentBundle::new_concurrent(vec!["en".parse().unwrap_or_default()]);
        bundle.set_use_isolating(false);
        // A file that does not parse keeps the messages that do; the completeness test fails.
        let resource =
            FluentResource::try_new(SOURCE.to_owned()).unwrap_or_else(|(partial, _)| partial);
        let _ = bundle.add_resource(resource);
        bundle
    })
}

/// The dashboard text `id`.
pub fn t(id: &str) -> String {
    t_with(id, &[])
}

/// The dashboard text `id` with its variables filled in. An unknown id shows itself, so a
/// missing message is visible rather than blank (and the completeness test names it).
pub fn t_with(id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    let bundle = bundle();
    let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
        return id.to_owned();
    };
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        fluent_args.set(*name, value.clone());
    }
    let mut errors = Vec::new();
    bundle
        .format_pattern(pattern, Some(&fluent_args), &mut errors)
        .into_owned()
}
