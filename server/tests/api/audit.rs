//! The audit log (admin actions, API calls that change something, end-user steps; filters, CSV,
//! append-only) and the status overview (counts, the problems filter, pages).

use app::api::audit::ListAudit;
use app::api::tenants::GetOverview;
use app::domain::clock::Clock;
use app::domain::entities::connection;
use app::domain::services::tenants;
use app::types::{AuditPage, ConnectionStatus, OverviewData};
use sea_orm::sea_query::Expr;
use sea_orm::{ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::helpers::Backend;
use crate::mock_provider::GOOD_API_KEY;
use crate::on_both_backends;
use crate::rest::{Api, api};

on_both_backends!(
    the_audit_log_records_who_did_what_and_exports_csv,
    the_status_overview_counts_filters_and_pages,
);

pub(crate) async fn audit(a: &Api, fields: &[(&str, &str)]) -> AuditPage {
    let response = a.app.call::<ListAudit>(fields).await;
    assert!(response.is_ok(), "{response:?}");
    serde_json::from_str(&response.body).expect("page")
}

async fn connect_tenant(a: &Api, external_id: &str) -> String {
    let (status, link) = a
        .post(
            "/api/v1/connect-links",
            json!({"tenant": {"external_id": external_id, "name": external_id}, "connector": "acme-api"}),
        )
        .await;
    assert_eq!(status, 201, "{link}");
    let (status, _) = a
        .submit_key(link["url"].as_str().expect("url"), GOOD_API_KEY)
        .await;
    assert_eq!(status, 200);
    link["id"].as_str().expect("id").to_owned()
}

async fn the_audit_log_records_who_did_what_and_exports_csv(backend: Backend) {
    let a = api(backend).await;
    a.key_connector().await;
    let link_id = connect_tenant(&a, "cus_audit").await;

    // The admin's own actions, with their address.
    let page = audit(&a, &[("actor_type", "admin")]).await;
    let actions: Vec<&str> = page.entries.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"api_key.create"), "{actions:?}");
    assert!(actions.contains(&"connector.create"), "{actions:?}");
    let entry = &page.entries[0];
    assert_eq!(
        entry.actor_label.as_deref(),
        Some(crate::helpers::OWNER_EMAIL)
    );
    assert_eq!(entry.ip.as_deref(), Some("127.0.0.1"));

    // The backend's call that created the link; reads are not recorded.
    let page = audit(&a, &[("actor_type", "api_key")]).await;
    assert_eq!(page.entries.len(), 1, "{:?}", page.entries);
    let entry = &page.entries[0];
    // The same vocabulary as the dashboard, with the operation kept.
    assert_eq!(entry.action, "link.create");
    assert_eq!(entry.target_type.as_deref(), Some("link"));
    assert!(
        entry
            .details
            .as_deref()
            .is_some_and(|d| d.contains("POST /api/v1/connect-links")),
        "{:?}",
        entry.details
    );
    assert_eq!(entry.target_id.as_deref(), Some(link_id.as_str()));
    assert_eq!(entry.actor_label.as_deref(), Some("backend"));

    // The end user's steps.
    let page = audit(&a, &[("actor_type", "end_user")]).await;
    let actions: Vec<&str> = page.entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["connect.complete"]);
    assert_eq!(page.entries[0].actor_id.as_deref(), Some(link_id.as_str()));

    // Filters by action prefix, target and date; bad dates are refused.
    assert_eq!(audit(&a, &[("action", "api_key.")]).await.entries.len(), 1);
    assert_eq!(audit(&a, &[("target", &link_id)]).await.entries.len(), 1);
    let tomorrow = (a.app.clock.now() + time::Duration::days(1))
        .date()
        .to_string();
    assert!(audit(&a, &[("from", &tomorrow)]).await.entries.is_empty());
    let response = a.app.call::<ListAudit>(&[("from", "23/11/2026")]).await;
    assert_eq!(response.status, 422);

    // CSV with the same filters; only for a signed-in admin.
    let csv = a
        .app
        .client
        .get(a.app.url("/audit.csv?actor_type=end_user"))
        .send()
        .await
        .expect("export");
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/csv")
    );
    let text = csv.text().await.expect("body");
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("time,actor_type"));
    assert!(lines[1].contains("\"connect.complete\""));
    let anonymous = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let refused = anonymous
        .get(a.app.url("/audit.csv"))
        .send()
        .await
        .expect("export");
    assert_ne!(refused.status(), 200);

    // Append-only, whatever the SQL.
    let db = &a.app.state.db;
    assert!(
        db.execute_unprepared("UPDATE audit_log SET action = 'x'")
            .await
            .is_err()
    );
    assert!(
        db.execute_unprepared("DELETE FROM audit_log")
            .await
            .is_err()
    );
    assert!(!audit(&a, &[]).await.entries.is_empty());
    a.app.cleanup().await;
}

