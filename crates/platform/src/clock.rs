//! Time as a dependency: services read the current time from a `Clock`, so tests move time
//! forward instead of sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Milliseconds since the Unix epoch, UTC.
pub type UnixMillis = i64;

pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now_ms(&self) -> UnixMillis;
}

/// The system's wall clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> UnixMillis {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        now.as_millis() as i64
    }
}

/// A clock that tests set and advance by hand.
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(start_ms: UnixMillis) -> Arc<Self> {
        Arc::new(Self(AtomicI64::new(start_ms)))
    }
    pub fn advance_secs(&self, secs: i64) {
        self.0.fetch_add(secs * 1000, Ordering::SeqCst);
    }
    pub fn set_ms(&self, ms: UnixMillis) {
        self.0.store(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> UnixMillis {
        self.0.load(Ordering::SeqCst)
    }
}

pub type SharedClock = Arc<dyn Clock>;

pub fn system() -> SharedClock {
    Arc::new(SystemClock)
}

/// Converts Unix milliseconds to a protobuf timestamp.
pub fn to_timestamp(ms: UnixMillis) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: ms.div_euclid(1000),
        nanos: (ms.rem_euclid(1000) * 1_000_000) as i32,
    }
}

/// Converts a protobuf timestamp to Unix milliseconds.
pub fn from_timestamp(ts: &prost_types::Timestamp) -> UnixMillis {
    ts.seconds * 1000 + i64::from(ts.nanos) / 1_000_000
}

/// Formats Unix milliseconds as RFC 3339 (used for `ce-time`).
/// Vietnam's offset from UTC: +7, with no daylight saving. Deadlines, "today" and dates that
/// people read are Vietnam's calendar days.
pub const VIETNAM: time::UtcOffset = time::macros::offset!(+7);

/// The calendar date in Vietnam at `ms` (Unix milliseconds).
pub fn vietnam_date(ms: UnixMillis) -> time::Date {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map(|t| t.to_offset(VIETNAM).date())
        .unwrap_or(time::Date::MIN)
}

/// Today in Vietnam by the system's clock: the day deadlines and months are counted in (a day
/// that starts at 17:00 UTC).
pub fn vietnam_today() -> time::Date {
    vietnam_date(SystemClock.now_ms())
}

/// The calendar date in Vietnam at `ms`, as `YYYY-MM-DD`.
pub fn vietnam_date_text(ms: UnixMillis) -> String {
    let d = vietnam_date(ms);
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

pub fn rfc3339(ms: UnixMillis) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnam_days_turn_at_midnight_utc_plus_seven() {
        // 2026-11-30T16:59:59Z is 23:59:59 in Hà Nội; one second later it is 1 December.
        let before_midnight = 1_796_057_999_000;
        assert_eq!(vietnam_date_text(before_midnight), "2026-11-30");
        assert_eq!(vietnam_date_text(before_midnight + 1_000), "2026-12-01");
        assert_eq!(vietnam_date_text(0), "1970-01-01");
    }
}
