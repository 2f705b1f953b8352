//! The end user's pages in their language: chosen from `Accept-Language`, switched with plain
//! links (no script) and remembered through the provider's round trip.

use std::collections::HashMap;
use std::sync::Arc;

use reqwest::cookie::Jar;
use serde_json::json;

use crate::helpers::{Backend, client_with};
use crate::mock_provider::GOOD_API_KEY;
use crate::on_both_backends;
use crate::rest::{Api, api};

on_both_backends!(
    the_connect_page_speaks_the_browsers_language,
    the_switcher_works_without_script_and_is_remembered_through_the_provider,
    credential_forms_and_their_errors_are_translated_with_the_catalog,
);

const GERMAN_MONTHS: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];

async fn new_link(a: &Api, connector: &str) -> (String, String) {
    let (status, link) = a
        .post(
            "/api/v1/connect-links",
            json!({"tenant": {"external_id": "cus_de", "name": "Initech"}, "connector": connector}),
        )
        .await;
    assert_eq!(status, 201, "{link}");
    (
        Api::path_of(link["url"].as_str().expect("url")),
        link["expires_at"].as_str().expect("expires_at").to_owned(),
    )
}

async fn page(
    browser: &reqwest::Client,
    url: String,
    accept: &str,
) -> (u16, reqwest::header::HeaderMap, String) {
    let response = browser
        .get(url)
        .header("accept-language", accept)
        .send()
        .await
        .expect("page");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.expect("html"))
}

