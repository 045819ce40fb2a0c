//! Stamped events as JSON Lines: the input's fields, then `id`, `node`, `lamport`, `vc`
//! (and `hlc` when asked).
//!
//! The shape is documented in docs/format.md and stays stable. This is the hot path of
//! `stamp`: node names are escaped once, numbers are written with `itoa`, and the input's
//! fields are copied from their stored text.

use std::io::{self, Write};

use crate::clock::hlc::Hlc;
use crate::clock::{self, ClockRef, Engine, Entry, LamportEngine, Replay};
use crate::model::{EventFlags, EventIdx, Fields, Trace};
use crate::order::Causality;
use crate::render::members::{close_members, json_keys, push_u32, write_members, MemberKey};
use crate::stream::Stamped;

/// How stamped lines carry vector clocks (`--vc`; docs/format.md).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum VcMode {
    /// The whole clock on every line, as `vc`.
    #[default]
    Full,
    /// Under `vc_delta`, only the members that changed since the node's previous line of the
    /// output (every nonzero member on a node's first line): a reader rebuilds each clock by
    /// applying a node's deltas in order.
    Delta,
    /// Lamport clocks only.
    None,
}

impl crate::Named for VcMode {
    const ALL: &'static [VcMode] = &[VcMode::Full, VcMode::Delta, VcMode::None];

    fn name(self) -> &'static str {
        match self {
            VcMode::Full => "full",
            VcMode::Delta => "delta",
            VcMode::None => "none",
        }
    }

    fn about(self) -> &'static str {
        match self {
            VcMode::Full => "Every line's whole vector clock, as \"vc\"",
            VcMode::Delta => {
                "As \"vc_delta\": the members changed since the node's previous line (read back exactly)"
            }
            VcMode::None => "No vector clock: Lamport clocks only",
        }
    }
}

/// For `--vc delta`: each node's clock as last written, to tell which members changed.
#[derive(Debug, Default)]
pub(crate) struct LastClocks {
    /// Per node, its last written clock's nonzero members, sorted by node.
    last: Vec<Vec<(u32, u32)>>,
    /// The members of the clock being written, reused.
    now: Vec<(u32, u32)>,
}

impl LastClocks {
    /// Writes the members of `clock` (nonzero, any order) that differ from what `node`'s
    /// previous line said, as a JSON object, and remembers `clock` as its last.
    fn write_changed(
        &mut self,
        w: &mut Vec<u8>,
        keys: &[MemberKey],
        node: usize,
        clock: impl Iterator<Item = (u32, u32)>,
    ) {
        let open = w.len();
        self.for_changed(node, clock, |n, count| {
            keys[n as usize].push_to(w);
            push_u32(w, count);
        });
        close_members(w, open, *b"{}");
    }

    /// Calls `f` with each member `(node, count)` of `clock` (nonzero, any order) that differs
    /// from what `node`'s previous row said, in node order, and remembers `clock` as its last.
    pub(crate) fn for_changed(
        &mut self,
        node: usize,
        clock: impl Iterator<Item = (u32, u32)>,
        mut f: impl FnMut(u32, u32),
    ) {
        if self.last.len() <= node {
            self.last.resize_with(node + 1, Vec::new);
        }
        self.now.clear();
        self.now.extend(clock);
        // Clocks come sorted by node (stored rows are); the online stamper's need not be.
        if !self.now.is_sorted() {
            self.now.sort_unstable();
        }
        let last = &self.last[node];
        // Both sorted: one merging pass. Members never disappear along a node, so each one is
        // either new or compared with its last count.
        let mut k = 0;
        for &(n, count) in &self.now {
            while k < last.len() && last[k].0 < n {
                k += 1;
            }
            let before = match last.get(k) {
                Some(&(m, c)) if m == n => c,
                _ => 0,
            };
            if before != count {
                f(n, count);
            }
        }
        std::mem::swap(&mut self.last[node], &mut self.now);
    }
}

