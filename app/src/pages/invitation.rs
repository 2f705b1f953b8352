//! `/invite/{token}`: where an invited person, or a member whose password the owner reset,
//! chooses a password. An unusable link shows one answer, whatever made it unusable.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

use crate::api::team::{AcceptInvitation, get_invitation};
use crate::components::form::FormError;
use crate::i18n::dashboard::{t, t_with};
use crate::types::{InvitationPurpose, InvitationView, format_time};

/// The invitation page.
#[component]
pub fn InvitationPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let found = Resource::new(token, get_invitation);
    view! {
        <Title text=t("invitation-title")/>
        // The token is a credential: keep the page out of search engines and caches' memories.
        <Meta name="robots" content="noindex"/>
        <main id="main" class="centered-card">
            <Suspense fallback=|| view! { <p>{t("settings-loading")}</p> }>
                {move || Suspend::new(async move {
                    match found.await {
                        Ok(view) => view! { <AcceptForm view token=token()/> }.into_any(),
                        Err(_) => view! {
                            <h1>{t("invitation-unusable")}</h1>
                            <p class="lead" data-testid="invitation-unusable">{t("invitation-unusable-help")}</p>
                            <p><a href="/sign-in">{t("invitation-go-to-sign-in")}</a></p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn AcceptForm(view: InvitationView, token: String) -> impl IntoView {
    let accept = ServerAction::<AcceptInvitation>::new();
    let error = Signal::derive(move || accept.value().get().and_then(Result::err));
    let args = [
        ("product", view.product_name.clone().into()),
        ("role", t(view.role.message_id()).into()),
        ("expires", format_time(view.expires_at).into()),
    ];
    let (heading, intro, button) = match view.purpose {
        InvitationPurpose::Join => (
            "invitation-join-heading",
            "invitation-join-intro",
            "invitation-join-button",
        ),
        InvitationPurpose::PasswordReset => (
            "invitation-reset-heading",
            "invitation-reset-intro",
            "invitation-reset-button",
        ),
    };
    view! {
        <h1>{t_with(heading, &args)}</h1>
        <p class="lead">{t_with(intro, &args)}</p>
        <ActionForm action=accept attr:class="stack">
            <input type="hidden" name="token" value=token/>
            <div class="field">
                <label for="invite-account">{t("sign-in-e-mail")}</label>
                <input id="invite-account" type="email" readonly value=view.email autocomplete="username"/>
            </div>
            <crate::components::form::NewPasswordFields/>
            <FormError error/>
            <p class="help">{t_with("invitation-valid-until", &args)}</p>
            <button type="submit" class="button primary" disabled=move || accept.pending().get()>
                {t(button)}
            </button>
        </ActionForm>
    }
}
