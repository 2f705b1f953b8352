//! `/api/v1/connect-links`: create (with callback URL, state, end user, tags, presets and an
//! optional list of connectors to choose from), get, list, revoke.

use std::collections::{BTreeMap, HashMap};

use app::domain::entities::connect_link;
use app::domain::ids::EnvironmentId;
use app::domain::ids::{ConnectorId, TenantId};
use app::domain::services::connectors;
use app::domain::services::links::{self, EmailRequest, LinkFilter, LinkOptions};
use app::domain::services::tenants::{self, TenantInput};
use app::error::AppError;
use app::i18n::Locale;
use app::types::limits;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{
    Api, Caller, Problem, id_cursor, idempotency, page_limit, parse_json, parse_query, path_id,
    rfc3339,
};

/// Which tenant a link is for: by `id`, or by `external_id` — created on the fly with `name`
/// when no tenant has that external id yet.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantRef {
    /// Tenant id.
    pub id: Option<String>,
    /// Your own id for the customer.
    pub external_id: Option<String>,
    /// Name for a tenant created on the fly.
    pub name: Option<String>,
}

impl utoipa::PartialSchema for TenantRef {
    /// Exactly one of `id` and `external_id`; `name` only matters with `external_id`.
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            AdditionalProperties, KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type,
        };
        let null = || ObjectBuilder::new().schema_type(Type::Null);
        let name = super::tenants::name_or_null_schema();
        let by_id = ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(
                "id",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
                    .description(Some("Tenant id.")),
            )
            .property("external_id", null())
            .property("name", name.clone())
            .required("id")
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        let mut external_id = super::tenants::external_id_schema();
        external_id.description = Some("Your own id for the customer.".into());
        let by_external_id = ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("id", null())
            .property("external_id", external_id)
            .property("name", name)
            .required("external_id")
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        OneOfBuilder::new()
            .item(by_id)
            .item(by_external_id)
            .description(Some(
                "The tenant: by `id`, or by `external_id` (created with `name` when no tenant has \
                 that external id yet).",
            ))
            .into()
    }
}

impl utoipa::ToSchema for TenantRef {}

/// Who will open the link.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndUser {
    /// E-mail.
    pub email: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// The end user's language: `en`, `de`, `fr`, `es`, `pt-BR` or `ja`. E-mails about the link
    /// are written in it (default `en`), and the Connect page speaks it unless the browser's
    /// visitor picked another.
    pub locale: Option<String>,
}

/// A connect link to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkCreate {
    /// The tenant.
    pub tenant: TenantRef,
    /// The connector (id or key). Give this or `connectors`.
    pub connector: Option<String>,
    /// Connectors (ids or keys) the end user chooses from.
    pub connectors: Option<Vec<String>>,
    /// Lifetime in seconds, 300 to 2,592,000 (default 7 days).
    #[schema(minimum = 300, maximum = 2_592_000)]
    pub expires_in: Option<i64>,
    /// The link stops working once used (default true).
    pub single_use: Option<bool>,
    /// A reconnect through this link may land on another provider account than the one the
    /// connection is pinned to, replacing it (default false: such a reconnect is refused and
    /// `connection.account_mismatch` announced).
    pub allow_account_change: Option<bool>,
    /// Revoke the tenant's other live links for the same connector in the same step (default
    /// false), so only the new link works: what the dashboard's Regenerate does.
    pub revoke_earlier: Option<bool>,
    /// Where the end user's browser goes when done; its origin must be allowed in Settings.
    pub callback_url: Option<String>,
    /// Returned to `callback_url` with an exchange `code` on success.
    pub state: Option<String>,
    /// Who will open the link.
    pub end_user: Option<EndUser>,
    /// Tags returned with the link.
    pub tags: Option<Vec<String>>,
    /// Values for the connector's non-secret fields, e.g. `{"subdomain": "acme"}`.
    pub presets: Option<BTreeMap<String, String>>,
    /// E-mail the link to `end_user.email` (default false; needs a mail server,
    /// `AUTHLINK_SMTP_URL`). A reminder follows a day before expiry while it is unused.
    pub send_email: Option<bool>,
    /// Your own words in that e-mail (plain text, at most 2,000 characters).
    pub email_message: Option<String>,
}

