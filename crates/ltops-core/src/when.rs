//! Parses the times operators type (RFC 3339 with a zone, a UTC date, or a span
//! back from now) and refuses times without a zone: at 3 am, "10:00" is ambiguous.

use chrono::{DateTime, Duration, NaiveDate, Utc};

pub fn parse_time(s: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix('-') {
        let (num, unit) = rest.split_at(rest.len().saturating_sub(1));
        let n: i64 = num
            .parse()
            .map_err(|_| format!("`{s}` is not a span like -15m, -2h or -7d"))?;
        let span = match unit {
            "m" => Duration::minutes(n),
            "h" => Duration::hours(n),
            "d" => Duration::days(n),
            _ => return Err(format!("`{s}`: the unit must be m, h or d")),
        };
        return Ok(now - span);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc())
            .ok_or_else(|| format!("`{s}` is not a date"));
    }
    if s.contains('T') || s.contains(' ') {
        return Err(format!(
            "`{s}` has no time zone — add one, e.g. `{s}Z` for UTC or `{s}+01:00` for Berlin in winter"
        ));
    }
    Err(format!(
        "`{s}` is not a time: use RFC 3339 with a zone (2026-11-27T09:12:00Z), a date (2026-11-27), or -15m / -2h / -7d"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn forms() {
        let now = Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap();
        assert_eq!(
            parse_time("2026-11-27T10:00:00+01:00", now).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap()
        );
        assert_eq!(
            parse_time("2026-11-01", now).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
        );
        assert_eq!(parse_time("-2h", now).unwrap(), now - Duration::hours(2));
        assert!(
            parse_time("2026-11-27T10:00:00", now)
                .unwrap_err()
                .contains("no time zone")
        );
        assert!(parse_time("yesterday", now).is_err());
        assert!(parse_time("-2w", now).is_err());
    }
}
