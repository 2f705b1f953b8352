//! Wire types (DTOs) shared by server functions and the UI. Entities never cross the wire.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use time::OffsetDateTime;

pub mod environments;
pub mod team;

pub use environments::{ENVIRONMENT_NAME_MAX_CHARS, EnvironmentChoice, EnvironmentInfo};
pub use team::{
    CreatedInvitation, InvitationPurpose, InvitationView, PendingInvitation, SSO_ERRORS,
    SignInOptions, TeamMember, TeamOverview, TwoFactorEnrolment, TwoFactorStatus,
};

/// What an admin user may do. Ordered: an owner can do everything an admin can, and so on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads everything, changes nothing.
    Viewer,
    /// Manages tenants, connectors and links.
    Admin,
    /// Everything, including admin users and installation settings.
    Owner,
}

impl Role {
    /// The stored and displayed form.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Admin => "admin",
            Role::Owner => "owner",
        }
    }

    /// Whether this role includes everything `required` may do.
    pub fn allows(self, required: Role) -> bool {
        self >= required
    }
}

impl Role {
    /// The dashboard message that names it (`i18n::dashboard`).
    pub fn message_id(self) -> &'static str {
        match self {
            Role::Owner => "role-owner",
            Role::Admin => "role-admin",
            Role::Viewer => "role-viewer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "viewer" => Ok(Role::Viewer),
            "admin" => Ok(Role::Admin),
            "owner" => Ok(Role::Owner),
            other => Err(format!(
                "unknown role {other:?}; expected owner, admin or viewer"
            )),
        }
    }
}

/// The signed-in admin user as the UI sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    /// The account's e-mail address (its sign-in name).
    pub email: String,
    /// What the account may do.
    pub role: Role,
    /// The admin's product name, shown in the shell.
    pub product_name: String,
}

/// How an end user authenticates with a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMode {
    /// OAuth2 authorization code with PKCE.
    #[serde(rename = "oauth2")]
    OAuth2,
    /// One API key or token.
    ApiKey,
    /// Username and password (HTTP Basic).
    Basic,
    /// A provider-specific set of fields.
    Custom,
}

impl AuthMode {
    /// The dashboard message that names it (`i18n::dashboard`).
    pub fn message_id(self) -> &'static str {
        match self {
            AuthMode::OAuth2 => "auth-mode-oauth2",
            AuthMode::ApiKey => "auth-mode-api-key",
            AuthMode::Basic => "auth-mode-basic",
            AuthMode::Custom => "auth-mode-custom",
        }
    }
}

/// The kind of input a catalog field is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// Free text.
    #[default]
    Text,
    /// Hidden while typing.
    Password,
    /// A URL.
    Url,
    /// An e-mail address.
    Email,
    /// One of the field's options (a data-hosting region).
    Select,
}

impl FieldKind {
    /// The HTML `type` attribute of an `<input>` (a select is rendered as `<select>`).
    pub fn input_type(self) -> &'static str {
        match self {
            FieldKind::Text | FieldKind::Select => "text",
            FieldKind::Password => "password",
            FieldKind::Url => "url",
            FieldKind::Email => "email",
        }
    }
}

/// One choice of a select field, as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChoice {
    /// Submitted value.
    pub value: String,
    /// What the choice is called.
    pub label: String,
}

/// A catalog field as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldInfo {
    /// Form name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Help text.
    pub help: Option<String>,
    /// Input kind.
    pub kind: FieldKind,
    /// Secret (never shown again, never preset).
    pub secret: bool,
    /// Default value.
    pub default: Option<String>,
    /// The choices of a select field (empty for the other kinds).
    pub options: Vec<FieldChoice>,
}

/// A catalog provider as the Connectors page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderInfo {
    /// Catalog id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Category.
    pub category: String,
    /// Authentication mode.
    pub auth: AuthMode,
    /// Whether the admin supplies the URLs.
    pub generic: bool,
    /// Scopes requested by default.
    pub default_scopes: Vec<String>,
    /// Fields the end user (or a preset) supplies.
    pub fields: Vec<FieldInfo>,
    /// Provider documentation.
    pub docs: String,
}

/// Admin-supplied options of a connector; for generic templates they hold the URLs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConnectorOptions {
    /// Generic OAuth2: authorization endpoint.
    pub authorization_url: Option<String>,
    /// Generic OAuth2: token endpoint.
    pub token_url: Option<String>,
    /// Generic OAuth2: send client credentials with HTTP Basic instead of in the body.
    pub token_auth_basic: bool,
    /// Generic OAuth2: token revocation endpoint (RFC 7009), called on disconnect.
    pub revocation_url: Option<String>,
    /// Extra authorization request parameters (added to the catalog's).
    pub authorization_params: Vec<(String, String)>,
    /// Generic templates: URL that must answer 2xx for the credentials to count as valid.
    pub verify_url: Option<String>,
    /// Generic templates: URL whose JSON names the account.
    pub identity_url: Option<String>,
    /// Generic templates: JSON pointer into the identity response.
    pub identity_pointer: Option<String>,
    /// Generic API key: header carrying the key (default `Authorization`).
    pub header_name: Option<String>,
    /// Generic API key: text before the key in that header (default `Bearer `).
    pub header_prefix: Option<String>,
}

