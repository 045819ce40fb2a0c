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
use crate::model::{
    EventFlags, EventKind, Fields, GivenStamp, RawEvent, RawSpan, Role, SpanPhase, TraceBuilder,
};

/// Bytes per block; each block's lines are parsed by two threads, then added in order.
const BLOCK: usize = 4 << 20;

/// How lines are read: the native format, or stamped input (`causal stamp`'s output, whose
/// ids and clocks are taken as given and required on every line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The native format: `lamport` and `vc` are ignored (they are computed).
    Native,
    /// Stamped input: `id`, `node`, `lamport` and `vc` on every line, used as given.
    Stamped,
}

/// Parses every line of `input` as one event; blank lines are skipped.
///
/// Lines are independent, so each block of lines is split in two at a line end and both
/// halves are parsed at once (two cores pay: parsing is most of reading). Events are added in
/// input order, and the first error in input order is the one reported.
pub fn parse(
    input: &mut Input,
    ctx: &FileContext<'_>,
    mode: Mode,
    builder: &mut TraceBuilder,
) -> Result<()> {
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
            let tail_job = scope.spawn(|| parse_lines(tail, tail_first, ctx, mode, keep_fields));
            let head_events = parse_lines(head, first_line, ctx, mode, keep_fields);
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
    mode: Mode,
    keep_fields: bool,
) -> Result<Vec<RawEvent>> {
    let mut events = Vec::with_capacity(bytes.len() / 96);
    for_each_line_of(ctx.name, bytes, first_line, |line, text| {
        if !text.trim().is_empty() {
            events.push(parse_line_keeping(text, line, ctx, mode, keep_fields)?);
        }
        Ok(())
    })?;
    Ok(events)
}

/// Fields `causal` reads; every other field is passed through as text.
const KNOWN: [&str; 19] = [
    "node",
    "host",
    "kind",
    "msg",
    "to",
    "time",
    "label",
    "id",
    "reads",
    "writes",
    "sync",
    "outside",
    "lamport",
    "vc",
    "more_roles",
    "trace_id",
    "span_id",
    "span_kind",
    "phase",
];

/// Fields the writers compute (or write from what they read), dropped from what is passed
/// through: `lamport` and `vc` are computed (or, on stamped input, given and written again),
/// `outside` is written from the event's marks.
const COMPUTED: [&str; 3] = ["lamport", "vc", "outside"];

/// Whether a line is stamped input: it has the `id`, `node`, `lamport` and `vc` that `causal
/// stamp` writes. A line cut short by the end of a peek is judged by its keys' text.
pub fn is_stamped(line: &str) -> bool {
    match serde_json::from_str::<RawObject<'_>>(line) {
        Ok(RawObject(members)) => ["id", "node", "lamport", "vc"]
            .iter()
            .all(|k| members.iter().any(|(key, _)| key == k)),
        Err(_) => ["\"id\":", "\"node\":", "\"lamport\":", "\"vc\":{"]
            .iter()
            .all(|k| line.contains(k)),
    }
}

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
    parse_line_keeping(text, line, ctx, Mode::Native, true)
}

/// Parses one line of stamped input.
pub fn parse_stamped_line(
    text: &str,
    line: u32,
    ctx: &FileContext<'_>,
) -> Result<RawEvent, InputError> {
    parse_line_keeping(text, line, ctx, Mode::Stamped, true)
}

