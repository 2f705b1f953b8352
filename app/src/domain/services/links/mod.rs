//! Connect links: generated for one tenant and one connector, opened by the end user, completed
//! once (or more often when not single-use), revocable at once.

use std::collections::BTreeMap;

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use uuid::Uuid;

mod by_email;
mod options;
mod revocation;

pub(crate) use by_email::plausible_address;
pub(crate) use by_email::queue as queue_email;
pub use by_email::{EmailRequest, MESSAGE_MAX_CHARS, not_configured as email_not_configured};
pub use options::{LinkOptions, MAX_ALLOWED_CONNECTORS, MAX_TAGS};
pub use revocation::{announce_expired, revoke};

use super::connectors::{self, Resolved};
use super::paging::{self, Page};
use super::{alerts, events, tenants};
use crate::domain::AppState;
use crate::domain::clock::Clock;
use crate::domain::crypto::{new_token, token_hash};
use crate::domain::entities::email::EmailKind;
use crate::domain::entities::{connect_link, tenant};
use crate::domain::ids::{ConnectorId, EnvironmentId, LinkId, TenantId};
use crate::error::AppError;
use crate::failure::{ConnectError, ProviderFailure, ProviderProblem};
use crate::text;
use crate::types::EventType;
use crate::types::{GeneratedLink, LinkInfo, LinkStatus};

/// The URL of a link token.
pub fn link_url(public_origin: &str, token: &str) -> String {
    format!("{}/connect/{token}", public_origin.trim_end_matches('/'))
}

/// Generates a link. The token is returned once, inside the URL; only its hash is stored. With
/// [`LinkOptions::revoke_earlier`] (Regenerate) the tenant's other live links for the connector
/// are revoked, and `link.revoked` announced for each, in the same transaction.
///
/// With [`LinkOptions::email`] the link is also e-mailed to its end user: the e-mail is queued in
/// the same transaction, and carries a token of its own for this link when it is sent.
pub async fn create(
    state: &AppState,
    environment: EnvironmentId,
    created_by: Option<Uuid>,
    TenantId(tenant_id): TenantId,
    ConnectorId(connector_id): ConnectorId,
    options: &LinkOptions,
) -> Result<(connect_link::Model, GeneratedLink), AppError> {
    let db = &state.db;
    if options.email.is_some() && state.mail.is_none() {
        return Err(by_email::not_configured());
    }
    let checked = options.checked_fields(db, environment).await?;
    tenants::get(db, environment, tenant_id).await?;
    let connector = connectors::get(db, environment, connector_id).await?;
    if !connector.model.enabled {
        return Err(AppError::Validation(
            "This connector is disabled; enable it first.".into(),
        ));
    }
    let presets = options::validate_presets(&connector, &options.presets)?;
    let allowed = options
        .allowed_connectors(db, environment, connector_id)
        .await?;
    let row = options.row(checked, &presets, &allowed)?;

    let token = new_token();
    let now = state.clock.now();
    let expires_at = now + options.expires_in;
    let txn = db.begin().await?;
    let model = connect_link::ActiveModel {
        id: Set(Uuid::now_v7()),
        token_hash: Set(token.hash().to_vec()),
        tenant_id: Set(tenant_id),
        connector_id: Set(connector_id),
        expires_at: Set(expires_at),
        created_by: Set(created_by),
        created_at: Set(now),
        ..row
    }
    .insert(&txn)
    .await?;
    if options.revoke_earlier {
        revocation::revoke_earlier(&txn, &model, now).await?;
    }
    if let Some(email) = &options.email {
        by_email::queue(&txn, EmailKind::Link, &model, email, now).await?;
    }
    txn.commit().await?;
    Ok((
        model,
        GeneratedLink {
            url: link_url(&state.settings.public_origin, token.expose()),
            expires_at,
            emailed_to: options.email.as_ref().map(|e| e.to.clone()),
        },
    ))
}

/// The status of a link at `now`.
pub fn status(link: &connect_link::Model, now: time::OffsetDateTime) -> LinkStatus {
    if link.revoked_at.is_some() {
        LinkStatus::Revoked
    } else if link.completed_at.is_some() && link.single_use {
        LinkStatus::Completed
    } else if link.expires_at <= now {
        LinkStatus::Expired
    } else if link.completed_at.is_some() {
        LinkStatus::Completed
    } else if link.opened_at.is_some() {
        LinkStatus::Opened
    } else {
        LinkStatus::Active
    }
}

/// Whether the end user may still use the link at `now`.
pub fn usable(link: &connect_link::Model, now: time::OffsetDateTime) -> bool {
    link.revoked_at.is_none()
        && link.expires_at > now
        && !(link.single_use && link.completed_at.is_some())
}

/// The condition under which a link row is still usable, for atomic updates.
pub fn usable_condition(now: time::OffsetDateTime) -> Condition {
    Condition::all()
        .add(connect_link::Column::RevokedAt.is_null())
        .add(connect_link::Column::ExpiresAt.gt(now))
        .add(
            Condition::any()
                .add(connect_link::Column::SingleUse.eq(false))
                .add(connect_link::Column::CompletedAt.is_null()),
        )
}

