//! Callback URLs: where an end user's browser goes after a connect link, and the allowed origins
//! they must match exactly (scheme, host and port, after parsing).

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use super::is_unique_violation;
use crate::domain::clock::Clock;
use crate::domain::entities::callback_origin;
use crate::domain::ids::EnvironmentId;
use crate::error::AppError;

/// Longest callback URL accepted.
pub const CALLBACK_URL_MAX_LEN: usize = 2000;
/// Most allowed origins an installation may hold.
pub const MAX_ORIGINS: u64 = 100;

/// Schemes that run code or read local data in a browser; never a callback.
const FORBIDDEN_SCHEMES: [&str; 10] = [
    "javascript",
    "data",
    "vbscript",
    "file",
    "blob",
    "about",
    "filesystem",
    "view-source",
    "ws",
    "wss",
];

fn is_loopback(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1" | "[::1]")
}

fn custom_scheme(text: &str) -> Option<String> {
    let scheme = text.strip_suffix(':')?.to_ascii_lowercase();
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+.-".contains(c))
        && scheme.len() <= 64;
    (valid && !matches!(scheme.as_str(), "http" | "https" | "ftp")).then_some(scheme)
}

/// Normalises an origin the admin allows: an `https://` origin, an `http://` origin on
/// localhost / 127.0.0.1 / [::1] for development, or a custom scheme such as `myapp:` for
/// desktop and mobile apps. Paths, queries, user names and trailing dots are refused.
pub fn normalize_origin(text: &str) -> Result<String, AppError> {
    let text = text.trim();
    let bad = |why: &str| {
        AppError::Validation(format!(
            "{why} Enter an origin like https://app.example.com, http://localhost:3000 or myapp:."
        ))
    };
    if text.is_empty() || text.len() > 300 || text.chars().any(|c| c.is_control() || c == ' ') {
        return Err(bad("This is not an origin."));
    }
    if let Some(scheme) = custom_scheme(text) {
        if FORBIDDEN_SCHEMES.contains(&scheme.as_str()) {
            return Err(bad("This scheme cannot be a callback."));
        }
        return Ok(format!("{scheme}:"));
    }
    let url = url::Url::parse(text).map_err(|_| bad("This is not an origin."))?;
    let host = url
        .host_str()
        .ok_or_else(|| bad("The origin has no host."))?;
    if host.ends_with('.') {
        return Err(bad("The host must not end with a dot."));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("An origin has no user name."));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(bad("An origin has no path, query or fragment."));
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(host) => {}
        "http" => return Err(bad("Plain http is allowed only for localhost.")),
        _ => return Err(bad("This scheme cannot be a callback.")),
    }
    Ok(url.origin().ascii_serialization())
}

/// The origin of a callback URL as stored in the allow-list, or `None` when the URL can never
/// be a callback (relative, scheme-relative, forbidden scheme, user info, trailing dot, …).
pub fn origin_of_callback(text: &str) -> Option<(url::Url, String)> {
    if text.is_empty()
        || text.len() > CALLBACK_URL_MAX_LEN
        || text
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
    {
        return None;
    }
    let url = url::Url::parse(text).ok()?;
    let scheme = url.scheme();
    if FORBIDDEN_SCHEMES.contains(&scheme) {
        return None;
    }
    if !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    match scheme {
        "http" | "https" => {
            let host = url.host_str()?;
            if host.is_empty() || host.ends_with('.') {
                return None;
            }
            if scheme == "http" && !is_loopback(host) {
                return None;
            }
            let origin = url.origin().ascii_serialization();
            Some((url, origin))
        }
        "ftp" => None,
        other => {
            let origin = format!("{other}:");
            Some((url, origin))
        }
    }
}

/// Checks a link's `callback_url` against the allowed origins; a clear error when it is refused.
pub fn check_callback(text: &str, allowed: &[String]) -> Result<url::Url, AppError> {
    let refused = || {
        AppError::Validation(
            "callback_url is not allowed: its origin must be listed exactly under Settings → Callback origins.".into(),
        )
    };
    let (url, origin) = origin_of_callback(text).ok_or_else(refused)?;
    if allowed.iter().any(|a| a == &origin) {
        Ok(url)
    } else {
        Err(refused())
    }
}

/// `callback` with `pairs` added to its own query.
pub fn with_params(callback: &str, pairs: &[(&str, &str)]) -> Option<String> {
    let mut url = url::Url::parse(callback).ok()?;
    {
        let mut query = url.query_pairs_mut();
        for (k, v) in pairs {
            query.append_pair(k, v);
        }
    }
    Some(url.into())
}

/// The origins allowed in `environment`, sorted.
pub async fn list(
    db: &impl ConnectionTrait,
    environment: EnvironmentId,
) -> Result<Vec<callback_origin::Model>, AppError> {
    Ok(callback_origin::Entity::find()
        .filter(callback_origin::Column::EnvironmentId.eq(environment))
        .order_by_asc(callback_origin::Column::Origin)
        .all(db)
        .await?)
}

