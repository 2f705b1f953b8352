//! Two-factor sign-in: enrolment with a code from an authenticator app, the second step of
//! signing in (each code once, recovery codes once, throttled, within five minutes), and the
//! owner's rule that everyone must use it. Codes are computed here by an RFC 6238
//! implementation of the tests' own.

use app::api::auth::SignIn;
use app::api::tenants::ListTenants;
use app::api::two_factor::{
    BeginTwoFactor, ConfirmTwoFactor, DisableTwoFactor, GetTwoFactor, NewRecoveryCodes,
    ResetMemberTwoFactor, SetTwoFactorRequired, VerifySignInCode,
};
use app::domain::Clock;
use app::domain::entities::{admin_user, audit_entry};
use app::error::AppError;
use app::types::{TwoFactorEnrolment, TwoFactorStatus};
use hmac::{Hmac, Mac};
use leptos::server_fn::ServerFn;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use time::Duration;

use crate::helpers::{Backend, FnResponse, OWNER_EMAIL, OWNER_PASSWORD, TestApp, client_with};
use crate::on_both_backends;
use crate::team::{PASSWORD, accept, join, ok, owner_app, token_of};

on_both_backends!(
    a_second_factor_is_asked_for_and_each_code_works_once,
    the_owner_can_require_two_factor_sign_in_for_everyone,
    recovery_codes_are_renewed_and_the_owner_can_reset_a_lost_phone,
);