async fn overview(a: &Api, problems: bool, cursor: Option<&str>) -> OverviewData {
    let flag = problems.to_string();
    let mut fields = vec![("only_problems", flag.as_str())];
    if let Some(c) = cursor {
        fields.push(("cursor", c));
    }
    let response = a.app.call::<GetOverview>(&fields).await;
    assert!(response.is_ok(), "{response:?}");
    serde_json::from_str(&response.body).expect("overview")
}

async fn the_status_overview_counts_filters_and_pages(backend: Backend) {
    let a = api(backend).await;
    a.key_connector().await;
    connect_tenant(&a, "aaa-fine").await;
    connect_tenant(&a, "aab-broken").await;
    connection::Entity::update_many()
        .col_expr(connection::Column::Status, Expr::value("needs_reauth"))
        .filter(sea_orm::ColumnTrait::eq(
            &connection::Column::TenantId,
            tenant_id(&a, "aab-broken").await,
        ))
        .exec(&a.app.state.db)
        .await
        .expect("break one");
    tenants::seed(
        &a.app.state.db,
        a.app.state.clock.as_ref(),
        a.app.production().await,
        "bulk",
        120,
    )
    .await
    .expect("seed");

    let first = overview(&a, false, None).await;
    assert_eq!(first.counts.tenants, 122);
    assert_eq!(first.counts.connected, 1);
    assert_eq!(first.counts.needs_reauth, 1);
    assert_eq!(first.columns.len(), 1);
    assert_eq!(first.rows.len(), 50);
    assert_eq!(first.rows[0].name, "aaa-fine");
    assert_eq!(first.rows[0].cells, [ConnectionStatus::Connected]);
    assert_eq!(first.rows[1].cells, [ConnectionStatus::NeedsReauth]);
    assert_eq!(first.rows[2].cells, [ConnectionStatus::NotConnected]);

    let second = overview(&a, false, first.next.as_deref()).await;
    let third = overview(&a, false, second.next.as_deref()).await;
    assert_eq!((second.rows.len(), third.rows.len()), (50, 22));
    assert_eq!(third.next, None);
    let mut names: Vec<String> = [&first, &second, &third]
        .iter()
        .flat_map(|p| p.rows.iter().map(|r| r.name.clone()))
        .collect();
    names.dedup();
    assert_eq!(names.len(), 122, "no tenant twice, none missed");

    let problems = overview(&a, true, None).await;
    assert_eq!(problems.rows.len(), 1);
    assert_eq!(problems.rows[0].external_id, "aab-broken");
    assert_eq!(problems.next, None);
    a.app.cleanup().await;
}

async fn tenant_id(a: &Api, external_id: &str) -> uuid::Uuid {
    let (_, tenant) = a.get(&format!("/api/v1/tenants/{external_id}")).await;
    uuid::Uuid::parse_str(tenant["id"].as_str().expect("id")).expect("uuid")
}
