//! What the admin (or the backend) chooses for a link, and the checks it must pass before the
//! link is stored.

use std::collections::BTreeMap;

use sea_orm::{ActiveValue::Set, ConnectionTrait};
use uuid::Uuid;

use super::EmailRequest;
use crate::domain::catalog::catalog;
use crate::domain::entities::connect_link;
use crate::domain::ids::EnvironmentId;
use crate::domain::services::callbacks;
use crate::domain::services::connectors::{self, Resolved};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::types::limits;

/// What the admin chooses in the Connect popup.
#[derive(Debug, Clone)]
pub struct LinkOptions {
    /// Lifetime (5 minutes to 30 days).
    pub expires_in: time::Duration,
    /// The link stops working once used.
    pub single_use: bool,
    /// Who will receive it.
    pub note: String,
    /// Values for the connector's non-secret fields the admin already knows.
    pub presets: BTreeMap<String, String>,
    /// Where the end user's browser goes when done; its origin must be allowed.
    pub callback_url: Option<String>,
    /// The backend's `state`: success then carries an exchange code and this state.
    pub callback_state: Option<String>,
    /// The end user's e-mail.
    pub end_user_email: Option<String>,
    /// The end user's name.
    pub end_user_name: Option<String>,
    /// Tags the backend attaches (returned with the link and in events).
    pub tags: Vec<String>,
    /// Further connectors the end user may choose instead of the link's own.
    pub also_allowed: Vec<Uuid>,
    /// The API key creating the link.
    pub created_by_key: Option<Uuid>,
    /// A reconnect through this link may land on another provider account than the one the
    /// connection is pinned to (otherwise it is refused).
    pub allow_account_change: bool,
    /// Revoke the tenant's other live links for the same connector (Regenerate), in the same
    /// transaction that creates this one.
    pub revoke_earlier: bool,
    /// The end user's language, for e-mails and the Connect page.
    pub end_user_locale: Option<Locale>,
    /// Also e-mail the link to its end user (needs a mail server).
    pub email: Option<EmailRequest>,
}

impl Default for LinkOptions {
    fn default() -> Self {
        Self {
            expires_in: time::Duration::minutes(limits::LINK_DEFAULT_MINUTES),
            single_use: true,
            note: String::new(),
            presets: BTreeMap::new(),
            callback_url: None,
            callback_state: None,
            end_user_email: None,
            end_user_name: None,
            tags: Vec::new(),
            also_allowed: Vec::new(),
            created_by_key: None,
            allow_account_change: false,
            revoke_earlier: false,
            end_user_locale: None,
            email: None,
        }
    }
}

/// Most connectors one link may offer.
pub const MAX_ALLOWED_CONNECTORS: usize = 20;
/// Most tags on a link.
pub const MAX_TAGS: usize = 20;

fn optional_line(
    value: &Option<String>,
    what: &str,
    max: usize,
) -> Result<Option<String>, AppError> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) if v.chars().count() > max || v.chars().any(char::is_control) => Err(
            AppError::Validation(format!("{what} has at most {max} characters on one line.")),
        ),
        Some(v) => Ok(Some(v.to_owned())),
    }
}

fn validate_tags(tags: &[String]) -> Result<Vec<String>, AppError> {
    if tags.len() > MAX_TAGS {
        return Err(AppError::Validation(format!("At most {MAX_TAGS} tags.")));
    }
    let mut out: Vec<String> = Vec::new();
    for tag in tags {
        let ok = !tag.is_empty()
            && tag.len() <= 64
            && tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.:-=/".contains(c));
        if !ok {
            return Err(AppError::Validation(format!(
                "Tag {tag:?}: 1–64 letters, digits or _ . : - = /."
            )));
        }
        if !out.contains(tag) {
            out.push(tag.clone());
        }
    }
    Ok(out)
}

/// The free-text options of a link, checked and trimmed.
pub(super) struct Checked {
    pub note: Option<String>,
    pub callback_url: Option<String>,
    pub callback_state: Option<String>,
    pub end_user_email: Option<String>,
    pub end_user_name: Option<String>,
    pub tags: Vec<String>,
}

