//! The happens-before graph as Graphviz DOT, one lane (cluster) per node.
//!
//! Written by hand because petgraph's Dot writer cannot group vertices into clusters. Every
//! string the input controls goes through [`quote`], so node names, ids and labels may hold
//! any character. The shape is documented in docs/graph.md and stays stable.

use std::collections::HashMap;
use std::io::{self, Write};

use crate::clock::{Clocks, Stamps};
use crate::graph::{ClockLabel, Item, LooseKind, View, ViewEdgeKind};
use crate::model::{EventIdx, EventKind, Trace};
use crate::render::fmt::one_line;
use crate::render::text::clock_text;

/// Lane colors for the first lanes drawn: (border, fill), chosen to be told apart (none of
/// them the red of lost messages).
const LANES: [(&str, &str); 10] = [
    ("#2b7bb9", "#e8f1f8"),
    ("#9b3fa0", "#f5eaf6"),
    ("#b8860b", "#fbf4e3"),
    ("#2e8b57", "#e8f5ee"),
    ("#4b5bb5", "#eceefa"),
    ("#7b5e3b", "#f3ede6"),
    ("#17808c", "#e4f3f4"),
    ("#6b8e23", "#eff4e6"),
    ("#4a235a", "#efe7f2"),
    ("#5d6d7e", "#eef0f2"),
];
/// Loose ends whose other end does not exist at all.
const LOST: &str = "#c0392b";

/// The colors of the `k`-th lane drawn: the table above, then hues a golden angle apart (so
/// neighbours differ most), never near red, with two lightnesses alternating.
pub fn lane_color(k: usize) -> (String, String) {
    if let Some(&(border, fill)) = LANES.get(k) {
        return (border.to_string(), fill.to_string());
    }
    // Hues in [30, 330) degrees, at least 30 degrees from the lost-message red, spread by the
    // golden ratio; three lightnesses in turn.
    let hue = 30.0 + (k as f64 * 0.618_033_988_75).fract() * 300.0;
    let dark = [0.30, 0.38, 0.46][k % 3];
    (hsl(hue, 0.55, dark), hsl(hue, 0.55, 0.94))
}

/// `#rrggbb` of a color given by hue (degrees), saturation and lightness (0 to 1).
fn hsl(h: f64, s: f64, l: f64) -> String {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let x = c * (1.0 - ((h / 60.0) % 2.0 - 1.0).abs());
    let (r, g, b) = match (h / 60.0) as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    let byte = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    format!("#{:02x}{:02x}{:02x}", byte(r), byte(g), byte(b))
}
/// Loose ends whose other end the slice left out.
const ELSEWHERE: &str = "#888888";
/// Label text wraps at about this many characters a line.
const WRAP: usize = 32;
/// At most this many lines of label text; the rest goes to the tooltip only.
const MAX_LINES: usize = 4;

