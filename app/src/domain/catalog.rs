//! The built-in provider catalog (`app/catalog/providers.toml`): parsed and validated once, at
//! start-up, then shared read-only.

use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

use crate::types::{AuthMode, FieldKind};

const CATALOG_TOML: &str = include_str!("../../catalog/providers.toml");

/// A provider as the catalog describes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// Stable identifier, e.g. `github`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Category for filtering in the dashboard.
    pub category: String,
    /// The provider documentation the entry was written from.
    pub docs: String,
    /// How end users authenticate.
    pub auth: AuthMode,
    /// A template whose URLs come from the connector's options.
    #[serde(default)]
    pub generic: bool,
    /// OAuth2 endpoints and quirks (for `auth = "oauth2"`).
    pub oauth2: Option<OAuth2Spec>,
    /// Values the end user supplies: URL placeholders (OAuth2) or the credentials themselves.
    #[serde(default)]
    pub fields: Vec<FieldSpec>,
    /// A request proving the credentials work.
    pub verify: Option<RequestSpec>,
    /// A request naming the connected account.
    pub identity: Option<RequestSpec>,
}

/// OAuth2 authorization-code details.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuth2Spec {
    /// Authorization endpoint; may contain `{field}` placeholders.
    pub authorization_url: String,
    /// Token endpoint; may contain `{field}` placeholders.
    pub token_url: String,
    /// Scopes requested unless the connector overrides them.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// How scopes are joined in the authorization request.
    #[serde(default = "default_separator")]
    pub scope_separator: String,
    /// How the client authenticates at the token endpoint.
    #[serde(default)]
    pub token_auth: TokenAuth,
    /// Extra parameters for the authorization request.
    #[serde(default)]
    pub authorization_params: BTreeMap<String, String>,
    /// The authorization server's issuer identifier (RFC 9207), when it sends `iss`.
    pub issuer: Option<String>,
    /// Token revocation endpoint (RFC 7009), if the provider has one.
    pub revocation_url: Option<String>,
}

fn default_separator() -> String {
    " ".to_owned()
}

/// Client authentication at the token endpoint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenAuth {
    /// `client_id` and `client_secret` in the form body.
    #[default]
    RequestBody,
    /// HTTP Basic with the client credentials.
    Basic,
}

/// One value an end user (or admin, as a preset) supplies.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// Form and placeholder name.
    pub name: String,
    /// Label shown next to the input.
    pub label: String,
    /// Help text under the input.
    pub help: Option<String>,
    /// Input kind.
    #[serde(default)]
    pub kind: FieldKind,
    /// Regular expression the whole value must match.
    pub pattern: String,
    /// Stored encrypted and never shown again.
    #[serde(default)]
    pub secret: bool,
    /// Used when nobody supplies a value.
    pub default: Option<String>,
}

/// An outbound HTTP request described as data.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestSpec {
    /// `GET` or `POST`.
    #[serde(default = "default_method")]
    pub method: String,
    /// URL template.
    pub url: String,
    /// Header templates.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// HTTP Basic user and password templates.
    pub basic: Option<[String; 2]>,
    /// Status that means success (verification only).
    #[serde(default = "default_status")]
    pub expect_status: u16,
    /// JSON pointers to the account's name; the first non-empty string wins (identity only).
    #[serde(default)]
    pub pointer: Vec<String>,
}

fn default_method() -> String {
    "GET".to_owned()
}

fn default_status() -> u16 {
    200
}

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

/// Checks one provider entry; the patterns of its fields go into `patterns`.
fn check_provider(
    p: &Provider,
    patterns: &mut BTreeMap<(String, String), Regex>,
) -> Result<(), String> {
    if p.name.trim().is_empty() || p.category.trim().is_empty() {
        return Err("name and category are required".into());
    }
    if !p.docs.starts_with("https://") {
        return Err("docs must be an https URL".into());
    }
    let names = check_fields(p, patterns)?;
    let known = check_auth(p, names)?;
    for (what, spec) in [("verify", &p.verify), ("identity", &p.identity)] {
        if let Some(spec) = spec {
            check_request(what, spec, &known)?;
        }
    }
    Ok(())
}

