//! `causal hb`, `causal past`, `causal future`: causal questions about events named by id.
//!
//! Happens-before is answered from the vector clocks in constant time; the happens-before
//! graph is built (once) only to find a causal chain between two ordered events.

use std::collections::{HashMap, HashSet};

use anyhow::Result;
use serde_json::json;

use super::{load, Context, Outcome};
use crate::cli::{CutArgs, HbArgs, HbFormat};
use crate::clock::{self, relation, Clocks, LamportEngine, Relation, Replay};
use crate::error::Error;
use crate::graph::{message_id, HbGraph};
use crate::model::{EventIdx, Trace};
use crate::render::jsonl::JsonlWriter;
use crate::render::lamport_order_of;
use crate::render::text::one_line;

/// The event an id names: the input's `id`, or `NODE#N` (see [`Trace::id_index`]).
pub fn resolve_id(trace: &Trace, index: &HashMap<String, EventIdx>, id: &str) -> Result<EventIdx> {
    if let Some(&e) = index.get(id) {
        return Ok(e);
    }
    let hint = if trace.is_empty() {
        "the input has no events".to_string()
    } else {
        format!(
            "expected the input's \"id\" or NODE#N, such as {:?}",
            trace.event_id(trace.by_node[0][0]).to_string()
        )
    };
    Err(Error::Usage(format!("unknown event id {id:?}: {hint}")).into())
}

/// One step of a causal chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step<'t> {
    Program,
    Message(&'t str),
}

/// How `chain[k]` leads to `chain[k + 1]`: the next event on a node is program order, anything
/// else a message (a chain found in the happens-before graph has no other steps).
fn steps<'t>(trace: &'t Trace, chain: &[EventIdx]) -> Vec<Step<'t>> {
    chain
        .windows(2)
        .map(|pair| {
            let (x, y) = (trace.event(pair[0]), trace.event(pair[1]));
            if x.node == y.node && y.seq == x.seq + 1 {
                Step::Program
            } else {
                Step::Message(message_id(trace, pair[0], pair[1]))
            }
        })
        .collect()
}

/// `causal hb A B`: before, after, concurrent or same, and a shortest chain when ordered.
pub fn run_hb(args: &HbArgs, ctx: &mut Context<'_>) -> Result<Outcome> {
    let loaded = load(&args.input, ctx)?;
    let trace = &loaded.trace;
    let index = trace.id_index();
    let a = resolve_id(trace, &index, &args.a)?;
    let b = resolve_id(trace, &index, &args.b)?;
    // Only the two events' clocks are kept, from one replay; Lamport clocks label the chain.
    let causality = &loaded.causality;
    let engine = super::engine(&args.clocks, trace, ctx);
    let wanted = HashSet::from([a, b]);
    let clocks = Replay::select(engine, trace, causality, &causality.order, &wanted);
    let lamport = clock::run(trace, causality, LamportEngine::new(trace));
    let rel = relation(trace, &clocks, a, b);
    let ordered = match rel {
        Relation::Before => Some((a, b)),
        Relation::After => Some((b, a)),
        Relation::Same | Relation::Concurrent => None,
    };
    let chain = match ordered {
        Some((from, to)) => HbGraph::build(trace, &loaded.causality)
            .shortest_chain(trace, &clocks, from, to)
            .expect("the vector clocks and the graph agree on happens-before"),
        None if rel == Relation::Same => vec![a],
        None => Vec::new(),
    };
    let steps = steps(trace, &chain);
    let id = |e: EventIdx| trace.event_id(e).to_string();
    match args.format {
        HbFormat::Json => {
            let messages: Vec<&str> = steps
                .iter()
                .filter_map(|s| match s {
                    Step::Message(m) => Some(*m),
                    Step::Program => None,
                })
                .collect();
            let path: Vec<String> = chain.iter().map(|&e| id(e)).collect();
            let doc = json!({
                "version": 1,
                "a": id(a),
                "b": id(b),
                "relation": rel.as_str(),
                "path": path,
                "messages": messages,
            });
            serde_json::to_writer(&mut *ctx.out, &doc)?;
            writeln!(ctx.out)?;
        }
        HbFormat::Text => write_hb_text(ctx, trace, &lamport, rel, (a, b), &chain, &steps)?,
    }
    Ok(Outcome::Clean)
}