/// [`parse_line`], leaving the pass-through fields out unless `keep_fields` (the builder
/// would drop them: see [`TraceBuilder::keeps_fields`]).
fn parse_line_keeping(
    text: &str,
    line: u32,
    ctx: &FileContext<'_>,
    mode: Mode,
    keep_fields: bool,
) -> Result<RawEvent, InputError> {
    let Ok(RawObject(mut members)) = serde_json::from_str::<RawObject<'_>>(text) else {
        // Not an object, or malformed: the general parser says what is wrong.
        let fields = parse_object(text, line, ctx)?;
        let members: Vec<(Cow<'_, str>, Box<RawValue>)> = fields
            .into_iter()
            .map(|(k, v)| {
                (
                    Cow::Owned(k),
                    RawValue::from_string(v.to_string()).expect("valid"),
                )
            })
            .collect();
        let borrowed: Vec<(Cow<'_, str>, &RawValue)> =
            members.iter().map(|(k, v)| (k.clone(), &**v)).collect();
        return event_from_members(&borrowed, text, line, ctx, mode, keep_fields);
    };
    // A repeated key keeps its first place and its last value, as serde_json's maps do.
    let unique = members
        .iter()
        .enumerate()
        .all(|(i, (k, _))| members[..i].iter().all(|(other, _)| other != k));
    if !unique {
        let mut deduped: Vec<(Cow<'_, str>, &RawValue)> = Vec::with_capacity(members.len());
        for (k, v) in members {
            match deduped.iter_mut().find(|(other, _)| *other == k) {
                Some(slot) => slot.1 = v,
                None => deduped.push((k, v)),
            }
        }
        members = deduped;
    }
    event_from_members(&members, text, line, ctx, mode, keep_fields)
}

/// Parses a line that must hold one JSON object; the error names line, column and what was
/// found instead. Shared by the JSON Lines formats.
pub fn parse_object(
    text: &str,
    line: u32,
    ctx: &FileContext<'_>,
) -> Result<Map<String, Value>, InputError> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        ctx.error(line, format!("expected a JSON object: {}", json_error(&e)))
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

#[expect(
    clippy::too_many_lines,
    reason = "the general path reads every known field with its own error message, in order"
)]
fn event_from_object(
    fields: Map<String, Value>,
    text: &str,
    line: u32,
    ctx: &FileContext<'_>,
    mode: Mode,
) -> Result<RawEvent, InputError> {
    let fail =
        |field: &str, message: String| ctx.error(line, message).at_column(key_column(text, field));
    let string = |field: &str| -> Result<Option<String>, InputError> {
        match fields.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            // Message ids and event ids are often numbers in real logs: callers hand such
            // numbers over as their text as written (see `event_from_members`).
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
        Some(n) if n.is_empty() => {
            return Err(fail(
                node_field,
                format!("expected {node_field:?} (string) to name a node, found \"\""),
            ))
        }
        Some(n) => n,
        None if mode == Mode::Stamped => return Err(stamped_needs(ctx, line, "node")),
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
    let id = string("id")?;
    if id.as_deref() == Some("") {
        return Err(fail(
            "id",
            "expected \"id\" to name the event, found \"\"".to_string(),
        ));
    }
    let mut flags = EventFlags::NONE;
    match fields.get("sync") {
        None | Some(Value::Null) | Some(Value::Bool(false)) => {}
        Some(Value::Bool(true)) => flags = flags.with(EventFlags::SYNC),
        Some(other) => {
            return Err(fail(
                "sync",
                format!(
                    "expected \"sync\" (true or false), found {}",
                    type_name(other)
                ),
            ))
        }
    }
    match fields.get("outside") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if EventFlags::from_outside(s).is_some() => {
            flags = flags.with(EventFlags::from_outside(s).expect("checked"));
        }
        Some(other) => {
            return Err(fail(
                "outside",
                format!(
                    "expected \"outside\" to be \"send\", \"recv\" or \"both\", found {}",
                    short_value(other)
                ),
            ))
        }
    }
    let given = match mode {
        Mode::Native => None,
        Mode::Stamped => {
            if id.is_none() {
                return Err(stamped_needs(ctx, line, "id"));
            }
            let lamport = match fields.get("lamport") {
                None | Some(Value::Null) => return Err(stamped_needs(ctx, line, "lamport")),
                Some(v) => v.as_u64().filter(|&l| l >= 1).ok_or_else(|| {
                    fail(
                        "lamport",
                        format!(
                            "expected \"lamport\" (an integer >= 1), found {}",
                            short_value(v)
                        ),
                    )
                })?,
            };
            let vc = match fields.get("vc") {
                None | Some(Value::Null) => return Err(stamped_needs(ctx, line, "vc")),
                Some(Value::Object(members)) => {
                    let mut vc = Vec::with_capacity(members.len());
                    for (name, count) in members {
                        let count = count
                            .as_u64()
                            .and_then(|c| u32::try_from(c).ok())
                            .ok_or_else(|| {
                                fail(
                                    "vc",
                                    format!(
                                        "expected \"vc\" to map each node to a count (an integer \
                                         below 2^32), found {} for {name:?}",
                                        short_value(count)
                                    ),
                                )
                            })?;
                        if count > 0 {
                            vc.push((name.clone(), count));
                        }
                    }
                    vc
                }
                Some(other) => {
                    return Err(fail(
                        "vc",
                        format!(
                            "expected \"vc\" (an object: node -> count), found {}",
                            type_name(other)
                        ),
                    ))
                }
            };
            if !vc.iter().any(|(n, _)| *n == node) {
                return Err(fail(
                    "vc",
                    format!(
                        "expected \"vc\" to count the event on its own node {node:?}, \
                         but it has no member {node:?}"
                    ),
                ));
            }
            Some(Box::new(GivenStamp { lamport, vc }))
        }
    };
    let more_roles = match fields.get("more_roles") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => roles_of(v).ok_or_else(|| {
            fail(
                "more_roles",
                "expected \"more_roles\" (an array of {\"kind\": \"send\" or \"recv\", \"msg\": \
                 string})"
                    .to_string(),
            )
        })?,
    };
    let raw = RawEvent {
        node,
        kind,
        msg: string("msg")?,
        more_roles,
        to: list("to")?,
        time,
        label: string("label")?,
        id,
        reads: list("reads")?,
        writes: list("writes")?,
        line,
        fields: Map::new(),
        fields_text: None,
        flags,
        given,
        span: span_of_fields(|k| fields.get(k).and_then(Value::as_str)),
    };
    check_event(&raw).map_err(|m| fail("kind", m))?;
    let mut fields = fields;
    for computed in COMPUTED {
        fields.shift_remove(computed);
    }
    Ok(RawEvent { fields, ..raw })
}

