//! `/audit`: who did what, with filters (a plain GET form, so links to a filtered view can be
//! shared), older pages, and the same view as CSV at `/audit.csv`.

use leptos::prelude::*;

use crate::i18n::dashboard::t;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::audit::list_audit;
use crate::components::util::query_string;
use crate::types::format_time;

/// The actor filter: value and message id.
const ACTOR_TYPES: [(&str, &str); 5] = [
    ("", "audit-actor-anyone"),
    ("admin", "audit-actor-admin"),
    ("api_key", "audit-actor-api-key"),
    ("end_user", "audit-actor-end-user"),
    ("system", "audit-actor-system"),
];

/// The Audit log page.
#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let get = move |name: &'static str| move || query.read().get(name).unwrap_or_default();
    let (actor, action, target, from, until, before) = (
        get("actor_type"),
        get("action"),
        get("target"),
        get("from"),
        get("until"),
        get("before"),
    );
    let page = Resource::new(
        move || (actor(), action(), target(), from(), until(), before()),
        |(a, ac, t, f, u, b)| {
            let some = |v: String| Some(v).filter(|v| !v.is_empty());
            list_audit(some(a), some(ac), some(t), some(f), some(u), some(b))
        },
    );
    let filters = move || {
        [
            ("actor_type", actor()),
            ("action", action()),
            ("target", target()),
            ("from", from()),
            ("until", until()),
        ]
    };
    let export = move || {
        let f = filters();
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        format!("/audit.csv{}", query_string(&pairs))
    };
    view! {
        <Title text=t("audit-audit-log")/>
        <div class="page-head">
            <h1>{t("audit-audit-log")}</h1>
            <a class="button secondary" href=export download="authlink-audit.csv">{t("audit-export-csv")}</a>
        </div>
        <form method="get" action="/audit" class="toolbar wrap" aria-label=t("audit-filter-the-audit-log")>
            <div class="field inline">
                <label for="audit-actor">{t("audit-actor")}</label>
                <select id="audit-actor" name="actor_type">
                    {ACTOR_TYPES.iter().map(|(value, label)| view! {
                        <option value=*value selected=move || actor() == *value>{t(label)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field inline">
                <label for="audit-action">{t("audit-action-starts-with")}</label>
                <input id="audit-action" name="action" type="text" maxlength="100" prop:value=action
                    placeholder=t("audit-tenant-or-connect-complete")/>
            </div>
            <div class="field inline">
                <label for="audit-target">{t("audit-target-id")}</label>
                <input id="audit-target" name="target" type="text" maxlength="100" prop:value=target/>
            </div>
            <div class="field inline">
                <label for="audit-from">{t("audit-from")}</label>
                <input id="audit-from" name="from" type="date" prop:value=from/>
            </div>
            <div class="field inline">
                <label for="audit-until">{t("audit-until")}</label>
                <input id="audit-until" name="until" type="date" prop:value=until/>
            </div>
            <button type="submit" class="button secondary">{t("audit-filter")}</button>
        </form>
        <Transition fallback=|| view! { <p>{t("audit-loading")}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(p) if p.entries.is_empty() => view! { <p class="muted">{t("audit-nothing-recorded-matches")}</p> }.into_any(),
                    Ok(p) => {
                        let older = p.next.map(|id| {
                            let f = filters();
                            let mut pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
                            pairs.push(("before", id.as_str()));
                            format!("/audit{}", query_string(&pairs))
                        });
                        view! {
                            <div class="table-wrap">
                                <table class="table" data-testid="audit-table">
                                    <thead>
                                        <tr>
                                            <th scope="col">{t("audit-time")}</th>
                                            <th scope="col">{t("audit-actor")}</th>
                                            <th scope="col">{t("audit-action")}</th>
                                            <th scope="col">{t("audit-target")}</th>
                                            <th scope="col">{t("audit-ip")}</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {p.entries.into_iter().map(|e| view! {
                                            <tr>
                                                <td>{format_time(e.at)}</td>
                                                <td>
                                                    {e.actor_label.clone().or(e.actor_id.clone()).unwrap_or_default()}
                                                    <br/><span class="muted">{e.actor_type.replace('_', " ")}</span>
                                                </td>
                                                <td><code>{e.action}</code></td>
                                                <td>
                                                    {e.target_type.map(|t| view! { <span class="muted">{t}" "</span> })}
                                                    <code class="break">{e.target_id.unwrap_or_default()}</code>
                                                </td>
                                                <td>{e.ip.unwrap_or_default()}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <nav class="pager" aria-label=t("audit-audit-log-pages")>
                                {(!before().is_empty()).then(|| view! { <a class="button secondary" href="/audit">{t("audit-newest")}</a> })}
                                {older.map(|href| view! { <a class="button secondary" href=href rel="next">{t("audit-older")}</a> })}
                            </nav>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
