//! Native JSON Lines histories: `{"process":"c1","type":"invoke","f":"write","key":"x",
//! "value":3,"time":1000}`, one record a line (see README, "Linearizability").
//!
//! `process` is a string or an integer (`"nemesis"` is the nemesis); `type` is `invoke`, `ok`,
//! `fail` or `info` (a leading colon allowed); `f` names the function; `value` and `key` are
//! any JSON; `time` is an integer of nanoseconds or an RFC 3339 string. Other fields are
//! ignored. Recognised by its keys, so ordinary event logs (with `node`) are never taken for
//! one. Knows nothing of models.

use serde_json::{Map, Value as Json};

use super::value::Value;
use super::{Process, Record, RecordType};
use crate::error::InputError;
use crate::input::for_each_line_of;
use crate::parse::fields::parse_time_str;

/// Whether `head`'s first non-blank line is a JSON object with `process`, `type` and `f`
/// and without `node` or `host`.
pub fn is_json_history(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let Some(first) = text.lines().find(|l| !l.trim().is_empty()) else {
        return false;
    };
    match serde_json::from_str::<Map<String, Json>>(first) {
        Ok(m) => {
            m.contains_key("process")
                && m.contains_key("type")
                && m.contains_key("f")
                && !m.contains_key("node")
                && !m.contains_key("host")
        }
        Err(_) => false,
    }
}

/// Parses every non-blank line of `bytes` as one record.
pub fn parse_records(name: &str, bytes: &[u8]) -> Result<Vec<Record>, InputError> {
    let mut records = Vec::with_capacity(bytes.len() / 80);
    let result = for_each_line_of(name, bytes, 1, |line, text| {
        if !text.trim().is_empty() {
            records.push(parse_line(name, line, text)?);
        }
        Ok(())
    });
    match result {
        Ok(()) => Ok(records),
        Err(crate::error::Error::Input(e)) => Err(e),
        Err(other) => Err(InputError::new(name, 0, other.to_string())),
    }
}

fn parse_line(name: &str, line: u32, text: &str) -> Result<Record, InputError> {
    let err = |m: String| InputError::new(name, line, m);
    let map: Map<String, Json> = serde_json::from_str(text).map_err(|e| {
        let what = if e.is_data() {
            "expected a JSON object".to_string()
        } else {
            format!("expected JSON: {e}")
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .to_string()
        };
        err(what).at_column(Some(e.column() as u32))
    })?;
    let process = match map.get("process") {
        Some(Json::Number(n)) if n.is_i64() => Process::Id(n.as_i64().expect("checked")),
        Some(Json::String(s)) if s.trim_start_matches(':') == "nemesis" => Process::Nemesis,
        Some(Json::String(s)) => Process::Name(s.as_str().into()),
        Some(other) => {
            return Err(err(format!(
                "expected \"process\" (string or integer), found {other}"
            )))
        }
        None => return Err(err("expected \"process\" (string or integer)".into())),
    };
    let kind = match map.get("type") {
        Some(Json::String(s)) => RecordType::from_name(s).ok_or_else(|| {
            err(format!(
                "expected \"type\" \"invoke\", \"ok\", \"fail\" or \"info\", found {s:?}"
            ))
        })?,
        _ => {
            return Err(err(
                "expected \"type\": \"invoke\", \"ok\", \"fail\" or \"info\"".into(),
            ))
        }
    };
    let f: Box<str> = match map.get("f") {
        Some(Json::String(s)) => s.trim_start_matches(':').into(),
        None if process == Process::Nemesis => "".into(),
        _ => {
            return Err(err(
                "expected \"f\" (string): the operation, \"read\", \"write\", ...".into(),
            ))
        }
    };
    let time = match map.get("time") {
        None | Some(Json::Null) => None,
        Some(Json::Number(n)) => Some(n.as_i64().ok_or_else(|| {
            err(format!(
                "expected \"time\" as an integer of nanoseconds or an RFC 3339 string, found {n}"
            ))
        })?),
        Some(Json::String(s)) => Some(parse_time_str(s).map_err(&err)?.0),
        Some(other) => {
            return Err(err(format!(
            "expected \"time\" as an integer of nanoseconds or an RFC 3339 string, found {other}"
        )))
        }
    };
    Ok(Record {
        process,
        kind,
        f,
        key: map.get("key").map(Value::from_json),
        value: map.get("value").map_or(Value::Nil, Value::from_json),
        time,
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_read_with_their_keys_and_times() {
        let text = "{\"process\":\"c1\",\"type\":\"invoke\",\"f\":\"write\",\"key\":\"x\",\"value\":3,\"time\":5}\n\n\
                    {\"process\":\"c1\",\"type\":\"ok\",\"f\":\"write\",\"key\":\"x\",\"value\":3,\"time\":\"1970-01-01T00:00:00.000000009Z\"}\n";
        let r = parse_records("h.jsonl", text.as_bytes()).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].process, Process::Name("c1".into()));
        assert_eq!(r[0].key, Some(Value::Str("x".into())));
        assert_eq!(r[1].time, Some(9));
        assert_eq!(r[1].line, 3);
    }

    #[test]
    fn errors_name_the_line() {
        let err = |t: &str| {
            parse_records("h.jsonl", t.as_bytes())
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err("{\"process\":1,\"type\":\"done\",\"f\":\"read\"}"),
            "h.jsonl:1: expected \"type\" \"invoke\", \"ok\", \"fail\" or \"info\", found \"done\""
        );
        assert_eq!(
            err("{\"process\":1,\"type\":\"ok\"}"),
            "h.jsonl:1: expected \"f\" (string): the operation, \"read\", \"write\", ..."
        );
        assert!(err("{\"process\":1,").starts_with("h.jsonl:1:13: expected JSON"));
    }

    #[test]
    fn histories_are_told_from_event_logs_by_their_keys() {
        assert!(is_json_history(
            b"{\"process\":0,\"type\":\"invoke\",\"f\":\"read\"}\n"
        ));
        assert!(!is_json_history(
            b"{\"node\":\"a\",\"process\":0,\"type\":\"x\",\"f\":1}\n"
        ));
        assert!(!is_json_history(b"{\"node\":\"a\"}\n"));
    }
}