/// The span an event belongs to, when its fields say (`phase` start, event or end, and a
/// `span_id`), as `causal stamp` writes the events of distributed traces; `get` reads a field
/// as a string.
fn span_of_fields<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Option<RawSpan> {
    let phase = SpanPhase::from_name(get("phase")?)?;
    let span_id = get("span_id").filter(|s| !s.is_empty())?;
    Some(RawSpan {
        trace_id: get("trace_id").unwrap_or_default().to_string(),
        span_id: span_id.to_string(),
        kind: get("span_kind").map(str::to_string),
        phase,
    })
}

/// Further message roles as `more_roles` spells them: `[{"kind": "send", "msg": "m2"}, ...]`.
fn roles_of(v: &Value) -> Option<Vec<Role>> {
    v.as_array()?
        .iter()
        .map(|r| {
            let kind = parse_kind(r.get("kind")?.as_str()?).ok()?;
            let msg = match r.get("msg")? {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => return None,
            };
            (kind != EventKind::Local && !msg.is_empty()).then(|| Role {
                kind,
                msg: msg.into(),
            })
        })
        .collect()
}

/// The error for a stamped line without one of the fields `causal stamp` writes.
fn stamped_needs(ctx: &FileContext<'_>, line: u32, field: &str) -> InputError {
    ctx.error(
        line,
        format!(
            "expected {field:?} on every line of stamped input (the id, node, lamport and vc \
             that causal stamp writes); read the file with --from jsonl to compute clocks \
             instead"
        ),
    )
}

/// A value as an error message shows it: strings and numbers as written, else its type.
fn short_value(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => type_name(other).to_string(),
    }
}

