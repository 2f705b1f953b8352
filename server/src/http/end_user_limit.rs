//! A per-address rate limit on the end user's routes (`/connect/…`, `/oauth/callback`): whoever
//! guesses link tokens or replays callbacks from one address is stopped long before the guesses
//! add up. A token bucket per client address (IPv6 per /64, since one host commonly holds a whole
//! prefix), refilled continuously; the time comes from the application's clock. Counted in this
//! process, like the REST API's limit.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex};

use app::domain::Clock;
use time::OffsetDateTime;

/// Addresses tracked at most; beyond this, buckets that have refilled are forgotten first.
const MAX_TRACKED: usize = 100_000;

/// The limiter.
pub struct EndUserLimit {
    per_minute: u32,
    clock: Arc<dyn Clock>,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: OffsetDateTime,
}

impl EndUserLimit {
    /// Allows bursts of `per_minute` requests per address and `per_minute` a minute after that.
    pub fn new(per_minute: u32, clock: Arc<dyn Clock>) -> Self {
        Self {
            per_minute: per_minute.max(1),
            clock,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `ip`'s bucket; `Err(seconds)` until the next one is allowed.
    pub fn check(&self, ip: Option<&str>) -> Result<(), u64> {
        let now = self.clock.now();
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let key = bucket_key(ip);
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_TRACKED && !buckets.contains_key(&key) {
            buckets.retain(|_, b| level(b, now, per_second, capacity) < capacity);
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        bucket.tokens = level(bucket, now, per_second, capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        let wait = ((1.0 - bucket.tokens) / per_second).ceil();
        Err((wait as u64).max(1))
    }
}

/// A bucket's tokens at `now`.
fn level(bucket: &Bucket, now: OffsetDateTime, per_second: f64, capacity: f64) -> f64 {
    let elapsed = (now - bucket.at).as_seconds_f64().max(0.0);
    (bucket.tokens + elapsed * per_second).min(capacity)
}

/// The address an IPv4 client is counted under, or the /64 of an IPv6 one.
fn bucket_key(ip: Option<&str>) -> String {
    let Some(ip) = ip else {
        return "unknown".to_owned();
    };
    match ip.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            let prefix = Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
            format!("{prefix}/64")
        }
        Ok(IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map_or_else(|| ip.to_owned(), |v4| v4.to_string()),
        _ => ip.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use app::domain::clock::ManualClock;

    use super::*;

    fn limit(per_minute: u32) -> (EndUserLimit, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::new(
            time::macros::datetime!(2026-12-02 12:00 UTC),
        ));
        (EndUserLimit::new(per_minute, clock.clone()), clock)
    }

    #[test]
    fn a_burst_is_allowed_then_refused_until_the_bucket_refills() {
        let (l, clock) = limit(60);
        for _ in 0..60 {
            assert_eq!(l.check(Some("203.0.113.9")), Ok(()));
        }
        assert_eq!(l.check(Some("203.0.113.9")), Err(1));
        assert_eq!(
            l.check(Some("203.0.113.10")),
            Ok(()),
            "other addresses go on"
        );
        clock.advance(time::Duration::seconds(1));
        assert_eq!(l.check(Some("203.0.113.9")), Ok(()));
        assert!(l.check(Some("203.0.113.9")).is_err());
    }

    #[test]
    fn ipv6_addresses_of_one_prefix_share_a_bucket_and_mapped_ipv4_is_ipv4() {
        let (l, _) = limit(2);
        assert_eq!(l.check(Some("2001:db8:1:2::1")), Ok(()));
        assert_eq!(l.check(Some("2001:db8:1:2:ffff::9")), Ok(()));
        assert!(l.check(Some("2001:db8:1:2::abcd")).is_err());
        assert_eq!(l.check(Some("2001:db8:1:3::1")), Ok(()));
        assert_eq!(bucket_key(Some("::ffff:198.51.100.7")), "198.51.100.7");
        assert_eq!(bucket_key(None), "unknown");
    }
}
