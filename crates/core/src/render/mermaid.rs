//! The happens-before graph as a Mermaid `sequenceDiagram`, for Markdown (GitHub renders it).
//!
//! One participant per node (aliased `P0`, `P1`, ... so that any node name works), messages
//! as arrows at their receive, local events and loose message ends as notes. Every text the
//! input controls goes through [`text`]. The shape is documented in docs/graph.md.

use std::collections::HashMap;
use std::io::{self, Write};

use crate::clock::{Clocks, Stamps};
use crate::graph::{ClockLabel, Item, View, ViewEdgeKind};
use crate::model::{EventIdx, NodeId, Trace};
use crate::render::fmt::{one_line, truncate};
use crate::render::text::{clock_text, loose_notes};

/// Labels longer than this many characters are cut, so diagrams stay readable.
const MAX_LABEL: usize = 80;

/// Writes `view` as a Mermaid sequence diagram, items in the view's order (Lamport order).
///
/// A message is drawn as one arrow per receive, where the receive happens; its text is the
/// message id and the send's label. Receives' own labels are not drawn.
pub fn write_mermaid<C: Clocks>(
    w: &mut dyn Write,
    trace: &Trace,
    stamps: &Stamps<C>,
    view: &View<'_>,
    clock: ClockLabel,
) -> io::Result<()> {
    writeln!(w, "sequenceDiagram")?;
    let mut alias: HashMap<NodeId, String> = HashMap::new();
    for (i, &n) in view.lanes.iter().enumerate() {
        let name = format!("P{i}");
        writeln!(w, "    participant {name} as {}", text(trace.node_name(n)))?;
        alias.insert(n, name);
    }
    let who = |e: EventIdx| alias[&trace.event(e).node].as_str();

    let mut incoming: HashMap<usize, Vec<(EventIdx, EventIdx)>> = HashMap::new();
    for edge in &view.edges {
        if let ViewEdgeKind::Message { send, recv } = edge.kind {
            incoming.entry(edge.to).or_default().push((send, recv));
        }
    }
    let loose = loose_notes(trace, view);

    for (i, &item) in view.items.iter().enumerate() {
        let clock_of = |it: Item| {
            clock_text(trace, stamps, it, clock)
                .map(|c| format!(" [{c}]"))
                .unwrap_or_default()
        };
        match item {
            Item::Folded { first, last, count } => writeln!(
                w,
                "    Note over {}: {}",
                who(first),
                text(&format!(
                    "{count} local events {} … {}{}",
                    trace.event_id(first),
                    trace.event_id(last),
                    clock_of(item)
                ))
            )?,
            Item::Event(e) => {
                for &(send, recv) in incoming.get(&i).map(Vec::as_slice).unwrap_or_default() {
                    let mut said = one_line(trace.message_id(send, recv));
                    if let Some(label) = trace.event(send).label.as_deref() {
                        said.push_str(": ");
                        said.push_str(&truncate(&one_line(label), MAX_LABEL));
                    }
                    if clock != ClockLabel::None {
                        said.push_str(&format!(
                            " [{} → {}]",
                            clock_text(trace, stamps, Item::Event(send), clock).unwrap_or_default(),
                            clock_text(trace, stamps, Item::Event(recv), clock).unwrap_or_default()
                        ));
                    }
                    writeln!(w, "    {}->>{}: {}", who(send), who(recv), text(&said))?;
                }
                let notes = loose.get(&i);
                let ev = trace.event(e);
                if notes.is_none() && ev.roles().next().is_some() {
                    continue;
                }
                let mut said = trace.event_id(e).to_string();
                let notes: Vec<String> = notes
                    .into_iter()
                    .flatten()
                    .map(|n| {
                        let (kind, msg) = (n.kind.as_str(), one_line(n.msg));
                        if n.what.starts_with("never") {
                            format!("{kind} {msg} ({})", n.what)
                        } else {
                            format!("{kind} {msg} {}", n.what)
                        }
                    })
                    .collect();
                if !notes.is_empty() {
                    said.push_str(": ");
                    said.push_str(&notes.join("; "));
                }
                if let Some(label) = ev.label.as_deref() {
                    said.push_str(": ");
                    said.push_str(&truncate(&one_line(label), MAX_LABEL));
                }
                said.push_str(&clock_of(item));
                let focus = if view.focus == Some(e) { "▶ " } else { "" };
                writeln!(w, "    Note over {}: {focus}{}", who(e), text(&said))?;
            }
        }
    }
    Ok(())
}

/// `s` as Mermaid text: on one line, with the characters Mermaid treats specially written as
/// its entity codes, which the rendered diagram shows as the characters themselves: `#` and
/// `;` (its lexer ends text there), `<`, `>` and `&` (HTML once rendered).
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in one_line(s).chars() {
        match c {
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            c => out.push(c),
        }
    }
    let trimmed = out.trim();
    if trimmed.is_empty() {
        // Mermaid needs some text after a colon or `as`.
        "#160;".to_string()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_characters_become_entity_codes() {
        assert_eq!(text("a;b#c"), "a#59;b#35;c");
        assert_eq!(text("<x> & 5%"), "#lt;x#gt; #amp; 5%");
        assert_eq!(text("line\nbreak"), "line break");
        assert_eq!(text("key: \"v\""), "key: \"v\"");
        assert_eq!(text("日本 ☃"), "日本 ☃");
        assert_eq!(text("  "), "#160;");
    }
}
