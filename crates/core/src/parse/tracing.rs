//! DistributedClocks/tracing JSON Lines: one record per line with `TracerIdentity` (the
//! node), `TraceID`, `Tag` (what happened), `Body` and `VectorClock`.
//!
//! Records carry clocks but no message ids: the clocks go to [`VectorClockLog`], which
//! infers the messages once every file is read. Every field of a record is kept as an
//! event field; the label is the tag.

use serde_json::Value;

use super::fields::type_name;
use super::vclog::{clock_from_map, VectorClockLog};
use super::FileContext;
use crate::error::Result;
use crate::input::Input;
use crate::model::{RawEvent, TraceBuilder};

/// Whether `line` looks like a tracing record (for recognising the format).
pub fn is_record(line: &str) -> bool {
    line.trim_start().starts_with('{')
        && line.contains("\"TracerIdentity\"")
        && line.contains("\"VectorClock\"")
}

/// Parses every line of `input` as one record; blank lines are skipped.
pub fn parse(
    input: &mut Input,
    ctx: &FileContext<'_>,
    builder: &mut TraceBuilder,
    log: &mut VectorClockLog,
) -> Result<()> {
    let mut read = Vec::new();
    input.for_each_line(|line, text| {
        if text.trim().is_empty() {
            return Ok(());
        }
        let fields = super::jsonl::parse_object(text, line, ctx)?;
        if !fields.contains_key("TracerIdentity") && !fields.contains_key("VectorClock") {
            // Another format read as this one would give every event the file's node and no
            // clock: say so instead of reading garbage.
            return Err(ctx
                .error(
                    line,
                    "expected a DistributedClocks/tracing record with \"TracerIdentity\" and \
                     \"VectorClock\", found neither: if this is another format, name it with \
                     --from FORMAT",
                )
                .into());
        }
        let node = match fields.get("TracerIdentity") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            None | Some(Value::Null) if ctx.default_node.is_some() => {
                ctx.default_node.unwrap_or_default().to_string()
            }
            Some(other) => {
                return Err(ctx
                    .error(
                        line,
                        format!(
                            "expected \"TracerIdentity\" (non-empty string), found {}",
                            match other {
                                Value::String(_) => "an empty string",
                                v => type_name(v),
                            }
                        ),
                    )
                    .into())
            }
            None => {
                return Err(ctx
                    .error(
                        line,
                        "expected \"TracerIdentity\" (string): the record names no node, and \
                         standard input has no file name to take one from (use --node NAME)",
                    )
                    .into())
            }
        };
        let label = match fields.get("Tag") {
            Some(Value::String(s)) => Some(s.clone()),
            None | Some(Value::Null) => None,
            Some(other) => Some(other.to_string()),
        };
        let clock = match fields.get("VectorClock") {
            Some(Value::Object(map)) => clock_from_map(map)
                .map_err(|why| format!("expected \"VectorClock\" of host counts: {why}")),
            None => Err("expected \"VectorClock\" (object of host counts), found none".into()),
            Some(other) => Err(format!(
                "expected \"VectorClock\" (object of host counts), found {}",
                type_name(other)
            )),
        };
        let raw = RawEvent {
            node,
            label,
            line,
            fields,
            ..RawEvent::default()
        };
        read.push(log.read(raw, clock));
        Ok(())
    })?;
    log.push_part(builder, ctx.index, None, read);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_recognised_by_their_keys() {
        assert!(is_record(
            r#"{"TracerIdentity":"client","TraceID":1,"Tag":"x","Body":{},"VectorClock":{"client":1}}"#
        ));
        assert!(!is_record(r#"{"node":"a","kind":"local"}"#));
    }
}
