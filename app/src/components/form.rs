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

/// Checkboxes for a fixed list of `(value, description)`, each with its own checked signal.
#[derive(Clone, Copy)]
pub struct Choices(StoredValue<Vec<(&'static str, &'static str, RwSignal<bool>)>>);

impl Choices {
    /// All unchecked.
    pub fn new(list: &[(&'static str, &'static str)]) -> Self {
        Self(StoredValue::new(
            list.iter()
                .map(|(value, what)| (*value, *what, RwSignal::new(false)))
                .collect(),
        ))
    }

    /// The checked values, in list order.
    pub fn checked(&self) -> Vec<String> {
        self.0.with_value(|c| {
            c.iter()
                .filter(|(_, _, on)| on.get_untracked())
                .map(|(value, _, _)| (*value).to_owned())
                .collect()
        })
    }
}

/// A fieldset of [`Choices`]; each checkbox's id is `{id_prefix}-{value}` with `:` and `.` as `-`.
#[component]
pub fn ChoiceList(
    #[prop(into)] legend: String,
    id_prefix: &'static str,
    choices: Choices,
) -> impl IntoView {
    view! {
        <fieldset class="field">
            <legend>{legend}</legend>
            {choices.0.with_value(|c| c.iter().map(|(value, what, on)| {
                let id = format!("{id_prefix}-{}", value.replace([':', '.'], "-"));
                let on = *on;
                view! {
                    <div class="field checkbox">
                        <input id=id.clone() type="checkbox" bind:checked=on/>
                        <label for=id><code>{*value}</code>" — "{*what}</label>
                    </div>
                }
            }).collect_view())}
        </fieldset>
    }
}

/// A secret shown this once, read-only, with a copy button.
#[component]
pub fn ShownOnce(
    /// `data-testid` of the box.
    testid: &'static str,
    /// Id of the input.
    id: &'static str,
    /// Its label.
    #[prop(into)]
    label: String,
    /// The secret.
    value: String,
    /// What to do with it.
    #[prop(into)]
    help: String,
) -> impl IntoView {
    let copied = value.clone();
    view! {
        <div class="generated" data-testid=testid>
            <label for=id>{label}</label>
            <input id=id type="text" readonly value=value/>
            <crate::components::copy::CopyButton text=Signal::derive(move || copied.clone())/>
            <p class="help">{help}</p>
        </div>
    }
}
