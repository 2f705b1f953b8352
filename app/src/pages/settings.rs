//! `/settings`: the signed-in account and installation settings.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::layout::CurrentUserResource;

/// The Settings page.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let CurrentUserResource(user) = expect_context::<CurrentUserResource>();
    view! {
        <Title text="Settings"/>
        <h1>"Settings"</h1>
        <section class="card" aria-labelledby="account-heading">
            <h2 id="account-heading">"Your account"</h2>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    user.await
                        .ok()
                        .flatten()
                        .map(|me| {
                            view! {
                                <dl class="facts">
                                    <dt>"E-mail"</dt>
                                    <dd>{me.email}</dd>
                                    <dt>"Role"</dt>
                                    <dd>{me.role.to_string()}</dd>
                                    <dt>"Product name shown to end users"</dt>
                                    <dd>{me.product_name}</dd>
                                </dl>
                            }
                        })
                })}
            </Transition>
        </section>
    }
}
