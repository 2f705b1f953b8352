//! The built-in provider catalog (`app/catalog/providers.toml`): parsed and validated once, at
//! start-up, then shared read-only.

use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

mod check;
mod spec;

pub use spec::*;

use check::check_provider;

const CATALOG_TOML: &str = include_str!("../../../catalog/providers.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    provider: Vec<Provider>,
}

/// The validated catalog.
pub struct Catalog {
    providers: Vec<Provider>,
    patterns: BTreeMap<(String, String), Regex>,
}

static CATALOG: LazyLock<Result<Catalog, String>> = LazyLock::new(|| Catalog::parse(CATALOG_TOML));

/// The built-in catalog. Panics only if [`validate_builtin`] would have failed, which start-up
/// checks before serving anything.
pub fn catalog() -> &'static Catalog {
    match &*CATALOG {
        Ok(catalog) => catalog,
        Err(e) => panic!("the built-in provider catalog is invalid: {e}"),
    }
}

/// Validates the built-in catalog; the server calls this at start-up and refuses to start on error.
pub fn validate_builtin() -> Result<usize, String> {
    CATALOG
        .as_ref()
        .map(|c| c.providers.len())
        .map_err(Clone::clone)
}

impl Catalog {
    /// Parses and validates catalog text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let file: CatalogFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut ids = HashSet::new();
        let mut patterns = BTreeMap::new();
        for p in &file.provider {
            let at = |msg: String| format!("provider {:?}: {msg}", p.id);
            if !is_slug(&p.id) {
                return Err(at("id must be lower-case letters, digits and _".into()));
            }
            if !ids.insert(p.id.clone()) {
                return Err(at("duplicate id".into()));
            }
            check_provider(p, &mut patterns).map_err(at)?;
        }
        Ok(Catalog {
            providers: file.provider,
            patterns,
        })
    }

    /// Every provider, in catalog order.
    pub fn providers(&self) -> &[Provider] {
        &self.providers
    }

    /// The provider with this id.
    pub fn get(&self, id: &str) -> Option<&Provider> {
        self.providers.iter().find(|p| p.id == id)
    }

    /// Whether `value` is acceptable for `field` of `provider`.
    pub fn field_matches(&self, provider: &str, field: &str, value: &str) -> bool {
        self.patterns
            .get(&(provider.to_owned(), field.to_owned()))
            .is_some_and(|re| re.is_match(value))
    }
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// The `{name}` placeholders in a template.
pub fn placeholders(template: &str) -> impl Iterator<Item = &str> {
    template
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(n, _)| n))
}