/// Writes stamped events of one trace, with each node's JSON spelled out once.
pub struct JsonlWriter<'t> {
    trace: &'t Trace,
    /// `,"name":` per node, for vector clocks.
    vc_keys: Vec<MemberKey>,
    /// The node name JSON-escaped, without quotes, for ids and `node`.
    names: Vec<String>,
    itoa: itoa::Buffer,
    /// The line being written, reused from event to event.
    line: Vec<u8>,
    /// How vector clocks are written.
    vc_mode: VcMode,
    /// Each node's last written clock (`--vc delta` only).
    last: LastClocks,
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
            vc_keys: json_keys(&trace.nodes),
            names: quoted
                .iter()
                .map(|q| q[1..q.len() - 1].to_string())
                .collect(),
            itoa: itoa::Buffer::new(),
            line: Vec::with_capacity(512),
            vc_mode: VcMode::Full,
            last: LastClocks::default(),
        }
    }

    /// The same writer, writing vector clocks as `mode` says.
    pub fn with_vc(mut self, mode: VcMode) -> Self {
        self.vc_mode = mode;
        self
    }

    /// Writes event `e` with its Lamport clock and vector clock `vc` (indexed by node) and a
    /// newline. `hlc` is `None` without `--hlc`, else the event's hybrid logical clock, or
    /// `Some(None)` when no time is known in its causal past (written as `null`).
    pub fn write(
        &mut self,
        w: &mut dyn Write,
        e: EventIdx,
        lamport: u64,
        vc: ClockRef<'_>,
        hlc: Option<Option<Hlc>>,
    ) -> io::Result<()> {
        self.write_marked(w, e, lamport, vc, hlc, EventFlags::NONE)
    }

    /// [`JsonlWriter::write`], adding the `outside` marks of `marks` to the event's own: the
    /// messages a cut or slice leaves with one end outside (see docs/format.md).
    pub fn write_marked(
        &mut self,
        w: &mut dyn Write,
        e: EventIdx,
        lamport: u64,
        vc: ClockRef<'_>,
        hlc: Option<Option<Hlc>>,
        marks: EventFlags,
    ) -> io::Result<()> {
        // One line is built in memory and written at once: many small writes through
        // `dyn Write` cost more than the copy.
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        let result = self.write_line(&mut line, e, lamport, vc, hlc, marks);
        let written = result.and_then(|()| w.write_all(&line));
        self.line = line;
        written
    }

    /// Writes event `e` as a JSON object without its clocks and marks: the input's fields,
    /// then `id` and `node` where the input did not give them, as a stamped line begins.
    /// Parquet's `fields` column holds it (docs/parquet.md).
    pub fn write_object(&mut self, w: &mut Vec<u8>, e: EventIdx) -> io::Result<()> {
        self.write_head(w, e, false)?;
        // The head ends with a comma (after `id` or `node`, or the last field).
        if let Some(last) = w.last_mut() {
            *last = b'}';
        }
        Ok(())
    }

    /// `{`, the event's own fields, then `id` and `node` unless the fields hold them, each
    /// followed by a comma, leaving the object open for the clocks.
    fn write_head(&mut self, w: &mut Vec<u8>, e: EventIdx, replacing_hlc: bool) -> io::Result<()> {
        let ev = self.trace.event(e);
        let fields = &ev.fields;
        write_fields_open(w, fields, replacing_hlc)?;
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
        Ok(())
    }

    fn write_line(
        &mut self,
        w: &mut Vec<u8>,
        e: EventIdx,
        lamport: u64,
        vc: ClockRef<'_>,
        hlc: Option<Option<Hlc>>,
        marks: EventFlags,
    ) -> io::Result<()> {
        let ev = self.trace.event(e);
        self.write_head(w, e, hlc.is_some())?;
        w.write_all(b"\"lamport\":")?;
        w.write_all(self.itoa.format(lamport).as_bytes())?;
        match self.vc_mode {
            VcMode::Full => {
                w.write_all(b",\"vc\":")?;
                write_members(w, &self.vc_keys[..], vc, *b"{}");
            }
            VcMode::Delta => {
                w.write_all(b",\"vc_delta\":")?;
                let members = vc.entries().map(|(n, c)| (n.0, c));
                self.last
                    .write_changed(w, &self.vc_keys, ev.node.index(), members);
            }
            VcMode::None => {}
        }
        if let Some(h) = hlc {
            w.write_all(b",\"hlc\":")?;
            match h {
                Some(h) => write!(
                    w,
                    "{{\"l\":\"{}\",\"c\":{}}}",
                    crate::render::fmt::time_nanos(h.l.0),
                    h.c
                )?,
                None => w.write_all(b"null")?,
            }
        }
        if let Some(outside) = ev.flags.with(marks).outside() {
            w.write_all(b",\"outside\":\"")?;
            w.write_all(outside.as_bytes())?;
            w.write_all(b"\"")?;
        }
        w.write_all(b"}\n")
    }
}

