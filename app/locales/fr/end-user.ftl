# Les pages de l'utilisateur final, en français (vouvoiement).

## Every page

language-nav = Langue
link-valid-until = Lien valable jusqu’au
datetime = { $day } { $month } { $year } à { $time } UTC
month-1 = janvier
month-2 = février
month-3 = mars
month-4 = avril
month-5 = mai
month-6 = juin
month-7 = juillet
month-8 = août
month-9 = septembre
month-10 = octobre
month-11 = novembre
month-12 = décembre

## The Connect page

connect-title = Connecter { $connector } · { $product }
connect-eyebrow = { $product } vous demande de connecter un service
connect-heading = Connecter { $connector }
connect-for = Pour
connect-environment = Environnement
connect-service = Service
connect-access = Accès demandé
connect-access-default-oauth = Ce que le fournisseur accorde par défaut
connect-access-default-credentials = Ce que ces identifiants permettent
connect-continue = Continuer vers { $connector }
connect-submit = Connecter { $connector }
connect-help-oauth = Vous vous connecterez chez le fournisseur et y approuverez l’accès. Votre mot de passe ne nous est jamais communiqué.
connect-help-credentials = Vos identifiants sont vérifiés auprès du fournisseur et stockés chiffrés.
form-unreadable = Le formulaire n’a pas pu être lu. Veuillez le remplir à nouveau.
form-needs-attention = Certaines valeurs sont à corriger.

## Problems with one field of the credential form

field-missing = Saisissez le champ « { $label } ».
field-too-long = Le champ « { $label } » est trop long.
field-bad-format = Le champ « { $label } » n’a pas le format attendu.
field-control-character = Le champ « { $label } » contient un caractère de contrôle invisible ; collez-le à nouveau.
field-not-in-form = « { $name } » n’est pas un champ de ce formulaire.

## The choice between several connectors

chooser-title = Choisissez ce que vous voulez connecter · { $product }
chooser-heading = Choisissez ce que vous voulez connecter

## The result pages

connected-heading = Vous êtes connecté
connected-message = { $connector } est maintenant connecté à { $product }.
connected-close = Vous pouvez fermer cette fenêtre.
try-again = Réessayer
support-intro = Besoin d’aide ? Contactez { $product } :
support-page = Page d’aide
brand-logo = Logo de { $product }
failed-heading = La connexion n’a pas abouti
unusable-heading = Ce lien ne peut pas être utilisé

## Why connecting did not go through

error-link-unavailable = Ce lien n’est pas valide. Il a peut-être expiré, déjà été utilisé ou été révoqué.
error-flow-unknown = Cette tentative de connexion n’est plus valide. Veuillez recommencer depuis votre lien.
error-wrong-browser = Cette connexion a été commencée dans un autre navigateur. Veuillez rouvrir votre lien dans ce navigateur.
error-denied = L’accès n’a pas été accordé chez le fournisseur. Vous pouvez réessayer depuis votre lien.
error-account-mismatch = Vous vous êtes connecté chez le fournisseur avec un autre compte que celui de cette connexion. Connectez-vous avec ce compte et réessayez depuis votre lien, ou demandez un nouveau lien.
error-internal = Un problème est survenu de notre côté. Veuillez réessayer.
error-credentials-rejected = Le fournisseur n’a pas accepté ces identifiants. Vérifiez-les et réessayez.
error-check-failed = Les identifiants n’ont pas pu être vérifiés ({ $detail }). Veuillez réessayer.
error-authorization = Le fournisseur a signalé une erreur ({ $detail }). Vous pouvez réessayer depuis votre lien.
error-issuer-mismatch = La réponse provient d’un autre serveur d’autorisation que celui vers lequel vous avez été envoyé.
error-no-code = Le fournisseur n’a envoyé aucun code d’autorisation. Vous pouvez réessayer depuis votre lien.
error-token-refused = Le fournisseur a refusé de délivrer un jeton ({ $detail }). Veuillez réessayer depuis votre lien.
error-unreachable = Le fournisseur n’a pas répondu à temps. Veuillez réessayer.
error-unreadable = La réponse du fournisseur n’a pas pu être comprise. Veuillez réessayer.
error-refresh-refused = Le fournisseur a refusé l’accès. Veuillez vous reconnecter depuis votre lien.
no-details = aucun détail

## Too many requests from one address

too-many-heading = Trop de tentatives
too-many-message = Trop de requêtes sont venues de votre réseau en peu de temps. Veuillez patienter { $seconds ->
        [one] une seconde
       *[other] { $seconds } secondes
    }, puis rouvrez le lien.

## The built-in demo provider's consent screen

consent-title = Autoriser { $client } · { $provider }
consent-heading = Autoriser { $client }
consent-intro = { $client } souhaite accéder à votre compte { $account }.
consent-asks-for = Il demande
consent-basic-access = Un accès de base à votre compte.
consent-allow = Autoriser
consent-deny = Refuser
consent-demo-note = Ceci est le fournisseur de démonstration intégré d’Authlink ; il ne contient aucune donnée réelle.

## The e-mail that carries a link, and the reminder a day before it expires

email-link-subject = { $product } : connecter { $connector }
email-greeting = Bonjour,
email-link-intro = { $product } vous demande de connecter { $connector } pour { $tenant }. Ouvrez ce lien pour le faire :
email-link-valid-until = Le lien est valable jusqu’au { $expires }.
email-reminder-subject = Rappel : connecter { $connector } pour { $product }
email-reminder-intro = Votre lien pour connecter { $connector } pour { $tenant } expire le { $expires }. Ouvrez-le pour terminer :
email-note = Un mot de { $product } :
email-footer = Vous recevez cet e-mail parce qu’une personne de { $product } vous a envoyé ce lien. Si vous ne l’attendiez pas, vous pouvez l’ignorer.
