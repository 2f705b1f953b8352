//! How a backend calls the provider's API with a connection: the catalog's `[api]` (or a
//! generic template's options) filled in with the connection's values.

use std::collections::BTreeMap;

use base64::Engine;

use super::Credentials;
use crate::domain::catalog::{Provider, fill, placeholders};

/// Where the API is and what a request carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiAccess {
    /// The API's base URL, when it is known (an https URL).
    pub base_url: Option<String>,
    /// Headers to send.
    pub headers: BTreeMap<String, String>,
    /// Query parameters to send.
    pub query: BTreeMap<String, String>,
    /// HTTP Basic user and password (descriptions only; ready-to-use access turns it into an
    /// `Authorization` header).
    pub basic: Option<[String; 2]>,
}

/// How to call the API, as templates: non-secret placeholders filled from the connection
/// config, secret ones (`{access_token}`, an API key) kept for the backend to fill from the
/// credentials. Shown on a connection without revealing anything. `provider` is the connector's
/// resolved provider ([`connectors::provider_for`](crate::domain::services::connectors::provider_for)).
pub fn describe(provider: &Provider, config: &BTreeMap<String, String>) -> ApiAccess {
    let Some(spec) = &provider.api else {
        return ApiAccess::default();
    };
    let partial = |t: &String| {
        fill(t, |name| {
            Some(
                config
                    .get(name)
                    .cloned()
                    .unwrap_or_else(|| format!("{{{name}}}")),
            )
        })
        .unwrap_or_else(|| t.clone())
    };
    let each = |map: &BTreeMap<String, String>| -> BTreeMap<String, String> {
        map.iter().map(|(k, v)| (k.clone(), partial(v))).collect()
    };
    ApiAccess {
        base_url: base_url(&spec.base_url, |n| config.get(n).cloned()),
        headers: each(&spec.headers),
        query: each(&spec.query),
        basic: spec.basic.as_ref().map(|[u, p]| [partial(u), partial(p)]),
    }
}

/// How to call the API, ready to use: every placeholder filled from the credentials and the
/// config, Basic credentials as an `Authorization` header. Templates that cannot be filled are
/// left out rather than sent half-filled.
pub fn ready(
    provider: &Provider,
    credentials: &Credentials,
    config: &BTreeMap<String, String>,
) -> ApiAccess {
    let Some(spec) = &provider.api else {
        return ApiAccess::default();
    };
    let (token, values) = match credentials {
        Credentials::OAuth2 {
            access_token,
            values,
            ..
        } => (Some(access_token.as_str()), values),
        Credentials::Fields { values } => (None, values),
    };
    let lookup = |name: &str| match name {
        "access_token" => token.map(str::to_owned),
        _ => values.get(name).or_else(|| config.get(name)).cloned(),
    };
    let each = |map: &BTreeMap<String, String>| -> BTreeMap<String, String> {
        map.iter()
            .filter_map(|(k, v)| Some((k.clone(), fill(v, lookup)?)))
            .collect()
    };
    let mut headers = each(&spec.headers);
    if let Some([user, password]) = &spec.basic
        && let (Some(user), Some(password)) = (fill(user, lookup), fill(password, lookup))
    {
        let encoded =
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        headers.insert("Authorization".into(), format!("Basic {encoded}"));
    }
    ApiAccess {
        base_url: base_url(&spec.base_url, lookup),
        headers,
        query: each(&spec.query),
        basic: None,
    }
}

/// The base URL when every placeholder has a value and the result is an https URL: a captured
/// `instance_url` that is anything else is not passed on.
fn base_url(template: &str, lookup: impl Fn(&str) -> Option<String>) -> Option<String> {
    if template.is_empty() || placeholders(template).any(|n| n == "access_token") {
        return None;
    }
    let url = fill(template, lookup)?;
    let parsed = url::Url::parse(&url).ok()?;
    (parsed.scheme() == "https" && parsed.host_str().is_some()).then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalog::catalog;
    use crate::domain::services::connectors::provider_for;
    use crate::types::ConnectorOptions;

    /// The entry as a connector with `options` uses it.
    fn provider_with(id: &str, options: &ConnectorOptions) -> Provider {
        provider_for(catalog().get(id).expect("entry"), options)
    }

    fn provider(id: &str) -> Provider {
        provider_with(id, &ConnectorOptions::default())
    }

    fn oauth(token: &str, values: &[(&str, &str)]) -> Credentials {
        Credentials::OAuth2 {
            access_token: token.into(),
            refresh_token: None,
            token_type: "bearer".into(),
            expires_at: None,
            scopes: Vec::new(),
            values: values
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            raw: serde_json::Map::new(),
        }
    }

    #[test]
    fn a_description_fills_what_is_public_and_keeps_secrets_as_placeholders() {
        let xero = provider("xero");
        let config = BTreeMap::from([("tenant_id".to_owned(), "70784a63".to_owned())]);
        let api = describe(&xero, &config);
        assert_eq!(
            api.base_url.as_deref(),
            Some("https://api.xero.com/api.xro/2.0")
        );
        assert_eq!(api.headers["Authorization"], "Bearer {access_token}");
        assert_eq!(api.headers["Xero-Tenant-Id"], "70784a63");

        let ready = ready(&xero, &oauth("xero-at", &[]), &config);
        assert_eq!(ready.headers["Authorization"], "Bearer xero-at");
        assert_eq!(ready.headers["Xero-Tenant-Id"], "70784a63");
    }

    #[test]
    fn basic_credentials_become_an_authorization_header_when_ready() {
        let twilio = provider("twilio");
        let values = [("account_sid", "AC1"), ("auth_token", "secret")];
        let credentials = Credentials::Fields {
            values: values
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        };
        let config = BTreeMap::from([("account_sid".to_owned(), "AC1".to_owned())]);
        let described = describe(&twilio, &config);
        assert_eq!(described.basic, Some(["AC1".into(), "{auth_token}".into()]));
        let ready = ready(&twilio, &credentials, &config);
        // base64("AC1:secret")
        assert_eq!(ready.headers["Authorization"], "Basic QUMxOnNlY3JldA==");
        assert_eq!(
            ready.base_url.as_deref(),
            Some("https://api.twilio.com/2010-04-01/Accounts/AC1")
        );
    }

    #[test]
    fn a_captured_base_url_must_be_https() {
        let salesforce = provider("salesforce");
        for (captured, expected) in [
            (
                "https://acme.my.salesforce.com",
                Some("https://acme.my.salesforce.com"),
            ),
            ("http://acme.my.salesforce.com", None),
            ("javascript:alert(1)", None),
        ] {
            let config = BTreeMap::from([("instance_url".to_owned(), captured.to_owned())]);
            assert_eq!(
                describe(&salesforce, &config).base_url.as_deref(),
                expected,
                "{captured}"
            );
        }
    }

    #[test]
    fn generic_templates_describe_their_options() {
        let options = ConnectorOptions {
            header_name: Some("X-Api-Key".into()),
            header_prefix: Some(String::new()),
            ..ConnectorOptions::default()
        };
        let key = provider_with("generic_api_key", &options);
        let api = describe(&key, &BTreeMap::new());
        assert_eq!(api.headers["X-Api-Key"], "{api_key}");
        assert_eq!(api.base_url, None);
        let oauth2 = provider("generic_oauth2");
        let ready = ready(&oauth2, &oauth("tok", &[]), &BTreeMap::new());
        assert_eq!(ready.headers["Authorization"], "Bearer tok");
    }
}
