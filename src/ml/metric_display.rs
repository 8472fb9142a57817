//! How training times read to people: a duration in words, beside the metric registry
//! ([`super::metric_registry`]) that says how metrics read. The window, the report and the
//! command line all use it.

/// A duration as people read it: "4 ms", "0.48 s", "12.3 s", "2 min 05 s".
pub fn format_seconds(seconds: f64) -> String {
    if !seconds.is_finite() || seconds < 0.0 {
        return "unknown".into();
    }
    if seconds < 0.1 {
        // Whole milliseconds; under one shows as "< 1 ms" rather than "0 ms".
        let ms = (seconds * 1000.0).round();
        return if ms < 1.0 {
            "< 1 ms".into()
        } else {
            format!("{ms:.0} ms")
        };
    }
    if seconds < 10.0 {
        return format!("{seconds:.2} s");
    }
    if seconds < 60.0 {
        return format!("{seconds:.1} s");
    }
    let whole = seconds.round() as u64;
    format!("{} min {:02} s", whole / 60, whole % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        let cases = [
            (0.0004, "< 1 ms"),
            (0.004, "4 ms"),
            (0.0996, "100 ms"),
            (0.48, "0.48 s"),
            (12.34, "12.3 s"),
            (125.4, "2 min 05 s"),
            (f64::NAN, "unknown"),
        ];
        for (seconds, text) in cases {
            assert_eq!(format_seconds(seconds), text, "{seconds}");
        }
    }
}
