//! Sign-in throttling per account and per client address, stored in the database so that the
//! limit holds across every instance.

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use time::{Duration, OffsetDateTime};

use crate::domain::entities::sign_in_throttle::{self as throttle, Column, Entity};

/// How many failures are allowed and how long a lock lasts.
#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    /// Failures per account within one window before the account is locked.
    pub max_failures_per_account: i32,
    /// Failures per client address within one window before the address is locked.
    pub max_failures_per_ip: i32,
    /// Length of the counting window, and of the lock.
    pub window: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            max_failures_per_account: 5,
            max_failures_per_ip: 30,
            window: Duration::minutes(15),
        }
    }
}

/// One counted key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bucket {
    /// A (normalised) e-mail address, whether or not an account exists for it.
    Account(String),
    /// A client address.
    Ip(String),
}

impl Bucket {
    fn key(&self) -> String {
        match self {
            Bucket::Account(email) => format!("account:{email}"),
            Bucket::Ip(ip) => format!("ip:{ip}"),
        }
    }

    fn limit(&self, policy: &ThrottlePolicy) -> i32 {
        match self {
            Bucket::Account(_) => policy.max_failures_per_account,
            Bucket::Ip(_) => policy.max_failures_per_ip,
        }
    }
}

/// If any of `buckets` is locked at `now`, the number of seconds until all of them are open.
pub async fn locked_for(
    db: &impl ConnectionTrait,
    buckets: &[Bucket],
    now: OffsetDateTime,
) -> Result<Option<u64>, DbErr> {
    let keys: Vec<String> = buckets.iter().map(Bucket::key).collect();
    let rows = Entity::find()
        .filter(Column::Bucket.is_in(keys))
        .filter(Column::LockedUntil.gt(now))
        .all(db)
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| r.locked_until)
        .max()
        .map(|until| Ord::max((until - now).whole_seconds(), 1).unsigned_abs()))
}

/// Counts one failure against `bucket`, locking it when it reaches its limit.
///
/// The increment is one atomic upsert, so concurrent failures are all counted.
pub async fn record_failure(
    db: &impl ConnectionTrait,
    bucket: &Bucket,
    policy: &ThrottlePolicy,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    let key = bucket.key();
    let window_expired = Expr::col((Entity, Column::WindowStartedAt)).lte(now - policy.window);
    Entity::insert(throttle::ActiveModel {
        bucket: Set(key.clone()),
        failures: Set(1),
        window_started_at: Set(now),
        locked_until: Set(None),
    })
    .on_conflict(
        OnConflict::column(Column::Bucket)
            .value(
                Column::Failures,
                Expr::case(window_expired.clone(), 1)
                    .finally(Expr::col((Entity, Column::Failures)).add(1)),
            )
            .value(
                Column::WindowStartedAt,
                Expr::case(window_expired, now)
                    .finally(Expr::col((Entity, Column::WindowStartedAt))),
            )
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;

    Entity::update_many()
        .col_expr(Column::LockedUntil, Expr::value(now + policy.window))
        .filter(Column::Bucket.eq(key))
        .filter(Column::Failures.gte(bucket.limit(policy)))
        .exec(db)
        .await?;
    Ok(())
}

/// Forgets the failures of `bucket` (after a successful sign-in).
pub async fn clear(db: &impl ConnectionTrait, bucket: &Bucket) -> Result<(), DbErr> {
    Entity::delete_by_id(bucket.key()).exec(db).await?;
    Ok(())
}