/// A connect link.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Link {
    /// Id (UUID).
    pub id: String,
    /// The URL to send; present only in the answer that created the link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `active`, `opened`, `completed`, `expired` or `revoked`.
    pub status: String,
    /// The tenant's id.
    pub tenant_id: String,
    /// The link's own connector (key).
    pub connector: String,
    /// Every connector the end user may choose (keys).
    pub connectors: Vec<String>,
    /// Single use.
    pub single_use: bool,
    /// Whether a reconnect may change the provider account.
    pub allow_account_change: bool,
    /// Callback URL.
    pub callback_url: Option<String>,
    /// End user.
    pub end_user: EndUser,
    /// Tags.
    pub tags: Vec<String>,
    /// Why the last attempt or refresh failed, as `code` or `code: provider's words`, e.g.
    /// `token_refused: invalid_grant`, `credentials_rejected`, `unreachable`.
    pub last_error: Option<String>,
    /// Creation time (RFC 3339).
    pub created_at: String,
    /// Expiry (RFC 3339).
    pub expires_at: String,
    /// First opened.
    pub opened_at: Option<String>,
    /// Completed.
    pub completed_at: Option<String>,
    /// Revoked.
    pub revoked_at: Option<String>,
    /// The address the link was e-mailed to (`send_email`).
    pub emailed_to: Option<String>,
}

/// One page of links.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LinkList {
    /// The links, oldest first.
    pub data: Vec<Link>,
    /// Pass as `cursor` for the next page.
    pub next_cursor: Option<String>,
}

/// Listing filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinkListQuery {
    /// Only this tenant's links.
    #[param(value_type = Option<uuid::Uuid>)]
    pub tenant_id: Option<String>,
    /// Only this connector's links (id or key).
    pub connector: Option<String>,
    /// Page size, at least 1 (default 50); values above 200 are read as 200.
    #[param(schema_with = super::page_limit_schema)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    #[param(value_type = Option<uuid::Uuid>)]
    pub cursor: Option<String>,
}

fn to_dto(
    api: &Api,
    keys: &HashMap<uuid::Uuid, String>,
    link: &connect_link::Model,
    url: Option<String>,
) -> Result<Link, Problem> {
    let ids = link.allowed_connectors()?;
    let key_of = |id: &uuid::Uuid| keys.get(id).cloned().unwrap_or_else(|| id.to_string());
    let now = api.app.clock.now();
    Ok(Link {
        id: link.id.to_string(),
        url,
        status: links::status(link, now).label().to_owned(),
        tenant_id: link.tenant_id.to_string(),
        connector: key_of(&link.connector_id),
        connectors: ids.iter().map(key_of).collect(),
        single_use: link.single_use,
        allow_account_change: link.allow_account_change,
        callback_url: link.callback_url.clone(),
        end_user: EndUser {
            email: link.end_user_email.clone(),
            name: link.end_user_name.clone(),
            locale: link.email_locale.clone(),
        },
        tags: link.tags()?,
        last_error: link.last_error.clone(),
        created_at: rfc3339(link.created_at),
        expires_at: rfc3339(link.expires_at),
        opened_at: link.opened_at.map(rfc3339),
        completed_at: link.completed_at.map(rfc3339),
        revoked_at: link.revoked_at.map(rfc3339),
        emailed_to: link.email_to.clone(),
    })
}

async fn resolve_tenant(
    api: &Api,
    environment: EnvironmentId,
    t: TenantRef,
) -> Result<uuid::Uuid, Problem> {
    match (t.id, t.external_id) {
        (Some(id), None) => Ok(tenants::get(&api.app.db, environment, path_id(&id)?)
            .await?
            .id),
        (None, Some(external_id)) => {
            match tenants::find_by_external_id(&api.app.db, environment, &external_id).await? {
                Some(model) => Ok(model.id),
                None => match t.name {
                    Some(name) => {
                        let (model, _) = tenants::upsert_by_external_id(
                            &api.app.db,
                            api.app.clock.as_ref(),
                            environment,
                            &TenantInput { name, external_id },
                        )
                        .await?;
                        Ok(model.id)
                    }
                    None => Err(Problem::from(app::error::AppError::Validation(
                        "No tenant has this external_id; give tenant.name to create it.".into(),
                    ))),
                },
            }
        }
        _ => Err(Problem::from(app::error::AppError::Validation(
            "Give tenant.id or tenant.external_id.".into(),
        ))),
    }
}

