//! The answer of `why ID`: node by node, what the event knew, through whom, and what it did not
//! know yet; as aligned lines for people or one JSON object (docs/reports.md).

use std::io::{self, Write};

use serde::Serialize;

use crate::analysis::why::Knowledge;
use crate::graph::chain_messages;
use crate::model::{EventIdx, Trace};
use crate::render::fmt::{one_line, plural, Style, Table};
use crate::render::Palette;

/// Version of the JSON shape.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct WhyJson<'t> {
    version: u32,
    event: String,
    nodes: Vec<NodeJson<'t>>,
}

#[derive(Serialize)]
struct NodeJson<'t> {
    node: &'t str,
    seen: u32,
    last_known: Option<String>,
    chain: Vec<String>,
    messages: Vec<&'t str>,
    first_unknown: Option<UnknownJson>,
}

#[derive(Serialize)]
struct UnknownJson {
    id: String,
    relation: &'static str,
}

/// Writes the answer as one JSON object and a newline.
pub fn write_json(w: &mut dyn Write, trace: &Trace, k: &Knowledge) -> io::Result<()> {
    let id = |e: EventIdx| trace.event_id(e).to_string();
    let doc = WhyJson {
        version: VERSION,
        event: id(k.event),
        nodes: k
            .nodes
            .iter()
            .map(|n| NodeJson {
                node: trace.node_name(n.node),
                seen: n.seen,
                last_known: n.last_known.map(id),
                chain: n.chain.iter().map(|&e| id(e)).collect(),
                messages: chain_messages(trace, &n.chain),
                first_unknown: n.first_unknown.map(|(u, r)| UnknownJson {
                    id: id(u),
                    relation: r.as_str(),
                }),
            })
            .collect(),
    };
    serde_json::to_writer(&mut *w, &doc)?;
    writeln!(w)
}

/// Writes the answer for people: one line per other node.
pub fn write_text(
    w: &mut dyn Write,
    trace: &Trace,
    k: &Knowledge,
    palette: Palette,
) -> io::Result<()> {
    let ev = trace.event(k.event);
    writeln!(
        w,
        "what {} on {} knew, node by node:",
        palette.node(
            ev.node.index(),
            &one_line(&trace.event_id(k.event).to_string())
        ),
        one_line(trace.node_name(ev.node))
    )?;
    let mut table = Table::new(&[]).indent("  ");
    for n in &k.nodes {
        let known = match (n.seen, n.last_known) {
            (0, _) => "nothing".to_string(),
            (_, Some(e)) => format!("up to {}", trace.event_id(e)),
            (seen, None) => format!("its first {seen} events"),
        };
        let via = if n.chain.len() > 1 {
            let ids: Vec<String> = n
                .chain
                .iter()
                .map(|&e| trace.event_id(e).to_string())
                .collect();
            format!(
                "via {} ({})",
                ids.join(" → "),
                plural(chain_messages(trace, &n.chain).len() as u64, "message")
            )
        } else {
            String::new()
        };
        let next = match n.first_unknown {
            Some((u, r)) => format!("not yet {} ({})", trace.event_id(u), r.as_str()),
            None => "nothing more".to_string(),
        };
        table.row([
            (
                trace.node_name(n.node).to_string(),
                Style::Node(n.node.index()),
            ),
            (known, Style::Plain),
            (next, Style::Dim),
            (via, Style::Plain),
        ]);
    }
    table.write(w, palette)
}
