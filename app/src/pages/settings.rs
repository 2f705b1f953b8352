//! `/settings`: the signed-in account, its password and alert e-mails, branding, API keys,
//! allowed callback origins and webhooks.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::i18n::dashboard::{t, t_with};
use leptos_meta::Title;

use crate::api::auth::ChangePassword;
use crate::api::settings::{
    AddCallbackOrigin, RemoveCallbackOrigin, RevokeApiKey, SetAlerts, create_api_key,
    get_alert_settings, list_api_keys, list_callback_origins,
};
use crate::components::form::{ChoiceList, Choices, FormError, ShownOnce};
use crate::components::layout::CurrentUserResource;
use crate::error::AppError;
use crate::types::{API_SCOPES, CreatedApiKey, format_time, limits};

/// The Settings page.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let CurrentUserResource(user) = expect_context::<CurrentUserResource>();
    view! {
        <Title text=t("settings-settings")/>
        <h1>{t("settings-settings")}</h1>
        <section class="card" aria-labelledby="account-heading">
            <h2 id="account-heading">{t("settings-your-account")}</h2>
            <Transition fallback=|| view! { <p>{t("settings-loading")}</p> }>
                {move || Suspend::new(async move {
                    user.await
                        .ok()
                        .flatten()
                        .map(|me| {
                            view! {
                                <dl class="facts">
                                    <dt>{t("settings-e-mail")}</dt>
                                    <dd>{me.email}</dd>
                                    <dt>{t("settings-role")}</dt>
                                    <dd>{t(me.role.message_id())}</dd>
                                </dl>
                            }
                        })
                })}
            </Transition>
        </section>
        <ChangePasswordForm/>
        <crate::pages::two_factor::TwoFactorSettings/>
        <Alerts/>
        <crate::pages::branding::BrandingSettings/>
        <crate::pages::environments::EnvironmentSettings/>
        <EnvironmentNote/>
        <ApiKeys/>
        <CallbackOrigins/>
        <crate::pages::webhooks::WebhookEndpoints/>
    }
}

/// Says which environment the cards after it belong to.
#[component]
fn EnvironmentNote() -> impl IntoView {
    let crate::components::layout::EnvironmentResource(environments) =
        expect_context::<crate::components::layout::EnvironmentResource>();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                environments.await.ok().map(|choice| view! {
                    <p class="environment-note" data-testid="environment-note">
                        {t_with("settings-environment-note", &[("name", choice.current.name.into())])}
                    </p>
                })
            })}
        </Transition>
    }
}

/// Changes the signed-in admin's password; every other session of the account ends.
#[component]
fn ChangePasswordForm() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
    let done = move || matches!(change.value().get(), Some(Ok(())));
    view! {
        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">{t("settings-password")}</h2>
            <ActionForm action=change attr:class="stack">
                <div class="field">
                    <label for="current_password">{t("settings-current-password")}</label>
                    <input id="current_password" name="current_password" type="password" required
                        maxlength=limits::PASSWORD_MAX_CHARS autocomplete="current-password"/>
                </div>
                <div class="field">
                    <label for="new_password">{t("settings-new-password")}</label>
                    <input id="new_password" name="new_password" type="password" required
                        minlength=limits::PASSWORD_MIN_CHARS maxlength=limits::PASSWORD_MAX_CHARS
                        autocomplete="new-password" aria-describedby="new_password-help"/>
                    <p class="help" id="new_password-help">
                        {t_with("settings-new-password-help", &[("min", limits::PASSWORD_MIN_CHARS.into())])}
                    </p>
                </div>
                <div class="field">
                    <label for="new_password_confirmation">{t("settings-repeat-the-new-password")}</label>
                    <input id="new_password_confirmation" name="new_password_confirmation" type="password"
                        required minlength=limits::PASSWORD_MIN_CHARS maxlength=limits::PASSWORD_MAX_CHARS
                        autocomplete="new-password"/>
                </div>
                <FormError error/>
                <Show when=done>
                    <p class="form-success" role="status">
                        {t("settings-password-changed-you-are-still-signed")}
                    </p>
                </Show>
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || change.pending().get()>
                        {t("settings-change-password")}
                    </button>
                </div>
            </ActionForm>
        </section>
    }
}

