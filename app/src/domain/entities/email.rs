//! The e-mail outbox: one row per message to send, written in the transaction that decided to
//! send it, and sent by whichever worker claims it.

use sea_orm::entity::prelude::*;

/// An e-mail row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "emails")]
pub struct Model {
    /// Primary key (UUIDv7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// What it says.
    pub kind: EmailKind,
    /// The connect link it carries (none for admin alerts).
    pub link_id: Option<Uuid>,
    /// The address it goes to.
    pub recipient: String,
    /// The language it is written in (a BCP 47 tag of `crate::i18n::Locale`).
    pub locale: String,
    /// The admin's own words, added to the message.
    pub message: Option<String>,
    /// Unique: the same e-mail is queued once, whichever instance queues it.
    pub dedupe_key: String,
    /// SHA-256 of the token in the message's link (another token for the same link), written
    /// just before it is sent.
    #[sea_orm(unique)]
    pub token_hash: Option<Vec<u8>>,
    /// Where it stands.
    pub status: EmailState,
    /// Attempts made so far.
    pub attempts: i32,
    /// When the next attempt is due (pending only).
    pub next_attempt_at: Option<TimeDateTimeWithTimeZone>,
    /// While in the future, one worker holds this e-mail.
    pub claimed_until: Option<TimeDateTimeWithTimeZone>,
    /// The last failure, safe to show (never the message).
    pub last_error: Option<String>,
    /// When the SMTP server accepted it.
    pub sent_at: Option<TimeDateTimeWithTimeZone>,
    /// Creation time.
    pub created_at: TimeDateTimeWithTimeZone,
    /// The subject of an e-mail that is not about a link (an admin alert or digest).
    pub subject: Option<String>,
    /// Its text; such e-mails carry no secret, so they are stored as queued.
    pub body: Option<String>,
    /// The team invitation or password reset it carries (with a token of its own, like a link).
    pub invitation_id: Option<Uuid>,
}

/// What an e-mail says (a TEXT column).
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum EmailKind {
    /// A connect link, sent when it was generated.
    #[sea_orm(string_value = "link")]
    Link,
    /// The reminder a day before an unused link expires.
    #[sea_orm(string_value = "link_reminder")]
    LinkReminder,
    /// An alert to an admin: a connection needs attention.
    #[sea_orm(string_value = "admin_alert")]
    AdminAlert,
    /// The daily digest of alerts to an admin.
    #[sea_orm(string_value = "admin_digest")]
    AdminDigest,
    /// An invitation to join the dashboard team, or a password reset the owner started.
    #[sea_orm(string_value = "invitation")]
    Invitation,
}

/// Where an e-mail stands (a TEXT column).
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum EmailState {
    /// Waiting for its next attempt.
    #[sea_orm(string_value = "pending")]
    Pending,
    /// The SMTP server accepted it.
    #[sea_orm(string_value = "sent")]
    Sent,
    /// Given up: the server refused it for good, or attempts ran out.
    #[sea_orm(string_value = "failed")]
    Failed,
    /// Not sent because its link was used, revoked or expired first.
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl ActiveModel {
    /// A new e-mail of `kind` to `recipient`, due at once, not yet tried; the caller sets what
    /// it carries (`link_id` and `message`, `invitation_id`, or `subject` and `body`).
    pub fn pending(
        kind: EmailKind,
        recipient: String,
        locale: String,
        dedupe_key: String,
        now: TimeDateTimeWithTimeZone,
    ) -> Self {
        use sea_orm::ActiveValue::Set;
        Self {
            id: Set(Uuid::now_v7()),
            kind: Set(kind),
            link_id: Set(None),
            recipient: Set(recipient),
            locale: Set(locale),
            message: Set(None),
            dedupe_key: Set(dedupe_key),
            token_hash: Set(None),
            status: Set(EmailState::Pending),
            attempts: Set(0),
            next_attempt_at: Set(Some(now)),
            claimed_until: Set(None),
            last_error: Set(None),
            sent_at: Set(None),
            created_at: Set(now),
            subject: Set(None),
            body: Set(None),
            invitation_id: Set(None),
        }
    }
}