/// Replaces `{name}` placeholders with values; `None` when one has no value.
pub fn fill(template: &str, value: impl Fn(&str) -> Option<String>) -> Option<String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let end = after.find('}')?;
        out.push_str(&value(&after[..end])?);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalog_is_valid_and_large_enough() {
        let count = validate_builtin().expect("catalog validates");
        let real = catalog().providers().iter().filter(|p| !p.generic).count();
        assert!(real >= 25, "only {real} real providers");
        assert_eq!(
            count - real,
            3,
            "generic OAuth2, API key and basic templates"
        );
        for id in [
            "github",
            "slack",
            "salesforce",
            "zendesk",
            "stripe",
            "twilio",
            "freshdesk",
        ] {
            assert!(catalog().get(id).is_some(), "{id} missing");
        }
    }

    #[test]
    fn every_entry_can_be_filled_from_its_defaults_or_samples() {
        for p in catalog().providers().iter().filter(|p| !p.generic) {
            if let Some(o) = &p.oauth2 {
                let mut values: BTreeMap<String, String> = p
                    .fields
                    .iter()
                    .map(|f| {
                        let value = f.default.clone().unwrap_or_else(|| "acme".into());
                        (f.name.clone(), value)
                    })
                    .collect();
                p.add_choice_values(&mut values);
                for template in [&o.authorization_url, &o.token_url] {
                    let url = fill(template, |n| values.get(n).cloned())
                        .expect("every placeholder is a field or set by an option");
                    assert!(url::Url::parse(&url).is_ok(), "{}: {url}", p.id);
                }
            }
        }
    }

    #[test]
    fn invalid_catalogs_are_refused_with_the_reason() {
        let base = r#"
[[provider]]
id = "x"
name = "X"
category = "C"
docs = "https://example.com"
auth = "oauth2"
[provider.oauth2]
authorization_url = "https://example.com/{tenant}/authorize"
token_url = "https://example.com/token"
[provider.api]
base_url = "https://api.example.com"
[provider.identity]
url = "https://example.com/me"
pointer = ["/name"]
"#;
        let err = Catalog::parse(base).err().expect("unknown placeholder");
        assert!(err.contains("{tenant}"), "{err}");

        let fixed = base.replace("/{tenant}", "");
        assert!(Catalog::parse(&fixed).is_ok());
        let unchecked = fixed.replace(
            "[provider.identity]\nurl = \"https://example.com/me\"\npointer = [\"/name\"]\n",
            "",
        );
        let err = Catalog::parse(&unchecked).err().expect("no check");
        assert!(err.contains("verify or identity"), "{err}");
        let no_api = fixed.replace(
            "[provider.api]\nbase_url = \"https://api.example.com\"\n",
            "",
        );
        let err = Catalog::parse(&no_api).err().expect("no api");
        assert!(err.contains("[api] is required"), "{err}");
        let plain_http = fixed.replace("https://api.example.com", "http://api.example.com");
        let err = Catalog::parse(&plain_http).err().expect("http api");
        assert!(err.contains("https"), "{err}");
        let reserved = fixed.replace(
            "token_url = ",
            "token_params = { code = \"x\" }\ntoken_url = ",
        );
        assert!(
            Catalog::parse(&reserved)
                .err()
                .expect("reserved")
                .contains("reserved")
        );
        let pointer = fixed.replace(
            "[provider.identity]",
            "[provider.oauth2.token_response]\naccess_token = [\"token\"]\n[provider.identity]",
        );
        assert!(
            Catalog::parse(&pointer)
                .err()
                .expect("pointer")
                .contains("pointers")
        );
        let short = fixed.replace("token_url = ", "default_expires_in = 5\ntoken_url = ");
        assert!(
            Catalog::parse(&short)
                .err()
                .expect("short")
                .contains("60 seconds")
        );

        let http = base.replace("https://example.com/{tenant}", "http://example.com");
        assert!(Catalog::parse(&http).err().expect("http").contains("https"));

        let dup = format!("{0}{0}", base.replace("/{tenant}", ""));
        assert!(
            Catalog::parse(&dup)
                .err()
                .expect("dup")
                .contains("duplicate")
        );

        let unknown_key = base
            .replace("/{tenant}", "")
            .replace("auth = ", "colour = \"red\"\nauth = ");
        assert!(Catalog::parse(&unknown_key).is_err());

        let no_secret = r#"
[[provider]]
id = "k"
name = "K"
category = "C"
docs = "https://example.com"
auth = "api_key"
[[provider.fields]]
name = "key"
label = "Key"
pattern = "^.+$"
"#;
        assert!(
            Catalog::parse(no_secret)
                .err()
                .expect("no secret")
                .contains("secret")
        );
        let unanchored = no_secret
            .replace("^.+$", ".+")
            .replace("pattern", "secret = true\npattern");
        assert!(
            Catalog::parse(&unanchored)
                .err()
                .expect("anchor")
                .contains("anchored")
        );
    }

    #[test]
    fn entries_are_sorted_by_id_and_unique() {
        let ids: Vec<&str> = catalog()
            .providers()
            .iter()
            .map(|p| p.id.as_str())
            .collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted);
    }

    #[test]
    fn every_provider_is_listed_in_the_providers_table() {
        let table = include_str!("../../../../docs/providers.md");
        for p in catalog().providers() {
            assert!(
                table.contains(&format!("| `{}` | {} |", p.id, p.name)),
                "docs/providers.md has no row for {}",
                p.id
            );
        }
    }

    #[test]
    fn fill_replaces_every_placeholder_or_gives_none() {
        let out = fill("https://{a}.x.com/{b}", |n| Some(n.to_uppercase()));
        assert_eq!(out.as_deref(), Some("https://A.x.com/B"));
        assert_eq!(fill("https://{a}.x.com", |_| None), None);
        assert_eq!(fill("https://{a.x.com", |_| Some("v".into())), None);
    }

    #[test]
    fn field_patterns_are_enforced() {
        let c = catalog();
        assert!(c.field_matches("zendesk", "subdomain", "acme"));
        assert!(!c.field_matches("zendesk", "subdomain", "evil.com/x"));
        assert!(!c.field_matches("zendesk", "subdomain", "acme\n"));
        assert!(!c.field_matches("zendesk", "nope", "acme"));
    }

    #[test]
    fn a_select_takes_only_its_options_and_sets_their_placeholders() {
        let c = catalog();
        assert!(c.field_matches("intercom", "region", "eu"));
        assert!(!c.field_matches("intercom", "region", "eux"));
        assert!(!c.field_matches("intercom", "region", "api.evil.example"));
        let intercom = c.get("intercom").expect("intercom");
        let mut values = BTreeMap::from([("region".to_owned(), "au".to_owned())]);
        intercom.add_choice_values(&mut values);
        assert_eq!(values["api_host"], "api.au.intercom.io");
        assert_eq!(values["app_host"], "app.au.intercom.com");

        let entry = |options: &str| {
            format!(
                r#"
[[provider]]
id = "x"
name = "X"
category = "C"
docs = "https://example.com"
auth = "oauth2"
[provider.oauth2]
authorization_url = "https://{{host}}/authorize"
token_url = "https://{{host}}/token"
[[provider.fields]]
name = "region"
label = "Region"
kind = "select"
options = [{options}]
[provider.identity]
url = "https://{{host}}/me"
pointer = ["/name"]
[provider.api]
base_url = "https://{{host}}/v1"
"#
            )
        };
        let good = r#"{ value = "us", label = "US", sets = { host = "us.example.com" } }, { value = "eu", label = "EU", sets = { host = "eu.example.com" } }"#;
        assert!(Catalog::parse(&entry(good)).is_ok());
        for (bad, why) in [
            ("", "no options"),
            (
                r#"{ value = "us", label = "US", sets = { host = "us.example.com" } }, { value = "eu", label = "EU", sets = { other = "eu.example.com" } }"#,
                "options setting different placeholders",
            ),
            (
                r#"{ value = "us", label = "US", sets = { host = "evil.com?x={token}" } }"#,
                "a value that is not URL-safe",
            ),
            (
                r#"{ value = "us", label = "US", sets = { host = "a" } }, { value = "us", label = "Again", sets = { host = "b" } }"#,
                "a repeated value",
            ),
            (
                r#"{ value = "us", label = "US", sets = { region = "a" } }"#,
                "a placeholder named like a field",
            ),
        ] {
            assert!(Catalog::parse(&entry(bad)).is_err(), "{why} accepted");
        }
    }
}
