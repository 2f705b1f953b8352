# Las páginas del usuario final, en español (trato de usted).

## Every page

language-nav = Idioma
link-valid-until = Enlace válido hasta
datetime = { $day } de { $month } de { $year }, { $time } UTC
month-1 = enero
month-2 = febrero
month-3 = marzo
month-4 = abril
month-5 = mayo
month-6 = junio
month-7 = julio
month-8 = agosto
month-9 = septiembre
month-10 = octubre
month-11 = noviembre
month-12 = diciembre

## The Connect page

connect-title = Conectar { $connector } · { $product }
connect-eyebrow = { $product } le pide que conecte un servicio
connect-heading = Conectar { $connector }
connect-for = Para
connect-environment = Entorno
connect-service = Servicio
connect-access = Acceso solicitado
connect-access-default-oauth = Lo que el proveedor concede de forma predeterminada
connect-access-default-credentials = Lo que permiten estas credenciales
connect-continue = Continuar a { $connector }
connect-submit = Conectar { $connector }
connect-help-oauth = Iniciará sesión en el proveedor y aprobará el acceso allí. Su contraseña nunca se comparte con nosotros.
connect-help-credentials = Sus credenciales se comprueban con el proveedor y se guardan cifradas.
form-unreadable = No se pudo leer el formulario. Vuelva a rellenarlo.
form-needs-attention = Algunos valores necesitan corrección.

## Problems with one field of the credential form

field-missing = Introduzca el campo «{ $label }».
field-too-long = El campo «{ $label }» es demasiado largo.
field-bad-format = El campo «{ $label }» no tiene el formato esperado.
field-control-character = El campo «{ $label }» contiene un carácter de control invisible; péguelo de nuevo.
field-not-in-form = «{ $name }» no es un campo de este formulario.

## The choice between several connectors

chooser-title = Elija qué conectar · { $product }
chooser-heading = Elija qué conectar

## The result pages

connected-heading = Conexión realizada
connected-message = { $connector } ya está conectado a { $product }.
connected-close = Puede cerrar esta ventana.
try-again = Intentar de nuevo
support-intro = ¿Necesita ayuda? Contacte con { $product }:
support-page = Página de ayuda
brand-logo = Logotipo de { $product }
failed-heading = La conexión no se completó
unusable-heading = Este enlace no se puede usar

## Why connecting did not go through

error-link-unavailable = Este enlace no es válido. Puede que haya caducado, que ya se haya usado o que se haya revocado.
error-flow-unknown = Este intento de inicio de sesión ya no es válido. Vuelva a empezar desde su enlace.
error-wrong-browser = Este inicio de sesión se empezó en otro navegador. Vuelva a abrir su enlace en este navegador.
error-denied = No se concedió el acceso en el proveedor. Puede intentarlo de nuevo desde su enlace.
error-account-mismatch = Inició sesión en el proveedor con una cuenta distinta de la que usa esta conexión. Inicie sesión con esa cuenta e inténtelo de nuevo desde su enlace, o solicite un enlace nuevo.
error-internal = Algo salió mal por nuestra parte. Inténtelo de nuevo.
error-credentials-rejected = El proveedor no aceptó estas credenciales. Compruébelas e inténtelo de nuevo.
error-check-failed = No se pudieron comprobar las credenciales ({ $detail }). Inténtelo de nuevo.
error-authorization = El proveedor informó de un error ({ $detail }). Puede intentarlo de nuevo desde su enlace.
error-issuer-mismatch = La respuesta llegó de un servidor de autorización distinto de aquel al que se le envió.
error-no-code = El proveedor no envió ningún código de autorización. Puede intentarlo de nuevo desde su enlace.
error-token-refused = El proveedor se negó a emitir un token ({ $detail }). Inténtelo de nuevo desde su enlace.
error-unreachable = El proveedor no respondió a tiempo. Inténtelo de nuevo.
error-unreadable = No se pudo entender la respuesta del proveedor. Inténtelo de nuevo.
error-refresh-refused = El proveedor denegó el acceso. Vuelva a conectar desde su enlace.
no-details = sin detalles

## Too many requests from one address

too-many-heading = Demasiados intentos
too-many-message = Llegaron demasiadas solicitudes desde su red en poco tiempo. Espere { $seconds ->
        [one] un segundo
       *[other] { $seconds } segundos
    } y vuelva a abrir el enlace.

## The built-in demo provider's consent screen

consent-title = Autorizar a { $client } · { $provider }
consent-heading = Autorizar a { $client }
consent-intro = { $client } quiere acceder a su cuenta { $account }.
consent-asks-for = Solicita
consent-basic-access = Acceso básico a su cuenta.
consent-allow = Permitir
consent-deny = Denegar
consent-demo-note = Este es el proveedor de demostración integrado de Authlink; no contiene datos reales.

## The e-mail that carries a link, and the reminder a day before it expires

email-link-subject = { $product }: conectar { $connector }
email-greeting = Hola:
email-link-intro = { $product } le pide que conecte { $connector } para { $tenant }. Abra este enlace para hacerlo:
email-link-valid-until = El enlace es válido hasta el { $expires }.
email-reminder-subject = Recordatorio: conectar { $connector } para { $product }
email-reminder-intro = Su enlace para conectar { $connector } para { $tenant } caduca el { $expires }. Ábralo para terminar:
email-note = Un mensaje de { $product }:
email-footer = Recibe este correo porque alguien de { $product } le envió este enlace. Si no lo esperaba, puede ignorarlo.
