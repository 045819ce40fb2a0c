//! A space-time diagram for the terminal, and the text helpers the graph renderers share.
//!
//! One column (lane) per node, one row per event in the view's order (Lamport order), and on
//! each receive's row an arrow from the sender's lane. Colored per node through the
//! [`Palette`]; widths come from the caller (this module reads no environment).

use std::collections::HashMap;
use std::io::{self, Write};

use crate::clock::{Clocks, Stamps};
use crate::graph::{ClockLabel, Item, LooseKind, View, ViewEdgeKind};
use crate::model::{EventIdx, EventKind, NodeId, Trace};
use crate::render::fmt::{char_width, display_width, one_line, truncate, truncate_middle};
use crate::render::Palette;

/// How the diagram is laid out and painted.
#[derive(Clone, Copy, Debug)]
pub struct TextOptions<'a> {
    /// Which clock to show: Lamport in the left column (also with `Vector`, which adds the
    /// vector clock after the id); `None` drops the column.
    pub clock: ClockLabel,
    /// The width to fit, in terminal columns.
    pub columns: usize,
    /// Colors.
    pub palette: Palette,
    /// Nodes the caller left out to fit the width, named in a footer.
    pub left_out: &'a [NodeId],
}

/// The narrowest a lane gets.
const MIN_LANE: usize = 4;
/// The widest a lane gets.
const MAX_LANE: usize = 12;
/// Room kept for the event text at the right of the lanes.
const MIN_TEXT: usize = 24;

/// Lane width and how many of the view's lanes fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Layout {
    gutter: usize,
    lane: usize,
    shown: usize,
}

fn layout<C: Clocks>(
    trace: &Trace,
    stamps: &Stamps<C>,
    view: &View<'_>,
    opts: &TextOptions<'_>,
) -> Layout {
    let gutter = if opts.clock == ClockLabel::None {
        0
    } else {
        view.items
            .iter()
            .map(|&i| lamport_text(stamps, i).len())
            .max()
            .unwrap_or(1)
    };
    let n = view.lanes.len();
    let longest = view
        .lanes
        .iter()
        .map(|&l| display_width(trace.node_name(l)))
        .max()
        .unwrap_or(0);
    let preferred = (longest + 2).clamp(MIN_LANE, MAX_LANE);
    let fixed = if gutter > 0 { gutter + 1 } else { 0 } + 1 + MIN_TEXT;
    let room = opts.columns.saturating_sub(fixed);
    // Lanes keep the width their names need: past what fits, nodes are left out (and named)
    // rather than squeezed into columns too narrow to tell them apart.
    let lane = preferred;
    let shown = (room / lane).clamp(1, n.max(1)).min(n);
    Layout {
        gutter,
        lane,
        shown,
    }
}

/// How many of the view's lanes fit in `opts.columns`; the caller slices the rest away and
/// names them in [`TextOptions::left_out`].
pub fn lanes_that_fit<C: Clocks>(
    trace: &Trace,
    stamps: &Stamps<C>,
    view: &View<'_>,
    opts: &TextOptions<'_>,
) -> usize {
    layout(trace, stamps, view, opts).shown
}

/// How a piece of a row is painted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Paint {
    Plain,
    Node(usize),
    BoldNode(usize),
    Kind(EventKind),
    Dim,
}

impl Paint {
    fn apply(self, palette: Palette, text: &str) -> String {
        match self {
            Paint::Plain => text.to_string(),
            Paint::Node(i) => palette.node(i, text),
            Paint::BoldNode(i) => palette.bold(&palette.node(i, text)),
            Paint::Kind(k) => palette.kind(k, text),
            Paint::Dim => palette.dim(text),
        }
    }
}

