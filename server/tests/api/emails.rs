//! Links sent by e-mail through a real SMTP server: in the end user's language, from the REST
//! API and the dashboard popup; one reminder a day before an unused link expires; retries of a
//! refused message; one message however many instances run; nothing readable left behind.

use app::api::links::GenerateLink;
use app::domain::Clock;
use app::domain::entities::email;
use app::domain::services::emails;
use app::types::{GeneratedLink, TenantDetails};
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use time::Duration;

use crate::at_rest::dump;
use crate::helpers::{Backend, TestOptions};
use crate::mock_provider::GOOD_API_KEY;
use crate::on_both_backends;
use crate::rest::{Api, api, api_with};
use crate::smtp::{Received, SmtpSink};

on_both_backends!(
    a_link_is_emailed_in_the_end_users_language,
    an_unused_link_is_recalled_once_a_day_before_it_expires,
);

/// An API with a mail server, or `None` (outside CI) when the SMTP server cannot run here.
pub(crate) async fn api_with_mail(backend: Backend, refuse: u32) -> Option<(Api, SmtpSink)> {
    let smtp = SmtpSink::start(refuse).await?;
    let a = api_with(
        backend,
        TestOptions {
            extra_env: vec![
                ("AUTHLINK_SMTP_URL", smtp.url()),
                (
                    "AUTHLINK_SMTP_FROM",
                    "Acme CRM <noreply@acme.example>".into(),
                ),
            ],
            ..TestOptions::default()
        },
    )
    .await;
    a.key_connector().await;
    Some((a, smtp))
}

/// The connect link in an e-mail's body.
fn link_in(mail: &Received) -> String {
    let body = mail.body();
    body.split_whitespace()
        .find(|word| word.starts_with("http") && word.contains("/connect/"))
        .unwrap_or_else(|| panic!("no link in {body}"))
        .to_owned()
}

/// The status of the Connect page at `url`.
async fn open(a: &Api, url: &str) -> reqwest::Response {
    a.http
        .get(a.app.url(&Api::path_of(url)))
        .send()
        .await
        .expect("connect page")
}

/// Runs one pass of the e-mail worker; returns how many messages the server accepted.
pub(crate) async fn deliver(a: &Api) -> usize {
    let mailer = a
        .app
        .state
        .mail
        .clone()
        .expect("a mail server is configured");
    emails::deliver_due(&a.app.state, mailer.as_ref())
        .await
        .expect("delivery pass")
}

async fn emailed_link(a: &Api, to: &str, locale: &str, expires_in: i64) -> Value {
    let (status, link) = a
        .post(
            "/api/v1/connect-links",
            json!({
                "tenant": {"external_id": "cus_mail", "name": "Kunde GmbH"},
                "connector": "acme-api",
                "expires_in": expires_in,
                "end_user": {"email": to, "name": "Jana", "locale": locale},
                "send_email": true,
                "email_message": "Bitte bis Freitag erledigen.\nDanke!",
            }),
        )
        .await;
    assert_eq!(status, 201, "{link}");
    link
}

