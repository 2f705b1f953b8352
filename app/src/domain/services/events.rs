//! Events for the admin's backend. [`emit`] writes an event and one pending delivery per
//! subscribed webhook endpoint, on the caller's connection — inside the transaction of the change
//! it describes, so that a change is never committed without its announcement (nor announced
//! without being committed). The webhook delivery worker sends them later.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr};
use sea_orm::{EntityTrait, QueryFilter, QuerySelect};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::{alerts, environments};
use crate::domain::entities::connection::ConnectionState;
use crate::domain::entities::json;
use crate::domain::entities::webhook_delivery::DeliveryState;
use crate::domain::entities::{
    connect_link, connection, connector, environment, event, tenant, webhook_delivery,
    webhook_endpoint,
};
use crate::domain::ids::{ConnectorId, TenantId};

pub use crate::types::{EVENT_TYPES, EventType};

/// What an event is about; every field is optional because link events may have no connection
/// and so on. Credentials are never part of it.
#[derive(Debug, Clone, Default)]
pub struct Subject {
    /// `(id, external_id)` of the tenant.
    pub tenant: Option<(Uuid, String)>,
    /// `(id, key)` of the connector.
    pub connector: Option<(Uuid, String)>,
    /// The connection.
    pub connection: Option<Uuid>,
    /// The connection's status after the change.
    pub status: Option<ConnectionState>,
    /// `(id, tags)` of the connect link.
    pub link: Option<(Uuid, Vec<String>)>,
    /// An error code and a message safe to show.
    pub error: Option<(String, String)>,
    /// `(pinned, attempted)` provider accounts of a refused reconnect.
    pub accounts: Option<(String, String)>,
    /// When the connection's access token expires (`connection.expiring`).
    pub expires_at: Option<OffsetDateTime>,
    /// The environment of the tenant (or connector); production when neither is known any more.
    pub environment: Option<Uuid>,
}

impl Subject {
    /// A subject naming a tenant and a connector.
    pub fn new(tenant: &tenant::Model, connector: &connector::Model) -> Self {
        Self {
            tenant: Some((tenant.id, tenant.external_id.clone())),
            connector: Some((connector.id, connector.key.clone())),
            environment: Some(tenant.environment_id),
            ..Self::default()
        }
    }

    /// Adds the connection and its status.
    pub fn with_connection(mut self, connection: &connection::Model) -> Self {
        self.connection = Some(connection.id);
        self.status = Some(connection.status);
        self
    }

    /// Adds the link and its tags.
    pub fn with_link(mut self, link: &connect_link::Model) -> Result<Self, DbErr> {
        self.link = Some((link.id, link.tags()?));
        Ok(self)
    }

    /// Adds the pinned and the attempted provider account of a refused reconnect.
    pub fn with_accounts(mut self, pinned: &str, attempted: &str) -> Self {
        self.accounts = Some((pinned.to_owned(), attempted.to_owned()));
        self
    }

    /// Adds an error code and message.
    pub fn with_error(mut self, code: &str, message: &str) -> Self {
        self.error = Some((code.to_owned(), message.to_owned()));
        self
    }

    /// Loads a connection's tenant and connector, with the connection and its status.
    pub async fn of_connection(
        db: &impl ConnectionTrait,
        connection: &connection::Model,
    ) -> Result<Self, DbErr> {
        let (tenant, connector) = (connection.tenant_id, connection.connector_id);
        Ok(Self::load(db, TenantId(tenant), ConnectorId(connector))
            .await?
            .with_connection(connection))
    }

    /// Loads a link's tenant and own connector, with the link and its tags.
    pub async fn of_link(
        db: &impl ConnectionTrait,
        link: &connect_link::Model,
    ) -> Result<Self, DbErr> {
        Self::load(db, TenantId(link.tenant_id), ConnectorId(link.connector_id))
            .await?
            .with_link(link)
    }

