//! The native format: one JSON object per line (see docs/format.md).
//!
//! A line is read once, borrowing from the line: only the fields `causal` interprets are
//! parsed into values; the others are kept as their JSON text (see [`crate::model::Fields`]).

use std::borrow::Cow;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::fields::type_name;
use super::FileContext;
use crate::error::{InputError, Result};
use crate::input::{for_each_line_of, line_number, position, saturate, Input};
use crate::model::{Fields, RawEvent, TraceBuilder};

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

/// Fields the writers compute (or write from what they read), dropped from what is passed
/// through: `lamport` and `vc` are computed (or, on stamped input, given and written again),
/// `outside` is written from the event's marks.
const COMPUTED: [&str; 4] = ["lamport", "vc", "vc_delta", "outside"];

/// Whether a line is stamped input: it has the `id`, `node`, `lamport` and `vc` (or
/// `vc_delta`) that `causal stamp` writes. A line cut short by the end of a peek is judged by
/// its keys' text.
pub fn is_stamped(line: &str) -> bool {
    match serde_json::from_str::<RawObject<'_>>(line) {
        Ok(Members(members)) => {
            let has = |k: &str| members.iter().any(|(key, _)| key == k);
            ["id", "node", "lamport"].iter().all(|k| has(k)) && (has("vc") || has("vc_delta"))
        }
        Err(_) => {
            ["\"id\":", "\"node\":", "\"lamport\":"]
                .iter()
                .all(|k| line.contains(k))
                && (line.contains("\"vc\":{") || line.contains("\"vc_delta\":{"))
        }
    }
}

/// A JSON object's members in order, keys borrowed when they hold no escapes, values as `V`
/// (their text, for a line; counts, for a vector clock).
struct Members<'a, V>(Vec<(Cow<'a, str>, V)>);

/// A line's members, each value kept as its text.
type RawObject<'a> = Members<'a, &'a RawValue>;

/// A vector clock's members.
type VcMembers<'a> = Members<'a, u32>;

#[derive(Deserialize)]
struct Key<'a>(#[serde(borrow)] Cow<'a, str>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Members<'de, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for Visit<V> {
            type Value = Members<'de, V>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::with_capacity(8);
                while let Some(Key(k)) = map.next_key()? {
                    members.push((k, map.next_value::<V>()?));
                }
                Ok(Members(members))
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
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
    let Ok(Members(mut members)) = serde_json::from_str::<RawObject<'_>>(text) else {
        // Not an object, or malformed: the general parser says what is wrong.
        return Err(match parse_object(text, line, ctx) {
            Err(e) => e,
            Ok(_) => ctx.error(line, "expected a JSON object"),
        });
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

/// Reads an object's members: the known fields as values, the rest kept as compact text.
fn event_from_members(
    members: &[(Cow<'_, str>, &RawValue)],
    text: &str,
    line: u32,
    ctx: &FileContext<'_>,
    mode: Mode,
    keep_fields: bool,
) -> Result<RawEvent, InputError> {
    let mut raw = read::read_event(members, text, line, ctx, mode)?;
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

mod read;
#[cfg(test)]
mod tests;
