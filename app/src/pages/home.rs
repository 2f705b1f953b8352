//! `/`: the dashboard starts at Tenants.

use leptos::prelude::*;
use leptos_router::components::Redirect;

/// Sends `/` to `/tenants`.
#[component]
pub fn HomeRedirect() -> impl IntoView {
    view! { <Redirect path="/tenants"/> }
}
