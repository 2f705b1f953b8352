//! `/sign-in`.

use leptos::prelude::*;

use crate::i18n::dashboard::{t, t_with};
use leptos_meta::Title;

use crate::api::auth::{SignIn, sign_in_options};
use crate::components::form::FormError;
use crate::types::limits;

/// The sign-in page.
#[component]
pub fn SignInPage() -> impl IntoView {
    let sign_in = ServerAction::<SignIn>::new();
    let error = Signal::derive(move || sign_in.value().get().and_then(Result::err));
    let options = Resource::new(|| (), |_| sign_in_options());
    let query = leptos_router::hooks::use_query_map();
    let sso_error = move || {
        let code = query.read().get("sso_error")?;
        crate::types::SSO_ERRORS
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, message)| t(message))
    };
    view! {
        <Title text=t("sign-in-sign-in")/>
        <main id="main" class="centered-card">
            <h1>{t("sign-in-sign-in-to-authlink")}</h1>
            {move || sso_error().map(|words| view! { <p class="form-error" role="alert" data-testid="sso-error">{words}</p> })}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let options = options.await.ok()?;
                    let label = options.sso_label?;
                    Some(view! {
                        <form method="post" action="/sso/start" class="stack">
                            <button type="submit" class="button primary">
                                {t_with("sign-in-with-sso", &[("provider", label.into())])}
                            </button>
                        </form>
                        <p class="help">
                            {if options.password_owner_only { t("sign-in-password-owner-only") } else { t("sign-in-or-password") }}
                        </p>
                    })
                })}
            </Suspense>
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
