//! What differs between two executions: for people (counts, then witnesses section by
//! section), as one JSON object (docs/reports.md), or as execution B drawn in DOT with the
//! differences colored.

use std::io::{self, Write};

use serde::Serialize;

use crate::analysis::diff::{DiffReport, KnowledgeDifference, NodeDifference};
use crate::clock::{Clocks, Stamps};
use crate::graph::{ClockLabel, View};
use crate::model::{EventIdx, Trace};
use crate::render::dot::{write_dot_highlighted, Highlights};
use crate::render::fmt::{event_json, one_line, plural, EventJson, Style, Table};
use crate::render::Palette;

/// Version of the JSON shape.
pub const VERSION: u32 = 1;

/// The two executions, for naming events.
#[derive(Clone, Copy, Debug)]
pub struct Sides<'t> {
    /// Execution A.
    pub a: &'t Trace,
    /// Execution B.
    pub b: &'t Trace,
}

#[derive(Serialize)]
struct DiffJson<'t> {
    version: u32,
    differ: bool,
    a: SideJson<'t>,
    b: SideJson<'t>,
    matched: u64,
    nodes_only_a: Vec<&'t str>,
    nodes_only_b: Vec<&'t str>,
    only_a: ListJson<EventJson<'t>>,
    only_b: ListJson<EventJson<'t>>,
    messages_only_a: ListJson<MessageJson<'t>>,
    messages_only_b: ListJson<MessageJson<'t>>,
    knowledge: ListJson<KnowledgeJson<'t>>,
}

#[derive(Serialize)]
struct SideJson<'t> {
    files: &'t [String],
    executions: &'t [String],
    events: usize,
    nodes: usize,
}

#[derive(Serialize)]
struct ListJson<T> {
    count: u64,
    items: Vec<T>,
}

#[derive(Serialize)]
struct MessageJson<'t> {
    msg: &'t str,
    send: EventJson<'t>,
    recv: EventJson<'t>,
}

#[derive(Serialize)]
struct KnowledgeJson<'t> {
    a: EventJson<'t>,
    b: EventJson<'t>,
    nodes: Vec<NodeJson<'t>>,
}

#[derive(Serialize)]
struct NodeJson<'t> {
    node: &'t str,
    last_a: Option<String>,
    last_b: Option<String>,
    only_a: Vec<String>,
    only_a_count: u64,
    only_b: Vec<String>,
    only_b_count: u64,
}

fn message_json(t: &Trace, (s, r): (EventIdx, EventIdx)) -> MessageJson<'_> {
    MessageJson {
        msg: t.message_id(s, r),
        send: event_json(t, s),
        recv: event_json(t, r),
    }
}

fn list<T, U>(all: &[T], limit: Option<usize>, f: impl Fn(&T) -> U) -> ListJson<U> {
    ListJson {
        count: all.len() as u64,
        items: all
            .iter()
            .take(limit.unwrap_or(usize::MAX))
            .map(f)
            .collect(),
    }
}

fn node_name<'t>(sides: Sides<'t>, d: &NodeDifference) -> &'t str {
    match (d.node_b, d.node_a) {
        (Some(n), _) => sides.b.node_name(n),
        (None, Some(n)) => sides.a.node_name(n),
        (None, None) => "",
    }
}

/// Writes the comparison as one JSON object and a newline; every list holds at most `limit`
/// items (`None`: all), its `count` is exact.
pub fn write_json(
    w: &mut dyn Write,
    sides: Sides<'_>,
    r: &DiffReport,
    limit: Option<usize>,
) -> io::Result<()> {
    let (a, b) = (sides.a, sides.b);
    let doc = DiffJson {
        version: VERSION,
        differ: r.differs(),
        a: SideJson {
            files: &a.files,
            executions: &a.executions,
            events: a.len(),
            nodes: a.nodes.len(),
        },
        b: SideJson {
            files: &b.files,
            executions: &b.executions,
            events: b.len(),
            nodes: b.nodes.len(),
        },
        matched: r.matched,
        nodes_only_a: r.nodes_only_a.iter().map(|&n| a.node_name(n)).collect(),
        nodes_only_b: r.nodes_only_b.iter().map(|&n| b.node_name(n)).collect(),
        only_a: list(&r.only_a, limit, |&e| event_json(a, e)),
        only_b: list(&r.only_b, limit, |&e| event_json(b, e)),
        messages_only_a: list(&r.messages_only_a, limit, |&m| message_json(a, m)),
        messages_only_b: list(&r.messages_only_b, limit, |&m| message_json(b, m)),
        knowledge: ListJson {
            count: r.knowledge_differs,
            items: r
                .knowledge
                .iter()
                .map(|k| KnowledgeJson {
                    a: event_json(a, k.a),
                    b: event_json(b, k.b),
                    nodes: k
                        .nodes
                        .iter()
                        .map(|d| NodeJson {
                            node: node_name(sides, d),
                            last_a: d.last_a.map(|e| a.event_id(e).to_string()),
                            last_b: d.last_b.map(|e| b.event_id(e).to_string()),
                            only_a: d
                                .only_a
                                .iter()
                                .map(|&e| a.event_id(e).to_string())
                                .collect(),
                            only_a_count: d.only_a_count,
                            only_b: d
                                .only_b
                                .iter()
                                .map(|&e| b.event_id(e).to_string())
                                .collect(),
                            only_b_count: d.only_b_count,
                        })
                        .collect(),
                })
                .collect(),
        },
    };
    serde_json::to_writer(&mut *w, &doc)?;
    writeln!(w)
}

