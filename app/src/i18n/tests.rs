use std::collections::{BTreeMap, BTreeSet};

use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use time::macros::datetime;

use super::messages::format_in;
use super::*;
use crate::domain::catalog::catalog;
use crate::failure::{ConnectError, ProviderFailure, ProviderProblem};

/// The messages of an FTL file (attributes as `id.attr`) with the variables each one uses,
/// read line by line: independent of the parser the bundles use.
fn messages_of(source: &str) -> BTreeMap<String, BTreeSet<String>> {
    let variable = regex::Regex::new(r"\$([a-zA-Z][a-zA-Z0-9_-]*)").expect("pattern");
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut message: Option<String> = None;
    for line in source.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let trimmed = line.trim_start();
        if !line.starts_with(' ') {
            let id = line.split('=').next().unwrap_or("").trim().to_owned();
            message = Some(id.clone());
            current = Some(id);
        } else if let Some(attr) = trimmed.strip_prefix('.') {
            let name = attr.split('=').next().unwrap_or("").trim();
            current = Some(format!("{}.{name}", message.clone().unwrap_or_default()));
        }
        let key = current.clone().unwrap_or_default();
        let entry = out.entry(key).or_default();
        for found in variable.captures_iter(line) {
            entry.insert(found[1].to_owned());
        }
    }
    out
}

#[test]
fn every_file_parses() {
    for locale in Locale::ALL {
        let (words, catalog) = sources(locale);
        for (name, source) in [("end-user", words), ("catalog", catalog)] {
            if let Err((_, errors)) = FluentResource::try_new(source.to_owned()) {
                panic!("{}/{name}.ftl does not parse: {errors:?}", locale.tag());
            }
        }
    }
}

#[test]
fn every_message_exists_in_every_language_with_the_same_variables() {
    let english = messages_of(sources(Locale::En).0);
    assert!(english.len() > 50, "{}", english.len());
    for locale in Locale::ALL {
        let theirs = messages_of(sources(locale).0);
        let missing: Vec<_> = english
            .keys()
            .filter(|k| !theirs.contains_key(*k))
            .collect();
        let extra: Vec<_> = theirs
            .keys()
            .filter(|k| !english.contains_key(*k))
            .collect();
        assert!(missing.is_empty(), "{} lacks {missing:?}", locale.tag());
        assert!(extra.is_empty(), "{} has unknown {extra:?}", locale.tag());
        for (id, variables) in &english {
            assert_eq!(
                &theirs[id],
                variables,
                "{}: {id} uses other variables than English",
                locale.tag()
            );
        }
    }
}

#[test]
fn every_message_formats_without_error_in_every_language() {
    let english = messages_of(sources(Locale::En).0);
    for locale in Locale::ALL {
        let messages = locale.messages();
        for (id, variables) in english.iter().filter(|(id, _)| !id.contains('.')) {
            let mut args = FluentArgs::new();
            for v in variables {
                let value: FluentValue<'_> = if v == "seconds" {
                    7.into()
                } else {
                    "zq".into()
                };
                args.set(v.as_str(), value);
            }
            let formatted = format_in(&messages.words, id, None, &args)
                .unwrap_or_else(|| panic!("{}: {id} does not format", locale.tag()));
            assert!(
                !formatted.is_empty() && !formatted.contains('{'),
                "{id}: {formatted}"
            );
            if !variables.is_empty() && !variables.contains("seconds") {
                assert!(
                    formatted.contains("zq"),
                    "{}: {id} drops its variable",
                    locale.tag()
                );
            }
        }
    }
}

/// Every text of the catalog that a translation can name, with its English words.
fn catalog_texts() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut add = |text: CatalogText<'_>, english: &str| {
        let (id, attribute) = text.key();
        let key = attribute.map_or(id.clone(), |a| format!("{id}.{a}"));
        assert!(
            out.insert(key.clone(), english.to_owned()).is_none(),
            "{key} twice"
        );
    };
    for p in catalog().providers() {
        for f in &p.fields {
            let (provider, field) = (p.id.as_str(), f.name.as_str());
            add(CatalogText::FieldLabel { provider, field }, &f.label);
            if let Some(help) = &f.help {
                add(CatalogText::FieldHelp { provider, field }, help);
            }
            for o in &f.options {
                let value = o.value.as_str();
                add(
                    CatalogText::FieldChoice {
                        provider,
                        field,
                        value,
                    },
                    &o.label,
                );
            }
        }
        for (scope, about) in p.oauth2.iter().flat_map(|o| &o.scope_descriptions) {
            let provider = p.id.as_str();
            add(CatalogText::Scope { provider, scope }, about);
        }
    }
    out
}

