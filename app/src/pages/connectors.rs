//! `/connectors`: the integrations this installation offers.

use leptos::prelude::*;
use leptos_meta::Title;

/// The Connectors page.
#[component]
pub fn ConnectorsPage() -> impl IntoView {
    view! {
        <Title text="Connectors"/>
        <h1>"Connectors"</h1>
        <section class="empty-state" aria-labelledby="connectors-empty">
            <h2 id="connectors-empty">"No connectors yet"</h2>
            <p>
                "A connector is one third-party tool your tenants can connect, set up with your "
                "OAuth app's client ID and secret or with the fields its API keys need."
            </p>
        </section>
    }
}
