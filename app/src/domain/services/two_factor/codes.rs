//! Recovery codes, and the QR code that carries an enrolment to an authenticator app.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::entities::recovery_code;
use crate::error::AppError;

/// How many recovery codes an enrolment gets.
pub const RECOVERY_CODES: usize = 10;
/// Letters and digits that cannot be mistaken for one another (no 0/o, 1/l/i).
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// Characters per code: 12 of 31, about 59 bits, against a throttled guesser.
const CODE_CHARS: usize = 12;

/// The stored form of a recovery code as typed: case, spaces and dashes do not matter.
pub fn recovery_code_hash(typed: &str) -> Vec<u8> {
    let normal: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    Sha256::new()
        .chain_update(b"authlink recovery code\0")
        .chain_update(normal.as_bytes())
        .finalize()
        .to_vec()
}

fn new_code() -> String {
    use rand::Rng;
    let mut rng = rand::rngs::OsRng;
    let chars: Vec<char> = (0..CODE_CHARS)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect();
    chars
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Replaces the account's recovery codes with ten new ones; returns them (the only copy).
pub(super) async fn replace(
    db: &impl ConnectionTrait,
    admin_id: Uuid,
    now: OffsetDateTime,
) -> Result<Vec<String>, AppError> {
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::AdminId.eq(admin_id))
        .exec(db)
        .await?;
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_code()).collect();
    let rows = codes.iter().map(|code| recovery_code::ActiveModel {
        id: sea_orm::Set(Uuid::now_v7()),
        admin_id: sea_orm::Set(admin_id),
        code_hash: sea_orm::Set(recovery_code_hash(code)),
        created_at: sea_orm::Set(now),
        used_at: sea_orm::Set(None),
    });
    recovery_code::Entity::insert_many(rows).exec(db).await?;
    Ok(codes)
}

/// Uses up the account's recovery code `typed`, if it is one and unused.
pub(super) async fn use_code(
    db: &impl ConnectionTrait,
    admin_id: Uuid,
    typed: &str,
    now: OffsetDateTime,
) -> Result<bool, AppError> {
    let used = recovery_code::Entity::update_many()
        .col_expr(recovery_code::Column::UsedAt, Expr::value(now))
        .filter(recovery_code::Column::AdminId.eq(admin_id))
        .filter(recovery_code::Column::CodeHash.eq(recovery_code_hash(typed)))
        .filter(recovery_code::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(used.rows_affected == 1)
}

/// How many of the account's recovery codes are unused.
pub(super) async fn unused(db: &impl ConnectionTrait, admin_id: Uuid) -> Result<u64, AppError> {
    Ok(recovery_code::Entity::find()
        .filter(recovery_code::Column::AdminId.eq(admin_id))
        .filter(recovery_code::Column::UsedAt.is_null())
        .count(db)
        .await?)
}

/// A QR code as an SVG path: one unit square per dark module, inside a quiet zone of four.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrCode {
    /// Width and height in modules, quiet zone included.
    pub size: u32,
    /// The SVG path of the dark modules.
    pub path: String,
}

impl QrCode {
    const QUIET: i32 = 4;

    /// The QR code of `text` (error correction level M).
    pub fn of(text: &str) -> Result<Self, AppError> {
        let qr =
            qrcodegen::QrCode::encode_text(text, qrcodegen::QrCodeEcc::Medium).map_err(|e| {
                tracing::error!(error = ?e, "QR code");
                AppError::Internal
            })?;
        let mut path = String::new();
        for y in 0..qr.size() {
            for x in 0..qr.size() {
                if qr.get_module(x, y) {
                    path.push_str(&format!("M{} {}h1v1h-1z", x + Self::QUIET, y + Self::QUIET));
                }
            }
        }
        Ok(Self {
            size: u32::try_from(qr.size() + 2 * Self::QUIET).unwrap_or(0),
            path,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_distinct_and_typed_loosely() {
        let codes: std::collections::BTreeSet<String> = (0..50).map(|_| new_code()).collect();
        assert_eq!(codes.len(), 50);
        let code = codes.iter().next().expect("a code").clone();
        assert_eq!(code.len(), CODE_CHARS + 2);
        assert!(
            code.chars()
                .all(|c| c == '-' || ALPHABET.contains(&(c as u8)))
        );
        assert_eq!(
            recovery_code_hash(&code),
            recovery_code_hash(&format!(" {} ", code.replace('-', " ").to_uppercase()))
        );
        assert_ne!(
            recovery_code_hash(&code),
            recovery_code_hash("another-code-here")
        );
    }

    #[test]
    fn a_qr_code_draws_one_square_per_dark_module() {
        let qr = QrCode::of("otpauth://totp/Acme:ada%40acme.example?secret=JBSWY3DPEHPK3PXP")
            .expect("encodes");
        assert!(qr.size >= 21 + 8);
        let squares = qr.path.matches('M').count();
        assert!(squares > 100, "{squares}");
        assert!(
            qr.path.starts_with("M4 4h1v1h-1z"),
            "the finder pattern's corner"
        );
    }
}