/// Writes the diagram: a header of node names, one row per item, and a footer naming the
/// nodes left out. An empty view writes nothing.
#[expect(
    clippy::too_many_lines,
    reason = "the diagram is drawn row by row with shared column state"
)]
pub fn write_text<C: Clocks>(
    w: &mut dyn Write,
    trace: &Trace,
    stamps: &Stamps<C>,
    view: &View<'_>,
    opts: &TextOptions<'_>,
) -> io::Result<()> {
    let palette = opts.palette;
    let lay = layout(trace, stamps, view, opts);
    let mut lane_of: HashMap<NodeId, usize> = HashMap::new();
    for (i, &n) in view.lanes.iter().take(lay.shown).enumerate() {
        lane_of.insert(n, i);
    }
    let grid_width = lay.shown * lay.lane;
    let text_width = opts
        .columns
        .saturating_sub(if lay.gutter > 0 { lay.gutter + 1 } else { 0 } + grid_width + 1)
        .max(MIN_TEXT / 2);

    let mut incoming: HashMap<usize, Vec<(usize, &str)>> = HashMap::new();
    for edge in &view.edges {
        if let ViewEdgeKind::Message { send, recv } = edge.kind {
            let msg = trace.message_id(send, recv);
            incoming.entry(edge.to).or_default().push((edge.from, msg));
        }
    }
    let loose = loose_notes(trace, view);

    if !view.items.is_empty() {
        let mut header = String::new();
        if lay.gutter > 0 {
            header.push_str(&format!("{:>width$} ", "L", width = lay.gutter));
        }
        for (i, &n) in view.lanes.iter().take(lay.shown).enumerate() {
            let name = truncate_middle(&one_line(trace.node_name(n)), lay.lane - 1);
            let pad = lay.lane - display_width(&name);
            header.push_str(&palette.bold(&palette.node(n.index(), &name)));
            if i + 1 < lay.shown {
                header.push_str(&" ".repeat(pad));
            }
        }
        writeln!(w, "{}", header.trim_end())?;
    }

    for (idx, &item) in view.items.iter().enumerate() {
        let node = trace.event(item.first()).node;
        let Some(&x_lane) = lane_of.get(&node) else {
            continue;
        };
        let mut cells: Vec<(char, Paint)> = vec![(' ', Paint::Plain); grid_width];
        for i in 0..lay.shown {
            cells[i * lay.lane] = ('│', Paint::Dim);
        }
        let x = x_lane * lay.lane;
        for &(from, msg) in incoming.get(&idx).map(Vec::as_slice).unwrap_or_default() {
            let sender = trace.event(view.items[from].first()).node;
            if let Some(&s_lane) = lane_of.get(&sender) {
                draw_arrow(
                    &mut cells,
                    s_lane * lay.lane,
                    x,
                    lay.lane,
                    Paint::Node(sender.index()),
                    &one_line(msg),
                );
            }
        }
        let glyph = match item {
            Item::Folded { .. } => '▣',
            Item::Event(e) => match trace.event(e).kind {
                EventKind::Local => '○',
                EventKind::Send => '●',
                EventKind::Recv => '◉',
            },
        };
        let focused = view.focus == Some(item.first());
        cells[x] = (
            glyph,
            if focused {
                Paint::BoldNode(node.index())
            } else {
                Paint::Node(node.index())
            },
        );

        let mut line = String::new();
        if lay.gutter > 0 {
            line.push_str(&palette.dim(&format!(
                "{:>width$} ",
                lamport_text(stamps, item),
                width = lay.gutter
            )));
        }
        let mut k = 0;
        while k < cells.len() {
            let paint = cells[k].1;
            let mut run = String::new();
            while k < cells.len() && cells[k].1 == paint {
                run.push(cells[k].0);
                k += 1;
            }
            line.push_str(&paint.apply(palette, &run));
        }
        line.push(' ');
        let notes = loose.get(&idx).map(Vec::as_slice).unwrap_or_default();
        let segments = describe(trace, stamps, item, opts.clock, notes);
        let mut budget = text_width;
        for (text, paint) in segments {
            if budget == 0 {
                break;
            }
            let width = display_width(&text);
            let piece = if width > budget {
                truncate(&text, budget)
            } else {
                text
            };
            budget = budget.saturating_sub(display_width(&piece));
            let paint = match paint {
                Paint::Node(i) if focused => Paint::BoldNode(i),
                p => p,
            };
            line.push_str(&paint.apply(palette, &piece));
        }
        writeln!(w, "{}", line.trim_end())?;
    }

    if !opts.left_out.is_empty() {
        let names: Vec<String> = opts
            .left_out
            .iter()
            .map(|&n| one_line(trace.node_name(n)))
            .collect();
        let note = format!(
            "({} node{} left out to fit {} columns: {}; choose nodes with --nodes or set COLUMNS)",
            names.len(),
            if names.len() == 1 { "" } else { "s" },
            opts.columns,
            names.join(", ")
        );
        writeln!(w, "{}", palette.dim(&note))?;
    }
    Ok(())
}

