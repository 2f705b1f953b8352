//! Admin accounts: owner setup, creation from the CLI, and authentication.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, TransactionSession, TransactionTrait,
};
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

use crate::domain::clock::Clock;
use crate::domain::entities::{admin_user, installation, session};
use crate::domain::password::PasswordHasher;
use crate::domain::services::is_unique_violation;
use crate::domain::services::throttle::{self, Bucket, ThrottlePolicy};
use crate::error::AppError;
use crate::types::{Role, limits};

/// The one answer for an unknown account and a wrong password.
pub const WRONG_CREDENTIALS: &str = "The e-mail address or password is incorrect.";

/// Trims and lower-cases an e-mail address and checks that it looks like one.
pub fn normalize_email(raw: &str) -> Result<String, AppError> {
    let email = raw.trim().to_lowercase();
    if email.is_empty() {
        return Err(AppError::Validation("Enter an e-mail address.".into()));
    }
    if email.chars().count() > limits::EMAIL_MAX_CHARS {
        return Err(AppError::Validation(format!(
            "An e-mail address has at most {} characters.",
            limits::EMAIL_MAX_CHARS
        )));
    }
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if !valid {
        return Err(AppError::Validation(
            "Enter a valid e-mail address, like name@example.com.".into(),
        ));
    }
    Ok(email)
}

/// Checks a new password against the length rules.
pub fn validate_new_password(password: &str) -> Result<(), AppError> {
    let chars = password.chars().count();
    if chars < limits::PASSWORD_MIN_CHARS {
        return Err(AppError::Validation(format!(
            "Choose a password of at least {} characters.",
            limits::PASSWORD_MIN_CHARS
        )));
    }
    if chars > limits::PASSWORD_MAX_CHARS {
        return Err(AppError::Validation(format!(
            "A password has at most {} characters.",
            limits::PASSWORD_MAX_CHARS
        )));
    }
    Ok(())
}

pub(crate) fn validate_product_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(AppError::Validation(
            "Enter your product's name; end users see it when they connect.".into(),
        ));
    }
    if name.chars().count() > limits::PRODUCT_NAME_MAX_CHARS {
        return Err(AppError::Validation(format!(
            "A product name has at most {} characters.",
            limits::PRODUCT_NAME_MAX_CHARS
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::Validation(
            "The product name contains invalid characters.".into(),
        ));
    }
    Ok(name.to_owned())
}

/// Whether the owner account exists (setup is done). Once true it stays true.
pub async fn is_setup_complete(db: &impl ConnectionTrait) -> Result<bool, DbErr> {
    Ok(installation::Entity::find_by_id(installation::SINGLETON_ID)
        .one(db)
        .await?
        .is_some())
}

/// The installation row, kept for a few seconds at a time so that every page and Connect page
/// can show the product name and branding without reading them again. Branding saved here is
/// seen at once; saved by another instance, within [`InstallationCache::FRESH_FOR`].
#[derive(Debug, Clone, Default)]
pub struct InstallationCache(
    std::sync::Arc<std::sync::RwLock<Option<(installation::Model, std::time::Instant)>>>,
);

impl InstallationCache {
    /// How long a read row is used before it is read again.
    pub const FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(5);

    /// The installation row, if setup is done.
    pub async fn get(
        &self,
        db: &impl ConnectionTrait,
    ) -> Result<Option<installation::Model>, DbErr> {
        let cached = self
            .0
            .read()
            .ok()
            .and_then(|kept| kept.clone())
            .filter(|(_, read_at)| read_at.elapsed() < Self::FRESH_FOR);
        if let Some((known, _)) = cached {
            return Ok(Some(known));
        }
        let found = installation(db).await?;
        if let Some(model) = &found {
            self.set(model.clone());
        }
        Ok(found)
    }

    /// Keeps `model` as the current row (after this instance changed it).
    pub fn set(&self, model: installation::Model) {
        if let Ok(mut kept) = self.0.write() {
            *kept = Some((model, std::time::Instant::now()));
        }
    }

    /// The product name end users and e-mails see; "Authlink" until setup names it.
    pub async fn product_name(&self, db: &impl ConnectionTrait) -> Result<String, DbErr> {
        Ok(self
            .get(db)
            .await?
            .map_or_else(|| "Authlink".to_owned(), |i| i.product_name))
    }
}

/// The installation row, if setup is done.
pub async fn installation(db: &impl ConnectionTrait) -> Result<Option<installation::Model>, DbErr> {
    installation::Entity::find_by_id(installation::SINGLETON_ID)
        .one(db)
        .await
}

/// What is needed to create an admin account.
pub struct NewAdmin {
    /// E-mail address as typed.
    pub email: String,
    /// The chosen password.
    pub password: SecretString,
    /// The account's role.
    pub role: Role,
}

/// Creates the owner account and the installation row in one transaction.
///
/// Works only while setup is not done; when two setups race, exactly one wins and the other gets
/// a [`AppError::Conflict`].
pub async fn setup_owner<C>(
    db: &C,
    hasher: &PasswordHasher,
    clock: &dyn Clock,
    email: &str,
    password: SecretString,
    product_name: &str,
) -> Result<admin_user::Model, AppError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let email = normalize_email(email)?;
    validate_new_password(password.expose_secret())?;
    let product_name = validate_product_name(product_name)?;
    if is_setup_complete(db).await? {
        return Err(setup_already_done());
    }
    let password_hash = hasher.hash(password).await?;
    let now = clock.now();

    let txn = db.begin().await?;
    let installed = installation::ActiveModel {
        id: Set(installation::SINGLETON_ID),
        product_name: Set(product_name),
        setup_completed_at: Set(now),
        accent_color: Set(None),
        support_email: Set(None),
        support_url: Set(None),
        logo_digest: Set(None),
        require_two_factor: Set(false),
    }
    .insert(&txn)
    .await;
    match installed {
        Ok(_) => {}
        Err(err) if is_unique_violation(&err) => return Err(setup_already_done()),
        Err(err) => return Err(err.into()),
    }
    let owner = insert_admin(&txn, email, password_hash, Role::Owner, now).await?;
    txn.commit().await.map_err(|err| {
        if is_unique_violation(&err) {
            setup_already_done()
        } else {
            err.into()
        }
    })?;
    tracing::info!(admin_id = %owner.id, "owner account created");
    Ok(owner)
}

