//! How long a running job has taken and is likely still to take, as the status bar says it:
//! "1:05 elapsed · about 4 min left". The estimate extrapolates the share done so far at the
//! pace so far, and is given only once enough of the job has run for it to mean something.

use std::time::Duration;

/// No estimate before this share of the work is done…
const FIRST_SHARE: f32 = 0.01;
/// …or before the job has run this long.
const FIRST_WAIT: Duration = Duration::from_secs(2);

/// The time still to go of a job `fraction` done after `elapsed`, at its pace so far; `None`
/// while too little is done to tell, and once it is done.
pub fn time_left(elapsed: Duration, fraction: f32) -> Option<Duration> {
    if !(FIRST_SHARE..1.0).contains(&fraction) || elapsed < FIRST_WAIT {
        return None;
    }
    let fraction = f64::from(fraction);
    Some(elapsed.mul_f64((1.0 - fraction) / fraction))
}

/// "0:42 elapsed", then "0:42 elapsed · about 1 min left" once there is an estimate.
pub fn timing_text(elapsed: Duration, fraction: f32) -> String {
    let spent = format!("{} elapsed", clock(elapsed));
    match time_left(elapsed, fraction) {
        Some(left) => format!("{spent} · about {} left", rough(left)),
        None => spent,
    }
}

/// A duration as a clock reads: "0:42", "12:05", "1:02:03".
fn clock(d: Duration) -> String {
    let s = d.as_secs();
    let (h, m, s) = (s / 3600, s % 3600 / 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// An estimate as coarse as it is sure: "5 s", "40 s", "4 min", "1 h 20 min".
fn rough(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 57.5 {
        // Up to the next five seconds, never "0 s".
        format!("{} s", ((s / 5.0).ceil() as u64).max(1) * 5)
    } else if s < 3570.0 {
        format!("{} min", ((s / 60.0).round() as u64).max(1))
    } else {
        let minutes = (s / 600.0).round() as u64 * 10;
        match (minutes / 60, minutes % 60) {
            (h, 0) => format!("{h} h"),
            (h, m) => format!("{h} h {m} min"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn the_time_left_is_the_pace_so_far_applied_to_what_remains() {
        let near = |left: Option<Duration>, s: f64| {
            left.is_some_and(|d| (d.as_secs_f64() - s).abs() < 1e-3)
        };
        assert!(near(time_left(secs(20), 0.25), 60.0));
        assert!(near(time_left(secs(90), 0.9), 10.0));
        // Too early to tell: too little done, or too short a while.
        assert_eq!(time_left(secs(20), 0.005), None);
        assert_eq!(time_left(Duration::from_millis(1500), 0.5), None);
        assert_eq!(time_left(secs(20), 0.0), None);
        // Done, or a bogus share.
        assert_eq!(time_left(secs(20), 1.0), None);
        assert_eq!(time_left(secs(20), f32::NAN), None);
    }

    #[test]
    fn the_estimate_shrinks_as_a_steady_job_advances() {
        // A job of 300 s at a steady pace: each estimate is about the time truly left.
        for done in [30, 60, 150, 240, 290] {
            let left = time_left(secs(done), done as f32 / 300.0).unwrap();
            let truly = 300.0 - done as f64;
            assert!(
                (left.as_secs_f64() - truly).abs() < 0.01,
                "{done}: {left:?}"
            );
        }
    }

    #[test]
    fn the_timing_reads_as_a_clock_and_a_rough_estimate() {
        assert_eq!(timing_text(Duration::from_millis(900), 0.5), "0:00 elapsed");
        assert_eq!(timing_text(secs(42), 0.001), "0:42 elapsed");
        assert_eq!(
            timing_text(secs(20), 0.25),
            "0:20 elapsed · about 1 min left"
        );
        assert_eq!(timing_text(secs(10), 0.5), "0:10 elapsed · about 10 s left");
        assert_eq!(timing_text(secs(3), 0.9), "0:03 elapsed · about 5 s left");
        assert_eq!(
            timing_text(secs(65), 0.2),
            "1:05 elapsed · about 4 min left"
        );
        assert_eq!(
            timing_text(secs(3723), 0.5),
            "1:02:03 elapsed · about 1 h left"
        );
        assert_eq!(
            timing_text(secs(1200), 0.2),
            "20:00 elapsed · about 1 h 20 min left"
        );
    }
}