/// Draws a message arrow on a row from lane position `from` to `to`, crossing the lanes in
/// between, with the message id inside when it fits.
fn draw_arrow(
    cells: &mut [(char, Paint)],
    from: usize,
    to: usize,
    lane: usize,
    paint: Paint,
    msg: &str,
) {
    if from == to {
        return;
    }
    let (lo, hi) = (from.min(to), from.max(to));
    for (x, cell) in cells.iter_mut().enumerate().take(hi).skip(lo + 1) {
        *cell = (if x % lane == 0 { '┼' } else { '─' }, paint);
    }
    if from < to {
        cells[from] = ('├', paint);
        cells[to - 1] = ('▶', paint);
    } else {
        cells[from] = ('┤', paint);
        cells[to + 1] = ('◀', paint);
    }
    // The label goes into the first stretch of plain line long enough to hold it with one
    // `─` before it, so the arrow stays visible.
    let chars: Vec<char> = msg.chars().collect();
    if chars.is_empty() || chars.iter().any(|&c| char_width(c) != 1) {
        return;
    }
    let mut x = lo + 1;
    while x < hi {
        let start = x;
        while x < hi && cells[x].0 == '─' {
            x += 1;
        }
        if x - start > chars.len() {
            for (k, &c) in chars.iter().enumerate() {
                cells[start + 1 + k] = (c, paint);
            }
            return;
        }
        x = x.max(start + 1);
    }
}

/// The text at the right of a row: id, clock, what it did (with its loose ends), label.
fn describe<C: Clocks>(
    trace: &Trace,
    stamps: &Stamps<C>,
    item: Item,
    clock: ClockLabel,
    notes: &[LooseNote<'_>],
) -> Vec<(String, Paint)> {
    let first = item.first();
    let node = trace.event(first).node.index();
    let mut out = Vec::new();
    match item {
        Item::Folded { last, count, .. } => {
            out.push((
                one_line(&format!(
                    "{} … {}",
                    trace.event_id(first),
                    trace.event_id(last)
                )),
                Paint::Node(node),
            ));
            if clock == ClockLabel::Vector {
                out.push((format!(" {}", vc_text(trace, stamps, last)), Paint::Dim));
            }
            out.push((format!("  {count} local events"), Paint::Dim));
        }
        Item::Event(e) => {
            let ev = trace.event(e);
            out.push((one_line(&trace.event_id(e).to_string()), Paint::Node(node)));
            if clock == ClockLabel::Vector {
                out.push((format!(" {}", vc_text(trace, stamps, e)), Paint::Dim));
            }
            for (kind, msg) in ev.roles() {
                out.push((format!("  {}", kind.as_str()), Paint::Kind(kind)));
                out.push((format!(" {}", one_line(msg)), Paint::Plain));
                for note in notes.iter().filter(|n| n.kind == kind && n.msg == msg) {
                    out.push((format!(" ({})", note.what), Paint::Dim));
                }
            }
            if let Some(label) = ev.label.as_deref() {
                out.push((format!("  {}", one_line(label)), Paint::Plain));
            }
        }
    }
    out
}

/// What a drawing says about the loose ends of one message at one item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LooseNote<'t> {
    /// The role of the drawn end: `Send` or `Recv`.
    pub kind: EventKind,
    /// The message id.
    pub msg: &'t str,
    /// `never received`, `never sent`, `→ b#2, c#1` (receivers left out of the slice) or
    /// `← a#3` (the sender left out), on one line.
    pub what: String,
}

