//! Two-factor sign-in with TOTP (RFC 6238: HMAC-SHA-1, six digits, 30-second steps, one step of
//! clock drift either way) and ten single-use recovery codes.
//!
//! Enrolment stores a fresh 160-bit secret, sealed like every other secret, and turns it on only
//! once a code from the authenticator app matches. A code is accepted once: the step it matched
//! is stored with a conditional update, so a replay, even from another instance at the same
//! moment, is refused. Codes are counted against the sign-in throttle of their own account, so
//! guessing six digits stays out of reach.

mod codes;

pub use codes::{QrCode, RECOVERY_CODES, recovery_code_hash};

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set,
    TransactionSession, TransactionTrait,
};
use secrecy::SecretString;
use totp_rs::{Builder, Secret, Totp};
use uuid::Uuid;

use crate::domain::clock::Clock;
use crate::domain::crypto::{Aad, Keyring};
use crate::domain::entities::{admin_user, installation, recovery_code};
use crate::domain::password::PasswordHasher;
use crate::domain::services::admin::{InstallationCache, check_password};
use crate::domain::services::team::end_sessions;
use crate::domain::services::throttle::{self, Bucket, ThrottlePolicy};
use crate::error::AppError;

/// How a second factor was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    /// A code from the authenticator app.
    Totp,
    /// One of the recovery codes.
    RecoveryCode,
}

impl Factor {
    /// As recorded in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Factor::Totp => "totp",
            Factor::RecoveryCode => "recovery_code",
        }
    }
}

/// What the authenticator app needs to be set up.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// The secret in base32, for typing it in.
    pub secret: String,
    /// The `otpauth://` URI the QR code holds.
    pub uri: String,
    /// The QR code.
    pub qr: QrCode,
}

fn aad(admin_id: &str) -> Aad<'_> {
    Aad {
        table: "admin_users",
        column: "totp_secret",
        row_id: admin_id,
    }
}

/// The RFC 6238 parameters every authenticator app understands; `label` (issuer, account) is
/// only needed for the `otpauth://` URI.
fn totp(secret: Vec<u8>, label: Option<(&str, &str)>) -> Result<Totp, AppError> {
    // The otpauth label separates issuer and account with ':'; neither may contain one.
    let clean = |s: &str| s.replace(':', " ");
    let mut builder = Builder::new().with_secret(Secret::new(secret.into_boxed_slice()));
    if let Some((issuer, account)) = label {
        builder = builder
            .with_issuer(Some(clean(issuer)))
            .with_account_name(clean(account));
    }
    builder.build().map_err(|e| {
        tracing::error!(error = %e, "TOTP parameters refused");
        AppError::Internal
    })
}

/// Starts (or restarts) enrolment for `admin`: a fresh secret, sealed, not yet in force.
pub async fn begin(
    db: &impl ConnectionTrait,
    keyring: &Keyring,
    admin: &admin_user::Model,
    issuer: &str,
) -> Result<Enrolment, AppError> {
    if admin.has_two_factor() {
        return Err(AppError::Conflict(
            "Two-factor sign-in is already on for this account.".into(),
        ));
    }
    let mut secret = vec![0u8; 20];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut secret);
    let id = admin.id.to_string();
    let sealed = keyring
        .seal(&secret, aad(&id))
        .map_err(AppError::internal("sealing a TOTP secret"))?;
    admin_user::Entity::update_many()
        .col_expr(admin_user::Column::TotpSecret, Expr::value(sealed))
        .col_expr(admin_user::Column::TotpLastStep, Expr::value(None::<i64>))
        .filter(admin_user::Column::Id.eq(admin.id))
        .filter(admin_user::Column::TotpEnabledAt.is_null())
        .exec(db)
        .await?;
    let totp = totp(secret, Some((issuer, &admin.email)))?;
    let uri = totp.to_url().map_err(|e| {
        tracing::error!(error = %e, "otpauth URI");
        AppError::Internal
    })?;
    Ok(Enrolment {
        secret: totp.secret().to_base32(),
        qr: QrCode::of(&uri)?,
        uri,
    })
}

fn secret_of(keyring: &Keyring, admin: &admin_user::Model) -> Result<Vec<u8>, AppError> {
    let sealed = admin
        .totp_secret
        .as_deref()
        .ok_or_else(|| AppError::Validation("Start setting up two-factor sign-in first.".into()))?;
    let id = admin.id.to_string();
    Ok(keyring
        .open(sealed, aad(&id))
        .map_err(AppError::internal("opening a TOTP secret"))?
        .to_vec())
}

/// The time step `code` matches at `now`, if any.
fn matching_step(
    keyring: &Keyring,
    admin: &admin_user::Model,
    code: &str,
    now: time::OffsetDateTime,
) -> Result<Option<i64>, AppError> {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != 6 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    let totp = totp(secret_of(keyring, admin)?, None)?;
    let Ok(seconds) = u64::try_from(now.unix_timestamp()) else {
        return Ok(None);
    };
    Ok(totp
        .check(&digits, seconds)
        .and_then(|step| i64::try_from(step).ok()))
}

