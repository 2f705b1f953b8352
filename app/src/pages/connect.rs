//! The end user's Connect page and its result pages.
//!
//! These are plain server-rendered HTML documents without any script: they work with JavaScript
//! off, carry a CSP that allows nothing but our stylesheet and the form's target, and render fast.
//! Every word comes from the visitor's [`Messages`]; the switcher is plain links.

use leptos::prelude::*;

use crate::i18n::{Locale, Messages};
use crate::types::{Branding, FieldInfo, FieldKind};

/// The language switcher: every language with the address of this page in it. Empty on pages
/// that cannot be loaded again by address (the answer to a form or a provider's callback).
pub type Languages = Vec<(Locale, String)>;

/// Everything the Connect page shows.
#[derive(Debug, Clone)]
pub struct ConnectView {
    /// The visitor's language.
    pub messages: &'static Messages,
    /// The switcher's links.
    pub languages: Languages,
    /// The admin's product name, logo, colour and support contact.
    pub brand: Branding,
    /// The tenant's name.
    pub tenant_name: String,
    /// The environment's name when it is not production.
    pub environment: Option<String>,
    /// The connector's name, as the admin named it: what the end user reads everywhere.
    pub connector_name: String,
    /// The provider's name, shown beside it unless the connector is a generic template.
    pub service_name: Option<String>,
    /// OAuth2 (a button to the provider) or a credential form.
    pub oauth: bool,
    /// Requested scopes (OAuth2), with what each allows (in the visitor's language) when the
    /// catalog says.
    pub scopes: Vec<(String, Option<String>)>,
    /// Link expiry.
    pub expires_at: time::OffsetDateTime,
    /// Fields to fill in.
    pub fields: Vec<FieldInfo>,
    /// Values to put back into non-secret fields after an error.
    pub values: Vec<(String, String)>,
    /// Errors by field name.
    pub errors: Vec<(String, String)>,
    /// An error for the whole form.
    pub form_error: Option<String>,
    /// Where the form posts to.
    pub action: String,
}

/// The admin's logo above the page, if there is one.
fn logo(messages: &'static Messages, brand: &Branding) -> Option<impl IntoView + use<>> {
    let alt = messages.format(
        "brand-logo",
        &[("product", brand.product_name.clone().into())],
    );
    brand.logo_url.clone().map(|src| {
        view! { <p class="brand-logo"><img src=src alt=alt/></p> }
    })
}

/// Whom end users can ask for help, when the admin said.
fn support(messages: &'static Messages, brand: &Branding) -> Option<impl IntoView + use<>> {
    if !brand.has_support() {
        return None;
    }
    let intro = messages.format(
        "support-intro",
        &[("product", brand.product_name.clone().into())],
    );
    let email = brand.support_email.clone().map(|address| {
        let href = format!("mailto:{address}");
        view! { <li><a href=href>{address}</a></li> }
    });
    let page = brand.support_url.clone().map(
        |href| view! { <li><a href=href rel="noreferrer">{messages.text("support-page")}</a></li> },
    );
    Some(view! {
        <div class="support" data-testid="support-contact">
            <p>{intro}</p>
            <ul>{email}{page}</ul>
        </div>
    })
}

