//! `/setup`: creates the owner account; available only until one exists.

use leptos::prelude::*;

use crate::i18n::dashboard::t;
use leptos_meta::Title;

use crate::api::auth::{SetupOwner, setup_needs_code};
use crate::components::form::FormError;
use crate::types::limits;

/// The one-time owner setup page.
#[component]
pub fn SetupPage() -> impl IntoView {
    let setup = ServerAction::<SetupOwner>::new();
    let error = Signal::derive(move || setup.value().get().and_then(Result::err));
    let needs_code = Resource::new(|| (), |_| setup_needs_code());
    view! {
        <Title text=t("setup-create-the-owner-account")/>
        <main id="main" class="centered-card">
            <h1>{t("setup-create-the-owner-account")}</h1>
            <p class="lead">
                {t("setup-welcome-to-authlink-this-account-owns")}
            </p>
            <ActionForm action=setup attr:class="stack" attr:novalidate=false>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        needs_code.await.unwrap_or(true).then(|| view! {
                            <div class="field">
                                <label for="setup_code">{t("setup-setup-code")}</label>
                                <input id="setup_code" name="setup_code" type="text" required
                                    maxlength="40" autocomplete="off" spellcheck="false"
                                    aria-describedby="setup_code-help"/>
                                <p class="help" id="setup_code-help">
                                    {t("setup-code-help")}
                                </p>
                            </div>
                        })
                    })}
                </Suspense>
                <div class="field">
                    <label for="product_name">{t("setup-your-product-s-name")}</label>
                    <input id="product_name" name="product_name" type="text" required
                        maxlength=limits::PRODUCT_NAME_MAX_CHARS autocomplete="organization"
                        aria-describedby="product_name-help"/>
                    <p class="help" id="product_name-help">{t("setup-end-users-see-it-when-they")}</p>
                </div>
                <div class="field">
                    <label for="email">{t("setup-e-mail")}</label>
                    <input id="email" name="email" type="email" required
                        maxlength=limits::EMAIL_MAX_CHARS autocomplete="username"/>
                </div>
                <crate::components::form::NewPasswordFields/>
                <FormError error/>
                <button type="submit" class="button primary" disabled=move || setup.pending().get()>
                    {t("setup-create-the-owner-account")}
                </button>
            </ActionForm>
        </main>
    }
}
