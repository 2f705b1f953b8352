//! Sign-in throttling per account and per client address, stored in the database so that the
//! limit holds across every instance.

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use time::{Duration, OffsetDateTime};

use crate::domain::entities::sign_in_throttle::{Column, Entity};

/// How many failures are allowed and how long a lock lasts.
#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    /// Attempts per account within one window before each further one waits a growing delay.
    pub max_failures_per_account: i32,
    /// Attempts per client address within one window before the address is locked.
    pub max_failures_per_ip: i32,
    /// Length of the counting window, and of an address's lock.
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

/// The longest an account waits between attempts once its failures passed the limit: an
/// attacker can slow the owner down this much, never lock them out.
pub const MAX_ACCOUNT_DELAY: Duration = Duration::seconds(60);

/// The wait after the `beyond`-th attempt past an account's limit: 1, 2, 4 … seconds, at most
/// [`MAX_ACCOUNT_DELAY`].
fn account_delay(beyond: i32) -> Duration {
    let exponent = u32::try_from(beyond.clamp(1, 7) - 1).unwrap_or(0);
    Duration::seconds(1i64 << exponent).min(MAX_ACCOUNT_DELAY)
}

/// Counts one attempt against `bucket` before its password is checked (one atomic upsert, so
/// each of many simultaneous attempts is counted) and returns the count including it.
async fn count_attempt(
    db: &impl ConnectionTrait,
    key: &str,
    policy: &ThrottlePolicy,
    now: OffsetDateTime,
) -> Result<i32, DbErr> {
    let window_expired = Expr::col((Entity, Column::WindowStartedAt)).lte(now - policy.window);
    let mut insert = sea_orm::sea_query::Query::insert();
    insert
        .into_table(Entity)
        .columns([
            Column::Bucket,
            Column::Failures,
            Column::WindowStartedAt,
            Column::LockedUntil,
        ])
        .values_panic([
            key.into(),
            1.into(),
            now.into(),
            Option::<OffsetDateTime>::None.into(),
        ])
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
        .returning_col(Column::Failures);
    let row = db
        .query_one(&insert)
        .await?
        .ok_or_else(|| DbErr::RecordNotInserted)?;
    row.try_get("", "failures")
}

/// Reserves one sign-in attempt through `buckets` (an account and a client address), counted
/// before the password is checked so that a burst of parallel guesses is counted guess by
/// guess. `Ok(count)` lets it through, with the account's count of attempts including this
/// one (for [`after_failure`]); `Err(seconds)` refuses it:
/// - an address past its limit is locked for the window;
/// - an account past its limit is not locked but slowed: one attempt per growing delay (at most
///   [`MAX_ACCOUNT_DELAY`]), claimed atomically, so an attacker cannot turn the owner's account
///   into a permanent lock-out, and gets at most one guess a minute.
pub async fn reserve(
    db: &impl ConnectionTrait,
    buckets: &[Bucket],
    policy: &ThrottlePolicy,
    now: OffsetDateTime,
) -> Result<Result<i32, u64>, DbErr> {
    if let Some(seconds) = locked_for(db, buckets, now).await? {
        return Ok(Err(seconds));
    }
    let mut account_count = 0;
    for bucket in buckets {
        let key = bucket.key();
        let count = count_attempt(db, &key, policy, now).await?;
        if matches!(bucket, Bucket::Account(_)) {
            account_count = count;
        }
        let limit = bucket.limit(policy);
        if count <= limit {
            continue;
        }
        let until = match bucket {
            Bucket::Ip(_) => now + policy.window,
            Bucket::Account(_) => now + account_delay(count - limit),
        };
        // One attempt claims the slot; those racing it are refused.
        let claimed = Entity::update_many()
            .col_expr(Column::LockedUntil, Expr::value(until))
            .filter(Column::Bucket.eq(key))
            .filter(unlocked(now))
            .exec(db)
            .await?;
        let refused = matches!(bucket, Bucket::Ip(_)) || claimed.rows_affected == 0;
        if refused {
            let seconds = locked_for(db, std::slice::from_ref(bucket), now)
                .await?
                .unwrap_or(1);
            return Ok(Err(seconds));
        }
    }
    Ok(Ok(account_count))
}

/// Buckets without a lock in force at `now`.
fn unlocked(now: OffsetDateTime) -> sea_orm::Condition {
    sea_orm::Condition::any()
        .add(Column::LockedUntil.is_null())
        .add(Column::LockedUntil.lte(now))
}

/// After a wrong password: once an account has used its limit, its next attempt waits.
pub async fn after_failure(
    db: &impl ConnectionTrait,
    bucket: &Bucket,
    count: i32,
    policy: &ThrottlePolicy,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    let limit = bucket.limit(policy);
    if count < limit {
        return Ok(());
    }
    Entity::update_many()
        .col_expr(
            Column::LockedUntil,
            Expr::value(now + account_delay(count - limit + 1)),
        )
        .filter(Column::Bucket.eq(bucket.key()))
        .exec(db)
        .await?;
    Ok(())
}

/// Gives back the attempt an address spent on a successful sign-in.
pub async fn refund(db: &impl ConnectionTrait, bucket: &Bucket) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(
            Column::Failures,
            Expr::col((Entity, Column::Failures)).sub(1),
        )
        .filter(Column::Bucket.eq(bucket.key()))
        .filter(Column::Failures.gt(0))
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes buckets whose window ended and that hold no lock (run by the sweep worker).
pub async fn sweep(
    db: &impl ConnectionTrait,
    policy: &ThrottlePolicy,
    now: OffsetDateTime,
) -> Result<u64, DbErr> {
    let gone = Entity::delete_many()
        .filter(Column::WindowStartedAt.lte(now - policy.window))
        .filter(unlocked(now))
        .exec(db)
        .await?;
    Ok(gone.rows_affected)
}

/// Forgets the failures of `bucket` (after a successful sign-in).
pub async fn clear(db: &impl ConnectionTrait, bucket: &Bucket) -> Result<(), DbErr> {
    Entity::delete_by_id(bucket.key()).exec(db).await?;
    Ok(())
}