/// Field names are unique slugs with anchored patterns that their defaults match.
fn check_fields<'a>(
    p: &'a Provider,
    patterns: &mut BTreeMap<(String, String), Regex>,
) -> Result<HashSet<&'a str>, String> {
    let mut names = HashSet::new();
    for f in &p.fields {
        if !is_slug(&f.name) || !names.insert(f.name.as_str()) {
            return Err(format!("field {:?} is invalid or repeated", f.name));
        }
        if !f.pattern.starts_with('^') || !f.pattern.ends_with('$') {
            return Err(format!("field {:?}: pattern must be anchored", f.name));
        }
        let re =
            Regex::new(&f.pattern).map_err(|e| format!("field {:?}: bad pattern: {e}", f.name))?;
        if let Some(d) = &f.default
            && !re.is_match(d)
        {
            return Err(format!("field {:?}: default fails its pattern", f.name));
        }
        patterns.insert((p.id.clone(), f.name.clone()), re);
    }
    Ok(names)
}

/// The auth mode and its section agree; returns the placeholders requests may use.
fn check_auth<'a>(p: &'a Provider, names: HashSet<&'a str>) -> Result<HashSet<&'a str>, String> {
    let mut known = names;
    match (p.auth, &p.oauth2) {
        (AuthMode::OAuth2, Some(o)) => {
            known.insert("access_token");
            if p.generic {
                known.insert("authorization_url");
                known.insert("token_url");
            }
            for url in [&o.authorization_url, &o.token_url]
                .into_iter()
                .chain(o.revocation_url.as_ref())
            {
                check_url_template(url, &known, p.generic)?;
            }
            if o.scope_separator.is_empty() {
                return Err("scope_separator must not be empty".into());
            }
            if p.fields.iter().any(|f| f.secret) {
                return Err("OAuth2 placeholder fields cannot be secret".into());
            }
        }
        (AuthMode::OAuth2, None) => return Err("auth = oauth2 needs [oauth2]".into()),
        (_, Some(_)) => return Err("[oauth2] only for auth = oauth2".into()),
        (_, None) => {
            if p.fields.is_empty() {
                return Err("credential providers need fields".into());
            }
            if !p.fields.iter().any(|f| f.secret) {
                return Err("credential providers need a secret field".into());
            }
        }
    }
    Ok(known)
}

/// A verification or identity request uses known placeholders, GET or POST, JSON pointers and
/// a real status.
fn check_request(what: &str, spec: &RequestSpec, known: &HashSet<&str>) -> Result<(), String> {
    check_url_template(&spec.url, known, false).map_err(|e| format!("{what}: {e}"))?;
    if spec.method != "GET" && spec.method != "POST" {
        return Err(format!("{what}: method must be GET or POST"));
    }
    let templates = spec.headers.values().chain(spec.basic.iter().flatten());
    for t in templates {
        for name in placeholders(t) {
            if !known.contains(name) {
                return Err(format!("{what}: unknown placeholder {{{name}}}"));
            }
        }
    }
    if what == "identity" && spec.pointer.is_empty() {
        return Err("identity needs at least one pointer".into());
    }
    if spec.pointer.iter().any(|ptr| !ptr.starts_with('/')) {
        return Err(format!("{what}: pointers start with /"));
    }
    if !(100..=599).contains(&spec.expect_status) {
        return Err(format!("{what}: expect_status out of range"));
    }
    Ok(())
}

fn check_url_template(template: &str, known: &HashSet<&str>, generic: bool) -> Result<(), String> {
    for name in placeholders(template) {
        if !known.contains(name) {
            return Err(format!("unknown placeholder {{{name}}} in {template}"));
        }
    }
    if generic {
        return Ok(());
    }
    // Placeholders become a sample value so the template's shape can be checked as a URL.
    let sample = fill(template, |_| Some("sample".to_owned()))
        .ok_or_else(|| format!("unclosed placeholder in {template}"))?;
    let url = url::Url::parse(&sample).map_err(|e| format!("{template} is not a URL: {e}"))?;
    if url.scheme() != "https" {
        return Err(format!("{template} must use https"));
    }
    Ok(())
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
                let url = fill(&o.authorization_url, |n| {
                    p.fields
                        .iter()
                        .find(|f| f.name == n)
                        .map(|f| f.default.clone().unwrap_or_else(|| "acme".into()))
                })
                .expect("every placeholder is a field");
                assert!(url::Url::parse(&url).is_ok(), "{}: {url}", p.id);
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
"#;
        let err = Catalog::parse(base).err().expect("unknown placeholder");
        assert!(err.contains("{tenant}"), "{err}");

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
}
