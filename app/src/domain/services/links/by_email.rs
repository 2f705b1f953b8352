//! Links sent by e-mail, as far as the link knows: the admin's request (address, language,
//! note), the e-mail queued with the link, and the tokens e-mails carry, which open the link
//! like its own.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

use crate::domain::crypto::TokenHash;
use crate::domain::entities::connect_link;
use crate::domain::entities::email::{self, EmailKind};
use crate::error::AppError;
use crate::i18n::Locale;

/// The longest note an admin may add to an e-mail.
pub const MESSAGE_MAX_CHARS: usize = crate::types::limits::EMAIL_MESSAGE_MAX_CHARS;

/// The refusal of an e-mail on a server without a mail server.
pub fn not_configured() -> AppError {
    AppError::Validation(
        "This server sends no e-mail: set AUTHLINK_SMTP_URL to send links by e-mail.".into(),
    )
}

/// A link to be sent by e-mail, as the admin asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailRequest {
    /// The end user's address.
    pub to: String,
    /// The language to write in.
    pub locale: Locale,
    /// The admin's own words, added to the message.
    pub message: Option<String>,
}

impl EmailRequest {
    /// Checks the address and the note: one address of at most 254 characters, a note of at
    /// most [`MESSAGE_MAX_CHARS`] without control characters other than line breaks.
    pub fn checked(to: &str, locale: Locale, message: Option<&str>) -> Result<Self, AppError> {
        let to = to.trim();
        if !plausible_address(to) {
            return Err(AppError::Validation(format!(
                "{to:?} is not an e-mail address the link can be sent to."
            )));
        }
        let message = message.map(str::trim).filter(|m| !m.is_empty());
        if let Some(m) = message
            && (m.chars().count() > MESSAGE_MAX_CHARS
                || m.chars().any(|c| c.is_control() && c != '\n' && c != '\r'))
        {
            return Err(AppError::Validation(format!(
                "The message has at most {MESSAGE_MAX_CHARS} characters of text."
            )));
        }
        Ok(Self {
            to: to.to_owned(),
            locale,
            message: message.map(str::to_owned),
        })
    }
}

/// One `local@domain` address without spaces, quotes or control characters: what every mail
/// server takes, and nothing that could become a second header or recipient.
pub(crate) fn plausible_address(a: &str) -> bool {
    let Some((local, domain)) = a.split_once('@') else {
        return false;
    };
    let allowed = |c: char| !c.is_control() && !c.is_whitespace() && !"\"(),:;<>@[\\]".contains(c);
    a.len() <= crate::types::limits::EMAIL_MAX_CHARS
        && !local.is_empty()
        && local.len() <= 64
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && local.chars().all(allowed)
        && domain.chars().all(allowed)
}

/// The link a token from an e-mail opens (see [`links::resolve`](super::links::resolve)).
pub(crate) async fn link_of_token(
    db: &impl ConnectionTrait,
    hash: TokenHash,
) -> Result<Option<connect_link::Model>, AppError> {
    let link_id: Option<Option<Uuid>> = email::Entity::find()
        .select_only()
        .column(email::Column::LinkId)
        .filter(email::Column::TokenHash.eq(hash))
        .into_tuple()
        .one(db)
        .await?;
    match link_id.flatten() {
        Some(id) => Ok(connect_link::Entity::find_by_id(id).one(db).await?),
        None => Ok(None),
    }
}

/// Queues an e-mail about `link` to `request`'s address, in the transaction that decides it
/// (the link's creation, or the claim of its reminder). One per kind and link.
pub(crate) async fn queue(
    db: &impl ConnectionTrait,
    kind: EmailKind,
    link: &connect_link::Model,
    request: &EmailRequest,
    now: time::OffsetDateTime,
) -> Result<(), AppError> {
    let prefix = if kind == EmailKind::LinkReminder {
        "reminder"
    } else {
        "link"
    };
    email::ActiveModel {
        link_id: Set(Some(link.id)),
        message: Set(request.message.clone()),
        ..email::ActiveModel::pending(
            kind,
            request.to.clone(),
            request.locale.tag().to_owned(),
            format!("{prefix}:{}", link.id),
            now,
        )
    }
    .insert(db)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_plain_address_is_accepted() {
        for good in [
            "it@initech.example",
            "a.b+tag@mail.example.co",
            "ü@bücher.example",
        ] {
            assert!(plausible_address(good), "{good}");
        }
        for bad in [
            "",
            "initech.example",
            "a@b",
            "a@.example",
            "a@example.",
            "a b@example.com",
            "a@example.com\r\nBcc: x@evil.example",
            "a@example.com, b@example.com",
            "<a@example.com>",
            "\"a\"@example.com",
            "a@b@example.com",
        ] {
            assert!(!plausible_address(bad), "{bad:?}");
        }
        assert!(!plausible_address(&format!(
            "{}@example.com",
            "a".repeat(65)
        )));
    }

    #[test]
    fn a_note_is_text_of_bounded_length() {
        let ok = EmailRequest::checked(" it@initech.example ", Locale::De, Some(" Hi\nthere "));
        let ok = ok.expect("valid");
        assert_eq!(ok.to, "it@initech.example");
        assert_eq!(ok.message.as_deref(), Some("Hi\nthere"));
        assert_eq!(
            EmailRequest::checked("it@initech.example", Locale::En, Some("  "))
                .expect("valid")
                .message,
            None
        );
        let long = "x".repeat(MESSAGE_MAX_CHARS + 1);
        assert!(EmailRequest::checked("it@initech.example", Locale::En, Some(&long)).is_err());
        assert!(EmailRequest::checked("it@initech.example", Locale::En, Some("a\u{7}b")).is_err());
    }
}