/// Colors laid over a drawing by a comparison (`diff --format dot`): some events filled, some
/// messages recolored, and dashed edges for messages the drawn execution lacks.
#[derive(Clone, Debug, Default)]
pub struct Highlights {
    /// Events to fill: their fill color and a tooltip saying why.
    pub events: HashMap<EventIdx, (&'static str, String)>,
    /// Message edges (send, receive) to draw in a color of their own, with a label suffix.
    pub messages: HashMap<(EventIdx, EventIdx), (&'static str, &'static str)>,
    /// Dashed edges between drawn events (from, to, label, color) that do not constrain the
    /// layout: messages of another execution.
    pub ghosts: Vec<(EventIdx, EventIdx, String, &'static str)>,
    /// A caption over the drawing (the legend).
    pub caption: Option<String>,
}

/// Writes `view` as a DOT digraph named `causal`.
///
/// Events are vertices `e<N>` (N the event's index in the input) inside
/// `subgraph cluster_<n>` (n the node's index in name order); folded runs are `f<N>` (N their
/// first event); placeholders for loose message ends are `x<K>`.
pub fn write_dot<C: Clocks>(
    w: &mut dyn Write,
    trace: &Trace,
    stamps: &Stamps<C>,
    view: &View<'_>,
    clock: ClockLabel,
) -> io::Result<()> {
    write_dot_highlighted(w, trace, stamps, view, clock, &Highlights::default())
}

/// [`write_dot`] with `highlights` laid over the drawing.
#[expect(
    clippy::too_many_lines,
    reason = "the DOT document in order: lanes, headers, edges, loose ends"
)]
pub fn write_dot_highlighted<C: Clocks>(
    w: &mut dyn Write,
    trace: &Trace,
    stamps: &Stamps<C>,
    view: &View<'_>,
    clock: ClockLabel,
    highlights: &Highlights,
) -> io::Result<()> {
    writeln!(
        w,
        "// causal: happens-before graph, {} node{}, {} item{}",
        view.lanes.len(),
        plural(view.lanes.len()),
        view.items.len(),
        plural(view.items.len())
    )?;
    writeln!(w, "digraph causal {{")?;
    writeln!(
        w,
        "  graph [rankdir=TB, newrank=true, nodesep=0.25, ranksep=0.3, fontname=\"Helvetica\"];"
    )?;
    if let Some(caption) = &highlights.caption {
        writeln!(w, "  label={}; labelloc=t;", quote(caption))?;
    }
    writeln!(
        w,
        "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"Helvetica\", fontsize=10];"
    )?;
    writeln!(w, "  edge [fontname=\"Helvetica\", fontsize=9];")?;

    let mut by_lane: Vec<Vec<usize>> = vec![Vec::new(); trace.nodes.len()];
    for (i, item) in view.items.iter().enumerate() {
        by_lane[trace.event(item.first()).node.index()].push(i);
    }
    let mut program: Vec<Vec<usize>> = vec![Vec::new(); trace.nodes.len()];
    for (k, edge) in view.edges.iter().enumerate() {
        if let ViewEdgeKind::Program { .. } = edge.kind {
            let node = trace.event(view.items[edge.from].first()).node;
            program[node.index()].push(k);
        }
    }
    // Lanes are colored by their place in the drawing, so the lanes drawn differ.
    let mut colors: Vec<(String, String)> = vec![Default::default(); trace.nodes.len()];
    for (k, &lane) in view.lanes.iter().enumerate() {
        colors[lane.index()] = lane_color(k);
    }

    for (k, &lane) in view.lanes.iter().enumerate() {
        let (border, fill) = &colors[lane.index()];
        writeln!(w)?;
        writeln!(w, "  subgraph cluster_{} {{", lane.index())?;
        writeln!(
            w,
            "    label=\"\"; style=\"rounded,filled\"; color=\"{border}\"; fillcolor=\"{fill}\";"
        )?;
        // The lane's header: its node's name, at the top, level with the other headers.
        writeln!(
            w,
            "    h{k} [label={}, shape=box, style=\"filled\", color=\"{border}\", fillcolor=\"{border}\", fontcolor=\"#ffffff\"];",
            quote(trace.node_name(lane))
        )?;
        for &i in &by_lane[lane.index()] {
            write!(w, "    ")?;
            write_item(w, trace, stamps, view, i, clock, border, highlights)?;
        }
        if let Some(&first) = by_lane[lane.index()].first() {
            writeln!(
                w,
                "    h{k} -> {} [weight=10, style=invis];",
                vertex(view.items[first])
            )?;
        }
        for &e in &program[lane.index()] {
            let edge = &view.edges[e];
            let (a, b) = (vertex(view.items[edge.from]), vertex(view.items[edge.to]));
            match edge.kind {
                ViewEdgeKind::Program { hidden: 0 } => {
                    writeln!(w, "    {a} -> {b} [weight=10, color=\"{border}\"];")?
                }
                ViewEdgeKind::Program { hidden } => writeln!(
                    w,
                    "    {a} -> {b} [weight=10, color=\"{border}\", style=dotted, label={}];",
                    quote(&format!("{hidden} hidden"))
                )?,
                ViewEdgeKind::Message { .. } => {}
            }
        }
        writeln!(w, "  }}")?;
    }
    write_ranks(w, stamps, view)?;

    let mut wrote_gap = false;
    for edge in &view.edges {
        let ViewEdgeKind::Message { send, recv } = edge.kind else {
            continue;
        };
        if !std::mem::replace(&mut wrote_gap, true) {
            writeln!(w)?;
        }
        let mut border = colors[trace.event(send).node.index()].0.as_str();
        let mut label = one_line(trace.message_id(send, recv));
        let mut style = "";
        if let Some(&(color, note)) = highlights.messages.get(&(send, recv)) {
            border = color;
            label = format!("{label} ({note})");
            style = ", penwidth=2";
        }
        writeln!(
            w,
            "  {} -> {} [label={}, color=\"{border}\", fontcolor=\"{border}\"{style}];",
            vertex(view.items[edge.from]),
            vertex(view.items[edge.to]),
            quote(&label)
        )?;
    }
    for (from, to, label, color) in &highlights.ghosts {
        let (Some(a), Some(b)) = (view.item_of(*from), view.item_of(*to)) else {
            continue;
        };
        if !std::mem::replace(&mut wrote_gap, true) {
            writeln!(w)?;
        }
        writeln!(
            w,
            "  {} -> {} [label={}, style=dashed, constraint=false, color=\"{color}\", fontcolor=\"{color}\"];",
            vertex(view.items[a]),
            vertex(view.items[b]),
            quote(label)
        )?;
    }

    if !view.loose.is_empty() {
        writeln!(w)?;
    }
    for (k, end) in view.loose.iter().enumerate() {
        let here = vertex(view.items[end.item]);
        let msg = one_line(end.msg);
        let (placeholder, edge_label, color, style, outgoing) = match end.kind {
            LooseKind::NeverReceived => (
                "shape=point, width=0.08".to_string(),
                format!("{msg} (never received)"),
                LOST,
                "dashed",
                true,
            ),
            LooseKind::NeverSent => (
                "shape=point, width=0.08".to_string(),
                format!("{msg} (never sent)"),
                LOST,
                "dashed",
                false,
            ),
            LooseKind::ToOutside | LooseKind::FromOutside => (
                "shape=plaintext, style=\"\", fontsize=8, label=\"outside\"".to_string(),
                msg,
                ELSEWHERE,
                "dotted",
                end.kind == LooseKind::ToOutside,
            ),
            LooseKind::ToHidden(other) | LooseKind::FromHidden(other) => (
                format!(
                    "shape=plaintext, style=\"\", fontsize=8, label={}",
                    quote(&trace.event_id(other).to_string())
                ),
                msg,
                ELSEWHERE,
                "dotted",
                matches!(end.kind, LooseKind::ToHidden(_)),
            ),
        };
        writeln!(
            w,
            "  x{k} [{placeholder}, color=\"{color}\", fontcolor=\"{color}\"];"
        )?;
        let (from, to) = if outgoing {
            (here, format!("x{k}"))
        } else {
            (format!("x{k}"), here)
        };
        writeln!(
            w,
            "  {from} -> {to} [style={style}, color=\"{color}\", fontcolor=\"{color}\", label={}];",
            quote(&edge_label)
        )?;
    }
    writeln!(w, "}}")
}

