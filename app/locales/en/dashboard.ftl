# The dashboard's words, in English (the dashboard speaks only English for now).
# Every id used in the code exists here and every message here is used (a test checks).

## app/src/components/layout.rs

layout-skip-to-content = Skip to content
layout-authlink = Authlink
layout-main = Main
layout-tenants = Tenants
layout-status = Status
layout-connectors = Connectors
layout-audit-log = Audit log
layout-team = Team
layout-settings = Settings
layout-sign-out = Sign out
layout-environment = Environment
layout-environment-switch = Switch
layout-environment-band = Not production: you are looking at the environment

## app/src/pages/tenants.rs

tenants-tenants = Tenants
tenants-search-tenants = Search tenants
tenants-name-or-external-id = Name or external ID
tenants-sort-by = Sort by
tenants-name-a-z = Name (A–Z)
tenants-newest-first = Newest first
tenants-search = Search
tenants-new-tenant = New tenant
tenants-name = Name
tenants-external-id = External ID
tenants-your-own-id-for-this-customer = Your own ID for this customer, e.g. the account ID in your database.
tenants-create-tenant = Create tenant
tenants-loading = Loading…
tenants-tenants-are-your-customers-each-one = Tenants are your customers. Each one connects the tools it uses — Salesforce, Slack, GitHub and others — through a link you send them.
tenants-connected = Connected
tenants-created = Created
tenants-pages = Pages
tenants-previous = ← Previous
tenants-next = Next →
tenants-no-match = No tenant matches
tenants-none-yet = No tenants yet

## app/src/pages/tenant_details.rs

tenant-details-expiry-5-minutes = 5 minutes
tenant-details-expiry-1-hour = 1 hour
tenant-details-expiry-1-day = 1 day
tenant-details-expiry-3-days = 3 days
tenant-details-expiry-7-days = 7 days
tenant-details-expiry-14-days = 14 days
tenant-details-expiry-30-days = 30 days
tenant-details-tenant = Tenant
tenant-details-tenants = ← Tenants
tenant-details-loading = Loading…
tenant-details-external-id = External ID{" "}
tenant-details-connectors = Connectors
tenant-details-no-connector-is-enabled-yet = No connector is enabled yet.{" "}
tenant-details-add-a-connector = Add a connector
tenant-details-first = {" "}first.
tenant-details-name = Name
tenant-details-external-id-2 = External ID
tenant-details-save-changes = Save changes
tenant-details-delete-tenant = Delete tenant
tenant-details-deletes-the-tenant-with-its-connections = Deletes the tenant with its connections, stored credentials and links. This cannot be undone.
tenant-details-disconnect = Disconnect
tenant-details-the-token-is-revoked-at-the = The token is revoked at the provider where possible and the stored credentials are deleted. The tenant must connect again to restore access.
tenant-details-yes-disconnect = Yes, disconnect
tenant-details-created = Created
tenant-details-for = For
tenant-details-status = Status
tenant-details-expires = Expires
tenant-details-actions = Actions
tenant-details-revoke = Revoke
tenant-details-generate-a-link-and-send-it = Generate a link and send it to your customer. It takes them straight to the connection.
tenant-details-link-expires-after = Link expires after
tenant-details-single-use-the-link-stops-working = Single use (the link stops working once used)
tenant-details-allow-connecting-a-different-account = Allow connecting a different account
tenant-details-recipient-optional = Recipient (optional)
tenant-details-e-g-jane-customer-com = e.g. jane@customer.com
tenant-details-the-customer-chooses = The customer chooses
tenant-details-customer-link = Customer link
tenant-details-close = Close
tenant-details-send-by-e-mail-optional = Send by e-mail (optional)
tenant-details-customer-s-e-mail-address = Customer's e-mail address
tenant-details-jane-customer-com = jane@customer.com
tenant-details-language-of-the-e-mail-and = Language of the e-mail and the Connect page
tenant-details-your-message-optional = Your message (optional)
tenant-details-badge-connected = ✓ Connected
tenant-details-connected-at-as = Connected { $time } as { $account }
tenant-details-connected-at = Connected { $time }
tenant-details-connected-as = Connected as { $account }
tenant-details-expires-soon = { $connected }. The access token expires { $expires } and the provider gave no way to renew it: send a new link before then.
tenant-details-needs-reauth = { $reason } Send a Reconnect link; the connection keeps its id.
tenant-details-token-expired = The access token has expired.
tenant-details-disconnected-detail = Disconnected: the credentials were deleted.
tenant-details-pending-detail = The customer finished connecting. The connection becomes usable when your backend redeems the exchange code from the callback URL, within 5 minutes.
tenant-details-reconnect = Reconnect
tenant-details-connect = Connect
tenant-details-yes-delete = Yes, delete { $tenant }
tenant-details-links-count = Links ({ $count })
tenant-details-connect-heading = Connect { $connector }
tenant-details-pinned-account = The connection is pinned to account { $account }; a reconnect to another account is refused unless this is on, and then replaces it.
tenant-details-optional-preset = { $field } (optional preset)
tenant-details-link-valid-until = Valid until { $time }. Regenerate makes a new link and revokes the earlier ones for this connector.
tenant-details-link-emailed = It is being e-mailed to { $to }, with a reminder a day before it expires if it is still unused.
tenant-details-regenerate = Regenerate
tenant-details-generate = Generate Customer Link

