//! Typed configuration from environment variables, with safe defaults for the embedded mode.
//!
//! Every setting is listed in the README's configuration table. Secrets are held in
//! [`SecretString`] so that `Debug` and logs never show them.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;
use url::Url;

/// Pool size when `AUTHLINK_DB_MAX_CONNECTIONS` is unset.
pub const DEFAULT_DB_MAX_CONNECTIONS: u32 = 10;

/// Why the configuration was refused. Each message names the variable to fix.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A variable has a value we cannot use.
    #[error("{var}: {reason}")]
    Invalid {
        /// The environment variable.
        var: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

fn invalid(var: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        var,
        reason: reason.into(),
    }
}

/// Whether the session cookie carries the `Secure` flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieSecurity {
    /// Secure when the public URL is https.
    Auto,
    /// Always Secure.
    Always,
    /// Never Secure (plain-http development only).
    Never,
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// The whole configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on (`AUTHLINK_BIND`).
    pub bind: SocketAddr,
    /// The URL browsers reach us at (`AUTHLINK_PUBLIC_URL`); origin only.
    pub public_url: Url,
    /// Where the SQLite database and the generated master key live (`AUTHLINK_DATA_DIR`).
    pub data_dir: PathBuf,
    /// Database URL (`DATABASE_URL`); SQLite in the data directory when unset.
    pub database_url: SecretString,
    /// Pool size (`AUTHLINK_DB_MAX_CONNECTIONS`).
    pub db_max_connections: u32,
    /// Master key, base64 (`AUTHLINK_MASTER_KEY`); generated into the data directory when unset.
    pub master_key: Option<SecretString>,
    /// Keys that only decrypt, during rotation (`AUTHLINK_RETIRED_MASTER_KEYS`, comma-separated).
    pub retired_master_keys: Vec<SecretString>,
    /// `tracing` filter (`AUTHLINK_LOG`, else `RUST_LOG`).
    pub log_filter: String,
    /// Log format (`AUTHLINK_LOG_FORMAT`).
    pub log_format: LogFormat,
    /// Session cookie `Secure` flag (`AUTHLINK_COOKIE_SECURE`).
    pub cookie_security: CookieSecurity,
    /// Idle timeout of dashboard sessions (`AUTHLINK_SESSION_IDLE_MINUTES`).
    pub session_idle: Duration,
    /// Absolute lifetime of dashboard sessions (`AUTHLINK_SESSION_MAX_HOURS`).
    pub session_absolute: Duration,
    /// Take the client address from `X-Forwarded-For` (`AUTHLINK_TRUST_PROXY`).
    pub trust_proxy: bool,
    /// Serve the built-in demo provider and seed demo data (`AUTHLINK_DEMO`).
    pub demo: bool,
    /// REST API requests per key per minute (`AUTHLINK_API_RATE_LIMIT`).
    pub api_rate_limit_per_minute: u32,
    /// Requests per client address per minute on the end user's routes (`/connect/…`,
    /// `/oauth/callback`; `AUTHLINK_END_USER_RATE_LIMIT`).
    pub end_user_rate_limit_per_minute: u32,
    /// Time limit of one webhook request (`AUTHLINK_WEBHOOK_TIMEOUT_SECS`).
    pub webhook_timeout: Duration,
    /// Allow webhook endpoints on private, loopback and link-local addresses, and plain http
    /// (`AUTHLINK_WEBHOOK_ALLOW_PRIVATE`; development only).
    pub webhook_allow_private: bool,
    /// Refresh OAuth tokens this long before they expire (`AUTHLINK_REFRESH_MARGIN_MINUTES`).
    pub refresh_margin: Duration,
    /// Send every provider request to this origin instead, keeping path, query and the
    /// provider's host in `Host` (`AUTHLINK_PROVIDER_SIMULATOR`; the test suite's simulators only).
    pub provider_simulator: Option<url::Url>,
    /// Where the compiled site (wasm, JS, CSS, assets) is (`LEPTOS_SITE_ROOT`).
    pub site_root: PathBuf,
    /// The mail server links are e-mailed through (`AUTHLINK_SMTP_URL`, `AUTHLINK_SMTP_FROM`);
    /// without it links are only copied.
    pub smtp: Option<crate::mail::SmtpSettings>,
    /// Single sign-on through an OpenID Connect provider (`AUTHLINK_SSO_*`).
    pub sso: Option<app::domain::services::sso::SsoSettings>,
    /// Whether only the owner may sign in with a password (`AUTHLINK_PASSWORD_SIGN_IN=owner`;
    /// needs single sign-on).
    pub password_sign_in_owner_only: bool,
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };

        let bind_text = get("AUTHLINK_BIND").unwrap_or_else(|| "127.0.0.1:3000".into());
        let bind: SocketAddr = bind_text.parse().map_err(|_| {
            invalid(
                "AUTHLINK_BIND",
                format!("{bind_text:?} is not an address like 127.0.0.1:3000"),
            )
        })?;

        let public_text = get("AUTHLINK_PUBLIC_URL").unwrap_or_else(|| format!("http://{bind}"));
        let public_url = parse_public_url(&public_text)?;

        let data_dir = PathBuf::from(get("AUTHLINK_DATA_DIR").unwrap_or_else(|| "./data".into()));

        let database_url = match get("DATABASE_URL") {
            Some(url) => {
                if !(url.starts_with("sqlite:")
                    || url.starts_with("postgres://")
                    || url.starts_with("postgresql://"))
                {
                    return Err(invalid(
                        "DATABASE_URL",
                        "must start with sqlite:, postgres:// or postgresql://",
                    ));
                }
                url
            }
            None => format!(
                "sqlite://{}?mode=rwc",
                data_dir.join("authlink.db").display()
            ),
        };

        let master_key = get("AUTHLINK_MASTER_KEY").map(SecretString::from);
        let retired_master_keys = get("AUTHLINK_RETIRED_MASTER_KEYS")
            .map(|list| {
                list.split(',')
                    .map(str::trim)
                    .filter(|k| !k.is_empty())
                    .map(|k| SecretString::from(k.to_owned()))
                    .collect()
            })
            .unwrap_or_default();

        let log_filter = get("AUTHLINK_LOG")
            .or_else(|| get("RUST_LOG"))
            .unwrap_or_else(|| "info,sqlx=warn,sea_orm=warn".into());
        let log_format = match get("AUTHLINK_LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(invalid(
                    "AUTHLINK_LOG_FORMAT",
                    format!("{other:?} is not text or json"),
                ));
            }
        };
        let cookie_security = match get("AUTHLINK_COOKIE_SECURE").as_deref() {
            None | Some("auto") => CookieSecurity::Auto,
            Some("true") => CookieSecurity::Always,
            Some("false") => CookieSecurity::Never,
            Some(other) => {
                return Err(invalid(
                    "AUTHLINK_COOKIE_SECURE",
                    format!("{other:?} is not auto, true or false"),
                ));
            }
        };
        let session_idle = Duration::from_secs(
            60 * number(&get, "AUTHLINK_SESSION_IDLE_MINUTES", 60, 1..=43_200)?,
        );
        let session_absolute =
            Duration::from_secs(3600 * number(&get, "AUTHLINK_SESSION_MAX_HOURS", 12, 1..=720)?);
        if session_absolute < session_idle {
            return Err(invalid(
                "AUTHLINK_SESSION_MAX_HOURS",
                "must not be shorter than AUTHLINK_SESSION_IDLE_MINUTES",
            ));
        }
        let db_max_connections = number(
            &get,
            "AUTHLINK_DB_MAX_CONNECTIONS",
            DEFAULT_DB_MAX_CONNECTIONS.into(),
            1..=1000,
        )? as u32;
        let trust_proxy = boolean(&get, "AUTHLINK_TRUST_PROXY", false)?;
        let demo = boolean(&get, "AUTHLINK_DEMO", false)?;
        let api_rate_limit_per_minute =
            number(&get, "AUTHLINK_API_RATE_LIMIT", 600, 1..=1_000_000)? as u32;
        let end_user_rate_limit_per_minute =
            number(&get, "AUTHLINK_END_USER_RATE_LIMIT", 120, 1..=1_000_000)? as u32;
        let webhook_timeout =
            Duration::from_secs(number(&get, "AUTHLINK_WEBHOOK_TIMEOUT_SECS", 10, 1..=60)?);
        let webhook_allow_private = boolean(&get, "AUTHLINK_WEBHOOK_ALLOW_PRIVATE", false)?;
        let refresh_margin =
            Duration::from_secs(60 * number(&get, "AUTHLINK_REFRESH_MARGIN_MINUTES", 10, 1..=720)?);
        let site_root =
            PathBuf::from(get("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()));
        let provider_simulator = match get("AUTHLINK_PROVIDER_SIMULATOR") {
            None => None,
            Some(text) => {
                let url = url::Url::parse(&text)
                    .ok()
                    .filter(|u| u.scheme() == "http" && u.host_str().is_some())
                    .ok_or_else(|| {
                        invalid("AUTHLINK_PROVIDER_SIMULATOR", "must be an http:// origin")
                    })?;
                Some(url)
            }
        };

        let smtp = match (get("AUTHLINK_SMTP_URL"), get("AUTHLINK_SMTP_FROM")) {
            (None, _) => None,
            (Some(url), from) => {
                if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                    return Err(invalid(
                        "AUTHLINK_SMTP_URL",
                        "must start with smtp:// or smtps://",
                    ));
                }
                let from = from.ok_or_else(|| {
                    invalid(
                        "AUTHLINK_SMTP_FROM",
                        "must be set with AUTHLINK_SMTP_URL, e.g. \"Acme <noreply@acme.example>\"",
                    )
                })?;
                Some(crate::mail::SmtpSettings {
                    url: SecretString::from(url),
                    from,
                })
            }
        };

        let sso = sso_from(&get)?;
        let password_sign_in_owner_only = match get("AUTHLINK_PASSWORD_SIGN_IN").as_deref() {
            None | Some("everyone") => false,
            Some("owner") if sso.is_some() => true,
            Some("owner") => {
                return Err(invalid(
                    "AUTHLINK_PASSWORD_SIGN_IN",
                    "\"owner\" needs single sign-on (AUTHLINK_SSO_ISSUER) for everyone else",
                ));
            }
            Some(_) => {
                return Err(invalid(
                    "AUTHLINK_PASSWORD_SIGN_IN",
                    "must be \"everyone\" or \"owner\"",
                ));
            }
        };

        Ok(Self {
            bind,
            public_url,
            data_dir,
            database_url: SecretString::from(database_url),
            db_max_connections,
            master_key,
            retired_master_keys,
            log_filter,
            log_format,
            cookie_security,
            session_idle,
            session_absolute,
            trust_proxy,
            demo,
            api_rate_limit_per_minute,
            end_user_rate_limit_per_minute,
            webhook_timeout,
            webhook_allow_private,
            refresh_margin,
            provider_simulator,
            site_root,
            smtp,
            sso,
            password_sign_in_owner_only,
        })
    }

    /// The public origin, e.g. `https://auth.example.com` (no trailing slash).
    pub fn public_origin(&self) -> String {
        self.public_url.origin().ascii_serialization()
    }

    /// Whether cookies get the `Secure` flag.
    pub fn secure_cookies(&self) -> bool {
        match self.cookie_security {
            CookieSecurity::Always => true,
            CookieSecurity::Never => false,
            CookieSecurity::Auto => self.public_url.scheme() == "https",
        }
    }
}

