//! The 404 page. It names nothing about what exists.

use leptos::prelude::*;
use leptos_meta::Title;

/// Shown for any path that is not a page.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found"/>
        <main id="main" class="centered-card">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. Check the link, or go to the dashboard."</p>
            <p><a class="button" href="/">"Go to the dashboard"</a></p>
        </main>
    }
}