## app/src/pages/connectors.rs

connectors-connectors = Connectors
connectors-add-connector = Add connector
connectors-loading = Loading…
connectors-no-connectors-yet = No connectors yet
connectors-a-connector-is-an-integration-your = A connector is an integration your tenants can connect: a provider from the catalog plus your OAuth app's credentials.
connectors-name = Name
connectors-provider = Provider
connectors-key = Key
connectors-connected-tenants = Connected tenants
connectors-status = Status
connectors-connectors-2 = ← Connectors
connectors-choose-another-provider = ← Choose another provider
connectors-search-providers = Search providers
connectors-e-g-slack = e.g. Slack
connectors-category = Category
connectors-all-categories = All categories
connectors-providers = Providers
connectors-connector = Connector
connectors-delete-connector = Delete connector
connectors-yes-delete-the-connector-and-its = Yes, delete the connector and its connections
connectors-no-tenant-is-connected-through-this = No tenant is connected through this connector.
connectors-provider-documentation = Provider documentation
connectors-used-in-the-api-and-webhooks = Used in the API and webhooks. Derived from the name when left empty.
connectors-redirect-uri-to-register-at-the = Redirect URI to register at the provider
connectors-oauth-client-id = OAuth client ID
connectors-oauth-client-secret = OAuth client secret
connectors-scopes = Scopes
connectors-separated-by-spaces-empty-uses-the = Separated by spaces. Empty uses the catalog's defaults.
connectors-extra-authorization-parameters = Extra authorization parameters
connectors-one-per-line-as-name-value = One per line, as name=value (e.g. prompt=consent).
connectors-authorization-url = Authorization URL
connectors-token-url = Token URL
connectors-revocation-url-optional = Revocation URL (optional)
connectors-rfc-7009-endpoint-the-token-is = RFC 7009 endpoint; the token is revoked there when a tenant is disconnected.
connectors-send-the-client-credentials-with-http = Send the client credentials with HTTP Basic at the token endpoint
connectors-verification-url-optional = Verification URL (optional)
connectors-must-answer-2xx-with-the-new = Must answer 2xx with the new credentials for the connection to be accepted.
connectors-identity-url-optional = Identity URL (optional)
connectors-account-name-in-the-identity-response = Account name in the identity response (JSON pointer)
connectors-email = /email
connectors-header-carrying-the-key = Header carrying the key
connectors-authorization = Authorization
connectors-text-before-the-key = Text before the key
connectors-bearer = Bearer{" "}
connectors-enabled = Enabled
connectors-disabled = Disabled
connectors-disable = Disable
connectors-enable = Enable
connectors-secret-kept = Stored encrypted and never shown. Leave empty to keep it.
connectors-secret-new = Stored encrypted and never shown again.
connectors-save = Save connector
connectors-create = Create connector
connectors-delete-warning = { $count } tenant(s) are connected through this connector. Deleting it deletes their connections and stored credentials too.

## app/src/pages/overview.rs