async fn create(api: &Api, caller: &Caller, input: LinkCreate) -> Result<Link, Problem> {
    let mut wanted: Vec<String> = input.connector.into_iter().collect();
    wanted.extend(input.connectors.unwrap_or_default());
    if wanted.is_empty() {
        return Err(Problem::from(app::error::AppError::Validation(
            "Give connector or connectors.".into(),
        )));
    }
    if wanted.len() > links::MAX_ALLOWED_CONNECTORS {
        return Err(Problem::from(app::error::AppError::Validation(format!(
            "A link offers at most {} connectors.",
            links::MAX_ALLOWED_CONNECTORS
        ))));
    }
    let mut connector_ids = Vec::new();
    for key in &wanted {
        let found = connectors::find_by_key(&api.app.db, caller.0.environment, key)
            .await
            .map_err(Problem::from)
            .map_err(|p| {
                if p.status == 404 {
                    Problem::from(app::error::AppError::Validation(format!(
                        "There is no connector {key:?}."
                    )))
                } else {
                    p
                }
            })?;
        connector_ids.push(found.model.id);
    }
    let expires_in = match input.expires_in {
        Some(seconds) => time::Duration::seconds(seconds),
        None => time::Duration::minutes(limits::LINK_DEFAULT_MINUTES),
    };
    let end_user = input.end_user.unwrap_or_default();
    let (end_user_locale, email) = email_request(&end_user, input.send_email, input.email_message)?;
    if email.is_some() && api.app.mail.is_none() {
        // Refused before a tenant is created on the fly for a link that cannot be sent.
        return Err(Problem::from(links::email_not_configured()));
    }
    let tenant_id = resolve_tenant(api, caller.0.environment, input.tenant).await?;
    let options = LinkOptions {
        expires_in,
        single_use: input.single_use.unwrap_or(true),
        allow_account_change: input.allow_account_change.unwrap_or(false),
        note: end_user.email.clone().unwrap_or_default(),
        presets: input.presets.unwrap_or_default(),
        callback_url: input.callback_url,
        callback_state: input.state,
        end_user_email: end_user.email,
        end_user_name: end_user.name,
        tags: input.tags.unwrap_or_default(),
        also_allowed: connector_ids[1..].to_vec(),
        created_by_key: Some(caller.0.key_id),
        revoke_earlier: input.revoke_earlier.unwrap_or(false),
        end_user_locale,
        email,
    };
    let (link, generated) = links::create(
        &api.app,
        caller.0.environment,
        None,
        TenantId(tenant_id),
        ConnectorId(connector_ids[0]),
        &options,
    )
    .await?;
    tracing::info!(link_id = %link.id, api_key = %caller.0.name, "connect link created");
    to_dto(
        api,
        &connectors::keys(&api.app.db, caller.0.environment).await?,
        &link,
        Some(generated.url),
    )
}

/// The end user's language and the e-mail `send_email` asks for, checked.
fn email_request(
    end_user: &EndUser,
    send_email: Option<bool>,
    message: Option<String>,
) -> Result<(Option<Locale>, Option<EmailRequest>), Problem> {
    let locale = match end_user.locale.as_deref() {
        None => None,
        Some(tag) => Some(Locale::from_tag(tag).ok_or_else(|| {
            Problem::from(AppError::Validation(format!(
                "end_user.locale {tag:?} is not one of {}.",
                Locale::ALL.map(Locale::tag).join(", ")
            )))
        })?),
    };
    if !send_email.unwrap_or(false) {
        if message.is_some() {
            return Err(Problem::from(AppError::Validation(
                "email_message needs send_email.".into(),
            )));
        }
        return Ok((locale, None));
    }
    let Some(to) = end_user.email.as_deref() else {
        return Err(Problem::from(AppError::Validation(
            "send_email needs end_user.email.".into(),
        )));
    };
    let request = EmailRequest::checked(to, locale.unwrap_or(Locale::En), message.as_deref())?;
    Ok((locale, Some(request)))
}

