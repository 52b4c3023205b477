//! The restore time: parsed from what an on-call engineer types at 3 am, checked
//! against the restorable window (moto does not check it; real AWS does, late),
//! and shown in UTC and in Berlin time, where the incident was noticed.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Offset, Utc, Weekday};
use serde::Serialize;

/// The window AWS reports for a cluster or instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    pub earliest: DateTime<Utc>,
    pub latest: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreTime {
    Latest,
    At(DateTime<Utc>),
}

/// Why a restore time is not acceptable. Times are shown in UTC and Berlin time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error(
        "`{0}` is a date, not a point in time — give a time with a zone, e.g. {0}T03:00:00+01:00"
    )]
    DateOnly(String),
    /// Not a time ltops reads; the message says which forms it reads.
    #[error("{0}")]
    Unreadable(String),
    #[error("{} is in the future (now is {})", both(*.at), both(*.now))]
    Future {
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    },
    #[error("{} is before the earliest restorable time {} — the backups do not reach back that far", both(*.at), both(*.earliest))]
    BeforeWindow {
        at: DateTime<Utc>,
        earliest: DateTime<Utc>,
    },
    #[error("{} is after the latest restorable time {} — use `latest` or an earlier time", both(*.at), both(*.latest))]
    AfterWindow {
        at: DateTime<Utc>,
        latest: DateTime<Utc>,
    },
}

/// Parses `latest`, RFC 3339 with an offset, or `-15m` / `-2h` / `-1d`.
pub fn parse(s: &str, now: DateTime<Utc>) -> Result<RestoreTime, TimeError> {
    if s.trim().eq_ignore_ascii_case("latest") {
        return Ok(RestoreTime::Latest);
    }
    if NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").is_ok() {
        return Err(TimeError::DateOnly(s.to_owned()));
    }
    crate::when::parse_time(s, now)
        .map(RestoreTime::At)
        .map_err(TimeError::Unreadable)
}

/// Resolves and checks the time against the window and the clock.
pub fn resolve(
    t: &RestoreTime,
    w: &Window,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, TimeError> {
    let at = match t {
        RestoreTime::Latest => return Ok(w.latest),
        RestoreTime::At(at) => *at,
    };
    if at > now {
        Err(TimeError::Future { at, now })
    } else if at < w.earliest {
        Err(TimeError::BeforeWindow {
            at,
            earliest: w.earliest,
        })
    } else if at > w.latest {
        Err(TimeError::AfterWindow {
            at,
            latest: w.latest,
        })
    } else {
        Ok(at)
    }
}

/// Last Sunday of a month at 01:00 UTC: when the EU switches its clocks.
fn eu_switch(year: i32, month: u32) -> DateTime<Utc> {
    let mut d = NaiveDate::from_ymd_opt(year, month + 1, 1)
        .or_else(|| NaiveDate::from_ymd_opt(year + 1, 1, 1))
        .unwrap_or_default()
        - Duration::days(1);
    while d.weekday() != Weekday::Sun {
        d -= Duration::days(1);
    }
    d.and_hms_opt(1, 0, 0).unwrap_or_default().and_utc()
}

/// Europe/Berlin's offset at `t` (CET +01:00, CEST +02:00 under the EU rule).
pub fn berlin_offset(t: DateTime<Utc>) -> FixedOffset {
    let summer = t >= eu_switch(t.year(), 3) && t < eu_switch(t.year(), 10);
    FixedOffset::east_opt(if summer { 7200 } else { 3600 }).unwrap_or_else(|| Utc.fix())
}

pub fn berlin(t: DateTime<Utc>) -> String {
    let off = berlin_offset(t);
    let name = if off.local_minus_utc() == 7200 {
        "CEST"
    } else {
        "CET"
    };
    format!(
        "{} {name}",
        t.with_timezone(&off).format("%Y-%m-%d %H:%M:%S%:z")
    )
}

pub fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Both forms, as every message about a restore time shows them.
pub fn both(t: DateTime<Utc>) -> String {
    format!("{} ({})", utc(t), berlin(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn berlin_across_the_daylight_saving_changes() {
        // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
        for (utc, want) in [
            ("2026-03-29T00:59:59Z", "2026-03-29 01:59:59+01:00 CET"),
            ("2026-03-29T01:00:00Z", "2026-03-29 03:00:00+02:00 CEST"),
            ("2026-10-25T00:59:59Z", "2026-10-25 02:59:59+02:00 CEST"),
            ("2026-10-25T01:00:00Z", "2026-10-25 02:00:00+01:00 CET"),
            ("2026-12-31T23:00:00Z", "2027-01-01 00:00:00+01:00 CET"),
        ] {
            assert_eq!(berlin(at(utc)), want, "{utc}");
        }
    }

    #[test]
    fn local_input_with_offsets_around_the_change_lands_right() {
        let now = at("2026-11-27T12:00:00Z");
        // 02:30 happens twice on 25 October; the offset says which one.
        assert_eq!(
            parse("2026-10-25T02:30:00+02:00", now).unwrap(),
            RestoreTime::At(at("2026-10-25T00:30:00Z"))
        );
        assert_eq!(
            parse("2026-10-25T02:30:00+01:00", now).unwrap(),
            RestoreTime::At(at("2026-10-25T01:30:00Z"))
        );
        assert!(
            parse("2026-10-25T02:30:00", now)
                .unwrap_err()
                .to_string()
                .contains("no time zone")
        );
        assert!(
            parse("2026-10-25", now)
                .unwrap_err()
                .to_string()
                .contains("is a date")
        );
        assert_eq!(
            parse("-2h", now).unwrap(),
            RestoreTime::At(at("2026-11-27T10:00:00Z"))
        );
        assert_eq!(parse("LATEST", now).unwrap(), RestoreTime::Latest);
    }

    #[test]
    fn the_window_at_its_edges() {
        let w = Window {
            earliest: at("2026-11-01T00:00:00Z"),
            latest: at("2026-11-27T11:55:00Z"),
        };
        let now = at("2026-11-27T12:00:00Z");
        assert!(resolve(&RestoreTime::At(w.earliest), &w, now).is_ok());
        assert!(resolve(&RestoreTime::At(w.latest), &w, now).is_ok());
        let e = resolve(&RestoreTime::At(w.earliest - Duration::seconds(1)), &w, now)
            .unwrap_err()
            .to_string();
        assert!(e.contains("before the earliest restorable time"), "{e}");
        let e = resolve(&RestoreTime::At(w.latest + Duration::seconds(1)), &w, now)
            .unwrap_err()
            .to_string();
        assert!(e.contains("after the latest restorable time"), "{e}");
        let e = resolve(&RestoreTime::At(now + Duration::minutes(1)), &w, now)
            .unwrap_err()
            .to_string();
        assert!(e.contains("in the future"), "{e}");
        assert_eq!(resolve(&RestoreTime::Latest, &w, now).unwrap(), w.latest);
    }
}
