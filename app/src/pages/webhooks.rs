//! Settings → Webhooks: the endpoint list and form (a section of `/settings`), and
//! `/settings/webhooks/:id` with the endpoint's deliveries, every attempt, and replays.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::i18n::dashboard::{t, t_with};
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api::webhooks::{
    DeleteWebhookEndpoint, ReplayWebhookDelivery, SetWebhookEnabled, create_webhook_endpoint,
    get_webhook_endpoint, list_webhook_endpoints,
};
use crate::components::form::{ChoiceList, Choices, FormError, ShownOnce};
use crate::error::AppError;
use crate::types::{
    CreatedWebhookEndpoint, EVENT_TYPES, WebhookDeliveryInfo, WebhookEndpointInfo, format_time,
};

fn events_label(types: &[String]) -> String {
    if types.is_empty() {
        t("webhooks-all-events")
    } else {
        types.join(", ")
    }
}

/// The Webhooks section of Settings: add an endpoint (its secret shown once) and list them.
#[component]
pub fn WebhookEndpoints() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let endpoints = Resource::new(move || version.get(), |_| list_webhook_endpoints());
    let url = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let chosen = Choices::new(&EVENT_TYPES);
    let created = RwSignal::new(None::<Result<CreatedWebhookEndpoint, AppError>>);
    let pending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let types: Vec<String> = chosen.checked();
        let (endpoint_url, note) = (url.get_untracked(), description.get_untracked());
        pending.set(true);
        leptos::task::spawn_local(async move {
            let outcome =
                create_webhook_endpoint(endpoint_url, Some(note).filter(|n| !n.is_empty()), types)
                    .await;
            pending.set(false);
            if outcome.is_ok() {
                url.set(String::new());
                description.set(String::new());
                version.update(|v| *v += 1);
            }
            created.set(Some(outcome));
        });
    };
    view! {
        <section class="card" aria-labelledby="webhooks-heading">
            <h2 id="webhooks-heading">{t("webhooks-webhooks")}</h2>
            <p class="muted">
                {t("webhooks-authlink-posts-signed-events-standard-we")}
            </p>
            <crate::components::form::OwnerOnlyNote message="webhooks-owner-only"/>
            <form class="stack" on:submit=submit>
                <div class="field">
                    <label for="webhook-url">{t("webhooks-endpoint-url")}</label>
                    <input id="webhook-url" type="url" required maxlength="2000" bind:value=url
                        placeholder=t("webhooks-https-api-example-com-authlink-events")/>
                </div>
                <div class="field">
                    <label for="webhook-description">{t("webhooks-description-optional")}</label>
                    <input id="webhook-description" type="text" maxlength="200" bind:value=description/>
                </div>
                <ChoiceList legend=t("webhooks-events-none-chosen-all-events") id_prefix="event" choices=chosen/>
                {move || match created.get() {
                    Some(Ok(endpoint)) => view! {
                        <ShownOnce testid="created-webhook-secret" id="created-secret"
                            label=t("webhooks-signing-secret-shown-only-now") value=endpoint.secret
                            help=t("webhooks-verify-every-request-s-webhook-signature")/>
                    }.into_any(),
                    Some(Err(e)) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    None => ().into_any(),
                }}
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || pending.get()>{t("webhooks-add-endpoint")}</button>
                </div>
            </form>
            <Transition fallback=|| view! { <p>{t("webhooks-loading")}</p> }>
                {move || Suspend::new(async move {
                    match endpoints.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="muted">{t("webhooks-no-webhook-endpoints-yet")}</p> }.into_any(),
                        Ok(list) => view! {
                            <div class="table-wrap">
                                <table class="table" data-testid="webhook-table">
                                    <thead>
                                        <tr>
                                            <th scope="col">{t("webhooks-endpoint")}</th>
                                            <th scope="col">{t("webhooks-events")}</th>
                                            <th scope="col">{t("webhooks-status")}</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {list.into_iter().map(|e| view! {
                                            <tr>
                                                <td>
                                                    <a href=format!("/settings/webhooks/{}", e.id)>{e.url.clone()}</a>
                                                    {e.description.clone().map(|d| view! { <br/><span class="muted">{d}</span> })}
                                                </td>
                                                <td>{events_label(&e.event_types)}</td>
                                                <td><EndpointStatus endpoint=e.clone()/></td>
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

#[component]
fn EndpointStatus(endpoint: WebhookEndpointInfo) -> impl IntoView {
    if endpoint.enabled {
        view! { <span class="status connected">{t("webhooks-enabled")}</span> }.into_any()
    } else {
        view! {
            <span class="status error">{t("webhooks-disabled")}</span>
            {endpoint.disabled_reason.map(|r| view! { <span class="muted">" "{r}</span> })}
        }
        .into_any()
    }
}

/// `/settings/webhooks/:id`: one endpoint, its deliveries and their attempts.
#[component]
pub fn WebhookEndpointPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let switch = ServerAction::<SetWebhookEnabled>::new();
    let replay = ServerAction::<ReplayWebhookDelivery>::new();
    let delete = ServerAction::<DeleteWebhookEndpoint>::new();
    let data = Resource::new(
        move || (id(), switch.version().get(), replay.version().get()),
        |(id, _, _)| get_webhook_endpoint(id),
    );
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            navigate("/settings", Default::default());
        }
    });
    let switch_error = Signal::derive(move || switch.value().get().and_then(Result::err));
    let replay_error = Signal::derive(move || replay.value().get().and_then(Result::err));
    let delete_error = Signal::derive(move || delete.value().get().and_then(Result::err));
    view! {
        <Title text=t("webhooks-webhook-endpoint")/>
        <p><a href="/settings">{t("webhooks-settings")}</a></p>
        <Transition fallback=|| view! { <p>{t("webhooks-loading")}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <h1>{t("webhooks-webhook-endpoint")}</h1><p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok((endpoint, deliveries)) => {
                        let confirm_id = "confirm-delete-endpoint";
                        let (switch_id, delete_id) = (endpoint.id.clone(), endpoint.id.clone());
                        let enabled = endpoint.enabled;
                        view! {
                            <h1 class="break">{endpoint.url.clone()}</h1>
                            <section class="card" aria-labelledby="endpoint-heading">
                                <h2 id="endpoint-heading">{t("webhooks-endpoint")}</h2>
                                <dl class="facts">
                                    <dt>{t("webhooks-status")}</dt>
                                    <dd><EndpointStatus endpoint=endpoint.clone()/></dd>
                                    <dt>{t("webhooks-events")}</dt>
                                    <dd>{events_label(&endpoint.event_types)}</dd>
                                    <dt>{t("webhooks-description")}</dt>
                                    <dd>{endpoint.description.clone().unwrap_or_default()}</dd>
                                    <dt>{t("webhooks-added")}</dt>
                                    <dd>{format_time(endpoint.created_at)}</dd>
                                </dl>
                                <div class="actions">
                                    <ActionForm action=switch>
                                        <input type="hidden" name="id" value=switch_id/>
                                        <input type="hidden" name="enabled" value=(!enabled).to_string()/>
                                        <button type="submit" class="button secondary">
                                            {t(if enabled { "webhooks-disable" } else { "webhooks-enable" })}
                                        </button>
                                    </ActionForm>
                                    <details class="inline-confirm">
                                        <summary class="button secondary">{t("webhooks-delete")}</summary>
                                        <ActionForm action=delete attr:class="stack">
                                            <input type="hidden" name="id" value=delete_id/>
                                            <p>{t("webhooks-the-endpoint-and-its-delivery-history")}</p>
                                            <div class="field checkbox">
                                                <input id=confirm_id type="checkbox" required/>
                                                <label for=confirm_id>{t("webhooks-yes-delete-this-endpoint")}</label>
                                            </div>
                                            <button type="submit" class="button danger">{t("webhooks-delete-endpoint")}</button>
                                        </ActionForm>
                                    </details>
                                </div>
                                <FormError error=switch_error/>
                                <FormError error=delete_error/>
                            </section>
                            <section class="card" aria-labelledby="deliveries-heading">
                                <h2 id="deliveries-heading">{t("webhooks-recent-deliveries")}</h2>
                                <FormError error=replay_error/>
                                {if deliveries.is_empty() {
                                    view! { <p class="muted">{t("webhooks-nothing-sent-yet")}</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="deliveries" data-testid="deliveries">
                                            {deliveries.into_iter().map(|d| view! { <Delivery delivery=d replay=replay/> }).collect_view()}
                                        </ul>
                                    }.into_any()
                                }}
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn Delivery(
    delivery: WebhookDeliveryInfo,
    replay: ServerAction<ReplayWebhookDelivery>,
) -> impl IntoView {
    let status_class = match delivery.status.as_str() {
        "delivered" => "status connected",
        "failed" => "status error",
        _ => "status expires_soon",
    };
    let summary = format!(
        "{} · {} · {} attempt(s)",
        delivery.event_type,
        format_time(delivery.created_at),
        delivery.attempts.len()
    );
    let replayable = delivery.status == "failed";
    view! {
        <li class="delivery" data-testid="delivery">
            <details>
                <summary>
                    <span class=status_class>{delivery.status.clone()}</span>" "{summary}
                    {delivery.next_attempt_at.map(|at| t_with("webhooks-next-attempt", &[("time", format_time(at).into())]))}
                </summary>
                <p class="muted">{t("webhooks-event")}<code>{delivery.event_id.clone()}</code></p>
                <div class="table-wrap">
                    <table class="table">
                        <thead>
                            <tr>
                                <th scope="col">"#"</th>
                                <th scope="col">{t("webhooks-sent")}</th>
                                <th scope="col">{t("webhooks-answer")}</th>
                                <th scope="col">{t("webhooks-time")}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {delivery.attempts.into_iter().map(|a| view! {
                                <tr>
                                    <td>{a.attempt}</td>
                                    <td>{format_time(a.started_at)}</td>
                                    <td>{match (a.status_code, a.error) {
                                        (Some(code), _) if (200..300).contains(&code) => format!("HTTP {code}"),
                                        (_, Some(error)) => error,
                                        (Some(code), None) => format!("HTTP {code}"),
                                        (None, None) => String::new(),
                                    }}</td>
                                    <td>{format!("{} ms", a.duration_ms)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </details>
            {replayable.then(|| view! {
                <ActionForm action=replay>
                    <input type="hidden" name="id" value=delivery.id.clone()/>
                    <button type="submit" class="button secondary small"
                        aria-label=t_with("webhooks-send-event-again", &[("event", delivery.event_type.clone().into())])>{t("webhooks-send-again")}</button>
                </ActionForm>
            })}
        </li>
    }
}
