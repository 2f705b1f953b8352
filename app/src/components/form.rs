//! Small form helpers shared by pages.

use leptos::prelude::*;

use crate::error::AppError;

/// Shows the error of the last submission of a form, announced to screen readers.
#[component]
pub fn FormError(
    /// The error to show, if any.
    #[prop(into)]
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    view! {
        <Show when=move || error.get().is_some()>
            <p class="form-error" role="alert" data-testid="form-error">
                {move || error.get().map(|e| e.to_string())}
            </p>
        </Show>
    }
}