fn document(
    messages: &'static Messages,
    brand: Option<&Branding>,
    title: String,
    languages: Languages,
    body: impl IntoView + 'static,
) -> String {
    let current = messages.locale();
    let theme = brand.and_then(Branding::theme_url).map(|href| {
        view! { <link rel="stylesheet" href=href/> }
    });
    let brand_logo = brand.and_then(|b| logo(messages, b));
    let switcher = (!languages.is_empty()).then(|| {
        view! {
            <nav class="languages" aria-label=messages.text("language-nav")>
                <ul>
                    {languages
                        .into_iter()
                        .map(|(locale, href)| {
                            view! {
                                <li>
                                    <a href=href hreflang=locale.tag() lang=locale.tag()
                                        aria-current=(locale == current).then_some("true")>
                                        {locale.native_name()}
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
        }
    });
    let html = view! {
        <html lang=current.tag()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <meta name="robots" content="noindex, nofollow"/>
                <title>{title}</title>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="stylesheet" href="/pkg/authlink.css"/>
                {theme}
            </head>
            <body>
                <main id="main" class="centered-card connect">{brand_logo}{body}</main>
                {switcher}
            </body>
        </html>
    };
    let owner = Owner::new();
    let rendered = owner.with(|| html.to_html());
    format!("<!DOCTYPE html>{rendered}")
}

fn valid_until(messages: &'static Messages, expires_at: time::OffsetDateTime) -> impl IntoView {
    let machine = expires_at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    view! {
        <dt>{messages.text("link-valid-until")}</dt>
        <dd><time datetime=machine>{messages.datetime(expires_at)}</time></dd>
    }
}

/// The Connect page.
pub fn connect_page(v: ConnectView) -> String {
    let t = v.messages;
    let names = || {
        [
            ("connector", v.connector_name.clone().into()),
            ("product", v.brand.product_name.clone().into()),
        ]
    };
    let title = t.format("connect-title", &names());
    let heading = t.format("connect-heading", &names());
    let button = if v.oauth {
        t.format("connect-continue", &names())
    } else {
        t.format("connect-submit", &names())
    };
    let eyebrow = t.format("connect-eyebrow", &names());
    let ConnectView {
        messages: _,
        languages,
        brand,
        tenant_name,
        environment,
        connector_name,
        service_name,
        oauth,
        scopes,
        expires_at,
        fields,
        values,
        errors,
        form_error,
        action,
    } = v;
    let access = if scopes.is_empty() {
        let id = if oauth {
            "connect-access-default-oauth"
        } else {
            "connect-access-default-credentials"
        };
        view! { <dd>{t.text(id)}</dd> }.into_any()
    } else {
        view! {
            <dd>
                <ul class="scopes">
                    {scopes
                        .into_iter()
                        .map(|(scope, about)| match about {
                            // What the scope allows reads first; the raw scope is the detail.
                            Some(about) => view! {
                                <li>{about}" "<code class="scope-raw">{scope}</code></li>
                            }
                            .into_any(),
                            None => view! { <li><code>{scope}</code></li> }.into_any(),
                        })
                        .collect_view()}
                </ul>
            </dd>
        }
        .into_any()
    };
    let inputs = fields
        .into_iter()
        .map(|f| {
            let id = format!("field-{}", f.name);
            let help_id = format!("{id}-help");
            let error_id = format!("{id}-error");
            let error = errors
                .iter()
                .find(|(n, _)| n == &f.name)
                .map(|(_, m)| m.clone());
            let value = if f.secret {
                None
            } else {
                values
                    .iter()
                    .find(|(n, _)| n == &f.name)
                    .map(|(_, v)| v.clone())
                    .or(f.default.clone())
            };
            let described = [
                f.help.as_ref().map(|_| help_id.clone()),
                error.as_ref().map(|_| error_id.clone()),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
            let described = (!described.is_empty()).then_some(described);
            let invalid = error.as_ref().map(|_| "true");
            let control = if f.kind == FieldKind::Select {
                let options = f
                    .options
                    .iter()
                    .map(|o| {
                        let selected = value.as_deref() == Some(o.value.as_str());
                        view! { <option value=o.value.clone() selected=selected>{o.label.clone()}</option> }
                    })
                    .collect_view();
                view! {
                    <select id=id.clone() name=f.name.clone() required
                        aria-invalid=invalid aria-describedby=described>
                        {options}
                    </select>
                }
                .into_any()
            } else {
                view! {
                    <input id=id.clone() name=f.name.clone() type=f.kind.input_type() required
                        value=value
                        autocomplete=if f.secret { "off" } else { "on" }
                        aria-invalid=invalid
                        aria-describedby=described/>
                }
                .into_any()
            };
            view! {
                <div class="field">
                    <label for=id>{f.label.clone()}</label>
                    {control}
                    {f.help.map(|h| view! { <p class="help" id=help_id>{h}</p> })}
                    {error.map(|e| view! { <p class="field-error" id=error_id>{e}</p> })}
                </div>
            }
        })
        .collect_view();
    let service = service_name
        .filter(|name| *name != connector_name)
        .map(|name| view! { <dt>{t.text("connect-service")}</dt><dd>{name}</dd> });
    let body = view! {
        <p class="eyebrow">{eyebrow}</p>
        <h1>{heading}</h1>
        <dl class="facts">
            <dt>{t.text("connect-for")}</dt>
            <dd>{tenant_name}</dd>
            {environment.map(|name| view! {
                <dt>{t.text("connect-environment")}</dt>
                <dd data-testid="environment">{name}</dd>
            })}
            {service}
            <dt>{t.text("connect-access")}</dt>
            {access}
            {valid_until(t, expires_at)}
        </dl>
        <form method="post" action=action class="stack">
            {form_error.map(|e| view! { <p class="form-error" role="alert" data-testid="form-error">{e}</p> })}
            {inputs}
            <button type="submit" class="button primary">{button}</button>
        </form>
        <p class="help">
            {t.text(if oauth { "connect-help-oauth" } else { "connect-help-credentials" })}
        </p>
    };
    document(t, Some(&brand), title, languages, body)
}

/// The outcome pages: connected, or what went wrong. `retry` is the `state` of a failed OAuth
/// flow that may be started again: the page then offers "Try again" (a form, so it works without
/// JavaScript; the server checks that the browser is the flow's).
pub fn result_page(
    messages: &'static Messages,
    brand: &Branding,
    success: bool,
    heading: &str,
    message: &str,
    retry: Option<String>,
) -> String {
    let t = messages;
    let title = format!("{heading} · {}", brand.product_name);
    let contact = (!success).then(|| support(t, brand)).flatten();
    let heading = heading.to_owned();
    let message = message.to_owned();
    let class = if success {
        "result success"
    } else {
        "result failure"
    };
    let body = view! {
        <div class=class data-testid=if success { "connect-success" } else { "connect-failure" }>
            <p class="result-mark" aria-hidden="true">{if success { "✓" } else { "!" }}</p>
            <h1>{heading}</h1>
            <p role=if success { "status" } else { "alert" }>{message}</p>
            {retry.map(|state| view! {
                <form method="post" action="/oauth/retry">
                    <input type="hidden" name="state" value=state/>
                    <button type="submit" class="button primary">{t.text("try-again")}</button>
                </form>
            })}
            {success.then(|| view! { <p class="help">{t.text("connected-close")}</p> })}
            {contact}
        </div>
    };
    document(t, Some(brand), title, Vec::new(), body)
}

/// What the built-in demo provider's consent screen shows.
#[derive(Debug, Clone)]
pub struct ConsentView {
    /// The provider's name as shown to the end user.
    pub provider_name: String,
    /// The application asking for access.
    pub client_name: String,
    /// The account the end user is "signed in" as at the provider.
    pub account: String,
    /// The scopes asked for.
    pub scopes: Vec<String>,
    /// The authorization request, carried through the form unchanged.
    pub hidden: Vec<(String, String)>,
    /// Where the form posts to.
    pub action: String,
}

/// The demo provider's consent screen: Allow or Deny, without script.
pub fn consent_page(messages: &'static Messages, v: ConsentView) -> String {
    let t = messages;
    let names = [
        ("client", v.client_name.clone().into()),
        ("provider", v.provider_name.clone().into()),
        ("account", v.account.clone().into()),
    ];
    let title = t.format("consent-title", &names);
    let heading = t.format("consent-heading", &names);
    let intro = t.format("consent-intro", &names);
    let ConsentView {
        provider_name,
        client_name: _,
        account: _,
        scopes,
        hidden,
        action,
    } = v;
    let scopes = if scopes.is_empty() {
        view! { <p>{t.text("consent-basic-access")}</p> }.into_any()
    } else {
        view! {
            <ul class="scopes">
                {scopes.into_iter().map(|s| view! { <li><code>{s}</code></li> }).collect_view()}
            </ul>
        }
        .into_any()
    };
    let body = view! {
        <p class="eyebrow">{provider_name}</p>
        <h1>{heading}</h1>
        <p>{intro}</p>
        <h2>{t.text("consent-asks-for")}</h2>
        {scopes}
        <form method="post" action=action class="stack">
            {hidden
                .into_iter()
                .map(|(name, value)| view! { <input type="hidden" name=name value=value/> })
                .collect_view()}
            <div class="actions">
                <button type="submit" name="decision" value="allow" class="button primary">{t.text("consent-allow")}</button>
                <button type="submit" name="decision" value="deny" class="button secondary">{t.text("consent-deny")}</button>
            </div>
        </form>
        <p class="help">{t.text("consent-demo-note")}</p>
    };
    // The demo provider is a provider, not the admin's product: none of their branding.
    document(t, None, title, Vec::new(), body)
}

/// One connector on the choice page.
#[derive(Debug, Clone)]
pub struct ChoiceView {
    /// Its Connect page.
    pub href: String,
    /// The connector's name.
    pub connector_name: String,
    /// The provider's name.
    pub provider_name: String,
}

/// The page of a link that lets the end user choose among several connectors.
#[derive(Debug, Clone)]
pub struct ChooserView {
    /// The visitor's language.
    pub messages: &'static Messages,
    /// The switcher's links.
    pub languages: Languages,
    /// The admin's product name, logo, colour and support contact.
    pub brand: Branding,
    /// The tenant's name.
    pub tenant_name: String,
    /// Link expiry.
    pub expires_at: time::OffsetDateTime,
    /// The connectors offered.
    pub options: Vec<ChoiceView>,
}

/// Lets the end user pick which tool to connect; plain links, no script.
pub fn chooser_page(v: ChooserView) -> String {
    let t = v.messages;
    let product = [("product", v.brand.product_name.clone().into())];
    let title = t.format("chooser-title", &product);
    let eyebrow = t.format("connect-eyebrow", &product);
    let ChooserView {
        messages: _,
        languages,
        brand,
        tenant_name,
        expires_at,
        options,
    } = v;
    let body = view! {
        <p class="eyebrow">{eyebrow}</p>
        <h1>{t.text("chooser-heading")}</h1>
        <dl class="facts">
            <dt>{t.text("connect-for")}</dt>
            <dd>{tenant_name}</dd>
            {valid_until(t, expires_at)}
        </dl>
        <ul class="choices" data-testid="connector-choices">
            {options
                .into_iter()
                .map(|o| view! {
                    <li>
                        <a class="button secondary" href=o.href>
                            {o.connector_name}
                            <span class="help">{format!(" · {}", o.provider_name)}</span>
                        </a>
                    </li>
                })
                .collect_view()}
        </ul>
    };
    document(t, Some(&brand), title, languages, body)
}
