//! `/sign-in`.

use leptos::prelude::*;

use crate::i18n::dashboard::t;
use leptos_meta::Title;

use crate::api::auth::SignIn;
use crate::components::form::FormError;
use crate::types::limits;

/// The sign-in page.
#[component]
pub fn SignInPage() -> impl IntoView {
    let sign_in = ServerAction::<SignIn>::new();
    let error = Signal::derive(move || sign_in.value().get().and_then(Result::err));
    view! {
        <Title text=t("sign-in-sign-in")/>
        <main id="main" class="centered-card">
            <h1>{t("sign-in-sign-in-to-authlink")}</h1>
            <ActionForm action=sign_in attr:class="stack">
                <div class="field">
                    <label for="email">{t("sign-in-e-mail")}</label>
                    <input id="email" name="email" type="email" required
                        maxlength=limits::EMAIL_MAX_CHARS autocomplete="username"/>
                </div>
                <div class="field">
                    <label for="password">{t("sign-in-password")}</label>
                    <input id="password" name="password" type="password" required
                        maxlength=limits::PASSWORD_MAX_CHARS autocomplete="current-password"/>
                </div>
                <FormError error/>
                <button type="submit" class="button primary" disabled=move || sign_in.pending().get()>
                    {t("sign-in-sign-in")}
                </button>
            </ActionForm>
        </main>
    }
}
