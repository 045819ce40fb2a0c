//! The native format: one JSON object per line (see docs/format.md).
//!
//! A line is read once, borrowing from the line: only the fields `causal` interprets are
//! parsed into values; the others are kept as their JSON text (see [`crate::model::Fields`]).

use std::borrow::Cow;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::fields::{
    parse_epoch_decimal, parse_kind, parse_time_number, parse_time_str, string_list, type_name,
};
use super::{check_event, FileContext};
use crate::error::{InputError, Result};
use crate::input::{for_each_line_of, line_number, position, saturate, Input};
use crate::model::{Fields, RawEvent, TraceBuilder};

/// Bytes per block; each block's lines are parsed by two threads, then added in order.
const BLOCK: usize = 4 << 20;

/// Parses every line of `input` as one event; blank lines are skipped.
///
/// Lines are independent, so each block of lines is split in two at a line end and both
/// halves are parsed at once (two cores pay: parsing is most of reading). Events are added in
/// input order, and the first error in input order is the one reported.
pub fn parse(input: &mut Input, ctx: &FileContext<'_>, builder: &mut TraceBuilder) -> Result<()> {
    let keep_fields = builder.keeps_fields();
    input.for_each_block(BLOCK, |first_line, block| {
        let mid = block.len() / 2;
        let split = block[mid..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(block.len(), |p| mid + p + 1);
        let (head, tail) = block.split_at(split);
        let tail_first = line_number(
            ctx.name,
            first_line,
            memchr::memchr_iter(b'\n', head).count(),
        )?;
        let (head_events, tail_events) = std::thread::scope(|scope| {
            let tail_job = scope.spawn(|| parse_lines(tail, tail_first, ctx, keep_fields));
            let head_events = parse_lines(head, first_line, ctx, keep_fields);
            let tail_events = tail_job.join().expect("a parser thread does not panic");
            (head_events, tail_events)
        });
        for raw in head_events?.into_iter().chain(tail_events?) {
            builder.push(ctx.index, raw);
        }
        Ok(())
    })
}

fn parse_lines(
    bytes: &[u8],
    first_line: u32,
    ctx: &FileContext<'_>,
    keep_fields: bool,
) -> Result<Vec<RawEvent>> {
    let mut events = Vec::with_capacity(bytes.len() / 96);
    for_each_line_of(ctx.name, bytes, first_line, |line, text| {
        if !text.trim().is_empty() {
            events.push(parse_line_keeping(text, line, ctx, keep_fields)?);
        }
        Ok(())
    })?;
    Ok(events)
}

/// Fields `causal` reads; every other field is passed through as text.
const KNOWN: [&str; 10] = [
    "node", "host", "kind", "msg", "to", "time", "label", "id", "reads", "writes",
];

/// Fields the writers compute, dropped from what is passed through.
const COMPUTED: [&str; 2] = ["lamport", "vc"];

/// A JSON object's members in order, keys borrowed when they hold no escapes, values as text.
struct RawObject<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

#[derive(Deserialize)]
struct Key<'a>(#[serde(borrow)] Cow<'a, str>);

impl<'de> Deserialize<'de> for RawObject<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> Visitor<'de> for Members {
            type Value = RawObject<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::with_capacity(8);
                while let Some(Key(k)) = map.next_key()? {
                    let v: &'de RawValue = map.next_value()?;
                    members.push((k, v));
                }
                Ok(RawObject(members))
            }
        }
        d.deserialize_map(Members)
    }
}

/// Parses one line of the native format.
pub fn parse_line(text: &str, line: u32, ctx: &FileContext<'_>) -> Result<RawEvent, InputError> {
    parse_line_keeping(text, line, ctx, true)
}

/// [`parse_line`], leaving the pass-through fields out unless `keep_fields` (the builder
/// would drop them: see [`TraceBuilder::keeps_fields`]).
fn parse_line_keeping(
    text: &str,
    line: u32,
    ctx: &FileContext<'_>,
    keep_fields: bool,
) -> Result<RawEvent, InputError> {
    if let Ok(RawObject(members)) = serde_json::from_str::<RawObject<'_>>(text) {
        let unique = members
            .iter()
            .enumerate()
            .all(|(i, (k, _))| members[..i].iter().all(|(other, _)| other != k));
        if unique {
            return event_from_members(&members, text, line, ctx, keep_fields);
        }
    }
    // Not an object, malformed, or with repeated keys: the general path says what is wrong,
    // or keeps the last of repeated keys as serde_json does.
    let fields = parse_object(text, line, ctx)?;
    event_from_object(fields, text, line, ctx)
}

/// Parses a line that must hold one JSON object; the error names line, column and what was
/// found instead. Shared by the JSON Lines formats.
pub fn parse_object(
    text: &str,
    line: u32,
    ctx: &FileContext<'_>,
) -> Result<Map<String, Value>, InputError> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let msg = e.to_string();
        // serde_json appends " at line L column C"; we know the line better than it does.
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        ctx.error(line, format!("expected a JSON object: {msg}"))
            .at_column(Some(saturate(e.column())))
    })?;
    match value {
        Value::Object(fields) => Ok(fields),
        other => Err(ctx
            .error(
                line,
                format!("expected a JSON object, found {}", type_name(&other)),
            )
            .at_column(Some(first_column(text)))),
    }
}