/// A usable link with everything the Connect page needs.
#[derive(Debug, Clone)]
pub struct LinkContext {
    /// The link.
    pub link: connect_link::Model,
    /// Its tenant.
    pub tenant: tenant::Model,
    /// Its connector.
    pub connector: Resolved,
    /// The admin's preset values.
    pub presets: BTreeMap<String, String>,
    /// When the link offers several connectors and none is chosen yet: the choices.
    pub choices: Vec<connectors::Resolved>,
    /// Whether the link offers more than one connector (chosen or not).
    pub offers_several: bool,
    /// The name of the tenant's environment when it is not production (the end user is told).
    pub environment: Option<String>,
}

/// A link of `environment` by id.
pub async fn get(
    db: &impl ConnectionTrait,
    environment: EnvironmentId,
    id: Uuid,
) -> Result<connect_link::Model, AppError> {
    connect_link::Entity::find_by_id(id)
        .filter(connect_link::Column::TenantId.in_subquery(tenants::ids_in(environment)))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Which links a listing shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct LinkFilter {
    /// Only this tenant's.
    pub tenant_id: Option<Uuid>,
    /// Only this connector's (its own connector).
    pub connector_id: Option<Uuid>,
}

/// One page of up to `limit` links in creation order, after the link `after`.
pub async fn list(
    db: &impl ConnectionTrait,
    environment: EnvironmentId,
    filter: LinkFilter,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Page<connect_link::Model>, AppError> {
    let mut condition = Condition::all()
        .add(connect_link::Column::TenantId.in_subquery(tenants::ids_in(environment)));
    if let Some(t) = filter.tenant_id {
        condition = condition.add(connect_link::Column::TenantId.eq(t));
    }
    if let Some(c) = filter.connector_id {
        condition = condition.add(connect_link::Column::ConnectorId.eq(c));
    }
    if let Some(after) = after {
        condition = condition.add(connect_link::Column::Id.gt(after));
    }
    let rows = connect_link::Entity::find()
        .filter(condition)
        .order_by_asc(connect_link::Column::Id)
        .limit(paging::fetch_size(limit))
        .all(db)
        .await?;
    Ok(paging::page(rows, limit, |r| r.id))
}

/// Looks a token up. Unknown, expired, revoked, used-up links and links of a disabled connector
/// all give `None`: the end user sees one answer for all of them.
pub async fn resolve(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    token: &str,
    choice: Option<Uuid>,
) -> Result<Option<LinkContext>, AppError> {
    if token.is_empty() || token.len() > 100 {
        return Ok(None);
    }
    let hash = token_hash(token);
    let found = connect_link::Entity::find()
        .filter(connect_link::Column::TokenHash.eq(hash))
        .one(db)
        .await?;
    let link = match found {
        Some(link) => link,
        None => match by_email::link_of_token(db, hash).await? {
            Some(link) => link,
            None => return Ok(None),
        },
    };
    load_context(db, clock, link, choice).await
}

/// The context of a link row, if it is still usable.
///
/// A link offering several connectors uses `choice` when it is one of them; without a valid
/// choice the context lists the enabled choices and carries the first as its connector.
pub async fn load_context(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    link: connect_link::Model,
    choice: Option<Uuid>,
) -> Result<Option<LinkContext>, AppError> {
    if !usable(&link, clock.now()) {
        return Ok(None);
    }
    let Some(tenant) = tenant::Entity::find_by_id(link.tenant_id).one(db).await? else {
        return Ok(None);
    };
    let environment = EnvironmentId(tenant.environment_id);
    let environment_name = super::environments::get(db, environment)
        .await
        .map(|e| (!e.is_production).then_some(e.name))?;
    let allowed = link.allowed_connectors()?;
    let wanted: Vec<Uuid> = match choice {
        Some(id) if allowed.contains(&id) => vec![id],
        _ => allowed.clone(),
    };
    let mut usable_connectors = Vec::new();
    for id in wanted {
        match connectors::get(db, environment, id).await {
            Ok(c) if c.model.enabled => usable_connectors.push(c),
            Ok(_) | Err(AppError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    if usable_connectors.is_empty() {
        return Ok(None);
    }
    let choices = if usable_connectors.len() > 1 {
        usable_connectors.clone()
    } else {
        Vec::new()
    };
    let connector = usable_connectors.swap_remove(0);
    // Presets belong to the link's own connector.
    let presets = if connector.model.id == link.connector_id {
        link.presets()?
    } else {
        BTreeMap::new()
    };
    Ok(Some(LinkContext {
        link,
        tenant,
        connector,
        presets,
        choices,
        offers_several: allowed.len() > 1,
        environment: environment_name,
    }))
}

/// Records that the end user started using the link; the first time also announces
/// `link.opened`, on the caller's connection (pass a transaction to bind the two).
pub async fn mark_opened(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    ctx: &LinkContext,
) -> Result<(), AppError> {
    let now = clock.now();
    let opened = connect_link::Entity::update_many()
        .col_expr(connect_link::Column::OpenedAt, Expr::value(now))
        .filter(connect_link::Column::Id.eq(ctx.link.id))
        .filter(connect_link::Column::OpenedAt.is_null())
        .exec(db)
        .await?;
    if opened.rows_affected == 1 {
        let subject =
            events::Subject::new(&ctx.tenant, &ctx.connector.model).with_link(&ctx.link)?;
        events::emit(db, now, EventType::LinkOpened, &subject).await?;
    }
    Ok(())
}

/// Records a failed attempt for the admin (`last_error`: the failure's code and the provider's
/// words) and announces `connection.failed` with the code the callback URL also gets, in one
/// transaction. Failures that are not the provider's (our own, the link's) record nothing.
pub async fn record_failure(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    LinkId(link_id): LinkId,
    connector_id: ConnectorId,
    error: &ConnectError,
) -> Result<(), AppError> {
    let Some(failure) = error.provider_failure() else {
        return Ok(());
    };
    let txn = db.begin().await?;
    connect_link::Entity::update_many()
        .col_expr(
            connect_link::Column::LastError,
            Expr::value(failure.stored()),
        )
        .col_expr(
            connect_link::Column::Failures,
            Expr::col(connect_link::Column::Failures).add(1),
        )
        .filter(connect_link::Column::Id.eq(link_id))
        .exec(&txn)
        .await?;
    if let Some(link) = connect_link::Entity::find_by_id(link_id).one(&txn).await? {
        let message = text::provider_failure(&failure);
        let subject = events::Subject::load(&txn, TenantId(link.tenant_id), connector_id)
            .await?
            .with_link(&link)?
            .with_error(error.code(), &message);
        events::emit(&txn, clock.now(), EventType::ConnectionFailed, &subject).await?;
        if link.failures >= alerts::LINK_FAILURES {
            let alert = alerts::Raise {
                kind: alerts::AlertKind::LinkFailing,
                dedupe_key: format!("link_failing:{link_id}"),
                tenant_id: Some(link.tenant_id),
                connector_id: Some(connector_id.0),
                link_id: Some(link_id),
                error: Some((error.code().to_owned(), message)),
                expires_at: None,
            };
            alerts::raise(&txn, clock.now(), alert).await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

/// Records a reconnect refused because it landed on another provider account (`last_error`
/// `account_mismatch`) and announces `connection.account_mismatch` with both accounts, in one
/// transaction.
pub async fn record_account_mismatch(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    ctx: &LinkContext,
    pinned: &str,
    attempted: &str,
) -> Result<(), AppError> {
    let failure = ProviderFailure::new(ProviderProblem::AccountMismatch);
    let txn = db.begin().await?;
    connect_link::Entity::update_many()
        .col_expr(
            connect_link::Column::LastError,
            Expr::value(failure.stored()),
        )
        .filter(connect_link::Column::Id.eq(ctx.link.id))
        .exec(&txn)
        .await?;
    let subject = events::Subject::new(&ctx.tenant, &ctx.connector.model)
        .with_link(&ctx.link)?
        .with_accounts(pinned, attempted)
        .with_error("account_mismatch", &text::provider_failure(&failure));
    events::emit(
        &txn,
        clock.now(),
        EventType::ConnectionAccountMismatch,
        &subject,
    )
    .await?;
    txn.commit().await?;
    tracing::info!(link_id = %ctx.link.id, "reconnect refused: another provider account");
    Ok(())
}

/// After a completion found its link no longer usable: when the link was revoked or expired
/// while the end user was at the provider, nothing was stored and `connection.failed`
/// (`link_unavailable`) says so. A single-use link that another attempt completed first is no
/// failure to announce.
pub async fn record_unusable(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    LinkId(link_id): LinkId,
    connector_id: ConnectorId,
) -> Result<(), AppError> {
    let now = clock.now();
    let Some(link) = connect_link::Entity::find_by_id(link_id).one(db).await? else {
        return Ok(());
    };
    if link.revoked_at.is_none() && link.expires_at > now {
        return Ok(());
    }
    let error = ConnectError::LinkUnavailable;
    let subject = events::Subject::load(db, TenantId(link.tenant_id), connector_id)
        .await?
        .with_link(&link)?
        .with_error(
            error.code(),
            &crate::i18n::Locale::En.messages().connect_error(&error),
        );
    events::emit(db, now, EventType::ConnectionFailed, &subject).await?;
    tracing::info!(link_id = %link.id, "link revoked or expired before the end user came back; nothing stored");
    Ok(())
}

/// A tenant's links, newest first (at most 200).
pub async fn list_for_tenant(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
) -> Result<Vec<connect_link::Model>, AppError> {
    Ok(connect_link::Entity::find()
        .filter(connect_link::Column::TenantId.eq(tenant_id))
        .order_by_desc(connect_link::Column::Id)
        .limit(200)
        .all(db)
        .await?)
}

/// A link as Tenant Details shows it.
pub fn info(link: &connect_link::Model, now: time::OffsetDateTime) -> LinkInfo {
    LinkInfo {
        id: link.id.to_string(),
        status: status(link, now),
        note: link.note.clone(),
        single_use: link.single_use,
        created_at: link.created_at,
        expires_at: link.expires_at,
    }
}
