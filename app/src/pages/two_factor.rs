//! Two-factor sign-in: the Settings card that sets it up (QR code, secret, first code, recovery
//! codes) or turns it off; `/two-factor`, where the owner's rule sends an admin without it; and
//! `/sign-in/two-factor`, the second step of signing in.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::two_factor::{
    BeginTwoFactor, ConfirmTwoFactor, DisableTwoFactor, NewRecoveryCodes, VerifySignInCode,
    get_two_factor,
};
use crate::components::form::FormError;
use crate::i18n::dashboard::{t, t_with};
use crate::types::{TwoFactorEnrolment, format_time, limits};

/// The Settings card.
#[component]
pub fn TwoFactorSettings() -> impl IntoView {
    let begin = ServerAction::<BeginTwoFactor>::new();
    let confirm = ServerAction::<ConfirmTwoFactor>::new();
    let disable = ServerAction::<DisableTwoFactor>::new();
    let renew = ServerAction::<NewRecoveryCodes>::new();
    let status = Resource::new(
        move || {
            (
                confirm.version().get(),
                disable.version().get(),
                renew.version().get(),
            )
        },
        |_| get_two_factor(),
    );
    let disable_error = Signal::derive(move || disable.value().get().and_then(Result::err));
    view! {
        <section class="card" id="two-factor" aria-labelledby="two-factor-heading">
            <h2 id="two-factor-heading">{t("two-factor-heading")}</h2>
            <p class="muted">{t("two-factor-intro")}</p>
            {move || {
                confirm
                    .value()
                    .get()
                    .and_then(Result::ok)
                    .or_else(|| renew.value().get().and_then(Result::ok))
                    .map(|codes| view! { <RecoveryCodes codes/> })
            }}
            <Transition fallback=|| view! { <p>{t("settings-loading")}</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(s) => match s.enabled_at {
                            Some(since) => view! {
                                <p class="form-success" data-testid="two-factor-on">
                                    {t_with("two-factor-on-since", &[("since", format_time(since).into()), ("left", s.recovery_codes_left.into())])}
                                </p>
                                <NewCodes renew/>
                                {if s.required {
                                    view! { <p class="help">{t("two-factor-required-cannot-disable")}</p> }.into_any()
                                } else {
                                    view! {
                                        <ActionForm action=disable attr:class="stack">
                                            <div class="field">
                                                <label for="two-factor-password">{t("settings-current-password")}</label>
                                                <input id="two-factor-password" name="password" type="password" required
                                                    maxlength=limits::PASSWORD_MAX_CHARS autocomplete="current-password"/>
                                            </div>
                                            <FormError error=disable_error/>
                                            <div class="actions">
                                                <button type="submit" class="button danger">{t("two-factor-disable")}</button>
                                            </div>
                                        </ActionForm>
                                    }.into_any()
                                }}
                            }.into_any(),
                            None => view! { <Enrol begin confirm/> }.into_any(),
                        },
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Enrol(
    begin: ServerAction<BeginTwoFactor>,
    confirm: ServerAction<ConfirmTwoFactor>,
) -> impl IntoView {
    let begin_error = Signal::derive(move || begin.value().get().and_then(Result::err));
    view! {
        {move || match begin.value().get() {
            Some(Ok(enrolment)) => view! { <Confirm enrolment confirm/> }.into_any(),
            _ => view! {
                <ActionForm action=begin attr:class="stack">
                    <FormError error=begin_error/>
                    <div class="actions">
                        <button type="submit" class="button primary">{t("two-factor-set-up")}</button>
                    </div>
                </ActionForm>
            }.into_any(),
        }}
    }
}

#[component]
fn Confirm(
    enrolment: TwoFactorEnrolment,
    confirm: ServerAction<ConfirmTwoFactor>,
) -> impl IntoView {
    let error = Signal::derive(move || confirm.value().get().and_then(Result::err));
    let view_box = format!("0 0 {0} {0}", enrolment.qr_size);
    let size = enrolment.qr_size.to_string();
    view! {
        <ol class="steps">
            <li>
                <p>{t("two-factor-scan")}</p>
                <svg class="qr-code" viewBox=view_box role="img" aria-label=t("two-factor-qr-label")
                    xmlns="http://www.w3.org/2000/svg" shape-rendering="crispEdges">
                    <rect width=size.clone() height=size fill="#ffffff"/>
                    <path d=enrolment.qr_path fill="#000000"/>
                </svg>
                <p class="help">{t("two-factor-or-type")}</p>
                <p><code class="secret" data-testid="two-factor-secret">{enrolment.secret}</code></p>
            </li>
            <li>
                <ActionForm action=confirm attr:class="stack">
                    <div class="field">
                        <label for="two-factor-code">{t("two-factor-code-from-app")}</label>
                        <input id="two-factor-code" name="code" type="text" required inputmode="numeric"
                            autocomplete="one-time-code" maxlength="10" spellcheck="false"/>
                    </div>
                    <FormError error/>
                    <div class="actions">
                        <button type="submit" class="button primary">{t("two-factor-turn-on")}</button>
                    </div>
                </ActionForm>
            </li>
        </ol>
    }
}

/// Ten new recovery codes in place of the old ones, after the password.
#[component]
fn NewCodes(renew: ServerAction<NewRecoveryCodes>) -> impl IntoView {
    let error = Signal::derive(move || renew.value().get().and_then(Result::err));
    view! {
        <ActionForm action=renew attr:class="stack">
            <div class="field">
                <label for="recovery-password">{t("two-factor-password-for-new-codes")}</label>
                <input id="recovery-password" name="password" type="password" required
                    maxlength=limits::PASSWORD_MAX_CHARS autocomplete="current-password"/>
            </div>
            <FormError error/>
            <div class="actions">
                <button type="submit" class="button secondary">{t("two-factor-new-codes")}</button>
            </div>
        </ActionForm>
    }
}

/// The recovery codes, right after two-factor sign-in was turned on: the only time they show.
#[component]
fn RecoveryCodes(codes: Vec<String>) -> impl IntoView {
    view! {
        <div class="generated" role="status">
            <p><strong>{t("two-factor-recovery-codes")}</strong></p>
            <p class="help">{t("two-factor-recovery-codes-help")}</p>
            <ol class="recovery-codes" data-testid="recovery-codes">
                {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
            </ol>
        </div>
    }
}

/// `/two-factor`: the owner requires two-factor sign-in, and this account has not set it up.
#[component]
pub fn TwoFactorPage() -> impl IntoView {
    view! {
        <Title text=t("two-factor-heading")/>
        <h1>{t("two-factor-heading")}</h1>
        <p class="lead">{t("two-factor-required-lead")}</p>
        <TwoFactorSettings/>
        <p><a href="/tenants">{t("two-factor-continue")}</a></p>
    }
}

/// `/sign-in/two-factor`: the second step of signing in.
#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let verify = ServerAction::<VerifySignInCode>::new();
    let error = Signal::derive(move || verify.value().get().and_then(Result::err));
    view! {
        <Title text=t("two-factor-sign-in")/>
        <main id="main" class="centered-card">
            <h1>{t("two-factor-sign-in")}</h1>
            <p class="lead">{t("two-factor-sign-in-lead")}</p>
            <ActionForm action=verify attr:class="stack">
                <div class="field">
                    <label for="code">{t("two-factor-code")}</label>
                    <input id="code" name="code" type="text" required autocomplete="one-time-code"
                        maxlength="64" spellcheck="false" aria-describedby="code-help"/>
                    <p class="help" id="code-help">{t("two-factor-code-help")}</p>
                </div>
                <FormError error/>
                <button type="submit" class="button primary" disabled=move || verify.pending().get()>
                    {t("two-factor-verify")}
                </button>
            </ActionForm>
            <p><a href="/sign-in">{t("two-factor-start-over")}</a></p>
        </main>
    }
}
