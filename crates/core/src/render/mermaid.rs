//! The happens-before graph as a Mermaid `sequenceDiagram`, for Markdown (GitHub renders it).
//!
//! One participant per node (aliased `P0`, `P1`, ... so that any node name works), messages
//! as arrows placed so that every lane keeps its program order (crossing messages as a pair
//! of notes), local events and loose message ends as notes. Every text the
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

/// What one line of the diagram shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Line {
    /// An item: a note over its lane when it is local, folded or has loose ends.
    Item(usize),
    /// A message drawn as an arrow: the edge's index into [`View::edges`].
    Arrow(usize),
    /// One end of a message whose arrow could not keep both lanes in program order: a note at
    /// its send (`true`) or at its receive (`false`).
    Noted(usize, bool),
}

/// The diagram's lines, in an order that keeps every lane in program order.
///
/// A sequence diagram draws a message as one arrow at one height, so the arrow must come after
/// everything before the send on the sender's lane and everything before the receive on the
/// receiver's. Lanes advance while their next item waits for nothing; a send is drawn, with
/// all its arrows, once each of its receives is next on its lane and waits for nothing else.
/// When no lane can advance (two messages cross: each node sends before it receives the
/// other's), the first send that waits only for its receivers is drawn with notes for the
/// receives that are not ready: `send m6 -> payments` at the send, `recv m6 <- gateway` at
/// the receive.
fn schedule(trace: &Trace, view: &View<'_>) -> Vec<Line> {
    let mut s = Schedule::new(trace, view);
    while s.left > 0 {
        let mut progress = false;
        for l in 0..s.queues.len() {
            while let Some(i) = s.head_of(l) {
                if s.waits(i, None) || !s.outgoing[i].iter().all(|&k| s.ready(k)) {
                    break;
                }
                s.draw(i);
                progress = true;
            }
        }
        if progress {
            continue;
        }
        let Some(i) = (0..s.queues.len())
            .filter_map(|l| s.head_of(l))
            .find(|&i| !s.waits(i, None))
        else {
            break;
        };
        for k in s.outgoing[i].clone() {
            if !s.ready(k) {
                s.noted[k] = true;
            }
        }
        s.draw(i);
    }
    s.lines
}

/// The state of [`schedule`].
struct Schedule<'v> {
    view: &'v View<'v>,
    incoming: Vec<Vec<usize>>,
    outgoing: Vec<Vec<usize>>,
    lane: Vec<usize>,
    queues: Vec<Vec<usize>>,
    head: Vec<usize>,
    done: Vec<bool>,
    noted: Vec<bool>,
    left: usize,
    lines: Vec<Line>,
}

impl<'v> Schedule<'v> {
    fn new(trace: &Trace, view: &'v View<'v>) -> Self {
        let n = view.items.len();
        let (mut incoming, mut outgoing) = (vec![Vec::new(); n], vec![Vec::new(); n]);
        for (k, edge) in view.edges.iter().enumerate() {
            if let ViewEdgeKind::Message { .. } = edge.kind {
                incoming[edge.to].push(k);
                outgoing[edge.from].push(k);
            }
        }
        let place: HashMap<NodeId, usize> = view
            .lanes
            .iter()
            .enumerate()
            .map(|(i, &l)| (l, i))
            .collect();
        let lane: Vec<usize> = view
            .items
            .iter()
            .map(|item| place[&trace.event(item.first()).node])
            .collect();
        let mut queues = vec![Vec::new(); view.lanes.len()];
        for (i, &l) in lane.iter().enumerate() {
            queues[l].push(i);
        }
        Schedule {
            view,
            incoming,
            outgoing,
            lane,
            head: vec![0; queues.len()],
            queues,
            done: vec![false; n],
            noted: vec![false; view.edges.len()],
            left: n,
            lines: Vec::with_capacity(n + view.edges.len()),
        }
    }

    fn head_of(&self, l: usize) -> Option<usize> {
        self.queues[l].get(self.head[l]).copied()
    }

    /// Whether item `i` waits for a send not drawn yet (other than by edge `except`).
    fn waits(&self, i: usize, except: Option<usize>) -> bool {
        self.incoming[i]
            .iter()
            .any(|&k| Some(k) != except && !self.done[self.view.edges[k].from])
    }

    /// Whether the receive of edge `k` can be drawn now, as its arrow's end: next on its
    /// lane (right after the send, for a message a node sends to itself).
    fn ready(&self, k: usize) -> bool {
        let (s, r) = (self.view.edges[k].from, self.view.edges[k].to);
        let l = self.lane[r];
        let next = self.head[l] + usize::from(self.lane[s] == l);
        self.queues[l].get(next) == Some(&r) && !self.waits(r, Some(k))
    }

    /// Item `i` drawn here: its note, its noted message ends, then an arrow to every receive
    /// not noted, each receive drawn at its arrow's end.
    fn draw(&mut self, i: usize) {
        self.place(i);
        for k in self.outgoing[i].clone() {
            if self.noted[k] {
                self.lines.push(Line::Noted(k, true));
            }
        }
        for k in self.outgoing[i].clone() {
            if !self.noted[k] {
                self.lines.push(Line::Arrow(k));
                let r = self.view.edges[k].to;
                self.place(r);
                // A receive that also sends (vector-clock logs) sends from here, noted.
                for k2 in self.outgoing[r].clone() {
                    self.noted[k2] = true;
                    self.lines.push(Line::Noted(k2, true));
                }
            }
        }
    }

    /// Item `i` is drawn: its note and the noted receives it ends, its lane moves on.
    fn place(&mut self, i: usize) {
        self.lines.push(Line::Item(i));
        for &k in &self.incoming[i] {
            if self.noted[k] {
                self.lines.push(Line::Noted(k, false));
            }
        }
        self.done[i] = true;
        self.head[self.lane[i]] += 1;
        self.left -= 1;
    }
}

/// Writes `view` as a Mermaid sequence diagram in [`schedule`]'s order: every lane in program
/// order.
///
/// A message is drawn as one arrow per receive; its text is the message id and the send's
/// label. Receives' own labels are not drawn.
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
    let loose = loose_notes(trace, view);
    let clock_of = |it: Item| {
        clock_text(trace, stamps, it, clock)
            .map(|c| format!(" [{c}]"))
            .unwrap_or_default()
    };
    for line in schedule(trace, view) {
        match line {
            Line::Arrow(k) => {
                let ViewEdgeKind::Message { send, recv } = view.edges[k].kind else {
                    continue;
                };
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
            Line::Noted(k, at_send) => {
                let ViewEdgeKind::Message { send, recv } = view.edges[k].kind else {
                    continue;
                };
                let msg = trace.message_id(send, recv);
                let (over, said) = if at_send {
                    let to = trace.node_name(trace.event(recv).node);
                    (send, format!("send {msg} -> {to}"))
                } else {
                    let from = trace.node_name(trace.event(send).node);
                    (recv, format!("recv {msg} <- {from}"))
                };
                writeln!(w, "    Note over {}: {}", who(over), text(&said))?;
            }
            Line::Item(i) => {
                let item = view.items[i];
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
