//! Stamped events as JSON Lines: the input's fields, then `id`, `node`, `lamport`, `vc`
//! (and `hlc` when asked).
//!
//! The shape is documented in docs/format.md and stays stable. This is the hot path of
//! `stamp`: node names are escaped once, numbers are written with `itoa`, and the input's
//! fields are copied from their stored text.

use std::io::{self, Write};

use chrono::{DateTime, SecondsFormat};

use crate::clock::hlc::Hlc;
use crate::model::{EventIdx, Fields, Trace};
use crate::stream::Stamped;

/// Writes stamped events of one trace, with each node's JSON spelled out once.
pub struct JsonlWriter<'t> {
    trace: &'t Trace,
    /// `"name":` per node, for vector clocks.
    vc_keys: Vec<String>,
    /// The node name JSON-escaped, without quotes, for ids and `node`.
    names: Vec<String>,
    itoa: itoa::Buffer,
    /// The line being written, reused from event to event.
    line: Vec<u8>,
}

impl<'t> JsonlWriter<'t> {
    /// A writer for events of `trace`.
    pub fn new(trace: &'t Trace) -> Self {
        let quoted: Vec<String> = trace
            .nodes
            .iter()
            .map(|n| serde_json::Value::String(n.clone()).to_string())
            .collect();
        JsonlWriter {
            trace,
            vc_keys: quoted.iter().map(|q| format!("{q}:")).collect(),
            names: quoted
                .iter()
                .map(|q| q[1..q.len() - 1].to_string())
                .collect(),
            itoa: itoa::Buffer::new(),
            line: Vec::with_capacity(512),
        }
    }

    /// Writes event `e` with its Lamport clock and vector clock `vc` (indexed by node) and a
    /// newline. `hlc` is `None` without `--hlc`, else the event's hybrid logical clock, or
    /// `Some(None)` when no time is known in its causal past (written as `null`).
    pub fn write(
        &mut self,
        w: &mut dyn Write,
        e: EventIdx,
        lamport: u64,
        vc: &[u32],
        hlc: Option<Option<Hlc>>,
    ) -> io::Result<()> {
        // One line is built in memory and written at once: many small writes through
        // `dyn Write` cost more than the copy.
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        let result = self.write_line(&mut line, e, lamport, vc, hlc);
        let written = result.and_then(|()| w.write_all(&line));
        self.line = line;
        written
    }

    fn write_line(
        &mut self,
        w: &mut Vec<u8>,
        e: EventIdx,
        lamport: u64,
        vc: &[u32],
        hlc: Option<Option<Hlc>>,
    ) -> io::Result<()> {
        let ev = self.trace.event(e);
        let fields = &ev.fields;
        write_fields_open(w, fields, hlc.is_some())?;
        if !fields.has("id") {
            w.write_all(b"\"id\":")?;
            match ev.user_id() {
                Some(id) => serde_json::to_writer(&mut *w, id)?,
                None => {
                    w.write_all(b"\"")?;
                    w.write_all(self.names[ev.node.index()].as_bytes())?;
                    w.write_all(b"#")?;
                    w.write_all(self.itoa.format(ev.seq).as_bytes())?;
                    w.write_all(b"\"")?;
                }
            }
            w.write_all(b",")?;
        }
        if !fields.has("node") {
            w.write_all(b"\"node\":\"")?;
            w.write_all(self.names[ev.node.index()].as_bytes())?;
            w.write_all(b"\",")?;
        }
        w.write_all(b"\"lamport\":")?;
        w.write_all(self.itoa.format(lamport).as_bytes())?;
        w.write_all(b",\"vc\":{")?;
        let mut first = true;
        for (n, &count) in vc.iter().enumerate() {
            if count == 0 {
                continue;
            }
            if !std::mem::take(&mut first) {
                w.write_all(b",")?;
            }
            w.write_all(self.vc_keys[n].as_bytes())?;
            w.write_all(self.itoa.format(count).as_bytes())?;
        }
        w.write_all(b"}")?;
        if let Some(h) = hlc {
            w.write_all(b",\"hlc\":")?;
            match h {
                Some(h) => write!(
                    w,
                    "{{\"l\":\"{}\",\"c\":{}}}",
                    DateTime::from_timestamp_nanos(h.l.0)
                        .to_rfc3339_opts(SecondsFormat::Nanos, true),
                    h.c
                )?,
                None => w.write_all(b"null")?,
            }
        }
        w.write_all(b"}\n")
    }
}

/// Writes `{` and the event's own fields, each followed by a comma, leaving the object open
/// for the computed fields. Input fields named `lamport` or `vc` (and `hlc` when
/// `replacing_hlc`) are left out: the computed ones replace them.
fn write_fields_open(w: &mut dyn Write, fields: &Fields, replacing_hlc: bool) -> io::Result<()> {
    let replaced =
        fields.has("lamport") || fields.has("vc") || (replacing_hlc && fields.has("hlc"));
    if replaced {
        // Rare: the input carries a field we compute. Drop it on the slow path.
        let mut map = fields.to_map();
        map.shift_remove("lamport");
        map.shift_remove("vc");
        if replacing_hlc {
            map.shift_remove("hlc");
        }
        let text = serde_json::to_string(&map)?;
        w.write_all(&text.as_bytes()[..text.len() - 1])?;
        if !map.is_empty() {
            w.write_all(b",")?;
        }
    } else {
        let json = fields.as_json();
        w.write_all(&json.as_bytes()[..json.len() - 1])?;
        if !fields.is_empty() {
            w.write_all(b",")?;
        }
    }
    Ok(())
}

/// Writes one event stamped online (`stamp --order input`), in the same shape as
/// [`JsonlWriter::write`].
pub fn write_streamed(w: &mut dyn Write, e: &Stamped) -> io::Result<()> {
    write_fields_open(w, &e.fields, false)?;
    if !e.fields.has("id") {
        w.write_all(b"\"id\":")?;
        serde_json::to_writer(&mut *w, &e.id)?;
        w.write_all(b",")?;
    }
    if !e.fields.has("node") {
        w.write_all(b"\"node\":")?;
        serde_json::to_writer(&mut *w, &e.node)?;
        w.write_all(b",")?;
    }
    write!(w, "\"lamport\":{},\"vc\":{{", e.lamport)?;
    for (i, (node, count)) in e.vc.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        serde_json::to_writer(&mut *w, node)?;
        write!(w, ":{count}")?;
    }
    w.write_all(b"}}\n")
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