/// Which stamped lines [`write_stamped`] writes, and what they carry.
#[derive(Clone, Copy, Debug, Default)]
pub struct StampedLines<'a> {
    /// Only the events this keeps (`past`, `future`, slices), each with its `outside` marks:
    /// the messages it shares with events left out. `None` writes every event.
    pub kept: Option<&'a [bool]>,
    /// Hybrid logical clocks too (`--hlc`).
    pub hlc: bool,
    /// How vector clocks are written.
    pub vc: VcMode,
}

/// Writes events as stamped JSON Lines in Lamport order, each with its clocks (computed by
/// `engine`, or as given): the output of `stamp`, `past`, `future` and slices.
///
/// Lamport's total order is a causal order, so vector clocks are replayed while writing,
/// holding only the nodes' current clocks and the messages in flight, never one clock per
/// event. The replay runs on this thread while a second one writes the lines: batches of events
/// with their clocks copied go one way, their text comes back, in order, to be written to `w`.
/// Writing is most of the work (at 1,000 nodes a line holds up to 1,000 members), and the two
/// halves share nothing else.
pub fn write_stamped(
    w: &mut dyn Write,
    trace: &Trace,
    causality: &Causality,
    engine: Engine,
    lines: StampedLines<'_>,
) -> io::Result<()> {
    let lamport = clock::run(trace, causality, LamportEngine::new(trace));
    let hlc = lines
        .hlc
        .then(|| clock::run(trace, causality, crate::clock::hlc::HlcEngine::new(trace)));
    let order = crate::render::lamport_order_of(trace, &lamport);
    let mut replay = Replay::new(engine, trace, causality);
    // The messages the kept events share with the rest cross the edge: marked `outside`.
    let marks = lines
        .kept
        .map(|kept| crate::graph::outside_marks(trace, causality, kept));
    let copies_clocks = lines.vc != VcMode::None;
    let mut order = order.into_iter();
    let fill = |batch: &mut Batch| {
        while !batch.is_full() {
            let Some(e) = order.next() else {
                return false;
            };
            let clock = replay.advance(trace, causality, e);
            if lines.kept.is_some_and(|kept| !kept[e.index()]) {
                continue;
            }
            batch.push(Line {
                event: e,
                lamport: lamport[e.index()],
                hlc: hlc.as_ref().map(|h| h[e.index()]),
                marks: marks.as_ref().map_or(EventFlags::NONE, |m| m[e.index()]),
                members: 0,
            });
            if copies_clocks {
                batch.copy_clock(clock);
            }
        }
        true
    };
    pipeline(w, JsonlWriter::new(trace).with_vc(lines.vc), fill)
}

/// One event of a [`Batch`]: what its line says besides the input's fields.
struct Line {
    event: EventIdx,
    lamport: u64,
    hlc: Option<Option<Hlc>>,
    marks: EventFlags,
    /// Where its clock's members end in the batch's `members`.
    members: usize,
}

/// Events on their way to the writing thread, with their clocks copied as sparse members,
/// and, on the way back, their text.
#[derive(Default)]
struct Batch {
    lines: Vec<Line>,
    members: Vec<Entry>,
    text: Vec<u8>,
}

impl Batch {
    /// Lines per batch; fewer when clocks are wide.
    const LINES: usize = 4096;
    /// Clock members per batch (8 bytes each).
    const MEMBERS: usize = 1 << 17;

    fn is_full(&self) -> bool {
        self.lines.len() >= Self::LINES || self.members.len() >= Self::MEMBERS
    }