/// Ranks by Lamport clock: an invisible anchor per Lamport value, in a chain, each item on the
/// rank of its (first event's) clock, the headers on a rank above all and in lane order. So no
/// event is drawn above one with a smaller Lamport clock, on any lane, and the lanes come out
/// in the order asked.
fn write_ranks<C: Clocks>(
    w: &mut dyn Write,
    stamps: &Stamps<C>,
    view: &View<'_>,
) -> io::Result<()> {
    if view.items.is_empty() {
        return Ok(());
    }
    let mut by_clock: std::collections::BTreeMap<u64, Vec<usize>> = Default::default();
    for (i, item) in view.items.iter().enumerate() {
        by_clock
            .entry(stamps.lamport[item.first().index()])
            .or_default()
            .push(i);
    }
    writeln!(w)?;
    // An anonymous subgraph keeps these invisible defaults to the anchors.
    writeln!(w, "  {{")?;
    writeln!(
        w,
        "    node [style=invis, width=0, height=0, fixedsize=true, label=\"\"]; edge [style=invis];"
    )?;
    let headers: Vec<String> = (0..view.lanes.len()).map(|k| format!("h{k}")).collect();
    // An anchor above the headers whose edges, in order, fix the lanes left to right.
    writeln!(w, "    top [ordering=out];")?;
    for h in &headers {
        writeln!(w, "    top -> {h};")?;
    }
    writeln!(w, "    top -> r0;")?;
    writeln!(
        w,
        "    {{rank=same; r0; {}}}",
        headers.iter().map(|h| format!("{h}; ")).collect::<String>()
    )?;
    let mut previous = "r0".to_string();
    for (clock, items) in &by_clock {
        let anchor = format!("r{clock}");
        let members: Vec<String> = items.iter().map(|&i| vertex(view.items[i])).collect();
        writeln!(w, "    {previous} -> {anchor};")?;
        writeln!(w, "    {{rank=same; {anchor}; {};}}", members.join("; "))?;
        previous = anchor;
    }
    writeln!(w, "  }}")
}