async fn the_connect_page_speaks_the_browsers_language(backend: Backend) {
    let a = api(backend).await;
    a.oauth_connector().await;
    let (path, expires_at) = new_link(&a, "acme-crm").await;
    let browser = client_with(Arc::new(Jar::default()));

    let (status, headers, html) = page(&browser, a.app.url(&path), "de-AT,de;q=0.9,en;q=0.5").await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"<html lang="de">"#), "{html}");
    assert_eq!(headers["content-language"], "de");
    assert!(
        headers["vary"]
            .to_str()
            .expect("vary")
            .contains("Accept-Language")
    );
    assert!(html.contains("Acme CRM verbinden"), "{html}");
    assert!(html.contains("Weiter zu Acme CRM"), "{html}");
    assert!(html.contains("Link gültig bis"), "{html}");
    let expires =
        time::OffsetDateTime::parse(&expires_at, &time::format_description::well_known::Rfc3339)
            .expect("expiry");
    let german_date = format!(
        "{}. {} {}",
        expires.day(),
        GERMAN_MONTHS[usize::from(u8::from(expires.month())) - 1],
        expires.year()
    );
    assert!(html.contains(&german_date), "{german_date} in {html}");
    assert!(
        headers.get("set-cookie").is_none(),
        "nothing is remembered until the visitor picks"
    );

    // Japanese, and a language we do not speak falls back to English.
    let (_, _, html) = page(&browser, a.app.url(&path), "ja-JP").await;
    assert!(html.contains(r#"<html lang="ja">"#), "{html}");
    assert!(html.contains("Acme CRM を接続"), "{html}");
    let (_, headers, html) = page(&browser, a.app.url(&path), "ko-KR,zh;q=0.8").await;
    assert!(html.contains(r#"<html lang="en">"#), "{html}");
    assert_eq!(headers["content-language"], "en");
    assert!(html.contains("Connect Acme CRM"), "{html}");

    // A page that cannot be used says so in the visitor's language, too.
    let (status, _, html) = page(&browser, a.app.url("/connect/nonsense"), "fr-CA,fr").await;
    assert_eq!(status, 404);
    assert!(html.contains(r#"<html lang="fr">"#), "{html}");
    assert!(html.contains("Ce lien ne peut pas être utilisé"), "{html}");
    a.app.cleanup().await;
}

async fn the_switcher_works_without_script_and_is_remembered_through_the_provider(
    backend: Backend,
) {
    let a = api(backend).await;
    a.oauth_connector().await;
    let (path, _) = new_link(&a, "acme-crm").await;
    let browser = client_with(Arc::new(Jar::default()));

    // The switcher is a list of plain links to this page in each language.
    let (_, _, html) = page(&browser, a.app.url(&path), "en").await;
    for (tag, name) in [
        ("en", "English"),
        ("de", "Deutsch"),
        ("fr", "Français"),
        ("es", "Español"),
        ("pt-BR", "Português (Brasil)"),
        ("ja", "日本語"),
    ] {
        let link = format!(r#"href="{path}?lang={tag}" hreflang="{tag}" lang="{tag}""#);
        assert!(html.contains(&link), "{link} in {html}");
        assert!(html.contains(name), "{name}");
    }
    assert!(html.contains(r#"aria-current="true">English"#), "{html}");

    // Following one switches the page and remembers the choice over the browser's.
    let (status, headers, html) =
        page(&browser, a.app.url(&format!("{path}?lang=pt-BR")), "de").await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"<html lang="pt-BR">"#), "{html}");
    assert!(html.contains("Continuar para Acme CRM"), "{html}");
    let cookie = headers["set-cookie"].to_str().expect("cookie");
    assert!(cookie.starts_with("authlink_lang=pt-BR;"), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    let (_, _, html) = page(&browser, a.app.url(&path), "de").await;
    assert!(
        html.contains(r#"<html lang="pt-BR">"#),
        "remembered: {html}"
    );

    // The flow: refused at the provider, the failure page speaks Portuguese and offers Try again.
    let started = browser
        .post(a.app.url(&path))
        .header("origin", &a.app.base)
        .header("accept-language", "de")
        .send()
        .await
        .expect("start");
    assert_eq!(started.status(), 303);
    let query: HashMap<String, String> =
        url::Url::parse(started.headers()["location"].to_str().expect("location"))
            .expect("url")
            .query_pairs()
            .into_owned()
            .collect();
    let (status, _, html) = page(
        &browser,
        a.app.url(&format!(
            "/oauth/callback?error=access_denied&state={}",
            query["state"]
        )),
        "de",
    )
    .await;
    assert_eq!(status, 400);
    assert!(html.contains(r#"<html lang="pt-BR">"#), "{html}");
    assert!(html.contains("A conexão não foi concluída"), "{html}");
    assert!(
        html.contains("O acesso não foi concedido no provedor."),
        "{html}"
    );
    assert!(html.contains("Tentar novamente"), "{html}");
    assert!(
        !html.contains("hreflang"),
        "a callback's page cannot be reloaded in another language"
    );

    // Tried again and completed: the connected page, still in Portuguese.
    let again = browser
        .post(a.app.url("/oauth/retry"))
        .header("origin", &a.app.base)
        .form(&[("state", query["state"].as_str())])
        .send()
        .await
        .expect("retry");
    assert_eq!(again.status(), 303);
    let second: HashMap<String, String> =
        url::Url::parse(again.headers()["location"].to_str().expect("location"))
            .expect("url")
            .query_pairs()
            .into_owned()
            .collect();
    a.provider.issue_code("c-pt", &second["code_challenge"]);
    let (status, _, html) = page(
        &browser,
        a.app.url(&format!(
            "/oauth/callback?code=c-pt&state={}",
            second["state"]
        )),
        "ja",
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("Conexão concluída"), "{html}");
    assert!(
        html.contains("Acme CRM agora está conectado a Acme CRM."),
        "{html}"
    );
    a.app.cleanup().await;
}

async fn credential_forms_and_their_errors_are_translated_with_the_catalog(backend: Backend) {
    let a = api(backend).await;
    a.key_connector().await;
    let (path, _) = new_link(&a, "acme-api").await;
    let browser = client_with(Arc::new(Jar::default()));

    let (_, _, html) = page(&browser, a.app.url(&path), "de").await;
    assert!(
        html.contains(r#"<label for="field-api_key">API-Schlüssel"#),
        "{html}"
    );
    assert!(html.contains("Acme API verbinden"), "{html}");

    let refused = browser
        .post(a.app.url(&path))
        .header("origin", &a.app.base)
        .header("accept-language", "de")
        .form(&[("api_key", "")])
        .send()
        .await
        .expect("submit");
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.expect("html");
    assert!(
        html.contains("Bitte geben Sie Folgendes ein: API-Schlüssel."),
        "{html}"
    );
    assert!(
        html.contains("Einige Angaben müssen korrigiert werden."),
        "{html}"
    );

    // The same form in Japanese, then a good key: the green check is language-blind.
    let (_, _, html) = page(&browser, a.app.url(&path), "ja").await;
    assert!(html.contains(">API キー<"), "{html}");
    let done = browser
        .post(a.app.url(&path))
        .header("origin", &a.app.base)
        .header("accept-language", "ja")
        .form(&[("api_key", GOOD_API_KEY)])
        .send()
        .await
        .expect("submit");
    let status = done.status().as_u16();
    let html = done.text().await.expect("html");
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("接続しました"), "{html}");
    a.app.cleanup().await;
}