/// The origins allowed in `environment` as strings.
pub async fn allowed(
    db: &impl ConnectionTrait,
    environment: EnvironmentId,
) -> Result<Vec<String>, AppError> {
    Ok(list(db, environment)
        .await?
        .into_iter()
        .map(|o| o.origin)
        .collect())
}

/// Allows an origin in `environment`. Adding one that is already allowed is not an error.
pub async fn add(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    environment: EnvironmentId,
    text: &str,
) -> Result<callback_origin::Model, AppError> {
    let origin = normalize_origin(text)?;
    let in_environment = callback_origin::Column::EnvironmentId.eq(environment);
    if let Some(existing) = callback_origin::Entity::find()
        .filter(in_environment.clone())
        .filter(callback_origin::Column::Origin.eq(origin.as_str()))
        .one(db)
        .await?
    {
        return Ok(existing);
    }
    use sea_orm::PaginatorTrait;
    if callback_origin::Entity::find()
        .filter(in_environment.clone())
        .count(db)
        .await?
        >= MAX_ORIGINS
    {
        return Err(AppError::Validation(format!(
            "At most {MAX_ORIGINS} callback origins can be allowed."
        )));
    }
    let inserted = callback_origin::ActiveModel {
        id: Set(Uuid::now_v7()),
        environment_id: Set(environment.0),
        origin: Set(origin.clone()),
        created_at: Set(clock.now()),
    }
    .insert(db)
    .await;
    match inserted {
        Ok(model) => Ok(model),
        // Added at the same moment by another request: the result is the same.
        Err(e) if is_unique_violation(&e) => callback_origin::Entity::find()
            .filter(in_environment)
            .filter(callback_origin::Column::Origin.eq(origin.as_str()))
            .one(db)
            .await?
            .ok_or(AppError::Internal),
        Err(e) => Err(e.into()),
    }
}

/// Removes an origin allowed in `environment`. Links created earlier keep their callback URL.
pub async fn remove(
    db: &impl ConnectionTrait,
    environment: EnvironmentId,
    id: Uuid,
) -> Result<(), AppError> {
    let result = callback_origin::Entity::delete_many()
        .filter(callback_origin::Column::Id.eq(id))
        .filter(callback_origin::Column::EnvironmentId.eq(environment))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalised() {
        for (input, expected) in [
            ("https://App.Example.com", "https://app.example.com"),
            ("https://app.example.com/", "https://app.example.com"),
            ("https://app.example.com:443", "https://app.example.com"),
            (
                "https://app.example.com:8443",
                "https://app.example.com:8443",
            ),
            ("http://localhost:5173", "http://localhost:5173"),
            ("http://127.0.0.1", "http://127.0.0.1"),
            ("http://[::1]:8080", "http://[::1]:8080"),
            ("MyApp:", "myapp:"),
            ("com.example.app:", "com.example.app:"),
        ] {
            assert_eq!(normalize_origin(input).as_deref(), Ok(expected), "{input}");
        }
        for bad in [
            "",
            "app.example.com",
            "http://app.example.com",
            "https://app.example.com/path",
            "https://app.example.com?x=1",
            "https://user@app.example.com",
            "https://app.example.com.",
            "javascript:",
            "data:",
            "file:",
            "ftp://example.com",
            "https:",
            "http:",
            "//app.example.com",
        ] {
            assert!(normalize_origin(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn callbacks_must_match_an_allowed_origin_exactly() {
        let allowed = vec![
            "https://allowed.com".to_owned(),
            "http://localhost:3000".to_owned(),
            "myapp:".to_owned(),
        ];
        for good in [
            "https://allowed.com/done",
            "https://allowed.com:443/done?x=1#frag",
            "https://ALLOWED.com/cb",
            "http://localhost:3000/cb",
            "myapp://oauth/done",
            "myapp:done",
        ] {
            assert!(check_callback(good, &allowed).is_ok(), "{good} refused");
        }
        for bad in [
            "https://allowed.com.evil.com/cb",
            "https://allowed.com@evil.com/cb",
            "https://evil.com@allowed.com/cb",
            "//evil.com/cb",
            "/relative",
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "http://allowed.com/cb",
            "https://allowed.com./cb",
            "https://allowed.com:8443/cb",
            "http://localhost:3001/cb",
            "https://evil.com/https://allowed.com",
            "https://allowed.com\\@evil.com",
            "https://allowed.com/\ncb",
            "otherapp://done",
            "",
        ] {
            assert!(check_callback(bad, &allowed).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn parameters_keep_the_callback_query() {
        let url = with_params(
            "https://allowed.com/cb?tab=integrations",
            &[("status", "success"), ("state", "a b&c")],
        )
        .expect("url");
        assert_eq!(
            url,
            "https://allowed.com/cb?tab=integrations&status=success&state=a+b%26c"
        );
    }
}