/// How the input of one side is named: its files, and its execution when one was chosen.
fn side_name(t: &Trace) -> String {
    one_line(&t.files.join(" "))
}

/// Writes the comparison for people: a summary, then each kind of difference with at most
/// `limit` witnesses (`None`: all).
pub fn write_text(
    w: &mut dyn Write,
    sides: Sides<'_>,
    r: &DiffReport,
    limit: Option<usize>,
    palette: Palette,
) -> io::Result<()> {
    let (a, b) = (sides.a, sides.b);
    for (tag, t) in [("A", a), ("B", b)] {
        writeln!(
            w,
            "{}: {} ({} on {})",
            palette.bold(tag),
            side_name(t),
            plural(t.len() as u64, "event"),
            plural(t.nodes.len() as u64, "node")
        )?;
    }
    if !r.differs() {
        return writeln!(
            w,
            "no difference: every event matched, the same messages, the same knowledge"
        );
    }
    writeln!(
        w,
        "{} matched; {} only in A, {} only in B; {} only in A, {} only in B; {} knew otherwise",
        plural(r.matched, "event"),
        r.only_a.len(),
        r.only_b.len(),
        plural(r.messages_only_a.len() as u64, "message"),
        r.messages_only_b.len(),
        plural(r.knowledge_differs, "matched event"),
    )?;
    for (tag, nodes, t) in [("A", &r.nodes_only_a, a), ("B", &r.nodes_only_b, b)] {
        if !nodes.is_empty() {
            let names: Vec<String> = nodes.iter().map(|&n| one_line(t.node_name(n))).collect();
            writeln!(w, "nodes only in {tag}: {}", names.join(", "))?;
        }
    }
    let cut = limit.unwrap_or(usize::MAX);
    for (tag, events, t) in [("A", &r.only_a, a), ("B", &r.only_b, b)] {
        if events.is_empty() {
            continue;
        }
        writeln!(w)?;
        writeln!(
            w,
            "{} ({})",
            palette.bold(&format!("events only in {tag}")),
            events.len()
        )?;
        let mut table = Table::new(&[]).indent("  ");
        for &e in events.iter().take(cut) {
            let ev = t.event(e);
            table.row([
                (t.event_id(e).to_string(), Style::Node(ev.node.index())),
                (t.location(e).to_string(), Style::Dim),
                (
                    ev.label.as_deref().unwrap_or_default().to_string(),
                    Style::Plain,
                ),
            ]);
        }
        table.write(w, palette)?;
        shown_note(w, events.len().min(cut), events.len(), palette)?;
    }
    for (tag, messages, t) in [("A", &r.messages_only_a, a), ("B", &r.messages_only_b, b)] {
        if messages.is_empty() {
            continue;
        }
        writeln!(w)?;
        writeln!(
            w,
            "{} ({})",
            palette.bold(&format!("messages only in {tag}")),
            messages.len()
        )?;
        let mut table = Table::new(&[]).indent("  ");
        for &(s, rc) in messages.iter().take(cut) {
            table.row([
                (t.message_id(s, rc).to_string(), Style::Plain),
                (
                    format!("{} → {}", t.event_id(s), t.event_id(rc)),
                    Style::Plain,
                ),
                (t.location(rc).to_string(), Style::Dim),
                (
                    t.event(s).label.as_deref().unwrap_or_default().to_string(),
                    Style::Plain,
                ),
            ]);
        }
        table.write(w, palette)?;
        shown_note(w, messages.len().min(cut), messages.len(), palette)?;
    }
    if r.knowledge_differs > 0 {
        writeln!(w)?;
        writeln!(
            w,
            "{} ({}; the first in B's Lamport order)",
            palette.bold("matched events that knew otherwise"),
            r.knowledge_differs
        )?;
        for k in &r.knowledge {
            write_knowledge(w, sides, k, palette)?;
        }
        shown_note(w, r.knowledge.len(), r.knowledge_differs as usize, palette)?;
    }
    Ok(())
}

