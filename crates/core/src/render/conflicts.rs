//! The conflict report: as text grouped by key (colored on a terminal), or as one JSON object
//! (documented field by field in docs/reports.md).
//!
//! JSON is streamed pair by pair, so `--limit 0` on a large trace never builds the whole
//! document in memory.

use std::io::{self, Write};

use crate::analysis::conflicts::{access, ConflictKind, ConflictReport, Witness};
use crate::clock::{ClockRef, Clocks, Entry, PackedClocks};
use crate::model::{EventIdx, KeyId, Trace};
use crate::render::fmt::{display_width, one_line, plural, time, write_event_json_head, VcText};
use crate::render::members::JsonClocks;
use crate::render::Palette;

/// The clocks a report prints: every event's Lamport clock, the witnesses' vector clocks.
pub struct WitnessClocks<'a> {
    /// Lamport clock per event.
    pub lamport: &'a [u64],
    /// Vector clocks of (at least) the witness events.
    pub vector: &'a PackedClocks,
}

/// The clocks of one pair's two events (as [`evidence`] reads them): a clock kept sparse as
/// it is, a dense one unpacked. Unpacking a sparse clock of a few members into a row as wide
/// as the trace cost most of the report's time at 100,000 nodes.
struct PairClocks<'a> {
    lamport: &'a [u64],
    a: EventIdx,
    a_clock: Held<'a>,
    b_clock: Held<'a>,
}

/// One event's clock, borrowed as kept or unpacked.
enum Held<'a> {
    Sparse(&'a [Entry]),
    Dense(Vec<u32>),
}

impl<'a> PairClocks<'a> {
    fn of(clocks: &WitnessClocks<'a>, pair: &Witness) -> Self {
        let held = |e: EventIdx| match clocks.vector.sparse(e) {
            Some(entries) => Held::Sparse(entries),
            None => Held::Dense(clocks.vector.row(e)),
        };
        PairClocks {
            lamport: clocks.lamport,
            a: pair.a,
            a_clock: held(pair.a),
            b_clock: held(pair.b),
        }
    }
}

impl Clocks for PairClocks<'_> {
    fn clock(&self, e: EventIdx) -> ClockRef<'_> {
        match if e == self.a {
            &self.a_clock
        } else {
            &self.b_clock
        } {
            Held::Sparse(entries) => ClockRef::Sparse(entries),
            Held::Dense(row) => ClockRef::Dense(row),
        }
    }
}

/// Version of the JSON report shape; bumped on incompatible changes.
pub const VERSION: u32 = 1;

/// Writes the report as one JSON object and a newline.
pub fn write_json(
    w: &mut dyn Write,
    trace: &Trace,
    clocks: &WitnessClocks<'_>,
    report: &ConflictReport,
) -> io::Result<()> {
    let mut vcs = JsonClocks::new(&trace.nodes);
    write!(
        w,
        "{{\"version\":{VERSION},\"total\":{},\"keys\":[",
        report.total
    )?;
    for (i, key) in report.keys.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        w.write_all(b"{\"key\":")?;
        serde_json::to_writer(&mut *w, trace.key_name(key.key))?;
        write!(
            w,
            ",\"write_write\":{},\"read_write\":{},\"total\":{},\"pairs\":[",
            key.write_write,
            key.read_write,
            key.total()
        )?;
        for (j, pair) in key.witnesses.iter().enumerate() {
            if j > 0 {
                w.write_all(b",")?;
            }
            write_pair_json(w, trace, clocks, &mut vcs, key.key, pair)?;
        }
        w.write_all(b"]}")?;
    }
    w.write_all(b"]}\n")
}

