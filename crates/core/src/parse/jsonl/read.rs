//! Reads the known members of one line into a [`RawEvent`]: one path for every line, borrowing
//! from the line's text, with a precise error (field, column, what was expected and found)
//! when a member is not what the format says. Unknown members are not looked at here.

use std::borrow::Cow;

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::{is_number, key_column, Mode, VcMembers};
use crate::error::InputError;
use crate::model::{EventFlags, EventKind, GivenStamp, RawEvent, RawSpan, Role, SpanPhase};
use crate::parse::fields::{
    parse_epoch_decimal, parse_kind, parse_time_str, string_list, type_name,
};
use crate::parse::{check_event, FileContext};

/// The members `causal` reads, each as its JSON text when the line has it.
#[derive(Default)]
struct Known<'a> {
    node: Option<&'a RawValue>,
    host: Option<&'a RawValue>,
    kind: Option<&'a RawValue>,
    msg: Option<&'a RawValue>,
    to: Option<&'a RawValue>,
    time: Option<&'a RawValue>,
    label: Option<&'a RawValue>,
    id: Option<&'a RawValue>,
    reads: Option<&'a RawValue>,
    writes: Option<&'a RawValue>,
    sync: Option<&'a RawValue>,
    outside: Option<&'a RawValue>,
    lamport: Option<&'a RawValue>,
    vc: Option<&'a RawValue>,
    vc_delta: Option<&'a RawValue>,
    more_roles: Option<&'a RawValue>,
    trace_id: Option<&'a RawValue>,
    span_id: Option<&'a RawValue>,
    span_kind: Option<&'a RawValue>,
    phase: Option<&'a RawValue>,
    parent_id: Option<&'a RawValue>,
}

impl<'a> Known<'a> {
    /// Sorts a line's members into their slots (`null` counts as absent).
    fn of(members: &[(Cow<'_, str>, &'a RawValue)]) -> Self {
        let mut known = Known::default();
        for (key, value) in members {
            if value.get() == "null" {
                continue;
            }
            let slot = match key.as_ref() {
                "node" => &mut known.node,
                "host" => &mut known.host,
                "kind" => &mut known.kind,
                "msg" => &mut known.msg,
                "to" => &mut known.to,
                "time" => &mut known.time,
                "label" => &mut known.label,
                "id" => &mut known.id,
                "reads" => &mut known.reads,
                "writes" => &mut known.writes,
                "sync" => &mut known.sync,
                "outside" => &mut known.outside,
                "lamport" => &mut known.lamport,
                "vc" => &mut known.vc,
                "vc_delta" => &mut known.vc_delta,
                "more_roles" => &mut known.more_roles,
                "trace_id" => &mut known.trace_id,
                "span_id" => &mut known.span_id,
                "span_kind" => &mut known.span_kind,
                "phase" => &mut known.phase,
                "parent_id" => &mut known.parent_id,
                _ => continue,
            };
            *slot = Some(value);
        }
        known
    }
}

/// The JSON type of a value's text, as error messages name it.
fn type_of(v: &RawValue) -> &'static str {
    match v.get().as_bytes().first() {
        Some(b'"') => "string",
        Some(b'[') => "array",
        Some(b'{') => "object",
        Some(b't' | b'f') => "boolean",
        Some(b'n') => "null",
        _ => "number",
    }
}

/// A string value's text: borrowed when it holds no escape, else unescaped.
fn text_of(v: &RawValue) -> Option<Cow<'_, str>> {
    let s = v.get();
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    // A raw value is valid JSON already, so a string without a backslash has no escapes to
    // undo: its text is what lies between the quotes.
    if memchr::memchr(b'\\', inner.as_bytes()).is_none() {
        return Some(Cow::Borrowed(inner));
    }
    serde_json::from_str::<String>(s).ok().map(Cow::Owned)
}

/// A value parsed, for the rare shapes and for error messages.
fn value_of(v: &RawValue) -> Value {
    serde_json::from_str(v.get()).unwrap_or(Value::Null)
}

/// A value as an error message shows it: strings and numbers as written, else its type.
pub(super) fn short_value(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => type_name(other).to_string(),
    }
}

