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