/// A configured connector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorInfo {
    /// Id.
    pub id: String,
    /// Short unique key used in the API and webhooks, e.g. `salesforce-prod`.
    pub key: String,
    /// Display name.
    pub name: String,
    /// Catalog provider id.
    pub provider_id: String,
    /// Catalog provider name.
    pub provider_name: String,
    /// Authentication mode.
    pub auth: AuthMode,
    /// Offered to tenants.
    pub enabled: bool,
    /// OAuth client id.
    pub client_id: Option<String>,
    /// Whether a client secret is stored (it is never sent back).
    pub has_client_secret: bool,
    /// Scopes requested.
    pub scopes: Vec<String>,
    /// Options.
    pub options: ConnectorOptions,
    /// Number of tenants connected through it.
    pub connection_count: u64,
}

/// How tenants are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenantSort {
    /// Name A→Z.
    #[default]
    Name,
    /// Newest first.
    Newest,
}

impl TenantSort {
    /// URL form.
    pub fn as_str(self) -> &'static str {
        match self {
            TenantSort::Name => "name",
            TenantSort::Newest => "newest",
        }
    }

    /// Parses the URL form; anything else is the default.
    pub fn parse(s: &str) -> Self {
        if s == "newest" {
            TenantSort::Newest
        } else {
            TenantSort::Name
        }
    }
}

/// A tenant in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The admin's own id for this customer.
    pub external_id: String,
    /// Creation time.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last change.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Connectors with a live connection.
    pub connected_count: u64,
}

/// One page of tenants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantPage {
    /// The rows.
    pub rows: Vec<TenantRow>,
    /// Cursor of the next page.
    pub next: Option<String>,
    /// Cursor of the previous page.
    pub prev: Option<String>,
}

/// A connection's state as shown to the admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    /// Credentials stored and usable.
    Connected,
    /// Usable now, but the access token expires soon and cannot be refreshed.
    ExpiresSoon,
    /// The provider refused the refresh token (or it expired): the tenant must reconnect.
    NeedsReauth,
    /// The last attempt (connecting or refreshing) failed.
    Error,
    /// Was connected; the admin disconnected it and its credentials are deleted.
    Disconnected,
    /// Never connected.
    NotConnected,
    /// The end user finished in exchange-code mode; the admin's backend has not redeemed the
    /// code yet, so nothing is usable.
    PendingConfirmation,
}

impl ConnectionStatus {
    /// The dashboard message that names it (`i18n::dashboard`).
    pub fn message_id(self) -> &'static str {
        match self {
            ConnectionStatus::Connected => "connection-status-connected",
            ConnectionStatus::ExpiresSoon => "connection-status-expires-soon",
            ConnectionStatus::NeedsReauth => "connection-status-needs-reauth",
            ConnectionStatus::Error => "connection-status-error",
            ConnectionStatus::Disconnected => "connection-status-disconnected",
            ConnectionStatus::NotConnected => "connection-status-not-connected",
            ConnectionStatus::PendingConfirmation => "connection-status-pending",
        }
    }

    /// Whether the admin should act on it.
    pub fn is_problem(self) -> bool {
        matches!(
            self,
            ConnectionStatus::ExpiresSoon | ConnectionStatus::NeedsReauth | ConnectionStatus::Error
        )
    }

    /// The machine form, as the API and CSS classes use it.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionStatus::Connected => "connected",
            ConnectionStatus::ExpiresSoon => "expires_soon",
            ConnectionStatus::NeedsReauth => "needs_reauth",
            ConnectionStatus::Error => "error",
            ConnectionStatus::Disconnected => "disconnected",
            ConnectionStatus::NotConnected => "not_connected",
            ConnectionStatus::PendingConfirmation => "pending_confirmation",
        }
    }
}

/// An event Authlink announces by webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// `connection.created`: A tenant connected a connector.
    ConnectionCreated,
    /// `connection.updated`: A tenant reconnected a working connection.
    ConnectionUpdated,
    /// `connection.recovered`: A broken connection works again.
    ConnectionRecovered,
    /// `connection.failed`: An end user's attempt to connect failed.
    ConnectionFailed,
    /// `connection.refresh_failed`: A token refresh failed; the connection needs attention.
    ConnectionRefreshFailed,
    /// `connection.deleted`: A connection was disconnected.
    ConnectionDeleted,
    /// `connection.account_mismatch`: A reconnect landed on another provider account and was
    /// refused.
    ConnectionAccountMismatch,
    /// `connection.expiring`: A working connection's access token expires within 7 days (then
    /// within 1 day) and cannot be refreshed: the tenant must reconnect.
    ConnectionExpiring,
    /// `link.opened`: An end user started using a connect link.
    LinkOpened,
    /// `link.completed`: A connect link was used to connect.
    LinkCompleted,
    /// `link.expired`: A connect link expired unused.
    LinkExpired,
    /// `link.revoked`: A connect link was revoked.
    LinkRevoked,
}