/// Creates an admin account (for `authlink admin create`). Before setup, the account becomes the
/// owner and the installation is created with `product_name`; after setup, it gets `new.role`.
pub async fn create_admin<C>(
    db: &C,
    hasher: &PasswordHasher,
    clock: &dyn Clock,
    new: NewAdmin,
    product_name: &str,
) -> Result<admin_user::Model, AppError>
where
    C: ConnectionTrait + TransactionTrait,
{
    if !is_setup_complete(db).await? {
        return setup_owner(db, hasher, clock, &new.email, new.password, product_name).await;
    }
    let email = normalize_email(&new.email)?;
    validate_new_password(new.password.expose_secret())?;
    let password_hash = hasher.hash(new.password).await?;
    insert_admin(db, email, password_hash, new.role, clock.now()).await
}

pub(crate) async fn insert_admin(
    db: &impl ConnectionTrait,
    email: String,
    password_hash: String,
    role: Role,
    now: time::OffsetDateTime,
) -> Result<admin_user::Model, AppError> {
    admin_user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email),
        password_hash: Set(password_hash),
        role: Set(role.as_str().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        last_sign_in_at: Set(None),
        alerts: Set(true),
        totp_secret: Set(None),
        totp_enabled_at: Set(None),
        totp_last_step: Set(None),
        environment_id: Set(None),
    }
    .insert(db)
    .await
    .map_err(|err| {
        if is_unique_violation(&err) {
            AppError::Conflict("An account with this e-mail address already exists.".into())
        } else {
            err.into()
        }
    })
}

/// The answer to an owner setup once setup is done.
pub fn setup_already_done() -> AppError {
    AppError::Conflict("Setup is already complete. Sign in with the owner account.".into())
}

/// Counts admin accounts.
pub async fn count_admins(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    admin_user::Entity::find().count(db).await
}

/// An admin account by id.
pub async fn find_admin(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<admin_user::Model>, DbErr> {
    admin_user::Entity::find_by_id(id).one(db).await
}

/// Checks an e-mail address and password, with throttling per account and per client address
/// (see [`throttle::reserve`]). The caller records the sign-in ([`record_sign_in`]) once every
/// other step (a second factor) is done.
///
/// An unknown account and a wrong password give the same error after the same amount of work.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    hasher: &PasswordHasher,
    clock: &dyn Clock,
    policy: &ThrottlePolicy,
    email: &str,
    password: SecretString,
    client_ip: &str,
) -> Result<admin_user::Model, AppError> {
    check_password(db, hasher, clock, policy, email, password, client_ip)
        .await?
        .ok_or_else(|| AppError::Validation(WRONG_CREDENTIALS.into()))
}

/// Records a completed sign-in of `account` at `now`.
pub async fn record_sign_in(
    db: &impl ConnectionTrait,
    account: &admin_user::Model,
    now: time::OffsetDateTime,
) -> Result<admin_user::Model, AppError> {
    let mut active: admin_user::ActiveModel = account.clone().into();
    active.last_sign_in_at = Set(Some(now));
    Ok(active.update(db).await?)
}