fn wrong_code() -> AppError {
    AppError::Validation("That code is not right. Enter the current code from your authenticator app, or a recovery code.".into())
}

/// Finishes enrolment once `code` matches the new secret: two-factor sign-in is on from now, and
/// ten new recovery codes replace any earlier ones. Returns the codes, shown once.
pub async fn confirm<C>(
    db: &C,
    keyring: &Keyring,
    clock: &dyn Clock,
    admin_id: Uuid,
    code: &str,
) -> Result<Vec<String>, AppError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let admin = admin_user::Entity::find_by_id(admin_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if admin.has_two_factor() {
        return Err(AppError::Conflict(
            "Two-factor sign-in is already on for this account.".into(),
        ));
    }
    let now = clock.now();
    let step = matching_step(keyring, &admin, code, now)?.ok_or_else(wrong_code)?;
    let txn = db.begin().await?;
    let enabled = admin_user::Entity::update_many()
        .col_expr(admin_user::Column::TotpEnabledAt, Expr::value(now))
        .col_expr(admin_user::Column::TotpLastStep, Expr::value(step))
        .filter(admin_user::Column::Id.eq(admin_id))
        .filter(admin_user::Column::TotpEnabledAt.is_null())
        .filter(admin_user::Column::TotpSecret.eq(admin.totp_secret.clone()))
        .exec(&txn)
        .await?;
    if enabled.rows_affected != 1 {
        return Err(AppError::Conflict(
            "Two-factor sign-in was set up elsewhere meanwhile; reload the page.".into(),
        ));
    }
    let codes = codes::replace(&txn, admin_id, now).await?;
    txn.commit().await?;
    tracing::info!(admin_id = %admin_id, "two-factor sign-in turned on");
    Ok(codes)
}

/// Turns two-factor sign-in off for `admin` once their password is confirmed (throttled like a
/// sign-in). Refused while the owner requires it for everyone.
pub async fn disable<C>(
    db: &C,
    hasher: &PasswordHasher,
    clock: &dyn Clock,
    policy: &ThrottlePolicy,
    admin: &admin_user::Model,
    password: SecretString,
    client_ip: &str,
) -> Result<(), AppError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let required = installation::Entity::find_by_id(installation::SINGLETON_ID)
        .one(db)
        .await?
        .is_some_and(|i| i.require_two_factor);
    if required {
        return Err(AppError::Conflict(
            "The owner requires two-factor sign-in for everyone; it cannot be turned off.".into(),
        ));
    }
    confirm_password(db, hasher, clock, policy, admin, password, client_ip).await?;
    let txn = db.begin().await?;
    switch_off(&txn, admin.id).await?;
    txn.commit().await?;
    tracing::info!(admin_id = %admin.id, "two-factor sign-in turned off");
    Ok(())
}

/// Refuses unless `password` is `admin`'s (throttled like a sign-in).
async fn confirm_password(
    db: &impl ConnectionTrait,
    hasher: &PasswordHasher,
    clock: &dyn Clock,
    policy: &ThrottlePolicy,
    admin: &admin_user::Model,
    password: SecretString,
    client_ip: &str,
) -> Result<(), AppError> {
    let confirmed = check_password(db, hasher, clock, policy, &admin.email, password, client_ip)
        .await?
        .is_some_and(|account| account.id == admin.id);
    if confirmed {
        Ok(())
    } else {
        Err(AppError::Validation("The password is incorrect.".into()))
    }
}