fn event_from_object(
    fields: Map<String, Value>,
    text: &str,
    line: u32,
    ctx: &FileContext<'_>,
) -> Result<RawEvent, InputError> {
    let fail =
        |field: &str, message: String| ctx.error(line, message).at_column(key_column(text, field));
    let string = |field: &str| -> Result<Option<String>, InputError> {
        match fields.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            // Message ids and event ids are often numbers in real logs.
            Some(Value::Number(n)) if field == "msg" || field == "id" => Ok(Some(n.to_string())),
            Some(other) => Err(fail(
                field,
                format!("expected {field:?} (string), found {}", type_name(other)),
            )),
        }
    };
    let list = |field: &str| -> Result<Vec<String>, InputError> {
        fields
            .get(field)
            .map(|v| string_list(field, v).map_err(|m| fail(field, m)))
            .transpose()
            .map(Option::unwrap_or_default)
    };

    let node_field = if fields.contains_key("node") {
        "node"
    } else {
        "host"
    };
    let node = match string(node_field)? {
        Some(n) => n,
        None => match ctx.default_node {
            Some(n) => n.to_string(),
            None => {
                return Err(ctx.error(
                    line,
                    "expected \"node\" (string): the line names no node, and standard input \
                     has no file name to take one from (use --node NAME)",
                ))
            }
        },
    };
    let kind = match string("kind")? {
        Some(k) => Some(parse_kind(&k).map_err(|m| fail("kind", m))?),
        None => None,
    };
    let time = match fields.get("time") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(parse_time_str(s).map_err(|m| fail("time", m))?),
        Some(Value::Number(n)) => Some(parse_time_number(n).map_err(|m| fail("time", m))?),
        Some(other) => {
            return Err(fail(
                "time",
                format!(
                    "expected \"time\" (RFC 3339 string or seconds since the epoch), found {}",
                    type_name(other)
                ),
            ))
        }
    };
    let raw = RawEvent {
        node,
        kind,
        msg: string("msg")?,
        more_roles: Vec::new(),
        to: list("to")?,
        time,
        label: string("label")?,
        id: string("id")?,
        reads: list("reads")?,
        writes: list("writes")?,
        line,
        fields: Map::new(),
        fields_text: None,
    };
    check_event(&raw).map_err(|m| fail("kind", m))?;
    let mut fields = fields;
    for computed in COMPUTED {
        fields.shift_remove(computed);
    }
    Ok(RawEvent { fields, ..raw })
}