/// Reads one line's known members; `text` is the line, for error columns.
#[expect(
    clippy::too_many_lines,
    reason = "every known field in the order errors are reported, each with its own message"
)]
pub(super) fn read_event(
    members: &[(Cow<'_, str>, &RawValue)],
    text: &str,
    line: u32,
    ctx: &FileContext<'_>,
    mode: Mode,
) -> Result<RawEvent, InputError> {
    let known = Known::of(members);
    let fail =
        |field: &str, message: String| ctx.error(line, message).at_column(key_column(text, field));
    // A string; message ids and event ids are often numbers in real logs, read as their JSON
    // text as written (`1e3` stays `1e3`).
    let string = |field: &str, v: Option<&RawValue>| -> Result<Option<String>, InputError> {
        let Some(v) = v else { return Ok(None) };
        if let Some(t) = text_of(v) {
            return Ok(Some(t.into_owned()));
        }
        if matches!(field, "msg" | "id") && is_number(v.get()) {
            return Ok(Some(v.get().to_string()));
        }
        Err(fail(
            field,
            format!("expected {field:?} (string), found {}", type_of(v)),
        ))
    };
    let list = |field: &str, v: Option<&RawValue>| -> Result<Vec<String>, InputError> {
        let Some(v) = v else { return Ok(Vec::new()) };
        if let Some(t) = text_of(v) {
            return Ok(vec![t.into_owned()]);
        }
        if let Ok(items) = serde_json::from_str::<Vec<Cow<'_, str>>>(v.get()) {
            return Ok(items.into_iter().map(Cow::into_owned).collect());
        }
        string_list(field, &value_of(v)).map_err(|m| fail(field, m))
    };

    let (node_field, node_value) = match (known.node, known.host) {
        (Some(v), _) => ("node", Some(v)),
        (None, v) => ("host", v),
    };
    let node = match string(node_field, node_value)? {
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
    let kind = match string("kind", known.kind)? {
        Some(k) => Some(parse_kind(&k).map_err(|m| fail("kind", m))?),
        None => None,
    };
    let time = match known.time {
        None => None,
        Some(v) => Some(match text_of(v) {
            Some(t) => parse_time_str(&t).map_err(|m| fail("time", m))?,
            None if is_number(v.get()) => parse_epoch_decimal(v.get()).ok_or_else(|| {
                fail(
                    "time",
                    format!(
                        "expected \"time\" in seconds since the epoch within years 1677 to \
                         2262, found {}",
                        v.get()
                    ),
                )
            })?,
            None => {
                return Err(fail(
                    "time",
                    format!(
                        "expected \"time\" (RFC 3339 string or seconds since the epoch), found {}",
                        type_of(v)
                    ),
                ))
            }
        }),
    };
    let id = string("id", known.id)?;
    if id.as_deref() == Some("") {
        return Err(fail(
            "id",
            "expected \"id\" to name the event, found \"\"".to_string(),
        ));
    }
    let mut flags = EventFlags::NONE;
    match known.sync.map(RawValue::get) {
        None | Some("false") => {}
        Some("true") => flags = flags.with(EventFlags::SYNC),
        Some(_) => {
            return Err(fail(
                "sync",
                format!(
                    "expected \"sync\" (true or false), found {}",
                    type_of(known.sync.expect("present"))
                ),
            ))
        }
    }
    if let Some(v) = known.outside {
        match text_of(v).as_deref().and_then(EventFlags::from_outside) {
            Some(mark) => flags = flags.with(mark),
            None => {
                return Err(fail(
                    "outside",
                    format!(
                        "expected \"outside\" to be \"send\", \"recv\" or \"both\", found {}",
                        short_value(&value_of(v))
                    ),
                ))
            }
        }
    }
    let given = match mode {
        Mode::Native => None,
        Mode::Stamped => Some(Box::new(given_stamp(
            &known,
            &node,
            id.is_some(),
            ctx,
            line,
            &fail,
        )?)),
    };
    let more_roles = match known.more_roles {
        None => Vec::new(),
        Some(v) => roles_of(&value_of(v)).ok_or_else(|| {
            fail(
                "more_roles",
                "expected \"more_roles\" (an array of {\"kind\": \"send\" or \"recv\", \"msg\": \
                 string})"
                    .to_string(),
            )
        })?,
    };
    let span = span_of(
        known.phase.and_then(text_of).as_deref(),
        known.span_id.and_then(text_of).as_deref(),
        known.trace_id.and_then(text_of).as_deref(),
        known.span_kind.and_then(text_of).as_deref(),
        known.parent_id.and_then(text_of).as_deref(),
    );
    let raw = RawEvent {
        node,
        kind,
        msg: string("msg", known.msg)?,
        more_roles,
        to: list("to", known.to)?,
        time,
        label: string("label", known.label)?,
        id,
        reads: list("reads", known.reads)?,
        writes: list("writes", known.writes)?,
        line,
        fields: Map::new(),
        fields_text: None,
        flags,
        given,
        span,
    };
    check_event(&raw).map_err(|m| fail("kind", m))?;
    Ok(raw)
}

/// The clocks of a stamped line: `lamport` and `vc`, required, the vector clock counting the
/// event on its own node.
fn given_stamp(
    known: &Known<'_>,
    node: &str,
    has_id: bool,
    ctx: &FileContext<'_>,
    line: u32,
    fail: &dyn Fn(&str, String) -> InputError,
) -> Result<GivenStamp, InputError> {
    if !has_id {
        return Err(stamped_needs(ctx, line, "id"));
    }
    let Some(l) = known.lamport else {
        return Err(stamped_needs(ctx, line, "lamport"));
    };
    let lamport = l
        .get()
        .parse::<u64>()
        .ok()
        .filter(|&l| l >= 1)
        .ok_or_else(|| {
            fail(
                "lamport",
                format!(
                    "expected \"lamport\" (an integer >= 1), found {}",
                    short_value(&value_of(l))
                ),
            )
        })?;
    // `vc`, or `vc_delta` (`--vc delta`): the members changed since the node's previous line,
    // which the trace builder applies to that line's clock.
    let (field, v, delta) = match (known.vc, known.vc_delta) {
        (Some(v), None) => ("vc", v, false),
        (None, Some(v)) => ("vc_delta", v, true),
        (Some(_), Some(_)) => {
            return Err(fail(
                "vc_delta",
                "expected \"vc\" or \"vc_delta\", not both".to_string(),
            ))
        }
        (None, None) => return Err(stamped_needs(ctx, line, "vc")),
    };
    let vc: Vec<(String, u32)> = match serde_json::from_str::<VcMembers<'_>>(v.get()) {
        Ok(members) => members
            .0
            .into_iter()
            .filter(|&(_, c)| c > 0)
            .map(|(n, c)| (n.into_owned(), c))
            .collect(),
        Err(_) => match value_of(v) {
            Value::Object(members) => {
                let bad = members
                    .iter()
                    .find(|(_, c)| c.as_u64().and_then(|c| u32::try_from(c).ok()).is_none())
                    .map_or_else(String::new, |(name, c)| {
                        format!("found {} for {name:?}", short_value(c))
                    });
                return Err(fail(
                    field,
                    format!(
                        "expected {field:?} to map each node to a count (an integer below \
                         2^32), {bad}"
                    ),
                ));
            }
            _ => {
                return Err(fail(
                    field,
                    format!(
                        "expected {field:?} (an object: node -> count), found {}",
                        type_of(v)
                    ),
                ))
            }
        },
    };
    if !vc.iter().any(|(n, _)| n == node) {
        return Err(fail(
            field,
            format!(
                "expected {field:?} to count the event on its own node {node:?}, but it has \
                 no member {node:?}"
            ),
        ));
    }
    Ok(GivenStamp { lamport, vc, delta })
}

/// The span an event belongs to, when its fields say (`phase` start, event or end, and a
/// `span_id`), as `causal stamp` writes the events of distributed traces.
fn span_of(
    phase: Option<&str>,
    span_id: Option<&str>,
    trace_id: Option<&str>,
    kind: Option<&str>,
    parent_id: Option<&str>,
) -> Option<Box<RawSpan>> {
    let phase = SpanPhase::from_name(phase?)?;
    let span_id = span_id.filter(|s| !s.is_empty())?;
    Some(Box::new(RawSpan {
        trace_id: trace_id.unwrap_or_default().to_string(),
        span_id: span_id.to_string(),
        kind: kind.map(str::to_string),
        phase,
        parent_id: parent_id.filter(|p| !p.is_empty()).map(str::to_string),
    }))
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