impl EventType {
    /// Every event type, in the order the dashboard lists them.
    pub const ALL: [EventType; 12] = [
        EventType::ConnectionCreated,
        EventType::ConnectionUpdated,
        EventType::ConnectionRecovered,
        EventType::ConnectionFailed,
        EventType::ConnectionRefreshFailed,
        EventType::ConnectionDeleted,
        EventType::ConnectionAccountMismatch,
        EventType::ConnectionExpiring,
        EventType::LinkOpened,
        EventType::LinkCompleted,
        EventType::LinkExpired,
        EventType::LinkRevoked,
    ];

    /// The name on the wire, e.g. `connection.created`.
    pub const fn as_str(self) -> &'static str {
        match self {
            EventType::ConnectionCreated => "connection.created",
            EventType::ConnectionUpdated => "connection.updated",
            EventType::ConnectionRecovered => "connection.recovered",
            EventType::ConnectionFailed => "connection.failed",
            EventType::ConnectionRefreshFailed => "connection.refresh_failed",
            EventType::ConnectionDeleted => "connection.deleted",
            EventType::ConnectionAccountMismatch => "connection.account_mismatch",
            EventType::ConnectionExpiring => "connection.expiring",
            EventType::LinkOpened => "link.opened",
            EventType::LinkCompleted => "link.completed",
            EventType::LinkExpired => "link.expired",
            EventType::LinkRevoked => "link.revoked",
        }
    }

    /// What it means, for the admin.
    pub const fn description(self) -> &'static str {
        match self {
            EventType::ConnectionCreated => "A tenant connected a connector",
            EventType::ConnectionUpdated => "A tenant reconnected a working connection",
            EventType::ConnectionRecovered => "A broken connection works again",
            EventType::ConnectionFailed => "An end user's attempt to connect failed",
            EventType::ConnectionRefreshFailed => {
                "A token refresh failed; the connection needs attention"
            }
            EventType::ConnectionDeleted => "A connection was disconnected",
            EventType::ConnectionAccountMismatch => {
                "A reconnect landed on another provider account and was refused"
            }
            EventType::ConnectionExpiring => {
                "A connection's token expires soon and cannot be refreshed"
            }
            EventType::LinkOpened => "An end user started using a connect link",
            EventType::LinkCompleted => "A connect link was used to connect",
            EventType::LinkExpired => "A connect link expired unused",
            EventType::LinkRevoked => "A connect link was revoked",
        }
    }

    /// The event type with this wire name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

