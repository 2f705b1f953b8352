//! The credential form of API-key, basic and custom connectors: which fields the end user fills
//! in, how the values are checked, and submitting them.

use std::collections::BTreeMap;

use sea_orm::TransactionTrait;

use super::ConnectError;
use super::capture;
use super::complete::{Completed, Outcome, complete, verify_and_identify};
use crate::domain::AppState;
use crate::domain::catalog::catalog;
use crate::domain::ids::{ConnectorId, LinkId};
use crate::domain::services::connections::Credentials;
use crate::domain::services::links::{self, LinkContext};
use crate::types::{AuthMode, FieldProblem, limits};

/// Fields the end user still has to fill in: the catalog's fields minus the admin's presets.
pub fn open_fields(ctx: &LinkContext) -> Vec<&crate::domain::catalog::FieldSpec> {
    ctx.connector
        .provider
        .fields
        .iter()
        .filter(|f| !ctx.presets.contains_key(&f.name))
        .collect()
}

/// Checks submitted values against the catalog: only known fields, every one present (or
/// defaulted), within size and pattern, without control characters; secrets are kept exactly
/// as typed (not trimmed, not normalised). Presets win over anything submitted.
pub fn collect_values(
    ctx: &LinkContext,
    submitted: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, ConnectError> {
    let provider = &ctx.connector.provider;
    let mut errors = Vec::new();
    for name in submitted.keys() {
        if !provider.fields.iter().any(|f| &f.name == name) {
            errors.push((name.clone(), FieldProblem::NotInForm));
        }
    }
    let mut values = BTreeMap::new();
    for f in &provider.fields {
        let value = match ctx.presets.get(&f.name) {
            Some(preset) => preset.clone(),
            None => {
                let typed = submitted.get(&f.name).map(|v| {
                    if f.secret {
                        v.clone()
                    } else {
                        v.trim().to_owned()
                    }
                });
                match typed.filter(|v| !v.is_empty()) {
                    Some(v) => v,
                    None => match &f.default {
                        Some(d) => d.clone(),
                        None => {
                            errors.push((f.name.clone(), FieldProblem::Missing));
                            continue;
                        }
                    },
                }
            }
        };
        if value.chars().count() > limits::FIELD_VALUE_MAX_CHARS {
            errors.push((f.name.clone(), FieldProblem::TooLong));
        } else if value.chars().any(char::is_control) {
            // Values go into headers, forms and URLs as they are; a NUL or a line break would be
            // cut off or refused on the way, so it is refused here, where the end user can fix it.
            errors.push((f.name.clone(), FieldProblem::ControlCharacter));
        } else if !catalog().field_matches(&provider.id, &f.name, &value) {
            errors.push((f.name.clone(), FieldProblem::BadFormat));
        } else {
            values.insert(f.name.clone(), value);
        }
    }
    if errors.is_empty() {
        provider.add_choice_values(&mut values);
        Ok(values)
    } else {
        Err(ConnectError::Invalid(errors))
    }
}

/// Submits the credential form of an API-key, basic or custom connector.
pub async fn submit_credentials(
    state: &AppState,
    ctx: &LinkContext,
    submitted: &BTreeMap<String, String>,
) -> Result<Completed, ConnectError> {
    if ctx.connector.provider.auth == AuthMode::OAuth2 {
        return Err(ConnectError::Internal);
    }
    let values = collect_values(ctx, submitted)?;
    // The mark and its `link.opened` event commit together.
    let txn = state.db.begin().await?;
    links::mark_opened(&txn, state.clock.as_ref(), ctx).await?;
    txn.commit().await?;
    let lookup = |name: &str| values.get(name).cloned();
    let identified = match verify_and_identify(state, ctx, &lookup, None).await {
        Ok(identified) => identified,
        Err(e) => {
            links::record_failure(
                &state.db,
                state.clock.as_ref(),
                LinkId(ctx.link.id),
                ConnectorId(ctx.connector.model.id),
                &e,
            )
            .await?;
            return Err(e);
        }
    };
    let mut config = capture::public_values(&ctx.connector.provider, &values);
    config.extend(identified.captured);
    let account_id = Outcome::pinned_account(ctx, &config, &values);
    let outcome = Outcome {
        credentials: Credentials::Fields { values },
        scopes: Vec::new(),
        account_label: identified.label,
        expires_at: None,
        config,
        account_id,
    };
    complete(state, ctx, outcome).await
}
