//! Branding: what end users see of the admin's product on the Connect page and its result
//! pages (name, accent colour, logo, support contact), changed in Settings → Branding.

pub mod logo;

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, IntoActiveModel,
    TransactionSession, TransactionTrait,
};

use super::admin::{InstallationCache, validate_product_name};
use crate::brand::check_accent;
use crate::domain::entities::{brand_logo, installation};
use crate::error::AppError;
use crate::types::{Branding, limits};
pub use logo::{Logo, LogoError};

/// What the admin asks for in Settings → Branding; empty text means "none".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BrandingInput {
    /// The product name.
    pub product_name: String,
    /// `#rrggbb`, or empty for the built-in colour.
    pub accent_color: String,
    /// An e-mail address for end users who need help.
    pub support_email: String,
    /// An http(s) help page.
    pub support_url: String,
}

/// The checked values, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Checked {
    product_name: String,
    accent_color: Option<String>,
    support_email: Option<String>,
    support_url: Option<String>,
}

fn optional(raw: &str) -> Option<&str> {
    Some(raw.trim()).filter(|v| !v.is_empty())
}

fn check(input: &BrandingInput) -> Result<Checked, AppError> {
    let product_name = validate_product_name(&input.product_name)?;
    let accent_color = optional(&input.accent_color)
        .map(|raw| check_accent(raw).map(|c| c.to_string()))
        .transpose()
        .map_err(|e| AppError::Validation(e.to_string()))?;
    let support_email = optional(&input.support_email)
        .map(|raw| {
            if super::links::plausible_address(raw) {
                Ok(raw.to_owned())
            } else {
                Err(AppError::Validation(format!(
                    "{raw:?} is not an e-mail address end users can write to."
                )))
            }
        })
        .transpose()?;
    let support_url = optional(&input.support_url)
        .map(check_support_url)
        .transpose()?;
    Ok(Checked {
        product_name,
        accent_color,
        support_email,
        support_url,
    })
}

/// An absolute http(s) address without credentials, as end users' browsers will open it.
fn check_support_url(raw: &str) -> Result<String, AppError> {
    let refused = || {
        AppError::Validation(
            "Enter the support page as a full https:// address, without a user name or password."
                .into(),
        )
    };
    if raw.chars().count() > limits::SUPPORT_CONTACT_MAX_CHARS {
        return Err(AppError::Validation(format!(
            "A support address has at most {} characters.",
            limits::SUPPORT_CONTACT_MAX_CHARS
        )));
    }
    let url = url::Url::parse(raw).map_err(|_| refused())?;
    let web = matches!(url.scheme(), "https" | "http");
    if !web || url.host_str().is_none() || !url.username().is_empty() || url.password().is_some() {
        return Err(refused());
    }
    Ok(url.to_string())
}

/// The branding of an installation row.
pub fn of(row: &installation::Model) -> Branding {
    Branding {
        product_name: row.product_name.clone(),
        accent_color: row.accent_color.clone(),
        support_email: row.support_email.clone(),
        support_url: row.support_url.clone(),
        logo_url: row.logo_digest.as_deref().map(logo_path),
    }
}

/// The address a logo is served from; its digest names it, so browsers may keep it for good.
pub fn logo_path(digest: &str) -> String {
    format!("/brand/logo/{digest}.png")
}

/// The branding end users see now; the built-in one before setup.
pub async fn current(
    db: &impl ConnectionTrait,
    cache: &InstallationCache,
) -> Result<Branding, sea_orm::DbErr> {
    Ok(match cache.get(db).await? {
        Some(row) => of(&row),
        None => Branding::builtin(),
    })
}

async fn row(db: &impl ConnectionTrait) -> Result<installation::Model, AppError> {
    super::admin::installation(db)
        .await?
        .ok_or_else(|| AppError::Conflict("Set up Authlink before branding it.".into()))
}

/// Saves the name, colour and support contact; the logo stays as it is.
pub async fn save(
    db: &impl ConnectionTrait,
    cache: &InstallationCache,
    input: &BrandingInput,
) -> Result<Branding, AppError> {
    let checked = check(input)?;
    let mut active = row(db).await?.into_active_model();
    active.product_name = Set(checked.product_name);
    active.accent_color = Set(checked.accent_color);
    active.support_email = Set(checked.support_email);
    active.support_url = Set(checked.support_url);
    let saved = active.update(db).await?;
    cache.set(saved.clone());
    Ok(of(&saved))
}

/// Replaces the logo (or removes it, with `None`) and points the installation at it, in one
/// transaction.
pub async fn set_logo<C>(
    db: &C,
    cache: &InstallationCache,
    now: time::OffsetDateTime,
    logo: Option<Logo>,
) -> Result<Branding, AppError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = db.begin().await?;
    let mut active = row(&txn).await?.into_active_model();
    brand_logo::Entity::delete_by_id(brand_logo::SINGLETON_ID)
        .exec(&txn)
        .await?;
    active.logo_digest = Set(logo.as_ref().map(|l| l.digest.clone()));
    if let Some(logo) = logo {
        let side = |px: u32| i32::try_from(px).unwrap_or(i32::MAX);
        brand_logo::ActiveModel {
            id: Set(brand_logo::SINGLETON_ID),
            digest: Set(logo.digest),
            width: Set(side(logo.width)),
            height: Set(side(logo.height)),
            png: Set(logo.png),
            uploaded_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    let saved = active.update(&txn).await?;
    txn.commit().await?;
    cache.set(saved.clone());
    Ok(of(&saved))
}

/// The logo with this digest, if it is the current one.
pub async fn logo_png(
    db: &impl ConnectionTrait,
    digest: &str,
) -> Result<Option<Vec<u8>>, sea_orm::DbErr> {
    Ok(brand_logo::Entity::find_by_id(brand_logo::SINGLETON_ID)
        .one(db)
        .await?
        .filter(|logo| logo.digest == digest)
        .map(|logo| logo.png))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(accent: &str, email: &str, url: &str) -> BrandingInput {
        BrandingInput {
            product_name: " Acme CRM ".into(),
            accent_color: accent.into(),
            support_email: email.into(),
            support_url: url.into(),
        }
    }

    #[test]
    fn empty_fields_mean_none_and_values_are_normalised() {
        let c = check(&input(" ", "", "")).expect("valid");
        assert_eq!(c.product_name, "Acme CRM");
        assert_eq!(
            (c.accent_color, c.support_email, c.support_url),
            (None, None, None)
        );
        let c = check(&input(
            "#1864AB",
            "help@acme.test",
            "https://acme.test/help",
        ))
        .expect("valid");
        assert_eq!(c.accent_color.as_deref(), Some("#1864ab"));
        assert_eq!(c.support_email.as_deref(), Some("help@acme.test"));
        assert_eq!(c.support_url.as_deref(), Some("https://acme.test/help"));
    }

    #[test]
    fn unreadable_colours_and_unusable_contacts_are_refused() {
        let refused = |i: BrandingInput| matches!(check(&i), Err(AppError::Validation(_)));
        assert!(refused(input("#ffd43b", "", "")), "low contrast");
        assert!(refused(input("yellow", "", "")));
        assert!(refused(input("", "help@acme.test, boss@acme.test", "")));
        assert!(refused(input("", "", "javascript:alert(1)")));
        assert!(refused(input("", "", "https://user:pw@acme.test/")));
        assert!(refused(input("", "", "/help")));
        assert!(refused(input(
            "",
            "",
            &format!("https://acme.test/{}", "a".repeat(300))
        )));
    }
}