/// What an audit entry records; one vocabulary for the dashboard, the REST API and the end
/// user's steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    /// `admin.password_change`: An admin changed their password (their other sessions ended).
    AdminPasswordChange,
    /// `admin.invite`: Someone was invited to the dashboard team (the link is never stored).
    AdminInvite,
    /// `admin.invite_revoke`: A pending invitation or password reset was withdrawn.
    AdminInviteRevoke,
    /// `admin.join`: An invited person set a password and joined the team.
    AdminJoin,
    /// `admin.ownership_transfer`: The owner handed ownership to another member (and became an admin).
    AdminOwnershipTransfer,
    /// `admin.password_reset`: The owner started a password reset for a member.
    AdminPasswordReset,
    /// `admin.password_reset_done`: A member set a new password through a reset link (their sessions ended).
    AdminPasswordResetDone,
    /// `admin.recovery_codes_replace`: An admin replaced their recovery codes (with their password).
    AdminRecoveryCodesReplace,
    /// `admin.remove`: A member was removed from the team, or left (their sessions ended).
    AdminRemove,
    /// `admin.role_change`: A member's role changed.
    AdminRoleChange,
    /// `admin.sign_in`: An admin signed in.
    AdminSignIn,
    /// `admin.two_factor_disable`: An admin turned two-factor sign-in off (with their password).
    AdminTwoFactorDisable,
    /// `admin.two_factor_enable`: An admin turned two-factor sign-in on (new recovery codes).
    AdminTwoFactorEnable,
    /// `admin.two_factor_require`: The owner required two-factor sign-in for everyone, or stopped requiring it.
    AdminTwoFactorRequire,
    /// `admin.two_factor_reset`: The owner turned off a member's two-factor sign-in (their sessions ended).
    AdminTwoFactorReset,
    /// `api_key.create`: An API key was created.
    ApiKeyCreate,
    /// `api_key.revoke`: An API key was revoked.
    ApiKeyRevoke,
    /// `branding.update`: The end-user pages' branding (name, colour, logo, support) changed.
    BrandingUpdate,
    /// `callback_origin.add`: A callback origin was allowed.
    CallbackOriginAdd,
    /// `callback_origin.remove`: A callback origin was removed.
    CallbackOriginRemove,
    /// `connect.start`: An end user started connecting.
    ConnectStart,
    /// `connect.complete`: An end user connected.
    ConnectComplete,
    /// `connect.fail`: An end user's attempt to connect failed.
    ConnectFail,
    /// `connection.disconnect`: A connection was disconnected.
    ConnectionDisconnect,
    /// `connection.refresh`: A connection's token was refreshed on request.
    ConnectionRefresh,
    /// `connector.create`: A connector was added.
    ConnectorCreate,
    /// `connector.update`: A connector was changed.
    ConnectorUpdate,
    /// `connector.enable`: A connector was offered to tenants.
    ConnectorEnable,
    /// `connector.disable`: A connector was withdrawn from tenants.
    ConnectorDisable,
    /// `connector.delete`: A connector was deleted.
    ConnectorDelete,
    /// `link.create`: A connect link was generated.
    LinkCreate,
    /// `link.revoke`: A connect link was revoked.
    LinkRevoke,
    /// `link.exchange`: A link's exchange code was redeemed.
    LinkExchange,
    /// `link.exchange_reused`: A redeemed exchange code was presented again (a security event).
    LinkExchangeReused,
    /// `tenant.create`: A tenant was added.
    TenantCreate,
    /// `tenant.update`: A tenant was changed.
    TenantUpdate,
    /// `tenant.delete`: A tenant was deleted.
    TenantDelete,
    /// `webhook.create`: A webhook endpoint was added.
    WebhookCreate,
    /// `webhook.enable`: A webhook endpoint was switched on.
    WebhookEnable,
    /// `webhook.disable`: A webhook endpoint was switched off.
    WebhookDisable,
    /// `webhook.delete`: A webhook endpoint was deleted.
    WebhookDelete,
    /// `webhook.replay`: A webhook delivery was sent again.
    WebhookReplay,
    /// `environment.create`: The owner added an environment.
    EnvironmentCreate,
    /// `environment.rename`: The owner renamed an environment.
    EnvironmentRename,
    /// `environment.delete`: The owner deleted an empty environment.
    EnvironmentDelete,
}

impl AuditAction {
    /// Every action, sorted by name.
    pub const ALL: [AuditAction; 45] = [
        AuditAction::AdminInvite,
        AuditAction::AdminInviteRevoke,
        AuditAction::AdminJoin,
        AuditAction::AdminOwnershipTransfer,
        AuditAction::AdminPasswordChange,
        AuditAction::AdminPasswordReset,
        AuditAction::AdminPasswordResetDone,
        AuditAction::AdminRecoveryCodesReplace,
        AuditAction::AdminRemove,
        AuditAction::AdminRoleChange,
        AuditAction::AdminSignIn,
        AuditAction::AdminTwoFactorDisable,
        AuditAction::AdminTwoFactorEnable,
        AuditAction::AdminTwoFactorRequire,
        AuditAction::AdminTwoFactorReset,
        AuditAction::ApiKeyCreate,
        AuditAction::ApiKeyRevoke,
        AuditAction::BrandingUpdate,
        AuditAction::CallbackOriginAdd,
        AuditAction::CallbackOriginRemove,
        AuditAction::ConnectComplete,
        AuditAction::ConnectFail,
        AuditAction::ConnectStart,
        AuditAction::ConnectionDisconnect,
        AuditAction::ConnectionRefresh,
        AuditAction::ConnectorCreate,
        AuditAction::ConnectorDelete,
        AuditAction::ConnectorDisable,
        AuditAction::ConnectorEnable,
        AuditAction::ConnectorUpdate,
        AuditAction::EnvironmentCreate,
        AuditAction::EnvironmentDelete,
        AuditAction::EnvironmentRename,
        AuditAction::LinkCreate,
        AuditAction::LinkExchange,
        AuditAction::LinkExchangeReused,
        AuditAction::LinkRevoke,
        AuditAction::TenantCreate,
        AuditAction::TenantDelete,
        AuditAction::TenantUpdate,
        AuditAction::WebhookCreate,
        AuditAction::WebhookDelete,
        AuditAction::WebhookDisable,
        AuditAction::WebhookEnable,
        AuditAction::WebhookReplay,
    ];

