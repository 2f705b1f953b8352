//! Settings → Branding: name, accent colour (refused below WCAG AA), support contact and logo
//! (PNG, JPEG or WebP within limits, re-encoded; anything else refused), and the end-user pages
//! that show them.

use std::io::Cursor;
use std::sync::Arc;

use app::api::settings::{GetBranding, SaveBranding};
use app::error::AppError;
use app::types::{Branding, limits};
use image::{DynamicImage, ImageFormat, RgbImage};
use reqwest::cookie::Jar;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::audit::audit;
use crate::helpers::{Backend, client_with};
use crate::on_both_backends;
use crate::rest::{Api, api};

on_both_backends!(
    branding_is_checked_saved_and_shown_to_end_users,
    logos_are_re_encoded_within_limits_and_other_files_refused,
);

async fn branding(a: &Api) -> Branding {
    let response = a.app.call::<GetBranding>(&[]).await;
    assert!(response.is_ok(), "{response:?}");
    serde_json::from_str(&response.body).expect("branding")
}

async fn save(a: &Api, accent: &str, email: &str, url: &str) -> crate::helpers::FnResponse {
    a.app
        .call::<SaveBranding>(&[
            ("product_name", "Acme Cloud"),
            ("accent_color", accent),
            ("support_email", email),
            ("support_url", url),
        ])
        .await
}

async fn page(url: String) -> (u16, String) {
    let browser = client_with(Arc::new(Jar::default()));
    let response = browser.get(url).send().await.expect("page");
    let status = response.status().as_u16();
    (status, response.text().await.expect("html"))
}

async fn new_link(a: &Api) -> String {
    let (status, link) = a
        .post(
            "/api/v1/connect-links",
            json!({"tenant": {"external_id": "cus_brand", "name": "Initech"}, "connector": "acme-crm"}),
        )
        .await;
    assert_eq!(status, 201, "{link}");
    Api::path_of(link["url"].as_str().expect("url"))
}

/// The end user denies access at the provider; answers the failure page.
async fn denied_page(a: &Api, path: &str) -> String {
    let done = a.end_user_oauth_response(&a.app.url(path), None).await;
    assert_eq!(done.status(), 400);
    done.text().await.expect("html")
}

async fn branding_is_checked_saved_and_shown_to_end_users(backend: Backend) {
    let a = api(backend).await;
    a.oauth_connector().await;
    let before = branding(&a).await;
    assert_eq!(before.product_name, "Acme CRM");
    assert_eq!(before.accent_color, None);
    assert!(!before.has_support());

    // Yellow on white fails AA; nothing at all is saved then, not even the name.
    let refused = save(&a, "#ffd43b", "help@acme.test", "").await;
    assert_eq!(refused.status, 422, "{refused:?}");
    let AppError::Validation(message) = refused.app_error() else {
        panic!("{refused:?}");
    };
    assert!(message.contains("4.5:1"), "{message}");
    assert_eq!(branding(&a).await, before);
    for (accent, email, url) in [
        ("navy", "", ""),
        ("", "help@acme.test\r\nBcc: x@evil.test", ""),
        ("", "", "javascript:alert(1)"),
    ] {
        assert_eq!(
            save(&a, accent, email, url).await.status,
            422,
            "{accent} {email} {url}"
        );
    }

    let saved = save(&a, "#1864AB", "help@acme.test", "https://acme.test/help").await;
    assert!(saved.is_ok(), "{saved:?}");
    let after = branding(&a).await;
    assert_eq!(after.product_name, "Acme Cloud");
    assert_eq!(after.accent_color.as_deref(), Some("#1864ab"));
    assert_eq!(after.support_url.as_deref(), Some("https://acme.test/help"));
    let entries = audit(&a, &[("action", "branding.update")]).await.entries;
    assert_eq!(entries.len(), 1);

    // The Connect page names the product and loads the theme, which is the accent's stylesheet.
    let path = new_link(&a).await;
    let (status, html) = page(a.app.url(&path)).await;
    assert_eq!(status, 200);
    assert!(html.contains("Acme Cloud"), "{html}");
    assert!(
        html.contains(r#"<link rel="stylesheet" href="/brand/theme/1864ab.css">"#),
        "{html}"
    );
    let theme = a
        .app
        .client
        .get(a.app.url("/brand/theme/1864ab.css"))
        .send()
        .await
        .expect("theme");
    assert_eq!(theme.status(), 200);
    assert_eq!(theme.headers()["content-type"], "text/css; charset=utf-8");
    assert!(
        theme
            .text()
            .await
            .expect("css")
            .contains("--accent:#1864ab;")
    );
    // No stylesheet for a colour that fails, whoever asks.
    let (status, _) = page(a.app.url("/brand/theme/ffd43b.css")).await;
    assert_eq!(status, 404);

    // Failure and unusable-link pages say whom to ask.
    let failed = denied_page(&a, &path).await;
    assert!(
        failed.contains(r#"href="mailto:help@acme.test""#),
        "{failed}"
    );
    assert!(
        failed.contains(r#"href="https://acme.test/help""#),
        "{failed}"
    );
    let (status, unknown) = page(a.app.url("/connect/not-a-link")).await;
    assert_eq!(status, 404);
    assert!(
        unknown.contains(r#"data-testid="support-contact""#),
        "{unknown}"
    );
    assert!(
        unknown.contains("Need help? Contact Acme Cloud:"),
        "{unknown}"
    );

    // Clearing the fields goes back to the built-in colour and no contact.
    assert!(save(&a, "", "", "").await.is_ok());
    let (_, unknown) = page(a.app.url("/connect/not-a-link")).await;
    assert!(!unknown.contains("support-contact"), "{unknown}");
    assert!(!unknown.contains("/brand/theme/"), "{unknown}");
    a.app.cleanup().await;
}

fn image_file(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let pixels = RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 7 % 256) as u8, (y * 3 % 256) as u8, 120])
    });
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(pixels)
        .write_to(&mut Cursor::new(&mut out), format)
        .expect("encode");
    out
}

