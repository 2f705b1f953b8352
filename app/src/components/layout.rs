//! The signed-in dashboard: side navigation, the signed-in user and Sign out.

use leptos::prelude::*;

use crate::i18n::dashboard::t;
use leptos_router::components::{A, Outlet, Redirect};

use crate::api::auth::{SignOut, get_current_user};
use crate::error::AppError;
use crate::types::CurrentUser;

/// The current user, loaded once by the layout and shared with pages through context.
#[derive(Clone, Copy)]
pub struct CurrentUserResource(pub Resource<Result<Option<CurrentUser>, AppError>>);

/// Layout of every dashboard page.
#[component]
pub fn DashboardLayout() -> impl IntoView {
    let user = Resource::new(|| (), |_| get_current_user());
    provide_context(CurrentUserResource(user));
    let sign_out = ServerAction::<SignOut>::new();

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
                <Outlet/>
            </main>
        </div>
    }
}
