//! Field readers shared by the parsers: times, kinds, key lists, and messages that say
//! what was expected and what was found.

use chrono::DateTime;
use serde_json::{Number, Value};

use crate::model::{EventKind, Timestamp};

/// The JSON type of a value, as error messages name it.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Parses an event kind: `local`, `send`, `recv` or `receive` (any case).
pub fn parse_kind(s: &str) -> Result<EventKind, String> {
    match s.to_ascii_lowercase().as_str() {
        "local" | "" => Ok(EventKind::Local),
        "send" => Ok(EventKind::Send),
        "recv" | "receive" => Ok(EventKind::Recv),
        _ => Err(format!(
            "expected \"kind\" to be \"local\", \"send\" or \"recv\", found {s:?}"
        )),
    }
}

/// Parses a wall-clock time given as text: RFC 3339, or seconds since the epoch.
pub fn parse_time_str(s: &str) -> Result<Timestamp, String> {
    let t = s.trim();
    if let Some(ns) = utc_rfc3339_nanos(t) {
        return Ok(Timestamp(ns));
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return dt
            .timestamp_nanos_opt()
            .map(Timestamp)
            .ok_or_else(|| format!("time {s:?} is out of range (years 1677 to 2262)"));
    }
    if t.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
        if let Some(ts) = parse_epoch_decimal(t) {
            return Ok(ts);
        }
    }
    Err(format!(
        "expected \"time\" as RFC 3339 (2026-11-20T09:14:03.120Z) or seconds since the epoch, found {s:?}"
    ))
}

/// The common shape of log times, `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, as nanoseconds since the
/// epoch, without chrono's general parser (a tenth of its cost, and logs hold millions). Any
/// other shape, a leap second or a time out of range gives `None`: chrono decides those.
fn utc_rfc3339_nanos(t: &str) -> Option<i64> {
    let b = t.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    if b[16] != b':' || *b.last()? != b'Z' {
        return None;
    }
    const DIGITS: [usize; 14] = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
    if !DIGITS.iter().all(|&i| b[i].is_ascii_digit()) {
        return None;
    }
    let two = |i: usize| i64::from(b[i] - b'0') * 10 + i64::from(b[i + 1] - b'0');
    let (year, month, day) = (two(0) * 100 + two(2), two(5), two(8));
    let (hour, minute, second) = (two(11), two(14), two(17));
    let nanos = match &b[19..b.len() - 1] {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            let mut n = 0i64;
            for &c in digits {
                if !c.is_ascii_digit() {
                    return None;
                }
                n = n * 10 + i64::from(c - b'0');
            }
            n * 10i64.pow(9 - digits.len() as u32)
        }
        _ => return None,
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&month) || day < 1 || day > month_days[month as usize - 1] {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    // Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's
    // days_from_civil), years counted from March so that the leap day comes last.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second;
    seconds.checked_mul(1_000_000_000)?.checked_add(nanos)
}

/// Parses a JSON number of seconds since the epoch, keeping up to nanosecond digits.
pub fn parse_time_number(n: &Number) -> Result<Timestamp, String> {
    let text = n.to_string();
    parse_epoch_decimal(&text).ok_or_else(|| {
        format!(
            "expected \"time\" in seconds since the epoch within years 1677 to 2262, found {text}"
        )
    })
}

/// Exact decimal parse of `[-]digits[.digits][e[+-]digits]` seconds into nanoseconds.
pub fn parse_epoch_decimal(text: &str) -> Option<Timestamp> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().ok()?),
        None => (body, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part
        .bytes()
        .chain(frac_part.bytes())
        .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    // Value = digits * 10^(exponent - frac_len) seconds = digits * 10^(exponent - frac_len + 9) ns.
    let digits = format!("{int_part}{frac_part}");
    let digits = digits.trim_start_matches('0');
    let scale = exponent as i64 - frac_part.len() as i64 + 9;
    let mut value: i128 = 0;
    let keep = if scale >= 0 {
        digits.len()
    } else {
        digits.len().saturating_sub((-scale) as usize)
    };
    if keep > 30 {
        return None;
    }
    for b in digits[..keep].bytes() {
        value = value * 10 + i128::from(b - b'0');
    }
    if scale > 0 {
        if scale > 30 {
            return None;
        }
        value = value.checked_mul(10i128.checked_pow(scale as u32)?)?;
    }
    if negative {
        value = -value;
    }
    i64::try_from(value).ok().map(Timestamp)
}