#[test]
fn every_catalog_text_is_translated_and_no_translation_is_stale() {
    let texts = catalog_texts();
    assert!(texts.len() > 60, "{}", texts.len());
    for locale in Locale::ALL.into_iter().filter(|l| *l != Locale::En) {
        let translated = messages_of(sources(locale).1);
        let stale: Vec<_> = translated
            .keys()
            .filter(|k| !texts.contains_key(*k))
            .collect();
        let missing: Vec<_> = texts
            .keys()
            .filter(|k| !translated.contains_key(*k))
            .collect();
        assert!(
            stale.is_empty(),
            "{}: no catalog text {stale:?}",
            locale.tag()
        );
        assert!(
            missing.is_empty(),
            "{}: untranslated {missing:?}",
            locale.tag()
        );
    }
}

#[test]
fn catalog_text_comes_translated_or_as_the_catalog_writes_it() {
    let label = CatalogText::FieldLabel {
        provider: "generic_basic",
        field: "password",
    };
    assert_eq!(
        Locale::De.messages().catalog(&label, "Password"),
        "Passwort"
    );
    assert_eq!(
        Locale::Ja.messages().catalog(&label, "Password"),
        "パスワード"
    );
    assert_eq!(
        Locale::En.messages().catalog(&label, "Password"),
        "Password"
    );
    let scope = CatalogText::Scope {
        provider: "microsoft",
        scope: "User.Read",
    };
    assert_eq!(
        Locale::Fr.messages().catalog(&scope, "Sign you in"),
        "Vous connecter et lire votre profil"
    );
    let unknown = CatalogText::FieldHelp {
        provider: "no_such_provider",
        field: "x",
    };
    assert_eq!(Locale::Es.messages().catalog(&unknown, "As is"), "As is");
}

#[test]
fn accept_language_picks_the_highest_weight_we_speak() {
    let pick = |h: &str| Locale::from_accept_language(h);
    assert_eq!(
        pick("de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7"),
        Some(Locale::De)
    );
    assert_eq!(pick("fr-CH, fr;q=0.9, en;q=0.8, *;q=0.5"), Some(Locale::Fr));
    assert_eq!(pick("zh-CN,zh;q=0.9,ja;q=0.4,en;q=0.3"), Some(Locale::Ja));
    assert_eq!(pick("en;q=0.2, es;q=0.8"), Some(Locale::Es));
    assert_eq!(pick("pt-PT"), Some(Locale::PtBr));
    assert_eq!(pick("PT-br"), Some(Locale::PtBr));
    // Equal weights: the first listed wins.
    assert_eq!(pick("ja, de"), Some(Locale::Ja));
    // q=0 refuses a language.
    assert_eq!(pick("de;q=0, fr;q=0.001"), Some(Locale::Fr));
    assert_eq!(pick("de;q=0"), None);
    // Nothing we speak, wildcards and nonsense.
    assert_eq!(pick("zh-TW, ko"), None);
    assert_eq!(pick("*"), None);
    assert_eq!(pick(""), None);
    assert_eq!(pick("de;q=2, fr;q=0.5"), Some(Locale::Fr));
    assert_eq!(pick("de;q=abc, ja;q=0.1"), Some(Locale::Ja));
    assert_eq!(pick("de;q=0.0001, ja;q=0.1"), Some(Locale::Ja));
    // A flood of ranges is read only so far.
    let flood = format!("{}de", "xx, ".repeat(10_000));
    assert_eq!(pick(&flood), None);
}

#[test]
fn a_pick_beats_the_cookie_which_beats_the_browser() {
    let browser = Some("ja,en;q=0.5");
    assert_eq!(Locale::choose(Some("fr"), Some("de"), browser), Locale::Fr);
    assert_eq!(Locale::choose(None, Some("de"), browser), Locale::De);
    assert_eq!(
        Locale::choose(Some("xx"), Some("nope"), browser),
        Locale::Ja
    );
    assert_eq!(Locale::choose(None, None, Some("ko")), Locale::En);
    assert_eq!(Locale::choose(None, None, None), Locale::En);
}

#[test]
fn dates_are_written_the_way_each_language_writes_them() {
    let t = datetime!(2026-03-05 09:07 UTC);
    let written: Vec<_> = Locale::ALL
        .into_iter()
        .map(|l| l.messages().datetime(t))
        .collect();
    assert_eq!(
        written,
        [
            "5 March 2026, 09:07 UTC",
            "5. März 2026, 09:07 UTC",
            "5 mars 2026 à 09:07 UTC",
            "5 de marzo de 2026, 09:07 UTC",
            "5 de março de 2026, 09:07 UTC",
            "2026年3月5日 09:07 UTC",
        ]
    );
    // Another offset is shown in UTC.
    let later = datetime!(2026-03-05 23:30 -02:00);
    assert_eq!(
        Locale::En.messages().datetime(later),
        "6 March 2026, 01:30 UTC"
    );
}