/// One pair, written field by field: a pair holds two vector clocks, as wide as the trace has
/// nodes, and building them as `Value`s first would cost more than the analysis.
fn write_pair_json(
    w: &mut dyn Write,
    trace: &Trace,
    clocks: &WitnessClocks<'_>,
    vcs: &mut JsonClocks,
    key: KeyId,
    pair: &Witness,
) -> io::Result<()> {
    let vc = PairClocks::of(clocks, pair);
    w.write_all(b"{\"kind\":")?;
    serde_json::to_writer(&mut *w, pair.kind.as_str())?;
    w.write_all(b",\"a\":")?;
    write_event_json(w, trace, (&vc, &mut *vcs), key, pair.a)?;
    w.write_all(b",\"b\":")?;
    write_event_json(w, trace, (&vc, &mut *vcs), key, pair.b)?;
    w.write_all(b",\"evidence\":")?;
    serde_json::to_writer(&mut *w, &evidence(trace, &vc, pair))?;
    w.write_all(b"}")
}

/// An event as the conflict report shows it.
fn write_event_json(
    w: &mut dyn Write,
    trace: &Trace,
    (vc, vcs): (&PairClocks<'_>, &mut JsonClocks),
    key: KeyId,
    e: EventIdx,
) -> io::Result<()> {
    let ev = trace.event(e);
    let loc = trace.location(e);
    write_event_json_head(w, trace, e)?;
    w.write_all(b",\"op\":")?;
    serde_json::to_writer(&mut *w, &access(trace, e, key).map(|a| a.as_str()))?;
    w.write_all(b",\"label\":")?;
    serde_json::to_writer(&mut *w, &ev.label.as_deref())?;
    w.write_all(b",\"time\":")?;
    serde_json::to_writer(&mut *w, &ev.time().map(time))?;
    write!(w, ",\"lamport\":{},\"vc\":", vc.lamport[e.index()])?;
    vcs.write(w, vc.clock(e))?;
    w.write_all(b",\"file\":")?;
    serde_json::to_writer(&mut *w, loc.file)?;
    write!(w, ",\"line\":{}}}", loc.line)
}

/// Writes the report for people: one block per key, most conflicts first, then a summary.
pub fn write_text(
    w: &mut dyn Write,
    trace: &Trace,
    clocks: &WitnessClocks<'_>,
    report: &ConflictReport,
    palette: Palette,
) -> io::Result<()> {
    let mut events = EventLines::new(trace, palette);
    for key in &report.keys {
        writeln!(
            w,
            "{}: {} ({} write-write, {} read-write)",
            palette.bold(&one_line(trace.key_name(key.key))),
            plural(key.total(), "conflict"),
            key.write_write,
            key.read_write
        )?;
        for pair in &key.witnesses {
            let kind = match pair.kind {
                ConflictKind::WriteWrite => palette.error(pair.kind.as_str()),
                ConflictKind::ReadWrite => palette.warning(pair.kind.as_str()),
            };
            writeln!(w, "  {kind}")?;
            let width = [pair.a, pair.b]
                .iter()
                .map(|&e| display_width(&one_line(&trace.event_id(e).to_string())))
                .max()
                .unwrap_or(0);
            let vc = PairClocks::of(clocks, pair);
            for e in [pair.a, pair.b] {
                events.write(w, (&vc, pair), key.key, e, width)?;
            }
            writeln!(
                w,
                "    {}",
                palette.dim(&one_line(&evidence(trace, &vc, pair)))
            )?;
        }
        let shown = key.witnesses.len() as u64;
        if shown < key.total() {
            writeln!(
                w,
                "  {}",
                palette.dim(&format!(
                    "({shown} of {} pairs shown; --limit 0 shows all)",
                    key.total()
                ))
            )?;
        }
        writeln!(w)?;
    }
    if events.cut {
        writeln!(
            w,
            "{}",
            palette.dim(&format!(
                "(clocks of more than {WIDE_CLOCK} members show only the two nodes of their pair; \
                 --format json gives them whole)"
            ))
        )?;
    }
    let ww: u64 = report.keys.iter().map(|k| k.write_write).sum();
    let rw: u64 = report.keys.iter().map(|k| k.read_write).sum();
    if report.total == 0 {
        writeln!(w, "no conflicts")
    } else {
        writeln!(
            w,
            "{} on {} ({ww} write-write, {rw} read-write)",
            plural(report.total, "conflict"),
            plural(report.keys.len() as u64, "key")
        )
    }
}

/// Writes a witness's events for people, two lines each: what happened, then its clocks.
struct EventLines<'t> {
    trace: &'t Trace,
    palette: Palette,
    /// Vector clocks, node names escaped once for the whole report.
    vc: VcText,
    /// What dims the clock line, before and after it.
    dim: (String, String),
    /// The clock line, reused.
    line: Vec<u8>,
    /// Whether a clock was shown in part ([`WIDE_CLOCK`]).
    cut: bool,
}