fn base32(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.trim_end_matches('=').bytes() {
        let value = ALPHABET.iter().position(|a| *a == c).expect("base32") as u32;
        bits = (bits << 5) | value;
        count += 5;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    out
}

/// RFC 6238 with HMAC-SHA-1, six digits, 30-second steps (RFC 4226 §5.3 truncation).
fn code_at(secret: &str, unix: i64) -> String {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(&base32(secret)).expect("key");
    mac.update(&((unix / 30) as u64).to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = usize::from(h[19] & 0x0f);
    let bin = (u32::from(h[offset]) & 0x7f) << 24
        | u32::from(h[offset + 1]) << 16
        | u32::from(h[offset + 2]) << 8
        | u32::from(h[offset + 3]);
    format!("{:06}", bin % 1_000_000)
}

#[test]
fn the_tests_own_codes_match_rfc_6238() {
    // Appendix B: the ASCII secret "12345678901234567890", in base32.
    let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    assert_eq!(code_at(secret, 59), "287082");
    assert_eq!(code_at(secret, 1_111_111_109), "081804");
    assert_eq!(code_at(secret, 20_000_000_000), "353130");
}

fn now(app: &TestApp) -> i64 {
    app.clock.now().unix_timestamp()
}

/// Sets up two-factor sign-in for the account signed in on `client`; returns its secret and
/// recovery codes.
async fn enrol(app: &TestApp, client: &reqwest::Client) -> (String, Vec<String>) {
    let enrolment: TwoFactorEnrolment = ok(app.call_with(client, BeginTwoFactor::PATH, &[]).await);
    assert!(
        enrolment.uri.starts_with("otpauth://totp/"),
        "{}",
        enrolment.uri
    );
    assert!(
        enrolment
            .uri
            .contains(&format!("secret={}", enrolment.secret))
    );
    assert!(enrolment.qr_size >= 29 && enrolment.qr_path.starts_with("M4 4h1v1h-1z"));
    let right = code_at(&enrolment.secret, now(app));
    let wrong = format!(
        "{:06}",
        (right.parse::<u32>().expect("digits") + 1) % 1_000_000
    );
    let refused = app
        .call_with(client, ConfirmTwoFactor::PATH, &[("code", &wrong)])
        .await;
    assert!(
        matches!(refused.app_error(), AppError::Validation(_)),
        "{refused:?}"
    );
    let codes: Vec<String> = ok(app
        .call_with(client, ConfirmTwoFactor::PATH, &[("code", &right)])
        .await);
    assert_eq!(codes.len(), 10);
    (enrolment.secret, codes)
}

async fn password_step(app: &TestApp, email: &str, password: &str) -> reqwest::Client {
    let browser = client_with(Default::default());
    let answer = app
        .call_with(
            &browser,
            SignIn::PATH,
            &[("email", email), ("password", password)],
        )
        .await;
    assert!(answer.is_ok(), "{answer:?}");
    assert!(
        format!("{:?}", answer.headers).contains("/sign-in/two-factor"),
        "sent on to the second step: {answer:?}"
    );
    assert_eq!(app.whoami_with(&browser).await, None, "not signed in yet");
    browser
}

async fn second_step(app: &TestApp, browser: &reqwest::Client, code: &str) -> FnResponse {
    app.call_with(browser, VerifySignInCode::PATH, &[("code", code)])
        .await
}

async fn a_second_factor_is_asked_for_and_each_code_works_once(backend: Backend) {
    let app = owner_app(backend).await;
    let (secret, recovery) = enrol(&app, &app.client).await;
    let status: TwoFactorStatus = ok(app.call::<GetTwoFactor>(&[]).await);
    assert_eq!(status.recovery_codes_left, 10);
    assert!(status.enabled_at.is_some());
    let owner = admin_user::Entity::find()
        .one(&app.state.db)
        .await
        .expect("row")
        .expect("owner");
    let sealed = owner.totp_secret.expect("sealed secret");
    assert!(
        !sealed.windows(20).any(|w| w == base32(&secret).as_slice()),
        "stored sealed"
    );

    // The code that turned it on was used: it does not sign in.
    let laptop = password_step(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let replayed = second_step(&app, &laptop, &code_at(&secret, now(&app))).await;
    assert!(
        matches!(replayed.app_error(), AppError::Validation(_)),
        "{replayed:?}"
    );
    app.clock.advance(Duration::seconds(30));
    let fresh = code_at(&secret, now(&app));
    assert!(second_step(&app, &laptop, &fresh).await.is_ok());
    let me = app.whoami_with(&laptop).await.expect("signed in");
    assert_eq!(me.email, OWNER_EMAIL);

    // The same code in another browser within its window: refused.
    let phone = password_step(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert!(matches!(
        second_step(&app, &phone, &fresh).await.app_error(),
        AppError::Validation(_)
    ));
    // A recovery code, typed loosely, works once.
    let loose = recovery[3].replace('-', " ").to_uppercase();
    assert!(second_step(&app, &phone, &loose).await.is_ok());
    assert!(app.whoami_with(&phone).await.is_some());
    let tablet = password_step(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert!(matches!(
        second_step(&app, &tablet, &recovery[3]).await.app_error(),
        AppError::Validation(_)
    ));
    let status: TwoFactorStatus = ok(app.call_with(&phone, GetTwoFactor::PATH, &[]).await);
    assert_eq!(status.recovery_codes_left, 9);

    // Guessing is throttled: after five wrong codes for the account (the tablet's was the
    // first), each further attempt waits, right or wrong.
    let guesser = password_step(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let mut answers = Vec::new();
    for guess in ["111111", "222222", "333333", "444444"] {
        answers.push(second_step(&app, &guesser, guess).await.app_error());
    }
    assert!(
        answers.iter().all(|e| matches!(e, AppError::Validation(_))),
        "{answers:?}"
    );
    let right_but_late = second_step(&app, &guesser, &recovery[0]).await;
    assert!(
        matches!(right_but_late.app_error(), AppError::RateLimited { .. }),
        "{right_but_late:?}"
    );

    // The second step waits five minutes for its code.
    let slow = password_step(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    app.clock.advance(Duration::minutes(6));
    let late = second_step(&app, &slow, &code_at(&secret, now(&app))).await;
    assert_eq!(late.app_error(), AppError::Unauthenticated);

    let entries = audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.eq("admin.sign_in"))
        .all(&app.state.db)
        .await
        .expect("audit");
    let factors: Vec<String> = entries.iter().filter_map(|e| e.details.clone()).collect();
    assert!(
        factors.iter().any(|d| d.contains("\"totp\"")),
        "{factors:?}"
    );
    assert!(
        factors.iter().any(|d| d.contains("recovery_code")),
        "{factors:?}"
    );
    app.cleanup().await;
}

async fn the_owner_can_require_two_factor_sign_in_for_everyone(backend: Backend) {
    let app = owner_app(backend).await;
    let (admin, admin_id) = join(&app, "admin@example.com", "admin").await;
    let early = app
        .call::<SetTwoFactorRequired>(&[("required", "true")])
        .await;
    assert!(
        matches!(early.app_error(), AppError::Validation(_)),
        "the owner first: {early:?}"
    );
    let by_admin = app
        .call_with(&admin, SetTwoFactorRequired::PATH, &[("required", "true")])
        .await;
    assert_eq!(by_admin.app_error(), AppError::Forbidden);

    let (owner_secret, _) = enrol(&app, &app.client).await;
    assert!(
        app.call::<SetTwoFactorRequired>(&[("required", "true")])
            .await
            .is_ok()
    );

    // The admin without it can do nothing but set it up.
    let listed = app
        .call_with(
            &admin,
            ListTenants::PATH,
            &[("search", ""), ("sort", "name")],
        )
        .await;
    assert_eq!(listed.app_error(), AppError::Forbidden);
    let page = admin.get(app.url("/tenants")).send().await.expect("page");
    assert_eq!(page.status(), 303);
    assert_eq!(page.headers()["location"], "/two-factor");
    let setup_page = admin
        .get(app.url("/two-factor"))
        .send()
        .await
        .expect("page");
    assert_eq!(setup_page.status(), 200);
    let (admin_secret, _) = enrol(&app, &admin).await;
    let listed = app
        .call_with(
            &admin,
            ListTenants::PATH,
            &[("search", ""), ("sort", "name")],
        )
        .await;
    assert!(listed.is_ok(), "{listed:?}");
    let off = app
        .call_with(&admin, DisableTwoFactor::PATH, &[("password", PASSWORD)])
        .await;
    assert!(
        matches!(off.app_error(), AppError::Conflict(_)),
        "required: {off:?}"
    );

    // A password reset leaves the second factor in place.
    let reset: app::types::CreatedInvitation = ok(app
        .call::<app::api::team::ResetMemberPassword>(&[("id", &admin_id)])
        .await);
    let phone = client_with(Default::default());
    let used = accept(
        &app,
        &phone,
        &token_of(&reset),
        "the admin's new passphrase",
    )
    .await;
    assert!(used.is_ok(), "{used:?}");
    assert_eq!(
        app.whoami_with(&phone).await,
        None,
        "the second factor is still to come"
    );
    app.clock.advance(Duration::seconds(30));
    assert!(
        second_step(&app, &phone, &code_at(&admin_secret, now(&app)))
            .await
            .is_ok()
    );
    assert!(app.whoami_with(&phone).await.is_some());

    // No longer required: it can be turned off, with the password.
    assert!(app.call::<SetTwoFactorRequired>(&[]).await.is_ok());
    let wrong = app
        .call::<DisableTwoFactor>(&[("password", "not the password")])
        .await;
    assert!(matches!(wrong.app_error(), AppError::Validation(_)));
    assert!(
        app.call::<DisableTwoFactor>(&[("password", OWNER_PASSWORD)])
            .await
            .is_ok()
    );
    let plain = client_with(Default::default());
    assert!(
        app.call_with(
            &plain,
            SignIn::PATH,
            &[("email", OWNER_EMAIL), ("password", OWNER_PASSWORD)]
        )
        .await
        .is_ok()
    );
    assert!(app.whoami_with(&plain).await.is_some(), "one step again");
    let _ = owner_secret;
    app.cleanup().await;
}

async fn recovery_codes_are_renewed_and_the_owner_can_reset_a_lost_phone(backend: Backend) {
    let app = owner_app(backend).await;
    let (admin, admin_id) = join(&app, "admin@example.com", "admin").await;
    let (_, old_codes) = enrol(&app, &admin).await;

    let wrong = app
        .call_with(&admin, NewRecoveryCodes::PATH, &[("password", "not it")])
        .await;
    assert!(matches!(wrong.app_error(), AppError::Validation(_)));
    let new_codes: Vec<String> = ok(app
        .call_with(&admin, NewRecoveryCodes::PATH, &[("password", PASSWORD)])
        .await);
    assert_eq!(new_codes.len(), 10);
    assert!(new_codes.iter().all(|c| !old_codes.contains(c)));
    let laptop = password_step(&app, "admin@example.com", PASSWORD).await;
    assert!(
        matches!(
            second_step(&app, &laptop, &old_codes[0]).await.app_error(),
            AppError::Validation(_)
        ),
        "the old codes are void"
    );
    assert!(second_step(&app, &laptop, &new_codes[0]).await.is_ok());

    // A lost phone: only the owner turns a member's second factor off, and it signs them out.
    let by_admin = app
        .call_with(&admin, ResetMemberTwoFactor::PATH, &[("id", &admin_id)])
        .await;
    assert_eq!(by_admin.app_error(), AppError::Forbidden);
    let owner_id = crate::team::team_of(&app, &app.client).await.members[0]
        .id
        .clone();
    let own = app.call::<ResetMemberTwoFactor>(&[("id", &owner_id)]).await;
    assert!(matches!(own.app_error(), AppError::Validation(_)));
    assert!(
        app.call::<ResetMemberTwoFactor>(&[("id", &admin_id)])
            .await
            .is_ok()
    );
    assert_eq!(app.whoami_with(&admin).await, None);
    assert_eq!(app.whoami_with(&laptop).await, None);
    let again = app.call::<ResetMemberTwoFactor>(&[("id", &admin_id)]).await;
    assert_eq!(
        again.app_error(),
        AppError::NotFound,
        "nothing left to turn off"
    );
    let plain = client_with(Default::default());
    assert!(
        app.call_with(
            &plain,
            SignIn::PATH,
            &[("email", "admin@example.com"), ("password", PASSWORD)]
        )
        .await
        .is_ok()
    );
    assert!(app.whoami_with(&plain).await.is_some(), "one step again");
    let entry = audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.eq("admin.two_factor_reset"))
        .one(&app.state.db)
        .await
        .expect("audit")
        .expect("an entry");
    assert!(
        entry
            .details
            .as_deref()
            .unwrap_or("")
            .contains("\"sessions_ended\":2"),
        "{:?}",
        entry.details
    );
    app.cleanup().await;
}
