//! E-mail to end users: a connect link sent when it is generated, and one reminder a day before
//! an unused link expires.
//!
//! Outbox: the e-mail row is written in the transaction that decides to send it (the link's
//! creation, or the reminder's claim on the link), with a unique dedupe key, and workers claim
//! rows one by one with a conditional update, so several instances never send one twice. The
//! link's own token exists only as a hash, so each message carries a token of its own for the
//! link, minted when it is sent and stored only as SHA-256 on its row; the body is composed then
//! too, so no message text is stored.

mod compose;
mod delivery;
mod reminders;

use async_trait::async_trait;

pub use compose::{Composed, InvitationMail, LinkMail, compose, compose_invitation};
pub use delivery::deliver_due;
pub use reminders::{REMIND_BEFORE, queue_reminders};

/// How e-mail leaves the server (SMTP in production).
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Hands one message to the mail server.
    async fn send(&self, email: &Composed) -> Result<(), MailFailure>;
}

/// Why the mail server did not take a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailFailure {
    /// Worth trying again later (unreachable, 4xx).
    Transient(String),
    /// Refused for good (5xx, a bad address).
    Permanent(String),
}
