//! Authlink's user interface (Leptos, server-rendered and hydrated) and, behind the `ssr`
//! feature, its server-side domain.

#![recursion_limit = "256"]

pub mod api;
pub mod brand;
pub mod components;
pub mod error;
pub mod failure;
pub mod pages;
pub mod text;
pub mod types;

#[cfg(feature = "ssr")]
pub mod domain;
pub mod i18n;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};

use components::layout::DashboardLayout;
use i18n::dashboard::{t, t_with};
use pages::{
    audit::AuditPage,
    connectors::{ConnectorsPage, EditConnectorPage, NewConnectorPage},
    home::HomeRedirect,
    invitation::InvitationPage,
    not_found::NotFoundPage,
    overview::OverviewPage,
    settings::SettingsPage,
    setup::SetupPage,
    sign_in::SignInPage,
    team::TeamPage,
    tenant_details::TenantDetailsPage,
    tenants::TenantsPage,
    two_factor::{SecondFactorPage, TwoFactorPage},
    webhooks::WebhookEndpointPage,
};

/// The HTML document around the app; rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    domain::security::provide_page_csp();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The application: routes for the public pages and the signed-in dashboard.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/authlink.css"/>
        <Title formatter=|page: String| if page.is_empty() { t("app-name") } else { t_with("app-page-title", &[("page", page.into())]) }/>
        <Router>
            <Routes fallback=NotFoundPage>
                <Route path=path!("/setup") view=SetupPage/>
                <Route path=path!("/sign-in") view=SignInPage ssr=SsrMode::Async/>
                <Route path=path!("/sign-in/two-factor") view=SecondFactorPage/>
                <Route path=path!("/invite/:token") view=InvitationPage/>
                // The dashboard's data comes from the server's own database in well under a
                // millisecond, so a page is rendered whole and sent at once: one write instead of
                // a shell plus streamed chunks, and a complete page even without JavaScript.
                <ParentRoute path=path!("") view=DashboardLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=HomeRedirect/>
                    <Route path=path!("tenants") view=TenantsPage/>
                    <Route path=path!("tenants/:id") view=TenantDetailsPage/>
                    <Route path=path!("connectors") view=ConnectorsPage/>
                    <Route path=path!("connectors/new") view=NewConnectorPage/>
                    <Route path=path!("connectors/:id") view=EditConnectorPage/>
                    <Route path=path!("overview") view=OverviewPage/>
                    <Route path=path!("audit") view=AuditPage/>
                    <Route path=path!("settings") view=SettingsPage/>
                    <Route path=path!("team") view=TeamPage/>
                    <Route path=path!("two-factor") view=TwoFactorPage/>
                    <Route path=path!("settings/webhooks/:id") view=WebhookEndpointPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