/// Reads a string or an array of strings (`to`, `reads`, `writes`).
pub fn string_list(name: &str, v: &Value) -> Result<Vec<String>, String> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(format!(
                    "expected {name:?} to hold strings, found {}",
                    type_name(other)
                )),
            })
            .collect(),
        Value::Null => Ok(Vec::new()),
        other => Err(format!(
            "expected {name:?} (string or array of strings), found {}",
            type_name(other)
        )),
    }
}

/// Splits a comma-separated list from a plain-text log (`a, b,c`).
pub fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The fast path agrees with chrono on every time it accepts, and accepts the shape
        /// logs use for every valid date.
        #[test]
        fn fast_utc_times_agree_with_chrono(
            (y, mo, d, h, mi, s) in (0i64..10_000, 1i64..13, 1i64..32, 0i64..25, 0i64..61, 0i64..61),
            frac in proptest::option::of("[0-9]{1,10}"),
        ) {
            let text = format!(
                "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{}Z",
                frac.as_deref().map(|f| format!(".{f}")).unwrap_or_default()
            );
            let chrono = DateTime::parse_from_rfc3339(&text).ok().and_then(|t| t.timestamp_nanos_opt());
            match utc_rfc3339_nanos(&text) {
                Some(ns) => prop_assert_eq!(Some(ns), chrono, "{}", text),
                // Left to chrono: leap seconds, more than nine fraction digits, and the
                // first seconds of 1677 where the product overflows before the sum would not.
                None => prop_assert!(
                    chrono.is_none() || s == 60 || frac.as_ref().is_some_and(|f| f.len() > 9) || y == 1677,
                    "{} rejected, chrono says {:?}", text, chrono
                ),
            }
        }

        /// Mangled times never panic and never disagree with chrono.
        #[test]
        fn fast_path_never_contradicts_chrono(text in "[0-9T:.Z+ -]{0,32}") {
            if let Some(ns) = utc_rfc3339_nanos(&text) {
                let chrono = DateTime::parse_from_rfc3339(&text).ok().and_then(|t| t.timestamp_nanos_opt());
                prop_assert_eq!(Some(ns), chrono);
            }
        }
    }

    #[test]
    fn rfc3339_keeps_nanoseconds() {
        let t = parse_time_str("2026-11-20T09:14:03.123456789Z").unwrap();
        assert_eq!(t.0 % 1_000_000_000, 123_456_789);
        let offset = parse_time_str("2026-11-20T10:14:03.123456789+01:00").unwrap();
        assert_eq!(t, offset);
    }

    #[test]
    fn epoch_seconds_are_parsed_exactly() {
        assert_eq!(
            parse_epoch_decimal("1795000000.123456789"),
            Some(Timestamp(1_795_000_000_123_456_789))
        );
        assert_eq!(
            parse_epoch_decimal("1.5e3"),
            Some(Timestamp(1_500_000_000_000))
        );
        assert_eq!(parse_epoch_decimal("-2.5"), Some(Timestamp(-2_500_000_000)));
        assert_eq!(parse_epoch_decimal("12x"), None);
        assert_eq!(parse_epoch_decimal("99999999999999999999"), None);
        let n: Number = serde_json::from_str("1795000000.125").unwrap();
        assert_eq!(
            parse_time_number(&n).unwrap(),
            Timestamp(1_795_000_000_125_000_000)
        );
    }

    #[test]
    fn bad_times_say_what_was_expected() {
        let err = parse_time_str("yesterday").unwrap_err();
        assert!(err.starts_with("expected \"time\" as RFC 3339"), "{err}");
    }

    #[test]
    fn kinds_accept_receive_and_any_case() {
        assert_eq!(parse_kind("receive"), Ok(EventKind::Recv));
        assert_eq!(parse_kind("SEND"), Ok(EventKind::Send));
        assert!(parse_kind("sned").is_err());
    }
}
