//! The dashboard team: invitations that work once, roles enforced on every server function,
//! removal and password resets that end sessions, and ownership that moves whole.

use app::api::team::{
    AcceptInvitation, ChangeMemberRole, GetInvitation, GetTeam, InviteMember, RemoveMember,
    ResetMemberPassword, RevokeInvitation, TransferOwnership,
};
use app::domain::Clock;
use app::domain::crypto::token_hash;
use app::domain::entities::{audit_entry, invitation};
use app::error::AppError;
use app::types::{CreatedInvitation, InvitationPurpose, Role, TeamOverview};
use leptos::server_fn::ServerFn;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use time::Duration;

use crate::helpers::{
    Backend, FnResponse, OWNER_EMAIL, OWNER_PASSWORD, TestApp, client_with, spawn_app,
};
use crate::on_both_backends;

on_both_backends!(
    an_invitation_creates_one_account_and_then_opens_nothing,
    expired_replaced_and_withdrawn_invitations_open_nothing,
    every_server_function_checks_the_role,
    a_removed_member_is_signed_out_at_once,
    ownership_moves_whole_and_there_is_always_one_owner,
    a_password_reset_replaces_the_password_and_ends_every_session,
    an_invitation_is_emailed_with_a_token_of_its_own,
);

pub(crate) const PASSWORD: &str = "a long enough passphrase";

pub(crate) async fn owner_app(backend: Backend) -> TestApp {
    let app = spawn_app(backend).await;
    assert!(app.setup_owner(OWNER_EMAIL, OWNER_PASSWORD).await.is_ok());
    app
}

pub(crate) fn ok<T: serde::de::DeserializeOwned>(response: FnResponse) -> T {
    assert!(response.is_ok(), "{response:?}");
    serde_json::from_str(&response.body).expect("json")
}

pub(crate) fn token_of(created: &CreatedInvitation) -> String {
    created
        .url
        .rsplit_once("/invite/")
        .map(|(_, token)| token.to_owned())
        .expect("an invitation URL")
}

async fn invite(app: &TestApp, email: &str, role: &str) -> FnResponse {
    app.call::<InviteMember>(&[("email", email), ("role", role)])
        .await
}

pub(crate) async fn accept(
    app: &TestApp,
    client: &reqwest::Client,
    token: &str,
    password: &str,
) -> FnResponse {
    app.call_with(
        client,
        AcceptInvitation::PATH,
        &[
            ("token", token),
            ("password", password),
            ("password_confirmation", password),
        ],
    )
    .await
}

/// Invites `email` with `role` and accepts in a browser of its own, which stays signed in.
pub(crate) async fn join(app: &TestApp, email: &str, role: &str) -> (reqwest::Client, String) {
    let created: CreatedInvitation = ok(invite(app, email, role).await);
    let browser = client_with(Default::default());
    assert!(
        accept(app, &browser, &token_of(&created), PASSWORD)
            .await
            .is_ok()
    );
    let team: TeamOverview = ok(app.call::<GetTeam>(&[]).await);
    let id = team
        .members
        .iter()
        .find(|m| m.email == email)
        .map(|m| m.id.clone())
        .expect("a member");
    (browser, id)
}

pub(crate) async fn team_of(app: &TestApp, client: &reqwest::Client) -> TeamOverview {
    ok(app.call_with(client, GetTeam::PATH, &[]).await)
}

