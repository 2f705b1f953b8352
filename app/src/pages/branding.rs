//! Settings → Branding: the product name, accent colour, logo and support contact end users
//! see on the Connect page, with a preview that follows what the admin types.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::i18n::dashboard::{t, t_with};
use leptos_router::hooks::use_query_map;

use crate::api::settings::{SaveBranding, get_branding};
use crate::brand::{AA_TEXT_CONTRAST, LogoError, accent_contrast, check_accent};
use crate::components::form::FormError;
use crate::types::{Branding, limits};

/// The Branding card.
#[component]
pub fn BrandingSettings() -> impl IntoView {
    let save = ServerAction::<SaveBranding>::new();
    let current = Resource::new(move || save.version().get(), |_| get_branding());
    view! {
        <section class="card" id="branding" aria-labelledby="branding-heading">
            <h2 id="branding-heading">{t("branding-branding")}</h2>
            <p class="muted">
                {t("branding-what-end-users-see-when-they")}
            </p>
            <LogoOutcome/>
            <Transition fallback=|| view! { <p>{t("branding-loading")}</p> }>
                {move || Suspend::new(async move {
                    match current.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(brand) => view! { <BrandingForm brand=brand save=save/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// What the last logo upload did; the upload answers with a redirect that names it.
#[component]
fn LogoOutcome() -> impl IntoView {
    let query = use_query_map();
    move || {
        query.with(|q| {
            if let Some(refused) = q.get("logo_error").as_deref().and_then(LogoError::from_code) {
                Some(view! {
                    <p class="form-error" role="alert" data-testid="logo-error">{logo_refusal(refused)}</p>
                }.into_any())
            } else {
                let done = match q.get("logo").as_deref() {
                    Some("saved") => t("branding-logo-saved"),
                    Some("removed") => t("branding-logo-removed"),
                    _ => return None,
                };
                Some(view! { <p class="form-success" role="status">{done}</p> }.into_any())
            }
        })
    }
}

/// Why the last logo was refused, in words.
fn logo_refusal(refused: LogoError) -> String {
    let side = |px: u32| [("side", px.into())];
    match refused {
        LogoError::Empty => t("branding-logo-missing"),
        LogoError::TooLarge => t_with(
            "branding-logo-too-large",
            &[("kib", (limits::LOGO_MAX_BYTES / 1024).into())],
        ),
        LogoError::UnsupportedType => t("branding-logo-unsupported-type"),
        LogoError::TooManyPixels => t_with(
            "branding-logo-too-many-pixels",
            &side(limits::LOGO_MAX_SIDE),
        ),
        LogoError::TooFewPixels => {
            t_with("branding-logo-too-few-pixels", &side(limits::LOGO_MIN_SIDE))
        }
        LogoError::Unreadable => t("branding-logo-unreadable"),
    }
}

/// How the accent colour fares, as the admin types it.
fn accent_verdict(raw: &str) -> (bool, String) {
    if raw.trim().is_empty() {
        return (true, t("branding-accent-built-in"));
    }
    match check_accent(raw) {
        Ok(accent) => (
            true,
            t_with(
                "branding-accent-passes",
                &[
                    ("ratio", format!("{:.2}", accent_contrast(accent)).into()),
                    ("needed", AA_TEXT_CONTRAST.into()),
                ],
            ),
        ),
        Err(e) => (false, e.to_string()),
    }
}

/// The form, the logo's forms and the preview.
#[component]
fn BrandingForm(brand: Branding, save: ServerAction<SaveBranding>) -> impl IntoView {
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(())));
    let name = RwSignal::new(brand.product_name.clone());
    let accent = RwSignal::new(brand.accent_color.clone().unwrap_or_default());
    let email = RwSignal::new(brand.support_email.clone().unwrap_or_default());
    let url = RwSignal::new(brand.support_url.clone().unwrap_or_default());
    let verdict = Memo::new(move |_| accent.with(|a| accent_verdict(a)));
    let logo_url = brand.logo_url.clone();
    view! {
        <div class="branding">
            <div class="branding-forms">
                <ActionForm action=save attr:class="stack">
                    <div class="field">
                        <label for="brand-product-name">{t("branding-product-name")}</label>
                        <input id="brand-product-name" name="product_name" type="text" required
                            maxlength=limits::PRODUCT_NAME_MAX_CHARS value=brand.product_name.clone()
                            on:input:target=move |ev| name.set(ev.target().value())/>
                    </div>
                    <div class="field">
                        <label for="brand-accent">{t("branding-accent-colour")}</label>
                        <input id="brand-accent" name="accent_color" type="text" maxlength="7"
                            placeholder=t("branding-3b5bdb") value=brand.accent_color.clone().unwrap_or_default()
                            autocomplete="off" spellcheck="false" aria-describedby="brand-accent-help"
                            aria-invalid=move || (!verdict.get().0).then_some("true")
                            on:input:target=move |ev| accent.set(ev.target().value())/>
                        <p class="help" id="brand-accent-help" aria-live="polite"
                            class:field-error=move || !verdict.get().0>
                            {move || verdict.get().1}
                        </p>
                    </div>
                    <div class="field">
                        <label for="brand-support-email">{t("branding-support-e-mail")}</label>
                        <input id="brand-support-email" name="support_email" type="email"
                            maxlength=limits::EMAIL_MAX_CHARS value=brand.support_email.clone().unwrap_or_default()
                            placeholder=t("branding-help-example-com") aria-describedby="brand-support-help"
                            on:input:target=move |ev| email.set(ev.target().value())/>
                    </div>
                    <div class="field">
                        <label for="brand-support-url">{t("branding-support-page")}</label>
                        <input id="brand-support-url" name="support_url" type="url"
                            maxlength=limits::SUPPORT_CONTACT_MAX_CHARS value=brand.support_url.clone().unwrap_or_default()
                            placeholder=t("branding-https-example-com-help") aria-describedby="brand-support-help"
                            on:input:target=move |ev| url.set(ev.target().value())/>
                        <p class="help" id="brand-support-help">
                            {t("branding-shown-to-end-users-when-connecting")}
                        </p>
                    </div>
                    <FormError error/>
                    <Show when=saved>
                        <p class="form-success" role="status">{t("branding-branding-saved-end-users-see-it")}</p>
                    </Show>
                    <div class="actions">
                        <button type="submit" class="button primary" disabled=move || save.pending().get()>
                            {t("branding-save-branding")}
                        </button>
                    </div>
                </ActionForm>
                <LogoForms has_logo=logo_url.is_some()/>
            </div>
            <Preview logo_url=logo_url name=name accent=accent email=email url=url/>
        </div>
    }
}

/// Uploading and removing the logo: plain form posts, so they work without JavaScript.
#[component]
fn LogoForms(has_logo: bool) -> impl IntoView {
    let help = t_with(
        "branding-logo-help",
        &[
            ("kib", (limits::LOGO_MAX_BYTES / 1024).into()),
            ("side", limits::LOGO_MAX_SIDE.into()),
        ],
    );
    view! {
        <form method="post" action="/settings/branding/logo" enctype="multipart/form-data" class="stack">
            <div class="field">
                <label for="brand-logo">{t("branding-logo")}</label>
                <input id="brand-logo" name="logo" type="file" required
                    accept="image/png,image/jpeg,image/webp" aria-describedby="brand-logo-help"/>
                <p class="help" id="brand-logo-help">{help}</p>
            </div>
            <div class="actions">
                <button type="submit" class="button secondary">{t("branding-upload-logo")}</button>
            </div>
        </form>
        {has_logo.then(|| view! {
            <form method="post" action="/settings/branding/logo" enctype="multipart/form-data">
                <input type="hidden" name="remove" value="1"/>
                <button type="submit" class="button danger small">{t("branding-remove-logo")}</button>
            </form>
        })}
    }
}

/// A small Connect page with what the form holds now.
#[component]
fn Preview(
    logo_url: Option<String>,
    name: RwSignal<String>,
    accent: RwSignal<String>,
    email: RwSignal<String>,
    url: RwSignal<String>,
) -> impl IntoView {
    let page = NodeRef::<leptos::html::Div>::new();
    // Inline styles are refused by the pages' CSP; properties set through the CSSOM are not.
    #[cfg(feature = "hydrate")]
    {
        Effect::new(move |_| {
            let Some(el) = page.get() else { return };
            let style = web_sys::HtmlElement::style(&el);
            match check_accent(&accent.get()) {
                Ok(c) => {
                    let theme = crate::brand::Theme::for_accent(c);
                    let _ = style.set_property("--accent", &theme.light.to_string());
                    let _ = style.set_property("--accent-hover", &theme.light_hover.to_string());
                }
                Err(_) => {
                    let _ = style.remove_property("--accent");
                    let _ = style.remove_property("--accent-hover");
                }
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = accent;
    let alt = move || t_with("branding-preview-logo", &[("product", name.get().into())]);
    let support = move || {
        let email = email.get();
        let url = url.get();
        (!email.trim().is_empty() || !url.trim().is_empty()).then(|| {
            let parts: Vec<&str> = [email.trim(), url.trim()]
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect();
            t_with(
                "branding-preview-support",
                &[
                    ("product", name.get().into()),
                    ("contacts", parts.join(" · ").into()),
                ],
            )
        })
    };
    view! {
        <figure class="brand-preview" data-testid="brand-preview">
            <div class="preview-page" node_ref=page>
                {logo_url.map(|src| view! { <p class="brand-logo"><img src=src alt=alt/></p> })}
                <p class="eyebrow">{move || t_with("branding-preview-eyebrow", &[("product", name.get().into())])}</p>
                <p class="preview-heading">{t("branding-connect-your-crm")}</p>
                <span class="button primary" aria-hidden="true">{t("branding-continue")}</span>
                <p class="help" data-testid="preview-support">{support}</p>
            </div>
            <figcaption class="help">{t("branding-preview-of-the-connect-page-as")}</figcaption>
        </figure>
    }
}
