//! GoVector's default log output, also written by CVector, CppVector and JVector: for each
//! event a clock line `HOST {"HOST":N, ...}` and then a line of event text.
//!
//! Read line by line: the line after a clock line is the event text, whatever it holds;
//! further lines up to the next clock line continue it (a message that spans lines).
//! Several per-node files given together are one run: the clocks go to
//! [`VectorClockLog`], which infers the messages across all files once every file is read.
//! A `--delimiter` (or a `.delimiter` file next to the log) splits executions as in ShiViz.

use std::path::Path;

use super::shiviz::{compile, read_sibling};
use super::vclog::{clock_json_text, parse_clock, ReadEvent, VectorClockLog};
use super::{FileContext, ParseOptions};
use crate::error::{Error, InputError, Result};
use crate::input::Input;
use crate::model::ObjectWriter;
use crate::model::{RawEvent, TraceBuilder};

/// Splits a clock line `HOST {...}` into host and clock text.
pub fn split_clock_line(line: &str) -> Option<(&str, &str)> {
    if line.starts_with(char::is_whitespace) {
        return None;
    }
    let (host, rest) = line.split_once(' ')?;
    if host.contains(char::is_whitespace) {
        return None;
    }
    let clock = rest.trim();
    clock.starts_with('{').then_some((host, clock))
}

/// Whether `line` is a GoVector clock line whose clock reads and holds the host's own
/// entry (for recognising the format).
pub fn is_clock_line(line: &str) -> bool {
    let Some((host, clock)) = split_clock_line(line.trim_end()) else {
        return false;
    };
    clock.ends_with('}') && parse_clock(clock).is_ok_and(|c| c.iter().any(|(h, _)| h == host))
}

/// An event whose clock line has been read, waiting for its text.
struct Pending {
    host: String,
    clock: String,
    line: u32,
    text: Option<String>,
}

fn flush(pending: Option<Pending>, read: &mut Vec<ReadEvent>, log: &mut VectorClockLog) {
    let Some(p) = pending else { return };
    let clock = parse_clock(&p.clock);
    let text = p.text.unwrap_or_default();
    let mut fields = ObjectWriter::new();
    fields.string("host", &p.host);
    match &clock {
        Ok(c) => fields.json("clock", &clock_json_text(c)),
        Err(_) => fields.string("clock", &p.clock),
    }
    fields.string("event", &text);
    // The label is the event's text, written as `label` too so that reading it back keeps it.
    fields.string("label", &text);
    let raw = RawEvent {
        node: p.host,
        label: Some(text),
        line: p.line,
        fields_text: Some(fields.finish()),
        ..RawEvent::default()
    };
    read.push(log.read(raw, clock));
}

/// Parses one GoVector log, pushing its events through `log`.
pub fn parse(
    input: &mut Input,
    ctx: &FileContext<'_>,
    path: &Path,
    options: &ParseOptions,
    builder: &mut TraceBuilder,
    log: &mut VectorClockLog,
) -> Result<u64> {
    let delimiter = match &options.delimiter {
        Some(d) if !d.is_empty() => {
            Some(compile(d).map_err(|e| Error::Usage(format!("invalid --delimiter: {e}")))?)
        }
        Some(_) => None,
        None => match read_sibling(path, "delimiter")? {
            Some((d, file)) if !d.trim().is_empty() => Some(compile(d.trim()).map_err(|e| {
                Error::from(InputError::new(&file, 1, format!("invalid delimiter: {e}")))
            })?),
            _ => None,
        },
    };
    let mut pending: Option<Pending> = None;
    let mut read = Vec::new();
    // With a delimiter, each part of the log is an execution, named by the delimiter before it.
    let mut label: Option<String> = None;
    // Lines before the first clock line (a banner, a command line), as ShiViz passes over
    // them: counted and reported, and an error if no clock line ever follows.
    let mut preamble: Option<(u32, String)> = None;
    let mut skipped = 0u64;
    let mut clocks = 0u64;
    input.for_each_line(|line, text| {
        if let Some(p) = &mut pending {
            if p.text.is_none() {
                p.text = Some(text.to_string());
                return Ok(());
            }
        }
        if let Some(caps) = delimiter.as_ref().and_then(|d| d.captures(text)) {
            flush(pending.take(), &mut read, log);
            let part = std::mem::take(&mut read);
            log.push_part(builder, ctx.index, Some(label.as_deref()), part);
            label = Some(caps.name("trace").map_or("", |m| m.as_str()).to_string());
            return Ok(());
        }
        if let Some((host, clock)) = split_clock_line(text) {
            clocks += 1;
            flush(pending.take(), &mut read, log);
            pending = Some(Pending {
                host: host.to_string(),
                clock: clock.to_string(),
                line,
                text: None,
            });
            return Ok(());
        }
        if text.trim().is_empty() {
            return Ok(());
        }
        match pending.as_mut().and_then(|p| p.text.as_mut()) {
            Some(event) => {
                event.push('\n');
                event.push_str(text);
                Ok(())
            }
            None => {
                skipped += 1;
                preamble.get_or_insert_with(|| (line, text.chars().take(60).collect()));
                Ok(())
            }
        }
    })?;
    if let (0, Some((line, shown))) = (clocks, &preamble) {
        return Err(ctx
            .error(
                *line,
                format!(
                    "expected a GoVector clock line such as `HOST {{\"HOST\":1}}`, found {shown:?}"
                ),
            )
            .into());
    }
    flush(pending.take(), &mut read, log);
    let execution = delimiter.as_ref().map(|_| label.as_deref());
    log.push_part(builder, ctx.index, execution, read);
    Ok(skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_lines_are_recognised() {
        assert!(is_clock_line(r#"MyProcess {"MyProcess":1}"#));
        assert!(is_clock_line("myPID {myPID: 1}  "));
        assert!(!is_clock_line(r#"alice {"bob":1}"#));
        assert!(!is_clock_line(r#"{"node":"a"}"#));
        assert!(!is_clock_line(
            "2026-11-20T09:14:03.000Z web local - - \"x\""
        ));
        assert_eq!(split_clock_line(r#"a {"a":1"#), Some(("a", r#"{"a":1"#)));
    }
}