impl LinkOptions {
    /// Checks the lifetime and every free-text option; the callback URL's origin must be one the
    /// admin allowed.
    pub(super) async fn checked_fields(
        &self,
        db: &impl ConnectionTrait,
        environment: EnvironmentId,
    ) -> Result<Checked, AppError> {
        let lifetime = time::Duration::minutes(limits::LINK_MIN_MINUTES)
            ..=time::Duration::minutes(limits::LINK_MAX_MINUTES);
        if !lifetime.contains(&self.expires_in) {
            return Err(AppError::Validation(
                "A link is valid for 5 minutes to 30 days.".into(),
            ));
        }
        let note = self.note.trim();
        if note.chars().count() > limits::LINK_NOTE_MAX_CHARS || note.chars().any(char::is_control)
        {
            return Err(AppError::Validation(format!(
                "The note has at most {} characters on one line.",
                limits::LINK_NOTE_MAX_CHARS
            )));
        }
        let callback_state = optional_line(&self.callback_state, "state", 500)?;
        let callback_url = match self.callback_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(url) => {
                let allowed = callbacks::allowed(db, environment).await?;
                Some(callbacks::check_callback(url, &allowed)?.to_string())
            }
        };
        if callback_state.is_some() && callback_url.is_none() {
            return Err(AppError::Validation(
                "state needs a callback_url to be returned to.".into(),
            ));
        }
        let end_user_email = optional_line(&self.end_user_email, "The end user's e-mail", 320)?;
        if end_user_email.as_deref().is_some_and(|e| !e.contains('@')) {
            return Err(AppError::Validation(
                "The end user's e-mail is not an e-mail address.".into(),
            ));
        }
        Ok(Checked {
            note: (!note.is_empty()).then(|| note.to_owned()),
            callback_url,
            callback_state,
            end_user_email,
            end_user_name: optional_line(&self.end_user_name, "The end user's name", 200)?,
            tags: validate_tags(&self.tags)?,
        })
    }

    /// The row of a new link as far as these options decide it (the caller adds ids, token,
    /// expiry and creation).
    pub(super) fn row(
        &self,
        checked: Checked,
        presets: &BTreeMap<String, String>,
        allowed: &[Uuid],
    ) -> Result<connect_link::ActiveModel, AppError> {
        Ok(connect_link::ActiveModel {
            single_use: Set(self.single_use),
            note: Set(checked.note),
            presets: Set(to_json(presets)?),
            opened_at: Set(None),
            completed_at: Set(None),
            revoked_at: Set(None),
            last_error: Set(None),
            callback_url: Set(checked.callback_url),
            callback_state: Set(checked.callback_state),
            end_user_email: Set(checked.end_user_email),
            end_user_name: Set(checked.end_user_name),
            tags: Set((!checked.tags.is_empty())
                .then(|| to_json(&checked.tags))
                .transpose()?),
            allowed_connectors: Set((allowed.len() > 1).then(|| to_json(&allowed)).transpose()?),
            created_by_key: Set(self.created_by_key),
            expiry_announced_at: Set(None),
            allow_account_change: Set(self.allow_account_change),
            email_to: Set(self.email.as_ref().map(|e| e.to.clone())),
            email_locale: Set(self
                .end_user_locale
                .or(self.email.as_ref().map(|e| e.locale))
                .map(|l| l.tag().to_owned())),
            reminder_queued_at: Set(None),
            failures: Set(0),
            ..Default::default()
        })
    }

    /// The link's own connector first, then the further ones it offers (each once); every one
    /// must exist and be enabled.
    pub(super) async fn allowed_connectors(
        &self,
        db: &impl ConnectionTrait,
        environment: EnvironmentId,
        own: Uuid,
    ) -> Result<Vec<Uuid>, AppError> {
        let mut allowed = vec![own];
        for id in &self.also_allowed {
            if !allowed.contains(id) {
                allowed.push(*id);
            }
        }
        if allowed.len() > MAX_ALLOWED_CONNECTORS {
            return Err(AppError::Validation(format!(
                "A link offers at most {MAX_ALLOWED_CONNECTORS} connectors."
            )));
        }
        for id in &allowed[1..] {
            match connectors::get(db, environment, *id).await {
                Ok(c) if c.model.enabled => {}
                Ok(c) => {
                    return Err(AppError::Validation(format!(
                        "The connector {} is disabled; enable it first.",
                        c.model.key
                    )));
                }
                Err(AppError::NotFound) => {
                    return Err(AppError::Validation(format!("There is no connector {id}.")));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(allowed)
    }
}

fn to_json(value: &impl serde::Serialize) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|_| AppError::Internal)
}

/// Checks preset values against the connector's non-secret fields.
pub(super) fn validate_presets(
    connector: &Resolved,
    presets: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, AppError> {
    let mut out = BTreeMap::new();
    for (name, value) in presets {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let field = connector
            .provider
            .fields
            .iter()
            .find(|f| &f.name == name && !f.secret)
            .ok_or_else(|| {
                AppError::Validation(format!("{name:?} is not a field that can be preset."))
            })?;
        if value.chars().count() > limits::FIELD_VALUE_MAX_CHARS
            || !catalog().field_matches(&connector.provider.id, name, value)
        {
            return Err(AppError::Validation(format!(
                "{} does not have the expected format.",
                field.label
            )));
        }
        out.insert(name.clone(), value.to_owned());
    }
    Ok(out)
}