/// Create a connect link.
#[utoipa::path(post, path = "/api/v1/connect-links", tag = "connect-links", request_body = LinkCreate,
    params(idempotency::IdempotencyHeader),
    responses(
        (status = 201, description = "Created; `url` is shown only here", body = Link),
        (status = 404, description = "Unknown tenant", body = Problem),
        (status = 422, description = "Invalid input, e.g. a callback URL whose origin is not allowed", body = Problem),
    ))]
pub async fn create_link(
    State(api): State<Api>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(p) = caller.require("links:write") {
        return p.into_response();
    }
    idempotency::once(
        &api,
        &caller,
        &headers,
        "POST /connect-links",
        &body,
        || async {
            let result = async {
                let input: LinkCreate = parse_json(&api, &headers, &body)?;
                create(&api, &caller, input).await
            }
            .await;
            match result {
                Ok(link) => (StatusCode::CREATED, Json(link)).into_response(),
                Err(p) => p.into_response(),
            }
        },
    )
    .await
}

/// Get a connect link: its status and when it was opened and completed.
#[utoipa::path(get, path = "/api/v1/connect-links/{id}", tag = "connect-links",
    params(("id" = String, Path, description = "Link id")),
    responses(
        (status = 200, description = "The link (without its URL)", body = Link),
        (status = 404, description = "Not found", body = Problem),
    ))]
pub async fn get_link(
    State(api): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Link>, Problem> {
    caller.require("links:read")?;
    let link = links::get(&api.app.db, caller.0.environment, path_id(&id)?).await?;
    Ok(Json(to_dto(
        &api,
        &connectors::keys(&api.app.db, caller.0.environment).await?,
        &link,
        None,
    )?))
}

/// List connect links.
#[utoipa::path(get, path = "/api/v1/connect-links", tag = "connect-links", params(LinkListQuery),
    responses(
        (status = 200, description = "A page of links", body = LinkList),
        (status = 400, description = "Bad limit or cursor", body = Problem),
        (status = 404, description = "No tenant or connector with this id or key", body = Problem),
    ))]
pub async fn list_links(
    State(api): State<Api>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<LinkList>, Problem> {
    caller.require("links:read")?;
    let q: LinkListQuery = parse_query(query.as_deref())?;
    let limit = page_limit(q.limit.as_deref())?;
    let tenant_id = q.tenant_id.as_deref().map(path_id).transpose()?;
    let connector_id = match &q.connector {
        Some(c) => Some(
            connectors::find_by_key(&api.app.db, caller.0.environment, c)
                .await?
                .model
                .id,
        ),
        None => None,
    };
    let after = q.cursor.as_deref().map(id_cursor).transpose()?;
    let filter = LinkFilter {
        tenant_id,
        connector_id,
    };
    let page = links::list(&api.app.db, caller.0.environment, filter, after, limit).await?;
    let keys = connectors::keys(&api.app.db, caller.0.environment).await?;
    let data = page
        .rows
        .iter()
        .map(|row| to_dto(&api, &keys, row, None))
        .collect::<Result<_, _>>()?;
    Ok(Json(LinkList {
        data,
        next_cursor: page.next,
    }))
}

/// Revoke a connect link; it stops working at once.
#[utoipa::path(post, path = "/api/v1/connect-links/{id}/revoke", tag = "connect-links",
    params(("id" = String, Path, description = "Link id")),
    responses(
        (status = 200, description = "Revoked (revoking twice is fine)", body = Link),
        (status = 404, description = "Not found", body = Problem),
    ))]
pub async fn revoke_link(
    State(api): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Link>, Problem> {
    caller.require("links:write")?;
    let id = path_id(&id)?;
    links::revoke(
        &api.app.db,
        api.app.clock.as_ref(),
        caller.0.environment,
        id,
    )
    .await?;
    let link = links::get(&api.app.db, caller.0.environment, id).await?;
    Ok(Json(to_dto(
        &api,
        &connectors::keys(&api.app.db, caller.0.environment).await?,
        &link,
        None,
    )?))
}
