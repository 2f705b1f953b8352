//! `/overview`: every tenant × every enabled connector at a glance, counts at the top, and a
//! filter for tenants whose connections need attention. Paged; the filter is a GET form.

use leptos::prelude::*;

use crate::i18n::dashboard::t;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::tenants::get_overview;
use crate::components::util::query_string;
use crate::types::ConnectionStatus;

fn cell(status: ConnectionStatus) -> (&'static str, &'static str) {
    match status {
        ConnectionStatus::Connected => ("✓", "overview-cell-connected"),
        ConnectionStatus::ExpiresSoon => ("!", "overview-cell-expires-soon"),
        ConnectionStatus::NeedsReauth => ("⟳", "overview-cell-needs-reauth"),
        ConnectionStatus::Error => ("✕", "overview-cell-error"),
        ConnectionStatus::Disconnected | ConnectionStatus::NotConnected => {
            ("–", "overview-cell-not-connected")
        }
        ConnectionStatus::PendingConfirmation => ("…", "overview-cell-pending"),
    }
}

/// The Status overview page.
#[component]
pub fn OverviewPage() -> impl IntoView {
    let query = use_query_map();
    let problems = move || query.read().get("problems").is_some_and(|v| v == "1");
    let cursor = move || query.read().get("cursor");
    let data = Resource::new(move || (problems(), cursor()), |(p, c)| get_overview(p, c));
    view! {
        <Title text=t("overview-status")/>
        <div class="page-head">
            <h1>{t("overview-status")}</h1>
        </div>
        <form method="get" action="/overview" class="toolbar">
            <div class="field checkbox">
                <input id="only-problems" name="problems" value="1" type="checkbox" prop:checked=problems/>
                <label for="only-problems">{t("overview-only-tenants-with-problems")}</label>
            </div>
            <button type="submit" class="button secondary">{t("overview-apply")}</button>
        </form>
        <Transition fallback=|| view! { <p>{t("overview-loading")}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(d) => {
                        let c = d.counts;
                        let next = d.next.map(|n| {
                            let flag = if problems() { "1" } else { "" };
                            format!("/overview{}", query_string(&[("problems", flag), ("cursor", &n)]))
                        });
                        view! {
                            <ul class="counts" data-testid="status-counts">
                                <li><strong>{c.tenants}</strong>{t("overview-tenants")}</li>
                                <li class="ok"><strong>{c.connected}</strong>{t("overview-connected")}</li>
                                <li class="warn"><strong>{c.expires_soon}</strong>{t("overview-expire-soon")}</li>
                                <li class="bad"><strong>{c.needs_reauth}</strong>{t("overview-need-reauth")}</li>
                                <li class="bad"><strong>{c.error}</strong>{t("overview-with-errors")}</li>
                            </ul>
                            {if d.rows.is_empty() {
                                view! { <p class="muted">{t(if problems() { "overview-no-problems" } else { "overview-no-tenants" })}</p> }.into_any()
                            } else {
                                let columns = d.columns.clone();
                                view! {
                                    <div class="table-wrap">
                                        <table class="table status-matrix" data-testid="status-matrix">
                                            <thead>
                                                <tr>
                                                    <th scope="col">{t("overview-tenant")}</th>
                                                    {columns.iter().map(|col| view! { <th scope="col">{col.name.clone()}</th> }).collect_view()}
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {d.rows.into_iter().map(|row| view! {
                                                    <tr>
                                                        <th scope="row">
                                                            <a href=format!("/tenants/{}", row.tenant_id)>{row.name.clone()}</a>
                                                            <br/><span class="muted">{row.external_id.clone()}</span>
                                                        </th>
                                                        {row.cells.into_iter().map(|s| {
                                                            let (mark, label) = cell(s);
                                                            view! {
                                                                <td class=format!("cell {}", s.as_str())>
                                                                    <span aria-hidden="true">{mark}</span>
                                                                    <span class="visually-hidden">{t(label)}</span>
                                                                </td>
                                                            }
                                                        }).collect_view()}
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                }.into_any()
                            }}
                            <nav class="pager" aria-label=t("overview-status-pages")>
                                {(cursor().is_some()).then(|| {
                                    let first = if problems() { "/overview?problems=1" } else { "/overview" };
                                    view! { <a class="button secondary" href=first>{t("overview-first-page")}</a> }
                                })}
                                {next.map(|href| view! { <a class="button secondary" href=href rel="next">{t("overview-next")}</a> })}
                            </nav>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
