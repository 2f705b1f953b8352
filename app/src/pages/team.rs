//! `/team`: the dashboard team. Everyone sees who is in; admins invite; the owner changes roles,
//! resets passwords, removes members and hands ownership on.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::team::{
    ChangeMemberRole, InviteMember, RemoveMember, ResetMemberPassword, RevokeInvitation,
    TransferOwnership, get_team,
};
use crate::api::two_factor::{ResetMemberTwoFactor, SetTwoFactorRequired};
use crate::components::form::{FormError, ShownOnce};
use crate::i18n::dashboard::{t, t_with};
use crate::types::{CreatedInvitation, Role, TeamMember, TeamOverview, format_time, limits};

/// The Team page.
#[component]
pub fn TeamPage() -> impl IntoView {
    let invite = ServerAction::<InviteMember>::new();
    let reset = ServerAction::<ResetMemberPassword>::new();
    let revoke = ServerAction::<RevokeInvitation>::new();
    let change = ServerAction::<ChangeMemberRole>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let transfer = ServerAction::<TransferOwnership>::new();
    let reset_two_factor = ServerAction::<ResetMemberTwoFactor>::new();
    let team = Resource::new(
        move || {
            (
                reset_two_factor.version().get(),
                invite.version().get(),
                reset.version().get(),
                revoke.version().get(),
                change.version().get(),
                remove.version().get(),
                transfer.version().get(),
            )
        },
        |_| get_team(),
    );
    let actions = Actions {
        reset,
        reset_two_factor,
        revoke,
        change,
        remove,
        transfer,
    };
    view! {
        <Title text=t("team-title")/>
        <h1>{t("team-title")}</h1>
        <p class="lead">{t("team-intro")}</p>
        <Transition fallback=|| view! { <p>{t("settings-loading")}</p> }>
            {move || Suspend::new(async move {
                match team.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(overview) => view! { <TeamSections overview invite actions/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The owner's and admins' actions on the team, shared by the sections.
#[derive(Clone, Copy)]
struct Actions {
    reset: ServerAction<ResetMemberPassword>,
    reset_two_factor: ServerAction<ResetMemberTwoFactor>,
    revoke: ServerAction<RevokeInvitation>,
    change: ServerAction<ChangeMemberRole>,
    remove: ServerAction<RemoveMember>,
    transfer: ServerAction<TransferOwnership>,
}

#[component]
fn TeamSections(
    overview: TeamOverview,
    invite: ServerAction<InviteMember>,
    actions: Actions,
) -> impl IntoView {
    let role = overview.your_role;
    let others: Vec<TeamMember> = overview
        .members
        .iter()
        .filter(|m| !m.is_you)
        .cloned()
        .collect();
    view! {
        {role.allows(Role::Admin).then(|| view! { <InviteForm invite mail=overview.mail_configured/> })}
        <Members members=overview.members.clone() role actions/>
        <Pending pending=overview.pending.clone() role revoke=actions.revoke/>
        {(role == Role::Owner).then(|| view! { <RequireTwoFactor required=overview.two_factor_required/> })}
        {(role == Role::Owner && !others.is_empty())
            .then(|| view! { <Transfer members=others transfer=actions.transfer/> })}
    }
}

/// The owner's rule: everyone signs in with a second factor.
#[component]
fn RequireTwoFactor(required: bool) -> impl IntoView {
    let save = ServerAction::<SetTwoFactorRequired>::new();
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(())));
    view! {
        <section class="card" aria-labelledby="require-two-factor-heading">
            <h2 id="require-two-factor-heading">{t("team-require-two-factor")}</h2>
            <p class="muted">{t("team-require-two-factor-intro")}</p>
            <ActionForm action=save attr:class="stack">
                <div class="field checkbox">
                    <input id="require-two-factor" name="required" type="checkbox" value="true" checked=required/>
                    <label for="require-two-factor">{t("team-require-two-factor-label")}</label>
                </div>
                <FormError error/>
                <Show when=saved>
                    <p class="form-success" role="status">{t("team-require-two-factor-saved")}</p>
                </Show>
                <div class="actions">
                    <button type="submit" class="button secondary">{t("settings-save")}</button>
                </div>
            </ActionForm>
        </section>
    }
}

/// The link just made, shown once.
#[component]
fn CreatedLink(created: CreatedInvitation) -> impl IntoView {
    let help = if created.emailed {
        t_with(
            "team-link-emailed",
            &[("email", created.info.email.clone().into())],
        )
    } else {
        t("team-link-send-it")
    };
    let label = t_with(
        "team-link-for",
        &[
            ("email", created.info.email.clone().into()),
            ("expires", format_time(created.info.expires_at).into()),
        ],
    );
    view! { <ShownOnce testid="invitation-link" id="invitation-link" label value=created.url help/> }
}

#[component]
fn InviteForm(invite: ServerAction<InviteMember>, mail: bool) -> impl IntoView {
    let error = Signal::derive(move || invite.value().get().and_then(Result::err));
    view! {
        <section class="card" aria-labelledby="invite-heading">
            <h2 id="invite-heading">{t("team-invite")}</h2>
            <p class="muted">{if mail { t("team-invite-intro-mail") } else { t("team-invite-intro") }}</p>
            <ActionForm action=invite attr:class="stack">
                <div class="field">
                    <label for="invite-email">{t("settings-e-mail")}</label>
                    <input id="invite-email" name="email" type="email" required
                        maxlength=limits::EMAIL_MAX_CHARS autocomplete="off"/>
                </div>
                <div class="field">
                    <label for="invite-role">{t("settings-role")}</label>
                    <select id="invite-role" name="role" aria-describedby="invite-role-help">
                        <option value="admin">{t(Role::Admin.message_id())}</option>
                        <option value="viewer" selected>{t(Role::Viewer.message_id())}</option>
                    </select>
                    <p class="help" id="invite-role-help">{t("team-roles-help")}</p>
                </div>
                <FormError error/>
                {move || invite.value().get().and_then(Result::ok).map(|created| view! { <CreatedLink created/> })}
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || invite.pending().get()>
                        {t("team-send-invitation")}
                    </button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn Members(members: Vec<TeamMember>, role: Role, actions: Actions) -> impl IntoView {
    let error = Signal::derive(move || {
        actions
            .change
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| actions.remove.value().get().and_then(Result::err))
            .or_else(|| actions.reset.value().get().and_then(Result::err))
            .or_else(|| actions.reset_two_factor.value().get().and_then(Result::err))
    });
    view! {
        <section class="card" aria-labelledby="members-heading">
            <h2 id="members-heading">{t("team-members")}</h2>
            <FormError error/>
            {move || actions.reset.value().get().and_then(Result::ok).map(|created| view! { <CreatedLink created/> })}
            <div class="table-wrap">
                <table class="table" data-testid="team-members">
                    <thead>
                        <tr>
                            <th scope="col">{t("settings-e-mail")}</th>
                            <th scope="col">{t("settings-role")}</th>
                            <th scope="col">{t("team-two-factor")}</th>
                            <th scope="col">{t("team-last-sign-in")}</th>
                            <th scope="col">{t("team-actions")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {members.into_iter().map(|m| view! { <MemberRow m role actions/> }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn MemberRow(m: TeamMember, role: Role, actions: Actions) -> impl IntoView {
    let manageable = role == Role::Owner && m.role != Role::Owner;
    let may_leave = m.is_you && m.role != Role::Owner;
    let you = m
        .is_you
        .then(|| view! { " " <span class="status none">{t("team-you")}</span> });
    let role_cell = if manageable {
        let role_id = format!("role-{}", m.id);
        let select_id = role_id.clone();
        let id = m.id.clone();
        let label = t_with("team-role-of", &[("email", m.email.clone().into())]);
        let save_label = t_with("team-save-role-of", &[("email", m.email.clone().into())]);
        let current = m.role;
        view! {
            <ActionForm action=actions.change attr:class="inline-form">
                <input type="hidden" name="id" value=id/>
                <label class="visually-hidden" for=role_id>{label}</label>
                <select id=select_id name="role">
                    <option value="admin" selected=current == Role::Admin>{t(Role::Admin.message_id())}</option>
                    <option value="viewer" selected=current == Role::Viewer>{t(Role::Viewer.message_id())}</option>
                </select>
                <button type="submit" class="button secondary small" aria-label=save_label>{t("settings-save")}</button>
            </ActionForm>
        }
        .into_any()
    } else {
        t(m.role.message_id()).into_any()
    };
    let reset_two_factor = (manageable && m.two_factor).then(|| {
        let label = t_with("team-turn-off-two-factor-of", &[("email", m.email.clone().into())]);
        let id = m.id.clone();
        view! {
            <ActionForm action=actions.reset_two_factor>
                <input type="hidden" name="id" value=id/>
                <button type="submit" class="button secondary small" aria-label=label>{t("team-turn-off-two-factor")}</button>
            </ActionForm>
        }
    });
    let manage = manageable.then(|| {
        let reset_label = t_with("team-reset-password-of", &[("email", m.email.clone().into())]);
        let remove_label = t_with("team-remove-member", &[("email", m.email.clone().into())]);
        let (reset_id, remove_id) = (m.id.clone(), m.id.clone());
        view! {
            <ActionForm action=actions.reset>
                <input type="hidden" name="id" value=reset_id/>
                <button type="submit" class="button secondary small" aria-label=reset_label>{t("team-reset-password")}</button>
            </ActionForm>
            <ActionForm action=actions.remove>
                <input type="hidden" name="id" value=remove_id/>
                <button type="submit" class="button danger small" aria-label=remove_label>{t("settings-remove")}</button>
            </ActionForm>
        }
    });
    let leave = may_leave.then(|| {
        let id = m.id.clone();
        view! {
            <ActionForm action=actions.remove>
                <input type="hidden" name="id" value=id/>
                <button type="submit" class="button danger small">{t("team-leave")}</button>
            </ActionForm>
        }
    });
    view! {
        <tr>
            <td>{m.email.clone()}{you}</td>
            <td>{role_cell}</td>
            <td>{if m.two_factor { t("team-two-factor-on") } else { t("team-two-factor-off") }}</td>
            <td>{m.last_sign_in_at.map(format_time).unwrap_or_else(|| t("team-never"))}</td>
            <td class="row-actions">{manage}{reset_two_factor}{leave}</td>
        </tr>
    }
}

#[component]
fn Pending(
    pending: Vec<crate::types::PendingInvitation>,
    role: Role,
    revoke: ServerAction<RevokeInvitation>,
) -> impl IntoView {
    let error = Signal::derive(move || revoke.value().get().and_then(Result::err));
    view! {
        <section class="card" aria-labelledby="pending-heading">
            <h2 id="pending-heading">{t("team-pending")}</h2>
            <FormError error/>
            {if pending.is_empty() {
                view! { <p class="muted">{t("team-no-pending")}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table" data-testid="team-pending">
                            <thead>
                                <tr>
                                    <th scope="col">{t("settings-e-mail")}</th>
                                    <th scope="col">{t("team-purpose")}</th>
                                    <th scope="col">{t("settings-role")}</th>
                                    <th scope="col">{t("team-invited-by")}</th>
                                    <th scope="col">{t("team-expires")}</th>
                                    <th scope="col">{t("team-actions")}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {pending.into_iter().map(|p| {
                                    let may_withdraw = role == Role::Owner
                                        || (role == Role::Admin && p.purpose == crate::types::InvitationPurpose::Join);
                                    view! {
                                        <tr>
                                            <td>{p.email.clone()}</td>
                                            <td>{t(p.purpose.message_id())}</td>
                                            <td>{t(p.role.message_id())}</td>
                                            <td>{p.invited_by.clone().unwrap_or_else(|| t("team-former-member"))}</td>
                                            <td>{format_time(p.expires_at)}</td>
                                            <td>
                                                {may_withdraw.then(|| view! {
                                                    <ActionForm action=revoke>
                                                        <input type="hidden" name="id" value=p.id.clone()/>
                                                        <button type="submit" class="button secondary small"
                                                            aria-label=t_with("team-withdraw-for", &[("email", p.email.clone().into())])>{t("team-withdraw")}</button>
                                                    </ActionForm>
                                                })}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

/// Hands ownership on; asks for a confirmation box, since only the new owner can undo it.
#[component]
fn Transfer(members: Vec<TeamMember>, transfer: ServerAction<TransferOwnership>) -> impl IntoView {
    let error = Signal::derive(move || transfer.value().get().and_then(Result::err));
    view! {
        <section class="card" aria-labelledby="transfer-heading">
            <h2 id="transfer-heading">{t("team-transfer")}</h2>
            <p class="muted">{t("team-transfer-intro")}</p>
            <ActionForm action=transfer attr:class="stack">
                <div class="field">
                    <label for="transfer-to">{t("team-new-owner")}</label>
                    <select id="transfer-to" name="id" required>
                        {members.into_iter().map(|m| view! { <option value=m.id>{m.email}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field checkbox">
                    <input id="transfer-confirm" type="checkbox" required/>
                    <label for="transfer-confirm">{t("team-transfer-confirm")}</label>
                </div>
                <FormError error/>
                <div class="actions">
                    <button type="submit" class="button danger">{t("team-transfer-button")}</button>
                </div>
            </ActionForm>
        </section>
    }
}