/// A JPEG with a comment segment right after its start: metadata that must not survive.
fn jpeg_with_comment(comment: &[u8]) -> Vec<u8> {
    let jpeg = image_file(64, 32, ImageFormat::Jpeg);
    let length = u16::try_from(comment.len() + 2).expect("short comment");
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xff, 0xfe]);
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(comment);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// Posts the logo form as the Settings page does; answers the status and where it leads.
async fn upload(a: &Api, client: &reqwest::Client, file: Vec<u8>, name: &str) -> (u16, String) {
    let form = Form::new().part("logo", Part::bytes(file).file_name(name.to_owned()));
    post_form(a, client, form).await
}

async fn post_form(a: &Api, client: &reqwest::Client, form: Form) -> (u16, String) {
    let response = client
        .post(a.app.url("/settings/branding/logo"))
        .header("origin", &a.app.base)
        .header("sec-fetch-site", "same-origin")
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let location = response
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (response.status().as_u16(), location)
}

async fn logos_are_re_encoded_within_limits_and_other_files_refused(backend: Backend) {
    let a = api(backend).await;
    a.oauth_connector().await;
    let admin = &a.app.client;

    let (status, location) =
        upload(&a, admin, jpeg_with_comment(b"GPS 52.52N 13.40E"), "l.jpg").await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/settings?logo=saved#branding")
    );
    let logo_url = branding(&a).await.logo_url.expect("a logo");
    let served = admin.get(a.app.url(&logo_url)).send().await.expect("logo");
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.headers()["x-content-type-options"], "nosniff");
    assert!(
        served.headers()["cache-control"]
            .to_str()
            .expect("cc")
            .contains("immutable")
    );
    let png = served.bytes().await.expect("png");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(!png.windows(3).any(|w| w == b"GPS"), "metadata was dropped");
    let decoded = image::load_from_memory(&png).expect("decodes");
    assert_eq!((decoded.width(), decoded.height()), (64, 32));

    // End users see it, named for the product.
    let (_, html) = page(a.app.url(&new_link(&a).await)).await;
    assert!(
        html.contains(&format!(r#"<img src="{logo_url}" alt="Acme CRM logo">"#)),
        "{html}"
    );

    // Refused files leave the logo as it was, and say why.
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#.to_vec();
    let mut too_large = b"\x89PNG\r\n\x1a\n".to_vec();
    too_large.resize(limits::LOGO_MAX_BYTES + 1, 0);
    for (file, code) in [
        (svg, "logo_unsupported_type"),
        (b"GIF89a".to_vec(), "logo_unsupported_type"),
        (
            image_file(limits::LOGO_MAX_SIDE + 1, 20, ImageFormat::Png),
            "logo_too_many_pixels",
        ),
        (image_file(8, 8, ImageFormat::Png), "logo_too_few_pixels"),
        (b"\x89PNG\r\n\x1a\nnot really".to_vec(), "logo_unreadable"),
        (too_large, "logo_too_large"),
        (Vec::new(), "logo_missing"),
    ] {
        let (status, location) = upload(&a, admin, file, "logo.png").await;
        assert_eq!(status, 303);
        assert_eq!(location, format!("/settings?logo_error={code}#branding"));
    }
    assert_eq!(
        branding(&a).await.logo_url.as_deref(),
        Some(logo_url.as_str())
    );

    // A request body far over the limit is cut off before it is read.
    let huge = vec![0u8; limits::LOGO_MAX_BYTES * 2];
    assert_eq!(upload(&a, admin, huge, "big.png").await.0, 413);

    // Only a signed-in admin, from this site, may change it.
    let stranger = client_with(Arc::new(Jar::default()));
    let png = image_file(40, 40, ImageFormat::Png);
    let (status, location) = upload(&a, &stranger, png.clone(), "l.png").await;
    assert_eq!((status, location.as_str()), (303, "/sign-in"));
    let cross_site = admin
        .post(a.app.url("/settings/branding/logo"))
        .header("origin", "https://evil.test")
        .header("sec-fetch-site", "cross-site")
        .multipart(Form::new().part("logo", Part::bytes(png.clone())))
        .send()
        .await
        .expect("post");
    assert_eq!(cross_site.status(), 403);

    // Another upload replaces the first, under a new address.
    let (status, _) = upload(&a, admin, png, "l.png").await;
    assert_eq!(status, 303);
    let replaced = branding(&a).await.logo_url.expect("logo");
    assert_ne!(replaced, logo_url);
    assert_eq!(
        page(a.app.url(&logo_url)).await.0,
        404,
        "the old address is gone"
    );

    let (status, location) = post_form(&a, admin, Form::new().text("remove", "1")).await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/settings?logo=removed#branding")
    );
    assert_eq!(branding(&a).await.logo_url, None);
    assert_eq!(page(a.app.url(&replaced)).await.0, 404);
    assert_eq!(
        audit(&a, &[("action", "branding.update")])
            .await
            .entries
            .len(),
        3
    );
    a.app.cleanup().await;
}
