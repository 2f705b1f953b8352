//! `/tenants/:id`: one tenant, its connectors with their status, Connect / Reconnect with the
//! Generate Customer Link popup, Disconnect, and the links issued.

use leptos::prelude::*;

use crate::i18n::dashboard::{t, t_with};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::links::{RevokeLink, generate_link};
use crate::api::tenants::{DeleteTenant, Disconnect, UpdateTenant, get_tenant_details};
use crate::components::copy::CopyButton;
use crate::components::form::FormError;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::text;
use crate::types::{
    ConnectionStatus, GeneratedLink, TenantConnector, TenantDetails, format_time, limits,
};

/// How often an open page checks for a change of status.
#[cfg(feature = "hydrate")]
const POLL_MS: u64 = 2500;

/// The Tenant Details page.
#[component]
pub fn TenantDetailsPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    // Bumped when something changed: after our own actions, or when polling sees a difference.
    let version = RwSignal::new(0u32);
    let details = Resource::new(
        move || (id(), version.get()),
        |(id, _)| get_tenant_details(id),
    );
    let dialog_for = RwSignal::new(None::<TenantConnector>);

    let revoke = ServerAction::<RevokeLink>::new();
    let disconnect = ServerAction::<Disconnect>::new();
    let update = ServerAction::<UpdateTenant>::new();
    let delete = ServerAction::<DeleteTenant>::new();
    Effect::new(move |_| {
        revoke.version().get();
        disconnect.version().get();
        update.version().get();
        version.update(|v| *v += 1);
    });
    poll_for_changes(id, details, version);

    let update_error = Signal::derive(move || update.value().get().and_then(Result::err));
    let delete_error = Signal::derive(move || delete.value().get().and_then(Result::err));
    let action_error = Signal::derive(move || {
        revoke
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| disconnect.value().get().and_then(Result::err))
    });

    view! {
        <Title text=t("tenant-details-tenant")/>
        <p class="breadcrumb"><a href="/tenants">{t("tenant-details-tenants")}</a></p>
        <Transition fallback=|| view! { <p>{t("tenant-details-loading")}</p> }>
            {move || Suspend::new(async move {
                match details.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(d) => {
                        let tenant = d.tenant.clone();
                        let (edit_id, delete_id) = (tenant.id.clone(), tenant.id.clone());
                        let (edit_name, edit_external) = (tenant.name.clone(), tenant.external_id.clone());
                        let confirm_label = t_with("tenant-details-yes-delete", &[("tenant", tenant.name.clone().into())]);
                        view! {
                            <Title text=tenant.name.clone()/>
                            <div class="page-head">
                                <h1>{tenant.name.clone()}</h1>
                                <p class="muted">{t("tenant-details-external-id")} <code>{tenant.external_id.clone()}</code></p>
                            </div>
                            <FormError error=action_error/>
                            <section aria-labelledby="connectors-heading">
                                <h2 id="connectors-heading">{t("tenant-details-connectors")}</h2>
                                {if d.connectors.is_empty() {
                                    view! {
                                        <p class="empty-state">
                                            {t("tenant-details-no-connector-is-enabled-yet")}
                                            <a href="/connectors/new">{t("tenant-details-add-a-connector")}</a>
                                            {t("tenant-details-first")}
                                        </p>
                                    }.into_any()
                                } else {
                                    view! {
                                        <ul class="connector-list">
                                            {d.connectors.into_iter().map(|c| view! {
                                                <ConnectorStatus tenant_id=tenant.id.clone() connector=c
                                                    dialog_for revoke disconnect/>
                                            }).collect_view()}
                                        </ul>
                                    }.into_any()
                                }}
                            </section>
                            <section class="card" aria-labelledby="tenant-edit-heading">
                                <h2 id="tenant-edit-heading">{t("tenant-details-tenant")}</h2>
                                <ActionForm action=update attr:class="stack">
                                    <input type="hidden" name="id" value=edit_id.clone()/>
                                    <div class="field">
                                        <label for="edit-name">{t("tenant-details-name")}</label>
                                        <input id="edit-name" name="name" type="text" required
                                            maxlength=limits::TENANT_NAME_MAX_CHARS value=edit_name.clone()/>
                                    </div>
                                    <div class="field">
                                        <label for="edit-external-id">{t("tenant-details-external-id-2")}</label>
                                        <input id="edit-external-id" name="external_id" type="text" required
                                            maxlength=limits::EXTERNAL_ID_MAX_CHARS value=edit_external.clone()/>
                                    </div>
                                    <FormError error=update_error/>
                                    <button type="submit" class="button secondary">{t("tenant-details-save-changes")}</button>
                                </ActionForm>
                            </section>
                            <section class="card danger-zone" aria-labelledby="tenant-delete-heading">
                                <h2 id="tenant-delete-heading">{t("tenant-details-delete-tenant")}</h2>
                                <p>{t("tenant-details-deletes-the-tenant-with-its-connections")}</p>
                                <ActionForm action=delete attr:class="stack">
                                    <input type="hidden" name="id" value=delete_id.clone()/>
                                    <div class="field checkbox">
                                        <input id="confirm-delete" type="checkbox" required/>
                                        <label for="confirm-delete">{confirm_label.clone()}</label>
                                    </div>
                                    <FormError error=delete_error/>
                                    <button type="submit" class="button danger">{t("tenant-details-delete-tenant")}</button>
                                </ActionForm>
                            </section>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
        <ConnectDialog tenant_id=Signal::derive(id) connector=dialog_for on_generated=move || version.update(|v| *v += 1)/>
    }
}

/// In the browser: checks every few seconds whether anything changed and, if so, refreshes the
/// page's data (a connection completed elsewhere shows its green check without a reload).
#[allow(unused_variables)]
fn poll_for_changes(
    id: impl Fn() -> String + Copy + Send + Sync + 'static,
    details: Resource<Result<TenantDetails, AppError>>,
    version: RwSignal<u32>,
) {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || {
                let current = details.get_untracked();
                let tenant = id();
                leptos::task::spawn_local(async move {
                    if let Ok(fresh) = get_tenant_details(tenant).await
                        && current.and_then(Result::ok).as_ref() != Some(&fresh)
                    {
                        version.update(|v| *v += 1);
                    }
                });
            },
            std::time::Duration::from_millis(POLL_MS),
        )
        .ok();
        on_cleanup(move || {
            if let Some(h) = handle {
                h.clear();
            }
        });
    });
}

#[component]
fn ConnectorStatus(
    tenant_id: String,
    connector: TenantConnector,
    dialog_for: RwSignal<Option<TenantConnector>>,
    revoke: ServerAction<RevokeLink>,
    disconnect: ServerAction<Disconnect>,
) -> impl IntoView {
    let c = connector.clone();
    let heading_id = format!("connector-{}", c.connector_id);
    let badge_class = format!("status {}", c.status.as_str());
    let badge = match c.status {
        ConnectionStatus::Connected => t("tenant-details-badge-connected"),
        other => t(other.message_id()),
    };
    let connected = || match (c.connected_at, c.account_label.as_ref()) {
        (Some(at), Some(account)) => t_with(
            "tenant-details-connected-at-as",
            &[
                ("time", format_time(at).into()),
                ("account", account.clone().into()),
            ],
        ),
        (Some(at), None) => t_with(
            "tenant-details-connected-at",
            &[("time", format_time(at).into())],
        ),
        (None, Some(account)) => t_with(
            "tenant-details-connected-as",
            &[("account", account.clone().into())],
        ),
        (None, None) => String::new(),
    };
    let detail = match c.status {
        ConnectionStatus::Connected => Some(connected()),
        ConnectionStatus::ExpiresSoon => Some(t_with(
            "tenant-details-expires-soon",
            &[
                ("connected", connected().into()),
                (
                    "expires",
                    c.expires_at.map(format_time).unwrap_or_default().into(),
                ),
            ],
        )),
        ConnectionStatus::NeedsReauth => Some(t_with(
            "tenant-details-needs-reauth",
            &[(
                "reason",
                c.last_error
                    .as_deref()
                    .map(text::stored_failure)
                    .unwrap_or_else(|| t("tenant-details-token-expired"))
                    .into(),
            )],
        )),
        ConnectionStatus::Error => c.last_error.as_deref().map(text::stored_failure),
        ConnectionStatus::Disconnected => Some(t("tenant-details-disconnected-detail")),
        ConnectionStatus::NotConnected => None,
        ConnectionStatus::PendingConfirmation => Some(t("tenant-details-pending-detail")),
    };
    let has_credentials = c.has_connection
        && !matches!(
            c.status,
            ConnectionStatus::Disconnected | ConnectionStatus::PendingConfirmation
        );
    let button = t(if c.has_connection {
        "tenant-details-reconnect"
    } else {
        "tenant-details-connect"
    });
    let open = {
        let c = connector.clone();
        move |_| dialog_for.set(Some(c.clone()))
    };
    let confirm_id = format!("confirm-disconnect-{}", c.connector_id);
    view! {
        <li class="card connector" data-testid=format!("connector-{}", c.name)>
            <div class="connector-head">
                <h3 id=heading_id.clone()>{c.name.clone()}</h3>
                <span class=badge_class data-testid="connection-status">{badge}</span>
            </div>
            <p class="muted">{format!("{} · {}", c.provider_name, t(c.auth.message_id()))}</p>
            {detail.map(|d| view! { <p class="status-detail" data-testid="status-detail">{d}</p> })}
            <div class="actions">
                <button type="button" class="button primary" on:click=open
                    aria-describedby=heading_id>{button}</button>
                {has_credentials.then(|| view! {
                    <details class="inline-confirm">
                        <summary class="button secondary">{t("tenant-details-disconnect")}</summary>
                        <ActionForm action=disconnect attr:class="stack">
                            <input type="hidden" name="tenant_id" value=tenant_id.clone()/>
                            <input type="hidden" name="connector_id" value=c.connector_id.clone()/>
                            <p>{t("tenant-details-the-token-is-revoked-at-the")}</p>
                            <div class="field checkbox">
                                <input id=confirm_id.clone() type="checkbox" required/>
                                <label for=confirm_id.clone()>{t("tenant-details-yes-disconnect")}</label>
                            </div>
                            <button type="submit" class="button danger">{t("tenant-details-disconnect")}</button>
                        </ActionForm>
                    </details>
                })}
            </div>
            {(!c.links.is_empty()).then(|| view! {
                <details class="links">
                    <summary>{t_with("tenant-details-links-count", &[("count", c.links.len().into())])}</summary>
                    <div class="table-wrap">
                        <table class="table">
                            <thead>
                                <tr>
                                    <th scope="col">{t("tenant-details-created")}</th>
                                    <th scope="col">{t("tenant-details-for")}</th>
                                    <th scope="col">{t("tenant-details-status")}</th>
                                    <th scope="col">{t("tenant-details-expires")}</th>
                                    <th scope="col"><span class="visually-hidden">{t("tenant-details-actions")}</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {c.links.into_iter().map(|l| {
                                    let revocable = matches!(l.status, crate::types::LinkStatus::Active | crate::types::LinkStatus::Opened)
                                        || (!l.single_use && l.status == crate::types::LinkStatus::Completed);
                                    view! {
                                        <tr>
                                            <td>{format_time(l.created_at)}</td>
                                            <td>{l.note.unwrap_or_default()}</td>
                                            <td><span class=format!("link-status {}", l.status.label())>{t(l.status.message_id())}</span></td>
                                            <td>{format_time(l.expires_at)}</td>
                                            <td>{revocable.then(|| view! {
                                                <ActionForm action=revoke>
                                                    <input type="hidden" name="id" value=l.id.clone()/>
                                                    <button type="submit" class="button secondary small">{t("tenant-details-revoke")}</button>
                                                </ActionForm>
                                            })}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                </details>
            })}
        </li>
    }
}

/// Link lifetimes offered, in minutes, with the message that names each.
const EXPIRY_CHOICES: [(i64, &str); 7] = [
    (5, "tenant-details-expiry-5-minutes"),
    (60, "tenant-details-expiry-1-hour"),
    (24 * 60, "tenant-details-expiry-1-day"),
    (3 * 24 * 60, "tenant-details-expiry-3-days"),
    (limits::LINK_DEFAULT_MINUTES, "tenant-details-expiry-7-days"),
    (14 * 24 * 60, "tenant-details-expiry-14-days"),
    (limits::LINK_MAX_MINUTES, "tenant-details-expiry-30-days"),
];

/// The Connect popup: link options and Generate Customer Link.
#[component]
fn ConnectDialog(
    #[prop(into)] tenant_id: Signal<String>,
    connector: RwSignal<Option<TenantConnector>>,
    on_generated: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let expiry = RwSignal::new(limits::LINK_DEFAULT_MINUTES.to_string());
    let single_use = RwSignal::new(true);
    let allow_account_change = RwSignal::new(false);
    let note = RwSignal::new(String::new());
    let email_to = RwSignal::new(String::new());
    let email_locale = RwSignal::new(Locale::En.tag().to_owned());
    let email_message = RwSignal::new(String::new());
    let presets = RwSignal::new(Vec::<(String, RwSignal<String>)>::new());
    let result = RwSignal::new(None::<Result<GeneratedLink, AppError>>);
    let pending = RwSignal::new(false);

    Effect::new(move |_| {
        let current = connector.get();
        if let Some(c) = &current {
            expiry.set(limits::LINK_DEFAULT_MINUTES.to_string());
            single_use.set(true);
            allow_account_change.set(false);
            note.set(String::new());
            email_to.set(String::new());
            email_locale.set(Locale::En.tag().to_owned());
            email_message.set(String::new());
            result.set(None);
            presets.set(
                c.preset_fields
                    .iter()
                    .map(|f| (f.name.clone(), RwSignal::new(String::new())))
                    .collect(),
            );
        }
        show_dialog(dialog, current.is_some());
    });

    let generate = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(c) = connector.get_untracked() else {
            return;
        };
        let minutes = expiry
            .get_untracked()
            .parse()
            .unwrap_or(limits::LINK_DEFAULT_MINUTES);
        let values: Vec<(String, String)> = presets
            .get_untracked()
            .iter()
            .map(|(k, v)| (k.clone(), v.get_untracked()))
            .filter(|(_, v)| !v.trim().is_empty())
            .collect();
        let tenant = tenant_id.get_untracked();
        // Once a link is shown, generating again is Regenerate: only the new link works.
        let regenerate = matches!(result.get_untracked(), Some(Ok(_)));
        pending.set(true);
        leptos::task::spawn_local(async move {
            let outcome = generate_link(
                tenant,
                c.connector_id,
                minutes,
                single_use.get_untracked(),
                note.get_untracked(),
                values,
                allow_account_change.get_untracked(),
                regenerate,
                email_to.get_untracked(),
                email_locale.get_untracked(),
                email_message.get_untracked(),
            )
            .await;
            pending.set(false);
            if outcome.is_ok() {
                on_generated();
            }
            result.set(Some(outcome));
        });
    };
    let close = move |_| connector.set(None);

    view! {
        <dialog node_ref=dialog class="dialog" aria-labelledby="connect-dialog-title"
            on:close=move |_| connector.set(None)>
            <form class="stack" on:submit=generate>
                <h2 id="connect-dialog-title">
                    {move || connector.get().map(|c| t_with("tenant-details-connect-heading", &[("connector", c.name.into())])).unwrap_or_default()}
                </h2>
                <p class="muted">{t("tenant-details-generate-a-link-and-send-it")}</p>
                <div class="field">
                    <label for="link-expiry">{t("tenant-details-link-expires-after")}</label>
                    <select id="link-expiry" on:change=move |ev| expiry.set(event_target_value(&ev))>
                        {EXPIRY_CHOICES.iter().map(|(minutes, label)| view! {
                            <option value=minutes.to_string() selected=move || expiry.get() == minutes.to_string()>{t(label)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field checkbox">
                    <input id="link-single-use" type="checkbox" bind:checked=single_use/>
                    <label for="link-single-use">{t("tenant-details-single-use-the-link-stops-working")}</label>
                </div>
                {move || connector.get().and_then(|c| c.pinned_account).map(|account| view! {
                    <div class="field checkbox">
                        <input id="link-account-change" type="checkbox" bind:checked=allow_account_change
                            aria-describedby="link-account-change-help"/>
                        <label for="link-account-change">{t("tenant-details-allow-connecting-a-different-account")}</label>
                        <p class="help" id="link-account-change-help">
                            {t_with("tenant-details-pinned-account", &[("account", account.clone().into())])}
                        </p>
                    </div>
                })}
                <div class="field">
                    <label for="link-note">{t("tenant-details-recipient-optional")}</label>
                    <input id="link-note" type="text" maxlength=limits::LINK_NOTE_MAX_CHARS bind:value=note
                        placeholder=t("tenant-details-e-g-jane-customer-com")/>
                </div>
                {move || connector.get().is_some_and(|c| c.email_links).then(|| view! {
                    <EmailOptions to=email_to locale=email_locale message=email_message/>
                })}
                <For each=move || {
                    let fields = connector.get().map(|c| c.preset_fields).unwrap_or_default();
                    presets.get().into_iter().zip(fields).collect::<Vec<_>>()
                } key=|((name, _), _)| name.clone() let:item>
                    {
                        let ((name, value), field) = item;
                        let input_id = format!("preset-{name}");
                        view! {
                            <div class="field">
                                <label for=input_id.clone()>{t_with("tenant-details-optional-preset", &[("field", field.label.clone().into())])}</label>
                                {if field.options.is_empty() {
                                    view! {
                                        <input id=input_id type="text" bind:value=value placeholder=field.default.clone().unwrap_or_default()/>
                                    }.into_any()
                                } else {
                                    view! {
                                        <select id=input_id on:change=move |ev| value.set(event_target_value(&ev))>
                                            <option value="" selected=move || value.get().is_empty()>{t("tenant-details-the-customer-chooses")}</option>
                                            {field.options.iter().map(|o| {
                                                let choice = o.value.clone();
                                                view! {
                                                    <option value=o.value.clone() selected=move || value.get() == choice>{o.label.clone()}</option>
                                                }
                                            }).collect_view()}
                                        </select>
                                    }.into_any()
                                }}
                                {field.help.map(|h| view! { <p class="help">{h}</p> })}
                            </div>
                        }
                    }
                </For>
                {move || match result.get() {
                    Some(Ok(link)) => view! {
                        <div class="generated" data-testid="generated-link">
                            <label for="generated-url">{t("tenant-details-customer-link")}</label>
                            <input id="generated-url" type="text" readonly value=link.url.clone()/>
                            <CopyButton text=Signal::derive(move || link.url.clone())/>
                            <p class="help">{t_with("tenant-details-link-valid-until", &[("time", format_time(link.expires_at).into())])}</p>
                            {link.emailed_to.clone().map(|to| view! {
                                <p class="help" role="status">{t_with("tenant-details-link-emailed", &[("to", to.clone().into())])}</p>
                            })}
                        </div>
                    }.into_any(),
                    Some(Err(e)) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    None => ().into_any(),
                }}
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || pending.get()>
                        {move || t(if matches!(result.get(), Some(Ok(_))) { "tenant-details-regenerate" } else { "tenant-details-generate" })}
                    </button>
                    <button type="button" class="button secondary" on:click=close>{t("tenant-details-close")}</button>
                </div>
            </form>
        </dialog>
    }
}

/// The popup's e-mail part: where to send the link, in which language, with what note.
#[component]
fn EmailOptions(
    to: RwSignal<String>,
    locale: RwSignal<String>,
    message: RwSignal<String>,
) -> impl IntoView {
    view! {
        <fieldset class="stack email-options">
            <legend>{t("tenant-details-send-by-e-mail-optional")}</legend>
            <div class="field">
                <label for="link-email-to">{t("tenant-details-customer-s-e-mail-address")}</label>
                <input id="link-email-to" type="email" autocomplete="off" maxlength=limits::EMAIL_MAX_CHARS bind:value=to
                    placeholder=t("tenant-details-jane-customer-com")/>
            </div>
            <div class="field">
                <label for="link-email-locale">{t("tenant-details-language-of-the-e-mail-and")}</label>
                <select id="link-email-locale" on:change=move |ev| locale.set(event_target_value(&ev))>
                    {Locale::ALL.into_iter().map(|l| view! {
                        <option value=l.tag() selected=move || locale.get() == l.tag()>{l.native_name()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="link-email-message">{t("tenant-details-your-message-optional")}</label>
                <textarea id="link-email-message" rows="3" maxlength=limits::EMAIL_MESSAGE_MAX_CHARS bind:value=message></textarea>
            </div>
        </fieldset>
    }
}

#[cfg(feature = "hydrate")]
fn show_dialog(dialog: NodeRef<leptos::html::Dialog>, open: bool) {
    if let Some(el) = dialog.get() {
        if open && !el.open() {
            let _ = el.show_modal();
        } else if !open && el.open() {
            el.close();
        }
    }
}

#[cfg(not(feature = "hydrate"))]
fn show_dialog(_dialog: NodeRef<leptos::html::Dialog>, _open: bool) {}
