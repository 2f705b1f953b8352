//! The audit log: who did what, to what, when and from where. Entries are only ever inserted;
//! the database itself refuses updates and deletes (see the lifecycle migration).

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::entities::audit_entry;
use crate::error::AppError;
use crate::types::{AuditAction, AuditEntryInfo, AuditFilter};

/// Who acted.
#[derive(Debug, Clone)]
pub enum Actor {
    /// A signed-in admin user.
    Admin {
        /// Account id.
        id: Uuid,
        /// E-mail, as it was then.
        email: String,
    },
    /// The admin's backend with an API key.
    ApiKey {
        /// Key id.
        id: Uuid,
        /// The key's name, as it was then.
        name: String,
    },
    /// The end user of a connect link (unknown when a callback names no known flow).
    EndUser {
        /// The link.
        link_id: Option<Uuid>,
    },
    /// Authlink itself (workers).
    System,
}

impl Actor {
    fn parts(&self) -> (&'static str, Option<String>, Option<String>) {
        match self {
            Actor::Admin { id, email } => ("admin", Some(id.to_string()), Some(email.clone())),
            Actor::ApiKey { id, name } => ("api_key", Some(id.to_string()), Some(name.clone())),
            Actor::EndUser { link_id } => ("end_user", link_id.map(|l| l.to_string()), None),
            Actor::System => ("system", None, None),
        }
    }
}

/// One entry to write.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// Who.
    pub actor: &'a Actor,
    /// What was done; it also names the kind of target.
    pub action: AuditAction,
    /// The target's id.
    pub target_id: Option<String>,
    /// The client address.
    pub ip: Option<&'a str>,
    /// More, never secrets.
    pub details: Option<Value>,
}

fn clip(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// Appends an entry.
pub async fn record(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    entry: Entry<'_>,
) -> Result<(), AppError> {
    let (actor_type, actor_id, actor_label) = entry.actor.parts();
    audit_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(now),
        actor_type: Set(actor_type.to_owned()),
        actor_id: Set(actor_id),
        actor_label: Set(actor_label.map(|l| clip(&l, 200))),
        action: Set(entry.action.as_str().to_owned()),
        target_type: Set(entry
            .target_id
            .is_some()
            .then(|| entry.action.target_type())
            .flatten()
            .map(str::to_owned)),
        target_id: Set(entry.target_id.map(|t| clip(&t, 64))),
        ip: Set(entry.ip.map(|i| clip(i, 64))),
        details: Set(entry.details.map(|d| d.to_string())),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Appends an entry, logging instead of failing: the action it describes already happened.
pub async fn record_logged(db: &impl ConnectionTrait, now: OffsetDateTime, entry: Entry<'_>) {
    let action = entry.action.as_str();
    if let Err(e) = record(db, now, entry).await {
        tracing::error!(%action, error = %e, "audit entry could not be written");
    }
}

/// Builds a filter from what a person typed: dates as `YYYY-MM-DD` (UTC), `until` inclusive.
pub fn filter_from(
    actor_type: Option<String>,
    action: Option<String>,
    target: Option<String>,
    from: Option<String>,
    until: Option<String>,
) -> Result<AuditFilter, AppError> {
    let date = |text: Option<String>, what: &str| -> Result<Option<OffsetDateTime>, AppError> {
        match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok(None),
            Some(t) => {
                time::Date::parse(t, time::macros::format_description!("[year]-[month]-[day]"))
                    .map(|d| Some(d.midnight().assume_utc()))
                    .map_err(|_| {
                        AppError::Validation(format!("The {what} date must look like 2026-11-23."))
                    })
            }
        }
    };
    let actor_type = actor_type.filter(|t| !t.is_empty());
    if let Some(t) = &actor_type
        && !["admin", "api_key", "end_user", "system"].contains(&t.as_str())
    {
        return Err(AppError::Validation("Unknown kind of actor.".into()));
    }
    let clean = |v: Option<String>| {
        v.map(|v| v.trim().chars().take(100).collect::<String>())
            .filter(|v| !v.is_empty())
    };
    Ok(AuditFilter {
        actor_type,
        action: clean(action),
        target: clean(target),
        from: date(from, "from")?,
        until: date(until, "until")?.map(|d| d + time::Duration::days(1)),
    })
}

/// Longest page of the audit log.
pub const PAGE_MAX: u64 = 500;

/// Entries matching `filter`, newest first, older than `before` (an entry id), at most `limit`.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &AuditFilter,
    before: Option<Uuid>,
    limit: u64,
) -> Result<Vec<AuditEntryInfo>, AppError> {
    let mut condition = Condition::all();
    if let Some(t) = filter.actor_type.as_deref().filter(|t| !t.is_empty()) {
        condition = condition.add(audit_entry::Column::ActorType.eq(t));
    }
    if let Some(a) = filter
        .action
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        condition = condition.add(audit_entry::Column::Action.starts_with(a));
    }
    if let Some(t) = filter
        .target
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        condition = condition.add(audit_entry::Column::TargetId.eq(t));
    }
    if let Some(from) = filter.from {
        condition = condition.add(audit_entry::Column::At.gte(from));
    }
    if let Some(until) = filter.until {
        condition = condition.add(audit_entry::Column::At.lt(until));
    }
    if let Some(before) = before {
        condition = condition.add(audit_entry::Column::Id.lt(before));
    }
    Ok(audit_entry::Entity::find()
        .filter(condition)
        .order_by_desc(audit_entry::Column::Id)
        .limit(limit.min(PAGE_MAX))
        .all(db)
        .await?
        .into_iter()
        .map(|e| AuditEntryInfo {
            id: e.id.to_string(),
            at: e.at,
            actor_type: e.actor_type,
            actor_id: e.actor_id,
            actor_label: e.actor_label,
            action: e.action,
            target_type: e.target_type,
            target_id: e.target_id,
            ip: e.ip,
            details: e.details,
        })
        .collect())
}

/// One CSV field: quoted, with quotes doubled, and a leading `'` before `=`, `+`, `-`, `@`, tab
/// or carriage return so that spreadsheets do not run it as a formula (CSV injection).
pub fn csv_field(value: &str) -> String {
    let guarded = match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_owned(),
    };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

/// The CSV header line.
pub const CSV_HEADER: &str =
    "time,actor_type,actor_id,actor,action,target_type,target_id,ip,details\r\n";

/// One entry as a CSV line (RFC 4180, CRLF).
pub fn csv_line(e: &AuditEntryInfo) -> String {
    let at =
        e.at.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
    let fields = [
        at.as_str(),
        e.actor_type.as_str(),
        e.actor_id.as_deref().unwrap_or(""),
        e.actor_label.as_deref().unwrap_or(""),
        e.action.as_str(),
        e.target_type.as_deref().unwrap_or(""),
        e.target_id.as_deref().unwrap_or(""),
        e.ip.as_deref().unwrap_or(""),
        e.details.as_deref().unwrap_or(""),
    ];
    let mut line = fields.map(csv_field).join(",");
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("plain"), "\"plain\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("+1"), "\"'+1\"");
        assert_eq!(csv_field("a,b\r\nc"), "\"a,b\r\nc\"");
    }
}
