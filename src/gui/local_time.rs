//! How the window shows a time: `2026-11-30 17:34:08`, in the local time zone, everywhere.
//! The catalog and JSON keep ISO 8601 in UTC; only what is drawn is local.

use chrono::{DateTime, Local, Offset, TimeZone, Utc};

use crate::report::{utc_time, TimeLabel};

/// The one pattern of a time in the window.
const PATTERN: &str = "%Y-%m-%d %H:%M:%S";

/// A catalog time (ISO 8601, `2026-11-30T16:34:08.323Z`) as local time; text that is not such
/// a time is shown as it is.
pub fn local_time(iso: &str) -> String {
    match DateTime::parse_from_rfc3339(iso.trim()) {
        Ok(time) => in_zone(&time.with_timezone(&Utc), &Local),
        Err(_) => iso.to_string(),
    }
}

/// A time in seconds since the Unix epoch as local time ("—" if it is not a time).
pub fn local_time_of(seconds: f64) -> String {
    match utc_of(seconds) {
        Some(time) => in_zone(&time, &Local),
        None => "—".into(),
    }
}

/// A chart mark's time (seconds since the epoch) as local clock text of the length `label`
/// asks for.
pub fn local_clock(seconds: f64, label: TimeLabel) -> String {
    utc_time(seconds + local_offset(seconds), label)
}

/// Seconds the local clock is ahead of UTC at `seconds` since the epoch.
pub fn local_offset(seconds: f64) -> f64 {
    utc_of(seconds).map_or(0.0, |time| {
        f64::from(
            Local
                .offset_from_utc_datetime(&time.naive_utc())
                .fix()
                .local_minus_utc(),
        )
    })
}

fn utc_of(seconds: f64) -> Option<DateTime<Utc>> {
    if !seconds.is_finite() {
        return None;
    }
    // Truncated, as clocks read: 18:33:04.9 is still 18:33:04.
    DateTime::from_timestamp(seconds.floor() as i64, 0)
}

fn in_zone<Z: TimeZone>(time: &DateTime<Utc>, zone: &Z) -> String
where
    Z::Offset: std::fmt::Display,
{
    time.with_timezone(zone).format(PATTERN).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    #[test]
    fn a_catalog_time_reads_in_the_zone_to_the_second() {
        let time = DateTime::parse_from_rfc3339("2026-11-30T16:34:08.923Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(in_zone(&time, &Utc), "2026-11-30 16:34:08");
        let berlin = FixedOffset::east_opt(3600).unwrap();
        assert_eq!(in_zone(&time, &berlin), "2026-11-30 17:34:08");
        let new_york = FixedOffset::west_opt(5 * 3600).unwrap();
        assert_eq!(in_zone(&time, &new_york), "2026-11-30 11:34:08");
        // Just after midnight UTC is the day before further west.
        let early = DateTime::parse_from_rfc3339("2026-12-01T00:10:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(in_zone(&early, &new_york), "2026-11-30 19:10:00");
    }

    #[test]
    fn local_time_agrees_with_the_local_offset() {
        let iso = "2026-11-30T16:34:08.323Z";
        let seconds = 1_796_056_448.323;
        let shown = local_time(iso);
        assert_eq!(shown, local_time_of(seconds));
        assert_eq!(
            shown,
            utc_time(seconds + local_offset(seconds), TimeLabel::Full)
        );
        assert_eq!(shown.len(), "2026-11-30 16:34:08".len());
        assert!(!shown.contains('T') && !shown.contains('Z') && !shown.contains('.'));
    }

    #[test]
    fn what_is_not_a_time_is_shown_as_it_is() {
        assert_eq!(local_time("yesterday"), "yesterday");
        assert_eq!(local_time_of(f64::NAN), "—");
    }
}