/// `AUTHLINK_SSO_ISSUER` and the rest: all or nothing.
fn sso_from(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Option<app::domain::services::sso::SsoSettings>, ConfigError> {
    const ISSUER: &str = "AUTHLINK_SSO_ISSUER";
    let Some(issuer) = get(ISSUER) else {
        return Ok(None);
    };
    let url = Url::parse(&issuer).map_err(|e| invalid(ISSUER, format!("not a URL ({e})")))?;
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    if !(url.scheme() == "https" || (url.scheme() == "http" && loopback)) {
        return Err(invalid(ISSUER, "must be an https:// URL"));
    }
    let required = |var: &'static str| {
        get(var).ok_or_else(|| invalid(var, format!("must be set with {ISSUER}")))
    };
    let client_id = required("AUTHLINK_SSO_CLIENT_ID")?;
    let client_secret = SecretString::from(required("AUTHLINK_SSO_CLIENT_SECRET")?);
    let allowed_domains: Vec<String> = required("AUTHLINK_SSO_ALLOWED_DOMAINS")?
        .split(',')
        .map(|d| d.trim().trim_start_matches('@').to_lowercase())
        .filter(|d| !d.is_empty())
        .collect();
    if allowed_domains.is_empty() || allowed_domains.iter().any(|d| !d.contains('.')) {
        return Err(invalid(
            "AUTHLINK_SSO_ALLOWED_DOMAINS",
            "must list e-mail domains, e.g. \"acme.com,acme.de\"",
        ));
    }
    let default_role = match get("AUTHLINK_SSO_DEFAULT_ROLE").as_deref() {
        None | Some("viewer") => app::types::Role::Viewer,
        Some("admin") => app::types::Role::Admin,
        Some(_) => {
            return Err(invalid(
                "AUTHLINK_SSO_DEFAULT_ROLE",
                "must be \"viewer\" or \"admin\"",
            ));
        }
    };
    Ok(Some(app::domain::services::sso::SsoSettings {
        issuer,
        client_id,
        client_secret,
        allowed_domains,
        default_role,
        label: get("AUTHLINK_SSO_LABEL").unwrap_or_else(|| "single sign-on".into()),
    }))
}

