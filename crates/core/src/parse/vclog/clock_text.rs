//! Logged vector clocks as text: JSON, and the relaxed forms real logs hold. Reading and writing
//! one clock; it infers no message.

use std::borrow::Cow;

use serde_json::{Map, Number, Value};

use super::VectorClock;
use crate::parse::fields::type_name;

/// Reads a logged vector clock: JSON (`{"a":1, "b":2}`) or the relaxed forms real logs
/// hold: unquoted or single-quoted host names (`{myPID: 1}`), quotes escaped as in a
/// string (`{\"n1\":0}`), counts in quotes, a trailing comma.
pub fn parse_clock(text: &str) -> Result<VectorClock, String> {
    let text = text.trim();
    let fail = |why: String| {
        let shown: String = text.chars().take(60).collect();
        let more = if shown.len() < text.len() { "..." } else { "" };
        format!("expected a vector clock such as {{\"host\":1}}, found {shown:?}{more}: {why}")
    };
    // The common case, read without building JSON values; escapes go the long way.
    if !text.contains('\\') {
        if let Ok(clock) = parse_relaxed(text) {
            return Ok(clock);
        }
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => return clock_from_map(&map).map_err(fail),
        Ok(other) => return Err(fail(format!("it is a JSON {}", type_name(&other)))),
        Err(_) => {}
    }
    if text.contains("\\\"") {
        let unescaped = text.replace("\\\"", "\"");
        if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(&unescaped) {
            return clock_from_map(&map).map_err(fail);
        }
    }
    parse_relaxed(text).map_err(fail)
}

/// Reads a clock given as a JSON object of host counts.
pub fn clock_from_map(map: &Map<String, Value>) -> Result<VectorClock, String> {
    map.iter()
        .map(|(host, v)| Ok((host.clone(), count(host, v)?)))
        .collect()
}

fn count(host: &str, v: &Value) -> Result<u64, String> {
    let bad = || format!("the count of {host:?} is {v}, expected a whole number >= 0");
    match v {
        Value::Number(n) => number_count(n).ok_or_else(bad),
        Value::String(s) => s.trim().parse::<u64>().map_err(|_| bad()),
        _ => Err(bad()),
    }
}

fn number_count(n: &Number) -> Option<u64> {
    n.as_u64().or_else(|| {
        let f = n.as_f64()?;
        (f >= 0.0 && f.fract() == 0.0 && f < 9.0e15).then_some(f as u64)
    })
}

/// A clock as the compact text of a JSON object of counts, in the log's order.
pub fn clock_json_text(clock: &VectorClock) -> String {
    let mut out = Vec::with_capacity(2 + clock.len() * 12);
    out.push(b'{');
    for (i, (host, n)) in clock.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        // Writing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut out, host);
        out.push(b':');
        out.extend_from_slice(itoa::Buffer::new().format(*n).as_bytes());
    }
    out.push(b'}');
    String::from_utf8(out).unwrap_or_else(|_| "{}".to_string())
}

/// `{ key : count , ... }` with keys in double quotes, single quotes or none.
fn parse_relaxed(text: &str) -> Result<VectorClock, String> {
    let mut clock = Vec::new();
    relaxed_members(text, |key, n| clock.push((key.into_owned(), n)))?;
    Ok(clock)
}

/// Reads a clock as [`parse_clock`] does when it holds no backslash, calling `member` with
/// each host name and count in the log's order (names borrowed from `text`), or fails, having
/// called it for some. The common case of a logged clock, read without an allocation per host.
pub fn relaxed_clock<'t>(text: &'t str, member: impl FnMut(Cow<'t, str>, u64)) -> Result<(), ()> {
    let text = text.trim();
    if text.contains('\\') {
        return Err(());
    }
    relaxed_members(text, member).map_err(|_| ())
}

fn relaxed_members<'t>(
    text: &'t str,
    mut member: impl FnMut(Cow<'t, str>, u64),
) -> Result<(), String> {
    let b = text.as_bytes();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while b.get(*i).is_some_and(u8::is_ascii_whitespace) {
            *i += 1;
        }
    };
    let at = |i: usize| match text.get(i..).and_then(|rest| rest.chars().next()) {
        Some(c) => format!("{c:?} at character {}", text[..i].chars().count() + 1),
        None => "the end".to_string(),
    };
    if b.first() != Some(&b'{') {
        return Err(format!("expected '{{', found {}", at(0)));
    }
    i += 1;
    loop {
        skip_ws(&mut i);
        if b.get(i) == Some(&b'}') {
            i += 1;
            break;
        }
        let key = match b.get(i) {
            Some(&q @ (b'"' | b'\'')) => {
                let start = i + 1;
                let mut j = start;
                while j < b.len() && b[j] != q {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                if j >= b.len() {
                    return Err(format!("the host name opened at {} is not closed", at(i)));
                }
                let raw = &text[start..j];
                i = j + 1;
                if q == b'"' && raw.contains('\\') {
                    Cow::Owned(
                        serde_json::from_str::<String>(&text[start - 1..j + 1])
                            .map_err(|_| format!("a bad escape in the host name {raw:?}"))?,
                    )
                } else {
                    Cow::Borrowed(raw)
                }
            }
            _ => {
                let start = i;
                while b
                    .get(i)
                    .is_some_and(|&c| !c.is_ascii_whitespace() && !b":,{}".contains(&c))
                {
                    i += 1;
                }
                if i == start {
                    return Err(format!("expected a host name, found {}", at(i)));
                }
                Cow::Borrowed(&text[start..i])
            }
        };
        skip_ws(&mut i);
        if b.get(i) != Some(&b':') {
            return Err(format!("expected ':' after {key:?}, found {}", at(i)));
        }
        i += 1;
        skip_ws(&mut i);
        let quote = b.get(i).copied().filter(|c| matches!(c, b'"' | b'\''));
        if quote.is_some() {
            i += 1;
        }
        let start = i;
        while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'.') {
            i += 1;
        }
        let digits = &text[start..i];
        let n = match digits.parse::<u64>() {
            Ok(n) => n,
            Err(_) => match digits.parse::<f64>() {
                Ok(f) if f.fract() == 0.0 && f < 9.0e15 => f as u64,
                _ => {
                    return Err(format!(
                        "expected the count of {key:?} (a whole number >= 0), found {}",
                        at(start)
                    ))
                }
            },
        };
        if let Some(q) = quote {
            if b.get(i) != Some(&q) {
                return Err(format!("expected a closing quote, found {}", at(i)));
            }
            i += 1;
        }
        member(key, n);
        skip_ws(&mut i);
        match b.get(i) {
            Some(b',') => i += 1,
            Some(b'}') => {
                i += 1;
                break;
            }
            _ => return Err(format!("expected ',' or '}}', found {}", at(i))),
        }
    }
    skip_ws(&mut i);
    if i < b.len() {
        return Err(format!("expected the end of the clock, found {}", at(i)));
    }
    Ok(())
}
