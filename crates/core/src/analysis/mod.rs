//! Analyses over a stamped trace: conflicting accesses to keys, lost messages, clock anomalies
//! and clock skew bounds.
//!
//! An analysis takes the trace, its causality and (when it needs them) clocks, and returns
//! findings as data. It reads no input, prints nothing and decides nothing about format.

pub mod check;
pub mod conflicts;
pub mod offsets;
pub mod skew;

use chrono::{DateTime, SecondsFormat};

use crate::model::Timestamp;

/// A wall-clock time as RFC 3339 in UTC, with as many fraction digits as it needs
/// (`2026-11-20T09:14:00.502Z`).
pub fn format_time(t: Timestamp) -> String {
    DateTime::from_timestamp_nanos(t.0).to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Nanoseconds as decimal seconds without trailing zeros (`-2.5`, `0.000001`, `3`).
pub fn format_seconds(ns: i128) -> String {
    let sign = if ns < 0 { "-" } else { "" };
    let abs = ns.unsigned_abs();
    let (secs, frac) = (abs / 1_000_000_000, abs % 1_000_000_000);
    if frac == 0 {
        return format!("{sign}{secs}");
    }
    let digits = format!("{frac:09}");
    format!("{sign}{secs}.{}", digits.trim_end_matches('0'))
}

/// Nanoseconds as seconds in a JSON number (exact to the nanosecond below about 100 days).
pub fn seconds_f64(ns: i128) -> f64 {
    ns as f64 / 1e9
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_written_without_trailing_zeros() {
        assert_eq!(format_seconds(-2_511_000_000), "-2.511");
        assert_eq!(format_seconds(3_000_000_000), "3");
        assert_eq!(format_seconds(1_000), "0.000001");
        assert_eq!(format_seconds(0), "0");
    }

    #[test]
    fn times_keep_the_digits_they_need() {
        assert_eq!(
            format_time(Timestamp(1_795_000_000_502_000_000)),
            "2026-11-18T11:06:40.502Z"
        );
    }
}