async fn a_link_is_emailed_in_the_end_users_language(backend: Backend) {
    let Some((a, smtp)) = api_with_mail(backend, 0).await else {
        return;
    };
    let link = emailed_link(&a, "jana@kunde.example", "de", 3 * 86_400).await;
    assert_eq!(link["emailed_to"], "jana@kunde.example");
    assert_eq!(link["end_user"]["locale"], "de");
    let url = link["url"].as_str().expect("url").to_owned();
    let token = url.rsplit('/').next().expect("token").to_owned();

    // Two instances' workers run at the same time: the message goes out once.
    let second = a.app.another_instance().await;
    let second_mailer = second.mail.clone().expect("mail on the second instance");
    let (here, there) = tokio::join!(
        deliver(&a),
        emails::deliver_due(&second, second_mailer.as_ref())
    );
    assert_eq!(here + there.expect("second pass"), 1);
    let received = smtp.wait_for(1).await;
    assert_eq!(deliver(&a).await, 0, "sent once");
    assert_eq!(smtp.received().len(), 1);

    let mail = &received[0];
    assert_eq!(mail.to, ["jana@kunde.example"]);
    assert_eq!(mail.from, "noreply@acme.example");
    assert_eq!(
        mail.decoded_header("Subject").as_deref(),
        Some("Acme CRM: Acme API verbinden")
    );
    assert_eq!(mail.header("Content-Language").as_deref(), Some("de"));
    assert_eq!(
        mail.header("Auto-Submitted").as_deref(),
        Some("auto-generated")
    );
    let body = mail.body();
    // The message carries a token of its own for the link, not the one the API returned.
    let emailed = link_in(mail);
    assert_ne!(emailed, url);
    let prefix = url.rsplit_once('/').expect("path").0;
    assert!(emailed.starts_with(&format!("{prefix}/")), "{emailed}");
    assert!(body.contains("Kunde GmbH"), "{body}");
    assert!(
        body.replace("\r\n", "\n")
            .contains("Bitte bis Freitag erledigen.\nDanke!"),
        "{body}"
    );
    assert!(body.contains("gültig bis"), "{body}");

    // Both open the Connect page in the end user's language, though the browser asks for
    // none; the e-mailed one completes the link, and then neither opens it again.
    for link in [&url, &emailed] {
        let page = open(&a, link).await;
        assert_eq!(page.status(), 200);
        assert_eq!(page.headers()["content-language"], "de");
    }
    let (status, _) = a.submit_key(&emailed, GOOD_API_KEY).await;
    assert_eq!(status, 200);
    let unknown = open(&a, &format!("{}/connect/{}", a.app.base, "x".repeat(43))).await;
    for link in [&url, &emailed] {
        assert_eq!(
            open(&a, link).await.status(),
            unknown.status(),
            "single use"
        );
    }

    // Tokens are stored only as hashes; the message text is not stored at all.
    let stored = dump(&a.app.state.db).await;
    let emailed_token = emailed.rsplit('/').next().expect("token");
    assert!(
        !stored.contains(&token),
        "the link token is readable at rest"
    );
    assert!(
        !stored.contains(emailed_token),
        "the e-mail's token is readable at rest"
    );
    assert!(
        !stored.contains("verbinden"),
        "the composed e-mail is stored"
    );

    // The dashboard popup sends a link too; the tenant page says it can.
    let tenant = link["tenant_id"].as_str().expect("tenant").to_owned();
    let details = a
        .app
        .call::<app::api::tenants::GetTenantDetails>(&[("id", &tenant)])
        .await;
    let details: TenantDetails = serde_json::from_str(&details.body).expect("details");
    let connector = &details.connectors[0];
    assert!(connector.email_links);
    let response = a
        .app
        .call_json::<GenerateLink>(json!({
            "tenant_id": tenant,
            "connector_id": connector.connector_id,
            "expires_in_minutes": 60,
            "single_use": true,
            "note": "",
            "presets": [],
            "email_to": "  yuki@kunde.example ",
            "email_locale": "ja",
            "email_message": "",
        }))
        .await;
    assert!(response.is_ok(), "{response:?}");
    let generated: GeneratedLink = serde_json::from_str(&response.body).expect("link");
    assert_eq!(generated.emailed_to.as_deref(), Some("yuki@kunde.example"));
    assert_eq!(deliver(&a).await, 1);
    let received = smtp.wait_for(2).await;
    let mail = &received[1];
    assert_eq!(mail.to, ["yuki@kunde.example"]);
    assert_eq!(mail.header("Content-Language").as_deref(), Some("ja"));
    assert_eq!(open(&a, &link_in(mail)).await.status(), 200);
    assert!(mail.body().contains("UTC"), "{}", mail.body());
    a.app.cleanup().await;
}

