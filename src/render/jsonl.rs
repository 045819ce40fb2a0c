//! Stamped events as JSON Lines: the input's fields, then `id`, `node`, `lamport`, `vc`.
//!
//! The shape is documented in docs/format.md and stays stable.

use std::io::{self, Write};

use chrono::{DateTime, SecondsFormat};

use crate::clock::hlc::HlcClocks;
use crate::clock::Stamps;
use crate::model::{EventIdx, Trace};

/// Fields this writer computes; an input field of the same name is replaced.
const COMPUTED: [&str; 2] = ["lamport", "vc"];

/// Writes each event in `events` as one JSON object per line.
pub fn write_stamped(
    w: &mut dyn Write,
    trace: &Trace,
    stamps: &Stamps,
    events: &[EventIdx],
) -> io::Result<()> {
    for &e in events {
        write_event(w, trace, stamps, e)?;
    }
    Ok(())
}

/// Writes one stamped event and a newline.
pub fn write_event(
    w: &mut dyn Write,
    trace: &Trace,
    stamps: &Stamps,
    e: EventIdx,
) -> io::Result<()> {
    write_event_hlc(w, trace, stamps, None, e)
}

/// Writes each event in `events` with an `hlc` field after `vc` (see [`write_event_hlc`]).
pub fn write_stamped_hlc(
    w: &mut dyn Write,
    trace: &Trace,
    stamps: &Stamps,
    hlc: &HlcClocks,
    events: &[EventIdx],
) -> io::Result<()> {
    for &e in events {
        write_event_hlc(w, trace, stamps, Some(hlc), e)?;
    }
    Ok(())
}

/// Writes one stamped event and a newline; with `hlc`, adds its hybrid logical clock as
/// `"hlc":{"l":"<RFC 3339 UTC, 9 fraction digits>","c":N}`, or `"hlc":null` when no time is
/// known in its causal past. An input field `hlc` is then replaced.
pub fn write_event_hlc(
    w: &mut dyn Write,
    trace: &Trace,
    stamps: &Stamps,
    hlc: Option<&HlcClocks>,
    e: EventIdx,
) -> io::Result<()> {
    let ev = trace.event(e);
    w.write_all(b"{")?;
    let mut first = true;
    let mut key = |w: &mut dyn Write, name: &str| -> io::Result<()> {
        if !std::mem::take(&mut first) {
            w.write_all(b",")?;
        }
        serde_json::to_writer(&mut *w, name)?;
        w.write_all(b":")
    };
    for (name, value) in &ev.fields {
        if COMPUTED.contains(&name.as_str()) || (hlc.is_some() && name == "hlc") {
            continue;
        }
        key(w, name)?;
        serde_json::to_writer(&mut *w, value)?;
    }
    if !ev.fields.contains_key("id") {
        key(w, "id")?;
        serde_json::to_writer(&mut *w, &trace.event_id(e).to_string())?;
    }
    if !ev.fields.contains_key("node") {
        key(w, "node")?;
        serde_json::to_writer(&mut *w, trace.node_name(ev.node))?;
    }
    key(w, "lamport")?;
    write!(w, "{}", stamps.lamport[e.index()])?;
    key(w, "vc")?;
    write_vc(w, trace, stamps.vector.row(e))?;
    if let Some(clocks) = hlc {
        key(w, "hlc")?;
        match clocks[e.index()] {
            Some(h) => write!(
                w,
                "{{\"l\":\"{}\",\"c\":{}}}",
                DateTime::from_timestamp_nanos(h.l.0).to_rfc3339_opts(SecondsFormat::Nanos, true),
                h.c
            )?,
            None => w.write_all(b"null")?,
        }
    }
    w.write_all(b"}\n")
}

/// A vector clock as a JSON object from node name to count, zero components omitted,
/// nodes in name order.
pub fn write_vc(w: &mut dyn Write, trace: &Trace, row: &[u32]) -> io::Result<()> {
    w.write_all(b"{")?;
    let mut first = true;
    for (n, &count) in row.iter().enumerate() {
        if count == 0 {
            continue;
        }
        if !std::mem::take(&mut first) {
            w.write_all(b",")?;
        }
        serde_json::to_writer(&mut *w, &trace.nodes[n])?;
        write!(w, ":{count}")?;
    }
    w.write_all(b"}")
}