overview-status = Status
overview-only-tenants-with-problems = Only tenants with problems
overview-apply = Apply
overview-loading = Loading…
overview-tenants = {" "}tenants
overview-connected = {" "}connected
overview-expire-soon = {" "}expire soon
overview-need-reauth = {" "}need reauth
overview-with-errors = {" "}with errors
overview-tenant = Tenant
overview-status-pages = Status pages
overview-first-page = First page
overview-next = Next →
overview-cell-connected = Connected
overview-cell-expires-soon = Expires soon
overview-cell-needs-reauth = Needs reauth
overview-cell-error = Error
overview-cell-not-connected = Not connected
overview-cell-pending = Awaiting confirmation
overview-no-problems = No problems. Every connection works.
overview-no-tenants = No tenants yet.

## app/src/pages/audit.rs

audit-audit-log = Audit log
audit-export-csv = Export CSV
audit-filter-the-audit-log = Filter the audit log
audit-actor = Actor
audit-action-starts-with = Action starts with
audit-tenant-or-connect-complete = tenant. or connect.complete
audit-target-id = Target id
audit-from = From
audit-until = Until
audit-filter = Filter
audit-loading = Loading…
audit-nothing-recorded-matches = Nothing recorded matches.
audit-time = Time
audit-action = Action
audit-target = Target
audit-ip = IP
audit-audit-log-pages = Audit log pages
audit-newest = Newest
audit-older = Older →
audit-actor-anyone = Anyone
audit-actor-admin = Admin users
audit-actor-api-key = API keys
audit-actor-end-user = End users
audit-actor-system = Authlink

## app/src/pages/settings.rs

settings-settings = Settings
settings-environment-note = API keys, callback origins and webhook endpoints below belong to the environment { $name }.
environments-heading = Environments
environments-intro = Each environment holds its own tenants, connectors, links, connections, webhook endpoints, callback origins and API keys; the provider catalog is shared. An API key sees only its own environment.
environments-owner-only = Only the owner adds, renames and deletes environments.
environments-new-name = New environment
environments-name-help = Lower-case letters, digits and hyphens, starting with a letter, e.g. staging.
environments-add = Add environment
environments-production = production
environments-holds = { $tenants } tenants, { $connectors } connectors
environments-rename-label = New name for { $name }
environments-rename = Rename
environments-delete = Delete
environments-delete-label = Delete the environment { $name }
settings-your-account = Your account
settings-loading = Loading…
settings-e-mail = E-mail
settings-role = Role
settings-password = Password
settings-current-password = Current password
settings-new-password = New password
settings-repeat-the-new-password = Repeat the new password
settings-password-changed-you-are-still-signed = Password changed. You are still signed in here; your other sessions have ended.
settings-change-password = Change password
settings-alerts = Alerts
settings-this-server-sends-no-e-mail = This server sends no e-mail yet: set AUTHLINK_SMTP_URL and AUTHLINK_SMTP_FROM.
settings-e-mail-me-alerts = E-mail me alerts
settings-save = Save
settings-api-keys = API keys
settings-your-backend-calls-the-rest-api = Your backend calls the REST API with{" "}
settings-authorization-bearer-key = Authorization: Bearer <key>
settings-api-reference = API reference
settings-openapi-document = OpenAPI document
settings-name = Name
settings-e-g-production-backend = e.g. Production backend
settings-scopes = Scopes
settings-new-api-key-shown-only-now = New API key (shown only now)
settings-store-it-in-your-backend-s = Store it in your backend's secrets now; Authlink keeps only its hash.
settings-create-api-key = Create API key
settings-no-api-keys-yet = No API keys yet.
settings-key = Key
settings-last-used = Last used
settings-status = Status
settings-revoke = Revoke
settings-callback-origins = Callback origins
settings-a-connect-link-s-callback-url = A connect link's callback URL must be on one of these origins, matched exactly: https origins, http://localhost or http://127.0.0.1 for development, or an app scheme such as myapp:.
settings-origin = Origin
settings-https-app-example-com = https://app.example.com
settings-allow-origin = Allow origin
settings-no-callback-origins-allowed-yet = No callback origins allowed yet.
settings-remove = Remove
settings-new-password-help = At least { $min } characters. Every other session of your account ends.
settings-alerts-intro = An e-mail when a token refresh fails, a token that cannot be refreshed is about to expire, or connecting through a link fails { $failures } times. When many come at once, the rest arrive as one daily digest.
settings-alerts-nobody = Nobody gets alerts.
settings-alerts-recipients = Alerts go to: { $recipients }
settings-key-revoked = Revoked { $time }
settings-revoke-key = Revoke { $key }
settings-remove-origin = Remove { $origin }
settings-never-used = never