/// The loose ends of every item of `view`, one note per item and message (receivers left out
/// of the slice are listed together).
pub fn loose_notes<'t>(trace: &Trace, view: &View<'t>) -> HashMap<usize, Vec<LooseNote<'t>>> {
    let mut notes: HashMap<usize, Vec<LooseNote<'t>>> = HashMap::new();
    for end in &view.loose {
        let id = |e: EventIdx| one_line(&trace.event_id(e).to_string());
        let (kind, what) = match end.kind {
            LooseKind::NeverReceived => (EventKind::Send, "never received".to_string()),
            LooseKind::NeverSent => (EventKind::Recv, "never sent".to_string()),
            LooseKind::ToOutside => (EventKind::Send, "→ outside the input".to_string()),
            LooseKind::FromOutside => (EventKind::Recv, "← outside the input".to_string()),
            LooseKind::ToHidden(r) => (EventKind::Send, format!("→ {}", id(r))),
            LooseKind::FromHidden(s) => (EventKind::Recv, format!("← {}", id(s))),
        };
        let list = notes.entry(end.item).or_default();
        match list.iter_mut().find(|n| {
            n.kind == kind && n.msg == end.msg && n.what.starts_with('→') && what.starts_with('→')
        }) {
            Some(note) => {
                note.what.push_str(", ");
                note.what.push_str(&what["→ ".len()..]);
            }
            None => list.push(LooseNote {
                kind,
                msg: end.msg,
                what,
            }),
        }
    }
    notes
}

/// The Lamport clock of an item: `7`, or `3-7` for a folded run.
pub fn lamport_text<C: Clocks>(stamps: &Stamps<C>, item: Item) -> String {
    let (a, b) = (
        stamps.lamport[item.first().index()],
        stamps.lamport[item.last().index()],
    );
    if a == b {
        a.to_string()
    } else {
        format!("{a}-{b}")
    }
}

/// A vector clock for people: `[a:1 b:2]`, zero components left out, on one line.
pub fn vc_text<C: Clocks>(trace: &Trace, stamps: &Stamps<C>, e: EventIdx) -> String {
    crate::render::fmt::vc(&trace.nodes, stamps.vector.clock(e))
}

/// The clock of an item as a drawing shows it: `L7` (`L3-7` for a run), `[a:1 b:2]` (the
/// run's last event), or nothing.
pub fn clock_text<C: Clocks>(
    trace: &Trace,
    stamps: &Stamps<C>,
    item: Item,
    clock: ClockLabel,
) -> Option<String> {
    match clock {
        ClockLabel::Lamport => Some(format!("L{}", lamport_text(stamps, item))),
        ClockLabel::Vector => Some(vc_text(trace, stamps, item.last())),
        ClockLabel::None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_arrow_crosses_lanes_and_holds_its_label() {
        let mut cells = vec![(' ', Paint::Plain); 12];
        draw_arrow(&mut cells, 0, 8, 4, Paint::Plain, "m1");
        let s: String = cells.iter().map(|c| c.0).collect();
        assert_eq!(s, "├─m1┼──▶    ");
        let mut cells = vec![(' ', Paint::Plain); 12];
        draw_arrow(&mut cells, 8, 0, 4, Paint::Plain, "toolong");
        let s: String = cells.iter().map(|c| c.0).collect();
        assert_eq!(s, " ◀──┼───┤   ");
    }
}