/// Clocks of more members than this show, for people, only the members of the pair's two
/// nodes (those the evidence line speaks of); JSON has every clock whole.
const WIDE_CLOCK: usize = 16;

impl<'t> EventLines<'t> {
    fn new(trace: &'t Trace, palette: Palette) -> Self {
        EventLines {
            trace,
            palette,
            vc: VcText::new(&trace.nodes),
            dim: palette.dim_codes(),
            line: Vec::new(),
            cut: false,
        }
    }

    fn write(
        &mut self,
        w: &mut dyn Write,
        (vc, pair): (&PairClocks<'_>, &Witness),
        key: KeyId,
        e: EventIdx,
        width: usize,
    ) -> io::Result<()> {
        let (trace, palette) = (self.trace, self.palette);
        let ev = trace.event(e);
        let id = one_line(&trace.event_id(e).to_string());
        let id = format!("{id}{}", " ".repeat(width - display_width(&id)));
        let op = access(trace, e, key).map_or("", |a| a.as_str());
        let time = ev.time().map(time).unwrap_or_else(|| "-".into());
        let label = one_line(ev.label.as_deref().unwrap_or_default());
        let line = format!(
            "    {}  {} {op}  {time}  {}  {label}",
            palette.node(ev.node.index(), &id),
            palette.node(ev.node.index(), &one_line(trace.node_name(ev.node))),
            one_line(&trace.location(e).to_string()),
        );
        writeln!(w, "{}", line.trim_end())?;
        // `    {width}  lamport 7  vc [a:1 b:2]`, the clocks dimmed.
        let out = &mut self.line;
        out.clear();
        out.extend_from_slice(b"    ");
        out.resize(out.len() + width + 2, b' ');
        out.extend_from_slice(self.dim.0.as_bytes());
        out.extend_from_slice(b"lamport ");
        out.extend_from_slice(itoa::Buffer::new().format(vc.lamport[e.index()]).as_bytes());
        out.extend_from_slice(b"  vc ");
        let nodes = [pair.a, pair.b].map(|x| trace.event(x).node);
        self.cut |= self.vc.push_around(out, vc.clock(e), nodes, WIDE_CLOCK);
        out.extend_from_slice(self.dim.1.as_bytes());
        out.push(b'\n');
        w.write_all(out)
    }
}

/// Why the two events of `w` are concurrent, in one line: what each had seen of the other's node.
///
/// For example: `bob-put-1 had seen alice only up to alice#4, and alice-put-1 had seen bob only
/// up to bob#9: neither happened before the other`.
fn evidence(trace: &Trace, vc: &dyn Clocks, w: &Witness) -> String {
    let seen = |who: EventIdx, of: EventIdx| -> String {
        let node = trace.event(of).node;
        let name = trace.node_name(node);
        match vc.get(who, node) {
            0 => format!("{} had seen nothing of {name}", trace.event_id(who)),
            n => format!(
                "{} had seen {name} only up to {name}#{n}",
                trace.event_id(who)
            ),
        }
    };
    format!(
        "{}, and {}: neither happened before the other",
        seen(w.b, w.a),
        seen(w.a, w.b)
    )
}