    /// Loads the tenant and connector by id (for callers that hold only ids).
    pub async fn load(
        db: &impl ConnectionTrait,
        TenantId(tenant_id): TenantId,
        ConnectorId(connector_id): ConnectorId,
    ) -> Result<Self, DbErr> {
        let tenant = tenant::Entity::find_by_id(tenant_id)
            .select_only()
            .column(tenant::Column::ExternalId)
            .column(tenant::Column::EnvironmentId)
            .into_tuple::<(String, Uuid)>()
            .one(db)
            .await?;
        let connector = connector::Entity::find_by_id(connector_id)
            .select_only()
            .column(connector::Column::Key)
            .column(connector::Column::EnvironmentId)
            .into_tuple::<(String, Uuid)>()
            .one(db)
            .await?;
        Ok(Self {
            environment: tenant
                .as_ref()
                .or(connector.as_ref())
                .map(|(_, environment)| *environment),
            tenant: tenant.map(|(external, _)| (tenant_id, external)),
            connector: connector.map(|(key, _)| (connector_id, key)),
            ..Self::default()
        })
    }

    fn data(&self) -> Value {
        let mut data = serde_json::Map::new();
        if let Some(id) = self.connection {
            data.insert("connection_id".into(), json!(id));
        }
        if let Some(status) = self.status {
            data.insert("status".into(), json!(status.as_str()));
        }
        if let Some((id, external_id)) = &self.tenant {
            data.insert(
                "tenant".into(),
                json!({ "id": id, "external_id": external_id }),
            );
        }
        if let Some((id, key)) = &self.connector {
            data.insert("connector".into(), json!({ "id": id, "key": key }));
        }
        if let Some((id, tags)) = &self.link {
            data.insert("link".into(), json!({ "id": id, "tags": tags }));
        }
        if let Some((code, message)) = &self.error {
            data.insert("error".into(), json!({ "code": code, "message": message }));
        }
        if let Some(at) = self.expires_at {
            data.insert(
                "expires_at".into(),
                json!(
                    at.format(&time::format_description::well_known::Rfc3339)
                        .unwrap_or_default()
                ),
            );
        }
        if let Some((pinned, attempted)) = &self.accounts {
            data.insert(
                "account".into(),
                json!({ "pinned": pinned, "attempted": attempted }),
            );
        }
        Value::Object(data)
    }
}

/// Writes an event and its pending deliveries on `db` (pass the transaction of the change).
pub async fn emit(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    event_type: EventType,
    subject: &Subject,
) -> Result<Uuid, DbErr> {
    let id = Uuid::now_v7();
    let environment = match subject.environment {
        Some(known) => environment::Entity::find_by_id(known).one(db).await?,
        None => None,
    };
    let environment = match environment {
        Some(found) => found,
        None => environments::find_production(db)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("the production environment".into()))?,
    };
    let timestamp = now.format(&Rfc3339).unwrap_or_default();
    let body = json!({
        "id": id,
        "type": event_type.as_str(),
        "timestamp": timestamp,
        "environment": environment.name,
        "data": subject.data(),
    });
    event::ActiveModel {
        id: Set(id),
        environment_id: Set(environment.id),
        event_type: Set(event_type.as_str().to_owned()),
        payload: Set(body.to_string()),
        tenant_id: Set(subject.tenant.as_ref().map(|(id, _)| *id)),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    if let Some(alert) = alert_for(id, event_type, subject) {
        alerts::raise(db, now, alert).await?;
    }

    let endpoints: Vec<(Uuid, String)> = webhook_endpoint::Entity::find()
        .select_only()
        .column(webhook_endpoint::Column::Id)
        .column(webhook_endpoint::Column::EventTypes)
        .filter(webhook_endpoint::Column::Enabled.eq(true))
        .filter(webhook_endpoint::Column::EnvironmentId.eq(environment.id))
        .into_tuple()
        .all(db)
        .await?;
    let mut deliveries = Vec::new();
    for (endpoint_id, types) in endpoints {
        let types: Vec<String> =
            json::decode(&types, "webhook_endpoints", "event_types", &endpoint_id)?;
        if !subscribed(&types, event_type) {
            continue;
        }
        deliveries.push(webhook_delivery::ActiveModel {
            id: Set(Uuid::now_v7()),
            event_id: Set(id),
            endpoint_id: Set(endpoint_id),
            status: Set(DeliveryState::Pending),
            attempts: Set(0),
            next_attempt_at: Set(Some(now)),
            claimed_until: Set(None),
            last_status_code: Set(None),
            last_error: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        });
    }
    if !deliveries.is_empty() {
        webhook_delivery::Entity::insert_many(deliveries)
            .exec(db)
            .await?;
    }
    Ok(id)
}

