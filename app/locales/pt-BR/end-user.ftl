# As páginas do usuário final, em português do Brasil.

## Every page

language-nav = Idioma
link-valid-until = Link válido até
datetime = { $day } de { $month } de { $year }, { $time } UTC
month-1 = janeiro
month-2 = fevereiro
month-3 = março
month-4 = abril
month-5 = maio
month-6 = junho
month-7 = julho
month-8 = agosto
month-9 = setembro
month-10 = outubro
month-11 = novembro
month-12 = dezembro

## The Connect page

connect-title = Conectar { $connector } · { $product }
connect-eyebrow = { $product } pede que você conecte um serviço
connect-heading = Conectar { $connector }
connect-for = Para
connect-environment = Ambiente
connect-service = Serviço
connect-access = Acesso solicitado
connect-access-default-oauth = O que o provedor concede por padrão
connect-access-default-credentials = O que estas credenciais permitem
connect-continue = Continuar para { $connector }
connect-submit = Conectar { $connector }
connect-help-oauth = Você vai entrar no provedor e aprovar o acesso lá. Sua senha nunca é compartilhada conosco.
connect-help-credentials = Suas credenciais são verificadas com o provedor e armazenadas criptografadas.
form-unreadable = Não foi possível ler o formulário. Preencha-o novamente.
form-needs-attention = Alguns valores precisam de atenção.

## Problems with one field of the credential form

field-missing = Preencha o campo “{ $label }”.
field-too-long = O campo “{ $label }” é longo demais.
field-bad-format = O campo “{ $label }” não está no formato esperado.
field-control-character = O campo “{ $label }” contém um caractere de controle invisível; cole-o novamente.
field-not-in-form = “{ $name }” não é um campo deste formulário.

## The choice between several connectors

chooser-title = Escolha o que conectar · { $product }
chooser-heading = Escolha o que conectar

## The result pages

connected-heading = Conexão concluída
connected-message = { $connector } agora está conectado a { $product }.
connected-close = Você pode fechar esta janela.
try-again = Tentar novamente
support-intro = Precisa de ajuda? Fale com { $product }:
support-page = Página de ajuda
brand-logo = Logotipo de { $product }
failed-heading = A conexão não foi concluída
unusable-heading = Este link não pode ser usado

## Why connecting did not go through

error-link-unavailable = Este link não é válido. Ele pode ter expirado, já ter sido usado ou revogado.
error-flow-unknown = Esta tentativa de entrada não é mais válida. Comece novamente pelo seu link.
error-wrong-browser = Esta entrada foi iniciada em outro navegador. Abra seu link novamente neste navegador.
error-denied = O acesso não foi concedido no provedor. Você pode tentar novamente pelo seu link.
error-account-mismatch = Você entrou no provedor com uma conta diferente da que esta conexão usa. Entre com essa conta e tente novamente pelo seu link, ou peça um novo link.
error-internal = Algo deu errado do nosso lado. Tente novamente.
error-credentials-rejected = O provedor não aceitou estas credenciais. Verifique-as e tente novamente.
error-check-failed = Não foi possível verificar as credenciais ({ $detail }). Tente novamente.
error-authorization = O provedor informou um erro ({ $detail }). Você pode tentar novamente pelo seu link.
error-issuer-mismatch = A resposta veio de um servidor de autorização diferente daquele para o qual você foi enviado.
error-no-code = O provedor não enviou um código de autorização. Você pode tentar novamente pelo seu link.
error-token-refused = O provedor se recusou a emitir um token ({ $detail }). Tente novamente pelo seu link.
error-unreachable = O provedor não respondeu a tempo. Tente novamente.
error-unreadable = Não foi possível entender a resposta do provedor. Tente novamente.
error-refresh-refused = O provedor recusou o acesso. Conecte-se novamente pelo seu link.
no-details = sem detalhes

## Too many requests from one address

too-many-heading = Tentativas demais
too-many-message = Chegaram solicitações demais da sua rede em pouco tempo. Aguarde { $seconds ->
        [one] um segundo
       *[other] { $seconds } segundos
    } e abra o link novamente.

## The built-in demo provider's consent screen

consent-title = Autorizar { $client } · { $provider }
consent-heading = Autorizar { $client }
consent-intro = { $client } quer acessar sua conta { $account }.
consent-asks-for = Ele solicita
consent-basic-access = Acesso básico à sua conta.
consent-allow = Permitir
consent-deny = Negar
consent-demo-note = Este é o provedor de demonstração integrado do Authlink; ele não contém dados reais.

## The e-mail that carries a link, and the reminder a day before it expires

email-link-subject = { $product }: conectar { $connector }
email-greeting = Olá,
email-link-intro = { $product } pede que você conecte { $connector } para { $tenant }. Abra este link para fazer isso:
email-link-valid-until = O link é válido até { $expires }.
email-reminder-subject = Lembrete: conectar { $connector } para { $product }
email-reminder-intro = Seu link para conectar { $connector } para { $tenant } expira em { $expires }. Abra-o para concluir:
email-note = Uma mensagem de { $product }:
email-footer = Você está recebendo este e-mail porque alguém da { $product } enviou este link para você. Se não esperava por ele, pode ignorá-lo.
