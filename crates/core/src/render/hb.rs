//! The answers of `hb`: the relation of two events and a shortest causal chain between them, as
//! lines for people (colored on a terminal) or one JSON object (docs/graph.md).
//!
//! The relation and the chain are computed below (clocks and [`crate::graph`]); this module
//! writes them and nothing else.

use std::io::{self, Write};

use serde::Serialize;

use crate::clock::Relation;
use crate::graph::{chain_messages, chain_steps, Step};
use crate::model::{EventIdx, Trace};
use crate::render::fmt::{one_line, plural, Style, Table};
use crate::render::Palette;

/// What `hb A B` found: the two events, their relation, and a shortest chain from the earlier
/// to the later (empty when concurrent, just the event when the same).
#[derive(Clone, Debug)]
pub struct HbAnswer {
    /// The first event asked about.
    pub a: EventIdx,
    /// The second.
    pub b: EventIdx,
    /// How `a` relates to `b`.
    pub relation: Relation,
    /// The chain, earlier event first.
    pub chain: Vec<EventIdx>,
}

/// The JSON shape of an answer (version 1).
#[derive(Serialize)]
struct HbJson<'t> {
    version: u32,
    a: String,
    b: String,
    relation: &'static str,
    path: Vec<String>,
    messages: Vec<&'t str>,
    /// The event of `path` after which the chain runs through events the input left out
    /// (a slice), or null.
    outside_after: Option<String>,
}

/// Writes the answer as one JSON object and a newline.
pub fn write_json(w: &mut dyn Write, trace: &Trace, answer: &HbAnswer) -> io::Result<()> {
    let id = |e: EventIdx| trace.event_id(e).to_string();
    let doc = HbJson {
        version: 1,
        a: id(answer.a),
        b: id(answer.b),
        relation: answer.relation.as_str(),
        path: answer.chain.iter().map(|&e| id(e)).collect(),
        messages: chain_messages(trace, &answer.chain),
        outside_after: chain_steps(trace, &answer.chain)
            .iter()
            .position(|s| *s == Step::Outside)
            .map(|k| id(answer.chain[k])),
    };
    serde_json::to_writer(&mut *w, &doc)?;
    writeln!(w)
}

/// Writes the answer for people: the relation in a sentence, then the chain, one event a line
/// (id, Lamport clock, messages, label) with the step to the next between them.
pub fn write_text(
    w: &mut dyn Write,
    trace: &Trace,
    lamport: &[u64],
    answer: &HbAnswer,
    palette: Palette,
) -> io::Result<()> {
    let name = |e: EventIdx| {
        palette.node(
            trace.event(e).node.index(),
            &one_line(&trace.event_id(e).to_string()),
        )
    };
    let (a, b) = (answer.a, answer.b);
    let word = palette.bold(answer.relation.as_str());
    match answer.relation {
        Relation::Same => writeln!(w, "{word}: both name the event {}", name(a))?,
        Relation::Before => writeln!(w, "{word}: {} happened before {}", name(a), name(b))?,
        Relation::After => writeln!(w, "{word}: {} happened after {}", name(a), name(b))?,
        Relation::Concurrent => writeln!(
            w,
            "{word}: neither {} nor {} happened before the other",
            name(a),
            name(b)
        )?,
    }
    let chain = &answer.chain;
    if chain.len() < 2 {
        return Ok(());
    }
    let steps = chain_steps(trace, chain);
    let messages = steps
        .iter()
        .filter(|s| matches!(s, Step::Message(_)))
        .count();
    let heading = if steps.contains(&Step::Outside) {
        "causal chain, partly through events this input left out"
    } else {
        "shortest causal chain"
    };
    writeln!(
        w,
        "{heading}: {}, {}",
        plural(steps.len() as u64, "step"),
        plural(messages as u64, "message")
    )?;
    let mut table = Table::new(&[]).indent("  ");
    for &e in chain {
        let ev = trace.event(e);
        let roles: Vec<String> = ev
            .roles()
            .map(|(k, m)| format!("{} {m}", k.as_str()))
            .collect();
        table.row([
            (trace.event_id(e).to_string(), Style::Node(ev.node.index())),
            (format!("L{}", lamport[e.index()]), Style::Dim),
            (roles.join(", "), Style::Plain),
            (ev.label.as_deref().unwrap_or("").to_string(), Style::Plain),
        ]);
    }
    for (k, line) in table.lines(palette).into_iter().enumerate() {
        writeln!(w, "{line}")?;
        if let Some(step) = steps.get(k) {
            let via = match step {
                Step::Program => "program order".to_string(),
                Step::Message(m) => format!("message {}", one_line(m)),
                Step::Outside => "through events this input left out".to_string(),
            };
            writeln!(w, "    {}", palette.dim(&format!("↓ {via}")))?;
        }
    }
    Ok(())
}
