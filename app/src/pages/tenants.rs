//! `/tenants`: the admin's customers — search, sort, keyset pages, create.

use leptos::prelude::*;

use crate::i18n::dashboard::t;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::tenants::{CreateTenant, list_tenants};
use crate::components::form::FormError;
use crate::components::util::query_string;
use crate::types::{format_time, limits};

/// The Tenants page.
#[component]
pub fn TenantsPage() -> impl IntoView {
    let query = use_query_map();
    let search = move || query.read().get("q").unwrap_or_default();
    let sort = move || query.read().get("sort").unwrap_or_default();
    let cursor = move || query.read().get("cursor");
    let create = ServerAction::<CreateTenant>::new();
    let page = Resource::new(
        move || (search(), sort(), cursor(), create.version().get()),
        |(q, s, c, _)| list_tenants(q, s, c),
    );
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            navigate(&format!("/tenants/{id}"), Default::default());
        }
    });
    let create_error = Signal::derive(move || create.value().get().and_then(Result::err));

    view! {
        <Title text=t("tenants-tenants")/>
        <div class="page-head">
            <h1>{t("tenants-tenants")}</h1>
        </div>
        <form method="get" action="/tenants" role="search" class="toolbar">
            <div class="field inline">
                <label for="tenant-search">{t("tenants-search-tenants")}</label>
                <input id="tenant-search" name="q" type="search" prop:value=search
                    placeholder=t("tenants-name-or-external-id") maxlength="200"/>
            </div>
            <div class="field inline">
                <label for="tenant-sort">{t("tenants-sort-by")}</label>
                <select id="tenant-sort" name="sort">
                    <option value="name" selected=move || sort() != "newest">{t("tenants-name-a-z")}</option>
                    <option value="newest" selected=move || sort() == "newest">{t("tenants-newest-first")}</option>
                </select>
            </div>
            <button type="submit" class="button secondary">{t("tenants-search")}</button>
        </form>

        <details class="card disclosure">
            <summary>{t("tenants-new-tenant")}</summary>
            <ActionForm action=create attr:class="stack">
                <div class="field">
                    <label for="tenant-name">{t("tenants-name")}</label>
                    <input id="tenant-name" name="name" type="text" required
                        maxlength=limits::TENANT_NAME_MAX_CHARS autocomplete="organization"/>
                </div>
                <div class="field">
                    <label for="tenant-external-id">{t("tenants-external-id")}</label>
                    <input id="tenant-external-id" name="external_id" type="text" required
                        maxlength=limits::EXTERNAL_ID_MAX_CHARS aria-describedby="tenant-external-id-help"/>
                    <p class="help" id="tenant-external-id-help">
                        {t("tenants-your-own-id-for-this-customer")}
                    </p>
                </div>
                <FormError error=create_error/>
                <button type="submit" class="button primary" disabled=move || create.pending().get()>
                    {t("tenants-create-tenant")}
                </button>
            </ActionForm>
        </details>

        <Transition fallback=|| view! { <p>{t("tenants-loading")}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(p) if p.rows.is_empty() => {
                        let searching = !search().is_empty();
                        view! {
                            <section class="empty-state" aria-labelledby="tenants-empty">
                                <h2 id="tenants-empty">
                                    {t(if searching { "tenants-no-match" } else { "tenants-none-yet" })}
                                </h2>
                                <p>
                                    {t("tenants-tenants-are-your-customers-each-one")}
                                </p>
                            </section>
                        }
                            .into_any()
                    }
                    Ok(p) => {
                        let link = move |c: &String| {
                            format!(
                                "/tenants{}",
                                query_string(&[("q", &search()), ("sort", &sort()), ("cursor", c)])
                            )
                        };
                        let prev = p.prev.as_ref().map(link);
                        let next = p.next.as_ref().map(link);
                        view! {
                            <div class="table-wrap">
                                <table class="table" data-testid="tenant-table">
                                    <thead>
                                        <tr>
                                            <th scope="col">{t("tenants-name")}</th>
                                            <th scope="col">{t("tenants-external-id")}</th>
                                            <th scope="col">{t("tenants-connected")}</th>
                                            <th scope="col">{t("tenants-created")}</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {p.rows.into_iter().map(|t| view! {
                                            <tr>
                                                <td><a href=format!("/tenants/{}", t.id)>{t.name}</a></td>
                                                <td><code>{t.external_id}</code></td>
                                                <td>{t.connected_count}</td>
                                                <td>{format_time(t.created_at)}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <nav class="pager" aria-label=t("tenants-pages")>
                                {prev.map(|href| view! { <a class="button secondary" href=href rel="prev">{t("tenants-previous")}</a> })}
                                {next.map(|href| view! { <a class="button secondary" href=href rel="next">{t("tenants-next")}</a> })}
                            </nav>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}