    fn push(&mut self, line: Line) {
        self.lines.push(Line {
            members: self.members.len(),
            ..line
        });
    }

    /// Copies the last line's clock.
    fn copy_clock(&mut self, clock: ClockRef<'_>) {
        match clock {
            ClockRef::Sparse(entries) => self.members.extend_from_slice(entries),
            ClockRef::Dense(row) => {
                self.members
                    .extend(row.iter().enumerate().filter(|&(_, &count)| count > 0).map(
                        |(node, &count)| Entry {
                            node: node as u32,
                            count,
                        },
                    ))
            }
        }
        if let Some(last) = self.lines.last_mut() {
            last.members = self.members.len();
        }
    }

    /// Writes the batch's lines into its text.
    fn write(&mut self, writer: &mut JsonlWriter<'_>) -> io::Result<()> {
        let mut start = 0;
        for line in &self.lines {
            let clock = ClockRef::Sparse(&self.members[start..line.members]);
            start = line.members;
            writer.write_line(
                &mut self.text,
                line.event,
                line.lamport,
                clock,
                line.hlc,
                line.marks,
            )?;
        }
        Ok(())
    }

    fn clear(&mut self) {
        self.lines.clear();
        self.members.clear();
        self.text.clear();
    }
}

/// Runs `fill` (which returns false once it has added its last events) on this thread and
/// `writer` on a second one, writing each batch's text to `w` in order. Two batches go round:
/// one filled while the other is written.
fn pipeline(
    w: &mut dyn Write,
    mut writer: JsonlWriter<'_>,
    mut fill: impl FnMut(&mut Batch) -> bool,
) -> io::Result<()> {
    let (to_writer, batches) = std::sync::mpsc::sync_channel::<Batch>(2);
    let (to_main, written) = std::sync::mpsc::sync_channel::<io::Result<Batch>>(2);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for mut batch in batches {
                let result = batch.write(&mut writer).map(|()| batch);
                if to_main.send(result).is_err() {
                    break;
                }
            }
        });
        // Whatever ends this loop, `to_writer` goes with it, so the writing thread ends too.
        let to_writer = to_writer;
        let mut spare = vec![Batch::default(), Batch::default()];
        let mut in_flight = 0;
        let mut more = true;
        while more || in_flight > 0 {
            let mut batch = match spare.pop() {
                Some(batch) if more => batch,
                _ => {
                    // Every batch is out (or nothing more to fill): write the oldest back.
                    let batch = written.recv().expect("the writing thread answers")?;
                    in_flight -= 1;
                    w.write_all(&batch.text)?;
                    spare.push(batch);
                    continue;
                }
            };
            batch.clear();
            more = fill(&mut batch);
            if batch.lines.is_empty() {
                spare.push(batch);
                continue;
            }
            to_writer
                .send(batch)
                .expect("the writing thread waits for batches");
            in_flight += 1;
        }
        Ok(())
    })
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
        // `{"a":1}` opens as `{"a":1`; no fields at all (an empty `Fields`) as `{`.
        let json = fields.as_json();
        w.write_all(json.strip_suffix('}').unwrap_or("{").as_bytes())?;
        if !fields.is_empty() {
            w.write_all(b",")?;
        }
    }
    Ok(())
}

/// Writes events stamped online (`stamp --order input`), in the same shape as
/// [`JsonlWriter::write`], spelling each node's JSON once as nodes appear.
#[derive(Default)]
pub struct StreamWriter {
    /// `,"name":` per node, in the stamper's order.
    vc_keys: Vec<MemberKey>,
    /// The node name as a JSON string.
    quoted: Vec<String>,
    line: Vec<u8>,
    /// How vector clocks are written.
    vc_mode: VcMode,
    /// Each node's last written clock (`--vc delta` only).
    last: LastClocks,
}

impl StreamWriter {
    /// A writer.
    pub fn new() -> Self {
        StreamWriter::default()
    }

    /// The same writer, writing vector clocks as `mode` says.
    pub fn with_vc(mut self, mode: VcMode) -> Self {
        self.vc_mode = mode;
        self
    }

