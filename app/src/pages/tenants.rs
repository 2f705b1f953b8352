//! `/tenants`: the admin's customers.

use leptos::prelude::*;
use leptos_meta::Title;

/// The Tenants page.
#[component]
pub fn TenantsPage() -> impl IntoView {
    view! {
        <Title text="Tenants"/>
        <h1>"Tenants"</h1>
        <section class="empty-state" aria-labelledby="tenants-empty">
            <h2 id="tenants-empty">"No tenants yet"</h2>
            <p>
                "Tenants are your customers. Each one connects the tools it uses — Salesforce, "
                "Slack, GitHub and others — through a link you send them."
            </p>
        </section>
    }
}