fn write_hb_text(
    ctx: &mut Context<'_>,
    trace: &Trace,
    lamport: &[u64],
    rel: Relation,
    (a, b): (EventIdx, EventIdx),
    chain: &[EventIdx],
    steps: &[Step<'_>],
) -> std::io::Result<()> {
    let p = ctx.out_palette;
    let name = |e: EventIdx| {
        p.node(
            trace.event(e).node.index(),
            &one_line(&trace.event_id(e).to_string()),
        )
    };
    let word = p.bold(rel.as_str());
    match rel {
        Relation::Same => writeln!(ctx.out, "{word}: both name the event {}", name(a))?,
        Relation::Before => writeln!(ctx.out, "{word}: {} happened before {}", name(a), name(b))?,
        Relation::After => writeln!(ctx.out, "{word}: {} happened after {}", name(a), name(b))?,
        Relation::Concurrent => writeln!(
            ctx.out,
            "{word}: neither {} nor {} happened before the other",
            name(a),
            name(b)
        )?,
    }
    if chain.len() < 2 {
        return Ok(());
    }
    let messages = steps
        .iter()
        .filter(|s| matches!(s, Step::Message(_)))
        .count();
    writeln!(
        ctx.out,
        "shortest causal chain: {} step{}, {} message{}",
        steps.len(),
        if steps.len() == 1 { "" } else { "s" },
        messages,
        if messages == 1 { "" } else { "s" }
    )?;
    let rows: Vec<[String; 4]> = chain
        .iter()
        .map(|&e| {
            let ev = trace.event(e);
            let roles: Vec<String> = ev
                .roles()
                .map(|(k, m)| format!("{} {}", k.as_str(), one_line(m)))
                .collect();
            [
                one_line(&trace.event_id(e).to_string()),
                format!("L{}", lamport[e.index()]),
                roles.join(", "),
                one_line(ev.label.as_deref().unwrap_or("")),
            ]
        })
        .collect();
    let width = |k: usize| rows.iter().map(|r| r[k].chars().count()).max().unwrap_or(0);
    let (w0, w1, w2) = (width(0), width(1), width(2));
    for (k, (&e, row)) in chain.iter().zip(&rows).enumerate() {
        let line = format!(
            "  {}  {}  {:<w2$}  {}",
            p.node(trace.event(e).node.index(), &format!("{:<w0$}", row[0])),
            p.dim(&format!("{:<w1$}", row[1])),
            row[2],
            row[3]
        );
        writeln!(ctx.out, "{}", line.trim_end())?;
        if let Some(step) = steps.get(k) {
            let via = match step {
                Step::Program => "program order".to_string(),
                Step::Message(m) => format!("message {}", one_line(m)),
            };
            writeln!(ctx.out, "    {}", p.dim(&format!("↓ {via}")))?;
        }
    }
    Ok(())
}

/// Which side of an event `past` or `future` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// Everything that happened before it.
    Past,
    /// Everything that happened after it.
    Future,
}

/// `causal past ID` / `causal future ID`: stamped JSON Lines of one side of an event, in
/// Lamport order, the event itself included unless `--strict`.
pub fn run_cut(args: &CutArgs, side: Side, ctx: &mut Context<'_>) -> Result<Outcome> {
    let loaded = load(&args.input, ctx)?;
    let trace = &loaded.trace;
    let x = resolve_id(trace, &trace.id_index(), &args.id)?;
    let causality = &loaded.causality;
    // Two replays, no clock per event: the first keeps x's clock, the second writes each
    // kept event with its clock in Lamport order. e is in x's past when x has seen e (x's
    // clock), in its future when e has seen x (e's clock).
    let lamport = clock::run(trace, causality, LamportEngine::new(trace));
    let order = lamport_order_of(trace, &lamport);
    let engine = super::engine(&args.clocks, trace, ctx);
    let seen_by_x = Replay::select(engine, trace, causality, &order, &HashSet::from([x]));
    let (xe, x_clock) = (trace.event(x), seen_by_x.clock(x));
    let mut replay = Replay::new(engine, trace, causality);
    let mut writer = JsonlWriter::new(trace);
    for e in order {
        let clock = replay.advance(trace, causality, e);
        let ev = trace.event(e);
        let keep = if e == x {
            !args.strict
        } else {
            match side {
                Side::Past => x_clock.get(ev.node.index()) >= ev.seq,
                Side::Future => clock.get(xe.node.index()) >= xe.seq,
            }
        };
        if keep {
            writer.write(ctx.out, e, lamport[e.index()], clock, None)?;
        }
    }
    Ok(Outcome::Clean)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RawEvent, TraceBuilder};

    fn trace() -> Trace {
        let mut b = TraceBuilder::new();
        let f = b.add_file("t");
        for (node, kind, msg) in [("a", "send", "m"), ("a", "local", ""), ("b", "recv", "m")] {
            b.push(
                f,
                RawEvent {
                    node: node.into(),
                    kind: Some(crate::parse::fields::parse_kind(kind).unwrap()),
                    msg: (!msg.is_empty()).then(|| msg.to_string()),
                    line: 1,
                    ..RawEvent::default()
                },
            );
        }
        b.finish()
    }

    #[test]
    fn unknown_ids_are_named_with_an_example_of_a_good_one() {
        let t = trace();
        let err = resolve_id(&t, &t.id_index(), "zz#9")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "unknown event id \"zz#9\": expected the input's \"id\" or NODE#N, such as \"a#1\""
        );
        let empty = Trace::default();
        let err = resolve_id(&empty, &empty.id_index(), "a#1")
            .unwrap_err()
            .to_string();
        assert!(err.ends_with("the input has no events"), "{err}");
    }

    #[test]
    fn chain_steps_tell_program_order_from_messages() {
        let t = trace();
        let chain = [EventIdx(0), EventIdx(2)];
        assert_eq!(steps(&t, &chain), vec![Step::Message("m")]);
        assert_eq!(steps(&t, &[EventIdx(0), EventIdx(1)]), vec![Step::Program]);
    }
}
