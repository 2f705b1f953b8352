//! `/setup`: creates the owner account; available only until one exists.

use leptos::prelude::*;
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
        <Title text="Create the owner account"/>
        <main id="main" class="centered-card">
            <h1>"Create the owner account"</h1>
            <p class="lead">
                "Welcome to Authlink. This account owns the installation; you can add more people later."
            </p>
            <ActionForm action=setup attr:class="stack" attr:novalidate=false>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        needs_code.await.unwrap_or(true).then(|| view! {
                            <div class="field">
                                <label for="setup_code">"Setup code"</label>
                                <input id="setup_code" name="setup_code" type="text" required
                                    maxlength="40" autocomplete="off" spellcheck="false"
                                    aria-describedby="setup_code-help"/>
                                <p class="help" id="setup_code-help">
                                    "Authlink printed it in its log when it started (look for \"setup code\"). "
                                    "It proves you run this server."
                                </p>
                            </div>
                        })
                    })}
                </Suspense>
                <div class="field">
                    <label for="product_name">"Your product's name"</label>
                    <input id="product_name" name="product_name" type="text" required
                        maxlength=limits::PRODUCT_NAME_MAX_CHARS autocomplete="organization"
                        aria-describedby="product_name-help"/>
                    <p class="help" id="product_name-help">"End users see it when they connect their tools."</p>
                </div>
                <div class="field">
                    <label for="email">"E-mail"</label>
                    <input id="email" name="email" type="email" required
                        maxlength=limits::EMAIL_MAX_CHARS autocomplete="username"/>
                </div>
                <div class="field">
                    <label for="password">"Password"</label>
                    <input id="password" name="password" type="password" required
                        minlength=limits::PASSWORD_MIN_CHARS maxlength=limits::PASSWORD_MAX_CHARS
                        autocomplete="new-password" aria-describedby="password-help"/>
                    <p class="help" id="password-help">
                        {format!("At least {} characters. A passphrase is best.", limits::PASSWORD_MIN_CHARS)}
                    </p>
                </div>
                <div class="field">
                    <label for="password_confirmation">"Repeat the password"</label>
                    <input id="password_confirmation" name="password_confirmation" type="password" required
                        minlength=limits::PASSWORD_MIN_CHARS maxlength=limits::PASSWORD_MAX_CHARS
                        autocomplete="new-password"/>
                </div>
                <FormError error/>
                <button type="submit" class="button primary" disabled=move || setup.pending().get()>
                    "Create the owner account"
                </button>
            </ActionForm>
        </main>
    }
}
