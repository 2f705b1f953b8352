//! Values captured while connecting — from the OAuth callback's query, the token answer and the
//! identity answer — into the connection's config, as the catalog entry's `[capture]` says.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::domain::catalog::{CaptureSpec, Provider};

/// Longest captured value kept.
const MAX_VALUE: usize = 500;

/// A value as it may be kept and put into URL templates: printable ASCII without spaces, at
/// most 500 characters. Anything else from a provider is dropped, not trimmed into shape.
fn clean(value: &str) -> Option<String> {
    let ok = !value.is_empty()
        && value.len() <= MAX_VALUE
        && value.bytes().all(|b| b.is_ascii_graphic());
    ok.then(|| value.to_owned())
}

/// The callback captures found in the callback's other query parameters.
pub fn from_callback(
    spec: &CaptureSpec,
    query: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    spec.callback
        .iter()
        .filter_map(|(name, param)| Some((name.clone(), clean(query.get(param)?)?)))
        .collect()
}

/// The values the end user (or a preset) gave that are not secret — a shop, a subdomain, a
/// region and the hosts it sets — which belong in the connection config beside the captures,
/// so that a backend knows where to send its API calls without reading the credentials.
pub fn public_values(
    provider: &Provider,
    values: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let secret = |name: &str| provider.fields.iter().any(|f| f.secret && f.name == name);
    values
        .iter()
        .filter(|(name, _)| !secret(name))
        .filter_map(|(name, value)| Some((name.clone(), clean(value)?)))
        .collect()
}

/// The captures `pointers` (name → JSON pointer) find in `body`: strings, numbers, booleans.
pub fn from_json(pointers: &BTreeMap<String, String>, body: &Value) -> BTreeMap<String, String> {
    pointers
        .iter()
        .filter_map(|(name, pointer)| {
            let text = match body.pointer(pointer)? {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => return None,
            };
            Some((name.clone(), clean(&text)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> CaptureSpec {
        CaptureSpec {
            callback: BTreeMap::from([("realm_id".to_owned(), "realmId".to_owned())]),
            token: BTreeMap::from([("team_id".to_owned(), "/team/id".to_owned())]),
            identity: BTreeMap::from([("org".to_owned(), "/0/id".to_owned())]),
            account: Some("realm_id".to_owned()),
        }
    }

    #[test]
    fn callback_values_are_taken_by_parameter_name() {
        let query = BTreeMap::from([
            ("realmId".to_owned(), "9130357".to_owned()),
            ("other".to_owned(), "x".to_owned()),
        ]);
        assert_eq!(
            from_callback(&spec(), &query),
            BTreeMap::from([("realm_id".to_owned(), "9130357".to_owned())])
        );
    }

    #[test]
    fn json_values_are_found_by_pointer_and_hostile_ones_dropped() {
        let s = spec();
        let body = serde_json::json!({"team": {"id": 42}});
        assert_eq!(from_json(&s.token, &body)["team_id"], "42");
        for bad in ["", "has space", "new\nline", &"x".repeat(501)] {
            let body = serde_json::json!({"team": {"id": bad}});
            assert!(from_json(&s.token, &body).is_empty(), "{bad:?}");
        }
        let body = serde_json::json!([{"id": "cloud-1"}]);
        assert_eq!(from_json(&s.identity, &body)["org"], "cloud-1");
    }
}