## app/src/pages/branding.rs

branding-logo-missing = Choose a logo file to upload.
branding-logo-too-large = The logo is too large: at most { $kib } KiB.
branding-logo-unsupported-type = Upload the logo as PNG, JPEG or WebP; other files (SVG, GIF, …) are refused.
branding-logo-too-many-pixels = The logo has too many pixels: at most { $side } × { $side }.
branding-logo-too-few-pixels = The logo is too small: at least { $side } × { $side } pixels.
branding-logo-unreadable = This file could not be read as an image.
branding-branding = Branding
branding-what-end-users-see-when-they = What end users see when they open a link: your product's name and logo, your colour, and whom to ask for help when something fails.
branding-loading = Loading…
branding-product-name = Product name
branding-accent-colour = Accent colour
branding-3b5bdb = #3b5bdb
branding-support-e-mail = Support e-mail
branding-help-example-com = help@example.com
branding-support-page = Support page
branding-https-example-com-help = https://example.com/help
branding-shown-to-end-users-when-connecting = Shown to end users when connecting fails or a link can no longer be used. Leave both empty for none.
branding-branding-saved-end-users-see-it = Branding saved. End users see it from now on.
branding-save-branding = Save branding
branding-logo = Logo
branding-upload-logo = Upload logo
branding-remove-logo = Remove logo
branding-connect-your-crm = Connect your CRM
branding-continue = Continue
branding-preview-of-the-connect-page-as = Preview of the Connect page, as you type. Save to apply it.
branding-logo-saved = Logo saved. End users see it from now on.
branding-logo-removed = Logo removed.
branding-accent-built-in = The built-in colour is used.
branding-accent-passes = Contrast { $ratio }:1 against the page and white button text: passes WCAG AA ({ $needed }:1).
branding-logo-help = PNG, JPEG or WebP, at most { $kib } KiB and { $side } × { $side } pixels. It is shown up to 48 pixels high; larger images are scaled down.
branding-preview-logo = { $product } logo
branding-preview-support = Need help? Contact { $product }: { $contacts }
branding-preview-eyebrow = { $product } asks you to connect

## app/src/pages/webhooks.rs

webhooks-webhooks = Webhooks
webhooks-authlink-posts-signed-events-standard-we = Authlink posts signed events (Standard Webhooks) to these URLs and retries for about a day when a receiver is down.
webhooks-endpoint-url = Endpoint URL
webhooks-https-api-example-com-authlink-events = https://api.example.com/authlink/events
webhooks-description-optional = Description (optional)
webhooks-events-none-chosen-all-events = Events (none chosen: all events)
webhooks-signing-secret-shown-only-now = Signing secret (shown only now)
webhooks-verify-every-request-s-webhook-signature = Verify every request's webhook-signature with it; Authlink will not show it again.
webhooks-add-endpoint = Add endpoint
webhooks-loading = Loading…
webhooks-no-webhook-endpoints-yet = No webhook endpoints yet.
webhooks-endpoint = Endpoint
webhooks-events = Events
webhooks-status = Status
webhooks-enabled = Enabled
webhooks-disabled = Disabled
webhooks-webhook-endpoint = Webhook endpoint
webhooks-settings = ← Settings
webhooks-description = Description
webhooks-added = Added
webhooks-delete = Delete
webhooks-the-endpoint-and-its-delivery-history = The endpoint and its delivery history are deleted; nothing more is sent to it.
webhooks-yes-delete-this-endpoint = Yes, delete this endpoint
webhooks-delete-endpoint = Delete endpoint
webhooks-recent-deliveries = Recent deliveries
webhooks-nothing-sent-yet = Nothing sent yet.
webhooks-event = Event{" "}
webhooks-sent = Sent
webhooks-answer = Answer
webhooks-time = Time
webhooks-send-again = Send again
webhooks-all-events = All events
webhooks-disable = Disable
webhooks-enable = Enable
webhooks-next-attempt = {" "}· next attempt { $time }
webhooks-send-event-again = Send { $event } again

