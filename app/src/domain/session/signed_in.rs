//! What a signed-in session keeps: which account, since when, and when a request last renewed
//! its idle timeout.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::AppState;

/// Session key under which the signed-in account is kept.
pub(super) const SIGNED_IN_KEY: &str = "signed_in";

/// The signed-in account of a session.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct SignedIn {
    pub(super) admin_id: Uuid,
    pub(super) signed_in_at: i64,
    /// When a request last renewed the idle timeout (0 in sessions from before this was kept).
    #[serde(default)]
    pub(super) seen_at: i64,
}

/// A session is saved again — renewing its idle timeout — at most this often.
const RENEW_IDLE_EVERY_SECS: i64 = 60;

/// Where a signed-in session stands on a request at `now` (seconds).
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Standing {
    /// Past the absolute timeout: the session ends.
    Lapsed,
    /// Live, and the idle timeout is due to be renewed.
    DueForRenewal,
    /// Live, nothing to write.
    Current,
}

impl SignedIn {
    /// Read from a session's data.
    pub(super) fn from_data(data: &HashMap<String, serde_json::Value>) -> Option<Self> {
        Self::deserialize(data.get(SIGNED_IN_KEY)?).ok()
    }

    pub(super) fn standing(&self, now: i64, state: &AppState) -> Standing {
        if now - self.signed_in_at > state.settings.session_absolute_timeout.whole_seconds() {
            Standing::Lapsed
        } else if now - self.seen_at >= RENEW_IDLE_EVERY_SECS {
            Standing::DueForRenewal
        } else {
            Standing::Current
        }
    }
}

/// The account signed in according to a session's data (what the session store copies into the
/// row's own column).
pub(crate) fn account_in(data: &HashMap<String, serde_json::Value>) -> Option<Uuid> {
    SignedIn::from_data(data).map(|s| s.admin_id)
}
