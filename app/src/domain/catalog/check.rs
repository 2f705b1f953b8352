//! The checks every catalog entry passes before the server starts.

use std::collections::{BTreeMap, HashSet};

use regex::Regex;

use super::{FieldSpec, OAuth2Spec, Provider, RequestSpec, fill, is_slug, placeholders};
use crate::types::{AuthMode, FieldKind};

/// Checks one provider entry; the patterns of its fields go into `patterns`.
pub(super) fn check_provider(
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
    let mut known = check_auth(p, names)?;
    check_captures(p, &mut known)?;
    for (what, spec) in [("verify", &p.verify), ("identity", &p.identity)] {
        if let Some(spec) = spec {
            check_request(what, spec, &known)?;
        }
    }
    known.extend(p.capture.identity.keys().map(String::as_str));
    check_api(p, &known)
}

/// Every real entry says where its API is and, unless it is OAuth2 (bearer by default), how
/// credentials go on a request.
fn check_api(p: &Provider, known: &HashSet<&str>) -> Result<(), String> {
    let Some(api) = &p.api else {
        if p.generic {
            return Ok(());
        }
        return Err("[api] is required: where the API is and how credentials are sent".into());
    };
    if p.generic {
        return Err("a generic template's API comes from the connector's options".into());
    }
    if p.auth != AuthMode::OAuth2 && !api.applies_credentials() {
        return Err("api: headers, query or basic must say how the credentials are sent".into());
    }
    // A base URL may start with a captured URL (Salesforce's `{instance_url}`).
    let sample = fill(&api.base_url, |_| Some("sample".to_owned()))
        .ok_or("api: unclosed placeholder in base_url")?;
    let sample = if api.base_url.starts_with('{') {
        format!("https://{sample}")
    } else {
        sample
    };
    let parsed = url::Url::parse(&sample).map_err(|e| format!("api: base_url: {e}"))?;
    if parsed.scheme() != "https" {
        return Err("api: base_url must use https".into());
    }
    let templates = std::iter::once(&api.base_url)
        .chain(api.headers.values())
        .chain(api.query.values())
        .chain(api.basic.iter().flatten());
    for t in templates {
        if let Some(name) = placeholders(t).find(|n| !known.contains(n)) {
            return Err(format!("api: unknown placeholder {{{name}}}"));
        }
    }
    Ok(())
}

/// Field names are unique slugs with anchored patterns that their defaults match; a select
/// field has options instead, and the placeholders its options set are known names too.
fn check_fields<'a>(
    p: &'a Provider,
    patterns: &mut BTreeMap<(String, String), Regex>,
) -> Result<HashSet<&'a str>, String> {
    let mut names = HashSet::new();
    for f in &p.fields {
        if !is_slug(&f.name) || !names.insert(f.name.as_str()) {
            return Err(format!("field {:?} is invalid or repeated", f.name));
        }
    }
    for f in &p.fields {
        let re = if f.kind == FieldKind::Select {
            check_options(f, &mut names)?
        } else {
            if !f.options.is_empty() {
                return Err(format!("field {:?}: only a select has options", f.name));
            }
            if !f.pattern.starts_with('^') || !f.pattern.ends_with('$') {
                return Err(format!("field {:?}: pattern must be anchored", f.name));
            }
            Regex::new(&f.pattern).map_err(|e| format!("field {:?}: bad pattern: {e}", f.name))?
        };
        if let Some(d) = &f.default
            && !re.is_match(d)
        {
            return Err(format!("field {:?}: default fails its pattern", f.name));
        }
        patterns.insert((p.id.clone(), f.name.clone()), re);
    }
    Ok(names)
}