    /// The stored name, e.g. `tenant.create`.
    pub const fn as_str(self) -> &'static str {
        match self {
            AuditAction::AdminPasswordChange => "admin.password_change",
            AuditAction::AdminInvite => "admin.invite",
            AuditAction::AdminInviteRevoke => "admin.invite_revoke",
            AuditAction::AdminJoin => "admin.join",
            AuditAction::AdminOwnershipTransfer => "admin.ownership_transfer",
            AuditAction::AdminPasswordReset => "admin.password_reset",
            AuditAction::AdminPasswordResetDone => "admin.password_reset_done",
            AuditAction::AdminRecoveryCodesReplace => "admin.recovery_codes_replace",
            AuditAction::AdminRemove => "admin.remove",
            AuditAction::AdminRoleChange => "admin.role_change",
            AuditAction::AdminSignIn => "admin.sign_in",
            AuditAction::AdminTwoFactorDisable => "admin.two_factor_disable",
            AuditAction::AdminTwoFactorEnable => "admin.two_factor_enable",
            AuditAction::AdminTwoFactorRequire => "admin.two_factor_require",
            AuditAction::AdminTwoFactorReset => "admin.two_factor_reset",
            AuditAction::ApiKeyCreate => "api_key.create",
            AuditAction::ApiKeyRevoke => "api_key.revoke",
            AuditAction::BrandingUpdate => "branding.update",
            AuditAction::CallbackOriginAdd => "callback_origin.add",
            AuditAction::CallbackOriginRemove => "callback_origin.remove",
            AuditAction::ConnectStart => "connect.start",
            AuditAction::ConnectComplete => "connect.complete",
            AuditAction::ConnectFail => "connect.fail",
            AuditAction::ConnectionDisconnect => "connection.disconnect",
            AuditAction::ConnectionRefresh => "connection.refresh",
            AuditAction::ConnectorCreate => "connector.create",
            AuditAction::ConnectorUpdate => "connector.update",
            AuditAction::ConnectorEnable => "connector.enable",
            AuditAction::ConnectorDisable => "connector.disable",
            AuditAction::ConnectorDelete => "connector.delete",
            AuditAction::EnvironmentCreate => "environment.create",
            AuditAction::EnvironmentRename => "environment.rename",
            AuditAction::EnvironmentDelete => "environment.delete",
            AuditAction::LinkCreate => "link.create",
            AuditAction::LinkRevoke => "link.revoke",
            AuditAction::LinkExchange => "link.exchange",
            AuditAction::LinkExchangeReused => "link.exchange_reused",
            AuditAction::TenantCreate => "tenant.create",
            AuditAction::TenantUpdate => "tenant.update",
            AuditAction::TenantDelete => "tenant.delete",
            AuditAction::WebhookCreate => "webhook.create",
            AuditAction::WebhookEnable => "webhook.enable",
            AuditAction::WebhookDisable => "webhook.disable",
            AuditAction::WebhookDelete => "webhook.delete",
            AuditAction::WebhookReplay => "webhook.replay",
        }
    }

    /// The kind of thing the action is done to, stored as the entry's `target_type`.
    pub const fn target_type(self) -> Option<&'static str> {
        match self {
            AuditAction::AdminPasswordChange
            | AuditAction::AdminSignIn
            | AuditAction::AdminJoin
            | AuditAction::AdminOwnershipTransfer
            | AuditAction::AdminPasswordResetDone
            | AuditAction::AdminRemove
            | AuditAction::AdminRoleChange
            | AuditAction::AdminTwoFactorDisable
            | AuditAction::AdminTwoFactorEnable
            | AuditAction::AdminTwoFactorReset
            | AuditAction::AdminRecoveryCodesReplace => Some("admin_user"),
            AuditAction::AdminInvite
            | AuditAction::AdminInviteRevoke
            | AuditAction::AdminPasswordReset => Some("invitation"),
            AuditAction::ApiKeyCreate | AuditAction::ApiKeyRevoke => Some("api_key"),
            AuditAction::BrandingUpdate | AuditAction::AdminTwoFactorRequire => {
                Some("installation")
            }
            AuditAction::CallbackOriginAdd | AuditAction::CallbackOriginRemove => {
                Some("callback_origin")
            }
            AuditAction::ConnectStart
            | AuditAction::ConnectFail
            | AuditAction::LinkCreate
            | AuditAction::LinkRevoke
            | AuditAction::LinkExchange
            | AuditAction::LinkExchangeReused => Some("link"),
            AuditAction::ConnectComplete
            | AuditAction::ConnectionDisconnect
            | AuditAction::ConnectionRefresh => Some("connection"),
            AuditAction::ConnectorCreate
            | AuditAction::ConnectorUpdate
            | AuditAction::ConnectorEnable
            | AuditAction::ConnectorDisable
            | AuditAction::ConnectorDelete => Some("connector"),
            AuditAction::EnvironmentCreate
            | AuditAction::EnvironmentRename
            | AuditAction::EnvironmentDelete => Some("environment"),
            AuditAction::TenantCreate | AuditAction::TenantUpdate | AuditAction::TenantDelete => {
                Some("tenant")
            }
            AuditAction::WebhookCreate
            | AuditAction::WebhookEnable
            | AuditAction::WebhookDisable
            | AuditAction::WebhookDelete => Some("webhook_endpoint"),
            AuditAction::WebhookReplay => Some("webhook_delivery"),
        }
    }

    /// The action with this stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

