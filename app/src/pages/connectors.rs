//! `/connectors`, `/connectors/new` and `/connectors/:id`: configured integrations, the catalog
//! picker and the connector form.

use leptos::prelude::*;

use crate::i18n::dashboard::{t, t_with};
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api::connectors::{
    DeleteConnector, SaveConnector, SetConnectorEnabled, get_connector, list_connectors,
    list_providers, redirect_uri,
};
use crate::components::copy::CopyButton;
use crate::components::form::FormError;
use crate::types::{AuthMode, ConnectorInfo, ProviderInfo, limits};

/// The Connectors list.
#[component]
pub fn ConnectorsPage() -> impl IntoView {
    let toggle = ServerAction::<SetConnectorEnabled>::new();
    let connectors = Resource::new(move || toggle.version().get(), |_| list_connectors());
    let toggle_error = Signal::derive(move || toggle.value().get().and_then(Result::err));
    view! {
        <Title text=t("connectors-connectors")/>
        <div class="page-head">
            <h1>{t("connectors-connectors")}</h1>
            <a class="button primary" href="/connectors/new">{t("connectors-add-connector")}</a>
        </div>
        <FormError error=toggle_error/>
        <Transition fallback=|| view! { <p>{t("connectors-loading")}</p> }>
            {move || Suspend::new(async move {
                match connectors.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <section class="empty-state" aria-labelledby="connectors-empty">
                            <h2 id="connectors-empty">{t("connectors-no-connectors-yet")}</h2>
                            <p>{t("connectors-a-connector-is-an-integration-your")}</p>
                        </section>
                    }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap">
                            <table class="table" data-testid="connector-table">
                                <thead>
                                    <tr>
                                        <th scope="col">{t("connectors-name")}</th>
                                        <th scope="col">{t("connectors-provider")}</th>
                                        <th scope="col">{t("connectors-key")}</th>
                                        <th scope="col">{t("connectors-connected-tenants")}</th>
                                        <th scope="col">{t("connectors-status")}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {list.into_iter().map(|c| {
                                        let enabled = c.enabled;
                                        view! {
                                            <tr>
                                                <td><a href=format!("/connectors/{}", c.id)>{c.name}</a></td>
                                                <td>{format!("{} · {}", c.provider_name, t(c.auth.message_id()))}</td>
                                                <td><code>{c.key}</code></td>
                                                <td>{c.connection_count}</td>
                                                <td>
                                                    <ActionForm action=toggle>
                                                        <input type="hidden" name="id" value=c.id.clone()/>
                                                        <input type="hidden" name="enabled" value=(!enabled).to_string()/>
                                                        <span class=if enabled { "status connected" } else { "status none" }>
                                                            {t(if enabled { "connectors-enabled" } else { "connectors-disabled" })}
                                                        </span>
                                                        " "
                                                        <button type="submit" class="button secondary small">
                                                            {t(if enabled { "connectors-disable" } else { "connectors-enable" })}
                                                        </button>
                                                    </ActionForm>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// `/connectors/new`: pick a provider from the catalog, then fill in the form.
#[component]
pub fn NewConnectorPage() -> impl IntoView {
    let providers = Resource::new(|| (), |_| list_providers());
    let search = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let chosen = RwSignal::new(None::<ProviderInfo>);
    view! {
        <Title text=t("connectors-add-connector")/>
        <p class="breadcrumb"><a href="/connectors">{t("connectors-connectors-2")}</a></p>
        <h1>{t("connectors-add-connector")}</h1>
        <Transition fallback=|| view! { <p>{t("connectors-loading")}</p> }>
            {move || Suspend::new(async move {
                let all = match providers.await {
                    Ok(all) => all,
                    Err(e) => return view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                };
                let mut categories: Vec<String> = all.iter().map(|p| p.category.clone()).collect();
                categories.sort();
                categories.dedup();
                let all = StoredValue::new(all);
                view! {
                    <Show when=move || chosen.get().is_none()
                        fallback=move || view! {
                            <button type="button" class="button secondary" on:click=move |_| chosen.set(None)>
                                {t("connectors-choose-another-provider")}
                            </button>
                            {move || chosen.get().map(|p| view! { <ConnectorForm provider=p existing=None/> })}
                        }>
                        <div class="toolbar" role="search">
                            <div class="field inline">
                                <label for="provider-search">{t("connectors-search-providers")}</label>
                                <input id="provider-search" type="search" bind:value=search placeholder=t("connectors-e-g-slack")/>
                            </div>
                            <div class="field inline">
                                <label for="provider-category">{t("connectors-category")}</label>
                                <select id="provider-category" on:change=move |ev| category.set(event_target_value(&ev))>
                                    <option value="">{t("connectors-all-categories")}</option>
                                    {categories.clone().into_iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
                                </select>
                            </div>
                        </div>
                        <ul class="provider-grid" aria-label=t("connectors-providers")>
                            {move || {
                                let q = search.get().to_lowercase();
                                let cat = category.get();
                                all.get_value()
                                    .into_iter()
                                    .filter(|p| q.is_empty() || p.name.to_lowercase().contains(&q) || p.id.contains(&q))
                                    .filter(|p| cat.is_empty() || p.category == cat)
                                    .map(|p| {
                                        let pick = p.clone();
                                        view! {
                                            <li>
                                                <button type="button" class="provider" on:click=move |_| chosen.set(Some(pick.clone()))>
                                                    <span class="provider-name">{p.name.clone()}</span>
                                                    <span class="muted">{format!("{} · {}", p.category, t(p.auth.message_id()))}</span>
                                                </button>
                                            </li>
                                        }
                                    })
                                    .collect_view()
                            }}
                        </ul>
                    </Show>
                }.into_any()
            })}
        </Transition>
    }
}

/// `/connectors/:id`: edit, enable / disable, delete.
#[component]
pub fn EditConnectorPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let data = Resource::new(id, get_connector);
    let delete = ServerAction::<DeleteConnector>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            navigate("/connectors", Default::default());
        }
    });
    let delete_error = Signal::derive(move || delete.value().get().and_then(Result::err));
    view! {
        <Title text=t("connectors-connector")/>
        <p class="breadcrumb"><a href="/connectors">{t("connectors-connectors-2")}</a></p>
        <Transition fallback=|| view! { <p>{t("connectors-loading")}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok((connector, provider)) => {
                        let count = connector.connection_count;
                        let cid = connector.id.clone();
                        view! {
                            <h1>{connector.name.clone()}</h1>
                            <ConnectorForm provider existing=Some(connector)/>
                            <section class="card danger-zone" aria-labelledby="connector-delete-heading">
                                <h2 id="connector-delete-heading">{t("connectors-delete-connector")}</h2>
                                <ActionForm action=delete attr:class="stack">
                                    <input type="hidden" name="id" value=cid/>
                                    {if count > 0 {
                                        view! {
                                            <p>{t_with("connectors-delete-warning", &[("count", count.into())])}</p>
                                            <div class="field checkbox">
                                                <input id="delete-connections" name="delete_connections" value="true" type="checkbox" required/>
                                                <label for="delete-connections">{t("connectors-yes-delete-the-connector-and-its")}</label>
                                            </div>
                                        }.into_any()
                                    } else {
                                        view! {
                                            <p>{t("connectors-no-tenant-is-connected-through-this")}</p>
                                            <input type="hidden" name="delete_connections" value="false"/>
                                        }.into_any()
                                    }}
                                    <FormError error=delete_error/>
                                    <button type="submit" class="button danger">{t("connectors-delete-connector")}</button>
                                </ActionForm>
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// The create / edit form for one provider.
#[component]
fn ConnectorForm(provider: ProviderInfo, existing: Option<ConnectorInfo>) -> impl IntoView {
    let save = ServerAction::<SaveConnector>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            navigate("/connectors", Default::default());
        }
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let redirect = Resource::new(|| (), |_| redirect_uri());
    let oauth = provider.auth == AuthMode::OAuth2;
    let generic = provider.generic;
    let e = existing.clone();
    let options = e.as_ref().map(|c| c.options.clone()).unwrap_or_default();
    let scopes_placeholder = provider.default_scopes.join(" ");
    let extra = options
        .authorization_params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("\n");
    let has_secret = e.as_ref().is_some_and(|c| c.has_client_secret);
    view! {
        <section class="card" aria-labelledby="connector-form-heading">
            <h2 id="connector-form-heading">{format!("{} connector", provider.name)}</h2>
            <p class="muted">
                {format!("{} · {} · ", provider.category, t(provider.auth.message_id()))}
                <a href=provider.docs.clone() target="_blank" rel="noopener noreferrer">{t("connectors-provider-documentation")}</a>
            </p>
            <ActionForm action=save attr:class="stack">
                <input type="hidden" name="id" value=e.as_ref().map(|c| c.id.clone()).unwrap_or_default()/>
                <input type="hidden" name="provider" value=provider.id.clone()/>
                <div class="field">
                    <label for="connector-name">{t("connectors-name")}</label>
                    <input id="connector-name" name="name" type="text" required maxlength=limits::CONNECTOR_NAME_MAX_CHARS
                        value=e.as_ref().map(|c| c.name.clone()).unwrap_or_else(|| provider.name.clone())/>
                </div>
                <div class="field">
                    <label for="connector-key">{t("connectors-key")}</label>
                    <input id="connector-key" name="key" type="text" maxlength="64" pattern="[a-z0-9_\\-]*"
                        value=e.as_ref().map(|c| c.key.clone()).unwrap_or_default() aria-describedby="connector-key-help"/>
                    <p class="help" id="connector-key-help">{t("connectors-used-in-the-api-and-webhooks")}</p>
                </div>
                {oauth.then(|| view! {
                    <div class="field">
                        <p class="label">{t("connectors-redirect-uri-to-register-at-the")}</p>
                        <Suspense fallback=|| ()>
                            {move || Suspend::new(async move {
                                let uri = redirect.await.unwrap_or_default();
                                let copy = uri.clone();
                                view! {
                                    <p class="copy-row"><code data-testid="redirect-uri">{uri}</code>
                                    <CopyButton text=Signal::derive(move || copy.clone())/></p>
                                }
                            })}
                        </Suspense>
                    </div>
                    <div class="field">
                        <label for="connector-client-id">{t("connectors-oauth-client-id")}</label>
                        <input id="connector-client-id" name="client_id" type="text" required maxlength="512"
                            value=e.as_ref().and_then(|c| c.client_id.clone()).unwrap_or_default() autocomplete="off"/>
                    </div>
                    <div class="field">
                        <label for="connector-client-secret">{t("connectors-oauth-client-secret")}</label>
                        <input id="connector-client-secret" name="client_secret" type="password" maxlength="2048"
                            required=!has_secret autocomplete="off" aria-describedby="connector-client-secret-help"/>
                        <p class="help" id="connector-client-secret-help">
                            {t(if has_secret { "connectors-secret-kept" } else { "connectors-secret-new" })}
                        </p>
                    </div>
                    <div class="field">
                        <label for="connector-scopes">{t("connectors-scopes")}</label>
                        <input id="connector-scopes" name="scopes" type="text" maxlength="4000"
                            value=e.as_ref().map(|c| c.scopes.join(" ")).unwrap_or_default()
                            placeholder=scopes_placeholder aria-describedby="connector-scopes-help"/>
                        <p class="help" id="connector-scopes-help">{t("connectors-separated-by-spaces-empty-uses-the")}</p>
                    </div>
                    <div class="field">
                        <label for="connector-extra">{t("connectors-extra-authorization-parameters")}</label>
                        <textarea id="connector-extra" name="extra_params" rows="2" aria-describedby="connector-extra-help">{extra}</textarea>
                        <p class="help" id="connector-extra-help">{t("connectors-one-per-line-as-name-value")}</p>
                    </div>
                })}
                {(generic && oauth).then(|| view! {
                    <div class="field">
                        <label for="connector-authorization-url">{t("connectors-authorization-url")}</label>
                        <input id="connector-authorization-url" name="authorization_url" type="url" required
                            value=options.authorization_url.clone().unwrap_or_default()/>
                    </div>
                    <div class="field">
                        <label for="connector-token-url">{t("connectors-token-url")}</label>
                        <input id="connector-token-url" name="token_url" type="url" required
                            value=options.token_url.clone().unwrap_or_default()/>
                    </div>
                    <div class="field">
                        <label for="connector-revocation-url">{t("connectors-revocation-url-optional")}</label>
                        <input id="connector-revocation-url" name="revocation_url" type="url"
                            value=options.revocation_url.clone().unwrap_or_default() aria-describedby="connector-revocation-help"/>
                        <p class="help" id="connector-revocation-help">{t("connectors-rfc-7009-endpoint-the-token-is")}</p>
                    </div>
                    <div class="field checkbox">
                        <input id="connector-token-basic" name="token_auth_basic" type="checkbox" checked=options.token_auth_basic/>
                        <label for="connector-token-basic">{t("connectors-send-the-client-credentials-with-http")}</label>
                    </div>
                })}
                {generic.then(|| view! {
                    <div class="field">
                        <label for="connector-verify-url">{t("connectors-verification-url-optional")}</label>
                        <input id="connector-verify-url" name="verify_url" type="url"
                            value=options.verify_url.clone().unwrap_or_default() aria-describedby="connector-verify-help"/>
                        <p class="help" id="connector-verify-help">{t("connectors-must-answer-2xx-with-the-new")}</p>
                    </div>
                    <div class="field">
                        <label for="connector-identity-url">{t("connectors-identity-url-optional")}</label>
                        <input id="connector-identity-url" name="identity_url" type="url"
                            value=options.identity_url.clone().unwrap_or_default()/>
                    </div>
                    <div class="field">
                        <label for="connector-identity-pointer">{t("connectors-account-name-in-the-identity-response")}</label>
                        <input id="connector-identity-pointer" name="identity_pointer" type="text" placeholder=t("connectors-email")
                            value=options.identity_pointer.clone().unwrap_or_default()/>
                    </div>
                })}
                {(generic && provider.auth == AuthMode::ApiKey).then(|| view! {
                    <div class="field">
                        <label for="connector-header-name">{t("connectors-header-carrying-the-key")}</label>
                        <input id="connector-header-name" name="header_name" type="text" placeholder=t("connectors-authorization")
                            value=options.header_name.clone().unwrap_or_default()/>
                    </div>
                    <div class="field">
                        <label for="connector-header-prefix">{t("connectors-text-before-the-key")}</label>
                        <input id="connector-header-prefix" name="header_prefix" type="text" placeholder=t("connectors-bearer")
                            value=options.header_prefix.clone().unwrap_or_default()/>
                    </div>
                })}
                <FormError error/>
                <button type="submit" class="button primary" disabled=move || save.pending().get()>
                    {t(if existing.is_some() { "connectors-save" } else { "connectors-create" })}
                </button>
            </ActionForm>
        </section>
    }
}