/// Reads an object's members: the known fields as values, the rest kept as compact text.
fn event_from_members(
    members: &[(Cow<'_, str>, &RawValue)],
    text: &str,
    line: u32,
    ctx: &FileContext<'_>,
    keep_fields: bool,
) -> Result<RawEvent, InputError> {
    let mut raw = match typed_fields(members, line, ctx) {
        Some(raw) => raw,
        // Something unusual (a wrong type, an escape, a missing node): the general path
        // reads it the slow way, or says exactly what is wrong.
        None => {
            let mut known = Map::new();
            for (key, value) in members {
                if KNOWN.contains(&key.as_ref()) {
                    let parsed: Value = serde_json::from_str(value.get())
                        .map_err(|e| ctx.error(line, format!("expected a JSON value: {e}")))?;
                    known.insert(key.to_string(), parsed);
                }
            }
            event_from_object(known, text, line, ctx)?
        }
    };
    if !keep_fields {
        raw.fields = Map::new();
        return Ok(raw);
    }
    // One byte more for the mask that Fields puts in front.
    let mut compact = String::with_capacity(text.len() + 1);
    compact.push('{');
    for (key, value) in members {
        if COMPUTED.contains(&key.as_ref()) {
            continue;
        }
        if compact.len() > 1 {
            compact.push(',');
        }
        match key {
            // A borrowed key had no escapes, so it needs none.
            Cow::Borrowed(k) => {
                compact.push('"');
                compact.push_str(k);
                compact.push('"');
            }
            Cow::Owned(k) => compact.push_str(&Value::String(k.clone()).to_string()),
        }
        compact.push(':');
        let value = value.get();
        let nested = value.starts_with(['[', '{']);
        if nested
            && value
                .bytes()
                .any(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            // Nested values are written compactly like everything else.
            let parsed: Value = serde_json::from_str(value)
                .map_err(|e| ctx.error(line, format!("expected a JSON value: {e}")))?;
            compact.push_str(&parsed.to_string());
        } else {
            compact.push_str(value);
        }
    }
    compact.push('}');
    raw.fields = Map::new();
    raw.fields_text = Some(Fields::from_object_text(
        compact,
        members.iter().map(|(k, _)| k.as_ref()),
    ));
    Ok(raw)
}

/// The known fields read straight from their text, for the common well-formed line; `None`
/// for anything else.
fn typed_fields(
    members: &[(Cow<'_, str>, &RawValue)],
    line: u32,
    ctx: &FileContext<'_>,
) -> Option<RawEvent> {
    fn text(v: &RawValue) -> Option<String> {
        // A raw value is valid JSON already, so a string without a backslash has no escapes
        // to undo: its text is what lies between the quotes.
        let s = v.get();
        if let Some(inner) = s.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
            if memchr::memchr(b'\\', inner.as_bytes()).is_none() {
                return Some(inner.to_string());
            }
        }
        serde_json::from_str::<&str>(s).ok().map(str::to_string)
    }
    fn text_or_number(v: &RawValue) -> Option<String> {
        let s = v.get();
        if s.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
            Some(s.to_string())
        } else {
            text(v)
        }
    }
    fn list(v: &RawValue) -> Option<Vec<String>> {
        match v.get().as_bytes().first()? {
            b'"' => text(v).map(|s| vec![s]),
            b'[' => serde_json::from_str::<Vec<Cow<'_, str>>>(v.get())
                .ok()
                .map(|items| items.into_iter().map(Cow::into_owned).collect()),
            _ => None,
        }
    }
    let mut raw = RawEvent {
        line,
        ..RawEvent::default()
    };
    let (mut node, mut host) = (None, None);
    for (key, value) in members {
        match key.as_ref() {
            "node" => node = Some(text(value)?),
            "host" => host = Some(text(value)?),
            "kind" => raw.kind = Some(parse_kind(&text(value)?).ok()?),
            "msg" => raw.msg = Some(text_or_number(value)?),
            "id" => raw.id = Some(text_or_number(value)?),
            "label" => raw.label = Some(text(value)?),
            "to" => raw.to = list(value)?,
            "reads" => raw.reads = list(value)?,
            "writes" => raw.writes = list(value)?,
            "time" => {
                let t = value.get();
                raw.time = Some(if t.starts_with('"') {
                    parse_time_str(&text(value)?).ok()?
                } else {
                    parse_epoch_decimal(t)?
                });
            }
            _ => {}
        }
    }
    raw.node = node
        .or(host)
        .or_else(|| ctx.default_node.map(str::to_string))?;
    check_event(&raw).ok()?;
    Some(raw)
}

/// The 1-based column (in characters) of `"field"` as a key in the line, when found.
fn key_column(text: &str, field: &str) -> Option<u32> {
    let needle = format!("\"{field}\"");
    let mut from = 0;
    while let Some(pos) = text[from..].find(&needle) {
        let at = from + pos;
        let rest = text[at + needle.len()..].trim_start();
        if rest.starts_with(':') {
            return Some(position(text[..at].chars().count()));
        }
        from = at + needle.len();
    }
    None
}

fn first_column(text: &str) -> u32 {
    position(text.chars().take_while(|c| c.is_whitespace()).count())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EventKind, Timestamp};

    fn ctx(default_node: Option<&str>) -> FileContext<'_> {
        FileContext {
            name: "a.jsonl",
            index: 0,
            default_node,
        }
    }

    fn err(text: &str) -> String {
        parse_line(text, 3, &ctx(None)).unwrap_err().to_string()
    }

    #[test]
    fn every_field_is_read() {
        let raw = parse_line(
            r#"{"host":"db","kind":"receive","msg":7,"to":["x"],"time":1.5,"label":"l","id":"e1","reads":"k","writes":["k","j"],"extra":{"a":1}}"#,
            1,
            &ctx(None),
        )
        .unwrap();
        assert_eq!(raw.node, "db");
        assert_eq!(raw.kind, Some(EventKind::Recv));
        assert_eq!(raw.msg.as_deref(), Some("7"));
        assert_eq!(raw.to, vec!["x"]);
        assert_eq!(raw.time, Some(Timestamp(1_500_000_000)));
        assert_eq!(raw.id.as_deref(), Some("e1"));
        assert_eq!(raw.reads, vec!["k"]);
        assert_eq!(raw.writes, vec!["k", "j"]);
        assert_eq!(raw.fields_text.unwrap().get("extra").unwrap()["a"], 1);
    }

    #[test]
    fn missing_node_falls_back_to_the_file_stem() {
        let raw = parse_line(r#"{"label":"x"}"#, 1, &ctx(Some("db-2"))).unwrap();
        assert_eq!(raw.node, "db-2");
    }

    #[test]
    fn errors_name_line_column_and_expectation() {
        assert_eq!(
            err(r#"{"node": 5}"#),
            "a.jsonl:3:2: expected \"node\" (string), found number"
        );
        assert_eq!(
            err(r#"{"node":"a","kind":"send"}"#),
            "a.jsonl:3:13: expected \"msg\" (string) on a send: a message id to match sends with receives"
        );
        assert!(err(r#"{"node":"a""#).starts_with("a.jsonl:3:11: expected a JSON object: EOF"));
        assert_eq!(
            err("[1]"),
            "a.jsonl:3:1: expected a JSON object, found array"
        );
        assert!(err(r#"{"label":"x"}"#).contains("use --node NAME"));
        assert!(err(r#"{"node":"a","time":"noon"}"#).starts_with("a.jsonl:3:13: expected \"time\""));
    }
}