async fn an_unused_link_is_recalled_once_a_day_before_it_expires(backend: Backend) {
    let Some((a, smtp)) = api_with_mail(backend, 0).await else {
        return;
    };
    let db = &a.app.state.db;
    emailed_link(&a, "unused@kunde.example", "fr", 3 * 86_400).await;
    let completed = emailed_link(&a, "done@kunde.example", "de", 3 * 86_400).await;
    let revoked = emailed_link(&a, "revoked@kunde.example", "de", 3 * 86_400).await;
    let late = emailed_link(&a, "late@kunde.example", "de", 3 * 86_400).await;
    // Lives a day: a reminder would only repeat the first e-mail.
    emailed_link(&a, "short@kunde.example", "de", 86_400).await;
    assert_eq!(deliver(&a).await, 5);
    smtp.wait_for(5).await;

    let (status, _) = a
        .submit_key(completed["url"].as_str().expect("url"), GOOD_API_KEY)
        .await;
    assert_eq!(status, 200);
    let revoke = format!(
        "/api/v1/connect-links/{}/revoke",
        revoked["id"].as_str().expect("id")
    );
    let (status, body) = a.post(&revoke, json!({})).await;
    assert!(status < 300, "{status} {body}");

    // Nothing is due while more than a day is left.
    let now = a.app.clock.now();
    assert_eq!(emails::queue_reminders(db, now).await.expect("pass"), 0);

    a.app
        .clock
        .advance(Duration::days(2) + Duration::minutes(1));
    let later = a.app.clock.now();
    assert_eq!(emails::queue_reminders(db, later).await.expect("pass"), 2);
    assert_eq!(
        emails::queue_reminders(db, later).await.expect("pass"),
        0,
        "once per link"
    );
    // Used after its reminder was queued, before it went out: the reminder is dropped.
    let (status, _) = a
        .submit_key(late["url"].as_str().expect("url"), GOOD_API_KEY)
        .await;
    assert_eq!(status, 200);
    assert_eq!(deliver(&a).await, 1);
    let received = smtp.wait_for(6).await;
    let reminder = &received[5];
    assert_eq!(reminder.to, ["unused@kunde.example"]);
    assert_eq!(reminder.header("Content-Language").as_deref(), Some("fr"));
    // The reminder's link is new, and opens the same link as the first e-mail's.
    let first = received
        .iter()
        .find(|m| m.to == ["unused@kunde.example"])
        .expect("first e-mail");
    assert_ne!(link_in(reminder), link_in(first));
    for link in [link_in(reminder), link_in(first)] {
        let page = open(&a, &link).await;
        assert_eq!(page.status(), 200);
        assert_eq!(page.headers()["content-language"], "fr");
    }
    // The e-mailed link of a revoked link answers like an unknown one.
    let unknown = open(&a, &format!("{}/connect/{}", a.app.base, "x".repeat(43))).await;
    let revoked_mail = received
        .iter()
        .find(|m| m.to == ["revoked@kunde.example"])
        .expect("revoked link's e-mail");
    assert_eq!(
        open(&a, &link_in(revoked_mail)).await.status(),
        unknown.status()
    );
    assert!(
        reminder
            .decoded_header("Subject")
            .is_some_and(|s| s.starts_with("Rappel")),
        "{reminder:?}"
    );

    a.app.clock.advance(Duration::hours(1));
    assert_eq!(deliver(&a).await, 0);
    assert_eq!(smtp.received().len(), 6);
    let rows = email::Entity::find().all(db).await.expect("emails");
    let count = |state| rows.iter().filter(|r| r.status == state).count();
    assert_eq!(
        (
            count(email::EmailState::Sent),
            count(email::EmailState::Cancelled)
        ),
        (6, 1),
        "{rows:?}"
    );
    a.app.cleanup().await;
}

#[tokio::test]
async fn a_refused_email_is_tried_again_later() {
    let Some((a, smtp)) = api_with_mail(Backend::Sqlite, 1).await else {
        return;
    };
    emailed_link(&a, "later@kunde.example", "es", 3 * 86_400).await;
    assert_eq!(deliver(&a).await, 0, "the server answered 451");
    assert_eq!(deliver(&a).await, 0, "not again before its retry is due");
    let rows = email::Entity::find()
        .all(&a.app.state.db)
        .await
        .expect("emails");
    assert_eq!(rows[0].status, email::EmailState::Pending);
    assert!(
        rows[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("451")),
        "{rows:?}"
    );

    a.app.clock.advance(Duration::minutes(1));
    assert_eq!(deliver(&a).await, 1);
    let received = smtp.wait_for(1).await;
    assert_eq!(open(&a, &link_in(&received[0])).await.status(), 200);
    let rows = email::Entity::find()
        .all(&a.app.state.db)
        .await
        .expect("emails");
    assert_eq!(
        (rows[0].status, rows[0].attempts),
        (email::EmailState::Sent, 2)
    );
    a.app.cleanup().await;
}

#[tokio::test]
async fn a_link_is_not_emailed_without_a_mail_server_or_to_a_bad_address() {
    let a = api(Backend::Sqlite).await;
    a.key_connector().await;
    let base = json!({
        "tenant": {"external_id": "cus_nomail", "name": "No Mail"},
        "connector": "acme-api",
        "end_user": {"email": "it@kunde.example"},
        "send_email": true,
    });
    let (status, problem) = a.post("/api/v1/connect-links", base.clone()).await;
    assert_eq!(status, 422, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("AUTHLINK_SMTP_URL")),
        "{problem}"
    );
    let (_, listed) = a.get("/api/v1/connect-links").await;
    assert_eq!(listed["data"], json!([]), "nothing half-written");

    let mut refused = Vec::new();
    for change in [
        json!({"end_user": {"email": "it@kunde.example\r\nBcc: all@kunde.example"}}),
        json!({"end_user": {"email": "it@kunde.example", "locale": "tlh"}}),
        json!({"end_user": {"name": "No address"}}),
        json!({"send_email": false, "email_message": "Hello"}),
    ] {
        let mut body = base.clone();
        for (k, v) in change.as_object().expect("object") {
            body[k] = v.clone();
        }
        let (status, problem) = a.post("/api/v1/connect-links", body).await;
        refused.push((status, problem["detail"].as_str().unwrap_or("").to_owned()));
    }
    assert!(refused.iter().all(|(s, _)| *s == 422), "{refused:?}");

    let (_, tenants) = a.get("/api/v1/tenants").await;
    assert_eq!(
        tenants["data"],
        json!([]),
        "no tenant created on the fly either: {tenants}"
    );
    a.app.cleanup().await;
}