/// A select field's options: unique values, labels, no pattern, no secret, and every option
/// setting the same placeholders (new slugs, values safe to put into a URL). Returns the pattern
/// a value must match: one of the options.
fn check_options<'a>(f: &'a FieldSpec, names: &mut HashSet<&'a str>) -> Result<Regex, String> {
    let at = |msg: &str| format!("field {:?}: {msg}", f.name);
    if f.options.is_empty() || !f.pattern.is_empty() || f.secret {
        return Err(at("a select has options, no pattern and is not secret"));
    }
    let mut values = HashSet::new();
    for o in &f.options {
        if !is_slug(&o.value) || !values.insert(o.value.as_str()) || o.label.trim().is_empty() {
            return Err(at("option values are unique slugs with a label"));
        }
        let same_names = o.sets.keys().eq(f.options[0].sets.keys());
        let safe = o.sets.values().all(|v| {
            !v.is_empty()
                && v.len() <= 200
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._/".contains(&b))
        });
        if !same_names || !safe {
            return Err(at(
                "every option sets the same placeholders, to URL-safe values",
            ));
        }
    }
    for name in f.options[0].sets.keys() {
        if !is_slug(name) || !names.insert(name.as_str()) {
            return Err(at(&format!("placeholder {name:?} is invalid or taken")));
        }
    }
    let alternatives: Vec<String> = f.options.iter().map(|o| regex::escape(&o.value)).collect();
    Regex::new(&format!("^(?:{})$", alternatives.join("|"))).map_err(|e| at(&e.to_string()))
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
            check_token_rules(o)?;
            if !p.generic && p.verify.is_none() && p.identity.is_none() {
                return Err(
                    "an OAuth2 entry needs a verify or identity request: a connection \
                            is only green once one succeeded"
                        .into(),
                );
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

/// Capture names are new slugs, pointers are JSON pointers, callback and token captures exist
/// only for OAuth2, and `account` names a capture or field. Callback and token captures become
/// placeholders of the verify and identity templates.
fn check_captures<'a>(p: &'a Provider, known: &mut HashSet<&'a str>) -> Result<(), String> {
    let c = &p.capture;
    if p.auth != AuthMode::OAuth2 && !(c.callback.is_empty() && c.token.is_empty()) {
        return Err("callback and token captures are for OAuth2 entries".into());
    }
    let mut names = HashSet::new();
    for (name, source) in c.callback.iter().chain(&c.token).chain(&c.identity) {
        if !is_slug(name) || known.contains(name.as_str()) || !names.insert(name.as_str()) {
            return Err(format!("capture {name:?} is invalid or taken"));
        }
        if source.is_empty() {
            return Err(format!("capture {name:?} has no source"));
        }
    }
    if c.token
        .values()
        .chain(c.identity.values())
        .any(|p| !p.starts_with('/'))
    {
        return Err("token and identity captures are JSON pointers (start with /)".into());
    }
    if let Some(account) = &c.account
        && !names.contains(account.as_str())
        && !p.fields.iter().any(|f| &f.name == account)
    {
        return Err(format!("account {account:?} names no capture or field"));
    }
    known.extend(c.callback.keys().chain(c.token.keys()).map(String::as_str));
    Ok(())
}

/// Token parameters are plain names, response pointers are JSON pointers and the assumed
/// lifetime is at least a minute.
fn check_token_rules(o: &OAuth2Spec) -> Result<(), String> {
    const RESERVED: [&str; 7] = [
        "grant_type",
        "code",
        "redirect_uri",
        "code_verifier",
        "refresh_token",
        "client_id",
        "client_secret",
    ];
    for (name, _) in o.token_params.iter().chain(&o.refresh_params) {
        if name.is_empty() || RESERVED.contains(&name.as_str()) {
            return Err(format!("token parameter {name:?} is empty or reserved"));
        }
    }
    if o.scope_descriptions
        .iter()
        .any(|(scope, text)| scope.is_empty() || text.trim().is_empty() || text.len() > 200)
    {
        return Err("scope descriptions need a scope and 1 to 200 characters".into());
    }
    let r = &o.token_response;
    if r.access_token.is_empty() {
        return Err("token_response.access_token needs a pointer".into());
    }
    if r.pointers().any(|p| !p.starts_with('/')) {
        return Err("token_response pointers start with /".into());
    }
    if o.default_expires_in.is_some_and(|s| s < 60) {
        return Err("default_expires_in must be at least 60 seconds".into());
    }
    Ok(())
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
    if let Some(body) = &spec.body
        && (spec.method != "POST" || serde_json::from_str::<serde_json::Value>(body).is_err())
    {
        return Err(format!("{what}: a body must be JSON, on a POST"));
    }
    if what == "identity" && spec.pointer.is_empty() {
        return Err("identity needs at least one pointer".into());
    }
    if spec.pointer.iter().any(|ptr| !ptr.starts_with('/')) {
        return Err(format!("{what}: pointers start with /"));
    }
    if spec.expect_status.is_empty() || spec.expect_status.iter().any(|s| !(100..=599).contains(s))
    {
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