/// The events Authlink announces by webhook, with what each means (for pickers).
pub const EVENT_TYPES: [(&str, &str); 12] = {
    let mut table = [("", ""); 12];
    let mut i = 0;
    while i < EventType::ALL.len() {
        table[i] = (EventType::ALL[i].as_str(), EventType::ALL[i].description());
        i += 1;
    }
    table
};

/// What is wrong with one value of a credential form; the Connect page puts it into words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldProblem {
    /// The form has no field of that name.
    NotInForm,
    /// Required, and nothing was entered.
    Missing,
    /// Longer than a field value may be.
    TooLong,
    /// Does not match the format the provider uses.
    BadFormat,
    /// Holds a control character (a NUL, a line break…), which no header or form can carry.
    ControlCharacter,
}

/// A connect link's lifecycle state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkStatus {
    /// Not opened yet.
    Active,
    /// Opened by the end user, not completed.
    Opened,
    /// Used to connect.
    Completed,
    /// Past its expiry.
    Expired,
    /// Revoked by an admin.
    Revoked,
}

impl LinkStatus {
    /// The dashboard message that names it (`i18n::dashboard`).
    pub fn message_id(self) -> &'static str {
        match self {
            LinkStatus::Active => "link-status-active",
            LinkStatus::Opened => "link-status-opened",
            LinkStatus::Completed => "link-status-completed",
            LinkStatus::Expired => "link-status-expired",
            LinkStatus::Revoked => "link-status-revoked",
        }
    }

    /// The stored and REST form, also the page's CSS class.
    pub fn label(self) -> &'static str {
        match self {
            LinkStatus::Active => "active",
            LinkStatus::Opened => "opened",
            LinkStatus::Completed => "completed",
            LinkStatus::Expired => "expired",
            LinkStatus::Revoked => "revoked",
        }
    }
}

/// A link in the Tenant Details list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkInfo {
    /// Id.
    pub id: String,
    /// State.
    pub status: LinkStatus,
    /// Who it was meant for.
    pub note: Option<String>,
    /// Single-use.
    pub single_use: bool,
    /// Creation time.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Expiry.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// A connector's state for one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantConnector {
    /// The connector.
    pub connector_id: String,
    /// Its name.
    pub name: String,
    /// Its provider's name.
    pub provider_name: String,
    /// Authentication mode.
    pub auth: AuthMode,
    /// Connection state.
    pub status: ConnectionStatus,
    /// Whether the tenant was ever connected (the button reads Reconnect).
    pub has_connection: bool,
    /// The connected account, as the provider names it.
    pub account_label: Option<String>,
    /// The provider-side account the connection is pinned to: a reconnect to another one is
    /// refused unless the link allows it.
    pub pinned_account: Option<String>,
    /// When it was (last) connected.
    #[serde(with = "time::serde::rfc3339::option")]
    pub connected_at: Option<OffsetDateTime>,
    /// When the access token expires.
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    /// The last error.
    pub last_error: Option<String>,
    /// Fields the admin may preset on a link.
    pub preset_fields: Vec<FieldInfo>,
    /// Links issued for this tenant and connector, newest first.
    pub links: Vec<LinkInfo>,
    /// Whether its links can be e-mailed from the popup (the server has a mail server).
    pub email_links: bool,
}

/// Everything Tenant Details shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantDetails {
    /// The tenant.
    pub tenant: TenantRow,
    /// Every enabled connector (and disabled ones the tenant is connected to).
    pub connectors: Vec<TenantConnector>,
}

/// The signed-in admin's alert settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertSettings {
    /// Whether alerts are e-mailed to this admin.
    pub enabled: bool,
    /// Whether the server can send e-mail at all.
    pub mail_configured: bool,
    /// Every admin who gets alerts.
    pub recipients: Vec<String>,
}

/// The admin's brand as end users see it on the Connect page and its result pages.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Branding {
    /// The product name ("Acme CRM asks you to connect…").
    pub product_name: String,
    /// The accent colour, `#rrggbb`, which passed the contrast check; the built-in one if absent.
    pub accent_color: Option<String>,
    /// Where end users can ask for help.
    pub support_email: Option<String>,
    /// A help page for end users.
    pub support_url: Option<String>,
    /// The logo's address, if there is one.
    pub logo_url: Option<String>,
}

impl Branding {
    /// The built-in brand, before setup names the product.
    pub fn builtin() -> Branding {
        Branding {
            product_name: "Authlink".into(),
            ..Branding::default()
        }
    }

    /// The stylesheet that applies the accent colour, if one is set.
    pub fn theme_url(&self) -> Option<String> {
        let accent = crate::brand::Rgb::parse(self.accent_color.as_deref()?)?;
        Some(crate::brand::theme_path(accent))
    }