fn parse_public_url(text: &str) -> Result<Url, ConfigError> {
    const VAR: &str = "AUTHLINK_PUBLIC_URL";
    let url = Url::parse(text).map_err(|e| invalid(VAR, format!("{text:?} is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(VAR, "must be an http:// or https:// URL"));
    }
    if url.host_str().is_none() {
        return Err(invalid(VAR, "must name a host"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(
            VAR,
            "must be an origin only, like https://auth.example.com (no path or query)",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(VAR, "must not contain credentials"));
    }
    Ok(url)
}

fn number(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, ConfigError> {
    let Some(text) = get(var) else {
        return Ok(default);
    };
    let value: u64 = text
        .parse()
        .map_err(|_| invalid(var, format!("{text:?} is not a whole number")))?;
    if !range.contains(&value) {
        return Err(invalid(
            var,
            format!("must be between {} and {}", range.start(), range.end()),
        ));
    }
    Ok(value)
}

fn boolean(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    match get(var).as_deref() {
        None => Ok(default),
        Some("true" | "1" | "yes") => Ok(true),
        Some("false" | "0" | "no") => Ok(false),
        Some(other) => Err(invalid(var, format!("{other:?} is not true or false"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_run_the_embedded_mode() {
        let c = config(&[]).expect("defaults are valid");
        assert_eq!(c.bind.to_string(), "127.0.0.1:3000");
        assert_eq!(c.public_origin(), "http://127.0.0.1:3000");
        assert_eq!(
            c.database_url.expose_secret(),
            "sqlite://./data/authlink.db?mode=rwc"
        );
        assert!(!c.secure_cookies());
        assert!(c.master_key.is_none());
    }

    #[test]
    fn https_public_url_makes_cookies_secure() {
        let c = config(&[("AUTHLINK_PUBLIC_URL", "https://auth.example.com")]).expect("valid");
        assert!(c.secure_cookies());
        assert_eq!(c.public_origin(), "https://auth.example.com");
    }

    #[test]
    fn invalid_values_name_their_variable() {
        for (var, value) in [
            ("AUTHLINK_PUBLIC_URL", "not a url"),
            ("AUTHLINK_PUBLIC_URL", "ftp://example.com"),
            ("AUTHLINK_PUBLIC_URL", "https://example.com/sub/path"),
            ("AUTHLINK_PUBLIC_URL", "https://user:pw@example.com"),
            ("AUTHLINK_BIND", "localhost"),
            ("DATABASE_URL", "mysql://db"),
            ("AUTHLINK_COOKIE_SECURE", "maybe"),
            ("AUTHLINK_SESSION_IDLE_MINUTES", "0"),
            ("AUTHLINK_SESSION_IDLE_MINUTES", "ten"),
            ("AUTHLINK_TRUST_PROXY", "perhaps"),
            ("AUTHLINK_SMTP_URL", "mail.example.com:587"),
            ("AUTHLINK_SSO_ISSUER", "http://id.acme.example"),
            ("AUTHLINK_PASSWORD_SIGN_IN", "owner"),
            ("AUTHLINK_PASSWORD_SIGN_IN", "nobody"),
        ] {
            let err = config(&[(var, value)]).expect_err(&format!("{var}={value} must be refused"));
            assert!(err.to_string().starts_with(var), "{err}");
        }
        let err = config(&[("AUTHLINK_SMTP_URL", "smtp://mail.example.com:587")])
            .expect_err("a mail server needs a sender");
        assert!(err.to_string().starts_with("AUTHLINK_SMTP_FROM"), "{err}");
        let err = config(&[("AUTHLINK_SSO_ISSUER", "https://id.acme.example")])
            .expect_err("single sign-on needs a client");
        assert!(
            err.to_string().starts_with("AUTHLINK_SSO_CLIENT_ID"),
            "{err}"
        );
        let sso = [
            ("AUTHLINK_SSO_ISSUER", "https://id.acme.example"),
            ("AUTHLINK_SSO_CLIENT_ID", "authlink"),
            ("AUTHLINK_SSO_CLIENT_SECRET", "s3cret"),
            ("AUTHLINK_SSO_ALLOWED_DOMAINS", "acme"),
        ];
        let err = config(&sso).expect_err("a domain has a dot");
        assert!(
            err.to_string().starts_with("AUTHLINK_SSO_ALLOWED_DOMAINS"),
            "{err}"
        );
        let mut good = sso.to_vec();
        good[3] = ("AUTHLINK_SSO_ALLOWED_DOMAINS", " @Acme.example, acme.de ");
        good.push(("AUTHLINK_PASSWORD_SIGN_IN", "owner"));
        let parsed = config(&good).expect("valid");
        let settings = parsed.sso.expect("single sign-on");
        assert_eq!(settings.allowed_domains, ["acme.example", "acme.de"]);
        assert_eq!(settings.default_role, app::types::Role::Viewer);
        assert!(parsed.password_sign_in_owner_only);
    }

    #[test]
    fn secrets_do_not_show_in_debug_output() {
        let c = config(&[
            (
                "AUTHLINK_MASTER_KEY",
                "c3VwZXItc2VjcmV0LW1hc3Rlci1rZXktbWF0ZXJpYWwtMTIzNDU2",
            ),
            ("DATABASE_URL", "postgres://app:hunter2@db/authlink"),
            (
                "AUTHLINK_SMTP_URL",
                "smtps://mailer:swordfish@mail.example.com",
            ),
            ("AUTHLINK_SMTP_FROM", "Acme <noreply@acme.example>"),
        ])
        .expect("valid");
        assert_eq!(
            c.smtp.as_ref().map(|s| s.from.as_str()),
            Some("Acme <noreply@acme.example>")
        );
        let debug = format!("{c:?}");
        assert!(!debug.contains("hunter2"));
        assert!(!debug.contains("swordfish"));
        assert!(!debug.contains("c3VwZXItc2VjcmV0"));
    }
}