#[expect(
    clippy::too_many_arguments,
    reason = "one item needs the whole drawing's context"
)]
fn write_item<C: Clocks>(
    w: &mut dyn Write,
    trace: &Trace,
    stamps: &Stamps<C>,
    view: &View<'_>,
    i: usize,
    clock: ClockLabel,
    border: &str,
    highlights: &Highlights,
) -> io::Result<()> {
    let item = view.items[i];
    let mut lines = Vec::new();
    let mut tooltip = None;
    let mut attrs = String::new();
    match item {
        Item::Folded { first, last, count } => {
            lines.push(format!("{count} local events"));
            lines.push(format!(
                "{} … {}",
                trace.event_id(first),
                trace.event_id(last)
            ));
            attrs.push_str(", style=\"rounded,dashed\"");
        }
        Item::Event(e) => {
            let ev = trace.event(e);
            lines.push(trace.event_id(e).to_string());
            if let Some(label) = ev.label.as_deref() {
                let wrapped = wrap(label, WRAP);
                if wrapped.len() > MAX_LINES {
                    tooltip = Some(label.to_string());
                    lines.extend(wrapped.into_iter().take(MAX_LINES - 1));
                    lines.push("…".to_string());
                } else {
                    lines.extend(wrapped);
                }
            }
            if ev.kind != EventKind::Local {
                attrs.push_str(&format!(", color=\"{border}\""));
            }
            if view.focus == Some(e) {
                attrs.push_str(", penwidth=2.5, fillcolor=\"#fff3b0\"");
            }
            if let Some((fill, why)) = highlights.events.get(&e) {
                attrs.push_str(&format!(", penwidth=2, fillcolor=\"{fill}\""));
                tooltip = Some(match tooltip {
                    Some(label) => format!("{why}\n{label}"),
                    None => why.clone(),
                });
            }
        }
    }
    if let Some(text) = clock_text(trace, stamps, item, clock) {
        lines.push(text);
    }
    let label: Vec<String> = lines.iter().map(|l| escape(l)).collect();
    write!(
        w,
        "{} [label=\"{}\"{attrs}",
        vertex(item),
        label.join("\\n")
    )?;
    if let Some(t) = tooltip {
        write!(w, ", tooltip={}", quote(&t))?;
    }
    writeln!(w, "];")
}

fn vertex(item: Item) -> String {
    match item {
        Item::Event(e) => format!("e{}", e.0),
        Item::Folded { first, .. } => format!("f{}", first.0),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `s` as a DOT quoted string whose label shows exactly `s`: see [`escape`].
pub fn quote(s: &str) -> String {
    format!("\"{}\"", escape(s))
}

/// The inside of a DOT quoted string that Graphviz shows as `s`.
///
/// A quote becomes `\"`; a backslash `\\`, so that no escape of Graphviz's own (`\N`, `\l`,
/// a backslash before the closing quote) can arise from input; a line break the `\n` escape;
/// other control characters their visible Unicode "control picture" (U+2400 block), since
/// Graphviz has no way to show them.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'))
            }
            '\u{7f}' => out.push('\u{2421}'),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Splits `s` into lines of about `width` characters at spaces (a longer word gets a line
/// of its own); the input's own line breaks are kept.
fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for para in s.split('\n') {
        let para = para.strip_suffix('\r').unwrap_or(para);
        let mut line = String::new();
        for word in para.split(' ') {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_quotes_backslashes_and_breaks_visible() {
        assert_eq!(quote(r#"say "hi""#), r#""say \"hi\"""#);
        assert_eq!(quote(r"C:\dir\"), r#""C:\\dir\\""#);
        assert_eq!(quote("a\nb\r\nc"), r#""a\nb\nc""#);
        assert_eq!(quote("bell\u{7}"), "\"bell\u{2407}\"");
        assert_eq!(quote("ünï ☃ 日本"), "\"ünï ☃ 日本\"");
    }

    #[test]
    fn labels_wrap_at_spaces_and_keep_their_line_breaks() {
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap("a\nb", 10), ["a", "b"]);
        assert_eq!(
            wrap("averyveryverylongword x", 5),
            ["averyveryverylongword", "x"]
        );
    }
}

#[cfg(test)]
mod lane_colors {
    use super::*;

    #[test]
    fn lanes_get_distinct_colors_none_of_them_the_lost_red() {
        let colors: Vec<(String, String)> = (0..64).map(lane_color).collect();
        let borders: std::collections::HashSet<&str> =
            colors.iter().map(|(b, _)| b.as_str()).collect();
        assert_eq!(borders.len(), 64, "every lane its own color");
        for (border, _) in &colors {
            assert_ne!(border, LOST);
            let rgb = |i: usize| u8::from_str_radix(&border[1 + 2 * i..3 + 2 * i], 16).unwrap();
            let (r, g, b) = (i32::from(rgb(0)), i32::from(rgb(1)), i32::from(rgb(2)));
            // Not a red: red does not dominate both other channels by much.
            assert!(!(r > g + 60 && r > b + 60), "{border} reads as red");
        }
    }
}
