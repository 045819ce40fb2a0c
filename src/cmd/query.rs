//! `causal hb`, `causal past`, `causal future`: causal questions about events named by id.
//!
//! Happens-before is answered from the vector clocks in constant time; the happens-before
//! graph is built (once) only to find a causal chain between two ordered events. Cuts and
//! their `outside` marks come from `graph::cut`; `render` writes every answer.

use std::collections::HashSet;

use anyhow::Result;

use super::{load, load_without_fields, Context, Outcome};
use crate::cli::{CutArgs, HbArgs, HbFormat};
use causal_core::clock::{self, relation, LamportEngine, Relation, Replay};
use causal_core::graph::{cut, HbGraph, Side};
use causal_core::render::hb::{self, HbAnswer};
use causal_core::render::jsonl::{write_stamped, StampedLines};

/// `causal hb A B`: before, after, concurrent or same, and a shortest chain when ordered.
pub fn run_hb(args: &HbArgs, ctx: &mut Context<'_>) -> Result<Outcome> {
    let loaded = load_without_fields(&args.input, ctx)?;
    let (trace, causality) = (&loaded.trace, &loaded.causality);
    let index = trace.id_index();
    let a = trace.resolve_id(&index, &args.a)?;
    let b = trace.resolve_id(&index, &args.b)?;
    // Only the two events' clocks are kept, from one replay; Lamport clocks label the chain.
    let wanted = HashSet::from([a, b]);
    let clocks = Replay::select(
        super::engine(&args.clocks, trace, ctx),
        trace,
        causality,
        &causality.order,
        &wanted,
    );
    let lamport = clock::run(trace, causality, LamportEngine::new(trace));
    let rel = relation(trace, &clocks, a, b);
    let chain = match rel {
        Relation::Before | Relation::After => {
            let (from, to) = if rel == Relation::Before {
                (a, b)
            } else {
                (b, a)
            };
            // Within the input when it can; a slice's given clocks can also order events
            // through events it left out.
            let graph = HbGraph::build(trace, causality);
            graph
                .shortest_chain(trace, &clocks, from, to)
                .unwrap_or_else(|| graph.chain_through_outside(trace, from, to))
        }
        Relation::Same => vec![a],
        Relation::Concurrent => Vec::new(),
    };
    let answer = HbAnswer {
        a,
        b,
        relation: rel,
        chain,
    };
    match args.format {
        HbFormat::Json => hb::write_json(ctx.out, trace, &answer)?,
        HbFormat::Text => hb::write_text(ctx.out, trace, &lamport, &answer, ctx.out_palette)?,
    }
    Ok(Outcome::Clean)
}

/// `causal past ID` / `causal future ID`: stamped JSON Lines of one side of an event, in
/// Lamport order, the event itself included unless `--strict`, messages that cross the cut
/// marked `outside`.
pub fn run_cut(args: &CutArgs, side: Side, ctx: &mut Context<'_>) -> Result<Outcome> {
    let loaded = load(&args.input, ctx)?;
    let (trace, causality) = (&loaded.trace, &loaded.causality);
    let x = trace.resolve_id(&trace.id_index(), &args.id)?;
    let kept = cut(trace, causality, x, side, args.strict);
    let engine = super::engine(&args.clocks, trace, ctx);
    let lines = StampedLines {
        kept: Some(&kept),
        hlc: false,
        vc: args.vc.mode,
    };
    write_stamped(ctx.out, trace, causality, engine, lines)?;
    Ok(Outcome::Clean)
}