#[test]
fn codes_become_sentences_in_the_language_with_the_provider_detail_kept() {
    let refused = ConnectError::Provider(ProviderFailure::with_detail(
        ProviderProblem::TokenRefused,
        "invalid_grant",
    ));
    let de = Locale::De.messages().connect_error(&refused);
    assert!(
        de.starts_with("Der Anbieter") && de.contains("invalid_grant"),
        "{de}"
    );
    let ja = Locale::Ja
        .messages()
        .connect_error(&ConnectError::LinkUnavailable);
    assert!(ja.starts_with("このリンクは無効です"), "{ja}");
    let en = Locale::En.messages().field_problem(
        crate::types::FieldProblem::Missing,
        "api_key",
        "API key",
    );
    assert_eq!(en, "Enter the API key.");
    assert_eq!(
        Locale::Fr.messages().too_many_requests(1),
        "Trop de requêtes sont venues de votre réseau en peu de temps. Veuillez patienter une seconde, puis rouvrez le lien."
    );
    assert!(
        Locale::Es
            .messages()
            .too_many_requests(30)
            .contains("30 segundos")
    );
    for p in ProviderProblem::ALL {
        let carries = matches!(
            p,
            ProviderProblem::CheckFailed
                | ProviderProblem::AuthorizationError
                | ProviderProblem::TokenRefused
        );
        let with = ConnectError::Provider(ProviderFailure::with_detail(p, "zq_detail"));
        let without = ConnectError::Provider(ProviderFailure::new(p));
        for locale in Locale::ALL {
            let words = locale.messages().connect_error(&with);
            assert_eq!(words.contains("zq_detail"), carries, "{p:?}: {words}");
            let words = locale.messages().connect_error(&without);
            assert!(!words.contains('{') && !words.is_empty(), "{p:?} {words}");
        }
    }
}

/// The files whose words come from `dashboard.ftl`.
const DASHBOARD_SOURCES: [&str; 25] = [
    include_str!("../pages/environments.rs"),
    include_str!("../types/environments.rs"),
    include_str!("../pages/two_factor.rs"),
    include_str!("../lib.rs"),
    include_str!("../types.rs"),
    include_str!("../types/team.rs"),
    include_str!("../pages/team.rs"),
    include_str!("../pages/invitation.rs"),
    include_str!("../domain/services/emails/compose.rs"),
    include_str!("../components/copy.rs"),
    include_str!("../components/form.rs"),
    include_str!("../components/layout.rs"),
    include_str!("../pages/audit.rs"),
    include_str!("../pages/branding.rs"),
    include_str!("../pages/connectors.rs"),
    include_str!("../pages/home.rs"),
    include_str!("../pages/not_found.rs"),
    include_str!("../pages/overview.rs"),
    include_str!("../pages/settings.rs"),
    include_str!("../pages/setup.rs"),
    include_str!("../pages/sign_in.rs"),
    include_str!("../pages/tenant_details.rs"),
    include_str!("../pages/tenants.rs"),
    include_str!("../pages/webhooks.rs"),
    include_str!("../components/util.rs"),
];

#[test]
fn every_dashboard_message_the_code_names_exists_and_every_message_is_used() {
    let messages = messages_of(dashboard::SOURCE);
    assert!(
        FluentResource::try_new(dashboard::SOURCE.to_owned()).is_ok(),
        "dashboard.ftl parses"
    );
    let called = regex::Regex::new(
        r#"\bt(?:_with)?\(\s*"([^"]+)"|\bt\(if [^{]*\{\s*"([^"]+)"\s*\}\s*else\s*\{\s*"([^"]+)""#,
    )
    .expect("pattern");
    let literal = regex::Regex::new(r#""([a-z][a-z0-9]*(?:-[a-z0-9]+)+)""#).expect("pattern");
    let mut named = BTreeSet::new();
    let mut literals = BTreeSet::new();
    for source in DASHBOARD_SOURCES {
        for found in called.captures_iter(source) {
            named.extend(
                found
                    .iter()
                    .skip(1)
                    .flatten()
                    .map(|m| m.as_str().to_owned()),
            );
        }
        literals.extend(literal.captures_iter(source).map(|c| c[1].to_owned()));
    }
    let missing: Vec<_> = named
        .iter()
        .filter(|id| !messages.contains_key(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "named in the code but not in dashboard.ftl: {missing:?}"
    );
    let unused: Vec<_> = messages
        .keys()
        .filter(|id| !literals.contains(*id))
        .collect();
    assert!(
        unused.is_empty(),
        "in dashboard.ftl but never used: {unused:?}"
    );
    assert!(
        named.len() > 250,
        "the dashboard's words come from the file ({})",
        named.len()
    );
}

#[test]
fn dashboard_messages_fill_in_their_variables() {
    assert_eq!(dashboard::t("tenants-create-tenant"), "Create tenant");
    assert_eq!(
        dashboard::t_with("tenant-details-links-count", &[("count", 3.into())]),
        "Links (3)"
    );
    // A leading space survives, written as Fluent's quoted text.
    assert!(
        dashboard::t_with("webhooks-next-attempt", &[("time", "soon".into())])
            .starts_with(" · next attempt soon")
    );
    assert_eq!(dashboard::t("no-such-message"), "no-such-message");
}