/// Forgets an account's secret and recovery codes.
async fn switch_off(db: &impl ConnectionTrait, admin_id: Uuid) -> Result<(), AppError> {
    admin_user::Entity::update_many()
        .col_expr(admin_user::Column::TotpSecret, Expr::value(None::<Vec<u8>>))
        .col_expr(
            admin_user::Column::TotpEnabledAt,
            Expr::value(None::<time::OffsetDateTime>),
        )
        .col_expr(admin_user::Column::TotpLastStep, Expr::value(None::<i64>))
        .filter(admin_user::Column::Id.eq(admin_id))
        .exec(db)
        .await?;
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::AdminId.eq(admin_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Turns off a member's two-factor sign-in on the owner's say (a lost phone and no recovery code
/// left) and ends the member's sessions, in one transaction. Where the owner requires it, the
/// member sets it up again at their next sign-in. The owner's own goes through [`disable`].
/// Returns the member and how many sessions ended.
pub async fn reset_for_member<C>(
    db: &C,
    owner: &admin_user::Model,
    member_id: Uuid,
) -> Result<(admin_user::Model, u64), AppError>
where
    C: ConnectionTrait + TransactionTrait,
{
    if member_id == owner.id {
        return Err(AppError::Validation(
            "Turn your own two-factor sign-in off under Settings.".into(),
        ));
    }
    let txn = db.begin().await?;
    let member = admin_user::Entity::find_by_id(member_id)
        .one(&txn)
        .await?
        .filter(admin_user::Model::has_two_factor)
        .ok_or(AppError::NotFound)?;
    switch_off(&txn, member_id).await?;
    let ended = end_sessions(&txn, member_id).await?;
    txn.commit().await?;
    tracing::info!(admin_id = %member_id, sessions_ended = ended, "two-factor sign-in reset");
    Ok((member, ended))
}

/// Replaces `admin`'s recovery codes with ten new ones once their password is confirmed; the
/// old ones stop working. Returns the new codes, shown once.
pub async fn new_recovery_codes<C>(
    db: &C,
    hasher: &PasswordHasher,
    clock: &dyn Clock,
    policy: &ThrottlePolicy,
    admin: &admin_user::Model,
    password: SecretString,
    client_ip: &str,
) -> Result<Vec<String>, AppError>
where
    C: ConnectionTrait + TransactionTrait,
{
    if !admin.has_two_factor() {
        return Err(AppError::Validation(
            "Turn on two-factor sign-in first.".into(),
        ));
    }
    confirm_password(db, hasher, clock, policy, admin, password, client_ip).await?;
    let txn = db.begin().await?;
    let codes = codes::replace(&txn, admin.id, clock.now()).await?;
    txn.commit().await?;
    Ok(codes)
}

/// Checks the second factor of a sign-in: a TOTP code not used before, or an unused recovery
/// code, which is then used up. Failures count against the account's throttle.
pub async fn verify(
    db: &impl ConnectionTrait,
    keyring: &Keyring,
    clock: &dyn Clock,
    policy: &ThrottlePolicy,
    admin: &admin_user::Model,
    code: &str,
    client_ip: &str,
) -> Result<Factor, AppError> {
    if code.chars().count() > 64 {
        return Err(wrong_code());
    }
    let buckets = [
        Bucket::Account(format!("totp:{}", admin.id)),
        Bucket::Ip(client_ip.to_owned()),
    ];
    let now = clock.now();
    let attempts = match throttle::reserve(db, &buckets, policy, now).await? {
        Ok(attempts) => attempts,
        Err(retry_after_secs) => return Err(AppError::RateLimited { retry_after_secs }),
    };
    let accepted = match matching_step(keyring, admin, code, now)? {
        Some(step) => use_step(db, admin.id, step).await?.then_some(Factor::Totp),
        None => codes::use_code(db, admin.id, code, now)
            .await?
            .then_some(Factor::RecoveryCode),
    };
    match accepted {
        Some(factor) => {
            throttle::clear(db, &buckets[0]).await?;
            throttle::refund(db, &buckets[1]).await?;
            Ok(factor)
        }
        None => {
            throttle::after_failure(db, &buckets[0], attempts, policy, now).await?;
            tracing::info!(admin_id = %admin.id, client_ip, "second factor refused");
            Err(wrong_code())
        }
    }
}

/// Records `step` as used, unless it or a later one was used already.
async fn use_step(db: &impl ConnectionTrait, admin_id: Uuid, step: i64) -> Result<bool, AppError> {
    let used = admin_user::Entity::update_many()
        .col_expr(admin_user::Column::TotpLastStep, Expr::value(step))
        .filter(admin_user::Column::Id.eq(admin_id))
        .filter(admin_user::Column::TotpEnabledAt.is_not_null())
        .filter(
            Condition::any()
                .add(admin_user::Column::TotpLastStep.is_null())
                .add(admin_user::Column::TotpLastStep.lt(step)),
        )
        .exec(db)
        .await?;
    Ok(used.rows_affected == 1)
}

/// How many of `admin`'s recovery codes are still unused.
pub async fn unused_recovery_codes(
    db: &impl ConnectionTrait,
    admin_id: Uuid,
) -> Result<u64, AppError> {
    codes::unused(db, admin_id).await
}

/// Requires (or stops requiring) two-factor sign-in for everyone. The owner must have it on
/// first, so the rule never applies to nobody who could lift it.
pub async fn set_required(
    db: &impl ConnectionTrait,
    cache: &InstallationCache,
    owner: &admin_user::Model,
    required: bool,
) -> Result<(), AppError> {
    if required && !owner.has_two_factor() {
        return Err(AppError::Validation(
            "Turn on two-factor sign-in for your own account first.".into(),
        ));
    }
    let row = installation::Entity::find_by_id(installation::SINGLETON_ID)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut active: installation::ActiveModel = row.into();
    active.require_two_factor = Set(required);
    cache.set(active.update(db).await?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_rfc_6238() {
        // RFC 6238 Appendix B, SHA-1 with the ASCII secret "12345678901234567890"; the six-digit
        // code is the eight-digit one's last six digits.
        let totp = totp(
            b"12345678901234567890".to_vec(),
            Some(("Acme: CRM", "a@b.example")),
        )
        .expect("parameters");
        for (time, eight) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
        ] {
            assert_eq!(totp.generate(time).to_string(), eight[2..], "at {time}");
            assert!(
                totp.check(&eight[2..], time + 30).is_some(),
                "one step of drift"
            );
            assert!(totp.check(&eight[2..], time + 61).is_none(), "not two");
        }
        let uri = totp.to_url().expect("uri");
        assert!(uri.starts_with("otpauth://totp/"), "{uri}");
        assert!(
            uri.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
            "{uri}"
        );
        assert!(
            uri.contains("issuer=Acme") && !uri.contains("Acme:"),
            "{uri}"
        );
    }
}