fn shown_note(w: &mut dyn Write, shown: usize, all: usize, palette: Palette) -> io::Result<()> {
    if shown < all {
        writeln!(
            w,
            "{}",
            palette.dim(&format!("  ({shown} of {all} shown; --limit 0 shows all)"))
        )?;
    }
    Ok(())
}

/// `x#3` when both sides call the event alike, else `x#3 (B: x#2)`.
fn pair_name(sides: Sides<'_>, a: EventIdx, b: EventIdx) -> String {
    let (ia, ib) = (
        sides.a.event_id(a).to_string(),
        sides.b.event_id(b).to_string(),
    );
    if ia == ib {
        ia
    } else {
        format!("{ia} (B: {ib})")
    }
}

fn ids(t: &Trace, events: &[EventIdx], count: u64) -> String {
    let mut names: Vec<String> = events.iter().map(|&e| t.event_id(e).to_string()).collect();
    if count as usize > events.len() {
        names.push(format!("and {} more", count as usize - events.len()));
    }
    names.join(", ")
}

fn write_knowledge(
    w: &mut dyn Write,
    sides: Sides<'_>,
    k: &KnowledgeDifference,
    palette: Palette,
) -> io::Result<()> {
    let (a, b) = (sides.a, sides.b);
    let node = a.event(k.a).node;
    writeln!(
        w,
        "  {}  {}",
        palette.node(node.index(), &one_line(&pair_name(sides, k.a, k.b))),
        one_line(a.event(k.a).label.as_deref().unwrap_or_default())
    )?;
    for d in &k.nodes {
        let up_to = |t: &Trace, e: Option<EventIdx>| {
            e.map_or_else(
                || "nothing".to_string(),
                |e| format!("up to {}", t.event_id(e)),
            )
        };
        let mut line = format!(
            "{}: A knew {}, B {}",
            node_name(sides, d),
            up_to(a, d.last_a),
            up_to(b, d.last_b)
        );
        if d.only_a_count > 0 {
            line.push_str(&format!(
                "; only A knew {}",
                ids(a, &d.only_a, d.only_a_count)
            ));
        }
        if d.only_b_count > 0 {
            line.push_str(&format!(
                "; only B knew {}",
                ids(b, &d.only_b, d.only_b_count)
            ));
        }
        writeln!(w, "    {}", one_line(&line))?;
    }
    Ok(())
}

/// Fill of events only in B.
const ONLY_B: &str = "#c8f0c8";
/// Fill of matched events that knew otherwise.
const KNEW: &str = "#ffe0a0";
/// Messages only in B.
const MESSAGE_ONLY_B: &str = "#1e8449";
/// Messages only in A, drawn between the matches of their events.
const MESSAGE_ONLY_A: &str = "#c0392b";

/// Writes execution B as DOT (through [`write_dot_highlighted`]) with the differences
/// colored: events only in B green, matched events that knew otherwise amber, messages only in
/// B green and bold, messages only in A dashed red between the matches of their events when
/// both are drawn. A caption says how many of each, and how many events only A has.
pub fn write_dot<C: Clocks>(
    w: &mut dyn Write,
    sides: Sides<'_>,
    r: &DiffReport,
    stamps: &Stamps<C>,
    view: &View<'_>,
) -> io::Result<()> {
    let (a, b) = (sides.a, sides.b);
    let mut h = Highlights::default();
    for &e in &r.only_b {
        h.events.insert(e, (ONLY_B, "only in B".to_string()));
    }
    for k in &r.knowledge {
        let mut why = format!("knew otherwise than {} in A:", a.event_id(k.a));
        for d in &k.nodes {
            why.push_str(&format!(
                " {} (A {}, B {})",
                node_name(sides, d),
                d.only_a_count,
                d.only_b_count
            ));
        }
        h.events.insert(k.b, (KNEW, why));
    }
    for &m in &r.messages_only_b {
        h.messages.insert(m, (MESSAGE_ONLY_B, "only in B"));
    }
    for &(s, rc) in &r.messages_only_a {
        if let (Some(ms), Some(mr)) = (r.a_to_b[s.index()], r.a_to_b[rc.index()]) {
            h.ghosts.push((
                ms,
                mr,
                format!("{} (only in A)", one_line(a.message_id(s, rc))),
                MESSAGE_ONLY_A,
            ));
        }
    }
    h.caption = Some(format!(
        "B: {} compared with A: {}. Green: only in B ({} events, {} messages); red dashed: \
         messages only in A ({}); amber: knew otherwise ({} of {} shown); not drawn: {} events \
         only in A",
        side_name(b),
        side_name(a),
        r.only_b.len(),
        r.messages_only_b.len(),
        r.messages_only_a.len(),
        r.knowledge.len(),
        r.knowledge_differs,
        r.only_a.len()
    ));
    write_dot_highlighted(w, b, stamps, view, ClockLabel::None, &h)
}
