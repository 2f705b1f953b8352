//! Master-key rotation: which key seals how many stored values, and sealing them again under
//! the active key.
//!
//! Re-sealing goes through every sealed column in batches ordered by row id. Each value is
//! written back only if it is still the value that was read, so it runs while servers keep
//! working (a refresh that re-sealed a token meanwhile wins), and a run that stops half-way is
//! simply started again: values already under the active key are skipped.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Value};
use uuid::Uuid;

use crate::domain::crypto::{Aad, Keyring};
use crate::error::AppError;

/// How a column stores its envelopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    /// The envelope's bytes.
    Bytes,
    /// Text: `sealed:` and the envelope in base64 (other values are not sealed).
    TaggedBase64,
}

/// A column that holds values sealed with the master key; its row id is the `id` column.
#[derive(Debug, Clone, Copy)]
pub struct SealedColumn {
    /// Table name.
    pub table: &'static str,
    /// Column name.
    pub column: &'static str,
    encoding: Encoding,
}

const TAG: &str = "sealed:";

/// Every sealed column. A new one must be added here, or rotation leaves it behind (the
/// at-rest test finds a value this list does not know).
pub const SEALED_COLUMNS: [SealedColumn; 7] = [
    column("admin_users", "totp_secret", Encoding::Bytes),
    column("connections", "credentials", Encoding::Bytes),
    column("connectors", "client_secret", Encoding::Bytes),
    column("exchange_codes", "pending", Encoding::Bytes),
    column("idempotency_keys", "body", Encoding::TaggedBase64),
    column("oauth_flows", "pkce_verifier", Encoding::Bytes),
    column("webhook_endpoints", "secret", Encoding::Bytes),
];

const fn column(table: &'static str, column: &'static str, encoding: Encoding) -> SealedColumn {
    SealedColumn {
        table,
        column,
        encoding,
    }
}

/// Whether a key that seals values is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState {
    /// The key new values are sealed with.
    Active,
    /// Loaded to open values, not to seal.
    Retired,
    /// Not loaded: its values cannot be read.
    Missing,
}

/// How many values one key seals, per `table.column`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyUsage {
    /// The key's id (hex), as logged at start-up.
    pub key_id: String,
    /// Whether it is loaded.
    pub state: KeyState,
    /// Values per `table.column`.
    pub columns: BTreeMap<String, u64>,
}

impl KeyUsage {
    /// Values sealed by this key in all.
    pub fn total(&self) -> u64 {
        self.columns.values().sum()
    }
}

/// Every loaded key (even with no values) and every key that seals a value, the active first.
pub async fn status(
    db: &impl ConnectionTrait,
    keyring: &Keyring,
) -> Result<Vec<KeyUsage>, AppError> {
    let loaded = keyring.key_ids();
    let mut usage: Vec<KeyUsage> = loaded
        .iter()
        .enumerate()
        .map(|(i, id)| KeyUsage {
            key_id: id.clone(),
            state: if i == 0 {
                KeyState::Active
            } else {
                KeyState::Retired
            },
            columns: BTreeMap::new(),
        })
        .collect();
    for column in SEALED_COLUMNS {
        let mut after = None;
        while let Some(batch) = next_batch(db, column, after, 500).await? {
            after = batch.last().map(|(id, _)| *id);
            for (_, stored) in batch {
                let Some(key_id) = envelope(column, &stored).and_then(|e| Keyring::sealed_by(&e))
                else {
                    continue;
                };
                let entry = match usage.iter().position(|u| u.key_id == key_id) {
                    Some(i) => &mut usage[i],
                    None => {
                        usage.push(KeyUsage {
                            key_id,
                            state: KeyState::Missing,
                            columns: BTreeMap::new(),
                        });
                        let last = usage.len() - 1;
                        &mut usage[last]
                    }
                };
                *entry
                    .columns
                    .entry(format!("{}.{}", column.table, column.column))
                    .or_default() += 1;
            }
        }
    }
    Ok(usage)
}

/// What a re-sealing run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resealed {
    /// Values now sealed by the active key that were not before.
    pub resealed: u64,
    /// Values that changed while the run looked at them (their writer sealed them anew).
    pub changed_meanwhile: u64,
    /// Values no loaded key opens; they stay as they are.
    pub unreadable: u64,
}