## app/src/pages/setup.rs

setup-create-the-owner-account = Create the owner account
setup-welcome-to-authlink-this-account-owns = Welcome to Authlink. This account owns the installation; you can add more people later.
setup-setup-code = Setup code
setup-code-help = Authlink printed it in its log when it started (look for "setup code"). It proves you run this server.
setup-your-product-s-name = Your product's name
setup-end-users-see-it-when-they = End users see it when they connect their tools.
setup-e-mail = E-mail
setup-password = Password
setup-repeat-the-password = Repeat the password
setup-password-help = At least { $min } characters. A passphrase is best.

## app/src/pages/sign_in.rs

sign-in-sign-in = Sign in
sign-in-sign-in-to-authlink = Sign in to Authlink
sign-in-e-mail = E-mail
sign-in-password = Password

## app/src/pages/not_found.rs

not-found-page-not-found = Page not found
not-found-there-is-nothing-at-this-address = There is nothing at this address. Check the link, or go to the dashboard.
not-found-go-to-the-dashboard = Go to the dashboard

## app/src/components/copy.rs

copy-copy = Copy
copy-copied = Copied
copy-failed = Could not copy; select the text and copy it by hand.

## app/src/lib.rs

app-name = Authlink
app-page-title = { $page } · Authlink

## app/src/types.rs

auth-mode-oauth2 = OAuth2
auth-mode-api-key = API key
auth-mode-basic = Username and password
auth-mode-custom = Credentials
connection-status-connected = Connected
connection-status-expires-soon = Expires soon
connection-status-needs-reauth = Needs reauth
connection-status-error = Error
connection-status-disconnected = Disconnected
connection-status-not-connected = Not connected
connection-status-pending = Awaiting confirmation
link-status-active = active
link-status-opened = opened
link-status-completed = completed
link-status-expired = expired
link-status-revoked = revoked
role-owner = owner
role-admin = admin
role-viewer = viewer

## Team
team-title = Team
team-intro = Everyone who signs in to this dashboard. The owner can do everything; admins manage tenants, connectors, links and webhooks; viewers read only. Only the owner creates API keys that read credentials, creates webhook endpoints (their signing secrets), changes the endpoints of connectors in use, and manages the team.
team-invite = Invite someone
team-invite-intro = The invitation is a link valid for 7 days that works once. Send it to the person yourself; it is shown only now.
team-invite-intro-mail = The invitation is a link valid for 7 days that works once. It is e-mailed to the person and shown here once, so you can also send it yourself.
team-roles-help = Admins manage tenants, connectors, links and webhooks; viewers read only. Ownership is handed on under "Transfer ownership".
team-send-invitation = Invite
team-link-for = Link for { $email } (works once, until { $expires })
team-link-send-it = Copy it and send it to them; it is shown only now.
team-link-emailed = It was also e-mailed to { $email }. It is shown only now.
team-members = Members
team-last-sign-in = Last sign-in
team-actions = Actions
team-you = you
team-never = never
team-role-of = Role of { $email }
team-save-role-of = Save the role of { $email }
team-reset-password = Reset password
team-reset-password-of = Reset password for { $email }
team-remove-member = Remove { $email } from the team
team-leave = Leave the team
team-pending = Open invitations and resets
team-no-pending = No open invitations.
team-purpose = For
team-purpose-join = joining the team
team-purpose-reset = a new password
team-invited-by = Made by
team-former-member = a former member
team-expires = Valid until
team-withdraw = Withdraw
team-withdraw-for = Withdraw the link for { $email }
team-transfer = Transfer ownership
team-transfer-intro = There is always exactly one owner. The new owner gets every power; you become an admin, and only the new owner can give ownership back.
team-new-owner = New owner
team-transfer-confirm = I understand that I will become an admin.
team-transfer-button = Transfer ownership

