//! The words of an e-mail, in the recipient's language.

use time::OffsetDateTime;

use crate::domain::entities::email::EmailKind;
use crate::i18n::{Locale, Messages};

/// A message ready for the mail server: plain text, UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    /// The recipient.
    pub to: String,
    /// The subject, on one line.
    pub subject: String,
    /// The body.
    pub text: String,
    /// Its language (`Content-Language`).
    pub locale: Locale,
}

/// What an e-mail about a link says.
#[derive(Debug, Clone)]
pub struct LinkMail<'a> {
    /// Link or reminder.
    pub kind: EmailKind,
    /// The admin's product name.
    pub product: &'a str,
    /// The connector's name.
    pub connector: &'a str,
    /// The tenant's name.
    pub tenant: &'a str,
    /// The link.
    pub url: &'a str,
    /// When it expires.
    pub expires_at: OffsetDateTime,
    /// The admin's note.
    pub message: Option<&'a str>,
}

/// Writes the e-mail `m` to `to` in `locale`.
pub fn compose(to: &str, locale: Locale, m: &LinkMail<'_>) -> Composed {
    let t: &Messages = locale.messages();
    let expires = t.datetime(m.expires_at);
    let args = [
        ("product", m.product.into()),
        ("connector", m.connector.into()),
        ("tenant", m.tenant.into()),
        ("expires", expires.as_str().into()),
    ];
    let (subject, intro) = if m.kind == EmailKind::LinkReminder {
        ("email-reminder-subject", "email-reminder-intro")
    } else {
        ("email-link-subject", "email-link-intro")
    };
    let mut paragraphs = vec![
        t.text("email-greeting"),
        t.format(intro, &args),
        m.url.to_owned(),
    ];
    if m.kind == EmailKind::Link {
        paragraphs.push(t.format("email-link-valid-until", &args));
    }
    if let Some(note) = m.message {
        paragraphs.push(format!("{}\n{note}", t.format("email-note", &args)));
    }
    paragraphs.push(format!("-- \n{}", t.format("email-footer", &args)));
    Composed {
        to: to.to_owned(),
        // Names are the admin's; a line break in a subject would start a header of its own.
        subject: t
            .format(subject, &args)
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect(),
        text: paragraphs.join("\n\n"),
        locale,
    }
}

/// What an invitation or password-reset e-mail says (in the dashboard's language).
#[derive(Debug, Clone)]
pub struct InvitationMail<'a> {
    /// Joining the team, or a new password for an existing account.
    pub reset: bool,
    /// The admin's product name.
    pub product: &'a str,
    /// The role it gives.
    pub role: crate::types::Role,
    /// The single-use link.
    pub url: &'a str,
    /// When it stops working.
    pub expires_at: OffsetDateTime,
}

/// Writes the invitation or reset e-mail `m` to `to`.
pub fn compose_invitation(to: &str, m: &InvitationMail<'_>) -> Composed {
    use crate::i18n::dashboard::{t, t_with};

    let role = t(m.role.message_id());
    let expires = crate::types::format_time(m.expires_at);
    let args = [
        ("product", m.product.into()),
        ("role", role.as_str().into()),
        ("expires", expires.as_str().into()),
    ];
    let (subject, intro) = if m.reset {
        ("email-reset-subject", "email-reset-intro")
    } else {
        ("email-invitation-subject", "email-invitation-intro")
    };
    let text = [
        t("email-invitation-greeting"),
        t_with(intro, &args),
        m.url.to_owned(),
        t_with("email-invitation-valid-until", &args),
        t("email-invitation-not-you"),
    ]
    .join("\n\n");
    Composed {
        to: to.to_owned(),
        subject: t_with(subject, &args)
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect(),
        text,
        locale: Locale::En,
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn mail(kind: EmailKind, message: Option<&str>) -> LinkMail<'_> {
        LinkMail {
            kind,
            product: "Acme\r\nBcc: x@evil.example",
            connector: "Salesforce",
            tenant: "Initech",
            url: "https://authlink.example/connect/tok",
            expires_at: datetime!(2026-12-09 10:30 UTC),
            message,
        }
    }

    #[test]
    fn a_link_mail_carries_the_link_its_expiry_and_the_note_in_the_language() {
        let c = compose(
            "it@initech.example",
            Locale::De,
            &mail(EmailKind::Link, Some("Bis Freitag, bitte.")),
        );
        assert_eq!(c.subject, "Acme  Bcc: x@evil.example: Salesforce verbinden");
        assert!(!c.subject.contains('\n'));
        assert!(c.text.starts_with("Guten Tag,\n\n"), "{}", c.text);
        assert!(
            c.text
                .contains("\n\nhttps://authlink.example/connect/tok\n\n"),
            "{}",
            c.text
        );
        assert!(
            c.text
                .contains("Der Link ist gültig bis 9. Dezember 2026, 10:30 UTC.")
        );
        assert!(c.text.contains("\nBis Freitag, bitte.\n"), "{}", c.text);
        assert_eq!(c.locale, Locale::De);
    }

    #[test]
    fn a_reminder_says_when_the_link_expires() {
        let c = compose(
            "it@initech.example",
            Locale::Ja,
            &mail(EmailKind::LinkReminder, None),
        );
        assert!(c.subject.starts_with("リマインダー"), "{}", c.subject);
        assert!(
            c.text.contains("2026年12月9日 10:30 UTC に期限切れ"),
            "{}",
            c.text
        );
        assert!(c.text.contains("https://authlink.example/connect/tok"));
    }

    #[test]
    fn an_invitation_mail_names_the_product_role_link_and_expiry() {
        let c = compose_invitation(
            "new@acme.example",
            &InvitationMail {
                reset: false,
                product: "Acme\r\nBcc: x@evil.example",
                role: crate::types::Role::Viewer,
                url: "https://authlink.example/invite/tok",
                expires_at: datetime!(2026-12-09 10:30 UTC),
            },
        );
        assert!(!c.subject.contains('\n'), "{}", c.subject);
        assert!(c.subject.contains("Acme"), "{}", c.subject);
        assert!(
            c.text
                .contains("\n\nhttps://authlink.example/invite/tok\n\n"),
            "{}",
            c.text
        );
        assert!(c.text.contains("as viewer"), "{}", c.text);
        assert!(c.text.contains("9 Dec 2026, 10:30 UTC"), "{}", c.text);
        let reset = compose_invitation(
            "new@acme.example",
            &InvitationMail {
                reset: true,
                product: "Acme",
                role: crate::types::Role::Admin,
                url: "https://authlink.example/invite/tok",
                expires_at: datetime!(2026-12-09 10:30 UTC),
            },
        );
        assert_ne!(reset.subject, c.subject);
        assert!(reset.text.contains("password"), "{}", reset.text);
    }
}