/// The account `email` names when `password` is its password, else `None`; throttled like a
/// sign-in, so a stolen session cannot be used to guess the password either.
pub(crate) async fn check_password(
    db: &impl ConnectionTrait,
    hasher: &PasswordHasher,
    clock: &dyn Clock,
    policy: &ThrottlePolicy,
    email: &str,
    password: SecretString,
    client_ip: &str,
) -> Result<Option<admin_user::Model>, AppError> {
    if password.expose_secret().chars().count() > limits::PASSWORD_MAX_CHARS {
        return Err(AppError::Validation(format!(
            "A password has at most {} characters.",
            limits::PASSWORD_MAX_CHARS
        )));
    }
    // A malformed address cannot name an account, but it is still counted and costs a hash, so
    // that nothing distinguishes it from an unknown one.
    let email = normalize_email(email).unwrap_or_else(|_| email.trim().to_lowercase());
    let email: String = email.chars().take(limits::EMAIL_MAX_CHARS).collect();
    let buckets = [
        Bucket::Account(email.clone()),
        Bucket::Ip(client_ip.to_owned()),
    ];

    let now = clock.now();
    let attempts = match throttle::reserve(db, &buckets, policy, now).await? {
        Ok(attempts) => attempts,
        Err(retry_after_secs) => return Err(AppError::RateLimited { retry_after_secs }),
    };

    let account = admin_user::Entity::find()
        .filter(admin_user::Column::Email.eq(email.as_str()))
        .one(db)
        .await?;
    let verified = hasher
        .verify(password, account.as_ref().map(|a| a.password_hash.clone()))
        .await?;

    match account {
        Some(account) if verified => {
            throttle::clear(db, &buckets[0]).await?;
            throttle::refund(db, &buckets[1]).await?;
            Ok(Some(account))
        }
        _ => {
            // Already counted by the reservation.
            throttle::after_failure(db, &buckets[0], attempts, policy, now).await?;
            tracing::info!(client_ip, "password check failed");
            Ok(None)
        }
    }
}

/// A password change asked for by a signed-in admin.
pub struct PasswordChange<'a> {
    /// The account.
    pub admin: &'a admin_user::Model,
    /// The password it has now, checked first.
    pub current: SecretString,
    /// The password it gets.
    pub new: SecretString,
    /// The client's address, for throttling the check of the current password.
    pub client_ip: &'a str,
}

/// Changes an admin's password once the current one is confirmed, and ends every session of the
/// account except `keep` (the one the change was made in), in one transaction. Returns how many
/// sessions were ended.
pub async fn change_password<C>(
    db: &C,
    hasher: &PasswordHasher,
    clock: &dyn Clock,
    policy: &ThrottlePolicy,
    change: PasswordChange<'_>,
    keep: Option<&str>,
) -> Result<u64, AppError>
where
    C: ConnectionTrait + TransactionTrait,
{
    validate_new_password(change.new.expose_secret())?;
    let admin = change.admin;
    let confirmed = check_password(
        db,
        hasher,
        clock,
        policy,
        &admin.email,
        change.current,
        change.client_ip,
    )
    .await?;
    if confirmed.is_none_or(|account| account.id != admin.id) {
        return Err(AppError::Validation(
            "The current password is incorrect.".into(),
        ));
    }
    let password_hash = hasher.hash(change.new).await?;
    let txn = db.begin().await?;
    admin_user::Entity::update_many()
        .col_expr(
            admin_user::Column::PasswordHash,
            sea_orm::sea_query::Expr::value(password_hash),
        )
        .col_expr(
            admin_user::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(clock.now()),
        )
        .filter(admin_user::Column::Id.eq(admin.id))
        .exec(&txn)
        .await?;
    let mut others = session::Entity::delete_many().filter(session::Column::AdminId.eq(admin.id));
    if let Some(keep) = keep {
        others = others.filter(session::Column::IdHash.ne(keep));
    }
    let ended = others.exec(&txn).await?.rows_affected;
    txn.commit().await?;
    tracing::info!(admin_id = %admin.id, sessions_ended = ended, "password changed");
    Ok(ended)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            normalize_email("  Ada@Example.COM ").as_deref(),
            Ok("ada@example.com")
        );
        for bad in [
            "",
            "ada",
            "@example.com",
            "ada@",
            "ada@@example.com",
            "a b@example.com",
            "ada@example.com.",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(normalize_email(&format!("{}@example.com", "a".repeat(300))).is_err());
    }

    #[test]
    fn passwords_have_length_bounds() {
        assert!(validate_new_password("short").is_err());
        assert!(validate_new_password(&"p".repeat(12)).is_ok());
        assert!(validate_new_password(&"p".repeat(1024)).is_ok());
        assert!(validate_new_password(&"p".repeat(1025)).is_err());
    }

    #[test]
    fn product_names_are_trimmed_and_bounded() {
        assert_eq!(
            validate_product_name("  Acme CRM ").as_deref(),
            Ok("Acme CRM")
        );
        assert!(validate_product_name("   ").is_err());
        assert!(validate_product_name(&"x".repeat(81)).is_err());
        assert!(validate_product_name("bad\u{7}name").is_err());
    }
}