## Invitation page
invitation-title = Choose your password
invitation-unusable = This link cannot be used
invitation-unusable-help = It was used already, withdrawn, replaced by a newer one, or it has expired. Ask the person who sent it for a new link.
invitation-go-to-sign-in = Go to sign-in
invitation-join-heading = Join { $product } on Authlink
invitation-join-intro = You are invited as { $role }. Choose a password to create your account.
invitation-join-button = Create my account
invitation-reset-heading = Choose a new password
invitation-reset-intro = The owner of { $product } on Authlink reset your password. Choose a new one; you will be signed out everywhere else.
invitation-reset-button = Set the new password
invitation-valid-until = This link works once, until { $expires }.

## Invitation e-mails
email-invitation-greeting = Hello,
email-invitation-subject = You are invited to { $product } on Authlink
email-invitation-intro = You are invited to join the { $product } team on Authlink as { $role }. Open this link to choose your password:
email-reset-subject = Choose a new password for { $product } on Authlink
email-reset-intro = The owner of { $product } on Authlink reset your password. Open this link to choose a new one:
email-invitation-valid-until = The link works once, until { $expires }.
email-invitation-not-you = If you did not expect this e-mail, ignore it; nothing happens unless the link is used.
team-two-factor = Two-factor
team-two-factor-on = on
team-two-factor-off = off
team-require-two-factor = Two-factor sign-in for everyone
team-require-two-factor-intro = When it is required, members without two-factor sign-in must set it up before they can use the dashboard, and nobody can turn it off. Turn it on for your own account first.
team-require-two-factor-label = Require two-factor sign-in for every member
team-require-two-factor-saved = Saved.

## Two-factor sign-in
two-factor-heading = Two-factor sign-in
two-factor-intro = Signing in then also asks for a six-digit code from an authenticator app on your phone (any app for time-based codes, RFC 6238). Ten recovery codes stand in for a lost phone.
two-factor-set-up = Set up two-factor sign-in
two-factor-scan = Scan this QR code with your authenticator app.
two-factor-qr-label = QR code for your authenticator app
two-factor-or-type = Or type this key into the app:
two-factor-code-from-app = The six-digit code the app shows now
two-factor-turn-on = Turn on
two-factor-on-since = On since { $since }. Recovery codes left: { $left }.
two-factor-disable = Turn off two-factor sign-in
two-factor-required-cannot-disable = The owner requires two-factor sign-in for everyone, so it stays on.
two-factor-recovery-codes = Your recovery codes
two-factor-recovery-codes-help = Each works once, instead of a code from the app. Store them somewhere safe now: they are shown only this once.
two-factor-required-lead = The owner of this installation requires two-factor sign-in. Set it up to continue.
two-factor-continue = Continue to the dashboard
two-factor-sign-in = Two-factor sign-in
two-factor-sign-in-lead = Enter the six-digit code from your authenticator app.
two-factor-code = Code
two-factor-code-help = Lost your phone? Enter one of your recovery codes instead.
two-factor-verify = Verify
two-factor-start-over = Start over
webhooks-owner-only = Only the owner adds webhook endpoints: a new endpoint's signing secret is shown once, to whoever adds it.
settings-credentials-read-owner-only = Only the owner creates keys with credentials:read, which read every tenant's credentials.
team-turn-off-two-factor = Turn off two-factor
team-turn-off-two-factor-of = Turn off two-factor for { $email } (they are signed out)
two-factor-password-for-new-codes = Your password, for new recovery codes
two-factor-new-codes = New recovery codes

## Single sign-on
sign-in-with-sso = Sign in with { $provider }
sign-in-or-password = Or sign in with your e-mail address and password:
sign-in-password-owner-only = Password sign-in below is for the installation's owner only.
sso-error-unreachable = The sign-in provider could not be reached. Try again in a moment.
sso-error-issuer-mismatch = The sign-in provider did not identify itself as the configured one, so the sign-in was refused.
sso-error-state-mismatch = This sign-in was not started in this browser, or was used already. Start again.
sso-error-expired = The sign-in took too long. Start again.
sso-error-refused = The sign-in provider did not sign you in.
sso-error-token-refused = The sign-in provider refused to confirm the sign-in. Start again.
sso-error-invalid-id-token = The sign-in provider's answer could not be verified, so the sign-in was refused.
sso-error-email-unverified = The sign-in provider did not confirm a verified e-mail address.
sso-error-domain-not-allowed = Your e-mail address is not in a domain allowed to sign in here.
