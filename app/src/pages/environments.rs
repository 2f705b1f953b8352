//! Settings → Environments: the owner adds, renames and deletes environments; everyone sees
//! which exist and what they hold.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::environments::{CreateEnvironment, DeleteEnvironment, RenameEnvironment};
use crate::components::form::{FormError, OwnerOnlyNote};
use crate::components::layout::EnvironmentResource;
use crate::i18n::dashboard::{t, t_with};
use crate::types::{ENVIRONMENT_NAME_MAX_CHARS, EnvironmentInfo};

/// The Environments card of Settings.
#[component]
pub fn EnvironmentSettings() -> impl IntoView {
    let EnvironmentResource(environments) = expect_context::<EnvironmentResource>();
    let create = ServerAction::<CreateEnvironment>::new();
    let rename = ServerAction::<RenameEnvironment>::new();
    let delete = ServerAction::<DeleteEnvironment>::new();
    // The shell's switcher shows the same list.
    Effect::watch(
        move || {
            (
                create.version().get(),
                rename.version().get(),
                delete.version().get(),
            )
        },
        move |_, _, _| environments.refetch(),
        false,
    );
    let create_error = Signal::derive(move || create.value().get().and_then(Result::err));
    let change_error = Signal::derive(move || {
        rename
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| delete.value().get().and_then(Result::err))
    });
    let max = ENVIRONMENT_NAME_MAX_CHARS.to_string();
    view! {
        <section class="card" aria-labelledby="environments-heading">
            <h2 id="environments-heading">{t("environments-heading")}</h2>
            <p class="muted">{t("environments-intro")}</p>
            <OwnerOnlyNote message="environments-owner-only"/>
            <Transition fallback=|| view! { <p>{t("settings-loading")}</p> }>
                {move || Suspend::new(async move {
                    match environments.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(choice) => view! {
                            <ul class="environment-list" data-testid="environments">
                                {choice
                                    .all
                                    .into_iter()
                                    .map(|e| view! { <EnvironmentRow environment=e rename delete/> })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any(),
                    }
                })}
            </Transition>
            <FormError error=change_error/>
            <ActionForm action=create attr:class="stack">
                <div class="field">
                    <label for="environment-name">{t("environments-new-name")}</label>
                    <input id="environment-name" name="name" type="text" required
                        maxlength=max.clone() autocomplete="off" pattern="[a-zA-Z][a-zA-Z0-9\\-]*"
                        aria-describedby="environment-name-help"/>
                    <p class="help" id="environment-name-help">{t("environments-name-help")}</p>
                </div>
                <FormError error=create_error/>
                <div class="actions">
                    <button type="submit" class="button primary">{t("environments-add")}</button>
                </div>
            </ActionForm>
        </section>
    }
}

/// One environment: its name (renamable), what it holds, and Delete when it may go.
#[component]
fn EnvironmentRow(
    environment: EnvironmentInfo,
    rename: ServerAction<RenameEnvironment>,
    delete: ServerAction<DeleteEnvironment>,
) -> impl IntoView {
    let input_id = format!("environment-rename-{}", environment.id);
    let label = t_with(
        "environments-rename-label",
        &[("name", environment.name.clone().into())],
    );
    let holds = t_with(
        "environments-holds",
        &[
            ("tenants", environment.tenants.into()),
            ("connectors", environment.connectors.into()),
        ],
    );
    let deletable = !environment.is_production;
    let delete_label = t_with(
        "environments-delete-label",
        &[("name", environment.name.clone().into())],
    );
    let id = environment.id.clone();
    view! {
        <li class="environment-item">
            <div class="environment-facts">
                <strong>{environment.name.clone()}</strong>
                {environment.is_production.then(|| view! { <span class="badge">{t("environments-production")}</span> })}
                <span class="muted">{holds}</span>
            </div>
            <div class="environment-actions">
                <ActionForm action=rename attr:class="inline-form">
                    <input type="hidden" name="id" value=environment.id.clone()/>
                    <label class="visually-hidden" for=input_id.clone()>{label}</label>
                    <input id=input_id type="text" name="name" required value=environment.name
                        maxlength=ENVIRONMENT_NAME_MAX_CHARS.to_string() autocomplete="off"/>
                    <button type="submit" class="button secondary small">{t("environments-rename")}</button>
                </ActionForm>
                {deletable.then(|| view! {
                    <ActionForm action=delete>
                        <input type="hidden" name="id" value=id/>
                        <button type="submit" class="button secondary small" aria-label=delete_label>
                            {t("environments-delete")}
                        </button>
                    </ActionForm>
                })}
            </div>
        </li>
    }
}
