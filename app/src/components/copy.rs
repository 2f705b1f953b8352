//! A Copy button that puts text on the clipboard and says so.

use leptos::prelude::*;

use crate::i18n::dashboard::t;

/// Copies `text` and announces "Copied" (or a hint to copy by hand) to screen readers.
#[component]
pub fn CopyButton(
    /// What to copy.
    #[prop(into)]
    text: Signal<String>,
    /// The button's label.
    #[prop(optional, into)]
    label: Option<String>,
) -> impl IntoView {
    let label = label.unwrap_or_else(|| t("copy-copy"));
    let status = RwSignal::new(String::new());
    let on_click = move |_| {
        let value = text.get_untracked();
        copy_to_clipboard(value, status);
    };
    view! {
        <span class="copy">
            <button type="button" class="button secondary" on:click=on_click>{label}</button>
            <span class="copy-status" role="status" aria-live="polite">{move || status.get()}</span>
        </span>
    }
}

#[cfg(feature = "hydrate")]
fn copy_to_clipboard(value: String, status: RwSignal<String>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let promise = window.navigator().clipboard().write_text(&value);
    leptos::task::spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(promise).await {
            Ok(_) => status.set(t("copy-copied")),
            Err(_) => status.set(t("copy-failed")),
        }
    });
}

#[cfg(not(feature = "hydrate"))]
fn copy_to_clipboard(_value: String, _status: RwSignal<String>) {}
