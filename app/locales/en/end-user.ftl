# The end user's pages: Connect, the choice of connector, the credential form, the result pages
# and the demo provider's consent screen. Every file in app/locales/*/end-user.ftl has exactly the
# messages of this one, with the same variables (a test checks).

## Every page

language-nav = Language
link-valid-until = Link valid until
# A date and time; $month is one of the month names below.
datetime = { $day } { $month } { $year }, { $time } UTC
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

## The Connect page

connect-title = Connect { $connector } · { $product }
connect-eyebrow = { $product } asks you to connect
connect-heading = Connect { $connector }
connect-for = For
connect-environment = Environment
connect-service = Service
connect-access = Access requested
connect-access-default-oauth = What the provider grants by default
connect-access-default-credentials = What these credentials allow
connect-continue = Continue to { $connector }
connect-submit = Connect { $connector }
connect-help-oauth = You will sign in at the provider and approve access there. Your password is never shared with us.
connect-help-credentials = Your credentials are checked with the provider and stored encrypted.
form-unreadable = The form could not be read. Please fill it in again.
form-needs-attention = Some values need attention.

## Problems with one field of the credential form ($label is the field's label)

field-missing = Enter the { $label }.
field-too-long = The { $label } is too long.
field-bad-format = The { $label } does not have the expected format.
field-control-character = The { $label } contains an invisible control character; paste it again.
field-not-in-form = “{ $name }” is not a field of this form.

## The choice between several connectors

chooser-title = Choose what to connect · { $product }
chooser-heading = Choose what to connect

## The result pages

connected-heading = You're connected
connected-message = { $connector } is now connected to { $product }.
connected-close = You can close this window.
try-again = Try again
support-intro = Need help? Contact { $product }:
support-page = Help page
brand-logo = { $product } logo
failed-heading = The connection did not go through
unusable-heading = This link cannot be used

## Why connecting did not go through

error-link-unavailable = This link is not valid. It may have expired, been used already or been revoked.
error-flow-unknown = This sign-in attempt is not valid any more. Please start again from your link.
error-wrong-browser = This sign-in was started in another browser. Please open your link again in this browser.
error-denied = Access was not granted at the provider. You can try again from your link.
error-account-mismatch = You signed in to a different account at the provider than the one this connection uses. Sign in with that account and try again from your link, or ask for a new link.
error-internal = Something went wrong on our side. Please try again.
error-credentials-rejected = The provider did not accept these credentials. Check them and try again.
error-check-failed = The credentials could not be checked ({ $detail }). Please try again.
error-authorization = The provider reported an error ({ $detail }). You can try again from your link.
error-issuer-mismatch = The answer came from another authorization server than the one you were sent to.
error-no-code = The provider sent no authorization code. You can try again from your link.
error-token-refused = The provider refused to issue a token ({ $detail }). Please try again from your link.
error-unreachable = The provider did not answer in time. Please try again.
error-unreadable = The provider's answer could not be understood. Please try again.
error-refresh-refused = The provider refused access. Please connect again from your link.
no-details = no details

## Too many requests from one address

too-many-heading = Too many attempts
too-many-message = Too many requests came from your network in a short time. Please wait { $seconds ->
        [one] one second
       *[other] { $seconds } seconds
    }, then open the link again.

## The built-in demo provider's consent screen

consent-title = Authorize { $client } · { $provider }
consent-heading = Authorize { $client }
consent-intro = { $client } would like to access your account { $account }.
consent-asks-for = It asks for
consent-basic-access = Basic access to your account.
consent-allow = Allow
consent-deny = Deny
consent-demo-note = This is Authlink's built-in demo provider; it holds no real data.

## The e-mail that carries a link, and the reminder a day before it expires

email-link-subject = { $product }: connect { $connector }
email-greeting = Hello,
email-link-intro = { $product } asks you to connect { $connector } for { $tenant }. Open this link to do it:
email-link-valid-until = The link is valid until { $expires }.
email-reminder-subject = Reminder: connect { $connector } for { $product }
email-reminder-intro = Your link to connect { $connector } for { $tenant } expires on { $expires }. Open it to finish:
email-note = A note from { $product }:
email-footer = You receive this e-mail because someone at { $product } sent you this link. If you did not expect it, you can ignore it.
