//! The words of alert e-mails (the dashboard's language, English).

use sea_orm::{ConnectionTrait, EntityTrait};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::entities::admin_alert::{self, AlertKind};
use crate::domain::entities::{connector, tenant};
use crate::error::AppError;
use crate::types::format_time;

/// One alert with the names it speaks of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertMail {
    /// What happened.
    pub kind: AlertKind,
    /// The tenant's id, for the link to its page.
    pub tenant_id: Option<Uuid>,
    /// The tenant's name and external id.
    pub tenant: Option<(String, String)>,
    /// The connector's name.
    pub connector: Option<String>,
    /// The failure's code and the provider's words.
    pub error: Option<(String, Option<String>)>,
    /// When the token expires.
    pub expires_at: Option<OffsetDateTime>,
}

impl AlertMail {
    /// Looks up the names of `alert` (a tenant or connector deleted since is left out).
    pub async fn load(
        db: &impl ConnectionTrait,
        alert: &admin_alert::Model,
    ) -> Result<AlertMail, AppError> {
        let tenant = match alert.tenant_id {
            Some(id) => tenant::Entity::find_by_id(id)
                .one(db)
                .await?
                .map(|t| (t.name, t.external_id)),
            None => None,
        };
        let connector = match alert.connector_id {
            Some(id) => connector::Entity::find_by_id(id)
                .one(db)
                .await?
                .map(|c| c.name),
            None => None,
        };
        Ok(AlertMail {
            kind: alert.kind,
            tenant_id: alert.tenant_id,
            tenant,
            connector,
            error: alert
                .error_code
                .clone()
                .map(|code| (code, alert.error_detail.clone())),
            expires_at: alert.expires_at,
        })
    }

    fn who(&self) -> String {
        let tenant = self.tenant.as_ref().map_or_else(
            || "A tenant".to_owned(),
            |(name, external)| format!("{name} ({external})"),
        );
        match &self.connector {
            Some(connector) => format!("{tenant}, {connector}"),
            None => tenant,
        }
    }

    fn what(&self) -> String {
        let reason = self
            .error
            .as_ref()
            .map_or(String::new(), |(code, detail)| match detail {
                Some(d) if !d.is_empty() => format!(" ({code}: {d})"),
                _ => format!(" ({code})"),
            });
        match self.kind {
            AlertKind::RefreshFailed => {
                format!("the token refresh failed{reason}; the tenant must reconnect")
            }
            AlertKind::Expiring => format!(
                "the access token expires {} and cannot be refreshed; the tenant must reconnect",
                self.expires_at
                    .map_or_else(|| "soon".to_owned(), |t| format!("on {}", format_time(t)))
            ),
            AlertKind::LinkFailing => format!(
                "connecting through a link failed {} times{reason}",
                super::LINK_FAILURES
            ),
        }
    }

    fn page(&self, origin: &str) -> String {
        let origin = origin.trim_end_matches('/');
        match self.tenant_id {
            Some(id) if self.tenant.is_some() => format!("{origin}/tenants/{id}"),
            _ => format!("{origin}/tenants"),
        }
    }

    /// The subject and body of this alert on its own.
    pub fn single(&self, product: &str, origin: &str) -> (String, String) {
        let subject = one_line(&format!("[{product}] {} needs attention", self.who()));
        let body = format!(
            "{}: {}.\n\nOpen the tenant: {}\n\n{}",
            self.who(),
            self.what(),
            self.page(origin),
            footer(product, origin)
        );
        (subject, body)
    }
}

/// The subject and body of a digest of `alerts`.
pub fn digest(alerts: &[AlertMail], product: &str, origin: &str) -> (String, String) {
    let subject = one_line(&format!(
        "[{product}] Daily digest: {} {} need attention",
        alerts.len(),
        if alerts.len() == 1 {
            "connection"
        } else {
            "connections"
        }
    ));
    let mut body = String::from(
        "More alerts came in than are sent one by one; here is everything since the last e-mail.\n\n",
    );
    for alert in alerts {
        body.push_str(&format!(
            "- {}: {}.\n  {}\n",
            alert.who(),
            alert.what(),
            alert.page(origin)
        ));
    }
    body.push('\n');
    body.push_str(&footer(product, origin));
    (subject, body)
}

fn footer(product: &str, origin: &str) -> String {
    format!(
        "-- \nYou get this e-mail because alerts are on for your {product} account. Turn them off under Settings: {}/settings",
        origin.trim_end_matches('/')
    )
}

/// Names are the admin's own; a line break in a subject would start a header of its own.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn alert(kind: AlertKind) -> AlertMail {
        AlertMail {
            kind,
            tenant_id: Some(Uuid::nil()),
            tenant: Some(("Initech\r\nBcc: x@evil.example".into(), "cus_42".into())),
            connector: Some("Salesforce".into()),
            error: Some(("token_refused".into(), Some("invalid_grant".into()))),
            expires_at: Some(datetime!(2026-12-09 10:30 UTC)),
        }
    }

    #[test]
    fn an_alert_names_the_tenant_the_connector_the_reason_and_the_page() {
        let (subject, body) =
            alert(AlertKind::RefreshFailed).single("Acme", "https://auth.acme.example/");
        assert!(
            !subject.contains('\n') && !subject.contains('\r'),
            "{subject}"
        );
        assert!(subject.starts_with("[Acme] Initech"), "{subject}");
        assert!(
            body.contains("Salesforce: the token refresh failed (token_refused: invalid_grant)"),
            "{body}"
        );
        assert!(
            body.contains("https://auth.acme.example/tenants/00000000-0000-0000-0000-000000000000"),
            "{body}"
        );
        let (_, body) = alert(AlertKind::Expiring).single("Acme", "https://auth.acme.example");
        assert!(body.contains("expires on"), "{body}");
    }

    #[test]
    fn a_digest_lists_every_alert() {
        let (subject, body) = digest(
            &[
                alert(AlertKind::RefreshFailed),
                alert(AlertKind::LinkFailing),
            ],
            "Acme",
            "https://auth.acme.example",
        );
        assert_eq!(subject, "[Acme] Daily digest: 2 connections need attention");
        assert_eq!(
            body.matches("\n- ").count() + usize::from(body.starts_with("- ")),
            2,
            "{body}"
        );
        assert!(body.contains("failed 3 times"), "{body}");
    }
}
