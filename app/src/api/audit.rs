//! The audit log page's data.

use leptos::prelude::*;

use crate::error::AppError;
use crate::types::AuditPage;

/// Entries per page.
pub const AUDIT_PAGE_SIZE: u64 = 50;

/// A page of the audit log, newest first, older than the entry `before`. Dates are
/// `YYYY-MM-DD` (UTC); `until` includes its whole day.
#[server(prefix = "/rpc")]
pub async fn list_audit(
    actor_type: Option<String>,
    action: Option<String>,
    target: Option<String>,
    from: Option<String>,
    until: Option<String>,
    before: Option<String>,
) -> Result<AuditPage, AppError> {
    use crate::domain::{services::audit, services::parse_id, session::require_role};
    use crate::types::Role;

    let (state, _) = require_role(Role::Admin).await?;
    let filter = audit::filter_from(actor_type, action, target, from, until)?;
    let before = match before.filter(|b| !b.is_empty()) {
        Some(b) => Some(parse_id(&b)?),
        None => None,
    };
    let mut entries = audit::list(&state.db, &filter, before, AUDIT_PAGE_SIZE + 1).await?;
    let more = entries.len() > AUDIT_PAGE_SIZE as usize;
    entries.truncate(AUDIT_PAGE_SIZE as usize);
    let next = if more {
        entries.last().map(|e| e.id.clone())
    } else {
        None
    };
    Ok(AuditPage { entries, next })
}