    /// Whether end users have anyone to turn to.
    pub fn has_support(&self) -> bool {
        self.support_email.is_some() || self.support_url.is_some()
    }
}

/// A freshly generated connect link; the URL is shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeneratedLink {
    /// The full URL to send.
    pub url: String,
    /// Expiry.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// The address the link is being e-mailed to, when the admin asked for that.
    #[serde(default)]
    pub emailed_to: Option<String>,
}

/// The scopes an API key may carry, with what each allows.
pub const API_SCOPES: [(&str, &str); 9] = [
    ("tenants:read", "List and read tenants"),
    ("tenants:write", "Create, update and delete tenants"),
    ("connectors:read", "List and read connectors"),
    (
        "connectors:write",
        "Create, update, enable and disable connectors",
    ),
    ("links:read", "List and read connect links"),
    (
        "links:write",
        "Create and revoke connect links, redeem exchange codes",
    ),
    (
        "connections:read",
        "List and read connections (metadata only)",
    ),
    ("connections:write", "Disconnect connections"),
    (
        "credentials:read",
        "Read connections' credentials (refreshed when due)",
    ),
];

/// An API key as Settings lists it (never the key itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyInfo {
    /// Id.
    pub id: String,
    /// The admin's name for it.
    pub name: String,
    /// The key's first characters.
    pub prefix: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Creation time.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last use (to the minute).
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
    /// When it was revoked.
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

/// A newly created API key: the only time the key itself is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedApiKey {
    /// The listing entry.
    pub info: ApiKeyInfo,
    /// The key, for `Authorization: Bearer …`.
    pub key: String,
}

/// An allowed callback origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackOriginInfo {
    /// Id.
    pub id: String,
    /// `https://app.example.com`, `http://localhost:3000` or `myapp:`.
    pub origin: String,
}

/// A webhook endpoint as Settings lists it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEndpointInfo {
    /// Id.
    pub id: String,
    /// Where events are posted.
    pub url: String,
    /// The admin's note.
    pub description: Option<String>,
    /// Event types it receives; empty for all.
    pub event_types: Vec<String>,
    /// Whether it receives anything.
    pub enabled: bool,
    /// Why it was disabled automatically.
    pub disabled_reason: Option<String>,
    /// Creation time.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A newly created endpoint: the only time its signing secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedWebhookEndpoint {
    /// The listing entry.
    pub info: WebhookEndpointInfo,
    /// The signing secret, `whsec_…`.
    pub secret: String,
}

/// One HTTP request of a webhook delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookAttemptInfo {
    /// 1 for the first.
    pub attempt: i32,
    /// When it was sent.
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// How long the receiver took.
    pub duration_ms: i32,
    /// The receiver's status, when it answered.
    pub status_code: Option<i32>,
    /// What went wrong.
    pub error: Option<String>,
    /// When the next attempt was scheduled.
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_attempt_at: Option<OffsetDateTime>,
}

/// One event on its way to one endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDeliveryInfo {
    /// Id.
    pub id: String,
    /// The event's id (the `webhook-id` header).
    pub event_id: String,
    /// e.g. `connection.created`.
    pub event_type: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    /// Every attempt so far, oldest first.
    pub attempts: Vec<WebhookAttemptInfo>,
    /// When the next attempt is due.
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_attempt_at: Option<OffsetDateTime>,
    /// When the event happened.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// Counts at the top of the status overview.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverviewCounts {
    /// Tenants.
    pub tenants: u64,
    /// Connections that work (including those expiring soon).
    pub connected: u64,
    /// Working, but expiring within a week without a way to refresh.
    pub expires_soon: u64,
    /// The tenant must reconnect.
    pub needs_reauth: u64,
    /// The last refresh failed.
    pub error: u64,
}

/// A connector column of the overview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusColumn {
    /// Connector id.
    pub id: String,
    /// Connector name.
    pub name: String,
}

/// A tenant row of the overview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverviewRow {
    /// Tenant id.
    pub tenant_id: String,
    /// Tenant name.
    pub name: String,
    /// The admin's id for it.
    pub external_id: String,
    /// One per column.
    pub cells: Vec<ConnectionStatus>,
}

/// One page of the status overview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverviewData {
    /// Counts over everything (not just this page).
    pub counts: OverviewCounts,
    /// Enabled connectors.
    pub columns: Vec<StatusColumn>,
    /// Tenants by name.
    pub rows: Vec<OverviewRow>,
    /// Cursor of the next page.
    pub next: Option<String>,
}

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntryInfo {
    /// Id (sorts by time).
    pub id: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// `admin`, `api_key`, `end_user` or `system`.
    pub actor_type: String,
    /// The admin's, key's or link's id.
    pub actor_id: Option<String>,
    /// The admin's e-mail or the key's name.
    pub actor_label: Option<String>,
    /// e.g. `tenant.create`.
    pub action: String,
    /// e.g. `tenant`.
    pub target_type: Option<String>,
    /// The target's id.
    pub target_id: Option<String>,
    /// Client address.
    pub ip: Option<String>,
    /// More, as JSON.
    pub details: Option<String>,
}

