//! Admin alerts by e-mail through a real SMTP server: a link that keeps failing and a refresh
//! the provider refuses are each announced once to the admins who want alerts; many alerts at
//! once become one daily digest (injected clock), once across instances; an admin can turn
//! them off.

use app::api::settings::{GetAlertSettings, SetAlerts};
use app::domain::services::{alerts, connections};
use app::types::AlertSettings;
use serde_json::json;
use time::Duration;

use crate::emails::{api_with_mail, deliver};
use crate::helpers::{Backend, OWNER_EMAIL};
use crate::mock_provider::TokenMode;
use crate::on_both_backends;
use crate::rest::Api;

on_both_backends!(
    admins_hear_once_of_what_needs_attention,
    many_alerts_come_as_one_daily_digest,
);

async fn link(a: &Api, external_id: &str) -> String {
    let (status, link) = a
        .post(
            "/api/v1/connect-links",
            json!({
                "tenant": {"external_id": external_id, "name": "Initech"},
                "connector": "acme-crm",
            }),
        )
        .await;
    assert_eq!(status, 201, "{link}");
    link["url"].as_str().expect("url").to_owned()
}

/// The end user denies access at the provider `times` times through `link`.
async fn deny(a: &Api, link: &str, times: usize) {
    for _ in 0..times {
        assert_eq!(a.end_user_oauth(link, None).await.0, 400);
    }
}

async fn dispatch(a: &Api) -> alerts::Dispatched {
    alerts::dispatch(&a.app.state).await.expect("alert pass")
}

async fn settings(a: &Api) -> AlertSettings {
    let response = a.app.call::<GetAlertSettings>(&[]).await;
    assert!(response.is_ok(), "{response:?}");
    serde_json::from_str(&response.body).expect("settings")
}

async fn admins_hear_once_of_what_needs_attention(backend: Backend) {
    let Some((a, smtp)) = api_with_mail(backend, 0).await else {
        return;
    };
    a.oauth_connector().await;
    let before = settings(&a).await;
    assert!(before.enabled && before.mail_configured, "{before:?}");
    assert_eq!(before.recipients, [OWNER_EMAIL]);

    // Two failures are the end user's business; the third makes it the admin's, once.
    let url = link(&a, "cus_alert").await;
    deny(&a, &url, 2).await;
    assert_eq!(dispatch(&a).await, alerts::Dispatched::default());
    deny(&a, &url, 2).await;
    assert_eq!(dispatch(&a).await.sent, 1);
    assert_eq!(dispatch(&a).await, alerts::Dispatched::default(), "once");
    assert_eq!(deliver(&a).await, 1);
    let mail = smtp.wait_for(1).await.remove(0);
    assert_eq!(mail.to, [OWNER_EMAIL]);
    assert_eq!(
        mail.decoded_header("Subject").as_deref(),
        Some("[Acme CRM] Initech (cus_alert), Acme CRM needs attention")
    );
    let body = mail.body().replace("\r\n", "\n");
    assert!(body.contains("failed 3 times (access_denied"), "{body}");
    let (_, tenants) = a.get("/api/v1/tenants").await;
    let tenant = tenants["data"][0]["id"].as_str().expect("tenant");
    assert!(body.contains(&format!("/tenants/{tenant}\n")), "{body}");

    // The provider refuses the refresh token: the connection needs the tenant again.
    let url = link(&a, "cus_alert").await;
    a.connect_oauth(&url, "c-alert").await;
    a.provider.set_mode(TokenMode::Refuse);
    a.app.clock.advance(Duration::minutes(55));
    let refreshed = connections::refresh_due(&a.app.state, Duration::minutes(10), 100)
        .await
        .expect("refresh pass");
    assert_eq!(refreshed, 1);
    assert_eq!(dispatch(&a).await.sent, 1);
    assert_eq!(deliver(&a).await, 1);
    let mail = smtp.wait_for(2).await.remove(1);
    let body = mail.body().replace("\r\n", "\n");
    assert!(
        body.contains("the token refresh failed (invalid_grant"),
        "{body}"
    );
    assert!(body.contains("the tenant must reconnect"), "{body}");

    // Alerts off: still decided, nobody is mailed.
    let response = a.app.call::<SetAlerts>(&[("enabled", "false")]).await;
    assert!(response.is_ok(), "{response:?}");
    let after = settings(&a).await;
    assert!(!after.enabled && after.recipients.is_empty(), "{after:?}");
    let url = link(&a, "cus_other").await;
    deny(&a, &url, 3).await;
    assert_eq!(dispatch(&a).await.sent, 1);
    assert_eq!(deliver(&a).await, 0);
    assert_eq!(smtp.received().len(), 2);
    a.app.cleanup().await;
}

async fn many_alerts_come_as_one_daily_digest(backend: Backend) {
    let Some((a, smtp)) = api_with_mail(backend, 0).await else {
        return;
    };
    a.oauth_connector().await;
    let immediate = usize::try_from(alerts::IMMEDIATE_PER_DAY).expect("small");
    for i in 0..immediate + 2 {
        let url = link(&a, &format!("cus_{i}")).await;
        deny(&a, &url, 3).await;
    }
    let first = dispatch(&a).await;
    assert_eq!((first.sent, first.held), (immediate, 2));
    assert_eq!(deliver(&a).await, immediate);
    smtp.wait_for(immediate).await;

    a.app
        .clock
        .advance(alerts::DIGEST_AFTER - Duration::minutes(1));
    assert_eq!(dispatch(&a).await.digested, 0, "not a day yet");
    a.app.clock.advance(Duration::minutes(2));
    let second = a.app.another_instance().await;
    let (here, there) = tokio::join!(dispatch(&a), alerts::dispatch(&second));
    assert_eq!(here.digested + there.expect("second pass").digested, 2);
    assert_eq!(deliver(&a).await, 1);
    let digest = smtp.wait_for(immediate + 1).await.remove(immediate);
    assert_eq!(
        digest.decoded_header("Subject").as_deref(),
        Some("[Acme CRM] Daily digest: 2 connections need attention")
    );
    assert_eq!(digest.body().matches("failed 3 times").count(), 2);
    assert_eq!(dispatch(&a).await, alerts::Dispatched::default());
    assert_eq!(deliver(&a).await, 0);
    a.app.cleanup().await;
}