/// The admin alert an event calls for: a failed refresh, and a token that cannot be refreshed
/// about to expire. Other events need no admin.
fn alert_for(id: Uuid, event_type: EventType, subject: &Subject) -> Option<alerts::Raise> {
    let kind = match event_type {
        EventType::ConnectionRefreshFailed => alerts::AlertKind::RefreshFailed,
        EventType::ConnectionExpiring => alerts::AlertKind::Expiring,
        _ => return None,
    };
    Some(alerts::Raise {
        kind,
        dedupe_key: format!("event:{id}"),
        tenant_id: subject.tenant.as_ref().map(|(id, _)| *id),
        connector_id: subject.connector.as_ref().map(|(id, _)| *id),
        link_id: subject.link.as_ref().map(|(id, _)| *id),
        error: subject.error.clone(),
        expires_at: subject.expires_at,
    })
}

/// How long events (with their deliveries and attempts) are kept once nothing is pending.
pub const RETENTION: time::Duration = time::Duration::days(30);

/// Deletes events older than [`RETENTION`] that have no pending delivery; their deliveries and
/// attempts go with them. Returns how many events were deleted.
pub async fn sweep(db: &impl ConnectionTrait, now: OffsetDateTime) -> Result<u64, DbErr> {
    let pending = sea_orm::sea_query::Query::select()
        .column(webhook_delivery::Column::EventId)
        .from(webhook_delivery::Entity)
        .and_where(webhook_delivery::Column::Status.eq(DeliveryState::Pending))
        .to_owned();
    Ok(event::Entity::delete_many()
        .filter(event::Column::CreatedAt.lt(now - RETENTION))
        .filter(event::Column::Id.not_in_subquery(pending))
        .exec(db)
        .await?
        .rows_affected)
}

/// Whether an endpoint's filter (empty for every type) includes `event_type`.
pub fn subscribed(filter: &[String], event_type: EventType) -> bool {
    filter.is_empty() || filter.iter().any(|t| t == event_type.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_filter_receives_everything() {
        let opened = ["link.opened".to_owned()];
        assert!(subscribed(&[], EventType::ConnectionCreated));
        assert!(subscribed(&opened, EventType::LinkOpened));
        assert!(!subscribed(&opened, EventType::ConnectionCreated));
    }

    #[test]
    fn payloads_carry_ids_tags_and_errors_but_nothing_else() {
        let subject = Subject {
            tenant: Some((Uuid::nil(), "acme".into())),
            connector: Some((Uuid::nil(), "github".into())),
            connection: None,
            status: None,
            link: Some((Uuid::nil(), vec!["trial".into()])),
            error: Some(("access_denied".into(), "The end user declined.".into())),
            accounts: None,
            expires_at: None,
            environment: Some(Uuid::nil()),
        };
        let data = subject.data();
        assert_eq!(data["tenant"]["external_id"], "acme");
        assert_eq!(data["connector"]["key"], "github");
        assert_eq!(data["link"]["tags"][0], "trial");
        assert_eq!(data["error"]["code"], "access_denied");
        assert!(data.get("connection_id").is_none());
    }
}