async fn an_invitation_creates_one_account_and_then_opens_nothing(backend: Backend) {
    let app = owner_app(backend).await;
    let created: CreatedInvitation = ok(invite(&app, "  Vera@Example.com ", "viewer").await);
    assert_eq!(created.info.email, "vera@example.com");
    assert_eq!(created.info.purpose, InvitationPurpose::Join);
    assert_eq!(created.info.role, Role::Viewer);
    assert!(!created.emailed, "no mail server here");
    assert_eq!(created.info.expires_at - app.clock.now(), Duration::days(7));
    let token = token_of(&created);
    assert!(token.len() >= 43, "256 bits: {token}");

    // Only the hash is stored.
    let rows = invitation::Entity::find()
        .all(&app.state.db)
        .await
        .expect("rows");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].token_hash, token_hash(&token).to_vec());

    let invitee = client_with(Default::default());
    let view: app::types::InvitationView = ok(app
        .call_with(&invitee, GetInvitation::PATH, &[("token", &token)])
        .await);
    assert_eq!(
        (view.email.as_str(), view.role),
        ("vera@example.com", Role::Viewer)
    );
    assert_eq!(view.product_name, "Acme CRM");

    let mismatch = app
        .call_with(
            &invitee,
            AcceptInvitation::PATH,
            &[
                ("token", &token),
                ("password", PASSWORD),
                ("password_confirmation", "other"),
            ],
        )
        .await;
    assert!(matches!(mismatch.app_error(), AppError::Validation(_)));
    let short = accept(&app, &invitee, &token, "short").await;
    assert!(matches!(short.app_error(), AppError::Validation(_)));

    let joined = accept(&app, &invitee, &token, PASSWORD).await;
    assert!(joined.is_ok(), "{joined:?}");
    let me = app
        .whoami_with(&invitee)
        .await
        .expect("signed in on accepting");
    assert_eq!(
        (me.email.as_str(), me.role),
        ("vera@example.com", Role::Viewer)
    );

    // Once only, whoever asks.
    let stranger = client_with(Default::default());
    assert_eq!(
        accept(&app, &stranger, &token, PASSWORD).await.app_error(),
        AppError::NotFound
    );
    let again = app
        .call_with(&stranger, GetInvitation::PATH, &[("token", &token)])
        .await;
    assert_eq!(again.app_error(), AppError::NotFound);
    assert_eq!(app.whoami_with(&stranger).await, None);

    let team = team_of(&app, &app.client).await;
    let emails: Vec<_> = team
        .members
        .iter()
        .map(|m| (m.email.as_str(), m.role))
        .collect();
    assert_eq!(
        emails,
        [
            (OWNER_EMAIL, Role::Owner),
            ("vera@example.com", Role::Viewer)
        ]
    );
    assert!(team.pending.is_empty());

    // Signing in with the chosen password works.
    let later = client_with(Default::default());
    let signed_in = app
        .call_with(
            &later,
            app::api::auth::SignIn::PATH,
            &[("email", "vera@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert!(signed_in.is_ok(), "{signed_in:?}");

    for action in ["admin.invite", "admin.join"] {
        let entries = audit_entry::Entity::find()
            .filter(audit_entry::Column::Action.eq(action))
            .all(&app.state.db)
            .await
            .expect("audit");
        assert_eq!(entries.len(), 1, "{action}");
        assert!(!entries[0].details.as_deref().unwrap_or("").contains(&token));
    }
    app.cleanup().await;
}

async fn expired_replaced_and_withdrawn_invitations_open_nothing(backend: Backend) {
    let app = owner_app(backend).await;
    let owner_role = invite(&app, "olga@example.com", "owner").await;
    assert!(matches!(owner_role.app_error(), AppError::Validation(_)));
    let member = invite(&app, OWNER_EMAIL, "admin").await;
    assert!(matches!(member.app_error(), AppError::Conflict(_)));
    let bad = invite(&app, "not an address", "admin").await;
    assert!(matches!(bad.app_error(), AppError::Validation(_)));
    assert_eq!(
        invitation::Entity::find()
            .count(&app.state.db)
            .await
            .expect("count"),
        0
    );

    let first: CreatedInvitation = ok(invite(&app, "ada@example.com", "admin").await);
    let second: CreatedInvitation = ok(invite(&app, "ada@example.com", "viewer").await);
    let browser = client_with(Default::default());
    assert_eq!(
        accept(&app, &browser, &token_of(&first), PASSWORD)
            .await
            .app_error(),
        AppError::NotFound,
        "a newer invitation replaces the older one"
    );
    let team = team_of(&app, &app.client).await;
    assert_eq!(team.pending.len(), 1);
    assert_eq!(team.pending[0].role, Role::Viewer);

    app.clock.advance(Duration::days(7) + Duration::seconds(1));
    assert_eq!(
        accept(&app, &browser, &token_of(&second), PASSWORD)
            .await
            .app_error(),
        AppError::NotFound,
        "expired"
    );
    // The owner's session has timed out meanwhile too.
    assert!(app.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await.is_ok());
    assert!(team_of(&app, &app.client).await.pending.is_empty());

    let third: CreatedInvitation = ok(invite(&app, "ada@example.com", "viewer").await);
    assert!(
        app.call::<RevokeInvitation>(&[("id", &third.info.id)])
            .await
            .is_ok()
    );
    assert_eq!(
        accept(&app, &browser, &token_of(&third), PASSWORD)
            .await
            .app_error(),
        AppError::NotFound,
        "withdrawn"
    );
    let twice = app
        .call::<RevokeInvitation>(&[("id", &third.info.id)])
        .await;
    assert_eq!(twice.app_error(), AppError::NotFound);
    assert_eq!(app.whoami_with(&browser).await, None);
    app.cleanup().await;
}

/// One server function, what it is called with, and the least role that may call it. The
/// arguments are chosen so that an allowed call changes nothing lasting (an unknown id, a value
/// the domain refuses, an action on oneself it forbids), so one table serves every role.
struct Case {
    path: &'static str,
    body: Body,
    least: Role,
}

enum Body {
    Form(Vec<(&'static str, String)>),
    Json(serde_json::Value),
}

fn form(path: &'static str, fields: &[(&'static str, &str)], least: Role) -> Case {
    Case {
        path,
        body: Body::Form(fields.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()),
        least,
    }
}

fn json(path: &'static str, body: serde_json::Value, least: Role) -> Case {
    Case {
        path,
        body: Body::Json(body),
        least,
    }
}

/// Server functions anyone may call: they sign in, set up, or use an invitation's token.
const PUBLIC: [&str; 9] = [
    app::api::auth::SetupOwner::PATH,
    app::api::auth::SetupNeedsCode::PATH,
    app::api::auth::SignIn::PATH,
    app::api::auth::SignOut::PATH,
    app::api::auth::GetCurrentUser::PATH,
    GetInvitation::PATH,
    AcceptInvitation::PATH,
    app::api::two_factor::VerifySignInCode::PATH,
    app::api::auth::SignInOptions::PATH,
];

fn role_cases(unknown: &str, owner_id: &str) -> Vec<Case> {
    use app::api::{
        audit, auth, connectors, environments, links, settings, tenants, two_factor, webhooks,
    };
    use serde_json::json as j;

    let id = [("id", unknown)];
    vec![
        form(
            auth::ChangePassword::PATH,
            &[
                ("current_password", "wrong"),
                ("new_password", "x"),
                ("new_password_confirmation", "y"),
            ],
            Role::Viewer,
        ),
        form(GetTeam::PATH, &[], Role::Viewer),
        form(two_factor::GetTwoFactor::PATH, &[], Role::Viewer),
        form(two_factor::BeginTwoFactor::PATH, &[], Role::Viewer),
        form(
            two_factor::ConfirmTwoFactor::PATH,
            &[("code", "not a code")],
            Role::Viewer,
        ),
        form(
            two_factor::DisableTwoFactor::PATH,
            &[("password", "not the password")],
            Role::Viewer,
        ),
        form(two_factor::SetTwoFactorRequired::PATH, &[], Role::Owner),
        form(
            two_factor::NewRecoveryCodes::PATH,
            &[("password", "not the password")],
            Role::Viewer,
        ),
        form(two_factor::ResetMemberTwoFactor::PATH, &id, Role::Owner),
        form(
            InviteMember::PATH,
            &[("email", "bad"), ("role", "viewer")],
            Role::Admin,
        ),
        form(RevokeInvitation::PATH, &id, Role::Admin),
        form(
            ChangeMemberRole::PATH,
            &[("id", unknown), ("role", "admin")],
            Role::Owner,
        ),
        form(TransferOwnership::PATH, &[("id", owner_id)], Role::Owner),
        form(ResetMemberPassword::PATH, &[("id", owner_id)], Role::Owner),
        form(RemoveMember::PATH, &id, Role::Owner),
        form(
            tenants::ListTenants::PATH,
            &[("search", ""), ("sort", "name")],
            Role::Viewer,
        ),
        form(
            tenants::CreateTenant::PATH,
            &[("name", ""), ("external_id", "")],
            Role::Admin,
        ),
        form(
            tenants::UpdateTenant::PATH,
            &[("id", unknown), ("name", "x"), ("external_id", "x")],
            Role::Admin,
        ),
        form(tenants::DeleteTenant::PATH, &id, Role::Admin),
        form(tenants::GetTenantDetails::PATH, &id, Role::Viewer),
        form(
            tenants::Disconnect::PATH,
            &[("tenant_id", unknown), ("connector_id", unknown)],
            Role::Admin,
        ),
        form(
            tenants::GetOverview::PATH,
            &[("only_problems", "false")],
            Role::Viewer,
        ),
        form(connectors::ListProviders::PATH, &[], Role::Viewer),
        form(connectors::ListConnectors::PATH, &[], Role::Viewer),
        form(connectors::GetConnector::PATH, &id, Role::Viewer),
        form(connectors::RedirectUri::PATH, &[], Role::Viewer),
        form(
            connectors::SaveConnector::PATH,
            &[("provider", "no_such_provider"), ("name", "x")],
            Role::Admin,
        ),
        form(
            connectors::SetConnectorEnabled::PATH,
            &[("id", unknown), ("enabled", "false")],
            Role::Admin,
        ),
        form(
            connectors::DeleteConnector::PATH,
            &[("id", unknown), ("delete_connections", "false")],
            Role::Admin,
        ),
        json(
            links::GenerateLink::PATH,
            j!({"tenant_id": unknown, "connector_id": unknown, "expires_in_minutes": 60, "single_use": true, "note": "", "presets": []}),
            Role::Admin,
        ),
        form(links::RevokeLink::PATH, &id, Role::Admin),
        form(settings::ListApiKeys::PATH, &[], Role::Admin),
        json(
            settings::CreateApiKey::PATH,
            j!({"name": "", "scopes": ["tenants:read"]}),
            Role::Admin,
        ),
        json(
            settings::CreateApiKey::PATH,
            j!({"name": "", "scopes": ["credentials:read"]}),
            Role::Owner,
        ),
        form(settings::RevokeApiKey::PATH, &id, Role::Admin),
        form(settings::ListCallbackOrigins::PATH, &[], Role::Viewer),
        form(
            settings::AddCallbackOrigin::PATH,
            &[("origin", "not an origin")],
            Role::Admin,
        ),
        form(settings::RemoveCallbackOrigin::PATH, &id, Role::Admin),
        form(settings::GetAlertSettings::PATH, &[], Role::Viewer),
        form(
            settings::SetAlerts::PATH,
            &[("enabled", "true")],
            Role::Viewer,
        ),
        form(settings::GetBranding::PATH, &[], Role::Viewer),
        form(
            settings::SaveBranding::PATH,
            &[("product_name", "")],
            Role::Admin,
        ),
        form(webhooks::ListWebhookEndpoints::PATH, &[], Role::Admin),
        json(
            webhooks::CreateWebhookEndpoint::PATH,
            j!({"url": "not a url", "description": null, "event_types": []}),
            Role::Owner,
        ),
        form(webhooks::GetWebhookEndpoint::PATH, &id, Role::Admin),
        form(
            webhooks::SetWebhookEnabled::PATH,
            &[("id", unknown), ("enabled", "false")],
            Role::Admin,
        ),
        form(webhooks::DeleteWebhookEndpoint::PATH, &id, Role::Admin),
        form(webhooks::ReplayWebhookDelivery::PATH, &id, Role::Admin),
        form(audit::ListAudit::PATH, &[], Role::Admin),
        form(environments::GetEnvironments::PATH, &[], Role::Viewer),
        form(environments::SwitchEnvironment::PATH, &id, Role::Viewer),
        form(
            environments::CreateEnvironment::PATH,
            &[("name", "not a name")],
            Role::Owner,
        ),
        form(
            environments::RenameEnvironment::PATH,
            &[("id", unknown), ("name", "staging")],
            Role::Owner,
        ),
        form(environments::DeleteEnvironment::PATH, &id, Role::Owner),
    ]
}

async fn send(app: &TestApp, client: &reqwest::Client, case: &Case) -> FnResponse {
    match &case.body {
        Body::Form(fields) => {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.call_with(client, case.path, &fields).await
        }
        Body::Json(body) => app.call_json_with(client, case.path, body.clone()).await,
    }
}

async fn every_server_function_checks_the_role(backend: Backend) {
    let app = owner_app(backend).await;
    let (admin, _) = join(&app, "admin@example.com", "admin").await;
    let (viewer, viewer_id) = join(&app, "viewer@example.com", "viewer").await;
    let owner_id = team_of(&app, &app.client).await.members[0].id.clone();
    let unknown = uuid::Uuid::now_v7().to_string();
    let cases = role_cases(&unknown, &owner_id);

    // The table names every server function there is.
    let mut registered: Vec<&str> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path)
        .filter(|path| !PUBLIC.contains(path))
        .collect();
    registered.sort_unstable();
    let mut covered: Vec<&str> = cases.iter().map(|c| c.path).collect();
    covered.sort_unstable();
    covered.dedup();
    assert_eq!(covered, registered, "every server function has a row");

    let browsers = [
        (Role::Viewer, &viewer),
        (Role::Admin, &admin),
        (Role::Owner, &app.client),
    ];
    let stranger = client_with(Default::default());
    for c in &cases {
        for (role, browser) in &browsers {
            let answer = send(&app, browser, c).await;
            assert_ne!(
                answer.status,
                reqwest::StatusCode::BAD_REQUEST,
                "{}: the arguments are read ({})",
                c.path,
                answer.body
            );
            assert_eq!(
                answer.status == reqwest::StatusCode::FORBIDDEN,
                !role.allows(c.least),
                "{} as {role:?}: {} {}",
                c.path,
                answer.status,
                answer.body
            );
        }
        let answer = send(&app, &stranger, c).await;
        assert_eq!(
            answer.status,
            reqwest::StatusCode::UNAUTHORIZED,
            "{} signed out: {}",
            c.path,
            answer.body
        );
    }
    for (role, browser) in &browsers {
        assert!(
            app.whoami_with(browser).await.is_some(),
            "{role:?} is still signed in"
        );
    }

    // Leaving is allowed to anyone but the owner; removing others to the owner alone.
    let removed_by_admin = app
        .call_with(&admin, RemoveMember::PATH, &[("id", &viewer_id)])
        .await;
    assert_eq!(removed_by_admin.app_error(), AppError::Forbidden);
    let owner_leaves = app.call::<RemoveMember>(&[("id", &owner_id)]).await;
    assert!(matches!(owner_leaves.app_error(), AppError::Conflict(_)));
    let viewer_leaves = app
        .call_with(&viewer, RemoveMember::PATH, &[("id", &viewer_id)])
        .await;
    assert!(viewer_leaves.is_ok(), "{viewer_leaves:?}");
    assert_eq!(
        app.whoami_with(&viewer).await,
        None,
        "signed out on leaving"
    );
    app.cleanup().await;
}

async fn a_removed_member_is_signed_out_at_once(backend: Backend) {
    let app = owner_app(backend).await;
    let (admin, admin_id) = join(&app, "admin@example.com", "admin").await;
    let laptop = client_with(Default::default());
    assert!(
        app.call_with(
            &laptop,
            app::api::auth::SignIn::PATH,
            &[("email", "admin@example.com"), ("password", PASSWORD)],
        )
        .await
        .is_ok()
    );
    // A reset waiting for them goes too.
    let reset: CreatedInvitation = ok(app.call::<ResetMemberPassword>(&[("id", &admin_id)]).await);

    let removed = app.call::<RemoveMember>(&[("id", &admin_id)]).await;
    assert!(removed.is_ok(), "{removed:?}");
    assert_eq!(app.whoami_with(&admin).await, None);
    assert_eq!(app.whoami_with(&laptop).await, None);
    let stranger = client_with(Default::default());
    let back = app
        .call_with(
            &stranger,
            app::api::auth::SignIn::PATH,
            &[("email", "admin@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert!(matches!(back.app_error(), AppError::Validation(_)));
    assert_eq!(
        accept(
            &app,
            &stranger,
            &token_of(&reset),
            "another passphrase entirely"
        )
        .await
        .app_error(),
        AppError::NotFound
    );
    let entry = audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.eq("admin.remove"))
        .one(&app.state.db)
        .await
        .expect("audit")
        .expect("an entry");
    let details: serde_json::Value =
        serde_json::from_str(entry.details.as_deref().expect("details")).expect("json");
    assert_eq!(details["sessions_ended"], 2);
    app.cleanup().await;
}

async fn ownership_moves_whole_and_there_is_always_one_owner(backend: Backend) {
    let app = owner_app(backend).await;
    let (heir, heir_id) = join(&app, "heir@example.com", "viewer").await;
    let owner_id = team_of(&app, &app.client).await.members[0].id.clone();
    let promote = app
        .call::<ChangeMemberRole>(&[("id", &heir_id), ("role", "owner")])
        .await;
    assert!(
        matches!(promote.app_error(), AppError::Validation(_)),
        "ownership is handed on"
    );
    let demote_self = app
        .call::<ChangeMemberRole>(&[("id", &owner_id), ("role", "admin")])
        .await;
    assert!(matches!(demote_self.app_error(), AppError::Conflict(_)));

    let transferred = app.call::<TransferOwnership>(&[("id", &heir_id)]).await;
    assert!(transferred.is_ok(), "{transferred:?}");
    let team = team_of(&app, &heir).await;
    let roles: Vec<_> = team
        .members
        .iter()
        .map(|m| (m.email.as_str(), m.role))
        .collect();
    assert_eq!(
        roles,
        [
            ("heir@example.com", Role::Owner),
            (OWNER_EMAIL, Role::Admin)
        ]
    );
    assert_eq!(team.your_role, Role::Owner);
    assert_eq!(
        app.whoami().await.map(|u| u.role),
        Some(Role::Admin),
        "at once"
    );

    let back = app.call::<TransferOwnership>(&[("id", &owner_id)]).await;
    assert_eq!(
        back.app_error(),
        AppError::Forbidden,
        "only the owner hands ownership on"
    );
    let owner_leaves = app
        .call_with(&heir, RemoveMember::PATH, &[("id", &heir_id)])
        .await;
    assert!(
        matches!(owner_leaves.app_error(), AppError::Conflict(_)),
        "the owner cannot leave"
    );
    let demoted = app
        .call_with(
            &heir,
            ChangeMemberRole::PATH,
            &[("id", &owner_id), ("role", "viewer")],
        )
        .await;
    assert!(demoted.is_ok(), "{demoted:?}");
    assert_eq!(app.whoami().await.map(|u| u.role), Some(Role::Viewer));
    let owners = app::domain::entities::admin_user::Entity::find()
        .filter(app::domain::entities::admin_user::Column::Role.eq("owner"))
        .count(&app.state.db)
        .await
        .expect("count");
    assert_eq!(owners, 1);
    app.cleanup().await;
}

async fn a_password_reset_replaces_the_password_and_ends_every_session(backend: Backend) {
    let app = owner_app(backend).await;
    let (admin, admin_id) = join(&app, "admin@example.com", "admin").await;
    let owner_id = team_of(&app, &app.client).await.members[0].id.clone();
    let own = app.call::<ResetMemberPassword>(&[("id", &owner_id)]).await;
    assert!(matches!(own.app_error(), AppError::Validation(_)));
    let by_admin = app
        .call_with(&admin, ResetMemberPassword::PATH, &[("id", &owner_id)])
        .await;
    assert_eq!(by_admin.app_error(), AppError::Forbidden);

    let first: CreatedInvitation = ok(app.call::<ResetMemberPassword>(&[("id", &admin_id)]).await);
    assert_eq!(first.info.purpose, InvitationPurpose::PasswordReset);
    assert_eq!(first.info.expires_at - app.clock.now(), Duration::hours(24));
    assert!(
        app.whoami_with(&admin).await.is_some(),
        "nothing changes before it is used"
    );
    let reset: CreatedInvitation = ok(app.call::<ResetMemberPassword>(&[("id", &admin_id)]).await);
    let phone = client_with(Default::default());
    assert_eq!(
        accept(
            &app,
            &phone,
            &token_of(&first),
            "the replaced link's password"
        )
        .await
        .app_error(),
        AppError::NotFound
    );

    let new_password = "a new passphrase after the reset";
    let used = accept(&app, &phone, &token_of(&reset), new_password).await;
    assert!(used.is_ok(), "{used:?}");
    assert_eq!(app.whoami_with(&admin).await, None, "the old session ended");
    let me = app.whoami_with(&phone).await.expect("signed in here");
    assert_eq!(
        (me.email.as_str(), me.role),
        ("admin@example.com", Role::Admin)
    );
    let stranger = client_with(Default::default());
    let old = app
        .call_with(
            &stranger,
            app::api::auth::SignIn::PATH,
            &[("email", "admin@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert!(matches!(old.app_error(), AppError::Validation(_)));
    assert_eq!(
        accept(&app, &stranger, &token_of(&reset), "yet another passphrase")
            .await
            .app_error(),
        AppError::NotFound,
        "once"
    );

    let late: CreatedInvitation = ok(app.call::<ResetMemberPassword>(&[("id", &admin_id)]).await);
    app.clock
        .advance(Duration::hours(24) + Duration::seconds(1));
    assert_eq!(
        accept(&app, &stranger, &token_of(&late), "yet another passphrase")
            .await
            .app_error(),
        AppError::NotFound,
        "a reset lives a day"
    );
    app.cleanup().await;
}

async fn an_invitation_is_emailed_with_a_token_of_its_own(backend: Backend) {
    let Some((a, smtp)) = crate::emails::api_with_mail(backend, 0).await else {
        return;
    };
    let created: CreatedInvitation = ok(invite(&a.app, "mia@acme.example", "admin").await);
    assert!(created.emailed);
    assert_eq!(crate::emails::deliver(&a).await, 1);
    let mails = smtp.wait_for(1).await;
    let mail = &mails[0];
    assert_eq!(mail.to, ["mia@acme.example"]);
    let subject = mail.decoded_header("Subject").unwrap_or_default();
    assert!(
        subject.contains("invited") && subject.contains("Acme CRM"),
        "{subject}"
    );
    let body = mail.body();
    let emailed = body
        .split_whitespace()
        .find_map(|word| {
            word.split_once("/invite/")
                .map(|(_, token)| token.to_owned())
        })
        .unwrap_or_else(|| panic!("no link in {body}"));
    assert_ne!(
        emailed,
        token_of(&created),
        "the e-mail carries a token of its own"
    );
    assert!(body.contains("as admin"), "{body}");
    let row = app::domain::entities::email::Entity::find()
        .one(&a.app.state.db)
        .await
        .expect("row")
        .expect("an e-mail");
    assert_eq!(row.token_hash, Some(token_hash(&emailed).to_vec()));
    assert_eq!(row.body, None, "nothing of the message is stored");

    let browser = client_with(Default::default());
    assert!(accept(&a.app, &browser, &emailed, PASSWORD).await.is_ok());
    assert_eq!(
        accept(&a.app, &browser, &token_of(&created), PASSWORD)
            .await
            .app_error(),
        AppError::NotFound,
        "either token, once"
    );
    a.app.cleanup().await;
}
