//! Exchange codes: when a link was minted with `state`, success sends the end user's browser to
//! the callback URL with a single-use code; the admin's backend swaps it for the connection.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use crate::domain::clock::Clock;
use crate::domain::crypto::{Token, new_token, token_hash};
use crate::domain::entities::exchange_code;
use crate::domain::ids::{ConnectionId, LinkId};
use crate::error::AppError;

/// How long a code can be redeemed.
pub const CODE_LIFETIME: time::Duration = time::Duration::minutes(5);

/// Issues a code for a completed link (inside the completing transaction).
pub async fn issue(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    LinkId(link_id): LinkId,
    ConnectionId(connection_id): ConnectionId,
) -> Result<Token, AppError> {
    let code = new_token();
    let now = clock.now();
    exchange_code::ActiveModel {
        id: Set(Uuid::now_v7()),
        code_hash: Set(code.hash().to_vec()),
        link_id: Set(link_id),
        connection_id: Set(connection_id),
        expires_at: Set(now + CODE_LIFETIME),
        redeemed_at: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(code)
}

/// Redeems a code once. Unknown, expired and already redeemed codes all give `NotFound`; of
/// simultaneous redemptions exactly one succeeds.
pub async fn redeem(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    code: &str,
) -> Result<exchange_code::Model, AppError> {
    if code.is_empty() || code.len() > 100 {
        return Err(AppError::NotFound);
    }
    let hash = token_hash(code);
    let now = clock.now();
    let claimed = exchange_code::Entity::update_many()
        .col_expr(exchange_code::Column::RedeemedAt, Expr::value(now))
        .filter(exchange_code::Column::CodeHash.eq(hash))
        .filter(exchange_code::Column::RedeemedAt.is_null())
        .filter(exchange_code::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(AppError::NotFound);
    }
    exchange_code::Entity::find()
        .filter(exchange_code::Column::CodeHash.eq(hash))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}
