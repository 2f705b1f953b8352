//! Trying again after an OAuth flow failed: the failure page offers it while the link can still
//! be used, and only to the browser the flow belongs to, so a leaked `state` is worth nothing.

use std::collections::BTreeMap;

use sea_orm::EntityTrait;

use super::oauth_flow::{find_flow, same_browser};
use super::{ConnectError, open_fields};
use crate::domain::AppState;
use crate::domain::entities::connect_link;
use crate::domain::services::links::{self, LinkContext};

/// A failed flow that can be started again: its link, and what the end user filled in.
#[derive(Debug, Clone)]
pub struct Retry {
    /// The link and connector, still usable.
    pub ctx: LinkContext,
    /// The values the end user entered before (e.g. a subdomain), as if submitted again.
    pub submitted: BTreeMap<String, String>,
}

/// The flow that `state_param` names, when `browser_token` is its browser's and its link can
/// still be used; `None` otherwise (nothing to offer).
pub async fn retryable(
    state: &AppState,
    state_param: Option<&str>,
    browser_token: Option<&str>,
) -> Result<Option<Retry>, ConnectError> {
    let Some(flow) = find_flow(&state.db, state_param).await? else {
        return Ok(None);
    };
    if !same_browser(&flow, browser_token) {
        return Ok(None);
    }
    let Some(link) = connect_link::Entity::find_by_id(flow.link_id)
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    let Some(ctx) =
        links::load_context(&state.db, state.clock.as_ref(), link, flow.connector_id).await?
    else {
        return Ok(None);
    };
    let values = flow.values()?;
    let submitted = open_fields(&ctx)
        .into_iter()
        .filter_map(|f| Some((f.name.clone(), values.get(&f.name)?.clone())))
        .collect();
    Ok(Some(Retry { ctx, submitted }))
}