/// Whether the signed-in admin gets alert e-mails about connections that need attention.
#[component]
fn Alerts() -> impl IntoView {
    let save = ServerAction::<SetAlerts>::new();
    let current = Resource::new(move || save.version().get(), |_| get_alert_settings());
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    view! {
        <section class="card" aria-labelledby="alerts-heading">
            <h2 id="alerts-heading">{t("settings-alerts")}</h2>
            <p class="muted">
                {t_with("settings-alerts-intro", &[("failures", crate::types::limits::LINK_FAILURES_ALERT.into())])}
            </p>
            <Transition fallback=|| view! { <p>{t("settings-loading")}</p> }>
                {move || Suspend::new(async move {
                    match current.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(s) => view! {
                            {(!s.mail_configured).then(|| view! {
                                <p class="help">{t("settings-this-server-sends-no-e-mail")}</p>
                            })}
                            <ActionForm action=save attr:class="stack">
                                <div class="field checkbox">
                                    <input id="alerts-enabled" name="enabled" type="checkbox" value="true" checked=s.enabled/>
                                    <label for="alerts-enabled">{t("settings-e-mail-me-alerts")}</label>
                                </div>
                                <FormError error/>
                                <div class="actions">
                                    <button type="submit" class="button secondary" disabled=move || save.pending().get()>{t("settings-save")}</button>
                                </div>
                            </ActionForm>
                            <p class="help">
                                {if s.recipients.is_empty() {
                                    t("settings-alerts-nobody")
                                } else {
                                    t_with("settings-alerts-recipients", &[("recipients", s.recipients.join(", ").into())])
                                }}
                            </p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Create, list and revoke API keys.
#[component]
fn ApiKeys() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let keys = Resource::new(move || version.get(), |_| list_api_keys());
    let revoke = ServerAction::<RevokeApiKey>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = revoke.value().get() {
            version.update(|v| *v += 1);
        }
    });
    let name = RwSignal::new(String::new());
    let chosen = Choices::new(&API_SCOPES);
    let created = RwSignal::new(None::<Result<CreatedApiKey, AppError>>);
    let pending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let scopes: Vec<String> = chosen.checked();
        let key_name = name.get_untracked();
        pending.set(true);
        leptos::task::spawn_local(async move {
            let outcome = create_api_key(key_name, scopes).await;
            pending.set(false);
            if outcome.is_ok() {
                name.set(String::new());
                version.update(|v| *v += 1);
            }
            created.set(Some(outcome));
        });
    };
    view! {
        <section class="card" aria-labelledby="api-keys-heading">
            <h2 id="api-keys-heading">{t("settings-api-keys")}</h2>
            <p class="muted">
                {t("settings-your-backend-calls-the-rest-api")}<code>{t("settings-authorization-bearer-key")}</code>". "
                <a href="/api/docs">{t("settings-api-reference")}</a>" · "<a href="/api/v1/openapi.json">{t("settings-openapi-document")}</a>
            </p>
            <form class="stack" on:submit=submit>
                <div class="field">
                    <label for="api-key-name">{t("settings-name")}</label>
                    <input id="api-key-name" type="text" required maxlength="120" bind:value=name
                        placeholder=t("settings-e-g-production-backend")/>
                </div>
                <ChoiceList legend=t("settings-scopes") id_prefix="scope" choices=chosen/>
                <crate::components::form::OwnerOnlyNote message="settings-credentials-read-owner-only"/>
                {move || match created.get() {
                    Some(Ok(key)) => view! {
                        <ShownOnce testid="created-api-key" id="created-key"
                            label=t("settings-new-api-key-shown-only-now") value=key.key
                            help=t("settings-store-it-in-your-backend-s")/>
                    }.into_any(),
                    Some(Err(e)) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    None => ().into_any(),
                }}
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || pending.get()>{t("settings-create-api-key")}</button>
                </div>
            </form>
            <Transition fallback=|| view! { <p>{t("settings-loading")}</p> }>
                {move || Suspend::new(async move {
                    match keys.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="muted">{t("settings-no-api-keys-yet")}</p> }.into_any(),
                        Ok(list) => view! {
                            <div class="table-wrap">
                                <table class="table" data-testid="api-key-table">
                                    <thead>
                                        <tr>
                                            <th scope="col">{t("settings-name")}</th>
                                            <th scope="col">{t("settings-key")}</th>
                                            <th scope="col">{t("settings-scopes")}</th>
                                            <th scope="col">{t("settings-last-used")}</th>
                                            <th scope="col">{t("settings-status")}</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {list.into_iter().map(|k| view! {
                                            <tr>
                                                <td>{k.name.clone()}</td>
                                                <td><code>{format!("{}…", k.prefix)}</code></td>
                                                <td>{k.scopes.join(", ")}</td>
                                                <td>{k.last_used_at.map(format_time).unwrap_or_else(|| t("settings-never-used"))}</td>
                                                <td>
                                                    {match k.revoked_at {
                                                        Some(at) => view! { <span class="status none">{t_with("settings-key-revoked", &[("time", format_time(at).into())])}</span> }.into_any(),
                                                        None => view! {
                                                            <ActionForm action=revoke>
                                                                <input type="hidden" name="id" value=k.id.clone()/>
                                                                <button type="submit" class="button danger small"
                                                                    aria-label=t_with("settings-revoke-key", &[("key", k.name.clone().into())])>{t("settings-revoke")}</button>
                                                            </ActionForm>
                                                        }.into_any(),
                                                    }}
                                                </td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The origins a connect link's `callback_url` may point to.
#[component]
fn CallbackOrigins() -> impl IntoView {
    let add = ServerAction::<AddCallbackOrigin>::new();
    let remove = ServerAction::<RemoveCallbackOrigin>::new();
    let origins = Resource::new(
        move || (add.version().get(), remove.version().get()),
        |_| list_callback_origins(),
    );
    let add_error = Signal::derive(move || add.value().get().and_then(Result::err));
    view! {
        <section class="card" aria-labelledby="callback-origins-heading">
            <h2 id="callback-origins-heading">{t("settings-callback-origins")}</h2>
            <p class="muted">
                {t("settings-a-connect-link-s-callback-url")}
            </p>
            <ActionForm action=add attr:class="stack">
                <div class="field">
                    <label for="callback-origin">{t("settings-origin")}</label>
                    <input id="callback-origin" name="origin" type="text" required maxlength="300"
                        placeholder=t("settings-https-app-example-com")/>
                </div>
                <FormError error=add_error/>
                <div class="actions">
                    <button type="submit" class="button primary">{t("settings-allow-origin")}</button>
                </div>
            </ActionForm>
            <Transition fallback=|| view! { <p>{t("settings-loading")}</p> }>
                {move || Suspend::new(async move {
                    match origins.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="muted">{t("settings-no-callback-origins-allowed-yet")}</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="origin-list" data-testid="callback-origins">
                                {list.into_iter().map(|o| view! {
                                    <li>
                                        <code>{o.origin.clone()}</code>
                                        <ActionForm action=remove>
                                            <input type="hidden" name="id" value=o.id.clone()/>
                                            <button type="submit" class="button secondary small"
                                                aria-label=t_with("settings-remove-origin", &[("origin", o.origin.clone().into())])>{t("settings-remove")}</button>
                                        </ActionForm>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