/// A page of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    /// Newest first.
    pub entries: Vec<AuditEntryInfo>,
    /// The id to pass as `before` for the next (older) page.
    pub next: Option<String>,
}

/// Filters of the audit log.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditFilter {
    /// Only this kind of actor.
    pub actor_type: Option<String>,
    /// Only actions starting with this, e.g. `tenant.` or `connect.complete`.
    pub action: Option<String>,
    /// Only this target id.
    pub target: Option<String>,
    /// From this instant.
    #[serde(with = "time::serde::rfc3339::option")]
    pub from: Option<OffsetDateTime>,
    /// Before this instant.
    #[serde(with = "time::serde::rfc3339::option")]
    pub until: Option<OffsetDateTime>,
}

/// Formats a time the same way on the server and in the browser (UTC, so hydration matches).
pub fn format_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{} {} {}, {:02}:{:02} UTC",
        t.day(),
        &t.month().to_string()[..3],
        t.year(),
        t.hour(),
        t.minute()
    )
}

/// Limits on what a person may type, shared by the forms and the server-side validation.
pub mod limits {
    /// Shortest accepted password (NIST SP 800-63B).
    pub const PASSWORD_MIN_CHARS: usize = 12;
    /// Longest accepted password; long passphrases are welcome, megabytes are not.
    pub const PASSWORD_MAX_CHARS: usize = 1024;
    /// Longest accepted e-mail address (RFC 5321 path limit).
    pub const EMAIL_MAX_CHARS: usize = 254;
    /// Longest note an admin may add to a link sent by e-mail.
    pub const EMAIL_MESSAGE_MAX_CHARS: usize = 2000;
    /// Failed attempts through one link before admins are alerted.
    pub const LINK_FAILURES_ALERT: i32 = 3;
    /// Longest product name.
    pub const PRODUCT_NAME_MAX_CHARS: usize = 80;
    /// Largest logo file accepted for upload.
    pub const LOGO_MAX_BYTES: usize = 512 * 1024;
    /// Widest and tallest logo accepted for upload, in pixels.
    pub const LOGO_MAX_SIDE: u32 = 2048;
    /// Narrowest and lowest logo accepted, in pixels.
    pub const LOGO_MIN_SIDE: u32 = 16;
    /// Logos are scaled down to fit a square of this many pixels.
    pub const LOGO_STORED_SIDE: u32 = 512;
    /// Longest support address or URL.
    pub const SUPPORT_CONTACT_MAX_CHARS: usize = 300;
    /// Longest tenant name.
    pub const TENANT_NAME_MAX_CHARS: usize = 200;
    /// Longest external id.
    pub const EXTERNAL_ID_MAX_CHARS: usize = 200;
    /// Longest connector name.
    pub const CONNECTOR_NAME_MAX_CHARS: usize = 120;
    /// Longest link note.
    pub const LINK_NOTE_MAX_CHARS: usize = 200;
    /// Longest value of one credential field.
    pub const FIELD_VALUE_MAX_CHARS: usize = 4096;
    /// Shortest link lifetime, in minutes.
    pub const LINK_MIN_MINUTES: i64 = 5;
    /// Longest link lifetime, in minutes (30 days).
    pub const LINK_MAX_MINUTES: i64 = 30 * 24 * 60;
    /// Default link lifetime, in minutes (7 days).
    pub const LINK_DEFAULT_MINUTES: i64 = 7 * 24 * 60;
    /// Tenants per page.
    pub const TENANT_PAGE_SIZE: u64 = 25;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_actions_are_sorted_unique_and_parse_back() {
        let names: Vec<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted);
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(a));
        }
        assert_eq!(AuditAction::parse("POST /api/v1/tenants"), None);
    }

    #[test]
    fn roles_are_ordered_by_power() {
        assert!(Role::Owner.allows(Role::Admin));
        assert!(Role::Admin.allows(Role::Viewer));
        assert!(!Role::Viewer.allows(Role::Admin));
        assert!(!Role::Admin.allows(Role::Owner));
    }

    #[test]
    fn roles_round_trip_through_their_stored_form() {
        for role in [Role::Viewer, Role::Admin, Role::Owner] {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn event_types_have_one_name_each() {
        for (i, t) in EventType::ALL.into_iter().enumerate() {
            assert_eq!(EventType::parse(t.as_str()), Some(t));
            assert_eq!(EVENT_TYPES[i], (t.as_str(), t.description()));
        }
        let names: std::collections::HashSet<_> = EventType::ALL.map(EventType::as_str).into();
        assert_eq!(names.len(), EventType::ALL.len());
        assert_eq!(EventType::parse("connection.exploded"), None);
    }
}
