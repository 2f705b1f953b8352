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

/// A note shown to everyone but the owner, saying what only the owner may do here.
#[component]
pub fn OwnerOnlyNote(
    /// The dashboard message that says it.
    message: &'static str,
) -> impl IntoView {
    let crate::components::layout::CurrentUserResource(user) =
        expect_context::<crate::components::layout::CurrentUserResource>();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let owner = matches!(
                    user.await,
                    Ok(Some(me)) if me.role == crate::types::Role::Owner
                );
                (!owner).then(|| view! { <p class="help owner-only">{crate::i18n::dashboard::t(message)}</p> })
            })}
        </Transition>
    }
}

/// A new password and its repetition (`password`, `password_confirmation`), for creating an
/// account or choosing a password through an invitation.
#[component]
pub fn NewPasswordFields() -> impl IntoView {
    use crate::i18n::dashboard::{t, t_with};
    use crate::types::limits;

    view! {
        <div class="field">
            <label for="password">{t("setup-password")}</label>
            <input id="password" name="password" type="password" required
                minlength=limits::PASSWORD_MIN_CHARS maxlength=limits::PASSWORD_MAX_CHARS
                autocomplete="new-password" aria-describedby="password-help"/>
            <p class="help" id="password-help">
                {t_with("setup-password-help", &[("min", limits::PASSWORD_MIN_CHARS.into())])}
            </p>
        </div>
        <div class="field">
            <label for="password_confirmation">{t("setup-repeat-the-password")}</label>
            <input id="password_confirmation" name="password_confirmation" type="password" required
                minlength=limits::PASSWORD_MIN_CHARS maxlength=limits::PASSWORD_MAX_CHARS
                autocomplete="new-password"/>
        </div>
    }
}
