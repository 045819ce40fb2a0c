//! The happens-before graph as Graphviz DOT, one lane (cluster) per node.
//!
//! Written by hand because petgraph's Dot writer cannot group vertices into clusters. Every
//! string the input controls goes through [`quote`], so node names, ids and labels may hold
//! any character. The shape is documented in docs/graph.md and stays stable.

use std::io::{self, Write};

use crate::clock::{Clocks, Stamps};
use crate::graph::{ClockLabel, Item, LooseKind, View, ViewEdgeKind};
use crate::model::{EventKind, Trace};
use crate::render::fmt::one_line;
use crate::render::text::clock_text;

/// Lane colors: (border, fill), cycled by node index.
const LANES: [(&str, &str); 6] = [
    ("#2b7bb9", "#e8f1f8"),
    ("#9b3fa0", "#f5eaf6"),
    ("#b8860b", "#fbf4e3"),
    ("#2e8b57", "#e8f5ee"),
    ("#4b5bb5", "#eceefa"),
    ("#c0392b", "#fbeae8"),
];
/// Loose ends whose other end does not exist at all.
const LOST: &str = "#c0392b";
/// Loose ends whose other end the slice left out.
const ELSEWHERE: &str = "#888888";
/// Label text wraps at about this many characters a line.
const WRAP: usize = 32;
/// At most this many lines of label text; the rest goes to the tooltip only.
const MAX_LINES: usize = 4;

/// Writes `view` as a DOT digraph named `causal`.
///
/// Events are vertices `e<N>` (N the event's index in the input) inside
/// `subgraph cluster_<n>` (n the node's index in name order); folded runs are `f<N>` (N their
/// first event); placeholders for loose message ends are `x<K>`.
#[expect(
    clippy::too_many_lines,
    reason = "the DOT document in order: lanes, headers, edges, loose ends"
)]
pub fn write_dot<C: Clocks>(
    w: &mut dyn Write,
    trace: &Trace,
    stamps: &Stamps<C>,
    view: &View<'_>,
    clock: ClockLabel,
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

    for &lane in &view.lanes {
        let (border, fill) = LANES[lane.index() % LANES.len()];
        writeln!(w)?;
        writeln!(w, "  subgraph cluster_{} {{", lane.index())?;
        writeln!(
            w,
            "    label={}; style=\"rounded,filled\"; color=\"{border}\"; fillcolor=\"{fill}\"; fontcolor=\"{border}\";",
            quote(trace.node_name(lane))
        )?;
        for &i in &by_lane[lane.index()] {
            write!(w, "    ")?;
            write_item(w, trace, stamps, view, i, clock, border)?;
        }
        for &k in &program[lane.index()] {
            let edge = &view.edges[k];
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

    let mut wrote_gap = false;
    for edge in &view.edges {
        let ViewEdgeKind::Message { send, recv } = edge.kind else {
            continue;
        };
        if !std::mem::replace(&mut wrote_gap, true) {
            writeln!(w)?;
        }
        let (border, _) = LANES[trace.event(send).node.index() % LANES.len()];
        writeln!(
            w,
            "  {} -> {} [label={}, color=\"{border}\", fontcolor=\"{border}\"];",
            vertex(view.items[edge.from]),
            vertex(view.items[edge.to]),
            quote(&one_line(trace.message_id(send, recv)))
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

fn write_item<C: Clocks>(
    w: &mut dyn Write,
    trace: &Trace,
    stamps: &Stamps<C>,
    view: &View<'_>,
    i: usize,
    clock: ClockLabel,
    border: &str,
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