/// Seals every value not under the active key again under it, `batch` rows at a time;
/// `progress` hears each batch (`table.column`, values re-sealed so far).
pub async fn reseal(
    db: &impl ConnectionTrait,
    keyring: &Keyring,
    batch: u64,
    mut progress: impl FnMut(&str, u64),
) -> Result<Resealed, AppError> {
    let mut done = Resealed::default();
    for column in SEALED_COLUMNS {
        let name = format!("{}.{}", column.table, column.column);
        let mut after = None;
        while let Some(rows) = next_batch(db, column, after, batch).await? {
            after = rows.last().map(|(id, _)| *id);
            for (id, stored) in rows {
                // Not an envelope (a connection awaiting its exchange holds none yet).
                let Some(old) =
                    envelope(column, &stored).filter(|e| Keyring::sealed_by(e).is_some())
                else {
                    continue;
                };
                if !keyring.needs_rotation(&old) {
                    continue;
                }
                let row_id = id.to_string();
                let aad = Aad {
                    table: column.table,
                    column: column.column,
                    row_id: &row_id,
                };
                let Ok(plain) = keyring.open(&old, aad) else {
                    tracing::warn!(table = column.table, column = column.column, row = %row_id, "a sealed value opens with no loaded key");
                    done.unreadable += 1;
                    continue;
                };
                let new = keyring.seal(&plain, aad).map_err(|_| AppError::Internal)?;
                if replace(db, column, id, stored, encode(column, &new)).await? {
                    done.resealed += 1;
                } else {
                    done.changed_meanwhile += 1;
                }
            }
            progress(&name, done.resealed);
        }
    }
    Ok(done)
}

/// A stored value as read.
#[derive(Debug, Clone)]
enum Stored {
    Bytes(Vec<u8>),
    Text(String),
}

impl From<Stored> for Value {
    fn from(stored: Stored) -> Self {
        match stored {
            Stored::Bytes(b) => b.into(),
            Stored::Text(t) => t.into(),
        }
    }
}

fn envelope(column: SealedColumn, stored: &Stored) -> Option<Vec<u8>> {
    match (column.encoding, stored) {
        (Encoding::Bytes, Stored::Bytes(b)) => Some(b.clone()),
        (Encoding::TaggedBase64, Stored::Text(t)) => STANDARD.decode(t.strip_prefix(TAG)?).ok(),
        _ => None,
    }
}

fn encode(column: SealedColumn, envelope: &[u8]) -> Stored {
    match column.encoding {
        Encoding::Bytes => Stored::Bytes(envelope.to_vec()),
        Encoding::TaggedBase64 => Stored::Text(format!("{TAG}{}", STANDARD.encode(envelope))),
    }
}

/// The next rows after `after` (by id) whose column holds a value; `None` at the end.
async fn next_batch(
    db: &impl ConnectionTrait,
    column: SealedColumn,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Option<Vec<(Uuid, Stored)>>, DbErr> {
    let mut query = Query::select();
    query
        .columns([Alias::new("id"), Alias::new(column.column)])
        .from(Alias::new(column.table))
        .and_where(Expr::col(Alias::new(column.column)).is_not_null())
        .order_by(Alias::new("id"), Order::Asc)
        .limit(limit);
    if let Some(after) = after {
        query.and_where(Expr::col(Alias::new("id")).gt(after));
    }
    let statement = db.get_database_backend().build(&query);
    let rows = db.query_all_raw(statement).await?;
    if rows.is_empty() {
        return Ok(None);
    }
    rows.iter()
        .map(|row| read_row(column, row))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn read_row(column: SealedColumn, row: &QueryResult) -> Result<(Uuid, Stored), DbErr> {
    let id: Uuid = row.try_get("", "id")?;
    let stored = match column.encoding {
        Encoding::Bytes => Stored::Bytes(row.try_get("", column.column)?),
        Encoding::TaggedBase64 => Stored::Text(row.try_get("", column.column)?),
    };
    Ok((id, stored))
}

/// Writes `new` where the row still holds `old`; whether it did.
async fn replace(
    db: &impl ConnectionTrait,
    column: SealedColumn,
    id: Uuid,
    old: Stored,
    new: Stored,
) -> Result<bool, DbErr> {
    let mut update = Query::update();
    update
        .table(Alias::new(column.table))
        .value(Alias::new(column.column), Value::from(new))
        .and_where(Expr::col(Alias::new("id")).eq(id))
        .and_where(Expr::col(Alias::new(column.column)).eq(Value::from(old)));
    let statement = db.get_database_backend().build(&update);
    Ok(db.execute_raw(statement).await?.rows_affected() == 1)
}
