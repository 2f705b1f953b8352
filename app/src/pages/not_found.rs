//! The 404 page. It names nothing about what exists.

use leptos::prelude::*;

use crate::i18n::dashboard::t;
use leptos_meta::Title;

/// Shown for any path that is not a page.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=t("not-found-page-not-found")/>
        <main id="main" class="centered-card">
            <h1>{t("not-found-page-not-found")}</h1>
            <p>{t("not-found-there-is-nothing-at-this-address")}</p>
            <p><a class="button" href="/">{t("not-found-go-to-the-dashboard")}</a></p>
        </main>
    }
}