/// Reads an object's members: the known fields as values, the rest kept as compact text.
fn event_from_members(
    members: &[(Cow<'_, str>, &RawValue)],
    text: &str,
    line: u32,
    ctx: &FileContext<'_>,
    mode: Mode,
    keep_fields: bool,
) -> Result<RawEvent, InputError> {
    let mut raw = match typed_fields(members, line, ctx, mode) {
        Some(raw) => raw,
        // Something unusual (a wrong type, an escape, a missing node): the general path
        // reads it the slow way, or says exactly what is wrong.
        None => {
            let mut known = Map::new();
            for (key, value) in members {
                if KNOWN.contains(&key.as_ref()) {
                    let text = value.get();
                    // A number id is its JSON text as written (`1e3` stays `1e3`), on this
                    // path as on the fast one.
                    let parsed = if matches!(key.as_ref(), "msg" | "id") && is_number(text) {
                        Value::String(text.to_string())
                    } else {
                        serde_json::from_str(text).map_err(|e| {
                            ctx.error(line, format!("expected a JSON value: {}", json_error(&e)))
                        })?
                    };
                    known.insert(key.to_string(), parsed);
                }
            }
            event_from_object(known, text, line, ctx, mode)?
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
            let parsed: Value = serde_json::from_str(value).map_err(|e| {
                ctx.error(line, format!("expected a JSON value: {}", json_error(&e)))
            })?;
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
    mode: Mode,
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
        if is_number(s) {
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
    let (mut lamport, mut vc) = (None, None);
    let mut span_fields: Vec<(&str, String)> = Vec::new();
    for (key, value) in members {
        match key.as_ref() {
            k @ ("trace_id" | "span_id" | "span_kind" | "phase") => {
                // A field of another type is not a span's: it stays a plain field.
                if let Some(t) = value.get().starts_with('"').then(|| text(value)).flatten() {
                    span_fields.push((k, t));
                }
            }
            // Rare (vector-clock logs and STD traces written back): the general path reads it.
            "more_roles" if value.get() != "null" => return None,
            "sync" => match value.get() {
                "true" => raw.flags = raw.flags.with(EventFlags::SYNC),
                "false" | "null" => {}
                _ => return None,
            },
            "outside" if value.get() != "null" => {
                raw.flags = raw.flags.with(EventFlags::from_outside(&text(value)?)?);
            }
            "lamport" if mode == Mode::Stamped => {
                lamport = Some(value.get().parse::<u64>().ok().filter(|&l| l >= 1)?);
            }
            "vc" if mode == Mode::Stamped => {
                let members: Vec<(Cow<'_, str>, u32)> =
                    serde_json::from_str::<VcMembers<'_>>(value.get()).ok()?.0;
                vc = Some(
                    members
                        .into_iter()
                        .filter(|&(_, c)| c > 0)
                        .map(|(n, c)| (n.into_owned(), c))
                        .collect::<Vec<_>>(),
                );
            }
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
    if mode == Mode::Stamped {
        // Stamped lines name their node and id themselves; anything missing is for the
        // general path to report.
        raw.node = node.or(host)?;
        let vc = vc?;
        if raw.id.is_none() || !vc.iter().any(|(n, _)| *n == raw.node) {
            return None;
        }
        raw.given = Some(Box::new(GivenStamp {
            lamport: lamport?,
            vc,
        }));
    } else {
        raw.node = node
            .or(host)
            .or_else(|| ctx.default_node.map(str::to_string))?;
    }
    if raw.node.is_empty() || raw.id.as_deref() == Some("") {
        return None;
    }
    if !span_fields.is_empty() {
        raw.span = span_of_fields(|k| {
            span_fields
                .iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| v.as_str())
        });
    }
    check_event(&raw).ok()?;
    Some(raw)
}

/// Whether a JSON value's text is a number.
fn is_number(text: &str) -> bool {
    text.starts_with(|c: char| c == '-' || c.is_ascii_digit())
}

/// A serde_json error without the " at line L column C" it appends: callers know the line
/// better (serde_json parses each line alone and says "line 1").
pub fn json_error(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    match msg.find(" at line ") {
        Some(at) => msg[..at].to_string(),
        None => msg,
    }
}

/// A vector clock's members in their order, names borrowed when they hold no escapes.
struct VcMembers<'a>(Vec<(Cow<'a, str>, u32)>);

impl<'de> Deserialize<'de> for VcMembers<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> Visitor<'de> for Members {
            type Value = VcMembers<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of counts")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::new();
                while let Some(Key(k)) = map.next_key()? {
                    members.push((k, map.next_value::<u32>()?));
                }
                Ok(VcMembers(members))
            }
        }
        d.deserialize_map(Members)
    }
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
mod tests;
