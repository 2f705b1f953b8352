//! E-mail through SMTP (`AUTHLINK_SMTP_URL`, `AUTHLINK_SMTP_FROM`).
//!
//! The URL takes lettre's forms: `smtps://user:pass@host:465` (TLS from the first byte),
//! `smtp://user:pass@host:587?tls=required` (STARTTLS, refused without it), and plain
//! `smtp://host:25` only for a relay on the same host or network.

use std::time::Duration;

use app::domain::services::emails::{Composed, MailFailure, Mailer};
use async_trait::async_trait;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};

/// How long one SMTP exchange may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// SMTP as configured.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    /// The server, in lettre's URL form (may carry a password).
    pub url: SecretString,
    /// The sender, e.g. `Acme <noreply@acme.example>`.
    pub from: String,
}

/// Sends through one SMTP server.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    /// A mailer for `settings`; the connection is made when the first e-mail goes out.
    pub fn new(settings: &SmtpSettings) -> Result<Self, String> {
        let transport =
            AsyncSmtpTransport::<Tokio1Executor>::from_url(settings.url.expose_secret())
                .map_err(|e| format!("AUTHLINK_SMTP_URL: {e}"))?
                .timeout(Some(TIMEOUT))
                .build();
        let from = settings
            .from
            .parse::<Mailbox>()
            .map_err(|e| format!("AUTHLINK_SMTP_FROM: {e}"))?;
        Ok(Self { transport, from })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, email: &Composed) -> Result<(), MailFailure> {
        let to = email
            .to
            .parse::<Mailbox>()
            .map_err(|e| MailFailure::Permanent(format!("the address is not valid: {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Content-Language"),
                email.locale.tag().to_owned(),
            ))
            // Mail about a link is sent automatically and must not trigger auto-replies.
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Auto-Submitted"),
                "auto-generated".to_owned(),
            ))
            .body(email.text.clone())
            .map_err(|e| MailFailure::Permanent(format!("the message could not be built: {e}")))?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(MailFailure::Permanent(e.to_string())),
            Err(e) => Err(MailFailure::Transient(e.to_string())),
        }
    }
}