    /// Writes `e`, whose node indices are into `names` (the stamper's), and a newline.
    pub fn write(&mut self, w: &mut dyn Write, names: &[String], e: &Stamped) -> io::Result<()> {
        for name in &names[self.quoted.len()..] {
            let quoted = serde_json::Value::String(name.clone()).to_string();
            self.vc_keys.push(MemberKey::new(&format!(",{quoted}:")));
            self.quoted.push(quoted);
        }
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        write_fields_open(&mut line, &e.fields, false)?;
        if !e.fields.has("id") {
            line.extend_from_slice(b"\"id\":");
            serde_json::to_writer(&mut line, &e.id)?;
            line.push(b',');
        }
        if !e.fields.has("node") {
            line.extend_from_slice(b"\"node\":");
            line.extend_from_slice(self.quoted[e.node].as_bytes());
            line.push(b',');
        }
        line.extend_from_slice(b"\"lamport\":");
        line.extend_from_slice(itoa::Buffer::new().format(e.lamport).as_bytes());
        match self.vc_mode {
            VcMode::Full => {
                line.extend_from_slice(b",\"vc\":");
                let open = line.len();
                for &(node, count) in &e.vc {
                    self.vc_keys[node].push_to(&mut line);
                    push_u32(&mut line, count);
                }
                close_members(&mut line, open, *b"{}");
            }
            VcMode::Delta => {
                line.extend_from_slice(b",\"vc_delta\":");
                // The stamper numbers at most u32::MAX nodes (its limit).
                let members = e.vc.iter().map(|&(n, c)| (n as u32, c));
                self.last
                    .write_changed(&mut line, &self.vc_keys, e.node, members);
            }
            VcMode::None => {}
        }
        line.extend_from_slice(b"}\n");
        let written = w.write_all(&line);
        self.line = line;
        written
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An empty `Fields` (no fields at all, as a builder that drops fields leaves them) made
    /// the writer slice before the start of its text (found by fuzzing).
    #[test]
    fn events_without_any_fields_are_written_as_objects() {
        for (fields, written) in [
            (Fields::default(), "{"),
            (Fields::from_map(&serde_json::Map::new()), "{"),
            (
                Fields::from_object_text(r#"{"a":1}"#.to_string(), ["a"].into_iter()),
                r#"{"a":1,"#,
            ),
        ] {
            let mut w = Vec::new();
            write_fields_open(&mut w, &fields, false).unwrap();
            assert_eq!(String::from_utf8(w).unwrap(), written);
        }
    }

    #[test]
    fn vector_clocks_are_json_objects_whatever_the_names() {
        let names = [
            "a",
            "",
            "quo\"te",
            "a-node-name-longer-than-the-slot:8080",
            "é",
        ];
        let keys: Vec<MemberKey> = names
            .iter()
            .map(|n| MemberKey::new(&format!(",{}:", serde_json::Value::from(*n))))
            .collect();
        for vc in [
            [0, 0, 0, 0, 0],
            [3, 0, 7, 12, 0],
            [1, 2, 3, 4, 5],
            [0, 0, 0, 0, 9],
        ] {
            let mut w = Vec::new();
            write_members(&mut w, &keys[..], ClockRef::Dense(&vc), *b"{}");
            let entries: Vec<crate::clock::Entry> = vc
                .iter()
                .enumerate()
                .filter(|(_, &c)| c > 0)
                .map(|(n, &c)| crate::clock::Entry {
                    node: n as u32,
                    count: c,
                })
                .collect();
            let mut sparse = Vec::new();
            write_members(&mut sparse, &keys[..], ClockRef::Sparse(&entries), *b"{}");
            assert_eq!(sparse, w, "sparse and dense clocks are written alike");
            // The same bytes as serde_json writes for the members, in node order.
            let members: Vec<String> = names
                .iter()
                .zip(vc)
                .filter(|(_, c)| *c > 0)
                .map(|(n, c)| format!("{}:{c}", serde_json::Value::from(*n)))
                .collect();
            let want = format!("{{{}}}", members.join(","));
            assert_eq!(String::from_utf8(w).unwrap(), want);
        }
    }
}
