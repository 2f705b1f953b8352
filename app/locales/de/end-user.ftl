# Die Seiten für Endnutzer, auf Deutsch (Sie-Form).

## Every page

language-nav = Sprache
link-valid-until = Link gültig bis
datetime = { $day }. { $month } { $year }, { $time } UTC
month-1 = Januar
month-2 = Februar
month-3 = März
month-4 = April
month-5 = Mai
month-6 = Juni
month-7 = Juli
month-8 = August
month-9 = September
month-10 = Oktober
month-11 = November
month-12 = Dezember

## The Connect page

connect-title = { $connector } verbinden · { $product }
connect-eyebrow = { $product } bittet Sie, eine Verbindung herzustellen
connect-heading = { $connector } verbinden
connect-for = Für
connect-environment = Umgebung
connect-service = Dienst
connect-access = Angefragter Zugriff
connect-access-default-oauth = Was der Anbieter standardmäßig freigibt
connect-access-default-credentials = Was diese Zugangsdaten erlauben
connect-continue = Weiter zu { $connector }
connect-submit = { $connector } verbinden
connect-help-oauth = Sie melden sich beim Anbieter an und geben den Zugriff dort frei. Ihr Passwort wird nie mit uns geteilt.
connect-help-credentials = Ihre Zugangsdaten werden beim Anbieter geprüft und verschlüsselt gespeichert.
form-unreadable = Das Formular konnte nicht gelesen werden. Bitte füllen Sie es erneut aus.
form-needs-attention = Einige Angaben müssen korrigiert werden.

## Problems with one field of the credential form

field-missing = Bitte geben Sie Folgendes ein: { $label }.
field-too-long = Die Angabe „{ $label }“ ist zu lang.
field-bad-format = Die Angabe „{ $label }“ hat nicht das erwartete Format.
field-control-character = Die Angabe „{ $label }“ enthält ein unsichtbares Steuerzeichen; bitte fügen Sie sie erneut ein.
field-not-in-form = „{ $name }“ ist kein Feld dieses Formulars.

## The choice between several connectors

chooser-title = Auswählen, was verbunden werden soll · { $product }
chooser-heading = Auswählen, was verbunden werden soll

## The result pages

connected-heading = Sie sind verbunden
connected-message = { $connector } ist jetzt mit { $product } verbunden.
connected-close = Sie können dieses Fenster schließen.
try-again = Erneut versuchen
support-intro = Brauchen Sie Hilfe? Wenden Sie sich an { $product }:
support-page = Hilfeseite
brand-logo = Logo von { $product }
failed-heading = Die Verbindung kam nicht zustande
unusable-heading = Dieser Link kann nicht verwendet werden

## Why connecting did not go through

error-link-unavailable = Dieser Link ist nicht gültig. Er ist vielleicht abgelaufen, wurde bereits verwendet oder widerrufen.
error-flow-unknown = Dieser Anmeldeversuch ist nicht mehr gültig. Bitte beginnen Sie erneut über Ihren Link.
error-wrong-browser = Diese Anmeldung wurde in einem anderen Browser begonnen. Bitte öffnen Sie Ihren Link erneut in diesem Browser.
error-denied = Der Zugriff wurde beim Anbieter nicht gewährt. Sie können es über Ihren Link erneut versuchen.
error-account-mismatch = Sie haben sich beim Anbieter mit einem anderen Konto angemeldet als dem, das diese Verbindung verwendet. Melden Sie sich mit diesem Konto an und versuchen Sie es über Ihren Link erneut, oder fordern Sie einen neuen Link an.
error-internal = Bei uns ist etwas schiefgelaufen. Bitte versuchen Sie es erneut.
error-credentials-rejected = Der Anbieter hat diese Zugangsdaten nicht akzeptiert. Prüfen Sie sie und versuchen Sie es erneut.
error-check-failed = Die Zugangsdaten konnten nicht geprüft werden ({ $detail }). Bitte versuchen Sie es erneut.
error-authorization = Der Anbieter hat einen Fehler gemeldet ({ $detail }). Sie können es über Ihren Link erneut versuchen.
error-issuer-mismatch = Die Antwort kam von einem anderen Autorisierungsserver als dem, zu dem Sie geschickt wurden.
error-no-code = Der Anbieter hat keinen Autorisierungscode gesendet. Sie können es über Ihren Link erneut versuchen.
error-token-refused = Der Anbieter hat die Ausstellung eines Tokens verweigert ({ $detail }). Bitte versuchen Sie es über Ihren Link erneut.
error-unreachable = Der Anbieter hat nicht rechtzeitig geantwortet. Bitte versuchen Sie es erneut.
error-unreadable = Die Antwort des Anbieters war nicht verständlich. Bitte versuchen Sie es erneut.
error-refresh-refused = Der Anbieter hat den Zugriff verweigert. Bitte verbinden Sie sich erneut über Ihren Link.
no-details = keine Details

## Too many requests from one address

too-many-heading = Zu viele Versuche
too-many-message = Aus Ihrem Netzwerk kamen in kurzer Zeit zu viele Anfragen. Bitte warten Sie { $seconds ->
        [one] eine Sekunde
       *[other] { $seconds } Sekunden
    } und öffnen Sie den Link dann erneut.

## The built-in demo provider's consent screen

consent-title = { $client } autorisieren · { $provider }
consent-heading = { $client } autorisieren
consent-intro = { $client } möchte auf Ihr Konto { $account } zugreifen.
consent-asks-for = Angefragt wird
consent-basic-access = Grundlegender Zugriff auf Ihr Konto.
consent-allow = Erlauben
consent-deny = Ablehnen
consent-demo-note = Dies ist der eingebaute Demo-Anbieter von Authlink; er enthält keine echten Daten.

## The e-mail that carries a link, and the reminder a day before it expires

email-link-subject = { $product }: { $connector } verbinden
email-greeting = Guten Tag,
email-link-intro = { $product } bittet Sie, { $connector } für { $tenant } zu verbinden. Öffnen Sie dazu diesen Link:
email-link-valid-until = Der Link ist gültig bis { $expires }.
email-reminder-subject = Erinnerung: { $connector } für { $product } verbinden
email-reminder-intro = Ihr Link, um { $connector } für { $tenant } zu verbinden, läuft am { $expires } ab. Öffnen Sie ihn, um die Verbindung abzuschließen:
email-note = Eine Nachricht von { $product }:
email-footer = Sie erhalten diese E-Mail, weil jemand bei { $product } Ihnen diesen Link geschickt hat. Wenn Sie sie nicht erwartet haben, können Sie sie ignorieren.
