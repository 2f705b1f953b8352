//! The signed-in dashboard: side navigation, the signed-in user and Sign out.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::i18n::dashboard::t;
use leptos_router::components::{A, Outlet, Redirect};

use crate::api::auth::{SignOut, get_current_user};
use crate::api::environments::{SwitchEnvironment, get_environments};
use crate::error::AppError;
use crate::types::{CurrentUser, EnvironmentChoice};

/// The current user, loaded once by the layout and shared with pages through context.
#[derive(Clone, Copy)]
pub struct CurrentUserResource(pub Resource<Result<Option<CurrentUser>, AppError>>);

/// Layout of every dashboard page.
#[component]
pub fn DashboardLayout() -> impl IntoView {
    let user = Resource::new(|| (), |_| get_current_user());
    provide_context(CurrentUserResource(user));
    let sign_out = ServerAction::<SignOut>::new();
    let environments = Resource::new(|| (), |_| get_environments());
    provide_context(EnvironmentResource(environments));

    view! {
        <a class="skip-link" href="#main">{t("layout-skip-to-content")}</a>
        <div class="dashboard">
            <header class="sidebar">
                <a class="brand" href="/tenants">
                    <span class="brand-mark" aria-hidden="true">"A"</span>
                    <span>{t("layout-authlink")}</span>
                </a>
                <nav aria-label=t("layout-main")>
                    <ul class="nav-list">
                        <li><A href="/tenants">{t("layout-tenants")}</A></li>
                        <li><A href="/overview">{t("layout-status")}</A></li>
                        <li><A href="/connectors">{t("layout-connectors")}</A></li>
                        <li><A href="/audit">{t("layout-audit-log")}</A></li>
                        <li><A href="/team">{t("layout-team")}</A></li>
                        <li><A href="/settings">{t("layout-settings")}</A></li>
                    </ul>
                </nav>
                <EnvironmentSwitcher environments/>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match user.await {
                            Ok(Some(me)) => {
                                view! {
                                    <div class="account" data-testid="signed-in-user">
                                        <p class="account-email">{me.email}</p>
                                        <p class="account-role">{t(me.role.message_id())}</p>
                                        <ActionForm action=sign_out>
                                            <button type="submit" class="button secondary">{t("layout-sign-out")}</button>
                                        </ActionForm>
                                    </div>
                                }
                                    .into_any()
                            }
                            Ok(None) => view! { <Redirect path="/sign-in"/> }.into_any(),
                            Err(e) => {
                                view! { <p class="form-error" role="alert">{e.to_string()}</p> }
                                    .into_any()
                            }
                        }
                    })}
                </Transition>
            </header>
            <main id="main" class="content" tabindex="-1">
                <EnvironmentBand environments/>
                <Outlet/>
            </main>
        </div>
    }
}

/// The environments, loaded once by the layout and shared with pages through context.
#[derive(Clone, Copy)]
pub struct EnvironmentResource(pub Resource<Result<EnvironmentChoice, AppError>>);

/// The current environment and a form to switch to another. A plain form post, so that the
/// whole page is loaded again with the other environment's data (and it works without
/// JavaScript).
#[component]
fn EnvironmentSwitcher(
    environments: Resource<Result<EnvironmentChoice, AppError>>,
) -> impl IntoView {
    let pathname = leptos_router::hooks::use_location().pathname;
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(choice) = environments.await else {
                    return ().into_any();
                };
                let back_to = pathname.get_untracked();
                let current = choice.current.id.clone();
                let options = choice
                    .all
                    .into_iter()
                    .map(|e| {
                        let selected = e.id == current;
                        view! { <option value=e.id selected=selected>{e.name}</option> }
                    })
                    .collect_view();
                view! {
                    <form
                        class="environment-switcher"
                        method="post"
                        action=SwitchEnvironment::url()
                        data-testid="environment-switcher"
                    >
                        <label for="environment-select">{t("layout-environment")}</label>
                        <div class="environment-switcher-row">
                            <select id="environment-select" name="id">{options}</select>
                            <input type="hidden" name="back_to" value=back_to/>
                            <button type="submit" class="button secondary">
                                {t("layout-environment-switch")}
                            </button>
                        </div>
                    </form>
                }
                    .into_any()
            })}
        </Transition>
    }
}

/// A coloured band across the page in any environment but production, so that nobody takes
/// development data for the real thing.
#[component]
fn EnvironmentBand(environments: Resource<Result<EnvironmentChoice, AppError>>) -> impl IntoView {
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match environments.await {
                    Ok(choice) if !choice.current.is_production => {
                        view! {
                            <p class="environment-band" data-testid="environment-band">
                                {t("layout-environment-band")}
                                " "
                                <strong>{choice.current.name}</strong>
                            </p>
                        }
                            .into_any()
                    }
                    _ => ().into_any(),
                }
            })}
        </Transition>
    }
}
