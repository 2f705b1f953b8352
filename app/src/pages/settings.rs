//! `/settings`: the signed-in account, its password and alert e-mails, branding, API keys,
//! allowed callback origins and webhooks.

use leptos::form::ActionForm;
use leptos::prelude::*;
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
                                </dl>
                            }
                        })
                })}
            </Transition>
        </section>
        <ChangePasswordForm/>
        <Alerts/>
        <crate::pages::branding::BrandingSettings/>
        <ApiKeys/>
        <CallbackOrigins/>
        <crate::pages::webhooks::WebhookEndpoints/>
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
            <h2 id="password-heading">"Password"</h2>
            <ActionForm action=change attr:class="stack">
                <div class="field">
                    <label for="current_password">"Current password"</label>
                    <input id="current_password" name="current_password" type="password" required
                        maxlength=limits::PASSWORD_MAX_CHARS autocomplete="current-password"/>
                </div>
                <div class="field">
                    <label for="new_password">"New password"</label>
                    <input id="new_password" name="new_password" type="password" required
                        minlength=limits::PASSWORD_MIN_CHARS maxlength=limits::PASSWORD_MAX_CHARS
                        autocomplete="new-password" aria-describedby="new_password-help"/>
                    <p class="help" id="new_password-help">
                        {format!("At least {} characters. Every other session of your account ends.", limits::PASSWORD_MIN_CHARS)}
                    </p>
                </div>
                <div class="field">
                    <label for="new_password_confirmation">"Repeat the new password"</label>
                    <input id="new_password_confirmation" name="new_password_confirmation" type="password"
                        required minlength=limits::PASSWORD_MIN_CHARS maxlength=limits::PASSWORD_MAX_CHARS
                        autocomplete="new-password"/>
                </div>
                <FormError error/>
                <Show when=done>
                    <p class="form-success" role="status">
                        "Password changed. You are still signed in here; your other sessions have ended."
                    </p>
                </Show>
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || change.pending().get()>
                        "Change password"
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
            <h2 id="alerts-heading">"Alerts"</h2>
            <p class="muted">
                {format!("An e-mail when a token refresh fails, a token that cannot be refreshed is about to expire, or connecting through a link fails {} times. When many come at once, the rest arrive as one daily digest.", crate::types::limits::LINK_FAILURES_ALERT)}
            </p>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match current.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(s) => view! {
                            {(!s.mail_configured).then(|| view! {
                                <p class="help">"This server sends no e-mail yet: set AUTHLINK_SMTP_URL and AUTHLINK_SMTP_FROM."</p>
                            })}
                            <ActionForm action=save attr:class="stack">
                                <div class="field checkbox">
                                    <input id="alerts-enabled" name="enabled" type="checkbox" value="true" checked=s.enabled/>
                                    <label for="alerts-enabled">"E-mail me alerts"</label>
                                </div>
                                <FormError error/>
                                <div class="actions">
                                    <button type="submit" class="button secondary" disabled=move || save.pending().get()>"Save"</button>
                                </div>
                            </ActionForm>
                            <p class="help">
                                {if s.recipients.is_empty() {
                                    "Nobody gets alerts.".to_owned()
                                } else {
                                    format!("Alerts go to: {}", s.recipients.join(", "))
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
            <h2 id="api-keys-heading">"API keys"</h2>
            <p class="muted">
                "Your backend calls the REST API with "<code>"Authorization: Bearer <key>"</code>". "
                <a href="/api/docs">"API reference"</a>" · "<a href="/api/v1/openapi.json">"OpenAPI document"</a>
            </p>
            <form class="stack" on:submit=submit>
                <div class="field">
                    <label for="api-key-name">"Name"</label>
                    <input id="api-key-name" type="text" required maxlength="120" bind:value=name
                        placeholder="e.g. Production backend"/>
                </div>
                <ChoiceList legend="Scopes" id_prefix="scope" choices=chosen/>
                {move || match created.get() {
                    Some(Ok(key)) => view! {
                        <ShownOnce testid="created-api-key" id="created-key"
                            label="New API key (shown only now)" value=key.key
                            help="Store it in your backend's secrets now; Authlink keeps only its hash."/>
                    }.into_any(),
                    Some(Err(e)) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    None => ().into_any(),
                }}
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || pending.get()>"Create API key"</button>
                </div>
            </form>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match keys.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="muted">"No API keys yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <div class="table-wrap">
                                <table class="table" data-testid="api-key-table">
                                    <thead>
                                        <tr>
                                            <th scope="col">"Name"</th>
                                            <th scope="col">"Key"</th>
                                            <th scope="col">"Scopes"</th>
                                            <th scope="col">"Last used"</th>
                                            <th scope="col">"Status"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {list.into_iter().map(|k| view! {
                                            <tr>
                                                <td>{k.name.clone()}</td>
                                                <td><code>{format!("{}…", k.prefix)}</code></td>
                                                <td>{k.scopes.join(", ")}</td>
                                                <td>{k.last_used_at.map(format_time).unwrap_or_else(|| "never".into())}</td>
                                                <td>
                                                    {match k.revoked_at {
                                                        Some(t) => view! { <span class="status none">{format!("Revoked {}", format_time(t))}</span> }.into_any(),
                                                        None => view! {
                                                            <ActionForm action=revoke>
                                                                <input type="hidden" name="id" value=k.id.clone()/>
                                                                <button type="submit" class="button danger small"
                                                                    aria-label=format!("Revoke {}", k.name)>"Revoke"</button>
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
            <h2 id="callback-origins-heading">"Callback origins"</h2>
            <p class="muted">
                "A connect link's callback URL must be on one of these origins, matched exactly: "
                "https origins, http://localhost or http://127.0.0.1 for development, or an app scheme such as myapp:."
            </p>
            <ActionForm action=add attr:class="stack">
                <div class="field">
                    <label for="callback-origin">"Origin"</label>
                    <input id="callback-origin" name="origin" type="text" required maxlength="300"
                        placeholder="https://app.example.com"/>
                </div>
                <FormError error=add_error/>
                <div class="actions">
                    <button type="submit" class="button primary">"Allow origin"</button>
                </div>
            </ActionForm>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match origins.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="muted">"No callback origins allowed yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="origin-list" data-testid="callback-origins">
                                {list.into_iter().map(|o| view! {
                                    <li>
                                        <code>{o.origin.clone()}</code>
                                        <ActionForm action=remove>
                                            <input type="hidden" name="id" value=o.id.clone()/>
                                            <button type="submit" class="button secondary small"
                                                aria-label=format!("Remove {}", o.origin)>"Remove"</button>
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
